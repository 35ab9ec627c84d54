/* elementwise.c — broadcasting binary ops (and PRelu), activations,
 * BatchNorm's affine map, Cast and Pow.
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
 * f32 and i64 have entry points of their own (the hot ones); vggrt_binary
 * takes the dtype and runs the same rows for f64, i32, u8 and i8, one
 * macro-expanded row function per type.
 *
 * Integer arithmetic wraps (it is done in an unsigned type: signed overflow
 * would be undefined); DIV truncates toward zero, x/0 gives 0 and MIN/-1
 * gives MIN.
 *
 * Cast follows C's conversions where they are defined.  Where C leaves
 * float-to-integer undefined, we define it: NaN gives 0, values beyond the
 * target's range saturate.  A narrower integer keeps the low bits; to bool
 * is != 0; from bool is 0 or 1.  float16 and bfloat16 are their bit
 * patterns; converting to them rounds to nearest even from the source's
 * exact value (see narrow_float), as numpy does for float16 and ONNX
 * Runtime for bfloat16.
 *
 * Pow's base and exponent may differ in type (vggrt.h says how each pair
 * computes); it runs the binary ops' rows (FOR_ROWS) with a row function
 * that reads either type.
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

/* The floored remainder (the sign of v, numpy's mod) from the truncated one. */
static float mod_f32(float u, float v) {
    float r = fmodf(u, v);
    return r != 0.0f && (r < 0.0f) != (v < 0.0f) ? r + v : r;
}

static double mod_f64(double u, double v) {
    double r = fmod(u, v);
    return r != 0.0 && (r < 0.0) != (v < 0.0) ? r + v : r;
}

static void row_f32(int op, int64_t n, const float *a, int64_t sa, const float *b, int64_t sb,
                    float *y) {
    switch (op) {
    case VGGRT_ADD: ROW(float, u + v); break;
    case VGGRT_SUB: ROW(float, u - v); break;
    case VGGRT_MUL: ROW(float, u * v); break;
    case VGGRT_DIV: ROW(float, u / v); break;
    case VGGRT_PRELU: ROW(float, u < 0.0f ? u * v : u); break;
    case VGGRT_MAX: ROW(float, u != u ? u : v != v ? v : u > v ? u : v); break;
    case VGGRT_MIN: ROW(float, u != u ? u : v != v ? v : u < v ? u : v); break;
    case VGGRT_MOD: ROW(float, mod_f32(u, v)); break;
    case VGGRT_FMOD: ROW(float, fmodf(u, v)); break;
    }
}

static int64_t div_i64(int64_t u, int64_t v) {
    if (v == 0)
        return 0;
    if (v == -1)
        return (int64_t)(0 - (uint64_t)u);
    return u / v;
}

/* Remainders: truncated (the sign of u; C's %), or floored (the sign of
 * v; Python's %).  x mod 0 gives 0, and MIN mod -1 gives 0 (C's % would
 * trap: its quotient overflows). */
static int64_t fmod_i64(int64_t u, int64_t v) {
    return v == 0 || v == -1 ? 0 : u % v;
}

static int64_t mod_i64(int64_t u, int64_t v) {
    int64_t r = fmod_i64(u, v);
    return r != 0 && (r < 0) != (v < 0) ? r + v : r;
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
    case VGGRT_MAX: ROW(int64_t, u > v ? u : v); break;
    case VGGRT_MIN: ROW(int64_t, u < v ? u : v); break;
    case VGGRT_MOD: ROW(int64_t, mod_i64(u, v)); break;
    case VGGRT_FMOD: ROW(int64_t, fmod_i64(u, v)); break;
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

static void row_f64(int op, int64_t n, const double *a, int64_t sa, const double *b, int64_t sb,
                    double *y) {
    switch (op) {
    case VGGRT_ADD: ROW(double, u + v); break;
    case VGGRT_SUB: ROW(double, u - v); break;
    case VGGRT_MUL: ROW(double, u * v); break;
    case VGGRT_DIV: ROW(double, u / v); break;
    case VGGRT_PRELU: ROW(double, u < 0.0 ? u * v : u); break;
    case VGGRT_MAX: ROW(double, u != u ? u : v != v ? v : u > v ? u : v); break;
    case VGGRT_MIN: ROW(double, u != u ? u : v != v ? v : u < v ? u : v); break;
    case VGGRT_MOD: ROW(double, mod_f64(u, v)); break;
    case VGGRT_FMOD: ROW(double, fmod(u, v)); break;
    }
}

/* Rows of the narrower integers T, computed in the unsigned type U so that
 * wrapping is defined (the conversion back to a signed T is two's
 * complement, as for int64 above).  DIV: x/0 gives 0, MIN/-1 gives MIN
 * (the wrapped negation).  No PRELU (vggrt_binary refuses it). */
#define ROW_INT(NAME, T, U)                                                                    \
    static T NAME##_div(T u, T v) {                                                            \
        if (v == 0)                                                                            \
            return 0;                                                                          \
        if ((T)-1 < 0 && v == (T)-1)                                                           \
            return (T)(U)(0u - (U)u);                                                          \
        return (T)(u / v);                                                                     \
    }                                                                                          \
    static void NAME(int op, int64_t n, const T *a, int64_t sa, const T *b, int64_t sb, T *y) { \
        switch (op) {                                                                          \
        case VGGRT_ADD: ROW(T, (T)(U)((U)u + (U)v)); break;                                    \
        case VGGRT_SUB: ROW(T, (T)(U)((U)u - (U)v)); break;                                    \
        case VGGRT_MUL: ROW(T, (T)(U)((U)u * (U)v)); break;                                    \
        case VGGRT_DIV: ROW(T, NAME##_div(u, v)); break;                                       \
        case VGGRT_MAX: ROW(T, u > v ? u : v); break;                                          \
        case VGGRT_MIN: ROW(T, u < v ? u : v); break;                                          \
        case VGGRT_MOD: ROW(T, (T)mod_i64(u, v)); break;                                       \
        case VGGRT_FMOD: ROW(T, (T)fmod_i64(u, v)); break;                                     \
        }                                                                                      \
    }

/* uint32_t, not uint8_t: a uint8_t operand would promote to int, whose
 * product can overflow; the cast to T takes the low bits either way. */
ROW_INT(row_u8, uint8_t, uint32_t)
ROW_INT(row_i8, int8_t, uint32_t)
ROW_INT(row_i32, int32_t, uint32_t)

/* One loop nest per element type, each through FOR_ROWS. */
#define BINARY_FN(NAME, T, ROWFN)                                                              \
    static void NAME(int op, int rank, const int64_t *dims, const int64_t *astr,               \
                     const int64_t *bstr, const T *a, const T *b, T *y) {                      \
        FOR_ROWS(ROWFN);                                                                       \
    }

BINARY_FN(binary_f64, double, row_f64)
BINARY_FN(binary_i32, int32_t, row_i32)
BINARY_FN(binary_u8, uint8_t, row_u8)
BINARY_FN(binary_i8, int8_t, row_i8)

vggrt_status vggrt_binary(int dtype, int op, int rank, const int64_t *dims, const int64_t *astr,
                          const int64_t *bstr, const void *a, const void *b, void *y) {
    if (op == VGGRT_PRELU && dtype != VGGRT_F32 && dtype != VGGRT_F64 && dtype != VGGRT_I64)
        return VGGRT_ERR_ARG;
    switch (dtype) {
    case VGGRT_F32: vggrt_binary_f32(op, rank, dims, astr, bstr, a, b, y); break;
    case VGGRT_F64: binary_f64(op, rank, dims, astr, bstr, a, b, y); break;
    case VGGRT_I64: vggrt_binary_i64(op, rank, dims, astr, bstr, a, b, y); break;
    case VGGRT_I32: binary_i32(op, rank, dims, astr, bstr, a, b, y); break;
    case VGGRT_U8: binary_u8(op, rank, dims, astr, bstr, a, b, y); break;
    case VGGRT_I8: binary_i8(op, rank, dims, astr, bstr, a, b, y); break;
    default: return VGGRT_ERR_ARG;
    }
    return VGGRT_OK;
}

/* ---- unary ------------------------------------------------------------------------ */

/* The functions of libm and those built on it (vggrt_unary_f32). */
#define MAP(expr)                                                                              \
    for (size_t i = 0; i < count; i++) {                                                       \
        const float v = x[i];                                                                  \
        y[i] = (expr);                                                                         \
    }
static void unary_math(int op, size_t count, const float *x, float *y, float p0, float p1) {
    switch (op) {
    case VGGRT_ABS: MAP(fabsf(v)) break;
    case VGGRT_NEG: MAP(-v) break;
    case VGGRT_EXP: MAP(expf(v)) break;
    case VGGRT_LOG: MAP(logf(v)) break;
    case VGGRT_SQRT: MAP(sqrtf(v)) break;
    case VGGRT_RECIPROCAL: MAP(1.0f / v) break;
    case VGGRT_CEIL: MAP(ceilf(v)) break;
    case VGGRT_FLOOR: MAP(floorf(v)) break;
    case VGGRT_ROUND: MAP(rintf(v)) break;  /* the default rounding: half to even */
    case VGGRT_SIGN: MAP(v > 0.0f ? 1.0f : v < 0.0f ? -1.0f : v) break;
    case VGGRT_ERF: MAP(erff(v)) break;
    case VGGRT_SIN: MAP(sinf(v)) break;
    case VGGRT_COS: MAP(cosf(v)) break;
    /* e^x - 1 as expm1f: exact near 0, where e^x rounds to about 1. */
    case VGGRT_ELU: MAP(v < 0.0f ? p0 * expm1f(v) : v) break;
    case VGGRT_SELU: MAP(p1 * (v > 0.0f ? v : p0 * expm1f(v))) break;
    /* ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|): no overflow for large x. */
    case VGGRT_SOFTPLUS: MAP((v > 0.0f ? v : 0.0f) + log1pf(expf(-fabsf(v)))) break;
    case VGGRT_SOFTSIGN: MAP(v / (1.0f + fabsf(v))) break;
    case VGGRT_THRESHOLDED_RELU: MAP(v > p0 ? v : 0.0f) break;
    default: break;
    }
}
#undef MAP

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
    default:
        unary_math(op, count, x, y, p0, p1);
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

/* ---- clip of any numeric type ------------------------------------------------------ */

/* y = min(max(x, lo), hi) in type T; the float bounds are converted once
 * (a float bound outside an integer type's range is clamped to it first,
 * so +-INFINITY means "no bound"). */
#define CLIP_AS(T, TMIN, TMAX)                                                                 \
    do {                                                                                       \
        T l, h;                                                                                \
        if (lo_t)                                                                              \
            memcpy(&l, lo_t, sizeof l);                                                        \
        else                                                                                   \
            l = lo <= (double)TMIN ? TMIN : lo >= (double)TMAX ? TMAX : (T)lo;                 \
        if (hi_t)                                                                              \
            memcpy(&h, hi_t, sizeof h);                                                        \
        else                                                                                   \
            h = hi <= (double)TMIN ? TMIN : hi >= (double)TMAX ? TMAX : (T)hi;                 \
        const T *xs = x;                                                                       \
        T *ys = y;                                                                             \
        for (size_t i = 0; i < count; i++) {                                                   \
            T v = xs[i] < l ? l : xs[i];                                                       \
            ys[i] = v > h ? h : v;                                                             \
        }                                                                                      \
    } while (0)

vggrt_status vggrt_clip(int dtype, size_t count, const void *x, void *y, const void *lo_t,
                        const void *hi_t, double lo, double hi) {
    switch (dtype) {
    case VGGRT_F32: {
        float l = (float)lo, h = (float)hi;
        if (lo_t)
            memcpy(&l, lo_t, sizeof l);
        if (hi_t)
            memcpy(&h, hi_t, sizeof h);
        vggrt_unary_f32(VGGRT_CLIP, count, x, y, l, h);
        break;
    }
    case VGGRT_F64: CLIP_AS(double, -INFINITY, INFINITY); break;
    case VGGRT_I64: CLIP_AS(int64_t, INT64_MIN, INT64_MAX); break;
    case VGGRT_I32: CLIP_AS(int32_t, INT32_MIN, INT32_MAX); break;
    case VGGRT_U8: CLIP_AS(uint8_t, 0, UINT8_MAX); break;
    case VGGRT_I8: CLIP_AS(int8_t, INT8_MIN, INT8_MAX); break;
    default: return VGGRT_ERR_ARG;
    }
    return VGGRT_OK;
}

/* ---- 16-bit floats ------------------------------------------------------------------ */

/* v rounded to nearest even into a binary float of `frac` fraction bits,
 * exponent bias `bias`, returned as its bits: f16 is (10, 15), bf16 is
 * (7, 127).  We work on the double's bits, so that a double source rounds
 * once (numpy's float64 -> float16 does the same).  The quantum is
 * 2^(max(E, 1 - bias) - frac): subnormal results are the same formula
 * with the exponent held at its minimum, and a carry out of the fraction
 * bumps the exponent (up to inf) by plain addition. */
static uint16_t narrow_float(double v, int frac, int bias) {
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    uint16_t sign = (uint16_t)(b >> 63 << (frac + (bias == 15 ? 5 : 8)));
    uint16_t inf = (uint16_t)(((1u << (bias == 15 ? 5 : 8)) - 1) << frac);
    int e = (int)(b >> 52 & 0x7ff);
    uint64_t m = b & ((UINT64_C(1) << 52) - 1);
    if (e == 0x7ff) {
        if (m == 0)
            return sign | inf;
        /* NaN: keep the payload's top bits and make sure it stays a NaN
         * (numpy's rule: quiet if the payload would be lost). */
        uint16_t q = (uint16_t)(m >> (52 - frac));
        return sign | inf | (q ? q : (uint16_t)(1u << (frac - 1)));
    }
    int E = e - 1023;
    if (E > bias)
        return sign | inf;
    int q = (E > 1 - bias ? E : 1 - bias) - frac;    /* the result's quantum: 2^q */
    int shift = 52 - E + q;                          /* bits of sig below the quantum */
    if (e == 0 || shift > 54)
        return sign;                                 /* below half the smallest subnormal */
    uint64_t sig = m | UINT64_C(1) << 52;
    uint64_t r = sig >> shift, rem = sig & ((UINT64_C(1) << shift) - 1);
    uint64_t half = UINT64_C(1) << (shift - 1);
    if (rem > half || (rem == half && (r & 1)))
        r++;
    if (E < 1 - bias)
        return sign | (uint16_t)r;                   /* subnormal (or the smallest normal) */
    uint64_t bits = ((uint64_t)(E + bias) << frac) + (r - (UINT64_C(1) << frac));
    return sign | (uint16_t)(bits >= inf ? inf : bits);
}

uint16_t vggrt_f16_from_f64(double v) { return narrow_float(v, 10, 15); }
uint16_t vggrt_bf16_from_f64(double v) { return narrow_float(v, 7, 127); }

double vggrt_f16_to_f64(uint16_t h) {
    int e = h >> 10 & 0x1f, m = h & 0x3ff;
    double v = e == 0 ? ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexp(m | 0x400, e - 25);
    return h >> 15 ? -v : v;
}

double vggrt_bf16_to_f64(uint16_t h) {
    uint32_t b = (uint32_t)h << 16;     /* bf16 is float32's top half, exactly */
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

/* ---- cast ------------------------------------------------------------------------- */

/* A double as an integer in [lo, hi]: truncated toward zero, saturating
 * beyond the range (the bounds' doubles are exact or round up to 2^63,
 * which saturates correctly), NaN gives 0. */
static int64_t f64_to_int(double v, int64_t lo, int64_t hi) {
    if (v != v)
        return 0;
    if (v <= (double)lo)
        return lo;
    if (v >= (double)hi)
        return hi;
    return (int64_t)v;
}

static int is_float_type(int t) {
    return t == VGGRT_F32 || t == VGGRT_F64 || t == VGGRT_F16 || t == VGGRT_BF16;
}

/* A cast goes through one of two exact intermediates: double for the
 * float types, int64 for the integers and bool, in chunks so the loops
 * stay simple: one to load a chunk, one to store it. */
enum { CHUNK = 256 };

#define LOAD(TF, EXPR, DST)                                                                    \
    do {                                                                                       \
        const TF *src = (const TF *)x + i0;                                                    \
        for (size_t i = 0; i < m; i++) {                                                       \
            TF v = src[i];                                                                     \
            DST[i] = EXPR;                                                                     \
        }                                                                                      \
    } while (0)

#define STORE(TT, EXPR, SRC)                                                                   \
    do {                                                                                       \
        TT *dst = (TT *)y + i0;                                                                \
        for (size_t i = 0; i < m; i++) {                                                       \
            SRC##_t v = SRC[i];                                                                \
            dst[i] = EXPR;                                                                     \
        }                                                                                      \
    } while (0)

/* In strings.c, which is not part of the kernels' bitcode: the JIT
 * resolves it in vggc (vggrt-impl.h declares it for the runtime). */
vggrt_status vggrt__cast_string(int from, int to, size_t count, const void *x, void *y);

vggrt_status vggrt_cast(int from, int to, size_t count, const void *x, void *y) {
    size_t fs = vggrt_dtype_size(from), ts = vggrt_dtype_size(to);
    if (!fs || !ts)
        return VGGRT_ERR_ARG;
    if (from == to) {
        if (x != y && count)
            memmove(y, x, count * fs);
        return VGGRT_OK;
    }
    if (from == VGGRT_STRING || to == VGGRT_STRING)
        return vggrt__cast_string(from, to, count, x, y);
    typedef double d_t;     /* STORE's element types of d and k */
    typedef int64_t k_t;
    double d[CHUNK];
    int64_t k[CHUNK];
    int fl = is_float_type(from);
    for (size_t i0 = 0; i0 < count; i0 += CHUNK) {
        size_t m = count - i0 < CHUNK ? count - i0 : CHUNK;
        switch (from) {
        case VGGRT_F32: LOAD(float, (double)v, d); break;
        case VGGRT_F64: LOAD(double, v, d); break;
        case VGGRT_F16: LOAD(uint16_t, vggrt_f16_to_f64(v), d); break;
        case VGGRT_BF16: LOAD(uint16_t, vggrt_bf16_to_f64(v), d); break;
        case VGGRT_I64: LOAD(int64_t, v, k); break;
        case VGGRT_I32: LOAD(int32_t, v, k); break;
        case VGGRT_U8: LOAD(uint8_t, v, k); break;
        case VGGRT_I8: LOAD(int8_t, v, k); break;
        case VGGRT_BOOL: LOAD(uint8_t, v != 0, k); break;
        }
        if (fl) {
            switch (to) {
            case VGGRT_F32: STORE(float, (float)v, d); break;
            case VGGRT_F64: STORE(double, v, d); break;
            case VGGRT_F16: STORE(uint16_t, vggrt_f16_from_f64(v), d); break;
            case VGGRT_BF16: STORE(uint16_t, vggrt_bf16_from_f64(v), d); break;
            case VGGRT_I64: STORE(int64_t, f64_to_int(v, INT64_MIN, INT64_MAX), d); break;
            case VGGRT_I32: STORE(int32_t, (int32_t)f64_to_int(v, INT32_MIN, INT32_MAX), d); break;
            case VGGRT_U8: STORE(uint8_t, (uint8_t)f64_to_int(v, 0, UINT8_MAX), d); break;
            case VGGRT_I8: STORE(int8_t, (int8_t)f64_to_int(v, INT8_MIN, INT8_MAX), d); break;
            case VGGRT_BOOL: STORE(uint8_t, v != 0.0, d); break;
            }
        } else {
            /* Narrower integers keep the low bits (two's complement, as
             * the binary ops assume). */
            switch (to) {
            case VGGRT_F32: STORE(float, (float)v, k); break;
            case VGGRT_F64: STORE(double, (double)v, k); break;
            case VGGRT_F16: STORE(uint16_t, vggrt_f16_from_f64((double)v), k); break;
            case VGGRT_BF16: STORE(uint16_t, vggrt_bf16_from_f64((double)v), k); break;
            case VGGRT_I64: STORE(int64_t, v, k); break;
            case VGGRT_I32: STORE(int32_t, (int32_t)(uint32_t)v, k); break;
            case VGGRT_U8: STORE(uint8_t, (uint8_t)v, k); break;
            case VGGRT_I8: STORE(int8_t, (int8_t)(uint8_t)v, k); break;
            case VGGRT_BOOL: STORE(uint8_t, v != 0, k); break;
            }
        }
    }
    return VGGRT_OK;
}

/* ---- pow -------------------------------------------------------------------------- */

static int pow_type(int t) {
    return t == VGGRT_F32 || t == VGGRT_F64 || t == VGGRT_I32 || t == VGGRT_I64;
}

/* Element i of an array of one of pow_type's types, as a double (int64
 * beyond 2^53 rounds: only the mixed integer-float Pow reads it so). */
static double pow_load(int t, const void *p, int64_t i) {
    switch (t) {
    case VGGRT_F32: return ((const float *)p)[i];
    case VGGRT_F64: return ((const double *)p)[i];
    case VGGRT_I32: return ((const int32_t *)p)[i];
    default: return (double)((const int64_t *)p)[i];
    }
}

static int64_t pow_load_int(int t, const void *p, int64_t i) {
    return t == VGGRT_I32 ? ((const int32_t *)p)[i] : ((const int64_t *)p)[i];
}

/* x^e of integers, wrapping as the binary ops do (square and multiply in
 * uint64_t; an int32 result keeps the low bits).  A negative exponent
 * gives the real result truncated toward zero: 1 for x = 1, +-1 for
 * x = -1, 0 otherwise (0 for 0^-e too). */
static int64_t pow_int(int64_t x, int64_t e) {
    if (e < 0)
        return x == 1 ? 1 : x == -1 ? (e % 2 ? -1 : 1) : 0;
    uint64_t r = 1, b = (uint64_t)x;
    for (uint64_t k = (uint64_t)e; k; k >>= 1) {
        if (k & 1)
            r *= b;
        b *= b;
    }
    return (int64_t)r;
}

/* Element i of y (type t, the base's) from the double r: float types
 * round, integers truncate and saturate as Cast does (NaN gives 0). */
static void pow_store(int t, void *p, int64_t i, double r) {
    switch (t) {
    case VGGRT_F32: ((float *)p)[i] = (float)r; break;
    case VGGRT_F64: ((double *)p)[i] = r; break;
    case VGGRT_I32: ((int32_t *)p)[i] = (int32_t)f64_to_int(r, INT32_MIN, INT32_MAX); break;
    default: ((int64_t *)p)[i] = f64_to_int(r, INT64_MIN, INT64_MAX); break;
    }
}

/* One row of n results: y[i] = x[i*sx] ^ e[i*se] (element offsets). */
static void pow_row(int xt, const void *x, int64_t xo, int64_t sx, int et, const void *e,
                    int64_t eo, int64_t se, void *y, int64_t yo, int64_t n) {
    if (xt == VGGRT_F32 && et == VGGRT_F32) {
        const float *a = (const float *)x + xo, *b = (const float *)e + eo;
        float *o = (float *)y + yo;
        for (int64_t i = 0; i < n; i++)
            o[i] = powf(a[i * sx], b[i * se]);
    } else if (!is_float_type(xt) && !is_float_type(et)) {
        for (int64_t i = 0; i < n; i++) {
            int64_t r = pow_int(pow_load_int(xt, x, xo + i * sx), pow_load_int(et, e, eo + i * se));
            if (xt == VGGRT_I32)
                ((int32_t *)y)[yo + i] = (int32_t)(uint32_t)(uint64_t)r;
            else
                ((int64_t *)y)[yo + i] = r;
        }
    } else {
        for (int64_t i = 0; i < n; i++) {
            double u = pow_load(xt, x, xo + i * sx), v = pow_load(et, e, eo + i * se);
            pow_store(xt, y, yo + i, pow(u, v));
        }
    }
}

/* Every row of Pow through FOR_ROWS, which adds element offsets to a, b
 * and y: here they are 0, and POW_ROW takes the offsets to the arrays. */
static void pow_rows(int xtype, int etype, int rank, const int64_t *dims, const int64_t *astr,
                     const int64_t *bstr, const void *x, const void *e, void *out) {
    const int op = 0;
    const int64_t a = 0, b = 0, y = 0;
#define POW_ROW(op_, n_, xo, sx, eo, se, yo)                                                   \
    ((void)(op_), pow_row(xtype, x, xo, sx, etype, e, eo, se, out, yo, n_))
    FOR_ROWS(POW_ROW);
#undef POW_ROW
}

vggrt_status vggrt_pow(int xtype, int etype, int rank, const int64_t *dims, const int64_t *xstr,
                       const int64_t *estr, const void *x, const void *e, void *y) {
    if (!pow_type(xtype) || !pow_type(etype))
        return VGGRT_ERR_ARG;
    pow_rows(xtype, etype, rank, dims, xstr, estr, x, e, y);
    return VGGRT_OK;
}
