/* winograd.c — Winograd F(4x4, 3x3) and F(2x2, 5x5) convolutions on the
 * blocked layout (NCHW16c), with the direct convolution's fused epilogue.
 * (Written for blocks of 16; compiled for blocks of 8 too, B below:
 * blocks.h.)
 *
 * A 3x3, stride-1 convolution computes each 4x4 block of outputs ("tile")
 * from a 6x6 block of input d as
 *     Y = A^T [ sum over c of (G g_kc G^T) .* (B^T d_c B) ] A
 * with the matrices of Lavin and Gray (interpolation points 0, ±1, ±2 and
 * infinity):
 *         | 4  0 -5  0  1  0 |        | 1/4    0     0   |
 *         | 0 -4 -4  1  1  0 |        | -1/6 -1/6  -1/6  |      | 1 1  1 1  1 0 |
 *   B^T = | 0  4 -4 -1  1  0 |    G = | -1/6  1/6  -1/6  |  A^T=| 0 1 -1 2 -2 0 |
 *         | 0 -2 -1  2  1  0 |        | 1/24  1/12  1/6  |      | 0 1  1 4  4 0 |
 *         | 0  2 -1 -2  1  0 |        | 1/24 -1/12  1/6  |      | 0 1 -1 8 -8 1 |
 *         | 0  4  0 -5  0  1 |        | 0     0     1    |
 * The sum over c, for each of the 36 positions xi of the 6x6 transform, is
 * a matrix product (tiles x C) x (C x K): 36 * C * K multiply-adds per tile
 * of 16 outputs instead of 9 * 16 * C * K, 4x fewer.
 *
 * A 5x5 convolution (AlexNet's second layer) takes F(2x2, 5x5) on the same
 * interpolation points: the same 6x6 input transform B^T, so everything
 * between the transforms is shared; each 6x6 window (tiles 2 apart) gives
 * a 2x2 block of outputs through
 *         | 1/4   0     0    0     0   |
 *         | -1/6 -1/6  -1/6 -1/6  -1/6 |
 *     G = | -1/6  1/6  -1/6  1/6  -1/6 |    A^T = | 1 1  1 1  1 0 |
 *         | 1/24  1/12  1/6  1/3   2/3 |          | 0 1 -1 2 -2 1 |
 *         | 1/24 -1/12  1/6 -1/3   2/3 |
 *         | 0     0     0    0     1   |
 * (solved from B^T and A^T so that the product is the correlation; checked
 * against a direct sum in tests/runtime/test_winograd.c): 36 * C * K
 * multiply-adds per 4 outputs instead of 25 * 4 * C * K, 2.8x fewer, with
 * 4x as many input and output transforms per output as F(4x4, 3x3).
 * Below, m is a tile's side of outputs (4 or 2: tile_m).
 *
 * Weights.  U = G g G^T is computed once, at compile time (in double), and
 * packed (see packed_offset) so that for one position and input channel
 * the 16 output channels of a block are one contiguous row, as in dconv.c,
 * and a task reads its weights in one sequential sweep.  kb * 16 * 36 * c
 * floats (kb = ceil(k/16), output channels past k zero): 36/9 = 4x the
 * direct convolution's weights (36/25 = 1.44x for 5x5).
 *
 * Work.  One task is (group of up to GMAX = 28 consecutive tiles of the
 * batch, in row-major order and item after item; chunk of up to KCB output
 * blocks).  For each chunk of CCB input-channel blocks, the task transforms
 * the input tiles (B^T d B) into V (36 x ccb x G x 16), then for each pair of
 * output blocks and each xi runs a microkernel of T x 2 vector accumulators
 * (T <= TMAX tiles, a "register tile"; GNU vector extensions, one zmm each
 * with AVX-512) over each register tile of the group in turn: per input
 * channel it loads two 16-wide weight rows and broadcasts T input values,
 * T x 2 FMAs.  The weight rows of one xi (8 KB) are read from memory by the
 * first register tile and from L1 by the others, so a group of G tiles
 * reads the weights once for all of them.  That matters when there are few
 * tiles and many channels: VGG-16's 512-channel layers at 20x20 have 25
 * tiles and 37.7 MB of U, which groups of TMAX tiles read 3 times per image
 * (the kernel then ran no faster than the direct convolution); one group
 * of 25 reads it once.  The products accumulate across channel chunks in
 * M[36][kcb][G][16].  Last, the output transform (A^T m A), bias,
 * activation, zeroed lanes past k and the optional 2x2 stride-2 max pool (a
 * 4x4 tile pools to 2x2, a 2x2 one to 1x1: tiles start on even rows and
 * columns), stored
 * straight into the blocked output.  V and M are at most 36 x (CCB + KCB)
 * x GMAX x 16 floats (516 KB): they live in the running thread's scratch
 * (vggrt__scratch, runtime/threads.c: on the heap, once per thread; on the
 * stack they crashed threads of 1 MB stacks), so the kernel needs no
 * planned scratch whatever the thread count.  The input transform
 * is redone for each output chunk (K / 64 times), a few percent of the
 * multiply-adds.  (Not so for F(2x2, 5x5), whose transforms serve 4
 * outputs: in AlexNet's 5x5 layer, 64 -> 192 channels at 27x27, perf put
 * 38% of the kernel's samples in input_tile and output_tile.)
 *
 * Borders.  Tiles cover ceil(oh/m) x ceil(ow/m) blocks of the conv output;
 * a tile whose 6x6 input window leaves the input is first copied into a
 * zero-filled 6x6 patch (the padding, and positions past the input, read
 * as 0, as in dconv.c).  Outputs past oh, ow (or pooled outputs past py,
 * px) are computed and dropped.
 *
 * Threads.  The tasks go to vggrt_parallel_for; their number depends only
 * on the shapes (enough output chunks, or else smaller groups, are made
 * that even a 10x10 layer at batch 1 has 8 tasks: see plan), and each
 * output element is computed by one task with the same arithmetic whatever
 * the split (its channels summed in order), so results do not depend on
 * the thread count.
 *
 * Accuracy.  Fewer multiplies, but larger intermediate terms: the
 * transforms mix inputs with weights up to 8 (A^T) and 5 (B^T), so the
 * rounding error is about 10-100x that of a direct sum of the same terms
 * (measured in tests/runtime/test_winograd.c: max |error| / sum|terms|
 * 2.4e-6 in fp32 for C <= 80, where a direct sum stays near 1e-7).
 *
 * FMA: the build passes -ffp-contract=fast for this file, as for dconv.c.
 */
#include "vggrt.h"
#include "../vggrt-impl.h"
#include "ranges.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* Tiles per task (and accumulator rows of the microkernel, which holds
 * TMAX x 2 vectors of 16 floats). */
#ifndef VGGRT_WINO_TILES
#if defined(__AVX512F__)
#define VGGRT_WINO_TILES 12 /* 24 of 32 zmm (or ymm) registers accumulate */
#elif defined(__AVX__) && VGGRT_KB == 8
#define VGGRT_WINO_TILES 6 /* 16 ymm registers: 6 x 2 accumulators */
#elif defined(__AVX__)
#define VGGRT_WINO_TILES 3 /* 16 ymm registers: 3 x 2 x 2 accumulators */
#elif VGGRT_KB == 8
#define VGGRT_WINO_TILES 3 /* 16 xmm registers: 3 x 2 x 2 accumulators */
#else
#define VGGRT_WINO_TILES 2
#endif
#endif
#if VGGRT_WINO_TILES < 1 || VGGRT_WINO_TILES > 12
#error "VGGRT_WINO_TILES must be in 1..12"
#endif

#if !defined(__GNUC__) && !defined(__clang__)
#error "winograd.c needs the GNU vector extensions (gcc or clang)"
#endif

/* B is the block this copy is compiled for (winograd_b8.c, winograd_b16.c:
 * blocks.h); chunks hold 64 channels whatever the width. */
enum {
    B = VGGRT_KB,
    NXI = 36,                   /* positions of the 6x6 transform */
    TMAX = VGGRT_WINO_TILES,
    CCB = 64 / B,               /* input-channel blocks per chunk of V */
    KCB = 64 / B,               /* output blocks per task */
    MIN_TASKS = 8,              /* per layer, when the output channels allow */
    GMAX = 28,                  /* tiles per task: V and M take 36*(CCB+KCB)*B floats each */
    BUF_FLOATS = NXI * (CCB + KCB) * GMAX * B, /* V and M, in the thread's scratch */
};

typedef float Vec16 __attribute__((vector_size(B * sizeof(float))));

static const float zero_bias[B];

/* Unaligned loads and stores of 16 floats.  Macros, not functions: a
 * vector passed or returned by value changes the ABI without AVX-512
 * (-Wpsabi), e.g. in the bitcode, which is compiled for no particular CPU. */
#define VLOAD(v, p) memcpy(&(v), (p), sizeof(Vec16))
#define VSTORE(p, v) memcpy((p), &(v), sizeof(Vec16))

int vggrt_wino_applies(const vggrt_dconv_params *p) {
    const vggrt_conv_params *q = &p->conv;
    return (q->kh == 3 || q->kh == 5) && q->kw == q->kh && q->sh == 1 && q->sw == 1 &&
           q->dh == 1 && q->dw == 1 && q->group == 1 && q->c >= 1 && q->k >= 1 && q->pt >= 0 && q->pl >= 0 &&
           p->in_layout == VGGRT_LAYOUT_BLOCKED &&
           (p->pool_k == 0 || (p->pool_k == 2 && p->pool_s == 2));
}

/* Outputs along a tile's side: F(4x4, 3x3) or F(2x2, 5x5). */
static int64_t tile_m(const vggrt_conv_params *q) {
    return q->kh == 5 ? 2 : 4;
}

/* Packed weights: output blocks go in pairs (the microkernel's two
 * blocks), input channels in chunks of CCB blocks, so that a task reads
 * them in one sequential sweep:
 *     [pair][chunk][xi][c in chunk][2 or 1 blocks][16]
 * (the last pair has one block when kb is odd).  The start of pair kp,
 * chunk from channel c0 (nc channels): */
static int64_t packed_offset(int64_t c, int64_t kb, int64_t kp, int64_t c0) {
    const int64_t wd = (2 * kp + 1 < kb ? 2 : 1) * B;
    return kp * NXI * c * 2 * B + c0 * NXI * wd;
}

size_t vggrt_wino_packed_size(const vggrt_dconv_params *p) {
    const vggrt_conv_params *q = &p->conv;
    return (size_t)(ceil_div(q->k, B) * B) * NXI * (size_t)q->c;
}

/* U = G g G^T, in double, for the filters of a pair of output blocks
 * ("lanes") at once: g[e][l] is element e (row-major) of lane l's r x r
 * filter, u[xi][l] element xi of its 6x6 transform.  Lane loops, which the
 * compiler vectorizes; each lane's arithmetic is the plain matrix product,
 * term by term, as when filters were transformed one at a time. */
enum { PL = 2 * B, RMAX = 5 };    /* lanes; the largest filter side */

static const double G3[6][RMAX] = {
    { 1.0 / 4, 0, 0 },
    { -1.0 / 6, -1.0 / 6, -1.0 / 6 },
    { -1.0 / 6, 1.0 / 6, -1.0 / 6 },
    { 1.0 / 24, 1.0 / 12, 1.0 / 6 },
    { 1.0 / 24, -1.0 / 12, 1.0 / 6 },
    { 0, 0, 1 },
};
static const double G5[6][RMAX] = {
    { 1.0 / 4, 0, 0, 0, 0 },
    { -1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6 },
    { -1.0 / 6, 1.0 / 6, -1.0 / 6, 1.0 / 6, -1.0 / 6 },
    { 1.0 / 24, 1.0 / 12, 1.0 / 6, 1.0 / 3, 2.0 / 3 },
    { 1.0 / 24, -1.0 / 12, 1.0 / 6, -1.0 / 3, 2.0 / 3 },
    { 0, 0, 0, 0, 1 },
};

/* out[i * rs][l] = G[i] . (v[0][l], v[vs][l], ..., v[(r - 1) * vs][l]) for
 * the 6 rows i of G (gm: 6 x r), the r terms summed in order. */
static void g_rows(const double (*gm)[RMAX], int r, double (*v)[PL], int vs,
                   double (*out)[PL], int rs) {
    for (int i = 0; i < 6; i++)
        for (int l = 0; l < PL; l++) {
            double s = gm[i][0] * v[0][l];
            for (int a = 1; a < r; a++)
                s += gm[i][a] * v[a * vs][l];
            out[i * rs][l] = s;
        }
}

static void filter_transforms(int r, double g[RMAX * RMAX][PL], double u[NXI][PL]) {
    const double(*gm)[RMAX] = r == 5 ? G5 : G3;
    double t[6 * RMAX][PL]; /* t = G g: [6 rows][r columns] */
    for (int j = 0; j < r; j++)
        g_rows(gm, r, &g[j], r, &t[j], r);
    for (int i = 0; i < 6; i++) /* u = t G^T */
        g_rows(gm, r, &t[r * i], 1, &u[6 * i], 1);
}

/* Packs the filters of output-channel pairs [begin, end). */
typedef struct {
    const vggrt_conv_params *q;
    const float *w;
    float *packed;
} PackJob;

static void pack_pairs(void *ctx, int64_t begin, int64_t end, int tid) {
    (void)tid;
    const PackJob *j = ctx;
    const vggrt_conv_params *q = j->q;
    const int64_t kb = ceil_div(q->k, B), c = q->c, r = q->kh, rr = r * r;
    for (int64_t kp = begin; kp < end; kp++) {
        const int64_t wd = (2 * kp + 1 < kb ? 2 : 1) * B;
        float *pair = j->packed + packed_offset(c, kb, kp, 0);
        /* Channel by channel: the pair's 36 rows of this channel (zeros
         * past k) are built in L1, then each goes out whole.  (Stored a
         * filter at a time, the 36 values went to rows 4 KB apart, which
         * share one set of L1: a 512 x 512 layer took 36 ms, now 9 on one
         * thread, Zen 3.) */
        for (int64_t ci = 0; ci < c; ci++) {
            const int64_t nl = min64(wd, q->k - kp * PL); /* lanes of real filters */
            double g[RMAX * RMAX][PL] = { { 0 } }, u[NXI][PL];
            for (int64_t l = 0; l < nl; l++)
                for (int64_t e = 0; e < rr; e++)
                    g[e][l] = j->w[((kp * PL + l) * c + ci) * rr + e];
            filter_transforms((int)r, g, u);
            const int64_t c0 = ci / (CCB * B) * (CCB * B);
            const int64_t nc = min64(c, c0 + CCB * B) - c0;
            float *row = pair + c0 * NXI * wd + (ci - c0) * wd;
            for (int xi = 0; xi < NXI; xi++)
                for (int64_t l = 0; l < wd; l++) /* +0 past k (G's -1/6 makes -0 of 0) */
                    row[xi * nc * wd + l] = l < nl ? (float)u[xi][l] : 0.0f;
        }
    }
}

/* The pairs are independent: the thread pool packs them (vgg16's 12
 * Winograd layers: 1.6 million filters, most of the passes' time). */
void vggrt_wino_pack(const vggrt_dconv_params *p, const float *w, float *packed) {
    PackJob j = { &p->conv, w, packed };
    vggrt_parallel_for(ceil_div(ceil_div(p->conv.k, B), 2), pack_pairs, &j);
}

size_t vggrt_wino_work_size(const vggrt_dconv_params *p) {
    (void)p;
    return 0;
}

/* ---- transforms ---------------------------------------------------------- */

/* r = B^T d for one column d[0..6) (stride s between rows in and out). */
static void bt6(const Vec16 *d, int ds, Vec16 *r, int rs) {
    const Vec16 d0 = d[0], d1 = d[ds], d2 = d[2 * ds], d3 = d[3 * ds], d4 = d[4 * ds],
                d5 = d[5 * ds];
    const Vec16 s12 = d1 + d2, m12 = d1 - d2, m42 = d4 - d2, m31 = d3 - d1;
    r[0] = 4.0f * d0 - 5.0f * d2 + d4;
    r[rs] = (d3 + d4) - 4.0f * s12;
    r[2 * rs] = (d4 - d3) + 4.0f * m12;
    r[3 * rs] = m42 + 2.0f * m31;
    r[4 * rs] = m42 - 2.0f * m31;
    r[5 * rs] = 4.0f * d1 - 5.0f * d3 + d5;
}

/* r = A^T m for one column m[0..6): F(2x2, 5x5)'s two rows. */
static void at6_2(const Vec16 *m, int ms, Vec16 *r, int rs) {
    const Vec16 a = m[ms] + m[2 * ms], b = m[ms] - m[2 * ms];
    const Vec16 c = m[3 * ms] + m[4 * ms], d = m[3 * ms] - m[4 * ms];
    r[0] = m[0] + a + c;
    r[rs] = b + 2.0f * d + m[5 * ms];
}

/* r = A^T m for one column m[0..6): F(4x4, 3x3)'s four rows. */
static void at6(const Vec16 *m, int ms, Vec16 *r, int rs) {
    const Vec16 a = m[ms] + m[2 * ms], b = m[ms] - m[2 * ms];
    const Vec16 c = m[3 * ms] + m[4 * ms], d = m[3 * ms] - m[4 * ms];
    r[0] = m[0] + a + c;
    r[rs] = b + 2.0f * d;
    r[2 * rs] = a + 4.0f * c;
    r[3 * rs] = b + 8.0f * d + m[5 * ms];
}

/* What every task of one call shares.  Input block cb of item bi is
 * x + bi * xitem + cb * xplane, its row iy at (iy & rmask) * w * B
 * (rmask: all ones, or a ring's rows - 1). */
typedef struct {
    const vggrt_dconv_params *p;
    const float *x, *u, *b;
    float *y;
    int64_t xitem, xplane, rmask;
    int64_t tw, nt, ntot;               /* tile columns; tiles per item, in the batch */
    int64_t ngroups, kb, cb;            /* tile groups; output, input blocks */
    int64_t kcb, nkc;                   /* output blocks per task; output chunks */
    int64_t m;                          /* outputs along a tile's side (tile_m) */
} Job;

/* V[xi][.][t][16] (stride vs between positions) = B^T d B for tile (ty, tx)
 * of input block xb ([h][w][16]), tiles tm apart. */
static inline __attribute__((always_inline)) void
input_tile(const Job *j, const float *xb, int64_t ty, int64_t tx, float *v, int64_t vs,
           int64_t tm) {
    const vggrt_conv_params *q = &j->p->conv;
    const int64_t iy0 = ty * tm - q->pt, ix0 = tx * tm - q->pl;
    const int64_t rm = j->rmask;
    Vec16 d[36], t[36];
    if (iy0 >= 0 && ix0 >= 0 && iy0 + 6 <= q->h && ix0 + 6 <= q->w) {
        for (int r = 0; r < 6; r++)
            for (int s = 0; s < 6; s++)
                VLOAD(d[r * 6 + s], xb + (((iy0 + r) & rm) * q->w + ix0 + s) * B);
    } else {
        for (int r = 0; r < 6; r++)
            for (int s = 0; s < 6; s++) {
                const int64_t iy = iy0 + r, ix = ix0 + s;
                d[r * 6 + s] = (Vec16){ 0 };
                if (iy >= 0 && iy < q->h && ix >= 0 && ix < q->w)
                    VLOAD(d[r * 6 + s], xb + ((iy & rm) * q->w + ix) * B);
            }
    }
    for (int s = 0; s < 6; s++)
        bt6(d + s, 6, t + s, 6);        /* columns: t = B^T d */
    for (int r = 0; r < 6; r++)
        bt6(t + r * 6, 1, d + r * 6, 1); /* rows: (B^T d) B */
    for (int xi = 0; xi < NXI; xi++)
        VSTORE(v + xi * vs, d[xi]);
}

/* ---- the products -------------------------------------------------------- */

/* For one position xi: m{0,1}[t][16] += sum over the nc channels of a chunk
 * of v[cbl][t][cl] * u[cbl*16 + cl][{0,1}][16]; v holds T tiles per block,
 * u the rows of two output blocks side by side (gemm1: of one).  pf: the
 * rows to prefetch beside u's (the next position's), or NULL: only the
 * first register tile of a position prefetches, the others find the
 * lines in L1 already, and a prefetch still takes a load slot.  One
 * prefetch per 64-byte line (the row pair of one channel is one line with
 * blocks of 8, two with 16).  A full block of channels runs unrolled by
 * 4: with blocks of 8 a channel's step is only 2T FMAs (AVX2: 12), and the
 * loop's own increments and branch per channel were a fifth of its
 * instructions. */
#define GEMM_LINE_FLOATS 16 /* floats per 64-byte line */
/* The accumulators' loads and stores unrolled, so that each goes straight
 * between M and its register: left as loops, gcc 12 copied M through a
 * stack home in 16-byte halves and loaded 32 bytes from it, a failed
 * store-to-load forward at every call (12 per call with AVX2), which cost
 * a quarter of the microkernel's speed on 64 channels (Zen 3). */
#define GEMM_UNROLL _Pragma("GCC unroll 16")
#define GEMM2_STEP(T, cl)                                                                      \
    {                                                                                          \
        Vec16 w0, w1;                                                                          \
        VLOAD(w0, up + (cl) * 2 * B);                                                          \
        VLOAD(w1, up + (cl) * 2 * B + B);                                                      \
        if (pp)                                                                                \
            for (int q_ = 0; q_ < 2 * B; q_ += GEMM_LINE_FLOATS)                               \
                __builtin_prefetch(pp + (cl) * 2 * B + q_);                                    \
        for (int t = 0; t < (T); t++) {                                                        \
            const float xv = vp[t * B + (cl)];                                                 \
            a0[t] += xv * w0;                                                                  \
            a1[t] += xv * w1;                                                                  \
        }                                                                                      \
    }
#define GEMM1_STEP(T, cl)                                                                      \
    {                                                                                          \
        Vec16 w0;                                                                              \
        VLOAD(w0, up + (cl) * B);                                                              \
        if (pp)                                                                                \
            __builtin_prefetch(pp + (cl) * B);                                                 \
        for (int t = 0; t < (T); t++)                                                          \
            a0[t] += vp[t * B + (cl)] * w0;                                                    \
    }
/* The channel blocks of a chunk, rows of W floats per channel, prefetching
 * (pp) if PF (with a constant PF the compiler leaves the prefetch out of
 * the copy that does not need it: gemm2_T). */
#define GEMM_CHANNELS(STEP, T, W, PF)                                                          \
    for (int64_t cb = 0; cb * B < nc; cb++) {                                                  \
        const float *vp = v + cb * (T) * B, *up = u + cb * B * (W);                            \
        const float *pp = (PF) ? pf + cb * B * (W) : NULL;                                     \
        const int64_t nl = min64(B, nc - cb * B);                                              \
        if (nl == B) {                                                                         \
            _Pragma("GCC unroll 4") for (int cl = 0; cl < B; cl++) STEP(T, cl)                 \
        } else {                                                                               \
            for (int64_t cl = 0; cl < nl; cl++)                                                \
                STEP(T, cl)                                                                    \
        }                                                                                      \
    }
#define WINO_GEMM(T)                                                                           \
    static void gemm2_##T(const float *v, int64_t nc, const float *u, const float *pf,         \
                          float *m0, float *m1) {                                              \
        Vec16 a0[T], a1[T];                                                                    \
        GEMM_UNROLL for (int t = 0; t < (T); t++) {                                            \
            VLOAD(a0[t], m0 + t * B);                                                          \
            VLOAD(a1[t], m1 + t * B);                                                          \
        }                                                                                      \
        if (pf)                                                                                \
            GEMM_CHANNELS(GEMM2_STEP, T, 2 * B, 1)                                             \
        else                                                                                   \
            GEMM_CHANNELS(GEMM2_STEP, T, 2 * B, 0)                                             \
        GEMM_UNROLL for (int t = 0; t < (T); t++) {                                            \
            VSTORE(m0 + t * B, a0[t]);                                                         \
            VSTORE(m1 + t * B, a1[t]);                                                         \
        }                                                                                      \
    }                                                                                          \
    static void gemm1_##T(const float *v, int64_t nc, const float *u, const float *pf,         \
                          float *m0) {                                                         \
        Vec16 a0[T];                                                                           \
        GEMM_UNROLL for (int t = 0; t < (T); t++)                                              \
            VLOAD(a0[t], m0 + t * B);                                                          \
        GEMM_CHANNELS(GEMM1_STEP, T, B, pf != NULL)                                            \
        GEMM_UNROLL for (int t = 0; t < (T); t++)                                              \
            VSTORE(m0 + t * B, a0[t]);                                                         \
    }

WINO_GEMM(1)
#if VGGRT_WINO_TILES >= 2
WINO_GEMM(2)
#endif
#if VGGRT_WINO_TILES >= 3
WINO_GEMM(3)
#endif
#if VGGRT_WINO_TILES >= 4
WINO_GEMM(4)
#endif
#if VGGRT_WINO_TILES >= 5
WINO_GEMM(5)
#endif
#if VGGRT_WINO_TILES >= 6
WINO_GEMM(6)
#endif
#if VGGRT_WINO_TILES >= 7
WINO_GEMM(7)
#endif
#if VGGRT_WINO_TILES >= 8
WINO_GEMM(8)
#endif
#if VGGRT_WINO_TILES >= 9
WINO_GEMM(9)
#endif
#if VGGRT_WINO_TILES >= 10
WINO_GEMM(10)
#endif
#if VGGRT_WINO_TILES >= 11
WINO_GEMM(11)
#endif
#if VGGRT_WINO_TILES >= 12
WINO_GEMM(12)
#endif

/* Dispatch on the tile count (m1 NULL: one output block). */
static void gemm(int T, const float *v, int64_t nc, const float *u, const float *pf, float *m0,
                 float *m1) {
    switch (T) {
#define GEMM_CASE(N)                                                                           \
    case N:                                                                                    \
        if (m1)                                                                                \
            gemm2_##N(v, nc, u, pf, m0, m1);                                                       \
        else                                                                                   \
            gemm1_##N(v, nc, u, pf, m0);                                                        \
        break;
        GEMM_CASE(1)
#if VGGRT_WINO_TILES >= 2
        GEMM_CASE(2)
#endif
#if VGGRT_WINO_TILES >= 3
        GEMM_CASE(3)
#endif
#if VGGRT_WINO_TILES >= 4
        GEMM_CASE(4)
#endif
#if VGGRT_WINO_TILES >= 5
        GEMM_CASE(5)
#endif
#if VGGRT_WINO_TILES >= 6
        GEMM_CASE(6)
#endif
#if VGGRT_WINO_TILES >= 7
        GEMM_CASE(7)
#endif
#if VGGRT_WINO_TILES >= 8
        GEMM_CASE(8)
#endif
#if VGGRT_WINO_TILES >= 9
        GEMM_CASE(9)
#endif
#if VGGRT_WINO_TILES >= 10
        GEMM_CASE(10)
#endif
#if VGGRT_WINO_TILES >= 11
        GEMM_CASE(11)
#endif
#if VGGRT_WINO_TILES >= 12
        GEMM_CASE(12)
#endif
#undef GEMM_CASE
    default: /* T <= TMAX by construction (vggrt_wino_conv2d) */
        break;
    }
}

/* ---- epilogue -------------------------------------------------------------- */

/* o[count][16] = activation(o + bias), lanes >= nk set to 0 (as dconv.c's
 * epilogue: later blocked layers read all 16 lanes). */
static void activate(const vggrt_dconv_params *p, const float *bias, int64_t nk, float *o,
                     int count) {
    const float alpha = p->alpha, beta = p->beta;
    switch (p->conv.act) {
    case VGGRT_ACT_RELU:
        for (int i = 0; i < count; i++)
            for (int l = 0; l < B; l++) {
                float v = o[i * B + l] + bias[l];
                v = v > 0.0f ? v : 0.0f;
                o[i * B + l] = l < nk ? v : 0.0f;
            }
        break;
    case VGGRT_ACT_CLIP:
        for (int i = 0; i < count; i++)
            for (int l = 0; l < B; l++) {
                float v = o[i * B + l] + bias[l];
                v = v < alpha ? alpha : v > beta ? beta : v;
                o[i * B + l] = l < nk ? v : 0.0f;
            }
        break;
    case VGGRT_ACT_LEAKY_RELU:
        for (int i = 0; i < count; i++)
            for (int l = 0; l < B; l++) {
                float v = o[i * B + l] + bias[l];
                v = v < 0.0f ? alpha * v : v;
                o[i * B + l] = l < nk ? v : 0.0f;
            }
        break;
    case VGGRT_ACT_SIGMOID:
        for (int i = 0; i < count; i++)
            for (int l = 0; l < B; l++) {
                float v = o[i * B + l] + bias[l];
                float e = expf(v >= 0.0f ? -v : v);
                v = v >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
                o[i * B + l] = l < nk ? v : 0.0f;
            }
        break;
    default: /* VGGRT_ACT_NONE */
        for (int i = 0; i < count; i++)
            for (int l = 0; l < B; l++) {
                float v = o[i * B + l] + bias[l];
                o[i * B + l] = l < nk ? v : 0.0f;
            }
        break;
    }
}

/* Tile (ty, tx) of output block bk, tm x tm outputs: m[xi] at m + xi * ms
 * -> y (item's block plane yk, [py][px][16] or [oh][ow][16]). */
static inline __attribute__((always_inline)) void
output_tile(const Job *j, const float *m, int64_t ms, int64_t bk, int64_t ty, int64_t tx,
            float *yk, int tm) {
    const vggrt_dconv_params *p = j->p;
    const vggrt_conv_params *q = &p->conv;
    Vec16 mv[36], s[24], ov[16];
    float o[16 * B];
    for (int xi = 0; xi < NXI; xi++)
        VLOAD(mv[xi], m + xi * ms);
    if (tm == 4) {
        for (int c = 0; c < 6; c++)
            at6(mv + c, 6, s + c, 6);       /* columns: s[4][6] = A^T m */
        for (int r = 0; r < 4; r++)
            at6(s + r * 6, 1, ov + r * 4, 1); /* rows: (A^T m) A */
    } else {
        for (int c = 0; c < 6; c++)
            at6_2(mv + c, 6, s + c, 6);     /* s[2][6] */
        for (int r = 0; r < 2; r++)
            at6_2(s + r * 6, 1, ov + r * 2, 1);
    }
    memcpy(o, ov, (size_t)(tm * tm) * sizeof(Vec16));
    activate(p, j->b ? j->b + bk * B : zero_bias, min64(B, q->k - bk * B), o, tm * tm);
    if (p->pool_k == 0) {
        for (int r = 0; r < tm; r++) {
            const int64_t oy = ty * tm + r;
            if (oy >= q->oh)
                break;
            for (int c = 0; c < tm; c++) {
                const int64_t ox = tx * tm + c;
                if (ox >= q->ow)
                    break;
                memcpy(yk + (oy * q->ow + ox) * B, o + (r * tm + c) * B, B * sizeof(float));
            }
        }
        return;
    }
    /* 2x2 stride-2 max pool: the tile's m x m outputs are (m/2)^2 windows
     * (tiles start on even rows and columns). */
    for (int a = 0; a < tm / 2; a++) {
        const int64_t py = ty * (tm / 2) + a;
        if (py >= p->py)
            break;
        for (int c = 0; c < tm / 2; c++) {
            const int64_t px = tx * (tm / 2) + c;
            if (px >= p->px)
                break;
            float mx[B];
            for (int l = 0; l < B; l++)
                mx[l] = -FLT_MAX;
            for (int r = 0; r < 2; r++)
                for (int s2 = 0; s2 < 2; s2++) {
                    const float *v = o + ((2 * a + r) * tm + 2 * c + s2) * B;
                    for (int l = 0; l < B; l++)
                        mx[l] = v[l] > mx[l] ? v[l] : mx[l];  /* NaN never wins */
                }
            memcpy(yk + (py * p->px + px) * B, mx, sizeof mx);
        }
    }
}

/* ---- tasks ------------------------------------------------------------------- */

/* Tiles [g0, g0 + G) of the batch (G <= GMAX), output chunk kc, from the
 * input at x (Job: xitem, xplane, rmask); V and M in buf (BUF_FLOATS).
 * The tile's side tm is a constant in each copy (run_group), and the
 * transforms are inlined into it: with j->m read at run time there,
 * vgg16_head ran 1-3% slower (its 64- and 128-channel layers up to 10%). */
static inline __attribute__((always_inline)) void
run_group_tm(const Job *j, const float *x, int64_t g0, int64_t G, int64_t kc, float *buf,
             int tm) {
    const vggrt_dconv_params *p = j->p;
    const vggrt_conv_params *q = &p->conv;
    const int64_t nr = ceil_div(G, TMAX); /* register tiles, of nearly equal size */
    const int64_t kb0 = kc * j->kcb, nkb = min64(j->kcb, j->kb - kb0);
    const int64_t c = q->c;
    float *V = buf, *M = buf + NXI * CCB * G * B;
    const int64_t ms = j->kcb * G * B; /* M: [xi][kcb][G][16] */
    memset(M, 0, sizeof(float) * (size_t)(NXI * ms));
    for (int64_t cb0 = 0; cb0 < j->cb; cb0 += CCB) {
        const int64_t ncb = min64(CCB, j->cb - cb0), c0 = cb0 * B;
        const int64_t nc = min64(c, c0 + ncb * B) - c0;
        /* V: [xi][register tile r][ncb][T_r][16], each register tile's
         * rows together, as the microkernel reads them. */
        const int64_t vs = ncb * G * B;
        for (int64_t r = 0; r < nr; r++) {
            const int64_t ta = G * r / nr, T = G * (r + 1) / nr - ta;
            for (int64_t t = 0; t < T; t++) {
                const int64_t gt = g0 + ta + t, bi = gt / j->nt, tile = gt % j->nt;
                for (int64_t cbl = 0; cbl < ncb; cbl++)
                    input_tile(j, x + bi * j->xitem + (cb0 + cbl) * j->xplane, tile / j->tw,
                               tile % j->tw, V + (ta * ncb + cbl * T + t) * B, vs, tm);
            }
        }
        /* The weights of one position and output pair (nc x 2 x 16 floats,
         * 8 KB) serve every register tile from L1; while the first one
         * runs, the next position's are prefetched (the hardware
         * prefetcher alone leaves the microkernel waiting on memory). */
        for (int64_t jb = 0; jb < nkb; jb += 2) {
            const int two = jb + 1 < nkb;
            const int64_t wd = (two ? 2 : 1) * B;
            const float *u = j->u + packed_offset(c, j->kb, (kb0 + jb) / 2, c0);
            for (int xi = 0; xi < NXI; xi++) {
                float *m = M + xi * ms + jb * G * B;
                const float *ux = u + xi * nc * wd, *vx = V + xi * vs;
                const float *pf = xi + 1 < NXI ? ux + nc * wd : ux;
                for (int64_t r = 0; r < nr; r++) {
                    const int64_t ta = G * r / nr, T = G * (r + 1) / nr - ta;
                    gemm((int)T, vx + ta * ncb * B, nc, ux, r == 0 ? pf : NULL, m + ta * B,
                         two ? m + (G + ta) * B : NULL);
                }
            }
        }
    }
    const int64_t yplane = p->pool_k ? p->py * p->px * B : q->oh * q->ow * B;
    for (int64_t g = 0; g < G; g++) {
        const int64_t gt = g0 + g, bi = gt / j->nt, tile = gt % j->nt;
        for (int64_t jb = 0; jb < nkb; jb++)
            output_tile(j, M + (jb * G + g) * B, ms, kb0 + jb, tile / j->tw, tile % j->tw,
                        j->y + (bi * j->kb + kb0 + jb) * yplane, tm);
    }
}

static void run_group4(const Job *j, const float *x, int64_t g0, int64_t G, int64_t kc,
                       float *buf) {
    run_group_tm(j, x, g0, G, kc, buf, 4);
}

static void run_group2(const Job *j, const float *x, int64_t g0, int64_t G, int64_t kc,
                       float *buf) {
    run_group_tm(j, x, g0, G, kc, buf, 2);
}

static void run_group(const Job *j, const float *x, int64_t g0, int64_t G, int64_t kc,
                      float *buf) {
    (j->m == 4 ? run_group4 : run_group2)(j, x, g0, G, kc, buf);
}

static void run_range(void *ctx, int64_t begin, int64_t end, int tid) {
    (void)tid;
    const Job *j = ctx;
    float *buf = vggrt__scratch();
    for (int64_t task = begin; task < end; task++) {
        /* Groups vary fastest: a thread's consecutive tasks share weights. */
        const int64_t grp = task % j->ngroups, kc = task / j->ngroups;
        const int64_t g0 = grp * j->ntot / j->ngroups;
        run_group(j, j->x, g0, (grp + 1) * j->ntot / j->ngroups - g0, kc, buf);
    }
}

/* The split, from the shapes only.  Groups as large as the buffer allows
 * (GMAX tiles), so that on a small map one group covers every tile of the
 * batch item (20x20: 25 tiles) or nearly (28x28: two groups) and each
 * weight is read from memory about once per layer; on a large map the
 * weights of a task stay in L2 across its groups anyway.  Then, as before,
 * output chunks of 2 blocks and, failing that, smaller groups until there
 * are MIN_TASKS tasks. */
static void plan(Job *j) {
    int64_t kcb = KCB;
    j->ngroups = ceil_div(j->ntot, GMAX);
    while (kcb > 2 && j->ngroups * ceil_div(j->kb, kcb) < MIN_TASKS)
        kcb -= 2;
    while (j->ngroups < j->ntot && j->ngroups * ceil_div(j->kb, kcb) < MIN_TASKS)
        j->ngroups++;
    j->kcb = kcb, j->nkc = ceil_div(j->kb, kcb);
}

vggrt_status vggrt_wino_conv2d(const vggrt_dconv_params *p, int64_t n, const float *x,
                               const float *packed, const float *b, float *y, float *work) {
    const vggrt_conv_params *q = &p->conv;
    (void)work;
    if (n <= 0 || q->oh <= 0 || q->ow <= 0 || (p->pool_k && (p->py <= 0 || p->px <= 0)))
        return VGGRT_OK;
    if (!vggrt__scratch_reserve())
        return VGGRT_ERR_NOMEM;
    Job j = { 0 };
    j.p = p, j.x = x, j.u = packed, j.b = b, j.y = y;
    j.m = tile_m(q);
    j.tw = ceil_div(q->ow, j.m), j.nt = ceil_div(q->oh, j.m) * j.tw, j.ntot = n * j.nt;
    j.kb = ceil_div(q->k, B), j.cb = ceil_div(q->c, B);
    j.xplane = q->h * q->w * B, j.xitem = j.cb * j.xplane, j.rmask = -1;
    plan(&j);
    vggrt_parallel_for(j.ngroups * j.nkc, run_range, &j);
    return VGGRT_OK;
}

/* ---- a first layer chained into a Winograd layer ------------------------------ */

/* vggrt_chain_conv2d: the network's first layer (a direct convolution of
 * plain input, dconv.c's PlainTile; or with vggrt_chain_wrow_conv2d
 * Winograd along the rows, wrow.c) computed inside the Winograd layer
 * that reads it, tile row by tile row, into a ring of conv rows in the
 * thread's scratch, beside V and M: the first layer's output (6.5 MB at
 * 64 x 160 x 160) is never stored to memory nor planned in the arena, and
 * the second layer reads it from the caches.  On the Zen 4 VM of
 * 2026-12-01 vgg16_head's conv1_2 went from 8.1-8.3 ms to 6.6-7.2 ms (1
 * thread); at 224x224 (vgg16) it was no faster, and on the Intel Xeon VM
 * of 2026-12-03 the two layers took the same time chained or apart.
 * The first layer computes bands of up to CHAIN_BAND = 8 rows, each first
 * prefetching its weights and input rows (vggrt_dconv_ring_rows): the
 * Winograd work between two bands evicts what the next one reads, and
 * bands of 8 with those prefetches took the layer from 64-78% to 71-84%
 * of the FMA peak at 160x160 against bands of 4 without (chain_bench,
 * Zen 5 VM).  What the chain costs the first layer on each machine, and
 * what was tried to win that back: first-layer.md beside this file.
 *
 * A task is one tile row (4 output rows) of one batch item.  Its tiles
 * read conv rows 4 ty - pt .. 4 ty - pt + 5 of the first layer; the next
 * tile row reads 4 rows further down.  When a tile row needs rows not yet
 * in the ring, its thread computes CHAIN_BAND of them (two tile rows'
 * worth), or fewer where its range of tasks ends.  The rows the ring
 * must then hold, from the tile row's first to the band's last, are at
 * most 5 + CHAIN_BAND: CHAIN_ROWS = 16 slots (row iy in slot iy & 15,
 * which input_tile applies: Job.rmask).  A range that starts mid-plane
 * recomputes the 2 rows it shares with the last one.  Each value of
 * either layer is the same sum, in the same order, as vggrt_dconv2d and
 * vggrt_wino_conv2d compute it: the results are bit for bit those of the
 * two calls. */
enum {
    CHAIN_ROWS = 16,                 /* a power of two */
    CHAIN_BAND = 8,                  /* conv rows computed at a time, at most */
    CHAIN_RING_FLOATS = 256 * 1024,  /* 1 MB: 64 channels x 16 rows of up to 256 pixels */
};
_Static_assert(CHAIN_BAND + 5 <= CHAIN_ROWS, "the ring holds a tile row's rows and a band");
_Static_assert(CHAIN_RING_FLOATS + BUF_FLOATS <= VGGRT_SCRATCH_FLOATS,
               "a chain task's ring, V and M fit the thread's scratch");

typedef struct {
    Job j;                                   /* the Winograd layer (its x unused) */
    const vggrt_dconv_params *p1;            /* the first layer */
    const float *x, *packed1, *b1;
    int wrow;                                /* first layer: wrow.c's, else dconv.c's */
    int64_t th, ngr;                         /* tile rows per item, tile groups per row */
    double *thread_ms;                       /* per thread: ms in the first layer, or NULL */
} Chain;

int vggrt_chain_applies(const vggrt_dconv_params *p1, const vggrt_dconv_params *p2) {
    const vggrt_conv_params *a = &p1->conv, *q = &p2->conv;
    return vggrt_dconv_ring_applies(p1) && vggrt_wino_applies(p2) && q->kh == 3 && q->c == a->k &&
           q->h == a->oh && q->w == a->ow && q->w > 0 &&
           q->w <= CHAIN_RING_FLOATS / (ceil_div(q->c, B) * CHAIN_ROWS * B);
}

static void chain_range(void *ctx, int64_t begin, int64_t end, int tid) {
    const Chain *ch = ctx;
    const Job *j = &ch->j;
    const vggrt_conv_params *q = &j->p->conv;
    float *ring = vggrt__scratch(), *buf = ring + CHAIN_RING_FLOATS;
    int64_t item = -1, hi = 0; /* conv rows of `item` up to hi are in the ring */
    double ms = 0;
    for (int64_t task = begin; task < end; task++) {
        const int64_t bi = task / ch->th, ty = task % ch->th;
        const int64_t r0 = max64(0, ty * 4 - q->pt), r1 = min64(q->h, ty * 4 - q->pt + 6);
        if (bi != item) /* a range's tasks are consecutive: rows only move down */
            item = bi, hi = r0;
        if (r1 > hi) {
            /* The last row this range reads of this item: rows past it
             * are another range's. */
            const int64_t last = (end - 1) / ch->th == bi ? (end - 1) % ch->th : ch->th - 1;
            const int64_t rows_end = min64(q->h, last * 4 - q->pt + 6);
            const int64_t r2 = min64(rows_end, max64(r1, hi + CHAIN_BAND));
            const double t0 = ch->thread_ms ? vggrt__now_ms() : 0;
            if (ch->wrow)
                vggrt_wrow_ring_rows(ch->p1, ch->x, bi, ch->packed1, ch->b1, hi, r2, ring,
                                     CHAIN_ROWS);
            else
                vggrt_dconv_ring_rows(ch->p1, ch->x, bi, ch->packed1, ch->b1, hi, r2, ring,
                                      CHAIN_ROWS);
            if (ch->thread_ms)
                ms += vggrt__now_ms() - t0;
            hi = r2;
        }
        const int64_t row0 = bi * j->nt + ty * j->tw;
        for (int64_t g = 0; g < ch->ngr; g++) {
            const int64_t g0 = j->tw * g / ch->ngr, g1 = j->tw * (g + 1) / ch->ngr;
            for (int64_t kc = 0; kc < j->nkc; kc++)
                run_group(j, ring, row0 + g0, g1 - g0, kc, buf);
        }
    }
    if (ch->thread_ms)
        ch->thread_ms[tid] += ms;
}

static vggrt_status chain(const vggrt_dconv_params *p1, const float *packed1, const float *b1,
                          int wrow, const vggrt_dconv_params *p2, const float *packed2,
                          const float *b2, int64_t n, const float *x, float *y,
                          double *direct_ms) {
    const vggrt_conv_params *q = &p2->conv;
    if (direct_ms)
        *direct_ms = 0;
    if (n <= 0 || q->oh <= 0 || q->ow <= 0 || (p2->pool_k && (p2->py <= 0 || p2->px <= 0)))
        return VGGRT_OK;
    if (!vggrt__scratch_reserve())
        return VGGRT_ERR_NOMEM;
    Chain ch = { 0 };
    Job *j = &ch.j;
    j->p = p2, j->u = packed2, j->b = b2, j->y = y;
    j->m = 4;
    j->tw = ceil_div(q->ow, 4), j->nt = ceil_div(q->oh, 4) * j->tw, j->ntot = n * j->nt;
    j->kb = ceil_div(q->k, B), j->cb = ceil_div(q->c, B);
    j->xplane = CHAIN_ROWS * q->w * B, j->xitem = 0, j->rmask = CHAIN_ROWS - 1;
    j->kcb = KCB, j->nkc = ceil_div(j->kb, KCB);
    ch.p1 = p1, ch.x = x, ch.packed1 = packed1, ch.b1 = b1, ch.wrow = wrow;
    ch.th = ceil_div(q->oh, 4), ch.ngr = ceil_div(j->tw, GMAX);
    double thread_ms[VGGRT_MAX_THREADS] = { 0 };
    ch.thread_ms = direct_ms ? thread_ms : NULL;
    vggrt_parallel_for(n * ch.th, chain_range, &ch);
    if (direct_ms) {
        /* Thread-milliseconds over the threads that ran: the first
         * layer's share of the call's wall time when they were all busy. */
        double sum = 0;
        int used = 0;
        for (int t = 0; t < VGGRT_MAX_THREADS; t++)
            sum += thread_ms[t], used += thread_ms[t] > 0;
        *direct_ms = used ? sum / used : 0;
    }
    return VGGRT_OK;
}

vggrt_status vggrt_chain_conv2d(const vggrt_dconv_params *p1, const float *packed1,
                                const float *b1, const vggrt_dconv_params *p2,
                                const float *packed2, const float *b2, int64_t n,
                                const float *x, float *y, double *direct_ms) {
    return chain(p1, packed1, b1, 0, p2, packed2, b2, n, x, y, direct_ms);
}

/* The same with the first layer run by wrow.c (vggrt_wrow_ring_rows), into
 * the same ring. */
vggrt_status vggrt_chain_wrow_conv2d(const vggrt_dconv_params *p1, const float *packed1,
                                     const float *b1, const vggrt_dconv_params *p2,
                                     const float *packed2, const float *b2, int64_t n,
                                     const float *x, float *y, double *direct_ms) {
    if (!vggrt_wrow_applies(p1))
        return VGGRT_ERR_ARG;
    return chain(p1, packed1, b1, 1, p2, packed2, b2, n, x, y, direct_ms);
}
