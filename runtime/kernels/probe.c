/* probe.c — the single-precision FMA rate the machine gives this process
 * now: the reference for "% of peak" in per-layer profiles
 * (runtime/profile.c) and in the benchmarks (bench/kernels/fma_peak.c).
 *
 * Each thread of the pool runs 12 independent chains of vector
 * multiply-adds on registers, with no memory traffic: 12 chains hide the
 * FMA latency (4 cycles) on two FMA ports.  The vectors are the widest
 * this file is compiled for, as the kernels' (16 floats with AVX-512; the
 * build passes -ffp-contract=fast, so that a * b + c is one FMA).  The
 * rate is wall-clock: a thread that loses its core to another process
 * loses probe time as a layer would.  On shared virtual machines the rate
 * moves by up to 2x within seconds, so a layer's share of the peak means
 * something only against a probe taken right beside it: the profile
 * probes between layers.
 */
#define _POSIX_C_SOURCE 200809L
#include "vggrt.h"

#include <time.h>

#if defined(__AVX512F__)
enum { LANES = 16 };
#elif defined(__AVX__)
enum { LANES = 8 };
#else
enum { LANES = 4 };
#endif
typedef float Vec __attribute__((vector_size(LANES * sizeof(float))));

/* Steps between clock reads: 12 * 1024 FMAs, about 2 microseconds. */
enum { CHAINS = 12, STEPS = 1024, MAX_THREADS = 256 };

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Twelve named accumulators, not an array: gcc keeps an array of vectors on
 * the stack, which would measure loads and stores instead of FMAs. */
#define CHAINS_DO(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

/* STEPS steps of the chains acc[0..12), in registers: no call in the loop
 * (a call clobbers every vector register, and gcc then kept the chains on
 * the stack, loading and storing each around every multiply-add). */
static __attribute__((noinline)) void run_steps(Vec *acc, Vec a, Vec b) {
#define LOAD(c) Vec acc##c = acc[c];
    CHAINS_DO(LOAD)
    for (int i = 0; i < STEPS; i++) {
#define STEP(c) acc##c = acc##c * a + b;
        CHAINS_DO(STEP)
#if defined(__x86_64__) || defined(__i386__)
        /* Opaque to the optimizer: the chains cannot be folded. */
        __asm__ volatile("" : "+v"(acc0), "+v"(acc1), "+v"(acc2), "+v"(acc3), "+v"(acc4),
                         "+v"(acc5));
        __asm__ volatile("" : "+v"(acc6), "+v"(acc7), "+v"(acc8), "+v"(acc9), "+v"(acc10),
                         "+v"(acc11));
#endif
    }
#define STORE(c) acc[c] = acc##c;
    CHAINS_DO(STORE)
}

/* GFLOP/s of this thread over `seconds`. */
static double probe_thread(double seconds) {
    Vec a, b, acc[CHAINS];
    for (int l = 0; l < LANES; l++)
        a[l] = 0.999999f, b[l] = 1e-7f;
    for (int c = 0; c < CHAINS; c++)
        acc[c] = a * (float)(c + 1);
    long steps = 0;
    const double t0 = now_s();
    double t1;
    do {
        run_steps(acc, a, b);
        steps += STEPS;
        t1 = now_s();
    } while (t1 - t0 < seconds);
    Vec sum = acc[0];
    for (int c = 1; c < CHAINS; c++)
        sum += acc[c];
    /* (the sum keeps the chains live; it is never that value) */
    return 2.0 * LANES * CHAINS * (double)steps / (t1 - t0) * 1e-9 + (sum[0] == 12345.0f);
}

typedef struct {
    double seconds;
    double gflops[MAX_THREADS];
} Probe;

static void probe_task(void *ctx, int64_t begin, int64_t end, int tid) {
    (void)begin, (void)end;
    Probe *p = ctx;
    p->gflops[tid] = probe_thread(p->seconds);
}

double vggrt_fma_probe(double seconds) {
    int threads = vggrt_num_threads();
    threads = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : threads;
    Probe p = { .seconds = seconds };
    /* One item per thread; a range that runs on a busy pool (serially, on
     * the caller) still probes only once.  (Items are claimed: a thread
     * that wakes late may find its item run by another after that one's
     * own, each still the rate of one thread.) */
    vggrt_parallel_for(threads, probe_task, &p);
    double total = 0;
    for (int t = 0; t < threads; t++)
        total += p.gflops[t];
    return total;
}
