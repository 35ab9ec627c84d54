/* print.c — the graph as text.
 *
 * `vggc --dump-ir` and every IR test read this form, so it is stable: the
 * same graph prints the same bytes, on every machine and every run.  The
 * grammar is in docs/ir.md and parse.c reads it back; one statement per line:
 *
 *   graph "vgg16_head" opset 13
 *   input %input : f32[N,3,160,160]
 *   const %"features.0.weight" : f32[64,3,3,3] = <1728 x f32, hash 0123456789abcdef>
 *   const %shape : i64[2] = [N, -1]
 *   %y : f32[N,64,160,160] = Conv(%input, %w, %b) kernel=[3,3] stride=[1,1] ...  @"/Conv"
 *   output %y
 *
 * Order is canonical: the header, graph inputs in the graph's order,
 * constants in value-id order, live nodes in graph order, graph outputs.
 * Names are bare when they are made of [A-Za-z0-9_.] and quoted otherwise.
 * Constants of up to 16 elements are printed in full; larger ones as their
 * element count and a 64-bit FNV-1a hash of their bytes, enough to see that
 * a pass changed a weight, but not readable back.  Floats are printed with
 * the fewest digits that read back to the same float.  Attributes are
 * printed in full, in one order per op, and only those the op has.
 *
 * The printer never trusts the graph: it is what one looks at when the
 * verifier complains, so out-of-range ids, odd ranks and constants whose
 * byte size is wrong are shown as such instead of being followed.
 */
#include "ir.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names and strings ------------------------------------------------------ */

static bool is_bare_char(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '.';
}

/* "..." with \" \\ and \xHH for control bytes; other bytes (UTF-8) raw. */
static void print_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\x%02x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* A value or node name: bare when every byte is [A-Za-z0-9_.], else quoted.
 * The lone "_" is quoted, since bare `_` means "omitted". */
static void print_name(FILE *f, const char *s)
{
    if (!s) {
        fputs("\"\"", f);
        return;
    }
    bool bare = *s && strcmp(s, "_") != 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && bare; p++)
        bare = is_bare_char(*p);
    if (bare)
        fputs(s, f);
    else
        print_quoted(f, s);
}

/* %name for a value id, _ for VGGC_NONE, %<bad id K> out of range. */
static void print_value_ref(FILE *f, const Graph *g, uint32_t id)
{
    if (id == VGGC_NONE) {
        fputc('_', f);
        return;
    }
    if (id >= g->n_values) {
        fprintf(f, "%%<bad id %u>", id);
        return;
    }
    fputc('%', f);
    print_name(f, g->values[id].name);
}

/* ---- numbers ------------------------------------------------------------------ */

/* Integers below 1e15 as such; otherwise the shortest %g form that reads
 * back (strtof) to exactly x; "nan", "inf", "-inf" for the specials. */
static void format_float(char *buf, size_t cap, float x)
{
    if (isnan(x)) {
        snprintf(buf, cap, "nan");
        return;
    }
    if (isinf(x)) {
        snprintf(buf, cap, x < 0 ? "-inf" : "inf");
        return;
    }
    if (x == truncf(x) && fabsf(x) < 1e15f) {
        snprintf(buf, cap, "%.0f", (double)x);      /* 10, not 1e+01 */
        return;
    }
    for (int prec = 1; prec <= 9; prec++) {
        snprintf(buf, cap, "%.*g", prec, (double)x);
        if (strtof(buf, NULL) == x)
            return;
    }
}

/* As format_float, for a double: the shortest %g form that strtod reads
 * back to exactly x. */
static void format_double(char *buf, size_t cap, double x)
{
    if (isnan(x) || isinf(x)) {
        snprintf(buf, cap, isnan(x) ? "nan" : x < 0 ? "-inf" : "inf");
        return;
    }
    if (x == trunc(x) && fabs(x) < 1e15) {
        snprintf(buf, cap, "%.0f", x);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, cap, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

static void print_float(FILE *f, float x)
{
    char buf[64];
    format_float(buf, sizeof buf, x);
    fputs(buf, f);
}

/* An int64, with VGGC_SYM_N as N. */
static void print_i64(FILE *f, int64_t v)
{
    if (v == VGGC_SYM_N)
        fputc('N', f);
    else
        fprintf(f, "%lld", (long long)v);
}

static void print_i64_list(FILE *f, const int64_t *v, int n)
{
    fputc('[', f);
    for (int i = 0; i < n; i++) {
        if (i)
            fputc(',', f);
        print_i64(f, v[i]);
    }
    fputc(']', f);
}

/* ---- types ------------------------------------------------------------------------ */

static void print_shape(FILE *f, const Shape *s)
{
    if (s->rank < 0 || s->rank > VGGC_MAX_RANK) {
        fprintf(f, "[<bad rank %d>]", s->rank);
        return;
    }
    fputc('[', f);
    for (int i = 0; i < s->rank; i++) {
        if (i)
            fputc(',', f);
        if (s->d[i] == VGGC_DIM_N)
            fputc('N', f);
        else
            fprintf(f, "%lld", (long long)s->d[i]);
    }
    fputc(']', f);
}

static void print_dtype(FILE *f, DType t)
{
    if ((unsigned)t < DT_COUNT)
        fputs(dtype_name(t), f);
    else
        fprintf(f, "<bad dtype %d>", (int)t);
}

/* " : f32[N,3]" with a shape, " : f32" with a dtype only, nothing without. */
static void print_type(FILE *f, const Value *v)
{
    if (!v->has_shape && v->dtype == DT_UNDEF)
        return;
    fputs(" : ", f);
    if (v->wrap) {                  /* printed to be read; parse.c does not take it */
        char buf[256];
        wrap_format(v->wrap, v->dtype, buf, sizeof buf);
        fputs(buf, f);
        return;
    }
    print_dtype(f, v->dtype);
    if (v->has_shape)
        print_shape(f, &v->shape);
}

/* ---- constant data ------------------------------------------------------------------ */

static uint64_t fnv1a(const void *data, size_t n)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* One constant element of dtype t (t valid) stored at p. */
static void print_element(FILE *f, DType t, const unsigned char *p)
{
    switch (t) {
    case DT_FLOAT: { float x; memcpy(&x, p, 4); print_float(f, x); break; }
    case DT_INT64: { int64_t x; memcpy(&x, p, 8); print_i64(f, x); break; }
    case DT_INT32: { int32_t x; memcpy(&x, p, 4); fprintf(f, "%d", (int)x); break; }
    case DT_BOOL: fputc(*p ? '1' : '0', f); break;
    case DT_UINT8: fprintf(f, "%u", (unsigned)*p); break;
    case DT_INT8: fprintf(f, "%d", (int)(int8_t)*p); break;
    case DT_DOUBLE: {
        double x;
        char buf[64];
        memcpy(&x, p, 8);
        format_double(buf, sizeof buf, x);
        fputs(buf, f);
        break;
    }
    /* The 16-bit floats as their bit patterns: exact, and no rounding
     * code is needed to read them back. */
    case DT_FLOAT16: case DT_BFLOAT16: {
        uint16_t x;
        memcpy(&x, p, 2);
        fprintf(f, "0x%04x", (unsigned)x);
        break;
    }
    default: VGGC_UNREACHABLE();
    }
}

/* " = [..]" for up to 16 elements, " = <count x dtype, hash H>" beyond. */
static void print_data(FILE *f, const Value *v)
{
    size_t numel, bytes;
    size_t es = (unsigned)v->dtype > DT_UNDEF && (unsigned)v->dtype < DT_COUNT
                    ? dtype_size(v->dtype) : 0;
    if (!v->has_shape || es == 0 || v->shape.rank < 0 || v->shape.rank > VGGC_MAX_RANK ||
        shape_is_batched(&v->shape) || !shape_numel(&v->shape, 1, &numel) ||
        !size_mul(numel, es, &bytes) || bytes != v->nbytes || (bytes && !v->data)) {
        fprintf(f, " = <bad data: %zu bytes>", v->nbytes);
        return;
    }
    if (numel > 16) {
        fprintf(f, " = <%zu x %s, hash %016llx>", numel, dtype_name(v->dtype),
                (unsigned long long)fnv1a(v->data, v->nbytes));
        return;
    }
    fputs(" = [", f);
    for (size_t i = 0; i < numel; i++) {
        if (i)
            fputs(", ", f);
        print_element(f, v->dtype, (const unsigned char *)v->data + i * es);
    }
    fputc(']', f);
}

/* ---- attributes --------------------------------------------------------------------- */

static const char *autopad_name(AutoPad a)
{
    switch (a) {
    case AUTOPAD_NOTSET: return "NOTSET";
    case AUTOPAD_VALID: return "VALID";
    case AUTOPAD_SAME_UPPER: return "SAME_UPPER";
    case AUTOPAD_SAME_LOWER: return "SAME_LOWER";
    }
    return "?";
}

/* kernel/stride/dilation with nsp entries; pad as [begins..., ends...]
 * (ONNX's order).  A 1-D window prints index 1 only (index 0 is the
 * neutral H); a 3-D one prints the depth fields first. */
static void print_window(FILE *f, const WindowAttr *w, OpKind op)
{
    int n = w->nsp >= 1 && w->nsp <= 3 ? w->nsp : 2;
    WindowAttr v = *w;
    v.nsp = n;
    int64_t k[3], s[3], d[3], p[6];
    for (int i = 0; i < n; i++) {
        WindowAxis a = window_axis(&v, i);
        k[i] = a.kernel;
        s[i] = a.stride;
        d[i] = a.dilation;
        p[i] = a.pad_begin;
        p[n + i] = a.pad_end;
    }
    if (w->has_kernel) {
        fputs(" kernel=", f);
        print_i64_list(f, k, n);
    }
    fputs(" stride=", f);
    print_i64_list(f, s, n);
    fputs(" pad=", f);
    print_i64_list(f, p, 2 * n);
    fputs(" dilation=", f);
    print_i64_list(f, d, n);
    if (op == OP_CONV || op == OP_CONV_TRANSPOSE)
        fprintf(f, " group=%lld", (long long)w->group);
    else
        fprintf(f, " ceil_mode=%d", w->ceil_mode);
    if (op == OP_CONV_TRANSPOSE) {
        fputs(" out_pad=", f);
        print_i64_list(f, w->out_pad, n);
        if (w->has_out_shape) {
            fputs(" out_shape=", f);
            print_i64_list(f, w->out_shape, n);
        }
    }
    if (op == OP_AVGPOOL)
        fprintf(f, " count_include_pad=%d", w->count_include_pad);
    if (op == OP_MAXPOOL && w->storage_order)
        fputs(" storage_order=1", f);
    if (w->auto_pad != AUTOPAD_NOTSET)
        fprintf(f, " auto_pad=%s", autopad_name(w->auto_pad));
    if (w->nsp < 1 || w->nsp > 3)
        fprintf(f, " nsp=%d", w->nsp);
}

static void print_list_attr(FILE *f, const char *key, const int64_t *v, int n)
{
    fprintf(f, " %s=", key);
    if (n < 0 || n > VGGC_MAX_RANK)
        fprintf(f, "<bad count %d>", n);
    else
        print_i64_list(f, v, n);
}

static void print_float_list(FILE *f, const float *v, int n)
{
    fputc('[', f);
    for (int i = 0; i < n; i++) {
        if (i)
            fputc(',', f);
        print_float(f, v[i]);
    }
    fputc(']', f);
}

static void print_resize(FILE *f, const ResizeAttr *r)
{
    fprintf(f, " mode=%s coord=%s", resize_mode_name(r->mode), resize_coord_name(r->coord));
    if (r->mode == RESIZE_NEAREST)
        fprintf(f, " nearest=%s", nearest_mode_name(r->nearest));
    if (r->mode == RESIZE_CUBIC) {
        fputs(" cubic_a=", f);
        print_float(f, r->cubic_a);
        fprintf(f, " exclude_outside=%d", r->exclude_outside);
    }
    const int n = r->n < 0 || r->n > VGGC_MAX_RANK ? 0 : r->n;
    if (r->coord == COORD_TF_CROP_AND_RESIZE) {
        fputs(" extrapolation=", f);
        print_float(f, r->extrapolation);
        fputs(" roi=", f);
        float roi[2 * VGGC_MAX_RANK];
        memcpy(roi, r->roi, sizeof(float) * (size_t)n);
        memcpy(roi + n, r->roi + VGGC_MAX_RANK, sizeof(float) * (size_t)n);
        print_float_list(f, roi, 2 * n);
    }
    if (r->has_sizes) {
        print_list_attr(f, "sizes", r->sizes, n);
    } else {
        fputs(" scales=", f);
        print_float_list(f, r->scales, n);
    }
}

/* " key=value" for every attribute op n->op has, in the order of docs/ir.md. */
static void print_attrs(FILE *f, const Graph *g, const Node *n)
{
    const Attr *a = &n->attr;
    switch (n->op) {
    case OP_CONV: case OP_CONV_TRANSPOSE: case OP_MAXPOOL: case OP_AVGPOOL:
        print_window(f, &a->win, n->op);
        break;
    case OP_REDUCE_MEAN: case OP_REDUCE_MAX: case OP_REDUCE_SUM: case OP_REDUCE_MIN:
    case OP_REDUCE_PROD: case OP_REDUCE_SUM_SQUARE: case OP_REDUCE_L1:
    case OP_REDUCE_L2: case OP_REDUCE_LOG_SUM: case OP_REDUCE_LOG_SUM_EXP:
        print_list_attr(f, "axes", a->axes.axes, a->axes.n_axes);
        fprintf(f, " keepdims=%d noop_with_empty_axes=%d", a->axes.keepdims,
                a->axes.noop_with_empty_axes);
        break;
    case OP_SQUEEZE: case OP_UNSQUEEZE:
        print_list_attr(f, "axes", a->axes.axes, a->axes.n_axes);
        break;
    case OP_TRANSPOSE:
        print_list_attr(f, "perm", a->perm.perm, a->perm.n_perm);
        break;
    case OP_FLATTEN: case OP_GATHER: case OP_GATHER_ELEMENTS: case OP_CONCAT:
        fprintf(f, " axis=%lld", (long long)a->axis);
        break;
    case OP_RESHAPE:
        fprintf(f, " allowzero=%d", a->reshape.allowzero);
        break;
    case OP_MOD:
        fprintf(f, " fmod=%d", a->mod.fmod);
        break;
    case OP_GEMM:
        fputs(" alpha=", f);
        print_float(f, a->gemm.alpha);
        fputs(" beta=", f);
        print_float(f, a->gemm.beta);
        fprintf(f, " trans_a=%d trans_b=%d", a->gemm.trans_a, a->gemm.trans_b);
        break;
    case OP_BATCHNORM: case OP_INSTANCE_NORM:
        fputs(" epsilon=", f);
        print_float(f, a->bn.epsilon);
        break;
    case OP_LAYER_NORM:
        fprintf(f, " axis=%lld epsilon=", (long long)a->ln.axis);
        print_float(f, a->ln.epsilon);
        break;
    case OP_SOFTMAX: case OP_LOG_SOFTMAX:
        fprintf(f, " axis=%lld coerce_2d=%d", (long long)a->softmax.axis, a->softmax.coerce_2d);
        break;
    case OP_CLIP:
        fputs(" min=", f);
        print_float(f, a->clip.min);
        fputs(" max=", f);
        print_float(f, a->clip.max);
        break;
    case OP_LEAKY_RELU: case OP_ELU: case OP_THRESHOLDED_RELU:
        fputs(" alpha=", f);
        print_float(f, a->alpha.alpha);
        break;
    case OP_SLICE: {
        const SliceAttr *s = &a->slice;
        const int64_t *v[4] = {s->starts, s->ends, s->axes, s->steps};
        static const char *const key[4] = {"starts", "ends", "axes", "steps"};
        for (int k = 0; k < 4; k++) {
            fprintf(f, " %s=[", key[k]);
            for (int i = 0; i < s->n; i++)
                fprintf(f, "%s%lld", i ? "," : "", (long long)v[k][i]);
            fputc(']', f);
        }
        break;
    }
    case OP_SPLIT:
        fprintf(f, " axis=%lld", (long long)a->split.axis);
        if (a->split.n > 0 && a->split.n <= VGGC_MAX_SPLIT) {
            fputs(" split=[", f);
            for (int i = 0; i < a->split.n; i++)
                fprintf(f, "%s%lld", i ? "," : "", (long long)a->split.sizes[i]);
            fputc(']', f);
        }
        break;
    case OP_CONSTANT_OF_SHAPE:
        fputs(" to=", f);
        print_dtype(f, a->fill.to);
        fputs(" value=", f);
        if (a->fill.to == DT_FLOAT || a->fill.to == DT_DOUBLE)
            fprintf(f, "%.17g", a->fill.f);
        else
            fprintf(f, "%lld", (long long)a->fill.i);
        break;
    case OP_ARGMAX: case OP_ARGMIN:
        fprintf(f, " axis=%lld keepdims=%d select_last_index=%d", (long long)a->arg.axis,
                a->arg.keepdims, a->arg.select_last);
        break;
    case OP_SELU:
        fputs(" alpha=", f);
        print_float(f, a->selu.alpha);
        fputs(" gamma=", f);
        print_float(f, a->selu.gamma);
        break;
    case OP_HARD_SIGMOID:
        fputs(" alpha=", f);
        print_float(f, a->hsig.alpha);
        fputs(" beta=", f);
        print_float(f, a->hsig.beta);
        break;
    case OP_LRN:
        fprintf(f, " size=%lld alpha=", (long long)a->lrn.size);
        print_float(f, a->lrn.alpha);
        fputs(" beta=", f);
        print_float(f, a->lrn.beta);
        fputs(" bias=", f);
        print_float(f, a->lrn.bias);
        break;
    case OP_CAST:
        fputs(" to=", f);
        print_dtype(f, a->cast.to);
        break;
    case OP_SHAPE:
        fprintf(f, " start=%lld", (long long)a->shape.start);
        if (a->shape.has_end)
            fprintf(f, " end=%lld", (long long)a->shape.end);
        break;
    case OP_RESIZE:
        print_resize(f, &a->resize);
        break;
    case OP_PAD: {
        /* 2*rank entries when the input's rank is known, else all. */
        int count = 2 * VGGC_MAX_RANK;
        if (n->n_in > 0 && n->in[0] < g->n_values) {
            const Value *x = &g->values[n->in[0]];
            if (x->has_shape && x->shape.rank >= 0 && x->shape.rank <= VGGC_MAX_RANK)
                count = 2 * x->shape.rank;
        }
        fputs(" pads=", f);
        print_i64_list(f, a->pad.pads, count);
        if (a->pad.mode != PAD_CONSTANT)
            fprintf(f, " mode=%s", pad_mode_name(a->pad.mode));
        fputs(" value=", f);
        print_float(f, a->pad.value);
        break;
    }
    case OP_RELU: case OP_GLOBAL_AVGPOOL: case OP_GLOBAL_MAXPOOL: case OP_MATMUL: case OP_ADD:
    case OP_SUB: case OP_MUL: case OP_DIV: case OP_DROPOUT: case OP_IDENTITY: case OP_CONSTANT:
    case OP_SIGMOID: case OP_SUM: case OP_PRELU: case OP_TANH: case OP_HARD_SWISH:
    case OP_CAST_LIKE: case OP_UPSAMPLE: case OP_ABS: case OP_NEG: case OP_EXP: case OP_LOG: case OP_SQRT:
    case OP_RECIPROCAL: case OP_CEIL: case OP_FLOOR: case OP_ROUND: case OP_SIGN: case OP_ERF:
    case OP_SIN: case OP_COS: case OP_SOFTPLUS: case OP_SOFTSIGN: case OP_MAX: case OP_MIN:
    case OP_POW:
    case OP_SIZE: case OP_COUNT:
        break;
    }
    _Static_assert(OP_COUNT == 82, "the printer knows every op's attributes");
}

/* What fusion and layout assignment added to a node; nothing when none. */
static void print_epilogue(FILE *f, const Node *n)
{
    const Epilogue *e = &n->epi;
    if (e->act != ACT_NONE)
        fprintf(f, " act=%s", act_name(e->act));
    if (e->act == ACT_CLIP) {
        fputs(" act_min=", f);
        print_float(f, e->alpha);
        fputs(" act_max=", f);
        print_float(f, e->beta);
    } else if (e->act == ACT_LEAKY_RELU) {
        fputs(" act_alpha=", f);
        print_float(f, e->alpha);
    }
    if (e->pool_k)
        fprintf(f, " pool_k=%lld pool_s=%lld", (long long)e->pool_k, (long long)e->pool_s);
    if (e->softmax)
        fputs(" softmax=1", f);
    if (e->mean_input)
        fputs(" mean_input=1", f);
    if (n->in_layout != LAYOUT_PLAIN)
        fprintf(f, " in_layout=%s", layout_name(n->in_layout));
    if (n->out_layout != LAYOUT_PLAIN)
        fprintf(f, " out_layout=%s", layout_name(n->out_layout));
}

/* ---- statements ------------------------------------------------------------------------ */

static void print_node(FILE *f, const Graph *g, const Node *n)
{
    for (uint32_t i = 0; i < n->n_out; i++) {
        if (i)
            fputs(", ", f);
        print_value_ref(f, g, n->out[i]);
        if (n->out[i] != VGGC_NONE && n->out[i] < g->n_values)
            print_type(f, &g->values[n->out[i]]);
    }
    fputs(" = ", f);
    bool op_ok = (unsigned)n->op < OP_COUNT;
    if (op_ok)
        fputs(op_name(n->op), f);
    else
        fprintf(f, "<bad op %d>", (int)n->op);
    fputc('(', f);
    for (uint32_t i = 0; i < n->n_in; i++) {
        if (i)
            fputs(", ", f);
        print_value_ref(f, g, n->in[i]);
    }
    fputc(')', f);
    if (op_ok) {
        print_attrs(f, g, n);
        print_epilogue(f, n);
    }
    fputs("  @", f);
    print_name(f, n->name);
    fputc('\n', f);
}

/* The whole graph in canonical order (docs/ir.md section 3).  Reads g
 * only; never follows an id it has not checked. */
void graph_print(const Graph *g, FILE *f)
{
    fputs("graph ", f);
    print_quoted(f, g->name ? g->name : "");
    fprintf(f, " opset %lld", (long long)g->opset);
    if (g->producer) {
        fputs(" producer ", f);
        print_quoted(f, g->producer);
    }
    if (g->block)
        fprintf(f, " layout NCHW%dc", g->block);
    if (g->batch_hint)
        fprintf(f, " batch_hint %lld", (long long)g->batch_hint);
    fputc('\n', f);

    for (uint32_t i = 0; i < g->n_inputs; i++) {
        fputs("input ", f);
        print_value_ref(f, g, g->inputs[i]);
        if (g->inputs[i] < g->n_values)
            print_type(f, &g->values[g->inputs[i]]);
        if (g->inputs[i] < g->n_values && g->values[g->inputs[i]].unread)
            fputs(" unread", f);
        fputc('\n', f);
    }
    for (uint32_t i = 0; i < g->n_values; i++) {
        const Value *v = &g->values[i];
        if (v->kind != VAL_CONST)
            continue;
        fputs("const ", f);
        print_value_ref(f, g, i);
        print_type(f, v);
        print_data(f, v);
        fputc('\n', f);
    }
    for (uint32_t i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].op != OP_DEAD)
            print_node(f, g, &g->nodes[i]);
    for (uint32_t i = 0; i < g->n_outputs; i++) {
        fputs("output ", f);
        print_value_ref(f, g, g->outputs[i]);
        if (g->outputs[i] < g->n_values && g->values[g->outputs[i]].kind == VAL_PASS) {
            fputs(" = ", f);        /* a sequence or optional input passed on */
            print_value_ref(f, g, g->values[g->outputs[i]].source);
        }
        fputc('\n', f);
    }
}
