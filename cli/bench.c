/* bench.c — `vggc bench`: how fast a model runs, and where the time goes.
 *
 *   vggc bench MODEL.onnx [--batch N] [--iters N] [--warmup N] [--threads N]
 *                         [--backend jit|c] [--target T] [-O0..-O3] [--profile] [--json]
 *
 * The model runs on a seeded input (uniform in [-1, 1], as the models'
 * inputs are after scaling; the time of every layer but none of the results
 * depends on the values).  After --warmup runs, --iters runs are timed one
 * by one; the report gives the median and the minimum, images/s and the
 * effective GFLOP/s (the FLOPs of a direct convolution and of the dense
 * products, per image, over the median: Winograd layers do fewer
 * multiplies, so theirs can exceed the machine's peak).
 *
 * --profile times each layer too: the generated code calls
 * vggrt_layer_done after every layer (runtime/profile.c), and --iters more
 * runs record them.  The table lists each layer as `inspect
 * --after-passes` names it, with its kernel, output shape, median ms,
 * GFLOP/s and share of the total.
 *
 * Backends: jit (default) runs the model as `vggc run` does, with the
 * kernels chosen for --batch (Graph.batch_hint).  c compiles it as `vggc
 * compile --batch-hint` does into a temporary folder, builds the program with
 * its Makefile (make and a C compiler must be on PATH), runs it with
 * --bench and --profile and reads its JSON; the table is the same.
 * Speed is never asserted here: the machines are shared and noisy.
 */
#define _GNU_SOURCE
#include "cli.h"
#include "frontend.h"
#include "passes.h"
#include "vggrt.h"

#include <cblas.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_IO 64

typedef struct {
    int batch, iters, warmup, threads, opt_level;
    const char *backend, *target;
    bool profile, json, use_cache;
    Binds binds;            /* --bind */
    ImportOptions io;       /* pointing into binds */
} BenchOptions;

/* What was measured: whole runs and, with --profile, layers (medians over
 * the profiled runs): milliseconds, and the GFLOP the FMA peak probed
 * beside the layer does in its time (vggrt_profile_begin). */
typedef struct {
    double median_ms, min_ms;
    double *layer_ms;       /* plan->n_layers entries, or NULL */
    double *layer_peak;     /* plan->n_layers entries, or NULL */
} Timing;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

/* FLOPs of one layer for the whole batch: a direct convolution's
 * 2 * K * C/group * kh * kw * OH * OW per item (a transposed one's
 * 2 * C * K/group * taps * input volume: every input feeds every tap), a
 * dense product's 2 * M * N * K; 0 for layers that only move or compare
 * data. */
static double layer_flops(const Graph *g, const Node *n, int64_t batch)
{
    if (n->op == OP_CONV_TRANSPOSE) {
        vggrt_conv3d_params p;
        plan_conv_transpose_params(g, n, &p);
        const vggrt_conv_params *q = &p.hw;
        return 2.0 * (double)q->c * (double)(q->k / q->group) *
               (double)(p.kd * q->kh * q->kw) * (double)(p.d * q->h * q->w) * (double)batch;
    }
    if (n->op == OP_CONV) {
        vggrt_conv_params p;
        plan_conv_params(g, n, &p);
        return 2.0 * (double)p.k * (double)(p.c / p.group) * (double)(p.kh * p.kw) *
               (double)(p.oh * p.ow) * (double)batch;
    }
    if (n->op == OP_GEMM || n->op == OP_MATMUL) {
        const Shape *y = &g->values[n->out[0]].shape;
        const Shape *b = &g->values[n->in[1]].shape;
        bool trans_b = n->op == OP_GEMM && n->attr.gemm.trans_b;
        double k = (double)(b->rank >= 2 ? b->d[b->rank - (trans_b ? 1 : 2)] : b->d[0]);
        double elems = 1;
        for (int i = 0; i < y->rank; i++)
            elems *= (double)(y->d[i] == VGGC_DIM_N ? batch : y->d[i]);
        return 2.0 * k * elems;
    }
    return 0;
}

/* Seeded inputs, as the model declares them with the batch filled in. */
static bool make_inputs(const Graph *g, int64_t batch, vggrt_tensor *t)
{
    uint64_t state = 0x9e3779b97f4a7c15ull;
    for (uint32_t i = 0; i < g->n_inputs; i++) {
        const Value *v = &g->values[g->inputs[i]];
        size_t count = 1;
        t[i].dtype = rt_dtype(v->dtype);    /* other than f32: zeros ("0" as text) */
        t[i].rank = v->shape.rank;
        for (int d = 0; d < v->shape.rank; d++) {
            t[i].dims[d] = v->shape.d[d] == VGGC_DIM_N ? batch : v->shape.d[d];
            if (t[i].dims[d] < 0 || !size_mul(count, (size_t)t[i].dims[d], &count))
                return false;
        }
        if (!size_mul(count, dtype_size(v->dtype), &t[i].nbytes) ||
            !(t[i].data = vggrt_aligned_alloc(t[i].nbytes ? t[i].nbytes : 1)))
            return false;
        if (t[i].dtype == VGGRT_F32) {
            float *f = t[i].data;
            for (size_t e = 0; e < count; e++) {
                state = state * 6364136223846793005ull + 1442695040888963407ull;
                f[e] = (float)((double)(state >> 40) / (double)(1ull << 24) * 2.0 - 1.0);
            }
        } else if (t[i].dtype == VGGRT_STRING) {
            /* an empty text is not a number: a Cast from it would fail */
            vggrt_string *s = t[i].data;
            for (size_t e = 0; e < count; e++)
                s[e].text[0] = '0';
        }
    }
    return true;
}

/* --backend jit: this process runs the model. */
static int time_jit(const char *model, Plan *p, const vggrt_tensor *in, int64_t batch,
                    const BenchOptions *o, Timing *tm)
{
    const Graph *g = p->g;
    JitModel jm;
    int rc = jit_model_load(&jm, p, model, &o->io, o->opt_level, o->target, o->use_cache);
    if (rc)
        return rc;
    rc = 3;
    unsigned char *arena = vggrt_aligned_alloc(
        (size_t)(p->static_bytes + (uint64_t)batch * p->batch_bytes + 64));
    void *out_p[MAX_IO] = {0};
    const void *in_p[MAX_IO];
    double *runs = calloc((size_t)o->iters, sizeof *runs);
    const size_t cells = (size_t)o->iters * p->n_layers + 1;
    double *lay = o->profile ? calloc(cells, sizeof *lay) : NULL;
    double *peak = o->profile ? calloc(cells, sizeof *peak) : NULL;
    bool ok = arena && runs && (!o->profile || (lay && peak));
    for (uint32_t i = 0; ok && i < g->n_outputs; i++) {
        const Value *v = &g->values[g->outputs[i]];
        size_t count = 1;
        for (int d = 0; d < v->shape.rank; d++)
            count *= (size_t)(v->shape.d[d] == VGGC_DIM_N ? batch : v->shape.d[d]);
        ok = (out_p[i] = vggrt_aligned_alloc(count * dtype_size(v->dtype) + 1)) != NULL;
    }
    if (!ok) {
        fprintf(stderr, "vggc: error: out of memory\n");
        goto out;
    }
    for (uint32_t i = 0; i < g->n_inputs; i++)
        in_p[i] = in[i].data;
    int st = 0;
    /* Progress counts every run (warm-up, timed, profiled) and is drawn
     * between runs, outside the timed interval. */
    int total = o->warmup + o->iters * (lay ? 2 : 1), done = 0;
    char what[64];
    snprintf(what, sizeof what, "%d run%s", total, total == 1 ? "" : "s");
    progress_begin("timing", "timed", what, 0);
    for (int i = 0; i < o->warmup && !st; i++) {
        st = jm.entry(batch, arena, jm.weights, in_p, out_p);
        progress_update((double)++done / total);
    }
    for (int i = 0; i < o->iters && !st; i++) {
        double t0 = now_ms();
        st = jm.entry(batch, arena, jm.weights, in_p, out_p);
        runs[i] = now_ms() - t0;
        progress_update((double)++done / total);
    }
    for (int i = 0; lay && i < o->iters && !st; i++) {
        const size_t at = (size_t)i * p->n_layers;
        vggrt_profile_begin(lay + at, peak + at, (int)p->n_layers);
        st = jm.entry(batch, arena, jm.weights, in_p, out_p);
        vggrt_profile_end();
        progress_update((double)++done / total);
    }
    if (st)
        progress_abort();
    else
        progress_end();
    if (st) {
        fprintf(stderr, "vggc: error: %s: run failed: %s\n", model, vggrt_status_str((vggrt_status)st));
        goto out;
    }
    tm->min_ms = runs[0];
    for (int i = 1; i < o->iters; i++)
        tm->min_ms = runs[i] < tm->min_ms ? runs[i] : tm->min_ms;
    tm->median_ms = median(runs, o->iters);
    if (lay) {
        tm->layer_ms = calloc(p->n_layers + 1, sizeof *tm->layer_ms);
        tm->layer_peak = calloc(p->n_layers + 1, sizeof *tm->layer_peak);
        double *col = calloc((size_t)o->iters, sizeof *col);
        if (!tm->layer_ms || !tm->layer_peak || !col) {
            free(col);
            fprintf(stderr, "vggc: error: out of memory\n");
            goto out;
        }
        for (uint32_t l = 0; l < p->n_layers; l++) {
            for (int i = 0; i < o->iters; i++)
                col[i] = lay[(size_t)i * p->n_layers + l];
            tm->layer_ms[l] = median(col, o->iters);
            for (int i = 0; i < o->iters; i++)
                col[i] = peak[(size_t)i * p->n_layers + l];
            tm->layer_peak[l] = median(col, o->iters);
        }
        free(col);
    }
    rc = 0;
out:
    for (uint32_t i = 0; i < g->n_outputs; i++)
        vggrt_aligned_free(out_p[i]);
    free(runs);
    free(lay);
    free(peak);
    vggrt_aligned_free(arena);
    jit_model_free(&jm);
    return rc;
}

/* Runs argv (argv[0] found on PATH unless it has a '/'), its stdout into
 * *out (malloc'd, NUL-terminated) when out is not NULL.  True when it
 * exits 0; otherwise says so. */
static bool spawn(char *const *argv, char **out)
{
    int fd[2];
    if (out && pipe(fd) != 0)
        return false;
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        if (out) {
            dup2(fd[1], 1);
            close(fd[0]);
            close(fd[1]);
        }
        execvp(argv[0], argv);
        fprintf(stderr, "vggc: error: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    size_t len = 0, cap = 0;
    char *buf = NULL;
    if (out) {
        close(fd[1]);
        for (;;) {
            if (len + 4096 + 1 > cap) {
                char *nb = realloc(buf, cap = 2 * cap + 8192);
                if (!nb)
                    break;
                buf = nb;
            }
            ssize_t k = read(fd[0], buf + len, cap - len - 1);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0)
                break;
            len += (size_t)k;
        }
        close(fd[0]);
        if (buf)
            buf[len] = 0;
        *out = buf;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "vggc: error: bench: `%s` failed (%s %d)\n", argv[0],
                WIFEXITED(status) ? "exit code" : "signal",
                WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        return false;
    }
    return true;
}

/* The number after "key": in a JSON line, or -1. */
static double json_number(const char *text, const char *key)
{
    const char *s = text ? strstr(text, key) : NULL;
    return s ? strtod(s + strlen(key), NULL) : -1;
}

/* The n numbers of the JSON array that follows key in out, into *dst
 * (calloc'd); false, having said why, unless there are exactly n. */
static bool json_array(const char *out, const char *key, uint32_t n, double **dst)
{
    const char *s = out ? strstr(out, key) : NULL;
    if (!(*dst = calloc(n + 1, sizeof **dst))) {
        fprintf(stderr, "vggc: error: out of memory\n");
        return false;
    }
    uint32_t l = 0;
    for (s = s ? s + strlen(key) : NULL; s && l < n && *s != ']'; l++) {
        char *end;
        (*dst)[l] = strtod(s, &end);
        s = end + (*end == ',' ? 1 : 0);
        s += *s == ' ';
    }
    if (!s || l != n || *s != ']') {
        fprintf(stderr, "vggc: error: bench: the program's profile has %s%u entries in %.*s, the "
                "plan has %u layers\n", s && *s != ']' ? "over " : "", l,
                (int)strcspn(key, ":"), key, n);
        return false;
    }
    return true;
}

/* --backend c: `vggc compile`, make, and the program's --bench/--profile. */
static int time_c(const char *model, const Plan *p, const vggrt_tensor *in, int64_t batch,
                  const BenchOptions *o, Timing *tm)
{
    (void)batch;
    const char *tmpdir = getenv("TMPDIR");
    char dir[4096], self[4096], x[4200], prog[4200], level[4], iters[16], warm[16], hint[24];
    snprintf(dir, sizeof dir, "%s/vggc-bench-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    if (sl <= 0 || !mkdtemp(dir)) {
        fprintf(stderr, "vggc: error: bench: cannot make a temporary folder or find vggc: %s\n",
                strerror(errno));
        return 3;
    }
    self[sl] = 0;
    int rc = 1;
    char *out = NULL, msg[512];
    Arena scratch = {0};        /* the child's --bind arguments */
    snprintf(x, sizeof x, "%s/input.npy", dir);
    snprintf(prog, sizeof prog, "%s/bench_model", dir);
    snprintf(level, sizeof level, "-O%d", o->opt_level);
    snprintf(iters, sizeof iters, "%d", o->iters);
    snprintf(warm, sizeof warm, "%d", o->warmup > 0 ? o->warmup : 1);
    if (p->g->n_inputs != 1) {
        fprintf(stderr, "vggc: error: bench: --backend c runs models with one input (%s has %u)\n",
                model, p->g->n_inputs);
        goto out;
    }
    if (p->g->values[p->g->inputs[0]].wrap) {
        fprintf(stderr, "vggc: error: bench: --backend c feeds a tensor; the input of %s is a "
                "sequence or optional (the JIT backend times it)\n", model);
        goto out;
    }
    if (vggrt_npy_write(x, &in[0], msg, sizeof msg) != VGGRT_OK) {
        fprintf(stderr, "vggc: error: %s\n", msg);
        goto out;
    }
    /* The child vggc stays quiet: this process shows the steps. */
    char *compile[16 + 2 * MAX_BINDS] = {self, "-q", "compile", (char *)model, "-o", dir,
                                         "--name", "bench_model", level, "--force"};
    int nc = 10;
    if (p->g->batch_hint) {
        snprintf(hint, sizeof hint, "%lld", (long long)p->g->batch_hint);
        compile[nc++] = "--batch-hint";
        compile[nc++] = hint;
    }
    if (o->target) {
        compile[nc++] = "--target";
        compile[nc++] = (char *)o->target;
    }
    for (size_t i = 0; i < o->binds.n; i++) {
        compile[nc++] = "--bind";
        compile[nc++] = arena_printf(&scratch, "%s=%s", o->binds.b[i].name, o->binds.b[i].path);
    }
    char *make[] = {"make", "-s", "-C", dir, NULL};
    /* One process: the warm-up (--bench N first, untimed here), the timed
     * runs, then the profiled ones. */
    char *run[] = {prog, "--input", x, "--bench", iters, o->profile ? "--profile" : NULL, iters,
                   NULL};
    char *warmup[] = {prog, "--input", x, "--bench", warm, NULL};
    char *warm_out = NULL;
    if (vggc_verbose) {
        Buf cmd = {0};
        for (int i = 0; i < nc; i++)
            buf_printf(&cmd, "%s%s", i ? " " : "", compile[i]);
        vggc_note("bench: %s", cmd.len ? cmd.data : "");
        buf_free(&cmd);
    }
    /* The children write to the terminal themselves (make's compiler
     * warnings, errors): each step's line is ended before they start. */
    progress_begin("building", "built", "the C program", 0);
    progress_pause();
    bool ran = spawn(compile, NULL) && spawn(make, NULL);
    if (ran) {
        progress_end();
        progress_begin("timing", "timed", "the C program", 0);
        progress_pause();
        ran = spawn(warmup, &warm_out) && spawn(run, &out);
    }
    free(warm_out);
    if (!ran) {
        progress_abort();
        goto out;
    }
    progress_end();
    tm->median_ms = json_number(out, "\"median_ms\":");
    tm->min_ms = json_number(out, "\"min_ms\":");
    if (tm->median_ms < 0) {
        fprintf(stderr, "vggc: error: bench: the program printed no timing\n");
        goto out;
    }
    if (o->profile && !(json_array(out, "\"layer_ms\": [", p->n_layers, &tm->layer_ms) &&
                        json_array(out, "\"layer_peak_gflop\": [", p->n_layers,
                                   &tm->layer_peak)))
        goto out;
    rc = 0;
out:
    free(out);
    arena_free(&scratch);
    char *rm[] = {"rm", "-rf", dir, NULL};
    spawn(rm, NULL);
    return rc;
}

static void report(const char *model, const Plan *p, int64_t batch, const BenchOptions *o,
                   const Timing *tm)
{
    const Graph *g = p->g;
    double total_flops = 0;
    for (uint32_t l = 0; l < p->n_layers; l++)
        total_flops += layer_flops(g, &g->nodes[p->layers[l]], batch);
    /* A model with next to nothing to do can time at 0 ms: no rate then
     * (and never inf or nan, which JSON cannot hold). */
    const bool timed = tm->median_ms > 0;
    double gflops = timed ? total_flops / (tm->median_ms * 1e6) : 0.0;
    double images_per_s = timed ? (double)batch * 1e3 / tm->median_ms : 0.0;
    /* The pool's count (--threads above its cap of 256 runs 256). */
    int threads = vggrt_num_threads();
    if (o->json) {
        printf("{\"model\": ");
        json_str(model);
        printf(", \"backend\": \"%s\", \"batch\": %lld, \"threads\": %d, \"iters\": %d, "
               "\"median_ms\": %.3f, \"min_ms\": %.3f, \"images_per_s\": %.2f, \"gflops\": %.1f",
               o->backend, (long long)batch, threads, o->iters, tm->median_ms, tm->min_ms,
               images_per_s, gflops);
        if (tm->layer_ms) {
            printf(", \"layers\": [");
            for (uint32_t l = 0; l < p->n_layers; l++) {
                const Node *n = &g->nodes[p->layers[l]];
                char kind[128], shape[128];
                layer_kind(g, n, kind, sizeof kind);
                shape_format(&g->values[n->out[0]].shape, shape, sizeof shape, "None");
                double f = layer_flops(g, n, batch);
                printf("%s\n  {\"index\": %u, \"name\": ", l ? "," : "", l);
                json_str(n->name);
                printf(", \"kind\": ");
                json_str(kind);
                printf(", \"kernel\": ");
                json_str(layer_kernel(g, n));
                printf(", \"shape\": ");
                json_str(shape);
                printf(", \"ms\": %.4f, \"gflops\": %.1f, \"probed_gflops\": %.1f, "
                       "\"peak_pct\": %.1f}", tm->layer_ms[l],
                       tm->layer_ms[l] > 0 ? f / (tm->layer_ms[l] * 1e6) : 0.0,
                       tm->layer_ms[l] > 0 ? tm->layer_peak[l] * 1e3 / tm->layer_ms[l] : 0.0,
                       tm->layer_peak[l] > 0 ? 100.0 * f / (tm->layer_peak[l] * 1e9) : 0.0);
            }
            printf("]");
        }
        printf("}\n");
        return;
    }
    printf("%s: backend %s, batch %lld, %d thread%s, %d runs: median %.2f ms (min %.2f)", model,
           o->backend, (long long)batch, threads, threads == 1 ? "" : "s", o->iters,
           tm->median_ms, tm->min_ms);
    if (timed)
        printf(", %.1f images/s, %.1f GFLOP/s effective\n", images_per_s, gflops);
    else
        printf(" (below the timer's resolution: no rate)\n");
    if (!tm->layer_ms)
        return;
    double sum = 0, sum_peak = 0;
    for (uint32_t l = 0; l < p->n_layers; l++)
        sum += tm->layer_ms[l], sum_peak += tm->layer_peak[l];
    printf("\n %-3s %-36s %-30s %-25s %-22s %9s %8s %6s %6s\n", "#", "Layer", "Kind", "Kernel",
           "Output Shape", "ms", "GFLOP/s", "peak", "share");
    for (uint32_t l = 0; l < p->n_layers; l++) {
        const Node *n = &g->nodes[p->layers[l]];
        char kind[128], shape[128], rate[32] = "-", share[32] = "-";
        layer_kind(g, n, kind, sizeof kind);
        shape_format(&g->values[n->out[0]].shape, shape, sizeof shape, "None");
        double f = layer_flops(g, n, batch);
        if (f > 0 && tm->layer_ms[l] > 0)
            snprintf(rate, sizeof rate, "%.1f", f / (tm->layer_ms[l] * 1e6));
        if (f > 0 && tm->layer_peak[l] > 0)
            snprintf(share, sizeof share, "%.0f%%", 100.0 * f / (tm->layer_peak[l] * 1e9));
        printf(" %-3u %-36.36s %-30.30s %-25s %-22s %9.3f %8s %6s %5.1f%%\n", l, n->name, kind,
               layer_kernel(g, n), shape, tm->layer_ms[l], rate, share,
               sum > 0 ? 100.0 * tm->layer_ms[l] / sum : 0.0);
    }
    printf(" %-3s %-36s %-30s %-25s %-22s %9.3f %8.1f %5.0f%% %5.1f%%\n", "",
           "total (profiled runs)", "", "", "", sum, sum > 0 ? total_flops / (sum * 1e6) : 0.0,
           sum_peak > 0 ? 100.0 * total_flops / (sum_peak * 1e9) : 0.0, 100.0);
    printf("\n peak: the layer's GFLOP/s against the FMA peak of %d thread%s probed right before "
           "and after it\n (vggrt_fma_probe, %.1f ms each, not timed); above 100%% the kernel "
           "does fewer multiply-adds\n than the direct convolution (Winograd).\n",
           threads, threads == 1 ? "" : "s", VGGRT_PROFILE_PROBE_S * 1e3);
}

static bool parse_int(const char *s, int lo, int *v)
{
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (errno || *end || x < lo || x > 1000000)
        return false;
    *v = (int)x;
    return true;
}

int cmd_bench(int argc, char **argv)
{
    const char *model = NULL;
    BenchOptions o = {.batch = 1, .iters = 10, .warmup = 2, .opt_level = 2, .backend = "jit",
                      .use_cache = true};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool has_arg = i + 1 < argc;
        if (strcmp(a, "--bind") == 0 && has_arg) {
            int rc = binds_add(&o.binds, "bench", argv[++i]);
            if (rc)
                return rc;
        } else if ((strcmp(a, "--batch") == 0 || strcmp(a, "--iters") == 0 ||
             strcmp(a, "--warmup") == 0 || strcmp(a, "--threads") == 0) && has_arg) {
            int *dst = a[2] == 'b' ? &o.batch : a[2] == 'i' ? &o.iters : a[2] == 'w' ? &o.warmup
                     : &o.threads;
            if (!parse_int(argv[++i], a[2] == 'w' ? 0 : 1, dst))
                return usage("bench: bad number '%s'", argv[i]);
        } else if (strcmp(a, "--backend") == 0 && has_arg) {
            o.backend = argv[++i];
            if (strcmp(o.backend, "jit") != 0 && strcmp(o.backend, "c") != 0)
                return usage("bench: --backend takes jit or c, not '%s'", o.backend);
        } else if (strcmp(a, "--target") == 0 && has_arg) {
            o.target = argv[++i];
        } else if (strcmp(a, "--profile") == 0) {
            o.profile = true;
        } else if (strcmp(a, "--json") == 0) {
            o.json = true;
        } else if (strcmp(a, "--no-cache") == 0) {
            o.use_cache = false;
        } else if (a[0] == '-' && a[1] == 'O' && a[2] >= '0' && a[2] <= '3' && !a[3]) {
            o.opt_level = a[2] - '0';
        } else if (a[0] == '-') {
            return usage("bench: unknown option '%s'", a);
        } else if (!model) {
            model = a;
        } else {
            return usage("bench: one model at a time ('%s' is extra)", a);
        }
    }
    if (!model)
        return usage("bench: no model given%s", "");
    if (!target_level(o.target))
        return usage("bench: --target takes " TARGET_NAMES ", not '%s'", o.target);
    if (strcmp(o.backend, "jit") == 0 && !llvm_backend())   /* before the model is read */
        return 3;
    /* --backend c times the program `vggc compile MODEL` writes: that
     * reads the model and the bound files again, which a pipe cannot give
     * twice. */
    for (size_t i = 0; strcmp(o.backend, "c") == 0 && i <= o.binds.n; i++) {
        const char *file = i < o.binds.n ? o.binds.b[i].path : model;
        struct stat st;
        if (stat(file, &st) != 0 || !S_ISREG(st.st_mode)) {
            fprintf(stderr, "vggc: error: bench: %s is not a regular file: --backend c times "
                            "the program `vggc compile` writes, which reads it again (save it "
                            "to a file first)\n", file);
            return 1;
        }
    }
    if (o.threads) {
        vggrt_set_num_threads(o.threads);
        openblas_set_num_threads(o.threads);
        char t[16];
        snprintf(t, sizeof t, "%d", o.threads);   /* for --backend c's program */
        setenv("VGGRT_NUM_THREADS", t, 1);
        setenv("OPENBLAS_NUM_THREADS", t, 1);
    }

    PassOptions po = {.opt_level = o.opt_level, .verify = true,
                      .block = target_block(o.target)};
    ImportDigest digest = {0};
    if (strcmp(o.backend, "jit") == 0 && o.use_cache)
        o.io.digest = &digest;   /* the JIT cache's key */
    binds_to_import(&o.binds, &o.io);
    Graph *g = import_model(model, &o.io);
    if (!g)
        return 1;
    int rc = 1;
    Plan *p = NULL;
    vggrt_tensor in[MAX_IO] = {0};
    Timing tm = {0};
    bool batched = false;
    for (uint32_t i = 0; i < g->n_inputs; i++)
        batched |= shape_is_batched(&g->values[g->inputs[i]].shape);
    if (!batched && o.batch != 1) {
        fprintf(stderr, "vggc: error: %s has no batch dimension: --batch must be 1\n", model);
        goto out;
    }
    /* The kernels are chosen for the batch timed, as `vggc run` does. */
    po.batch_hint = batched ? o.batch : 0;
    if (!optimize_model(g, model, &po) || !(p = plan_build(g)))
        goto out;
    if (g->n_inputs > MAX_IO || !make_inputs(g, o.batch, in)) {
        fprintf(stderr, "vggc: error: %s: cannot make its inputs (out of memory?)\n", model);
        rc = 3;
        goto out;
    }
    rc = strcmp(o.backend, "c") == 0 ? time_c(model, p, in, o.batch, &o, &tm)
                                     : time_jit(model, p, in, o.batch, &o, &tm);
    if (rc == 0)
        report(model, p, o.batch, &o, &tm);
out:
    for (uint32_t i = 0; i < g->n_inputs && i < MAX_IO; i++)
        if (in[i].data)
            vggrt_aligned_free(in[i].data);
    free(tm.layer_ms);
    free(tm.layer_peak);
    plan_free(p);
    graph_free(g);
    return rc;
}
