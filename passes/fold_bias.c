/* fold_bias.c — an Add of a constant after a layer becomes the layer's bias.
 *
 *   Conv -> Add(c), c per output channel ([K,1,1], [1,K,1,1], [K] broadcast
 *   over a rank-1 conv...): c joins the conv's bias.
 *   MatMul(A [M,K], B const) -> Add(c [N] or [1,N]): a Gemm(A, B, c), as
 *   tf2onnx writes dense layers.
 *   Gemm(A, B) without C -> Add(c [N] or [1,N]): C = c.
 *
 * requires: shapes.  keeps: shapes.  invalidates: value ids (compacts).
 */
#include "passes.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* The Add's constant operand (the other being `x`), or VGGC_NONE. */
static uint32_t const_operand(const Graph *g, const Node *add, uint32_t x)
{
    if (add->op != OP_ADD)
        return VGGC_NONE;
    uint32_t c = add->in[0] == x ? add->in[1] : add->in[1] == x ? add->in[0] : VGGC_NONE;
    return c != VGGC_NONE && const_floats(g, c) ? c : VGGC_NONE;
}

/* Does constant shape c hold one value per channel K of a rank-r NCHW
 * result (all other dims 1, channel at index 1 after right alignment)? */
static bool per_channel(const Shape *c, int r, int64_t K)
{
    if (c->rank > r)
        return false;
    int64_t count = 1;
    for (int i = 0; i < c->rank; i++) {
        int at = r - c->rank + i;   /* position in the result */
        if (at == 1 ? c->d[i] != K && c->d[i] != 1 : c->d[i] != 1)
            return false;
        count *= c->d[i];
    }
    return count == K || count == 1;
}

static void set_bias(Graph *g, Node *n, uint32_t slot, uint32_t bias)
{
    if (n->n_in <= slot) {
        uint32_t *in = arena_alloc(&g->arena, (slot + 1) * sizeof *in);
        memcpy(in, n->in, n->n_in * sizeof *in);
        for (uint32_t i = n->n_in; i < slot; i++)
            in[i] = VGGC_NONE;
        n->in = in;
        n->n_in = slot + 1;
    }
    n->in[slot] = bias;
}

static void fold_conv(Graph *g, Node *conv, Node *add)
{
    uint32_t c = const_operand(g, add, conv->out[0]);
    const Shape *ys = &g->values[conv->out[0]].shape;
    int64_t K = ys->d[1];
    if (c == VGGC_NONE || !per_channel(&g->values[c].shape, ys->rank, K) ||
        !shape_equal(&g->values[add->out[0]].shape, ys))
        return;
    uint32_t old = conv->n_in > 2 ? conv->in[2] : VGGC_NONE;
    const float *ob = old == VGGC_NONE ? NULL : const_floats(g, old);
    if (old != VGGC_NONE && !ob)
        return;
    const float *cv = const_floats(g, c);
    bool scalar = g->values[c].nbytes == sizeof(float);
    float *nb = malloc(sizeof(float) * (size_t)K);
    VGGC_ASSERT(nb);
    for (int64_t k = 0; k < K; k++)
        nb[k] = (ob ? ob[k] : 0.0f) + cv[scalar ? 0 : k];
    Shape bs = {1, {K}};
    uint32_t bid = add_float_const(g, g->values[c].name, "+bias", &bs, nb);
    free(nb);
    set_bias(g, conv, 2, bid);
    absorb_node(g, conv, add);
}

/* c as a bias of N columns: [N] or [1,N]. */
static bool row_bias(const Graph *g, uint32_t c, int64_t N)
{
    const Shape *s = &g->values[c].shape;
    return (s->rank == 1 && s->d[0] == N) || (s->rank == 2 && s->d[0] == 1 && s->d[1] == N);
}

static void fold_dense(Graph *g, Node *mm, Node *add)
{
    uint32_t c = const_operand(g, add, mm->out[0]);
    const Shape *ys = &g->values[mm->out[0]].shape;
    if (c == VGGC_NONE || ys->rank != 2 || !row_bias(g, c, ys->d[1]) ||
        !shape_equal(&g->values[add->out[0]].shape, ys))
        return;
    if (mm->op == OP_MATMUL) {
        if (g->values[mm->in[0]].shape.rank != 2 || g->values[mm->in[1]].shape.rank != 2)
            return;
        mm->op = OP_GEMM;
        memset(&mm->attr, 0, sizeof mm->attr);
        mm->attr.gemm.alpha = 1.0f;
        mm->attr.gemm.beta = 1.0f;
    } else if (mm->n_in > 2 && mm->in[2] != VGGC_NONE) {
        return;     /* a Gemm with its own C: leave both */
    } else {
        mm->attr.gemm.beta = 1.0f;
    }
    set_bias(g, mm, 2, c);
    absorb_node(g, mm, add);
}

bool pass_fold_bias(Graph *g)
{
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        Node *n = &g->nodes[i];
        if (n->op != OP_CONV && n->op != OP_MATMUL && n->op != OP_GEMM)
            continue;
        if (n->epi.act != ACT_NONE || n->epi.pool_k || n->epi.softmax)
            continue;
        Node *add = sole_user(g, n->out[0]);
        if (!add || add->op != OP_ADD || g->values[add->out[0]].dtype != DT_FLOAT)
            continue;
        if (n->op == OP_CONV)
            fold_conv(g, n, add);
        else
            fold_dense(g, n, add);
    }
    graph_compact(g);
    return true;
}
