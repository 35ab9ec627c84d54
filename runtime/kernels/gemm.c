/* gemm.c — dense products (ONNX Gemm and MatMul): our own kernels for few
 * rows (dense layers at small batch), OpenBLAS for the rest.
 *
 * vggrt_gemm: Y = alpha * op(A) op(B) + beta * C, with C broadcast through
 * its two strides (a bias row is c_rs = 0, c_cs = 1; a column c_cs = 0; a
 * scalar both 0).  Y may be C itself when C is dense (c_rs = N, c_cs = 1).
 * With beta = 0, C is not read; with alpha = 0 or K = 0, A and B are not.
 *
 * Few rows (M <= SMALL_M, A not transposed: a dense layer at batch <= 16).
 * Such a product reads each weight once for M multiply-adds: at batch 1 it
 * is a matrix-vector product whose speed is the rate at which B streams
 * from memory (VGG-16's first dense layer is 411 MB of weights).  OpenBLAS
 * 0.3.21 does it well only with the kernels of the right CPU, and it may
 * see these machines as "Prescott" (SSE3) or be told Haswell by
 * OPENBLAS_CORETYPE: then it runs at a third of the memory's rate or less.
 * Our path splits the output columns N over the runtime's thread pool, in
 * units of 16 columns, and reads B exactly once:
 *   - trans_b = 1 (PyTorch's layout, B is [N,K]): each output is a dot
 *     product of a row of A and a row of B.  A microkernel ("dot") holds
 *     MR rows of A x JR rows of B of 16-float accumulators, running along
 *     K in chunks of KC_DOT; the JR rows of B are JR sequential streams.
 *     A small A (batch 1) is read whole for each JR rows of B, which then
 *     streams row after row; a larger one chunk by chunk, the A chunk in
 *     L1 for all of a panel's columns (dot_columns).
 *   - trans_b = 0 (B is [K,N], MatMul of a tf2onnx model): the
 *     accumulators run along N, MR rows x NV vectors of 16 columns, one
 *     broadcast of A[r][k] per row and step of k ("axpy").  Between chunks
 *     of KC_AXPY rows of B the partial sums wait on the stack, unchanged.
 * Rows go in groups of MR; a last group with fewer rows repeats the last
 * row (its results are dropped), and a dot tile at the end of a panel
 * repeats its last column likewise: one kernel per MR, no tail variants.
 *
 * Summation order.  Every output has its own accumulator, and its sum runs
 * in an order fixed by K alone: for the dot form, lane l of a 16-float
 * vector sums the terms k = l (mod 16) of a chunk of KC_DOT (the tail of
 * K padded with zeros), the lanes are added in a fixed tree, and the
 * chunks' sums are added in order; for the axpy form, k runs 0..K-1 in
 * sequence.  So the result does not depend on the thread count, on M
 * (the batch) or on where the element lands in a tile.
 *
 * Vectors: GNU vector extensions (vector_size(64)), lowered to one zmm,
 * two ymm or four xmm; the tile sizes follow the register count of the
 * target.  The LLVM backend calls vggrt_gemm and vggrt_matmul in libvggrt
 * (they run on the thread pool), so the tiles are always those of the CPU
 * libvggrt is built for.  The multiply-add is fused explicitly where the
 * target has FMA (gcc in ISO C mode does not contract a*b + c by itself).
 *
 * The rest (M > SMALL_M, or A transposed: rare) goes to OpenBLAS: C is
 * first spread into Y scaled by beta, then one sgemm accumulates into Y
 * with beta 1; without C, sgemm writes Y with beta 0.
 *
 * vggrt_gemm_packed: a dense layer whose weights the compiler packed
 * (assign-layout; vggrt_gemm_pack): op(B) as blocks of 16 columns, each
 * [K][16], so that a block is one sequential stream.  The axpy form runs
 * on it, MR rows x NV blocks (packed_MR), the broadcasts of A from L1, and
 * any M: rows go in blocks of PACKED_ROWS, each over the whole of B.
 * Neither form above streams B well past batch 1 (the dot form holds
 * MR x JR accumulators that each end in a sum across lanes, and reads B
 * in pieces of a chunk per row; the axpy form reads NV vectors of each row
 * of B, ldb apart), while this one reads each block in order.  vgg16's
 * first dense layer (411 MB), gemm_bench, Zen 5, 1 thread: batch 1
 * 19.9 -> 14.7-16.5 ms (25-28 GB/s, the memory's read rate), batch 8
 * 36.7 -> 16.0-20.2 ms; OpenBLAS 48-66 ms.  Summation: each output's terms
 * in chunks of KC_PACKED in order of k, each chunk from zero, the chunks'
 * sums added in order, whatever M, N or the thread count.
 *
 * vggrt_matmul: one product per batch index, the operands' batch offsets
 * from their strides (0 broadcasts), Y dense.  When B is shared by the
 * whole batch and A's batch is dense, the batch folds into M: one product
 * of (batch*M) x K x N, the shape of a dense layer over a batch.  Each
 * product goes through vggrt_gemm, so small ones take our path.
 *
 * Degenerate sizes (M, N or K = 0) are handled here, never passed to BLAS:
 * reference BLAS and OpenBLAS print through xerbla on arguments they deem
 * illegal, and the runtime must not print.  Sizes must fit in blasint (int
 * in the default OpenBLAS build); the compiler only emits layers that do.
 */
#include "vggrt.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#if defined(__AVX512F__) || defined(__FMA__)
#include <immintrin.h>
#endif

enum { SMALL_M = 16, PACKED_ROWS = 64, KC_PACKED = 256 /* K per partial sum of the packed form */ };

#if defined(__GNUC__) || defined(__clang__)
#define OWN_SMALL_M 1

typedef float Vec16 __attribute__((vector_size(64)));

/* Tiles by register count: accumulators plus the operands of one step. */
#if defined(__AVX512F__)
/* 32 registers of 16 floats: up to 24 accumulators. */
#define MR_MAX 8
#define DOT_JR_1 8
#define DOT_JR_2 8
#define DOT_JR_4 6
#define DOT_JR_8 3
#define AXPY_NV_1 8
#define AXPY_NV_2 8
#define AXPY_NV_4 6
#define AXPY_NV_8 3
#elif defined(__AVX__)
/* 16 registers of 8 floats: a vector of 16 is two of them. */
#define MR_MAX 4
#define DOT_JR_1 4
#define DOT_JR_2 2
#define DOT_JR_4 1
#define AXPY_NV_1 4
#define AXPY_NV_2 2
#define AXPY_NV_4 1
#else
/* 16 registers of 4 floats (SSE2, any x86-64), or an unknown target. */
#define MR_MAX 2
#define DOT_JR_1 2
#define DOT_JR_2 1
#define AXPY_NV_1 2
#define AXPY_NV_2 1
#endif

enum {
    KC_DOT = 1024,      /* K per chunk of the dot form: a multiple of 16 */
    KC_AXPY = 256,      /* rows of B per chunk of the axpy form */
    PANEL_FLOATS = 4096, /* the partial sums of a panel: M x panel columns, 16 KB */
    ROWS_A_FLOATS = 32768 /* A of at most 128 KB: B read row by row (dot_columns) */
};

/* Vectors pass through macros and pointers only: a function taking or
 * returning a Vec16 by value has a different ABI with and without
 * AVX-512, and gcc warns about it (-Wpsabi) where the library is built
 * for any x86-64. */

/* acc += a*b, fused where the target has FMA. */
#if defined(__AVX512F__)
#define FMA16(acc, a, b) ((acc) = (Vec16)_mm512_fmadd_ps((__m512)(a), (__m512)(b), (__m512)(acc)))
#elif defined(__FMA__)
#define FMA16(acc, a, b)                                                                       \
    do {                                                                                       \
        __m256 a2_[2], b2_[2], c2_[2];                                                         \
        memcpy(a2_, &(a), sizeof a2_), memcpy(b2_, &(b), sizeof b2_);                          \
        memcpy(c2_, &(acc), sizeof c2_);                                                       \
        c2_[0] = _mm256_fmadd_ps(a2_[0], b2_[0], c2_[0]);                                      \
        c2_[1] = _mm256_fmadd_ps(a2_[1], b2_[1], c2_[1]);                                      \
        memcpy(&(acc), c2_, sizeof c2_);                                                       \
    } while (0)
#else
#define FMA16(acc, a, b) ((acc) += (a) * (b))
#endif

#define LOAD16(v, p) memcpy(&(v), (p), sizeof(Vec16))

/* The lanes of *v added in a fixed tree (8 + 8, 4 + 4, 2 + 2, 1 + 1). */
static inline float hsum16(const Vec16 *v) {
    float t[16];
    memcpy(t, v, sizeof t);
    for (int l = 0; l < 8; l++)
        t[l] += t[l + 8];
    for (int l = 0; l < 4; l++)
        t[l] += t[l + 4];
    t[0] += t[2];
    t[1] += t[3];
    return t[0] + t[1];
}

/* dot_MR: out[r][j] = sum over k in [0, kn) of a[r][k] * b[j][k], for
 * r < MR, j < JR (out has JR floats per row), kn <= KC_DOT; each as one
 * 16-lane accumulator, lanes added by hsum16 (see the top of the file).
 * Meanwhile the same columns of the JR rows at pf (pfs apart: the rows of
 * the next tile) are prefetched, one line per row and step: B streams
 * from memory, and a tile's rows are too short (one chunk, 4 KB) for the
 * hardware prefetcher to ramp up on its own.  rows_MR is the same without
 * the prefetches, for B read row by row (dot_columns). */
#define DOT_KERNEL(MR, JR) DOT_KERNEL_(dot_##MR, MR, JR, 1) DOT_KERNEL_(rows_##MR, MR, JR, 0)
#define DOT_KERNEL_(NAME, MR, JR, PF)                                                          \
    static void NAME(const float *const *a, const float *const *b, int64_t kn,                \
                         const float *pf, int64_t pfs, float *out) {                           \
        Vec16 acc[MR][JR];                                                                     \
        for (int r = 0; r < (MR); r++)                                                         \
            for (int j = 0; j < (JR); j++)                                                     \
                acc[r][j] = (Vec16){ 0 };                                                      \
        int64_t k = 0;                                                                         \
        for (; k + 16 <= kn; k += 16) {                                                        \
            Vec16 bv[JR];                                                                      \
            for (int j = 0; j < (JR); j++) {                                                   \
                LOAD16(bv[j], b[j] + k);                                                       \
                if (PF)                                                                        \
                    __builtin_prefetch(pf + j * pfs + k);                                      \
            }                                                                                  \
            for (int r = 0; r < (MR); r++) {                                                   \
                Vec16 av;                                                                      \
                LOAD16(av, a[r] + k);                                                          \
                for (int j = 0; j < (JR); j++)                                                 \
                    FMA16(acc[r][j], av, bv[j]);                                               \
            }                                                                                  \
        }                                                                                      \
        if (k < kn) { /* the tail of K, padded with zeros */                                   \
            float ta[16] = { 0 }, tb[16] = { 0 };                                              \
            for (int j = 0; j < (JR); j++) {                                                   \
                Vec16 av, bv;                                                                  \
                memcpy(tb, b[j] + k, (size_t)(kn - k) * sizeof *tb);                           \
                LOAD16(bv, tb);                                                                \
                for (int r = 0; r < (MR); r++) {                                               \
                    memcpy(ta, a[r] + k, (size_t)(kn - k) * sizeof *ta);                       \
                    LOAD16(av, ta);                                                            \
                    FMA16(acc[r][j], av, bv);                                                  \
                }                                                                              \
            }                                                                                  \
        }                                                                                      \
        for (int r = 0; r < (MR); r++)                                                         \
            for (int j = 0; j < (JR); j++)                                                     \
                out[r * (JR) + j] = hsum16(&acc[r][j]);                                         \
    }

/* acc[r][v] += a[r][k] * bv[v] for r < MR, v < NV: one step of the axpy
 * forms, a[r][k] broadcast to all lanes. */
#define RANK1_STEP(MR, NV, acc, a, k, bv)                                                      \
    for (int r = 0; r < (MR); r++) {                                                           \
        const float x = (a)[r][k];                                                             \
        const Vec16 av = { x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x };                    \
        for (int v = 0; v < (NV); v++)                                                         \
            FMA16((acc)[r][v], av, (bv)[v]);                                                   \
    }

/* NAME: for r < MR and the NV*16 columns at b (rows ldb apart):
 *     s[r][0..NV*16) (+)= sum over k in [0, kn) of a[r][k] * b[k][...]
 * in order of k; s[r] is read first unless first.  Meanwhile the NV*16
 * columns at pf (rows ldb apart: what the next call reads) are prefetched,
 * as in dot_MR: a call reads only NV*16 floats of each row of B. */
#define AXPY_KERNEL(NAME, MR, NV)                                                              \
    static void NAME(const float *const *a, const float *b, int64_t ldb, int64_t kn,           \
                     const float *pf, float *const *s, int first) {                            \
        Vec16 acc[MR][NV];                                                                     \
        for (int r = 0; r < (MR); r++)                                                         \
            for (int v = 0; v < (NV); v++)                                                     \
                if (first)                                                                     \
                    acc[r][v] = (Vec16){ 0 };                                                  \
                else                                                                           \
                    LOAD16(acc[r][v], s[r] + v * 16);                                          \
        for (int64_t k = 0; k < kn; k++) {                                                     \
            Vec16 bv[NV];                                                                      \
            for (int v = 0; v < (NV); v++) {                                                   \
                LOAD16(bv[v], b + k * ldb + v * 16);                                           \
                __builtin_prefetch(pf + k * ldb + v * 16);                                     \
            }                                                                                  \
            RANK1_STEP(MR, NV, acc, a, k, bv);                                                 \
        }                                                                                      \
        for (int r = 0; r < (MR); r++)                                                         \
            for (int v = 0; v < (NV); v++)                                                     \
                memcpy(s[r] + v * 16, &acc[r][v], sizeof(Vec16));                              \
    }

/* NAME: for r < MR and NV vectors of 16 columns of packed B (the block
 * v at b + v * vs, 16 floats per k):
 *     s[r][0..NV*16) (+)= sum over k in [0, kn) of a[r][k] * b[v][k][...]
 * s[r] is added to unless first.  The sum runs in chunks of KC_PACKED
 * (kn a multiple of it but at the end of K): each chunk's terms in order
 * of k from zero, then the chunk's sum added to s.  Each block is one
 * sequential stream (vggrt_gemm_packed). */
#define PACKED_KERNEL(NAME, MR, NV)                                                            \
    static void NAME(const float *const *a, const float *b, int64_t vs, int64_t kn,            \
                     float *const *s, int first) {                                             \
        for (int64_t c0 = 0; c0 < kn; c0 += KC_PACKED) {                                       \
            const int64_t c1 = kn - c0 < KC_PACKED ? kn : c0 + KC_PACKED;                      \
            Vec16 acc[MR][NV];                                                                 \
            for (int r = 0; r < (MR); r++)                                                     \
                for (int v = 0; v < (NV); v++)                                                 \
                    acc[r][v] = (Vec16){ 0 };                                                  \
            for (int64_t k = c0; k < c1; k++) {                                                \
                Vec16 bv[NV];                                                                  \
                for (int v = 0; v < (NV); v++)                                                 \
                    LOAD16(bv[v], b + v * vs + k * 16);                                        \
                RANK1_STEP(MR, NV, acc, a, k, bv);                                             \
            }                                                                                  \
            for (int r = 0; r < (MR); r++)                                                     \
                for (int v = 0; v < (NV); v++) {                                               \
                    if (!first || c0 > 0) {                                                    \
                        Vec16 t;                                                               \
                        LOAD16(t, s[r] + v * 16);                                              \
                        acc[r][v] += t;                                                        \
                    }                                                                          \
                    memcpy(s[r] + v * 16, &acc[r][v], sizeof(Vec16));                          \
                }                                                                              \
        }                                                                                      \
    }

DOT_KERNEL(1, DOT_JR_1)
DOT_KERNEL(2, DOT_JR_2)
AXPY_KERNEL(axpy_1, 1, AXPY_NV_1)
AXPY_KERNEL(axpy1_1, 1, 1)
AXPY_KERNEL(axpy_2, 2, AXPY_NV_2)
AXPY_KERNEL(axpy1_2, 2, 1)
PACKED_KERNEL(packed_1, 1, AXPY_NV_1)
PACKED_KERNEL(packed1_1, 1, 1)
PACKED_KERNEL(packed_2, 2, AXPY_NV_2)
PACKED_KERNEL(packed1_2, 2, 1)
#if MR_MAX >= 4
DOT_KERNEL(4, DOT_JR_4)
AXPY_KERNEL(axpy_4, 4, AXPY_NV_4)
AXPY_KERNEL(axpy1_4, 4, 1)
PACKED_KERNEL(packed_4, 4, AXPY_NV_4)
PACKED_KERNEL(packed1_4, 4, 1)
#endif
#if MR_MAX >= 8
DOT_KERNEL(8, DOT_JR_8)
AXPY_KERNEL(axpy_8, 8, AXPY_NV_8)
AXPY_KERNEL(axpy1_8, 8, 1)
PACKED_KERNEL(packed_8, 8, AXPY_NV_8)
PACKED_KERNEL(packed1_8, 8, 1)
#endif

typedef void (*DotFn)(const float *const *, const float *const *, int64_t, const float *,
                      int64_t, float *);
typedef void (*AxpyFn)(const float *const *, const float *, int64_t, int64_t, const float *,
                       float *const *, int);
typedef void (*PackedFn)(const float *const *, const float *, int64_t, int64_t, float *const *,
                         int);

/* The kernels for MR rows: dot (and without prefetches), its JR, axpy of
 * NV vectors and of one. */
typedef struct {
    DotFn dot, rows;
    int jr;
    AxpyFn axpy, axpy1;
    int nv;
    PackedFn packed, packed1;
} Kernels;

static Kernels kernels_for(int mr) {
    switch (mr) {
#if MR_MAX >= 8
    case 8: return (Kernels){ dot_8, rows_8, DOT_JR_8, axpy_8, axpy1_8, AXPY_NV_8,
                               packed_8, packed1_8 };
#endif
#if MR_MAX >= 4
    case 4: return (Kernels){ dot_4, rows_4, DOT_JR_4, axpy_4, axpy1_4, AXPY_NV_4,
                               packed_4, packed1_4 };
#endif
    case 2: return (Kernels){ dot_2, rows_2, DOT_JR_2, axpy_2, axpy1_2, AXPY_NV_2,
                               packed_2, packed1_2 };
    default: return (Kernels){ dot_1, rows_1, DOT_JR_1, axpy_1, axpy1_1, AXPY_NV_1,
                               packed_1, packed1_1 };
    }
}

/* One small-M product (see the top of the file); C is NULL when beta is 0. */
typedef struct {
    int trans_b;
    int64_t M, N, K;
    float alpha, beta;
    const float *A, *B, *C;
    int64_t lda, ldb, c_rs, c_cs;
    float *Y;
    int mr; /* rows per group */
} Small;

/* Y[i][j0 .. j0+n) = alpha * s[0..n) + beta * C[i][...]. */
static void finish_row(const Small *g, int64_t i, int64_t j0, int64_t n, const float *s) {
    float *y = g->Y + i * g->N + j0;
    if (!g->C) {
        for (int64_t j = 0; j < n; j++)
            y[j] = g->alpha * s[j];
        return;
    }
    const float *c = g->C + i * g->c_rs + j0 * g->c_cs;
    if (g->c_cs == 1) {
        for (int64_t j = 0; j < n; j++)
            y[j] = g->alpha * s[j] + g->beta * c[j];
    } else {
        for (int64_t j = 0; j < n; j++)
            y[j] = g->alpha * s[j] + g->beta * c[j * g->c_cs];
    }
}

/* Row r of the group starting at row i0, the last row repeated past M. */
static int64_t group_row(const Small *g, int64_t i0, int r) {
    return i0 + r < g->M ? i0 + r : g->M - 1;
}

/* For the group of rows at i0: each row of A from column k0, and its
 * partial sums in s (stride floats a row), the sink for a repeated row. */
static void group_rows(const Small *g, int64_t i0, int64_t k0, float *s, int64_t stride,
                       float *sink, const float **a, float **sr) {
    for (int r = 0; r < g->mr; r++) {
        a[r] = g->A + group_row(g, i0, r) * g->lda + k0;
        sr[r] = i0 + r < g->M ? s + (i0 + r) * stride : sink;
    }
}

/* One chunk [k0, k0 + kn) of the jr rows of B at b (at column k0) against
 * every row of A, added to the panel sums s[M][pn] at column jb. */
static void dot_chunk(const Small *g, DotFn dot, int jr, const float *const *b, int64_t k0,
                      int64_t kn, const float *pf, int64_t pfs, float *s, int64_t pn,
                      int64_t jb) {
    const int mr = g->mr;
    for (int64_t i0 = 0; i0 < g->M; i0 += mr) {
        const float *a[8];
        float out[64];
        for (int r = 0; r < mr; r++)
            a[r] = g->A + group_row(g, i0, r) * g->lda + k0;
        dot(a, b, kn, pf, pfs, out);
        for (int r = 0; r < mr && i0 + r < g->M; r++)
            for (int j = 0; j < jr && jb + j < pn; j++)
                s[(i0 + r) * pn + jb + j] += out[r * jr + j];
    }
}

/* trans_b = 1: columns [j0, j1), in panels of pn columns whose sums s[M][pn]
 * gather over the chunks of K, in order of k0 either way:
 *   - A small enough for L2 (M*K <= ROWS_A_FLOATS: a dense layer at batch
 *     1, or a few rows): tile by tile, each over all of K, so that B is
 *     read row after row, JR long sequential streams that the hardware
 *     prefetcher follows (rows_MR, no prefetches of ours).  Zen 3, 1
 *     thread, a full-size AlexNet's generated program, 5 interleaved
 *     profiles: the first dense layer (9216 -> 4096, 151 MB) 9.7-11.0 ms
 *     chunk by chunk, 8.7-9.9 ms so; the second (67 MB) 4.2-4.7 against
 *     4.1-4.7; chunk by chunk without the prefetches, 11.0-12.4 ms.
 *   - else chunk by chunk over every tile, so that A's chunk stays in L1
 *     (dot_MR, prefetching the next tile's rows of the chunk). */
static void dot_columns(const Small *g, int64_t j0, int64_t j1) {
    const Kernels kr = kernels_for(g->mr);
    const int jr = kr.jr;
    const int64_t pmax = PANEL_FLOATS / g->M;
    const int by_rows = g->M * g->K <= ROWS_A_FLOATS;
    float s[PANEL_FLOATS];
    for (int64_t p0 = j0; p0 < j1; p0 += pmax) {
        const int64_t pn = j1 - p0 < pmax ? j1 - p0 : pmax;
        memset(s, 0, (size_t)(g->M * pn) * sizeof *s);
        if (by_rows) {
            for (int64_t jb = 0; jb < pn; jb += jr) {
                const float *b[8];
                for (int j = 0; j < jr; j++)
                    b[j] = g->B + (p0 + (jb + j < pn ? jb + j : pn - 1)) * g->ldb;
                for (int64_t k0 = 0; k0 < g->K; k0 += KC_DOT) {
                    const int64_t kn = g->K - k0 < KC_DOT ? g->K - k0 : KC_DOT;
                    const float *bk[8];
                    for (int j = 0; j < jr; j++)
                        bk[j] = b[j] + k0;
                    dot_chunk(g, kr.rows, jr, bk, k0, kn, NULL, 0, s, pn, jb);
                }
            }
        } else {
            for (int64_t k0 = 0; k0 < g->K; k0 += KC_DOT) {
                const int64_t kn = g->K - k0 < KC_DOT ? g->K - k0 : KC_DOT;
                for (int64_t jb = 0; jb < pn; jb += jr) {
                    const float *b[8];
                    for (int j = 0; j < jr; j++)
                        b[j] = g->B + (p0 + (jb + j < pn ? jb + j : pn - 1)) * g->ldb + k0;
                    /* The next tile's rows, where there are jr more; else
                     * this tile's first row again (in cache: no harm). */
                    const int next = p0 + jb + 2 * jr <= g->N;
                    const float *pf = next ? b[0] + jr * g->ldb : b[0];
                    const int64_t pfs = next ? g->ldb : 0;
                    dot_chunk(g, kr.dot, jr, b, k0, kn, pf, pfs, s, pn, jb);
                }
            }
        }
        for (int64_t i = 0; i < g->M; i++)
            finish_row(g, i, p0, pn, s + i * pn);
    }
}

/* trans_b = 0: columns [j0, j1) (j0 a multiple of 16), in panels of pn
 * columns whose partial sums s[M][pn] (pn a multiple of 16) wait between
 * chunks of KC_AXPY rows of B.  A last partial vector of columns (past
 * N - N % 16) reads B through a zero-padded copy. */
static void axpy_columns(const Small *g, int64_t j0, int64_t j1) {
    const Kernels kr = kernels_for(g->mr);
    const int mr = g->mr, nv = kr.nv;
    int64_t pmax = PANEL_FLOATS / (g->M + mr) / 16 * 16; /* + a sink for repeated rows */
    float s[PANEL_FLOATS + 16] __attribute__((aligned(64)));
    float tailb[KC_AXPY * 16] __attribute__((aligned(64)));
    for (int64_t p0 = j0; p0 < j1; p0 += pmax) {
        const int64_t pn = j1 - p0 < pmax ? j1 - p0 : pmax, pv = (pn + 15) / 16;
        const int64_t stride = pv * 16;
        float *sink = s + g->M * stride;
        for (int64_t k0 = 0; k0 < g->K; k0 += KC_AXPY) {
            const int64_t kn = g->K - k0 < KC_AXPY ? g->K - k0 : KC_AXPY;
            const float *bk = g->B + k0 * g->ldb + p0;
            for (int64_t i0 = 0; i0 < g->M; i0 += mr) {
                const float *a[8];
                float *sr[8];
                group_rows(g, i0, k0, s, stride, sink, a, sr);
                int64_t v = 0;
                for (; v + nv <= pn / 16; v += nv) {
                    /* Prefetch what the next call reads: the next columns,
                     * else the next chunk's first ones, else (the end of
                     * K) this call's own, in cache already. */
                    const float *pf = v + 2 * nv <= pn / 16     ? bk + (v + nv) * 16
                                      : k0 + KC_AXPY + kn <= g->K ? bk + KC_AXPY * g->ldb
                                                                  : bk + v * 16;
                    kr.axpy(a, bk + v * 16, g->ldb, kn, pf, sr, k0 == 0);
                    for (int r = 0; r < mr; r++)
                        sr[r] += nv * 16;
                }
                for (; v < pn / 16; v++) {
                    kr.axpy1(a, bk + v * 16, g->ldb, kn, bk + v * 16, sr, k0 == 0);
                    for (int r = 0; r < mr; r++)
                        sr[r] += 16;
                }
                if (pn % 16) {
                    const int64_t rem = pn % 16;
                    for (int64_t k = 0; k < kn; k++) {
                        memcpy(tailb + k * 16, bk + k * g->ldb + v * 16,
                               (size_t)rem * sizeof *tailb);
                        memset(tailb + k * 16 + rem, 0, (size_t)(16 - rem) * sizeof *tailb);
                    }
                    kr.axpy1(a, tailb, 16, kn, tailb, sr, k0 == 0);
                }
            }
        }
        for (int64_t i = 0; i < g->M; i++)
            finish_row(g, i, p0, pn, s + i * stride);
    }
}

/* Packed B (vggrt_gemm_packed): the blocks [b0, b1) of 16 columns, in
 * panels of pb blocks whose partial sums s[M][pb*16] wait between chunks
 * of K.  With one group of rows (M <= mr) a chunk is the whole of K, so
 * each block of B streams once from start to end; with more, a chunk is
 * KC_PACKED long, and every group reads it from the caches.  Either way
 * the sums are those of the chunks of KC_PACKED, added in order. */
static void packed_columns(const Small *g, int64_t b0, int64_t b1) {
    const Kernels kr = kernels_for(g->mr);
    const int mr = g->mr, nv = kr.nv;
    const int64_t K = g->K, vs = K * 16, kc = g->M <= mr ? K : KC_PACKED;
    int64_t pb = PANEL_FLOATS / (g->M + 1) / 16; /* + a sink for repeated rows */
    if (pb > nv)
        pb -= pb % nv;
    float s[PANEL_FLOATS] __attribute__((aligned(64)));
    for (int64_t p0 = b0; p0 < b1; p0 += pb) {
        const int64_t pn = b1 - p0 < pb ? b1 - p0 : pb, stride = pn * 16;
        float *sink = s + g->M * stride;
        for (int64_t k0 = 0; k0 < K; k0 += kc) {
            const int64_t kn = K - k0 < kc ? K - k0 : kc;
            for (int64_t i0 = 0; i0 < g->M; i0 += mr) {
                const float *a[8];
                float *sr[8];
                group_rows(g, i0, k0, s, stride, sink, a, sr);
                const float *b = g->B + p0 * vs + k0 * 16;
                int64_t v = 0;
                for (; v + nv <= pn; v += nv, b += nv * vs) {
                    kr.packed(a, b, vs, kn, sr, k0 == 0);
                    for (int r = 0; r < mr; r++)
                        sr[r] += nv * 16;
                }
                for (; v < pn; v++, b += vs) {
                    kr.packed1(a, b, vs, kn, sr, k0 == 0);
                    for (int r = 0; r < mr; r++)
                        sr[r] += 16;
                }
            }
        }
        const int64_t j0 = p0 * 16, n = g->N - j0 < stride ? g->N - j0 : stride;
        for (int64_t i = 0; i < g->M; i++)
            finish_row(g, i, j0, n, s + i * stride);
    }
}

static void packed_task(void *ctx, int64_t begin, int64_t end, int tid) {
    (void)tid;
    packed_columns(ctx, begin, end);
}

static void small_task(void *ctx, int64_t begin, int64_t end, int tid) {
    (void)tid;
    const Small *g = ctx;
    const int64_t j0 = begin * 16, j1 = end * 16 < g->N ? end * 16 : g->N;
    if (g->trans_b)
        dot_columns(g, j0, j1);
    else
        axpy_columns(g, j0, j1);
}

static void gemm_small(int trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                       const float *A, int64_t lda, const float *B, int64_t ldb, float beta,
                       const float *C, int64_t c_rs, int64_t c_cs, float *Y) {
    Small g = { .trans_b = trans_b, .M = M, .N = N, .K = K, .alpha = alpha, .beta = beta,
                .A = A, .B = B, .C = beta != 0.0f ? C : NULL, .lda = lda, .ldb = ldb,
                .c_rs = c_rs, .c_cs = c_cs, .Y = Y };
    g.mr = 1;
    while (g.mr < M && g.mr < MR_MAX)
        g.mr *= 2;
    vggrt_parallel_for((N + 15) / 16, small_task, &g);
}
#endif /* GNU C */

void vggrt_gemm(int trans_a, int trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                const float *A, int64_t lda, const float *B, int64_t ldb, float beta,
                const float *C, int64_t c_rs, int64_t c_cs, float *Y) {
    if (M <= 0 || N <= 0)
        return;
#ifdef OWN_SMALL_M
    if (!trans_a && M <= SMALL_M && K > 0 && alpha != 0.0f) {
        gemm_small(trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, c_rs, c_cs, Y);
        return;
    }
#endif
    float beta_blas = 0.0f;
    if (C && beta != 0.0f) {
        for (int64_t i = 0; i < M; i++) {
            const float *c = C + i * c_rs;
            float *y = Y + i * N;
            if (c_cs == 1) {
                for (int64_t j = 0; j < N; j++)
                    y[j] = beta * c[j];
            } else if (c_cs == 0) {
                float v = beta * c[0];
                for (int64_t j = 0; j < N; j++)
                    y[j] = v;
            } else {
                for (int64_t j = 0; j < N; j++)
                    y[j] = beta * c[j * c_cs];
            }
        }
        beta_blas = 1.0f;
    }
    if (K <= 0 || alpha == 0.0f) {
        if (beta_blas == 0.0f)
            memset(Y, 0, (size_t)(M * N) * sizeof *Y);
        return;
    }
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, (blasint)M, (blasint)N, (blasint)K, alpha, A,
                (blasint)lda, B, (blasint)ldb, beta_blas, Y, (blasint)N);
}

size_t vggrt_gemm_packed_size(int64_t N, int64_t K) {
    return (size_t)((N + 15) / 16 * 16) * (size_t)K;
}

void vggrt_gemm_pack(int trans_b, int64_t N, int64_t K, const float *B, float *Bp) {
    for (int64_t jb = 0; jb < (N + 15) / 16; jb++)
        for (int64_t k = 0; k < K; k++)
            for (int64_t l = 0; l < 16; l++) {
                const int64_t j = jb * 16 + l;
                *Bp++ = j >= N ? 0.0f : trans_b ? B[j * K + k] : B[k * N + j];
            }
}

vggrt_status vggrt_gemm_pack_in_place(int trans_b, int64_t N, int64_t K, float *B) {
    if (N % 16 != 0 || N <= 0 || K <= 0)
        return VGGRT_ERR_ARG;
    const int64_t nb = N / 16;
    if (trans_b) {
        /* [nb][16][K] -> [nb][K][16]: each block of 16 rows transposed
         * through a copy of it. */
        float *t = malloc((size_t)(16 * K) * sizeof *t);
        if (!t)
            return VGGRT_ERR_NOMEM;
        for (int64_t b = 0; b < nb; b++) {
            float *blk = B + b * 16 * K;
            memcpy(t, blk, (size_t)(16 * K) * sizeof *t);
            for (int64_t k = 0; k < K; k++)
                for (int64_t l = 0; l < 16; l++)
                    blk[k * 16 + l] = t[l * K + k];
        }
        free(t);
        return VGGRT_OK;
    }
    /* [K][nb][16] -> [nb][K][16]: a transpose of K x nb vectors of 16,
     * following the cycles of the permutation (the vector at k * nb + b
     * goes to b * K + k), a bit per vector marking those already moved. */
    const int64_t n = K * nb;
    uint64_t *done = calloc((size_t)((n + 63) / 64), sizeof *done);
    if (!done)
        return VGGRT_ERR_NOMEM;
    for (int64_t start = 0; start < n; start++) {
        if (done[start / 64] >> (start % 64) & 1)
            continue;
        float carry[16], next[16];
        memcpy(carry, B + start * 16, sizeof carry);
        int64_t at = start;
        do {
            const int64_t to = at % nb * K + at / nb;
            memcpy(next, B + to * 16, sizeof next);
            memcpy(B + to * 16, carry, sizeof carry);
            memcpy(carry, next, sizeof carry);
            done[to / 64] |= (uint64_t)1 << (to % 64);
            at = to;
        } while (at != start);
    }
    free(done);
    return VGGRT_OK;
}

void vggrt_gemm_packed(int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                       const float *Bp, float beta, const float *C, int64_t c_rs, int64_t c_cs,
                       float *Y) {
    if (M <= 0 || N <= 0)
        return;
    if (K <= 0 || alpha == 0.0f) { /* Y = beta * C, or 0; B is not read */
        vggrt_gemm(0, 1, M, N, 0, alpha, A, lda, Bp, K, beta, C, c_rs, c_cs, Y);
        return;
    }
#ifdef OWN_SMALL_M
    for (int64_t i0 = 0; i0 < M; i0 += PACKED_ROWS) {
        const int64_t m = M - i0 < PACKED_ROWS ? M - i0 : PACKED_ROWS;
        Small g = { .M = m, .N = N, .K = K, .alpha = alpha, .beta = beta, .A = A + i0 * lda,
                    .B = Bp, .C = beta != 0.0f && C ? C + i0 * c_rs : NULL, .lda = lda,
                    .c_rs = c_rs, .c_cs = c_cs, .Y = Y + i0 * N };
        g.mr = 1;
        while (g.mr < m && g.mr < MR_MAX)
            g.mr *= 2;
        vggrt_parallel_for((N + 15) / 16, packed_task, &g);
    }
#else
    /* The same sums, in the same order (chunks of KC_PACKED). */
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) {
            const float *b = Bp + j / 16 * K * 16 + j % 16;
            float sum = 0.0f;
            for (int64_t k0 = 0; k0 < K; k0 += KC_PACKED) {
                float acc = 0.0f;
                for (int64_t k = k0; k < K && k < k0 + KC_PACKED; k++)
                    acc += A[i * lda + k] * b[k * 16];
                sum = k0 ? sum + acc : acc;
            }
            Y[i * N + j] = alpha * sum + (beta != 0.0f && C ? beta * C[i * c_rs + j * c_cs] : 0.0f);
        }
#endif
}

void vggrt_matmul(int brank, const int64_t *bdims, const int64_t *astr, const int64_t *bstr,
                  int64_t M, int64_t K, int64_t N, const float *A, const float *B, float *Y) {
    int64_t batch = 1;
    for (int d = 0; d < brank; d++)
        batch *= bdims[d];
    if (batch == 0 || M == 0 || N == 0)
        return;
    if (K == 0) {
        memset(Y, 0, (size_t)(batch * M * N) * sizeof *Y);
        return;
    }
    /* B shared and A dense over the batch: fold the batch into M. */
    int fold = 1;
    int64_t dense = M * K;
    for (int d = brank - 1; d >= 0 && fold; d--) {
        if (bdims[d] == 1)
            continue;
        fold = bstr[d] == 0 && astr[d] == dense;
        dense *= bdims[d];
    }
    if (fold) {
        vggrt_gemm(0, 0, batch * M, N, K, 1.0f, A, K, B, N, 0.0f, NULL, 0, 0, Y);
        return;
    }
    for (int64_t bi = 0; bi < batch; bi++) {
        int64_t rest = bi, ao = 0, bo = 0;
        for (int d = brank - 1; d >= 0; d--) {
            int64_t i = rest % bdims[d];
            rest /= bdims[d];
            ao += i * astr[d];
            bo += i * bstr[d];
        }
        vggrt_gemm(0, 0, M, N, K, 1.0f, A + ao, K, B + bo, N, 0.0f, NULL, 0, 0, Y + bi * M * N);
    }
}
