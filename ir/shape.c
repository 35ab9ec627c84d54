/* shape.c — dtype and shape inference.
 *
 * The frontend hands over a graph in which only graph inputs and constants
 * have shapes.  This file walks the nodes in order and gives every output
 * its dtype and shape, following the ONNX operator specification: numpy
 * broadcasting for the elementwise ops, Gemm's transposes, MatMul's 1-D
 * operands and batch broadcasting, the window formula of Conv and the pools
 * (pads, strides, dilations, ceil_mode, auto_pad), and the data-movement ops.
 *
 * Two things are ours, not ONNX's:
 *
 *  - The batch.  A shape's dim 0 may be the symbolic N, and N may appear
 *    nowhere else.  Broadcasting N with 1 gives N; N with any other static
 *    size is an error.  An op whose output would carry N in another place
 *    (a Transpose that moves dim 0, a Concat along the batch, a Reshape that
 *    merges the batch into another dim, a reduction over the batch, ...) is
 *    reported as unsupported: it "moves the batch dimension".
 *
 *  - Resolution.  Where ONNX leaves something to be worked out from shapes,
 *    inference writes the answer back into the node's attributes, so later
 *    stages read one canonical form: auto_pad becomes explicit pads (and
 *    auto_pad NOTSET), Conv's kernel comes from its weight (has_kernel set),
 *    negative axes become non-negative and sorted, an empty Transpose perm
 *    becomes the explicit reversal, Shape's start/end are clamped, the axes
 *    of an axes-less Reduce* or Squeeze are listed.  Running inference
 *    again on its own output changes nothing.
 *
 * Every problem is reported with graph_error() against the node, naming the
 * input, what was expected and what was found.  A node that fails leaves its
 * outputs without a shape; nodes that read them are skipped silently (their
 * cause is already reported), so one run reports every independent problem.
 * Attribute values are validated before any arithmetic: dims never exceed
 * VGGC_MAX_DIM and every product is checked, so hostile attributes give a
 * message, never an overflow.
 */
#include "ir.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- the per-node context and its messages -------------------------------- */

typedef struct {
    Graph *g;
    Node *n;
    int bad;                /* errors reported against this node */
} Inf;

/* Reports a problem with the node (graph_error) and counts it in c->bad. */
static void err(Inf *c, const char *fmt, ...) VGGC_PRINTF(2, 3);
static void err(Inf *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    graph_verror(c->g, c->n, fmt, ap);
    va_end(ap);
    c->bad++;
}

/* The ONNX role of input i, for messages ("weight" in "input 1 (weight 'w')"). */
static const char *role(OpKind op, uint32_t i)
{
    static const char *conv[] = {"data", "weight", "bias"};
    static const char *gemm[] = {"A", "B", "C"};
    static const char *bn[] = {"data", "scale", "bias", "mean", "var"};
    static const char *reshape[] = {"data", "shape"};
    static const char *gather[] = {"data", "indices"};
    static const char *dropout[] = {"data", "ratio", "training_mode"};
    static const char *clip[] = {"data", "min", "max"};
    static const char *pad[] = {"data", "pads", "constant_value", "axes"};
    static const char *axes[] = {"data", "axes"};
    static const char *prelu[] = {"X", "slope"};
    static const char *pow_[] = {"X", "Y"};
    static const char *resize[] = {"X", "roi", "scales", "sizes"};
    switch (op) {
    case OP_CONV: case OP_CONV_TRANSPOSE: return i < 3 ? conv[i] : "input";
    case OP_GEMM: case OP_MATMUL: case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV:
        return i < 3 ? gemm[i] : "input";
    case OP_BATCHNORM: return i < 5 ? bn[i] : "input";
    case OP_LAYER_NORM: case OP_INSTANCE_NORM: return i < 3 ? bn[i] : "input";
    case OP_POW: return i < 2 ? pow_[i] : "input";
    case OP_MOD: return i < 2 ? gemm[i] : "input";
    case OP_RESHAPE: return i < 2 ? reshape[i] : "input";
    case OP_GATHER: case OP_GATHER_ELEMENTS: return i < 2 ? gather[i] : "input";
    case OP_DROPOUT: return i < 3 ? dropout[i] : "input";
    case OP_CLIP: return i < 3 ? clip[i] : "input";
    case OP_PAD: return i < 4 ? pad[i] : "input";
    case OP_RESIZE: return i < 4 ? resize[i] : "input";
    case OP_REDUCE_MEAN: case OP_REDUCE_MAX: case OP_REDUCE_SUM: case OP_SQUEEZE:
    case OP_UNSQUEEZE: case OP_REDUCE_MIN: case OP_REDUCE_PROD: case OP_REDUCE_SUM_SQUARE:
    case OP_REDUCE_L1:
    case OP_REDUCE_L2: case OP_REDUCE_LOG_SUM: case OP_REDUCE_LOG_SUM_EXP:
        return i < 2 ? axes[i] : "input";
    case OP_PRELU: return i < 2 ? prelu[i] : "input";
    case OP_CONSTANT_OF_SHAPE: return "input";
    default: return "data";
    }
}

typedef struct { char s[512]; } Buf;     /* a message part: names, reasons */
typedef struct { char s[192]; } SBuf;    /* a formatted shape or list of up to 8 */

/* "input 1 (weight 'w')"; long names are shortened with "...". */
static const char *desc(const Inf *c, uint32_t i, Buf *b)
{
    const char *name = c->g->values[c->n->in[i]].name;
    int len = (int)strlen(name);
    if (len > 200)
        snprintf(b->s, sizeof b->s, "input %u (%s '%.200s...')", i, role(c->n->op, i), name);
    else
        snprintf(b->s, sizeof b->s, "input %u (%s '%s')", i, role(c->n->op, i), name);
    return b->s;
}

/* Formats a shape whose rank is already known to be in range. */
static const char *fmt(const Shape *s, SBuf *b)
{
    shape_format(s, b->s, sizeof b->s, NULL);
    return b->s;
}

/* Input i's value, NULL when the input is omitted or past n_in. */
static const Value *inval(const Inf *c, uint32_t i)
{
    if (i >= c->n->n_in || c->n->in[i] == VGGC_NONE)
        return NULL;
    return &c->g->values[c->n->in[i]];
}

/* ---- small checked arithmetic ------------------------------------------------ */

/* a * b into *out; false if it overflows or exceeds VGGC_MAX_DIM. */
static bool dim_mul(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r) || r > VGGC_MAX_DIM)
        return false;
    *out = r;
    return true;
}

/* Product of s->d[from..to), all static; false past VGGC_MAX_DIM. */
static bool dims_prod(const Shape *s, int from, int to, int64_t *out)
{
    int64_t p = 1;
    for (int i = from; i < to; i++)
        if (!dim_mul(p, s->d[i], &p))
            return false;
    *out = p;
    return true;
}

/* "[0,N,-1]": an int64 list as a shape constant holds it (SYM_N as N). */
static const char *fmt_list(const int64_t *v, int n, SBuf *b)
{
    size_t l = 0;
    b->s[l++] = '[';
    for (int i = 0; i < n && l < sizeof b->s - 24; i++) {
        if (v[i] == VGGC_SYM_N)
            l += (size_t)snprintf(b->s + l, sizeof b->s - l, "%sN", i ? "," : "");
        else
            l += (size_t)snprintf(b->s + l, sizeof b->s - l, "%s%lld", i ? "," : "", (long long)v[i]);
    }
    snprintf(b->s + l, sizeof b->s - l, "]");
    return b->s;
}

/* Is dim i of s the batch N? */
static bool has_n_at(const Shape *s, int i) { return i < s->rank && s->d[i] == VGGC_DIM_N; }

/* ---- checks on inputs ------------------------------------------------------------ */

/* A shape a graph may hold: rank 0..8; dim 0 N or 0..MAX; others 0..MAX. */
static bool shape_sane(const Shape *s)
{
    if (s->rank < 0 || s->rank > VGGC_MAX_RANK)
        return false;
    for (int i = 0; i < s->rank; i++) {
        if (s->d[i] == VGGC_DIM_N && i == 0)
            continue;
        if (s->d[i] < 0 || s->d[i] > VGGC_MAX_DIM)
            return false;
    }
    return true;
}

/* The want_* checks: true when input i is absent or as wanted, else a
 * message naming the input, what was expected and what was found. */
static bool want_dtype(Inf *c, uint32_t i, DType want)
{
    const Value *v = inval(c, i);
    if (!v || v->dtype == want)
        return true;
    Buf b;
    err(c, "%s: expected %s, got %s", desc(c, i, &b), dtype_name(want), dtype_name(v->dtype));
    return false;
}

static bool want_float(Inf *c, uint32_t i) { return want_dtype(c, i, DT_FLOAT); }

/* Which element types an op computes in, as a mask of DType bits: what
 * the runtime has kernels for (vggrt.h); anything else is refused here,
 * naming the node, the op and the type. */
#define DTM(t) (1u << (t))
#define DTM_BINARY (DTM(DT_FLOAT) | DTM(DT_DOUBLE) | DTM(DT_INT64) | DTM(DT_UINT8) | DTM(DT_INT8))
#define DTM_MINMAX (DTM_BINARY | DTM(DT_INT32))       /* vggrt_binary's types */
#define DTM_CLIP (DTM(DT_FLOAT) | DTM(DT_UINT8) | DTM(DT_INT8))
#define DTM_MAXPOOL (DTM(DT_FLOAT) | DTM(DT_UINT8) | DTM(DT_INT8))
#define DTM_POW (DTM(DT_FLOAT) | DTM(DT_DOUBLE) | DTM(DT_INT32) | DTM(DT_INT64))  /* vggrt_pow */

/* Input i (present) has one of the dtypes in mask, else a message
 * listing them. */
static bool want_dtypes(Inf *c, uint32_t i, unsigned mask)
{
    const Value *v = inval(c, i);
    if (v->dtype < DT_COUNT && (mask & DTM(v->dtype)))
        return true;
    char list[128] = "";
    size_t at = 0;
    for (int t = DT_UNDEF + 1; t < DT_COUNT; t++)
        if (mask & DTM(t))
            at += (size_t)snprintf(list + at, sizeof list - at, "%s%s", at ? ", " : "",
                                   dtype_name((DType)t));
    Buf b;
    err(c, "%s: %s of %s is not supported (%s are)", desc(c, i, &b), op_name(c->n->op),
        dtype_name(v->dtype), list);
    return false;
}

/* Checks every present input in [0, count) is f32, reporting each one. */
static bool want_floats(Inf *c, uint32_t count)
{
    bool ok = true;
    for (uint32_t i = 0; i < count && i < c->n->n_in; i++)
        if (!want_float(c, i))
            ok = false;
    return ok;
}

static bool want_rank(Inf *c, uint32_t i, int rank)
{
    const Value *v = inval(c, i);
    if (!v || v->shape.rank == rank)
        return true;
    Buf b;
    SBuf s;
    err(c, "%s: expected rank %d, got %s", desc(c, i, &b), rank, fmt(&v->shape, &s));
    return false;
}

static bool want_rank_min(Inf *c, uint32_t i, int rank, const char *layout)
{
    const Value *v = inval(c, i);
    if (!v || v->shape.rank >= rank)
        return true;
    Buf b;
    SBuf s;
    err(c, "%s: expected rank >= %d (%s), got %s", desc(c, i, &b), rank, layout, fmt(&v->shape, &s));
    return false;
}

/* Inputs that ONNX allows but our frontend folds into attributes. */
static bool want_absent(Inf *c, uint32_t i, const char *attr)
{
    if (!inval(c, i))
        return true;
    Buf b;
    err(c, "%s: expected it folded into the '%s' attribute by the frontend (it must be a constant)",
        desc(c, i, &b), attr);
    return false;
}

/* Normalizes axis a into [0, rank) (or [0, rank] when inclusive). */
static bool norm_axis(Inf *c, const char *what, int64_t a, int rank, bool inclusive, int64_t *out)
{
    int64_t hi = inclusive ? rank : rank - 1;
    if (a < -(int64_t)rank || a > hi) {
        err(c, "%s %lld is out of range [%d, %lld] for rank %d", what, (long long)a, -rank,
            (long long)hi, rank);
        return false;
    }
    *out = a < 0 ? a + rank : a;
    return true;
}

/* Normalizes and sorts a list of distinct axes for a tensor of `rank`. */
static bool norm_axes(Inf *c, int n, const int64_t *in, int rank, int64_t *out)
{
    if (n < 0 || n > VGGC_MAX_RANK) {
        err(c, "axes: %d entries, at most %d allowed", n, VGGC_MAX_RANK);
        return false;
    }
    for (int i = 0; i < n; i++)
        if (!norm_axis(c, "axis", in[i], rank, false, &out[i]))
            return false;
    for (int i = 1; i < n; i++)         /* insertion sort: n <= 8 */
        for (int j = i; j > 0 && out[j - 1] > out[j]; j--) {
            int64_t t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    for (int i = 1; i < n; i++)
        if (out[i] == out[i - 1]) {
            err(c, "axes: axis %lld is given twice", (long long)out[i]);
            return false;
        }
    return true;
}

/* Reads a constant int64 vector, checking its stored size.  NULL if not one
 * (reported). */
static const int64_t *const_i64_vec(Inf *c, uint32_t i, int64_t *count)
{
    Buf b;
    SBuf s;
    const Value *v = inval(c, i);
    if (v->kind == VAL_INPUT) {
        /* The wording run_conformance.py looks for: "--bind NAME=FILE.npy". */
        err(c, "%s: a graph input, but vggc needs it at compile time: fix its value with "
            "--bind %s=FILE.npy", desc(c, i, &b), v->name);
        return NULL;
    }
    if (v->kind != VAL_CONST) {
        err(c, "%s: expected a constant (vggc needs it at compile time), got a value computed at run time",
            desc(c, i, &b));
        return NULL;
    }
    if (v->dtype != DT_INT64) {
        err(c, "%s: expected i64, got %s", desc(c, i, &b), dtype_name(v->dtype));
        return NULL;
    }
    if (v->shape.rank != 1) {
        err(c, "%s: expected rank 1, got %s", desc(c, i, &b), fmt(&v->shape, &s));
        return NULL;
    }
    if (v->nbytes != (size_t)v->shape.d[0] * 8 || (v->nbytes && !v->data)) {
        err(c, "%s: constant holds %zu bytes, expected %lld", desc(c, i, &b), v->nbytes,
            (long long)v->shape.d[0] * 8);
        return NULL;
    }
    *count = v->shape.d[0];
    return v->data;
}

/* ---- outputs ------------------------------------------------------------------------ */

/* Gives output i dtype dt and shape s after checking that s is one vggc can
 * hold: positive static dims up to VGGC_MAX_DIM, N only as dim 0, a byte
 * size that fits.  An omitted optional output is skipped. */
/* Zero-size tensors: the ops that only relabel their input's elements
 * (views and copies, no kernel) pass them on; every other op refuses one
 * as a run-time input (infer_node) and as an output (set_out). */
static bool passes_zero_size(OpKind op)
{
    return op == OP_RESHAPE || op == OP_FLATTEN || op == OP_SQUEEZE || op == OP_UNSQUEEZE ||
           op == OP_IDENTITY;
}

/* A data-movement op of constants folds (fold-constants), and an empty
 * constant is fine in shape arithmetic (ONNX's expanded functions slice a
 * shape down to [] and concatenate): Slice, Concat, Gather and
 * ConstantOfShape whose inputs are all constants may give an empty one. */
static bool folds_to_empty(const Inf *c)
{
    const Node *n = c->n;
    if (n->op != OP_SLICE && n->op != OP_CONCAT && n->op != OP_GATHER &&
        n->op != OP_CONSTANT_OF_SHAPE)
        return false;
    for (uint32_t i = 0; i < n->n_in; i++)
        if (n->in[i] != VGGC_NONE && c->g->values[n->in[i]].kind != VAL_CONST)
            return false;
    return true;
}

static void set_out(Inf *c, uint32_t i, DType dt, const Shape *s)
{
    if (i >= c->n->n_out || c->n->out[i] == VGGC_NONE)
        return;
    SBuf b;
    VGGC_ASSERT(s->rank >= 0 && s->rank <= VGGC_MAX_RANK);
    for (int k = 0; k < s->rank; k++) {
        int64_t d = s->d[k];
        if (d == VGGC_DIM_N) {
            if (k != 0) {
                err(c, "output %u would be %s: this moves the batch dimension N away from dim 0, "
                    "which vggc does not support", i, fmt(s, &b));
                return;
            }
            continue;
        }
        if (d == 0 && !passes_zero_size(c->n->op) && !folds_to_empty(c)) {
            err(c, "output %u would be %s, an empty tensor; vggc does not support zero-size tensors",
                i, fmt(s, &b));
            return;
        }
        if (d < 0 || d > VGGC_MAX_DIM) {
            err(c, "output %u would be %s: dim %d is out of range [1, %lld]", i, fmt(s, &b), k,
                (long long)VGGC_MAX_DIM);
            return;
        }
    }
    size_t numel, bytes;
    if (!shape_numel_per_item(s, &numel) || !size_mul(numel, dtype_size(dt), &bytes)) {
        err(c, "output %u would be %s: too many elements", i, fmt(s, &b));
        return;
    }
    Value *v = &c->g->values[c->n->out[i]];
    v->dtype = dt;
    v->shape = *s;
    v->has_shape = true;
}

/* ---- broadcasting ---------------------------------------------------------------------- */

/* Numpy (multidirectional) broadcasting of a and b into out, with the batch
 * rule: N with N or 1 gives N, N with another static size is an error.  On
 * failure writes a message into why. */
static bool broadcast(const Shape *a, const Shape *b, Shape *out, Buf *why)
{
    int r = a->rank > b->rank ? a->rank : b->rank;
    Shape o = {.rank = r};
    for (int k = 0; k < r; k++) {
        int ia = k - (r - a->rank), ib = k - (r - b->rank);
        int64_t x = ia >= 0 ? a->d[ia] : 1, y = ib >= 0 ? b->d[ib] : 1;
        if (x == y || y == 1)
            o.d[k] = x;
        else if (x == 1)
            o.d[k] = y;
        else {
            SBuf sa, sb;
            if (x == VGGC_DIM_N || y == VGGC_DIM_N)
                snprintf(why->s, sizeof why->s,
                         "cannot broadcast %s with %s: the batch N meets the static size %lld "
                         "(only 1 or N broadcast with N)", fmt(a, &sa), fmt(b, &sb),
                         (long long)(x == VGGC_DIM_N ? y : x));
            else
                snprintf(why->s, sizeof why->s,
                         "cannot broadcast %s with %s: dim %d is %lld against %lld",
                         fmt(a, &sa), fmt(b, &sb), k, (long long)x, (long long)y);
            return false;
        }
    }
    *out = o;
    return true;
}

/* Unidirectional broadcasting: can `from` be broadcast to exactly `to`? */
static bool broadcasts_to(const Shape *from, const Shape *to)
{
    if (from->rank > to->rank)
        return false;
    for (int k = 0; k < from->rank; k++) {
        int64_t x = from->d[k], y = to->d[k + to->rank - from->rank];
        if (x != y && x != 1)
            return false;
    }
    return true;
}

/* ---- elementwise ------------------------------------------------------------------------- */

/* Relu, Sigmoid, LeakyRelu, Tanh, HardSigmoid, HardSwish, Clip and the
 * other float functions of one input (ops.def) (X) -> Y: float, same
 * shape. */
static void infer_unary_float(Inf *c)
{
    if (!want_float(c, 0))
        return;
    set_out(c, 0, DT_FLOAT, &inval(c, 0)->shape);
}

/* Neg, Abs, Sign(X) -> Y: float as the others, or i64 / i32, which shape
 * arithmetic uses (ONNX's expanded functions negate axes): those fold at
 * compile time, and plan refuses one left to run. */
static void infer_unary_signed(Inf *c)
{
    if (!want_dtypes(c, 0, DTM(DT_FLOAT) | DTM(DT_INT64) | DTM(DT_INT32)))
        return;
    set_out(c, 0, inval(c, 0)->dtype, &inval(c, 0)->shape);
}

/* Identity(X) -> Y: any dtype, same shape. */
static void infer_identity(Inf *c)
{
    set_out(c, 0, inval(c, 0)->dtype, &inval(c, 0)->shape);
}

/* Clip-11+(input, min?, max?) -> output: f32, u8 or i8.  Constant bounds
 * are folded into attr.clip; a bound still given as an input is read at
 * run time and must be one element of the input's type without the batch
 * (ONNX: a scalar; [1] is accepted). */
static void infer_clip(Inf *c)
{
    const Value *x = inval(c, 0);
    if (!want_dtypes(c, 0, DTM_CLIP))
        return;
    bool ok = true;
    for (uint32_t i = 1; i <= 2; i++) {
        const Value *v = inval(c, i);
        if (!v)
            continue;
        size_t numel;
        Buf b;
        SBuf s;
        if (v->dtype != x->dtype || shape_is_batched(&v->shape) ||
            !shape_numel_per_item(&v->shape, &numel) || numel != 1 || v->shape.rank > 1) {
            err(c, "%s: expected an %s scalar, got %s%s", desc(c, i, &b), dtype_name(x->dtype),
                dtype_name(v->dtype), fmt(&v->shape, &s));
            ok = false;
        }
    }
    if (ok)
        set_out(c, 0, x->dtype, &x->shape);
}

/* Dropout-13(data, ratio?, training_mode?) -> output, mask?: inference only. */
static void infer_dropout(Inf *c)
{
    Buf b;
    const Value *ratio = inval(c, 1), *train = inval(c, 2);
    if (!want_float(c, 0))
        return;
    if (ratio && (ratio->dtype != DT_FLOAT || ratio->shape.rank != 0)) {
        SBuf s;
        err(c, "%s: expected an f32 scalar, got %s%s", desc(c, 1, &b), dtype_name(ratio->dtype),
            fmt(&ratio->shape, &s));
        return;
    }
    if (train) {
        if (train->dtype != DT_BOOL || train->shape.rank != 0) {
            SBuf s;
            err(c, "%s: expected a bool scalar, got %s%s", desc(c, 2, &b), dtype_name(train->dtype),
                fmt(&train->shape, &s));
            return;
        }
        if (train->kind != VAL_CONST) {
            err(c, "%s: expected a constant false (vggc runs inference only), got a run-time value",
                desc(c, 2, &b));
            return;
        }
        if (train->nbytes == 1 && train->data && *(const uint8_t *)train->data) {
            err(c, "%s: training_mode is true; vggc runs inference only", desc(c, 2, &b));
            return;
        }
    }
    set_out(c, 0, DT_FLOAT, &inval(c, 0)->shape);
    set_out(c, 1, DT_BOOL, &inval(c, 0)->shape);
}

/* Two inputs of one type of mask, broadcast; false after an error. */
static bool infer_binary_of(Inf *c, unsigned mask)
{
    const Value *a = inval(c, 0), *b = inval(c, 1);
    Buf da, db, why;
    if (!want_dtypes(c, 0, mask))
        return false;
    if (b->dtype != a->dtype) {
        err(c, "%s: expected %s like %s, got %s", desc(c, 1, &db), dtype_name(a->dtype),
            desc(c, 0, &da), dtype_name(b->dtype));
        return false;
    }
    Shape o;
    if (!broadcast(&a->shape, &b->shape, &o, &why)) {
        err(c, "%s", why.s);
        return false;
    }
    set_out(c, 0, a->dtype, &o);
    return true;
}

/* Add/Sub/Mul/Div-14(A, B) -> C: numpy broadcasting; f32, f64, i64, u8 or
 * i8, the same on both sides. */
static void infer_binary(Inf *c) { infer_binary_of(c, DTM_BINARY); }

/* Mod-10/13(A, B) -> C: as the binary ops, any of vggrt_binary's types;
 * fmod=0 (the remainder with B's sign) is for integers only, as ONNX
 * says: a float Mod needs fmod=1. */
static void infer_mod(Inf *c)
{
    const DType t = inval(c, 0)->dtype;
    if (!c->n->attr.mod.fmod && (t == DT_FLOAT || t == DT_DOUBLE)) {
        err(c, "fmod=0 is for integers: a %s Mod needs fmod=1", dtype_name(t));
        return;
    }
    infer_binary_of(c, DTM_MINMAX);
}

/* Pow-7/12/13/15(X, Y) -> Z: numpy broadcasting; X and Y each f32, f64,
 * i32 or i64, not necessarily alike (from 12); Z has X's type. */
static void infer_pow(Inf *c)
{
    const Value *x = inval(c, 0), *y = inval(c, 1);
    Buf why;
    bool ok = want_dtypes(c, 0, DTM_POW);
    if (!want_dtypes(c, 1, DTM_POW) || !ok)
        return;
    Shape o;
    if (!broadcast(&x->shape, &y->shape, &o, &why)) {
        err(c, "%s", why.s);
        return;
    }
    set_out(c, 0, x->dtype, &o);
}

/* Sum, Max, Min-8/13(data_0, data_1, ...) -> result: numpy broadcasting of
 * all inputs; before opset 8 every input has input 0's shape.  Sum takes
 * f32, Max and Min any type of the binary kernels, the same for all. */
static void infer_variadic(Inf *c)
{
    const Value *x0 = inval(c, 0);
    const char *op = op_name(c->n->op);
    Buf b, b0, why;
    SBuf s, s0;
    Shape o = x0->shape;
    bool legacy = c->g->opset < 8;
    for (uint32_t i = 0; i < c->n->n_in; i++) {
        const Value *x = inval(c, i);
        if (!x) {
            err(c, "input %u is omitted; %s needs every input", i, op);
            return;
        }
        if (c->n->op == OP_SUM ? !want_float(c, i) : !want_dtypes(c, i, DTM_MINMAX))
            return;
        if (i == 0)
            continue;
        if (x->dtype != x0->dtype) {
            err(c, "%s: expected %s like %s, got %s", desc(c, i, &b), dtype_name(x0->dtype),
                desc(c, 0, &b0), dtype_name(x->dtype));
            return;
        }
        if (legacy && !shape_equal(&x->shape, &x0->shape)) {
            err(c, "%s: expected %s like %s (%s before opset 8 does not broadcast; this graph: "
                "opset %lld), got %s", desc(c, i, &b), fmt(&x0->shape, &s0), desc(c, 0, &b0), op,
                (long long)c->g->opset, fmt(&x->shape, &s));
            return;
        }
        if (!broadcast(&o, &x->shape, &o, &why)) {
            err(c, "%s: %s", desc(c, i, &b), why.s);
            return;
        }
    }
    set_out(c, 0, x0->dtype, &o);
}

/* PRelu-16(X, slope) -> Y: f32; slope broadcasts unidirectionally to X's
 * shape, which Y keeps (the frontend refuses opset < 7's other meaning). */
static void infer_prelu(Inf *c)
{
    const Value *x = inval(c, 0), *slope = inval(c, 1);
    Buf b, bx;
    SBuf s, sx;
    bool ok = want_float(c, 0);
    if (!want_float(c, 1) || !ok)
        return;
    if (!broadcasts_to(&slope->shape, &x->shape)) {
        err(c, "%s: %s does not broadcast to the shape %s of %s (unidirectional broadcasting: "
            "each dim of the slope, aligned from the right, must be 1 or equal X's)",
            desc(c, 1, &b), fmt(&slope->shape, &s), fmt(&x->shape, &sx), desc(c, 0, &bx));
        return;
    }
    set_out(c, 0, DT_FLOAT, &x->shape);
}

/* ---- Softmax, LogSoftmax ---------------------------------------------------------------- */

/* Softmax-13(input) -> output, axis default -1; opset < 13 (coerce_2d): the
 * input is seen as 2-D [prod(d[:axis]), prod(d[axis:])], axis default 1. */
/* The axis `a` of input 0 of an op that works along one axis (Softmax,
 * ArgMax): f32 of rank >= 1, the axis in range, not the batch's (what the
 * op would do across batch items: `across`, for the message). */
static bool float_axis(Inf *c, int64_t a, const char *across, int64_t *axis)
{
    const Value *x = inval(c, 0);
    if (!want_float(c, 0))
        return false;
    if (x->shape.rank == 0) {
        Buf b;
        err(c, "%s: expected rank >= 1, got a scalar", desc(c, 0, &b));
        return false;
    }
    if (!norm_axis(c, "axis", a, x->shape.rank, false, axis))
        return false;
    if (*axis == 0 && shape_is_batched(&x->shape)) {
        err(c, "axis 0 %s the batch dimension N: this moves the batch dimension (vggc keeps "
            "batch items independent)", across);
        return false;
    }
    return true;
}

static void infer_softmax(Inf *c)
{
    const Value *x = inval(c, 0);
    SoftmaxAttr *a = &c->n->attr.softmax;
    int64_t axis;
    if (!float_axis(c, a->axis, "normalizes over", &axis))
        return;
    a->axis = axis;
    set_out(c, 0, DT_FLOAT, &x->shape);
}

/* ---- Conv and the pools --------------------------------------------------------------------- */

/* The window of Conv/MaxPool/AveragePool.  nsp is 1, 2 or 3; a 1-D
 * window keeps its only axis in index 1 (W) with index 0 neutral (kernel 1,
 * stride 1, dilation 1, pads 0), a 3-D one its first axis (D) in the depth
 * fields; window_axis reads axis i in ONNX's order.  Computes the output's
 * spatial dims from the input's (x->d[2..]) and, when the node has no other
 * error, writes the resolved pads back (auto_pad NOTSET). */
static bool window(Inf *c, WindowAttr *w, const Shape *x, bool pool, int64_t *out_sp)
{
    WindowAttr r = *w;      /* resolved copy */
    if (w->nsp < 1 || w->nsp > 3) {
        err(c, "window has %d spatial dims; vggc supports 1, 2 and 3", w->nsp);
        return false;
    }
    if (w->nsp == 1 && ((w->has_kernel && w->kernel[0] != 1) || w->stride[0] != 1 ||
                        w->dilation[0] != 1 || w->pad[0] != 0 || w->pad[2] != 0)) {
        err(c, "1-D window with a non-neutral H entry (kernel[0]=%lld stride[0]=%lld "
            "dilation[0]=%lld pads top/bottom %lld/%lld): expected 1, 1, 1, 0/0",
            (long long)w->kernel[0], (long long)w->stride[0], (long long)w->dilation[0],
            (long long)w->pad[0], (long long)w->pad[2]);
        return false;
    }
    if ((unsigned)w->auto_pad > AUTOPAD_SAME_LOWER) {
        err(c, "auto_pad has the invalid value %d", (int)w->auto_pad);
        return false;
    }
    /* Names in messages: the axis ("" for 1-D) and its pads' sides. */
    static const char *const axis3[3] = {"D", "H", "W"};
    static const char *const side3[3][2] = {{"front", "back"}, {"top", "bottom"},
                                            {"left", "right"}};
    const int base = 3 - w->nsp;    /* axis i is axis3[base + i] */
    for (int i = 0; i < w->nsp; i++) {
        const char *ax = w->nsp == 1 ? "" : axis3[base + i];
        WindowAxis a = window_axis(w, i);
        if (a.kernel < 1 || a.kernel > VGGC_MAX_DIM) {
            err(c, "kernel%s %lld is out of range [1, %lld]", ax, (long long)a.kernel,
                (long long)VGGC_MAX_DIM);
            return false;
        }
        if (a.stride < 1 || a.stride > VGGC_MAX_DIM) {
            err(c, "stride%s %lld is out of range [1, %lld]", ax, (long long)a.stride,
                (long long)VGGC_MAX_DIM);
            return false;
        }
        if (a.dilation < 1 || a.dilation > VGGC_MAX_DIM) {
            err(c, "dilation%s %lld is out of range [1, %lld]", ax, (long long)a.dilation,
                (long long)VGGC_MAX_DIM);
            return false;
        }
        for (int e = 0; e < 2; e++) {
            int64_t p = e ? a.pad_end : a.pad_begin;
            if (p < 0 || p > VGGC_MAX_DIM) {
                err(c, "pad %s %lld is out of range [0, %lld]", side3[base + i][e],
                    (long long)p, (long long)VGGC_MAX_DIM);
                return false;
            }
        }
        if (w->auto_pad != AUTOPAD_NOTSET && (a.pad_begin || a.pad_end)) {
            err(c, "auto_pad is set and pads are given too; ONNX allows one or the other");
            return false;
        }
    }
    for (int i = 0; i < w->nsp; i++) {
        const char *ax = w->nsp == 1 ? "" : axis3[base + i];
        WindowAxis a = window_axis(w, i), ra = a;
        int64_t in = x->d[2 + i], k = a.kernel, s = a.stride;
        int64_t dk;
        if (!dim_mul(k - 1, a.dilation, &dk) || ++dk > VGGC_MAX_DIM) {
            err(c, "dilated kernel%s (%lld-1)*%lld+1 is too large", ax, (long long)k,
                (long long)a.dilation);
            return false;
        }
        int64_t out;
        switch (w->auto_pad) {
        case AUTOPAD_SAME_UPPER:
        case AUTOPAD_SAME_LOWER: {
            out = (in + s - 1) / s;
            int64_t total = (out - 1) * s + dk - in;
            if (total < 0)
                total = 0;
            int64_t small = total / 2, big = total - small;
            ra.pad_begin = w->auto_pad == AUTOPAD_SAME_UPPER ? small : big;
            ra.pad_end = w->auto_pad == AUTOPAD_SAME_UPPER ? big : small;
            break;
        }
        case AUTOPAD_VALID:
            ra.pad_begin = ra.pad_end = 0;
            /* fallthrough */
        default: {
            int64_t pb = ra.pad_begin, pe = ra.pad_end, span = in + pb + pe;
            if (pool && w->auto_pad == AUTOPAD_NOTSET && (pb >= dk || pe >= dk)) {
                err(c, "pad%s %lld/%lld must be smaller than the %skernel %lld: a window would "
                    "lie entirely in the padding", ax, (long long)pb, (long long)pe,
                    a.dilation > 1 ? "dilated " : "", (long long)dk);
                return false;
            }
            if (span < dk) {
                err(c, "kernel%s %lld%s is larger than the padded input %lld (%lld + pads %lld + %lld)",
                    ax, (long long)dk, a.dilation > 1 ? " (dilated)" : "", (long long)span,
                    (long long)in, (long long)pb, (long long)pe);
                return false;
            }
            if (pool && w->ceil_mode) {
                /* ceil, then drop a last window that would start in the
                 * right padding (ONNX's pooling docs, ONNX Runtime, PyTorch). */
                out = (span - dk + s - 1) / s + 1;
                if ((out - 1) * s >= in + pb)
                    out--;
            } else {
                out = (span - dk) / s + 1;
            }
        }
        }
        window_set_axis(&r, i, ra);
        out_sp[i] = out;
    }
    if (c->bad == 0) {
        r.auto_pad = AUTOPAD_NOTSET;
        *w = r;
    }
    return true;
}

/* The layout an nsp-D window's input is written as in messages. */
static const char *window_layout(int nsp)
{
    return nsp == 3 ? "[N,C,D,H,W]" : nsp == 2 ? "[N,C,H,W]" : "[N,C,L]";
}

/* Conv-11(X [N,C,H,W], W [M,C/group,kH,kW], B? [M]) -> Y [N,M,oH,oW]
 * (1-D and 3-D alike, with one spatial dim fewer or more):
 * kernel_shape from W when absent; C == W.dim1 * group; M % group == 0. */
/* What Conv and ConvTranspose ask of their inputs alike: f32 data of rank
 * nsp + 2, a weight of that rank without the batch, a bias of rank 1, a
 * group in range. */
static bool conv_inputs_ok(Inf *c)
{
    const WindowAttr *w = &c->n->attr.win;
    const Value *x = inval(c, 0), *wt = inval(c, 1), *bias = inval(c, 2);
    Buf b;
    SBuf s;
    if (!want_floats(c, 3))
        return false;
    if (w->nsp < 1 || w->nsp > 3) {
        err(c, "window has %d spatial dims; vggc supports 1, 2 and 3", w->nsp);
        return false;
    }
    int r = w->nsp + 2;
    if (x->shape.rank != r) {
        err(c, "%s: expected rank %d %s, got %s", desc(c, 0, &b), r, window_layout(w->nsp),
            fmt(&x->shape, &s));
        return false;
    }
    if (!want_rank(c, 1, r) || (bias && !want_rank(c, 2, 1)))
        return false;
    if (has_n_at(&wt->shape, 0)) {
        err(c, "%s: the weight cannot carry the batch dimension, got %s", desc(c, 1, &b),
            fmt(&wt->shape, &s));
        return false;
    }
    if (w->group < 1 || w->group > VGGC_MAX_DIM) {
        err(c, "group %lld is out of range [1, %lld]", (long long)w->group, (long long)VGGC_MAX_DIM);
        return false;
    }
    return true;
}

static void infer_conv(Inf *c)
{
    WindowAttr *w = &c->n->attr.win;
    const Value *x = inval(c, 0), *wt = inval(c, 1), *bias = inval(c, 2);
    Buf b;
    SBuf s;
    if (!conv_inputs_ok(c))
        return;
    int r = w->nsp + 2;
    int64_t C = x->shape.d[1], M = wt->shape.d[0], Cg = wt->shape.d[1];
    int64_t cg_total;
    if (!dim_mul(Cg, w->group, &cg_total) || cg_total != C) {
        err(c, "%s: expected dim 1 = C/group = %lld/%lld, got %s (data has C = %lld)",
            desc(c, 1, &b), (long long)C, (long long)w->group, fmt(&wt->shape, &s), (long long)C);
        return;
    }
    if (M % w->group != 0) {
        err(c, "%s: output channels M = %lld are not divisible by group %lld", desc(c, 1, &b),
            (long long)M, (long long)w->group);
        return;
    }
    if (bias && bias->shape.d[0] != M) {
        err(c, "%s: expected [%lld] (one per output channel), got %s", desc(c, 2, &b),
            (long long)M, fmt(&bias->shape, &s));
        return;
    }
    WindowAttr tmp = *w;
    for (int i = 0; i < w->nsp; i++) {
        int64_t kd = wt->shape.d[2 + i];
        WindowAxis a = window_axis(&tmp, i);
        if (!w->has_kernel) {
            a.kernel = kd;
            window_set_axis(&tmp, i, a);
        } else if (a.kernel != kd) {
            int64_t ks[3];
            for (int j = 0; j < w->nsp; j++)
                ks[j] = window_axis(w, j).kernel;
            SBuf k;
            fmt_list(ks, w->nsp, &k);
            err(c, "kernel_shape %s does not match %s: %s", k.s, desc(c, 1, &b),
                fmt(&wt->shape, &s));
            return;
        }
    }
    if (!w->has_kernel) {
        tmp.kernel[0] = w->nsp == 1 ? 1 : tmp.kernel[0];
        tmp.has_kernel = true;
    }
    int64_t sp[3];
    if (!window(c, &tmp, &x->shape, false, sp))
        return;
    Shape o = {.rank = r};
    o.d[0] = x->shape.d[0];
    o.d[1] = M;
    for (int i = 0; i < w->nsp; i++)
        o.d[2 + i] = sp[i];
    if (c->bad)
        return;
    *w = tmp;
    set_out(c, 0, DT_FLOAT, &o);
}

/* floor(a / 2), for negative a too (ONNX's pads from output_shape). */
static int64_t half_floor(int64_t a) { return a >= 0 ? a / 2 : -((1 - a) / 2); }

/* ConvTranspose-11(X, W[, B]) -> Y, f32.  W is [C, M/group, k...], Y is
 * [N, M, out...] with, per spatial axis,
 *     full = stride*(in-1) + output_padding + (k-1)*dilation + 1
 *     out  = full - pad_begin - pad_end
 * or out = output_shape (auto_pad SAME_*: in*stride; VALID: full), the
 * total padding full - out then split as ONNX's doc says: SAME_UPPER puts
 * the larger half at the end, the others at the beginning.  The result
 * goes into pad[] (it may be negative: an output larger than full),
 * leaving auto_pad NOTSET and has_out_shape false, so that inference run
 * again gives the same shape. */
static void infer_conv_transpose(Inf *c)
{
    WindowAttr *w = &c->n->attr.win;
    const Value *x = inval(c, 0), *wt = inval(c, 1), *bias = inval(c, 2);
    Buf b;
    SBuf s;
    if (!conv_inputs_ok(c))
        return;
    const int r = w->nsp + 2;
    const int64_t C = x->shape.d[1];
    if (wt->shape.d[0] != C) {
        err(c, "%s: expected dim 0 = C = %lld (the data's channels), got %s", desc(c, 1, &b),
            (long long)C, fmt(&wt->shape, &s));
        return;
    }
    if (C % w->group != 0) {
        err(c, "input channels C = %lld are not divisible by group %lld", (long long)C,
            (long long)w->group);
        return;
    }
    int64_t M;
    if (!dim_mul(wt->shape.d[1], w->group, &M)) {
        err(c, "%s: output channels %lld x group %lld are too many", desc(c, 1, &b),
            (long long)wt->shape.d[1], (long long)w->group);
        return;
    }
    if (bias && bias->shape.d[0] != M) {
        err(c, "%s: expected [%lld] (one per output channel), got %s", desc(c, 2, &b),
            (long long)M, fmt(&bias->shape, &s));
        return;
    }
    if ((unsigned)w->auto_pad > AUTOPAD_SAME_LOWER) {
        err(c, "auto_pad has the invalid value %d", (int)w->auto_pad);
        return;
    }
    WindowAttr t = *w;
    Shape o = {.rank = r};
    o.d[0] = x->shape.d[0];
    o.d[1] = M;
    for (int i = 0; i < w->nsp; i++) {
        WindowAxis a = window_axis(w, i);
        const int64_t k = wt->shape.d[2 + i], in = x->shape.d[2 + i];
        if (w->has_kernel && a.kernel != k) {
            err(c, "kernel_shape[%d] is %lld, but %s has %lld there", i, (long long)a.kernel,
                desc(c, 1, &b), (long long)k);
            return;
        }
        a.kernel = k;
        if (k < 1 || a.stride < 1 || a.stride > VGGC_MAX_DIM || a.dilation < 1 ||
            a.dilation > VGGC_MAX_DIM || in < 1) {
            err(c, "spatial axis %d: kernel %lld, stride %lld, dilation %lld and input size %lld "
                "must all be at least 1 (and at most %lld)", i, (long long)k, (long long)a.stride,
                (long long)a.dilation, (long long)in, (long long)VGGC_MAX_DIM);
            return;
        }
        if (w->out_pad[i] < 0 || (w->out_pad[i] >= a.stride && w->out_pad[i] >= a.dilation)) {
            err(c, "output_padding[%d] is %lld; expected at least 0 and below the stride (%lld) "
                "or the dilation (%lld)", i, (long long)w->out_pad[i], (long long)a.stride,
                (long long)a.dilation);
            return;
        }
        if (a.pad_begin < -VGGC_MAX_DIM || a.pad_begin > VGGC_MAX_DIM ||
            a.pad_end < -VGGC_MAX_DIM || a.pad_end > VGGC_MAX_DIM) {
            err(c, "pads of spatial axis %d (%lld, %lld) are out of range", i,
                (long long)a.pad_begin, (long long)a.pad_end);
            return;
        }
        if (w->auto_pad != AUTOPAD_NOTSET && !w->has_out_shape && (a.pad_begin || a.pad_end)) {
            err(c, "auto_pad is set and pads are given too; ONNX allows one or the other");
            return;
        }
        int64_t span, dk, full;
        if (!dim_mul(a.stride, in - 1, &span) || !dim_mul(k - 1, a.dilation, &dk) ||
            (full = span + w->out_pad[i] + dk + 1) > VGGC_MAX_DIM) {
            err(c, "spatial axis %d: the output of stride %lld over %lld inputs with a kernel of "
                "%lld (dilation %lld) is too large", i, (long long)a.stride, (long long)in,
                (long long)k, (long long)a.dilation);
            return;
        }
        int64_t out;
        if (w->has_out_shape || w->auto_pad == AUTOPAD_SAME_UPPER ||
            w->auto_pad == AUTOPAD_SAME_LOWER) {
            if (w->has_out_shape)
                out = w->out_shape[i];
            else if (!dim_mul(in, a.stride, &out)) {
                err(c, "spatial axis %d: input %lld x stride %lld is too large", i,
                    (long long)in, (long long)a.stride);
                return;
            }
            const int64_t total = full - out, half = half_floor(total);
            a.pad_begin = w->auto_pad == AUTOPAD_SAME_UPPER ? half : total - half;
            a.pad_end = total - a.pad_begin;
        } else if (w->auto_pad == AUTOPAD_VALID) {
            a.pad_begin = a.pad_end = 0;
            out = full;
        } else {
            out = full - a.pad_begin - a.pad_end;
        }
        if (out < 1 || out > VGGC_MAX_DIM) {
            err(c, "spatial axis %d: the output size would be %lld (pads %lld and %lld)", i,
                (long long)out, (long long)a.pad_begin, (long long)a.pad_end);
            return;
        }
        window_set_axis(&t, i, a);
        o.d[2 + i] = out;
    }
    /* The kernel's scratch: every tap of every output channel of a group
     * for every input position (vggrt_conv_transpose_work_size). */
    size_t col = (size_t)wt->shape.d[1];
    bool fits = true;
    for (int i = 2; i < r; i++)
        fits = fits && size_mul(col, (size_t)wt->shape.d[i], &col) &&
               size_mul(col, (size_t)x->shape.d[i], &col);
    if (!fits || !size_mul(col, sizeof(float), &col)) {
        err(c, "its column buffer (output channels per group x kernel taps x input positions, "
            "floats) would exceed the address space");
        return;
    }
    if (w->nsp == 1)
        t.kernel[0] = 1;
    t.has_kernel = true;
    t.auto_pad = AUTOPAD_NOTSET;
    t.has_out_shape = false;
    *w = t;
    set_out(c, 0, DT_FLOAT, &o);
}

/* MaxPool-12(X) -> Y, Indices? (i64); AveragePool-19(X) -> Y.  f32;
 * MaxPool also u8 and i8, without Indices. */
static void infer_pool(Inf *c)
{
    WindowAttr *w = &c->n->attr.win;
    const Value *x = inval(c, 0);
    Buf b;
    SBuf s;
    if (c->n->op == OP_MAXPOOL ? !want_dtypes(c, 0, DTM_MAXPOOL) : !want_float(c, 0))
        return;
    if (x->dtype != DT_FLOAT && c->n->n_out > 1 && c->n->out[1] != VGGC_NONE) {
        err(c, "MaxPool's Indices output of %s is not supported (of f32 it is)",
            dtype_name(x->dtype));
        return;
    }
    if (w->nsp < 1 || w->nsp > 3) {
        err(c, "window has %d spatial dims; vggc supports 1, 2 and 3", w->nsp);
        return;
    }
    if (!w->has_kernel) {
        err(c, "kernel_shape is required");
        return;
    }
    int r = w->nsp + 2;
    if (x->shape.rank != r) {
        err(c, "%s: expected rank %d %s, got %s", desc(c, 0, &b), r, window_layout(w->nsp),
            fmt(&x->shape, &s));
        return;
    }
    int64_t sp[3];
    if (!window(c, w, &x->shape, true, sp))
        return;
    Shape o = {.rank = r};
    o.d[0] = x->shape.d[0];
    o.d[1] = x->shape.d[1];
    for (int i = 0; i < w->nsp; i++)
        o.d[2 + i] = sp[i];
    set_out(c, 0, x->dtype, &o);
    set_out(c, 1, DT_INT64, &o);
}

/* GlobalAveragePool-1/GlobalMaxPool-1(X [N,C,D...]) -> Y [N,C,1...]. */
static void infer_global_pool(Inf *c)
{
    if (!want_float(c, 0) || !want_rank_min(c, 0, 3, "[N,C,spatial...]"))
        return;
    Shape o = inval(c, 0)->shape;
    for (int i = 2; i < o.rank; i++)
        o.d[i] = 1;
    set_out(c, 0, DT_FLOAT, &o);
}

/* LRN-13(X [N,C,D...]) -> Y; size >= 1. */
static void infer_lrn(Inf *c)
{
    if (!want_float(c, 0) || !want_rank_min(c, 0, 3, "[N,C,spatial...]"))
        return;
    if (c->n->attr.lrn.size < 1 || c->n->attr.lrn.size > VGGC_MAX_DIM) {
        err(c, "size %lld is out of range [1, %lld]", (long long)c->n->attr.lrn.size,
            (long long)VGGC_MAX_DIM);
        return;
    }
    set_out(c, 0, DT_FLOAT, &inval(c, 0)->shape);
}

/* BatchNormalization-15(X [N,C,D...], scale, B, mean, var [C]) -> Y: inference mode. */
/* Inputs 1 .. n - 1 are [C], one value per channel of input 0's dim 1. */
static bool want_per_channel(Inf *c, uint32_t n)
{
    const int64_t C = inval(c, 0)->shape.d[1];
    for (uint32_t i = 1; i < n; i++) {
        const Value *p = inval(c, i);
        if (p->shape.rank != 1 || p->shape.d[0] != C) {
            Buf b;
            SBuf s;
            err(c, "%s: expected [%lld] (one per channel), got %s", desc(c, i, &b), (long long)C,
                fmt(&p->shape, &s));
            return false;
        }
    }
    return true;
}

static void infer_batchnorm(Inf *c)
{
    const Value *x = inval(c, 0);
    if (!want_floats(c, 5))
        return;
    if (!want_rank_min(c, 0, 2, "[N,C,...]") || !want_per_channel(c, 5))
        return;
    set_out(c, 0, DT_FLOAT, &x->shape);
}

/* InstanceNormalization-1/6(X [N,C,...], scale [C], B [C]) -> Y, f32: each
 * (n, c) normalized over the dims from 2 on (at least one), then scaled and
 * shifted by its channel's scale and B. */
static void infer_instancenorm(Inf *c)
{
    const Value *x = inval(c, 0);
    if (!want_floats(c, 3) || !want_rank_min(c, 0, 3, "[N,C,D1,...]") || !want_per_channel(c, 3))
        return;
    set_out(c, 0, DT_FLOAT, &x->shape);
}

/* LayerNormalization-17(X, Scale, B?) -> Y, Mean?, InvStdDev?, f32: each
 * row of X over the dims from axis on (axis in [-rank, rank)) is normalized,
 * scaled and shifted; Scale and B have exactly those dims.  Mean and
 * InvStdDev keep the dims before axis and have 1 for the others. */
static void infer_layernorm(Inf *c)
{
    const Value *x = inval(c, 0);
    Buf b;
    SBuf s, t;
    if (!want_floats(c, 3))
        return;
    const int r = x->shape.rank;
    const int64_t axis = c->n->attr.ln.axis;
    if (r < 1 || axis < -r || axis >= r) {
        err(c, "axis %lld is out of range for %s", (long long)axis, fmt(&x->shape, &s));
        return;
    }
    const int a = (int)(axis < 0 ? axis + r : axis);
    Shape norm = {.rank = r - a};
    for (int i = a; i < r; i++)
        norm.d[i - a] = x->shape.d[i];
    for (uint32_t i = 1; i < 3; i++) {
        const Value *p = inval(c, i);
        if (p && !shape_equal(&p->shape, &norm)) {
            err(c, "%s: expected %s (the normalized dims of the data), got %s", desc(c, i, &b),
                fmt(&norm, &s), fmt(&p->shape, &t));
            return;
        }
    }
    set_out(c, 0, DT_FLOAT, &x->shape);
    Shape stat = x->shape;
    for (int i = a; i < r; i++)
        stat.d[i] = 1;
    set_out(c, 1, DT_FLOAT, &stat);
    set_out(c, 2, DT_FLOAT, &stat);
}

/* ---- matrix products ---------------------------------------------------------------------- */

/* Gemm-13(A [M,K], B [K,N], C? broadcastable to [M,N]) -> Y [M,N]; transA and
 * transB transpose A and B first.  A may be batched ([N,K], M = N); B may not. */
static void infer_gemm(Inf *c)
{
    const GemmAttr *a = &c->n->attr.gemm;
    const Value *A = inval(c, 0), *B = inval(c, 1), *C = inval(c, 2);
    Buf b;
    SBuf s;
    if (!want_floats(c, 3))
        return;
    if (!want_rank(c, 0, 2) || !want_rank(c, 1, 2))
        return;
    int64_t M = A->shape.d[a->trans_a ? 1 : 0], K = A->shape.d[a->trans_a ? 0 : 1];
    int64_t K2 = B->shape.d[a->trans_b ? 1 : 0], N = B->shape.d[a->trans_b ? 0 : 1];
    if (K == VGGC_DIM_N || K2 == VGGC_DIM_N) {
        err(c, "%s: the batch N would be the contracted dimension K (trans_a=%d): this moves the "
            "batch dimension", desc(c, K == VGGC_DIM_N ? 0 : 1, &b), a->trans_a);
        return;
    }
    if (N == VGGC_DIM_N) {
        err(c, "%s: the batch N would become output dim 1: this moves the batch dimension",
            desc(c, 1, &b));
        return;
    }
    if (K != K2) {
        Buf b2;
        SBuf s2;
        err(c, "inner dimensions differ: %s is %s (trans_a=%d, K = %lld), %s is %s (trans_b=%d, "
            "K = %lld)", desc(c, 0, &b), fmt(&A->shape, &s), a->trans_a, (long long)K,
            desc(c, 1, &b2), fmt(&B->shape, &s2), a->trans_b, (long long)K2);
        return;
    }
    Shape o = {.rank = 2, .d = {M, N}};
    if (C && !broadcasts_to(&C->shape, &o)) {
        SBuf so;
        err(c, "%s: %s does not broadcast to the output %s", desc(c, 2, &b), fmt(&C->shape, &s),
            fmt(&o, &so));
        return;
    }
    set_out(c, 0, DT_FLOAT, &o);
}

/* MatMul-13(A, B) -> Y: numpy matmul.  A 1-D operand is promoted (A: [1,K],
 * B: [K,1]) and the added dim removed from the result; leading dims
 * broadcast. */
static void infer_matmul(Inf *c)
{
    const Value *A = inval(c, 0), *B = inval(c, 1);
    Buf b, why;
    SBuf s;
    if (!want_floats(c, 2))
        return;
    for (uint32_t i = 0; i < 2; i++)
        if (inval(c, i)->shape.rank == 0) {
            err(c, "%s: expected rank >= 1, got a scalar", desc(c, i, &b));
            return;
        }
    Shape a = A->shape, bb = B->shape;
    bool a1 = a.rank == 1, b1 = bb.rank == 1;
    if (a1) {
        a.rank = 2;
        a.d[1] = a.d[0];
        a.d[0] = 1;
    }
    if (b1) {
        bb.rank = 2;
        bb.d[1] = 1;
    }
    int64_t K = a.d[a.rank - 1], K2 = bb.d[bb.rank - 2];
    if (K == VGGC_DIM_N || K2 == VGGC_DIM_N) {
        err(c, "%s: the batch N would be the contracted dimension K: this moves the batch dimension",
            desc(c, K == VGGC_DIM_N ? 0 : 1, &b));
        return;
    }
    if (K != K2) {
        Buf b2;
        SBuf s2;
        err(c, "inner dimensions differ: %s is %s (K = %lld), %s is %s (K = %lld)", desc(c, 0, &b),
            fmt(&A->shape, &s), (long long)K, desc(c, 1, &b2), fmt(&B->shape, &s2), (long long)K2);
        return;
    }
    Shape pa = {.rank = a.rank - 2}, pb = {.rank = bb.rank - 2}, o;
    memcpy(pa.d, a.d, sizeof(int64_t) * (size_t)pa.rank);
    memcpy(pb.d, bb.d, sizeof(int64_t) * (size_t)pb.rank);
    if (!broadcast(&pa, &pb, &o, &why)) {
        err(c, "leading (batch) dims: %s", why.s);
        return;
    }
    if (!a1)
        o.d[o.rank++] = a.d[a.rank - 2];
    if (!b1)
        o.d[o.rank++] = bb.d[bb.rank - 1];
    set_out(c, 0, DT_FLOAT, &o);
}

/* ---- data movement ---------------------------------------------------------------------------- */

/* Flatten-13(input) -> [prod(d[:axis]), prod(d[axis:])], axis in [-r, r], default 1. */
static void infer_flatten(Inf *c)
{
    const Value *x = inval(c, 0);
    int64_t axis;
    SBuf s;
    if (!norm_axis(c, "axis", c->n->attr.axis, x->shape.rank, true, &axis))
        return;
    bool batched = shape_is_batched(&x->shape);
    if (batched && axis != 1) {
        err(c, "axis %lld on the batched input %s would merge or move the batch dimension "
            "(only axis 1 keeps N as dim 0)", (long long)axis, fmt(&x->shape, &s));
        return;
    }
    Shape o = {.rank = 2};
    if (batched)
        o.d[0] = VGGC_DIM_N;
    else if (!dims_prod(&x->shape, 0, (int)axis, &o.d[0])) {
        err(c, "output dim 0 exceeds %lld", (long long)VGGC_MAX_DIM);
        return;
    }
    if (!dims_prod(&x->shape, (int)axis, x->shape.rank, &o.d[1])) {
        err(c, "output dim 1 exceeds %lld", (long long)VGGC_MAX_DIM);
        return;
    }
    c->n->attr.axis = axis;
    set_out(c, 0, x->dtype, &o);
}

/* Reshape-14(data, shape: constant i64 [k]) -> reshaped.  0 copies the input
 * dim (unless allowzero), one -1 is inferred, VGGC_SYM_N means "the batch"
 * and yields N.  A batched input must keep N as dim 0 by itself: through
 * SYM_N, a copied 0 at index 0, or a leading -1 whose other dims hold
 * exactly one batch item. */
static void infer_reshape(Inf *c)
{
    const Value *x = inval(c, 0);
    Buf b;
    SBuf s;
    int64_t k;
    const int64_t *sh = const_i64_vec(c, 1, &k);
    if (!sh)
        return;
    if (k > VGGC_MAX_RANK) {
        err(c, "%s: %lld entries, vggc supports rank <= %d", desc(c, 1, &b), (long long)k,
            VGGC_MAX_RANK);
        return;
    }
    bool batched = shape_is_batched(&x->shape);
    Shape o = {.rank = (int)k};
    int infer_at = -1, batch_at = -1;
    for (int i = 0; i < (int)k; i++) {
        int64_t e = sh[i];
        if (e == VGGC_SYM_N) {
            if (!batched) {
                err(c, "%s: entry %d is the batch N, but the input %s is not batched",
                    desc(c, 1, &b), i, fmt(&x->shape, &s));
                return;
            }
            if (batch_at >= 0) {
                err(c, "%s: the batch N appears twice (entries %d and %d)", desc(c, 1, &b),
                    batch_at, i);
                return;
            }
            batch_at = i;
            o.d[i] = VGGC_DIM_N;
        } else if (e == 0 && !c->n->attr.reshape.allowzero) {
            if (i >= x->shape.rank) {
                err(c, "%s: entry %d is 0 (copy the input dim) but the input %s has rank %d",
                    desc(c, 1, &b), i, fmt(&x->shape, &s), x->shape.rank);
                return;
            }
            o.d[i] = x->shape.d[i];
            if (o.d[i] == VGGC_DIM_N)
                batch_at = i;
        } else if (e == 0) {
            o.d[i] = 0;             /* allowzero=1: a zero-size dim */
        } else if (e == -1) {
            if (infer_at >= 0) {
                err(c, "%s: -1 appears twice (entries %d and %d); at most one dim is inferred",
                    desc(c, 1, &b), infer_at, i);
                return;
            }
            infer_at = i;
        } else if (e < 0 || e > VGGC_MAX_DIM) {
            err(c, "%s: entry %d is %lld; expected -1, 0 or a size in [1, %lld]", desc(c, 1, &b),
                i, (long long)e, (long long)VGGC_MAX_DIM);
            return;
        } else {
            o.d[i] = e;
        }
    }
    if (batch_at > 0) {
        err(c, "%s puts the batch N at dim %d: this moves the batch dimension", desc(c, 1, &b),
            batch_at);
        return;
    }
    /* Elements to place: per batch item when N stays dim 0, else all. */
    size_t total;
    if (!shape_numel_per_item(&x->shape, &total)) {
        err(c, "input has too many elements");
        return;
    }
    bool leading_infer_takes_batch = batched && batch_at < 0 && infer_at == 0;
    if (batched && batch_at < 0 && !leading_infer_takes_batch) {
        SBuf t;
        fmt_list(sh, (int)k, &t);
        err(c, "reshaping the batched input %s to %s merges the batch into another dim: this "
            "moves the batch dimension (keep N first: 0, N or a leading -1)", fmt(&x->shape, &s),
            t.s);
        return;
    }
    size_t known = 1;
    for (int i = 0; i < (int)k; i++) {
        if (i == infer_at || o.d[i] == VGGC_DIM_N)
            continue;
        if (!size_mul(known, (size_t)o.d[i], &known)) {
            err(c, "%s: the product of the dims overflows", desc(c, 1, &b));
            return;
        }
    }
    if (infer_at >= 0) {
        if (known == 0 || total % known != 0) {
            err(c, "cannot infer the -1 in %s: %zu elements%s do not divide into %zu",
                desc(c, 1, &b), total, batched ? " per batch item" : "", known);
            return;
        }
        if (leading_infer_takes_batch) {
            if (total != known) {
                err(c, "the leading -1 would be N*%zu: reshaping %s merges the batch into another "
                    "dim, which moves the batch dimension", total / known, fmt(&x->shape, &s));
                return;
            }
            o.d[0] = VGGC_DIM_N;
        } else {
            if (total / known > (size_t)VGGC_MAX_DIM) {
                err(c, "the inferred dim %zu exceeds %lld", total / known, (long long)VGGC_MAX_DIM);
                return;
            }
            o.d[infer_at] = (int64_t)(total / known);
        }
    } else if (known != total) {
        SBuf so;
        err(c, "cannot reshape %s (%zu elements%s) to %s (%zu)", fmt(&x->shape, &s), total,
            batched ? " per batch item" : "", fmt(&o, &so), known);
        return;
    }
    set_out(c, 0, x->dtype, &o);
}

/* Squeeze-13(data, axes folded into attr) -> data without the listed size-1
 * dims (all size-1 dims when axes is empty). */
static void infer_squeeze(Inf *c)
{
    AxesAttr *a = &c->n->attr.axes;
    const Value *x = inval(c, 0);
    SBuf s;
    int64_t ax[VGGC_MAX_RANK];
    int n = a->n_axes;
    if (!want_absent(c, 1, "axes"))
        return;
    if (n == 0) {
        if (shape_is_batched(&x->shape)) {
            err(c, "no axes on the batched input %s: whether N is squeezed would depend on the "
                "batch size; list the axes", fmt(&x->shape, &s));
            return;
        }
        for (int i = 0; i < x->shape.rank; i++)
            if (x->shape.d[i] == 1)
                ax[n++] = i;
    } else if (!norm_axes(c, n, a->axes, x->shape.rank, ax)) {
        return;
    }
    Shape o = {.rank = 0};
    for (int i = 0, j = 0; i < x->shape.rank; i++) {
        if (j < n && ax[j] == i) {
            j++;
            if (x->shape.d[i] == VGGC_DIM_N) {
                err(c, "axis %d of %s is the batch N, which cannot be squeezed: this moves the "
                    "batch dimension", i, fmt(&x->shape, &s));
                return;
            }
            if (x->shape.d[i] != 1) {
                err(c, "axis %d of %s has size %lld; only size-1 dims can be squeezed", i,
                    fmt(&x->shape, &s), (long long)x->shape.d[i]);
                return;
            }
            continue;
        }
        o.d[o.rank++] = x->shape.d[i];
    }
    a->n_axes = n;
    memcpy(a->axes, ax, sizeof(int64_t) * (size_t)n);
    set_out(c, 0, x->dtype, &o);
}

/* Unsqueeze-13(data, axes folded into attr) -> data with size-1 dims
 * inserted at the listed positions of the output (rank r + len(axes)). */
static void infer_unsqueeze(Inf *c)
{
    AxesAttr *a = &c->n->attr.axes;
    const Value *x = inval(c, 0);
    SBuf s;
    int64_t ax[VGGC_MAX_RANK];
    if (!want_absent(c, 1, "axes"))
        return;
    if (a->n_axes < 1) {
        err(c, "axes is empty; Unsqueeze needs at least one axis");
        return;
    }
    int r = x->shape.rank + a->n_axes;
    if (r > VGGC_MAX_RANK) {
        err(c, "output rank %d exceeds %d", r, VGGC_MAX_RANK);
        return;
    }
    if (!norm_axes(c, a->n_axes, a->axes, r, ax))
        return;
    if (ax[0] == 0 && shape_is_batched(&x->shape)) {
        err(c, "axis 0 on the batched input %s would push N to dim 1: this moves the batch "
            "dimension", fmt(&x->shape, &s));
        return;
    }
    Shape o = {.rank = r};
    for (int i = 0, j = 0, k = 0; i < r; i++)
        o.d[i] = (j < a->n_axes && ax[j] == i) ? (j++, 1) : x->shape.d[k++];
    memcpy(a->axes, ax, sizeof(int64_t) * (size_t)a->n_axes);
    set_out(c, 0, x->dtype, &o);
}

/* Transpose-13(data) -> transposed; perm defaults to the reversal. */
static void infer_transpose(Inf *c)
{
    PermAttr *p = &c->n->attr.perm;
    const Value *x = inval(c, 0);
    int r = x->shape.rank;
    int64_t perm[VGGC_MAX_RANK];
    bool seen[VGGC_MAX_RANK] = {false};
    SBuf s;
    if (p->n_perm == 0) {
        for (int i = 0; i < r; i++)
            perm[i] = r - 1 - i;
    } else {
        if (p->n_perm != r) {
            err(c, "perm has %d entries, the input %s has rank %d", p->n_perm, fmt(&x->shape, &s), r);
            return;
        }
        for (int i = 0; i < r; i++) {
            if (p->perm[i] < 0 || p->perm[i] >= r || seen[p->perm[i]]) {
                err(c, "perm is not a permutation of 0..%d: entry %d is %lld", r - 1, i,
                    (long long)p->perm[i]);
                return;
            }
            seen[p->perm[i]] = true;
            perm[i] = p->perm[i];
        }
    }
    if (shape_is_batched(&x->shape) && perm[0] != 0) {
        err(c, "perm moves dim %lld of the batched input %s to dim 0: this moves the batch "
            "dimension", (long long)perm[0], fmt(&x->shape, &s));
        return;
    }
    Shape o = {.rank = r};
    for (int i = 0; i < r; i++)
        o.d[i] = x->shape.d[perm[i]];
    p->n_perm = r;
    memcpy(p->perm, perm, sizeof(int64_t) * (size_t)r);
    set_out(c, 0, x->dtype, &o);
}

/* ReduceMean-13/18, ReduceMax-13/18/20, ReduceSum-11/13(data, axes folded
 * into attr) -> reduced: f32; keepdims keeps size-1 dims; empty axes: all,
 * or nothing with noop_with_empty_axes.  Never over the batch. */
static void infer_reduce(Inf *c)
{
    AxesAttr *a = &c->n->attr.axes;
    const Value *x = inval(c, 0);
    int64_t ax[VGGC_MAX_RANK];
    int n = a->n_axes;
    SBuf s;
    if (!want_absent(c, 1, "axes") || !want_float(c, 0))
        return;
    if (n == 0 && a->noop_with_empty_axes) {
        set_out(c, 0, DT_FLOAT, &x->shape);
        return;
    }
    if (n == 0)
        for (int i = 0; i < x->shape.rank; i++)
            ax[n++] = i;
    else if (!norm_axes(c, n, a->axes, x->shape.rank, ax))
        return;
    if (n > 0 && ax[0] == 0 && shape_is_batched(&x->shape)) {
        err(c, "reducing over axis 0 of the batched input %s mixes batch items: this moves the "
            "batch dimension", fmt(&x->shape, &s));
        return;
    }
    Shape o = {.rank = 0};
    for (int i = 0, j = 0; i < x->shape.rank; i++) {
        if (j < n && ax[j] == i) {
            j++;
            if (a->keepdims)
                o.d[o.rank++] = 1;
        } else {
            o.d[o.rank++] = x->shape.d[i];
        }
    }
    a->n_axes = n;
    memcpy(a->axes, ax, sizeof(int64_t) * (size_t)n);
    set_out(c, 0, DT_FLOAT, &o);
}

/* ArgMax, ArgMin(data) -> reduced: f32 of rank >= 1 (and not empty: only
 * data movement takes zero-size tensors), an axis that is not the batch;
 * i64, the axis kept as 1 (keepdims) or dropped. */
static void infer_arg(Inf *c)
{
    ArgAttr *a = &c->n->attr.arg;
    const Value *x = inval(c, 0);
    int r = x->shape.rank;
    int64_t axis;
    if (!float_axis(c, a->axis, "compares items along", &axis))
        return;
    Shape o = {.rank = 0};
    for (int i = 0; i < r; i++)
        if (i != axis)
            o.d[o.rank++] = x->shape.d[i];
        else if (a->keepdims)
            o.d[o.rank++] = 1;
    a->axis = axis;
    set_out(c, 0, DT_INT64, &o);
}

/* The index range of one sliced dim of size dim, ONNX's rule: negative
 * start and end count from the end, then are clamped to [0, dim] (step >
 * 0) or [-1, dim - 1] (step < 0). */
void slice_window(const SliceAttr *a, const Shape *x, int64_t *start, int64_t *step, Shape *out)
{
    *out = *x;
    for (int d = 0; d < x->rank; d++)
        start[d] = 0, step[d] = 1;
    for (int i = 0; i < a->n; i++) {
        int64_t ax = a->axes[i] < 0 ? a->axes[i] + x->rank : a->axes[i];
        int64_t dim = x->d[ax], st = a->steps[i], s = a->starts[i], e = a->ends[i];
        if (s < 0)
            s += dim;
        if (e < 0)
            e += dim;
        int64_t lo = st > 0 ? 0 : -1, hi = st > 0 ? dim : dim - 1;
        s = s < 0 ? 0 : s > hi ? hi : s;
        e = e < lo ? lo : e > hi ? hi : e;
        int64_t len = st > 0 ? (e - s + st - 1) / st : (s - e - st - 1) / -st;
        start[ax] = s;
        step[ax] = st;
        out->d[ax] = len > 0 ? len : 0;
    }
}

/* Slice(data) -> output (the bounds folded into SliceAttr by the
 * frontend): any type; axes in range and distinct, steps not 0, not the
 * batch's axis; an empty result is refused (set_out). */
static void infer_slice(Inf *c)
{
    const SliceAttr *a = &c->n->attr.slice;
    const Value *x = inval(c, 0);
    int r = x->shape.rank;
    unsigned seen = 0;
    SBuf s;
    for (int i = 0; i < a->n; i++) {
        int64_t ax;
        if (!norm_axis(c, "axes", a->axes[i], r, false, &ax))
            return;
        if (seen >> ax & 1) {
            err(c, "axis %lld is sliced twice", (long long)ax);
            return;
        }
        seen |= 1u << ax;
        if (a->steps[i] == 0) {
            err(c, "steps[%d] is 0", i);
            return;
        }
        if (ax == 0 && shape_is_batched(&x->shape)) {
            err(c, "slicing axis 0 of the batched input %s selects batch items: this moves the "
                "batch dimension", fmt(&x->shape, &s));
            return;
        }
    }
    int64_t start[VGGC_MAX_RANK], step[VGGC_MAX_RANK];
    Shape o;
    slice_window(a, &x->shape, start, step, &o);
    set_out(c, 0, x->dtype, &o);
}

/* ConstantOfShape(shape) -> output: the shape a constant 1-D i64 (folded
 * from a Shape chain or given), without the batch N (a constant has
 * none); FillAttr's type.  fold-constants then makes it a constant. */
static void infer_constant_of_shape(Inf *c)
{
    int64_t k;
    const int64_t *sh = const_i64_vec(c, 0, &k);
    Buf b;
    if (!sh)
        return;
    if (k > VGGC_MAX_RANK) {
        err(c, "%s: %lld entries, vggc supports rank <= %d", desc(c, 0, &b), (long long)k,
            VGGC_MAX_RANK);
        return;
    }
    Shape o = {.rank = (int)k};
    for (int i = 0; i < (int)k; i++) {
        if (sh[i] == VGGC_SYM_N) {
            err(c, "%s: entry %d is the batch N; a constant cannot have the batch dimension",
                desc(c, 0, &b), i);
            return;
        }
        if (sh[i] < 0) {
            err(c, "%s: entry %d is %lld, a negative size", desc(c, 0, &b), i, (long long)sh[i]);
            return;
        }
        o.d[i] = sh[i];
    }
    set_out(c, 0, c->n->attr.fill.to, &o);
}

/* Split(input) -> outputs: along an axis that is not the batch's, parts
 * of the given sizes (as many as outputs, summing to the dim) or equal
 * parts; any type. */
static void infer_split(Inf *c)
{
    SplitAttr *a = &c->n->attr.split;
    const Value *x = inval(c, 0);
    uint32_t nout = c->n->n_out;
    int64_t axis;
    SBuf s;
    if (x->shape.rank == 0) {
        Buf b;
        err(c, "%s: expected rank >= 1, got a scalar", desc(c, 0, &b));
        return;
    }
    if (!norm_axis(c, "axis", a->axis, x->shape.rank, false, &axis))
        return;
    if (axis == 0 && shape_is_batched(&x->shape)) {
        err(c, "splitting axis 0 of the batched input %s divides batch items: this moves the "
            "batch dimension", fmt(&x->shape, &s));
        return;
    }
    int64_t dim = x->shape.d[axis];
    int64_t sizes[VGGC_MAX_SPLIT];
    if (a->n == 0) {
        if (dim % nout != 0) {
            err(c, "axis %lld of %s does not split into %u equal parts", (long long)axis,
                fmt(&x->shape, &s), nout);
            return;
        }
        for (uint32_t i = 0; i < nout; i++)
            sizes[i] = dim / nout;
    } else {
        int64_t sum = 0;
        if ((uint32_t)a->n != nout) {
            err(c, "split has %d sizes for %u outputs", a->n, nout);
            return;
        }
        for (int i = 0; i < a->n; i++) {
            if (a->sizes[i] < 0) {
                err(c, "split[%d] is %lld, a negative size", i, (long long)a->sizes[i]);
                return;
            }
            sum += a->sizes[i];
            sizes[i] = a->sizes[i];
        }
        if (sum != dim) {
            err(c, "the split sizes sum to %lld; axis %lld of %s is %lld", (long long)sum,
                (long long)axis, fmt(&x->shape, &s), (long long)dim);
            return;
        }
    }
    a->axis = axis;
    for (uint32_t i = 0; i < nout; i++) {
        Shape o = x->shape;
        o.d[axis] = sizes[i];
        set_out(c, i, x->dtype, &o);
    }
}

void split_part(const Graph *g, const Node *n, uint32_t i, int64_t *start, int64_t *step)
{
    const Shape *x = &g->values[n->in[0]].shape;
    int64_t axis = n->attr.split.axis;
    for (int d = 0; d < x->rank; d++)
        start[d] = 0, step[d] = 1;
    for (uint32_t j = 0; j < i; j++)
        start[axis] += n->attr.split.n ? n->attr.split.sizes[j] : x->d[axis] / n->n_out;
}

/* Size(data) -> i64 scalar: the element count, known at compile time
 * unless the batch N is among the dims. */
static void infer_size(Inf *c)
{
    const Value *x = inval(c, 0);
    SBuf s;
    size_t numel;
    if (shape_is_batched(&x->shape)) {
        err(c, "the size of the batched input %s depends on the batch, which vggc leaves open "
            "until run time (compile with --batch N to fix it)", fmt(&x->shape, &s));
        return;
    }
    if (!shape_numel_per_item(&x->shape, &numel)) {
        err(c, "the size of %s overflows", fmt(&x->shape, &s));
        return;
    }
    Shape o = {.rank = 0};
    set_out(c, 0, DT_INT64, &o);
}

/* Concat-13(inputs...) -> concatenated along axis: same rank and dtype, equal
 * dims except on the axis. */
static void infer_concat(Inf *c)
{
    const Value *x0 = inval(c, 0);
    Buf b, b0;
    SBuf s, s0;
    int64_t axis;
    if (!norm_axis(c, "axis", c->n->attr.axis, x0->shape.rank, false, &axis))
        return;
    Shape o = x0->shape;
    for (uint32_t i = 1; i < c->n->n_in; i++) {
        const Value *x = inval(c, i);
        if (!x) {
            err(c, "input %u is omitted; Concat needs every input", i);
            return;
        }
        if (x->dtype != x0->dtype) {
            err(c, "%s: expected %s like input 0, got %s", desc(c, i, &b), dtype_name(x0->dtype),
                dtype_name(x->dtype));
            return;
        }
        if (x->shape.rank != o.rank) {
            err(c, "%s: expected rank %d like %s, got %s", desc(c, i, &b), o.rank,
                desc(c, 0, &b0), fmt(&x->shape, &s));
            return;
        }
        for (int k = 0; k < o.rank; k++) {
            int64_t d = x->shape.d[k];
            if (k == axis) {
                if (d == VGGC_DIM_N || o.d[k] == VGGC_DIM_N) {
                    err(c, "concatenating along axis 0 of batched inputs: this moves the batch "
                        "dimension");
                    return;
                }
                if (__builtin_add_overflow(o.d[k], d, &o.d[k]) || o.d[k] > VGGC_MAX_DIM) {
                    err(c, "the concatenated axis exceeds %lld", (long long)VGGC_MAX_DIM);
                    return;
                }
            } else if (d != x0->shape.d[k]) {
                err(c, "%s: %s differs from input 0 %s in dim %d (only axis %lld may differ)",
                    desc(c, i, &b), fmt(&x->shape, &s), fmt(&x0->shape, &s0), k, (long long)axis);
                return;
            }
        }
    }
    if (axis == 0 && c->n->n_in > 1 && shape_is_batched(&x0->shape)) {
        err(c, "concatenating along axis 0 of batched inputs: this moves the batch dimension");
        return;
    }
    c->n->attr.axis = axis;
    set_out(c, 0, x0->dtype, &o);
}

/* Gather-13(data, indices i64|i32) -> data[:axis] + indices.shape + data[axis+1:]. */
/* GatherElements-11/13(data, indices) -> [indices' shape], data's type:
 * y[i...] = data[i...] with the axis coordinate taken from indices[i...]
 * (negative from the end, checked at run time).  indices has data's rank
 * and, off the axis, dims no larger than data's; the symbolic batch must
 * be in both, and not on the axis. */
static void infer_gather_elements(Inf *c)
{
    const Value *x = inval(c, 0), *idx = inval(c, 1);
    Buf b;
    SBuf s, t;
    int64_t axis;
    if (idx->dtype != DT_INT64 && idx->dtype != DT_INT32) {
        err(c, "%s: expected i64 or i32, got %s", desc(c, 1, &b), dtype_name(idx->dtype));
        return;
    }
    const int r = x->shape.rank;
    if (r == 0 || idx->shape.rank != r) {
        err(c, "indices %s must have the rank of the data %s (at least 1)", fmt(&idx->shape, &s),
            fmt(&x->shape, &t));
        return;
    }
    if (!norm_axis(c, "axis", c->n->attr.axis, r, false, &axis))
        return;
    for (int d = 0; d < r; d++) {
        const int64_t xd = x->shape.d[d], id = idx->shape.d[d];
        if ((xd == VGGC_DIM_N) != (id == VGGC_DIM_N) || (xd == VGGC_DIM_N && d == axis)) {
            err(c, "indices %s and data %s: the batch must be dim 0 of both, off the axis",
                fmt(&idx->shape, &s), fmt(&x->shape, &t));
            return;
        }
        if (d != axis && xd != VGGC_DIM_N && id > xd) {
            err(c, "indices %s exceed the data %s in dim %d", fmt(&idx->shape, &s),
                fmt(&x->shape, &t), d);
            return;
        }
    }
    set_out(c, 0, x->dtype, &idx->shape);
}

static void infer_gather(Inf *c)
{
    const Value *x = inval(c, 0), *idx = inval(c, 1);
    Buf b;
    SBuf s;
    int64_t axis;
    if (idx->dtype != DT_INT64 && idx->dtype != DT_INT32) {
        err(c, "%s: expected i64 or i32, got %s", desc(c, 1, &b), dtype_name(idx->dtype));
        return;
    }
    if (x->shape.rank == 0) {
        err(c, "%s: expected rank >= 1, got a scalar", desc(c, 0, &b));
        return;
    }
    if (!norm_axis(c, "axis", c->n->attr.axis, x->shape.rank, false, &axis))
        return;
    int r = x->shape.rank - 1 + idx->shape.rank;
    if (r > VGGC_MAX_RANK) {
        err(c, "output rank %d exceeds %d", r, VGGC_MAX_RANK);
        return;
    }
    int64_t dim = x->shape.d[axis];
    if (dim == VGGC_DIM_N) {
        err(c, "gathering along axis 0 of the batched input %s: this moves the batch dimension",
            fmt(&x->shape, &s));
        return;
    }
    if (idx->kind == VAL_CONST) {
        size_t numel, bytes;
        size_t es = dtype_size(idx->dtype);
        if (!shape_numel(&idx->shape, 1, &numel) || !size_mul(numel, es, &bytes) ||
            bytes != idx->nbytes || (bytes && !idx->data)) {
            err(c, "%s: constant holds %zu bytes, which does not match %s", desc(c, 1, &b),
                idx->nbytes, fmt(&idx->shape, &s));
            return;
        }
        for (size_t i = 0; i < numel; i++) {
            int64_t v;
            if (idx->dtype == DT_INT64)
                memcpy(&v, (const char *)idx->data + i * 8, 8);
            else {
                int32_t v32;
                memcpy(&v32, (const char *)idx->data + i * 4, 4);
                v = v32;
            }
            if (v == VGGC_SYM_N) {
                err(c, "%s: position %zu holds the batch N, which is not an index", desc(c, 1, &b), i);
                return;
            }
            if (v < -dim || v >= dim) {
                err(c, "%s: index %lld at position %zu is out of range [%lld, %lld] for axis %lld",
                    desc(c, 1, &b), (long long)v, i, (long long)-dim, (long long)dim - 1,
                    (long long)axis);
                return;
            }
        }
    }
    Shape o = {.rank = r};
    int k = 0;
    for (int i = 0; i < axis; i++)
        o.d[k++] = x->shape.d[i];
    for (int i = 0; i < idx->shape.rank; i++)
        o.d[k++] = idx->shape.d[i];
    for (int i = (int)axis + 1; i < x->shape.rank; i++)
        o.d[k++] = x->shape.d[i];
    c->n->attr.axis = axis;
    set_out(c, 0, x->dtype, &o);
}

/* Shape-15(data) -> i64 [end - start]: start/end clamped into [0, rank]
 * after adding rank to negatives; end defaults to rank. */
static void infer_shape_op(Inf *c)
{
    ShapeAttr *a = &c->n->attr.shape;
    int r = inval(c, 0)->shape.rank;
    int64_t start = a->start, end = a->has_end ? a->end : r;
    if (start < 0)
        start = start < -(int64_t)r ? 0 : start + r;
    if (end < 0)
        end = end < -(int64_t)r ? 0 : end + r;
    if (start > r)
        start = r;
    if (end > r)
        end = r;
    if (end <= start) {
        err(c, "start %lld and end %lld select no dims of a rank-%d input; vggc does not support "
            "empty tensors", (long long)a->start, (long long)(a->has_end ? a->end : r), r);
        return;
    }
    a->start = start;
    a->end = end;
    a->has_end = true;
    Shape o = {.rank = 1, .d = {end - start}};
    set_out(c, 0, DT_INT64, &o);
}

/* Cast-13(input) -> output of dtype `to`, same shape.  STRING (numpy's
 * str() of a number, and back): to it from f32, f64, i64, i32, i8, u8; from
 * it to f32 and f64 (runtime/strings.c). */
#define DTM_TO_STRING (DTM(DT_FLOAT) | DTM(DT_DOUBLE) | DTM(DT_INT64) | DTM(DT_INT32) | \
                       DTM(DT_INT8) | DTM(DT_UINT8) | DTM(DT_STRING))
#define DTM_FROM_STRING (DTM(DT_FLOAT) | DTM(DT_DOUBLE) | DTM(DT_STRING))
static void infer_cast(Inf *c)
{
    DType to = c->n->attr.cast.to;
    if ((unsigned)to <= DT_UNDEF || (unsigned)to >= DT_COUNT) {
        err(c, "'to' is not a dtype vggc supports (%d)", (int)to);
        return;
    }
    DType from = inval(c, 0)->dtype;
    if (to == DT_STRING && !(DTM(from) & DTM_TO_STRING)) {
        err(c, "Cast from %s to str is not supported (from f32, f64, i64, i32, i8, u8 and str "
            "are)", dtype_name(from));
        return;
    }
    if (from == DT_STRING && !(DTM(to) & DTM_FROM_STRING)) {
        err(c, "Cast from str to %s is not supported (to f32, f64 and str are)",
            dtype_name(to));
        return;
    }
    set_out(c, 0, to, &inval(c, 0)->shape);
}

/* Pad-13(data, pads and constant_value folded into attr) -> padded:
 * dim i grows by pads[i] (begin) + pads[rank+i] (end); negative pads crop.
 * The reflect, edge and wrap modes read the border from what the crops
 * leave of the dim, so something must be left where a dim is padded. */
static void infer_pad(Inf *c)
{
    const PadAttr *p = &c->n->attr.pad;
    const Value *x = inval(c, 0);
    int r = x->shape.rank;
    SBuf s;
    bool ok = want_absent(c, 1, "pads");
    ok = want_absent(c, 2, "value") && ok;
    if (!want_absent(c, 3, "pads") || !ok)
        return;
    if ((unsigned)p->mode >= PAD_COUNT) {
        err(c, "mode has the invalid value %d", (int)p->mode);
        return;
    }
    for (int i = 2 * r; i < 2 * VGGC_MAX_RANK; i++)
        if (p->pads[i] != 0) {
            err(c, "pads has a nonzero entry %d (%lld) past 2*rank = %d for the input %s", i,
                (long long)p->pads[i], 2 * r, fmt(&x->shape, &s));
            return;
        }
    Shape o = x->shape;
    for (int i = 0; i < r; i++) {
        int64_t b = p->pads[i], e = p->pads[r + i];
        if (b < -VGGC_MAX_DIM || b > VGGC_MAX_DIM || e < -VGGC_MAX_DIM || e > VGGC_MAX_DIM) {
            err(c, "pads for dim %d (%lld, %lld) are out of range", i, (long long)b, (long long)e);
            return;
        }
        if (o.d[i] == VGGC_DIM_N) {
            if (b || e) {
                err(c, "pads dim 0 of the batched input %s by (%lld, %lld): this moves the batch "
                    "dimension", fmt(&x->shape, &s), (long long)b, (long long)e);
                return;
            }
            continue;
        }
        int64_t left = o.d[i] - (b < 0 ? -b : 0) - (e < 0 ? -e : 0);
        o.d[i] += b + e;
        if (o.d[i] < 1) {
            err(c, "pads (%lld, %lld) leave dim %d of %s with size %lld; expected >= 1",
                (long long)b, (long long)e, i, fmt(&x->shape, &s), (long long)o.d[i]);
            return;
        }
        if (p->mode != PAD_CONSTANT && (b > 0 || e > 0) && left < 1) {
            err(c, "pads (%lld, %lld) crop dim %d of %s to nothing and pad it: mode %s has no "
                "element to copy", (long long)b, (long long)e, i, fmt(&x->shape, &s),
                pad_mode_name(p->mode));
            return;
        }
    }
    set_out(c, 0, x->dtype, &o);
}

/* Resize (X) -> Y: each dim floor(d * scale) (double, as ONNX's
 * reference), or sizes[i].  The symbolic batch keeps its dim: scale 1, and
 * no sizes there (they would fix it). */
static void infer_resize(Inf *c)
{
    const ResizeAttr *a = &c->n->attr.resize;
    const Value *x = inval(c, 0);
    SBuf s;
    bool ok = want_absent(c, 1, "roi");
    ok = want_absent(c, 2, "scales") && ok;
    if (!want_absent(c, 3, "sizes") || !ok || !want_floats(c, 1))
        return;
    const int r = x->shape.rank;
    if ((unsigned)a->mode >= RESIZE_MODE_COUNT || (unsigned)a->coord >= COORD_COUNT ||
        (unsigned)a->nearest >= NEAREST_COUNT) {
        err(c, "mode %d, coordinate mode %d or nearest mode %d is invalid", (int)a->mode,
            (int)a->coord, (int)a->nearest);
        return;
    }
    if (r < 1 || a->n != r) {
        err(c, "%s has %d value%s for the input %s; expected one per dim",
            a->has_sizes ? "sizes" : "scales", a->n, a->n == 1 ? "" : "s", fmt(&x->shape, &s));
        return;
    }
    if (!isfinite(a->cubic_a)) {
        err(c, "cubic_coeff_a is not finite");
        return;
    }
    Shape o = x->shape;
    for (int i = 0; i < r; i++) {
        const float lo = a->roi[i], hi = a->roi[VGGC_MAX_RANK + i];
        if (a->coord == COORD_TF_CROP_AND_RESIZE && (!isfinite(lo) || !isfinite(hi))) {
            err(c, "roi for dim %d (%g, %g) is not finite", i, (double)lo, (double)hi);
            return;
        }
        const bool batch = o.d[i] == VGGC_DIM_N;
        if (a->has_sizes) {
            if (batch && a->sizes[i] == VGGC_DIM_N)
                continue;   /* a dim that 'axes' left out */
            if (batch) {
                err(c, "sizes[0] = %lld would fix the batch dim of the input %s (compile with "
                    "--batch N)", (long long)a->sizes[0], fmt(&x->shape, &s));
                return;
            }
            if (a->sizes[i] < 1 || a->sizes[i] > VGGC_MAX_DIM) {
                err(c, "sizes[%d] is %lld; expected 1 to %lld", i, (long long)a->sizes[i],
                    (long long)VGGC_MAX_DIM);
                return;
            }
            o.d[i] = a->sizes[i];
            continue;
        }
        const float sc = a->scales[i];
        if (!(sc > 0) || !isfinite(sc)) {
            err(c, "scales[%d] is %g; expected a finite number > 0", i, (double)sc);
            return;
        }
        if (batch) {
            if (sc != 1.0f) {
                err(c, "scales[0] = %g would resize the batch dim of the input %s", (double)sc,
                    fmt(&x->shape, &s));
                return;
            }
            continue;
        }
        const double d = floor((double)o.d[i] * (double)sc);
        if (d < 1 || d > (double)VGGC_MAX_DIM) {
            err(c, "scales[%d] = %g makes dim %d of the input %s %.0f; expected 1 to %lld", i,
                (double)sc, i, fmt(&x->shape, &s), d, (long long)VGGC_MAX_DIM);
            return;
        }
        o.d[i] = (int64_t)d;
    }
    set_out(c, 0, DT_FLOAT, &o);
}

/* ---- the driver ---------------------------------------------------------------------------------- */

/* Runs one node's inference with the checks common to all ops. */
static bool infer_node(Graph *g, uint32_t id)
{
    Node *n = &g->nodes[id];
    Inf c = {.g = g, .n = n};
    if (n->op == OP_DEAD)
        return true;
    if ((unsigned)n->op > OP_COUNT) {
        graph_error(g, n, "invalid op kind %d", (int)n->op);
        return false;
    }
    const OpInfo *oi = &op_info[n->op];
    for (uint32_t i = 0; i < n->n_out; i++) {
        if (n->out[i] == VGGC_NONE)
            continue;
        if (n->out[i] >= g->n_values) {
            graph_error(g, n, "output %u: value id %u is out of range", i, n->out[i]);
            return false;
        }
        if (g->values[n->out[i]].kind != VAL_TEMP) {
            graph_error(g, n, "output %u ('%s') is a graph input or constant, not a node result",
                        i, g->values[n->out[i]].name);
            return false;
        }
        g->values[n->out[i]].has_shape = false;
    }
    if (n->n_in < oi->min_in || n->n_in > oi->max_in || n->n_out < oi->min_out ||
        n->n_out > oi->max_out) {
        graph_error(g, n, "has %u inputs and %u outputs; expected %u..%u and %u..%u", n->n_in,
                    n->n_out, oi->min_in, oi->max_in, oi->min_out, oi->max_out);
        return false;
    }
    if (n->op == OP_CONSTANT) {
        graph_error(g, n, "Constant nodes must become constant values in the frontend");
        return false;
    }
    if (n->op == OP_CAST_LIKE) {
        graph_error(g, n, "CastLike nodes must become Cast nodes in the frontend");
        return false;
    }
    if (n->op == OP_UPSAMPLE) {
        graph_error(g, n, "Upsample nodes must become Resize nodes in the frontend");
        return false;
    }
    if (n->out[0] == VGGC_NONE) {
        graph_error(g, n, "output 0 is omitted");
        return false;
    }
    for (uint32_t i = 0; i < n->n_in; i++) {
        uint32_t v = n->in[i];
        Buf b;
        SBuf s;
        if (v == VGGC_NONE) {
            if (i < oi->min_in) {
                graph_error(g, n, "input %u is required but omitted", i);
                return false;
            }
            continue;
        }
        if (v >= g->n_values) {
            graph_error(g, n, "input %u: value id %u is out of range", i, v);
            return false;
        }
        const Value *x = &g->values[v];
        /* A node result is only read from a live node earlier in the
         * order, whose inference ran before this one: a shape left over
         * from elsewhere (a pass, the text form) is never trusted. */
        uint32_t p = x->producer;
        bool from_earlier = x->kind == VAL_TEMP && p < id && g->nodes[p].op != OP_DEAD;
        if ((x->kind == VAL_TEMP && !from_earlier) || (x->kind != VAL_TEMP && !x->has_shape)) {
            graph_error(g, n, "%s has no shape: %s", desc(&c, i, &b),
                        x->kind != VAL_TEMP ? "the frontend gave it none"
                        : p == VGGC_NONE ? "no node produces it"
                        : p >= g->n_nodes ? "its producer id is out of range"
                        : g->nodes[p].op == OP_DEAD ? "its producer is dead"
                        : "its producer comes later (not in topological order)");
            return false;
        }
        if (!x->has_shape)
            return false;   /* its producer failed and said why (or was skipped) */
        if (!shape_sane(&x->shape)) {
            if (x->shape.rank < 0 || x->shape.rank > VGGC_MAX_RANK)
                graph_error(g, n, "%s: rank %d is out of range [0, %d]", desc(&c, i, &b),
                            x->shape.rank, VGGC_MAX_RANK);
            else
                graph_error(g, n, "%s: invalid shape %s (dims in [0, %lld], N only as dim 0)",
                            desc(&c, i, &b), fmt(&x->shape, &s), (long long)VGGC_MAX_DIM);
            return false;
        }
        size_t numel = 1;
        if (x->kind != VAL_CONST && !passes_zero_size(n->op) &&
            shape_numel_per_item(&x->shape, &numel) && numel == 0) {
            graph_error(g, n, "%s is %s, a zero-size tensor; vggc supports zero-size tensors only "
                        "through Reshape, Flatten, Squeeze, Unsqueeze and Identity",
                        desc(&c, i, &b), fmt(&x->shape, &s));
            return false;
        }
        if (x->kind == VAL_CONST && shape_is_batched(&x->shape)) {
            graph_error(g, n, "%s: a constant cannot have the batch dimension, got %s",
                        desc(&c, i, &b), fmt(&x->shape, &s));
            return false;
        }
        if ((unsigned)x->dtype <= DT_UNDEF || (unsigned)x->dtype >= DT_COUNT) {
            graph_error(g, n, "%s has no valid dtype", desc(&c, i, &b));
            return false;
        }
        /* Text goes through Cast and Identity only (runtime/strings.c). */
        if (x->dtype == DT_STRING && n->op != OP_CAST && n->op != OP_IDENTITY) {
            graph_error(g, n, "%s: %s of %s is not supported (only Cast and Identity take "
                        "STRING tensors)", desc(&c, i, &b), op_name(n->op), dtype_name(x->dtype));
            return false;
        }
    }

    switch (n->op) {
    case OP_CONV: infer_conv(&c); break;
    case OP_CONV_TRANSPOSE: infer_conv_transpose(&c); break;
    case OP_RELU: case OP_SIGMOID: case OP_LEAKY_RELU: case OP_TANH: case OP_HARD_SIGMOID:
    case OP_HARD_SWISH: case OP_EXP: case OP_LOG: case OP_SQRT:
    case OP_RECIPROCAL: case OP_CEIL: case OP_FLOOR: case OP_ROUND: case OP_ERF:
    case OP_SIN: case OP_COS: case OP_ELU: case OP_SELU: case OP_SOFTPLUS: case OP_SOFTSIGN:
    case OP_THRESHOLDED_RELU:
        infer_unary_float(&c);
        break;
    case OP_NEG: case OP_ABS: case OP_SIGN: infer_unary_signed(&c); break;
    case OP_MAXPOOL: case OP_AVGPOOL: infer_pool(&c); break;
    case OP_GLOBAL_AVGPOOL: case OP_GLOBAL_MAXPOOL: infer_global_pool(&c); break;
    case OP_REDUCE_MEAN: case OP_REDUCE_MAX: case OP_REDUCE_SUM: case OP_REDUCE_MIN:
    case OP_REDUCE_PROD: case OP_REDUCE_SUM_SQUARE: case OP_REDUCE_L1:
    case OP_REDUCE_L2: case OP_REDUCE_LOG_SUM: case OP_REDUCE_LOG_SUM_EXP:
        infer_reduce(&c);
        break;
    case OP_SUM: case OP_MAX: case OP_MIN: infer_variadic(&c); break;
    case OP_ARGMAX: case OP_ARGMIN: infer_arg(&c); break;
    case OP_SLICE: infer_slice(&c); break;
    case OP_CONSTANT_OF_SHAPE: infer_constant_of_shape(&c); break;
    case OP_SIZE: infer_size(&c); break;
    case OP_SPLIT: infer_split(&c); break;
    case OP_PRELU: infer_prelu(&c); break;
    case OP_FLATTEN: infer_flatten(&c); break;
    case OP_RESHAPE: infer_reshape(&c); break;
    case OP_SQUEEZE: infer_squeeze(&c); break;
    case OP_UNSQUEEZE: infer_unsqueeze(&c); break;
    case OP_TRANSPOSE: infer_transpose(&c); break;
    case OP_GEMM: infer_gemm(&c); break;
    case OP_MATMUL: infer_matmul(&c); break;
    case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV: infer_binary(&c); break;
    case OP_POW: infer_pow(&c); break;
    case OP_MOD: infer_mod(&c); break;
    case OP_BATCHNORM: infer_batchnorm(&c); break;
    case OP_INSTANCE_NORM: infer_instancenorm(&c); break;
    case OP_LAYER_NORM: infer_layernorm(&c); break;
    case OP_DROPOUT: infer_dropout(&c); break;
    case OP_IDENTITY: infer_identity(&c); break;
    case OP_SOFTMAX: case OP_LOG_SOFTMAX: infer_softmax(&c); break;
    case OP_SHAPE: infer_shape_op(&c); break;
    case OP_GATHER: infer_gather(&c); break;
    case OP_GATHER_ELEMENTS: infer_gather_elements(&c); break;
    case OP_CONCAT: infer_concat(&c); break;
    case OP_CAST: infer_cast(&c); break;
    case OP_CLIP: infer_clip(&c); break;
    case OP_PAD: infer_pad(&c); break;
    case OP_RESIZE: infer_resize(&c); break;
    case OP_LRN: infer_lrn(&c); break;
    case OP_CONSTANT: case OP_CAST_LIKE: case OP_UPSAMPLE: case OP_COUNT: VGGC_UNREACHABLE();
    }
    _Static_assert(OP_COUNT == 82, "shape inference handles every op in ops.def");
    return c.bad == 0;
}

/* One node (a pass that rewrote it calls this); its inputs must already
 * have their shapes.  Reports and returns false on a problem. */
bool node_infer_shape(Graph *g, Node *n)
{
    VGGC_ASSERT(n >= g->nodes && n < g->nodes + g->n_nodes);
    return infer_node(g, (uint32_t)(n - g->nodes));
}

/* Every node in order: requires shapes on graph inputs and constants;
 * gives every output of a live node its dtype and shape, resolves the
 * attributes (see the top of this file); reports every independent
 * problem; true when there was none. */
bool graph_infer_shapes(Graph *g)
{
    int before = g->n_errors;
    bool ok = true;
    for (uint32_t i = 0; i < g->n_nodes; i++)
        ok &= infer_node(g, i);
    return ok && g->n_errors == before;
}
