/* test_kernels.c — every libvggrt kernel against a naive reference.
 *
 * Each reference below is written from the operator's definition, with
 * direct loops over output coordinates, in double, and shares no code with
 * the kernel it checks (no im2col, no dim merging, no BLAS).  Shapes are
 * chosen to be awkward: 1x1 kernels (the no-im2col path) and 1x1 with
 * stride or padding (not that path), channel counts that are not multiples
 * of 16 (3, 5, 17), asymmetric padding on every side, strides and dilation
 * of 2, groups 2 and depthwise, batch 1 and 3, pools whose ceil-mode
 * windows overhang the padded input, broadcasting with 0 strides in every
 * position, transposes of every permutation of rank 1 to 5.
 *
 * Outputs are filled with NaN before each call, so a kernel that skips an
 * element fails.  Work buffers are allocated at exactly the size the kernel
 * asks for, so under AddressSanitizer an overrun is caught.
 *
 * Tolerance.  A float sum of n terms computed in any order is within
 * n * u * sum|term_i| of the exact sum (u = 2^-24 ~ 6e-8, the unit
 * roundoff; Higham, "Accuracy and Stability of Numerical Algorithms",
 * 3.1).  Our largest reduction (a 17-channel 3x3 convolution, 153 terms)
 * gives 153 * 6e-8 ~ 9e-6 in the worst case, so we allow
 *     |got - want| <= 1e-5 * mag + 1e-6
 * where want is the exact (double) result and mag the sum of the absolute
 * values of the terms that made it (|want| for ops that are not sums).
 * Measuring relative error against mag rather than |want| matters: a sum
 * that cancels to nearly 0 is still computed to within u * mag, never to
 * within u * |want|.  The absolute 1e-6 covers results near 0 whose terms
 * were tiny anyway (exp of large negatives in softmax, for instance).
 * Gemm sums K products and then adds beta*C: its bound is (K + 2) * u,
 * which for the long dot products below (K = 4099, as long as a VGG-16
 * dense layer's 4096) is 2.4e-4, so gemm uses max(1e-5, (K + 2) * u).
 * Kernels that only move data are compared bit for bit, and so are results
 * on 1, 2 and 3 threads: every kernel gives each output to one task, with
 * a summation order that does not depend on the split.
 *
 * On failure a line names the case with all its parameters, the first
 * index that differs, and both values; the program ends with
 * "N passed, N failed" and exits 1 if any case failed.
 */
#define TEST_NAME "test_kernels"
#include "test_util.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- checks beyond test_util.h's -------------------------------------------------- */

static void check_i64(const char *what, const int64_t *got, const int64_t *want, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (got[i] != want[i]) {
            fail("%s[%zu] = %" PRId64 ", want %" PRId64, what, i, got[i], want[i]);
            return;
        }
}

static void check_status(const char *what, vggrt_status got, vggrt_status want) {
    if (got != want)
        fail("%s returned %d (%s), want %d (%s)", what, (int)got, vggrt_status_str(got), (int)want,
             vggrt_status_str(want));
}

/* ---- convolution ------------------------------------------------------------------ */

typedef struct {
    int64_t n, c, h, w, k, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, group;
    int act, bias;
} ConvCase;

static void test_conv(const ConvCase *t) {
    vggrt_conv_params p = { 0 };
    p.c = t->c, p.h = t->h, p.w = t->w, p.k = t->k, p.kh = t->kh, p.kw = t->kw;
    p.sh = t->sh, p.sw = t->sw, p.pt = t->pt, p.pl = t->pl, p.dh = t->dh, p.dw = t->dw;
    p.group = t->group, p.act = t->act;
    p.oh = (t->h + t->pt + t->pb - t->dh * (t->kh - 1) - 1) / t->sh + 1;
    p.ow = (t->w + t->pl + t->pr - t->dw * (t->kw - 1) - 1) / t->sw + 1;
    begin_case("conv2d n=%lld c=%lld h=%lld w=%lld k=%lld kernel=%lldx%lld stride=%lldx%lld "
               "pads(t,l,b,r)=%lld,%lld,%lld,%lld dilation=%lldx%lld group=%lld%s%s",
               (long long)t->n, (long long)t->c, (long long)t->h, (long long)t->w,
               (long long)t->k, (long long)t->kh, (long long)t->kw, (long long)t->sh,
               (long long)t->sw, (long long)t->pt, (long long)t->pl, (long long)t->pb,
               (long long)t->pr, (long long)t->dh, (long long)t->dw, (long long)t->group,
               t->bias ? " bias" : "", t->act == VGGRT_ACT_RELU ? " relu" : "");
    const int64_t cg = t->c / t->group, kg = t->k / t->group;
    size_t nx = (size_t)(t->n * t->c * t->h * t->w), nw = (size_t)(t->k * cg * t->kh * t->kw);
    size_t ny = (size_t)(t->n * t->k * p.oh * p.ow);
    float *x = rand_f32(nx, -1, 1), *w = rand_f32(nw, -1, 1), *b = rand_f32((size_t)t->k, -1, 1);
    float *y = nan_f32(ny);
    double *want = zeros_f64(ny), *mag = zeros_f64(ny);
    size_t nwork = vggrt_conv2d_work_size(&p);
    float *work = nwork ? xmalloc(nwork * sizeof *work) : NULL;

    for (int64_t bi = 0; bi < t->n; bi++)
        for (int64_t k = 0; k < t->k; k++)
            for (int64_t oy = 0; oy < p.oh; oy++)
                for (int64_t ox = 0; ox < p.ow; ox++) {
                    int64_t g = k / kg;
                    double acc = t->bias ? b[k] : 0.0, m = t->bias ? fabs(b[k]) : 0.0;
                    for (int64_t ci = 0; ci < cg; ci++)
                        for (int64_t i = 0; i < t->kh; i++)
                            for (int64_t j = 0; j < t->kw; j++) {
                                int64_t iy = oy * t->sh - t->pt + i * t->dh;
                                int64_t ix = ox * t->sw - t->pl + j * t->dw;
                                if (iy < 0 || iy >= t->h || ix < 0 || ix >= t->w)
                                    continue;
                                double term =
                                    (double)x[((bi * t->c + g * cg + ci) * t->h + iy) * t->w + ix] *
                                    w[((k * cg + ci) * t->kh + i) * t->kw + j];
                                acc += term;
                                m += fabs(term);
                            }
                    if (t->act == VGGRT_ACT_RELU && acc < 0)
                        acc = 0;
                    size_t o = (size_t)(((bi * t->k + k) * p.oh + oy) * p.ow + ox);
                    want[o] = acc;
                    mag[o] = m;
                }
    vggrt_conv2d(&p, t->n, x, w, t->bias ? b : NULL, y, work);
    check_f32("y", y, want, mag, ny);
    end_case();
    free(x), free(w), free(b), free(y), free(want), free(mag), free(work);
}

static void test_convs(void) {
    enum { N = VGGRT_ACT_NONE, R = VGGRT_ACT_RELU };
    static const ConvCase cases[] = {
        /* n  c   h   w   k  kh kw sh sw pt pl pb pr dh dw grp act bias */
        { 1, 3, 5, 7, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, N, 0 },   /* 1x1: no im2col */
        { 3, 17, 4, 6, 16, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, R, 1 }, /* 1x1 batch 3 */
        { 3, 6, 5, 3, 4, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 2, R, 1 },   /* 1x1 groups 2 */
        { 1, 5, 7, 9, 3, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, N, 1 },   /* 1x1 stride 2 */
        { 1, 5, 4, 5, 3, 1, 1, 1, 1, 1, 0, 0, 2, 1, 1, 1, N, 1 },   /* 1x1 padded */
        { 1, 3, 8, 8, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, R, 1 },   /* VGG's 3x3 */
        { 3, 5, 9, 11, 17, 3, 3, 2, 2, 0, 2, 1, 0, 1, 1, 1, R, 1 }, /* asymmetric, stride 2 */
        { 1, 4, 10, 9, 6, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1, N, 1 },  /* dilation 2 */
        { 1, 3, 9, 8, 4, 3, 2, 1, 2, 1, 0, 2, 1, 2, 1, 1, R, 0 },   /* mixed stride, dilation */
        { 3, 6, 7, 7, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, R, 1 },  /* groups 2 */
        { 3, 5, 6, 7, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 5, R, 1 },   /* depthwise */
        { 1, 3, 6, 5, 6, 3, 3, 2, 1, 1, 1, 0, 1, 1, 1, 3, N, 1 },   /* depthwise, multiplier 2 */
        { 1, 3, 11, 10, 4, 5, 5, 3, 3, 2, 1, 0, 2, 1, 1, 1, N, 1 }, /* 5x5 stride 3 */
        { 3, 4, 1, 20, 3, 1, 3, 1, 1, 0, 1, 0, 1, 1, 1, 1, R, 1 },  /* 1-D as h = 1 */
        { 1, 3, 2, 2, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, N, 1 },   /* kernel covers the input */
        { 1, 2, 3, 3, 3, 3, 3, 1, 1, 3, 3, 3, 3, 1, 1, 1, N, 1 },   /* rows of pure padding */
        { 1, 17, 14, 14, 33, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, R, 1 }, /* 153-term sums */
        { 3, 5, 12, 13, 7, 2, 2, 2, 2, 0, 0, 1, 1, 1, 1, 1, N, 0 }, /* even kernel, no bias */
        { 1, 4, 7, 8, 4, 3, 3, 2, 2, 1, 1, -1, 0, 1, 1, 2, R, 1 },  /* floor drops a row */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        test_conv(&cases[i]);
}

/* ---- pooling ---------------------------------------------------------------------- */

static void test_pool(const PoolCase *t, int avg, int cip) {
    vggrt_pool_params p = { 0 };
    p.c = t->c, p.h = t->h, p.w = t->w, p.kh = t->kh, p.kw = t->kw, p.sh = t->sh, p.sw = t->sw;
    p.pt = t->pt, p.pl = t->pl, p.pb = t->pb, p.pr = t->pr, p.dh = t->dh, p.dw = t->dw;
    p.count_include_pad = cip;
    p.oh = pool_out(t->h, t->kh, t->sh, t->pt, t->pb, t->dh, t->ceil_mode);
    p.ow = pool_out(t->w, t->kw, t->sw, t->pl, t->pr, t->dw, t->ceil_mode);
    begin_case("%s n=%lld c=%lld h=%lld w=%lld kernel=%lldx%lld stride=%lldx%lld "
               "pads(t,l,b,r)=%lld,%lld,%lld,%lld dilation=%lldx%lld ceil_mode=%d -> %lldx%lld",
               avg ? (cip ? "avgpool2d count_include_pad=1" : "avgpool2d count_include_pad=0")
                   : "maxpool2d",
               (long long)t->n, (long long)t->c, (long long)t->h, (long long)t->w,
               (long long)t->kh, (long long)t->kw, (long long)t->sh, (long long)t->sw,
               (long long)t->pt, (long long)t->pl, (long long)t->pb, (long long)t->pr,
               (long long)t->dh, (long long)t->dw, t->ceil_mode, (long long)p.oh, (long long)p.ow);
    size_t nx = (size_t)(t->n * t->c * t->h * t->w), ny = (size_t)(t->n * t->c * p.oh * p.ow);
    float *x = rand_f32(nx, -1, 1), *y = nan_f32(ny);
    double *want = zeros_f64(ny), *mag = zeros_f64(ny);
    for (int64_t pl = 0; pl < t->n * t->c; pl++)
        for (int64_t oy = 0; oy < p.oh; oy++)
            for (int64_t ox = 0; ox < p.ow; ox++) {
                double mx = -FLT_MAX, sum = 0, asum = 0;
                int64_t in_input = 0, in_padded = 0;
                for (int64_t i = 0; i < t->kh; i++)
                    for (int64_t j = 0; j < t->kw; j++) {
                        int64_t iy = oy * t->sh - t->pt + i * t->dh;
                        int64_t ix = ox * t->sw - t->pl + j * t->dw;
                        if (iy >= -t->pt && iy < t->h + t->pb && ix >= -t->pl && ix < t->w + t->pr)
                            in_padded++;
                        if (iy < 0 || iy >= t->h || ix < 0 || ix >= t->w)
                            continue;
                        double v = x[(pl * t->h + iy) * t->w + ix];
                        in_input++;
                        sum += v;
                        asum += fabs(v);
                        if (v > mx)
                            mx = v;
                    }
                int64_t cnt = cip ? in_padded : in_input;
                size_t o = (size_t)((pl * p.oh + oy) * p.ow + ox);
                want[o] = !avg ? mx : cnt ? sum / (double)cnt : 0.0;
                mag[o] = !avg ? fabs(mx) : cnt ? asum / (double)cnt : 0.0;
            }
    if (avg)
        vggrt_avgpool2d(&p, t->n, x, y);
    else
        vggrt_maxpool2d(&p, t->n, x, y);
    check_f32("y", y, want, mag, ny);
    end_case();
    free(x), free(y), free(want), free(mag);
}

static void test_pools(void) {
    static const PoolCase cases[] = {
        /* n  c  h   w  kh kw sh sw pt pl pb pr dh dw ceil */
        { 1, 3, 8, 8, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 0 },    /* VGG's 2x2 */
        { 3, 5, 7, 9, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1 },    /* ceil: last window overhangs */
        { 1, 17, 7, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1 },   /* ceil with padding */
        { 3, 3, 9, 10, 3, 2, 2, 3, 1, 0, 2, 1, 1, 1, 1 },   /* asymmetric everything */
        { 1, 5, 11, 9, 3, 3, 2, 2, 2, 1, 0, 2, 2, 2, 0 },   /* dilation 2 */
        { 1, 2, 10, 11, 3, 3, 3, 2, 1, 2, 1, 0, 2, 1, 1 },  /* dilation, ceil */
        { 1, 3, 7, 7, 7, 7, 1, 1, 0, 0, 0, 0, 1, 1, 0 },    /* global */
        { 3, 4, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0 },    /* stride 1, same padding */
        { 1, 3, 6, 6, 2, 2, 3, 3, 0, 0, 1, 1, 1, 1, 0 },    /* stride past kernel */
        { 1, 2, 5, 5, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 2 },    /* ceil_mode without the fix */
        { 1, 2, 5, 4, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 2 },    /* a window all in the padding */
        { 1, 2, 5, 5, 1, 1, 3, 3, 0, 0, 0, 0, 1, 1, 2 },    /* a window past the input */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        test_pool(&cases[i], 0, 0);
        test_pool(&cases[i], 1, 0);
        test_pool(&cases[i], 1, 1);
    }
}

/* ---- gemm and matmul -------------------------------------------------------------- */

enum { C_NONE, C_FULL, C_ROW, C_COL, C_SCALAR, C_TRANSPOSED, C_INPLACE };
static const char *const c_kind_names[] = { "none", "full", "row", "col", "scalar",
                                            "transposed", "in place" };

/* vggrt_gemm, or with packed (ta = 0) vggrt_gemm_packed on B packed by
 * vggrt_gemm_pack (then pad widens A's rows only). */
static void gemm_case(int packed, int ta, int tb, int64_t M, int64_t N, int64_t K, float alpha,
                      float beta, int ckind, int64_t pad) {
    begin_case("gemm%s trans_a=%d trans_b=%d M=%lld N=%lld K=%lld alpha=%g beta=%g C=%s ld+%lld",
               packed ? " packed" : "", ta, tb, (long long)M, (long long)N, (long long)K, alpha,
               beta, c_kind_names[ckind], (long long)pad);
    int64_t lda = (ta ? M : K) + pad, ldb = (tb ? K : N) + (packed ? 0 : pad);
    int64_t arows = ta ? K : M, brows = tb ? N : K;
    float *A = rand_f32((size_t)(arows * lda), -1, 1), *B = rand_f32((size_t)(brows * ldb), -1, 1);
    float *Bp = NULL;
    if (packed) {
        Bp = nan_f32(vggrt_gemm_packed_size(N, K));
        vggrt_gemm_pack(tb, N, K, B, Bp);
    }
    float *C = rand_f32((size_t)(M * N + 1), -1, 1), *Y = nan_f32((size_t)(M * N + 1));
    float *Y1 = nan_f32((size_t)(M * N + 1));
    int64_t crs = 0, ccs = 0;
    switch (ckind) {
    case C_FULL: crs = N, ccs = 1; break;
    case C_ROW: crs = 0, ccs = 1; break;
    case C_COL: crs = 1, ccs = 0; break;
    case C_SCALAR: crs = 0, ccs = 0; break;
    case C_TRANSPOSED: crs = 1, ccs = M; break;
    case C_INPLACE: crs = N, ccs = 1; break;
    }
    double *want = zeros_f64((size_t)(M * N)), *mag = zeros_f64((size_t)(M * N));
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) {
            double acc = 0, m = 0;
            for (int64_t k = 0; k < K; k++) {
                double a = ta ? A[k * lda + i] : A[i * lda + k];
                double b = tb ? B[j * ldb + k] : B[k * ldb + j];
                acc += a * b;
                m += fabs(a * b);
            }
            acc *= alpha;
            m *= fabs(alpha);
            if (ckind != C_NONE) {
                double c = (double)beta * C[i * crs + j * ccs];
                acc += c;
                m += fabs(c);
            }
            want[i * N + j] = acc;
            mag[i * N + j] = m;
        }
    const double u = 0x1p-24, rel = (double)(K + 2) * u > 1e-5 ? (double)(K + 2) * u : 1e-5;
    /* On 1, 2 and 3 threads: each result against the reference, and the
     * later ones bit for bit against the first. */
    for (int threads = 1; threads <= 3 && !case_failed; threads++) {
        float *y = threads == 1 ? Y1 : Y;
        if (ckind == C_INPLACE)
            memcpy(y, C, (size_t)(M * N) * sizeof *y);
        else if (threads > 1)
            for (int64_t i = 0; i < M * N; i++)
                y[i] = NAN;
        vggrt_set_num_threads(threads);
        const float *c = ckind == C_NONE ? NULL : ckind == C_INPLACE ? y : C;
        if (packed)
            vggrt_gemm_packed(M, N, K, alpha, A, lda, Bp, beta, c, crs, ccs, y);
        else
            vggrt_gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, c, crs, ccs, y);
        check_f32_rel("Y", y, want, mag, (size_t)(M * N), rel);
        if (threads > 1)
            check_bytes("Y (vs 1 thread)", y, Y1, sizeof *y, (size_t)(M * N));
        if (!isnan(y[M * N]))
            fail("Y[%lld] past the end was written", (long long)(M * N));
    }
    /* Packed, a row's result does not depend on the rows beside it: the
     * last row alone (a batch of 1) gives the same bytes. */
    if (packed && M > 1 && ckind != C_INPLACE && ckind != C_TRANSPOSED && !case_failed) {
        const int64_t i = M - 1;
        vggrt_gemm_packed(1, N, K, alpha, A + i * lda, lda, Bp, beta,
                          ckind == C_NONE ? NULL : C + i * crs, crs, ccs, Y);
        check_bytes("Y's last row (alone)", Y, Y1 + i * N, sizeof *Y, (size_t)N);
    }
    vggrt_set_num_threads(0);
    end_case();
    free(A), free(B), free(Bp), free(C), free(Y), free(Y1), free(want), free(mag);
}

static void test_gemm(int ta, int tb, int64_t M, int64_t N, int64_t K, float alpha, float beta,
                      int ckind, int64_t pad) {
    gemm_case(0, ta, tb, M, N, K, alpha, beta, ckind, pad);
}

static void test_gemm_packed(int tb, int64_t M, int64_t N, int64_t K, float alpha, float beta,
                             int ckind, int64_t pad) {
    gemm_case(1, 0, tb, M, N, K, alpha, beta, ckind, pad);
}

/* vggrt_gemm_pack_in_place gives vggrt_gemm_pack's bytes; other N refused. */
static void test_gemm_pack_in_place(int tb, int64_t N, int64_t K) {
    begin_case("gemm pack in place trans_b=%d N=%lld K=%lld", tb, (long long)N, (long long)K);
    float *B = rand_f32((size_t)(N * K), -1, 1), *Bp = nan_f32(vggrt_gemm_packed_size(N, K));
    vggrt_gemm_pack(tb, N, K, B, Bp);
    vggrt_status st = vggrt_gemm_pack_in_place(tb, N, K, B);
    if (N % 16 == 0) {
        if (st != VGGRT_OK)
            fail("status %d", (int)st);
        else
            check_bytes("B packed in place", B, Bp, sizeof *B, (size_t)(N * K));
    } else if (st != VGGRT_ERR_ARG) {
        fail("N = %lld: status %d, want VGGRT_ERR_ARG", (long long)N, (int)st);
    }
    end_case();
    free(B), free(Bp);
}

static void test_gemms(void) {
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++)
            for (int ck = C_NONE; ck <= C_INPLACE; ck++) {
                test_gemm(ta, tb, 7, 5, 17, 1.0f, 1.0f, ck, 0);
                test_gemm(ta, tb, 3, 33, 5, 0.5f, -2.0f, ck, 3);
            }
    test_gemm(0, 1, 1, 10, 150, 1.0f, 1.0f, C_ROW, 0); /* a dense layer, batch 1 */
    test_gemm(0, 1, 3, 10, 150, 1.0f, 1.0f, C_ROW, 0); /* batch 3 */
    test_gemm(0, 0, 4, 6, 1, 1.0f, 1.0f, C_FULL, 0);   /* K = 1 */
    test_gemm(0, 0, 4, 6, 0, 1.0f, 0.5f, C_COL, 0);    /* K = 0: beta * C */
    test_gemm(0, 0, 4, 6, 0, 1.0f, 1.0f, C_NONE, 0);   /* K = 0: zeros */
    test_gemm(1, 0, 5, 4, 3, 0.0f, 1.0f, C_FULL, 0);   /* alpha 0 */
    test_gemm(0, 0, 5, 4, 3, 1.0f, 0.0f, C_FULL, 0);   /* beta 0 */
    /* Dense layers at small batch (the kernels' own path up to M = 16,
     * OpenBLAS above): row groups with repeated rows (3, 17), N not a
     * multiple of 16 (tails of tiles and of vectors), K past one chunk and
     * not a multiple of 16, every form of C, padded strides. */
    static const int64_t ms[] = { 1, 3, 8, 17 };
    for (int tb = 0; tb < 2; tb++)
        for (size_t mi = 0; mi < sizeof ms / sizeof ms[0]; mi++) {
            for (int ck = C_NONE; ck <= C_INPLACE; ck++)
                test_gemm(0, tb, ms[mi], 37, 4099, 1.0f, 1.0f, ck, 0);
            test_gemm(0, tb, ms[mi], 100, 300, 0.75f, 0.5f, C_ROW, 5);
        }
    /* Several panels per task, two row groups, a small N on 3 threads. */
    test_gemm(0, 1, 8, 1100, 520, 1.0f, 1.0f, C_ROW, 0);
    test_gemm(0, 0, 8, 1100, 520, 1.0f, 1.0f, C_ROW, 0);
    test_gemm(0, 1, 16, 301, 70, 1.0f, -1.0f, C_FULL, 1);
    test_gemm(0, 0, 16, 301, 70, 1.0f, -1.0f, C_FULL, 1);
    test_gemm(0, 1, 12, 2, 512, 1.0f, 1.0f, C_ROW, 0); /* a two-class head */
    test_gemm(0, 0, 2, 2, 512, 1.0f, 1.0f, C_SCALAR, 0);
    test_gemm(0, 0, 5, 4, 3, 0.0f, 1.0f, C_FULL, 0); /* alpha 0, small M */
    /* Packed weights (a dense layer after assign-layout): one row group
     * and several (3, 9, 17), blocks of rows past PACKED_ROWS (70, 131),
     * N not a multiple of 16 and below it, K past a chunk of the sums
     * (KC_PACKED) and not a multiple of it, every form of C. */
    static const int64_t pms[] = { 1, 3, 8, 9, 17, 70, 131 };
    for (int tb = 0; tb < 2; tb++) {
        for (size_t mi = 0; mi < sizeof pms / sizeof pms[0]; mi++) {
            for (int ck = C_NONE; ck <= C_INPLACE; ck++)
                test_gemm_packed(tb, pms[mi], 37, 1000, 1.0f, 1.0f, ck, 0);
            test_gemm_packed(tb, pms[mi], 100, 300, 0.75f, 0.5f, C_ROW, 5);
        }
        test_gemm_packed(tb, 8, 1100, 520, 1.0f, 1.0f, C_ROW, 0);
        test_gemm_packed(tb, 12, 2, 4099, 1.0f, 1.0f, C_ROW, 0);   /* a two-class head */
        test_gemm_packed(tb, 4, 6, 1, 1.0f, 1.0f, C_FULL, 0);      /* K = 1 */
        test_gemm_packed(tb, 4, 6, 0, 1.0f, 0.5f, C_COL, 0);       /* K = 0: beta * C */
        test_gemm_packed(tb, 5, 4, 3, 0.0f, 1.0f, C_FULL, 0);      /* alpha 0 */
        test_gemm_packed(tb, 5, 20, 3, 1.0f, 0.0f, C_FULL, 2);     /* beta 0 */
        /* One block, several, a long K, a single row; N = 40 is refused. */
        test_gemm_pack_in_place(tb, 16, 7);
        test_gemm_pack_in_place(tb, 48, 300);
        test_gemm_pack_in_place(tb, 256, 4099);
        test_gemm_pack_in_place(tb, 64, 1);
        test_gemm_pack_in_place(tb, 40, 9);
    }
}

static void test_matmul(int brank, const int64_t *bdims, const int64_t *ashape,
                        const int64_t *bshape, int64_t M, int64_t K, int64_t N) {
    char desc[200];
    int n = 0;
    for (int d = 0; d < brank; d++)
        n += snprintf(desc + n, sizeof desc - (size_t)n, "%s%lld(a%lld,b%lld)", d ? "," : "",
                      (long long)bdims[d], (long long)ashape[d], (long long)bshape[d]);
    begin_case("matmul batch=[%s] M=%lld K=%lld N=%lld", desc, (long long)M, (long long)K,
               (long long)N);
    /* Dense operands of shape ashape/bshape (1 where broadcast): their
     * batch strides, 0 where the operand's dim is 1. */
    int64_t astr[VGGRT_MAX_RANK], bstr[VGGRT_MAX_RANK], as = M * K, bs = K * N, batch = 1;
    for (int d = brank - 1; d >= 0; d--) {
        astr[d] = ashape[d] == 1 ? 0 : as;
        bstr[d] = bshape[d] == 1 ? 0 : bs;
        as *= ashape[d];
        bs *= bshape[d];
        batch *= bdims[d];
    }
    float *A = rand_f32((size_t)as, -1, 1), *B = rand_f32((size_t)bs, -1, 1);
    float *Y = nan_f32((size_t)(batch * M * N));
    double *want = zeros_f64((size_t)(batch * M * N)), *mag = zeros_f64((size_t)(batch * M * N));
    for (int64_t bi = 0; bi < batch; bi++) {
        int64_t ao = 0, bo = 0, rest = bi;
        for (int d = brank - 1; d >= 0; d--) {
            ao += rest % bdims[d] * astr[d];
            bo += rest % bdims[d] * bstr[d];
            rest /= bdims[d];
        }
        for (int64_t i = 0; i < M; i++)
            for (int64_t j = 0; j < N; j++) {
                double acc = 0, m = 0;
                for (int64_t k = 0; k < K; k++) {
                    double t = (double)A[ao + i * K + k] * B[bo + k * N + j];
                    acc += t;
                    m += fabs(t);
                }
                want[(bi * M + i) * N + j] = acc;
                mag[(bi * M + i) * N + j] = m;
            }
    }
    vggrt_matmul(brank, bdims, astr, bstr, M, K, N, A, B, Y);
    check_f32("Y", Y, want, mag, (size_t)(batch * M * N));
    end_case();
    free(A), free(B), free(Y), free(want), free(mag);
}

static void test_matmuls(void) {
    int64_t d1[] = { 3 }, one[] = { 1 };
    int64_t d2[] = { 2, 3 }, a2[] = { 2, 1 }, b2[] = { 1, 3 }, z2[] = { 1, 1 };
    int64_t d3[] = { 2, 1, 3 }, a3[] = { 2, 1, 3 }, b3[] = { 1, 1, 1 };
    test_matmul(0, NULL, NULL, NULL, 5, 7, 3);
    test_matmul(1, d1, d1, d1, 4, 5, 6);  /* same batch */
    test_matmul(1, d1, d1, one, 4, 5, 6); /* B shared: folds into one product */
    test_matmul(1, d1, one, d1, 4, 5, 6); /* A shared */
    test_matmul(2, d2, a2, b2, 3, 17, 5); /* each broadcast in one dim */
    test_matmul(2, d2, d2, z2, 1, 9, 4);  /* B shared over two dims */
    test_matmul(2, d2, a2, z2, 3, 4, 5);  /* B shared, A broadcast: no folding */
    test_matmul(3, d3, a3, b3, 2, 3, 5);  /* with a size-1 batch dim */
    test_matmul(1, d1, d1, d1, 1, 1, 1);
}

/* ---- binary ops ------------------------------------------------------------------- */

/* Dense strides of an operand of shape s (broadcast dims are 1) against the
 * output dims: 0 where s[d] == 1 < dims[d]. */
static int64_t dense_strides(int rank, const int64_t *dims, const int64_t *s, int64_t *str) {
    int64_t n = 1;
    for (int d = rank - 1; d >= 0; d--) {
        str[d] = s[d] == 1 && dims[d] != 1 ? 0 : n;
        n *= s[d];
    }
    return n;
}

static int64_t ref_offset(int rank, const int64_t *dims, const int64_t *str, int64_t lin) {
    int64_t off = 0;
    for (int d = rank - 1; d >= 0; d--) {
        off += lin % dims[d] * str[d];
        lin /= dims[d];
    }
    return off;
}

static const char *const op_names[] = { "add", "sub", "mul", "div", "prelu", "max", "min", "mod",
                                        "fmod" };
_Static_assert(sizeof op_names / sizeof *op_names == VGGRT_FMOD + 1, "a name for every binary op");

/* The remainder with v's sign (floored), from fmod's (u's sign). */
static double floored_mod(double u, double v) {
    double r = fmod(u, v);
    return r != 0 && (r < 0) != (v < 0) ? r + v : r;
}

/* a and b have shapes as, bs (1 = broadcast); transpose_a reads a through
 * reversed strides (a non-dense, column-major view) when given. */
static void test_binary(int rank, const int64_t *dims, const int64_t *ashape,
                        const int64_t *bshape, int transpose_a) {
    int64_t astr[VGGRT_MAX_RANK], bstr[VGGRT_MAX_RANK], total = 1;
    int64_t na = dense_strides(rank, dims, ashape, astr);
    int64_t nb = dense_strides(rank, dims, bshape, bstr);
    if (transpose_a) {
        int64_t n = 1;
        for (int d = 0; d < rank; d++) {
            astr[d] = ashape[d] == 1 && dims[d] != 1 ? 0 : n;
            n *= ashape[d];
        }
    }
    for (int d = 0; d < rank; d++)
        total *= dims[d];
    const size_t tn = total > 0 ? (size_t)total : 0; /* (gcc -O3 cannot see total >= 0) */
    char s1[64], s2[64], s3[64];
    for (int op = VGGRT_ADD; op <= VGGRT_FMOD; op++) {
        begin_case("binary_f32 %s dims=%s a=%s%s b=%s", op_names[op],
                   shape_str(rank, dims, s1, sizeof s1), shape_str(rank, ashape, s2, sizeof s2),
                   transpose_a ? "(column-major)" : "", shape_str(rank, bshape, s3, sizeof s3));
        float *a = rand_f32((size_t)na, -2, 2), *b = rand_f32((size_t)nb, 0.5f, 2);
        for (int64_t i = 0; i < nb; i++)
            if (rng() & 1)
                b[i] = -b[i];
        float *y = nan_f32(tn + 1);
        double *want = zeros_f64(tn);
        for (int64_t i = 0; i < total; i++) {
            double u = a[ref_offset(rank, dims, astr, i)], v = b[ref_offset(rank, dims, bstr, i)];
            want[i] = op == VGGRT_ADD ? u + v : op == VGGRT_SUB ? u - v : op == VGGRT_MUL ? u * v
                    : op == VGGRT_DIV ? u / v : op == VGGRT_MAX ? fmax(u, v)
                    : op == VGGRT_MIN ? fmin(u, v) : op == VGGRT_MOD ? floored_mod(u, v)
                    : op == VGGRT_FMOD ? fmod(u, v) : u < 0 ? u * v : u;
        }
        vggrt_binary_f32(op, rank, dims, astr, bstr, a, b, y);
        check_f32("y", y, want, NULL, tn);
        if (!isnan(y[total]))
            fail("y[%lld] past the end was written", (long long)total);
        end_case();

        begin_case("binary_i64 %s dims=%s a=%s%s b=%s", op_names[op], s1, s2,
                   transpose_a ? "(column-major)" : "", s3);
        int64_t *ai = xmalloc((size_t)na * sizeof *ai), *bi = xmalloc((size_t)nb * sizeof *bi);
        int64_t *yi = xmalloc(tn * sizeof *yi), *wi = xmalloc(tn * sizeof *wi);
        for (int64_t i = 0; i < na; i++)
            ai[i] = (int64_t)(rng() % 2001) - 1000;
        for (int64_t i = 0; i < nb; i++)
            bi[i] = (int64_t)(rng() % 41) - 20; /* zeros included: x / 0 = 0 */
        for (int64_t i = 0; i < total; i++) {
            int64_t u = ai[ref_offset(rank, dims, astr, i)], v = bi[ref_offset(rank, dims, bstr, i)];
            wi[i] = op == VGGRT_ADD ? u + v : op == VGGRT_SUB ? u - v : op == VGGRT_MUL ? u * v
                    : op == VGGRT_PRELU ? (u < 0 ? u * v : u) : op == VGGRT_MAX ? (u > v ? u : v)
                    : op == VGGRT_MIN ? (u < v ? u : v) : v == 0 ? 0
                    : op == VGGRT_MOD ? (int64_t)floored_mod((double)u, (double)v)
                    : op == VGGRT_FMOD ? u % v : u / v;
        }
        vggrt_binary_i64(op, rank, dims, astr, bstr, ai, bi, yi);
        check_i64("y", yi, wi, tn);
        end_case();
        free(a), free(b), free(y), free(want), free(ai), free(bi), free(yi), free(wi);
    }
}

/* A Sum as the backends emit it: y = x0 + x1, then y = y + x_k in place
 * (y passed as a), each x_k broadcast from its own shape. */
static void test_sum_chain(int rank, const int64_t *dims, int nx, const int64_t (*shapes)[5]) {
    char s1[64], s2[64];
    begin_case("binary_f32 add in place (Sum of %d) dims=%s x_last=%s", nx,
               shape_str(rank, dims, s1, sizeof s1), shape_str(rank, shapes[nx - 1], s2, sizeof s2));
    int64_t total = 1, ystr[VGGRT_MAX_RANK], str[8][VGGRT_MAX_RANK];
    for (int d = 0; d < rank; d++)
        total *= dims[d];
    dense_strides(rank, dims, dims, ystr);
    float *x[8];
    float *y = nan_f32((size_t)total + 1);
    double *want = zeros_f64((size_t)total), *mag = zeros_f64((size_t)total);
    for (int k = 0; k < nx; k++) {
        int64_t n = dense_strides(rank, dims, shapes[k], str[k]);
        x[k] = rand_f32((size_t)n, -2, 2);
        for (int64_t i = 0; i < total; i++) {
            double v = x[k][ref_offset(rank, dims, str[k], i)];
            want[i] += v;
            mag[i] += fabs(v);
        }
    }
    vggrt_binary_f32(VGGRT_ADD, rank, dims, str[0], str[1], x[0], x[1], y);
    for (int k = 2; k < nx; k++)
        vggrt_binary_f32(VGGRT_ADD, rank, dims, ystr, str[k], y, x[k], y);
    check_f32("y", y, want, mag, (size_t)total);
    if (!isnan(y[total]))
        fail("y[%lld] past the end was written", (long long)total);
    end_case();
    for (int k = 0; k < nx; k++)
        free(x[k]);
    free(y), free(want), free(mag);
}

static void test_binaries(void) {
    {
        int64_t d[] = { 37 };
        test_binary(1, d, d, d, 0);
        int64_t s[] = { 1 };
        test_binary(1, d, d, s, 0);
        test_binary(1, d, s, d, 0);
    }
    test_binary(0, NULL, NULL, NULL, 0); /* scalars */
    {
        int64_t d[] = { 5, 7 }, row[] = { 1, 7 }, col[] = { 5, 1 }, sc[] = { 1, 1 };
        test_binary(2, d, d, row, 0);
        test_binary(2, d, d, col, 0);
        test_binary(2, d, sc, d, 0);
        test_binary(2, d, row, col, 0); /* outer sum */
        test_binary(2, d, d, d, 1);     /* a column-major */
        test_binary(2, d, col, d, 1);
    }
    {
        int64_t d[] = { 3, 5, 4, 6 }, bias[] = { 1, 5, 1, 1 }, bn[] = { 3, 1, 1, 1 };
        int64_t last[] = { 1, 1, 1, 6 }, mid[] = { 3, 1, 4, 6 };
        test_binary(4, d, d, bias, 0); /* per-channel bias over NCHW */
        test_binary(4, d, bn, d, 0);
        test_binary(4, d, d, last, 0);
        test_binary(4, d, mid, bias, 0);
        test_binary(4, d, d, d, 1);
    }
    {
        int64_t d[] = { 2, 3, 1, 4, 5 }, a[] = { 2, 1, 1, 4, 1 }, b[] = { 1, 3, 1, 1, 5 };
        test_binary(5, d, a, b, 0);
        test_binary(5, d, b, a, 1);
        test_binary(5, d, d, b, 0);
    }
    {
        int64_t d[] = { 3, 0, 4 }; /* no elements */
        test_binary(3, d, d, d, 0);
    }
    {
        /* Sum: equal shapes; every input broadcast differently; batch 3. */
        int64_t d[] = { 3, 5, 4, 6 };
        static const int64_t same[][5] = { { 3, 5, 4, 6 }, { 3, 5, 4, 6 }, { 3, 5, 4, 6 } };
        static const int64_t mixed[][5] = {
            { 3, 1, 4, 6 }, { 1, 5, 1, 1 }, { 3, 5, 4, 6 }, { 1, 1, 1, 6 }, { 3, 5, 1, 1 },
        };
        test_sum_chain(4, d, 2, same);
        test_sum_chain(4, d, 3, same);
        test_sum_chain(4, d, 5, mixed);
        int64_t v[] = { 37 };
        static const int64_t vs[][5] = { { 37 }, { 1 }, { 37 }, { 1 } };
        test_sum_chain(1, v, 4, vs);
    }

    /* Integer edge cases: wrapping, truncation toward zero, x/0, MIN/-1. */
    static const struct {
        int op;
        int64_t a, b, want;
    } e[] = {
        { VGGRT_DIV, -7, 2, -3 },
        { VGGRT_DIV, 7, -2, -3 },
        { VGGRT_DIV, -7, -2, 3 },
        { VGGRT_DIV, 5, 0, 0 },
        { VGGRT_DIV, INT64_MIN, -1, INT64_MIN },
        { VGGRT_DIV, INT64_MIN, 1, INT64_MIN },
        { VGGRT_ADD, INT64_MAX, 1, INT64_MIN },
        { VGGRT_SUB, INT64_MIN, 1, INT64_MAX },
        { VGGRT_MUL, INT64_MAX, 2, -2 },
        { VGGRT_MUL, INT64_MIN, -1, INT64_MIN },
        /* Mod: the sign of the divisor (floored); fmod: of the dividend. */
        { VGGRT_MOD, -7, 3, 2 },
        { VGGRT_MOD, 7, -3, -2 },
        { VGGRT_MOD, -7, -3, -1 },
        { VGGRT_MOD, -6, 3, 0 },
        { VGGRT_MOD, 5, 0, 0 },
        { VGGRT_MOD, INT64_MIN, -1, 0 },
        { VGGRT_MOD, INT64_MIN, INT64_MAX, INT64_MAX - 1 },
        { VGGRT_FMOD, -7, 3, -1 },
        { VGGRT_FMOD, 7, -3, 1 },
        { VGGRT_FMOD, 5, 0, 0 },
        { VGGRT_FMOD, INT64_MIN, -1, 0 },
    };
    for (size_t i = 0; i < sizeof e / sizeof e[0]; i++) {
        begin_case("binary_i64 %s %" PRId64 " %" PRId64, op_names[e[i].op], e[i].a, e[i].b);
        int64_t dims[] = { 1 }, str[] = { 1 }, y = 12345;
        vggrt_binary_i64(e[i].op, 1, dims, str, str, &e[i].a, &e[i].b, &y);
        check_i64("y", &y, &e[i].want, 1);
        end_case();
    }

    /* Max and Min of floats: a NaN on either side gives NaN (numpy's maximum
     * and minimum; fmax would drop it), as do both. */
    for (int op = VGGRT_MAX; op <= VGGRT_MIN; op++) {
        begin_case("binary_f32 %s with NaN", op_names[op]);
        const float a[] = { NAN, 1.0f, NAN, -2.0f }, b[] = { 3.0f, NAN, NAN, 5.0f };
        const double want[] = { NAN, NAN, NAN, op == VGGRT_MAX ? 5.0 : -2.0 };
        int64_t dims[] = { 4 }, str[] = { 1 };
        float y[4];
        vggrt_binary_f32(op, 1, dims, str, str, a, b, y);
        check_f32("y", y, want, NULL, 4);
        end_case();
    }
}

/* ---- unary, affine, cast ---------------------------------------------------------- */

static const char *const unary_names[] = {
    "relu", "sigmoid", "leaky_relu", "clip", "copy", "tanh", "hard_sigmoid", "hard_swish", "abs",
    "neg", "exp", "log", "sqrt", "reciprocal", "ceil", "floor", "round", "sign", "erf", "sin", "cos",
    "elu", "selu", "softplus", "softsign", "thresholded_relu",
};
_Static_assert(sizeof unary_names / sizeof *unary_names == VGGRT_THRESHOLDED_RELU + 1,
               "a name for every unary op");

/* Pow, y = x ^ e with broadcasting, against pow() in double element by
 * element (an exponent row broadcast over x's rows): f32 ^ f32 (powf, so
 * within 1e-5), f32 ^ i64, i32 ^ f32 (truncated, as numpy's astype),
 * i64 ^ i64 and i32 ^ i32 exactly, negative exponents and wrapping
 * included; and a type it refuses. */
static void test_pows(void) {
    int64_t dims[] = { 3, 7 }, xstr[] = { 7, 1 }, estr[] = { 0, 1 };
    const size_t n = 21;
    begin_case("pow f32 ^ f32, f32 ^ i64");
    float *x = rand_f32(n, 0.1f, 3), *ef = rand_f32(7, -2, 3), *y = nan_f32(n + 1);
    int64_t ei[7] = { 0, 1, 2, 3, -1, -2, 5 };
    double *want = zeros_f64(n);
    for (size_t i = 0; i < n; i++)
        want[i] = pow(x[i], ef[i % 7]);
    check_status("vggrt_pow", vggrt_pow(VGGRT_F32, VGGRT_F32, 2, dims, xstr, estr, x, ef, y),
                 VGGRT_OK);
    check_f32("y", y, want, NULL, n);
    if (!isnan(y[n]))
        fail("y[%zu] past the end was written", n);
    for (size_t i = 0; i < n; i++)
        want[i] = pow(x[i], (double)ei[i % 7]);
    vggrt_pow(VGGRT_F32, VGGRT_I64, 2, dims, xstr, estr, x, ei, y);
    check_f32("y", y, want, NULL, n);
    end_case();

    begin_case("pow i32 ^ f32 (truncated), i64 ^ i64 and i32 ^ i32 (exact, wrapping)");
    int32_t xi32[21], yi32[21], wi32[21];
    int64_t xi64[21], yi64[21], wi64[21];
    for (size_t i = 0; i < n; i++)
        xi32[i] = (int32_t)(i % 9) - 4, xi64[i] = xi32[i];
    xi64[20] = 3, xi32[20] = 3;                     /* 3^5 */
    xi64[13] = 1000003, xi32[13] = 1000003;         /* 1000003^5 wraps int64 */
    xi64[10] = 5000, xi32[10] = 5000;               /* 5000^3 wraps int32 only */
    for (size_t i = 0; i < n; i++) {
        double p = pow(xi32[i], ef[i % 7]);
        wi32[i] = isnan(p) ? 0 : p >= 2147483647.0 ? INT32_MAX : p <= -2147483648.0 ? INT32_MIN
                : (int32_t)p;
    }
    vggrt_pow(VGGRT_I32, VGGRT_F32, 2, dims, xstr, estr, xi32, ef, yi32);
    check_bytes("y", yi32, wi32, sizeof *yi32, n);
    for (size_t i = 0; i < n; i++) {
        int64_t b = xi64[i], e = ei[i % 7];
        uint64_t r = 1;                             /* repeated multiplication, wrapping */
        for (int64_t k = 0; k < e; k++)
            r *= (uint64_t)b;
        wi64[i] = e >= 0 ? (int64_t)r : b == 1 ? 1 : b == -1 ? (e % 2 ? -1 : 1) : 0;
        wi32[i] = (int32_t)(uint32_t)r;
        if (e < 0)
            wi32[i] = (int32_t)wi64[i];
    }
    vggrt_pow(VGGRT_I64, VGGRT_I64, 2, dims, xstr, estr, xi64, ei, yi64);
    check_i64("y", yi64, wi64, n);
    int32_t ei32[7];
    for (int k = 0; k < 7; k++)
        ei32[k] = (int32_t)ei[k];
    vggrt_pow(VGGRT_I32, VGGRT_I32, 2, dims, xstr, estr, xi32, ei32, yi32);
    check_bytes("y", yi32, wi32, sizeof *yi32, n);
    check_status("u8 base", vggrt_pow(VGGRT_U8, VGGRT_F32, 2, dims, xstr, estr, x, ef, y),
                 VGGRT_ERR_ARG);
    end_case();
    free(x), free(ef), free(y), free(want);
}


static void test_unaries(void) {
    const size_t n = 103;
    for (int op = VGGRT_RELU; op <= VGGRT_THRESHOLDED_RELU; op++)
        for (int inplace = 0; inplace < 2; inplace++) {
            begin_case("unary_f32 %s%s n=%zu", unary_names[op], inplace ? " in place" : "", n);
            float *x = rand_f32(n, -3, 3), *y = nan_f32(n);
            x[0] = 0.0f, x[1] = -100.0f, x[2] = 100.0f, x[3] = 0.25f, x[4] = -0.5f;
            x[5] = -3.0f, x[6] = 3.0f, x[7] = -1.2f, x[8] = 0.8f;   /* hard_* at the kinks */
            x[9] = 2.5f, x[10] = -1.5f, x[11] = 1e-4f, x[12] = -1e-4f;  /* round's ties; e^x near 1 */
            double *want = zeros_f64(n);
            float p0 = op == VGGRT_CLIP ? -0.5f : op == VGGRT_HARD_SIGMOID ? 0.5f : 0.1f;
            float p1 = op == VGGRT_HARD_SIGMOID ? 0.6f : 0.25f;
            if (op == VGGRT_SELU)
                p0 = 1.6732632f, p1 = 1.0507010f;
            if (op == VGGRT_THRESHOLDED_RELU)
                p0 = 0.25f;     /* x[3]: not above the threshold */
            for (size_t i = 0; i < n; i++) {
                double v = x[i];
                switch (op) {
                case VGGRT_RELU: want[i] = v > 0 ? v : 0; break;
                case VGGRT_SIGMOID: want[i] = 1.0 / (1.0 + exp(-v)); break;
                case VGGRT_LEAKY_RELU: want[i] = v >= 0 ? v : p0 * v; break;
                case VGGRT_CLIP: want[i] = fmin(fmax(v, p0), p1); break;
                case VGGRT_COPY: want[i] = v; break;
                case VGGRT_TANH: want[i] = tanh(v); break;
                case VGGRT_HARD_SIGMOID: want[i] = fmax(0, fmin(1, (double)p0 * v + p1)); break;
                case VGGRT_HARD_SWISH: want[i] = v * fmax(0, fmin(1, v / 6 + 0.5)); break;
                case VGGRT_ABS: want[i] = fabs(v); break;
                case VGGRT_NEG: want[i] = -v; break;
                case VGGRT_EXP: want[i] = exp(v); break;
                case VGGRT_LOG: want[i] = log(v); break;    /* NaN below 0, -inf at 0 */
                case VGGRT_SQRT: want[i] = sqrt(v); break;
                case VGGRT_RECIPROCAL: want[i] = 1.0 / v; break;
                case VGGRT_CEIL: want[i] = ceil(v); break;
                case VGGRT_FLOOR: want[i] = floor(v); break;
                case VGGRT_ROUND: /* half to even, by hand */
                    want[i] = floor(v + 0.5);
                    if (want[i] - v == 0.5 && fmod(want[i], 2) != 0)
                        want[i] -= 1;
                    break;
                case VGGRT_SIGN: want[i] = v > 0 ? 1 : v < 0 ? -1 : 0; break;
                case VGGRT_ERF: want[i] = erf(v); break;
                case VGGRT_SIN: want[i] = sin(v); break;
                case VGGRT_COS: want[i] = cos(v); break;
                case VGGRT_ELU: want[i] = v < 0 ? p0 * expm1(v) : v; break;
                case VGGRT_SELU: want[i] = p1 * (v > 0 ? v : p0 * expm1(v)); break;
                case VGGRT_SOFTPLUS: want[i] = log1p(exp(v)); break;
                case VGGRT_SOFTSIGN: want[i] = v / (1 + fabs(v)); break;
                case VGGRT_THRESHOLDED_RELU: want[i] = v > p0 ? v : 0; break;
                }
                want[i] = (float)want[i];   /* e^100 overflows fp32 */
            }
            if (inplace) {
                vggrt_unary_f32(op, n, x, x, p0, p1);
                check_f32("y", x, want, NULL, n);
            } else {
                vggrt_unary_f32(op, n, x, y, p0, p1);
                check_f32("y", y, want, NULL, n);
            }
            end_case();
            free(x), free(y), free(want);
        }
    /* ONNX: "When 'min' is greater than 'max', the clip operator sets all
     * the 'input' values to the value of 'max'" (numpy.clip's order). */
    begin_case("unary_f32 clip min > max n=%zu", n);
    float *x = rand_f32(n, -3, 3), *y = nan_f32(n);
    double *want = zeros_f64(n);
    for (size_t i = 0; i < n; i++)
        want[i] = fmin(fmax(x[i], 1.0), 0.5);
    vggrt_unary_f32(VGGRT_CLIP, n, x, y, 1.0f, 0.5f);
    check_f32("y", y, want, NULL, n);
    end_case();
    free(x), free(y), free(want);
}

static void test_channel_affine(int64_t outer, int64_t c, int64_t inner) {
    begin_case("channel_affine outer=%lld c=%lld inner=%lld", (long long)outer, (long long)c,
               (long long)inner);
    size_t n = (size_t)(outer * c * inner);
    float *x = rand_f32(n, -2, 2), *y = nan_f32(n);
    float *scale = rand_f32((size_t)c, -2, 2), *shift = rand_f32((size_t)c, -1, 1);
    double *want = zeros_f64(n), *mag = zeros_f64(n);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t ci = 0; ci < c; ci++)
            for (int64_t i = 0; i < inner; i++) {
                size_t k = (size_t)((o * c + ci) * inner + i);
                want[k] = (double)x[k] * scale[ci] + shift[ci];
                mag[k] = fabs((double)x[k] * scale[ci]) + fabs(shift[ci]);
            }
    vggrt_channel_affine(outer, c, inner, scale, shift, x, y);
    check_f32("y", y, want, mag, n);
    end_case();
    free(x), free(y), free(scale), free(shift), free(want), free(mag);
}

static void test_casts(void) {
    static const float f[] = { 0.0f, 1.5f, -1.5f, -0.0f, 2.9f, -2.9f, 3e9f, -3e9f,
                               1e20f, -1e20f, INFINITY, -INFINITY, NAN, 2147483520.0f,
                               -2147483648.0f, 1e-30f };
    enum { NF = sizeof f / sizeof f[0] };
    static const int64_t f_i64[NF] = { 0, 1, -1, 0, 2, -2, 3000000000, -3000000000,
                                       INT64_MAX, INT64_MIN, INT64_MAX, INT64_MIN, 0,
                                       2147483520, -2147483648LL, 0 };
    static const int32_t f_i32[NF] = { 0, 1, -1, 0, 2, -2, INT32_MAX, INT32_MIN,
                                       INT32_MAX, INT32_MIN, INT32_MAX, INT32_MIN, 0,
                                       2147483520, INT32_MIN, 0 };
    static const unsigned char f_b[NF] = { 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
    static const int64_t i[] = { 0, 1, -1, INT64_MAX, INT64_MIN, (int64_t)1 << 40,
                                 ((int64_t)1 << 32) + 5, -((int64_t)1 << 32) - 5, 16777217 };
    enum { NI = sizeof i / sizeof i[0] };
    static const float i_f[NI] = { 0.0f, 1.0f, -1.0f, 9223372036854775807.0f,
                                   -9223372036854775808.0f, 1099511627776.0f, 4294967301.0f,
                                   -4294967301.0f, 16777216.0f };
    static const int32_t i_i32[NI] = { 0, 1, -1, -1, 0, 0, 5, -5, 16777217 };
    static const unsigned char i_b[NI] = { 0, 1, 1, 1, 1, 1, 1, 1, 1 };
    static const int32_t i32[] = { 0, 7, -7, INT32_MAX, INT32_MIN };
    enum { N32 = sizeof i32 / sizeof i32[0] };
    static const int64_t i32_i64[N32] = { 0, 7, -7, INT32_MAX, INT32_MIN };
    static const float i32_f[N32] = { 0.0f, 7.0f, -7.0f, 2147483648.0f, -2147483648.0f };
    static const unsigned char i32_b[N32] = { 0, 1, 1, 1, 1 };
    static const unsigned char b[] = { 0, 1, 1, 0 };
    static const float b_f[] = { 0, 1, 1, 0 };
    static const int64_t b_i64[] = { 0, 1, 1, 0 };
    static const int32_t b_i32[] = { 0, 1, 1, 0 };
    static const struct {
        int from, to;
        const void *x, *want;
        size_t n;
    } cases[] = {
        { VGGRT_F32, VGGRT_I64, f, f_i64, NF },       { VGGRT_F32, VGGRT_I32, f, f_i32, NF },
        { VGGRT_F32, VGGRT_BOOL, f, f_b, NF },        { VGGRT_F32, VGGRT_F32, f, f, NF },
        { VGGRT_I64, VGGRT_F32, i, i_f, NI },         { VGGRT_I64, VGGRT_I32, i, i_i32, NI },
        { VGGRT_I64, VGGRT_BOOL, i, i_b, NI },        { VGGRT_I64, VGGRT_I64, i, i, NI },
        { VGGRT_I32, VGGRT_I64, i32, i32_i64, N32 },  { VGGRT_I32, VGGRT_F32, i32, i32_f, N32 },
        { VGGRT_I32, VGGRT_BOOL, i32, i32_b, N32 },   { VGGRT_BOOL, VGGRT_F32, b, b_f, 4 },
        { VGGRT_BOOL, VGGRT_I64, b, b_i64, 4 },       { VGGRT_BOOL, VGGRT_I32, b, b_i32, 4 },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        begin_case("cast %d -> %d", cases[k].from, cases[k].to);
        size_t es = vggrt_dtype_size(cases[k].to);
        unsigned char y[NF * 8];
        memset(y, 0xAB, sizeof y);
        check_status("vggrt_cast",
                     vggrt_cast(cases[k].from, cases[k].to, cases[k].n, cases[k].x, y), VGGRT_OK);
        check_bytes("y", y, cases[k].want, es, cases[k].n);
        end_case();
    }
    begin_case("cast refuses unknown dtypes");
    float y[1];
    /* 12 is UINT32, 13 UINT64: not runtime types */
    check_status("vggrt_cast(F32 -> 13)", vggrt_cast(VGGRT_F32, 13, 1, f, y), VGGRT_ERR_ARG);
    check_status("vggrt_cast(12 -> F32)", vggrt_cast(12, VGGRT_F32, 1, f, y), VGGRT_ERR_ARG);
    end_case();
}

/* ---- softmax, reductions, LRN ----------------------------------------------------- */

static void test_softmax(int take_log, int64_t outer, int64_t len, int64_t inner, float offset,
                         int inplace) {
    begin_case("%s outer=%lld len=%lld inner=%lld offset=%g%s", take_log ? "logsoftmax" : "softmax",
               (long long)outer, (long long)len, (long long)inner, offset,
               inplace ? " in place" : "");
    size_t n = (size_t)(outer * len * inner);
    float *x = rand_f32(n, -5, 5), *y = nan_f32(n);
    for (size_t i = 0; i < n; i++)
        x[i] += offset;
    double *want = zeros_f64(n), *mag = zeros_f64(n);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            double m = -INFINITY, s = 0;
            for (int64_t l = 0; l < len; l++)
                m = fmax(m, x[(o * len + l) * inner + i]);
            for (int64_t l = 0; l < len; l++)
                s += exp(x[(o * len + l) * inner + i] - m);
            for (int64_t l = 0; l < len; l++) {
                size_t k = (size_t)((o * len + l) * inner + i);
                double d = x[k] - m;
                want[k] = take_log ? d - log(s) : exp(d) / s;
                mag[k] = take_log ? fabs(d) + log(s) : want[k];
            }
        }
    if (inplace) {
        vggrt_softmax(take_log, outer, len, inner, x, x);
        check_f32("y", x, want, mag, n);
    } else {
        vggrt_softmax(take_log, outer, len, inner, x, y);
        check_f32("y", y, want, mag, n);
    }
    end_case();
    free(x), free(y), free(want), free(mag);
}

static void test_softmaxes(void) {
    for (int lg = 0; lg < 2; lg++) {
        test_softmax(lg, 1, 10, 1, 0, 0);
        test_softmax(lg, 3, 1000, 1, 0, 0);  /* classifier, batch 3 */
        test_softmax(lg, 2, 7, 5, 0, 0);
        test_softmax(lg, 2, 3, 70, 0, 0);    /* crosses the 64-column block */
        test_softmax(lg, 1, 1, 1, 0, 0);
        test_softmax(lg, 2, 9, 3, 1000, 0);  /* exp(1000) would overflow */
        test_softmax(lg, 2, 9, 3, -1000, 0);
        test_softmax(lg, 3, 11, 1, 0, 1);
        test_softmax(lg, 2, 5, 67, 0, 1);
    }
}

static const char *mask_str(int rank, unsigned mask, char *buf) {
    int n = 0;
    buf[n++] = '{';
    for (int d = 0; d < rank; d++)
        if (mask >> d & 1)
            n += sprintf(buf + n, "%s%d", n > 1 ? "," : "", d);
    buf[n++] = '}';
    buf[n] = '\0';
    return buf;
}

static const char *const reduce_names[] = {
    "mean", "max", "sum", "min", "prod", "sum_square", "l1", "l2", "log_sum", "log_sum_exp",
};
_Static_assert(sizeof reduce_names / sizeof *reduce_names == VGGRT_REDUCE_LOG_SUM_EXP + 1,
               "a name for every reduction");

/* The reference sums in double, element by element in x's order, from
 * ONNX's definitions (ReduceLogSumExp as log(sum(exp(x))) directly: the
 * data are small).  The product and the log sum take positive data. */
static void test_reduce(int op, int rank, const int64_t *dims, unsigned mask) {
    char s1[64], s2[32];
    begin_case("reduce_f32 %s dims=%s axes=%s", reduce_names[op],
               shape_str(rank, dims, s1, sizeof s1), mask_str(rank, mask, s2));
    int64_t nx = 1, ny = 1, ydims[VGGRT_MAX_RANK];
    int yrank = 0;
    for (int d = 0; d < rank; d++) {
        nx *= dims[d];
        if (!(mask >> d & 1)) {
            ny *= dims[d];
            ydims[yrank++] = dims[d];
        }
    }
    float *x = op == VGGRT_REDUCE_PROD ? rand_f32((size_t)nx, 0.5f, 1.5f)
             : op == VGGRT_REDUCE_LOG_SUM ? rand_f32((size_t)nx, 0.1f, 1)
             : rand_f32((size_t)nx, -1, 1);
    float *y = nan_f32((size_t)ny);
    double *want = zeros_f64((size_t)ny), *mag = zeros_f64((size_t)ny), *cnt = zeros_f64((size_t)ny);
    for (int64_t i = 0; i < (int64_t)ny; i++)
        want[i] = op == VGGRT_REDUCE_MAX ? -INFINITY : op == VGGRT_REDUCE_MIN ? INFINITY
                : op == VGGRT_REDUCE_PROD ? 1 : 0;
    for (int64_t i = 0; i < nx; i++) {
        /* x's coordinates, then y's index from the kept ones */
        int64_t c[VGGRT_MAX_RANK], rest = i, yi = 0;
        for (int d = rank - 1; d >= 0; d--) {
            c[d] = rest % dims[d];
            rest /= dims[d];
        }
        for (int d = 0, k = 0; d < rank; d++)
            if (!(mask >> d & 1))
                yi = yi * ydims[k++] + c[d];
        double v = x[i];
        switch (op) {
        case VGGRT_REDUCE_MAX: want[yi] = fmax(want[yi], v); break;
        case VGGRT_REDUCE_MIN: want[yi] = fmin(want[yi], v); break;
        case VGGRT_REDUCE_PROD: want[yi] *= v; break;
        case VGGRT_REDUCE_SUM_SQUARE: case VGGRT_REDUCE_L2: want[yi] += v * v; break;
        case VGGRT_REDUCE_L1: want[yi] += fabs(v); break;
        case VGGRT_REDUCE_LOG_SUM_EXP: want[yi] += exp(v); break;
        default: want[yi] += v; break;  /* mean, sum, log sum */
        }
        mag[yi] += fabs(v);
        cnt[yi] += 1;
    }
    for (int64_t i = 0; i < ny; i++) {
        switch (op) {
        case VGGRT_REDUCE_MEAN: want[i] /= cnt[i], mag[i] /= cnt[i]; break;
        case VGGRT_REDUCE_SUM: break;
        case VGGRT_REDUCE_L2: want[i] = sqrt(want[i]), mag[i] = want[i]; break;
        case VGGRT_REDUCE_LOG_SUM: case VGGRT_REDUCE_LOG_SUM_EXP:
            want[i] = log(want[i]), mag[i] = fabs(want[i]); break;
        default: mag[i] = fabs(want[i]); break;
        }
    }
    vggrt_reduce_f32(op, rank, dims, mask, x, y);
    check_f32("y", y, want, mag, (size_t)ny);
    end_case();
    free(x), free(y), free(want), free(mag), free(cnt);
}

/* LogSumExp of values whose exp overflows even a double: m + log(sum
 * e^(x - m)), both ways the kernel walks (innermost reduced and kept). */
static void test_log_sum_exp_large(void) {
    begin_case("reduce_f32 log_sum_exp of large values");
    const float x[] = { 1000.0f, 1000.0f, 3e38f, 3e38f };
    const int64_t dims[] = { 2, 2 };
    const double want_rows[] = { 1000.0 + log(2.0), 3e38f + log(2.0) };
    const double want_cols[] = { 3e38f, 3e38f };
    float y[2];
    vggrt_reduce_f32(VGGRT_REDUCE_LOG_SUM_EXP, 2, dims, 0x2u, x, y);
    check_f32("rows", y, want_rows, NULL, 2);
    vggrt_reduce_f32(VGGRT_REDUCE_LOG_SUM_EXP, 2, dims, 0x1u, x, y);
    check_f32("columns", y, want_cols, NULL, 2);
    end_case();
}

static void test_reductions(void) {
    test_log_sum_exp_large();
    static const int64_t shapes[][5] = {
        { 37 }, { 5, 7 }, { 3, 4, 5 }, { 2, 1, 7, 3 }, { 3, 5, 4, 6 }, { 2, 3, 1, 4, 5 },
    };
    static const int ranks[] = { 1, 2, 3, 4, 4, 5 };
    for (int op = VGGRT_REDUCE_MEAN; op <= VGGRT_REDUCE_LOG_SUM_EXP; op++)
        for (size_t s = 0; s < sizeof ranks / sizeof ranks[0]; s++)
            for (unsigned mask = 0; mask < 1u << ranks[s]; mask++)
                test_reduce(op, ranks[s], shapes[s], mask);
    /* GlobalAveragePool over 7x7 as the tf2onnx head has it, and a large sum. */
    int64_t nhwc[] = { 3, 7, 7, 17 }, big[] = { 2, 100000 };
    test_reduce(VGGRT_REDUCE_MEAN, 4, nhwc, 0x6);
    test_reduce(VGGRT_REDUCE_MEAN, 2, big, 0x2);
    test_reduce(VGGRT_REDUCE_SUM, 4, nhwc, 0x6);
    test_reduce(VGGRT_REDUCE_SUM, 2, big, 0x2);
    test_reduce(VGGRT_REDUCE_SUM, 2, big, 0x1);
}

/* ArgMax/ArgMin of [outer, len, inner]: values from {0, 1, 2, 3} so that
 * ties are common; where nan_at >= 0, NaNs at that flat index and two
 * places further along the axis.  The reference
 * finds the extreme value first, then its first (last) index; a NaN, if
 * any, is the extreme (numpy). */
static void test_arg(int min, int last, int64_t outer, int64_t len, int64_t inner,
                     int64_t nan_at) {
    begin_case("arg_f32 %s%s [%lld,%lld,%lld]%s", min ? "min" : "max", last ? " last" : "",
               (long long)outer, (long long)len, (long long)inner, nan_at >= 0 ? " NaN" : "");
    size_t n = (size_t)(outer * len * inner), m = (size_t)(outer * inner);
    float *x = rand_f32(n, 0, 4);
    for (size_t i = 0; i < n; i++)
        x[i] = floorf(x[i]);
    if (nan_at >= 0)
        x[nan_at] = x[nan_at + 2 * inner] = NAN;
    int64_t *y = malloc(m * sizeof *y), *want = malloc(m * sizeof *want);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            const float *p = x + o * len * inner + i;
            int has_nan = 0;
            float ext = p[0];
            for (int64_t k = 0; k < len; k++) {
                float v = p[k * inner];
                has_nan |= isnan(v);
                if (!isnan(v) && (isnan(ext) || (min ? v < ext : v > ext)))
                    ext = v;
            }
            int64_t w = -1;
            for (int64_t k = 0; k < len; k++) {
                float v = p[k * inner];
                if ((has_nan ? isnan(v) : v == ext) && (w < 0 || last))
                    w = k;
            }
            want[o * inner + i] = w;
            y[o * inner + i] = -7;
        }
    vggrt_arg_f32(min, last, outer, len, inner, x, y);
    check_i64("y", y, want, m);
    end_case();
    free(x), free(y), free(want);
}

static void test_args(void) {
    for (int min = 0; min < 2; min++)
        for (int last = 0; last < 2; last++) {
            test_arg(min, last, 1, 1, 1, -1);
            test_arg(min, last, 3, 5, 4, -1);
            test_arg(min, last, 2, 7, 1, -1);
            test_arg(min, last, 1, 9, 6, -1);
            test_arg(min, last, 3, 5, 4, 22);   /* item 1, column 2: k = 0 and 2 */
            test_arg(min, last, 2, 7, 1, 0);    /* NaNs first and third */
        }
}

static void test_lrn(int64_t n, int64_t c, int64_t inner, int64_t size, float alpha, float beta,
                     float bias) {
    begin_case("lrn n=%lld c=%lld inner=%lld size=%lld alpha=%g beta=%g bias=%g", (long long)n,
               (long long)c, (long long)inner, (long long)size, alpha, beta, bias);
    size_t total = (size_t)(n * c * inner);
    float *x = rand_f32(total, -2, 2), *y = nan_f32(total);
    double *want = zeros_f64(total);
    for (int64_t b = 0; b < n; b++)
        for (int64_t ci = 0; ci < c; ci++)
            for (int64_t i = 0; i < inner; i++) {
                double sq = 0;
                /* ONNX: c - floor((size-1)/2) .. c + ceil((size-1)/2) */
                int64_t lo = ci - (int64_t)floor((size - 1) / 2.0);
                int64_t hi = ci + (int64_t)ceil((size - 1) / 2.0);
                for (int64_t cj = lo; cj <= hi; cj++)
                    if (cj >= 0 && cj < c) {
                        double v = x[(b * c + cj) * inner + i];
                        sq += v * v;
                    }
                size_t k = (size_t)((b * c + ci) * inner + i);
                want[k] = x[k] / pow(bias + alpha / (double)size * sq, beta);
            }
    vggrt_lrn(n, c, inner, size, alpha, beta, bias, x, y);
    check_f32("y", y, want, NULL, total);
    end_case();
    free(x), free(y), free(want);
}

/* LayerNormalization: the reference's mean and variance are those of
 * numpy's definition, computed in double from scratch (one pass for the
 * mean, one for the variance); an offset of 100 on the rows would show a
 * kernel that took E[x^2] - E[x]^2 in float.  In place when in_place; the
 * statistics and the bias left out (NULL) when bare. */
static void test_layernorm(int64_t outer, int64_t len, float eps, int in_place, int bare) {
    begin_case("layernorm outer=%lld len=%lld eps=%g%s%s", (long long)outer, (long long)len,
               eps, in_place ? " in place" : "", bare ? " no bias, no statistics" : "");
    size_t total = (size_t)(outer * len);
    float *x = rand_f32(total, 99, 101), *y = in_place ? x : nan_f32(total);
    float *scale = rand_f32((size_t)len, -2, 2), *bias = rand_f32((size_t)len, -1, 1);
    float *mean = nan_f32((size_t)outer), *inv = nan_f32((size_t)outer);
    double *want = zeros_f64(total), *wmean = zeros_f64((size_t)outer);
    double *winv = zeros_f64((size_t)outer);
    for (int64_t o = 0; o < outer; o++) {
        double m = 0, v = 0;
        for (int64_t i = 0; i < len; i++)
            m += x[o * len + i];
        m /= (double)len;
        for (int64_t i = 0; i < len; i++)
            v += (x[o * len + i] - m) * (x[o * len + i] - m);
        v /= (double)len;
        wmean[o] = m;
        winv[o] = 1.0 / sqrt(v + eps);
        for (int64_t i = 0; i < len; i++)
            want[o * len + i] = (x[o * len + i] - m) * winv[o] * scale[i] + (bare ? 0.0 : bias[i]);
    }
    vggrt_layernorm(outer, len, eps, x, scale, bare ? NULL : bias, y, bare ? NULL : mean,
                    bare ? NULL : inv);
    check_f32("y", y, want, NULL, total);
    if (!bare) {
        check_f32("mean", mean, wmean, NULL, (size_t)outer);
        check_f32("inv_std", inv, winv, NULL, (size_t)outer);
    }
    end_case();
    if (!in_place)
        free(y);
    free(x), free(scale), free(bias), free(mean), free(inv), free(want), free(wmean), free(winv);
}

/* InstanceNormalization: each (item, channel) row against statistics from
 * the sums of x and x^2 in long double (another route than the kernel's
 * two passes; exact enough with rows offset by 100, where float's E[x^2] -
 * E[x]^2 would lose everything); one scale and bias per channel. */
static void test_instancenorm(int64_t n, int64_t c, int64_t inner, float eps, int in_place) {
    begin_case("instancenorm n=%lld c=%lld inner=%lld eps=%g%s", (long long)n, (long long)c,
               (long long)inner, eps, in_place ? " in place" : "");
    size_t total = (size_t)(n * c * inner);
    float *x = rand_f32(total, 99, 101), *y = in_place ? x : nan_f32(total);
    float *scale = rand_f32((size_t)c, -2, 2), *bias = rand_f32((size_t)c, -1, 1);
    double *want = zeros_f64(total);
    for (int64_t o = 0; o < n * c; o++) {
        long double s1 = 0, s2 = 0;
        for (int64_t i = 0; i < inner; i++) {
            s1 += x[o * inner + i];
            s2 += (long double)x[o * inner + i] * x[o * inner + i];
        }
        const long double m = s1 / inner, var = s2 / inner - m * m;
        const double inv = (double)(1.0L / sqrtl(var + eps));
        for (int64_t i = 0; i < inner; i++)
            want[o * inner + i] = (double)(x[o * inner + i] - m) * inv * scale[o % c] + bias[o % c];
    }
    vggrt_instancenorm(n, c, inner, eps, x, scale, bias, y);
    check_f32("y", y, want, NULL, total);
    end_case();
    if (!in_place)
        free(y);
    free(x), free(scale), free(bias), free(want);
}

/* ---- data movement ---------------------------------------------------------------- */

static int next_perm(int n, int64_t *p) {
    int i = n - 2;
    while (i >= 0 && p[i] >= p[i + 1])
        i--;
    if (i < 0)
        return 0;
    int j = n - 1;
    while (p[j] <= p[i])
        j--;
    int64_t t = p[i];
    p[i] = p[j], p[j] = t;
    for (int a = i + 1, b = n - 1; a < b; a++, b--)
        t = p[a], p[a] = p[b], p[b] = t;
    return 1;
}

static void test_transpose(size_t es, int rank, const int64_t *dims, const int64_t *perm) {
    char s1[64], s2[64];
    begin_case("transpose elsize=%zu dims=%s perm=%s", es, shape_str(rank, dims, s1, sizeof s1),
               shape_str(rank, perm, s2, sizeof s2));
    int64_t total = 1, istr[VGGRT_MAX_RANK], odims[VGGRT_MAX_RANK];
    for (int d = rank - 1; d >= 0; d--) {
        istr[d] = total;
        total *= dims[d];
    }
    for (int d = 0; d < rank; d++)
        odims[d] = dims[perm[d]];
    size_t nb = (size_t)total * es;
    unsigned char *x = xmalloc(nb), *y = xmalloc(nb + es), *want = xmalloc(nb);
    for (size_t i = 0; i < nb; i++)
        x[i] = (unsigned char)rng();
    memset(y, 0xEE, nb + es);
    for (int64_t o = 0; o < total; o++) {
        int64_t rest = o, src = 0;
        for (int d = rank - 1; d >= 0; d--) {
            src += rest % odims[d] * istr[perm[d]];
            rest /= odims[d];
        }
        memcpy(want + (size_t)o * es, x + (size_t)src * es, es);
    }
    vggrt_transpose(es, rank, dims, perm, x, y);
    check_bytes("y", y, want, es, (size_t)total);
    for (size_t i = 0; i < es; i++)
        if (y[nb + i] != 0xEE) {
            fail("byte past the end was written");
            break;
        }
    end_case();
    free(x), free(y), free(want);
}

static void test_transposes(void) {
    static const int64_t shapes[][5] = {
        { 7 }, { 3, 4 }, { 2, 3, 5 }, { 2, 1, 3, 4 }, { 3, 4, 5, 6 }, { 2, 3, 1, 4, 5 },
        { 1, 5, 1, 1, 3 },
    };
    static const int ranks[] = { 1, 2, 3, 4, 4, 5, 5 };
    static const size_t sizes[] = { 4, 1, 2, 8, 3 };
    for (size_t s = 0; s < sizeof ranks / sizeof ranks[0]; s++)
        for (size_t e = 0; e < sizeof sizes / sizeof sizes[0]; e++) {
            int64_t perm[5] = { 0, 1, 2, 3, 4 };
            do
                test_transpose(sizes[e], ranks[s], shapes[s], perm);
            while (next_perm(ranks[s], perm));
        }
    int64_t nchw[] = { 3, 17, 14, 14 }, to_nhwc[] = { 0, 2, 3, 1 };
    test_transpose(4, 4, nchw, to_nhwc);
}

static void test_gather(size_t es, int64_t outer, int64_t len, int64_t inner, const int64_t *idx,
                        int64_t n_idx) {
    char s[128];
    begin_case("gather elsize=%zu outer=%lld len=%lld inner=%lld idx=%s", es, (long long)outer,
               (long long)len, (long long)inner, shape_str((int)n_idx, idx, s, sizeof s));
    size_t row = (size_t)inner * es, ny = (size_t)(outer * n_idx) * row;
    unsigned char *x = xmalloc((size_t)(outer * len) * row), *y = xmalloc(ny + 1);
    unsigned char *want = xmalloc(ny + 1);
    for (size_t i = 0; i < (size_t)(outer * len) * row; i++)
        x[i] = (unsigned char)rng();
    for (int64_t o = 0; o < outer; o++)
        for (int64_t j = 0; j < n_idx; j++) {
            int64_t k = idx[j] < 0 ? len + idx[j] : idx[j];
            memcpy(want + (size_t)(o * n_idx + j) * row, x + (size_t)(o * len + k) * row, row);
        }
    memset(y, 0xEE, ny + 1);
    check_status("vggrt_gather", vggrt_gather(es, outer, len, inner, x, idx, n_idx, y), VGGRT_OK);
    check_bytes("y", y, want, 1, ny);
    if (y[ny] != 0xEE)
        fail("byte past the end was written");
    end_case();
    free(x), free(y), free(want);
}

static void test_gathers(void) {
    int64_t i1[] = { 0, 4, -1, -5, 2, 2 }, i2[] = { 2 }, i3[] = { 1, 0, -2 };
    test_gather(4, 3, 5, 2, i1, 6);
    test_gather(8, 1, 5, 1, i1, 6);
    test_gather(3, 2, 3, 5, i3, 3);
    test_gather(4, 4, 3, 1, i2, 1);
    test_gather(4, 2, 5, 3, i1, 0);

    static const int64_t bad[][2] = { { 0, 5 }, { -6, 0 }, { INT64_MIN, 0 }, { INT64_MAX, 1 } };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        begin_case("gather refuses idx={%" PRId64 ",%" PRId64 "} of len 5", bad[k][0], bad[k][1]);
        float x[10] = { 0 }, y[4];
        memset(y, 0xEE, sizeof y);
        check_status("vggrt_gather", vggrt_gather(4, 2, 5, 1, x, bad[k], 2, y), VGGRT_ERR_ARG);
        for (size_t i = 0; i < sizeof y; i++)
            if (((unsigned char *)y)[i] != 0xEE) {
                fail("y was written before the index check");
                break;
            }
        end_case();
    }
}

/* GatherElements against numpy's take_along_axis spelled out: each output
 * index unravelled by division, its axis coordinate replaced by the index's
 * value, the source offset raveled again; 3-D, each axis, indices smaller
 * than the data off the axis, negative indices, and the refusals. */
static void test_gather_elements(size_t es, const int64_t *xd, const int64_t *id, int axis) {
    char s1[64], s2[64];
    begin_case("gather_elements elsize=%zu data=%s indices=%s axis=%d", es,
               shape_str(3, xd, s1, sizeof s1), shape_str(3, id, s2, sizeof s2), axis);
    const int64_t nx = xd[0] * xd[1] * xd[2], ni = id[0] * id[1] * id[2];
    unsigned char *x = xmalloc((size_t)nx * es), *y = xmalloc((size_t)ni * es + 1);
    unsigned char *want = xmalloc((size_t)ni * es + 1);
    int64_t *idx = xmalloc((size_t)ni * sizeof *idx);
    for (int64_t i = 0; i < nx * (int64_t)es; i++)
        x[i] = (unsigned char)rng();
    for (int64_t i = 0; i < ni; i++)
        idx[i] = (int64_t)(rng() % (uint64_t)(2 * xd[axis])) - xd[axis];   /* [-len, len) */
    for (int64_t i = 0; i < ni; i++) {
        int64_t c[3] = {i / (id[1] * id[2]), i / id[2] % id[1], i % id[2]};
        c[axis] = idx[i] < 0 ? idx[i] + xd[axis] : idx[i];
        memcpy(want + i * (int64_t)es, x + ((c[0] * xd[1] + c[1]) * xd[2] + c[2]) * (int64_t)es, es);
    }
    memset(y, 0xEE, (size_t)ni * es + 1);
    check_status("vggrt_gather_elements",
                 vggrt_gather_elements(es, 3, xd, id, axis, x, idx, y), VGGRT_OK);
    check_bytes("y", y, want, 1, (size_t)ni * es);
    if (y[ni * (int64_t)es] != 0xEE)
        fail("byte past the end was written");
    end_case();
    free(x), free(y), free(want), free(idx);
}

static void test_gather_elements_all(void) {
    const int64_t xd[] = {3, 4, 5}, small[] = {2, 3, 4}, wide[] = {3, 7, 5};
    for (int axis = 0; axis < 3; axis++) {
        test_gather_elements(4, xd, xd, axis);
        test_gather_elements(4, xd, small, axis);
        test_gather_elements(8, xd, small, axis);
        test_gather_elements(1, xd, xd, axis);
    }
    test_gather_elements(2, xd, wide, 1);      /* more indices than the axis is long */
    static const int64_t bad[] = {4, -5, INT64_MIN, INT64_MAX};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        begin_case("gather_elements refuses idx %" PRId64 " on an axis of 4", bad[k]);
        const int64_t d[] = {1, 4, 1}, one[] = {1, 1, 1};
        float x[4] = {0}, y[1];
        memset(y, 0xEE, sizeof y);
        check_status("vggrt_gather_elements",
                     vggrt_gather_elements(4, 3, d, one, 1, x, &bad[k], y), VGGRT_ERR_ARG);
        if (((unsigned char *)y)[0] != 0xEE)
            fail("y was written before the index check");
        end_case();
    }
}

static void test_copy2d(size_t rows, size_t row_bytes, size_t ss, size_t ds) {
    begin_case("copy2d rows=%zu row_bytes=%zu src_stride=%zu dst_stride=%zu", rows, row_bytes, ss,
               ds);
    size_t nsrc = rows ? (rows - 1) * ss + row_bytes : 0, ndst = rows ? (rows - 1) * ds + row_bytes : 0;
    unsigned char *src = xmalloc(nsrc), *dst = xmalloc(ndst + 1), *want = xmalloc(ndst + 1);
    for (size_t i = 0; i < nsrc; i++)
        src[i] = (unsigned char)rng();
    memset(dst, 0xEE, ndst + 1);
    memset(want, 0xEE, ndst + 1);
    for (size_t r = 0; r < rows; r++)
        for (size_t b = 0; b < row_bytes; b++)
            want[r * ds + b] = src[r * ss + b];
    vggrt_copy2d(rows, row_bytes, src, ss, dst, ds);
    check_bytes("dst", dst, want, 1, ndst + 1);
    end_case();
    free(src), free(dst), free(want);
}

static void test_pad(int rank, const int64_t *in, const int64_t *begin, const int64_t *end) {
    char s1[64], s2[64], s3[64];
    begin_case("pad_f32 in=%s begin=%s end=%s", shape_str(rank, in, s1, sizeof s1),
               shape_str(rank, begin, s2, sizeof s2), shape_str(rank, end, s3, sizeof s3));
    int64_t out[VGGRT_MAX_RANK], nin = 1, nout = 1;
    for (int d = 0; d < rank; d++) {
        out[d] = begin[d] + in[d] + end[d];
        nin *= in[d];
        nout *= out[d];
    }
    float *x = rand_f32((size_t)nin, -1, 1), *y = nan_f32((size_t)nout + 1);
    double *want = zeros_f64((size_t)nout);
    for (int64_t o = 0; o < nout; o++) {
        int64_t src = pad_source(rank, in, begin, out, o);
        want[o] = src >= 0 ? x[src] : -7.5;
    }
    vggrt_pad_f32(rank, in, begin, out, -7.5f, x, y);
    check_f32("y", y, want, NULL, (size_t)nout);
    if (!isnan(y[nout]))
        fail("y[%lld] past the end was written", (long long)nout);
    end_case();
    free(x), free(y), free(want);
}

static void test_pads(void) {
    int64_t in1[] = { 7 }, b1[] = { 2 }, e1[] = { 3 }, nb1[] = { -2 }, ne1[] = { -1 };
    test_pad(1, in1, b1, e1);
    test_pad(1, in1, nb1, ne1);
    test_pad(1, in1, nb1, e1);
    int64_t in2[] = { 4, 5 }, b2[] = { 1, 0 }, e2[] = { 0, 2 }, m2[] = { -1, 2 }, n2[] = { 2, -3 };
    test_pad(2, in2, b2, e2);
    test_pad(2, in2, m2, n2);
    int64_t in4[] = { 3, 5, 4, 6 }, b4[] = { 0, 0, 1, 1 }, e4[] = { 0, 0, 1, 2 };
    int64_t c4[] = { -1, 2, -1, 0 }, d4[] = { 1, -2, 0, -3 };
    test_pad(4, in4, b4, e4);
    test_pad(4, in4, c4, d4);
    int64_t in3[] = { 2, 3, 4 }, b3[] = { 0, 0, -4 }, e3[] = { 0, 0, 2 }; /* last dim all pad */
    test_pad(3, in3, b3, e3);
    test_pad(0, NULL, NULL, NULL);
}

int main(void) {
    test_convs();
    test_pools();
    test_gemms();
    test_matmuls();
    test_binaries();
    test_pows();
    test_unaries();
    test_channel_affine(3, 5, 7);
    test_channel_affine(2, 17, 1);
    test_casts();
    test_softmaxes();
    test_reductions();
    test_args();
    test_lrn(1, 3, 5, 1, 1e-4f, 0.75f, 1.0f);
    test_lrn(2, 5, 7, 3, 0.9f, 0.75f, 2.0f);
    test_lrn(1, 17, 4, 5, 0.9f, 0.75f, 1.0f);
    test_lrn(3, 6, 2, 2, 0.9f, 0.5f, 1.0f);   /* even size: one more channel after */
    test_lrn(1, 5, 3, 4, 0.9f, 1.0f, 1.0f);
    test_lrn(1, 3, 3, 7, 0.9f, 0.75f, 1.0f);  /* window wider than the channels */
    test_lrn(2, 5, 6, 3, 0.9f, 0.6f, 1.5f);   /* a beta with no form of its own: powf */
    test_lrn(2, 40, 300, 5, 1e-2f, 0.75f, 1.0f); /* 80 planes for the thread pool */
    test_layernorm(3, 4, 1e-5f, 0, 0);
    test_layernorm(1, 1, 1e-5f, 0, 0);          /* one element: y is the bias */
    test_layernorm(6, 77, 0.1f, 1, 0);
    test_layernorm(4, 512, 1e-6f, 0, 1);
    test_instancenorm(2, 3, 5 * 7, 1e-5f, 0);
    test_instancenorm(1, 1, 1, 1e-5f, 0);       /* one element: y is the bias */
    test_instancenorm(3, 16, 97, 0.1f, 1);
    test_transposes();
    test_gathers();
    test_gather_elements_all();
    test_copy2d(5, 12, 20, 16);
    test_copy2d(4, 8, 8, 8);
    test_copy2d(3, 5, 5, 11);
    test_copy2d(0, 5, 5, 5);
    test_pads();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
