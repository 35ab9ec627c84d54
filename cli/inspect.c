/* inspect.c — `vggc inspect`: the network as a table, like Keras' summary.
 *
 * One row per node with its name, op, output shape (the batch as None) and
 * the number of parameters it reads (float constants; a constant shared by
 * several layers counts once for each, as Keras counts per layer).  The
 * totals split the network into its convolutional base (everything up to
 * the last convolution or local pooling) and the head after it.  With
 * --after-passes the rows are the layers as they will run, with their
 * fused kind, layouts and kernel too (layers_table).
 *
 * --dot writes the same network as a Graphviz graph (write_dot), and --svg
 * has Graphviz's own `dot` draw it (render_svg): vggc does no layout itself.
 */
#include "cli.h"
#include "plan.h"

#include <errno.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static uint64_t node_params(const Graph *g, const Node *n)
{
    uint64_t count = 0;
    if (n->op == OP_CONV && n->out_layout == LAYOUT_BLOCKED) {
        /* Packed weights hold padding: count the logical ones. */
        const WindowAttr *w = &n->attr.win;
        int64_t k = g->values[n->out[0]].shape.d[1];
        int64_t c = g->values[n->in[1]].shape.d[plan_conv_winograd(g, n) ? 2 : 1];
        count = (uint64_t)(k * c * w->kernel[0] * w->kernel[1]);
        if (n->n_in > 2 && n->in[2] != VGGC_NONE)
            count += (uint64_t)k;
        return count;
    }
    if (plan_gemm_packed(g, n)) {
        /* The last block of 16 columns is padded: count N x K. */
        const Shape *y = &g->values[n->out[0]].shape, *w = &g->values[n->in[1]].shape;
        count = (uint64_t)(y->d[1] * w->d[1]);
        if (n->n_in > 2 && n->in[2] != VGGC_NONE && g->values[n->in[2]].kind == VAL_CONST &&
            g->values[n->in[2]].dtype == DT_FLOAT)
            count += g->values[n->in[2]].nbytes / sizeof(float);
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

/* What the layer does, fusions included: "conv3x3+bias+relu+maxpool2x2",
 * "convtranspose4x4/s2+bias", "resize/linear". */
void layer_kind(const Graph *g, const Node *n, char *buf, size_t cap)
{
    const Epilogue *e = &n->epi;
    bool bias = n->n_in > 2 && n->in[2] != VGGC_NONE;
    int len = 0;
    if (n->op == OP_CONV || n->op == OP_CONV_TRANSPOSE) {
        /* Every spatial axis in ONNX's order ("conv3x3x3", a 1-D "conv5");
         * the stride as one number where it is the same on every axis. */
        const WindowAttr *w = &n->attr.win;
        bool strided = false, uniform = true;
        len = snprintf(buf, cap, n->op == OP_CONV ? "conv" : "convtranspose");
        for (int i = 0; i < w->nsp; i++) {
            WindowAxis a = window_axis(w, i);
            len += snprintf(buf + len, cap - (size_t)len, "%s%lld", i ? "x" : "",
                            (long long)a.kernel);
            strided |= a.stride != 1;
            uniform &= a.stride == window_axis(w, 0).stride;
        }
        for (int i = 0; strided && i < (uniform ? 1 : w->nsp); i++)
            len += snprintf(buf + len, cap - (size_t)len, "%s%lld", i ? "x" : "/s",
                            (long long)window_axis(w, i).stride);
        if (w->group != 1)
            len += snprintf(buf + len, cap - (size_t)len, "/g%lld", (long long)w->group);
    } else if (n->op == OP_GEMM) {
        len = snprintf(buf, cap, "%sdense", e->mean_input ? "avgpool+" : "");
    } else if (n->op == OP_RESIZE) {
        len = snprintf(buf, cap, "resize/%s", resize_mode_name(n->attr.resize.mode));
        bias = false;
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
const char *layer_kernel(const Graph *g, const Node *n)
{
    switch (n->op) {
    case OP_CONV:
        /* A chain (plan_chain_producer): the first conv's rows go into a
         * ring that the Winograd conv reads. */
        if (plan_chain_producer(g, n))
            return "ring>winograd4x4";
        if (plan_conv_winograd(g, n))
            return n->attr.win.kernel[0] == 5 ? "winograd2x2" : "winograd4x4";
        if (n->out_layout != LAYOUT_BLOCKED)
            return "im2col+sgemm";
        if (plan_chain_consumer(g, n) && plan_conv_wrow(g, n))
            return graph_block(g) == 8 ? "winograd-row NCHW8c>ring" : "winograd-row NCHW16c>ring";
        if (plan_conv_wrow(g, n))
            return graph_block(g) == 8 ? "winograd-row NCHW8c" : "winograd-row NCHW16c";
        if (plan_chain_consumer(g, n))
            return graph_block(g) == 8 ? "direct NCHW8c>ring" : "direct NCHW16c>ring";
        return graph_block(g) == 8 ? "direct NCHW8c" : "direct NCHW16c";
    case OP_CONV_TRANSPOSE:
        return "sgemm+col2im";
    case OP_GEMM:
        return plan_gemm_packed(g, n) ? "gemm packed16" : "sgemm";
    case OP_MATMUL:
        return "sgemm";
    case OP_MAXPOOL: case OP_AVGPOOL: case OP_GLOBAL_AVGPOOL: case OP_GLOBAL_MAXPOOL:
        if (n->in_layout != LAYOUT_BLOCKED)
            return "pool";
        return graph_block(g) == 8 ? "pool NCHW8c" : "pool NCHW16c";
    case OP_FLATTEN: case OP_RESHAPE: case OP_SQUEEZE: case OP_UNSQUEEZE:
        return n->in_layout == LAYOUT_BLOCKED ? "reorder to NCHW" : "view";
    case OP_LRN:
        if (n->in_layout != LAYOUT_BLOCKED)
            return "lrn";
        return graph_block(g) == 8 ? "lrn NCHW8c" : "lrn NCHW16c";
    default:
        return "generic";
    }
}

static const char *short_layout(const Graph *g, Layout l)
{
    if (l == LAYOUT_BLOCKED)
        return graph_block(g) == 8 ? "nchw8c" : "nchw16c";
    return l == LAYOUT_NHWC ? "nhwc" : "nchw";
}

/* The network as it will run (after the passes): one row per layer with
 * its fused kind, layouts in and out, kernel, output shape and
 * parameters.  Returns the table's width. */
static int layers_table(const Graph *g, FILE *f)
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
    int width = 1 + wname + 2 + wkind + 2 + 22 + 2 + 16 + 2 + 25 + 2 + 12;
    rule(f, width, '_');
    fprintf(f, " %-*s  %-*s  %-22s  %-16s  %-25s  %12s\n", wname, "Layer", wkind, "Kind",
            "Output Shape", "Layout", "Kernel", "Param #");
    rule(f, width, '=');
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        const Node *n = &g->nodes[i];
        char kind[128], shape[256], layout[32], num[32];
        layer_kind(g, n, kind, sizeof kind);
        keras_shape(&g->values[n->out[0]].shape, shape, sizeof shape);
        snprintf(layout, sizeof layout, "%s->%s", short_layout(g, n->in_layout),
                 short_layout(g, n->out_layout));
        group_digits(node_params(g, n), num, sizeof num);
        fprintf(f, " %-*.*s  %-*s  %-22s  %-16s  %-25s  %12s\n", wname, wname, n->name, wkind, kind,
                shape, layout, layer_kernel(g, n), num);
    }
    rule(f, width, '=');
    return width;
}

/* A graph output passed on unchanged from an input (a sequence or optional
 * through Identity: no layer runs for it): its summary row's label and
 * shape. */
static void pass_row(const Graph *g, uint32_t v, char *label, size_t lcap, char *shape,
                     size_t scap)
{
    const Value *val = &g->values[v];
    snprintf(label, lcap, "%s (passed on from %s)", val->name, g->values[val->source].name);
    wrap_format(val->wrap, val->dtype, shape, scap);
}

/* Keras' rows: name (op), output shape, parameters; the outputs passed on
 * from an input last.  Returns the table's width. */
static int keras_table(const Graph *g, FILE *f)
{
    int wname = (int)strlen("Layer (type)"), wshape = (int)strlen("Output Shape");
    for (uint32_t o = 0; o < g->n_outputs; o++) {
        char label[1024], shape[256];
        if (g->values[g->outputs[o]].kind != VAL_PASS)
            continue;
        pass_row(g, g->outputs[o], label, sizeof label, shape, sizeof shape);
        if ((int)strlen(label) > wname) wname = (int)strlen(label);
        if ((int)strlen(shape) > wshape) wshape = (int)strlen(shape);
    }
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        const Node *n = &g->nodes[i];
        char shape[256];
        keras_shape(&g->values[n->out[0]].shape, shape, sizeof shape);
        int w = (int)(strlen(n->name) + strlen(op_name(n->op)) + 3);
        if (w > wname) wname = w;
        if ((int)strlen(shape) > wshape) wshape = (int)strlen(shape);
    }
    int width = 1 + wname + 2 + wshape + 2 + 12;
    rule(f, width, '_');
    fprintf(f, " %-*s  %-*s  %12s\n", wname, "Layer (type)", wshape, "Output Shape", "Param #");
    rule(f, width, '=');
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        const Node *n = &g->nodes[i];
        char shape[256], label[1024], num[32];
        keras_shape(&g->values[n->out[0]].shape, shape, sizeof shape);
        snprintf(label, sizeof label, "%s (%s)", n->name, op_name(n->op));
        group_digits(node_params(g, n), num, sizeof num);
        fprintf(f, " %-*s  %-*s  %12s\n", wname, label, wshape, shape, num);
    }
    for (uint32_t o = 0; o < g->n_outputs; o++) {
        char label[1024], shape[256];
        if (g->values[g->outputs[o]].kind != VAL_PASS)
            continue;
        pass_row(g, g->outputs[o], label, sizeof label, shape, sizeof shape);
        fprintf(f, " %-*s  %-*s  %12s\n", wname, label, wshape, shape, "0");
    }
    rule(f, width, '=');
    return width;
}

void print_summary(const Graph *g, const char *model_path, bool after_passes, FILE *f)
{
    uint32_t last_base = VGGC_NONE;
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        OpKind op = g->nodes[i].op;
        if (op == OP_CONV || op == OP_CONV_TRANSPOSE || op == OP_MAXPOOL || op == OP_AVGPOOL)
            last_base = i;
    }
    uint64_t total = 0, base = 0;
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        uint64_t p = node_params(g, &g->nodes[i]);
        total += p;
        if (last_base != VGGC_NONE && i <= last_base)
            base += p;
    }
    fprintf(f, "Model: \"%s\" (%s, opset %lld%s%s)%s\n", g->name, model_path, (long long)g->opset,
            g->producer && *g->producer ? ", from " : "", g->producer ? g->producer : "",
            after_passes ? ", after the passes" : "");
    int width = after_passes ? layers_table(g, f) : keras_table(g, f);
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

/* ---- the graph as a Graphviz picture (--dot, --svg) ------------------------
 *
 * Boxes are layers, arrows are tensors.  Before the passes a box shows the
 * node's name, op and output shape; with a plan it shows the layer as the
 * plan runs it (fused kind, kernel, output shape, layouts) and each arrow
 * where its tensor lives in the arena.  Graph inputs and outputs are ovals;
 * constants (weights) are not drawn.
 *
 * Node ids are made from indices ("n12", "in0", "out0"), so no model text
 * reaches DOT's syntax outside a quoted label; the text is written in the
 * model's order with nothing from the environment, so a model gives the same
 * bytes every time.
 */

/* Appends s for use inside a double-quoted DOT label: Graphviz reads \" and
 * \\ as escapes, \n, \l, \N... as label commands and &name; as an entity, so
 * those characters are escaped; control characters and bytes that are not
 * UTF-8 are shown as \xHH. */
static void dot_text(Buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        if (c == '"' || c == '\\') {
            char e[3] = {'\\', (char)c, 0};
            buf_puts(b, e);
            p++;
            continue;
        }
        if (c == '&') {
            buf_puts(b, "&amp;");
            p++;
            continue;
        }
        if (c < 0x20 || c == 0x7f) {
            buf_printf(b, "\\\\x%02x", c);
            p++;
            continue;
        }
        if (c < 0x80) {
            buf_write(b, p, 1);
            p++;
            continue;
        }
        /* A UTF-8 sequence, checked whole (no overlong forms, surrogates or
         * code points past U+10FFFF). */
        size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
                   : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        unsigned lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
        unsigned hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
        bool ok = len > 0 && p[1] >= lo && p[1] <= hi;
        for (size_t k = 2; ok && k < len; k++)
            ok = p[k] >= 0x80 && p[k] <= 0xbf;
        if (ok) {
            buf_write(b, p, len);
            p += len;
        } else {
            buf_printf(b, "\\\\x%02x", c);
            p++;
        }
    }
}

/* A comment line may not hold a line break: those become '?'. */
static void dot_comment_text(Buf *b, const char *s)
{
    for (; *s; s++)
        buf_write(b, (unsigned char)*s < 0x20 ? "?" : s, 1);
}

static const char *dot_fill(OpKind op)
{
    switch (op) {
    case OP_CONV: case OP_CONV_TRANSPOSE:
        return "#dbe8f6";
    case OP_MAXPOOL: case OP_AVGPOOL: case OP_GLOBAL_AVGPOOL: case OP_GLOBAL_MAXPOOL:
        return "#e1f0d8";
    case OP_GEMM: case OP_MATMUL:
        return "#fbe5d6";
    default:
        return "#eeeeee";
    }
}

/* Where a tensor is, for the arrows of a planned graph. */
static void dot_storage(Buf *b, const Plan *p, uint32_t v, bool named)
{
    const Storage *s = &p->store[v];
    const char *sep = named ? "\\n" : "";
    if (s->root != v && p->store[s->root].kind != STORE_INPUT) {
        buf_printf(b, "%sview", sep);
        return;
    }
    switch (s->kind) {
    case STORE_STATIC:
        buf_printf(b, "%sarena @%llu", sep, (unsigned long long)s->offset);
        break;
    case STORE_BATCH:
        buf_printf(b, "%sarena @%llu/item", sep, (unsigned long long)s->offset);
        break;
    default:
        break;
    }
}

/* A graph input's or output's type as its oval shows it: "f32 (None, 3, 32, 32)",
 * or a sequence's or optional's ONNX spelling. */
static void dot_type(const Value *v, char *buf, size_t cap)
{
    if (v->wrap) {
        wrap_format(v->wrap, v->dtype, buf, cap);
        return;
    }
    char shape[200];
    keras_shape(&v->shape, shape, sizeof shape);
    snprintf(buf, cap, "%s %s", dtype_name(v->dtype), shape);
}

/* "n3", "in0": the DOT id of whatever produces value v; false for a constant. */
static bool dot_source(const Graph *g, uint32_t v, char *id, size_t cap)
{
    if (g->values[v].kind == VAL_PASS)
        v = g->values[v].source;    /* a sequence or optional passed on: its input */
    const Value *val = &g->values[v];
    if (val->kind == VAL_TEMP && val->producer != VGGC_NONE) {
        snprintf(id, cap, "n%u", val->producer);
        return true;
    }
    for (uint32_t i = 0; i < g->n_inputs; i++)
        if (g->inputs[i] == v) {
            snprintf(id, cap, "in%u", i);
            return true;
        }
    return false;
}

/* An arrow for value v into `to`, labelled with the tensor's name unless
 * `to` is the graph output that already shows it. */
static void dot_edge(Buf *b, const Graph *g, const Plan *p, uint32_t v, const char *to, bool named)
{
    char from[32];
    if (!dot_source(g, v, from, sizeof from))
        return;
    buf_printf(b, "  %s -> %s [label=\"", from, to);
    if (named)
        dot_text(b, g->values[v].name);
    if (p)
        dot_storage(b, p, v, named);
    buf_puts(b, "\"];\n");
}

static void dot_layer(Buf *b, const Graph *g, const Node *n, uint32_t id, bool planned)
{
    char shape[256], num[32];
    keras_shape(&g->values[n->out[0]].shape, shape, sizeof shape);
    buf_printf(b, "  n%u [fillcolor=\"%s\", label=\"", id, dot_fill(n->op));
    dot_text(b, n->name);
    if (planned) {
        char kind[128];
        layer_kind(g, n, kind, sizeof kind);
        buf_puts(b, "\\n");
        dot_text(b, kind);
        buf_printf(b, "\\nkernel: %s\\n%s %s->%s", layer_kernel(g, n), shape,
                   short_layout(g, n->in_layout), short_layout(g, n->out_layout));
    } else {
        buf_printf(b, "\\n%s\\n%s", op_name(n->op), shape);
    }
    uint64_t params = node_params(g, n);
    if (params) {
        group_digits(params, num, sizeof num);
        buf_printf(b, "\\n%s params", num);
    }
    buf_puts(b, "\"];\n");
}

void write_dot(const Graph *g, const Plan *p, const char *model_label, Buf *b)
{
    buf_puts(b, "// generated by vggc " VGGC_VERSION " from ");
    dot_comment_text(b, model_label);
    buf_printf(b, " (vggc inspect%s)\n", p ? " --after-passes" : "");
    buf_puts(b, "// render: dot -Tsvg FILE.dot -o FILE.svg\n");
    buf_puts(b, "digraph vggc {\n");
    buf_puts(b, "  graph [rankdir=TB, labelloc=t, fontname=\"Helvetica,Arial,sans-serif\", label=\"");
    dot_text(b, g->name && *g->name ? g->name : "graph");
    buf_puts(b, " (");
    dot_text(b, model_label);
    buf_printf(b, ", opset %lld)", (long long)g->opset);
    if (p)
        buf_printf(b, "\\nafter the passes: %u layers; weights %llu bytes; arena %llu bytes + %llu "
                      "per batch item",
                   p->n_layers, (unsigned long long)p->weights_size,
                   (unsigned long long)p->static_bytes, (unsigned long long)p->batch_bytes);
    buf_puts(b, "\"];\n");
    buf_puts(b, "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica,Arial,sans-serif\", "
                "fontsize=10];\n");
    buf_puts(b, "  edge [fontname=\"Helvetica,Arial,sans-serif\", fontsize=8];\n");

    char shape[256];
    for (uint32_t i = 0; i < g->n_inputs; i++) {
        const Value *v = &g->values[g->inputs[i]];
        dot_type(v, shape, sizeof shape);
        buf_printf(b, "  in%u [shape=oval, fillcolor=\"#ffffff\", label=\"", i);
        dot_text(b, v->name);
        buf_printf(b, "\\ninput %s\"];\n", shape);
    }
    uint32_t count = p ? p->n_layers : g->n_nodes;
    for (uint32_t l = 0; l < count; l++) {
        uint32_t id = p ? p->layers[l] : l;
        const Node *n = &g->nodes[id];
        if (n->op == OP_DEAD)
            continue;
        dot_layer(b, g, n, id, p != NULL);
        char to[32];
        snprintf(to, sizeof to, "n%u", id);
        for (uint32_t j = 0; j < n->n_in; j++)
            if (n->in[j] != VGGC_NONE)
                dot_edge(b, g, p, n->in[j], to, true);
    }
    for (uint32_t i = 0; i < g->n_outputs; i++) {
        const Value *v = &g->values[g->outputs[i]];
        dot_type(v, shape, sizeof shape);
        buf_printf(b, "  out%u [shape=oval, fillcolor=\"#ffffff\", label=\"", i);
        dot_text(b, v->name);
        buf_printf(b, "\\noutput %s\"];\n", shape);
        char to[32];
        snprintf(to, sizeof to, "out%u", i);
        dot_edge(b, g, p, g->outputs[i], to, false);
    }
    buf_puts(b, "}\n");
}

/* ---- rendering with Graphviz ------------------------------------------------ */

char *find_graphviz_dot(void)
{
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/bin:/bin";     /* what execvp() searches without PATH */
    for (;;) {
        const char *end = strchr(path, ':');
        size_t len = end ? (size_t)(end - path) : strlen(path);
        char *cand = malloc(len + 8);
        if (!cand)
            return NULL;
        /* An empty entry is the current folder. */
        snprintf(cand, len + 8, "%.*s%sdot", (int)len, path, len ? "/" : "./");
        struct stat st;
        if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
            return cand;
        free(cand);
        if (!end)
            return NULL;
        path = end + 1;
    }
}

bool render_svg(const char *dot_exe, const Buf *dot, Buf *svg)
{
    /* dot reads the graph from an unlinked temporary file and writes the SVG
     * into a pipe: no pipe feeds it while we read, so nothing can block. */
    const char *tmpdir = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/vggc-dot-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    int in = mkstemp(tmpl);
    if (in < 0) {
        fprintf(stderr, "vggc: error: cannot create a temporary file '%s': %s\n", tmpl, strerror(errno));
        return false;
    }
    unlink(tmpl);
    bool ok = true;
    for (size_t done = 0; ok && done < dot->len;) {
        ssize_t n = write(in, dot->data + done, dot->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            ok = false;
        else
            done += (size_t)n;
    }
    int out[2] = {-1, -1};
    if (!ok || lseek(in, 0, SEEK_SET) != 0 || pipe(out) != 0) {
        fprintf(stderr, "vggc: error: cannot hand the graph to dot: %s\n", strerror(errno));
        close(in);
        return false;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in, 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    char *args[] = {(char *)"dot", (char *)"-Tsvg", NULL};
    pid_t pid;
    int err = posix_spawn(&pid, dot_exe, &fa, NULL, args, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in);
    close(out[1]);
    if (err) {
        fprintf(stderr, "vggc: error: cannot run '%s': %s\n", dot_exe, strerror(err));
        close(out[0]);
        return false;
    }
    Buf raw = {0};
    char chunk[65536];
    for (;;) {
        ssize_t n = read(out[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        buf_write(&raw, chunk, (size_t)n);
    }
    close(out[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            status = -1;
            break;
        }
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || raw.len == 0) {
        fprintf(stderr, "vggc: error: '%s -Tsvg' failed (%s %d) on the graph vggc wrote\n", dot_exe,
                status != -1 && WIFSIGNALED(status) ? "signal" : "exit",
                status == -1 ? -1 : WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        buf_free(&raw);
        return false;
    }
    /* Say who wrote the file near its start (after the XML declaration, where
     * a comment may go), so that a later --svg may replace it without
     * --force, as it may the other files vggc writes (output.c). */
    size_t head = 0;
    if (raw.len > 5 && memcmp(raw.data, "<?xml", 5) == 0) {
        const char *nl = memchr(raw.data, '\n', raw.len);
        head = nl ? (size_t)(nl - raw.data) + 1 : 0;
    }
    buf_write(svg, raw.data, head);
    buf_puts(svg, "<!-- generated by vggc " VGGC_VERSION " (vggc inspect), drawn by Graphviz dot -->\n");
    buf_write(svg, raw.data + head, raw.len - head);
    buf_free(&raw);
    return true;
}
