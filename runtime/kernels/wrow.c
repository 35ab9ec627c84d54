/* wrow.c — Winograd F(4, 3) along the rows, for a network's first layer:
 * a 3x3 stride-1 convolution of a few channels of NCHW or NHWC input (RGB), into
 * the blocked layout.  (Written for blocks of 16; compiled for blocks of 8
 * too, B below: blocks.h.)
 *
 * Why.  With 3 input channels a result of the direct convolution takes
 * only 27 multiply-adds, and on some machines the layer stays well below
 * the FMA peak, held by its stores and by what the rest of the network
 * evicts (first-layer.md beside this file).  Doing fewer multiply-adds is
 * what is left.  2-D Winograd (winograd.c) sums over channels in the
 * transformed domain, and with 3 channels its output transform, per
 * output channel and tile, would cost as much as the products.  In 1-D
 * the sum runs over the 3 tap rows too: 9 (channel, tap row) pairs per
 * output transform.
 *
 * The algorithm.  For one output row oy, tap row dy and input channel c,
 * the 4 outputs ox .. ox+3 of a "tile" are a 1-D correlation of the 6
 * inputs d = x[c][oy - pt + dy][ox - pl .. ox - pl + 5] with the 3 weights
 * g = w[k][c][dy][0..2], which Winograd's F(4, 3) computes as
 *     y = A^T [ (G g) .* (B^T d) ]
 * with the matrices of winograd.c (points 0, ±1, ±2, infinity):
 *         | 4  0 -5  0  1  0 |        | 1/4    0     0   |
 *         | 0 -4 -4  1  1  0 |        | -1/6 -1/6  -1/6  |      | 1 1  1 1  1 0 |
 *   B^T = | 0  4 -4 -1  1  0 |    G = | -1/6  1/6  -1/6  |  A^T=| 0 1 -1 2 -2 0 |
 *         | 0 -2 -1  2  1  0 |        | 1/24  1/12  1/6  |      | 0 1  1 4  4 0 |
 *         | 0  2 -1 -2  1  0 |        | 1/24 -1/12  1/6  |      | 0 1 -1 8 -8 1 |
 *         | 0  4  0 -5  0  1 |        | 0     0     1    |
 * A^T is linear, so the products of all 3 tap rows and all channels are
 * summed first, m[s] = sum over (c, dy) of U[c][dy][s] * V[c][dy][s], and
 * transformed once: per 4 outputs of 16 channels, 6 * 9 = 54 multiply-adds
 * (13.5 per output, against 27 direct) and a 6 -> 4 transform of ~12 adds.
 * The bias starts m[1], whose column of A^T is all ones.
 *
 * Weights.  U = G g per (output channel, input channel, tap row), in
 * double, packed at compile time as [kb][c][3][6][B]: for one (c, dy, s)
 * the B output channels of a block are one vector.  18 floats per (k, c),
 * 2x the direct convolution's 9.
 *
 * Inputs.  Each input row a task reads is transformed once per task, for
 * all its tiles, into a ring of SLOTS transformed rows on the stack:
 * tr[slot][c][s][tile], V for tile t at position s.  The row's columns are
 * first split by phase (q[r][t] = x[4t + r - pl], zero outside the row),
 * so that the six positions of B^T d are vectors over consecutive tiles.
 * The transforms take a few percent of the multiply-adds' time.
 *
 * The register tile.  TT tiles (2 with AVX-512's 32 registers, else 1) x
 * 2 output blocks x 6 positions of accumulators (24 zmm): per (c, dy, s),
 * 2 weight vectors and TT broadcasts for 2 TT multiply-adds.  Tiles past
 * the row's end compute from zeros and are not stored; in the last tile,
 * outputs past ow are not stored.
 *
 * Accuracy.  B^T mixes inputs with weights up to 5, A^T products with up
 * to 8, and G's 1/6 and 1/24 are inexact in binary: the error is a few
 * times a direct sum's (tests/runtime/test_wrow.c measures it), far less
 * than 2-D F(4x4, 3x3)'s, whose two transforms compound.
 *
 * Speed (Intel Xeon VM of 2026-12-03, AVX-512, 1 thread, a throwaway
 * harness alternating the two into the chain's 16-row ring in bands of 8
 * rows): VGG-16's first layer at 160x160 took 0.57-0.95 ms against the
 * direct tile's 0.78-1.19 ms in the same runs (1.21-1.36x), 1.10-1.25x at
 * 224x224; in vgg16_head's profiles, medians of 0.97 against 1.24 ms.
 * The measurements, and what made the first version faster:
 * first-layer.md beside this file.
 *
 * FMA: the build passes -ffp-contract=fast for this file, as for dconv.c.
 */
#include "vggrt.h"
#include "../vggrt-impl.h"

#include <string.h>

#if defined(__AVX512F__) || defined(__AVX__)
#include <immintrin.h>
#endif

#if !defined(__GNUC__) && !defined(__clang__)
#error "wrow.c needs the GNU vector extensions (gcc or clang)"
#endif

#if defined(__AVX512F__)
#define WROW_TILES 2 /* 2 x 2 x 6 = 24 of 32 registers accumulate */
#else
#define WROW_TILES 1 /* 16 registers: 2 x 6 accumulators */
#endif

enum {
    B = VGGRT_KB,
    NS = 6,                               /* positions of F(4, 3)'s transform */
    TAPS = 3,                             /* tap rows, and columns */
    TT = WROW_TILES,
    SLOTS = 4,                            /* transformed input rows kept: a power of two */
    MAX_C = VGGRT_WROW_MAX_C,
    TSTRIDE = VGGRT_WROW_MAX_W / 4 + 4,   /* floats per (slot, c, s): tiles, rounded up */
    TR_FLOATS = SLOTS * MAX_C * NS * TSTRIDE,
    BAND = 8,                             /* output rows per task of vggrt_wrow_conv2d */
};
_Static_assert(VGGRT_WROW_MAX_W % 4 == 0, "tiles of 4 outputs");
_Static_assert(SLOTS >= TAPS, "a conv row's tap rows are in the ring at once");

typedef float Vec __attribute__((vector_size(B * sizeof(float))));
typedef int VecI __attribute__((vector_size(B * sizeof(float))));

#define VLOAD(v, p) memcpy(&(v), (p), sizeof(Vec))
#define VSTORE(p, v) memcpy((p), &(v), sizeof(Vec))

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

int vggrt_wrow_applies(const vggrt_dconv_params *p) {
    const vggrt_conv_params *q = &p->conv;
    return (p->in_layout == VGGRT_LAYOUT_NCHW || p->in_layout == VGGRT_LAYOUT_NHWC) &&
           q->c >= 1 && q->c <= MAX_C && q->k >= 1 && q->kh == 3 && q->kw == 3 && q->sh == 1 && q->sw == 1 && q->dh == 1 && q->dw == 1 &&
           q->group <= 1 && p->pool_k == 0 &&
           (q->act == VGGRT_ACT_NONE || q->act == VGGRT_ACT_RELU) && q->h >= 1 && q->w >= 1 &&
           q->oh >= 1 && q->ow >= 1 && q->ow <= VGGRT_WROW_MAX_W && q->pt >= 0 && q->pl >= 0 &&
           q->pt <= 2 && q->pl <= 2;
}

size_t vggrt_wrow_packed_size(const vggrt_dconv_params *p) {
    return (size_t)(ceil_div(p->conv.k, B) * B * p->conv.c * TAPS * NS);
}

void vggrt_wrow_pack(const vggrt_dconv_params *p, const float *w, float *packed) {
    static const double G[NS][TAPS] = {
        { 1.0 / 4, 0, 0 },
        { -1.0 / 6, -1.0 / 6, -1.0 / 6 },
        { -1.0 / 6, 1.0 / 6, -1.0 / 6 },
        { 1.0 / 24, 1.0 / 12, 1.0 / 6 },
        { 1.0 / 24, -1.0 / 12, 1.0 / 6 },
        { 0, 0, 1 },
    };
    const int64_t c = p->conv.c, k = p->conv.k;
    memset(packed, 0, vggrt_wrow_packed_size(p) * sizeof(float));
    for (int64_t o = 0; o < k; o++)
        for (int64_t l = 0; l < c; l++)
            for (int dy = 0; dy < TAPS; dy++) {
                const float *g = w + ((o * c + l) * TAPS + dy) * TAPS;
                for (int s = 0; s < NS; s++) {
                    double u = 0;
                    for (int j = 0; j < TAPS; j++)
                        u += G[s][j] * (double)g[j];
                    packed[((((o / B) * c + l) * TAPS + dy) * NS + s) * B + o % B] = (float)u;
                }
            }
}

/* ---- the input transform ----------------------------------------------------- */

/* A row of w inputs, es floats apart -> dst[s][t] = (B^T d_t)[s] for
 * tiles t < nt (d_t: columns 4t - pl .. 4t - pl + 5 of the row, zero
 * outside it).  Through a copy of the row with its padding (2.3x faster
 * than splitting the columns by phase first, which gcc did not
 * vectorize). */
static void transform_row(const float *row, int64_t es, int64_t w, int64_t pl, int64_t nt,
                          float *dst) {
    float pad[4 * TSTRIDE + 8] __attribute__((aligned(64)));
    const int64_t n = 4 * nt + 2, m = min64(w, n - pl); /* columns read; copied */
    for (int64_t j = 0; j < pl; j++)
        pad[j] = 0.0f;
    if (es == 1)
        memcpy(pad + pl, row, (size_t)m * sizeof(float));
    else
        for (int64_t j = 0; j < m; j++)
            pad[pl + j] = row[j * es];
    for (int64_t j = pl + m; j < n; j++)
        pad[j] = 0.0f;
    float *v0 = dst, *v1 = dst + TSTRIDE, *v2 = dst + 2 * TSTRIDE, *v3 = dst + 3 * TSTRIDE;
    float *v4 = dst + 4 * TSTRIDE, *v5 = dst + 5 * TSTRIDE;
    for (int64_t t = 0; t < nt; t++) {
        const float *d = pad + 4 * t;
        v0[t] = 4 * d[0] - 5 * d[2] + d[4];
        v1[t] = -4 * d[1] - 4 * d[2] + d[3] + d[4];
        v2[t] = 4 * d[1] - 4 * d[2] - d[3] + d[4];
        v3[t] = -2 * d[1] - d[2] + 2 * d[3] + d[4];
        v4[t] = 2 * d[1] - d[2] - 2 * d[3] + d[4];
        v5[t] = 4 * d[1] - 5 * d[3] + d[5];
    }
}

/* ---- the output rows ----------------------------------------------------------- */

typedef struct {
    const vggrt_dconv_params *p;
    const float *x, *u, *b;
    int64_t c, h, w, k, kb, oh, ow, pt, pl, nt;
    int64_t cs, rs, es; /* floats between channels, rows, columns of x: NCHW or NHWC */
    int relu;
} Job;

static void job_init(Job *J, const vggrt_dconv_params *p, const float *x, const float *packed,
                     const float *b) {
    const vggrt_conv_params *q = &p->conv;
    J->p = p, J->x = x, J->u = packed, J->b = b;
    J->c = q->c, J->h = q->h, J->w = q->w, J->k = q->k, J->kb = ceil_div(q->k, B);
    J->oh = q->oh, J->ow = q->ow, J->pt = q->pt, J->pl = q->pl;
    J->nt = ceil_div(q->ow, 4);
    const int nhwc = p->in_layout == VGGRT_LAYOUT_NHWC;
    J->cs = nhwc ? 1 : q->h * q->w;
    J->rs = nhwc ? q->w * q->c : q->w;
    J->es = nhwc ? q->c : 1;
    J->relu = q->act == VGGRT_ACT_RELU;
}

/* *v = max(*v, 0) (NaN gives 0, as dconv.c's relu_bits). */
static inline void relu(Vec *v) {
#if defined(__AVX512F__) && VGGRT_KB == 16
    *v = (Vec)_mm512_max_ps((__m512)*v, _mm512_setzero_ps());
#elif defined(__AVX__) && VGGRT_KB == 8
    *v = (Vec)_mm256_max_ps((__m256)*v, _mm256_setzero_ps());
#else
    const Vec zero = { 0 };
    *v = (Vec)((VecI)*v & (*v > zero));
#endif
}

/* m[0..5] -> the tile's n <= 4 outputs at o, o + B, ..., ReLU'd when
 * RELU, their lanes past k cleared when mask is not NULL. */
static inline __attribute__((always_inline)) void
out_tile(const Vec *m, float *o, int n, const int RELU, const VecI *mask) {
    const Vec a = m[1] + m[2], d = m[1] - m[2], e = m[3] + m[4], f = m[3] - m[4];
    Vec y[4] = { m[0] + a + e, d + 2 * f, a + 4 * e, d + 8 * f + m[5] };
    for (int i = 0; i < 4; i++) {
        if (RELU)
            relu(&y[i]);
        if (mask)
            y[i] = (Vec)((VecI)y[i] & *mask);
    }
    if (n == 4) {
        VSTORE(o, y[0]), VSTORE(o + B, y[1]), VSTORE(o + 2 * B, y[2]), VSTORE(o + 3 * B, y[3]);
        return;
    }
    VSTORE(o, y[0]);
    if (n > 1)
        VSTORE(o + B, y[1]);
    if (n > 2)
        VSTORE(o + 2 * B, y[2]);
}

/* Tiles t0 .. t0 + NT - 1 of one output row, output blocks bk .. bk + NB
 * - 1: the transformed rows of the valid tap rows dy0 .. dy1 - 1 are at
 * vr[dy] ([c][s][tile]); the results go to o (the row's first pixel of
 * block bk), blocks bstride apart. */
static inline __attribute__((always_inline)) void
tile_group(const Job *J, const float *const *vr, int dy0, int dy1, int64_t t0, int64_t bk,
           float *o, int64_t bstride, const int NT, const int NB, const int RELU) {
    Vec acc[TT][2][NS];
    for (int j = 0; j < NB; j++) {
        Vec bias = { 0 };
        if (J->b)
            VLOAD(bias, J->b + (bk + j) * B);
        for (int i = 0; i < NT; i++)
            for (int s = 0; s < NS; s++)
                acc[i][j][s] = s == 1 ? bias : (Vec){ 0 };
    }
    const int64_t c = J->c;
    for (int dy = dy0; dy < dy1; dy++)
        for (int64_t l = 0; l < c; l++) {
            const float *v = vr[dy] + l * NS * TSTRIDE + t0;
            const float *u0 = J->u + (((bk * c + l) * TAPS + dy) * NS) * B;
            const float *u1 = NB > 1 ? u0 + c * TAPS * NS * B : u0; /* block bk + 1 */
            for (int s = 0; s < NS; s++) {
                Vec w0, w1 = { 0 };
                VLOAD(w0, u0 + s * B);
                if (NB > 1)
                    VLOAD(w1, u1 + s * B);
                for (int i = 0; i < NT; i++) {
                    const float xv = v[s * TSTRIDE + i];
                    acc[i][0][s] += w0 * xv;
                    if (NB > 1)
                        acc[i][1][s] += w1 * xv;
                }
            }
        }
    /* (Constant indices only, so that acc stays in registers.) */
    const int64_t ox0 = t0 * 4, ox1 = ox0 + 4;
    const int n0 = (int)min64(4, J->ow - ox0), n1 = (int)min64(4, J->ow - ox1);
    if (J->k >= (bk + NB) * B) { /* no lanes past k */
        out_tile(acc[0][0], o + ox0 * B, n0, RELU, NULL);
        if (NB > 1)
            out_tile(acc[0][NB - 1], o + bstride + ox0 * B, n0, RELU, NULL);
        if (NT > 1 && n1 > 0) {
            out_tile(acc[NT - 1][0], o + ox1 * B, n1, RELU, NULL);
            if (NB > 1)
                out_tile(acc[NT - 1][NB - 1], o + bstride + ox1 * B, n1, RELU, NULL);
        }
        return;
    }
    VecI mask[2] = { { 0 }, { 0 } };
    for (int j = 0; j < 2; j++)
        for (int e = 0; e < B; e++)
            mask[j][e] = e < J->k - (bk + j) * B ? -1 : 0;
    out_tile(acc[0][0], o + ox0 * B, n0, RELU, &mask[0]);
    if (NB > 1)
        out_tile(acc[0][NB - 1], o + bstride + ox0 * B, n0, RELU, &mask[1]);
    if (NT > 1 && n1 > 0) {
        out_tile(acc[NT - 1][0], o + ox1 * B, n1, RELU, &mask[0]);
        if (NB > 1)
            out_tile(acc[NT - 1][NB - 1], o + bstride + ox1 * B, n1, RELU, &mask[1]);
    }
}

/* Output row oy, from the transformed rows in tr (input row iy in slot iy
 * % SLOTS), into out (block bk's row at out + bk * bstride). */
static inline __attribute__((always_inline)) void
conv_row_act(const Job *J, const float *tr, int64_t oy, float *out, int64_t bstride,
             const int RELU) {
    const int64_t iy0 = oy - J->pt;
    const int dy0 = (int)max64(0, -iy0), dy1 = (int)min64(TAPS, J->h - iy0);
    const float *vr[TAPS] = { tr, tr, tr };
    for (int dy = dy0; dy < dy1; dy++)
        vr[dy] = tr + ((iy0 + dy) & (SLOTS - 1)) * MAX_C * NS * TSTRIDE;
    const int64_t full = J->nt / TT * TT;
    int64_t bk = 0;
    for (; bk + 2 <= J->kb; bk += 2) {
        float *o = out + bk * bstride;
        int64_t t = 0;
        for (; t < full; t += TT)
            tile_group(J, vr, dy0, dy1, t, bk, o, bstride, TT, 2, RELU);
        for (; t < J->nt; t++)
            tile_group(J, vr, dy0, dy1, t, bk, o, bstride, 1, 2, RELU);
    }
    if (bk < J->kb) { /* an odd block count: the last alone */
        float *o = out + bk * bstride;
        int64_t t = 0;
        for (; t < full; t += TT)
            tile_group(J, vr, dy0, dy1, t, bk, o, bstride, TT, 1, RELU);
        for (; t < J->nt; t++)
            tile_group(J, vr, dy0, dy1, t, bk, o, bstride, 1, 1, RELU);
    }
}

static void conv_row(const Job *J, const float *tr, int64_t oy, float *out, int64_t bstride) {
    if (J->relu)
        conv_row_act(J, tr, oy, out, bstride, 1);
    else
        conv_row_act(J, tr, oy, out, bstride, 0);
}

/* Output rows oy0 .. oy1 - 1 of batch item `item`: row oy of block bk at
 * out + (ring_rows ? oy % ring_rows : oy - oy0) * rstride + bk * bstride. */
static void rows(const Job *J, int64_t item, int64_t oy0, int64_t oy1, float *out,
                 int64_t rstride, int64_t bstride, int64_t ring_rows) {
    float tr[TR_FLOATS] __attribute__((aligned(64)));
    const float *xn = J->x + item * J->c * J->h * J->w;
    int64_t next = max64(0, oy0 - J->pt); /* the next input row to transform */
    for (int64_t oy = oy0; oy < oy1; oy++) {
        const int64_t end = min64(J->h, oy - J->pt + TAPS);
        for (; next < end; next++)
            for (int64_t l = 0; l < J->c; l++)
                transform_row(xn + l * J->cs + next * J->rs, J->es, J->w, J->pl, J->nt,
                              tr + ((next & (SLOTS - 1)) * MAX_C + l) * NS * TSTRIDE);
        conv_row(J, tr, oy, out + (ring_rows ? oy % ring_rows : oy - oy0) * rstride, bstride);
    }
}

/* For vggrt_chain_wrow_conv2d (winograd.c): as vggrt_dconv_ring_rows, on
 * the calling thread, first prefetching the weights and the input rows
 * the call reads (the Winograd work between two calls evicts them). */
void vggrt_wrow_ring_rows(const vggrt_dconv_params *p, const float *x, int64_t item,
                          const float *packed, const float *b, int64_t oy0, int64_t oy1,
                          float *ring, int64_t ring_rows) {
    if (oy0 >= oy1)
        return;
    Job J;
    job_init(&J, p, x, packed, b);
    for (size_t i = 0, m = vggrt_wrow_packed_size(p); i < m; i += 16)
        __builtin_prefetch(packed + i);
    const float *xn = x + item * J.c * J.h * J.w;
    const int64_t r0 = max64(0, oy0 - J.pt), r1 = min64(J.h, oy1 - J.pt + TAPS - 1);
    const int64_t planes = J.es == 1 ? J.c : 1, span = J.w * J.es; /* per row */
    for (int64_t l = 0; l < planes; l++)
        for (int64_t r = r0; r < r1; r++)
            for (int64_t e = 0; e < span; e += 16)
                __builtin_prefetch(xn + l * J.cs + r * J.rs + e);
    const int64_t plane = ring_rows * J.ow * B;
    rows(&J, item, oy0, oy1, ring, J.ow * B, plane, ring_rows);
}

/* ---- the layer --------------------------------------------------------------- */

typedef struct {
    Job J;
    float *y;
    int64_t bands; /* per item */
} Layer;

static void layer_range(void *ctx, int64_t begin, int64_t end, int tid) {
    const Layer *L = ctx;
    const Job *J = &L->J;
    (void)tid;
    for (int64_t task = begin; task < end; task++) {
        const int64_t item = task / L->bands, oy0 = task % L->bands * BAND;
        const int64_t oy1 = min64(J->oh, oy0 + BAND);
        float *yn = L->y + item * J->kb * J->oh * J->ow * B;
        rows(J, item, oy0, oy1, yn + oy0 * J->ow * B, J->ow * B, J->oh * J->ow * B, 0);
    }
}

void vggrt_wrow_conv2d(const vggrt_dconv_params *p, int64_t n, const float *x,
                       const float *packed, const float *b, float *y, float *work) {
    (void)work;
    if (n <= 0)
        return;
    Layer L;
    job_init(&L.J, p, x, packed, b);
    L.y = y;
    L.bands = ceil_div(L.J.oh, BAND);
    vggrt_parallel_for(n * L.bands, layer_range, &L);
}
