/* fold_constants.c — shape inference, and evaluation of what is known.
 *
 * Walks the nodes in order.  Each node first gets its output shapes
 * (node_infer_shape); then, if everything it reads is known at compile
 * time, it is evaluated here and its output becomes a constant.  This is
 * how PyTorch's flatten (Shape -> Gather -> Unsqueeze -> Concat -> Reshape)
 * turns into a Reshape with a constant shape.
 *
 * A Shape of a batched tensor folds too: its batch entry holds the marker
 * VGGC_SYM_N, which data-movement ops (Gather, Concat, Squeeze, ...) carry
 * along and Reshape reads as "the batch".  Arithmetic on it is not folded.
 *
 * Folded here: Shape, Gather, Concat, Squeeze, Unsqueeze, Reshape, Flatten,
 * Identity, Dropout, Cast, Transpose, Add/Sub/Mul/Div, Pow, the elementwise
 * activations, Gemm, MatMul of matrices, BatchNormalization, Softmax,
 * LogSoftmax, the reductions and global pools, Sum, PRelu, and Conv,
 * MaxPool and AveragePool of any rank, each through the runtime's own
 * kernel (windows with the backends' own lowering, codegen/plan.c), so a
 * folded value is what the layer would have computed.  Batched MatMul and
 * non-float arithmetic beyond int64 are left to run (the backends accept
 * constant operands; exported CNNs do not compute them).
 *
 * requires: the frontend's graph.  keeps: -.  establishes: every value has
 * a shape.  invalidates: nothing (ids stay; dead nodes are compacted away
 * by later passes).
 */
#include "passes.h"
#include "plan.h"
#include "vggrt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { FOLD_MAX_BYTES = 64 << 20 };   /* don't fold huge tensors into weights */

static bool all_inputs_const(const Graph *g, const Node *n)
{
    for (uint32_t i = 0; i < n->n_in; i++)
        if (n->in[i] != VGGC_NONE && !is_const(g, n->in[i]))
            return false;
    return true;
}

static bool has_sym(const Value *v)
{
    if (v->dtype != DT_INT64)
        return false;
    const int64_t *p = v->data;
    for (size_t i = 0; i < v->nbytes / 8; i++)
        if (p[i] == VGGC_SYM_N)
            return true;
    return false;
}

/* Turns output `o` of the node into a constant holding `data`. */
static void make_const(Graph *g, uint32_t o, const void *data, size_t nbytes)
{
    Value *v = &g->values[o];
    v->kind = VAL_CONST;
    v->producer = VGGC_NONE;
    v->data = arena_alloc_aligned(&g->arena, nbytes, 64);
    v->nbytes = nbytes;
    if (nbytes)
        memcpy(v->data, data, nbytes);
}

/* Bytes of value v's output (shape known, static). */
static bool out_bytes(const Value *v, size_t *out)
{
    size_t n;
    if (shape_is_batched(&v->shape) || !shape_numel_per_item(&v->shape, &n))
        return false;
    return size_mul(n, dtype_size(v->dtype), out) && *out <= FOLD_MAX_BYTES;
}

static void fold_shape(Graph *g, Node *n)
{
    const Value *x = &g->values[n->in[0]];
    const Value *y = &g->values[n->out[0]];
    int64_t buf[VGGC_MAX_RANK];
    int64_t r = x->shape.rank;
    int64_t start = n->attr.shape.start, end = n->attr.shape.has_end ? n->attr.shape.end : r;
    if (start < 0) start += r;
    if (end < 0) end += r;
    if (start < 0) start = 0;
    if (end > r) end = r;
    size_t k = 0;
    for (int64_t i = start; i < end; i++)
        buf[k++] = x->shape.d[i] == VGGC_DIM_N ? VGGC_SYM_N : x->shape.d[i];
    VGGC_ASSERT((int64_t)k == (y->shape.rank ? y->shape.d[0] : 0) || y->shape.rank == 1);
    make_const(g, n->out[0], buf, k * 8);
}

/* Size of a static shape (inference refused a batched one). */
static void fold_size(Graph *g, Node *n)
{
    size_t numel;
    VGGC_ASSERT(shape_numel_per_item(&g->values[n->in[0]].shape, &numel));
    int64_t v = (int64_t)numel;
    make_const(g, n->out[0], &v, sizeof v);
}

/* Split of a constant: each output its slice. */
static void fold_split(Graph *g, Node *n)
{
    const Value *x = &g->values[n->in[0]];
    for (uint32_t i = 0; i < n->n_out; i++) {
        if (n->out[i] == VGGC_NONE)
            continue;
        const Value *y = &g->values[n->out[i]];
        int64_t start[VGGC_MAX_RANK], step[VGGC_MAX_RANK];
        split_part(g, n, i, start, step);
        size_t nbytes;
        VGGC_ASSERT(out_bytes(y, &nbytes));
        void *buf = malloc(nbytes ? nbytes : 1);
        VGGC_ASSERT(buf);
        vggrt_slice(x->shape.rank, x->shape.d, start, step, y->shape.d, dtype_size(x->dtype),
                    x->data, buf);
        make_const(g, n->out[i], buf, nbytes);
        free(buf);
    }
}

/* ConstantOfShape: every element the fill value, in the output's type. */
static void fold_fill(Graph *g, Node *n)
{
    const FillAttr *a = &n->attr.fill;
    const Value *y = &g->values[n->out[0]];
    size_t nbytes, es = dtype_size(y->dtype);
    VGGC_ASSERT(out_bytes(y, &nbytes));
    unsigned char elem[8], *buf = malloc(nbytes ? nbytes : 1);
    VGGC_ASSERT(buf);
    switch (y->dtype) {
    case DT_FLOAT: { float v = (float)a->f; memcpy(elem, &v, 4); break; }
    case DT_DOUBLE: memcpy(elem, &a->f, 8); break;
    case DT_INT64: memcpy(elem, &a->i, 8); break;
    case DT_INT32: { int32_t v = (int32_t)a->i; memcpy(elem, &v, 4); break; }
    default: elem[0] = (unsigned char)a->i; break;  /* INT8, UINT8, BOOL (frontend) */
    }
    for (size_t at = 0; at < nbytes; at += es)
        memcpy(buf + at, elem, es);
    make_const(g, n->out[0], buf, nbytes);
    free(buf);
}

/* Ops whose output is the input's bytes in the same order. */
static void fold_copy(Graph *g, Node *n)
{
    const Value *x = &g->values[n->in[0]];
    make_const(g, n->out[0], x->data, x->nbytes);
}

static void fold_gather(Graph *g, Node *n)
{
    const Value *x = &g->values[n->in[0]], *ix = &g->values[n->in[1]];
    Value *y = &g->values[n->out[0]];
    int64_t axis = n->attr.axis < 0 ? n->attr.axis + x->shape.rank : n->attr.axis;
    size_t es = dtype_size(x->dtype), outer = 1, inner = 1, count;
    for (int64_t i = 0; i < axis; i++) outer *= (size_t)x->shape.d[i];
    for (int64_t i = axis + 1; i < x->shape.rank; i++) inner *= (size_t)x->shape.d[i];
    int64_t len = x->shape.d[axis];
    count = ix->nbytes / dtype_size(ix->dtype);
    int64_t *idx = malloc((count ? count : 1) * sizeof *idx);
    VGGC_ASSERT(idx);
    for (size_t i = 0; i < count; i++)
        idx[i] = ix->dtype == DT_INT64 ? ((const int64_t *)ix->data)[i]
                                       : ((const int32_t *)ix->data)[i];
    size_t nbytes = outer * count * inner * es;
    void *buf = malloc(nbytes ? nbytes : 1);
    VGGC_ASSERT(buf);
    if (vggrt_gather(es, (int64_t)outer, len, (int64_t)inner, x->data, idx, (int64_t)count, buf) != VGGRT_OK)
        graph_error(g, n, "index out of range for axis %lld of size %lld",
                    (long long)axis, (long long)len);
    else
        make_const(g, n->out[0], buf, nbytes);
    (void)y;
    free(idx);
    free(buf);
}

/* Slice of a constant (Shape -> Slice in exported shape arithmetic). */
static void fold_slice(Graph *g, Node *n)
{
    const Value *x = &g->values[n->in[0]], *y = &g->values[n->out[0]];
    int64_t start[VGGC_MAX_RANK], step[VGGC_MAX_RANK];
    Shape o;
    slice_window(&n->attr.slice, &x->shape, start, step, &o);
    size_t nbytes;
    VGGC_ASSERT(out_bytes(y, &nbytes));
    void *buf = malloc(nbytes ? nbytes : 1);
    VGGC_ASSERT(buf);
    vggrt_slice(x->shape.rank, x->shape.d, start, step, y->shape.d, dtype_size(x->dtype), x->data,
                buf);
    make_const(g, n->out[0], buf, nbytes);
    free(buf);
}

static void fold_concat(Graph *g, Node *n)
{
    const Value *y = &g->values[n->out[0]];
    int64_t axis = n->attr.axis < 0 ? n->attr.axis + y->shape.rank : n->attr.axis;
    size_t es = dtype_size(y->dtype), outer = 1, inner = 1, nbytes;
    for (int64_t i = 0; i < axis; i++) outer *= (size_t)y->shape.d[i];
    for (int64_t i = axis + 1; i < y->shape.rank; i++) inner *= (size_t)y->shape.d[i];
    VGGC_ASSERT(out_bytes(y, &nbytes));
    unsigned char *buf = malloc(nbytes ? nbytes : 1);
    VGGC_ASSERT(buf);
    size_t dst_row = (size_t)y->shape.d[axis] * inner * es, col = 0;
    for (uint32_t i = 0; i < n->n_in; i++) {
        const Value *x = &g->values[n->in[i]];
        size_t row = (size_t)x->shape.d[axis] * inner * es;
        vggrt_copy2d(outer, row, x->data, row, buf + col, dst_row);
        col += row;
    }
    make_const(g, n->out[0], buf, nbytes);
    free(buf);
}

static int dtype_code(DType t)
{
    switch (t) {
    case DT_FLOAT: return VGGRT_F32;
    case DT_INT64: return VGGRT_I64;
    case DT_INT32: return VGGRT_I32;
    case DT_BOOL: return VGGRT_BOOL;
    case DT_UINT8: return VGGRT_U8;
    case DT_INT8: return VGGRT_I8;
    case DT_DOUBLE: return VGGRT_F64;
    case DT_FLOAT16: return VGGRT_F16;
    case DT_BFLOAT16: return VGGRT_BF16;
    default: return 0;
    }
}

static void fold_cast(Graph *g, Node *n)
{
    const Value *x = &g->values[n->in[0]];
    const Value *y = &g->values[n->out[0]];
    size_t count = x->nbytes / dtype_size(x->dtype), nbytes = count * dtype_size(y->dtype);
    void *buf = malloc(nbytes ? nbytes : 1);
    VGGC_ASSERT(buf);
    if (vggrt_cast(dtype_code(x->dtype), dtype_code(y->dtype), count, x->data, buf) == VGGRT_OK)
        make_const(g, n->out[0], buf, nbytes);
    free(buf);
}

static void fold_transpose(Graph *g, Node *n)
{
    const Value *x = &g->values[n->in[0]];
    int64_t perm[VGGC_MAX_RANK];
    int r = x->shape.rank;
    for (int i = 0; i < r; i++)
        perm[i] = n->attr.perm.n_perm ? n->attr.perm.perm[i] : r - 1 - i;
    void *buf = malloc(x->nbytes ? x->nbytes : 1);
    VGGC_ASSERT(buf);
    vggrt_transpose(dtype_size(x->dtype), r, x->shape.d, perm, x->data, buf);
    make_const(g, n->out[0], buf, x->nbytes);
    free(buf);
}

static void fold_binary(Graph *g, Node *n)
{
    const Value *a = &g->values[n->in[0]], *b = &g->values[n->in[1]];
    const Value *y = &g->values[n->out[0]];
    if (has_sym(a) || has_sym(b))
        return;     /* arithmetic on the batch size: left to run */
    size_t nbytes;
    VGGC_ASSERT(out_bytes(y, &nbytes));
    int64_t as[VGGC_MAX_RANK], bs[VGGC_MAX_RANK];
    shape_broadcast_strides(&a->shape, &y->shape, as);
    shape_broadcast_strides(&b->shape, &y->shape, bs);
    int op = n->op == OP_ADD ? VGGRT_ADD : n->op == OP_SUB ? VGGRT_SUB
           : n->op == OP_MUL ? VGGRT_MUL : n->op == OP_DIV ? VGGRT_DIV
           : n->attr.mod.fmod ? VGGRT_FMOD : VGGRT_MOD;
    void *buf = malloc(nbytes ? nbytes : 1);
    VGGC_ASSERT(buf);
    /* the run-time kernel, so a folded result is what the layer would give */
    if (vggrt_binary(dtype_code(y->dtype), op, y->shape.rank, y->shape.d, as, bs, a->data,
                     b->data, buf) == VGGRT_OK)
        make_const(g, n->out[0], buf, nbytes);
    free(buf);
}

/* Pow of constants (an exponent computed from constants, say), through
 * the run-time kernel as fold_binary. */
static void fold_pow(Graph *g, Node *n)
{
    const Value *x = &g->values[n->in[0]], *e = &g->values[n->in[1]];
    const Value *y = &g->values[n->out[0]];
    if (has_sym(x) || has_sym(e))
        return;
    size_t nbytes;
    VGGC_ASSERT(out_bytes(y, &nbytes));
    int64_t xs[VGGC_MAX_RANK], es[VGGC_MAX_RANK];
    shape_broadcast_strides(&x->shape, &y->shape, xs);
    shape_broadcast_strides(&e->shape, &y->shape, es);
    void *buf = malloc(nbytes ? nbytes : 1);
    VGGC_ASSERT(buf);
    if (vggrt_pow(dtype_code(x->dtype), dtype_code(e->dtype), y->shape.rank, y->shape.d, xs, es,
                  x->data, e->data, buf) == VGGRT_OK)
        make_const(g, n->out[0], buf, nbytes);
    free(buf);
}

/* Elementwise activations of a constant, through the runtime's kernel. */
/* Neg, Abs, Sign of integers (shape arithmetic), wrapping as two's
 * complement does (-INT64_MIN is INT64_MIN). */
static void fold_unary_int(Graph *g, Node *n)
{
    const Value *x = &g->values[n->in[0]];
    if (has_sym(x))
        return;     /* the batch's marker is not a number (plan refuses) */
    size_t es = dtype_size(x->dtype), count = x->nbytes / es;
    unsigned char *buf = malloc(x->nbytes ? x->nbytes : 1);
    VGGC_ASSERT(buf);
    for (size_t i = 0; i < count; i++) {
        int64_t v;
        if (es == 8) {
            memcpy(&v, (const unsigned char *)x->data + i * 8, 8);
        } else {
            int32_t w;
            memcpy(&w, (const unsigned char *)x->data + i * 4, 4);
            v = w;
        }
        uint64_t neg = 0 - (uint64_t)v;
        uint64_t r = n->op == OP_NEG ? neg : n->op == OP_ABS ? (v < 0 ? neg : (uint64_t)v)
                   : (uint64_t)(int64_t)(v > 0 ? 1 : v < 0 ? -1 : 0);
        if (es == 8) {
            memcpy(buf + i * 8, &r, 8);
        } else {
            uint32_t w = (uint32_t)r;
            memcpy(buf + i * 4, &w, 4);
        }
    }
    make_const(g, n->out[0], buf, x->nbytes);
    free(buf);
}

static void fold_unary(Graph *g, Node *n)
{
    const Value *x = &g->values[n->in[0]];
    if (x->dtype == DT_INT64 || x->dtype == DT_INT32) {
        fold_unary_int(g, n);
        return;
    }
    if (x->dtype != DT_FLOAT)
        return;
    int op;
    float p0 = 0, p1 = 0;
    PlanUnary u;
    if (n->op == OP_CLIP) { /* a bound input (ir.h: ClipAttr) is a constant here too */
        op = VGGRT_CLIP;
        p0 = n->attr.clip.min;
        p1 = n->attr.clip.max;
        if (n->n_in > 1 && n->in[1] != VGGC_NONE)
            memcpy(&p0, g->values[n->in[1]].data, sizeof p0);
        if (n->n_in > 2 && n->in[2] != VGGC_NONE)
            memcpy(&p1, g->values[n->in[2]].data, sizeof p1);
    } else if (plan_unary(n, &u)) {
        op = u.op;
        p0 = u.p0;
        p1 = u.p1;
    } else {
        return;
    }
    size_t count = x->nbytes / sizeof(float);
    float *buf = malloc(x->nbytes ? x->nbytes : 1);
    VGGC_ASSERT(buf);
    vggrt_unary_f32(op, count, x->data, buf, p0, p1);
    make_const(g, n->out[0], buf, x->nbytes);
    free(buf);
}

/* Product of dims [from, to) of a shape. */
static int64_t dims_product(const Shape *s, int from, int to)
{
    int64_t p = 1;
    for (int i = from; i < to; i++)
        p *= s->d[i];
    return p;
}

/* A float buffer for output o of the node, made a constant by finish(). */
static float *out_buffer(const Graph *g, uint32_t o, size_t *nbytes)
{
    VGGC_ASSERT(out_bytes(&g->values[o], nbytes));
    float *buf = calloc(1, *nbytes ? *nbytes : 1);
    VGGC_ASSERT(buf);
    return buf;
}

static void finish(Graph *g, const Node *n, float *buf, size_t nbytes)
{
    make_const(g, n->out[0], buf, nbytes);
    free(buf);
}

/* Y = alpha op(A) op(B) + beta C (C broadcast from [], [N], [1,N], [M,1], [M,N]). */
static void fold_gemm(Graph *g, Node *n)
{
    const Value *a = &g->values[n->in[0]], *b = &g->values[n->in[1]];
    const GemmAttr *at = &n->attr.gemm;
    const Shape *y = &g->values[n->out[0]].shape;
    const int64_t M = y->d[0], N = y->d[1];
    const int64_t K = at->trans_a ? a->shape.d[0] : a->shape.d[1];
    const Value *c = n->n_in > 2 && n->in[2] != VGGC_NONE ? &g->values[n->in[2]] : NULL;
    int64_t c_rs = 0, c_cs = 0;
    if (c) {
        const Shape *cs = &c->shape;
        c_cs = cs->rank >= 1 && cs->d[cs->rank - 1] != 1 ? 1 : 0;
        c_rs = cs->rank == 2 && cs->d[0] != 1 ? cs->d[1] : 0;
    }
    size_t nbytes;
    float *buf = out_buffer(g, n->out[0], &nbytes);
    vggrt_gemm(at->trans_a, at->trans_b, M, N, K, at->alpha, a->data, at->trans_a ? M : K,
               b->data, at->trans_b ? K : N, c ? at->beta : 0.0f, c ? c->data : NULL, c_rs, c_cs,
               buf);
    finish(g, n, buf, nbytes);
}

/* MatMul of two matrices (batched and vector forms are left to run). */
static void fold_matmul(Graph *g, Node *n)
{
    const Value *a = &g->values[n->in[0]], *b = &g->values[n->in[1]];
    if (a->shape.rank != 2 || b->shape.rank != 2)
        return;
    size_t nbytes;
    float *buf = out_buffer(g, n->out[0], &nbytes);
    vggrt_gemm(0, 0, a->shape.d[0], b->shape.d[1], a->shape.d[1], 1.0f, a->data, a->shape.d[1],
               b->data, b->shape.d[1], 0.0f, NULL, 0, 0, buf);
    finish(g, n, buf, nbytes);
}

/* y = (x - mean) / sqrt(var + eps) * scale + bias, per channel (axis 1). */
static void fold_batchnorm_const(Graph *g, Node *n)
{
    const Value *x = &g->values[n->in[0]];
    const float *scale = g->values[n->in[1]].data, *bias = g->values[n->in[2]].data;
    const float *mean = g->values[n->in[3]].data, *var = g->values[n->in[4]].data;
    if (x->shape.rank < 2)
        return;
    const int64_t c = x->shape.d[1];
    float *sc = malloc(sizeof(float) * (size_t)c), *sh = malloc(sizeof(float) * (size_t)c);
    VGGC_ASSERT(sc && sh);
    for (int64_t i = 0; i < c; i++) {
        sc[i] = scale[i] / sqrtf(var[i] + n->attr.bn.epsilon);
        sh[i] = bias[i] - mean[i] * sc[i];
    }
    size_t nbytes;
    float *buf = out_buffer(g, n->out[0], &nbytes);
    vggrt_channel_affine(x->shape.d[0], c, dims_product(&x->shape, 2, x->shape.rank), sc, sh,
                         x->data, buf);
    free(sc);
    free(sh);
    finish(g, n, buf, nbytes);
}

static void fold_softmax(Graph *g, Node *n)
{
    const Shape *x = &g->values[n->in[0]].shape;
    const int r = x->rank;
    const int axis = (int)(n->attr.softmax.axis < 0 ? n->attr.softmax.axis + r
                                                    : n->attr.softmax.axis);
    const bool flat = n->attr.softmax.coerce_2d; /* opset < 13: [outer, rest] */
    size_t nbytes;
    float *buf = out_buffer(g, n->out[0], &nbytes);
    vggrt_softmax(n->op == OP_LOG_SOFTMAX, dims_product(x, 0, axis),
                  flat ? dims_product(x, axis, r) : x->d[axis],
                  flat ? 1 : dims_product(x, axis + 1, r), g->values[n->in[0]].data, buf);
    finish(g, n, buf, nbytes);
}

/* The Reduce ops and the global pools (a reduction over H, W, ...). */
static void fold_reduce(Graph *g, Node *n)
{
    const Value *x = &g->values[n->in[0]];
    const int r = x->shape.rank;
    unsigned mask = 0;
    const char *name;
    int op = plan_reduce_op(n->op, &name);
    if (n->op == OP_GLOBAL_AVGPOOL || n->op == OP_GLOBAL_MAXPOOL) {
        for (int i = 2; i < r; i++)
            mask |= 1u << i;
    } else {
        const AxesAttr *a = &n->attr.axes;
        if (a->n_axes == 0 && a->noop_with_empty_axes) {
            fold_copy(g, n);
            return;
        }
        for (int i = 0; i < a->n_axes; i++)
            mask |= 1u << (a->axes[i] < 0 ? a->axes[i] + r : a->axes[i]);
        if (a->n_axes == 0)
            mask = r ? (1u << r) - 1 : 0;
    }
    size_t nbytes;
    float *buf = out_buffer(g, n->out[0], &nbytes);
    vggrt_reduce_f32(op, r ? r : 1, r ? x->shape.d : (const int64_t[]){ 1 }, mask, x->data, buf);
    finish(g, n, buf, nbytes);
}

/* Sum of its inputs and PRelu: elementwise with broadcasting. */
static void fold_sum_prelu(Graph *g, Node *n)
{
    const Shape *y = &g->values[n->out[0]].shape;
    size_t nbytes;
    float *buf = out_buffer(g, n->out[0], &nbytes);
    int64_t ys[VGGC_MAX_RANK], xs[VGGC_MAX_RANK];
    for (int i = 0; i < y->rank; i++)   /* y is dense in its own shape */
        ys[i] = dims_product(y, i + 1, y->rank);
    if (n->op == OP_PRELU) {
        const Value *a = &g->values[n->in[0]], *b = &g->values[n->in[1]];
        int64_t bs[VGGC_MAX_RANK];
        shape_broadcast_strides(&a->shape, y, xs);
        shape_broadcast_strides(&b->shape, y, bs);
        vggrt_binary_f32(VGGRT_PRELU, y->rank, y->d, xs, bs, a->data, b->data, buf);
    } else {
        for (uint32_t i = 0; i < n->n_in; i++) {
            const Value *x = &g->values[n->in[i]];
            shape_broadcast_strides(&x->shape, y, xs);
            vggrt_binary_f32(VGGRT_ADD, y->rank, y->d, ys, xs, buf, x->data, buf);
        }
    }
    finish(g, n, buf, nbytes);
}

/* Conv, MaxPool and AveragePool of constants (1-D to 3-D, plain layout):
 * vggrt_conv3d and the 3-D pools, which run 1-D and 2-D windows at depth
 * 1.  An im2col scratch larger than FOLD_MAX_BYTES leaves the node to run. */
static void fold_window(Graph *g, Node *n)
{
    const Value *x = &g->values[n->in[0]];
    const int64_t batch = x->shape.d[0];
    if (n->op == OP_CONV) {
        vggrt_conv3d_params p;
        plan_conv3d_params(g, n, &p);
        size_t work_floats = vggrt_conv3d_work_size(&p), work_bytes;
        if (!size_mul(work_floats, sizeof(float), &work_bytes) || work_bytes > FOLD_MAX_BYTES)
            return;
        size_t nbytes;
        float *buf = out_buffer(g, n->out[0], &nbytes);
        float *work = malloc(work_bytes ? work_bytes : 1);
        VGGC_ASSERT(work);
        const bool has_bias = n->n_in > 2 && n->in[2] != VGGC_NONE;
        vggrt_conv3d(&p, VGGRT_ACT_NONE, 0.0f, 0.0f, batch, x->data, g->values[n->in[1]].data,
                     has_bias ? g->values[n->in[2]].data : NULL, buf, work);
        free(work);
        finish(g, n, buf, nbytes);
        return;
    }
    vggrt_pool3d_params p;
    plan_pool_params(g, n, &p);
    size_t nbytes;
    float *buf = out_buffer(g, n->out[0], &nbytes);
    if (n->op == OP_MAXPOOL)
        vggrt_maxpool3d(&p, batch, x->data, buf);
    else
        vggrt_avgpool3d(&p, batch, x->data, buf);
    finish(g, n, buf, nbytes);
}

static void fold_node(Graph *g, Node *n)
{
    size_t nbytes;
    if (n->op == OP_SPLIT) {    /* outputs as large as the input, together */
        if (all_inputs_const(g, n) && out_bytes(&g->values[n->in[0]], &nbytes)) {
            fold_split(g, n);
            n->op = OP_DEAD;
        }
        return;
    }
    const Value *y = &g->values[n->out[0]];
    if (n->n_out != 1 && !(n->op == OP_DROPOUT && n->out[1] == VGGC_NONE))
        return;     /* a Dropout's mask, a MaxPool's Indices: no folding */
    if (!out_bytes(y, &nbytes))
        return;
    if (n->op == OP_SHAPE || n->op == OP_SIZE) {    /* from the shape alone */
        if (n->op == OP_SHAPE)
            fold_shape(g, n);
        else
            fold_size(g, n);
        n->op = OP_DEAD;
        return;
    }
    if (!all_inputs_const(g, n))
        return;
    switch (n->op) {
    case OP_IDENTITY: case OP_DROPOUT: case OP_SQUEEZE: case OP_UNSQUEEZE:
    case OP_RESHAPE: case OP_FLATTEN:
        fold_copy(g, n);
        break;
    case OP_GATHER: fold_gather(g, n); break;
    case OP_SLICE: fold_slice(g, n); break;
    case OP_CONSTANT_OF_SHAPE: fold_fill(g, n); break;
    case OP_CONCAT: fold_concat(g, n); break;
    case OP_CAST: fold_cast(g, n); break;
    case OP_TRANSPOSE: fold_transpose(g, n); break;
    case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV: case OP_MOD:   /* any type shape.c admits */
        fold_binary(g, n);
        break;
    case OP_POW: fold_pow(g, n); break;
    case OP_RELU: case OP_SIGMOID: case OP_TANH: case OP_HARD_SWISH: case OP_LEAKY_RELU:
    case OP_CLIP: case OP_HARD_SIGMOID: case OP_ABS: case OP_NEG: case OP_EXP: case OP_LOG:
    case OP_SQRT: case OP_RECIPROCAL: case OP_CEIL: case OP_FLOOR: case OP_ROUND: case OP_SIGN:
    case OP_ERF: case OP_SIN: case OP_COS: case OP_ELU: case OP_SELU: case OP_SOFTPLUS:
    case OP_SOFTSIGN: case OP_THRESHOLDED_RELU:
        fold_unary(g, n);
        break;
    case OP_GEMM: case OP_MATMUL: case OP_BATCHNORM: case OP_SOFTMAX: case OP_LOG_SOFTMAX:
    case OP_REDUCE_MEAN: case OP_REDUCE_MAX: case OP_REDUCE_SUM: case OP_REDUCE_MIN:
    case OP_REDUCE_PROD: case OP_REDUCE_SUM_SQUARE: case OP_REDUCE_L1:
    case OP_REDUCE_L2: case OP_REDUCE_LOG_SUM: case OP_REDUCE_LOG_SUM_EXP:
    case OP_GLOBAL_AVGPOOL:
    case OP_GLOBAL_MAXPOOL: case OP_SUM: case OP_PRELU: case OP_CONV: case OP_MAXPOOL:
    case OP_AVGPOOL:
        if (y->dtype != DT_FLOAT)
            break;
        switch (n->op) {
        case OP_CONV: case OP_MAXPOOL: case OP_AVGPOOL: fold_window(g, n); break;
        case OP_GEMM: fold_gemm(g, n); break;
        case OP_MATMUL: fold_matmul(g, n); break;
        case OP_BATCHNORM: fold_batchnorm_const(g, n); break;
        case OP_SOFTMAX: case OP_LOG_SOFTMAX: fold_softmax(g, n); break;
        case OP_SUM: case OP_PRELU: fold_sum_prelu(g, n); break;
        default: fold_reduce(g, n); break;
        }
        break;
    default:
        return;
    }
    if (g->values[n->out[0]].kind == VAL_CONST)
        n->op = OP_DEAD;
}

bool pass_fold_constants(Graph *g)
{
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        Node *n = &g->nodes[i];
        if (n->op == OP_DEAD)
            continue;
        bool shaped = true;
        for (uint32_t j = 0; j < n->n_in; j++)
            if (n->in[j] != VGGC_NONE && !g->values[n->in[j]].has_shape)
                shaped = false;
        if (!shaped)
            continue;     /* an earlier node failed and said so */
        if (!node_infer_shape(g, n))
            continue;
        fold_node(g, n);
    }
    if (g->n_errors)
        return false;
    graph_compact(g);
    return true;
}
