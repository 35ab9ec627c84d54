/* gemm_bench.c — speed of the dense layers of VGG-16 (vggrt_gemm beside
 * OpenBLAS's cblas_sgemm on the same operands).
 *
 * Shapes: the three classifier layers of classic VGG-16 (Gemm 25088->4096,
 * 4096->4096, 4096->1000), at batch (M) 1 and 8, on 1 and 2 threads, with
 * B laid out as PyTorch exports it (transB=1, B is [N,K]) and, with
 * --transb 0 or 2, as [K,N] (MatMul of a tf2onnx model).  At batch 1 a
 * layer is a matrix-vector product: it reads every weight once and does 2
 * flops per weight, so its speed is the rate at which the weights stream
 * from memory.  The program first measures that rate (a plain read of a
 * 512 MB buffer, 1 and 2 threads) as the yardstick.
 *
 * Before every timed call a 512 MB buffer is read, so the weights come
 * from memory, not from the last-level cache (as in a network, where the
 * convolutions run in between).  Runs of ours and of OpenBLAS alternate;
 * reported are medians of wall-clock time over --reps runs, as GB/s of
 * weights and GFLOP/s.  OPENBLAS_CORETYPE (read by OpenBLAS before main)
 * and the kernels OpenBLAS chose are printed first.  The largest relative
 * difference between the two results is printed as a sanity check only
 * (tests/runtime/test_kernels.c is the test).
 *
 * With --warm there is no such flush: the layers whose weights fit the
 * last-level cache then show the kernels' compute rate.  With --packed,
 * "ours" is vggrt_gemm_packed on B packed beforehand (vggrt_gemm_pack, not
 * timed), as the compiler emits a dense layer; --m M runs batch M only.
 * Usage: gemm_bench [--reps N] [--transb 0|1|2 (both)] [--only K] [--m M]
 *                   [--warm] [--packed]
 */
#define _POSIX_C_SOURCE 200809L
#define BENCH_NAME "gemm_bench"
#include "bench_util.h"

#include <cblas.h>
#include <math.h>

/* OpenBLAS's own entry points (declared in its cblas.h, repeated here so
 * that another CBLAS's header does not break the build). */
void openblas_set_num_threads(int num_threads);
char *openblas_get_corename(void);

enum { FLUSH_FLOATS = 128 << 20 }; /* 512 MB */

static double now(void) {
    return bench_clock_s(CLOCK_MONOTONIC);
}

typedef float Vec16 __attribute__((vector_size(64)));

typedef struct {
    const float *p;
    int64_t n; /* floats, a multiple of 16 */
    float sums[256];
} ReadJob;

static void read_task(void *ctx, int64_t begin, int64_t end, int tid) {
    ReadJob *r = ctx;
    Vec16 a[4] = { { 0 }, { 0 }, { 0 }, { 0 } };
    for (int64_t i = begin * 64; i < end * 64; i += 64)
        for (int u = 0; u < 4; u++) {
            Vec16 v;
            memcpy(&v, r->p + i + u * 16, sizeof v);
            a[u] += v;
        }
    Vec16 s = a[0] + a[1] + a[2] + a[3];
    r->sums[tid] = s[0] + s[15];
}

/* Reads n floats (a multiple of 64) on the pool's threads; the seconds taken. */
static double read_all(const float *p, int64_t n) {
    ReadJob r;
    memset(&r, 0, sizeof r);
    r.p = p, r.n = n;
    double t0 = now();
    vggrt_parallel_for(n / 64, read_task, &r);
    double t = now() - t0;
    if (r.sums[0] == 12345.0f) /* keeps the sums alive */
        printf(" ");
    return t;
}

static const float *flush_buf;

static void bandwidth(int reps) {
    for (int threads = 1; threads <= 2; threads++) {
        vggrt_set_num_threads(threads);
        double v[64];
        for (int r = 0; r < reps && r < 64; r++)
            v[r] = read_all(flush_buf, FLUSH_FLOATS);
        double t = bench_median(v, reps < 64 ? reps : 64);
        printf("memory read bandwidth, %d thread%s: %6.1f GB/s\n", threads, threads > 1 ? "s" : "",
               (double)FLUSH_FLOATS * 4 / t * 1e-9);
    }
}

static int warm, packed;

static void bench(int tb, int64_t M, int64_t K, int64_t N, int reps) {
    float *A = bench_alloc_rand((size_t)(M * K)), *Bw = bench_alloc_rand((size_t)(K * N));
    float *C = bench_alloc_rand((size_t)N), *Y = bench_alloc_rand((size_t)(M * N));
    float *Yb = bench_alloc_rand((size_t)(M * N));
    const int64_t ldb = tb ? K : N;
    const double bytes = 4.0 * (double)(K * N), flops = 2.0 * (double)(M * K * N);
    float *Bp = NULL;
    if (packed) {
        Bp = vggrt_aligned_alloc(vggrt_gemm_packed_size(N, K) * sizeof *Bp);
        if (!Bp)
            bench_out_of_memory();
        vggrt_gemm_pack(tb, N, K, Bw, Bp);
    }
    for (int threads = 1; threads <= 2; threads++) {
        double *to = bench_alloc_times(reps), *tr = bench_alloc_times(reps);
        vggrt_set_num_threads(threads);
        openblas_set_num_threads(threads);
        for (int r = 0; r < reps; r++) {
            if (!warm)
                read_all(flush_buf, FLUSH_FLOATS);
            double t0 = now();
            if (packed)
                vggrt_gemm_packed(M, N, K, 1.0f, A, K, Bp, 1.0f, C, 0, 1, Y);
            else
                vggrt_gemm(0, tb, M, N, K, 1.0f, A, K, Bw, ldb, 1.0f, C, 0, 1, Y);
            to[r] = now() - t0;
            if (!warm)
                read_all(flush_buf, FLUSH_FLOATS);
            t0 = now();
            /* The same layer as OpenBLAS does it: bias rows, then beta = 1. */
            for (int64_t i = 0; i < M; i++)
                memcpy(Yb + i * N, C, (size_t)N * sizeof *C);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)M,
                        (int)N, (int)K, 1.0f, A, (int)K, Bw, (int)ldb, 1.0f, Yb, (int)N);
            tr[r] = now() - t0;
        }
        double maxrel = 0;
        for (int64_t i = 0; i < M * N; i++) {
            double d = fabs((double)Y[i] - Yb[i]) / (fabs((double)Yb[i]) + 1.0);
            maxrel = d > maxrel ? d : maxrel;
        }
        const double mo = bench_median(to, reps), mr = bench_median(tr, reps);
        printf("%s M=%2lld K=%5lld N=%4lld %d thr | ours %7.2f ms %6.1f GB/s %6.1f GFLOP/s | "
               "openblas %7.2f ms %6.1f GB/s %6.1f GFLOP/s | x%.2f  (diff %.1e)\n",
               tb ? "B[N,K]" : "B[K,N]", (long long)M, (long long)K, (long long)N, threads,
               mo * 1e3, bytes / mo * 1e-9, flops / mo * 1e-9, mr * 1e3, bytes / mr * 1e-9,
               flops / mr * 1e-9, mr / mo, maxrel);
        fflush(stdout);
        free(to), free(tr);
    }
    vggrt_aligned_free(A), vggrt_aligned_free(Bw), vggrt_aligned_free(C);
    vggrt_aligned_free(Y), vggrt_aligned_free(Yb), vggrt_aligned_free(Bp);
}

int main(int argc, char **argv) {
    int reps = 7, transb = 1;
    long long only = 0, only_m = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--transb") == 0 && i + 1 < argc)
            transb = atoi(argv[++i]);
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = atoll(argv[++i]);
        else if (strcmp(argv[i], "--warm") == 0)
            warm = 1;
        else if (strcmp(argv[i], "--packed") == 0)
            packed = 1;
        else if (strcmp(argv[i], "--m") == 0 && i + 1 < argc && atoll(argv[i + 1]) >= 1)
            only_m = atoll(argv[++i]);
        else {
            fprintf(stderr, "usage: gemm_bench [--reps N] [--transb 0|1|2] [--only K] [--m M]"
                            " [--warm] [--packed]\n");
            return 2;
        }
    }
    if (reps < 1 || transb < 0 || transb > 2) {
        fprintf(stderr, "gemm_bench: --reps must be >= 1, --transb 0, 1 or 2\n");
        return 2;
    }
    const char *ct = getenv("OPENBLAS_CORETYPE");
    printf("OPENBLAS_CORETYPE=%s, OpenBLAS core: %s\n", ct ? ct : "(unset)",
           openblas_get_corename());
    flush_buf = bench_alloc_rand(FLUSH_FLOATS);
    bandwidth(reps);
    static const struct { int64_t k, n; } layers[] = { { 25088, 4096 }, { 4096, 4096 }, { 4096, 1000 } };
    for (int tb = 0; tb <= 1; tb++) {
        if (transb != 2 && tb != transb)
            continue;
        for (int64_t m = only_m ? only_m : 1; m <= (only_m ? only_m : 8); m += 7)
            for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++)
                if (!only || layers[i].k == only)
                    bench(tb, m, layers[i].k, layers[i].n, reps);
    }
    vggrt_aligned_free((float *)flush_buf);
    return 0;
}
