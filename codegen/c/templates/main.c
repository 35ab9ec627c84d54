/* The driver program for a compiled network.
 *
 *   ./NAME --input x.npy [--input y.npy ...] [--output out.npy ...]
 *          [--weights NAME.weights] [--bench N] [--profile N] [--top K] [--labels FILE]
 *   ./NAME --image cat.jpg [--image ...] --preprocess tf|caffe|torch|none
 *          [--labels FILE] [--top K] [--output out.npy]
 *
 * Inputs are .npy files (C order) in the order of the network's inputs; the
 * batch is their leading dimension.  A sequence or optional input or output
 * is an ONNX SequenceProto / OptionalProto file instead (.pb, as
 * onnx.numpy_helper.from_list / from_optional write them).  Or images (PNG, JPEG), one batch for a
 * network with one image input: load_images below shows the two runtime
 * calls that turn files into the input tensor (decode; resize, lay out as
 * the input's shape says, scale).  Without --output, prints each output's
 * element type and shape and, for a classifier, its top classes (one line
 * per image, with probabilities, named by --labels: one label a line), as
 * `vggc run` prints them.  Exit codes:
 * 0 success, 1 bad input file or weights (or input data the network cannot
 * take: a STRING element Cast cannot read as a number), 2 usage, 3 run
 * failure.
 *
 * This text follows a prologue that vggc writes: the model's header, and
 * M(x) naming the model's symbols.
 */
#include "vggrt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_IO 64

#if defined(__GNUC__) || defined(__clang__)
static void usage(const char *prog, FILE *to, int code) __attribute__((noreturn));
static void usage_error(const char *prog, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
#endif

static void usage(const char *prog, FILE *to, int code)
{
    fprintf(to,
            "usage: %s --input FILE.npy [--input ...] [--output FILE.npy ...]\n"
            "          [--weights FILE] [--bench N] [--profile N] [--top K] [--labels FILE]\n"
            "       %s --image FILE.png|FILE.jpg [--image ...] --preprocess tf|caffe|torch|none\n"
            "          [--labels FILE] [--top K] [--output FILE.npy ...] [--weights FILE]\n",
            prog, prog);
    exit(code);
}

/* A bad command line: what is wrong (printf's fmt and what follows), then
 * the usage; exit code 2. */
static void usage_error(const char *prog, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: error: ", MODEL_NAME);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    usage(prog, stderr, 2);
}

/* The value of a numeric option: a whole number in [lo, 100000]. */
static int parse_count(const char *prog, const char *opt, const char *s, long lo)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > 100000)
        usage_error(prog, "%s takes a whole number from %ld to 100000, not '%s'", opt, lo, s);
    return (int)v;
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
 * the input has no batch dimension, -1 when the network reads no data of
 * it: then only the type is checked, as ONNX's runners take any shape). */
static int64_t check_input(const vggrt_tensor *t, int i, const char *path)
{
    const M(tensor_info) *info = &M(input_info)[i];
    char msg[512];
    if (t->dtype != info->dtype) {
        snprintf(msg, sizeof msg, "%s: input %d ('%s') must have ONNX type %d, the file has %d",
                 path, i, info->name, info->dtype, t->dtype);
        die(1, msg, NULL);
    }
    if (info->unread)
        return -1;
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

/* The type a sequence or optional input's file must have. */
static vggrt_value_type value_type(const M(tensor_info) *info)
{
    vggrt_value_type t = {.nwrap = info->nwrap, .dtype = info->dtype, .rank = info->rank};
    for (int i = 0; i < info->nwrap && i < VGGRT_MAX_WRAP; i++)
        t.wrap[i] = info->wrap[i];
    for (int d = 0; d < info->rank && d < VGGRT_MAX_RANK; d++)
        t.dims[d] = info->dims[d];
    return t;
}

/* Images -> the network's one input: float [n, 3, H, W] (NCHW) or
 * [n, H, W, 3] (NHWC), whichever its shape says.  The runtime decodes each
 * file to 8-bit RGB, then resizes (bilinear, as tf.image.resize), lays out
 * and scales them all in one call. */
static void load_images(const char **paths, int n, int preprocess, vggrt_tensor *t)
{
    const M(tensor_info) *info = &M(input_info)[0];
    char err[512];
    if (M(NUM_INPUTS) != 1 || info->nwrap || info->dtype != VGGRT_F32 || info->rank != 4 ||
        (info->dims[1] != 3 && info->dims[3] != 3))
        die(2, "--image needs a network whose one input is float [N,3,H,W] or [N,H,W,3]", NULL);
    if (info->dims[0] >= 0 && info->dims[0] != n)
        die(1, "the network takes a fixed number of images; give that many --image", NULL);
    int layout = info->dims[1] == 3 ? VGGRT_LAYOUT_NCHW : VGGRT_LAYOUT_NHWC;
    int64_t h = layout == VGGRT_LAYOUT_NCHW ? info->dims[2] : info->dims[1];
    int64_t w = layout == VGGRT_LAYOUT_NCHW ? info->dims[3] : info->dims[2];

    vggrt_image *img = calloc((size_t)n, sizeof *img);
    const vggrt_image **ptr = calloc((size_t)n, sizeof *ptr);
    if (!img || !ptr)
        die(3, "out of memory", NULL);
    for (int i = 0; i < n; i++) {
        if (vggrt_image_load(paths[i], &img[i], err, sizeof err) != VGGRT_OK)
            die(1, err, NULL);
        ptr[i] = &img[i];
    }
    memset(t, 0, sizeof *t);
    t->dtype = VGGRT_F32;
    t->rank = 4;
    t->dims[0] = n;
    t->dims[1] = layout == VGGRT_LAYOUT_NCHW ? 3 : h;
    t->dims[2] = layout == VGGRT_LAYOUT_NCHW ? h : w;
    t->dims[3] = layout == VGGRT_LAYOUT_NCHW ? w : 3;
    t->nbytes = sizeof(float) * (size_t)n * 3 * (size_t)h * (size_t)w;
    if (!(t->data = vggrt_aligned_alloc(t->nbytes)))
        die(3, "out of memory", NULL);
    if (vggrt_image_to_tensor(ptr, n, h, w, layout, preprocess, t->data) != VGGRT_OK)
        die(3, "cannot resize the images", NULL);
    for (int i = 0; i < n; i++)
        vggrt_image_free(&img[i]);
    free(img);
    free(ptr);
}

/* One label a line; labels[c] names class c.  Returns the count. */
static int64_t read_labels(const char *path, char ***labels)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die(1, "cannot open the labels file", path);
    char **names = NULL, line[4096];
    int64_t n = 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n')
            die(1, "a label is over 4 KB long", path);
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        char **grown = realloc(names, sizeof *names * (size_t)(n + 1));
        if (!grown || !(grown[n] = malloc(len + 1)))
            die(3, "out of memory", NULL);
        memcpy(grown[n], line, len + 1);
        names = grown;
        n++;
    }
    fclose(f);
    if (n == 0)
        die(1, "no labels in the file", path);
    *labels = names;
    return n;
}

/* Top classes of a classifier's rows with probabilities: the softmax of
 * each row unless it already is a distribution (as `vggc run` prints
 * them).  Rows are named by their image, or "item B". */
static void print_top(const float *y, int64_t batch, int64_t classes, int top, char **labels,
                      const char **images)
{
    double *p = malloc(sizeof *p * (size_t)(classes ? classes : 1));
    int64_t *order = malloc(sizeof *order * (size_t)(classes ? classes : 1));
    if (!p || !order)
        die(3, "out of memory", NULL);
    for (int64_t b = 0; b < batch; b++) {
        int k = vggrt_top_classes(y + b * classes, classes, top, p, order);
        if (images)
            printf("%s:", images[b]);
        else
            printf("  item %lld:", (long long)b);
        for (int i = 0; i < k; i++) {
            if (labels)
                printf("  %s: %.4f", labels[order[i]], p[order[i]]);
            else
                printf("  class %lld: %.4f", (long long)order[i], p[order[i]]);
        }
        printf("\n");
    }
    free(p);
    free(order);
}

/* The items of a classifier output, float [batch, classes]: its leading
 * dimension when that is the batch, symbolic or fixed at the first
 * input's leading size (a model exported or compiled for a fixed batch:
 * [1, 1000] from [1, 3, 224, 224]); 0 for any other output. */
static int64_t classifier_items(const M(tensor_info) *info, int64_t batch)
{
    const M(tensor_info) *x = &M(input_info)[0];
    if (info->dtype != VGGRT_F32 || info->rank != 2 || info->nwrap)
        return 0;
    if (info->dims[0] < 0)
        return batch;
    return M(NUM_INPUTS) > 0 && !x->nwrap && x->rank > 0 && x->dims[0] == info->dims[0]
               ? info->dims[0] : 0;
}

/* The short name of a tensor's element type, as `vggc run` prints it. */
static const char *dtype_short(int dtype)
{
    switch (dtype) {
    case VGGRT_F32: return "f32";
    case VGGRT_F64: return "f64";
    case VGGRT_F16: return "f16";
    case VGGRT_BF16: return "bf16";
    case VGGRT_I64: return "i64";
    case VGGRT_I32: return "i32";
    case VGGRT_I8: return "i8";
    case VGGRT_U8: return "u8";
    case VGGRT_BOOL: return "bool";
    case VGGRT_STRING: return "str";
    default: return "?";
    }
}

/* Output i's type and shape ("output 0 'prob': f32 [1,1000]") and, for a
 * classifier, each item's top classes with their probabilities: the
 * lines `vggc run` prints for the same model and input. */
static void print_output(int i, const vggrt_tensor *t, int64_t batch, int top)
{
    const M(tensor_info) *info = &M(output_info)[i];
    printf("output %d '%s': %s [", i, info->name, dtype_short(t->dtype));
    for (int d = 0; d < t->rank; d++)
        printf("%s%lld", d ? "," : "", (long long)t->dims[d]);
    printf("]\n");
    int64_t items = classifier_items(info, batch);
    if (items)
        print_top(t->data, items, info->dims[1], top, NULL, NULL);
}

/* The median of column l of a runs x layers table (col: runs scratch). */
static double column_median(const double *table, int runs, int layers, int l, double *col)
{
    for (int r = 0; r < runs; r++)
        col[r] = table[(size_t)r * (size_t)layers + (size_t)l];
    qsort(col, (size_t)runs, sizeof *col, cmp_double);
    return col[runs / 2];
}

/* --profile N: N more runs timed layer by layer, the FMA peak probed
 * between layers (vggrt_profile_begin); one JSON line with each layer's
 * median milliseconds, in the order the network runs them (`vggc inspect
 * --after-passes` lists them; `vggc bench --profile --backend c` prints
 * them by name), and the median GFLOP the probed peak does in its time. */
static void print_profile(M(model) *m, const void *const *in, void *const *out, int64_t batch,
                          int runs)
{
    enum { CAP = 1 << 16 };
    double *first = calloc(CAP, sizeof *first);
    if (!first)
        die(3, "out of memory", NULL);
    vggrt_profile_begin(first, NULL, CAP);
    int rc = M(run_multi)(m, in, out, batch);
    int layers = vggrt_profile_end();
    free(first);
    if (rc != 0)
        die(3, "run failed", vggrt_status_str((vggrt_status)rc));
    if (layers > CAP)
        die(3, "too many layers to profile", NULL);
    const size_t cells = (size_t)layers * (size_t)runs + 1;
    double *ms = calloc(cells, sizeof *ms), *peak = calloc(cells, sizeof *peak);
    double *col = malloc(sizeof *col * (size_t)runs);
    if (!ms || !peak || !col)
        die(3, "out of memory", NULL);
    for (int r = 0; r < runs; r++) {
        const size_t at = (size_t)r * (size_t)layers;
        vggrt_profile_begin(ms + at, peak + at, layers);
        rc = M(run_multi)(m, in, out, batch);
        vggrt_profile_end();
        if (rc != 0)
            die(3, "run failed", vggrt_status_str((vggrt_status)rc));
    }
    printf("{\"layer_ms\": [");
    for (int l = 0; l < layers; l++)
        printf("%s%.4f", l ? ", " : "", column_median(ms, runs, layers, l, col));
    printf("], \"layer_peak_gflop\": [");
    for (int l = 0; l < layers; l++)
        printf("%s%.6g", l ? ", " : "", column_median(peak, runs, layers, l, col));
    printf("], \"runs\": %d, \"batch\": %lld}\n", runs, (long long)batch);
    free(ms);
    free(peak);
    free(col);
}

int main(int argc, char **argv)
{
    const char *inputs[MAX_IO], *outputs[MAX_IO], *images[MAX_IO], *weights = NULL;
    const char *labels_path = NULL;
    int n_in = 0, n_out = 0, n_img = 0, bench = 0, profile = 0, top = 5, preprocess = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            usage(argv[0], stdout, 0);
        static const char *const with_value[] = { "--input", "--image", "--preprocess",
                                                  "--labels", "--output", "--weights",
                                                  "--bench", "--profile", "--top" };
        int known = 0;
        for (size_t o = 0; o < sizeof with_value / sizeof with_value[0]; o++)
            known |= strcmp(a, with_value[o]) == 0;
        if (!known)
            usage_error(argv[0],
                        a[0] == '-' ? "unknown option '%s'"
                                    : "unexpected argument '%s' (an input file follows --input)",
                        a);
        if (i + 1 >= argc)
            usage_error(argv[0], "%s needs a value", a);
        const char *v = argv[++i];
        if ((strcmp(a, "--input") == 0 && n_in == MAX_IO) ||
            (strcmp(a, "--image") == 0 && n_img == MAX_IO) ||
            (strcmp(a, "--output") == 0 && n_out == MAX_IO))
            usage_error(argv[0], "%s given more than %d times", a, MAX_IO);
        if (strcmp(a, "--input") == 0)
            inputs[n_in++] = v;
        else if (strcmp(a, "--image") == 0)
            images[n_img++] = v;
        else if (strcmp(a, "--output") == 0)
            outputs[n_out++] = v;
        else if (strcmp(a, "--preprocess") == 0) {
            if ((preprocess = vggrt_preprocess_parse(v)) < 0)
                usage_error(argv[0], "--preprocess takes tf, caffe, torch or none, not '%s'", v);
        } else if (strcmp(a, "--labels") == 0)
            labels_path = v;
        else if (strcmp(a, "--weights") == 0)
            weights = v;
        else if (strcmp(a, "--bench") == 0)
            bench = parse_count(argv[0], a, v, 0);
        else if (strcmp(a, "--profile") == 0)
            profile = parse_count(argv[0], a, v, 0);
        else
            top = parse_count(argv[0], a, v, 1);
    }
    if (n_img && (n_in || preprocess < 0)) {
        fprintf(stderr, "%s: error: --image needs --preprocess and no --input\n", MODEL_NAME);
        return 2;
    }
    if (!n_img && n_in != M(NUM_INPUTS)) {
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
    vggrt_value in_v[MAX_IO];   /* sequences and optionals */
    const void *in_p[MAX_IO + 1];
    memset(in_t, 0, sizeof in_t);
    memset(in_v, 0, sizeof in_v);
    int64_t batch = 1;
    int batch_from = -1;        /* the first batched input read */
    if (n_img) {
        load_images(images, n_img, preprocess, &in_t[0]);
        in_p[0] = in_t[0].data;
        batch = n_img;
        n_in = 1;
    }
    for (int i = 0; i < n_in && !n_img; i++) {
        in_p[i] = NULL;
        if (M(input_info)[i].nwrap) {
            vggrt_value_type type = value_type(&M(input_info)[i]);
            if (vggrt_value_read(inputs[i], &type, &in_v[i], err, sizeof err) != VGGRT_OK) {
                char msg[1024];
                vggrt_value_type_format(&type, msg, sizeof msg);
                char what[1280];
                snprintf(what, sizeof what, "input %d ('%s', %s)", i, M(input_info)[i].name,
                         msg);   /* err starts with the file's name */
                die(1, what, err);
            }
            continue;
        }
        if (vggrt_npy_read(inputs[i], &in_t[i], err, sizeof err) != VGGRT_OK) {
            char msg[640];
            snprintf(msg, sizeof msg, "input %d ('%s')", i, M(input_info)[i].name);
            die(1, msg, err);
        }
        int64_t b = check_input(&in_t[i], i, inputs[i]);
        in_p[i] = in_t[i].data;
        if (b < 0 || M(input_info)[i].rank == 0 || M(input_info)[i].dims[0] >= 0)
            continue;           /* no batch, or unread: its shape says nothing about it */
        if (batch_from >= 0 && b != batch)
            die(1, "inputs disagree on the batch size", inputs[i]);
        batch_from = i;
        batch = b;
    }

    char *wpath = weights ? NULL : default_weights(argv[0]);
    const char *werr = NULL;
    M(model) *m = M(open)(weights ? weights : wpath, &werr);
    free(wpath);
    if (!m)
        die(1, werr, NULL);

    vggrt_tensor out_t[MAX_IO];
    void *out_p[MAX_IO + 1];
    char **labels = NULL;
    int64_t n_labels = 0;
    for (int i = 0; i < M(NUM_OUTPUTS); i++) {
        const M(tensor_info) *info = &M(output_info)[i];
        vggrt_tensor *t = &out_t[i];
        memset(t, 0, sizeof *t);
        out_p[i] = NULL;
        if (info->nwrap)
            continue;           /* passed on from input info->source */
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
    if (rc != 0)    /* input data a Cast cannot read (VGGRT_ERR_VALUE) is bad input */
        die(rc == VGGRT_ERR_VALUE ? 1 : 3, "run failed", vggrt_status_str((vggrt_status)rc));

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
    if (profile > 0)
        print_profile(m, in_p, out_p, batch, profile);

    for (int i = 0; i < M(NUM_OUTPUTS); i++) {
        const M(tensor_info) *info = &M(output_info)[i];
        if (info->nwrap) {
            const vggrt_value *v = &in_v[info->source];
            if (i < n_out && vggrt_value_write(outputs[i], v, info->name, err, sizeof err) !=
                                 VGGRT_OK)
                die(1, err, NULL);
            if (i >= n_out && bench == 0) {
                vggrt_value_type type = value_type(info);
                char desc[256];
                vggrt_value_type_format(&type, desc, sizeof desc);
                printf("output %d '%s': %s holding %lld tensor(s)\n", i, info->name, desc,
                       (long long)v->n_tensors);
            }
            continue;
        }
        if (i < n_out) {
            if (vggrt_npy_write(outputs[i], &out_t[i], err, sizeof err) != VGGRT_OK)
                die(1, err, NULL);
        } else if (bench == 0) {
            int64_t items = classifier_items(info, batch);
            if (items && (n_img || labels_path)) {
                if (M(NUM_OUTPUTS) > 1 || !n_img)
                    printf("output %d '%s': f32 [%lld,%lld]\n", i, info->name, (long long)items,
                           (long long)info->dims[1]);
                if (labels_path && !labels) {
                    n_labels = read_labels(labels_path, &labels);
                    if (n_labels != info->dims[1])
                        die(1, "the labels file has not one label per class", labels_path);
                }
                print_top(out_t[i].data, items, info->dims[1], top, labels,
                          n_img ? images : NULL);
            } else {
                print_output(i, &out_t[i], batch, top);
            }
        }
        vggrt_tensor_free(&out_t[i]);
    }
    for (int i = 0; i < n_in; i++) {
        vggrt_tensor_free(&in_t[i]);
        vggrt_value_free(&in_v[i]);
    }
    for (int64_t i = 0; i < n_labels; i++)
        free(labels[i]);
    free(labels);
    M(close)(m);
    return 0;
}
