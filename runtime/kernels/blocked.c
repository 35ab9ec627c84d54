/* blocked.c — layout changes and pools on the blocked layout (NCHW16c).
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
 * The global pool reduces [n, cb, hw, 16] over hw into a plain [n, c]: the
 * classifier that follows (Flatten + Gemm) wants channels in order.  The
 * mean sums in double (as ReduceMean does in reduce.c) and gives NaN for
 * hw = 0; the max starts from -inf, as ReduceMax does.
 */
#include "vggrt.h"

#include <float.h>
#include <math.h>
#include <string.h>

enum { B = VGGRT_BLOCK };

static int64_t ceil_div(int64_t a, int64_t b) {
    return (a + b - 1) / b;
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

/* ---- layout changes ---------------------------------------------------------------- */

void vggrt_to_blocked(int in_layout, int64_t n, int64_t c, int64_t hw, const float *x,
                      float *y) {
    const int64_t cb = ceil_div(c, B);
    if (in_layout == VGGRT_LAYOUT_BLOCKED) {
        if (x != y)
            memcpy(y, x, (size_t)(n * cb * hw * B) * sizeof *y);
        return;
    }
    const int nhwc = in_layout == VGGRT_LAYOUT_NHWC;
    for (int64_t bi = 0; bi < n; bi++)
        for (int64_t bc = 0; bc < cb; bc++) {
            const int64_t c0 = bc * B, nl = c - c0 < B ? c - c0 : B;
            float *yb = y + (bi * cb + bc) * hw * B;
            for (int64_t i = 0; i < hw; i++) {
                float *yp = yb + i * B;
                if (nhwc) {
                    const float *xp = x + (bi * hw + i) * c + c0;
                    for (int64_t l = 0; l < nl; l++)
                        yp[l] = xp[l];
                } else {
                    const float *xp = x + (bi * c + c0) * hw + i;
                    for (int64_t l = 0; l < nl; l++)
                        yp[l] = xp[l * hw];
                }
                for (int64_t l = nl; l < B; l++)
                    yp[l] = 0.0f;
            }
        }
}

void vggrt_from_blocked(int64_t n, int64_t c, int64_t hw, const float *x, float *y) {
    const int64_t cb = ceil_div(c, B);
    for (int64_t bi = 0; bi < n; bi++)
        for (int64_t ch = 0; ch < c; ch++) {
            const float *xp = x + ((bi * cb + ch / B) * hw) * B + ch % B;
            float *yp = y + (bi * c + ch) * hw;
            for (int64_t i = 0; i < hw; i++)
                yp[i] = xp[i * B];
        }
}

/* ---- pools ------------------------------------------------------------------------- */

/* Stores m[16] at y with the lanes past nl set to 0. */
static void store_lanes(const float *m, int64_t nl, float *y) {
    for (int l = 0; l < B; l++)
        y[l] = l < nl ? m[l] : 0.0f;
}

void vggrt_maxpool2d_blocked(const vggrt_pool_params *p, int64_t n, const float *x, float *y) {
    const int64_t cb = ceil_div(p->c, B);
    for (int64_t plane = 0; plane < n * cb; plane++) {
        const int64_t nl = p->c - plane % cb * B;
        const float *xp = x + plane * p->h * p->w * B;
        float *yp = y + plane * p->oh * p->ow * B;
        for (int64_t oy = 0; oy < p->oh; oy++) {
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
}

void vggrt_avgpool2d_blocked(const vggrt_pool_params *p, int64_t n, const float *x, float *y) {
    const int64_t cb = ceil_div(p->c, B);
    for (int64_t plane = 0; plane < n * cb; plane++) {
        const int64_t nl = p->c - plane % cb * B;
        const float *xp = x + plane * p->h * p->w * B;
        float *yp = y + plane * p->oh * p->ow * B;
        for (int64_t oy = 0; oy < p->oh; oy++) {
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
}

void vggrt_global_pool_blocked(int is_max, int64_t n, int64_t c, int64_t hw, const float *x,
                               float *y) {
    const int64_t cb = ceil_div(c, B);
    for (int64_t bi = 0; bi < n; bi++)
        for (int64_t bc = 0; bc < cb; bc++) {
            const float *xp = x + (bi * cb + bc) * hw * B;
            const int64_t c0 = bc * B, nl = c - c0 < B ? c - c0 : B;
            float *yp = y + bi * c + c0;
            if (is_max) {
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
