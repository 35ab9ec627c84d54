/* blocked.c — layout changes and pools on the blocked layout (NCHW16c;
 * written for blocks of 16, compiled for blocks of 8 too, B below: blocks.h).
 *
 * A blocked activation is [n, cb, h, w, 16], cb = ceil(c/16): the 16
 * channels of a block sit side by side, and the slots past c are 0.  Every
 * kernel here writes those slots as 0, whatever it reads, so a blocked
 * tensor's padding is always 0 (the direct convolution reads all 16 lanes
 * of its blocked input only for the first c channels, but the pools and
 * later layers rely on it).
 *
 * Layout changes run once per network input or output, not per layer: they
 * are plain loops.  vggrt_to_blocked reads NCHW or NHWC (or copies a
 * tensor that is already blocked); vggrt_from_blocked writes NCHW.
 *
 * The pools are vggrt_maxpool2d / vggrt_avgpool2d (pool.c) with the same
 * windows, the same ranges computed once per row and column, the same order
 * of additions and the same rules (NaN skipped by the max, -FLT_MAX for a
 * window outside the input, count_include_pad, 0 when nothing to divide
 * by), applied to the 16 lanes of a block at once: the lane loop is the
 * innermost and vectorizes.
 *
 * Threads: every kernel here cuts its output into independent pieces
 * (pixel ranges of a channel block, channels, output rows of a block plane,
 * blocks) and runs them through vggrt_parallel_for when the tensor is big
 * enough (PAR_MIN_FLOATS) for the pool's wake-up (microseconds) to pay
 * off; smaller ones run on the caller.  Each piece is computed the same
 * way whatever thread runs it, so results do not depend on the count.
 *
 * The global pool reduces [n, cb, hw, 16] over hw into a plain [n, c]: the
 * classifier that follows (Flatten + Gemm) wants channels in order.  The
 * mean sums in double (as ReduceMean does in reduce.c) and gives NaN for
 * hw = 0; the max starts from -inf, as ReduceMax does.
 *
 * LRN across channels (vggrt_lrn_blocked) is vggrt_lrn (reduce.c) on the
 * blocked layout, bit for bit: each lane's square sum adds the squares of
 * its window's channels in the same order, from 0, where the channels
 * outside [0, c) (vggrt_lrn leaves them out) add the squares of the zeros
 * in the padded lanes and in the blocks before and after, +0 each, which
 * changes nothing; then the same quotient (lrn.h).  A window reaches
 * at most VGGRT_LRN_BLOCKED_MAX_SIZE / 2 channels on either side, so a
 * lane's window lies in its block and the two beside it.  (This file is
 * compiled with -fno-math-errno, as reduce.c, so that the sqrtf loops
 * vectorize.)
 */
#include "vggrt.h"
#include "lrn.h"
#include "ranges.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* B: the block this copy is compiled for (blocked_b8.c, blocked_b16.c:
 * blocks.h). */
enum {
    B = VGGRT_KB,
    PAR_MIN_FLOATS = 1 << 15, /* floats touched below which a kernel stays on one thread */
    CHUNK = 1024,             /* pixels per piece of a layout change */
};

/* Runs fn over [0, units) on the pool when `floats` (the data the kernel
 * touches) is worth it, else on the caller. */
static void run(int64_t units, int64_t floats, vggrt_task fn, void *ctx) {
    if (floats >= PAR_MIN_FLOATS)
        vggrt_parallel_for(units, fn, ctx);
    else if (units > 0)
        fn(ctx, 0, units, 0);
}

/* ---- layout changes ---------------------------------------------------------------- */

typedef struct {
    int nhwc;
    int64_t c, cb, hw, nchunk;
    const float *x;
    float *y;
} Reorder;

/* Pieces: [n][cb][pixel chunk of CHUNK]. */
static void to_blocked_task(void *ctx, int64_t begin, int64_t end, int tid) {
    (void)tid;
    const Reorder *r = ctx;
    for (int64_t u = begin; u < end; u++) {
        const int64_t chunk = u % r->nchunk, plane = u / r->nchunk;
        const int64_t bi = plane / r->cb, bc = plane % r->cb;
        const int64_t c0 = bc * B, nl = r->c - c0 < B ? r->c - c0 : B;
        const int64_t i0 = chunk * CHUNK, i1 = i0 + CHUNK < r->hw ? i0 + CHUNK : r->hw;
        float *yb = r->y + (bi * r->cb + bc) * r->hw * B;
        for (int64_t i = i0; i < i1; i++) {
            float *yp = yb + i * B;
            if (r->nhwc) {
                const float *xp = r->x + (bi * r->hw + i) * r->c + c0;
                for (int64_t l = 0; l < nl; l++)
                    yp[l] = xp[l];
            } else {
                const float *xp = r->x + (bi * r->c + c0) * r->hw + i;
                for (int64_t l = 0; l < nl; l++)
                    yp[l] = xp[l * r->hw];
            }
            for (int64_t l = nl; l < B; l++)
                yp[l] = 0.0f;
        }
    }
}

void vggrt_to_blocked(int in_layout, int64_t n, int64_t c, int64_t hw, const float *x,
                      float *y) {
    const int64_t cb = ceil_div(c, B);
    if (in_layout == VGGRT_LAYOUT_BLOCKED) {
        if (x != y)
            memcpy(y, x, (size_t)(n * cb * hw * B) * sizeof *y);
        return;
    }
    Reorder r = { in_layout == VGGRT_LAYOUT_NHWC, c, cb, hw, ceil_div(hw, CHUNK), x, y };
    run(n * cb * r.nchunk, n * cb * hw * B, to_blocked_task, &r);
}

/* Pieces: [n][c] (one channel plane of the NCHW output each). */
static void from_blocked_task(void *ctx, int64_t begin, int64_t end, int tid) {
    (void)tid;
    const Reorder *r = ctx;
    for (int64_t u = begin; u < end; u++) {
        const int64_t bi = u / r->c, ch = u % r->c;
        const float *xp = r->x + ((bi * r->cb + ch / B) * r->hw) * B + ch % B;
        float *yp = r->y + (bi * r->c + ch) * r->hw;
        for (int64_t i = 0; i < r->hw; i++)
            yp[i] = xp[i * B];
    }
}

void vggrt_from_blocked(int64_t n, int64_t c, int64_t hw, const float *x, float *y) {
    Reorder r = { 0, c, ceil_div(c, B), hw, 0, x, y };
    run(n * c, n * c * hw, from_blocked_task, &r);
}

/* ---- pools ------------------------------------------------------------------------- */

/* Stores m[16] at y with the lanes past nl set to 0. */
static void store_lanes(const float *m, int64_t nl, float *y) {
    for (int l = 0; l < B; l++)
        y[l] = l < nl ? m[l] : 0.0f;
}

typedef struct {
    const vggrt_pool_params *p;
    int64_t cb;
    const float *x;
    float *y;
} Pool;

/* Pieces: [n * cb][oy] (one output row of a block plane each). */
static void maxpool_task(void *ctx, int64_t begin, int64_t end, int tid) {
    (void)tid;
    const Pool *pl = ctx;
    const vggrt_pool_params *p = pl->p;
    for (int64_t u = begin; u < end; u++) {
        const int64_t plane = u / p->oh, oy = u % p->oh;
        const int64_t nl = p->c - plane % pl->cb * B;
        const float *xp = pl->x + plane * p->h * p->w * B;
        float *yp = pl->y + plane * p->oh * p->ow * B;
        int64_t ys = oy * p->sh - p->pt, i0, i1;
        window_range(ys, p->dh, p->kh, 0, p->h, &i0, &i1);
        for (int64_t ox = 0; ox < p->ow; ox++) {
            int64_t xs = ox * p->sw - p->pl, j0, j1;
            window_range(xs, p->dw, p->kw, 0, p->w, &j0, &j1);
            float m[B];
            for (int l = 0; l < B; l++)
                m[l] = -FLT_MAX;
            for (int64_t i = i0; i < i1; i++) {
                const float *r = xp + (ys + i * p->dh) * p->w * B;
                for (int64_t j = j0; j < j1; j++) {
                    const float *v = r + (xs + j * p->dw) * B;
                    for (int l = 0; l < B; l++)
                        m[l] = v[l] > m[l] ? v[l] : m[l];
                }
            }
            store_lanes(m, nl, yp + (oy * p->ow + ox) * B);
        }
    }
}

void vggrt_maxpool2d_blocked(const vggrt_pool_params *p, int64_t n, const float *x, float *y) {
    Pool pl = { p, ceil_div(p->c, B), x, y };
    run(n * pl.cb * p->oh, n * pl.cb * (p->h * p->w + p->oh * p->ow) * B, maxpool_task, &pl);
}

static void avgpool_task(void *ctx, int64_t begin, int64_t end, int tid) {
    (void)tid;
    const Pool *pl = ctx;
    const vggrt_pool_params *p = pl->p;
    for (int64_t u = begin; u < end; u++) {
        const int64_t plane = u / p->oh, oy = u % p->oh;
        const int64_t nl = p->c - plane % pl->cb * B;
        const float *xp = pl->x + plane * p->h * p->w * B;
        float *yp = pl->y + plane * p->oh * p->ow * B;
        int64_t ys = oy * p->sh - p->pt, i0, i1, pi0, pi1;
        window_range(ys, p->dh, p->kh, 0, p->h, &i0, &i1);
        window_range(ys, p->dh, p->kh, -p->pt, p->h + p->pb, &pi0, &pi1);
        for (int64_t ox = 0; ox < p->ow; ox++) {
            int64_t xs = ox * p->sw - p->pl, j0, j1, pj0, pj1;
            window_range(xs, p->dw, p->kw, 0, p->w, &j0, &j1);
            window_range(xs, p->dw, p->kw, -p->pl, p->w + p->pr, &pj0, &pj1);
            float s[B];
            for (int l = 0; l < B; l++)
                s[l] = 0.0f;
            for (int64_t i = i0; i < i1; i++) {
                const float *r = xp + (ys + i * p->dh) * p->w * B;
                for (int64_t j = j0; j < j1; j++) {
                    const float *v = r + (xs + j * p->dw) * B;
                    for (int l = 0; l < B; l++)
                        s[l] += v[l];
                }
            }
            int64_t cnt = p->count_include_pad ? (pi1 - pi0) * (pj1 - pj0)
                                               : (i1 - i0) * (j1 - j0);
            for (int l = 0; l < B; l++)
                s[l] = cnt > 0 ? s[l] / (float)cnt : 0.0f;
            store_lanes(s, nl, yp + (oy * p->ow + ox) * B);
        }
    }
}

void vggrt_avgpool2d_blocked(const vggrt_pool_params *p, int64_t n, const float *x, float *y) {
    Pool pl = { p, ceil_div(p->c, B), x, y };
    run(n * pl.cb * p->oh, n * pl.cb * (p->h * p->w + p->oh * p->ow) * B, avgpool_task, &pl);
}

typedef struct {
    int is_max;
    int64_t c, cb, hw;
    const float *x;
    float *y;
} Global;

/* Pieces: [n][cb]. */
static void global_task(void *ctx, int64_t begin, int64_t end, int tid) {
    (void)tid;
    const Global *g = ctx;
    for (int64_t u = begin; u < end; u++) {
        const int64_t bi = u / g->cb, bc = u % g->cb, hw = g->hw;
        const float *xp = g->x + (bi * g->cb + bc) * hw * B;
        const int64_t c0 = bc * B, nl = g->c - c0 < B ? g->c - c0 : B;
        float *yp = g->y + bi * g->c + c0;
        if (g->is_max) {
            float m[B];
            for (int l = 0; l < B; l++)
                m[l] = -INFINITY;
            for (int64_t i = 0; i < hw; i++)
                for (int l = 0; l < B; l++)
                    m[l] = xp[i * B + l] > m[l] ? xp[i * B + l] : m[l];
            for (int64_t l = 0; l < nl; l++)
                yp[l] = m[l];
        } else {
            double s[B];
            for (int l = 0; l < B; l++)
                s[l] = 0.0;
            for (int64_t i = 0; i < hw; i++)
                for (int l = 0; l < B; l++)
                    s[l] += xp[i * B + l];
            for (int64_t l = 0; l < nl; l++)
                yp[l] = hw > 0 ? (float)(s[l] / (double)hw) : NAN;
        }
    }
}

void vggrt_global_pool_blocked(int is_max, int64_t n, int64_t c, int64_t hw, const float *x,
                               float *y) {
    Global g = { is_max, c, ceil_div(c, B), hw, x, y };
    run(n * g.cb, n * g.cb * hw * B, global_task, &g);
}

/* ---- LRN ---------------------------------------------------------------------------- */

_Static_assert(VGGRT_LRN_BLOCKED_MAX_SIZE / 2 <= B, "an LRN window spans at most 3 blocks");

typedef struct {
    int64_t c, cb, hw, before, after;
    float scale, beta, bias;
    const float *x;
    float *y;
} Lrn;

/* Pieces: [n][cb].  Per pass of up to LRN_PIX pixels: the sums, pixel by
 * pixel from the squares of the three blocks, into t; then the quotients
 * in one flat loop over the pass's pixels and lanes, which vectorizes. */
enum { LRN_PIX = 64 };

static void lrn_task(void *ctx, int64_t begin, int64_t end, int tid) {
    (void)tid;
    static const float zeros[B];
    const Lrn *l = ctx;
    const int64_t hw = l->hw, cb = l->cb;
    const float scale = l->scale, beta = l->beta, bias = l->bias;
    for (int64_t u = begin; u < end; u++) {
        const int64_t bi = u / cb, bc = u % cb, nl = l->c - bc * B < B ? l->c - bc * B : B;
        /* Blocks bc - 1, bc, bc + 1 of the item (zeros outside), a pixel apart. */
        const float *xi = l->x + bi * cb * hw * B, *blk[3];
        int64_t step[3];
        for (int j = 0; j < 3; j++) {
            const int64_t b = bc - 1 + j;
            blk[j] = b >= 0 && b < cb ? xi + b * hw * B : zeros;
            step[j] = b >= 0 && b < cb ? B : 0;
        }
        for (int64_t i0 = 0; i0 < hw; i0 += LRN_PIX) {
            const int64_t np = hw - i0 < LRN_PIX ? hw - i0 : LRN_PIX, nf = np * B;
            float t[LRN_PIX * B];
            for (int64_t i = 0; i < np; i++) {
                float sq[3 * B], s[B];
                for (int j = 0; j < 3; j++) {
                    const float *v = blk[j] + (i0 + i) * step[j];
                    for (int k = 0; k < B; k++)
                        sq[j * B + k] = v[k] * v[k];
                }
                for (int k = 0; k < B; k++)
                    s[k] = 0.0f;
                for (int64_t d = -l->before; d <= l->after; d++)
                    for (int k = 0; k < B; k++)
                        s[k] += sq[B + k + d];
                for (int k = 0; k < B; k++)
                    t[i * B + k] = bias + scale * s[k];
            }
            float *o = l->y + (u * hw + i0) * B;
            lrn_quotients(blk[1] + i0 * B, t, o, nf, beta);
            for (int64_t i = 0; i < np && nl < B; i++)
                for (int64_t k = nl; k < B; k++)
                    o[i * B + k] = 0.0f;
        }
    }
}

void vggrt_lrn_blocked(int64_t n, int64_t c, int64_t hw, int64_t size, float alpha, float beta,
                       float bias, const float *x, float *y) {
    const int64_t before = (size - 1) / 2;
    Lrn l = { c, ceil_div(c, B), hw, before, size - 1 - before, alpha / (float)size, beta, bias,
              x, y };
    if (size < 1 || size > VGGRT_LRN_BLOCKED_MAX_SIZE)
        return;
    run(n * l.cb, n * l.cb * hw * B * 4, lrn_task, &l);
}
