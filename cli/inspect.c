/* inspect.c — `vggc inspect`: the network as a table, like Keras' summary.
 *
 * One row per node with its name, op, output shape (the batch as None) and
 * the number of parameters it reads (float constants; a constant shared by
 * several layers counts once for each, as Keras counts per layer).  The
 * totals split the network into its convolutional base (everything up to
 * the last convolution or local pooling) and the head after it.
 */
#include "cli.h"

#include <string.h>

static uint64_t node_params(const Graph *g, const Node *n)
{
    uint64_t count = 0;
    if (n->op == OP_CONV && n->out_layout == LAYOUT_BLOCKED) {
        /* Packed weights hold padding: count the logical ones. */
        const WindowAttr *w = &n->attr.win;
        int64_t k = g->values[n->out[0]].shape.d[1];
        int64_t c = g->values[n->in[1]].shape.d[1];
        count = (uint64_t)(k * c * w->kernel[0] * w->kernel[1]);
        if (n->n_in > 2 && n->in[2] != VGGC_NONE)
            count += (uint64_t)k;
        return count;
    }
    for (uint32_t i = 0; i < n->n_in; i++) {
        const Value *v = n->in[i] == VGGC_NONE ? NULL : &g->values[n->in[i]];
        if (v && v->kind == VAL_CONST && v->dtype == DT_FLOAT)
            count += v->nbytes / sizeof(float);
    }
    return count;
}

/* "14,714,688" */
static void group_digits(uint64_t v, char *buf, size_t cap)
{
    char tmp[32];
    int len = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
    size_t k = 0;
    for (int i = 0; i < len && k + 2 < cap; i++) {
        if (i && (len - i) % 3 == 0)
            buf[k++] = ',';
        buf[k++] = tmp[i];
    }
    buf[k] = 0;
}

static void keras_shape(const Shape *s, char *buf, size_t cap)
{
    shape_format(s, buf, cap, "None");
    size_t len = strlen(buf);
    buf[0] = '(';
    if (len > 0)
        buf[len - 1] = ')';
    /* "(None,64)" -> "(None, 64)" */
    char out[256];
    size_t k = 0;
    for (size_t i = 0; buf[i] && k + 2 < sizeof out; i++) {
        out[k++] = buf[i];
        if (buf[i] == ',')
            out[k++] = ' ';
    }
    out[k] = 0;
    snprintf(buf, cap, "%s", out);
}

static void rule(FILE *f, int width, char c)
{
    for (int i = 0; i < width; i++)
        fputc(c, f);
    fputc('\n', f);
}

/* What the layer does, fusions included: "conv3x3+bias+relu+maxpool2x2". */
static void layer_kind(const Graph *g, const Node *n, char *buf, size_t cap)
{
    const Epilogue *e = &n->epi;
    bool bias = n->n_in > 2 && n->in[2] != VGGC_NONE;
    int len = 0;
    if (n->op == OP_CONV) {
        const WindowAttr *w = &n->attr.win;
        len = snprintf(buf, cap, "conv%lldx%lld", (long long)w->kernel[0], (long long)w->kernel[1]);
        if (w->stride[0] != 1 || w->stride[1] != 1)
            len += snprintf(buf + len, cap - (size_t)len, "/s%lld", (long long)w->stride[0]);
        if (w->group != 1)
            len += snprintf(buf + len, cap - (size_t)len, "/g%lld", (long long)w->group);
    } else if (n->op == OP_GEMM) {
        len = snprintf(buf, cap, "%sdense", e->mean_input ? "avgpool+" : "");
    } else {
        len = snprintf(buf, cap, "%s", op_name(n->op));
        for (int i = 0; i < len; i++)
            buf[i] = (char)(buf[i] >= 'A' && buf[i] <= 'Z' ? buf[i] - 'A' + 'a' : buf[i]);
        bias = false;
    }
    if (bias)
        len += snprintf(buf + len, cap - (size_t)len, "+bias");
    if (e->act != ACT_NONE)
        len += snprintf(buf + len, cap - (size_t)len, "+%s", act_name(e->act));
    if (e->pool_k) {
        len += snprintf(buf + len, cap - (size_t)len, "+maxpool%lldx%lld", (long long)e->pool_k,
                        (long long)e->pool_k);
        if (e->pool_s != e->pool_k)
            len += snprintf(buf + len, cap - (size_t)len, "/s%lld", (long long)e->pool_s);
    }
    if (e->softmax)
        snprintf(buf + len, cap - (size_t)len, "+softmax");
    (void)g;
}

/* The kernel the backends call for the layer. */
static const char *layer_kernel(const Node *n)
{
    switch (n->op) {
    case OP_CONV:
        return n->out_layout == LAYOUT_BLOCKED ? "direct NCHW16c" : "im2col+sgemm";
    case OP_GEMM: case OP_MATMUL:
        return "sgemm";
    case OP_MAXPOOL: case OP_AVGPOOL: case OP_GLOBAL_AVGPOOL: case OP_GLOBAL_MAXPOOL:
        return n->in_layout == LAYOUT_BLOCKED ? "pool NCHW16c" : "pool";
    case OP_FLATTEN: case OP_RESHAPE: case OP_SQUEEZE: case OP_UNSQUEEZE:
        return n->in_layout == LAYOUT_BLOCKED ? "reorder to NCHW" : "view";
    default:
        return "generic";
    }
}

static const char *short_layout(Layout l)
{
    return l == LAYOUT_BLOCKED ? "nchw16c" : l == LAYOUT_NHWC ? "nhwc" : "nchw";
}

/* The network as it will run: one row per layer with its fused kind,
 * layouts in and out, kernel, output shape and parameters. */
void print_layers(const Graph *g, FILE *f)
{
    int wname = (int)strlen("Layer"), wkind = (int)strlen("Kind");
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        char kind[128];
        layer_kind(g, &g->nodes[i], kind, sizeof kind);
        if ((int)strlen(g->nodes[i].name) > wname) wname = (int)strlen(g->nodes[i].name);
        if ((int)strlen(kind) > wkind) wkind = (int)strlen(kind);
    }
    if (wname > 48)
        wname = 48;
    int width = 1 + wname + 2 + wkind + 2 + 22 + 2 + 16 + 2 + 15 + 2 + 12;
    rule(f, width, '_');
    fprintf(f, " %-*s  %-*s  %-22s  %-16s  %-15s  %12s\n", wname, "Layer", wkind, "Kind",
            "Output Shape", "Layout", "Kernel", "Param #");
    rule(f, width, '=');
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        const Node *n = &g->nodes[i];
        char kind[128], shape[256], layout[32], num[32];
        layer_kind(g, n, kind, sizeof kind);
        keras_shape(&g->values[n->out[0]].shape, shape, sizeof shape);
        snprintf(layout, sizeof layout, "%s->%s", short_layout(n->in_layout),
                 short_layout(n->out_layout));
        group_digits(node_params(g, n), num, sizeof num);
        fprintf(f, " %-*.*s  %-*s  %-22s  %-16s  %-15s  %12s\n", wname, wname, n->name, wkind, kind,
                shape, layout, layer_kernel(n), num);
    }
    rule(f, width, '=');
}

void print_summary(const Graph *g, const char *model_path, FILE *f)
{
    int wname = (int)strlen("Layer (type)"), wshape = (int)strlen("Output Shape");
    uint32_t last_base = VGGC_NONE;
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        const Node *n = &g->nodes[i];
        char shape[256];
        keras_shape(&g->values[n->out[0]].shape, shape, sizeof shape);
        int w = (int)(strlen(n->name) + strlen(op_name(n->op)) + 3);
        if (w > wname) wname = w;
        if ((int)strlen(shape) > wshape) wshape = (int)strlen(shape);
        if (n->op == OP_CONV || n->op == OP_MAXPOOL || n->op == OP_AVGPOOL)
            last_base = i;
    }
    int width = 1 + wname + 2 + wshape + 2 + 12;
    fprintf(f, "Model: \"%s\" (%s, opset %lld%s%s)\n", g->name, model_path, (long long)g->opset,
            g->producer && *g->producer ? ", from " : "", g->producer ? g->producer : "");
    rule(f, width, '_');
    fprintf(f, " %-*s  %-*s  %12s\n", wname, "Layer (type)", wshape, "Output Shape", "Param #");
    rule(f, width, '=');
    uint64_t total = 0, base = 0;
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        const Node *n = &g->nodes[i];
        char shape[256], label[1024], num[32];
        keras_shape(&g->values[n->out[0]].shape, shape, sizeof shape);
        snprintf(label, sizeof label, "%s (%s)", n->name, op_name(n->op));
        uint64_t p = node_params(g, n);
        group_digits(p, num, sizeof num);
        fprintf(f, " %-*s  %-*s  %12s\n", wname, label, wshape, shape, num);
        total += p;
        if (last_base != VGGC_NONE && i <= last_base)
            base += p;
    }
    rule(f, width, '=');
    char num[32];
    group_digits(total, num, sizeof num);
    fprintf(f, "Total params: %s (%.2f MB)\n", num, (double)total * 4 / (1024.0 * 1024.0));
    if (last_base != VGGC_NONE) {
        group_digits(base, num, sizeof num);
        fprintf(f, "Convolutional base: %s (through '%s')\n", num, g->nodes[last_base].name);
        group_digits(total - base, num, sizeof num);
        fprintf(f, "Head: %s\n", num);
    }
    rule(f, width, '_');
}
