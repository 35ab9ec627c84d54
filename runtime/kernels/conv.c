/* conv.c — 2-D convolution as im2col + one sgemm per batch item and group.
 *
 * The reference kernel: simple, exact about ONNX's semantics (asymmetric
 * padding, strides, dilation, groups), and as fast as OpenBLAS makes it.
 * The blocked NCHW16c / Winograd kernels of a later phase are checked
 * against it.
 *
 * For batch item b and group g (cg = c/group input channels, kg = k/group
 * output channels), im2col unrolls the input into a matrix
 *     col[(ci*kh + i)*kw + j][oy*ow + ox] = x[b, g*cg + ci, oy*sh - pt + i*dh, ox*sw - pl + j*dw]
 * (0 where that falls in the padding), so that the output block is one
 * product
 *     y[b, g*kg .. (g+1)*kg, :, :] = w_g[kg, cg*kh*kw] x col[cg*kh*kw, oh*ow],
 * written straight into y (row stride oh*ow).  Bottom and right padding are
 * implied: positions past the input read as 0 whatever oh/ow ask for.
 *
 * A 1x1 kernel with stride 1 and no padding (oh == h, ow == w) needs no
 * im2col: the input block itself is the col matrix.  Then the work buffer
 * is not used and vggrt_conv2d_work_size says 0.
 *
 * The epilogue adds the bias and applies the activation per output channel
 * while the row is hot in cache.  Nothing here allocates: the caller (the
 * generated code, from its arena) provides vggrt_conv2d_work_size floats.
 */
#include "vggrt.h"

#include <cblas.h>
#include <string.h>

static int is_pointwise(const vggrt_conv_params *p) {
    return p->kh == 1 && p->kw == 1 && p->sh == 1 && p->sw == 1 && p->pt == 0 && p->pl == 0 &&
           p->oh == p->h && p->ow == p->w;
}

size_t vggrt_conv2d_work_size(const vggrt_conv_params *p) {
    if (is_pointwise(p))
        return 0;
    return (size_t)(p->c / p->group * p->kh * p->kw) * (size_t)(p->oh * p->ow);
}

static int64_t ceil_div(int64_t a, int64_t b) {
    return (a + b - 1) / b;
}

/* The o in [*lo, *hi) with 0 <= o*step + off < len, for o in [0, n). */
static void valid_range(int64_t off, int64_t step, int64_t len, int64_t n, int64_t *lo,
                        int64_t *hi) {
    int64_t a = off >= 0 ? 0 : ceil_div(-off, step);
    int64_t b = len - off <= 0 ? 0 : ceil_div(len - off, step);
    if (b > n)
        b = n;
    if (a > b)
        a = b;
    *lo = a;
    *hi = b;
}

/* col[cg*kh*kw][oh*ow] from x[cg][h][w] (one group of one batch item). */
static void im2col(const vggrt_conv_params *p, int64_t cg, const float *x, float *col) {
    const int64_t oh = p->oh, ow = p->ow, h = p->h, w = p->w;
    for (int64_t ci = 0; ci < cg; ci++) {
        const float *xc = x + ci * h * w;
        for (int64_t i = 0; i < p->kh; i++) {
            for (int64_t j = 0; j < p->kw; j++) {
                float *row = col + ((ci * p->kh + i) * p->kw + j) * oh * ow;
                int64_t xoff = j * p->dw - p->pl, x0, x1;
                valid_range(xoff, p->sw, w, ow, &x0, &x1);
                for (int64_t oy = 0; oy < oh; oy++) {
                    float *r = row + oy * ow;
                    int64_t iy = oy * p->sh - p->pt + i * p->dh;
                    if (iy < 0 || iy >= h) {
                        memset(r, 0, (size_t)ow * sizeof *r);
                        continue;
                    }
                    const float *xr = xc + iy * w;
                    for (int64_t ox = 0; ox < x0; ox++)
                        r[ox] = 0.0f;
                    if (p->sw == 1 && x1 > x0) {
                        memcpy(r + x0, xr + x0 + xoff, (size_t)(x1 - x0) * sizeof *r);
                    } else {
                        for (int64_t ox = x0; ox < x1; ox++)
                            r[ox] = xr[ox * p->sw + xoff];
                    }
                    for (int64_t ox = x1; ox < ow; ox++)
                        r[ox] = 0.0f;
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

void vggrt_conv2d(const vggrt_conv_params *p, int64_t n, const float *x, const float *w,
                  const float *b, float *y, float *work) {
    const int64_t cg = p->c / p->group, kg = p->k / p->group;
    const int64_t plane = p->oh * p->ow, kdim = cg * p->kh * p->kw;
    const int pointwise = is_pointwise(p);
    if (plane == 0 || kg == 0)
        return;
    for (int64_t bi = 0; bi < n; bi++) {
        for (int64_t g = 0; g < p->group; g++) {
            const float *xg = x + (bi * p->c + g * cg) * p->h * p->w;
            const float *wg = w + g * kg * kdim;
            float *yg = y + (bi * p->k + g * kg) * plane;
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
            epilogue(kg, plane, b ? b + g * kg : NULL, p->act, yg);
        }
    }
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
