/* run.c — `vggc run`: compile a model for this CPU with LLVM and run it.
 *
 *   import -> passes -> plan -> (JIT cache | LLVM: IR, O3, object) -> LLJIT
 *   -> weights from the plan, arena, inputs from files -> vggc_run -> outputs
 *
 * Inputs are tensors (.npy, .pb) or PNG/JPEG images: images, one per
 * --input, make one batch for the model's single image input; libvggrt
 * decodes them and resizes, lays out (NCHW or NHWC, read off the input's
 * shape) and scales them (--preprocess).  Classifier outputs print their
 * top classes, named by --labels, as text or (--json) as one JSON document
 * (schema in docs/images.md).
 *
 * The JIT'd object holds the layers and the entry vggc_run; this file does
 * what a generated NAME_run_multi does around it (weights, arena), so the
 * object needs nothing from the process but the kernels' own externals.
 *
 * The JIT cache and the object's loading are in jit_model.c.
 */
#include "cli.h"
#include "emit_llvm.h"
#include "frontend.h"
#include "passes.h"
#include "plan.h"
#include "vggrt.h"

#include <cblas.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_IO 64

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static const char *rt_dtype_name(int t)
{
    switch (t) {
    case VGGRT_F32: return dtype_name(DT_FLOAT);
    case VGGRT_I64: return dtype_name(DT_INT64);
    case VGGRT_I32: return dtype_name(DT_INT32);
    case VGGRT_BOOL: return dtype_name(DT_BOOL);
    case VGGRT_U8: return dtype_name(DT_UINT8);
    case VGGRT_I8: return dtype_name(DT_INT8);
    case VGGRT_F64: return dtype_name(DT_DOUBLE);
    case VGGRT_F16: return dtype_name(DT_FLOAT16);
    case VGGRT_BF16: return dtype_name(DT_BFLOAT16);
    case VGGRT_STRING: return dtype_name(DT_STRING);
    default: return "unknown";
    }
}

static void format_dims(const vggrt_tensor *t, char *buf, size_t cap)
{
    size_t at = (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < t->rank && at < cap; i++)
        at += (size_t)snprintf(buf + at, cap - at, "%s%lld", i ? "," : "", (long long)t->dims[i]);
    if (at < cap)
        snprintf(buf + at, cap - at, "]");
}

/* Checks the input files against the graph's inputs; sets *batch.  Reports
 * every mismatch.  An unread input (Value.unread: no node reads its data)
 * is checked for its type alone and says nothing about the batch. */
static bool check_inputs(const Graph *g, const char **paths, const vggrt_tensor *t, int64_t *batch)
{
    bool ok = true;
    const char *batch_from = NULL;
    *batch = 1;
    for (uint32_t i = 0; i < g->n_inputs; i++) {
        const Value *v = &g->values[g->inputs[i]];
        char want[256], got[256];
        if (v->wrap)
            continue;               /* checked whole as it was read (read_value) */
        shape_format(&v->shape, want, sizeof want, "batch");
        format_dims(&t[i], got, sizeof got);
        bool match = t[i].dtype == rt_dtype(v->dtype) &&
                     (v->unread || t[i].rank == v->shape.rank);
        for (int d = 0; match && !v->unread && d < v->shape.rank; d++)
            match = v->shape.d[d] == VGGC_DIM_N ? t[i].dims[d] >= 1 : t[i].dims[d] == v->shape.d[d];
        if (!match) {
            fprintf(stderr, "vggc: error: %s: input %u '%s' must be %s %s, not %s %s\n", paths[i], i,
                    v->name, dtype_name(v->dtype), want, rt_dtype_name(t[i].dtype), got);
            ok = false;
            continue;
        }
        if (shape_is_batched(&v->shape) && !v->unread) {
            if (batch_from && t[i].dims[0] != *batch) {
                fprintf(stderr, "vggc: error: %s: input %u '%s' has batch %lld but %s has %lld: "
                                "batched inputs must agree\n", paths[i], i, v->name,
                        (long long)t[i].dims[0], batch_from, (long long)*batch);
                ok = false;
            } else if (!batch_from) {
                batch_from = paths[i];
                *batch = t[i].dims[0];
            }
        }
    }
    return ok;
}

/* The type a sequence or optional value v (Value.wrap) must have. */
static vggrt_value_type value_type(const Graph *g, uint32_t v)
{
    IoInfo r = plan_io_info(g, v, false);
    vggrt_value_type t = {.nwrap = r.nwrap, .dtype = r.dtype, .rank = r.rank};
    memcpy(t.wrap, r.wrap, sizeof t.wrap);
    memcpy(t.dims, r.dims, sizeof t.dims);
    return t;
}

/* Output i, the sequence or optional value v: the input it passes on,
 * written to path (when given) under v's name, and described (JSON or a
 * line) unless a benchmark runs.  False after reporting a failed write. */
static bool write_passed_value(const Graph *g, uint32_t v, uint32_t i, const vggrt_value *in_v,
                               bool json, const char *path, bool bench)
{
    const Value *x = &g->values[v];
    IoInfo r = plan_io_info(g, v, true);
    const vggrt_value *val = &in_v[r.source];
    char type[256], msg[512];
    wrap_format(x->wrap, x->dtype, type, sizeof type);
    if (json) {
        printf("%s\n    {\"index\": %u, \"name\": ", i ? "," : "", i);
        json_str(x->name);
        printf(", \"type\": ");
        json_str(type);
        printf(", \"tensors\": %lld", (long long)val->n_tensors);
        if (path) {
            printf(", \"file\": ");
            json_str(path);
        }
        printf("}");
    } else if (!path && !bench) {
        printf("output %u '%s': %s holding %lld tensor(s)\n", i, x->name, type,
               (long long)val->n_tensors);
    }
    if (path && vggrt_value_write(path, val, x->name, msg, sizeof msg) != VGGRT_OK) {
        fprintf(stderr, "vggc: error: %s\n", msg);
        return false;
    }
    return true;
}

/* ---- the JIT cache ------------------------------------------------------------ */

/* ---- images and labels ------------------------------------------------------- */

static bool ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* An image by its name (.png, .jpg, .jpeg) or, when the name says neither
 * image nor tensor, by the first bytes of a regular file.  Anything else
 * (a pipe, /dev/stdin) is a tensor: the bytes looked at would be gone
 * from it, and a named pipe would be opened twice. */
static bool is_image_path(const char *path)
{
    if (ends_with_ci(path, ".png") || ends_with_ci(path, ".jpg") || ends_with_ci(path, ".jpeg"))
        return true;
    if (ends_with(path, ".npy") || ends_with(path, ".pb"))
        return false;
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    unsigned char head[8];
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    return vggrt_image_sniff(head, n) != 0;
}

/* Where an image goes in the model: its one input must be float
 * [batch or n, 3, H, W] (NCHW) or [batch or n, H, W, 3] (NHWC), H and W
 * fixed.  False after reporting. */
static bool image_input_shape(const Graph *g, const char *model, int n, int *layout, int64_t *h,
                              int64_t *w)
{
    if (g->n_inputs != 1) {
        fprintf(stderr, "vggc: error: %s has %u inputs; image inputs need a model with one\n",
                model, g->n_inputs);
        return false;
    }
    const Value *v = &g->values[g->inputs[0]];
    const Shape *s = &v->shape;
    char want[256];
    shape_format(s, want, sizeof want, "batch");
    if (v->dtype != DT_FLOAT || s->rank != 4 || (s->d[1] != 3 && s->d[3] != 3)) {
        fprintf(stderr, "vggc: error: %s: input '%s' is %s %s, not an image input "
                "(float [N,3,H,W] or [N,H,W,3])\n", model, v->name, dtype_name(v->dtype), want);
        return false;
    }
    *layout = s->d[1] == 3 ? VGGRT_LAYOUT_NCHW : VGGRT_LAYOUT_NHWC;
    *h = *layout == VGGRT_LAYOUT_NCHW ? s->d[2] : s->d[1];
    *w = *layout == VGGRT_LAYOUT_NCHW ? s->d[3] : s->d[2];
    if (*h < 1 || *w < 1 || *h > VGGRT_IMAGE_MAX_SIDE || *w > VGGRT_IMAGE_MAX_SIDE) {
        fprintf(stderr, "vggc: error: %s: input '%s' is %s: no fixed image size\n", model,
                v->name, want);
        return false;
    }
    if (s->d[0] != VGGC_DIM_N && s->d[0] != n) {
        fprintf(stderr, "vggc: error: %s: input '%s' is %s: it takes %lld image%s, %d given\n",
                model, v->name, want, (long long)s->d[0], s->d[0] == 1 ? "" : "s", n);
        return false;
    }
    return true;
}

/* Decodes the images and writes them as the model's input tensor t.
 * Reports every file that fails. */
static bool load_images(const char **paths, int n, int layout, int64_t h, int64_t w,
                        int preprocess, vggrt_tensor *t)
{
    vggrt_image img[MAX_IO] = {{0}};
    const vggrt_image *ptr[MAX_IO];
    bool ok = true;
    char msg[512];
    for (int i = 0; i < n; i++) {
        ptr[i] = &img[i];
        if (vggrt_image_load(paths[i], &img[i], msg, sizeof msg) != VGGRT_OK) {
            fprintf(stderr, "vggc: error: %s\n", msg);
            ok = false;
        }
    }
    if (ok) {
        memset(t, 0, sizeof *t);
        t->dtype = VGGRT_F32;
        t->rank = 4;
        t->dims[0] = n;
        t->dims[1] = layout == VGGRT_LAYOUT_NCHW ? 3 : h;
        t->dims[2] = layout == VGGRT_LAYOUT_NCHW ? h : w;
        t->dims[3] = layout == VGGRT_LAYOUT_NCHW ? w : 3;
        t->nbytes = sizeof(float) * (size_t)n * 3 * (size_t)h * (size_t)w;
        if (!(t->data = vggrt_aligned_alloc(t->nbytes))) {
            fprintf(stderr, "vggc: error: out of memory for %d images\n", n);
            ok = false;
        } else if (vggrt_image_to_tensor(ptr, n, h, w, layout, preprocess, t->data) != VGGRT_OK) {
            fprintf(stderr, "vggc: error: cannot resize the images to %lld x %lld\n",
                    (long long)h, (long long)w);
            ok = false;
        }
    }
    for (int i = 0; i < n; i++)
        vggrt_image_free(&img[i]);
    return ok;
}

typedef struct {
    char *text;             /* the file, NUL at each line's end */
    char **names;
    int64_t count;
} Labels;

#define LABELS_MAX_BYTES (64u << 20)

/* One label a line (a final newline ends the last line, it does not start
 * another; "\r\n" endings are fine).  False after reporting. */
static bool labels_read(const char *path, Labels *l)
{
    size_t len = 0;
    memset(l, 0, sizeof *l);
    struct stat st;
    if (stat(path, &st) == 0 && st.st_size > (off_t)LABELS_MAX_BYTES) {
        fprintf(stderr, "vggc: error: %s: labels file over %u MB\n", path, LABELS_MAX_BYTES >> 20);
        return false;
    }
    if (!(l->text = (char *)read_file(path, &len))) {
        fprintf(stderr, "vggc: error: %s: cannot read the labels: %s\n", path, strerror(errno));
        return false;
    }
    l->text[len] = 0;
    if (memchr(l->text, 0, len)) {
        fprintf(stderr, "vggc: error: %s: a labels file is text, one label a line (found a NUL "
                "byte)\n", path);
        return false;
    }
    int64_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += l->text[i] == '\n';
    lines += len > 0 && l->text[len - 1] != '\n';
    if (lines == 0) {
        fprintf(stderr, "vggc: error: %s: no labels in the file\n", path);
        return false;
    }
    if (!(l->names = malloc(sizeof *l->names * (size_t)lines))) {
        fprintf(stderr, "vggc: error: out of memory\n");
        return false;
    }
    char *s = l->text;
    for (int64_t i = 0; i < lines; i++) {
        char *nl = strchr(s, '\n');
        if (nl)
            *nl = 0;
        size_t n = strlen(s);
        if (n && s[n - 1] == '\r')
            s[n - 1] = 0;
        l->names[i] = s;
        s = nl ? nl + 1 : s + n;
    }
    l->count = lines;
    return true;
}

static void labels_free(Labels *l)
{
    free(l->text);
    free(l->names);
}

/* Outputs that print top classes: float [batch, classes], the batch
 * symbolic or fixed at the first input's leading size (a model exported or
 * compiled for a fixed batch: [1, 1000] from [1, 3, 224, 224]). */
static bool is_classifier(const Graph *g, const Value *v)
{
    if (v->wrap || v->dtype != DT_FLOAT || v->shape.rank != 2)
        return false;
    if (v->shape.d[0] == VGGC_DIM_N)
        return true;
    const Value *x = g->n_inputs ? &g->values[g->inputs[0]] : NULL;
    return x && !x->wrap && x->shape.rank > 0 && x->shape.d[0] == v->shape.d[0];
}

/* ---- printing results ------------------------------------------------------------ */

/* For a [batch, classes] float output: the top k classes of each item, as
 * one line per item (named by its image when images is not NULL) or as the
 * JSON "items" array. */
static void print_top(const vggrt_tensor *t, int top, const Labels *labels, const char **images,
                      bool json)
{
    int64_t batch = t->dims[0], classes = t->dims[1];
    const float *y = t->data;
    double *p = malloc(sizeof *p * (size_t)(classes ? classes : 1));
    int64_t *order = malloc(sizeof *order * (size_t)(classes ? classes : 1));
    if (!p || !order) {
        free(p);
        free(order);
        return;
    }
    if (json)
        printf(", \"items\": [");
    for (int64_t b = 0; b < batch; b++) {
        int k = vggrt_top_classes(y + b * classes, classes, top, p, order);
        if (json) {
            printf("%s\n      {\"item\": %lld, \"image\": ", b ? "," : "", (long long)b);
            json_str(images ? images[b] : NULL);
            printf(", \"top\": [");
            for (int i = 0; i < k; i++) {
                printf("%s{\"index\": %lld, \"label\": ", i ? ", " : "", (long long)order[i]);
                json_str(labels->names ? labels->names[order[i]] : NULL);
                printf(", \"p\": %.9g}", p[order[i]]);
            }
            printf("]}");
            continue;
        }
        if (images)
            printf("%s:", images[b]);
        else
            printf("  item %lld:", (long long)b);
        for (int i = 0; i < k; i++) {
            if (labels->names)
                printf("  %s: %.4f", labels->names[order[i]], p[order[i]]);
            else
                printf("  class %lld: %.4f", (long long)order[i], p[order[i]]);
        }
        printf("\n");
    }
    if (json)
        printf("\n    ]");
    free(p);
    free(order);
}

/* ---- the command ---------------------------------------------------------------- */

int cmd_run(int argc, char **argv)
{
    const char *model = NULL, *in_paths[MAX_IO], *out_paths[MAX_IO];
    const char *labels_path = NULL, *target = NULL;
    int n_in = 0, n_out = 0, top = 5, threads = 0, bench = 0, preprocess = -1;
    bool use_cache = true, json = false;
    PassOptions po = {.opt_level = 2, .verify = true};
    Binds binds = {0};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool has_arg = i + 1 < argc;
        if (strcmp(a, "--bind") == 0 && has_arg) {
            int rc = binds_add(&binds, "run", argv[++i]);
            if (rc)
                return rc;
        } else if (strcmp(a, "--input") == 0 && has_arg) {
            if (n_in == MAX_IO)
                return usage("run: at most 64 inputs%s", "");
            in_paths[n_in++] = argv[++i];
        } else if (strcmp(a, "--output") == 0 && has_arg) {
            if (n_out == MAX_IO)
                return usage("run: at most 64 outputs%s", "");
            out_paths[n_out++] = argv[++i];
        } else if ((strcmp(a, "--threads") == 0 || strcmp(a, "--top") == 0 ||
                    strcmp(a, "--bench") == 0) && has_arg) {
            char *end;
            errno = 0;
            long v = strtol(argv[++i], &end, 10);
            if (errno || *end || v < (a[2] == 'b' ? 0 : 1) || v > 100000)
                return usage("run: bad number '%s'", argv[i]);
            *(a[2] == 't' && a[3] == 'h' ? &threads : a[2] == 't' ? &top : &bench) = (int)v;
        } else if (strcmp(a, "--preprocess") == 0 && has_arg) {
            if ((preprocess = vggrt_preprocess_parse(argv[++i])) < 0)
                return usage("run: --preprocess is tf, caffe, torch or none, not '%s'", argv[i]);
        } else if (strcmp(a, "--labels") == 0 && has_arg) {
            labels_path = argv[++i];
        } else if (strcmp(a, "--json") == 0) {
            json = true;
        } else if (strcmp(a, "--target") == 0 && has_arg) {
            target = argv[++i];
        } else if (strcmp(a, "--no-cache") == 0) {
            use_cache = false;
        } else if (a[0] == '-' && a[1] == 'O' && a[2] >= '0' && a[2] <= '3' && !a[3]) {
            po.opt_level = a[2] - '0';
        } else if (a[0] == '-') {
            return usage("run: unknown option '%s'", a);
        } else if (!model) {
            model = a;
        } else {
            return usage("run: one model at a time ('%s' is extra)", a);
        }
    }
    if (!model)
        return usage("run: no model given%s", "");
    if (json && bench)
        return usage("run: --json and --bench both print JSON: give one%s", "");
    /* Images or tensors, not both: images fill the one input together. */
    int n_img = 0;
    for (int i = 0; i < n_in; i++)
        n_img += is_image_path(in_paths[i]);
    if (n_img && n_img != n_in)
        return usage("run: --input gives images and tensors%s; images make the batch of a "
                     "model's one input", "");
    if (n_img && preprocess < 0)
        return usage("run: image inputs need --preprocess tf, caffe, torch or none (how the "
                     "model's training scaled pixels)%s", "");
    if (!n_img && preprocess >= 0)
        return usage("run: --preprocess applies to image inputs (.png, .jpg)%s", "");
    /* The count of --input is checked against the graph's inputs below (a
     * network of constants takes none). */

    po.block = target_block(target);
    if (!po.block)
        return usage("run: --target takes " TARGET_NAMES ", not '%s'", target);
    if (!llvm_backend())   /* before the model is read: it may be large */
        return 3;
    double t_start = now_ms();
    ImportDigest digest = {0};
    ImportOptions io = {.digest = use_cache ? &digest : NULL};   /* the JIT cache's key */
    binds_to_import(&binds, &io);
    Graph *g = import_model(model, &io);
    if (!g)
        return 1;
    int rc = 1;
    Plan *p = NULL;
    unsigned char *arena = NULL;
    JitModel jm = {0};
    bool loaded = false;
    vggrt_tensor in_t[MAX_IO] = {0}, out_t[MAX_IO] = {0};
    vggrt_value in_v[MAX_IO] = {0};     /* sequences and optionals */
    Labels labels = {0};
    char msg[512];

    if (n_img) {
        int layout;
        int64_t h, w;
        if (!image_input_shape(g, model, n_img, &layout, &h, &w) ||
            !load_images(in_paths, n_img, layout, h, w, preprocess, &in_t[0]))
            goto out;
        vggc_note("%d image%s as %s [%d,%lld,%lld,%lld], preprocess %s", n_img,
                  n_img == 1 ? "" : "s", layout == VGGRT_LAYOUT_NCHW ? "NCHW" : "NHWC", n_img,
                  (long long)in_t[0].dims[1], (long long)in_t[0].dims[2],
                  (long long)in_t[0].dims[3], vggrt_preprocess_name(preprocess));
        n_in = 1;
    } else if ((uint32_t)n_in != g->n_inputs) {
        fprintf(stderr, "vggc: error: %s has %u input%s, %d given with --input\n", model,
                g->n_inputs, g->n_inputs == 1 ? "" : "s", n_in);
        goto out;
    }
    if (n_out && (uint32_t)n_out != g->n_outputs) {
        fprintf(stderr, "vggc: error: %s has %u output%s, %d given with --output\n", model,
                g->n_outputs, g->n_outputs == 1 ? "" : "s", n_out);
        goto out;
    }
    for (int i = 0; i < n_in && !n_img; i++) {
        const Value *v = &g->values[g->inputs[i]];
        if (v->wrap) {
            vggrt_value_type type = value_type(g, g->inputs[i]);
            if (vggrt_value_read(in_paths[i], &type, &in_v[i], msg, sizeof msg) != VGGRT_OK) {
                char want[256];
                wrap_format(v->wrap, v->dtype, want, sizeof want);
                fprintf(stderr, "vggc: error: input %d '%s' (%s): %s\n", i, v->name, want, msg);
                goto out;
            }
            continue;
        }
        bool ok = ends_with(in_paths[i], ".pb")
                      ? onnx_read_tensor_pb(in_paths[i], &in_t[i], msg, sizeof msg)
                      : vggrt_npy_read(in_paths[i], &in_t[i], msg, sizeof msg) == VGGRT_OK;
        if (!ok) {
            fprintf(stderr, "vggc: error: input %d '%s': %s\n", i, g->values[g->inputs[i]].name,
                    msg);
            goto out;
        }
    }
    /* The passes choose the kernels for the batch this run has (Graph.
     * batch_hint): the first batched input's.  check_inputs checks them
     * all once the passes have said which inputs the model reads. */
    for (int i = 0; i < n_in && !po.batch_hint; i++) {
        const Value *v = &g->values[g->inputs[i]];
        if (!v->wrap && shape_is_batched(&v->shape) && in_t[i].rank >= 1)
            po.batch_hint = in_t[i].dims[0];
    }
    if (po.batch_hint)
        vggc_note("kernels chosen for a batch of %lld (the input's)", (long long)po.batch_hint);
    if (!optimize_model(g, model, &po))
        goto out;
    if (labels_path) {
        if (!labels_read(labels_path, &labels))
            goto out;
        bool used = false;
        for (uint32_t i = 0; i < g->n_outputs; i++) {
            const Value *v = &g->values[g->outputs[i]];
            if (!is_classifier(g, v))
                continue;
            used = true;
            if (v->shape.d[1] != labels.count) {
                fprintf(stderr, "vggc: error: %s has %lld label%s, but output %u '%s' of %s has "
                        "%lld classes\n", labels_path, (long long)labels.count,
                        labels.count == 1 ? "" : "s", i, v->name, model, (long long)v->shape.d[1]);
                goto out;
            }
        }
        if (!used)
            fprintf(stderr, "vggc: warning: --labels: no output of %s is a [batch, classes] "
                    "classifier\n", model);
    }
    int64_t batch;
    if (!check_inputs(g, in_paths, in_t, &batch))
        goto out;
    if (!(p = plan_build(g)))
        goto out;
    if (vggc_verbose)
        plan_print_summary(p, stderr);
    double t_front = now_ms();

    if ((rc = jit_model_load(&jm, p, model, &io, po.opt_level, target, use_cache)) != 0)
        goto out;
    loaded = true;
    rc = 1;
    uint64_t arena_size = p->static_bytes + (uint64_t)batch * p->batch_bytes + 64;
    if (!(arena = vggrt_aligned_alloc((size_t)arena_size))) {
        fprintf(stderr, "vggc: error: out of memory\n");
        rc = 3;
        goto out;
    }
    LlvmEntry entry = jm.entry;
    const void *const *weights = jm.weights;
    const void *in_p[MAX_IO];
    void *out_p[MAX_IO];
    for (int i = 0; i < n_in; i++)
        in_p[i] = in_t[i].data;
    for (uint32_t i = 0; i < g->n_outputs; i++) {
        const Value *v = &g->values[g->outputs[i]];
        vggrt_tensor *t = &out_t[i];
        size_t count = 1;
        out_p[i] = NULL;
        if (v->wrap)
            continue;               /* passed on from its input */
        t->dtype = rt_dtype(v->dtype);
        t->rank = v->shape.rank;
        for (int d = 0; d < v->shape.rank; d++) {
            t->dims[d] = v->shape.d[d] == VGGC_DIM_N ? batch : v->shape.d[d];
            count *= (size_t)t->dims[d];
        }
        t->nbytes = count * dtype_size(v->dtype);
        if (!(t->data = vggrt_aligned_alloc(t->nbytes ? t->nbytes : 1))) {
            fprintf(stderr, "vggc: error: out of memory\n");
            rc = 3;
            goto out;
        }
        out_p[i] = t->data;
    }
    if (threads) {
        vggrt_set_num_threads(threads);
        openblas_set_num_threads(threads);
    }
    double t_ready = now_ms();
    int st = entry(batch, arena, weights, in_p, out_p);
    double t_run = now_ms();
    if (st != 0) {
        fprintf(stderr, "vggc: error: %s: run failed: %s\n", model, vggrt_status_str((vggrt_status)st));
        goto out;
    }
    vggc_note("times: import+inputs+passes+plan %.1f ms, %s %.1f ms, JIT link %.1f ms, weights %.1f ms, "
              "run %.1f ms, start-up total %.1f ms", t_front - t_start,
              jm.cache_hit ? "cache" : "compile", jm.compile_ms, jm.link_ms, jm.weights_ms,
              t_run - t_ready, t_ready - t_start);
    if (bench > 0) {
        double *ts = malloc(sizeof *ts * (size_t)bench);
        for (int i = 0; ts && i < bench; i++) {
            double t0 = now_ms();
            entry(batch, arena, weights, in_p, out_p);
            ts[i] = now_ms() - t0;
        }
        for (int i = 1; ts && i < bench; i++)     /* insertion sort: bench is small */
            for (int j = i; j > 0 && ts[j - 1] > ts[j]; j--) {
                double s = ts[j];
                ts[j] = ts[j - 1];
                ts[j - 1] = s;
            }
        if (ts)
            printf("{\"median_ms\": %.3f, \"min_ms\": %.3f, \"iters\": %d, \"batch\": %lld}\n",
                   ts[bench / 2], ts[0], bench, (long long)batch);
        free(ts);
    }

    rc = 0;
    if (json) {
        printf("{\"model\": ");
        json_str(model);
        printf(", \"preprocess\": ");
        json_str(n_img ? vggrt_preprocess_name(preprocess) : NULL);
        printf(", \"outputs\": [");
    }
    for (uint32_t i = 0; i < g->n_outputs; i++) {
        const Value *v = &g->values[g->outputs[i]];
        if (v->wrap) {
            if (!write_passed_value(g, g->outputs[i], i, in_v, json, n_out ? out_paths[i] : NULL,
                                    bench > 0))
                rc = 1;
            continue;
        }
        if (json) {
            printf("%s\n    {\"index\": %u, \"name\": ", i ? "," : "", i);
            json_str(v->name);
            printf(", \"dtype\": \"%s\", \"shape\": [", dtype_name(v->dtype));
            for (int d = 0; d < out_t[i].rank; d++)
                printf("%s%lld", d ? ", " : "", (long long)out_t[i].dims[d]);
            printf("]");
            if (n_out) {
                printf(", \"file\": ");
                json_str(out_paths[i]);
            } else if (is_classifier(g, v)) {
                print_top(&out_t[i], top, &labels, n_img ? in_paths : NULL, true);
            }
            printf("}");
        }
        if (n_out) {
            bool ok = ends_with(out_paths[i], ".pb")
                          ? onnx_write_tensor_pb(out_paths[i], &out_t[i], msg, sizeof msg)
                          : vggrt_npy_write(out_paths[i], &out_t[i], msg, sizeof msg) == VGGRT_OK;
            if (!ok) {
                fprintf(stderr, "vggc: error: %s\n", msg);
                rc = 1;
            }
            continue;
        }
        if (bench || json)
            continue;
        /* Images: one line per image, under a header only when there are
         * several outputs to tell apart. */
        if (!n_img || !is_classifier(g, v) || g->n_outputs > 1) {
            char dims[256];
            format_dims(&out_t[i], dims, sizeof dims);
            printf("output %u '%s': %s %s\n", i, v->name, dtype_name(v->dtype), dims);
        }
        if (is_classifier(g, v))
            print_top(&out_t[i], top, &labels, n_img ? in_paths : NULL, false);
    }
    if (json)
        printf("\n  ]\n}\n");

out:
    for (int i = 0; i < MAX_IO; i++) {
        vggrt_value_free(&in_v[i]);
        if (in_t[i].data)
            vggrt_tensor_free(&in_t[i]);
        if (out_t[i].data)
            vggrt_tensor_free(&out_t[i]);
    }
    labels_free(&labels);
    if (loaded)
        jit_model_free(&jm);
    vggrt_aligned_free(arena);
    plan_free(p);
    graph_free(g);
    return rc;
}
