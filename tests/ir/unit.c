/* unit.c — IR tests that the text cases cannot express.
 *
 * The golden cases (the .vir files in cases/) cover each op's inference and errors as
 * text.  What is left needs the C API: attribute values no frontend should
 * produce but a hostile model might (INT64_MAX kernels, out-of-range enum
 * values, counts past the arrays), graphs broken in ways the parser refuses
 * to build (two producers, dead producers, bad ids) for the verifier, the
 * printer's exact formatting, the parser against garbage, and the arena's
 * big blocks.
 *
 *   ir_unit shape | verify | print | parse | arena
 *
 * Each group is one ctest (ir.shape, ...).  A failed check prints the
 * expression and both values; the exit status is the number of failures.
 */
#include "harness.h"

#include <math.h>

/* ---- building graphs ---------------------------------------------------------- */

#define SHAPE(...) make_shape((int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t)), \
                              (int64_t[]){__VA_ARGS__})

static Shape make_shape(int rank, const int64_t *d)
{
    Shape s = {.rank = rank};
    memcpy(s.d, d, sizeof(int64_t) * (size_t)rank);
    return s;
}

static Graph *mk(void)
{
    Graph *g = graph_new("unit.onnx");
    g->opset = 13;
    return g;
}

static uint32_t add_input(Graph *g, const char *name, DType dt, Shape s)
{
    uint32_t v = graph_add_value(g, name, VAL_INPUT, dt);
    g->values[v].shape = s;
    g->values[v].has_shape = true;
    graph_add_input(g, v);
    return v;
}

/* A zero-filled constant of the given shape. */
static uint32_t add_zeros(Graph *g, const char *name, DType dt, Shape s)
{
    size_t n = 1;
    for (int i = 0; i < s.rank; i++)
        n *= (size_t)s.d[i];
    void *data = calloc(n ? n : 1, dtype_size(dt));
    uint32_t v = graph_add_const(g, name, dt, &s, data, n * dtype_size(dt));
    free(data);
    return v;
}

static uint32_t add_i64(Graph *g, const char *name, int n, const int64_t *vals)
{
    Shape s = {.rank = 1, .d = {n}};
    return graph_add_const(g, name, DT_INT64, &s, vals, sizeof(int64_t) * (size_t)n);
}

/* A node with one fresh output named after the node; returns the node id. */
static uint32_t add_node(Graph *g, OpKind op, const char *name, uint32_t n_in, const uint32_t *in)
{
    uint32_t out = graph_add_value(g, name, VAL_TEMP, DT_UNDEF);
    return graph_add_node(g, op, name, n_in, in, 1, &out);
}

static Node *node(Graph *g, uint32_t id) { return &g->nodes[id]; }

static bool same(Shape a, Shape b) { return shape_equal(&a, &b); }

static WindowAttr win2(int64_t k)
{
    WindowAttr w = {.nsp = 2, .kernel = {k, k}, .stride = {1, 1}, .dilation = {1, 1},
                    .group = 1, .has_kernel = true};
    return w;
}

/* Runs shape inference with stderr captured; returns what was written. */
static char *infer_capture(Graph *g, bool *ok)
{
    capture_begin();
    *ok = graph_infer_shapes(g);
    return capture_end();
}

#define EXPECT_INFER_ERROR(g, substring)                                          \
    do {                                                                          \
        bool ok_;                                                                 \
        char *err_ = infer_capture((g), &ok_);                                    \
        CHECK(!ok_);                                                              \
        CHECK_CONTAINS(err_, (substring));                                        \
        free(err_);                                                               \
    } while (0)

#define EXPECT_INFER_OK(g)                                                        \
    do {                                                                          \
        bool ok_;                                                                 \
        char *err_ = infer_capture((g), &ok_);                                    \
        CHECK(ok_);                                                               \
        CHECK_STR(err_, "");                                                      \
        free(err_);                                                               \
    } while (0)

static Shape out_shape(Graph *g, uint32_t nid) { return g->values[g->nodes[nid].out[0]].shape; }

/* ---- shape -------------------------------------------------------------------------- */

/* Conv with a hostile attribute: each variant must be a message, never an
 * overflow (UBSan checks) or a crash. */
static void test_conv_hostile(void)
{
    static const struct { int variant; const char *want; } cases[] = {
        {0, "kernelH 9223372036854775807 is out of range"},
        {1, "strideW 9223372036854775807 is out of range"},
        {2, "dilated kernelH (3-1)*1099511627776+1 is too large"},
        {3, "pad top -9223372036854775808 is out of range"},
        {4, "group 9223372036854775807 is out of range"},
        {5, "window has 4 spatial dims; vggc supports 1, 2 and 3"},
        {6, "window has 0 spatial dims"},
        {7, "auto_pad has the invalid value 7"},
        {8, "kernel_shape [9223372036854775807,3] does not match"},
        {9, "pad right 1099511627777 is out of range"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Graph *g = mk();
        uint32_t in[2] = {add_input(g, "x", DT_FLOAT, SHAPE(VGGC_DIM_N, 3, 8, 8)),
                          add_zeros(g, "w", DT_FLOAT, SHAPE(4, 3, 3, 3))};
        uint32_t c = add_node(g, OP_CONV, "conv", 2, in);
        WindowAttr *w = &node(g, c)->attr.win;
        *w = win2(3);
        switch (cases[i].variant) {
        case 0: w->has_kernel = false; w->kernel[0] = INT64_MAX; break;  /* ignored: from weight */
        case 1: w->stride[1] = INT64_MAX; break;
        case 2: w->dilation[0] = VGGC_MAX_DIM; break;
        case 3: w->pad[0] = INT64_MIN; break;
        case 4: w->group = INT64_MAX; break;
        case 5: w->nsp = 4; break;
        case 6: w->nsp = 0; break;
        case 7: w->auto_pad = (AutoPad)7; break;
        case 8: w->kernel[0] = INT64_MAX; break;
        case 9: w->pad[3] = VGGC_MAX_DIM + 1; break;
        }
        if (cases[i].variant == 0) {
            /* Without kernel_shape the weight decides: no error at all. */
            EXPECT_INFER_OK(g);
            CHECK(node(g, c)->attr.win.has_kernel);
            CHECK_INT(node(g, c)->attr.win.kernel[0], 3);
        } else {
            EXPECT_INFER_ERROR(g, cases[i].want);
            CHECK(!g->values[node(g, c)->out[0]].has_shape);
        }
        graph_free(g);
    }
}

/* A frontend-built 1-D Conv and MaxPool: nsp 1, H slot neutral. */
static void test_window_1d_api(void)
{
    Graph *g = mk();
    uint32_t in[2] = {add_input(g, "x", DT_FLOAT, SHAPE(VGGC_DIM_N, 3, 100)),
                      add_zeros(g, "w", DT_FLOAT, SHAPE(8, 3, 5))};
    uint32_t c = add_node(g, OP_CONV, "conv", 2, in);
    WindowAttr w = {.nsp = 1, .kernel = {1, 0}, .stride = {1, 2}, .dilation = {1, 1},
                    .pad = {0, 2, 0, 2}, .group = 1};
    node(g, c)->attr.win = w;
    uint32_t pin = node(g, c)->out[0];
    uint32_t p = add_node(g, OP_MAXPOOL, "pool", 1, &pin);
    WindowAttr pw = {.nsp = 1, .kernel = {1, 3}, .stride = {1, 3}, .dilation = {1, 1},
                     .has_kernel = true, .ceil_mode = true};
    node(g, p)->attr.win = pw;
    EXPECT_INFER_OK(g);
    /* conv: (100 + 4 - 5) / 2 + 1 = 50; pool: ceil((50 - 3) / 3) + 1 = 17. */
    Shape s = out_shape(g, c);
    CHECK(same(s, SHAPE(VGGC_DIM_N, 8, 50)));
    CHECK_INT(node(g, c)->attr.win.kernel[1], 5);
    CHECK_INT(node(g, c)->attr.win.kernel[0], 1);
    s = out_shape(g, p);
    CHECK(same(s, SHAPE(VGGC_DIM_N, 8, 17)));
    graph_free(g);

    /* A 1-D window whose H slot is not neutral is refused. */
    g = mk();
    uint32_t in2[2] = {add_input(g, "x", DT_FLOAT, SHAPE(VGGC_DIM_N, 3, 100)),
                       add_zeros(g, "w", DT_FLOAT, SHAPE(8, 3, 5))};
    c = add_node(g, OP_CONV, "conv", 2, in2);
    node(g, c)->attr.win = w;
    node(g, c)->attr.win.stride[0] = 2;
    EXPECT_INFER_ERROR(g, "1-D window with a non-neutral H entry (kernel[0]=1 stride[0]=2 "
                          "dilation[0]=1 pads top/bottom 0/0): expected 1, 1, 1, 0/0");
    graph_free(g);
}

/* Counts and values past the attribute arrays. */
static void test_hostile_attrs(void)
{
    for (int variant = 0; variant < 14; variant++) {
        Graph *g = mk();
        uint32_t x = add_input(g, "x", DT_FLOAT, SHAPE(2, 3, 4));
        uint32_t n = 0;
        const char *want = NULL;
        switch (variant) {
        case 0:
            n = add_node(g, OP_TRANSPOSE, "t", 1, &x);
            node(g, n)->attr.perm.n_perm = -3;
            want = "perm has -3 entries";
            break;
        case 1:
            n = add_node(g, OP_TRANSPOSE, "t", 1, &x);
            node(g, n)->attr.perm.n_perm = 100;
            want = "perm has 100 entries";
            break;
        case 2:
            n = add_node(g, OP_SQUEEZE, "s", 1, &x);
            node(g, n)->attr.axes.n_axes = 100;
            want = "axes: 100 entries, at most 8 allowed";
            break;
        case 3:
            n = add_node(g, OP_REDUCE_MEAN, "r", 1, &x);
            node(g, n)->attr.axes.n_axes = -1;
            want = "axes: -1 entries";
            break;
        case 4:
            n = add_node(g, OP_UNSQUEEZE, "u", 1, &x);
            node(g, n)->attr.axes.n_axes = 7;
            want = "output rank 10 exceeds 8";
            break;
        case 5:
            n = add_node(g, OP_PAD, "p", 1, &x);
            node(g, n)->attr.pad.pads[15] = 1;
            want = "pads has a nonzero entry 15 (1) past 2*rank = 6";
            break;
        case 6:
            n = add_node(g, OP_PAD, "p", 1, &x);
            node(g, n)->attr.pad.pads[1] = INT64_MAX;
            want = "pads for dim 1 (9223372036854775807, 0) are out of range";
            break;
        case 7:
            n = add_node(g, OP_CAST, "c", 1, &x);
            node(g, n)->attr.cast.to = (DType)99;
            want = "'to' is not a dtype vggc supports (99)";
            break;
        case 8:
            n = add_node(g, OP_SOFTMAX, "s", 1, &x);
            node(g, n)->attr.softmax.axis = INT64_MIN;
            want = "axis -9223372036854775808 is out of range [-3, 2]";
            break;
        case 9:
            n = add_node(g, OP_FLATTEN, "f", 1, &x);
            node(g, n)->attr.axis = INT64_MAX;
            want = "axis 9223372036854775807 is out of range [-3, 3]";
            break;
        case 10:
            n = add_node(g, OP_LRN, "l", 1, &x);
            node(g, n)->attr.lrn.size = INT64_MAX;
            want = "size 9223372036854775807 is out of range";
            break;
        case 11: {
            n = add_node(g, OP_SHAPE, "s", 1, &x);
            node(g, n)->attr.shape.start = INT64_MIN;
            node(g, n)->attr.shape.end = INT64_MAX;
            node(g, n)->attr.shape.has_end = true;
            want = NULL;    /* clamps to [0, 3] */
            break;
        }
        case 12: {
            uint32_t in[2] = {x, add_i64(g, "idx", 1, (int64_t[]){INT64_MIN + 1})};
            n = add_node(g, OP_GATHER, "gather", 2, in);
            node(g, n)->attr.axis = 1;
            want = "index -9223372036854775807 at position 0 is out of range [-3, 2]";
            break;
        }
        case 13: {
            WindowAttr w = win2(2);
            uint32_t x4 = add_input(g, "x4", DT_FLOAT, SHAPE(1, 1, 4, 4));
            n = add_node(g, OP_AVGPOOL, "pool", 1, &x4);
            w.pad[2] = INT64_MAX;
            node(g, n)->attr.win = w;
            want = "pad bottom 9223372036854775807 is out of range";
            break;
        }
        }
        if (want) {
            EXPECT_INFER_ERROR(g, want);
        } else {
            EXPECT_INFER_OK(g);
            Shape s = out_shape(g, n);
            CHECK(same(s, SHAPE(3)));
            CHECK_INT(node(g, n)->attr.shape.start, 0);
            CHECK_INT(node(g, n)->attr.shape.end, 3);
        }
        graph_free(g);
    }
}

/* Shapes at the edge of VGGC_MAX_DIM: products are checked. */
static void test_size_overflow(void)
{
    const int64_t M = VGGC_MAX_DIM;
    Graph *g = mk();
    uint32_t big = add_input(g, "big", DT_FLOAT, SHAPE(M, M));
    uint32_t n1 = add_node(g, OP_FLATTEN, "flatten", 1, &big);
    node(g, n1)->attr.axis = 0;
    uint32_t n2 = add_node(g, OP_RELU, "relu", 1, &big);
    uint32_t in3[2] = {big, big};
    uint32_t n3 = add_node(g, OP_CONCAT, "concat", 2, in3);
    uint32_t n4 = add_node(g, OP_PAD, "pad", 1, &big);
    node(g, n4)->attr.pad.pads[0] = 1;
    uint32_t in5[2] = {big, add_i64(g, "shape", 1, (int64_t[]){-1})};
    uint32_t n5 = add_node(g, OP_RESHAPE, "reshape", 2, in5);
    bool ok;
    char *err = infer_capture(g, &ok);
    CHECK(!ok);
    CHECK_CONTAINS(err, "node 'flatten' (Flatten): output dim 1 exceeds 1099511627776");
    CHECK_CONTAINS(err, "node 'relu' (Relu): output 0 would be [1099511627776,1099511627776]: too many elements");
    CHECK_CONTAINS(err, "node 'concat' (Concat): the concatenated axis exceeds 1099511627776");
    CHECK_CONTAINS(err, "node 'pad' (Pad): output 0 would be [1099511627777,1099511627776]: dim 0 is out of range");
    CHECK_CONTAINS(err, "node 'reshape' (Reshape): input has too many elements");
    (void)n1; (void)n2; (void)n3; (void)n5;
    free(err);
    graph_free(g);
}

/* Values and nodes the frontend should never make; inference reports them. */
static void test_bad_values(void)
{
    for (int variant = 0; variant < 9; variant++) {
        Graph *g = mk();
        uint32_t x = add_input(g, "x", DT_FLOAT, SHAPE(2, 3));
        uint32_t n = add_node(g, OP_RELU, "relu", 1, &x);
        const char *want = NULL;
        Value *v = &g->values[x];
        switch (variant) {
        case 0: v->shape.rank = 9; want = "input 0 (data 'x'): rank 9 is out of range [0, 8]"; break;
        case 1: v->shape.rank = -1; want = "rank -1 is out of range"; break;
        case 2: v->shape.d[1] = VGGC_DIM_N; want = "invalid shape [2,N] (dims in [0, 1099511627776], N only as dim 0)"; break;
        case 3: v->shape.d[0] = -7; want = "invalid shape [-7,3]"; break;
        case 4: v->dtype = (DType)42; want = "input 0 (data 'x') has no valid dtype"; break;
        case 5: node(g, n)->in[0] = 12345; want = "input 0: value id 12345 is out of range"; break;
        case 6: node(g, n)->out[0] = x; want = "output 0 ('x') is a graph input or constant"; break;
        case 7: node(g, n)->op = OP_CONSTANT; node(g, n)->n_in = 0;
            want = "Constant nodes must become constant values in the frontend"; break;
        case 8: node(g, n)->n_in = 2; want = "has 2 inputs and 1 outputs; expected 1..1 and 1..1"; break;
        }
        EXPECT_INFER_ERROR(g, want);
        graph_free(g);
    }

    /* A constant whose byte size does not match its shape, used as a Reshape shape. */
    Graph *g = mk();
    uint32_t in[2] = {add_input(g, "x", DT_FLOAT, SHAPE(2, 3)), add_i64(g, "s", 2, (int64_t[]){3, 2})};
    g->values[in[1]].nbytes = 8;
    add_node(g, OP_RESHAPE, "reshape", 2, in);
    EXPECT_INFER_ERROR(g, "input 1 (shape 's'): constant holds 8 bytes, expected 16");
    graph_free(g);

    /* A batched constant. */
    g = mk();
    uint32_t c = add_zeros(g, "c", DT_FLOAT, SHAPE(2));
    g->values[c].shape.d[0] = VGGC_DIM_N;
    add_node(g, OP_RELU, "relu", 1, &c);
    EXPECT_INFER_ERROR(g, "input 0 (data 'c'): a constant cannot have the batch dimension, got [N]");
    graph_free(g);

    /* Axes still given as an input (the frontend folds them). */
    g = mk();
    uint32_t in2[2] = {add_input(g, "x", DT_FLOAT, SHAPE(2, 1)), add_i64(g, "axes", 1, (int64_t[]){1})};
    uint32_t s = add_node(g, OP_SQUEEZE, "squeeze", 2, in2);
    node(g, s)->attr.axes.n_axes = 1;
    node(g, s)->attr.axes.axes[0] = 1;
    EXPECT_INFER_ERROR(g, "input 1 (axes 'axes'): expected it folded into the 'axes' attribute by the frontend");
    graph_free(g);

    /* A node whose first output is omitted. */
    g = mk();
    uint32_t x = add_input(g, "x", DT_FLOAT, SHAPE(2));
    uint32_t none = VGGC_NONE;
    graph_add_node(g, OP_RELU, "relu", 1, &x, 1, &none);
    EXPECT_INFER_ERROR(g, "output 0 is omitted");
    graph_free(g);
}

/* Inference twice gives the same graph; the resolved attributes are stable. */
static void test_idempotent(void)
{
    static const char text[] =
        "graph \"idem\" opset 13\n"
        "input %x : f32[N,3,9,9]\n"
        "const %w : f32[4,3,3,3] = zeros\n"
        "const %s : i64[2] = [N, -1]\n"
        "%a = Conv(%x, %w) stride=[2,2] auto_pad=SAME_LOWER\n"
        "%b = MaxPool(%a) kernel=[2,2] dilation=[2,2] stride=[2,2] auto_pad=SAME_UPPER ceil_mode=1\n"
        "%c = Transpose(%b)\n"
        "%d = Transpose(%c)\n"
        "%e = ReduceMean(%d) axes=[-1,-2]\n"
        "%f = Squeeze(%e) axes=[-1, 2]\n"
        "%g = Reshape(%f, %s)\n"
        "%h = Shape(%g) start=-1\n"
        "%i = Softmax(%g) axis=-1\n"
        "%k = Gather(%g, %h) axis=-1\n"
        "output %i\n"
        "output %k\n";
    Graph *g = graph_parse(text, "idem.vir");
    CHECK(g != NULL);
    if (!g)
        return;
    bool ok;
    char *err = infer_capture(g, &ok);
    CHECK_CONTAINS(err, "node 'Transpose_2' (Transpose): perm moves dim 3 of the batched input");
    free(err);
    graph_free(g);

    /* Without the batch-moving transposes, everything resolves, twice alike. */
    static const char text2[] =
        "graph \"idem\" opset 13\n"
        "input %x : f32[N,3,9,9]\n"
        "const %w : f32[4,3,3,3] = zeros\n"
        "const %s : i64[2] = [N, -1]\n"
        "%a = Conv(%x, %w) stride=[2,2] auto_pad=SAME_LOWER\n"
        "%b = MaxPool(%a) kernel=[2,2] dilation=[2,2] stride=[2,2] auto_pad=SAME_UPPER ceil_mode=1\n"
        "%e = ReduceMean(%b) axes=[-1,-2]\n"
        "%f = Squeeze(%e) axes=[-1, 2]\n"
        "%g = Reshape(%f, %s)\n"
        "%h = Shape(%g) start=-1\n"
        "%i = Softmax(%g) axis=-1\n"
        "%k = Gather(%g, %h) axis=-1\n"
        "output %i\n"
        "output %k\n";
    g = graph_parse(text2, "idem.vir");
    CHECK(g != NULL);
    if (!g)
        return;
    EXPECT_INFER_OK(g);
    char *once = print_to_string(g);
    EXPECT_INFER_OK(g);
    char *twice = print_to_string(g);
    CHECK_STR(twice, once);
    CHECK_CONTAINS(once, "%a : f32[N,4,5,5] = Conv(%x, %w) kernel=[3,3] stride=[2,2] pad=[1,1,1,1]");
    /* in 5, dk 3, stride 2, SAME: out 3, total (3-1)*2+3-5 = 2 -> 1/1. */
    CHECK_CONTAINS(once, "%b : f32[N,4,3,3] = MaxPool(%a) kernel=[2,2] stride=[2,2] pad=[1,1,1,1] dilation=[2,2] ceil_mode=1  @MaxPool_1");
    CHECK_CONTAINS(once, "ReduceMean(%b) axes=[2,3]");
    CHECK_CONTAINS(once, "Squeeze(%e) axes=[2,3]");
    CHECK_CONTAINS(once, "%h : i64[1] = Shape(%g) start=1 end=2");
    CHECK_CONTAINS(once, "Softmax(%g) axis=1");
    CHECK_CONTAINS(once, "%k : f32[N,1] = Gather(%g, %h) axis=1");
    CHECK(graph_verify(g, "test"));
    free(once);
    free(twice);

    /* node_infer_shape on one node, as a pass would after rewriting it. */
    Node *n = &g->nodes[0];
    n->attr.win.stride[0] = 1;
    n->attr.win.stride[1] = 1;
    n->attr.win.pad[0] = n->attr.win.pad[2] = 0;
    CHECK(node_infer_shape(g, n));
    Shape s = g->values[n->out[0]].shape;
    CHECK(same(s, SHAPE(VGGC_DIM_N, 4, 7, 9)));
    graph_free(g);
}

/* ---- verify ------------------------------------------------------------------------- */

/* A small valid graph: x -> Relu -> Sigmoid -> output. */
static Graph *valid_graph(uint32_t *relu, uint32_t *sig)
{
    Graph *g = mk();
    uint32_t x = add_input(g, "x", DT_FLOAT, SHAPE(VGGC_DIM_N, 4));
    *relu = add_node(g, OP_RELU, "relu", 1, &x);
    uint32_t r = g->nodes[*relu].out[0];
    *sig = add_node(g, OP_SIGMOID, "sig", 1, &r);
    graph_add_output(g, g->nodes[*sig].out[0]);
    bool ok;
    char *err = infer_capture(g, &ok);
    CHECK(ok);
    free(err);
    return g;
}

static char *verify_capture(Graph *g, bool *ok)
{
    capture_begin();
    *ok = graph_verify(g, "mypass");
    return capture_end();
}

#define EXPECT_VERIFY_ERROR(g, substring)                                         \
    do {                                                                          \
        bool ok_;                                                                 \
        char *err_ = verify_capture((g), &ok_);                                   \
        CHECK(!ok_);                                                              \
        CHECK_CONTAINS(err_, (substring));                                        \
        free(err_);                                                               \
    } while (0)

static void test_verify(void)
{
    uint32_t relu, sig;
    Graph *g = valid_graph(&relu, &sig);
    bool ok;
    char *err = verify_capture(g, &ok);
    CHECK(ok);
    CHECK_STR(err, "");
    free(err);
    graph_free(g);

    for (int variant = 0; variant < 17; variant++) {
        g = valid_graph(&relu, &sig);
        Node *r = &g->nodes[relu], *s = &g->nodes[sig];
        uint32_t rv = r->out[0];
        const char *want = NULL;
        switch (variant) {
        case 0:     /* a second live node writing relu's output */
            graph_add_node(g, OP_IDENTITY, "dup", 1, &g->inputs[0], 1, &rv);
            g->values[rv].producer = relu;
            want = "verifier (after mypass): value 'relu' is produced by 2 live nodes";
            break;
        case 1:
            g->values[rv].producer = sig;
            want = "node 'relu' (Relu): verifier (after mypass): output 0 ('relu') names node 1 as its producer, not this node (0)";
            break;
        case 2:
            r->op = OP_DEAD;
            want = "node 'sig' (Sigmoid): verifier (after mypass): input 0 reads 'relu', whose producer 'relu' is dead";
            break;
        case 3:
            s->n_in = 0;
            want = "node 'sig' (Sigmoid): verifier (after mypass): has 0 inputs; expected 1..1";
            break;
        case 4:
            s->in[0] = VGGC_NONE;
            want = "required input 0 is omitted";
            break;
        case 5:
            s->in[0] = 999;
            want = "input 0: value id 999 is out of range (3 values)";
            break;
        case 6:
            g->outputs[0] = 777;
            want = "graph output 0: value id 777 is out of range";
            break;
        case 7:
            g->inputs[0] = rv;
            want = "graph input 0 ('relu') is not a VAL_INPUT value";
            break;
        case 8: {
            uint32_t y = graph_add_value(g, "y", VAL_INPUT, DT_FLOAT);
            g->values[y].has_shape = true;
            g->values[y].shape = SHAPE(2);
            s->in[0] = y;
            want = "value 'y' is a VAL_INPUT but not a graph input";
            break;
        }
        case 9: {
            uint32_t c = add_zeros(g, "c", DT_FLOAT, SHAPE(4));
            g->values[c].nbytes = 12;
            s->in[0] = c;
            want = "constant 'c' f32 [4] holds 12 bytes, expected 16";
            break;
        }
        case 10:
            g->values[g->inputs[0]].name = "relu";
            want = "two live values are named 'relu'";
            break;
        case 11:
            r->op = (OpKind)(OP_COUNT + 1);  /* past the ops and OP_DEAD */
            want = "node 0 has the invalid op 83";
            _Static_assert(OP_COUNT + 1 == 83, "the message above names OP_COUNT + 1");
            break;
        case 12:
            g->values[rv].has_shape = false;
            want = "value 'relu' has no shape";
            break;
        case 13:
            g->values[rv].shape = SHAPE(4, VGGC_DIM_N);
            want = "value 'relu' [4,N] has the batch N in dim 1";
            break;
        case 14:
            g->values[rv].shape = SHAPE(VGGC_DIM_N, 0);
            want = "value 'relu' [N,0]: dim 1 is out of range [1, 1099511627776]";
            break;
        case 15:    /* sig's output listed but its producer removed */
            s->op = OP_DEAD;
            want = "graph output 'sig' is not produced by any live node";
            break;
        case 16: {  /* out of topological order */
            Node tmp = g->nodes[relu];
            g->nodes[relu] = g->nodes[sig];
            g->nodes[sig] = tmp;
            /* fix producers to the swapped positions */
            g->values[g->nodes[relu].out[0]].producer = relu;
            g->values[g->nodes[sig].out[0]].producer = sig;
            want = "node 'sig' (Sigmoid): verifier (after mypass): input 0 reads 'relu' before it is produced (by 'relu', node 1; this is node 0): not in topological order";
            break;
        }
        }
        EXPECT_VERIFY_ERROR(g, want);
        graph_free(g);
    }

    /* Dead nodes and unused values are fine; compacting keeps it valid. */
    g = valid_graph(&relu, &sig);
    uint32_t x = g->inputs[0];
    uint32_t extra = add_node(g, OP_RELU, "unused", 1, &x);
    g->nodes[extra].op = OP_DEAD;
    graph_replace_uses(g, g->nodes[relu].out[0], x);
    g->nodes[relu].op = OP_DEAD;
    err = verify_capture(g, &ok);
    CHECK(ok);
    CHECK_STR(err, "");
    free(err);
    graph_compact(g);
    CHECK_INT(g->n_nodes, 1);
    err = verify_capture(g, &ok);
    CHECK(ok);
    CHECK_STR(err, "");
    free(err);
    graph_free(g);
}

/* ---- print --------------------------------------------------------------------------- */

static char *print_const(DType dt, Shape s, const void *data, size_t nbytes, const char *name)
{
    Graph *g = mk();
    graph_add_const(g, name, dt, &s, data, nbytes);
    char *out = print_to_string(g);
    graph_free(g);
    return out;
}

static void test_print(void)
{
    /* Names: bare [A-Za-z0-9_.]+, everything else quoted with escapes. */
    static const struct { const char *name, *printed; } names[] = {
        {"features.0.weight", "%features.0.weight"},
        {"a-b", "%\"a-b\""},
        {"_", "%\"_\""},
        {"", "%\"\""},
        {"q\"uo\\te", "%\"q\\\"uo\\\\te\""},
        {"nl\nx\x7f", "%\"nl\\x0ax\\x7f\""},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        float one = 1;
        char *out = print_const(DT_FLOAT, SHAPE(1), &one, 4, names[i].name);
        char want[128];
        snprintf(want, sizeof want, "const %s : f32[1] = [1]\n", names[i].printed);
        CHECK_CONTAINS(out, want);
        free(out);
    }

    /* Floats: fewest digits that read back exactly. */
    float f[] = {0.1f, 1.0f / 3.0f, 1e-5f, -0.0f, 16777216.0f, 3.4028235e38f, -INFINITY, NAN, 1.5f};
    char *out = print_const(DT_FLOAT, SHAPE(9), f, sizeof f, "f");
    CHECK_CONTAINS(out, "= [0.1, 0.33333334, 1e-05, -0, 16777216, 3.4028235e+38, -inf, nan, 1.5]\n");
    free(out);

    /* 16 elements inline, 17 as count and hash (FNV-1a 64 of the bytes). */
    float v[17];
    for (int i = 0; i < 17; i++)
        v[i] = (float)i;
    out = print_const(DT_FLOAT, SHAPE(16), v, 64, "v16");
    CHECK_CONTAINS(out, "= [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]\n");
    free(out);
    out = print_const(DT_FLOAT, SHAPE(17), v, 68, "v17");
    CHECK_CONTAINS(out, "const %v17 : f32[17] = <17 x f32, hash b2fbe31f116c14fb>\n");
    free(out);
    float z[17] = {0};
    out = print_const(DT_FLOAT, SHAPE(17), z, 68, "z17");
    CHECK_CONTAINS(out, "<17 x f32, hash e7d16c6b24f5c8f5>");
    free(out);

    /* i64 with the batch marker, i32, bool, scalars. */
    int64_t iv[] = {VGGC_SYM_N, -1, 0};
    out = print_const(DT_INT64, SHAPE(3), iv, sizeof iv, "s");
    CHECK_CONTAINS(out, "const %s : i64[3] = [N, -1, 0]\n");
    free(out);
    uint8_t bv[] = {0, 1, 7};
    out = print_const(DT_BOOL, SHAPE(3), bv, 3, "b");
    CHECK_CONTAINS(out, "const %b : bool[3] = [0, 1, 1]\n");
    free(out);
    float sc = 2.5f;
    out = print_const(DT_FLOAT, (Shape){.rank = 0}, &sc, 4, "sc");
    CHECK_CONTAINS(out, "const %sc : f32[] = [2.5]\n");
    free(out);

    /* A broken graph prints without crashing, showing what is wrong. */
    Graph *g = mk();
    uint32_t x = add_input(g, "x", DT_FLOAT, SHAPE(2));
    uint32_t c = add_zeros(g, "c", DT_FLOAT, SHAPE(4));
    g->values[c].nbytes = 3;
    uint32_t n = add_node(g, OP_RELU, "relu", 1, &x);
    g->nodes[n].in[0] = 4242;
    g->values[g->nodes[n].out[0]].shape.rank = 12;
    g->values[g->nodes[n].out[0]].has_shape = true;
    g->values[g->nodes[n].out[0]].dtype = (DType)99;
    uint32_t n2 = add_node(g, OP_RELU, "weird", 1, &x);
    g->nodes[n2].op = (OpKind)99;
    graph_add_output(g, x);
    g->outputs[0] = 5000;
    out = print_to_string(g);
    CHECK_CONTAINS(out, "const %c : f32[4] = <bad data: 3 bytes>\n");
    CHECK_CONTAINS(out, "%relu : <bad dtype 99>[<bad rank 12>] = Relu(%<bad id 4242>)  @relu\n");
    CHECK_CONTAINS(out, "= <bad op 99>(%x)  @weird\n");
    CHECK_CONTAINS(out, "output %<bad id 5000>\n");
    free(out);
    graph_free(g);

    /* The whole header and a node, exactly. */
    g = mk();
    g->name = "vgg16_head";
    g->producer = "pytorch";
    x = add_input(g, "input", DT_FLOAT, SHAPE(VGGC_DIM_N, 3, 160, 160));
    uint32_t in[2] = {x, add_zeros(g, "features.0.weight", DT_FLOAT, SHAPE(64, 3, 3, 3))};
    n = add_node(g, OP_CONV, "/features/features.0/Conv", 2, in);
    g->nodes[n].attr.win = win2(3);
    g->nodes[n].attr.win.pad[0] = g->nodes[n].attr.win.pad[1] = 1;
    g->nodes[n].attr.win.pad[2] = g->nodes[n].attr.win.pad[3] = 1;
    graph_add_output(g, g->nodes[n].out[0]);
    bool ok;
    char *err = infer_capture(g, &ok);
    CHECK(ok);
    free(err);
    out = print_to_string(g);
    CHECK_STR(out,
              "graph \"vgg16_head\" opset 13 producer \"pytorch\"\n"
              "input %input : f32[N,3,160,160]\n"
              "const %features.0.weight : f32[64,3,3,3] = <1728 x f32, hash 988ca9561494bf25>\n"
              "%\"/features/features.0/Conv\" : f32[N,64,160,160] = Conv(%input, %features.0.weight) "
              "kernel=[3,3] stride=[1,1] pad=[1,1,1,1] dilation=[1,1] group=1  @\"/features/features.0/Conv\"\n"
              "output %\"/features/features.0/Conv\"\n");
    char *again = print_to_string(g);
    CHECK_STR(again, out);
    free(again);
    free(out);
    graph_free(g);
}

/* ---- parse ----------------------------------------------------------------------------- */

static Graph *parse_quiet(const char *text, char **err)
{
    capture_begin();
    Graph *g = graph_parse(text, "t.vir");
    char *e = capture_end();
    if (err)
        *err = e;
    else
        free(e);
    return g;
}

static void test_parse_fields(void)
{
    static const char text[] =
        "# a comment line\n"
        "graph \"g\" opset 11 producer \"p\"  # trailing comment\n"
        "\n"
        "input %x : f32[N,3,100]\n"
        "const %w : f32[8,3,5] = zeros\n"
        "const %s : i64[2] = [N, -1]\n"
        "%c = Conv(%x, %w) stride=[2] pad=[2,1] dilation=[3]  @conv\n"
        "%sm = Softmax(%c)\n"
        "%g = Gemm(%sm, %sm)\n"
        "%cl = Clip(%g)\n"
        "%l = LRN(%c) size=3\n"
        "%r = Reshape(%c, %s)\n"
        "output %cl\n"
        "output %r\n";
    char *err;
    Graph *g = parse_quiet(text, &err);
    CHECK(g != NULL);
    CHECK_STR(err, "");
    free(err);
    if (!g)
        return;
    CHECK_STR(g->name, "g");
    CHECK_INT(g->opset, 11);
    CHECK_STR(g->producer, "p");
    CHECK_INT(g->n_inputs, 1);
    CHECK_INT(g->n_outputs, 2);
    CHECK_STR(g->path, "t.vir");
    const WindowAttr *w = &g->nodes[0].attr.win;
    CHECK_INT(w->nsp, 1);
    CHECK(!w->has_kernel);
    CHECK_INT(w->kernel[0], 1);
    CHECK_INT(w->stride[0], 1);
    CHECK_INT(w->stride[1], 2);
    CHECK_INT(w->dilation[1], 3);
    CHECK_INT(w->pad[0], 0);
    CHECK_INT(w->pad[1], 2);
    CHECK_INT(w->pad[2], 0);
    CHECK_INT(w->pad[3], 1);
    CHECK_INT(w->group, 1);
    CHECK_STR(g->nodes[0].name, "conv");
    CHECK(g->nodes[1].attr.softmax.coerce_2d);           /* opset 11 default */
    CHECK_INT(g->nodes[1].attr.softmax.axis, 1);
    CHECK(g->nodes[2].attr.gemm.alpha == 1.0f && g->nodes[2].attr.gemm.beta == 1.0f);
    CHECK(!g->nodes[2].attr.gemm.trans_a && !g->nodes[2].attr.gemm.trans_b);
    CHECK(isinf(g->nodes[3].attr.clip.min) && g->nodes[3].attr.clip.min < 0);
    CHECK(isinf(g->nodes[3].attr.clip.max) && g->nodes[3].attr.clip.max > 0);
    CHECK(g->nodes[4].attr.lrn.alpha == 1e-4f && g->nodes[4].attr.lrn.beta == 0.75f &&
          g->nodes[4].attr.lrn.bias == 1.0f);
    CHECK_INT(g->nodes[4].attr.lrn.size, 3);
    uint32_t s = graph_find_value(g, "s");
    CHECK(s != VGGC_NONE && g->values[s].kind == VAL_CONST);
    CHECK_INT(((int64_t *)g->values[s].data)[0], VGGC_SYM_N);
    CHECK(g->values[g->outputs[0]].is_output);
    CHECK_INT(g->values[g->nodes[0].out[0]].producer, 0);
    CHECK(!g->values[g->nodes[0].out[0]].has_shape);
    graph_free(g);
}

static void test_parse_error_format(void)
{
    char *err;
    Graph *g = parse_quiet("graph \"g\" opset 13\n\tinput %x : f32[2] junk\n", &err);
    CHECK(g == NULL);
    CHECK_STR(err,
              "vggc: error: t.vir:2:20: expected end of line, got 'junk'\n"
              "  \tinput %x : f32[2] junk\n"
              "  \t                  ^\n");
    free(err);
}

/* Small deterministic PRNG (xorshift64*). */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

/* Random float bit patterns print and read back to the same bits. */
static void test_float_roundtrip(void)
{
    for (int iter = 0; iter < 500; iter++) {
        uint32_t bits[16];
        for (int i = 0; i < 16; i++) {
            bits[i] = (uint32_t)rnd();
            float x;
            memcpy(&x, &bits[i], 4);
            if (isnan(x))
                bits[i] = 0x7fc00000u;      /* printed NaNs read back as this one */
        }
        Graph *g = mk();
        Shape s16 = SHAPE(16);
        graph_add_const(g, "f", DT_FLOAT, &s16, bits, sizeof bits);
        graph_add_output(g, 0);
        char *text = print_to_string(g);
        Graph *g2 = parse_quiet(text, NULL);
        CHECK(g2 != NULL);
        if (g2) {
            uint32_t back[16];
            memcpy(back, g2->values[0].data, sizeof back);
            for (int i = 0; i < 16; i++)
                if (back[i] != bits[i]) {
                    fprintf(stderr, "float %08x read back as %08x from:\n%s", bits[i], back[i], text);
                    test_failures++;
                    break;
                }
        }
        graph_free(g);
        graph_free(g2);
        free(text);
    }
}

/* Truncations, byte substitutions and random garbage: a message or a
 * graph, never a crash (ASan/UBSan builds check the "never"). */
static void test_parse_garbage(void)
{
    static const char base[] =
        "graph \"fuzz\" opset 13 producer \"x\"\n"
        "input %\"in\\x41\" : f32[N,3,8,8]\n"
        "const %w : f32[4,3,3,3] = fill(-1.5e-3)\n"
        "const %s : i64[2] = [N, -1]\n"
        "const %t : bool[2] = [true, 0]\n"
        "%c : f32[N,4,8,8], _ = MaxPool(%\"inA\") kernel=[3,3] pad=[1,1,1,1] ceil_mode=1  @\"m\"\n"
        "%d = Conv(%c, %w, _) auto_pad=SAME_UPPER group=1 # note\n"
        "%e = Reshape(%d, %s) allowzero=0\n"
        "%f = Pad(%e) pads=[0,1,0,1] value=-inf\n"
        "output %f\n";
    static const char subst[] = " \"%@[]\n\\x0-=,()#_:<>N.eE+9";
    size_t len = strlen(base);
    char *buf = malloc(len + 1);
    int parsed = 0, refused = 0;
    capture_begin();
    for (size_t cut = 0; cut <= len; cut++) {
        memcpy(buf, base, cut);
        buf[cut] = 0;
        Graph *g = graph_parse(buf, "fuzz");
        parsed += g != NULL;
        refused += g == NULL;
        graph_free(g);
    }
    for (size_t pos = 0; pos < len; pos++)
        for (const char *c = subst; *c; c++) {
            memcpy(buf, base, len + 1);
            buf[pos] = *c;
            Graph *g = graph_parse(buf, "fuzz");
            if (g) {
                /* Whatever parsed must print and infer without crashing. */
                char *out = print_to_string(g);
                free(out);
                graph_infer_shapes(g);
                graph_verify(g, "fuzz");
            }
            parsed += g != NULL;
            refused += g == NULL;
            graph_free(g);
        }
    for (int iter = 0; iter < 3000; iter++) {
        char junk[256];
        size_t n = rnd() % sizeof junk;
        for (size_t i = 0; i < n; i++) {
            /* Mostly grammar bytes so parses get somewhere. */
            static const char alpha[] = "graph \"g\" opset 13\ninput %x : f32[N,2]\n%y = Relu(%x)[],=N_-1";
            junk[i] = rnd() % 4 ? alpha[rnd() % (sizeof alpha - 1)] : (char)(1 + rnd() % 255);
        }
        junk[n] = 0;
        Graph *g = graph_parse(junk, "junk");
        if (g) {
            graph_infer_shapes(g);
            char *out = print_to_string(g);
            free(out);
        }
        graph_free(g);
    }
    char *err = capture_end();
    free(err);
    free(buf);
    CHECK(parsed > 0);
    CHECK(refused > 0);
    Graph *g = parse_quiet(base, NULL);
    CHECK(g != NULL);
    graph_free(g);
}

/* ---- main ----------------------------------------------------------------------------- */

/* ---- arena ------------------------------------------------------------------- */

/* Big blocks (2 MB and more: weights) start at another offset within their
 * first 2 MB page each, 64-aligned, zeroed and writable to the end; given
 * back one by one (arena_release, arena_detached_free) and all together
 * (arena_free), each from the start of its allocation (the sanitizer
 * configuration checks that the right pointers are freed). */
static void test_arena_big_blocks(void)
{
    enum { N = 4 };
    const size_t sizes[N] = {(size_t)2 << 20, ((size_t)5 << 20) + 12345, (size_t)2 << 20,
                             (size_t)3 << 20};
    Arena a = {0};
    unsigned char *p[N];
    uintptr_t offsets[N];
    for (int i = 0; i < N; i++) {
        p[i] = arena_alloc_aligned(&a, sizes[i], 64);
        CHECK((uintptr_t)p[i] % 64 == 0);
        size_t nonzero = 0;
        for (size_t k = 0; k < sizes[i]; k += 4096)
            nonzero += p[i][k] != 0;
        CHECK_INT(nonzero + (p[i][sizes[i] - 1] != 0), 0);
        memset(p[i], 0xA5, sizes[i]);
        offsets[i] = (uintptr_t)p[i] % ((uintptr_t)2 << 20);
    }
    for (int i = 1; i < N; i++)
        CHECK(offsets[i] != offsets[i - 1]);
    unsigned char *d = arena_detached_alloc((size_t)4 << 20);
    CHECK(d && (uintptr_t)d % 64 == 0);
    memset(d, 0x5A, (size_t)4 << 20);
    unsigned char *kept = arena_detached_alloc((size_t)2 << 20);
    CHECK(kept && (uintptr_t)kept % 64 == 0);
    arena_detached_free(d);
    arena_adopt(&a, kept);
    arena_release(&a, p[1]);
    arena_release(&a, kept);
    CHECK(p[3][0] == 0xA5 && p[3][sizes[3] - 1] == 0xA5);
    arena_free(&a);
    CHECK(a.head == NULL);
}

int main(int argc, char **argv)
{
    const char *group = argc > 1 ? argv[1] : "all";
    bool all = !strcmp(group, "all");
    bool known = all;
    if (all || !strcmp(group, "shape")) {
        known = true;
        test_conv_hostile();
        test_window_1d_api();
        test_hostile_attrs();
        test_size_overflow();
        test_bad_values();
        test_idempotent();
    }
    if (all || !strcmp(group, "verify")) {
        known = true;
        test_verify();
    }
    if (all || !strcmp(group, "print")) {
        known = true;
        test_print();
    }
    if (all || !strcmp(group, "parse")) {
        known = true;
        test_parse_fields();
        test_parse_error_format();
        test_float_roundtrip();
        test_parse_garbage();
    }
    if (all || !strcmp(group, "arena")) {
        known = true;
        test_arena_big_blocks();
    }
    if (!known) {
        fprintf(stderr, "usage: ir_unit [shape|verify|print|parse|arena|all]\n");
        return 2;
    }
    if (test_failures)
        fprintf(stderr, "%d check(s) failed\n", test_failures);
    else
        printf("ok %s\n", group);
    return test_failures ? 1 : 0;
}
