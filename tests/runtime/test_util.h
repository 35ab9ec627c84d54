/* test_util.h — the harness the libvggrt unit tests share: named cases
 * that count as passed or failed, the float comparison with the tolerance
 * these tests state (|got - want| <= rel * mag + 1e-6, mag the sum of
 * |terms| of the exact result; see test_kernels.c for why) and the bit for
 * bit one, shapes spelled for case names, a reproducible random generator
 * and buffers filled from it, and the small reference helpers several
 * tests need (activations, pool output sizes, channel blocks, constant
 * Pad's source index).
 *
 * Header-only (static inline), so that each test stays one executable built
 * from one file.  A test defines TEST_NAME (its program name, for
 * messages) before including it.  The generator starts from the same seed
 * in every test; test_seed() gives a test its own sequence.
 *
 * Use: begin_case("what, with all its parameters"), checks that call
 * fail() (only the first failure of a case is printed), end_case(); at the
 * end print "passed, failed" and exit 1 if any case failed.
 */
#ifndef VGGC_TEST_UTIL_H
#define VGGC_TEST_UTIL_H

#include "vggrt.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TEST_NAME
#error "define TEST_NAME (the test's program name) before including test_util.h"
#endif

/* ---- cases ------------------------------------------------------------------------ */

static int passed, failed, case_failed;
static char case_name[512];

static inline void begin_case(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void begin_case(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(case_name, sizeof case_name, fmt, ap);
    va_end(ap);
    case_failed = 0;
}

static inline void end_case(void) {
    if (case_failed)
        failed++;
    else
        passed++;
}

static inline void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void fail(const char *fmt, ...) {
    va_list ap;
    if (case_failed++)
        return; /* the first difference of a case is enough */
    printf("FAIL %s: ", case_name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

/* Float outputs against an exact reference and the magnitude of its terms
 * (|want| where mag is NULL), relative tolerance rel. */
static inline void check_f32_rel(const char *what, const float *got, const double *want,
                                 const double *mag, size_t n, double rel) {
    for (size_t i = 0; i < n; i++) {
        double tol = rel * (mag ? mag[i] : fabs(want[i])) + 1e-6;
        double g = got[i], w = want[i];
        int ok = isnan(w) ? isnan(g) : isinf(w) ? g == w : fabs(g - w) <= tol;
        if (!ok) {
            fail("%s[%zu] = %.9g, want %.9g (tol %.2g)", what, i, g, w, tol);
            return;
        }
    }
}

/* check_f32_rel with the tests' usual 1e-5. */
static inline void check_f32(const char *what, const float *got, const double *want,
                             const double *mag, size_t n) {
    check_f32_rel(what, got, want, mag, n, 1e-5);
}

/* Outputs that must equal the reference bit for bit, n elements of elsize
 * bytes (kernels that only move data). */
static inline void check_bytes(const char *what, const void *got, const void *want, size_t elsize,
                               size_t n) {
    const unsigned char *g = got, *w = want;
    for (size_t i = 0; i < n; i++)
        if (memcmp(g + i * elsize, w + i * elsize, elsize) != 0) {
            unsigned long long gv = 0, wv = 0;
            memcpy(&gv, g + i * elsize, elsize < 8 ? elsize : 8);
            memcpy(&wv, w + i * elsize, elsize < 8 ? elsize : 8);
            fail("%s[%zu] = 0x%llx, want 0x%llx (element of %zu bytes)", what, i, gv, wv, elsize);
            return;
        }
}

/* "[2,3,4]": rank values, for case names (cut short when cap is small). */
static inline const char *shape_str(int rank, const int64_t *v, char *buf, size_t cap) {
    size_t len = (size_t)snprintf(buf, cap, "[");
    for (int d = 0; d < rank && len < cap; d++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%lld", d ? "," : "", (long long)v[d]);
    if (len < cap)
        snprintf(buf + len, cap - len, "]");
    return buf;
}

/* ---- data ------------------------------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static inline void test_seed(uint64_t seed) {
    rng_state = seed;
}

/* xorshift64: the same sequence on every platform. */
static inline uint64_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Uniform in [lo, hi). */
static inline float frand(float lo, float hi) {
    return lo + (hi - lo) * (float)(rng() >> 40) / (float)(1u << 24);
}

static inline void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, TEST_NAME ": out of memory\n");
        exit(2);
    }
    return p;
}

static inline float *rand_f32(size_t n, float lo, float hi) {
    float *p = xmalloc(n * sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i] = frand(lo, hi);
    return p;
}

/* NaN everywhere, so that an element a kernel skips fails. */
static inline float *nan_f32(size_t n) {
    float *p = xmalloc(n * sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i] = NAN;
    return p;
}

static inline double *zeros_f64(size_t n) {
    double *p = xmalloc(n * sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i] = 0.0;
    return p;
}

/* ---- reference helpers ------------------------------------------------------------ */

/* Blocks of VGGRT_BLOCK channels that hold c channels. */
static inline int64_t cblocks(int64_t c) {
    return (c + VGGRT_BLOCK - 1) / VGGRT_BLOCK;
}

static const char *const act_names[] = { "none", "relu", "clip", "leaky_relu", "sigmoid" };

/* A fused activation (VGGRT_ACT_*) in double, from its ONNX definition. */
static inline double act_ref(int act, double v, double alpha, double beta) {
    switch (act) {
    case VGGRT_ACT_RELU: return v > 0 ? v : 0;
    case VGGRT_ACT_CLIP: return v < alpha ? alpha : v > beta ? beta : v;
    case VGGRT_ACT_LEAKY_RELU: return v < 0 ? alpha * v : v;
    case VGGRT_ACT_SIGMOID: return 1.0 / (1.0 + exp(-v));
    default: return v;
    }
}

/* Where element o of a constant-mode Pad's output comes from (ONNX: y[o] =
 * x[o - begin] where that lies inside x, else the pad value): x's flat
 * index, or -1 in the padding.  Row-major; out[d] = begin[d] + in[d] +
 * end[d], a negative begin or end cropping. */
static inline int64_t pad_source(int rank, const int64_t *in, const int64_t *begin,
                                 const int64_t *out, int64_t o) {
    int64_t src = 0, stride = 1;
    for (int d = rank - 1; d >= 0; d--) {
        int64_t s = o % out[d] - begin[d];
        o /= out[d];
        if (s < 0 || s >= in[d])
            return -1;
        src += s * stride;
        stride *= in[d];
    }
    return src;
}

typedef struct {
    int64_t n, c, h, w, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw;
    int ceil_mode; /* 0 floor, 1 ceil as ONNX Runtime, 2 ceil without the last-window fix */
} PoolCase;

/* Output size of a pool along one dim (ONNX's formula). */
static inline int64_t pool_out(int64_t in, int64_t k, int64_t s, int64_t p0, int64_t p1,
                               int64_t d, int ceil_mode) {
    int64_t num = in + p0 + p1 - d * (k - 1) - 1;
    int64_t o = (ceil_mode ? (num + s - 1) / s : num / s) + 1;
    if (ceil_mode == 1 && (o - 1) * s >= in + p0)
        o--; /* the last window must start inside the input or its left padding */
    return o;
}

#endif
