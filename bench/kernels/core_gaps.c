/* core_gaps.c — how much wall-clock time the machine takes from a thread
 * that never sleeps: the context for every rate the benchmarks quote.
 *
 *   core_gaps [SECONDS]   -> {"seconds": S, "lost_pct": P, "gaps_per_s": N,
 *                             "median_gap_us": G, "median_spacing_ms": D}
 *
 * One thread reads CLOCK_MONOTONIC in a tight loop for SECONDS (default
 * 2).  Two consecutive reads are tens of nanoseconds apart; where they are
 * more than GAP_S (2 us) apart the thread did not run in between (an interrupt,
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
#define BENCH_NAME "core_gaps"

#include "bench_util.h"

enum { MAX_GAPS = 1 << 20 };
#define GAP_S 2e-6 /* a gap: two clock reads more than this apart */

int main(int argc, char **argv) {
    const double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    if (argc > 2 || !(seconds > 0 && seconds <= 60)) {
        fprintf(stderr, "usage: core_gaps [SECONDS in (0, 60]]\n");
        return 2;
    }
    static double len[MAX_GAPS], at[MAX_GAPS];
    int n = 0;
    double lost = 0;
    const double t0 = bench_clock_s(CLOCK_MONOTONIC), end = t0 + seconds;
    double last = t0;
    while (last < end) {
        const double t = bench_clock_s(CLOCK_MONOTONIC);
        if (t - last > GAP_S && n < MAX_GAPS) {
            len[n] = t - last, at[n] = last, lost += t - last;
            n++;
        }
        last = t;
    }
    const double total = last - t0;
    /* Spacing: from the start of one gap to the start of the next. */
    for (int i = 0; i + 1 < n; i++)
        at[i] = at[i + 1] - at[i];
    const double spacing = n > 1 ? bench_median(at, n - 1) : 0;
    const double gap = n > 0 ? bench_median(len, n) : 0;
    printf("{\"seconds\": %.2f, \"lost_pct\": %.2f, \"gaps_per_s\": %.0f, "
           "\"median_gap_us\": %.1f, \"median_spacing_ms\": %.3f}\n",
           total, 100.0 * lost / total, n / total, gap * 1e6, spacing * 1e3);
    return 0;
}
