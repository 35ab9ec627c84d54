/* reduce.c — kernels that combine many elements into one: Softmax and
 * LogSoftmax, the Reduce ops (Mean, Sum, Max, Min, Prod, SumSquare, L1,
 * L2, LogSum, LogSumExp), ArgMax and ArgMin, LayerNormalization, LRN.
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
 * If the innermost group is reduced, every output combines contiguous
 * runs.  If it is kept, chunks of the output row get accumulators on the
 * stack, and every reduced position adds a contiguous row of x into them:
 * both ways the inner loop walks memory in order, and the accumulators are
 * double.  An empty reduction gives NaN for the mean, 0 for the sums, 1 for
 * the product, -inf for the max, log sums and +inf for the min.
 *
 * LRN follows the ONNX definition (across channels; `size` may be even):
 *   square_sum[c] = sum of x[c']^2 for c' in [c - floor((size-1)/2), c + ceil((size-1)/2)]
 *                   clipped to [0, C)
 *   y[c] = x[c] / (bias + alpha / size * square_sum[c])^beta
 * y serves as the accumulator for square_sum, so y must not alias x.  The
 * planes (item, channel) go to the thread pool.  The quotients are
 * lrn.h's: AlexNet's beta = 0.75 as sqrt(t) * sqrt(sqrt(t)), vectorized,
 * where powf per element took 7 ns (a 96-channel 55x55 map at batch 8:
 * 16.5 ms on one thread).
 */
#include "vggrt.h"
#include "lrn.h"

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

/* ---- ReduceMean, ReduceSum, ReduceMax and the others --------------------------------- */

/* Every reduction takes pre(x) of each element, combines them by sum,
 * product, max or min, in double, and returns post() of the result:
 * SUM_SQUARE and L2 square, L1 takes |x|, L2 then takes the square root,
 * MEAN divides by the count, LOG_SUM takes the log; LOG_SUM_EXP sums
 * e^(x - m) for the largest element m and returns m + log of that, which
 * does not overflow (m is taken as 0 when it is infinite). */
enum { ACC_SUM, ACC_PROD, ACC_MAX, ACC_MIN, RCHUNK = 256 };

static int acc_kind(int op) {
    return op == VGGRT_REDUCE_MAX ? ACC_MAX : op == VGGRT_REDUCE_MIN ? ACC_MIN
         : op == VGGRT_REDUCE_PROD ? ACC_PROD : ACC_SUM;
}

static double acc_init(int kind) {
    return kind == ACC_MAX ? -INFINITY : kind == ACC_MIN ? INFINITY : kind == ACC_PROD ? 1 : 0;
}

static double pre(int op, double v, double shift) {
    switch (op) {
    case VGGRT_REDUCE_SUM_SQUARE: case VGGRT_REDUCE_L2: return v * v;
    case VGGRT_REDUCE_L1: return fabs(v);
    case VGGRT_REDUCE_LOG_SUM_EXP: return exp(v - shift);
    default: return v;
    }
}

/* The max and min skip NaN (as ReduceMax always has here). */
static double combine(int kind, double a, double v) {
    switch (kind) {
    case ACC_PROD: return a * v;
    case ACC_MAX: return v > a ? v : a;
    case ACC_MIN: return v < a ? v : a;
    default: return a + v;
    }
}

static float post(int op, double a, int64_t n, double shift) {
    switch (op) {
    case VGGRT_REDUCE_MEAN: return (float)(a / (double)n);     /* 0 / 0: NaN */
    case VGGRT_REDUCE_L2: return (float)sqrt(a);
    case VGGRT_REDUCE_LOG_SUM: return (float)log(a);
    case VGGRT_REDUCE_LOG_SUM_EXP: return (float)(shift + log(a));
    default: return (float)a;
    }
}

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
            y[o] = post(op, acc_init(acc_kind(op)), 0, 0);
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
    const int kind = acc_kind(op);
    if (ng == 0 || !gred[0]) {
        /* Innermost kept (or nothing left at all): rows of L outputs, in
         * chunks of RCHUNK accumulators. */
        int64_t L = ng == 0 ? 1 : gsize[0];
        Dims outer = kept;
        if (outer.n > 0)
            outer.n--;
        int64_t nrows = count_of(&outer);
        int64_t nr = count_of(&red);
        for (int64_t row = 0; row < nrows; row++) {
            int64_t base = offset_of(&outer, row);
            for (int64_t j0 = 0; j0 < L; j0 += RCHUNK) {
                const int nj = (int)(L - j0 < RCHUNK ? L - j0 : RCHUNK);
                double acc[RCHUNK], sh[RCHUNK];
                for (int j = 0; j < nj; j++)
                    acc[j] = acc_init(kind), sh[j] = op == VGGRT_REDUCE_LOG_SUM_EXP ? -INFINITY : 0;
                if (op == VGGRT_REDUCE_LOG_SUM_EXP) {
                    for (int64_t r = 0; r < nr; r++) {
                        const float *xr = x + base + offset_of(&red, r) + j0;
                        for (int j = 0; j < nj; j++)
                            sh[j] = xr[j] > sh[j] ? xr[j] : sh[j];
                    }
                    for (int j = 0; j < nj; j++)
                        sh[j] = isinf(sh[j]) ? 0 : sh[j];
                }
                for (int64_t r = 0; r < nr; r++) {
                    const float *xr = x + base + offset_of(&red, r) + j0;
                    for (int j = 0; j < nj; j++)
                        acc[j] = combine(kind, acc[j], pre(op, xr[j], sh[j]));
                }
                for (int j = 0; j < nj; j++)
                    y[row * L + j0 + j] = post(op, acc[j], nr, sh[j]);
            }
        }
        return;
    }
    /* Innermost reduced: each output combines runs of L contiguous elements. */
    int64_t L = gsize[0];
    Dims outer_red = red;
    outer_red.n--;
    int64_t nruns = count_of(&outer_red);
    for (int64_t o = 0; o < nout; o++) {
        int64_t base = offset_of(&kept, o);
        double acc = acc_init(kind), sh = 0;
        if (op == VGGRT_REDUCE_LOG_SUM_EXP) {
            sh = -INFINITY;
            for (int64_t r = 0; r < nruns; r++) {
                const float *xr = x + base + offset_of(&outer_red, r);
                for (int64_t j = 0; j < L; j++)
                    sh = xr[j] > sh ? xr[j] : sh;
            }
            sh = isinf(sh) ? 0 : sh;
        }
        for (int64_t r = 0; r < nruns; r++) {
            const float *xr = x + base + offset_of(&outer_red, r);
            for (int64_t j = 0; j < L; j++)
                acc = combine(kind, acc, pre(op, xr[j], sh));
        }
        y[o] = post(op, acc, nred, sh);
    }
}

/* ---- LRN -------------------------------------------------------------------------- */

typedef struct {
    int64_t c, inner, size;
    float alpha, beta, bias;
    const float *x;
    float *y;
} Lrn;

static void lrn_planes(void *ctx, int64_t begin, int64_t end, int tid) {
    (void)tid;
    const Lrn *l = ctx;
    const int64_t c = l->c, inner = l->inner;
    const int64_t before = (l->size - 1) / 2, after = (l->size - 1) - before;
    const float scale = l->alpha / (float)l->size, bias = l->bias, beta = l->beta;
    for (int64_t plane = begin; plane < end; plane++) {
        const int64_t b = plane / c, ci = plane % c;
        const float *xb = l->x + b * c * inner;
        float *yr = l->y + plane * inner;
        const int64_t lo = ci - before < 0 ? 0 : ci - before;
        const int64_t hi = ci + after >= c ? c - 1 : ci + after;
        for (int64_t i = 0; i < inner; i++)
            yr[i] = 0.0f;
        for (int64_t cj = lo; cj <= hi; cj++) {
            const float *xr = xb + cj * inner;
            for (int64_t i = 0; i < inner; i++)
                yr[i] += xr[i] * xr[i];
        }
        for (int64_t i = 0; i < inner; i++)
            yr[i] = bias + scale * yr[i];
        lrn_quotients(xb + ci * inner, yr, yr, inner, beta);
    }
}

void vggrt_lrn(int64_t n, int64_t c, int64_t inner, int64_t size, float alpha, float beta,
               float bias, const float *x, float *y) {
    Lrn l = { c, inner, size, alpha, beta, bias, x, y };
    vggrt_parallel_for(n * c, lrn_planes, &l);
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

/* ---- LayerNormalization --------------------------------------------------------
 * Three passes over each row, the sums in double: the mean, then the mean
 * square of the differences (no cancellation, as E[x^2] - E[x]^2 would
 * have), then y.  As ONNX's reference: inv_std = 1 / sqrt(var + eps). */
/* The mean of a row and 1 / sqrt(its variance + eps), in two passes in
 * double (no E[x^2] - E[x]^2 cancellation). */
static void row_stats(const float *xr, int64_t len, float eps, double *mean, double *inv) {
    double sum = 0, sq = 0;
    for (int64_t i = 0; i < len; i++)
        sum += xr[i];
    const double m = len ? sum / (double)len : 0.0;
    for (int64_t i = 0; i < len; i++)
        sq += (xr[i] - m) * (xr[i] - m);
    *mean = m;
    *inv = 1.0 / sqrt((len ? sq / (double)len : 0.0) + (double)eps);
}

/* Each (item, channel) row as vggrt_layernorm's rows, with one scale and
 * bias per channel. */
void vggrt_instancenorm(int64_t n, int64_t c, int64_t inner, float eps, const float *x,
                        const float *scale, const float *bias, float *y) {
    for (int64_t o = 0; o < n * c; o++) {
        const float *xr = x + o * inner;
        float *yr = y + o * inner;
        double m, inv;
        row_stats(xr, inner, eps, &m, &inv);
        const double s = scale[o % c], b = bias[o % c];
        for (int64_t i = 0; i < inner; i++)
            yr[i] = (float)((xr[i] - m) * inv * s + b);
    }
}

void vggrt_layernorm(int64_t outer, int64_t len, float eps, const float *x, const float *scale,
                     const float *bias, float *y, float *mean, float *inv_std) {
    for (int64_t o = 0; o < outer; o++) {
        const float *xr = x + o * len;
        float *yr = y + o * len;
        double m, inv;
        row_stats(xr, len, eps, &m, &inv);
        for (int64_t i = 0; i < len; i++)
            yr[i] = (float)((xr[i] - m) * inv * scale[i] + (bias ? bias[i] : 0.0));
        if (mean)
            mean[o] = (float)m;
        if (inv_std)
            inv_std[o] = (float)inv;
    }
}
