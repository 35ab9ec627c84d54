/* test_winograd.c — the Winograd F(4x4, 3x3) and F(2x2, 5x5) convolutions
 * against a naive direct convolution.
 *
 * The reference is written here from the definition of a convolution (in
 * double, from the NCHW input, sharing no code with the kernel and not
 * using dconv.c), followed by bias, activation and the 2x2 stride-2 max
 * pool, also in double.  The kernel reads the input blocked, with the
 * channel slots past c set to NaN (it must never use them), writes into an
 * output filled with NaN (every element it owns must be written), and its
 * padded output lanes must be exactly +0.0.  Shapes have c and k that are
 * not multiples of 16, sizes that are not multiples of 4 (5x5, 10x10,
 * 13x7, 1x1, 6x9), zero padding 1 (and one case of padding 0), batch 1 and
 * 3, with and without the pool, and every activation, and the kernel's
 * splits: one tile group of several register tiles, groups that cross
 * batch items, few tiles split over output blocks.  The 5x5 cases (2x2
 * tiles, padding 2 as AlexNet's, and 0) cover the same ground.  Each case also runs
 * with 1, 2 and 3 threads: the outputs must be the same bit for bit.  All
 * of it runs for blocks of 16 channels (NCHW16c) and of 8 (NCHW8c).
 *
 * Tolerance, from the error analysis of Winograd's algorithm (Lavin and
 * Gray 2016; Barabasz et al., "Error analysis and improving the accuracy
 * of Winograd convolution", 2020).  In exact arithmetic the kernel computes
 *     y = A^T [ sum_c (G g_c G^T) .* (B^T d_c B) ] A,
 * where d_c is the 6x6 input window of the output's 4x4 tile (2x2 for
 * F(2x2, 5x5), with its own A^T and G).  Every
 * product g_ab * d_xy of a filter tap and a window value appears in that
 * expression (most cancel exactly), with the weight
 *     |A^T| |G| |B^T| along rows times the same along columns,
 * so, to first order, the rounding error of a computation that performs at
 * most R roundings along any path is bounded by
 *     |err| <= R * u * W,   W = sum_c |A^T| ((|G||g_c||G^T|) .* (|B^T||d_c||B|)) |A|
 * (u = 2^-24; each rounding multiplies by (1 + e), |e| <= u).  Along one
 * path the kernel rounds once for U (packed in double, stored in float), 4
 * times in each 1-D input transform (8 for B^T d B), C times in the sum
 * over channels (one fused multiply-add each), at most 4 times in each
 * 1-D output transform (8; F(2x2, 5x5)'s rows take 3), and once for the
 * bias: R = C + 18 bounds both.  The test computes W
 * in double per output and checks |got - want| <= (C + 18) * u * W, plus
 * 1e-30 for exact zeros; after a pool, the largest bound in the window (max
 * is 1-Lipschitz, as are the activations; the sigmoid's slope is 1/4).
 * W is about 10-60 times sum|terms| of the direct sum here, so the bound is
 * 1e-4..5e-4 of sum|terms| for C = 40, while a single dropped or misplaced
 * term is ~1/(9C) = 3e-3 of it: the test still sees any indexing error.
 * It also prints the largest error measured, relative to sum|terms|.
 */
#define TEST_NAME "test_winograd"
#include "test_util.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The block under test: main runs every case for 16 and for 8 (each
 * width has its own copy of the kernel, runtime/kernels/blocks.h). */
static int B = 16;

/* Blocks of B channels that hold c channels. */
static int64_t nblocks(int64_t c) {
    return (c + B - 1) / B;
}

static double worst_rel; /* max |err| / sum|terms| over all cases */

/* |A^T|, |G| of F(4x4, 3x3) and F(2x2, 5x5), |B^T| of both: only for the
 * error bound W. */
typedef struct {
    int m, r;                 /* outputs along a tile's side; the filter's */
    double at[4][6], g[6][5];
    double fw[4][5][6];       /* init_weights */
} Variant;

static Variant f43 = {
    4, 3,
    { { 1, 1, 1, 1, 1, 0 }, { 0, 1, 1, 2, 2, 0 }, { 0, 1, 1, 4, 4, 0 }, { 0, 1, 1, 8, 8, 1 } },
    { { 1.0 / 4, 0, 0 }, { 1.0 / 6, 1.0 / 6, 1.0 / 6 }, { 1.0 / 6, 1.0 / 6, 1.0 / 6 },
      { 1.0 / 24, 1.0 / 12, 1.0 / 6 }, { 1.0 / 24, 1.0 / 12, 1.0 / 6 }, { 0, 0, 1 } },
    { { { 0 } } },
};
static Variant f25 = {
    2, 5,
    { { 1, 1, 1, 1, 1, 0 }, { 0, 1, 1, 2, 2, 1 } },
    { { 1.0 / 4, 0, 0, 0, 0 },
      { 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6 },
      { 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6 },
      { 1.0 / 24, 1.0 / 12, 1.0 / 6, 1.0 / 3, 2.0 / 3 },
      { 1.0 / 24, 1.0 / 12, 1.0 / 6, 1.0 / 3, 2.0 / 3 },
      { 0, 0, 0, 0, 1 } },
    { { { 0 } } },
};
static const double absBT[6][6] = {
    { 4, 0, 5, 0, 1, 0 }, { 0, 4, 4, 1, 1, 0 }, { 0, 4, 4, 1, 1, 0 },
    { 0, 2, 1, 2, 1, 0 }, { 0, 2, 1, 2, 1, 0 }, { 0, 4, 0, 5, 0, 1 },
};

/* fw[i][a][x] = sum_xi |A^T[i][xi]| |G[xi][a]| |B^T[xi][x]|: the weight of
 * g_a * d_x in output i of the 1-D transform. */
static void init_weights(Variant *f) {
    for (int i = 0; i < f->m; i++)
        for (int a = 0; a < f->r; a++)
            for (int x = 0; x < 6; x++) {
                double s = 0;
                for (int k = 0; k < 6; k++)
                    s += f->at[i][k] * f->g[k][a] * absBT[k][x];
                f->fw[i][a][x] = s;
            }
}

typedef struct {
    int64_t n, c, k, h, w, pad;
    int act, pool;
    int r; /* filter side: 3 (F(4x4, 3x3)) or 5 (F(2x2, 5x5)) */
    int64_t groups; /* conv.group: whole blocks of c and k each (runtime/kernels/blocks.c) */
} Case;

static void run_case(const Case *t) {
    vggrt_dconv_params p;
    memset(&p, 0, sizeof p);
    p.block = B;
    vggrt_conv_params *q = &p.conv;
    const Variant *f = t->r == 5 ? &f25 : &f43;
    const int r = f->r, tm = f->m, rr = r * r;
    q->c = t->c, q->h = t->h, q->w = t->w, q->k = t->k, q->group = t->groups;
    q->kh = q->kw = r, q->sh = q->sw = 1, q->dh = q->dw = 1;
    q->pt = q->pl = t->pad;
    q->oh = t->h + 2 * t->pad - (r - 1), q->ow = t->w + 2 * t->pad - (r - 1);
    q->act = t->act;
    p.in_layout = VGGRT_LAYOUT_BLOCKED;
    p.alpha = t->act == VGGRT_ACT_CLIP ? -0.25f : 0.1f;
    p.beta = 0.3f;
    p.pool_k = t->pool ? 2 : 0, p.pool_s = t->pool ? 2 : 0;
    p.py = t->pool ? q->oh / 2 : q->oh, p.px = t->pool ? q->ow / 2 : q->ow;
    begin_case("wino %dx%d block %d n=%lld c=%lld k=%lld groups=%lld %lldx%lld pad=%lld act=%s%s",
               r, r, B, (long long)t->n, (long long)t->c, (long long)t->k, (long long)t->groups,
               (long long)t->h, (long long)t->w, (long long)t->pad, act_names[t->act],
               t->pool ? " pool2x2" : "");
    if (!vggrt_wino_applies(&p)) {
        fail("vggrt_wino_applies says no");
        end_case();
        return;
    }
    const int64_t n = t->n, c = t->c, k = t->k, h = t->h, w = t->w, oh = q->oh, ow = q->ow;
    const int64_t cg = c / t->groups, kg = k / t->groups; /* a group's channels */
    const int64_t cb = nblocks(c), kb = nblocks(k), hw = h * w;
    float *x = rand_f32((size_t)(n * c * hw), -1, 1), *wt = rand_f32((size_t)(k * cg * rr), -1, 1);
    float *bias = xmalloc((size_t)(kb * B) * sizeof *bias);
    for (int64_t i = 0; i < kb * B; i++)
        bias[i] = i < k ? frand(-0.5f, 0.5f) : 0.0f;
    /* Blocked input, padding slots NaN. */
    float *xb = xmalloc((size_t)(n * cb * hw * B) * sizeof *xb);
    for (int64_t b = 0; b < n; b++)
        for (int64_t ch = 0; ch < cb * B; ch++)
            for (int64_t i = 0; i < hw; i++)
                xb[((b * cb + ch / B) * hw + i) * B + ch % B] =
                    ch < c ? x[(b * c + ch) * hw + i] : NAN;
    float *packed = xmalloc(vggrt_wino_packed_size(&p) * sizeof *packed);
    vggrt_wino_pack(&p, wt, packed);

    /* Reference: conv + bias + act in double, its sum|terms|, the bound W. */
    const size_t no = (size_t)(n * k * oh * ow);
    double *ref = xmalloc(no * sizeof *ref), *mag = xmalloc(no * sizeof *mag);
    double *tol = xmalloc(no * sizeof *tol);
    const double u = ldexp(1.0, -24), R = (double)cg + 18;
    /* W's weight of window value (r, v) for output (i, j) of a tile and
     * channel ci of output channel ko:
     *     wv[ci][i][j][r][v] = sum_a,e f[i][a][r] f[j][e][v] |g[a][e]|,
     * so that W = sum_ci sum_r,v wv[ci][i][j][r][v] |d_ci[r][v]| (the
     * same sum of nonnegative terms as over a, e, r, v, factored). */
    double(*wv)[4][4][6][6] = xmalloc((size_t)cg * sizeof *wv);
    for (int64_t ko = 0; ko < k; ko++) {
        const int64_t c0 = ko / kg * cg; /* the group's first input channel */
        for (int64_t ci = 0; ci < cg; ci++) {
            const float *g = wt + (ko * cg + ci) * rr;
            for (int i = 0; i < tm; i++)
                for (int j = 0; j < tm; j++)
                    for (int y = 0; y < 6; y++)
                        for (int v = 0; v < 6; v++) {
                            double sw = 0;
                            for (int a = 0; a < r; a++)
                                for (int e = 0; e < r; e++)
                                    sw += f->fw[i][a][y] * f->fw[j][e][v] *
                                          fabs((double)g[a * r + e]);
                            wv[ci][i][j][y][v] = sw;
                        }
        }
        for (int64_t b = 0; b < n; b++)
            for (int64_t oy = 0; oy < oh; oy++)
                for (int64_t ox = 0; ox < ow; ox++) {
                    double s = bias[ko], m = fabs(bias[ko]), wb = 0;
                    const int64_t ty = oy / tm, tx = ox / tm, i = oy % tm, j = ox % tm;
                    for (int64_t ci = 0; ci < cg; ci++) {
                        const float *xc = x + (b * c + c0 + ci) * hw;
                        const float *g = wt + (ko * cg + ci) * rr;
                        for (int a = 0; a < r; a++)
                            for (int e = 0; e < r; e++) {
                                const int64_t iy = oy - t->pad + a, ix = ox - t->pad + e;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                                    continue;
                                s += (double)g[a * r + e] * xc[iy * w + ix];
                                m += fabs((double)g[a * r + e] * xc[iy * w + ix]);
                            }
                        /* W: every value of the tile's window inside the input. */
                        for (int y = 0; y < 6; y++)
                            for (int v = 0; v < 6; v++) {
                                const int64_t iy = ty * tm - t->pad + y;
                                const int64_t ix = tx * tm - t->pad + v;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                                    continue;
                                wb += wv[ci][i][j][y][v] * fabs((double)xc[iy * w + ix]);
                            }
                    }
                    const size_t o = (size_t)(((b * k + ko) * oh + oy) * ow + ox);
                    ref[o] = act_ref(t->act, s, p.alpha, p.beta);
                    mag[o] = m;
                    tol[o] = R * u * (wb + fabs(bias[ko])) + 1e-30;
                }
    }
    free(wv);
    /* The pool, and the output as the kernel lays it out ([n][kb][py][px][16]). */
    const int64_t py = p.py, px = p.px;
    const size_t ny = (size_t)(n * kb * py * px * B);
    double *want = xmalloc(ny * sizeof *want), *wtol = xmalloc(ny * sizeof *wtol);
    double *wmag = xmalloc(ny * sizeof *wmag);
    for (int64_t b = 0; b < n; b++)
        for (int64_t ch = 0; ch < kb * B; ch++)
            for (int64_t yy = 0; yy < py; yy++)
                for (int64_t xx = 0; xx < px; xx++) {
                    const size_t d = (size_t)((((b * kb + ch / B) * py + yy) * px + xx) * B + ch % B);
                    if (ch >= k) {
                        want[d] = 0, wtol[d] = 0, wmag[d] = 0;
                        continue;
                    }
                    double best = -INFINITY, bt = 0, bm = 0;
                    const int span = t->pool ? 2 : 1;
                    for (int dy = 0; dy < span; dy++)
                        for (int dx = 0; dx < span; dx++) {
                            const int64_t oy = yy * span + dy, ox = xx * span + dx;
                            const size_t o = (size_t)(((b * k + ch) * oh + oy) * ow + ox);
                            best = ref[o] > best ? ref[o] : best;
                            bt = tol[o] > bt ? tol[o] : bt;
                            bm = mag[o] > bm ? mag[o] : bm;
                        }
                    want[d] = best, wtol[d] = bt, wmag[d] = bm;
                }

    float *y1 = NULL;
    for (int threads = 1; threads <= 3; threads++) {
        vggrt_set_num_threads(threads);
        float *y = nan_f32(ny);
        vggrt_wino_conv2d(&p, n, xb, packed, bias, y, NULL);
        if (threads == 1) {
            for (size_t i = 0; i < ny; i++) {
                const double err = fabs((double)y[i] - want[i]);
                if (!(err <= wtol[i])) { /* also catches NaN */
                    const int64_t l = (int64_t)(i % B);
                    const int64_t ch = (int64_t)(i / B / (size_t)(py * px)) % kb * B + l;
                    if (ch >= k)
                        fail("padded lane %zu = %.9g, want +0", i, y[i]);
                    else
                        fail("y[%zu] (channel %lld) = %.9g, want %.9g (err %.3g > tol %.3g)", i,
                             (long long)ch, y[i], want[i], err, wtol[i]);
                    break;
                }
                if (want[i] == 0 && wtol[i] == 0 && (y[i] != 0.0f || signbit(y[i]))) {
                    fail("padded lane %zu = %.9g, want +0", i, y[i]);
                    break;
                }
                if (wmag[i] > 0 && err / wmag[i] > worst_rel && t->act != VGGRT_ACT_SIGMOID)
                    worst_rel = err / wmag[i];
            }
            y1 = y;
        } else {
            if (memcmp(y, y1, ny * sizeof *y) != 0)
                fail("%d threads give a different result than 1", threads);
            free(y);
        }
    }
    vggrt_set_num_threads(0);
    free(y1);
    free(x), free(wt), free(bias), free(xb), free(packed), free(ref), free(mag), free(tol);
    free(want), free(wtol), free(wmag);
    end_case();
}

/* vggrt_wino_applies accepts exactly the 3x3 and 5x5 stride-1 blocked
 * layers. */
static void test_applies(void) {
    begin_case("vggrt_wino_applies");
    vggrt_dconv_params p;
    memset(&p, 0, sizeof p);
    p.block = B;
    p.conv = (vggrt_conv_params){ 16, 8, 8, 16, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0 };
    p.in_layout = VGGRT_LAYOUT_BLOCKED;
    p.py = p.px = 8;
    if (!vggrt_wino_applies(&p))
        fail("3x3/s1 blocked refused");
    vggrt_dconv_params r = p;
    r.conv.sh = 2;
    if (vggrt_wino_applies(&r))
        fail("stride 2 accepted");
    r = p, r.conv.kh = r.conv.kw = 5;
    if (!vggrt_wino_applies(&r))
        fail("5x5 refused");
    r = p, r.conv.kh = r.conv.kw = 7;
    if (vggrt_wino_applies(&r))
        fail("7x7 accepted");
    r = p, r.conv.kh = 5;
    if (vggrt_wino_applies(&r))
        fail("5x3 accepted");
    r = p, r.conv.kh = r.conv.kw = 5, r.pool_k = 3, r.pool_s = 2;
    if (vggrt_wino_applies(&r))
        fail("5x5 with a 3x3 stride-2 pool accepted");
    r = p, r.conv.dh = 2;
    if (vggrt_wino_applies(&r))
        fail("dilation 2 accepted");
    r = p, r.in_layout = VGGRT_LAYOUT_NCHW;
    if (vggrt_wino_applies(&r))
        fail("NCHW input accepted");
    r = p, r.pool_k = 3, r.pool_s = 2;
    if (vggrt_wino_applies(&r))
        fail("3x3 stride-2 pool accepted");
    end_case();
}

int main(void) {
    test_seed(0x2545F4914F6CDD1Dull);
    init_weights(&f43);
    init_weights(&f25);
    static const Case cases[] = {
        /* n  c   k   h   w  pad act pool r */
        { 1, 3, 5, 5, 5, 1, VGGRT_ACT_NONE, 0, 3, 1 },
        { 1, 3, 5, 5, 5, 1, VGGRT_ACT_RELU, 1, 3, 1 },
        { 1, 20, 17, 10, 10, 1, VGGRT_ACT_RELU, 0, 3, 1 },
        { 3, 20, 17, 10, 10, 1, VGGRT_ACT_RELU, 1, 3, 1 },
        { 1, 33, 40, 13, 7, 1, VGGRT_ACT_CLIP, 0, 3, 1 },
        { 3, 33, 40, 13, 7, 1, VGGRT_ACT_CLIP, 1, 3, 1 },
        { 1, 16, 16, 8, 8, 1, VGGRT_ACT_LEAKY_RELU, 0, 3, 1 },
        { 3, 16, 16, 8, 8, 1, VGGRT_ACT_LEAKY_RELU, 1, 3, 1 },
        { 1, 24, 48, 6, 9, 1, VGGRT_ACT_SIGMOID, 0, 3, 1 },
        { 3, 24, 48, 6, 9, 1, VGGRT_ACT_SIGMOID, 1, 3, 1 },
        { 3, 7, 35, 1, 1, 1, VGGRT_ACT_NONE, 0, 3, 1 },
        { 1, 40, 70, 20, 20, 1, VGGRT_ACT_RELU, 1, 3, 1 },
        { 1, 40, 100, 20, 20, 1, VGGRT_ACT_NONE, 0, 3, 1 },
        { 3, 17, 9, 9, 7, 0, VGGRT_ACT_NONE, 0, 3, 1 },   /* no padding: 7x5 output */
        { 1, 64, 32, 11, 12, 1, VGGRT_ACT_NONE, 1, 3, 1 }, /* 4 input blocks: one chunk */
        { 1, 80, 18, 7, 7, 1, VGGRT_ACT_RELU, 0, 3, 1 },   /* 5 input blocks: two chunks */
        /* Few tiles, as the 512-channel layers on small maps: a task takes a
         * group of up to ~28 tiles (several register tiles), and output
         * chunks or smaller groups make up MIN_TASKS tasks. */
        { 1, 64, 64, 6, 6, 1, VGGRT_ACT_RELU, 0, 3, 1 },   /* 4 tiles, groups of 1 */
        { 3, 72, 64, 9, 9, 1, VGGRT_ACT_RELU, 1, 3, 1 },   /* 9 tiles per item, 4.5 input blocks */
        { 1, 20, 260, 19, 19, 1, VGGRT_ACT_NONE, 0, 3, 1 }, /* 25 tiles in one group, 17 out blocks */
        /* groups of 24 across items, 4 out blocks */
        { 3, 17, 200, 13, 15, 1, VGGRT_ACT_RELU, 1, 3, 1 },
        /* F(2x2, 5x5): 2x2 tiles, 4 of them per 2x2 pooled window's 1. */
        { 1, 3, 5, 5, 5, 2, VGGRT_ACT_NONE, 0, 5, 1 },
        { 3, 20, 17, 10, 10, 2, VGGRT_ACT_RELU, 1, 5, 1 },
        { 1, 33, 40, 13, 7, 2, VGGRT_ACT_CLIP, 0, 5, 1 },
        { 3, 24, 48, 6, 9, 2, VGGRT_ACT_SIGMOID, 1, 5, 1 },
        { 1, 16, 16, 8, 8, 2, VGGRT_ACT_LEAKY_RELU, 0, 5, 1 },
        { 3, 17, 9, 9, 7, 0, VGGRT_ACT_NONE, 0, 5, 1 },    /* no padding: 5x3 output */
        { 1, 7, 35, 5, 5, 1, VGGRT_ACT_NONE, 0, 5, 1 },    /* padding 1: 3x3 output */
        { 1, 80, 18, 7, 7, 2, VGGRT_ACT_RELU, 0, 5, 1 },   /* two input chunks */
        { 1, 20, 70, 27, 27, 2, VGGRT_ACT_RELU, 0, 5, 1 }, /* AlexNet's map: 196 tiles */
        { 3, 17, 200, 13, 15, 2, VGGRT_ACT_RELU, 1, 5, 1 }, /* groups across items, 13 out blocks */
        /* Groups (blocks.c): each group of whole blocks runs as its own
         * layer, item by item. */
        { 2, 32, 32, 9, 10, 1, VGGRT_ACT_RELU, 0, 3, 2 },
        { 1, 96, 64, 13, 13, 2, VGGRT_ACT_RELU, 1, 5, 2 }, /* AlexNet's grouped 5x5, in small */
        { 3, 48, 48, 7, 6, 2, VGGRT_ACT_NONE, 0, 5, 3 },
    };
    for (int bi = 0; bi < 2; bi++) {
        B = bi ? 8 : 16;
        printf("-- block %d\n", B);
        test_applies();
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
            run_case(&cases[i]);
    }
    printf("largest |err| / sum|terms|: %.3g (u = %.3g)\n", worst_rel, ldexp(1.0, -24));
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
