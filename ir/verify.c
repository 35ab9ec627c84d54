/* verify.c — the graph's invariants, checked between passes.
 *
 * Like QBE's ssacheck(), this runs after every pass in debug builds and
 * after shape inference, so a pass that breaks the graph is caught at the
 * pass that broke it instead of three passes later in the code generator.
 * What it checks is what every later stage may assume:
 *
 *   - every id (node inputs and outputs, graph inputs and outputs, value
 *     producers) is in range, and ops are ops;
 *   - each live node's arity is within its op's, required inputs and
 *     outputs are present;
 *   - every TEMP value read by a live node or listed as a graph output is
 *     produced by exactly one live node, its `producer` field names that
 *     node, and that node comes earlier in g->nodes (topological order); no
 *     live node reads a value whose producer is dead;
 *   - every live value (one a live node reads or writes, or a graph input or
 *     output) has a dtype and a shape of rank 0..8, the batch N only as dim
 *     0, other dims in range (0 only in constants);
 *   - constants are not batched and hold exactly dtype size * numel bytes;
 *   - graph inputs are VAL_INPUT values, listed once, and every live
 *     VAL_INPUT is a graph input; there is at least one graph output;
 *   - live values have distinct names (the text form relies on it);
 *   - shape inference's resolutions hold: no window op has auto_pad set,
 *     every Conv has its kernel.
 *
 * Each problem is reported with graph_error(), prefixed with
 * "verifier (after PASS): ", and all of them are reported, not the first.
 */
#include "ir.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    Graph *g;
    const char *after;
    int errors;
} Ver;

/* Reports one violation against node n (NULL: the graph) with the prefix. */
static void verr(Ver *v, const Node *n, const char *fmt, ...) VGGC_PRINTF(3, 4);
static void verr(Ver *v, const Node *n, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    graph_error(v->g, n, "verifier (after %s): %s", v->after, msg);
    v->errors++;
}

/* calloc that exits like the arena on out-of-memory; never NULL. */
static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "vggc: error: out of memory\n");
        exit(3);
    }
    return p;
}

static const char *vname(const Graph *g, uint32_t id) { return g->values[id].name; }

/* The shape and data rules for one live value. */
static void check_value(Ver *v, uint32_t id)
{
    const Graph *g = v->g;
    const Value *x = &g->values[id];
    char buf[256];
    if ((unsigned)x->kind > VAL_PASS) {
        verr(v, NULL, "value '%s' has the invalid kind %d", x->name, (int)x->kind);
        return;
    }
    /* Sequences and optionals: graph inputs, and VAL_PASS values that are
     * such an input under another name. */
    if ((x->wrap != NULL) != (x->kind == VAL_PASS || (x->kind == VAL_INPUT && x->wrap)))
        verr(v, NULL, "value '%s' is a %s %s a sequence or optional type", x->name,
             x->kind == VAL_PASS ? "pass-through value" : "tensor",
             x->wrap ? "with" : "without");
    if (x->kind == VAL_PASS &&
        (x->source >= g->n_values || g->values[x->source].kind != VAL_INPUT ||
         g->values[x->source].wrap != x->wrap))
        verr(v, NULL, "pass-through value '%s' does not name a sequence or optional graph input "
             "of its type", x->name);
    if (x->wrap && (x->wrap->n < 1 || x->wrap->n > VGGC_MAX_WRAP || x->wrap->rank < -1 ||
                    x->wrap->rank > VGGC_MAX_RANK))
        verr(v, NULL, "value '%s' has an invalid sequence or optional type", x->name);
    if ((unsigned)x->dtype <= DT_UNDEF || (unsigned)x->dtype >= DT_COUNT)
        verr(v, NULL, "value '%s' has no valid dtype (%d)", x->name, (int)x->dtype);
    if (!x->has_shape) {
        verr(v, NULL, "value '%s' has no shape", x->name);
        return;
    }
    if (x->shape.rank < 0 || x->shape.rank > VGGC_MAX_RANK) {
        verr(v, NULL, "value '%s' has rank %d, outside [0, %d]", x->name, x->shape.rank,
             VGGC_MAX_RANK);
        return;
    }
    shape_format(&x->shape, buf, sizeof buf, NULL);
    /* A dim of 0 (a zero-size tensor) is held only by graph inputs,
     * constants and the results of the ops that pass one on (ir/shape.c:
     * passes_zero_size). */
    OpKind by = x->kind == VAL_TEMP && x->producer < g->n_nodes ? g->nodes[x->producer].op
                                                                : OP_COUNT;
    int64_t min = x->kind != VAL_TEMP || by == OP_RESHAPE || by == OP_FLATTEN ||
                  by == OP_SQUEEZE || by == OP_UNSQUEEZE || by == OP_IDENTITY ? 0 : 1;
    for (int i = 0; i < x->shape.rank; i++) {
        int64_t d = x->shape.d[i];
        if (d == VGGC_DIM_N) {
            if (i != 0)
                verr(v, NULL, "value '%s' %s has the batch N in dim %d; N may only be dim 0",
                     x->name, buf, i);
            else if (x->kind == VAL_CONST)
                verr(v, NULL, "constant '%s' %s has the batch N", x->name, buf);
        } else if (d < min || d > VGGC_MAX_DIM) {
            verr(v, NULL, "value '%s' %s: dim %d is out of range [%lld, %lld]", x->name, buf, i,
                 (long long)min, (long long)VGGC_MAX_DIM);
        }
    }
    if (x->kind == VAL_CONST && !shape_is_batched(&x->shape)) {
        size_t numel, bytes;
        if (!shape_numel(&x->shape, 1, &numel) || !size_mul(numel, dtype_size(x->dtype), &bytes))
            verr(v, NULL, "constant '%s' %s is too large", x->name, buf);
        else if (bytes != x->nbytes)
            verr(v, NULL, "constant '%s' %s %s holds %zu bytes, expected %zu", x->name,
                 dtype_name(x->dtype), buf, x->nbytes, bytes);
        else if (bytes && !x->data)
            verr(v, NULL, "constant '%s' has no data", x->name);
    }
}

/* The node-level rules: op, arity, ids, producers, order. */
static void check_node(Ver *v, uint32_t id, uint32_t *nprod, bool *live)
{
    Graph *g = v->g;
    const Node *n = &g->nodes[id];
    if ((unsigned)n->op > OP_COUNT) {
        verr(v, NULL, "node %u has the invalid op %d", id, (int)n->op);
        return;
    }
    const OpInfo *oi = &op_info[n->op];
    if (n->n_in < oi->min_in || n->n_in > oi->max_in)
        verr(v, n, "has %u inputs; expected %u..%u", n->n_in, oi->min_in, oi->max_in);
    if (n->n_out < oi->min_out || n->n_out > oi->max_out)
        verr(v, n, "has %u outputs; expected %u..%u", n->n_out, oi->min_out, oi->max_out);
    for (uint32_t i = 0; i < n->n_out; i++) {
        uint32_t o = n->out[i];
        if (o == VGGC_NONE) {
            if (i < oi->min_out)
                verr(v, n, "required output %u is omitted", i);
            continue;
        }
        if (o >= g->n_values) {
            verr(v, n, "output %u: value id %u is out of range (%u values)", i, o, g->n_values);
            continue;
        }
        live[o] = true;
        nprod[o]++;
        const Value *x = &g->values[o];
        if (x->kind != VAL_TEMP)
            verr(v, n, "output %u ('%s') is a %s, not a node result", i, x->name,
                 x->kind == VAL_INPUT  ? "graph input"
                 : x->kind == VAL_PASS ? "pass-through value"
                                       : "constant");
        else if (x->producer != id)
            verr(v, n, "output %u ('%s') names node %u as its producer, not this node (%u)", i,
                 x->name, x->producer, id);
    }
    for (uint32_t i = 0; i < n->n_in; i++) {
        uint32_t in = n->in[i];
        if (in == VGGC_NONE) {
            if (i < oi->min_in)
                verr(v, n, "required input %u is omitted", i);
            continue;
        }
        if (in >= g->n_values) {
            verr(v, n, "input %u: value id %u is out of range (%u values)", i, in, g->n_values);
            continue;
        }
        live[in] = true;
        const Value *x = &g->values[in];
        if (x->wrap)
            verr(v, n, "input %u ('%s') is a sequence or optional; no node reads one", i,
                 x->name);
        if (x->kind != VAL_TEMP)
            continue;
        uint32_t p = x->producer;
        if (p == VGGC_NONE)
            verr(v, n, "input %u reads '%s', which no node produces", i, x->name);
        else if (p >= g->n_nodes)
            verr(v, n, "input %u reads '%s', whose producer id %u is out of range", i, x->name, p);
        else if (g->nodes[p].op == OP_DEAD)
            verr(v, n, "input %u reads '%s', whose producer '%s' is dead", i, x->name,
                 g->nodes[p].name);
        else if (p >= id)
            verr(v, n, "input %u reads '%s' before it is produced (by '%s', node %u; this is "
                 "node %u): not in topological order", i, x->name, g->nodes[p].name, p, id);
    }
    if (n->op == OP_CONV || n->op == OP_CONV_TRANSPOSE || n->op == OP_MAXPOOL ||
        n->op == OP_AVGPOOL) {
        if (n->attr.win.auto_pad != AUTOPAD_NOTSET)
            verr(v, n, "auto_pad is still set; shape inference resolves it into pads");
        if (n->op != OP_MAXPOOL && n->op != OP_AVGPOOL && !n->attr.win.has_kernel)
            verr(v, n, "the kernel is not set; shape inference takes it from the weight");
        if (n->attr.win.has_out_shape)
            verr(v, n, "output_shape is still set; shape inference resolves it into pads");
    }
}

/* qsort order of name pointers. */
static int cmp_name(const void *a, const void *b)
{
    const char *const *x = a, *const *y = b;
    return strcmp(*x, *y);
}

/* Checks every invariant listed at the top of this file on g as it is;
 * reports each violation ("verifier (after AFTER): ...") and returns true
 * when there was none.  Does not modify g. */
bool graph_verify(Graph *g, const char *after)
{
    Ver v = {.g = g, .after = after ? after : "?"};
    uint32_t *nprod = xcalloc(g->n_values, sizeof *nprod);
    bool *live = xcalloc(g->n_values, sizeof *live);
    bool *is_input = xcalloc(g->n_values, sizeof *is_input);

    for (uint32_t i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].op != OP_DEAD)
            check_node(&v, i, nprod, live);

    for (uint32_t i = 0; i < g->n_inputs; i++) {
        uint32_t id = g->inputs[i];
        if (id >= g->n_values) {
            verr(&v, NULL, "graph input %u: value id %u is out of range", i, id);
            continue;
        }
        if (g->values[id].kind != VAL_INPUT)
            verr(&v, NULL, "graph input %u ('%s') is not a VAL_INPUT value", i, vname(g, id));
        if (is_input[id])
            verr(&v, NULL, "graph input '%s' is listed twice", vname(g, id));
        is_input[id] = true;
        live[id] = true;
    }
    if (g->n_outputs == 0)
        verr(&v, NULL, "the graph has no outputs");
    for (uint32_t i = 0; i < g->n_outputs; i++) {
        uint32_t id = g->outputs[i];
        if (id >= g->n_values) {
            verr(&v, NULL, "graph output %u: value id %u is out of range", i, id);
            continue;
        }
        live[id] = true;
        const Value *x = &g->values[id];
        if (x->kind == VAL_TEMP && nprod[id] == 0)
            verr(&v, NULL, "graph output '%s' is not produced by any live node", x->name);
    }

    uint32_t n_live = 0;
    for (uint32_t id = 0; id < g->n_values; id++) {
        if (!live[id])
            continue;
        n_live++;
        const Value *x = &g->values[id];
        if (nprod[id] > 1)
            verr(&v, NULL, "value '%s' is produced by %u live nodes", x->name, nprod[id]);
        if (x->kind == VAL_INPUT && !is_input[id])
            verr(&v, NULL, "value '%s' is a VAL_INPUT but not a graph input", x->name);
        if (x->kind != VAL_TEMP && x->producer != VGGC_NONE)
            verr(&v, NULL, "value '%s' is a %s but has a producer (%u)", x->name,
                 x->kind == VAL_INPUT ? "graph input" : "constant", x->producer);
        check_value(&v, id);
    }

    /* Distinct names among live values: sort the names, compare neighbours. */
    const char **names = xcalloc(n_live, sizeof *names);
    uint32_t k = 0;
    for (uint32_t id = 0; id < g->n_values; id++)
        if (live[id])
            names[k++] = g->values[id].name ? g->values[id].name : "";
    qsort(names, k, sizeof *names, cmp_name);
    for (uint32_t i = 1; i < k; i++)
        if (strcmp(names[i - 1], names[i]) == 0 && (i < 2 || strcmp(names[i - 2], names[i]) != 0))
            verr(&v, NULL, "two live values are named '%s'", names[i]);

    free(names);
    free(nprod);
    free(live);
    free(is_input);
    return v.errors == 0;
}
