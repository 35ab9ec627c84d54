/* pool.c — MaxPool and AveragePool over NCHW and NCDHW, as ONNX Runtime
 * computes them.
 *
 * One code serves both ranks: a 2-D pool is a 3-D one of depth 1 (d = od =
 * kd = 1, no depth padding).  Output (oz, oy, ox) looks at the window of
 * kd x kh x kw positions
 *     (oz*sd - pf + a*dd, oy*sh - pt + i*dh, ox*sw - pl + j*dw),
 *     0 <= a < kd, 0 <= i < kh, 0 <= j < kw.
 * od/oh/ow come from the compiler, possibly rounded up (ceil_mode), so a
 * window may reach past the padded input as well as into the padding.
 * For each output position along each axis we compute once the range of
 * a (i, j) whose position lies inside the input, so the inner loops never
 * test.
 *
 * MaxPool takes the largest in-input value; NaNs are skipped (a > m is
 * false), as ONNX Runtime does; its Indices variant also records where the
 * value came from (the first of equal maxima).  A window with no position in the input
 * gives -FLT_MAX (ONNX Runtime's starting value, `lowest()`).
 *
 * AveragePool sums the in-input values and divides by
 *   count_include_pad = 0: the number of in-input positions;
 *   count_include_pad = 1: the number of positions inside the padded extent
 *                          [-pf, d+pk) x [-pt, h+pb) x [-pl, w+pr), i.e.
 *                          padding counts but the overhang that ceil_mode
 *                          adds does not.
 * A window with nothing to divide by gives 0.
 *
 * MaxPool also runs on the integer types (vggrt_maxpool2d_int/3d_int, the
 * same loops macro-expanded per type), starting from the type's lowest.
 */
#include "vggrt.h"
#include "ranges.h"

#include <float.h>

/* p as a 3-D pool of depth 1. */
static vggrt_pool3d_params depth1(const vggrt_pool_params *p) {
    vggrt_pool3d_params q = {*p, 1, 1, 1, 1, 0, 0, 1};
    return q;
}

/* Max pool; with idx, also the flat index of each maximum (ONNX MaxPool's
 * Indices: over the whole tensor, row-major, or column-major within a plane
 * (first spatial axis fastest) when storage_order is 1).  A NaN never
 * wins: the max starts at -FLT_MAX and takes only larger values. */
static void maxpool(const vggrt_pool3d_params *p3, int rank3, int storage_order, int64_t n,
                    const float *x, float *y, int64_t *idx) {
    const vggrt_pool_params *p = &p3->hw;
    const int64_t hw = p->h * p->w, vol = p3->d * hw, ovol = p3->od * p->oh * p->ow;
    for (int64_t plane = 0; plane < n * p->c; plane++) {
        const float *xp = x + plane * vol;
        float *yp = y + plane * ovol;
        int64_t *ip = idx ? idx + plane * ovol : NULL;
        for (int64_t oz = 0; oz < p3->od; oz++) {
            int64_t zs = oz * p3->sd - p3->pfront, a0, a1;
            window_range(zs, p3->dd, p3->kd, 0, p3->d, &a0, &a1);
            for (int64_t oy = 0; oy < p->oh; oy++) {
                int64_t ys = oy * p->sh - p->pt, i0, i1;
                window_range(ys, p->dh, p->kh, 0, p->h, &i0, &i1);
                for (int64_t ox = 0; ox < p->ow; ox++) {
                    int64_t xs = ox * p->sw - p->pl, j0, j1;
                    window_range(xs, p->dw, p->kw, 0, p->w, &j0, &j1);
                    float m = -FLT_MAX;
                    /* A window with no input position keeps -1 per axis in
                     * the formula below, as ONNX Runtime's; a 2-D pool has
                     * no depth term at all. */
                    int64_t mz = rank3 ? -1 : 0, my = -1, mx = -1;
                    for (int64_t a = a0; a < a1; a++) {
                        int64_t iz = zs + a * p3->dd;
                        for (int64_t i = i0; i < i1; i++) {
                            int64_t iy = ys + i * p->dh;
                            const float *xr = xp + iz * hw + iy * p->w;
                            for (int64_t j = j0; j < j1; j++) {
                                int64_t ix = xs + j * p->dw;
                                float v = xr[ix];
                                if (v > m) {
                                    m = v;
                                    mz = iz;
                                    my = iy;
                                    mx = ix;
                                }
                            }
                        }
                    }
                    int64_t o = (oz * p->oh + oy) * p->ow + ox;
                    yp[o] = m;
                    if (ip)
                        ip[o] = plane * vol + (storage_order
                                                   ? mz + my * p3->d + mx * p3->d * p->h
                                                   : mz * hw + my * p->w + mx);
                }
            }
        }
    }
}

static void maxpool2d(const vggrt_pool_params *p, int storage_order, int64_t n, const float *x,
                      float *y, int64_t *idx) {
    vggrt_pool3d_params q = depth1(p);
    maxpool(&q, 0, storage_order, n, x, y, idx);
}

void vggrt_maxpool2d(const vggrt_pool_params *p, int64_t n, const float *x, float *y) {
    maxpool2d(p, 0, n, x, y, NULL);
}

void vggrt_maxpool2d_indices(const vggrt_pool_params *p, int storage_order, int64_t n,
                             const float *x, float *y, int64_t *idx) {
    maxpool2d(p, storage_order, n, x, y, idx);
}

void vggrt_maxpool3d(const vggrt_pool3d_params *p, int64_t n, const float *x, float *y) {
    maxpool(p, 1, 0, n, x, y, NULL);
}

void vggrt_maxpool3d_indices(const vggrt_pool3d_params *p, int storage_order, int64_t n,
                             const float *x, float *y, int64_t *idx) {
    maxpool(p, 1, storage_order, n, x, y, idx);
}

/* Max pool of integer type T, starting each window at LOWEST (as ONNX
 * Runtime's lowest()): no NaNs and no indices, so a plain loop. */
#define MAXPOOL_INT(T, LOWEST)                                                                 \
    do {                                                                                       \
        const vggrt_pool_params *p = &p3->hw;                                                  \
        const int64_t hw = p->h * p->w, vol = p3->d * hw, ovol = p3->od * p->oh * p->ow;       \
        for (int64_t plane = 0; plane < n * p->c; plane++) {                                   \
            const T *xp = (const T *)x + plane * vol;                                          \
            T *yp = (T *)y + plane * ovol;                                                     \
            for (int64_t oz = 0; oz < p3->od; oz++) {                                          \
                int64_t zs = oz * p3->sd - p3->pfront, a0, a1;                                 \
                window_range(zs, p3->dd, p3->kd, 0, p3->d, &a0, &a1);                          \
                for (int64_t oy = 0; oy < p->oh; oy++) {                                       \
                    int64_t ys = oy * p->sh - p->pt, i0, i1;                                   \
                    window_range(ys, p->dh, p->kh, 0, p->h, &i0, &i1);                         \
                    for (int64_t ox = 0; ox < p->ow; ox++) {                                   \
                        int64_t xs = ox * p->sw - p->pl, j0, j1;                               \
                        window_range(xs, p->dw, p->kw, 0, p->w, &j0, &j1);                     \
                        T m = LOWEST;                                                          \
                        for (int64_t a = a0; a < a1; a++)                                      \
                            for (int64_t i = i0; i < i1; i++) {                                \
                                const T *xr = xp + (zs + a * p3->dd) * hw + (ys + i * p->dh) * p->w; \
                                for (int64_t j = j0; j < j1; j++) {                            \
                                    T v = xr[xs + j * p->dw];                                  \
                                    m = v > m ? v : m;                                         \
                                }                                                              \
                            }                                                                  \
                        yp[(oz * p->oh + oy) * p->ow + ox] = m;                                \
                    }                                                                          \
                }                                                                              \
            }                                                                                  \
        }                                                                                      \
    } while (0)

vggrt_status vggrt_maxpool3d_int(int dtype, const vggrt_pool3d_params *p3, int64_t n,
                                 const void *x, void *y) {
    switch (dtype) {
    case VGGRT_U8: MAXPOOL_INT(uint8_t, 0); break;
    case VGGRT_I8: MAXPOOL_INT(int8_t, INT8_MIN); break;
    case VGGRT_I32: MAXPOOL_INT(int32_t, INT32_MIN); break;
    case VGGRT_I64: MAXPOOL_INT(int64_t, INT64_MIN); break;
    default: return VGGRT_ERR_ARG;
    }
    return VGGRT_OK;
}

vggrt_status vggrt_maxpool2d_int(int dtype, const vggrt_pool_params *p, int64_t n, const void *x,
                                 void *y) {
    vggrt_pool3d_params q = depth1(p);
    return vggrt_maxpool3d_int(dtype, &q, n, x, y);
}

void vggrt_avgpool3d(const vggrt_pool3d_params *p3, int64_t n, const float *x, float *y) {
    const vggrt_pool_params *p = &p3->hw;
    const int64_t hw = p->h * p->w, vol = p3->d * hw, ovol = p3->od * p->oh * p->ow;
    for (int64_t plane = 0; plane < n * p->c; plane++) {
        const float *xp = x + plane * vol;
        float *yp = y + plane * ovol;
        for (int64_t oz = 0; oz < p3->od; oz++) {
            int64_t zs = oz * p3->sd - p3->pfront, a0, a1, pa0, pa1;
            window_range(zs, p3->dd, p3->kd, 0, p3->d, &a0, &a1);
            window_range(zs, p3->dd, p3->kd, -p3->pfront, p3->d + p3->pback, &pa0, &pa1);
            for (int64_t oy = 0; oy < p->oh; oy++) {
                int64_t ys = oy * p->sh - p->pt, i0, i1, pi0, pi1;
                window_range(ys, p->dh, p->kh, 0, p->h, &i0, &i1);
                window_range(ys, p->dh, p->kh, -p->pt, p->h + p->pb, &pi0, &pi1);
                for (int64_t ox = 0; ox < p->ow; ox++) {
                    int64_t xs = ox * p->sw - p->pl, j0, j1, pj0, pj1;
                    window_range(xs, p->dw, p->kw, 0, p->w, &j0, &j1);
                    window_range(xs, p->dw, p->kw, -p->pl, p->w + p->pr, &pj0, &pj1);
                    float s = 0.0f;
                    for (int64_t a = a0; a < a1; a++) {
                        const float *xz = xp + (zs + a * p3->dd) * hw;
                        for (int64_t i = i0; i < i1; i++) {
                            const float *r = xz + (ys + i * p->dh) * p->w;
                            for (int64_t j = j0; j < j1; j++)
                                s += r[xs + j * p->dw];
                        }
                    }
                    int64_t cnt = p->count_include_pad
                                      ? (pa1 - pa0) * (pi1 - pi0) * (pj1 - pj0)
                                      : (a1 - a0) * (i1 - i0) * (j1 - j0);
                    yp[(oz * p->oh + oy) * p->ow + ox] = cnt > 0 ? s / (float)cnt : 0.0f;
                }
            }
        }
    }
}

void vggrt_avgpool2d(const vggrt_pool_params *p, int64_t n, const float *x, float *y) {
    vggrt_pool3d_params q = depth1(p);
    vggrt_avgpool3d(&q, n, x, y);
}
