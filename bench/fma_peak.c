/* fma_peak.c — the machine's single-precision FMA peak, as a program can reach it.
 *
 *   fma_peak [THREADS] [SECONDS]        -> {"threads":T,"gflops":G,"per_thread":[...]}
 *
 * Each thread runs 12 independent chains of vector multiply-adds on
 * registers (no memory traffic): 12 chains hide the FMA latency (4 cycles)
 * on two FMA ports.  The vector type is the widest the compiler targets
 * (build with -O2 -march=native -ffp-contract=fast: 16 floats with
 * AVX-512).  GFLOP/s = 2 flops x lanes x chains x iterations / seconds,
 * taken as the best of 5 intervals per thread and summed over threads.
 * bench/vs_ort.py builds and runs it to state "% of peak".
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__AVX512F__)
enum { LANES = 16 };
#elif defined(__AVX__)
enum { LANES = 8 };
#else
enum { LANES = 4 };
#endif
typedef float Vec __attribute__((vector_size(LANES * sizeof(float))));

enum { CHAINS = 12, INNER = 1 << 20 };

static double seconds;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Twelve named accumulators, not an array: gcc keeps an array of vectors on
 * the stack, which would measure loads and stores instead of FMAs. */
#define CHAINS_DO(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

static void *probe(void *arg) {
    double *gflops = arg;
    Vec a, b;
    for (int l = 0; l < LANES; l++)
        a[l] = 0.999999f, b[l] = 1e-7f;
#define INIT(c) Vec acc##c = a * (float)((c) + 1);
    CHAINS_DO(INIT)
    double best = 0, start = now();
    for (int interval = 0; interval < 5; interval++) {
        long iters = 0;
        double t0 = now(), t1;
        do {
            for (int i = 0; i < INNER / CHAINS; i++) {
#define STEP(c) acc##c = acc##c * a + b;
                CHAINS_DO(STEP)
                /* Opaque to the optimizer: the chains cannot be folded. */
                __asm__ volatile("" : "+v"(acc0), "+v"(acc1), "+v"(acc2), "+v"(acc3),
                                 "+v"(acc4), "+v"(acc5));
                __asm__ volatile("" : "+v"(acc6), "+v"(acc7), "+v"(acc8), "+v"(acc9),
                                 "+v"(acc10), "+v"(acc11));
            }
            iters += INNER / CHAINS;
            t1 = now();
        } while (t1 - t0 < seconds / 5 && t1 - start < seconds);
        double g = 2.0 * LANES * CHAINS * (double)iters / (t1 - t0) * 1e-9;
        best = g > best ? g : best;
    }
    Vec sum = acc0 + acc1 + acc2 + acc3 + acc4 + acc5 + acc6 + acc7 + acc8 + acc9 + acc10 + acc11;
    *gflops = best + (sum[0] == 12345.0f); /* keeps the chains live */
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    seconds = argc > 2 ? atof(argv[2]) : 1.0;
    if (threads < 1 || threads > 256 || !(seconds > 0)) {
        fprintf(stderr, "usage: fma_peak [THREADS] [SECONDS]\n");
        return 2;
    }
    pthread_t t[256];
    double g[256];
    for (int i = 1; i < threads; i++)
        if (pthread_create(&t[i], NULL, probe, &g[i]) != 0) {
            fprintf(stderr, "fma_peak: cannot start thread %d\n", i);
            return 1;
        }
    probe(&g[0]);
    double total = g[0];
    for (int i = 1; i < threads; i++) {
        pthread_join(t[i], NULL);
        total += g[i];
    }
    printf("{\"threads\": %d, \"lanes\": %d, \"gflops\": %.1f, \"per_thread\": [", threads, LANES,
           total);
    for (int i = 0; i < threads; i++)
        printf("%s%.1f", i ? ", " : "", g[i]);
    printf("]}\n");
    return 0;
}
