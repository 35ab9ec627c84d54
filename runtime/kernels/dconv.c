/* dconv.c — direct convolution writing the blocked layout (NCHW16c), with
 * bias, activation and max pool fused into its epilogue.
 *
 * Output y is [n, kb, py, px, 16] (kb = ceil(k/16)).  Weights are packed
 * once, at compile time, as [kb][c][kh][kw][16], so for one input channel
 * and one tap the 16 output channels of a block are one contiguous row.
 *
 * The microkernel ("tile") computes T output pixels of one output row for
 * the 16 channels of one block: an accumulator of T x 16 floats that stays
 * in registers (T = VGGRT_DCONV_TILE, 14 with AVX-512: 14 of 32 vector
 * registers hold it, the rest hold a weight row and a broadcast input).
 * Its loops, outermost first:
 *     input channel block -> tap row i -> tap column j -> channel in the block
 *         -> pixel t:  acc[t][0..16) += x(ci, iy_i, ix_t + j*dw) * w[ci][i][j][0..16)
 * Each weight row loaded is used T times and each input value loaded (and
 * broadcast) for 16 output channels; the pixel loop has a constant trip
 * count and unrolls fully.  The innermost channel loop walks 16 adjacent
 * floats of a blocked input (or NHWC) pixel.
 *
 * Input layouts.  The three layouts differ only in strides, so one code
 * path reads all of them: channel ci of a pixel is at
 *     (ci / 16) * cbs + (ci % 16) * cls + iy * ys + ix * xs
 *                   cbs          cls      ys        xs
 *     NCHW     16 * h * w      h * w       w         1
 *     NHWC        16             1        w * c      c
 *     blocked   h * w * 16       1       w * 16     16
 * (blocked input has ceil(c/16)*16 channel slots; only the first c are read).
 *
 * Padding.  For an output row the tap rows that land in the input are a
 * range [i0, i1), computed once.  Along the row, the output columns all of
 * whose tap columns land inside the input form an interior [xa, xb), cut
 * into tiles of nearly equal widths (40 - 2 = 13 + 13 + 12: a narrow last
 * tile would have too few accumulators to hide the FMA latency) that run
 * with no checks.  The few border columns go one pixel at a time, each with
 * its own range of tap columns and 4 accumulators (round-robin over input
 * channels).  Bottom and right padding are implied, as in vggrt_conv2d:
 * positions past the input read as 0.
 *
 * Epilogue, per tile, on the T x 16 results just computed (copied out of
 * the registers to an array on the stack, in L1): + bias, the activation
 * (VGGRT_ACT_*; Clip(alpha, beta), LeakyRelu(alpha), Sigmoid in the
 * overflow-free form of vggrt_unary_f32), then lanes past k are forced to 0
 * (sigmoid(0) would be 0.5), so later blocked layers can read all 16
 * lanes.  Without a pool the tile is stored straight into y.
 *
 * Fused max pool (pool_k x pool_k, stride pool_s, no padding, floor mode).
 * Conv rows go into a ring of pool_k rows in the work buffer (only the
 * columns that some window uses); once the pool_k rows of a pooled row are
 * there, the window maxima are written to y.  Overlapping windows (3x3
 * stride 2) reuse the ring's rows instead of recomputing them; conv rows
 * and columns that no window reads are not computed at all.  The ring is a
 * few KB and stays in L1, so the unpooled activation is never written to
 * memory.  The max skips NaN and starts from -FLT_MAX, as vggrt_maxpool2d.
 *
 * FMA: with gcc in ISO C mode (-std=c11) floating-point contraction is off
 * unless -ffp-contract=fast is given; the build passes it for this file
 * (clang contracts a*b + c within a statement by default).

 */
#include "vggrt.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* Widest tile (at most 16): accumulators that fit the vector registers. */
#ifndef VGGRT_DCONV_TILE
#if defined(__AVX512F__)
#define VGGRT_DCONV_TILE 14
#elif defined(__AVX__)
#define VGGRT_DCONV_TILE 6 /* 16 ymm registers: 6 x 2 accumulators, 2 weights, 1 input */
#elif defined(__SSE2__) || defined(__x86_64__)
#define VGGRT_DCONV_TILE 3 /* 16 xmm registers: 3 x 4 accumulators */
#else
#define VGGRT_DCONV_TILE 8
#endif
#endif
#if VGGRT_DCONV_TILE < 1 || VGGRT_DCONV_TILE > 16
#error "VGGRT_DCONV_TILE must be in 1..16"
#endif

enum { B = VGGRT_BLOCK };

/* What every tile of one layer and output channel block shares. */
typedef struct {
    int64_t c, h, w, kh, kw, sh, sw, pt, pl, dh, dw;
    int64_t xs, ys, cbs, cls;   /* input strides (see the top of the file) */
    const float *bias;          /* 16 floats of this block */
    int act;
    float alpha, beta;
    int64_t nk;                 /* real output channels in this block (1..16) */
} Ctx;

static const float zero_bias[B];

static int64_t ceil_div(int64_t a, int64_t b) {
    return (a + b - 1) / b;
}

static int64_t min64(int64_t a, int64_t b) {
    return a < b ? a : b;
}

/* The i in [*lo, *hi) with lo_bound <= start + i*d < hi_bound, for i in [0, k). */
static void window_range(int64_t start, int64_t d, int64_t k, int64_t lo_bound,
                         int64_t hi_bound, int64_t *lo, int64_t *hi) {
    int64_t a = start >= lo_bound ? 0 : ceil_div(lo_bound - start, d);
    int64_t b = hi_bound - start <= 0 ? 0 : ceil_div(hi_bound - start, d);
    if (b > k)
        b = k;
    if (a > b)
        a = b;
    *lo = a;
    *hi = b;
}

/* res[T][16] + bias -> activation -> out[T][16], lanes >= nk set to 0.
 * Called once per tile (T*16 results for T*16*c*kh*kw multiply-adds), on a
 * copy of the accumulator that is still in L1. */
static void epilogue(const Ctx *g, int T, const float *res, float *out) {
    const float *b = g->bias;
    const int64_t nk = g->nk;
    switch (g->act) {
    case VGGRT_ACT_RELU:
        for (int t = 0; t < T; t++)
            for (int l = 0; l < B; l++) {
                float v = res[t * B + l] + b[l];
                v = v > 0.0f ? v : 0.0f;
                out[t * B + l] = l < nk ? v : 0.0f;
            }
        break;
    case VGGRT_ACT_CLIP:
        for (int t = 0; t < T; t++)
            for (int l = 0; l < B; l++) {
                float v = res[t * B + l] + b[l];
                v = v < g->alpha ? g->alpha : v > g->beta ? g->beta : v;
                out[t * B + l] = l < nk ? v : 0.0f;
            }
        break;
    case VGGRT_ACT_LEAKY_RELU:
        for (int t = 0; t < T; t++)
            for (int l = 0; l < B; l++) {
                float v = res[t * B + l] + b[l];
                v = v < 0.0f ? g->alpha * v : v;
                out[t * B + l] = l < nk ? v : 0.0f;
            }
        break;
    case VGGRT_ACT_SIGMOID:
        for (int t = 0; t < T; t++)
            for (int l = 0; l < B; l++) {
                float v = res[t * B + l] + b[l];
                float e = expf(v >= 0.0f ? -v : v);
                v = v >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
                out[t * B + l] = l < nk ? v : 0.0f;
            }
        break;
    default: /* VGGRT_ACT_NONE */
        for (int t = 0; t < T; t++)
            for (int l = 0; l < B; l++) {
                float v = res[t * B + l] + b[l];
                out[t * B + l] = l < nk ? v : 0.0f;
            }
        break;
    }
}

/* The accumulator of a tile: T x 16 floats.  With gcc and clang it is an
 * array of T vectors of 16 floats (GNU vector extensions), which both keep
 * in registers; written as plain loops over t and l, clang 19 vectorizes
 * along the tap loop instead (gathers) and gcc 12 keeps acc on the stack,
 * 3-10x slower.  The vector type is lowered to whatever the target has (one
 * zmm, two ymm, four xmm).  Other compilers get the plain loops. */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(VGGRT_DCONV_PLAIN_C)
typedef float Vec16 __attribute__((vector_size(B * sizeof(float))));
#define ACC_DECL(T)                                                                            \
    Vec16 acc[T];                                                                              \
    for (int t_ = 0; t_ < (T); t_++)                                                           \
    acc[t_] = (Vec16){ 0 }
#define W_LOAD(wv, wp)                                                                         \
    Vec16 wv;                                                                                  \
    memcpy(&wv, (wp), sizeof wv)
#define ACC_FMA(t, xv, wv) acc[t] += (xv) * (wv)
#else
#define ACC_DECL(T)                                                                            \
    float acc[(T) * B];                                                                        \
    for (int e_ = 0; e_ < (T) * B; e_++)                                                       \
    acc[e_] = 0.0f
#define W_LOAD(wv, wp) const float *wv = (wp)
#define ACC_FMA(t, xv, wv)                                                                     \
    do {                                                                                       \
        const float xv_ = (xv);                                                                \
        for (int l_ = 0; l_ < B; l_++)                                                         \
            acc[(t) * B + l_] += xv_ * (wv)[l_];                                               \
    } while (0)
#endif

/* One tile: T consecutive output pixels of one row, all of whose taps land
 * inside the input along the row, 16 output channels:
 *     out(t, l) = epilogue(sum over ci, i in [i0, i1), j in [0, kw) of
 *                          x(ci, row + i*dh, col0 + t*sw + j*dw) * w[ci][i][j][l])
 * row and col0 (= ox0*sw - pl) are the input row and column of tap (0, 0):
 * the row may lie in the padding, only rows i in [i0, i1) are read. */
#define DCONV_TILE(T)                                                                          \
    static void tile_##T(const Ctx *g, const float *x, int64_t row, int64_t col0, int64_t i0,  \
                         int64_t i1, const float *w, float *out) {                             \
        ACC_DECL(T);                                                                           \
        const int64_t tstep = g->sw * g->xs, kw = g->kw, taps = g->kh * kw;                    \
        const int64_t xoff = row * g->ys + col0 * g->xs;                                       \
        for (int64_t cb = 0; cb * B < g->c; cb++) {                                            \
            const int64_t nl = min64(B, g->c - cb * B);                                        \
            for (int64_t i = i0; i < i1; i++) {                                                \
                for (int64_t j = 0; j < kw; j++) {                                             \
                    const float *xp = x + (xoff + cb * g->cbs + i * g->dh * g->ys +            \
                                           j * g->dw * g->xs);                                 \
                    const float *wp = w + (cb * B * taps + i * kw + j) * B;                    \
                    for (int64_t cl = 0; cl < nl; cl++) {                                      \
                        W_LOAD(wv, wp + cl * taps * B);                                        \
                        for (int t = 0; t < (T); t++)                                          \
                            ACC_FMA(t, xp[cl * g->cls + t * tstep], wv);                       \
                    }                                                                          \
                }                                                                              \
            }                                                                                  \
        }                                                                                      \
        float res[(T) * B];                                                                    \
        memcpy(res, acc, sizeof res);                                                          \
        epilogue(g, (T), res, out);                                                            \
    }

DCONV_TILE(1)
DCONV_TILE(2)
DCONV_TILE(3)
DCONV_TILE(4)
DCONV_TILE(5)
DCONV_TILE(6)
DCONV_TILE(7)
DCONV_TILE(8)
DCONV_TILE(9)
DCONV_TILE(10)
DCONV_TILE(11)
DCONV_TILE(12)
DCONV_TILE(13)
DCONV_TILE(14)
DCONV_TILE(15)
DCONV_TILE(16)

/* One output pixel (a border one, or one of fewer than 4 interior ones)
 * with its own range of tap columns [j0, j1).  One pixel has too few
 * accumulators to hide the FMA latency, so input channels go round-robin
 * into 4 of them (channels 4u..4u+3 share a block of 16: 4 divides 16). */
static void pixel(const Ctx *g, const float *x, int64_t row, int64_t col0, int64_t i0,
                  int64_t i1, int64_t j0, int64_t j1, const float *w, float *out) {
    ACC_DECL(4);
    const int64_t kw = g->kw, taps = g->kh * kw, xoff = row * g->ys + col0 * g->xs;
    int64_t ci = 0;
    for (; ci + 4 <= g->c; ci += 4) {
        const float *wc = w + ci * taps * B;
        const int64_t xc = xoff + ci / B * g->cbs + ci % B * g->cls;
        for (int64_t i = i0; i < i1; i++)
            for (int64_t j = j0; j < j1; j++) {
                const float *xp = x + (xc + i * g->dh * g->ys + j * g->dw * g->xs);
                const float *wp = wc + (i * kw + j) * B;
                W_LOAD(w0, wp);
                W_LOAD(w1, wp + taps * B);
                W_LOAD(w2, wp + 2 * taps * B);
                W_LOAD(w3, wp + 3 * taps * B);
                ACC_FMA(0, xp[0], w0);
                ACC_FMA(1, xp[g->cls], w1);
                ACC_FMA(2, xp[2 * g->cls], w2);
                ACC_FMA(3, xp[3 * g->cls], w3);
            }
    }
    for (; ci < g->c; ci++) {
        const float *wc = w + ci * taps * B;
        const int64_t xc = xoff + ci / B * g->cbs + ci % B * g->cls;
        for (int64_t i = i0; i < i1; i++)
            for (int64_t j = j0; j < j1; j++) {
                W_LOAD(wv, wc + (i * kw + j) * B);
                ACC_FMA(0, x[xc + i * g->dh * g->ys + j * g->dw * g->xs], wv);
            }
    }
    float res[4 * B];
    memcpy(res, acc, sizeof res);
    for (int l = 0; l < B; l++)
        res[l] = (res[l] + res[B + l]) + (res[2 * B + l] + res[3 * B + l]);
    epilogue(g, 1, res, out);
}

/* Output row oy, columns [0, ncols), into out[ncols][16].  [xa, xb) is the
 * interior: the columns all of whose taps land inside the input.  It is cut
 * into ceil(width/T) tiles of nearly equal widths (38 = 13 + 13 + 12: a
 * narrow last tile would have too few accumulators to hide the FMA
 * latency); the border columns go one pixel at a time. */
static void conv_row(const Ctx *g, const float *x, const float *w, int64_t oy, int64_t ncols,
                     int64_t xa, int64_t xb, float *out) {
    const int64_t row = oy * g->sh - g->pt;
    int64_t i0, i1, j0, j1;
    window_range(row, g->dh, g->kh, 0, g->h, &i0, &i1);
    for (int64_t ox = 0; ox < ncols; ox++) {
        if (ox == xa && xb - xa >= 4) {
            const int64_t ntiles = ceil_div(xb - xa, VGGRT_DCONV_TILE);
            const int64_t q = (xb - xa) / ntiles, r = (xb - xa) % ntiles;
            for (int64_t tt = 0; tt < ntiles; tt++) {
                const int64_t tw = q + (tt < r), col0 = ox * g->sw - g->pl;
                float *o = out + ox * B;
                switch (tw) {
#define TILE_CASE(T)                                                                           \
    case T:                                                                                    \
        tile_##T(g, x, row, col0, i0, i1, w, o);                                               \
        break;
                    TILE_CASE(1) TILE_CASE(2) TILE_CASE(3) TILE_CASE(4) TILE_CASE(5)
                    TILE_CASE(6) TILE_CASE(7) TILE_CASE(8) TILE_CASE(9) TILE_CASE(10)
                    TILE_CASE(11) TILE_CASE(12) TILE_CASE(13) TILE_CASE(14) TILE_CASE(15)
                    TILE_CASE(16)
#undef TILE_CASE
                }
                ox += tw;
            }
            if (ox >= ncols)
                break;
        }
        const int64_t col0 = ox * g->sw - g->pl;
        window_range(col0, g->dw, g->kw, 0, g->w, &j0, &j1);
        pixel(g, x, row, col0, i0, i1, j0, j1, w, out + ox * B);
    }
}

size_t vggrt_dconv_packed_size(const vggrt_dconv_params *p) {
    const vggrt_conv_params *q = &p->conv;
    return (size_t)(ceil_div(q->k, B) * B) * (size_t)(q->c * q->kh * q->kw);
}

void vggrt_dconv_pack(const vggrt_dconv_params *p, const float *w, float *packed) {
    const vggrt_conv_params *q = &p->conv;
    const int64_t kb = ceil_div(q->k, B), taps = q->kh * q->kw;
    for (int64_t bk = 0; bk < kb; bk++)
        for (int64_t ci = 0; ci < q->c; ci++)
            for (int64_t t = 0; t < taps; t++) {
                float *dst = packed + ((bk * q->c + ci) * taps + t) * B;
                for (int64_t l = 0; l < B; l++) {
                    int64_t k = bk * B + l;
                    dst[l] = k < q->k ? w[(k * q->c + ci) * taps + t] : 0.0f;
                }
            }
}

/* Columns of the conv output that the fused pool reads. */
static int64_t pooled_cols(const vggrt_dconv_params *p) {
    return p->px > 0 ? (p->px - 1) * p->pool_s + p->pool_k : 0;
}

size_t vggrt_dconv_work_size(const vggrt_dconv_params *p) {
    if (p->pool_k <= 0)
        return 0;
    return (size_t)(p->pool_k * pooled_cols(p) * B);
}

void vggrt_dconv2d(const vggrt_dconv_params *p, int64_t n, const float *x, const float *packed,
                   const float *b, float *y, float *work) {
    const vggrt_conv_params *q = &p->conv;
    const int64_t kb = ceil_div(q->k, B), cb = ceil_div(q->c, B), hw = q->h * q->w;
    Ctx g = { 0 };
    g.c = q->c, g.h = q->h, g.w = q->w, g.kh = q->kh, g.kw = q->kw, g.sh = q->sh, g.sw = q->sw;
    g.pt = q->pt, g.pl = q->pl, g.dh = q->dh, g.dw = q->dw;
    g.act = q->act, g.alpha = p->alpha, g.beta = p->beta;
    int64_t xbatch;
    switch (p->in_layout) {
    case VGGRT_LAYOUT_NHWC:
        g.xs = q->c, g.ys = q->w * q->c, g.cbs = B, g.cls = 1;
        xbatch = hw * q->c;
        break;
    case VGGRT_LAYOUT_BLOCKED:
        g.xs = B, g.ys = q->w * B, g.cbs = hw * B, g.cls = 1;
        xbatch = cb * hw * B;
        break;
    default: /* VGGRT_LAYOUT_NCHW */
        g.xs = 1, g.ys = q->w, g.cbs = B * hw, g.cls = hw;
        xbatch = q->c * hw;
        break;
    }
    const int pool = p->pool_k > 0;
    const int64_t ncols = pool ? pooled_cols(p) : q->ow;
    const int64_t nrows = pool ? (p->py > 0 ? (p->py - 1) * p->pool_s + p->pool_k : 0) : q->oh;
    const int64_t wblock = q->c * q->kh * q->kw * B, yplane = p->py * p->px * B;
    if (ncols <= 0 || nrows <= 0)
        return;
    int64_t xa, xb; /* interior: 0 <= ox*sw - pl and ox*sw - pl + (kw-1)*dw < w */
    window_range(-q->pl, q->sw, ncols, 0, q->w - (q->kw - 1) * q->dw, &xa, &xb);

    for (int64_t bi = 0; bi < n; bi++) {
        const float *xn = x + bi * xbatch;
        for (int64_t bk = 0; bk < kb; bk++) {
            const float *wk = packed + bk * wblock;
            float *yk = y + (bi * kb + bk) * yplane;
            g.bias = b ? b + bk * B : zero_bias;
            g.nk = min64(B, q->k - bk * B);
            if (!pool) {
                for (int64_t oy = 0; oy < q->oh; oy++)
                    conv_row(&g, xn, wk, oy, ncols, xa, xb, yk + oy * q->ow * B);
                continue;
            }
            const int64_t pk = p->pool_k, ps = p->pool_s, rowsz = ncols * B;
            int64_t next = 0; /* first conv row not yet in the ring */
            for (int64_t py = 0; py < p->py; py++) {
                const int64_t r0 = py * ps;
                for (int64_t oy = next > r0 ? next : r0; oy < r0 + pk; oy++)
                    conv_row(&g, xn, wk, oy, ncols, xa, xb, work + (oy % pk) * rowsz);
                next = r0 + pk;
                float *yr = yk + py * p->px * B;
                for (int64_t px = 0; px < p->px; px++) {
                    float m[B];
                    for (int l = 0; l < B; l++)
                        m[l] = -FLT_MAX;
                    for (int64_t r = 0; r < pk; r++) {
                        const float *ring = work + ((r0 + r) % pk) * rowsz + px * ps * B;
                        for (int64_t s = 0; s < pk; s++)
                            for (int l = 0; l < B; l++) {
                                float v = ring[s * B + l];
                                m[l] = v > m[l] ? v : m[l];
                            }
                    }
                    for (int l = 0; l < B; l++)
                        yr[px * B + l] = m[l];
                }
            }
        }
    }
}
