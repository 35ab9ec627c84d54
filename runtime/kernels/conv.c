/* conv.c — 2-D and 3-D convolution as im2col + one sgemm per batch item
 * and group; at the end, the transposed convolution (ConvTranspose) as
 * one sgemm + col2im.
 *
 * The reference kernel: simple, exact about ONNX's semantics (asymmetric
 * padding, strides, dilation, groups), and as fast as OpenBLAS makes it.
 * The blocked NCHW16c / Winograd kernels of a later phase are checked
 * against it.
 *
 * One code serves both ranks: a 2-D convolution is a 3-D one of depth 1
 * (d = od = kd = 1, no depth padding), so vggrt_conv2d hands its
 * parameters on with that depth.  For batch item b and group g (cg = c/group
 * input channels, kg = k/group output channels), im2col unrolls the input
 * into a matrix
 *     col[((ci*kd + a)*kh + i)*kw + j][(oz*oh + oy)*ow + ox]
 *         = x[b, g*cg + ci, oz*sd - pf + a*dd, oy*sh - pt + i*dh, ox*sw - pl + j*dw]
 * (0 where that falls in the padding), so that the output block is one
 * product
 *     y[b, g*kg .. (g+1)*kg, :] = w_g[kg, cg*kd*kh*kw] x col[cg*kd*kh*kw, od*oh*ow],
 * written straight into y (row stride od*oh*ow).  Back, bottom and right
 * padding are implied: positions past the input read as 0 whatever
 * od/oh/ow ask for.  The buffer is the usual im2col size, kernel volume
 * times output volume per group: linear in each.
 *
 * A 1x1(x1) kernel with stride 1 and no padding (output size == input
 * size) needs no im2col: the input block itself is the col matrix.  Then the
 * work buffer is not used and the work size is 0.
 *
 * The epilogue adds the bias and applies the activation per output channel
 * while the row is hot in cache.  Nothing here allocates: the caller (the
 * generated code, from its arena) provides vggrt_conv2d_work_size (or
 * vggrt_conv3d_work_size) floats.
 */
#include "vggrt.h"
#include "ranges.h"

#include <cblas.h>
#include <string.h>

/* p as a 3-D convolution of depth 1. */
static vggrt_conv3d_params depth1(const vggrt_conv_params *p) {
    vggrt_conv3d_params q = {*p, 1, 1, 1, 1, 0, 1};
    return q;
}

static int is_pointwise(const vggrt_conv3d_params *p) {
    const vggrt_conv_params *q = &p->hw;
    return q->kh == 1 && q->kw == 1 && q->sh == 1 && q->sw == 1 && q->pt == 0 && q->pl == 0 &&
           q->oh == q->h && q->ow == q->w && p->kd == 1 && p->sd == 1 && p->pfront == 0 &&
           p->od == p->d;
}

size_t vggrt_conv3d_work_size(const vggrt_conv3d_params *p) {
    const vggrt_conv_params *q = &p->hw;
    if (is_pointwise(p))
        return 0;
    return (size_t)(q->c / q->group * p->kd * q->kh * q->kw) * (size_t)(p->od * q->oh * q->ow);
}

size_t vggrt_conv2d_work_size(const vggrt_conv_params *p) {
    vggrt_conv3d_params q = depth1(p);
    return vggrt_conv3d_work_size(&q);
}

/* col[cg*kd*kh*kw][od*oh*ow] from x[cg][d][h][w] (one group of one batch item). */
static void im2col(const vggrt_conv3d_params *p, int64_t cg, const float *x, float *col) {
    const vggrt_conv_params *q = &p->hw;
    const int64_t oh = q->oh, ow = q->ow, h = q->h, w = q->w, d = p->d, od = p->od;
    const int64_t plane = oh * ow;
    for (int64_t ci = 0; ci < cg; ci++) {
        for (int64_t a = 0; a < p->kd; a++) {
            for (int64_t i = 0; i < q->kh; i++) {
                for (int64_t j = 0; j < q->kw; j++) {
                    float *row = col + (((ci * p->kd + a) * q->kh + i) * q->kw + j) * od * plane;
                    int64_t xoff = j * q->dw - q->pl, x0, x1;
                    window_range(xoff, q->sw, ow, 0, w, &x0, &x1); /* outputs inside */
                    for (int64_t oz = 0; oz < od; oz++) {
                        float *rz = row + oz * plane;
                        int64_t iz = oz * p->sd - p->pfront + a * p->dd;
                        if (iz < 0 || iz >= d) {
                            memset(rz, 0, (size_t)plane * sizeof *rz);
                            continue;
                        }
                        const float *xc = x + (ci * d + iz) * h * w;
                        for (int64_t oy = 0; oy < oh; oy++) {
                            float *r = rz + oy * ow;
                            int64_t iy = oy * q->sh - q->pt + i * q->dh;
                            if (iy < 0 || iy >= h) {
                                memset(r, 0, (size_t)ow * sizeof *r);
                                continue;
                            }
                            const float *xr = xc + iy * w;
                            for (int64_t ox = 0; ox < x0; ox++)
                                r[ox] = 0.0f;
                            if (q->sw == 1 && x1 > x0) {
                                memcpy(r + x0, xr + x0 + xoff, (size_t)(x1 - x0) * sizeof *r);
                            } else {
                                for (int64_t ox = x0; ox < x1; ox++)
                                    r[ox] = xr[ox * q->sw + xoff];
                            }
                            for (int64_t ox = x1; ox < ow; ox++)
                                r[ox] = 0.0f;
                        }
                    }
                }
            }
        }
    }
}

static void epilogue(int64_t kg, int64_t plane, const float *b, int act, float *y) {
    if (!b && act == VGGRT_ACT_NONE)
        return;
    for (int64_t k = 0; k < kg; k++) {
        float *r = y + k * plane, bias = b ? b[k] : 0.0f;
        if (act == VGGRT_ACT_RELU) {
            for (int64_t i = 0; i < plane; i++) {
                float v = r[i] + bias;
                r[i] = v > 0.0f ? v : 0.0f;
            }
        } else {
            for (int64_t i = 0; i < plane; i++)
                r[i] += bias;
        }
    }
}

/* The convolution itself, any depth; p->hw.act is ReLU or none.  Always
 * inlined into its three callers: the LLVM backend then sees a layer's
 * constant parameters through vggrt_conv2d and specializes the loops
 * (tests/llvm/test_ir.sh). */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((always_inline))
#endif
static inline void conv3d(const vggrt_conv3d_params *p, int64_t n, const float *x, const float *w,
                   const float *b, float *y, float *work) {
    const vggrt_conv_params *q = &p->hw;
    const int64_t cg = q->c / q->group, kg = q->k / q->group;
    const int64_t plane = p->od * q->oh * q->ow, kdim = cg * p->kd * q->kh * q->kw;
    const int64_t in_plane = p->d * q->h * q->w;
    const int pointwise = is_pointwise(p);
    if (plane == 0 || kg == 0)
        return;
    for (int64_t bi = 0; bi < n; bi++) {
        for (int64_t g = 0; g < q->group; g++) {
            const float *xg = x + (bi * q->c + g * cg) * in_plane;
            const float *wg = w + g * kg * kdim;
            float *yg = y + (bi * q->k + g * kg) * plane;
            if (kdim == 0) {
                memset(yg, 0, (size_t)(kg * plane) * sizeof *yg);
            } else {
                const float *col = xg;
                if (!pointwise) {
                    im2col(p, cg, xg, work);
                    col = work;
                }
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)kg,
                            (blasint)plane, (blasint)kdim, 1.0f, wg, (blasint)kdim, col,
                            (blasint)plane, 0.0f, yg, (blasint)plane);
            }
            epilogue(kg, plane, b ? b + g * kg : NULL, q->act, yg);
        }
    }
}

void vggrt_conv2d(const vggrt_conv_params *p, int64_t n, const float *x, const float *w,
                  const float *b, float *y, float *work) {
    vggrt_conv3d_params q = depth1(p);
    conv3d(&q, n, x, w, b, y, work);
}

/* ---- conv + activation + max pool, item by item ------------------------------
 * The plain-layout form of a fused layer (the blocked form is vggrt_dconv2d):
 * each item's conv result lands in the scratch after the im2col buffer, gets
 * its activation, and is max-pooled into y; without a pool the conv writes
 * y directly and the activation runs in place. */

static size_t round16(size_t n) { return (n + 15) & ~(size_t)15; }

size_t vggrt_conv2d_fused_work_size(const vggrt_conv_params *p, const vggrt_pool_params *pool)
{
    size_t n = round16(vggrt_conv2d_work_size(p));
    if (pool)
        n += (size_t)(p->k * p->oh * p->ow);
    return n;
}

static void activate(int act, float alpha, float beta, size_t count, float *y)
{
    switch (act) {
    case VGGRT_ACT_CLIP: vggrt_unary_f32(VGGRT_CLIP, count, y, y, alpha, beta); break;
    case VGGRT_ACT_LEAKY_RELU: vggrt_unary_f32(VGGRT_LEAKY_RELU, count, y, y, alpha, 0); break;
    case VGGRT_ACT_SIGMOID: vggrt_unary_f32(VGGRT_SIGMOID, count, y, y, 0, 0); break;
    default: break;     /* none, or ReLU (applied by the conv's own epilogue) */
    }
}

void vggrt_conv2d_fused(const vggrt_conv_params *p, int act, float alpha, float beta,
                        const vggrt_pool_params *pool, int64_t n, const float *x, const float *w,
                        const float *b, float *y, float *work)
{
    vggrt_conv_params q = *p;
    q.act = act == VGGRT_ACT_RELU ? VGGRT_ACT_RELU : VGGRT_ACT_NONE;
    const size_t conv_out = (size_t)(p->k * p->oh * p->ow);
    if (!pool) {
        vggrt_conv2d(&q, n, x, w, b, y, work);
        activate(act, alpha, beta, (size_t)n * conv_out, y);
        return;
    }
    float *tmp = work + round16(vggrt_conv2d_work_size(p));
    const size_t in_item = (size_t)(p->c * p->h * p->w);
    const size_t out_item = (size_t)(pool->c * pool->oh * pool->ow);
    for (int64_t i = 0; i < n; i++) {
        vggrt_conv2d(&q, 1, x + (size_t)i * in_item, w, b, tmp, work);
        activate(act, alpha, beta, conv_out, tmp);
        vggrt_maxpool2d(pool, 1, tmp, y + (size_t)i * out_item);
    }
}

void vggrt_conv3d(const vggrt_conv3d_params *p, int act, float alpha, float beta, int64_t n,
                  const float *x, const float *w, const float *b, float *y, float *work)
{
    vggrt_conv3d_params q = *p;
    q.hw.act = act == VGGRT_ACT_RELU ? VGGRT_ACT_RELU : VGGRT_ACT_NONE;
    conv3d(&q, n, x, w, b, y, work);
    activate(act, alpha, beta, (size_t)(n * p->hw.k * p->od * p->hw.oh * p->hw.ow), y);
}

/* ---- transposed convolution --------------------------------------------------
 * ConvTranspose is the adjoint of the convolution: input position i feeds
 * output positions i*s - p + t*dil, one per kernel tap t.  For batch item b
 * and group g (cg = c/group input channels, kg = k/group output channels,
 * taps = kd*kh*kw) one product gives every tap's contribution of every
 * input position,
 *     col[kg*taps, d*h*w] = w_g[cg, kg*taps]^T x x_g[cg, d*h*w]
 * (w as ONNX stores it: [c, k/group, kd, kh, kw]), and col2im adds each row
 * of col into the output plane of its channel, shifted by its tap: the
 * scatter that im2col's gather undoes.  The output starts at the bias.
 * Positions that no input reaches (beyond the full transposed conv, as
 * output_shape or output_padding can ask for) keep the bias. */

/* The input positions i in [0, n_in) whose output i*s + off is in [0, n_out). */
static void scatter_range(int64_t off, int64_t s, int64_t n_in, int64_t n_out, int64_t *lo,
                          int64_t *hi) {
    *lo = off >= 0 ? 0 : (-off + s - 1) / s;
    *hi = off > n_out - 1 ? 0 : min64(n_in, (n_out - 1 - off) / s + 1);
    if (*hi < *lo)
        *hi = *lo;
}

size_t vggrt_conv_transpose_work_size(const vggrt_conv3d_params *p) {
    const vggrt_conv_params *q = &p->hw;
    return (size_t)(q->k / q->group * p->kd * q->kh * q->kw) * (size_t)(p->d * q->h * q->w);
}

/* y[kg][od][oh][ow] += col2im(col[kg*taps][d*h*w]), one group of one item. */
static void col2im(const vggrt_conv3d_params *p, int64_t kg, const float *col, float *y) {
    const vggrt_conv_params *q = &p->hw;
    const int64_t in_plane = p->d * q->h * q->w, out_hw = q->oh * q->ow;
    for (int64_t m = 0; m < kg; m++) {
        float *ym = y + m * p->od * out_hw;
        for (int64_t a = 0; a < p->kd; a++) {
            int64_t z0, z1;
            scatter_range(a * p->dd - p->pfront, p->sd, p->d, p->od, &z0, &z1);
            for (int64_t i = 0; i < q->kh; i++) {
                int64_t y0, y1;
                scatter_range(i * q->dh - q->pt, q->sh, q->h, q->oh, &y0, &y1);
                for (int64_t j = 0; j < q->kw; j++) {
                    const int64_t xoff = j * q->dw - q->pl;
                    int64_t x0, x1;
                    scatter_range(xoff, q->sw, q->w, q->ow, &x0, &x1);
                    const float *row = col + (((m * p->kd + a) * q->kh + i) * q->kw + j) * in_plane;
                    for (int64_t iz = z0; iz < z1; iz++) {
                        float *yz = ym + (iz * p->sd - p->pfront + a * p->dd) * out_hw;
                        for (int64_t iy = y0; iy < y1; iy++) {
                            float *yr = yz + (iy * q->sh - q->pt + i * q->dh) * q->ow;
                            const float *cr = row + (iz * q->h + iy) * q->w;
                            for (int64_t ix = x0; ix < x1; ix++)
                                yr[ix * q->sw + xoff] += cr[ix];
                        }
                    }
                }
            }
        }
    }
}

void vggrt_conv_transpose(const vggrt_conv3d_params *p, int64_t n, const float *x,
                          const float *w, const float *b, float *y, float *work) {
    const vggrt_conv_params *q = &p->hw;
    const int64_t cg = q->c / q->group, kg = q->k / q->group;
    const int64_t taps = p->kd * q->kh * q->kw, in_plane = p->d * q->h * q->w;
    const int64_t out_plane = p->od * q->oh * q->ow;
    for (int64_t bi = 0; bi < n; bi++) {
        for (int64_t g = 0; g < q->group; g++) {
            float *yg = y + (bi * q->k + g * kg) * out_plane;
            for (int64_t m = 0; m < kg; m++) {
                const float bias = b ? b[g * kg + m] : 0.0f;
                for (int64_t o = 0; o < out_plane; o++)
                    yg[m * out_plane + o] = bias;
            }
            if (cg == 0 || in_plane == 0 || kg * taps == 0)
                continue;
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (blasint)(kg * taps),
                        (blasint)in_plane, (blasint)cg, 1.0f, w + g * cg * kg * taps,
                        (blasint)(kg * taps), x + (bi * q->c + g * cg) * in_plane,
                        (blasint)in_plane, 0.0f, work, (blasint)in_plane);
            col2im(p, kg, work, yg);
        }
    }
}
