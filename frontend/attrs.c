/* attrs.c — ONNX attributes to the IR's typed Attr, one op at a time.
 *
 * ONNX describes an operator by its opset history: an attribute appears in
 * one version, gets a new default in another, and some become inputs (the
 * axes of Squeeze/Unsqueeze and ReduceSum in 13, of ReduceMean and ReduceMax
 * in 18; Clip's bounds in 11; Pad's pads and value in 11).  Here each op's
 * code reads the attributes its version has, applies that version's
 * defaults, and, where an input replaced an attribute, requires the input
 * to be a constant and folds it into the same Attr field, dropping the
 * input (Clip alone also takes run-time bounds, which stay inputs).  After
 * this file, a Squeeze is a Squeeze whatever opset it came from.
 *
 * Each op's block starts with its ONNX signature per version and defaults.
 * What vggc does not run (training mode and its outputs, windows of more than 3-D) is
 * refused here with a message naming the node, so later stages never see
 * it.  Attributes we do not know are ignored, as ONNX runtimes do; those
 * that exist but change semantics in a way we do not implement are errors.
 */
#include "frontend-impl.h"
#include "mt19937.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- attribute types ------------------------------------------------------ */

Onnx__AttributeProto__AttributeType fe_attr_type(const Onnx__AttributeProto *a)
{
    if (a->has_type && a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED)
        return a->type;
    /* IR version 1 models may leave the type out: infer it from the fields. */
    if (a->g)
        return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH;
    if (a->n_graphs)
        return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPHS;
    if (a->t)
        return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR;
    if (a->n_tensors)
        return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSORS;
    if (a->sparse_tensor)
        return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__SPARSE_TENSOR;
    if (a->n_floats)
        return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS;
    if (a->n_ints)
        return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
    if (a->n_strings)
        return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS;
    if (a->has_f)
        return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
    if (a->has_i)
        return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
    if (a->has_s)
        return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
    return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED;
}

const char *fe_attr_type_name(Onnx__AttributeProto__AttributeType t)
{
    switch (t) {
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT: return "FLOAT";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT: return "INT";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING: return "STRING";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR: return "TENSOR";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH: return "GRAPH";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__SPARSE_TENSOR: return "SPARSE_TENSOR";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TYPE_PROTO: return "TYPE_PROTO";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS: return "FLOATS";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS: return "INTS";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS: return "STRINGS";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSORS: return "TENSORS";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPHS: return "GRAPHS";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__SPARSE_TENSORS: return "SPARSE_TENSORS";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TYPE_PROTOS: return "TYPE_PROTOS";
    default: return "UNDEFINED";
    }
}

/* ---- the normalizer's state and its readers -------------------------------- */

typedef struct {
    ImportCtx *c;
    const Onnx__NodeProto *np;
    Node *n;                        /* the draft: op, name, in/out ids, attr */
    bool ok;                        /* nothing reported against this node yet */
} Norm;

/* Reports a problem against the node and marks it failed. */
static void nerr(Norm *z, const char *fmt, ...) VGGC_PRINTF(2, 3);
static void nerr(Norm *z, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    graph_verror(z->c->g, z->n, fmt, ap);
    va_end(ap);
    z->ok = false;
}

/* The attribute named name, if it has type t; reports one of another type. */
static const Onnx__AttributeProto *find(Norm *z, const char *name,
                                        Onnx__AttributeProto__AttributeType t)
{
    for (size_t i = 0; i < z->np->n_attribute; i++) {
        const Onnx__AttributeProto *a = z->np->attribute[i];
        if (strcmp(fe_str(a->name), name) != 0)
            continue;
        Onnx__AttributeProto__AttributeType have = fe_attr_type(a);
        if (have != t) {
            nerr(z, "attribute '%s' is %s; expected %s", name, fe_attr_type_name(have),
                 fe_attr_type_name(t));
            return NULL;
        }
        return a;
    }
    return NULL;
}

/* Is an attribute of that name present (whatever its type)? */
static bool has_attr(const Norm *z, const char *name)
{
    for (size_t i = 0; i < z->np->n_attribute; i++)
        if (strcmp(fe_str(z->np->attribute[i]->name), name) == 0)
            return true;
    return false;
}

/* The value of an INT (FLOAT) attribute, or dflt when absent or mistyped. */
static int64_t get_int(Norm *z, const char *name, int64_t dflt)
{
    const Onnx__AttributeProto *a = find(z, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    return a ? a->i : dflt;
}

static float get_float(Norm *z, const char *name, float dflt)
{
    const Onnx__AttributeProto *a = find(z, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
    return a ? a->f : dflt;
}

/* The ints of an INTS attribute; *present tells an empty list from none. */
static size_t get_ints(Norm *z, const char *name, const int64_t **v, bool *present)
{
    const Onnx__AttributeProto *a = find(z, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
    if (present)
        *present = a != NULL;
    *v = a ? a->ints : NULL;
    return a ? a->n_ints : 0;
}

/* A STRING attribute into buf (NUL-terminated, cut to fit), or dflt. */
static const char *get_string(Norm *z, const char *name, const char *dflt, char *buf,
                              size_t cap)
{
    const Onnx__AttributeProto *a = find(z, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);
    if (!a)
        return dflt;
    size_t n = a->s.len < cap - 1 ? a->s.len : cap - 1;
    if (n)
        memcpy(buf, a->s.data, n);
    buf[n] = 0;
    for (size_t i = 0; i < n; i++)  /* keep messages printable */
        if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] == 0x7f)
            buf[i] = '?';
    return buf;
}

/* Copies an INTS attribute of at most max values into out. */
static bool ints_into(Norm *z, const char *name, int64_t *out, size_t max, int *n_out,
                      bool *present)
{
    const int64_t *v;
    size_t n = get_ints(z, name, &v, present);
    if (n > max) {
        nerr(z, "attribute '%s' has %zu values; at most %zu are supported", name, n, max);
        return false;
    }
    if (n)
        memcpy(out, v, n * sizeof *v);
    *n_out = (int)n;
    return true;
}

/* ---- constant inputs ------------------------------------------------------- */

typedef enum { IN_ABSENT, IN_CONST, IN_FAILED } InKind;

/* Input i of the node, which vggc needs as a constant (`what` names it for
 * the message).  IN_ABSENT when omitted. */
static InKind const_input(Norm *z, uint32_t i, const char *what, const Value **out)
{
    if (i >= z->n->n_in || z->n->in[i] == VGGC_NONE)
        return IN_ABSENT;
    const Value *v = &z->c->g->values[z->n->in[i]];
    if (fe_poisoned(v)) {
        z->ok = false;
        return IN_FAILED;
    }
    if (v->kind == VAL_INPUT) {
        /* The wording run_conformance.py looks for: "--bind NAME=FILE.npy". */
        nerr(z, "input %u ('%s', the %s) is a graph input, but vggc needs it at compile time "
             "(it folds it into the operator): fix its value with --bind %s=FILE.npy", i,
             v->name, what, v->name);
        fe_needed_at_compile_time(z->c, v);
        return IN_FAILED;
    }
    if (v->kind != VAL_CONST) {
        nerr(z, "input %u ('%s', the %s) must be a constant: vggc folds it into the operator",
             i, v->name, what);
        return IN_FAILED;
    }
    *out = v;
    return IN_CONST;
}

/* Elements in constant v. */
static size_t const_count(const Value *v)
{
    size_t es = dtype_size(v->dtype);
    return es ? v->nbytes / es : 0;
}

/* A 0-D or 1-D constant of dtype a or b (`type` names them) and at most
 * max values: their count in *n. */
static bool const_vector(Norm *z, const Value *v, const char *what, DType a, DType b,
                         const char *type, size_t max, size_t *n)
{
    if (v->dtype != a && v->dtype != b) {
        nerr(z, "the %s ('%s') must be %s, not %s", what, v->name, type,
             fe_onnx_dtype_name(fe_dtype_to_onnx(v->dtype)));
        return false;
    }
    if (v->shape.rank > 1) {
        nerr(z, "the %s ('%s') must be 1-D, has rank %d", what, v->name, v->shape.rank);
        return false;
    }
    *n = const_count(v);
    if (*n > max) {
        nerr(z, "the %s ('%s') has %zu values; at most %zu are supported", what, v->name, *n,
             max);
        return false;
    }
    return true;
}

/* The int64 (or int32) values of a 0-D or 1-D constant, at most max. */
static bool const_ints(Norm *z, const Value *v, const char *what, int64_t *out, size_t max,
                       int *n_out)
{
    size_t n;
    if (!const_vector(z, v, what, DT_INT64, DT_INT32, "INT64", max, &n))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (v->dtype == DT_INT64) {
            memcpy(&out[i], (const char *)v->data + 8 * i, 8);
        } else {
            int32_t x;
            memcpy(&x, (const char *)v->data + 4 * i, 4);
            out[i] = x;
        }
    }
    *n_out = (int)n;
    return true;
}

/* The value of a one-element constant as a float. */
static bool const_scalar(Norm *z, const Value *v, const char *what, float *out)
{
    if (const_count(v) != 1 || v->shape.rank > 1) {
        nerr(z, "the %s ('%s') must be a scalar", what, v->name);
        return false;
    }
    switch (v->dtype) {
    case DT_FLOAT: memcpy(out, v->data, 4); return true;
    case DT_INT64: { int64_t x; memcpy(&x, v->data, 8); *out = (float)x; return true; }
    case DT_INT32: { int32_t x; memcpy(&x, v->data, 4); *out = (float)x; return true; }
    case DT_BOOL: *out = *(const unsigned char *)v->data ? 1.0f : 0.0f; return true;
    case DT_UINT8: *out = *(const uint8_t *)v->data; return true;
    case DT_INT8: *out = *(const int8_t *)v->data; return true;
    case DT_DOUBLE: { double x; memcpy(&x, v->data, 8); *out = (float)x; return true; }
    case DT_FLOAT16: case DT_BFLOAT16: {
        uint16_t h;
        memcpy(&h, v->data, 2);
        *out = (float)(v->dtype == DT_FLOAT16 ? vggrt_f16_to_f64(h) : vggrt_bf16_to_f64(h));
        return true;
    }
    case DT_STRING:     /* never a constant (onnx_import.c) */
    case DT_UNDEF:
    case DT_COUNT: break;
    }
    VGGC_UNREACHABLE();
}

/* Drops every input from index keep on (folded into attributes). */
static void keep_inputs(Norm *z, uint32_t keep)
{
    if (z->n->n_in > keep)
        z->n->n_in = keep;
}

/* Refuses inputs an op only takes from a later opset. */
static bool max_inputs_before(Norm *z, uint32_t max, int64_t since)
{
    if (z->n->n_in > max) {
        nerr(z, "takes %u input%s before opset %lld; has %u (opset %lld)", max,
             max == 1 ? "" : "s", (long long)since, z->n->n_in, (long long)z->c->opset);
        return false;
    }
    return true;
}

/* An attribute that became an input in opset `since` and must not appear. */
static void no_attr_since(Norm *z, const char *name, int64_t since)
{
    if (z->c->opset >= since && has_attr(z, name))
        nerr(z, "attribute '%s' is an input from opset %lld on (this model: opset %lld)", name,
             (long long)since, (long long)z->c->opset);
}

/* Is output i present, named, and read by a node or the graph's outputs? */
static bool output_used(const Norm *z, uint32_t i)
{
    return i < z->n->n_out && z->n->out[i] != VGGC_NONE &&
           fe_name_used(z->c, z->np->output[i]);
}

/* lo <= v <= VGGC_MAX_DIM: a kernel, stride, dilation or pad we can size. */
static bool in_dim_range(int64_t v, int64_t lo)
{
    return v >= lo && v <= VGGC_MAX_DIM;
}

/* ---- Conv, MaxPool, AveragePool --------------------------------------------- */

/* The rank of value id if known before shape inference (an input or a
 * constant, possibly behind Identity nodes, through which PyTorch shares
 * weights); -1 otherwise. */
static int known_rank(const Graph *g, uint32_t id)
{
    for (int hops = 0; id != VGGC_NONE && hops < 64; hops++) {
        const Value *v = &g->values[id];
        if (v->has_shape)
            return v->shape.rank;
        if (v->producer == VGGC_NONE || g->nodes[v->producer].op != OP_IDENTITY)
            break;
        id = g->nodes[v->producer].in[0];
    }
    return -1;
}

/* Conv-1/11 (X, W[, B] -> Y): auto_pad="NOTSET", dilations=[1...], group=1,
 *   kernel_shape=W's spatial dims, pads=[0...], strides=[1...].
 * ConvTranspose-1/11 (X, W[, B] -> Y): as Conv, plus output_padding=[0...]
 *   and output_shape (the spatial dims, or all of them as some exporters
 *   write it), which overrides pads.
 * MaxPool-8/10/11/12 (X -> Y[, Indices]): auto_pad="NOTSET", ceil_mode=0 (10),
 *   dilations=[1...] (10), kernel_shape required, pads=[0...],
 *   storage_order=0, strides=[1...].  Indices (int64) are flat positions in
 *   X, [0, N*C*H*W), padding not counted.
 * AveragePool-7/10/11/19 (X -> Y): auto_pad="NOTSET", ceil_mode=0 (10),
 *   count_include_pad=0, dilations=[1...] (19), kernel_shape required,
 *   pads=[0...], strides=[1...].
 * pads are [x1_begin, x2_begin, ..., x1_end, x2_end, ...].  1-D runs as 2-D
 * with H = 1: the 1-D values go in index 1 (pads: left and right), index 0
 * holds the identity (kernel 1, stride 1, dilation 1, no padding).  3-D
 * keeps D in WindowAttr's depth fields and H, W where 2-D has them.
 * When Conv gives no spatial attribute at all, nsp comes from the rank of W
 * (or of X) if known here; otherwise it stays 0, which shape inference
 * refuses (every default is the same in 1-D and 2-D, so it could take nsp
 * from W instead). */
static void norm_window(Norm *z)
{
    WindowAttr *w = &z->n->attr.win;
    OpKind op = z->n->op;
    int64_t opset = z->c->opset;
    const int64_t *ks, *st, *pd, *dl;
    size_t nks = get_ints(z, "kernel_shape", &ks, NULL);
    size_t nst = get_ints(z, "strides", &st, NULL);
    size_t npd = get_ints(z, "pads", &pd, NULL);
    size_t ndl = get_ints(z, "dilations", &dl, NULL);
    const bool conv = op == OP_CONV || op == OP_CONV_TRANSPOSE;
    const int64_t *op_ = NULL, *os = NULL;
    size_t nop = op == OP_CONV_TRANSPOSE ? get_ints(z, "output_padding", &op_, NULL) : 0;
    size_t nos = op == OP_CONV_TRANSPOSE ? get_ints(z, "output_shape", &os, NULL) : 0;

    /* How many spatial dims: every attribute given must agree. */
    struct { const char *name; size_t n, per; } dims[] = {
        {"kernel_shape", nks, 1}, {"strides", nst, 1}, {"dilations", ndl, 1}, {"pads", npd, 2},
        {"output_padding", nop, 1},
    };
    size_t nsp = 0;
    const char *from = NULL;
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
        if (!dims[i].n)
            continue;
        if (dims[i].n % dims[i].per) {
            nerr(z, "attribute '%s' has %zu values; expected 2 per spatial dimension",
                 dims[i].name, dims[i].n);
            return;
        }
        size_t k = dims[i].n / dims[i].per;
        if (from && k != nsp) {
            nerr(z, "attributes '%s' and '%s' disagree on the number of spatial dimensions "
                 "(%zu and %zu)", from, dims[i].name, nsp, k);
            return;
        }
        nsp = k;
        from = dims[i].name;
    }
    if (!from && conv) {
        int r = known_rank(z->c->g, z->n->in[1]);
        if (r < 0)
            r = known_rank(z->c->g, z->n->in[0]);
        if (r >= 3)
            nsp = (size_t)r - 2;
        else if (nos)
            nsp = nos;
    }
    if (!nks && !conv) {
        nerr(z, "attribute 'kernel_shape' is required");
        return;
    }
    if (nsp > 3) {
        nerr(z, "%zu-D %s is not supported (only 1-D, 2-D and 3-D)", nsp,
             op == OP_CONV ? "convolution" : conv ? "transposed convolution" : "pooling");
        return;
    }
    if (nos && nos != nsp && nos != nsp + 2) {
        nerr(z, "attribute 'output_shape' has %zu values; expected %zu (the spatial dims) or %zu",
             nos, nsp, nsp + 2);
        return;
    }

    /* Neutral everywhere first (kernel 0 = "from the weight" when absent),
     * then ONNX's axis i through window_set_axis: 1-D lands in index 1,
     * 3-D's first axis in the depth fields. */
    w->nsp = (int)nsp;
    for (int i = 0; i < 2; i++) {
        w->stride[i] = 1;
        w->dilation[i] = 1;
        w->kernel[i] = nks ? 1 : 0;
    }
    w->stride_d = w->dilation_d = 1;
    w->kernel_d = nks || nsp < 3 ? 1 : 0;
    for (size_t i = 0; i < nsp; i++) {
        WindowAxis ax = window_axis(w, (int)i);
        if (nks)
            ax.kernel = ks[i];
        if (nst)
            ax.stride = st[i];
        if (ndl)
            ax.dilation = dl[i];
        if (npd) {
            ax.pad_begin = pd[i];
            ax.pad_end = pd[nsp + i];
        }
        window_set_axis(w, (int)i, ax);
    }
    w->has_kernel = nks > 0;
    for (size_t i = 0; i < nsp; i++) {
        WindowAxis ax = window_axis(w, (int)i);
        if (nks && !in_dim_range(ax.kernel, 1))
            nerr(z, "kernel_shape[%zu] is %lld", i, (long long)ax.kernel);
        if (!in_dim_range(ax.stride, 1))
            nerr(z, "strides[%zu] is %lld", i, (long long)ax.stride);
        if (!in_dim_range(ax.dilation, 1))
            nerr(z, "dilations[%zu] is %lld", i, (long long)ax.dilation);
        if (!in_dim_range(ax.pad_begin, 0) || !in_dim_range(ax.pad_end, 0))
            nerr(z, "pads of spatial dimension %zu are %lld and %lld", i,
                 (long long)ax.pad_begin, (long long)ax.pad_end);
    }

    char buf[64];
    const char *ap = get_string(z, "auto_pad", "NOTSET", buf, sizeof buf);
    if (strcmp(ap, "NOTSET") == 0 || !*ap)
        w->auto_pad = AUTOPAD_NOTSET;
    else if (strcmp(ap, "VALID") == 0)
        w->auto_pad = AUTOPAD_VALID;
    else if (strcmp(ap, "SAME_UPPER") == 0)
        w->auto_pad = AUTOPAD_SAME_UPPER;
    else if (strcmp(ap, "SAME_LOWER") == 0)
        w->auto_pad = AUTOPAD_SAME_LOWER;
    else
        nerr(z, "auto_pad '%s' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER", ap);
    if (w->auto_pad != AUTOPAD_NOTSET) {    /* as ONNX Runtime: auto_pad wins */
        memset(w->pad, 0, sizeof w->pad);
        memset(w->pad_d, 0, sizeof w->pad_d);
    }

    if (op == OP_CONV_TRANSPOSE) {
        for (size_t i = 0; i < nsp; i++) {
            w->out_pad[i] = nop ? op_[i] : 0;   /* checked by shape inference */
            if (nos) {
                w->out_shape[i] = os[nos - nsp + i];
                if (!in_dim_range(w->out_shape[i], 1))
                    nerr(z, "output_shape[%zu] is %lld", nos - nsp + i,
                         (long long)w->out_shape[i]);
            }
        }
        w->has_out_shape = nos > 0;
    }

    w->group = 1;
    if (conv) {
        w->group = get_int(z, "group", 1);
        if (!in_dim_range(w->group, 1))
            nerr(z, "group is %lld", (long long)w->group);
    } else if (opset >= 10) {
        w->ceil_mode = get_int(z, "ceil_mode", 0) != 0;
    }
    if (op == OP_AVGPOOL)
        w->count_include_pad = get_int(z, "count_include_pad", 0) != 0;
    if (op == OP_MAXPOOL) {
        /* Indices count in the input as stored: row-major (storage_order
         * 0) or, within each plane, column-major (1).  An unread Indices
         * output is dropped, so the pool stays fusable. */
        w->storage_order = opset >= 8 && get_int(z, "storage_order", 0) != 0;
        if (!output_used(z, 1))
            z->n->n_out = 1;
    }
}

/* ---- the other ops ------------------------------------------------------------ */

/* Gemm-6/7/9/11/13 (A, B[, C] -> Y; C optional from 11): alpha=1.0, beta=1.0,
 *   transA=0, transB=0.  (Gemm-6's broadcast=1 lets C broadcast: the rule from 7 on.) */
static void norm_gemm(Norm *z)
{
    GemmAttr *a = &z->n->attr.gemm;
    a->alpha = get_float(z, "alpha", 1.0f);
    a->beta = get_float(z, "beta", 1.0f);
    a->trans_a = get_int(z, "transA", 0) != 0;
    a->trans_b = get_int(z, "transB", 0) != 0;
}

/* A node of op with one output, added before the node being normalized
 * (which graph_add_node places after it): named "<node>/<what>", its output
 * named out_name, or like the node when out_name is NULL.  Returns the node. */
static Node *add_helper(Norm *z, OpKind op, const char *what, uint32_t n_in, const uint32_t *in,
                        const char *out_name)
{
    Graph *g = z->c->g;
    const char *name = arena_printf(&g->arena, "%s/%s", z->n->name, what);
    uint32_t v = graph_add_value(g, out_name ? out_name : name, VAL_TEMP, DT_UNDEF);
    if (out_name)
        namemap_put(&z->c->values, g->values[v].name, v);
    uint32_t id = graph_add_node(g, op, name, n_in, in, 1, &v);  /* may move g->nodes */
    return &g->nodes[id];
}

static uint32_t scalar_const(Graph *g, const char *base, const char *what, float x)
{
    Shape s = {0};
    return graph_add_const(g, arena_printf(&g->arena, "%s/%s", base, what), DT_FLOAT, &s, &x,
                           sizeof x);
}

/* BatchNormalization-14/15 with training_mode=1 (X, scale, B, input_mean,
 *   input_var -> Y[, running_mean, running_var]): Y normalizes X with the
 *   batch's own statistics per channel (over every axis but 1): their mean
 *   and biased variance (numpy's x.var()); running_mean = input_mean *
 *   momentum + mean * (1 - momentum), running_var likewise with the
 *   variance (the spec's reference: _batchnorm_training_mode in
 *   onnx/backend/test/case/node/batchnorm.py).  Written here in ops vggc
 *   runs, so no later stage knows training mode:
 *     mk = ReduceMean(X, axes = all but 1, keepdims=1)    [1,C,1,...]
 *     vk = ReduceMean(Mul(d, d), same axes), d = Sub(X, mk)
 *     Y  = BatchNormalization(X, scale, B, Squeeze(mk), Squeeze(vk))
 *     running_mean = Add(Mul(input_mean, momentum), Mul(Squeeze(mk), 1 - momentum))
 * The variance is the mean of squared deviations (two passes), not
 * E[x^2] - E[x]^2, which cancels badly when the mean is large. */
static void bn_training(Norm *z)
{
    Graph *g = z->c->g;
    Node *n = z->n;
    float momentum = get_float(z, "momentum", 0.9f);
    if (n->n_out > 3) {
        nerr(z, "training mode has at most 3 outputs (Y, running_mean, running_var); this node "
             "has %u", n->n_out);
        return;
    }
    for (uint32_t i = 0; i < 5; i++)
        if (n->in[i] == VGGC_NONE || fe_poisoned(&g->values[n->in[i]])) {
            z->ok = false;
            return;
        }
    int r = known_rank(g, n->in[0]);
    if (r < 2) {
        nerr(z, "training mode needs the rank of X ('%s', at least 2) at import; it is %s",
             g->values[n->in[0]].name, r < 0 ? "computed" : "below 2");
        return;
    }
    const Value *x = &g->values[n->in[0]];
    if (x->has_shape && shape_is_batched(&x->shape)) {
        nerr(z, "training mode averages over the batch, so the batch size must be fixed (the "
             "input '%s' is [N,...]; `vggc compile --batch N` fixes it)", x->name);
        return;
    }
    for (uint32_t i = 1; i < n->n_out; i++)
        if (n->out[i] != VGGC_NONE && namemap_get(&z->c->values, z->np->output[i], NULL)) {
            nerr(z, "output '%s' is already defined", z->np->output[i]);
            return;
        }
    AxesAttr ax = {.keepdims = true};
    ax.axes[ax.n_axes++] = 0;
    for (int d = 2; d < r; d++)
        ax.axes[ax.n_axes++] = d;
    uint32_t in[2] = {n->in[0]};
    Node *h = add_helper(z, OP_REDUCE_MEAN, "batch_mean_k", 1, in, NULL);
    h->attr.axes = ax;
    uint32_t mk = h->out[0];
    in[1] = mk;
    uint32_t d = add_helper(z, OP_SUB, "deviation", 2, in, NULL)->out[0];
    in[0] = in[1] = d;
    uint32_t sq = add_helper(z, OP_MUL, "deviation2", 2, in, NULL)->out[0];
    h = add_helper(z, OP_REDUCE_MEAN, "batch_var_k", 1, &sq, NULL);
    h->attr.axes = ax;
    uint32_t vk = h->out[0];
    AxesAttr sqz = ax;
    sqz.keepdims = false;
    uint32_t stat[2];
    h = add_helper(z, OP_SQUEEZE, "batch_mean", 1, &mk, NULL);
    h->attr.axes = sqz;
    stat[0] = h->out[0];
    h = add_helper(z, OP_SQUEEZE, "batch_var", 1, &vk, NULL);
    h->attr.axes = sqz;
    stat[1] = h->out[0];
    uint32_t m = scalar_const(g, n->name, "momentum", momentum);
    uint32_t m1 = scalar_const(g, n->name, "1-momentum", 1.0f - momentum);
    for (uint32_t i = 1; i < n->n_out; i++) {
        if (n->out[i] == VGGC_NONE)
            continue;
        const char *what = i == 1 ? "running_mean" : "running_var";
        uint32_t a[2] = {n->in[2 + i], m}, b[2] = {stat[i - 1], m1};
        in[0] = add_helper(z, OP_MUL, arena_printf(&g->arena, "%s_old", what), 2, a, NULL)->out[0];
        in[1] = add_helper(z, OP_MUL, arena_printf(&g->arena, "%s_new", what), 2, b, NULL)->out[0];
        add_helper(z, OP_ADD, what, 2, in, z->np->output[i]);
    }
    n->in[3] = stat[0];
    n->in[4] = stat[1];
    n->n_out = 1;
}

/* BatchNormalization-7/9/14/15 (X, scale, B, mean, var -> Y[, mean, var,
 *   saved_mean, saved_var]): epsilon=1e-5, momentum=0.9 (training only),
 *   spatial=1 (7 and 8 only), training_mode=0 (14).  Inference, or training
 *   mode from 14 on (bn_training); the outputs past Y of older opsets'
 *   training mode are refused. */
static void norm_batchnorm(Norm *z)
{
    z->n->attr.bn.epsilon = get_float(z, "epsilon", 1e-5f);
    if (z->c->opset < 9 && get_int(z, "spatial", 1) == 0)
        nerr(z, "spatial=0 (per-element statistics) is not supported");
    if (z->c->opset >= 14 && get_int(z, "training_mode", 0) != 0) {
        bn_training(z);
        return;
    }
    for (uint32_t i = 1; i < z->n->n_out; i++)
        if (z->n->out[i] != VGGC_NONE) {
            nerr(z, "training mode is not supported (output %u '%s' holds running statistics)",
                 i, z->np->output[i]);
            break;
        }
}

/* Softmax, LogSoftmax-1/11 (input -> output): axis=1, computed on the input
 *   coerced to 2-D [prod(d[0..axis)), prod(d[axis..))].
 * Softmax, LogSoftmax-13: axis=-1, along that one axis. */
static void norm_softmax(Norm *z)
{
    bool old = z->c->opset < 13;
    z->n->attr.softmax.axis = get_int(z, "axis", old ? 1 : -1);
    z->n->attr.softmax.coerce_2d = old;
}

/* LayerNormalization-17 (X, Scale[, B] -> Y[, Mean, InvStdDev]): axis=-1,
 *   epsilon=1e-5, stash_type=1 (float: the type of Mean and InvStdDev and
 *   of the statistics' arithmetic; another type is refused).  Trailing
 *   outputs that nothing reads are dropped. */
static void norm_layernorm(Norm *z)
{
    z->n->attr.ln.axis = get_int(z, "axis", -1);
    z->n->attr.ln.epsilon = get_float(z, "epsilon", 1e-5f);
    int64_t stash = get_int(z, "stash_type", 1);
    if (stash != 1)
        nerr(z, "stash_type %lld is not supported (1: float)", (long long)stash);
    while (z->n->n_out > 1 && !output_used(z, z->n->n_out - 1))
        z->n->n_out--;
}

/* The values of a 1-D FLOAT (or DOUBLE) constant as floats, at most max. */
static bool const_floats(Norm *z, const Value *v, const char *what, float *out, size_t max,
                         int *n_out)
{
    size_t n;
    if (!const_vector(z, v, what, DT_FLOAT, DT_DOUBLE, "FLOAT", max, &n))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (v->dtype == DT_FLOAT) {
            memcpy(&out[i], (const char *)v->data + 4 * i, 4);
        } else {
            double x;
            memcpy(&x, (const char *)v->data + 8 * i, 8);
            out[i] = (float)x;
        }
    }
    *n_out = (int)n;
    return true;
}

/* Resize's string attribute `name` as the index of one of count words
 * (names(i)), or -1 after reporting it. */
static int resize_word(Norm *z, const char *name, const char *dflt, const char *(*names)(int),
                       int count)
{
    char buf[64];
    const char *w = get_string(z, name, dflt, buf, sizeof buf);
    for (int i = 0; i < count; i++)
        if (!strcmp(w, names(i)))
            return i;
    nerr(z, "%s '%s' is not supported", name, w);
    return -1;
}

static const char *mode_word(int i) { return resize_mode_name((ResizeMode)i); }
static const char *coord_word(int i) { return resize_coord_name((ResizeCoord)i); }
static const char *nearest_word(int i) { return nearest_mode_name((NearestMode)i); }

/* Upsample-7 (X -> Y): mode="nearest" (or "linear"), scales (floats,
 *   required).  Upsample-9 (X, scales -> Y): scales an input.  Both become
 *   Resize-10's; Upsample is deprecated from opset 10 and refused there.
 * Resize-10 (X, scales -> Y): mode="nearest" (or "linear"); the
 *   coordinates are asymmetric (x = o / scale) and nearest rounds down, as
 *   Upsample did.
 * Resize-11/13 (X, roi, scales[, sizes] -> Y; 13: roi and scales
 *   optional): coordinate_transformation_mode="half_pixel",
 *   cubic_coeff_a=-0.75, exclude_outside=0, extrapolation_value=0,
 *   mode="nearest", nearest_mode="round_prefer_floor".  scales or sizes,
 *   not both (an empty tensor counts as absent).
 * Resize-18/19: also antialias=0 (1 is refused), axes (the dims scales,
 *   sizes and roi list; the others keep their size),
 *   keep_aspect_ratio_policy="stretch" (the others are refused); 19 adds
 *   half_pixel_symmetric.
 * roi, scales and sizes must be constants: they fold into ResizeAttr. */
static void norm_resize(Norm *z)
{
    ResizeAttr *a = &z->n->attr.resize;
    const bool upsample = z->n->op == OP_UPSAMPLE;
    const int64_t opset = upsample ? 10 : z->c->opset;  /* Upsample reads as Resize-10 */
    if (upsample && z->c->opset >= 10) {
        nerr(z, "Upsample is deprecated from opset 10 (this model: opset %lld); Resize replaces it",
             (long long)z->c->opset);
        return;
    }
    if (upsample && z->c->opset < 7) {
        nerr(z, "Upsample before opset 7 is not supported (this model: opset %lld)",
             (long long)z->c->opset);
        return;
    }
    int mode = resize_word(z, "mode", "nearest", mode_word, RESIZE_MODE_COUNT);
    if (opset < 11 && mode == RESIZE_CUBIC) {
        nerr(z, "mode 'cubic' exists from opset 11 (this model: opset %lld)", (long long)opset);
        return;
    }
    int coord = COORD_ASYMMETRIC, nearest = NEAREST_FLOOR;
    if (opset >= 11) {
        coord = resize_word(z, "coordinate_transformation_mode", "half_pixel", coord_word,
                            COORD_COUNT);
        nearest = resize_word(z, "nearest_mode", "round_prefer_floor", nearest_word,
                              NEAREST_COUNT);
        if (coord == COORD_HALF_PIXEL_SYMMETRIC && opset < 19) {
            nerr(z, "coordinate_transformation_mode 'half_pixel_symmetric' exists from opset 19 "
                 "(this model: opset %lld)", (long long)opset);
            return;
        }
    }
    if (mode < 0 || coord < 0 || nearest < 0)
        return;
    a->mode = (ResizeMode)mode, a->coord = (ResizeCoord)coord, a->nearest = (NearestMode)nearest;
    a->cubic_a = get_float(z, "cubic_coeff_a", -0.75f);
    a->exclude_outside = get_int(z, "exclude_outside", 0) != 0;
    a->extrapolation = get_float(z, "extrapolation_value", 0.0f);

    int64_t axes[VGGC_MAX_RANK];
    int n_axes = -1;
    if (opset >= 18) {
        if (get_int(z, "antialias", 0) != 0) {
            nerr(z, "antialias=1 is not supported");
            return;
        }
        char buf[64];
        const char *policy = get_string(z, "keep_aspect_ratio_policy", "stretch", buf, sizeof buf);
        if (strcmp(policy, "stretch") != 0) {
            nerr(z, "keep_aspect_ratio_policy '%s' is not supported (only 'stretch')", policy);
            return;
        }
        bool present;
        if (!ints_into(z, "axes", axes, VGGC_MAX_RANK, &n_axes, &present))
            return;
        if (!present)
            n_axes = -1;
    }

    /* The constant inputs; an empty tensor counts as absent. */
    const Value *v;
    float scales[VGGC_MAX_RANK], roi[2 * VGGC_MAX_RANK];
    int64_t sizes[VGGC_MAX_RANK];
    int ns = 0, nz = 0, nr = 0;
    const uint32_t scales_at = opset < 11 ? 1 : 2;
    if (opset < 11 && !max_inputs_before(z, 2, 11))
        return;
    InKind k = const_input(z, scales_at, "scales", &v);
    if (k == IN_FAILED || (k == IN_CONST && !const_floats(z, v, "scales", scales, VGGC_MAX_RANK,
                                                           &ns)))
        return;
    if (upsample && z->c->opset < 9) {
        /* Upsample-7's scales attribute. */
        const Onnx__AttributeProto *at =
            find(z, "scales", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS);
        if (!max_inputs_before(z, 1, 9))
            return;
        if (!at || at->n_floats > VGGC_MAX_RANK) {
            nerr(z, "attribute 'scales' is %s", at ? "longer than 8" : "required");
            return;
        }
        ns = (int)at->n_floats;
        memcpy(scales, at->floats, sizeof(float) * (size_t)ns);
    }
    if (opset >= 11) {
        k = const_input(z, 3, "sizes", &v);
        if (k == IN_FAILED || (k == IN_CONST && !const_ints(z, v, "sizes", sizes, VGGC_MAX_RANK,
                                                            &nz)))
            return;
        k = a->coord == COORD_TF_CROP_AND_RESIZE ? const_input(z, 1, "roi", &v) : IN_ABSENT;
        if (k == IN_FAILED || (k == IN_CONST && !const_floats(z, v, "roi", roi,
                                                              2 * VGGC_MAX_RANK, &nr)))
            return;
    }
    if (!ns == !nz) {
        nerr(z, ns ? "has both scales and sizes; expected one of them"
                   : "has neither scales nor sizes; expected one of them");
        return;
    }
    const int n = ns ? ns : nz;
    if (nr && nr != 2 * n) {
        nerr(z, "roi has %d values; expected %d (a start and an end for each of the %d axes)", nr,
             2 * n, n);
        return;
    }

    /* Spread over X's dims when axes are given: the others keep their size. */
    int rank = n;
    int dim[VGGC_MAX_RANK];
    for (int i = 0; i < n; i++)
        dim[i] = i;
    if (n_axes >= 0) {
        rank = known_rank(z->c->g, z->n->in[0]);
        if (rank < 0) {
            nerr(z, "an 'axes' attribute needs the rank of X, which is not known before shape "
                 "inference");
            return;
        }
        if (n_axes != n) {
            nerr(z, "axes has %d values; %s has %d", n_axes, ns ? "scales" : "sizes", n);
            return;
        }
        unsigned seen = 0;
        for (int i = 0; i < n; i++) {
            int64_t ax = axes[i] < 0 ? axes[i] + rank : axes[i];
            if (ax < 0 || ax >= rank || (seen >> ax & 1)) {
                nerr(z, "axes[%d] = %lld is out of range or repeated for rank %d", i,
                     (long long)axes[i], rank);
                return;
            }
            seen |= 1u << ax;
            dim[i] = (int)ax;
        }
        const Value *x = &z->c->g->values[z->n->in[0]];
        if (nz && n < rank && !x->has_shape) {
            nerr(z, "sizes for some of X's dims need the others, which are not known before "
                 "shape inference");
            return;
        }
        /* The dims not listed keep their size. */
        for (int d = 0; d < rank; d++) {
            a->scales[d] = 1.0f;
            a->sizes[d] = nz ? x->shape.d[d] : 0;
        }
    }
    a->n = rank;
    a->has_sizes = nz > 0;
    for (int d = 0; d < rank; d++) {
        a->roi[d] = 0.0f;
        a->roi[VGGC_MAX_RANK + d] = 1.0f;
    }
    for (int i = 0; i < n; i++) {
        if (ns)
            a->scales[dim[i]] = scales[i];
        else
            a->sizes[dim[i]] = sizes[i];
        if (nr) {
            a->roi[dim[i]] = roi[i];
            a->roi[VGGC_MAX_RANK + dim[i]] = roi[n + i];
        }
    }
    keep_inputs(z, 1);
    z->n->op = OP_RESIZE;
}

/* Transpose-1/13 (data -> transposed): perm=reverse the dims. */
static void norm_transpose(Norm *z)
{
    PermAttr *p = &z->n->attr.perm;
    if (!ints_into(z, "perm", p->perm, VGGC_MAX_RANK, &p->n_perm, NULL))
        return;
    unsigned seen = 0;
    for (int i = 0; i < p->n_perm; i++) {
        int64_t v = p->perm[i];
        if (v < 0 || v >= p->n_perm || (seen >> v & 1)) {
            nerr(z, "perm is not a permutation of 0..%d", p->n_perm - 1);
            return;
        }
        seen |= 1u << v;
    }
}

/* Squeeze-1/11 (data -> squeezed): axes=all dims of size 1.
 * Squeeze-13 (data[, axes] -> squeezed): axes input, int64, optional.
 * Unsqueeze-1/11 (data -> expanded): axes required.
 * Unsqueeze-13 (data, axes -> expanded): axes input, int64, required. */
static void norm_squeeze(Norm *z)
{
    AxesAttr *a = &z->n->attr.axes;
    bool unsq = z->n->op == OP_UNSQUEEZE;
    if (z->c->opset < 13) {
        bool present;
        if (!max_inputs_before(z, 1, 13) ||
            !ints_into(z, "axes", a->axes, VGGC_MAX_RANK, &a->n_axes, &present))
            return;
        if (unsq && !present)
            nerr(z, "attribute 'axes' is required");
        return;
    }
    no_attr_since(z, "axes", 13);
    const Value *v;
    switch (const_input(z, 1, "axes", &v)) {
    case IN_ABSENT:
        if (unsq)
            nerr(z, "input 1 (axes) is required");
        break;
    case IN_CONST:
        const_ints(z, v, "axes", a->axes, VGGC_MAX_RANK, &a->n_axes);
        break;
    case IN_FAILED: break;
    }
    keep_inputs(z, 1);
}

/* ReduceMean-1/11/13, ReduceMax-1/11/12/13, ReduceSum-1/11 (data -> reduced):
 *   axes=all (attribute), keepdims=1.
 * ReduceMean-18, ReduceMax-18/20, ReduceSum-13 (data[, axes] -> reduced):
 *   axes an optional int64 input, keepdims=1, noop_with_empty_axes=0
 *   (1: no or empty axes means identity, not "every axis").
 * `since` is the opset whose version turned axes into an input; a given
 * axes input must be a constant and is folded into attr.axes. */
static void norm_reduce(Norm *z, int64_t since)
{
    AxesAttr *a = &z->n->attr.axes;
    a->keepdims = get_int(z, "keepdims", 1) != 0;
    if (z->c->opset < since) {
        if (max_inputs_before(z, 1, since))
            ints_into(z, "axes", a->axes, VGGC_MAX_RANK, &a->n_axes, NULL);
        return;
    }
    no_attr_since(z, "axes", since);
    a->noop_with_empty_axes = get_int(z, "noop_with_empty_axes", 0) != 0;
    const Value *v;
    if (const_input(z, 1, "axes", &v) == IN_CONST)
        const_ints(z, v, "axes", a->axes, VGGC_MAX_RANK, &a->n_axes);
    keep_inputs(z, 1);
}

/* PRelu-7/9/16 (X, slope -> Y): y = x < 0 ? slope * x : x, slope broadcast
 *   unidirectionally (numpy-style) to X.
 * PRelu-1/6: the slope is "shared across channels if of size 1" and
 *   otherwise per channel: PyTorch's [C] slope against X [N,C,...], which
 *   numpy broadcasting would line up with X's last dim instead.  A [C]
 *   slope is therefore rewritten as an Unsqueeze to [C,1,...,1] (one 1 per
 *   spatial dim of X), after which numpy broadcasting means the same, so the
 *   IR knows one PRelu.  This needs X's rank and the slope's shape here (a
 *   graph input or a constant, possibly behind Identity nodes). */
static void norm_prelu(Norm *z)
{
    if (z->c->opset >= 7)
        return;
    if (z->n->in[1] == VGGC_NONE)
        return;     /* shape inference reports the missing slope */
    Graph *g = z->c->g;
    const Value *s = &g->values[z->n->in[1]];
    if (fe_poisoned(s)) {
        z->ok = false;
        return;
    }
    size_t numel;
    char dims[192];
    if (!s->has_shape) {
        nerr(z, "PRelu before opset 7 (this model: opset %lld) with a computed slope ('%s') is "
             "not supported: its legacy per-channel meaning differs from numpy broadcasting, "
             "so vggc needs the slope's shape at import", (long long)z->c->opset, s->name);
        return;
    }
    if (!shape_is_batched(&s->shape) && shape_numel_per_item(&s->shape, &numel) && numel == 1)
        return;     /* shared across channels: the same under both rules */
    shape_format(&s->shape, dims, sizeof dims, NULL);
    if (s->shape.rank != 1 || shape_is_batched(&s->shape)) {
        nerr(z, "PRelu before opset 7 (this model: opset %lld) with a slope of shape %s: the "
             "legacy slope has one element or one per channel ([C])", (long long)z->c->opset,
             dims);
        return;
    }
    int r = known_rank(g, z->n->in[0]);
    if (r < 0) {
        nerr(z, "PRelu before opset 7 (this model: opset %lld) with a per-channel slope %s on a "
             "computed input ('%s') is not supported: vggc needs the input's rank at import to "
             "place the slope on its channel dim", (long long)z->c->opset, dims,
             g->values[z->n->in[0]].name);
        return;
    }
    if (r < 2) {
        nerr(z, "PRelu before opset 7 with a per-channel slope %s needs an input [N,C,...]; the "
             "input has rank %d", dims, r);
        return;
    }
    int trailing = r - 2;   /* X's dims after C, which the slope must get as 1s */
    if (trailing == 0)
        return;
    uint32_t src = z->n->in[1];
    const char *name = arena_printf(&g->arena, "%s/legacy_slope", z->n->name);
    uint32_t u = graph_add_value(g, name, VAL_TEMP, DT_UNDEF);
    uint32_t id = graph_add_node(g, OP_UNSQUEEZE, name, 1, &src, 1, &u);
    AxesAttr *ax = &g->nodes[id].attr.axes;
    ax->n_axes = trailing;
    for (int i = 0; i < trailing; i++)
        ax->axes[i] = 1 + i;
    z->n->in[1] = u;
}

/* Clip-6 (input -> output): min=-FLT_MAX, max=FLT_MAX (the spec's defaults:
 *   numeric_limits<float>::lowest() and max()).
 * Clip-11/12/13 (input[, min[, max]] -> output): omitted bounds do not
 *   clip (-INFINITY, +INFINITY).  A constant bound is folded into the
 *   attribute and its input dropped; a bound known only at run time (a
 *   graph input, a computed tensor) stays input 1 or 2, which the layer
 *   reads when it runs (ir.h: ClipAttr). */
static void norm_clip(Norm *z)
{
    ClipAttr *a = &z->n->attr.clip;
    if (z->c->opset < 11) {
        if (!max_inputs_before(z, 1, 11))
            return;
        a->min = get_float(z, "min", -FLT_MAX);
        a->max = get_float(z, "max", FLT_MAX);
        return;
    }
    no_attr_since(z, "min", 11);
    no_attr_since(z, "max", 11);
    a->min = -INFINITY;
    a->max = INFINITY;
    static const char *const names[] = {"min", "max"};
    float *bound[] = {&a->min, &a->max};
    for (uint32_t i = 1; i <= 2 && i < z->n->n_in; i++) {
        uint32_t id = z->n->in[i];
        if (id == VGGC_NONE)
            continue;
        const Value *v = &z->c->g->values[id];
        if (fe_poisoned(v)) {
            z->ok = false;
            return;
        }
        if (v->kind == VAL_CONST) {
            const_scalar(z, v, names[i - 1], bound[i - 1]);
            z->n->in[i] = VGGC_NONE;
        }
    }
    /* Trailing omitted inputs go: a Clip with constant bounds has one. */
    while (z->n->n_in > 1 && z->n->in[z->n->n_in - 1] == VGGC_NONE)
        z->n->n_in--;
}

/* Pad-2 (data -> output): pads required, value=0.0, mode="constant".
 * Pad-11/13 (data, pads[, constant_value] -> output): mode="constant";
 *   pads an int64 input, constant_value a scalar input (default 0).
 * Pad-18/19/21 (data, pads[, constant_value[, axes]] -> output): axes
 *   lists the dims pads covers (default all); 19 adds mode "wrap".
 * pads are [x1_begin, x2_begin, ..., x1_end, x2_end, ...], negative crops;
 * PadAttr keeps them in that order for the data's rank.  Modes "constant",
 * "reflect", "edge" and (from 19) "wrap".  With axes, the data's rank must
 * be known here (a graph input or a constant) to place the pads. */
/* Slice-1 (data -> output): starts and ends (required), axes (default 0,
 * 1, ... for as many) attributes, steps 1.  Slice-10/11/13 (data, starts,
 * ends, axes?, steps?): the same as constant inputs, folded here. */
static void norm_slice(Norm *z)
{
    static const char *const names[4] = {"starts", "ends", "axes", "steps"};
    SliceAttr *a = &z->n->attr.slice;
    int64_t v[4][VGGC_MAX_RANK];
    int n[4] = {0, 0, -1, -1};
    if (z->c->opset < 10) {
        if (!max_inputs_before(z, 1, 10))
            return;
        for (int k = 0; k < 3; k++) {
            bool present;
            if (!ints_into(z, names[k], v[k], VGGC_MAX_RANK, &n[k], &present))
                return;
            if (!present && k < 2) {
                nerr(z, "attribute '%s' is required", names[k]);
                return;
            }
            if (!present)
                n[k] = -1;
        }
    } else {
        for (int k = 0; k < 3; k++)
            no_attr_since(z, names[k], 10);
        for (int k = 0; k < 4; k++) {
            const Value *c;
            InKind in = const_input(z, 1 + (uint32_t)k, names[k], &c);
            if (in == IN_FAILED)
                return;
            if (in == IN_ABSENT && k < 2) {
                nerr(z, "input %d (%s) is required", 1 + k, names[k]);
                return;
            }
            if (in == IN_CONST && !const_ints(z, c, names[k], v[k], VGGC_MAX_RANK, &n[k]))
                return;
        }
        keep_inputs(z, 1);
    }
    if (n[1] != n[0] || (n[2] >= 0 && n[2] != n[0]) || (n[3] >= 0 && n[3] != n[0])) {
        nerr(z, "starts, ends, axes and steps have %d, %d, %d and %d values; given ones must "
             "have as many as starts", n[0], n[1], n[2] < 0 ? n[0] : n[2], n[3] < 0 ? n[0] : n[3]);
        return;
    }
    a->n = n[0];
    for (int i = 0; i < n[0]; i++) {
        a->starts[i] = v[0][i];
        a->ends[i] = v[1][i];
        a->axes[i] = n[2] >= 0 ? v[2][i] : i;
        a->steps[i] = n[3] >= 0 ? v[3][i] : 1;
    }
}

/* Split-2/11 (input -> outputs): axis=0, split (sizes; default equal
 * parts, one per output) an attribute; Split-13 an optional constant input
 * instead; Split-18 also num_outputs, equal parts with a smaller last one,
 * which vggc refuses. */
static void norm_split(Norm *z)
{
    SplitAttr *a = &z->n->attr.split;
    a->axis = get_int(z, "axis", 0);
    if (z->n->n_out > VGGC_MAX_SPLIT) {
        nerr(z, "has %u outputs; vggc splits into at most %d", z->n->n_out, VGGC_MAX_SPLIT);
        return;
    }
    if (has_attr(z, "num_outputs")) {
        nerr(z, "attribute 'num_outputs' (opset 18) is not supported; give 'split'");
        return;
    }
    if (z->c->opset < 13) {
        if (max_inputs_before(z, 1, 13))
            ints_into(z, "split", a->sizes, VGGC_MAX_SPLIT, &a->n, NULL);
        return;
    }
    no_attr_since(z, "split", 13);
    const Value *v;
    InKind k = const_input(z, 1, "split", &v);
    if (k == IN_CONST)
        const_ints(z, v, "split", a->sizes, VGGC_MAX_SPLIT, &a->n);
    keep_inputs(z, 1);
}

/* ConstantOfShape-9/20 (input: the shape -> output): value, a one-element
 * tensor (default a float 0), gives the output's type and every element.
 * The shape stays input 0: a Shape chain often computes it, and inference
 * needs it folded to a constant. */
static void norm_constant_of_shape(Norm *z)
{
    FillAttr *a = &z->n->attr.fill;
    a->to = DT_FLOAT;
    const Onnx__AttributeProto *at =
        find(z, "value", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR);
    if (!at)
        return;
    TensorData td;
    char why[600];
    ExternalRoot root = {z->c->base_dir, &z->c->base_real, z->c->hash, z->c->spans};
    if (!at->t || !fe_tensor_decode(at->t, &root, NULL, &td, why, sizeof why)) {
        nerr(z, "value: %s", at->t ? why : "holds no tensor");
        return;
    }
    if (td.count != 1) {
        nerr(z, "value must hold one element, holds %zu", td.count);
        fe_tensor_release(&td);
        return;
    }
    a->to = td.dtype;
    switch (td.dtype) {
    case DT_FLOAT: { float v; memcpy(&v, td.data, 4); a->f = v; break; }
    case DT_DOUBLE: memcpy(&a->f, td.data, 8); break;
    case DT_INT64: memcpy(&a->i, td.data, 8); break;
    case DT_INT32: { int32_t v; memcpy(&v, td.data, 4); a->i = v; break; }
    case DT_INT8: a->i = *(const int8_t *)td.data; break;
    case DT_UINT8: a->i = *(const uint8_t *)td.data; break;
    case DT_BOOL: a->i = *(const uint8_t *)td.data != 0; break;
    default:
        nerr(z, "value of type %s is not supported (FLOAT, DOUBLE, INT64, INT32, INT8, UINT8 "
             "and BOOL are)", dtype_name(td.dtype));
        break;
    }
    fe_tensor_release(&td);
}

static void norm_pad(Norm *z)
{
    PadAttr *a = &z->n->attr.pad;
    char buf[64];
    const char *mode = get_string(z, "mode", "constant", buf, sizeof buf);
    if (strcmp(mode, "constant") == 0)
        a->mode = PAD_CONSTANT;
    else if (strcmp(mode, "reflect") == 0)
        a->mode = PAD_REFLECT;
    else if (strcmp(mode, "edge") == 0)
        a->mode = PAD_EDGE;
    else if (strcmp(mode, "wrap") == 0 && z->c->opset >= 19)
        a->mode = PAD_WRAP;
    else
        nerr(z, "mode '%s' is not one of 'constant', 'reflect', 'edge'%s", mode,
             z->c->opset >= 19 ? ", 'wrap'" : " ('wrap' exists from opset 19)");
    int64_t pads[2 * VGGC_MAX_RANK];
    int n = 0;
    if (z->c->opset < 11) {
        bool present;
        if (!max_inputs_before(z, 1, 11) ||
            !ints_into(z, "pads", pads, 2 * VGGC_MAX_RANK, &n, &present))
            return;
        if (!present) {
            nerr(z, "attribute 'pads' is required");
            return;
        }
        a->value = get_float(z, "value", 0.0f);
    } else {
        no_attr_since(z, "pads", 11);
        no_attr_since(z, "value", 11);
        const Value *v;
        InKind k = const_input(z, 1, "pads", &v);
        if (k == IN_ABSENT)
            nerr(z, "input 1 (pads) is required");
        if (k != IN_CONST || !const_ints(z, v, "pads", pads, 2 * VGGC_MAX_RANK, &n))
            return;
        a->value = 0.0f;
        if (const_input(z, 2, "constant_value", &v) == IN_CONST)
            const_scalar(z, v, "constant_value", &a->value);
        if (z->n->n_in > 3 && z->c->opset < 18) {
            nerr(z, "takes at most 3 inputs before opset 18");
            return;
        }
        int64_t axes[VGGC_MAX_RANK];
        int n_axes = 0;
        k = const_input(z, 3, "axes", &v);
        if (k == IN_FAILED || (k == IN_CONST &&
                               !const_ints(z, v, "axes", axes, VGGC_MAX_RANK, &n_axes)))
            return;
        if (k == IN_CONST) {
            const Value *data = &z->c->g->values[z->n->in[0]];
            if (!data->has_shape) {
                nerr(z, "an 'axes' input needs the rank of the data input '%s', which is not "
                     "known before shape inference", data->name);
                return;
            }
            if (n != 2 * n_axes) {
                nerr(z, "pads has %d values; axes has %d, so %d are needed", n, n_axes,
                     2 * n_axes);
                return;
            }
            int r = data->shape.rank;
            int64_t full[2 * VGGC_MAX_RANK] = {0};
            unsigned seen = 0;
            for (int i = 0; i < n_axes; i++) {
                int64_t ax = axes[i] < 0 ? axes[i] + r : axes[i];
                if (ax < 0 || ax >= r || (seen >> ax & 1)) {
                    nerr(z, "axes[%d] = %lld is out of range or repeated for rank %d", i,
                         (long long)axes[i], r);
                    return;
                }
                seen |= 1u << ax;
                full[ax] = pads[i];
                full[r + ax] = pads[n_axes + i];
            }
            memcpy(pads, full, sizeof full);
            n = 2 * r;
        }
        keep_inputs(z, 1);
    }
    if (n % 2) {
        nerr(z, "pads has %d values; expected 2 per dimension", n);
        return;
    }
    for (int i = 0; i < n; i++)
        if (pads[i] < -VGGC_MAX_DIM || pads[i] > VGGC_MAX_DIM) {
            nerr(z, "pads[%d] is %lld", i, (long long)pads[i]);
            return;
        }
    memcpy(a->pads, pads, (size_t)n * sizeof pads[0]);
}

/* Training-mode Dropout with a seed and 0 < ratio < 1, drawn at compile
 * time: the node becomes y = Mul(x, scaled mask), the mask a constant.
 * ONNX's reference draws np.random.seed(seed); keep = uniform(0, 1, shape)
 * >= ratio (float64 against the float32 ratio) and returns keep * x *
 * float32(1 / (1 - ratio)); mt19937.c is numpy's generator, so the mask is
 * the reference's, and x * (keep ? scale : 0) is the same float32 product.
 * The mask needs x's shape now, before shape inference: x must be a graph
 * input or a constant with every dim fixed (the batch too, --batch N). */
static void dropout_fixed_mask(Norm *z, float ratio)
{
    Graph *g = z->c->g;
    const Onnx__AttributeProto *sa = find(z, "seed", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    if (!sa) {
        if (!has_attr(z, "seed"))
            nerr(z, "training mode (training_mode = true) with ratio %g and no 'seed' attribute "
                 "is random dropout, a new mask each run; vggc draws the mask once at compile "
                 "time and needs 'seed' to draw the one ONNX's reference draws", (double)ratio);
        return;
    }
    if (sa->i < 0 || sa->i > (int64_t)UINT32_MAX) {
        nerr(z, "seed %lld is outside [0, 2^32) (numpy's legacy seeding)", (long long)sa->i);
        return;
    }
    if (!(ratio > 0 && ratio < 1)) {
        nerr(z, "ratio %g is outside [0, 1)", (double)ratio);
        return;
    }
    const Value *x = &g->values[z->n->in[0]];
    if (fe_poisoned(x)) {
        z->ok = false;
        return;
    }
    if (x->kind == VAL_TEMP || !x->has_shape) {
        nerr(z, "training mode with a seed: vggc draws the mask at compile time and needs the "
             "shape of the data ('%s') then, which it knows only for a graph input or a "
             "constant", x->name);
        return;
    }
    if (shape_is_batched(&x->shape)) {
        nerr(z, "training mode with a seed: the mask is drawn at compile time and the data "
             "('%s') has a batch dimension not fixed; fix it with --batch N", x->name);
        return;
    }
    if (x->dtype != DT_FLOAT) {
        nerr(z, "training mode with a seed: data of type %s is not supported (FLOAT is)",
             fe_onnx_dtype_name(fe_dtype_to_onnx(x->dtype)));
        return;
    }
    size_t count = 0;
    if (!shape_numel(&x->shape, 1, &count) || count > ((size_t)1 << 32)) {
        nerr(z, "training mode with a seed: the data ('%s') has too many elements for a mask "
             "drawn at compile time (at most 2^32)", x->name);
        return;
    }
    const char *y_name = z->np->output[0];
    const char *k_name = arena_printf(&g->arena, "%s/dropout_keep_scaled", y_name);
    const char *m_name = output_used(z, 1) ? z->np->output[1] : NULL;
    if (namemap_get(&z->c->values, k_name, NULL) ||
        (m_name && namemap_get(&z->c->values, m_name, NULL))) {
        nerr(z, "the name '%s' is already defined", m_name && namemap_get(&z->c->values, m_name,
             NULL) ? m_name : k_name);
        return;
    }
    float *keep = malloc((count ? count : 1) * sizeof *keep);
    unsigned char *mask = malloc(count ? count : 1);
    if (!keep || !mask) {
        fprintf(stderr, "vggc: error: out of memory\n");
        exit(3);
    }
    const float scale = 1.0f / (1.0f - ratio);
    Mt19937 mt;
    mt19937_seed(&mt, (uint32_t)sa->i);
    for (size_t i = 0; i < count; i++) {
        mask[i] = mt19937_next_double(&mt) >= (double)ratio;
        keep[i] = mask[i] ? scale : 0.0f;
    }
    uint32_t k = graph_add_const(g, k_name, DT_FLOAT, &x->shape, keep, count * sizeof *keep);
    namemap_put(&z->c->values, g->values[k].name, k);
    if (m_name) {
        uint32_t m = graph_add_const(g, m_name, DT_BOOL, &x->shape, mask, count);
        namemap_put(&z->c->values, g->values[m].name, m);
    }
    free(keep);
    free(mask);
    z->n->op = OP_MUL;
    z->n->in[1] = k;
    z->n->n_in = 2;
    z->n->n_out = 1;
}

/* Dropout-7/10 (data -> output[, mask]): ratio=0.5; inference is identity.
 * Dropout-12/13 (data[, ratio[, training_mode]] -> output[, mask]): seed;
 *   ratio=0.5, training_mode default false; both must be constants here.
 * At inference the mask (bool, data's shape) is all true; it is kept when
 * something reads it and dropped otherwise.  In training mode each element
 * is zeroed with probability ratio and the rest scaled by 1/(1-ratio): with
 * ratio 0 that is the identity and an all-true mask again; any other ratio
 * is random, which vggc runs only with a seed, drawing the mask once at
 * compile time (dropout_fixed_mask): every run applies the same mask. */
static void norm_dropout(Norm *z)
{
    if (z->c->opset < 12) {
        max_inputs_before(z, 1, 12);
    } else {
        const Value *v;
        float tm = 0, ratio = 0.5f;
        InKind k = const_input(z, 2, "training_mode", &v);
        if (k == IN_CONST && const_scalar(z, v, "training_mode", &tm) && tm != 0) {
            k = const_input(z, 1, "ratio", &v);
            if (k == IN_CONST && !const_scalar(z, v, "ratio", &ratio))
                k = IN_FAILED;
            if (k != IN_FAILED && ratio != 0) {
                dropout_fixed_mask(z, ratio);
                return;
            }
        }
        keep_inputs(z, 1);
    }
    if (!output_used(z, 1))
        z->n->n_out = 1;
}

/* Cast-6/9/13/19/21 (input -> output): to required (a DataType code);
 *   saturate (19) only concerns float8. */
static void norm_cast(Norm *z)
{
    const Onnx__AttributeProto *a = find(z, "to", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    if (!a) {
        if (!has_attr(z, "to"))
            nerr(z, "attribute 'to' is required");
        return;
    }
    int32_t code = a->i >= INT32_MIN && a->i <= INT32_MAX ? (int32_t)a->i : -1;
    DType dt = code == ONNX__TENSOR_PROTO__DATA_TYPE__STRING ? DT_STRING
                                                             : fe_dtype_from_onnx(code);
    if (dt == DT_UNDEF)
        nerr(z, "Cast to %s is not supported (only FLOAT, DOUBLE, FLOAT16, BFLOAT16, INT64, "
             "INT32, INT8, UINT8, BOOL, STRING)", fe_onnx_dtype_name(code));
    z->n->attr.cast.to = dt;
}

/* CastLike-15/19/21 (input, target_type -> output): saturate=1 (19; float8
 *   only, so nothing to read here).  target_type is read for its element
 *   type alone, so the node becomes Cast(input) with `to` that type and
 *   reads target_type's data nowhere (the graph input it may be is then
 *   unread: onnx_import.c).  The type must be known at import: a graph
 *   input or a constant, as in every exporter's use. */
static void norm_cast_like(Norm *z)
{
    const Value *like = &z->c->g->values[z->n->in[1]];
    if (z->c->opset < 15) {
        nerr(z, "CastLike is an opset 15 operator; the model imports opset %lld",
             (long long)z->c->opset);
        return;
    }
    if (fe_poisoned(like)) {
        z->ok = false;
        return;
    }
    if (like->kind == VAL_TEMP) {
        nerr(z, "target_type '%s' is computed by a node; vggc needs its element type at import "
             "(a graph input or a constant)", like->name);
        return;
    }
    z->n->op = OP_CAST;
    z->n->n_in = 1;
    z->n->attr.cast.to = like->dtype;
}

/* LRN-1/13 (X -> Y): alpha=1e-4, beta=0.75, bias=1.0, size required. */
static void norm_lrn(Norm *z)
{
    LrnAttr *a = &z->n->attr.lrn;
    a->alpha = get_float(z, "alpha", 1e-4f);
    a->beta = get_float(z, "beta", 0.75f);
    a->bias = get_float(z, "bias", 1.0f);
    a->size = get_int(z, "size", 0);
    if (!has_attr(z, "size"))
        nerr(z, "attribute 'size' is required");
    else if (a->size < 1 || a->size > VGGC_MAX_DIM)
        nerr(z, "size is %lld", (long long)a->size);
}

/* Concat-4/11/13 (inputs... -> concat_result): axis required. */
static void norm_concat(Norm *z)
{
    if (!has_attr(z, "axis"))
        nerr(z, "attribute 'axis' is required");
    z->n->attr.axis = get_int(z, "axis", 0);
}

/* Shape-1/13 (data -> shape); Shape-15/19/21: start=0, end=rank (absent). */
static void norm_shape(Norm *z)
{
    ShapeAttr *a = &z->n->attr.shape;
    a->start = 0;
    a->has_end = false;
    if (z->c->opset < 15)
        return;
    a->start = get_int(z, "start", 0);
    const Onnx__AttributeProto *e = find(z, "end", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    if (e) {
        a->end = e->i;
        a->has_end = true;
    }
}

/* Opsets 1 to 5 predate most ops' current form (consumed_inputs, legacy
 * broadcasting, Cast's string type, Reshape's shape attribute).  These ops
 * mean the same since their first version and are read at any opset. */
static bool legacy_op_ok(OpKind op)
{
    switch (op) {
    case OP_CONV: case OP_MAXPOOL: case OP_AVGPOOL: case OP_GLOBAL_AVGPOOL:
    case OP_GLOBAL_MAXPOOL: case OP_RELU: case OP_SIGMOID: case OP_LEAKY_RELU:
    case OP_IDENTITY: case OP_MATMUL: case OP_TRANSPOSE: case OP_FLATTEN:
    case OP_SOFTMAX: case OP_LOG_SOFTMAX: case OP_SHAPE: case OP_GATHER:
    case OP_SQUEEZE: case OP_UNSQUEEZE: case OP_LRN: case OP_SUM: case OP_TANH:
    case OP_HARD_SIGMOID: case OP_REDUCE_MAX: case OP_REDUCE_SUM: case OP_SOFTPLUS:
    case OP_SOFTSIGN: case OP_ARGMAX: case OP_ARGMIN: case OP_SLICE: case OP_REDUCE_MIN:
    case OP_REDUCE_PROD: case OP_REDUCE_SUM_SQUARE: case OP_REDUCE_L1:
    case OP_REDUCE_L2: case OP_REDUCE_LOG_SUM: case OP_REDUCE_LOG_SUM_EXP:
    case OP_CONV_TRANSPOSE:
    case OP_PRELU:      /* norm_prelu() refuses what changed in 7 */
        return true;
    default:
        return false;
    }
}

/* Add, Sub, Mul, Div-6, Pow-1 (A, B -> C): broadcast=0, axis.  With broadcast=1,
 *   B's dims line up with A's from `axis` on (default: A's trailing dims,
 *   numpy's rule); with 0 the shapes are equal.  From 7 on: numpy's rule.
 *   An axis that leaves dims of A after B's is rewritten as an Unsqueeze
 *   of B that appends them as 1s, so the IR knows numpy broadcasting only.
 *   Both ranks must be known at import (graph inputs, constants). */
static void norm_legacy_binary(Norm *z)
{
    Graph *g = z->c->g;
    if (z->c->opset >= 7 || get_int(z, "broadcast", 0) == 0 || !has_attr(z, "axis"))
        return;
    const Value *a = &g->values[z->n->in[0]], *b = &g->values[z->n->in[1]];
    if (!a->has_shape || !b->has_shape) {
        nerr(z, "legacy broadcasting (broadcast=1 with axis, opset %lld) on a computed tensor "
                "is not supported", (long long)z->c->opset);
        return;
    }
    int ra = a->shape.rank, rb = b->shape.rank;
    int64_t axis = get_int(z, "axis", 0);
    if (axis < 0)
        axis += ra;
    int64_t trailing = ra - axis - rb;
    if (axis < 0 || trailing < 0) {
        nerr(z, "axis %lld does not place B (rank %d) inside A (rank %d)",
             (long long)get_int(z, "axis", 0), rb, ra);
        return;
    }
    if (trailing == 0)
        return;
    uint32_t src = z->n->in[1];
    uint32_t u = graph_add_value(g, arena_printf(&g->arena, "%s/legacy_broadcast", z->n->name),
                                 VAL_TEMP, DT_UNDEF);
    uint32_t id = graph_add_node(g, OP_UNSQUEEZE,
                                 arena_printf(&g->arena, "%s/legacy_broadcast", z->n->name),
                                 1, &src, 1, &u);
    AxesAttr *ax = &g->nodes[id].attr.axes;
    ax->n_axes = (int)trailing;
    for (int64_t i = 0; i < trailing; i++)
        ax->axes[i] = rb + i;
    z->n->in[1] = u;
}

bool fe_normalize_node(ImportCtx *c, const Onnx__NodeProto *np, Node *n)
{
    Norm z = {c, np, n, true};
    memset(&n->attr, 0, sizeof n->attr);
    if (c->opset < 6 && !legacy_op_ok(n->op)) {
        nerr(&z, "%s before opset 6 (the model imports opset %lld) is not supported",
             op_name(n->op), (long long)c->opset);
        return false;
    }
    if (c->opset < 7 && (n->op == OP_BATCHNORM || n->op == OP_DROPOUT) &&
        get_int(&z, "is_test", 0) == 0) {
        nerr(&z, "training mode (is_test=0) is not supported");
        return false;
    }
    switch (n->op) {
    case OP_CONV:
    case OP_CONV_TRANSPOSE:
    case OP_MAXPOOL:
    case OP_AVGPOOL:
        norm_window(&z);
        break;
    case OP_GEMM: norm_gemm(&z); break;
    case OP_BATCHNORM: norm_batchnorm(&z); break;
    case OP_LAYER_NORM: norm_layernorm(&z); break;
    case OP_RESIZE:
    case OP_UPSAMPLE:
        norm_resize(&z);
        break;
    /* InstanceNormalization-1/6 (input, scale, B -> output): epsilon=1e-5
     * (opset 1's consumed_inputs, a legacy optimization hint, is ignored). */
    case OP_INSTANCE_NORM: n->attr.bn.epsilon = get_float(&z, "epsilon", 1e-5f); break;
    case OP_SOFTMAX:
    case OP_LOG_SOFTMAX:
        norm_softmax(&z);
        break;
    /* Flatten-1/9/11/13/21 (input -> output): axis=1. */
    case OP_FLATTEN: n->attr.axis = get_int(&z, "axis", 1); break;
    /* Gather-1/11/13 (data, indices -> output): axis=0. */
    case OP_GATHER: n->attr.axis = get_int(&z, "axis", 0); break;
    /* GatherElements-11/13 (data, indices -> output): axis=0. */
    case OP_GATHER_ELEMENTS: n->attr.axis = get_int(&z, "axis", 0); break;
    case OP_CONCAT: norm_concat(&z); break;
    case OP_TRANSPOSE: norm_transpose(&z); break;
    case OP_SQUEEZE:
    case OP_UNSQUEEZE:
        norm_squeeze(&z);
        break;
    case OP_REDUCE_MEAN: norm_reduce(&z, 18); break;
    case OP_REDUCE_MAX: norm_reduce(&z, 18); break;
    case OP_REDUCE_SUM: norm_reduce(&z, 13); break;
    /* ReduceMin, Prod, SumSquare, L1, L2, LogSum, LogSumExp-1/11/13/18: as
     * ReduceMean (axes an input from 18). */
    case OP_REDUCE_MIN: case OP_REDUCE_PROD: case OP_REDUCE_SUM_SQUARE: case OP_REDUCE_L1:
    case OP_REDUCE_L2: case OP_REDUCE_LOG_SUM: case OP_REDUCE_LOG_SUM_EXP:
        norm_reduce(&z, 18);
        break;
    case OP_PRELU: norm_prelu(&z); break;
    /* HardSigmoid-1/6 (X -> Y): alpha=0.2, beta=0.5. */
    case OP_HARD_SIGMOID:
        n->attr.hsig.alpha = get_float(&z, "alpha", 0.2f);
        n->attr.hsig.beta = get_float(&z, "beta", 0.5f);
        break;
    case OP_CLIP: norm_clip(&z); break;
    case OP_PAD: norm_pad(&z); break;
    case OP_DROPOUT: norm_dropout(&z); break;
    /* LeakyRelu-6/16 (X -> Y): alpha=0.01. */
    case OP_LEAKY_RELU: n->attr.alpha.alpha = get_float(&z, "alpha", 0.01f); break;
    case OP_SLICE: norm_slice(&z); break;
    case OP_CONSTANT_OF_SHAPE: norm_constant_of_shape(&z); break;
    case OP_SPLIT: norm_split(&z); break;
    /* Size-1/13/19/21 (data -> size): no attributes. */
    case OP_SIZE: break;
    /* ArgMax, ArgMin-1/11/12/13 (data -> reduced): axis=0, keepdims=1 and, from
     * 12, select_last_index=0; a negative axis (from 11) counts from the end. */
    case OP_ARGMAX:
    case OP_ARGMIN:
        n->attr.arg.axis = get_int(&z, "axis", 0);
        n->attr.arg.keepdims = get_int(&z, "keepdims", 1) != 0;
        n->attr.arg.select_last = c->opset >= 12 && get_int(&z, "select_last_index", 0) != 0;
        break;
    /* Elu-6/22, ThresholdedRelu-10/22 (X -> Y): alpha=1. */
    case OP_ELU:
    case OP_THRESHOLDED_RELU:
        n->attr.alpha.alpha = get_float(&z, "alpha", 1.0f);
        break;
    /* Selu-6/22 (X -> Y): alpha and gamma, the spec's defaults as floats. */
    case OP_SELU:
        n->attr.selu.alpha = get_float(&z, "alpha", 1.67326319217681884765625f);
        n->attr.selu.gamma = get_float(&z, "gamma", 1.05070102214813232421875f);
        break;
    case OP_LRN: norm_lrn(&z); break;
    case OP_CAST: norm_cast(&z); break;
    case OP_CAST_LIKE: norm_cast_like(&z); break;
    /* Reshape-5/13 (data, shape -> reshaped); Reshape-14/19/21: allowzero=0
     * (1: a 0 in shape means 0, not "copy the input's dim").  The shape
     * stays input 1: it is often computed (Shape -> Gather -> Concat). */
    case OP_RESHAPE:
        n->attr.reshape.allowzero = c->opset >= 14 && get_int(&z, "allowzero", 0) != 0;
        break;
    /* Mod-10/13 (A, B -> C): fmod 0 or 1 (its meaning: ir/ops.def). */
    case OP_MOD: {
        int64_t f = get_int(&z, "fmod", 0);
        if (f != 0 && f != 1)
            nerr(&z, "fmod is %lld; it must be 0 or 1", (long long)f);
        n->attr.mod.fmod = f == 1;
        break;
    }
    case OP_SHAPE: norm_shape(&z); break;
    /* No attributes: Relu-6/13/14, Sigmoid-6/13, Identity-1/13/14/16/19/21,
     * Add/Sub/Mul/Div-7/13/14, Pow-7/12/13/15, MatMul-1/9/13, GlobalAveragePool-1,
     * GlobalMaxPool-1, Tanh-1/6/13, HardSwish-14, Sum-1/6/8/13 (variadic;
     * numpy broadcasting from 8, equal shapes before: ir/shape.c checks). */
    case OP_ADD:
    case OP_SUB:
    case OP_MUL:
    case OP_DIV:
    case OP_POW:
        norm_legacy_binary(&z);
        break;
    case OP_RELU:
    case OP_SIGMOID:
    case OP_IDENTITY:
    case OP_MATMUL:
    case OP_GLOBAL_AVGPOOL:
    case OP_GLOBAL_MAXPOOL:
    case OP_TANH:
    case OP_HARD_SWISH:
    case OP_SUM:
    /* Abs, Neg, Exp, Log, Sqrt, Reciprocal, Ceil, Floor-6/13, Round-11,
     * Sign-9/13, Erf-9/13, Sin, Cos-7, Softplus, Softsign-1 (X -> Y). */
    case OP_ABS: case OP_NEG: case OP_EXP: case OP_LOG: case OP_SQRT: case OP_RECIPROCAL:
    case OP_CEIL: case OP_FLOOR: case OP_ROUND: case OP_SIGN: case OP_ERF: case OP_SIN:
    case OP_COS: case OP_SOFTPLUS: case OP_SOFTSIGN:
    /* Max, Min-6/8/12/13 (data_0, data_1, ... -> result): numpy broadcasting
     * from 8, equal shapes before (as Sum). */
    case OP_MAX: case OP_MIN:
        break;
    case OP_CONSTANT:
    case OP_COUNT:
        VGGC_UNREACHABLE();
    }
    return z.ok;
}

/* ---- Constant ------------------------------------------------------------------- */

/* Constant-1/9 (-> output): value (TENSOR) required.
 * Constant-11: value or sparse_value.  Constant-12/13/19/21: exactly one of
 *   value, sparse_value, value_float, value_floats, value_int, value_ints,
 *   value_string, value_strings.
 * Becomes a constant value named after the output; no node remains.  The
 * sparse and string forms are refused; a tensor of a type we do not read is
 * refused when used and skipped otherwise. */
uint32_t fe_constant_node(ImportCtx *c, const Onnx__NodeProto *np, const Node *diag,
                          bool *failed)
{
    static const char *const forms[] = {
        "value", "sparse_value", "value_float", "value_floats",
        "value_int", "value_ints", "value_string", "value_strings",
    };
    enum { NFORMS = sizeof forms / sizeof forms[0] };
    Graph *g = c->g;
    const char *out = np->output[0];
    const Onnx__AttributeProto *a = NULL;
    int form = -1, count = 0;
    for (size_t i = 0; i < np->n_attribute; i++)
        for (int f = 0; f < NFORMS; f++)
            if (strcmp(fe_str(np->attribute[i]->name), forms[f]) == 0) {
                a = np->attribute[i];
                form = f;
                count++;
            }
    *failed = true;
    if (count != 1) {
        graph_error(g, diag, "needs exactly one of the value attributes, has %d", count);
        return VGGC_NONE;
    }
    static const Onnx__AttributeProto__AttributeType want[NFORMS] = {
        ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR,
        ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__SPARSE_TENSOR,
        ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT,
        ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS,
        ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT,
        ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS,
        ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING,
        ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS,
    };
    Onnx__AttributeProto__AttributeType have = fe_attr_type(a);
    /* An empty FLOATS/INTS list carries no field to infer its type from. */
    bool empty_list = have == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED &&
                      (form == 3 || form == 5);
    if (have != want[form] && !empty_list) {
        graph_error(g, diag, "attribute '%s' is %s; expected %s", forms[form],
                    fe_attr_type_name(have), fe_attr_type_name(want[form]));
        return VGGC_NONE;
    }
    Shape scalar = {.rank = 0}, vec = {.rank = 1};
    switch (form) {
    case 0: {
        if (!a->t) {
            graph_error(g, diag, "attribute 'value' holds no tensor");
            return VGGC_NONE;
        }
        int32_t code = a->t->has_data_type ? a->t->data_type : 0;
        if (fe_dtype_from_onnx(code) == DT_UNDEF) {
            if (!fe_name_used(c, out)) {
                *failed = false;
                vggc_note("skipping unused Constant '%s' of type %s", out,
                          fe_onnx_dtype_name(code));
                return VGGC_NONE;
            }
            graph_error(g, diag, "value: data type %s is not supported",
                        fe_onnx_dtype_name(code));
            return VGGC_NONE;
        }
        TensorData td;
        char why[600];
        ExternalRoot root = {c->base_dir, &c->base_real, c->hash, c->spans};
        if (!fe_tensor_decode(a->t, &root, &g->arena, &td, why, sizeof why)) {
            graph_error(g, diag, "value: %s", why);
            return VGGC_NONE;
        }
        *failed = false;
        return fe_add_const(g, out, &td);
    }
    case 2:
        *failed = false;
        return graph_add_const(g, out, DT_FLOAT, &scalar, &a->f, sizeof a->f);
    case 3:
        vec.d[0] = (int64_t)a->n_floats;
        *failed = false;
        return graph_add_const(g, out, DT_FLOAT, &vec, a->floats, a->n_floats * sizeof(float));
    case 4:
        *failed = false;
        return graph_add_const(g, out, DT_INT64, &scalar, &a->i, sizeof a->i);
    case 5:
        vec.d[0] = (int64_t)a->n_ints;
        *failed = false;
        return graph_add_const(g, out, DT_INT64, &vec, a->ints, a->n_ints * sizeof(int64_t));
    default:
        graph_error(g, diag, "a Constant with '%s' is not supported", forms[form]);
        return VGGC_NONE;
    }
}
