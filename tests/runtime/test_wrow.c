/* test_wrow.c — vggrt_wrow_conv2d, a network's first layer as Winograd
 * F(4, 3) along the rows, against a naive direct convolution.
 *
 * The reference is written here from the definition of a convolution (in
 * double, from the NCHW input, sharing no code with the kernel): y =
 * act(conv(x, w) + b), compared in the kernel's blocked output layout
 * [n, kb, oh, ow, B].  Every case runs for blocks of 16 and of 8, from
 * the input as NCHW and as NHWC (the same values transposed).  The
 * shapes: every width of 1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 31, 64, 161 (runs
 * of 4 outputs with 0-3 left over, rows of more than one vector) with
 * every height of 1, 2, 3, 5, and a few taller maps, each with c of 1..4,
 * k of 1, 5, 16, 17, 33 or 64 (a partial last block, odd block counts),
 * top, left, bottom and right padding of 0..2 (so oh and ow vary), batch
 * 1 or 3, no activation or ReLU, a bias or none, drawn from a fixed seed;
 * the widest rows the kernel takes (ow = VGGRT_WROW_MAX_W, from padded and
 * unpadded input); VGG-16's first layer (3 -> 64 channels, 160x160,
 * padding 1, ReLU).
 *
 * Each case also runs on 2 and 3 threads, which must give the 1-thread
 * result bit for bit.
 *
 * The buffers are 64-byte aligned, as a compiled network's are.  x has
 * NaN on either side (an output computed from a value outside x is NaN
 * and fails); y starts as NaN (every element the layer owns must be
 * written) between guards of SENTINEL that must stay (nothing outside
 * [n, kb, oh, ow, B] written), and the packed weights have the same
 * guards around vggrt_wrow_packed_size floats.  Output lanes of channels
 * past k must be exactly +0.0.
 *
 * Tolerance.  Per output, |got - want| <= TOL * mag + FLOOR, mag = sum of
 * |w * x| over the terms of the direct sum, plus |b|.  In exact arithmetic
 * the kernel computes each run of 4 outputs of a row as
 *     y = A^T [ sum over c and tap rows of (G g) .* (B^T d) ] + b,
 * d the row's 6 inputs and g the tap row's 3 weights.  Every product of a
 * weight and an input of that 6-wide window enters it with the weight
 * |A^T| |G| |B^T| (most cancel exactly): up to 10.7 for one product, 4-29
 * summed over the window per tap, where the direct sum has 1 for the one
 * product it uses.  So the rounding error follows W, that weighted sum of
 * |products|, rather than mag: |err| <= R u W to first order, u = 2^-24,
 * R = 21 roundings along a path (G g once, B^T d up to 3, the sum of
 * 3c <= 12 products, A^T up to 4, the bias).  Measured over these cases
 * the error stays within 1.5 u W.  Against mag, all but ~160 of the 4
 * million outputs checked are within 1e-6; the largest ratio (printed at
 * the end) is 4.6e-6 in the AVX-512 and AVX2 builds and 7.6e-6 in the
 * SSE2 and sanitizer builds, at an output whose own products are small
 * beside the rest of its window (W = 130 mag).  TOL = 3e-5 is 4 times
 * that, and a fault still falls far outside it: a packed weight off by
 * 1e-3 of itself moves its outputs by 1e-4..1e-3 of mag, a dropped or
 * misplaced term by ~1/(9c) of it.  FLOOR is test_util.h's 1e-6 (values
 * here are of order 1), for outputs whose mag is tiny.  With ReLU the
 * output is compared with relu(want) under the same bound (ReLU is
 * 1-Lipschitz): where want is within the bound of 0, on either side, both
 * 0 and a small positive value pass.
 */
#define TEST_NAME "test_wrow"
#include "test_util.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL 3e-5
#define FLOOR 1e-6

/* Floats of guard on either side of a buffer: one 64-byte line, so that
 * the buffer itself stays 64-byte aligned. */
enum { GUARD = 16 };
/* What the guards of y and packed hold: a value no output here comes near. */
#define SENTINEL 1234.5f

/* The block under test: each case runs for 16 and for 8. */
static int B = 16;

/* Blocks of B channels that hold c channels. */
static int64_t nblocks(int64_t c) {
    return (c + B - 1) / B;
}

static double worst_rel; /* max |err| / mag over all outputs */

typedef struct {
    int64_t n, c, k, h, w;
    int64_t pt, pl, pb, pr; /* padding: top, left, bottom, right */
    int act, bias;          /* VGGRT_ACT_NONE or _RELU; whether b is given */
} Case;

static vggrt_dconv_params params(const Case *t, int block, int layout) {
    vggrt_dconv_params p;
    memset(&p, 0, sizeof p);
    const int64_t oh = t->h + t->pt + t->pb - 2, ow = t->w + t->pl + t->pr - 2;
    p.conv = (vggrt_conv_params){ t->c, t->h, t->w, t->k, oh, ow, 3, 3,
                                  1, 1, t->pt, t->pl, 1, 1, 1, t->act };
    p.in_layout = layout;
    p.py = oh, p.px = ow;
    p.block = block;
    return p;
}

/* n floats, 64-byte aligned, all `fill`, with GUARD floats of `guard` on
 * either side. */
static float *guarded(size_t n, float fill, float guard) {
    float *p = vggrt_aligned_alloc((n + 2 * GUARD) * sizeof *p);
    if (!p) {
        fprintf(stderr, TEST_NAME ": out of memory\n");
        exit(2);
    }
    for (size_t i = 0; i < n + 2 * GUARD; i++)
        p[i] = i < GUARD || i >= GUARD + n ? guard : fill;
    return p + GUARD;
}

static void free_guarded(float *p) {
    vggrt_aligned_free(p - GUARD);
}

/* The guards around p[0, n) still hold SENTINEL. */
static void check_guards(const char *what, const float *p, size_t n) {
    const float *before = p - GUARD, *after = p + n;
    for (size_t i = 0; i < GUARD; i++) {
        if (before[i] != SENTINEL) {
            fail("%s[-%zu], before the start, was written: %.9g", what, GUARD - i, before[i]);
            return;
        }
        if (after[i] != SENTINEL) {
            fail("%s[%zu], past the end, was written: %.9g", what, n + i, after[i]);
            return;
        }
    }
}

/* One block and layout of x (NCHW or NHWC): pack, run, and check every
 * element of y against the reference (ref: conv + b before the
 * activation, [n, k, oh, ow]; mag its sum of |terms|). */
static void run_block(const Case *t, int layout, const float *x, const float *wt,
                      const float *bk, const double *ref, const double *mag) {
    const vggrt_dconv_params p = params(t, B, layout);
    const int64_t n = t->n, c = t->c, k = t->k, oh = p.conv.oh, ow = p.conv.ow, kb = nblocks(k);
    begin_case("wrow block %d %s n=%lld c=%lld k=%lld %lldx%lld pad t%lld l%lld b%lld r%lld "
               "-> %lldx%lld act=%s%s",
               B, layout == VGGRT_LAYOUT_NHWC ? "NHWC" : "NCHW", (long long)n, (long long)c, (long long)k, (long long)t->h, (long long)t->w,
               (long long)t->pt, (long long)t->pl, (long long)t->pb, (long long)t->pr,
               (long long)oh, (long long)ow, act_names[t->act], t->bias ? " bias" : "");
    if (!vggrt_wrow_applies(&p)) {
        fail("vggrt_wrow_applies says no");
        end_case();
        return;
    }
    const size_t np = vggrt_wrow_packed_size(&p), ny = (size_t)(n * kb * oh * ow * B);
    if (np != (size_t)(kb * B * c * 18)) {
        fail("vggrt_wrow_packed_size = %zu, want %lld", np, (long long)(kb * B * c * 18));
        end_case();
        return;
    }
    float *packed = guarded(np, NAN, SENTINEL), *y = guarded(ny, NAN, SENTINEL);
    float *b = guarded((size_t)(kb * B), 0.0f, NAN); /* zero past k */
    memcpy(b, bk, (size_t)k * sizeof *b);
    if (vggrt_wrow_pack(&p, wt, packed) != VGGRT_OK)
        fail("vggrt_wrow_pack failed");
    check_guards("packed", packed, np);
    vggrt_set_num_threads(1);
    if (vggrt_wrow_conv2d(&p, n, x, packed, t->bias ? b : NULL, y, NULL) != VGGRT_OK)
        fail("vggrt_wrow_conv2d failed");
    check_guards("y", y, ny);
    /* Each output is one task's sum in a fixed order: the same bits on any
     * number of threads. */
    for (int threads = 2; threads <= 3; threads++) {
        float *y2 = guarded(ny, NAN, SENTINEL);
        vggrt_set_num_threads(threads);
        if (vggrt_wrow_conv2d(&p, n, x, packed, t->bias ? b : NULL, y2, NULL) != VGGRT_OK)
            fail("vggrt_wrow_conv2d failed on %d threads", threads);
        char what[48];
        snprintf(what, sizeof what, "y on %d threads", threads);
        check_bytes(what, y2, y, sizeof(float), ny);
        free_guarded(y2);
    }
    vggrt_set_num_threads(0);
    for (size_t i = 0; i < ny; i++) {
        const int64_t pix = (int64_t)(i / (size_t)B), ox = pix % ow, oy = pix / ow % oh;
        const int64_t ch = pix / (ow * oh) % kb * B + (int64_t)(i % (size_t)B);
        const int64_t item = pix / (ow * oh * kb);
        if (ch >= k) {
            if (y[i] != 0.0f || signbit(y[i])) {
                fail("padded lane (n=%lld, channel %lld, %lld, %lld) = %.9g, want +0",
                     (long long)item, (long long)ch, (long long)oy, (long long)ox, y[i]);
                break;
            }
            continue;
        }
        const size_t o = (size_t)(((item * k + ch) * oh + oy) * ow + ox);
        const double want = t->act == VGGRT_ACT_RELU && ref[o] < 0 ? 0.0 : ref[o];
        const double err = fabs((double)y[i] - want), tol = TOL * mag[o] + FLOOR;
        if (!(err <= tol)) { /* also catches NaN */
            fail("y(n=%lld, channel %lld, %lld, %lld) = %.9g, want %.9g (err %.3g > tol %.3g)",
                 (long long)item, (long long)ch, (long long)oy, (long long)ox, y[i], want, err,
                 tol);
            break;
        }
        if (mag[o] > 0 && err / mag[o] > worst_rel)
            worst_rel = err / mag[o];
    }
    free_guarded(packed), free_guarded(y), free_guarded(b);
    end_case();
}

/* A case's data and reference, then the kernel for blocks of 16 and 8. */
static void run_case(const Case *t) {
    const int64_t n = t->n, c = t->c, k = t->k, h = t->h, w = t->w;
    const int64_t oh = t->h + t->pt + t->pb - 2, ow = t->w + t->pl + t->pr - 2;
    const size_t nx = (size_t)(n * c * h * w), no = (size_t)(n * k * oh * ow);
    float *x = guarded(nx, 0.0f, NAN);
    for (size_t i = 0; i < nx; i++)
        x[i] = frand(-1, 1);
    float *wt = rand_f32((size_t)(k * c * 9), -1, 1), *bk = xmalloc((size_t)k * sizeof *bk);
    for (int64_t i = 0; i < k; i++)
        bk[i] = t->bias ? frand(-0.5f, 0.5f) : 0.0f;
    /* Reference: the bias, then each tap (a, e) over the outputs whose
     * input iy = oy - pt + a, ix = ox - pl + e lies inside x. */
    double *ref = xmalloc(no * sizeof *ref), *mag = xmalloc(no * sizeof *mag);
    for (int64_t b = 0; b < n; b++)
        for (int64_t ko = 0; ko < k; ko++) {
            double *r = ref + (b * k + ko) * oh * ow, *m = mag + (b * k + ko) * oh * ow;
            for (int64_t o = 0; o < oh * ow; o++)
                r[o] = bk[ko], m[o] = fabs((double)bk[ko]);
            for (int64_t ci = 0; ci < c; ci++)
                for (int64_t a = 0; a < 3; a++)
                    for (int64_t e = 0; e < 3; e++) {
                        const double g = wt[((ko * c + ci) * 3 + a) * 3 + e];
                        const int64_t y0 = t->pt - a > 0 ? t->pt - a : 0;
                        const int64_t y1 = h + t->pt - a < oh ? h + t->pt - a : oh;
                        const int64_t x0 = t->pl - e > 0 ? t->pl - e : 0;
                        const int64_t x1 = w + t->pl - e < ow ? w + t->pl - e : ow;
                        for (int64_t oy = y0; oy < y1; oy++) {
                            const float *xr = x + ((b * c + ci) * h + oy - t->pt + a) * w;
                            for (int64_t ox = x0; ox < x1; ox++) {
                                const double v = g * xr[ox - t->pl + e];
                                r[oy * ow + ox] += v, m[oy * ow + ox] += fabs(v);
                            }
                        }
                    }
        }
    /* The same input as NHWC. */
    float *xh = guarded(nx, 0.0f, NAN);
    for (int64_t b = 0; b < n; b++)
        for (int64_t ci = 0; ci < c; ci++)
            for (int64_t i = 0; i < h * w; i++)
                xh[(b * h * w + i) * c + ci] = x[(b * c + ci) * h * w + i];
    for (int bi = 0; bi < 2; bi++) {
        B = bi ? 8 : 16;
        run_block(t, VGGRT_LAYOUT_NCHW, x, wt, bk, ref, mag);
        run_block(t, VGGRT_LAYOUT_NHWC, xh, wt, bk, ref, mag);
    }
    free_guarded(x), free_guarded(xh), free(wt), free(bk), free(ref), free(mag);
}

/* vggrt_wrow_applies takes VGG-16's first layer and 1..4 channels, and
 * refuses each single departure from what the kernel handles;
 * vggrt_wrow_packed_size is ceil(k/B)*B * c * 18. */
static void test_applies(void) {
    begin_case("vggrt_wrow_applies, vggrt_wrow_packed_size, block %d", B);
    const Case vgg = { 1, 3, 64, 160, 160, 1, 1, 1, 1, VGGRT_ACT_RELU, 1 };
    const vggrt_dconv_params p = params(&vgg, B, VGGRT_LAYOUT_NCHW);
    vggrt_dconv_params r;
    if (!vggrt_wrow_applies(&p))
        fail("VGG-16's first layer refused");
    for (int64_t c = 1; c <= VGGRT_WROW_MAX_C; c++) {
        r = p, r.conv.c = c;
        if (!vggrt_wrow_applies(&r))
            fail("c=%lld refused", (long long)c);
    }
    r = p, r.conv.act = VGGRT_ACT_NONE;
    if (!vggrt_wrow_applies(&r))
        fail("no activation refused");
    r = p, r.in_layout = VGGRT_LAYOUT_NHWC;
    if (!vggrt_wrow_applies(&r))
        fail("NHWC input refused");
    /* The limit is on ow: the widest output from padded and unpadded rows. */
    r = p, r.conv.w = VGGRT_WROW_MAX_W, r.conv.ow = r.px = VGGRT_WROW_MAX_W;
    if (!vggrt_wrow_applies(&r))
        fail("ow=%d (w=%d, padding 1) refused", VGGRT_WROW_MAX_W, VGGRT_WROW_MAX_W);
    r.conv.w = VGGRT_WROW_MAX_W + 2, r.conv.pl = 0;
    if (!vggrt_wrow_applies(&r))
        fail("ow=%d (w=%d, padding 0) refused", VGGRT_WROW_MAX_W, VGGRT_WROW_MAX_W + 2);

    static const char *const why[] = {
        "c=0", "c=5", "top padding 3", "blocked input", "kh=5", "kw=5", "1x1", "stride 2 (sh)",
        "stride 2 (sw)", "dilation 2 (dh)", "dilation 2 (dw)", "group 2", "a 2x2 pool",
        "clip", "leaky_relu", "sigmoid", "ow past VGGRT_WROW_MAX_W",
    };
    for (int v = 0; v < (int)(sizeof why / sizeof why[0]); v++) {
        r = p;
        vggrt_conv_params *q = &r.conv;
        switch (v) {
        case 0: q->c = 0; break;
        case 1: q->c = VGGRT_WROW_MAX_C + 1; break;
        case 2: q->pt = 3, q->oh = r.py = 164; break;
        case 3: r.in_layout = VGGRT_LAYOUT_BLOCKED; break;
        case 4: q->kh = 5, q->oh = r.py = 158; break;
        case 5: q->kw = 5, q->ow = r.px = 158; break;
        case 6: q->kh = q->kw = 1, q->oh = q->ow = r.py = r.px = 162; break;
        case 7: q->sh = 2, q->oh = r.py = 80; break;
        case 8: q->sw = 2, q->ow = r.px = 80; break;
        case 9: q->dh = 2, q->oh = r.py = 158; break;
        case 10: q->dw = 2, q->ow = r.px = 158; break;
        case 11: q->c = 4, q->group = 2; break; /* 2 and 32 channels per group */
        case 12: r.pool_k = r.pool_s = 2, r.py = r.px = 80; break;
        case 13: q->act = VGGRT_ACT_CLIP, r.alpha = 0, r.beta = 6; break;
        case 14: q->act = VGGRT_ACT_LEAKY_RELU, r.alpha = 0.1f; break;
        case 15: q->act = VGGRT_ACT_SIGMOID; break;
        default: q->w = q->ow = r.px = VGGRT_WROW_MAX_W + 1; break;
        }
        if (vggrt_wrow_applies(&r))
            fail("%s accepted", why[v]);
    }

    static const struct { int64_t c, k; size_t b16, b8; } sizes[] = {
        { 3, 64, 3456, 3456 }, /* 4 blocks of 16, 8 of 8 */
        { 1, 17, 576, 432 },   /* 2 blocks of 16, 3 of 8 */
        { 4, 5, 1152, 576 },   /* one partial block */
    };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        r = p, r.conv.c = sizes[i].c, r.conv.k = sizes[i].k;
        const size_t want = B == 16 ? sizes[i].b16 : sizes[i].b8;
        if (vggrt_wrow_packed_size(&r) != want)
            fail("vggrt_wrow_packed_size(c=%lld, k=%lld) = %zu, want %zu", (long long)sizes[i].c,
                 (long long)sizes[i].k, vggrt_wrow_packed_size(&r), want);
    }
    end_case();
}

/* A block of 0 means 16; any other block than 8 and 16 is refused as by
 * the other blocked kernels (blocks.c): applies and the size say 0, pack
 * and conv2d return VGGRT_ERR_ARG and write nothing. */
static void test_other_blocks(void) {
    begin_case("vggrt_wrow_* with blocks 0 and 12");
    const Case t = { 1, 3, 20, 6, 7, 1, 1, 1, 1, VGGRT_ACT_RELU, 1 };
    const int nchw = VGGRT_LAYOUT_NCHW;
    const vggrt_dconv_params p0 = params(&t, 0, nchw), p16 = params(&t, 16, nchw),
                             p12 = params(&t, 12, nchw);
    if (!vggrt_wrow_applies(&p0))
        fail("block 0 refused");
    if (vggrt_wrow_packed_size(&p0) != vggrt_wrow_packed_size(&p16))
        fail("vggrt_wrow_packed_size: block 0 gives %zu, 16 gives %zu",
             vggrt_wrow_packed_size(&p0), vggrt_wrow_packed_size(&p16));
    if (vggrt_wrow_applies(&p12))
        fail("block 12 accepted");
    if (vggrt_wrow_packed_size(&p12) != 0)
        fail("vggrt_wrow_packed_size with block 12 = %zu, want 0", vggrt_wrow_packed_size(&p12));
    /* Buffers as large as block 16 needs, all SENTINEL. */
    const size_t np = vggrt_wrow_packed_size(&p16), ny = (size_t)(2 * 6 * 7 * 16);
    float *x = rand_f32((size_t)(3 * 6 * 7), -1, 1), *wt = rand_f32(20 * 3 * 9, -1, 1);
    float *packed = guarded(np, SENTINEL, SENTINEL), *y = guarded(ny, SENTINEL, SENTINEL);
    if (vggrt_wrow_pack(&p12, wt, packed) != VGGRT_ERR_ARG)
        fail("vggrt_wrow_pack with block 12: not VGGRT_ERR_ARG");
    check_guards("packed", packed, np);
    for (size_t i = 0; i < np; i++)
        if (packed[i] != SENTINEL) {
            fail("vggrt_wrow_pack with block 12 wrote packed[%zu]", i);
            break;
        }
    if (vggrt_wrow_conv2d(&p12, 1, x, packed, NULL, y, NULL) != VGGRT_ERR_ARG)
        fail("vggrt_wrow_conv2d with block 12: not VGGRT_ERR_ARG");
    check_guards("y", y, ny);
    for (size_t i = 0; i < ny; i++)
        if (y[i] != SENTINEL) {
            fail("vggrt_wrow_conv2d with block 12 wrote y[%zu]", i);
            break;
        }
    free(x), free(wt), free_guarded(packed), free_guarded(y);
    end_case();
}

/* Uniform in [0, m). */
static int64_t pick(int64_t m) {
    return (int64_t)(rng() % (uint64_t)m);
}

/* A case of an h x w input, the rest drawn: paddings 0..2 that leave at
 * least one output row and column. */
static Case draw_case(int64_t h, int64_t w) {
    static const int64_t ks[] = { 1, 5, 16, 17, 33, 64 };
    Case t;
    t.h = h, t.w = w;
    t.n = pick(2) ? 3 : 1;
    t.c = 1 + pick(VGGRT_WROW_MAX_C);
    t.k = ks[pick(6)];
    t.act = pick(2) ? VGGRT_ACT_RELU : VGGRT_ACT_NONE;
    t.bias = (int)pick(2);
    do
        t.pt = pick(3), t.pb = pick(3);
    while (h + t.pt + t.pb - 2 < 1);
    do
        t.pl = pick(3), t.pr = pick(3);
    while (w + t.pl + t.pr - 2 < 1);
    return t;
}

int main(void) {
    test_seed(0x3C6EF372FE94F82Bull);
    for (int bi = 0; bi < 2; bi++) {
        B = bi ? 8 : 16;
        test_applies();
    }
    test_other_blocks();

    static const int64_t widths[] = { 1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 31, 64, 161 };
    static const int64_t heights[] = { 1, 2, 3, 5 };
    /* Taller maps, of many rows. */
    static const int64_t tall[][2] = { { 16, 20 }, { 23, 9 }, { 40, 33 }, { 9, 100 }, { 31, 5 } };
    enum { NW = sizeof widths / sizeof widths[0], NH = sizeof heights / sizeof heights[0] };
    enum { NT = sizeof tall / sizeof tall[0] };
    static Case cases[NW * NH + NT + 3];
    int nc = 0;
    for (int i = 0; i < NW; i++)
        for (int j = 0; j < NH; j++)
            cases[nc++] = draw_case(heights[j], widths[i]);
    for (int i = 0; i < NT; i++)
        cases[nc++] = draw_case(tall[i][0], tall[i][1]);
    /* ow = VGGRT_WROW_MAX_W: unpadded input that wide, and padded input
     * narrower. */
    cases[nc++] = (Case){ 1, 3, 17, 4, VGGRT_WROW_MAX_W + 2, 0, 0, 0, 0, VGGRT_ACT_RELU, 1 };
    cases[nc++] = (Case){ 3, 4, 33, 6, VGGRT_WROW_MAX_W - 1, 1, 2, 0, 1, VGGRT_ACT_NONE, 0 };
    /* VGG-16's first layer. */
    cases[nc++] = (Case){ 1, 3, 64, 160, 160, 1, 1, 1, 1, VGGRT_ACT_RELU, 1 };
    for (int i = 0; i < nc; i++)
        run_case(&cases[i]);

    printf("largest |err| / sum|terms|: %.3g (TOL %.3g, u = %.3g)\n", worst_rel, TOL,
           ldexp(1.0, -24));
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
