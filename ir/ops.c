/* ops.c — the op table and the small facts about dtypes and shapes. */
#include "ir.h"

#include <stdio.h>
#include <string.h>

const OpInfo op_info[OP_COUNT] = {
#define X(e, name, ilo, ihi, olo, ohi) [OP_##e] = {name, ilo, ihi, olo, ohi},
#include "ops.def"
#undef X
};

const char *op_name(OpKind op)
{
    if (op == OP_DEAD)
        return "<dead>";
    VGGC_ASSERT(op < OP_COUNT);
    return op_info[op].name;
}

OpKind op_lookup(const char *onnx_name)
{
    for (int i = 0; i < OP_COUNT; i++)
        if (strcmp(op_info[i].name, onnx_name) == 0)
            return (OpKind)i;
    return OP_COUNT;
}

static const struct { const char *name; size_t size; } dtypes[] = {
    [DT_UNDEF] = {"undef", 0}, [DT_FLOAT] = {"f32", 4}, [DT_INT64] = {"i64", 8},
    [DT_INT32] = {"i32", 4},   [DT_BOOL] = {"bool", 1},   [DT_UINT8] = {"u8", 1},
    [DT_INT8] = {"i8", 1},     [DT_DOUBLE] = {"f64", 8},  [DT_FLOAT16] = {"f16", 2},
    [DT_BFLOAT16] = {"bf16", 2}, [DT_STRING] = {"str", 32},   /* VGGRT_STRING_SIZE */
};
_Static_assert(sizeof dtypes / sizeof dtypes[0] == DT_COUNT, "dtype table");

const char *dtype_name(DType t) { return t < DT_COUNT ? dtypes[t].name : "?"; }
size_t dtype_size(DType t) { return t < DT_COUNT ? dtypes[t].size : 0; }

bool shape_is_batched(const Shape *s) { return s->rank > 0 && s->d[0] == VGGC_DIM_N; }

bool shape_numel_per_item(const Shape *s, size_t *out)
{
    size_t n = 1;
    for (int i = 0; i < s->rank; i++) {
        if (s->d[i] == VGGC_DIM_N)
            continue;
        if (s->d[i] < 0 || !size_mul(n, (size_t)s->d[i], &n))
            return false;
    }
    *out = n;
    return true;
}

bool shape_numel(const Shape *s, int64_t batch, size_t *out)
{
    size_t n;
    if (!shape_numel_per_item(s, &n))
        return false;
    if (shape_is_batched(s))
        return batch >= 0 && size_mul(n, (size_t)batch, out);
    *out = n;
    return true;
}

bool shape_equal(const Shape *a, const Shape *b)
{
    if (a->rank != b->rank)
        return false;
    for (int i = 0; i < a->rank; i++)
        if (a->d[i] != b->d[i])
            return false;
    return true;
}

void shape_format(const Shape *s, char *buf, size_t cap, const char *batch_name)
{
    size_t len = 0;
    len += (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < s->rank && len < cap; i++) {
        const char *sep = i ? "," : "";
        if (s->d[i] == VGGC_DIM_N)
            len += (size_t)snprintf(buf + len, cap - len, "%s%s", sep, batch_name ? batch_name : "N");
        else
            len += (size_t)snprintf(buf + len, cap - len, "%s%lld", sep, (long long)s->d[i]);
    }
    if (len < cap)
        snprintf(buf + len, cap - len, "]");
}

void shape_broadcast_strides(const Shape *x, const Shape *y, int64_t *str)
{
    int64_t s = 1;
    for (int i = y->rank - 1, j = x->rank - 1; i >= 0; i--, j--) {
        int64_t d = j >= 0 ? x->d[j] : 1;
        bool bcast = d == 1 && y->d[i] != 1;
        str[i] = bcast ? 0 : s;
        if (d != VGGC_DIM_N)    /* N is leading: no stride is a multiple of it */
            s *= d;
    }
}

const char *act_name(ActKind a)
{
    static const char *const names[] = {"", "relu", "clip", "leaky_relu", "sigmoid"};
    _Static_assert(sizeof names / sizeof names[0] == ACT_COUNT, "activation names");
    return (unsigned)a < ACT_COUNT ? names[a] : "?";
}

const char *layout_name(Layout l)
{
    static const char *const names[] = {"plain", "nhwc", "blocked"};
    _Static_assert(sizeof names / sizeof names[0] == LAYOUT_COUNT, "layout names");
    return (unsigned)l < LAYOUT_COUNT ? names[l] : "?";
}

const char *pad_mode_name(PadMode m)
{
    static const char *const names[] = {"constant", "reflect", "edge", "wrap"};
    _Static_assert(sizeof names / sizeof names[0] == PAD_COUNT, "pad mode names");
    return (unsigned)m < PAD_COUNT ? names[m] : "?";
}

const char *resize_mode_name(ResizeMode m)
{
    static const char *const names[] = {"nearest", "linear", "cubic"};
    _Static_assert(sizeof names / sizeof names[0] == RESIZE_MODE_COUNT, "resize mode names");
    return (unsigned)m < RESIZE_MODE_COUNT ? names[m] : "?";
}

const char *resize_coord_name(ResizeCoord m)
{
    static const char *const names[] = {
        "half_pixel", "half_pixel_symmetric", "asymmetric", "pytorch_half_pixel",
        "tf_half_pixel_for_nn", "align_corners", "tf_crop_and_resize",
    };
    _Static_assert(sizeof names / sizeof names[0] == COORD_COUNT, "coordinate mode names");
    return (unsigned)m < COORD_COUNT ? names[m] : "?";
}

const char *nearest_mode_name(NearestMode m)
{
    static const char *const names[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
    _Static_assert(sizeof names / sizeof names[0] == NEAREST_COUNT, "nearest mode names");
    return (unsigned)m < NEAREST_COUNT ? names[m] : "?";
}

void wrap_format(const Wrap *w, DType dt, char *buf, size_t cap)
{
    static const char *const onnx_names[DT_COUNT] = {
        [DT_UNDEF] = "undefined", [DT_FLOAT] = "float", [DT_INT64] = "int64",
        [DT_INT32] = "int32", [DT_BOOL] = "bool", [DT_UINT8] = "uint8", [DT_INT8] = "int8",
        [DT_DOUBLE] = "double", [DT_FLOAT16] = "float16", [DT_BFLOAT16] = "bfloat16",
        [DT_STRING] = "string",
    };
    size_t len = 0;
#define PUT(...)                                                              \
    do {                                                                      \
        if (len < cap)                                                        \
            len += (size_t)snprintf(buf + len, cap - len, __VA_ARGS__);       \
    } while (0)
    if (cap)
        buf[0] = '\0';
    for (int i = 0; i < w->n; i++)
        PUT("%s(", w->kind[i] == WRAP_SEQUENCE ? "seq" : "optional");
    PUT("tensor(%s)", dt < DT_COUNT ? onnx_names[dt] : "?");
    for (int i = 0; i < w->n; i++)
        PUT(")");
    if (w->rank >= 0) {
        PUT(" of [");
        for (int d = 0; d < w->rank; d++) {
            if (w->dims[d] < 0)
                PUT("%s?", d ? "," : "");
            else
                PUT("%s%lld", d ? "," : "", (long long)w->dims[d]);
        }
        PUT("]");
    }
#undef PUT
}
