/* fma_peak.c — the machine's single-precision FMA peak, as a program can reach it.
 *
 *   fma_peak [THREADS] [SECONDS]        -> {"threads": T, "gflops": G}
 *
 * THREADS threads of libvggrt's pool run vggrt_fma_probe
 * (runtime/kernels/probe.c: independent chains of vector multiply-adds on
 * registers, the vectors as wide as the kernels'), in 5 intervals of
 * SECONDS/5; it prints the best interval's total rate.  The per-layer
 * profile (`vggc bench --profile`) probes with the same function between
 * layers; bench/vs_ort.py runs this for the whole-network rows.
 */
#include "vggrt.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    const int threads = argc > 1 ? atoi(argv[1]) : 1;
    const double seconds = argc > 2 ? atof(argv[2]) : 1.0;
    if (threads < 1 || threads > 256 || !(seconds > 0 && seconds < 3600)) {
        fprintf(stderr, "usage: fma_peak [THREADS 1..256] [SECONDS]\n");
        return 2;
    }
    vggrt_set_num_threads(threads);
    double best = 0;
    for (int interval = 0; interval < 5; interval++) {
        const double g = vggrt_fma_probe(seconds / 5);
        best = g > best ? g : best;
    }
    printf("{\"threads\": %d, \"gflops\": %.1f}\n", threads, best);
    return 0;
}
