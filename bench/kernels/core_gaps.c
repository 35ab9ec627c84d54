/* core_gaps.c — how much wall-clock time the machine takes from a thread
 * that never sleeps: the context for every rate the benchmarks quote.
 *
 *   core_gaps [SECONDS]   -> {"seconds": S, "lost_pct": P, "gaps_per_s": N,
 *                             "median_gap_us": G, "median_spacing_ms": D}
 *
 * One thread reads CLOCK_MONOTONIC in a tight loop for SECONDS (default
 * 2).  Two consecutive reads are tens of nanoseconds apart; where they are
 * more than GAP_NS apart the thread did not run in between (an interrupt,
 * another process, or, on a virtual machine, the host taking the core,
 * which the guest's /proc/stat need not count as steal).  It prints the
 * share of the time lost in such gaps, how many there were per second,
 * the median gap and the median time from one gap to the next.
 *
 * Why it matters: a layer of half a millisecond (VGG-16's first layer) and
 * the 0.5 ms FMA probes beside it in `vggc bench --profile` are each hit
 * or missed by a gap, so on a machine that loses its core for ~40 us
 * every millisecond (the Zen 5 VM of 2026-12-02: 5-8% of the time) their
 * rates move by that much from run to run.  bench/vs_ort.py runs this in
 * each round and quotes it beside its tables.  A benchmark, not a test.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { GAP_NS = 2000, MAX_GAPS = 1 << 20 };

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b) {
    const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The median of v[0..n) (sorts v); 0 for n == 0. */
static double median(int64_t *v, int64_t n) {
    if (n == 0)
        return 0;
    qsort(v, (size_t)n, sizeof *v, cmp_i64);
    return n % 2 ? (double)v[n / 2] : 0.5 * (double)(v[n / 2 - 1] + v[n / 2]);
}

int main(int argc, char **argv) {
    const double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    if (argc > 2 || !(seconds > 0 && seconds <= 60)) {
        fprintf(stderr, "usage: core_gaps [SECONDS in (0, 60]]\n");
        return 2;
    }
    static int64_t len[MAX_GAPS], at[MAX_GAPS];
    int64_t n = 0, lost = 0;
    const int64_t t0 = now_ns(), end = t0 + (int64_t)(seconds * 1e9);
    int64_t last = t0;
    while (last < end) {
        const int64_t t = now_ns();
        if (t - last > GAP_NS && n < MAX_GAPS) {
            len[n] = t - last, at[n] = last, lost += t - last;
            n++;
        }
        last = t;
    }
    const double total = (double)(last - t0);
    /* Spacing: from the start of one gap to the start of the next. */
    for (int64_t i = 0; i + 1 < n; i++)
        at[i] = at[i + 1] - at[i];
    const double spacing = median(at, n > 1 ? n - 1 : 0);
    printf("{\"seconds\": %.2f, \"lost_pct\": %.2f, \"gaps_per_s\": %.0f, "
           "\"median_gap_us\": %.1f, \"median_spacing_ms\": %.3f}\n",
           total * 1e-9, 100.0 * (double)lost / total, (double)n / (total * 1e-9),
           median(len, n) * 1e-3, spacing * 1e-6);
    return 0;
}
