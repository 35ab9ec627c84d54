/* The driver program for a compiled network.
 *
 *   ./NAME --input x.npy [--input y.npy ...] [--output out.npy ...]
 *          [--weights NAME.weights] [--bench N] [--top K]
 *
 * Inputs are .npy files (C order) in the order of the network's inputs; the
 * batch is their leading dimension.  Without --output, prints each output's
 * shape and, for a classifier, its top classes.  Exit codes: 0 success,
 * 1 bad input file or weights, 2 usage, 3 run failure.
 *
 * This text follows a prologue that vggc writes: the model's header, and
 * M(x) naming the model's symbols.
 */
#include "vggrt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_IO 64

static void usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s --input FILE.npy [--input ...] [--output FILE.npy ...]\n"
            "          [--weights FILE] [--bench N] [--top K]\n",
            prog);
    exit(2);
}

static void die(int code, const char *msg, const char *detail)
{
    fprintf(stderr, "%s: error: %s%s%s\n", MODEL_NAME, msg, detail ? ": " : "", detail ? detail : "");
    exit(code);
}

/* The weights file beside the program, when --weights is not given. */
static char *default_weights(const char *argv0)
{
    const char *slash = strrchr(argv0, '/');
    size_t dir = slash ? (size_t)(slash - argv0 + 1) : 0;
    size_t len = dir + strlen(MODEL_NAME) + sizeof ".weights";
    char *p = malloc(len);
    if (!p)
        die(3, "out of memory", NULL);
    memcpy(p, argv0, dir);
    snprintf(p + dir, len - dir, "%s.weights", MODEL_NAME);
    return p;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Checks that t matches the network's input i; returns its batch (1 when
 * the input has no batch dimension). */
static int64_t check_input(const vggrt_tensor *t, int i, const char *path)
{
    const M(tensor_info) *info = &M(input_info)[i];
    char msg[512];
    if (t->dtype != info->dtype) {
        snprintf(msg, sizeof msg, "%s: input %d ('%s') must have ONNX type %d, the file has %d",
                 path, i, info->name, info->dtype, t->dtype);
        die(1, msg, NULL);
    }
    int ok = t->rank == info->rank;
    for (int d = 0; ok && d < info->rank; d++)
        ok = info->dims[d] < 0 ? t->dims[d] >= 1 : t->dims[d] == info->dims[d];
    if (!ok) {
        int len = snprintf(msg, sizeof msg, "%s: input %d ('%s') must have shape [", path, i, info->name);
        for (int d = 0; d < info->rank && len > 0 && (size_t)len < sizeof msg; d++) {
            if (info->dims[d] < 0)
                len += snprintf(msg + len, sizeof msg - (size_t)len, "%sbatch", d ? "," : "");
            else
                len += snprintf(msg + len, sizeof msg - (size_t)len, "%s%lld", d ? "," : "",
                                (long long)info->dims[d]);
        }
        if (len > 0 && (size_t)len < sizeof msg)
            snprintf(msg + len, sizeof msg - (size_t)len, "]");
        die(1, msg, NULL);
    }
    return info->rank > 0 && info->dims[0] < 0 ? t->dims[0] : 1;
}

static void print_output(int i, const float *y, int64_t batch, int top)
{
    const M(tensor_info) *info = &M(output_info)[i];
    int64_t per = 1;
    printf("output %d '%s': [", i, info->name);
    for (int d = 0; d < info->rank; d++) {
        int64_t dim = info->dims[d] < 0 ? batch : info->dims[d];
        printf("%s%lld", d ? ", " : "", (long long)dim);
        if (d > 0 || info->dims[0] >= 0)
            per *= dim;
    }
    printf("]\n");
    if (info->dtype != VGGRT_F32 || info->rank != 2 || info->dims[0] >= 0)
        return;
    /* A classifier: [batch, classes].  Picks the top classes one at a time;
     * `top` is small. */
    int64_t picked[16];
    if (top > 16)
        top = 16;
    for (int64_t b = 0; b < batch; b++) {
        const float *row = y + b * per;
        printf("  item %lld:", (long long)b);
        for (int k = 0; k < top && k < per; k++) {
            int64_t best = -1;
            for (int64_t c = 0; c < per; c++) {
                int taken = 0;
                for (int j = 0; j < k; j++)
                    taken |= picked[j] == c;
                if (!taken && (best < 0 || row[c] > row[best]))
                    best = c;
            }
            picked[k] = best;
            printf("  class %lld: %.6f", (long long)best, (double)row[best]);
        }
        printf("\n");
    }
}

int main(int argc, char **argv)
{
    const char *inputs[MAX_IO], *outputs[MAX_IO], *weights = NULL;
    int n_in = 0, n_out = 0, bench = 0, top = 5;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc && strcmp(a, "--help") != 0 && strcmp(a, "-h") != 0)
            usage(argv[0]);
        if (strcmp(a, "--input") == 0 && n_in < MAX_IO)
            inputs[n_in++] = argv[++i];
        else if (strcmp(a, "--output") == 0 && n_out < MAX_IO)
            outputs[n_out++] = argv[++i];
        else if (strcmp(a, "--weights") == 0)
            weights = argv[++i];
        else if (strcmp(a, "--bench") == 0)
            bench = atoi(argv[++i]);
        else if (strcmp(a, "--top") == 0)
            top = atoi(argv[++i]);
        else
            usage(argv[0]);
    }
    if (n_in != M(NUM_INPUTS)) {
        fprintf(stderr, "%s: error: the network has %d input(s); %d given\n", MODEL_NAME,
                M(NUM_INPUTS), n_in);
        return 2;
    }
    if (n_out > M(NUM_OUTPUTS)) {
        fprintf(stderr, "%s: error: the network has %d output(s); %d --output given\n", MODEL_NAME,
                M(NUM_OUTPUTS), n_out);
        return 2;
    }

    char err[512];
    vggrt_tensor in_t[MAX_IO];
    const void *in_p[MAX_IO + 1];
    int64_t batch = 1;
    for (int i = 0; i < n_in; i++) {
        if (vggrt_npy_read(inputs[i], &in_t[i], err, sizeof err) != VGGRT_OK)
            die(1, err, NULL);
        int64_t b = check_input(&in_t[i], i, inputs[i]);
        if (i > 0 && b != batch && M(input_info)[i].dims[0] < 0)
            die(1, "inputs disagree on the batch size", inputs[i]);
        if (M(input_info)[i].rank > 0 && M(input_info)[i].dims[0] < 0)
            batch = b;
        in_p[i] = in_t[i].data;
    }

    char *wpath = weights ? NULL : default_weights(argv[0]);
    const char *werr = NULL;
    M(model) *m = M(open)(weights ? weights : wpath, &werr);
    free(wpath);
    if (!m)
        die(1, werr, NULL);

    vggrt_tensor out_t[MAX_IO];
    void *out_p[MAX_IO + 1];
    for (int i = 0; i < M(NUM_OUTPUTS); i++) {
        const M(tensor_info) *info = &M(output_info)[i];
        vggrt_tensor *t = &out_t[i];
        memset(t, 0, sizeof *t);
        t->dtype = info->dtype;
        t->rank = info->rank;
        size_t count = 1;
        for (int d = 0; d < info->rank; d++) {
            t->dims[d] = info->dims[d] < 0 ? batch : info->dims[d];
            count *= (size_t)t->dims[d];
        }
        t->nbytes = count * vggrt_dtype_size(info->dtype);
        t->data = vggrt_aligned_alloc(t->nbytes ? t->nbytes : 1);
        if (!t->data)
            die(3, "out of memory", NULL);
        out_p[i] = t->data;
    }

    int rc = M(run_multi)(m, in_p, out_p, batch);
    if (rc != 0)
        die(3, "run failed", vggrt_status_str((vggrt_status)rc));

    if (bench > 0) {
        double *t = malloc(sizeof *t * (size_t)bench);
        if (!t)
            die(3, "out of memory", NULL);
        for (int i = 0; i < bench; i++) {
            double t0 = now_ms();
            if ((rc = M(run_multi)(m, in_p, out_p, batch)) != 0)
                die(3, "run failed", vggrt_status_str((vggrt_status)rc));
            t[i] = now_ms() - t0;
        }
        qsort(t, (size_t)bench, sizeof *t, cmp_double);
        printf("{\"median_ms\": %.3f, \"min_ms\": %.3f, \"iters\": %d, \"batch\": %lld}\n",
               t[bench / 2], t[0], bench, (long long)batch);
        free(t);
    }

    for (int i = 0; i < M(NUM_OUTPUTS); i++) {
        if (i < n_out) {
            if (vggrt_npy_write(outputs[i], &out_t[i], err, sizeof err) != VGGRT_OK)
                die(1, err, NULL);
        } else if (bench == 0 && out_t[i].dtype == VGGRT_F32) {
            print_output(i, out_t[i].data, batch, top);
        }
        vggrt_tensor_free(&out_t[i]);
    }
    for (int i = 0; i < n_in; i++)
        vggrt_tensor_free(&in_t[i]);
    M(close)(m);
    return 0;
}
