/* test_blocked.c — the blocked-layout kernels (NCHW16c and NCHW8c) against
 * references.  Every test runs for both blocks libvggrt has (16 and 8
 * channels: each kernel is compiled once per width), and a block of any
 * other width must be refused with VGGRT_ERR_ARG.
 *
 * Layout changes and the weight packing are checked bit for bit against
 * their index formulas.  The direct convolution is checked against a naive
 * reference written from the definition (in double, from the NCHW input,
 * sharing no code with the kernel), followed by the activation and the
 * fused max pool also in double; its input is given in each of the three
 * layouts (NHWC by a transpose here, blocked by vggrt_to_blocked with the
 * channel slots past c set to NaN, which the kernel must never read), and
 * its blocked output is turned back to NCHW with vggrt_from_blocked.  It
 * runs on 1, 2 and 3 threads: every result against the reference, and the
 * results of 2 and 3 threads bit for bit against that of 1 (the shapes
 * include work that splits unevenly: odd block and row counts, ranges that
 * start inside overlapping pool windows, rows cut into segments).  The
 * blocked pools are checked against vggrt_maxpool2d / vggrt_avgpool2d on
 * the same data in NCHW: the max bit for bit, the average within the
 * tolerance below (its magnitude is the average pool of |x|).  The global
 * pools against a naive mean/max in double.
 *
 * Everything blocked is also checked for its padded lanes: output channel
 * slots past k (or c) must be exactly +0.0, whatever the activation (a
 * sigmoid of 0 would be 0.5).  Outputs are filled with NaN before each call
 * and work buffers allocated at exactly the size asked for, so skipped
 * elements fail and overruns are caught under AddressSanitizer.
 *
 * Tolerance, as in test_kernels.c: |got - want| <= 1e-5 * mag + 1e-6, mag
 * being the sum of |terms| of the exact result (for a pooled output the
 * largest mag in its window).
 *
 * `test_runtime_blocked bench` times vggrt_dconv2d against vggrt_conv2d
 * (im2col + sgemm) on VGG-16 layers, single-threaded, and asserts nothing.
 */
#define TEST_NAME "test_blocked"
#include "test_util.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The block under test: main runs every test for 16 and for 8. */
static int B = 16;

/* Blocks of B channels that hold c channels. */
static int64_t nblocks(int64_t c) {
    return (c + B - 1) / B;
}

/* ---- checks beyond test_util.h's -------------------------------------------------- */

static void check_bits(const char *what, const float *got, const float *want, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (memcmp(&got[i], &want[i], sizeof got[i]) != 0) {
            fail("%s[%zu] = %.9g, want %.9g (bit for bit)", what, i, got[i], want[i]);
            return;
        }
}

/* Blocked [outer, kb, inner, 16]: the lanes past k of the last block are +0.0. */
static void check_padded_lanes(const char *what, const float *y, int64_t outer, int64_t k,
                               int64_t inner) {
    const int64_t kb = (k + B - 1) / B;
    if (k % B == 0)
        return;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++)
            for (int64_t l = k % B; l < B; l++) {
                float v = y[((o * kb + kb - 1) * inner + i) * B + l];
                if (v != 0.0f || signbit(v)) {
                    fail("%s: padded lane (n=%lld, channel %lld, position %lld) = %.9g, want 0",
                         what, (long long)o, (long long)((kb - 1) * B + l), (long long)i, v);
                    return;
                }
            }
}

static const char *const layout_names[] = { "nchw", "nhwc", "blocked" };

/* x[n, c, hw] (NCHW) in layout `layout`; blocked padding slots are NaN. */
static float *in_layout(int layout, int64_t n, int64_t c, int64_t hw, const float *x) {
    size_t len = (size_t)(layout == VGGRT_LAYOUT_BLOCKED ? n * nblocks(c) * B * hw : n * c * hw);
    float *y = nan_f32(len);
    if (layout == VGGRT_LAYOUT_NCHW) {
        memcpy(y, x, len * sizeof *y);
    } else if (layout == VGGRT_LAYOUT_NHWC) {
        for (int64_t b = 0; b < n; b++)
            for (int64_t ch = 0; ch < c; ch++)
                for (int64_t i = 0; i < hw; i++)
                    y[(b * hw + i) * c + ch] = x[(b * c + ch) * hw + i];
    } else {
        vggrt_to_blocked(B, VGGRT_LAYOUT_NCHW, n, c, hw, x, y);
        for (int64_t b = 0; b < n; b++)
            for (int64_t ch = c; ch < nblocks(c) * B; ch++)
                for (int64_t i = 0; i < hw; i++)
                    y[((b * nblocks(c) + ch / B) * hw + i) * B + ch % B] = NAN;
    }
    return y;
}

/* ---- layout changes --------------------------------------------------------------- */

static void test_layouts(int64_t n, int64_t c, int64_t hw) {
    const int64_t cb = nblocks(c);
    const size_t nx = (size_t)(n * c * hw), nb = (size_t)(n * cb * hw * B);
    float *x = rand_f32(nx, -1, 1), *nhwc = in_layout(VGGRT_LAYOUT_NHWC, n, c, hw, x);
    float *want = xmalloc(nb * sizeof *want);
    for (int64_t b = 0; b < n; b++)
        for (int64_t ch = 0; ch < cb * B; ch++)
            for (int64_t i = 0; i < hw; i++)
                want[((b * cb + ch / B) * hw + i) * B + ch % B] =
                    ch < c ? x[(b * c + ch) * hw + i] : 0.0f;
    for (int layout = VGGRT_LAYOUT_NCHW; layout <= VGGRT_LAYOUT_BLOCKED; layout++) {
        begin_case("to_blocked from %s n=%lld c=%lld hw=%lld", layout_names[layout],
                   (long long)n, (long long)c, (long long)hw);
        const float *src = layout == VGGRT_LAYOUT_NCHW ? x
                           : layout == VGGRT_LAYOUT_NHWC ? nhwc
                                                         : want;
        float *y = nan_f32(nb + 1);
        vggrt_to_blocked(B, layout, n, c, hw, src, y);
        check_bits("y", y, want, nb);
        if (!isnan(y[nb]))
            fail("y[%zu] past the end was written", nb);
        end_case();
        free(y);
    }
    begin_case("from_blocked n=%lld c=%lld hw=%lld", (long long)n, (long long)c, (long long)hw);
    float *back = nan_f32(nx + 1);
    vggrt_from_blocked(B, n, c, hw, want, back);
    check_bits("y", back, x, nx);
    if (!isnan(back[nx]))
        fail("y[%zu] past the end was written", nx);
    end_case();
    free(x), free(nhwc), free(want), free(back);
}

/* ---- direct convolution ----------------------------------------------------------- */

typedef struct {
    int64_t n, c, h, w, k, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw;
    int bias;
    int64_t pool_k, pool_s;
} DconvCase;

/* groups: conv.group (1, or whole blocks per group: vggrt_dconv_groups_apply). */
static void test_dconv(const DconvCase *t, int layout, int act, int64_t groups) {
    vggrt_dconv_params p;
    memset(&p, 0, sizeof p);
    p.block = B;
    vggrt_conv_params *q = &p.conv;
    q->c = t->c, q->h = t->h, q->w = t->w, q->k = t->k, q->kh = t->kh, q->kw = t->kw;
    q->sh = t->sh, q->sw = t->sw, q->pt = t->pt, q->pl = t->pl, q->dh = t->dh, q->dw = t->dw;
    q->group = groups, q->act = act;
    q->oh = (t->h + t->pt + t->pb - t->dh * (t->kh - 1) - 1) / t->sh + 1;
    q->ow = (t->w + t->pl + t->pr - t->dw * (t->kw - 1) - 1) / t->sw + 1;
    p.in_layout = layout;
    p.alpha = act == VGGRT_ACT_CLIP ? -0.5f : 0.1f;
    p.beta = 0.75f;
    p.pool_k = t->pool_k, p.pool_s = t->pool_s;
    p.py = t->pool_k ? (q->oh - t->pool_k) / t->pool_s + 1 : q->oh;
    p.px = t->pool_k ? (q->ow - t->pool_k) / t->pool_s + 1 : q->ow;
    begin_case("dconv2d %s n=%lld c=%lld h=%lld w=%lld k=%lld group=%lld kernel=%lldx%lld "
               "stride=%lldx%lld pads(t,l,b,r)=%lld,%lld,%lld,%lld dilation=%lldx%lld %s%s "
               "pool=%lld/%lld -> %lldx%lld -> %lldx%lld",
               layout_names[layout], (long long)t->n, (long long)t->c, (long long)t->h,
               (long long)t->w, (long long)t->k, (long long)groups, (long long)t->kh,
               (long long)t->kw, (long long)t->sh, (long long)t->sw, (long long)t->pt,
               (long long)t->pl,
               (long long)t->pb, (long long)t->pr, (long long)t->dh, (long long)t->dw,
               act_names[act], t->bias ? " bias" : "", (long long)t->pool_k,
               (long long)t->pool_s, (long long)q->oh, (long long)q->ow, (long long)p.py,
               (long long)p.px);
    const int64_t kb = nblocks(t->k), hw = t->h * t->w, cg = t->c / groups;
    const size_t nx = (size_t)(t->n * t->c * hw), nw = (size_t)(t->k * cg * t->kh * t->kw);
    const size_t nconv = (size_t)(t->n * t->k * q->oh * q->ow);
    const size_t ny = (size_t)(t->n * kb * B * p.py * p.px);
    const size_t nout = (size_t)(t->n * t->k * p.py * p.px);
    float *x = rand_f32(nx, -1, 1), *w = rand_f32(nw, -1, 1);
    float *b = rand_f32((size_t)(kb * B), -1, 1);
    for (int64_t k = t->k; k < kb * B; k++)
        b[k] = 0.0f;
    float *xin = in_layout(layout, t->n, t->c, hw, x);

    /* The conv in double, then the activation, then the pool. */
    double *conv = zeros_f64(nconv), *cmag = zeros_f64(nconv);
    for (int64_t bi = 0; bi < t->n; bi++)
        for (int64_t k = 0; k < t->k; k++)
            for (int64_t oy = 0; oy < q->oh; oy++)
                for (int64_t ox = 0; ox < q->ow; ox++) {
                    double acc = t->bias ? b[k] : 0.0, m = t->bias ? fabs(b[k]) : 0.0;
                    const int64_t c0 = k / (t->k / groups) * cg; /* the group's first input */
                    for (int64_t ci = c0; ci < c0 + cg; ci++)
                        for (int64_t i = 0; i < t->kh; i++)
                            for (int64_t j = 0; j < t->kw; j++) {
                                int64_t iy = oy * t->sh - t->pt + i * t->dh;
                                int64_t ix = ox * t->sw - t->pl + j * t->dw;
                                if (iy < 0 || iy >= t->h || ix < 0 || ix >= t->w)
                                    continue;
                                double xv = x[((bi * t->c + ci) * t->h + iy) * t->w + ix];
                                double term = xv * w[((k * cg + ci - c0) * t->kh + i) * t->kw + j];
                                acc += term;
                                m += fabs(term);
                            }
                    size_t o = (size_t)(((bi * t->k + k) * q->oh + oy) * q->ow + ox);
                    conv[o] = act_ref(act, acc, p.alpha, p.beta);
                    cmag[o] = m;
                }
    double *want = zeros_f64(nout), *mag = zeros_f64(nout);
    for (int64_t plane = 0; plane < t->n * t->k; plane++)
        for (int64_t oy = 0; oy < p.py; oy++)
            for (int64_t ox = 0; ox < p.px; ox++) {
                size_t o = (size_t)((plane * p.py + oy) * p.px + ox);
                if (!t->pool_k) {
                    want[o] = conv[o];
                    mag[o] = cmag[o];
                    continue;
                }
                double mx = -DBL_MAX, mm = 0;
                for (int64_t i = 0; i < t->pool_k; i++)
                    for (int64_t j = 0; j < t->pool_k; j++) {
                        size_t src = (size_t)((plane * q->oh + oy * t->pool_s + i) * q->ow +
                                              ox * t->pool_s + j);
                        mx = conv[src] > mx ? conv[src] : mx;
                        mm = cmag[src] > mm ? cmag[src] : mm;
                    }
                want[o] = mx;
                mag[o] = mm;
            }

    size_t npacked = vggrt_dconv_packed_size(&p);
    if (npacked != (size_t)(kb * B * cg * t->kh * t->kw))
        fail("vggrt_dconv_packed_size = %zu, want %lld", npacked,
             (long long)(kb * B * cg * t->kh * t->kw));
    float *packed = nan_f32(npacked);
    vggrt_dconv_pack(&p, w, packed);
    size_t nwork = vggrt_dconv_work_size(&p);
    float *work = nwork ? nan_f32(nwork) : NULL;
    /* y aligned as the compiler's arena aligns it (a 64-byte-aligned y takes
     * the streaming stores of a plain input), one NaN past the end. */
    float *y = vggrt_aligned_alloc((ny + 1) * sizeof *y), *got = nan_f32(nout), *y1 = NULL;
    if (!y) {
        fprintf(stderr, TEST_NAME ": out of memory\n");
        exit(2);
    }
    for (size_t i = 0; i <= ny; i++)
        y[i] = NAN;
    /* On 1, 2 and 3 threads: each result against the reference, and the
     * results of 2 and 3 threads bit for bit against that of 1. */
    for (int threads = 1; threads <= 3; threads++) {
        vggrt_set_num_threads(threads);
        for (size_t i = 0; i <= ny; i++)
            y[i] = NAN;
        vggrt_dconv2d(&p, t->n, xin, packed, t->bias ? b : NULL, y, work);
        if (!isnan(y[ny]))
            fail("threads=%d: y[%zu] past the end was written", threads, ny);
        vggrt_from_blocked(B, t->n, t->k, p.py * p.px, y, got);
        check_f32(threads == 1 ? "y (as NCHW), 1 thread" : threads == 2 ? "y (as NCHW), 2 threads"
                                                                        : "y (as NCHW), 3 threads",
                  got, want, mag, nout);
        check_padded_lanes("y", y, t->n, t->k, p.py * p.px);
        if (threads == 1) {
            y1 = xmalloc(ny * sizeof *y1);
            memcpy(y1, y, ny * sizeof *y1);
        } else {
            check_bits(threads == 2 ? "y on 2 threads vs 1" : "y on 3 threads vs 1", y, y1, ny);
        }
    }
    vggrt_set_num_threads(0);
    end_case();
    free(x), free(w), free(b), free(xin), free(conv), free(cmag), free(want), free(mag);
    free(packed), free(work), free(got), free(y1);
    vggrt_aligned_free(y);
}

static void test_pack(int64_t k, int64_t c, int64_t kh, int64_t kw) {
    begin_case("dconv_pack k=%lld c=%lld kernel=%lldx%lld", (long long)k, (long long)c,
               (long long)kh, (long long)kw);
    vggrt_dconv_params p;
    memset(&p, 0, sizeof p);
    p.block = B;
    p.conv.k = k, p.conv.c = c, p.conv.kh = kh, p.conv.kw = kw;
    const int64_t kb = nblocks(k), taps = kh * kw;
    size_t nw = (size_t)(k * c * taps), np = (size_t)(kb * B * c * taps);
    float *w = rand_f32(nw, -1, 1), *want = xmalloc(np * sizeof *want), *got = nan_f32(np + 1);
    for (int64_t bk = 0; bk < kb; bk++)
        for (int64_t ci = 0; ci < c; ci++)
            for (int64_t tap = 0; tap < taps; tap++)
                for (int64_t l = 0; l < B; l++) {
                    int64_t ko = bk * B + l;
                    want[((bk * c + ci) * taps + tap) * B + l] =
                        ko < k ? w[(ko * c + ci) * taps + tap] : 0.0f;
                }
    if (vggrt_dconv_packed_size(&p) != np)
        fail("vggrt_dconv_packed_size = %zu, want %zu", vggrt_dconv_packed_size(&p), np);
    vggrt_dconv_pack(&p, w, got);
    check_bits("packed", got, want, np);
    if (!isnan(got[np]))
        fail("packed[%zu] past the end was written", np);
    end_case();
    free(w), free(want), free(got);
}

/* Grouped convolutions (each group whole blocks of B channels in and out,
 * from NCHW or blocked input) against the reference, and the groups that
 * the kernel refuses: a group of part of a block, and NHWC input. */
static void test_groups(void) {
    /* n  c   h   w   k  kh kw sh sw pt pl pb pr dh dw bias pool, then groups */
    static const struct { DconvCase t; int64_t groups; } cases[] = {
        { { 1, 32, 9, 11, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 }, 2 },
        { { 3, 48, 13, 13, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 2 }, 2 }, /* AlexNet's conv5 */
        { { 2, 96, 15, 14, 64, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1, 0, 0 }, 2 }, /* a 5x5 of 3 blocks */
        { { 1, 64, 8, 8, 64, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0 }, 4 },   /* 4 groups, 1x1 */
        { { 2, 32, 10, 10, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 2, 2 }, 2 }, /* stride 2 + pool */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const DconvCase *t = &cases[i].t;
        const int64_t g = cases[i].groups;
        if (t->c / g % B || t->k / g % B)
            continue; /* groups of 24 or 8 channels: blocks of 8 only */
        test_dconv(t, VGGRT_LAYOUT_NCHW, (int)(i % 2) * VGGRT_ACT_RELU, g);
        test_dconv(t, VGGRT_LAYOUT_BLOCKED, (int)((i + 1) % 2) * VGGRT_ACT_RELU, g);
    }
    begin_case("dconv2d groups refused: part of a block, NHWC input");
    vggrt_dconv_params p;
    memset(&p, 0, sizeof p);
    p.block = B;
    p.conv = (vggrt_conv_params){ 2 * B, 8, 8, 2 * B, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 2, 0 };
    p.in_layout = VGGRT_LAYOUT_BLOCKED;
    p.py = p.px = 8;
    if (!vggrt_dconv_groups_apply(&p))
        fail("2 groups of one block each refused");
    vggrt_dconv_params r = p;
    r.conv.group = 4;  /* half a block per group */
    if (vggrt_dconv_groups_apply(&r) || vggrt_dconv_packed_size(&r) != 0 ||
        vggrt_dconv2d(&r, 1, NULL, NULL, NULL, NULL, NULL) != VGGRT_ERR_ARG)
        fail("4 groups of half a block accepted");
    r = p, r.in_layout = VGGRT_LAYOUT_NHWC;
    if (vggrt_dconv_groups_apply(&r) || vggrt_dconv_pack(&r, NULL, NULL) != VGGRT_ERR_ARG)
        fail("groups of NHWC input accepted");
    end_case();
}

static void test_dconvs(void) {
    static const DconvCase cases[] = {
        /* n  c   h   w   k  kh kw sh sw pt pl pb pr dh dw bias pool */
        { 1, 3, 5, 7, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0 },      /* 1x1 */
        { 3, 17, 4, 6, 16, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0 },    /* 1x1, batch 3, k = 16 */
        { 1, 5, 7, 9, 3, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, 0, 0 },      /* 1x1 stride 2 */
        { 1, 5, 4, 5, 3, 1, 1, 1, 1, 1, 0, 0, 2, 1, 1, 1, 0, 0 },      /* 1x1 padded */
        { 1, 3, 8, 8, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 },      /* VGG's 3x3 */
        { 1, 3, 8, 8, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2 },      /* ... + 2x2 pool */
        { 3, 5, 9, 11, 17, 3, 3, 2, 2, 0, 2, 1, 0, 1, 1, 1, 0, 0 },    /* asymmetric, stride 2 */
        { 1, 17, 10, 9, 6, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1, 0, 0 },    /* dilation 2 */
        { 1, 3, 9, 8, 4, 3, 2, 1, 2, 1, 0, 2, 1, 2, 1, 0, 0, 0 },      /* mixed stride, dilation */
        { 1, 3, 11, 10, 4, 5, 5, 3, 3, 2, 1, 0, 2, 1, 1, 1, 0, 0 },    /* 5x5 stride 3 */
        { 3, 5, 12, 19, 20, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1, 2, 2 },   /* 5x5 + pool */
        { 3, 4, 1, 20, 3, 1, 3, 1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0 },     /* 1-D as h = 1 */
        { 1, 3, 2, 2, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 },      /* kernel covers the input */
        { 1, 2, 3, 3, 3, 3, 3, 1, 1, 3, 3, 3, 3, 1, 1, 1, 0, 0 },      /* rows of pure padding */
        { 1, 17, 14, 14, 33, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 },  /* 153-term sums, kb = 3 */
        { 3, 33, 16, 37, 33, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2 },  /* every tile width */
        { 1, 33, 15, 31, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 2 },  /* 3x3 stride 2 pool */
        { 3, 5, 13, 16, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 2, 3 },    /* pool stride past k */
        { 1, 5, 12, 13, 7, 2, 2, 2, 2, 0, 0, 1, 1, 1, 1, 0, 0, 0 },    /* even kernel */
        { 1, 4, 7, 8, 4, 3, 3, 2, 2, 1, 1, -1, 0, 1, 1, 1, 0, 0 },     /* floor drops a row */
        { 1, 16, 6, 40, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2 },   /* VGG-like row of 40 */
        { 1, 3, 9, 30, 18, 3, 3, 1, 2, 0, 1, 2, 0, 2, 3, 1, 3, 2 },    /* stride/dilation/pool */
        /* Work that splits unevenly over 2 and 3 threads: an odd number of
         * output blocks (kb = 3, 5), odd row counts, ranges that start
         * inside an overlapping 3x3/2 pool. */
        { 1, 20, 7, 9, 48, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 },
        { 2, 16, 11, 13, 80, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 2 },
        { 1, 33, 13, 10, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 2, 2 },
        /* Rows wider than a task's pool ring (cut into column segments),
         * with 2x2/2 and with overlapping 3x3/2 windows. */
        { 1, 3, 6, 300, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2 },
        { 1, 5, 7, 301, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 2 },
        /* A pool window too large for the ring: the work buffer, one thread. */
        { 1, 3, 26, 27, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 24, 1 },
        /* 1x1 with many channels: several channel blocks per pass. */
        { 1, 70, 5, 17, 33, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0 },
        /* 5x5 dilation 2, stride 1: padded-row border tiles wider than 3 taps. */
        { 1, 18, 12, 33, 20, 5, 5, 1, 1, 4, 4, 4, 4, 2, 2, 1, 2, 2 },
        /* A network's first layer (3 channels of plain input: planar rows
         * copied once per conv row, bias and ReLU in registers, streaming
         * stores without a pool), batch 1 and 3, with and without the
         * pool, ReLU and none, 64 outputs (with AVX-512's tile of 14
         * pixels: one group of 4 blocks of 16, all 64 outputs, or two
         * groups of 4 blocks of 8; with AVX2 one group of 8 blocks of 8,
         * through the tile one block at a time; elsewhere a group of one
         * block, so 4 or 8 groups); 72 outputs (a group and a part of one,
         * with AVX2 and AVX-512); 32 and 48 outputs (there, a group of 4
         * blocks of 16 in part); 16 channels; with dilation and asymmetric
         * padding; rows too wide for the copy (the per-tile gather). */
        { 1, 3, 12, 45, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 },
        { 3, 3, 12, 45, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 },
        { 2, 3, 7, 30, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 },
        { 2, 3, 6, 50, 72, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 },
        { 1, 3, 7, 50, 72, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2 },
        { 1, 16, 6, 23, 48, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 },
        { 1, 3, 12, 45, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2 },
        { 3, 3, 13, 44, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 2, 2 },
        { 2, 3, 9, 17, 10, 3, 3, 1, 1, 0, 2, 2, 0, 2, 2, 1, 2, 2 },
        { 1, 3, 5, 400, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 },
        { 1, 16, 4, 400, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 },
        { 1, 3, 3, 1900, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 },
        /* The first layer at the models' widths, 160 and 224 (the unrolled
         * tile of 3 channels x 3x3: tiles of 5 and 6 pixels, 2 and 3 pooled
         * columns with the 2x2 pool in the tile; with AVX2 11 and 12
         * pixels, 5 and 6 pooled columns), ReLU and none each; the
         * pool in the tile with 1 and 2 pooled columns per tile, and with a
         * group of 2 blocks of 16 (32 outputs). */
        { 1, 3, 5, 160, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 },
        { 1, 3, 6, 224, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2 },
        { 1, 3, 7, 224, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 },
        { 2, 3, 9, 160, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2 },
        { 1, 3, 4, 3, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2 },
        { 1, 3, 5, 9, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2 },
        /* Strided first layers (planar rows in phases, plain_layout; with
         * AVX2 the tile of 2 blocks x 6 pixels, plain_tiles), ReLU and
         * none each: AlexNet's 11x11/4 with its 3x3/2 pool, 40 outputs
         * (with AVX2 5 blocks: two pairs and a single one), ResNet's 7x7/2,
         * a 3x3/2 (with AVX2 not the sliding tile), and a row too wide for
         * the planar buffer (the per-tile gather). */
        { 1, 3, 67, 67, 40, 11, 11, 4, 4, 2, 2, 2, 2, 1, 1, 1, 3, 2 },
        { 1, 3, 67, 67, 40, 11, 11, 4, 4, 2, 2, 2, 2, 1, 1, 1, 3, 2 },
        { 2, 3, 23, 47, 64, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1, 0, 0 },
        { 2, 3, 23, 47, 64, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1, 0, 0 },
        { 1, 3, 9, 33, 24, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 0, 0 },
        { 1, 3, 11, 1900, 16, 11, 11, 4, 4, 0, 0, 0, 0, 1, 1, 1, 0, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int layout = VGGRT_LAYOUT_NCHW; layout <= VGGRT_LAYOUT_BLOCKED; layout++)
            test_dconv(&cases[i], layout, (int)(i % 2) * VGGRT_ACT_RELU, 1);
    /* Every activation, with and without a fused pool, the padded lanes of a partial block. */
    static const DconvCase act_cases[] = {
        { 3, 5, 9, 13, 21, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 },
        { 2, 3, 6, 20, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 },
        { 1, 17, 10, 18, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2 },
        { 1, 33, 11, 11, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 3, 2 },
    };
    for (size_t i = 0; i < sizeof act_cases / sizeof act_cases[0]; i++)
        for (int act = VGGRT_ACT_NONE; act <= VGGRT_ACT_SIGMOID; act++)
            for (int layout = VGGRT_LAYOUT_NCHW; layout <= VGGRT_LAYOUT_BLOCKED; layout++)
                test_dconv(&act_cases[i], layout, act, 1);
    test_pack(5, 3, 3, 3);
    test_pack(16, 2, 1, 1);
    test_pack(33, 5, 5, 5);
    test_groups();
}

/* ---- pools ------------------------------------------------------------------------ */

static void test_pool(const PoolCase *t, int avg, int cip) {
    vggrt_pool_params p;
    memset(&p, 0, sizeof p);
    p.c = t->c, p.h = t->h, p.w = t->w, p.kh = t->kh, p.kw = t->kw, p.sh = t->sh, p.sw = t->sw;
    p.pt = t->pt, p.pl = t->pl, p.pb = t->pb, p.pr = t->pr, p.dh = t->dh, p.dw = t->dw;
    p.count_include_pad = cip;
    p.oh = pool_out(t->h, t->kh, t->sh, t->pt, t->pb, t->dh, t->ceil_mode);
    p.ow = pool_out(t->w, t->kw, t->sw, t->pl, t->pr, t->dw, t->ceil_mode);
    begin_case("%s_blocked n=%lld c=%lld h=%lld w=%lld kernel=%lldx%lld stride=%lldx%lld "
               "pads(t,l,b,r)=%lld,%lld,%lld,%lld dilation=%lldx%lld ceil_mode=%d -> %lldx%lld",
               avg ? (cip ? "avgpool2d(count_include_pad=1)" : "avgpool2d") : "maxpool2d",
               (long long)t->n, (long long)t->c, (long long)t->h, (long long)t->w,
               (long long)t->kh, (long long)t->kw, (long long)t->sh, (long long)t->sw,
               (long long)t->pt, (long long)t->pl, (long long)t->pb, (long long)t->pr,
               (long long)t->dh, (long long)t->dw, t->ceil_mode, (long long)p.oh, (long long)p.ow);
    const int64_t cb = nblocks(t->c), hw = t->h * t->w, ohw = p.oh * p.ow;
    const size_t nx = (size_t)(t->n * t->c * hw), ny = (size_t)(t->n * t->c * ohw);
    const size_t nyb = (size_t)(t->n * cb * B * ohw);
    float *x = rand_f32(nx, -1, 1), *xb = xmalloc((size_t)(t->n * cb * B * hw) * sizeof *xb);
    vggrt_to_blocked(B, VGGRT_LAYOUT_NCHW, t->n, t->c, hw, x, xb);
    float *ref = nan_f32(ny), *yb = nan_f32(nyb + 1), *got = nan_f32(ny);
    if (avg) {
        float *ax = xmalloc(nx * sizeof *ax), *amag = nan_f32(ny);
        for (size_t i = 0; i < nx; i++)
            ax[i] = fabsf(x[i]);
        vggrt_avgpool2d(&p, t->n, x, ref);
        vggrt_avgpool2d(&p, t->n, ax, amag);
        double *want = zeros_f64(ny), *mag = zeros_f64(ny);
        for (size_t i = 0; i < ny; i++)
            want[i] = ref[i], mag[i] = amag[i];
        vggrt_avgpool2d_blocked(B, &p, t->n, xb, yb);
        vggrt_from_blocked(B, t->n, t->c, ohw, yb, got);
        check_f32("y (as NCHW)", got, want, mag, ny);
        free(ax), free(amag), free(want), free(mag);
    } else {
        vggrt_maxpool2d(&p, t->n, x, ref);
        vggrt_maxpool2d_blocked(B, &p, t->n, xb, yb);
        vggrt_from_blocked(B, t->n, t->c, ohw, yb, got);
        check_bits("y (as NCHW)", got, ref, ny);
    }
    check_padded_lanes("y", yb, t->n, t->c, ohw);
    if (!isnan(yb[nyb]))
        fail("y[%zu] past the end was written", nyb);
    end_case();
    free(x), free(xb), free(ref), free(yb), free(got);
}

static void test_pools(void) {
    static const PoolCase cases[] = {
        /* n  c   h   w  kh kw sh sw pt pl pb pr dh dw ceil */
        { 1, 3, 8, 8, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 0 },    /* VGG's 2x2 */
        { 3, 5, 7, 9, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1 },    /* ceil: last window overhangs */
        { 1, 17, 7, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1 },   /* ceil with padding */
        { 3, 33, 9, 10, 3, 2, 2, 3, 1, 0, 2, 1, 1, 1, 1 },  /* asymmetric everything */
        { 1, 5, 11, 9, 3, 3, 2, 2, 2, 1, 0, 2, 2, 2, 0 },   /* dilation 2 */
        { 1, 17, 10, 11, 3, 3, 3, 2, 1, 2, 1, 0, 2, 1, 1 }, /* dilation, ceil */
        { 1, 3, 7, 7, 7, 7, 1, 1, 0, 0, 0, 0, 1, 1, 0 },    /* global */
        { 3, 16, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0 },   /* stride 1, same padding, c = 16 */
        { 1, 3, 6, 6, 2, 2, 3, 3, 0, 0, 1, 1, 1, 1, 0 },    /* stride past kernel */
        { 1, 5, 5, 5, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 2 },    /* ceil_mode without the fix */
        { 1, 3, 5, 4, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 2 },    /* a window all in the padding */
        { 1, 33, 5, 5, 1, 1, 3, 3, 0, 0, 0, 0, 1, 1, 2 },   /* a window past the input */
        /* Big enough to run on the thread pool, rows splitting unevenly. */
        { 1, 40, 33, 35, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 0 },
        { 2, 17, 45, 47, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        test_pool(&cases[i], 0, 0);
        test_pool(&cases[i], 1, 0);
        test_pool(&cases[i], 1, 1);
    }
}

static void test_global_pool(int is_max, int64_t n, int64_t c, int64_t hw) {
    begin_case("global_pool_blocked %s n=%lld c=%lld hw=%lld", is_max ? "max" : "mean",
               (long long)n, (long long)c, (long long)hw);
    const int64_t cb = nblocks(c);
    const size_t nx = (size_t)(n * c * hw), ny = (size_t)(n * c);
    float *x = rand_f32(nx, -1, 1), *xb = xmalloc((size_t)(n * cb * B * hw) * sizeof *xb);
    float *y = nan_f32(ny + 1);
    double *want = zeros_f64(ny), *mag = zeros_f64(ny);
    vggrt_to_blocked(B, VGGRT_LAYOUT_NCHW, n, c, hw, x, xb);
    for (int64_t o = 0; o < n * c; o++) {
        double s = 0, a = 0, m = -INFINITY;
        for (int64_t i = 0; i < hw; i++) {
            double v = x[o * hw + i];
            s += v, a += fabs(v);
            m = v > m ? v : m;
        }
        want[o] = is_max ? m : s / (double)hw;
        mag[o] = is_max ? fabs(m) : a / (double)hw;
    }
    vggrt_global_pool_blocked(B, is_max, n, c, hw, xb, y);
    check_f32("y", y, want, mag, ny);
    if (!isnan(y[ny]))
        fail("y[%zu] past the end was written", ny);
    end_case();
    free(x), free(xb), free(y), free(want), free(mag);
}

/* LRN on the blocked layout against vggrt_lrn on the same data in NCHW
 * (itself checked against a double reference in test_kernels.c): bit for
 * bit, and the padded lanes +0. */
static void test_lrn_blocked(int64_t n, int64_t c, int64_t hw, int64_t size, float beta) {
    begin_case("lrn_blocked n=%lld c=%lld hw=%lld size=%lld beta=%g", (long long)n, (long long)c,
               (long long)hw, (long long)size, beta);
    const int64_t cb = nblocks(c);
    const size_t nx = (size_t)(n * c * hw), nb = (size_t)(n * cb * B * hw);
    float *x = rand_f32(nx, -2, 2), *want = nan_f32(nx), *got = nan_f32(nx);
    float *xb = nan_f32(nb), *yb = nan_f32(nb + 1);
    vggrt_to_blocked(B, VGGRT_LAYOUT_NCHW, n, c, hw, x, xb);
    vggrt_lrn(n, c, hw, size, 0.9f, beta, 1.5f, x, want);
    if (vggrt_lrn_blocked(B, n, c, hw, size, 0.9f, beta, 1.5f, xb, yb) != VGGRT_OK)
        fail("vggrt_lrn_blocked refused");
    vggrt_from_blocked(B, n, c, hw, yb, got);
    check_bits("y (as NCHW)", got, want, nx);
    check_padded_lanes("y", yb, n, c, hw);
    if (!isnan(yb[nb]))
        fail("y[%zu] past the end was written", nb);
    end_case();
    free(x), free(want), free(got), free(xb), free(yb);
}

static void test_lrns(void) {
    test_lrn_blocked(1, 5, 7, 5, 0.75f);     /* part of one block */
    test_lrn_blocked(2, 16, 9, 5, 0.75f);
    test_lrn_blocked(1, 40, 30, 5, 0.75f);   /* windows across blocks */
    test_lrn_blocked(3, 20, 11, 4, 0.5f);    /* even size: one more channel after */
    test_lrn_blocked(1, 33, 6, 1, 1.0f);
    test_lrn_blocked(2, 24, 5, 3, 0.6f);     /* powf */
    test_lrn_blocked(1, 40, 4, 17, 0.75f);   /* the widest window */
    test_lrn_blocked(2, 96, 200, 5, 0.75f);  /* on the pool */
    begin_case("lrn_blocked: a window of 18 refused");
    float x[2 * 16] = { 0 }, y[2 * 16];
    for (int i = 0; i < 32; i++)
        y[i] = NAN;
    if (vggrt_lrn_blocked(B, 1, 20, 1, 18, 1, 1, 1, x, y) != VGGRT_ERR_ARG || !isnan(y[0]))
        fail("size 18 not refused");
    end_case();
}

/* ---- bench ------------------------------------------------------------------------ */

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Best of reps runs, in seconds. */
#define BEST_OF(reps, best, call)                                                              \
    do {                                                                                       \
        best = 1e30;                                                                           \
        for (int r_ = 0; r_ < (reps); r_++) {                                                  \
            double t0_ = now();                                                                \
            call;                                                                              \
            double t_ = now() - t0_;                                                           \
            best = t_ < best ? t_ : best;                                                      \
        }                                                                                      \
    } while (0)

static void bench_layer(int64_t c, int64_t k, int64_t hw, int layout, int64_t pool, int reps) {
    vggrt_dconv_params p;
    memset(&p, 0, sizeof p);
    p.block = B;
    vggrt_conv_params *q = &p.conv;
    q->c = c, q->h = hw, q->w = hw, q->k = k, q->kh = 3, q->kw = 3, q->sh = 1, q->sw = 1;
    q->pt = 1, q->pl = 1, q->dh = 1, q->dw = 1, q->group = 1, q->act = VGGRT_ACT_RELU;
    q->oh = hw, q->ow = hw;
    p.in_layout = layout;
    p.pool_k = pool, p.pool_s = pool;
    p.py = pool ? hw / 2 : hw, p.px = pool ? hw / 2 : hw;
    const int64_t kb = nblocks(k);
    float *x = rand_f32((size_t)(nblocks(c) * B * hw * hw), -1, 1);
    float *w = rand_f32((size_t)(k * c * 9), -1, 1), *bias = rand_f32((size_t)(kb * B), -1, 1);
    float *packed = xmalloc(vggrt_dconv_packed_size(&p) * sizeof *packed);
    float *y = xmalloc((size_t)(kb * B * hw * hw) * sizeof *y);
    size_t nwork = vggrt_dconv_work_size(&p), ncol = vggrt_conv2d_work_size(q);
    float *work = xmalloc((nwork ? nwork : 1) * sizeof *work);
    float *col = xmalloc((ncol ? ncol : 1) * sizeof *col);
    vggrt_dconv_pack(&p, w, packed);
    double flops = 2.0 * (double)(k * c * 9 * hw * hw), td, tg;
    BEST_OF(reps, td, vggrt_dconv2d(&p, 1, x, packed, bias, y, work));
    BEST_OF(reps, tg, vggrt_conv2d(q, 1, x, w, bias, y, col));
    printf("c=%lld k=%lld %lldx%lld 3x3 pad 1 relu%s, input %s: dconv2d %.3f ms %.1f GFLOP/s; "
           "conv2d (im2col+sgemm) %.3f ms %.1f GFLOP/s\n",
           (long long)c, (long long)k, (long long)hw, (long long)hw, pool ? " + maxpool 2x2" : "",
           layout_names[layout], td * 1e3, flops / td * 1e-9, tg * 1e3, flops / tg * 1e-9);
    free(x), free(w), free(bias), free(packed), free(y), free(work), free(col);
}

static int bench(void) {
    openblas_set_num_threads(1);
    printf("OpenBLAS core: %s, OPENBLAS_CORETYPE=%s\n", openblas_get_corename(),
           getenv("OPENBLAS_CORETYPE") ? getenv("OPENBLAS_CORETYPE") : "(unset)");
    bench_layer(256, 256, 40, VGGRT_LAYOUT_BLOCKED, 0, 10);
    bench_layer(256, 256, 40, VGGRT_LAYOUT_BLOCKED, 2, 10);
    bench_layer(64, 64, 56, VGGRT_LAYOUT_BLOCKED, 0, 10);
    bench_layer(512, 512, 14, VGGRT_LAYOUT_BLOCKED, 0, 10);
    bench_layer(3, 64, 224, VGGRT_LAYOUT_NCHW, 0, 5);
    return 0;
}

/* A block other than 8 or 16: every entry point refuses it, touching
 * nothing; the size queries say 0.  (0 in vggrt_dconv_params means 16.) */
static void test_bad_block(int block) {
    begin_case("block %d refused", block);
    vggrt_dconv_params p;
    memset(&p, 0, sizeof p);
    p.conv = (vggrt_conv_params){ 3, 4, 4, 5, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0 };
    p.in_layout = VGGRT_LAYOUT_BLOCKED;
    p.py = p.px = 4;
    p.block = block;
    vggrt_pool_params pp;
    memset(&pp, 0, sizeof pp);
    pp.c = 3, pp.h = pp.w = 4, pp.oh = pp.ow = 2, pp.kh = pp.kw = pp.sh = pp.sw = 2;
    pp.dh = pp.dw = 1;
    float x[4 * 4 * 32], w[5 * 3 * 9], y[4 * 4 * 32];
    for (size_t i = 0; i < sizeof x / sizeof *x; i++)
        x[i] = 1.0f;
    for (size_t i = 0; i < sizeof w / sizeof *w; i++)
        w[i] = 1.0f;
    for (size_t i = 0; i < sizeof y / sizeof *y; i++)
        y[i] = NAN;
    if (vggrt_dconv_packed_size(&p) || vggrt_dconv_work_size(&p) || vggrt_wino_packed_size(&p) ||
        vggrt_wino_applies(&p))
        fail("a size query answered for block %d", block);
    vggrt_status st[10] = {
        vggrt_dconv_pack(&p, w, y),
        vggrt_wino_pack(&p, w, y),
        vggrt_dconv2d(&p, 1, x, w, NULL, y, NULL),
        vggrt_wino_conv2d(&p, 1, x, w, NULL, y, NULL),
        vggrt_to_blocked(block, VGGRT_LAYOUT_NCHW, 1, 3, 16, x, y),
        vggrt_from_blocked(block, 1, 3, 16, x, y),
        vggrt_maxpool2d_blocked(block, &pp, 1, x, y),
        vggrt_avgpool2d_blocked(block, &pp, 1, x, y),
        vggrt_global_pool_blocked(block, 0, 1, 3, 16, x, y),
        vggrt_lrn_blocked(block, 1, 3, 16, 5, 1, 1, 1, x, y),
    };
    for (int i = 0; i < 10; i++)
        if (st[i] != VGGRT_ERR_ARG)
            fail("entry point %d returned %d, want VGGRT_ERR_ARG", i, (int)st[i]);
    for (size_t i = 0; i < sizeof y / sizeof *y; i++)
        if (!isnan(y[i])) {
            fail("y[%zu] was written", i);
            break;
        }
    end_case();
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "bench") == 0)
        return bench();
    test_bad_block(4);
    test_bad_block(32);
    test_bad_block(-16);
    for (int bi = 0; bi < 2; bi++) {
    B = bi ? 8 : 16;
    printf("-- block %d\n", B);
    test_dconvs(); /* (on 1, 2 and 3 threads itself) */
    /* The other kernels on 1, 2 and 3 threads; the big shapes run on the
     * pool, the small ones stay on the caller. */
    for (int threads = 1; threads <= 3; threads++) {
        printf("-- layout changes and pools on %d thread%s\n", threads, threads > 1 ? "s" : "");
        vggrt_set_num_threads(threads);
        test_layouts(1, 3, 7);
        test_layouts(3, 17, 5);
        test_layouts(2, 33, 4);
        test_layouts(1, 16, 3);
        test_layouts(1, 35, 1100); /* pixel chunks of 1024 and a short one */
        test_layouts(3, 3, 5000);
        test_pools();
        for (int is_max = 0; is_max < 2; is_max++) {
            test_global_pool(is_max, 1, 3, 49);
            test_global_pool(is_max, 3, 17, 13);
            test_global_pool(is_max, 2, 33, 1);
            test_global_pool(is_max, 1, 512, 196);
            test_global_pool(is_max, 3, 40, 700);
        }
        test_lrns();
    }
    }
    vggrt_set_num_threads(0);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
