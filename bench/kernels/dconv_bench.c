/* dconv_bench.c — speed of the blocked direct convolution (vggrt_dconv2d)
 * on the 3x3 layers of VGG-16 (pad 1, ReLU), with and without the fused
 * 2x2 max pool: the first layer (3 channels of plain NCHW or NHWC input,
 * 224x224 and 160x160), the others (blocked input), among them the layers
 * that vgg16 (14x14) and vgg16_head (10x10) run as direct convolutions.
 *
 * The machines are shared virtual ones whose FMA rate moves by up to 2x
 * within a minute, so a rate means little without the peak of the same
 * moment.  Every one-thread run is therefore framed by two short probes of
 * this core's FMA peak (28 independent chains of 16-float multiply-adds,
 * operands in registers and L1, as in the convolution's tile, ~1.5 ms),
 * and its share of peak is its rate over the mean of the two probes.  For
 * every shape it reports the medians over --reps runs of
 *   - one thread: per-thread CPU time (CLOCK_THREAD_CPUTIME_ID), so that the
 *     other core being busy or the process being descheduled does not count;
 *     the rate against the 2*k*c*9*h*w flops of the layer; the probed peak;
 *     the share of peak (median of the runs' own shares, and the best:
 *     with other processes on the machine, the least disturbed run);
 *   - --threads threads (default 2; none with --threads 1): wall-clock time,
 *     and the speedup over the one-thread wall-clock median of the same pass.
 * A benchmark, not a test: it checks nothing (tests/runtime/test_blocked.c
 * does).  Usage: dconv_bench [--reps N] [--threads N] [--batch N] [--only C]
 * [--block 8|16] [--flush MB] (--only C: only the layers of C input
 * channels; --block: the channel block of the layout and kernels, by
 * default the one vggc picks for the build's target: 16 with AVX-512, 8
 * below; --flush MB: read MB of memory before every timed run, more than
 * the last-level cache holds, so that the weights and input come from
 * memory, as in a network, whose other layers evict them; without it a
 * 512-channel layer's 9.4 MB of weights stay in L3 from run to run).
 *
 * The probe uses the vectors the kernels of that block use: 16 floats
 * (zmm) for blocks of 16 with AVX-512, else 8 (ymm: AVX2, or blocks of 8),
 * or 4 without AVX, with as many chains as the registers hold (28 zmm, or
 * 12: 16 registers), so that an AVX2 build's share of peak is against
 * AVX2's peak, not against a probe that spills.
 */
#define _POSIX_C_SOURCE 200809L
#define BENCH_NAME "dconv_bench"
#include "bench_util.h"

/* The channel block of this run (--block). */
static int64_t B = VGGRT_BLOCK;
/* Iterations of one interleaved probe: 200000 * 28 * 32 flops, ~1.5 ms
 * with zmm (4x fewer flops per iteration with 12 chains of ymm). */
#define PROBE_ITERS 200000L

/* The build's widest vectors of floats, and how many accumulators of them
 * a probe keeps in registers (2 more hold the weights, 1 the broadcast). */
#if defined(__AVX512F__)
#define WIDE 16
#define WIDE_CHAINS 14 /* pairs: 28 of the 32 registers */
#elif defined(__AVX__)
#define WIDE 8
#define WIDE_CHAINS 6  /* pairs: 12 of the 16 registers */
#else
#define WIDE 4
#define WIDE_CHAINS 6
#endif

/* fma_peak_W(samples, iters): the FMA rate of one thread, GFLOP/s, with
 * vectors of W floats: the median of `samples` runs of `iters` iterations
 * (2 * CHAINS FMAs each, broadcast times two weight vectors, as the
 * convolution's tile), per-thread CPU time. */
#define FMA_PEAK(W, CHAINS)                                                                    \
    typedef float Vec##W __attribute__((vector_size((W) * sizeof(float))));                   \
    static double fma_peak_##W(int samples, long iters) {                                      \
        float xs[(W) * (CHAINS) + 16];                                                         \
        for (int i = 0; i < (W) * (CHAINS) + 16; i++)                                          \
            xs[i] = 1e-7f * (float)i;                                                          \
        Vec##W acc[2 * (CHAINS)], w0, w1;                                                      \
        for (int i = 0; i < 2 * (CHAINS); i++)                                                 \
            acc[i] = (Vec##W){ 0 };                                                            \
        for (int l = 0; l < (W); l++)                                                          \
            w0[l] = 0.999f - 1e-6f * (float)l, w1[l] = 1.001f + 1e-6f * (float)l;              \
        __asm__ volatile("" : "+m"(w0), "+m"(w1)); /* no folding of the constants */          \
        double v[16];                                                                          \
        samples = samples < 1 ? 1 : samples > 16 ? 16 : samples;                               \
        for (int s = 0; s < samples; s++) {                                                    \
            double t0 = bench_clock_s(CLOCK_THREAD_CPUTIME_ID);                                \
            for (long it = 0; it < iters; it++) {                                              \
                const float *xp = xs + (it & 15);                                              \
                __asm__ volatile("" : "+r"(xp)); /* keep the loads in the loop */              \
                /* (clang reads it too) the accumulators must stay in registers */             \
                _Pragma("GCC unroll 14") for (int t = 0; t < (CHAINS); t++) {                  \
                    acc[2 * t] += xp[(W) * t] * w0;                                            \
                    acc[2 * t + 1] += xp[(W) * t] * w1;                                        \
                }                                                                              \
            }                                                                                  \
            v[s] = (double)iters * 2 * (CHAINS) * 2 * (W) /                                    \
                   (bench_clock_s(CLOCK_THREAD_CPUTIME_ID) - t0) * 1e-9;                       \
        }                                                                                      \
        float sink = 0;                                                                        \
        for (int i = 0; i < 2 * (CHAINS); i++)                                                 \
            sink += acc[i][i % (W)];                                                           \
        if (sink == 12345.0f) /* keeps the sums alive */                                       \
            printf(" ");                                                                       \
        return bench_median(v, samples);                                                       \
    }
#if WIDE == 16
FMA_PEAK(16, 14)
#endif
FMA_PEAK(8, 6)
#if WIDE == 4
FMA_PEAK(4, 6)
#endif

/* The probe for the vectors of the kernels of block B: zmm for 16 with
 * AVX-512; ymm for 8, or for 16 with AVX2 (two per block: the same rate). */
static double fma_peak(int samples, long iters) {
#if WIDE == 16
    if (B == 16)
        return fma_peak_16(samples, iters);
#elif WIDE == 4
    return fma_peak_4(samples, iters * 2);
#endif
    return fma_peak_8(samples, iters * 2);
}

static void bench(int64_t c, int64_t k, int64_t hw, int layout, int64_t pool,
                  const BenchConvArgs *a) {
    const int64_t batch = a->batch;
    const int reps = a->reps, threads = a->threads;
    vggrt_dconv_params p = bench_vgg_conv(c, k, hw, layout, pool);
    p.block = (int)B;
    const int64_t cb = (c + B - 1) / B, kb = (k + B - 1) / B;
    const int64_t cx = layout == VGGRT_LAYOUT_BLOCKED ? cb * B : c; /* channel slots of x */
    float *x = bench_alloc_rand((size_t)(batch * cx * hw * hw));
    float *w = bench_alloc_rand((size_t)(k * c * 9)), *bias = bench_alloc_rand((size_t)(kb * B));
    float *packed = bench_alloc_rand(vggrt_dconv_packed_size(&p));
    float *y = bench_alloc_rand((size_t)(batch * kb * B * p.py * p.px));
    size_t nwork = vggrt_dconv_work_size(&p);
    float *work = bench_alloc_rand(nwork ? nwork : 1);
    vggrt_dconv_pack(&p, w, packed);
    double *t1 = bench_alloc_times(reps), *w1 = bench_alloc_times(reps);
    double *wn = bench_alloc_times(reps), *share = bench_alloc_times(reps);
    double *peak = bench_alloc_times(reps);
    vggrt_set_num_threads(1);
    vggrt_dconv2d(&p, batch, x, packed, bias, y, work); /* warm caches, page in */
    const double flops = 2.0 * (double)(batch * k * c * 9 * hw * hw);
    for (int r = 0; r < reps; r++) {
        /* The peak right before and right after the run: its rate against
         * their mean. */
        bench_evict(a);
        const double pk0 = fma_peak(1, PROBE_ITERS);
        vggrt_set_num_threads(1);
        double c0 = bench_clock_s(CLOCK_THREAD_CPUTIME_ID), m0 = bench_clock_s(CLOCK_MONOTONIC);
        vggrt_dconv2d(&p, batch, x, packed, bias, y, work);
        w1[r] = bench_clock_s(CLOCK_MONOTONIC) - m0;
        t1[r] = bench_clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
        const double pk1 = fma_peak(1, PROBE_ITERS);
        peak[r] = 0.5 * (pk0 + pk1);
        share[r] = flops / t1[r] * 1e-9 / peak[r];
        if (threads > 1) {
            vggrt_set_num_threads(threads);
            bench_evict(a);
            m0 = bench_clock_s(CLOCK_MONOTONIC);
            vggrt_dconv2d(&p, batch, x, packed, bias, y, work);
            wn[r] = bench_clock_s(CLOCK_MONOTONIC) - m0;
        }
    }
    const double mt1 = bench_median(t1, reps), mw1 = bench_median(w1, reps);
    const double mpk = bench_median(peak, reps), msh = bench_median(share, reps);
    const double bsh = share[reps - 1]; /* (sorted by bench_median) */
    printf("c=%4lld k=%4lld %3lldx%-3lld %s%s n=%lld | 1 thread: %8.3f ms cpu %6.1f GFLOP/s, "
           "peak %6.1f, %3.0f%% of peak (best %3.0f%%)",
           (long long)c, (long long)k, (long long)hw, (long long)hw,
           layout == VGGRT_LAYOUT_NCHW ? "NCHW" : layout == VGGRT_LAYOUT_NHWC ? "NHWC" : "blkd",
           pool ? " +pool" : "      ", (long long)batch, mt1 * 1e3, flops / mt1 * 1e-9, mpk,
           100.0 * msh, 100.0 * bsh);
    if (threads > 1) {
        const double mwn = bench_median(wn, reps);
        printf(" | %d threads: %8.3f ms wall, speedup %.2f", threads, mwn * 1e3, mw1 / mwn);
    }
    printf("\n");
    fflush(stdout);
    vggrt_aligned_free(x), vggrt_aligned_free(w), vggrt_aligned_free(bias);
    vggrt_aligned_free(packed), vggrt_aligned_free(y), vggrt_aligned_free(work);
    free(t1), free(w1), free(wn), free(share), free(peak);
}

int main(int argc, char **argv) {
    BenchConvArgs a;
    if (!bench_conv_args(argc, argv, &a))
        return 2;
    B = a.block;
    printf("blocks of %lld channels; FMA peak of one thread now: %.1f GFLOP/s (vectors of %d "
           "floats); %s\n",
           (long long)B, fma_peak(5, 2000000), WIDE == 16 && B == 16 ? 16 : WIDE < 8 ? 4 : 8,
           a.flush ? "caches flushed before each run" : "warm caches");
    /* The first layer reads the network's input (3 channels, NCHW or NHWC)
     * at the two input sizes the models use; the others blocked input. */
    static const struct { int64_t c, hw; int layout; } layers[] = {
        { 3, 224, VGGRT_LAYOUT_NCHW }, { 3, 224, VGGRT_LAYOUT_NHWC },
        { 3, 160, VGGRT_LAYOUT_NCHW }, { 3, 160, VGGRT_LAYOUT_NHWC },
        { 64, 160, VGGRT_LAYOUT_BLOCKED }, { 128, 80, VGGRT_LAYOUT_BLOCKED },
        { 256, 40, VGGRT_LAYOUT_BLOCKED }, { 512, 20, VGGRT_LAYOUT_BLOCKED },
        { 512, 14, VGGRT_LAYOUT_BLOCKED }, { 512, 10, VGGRT_LAYOUT_BLOCKED },
    };
    for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
        if (a.only && layers[i].c != a.only)
            continue;
        const int64_t k = layers[i].c < 64 ? 64 : layers[i].c;
        for (int64_t pool = 0; pool <= 2; pool += 2)
            bench(layers[i].c, k, layers[i].hw, layers[i].layout, pool, &a);
    }
    printf("FMA peak of one thread now: %.1f GFLOP/s\n", fma_peak(5, 2000000));
    vggrt_aligned_free(a.flush);
    return 0;
}
