/* mix_peak.c — how much of the register-only FMA peak a loop that also
 * loads reaches on this machine now: the sliding step of the direct
 * convolution's tiles (runtime/kernels/dconv.c, SLIDE_FMAS) on data that
 * stays in L1, with nothing stored.
 *
 *   mix_peak [SECONDS]   -> {"gflops": G, "probe_gflops": P, "pct": S}
 *
 * One thread.  A step loads the weight rows of 3 tap columns x NB blocks,
 * broadcasts 14 input pixels from a row, and feeds each pixel to the
 * results it touches (u, u - 1, u - 2) of every block: 36 FMAs per block
 * on NB x 12 accumulators (NB = 2 with AVX-512, 1 with blocks of 8), the
 * mix of loads and FMAs of the 2 x 12 and 1 x 12 tiles.  The rows and
 * weights cycle through 4 KB and 3 KB, so the loads cannot be hoisted and
 * always hit L1.  SECONDS (default 1) is cut into 10 pairs of intervals,
 * this loop then vggrt_fma_probe (12 chains of FMAs on registers, what
 * "% of peak" in the profiles is against); it prints the medians of the
 * rates and the median of the pairs' ratios.  A direct convolution's
 * layer runs that loop and more (its stores, its tile's setup), so that
 * share is what it can hope for: bench/vs_ort.py quotes it beside the
 * direct layers' table.
 */
#define BENCH_NAME "mix_peak"
#include "bench_util.h"

#if defined(__GNUC__) && !defined(__clang__)
#define UNROLL _Pragma("GCC unroll 16")
#elif defined(__clang__)
#define UNROLL _Pragma("unroll")
#else
#define UNROLL
#endif

enum {
    B = BENCH_TARGET_BLOCK,
    NB = B == 16 ? 2 : 1, /* blocks per tile, as PlainTile's PRB and the blocked SNB */
    T = 12,               /* results per block */
    ROWS = 64,            /* input rows cycled through: 64 x 16 floats */
    WSETS = 8,            /* weight sets cycled through: 8 x 3 x NB x B floats */
    CHECK = 256,          /* steps between clock reads (~5 us) */
};
typedef float Vec __attribute__((vector_size(B * sizeof(float))));

/* `steps` sliding steps; the sums go to out[NB][T] (kept live). */
static __attribute__((noinline)) void mix_steps(const float *x, const float *w, Vec *out,
                                                long steps) {
    Vec acc[NB][T];
    UNROLL for (int b = 0; b < NB; b++)
        UNROLL for (int t = 0; t < T; t++)
            acc[b][t] = out[b * T + t];
    for (long s = 0; s < steps; s++) {
        const float *xp = x + (s % ROWS) * 16;
        const float *wp = w + (s % WSETS) * 3 * NB * B;
        Vec w0[NB], w1[NB], w2[NB];
        UNROLL for (int b = 0; b < NB; b++) {
            __builtin_memcpy(&w0[b], wp + (3 * b + 0) * B, sizeof(Vec));
            __builtin_memcpy(&w1[b], wp + (3 * b + 1) * B, sizeof(Vec));
            __builtin_memcpy(&w2[b], wp + (3 * b + 2) * B, sizeof(Vec));
        }
        UNROLL for (int u = 0; u < T + 2; u++) {
            const float xv = xp[u];
            UNROLL for (int b = 0; b < NB; b++) {
                if (u < T)
                    acc[b][u] += xv * w0[b];
                if (u >= 1 && u <= T)
                    acc[b][u - 1] += xv * w1[b];
                if (u >= 2)
                    acc[b][u - 2] += xv * w2[b];
            }
        }
    }
    UNROLL for (int b = 0; b < NB; b++)
        UNROLL for (int t = 0; t < T; t++)
            out[b * T + t] = acc[b][t];
}

/* GFLOP/s of the loop over `seconds`. */
static double mix_interval(const float *x, const float *w, Vec *out, double seconds) {
    long steps = 0;
    const double t0 = bench_clock_s(CLOCK_MONOTONIC);
    double t1;
    do {
        mix_steps(x, w, out, CHECK);
        steps += CHECK;
        t1 = bench_clock_s(CLOCK_MONOTONIC);
    } while (t1 - t0 < seconds);
    return 2.0 * NB * 3 * T * B * (double)steps / (t1 - t0) * 1e-9;
}

int main(int argc, char **argv) {
    const double seconds = argc > 1 ? atof(argv[1]) : 1.0;
    if (argc > 2 || !(seconds > 0 && seconds < 3600)) {
        fprintf(stderr, "usage: mix_peak [SECONDS]\n");
        return 2;
    }
    vggrt_set_num_threads(1);
    float *x = bench_alloc_rand(ROWS * 16);
    float *w = bench_alloc_rand(WSETS * 3 * NB * B);
    for (int i = 0; i < WSETS * 3 * NB * B; i++)
        w[i] *= 1e-3f; /* the sums stay far from overflow however long it runs */
    Vec *out = vggrt_aligned_alloc(NB * T * sizeof(Vec));
    if (!out)
        bench_out_of_memory();
    memset(out, 0, NB * T * sizeof(Vec));
    enum { PAIRS = 10 };
    double mix[PAIRS], probe[PAIRS], ratio[PAIRS];
    mix_interval(x, w, out, seconds / (2 * PAIRS)); /* warm up: caches, clock */
    for (int i = 0; i < PAIRS; i++) {
        mix[i] = mix_interval(x, w, out, seconds / (2 * PAIRS));
        probe[i] = vggrt_fma_probe(seconds / (2 * PAIRS));
        ratio[i] = mix[i] / probe[i];
    }
    float sum = 0;
    for (int i = 0; i < NB * T; i++)
        sum += out[i][0];
    printf("{\"gflops\": %.1f, \"probe_gflops\": %.1f, \"pct\": %.1f}\n",
           bench_median(mix, PAIRS), bench_median(probe, PAIRS),
           100.0 * bench_median(ratio, PAIRS) + (sum == 12345.0f)); /* (keeps the sums live) */
    vggrt_aligned_free(out);
    vggrt_aligned_free(w);
    vggrt_aligned_free(x);
    return 0;
}
