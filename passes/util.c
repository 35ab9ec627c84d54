/* util.c — small helpers the rewriting passes share. */
#include "util.h"

#include <stdlib.h>
#include <string.h>

Node *sole_user(Graph *g, uint32_t v)
{
    if (g->values[v].is_output)
        return NULL;
    Node *user = NULL;
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        Node *n = &g->nodes[i];
        if (n->op == OP_DEAD)
            continue;
        for (uint32_t j = 0; j < n->n_in; j++)
            if (n->in[j] == v) {
                if (user && user != n)
                    return NULL;
                if (user == n)   /* read twice by the same node */
                    return NULL;
                user = n;
            }
    }
    return user;
}

Node *producer_of(Graph *g, uint32_t v)
{
    uint32_t p = g->values[v].producer;
    if (v == VGGC_NONE || g->values[v].kind != VAL_TEMP || p == VGGC_NONE)
        return NULL;
    return g->nodes[p].op == OP_DEAD ? NULL : &g->nodes[p];
}

const float *const_floats(const Graph *g, uint32_t v)
{
    if (v == VGGC_NONE || !is_const(g, v) || g->values[v].dtype != DT_FLOAT)
        return NULL;
    return g->values[v].data;
}

/* The constant base + suffix (or base + suffix + ".k") equal to (s, data),
 * or VGGC_NONE with *name the first such name not taken. */
static uint32_t find_float_const(Graph *g, const char *base, const char *suffix, const Shape *s,
                                 const float *data, const char **name)
{
    size_t n = 0;
    VGGC_ASSERT(shape_numel_per_item(s, &n));
    *name = arena_printf(&g->arena, "%s%s", base, suffix);
    for (unsigned k = 2;; k++) {
        uint32_t id = graph_find_value(g, *name);
        if (id == VGGC_NONE)
            return VGGC_NONE;
        const Value *v = &g->values[id];
        if (v->kind == VAL_CONST && v->dtype == DT_FLOAT && shape_equal(&v->shape, s) &&
            v->nbytes == n * sizeof(float) && (n == 0 || memcmp(v->data, data, v->nbytes) == 0))
            return id;
        *name = arena_printf(&g->arena, "%s%s.%u", base, suffix, k);
    }
}

uint32_t add_float_const(Graph *g, const char *base, const char *suffix, const Shape *s,
                         const float *data)
{
    const char *name;
    uint32_t id = find_float_const(g, base, suffix, s, data, &name);
    if (id != VGGC_NONE)
        return id;
    size_t n = 0;
    VGGC_ASSERT(shape_numel_per_item(s, &n));
    return graph_add_const(g, name, DT_FLOAT, s, data, n * sizeof(float));
}

uint32_t adopt_float_const(Graph *g, const char *base, const char *suffix, const Shape *s,
                           float *data)
{
    const char *name;
    uint32_t id = find_float_const(g, base, suffix, s, data, &name);
    if (id != VGGC_NONE) {
        arena_release(&g->arena, data);
        return id;
    }
    size_t n = 0;
    VGGC_ASSERT(shape_numel_per_item(s, &n));
    id = graph_add_value(g, name, VAL_CONST, DT_FLOAT);
    Value *v = &g->values[id];
    v->has_shape = true;
    v->shape = *s;
    v->nbytes = n * sizeof(float);
    v->data = data;
    return id;
}

void absorb_node(Graph *g, Node *into, Node *from)
{
    uint32_t into_id = (uint32_t)(into - g->nodes);
    uint32_t out = from->out[0];
    into->out[0] = out;
    g->values[out].producer = into_id;
    g->values[out].layout = into->out_layout;
    from->op = OP_DEAD;
}
