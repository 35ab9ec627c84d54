/* reduce.c — kernels that combine many elements into one: Softmax and
 * LogSoftmax, ReduceMean, ReduceSum and ReduceMax, LRN.
 *
 * Softmax over the middle axis of [outer, len, inner] is the numerically
 * stable form: m = max_l x, s = sum_l exp(x - m), y = exp(x - m) / s, or for
 * the log form y = (x - m) - log(s); exp never sees a positive argument, so
 * nothing overflows, and s >= 1.  Columns are processed in blocks of up to
 * 64 adjacent inner positions, so the passes over len read whole cache
 * lines and keep m and s in small arrays on the stack; inner = 1 (the usual
 * [batch, classes]) is the same code with blocks of one.  x may equal y.
 * The sum is accumulated in double.
 *
 * Reductions first merge neighbouring dims that are both reduced or both
 * kept (x is dense, so that is always possible) and drop dims of size 1.
 * If the innermost group is reduced, every output is a sum over contiguous
 * runs, accumulated in double for the mean and the sum.  If it is kept, the
 * output row of that length is the accumulator, and every reduced position
 * adds a contiguous row of x into it: both ways the inner loop walks memory
 * in order.  An empty reduction gives NaN for the mean, 0 for the sum and
 * -inf for the max.
 *
 * LRN follows the ONNX definition (across channels; `size` may be even):
 *   square_sum[c] = sum of x[c']^2 for c' in [c - floor((size-1)/2), c + ceil((size-1)/2)]
 *                   clipped to [0, C)
 *   y[c] = x[c] / (bias + alpha / size * square_sum[c])^beta
 * y serves as the accumulator for square_sum, so y must not alias x.
 */
#include "vggrt.h"

#include <math.h>

/* ---- softmax ---------------------------------------------------------------------- */

enum { SOFTMAX_BLOCK = 64 };

void vggrt_softmax(int take_log, int64_t outer, int64_t len, int64_t inner, const float *x,
                   float *y) {
    float m[SOFTMAX_BLOCK];
    double s[SOFTMAX_BLOCK];
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t i0 = 0; i0 < inner; i0 += SOFTMAX_BLOCK) {
            int nb = inner - i0 < SOFTMAX_BLOCK ? (int)(inner - i0) : SOFTMAX_BLOCK;
            const float *xb = x + o * len * inner + i0;
            float *yb = y + o * len * inner + i0;
            for (int j = 0; j < nb; j++) {
                m[j] = -INFINITY;
                s[j] = 0.0;
            }
            for (int64_t l = 0; l < len; l++)
                for (int j = 0; j < nb; j++) {
                    float v = xb[l * inner + j];
                    m[j] = v > m[j] ? v : m[j];
                }
            if (take_log) {
                for (int64_t l = 0; l < len; l++)
                    for (int j = 0; j < nb; j++)
                        s[j] += expf(xb[l * inner + j] - m[j]);
                float ls[SOFTMAX_BLOCK];
                for (int j = 0; j < nb; j++)
                    ls[j] = (float)log(s[j]);
                for (int64_t l = 0; l < len; l++)
                    for (int j = 0; j < nb; j++)
                        yb[l * inner + j] = (xb[l * inner + j] - m[j]) - ls[j];
            } else {
                for (int64_t l = 0; l < len; l++)
                    for (int j = 0; j < nb; j++) {
                        float e = expf(xb[l * inner + j] - m[j]);
                        yb[l * inner + j] = e;
                        s[j] += e;
                    }
                float r[SOFTMAX_BLOCK];
                for (int j = 0; j < nb; j++)
                    r[j] = (float)(1.0 / s[j]);
                for (int64_t l = 0; l < len; l++)
                    for (int j = 0; j < nb; j++)
                        yb[l * inner + j] *= r[j];
            }
        }
    }
}

/* ---- ReduceMean, ReduceSum, ReduceMax ---------------------------------------------- */

typedef struct {
    int n;
    int64_t size[VGGRT_MAX_RANK], stride[VGGRT_MAX_RANK];
} Dims;

/* Offset in x of the linear index `lin` over the dims of d (C order). */
static int64_t offset_of(const Dims *d, int64_t lin) {
    int64_t off = 0;
    for (int i = d->n - 1; i >= 0; i--) {
        off += lin % d->size[i] * d->stride[i];
        lin /= d->size[i];
    }
    return off;
}

static int64_t count_of(const Dims *d) {
    int64_t c = 1;
    for (int i = 0; i < d->n; i++)
        c *= d->size[i];
    return c;
}

void vggrt_reduce_f32(int op, int rank, const int64_t *dims, unsigned mask, const float *x,
                      float *y) {
    /* Groups of neighbouring dims with the same role, innermost first. */
    int64_t gsize[VGGRT_MAX_RANK], gstride[VGGRT_MAX_RANK];
    int gred[VGGRT_MAX_RANK], ng = 0;
    int64_t stride = 1, nout = 1, nred = 1;
    for (int d = rank - 1; d >= 0; d--) {
        int red = (mask >> d) & 1u;
        if (red)
            nred *= dims[d];
        else
            nout *= dims[d];
        if (dims[d] == 1)
            continue;
        if (ng > 0 && gred[ng - 1] == red) {
            gsize[ng - 1] *= dims[d];
        } else {
            gsize[ng] = dims[d];
            gstride[ng] = stride;
            gred[ng] = red;
            ng++;
        }
        stride *= dims[d];
    }
    if (nout == 0)
        return;
    if (nred == 0) {
        for (int64_t o = 0; o < nout; o++)
            y[o] = op == VGGRT_REDUCE_MEAN ? NAN : op == VGGRT_REDUCE_SUM ? 0.0f : -INFINITY;
        return;
    }
    /* Kept and reduced groups, outermost first. */
    Dims kept = { 0 }, red = { 0 };
    for (int g = ng - 1; g >= 0; g--) {
        Dims *t = gred[g] ? &red : &kept;
        t->size[t->n] = gsize[g];
        t->stride[t->n] = gstride[g];
        t->n++;
    }
    const int mean = op == VGGRT_REDUCE_MEAN;
    const int add = mean || op == VGGRT_REDUCE_SUM;     /* else max */
    if (ng == 0 || !gred[0]) {
        /* Innermost kept (or nothing left at all): rows of L outputs. */
        int64_t L = ng == 0 ? 1 : gsize[0];
        Dims outer = kept;
        if (outer.n > 0)
            outer.n--;
        int64_t nrows = count_of(&outer);
        int64_t nr = count_of(&red);
        for (int64_t row = 0; row < nrows; row++) {
            int64_t base = offset_of(&outer, row);
            float *yr = y + row * L;
            for (int64_t j = 0; j < L; j++)
                yr[j] = add ? 0.0f : -INFINITY;
            for (int64_t r = 0; r < nr; r++) {
                const float *xr = x + base + offset_of(&red, r);
                if (add) {
                    for (int64_t j = 0; j < L; j++)
                        yr[j] += xr[j];
                } else {
                    for (int64_t j = 0; j < L; j++)
                        yr[j] = xr[j] > yr[j] ? xr[j] : yr[j];
                }
            }
            if (mean && nr > 1) {
                float inv = (float)(1.0 / (double)nr);
                for (int64_t j = 0; j < L; j++)
                    yr[j] *= inv;
            }
        }
        return;
    }
    /* Innermost reduced: each output sums runs of L contiguous elements. */
    int64_t L = gsize[0];
    Dims outer_red = red;
    outer_red.n--;
    int64_t nruns = count_of(&outer_red);
    for (int64_t o = 0; o < nout; o++) {
        int64_t base = offset_of(&kept, o);
        double sum = 0.0;
        float mx = -INFINITY;
        for (int64_t r = 0; r < nruns; r++) {
            const float *xr = x + base + offset_of(&outer_red, r);
            if (add) {
                for (int64_t j = 0; j < L; j++)
                    sum += xr[j];
            } else {
                for (int64_t j = 0; j < L; j++)
                    mx = xr[j] > mx ? xr[j] : mx;
            }
        }
        y[o] = mean ? (float)(sum / (double)nred) : add ? (float)sum : mx;
    }
}

/* ---- LRN -------------------------------------------------------------------------- */

void vggrt_lrn(int64_t n, int64_t c, int64_t inner, int64_t size, float alpha, float beta,
               float bias, const float *x, float *y) {
    const int64_t before = (size - 1) / 2, after = (size - 1) - before;
    const float scale = alpha / (float)size;
    for (int64_t b = 0; b < n; b++) {
        const float *xb = x + b * c * inner;
        float *yb = y + b * c * inner;
        for (int64_t ci = 0; ci < c; ci++) {
            float *yr = yb + ci * inner;
            int64_t lo = ci - before < 0 ? 0 : ci - before;
            int64_t hi = ci + after >= c ? c - 1 : ci + after;
            for (int64_t i = 0; i < inner; i++)
                yr[i] = 0.0f;
            for (int64_t cj = lo; cj <= hi; cj++) {
                const float *xr = xb + cj * inner;
                for (int64_t i = 0; i < inner; i++)
                    yr[i] += xr[i] * xr[i];
            }
            const float *xr = xb + ci * inner;
            for (int64_t i = 0; i < inner; i++)
                yr[i] = xr[i] / powf(bias + scale * yr[i], beta);
        }
    }
}

/* ---- ArgMax, ArgMin ------------------------------------------------------------- */

/* Does v replace the best so far, b?  A NaN wins over any number and the
 * first NaN stays (the last with `last`); among numbers, a strictly better
 * one wins, or an equal one with `last`. */
static int arg_better(int min, int last, float v, float b) {
    if (v != v)
        return b == b || last;
    if (b != b)
        return 0;
    return min ? (v < b || (last && v == b)) : (v > b || (last && v == b));
}

void vggrt_arg_f32(int min, int last, int64_t outer, int64_t len, int64_t inner, const float *x,
                   int64_t *y) {
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            const float *p = x + o * len * inner + i;
            int64_t best = 0;
            for (int64_t k = 1; k < len; k++)
                if (arg_better(min, last, p[k * inner], p[best * inner]))
                    best = k;
            y[o * inner + i] = best;
        }
}
