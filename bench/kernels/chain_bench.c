/* chain_bench.c — VGG-16's first two layers as vggc runs them: conv1_1 (3
 * channels of NCHW input into 64, direct: dconv.c's plain tile) chained
 * into conv1_2 (64 into 64, Winograd F(4x4,3x3), with its 2x2 max pool) by
 * vggrt_chain_conv2d, beside the same two layers called one after the
 * other (vggrt_dconv2d, its output stored whole, then vggrt_wino_conv2d),
 * at 160x160 (vgg16_head) and 224x224 (vgg16).
 *
 * The chained first layer is the row of `vggc bench --profile` that reads
 * lowest against the FMA peak on some machines: it runs in bands of 8 conv
 * rows between the Winograd layer's tile rows, which evict what the next
 * band reads.  This measures it, and the pair's time, without the rest of
 * the network.  Each run is framed by two probes of the FMA peak
 * (vggrt_fma_probe, the profile's probe, on the same threads), and the
 * first layer's share is its rate (2 k c 9 h w flops per image over its
 * time: for the chain, vggrt_chain_conv2d's direct_ms, the sum of its
 * bands' times, as the profile counts it) over the mean of the two.  Runs
 * alternate chained and unchained.  Reported per size: medians over
 * --reps runs, and the least disturbed run (the shortest time, the highest
 * share), since other processes on the machine only ever add time.
 *
 * A third kind of run chains the first layer by Winograd along the rows
 * instead (vggrt_chain_wrow_conv2d, wrow.c), as vggc runs it with AVX-512:
 * the line "wrow" (its share counts the direct convolution's FLOPs).
 *
 * --flush MB reads MB of memory before every run, so that the layers start
 * with their data out of the caches, as they do in the network after its
 * other layers ran (0, the default: warm).  A benchmark, not a test: it
 * checks nothing (tests/runtime/test_chain.c checks that the chain's
 * results are the two calls', bit for bit).
 *
 * Usage: chain_bench [--reps N] [--threads N] [--batch N] [--flush MB]
 */
#define _POSIX_C_SOURCE 200809L
#define BENCH_NAME "chain_bench"
#include "bench_util.h"

/* Seconds of each probe beside a run (the profile's VGGRT_PROFILE_PROBE_S
 * is 0.5 ms; a little longer here, for a steadier rate). */
#define PROBE_S 0.002

typedef struct {
    int reps, threads;
    long long batch, flush_mb;
} Args;

static int parse_args(int argc, char **argv, Args *a) {
    a->reps = 15, a->threads = 1, a->batch = 1, a->flush_mb = 0;
    for (int i = 1; i < argc; i++) {
        if (bench_common_arg(argc, argv, &i, &a->reps, &a->threads, &a->batch))
            continue;
        if (strcmp(argv[i], "--flush") == 0 && i + 1 < argc)
            a->flush_mb = atoll(argv[++i]);
        else {
            fprintf(stderr, "usage: " BENCH_NAME
                            " [--reps N] [--threads N] [--batch N] [--flush MB]\n");
            return 0;
        }
    }
    if (a->reps < 1 || a->threads < 1 || a->batch < 1 || a->batch > 64 || a->flush_mb < 0 ||
        a->flush_mb > 4096) {
        fprintf(stderr, BENCH_NAME ": --reps and --threads must be >= 1, --batch 1..64, "
                                   "--flush 0..4096\n");
        return 0;
    }
    return 1;
}

/* Times of one kind of run (chained or not), per run. */
typedef struct {
    double *first, *rest, *pair, *share; /* rest: the pair's time but the first layer's */
} Times;

static Times times_alloc(int reps) {
    Times t = { bench_alloc_times(reps), bench_alloc_times(reps), bench_alloc_times(reps),
                bench_alloc_times(reps) };
    return t;
}

static void times_free(Times *t) {
    free(t->first), free(t->rest), free(t->pair), free(t->share);
}

/* One line of the report: medians, then the least disturbed run. */
static void report(const char *kind, Times *t, int reps) {
    const double first = bench_median(t->first, reps), first_min = t->first[0];
    const double rest = bench_median(t->rest, reps);
    const double pair = bench_median(t->pair, reps), pair_min = t->pair[0];
    const double share = bench_median(t->share, reps), share_max = t->share[reps - 1];
    printf("  %-9s first layer %7.3f ms (min %7.3f), %3.0f%% of peak (best %3.0f%%) | "
           "conv1_2 %7.3f ms | both %7.3f ms (min %7.3f)\n",
           kind, first * 1e3, first_min * 1e3, 100 * share, 100 * share_max,
           rest * 1e3, pair * 1e3, pair_min * 1e3);
}

static void bench(int64_t hw, const Args *a, const float *flush, size_t nflush) {
    const int64_t B = BENCH_TARGET_BLOCK, n = a->batch, kb = 64 / B;
    vggrt_dconv_params p1 = bench_vgg_conv(3, 64, hw, VGGRT_LAYOUT_NCHW, 0);
    vggrt_dconv_params p2 = bench_vgg_conv(64, 64, hw, VGGRT_LAYOUT_BLOCKED, 2);
    p1.block = p2.block = (int)B;
    if (!vggrt_chain_applies(&p1, &p2)) {
        printf("%lldx%lld: vggrt_chain_applies says no (this build's block: %lld)\n",
               (long long)hw, (long long)hw, (long long)B);
        return;
    }
    float *x = bench_alloc_rand((size_t)(n * 3 * hw * hw));
    float *w1 = bench_alloc_rand(64 * 3 * 9), *w2 = bench_alloc_rand(64 * 64 * 9);
    float *b1 = bench_alloc_rand((size_t)(kb * B)), *b2 = bench_alloc_rand((size_t)(kb * B));
    float *packed1 = bench_alloc_rand(vggrt_dconv_packed_size(&p1));
    float *packed2 = bench_alloc_rand(vggrt_wino_packed_size(&p2));
    float *y1 = bench_alloc_rand((size_t)(n * kb * B * hw * hw));
    float *y = bench_alloc_rand((size_t)(n * kb * B * p2.py * p2.px));
    const size_t nwork = vggrt_dconv_work_size(&p1);
    float *work = bench_alloc_rand(nwork ? nwork : 1);
    vggrt_dconv_pack(&p1, w1, packed1);
    vggrt_wino_pack(&p2, w2, packed2);
    /* Weights of about 1/sqrt(fan-in), so that the sums stay O(1). */
    for (size_t i = 0, m = vggrt_dconv_packed_size(&p1); i < m; i++)
        packed1[i] *= 0.2f;
    for (size_t i = 0, m = vggrt_wino_packed_size(&p2); i < m; i++)
        packed2[i] *= 0.04f;
    vggrt_set_num_threads(a->threads);
    /* The first layer by Winograd along the rows, as vggc runs it with
     * AVX-512 (vggrt_chain_wrow_conv2d, wrow.c). */
    const int wrow = vggrt_wrow_applies(&p1);
    float *packed1w = bench_alloc_rand(wrow ? vggrt_wrow_packed_size(&p1) : 1);
    if (wrow)
        vggrt_wrow_pack(&p1, w1, packed1w);
    for (size_t i = 0, m = wrow ? vggrt_wrow_packed_size(&p1) : 0; i < m; i++)
        packed1w[i] *= 0.2f;
    Times chained = times_alloc(a->reps), apart = times_alloc(a->reps);
    Times chained_w = times_alloc(a->reps);
    const double flops = 2.0 * (double)(n * 64 * 3 * 9 * hw * hw);
    float sink = 0;
    double direct_ms = 0;
    /* Warm up: page in, the threads' scratch. */
    if (vggrt_chain_conv2d(&p1, packed1, b1, &p2, packed2, b2, n, x, y, &direct_ms) != VGGRT_OK)
        bench_out_of_memory();
    for (int r = 0; r < a->reps; r++)
        for (int chain = wrow ? 2 : 1; chain >= 0; chain--) {
            Times *t = chain == 2 ? &chained_w : chain ? &chained : &apart;
            sink += bench_flush(flush, nflush);
            const double pk0 = vggrt_fma_probe(PROBE_S);
            const double t0 = bench_clock_s(CLOCK_MONOTONIC);
            double first;
            if (chain == 2) {
                vggrt_chain_wrow_conv2d(&p1, packed1w, b1, &p2, packed2, b2, n, x, y,
                                        &direct_ms);
                first = direct_ms * 1e-3;
            } else if (chain) {
                vggrt_chain_conv2d(&p1, packed1, b1, &p2, packed2, b2, n, x, y, &direct_ms);
                first = direct_ms * 1e-3;
            } else {
                vggrt_dconv2d(&p1, n, x, packed1, b1, y1, work);
                first = bench_clock_s(CLOCK_MONOTONIC) - t0;
                vggrt_wino_conv2d(&p2, n, y1, packed2, b2, y, NULL);
            }
            t->pair[r] = bench_clock_s(CLOCK_MONOTONIC) - t0;
            const double pk1 = vggrt_fma_probe(PROBE_S);
            t->first[r] = first, t->rest[r] = t->pair[r] - first;
            /* The probe is the rate of all the threads; the chain's
             * direct_ms is one thread's share of the work's time. */
            t->share[r] = flops / first * 1e-9 / (0.5 * (pk0 + pk1));
        }
    printf("%lldx%lld, batch %lld, %d thread%s, %s:\n", (long long)hw, (long long)hw,
           (long long)n, a->threads, a->threads > 1 ? "s" : "",
           nflush ? "caches flushed before each run" : "warm");
    report("chained", &chained, a->reps);
    report("apart", &apart, a->reps);
    if (wrow)
        report("wrow", &chained_w, a->reps);
    if (sink == 12345.0f) /* keeps the flush reads alive */
        printf(" ");
    fflush(stdout);
    times_free(&chained), times_free(&apart), times_free(&chained_w);
    vggrt_aligned_free(packed1w);
    vggrt_aligned_free(x), vggrt_aligned_free(w1), vggrt_aligned_free(w2);
    vggrt_aligned_free(b1), vggrt_aligned_free(b2), vggrt_aligned_free(packed1);
    vggrt_aligned_free(packed2), vggrt_aligned_free(y1), vggrt_aligned_free(y);
    vggrt_aligned_free(work);
}

int main(int argc, char **argv) {
    Args a;
    if (!parse_args(argc, argv, &a))
        return 2;
    const size_t nflush = (size_t)a.flush_mb * (1u << 20) / sizeof(float);
    float *flush = bench_alloc_rand(nflush ? nflush : 1);
    vggrt_set_num_threads(a.threads);
    printf("blocks of %d channels; FMA peak of %d thread%s now: %.1f GFLOP/s\n",
           BENCH_TARGET_BLOCK, a.threads, a.threads > 1 ? "s" : "", vggrt_fma_probe(0.05));
    bench(160, &a, flush, nflush);
    bench(224, &a, flush, nflush);
    vggrt_aligned_free(flush);
    return 0;
}
