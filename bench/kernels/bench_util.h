/* bench_util.h — the harness the kernel micro-benchmarks share: clocks,
 * medians of repeated runs, operand buffers of reproducible pseudo-random
 * values, and the options of the convolution benchmarks.
 *
 * Header-only (static inline), so that each benchmark is still one
 * executable built from one file with its own -march.  A benchmark defines
 * BENCH_NAME (its program name, for messages) before including it.
 */
#ifndef VGGC_BENCH_UTIL_H
#define VGGC_BENCH_UTIL_H

#include "vggrt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef BENCH_NAME
#error "define BENCH_NAME (the benchmark's program name) before including bench_util.h"
#endif

/* Seconds on clock `id` (CLOCK_MONOTONIC for wall time,
 * CLOCK_THREAD_CPUTIME_ID for this thread's CPU time). */
static inline double bench_clock_s(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline int bench_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median of v[0..n-1], n >= 1; sorts v. */
static inline double bench_median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static inline void bench_out_of_memory(void) {
    fprintf(stderr, BENCH_NAME ": out of memory\n");
    exit(1);
}

/* n aligned floats in [-1, 1), the same sequence on every run, so that
 * runs compare. Exits on failure (a benchmark has no one to report to). */
static inline float *bench_alloc_rand(size_t n) {
    float *p = vggrt_aligned_alloc(n * sizeof *p);
    if (!p)
        bench_out_of_memory();
    unsigned s = 12345u;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        p[i] = (float)((s >> 8) & 0xffff) / 32768.0f - 1.0f;
    }
    return p;
}

/* Room for the times of `reps` runs (free()). Exits on failure. */
static inline double *bench_alloc_times(int reps) {
    double *t = malloc((size_t)reps * sizeof *t);
    if (!t)
        bench_out_of_memory();
    return t;
}

/* The options of the convolution benchmarks. */
typedef struct {
    int reps, threads; /* runs per shape; threads of the multi-thread runs */
    long long batch;   /* images per run */
    long long only;    /* only the layers of this many input channels; 0: all */
    int block;         /* channels per block of the layout and kernels: 8 or 16 */
    long long flush_mb; /* MB read before every timed run (bench_evict); 0: warm caches */
    float *flush;       /* flush_mb of memory (vggrt_aligned_free), or NULL */
    size_t nflush;      /* floats of flush */
} BenchConvArgs;

/* Reads every line of f[0..n): the caches then hold it instead of the
 * data of the last run, as a layer of a network finds them after the
 * layers before it.  Returns a sum for the caller to keep alive. */
static inline float bench_flush(const float *f, size_t n) {
    float s = 0;
    for (size_t i = 0; i < n; i += 16)
        s += f[i];
    return s;
}

/* Reads the memory of --flush (none without it) before a timed run. */
static inline void bench_evict(const BenchConvArgs *a) {
    volatile float sink = bench_flush(a->flush, a->nflush); /* (keeps the reads) */
    (void)sink;
}

/* The block vggc picks for the CPU this file is compiled for (the
 * benchmarks are built with the kernels' -march): 16 with AVX-512, else 8
 * (target_block, codegen/target.c). */
#if defined(__AVX512F__)
#define BENCH_TARGET_BLOCK 16
#else
#define BENCH_TARGET_BLOCK 8
#endif

/* Whether argv[*i] is an option that every convolution benchmark takes,
 * --reps N, --threads N or --batch N, with its value; if so, reads the
 * value into *reps, *threads or *batch and steps *i over it. */
static inline int bench_common_arg(int argc, char **argv, int *i, int *reps, int *threads,
                                   long long *batch) {
    if (*i + 1 >= argc)
        return 0;
    const char *o = argv[*i], *v = argv[*i + 1];
    if (strcmp(o, "--reps") == 0)
        *reps = atoi(v);
    else if (strcmp(o, "--threads") == 0)
        *threads = atoi(v);
    else if (strcmp(o, "--batch") == 0)
        *batch = atoll(v);
    else
        return 0;
    ++*i;
    return 1;
}

/* Reads [--reps N] [--threads N] [--batch N] [--only C] [--block 8|16]
 * [--flush MB] into *a (defaults 7, 2, 1, 0, BENCH_TARGET_BLOCK, 0) and
 * allocates the memory of --flush. On anything else or a value out of
 * range, prints why and returns 0 (the caller exits with 2); else 1. */
static inline int bench_conv_args(int argc, char **argv, BenchConvArgs *a) {
    a->reps = 7, a->threads = 2, a->batch = 1, a->only = 0, a->block = BENCH_TARGET_BLOCK;
    a->flush_mb = 0;
    for (int i = 1; i < argc; i++) {
        if (bench_common_arg(argc, argv, &i, &a->reps, &a->threads, &a->batch))
            continue;
        if (strcmp(argv[i], "--block") == 0 && i + 1 < argc)
            a->block = atoi(argv[++i]);
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            a->only = atoll(argv[++i]);
        else if (strcmp(argv[i], "--flush") == 0 && i + 1 < argc)
            a->flush_mb = atoll(argv[++i]);
        else {
            fprintf(stderr, "usage: " BENCH_NAME " [--reps N] [--threads N] [--batch N] "
                            "[--only C] [--block 8|16] [--flush MB]\n");
            return 0;
        }
    }
    if (a->reps < 1 || a->threads < 1 || a->batch < 1) {
        fprintf(stderr, BENCH_NAME ": --reps, --threads and --batch must be >= 1\n");
        return 0;
    }
    if (a->flush_mb < 0 || a->flush_mb > 4096) {
        fprintf(stderr, BENCH_NAME ": --flush must be 0..4096 (MB)\n");
        return 0;
    }
    if (a->block != 8 && a->block != 16) {
        fprintf(stderr, BENCH_NAME ": --block must be 8 or 16\n");
        return 0;
    }
    a->nflush = (size_t)a->flush_mb * (1u << 20) / sizeof(float);
    a->flush = a->nflush ? bench_alloc_rand(a->nflush) : NULL;
    return 1;
}

/* The parameters of a 3x3, stride-1, pad-1 convolution with ReLU of c
 * channels into k on hw x hw maps, input in `layout`, with a fused
 * pool x pool max pool of stride `pool` when pool > 0: the VGG-16 layers
 * the convolution benchmarks time. */
static inline vggrt_dconv_params bench_vgg_conv(int64_t c, int64_t k, int64_t hw, int layout,
                                                int64_t pool) {
    vggrt_dconv_params p;
    memset(&p, 0, sizeof p);
    vggrt_conv_params *q = &p.conv;
    q->c = c, q->h = hw, q->w = hw, q->k = k, q->kh = 3, q->kw = 3, q->sh = 1, q->sw = 1;
    q->pt = 1, q->pl = 1, q->dh = 1, q->dw = 1, q->group = 1, q->act = VGGRT_ACT_RELU;
    q->oh = hw, q->ow = hw;
    p.in_layout = layout;
    p.pool_k = pool, p.pool_s = pool;
    p.py = pool ? hw / 2 : hw, p.px = pool ? hw / 2 : hw;
    return p;
}

#endif
