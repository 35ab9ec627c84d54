/* test_frontend.c — the ONNX frontend against small models made on the fly.
 *
 * make_cases.py writes the models into the build tree (CASES_DIR); each test
 * here imports one and checks what the frontend made of it: the attributes
 * with the opset's defaults, the inputs folded away, the constants' bytes,
 * or, for the broken ones, NULL and the right words in the diagnostics
 * (stderr is captured into a buffer around each import).  A failed check
 * prints the expression and both values, and the run goes on.
 *
 * Beyond the cases: malformed bytes built here (empty, garbage, truncated,
 * nested 100000 deep, over the size limit), TensorProto files written and
 * read back, and a few thousand seeded mutations of every case file, which
 * must each end in a graph or in diagnostics — never a crash (the sanitizer
 * build makes that strict).
 *
 * usage: test_frontend CASES_DIR [ONNX_TESTDATA_DIR]
 */
#include "frontend.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *cases_dir;
static const char *testdata_dir;
static int n_checks, n_failed;
static const char *current;         /* the test running, for messages */

/* ---- checks ------------------------------------------------------------------ */

static bool check(bool ok, const char *expr, int line)
{
    n_checks++;
    if (!ok) {
        n_failed++;
        printf("FAIL %s (line %d): %s\n", current, line, expr);
    }
    return ok;
}

static bool check_int(long long a, long long b, const char *ea, const char *eb, int line)
{
    n_checks++;
    if (a != b) {
        n_failed++;
        printf("FAIL %s (line %d): %s == %s: %lld != %lld\n", current, line, ea, eb, a, b);
        return false;
    }
    return true;
}

static bool check_float(double a, double b, const char *ea, const char *eb, int line)
{
    n_checks++;
    if (!(a == b || fabs(a - b) <= 1e-6 * fabs(b))) {
        n_failed++;
        printf("FAIL %s (line %d): %s == %s: %.9g != %.9g\n", current, line, ea, eb, a, b);
        return false;
    }
    return true;
}

#define CHECK(c) check((c), #c, __LINE__)
#define CHECK_INT(a, b) check_int((long long)(a), (long long)(b), #a, #b, __LINE__)
#define CHECK_FLOAT(a, b) check_float((double)(a), (double)(b), #a, #b, __LINE__)

/* ---- importing with stderr captured ----------------------------------------- */

static char diag[1 << 16];          /* stderr of the last import */

static void capture_begin(FILE **tmp, int *saved)
{
    fflush(stderr);
    *tmp = tmpfile();
    *saved = dup(2);
    if (!*tmp || *saved < 0 || dup2(fileno(*tmp), 2) < 0) {
        perror("test_frontend: capturing stderr");
        exit(2);
    }
}

static void capture_end(FILE *tmp, int saved)
{
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    size_t n = fread(diag, 1, sizeof diag - 1, tmp);
    diag[n] = 0;
    fclose(tmp);
}

static Graph *import_path(const char *path, const ImportOptions *opt)
{
    FILE *tmp;
    int saved;
    capture_begin(&tmp, &saved);
    Graph *g = onnx_import(path, opt);
    capture_end(tmp, saved);
    return g;
}

/* graph_infer_shapes with its diagnostics in diag. */
static bool infer_captured(Graph *g)
{
    FILE *tmp;
    int saved;
    capture_begin(&tmp, &saved);
    bool ok = graph_infer_shapes(g);
    capture_end(tmp, saved);
    return ok;
}

static Graph *import_mem(const void *buf, size_t len, const char *base_dir,
                         const ImportOptions *opt)
{
    FILE *tmp;
    int saved;
    capture_begin(&tmp, &saved);
    Graph *g = onnx_import_buffer(buf, len, "mem.onnx", base_dir, opt);
    capture_end(tmp, saved);
    return g;
}

/* CASES_DIR/name.onnx, or CASES_DIR/name/model.onnx for a folder case. */
static const char *case_path(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s.onnx", cases_dir, name);
    if (access(path, R_OK) != 0)
        snprintf(path, sizeof path, "%s/%s/model.onnx", cases_dir, name);
    return path;
}

/* Imports a case that must succeed; prints the diagnostics when it does not. */
static Graph *load_ok(const char *name)
{
    current = name;
    Graph *g = import_path(case_path(name), NULL);
    if (!CHECK(g != NULL))
        printf("  diagnostics:\n%s", diag);
    return g;
}

/* load_ok, after checking on a second import that shape inference accepts
 * the graph: the attributes as the frontend writes them must be what
 * ir/shape.c expects (pads layout, 1-D windows, folded inputs gone).  The
 * graph returned is the uninferred one (inference rewrites some attributes:
 * sorted axes, resolved pads).  Only for cases that are meaningful graphs. */
static Graph *load_and_infer(const char *name)
{
    Graph *g = load_ok(name);
    if (!g)
        return NULL;
    Graph *h = import_path(case_path(name), NULL);
    bool ok = h && infer_captured(h);
    if (!check(ok, "graph_infer_shapes(g)", __LINE__))
        printf("  diagnostics:\n%s", diag);
    graph_free(h);
    return g;
}

/* Checks that diag holds every one of the (NULL-ended) texts. */
static void expect_diag(const char *const *texts)
{
    for (; *texts; texts++)
        if (!check(strstr(diag, *texts) != NULL, "diagnostics contain the text", __LINE__))
            printf("  wanted: %s\n  got:\n%s", *texts, diag);
}

/* Imports a case that must fail with every one of the (NULL-ended) texts. */
static void expect_errors(const char *name, const char *const *texts)
{
    current = name;
    Graph *g = import_path(case_path(name), NULL);
    CHECK(g == NULL);
    graph_free(g);
    expect_diag(texts);
}

/* Imports a case that must import, then fail shape inference with every
 * one of the (NULL-ended) texts. */
static void expect_infer_errors(const char *name, const char *const *texts)
{
    Graph *g = load_ok(name);
    if (!g)
        return;
    CHECK(!infer_captured(g));
    expect_diag(texts);
    graph_free(g);
}

#define EXPECT_ERRORS(name, ...) expect_errors(name, (const char *const[]){__VA_ARGS__, NULL})
#define EXPECT_INFER_ERRORS(name, ...) \
    expect_infer_errors(name, (const char *const[]){__VA_ARGS__, NULL})

/* ---- finding things ------------------------------------------------------------ */

static const Node *node(const Graph *g, const char *name)
{
    for (uint32_t i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i].name, name) == 0)
            return &g->nodes[i];
    printf("FAIL %s: no node '%s'\n", current, name);
    n_failed++;
    static uint32_t none_ids[1] = {VGGC_NONE};
    static const Node none = {.op = OP_DEAD, .name = "?", .in = none_ids, .out = none_ids};
    return &none;
}

static const Value *value(const Graph *g, const char *name)
{
    uint32_t id = graph_find_value(g, name);
    if (id != VGGC_NONE)
        return &g->values[id];
    printf("FAIL %s: no value '%s'\n", current, name);
    n_failed++;
    static const Value none = {.name = "?"};
    return &none;
}

static float f32_at(const Value *v, size_t i)
{
    float x = NAN;
    if (v->dtype == DT_FLOAT && (i + 1) * 4 <= v->nbytes)
        memcpy(&x, (const char *)v->data + 4 * i, 4);
    return x;
}

static int64_t i64_at(const Value *v, size_t i)
{
    int64_t x = INT64_MIN;
    if (v->dtype == DT_INT64 && (i + 1) * 8 <= v->nbytes)
        memcpy(&x, (const char *)v->data + 8 * i, 8);
    else if (v->dtype == DT_INT32 && (i + 1) * 4 <= v->nbytes) {
        int32_t y;
        memcpy(&y, (const char *)v->data + 4 * i, 4);
        x = y;
    } else if (v->dtype == DT_BOOL && i < v->nbytes)
        x = ((const unsigned char *)v->data)[i];
    return x;
}

static bool shape_is(const Value *v, int rank, const int64_t *d)
{
    if (!v->has_shape || v->shape.rank != rank)
        return false;
    for (int i = 0; i < rank; i++)
        if (v->shape.d[i] != d[i])
            return false;
    return true;
}

#define SHAPE_IS(v, ...)                                                              \
    shape_is((v), (int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t)),          \
             (int64_t[]){__VA_ARGS__})

/* ---- tensor encodings, initializers, Constant nodes ----------------------------- */

static void test_encodings(void)
{
    Graph *g = load_and_infer("encodings");
    if (!g)
        return;
    const Value *fr = value(g, "f_raw"), *ft = value(g, "f_typed");
    CHECK_INT(fr->kind, VAL_CONST);
    CHECK(SHAPE_IS(fr, 2, 3));
    CHECK(SHAPE_IS(ft, 2, 3));
    for (int i = 0; i < 6; i++) {
        CHECK_FLOAT(f32_at(fr, i), i);
        CHECK_FLOAT(f32_at(ft, i), i);
    }
    const char *i64s[] = {"i64_raw", "i64_typed"};
    for (int k = 0; k < 2; k++) {
        const Value *v = value(g, i64s[k]);
        CHECK_INT(v->dtype, DT_INT64);
        CHECK_INT(i64_at(v, 0), -1);
        CHECK_INT(i64_at(v, 2), 1LL << 40);
    }
    const char *i32s[] = {"i32_raw", "i32_typed"};
    for (int k = 0; k < 2; k++) {
        const Value *v = value(g, i32s[k]);
        CHECK_INT(v->dtype, DT_INT32);
        CHECK_INT(v->nbytes, 8);
        CHECK_INT(i64_at(v, 0), -7);
    }
    const char *bools[] = {"b_raw", "b_typed"};
    for (int k = 0; k < 2; k++) {
        const Value *v = value(g, bools[k]);
        CHECK_INT(v->dtype, DT_BOOL);
        CHECK_INT(v->nbytes, 3);
        CHECK_INT(i64_at(v, 0), 0);
        CHECK_INT(i64_at(v, 1), 1);
        CHECK_INT(i64_at(v, 2), 1);         /* 2 and 5 read as true, stored as 1 */
    }
    const Value *s = value(g, "f_scalar");
    CHECK_INT(s->shape.rank, 0);
    CHECK_FLOAT(f32_at(s, 0), 2.5);
    CHECK(SHAPE_IS(value(g, "f_empty"), 0, 4));
    CHECK_INT(value(g, "f_empty")->nbytes, 0);
    CHECK_INT(g->n_inputs, 0);
    CHECK_INT(g->opset, 13);
    CHECK(g->producer && strcmp(g->producer, "vggc-tests") == 0);
    CHECK(strcmp(g->name, "case") == 0);
    graph_free(g);
}

static void test_input_is_initializer(void)
{
    Graph *g = load_and_infer("input_is_initializer");
    if (!g)
        return;
    CHECK_INT(g->n_inputs, 1);
    CHECK(strcmp(g->values[g->inputs[0]].name, "x") == 0);
    CHECK(SHAPE_IS(&g->values[g->inputs[0]], VGGC_DIM_N, 3, 8, 8));
    CHECK_INT(value(g, "w")->kind, VAL_CONST);
    CHECK_FLOAT(f32_at(value(g, "w"), 107), 0.5);
    CHECK_INT(node(g, "conv")->in[1], graph_find_value(g, "w"));
    graph_free(g);
}

static void test_constants(void)
{
    Graph *g = load_and_infer("constants");
    if (!g)
        return;
    CHECK_INT(g->n_nodes, 1);           /* only the Add: no Constant node remains */
    CHECK_INT(g->nodes[0].op, OP_ADD);
    const Value *t = value(g, "c_tensor");
    CHECK(SHAPE_IS(t, 2, 2));
    CHECK_FLOAT(f32_at(t, 3), 4);
    const Value *f = value(g, "c_float");
    CHECK_INT(f->shape.rank, 0);
    CHECK_FLOAT(f32_at(f, 0), 1.5);
    const Value *fs = value(g, "c_floats");
    CHECK(SHAPE_IS(fs, 3));
    CHECK_FLOAT(f32_at(fs, 2), 3);
    CHECK_INT(value(g, "c_int")->dtype, DT_INT64);
    CHECK_INT(value(g, "c_int")->shape.rank, 0);
    CHECK_INT(i64_at(value(g, "c_int"), 0), -3);
    CHECK(SHAPE_IS(value(g, "c_ints"), 2));
    CHECK_INT(i64_at(value(g, "c_ints"), 1), 5);
    CHECK_INT(i64_at(value(g, "c_raw"), 1), 10);
    CHECK_INT(g->n_outputs, 5);
    CHECK(value(g, "c_raw")->is_output);
    CHECK_INT(graph_find_value(g, "c_unused_u16"), VGGC_NONE);  /* skipped */
    graph_free(g);
    EXPECT_ERRORS("constant_string", "node 'cs' (Constant)", "value_string");
}

/* raw_data given twice: the second counts, as protobuf reads a field given
 * twice, whether protobuf-c copies it or it is taken out of the model
 * before unpacking (ImportOptions.span_min 1: every raw_data). */
static void test_raw_twice(void)
{
    for (size_t span_min = 0; span_min <= 1; span_min++) {
        current = span_min ? "raw_twice, weights apart" : "raw_twice";
        ImportOptions io = {.span_min = span_min ? 1 : SIZE_MAX};
        Graph *g = import_path(case_path("raw_twice"), &io);
        if (!CHECK(g != NULL)) {
            printf("  diagnostics:\n%s", diag);
            continue;
        }
        const Value *w = value(g, "w");
        CHECK(SHAPE_IS(w, 2));
        CHECK_FLOAT(f32_at(w, 0), 1.5);
        CHECK_FLOAT(f32_at(w, 1), -2);
        graph_free(g);
    }
}

/* ---- attribute defaults and folding by opset ------------------------------------ */

static void test_softmax(void)
{
    Graph *g = load_and_infer("softmax_opset11");
    if (g) {
        CHECK_INT(node(g, "sm")->attr.softmax.axis, 1);
        CHECK(node(g, "sm")->attr.softmax.coerce_2d);
        CHECK_INT(node(g, "lsm")->attr.softmax.axis, 1);
        CHECK_INT(node(g, "lsm")->op, OP_LOG_SOFTMAX);
        CHECK_INT(node(g, "sm_axis")->attr.softmax.axis, 2);
        graph_free(g);
    }
    g = load_and_infer("softmax_opset13");
    if (g) {
        CHECK_INT(node(g, "sm")->attr.softmax.axis, -1);
        CHECK(!node(g, "sm")->attr.softmax.coerce_2d);
        CHECK_INT(node(g, "lsm")->attr.softmax.axis, -1);
        CHECK(!node(g, "sm_axis")->attr.softmax.coerce_2d);
        graph_free(g);
    }
}

static void test_clip(void)
{
    Graph *g = load_and_infer("clip_opset10");
    if (g) {
        CHECK_FLOAT(node(g, "relu6")->attr.clip.min, 0);
        CHECK_FLOAT(node(g, "relu6")->attr.clip.max, 6);
        CHECK_FLOAT(node(g, "noop")->attr.clip.min, -3.402823466e38);
        CHECK_FLOAT(node(g, "noop")->attr.clip.max, 3.402823466e38);
        graph_free(g);
    }
    g = load_and_infer("clip_opset13");
    if (g) {
        const Node *n = node(g, "both");
        CHECK_INT(n->n_in, 1);
        CHECK_FLOAT(n->attr.clip.min, -1);
        CHECK_FLOAT(n->attr.clip.max, 6);
        n = node(g, "max_only");
        CHECK_INT(n->n_in, 1);
        CHECK(isinf(n->attr.clip.min) && n->attr.clip.min < 0);
        CHECK_FLOAT(n->attr.clip.max, 6);
        n = node(g, "none");
        CHECK(isinf(n->attr.clip.min) && isinf(n->attr.clip.max) && n->attr.clip.max > 0);
        CHECK_FLOAT(node(g, "min_int")->attr.clip.min, 2);
        graph_free(g);
    }
    g = load_and_infer("clip_runtime");
    if (g) {
        /* Bounds known only at run time stay inputs; constant ones are folded. */
        const Node *n = node(g, "min_rt");
        CHECK_INT(n->n_in, 2);
        CHECK(n->in[1] != VGGC_NONE && strcmp(g->values[n->in[1]].name, "m") == 0);
        n = node(g, "max_rt");
        CHECK_INT(n->n_in, 3);
        CHECK(n->in[1] == VGGC_NONE);
        CHECK_FLOAT(n->attr.clip.min, -1);
        CHECK(n->in[2] != VGGC_NONE && strcmp(g->values[n->in[2]].name, "m") == 0);
        n = node(g, "min_rt_max_const");
        CHECK_INT(n->n_in, 2);
        CHECK_FLOAT(n->attr.clip.max, 6);
        graph_free(g);
    }
}

static void test_pad(void)
{
    Graph *g = load_and_infer("pad_opset10");
    if (g) {
        const Node *n = node(g, "pad");
        int64_t want[8] = {0, 0, 1, 2, 0, 0, 3, 4};
        for (int i = 0; i < 8; i++)
            CHECK_INT(n->attr.pad.pads[i], want[i]);
        CHECK_FLOAT(n->attr.pad.value, 1.5);
        graph_free(g);
    }
    g = load_and_infer("pad_opset13");
    if (g) {
        const Node *n = node(g, "pad");
        CHECK_INT(n->n_in, 1);
        int64_t want[8] = {0, 0, 1, 1, 0, 0, 2, -1};
        for (int i = 0; i < 8; i++)
            CHECK_INT(n->attr.pad.pads[i], want[i]);
        CHECK_FLOAT(n->attr.pad.value, 0.25);
        CHECK_FLOAT(node(g, "pad0")->attr.pad.value, 0);
        CHECK_INT(node(g, "pad0")->n_in, 1);
        graph_free(g);
    }
    g = load_and_infer("pad_opset18_axes");
    if (g) {
        /* pads [1,2,3,4] over axes [-1, 2] of a rank-4 input. */
        const Node *n = node(g, "pad");
        CHECK_INT(n->n_in, 1);
        int64_t want[8] = {0, 0, 2, 1, 0, 0, 4, 3};
        for (int i = 0; i < 8; i++)
            CHECK_INT(n->attr.pad.pads[i], want[i]);
        graph_free(g);
    }
    g = load_and_infer("pad_modes");
    if (g) {
        CHECK_INT(node(g, "reflect")->attr.pad.mode, PAD_REFLECT);
        CHECK_INT(node(g, "edge")->attr.pad.mode, PAD_EDGE);
        CHECK_INT(node(g, "wrap")->attr.pad.mode, PAD_WRAP);
        graph_free(g);
    }
    EXPECT_ERRORS("pad_wrap_opset13", "node 'pad' (Pad)", "mode 'wrap'", "from opset 19");
}

static void test_reduce_mean(void)
{
    Graph *g = load_ok("reduce_mean_opset13");
    if (g) {
        const AxesAttr *a = &node(g, "rm")->attr.axes;
        CHECK_INT(a->n_axes, 2);
        CHECK_INT(a->axes[0], 2);
        CHECK_INT(a->axes[1], 3);
        CHECK(!a->keepdims);
        CHECK_INT(node(g, "rm_all")->attr.axes.n_axes, 0);
        CHECK(node(g, "rm_all")->attr.axes.keepdims);
        graph_free(g);
    }
    g = load_and_infer("reduce_mean_opset18");
    if (g) {
        const Node *n = node(g, "rm");
        CHECK_INT(n->n_in, 1);
        CHECK_INT(n->attr.axes.n_axes, 2);
        CHECK_INT(n->attr.axes.axes[0], -1);
        CHECK_INT(n->attr.axes.axes[1], 2);
        CHECK(n->attr.axes.keepdims);
        CHECK(!n->attr.axes.noop_with_empty_axes);
        CHECK(node(g, "rm_noop")->attr.axes.noop_with_empty_axes);
        CHECK_INT(node(g, "rm_noop")->attr.axes.n_axes, 0);
        graph_free(g);
    }
}

static void test_squeeze(void)
{
    Graph *g = load_and_infer("squeeze_opset11");
    if (g) {
        CHECK_INT(node(g, "sq")->attr.axes.n_axes, 1);
        CHECK_INT(node(g, "unsq")->attr.axes.n_axes, 2);
        CHECK_INT(node(g, "unsq")->attr.axes.axes[1], 4);
        graph_free(g);
    }
    g = load_and_infer("squeeze_opset13");
    if (g) {
        CHECK_INT(node(g, "sq")->n_in, 1);
        CHECK_INT(node(g, "sq")->attr.axes.n_axes, 1);
        CHECK_INT(node(g, "sq")->attr.axes.axes[0], 0);
        const Node *u = node(g, "unsq");
        CHECK_INT(u->n_in, 1);
        CHECK_INT(u->attr.axes.n_axes, 2);          /* from an int32 tensor */
        CHECK_INT(u->attr.axes.axes[1], -1);
        CHECK_INT(node(g, "sq_all")->attr.axes.n_axes, 0);
        graph_free(g);
    }
    EXPECT_ERRORS("squeeze_nonconst", "node 'unsq' (Unsqueeze)", "'ax'",
                  "needs it at compile time", "--bind ax=FILE.npy");
}

/* --bind: the same model with its axes input bound becomes a constant the
 * normalizer folds (the graph keeps x alone); a file of the wrong data type
 * or rank, or an unknown name, is refused naming input and file. */
static void test_bind(void)
{
    const char *path = case_path("squeeze_nonconst");
    char good[4200], bad[4200];
    snprintf(good, sizeof good, "%s/bind_ax.npy", cases_dir);
    snprintf(bad, sizeof bad, "%s/bind_ax_2d.npy", cases_dir);
    int64_t axes[1] = {2};
    vggrt_tensor t = {.dtype = VGGRT_I64, .rank = 1, .dims = {1}, .data = axes, .nbytes = 8};
    vggrt_tensor t2 = {.dtype = VGGRT_I64, .rank = 2, .dims = {1, 1}, .data = axes, .nbytes = 8};
    char msg[256];
    current = "bind";
    if (!CHECK(vggrt_npy_write(good, &t, msg, sizeof msg) == VGGRT_OK) ||
        !CHECK(vggrt_npy_write(bad, &t2, msg, sizeof msg) == VGGRT_OK))
        return;
    ImportOptions io = {.binds = &(ImportBind){"ax", good}, .n_binds = 1};
    Graph *g = import_path(path, &io);
    if (CHECK(g != NULL)) {
        CHECK_INT(g->n_inputs, 1);
        CHECK(strcmp(g->values[g->inputs[0]].name, "x") == 0);
        const Node *u = node(g, "unsq");
        CHECK_INT(u->n_in, 1);
        CHECK_INT(u->attr.axes.n_axes, 1);
        CHECK_INT(u->attr.axes.axes[0], 2);
    } else {
        printf("  diagnostics:\n%s", diag);
    }
    graph_free(g);

    struct { ImportBind b; const char *want; } bad_cases[] = {
        {{"ax", bad}, "the array has shape [1,1] (rank 2); input 'ax' is declared [1] (rank 1)"},
        {{"nope", good}, "--bind nope="},
        {{"x", good}, "the array is INT64; input 'x' is declared FLOAT"},
    };
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        io.binds = &bad_cases[i].b;
        g = import_path(path, &io);
        CHECK(g == NULL);
        graph_free(g);
        if (!check(strstr(diag, bad_cases[i].want) != NULL, "diagnostics contain the text",
                   __LINE__))
            printf("  wanted: %s\n  got:\n%s", bad_cases[i].want, diag);
    }
}

static void test_prelu_legacy(void)
{
    Graph *g = load_and_infer("prelu_opset6");
    if (g) {
        /* [3] against [N,3,8,8] is per channel: unsqueezed to [3,1,1]. */
        const Node *n = node(g, "prelu");
        uint32_t p = g->values[n->in[1]].producer;
        CHECK(p != VGGC_NONE);
        if (p != VGGC_NONE) {
            const Node *u = &g->nodes[p];
            CHECK_INT(u->op, OP_UNSQUEEZE);
            CHECK(strcmp(g->values[u->in[0]].name, "s") == 0);
            CHECK_INT(u->attr.axes.n_axes, 2);
            CHECK_INT(u->attr.axes.axes[0], 1);
            CHECK_INT(u->attr.axes.axes[1], 2);
        }
        n = node(g, "shared");          /* one element: the same under both rules */
        CHECK_INT(g->values[n->in[1]].shape.rank, 1);
        CHECK(strcmp(g->values[n->in[1]].name, "one") == 0);
        graph_free(g);
    }
    EXPECT_ERRORS("prelu_opset6_2d_slope", "node 'prelu' (PRelu)", "slope of shape [3,1]");
}

static void test_dropout(void)
{
    Graph *g = load_and_infer("dropout_opset10");
    if (g) {
        CHECK_INT(node(g, "drop")->n_out, 1);      /* the unused mask is dropped */
        CHECK_INT(node(g, "drop")->n_in, 1);
        graph_free(g);
    }
    g = load_and_infer("dropout_opset13");
    if (g) {
        CHECK_INT(node(g, "drop")->n_in, 1);
        CHECK_INT(node(g, "drop")->n_out, 1);
        graph_free(g);
    }
    EXPECT_ERRORS("dropout_training", "node 'drop' (Dropout)", "training", "'seed'");
    /* Seeded: a Mul by the scaled mask, the mask a constant.  The expected
     * mask is numpy's, not ours: np.random.seed(5);
     * (np.random.uniform(0, 1.0, (2, 3)) >= 0.75).astype(int).tolist()
     * -> [[0, 1, 0], [1, 0, 0]]; the kept ones scale by 1 / (1 - 0.75) = 4. */
    g = load_and_infer("dropout_seeded");
    if (g) {
        static const unsigned char want[6] = {0, 1, 0, 1, 0, 0};
        const Node *n = node(g, "drop");
        CHECK_INT(n->op, OP_MUL);
        CHECK_INT(n->n_in, 2);
        const Value *k = &g->values[n->in[1]], *m = value(g, "mask");
        CHECK_INT(k->kind, VAL_CONST);
        CHECK(SHAPE_IS(k, 2, 3));
        CHECK_INT(m->kind, VAL_CONST);
        CHECK_INT(m->dtype, DT_BOOL);
        if (CHECK(k->nbytes == 6 * sizeof(float) && m->nbytes == 6))
            for (int i = 0; i < 6; i++) {
                float kv;
                memcpy(&kv, (const char *)k->data + 4 * i, 4);
                CHECK_INT(((const unsigned char *)m->data)[i], want[i]);
                CHECK(kv == (want[i] ? 4.0f : 0.0f));
            }
        graph_free(g);
    }
    EXPECT_ERRORS("dropout_seeded_batched", "node 'drop' (Dropout)", "--batch");
    EXPECT_ERRORS("dropout_seeded_computed", "node 'drop' (Dropout)", "graph input or a constant");
    g = load_and_infer("dropout_mask_used");
    if (g) {
        const Node *n = node(g, "drop");
        CHECK_INT(n->n_out, 2);          /* a read mask stays */
        CHECK(n->out[1] != VGGC_NONE && strcmp(g->values[n->out[1]].name, "mask") == 0);
        graph_free(g);
    }
}

/* Zero-size tensors get through views only (ir/shape.c). */
static void test_zero_size(void)
{
    Graph *g = load_ok("zero_size");
    if (g) {
        CHECK(SHAPE_IS(value(g, "x"), 2, 0, 3));
        CHECK(graph_infer_shapes(g));
        CHECK(SHAPE_IS(value(g, "y"), 3, 0, 2));
        graph_free(g);
    }
    EXPECT_INFER_ERRORS("zero_size_relu", "node 'relu' (Relu)", "zero-size tensor");
}

static void test_windows(void)
{
    Graph *g = load_and_infer("windows");
    if (!g)
        return;
    const WindowAttr *w = &node(g, "conv")->attr.win;
    CHECK_INT(w->nsp, 2);
    CHECK(w->has_kernel);
    CHECK_INT(w->kernel[0], 3);
    CHECK_INT(w->stride[0], 2);
    CHECK_INT(w->stride[1], 1);
    CHECK_INT(w->pad[0], 1);            /* top */
    CHECK_INT(w->pad[1], 2);            /* left */
    CHECK_INT(w->pad[2], 3);            /* bottom */
    CHECK_INT(w->pad[3], 4);            /* right */
    CHECK_INT(w->dilation[1], 2);
    CHECK_INT(w->group, 1);
    CHECK_INT(w->auto_pad, AUTOPAD_NOTSET);

    w = &node(g, "conv_same")->attr.win;
    CHECK_INT(w->auto_pad, AUTOPAD_SAME_UPPER);
    CHECK_INT(w->nsp, 2);               /* from the weight's rank */
    CHECK(!w->has_kernel);
    CHECK_INT(w->stride[0], 1);

    CHECK_INT(node(g, "conv_shared")->attr.win.nsp, 2);  /* W behind an Identity */

    w = &node(g, "maxpool")->attr.win;
    CHECK(w->ceil_mode);
    CHECK_INT(w->kernel[1], 2);
    CHECK_INT(w->stride[1], 2);
    CHECK_INT(node(g, "maxpool")->n_out, 1);
    CHECK(!node(g, "maxpool")->attr.win.storage_order);
    CHECK_INT(node(g, "argmax")->n_out, 2);         /* Indices read: kept, int64 */
    CHECK(node(g, "argmax")->attr.win.storage_order);
    CHECK_INT(node(g, "argmax_unused")->n_out, 1);  /* Indices unread: dropped */

    w = &node(g, "avgpool")->attr.win;
    CHECK(w->count_include_pad);
    CHECK(!w->ceil_mode);
    CHECK_INT(w->pad[3], 1);

    w = &node(g, "conv1d")->attr.win;   /* 1-D as H = 1: values in index 1 */
    CHECK_INT(w->nsp, 1);
    CHECK_INT(w->kernel[0], 1);
    CHECK_INT(w->kernel[1], 3);
    CHECK_INT(w->stride[0], 1);
    CHECK_INT(w->stride[1], 2);
    CHECK_INT(w->dilation[0], 1);
    CHECK_INT(w->dilation[1], 3);
    CHECK_INT(w->pad[0], 0);
    CHECK_INT(w->pad[1], 1);
    CHECK_INT(w->pad[2], 0);
    CHECK_INT(w->pad[3], 0);
    graph_free(g);

    EXPECT_ERRORS("window_errors", "node 'pool4d' (AveragePool): 4-D pooling is not supported",
                  "node 'badpads' (Conv): attribute 'pads' has 3 values");
}

/* ConvTranspose: output_padding, output_shape (given with N and C too)
 * and SAME_LOWER, resolved into pads by shape inference. */
static void test_conv_transpose(void)
{
    Graph *g = load_ok("conv_transpose");
    if (!g)
        return;
    const Node *n = node(g, "shape4");   /* as imported: output_shape's spatial part */
    CHECK(n->attr.win.has_out_shape);
    CHECK_INT(n->attr.win.out_shape[0], 17);
    CHECK_INT(n->attr.win.out_shape[1], 16);
    if (!check(infer_captured(g), "graph_infer_shapes(g)", __LINE__)) {
        printf("  diagnostics:\n%s", diag);
        graph_free(g);
        return;
    }
    n = node(g, "outpad");
    const WindowAttr *w = &n->attr.win;
    CHECK_INT(w->nsp, 2);
    CHECK_INT(w->kernel[0], 3);         /* from the weight */
    CHECK_INT(w->out_pad[0], 1);
    CHECK_INT(w->out_pad[1], 1);
    CHECK_INT(w->pad[3], 2);            /* right */
    const Shape *y = &g->values[n->out[0]].shape;
    CHECK_INT(y->d[1], 2);              /* [C, M/group, k, k]: M = 2 */
    CHECK_INT(y->d[2], 3 * 7 + 1 + 3 - 1 - 1);
    CHECK_INT(y->d[3], 2 * 7 + 1 + 3 - 0 - 2);

    n = node(g, "shape4");              /* full 2*7 + 3 = 17: H total 0, W total 1 */
    w = &n->attr.win;
    CHECK(!w->has_out_shape);
    CHECK_INT(g->values[n->out[0]].shape.d[2], 17);
    CHECK_INT(g->values[n->out[0]].shape.d[3], 16);
    CHECK_INT(w->pad[0], 0);
    CHECK_INT(w->pad[2], 0);
    CHECK_INT(w->pad[1], 1);            /* NOTSET: the larger half at the beginning */
    CHECK_INT(w->pad[3], 0);

    n = node(g, "same");                /* out 16, total 1: SAME_LOWER puts it first */
    w = &n->attr.win;
    CHECK_INT(w->auto_pad, AUTOPAD_NOTSET);
    CHECK_INT(g->values[n->out[0]].shape.d[2], 16);
    CHECK_INT(w->pad[0], 1);
    CHECK_INT(w->pad[2], 0);
    graph_free(g);

    EXPECT_ERRORS("conv_transpose_errors",
                  "node 'shape3' (ConvTranspose): attribute 'output_shape' has 3 values; expected 2");
    EXPECT_INFER_ERRORS("conv_transpose_pad",
                        "node 'bigpad' (ConvTranspose): output_padding[0] is 2; expected at least 0 "
                        "and below the stride (2) or the dilation (1)");
}

/* LayerNormalization: axis and epsilon as given; trailing outputs that
 * nothing reads dropped (InvStdDev), the others kept; stash_type 0 refused. */
static void test_layer_norm(void)
{
    Graph *g = load_ok("layer_norm");
    if (g) {
        const Node *n = node(g, "ln");
        CHECK_INT(n->attr.ln.axis, -2);
        CHECK_FLOAT(n->attr.ln.epsilon, 1e-3f);
        CHECK_INT(n->n_out, 2);         /* Y, Mean; InvStdDev unread */
        CHECK(infer_captured(g));
        CHECK_INT(g->values[n->out[1]].shape.d[1], 3);
        CHECK_INT(g->values[n->out[1]].shape.d[2], 1);
        graph_free(g);
    }
    EXPECT_ERRORS("layer_norm_stash",
                  "node 'ln_stash' (LayerNormalization): stash_type 0 is not supported (1: float)");
}

/* Resize: the constant roi, scales and sizes fold into the attributes and
 * X is the only input left; each opset's defaults; axes spread the sizes
 * over X's dims; what is refused, refused by name. */
static void test_resize(void)
{
    Graph *g = load_ok("resize");
    if (g) {
        const Node *n = node(g, "lin");
        CHECK_INT(n->n_in, 1);
        CHECK_INT(n->attr.resize.mode, RESIZE_LINEAR);
        CHECK_INT(n->attr.resize.coord, COORD_PYTORCH_HALF_PIXEL);
        CHECK_INT(n->attr.resize.has_sizes, 0);
        CHECK_INT(n->attr.resize.n, 4);
        CHECK_FLOAT(n->attr.resize.scales[3], 2.0f);
        CHECK(infer_captured(g));
        CHECK_INT(g->values[n->out[0]].shape.d[0], VGGC_DIM_N);
        CHECK_INT(g->values[n->out[0]].shape.d[2], 16);
        graph_free(g);
    }
    g = load_ok("resize_sizes_11");
    if (g) {
        const Node *n = node(g, "near");
        CHECK_INT(n->attr.resize.mode, RESIZE_NEAREST);
        CHECK_INT(n->attr.resize.coord, COORD_ASYMMETRIC);
        CHECK_INT(n->attr.resize.nearest, NEAREST_FLOOR);
        CHECK_INT(n->attr.resize.has_sizes, 1);
        CHECK_INT(n->attr.resize.sizes[3], 6);
        CHECK(infer_captured(g));
        CHECK_INT(g->values[n->out[0]].shape.d[2], 4);
        graph_free(g);
    }
    g = load_ok("resize_axes_18");
    if (g) {
        const Node *n = node(g, "cub");
        CHECK_INT(n->attr.resize.mode, RESIZE_CUBIC);
        CHECK_FLOAT(n->attr.resize.cubic_a, -0.5f);
        CHECK_INT(n->attr.resize.exclude_outside, 1);
        CHECK_INT(n->attr.resize.n, 4);
        CHECK_INT(n->attr.resize.sizes[0], VGGC_DIM_N);
        CHECK_INT(n->attr.resize.sizes[1], 3);
        CHECK_INT(n->attr.resize.sizes[2], 12);
        CHECK_INT(n->attr.resize.sizes[3], 16);
        CHECK(infer_captured(g));
        CHECK_INT(g->values[n->out[0]].shape.d[0], VGGC_DIM_N);
        CHECK_INT(g->values[n->out[0]].shape.d[3], 16);
        graph_free(g);
    }
    g = load_ok("resize_10");
    if (g) {
        const Node *n = node(g, "r10");
        CHECK_INT(n->n_in, 1);
        CHECK_INT(n->attr.resize.coord, COORD_ASYMMETRIC);
        CHECK_INT(n->attr.resize.nearest, NEAREST_FLOOR);
        graph_free(g);
    }
    /* Upsample becomes Resize-10's: asymmetric, nearest rounding down. */
    g = load_ok("upsample_7");
    if (g) {
        const Node *n = node(g, "up7");
        CHECK_INT(n->op, OP_RESIZE);
        CHECK_INT(n->attr.resize.mode, RESIZE_LINEAR);
        CHECK_INT(n->attr.resize.coord, COORD_ASYMMETRIC);
        CHECK_FLOAT(n->attr.resize.scales[3], 3.0f);
        CHECK(infer_captured(g));
        CHECK_INT(g->values[n->out[0]].shape.d[3], 24);
        graph_free(g);
    }
    g = load_ok("upsample_9");
    if (g) {
        const Node *n = node(g, "up9");
        CHECK_INT(n->op, OP_RESIZE);
        CHECK_INT(n->n_in, 1);
        CHECK_INT(n->attr.resize.mode, RESIZE_NEAREST);
        CHECK_INT(n->attr.resize.nearest, NEAREST_FLOOR);
        graph_free(g);
    }
    EXPECT_ERRORS("upsample_10", "node 'up10' (Upsample): Upsample is deprecated from opset 10");
    EXPECT_ERRORS("resize_both", "node 'both' (Resize): has both scales and sizes");
    EXPECT_ERRORS("resize_antialias", "node 'aa' (Resize): antialias=1 is not supported");
    EXPECT_ERRORS("resize_policy", "node 'keep' (Resize): keep_aspect_ratio_policy 'not_larger'");
    EXPECT_ERRORS("resize_cubic_10", "node 'cub10' (Resize): mode 'cubic' exists from opset 11");
    EXPECT_ERRORS("resize_symmetric_18", "node 'sym' (Resize)", "'half_pixel_symmetric' exists "
                  "from opset 19");
    EXPECT_ERRORS("resize_mode", "node 'bil' (Resize): mode 'bilinear' is not supported");
    EXPECT_ERRORS("resize_roi", "node 'crop' (Resize): roi has 4 values; expected 8");
}

static void test_misc_attrs(void)
{
    Graph *g = load_ok("misc_attrs");
    if (!g)
        return;
    CHECK_INT(node(g, "flatten")->attr.axis, 1);
    const GemmAttr *gm = &node(g, "gemm")->attr.gemm;
    CHECK_FLOAT(gm->alpha, 0.5);
    CHECK_FLOAT(gm->beta, 1);
    CHECK(!gm->trans_a && gm->trans_b);
    CHECK_FLOAT(node(g, "bn")->attr.bn.epsilon, 1e-3f);
    CHECK_FLOAT(node(g, "lrelu")->attr.alpha.alpha, 0.01f);
    const LrnAttr *l = &node(g, "lrn")->attr.lrn;
    CHECK_INT(l->size, 5);
    CHECK_FLOAT(l->alpha, 1e-4f);
    CHECK_FLOAT(l->beta, 0.75f);
    CHECK_FLOAT(l->bias, 1);
    const ShapeAttr *sh = &node(g, "shape")->attr.shape;
    CHECK_INT(sh->start, 1);
    CHECK(sh->has_end);
    CHECK_INT(sh->end, -1);
    CHECK_INT(node(g, "cast")->attr.cast.to, DT_FLOAT);
    CHECK_INT(node(g, "gather")->attr.axis, 0);
    CHECK_INT(node(g, "concat")->attr.axis, 0);
    CHECK_INT(node(g, "concat")->n_in, 2);
    const PermAttr *p = &node(g, "transpose")->attr.perm;
    CHECK_INT(p->n_perm, 4);
    CHECK_INT(p->perm[1], 2);
    CHECK(node(g, "reshape")->attr.reshape.allowzero);
    CHECK_INT(node(g, "reshape")->n_in, 2);     /* the shape stays an input */
    /* An unnamed node is named "<Op>_<index>" (the twelfth node here). */
    CHECK_INT(node(g, "Relu_11")->op, OP_RELU);
    CHECK_INT(g->opset, 15);
    graph_free(g);

    EXPECT_ERRORS("batchnorm_training", "node 'bn' (BatchNormalization)",
                  "training mode averages over the batch, so the batch size must be fixed");
    /* With a fixed batch, training mode becomes ops vggc runs: the batch's
     * mean and variance feed an inference BatchNormalization, and the
     * running statistics are momentum-weighted sums (the numbers are checked
     * against ONNX's own in the conformance cases). */
    g = load_and_infer("batchnorm_training_fixed");
    if (g) {
        const Node *bn = node(g, "bn");
        CHECK_INT(bn->n_out, 1);
        CHECK_INT(bn->n_in, 5);
        CHECK_INT(node(g, "bn/batch_mean_k")->op, OP_REDUCE_MEAN);
        CHECK_INT(node(g, "bn/batch_mean_k")->attr.axes.n_axes, 3);     /* 0, 2, 3 */
        CHECK_INT(node(g, "bn/batch_var")->op, OP_SQUEEZE);
        CHECK_INT(bn->in[4], node(g, "bn/batch_var")->out[0]);
        CHECK_INT(node(g, "bn/running_mean")->op, OP_ADD);
        CHECK(strcmp(g->values[node(g, "bn/running_var")->out[0]].name, "rv") == 0);
        CHECK_INT(g->n_outputs, 3);
        graph_free(g);
    }
    EXPECT_ERRORS("cast_uint16", "node 'cast' (Cast): Cast to UINT16 is not supported");
}

/* UINT8, INT8, DOUBLE, FLOAT16, BFLOAT16: typed fields decoded, types inferred. */
static void test_dtypes(void)
{
    Graph *g = load_and_infer("dtypes");
    if (g) {
        const Value *i8 = value(g, "c_i8"), *f16 = value(g, "c_f16"), *bf = value(g, "c_bf16");
        const Value *f64 = value(g, "c_f64");
        CHECK_INT(i8->dtype, DT_INT8);
        CHECK_INT(i8->nbytes, 3);
        CHECK_INT(((const int8_t *)i8->data)[0], -128);
        CHECK_INT(((const int8_t *)i8->data)[1], -1);
        CHECK_INT(((const int8_t *)i8->data)[2], 127);
        uint16_t h[2], b;
        memcpy(h, f16->data, 4);
        memcpy(&b, bf->data, 2);
        CHECK_INT(f16->dtype, DT_FLOAT16);
        CHECK_INT(h[0], 0x3c00);
        CHECK_INT(h[1], 0xfc00);
        CHECK_INT(bf->dtype, DT_BFLOAT16);
        CHECK_INT(b, 0x3f80);
        double d[2];
        memcpy(d, f64->data, 16);
        CHECK_INT(f64->dtype, DT_DOUBLE);
        CHECK(d[0] == 0.1 && d[1] == -2.0);
        CHECK_INT(value(g, "u")->dtype, DT_UINT8);
        CHECK(graph_infer_shapes(g));
        CHECK_INT(value(g, "y_u8")->dtype, DT_UINT8);
        CHECK_INT(value(g, "y_f16")->dtype, DT_FLOAT16);
        CHECK_INT(value(g, "y_bf16")->dtype, DT_BFLOAT16);
        CHECK_INT(value(g, "y_f64")->dtype, DT_DOUBLE);
        graph_free(g);
    }
    /* Imported, then refused by shape inference. */
    EXPECT_INFER_ERRORS("add_f16", "node 'add' (Add): input 0 (A 'h'): Add of f16 is not "
                                   "supported (f32, i64, u8, i8, f64 are)");
}

/* ---- graph-level problems ---------------------------------------------------------- */

static void test_graph_errors(void)
{
    EXPECT_ERRORS("unknown_op",
                  "unknown_op.onnx: node 'foo': unsupported operator 'Foo' (opset 13)",
                  "unsupported operator 'Bar'");
    /* Both unknown ops reported, and not the Relu between them. */
    CHECK(strstr(diag, "'relu'") == NULL);
    EXPECT_ERRORS("missing_input", "node 'relu' (Relu): input 'nope' is not produced by any "
                  "earlier node, graph input or initializer");
    EXPECT_ERRORS("custom_domain", "node 'fc'", "'FusedConv'", "domain 'com.microsoft'");
    EXPECT_ERRORS("nested_graph", "node 'if'", "nested graphs are not supported");
    EXPECT_ERRORS("duplicate_output", "node 'r2' (Sigmoid): output 'y' is already defined");
    EXPECT_ERRORS("output_not_produced", "graph output 'ghost' is not produced");
    EXPECT_ERRORS("symbolic_dim", "input 'x' dimension 2 is symbolic ('H'); only the leading "
                  "batch dimension may be");
    EXPECT_ERRORS("bad_initializers",
                  "initializer 'short': shape [2,3] of FLOAT needs 24 bytes; raw_data has 20",
                  "initializer 'negdim': dimension 1 is -3",
                  "initializer 'u16': data type UINT16 is not supported");
    EXPECT_ERRORS("opset0", "opset 0 is not supported");
    EXPECT_ERRORS("opset22", "opset 22 is not supported");
    EXPECT_ERRORS("opset5_add", "node 'add' (Add): Add before opset 6");
    EXPECT_ERRORS("opset6_bn_training", "node 'bn' (BatchNormalization): training mode (is_test=0)");

    /* Legacy broadcasting becomes an Unsqueeze of B to [3,4,1]. */
    Graph *g = load_and_infer("opset6_broadcast");
    if (g) {
        const Node *u = node(g, "add/legacy_broadcast");
        CHECK_INT(u->op, OP_UNSQUEEZE);
        CHECK_INT(u->attr.axes.n_axes, 1);
        CHECK_INT(u->attr.axes.axes[0], 2);
        CHECK_INT(node(g, "add")->in[1], u->out[0]);
        graph_free(g);
    }
    g = load_and_infer("opset5_relu");
    if (g) {
        CHECK_INT(node(g, "r")->op, OP_RELU);
        graph_free(g);
    }

    g = load_and_infer("unused_u16");   /* unused: skipped, even when listed as input */
    if (g) {
        CHECK_INT(graph_find_value(g, "u16"), VGGC_NONE);
        CHECK_INT(g->n_inputs, 1);
        graph_free(g);
    }
}

static void test_batch(void)
{
    Graph *g = load_and_infer("batch");
    if (g) {
        CHECK(SHAPE_IS(value(g, "x"), VGGC_DIM_N, 3, 8, 8));
        /* dim_value 0 is a zero-size dim (ONNX Runtime's reading), even leading. */
        CHECK(SHAPE_IS(value(g, "z"), 0, 5));
        CHECK_INT(value(g, "z")->dtype, DT_INT64);
        CHECK_INT(value(g, "x")->kind, VAL_INPUT);
        CHECK_INT(g->n_inputs, 2);
        graph_free(g);
    }
    ImportOptions opt = {.batch = 4};
    g = import_path(case_path("batch"), &opt);
    if (CHECK(g != NULL)) {
        CHECK(SHAPE_IS(value(g, "x"), 4, 3, 8, 8));
        graph_free(g);
    }
}

/* ---- external data -------------------------------------------------------------------- */

static void test_external(void)
{
    Graph *g = load_and_infer("ext_ok");
    if (g) {
        const Value *w = value(g, "w");
        CHECK(SHAPE_IS(w, 2, 3));
        CHECK_FLOAT(f32_at(w, 0), 0);
        CHECK_FLOAT(f32_at(w, 5), 2.5);
        CHECK_FLOAT(f32_at(value(g, "w_alias"), 5), 2.5);   /* a symlink inside the folder */
        CHECK_INT(i64_at(value(g, "b"), 2), 9);             /* no offset/length: whole file */
        graph_free(g);
    }
    EXPECT_ERRORS("ext_dotdot", "initializer 'w'", "'../outside.bin' leaves the model's folder");
    EXPECT_ERRORS("ext_dotdot_inner", "leaves the model's folder");
    EXPECT_ERRORS("ext_absolute", "initializer 'w'", "is an absolute path");
    EXPECT_ERRORS("ext_symlink", "initializer 'w'", "'link.bin' resolves to",
                  "outside the model's folder");
    EXPECT_ERRORS("ext_eof", "offset 8 + length 24 runs past the end of 'w.bin' (24 bytes)");
    EXPECT_ERRORS("ext_offset_overflow", "past the end of 'w.bin'");
    EXPECT_ERRORS("ext_missing", "cannot open external data file 'nothere.bin'");
    EXPECT_ERRORS("ext_fifo", "external data file 'fifo.bin' is not a regular file");

    /* From memory without a folder, external data is refused. */
    current = "ext_ok from memory";
    FILE *f = fopen(case_path("ext_ok"), "rb");
    static unsigned char buf[1 << 16];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    Graph *m = import_mem(buf, n, NULL, NULL);
    CHECK(m == NULL);
    CHECK(strstr(diag, "mem.onnx: initializer 'w': external data ('weights.bin') is not allowed "
                       "here") != NULL);
    graph_free(m);
}

/* ---- bytes that are not a model ----------------------------------------------------------- */

/* Prepends a length-delimited field (tag, length) to buf[pos..end). */
static size_t prepend_field(unsigned char *buf, size_t pos, size_t end, unsigned field)
{
    size_t n = end - pos;
    unsigned char v[10];
    int k = 0;
    do {
        v[k++] = (unsigned char)((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
        n >>= 7;
    } while (n);
    pos -= (size_t)k;
    memcpy(buf + pos, v, (size_t)k);
    buf[--pos] = (unsigned char)(field << 3 | 2);
    return pos;
}

static void test_bad_bytes(void)
{
    current = "bad bytes";
    Graph *g = import_mem("", 0, NULL, NULL);
    CHECK(g == NULL && strstr(diag, "mem.onnx: the file is empty") != NULL);

    const unsigned char junk[] = {0xde, 0xad, 0xbe, 0xef, 0xff, 0xff};
    g = import_mem(junk, sizeof junk, NULL, NULL);
    CHECK(g == NULL);
    CHECK(strstr(diag, "not a valid ONNX model") != NULL);
    CHECK(strstr(diag, "6 bytes, starts with DE AD BE EF") != NULL);

    /* A model whose nodes hold graphs holding nodes, 100000 deep: protobuf-c
     * alone would recurse until the stack runs out. */
    enum { DEPTH = 100000 };
    size_t cap = (size_t)DEPTH * 3 * 6 + 16, end = cap, pos = cap;
    unsigned char *deep = malloc(cap);
    for (int i = 0; i < DEPTH; i++) {
        pos = prepend_field(deep, pos, end, 6);    /* AttributeProto.g */
        pos = prepend_field(deep, pos, end, 5);    /* NodeProto.attribute */
        pos = prepend_field(deep, pos, end, 1);    /* GraphProto.node */
    }
    pos = prepend_field(deep, pos, end, 7);        /* ModelProto.graph */
    g = import_mem(deep + pos, end - pos, NULL, NULL);
    CHECK(g == NULL);
    CHECK(strstr(diag, "nested more than 100 deep") != NULL);
    free(deep);

    /* Truncated: every prefix of a real model is refused or read, never a crash. */
    FILE *f = fopen(case_path("misc_attrs"), "rb");
    static unsigned char buf[1 << 16];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    CHECK(n > 100);
    int refused = 0;
    for (size_t len = 1; len < n; len += 7) {
        g = import_mem(buf, len, NULL, NULL);
        refused += g == NULL;
        graph_free(g);
    }
    CHECK(refused > 0);

    ImportOptions small = {.max_bytes = 64};
    g = import_path(case_path("misc_attrs"), &small);
    CHECK(g == NULL && strstr(diag, "larger than the limit of 64 bytes") != NULL);
    g = import_path("/nonexistent/model.onnx", NULL);
    CHECK(g == NULL && strstr(diag, "vggc: error: /nonexistent/model.onnx: cannot open") != NULL);
}

/* ---- TensorProto files -------------------------------------------------------------------- */

static void test_tensor_pb(void)
{
    current = "tensor pb";
    char err[512], path[4096];
    float data[6] = {1, -2, 3.5f, 0, 1e-3f, 7};
    vggrt_tensor t = {.dtype = VGGRT_F32, .rank = 2, .dims = {2, 3}, .data = data,
                      .nbytes = sizeof data};
    snprintf(path, sizeof path, "%s/roundtrip.pb", cases_dir);
    CHECK(onnx_write_tensor_pb(path, &t, err, sizeof err));
    vggrt_tensor r;
    if (CHECK(onnx_read_tensor_pb(path, &r, err, sizeof err))) {
        CHECK_INT(r.dtype, VGGRT_F32);
        CHECK_INT(r.rank, 2);
        CHECK_INT(r.dims[1], 3);
        CHECK_INT(r.nbytes, sizeof data);
        CHECK(memcmp(r.data, data, sizeof data) == 0);
        vggrt_tensor_free(&r);
    } else {
        printf("  %s\n", err);
    }
    int64_t idx[3] = {-1, 0, 1LL << 50};
    vggrt_tensor ti = {.dtype = VGGRT_I64, .rank = 1, .dims = {3}, .data = idx,
                       .nbytes = sizeof idx};
    CHECK(onnx_write_tensor_pb(path, &ti, err, sizeof err));
    if (CHECK(onnx_read_tensor_pb(path, &r, err, sizeof err))) {
        CHECK_INT(r.dtype, VGGRT_I64);
        CHECK(memcmp(r.data, idx, sizeof idx) == 0);
        vggrt_tensor_free(&r);
    }
    snprintf(path, sizeof path, "%s/typed_tensor.pb", cases_dir);
    if (CHECK(onnx_read_tensor_pb(path, &r, err, sizeof err))) {
        float x;
        memcpy(&x, (char *)r.data + 4, 4);
        CHECK_FLOAT(x, -2);
        vggrt_tensor_free(&r);
    }
    t.nbytes = 5;                   /* inconsistent with the shape */
    CHECK(!onnx_write_tensor_pb(path, &t, err, sizeof err));
    snprintf(path, sizeof path, "%s/windows.onnx", cases_dir);
    CHECK(!onnx_read_tensor_pb(path, &r, err, sizeof err) && strstr(err, "windows.onnx"));
    CHECK(r.data == NULL);

    if (testdata_dir) {
        snprintf(path, sizeof path, "%s/node/test_conv_with_strides_padding/test_data_set_0/"
                 "input_0.pb", testdata_dir);
        if (access(path, R_OK) == 0 && CHECK(onnx_read_tensor_pb(path, &r, err, sizeof err))) {
            CHECK_INT(r.dtype, VGGRT_F32);
            CHECK_INT(r.rank, 4);
            CHECK_INT(r.dims[3], 5);
            CHECK_INT(r.dims[2], 7);
            CHECK_INT(r.nbytes, 35 * 4);
            vggrt_tensor_free(&r);
        }
    }
}

/* ---- mutations: anything goes in, a graph or diagnostics come out -------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static void test_mutations(void)
{
    static const char *const files[] = {
        "encodings", "constants", "windows", "conv_transpose", "misc_attrs", "pad_opset13",
        "pad_opset18_axes",
        "reduce_mean_opset18", "squeeze_opset13", "clip_opset13", "dropout_opset13", "ext_ok",
        "bad_initializers", "nested_graph", "raw_twice", "raw_twice_nested",
    };
    current = "mutations";
    static unsigned char orig[1 << 16], buf[1 << 16];
    int accepted = 0, total = 0;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/ext_ok", cases_dir);
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        FILE *f = fopen(case_path(files[k]), "rb");
        size_t n = f ? fread(orig, 1, sizeof orig, f) : 0;
        if (f)
            fclose(f);
        if (!CHECK(n > 0))
            continue;
        for (int iter = 0; iter < 400; iter++) {
            memcpy(buf, orig, n);
            size_t len = n;
            int edits = 1 + (int)(next_rand() % 4);
            for (int e = 0; e < edits; e++) {
                size_t at = next_rand() % len;
                switch (next_rand() % 4) {
                case 0: buf[at] ^= (unsigned char)(1u << (next_rand() % 8)); break;
                case 1: buf[at] = (unsigned char)next_rand(); break;
                case 2: buf[at] = (unsigned char)(next_rand() % 2 ? 0xff : 0x00); break;
                case 3: len = at + 1; break;
                }
            }
            /* Every other one with each raw_data taken out before unpacking. */
            ImportOptions io = {.span_min = iter % 2 ? 1 : 0};
            Graph *g = import_mem(buf, len, dir, &io);
            accepted += g != NULL;
            total++;
            graph_free(g);
        }
    }
    printf("mutations: %d of %d imported, the rest refused with diagnostics\n", accepted, total);
    CHECK(total > 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_frontend CASES_DIR [ONNX_TESTDATA_DIR]\n");
        return 2;
    }
    cases_dir = argv[1];
    testdata_dir = argc > 2 ? argv[2] : NULL;
    test_encodings();
    test_input_is_initializer();
    test_constants();
    test_raw_twice();
    test_dtypes();
    test_softmax();
    test_clip();
    test_pad();
    test_reduce_mean();
    test_squeeze();
    test_bind();
    test_prelu_legacy();
    test_dropout();
    test_windows();
    test_conv_transpose();
    test_layer_norm();
    test_resize();
    test_misc_attrs();
    test_graph_errors();
    test_batch();
    test_zero_size();
    test_external();
    test_bad_bytes();
    test_tensor_pb();
    test_mutations();
    printf("%d checks, %d failed\n", n_checks, n_failed);
    return n_failed ? 1 : 0;
}
