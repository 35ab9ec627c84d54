/* dconv.c — direct convolution writing the blocked layout (NCHW16c), with
 * bias, activation and max pool fused into its epilogue, split over the
 * runtime's thread pool.
 *
 * Output y is [n, kb, py, px, 16] (kb = ceil(k/16)).  Weights are packed
 * once, at compile time, as [kb][c][kh][kw][16], so for one input channel
 * and one tap the 16 output channels of a block are one contiguous row.
 *
 * The microkernel ("tile") computes T adjacent output pixels of one output
 * row for NB output-channel blocks (NB = VGGRT_DCONV_NB, 2 with AVX-512):
 * NB x T accumulators of 16 floats that stay in registers (2 x 14 = 28 of
 * the 32 zmm registers; the others hold the NB weight rows and a spare).
 * Its loops, outermost first:
 *     input channel block cb -> tap row i -> tap column j -> channel cl
 *         -> pixel t:  acc[b][t][0..16) += x(ci, ., .) * w[b][ci][i][j][0..16)
 * Each input value is loaded (broadcast from memory, folded into the FMA)
 * once for NB FMAs, and each weight row once for T FMAs: 2 + 14 loads feed
 * 28 FMAs, within the two loads per cycle that keep two FMA pipes busy.
 * The pixel loop has a constant trip count and unrolls fully; the input of
 * the tile is read with a constant pixel step of 16 floats, so every load
 * is base + immediate (with runtime strides the 14 addresses need their own
 * registers and the kernel spills: that was 4x slower).  The channel loop
 * is unrolled 4 times (see TAP_LOOP).  A 3x3 layer with at most one
 * column of padding (VGG's blocked layers) takes a sliding tile instead
 * (SLIDE: stiles, SLIDE_TILE) of SNB blocks x up to 12 pixels (AVX-512: 2
 * blocks, 24 accumulators and 6 weight rows; AVX2: 1 block): its loops go
 * cb -> i -> cl -> input pixel, each broadcast feeding the 3 tap columns
 * of every block.
 *
 * Passes over the input channels.  The weights of one tile are
 * c*kh*kw*NB*64 bytes (73 KB for 64 channels, 590 KB for 512): more than
 * L1, so a tile that ran over all channels would stream them from L2 for
 * each tile.  Instead a group of rows is computed in passes of cbchunk
 * input-channel blocks (one block for 3x3: 18 KB of weights), each pass
 * over every tile of the group (the next pass's weights prefetched into L1
 * or L2 meanwhile), and the weights of a pass stay in L1 for
 * all of them.  Between passes a tile's partial sums wait in its output
 * place (y, or the pool ring): 2*T loads and stores per 2*T*16*kh*kw FMAs.
 * The sums keep the order (cb, i, j, cl) and go through memory unchanged,
 * so they equal those of one pass over all channels, bit for bit.
 *
 * Where the input comes from.  When x is blocked, the stride is 1 and the
 * tile's taps land inside the input row but for at most the first and the
 * last pixel of the tile (TILE_DIRECT: every tile of VGG's 3x3 pad 1), the
 * tile reads x in place; a tap that would read the padding for pixel 0 or
 * T-1 runs its FMAs for the other pixels only (four constant pixel ranges:
 * the loops stay unrolled).  At 10x10 and 14x14 a tile is a whole row, and
 * copying its rows with their padding (below) cost 4-6% of the layer.
 * (Prefetching the next tap row, as this tile did before, cost 3-8% at
 * 10x10 to 40x40: the rows are in L1 or L2 already, and the prefetches
 * compete with the tile's loads.)  A border tile with wider padding, of a
 * blocked, stride-1 input (TILE_PADDED_ROW) first copies, per channel
 * block and tap row, the T + (kw-1)*dw input pixels it needs into a row on
 * the stack with zeros in the padding.  Any other input (plain with more than 16
 * channels, a stride > 1: TILE_GATHER) is gathered per channel block and
 * tap row as [kw][T][16], except the first layer's (below) at any stride.
 * A copy costs a few vector moves against NB*T*kw*16 FMAs.  Tap rows that
 * fall into the padding are skipped (i0..i1).  Bottom and right padding
 * are implied, as in vggrt_conv2d: positions past the input read as 0.  An
 * input channel slot past c is never read.
 *
 * A network's first layer (plain NCHW or NHWC input of at most 16
 * channels, a kernel at most 16 wide: J->plain, conv_rows_plain) has its own tile
 * (PlainTile), PRB x PTMAX: with AVX-512 2 blocks x 12 pixels, with AVX2
 * 1 block x 12 pixels, each input broadcast feeding 3 FMAs per block, one
 * per tap column (PSLIDE).  Either way a group of blocks (PNB) is the whole of
 * VGG's layer.  Per conv row its kh input rows are copied once into planar
 * rows [tap row][channel][column] with zeros in the padding (from NCHW one
 * memcpy each; at a stride s > 1 each planar row is s phase rows, phase q
 * holding columns q, q + s, ...: plain_layout), so a tap's T pixels of one
 * channel are adjacent and read base + immediate.  From NCHW at stride 1
 * a tile whose columns and tap rows are all inside the input reads it in
 * place instead (a channel's row is a planar row already), and only the
 * border tiles' columns are copied.  The tile runs over all
 * channels at once (loops i -> cl
 * -> j -> t; for 3 channels of 3x3 all 27 steps unrolled, PLAIN_SUMS).
 * With 3 channels a result has only 27 multiply-adds, so whatever is done
 * per result counts: for ReLU or no activation (and k a multiple of 16)
 * the sums start at the bias and the activation runs on the registers,
 * and without a pool the results go to y with streaming stores
 * (stream_put: the layer writes 6.5 MB at 160x160, which plain stores
 * first read into L1), in tiles of whole lines (STREAM_FIRST).  Other
 * activations take the epilogue below.  A fused 2x2/2 max pool runs in
 * the tile too (PLAIN_POOL_TILE: two conv rows, the pooled results
 * straight to y).
 * Without a pool the stores weigh nearly as much as the FMAs: streaming
 * the 6.5 MB at 160x160 took ~0.52 ms on a Xeon VM whose zmm peak made
 * the FMAs ~0.74 ms.  Chained into a Winograd layer
 * (vggrt_dconv_ring_rows, for winograd.c's vggrt_chain_conv2d) the
 * results go instead to a ring of rows that stays in the caches, with
 * plain stores, each tile first prefetching its result lines for
 * writing; with AVX-512 each result is stored as soon as it is final, in
 * the tile's last tap row (PLAIN_EARLY).  With 27 multiply-adds per
 * result this is the layer of VGG furthest from the FMA peak: 72-99%
 * alone and 53-92% in the network, depending on the machine.  What bounds
 * it on each machine measured, and the variants tried and dropped
 * (plain or staged stores, other tile shapes, prefetches, Winograd along
 * the rows, another compiler), are in first-layer.md beside this file.
 *
 * A row is cut into ceil(width/TILE) tiles of nearly equal widths (40 = 14
 * + 13 + 13: a narrow last tile would have too few accumulators to hide the
 * FMA latency).  Every output value is the same sum in the same order
 * (cb, i, j, cl), or (bias, i, cl, j) for PlainTile, whatever tile it
 * lands in, so results do not depend on how the work is split.
 *
 * Epilogue, per tile and block, after the last pass, on the T x 16 results
 * just stored (in place, still in L1): + bias,
 * the activation (VGGRT_ACT_*; Clip(alpha, beta), LeakyRelu(alpha), Sigmoid
 * in the overflow-free form of vggrt_unary_f32), then lanes past k are
 * forced to 0 (sigmoid(0) would be 0.5), so later blocked layers can read
 * all 16 lanes.  Without a pool the partial sums and the results live in y.
 *
 * Fused max pool (pool_k x pool_k, stride pool_s, no padding, floor mode).
 * (The first layer's 2x2/2 pool with ReLU or none: in the tile, J->pool2,
 * see PLAIN_POOL_TILE.)  Conv rows go into a ring (the rows of a group of pooled rows, only the
 * columns that some window uses); once they are there, the window maxima
 * are written to y.  Overlapping windows (3x3 stride 2) carry the shared
 * conv rows over to the next group instead of recomputing them; conv rows
 * and columns that no window reads are not computed at all.  The ring
 * lives on the stack of each task (RING_FLOATS, 32 KB: it stays in L1/L2);
 * a row too wide for it is cut into column segments of pooled columns,
 * each with its own conv columns (a 3x3/2 pool recomputes one conv column
 * per cut).  Only a pool window so large that one pooled column does not
 * fit uses the work buffer that vggrt_dconv_work_size asks for (0 floats
 * otherwise), and then runs on one thread.  The
 * max skips NaN and starts from -FLT_MAX, as vggrt_maxpool2d (window_max).
 *
 * Threads.  The work is [batch][group of NB (PNB: PlainTile) output blocks][column
 * segment][row] (rows of the output, or pooled rows), numbered in that
 * order and cut by vggrt_parallel_for into contiguous ranges (chunks,
 * a few per thread, which the threads claim): a thread
 * keeps one group's weights (c*kh*kw*NB*64 bytes: 590 KB for 512 channels,
 * in L2) for a run of rows, and even a 10x10 layer at batch 1 has kb/NB *
 * 10 units to share.  Within a range, consecutive pooled rows reuse the
 * ring; a range that starts mid-plane recomputes the conv rows its first
 * window shares with the previous range (none for VGG's 2x2/2 pool).  A
 * task ends with a store fence (STREAM_FENCE), so that its streaming
 * stores are in memory before the pool reports the work done.
 *
 * FMA: with gcc in ISO C mode (-std=c11) floating-point contraction is off
 * unless -ffp-contract=fast is given; the build passes it for this file
 * (clang contracts a*b + c within a statement by default).
 */
#include "vggrt.h"
#include "../vggrt-impl.h"
#include "ranges.h"

#include <float.h>
#include <math.h>
#include <string.h>
#if defined(__AVX512F__) || defined(__AVX__)
#include <immintrin.h>
#endif

/* The block B: this file is compiled once per width, by dconv_b8.c and
 * dconv_b16.c (blocks.h), which set VGGRT_KB.  The tile sizes below are
 * per width: with blocks of 8 an accumulator is one ymm register. */
/* Widest tile (at most 16): accumulators that fit the vector registers. */
#ifndef VGGRT_DCONV_TILE
#if defined(__AVX512F__)
#define VGGRT_DCONV_TILE 14
#elif defined(__AVX__)
#define VGGRT_DCONV_TILE 6 /* 16 ymm: block 16, 6 x 2 accumulators; block 8, NB 2 x 6 */
#elif (defined(__SSE2__) || defined(__x86_64__)) && VGGRT_KB == 8
#define VGGRT_DCONV_TILE 6 /* 16 xmm registers: 6 x 2 accumulators */
#elif defined(__SSE2__) || defined(__x86_64__)
#define VGGRT_DCONV_TILE 3 /* 16 xmm registers: 3 x 4 accumulators */
#else
#define VGGRT_DCONV_TILE 8
#endif
#endif
#if VGGRT_DCONV_TILE < 1 || VGGRT_DCONV_TILE > 16
#error "VGGRT_DCONV_TILE must be in 1..16"
#endif
/* Output-channel blocks per tile.  A tile of 12 or more pixels means 32
 * vector registers of 16 floats (AVX-512): there, two blocks share each
 * input broadcast (and the sliding tile, SNB, takes 2 blocks too).
 * With 16 registers one block of 16 already fills them; blocks of 8 take
 * two (AVX2: 2 x 6 accumulators, 2 weights, 1 input). */
#ifndef VGGRT_DCONV_NB
#if VGGRT_DCONV_TILE >= 12 || (VGGRT_KB == 8 && defined(__AVX__))
#define VGGRT_DCONV_NB 2
#else
#define VGGRT_DCONV_NB 1
#endif
#endif
#if VGGRT_DCONV_NB < 1 || VGGRT_DCONV_NB > 2
#error "VGGRT_DCONV_NB must be 1 or 2"
#endif
/* The first layer's tile (PlainTile): output blocks per group (PNB: a
 * unit of work, whose conv rows' planar input rows are copied once),
 * blocks per tile (PRB, at most PNB: the group's blocks go through the
 * tile PRB at a time) and widest tile.  With 16 ymm registers and blocks
 * of 8 (AVX2) a tile is 1 block of 12 pixels whose input broadcasts
 * slide over the 3 tap columns (PSLIDE; SLIDE, the blocked layers' stiles,
 * too): 12 accumulators, 3 weights and the broadcast fill the 16
 * registers, and a tap row of a channel takes 3 + 14 loads for 36 FMAs,
 * against 3 x (2 + 6) with the 2 x 6 tile it replaced (the blocked tile's
 * shape with AVX2); the group is 8 blocks, VGG's 64 channels (Zen 3,
 * dconv_bench first layer at 160x160 and 224x224, 1 thread, 4
 * interleaved rounds, medians: 58-63% -> 78-79% of the FMA peak, with the
 * pool 62-69% -> 82-83%; vgg16_head, JIT, 3 interleaved profiles:
 * 1.21-1.22 ms against 1.27-1.73 ms).  With 32 registers (AVX-512) the
 * sliding tile takes 2 blocks of 12 pixels: 24 accumulators, 6 weights
 * and the broadcast, and a tap row of a channel takes 6 + 14 loads for
 * 72 FMAs; the group is 4 blocks, VGG's 64 channels.  It replaced 4
 * blocks x 6 pixels without sliding (4 weight + 6 input loads per 24
 * FMAs; gcc 12 kept the broadcasts of a tap row for the next tap column,
 * ran out of registers and read 124 of the 648 FMAs' weights from
 * memory).  Zen 4, 1 thread, dconv_bench, 5 interleaved rounds, medians
 * of the shares of the FMA peak: 160x160 74% -> 86%, 224x224 75% -> 81%,
 * with the pool 80-81% -> 83-84%; one tile on data in L1, the best of 7
 * runs in 4 interleaved rounds: 97-107 -> 100-108 GFLOP/s (1 x 12: 107-115,
 * but one block per pass over the planar rows lost in the layer: 79%).
 * Otherwise the blocked tile's shape. */
#if VGGRT_DCONV_NB == 2 && VGGRT_DCONV_TILE >= 12
#define VGGRT_DCONV_PNB 4
#define VGGRT_DCONV_PRB 2
#define VGGRT_DCONV_PTILE 12
#define SLIDE 1
#define SNB 2
#define PSLIDE 1
#elif VGGRT_KB == 8 && defined(__AVX__)
#define VGGRT_DCONV_PNB 8
#define VGGRT_DCONV_PRB 1
#define VGGRT_DCONV_PTILE 12
#define SLIDE 1
#define SNB 1
#define PSLIDE 1
#else
#define VGGRT_DCONV_PNB VGGRT_DCONV_NB
#define VGGRT_DCONV_PRB VGGRT_DCONV_NB
#define VGGRT_DCONV_PTILE VGGRT_DCONV_TILE
#define SLIDE 0
#define SNB 1
#define PSLIDE 0
#endif

enum {
    B = VGGRT_KB,
    NB = VGGRT_DCONV_NB,
    TMAX = VGGRT_DCONV_TILE,
    PNB = VGGRT_DCONV_PNB,
    PRB = VGGRT_DCONV_PRB,
    PTMAX = VGGRT_DCONV_PTILE,
    GATHER_FLOATS = 2048, /* a border tile's input buffer, [kw chunk][T][16]: 8 KB */
    RING_FLOATS = 8192,   /* a task's pool ring: 32 KB */
    PASS_W_FLOATS = 6144, /* weights of one pass over the input channels: <= 24 KB, in L1 */
    PART_FLOATS = 8192,   /* partial sums of the rows of one pass (no pool): 32 KB */
    ROWBUF_FLOATS = 16384, /* a conv row's planar input rows, plain input, c <= 16: 64 KB */
    PLAIN_KW_MAX = 16,     /* widest kernel of PlainTile (11 for AlexNet's first layer) */
};

/* Where a tile reads its input (see the top of the file). */
enum {
    TILE_DIRECT,     /* x in place: blocked, stride 1, every tap inside the row */
    TILE_PADDED_ROW, /* blocked, stride 1, at a border: a zero-padded copy of the row */
    TILE_GATHER,     /* any layout and stride: [kw][T][16] copies */
};

/* One call of vggrt_dconv2d: the layer and how its work is cut. */
typedef struct {
    int64_t n, c, h, w, k, kh, kw, sh, sw, pt, pl, dh, dw;
    int64_t xs, ys, cbs, cls, xbatch;  /* input strides (see below) */
    int blocked;                       /* x is blocked: 16 channels of a pixel adjacent */
    int plain;                         /* plain x of at most 16 channels, kw <= 16: PlainTile */
    int pool2;                         /* plain, 2x2/2 pool in the tile (conv_rows_plain_pool2) */
    int slide;                         /* blocked, 3 tap columns, every tile direct: stiles */
    int64_t tmax;                      /* widest tile: TMAX, or STMAX for stiles */
    int64_t gnb;                       /* output blocks per group: PNB if plain, else NB */
    int act;
    float alpha, beta;
    int64_t kb, wblock, taps;          /* output blocks, floats of one packed block, kh*kw */
    int64_t oh, ow, py, px, pk, ps;    /* conv and output sizes, pool (pk = 0: none) */
    int64_t nrows, ncols;              /* conv rows and columns computed */
    int64_t ngroups, nseg, rows, units;/* the work: [n][ngroups][nseg][rows] */
    int64_t seg_px;                    /* pooled columns per segment */
    int64_t ring_cols;                 /* conv columns of a ring row */
    int64_t cbchunk;                   /* input channel blocks per pass */
    int pf_l1;                         /* the next pass's weights prefetched into L1, not L2 */
    int64_t group_rows;                /* rows (pooled rows) per pass */
    const float *x, *packed, *bias;
    float *y, *work;                   /* work: the ring when it does not fit the stack */
    int ring;                          /* y is a ring of rows read next (vggrt_dconv_ring_rows):
                                          plain stores, the lines of each tile's results
                                          prefetched for writing as it starts */
} Job;
/* Input strides: channel ci of pixel (iy, ix) is at
 *     (ci / 16) * cbs + (ci % 16) * cls + iy * ys + ix * xs
 *                   cbs          cls      ys        xs
 *     NCHW     16 * h * w      h * w       w         1
 *     NHWC        16             1        w * c      c
 *     blocked   h * w * 16       1       w * 16     16
 * (blocked input has ceil(c/16)*16 channel slots; only the first c are read). */

/* Where one tile reads and writes. */
typedef struct {
    const Job *J;
    const float *xn;       /* this batch item's input */
    const float *w;        /* packed weights of the tile's first block */
    int64_t row, col0;     /* input row and column of tap (0, 0) of pixel 0 */
    int64_t i0, i1;        /* tap rows inside the input */
    int64_t cb0, cb1;      /* input channel blocks of this pass */
    int mode;              /* TILE_*: where the input comes from */
    int64_t span;          /* input pixels of a tap row: T + (kw-1)*dw (stride 1) */
    float *out;            /* partial sums [t][16] of block 0 (read unless cb0 == 0) */
    int64_t bstride;       /* floats from one block's partial sums to the next's */
} Tile;

/* Where one tile of a plain input reads and writes (see conv_rows_plain). */
typedef struct {
    const Job *J;
    const float *x;        /* tap (0, 0) of the tile's pixel 0, channel 0: in planar
                              rows (plain_rows) or, read in place, in the NCHW input */
    int64_t rs, chs;       /* floats from tap row i to i + 1, channel cl to cl + 1, of x */
    int64_t pw;            /* floats from one planar row to the next */
    int64_t joff[PLAIN_KW_MAX];  /* tap column j's pixel 0, from a planar row's start */
    const float *w;        /* packed weights of the tile's first block */
    const float *init;     /* where the sums start, per block: the bias (fused) or 0 */
    int64_t i0, i1;        /* tap rows inside the input */
    int fused, relu;       /* bias and activation in registers (ReLU or none) */
    int stream;            /* fused, into y: streaming stores (stream_put) */
    float *out;            /* results [t][16] of block 0 */
    int64_t bstride;       /* floats from one block's results to the next's */
} PlainTile;

static const float zero_bias[PNB * B];

/* Full unrolling of a loop over pixels or blocks of a tile (constant trip
 * counts; UNROLL4: 4 times), early enough that the compiler sees constant indices into the
 * accumulator array (gcc and clang read the pragma). */
#if defined(__GNUC__) || defined(__clang__)
#define UNROLL _Pragma("GCC unroll 16")
#define UNROLL4 _Pragma("GCC unroll 4")
#else
#define UNROLL
#define UNROLL4
#endif

/* GNU vector extensions (see ACC_DECL below): the accumulators, and the
 * epilogue's arithmetic 16 lanes at a time. */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(VGGRT_DCONV_PLAIN_C)
#define DCONV_VECTORS 1
typedef float Vec16 __attribute__((vector_size(B * sizeof(float))));
typedef int32_t VecI16 __attribute__((vector_size(B * sizeof(int32_t))));

/* Stores *v at p (aligned to a vector) past the caches when the target has
 * such a store for vectors of B floats, plainly otherwise.  For a layer
 * whose output is far larger than its input and weights (the first layer:
 * 160x160x64 floats = 6.5 MB for 88 MFLOP): a plain store first reads its
 * line, and the tile waits for those reads (streaming: 6% faster at
 * 160x160, 19% at 224x224, in interleaved runs). */
static inline void stream_put(float *p, const VecI16 *v) {
#if defined(__AVX512F__) && VGGRT_KB == 16
    _mm512_stream_ps(p, (__m512)*v);
#elif defined(__AVX__) && VGGRT_KB == 8
    _mm256_stream_ps(p, (__m256)*v);
#else
    memcpy(p, v, sizeof *v);
#endif
}
/* *r = *v > 0 ? *v : 0 (NaN and -0 give +0), as bits: one vmaxps where
 * the target has it (max(v, 0) returns its second operand unless v > 0),
 * a compare and a mask otherwise.  (Pointers: a vector argument wider
 * than the target's registers changes the ABI, which gcc warns of.) */
static inline void relu_bits(const Vec16 *v, VecI16 *r) {
#if defined(__AVX512F__) && VGGRT_KB == 16
    *r = (VecI16)_mm512_max_ps((__m512)*v, _mm512_setzero_ps());
#elif defined(__AVX__) && VGGRT_KB == 8
    *r = (VecI16)_mm256_max_ps((__m256)*v, _mm256_setzero_ps());
#else
    const Vec16 zero = { 0 };
    *r = (VecI16)*v & (*v > zero);
#endif
}
#endif
/* Whether the first layer streams its results past the caches: yes, in
 * tiles of whole 64-byte lines (LINE_PIX pixels: a tile of blocks of 8
 * starts on an even pixel and, but for a row's last, has an even width).
 * With blocks of 16 (AVX-512) a pixel's block is a line (Xeon VM: 6-19%
 * faster than plain stores).  With blocks of 8 (AVX2, Zen 3 VM) the tile
 * of 2 x 6 streamed at 41-45% of the FMA peak in dconv_bench, with tiles
 * cut to whole lines too, against 50-65% with plain stores, and in the
 * network too (vgg16_head, JIT, 4 interleaved profiles: 2.0-2.5 ms
 * against 1.3-1.9 ms); the 1 x 12 tile (SLIDE) streams in tiles of whole
 * lines faster (dconv_bench, 160x160 and 224x224: 72-73% -> 83-84%;
 * interleaved profiles, JIT: vgg16_head 1 thread 1.22-1.32 ms against
 * 1.24-1.76 ms, 2 threads 0.69-0.75 against 0.76-0.77, vgg16 2.35-2.58
 * against 2.56-2.86; the next layer no slower).  The pool in the tile
 * (J->pool2, pooled tiles of 5 and 6 pixels with blocks of 8) streams
 * with blocks of 16 only: with blocks of 8 it measured no faster
 * streamed (dconv_bench: 82% either way). */
#define STREAM_FIRST 1
#define STREAM_POOL2 (B == 16)
enum { LINE_PIX = B == 8 && VGGRT_DCONV_PTILE % 2 == 0 ? 2 : 1 };
/* Orders the streaming stores before whatever reads the output next. */
#if (defined(__AVX512F__) && VGGRT_KB == 16) || (defined(__AVX__) && VGGRT_KB == 8)
#define STREAM_FENCE() _mm_sfence()
#else
#define STREAM_FENCE() ((void)0)
#endif

/* res[T][16] + bias -> activation -> out[T][16], lanes >= nk set to 0.
 * Called once per tile and block (T*16 results for T*16*c*kh*kw
 * multiply-adds), on a copy of the accumulator that is still in L1 (for
 * a plain input, once per conv row and block: T is the row's width).  With
 * vectors, the selections are masks (a comparison gives all ones or 0 per
 * lane) that pick exactly what the scalar forms below pick, NaN included:
 * a 3-channel first layer has only 27 multiply-adds per result, and lane
 * by lane this was a third of its time. */
static void epilogue(const Job *J, const float *b, int64_t nk, int T, const float *res,
                     float *out) {
#ifdef DCONV_VECTORS
    if (J->act != VGGRT_ACT_SIGMOID) {
        VecI16 keep;
        Vec16 bv, zero = { 0 }, av, bev;
        for (int l = 0; l < B; l++) {
            keep[l] = l < nk ? -1 : 0;
            av[l] = J->alpha, bev[l] = J->beta;
        }
        memcpy(&bv, b, sizeof bv);
        for (int t = 0; t < T; t++) {
            Vec16 v;
            memcpy(&v, res + t * B, sizeof v);
            v += bv;
            VecI16 r = (VecI16)v;
            if (J->act == VGGRT_ACT_RELU) {
                r &= v > zero;
            } else if (J->act == VGGRT_ACT_CLIP) {
                const VecI16 lo = v < av, hi = (v > bev) & ~lo;
                r = (r & ~(lo | hi)) | ((VecI16)av & lo) | ((VecI16)bev & hi);
            } else if (J->act == VGGRT_ACT_LEAKY_RELU) {
                const VecI16 neg = v < zero;
                r = (r & ~neg) | ((VecI16)(av * v) & neg);
            }
            r &= keep;
            memcpy(out + t * B, &r, sizeof r);
        }
        return;
    }
#endif
    switch (J->act) {
    case VGGRT_ACT_RELU:
        for (int t = 0; t < T; t++)
            for (int l = 0; l < B; l++) {
                float v = res[t * B + l] + b[l];
                v = v > 0.0f ? v : 0.0f;
                out[t * B + l] = l < nk ? v : 0.0f;
            }
        break;
    case VGGRT_ACT_CLIP:
        for (int t = 0; t < T; t++)
            for (int l = 0; l < B; l++) {
                float v = res[t * B + l] + b[l];
                v = v < J->alpha ? J->alpha : v > J->beta ? J->beta : v;
                out[t * B + l] = l < nk ? v : 0.0f;
            }
        break;
    case VGGRT_ACT_LEAKY_RELU:
        for (int t = 0; t < T; t++)
            for (int l = 0; l < B; l++) {
                float v = res[t * B + l] + b[l];
                v = v < 0.0f ? J->alpha * v : v;
                out[t * B + l] = l < nk ? v : 0.0f;
            }
        break;
    case VGGRT_ACT_SIGMOID:
        for (int t = 0; t < T; t++)
            for (int l = 0; l < B; l++) {
                float v = res[t * B + l] + b[l];
                float e = expf(v >= 0.0f ? -v : v);
                v = v >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
                out[t * B + l] = l < nk ? v : 0.0f;
            }
        break;
    default: /* VGGRT_ACT_NONE */
        for (int t = 0; t < T; t++)
            for (int l = 0; l < B; l++) {
                float v = res[t * B + l] + b[l];
                out[t * B + l] = l < nk ? v : 0.0f;
            }
        break;
    }
}

/* The gathered input of a tile for input channel block cb, input row iy and
 * tap columns [j0, j0 + jn): buf[jj][t][0..nl) = x(cb*16 + l, iy,
 * col0 + t*sw + (j0+jj)*dw), 0 where the column is outside the input.
 * Lanes past nl are not written (and never read). */
static void gather(const Job *J, const float *xn, int64_t cb, int64_t nl, int64_t iy,
                   int64_t col0, int64_t j0, int64_t jn, int T, float *buf) {
    const float *xr = xn + cb * J->cbs + iy * J->ys;
    for (int64_t jj = 0; jj < jn; jj++)
        for (int t = 0; t < T; t++) {
            const int64_t ix = col0 + t * J->sw + (j0 + jj) * J->dw;
            float *d = buf + (jj * T + t) * B;
            if (ix < 0 || ix >= J->w) {
                for (int l = 0; l < B; l++)
                    d[l] = 0.0f;
            } else if (J->blocked) {
                memcpy(d, xr + ix * B, B * sizeof *d);
            } else {
                const float *s = xr + ix * J->xs;
                for (int64_t l = 0; l < nl; l++)
                    d[l] = s[l * J->cls];
            }
        }
}

/* A blocked input row with zero padding: buf[e][0..16) = x(cb*16 + l, iy,
 * col0 + e) for e in [0, span), 0 outside the input. */
static void padded_row(const Job *J, const float *xn, int64_t cb, int64_t iy, int64_t col0,
                       int64_t span, float *buf) {
    /* Fixed-size copies: the compiler turns each into one vector move (a
     * library memcpy per call costs as much as the row). */
    static const float zeros[B];
    const float *xr = xn + cb * J->cbs + iy * J->ys;
    for (int64_t e = 0; e < span; e++) {
        const int64_t ix = col0 + e;
        memcpy(buf + e * B, ix >= 0 && ix < J->w ? xr + ix * B : zeros, B * sizeof *buf);
    }
}

/* The accumulators of a tile: NB x T x 16 floats.  With gcc and clang they
 * are arrays of vectors of 16 floats (GNU vector extensions), which both
 * keep in registers; written as plain loops over t and l, clang 19
 * vectorizes along the tap loop instead (gathers) and gcc 12 keeps them on
 * the stack, 3-10x slower.  The vector type is lowered to whatever the
 * target has (one zmm, two ymm, four xmm); a float times a vector is a
 * broadcast, which x86 folds into the FMA's memory operand.  Other
 * compilers get the plain loops. */
#ifdef DCONV_VECTORS
#define ACC_DECL(NBK, T)                                                                       \
    Vec16 acc[NBK][T];                                                                         \
    UNROLL for (int b_ = 0; b_ < (NBK); b_++)                                                  \
        UNROLL for (int t_ = 0; t_ < (T); t_++)                                                \
    acc[b_][t_] = (Vec16){ 0 }
#define W_LOAD(wv, wp)                                                                         \
    Vec16 wv;                                                                                  \
    memcpy(&wv, (wp), sizeof wv)
#define ACC_FMA(b, t, xv, wv) acc[b][t] += (xv) * (wv)
/* wv[b]: the weight rows of NBK blocks. */
#define WN_DECL(wv, NBK) Vec16 wv[NBK]
#define WN_LOAD(wv, b, wp) memcpy(&wv[b], (wp), sizeof(Vec16))
/* acc[b][t] = p[b*16 .. b*16+16) for all t.  (Each vector loaded once and
 * assigned: gcc then keeps acc in registers from the start.  Zeroing acc
 * and then loading it under a condition made gcc give it a home on the
 * stack, stored and reloaded around the loops.) */
#define ACC_INIT(NBK, T, p)                                                                    \
    Vec16 acc[NBK][T];                                                                         \
    UNROLL for (int b_ = 0; b_ < (NBK); b_++) {                                                \
        Vec16 v_;                                                                              \
        memcpy(&v_, (p) + b_ * B, sizeof v_);                                                  \
        UNROLL for (int t_ = 0; t_ < (T); t_++)                                                \
        acc[b_][t_] = v_;                                                                      \
    }
#define ACC_LOAD(b, t, p) memcpy(&acc[b][t], (p), sizeof(Vec16))
#define ACC_PUT(b, t, p) memcpy((p), &acc[b][t], sizeof(Vec16))
#else
#define ACC_DECL(NBK, T)                                                                       \
    float acc[NBK][(T) * B];                                                                   \
    for (int b_ = 0; b_ < (NBK); b_++)                                                         \
        for (int e_ = 0; e_ < (T) * B; e_++)                                                   \
    acc[b_][e_] = 0.0f
#define W_LOAD(wv, wp) const float *wv = (wp)
#define WN_DECL(wv, NBK) const float *wv[NBK]
#define WN_LOAD(wv, b, wp) (wv[b] = (wp))
#define ACC_FMA(b, t, xv, wv)                                                                  \
    do {                                                                                       \
        const float xv_ = (xv);                                                                \
        for (int l_ = 0; l_ < B; l_++)                                                         \
            acc[b][(t) * B + l_] += xv_ * (wv)[l_];                                            \
    } while (0)
#define ACC_LOAD(b, t, p) memcpy(&acc[b][(t) * B], (p), B * sizeof(float))
#define ACC_INIT(NBK, T, p)                                                                    \
    float acc[NBK][(T) * B];                                                                   \
    for (int b_ = 0; b_ < (NBK); b_++)                                                         \
        for (int t_ = 0; t_ < (T); t_++)                                                       \
    memcpy(&acc[b_][t_ * B], (p) + b_ * B, B * sizeof(float))
#define ACC_PUT(b, t, p) memcpy((p), &acc[b][(t) * B], B * sizeof(float))
#endif

/* The innermost loops for one tap (i, j): input pixels at xp + t*16 (16
 * channels each), weights of channel cl at wp + cl*wcs, the second block's
 * wblock floats further.  The channel loop is unrolled 4 times: per
 * channel a 10-pixel tile issues 2 + 10 loads and 20 FMAs, and the loop's
 * own 4 instructions pushed that past what the front end issues per cycle
 * (+6% on 512 channels at 10x10).  A full block of channels (nl == B, all
 * but a last partial block) is written as a loop of constant trip count:
 * gcc 12 did not unroll the variable loop alone for blocks of 8, where a
 * channel is only 2 x 5 FMAs at 10x10 and the loop's increments, compare
 * and reloaded bound were a quarter of the instructions.  Given both, it
 * merges them into one unrolled run with an exit test between channels:
 * 19 instructions per 10 FMAs instead of 22. */
#define TAP_LOOP(NBK, T, xp, wp) TAP_LOOP_T(NBK, 0, T, xp, wp)
/* The same for pixels [T0, T1) only, pixel T0's input at xp (a tap that
 * falls into the padding for the first or the last pixel of the tile). */
#define TAP_LOOP_T(NBK, T0, T1, xp, wp) CHANNEL_LOOP(TAP_STEP(NBK, T0, T1, xp, wp, cl))
/* The channel loop of a block of nl channels, the body naming cl. */
#define CHANNEL_LOOP(...)                                                                      \
    if (nl == B) {                                                                             \
        UNROLL4 for (int cl = 0; cl < B; cl++) __VA_ARGS__                                     \
    } else {                                                                                   \
        for (int64_t cl = 0; cl < nl; cl++)                                                    \
            __VA_ARGS__                                                                        \
    }
/* Channel cl of a tap. */
#define TAP_STEP(NBK, T0, T1, xp, wp, cl)                                                      \
    {                                                                                          \
        W_LOAD(w0, (wp) + (cl) * wcs);                                                         \
        if ((NBK) == 1) {                                                                      \
            for (int t = (T0); t < (T1); t++)                                                  \
                ACC_FMA(0, t, (xp)[(cl) + (t - (T0)) * B], w0);                                \
        } else {                                                                               \
            W_LOAD(w1, (wp) + wblock + (cl) * wcs);                                            \
            for (int t = (T0); t < (T1); t++) {                                                \
                const float xv = (xp)[(cl) + (t - (T0)) * B];                                  \
                ACC_FMA(0, t, xv, w0);                                                         \
                ACC_FMA((NBK) - 1, t, xv, w1);                                                 \
            }                                                                                  \
        }                                                                                      \
    }

/* One pass of a tile: T consecutive output pixels of one row, NBK blocks,
 * input channel blocks [cb0, cb1):
 *     out[b][t][l] (+)= sum over ci in the blocks, i in [i0, i1), j in [0, kw) of
 *                       x(ci, row + i*dh, col0 + t*sw + j*dw) * w[b][ci][i][j][l]
 * (taps outside the input count as 0; += unless cb0 == 0).  The partial
 * sums go through memory between passes unchanged, so the result is the
 * same sum in the same order as one pass over all channels. */
#define DCONV_TILE(NBK, T)                                                                     \
    static void tile_##NBK##_##T(const Tile *tl) {                                             \
        const Job *J = tl->J;                                                                  \
        const int64_t c = J->c, kw = J->kw, taps = J->taps, wcs = taps * B;                    \
        const int64_t wblock = J->wblock, ys = J->ys, dhys = J->dh * J->ys;                    \
        const int64_t i0 = tl->i0, i1 = tl->i1, jchunk = GATHER_FLOATS / ((T) * B);            \
        ACC_DECL(NBK, T);                                                                      \
        if (tl->cb0 > 0)                                                                       \
            UNROLL for (int b = 0; b < (NBK); b++)                                             \
                UNROLL for (int t = 0; t < (T); t++)                                           \
                    ACC_LOAD(b, t, tl->out + b * tl->bstride + t * B);                         \
        for (int64_t cb = tl->cb0; cb < tl->cb1; cb++) {                                       \
            const int64_t nl = min64(B, c - cb * B);                                           \
            const float *wc = tl->w + cb * B * wcs;                                            \
            const int64_t jstep = J->dw * B;                                                   \
            if (tl->mode == TILE_DIRECT) {                                                     \
                const float *xc = tl->xn + cb * J->cbs + tl->row * ys;                         \
                for (int64_t i = i0; i < i1; i++) {                                            \
                    for (int64_t j = 0; j < kw; j++) {                                         \
                        /* Pixels [lo, hi) of this tap are inside the row. */                  \
                        const int64_t cj = tl->col0 + j * J->dw;                               \
                        const int lo = cj < 0, hi = J->w - cj < (T) ? (T) - 1 : (T);           \
                        const float *xp = xc + i * dhys + (cj + lo) * B;                       \
                        const float *wp = wc + (i * kw + j) * B;                               \
                        if (!lo && hi == (T)) {                                                \
                            TAP_LOOP_T(NBK, 0, T, xp, wp)                                      \
                        } else if (!lo) {                                                      \
                            TAP_LOOP_T(NBK, 0, (T) - 1, xp, wp)                                \
                        } else if (hi == (T)) {                                                \
                            TAP_LOOP_T(NBK, 1, T, xp, wp)                                      \
                        } else {                                                               \
                            TAP_LOOP_T(NBK, 1, (T) - 1, xp, wp)                                \
                        }                                                                      \
                    }                                                                          \
                }                                                                              \
                continue;                                                                      \
            }                                                                                  \
            if (tl->mode == TILE_PADDED_ROW) {                                                 \
                float row[GATHER_FLOATS] __attribute__((aligned(64)));                         \
                for (int64_t i = i0; i < i1; i++) {                                            \
                    padded_row(J, tl->xn, cb, tl->row + i * J->dh, tl->col0, tl->span, row);   \
                    for (int64_t j = 0; j < kw; j++) {                                         \
                        const float *xp = row + j * jstep;                                     \
                        const float *wp = wc + (i * kw + j) * B;                               \
                        TAP_LOOP(NBK, T, xp, wp)                                               \
                    }                                                                          \
                }                                                                              \
                continue;                                                                      \
            }                                                                                  \
            float buf[GATHER_FLOATS] __attribute__((aligned(64)));                             \
            for (int64_t i = i0; i < i1; i++)                                                  \
                for (int64_t j0 = 0; j0 < kw; j0 += jchunk) {                                  \
                    const int64_t jn = min64(jchunk, kw - j0);                                 \
                    gather(J, tl->xn, cb, nl, tl->row + i * J->dh, tl->col0, j0, jn, (T),      \
                           buf);                                                               \
                    for (int64_t jj = 0; jj < jn; jj++) {                                      \
                        const float *xp = buf + jj * (T) * B;                                  \
                        const float *wp = wc + (i * kw + j0 + jj) * B;                         \
                        TAP_LOOP(NBK, T, xp, wp)                                               \
                    }                                                                          \
                }                                                                              \
        }                                                                                      \
        UNROLL for (int b = 0; b < (NBK); b++)                                                 \
            UNROLL for (int t = 0; t < (T); t++)                                               \
                ACC_PUT(b, t, tl->out + b * tl->bstride + t * B);                              \
    }

#define DCONV_TILES(NBK)                                                                       \
    DCONV_TILE(NBK, 1) DCONV_TILE(NBK, 2) DCONV_TILE(NBK, 3) DCONV_TILE(NBK, 4)                \
    DCONV_TILE(NBK, 5) DCONV_TILE(NBK, 6) DCONV_TILE(NBK, 7) DCONV_TILE(NBK, 8)                \
    DCONV_TILE(NBK, 9) DCONV_TILE(NBK, 10) DCONV_TILE(NBK, 11) DCONV_TILE(NBK, 12)             \
    DCONV_TILE(NBK, 13) DCONV_TILE(NBK, 14) DCONV_TILE(NBK, 15) DCONV_TILE(NBK, 16)
DCONV_TILES(1)
#if VGGRT_DCONV_NB == 2
DCONV_TILES(2)
#endif

typedef void (*TileFn)(const Tile *);
#define TILE_ROW(NBK)                                                                          \
    {                                                                                          \
        NULL, tile_##NBK##_1, tile_##NBK##_2, tile_##NBK##_3, tile_##NBK##_4, tile_##NBK##_5,  \
            tile_##NBK##_6, tile_##NBK##_7, tile_##NBK##_8, tile_##NBK##_9, tile_##NBK##_10,   \
            tile_##NBK##_11, tile_##NBK##_12, tile_##NBK##_13, tile_##NBK##_14,                \
            tile_##NBK##_15, tile_##NBK##_16                                                   \
    }
/* tiles[nb - 1][T] */
static const TileFn tiles[NB][17] = {
    TILE_ROW(1),
#if VGGRT_DCONV_NB == 2
    TILE_ROW(2),
#endif
};

/* The tile of a blocked layer with SLIDE (J->slide: 3 tap columns, dilation
 * and stride 1 in width, every tile TILE_DIRECT), SNB blocks of a group at
 * a time (with one, each block in turn: its input pixels are in L1 for the
 * second): NBK blocks, T pixels, input channel blocks [cb0, cb1), loops
 * cb -> i -> cl -> input pixel u: the T + 2 input pixels of a tap row are
 * broadcast once each and feed the results u, u - 1, u - 2 of every block
 * with the weights of tap columns 0, 1, 2 (in registers for the whole
 * row): 3*NBK + T + 2 loads per 3*NBK*T FMAs, against 2 + T per 2T for
 * the 2-block tile.  The sums go in the order (cb, i, cl, j) in every tile
 * of such a layer.  Input pixel 0 (T + 1) is skipped when it falls into
 * the left (right) padding.
 * With AVX-512 (SNB 2: 2 x 12 accumulators, 6 weight rows and the
 * broadcast in the 32 registers) a 10x10 row takes 6 + 12 loads per 60
 * FMAs, against 2 + 10 per 20 for the 2 x 10 tile.  The loads were what
 * held that tile back on the Intel Xeon VM of 2026-12-03 (AVX-512 and
 * AMX, 2 vCPUs): there a loop of one broadcast from L1 per 2 FMAs ran at
 * 79-87% of the register-only FMA probe in its busy spells (94-97% in
 * quiet ones), 4 weight rows x 6 pixels at 80-88%.  vgg16_head's 10x10 layers
 * (JIT profiles, 1 thread, the two builds alternating, 4 rounds): 4.17-
 * 4.37 ms, 83-89% of the probe, against 4.98-5.39 ms, 69-74%; vgg16's
 * 14x14 ones (in tiles of 7; 3 rounds) 6.97-8.74 ms, 85-99%, against
 * 9.44-10.24 ms, 73-76%; AlexNet's 13x13 ones (3 rounds) 79-92% against
 * 72-78%; dconv_bench 512 channels at 10x10 and 14x14, 98-102% against
 * 86-93%.  AVX2 (SNB 1), Zen 3, dconv_bench, 1
 * thread, 3 interleaved rounds, medians of % of the FMA peak against the
 * 2 x 6 tile: 512 channels 10x10 90 -> 108, 20x20 87 -> 112 (the count
 * is of direct-convolution FLOPs, 9 taps per result, but both tiles skip
 * the taps in the padding: 13% of a 10x10 layer's, 7% at 20x20); 64 to
 * 256 channels +5 to +15 points; 14x14, in tiles of 7, no clear change
 * (86 -> 100 and 83 -> 89 in two runs, 86 -> 84 in one of 2 threads).
 * vgg16_head's 10x10 layers (JIT, 4 interleaved profiles) 5.25-5.33 ms
 * against 6.89-7.13 ms. */
/* The sliding step, shared with the plain tile's (PLAIN_SLIDE_ROW).
 * SLIDE_WEIGHTS declares w0, w1, w2 and loads into w<j>[b] the weight row
 * of tap column j of block b, at wp + b*wblock + j*16.  SLIDE_FMAS feeds
 * the broadcast xv of input pixel u into results u, u - 1 and u - 2 (tap
 * columns 0, 1, 2) of every block, those in [0, T). */
#define SLIDE_WEIGHTS(NBK, wp)                                                                 \
    WN_DECL(w0, NBK);                                                                          \
    WN_DECL(w1, NBK);                                                                          \
    WN_DECL(w2, NBK);                                                                          \
    UNROLL for (int b = 0; b < (NBK); b++) {                                                   \
        WN_LOAD(w0, b, (wp) + b * wblock);                                                     \
        WN_LOAD(w1, b, (wp) + b * wblock + B);                                                 \
        WN_LOAD(w2, b, (wp) + b * wblock + 2 * B);                                             \
    }
#define SLIDE_FMAS(NBK, T, u, xv)                                                              \
    UNROLL for (int b = 0; b < (NBK); b++) {                                                   \
        if ((u) < (T))                                                                         \
            ACC_FMA(b, (u), (xv), w0[b]);                                                      \
        if ((u) >= 1 && (u) <= (T))                                                            \
            ACC_FMA(b, (u) - 1, (xv), w1[b]);                                                  \
        if ((u) >= 2)                                                                          \
            ACC_FMA(b, (u) - 2, (xv), w2[b]);                                                  \
    }
#define SLIDE_STEP(NBK, T, U0, U1, xp, wp, cl)                                                 \
    {                                                                                          \
        SLIDE_WEIGHTS(NBK, (wp) + (cl) * wcs)                                                  \
        UNROLL for (int u = (U0); u < (U1); u++) {                                             \
            const float xv = (xp)[(cl) + (u - (U0)) * B];                                      \
            SLIDE_FMAS(NBK, T, u, xv)                                                          \
        }                                                                                      \
    }
#define SLIDE_LOOP(NBK, T, U0, U1, xp, wp) CHANNEL_LOOP(SLIDE_STEP(NBK, T, U0, U1, xp, wp, cl))
#define SLIDE_TILE(NBK, T)                                                                     \
    static void stile_##NBK##_##T(const Tile *tl) {                                            \
        const Job *J = tl->J;                                                                  \
        const int64_t c = J->c, wcs = J->taps * B, dhys = J->dh * J->ys;                       \
        const int64_t wblock = J->wblock;                                                      \
        const int lo = tl->col0 < 0, hi = tl->col0 + (T) + 2 > J->w;                           \
        ACC_DECL(NBK, T);                                                                      \
        if (tl->cb0 > 0)                                                                       \
            UNROLL for (int b = 0; b < (NBK); b++)                                             \
                UNROLL for (int t = 0; t < (T); t++)                                           \
                    ACC_LOAD(b, t, tl->out + b * tl->bstride + t * B);                         \
        for (int64_t cb = tl->cb0; cb < tl->cb1; cb++) {                                       \
            const int64_t nl = min64(B, c - cb * B);                                           \
            const float *wc = tl->w + cb * B * wcs;                                            \
            const float *xc = tl->xn + cb * J->cbs + tl->row * J->ys + (tl->col0 + lo) * B;    \
            for (int64_t i = tl->i0; i < tl->i1; i++) {                                        \
                const float *xp = xc + i * dhys, *wp = wc + i * 3 * B;                         \
                if (!lo && !hi) {                                                              \
                    SLIDE_LOOP(NBK, T, 0, (T) + 2, xp, wp)                                     \
                } else if (!lo) {                                                              \
                    SLIDE_LOOP(NBK, T, 0, (T) + 1, xp, wp)                                     \
                } else if (!hi) {                                                              \
                    SLIDE_LOOP(NBK, T, 1, (T) + 2, xp, wp)                                     \
                } else {                                                                       \
                    SLIDE_LOOP(NBK, T, 1, (T) + 1, xp, wp)                                     \
                }                                                                              \
            }                                                                                  \
        }                                                                                      \
        UNROLL for (int b = 0; b < (NBK); b++)                                                 \
            UNROLL for (int t = 0; t < (T); t++)                                               \
                ACC_PUT(b, t, tl->out + b * tl->bstride + t * B);                              \
    }
#if SLIDE
enum { STMAX = 12 };
#define SLIDE_TILES(NBK)                                                                       \
    SLIDE_TILE(NBK, 1) SLIDE_TILE(NBK, 2) SLIDE_TILE(NBK, 3) SLIDE_TILE(NBK, 4)                \
    SLIDE_TILE(NBK, 5) SLIDE_TILE(NBK, 6) SLIDE_TILE(NBK, 7) SLIDE_TILE(NBK, 8)                \
    SLIDE_TILE(NBK, 9) SLIDE_TILE(NBK, 10) SLIDE_TILE(NBK, 11) SLIDE_TILE(NBK, 12)
#define SLIDE_ROW(NBK)                                                                         \
    {                                                                                          \
        NULL, stile_##NBK##_1, stile_##NBK##_2, stile_##NBK##_3, stile_##NBK##_4,              \
            stile_##NBK##_5, stile_##NBK##_6, stile_##NBK##_7, stile_##NBK##_8,                \
            stile_##NBK##_9, stile_##NBK##_10, stile_##NBK##_11, stile_##NBK##_12              \
    }
SLIDE_TILES(1)
#if SNB == 2
SLIDE_TILES(2)
#endif
/* stiles[nb - 1][T], nb <= SNB */
static const TileFn stiles[SNB][STMAX + 1] = {
    SLIDE_ROW(1),
#if SNB == 2
    SLIDE_ROW(2),
#endif
};
#endif

/* The tile of a plain input (NCHW or NHWC, at most 16 channels: a
 * network's first layer), T pixels, NBK blocks, all input channels at
 * once, from the planar rows of plain_rows:
 *     out[b][t][l] = bias[b][l] + sum over i in [i0, i1), cl < c, j < kw of
 *                    x[i*rs + cl*chs + joff[j] + t] * w[b][cl][i][j][l]
 * (joff[j] = j*dw at stride 1; plain_layout; planar rows: rs = c*pw,
 * chs = pw; NCHW in place: rs = dh*w, chs = h*w).
 * Input pixels of one channel are adjacent there, so the T broadcasts of a
 * tap are base + immediate, as in the blocked tile.  With 3 channels a
 * result has only 27 multiply-adds, so the epilogue of ReLU or no
 * activation runs on the registers: the sums start at the bias, and the
 * results are stored once (other activations: the sums from 0, stored,
 * then epilogue() in memory, as for the other tiles). */
#ifdef DCONV_VECTORS
/* Result (b, t) of a fused tile (pt->fused), activated and stored:
 * relu, stream, out and bstride as in PLAIN_TILE. */
#define PLAIN_PUT1(b, t)                                                                       \
    {                                                                                          \
        VecI16 r_ = (VecI16)acc[b][t];                                                         \
        if (relu)                                                                              \
            relu_bits(&acc[b][t], &r_);                                                        \
        if (stream)                                                                            \
            stream_put(out + (b) * bstride + (t) * B, &r_);                                    \
        else                                                                                   \
            memcpy(out + (b) * bstride + (t) * B, &r_, sizeof r_);                             \
    }
#define PLAIN_PUT_FUSED(NBK, T)                                                                \
    if (fused) {                                                                               \
        UNROLL for (int b = 0; b < (NBK); b++)                                                 \
            UNROLL for (int t = 0; t < (T); t++)                                               \
                PLAIN_PUT1(b, t)                                                               \
        return;                                                                                \
    }
/* Whether the unrolled sliding tile stores each result as soon as it is
 * final, in its last tap row (PLAIN_SLIDE_ROW's `put`), rather than all
 * NBK x T after the sums: yes with AVX-512, whose 2 x 12 tile otherwise
 * ends in a burst of 24 stores of 64 bytes (Zen 4 VM, the chained layer
 * alone: 0.83 -> 0.79 ms at 160x160; in vgg16_head's profiles 81-83% ->
 * 87-90% of the FMA peak).  Same sums, same results.  Not with AVX2,
 * whose 1 x 12 tile stores 12 vectors of 32 bytes: no gain measured.
 * (gcc tests the tile's flags before each early store and reloads the
 * input pointer after it; straight-line copies measured the same.)
 * Details: first-layer.md, "Early stores". */
#if defined(__AVX512F__) && VGGRT_KB == 16
#define PLAIN_EARLY 1
#else
#define PLAIN_EARLY 0
#endif
#else
#define PLAIN_PUT1(b, t)
#define PLAIN_PUT_FUSED(NBK, T)
#define PLAIN_EARLY 0
#endif
/* One tap column: input pixels at xp[t], the weights of block b at
 * wp + b*wblock. */
#define PLAIN_TAP(NBK, T, xp, wp)                                                              \
    {                                                                                          \
        WN_DECL(wv, NBK);                                                                      \
        UNROLL for (int b = 0; b < (NBK); b++)                                                 \
            WN_LOAD(wv, b, (wp) + b * wblock);                                                 \
        UNROLL for (int t = 0; t < (T); t++) {                                                 \
            const float xv = (xp)[t];                                                          \
            UNROLL for (int b = 0; b < (NBK); b++)                                             \
                ACC_FMA(b, t, xv, wv[b]);                                                      \
        }                                                                                      \
    }
/* One tap row of one channel for kw = 3, dw = 1 (PSLIDE): input
 * pixels at xp[u], the weights of tap column j of block b at
 * wp + b*wblock + j*16.  Input pixel u is broadcast once and feeds the
 * results t = u, u - 1, u - 2 (tap columns 0, 1, 2), so result t still
 * adds its tap columns in the order 0, 1, 2.  With `put` (the last tap
 * row of a fused tile, PLAIN_SUMS) result t is final after pixel t + 2
 * and goes out then (PLAIN_PUT1), not with the others after the row. */
#define PLAIN_SLIDE_ROW(NBK, T, xp, wp, put)                                                   \
    {                                                                                          \
        SLIDE_WEIGHTS(NBK, wp)                                                                 \
        UNROLL for (int u = 0; u < (T) + 2; u++) {                                             \
            const float xv = (xp)[u];                                                          \
            SLIDE_FMAS(NBK, T, u, xv)                                                          \
            if ((put) && u >= 2)                                                               \
                UNROLL for (int b = 0; b < (NBK); b++)                                         \
                    PLAIN_PUT1(b, u - 2)                                                       \
        }                                                                                      \
    }
/* The sums of a plain tile P into acc (declared here): from P->init, over
 * tap rows [P->i0, P->i1), channels, tap columns.  For the VGG first
 * layer's shape (3 channels, 3x3, dilation 1) with all three tap rows
 * inside the input, in the widest tiles of a full group (PLAIN_UNROLLED),
 * the 27 steps are unrolled: every load is then base + immediate (or a
 * planar row pointer + immediate) and the tile is one run of 27 * NBK * T
 * FMAs without loop control.  With the loops (trip counts of 3) the
 * 4 x 6 tile that AVX-512 had before PSLIDE reached 68-73% of the FMA
 * peak in dconv_bench's first layer at 160x160 and 224x224, unrolled
 * 75-84% (interleaved runs; without its stores, a throwaway test,
 * 83-89% -> 97%).  Same sums, same order.
 * With blocks of 8 and 16 registers, the 2 x 6 tile that AVX2 had before
 * SLIDE lost to the unrolling (gcc 12 kept the broadcasts of one tap
 * for the next and folded the weights into the FMAs as memory operands,
 * one load per FMA); the 1 x 12 sliding tile gains from it (a throwaway
 * copy of the tile on data in L1, Zen 3, gcc 12 -O3: 77-80% of the FMA
 * peak with loops over tap rows and channels, 88-97% unrolled).
 * With `early` (PLAIN_EARLY, a fused tile) the unrolled sliding sums store
 * each result in their last tap row, as soon as it is final, and return
 * from the tile. */
#define PLAIN_UNROLLED(NBK, T) ((B == 16 || PSLIDE) && (NBK) == PRB && (T) >= PTMAX - 2)
#define PLAIN_SUMS(NBK, T, P, early)                                                           \
    ACC_INIT(NBK, T, (P)->init);                                                               \
    if (PSLIDE && kw == 3 && dw == 1 && sw == 1) {                                              \
        if (PLAIN_UNROLLED(NBK, T) && c == 3 && kh == 3 && (P)->i0 == 0 && (P)->i1 == 3) {     \
            UNROLL for (int i = 0; i < 3; i++)                                                 \
                UNROLL for (int cl = 0; cl < 3; cl++)                                          \
                    PLAIN_SLIDE_ROW(NBK, T, (P)->x + i * rs + cl * chs,                        \
                                    pt->w + (cl * 9 + i * 3) * B,                              \
                                    (early) && i == 2 && cl == 2)                              \
            if (early)                                                                         \
                return;                                                                        \
        } else {                                                                               \
            for (int64_t i = (P)->i0; i < (P)->i1; i++)                                        \
                for (int64_t cl = 0; cl < c; cl++)                                             \
                    PLAIN_SLIDE_ROW(NBK, T, (P)->x + i * rs + cl * chs,                        \
                                    pt->w + (cl * taps + i * 3) * B, 0)                        \
        }                                                                                      \
    } else if (PLAIN_UNROLLED(NBK, T) && c == 3 && kh == 3 && kw == 3 && dw == 1 && sw == 1 && \
               (P)->i0 == 0 && (P)->i1 == 3) {                                                 \
        UNROLL for (int i = 0; i < 3; i++)                                                     \
            UNROLL for (int cl = 0; cl < 3; cl++)                                              \
                UNROLL for (int j = 0; j < 3; j++)                                             \
                    PLAIN_TAP(NBK, T, (P)->x + i * rs + cl * chs + j,                          \
                              pt->w + (cl * 9 + i * 3 + j) * B)                                \
    } else {                                                                                   \
        for (int64_t i = (P)->i0; i < (P)->i1; i++)                                            \
            for (int64_t cl = 0; cl < c; cl++) {                                               \
                const float *xr = (P)->x + i * rs + cl * chs;                                  \
                const float *wr = pt->w + (cl * taps + i * kw) * B;                            \
                for (int64_t j = 0; j < kw; j++)                                               \
                    PLAIN_TAP(NBK, T, xr + (P)->joff[j], wr + j * B)                           \
            }                                                                                  \
    }
#define PLAIN_TILE(NBK, T)                                                                     \
    static void ptile_##NBK##_##T(const PlainTile *pt) {                                       \
        const Job *J = pt->J;                                                                  \
        const int64_t c = J->c, kh = J->kh, kw = J->kw, dw = J->dw, sw = J->sw;               \
        const int64_t taps = J->taps;                                                          \
        const int64_t rs = pt->rs, chs = pt->chs, wblock = J->wblock, bstride = pt->bstride;   \
        float *out = pt->out;                                                                  \
        /* (Read once: a store through float * could change *pt.) */                          \
        const int fused = pt->fused, relu = pt->relu, stream = pt->stream;                     \
        (void)relu, (void)stream;                                                              \
        if (J->ring) /* its lines are in L2 or L3, not L1: ask for them now */                \
            UNROLL for (int b = 0; b < (NBK); b++)                                             \
                UNROLL for (int t = 0; t < (T); t += 16 / B)                                   \
                    __builtin_prefetch(out + b * bstride + t * B, 1);                          \
        PLAIN_SUMS(NBK, T, pt, PLAIN_EARLY && fused)                                           \
        PLAIN_PUT_FUSED(NBK, T)                                                                \
        UNROLL for (int b = 0; b < (NBK); b++)                                                 \
            UNROLL for (int t = 0; t < (T); t++)                                               \
                ACC_PUT(b, t, out + b * bstride + t * B);                                      \
    }

/* T up to 8, or 16 where PTMAX needs it (the others would only spill). */
#if VGGRT_DCONV_PTILE > 8
#define PLAIN_TILES_HI(NBK)                                                                    \
    PLAIN_TILE(NBK, 9) PLAIN_TILE(NBK, 10) PLAIN_TILE(NBK, 11) PLAIN_TILE(NBK, 12)             \
    PLAIN_TILE(NBK, 13) PLAIN_TILE(NBK, 14) PLAIN_TILE(NBK, 15) PLAIN_TILE(NBK, 16)
#define PLAIN_ROW_HI(NBK)                                                                      \
    , ptile_##NBK##_9, ptile_##NBK##_10, ptile_##NBK##_11, ptile_##NBK##_12, ptile_##NBK##_13, \
        ptile_##NBK##_14, ptile_##NBK##_15, ptile_##NBK##_16
#else
#define PLAIN_TILES_HI(NBK)
#define PLAIN_ROW_HI(NBK)
#endif
#define PLAIN_TILES(NBK)                                                                       \
    PLAIN_TILE(NBK, 1) PLAIN_TILE(NBK, 2) PLAIN_TILE(NBK, 3) PLAIN_TILE(NBK, 4)                \
    PLAIN_TILE(NBK, 5) PLAIN_TILE(NBK, 6) PLAIN_TILE(NBK, 7) PLAIN_TILE(NBK, 8)                \
    PLAIN_TILES_HI(NBK)
PLAIN_TILES(1)
#if VGGRT_DCONV_PRB >= 2
PLAIN_TILES(2)
#endif
#if VGGRT_DCONV_PRB >= 4
PLAIN_TILES(3)
PLAIN_TILES(4)
#endif

typedef void (*PlainTileFn)(const PlainTile *);
#define PLAIN_TILE_ROW(NBK)                                                                    \
    {                                                                                          \
        NULL, ptile_##NBK##_1, ptile_##NBK##_2, ptile_##NBK##_3, ptile_##NBK##_4,              \
            ptile_##NBK##_5, ptile_##NBK##_6, ptile_##NBK##_7,                                 \
            ptile_##NBK##_8 PLAIN_ROW_HI(NBK)                                                  \
    }
/* ptiles[nb - 1][T], nb <= PRB */
static const PlainTileFn ptiles[PRB][17] = {
    PLAIN_TILE_ROW(1),
#if VGGRT_DCONV_PRB >= 2
    PLAIN_TILE_ROW(2),
#endif
#if VGGRT_DCONV_PRB >= 4
    PLAIN_TILE_ROW(3),
    PLAIN_TILE_ROW(4),
#endif
};

/* With PSLIDE, the shapes that cannot slide (a kernel other than 3 wide, a
 * dilation, a stride: AlexNet's 11x11/4, ResNet's 7x7/2) take 2 blocks x 6
 * pixels instead with AVX2, 4 x 6 with AVX-512 (plain_tiles): in the
 * sliding tile each of their input broadcasts would feed one FMA per
 * block, and Zen 3 broadcasts one float a cycle, half its FMA rate; here
 * each feeds two (four).  (Zen 3, 1 thread, vggc bench
 * --profile, one run each: 11x11/4 of 224x224 to 64 channels, with and
 * without a 3x3/2 pool, 34% and 48% of the FMA peak with the 1 x 12 tile,
 * 51% and 72% with 2 x 6; 7x7/2, 31% and 48%.  The gather tile, before
 * either: 16-25%.) */
#if PSLIDE
#define PLAIN_TILES_WIDE(NBK)                                                                  \
    PLAIN_TILE(NBK, 1) PLAIN_TILE(NBK, 2) PLAIN_TILE(NBK, 3) PLAIN_TILE(NBK, 4)                \
    PLAIN_TILE(NBK, 5) PLAIN_TILE(NBK, 6)
#define PLAIN_TILE_ROW_WIDE(NBK)                                                               \
    {                                                                                          \
        NULL, ptile_##NBK##_1, ptile_##NBK##_2, ptile_##NBK##_3, ptile_##NBK##_4,              \
            ptile_##NBK##_5, ptile_##NBK##_6                                                   \
    }
#if VGGRT_DCONV_PRB == 1
enum { PRB_WIDE = 2, PTMAX_WIDE = 6 };
PLAIN_TILES_WIDE(2)
static const PlainTileFn ptiles_wide[PRB_WIDE][PTMAX_WIDE + 1] = {
    PLAIN_TILE_ROW_WIDE(1),
    PLAIN_TILE_ROW_WIDE(2),
};
#else
enum { PRB_WIDE = 4, PTMAX_WIDE = 6 };
PLAIN_TILES_WIDE(3)
PLAIN_TILES_WIDE(4)
static const PlainTileFn ptiles_wide[PRB_WIDE][PTMAX_WIDE + 1] = {
    PLAIN_TILE_ROW_WIDE(1),
    PLAIN_TILE_ROW_WIDE(2),
    PLAIN_TILE_ROW_WIDE(3),
    PLAIN_TILE_ROW_WIDE(4),
};
#endif
#endif

/* The tiles of this plain layer: blocks per tile (*prb), widest (*ptmax),
 * and the table, tile (nb, T) at [(nb - 1) * *row + T]. */
static const PlainTileFn *plain_tiles(const Job *J, int *prb, int *ptmax, int *row) {
#if PSLIDE
    if (!(J->kw == 3 && J->dw == 1 && J->sw == 1)) {
        *prb = PRB_WIDE, *ptmax = PTMAX_WIDE, *row = PTMAX_WIDE + 1;
        return &ptiles_wide[0][0];
    }
#else
    (void)J;
#endif
    *prb = PRB, *ptmax = PTMAX, *row = 17;
    return &ptiles[0][0];
}

/* The first layer's fused 2x2 stride-2 max pool (J->pool2: a plain input,
 * ReLU or no activation, k a multiple of 16): the tile computes the T = 2U
 * conv pixels of two conv rows (2py, 2py+1) in turn, from their planar rows
 * (pt, p1), and writes the U pooled pixels of each block straight to y.
 * Between the rows the first row's column maxima wait in hm (NBK*U
 * vectors, in L1: the accumulators of the second row need the registers).
 * Through the ring and window_max the pooled layer ran at 58-68% of the
 * FMA peak at 160x160 and 224x224 (dconv_bench; per conv row a separate
 * pass of loads and compare-and-selects over its results, 9 conv pixels
 * per tile call in 3 segments of a row), in the tile at ~82%.  The max is taken in the order of
 * window_max, (0,0) (0,1) (1,0) (1,1) from -FLT_MAX with v > m ? v : m
 * (NaN skipped), so results are those of the ring, bit for bit. */
#ifdef DCONV_VECTORS
/* *m = *v > *m ? *v : *m, lane by lane: one vmaxps where the target has
 * it (it returns its second operand unless the first is greater).
 * (Pointers, as relu_bits.) */
static inline void vmax_into(const Vec16 *v, Vec16 *m) {
#if defined(__AVX512F__) && VGGRT_KB == 16
    *m = (Vec16)_mm512_max_ps((__m512)*v, (__m512)*m);
#elif defined(__AVX__) && VGGRT_KB == 8
    *m = (Vec16)_mm256_max_ps((__m256)*v, (__m256)*m);
#else
    const VecI16 gt = *v > *m;
    *m = (Vec16)(((VecI16)*v & gt) | ((VecI16)*m & ~gt));
#endif
}
/* The activated result of acc[b][t] (ReLU or none). */
#define PLAIN_ACT(b, t, v)                                                                     \
    Vec16 v = acc[b][t];                                                                       \
    if (relu) {                                                                                \
        VecI16 r_;                                                                             \
        relu_bits(&acc[b][t], &r_);                                                            \
        v = (Vec16)r_;                                                                         \
    }
/* One conv row of a pool tile: its T = 2U sums, activated, the maxima of
 * column pairs; for the first row (hm_in NULL) from -FLT_MAX into hm, for
 * the second from hm into y.  (A function per row: with both rows in one,
 * gcc 12 kept accumulators on the stack, 160 of the 1344 FMAs reading
 * and writing memory: 77-79% of the FMA peak at 160x160 and 224x224,
 * against 82% with the rows apart.) */
#define PLAIN_POOL_ROWFN(NBK, U)                                                               \
    __attribute__((noinline)) static void pprow_##NBK##_##U(const PlainTile *pt,               \
                                                            const float *hm_in, float *hm) {   \
        const Job *J = pt->J;                                                                  \
        const int64_t c = J->c, kh = J->kh, kw = J->kw, dw = J->dw, sw = J->sw;               \
        const int64_t taps = J->taps;                                                          \
        const int64_t rs = pt->rs, chs = pt->chs, wblock = J->wblock, bstride = pt->bstride;   \
        const int relu = pt->relu, stream = pt->stream;                                        \
        float *out = pt->out;                                                                  \
        PLAIN_SUMS(NBK, 2 * (U), pt, 0)                                                        \
        UNROLL for (int b = 0; b < (NBK); b++)                                                 \
            UNROLL for (int u = 0; u < (U); u++) {                                             \
                PLAIN_ACT(b, 2 * u, v0)                                                        \
                PLAIN_ACT(b, 2 * u + 1, v1)                                                    \
                Vec16 m;                                                                       \
                if (hm_in) {                                                                   \
                    memcpy(&m, hm_in + (b * (U) + u) * B, sizeof m);                           \
                } else {                                                                       \
                    for (int l = 0; l < B; l++)                                                \
                        m[l] = -FLT_MAX;                                                       \
                }                                                                              \
                vmax_into(&v0, &m);                                                            \
                vmax_into(&v1, &m);                                                            \
                const VecI16 r = (VecI16)m;                                                    \
                if (!hm_in)                                                                    \
                    memcpy(hm + (b * (U) + u) * B, &r, sizeof r);                              \
                else if (stream)                                                               \
                    stream_put(out + b * bstride + u * B, &r);                                 \
                else                                                                           \
                    memcpy(out + b * bstride + u * B, &r, sizeof r);                           \
            }                                                                                  \
    }                                                                                          \
    static void pptile_##NBK##_##U(const PlainTile *pt, const PlainTile *p1) {                 \
        float hm[(NBK) * (U) * B] __attribute__((aligned(64)));                                \
        pprow_##NBK##_##U(pt, NULL, hm);                                                       \
        pprow_##NBK##_##U(p1, hm, NULL);                                                       \
    }
#define PLAIN_POOL_TILE(NBK, U) PLAIN_POOL_ROWFN(NBK, U)
/* U pooled columns, 2U conv columns: up to PTMAX (and 12) conv columns. */
#if VGGRT_DCONV_PTILE >= 10
#define PLAIN_POOL_TILES_HI(NBK) PLAIN_POOL_TILE(NBK, 5) PLAIN_POOL_TILE(NBK, 6)
#define PLAIN_POOL_ROW_HI(NBK) , pptile_##NBK##_5, pptile_##NBK##_6
#else
#define PLAIN_POOL_TILES_HI(NBK)
#define PLAIN_POOL_ROW_HI(NBK)
#endif
#define PLAIN_POOL_TILES(NBK)                                                                  \
    PLAIN_POOL_TILE(NBK, 1) PLAIN_POOL_TILE(NBK, 2) PLAIN_POOL_TILE(NBK, 3)                    \
    PLAIN_POOL_TILE(NBK, 4) PLAIN_POOL_TILES_HI(NBK)
enum { PPMAX = (PTMAX < 12 ? PTMAX : 12) / 2 };
PLAIN_POOL_TILES(1)
#if VGGRT_DCONV_PRB >= 2
PLAIN_POOL_TILES(2)
#endif
#if VGGRT_DCONV_PRB >= 4
PLAIN_POOL_TILES(3)
PLAIN_POOL_TILES(4)
#endif
typedef void (*PlainPoolTileFn)(const PlainTile *, const PlainTile *);
#define PLAIN_POOL_ROW(NBK)                                                                    \
    {                                                                                          \
        NULL, pptile_##NBK##_1, pptile_##NBK##_2, pptile_##NBK##_3,                            \
            pptile_##NBK##_4 PLAIN_POOL_ROW_HI(NBK)                                            \
    }
/* pptiles[nb - 1][U], nb <= PRB */
static const PlainPoolTileFn pptiles[PRB][PPMAX > 4 ? 7 : 5] = {
    PLAIN_POOL_ROW(1),
#if VGGRT_DCONV_PRB >= 2
    PLAIN_POOL_ROW(2),
#endif
#if VGGRT_DCONV_PRB >= 4
    PLAIN_POOL_ROW(3),
    PLAIN_POOL_ROW(4),
#endif
};
#else
enum { PPMAX = 0 };
#endif

/* The planar rows of ncols conv columns (plain_rows): the input columns
 * they read, (ncols-1)*sw + (kw-1)*dw + 1; with pt, their stride pt->pw
 * and where tap column j of a tile's pixel 0 is (pt->joff).  At stride 1
 * a planar row is the input row; at stride sw > 1 it is sw phase rows of
 * pw/sw floats, phase q holding input columns q, q + sw, q + 2*sw, ..., so
 * that tap column j of pixel t, column t*sw + j*dw, is element t of phase
 * (j*dw) % sw counted from (j*dw) / sw: a tap's T pixels are adjacent and
 * read base + immediate, as at stride 1. */
static int64_t plain_span(const vggrt_conv_params *q, int64_t ncols) {
    return (ncols - 1) * q->sw + (q->kw - 1) * q->dw + 1;
}
static int64_t plain_pitch(const vggrt_conv_params *q, int64_t ncols) {
    return q->sw * ceil_div(ceil_div(plain_span(q, ncols), q->sw), B) * B;
}
static void plain_layout(const Job *J, int64_t ncols, PlainTile *pt) {
    const vggrt_conv_params q = {.kw = J->kw, .sw = J->sw, .dw = J->dw};
    pt->pw = plain_pitch(&q, ncols);
    pt->rs = J->c * pt->pw, pt->chs = pt->pw;
    for (int64_t j = 0; j < J->kw; j++)
        pt->joff[j] = (j * J->dw) % J->sw * (pt->pw / J->sw) + (j * J->dw) / J->sw;
}

/* The input rows of conv row `row` of a plain (NCHW or NHWC) input, as
 * planar rows: buf[(i*c + l)*pw + e] = x(l, row + i*dh, col + e) for tap
 * rows i in [i0, i1), channels l < c, e in [0, width), 0 outside the
 * input; at a stride sw > 1 element e goes to phase e % sw instead,
 * buf[(i*c + l)*pw + (e % sw)*(pw/sw) + e / sw] (plain_layout).  Tap rows
 * outside [i0, i1) are not written (and never read).  From NCHW at stride
 * 1 each is one copy. */
static void plain_rows(const Job *J, const float *xn, int64_t row, int64_t i0, int64_t i1,
                       int64_t col, int64_t width, int64_t pw, float *buf) {
    const int64_t lo = col < 0 ? -col : 0;                      /* first e inside the input */
    int64_t hi = col + width > J->w ? J->w - col : width;       /* past the last */
    if (hi < lo)
        hi = lo;
    if (J->sw > 1) {
        /* Element by element, the padding apart from the inside so that
         * the copy has no test per element. */
        const int64_t sw = J->sw, pws = pw / sw, xs = J->xs;
        for (int64_t i = i0; i < i1; i++)
            for (int64_t l = 0; l < J->c; l++) {
                const float *xr = xn + (row + i * J->dh) * J->ys + l * J->cls;
                float *d = buf + (i * J->c + l) * pw;
                for (int64_t ph = 0; ph < sw; ph++) {
                    float *restrict dp = d + ph * pws;
                    /* elements m of phase ph: e = ph + m*sw; inside for m in [m0, m1) */
                    const int64_t n = ceil_div(width - ph, sw);
                    int64_t m0 = lo > ph ? ceil_div(lo - ph, sw) : 0;
                    int64_t m1 = hi > ph ? ceil_div(hi - ph, sw) : 0;
                    m0 = m0 < n ? m0 : n, m1 = m1 < m0 ? m0 : m1 < n ? m1 : n;
                    const int64_t at = (col + ph) * xs, step = sw * xs;
                    for (int64_t m = 0; m < m0; m++)
                        dp[m] = 0.0f;
                    for (int64_t m = m0; m < m1; m++)
                        dp[m] = xr[at + m * step];
                    for (int64_t m = m1; m < n; m++)
                        dp[m] = 0.0f;
                }
            }
        return;
    }
    for (int64_t i = i0; i < i1; i++) {
        const float *xr = xn + (row + i * J->dh) * J->ys;
        if (J->cls == 1 && J->c == 3) {
            /* NHWC, 3 channels (RGB): the three planar rows in one pass of
             * constant stride, which the compiler vectorizes with shuffles
             * (channel by channel with the runtime stride, the copy cost
             * NHWC 10-15% of the layer against NCHW's memcpy). */
            float *restrict d0 = buf + i * 3 * pw, *restrict d1 = d0 + pw, *restrict d2 = d1 + pw;
            const float *restrict s = xr + col * 3;
            for (int64_t e = 0; e < lo; e++)
                d0[e] = d1[e] = d2[e] = 0.0f;
            for (int64_t e = hi; e < width; e++)
                d0[e] = d1[e] = d2[e] = 0.0f;
            for (int64_t e = lo; e < hi; e++) {
                d0[e] = s[3 * e];
                d1[e] = s[3 * e + 1];
                d2[e] = s[3 * e + 2];
            }
            continue;
        }
        for (int64_t l = 0; l < J->c; l++) {
            float *d = buf + (i * J->c + l) * pw;
            for (int64_t e = 0; e < lo; e++)
                d[e] = 0.0f;
            for (int64_t e = hi; e < width; e++)
                d[e] = 0.0f;
            if (J->cls == 1) { /* NHWC: a pixel's channels adjacent */
                for (int64_t e = lo; e < hi; e++)
                    d[e] = xr[(col + e) * J->xs + l];
            } else {           /* NCHW: a channel's row adjacent */
                memcpy(d + lo, xr + l * J->cls + col + lo, (size_t)(hi - lo) * sizeof *d);
            }
        }
    }
}

/* Width of tile tt of conv_rows_plain's row of `width` columns in
 * `ntiles` tiles: q pixels, LINE_PIX more for the first r, and the last
 * takes the remainder of an odd width. */
static int plain_tile_width(int64_t tt, int64_t ntiles, int64_t width, int64_t q, int64_t r) {
    return (int)(q + (tt < r) * LINE_PIX + (tt == ntiles - 1) * (width % LINE_PIX));
}

/* conv_rows for a plain input of at most 16 channels (J->plain; a
 * network's first layer, 3 channels): per conv row, its kh input rows are
 * copied once into planar rows with zeros in the padding (plain_rows), and
 * every tile of the row reads them with PlainTile.  Gathering per tile
 * instead cost 4-5x the multiply-adds of such a layer: per tap row and
 * pixel a bounds test and c strided loads, for only c*kw*NB*16 FMAs.
 * From NCHW at stride 1, in the rows whose tap rows are all inside the
 * input, a tile whose columns are too reads the input in place (a
 * channel's row is a planar row already), and only the columns of the
 * others, at the borders, are copied.
 * Conv row oy goes to out + (oy - oy0) * rstride, or with ring_rows > 0 to
 * out + (oy % ring_rows) * rstride (vggrt_dconv_ring_rows). */
static void conv_rows_plain(const Job *J, const float *xn, int64_t bk, int nb, int64_t oy0,
                            int64_t oy1, int64_t cs, int64_t ce, float *out, int64_t rstride,
                            int64_t bstride, int64_t ring_rows) {
    /* Tiles of nearly equal widths, in whole lines (LINE_PIX pixels) but
     * for the remainder of an odd width, which the last tile takes. */
    int prb, ptmax, prow;
    const PlainTileFn *ptab = plain_tiles(J, &prb, &ptmax, &prow);
    const int64_t width = ce - cs, ntiles = ceil_div(width, ptmax);
    const int64_t lines = width / LINE_PIX, q = lines / ntiles * LINE_PIX, r = lines % ntiles;
    /* The planar rows: columns [bcol, bcol + bw) of the input. */
    const vggrt_conv_params cq = {.kw = J->kw, .sw = J->sw, .dw = J->dw};
    const int64_t bcol = cs * J->sw - J->pl, bw = plain_span(&cq, width);
    float buf[ROWBUF_FLOATS] __attribute__((aligned(64)));
    PlainTile pt;
    pt.J = J;
    plain_layout(J, width, &pt);
    pt.bstride = bstride;
    const float *bias = J->bias ? J->bias + bk * B : zero_bias;
    const float *w = J->packed + bk * J->wblock;
    /* In registers: ReLU or nothing, and no lanes past k to clear. */
#ifdef DCONV_VECTORS
    pt.fused = (J->act == VGGRT_ACT_RELU || J->act == VGGRT_ACT_NONE) && J->k >= (bk + nb) * B;
#else
    pt.fused = 0;
#endif
    pt.relu = J->act == VGGRT_ACT_RELU;
    const float *init = pt.fused ? bias : zero_bias;
    pt.stream = STREAM_FIRST && pt.fused && !J->pk && !J->ring &&
                (uintptr_t)out % (B * sizeof(float)) == 0;
    const int64_t brs = pt.rs, bchs = pt.chs; /* the planar rows' strides */
    /* In place (NCHW, stride 1): the tiles that read the planar rows take
     * columns [bcol, lo_end) and [hi_start, bcol + bw) of them. */
    const int64_t reach = (J->kw - 1) * J->dw; /* a tile of T reads T + reach columns */
    const int inplace = J->xs == 1 && J->sw == 1;
    int64_t lo_end = bcol, hi_start = bcol + bw;
    if (inplace)
        for (int64_t tt = 0, ox = cs; tt < ntiles; tt++) {
            const int T = plain_tile_width(tt, ntiles, width, q, r);
            const int64_t col0 = ox - J->pl, end = col0 + T + reach;
            if (col0 < 0)
                lo_end = max64(lo_end, end);
            if (end > J->w)
                hi_start = min64(hi_start, col0);
            ox += T;
        }
    for (int64_t oy = oy0; oy < oy1; oy++) {
        const int64_t row = oy * J->sh - J->pt;
        window_range(row, J->dh, J->kh, 0, J->h, &pt.i0, &pt.i1);
        const int rows_inside = inplace && pt.i0 == 0 && pt.i1 == J->kh;
        if (!rows_inside || lo_end >= hi_start) {
            plain_rows(J, xn, row, pt.i0, pt.i1, bcol, bw, pt.pw, buf);
        } else {
            if (lo_end > bcol)
                plain_rows(J, xn, row, 0, J->kh, bcol, lo_end - bcol, pt.pw, buf);
            if (hi_start < bcol + bw)
                plain_rows(J, xn, row, 0, J->kh, hi_start, bcol + bw - hi_start, pt.pw,
                           buf + (hi_start - bcol));
        }
        float *orow = out + (ring_rows ? oy % ring_rows : oy - oy0) * rstride;
        /* Block by block, each over the whole row: a block's results go
         * out as one run of whole lines (5 KB at 160 wide) instead of 384
         * bytes into each of 8 planes in turn (AVX2, PRB 1; with AVX-512
         * the group is one register tile and the order is the same).  The
         * planar rows (6 KB) stay in L1 across the blocks.  Zen 3, 1
         * thread, vgg16_head's first layer in 10 interleaved JIT profiles:
         * 71-75% of the FMA peak -> 74-85% (medians 72.5 -> 82.5); at 2
         * threads no change (0.74 against 0.75 ms). */
        for (int b0 = 0; b0 < nb; b0 += prb) {
            const int nbk = nb - b0 < prb ? nb - b0 : prb;
            pt.w = w + b0 * J->wblock, pt.init = init + b0 * B;
            int64_t ox = cs;
            for (int64_t tt = 0; tt < ntiles; tt++) {
                const int T = plain_tile_width(tt, ntiles, width, q, r);
                const int64_t col0 = ox - J->pl;
                if (rows_inside && col0 >= 0 && col0 + T + reach <= J->w) {
                    pt.x = xn + row * J->ys + col0, pt.rs = J->dh * J->ys, pt.chs = J->cls;
                } else {
                    pt.x = buf + (ox - cs), pt.rs = brs, pt.chs = bchs;
                }
                pt.out = orow + (ox - cs) * B + b0 * bstride;
                ptab[(nbk - 1) * prow + T](&pt);
                ox += T;
            }
            if (!pt.fused)
                for (int b = b0; b < b0 + nbk; b++) {
                    float *ob = orow + b * bstride;
                    epilogue(J, bias + b * B, min64(B, J->k - (bk + b) * B), (int)width, ob, ob);
                }
        }
    }
}

#ifdef DCONV_VECTORS
/* Pooled rows [py0, py1) of output blocks [bk, bk + nb) of a plain input
 * with the fused 2x2/2 pool (J->pool2), into y (block b's plane ystride
 * floats after block 0's): per pooled row, the planar rows of its two conv
 * rows (one half of buf each), then tiles of up to PPMAX pooled columns
 * (PLAIN_POOL_TILE). */
static void conv_rows_plain_pool2(const Job *J, const float *xn, int64_t bk, int nb,
                                  int64_t py0, int64_t py1, float *y, int64_t ystride) {
    const int64_t ntiles = ceil_div(J->px, PPMAX), q = J->px / ntiles, r = J->px % ntiles;
    const int64_t bcol = -J->pl, bw = 2 * J->px + (J->kw - 1) * J->dw;   /* stride 1 */
    float buf[ROWBUF_FLOATS] __attribute__((aligned(64)));
    PlainTile pt, p1;
    pt.J = J;
    plain_layout(J, 2 * J->px, &pt);
    pt.bstride = ystride;
    const float *w = J->packed + bk * J->wblock, *init = J->bias ? J->bias + bk * B : zero_bias;
    pt.fused = 1, pt.relu = J->act == VGGRT_ACT_RELU;
    pt.stream = STREAM_POOL2 && (uintptr_t)y % (B * sizeof(float)) == 0;
    p1 = pt;
    /* The second row's planar rows: after the first's, on a 64-byte line. */
    const int64_t half = ceil_div(J->kh * J->c * pt.pw, 16) * 16;
    for (int64_t py = py0; py < py1; py++) {
        const int64_t row0 = 2 * py * J->sh - J->pt, row1 = row0 + J->sh;
        window_range(row0, J->dh, J->kh, 0, J->h, &pt.i0, &pt.i1);
        window_range(row1, J->dh, J->kh, 0, J->h, &p1.i0, &p1.i1);
        plain_rows(J, xn, row0, pt.i0, pt.i1, bcol, bw, pt.pw, buf);
        plain_rows(J, xn, row1, p1.i0, p1.i1, bcol, bw, pt.pw, buf + half);
        float *orow = y + py * J->px * B;
        int64_t pxo = 0;
        for (int64_t tt = 0; tt < ntiles; tt++) {
            const int U = (int)(q + (tt < r));
            pt.x = buf + 2 * pxo, p1.x = buf + half + 2 * pxo;
            for (int b0 = 0; b0 < nb; b0 += PRB) {
                pt.w = p1.w = w + b0 * J->wblock, pt.init = p1.init = init + b0 * B;
                pt.out = p1.out = orow + pxo * B + b0 * ystride;
                pptiles[(nb - b0 < PRB ? nb - b0 : PRB) - 1][U](&pt, &p1);
            }
            pxo += U;
        }
    }
}
#endif

/* Conv rows [oy0, oy1), columns [cs, ce), output blocks [bk, bk + nb), the
 * epilogue applied: row oy of block b goes to out + (oy - oy0)*rstride +
 * b*bstride + (ox - cs)*16.  The input channels go in passes of cbchunk
 * blocks, each over every tile of the rows, so that the pass's weights
 * (NB * 16 * cbchunk * kh * kw * 64 bytes, 18 KB for 3x3) stay in L1 for
 * all those tiles instead of streaming from L2 for each one; between
 * passes the partial sums wait in out (L1/L2).  Rows in one call: as many
 * as PART_FLOATS (or the ring) hold, so that narrow layers (10x10: one
 * tile per row) still reuse a pass's weights over several tiles.  A plain
 * input of at most 16 channels goes to conv_rows_plain instead. */
static void conv_rows(const Job *J, const float *xn, int64_t bk, int nb, int64_t oy0,
                      int64_t oy1, int64_t cs, int64_t ce, float *out, int64_t rstride,
                      int64_t bstride) {
    if (J->plain) {
        conv_rows_plain(J, xn, bk, nb, oy0, oy1, cs, ce, out, rstride, bstride, 0);
        return;
    }
    const int64_t width = ce - cs, ntiles = ceil_div(width, J->tmax);
    const int64_t q = width / ntiles, r = width % ntiles, ncb = ceil_div(J->c, B);
    const int stride1 = J->blocked && J->sw == 1;
    Tile tl;
    tl.J = J, tl.xn = xn, tl.w = J->packed + bk * J->wblock, tl.bstride = bstride;
    for (int64_t cb0 = 0; cb0 < ncb; cb0 += J->cbchunk) {
        const int last = cb0 + J->cbchunk >= ncb;
        tl.cb0 = cb0, tl.cb1 = last ? ncb : cb0 + J->cbchunk;
        /* The next pass's weights, into L2 while this pass computes: in a
         * network they come from memory once per image (9.4 MB for a
         * 512-channel layer), and waiting for them at the start of each
         * pass cost 2-4% at 10x10 and 14x14.  The last pass fetches the
         * first pass of the next group of blocks (the next unit of work,
         * most often; of the next image after the last group).  The
         * prefetches are spread over the pass's tiles, a share before each:
         * issued at once (288 lines for 3x3) they queued for the few
         * line-fill buffers and stalled the tile that followed (dconv_bench
         * with the weights flushed from the caches before each run, as in a
         * network: 10x10, 76-78% of peak -> 81-82%; 14x14, 85-89% -> 90%).
         * On the Zen 5 VM of 2026-12-02 (twice the Zen 4's FMA rate) the
         * 10x10 layer reads 94-96% flushed so (93-96% with its weights on
         * 4 KB pages), 96-102% warm, but 82-96% in vgg16_head's profiles.
         * The line to prefetch is stepped to, not computed: a division
         * and a remainder per line (29 per tile at 10x10) cost that layer
         * 10% with its weights in L2 (512 -> 32 channels, no prefetch at
         * all ran faster still).  Where L1 holds 48 KB or more (Zen 5) the
         * lines go into L1: there a pass's weights (18 KB), the next
         * pass's, the partial sums and the input rows nearly fit, and a
         * throwaway harness (512 -> 512 channels, weights from L3 or
         * memory, 1 thread, the variants alternating, 40 runs each, 2
         * rounds) ran 10x10 in 2.09 and 2.28 ms against 2.31 and 2.53
         * ms (into L2 stepped: 2.27, 2.55), 14x14 in 4.45 and 4.33 ms
         * against 4.73 and 4.42, 20x20 1% faster; in the network (JIT
         * profiles, 1 thread, old and new builds alternating) vgg16_head's
         * 10x10 layers went from 2.44-2.54 ms (86-94% of the probe) to
         * 2.20-2.27 ms (98-103%), vgg16's 14x14 ones from 4.62-4.76 to
         * 4.43-4.53 ms, AlexNet's 13x13 ones from 0.97-1.27 to 0.94-1.06
         * ms; at 2 threads vgg16_head's time did not move.  With a
         * smaller L1 (32 KB: Zen 3 and 4) they go into L2, as measured
         * above. */
        const int64_t wpass = B * J->taps * B; /* floats of one block's pass, per cb */
        const float *pf_base;
        int64_t pf_lines, pf_blocks; /* lines per block; blocks J->wblock floats apart */
        if (!last) {
            pf_base = tl.w + tl.cb1 * wpass, pf_blocks = nb;
            pf_lines = (min64(ncb, tl.cb1 + J->cbchunk) - tl.cb1) * wpass / 16;
        } else {
            const int64_t next = bk + nb < J->kb ? bk + nb : 0;
            pf_base = J->packed + next * J->wblock, pf_blocks = min64(J->gnb, J->kb - next);
            pf_lines = min64(ncb, J->cbchunk) * wpass / 16;
        }
        const int64_t pf_total = pf_blocks * pf_lines;
        const int64_t pf_per_tile = ceil_div(pf_total, (oy1 - oy0) * ntiles);
        int64_t pf_done = 0, pf_line = 0; /* line pf_line of the block at pf_at */
        const float *pf_at = pf_base;
        const int pf_l1 = J->pf_l1; /* (read once: the tiles store through float *) */
        for (int64_t oy = oy0; oy < oy1; oy++) {
            const int64_t row = oy * J->sh - J->pt;
            window_range(row, J->dh, J->kh, 0, J->h, &tl.i0, &tl.i1);
            tl.row = row;
            float *orow = out + (oy - oy0) * rstride;
            int64_t ox = cs;
            for (int64_t tt = 0; tt < ntiles; tt++) {
                const int T = (int)(q + (tt < r));
                tl.col0 = ox * J->sw - J->pl;
                tl.span = T + (J->kw - 1) * J->dw;
                if (!stride1) {
                    tl.mode = TILE_GATHER;
                } else if (tl.col0 >= -1 && tl.col0 + tl.span <= J->w + 1) {
                    tl.mode = TILE_DIRECT; /* (a tap may skip a first or last pixel) */
                } else {
                    tl.mode = tl.span * B <= GATHER_FLOATS ? TILE_PADDED_ROW : TILE_GATHER;
                }
                tl.out = orow + (ox - cs) * B;
                for (int64_t end = min64(pf_total, pf_done + pf_per_tile); pf_done < end;
                     pf_done++) {
                    const float *line = pf_at + pf_line * 16; /* (a line is 16 floats) */
                    if (pf_l1)
                        __builtin_prefetch(line, 0, 3);
                    else
                        __builtin_prefetch(line, 0, 2);
                    if (++pf_line == pf_lines)
                        pf_line = 0, pf_at += J->wblock;
                }
#if SLIDE
                if (J->slide) {
                    for (int b = 0; b < nb; b += SNB) {
                        Tile tb = tl;
                        tb.w = tl.w + b * J->wblock, tb.out = tl.out + b * bstride;
                        stiles[(nb - b < SNB ? nb - b : SNB) - 1][T](&tb);
                    }
                } else
#endif
                    tiles[nb - 1][T](&tl);
                if (last)
                    for (int b = 0; b < nb; b++) {
                        const int64_t kblk = bk + b;
                        float *o = tl.out + b * bstride;
                        epilogue(J, J->bias ? J->bias + kblk * B : zero_bias,
                                 min64(B, J->k - kblk * B), T, o, o);
                    }
                ox += T;
            }
        }
    }
}

/* out[0..16) = the max over the pk x pk window whose top-left conv result
 * is at w (rows rowsz floats apart, columns 16), lane by lane, skipping NaN
 * from -FLT_MAX (v > m ? v : m, as vggrt_maxpool2d).  With vectors that is
 * one vmaxps per conv result (max(v, m) returns m unless v > m); lane by
 * lane it took longer than the convolution of a 3-channel first layer. */
static inline void window_max(const float *w, int64_t pk, int64_t rowsz, float *out) {
#ifdef DCONV_VECTORS
    /* (Set whole first: gcc 12 -O2 for AVX-512 warned that m, set lane
     * by lane, may be used uninitialized.) */
    Vec16 m = { 0 };
    for (int l = 0; l < B; l++)
        m[l] = -FLT_MAX;
    for (int64_t rr = 0; rr < pk; rr++)
        for (int64_t s = 0; s < pk; s++) {
            Vec16 v;
            memcpy(&v, w + rr * rowsz + s * B, sizeof v);
            const VecI16 gt = v > m;
            m = (Vec16)(((VecI16)v & gt) | ((VecI16)m & ~gt));
        }
    memcpy(out, &m, sizeof m);
#else
    float m[B];
    for (int l = 0; l < B; l++)
        m[l] = -FLT_MAX;
    for (int64_t rr = 0; rr < pk; rr++)
        for (int64_t s = 0; s < pk; s++)
            for (int l = 0; l < B; l++) {
                float v = w[rr * rowsz + s * B + l];
                m[l] = v > m[l] ? v : m[l];
            }
    memcpy(out, m, sizeof m);
#endif
}

/* Units [begin, end) of the work (see the top of the file); ring holds
 * ring_rows * gnb * ring_cols * 16 floats. */
static void run_units(const Job *J, int64_t begin, int64_t end, float *ring) {
    const int64_t ystride = J->py * J->px * B; /* floats of one output block plane */
    int64_t u = begin;
    while (u < end) {
        const int64_t r0 = u % J->rows, plane = u / J->rows;
        const int64_t r1 = min64(J->rows, r0 + (end - u));
        const int64_t seg = plane % J->nseg, grp = plane / J->nseg % J->ngroups;
        const int64_t bi = plane / J->nseg / J->ngroups;
        const int64_t bk = grp * J->gnb;
        const int nb = (int)min64(J->gnb, J->kb - bk);
        const float *xn = J->x + bi * J->xbatch;
        float *yk = J->y + (bi * J->kb + bk) * ystride;
        u += r1 - r0;
#ifdef DCONV_VECTORS
        if (J->pool2) {
            conv_rows_plain_pool2(J, xn, bk, nb, r0, r1, yk, ystride);
            continue;
        }
#endif
        if (!J->pk) {
            /* The partial sums live in y itself. */
            for (int64_t oy = r0; oy < r1; oy += J->group_rows) {
                const int64_t oy1 = min64(r1, oy + J->group_rows);
                conv_rows(J, xn, bk, nb, oy, oy1, 0, J->ncols, yk + oy * J->ow * B,
                          J->ow * B, ystride);
            }
            continue;
        }
        const int64_t pk = J->pk, ps = J->ps;
        const int64_t px0 = seg * J->seg_px, px1 = min64(J->px, px0 + J->seg_px);
        const int64_t cs = px0 * ps, ce = (px1 - 1) * ps + pk;
        const int64_t rowsz = J->gnb * J->ring_cols * B, bsz = J->ring_cols * B;
        int64_t base = 0, next = 0; /* conv rows [base, next) are in the ring, base first */
        for (int64_t g0 = r0; g0 < r1; g0 += J->group_rows) {
            const int64_t g1 = min64(r1, g0 + J->group_rows);
            const int64_t c0 = g0 * ps, c1 = (g1 - 1) * ps + pk;
            /* Rows an overlapping window shares with the last group move to the front. */
            if (next > c0) {
                memmove(ring, ring + (c0 - base) * rowsz,
                        (size_t)((next - c0) * rowsz) * sizeof *ring);
            } else {
                next = c0;
            }
            base = c0;
            conv_rows(J, xn, bk, nb, next, c1, cs, ce, ring + (next - base) * rowsz, rowsz, bsz);
            next = c1;
            for (int64_t py = g0; py < g1; py++)
                for (int b = 0; b < nb; b++) {
                    float *yr = yk + b * ystride + py * J->px * B;
                    for (int64_t pxo = px0; pxo < px1; pxo++)
                        window_max(ring + (py * ps - base) * rowsz + b * bsz + (pxo * ps - cs) * B,
                                   pk, rowsz, yr + pxo * B);
                }
        }
    }
}

static void dconv_task(void *ctx, int64_t begin, int64_t end, int tid) {
    (void)tid;
    const Job *J = ctx;
    float ring[RING_FLOATS] __attribute__((aligned(64)));
    run_units(J, begin, end, J->work ? J->work : ring);
    STREAM_FENCE();
}

size_t vggrt_dconv_packed_size(const vggrt_dconv_params *p) {
    const vggrt_conv_params *q = &p->conv;
    return (size_t)(ceil_div(q->k, B) * B) * (size_t)(q->c * q->kh * q->kw);
}

void vggrt_dconv_pack(const vggrt_dconv_params *p, const float *w, float *packed) {
    const vggrt_conv_params *q = &p->conv;
    const int64_t kb = ceil_div(q->k, B), taps = q->kh * q->kw;
    for (int64_t bk = 0; bk < kb; bk++)
        for (int64_t ci = 0; ci < q->c; ci++)
            for (int64_t t = 0; t < taps; t++) {
                float *dst = packed + ((bk * q->c + ci) * taps + t) * B;
                for (int64_t l = 0; l < B; l++) {
                    int64_t k = bk * B + l;
                    dst[l] = k < q->k ? w[(k * q->c + ci) * taps + t] : 0.0f;
                }
            }
}

/* Columns of the conv output that the fused pool reads. */
static int64_t pooled_cols(const vggrt_dconv_params *p) {
    return p->px > 0 ? (p->px - 1) * p->pool_s + p->pool_k : 0;
}

/* The input is plain (NCHW or NHWC) of at most 16 channels, the kernel at
 * most PLAIN_KW_MAX wide, and a conv row's planar input rows fit the stack
 * buffer of conv_rows_plain: the layer runs on PlainTile (J->plain). */
static int is_plain(const vggrt_dconv_params *p) {
    const vggrt_conv_params *q = &p->conv;
    const int64_t ncols = p->pool_k > 0 ? pooled_cols(p) : q->ow;
    return p->in_layout != VGGRT_LAYOUT_BLOCKED && q->c <= B && q->kw <= PLAIN_KW_MAX &&
           ncols > 0 && q->kh * q->c * plain_pitch(q, ncols) <= ROWBUF_FLOATS;
}

/* A plain input whose 2x2/2 max pool runs in the tile (J->pool2,
 * conv_rows_plain_pool2): ReLU or no activation, whole blocks of outputs,
 * and the planar rows of two conv rows fit the stack buffer. */
static int is_plain_pool2(const vggrt_dconv_params *p) {
    const vggrt_conv_params *q = &p->conv;
    const int64_t pw = ceil_div(2 * p->px + (q->kw - 1) * q->dw, B) * B;
    return PPMAX > 0 && is_plain(p) && q->sw == 1 && p->pool_k == 2 && p->pool_s == 2 &&
           (q->act == VGGRT_ACT_RELU || q->act == VGGRT_ACT_NONE) && q->k % B == 0 &&
           2 * ceil_div(q->kh * q->c * pw, 16) * 16 <= ROWBUF_FLOATS;
}

/* Output blocks per group (a unit of work, and a ring row's blocks). */
static int64_t group_blocks(const vggrt_dconv_params *p) {
    return is_plain(p) ? PNB : NB;
}

/* Pooled columns per ring segment that fit RING_FLOATS (0: not even one). */
static int64_t ring_seg_px(const vggrt_dconv_params *p) {
    const int64_t cols = RING_FLOATS / (p->pool_k * group_blocks(p) * B);
    return cols < p->pool_k ? 0 : (cols - p->pool_k) / p->pool_s + 1;
}

size_t vggrt_dconv_work_size(const vggrt_dconv_params *p) {
    if (p->pool_k <= 0 || ring_seg_px(p) > 0)
        return 0;
    return (size_t)(p->pool_k * group_blocks(p) * pooled_cols(p) * B);
}

/* The Job of a call into *out (out->units of work); 0 when there is
 * nothing to do. */
static int job_init(Job *out, const vggrt_dconv_params *p, int64_t n, const float *x,
                     const float *packed, const float *b, float *y, float *work) {
    const vggrt_conv_params *q = &p->conv;
    Job J;
    memset(&J, 0, sizeof J);
    J.n = n, J.c = q->c, J.h = q->h, J.w = q->w, J.k = q->k, J.kh = q->kh, J.kw = q->kw;
    J.sh = q->sh, J.sw = q->sw, J.pt = q->pt, J.pl = q->pl, J.dh = q->dh, J.dw = q->dw;
    J.act = q->act, J.alpha = p->alpha, J.beta = p->beta;
    J.kb = ceil_div(q->k, B), J.taps = q->kh * q->kw, J.wblock = q->c * J.taps * B;
    J.oh = q->oh, J.ow = q->ow, J.py = p->py, J.px = p->px;
    J.x = x, J.packed = packed, J.bias = b, J.y = y;
    const int64_t hw = q->h * q->w, cb = ceil_div(q->c, B);
    switch (p->in_layout) {
    case VGGRT_LAYOUT_NHWC:
        J.xs = q->c, J.ys = q->w * q->c, J.cbs = B, J.cls = 1;
        J.xbatch = hw * q->c;
        break;
    case VGGRT_LAYOUT_BLOCKED:
        J.xs = B, J.ys = q->w * B, J.cbs = hw * B, J.cls = 1, J.blocked = 1;
        J.xbatch = cb * hw * B;
        break;
    default: /* VGGRT_LAYOUT_NCHW */
        J.xs = 1, J.ys = q->w, J.cbs = B * hw, J.cls = hw;
        J.xbatch = q->c * hw;
        break;
    }
    const int pool = p->pool_k > 0;
    J.ncols = pool ? pooled_cols(p) : q->ow;
    J.nrows = pool ? (p->py > 0 ? (p->py - 1) * p->pool_s + p->pool_k : 0) : q->oh;
    if (n <= 0 || J.ncols <= 0 || J.nrows <= 0 || J.kb <= 0)
        return 0;
    J.plain = is_plain(p);
    J.gnb = J.plain ? PNB : NB;
    /* Every tile direct: at most one column of padding at either end. */
    J.slide = SLIDE && J.blocked && q->sw == 1 && q->kw == 3 && q->dw == 1 && q->pl <= 1 &&
              J.ncols + 1 - q->pl <= q->w;
#if SLIDE
    J.tmax = J.slide ? STMAX : TMAX;
#else
    J.tmax = TMAX;
#endif
    J.ngroups = ceil_div(J.kb, J.gnb);
    J.cbchunk = PASS_W_FLOATS / (NB * B * J.taps * B);
    if (J.cbchunk < 1)
        J.cbchunk = 1;
    J.pf_l1 = vggrt__l1d_bytes() >= 48 * 1024; /* (conv_rows) */
    J.nseg = 1;
    if (pool) {
        J.pk = p->pool_k, J.ps = p->pool_s;
        J.rows = p->py;
        const int64_t fit = ring_seg_px(p);
        if (is_plain_pool2(p)) {
            J.pool2 = 1, J.seg_px = p->px, J.group_rows = 1;
        } else if (fit > 0) {
            J.nseg = ceil_div(p->px, fit);
            J.seg_px = ceil_div(p->px, J.nseg); /* balanced segments */
            J.ring_cols = (J.seg_px - 1) * J.ps + J.pk;
            const int64_t ring_rows = RING_FLOATS / (J.gnb * J.ring_cols * B);
            J.group_rows = (ring_rows - J.pk) / J.ps + 1;
        } else {
            J.seg_px = p->px, J.ring_cols = J.ncols, J.work = work, J.group_rows = 1;
        }
    } else {
        J.rows = q->oh;
        J.group_rows = PART_FLOATS / (J.gnb * q->ow * B);
        if (J.group_rows < 1)
            J.group_rows = 1;
    }
    J.units = n * J.ngroups * J.nseg * J.rows;
    *out = J;
    return 1;
}

void vggrt_dconv2d(const vggrt_dconv_params *p, int64_t n, const float *x, const float *packed,
                   const float *b, float *y, float *work) {
    Job J;
    if (!job_init(&J, p, n, x, packed, b, y, work))
        return;
    if (J.work)
        run_units(&J, 0, J.units, J.work); /* one ring for the whole layer: one thread */
    else
        vggrt_parallel_for(J.units, dconv_task, &J);
}

int vggrt_dconv_ring_applies(const vggrt_dconv_params *p) {
    return is_plain(p) && p->pool_k == 0;
}

/* For vggrt_chain_conv2d (winograd.c): the caller's thread computes them
 * all, into rows that are read next from the caches, so the stores are
 * plain (J.ring), not streamed past the caches.  Between two calls the
 * Winograd layer's work has evicted what a call reads, so it first asks
 * for all of its weights and input rows at once, rather than each as a
 * tile first needs it (see winograd.c, vggrt_chain_conv2d). */
void vggrt_dconv_ring_rows(const vggrt_dconv_params *p, const float *x, int64_t item,
                           const float *packed, const float *b, int64_t oy0, int64_t oy1,
                           float *ring, int64_t ring_rows) {
    Job J;
    if (oy0 >= oy1 || !job_init(&J, p, item + 1, x, packed, b, ring, NULL))
        return;
    J.ring = 1;
    const float *xn = x + item * J.xbatch;
    for (int64_t i = 0; i < J.kb * J.wblock; i += 16)
        __builtin_prefetch(packed + i);
    for (int64_t i = 0; b && i < J.kb * B; i += 16)
        __builtin_prefetch(b + i);
    const int64_t r0 = max64(0, oy0 * J.sh - J.pt);
    const int64_t r1 = min64(J.h, (oy1 - 1) * J.sh - J.pt + (J.kh - 1) * J.dh + 1);
    const int64_t span = J.cls == 1 ? J.w * J.c : J.w; /* NHWC: a row; NCHW: a channel's */
    for (int64_t r = r0; r < r1; r++)
        for (int64_t l = 0; l < (J.cls == 1 ? 1 : J.c); l++)
            for (int64_t e = 0; e < span; e += 16)
                __builtin_prefetch(xn + r * J.ys + l * J.cls + e);
    const int64_t plane = ring_rows * J.ow * B; /* floats of one block's rows */
    for (int64_t bk = 0; bk < J.kb; bk += J.gnb)
        conv_rows_plain(&J, xn, bk, (int)min64(J.gnb, J.kb - bk), oy0, oy1, 0, J.ow,
                        ring + bk * plane, J.ow * B, plane, ring_rows);
}
