/* wino_bench.c — speed of the Winograd F(4x4, 3x3) and F(2x2, 5x5)
 * convolutions (vggrt_wino_conv2d) against the blocked direct convolution
 * (vggrt_dconv2d) on the 3x3 layers of VGG-16 at a 160x160 input (pad 1,
 * ReLU, blocked input), with and without the fused 2x2 max pool, on the
 * 512-output layers at the small maps of 224x224 and 320x320 inputs
 * (28x28, 20x20), where few tiles share each weight and the weights'
 * traffic dominates, and on AlexNet's 5x5 layer (27x27, pad 2) and its
 * 13x13 3x3 layers (Winograd there from batch 2).
 *
 * Rates are "effective": the direct convolution's 2*k*c*r*r*h*w flops over
 * the time, so the two kernels compare directly (Winograd performs about a
 * quarter of those multiplies).  For every shape, the median of --reps runs
 * of
 *   - one thread: per-thread CPU time (CLOCK_THREAD_CPUTIME_ID), so that the
 *     other core being busy does not count, for Winograd and direct;
 *   - --threads threads (default 2): wall-clock time of Winograd, and its
 *     speedup over its one-thread wall-clock median from the same pass.
 * Runs alternate between the kernels and thread counts, so clock drift
 * hits all of them.  A benchmark, not a test: it checks nothing
 * (tests/runtime/test_winograd.c does).
 * Usage: wino_bench [--reps N] [--threads N] [--batch N] [--only C]
 * [--block 8|16] [--flush MB] (--block: the channel block of the layout
 * and kernels, by default the one vggc picks for the build's target: 16
 * with AVX-512, 8 below; a block the target's registers do not suit runs
 * many times slower; --flush MB: read MB of memory before every timed
 * run, so that weights and input come from memory as in a network).
 */
#define _POSIX_C_SOURCE 200809L
#define BENCH_NAME "wino_bench"
#include "bench_util.h"

static void bench(int64_t c, int64_t k, int64_t hw, int64_t r, int64_t pool,
                  const BenchConvArgs *a) {
    const int64_t batch = a->batch, B = a->block;
    const int reps = a->reps, threads = a->threads;
    vggrt_dconv_params p = bench_vgg_conv(c, k, hw, VGGRT_LAYOUT_BLOCKED, pool);
    p.block = (int)B;
    p.conv.kh = p.conv.kw = r, p.conv.pt = p.conv.pl = r / 2; /* the same map size */
    const int64_t cb = (c + B - 1) / B, kb = (k + B - 1) / B;
    float *x = bench_alloc_rand((size_t)(batch * cb * B * hw * hw));
    float *w = bench_alloc_rand((size_t)(k * c * r * r));
    float *bias = bench_alloc_rand((size_t)(kb * B));
    float *wpack = bench_alloc_rand(vggrt_wino_packed_size(&p));
    float *dpack = bench_alloc_rand(vggrt_dconv_packed_size(&p));
    float *y = bench_alloc_rand((size_t)(batch * kb * B * p.py * p.px));
    size_t nwork = vggrt_dconv_work_size(&p);
    float *work = bench_alloc_rand(nwork ? nwork : 1);
    vggrt_wino_pack(&p, w, wpack);
    vggrt_dconv_pack(&p, w, dpack);
    double *t1 = bench_alloc_times(reps), *w1 = bench_alloc_times(reps);
    double *wn = bench_alloc_times(reps), *d1 = bench_alloc_times(reps);
    vggrt_set_num_threads(1);
    vggrt_wino_conv2d(&p, batch, x, wpack, bias, y, NULL); /* warm caches, page in */
    vggrt_dconv2d(&p, batch, x, dpack, bias, y, work);
    for (int i = 0; i < reps; i++) {
        vggrt_set_num_threads(1);
        bench_evict(a);
        double c0 = bench_clock_s(CLOCK_THREAD_CPUTIME_ID), m0 = bench_clock_s(CLOCK_MONOTONIC);
        vggrt_wino_conv2d(&p, batch, x, wpack, bias, y, NULL);
        w1[i] = bench_clock_s(CLOCK_MONOTONIC) - m0;
        t1[i] = bench_clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
        bench_evict(a);
        c0 = bench_clock_s(CLOCK_THREAD_CPUTIME_ID);
        vggrt_dconv2d(&p, batch, x, dpack, bias, y, work);
        d1[i] = bench_clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
        vggrt_set_num_threads(threads);
        bench_evict(a);
        m0 = bench_clock_s(CLOCK_MONOTONIC);
        vggrt_wino_conv2d(&p, batch, x, wpack, bias, y, NULL);
        wn[i] = bench_clock_s(CLOCK_MONOTONIC) - m0;
    }
    const double flops = 2.0 * (double)(batch * k * c * r * r * hw * hw);
    const double mt1 = bench_median(t1, reps), mw1 = bench_median(w1, reps);
    const double mwn = bench_median(wn, reps), md1 = bench_median(d1, reps);
    printf("%lldx%lld c=%4lld k=%4lld %3lldx%-3lld%s n=%lld | 1 thread: wino %8.3f ms %6.1f "
           "GFLOP/s eff, direct %8.3f ms %6.1f GFLOP/s (x%.2f) | %d threads: wino %8.3f ms wall "
           "%6.1f GFLOP/s eff, speedup %.2f\n",
           (long long)r, (long long)r, (long long)c, (long long)k, (long long)hw, (long long)hw,
           pool ? " +pool" : "      ",
           (long long)batch, mt1 * 1e3, flops / mt1 * 1e-9, md1 * 1e3, flops / md1 * 1e-9,
           md1 / mt1, threads, mwn * 1e3, flops / mwn * 1e-9, mw1 / mwn);
    fflush(stdout);
    vggrt_aligned_free(x), vggrt_aligned_free(w), vggrt_aligned_free(bias);
    vggrt_aligned_free(wpack), vggrt_aligned_free(dpack), vggrt_aligned_free(y);
    vggrt_aligned_free(work);
    free(t1), free(w1), free(wn), free(d1);
}

int main(int argc, char **argv) {
    BenchConvArgs a;
    if (!bench_conv_args(argc, argv, &a))
        return 2;
    printf("blocks of %d channels; %s\n", a.block,
           a.flush ? "caches flushed before each run" : "warm caches");
    static const struct { int64_t c, k, hw, r; } layers[] = {
        { 64, 64, 160, 3 },  { 128, 128, 80, 3 }, { 256, 256, 40, 3 }, { 256, 512, 28, 3 },
        { 512, 512, 28, 3 }, { 256, 512, 20, 3 }, { 512, 512, 20, 3 }, { 512, 512, 14, 3 },
        { 512, 512, 10, 3 }, { 64, 192, 27, 5 },  { 192, 384, 13, 3 }, { 384, 256, 13, 3 },
        { 256, 256, 13, 3 },
    };
    for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
        if (a.only && layers[i].c != a.only)
            continue;
        for (int64_t pool = 0; pool <= 2; pool += 2)
            bench(layers[i].c, layers[i].k, layers[i].hw, layers[i].r, pool, &a);
    }
    vggrt_aligned_free(a.flush);
    return 0;
}
