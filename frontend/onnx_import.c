/* onnx_import.c — ModelProto to Graph.
 *
 * The walk follows the model top to bottom, in the order ONNX defines
 * names: the default-domain opset first (every attribute default depends on
 * it), then initializers (constants), graph inputs (those that repeat an
 * initializer's name are constants, as older exporters list weights there),
 * nodes in their topological order, and last the graph outputs.  A name is
 * known once something defines it, so "input 'x' is not produced by any
 * earlier node" falls out of one hash lookup.
 *
 * Bad input never stops the walk early where going on can find more: a node
 * that fails still defines its outputs (so its users do not each complain
 * again), an initializer that fails leaves a placeholder the attribute code
 * recognizes and stays quiet about.  Every problem goes through
 * graph_error(), which counts it; at the end a graph with errors is freed
 * and the caller gets NULL.  What the walk cannot survive (no graph, an
 * opset out of range, a count over the limits) ends it.
 *
 * The file is mapped (a pipe is read whole: fe_file_load) and scanned
 * (pbscan.c), which bounds nesting depth and message count and lists where
 * the big TensorProto.raw_data fields (the weights) lie.  protoc-c's code
 * unpacks a copy of the model without them (fe_pb_slim: each is a marker
 * naming it); then one pass in file order copies each out of the mapping
 * into an arena block, letting the mapping's pages go behind it (and
 * hashing the bytes on the way, for ImportOptions.digest), and the
 * decoder (fe_tensor_decode) finds a marked tensor's bytes there.  So the
 * weights are copied once, and the peak is the model's weights plus a few
 * megabytes: vgg16 (553 MB), 0.9 GB before, when protobuf-c copied each
 * weight out of the mapped pages while they were still there (its
 * largest, 411 MB, twice).  An initializer keeps its block in the graph's
 * arena; other data is copied into the arena.
 */
#include "frontend-impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* ---- protobuf-c's allocations ---------------------------------------------
 * Every allocation of the unpacking is listed and given back at once after
 * the import (pb_release; protobuf-c's own frees, on its failure paths, are
 * deferred to it). */

typedef struct {
    void **bufs;
    size_t n, cap;
} PbAlloc;

static void *pb_alloc(void *data, size_t size)
{
    PbAlloc *a = data;
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 256;
        void **b = cap <= SIZE_MAX / sizeof *b ? realloc(a->bufs, cap * sizeof *b) : NULL;
        if (!b)
            return NULL;
        a->bufs = b;
        a->cap = cap;
    }
    void *p = malloc(size ? size : 1);
    if (p)
        a->bufs[a->n++] = p;
    return p;
}

static void pb_defer_free(void *data, void *p)
{
    (void)data, (void)p;
}

static void pb_release(PbAlloc *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->bufs[i]);
    free(a->bufs);
    *a = (PbAlloc){0};
}

/* ---- the weights ------------------------------------------------------------
 * TensorProto.raw_data fields of SPAN_MIN bytes or more by default
 * (ImportOptions.span_min; fe_pb_slim). */
enum { SPAN_MIN = 64 * 1024 };

/* The spans' bytes, out of the model's (buf[0..len), the mapped file f or
 * NULL), in file order: each into its own arena block, in chunks whose
 * mapped pages go once copied; with hash, all of buf's bytes are hashed on
 * the way, in order.  False when memory runs out. */
enum { COPY_CHUNK = 4 << 20 };

static bool spans_copy(FeSpans *s, const uint8_t *buf, size_t len, FeFile *f,
                       vggrt_checksum_state *hash)
{
    size_t at = 0;                  /* bytes of buf hashed */
    for (size_t k = 0; k < s->n; k++) {
        FeSpan *sp = &s->v[k];
        if (hash)
            vggrt_checksum_update(hash, buf + at, sp->off - at);
        if (!(sp->data = arena_detached_alloc(sp->len)))
            return false;
        for (size_t done = 0; done < sp->len;) {
            size_t n = sp->len - done < COPY_CHUNK ? sp->len - done : COPY_CHUNK;
            memcpy((uint8_t *)sp->data + done, buf + sp->off + done, n);
            if (hash)
                vggrt_checksum_update(hash, buf + sp->off + done, n);
            done += n;
            if (f)
                fe_file_drop(f, sp->off + done);
        }
        at = sp->off + sp->len;
    }
    if (hash)
        vggrt_checksum_update(hash, buf + at, len - at);
    return true;
}

/* The blocks no constant took go back. */
static void spans_release(FeSpans *s)
{
    for (size_t k = 0; k < s->n; k++)
        if (!s->v[k].adopted)
            arena_detached_free(s->v[k].data);
    free(s->v);
    *s = (FeSpans){0};
}

/* A nonce for the markers: random, so that no tensor of the model can
 * pass for one. */
static bool spans_nonce(FeSpans *s)
{
    size_t got = 0;
    while (got < sizeof s->nonce) {
        ssize_t n = getrandom(s->nonce + got, sizeof s->nonce - got, 0);
        if (n < 0 && errno != EINTR)
            return false;
        got += n > 0 ? (size_t)n : 0;
    }
    return true;
}

/* ---- the name map -------------------------------------------------------- */

/* FNV-1a of a NUL-terminated name. */
static uint64_t hash_name(const char *s)
{
    uint64_t h = 1469598103934665603ull;        /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* Out of memory in the frontend's own tables: exit 3, as the IR does. */
static VGGC_NORETURN void map_oom(void)
{
    fprintf(stderr, "vggc: error: out of memory\n");
    exit(3);
}

bool namemap_get(const NameMap *m, const char *key, uint32_t *val)
{
    if (!m->cap)
        return false;
    for (size_t i = hash_name(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->keys[i])
            return false;
        if (strcmp(m->keys[i], key) == 0) {
            if (val)
                *val = m->vals[i];
            return true;
        }
    }
}

/* Inserts without checking for the key; the table has room. */
static void map_insert(NameMap *m, const char *key, uint32_t val)
{
    size_t i = hash_name(key) & (m->cap - 1);
    while (m->keys[i])
        i = (i + 1) & (m->cap - 1);
    m->keys[i] = key;
    m->vals[i] = val;
    m->count++;
}

void namemap_put(NameMap *m, const char *key, uint32_t val)
{
    if (m->cap) {
        for (size_t i = hash_name(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
            if (strcmp(m->keys[i], key) == 0) {
                m->vals[i] = val;
                return;
            }
    }
    if (2 * (m->count + 1) > m->cap) {            /* keep the load under 1/2 */
        NameMap old = *m;
        m->cap = old.cap ? old.cap * 2 : 64;
        m->count = 0;
        m->keys = calloc(m->cap, sizeof *m->keys);
        m->vals = calloc(m->cap, sizeof *m->vals);
        if (!m->keys || !m->vals)
            map_oom();
        for (size_t i = 0; i < old.cap; i++)
            if (old.keys[i])
                map_insert(m, old.keys[i], old.vals[i]);
        free(old.keys);
        free(old.vals);
    }
    map_insert(m, key, val);
}

void namemap_free(NameMap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

bool fe_name_used(const ImportCtx *c, const char *name)
{
    return namemap_get(&c->used, name, NULL);
}

/* ---- small checks -------------------------------------------------------- */

/* A name we can keep: present, not empty, at most FE_MAX_NAME bytes.  what
 * and index say where it was found ("initializer", 3). */
static bool check_name(ImportCtx *c, const char *name, const char *what, size_t index)
{
    if (!name || !*name) {
        graph_error(c->g, NULL, "%s #%zu has no name", what, index);
        return false;
    }
    if (strlen(name) > FE_MAX_NAME) {
        graph_error(c->g, NULL, "%s #%zu: name is longer than %u bytes", what, index,
                    FE_MAX_NAME);
        return false;
    }
    return true;
}

/* A value that stands for one whose definition failed (already reported):
 * its users find it and stay quiet.  See fe_poisoned(). */
static uint32_t add_poisoned(ImportCtx *c, const char *name, ValueKind kind)
{
    uint32_t id = graph_add_value(c->g, name, kind, DT_UNDEF);
    namemap_put(&c->values, c->g->values[id].name, id);
    return id;
}

/* ---- opset ----------------------------------------------------------------- */

/* The default domain's version from opset_import, within 1..21 (left 0 when
 * the model imports none and has no node of that domain).  Before opset 6
 * only the ops whose meaning has not changed since are read (the node
 * normalizer checks: fe_legacy_op_ok). */
static bool read_opset(ImportCtx *c, const Onnx__ModelProto *m)
{
    int64_t v = -1;
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const Onnx__OperatorSetIdProto *o = m->opset_import[i];
        const char *d = fe_str(o->domain);
        if (*d && strcmp(d, "ai.onnx") != 0)
            continue;
        int64_t ver = o->has_version ? o->version : 0;
        if (v >= 0 && ver != v) {
            graph_error(c->g, NULL, "opset_import names the default domain twice (%lld and %lld)",
                        (long long)v, (long long)ver);
            return false;
        }
        v = ver;
    }
    if (v < 0) {
        /* Fine while no node needs it: the nodes of other domains are
         * reported one by one. */
        for (size_t i = 0; m->graph && i < m->graph->n_node; i++) {
            const char *d = fe_str(m->graph->node[i]->domain);
            if (!*d || strcmp(d, "ai.onnx") == 0) {
                graph_error(c->g, NULL, "the model imports no version of the default ONNX "
                            "opset (opset_import)");
                return false;
            }
        }
        return true;
    }
    if (v < 1 || v > 21) {
        graph_error(c->g, NULL, "opset %lld is not supported (vggc reads opsets 1 to 21)",
                    (long long)v);
        return false;
    }
    c->opset = v;
    c->g->opset = v;
    return true;
}

/* ---- initializers ---------------------------------------------------------- */

/* Every initializer becomes a constant.  One of a type we do not read is an
 * error if a node or the graph's outputs use it, and skipped otherwise. */
static void add_initializers(ImportCtx *c, const Onnx__GraphProto *gp, NameMap *skipped,
                             const ExternalRoot *root)
{
    for (size_t i = 0; i < gp->n_initializer; i++) {
        const Onnx__TensorProto *t = gp->initializer[i];
        if (!check_name(c, t->name, "initializer", i))
            continue;
        if (namemap_get(&c->values, t->name, NULL) || namemap_get(skipped, t->name, NULL)) {
            graph_error(c->g, NULL, "initializer '%s' is defined twice", t->name);
            continue;
        }
        int32_t code = t->has_data_type ? t->data_type : 0;
        if (fe_dtype_from_onnx(code) == DT_UNDEF) {
            if (fe_name_used(c, t->name)) {
                graph_error(c->g, NULL, "initializer '%s': data type %s is not supported",
                            t->name, fe_onnx_dtype_name(code));
                add_poisoned(c, t->name, VAL_CONST);
            } else {
                vggc_note("skipping unused initializer '%s' of type %s", t->name,
                          fe_onnx_dtype_name(code));
                namemap_put(skipped, t->name, 0);
            }
            continue;
        }
        TensorData td;
        char why[600];
        if (!fe_tensor_decode(t, root, &c->g->arena, &td, why, sizeof why)) {
            graph_error(c->g, NULL, "initializer '%s': %s", t->name, why);
            add_poisoned(c, t->name, VAL_CONST);
            continue;
        }
        /* A weight's block (spans_copy) stays where it is, the arena's now. */
        FeSpan *sp = fe_span_of(c->spans, t);
        if (sp && !sp->adopted && !td.in_arena && !td.owned && td.data == sp->data) {
            arena_adopt(&c->g->arena, sp->data);
            sp->adopted = true;
            td.in_arena = true;
        }
        uint32_t id = fe_add_const(c->g, t->name, &td);
        namemap_put(&c->values, c->g->values[id].name, id);
    }
}

/* ---- graph inputs ---------------------------------------------------------- */

void fe_needed_at_compile_time(ImportCtx *c, const Value *v)
{
    namemap_put(&c->compile_time, v->name, 0);
}

/* A declared shape as text, "?" for a dimension without a fixed size. */
static void declared_shape(const Onnx__TensorShapeProto *sp, char *buf, size_t cap)
{
    size_t at = (size_t)snprintf(buf, cap, "[");
    for (size_t d = 0; sp && d < sp->n_dim && at < cap; d++) {
        const Onnx__TensorShapeProto__Dimension *dim = sp->dim[d];
        if (dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
            dim->dim_value > 0)
            at += (size_t)snprintf(buf + at, cap - at, "%s%lld", d ? "," : "",
                                   (long long)dim->dim_value);
        else
            at += (size_t)snprintf(buf + at, cap - at, "%s?", d ? "," : "");
    }
    if (at < cap)
        snprintf(buf + at, cap - at, "]");
}

/* Graph input `name` (of type tt), bound by b: a constant holding b's file
 * (.pb: an ONNX TensorProto; anything else: .npy), which must have the
 * declared data type and rank and the declared size in every dimension
 * that has one.  Reports "--bind NAME=FILE: what is wrong". */
static void bind_input(ImportCtx *c, const char *name, const Onnx__TypeProto__Tensor *tt,
                       const ImportBind *b)
{
    int32_t code = tt->has_elem_type ? tt->elem_type : 0;
    DType dt = fe_dtype_from_onnx(code);
    if (dt == DT_UNDEF) {
        graph_error(c->g, NULL, "--bind %s=%s: input '%s' has data type %s, which vggc cannot "
                    "hold as a constant (FLOAT, INT64, INT32 and BOOL)", name, b->path, name,
                    fe_onnx_dtype_name(code));
        add_poisoned(c, name, VAL_CONST);
        return;
    }
    vggrt_tensor t;
    char why[600];
    size_t plen = strlen(b->path);
    bool pb = plen > 3 && strcmp(b->path + plen - 3, ".pb") == 0;
    bool read = pb ? onnx_read_tensor_pb(b->path, &t, why, sizeof why)
                   : vggrt_npy_read(b->path, &t, why, sizeof why) == VGGRT_OK;
    if (!read) {
        graph_error(c->g, NULL, "--bind %s=%s: %s", name, b->path, why);
        add_poisoned(c, name, VAL_CONST);
        return;
    }
    const Onnx__TensorShapeProto *sp = tt->shape;
    _Static_assert(VGGRT_MAX_RANK <= VGGC_MAX_RANK, "an .npy array fits a Shape");
    Shape s = {.rank = t.rank};
    bool ok = true;
    for (int d = 0; ok && d < t.rank; d++) {
        s.d[d] = t.dims[d];
        ok = t.dims[d] >= 0 && t.dims[d] <= VGGC_MAX_DIM;
    }
    char got[256], want[256];
    shape_format(&s, got, sizeof got, NULL);
    declared_shape(sp, want, sizeof want);
    if (t.dtype != code) {
        graph_error(c->g, NULL, "--bind %s=%s: the array is %s; input '%s' is declared %s",
                    name, b->path, fe_onnx_dtype_name(t.dtype), name, fe_onnx_dtype_name(code));
        ok = false;
    } else if (!ok) {
        graph_error(c->g, NULL, "--bind %s=%s: the array's shape %s has a dimension over %lld",
                    name, b->path, got, (long long)VGGC_MAX_DIM);
    } else if (sp && (size_t)t.rank != sp->n_dim) {
        graph_error(c->g, NULL, "--bind %s=%s: the array has shape %s (rank %d); input '%s' "
                    "is declared %s (rank %zu)", name, b->path, got, t.rank, name, want,
                    sp->n_dim);
        ok = false;
    } else {
        for (int d = 0; sp && d < t.rank; d++) {
            const Onnx__TensorShapeProto__Dimension *dim = sp->dim[d];
            if (dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
                dim->dim_value > 0 && dim->dim_value != t.dims[d]) {
                graph_error(c->g, NULL, "--bind %s=%s: the array has shape %s; input '%s' is "
                            "declared %s (dimension %d differs; '?' matches any size)", name,
                            b->path, got, name, want, d);
                ok = false;
                break;
            }
        }
    }
    if (!ok) {
        vggrt_tensor_free(&t);
        add_poisoned(c, name, VAL_CONST);
        return;
    }
    if (dt == DT_BOOL)      /* the IR's bools are 0 or 1, whatever the file says */
        for (size_t i = 0; i < t.nbytes; i++)
            ((unsigned char *)t.data)[i] = ((unsigned char *)t.data)[i] != 0;
    if (c->hash) {          /* the constant, as the code will hold it */
        int64_t head[2 + VGGRT_MAX_RANK] = {code, t.rank};
        memcpy(head + 2, t.dims, (size_t)t.rank * sizeof *t.dims);
        vggrt_checksum_update(c->hash, name, strlen(name) + 1);
        vggrt_checksum_update(c->hash, head, sizeof head);
        vggrt_checksum_update(c->hash, t.data, t.nbytes);
    }
    uint32_t id = graph_add_const(c->g, name, dt, &s, t.data, t.nbytes);
    vggrt_tensor_free(&t);
    namemap_put(&c->values, c->g->values[id].name, id);
    vggc_note("input '%s' bound to %s %s from %s: a constant now", name,
              fe_onnx_dtype_name(code), got, b->path);
}

/* --bind names checked against the model: each bound once, each a graph
 * input (bound ones were matched by add_input). */
static void check_binds_twice(ImportCtx *c)
{
    for (size_t i = 0; i < c->n_binds; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->binds[i].name, c->binds[j].name) == 0) {
                graph_error(c->g, NULL, "--bind: input '%s' is bound twice (to %s and to %s)",
                            c->binds[i].name, c->binds[j].path, c->binds[i].path);
                break;
            }
}

static bool is_bound(const ImportCtx *c, const char *name)
{
    for (size_t i = 0; i < c->n_binds; i++)
        if (c->bound[i] && strcmp(c->binds[i].name, name) == 0)
            return true;
    return false;
}

static void check_binds_matched(ImportCtx *c, const Onnx__GraphProto *gp)
{
    for (size_t i = 0; i < c->n_binds; i++) {
        if (c->bound[i])
            continue;
        const ImportBind *b = &c->binds[i];
        uint32_t id;
        if (namemap_get(&c->values, b->name, &id) && c->g->values[id].kind == VAL_CONST) {
            graph_error(c->g, NULL, "--bind %s=%s: '%s' is an initializer, whose value the "
                        "model already fixes; only graph inputs can be bound", b->name, b->path,
                        b->name);
            continue;
        }
        /* The inputs a user could mean, in the model's order. */
        char list[512] = "";
        size_t at = 0, shown = 0;
        for (size_t k = 0; k < gp->n_input && at < sizeof list; k++) {
            const char *n = gp->input[k]->name;
            if (!n || !*n || (namemap_get(&c->values, n, &id) &&
                              c->g->values[id].kind == VAL_CONST && !is_bound(c, n)))
                continue;       /* an initializer */
            at += (size_t)snprintf(list + at, sizeof list - at, "%s'%.64s'", shown++ ? ", " : "",
                                   n);
        }
        graph_error(c->g, NULL, "--bind %s=%s: the model has no graph input named '%s' (its "
                    "inputs: %s)", b->name, b->path, b->name, shown ? list : "none");
    }
}

/* The element types a graph input may have at run time (BOOL only bound
 * at compile time). */
#define RUNTIME_INPUT_TYPES "FLOAT, DOUBLE, FLOAT16, BFLOAT16, INT64, INT32, INT8, UINT8 and STRING"
static bool runtime_input_type(DType dt)
{
    return dt == DT_FLOAT || dt == DT_DOUBLE || dt == DT_FLOAT16 || dt == DT_BFLOAT16 ||
           dt == DT_INT64 || dt == DT_INT32 || dt == DT_INT8 || dt == DT_UINT8 ||
           dt == DT_STRING;
}

/* ---- sequences and optionals -------------------------------------------------- */

static bool is_wrap_type(const Onnx__TypeProto *tp)
{
    return tp && (tp->value_case == ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE ||
                  tp->value_case == ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE);
}

/* A sequence or optional type (is_wrap_type) as a Wrap and its tensors'
 * element type; false after reporting what vggc does not take (`what`
 * names the graph input or output). */
static bool read_wrap(ImportCtx *c, const Onnx__TypeProto *tp, const char *what, Wrap *w,
                      DType *dt)
{
    *w = (Wrap){.rank = -1};
    while (is_wrap_type(tp)) {
        if (w->n == VGGC_MAX_WRAP) {
            graph_error(c->g, NULL, "%s nests more than %d sequence and optional types", what,
                        VGGC_MAX_WRAP);
            return false;
        }
        bool seq = tp->value_case == ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE;
        w->kind[w->n++] = seq ? WRAP_SEQUENCE : WRAP_OPTIONAL;
        tp = seq ? (tp->sequence_type ? tp->sequence_type->elem_type : NULL)
                 : (tp->optional_type ? tp->optional_type->elem_type : NULL);
    }
    if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type) {
        graph_error(c->g, NULL, "%s is a sequence or optional of %s; vggc takes them only of "
                    "tensors", what, !tp || tp->value_case == ONNX__TYPE_PROTO__VALUE__NOT_SET
                                         ? "an undeclared type"
                                         : "maps or sparse tensors");
        return false;
    }
    const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
    int32_t code = tt->has_elem_type ? tt->elem_type : 0;
    *dt = code == ONNX__TENSOR_PROTO__DATA_TYPE__STRING ? DT_STRING : fe_dtype_from_onnx(code);
    if (*dt == DT_UNDEF) {
        graph_error(c->g, NULL, "%s holds tensors of data type %s, which vggc does not know",
                    what, fe_onnx_dtype_name(code));
        return false;
    }
    const Onnx__TensorShapeProto *sp = tt->shape;
    if (!sp)
        return true;
    if (sp->n_dim > VGGC_MAX_RANK) {
        graph_error(c->g, NULL, "%s holds tensors of rank %zu; the maximum is %d", what,
                    sp->n_dim, VGGC_MAX_RANK);
        return false;
    }
    w->rank = (int)sp->n_dim;
    for (size_t d = 0; d < sp->n_dim; d++) {
        const Onnx__TensorShapeProto__Dimension *dim = sp->dim[d];
        bool known = dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
                     dim->dim_value >= 0;
        if (known && dim->dim_value > VGGC_MAX_DIM) {
            graph_error(c->g, NULL, "%s: dimension %zu of its tensors is %lld, larger than %lld",
                        what, d, (long long)dim->dim_value, (long long)VGGC_MAX_DIM);
            return false;
        }
        w->dims[d] = known ? dim->dim_value : -1;   /* symbolic or unset: any size */
    }
    return true;
}

/* A sequence or optional graph input: passed through to graph outputs by
 * Identity, never computed on (ir.h: Wrap), so nothing of it is planned. */
static void add_wrapped_input(ImportCtx *c, const Onnx__ValueInfoProto *vi)
{
    const char *name = vi->name;
    char what[FE_MAX_NAME + 32];
    snprintf(what, sizeof what, "input '%s'", name);
    for (size_t b = 0; b < c->n_binds; b++)
        if (strcmp(c->binds[b].name, name) == 0) {
            graph_error(c->g, NULL, "--bind %s=%s: input '%s' is a sequence or optional; only "
                        "tensors can be bound", name, c->binds[b].path, name);
            c->bound[b] = true;
        }
    Wrap w;
    DType dt;
    if (!read_wrap(c, vi->type, what, &w, &dt)) {
        add_poisoned(c, name, VAL_INPUT);
        return;
    }
    uint32_t id = graph_add_value(c->g, name, VAL_INPUT, dt);
    Value *v = &c->g->values[id];
    v->wrap = arena_alloc(&c->g->arena, sizeof *v->wrap);
    *v->wrap = w;
    v->has_shape = true;            /* rank 0: Wrap holds the type */
    graph_add_input(c->g, id);
    namemap_put(&c->values, v->name, id);
}

/* Identity of a sequence or optional: its output is the same value under
 * another name (VAL_PASS), with no node. */
static void pass_on(ImportCtx *c, const Onnx__NodeProto *np, const Node *d)
{
    Graph *g = c->g;
    const char *o = np->output[0];
    if (namemap_get(&c->values, o, NULL)) {
        graph_error(g, d, "output '%s' is already defined by an earlier node, graph input or "
                    "initializer", o);
        return;
    }
    uint32_t in = d->in[0];
    uint32_t id = graph_add_value(g, o, VAL_PASS, g->values[in].dtype);
    Value *v = &g->values[id], *x = &g->values[in];
    v->wrap = x->wrap;
    v->source = x->kind == VAL_PASS ? x->source : in;
    v->has_shape = true;
    namemap_put(&c->values, v->name, id);
}

/* Graph output i is the value id: a sequence or optional one must be
 * declared (if at all) as the type it has, and a tensor must not be
 * declared a sequence or optional.  Dims the output declares and its input
 * does not are added to the input's type, which a run checks. */
static void check_output_type(ImportCtx *c, const Onnx__ValueInfoProto *vi, uint32_t id)
{
    Graph *g = c->g;
    Value *v = &g->values[id];
    const Onnx__TypeProto *tp = vi->type;
    bool declared_wrap = is_wrap_type(tp);
    if (!v->wrap) {
        if (declared_wrap && v->dtype != DT_UNDEF)
            graph_error(g, NULL, "graph output '%s' is declared a sequence or optional, but it "
                        "is a tensor", vi->name);
        return;
    }
    char have[256], want[256], what[FE_MAX_NAME + 32];
    wrap_format(v->wrap, v->dtype, have, sizeof have);
    if (!tp || tp->value_case == ONNX__TYPE_PROTO__VALUE__NOT_SET)
        return;                     /* no type declared: it is what it is */
    if (!declared_wrap) {
        graph_error(g, NULL, "graph output '%s' is declared a tensor, but it is %s, which it "
                    "passes on", vi->name, have);
        return;
    }
    snprintf(what, sizeof what, "output '%s'", vi->name);
    Wrap w;
    DType dt;
    if (!read_wrap(c, tp, what, &w, &dt))
        return;
    wrap_format(&w, dt, want, sizeof want);
    bool same = w.n == v->wrap->n && dt == v->dtype &&
                (w.rank < 0 || v->wrap->rank < 0 || w.rank == v->wrap->rank);
    for (int i = 0; same && i < w.n; i++)
        same = w.kind[i] == v->wrap->kind[i];
    for (int d = 0; same && w.rank >= 0 && v->wrap->rank >= 0 && d < w.rank; d++)
        same = w.dims[d] < 0 || v->wrap->dims[d] < 0 || w.dims[d] == v->wrap->dims[d];
    if (!same) {
        const Value *src = &g->values[v->kind == VAL_PASS ? v->source : id];
        graph_error(g, NULL, "graph output '%s' is declared %s, but it passes on input '%s', "
                    "declared %s", vi->name, want, src->name, have);
        return;
    }
    Wrap *t = v->wrap;              /* shared with its input: the type a run checks */
    if (t->rank < 0 && w.rank >= 0) {
        t->rank = w.rank;
        for (int d = 0; d < w.rank; d++)
            t->dims[d] = -1;
    }
    for (int d = 0; w.rank >= 0 && d < w.rank; d++)
        if (t->dims[d] < 0)
            t->dims[d] = w.dims[d];
}

/* Graph input i: a run-time tensor of one of those types whose dims are
 * all known but the leading one, which may be the batch. */
static void add_input(ImportCtx *c, const Onnx__ValueInfoProto *vi, size_t i,
                      const NameMap *skipped)
{
    if (!check_name(c, vi->name, "graph input", i))
        return;
    const char *name = vi->name;
    uint32_t prev;
    if (namemap_get(skipped, name, NULL))
        return;
    if (namemap_get(&c->values, name, &prev)) {
        if (c->g->values[prev].kind != VAL_CONST)
            graph_error(c->g, NULL, "graph input '%s' is listed twice", name);
        return;                     /* an initializer: a constant */
    }
    const Onnx__TypeProto *tp = vi->type;
    if (is_wrap_type(tp)) {
        add_wrapped_input(c, vi);
        return;
    }
    if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type) {
        graph_error(c->g, NULL, "input '%s' is not a tensor, a sequence or an optional (maps "
                    "and sparse tensors are not supported)", name);
        add_poisoned(c, name, VAL_INPUT);
        return;
    }
    const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
    bool bound = false;
    for (size_t b = 0; b < c->n_binds; b++)
        if (strcmp(c->binds[b].name, name) == 0) {
            if (!bound)             /* the first of twice-bound ones (reported) */
                bind_input(c, name, tt, &c->binds[b]);
            c->bound[b] = bound = true;
        }
    if (bound)
        return;
    int32_t code = tt->has_elem_type ? tt->elem_type : 0;
    /* STRING only here and as Cast's `to`: never a constant. */
    DType dt = code == ONNX__TENSOR_PROTO__DATA_TYPE__STRING ? DT_STRING : fe_dtype_from_onnx(code);
    bool ok = true;
    /* INT32 and BOOL inputs are refused at the end of the import unless an
     * operator needs them at compile time, which says so and suggests
     * --bind instead (Dropout's training_mode is a BOOL). */
    if (!runtime_input_type(dt) && dt != DT_INT32 && dt != DT_BOOL) {
        graph_error(c->g, NULL, "input '%s' has data type %s; only %s inputs are supported",
                    name, fe_onnx_dtype_name(code), RUNTIME_INPUT_TYPES);
        ok = false;
    }
    const Onnx__TensorShapeProto *sp = tt->shape;
    Shape s = {0};
    if (!sp) {
        graph_error(c->g, NULL, "input '%s' has no shape; vggc needs every dimension but the "
                    "leading batch", name);
        ok = false;
    } else if (sp->n_dim > VGGC_MAX_RANK) {
        graph_error(c->g, NULL, "input '%s' has rank %zu; the maximum is %d", name, sp->n_dim,
                    VGGC_MAX_RANK);
        ok = false;
    } else {
        s.rank = (int)sp->n_dim;
        for (size_t d = 0; d < sp->n_dim; d++) {
            const Onnx__TensorShapeProto__Dimension *dim = sp->dim[d];
            bool has_value =
                dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
            int64_t v = has_value ? dim->dim_value : 0;
            /* dim_value 0 is a zero-size dim, as ONNX Runtime reads it (it
             * refuses a run whose input has another size there); shape
             * inference lets only views pass such a tensor on. */
            if (has_value && v >= 0) {
                if (v > VGGC_MAX_DIM) {
                    graph_error(c->g, NULL, "input '%s' dimension %zu is %lld, larger than %lld",
                                name, d, (long long)v, (long long)VGGC_MAX_DIM);
                    ok = false;
                }
                s.d[d] = v;
            } else if (d == 0) {
                s.d[0] = c->batch > 0 ? c->batch : VGGC_DIM_N;
            } else if (dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM) {
                graph_error(c->g, NULL, "input '%s' dimension %zu is symbolic ('%.64s'); only "
                            "the leading batch dimension may be", name, d,
                            fe_str(dim->dim_param));
                ok = false;
            } else if (has_value) {
                graph_error(c->g, NULL, "input '%s' dimension %zu is %lld; sizes must not "
                            "be negative (only the leading batch dimension may be symbolic)", name,
                            d, (long long)v);
                ok = false;
            } else {
                graph_error(c->g, NULL, "input '%s' dimension %zu is unknown; only the leading "
                            "batch dimension may be", name, d);
                ok = false;
            }
        }
    }
    if (!ok) {
        add_poisoned(c, name, VAL_INPUT);
        return;
    }
    uint32_t id = graph_add_value(c->g, name, VAL_INPUT, dt);
    c->g->values[id].has_shape = true;
    c->g->values[id].shape = s;
    graph_add_input(c->g, id);
    namemap_put(&c->values, c->g->values[id].name, id);
}

/* ---- nodes ------------------------------------------------------------------- */

typedef struct {
    uint32_t *ids;                  /* scratch for a node's input and output ids */
    size_t cap;
} Scratch;

/* Defines the named outputs of a node that will not be added, so that the
 * nodes reading them do not report again. */
static void define_failed_outputs(ImportCtx *c, const Onnx__NodeProto *np)
{
    for (size_t i = 0; i < np->n_output; i++) {
        const char *o = np->output[i];
        if (*o && strlen(o) <= FE_MAX_NAME && !namemap_get(&c->values, o, NULL))
            add_poisoned(c, o, VAL_TEMP);
    }
}

/* Does np carry a GRAPH or GRAPHS attribute (If, Loop, Scan bodies)?  *which
 * names the first. */
static bool has_graph_attribute(const Onnx__NodeProto *np, const char **which)
{
    for (size_t i = 0; i < np->n_attribute; i++) {
        Onnx__AttributeProto__AttributeType t = fe_attr_type(np->attribute[i]);
        if (t == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH ||
            t == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPHS) {
            *which = fe_str(np->attribute[i]->name);
            return true;
        }
    }
    return false;
}

/* Node number index of the graph into the IR (or into a constant). */
static void add_node(ImportCtx *c, const Onnx__NodeProto *np, size_t index, Scratch *sc)
{
    Graph *g = c->g;
    const char *op_type = fe_str(np->op_type), *domain = fe_str(np->domain);
    const char *name = fe_str(np->name);
    if (strlen(name) > FE_MAX_NAME || strlen(op_type) > FE_MAX_NAME ||
        strlen(domain) > FE_MAX_NAME) {
        graph_error(g, NULL, "node #%zu: a name, op_type or domain is longer than %u bytes",
                    index, FE_MAX_NAME);
        define_failed_outputs(c, np);
        return;
    }
    /* The name diagnostics use: the node's, or the one graph_add_node gives. */
    char dname[FE_MAX_NAME + 32];
    if (*name)
        snprintf(dname, sizeof dname, "%s", name);
    else
        snprintf(dname, sizeof dname, "%s_%u", *op_type ? op_type : "node", g->n_nodes);

    const char *graph_attr = NULL;
    bool nested = has_graph_attribute(np, &graph_attr);
    if (*domain && strcmp(domain, "ai.onnx") != 0) {
        graph_error(g, NULL, "node '%s': operator '%s' of domain '%s' is not supported (only "
                    "the default ONNX domain is)", dname, op_type, domain);
        define_failed_outputs(c, np);
        return;
    }
    OpKind op = op_lookup(op_type);
    if (op == OP_COUNT) {
        graph_error(g, NULL, "node '%s': unsupported operator '%s' (opset %lld)%s", dname,
                    op_type, (long long)c->opset,
                    nested ? "; nested graphs are not supported" : "");
        define_failed_outputs(c, np);
        return;
    }
    Node d = {.op = op, .name = dname};
    bool ok = true;
    if (nested) {
        graph_error(g, &d, "attribute '%s': nested graphs are not supported", graph_attr);
        ok = false;
    }

    /* Trailing empty names are omitted optional arguments. */
    size_t n_in = np->n_input, n_out = np->n_output;
    while (n_in > 0 && !*np->input[n_in - 1])
        n_in--;
    while (n_out > 0 && !*np->output[n_out - 1])
        n_out--;
    const OpInfo *info = &op_info[op];
    size_t max_in = info->max_in == 255 ? FE_MAX_NODE_ARGS : info->max_in;
    if (n_in < info->min_in || n_in > max_in) {
        if (info->min_in == max_in)
            graph_error(g, &d, "has %zu input%s; expected %u", n_in, n_in == 1 ? "" : "s",
                        info->min_in);
        else
            graph_error(g, &d, "has %zu input%s; expected %u to %zu", n_in,
                        n_in == 1 ? "" : "s", info->min_in, max_in);
        define_failed_outputs(c, np);
        return;
    }
    /* ONNX's BatchNormalization has up to 5 outputs, in training mode; the
     * op table lists the one vggc runs, and the normalizer says why. */
    size_t max_out = op == OP_BATCHNORM ? 5 : info->max_out;
    if (n_out < info->min_out || n_out > max_out) {
        if (info->min_out == max_out)
            graph_error(g, &d, "has %zu output%s; expected %u", n_out, n_out == 1 ? "" : "s",
                        info->min_out);
        else
            graph_error(g, &d, "has %zu output%s; expected %u to %zu", n_out,
                        n_out == 1 ? "" : "s", info->min_out, max_out);
        define_failed_outputs(c, np);
        return;
    }

    if (n_in + n_out > sc->cap) {
        sc->cap = n_in + n_out;
        free(sc->ids);
        sc->ids = malloc(sizeof(uint32_t) * sc->cap);
        if (!sc->ids)
            map_oom();
    }
    d.in = sc->ids;
    d.out = sc->ids + n_in;
    d.n_in = (uint32_t)n_in;
    d.n_out = (uint32_t)n_out;
    bool inputs_ok = true;
    for (size_t i = 0; i < n_in; i++) {
        const char *in = np->input[i];
        d.in[i] = VGGC_NONE;
        if (!*in) {
            if (i < info->min_in) {
                graph_error(g, &d, "input %zu is required but has no name", i);
                inputs_ok = false;
            }
        } else if (!namemap_get(&c->values, in, &d.in[i])) {
            graph_error(g, &d, "input '%.4096s' is not produced by any earlier node, graph input "
                        "or initializer", in);
            inputs_ok = false;
        }
    }
    /* Outputs are created after normalization, which may drop some; until
     * then 0 marks a named output and VGGC_NONE an omitted one. */
    for (size_t i = 0; i < n_out; i++) {
        const char *o = np->output[i];
        d.out[i] = *o ? 0 : VGGC_NONE;
        if (!*o && i < info->min_out) {
            graph_error(g, &d, "output %zu is required but has no name", i);
            ok = false;
        } else if (*o && strlen(o) > FE_MAX_NAME) {
            graph_error(g, &d, "output %zu: name is longer than %u bytes", i, FE_MAX_NAME);
            ok = false;
        }
    }
    if (!ok || !inputs_ok) {
        define_failed_outputs(c, np);
        return;
    }
    for (uint32_t i = 0; i < d.n_in; i++) {
        const Value *x = d.in[i] != VGGC_NONE ? &g->values[d.in[i]] : NULL;
        if (!x || !x->wrap)
            continue;
        if (op == OP_IDENTITY) {
            pass_on(c, np, &d);
            return;
        }
        char type[256];
        wrap_format(x->wrap, x->dtype, type, sizeof type);
        graph_error(g, &d, "input %u ('%s') is %s; vggc passes sequences and optionals on "
                    "unchanged (Identity), and no other operator takes one", i, x->name, type);
        define_failed_outputs(c, np);
        return;
    }

    if (op == OP_CONSTANT) {
        bool failed = false;
        uint32_t id = VGGC_NONE;
        if (namemap_get(&c->values, np->output[0], NULL))
            graph_error(g, &d, "output '%s' is already defined", np->output[0]);
        else
            id = fe_constant_node(c, np, &d, &failed);
        if (id != VGGC_NONE)
            namemap_put(&c->values, g->values[id].name, id);
        else if (failed)
            define_failed_outputs(c, np);
        return;
    }

    if (!fe_normalize_node(c, np, &d)) {
        define_failed_outputs(c, np);
        return;
    }
    for (uint32_t i = 0; i < d.n_out; i++) {
        if (d.out[i] == VGGC_NONE)
            continue;
        const char *o = np->output[i];
        if (namemap_get(&c->values, o, NULL)) {
            graph_error(g, &d, "output '%s' is already defined by an earlier node, graph input "
                        "or initializer", o);
            ok = false;
            d.out[i] = VGGC_NONE;
            continue;
        }
        d.out[i] = graph_add_value(g, o, VAL_TEMP, DT_UNDEF);
        namemap_put(&c->values, g->values[d.out[i]].name, d.out[i]);
    }
    if (!ok)
        return;
    /* d.op, not op: the normalizer may rewrite (a seeded Dropout is a Mul). */
    uint32_t id = graph_add_node(g, d.op, *name ? name : NULL, d.n_in, d.in, d.n_out, d.out);
    g->nodes[id].attr = d.attr;
}

/* ---- the model --------------------------------------------------------------- */

/* Every name a node reads or the graph outputs. */
static void collect_used(ImportCtx *c, const Onnx__GraphProto *gp)
{
    for (size_t i = 0; i < gp->n_node; i++)
        for (size_t j = 0; j < gp->node[i]->n_input; j++)
            if (*gp->node[i]->input[j])
                namemap_put(&c->used, gp->node[i]->input[j], 0);
    for (size_t i = 0; i < gp->n_output; i++)
        if (gp->output[i]->name && *gp->output[i]->name)
            namemap_put(&c->used, gp->output[i]->name, 0);
}

/* The limits on counts, checked before anything is sized by them. */
static bool check_counts(ImportCtx *c, const Onnx__GraphProto *gp)
{
    struct { const char *what; size_t n, max; } lim[] = {
        {"nodes", gp->n_node, FE_MAX_NODES},
        {"initializers", gp->n_initializer, FE_MAX_TENSORS},
        {"graph inputs", gp->n_input, FE_MAX_TENSORS},
        {"graph outputs", gp->n_output, FE_MAX_TENSORS},
    };
    bool ok = true;
    for (size_t i = 0; i < sizeof lim / sizeof lim[0]; i++)
        if (lim[i].n > lim[i].max) {
            graph_error(c->g, NULL, "the graph has %zu %s; the limit is %zu", lim[i].n,
                        lim[i].what, lim[i].max);
            ok = false;
        }
    for (size_t i = 0; i < gp->n_node && ok; i++)
        if (gp->node[i]->n_input > FE_MAX_NODE_ARGS || gp->node[i]->n_output > FE_MAX_NODE_ARGS) {
            graph_error(c->g, NULL, "node #%zu has more than %u inputs or outputs", i,
                        FE_MAX_NODE_ARGS);
            ok = false;
        }
    return ok;
}

/* Graph inputs whose data nothing reads once the nodes are imported:
 * CastLike's target_type (only its type is taken) or an input no node and
 * no graph output uses.  ONNX's runners take any data for such an input,
 * so a run checks only its element type (Value.unread).  Decided here,
 * before any pass: an input that only Shape reads is read (its shape is
 * the result), even after folding leaves no reader. */
static void mark_unread_inputs(ImportCtx *c)
{
    Graph *g = c->g;
    if (g->n_errors)
        return;
    for (uint32_t i = 0; i < g->n_inputs; i++) {
        Value *v = &g->values[g->inputs[i]];
        /* A sequence or optional is read whole and checked by its type. */
        if (v->wrap || graph_count_uses(g, g->inputs[i]) != 0)
            continue;
        v->unread = true;
        /* Always shown (not only with -v): it changes what a run accepts. */
        fprintf(stderr, "vggc: note: %s: input %u '%s' is not read by any node (at most its "
                "type is): a run accepts it with any shape\n", g->path ? g->path : "<model>",
                i, v->name);
    }
}

/* The walk: opset, names, initializers, inputs, nodes, outputs.  Reports
 * into c->g; the caller looks at g->n_errors. */
static void import_graph(ImportCtx *c, const Onnx__ModelProto *m)
{
    Graph *g = c->g;
    const Onnx__GraphProto *gp = m->graph;
    if (!gp) {
        graph_error(g, NULL, "the model has no graph");
        return;
    }
    if (!read_opset(c, m) || !check_counts(c, gp))
        return;
    if (gp->name && *gp->name) {
        if (strlen(gp->name) > FE_MAX_NAME)
            graph_error(g, NULL, "the graph's name is longer than %u bytes", FE_MAX_NAME);
        else
            g->name = arena_strdup(&g->arena, gp->name);
    }
    if (m->producer_name && *m->producer_name) {
        if (strlen(m->producer_name) > FE_MAX_NAME)
            graph_error(g, NULL, "producer_name is longer than %u bytes", FE_MAX_NAME);
        else
            g->producer = arena_strdup(&g->arena, m->producer_name);
    }
    for (size_t i = 0; i < gp->n_sparse_initializer; i++) {
        const Onnx__SparseTensorProto *sp = gp->sparse_initializer[i];
        const char *nm = sp->values ? fe_str(sp->values->name) : "";
        if (fe_name_used(c, nm)) {
            graph_error(g, NULL, "initializer '%.4096s': sparse initializers are not supported",
                        nm);
            add_poisoned(c, nm, VAL_CONST);
        }
    }

    NameMap skipped = {0};
    ExternalRoot root = {c->base_dir, &c->base_real, c->hash, c->spans};
    add_initializers(c, gp, &skipped, &root);
    check_binds_twice(c);
    for (size_t i = 0; i < gp->n_input; i++)
        add_input(c, gp->input[i], i, &skipped);
    check_binds_matched(c, gp);

    Scratch sc = {0};
    for (size_t i = 0; i < gp->n_node; i++)
        add_node(c, gp->node[i], i, &sc);
    free(sc.ids);

    if (gp->n_output == 0)
        graph_error(g, NULL, "the graph has no outputs");
    for (size_t i = 0; i < gp->n_output; i++) {
        const char *name = gp->output[i]->name;
        uint32_t id;
        if (!check_name(c, name, "graph output", i))
            continue;
        if (!namemap_get(&c->values, name, &id)) {
            if (!namemap_get(&skipped, name, NULL))
                graph_error(g, NULL, "graph output '%s' is not produced by any node, graph input "
                            "or initializer", name);
            continue;
        }
        check_output_type(c, gp->output[i], id);
        graph_add_output(g, id);
    }
    namemap_free(&skipped);
    mark_unread_inputs(c);
    /* An INT32 or BOOL input was let in so that an operator needing it at
     * compile time could say so; one that nothing reads is taken (a run
     * checks its type alone). */
    for (uint32_t i = 0; i < g->n_inputs; i++) {
        const Value *v = &g->values[g->inputs[i]];
        if (!v->wrap && !v->unread && !runtime_input_type(v->dtype) &&
            !namemap_get(&c->compile_time, v->name, NULL))
            graph_error(g, NULL, "input '%s' has data type %s; only %s inputs are supported",
                        v->name, fe_onnx_dtype_name(fe_dtype_to_onnx(v->dtype)),
                        RUNTIME_INPUT_TYPES);
    }
}

/* Unpacks buf (owned, when not NULL, is released as soon as it has been) and
 * imports it into g; frees g and returns NULL after errors. */
static Graph *import_bytes(Graph *g, const uint8_t *buf, size_t len, FeFile *owned,
                           const char *base_dir, const ImportOptions *opt)
{
    size_t max_bytes = opt && opt->max_bytes ? opt->max_bytes : FE_DEFAULT_MAX_BYTES;
    Onnx__ModelProto *m = NULL;
    PbAlloc pb = {0};
    ProtobufCAllocator alloc = {pb_alloc, pb_defer_free, &pb};
    FeSpans spans = {.min = opt && opt->span_min ? opt->span_min : SPAN_MIN};
    vggrt_checksum_state hash;
    if (opt && opt->digest)
        vggrt_checksum_init(&hash);
    if (len == 0) {
        graph_error(g, NULL, "the file is empty (0 bytes); not an ONNX model");
    } else if (len > max_bytes) {
        graph_error(g, NULL, "the model is %zu bytes, over the limit of %zu", len, max_bytes);
    } else {
        /* (From memory too, as the fuzzers import: the same code.) */
        const char *why = fe_pb_scan_spans(&onnx__model_proto__descriptor, buf, len, &spans);
        const char *fault = NULL;   /* ours, not the model's */
        uint8_t *slim = NULL;
        size_t slim_len = 0;
        if (!why && spans.n && !spans_nonce(&spans))
            fault = "no random bytes for the weights' markers";
        else if (!why && spans.n)
            fault = fe_pb_slim(&onnx__model_proto__descriptor, buf, len, &spans, &slim,
                               &slim_len);
        if (!why && !fault)
            m = spans.n ? onnx__model_proto__unpack(&alloc, slim_len, slim)
                        : onnx__model_proto__unpack(&alloc, len, buf);
        free(slim);
        if (m && !spans_copy(&spans, buf, len, owned && owned->mapped ? owned : NULL,
                             opt && opt->digest ? &hash : NULL))
            map_oom();
        if (fault) {
            graph_error(g, NULL, "cannot import the model (%zu bytes): %s", len, fault);
        } else if (!m) {
            char head[16] = "";
            for (size_t i = 0, at = 0; i < 4 && i < len; i++)
                at += (size_t)snprintf(head + at, sizeof head - at, "%s%02X", i ? " " : "",
                                       buf[i]);
            graph_error(g, NULL, "not a valid ONNX model (%s; %zu bytes, starts with %s)",
                        why ? why : "protobuf parse failed", len, head);
        }
    }
    if (owned)
        fe_file_release(owned);
    if (m) {
        ImportCtx c = {.g = g, .spans = &spans, .batch = opt ? opt->batch : 0,
                       .base_dir = base_dir, .hash = opt && opt->digest ? &hash : NULL};
        if (opt && opt->n_binds) {
            c.binds = opt->binds;
            c.n_binds = opt->n_binds;
            c.bound = calloc(opt->n_binds, sizeof *c.bound);
            if (!c.bound)
                map_oom();
        }
        if (m->graph)
            collect_used(&c, m->graph);
        import_graph(&c, m);
        free(c.bound);
        namemap_free(&c.values);
        namemap_free(&c.used);
        namemap_free(&c.compile_time);
        free(c.base_real);
        /* The model's bytes, then the external data and bound inputs in the
         * order the import read them. */
        if (c.hash && !g->n_errors)
            *opt->digest = (ImportDigest){vggrt_checksum_final(c.hash), len, true};
    }
    pb_release(&pb);
    spans_release(&spans);
    if (g->n_errors) {
        graph_free(g);
        return NULL;
    }
    return g;
}

Graph *onnx_import_buffer(const void *buf, size_t len, const char *path_for_messages,
                          const char *base_dir, const ImportOptions *opt)
{
    Graph *g = graph_new(path_for_messages);
    return import_bytes(g, buf, len, NULL, base_dir, opt);
}

Graph *onnx_import(const char *path, const ImportOptions *opt)
{
    Graph *g = graph_new(path);
    size_t max_bytes = opt && opt->max_bytes ? opt->max_bytes : FE_DEFAULT_MAX_BYTES;
    FeFile file;
    char why[256];
    if (!fe_file_load(path, max_bytes, &file, why, sizeof why)) {
        graph_error(g, NULL, "%s", why);
        graph_free(g);
        return NULL;
    }
    char *dir = fe_dirname(path);
    if (!dir) {
        fprintf(stderr, "vggc: error: out of memory\n");
        exit(3);
    }
    g = import_bytes(g, file.data, file.len, &file, dir, opt);
    free(dir);
    return g;
}
