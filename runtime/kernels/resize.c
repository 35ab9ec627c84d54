/* resize.c — Resize: each output element interpolated from the input, the
 * axes mapped one by one (vggrt.h gives the coordinate formulas and the
 * taps of each mode) and the taps of all axes multiplied.
 *
 * An axis's taps depend only on its output index, so a row of the
 * innermost axis is computed as: its outer axes' taps (one set per row),
 * each combination of them a weight and a row of the input, and for every
 * output column its own taps along that row, computed once per task for a
 * chunk of COLS columns and stored tap by tap (Cols), so that the loops
 * over the columns have no branches and vectorize.  A row of the input
 * interpolated along the innermost axis is kept (RowCache) for the next
 * output rows, which read it again.  Taps of weight 0 are dropped on the
 * outer axes: an axis of scale 1 (the batch and channels, usually) then
 * has one tap and costs nothing.  Identity axes at the end (the lanes of
 * a blocked [N, C/16, H, W, 16]) fold into the columns: each column is then
 * a vector of up to MAX_LANES floats, copied and summed without gathers
 * (bilinear 2x of that layout, 64 channels at 80x80: 1.55-1.69 ms against
 * 2.42-2.64 ms for NCHW, 3 interleaved rounds; with the lanes as an axis
 * like the others it took 21 ms, in one round).
 *
 * Speed (Xeon VM, 1 thread, 2x upsample of [1, 64, 80, 80], 3 interleaved
 * rounds): nearest 1.0-2.1 ms, linear 1.4-2.9, cubic 2.6-5.5.  The first
 * version, which computed each element's taps in a loop of its own, took
 * 6.2-7.2, 11.9-12.7 and 30-34 ms; without the row cache, linear took
 * 3.3-4.9 ms and cubic 11.4-11.7.
 *
 * Sums are in float, in the order ONNX's reference nests them (the inner
 * axis first, then each outer combination's weight), its weights computed
 * in double and rounded once.  The tasks are ranges of output rows; each
 * element is computed by one task with the same arithmetic, whatever the
 * thread count.
 */
#include "vggrt.h"

#include <math.h>
#include <stdbool.h>

/* MAXT: taps per axis.  COLS: columns per chunk, at most.  CHUNK: floats
 * of a chunk's row (columns x lanes).  MAX_LANES: the most floats that
 * identity axes at the end may collapse into one lane vector. */
enum { MAXT = 4, COLS = 256, CHUNK = 1024, MAX_LANES = 64 };

/* The taps of one output index of one axis: n input indexes (clamped to
 * the axis) and their weights, or `outside` (tf_crop_and_resize: the
 * output is the extrapolation value). */
typedef struct {
    int64_t idx[MAXT];
    float w[MAXT];
    int n, outside;
} Taps;

typedef struct {
    int rank, mode, coord, nearest, exclude_outside;
    float cubic_a, extrapolation;
    const int64_t *in_dims, *out_dims;
    const double *axes;
    int64_t in_stride[8];
    int last;               /* the column axis: the last one that is not an identity */
    int64_t lanes;          /* floats per column: the identity axes after `last` */
    const float *x;
    float *y;
} Job;

/* Where output index o of axis a falls in the input (vggrt.h's table). */
static double original_coord(const Job *j, int a, int64_t o) {
    const double *ax = j->axes + 4 * a;
    const double s = ax[0], len = (double)j->in_dims[a];
    const double r = ax[1] > 0 ? ax[1] : (double)j->out_dims[a];
    const double start = ax[2], end = ax[3];
    switch (j->coord) {
    case VGGRT_COORD_HALF_PIXEL_SYMMETRIC:
        return len / 2 * (1 - (double)j->out_dims[a] / r) + (o + 0.5) / s - 0.5;
    case VGGRT_COORD_ASYMMETRIC:
        return o / s;
    case VGGRT_COORD_PYTORCH_HALF_PIXEL:
        return r > 1 ? (o + 0.5) / s - 0.5 : 0;
    case VGGRT_COORD_TF_HALF_PIXEL_FOR_NN:
        return (o + 0.5) / s;
    case VGGRT_COORD_ALIGN_CORNERS:
        return r == 1 ? 0 : o * (len - 1) / (r - 1);
    case VGGRT_COORD_TF_CROP_AND_RESIZE:
        return (r == 1 ? (end - start) * (len - 1) / 2 : o * (end - start) * (len - 1) / (r - 1)) +
               start * (len - 1);
    default: /* VGGRT_COORD_HALF_PIXEL */
        return (o + 0.5) / s - 0.5;
    }
}

/* Keys' cubic convolution weights of the taps b - 1 .. b + 2 for t in
 * (0, 1], parameter a (ONNX's cubic_coeffs, term for term). */
static void cubic_weights(double t, double a, double *c) {
    const double u = 1 - t;
    c[0] = ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a;
    c[1] = ((a + 2) * t - (a + 3)) * t * t + 1;
    c[2] = ((a + 2) * u - (a + 3)) * u * u + 1;
    c[3] = ((a * (u + 1) - 5 * a) * (u + 1) + 8 * a) * (u + 1) - 4 * a;
}

static int64_t clamp_index(int64_t i, int64_t len) {
    return i < 0 ? 0 : i >= len ? len - 1 : i;
}

static void axis_taps(const Job *j, int a, int64_t o, Taps *t) {
    const int64_t len = j->in_dims[a];
    double x = original_coord(j, a, o);
    t->n = 0;
    t->outside = j->coord == VGGRT_COORD_TF_CROP_AND_RESIZE && (x < 0 || x > (double)(len - 1));
    if (t->outside)
        return;
    /* Far past an edge every tap reads the edge element: move x to within
     * 3 of it, so that its floor fits an int64 whatever the scale. */
    if (x < -3)
        x = -3;
    else if (x > (double)len + 2)
        x = (double)len + 2;
    /* b and t as vggrt.h defines them: t = 1 when x is whole. */
    const double fl = floor(x);
    const int64_t b = (int64_t)fl - (x == fl);
    const double r = x == fl ? 1 : x - fl;
    double c[MAXT];
    int64_t first;
    int n;
    if (j->mode == VGGRT_RESIZE_NEAREST) {
        bool up;
        switch (j->nearest) {
        case VGGRT_NEAREST_ROUND_PREFER_CEIL: up = r >= 0.5; break;
        case VGGRT_NEAREST_FLOOR: up = r == 1; break;
        case VGGRT_NEAREST_CEIL: up = true; break;
        default: up = r > 0.5; break; /* VGGRT_NEAREST_ROUND_PREFER_FLOOR */
        }
        n = 1, first = b + up, c[0] = 1;
    } else if (j->mode == VGGRT_RESIZE_LINEAR) {
        n = 2, first = b, c[0] = 1 - r, c[1] = r;
    } else {
        n = 4, first = b - 1;
        cubic_weights(r, j->cubic_a, c);
        if (j->exclude_outside) {
            double sum = 0;
            for (int k = 0; k < n; k++) {
                if (first + k < 0 || first + k >= len)
                    c[k] = 0;
                sum += c[k];
            }
            for (int k = 0; k < n; k++)
                c[k] /= sum;
        }
    }
    for (int k = 0; k < n; k++)
        if (c[k] != 0) {
            t->idx[t->n] = clamp_index(first + k, len);
            t->w[t->n++] = (float)c[k];
        }
}

/* The innermost axis's taps for a chunk of columns, by tap: every column
 * has n (the most any column of the chunk has; one with fewer reads its
 * first tap again with weight 0), so the loops below have no branches. */
typedef struct {
    int n;
    bool any_outside;
    int64_t idx[MAXT][COLS];
    float w[MAXT][COLS];
    bool outside[COLS];
} Cols;

static void column_taps(const Job *j, int64_t c0, int64_t nc, Cols *c) {
    Taps t[COLS];
    c->n = 1;
    c->any_outside = false;
    for (int64_t i = 0; i < nc; i++) {
        axis_taps(j, j->last, c0 + i, &t[i]);
        c->n = t[i].n > c->n ? t[i].n : c->n;
        c->outside[i] = t[i].outside;
        c->any_outside |= t[i].outside;
    }
    for (int64_t i = 0; i < nc; i++)
        for (int k = 0; k < c->n; k++) {
            const bool tap = k < t[i].n;
            c->idx[k][i] = (tap ? t[i].idx[k] : t[i].n ? t[i].idx[0] : 0) * j->lanes;
            c->w[k][i] = tap ? t[i].w[k] : 0;
        }
}

/* The column axis's interpolation of input rows for the chunk's columns
 * (each a vector of L lanes), the last SLOTS computed kept: consecutive
 * output rows read the same input rows (two of each with a 2x upsample),
 * which then cost one pass of contiguous multiply-adds instead of a gather
 * each. */
enum { SLOTS = 4 };
typedef struct {
    const float *key[SLOTS];    /* the input row's start; NULL: empty */
    int next;                   /* the slot to fill next (round robin) */
    float row[SLOTS][CHUNK];
} RowCache;

/* A column of one float (plain layouts) vectorizes across columns; one of
 * L lanes, across its lanes. */
#define TAP(k) w##k[i] * x[i##k[i] + l]
#define ROW(S)                                                                                     \
    do {                                                                                           \
        if (L == 1) {                                                                              \
            const int64_t l = 0;                                                                   \
            for (int64_t i = 0; i < nc; i++)                                                       \
                r[i] = (S);                                                                        \
        } else {                                                                                   \
            for (int64_t i = 0; i < nc; i++)                                                       \
                for (int64_t l = 0; l < L; l++)                                                    \
                    r[i * L + l] = (S);                                                            \
        }                                                                                          \
    } while (0)
static const float *interpolated_row(const Cols *c, const float *restrict x, int64_t nc,
                                     int64_t L, RowCache *rc) {
    for (int k = 0; k < SLOTS; k++)
        if (rc->key[k] == x)
            return rc->row[k];
    const int slot = rc->next;
    rc->next = (slot + 1) % SLOTS;
    rc->key[slot] = x;
    float *restrict r = rc->row[slot];
    const float *restrict w0 = c->w[0], *restrict w1 = c->w[1], *restrict w2 = c->w[2],
                          *restrict w3 = c->w[3];
    const int64_t *restrict i0 = c->idx[0], *restrict i1 = c->idx[1], *restrict i2 = c->idx[2],
                            *restrict i3 = c->idx[3];
    /* Sums start from their first term, not from 0, so that a tap of
     * weight 1 copies its element exactly (-0.0 too). */
    switch (c->n) {
    case 1: ROW(TAP(0)); break;
    case 2: ROW(TAP(0) + TAP(1)); break;
    case 3: ROW(TAP(0) + TAP(1) + TAP(2)); break;
    default: ROW(TAP(0) + TAP(1) + TAP(2) + TAP(3)); break;
    }
    return r;
}
#undef ROW
#undef TAP

/* acc[0, nc) = (first) or += w * (the interpolated row at x), over every
 * combination of the taps of axes a .. rank - 2, w the product of their
 * weights. */
static void accumulate(const Job *j, const Taps *rows, int a, const float *x, float w,
                       bool first, const Cols *cols, int64_t nc, RowCache *rc,
                       float *restrict acc) {
    if (a == j->last) {
        const int64_t m = nc * j->lanes;
        const float *restrict s = interpolated_row(cols, x, nc, j->lanes, rc);
        if (first)
            for (int64_t i = 0; i < m; i++)
                acc[i] = w * s[i];
        else
            for (int64_t i = 0; i < m; i++)
                acc[i] += w * s[i];
        return;
    }
    const Taps *t = &rows[a];
    for (int k = 0; k < t->n; k++)
        accumulate(j, rows, a + 1, x + t->idx[k] * j->in_stride[a], w * t->w[k], first && k == 0,
                   cols, nc, rc, acc);
}

/* Output rows [begin, end): a row is one index of every axis before the
 * column axis. */
static void resize_rows(void *ctx, int64_t begin, int64_t end, int tid) {
    (void)tid;
    const Job *j = ctx;
    const int last = j->last;
    const int64_t width = j->out_dims[last], L = j->lanes;
    const int64_t per_chunk = CHUNK / L < COLS ? CHUNK / L : COLS;
    Taps rows[8];
    Cols cols;
    RowCache rc;
    for (int64_t c0 = 0; c0 < width; c0 += per_chunk) {
        const int64_t nc = width - c0 < per_chunk ? width - c0 : per_chunk;
        column_taps(j, c0, nc, &cols);
        for (int k = 0; k < SLOTS; k++)
            rc.key[k] = NULL;
        rc.next = 0;
        for (int64_t row = begin; row < end; row++) {
            int outside = 0;
            for (int64_t a = last - 1, rest = row; a >= 0; a--) {
                axis_taps(j, (int)a, rest % j->out_dims[a], &rows[a]);
                outside |= rows[a].outside;
                rest /= j->out_dims[a];
            }
            float *y = j->y + (row * width + c0) * L;
            if (!outside)
                accumulate(j, rows, 0, j->x, 1, true, &cols, nc, &rc, y);
            for (int64_t i = 0; i < nc && (outside || cols.any_outside); i++)
                if (outside || cols.outside[i])
                    for (int64_t l = 0; l < L; l++)
                        y[i * L + l] = j->extrapolation;
        }
    }
}

/* Is axis a the identity: one tap of weight 1 on the same index for every
 * output index? */
static bool identity_axis(const Job *j, int a) {
    if (j->in_dims[a] != j->out_dims[a])
        return false;
    for (int64_t o = 0; o < j->out_dims[a]; o++) {
        Taps t;
        axis_taps(j, a, o, &t);
        if (t.outside || t.n != 1 || t.idx[0] != o || t.w[0] != 1)
            return false;
    }
    return true;
}

void vggrt_resize(int rank, const int64_t *in_dims, const int64_t *out_dims, const double *axes,
                  int mode, int coord, int nearest, int exclude_outside, float cubic_a,
                  float extrapolation, const float *x, float *y) {
    Job j = {
        .rank = rank, .mode = mode, .coord = coord, .nearest = nearest,
        .exclude_outside = exclude_outside, .cubic_a = cubic_a, .extrapolation = extrapolation,
        .in_dims = in_dims, .out_dims = out_dims, .axes = axes, .x = x, .y = y,
    };
    /* Identity axes at the end (the lanes of a blocked layout) make each
     * column a vector: the loops then run over contiguous floats. */
    j.last = rank - 1, j.lanes = 1;
    while (j.last > 0 && j.lanes * in_dims[j.last] <= MAX_LANES && identity_axis(&j, j.last))
        j.lanes *= in_dims[j.last--];
    int64_t rows = 1, stride = 1;
    for (int a = rank - 1; a >= 0; a--) {
        j.in_stride[a] = stride;
        stride *= in_dims[a];
        if (a < j.last)
            rows *= out_dims[a];
    }
    vggrt_parallel_for(rows, resize_rows, &j);
}
