/* graph.c — building and editing the graph.
 *
 * Values and nodes live in growable arrays and are named by index.  The
 * frontend appends; passes rewrite uses with graph_replace_uses(), mark
 * nodes dead, and call graph_compact() to drop what nothing needs.
 */
#include "ir.h"

#include <stdlib.h>
#include <string.h>

Graph *graph_new(const char *path)
{
    Graph *g = calloc(1, sizeof *g);
    if (!g) {
        fprintf(stderr, "vggc: error: out of memory\n");
        exit(3);
    }
    g->path = path ? arena_strdup(&g->arena, path) : "<model>";
    g->name = "model";
    return g;
}

void graph_free(Graph *g)
{
    if (!g)
        return;
    free(g->values);
    free(g->nodes);
    arena_free(&g->arena);
    free(g);
}

static void *grow(void *arr, uint32_t *cap, size_t elem)
{
    uint32_t ncap = *cap ? *cap * 2 : 64;
    VGGC_ASSERT(ncap > *cap);
    void *p = realloc(arr, (size_t)ncap * elem);
    if (!p) {
        fprintf(stderr, "vggc: error: out of memory\n");
        exit(3);
    }
    memset((char *)p + (size_t)*cap * elem, 0, (size_t)(ncap - *cap) * elem);
    *cap = ncap;
    return p;
}

uint32_t graph_add_value(Graph *g, const char *name, ValueKind kind, DType dt)
{
    if (g->n_values == g->cap_values)
        g->values = grow(g->values, &g->cap_values, sizeof(Value));
    uint32_t id = g->n_values++;
    Value *v = &g->values[id];
    memset(v, 0, sizeof *v);
    v->name = arena_strdup(&g->arena, name);
    v->kind = kind;
    v->dtype = dt;
    v->producer = VGGC_NONE;
    return id;
}

uint32_t graph_add_const(Graph *g, const char *name, DType dt, const Shape *s,
                         const void *data, size_t nbytes)
{
    uint32_t id = graph_add_value(g, name, VAL_CONST, dt);
    Value *v = &g->values[id];
    v->has_shape = true;
    v->shape = *s;
    v->nbytes = nbytes;
    v->data = arena_alloc_aligned(&g->arena, nbytes, 64);
    if (nbytes)
        memcpy(v->data, data, nbytes);
    return id;
}

uint32_t graph_add_node(Graph *g, OpKind op, const char *name,
                        uint32_t n_in, const uint32_t *in,
                        uint32_t n_out, const uint32_t *out)
{
    if (g->n_nodes == g->cap_nodes)
        g->nodes = grow(g->nodes, &g->cap_nodes, sizeof(Node));
    uint32_t id = g->n_nodes++;
    Node *n = &g->nodes[id];
    memset(n, 0, sizeof *n);
    n->op = op;
    n->name = (name && *name) ? arena_strdup(&g->arena, name)
                              : arena_printf(&g->arena, "%s_%u", op_name(op), id);
    n->n_in = n_in;
    n->n_out = n_out;
    n->in = arena_alloc(&g->arena, sizeof(uint32_t) * (n_in ? n_in : 1));
    n->out = arena_alloc(&g->arena, sizeof(uint32_t) * (n_out ? n_out : 1));
    if (n_in)
        memcpy(n->in, in, sizeof(uint32_t) * n_in);
    if (n_out)
        memcpy(n->out, out, sizeof(uint32_t) * n_out);
    for (uint32_t i = 0; i < n_out; i++)
        if (out[i] != VGGC_NONE)
            g->values[out[i]].producer = id;
    return id;
}

uint32_t graph_insert_node(Graph *g, uint32_t at, OpKind op, const char *name,
                           uint32_t n_in, const uint32_t *in,
                           uint32_t n_out, const uint32_t *out)
{
    VGGC_ASSERT(at <= g->n_nodes);
    const uint32_t last = graph_add_node(g, op, name, n_in, in, n_out, out);
    const Node n = g->nodes[last];
    memmove(&g->nodes[at + 1], &g->nodes[at], sizeof(Node) * (last - at));
    g->nodes[at] = n;
    for (uint32_t v = 0; v < g->n_values; v++) {
        uint32_t *p = &g->values[v].producer;
        if (*p == last)
            *p = at;
        else if (*p != VGGC_NONE && *p >= at)
            (*p)++;
    }
    return at;
}

uint32_t graph_find_value(const Graph *g, const char *name)
{
    /* Linear: used by tests and by the passes' add_float_const (the
     * frontend keeps its own hash index); fine for graphs of thousands of
     * values. */
    for (uint32_t i = g->n_values; i-- > 0;)
        if (strcmp(g->values[i].name, name) == 0)
            return i;
    return VGGC_NONE;
}

static uint32_t *append_id(Graph *g, uint32_t *arr, uint32_t n, uint32_t v)
{
    uint32_t *p = arena_alloc(&g->arena, sizeof(uint32_t) * (n + 1));
    if (n)
        memcpy(p, arr, sizeof(uint32_t) * n);
    p[n] = v;
    return p;
}

void graph_add_input(Graph *g, uint32_t v)
{
    g->inputs = append_id(g, g->inputs, g->n_inputs, v);
    g->n_inputs++;
}

void graph_add_output(Graph *g, uint32_t v)
{
    g->outputs = append_id(g, g->outputs, g->n_outputs, v);
    g->n_outputs++;
    g->values[v].is_output = true;
}

void graph_replace_uses(Graph *g, uint32_t from, uint32_t to)
{
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        Node *n = &g->nodes[i];
        if (n->op == OP_DEAD)
            continue;
        for (uint32_t j = 0; j < n->n_in; j++)
            if (n->in[j] == from)
                n->in[j] = to;
    }
    bool still_output = false;
    for (uint32_t i = 0; i < g->n_outputs; i++) {
        if (g->outputs[i] == from) {
            g->outputs[i] = to;
            g->values[to].is_output = true;
        }
        still_output |= g->outputs[i] == from;
    }
    g->values[from].is_output = still_output;
}

uint32_t graph_count_uses(const Graph *g, uint32_t v)
{
    uint32_t count = 0;
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        const Node *n = &g->nodes[i];
        if (n->op == OP_DEAD)
            continue;
        for (uint32_t j = 0; j < n->n_in; j++)
            count += n->in[j] == v;
    }
    for (uint32_t i = 0; i < g->n_outputs; i++)
        count += g->outputs[i] == v;
    return count;
}

void graph_compact(Graph *g)
{
    /* Which values are still referenced? */
    bool *live = calloc(g->n_values ? g->n_values : 1, 1);
    uint32_t *remap = malloc(sizeof(uint32_t) * (g->n_values ? g->n_values : 1));
    if (!live || !remap) {
        fprintf(stderr, "vggc: error: out of memory\n");
        exit(3);
    }
    for (uint32_t i = 0; i < g->n_inputs; i++)
        live[g->inputs[i]] = true;
    for (uint32_t i = 0; i < g->n_outputs; i++)
        live[g->outputs[i]] = true;
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        const Node *n = &g->nodes[i];
        if (n->op == OP_DEAD)
            continue;
        for (uint32_t j = 0; j < n->n_in; j++)
            if (n->in[j] != VGGC_NONE)
                live[n->in[j]] = true;
        for (uint32_t j = 0; j < n->n_out; j++)
            if (n->out[j] != VGGC_NONE)
                live[n->out[j]] = true;
    }
    uint32_t nv = 0;
    for (uint32_t i = 0; i < g->n_values; i++) {
        remap[i] = live[i] ? nv : VGGC_NONE;
        if (live[i])
            g->values[nv++] = g->values[i];
        else if (g->values[i].kind == VAL_CONST)
            arena_release(&g->arena, g->values[i].data);  /* each constant has its own */
    }
    g->n_values = nv;

    uint32_t nn = 0;
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        if (g->nodes[i].op == OP_DEAD)
            continue;
        Node *n = &g->nodes[nn] ;
        *n = g->nodes[i];
        for (uint32_t j = 0; j < n->n_in; j++)
            if (n->in[j] != VGGC_NONE)
                n->in[j] = remap[n->in[j]];
        for (uint32_t j = 0; j < n->n_out; j++)
            if (n->out[j] != VGGC_NONE) {
                n->out[j] = remap[n->out[j]];
                g->values[n->out[j]].producer = nn;
            }
        nn++;
    }
    g->n_nodes = nn;
    for (uint32_t i = 0; i < g->n_inputs; i++)
        g->inputs[i] = remap[g->inputs[i]];
    for (uint32_t i = 0; i < g->n_outputs; i++)
        g->outputs[i] = remap[g->outputs[i]];
    for (uint32_t i = 0; i < g->n_values; i++) {
        if (g->values[i].kind != VAL_TEMP)
            g->values[i].producer = VGGC_NONE;
        if (g->values[i].kind == VAL_PASS)
            g->values[i].source = remap[g->values[i].source];   /* an input: live */
    }
    free(live);
    free(remap);
}
