/* wino_bench.c — speed of the Winograd F(4x4, 3x3) convolution
 * (vggrt_wino_conv2d) against the blocked direct convolution (vggrt_dconv2d)
 * on the 3x3 layers of VGG-16 at a 160x160 input (pad 1, ReLU, blocked
 * input), with and without the fused 2x2 max pool.
 *
 * Rates are "effective": the direct convolution's 2*k*c*9*h*w flops over
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
 */
#define _POSIX_C_SOURCE 200809L
#include "vggrt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { B = VGGRT_BLOCK };

static double clock_s(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static float *alloc_rand(size_t n) {
    float *p = vggrt_aligned_alloc(n * sizeof *p);
    if (!p) {
        fprintf(stderr, "wino_bench: out of memory\n");
        exit(1);
    }
    unsigned s = 12345u;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        p[i] = (float)((s >> 8) & 0xffff) / 32768.0f - 1.0f;
    }
    return p;
}

static double *alloc_times(int reps) {
    double *t = malloc((size_t)reps * sizeof *t);
    if (!t) {
        fprintf(stderr, "wino_bench: out of memory\n");
        exit(1);
    }
    return t;
}

static void bench(int64_t c, int64_t k, int64_t hw, int64_t pool, int64_t batch, int reps,
                  int threads) {
    vggrt_dconv_params p;
    memset(&p, 0, sizeof p);
    vggrt_conv_params *q = &p.conv;
    q->c = c, q->h = hw, q->w = hw, q->k = k, q->kh = 3, q->kw = 3, q->sh = 1, q->sw = 1;
    q->pt = 1, q->pl = 1, q->dh = 1, q->dw = 1, q->group = 1, q->act = VGGRT_ACT_RELU;
    q->oh = hw, q->ow = hw;
    p.in_layout = VGGRT_LAYOUT_BLOCKED;
    p.pool_k = pool, p.pool_s = pool;
    p.py = pool ? hw / 2 : hw, p.px = pool ? hw / 2 : hw;
    const int64_t cb = (c + B - 1) / B, kb = (k + B - 1) / B;
    float *x = alloc_rand((size_t)(batch * cb * B * hw * hw));
    float *w = alloc_rand((size_t)(k * c * 9)), *bias = alloc_rand((size_t)(kb * B));
    float *wpack = alloc_rand(vggrt_wino_packed_size(&p));
    float *dpack = alloc_rand(vggrt_dconv_packed_size(&p));
    float *y = alloc_rand((size_t)(batch * kb * B * p.py * p.px));
    size_t nwork = vggrt_dconv_work_size(&p);
    float *work = alloc_rand(nwork ? nwork : 1);
    vggrt_wino_pack(&p, w, wpack);
    vggrt_dconv_pack(&p, w, dpack);
    double *t1 = alloc_times(reps), *w1 = alloc_times(reps), *wn = alloc_times(reps);
    double *d1 = alloc_times(reps);
    vggrt_set_num_threads(1);
    vggrt_wino_conv2d(&p, batch, x, wpack, bias, y, NULL); /* warm caches, page in */
    vggrt_dconv2d(&p, batch, x, dpack, bias, y, work);
    for (int r = 0; r < reps; r++) {
        vggrt_set_num_threads(1);
        double c0 = clock_s(CLOCK_THREAD_CPUTIME_ID), m0 = clock_s(CLOCK_MONOTONIC);
        vggrt_wino_conv2d(&p, batch, x, wpack, bias, y, NULL);
        w1[r] = clock_s(CLOCK_MONOTONIC) - m0;
        t1[r] = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
        c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
        vggrt_dconv2d(&p, batch, x, dpack, bias, y, work);
        d1[r] = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
        vggrt_set_num_threads(threads);
        m0 = clock_s(CLOCK_MONOTONIC);
        vggrt_wino_conv2d(&p, batch, x, wpack, bias, y, NULL);
        wn[r] = clock_s(CLOCK_MONOTONIC) - m0;
    }
    const double flops = 2.0 * (double)(batch * k * c * 9 * hw * hw);
    const double mt1 = median(t1, reps), mw1 = median(w1, reps), mwn = median(wn, reps);
    const double md1 = median(d1, reps);
    printf("c=%4lld k=%4lld %3lldx%-3lld%s n=%lld | 1 thread: wino %8.3f ms %6.1f GFLOP/s eff, "
           "direct %8.3f ms %6.1f GFLOP/s (x%.2f) | %d threads: wino %8.3f ms wall %6.1f GFLOP/s "
           "eff, speedup %.2f\n",
           (long long)c, (long long)k, (long long)hw, (long long)hw, pool ? " +pool" : "      ",
           (long long)batch, mt1 * 1e3, flops / mt1 * 1e-9, md1 * 1e3, flops / md1 * 1e-9,
           md1 / mt1, threads, mwn * 1e3, flops / mwn * 1e-9, mw1 / mwn);
    fflush(stdout);
    vggrt_aligned_free(x), vggrt_aligned_free(w), vggrt_aligned_free(bias);
    vggrt_aligned_free(wpack), vggrt_aligned_free(dpack), vggrt_aligned_free(y);
    vggrt_aligned_free(work);
    free(t1), free(w1), free(wn), free(d1);
}

int main(int argc, char **argv) {
    int reps = 7, threads = 2;
    long long batch = 1, only = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc)
            batch = atoll(argv[++i]);
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = atoll(argv[++i]);
        else {
            fprintf(stderr, "usage: wino_bench [--reps N] [--threads N] [--batch N] [--only C]\n");
            return 2;
        }
    }
    if (reps < 1 || threads < 1 || batch < 1) {
        fprintf(stderr, "wino_bench: --reps, --threads and --batch must be >= 1\n");
        return 2;
    }
    static const struct { int64_t c, hw; } layers[] = {
        { 64, 160 }, { 128, 80 }, { 256, 40 }, { 512, 20 }, { 512, 10 },
    };
    for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
        if (only && layers[i].c != only)
            continue;
        for (int64_t pool = 0; pool <= 2; pool += 2)
            bench(layers[i].c, layers[i].c, layers[i].hw, pool, batch, reps, threads);
    }
    return 0;
}
