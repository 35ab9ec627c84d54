/* pool.c — MaxPool and AveragePool over NCHW, as ONNX Runtime computes them.
 *
 * Output (oy, ox) looks at the window of kh x kw positions
 *     (oy*sh - pt + i*dh, ox*sw - pl + j*dw),  0 <= i < kh, 0 <= j < kw.
 * oh/ow come from the compiler, possibly rounded up (ceil_mode), so a
 * window may reach past the padded input as well as into the padding.
 * For each output row and column we compute once the range of i (and j)
 * whose position lies inside the input, so the inner loops never test.
 *
 * MaxPool takes the largest in-input value; NaNs are skipped (a > m is
 * false), as ONNX Runtime does; its Indices variant also records where the
 * value came from (the first of equal maxima).  A window with no position in the input
 * gives -FLT_MAX (ONNX Runtime's starting value, `lowest()`).
 *
 * AveragePool sums the in-input values and divides by
 *   count_include_pad = 0: the number of in-input positions;
 *   count_include_pad = 1: the number of positions inside the padded extent
 *                          [-pt, h+pb) x [-pl, w+pr), i.e. padding counts
 *                          but the overhang that ceil_mode adds does not.
 * A window with nothing to divide by gives 0.
 */
#include "vggrt.h"

#include <float.h>

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

/* Max pool; with idx, also the flat index of each maximum (ONNX MaxPool's
 * Indices: over the whole tensor, row-major, or column-major within a plane
 * when storage_order is 1).  A NaN never wins: the max starts at -FLT_MAX
 * and takes only larger values. */
static void maxpool(const vggrt_pool_params *p, int storage_order, int64_t n, const float *x,
                    float *y, int64_t *idx) {
    const int64_t hw = p->h * p->w;
    for (int64_t plane = 0; plane < n * p->c; plane++) {
        const float *xp = x + plane * hw;
        float *yp = y + plane * p->oh * p->ow;
        int64_t *ip = idx ? idx + plane * p->oh * p->ow : NULL;
        for (int64_t oy = 0; oy < p->oh; oy++) {
            int64_t ys = oy * p->sh - p->pt, i0, i1;
            window_range(ys, p->dh, p->kh, 0, p->h, &i0, &i1);
            for (int64_t ox = 0; ox < p->ow; ox++) {
                int64_t xs = ox * p->sw - p->pl, j0, j1;
                window_range(xs, p->dw, p->kw, 0, p->w, &j0, &j1);
                float m = -FLT_MAX;
                int64_t my = -1, mx = -1;
                for (int64_t i = i0; i < i1; i++) {
                    int64_t iy = ys + i * p->dh;
                    for (int64_t j = j0; j < j1; j++) {
                        int64_t ix = xs + j * p->dw;
                        float v = xp[iy * p->w + ix];
                        if (v > m) {
                            m = v;
                            my = iy;
                            mx = ix;
                        }
                    }
                }
                yp[oy * p->ow + ox] = m;
                if (ip)
                    ip[oy * p->ow + ox] =
                        plane * hw + (storage_order ? my + mx * p->h : my * p->w + mx);
            }
        }
    }
}

void vggrt_maxpool2d(const vggrt_pool_params *p, int64_t n, const float *x, float *y) {
    maxpool(p, 0, n, x, y, NULL);
}

void vggrt_maxpool2d_indices(const vggrt_pool_params *p, int storage_order, int64_t n,
                             const float *x, float *y, int64_t *idx) {
    maxpool(p, storage_order, n, x, y, idx);
}

void vggrt_avgpool2d(const vggrt_pool_params *p, int64_t n, const float *x, float *y) {
    for (int64_t plane = 0; plane < n * p->c; plane++) {
        const float *xp = x + plane * p->h * p->w;
        float *yp = y + plane * p->oh * p->ow;
        for (int64_t oy = 0; oy < p->oh; oy++) {
            int64_t ys = oy * p->sh - p->pt, i0, i1, pi0, pi1;
            window_range(ys, p->dh, p->kh, 0, p->h, &i0, &i1);
            window_range(ys, p->dh, p->kh, -p->pt, p->h + p->pb, &pi0, &pi1);
            for (int64_t ox = 0; ox < p->ow; ox++) {
                int64_t xs = ox * p->sw - p->pl, j0, j1, pj0, pj1;
                window_range(xs, p->dw, p->kw, 0, p->w, &j0, &j1);
                window_range(xs, p->dw, p->kw, -p->pl, p->w + p->pr, &pj0, &pj1);
                float s = 0.0f;
                for (int64_t i = i0; i < i1; i++) {
                    const float *r = xp + (ys + i * p->dh) * p->w;
                    for (int64_t j = j0; j < j1; j++)
                        s += r[xs + j * p->dw];
                }
                int64_t cnt = p->count_include_pad ? (pi1 - pi0) * (pj1 - pj0)
                                                   : (i1 - i0) * (j1 - j0);
                yp[oy * p->ow + ox] = cnt > 0 ? s / (float)cnt : 0.0f;
            }
        }
    }
}
