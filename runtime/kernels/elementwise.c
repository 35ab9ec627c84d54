/* elementwise.c — broadcasting binary ops (and PRelu), activations,
 * BatchNorm's affine map and Cast.
 *
 * Binary ops take the output dims and, for each operand, an element stride
 * per dim (0 where it broadcasts), as ONNX's multidirectional broadcasting
 * reduces to.  Before looping we simplify that description:
 *   - dims of size 1 are dropped (their strides never matter);
 *   - neighbouring dims merge when both operands step through them as one
 *     (stride[d] == stride[d+1] * dims[d+1] for a and b alike), which turns
 *     a same-shape op into one flat loop and a per-channel bias over NCHW
 *     into [N, C, H*W] with b's strides (0, 1, 0).
 * What remains runs as rows over the innermost dim, with a loop for each of
 * the common stride pairs (1,1), (1,0), (0,1) and a general one; the outer
 * dims are counted by an odometer.  The op is switched on outside the
 * loops, so each inner loop is a plain vectorizable one.
 *
 * Integer arithmetic wraps (it is done in uint64_t: signed overflow would be
 * undefined); DIV truncates toward zero, x/0 gives 0 and INT64_MIN/-1 gives
 * INT64_MIN.
 *
 * Cast follows C's conversions where they are defined.  Where C leaves
 * float-to-integer undefined, we define it: NaN gives 0, values beyond the
 * target's range saturate.  int64 to int32 keeps the low 32 bits; to bool
 * is != 0; from bool is 0 or 1.
 */
#include "vggrt.h"

#include <math.h>
#include <string.h>

/* ---- broadcasting binary ops ------------------------------------------------------ */

typedef struct {
    int rank;
    int64_t dims[VGGRT_MAX_RANK], as[VGGRT_MAX_RANK], bs[VGGRT_MAX_RANK];
} Iter;

/* Simplifies (dims, astr, bstr) as described above; 0 when there are no
 * elements at all.  Rank 0 (a scalar) comes out as one dim of size 1. */
static int simplify(int rank, const int64_t *dims, const int64_t *astr, const int64_t *bstr,
                    Iter *it) {
    it->rank = 0;
    for (int d = 0; d < rank; d++) {
        if (dims[d] == 0)
            return 0;
        if (dims[d] == 1)
            continue;
        int r = it->rank;
        if (r > 0 && it->as[r - 1] == astr[d] * dims[d] && it->bs[r - 1] == bstr[d] * dims[d]) {
            it->dims[r - 1] *= dims[d];
            it->as[r - 1] = astr[d];
            it->bs[r - 1] = bstr[d];
            continue;
        }
        it->dims[r] = dims[d];
        it->as[r] = astr[d];
        it->bs[r] = bstr[d];
        it->rank++;
    }
    if (it->rank == 0) {
        it->rank = 1;
        it->dims[0] = 1;
        it->as[0] = it->bs[0] = 0;
    }
    return 1;
}

/* One row: y[i] = EXPR(u = a[i*sa], v = b[i*sb]) for i < n. */
#define ROW(T, EXPR)                                                                           \
    do {                                                                                       \
        if (sa == 1 && sb == 1) {                                                              \
            for (int64_t i = 0; i < n; i++) {                                                  \
                T u = a[i], v = b[i];                                                          \
                y[i] = EXPR;                                                                   \
            }                                                                                  \
        } else if (sa == 1 && sb == 0) {                                                       \
            T v = b[0];                                                                        \
            for (int64_t i = 0; i < n; i++) {                                                  \
                T u = a[i];                                                                    \
                y[i] = EXPR;                                                                   \
            }                                                                                  \
        } else if (sa == 0 && sb == 1) {                                                       \
            T u = a[0];                                                                        \
            for (int64_t i = 0; i < n; i++) {                                                  \
                T v = b[i];                                                                    \
                y[i] = EXPR;                                                                   \
            }                                                                                  \
        } else {                                                                               \
            for (int64_t i = 0; i < n; i++) {                                                  \
                T u = a[i * sa], v = b[i * sb];                                                \
                y[i] = EXPR;                                                                   \
            }                                                                                  \
        }                                                                                      \
    } while (0)

static void row_f32(int op, int64_t n, const float *a, int64_t sa, const float *b, int64_t sb,
                    float *y) {
    switch (op) {
    case VGGRT_ADD: ROW(float, u + v); break;
    case VGGRT_SUB: ROW(float, u - v); break;
    case VGGRT_MUL: ROW(float, u * v); break;
    case VGGRT_DIV: ROW(float, u / v); break;
    case VGGRT_PRELU: ROW(float, u < 0.0f ? u * v : u); break;
    }
}

static int64_t div_i64(int64_t u, int64_t v) {
    if (v == 0)
        return 0;
    if (v == -1)
        return (int64_t)(0 - (uint64_t)u);
    return u / v;
}

/* Wrapping arithmetic; the conversion back to int64_t is two's complement
 * on every compiler we build with (C23 makes it so). */
#define WRAP(expr) ((int64_t)(expr))

static void row_i64(int op, int64_t n, const int64_t *a, int64_t sa, const int64_t *b,
                    int64_t sb, int64_t *y) {
    switch (op) {
    case VGGRT_ADD: ROW(int64_t, WRAP((uint64_t)u + (uint64_t)v)); break;
    case VGGRT_SUB: ROW(int64_t, WRAP((uint64_t)u - (uint64_t)v)); break;
    case VGGRT_MUL: ROW(int64_t, WRAP((uint64_t)u * (uint64_t)v)); break;
    case VGGRT_DIV: ROW(int64_t, div_i64(u, v)); break;
    case VGGRT_PRELU: ROW(int64_t, u < 0 ? WRAP((uint64_t)u * (uint64_t)v) : u); break;
    }
}

/* Calls ROWFN for every innermost row of the simplified iteration. */
#define FOR_ROWS(ROWFN)                                                                        \
    do {                                                                                       \
        Iter it;                                                                               \
        if (!simplify(rank, dims, astr, bstr, &it))                                            \
            return;                                                                            \
        int last = it.rank - 1;                                                                \
        int64_t n = it.dims[last], rows = 1;                                                   \
        for (int d = 0; d < last; d++)                                                         \
            rows *= it.dims[d];                                                                \
        int64_t idx[VGGRT_MAX_RANK] = { 0 }, ao = 0, bo = 0;                                   \
        for (int64_t r = 0; r < rows; r++) {                                                   \
            ROWFN(op, n, a + ao, it.as[last], b + bo, it.bs[last], y + r * n);                 \
            for (int d = last - 1; d >= 0; d--) {                                              \
                ao += it.as[d];                                                                \
                bo += it.bs[d];                                                                \
                if (++idx[d] < it.dims[d])                                                     \
                    break;                                                                     \
                ao -= it.as[d] * it.dims[d];                                                   \
                bo -= it.bs[d] * it.dims[d];                                                   \
                idx[d] = 0;                                                                    \
            }                                                                                  \
        }                                                                                      \
    } while (0)

void vggrt_binary_f32(int op, int rank, const int64_t *dims, const int64_t *astr,
                      const int64_t *bstr, const float *a, const float *b, float *y) {
    FOR_ROWS(row_f32);
}

void vggrt_binary_i64(int op, int rank, const int64_t *dims, const int64_t *astr,
                      const int64_t *bstr, const int64_t *a, const int64_t *b, int64_t *y) {
    FOR_ROWS(row_i64);
}

/* ---- unary ------------------------------------------------------------------------ */

void vggrt_unary_f32(int op, size_t count, const float *x, float *y, float p0, float p1) {
    switch (op) {
    case VGGRT_RELU:
        for (size_t i = 0; i < count; i++)
            y[i] = x[i] > 0.0f ? x[i] : 0.0f;
        break;
    case VGGRT_SIGMOID:
        /* exp of a non-positive argument only: no overflow either side. */
        for (size_t i = 0; i < count; i++) {
            float v = x[i];
            if (v >= 0.0f) {
                y[i] = 1.0f / (1.0f + expf(-v));
            } else {
                float e = expf(v);
                y[i] = e / (1.0f + e);
            }
        }
        break;
    case VGGRT_LEAKY_RELU:
        for (size_t i = 0; i < count; i++)
            y[i] = x[i] < 0.0f ? p0 * x[i] : x[i];
        break;
    case VGGRT_CLIP:
        for (size_t i = 0; i < count; i++) {
            /* min first, then max: with min > max every value is max
             * (ONNX, numpy.clip); NaN stays NaN. */
            float v = x[i] < p0 ? p0 : x[i];
            y[i] = v > p1 ? p1 : v;
        }
        break;
    case VGGRT_COPY:
        if (x != y)
            memmove(y, x, count * sizeof *y);
        break;
    case VGGRT_TANH:
        for (size_t i = 0; i < count; i++)
            y[i] = tanhf(x[i]);
        break;
    case VGGRT_HARD_SIGMOID:
        /* Comparisons, not fminf/fmaxf: a NaN stays NaN. */
        for (size_t i = 0; i < count; i++) {
            float v = p0 * x[i] + p1;
            y[i] = v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
        }
        break;
    case VGGRT_HARD_SWISH:
        for (size_t i = 0; i < count; i++) {
            float v = x[i] * (1.0f / 6.0f) + 0.5f;
            y[i] = x[i] * (v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v);
        }
        break;
    }
}

void vggrt_channel_affine(int64_t outer, int64_t c, int64_t inner, const float *scale,
                          const float *shift, const float *x, float *y) {
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t ci = 0; ci < c; ci++) {
            const float *xr = x + (o * c + ci) * inner;
            float *yr = y + (o * c + ci) * inner, s = scale[ci], t = shift[ci];
            for (int64_t i = 0; i < inner; i++)
                yr[i] = xr[i] * s + t;
        }
    }
}

/* ---- cast ------------------------------------------------------------------------- */

/* Floats at or beyond these limits saturate (2^63 and 2^31 are exact). */
static int64_t f32_to_i64(float v) {
    if (v != v)
        return 0;
    if (v >= 9223372036854775808.0f)
        return INT64_MAX;
    if (v < -9223372036854775808.0f)
        return INT64_MIN;
    return (int64_t)v;
}

static int32_t f32_to_i32(float v) {
    if (v != v)
        return 0;
    if (v >= 2147483648.0f)
        return INT32_MAX;
    if (v < -2147483648.0f)
        return INT32_MIN;
    return (int32_t)v;
}

#define CAST_LOOP(TF, TT, EXPR)                                                                \
    do {                                                                                       \
        const TF *src = x;                                                                     \
        TT *dst = y;                                                                           \
        for (size_t i = 0; i < count; i++) {                                                   \
            TF v = src[i];                                                                     \
            dst[i] = EXPR;                                                                     \
        }                                                                                      \
    } while (0)

vggrt_status vggrt_cast(int from, int to, size_t count, const void *x, void *y) {
    size_t fs = vggrt_dtype_size(from), ts = vggrt_dtype_size(to);
    if (!fs || !ts)
        return VGGRT_ERR_ARG;
    if (from == to) {
        if (x != y && count)
            memmove(y, x, count * fs);
        return VGGRT_OK;
    }
    switch (from * 16 + to) {
    case VGGRT_F32 * 16 + VGGRT_I64: CAST_LOOP(float, int64_t, f32_to_i64(v)); break;
    case VGGRT_F32 * 16 + VGGRT_I32: CAST_LOOP(float, int32_t, f32_to_i32(v)); break;
    case VGGRT_F32 * 16 + VGGRT_BOOL: CAST_LOOP(float, unsigned char, v != 0.0f); break;
    case VGGRT_I64 * 16 + VGGRT_F32: CAST_LOOP(int64_t, float, (float)v); break;
    case VGGRT_I64 * 16 + VGGRT_I32: CAST_LOOP(int64_t, int32_t, (int32_t)(uint32_t)v); break;
    case VGGRT_I64 * 16 + VGGRT_BOOL: CAST_LOOP(int64_t, unsigned char, v != 0); break;
    case VGGRT_I32 * 16 + VGGRT_F32: CAST_LOOP(int32_t, float, (float)v); break;
    case VGGRT_I32 * 16 + VGGRT_I64: CAST_LOOP(int32_t, int64_t, (int64_t)v); break;
    case VGGRT_I32 * 16 + VGGRT_BOOL: CAST_LOOP(int32_t, unsigned char, v != 0); break;
    case VGGRT_BOOL * 16 + VGGRT_F32: CAST_LOOP(unsigned char, float, v != 0); break;
    case VGGRT_BOOL * 16 + VGGRT_I64: CAST_LOOP(unsigned char, int64_t, v != 0); break;
    case VGGRT_BOOL * 16 + VGGRT_I32: CAST_LOOP(unsigned char, int32_t, v != 0); break;
    default: return VGGRT_ERR_ARG;
    }
    return VGGRT_OK;
}
