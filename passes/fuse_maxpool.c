/* fuse_maxpool.c — a MaxPool right after a Conv (VGG's block ends) becomes
 * part of the conv's epilogue: the conv computes a few output rows, pools
 * them in registers and stores only the pooled result.  Fused when the pool
 * is square, unpadded, undilated, its windows fit (no ceil-mode window past
 * the edge), and the conv's activation commutes with max (none or ReLU:
 * both are monotonic, and ReLU then max = max then ReLU).
 *
 * requires: shapes, fuse-activation (to see Conv+Relu as one layer).
 * keeps: shapes.  invalidates: value ids (compacts).
 */
#include "passes.h"
#include "util.h"

static bool fusable_pool(const Graph *g, const Node *pool)
{
    const WindowAttr *w = &pool->attr.win;
    const Shape *x = &g->values[pool->in[0]].shape, *y = &g->values[pool->out[0]].shape;
    if (pool->op != OP_MAXPOOL || w->nsp != 2 || pool->n_out != 1)
        return false;
    if (w->kernel[0] != w->kernel[1] || w->stride[0] != w->stride[1] || w->stride[0] < 1)
        return false;
    for (int i = 0; i < 4; i++)
        if (w->pad[i])
            return false;
    if (w->dilation[0] != 1 || w->dilation[1] != 1)
        return false;
    /* Every output window inside the input (floor mode's result). */
    int64_t k = w->kernel[0], s = w->stride[0];
    return y->d[2] == (x->d[2] - k) / s + 1 && y->d[3] == (x->d[3] - k) / s + 1;
}

bool pass_fuse_maxpool(Graph *g)
{
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        Node *conv = &g->nodes[i];
        if (conv->op != OP_CONV || conv->attr.win.nsp != 2 || conv->epi.pool_k)
            continue;
        if (conv->epi.act != ACT_NONE && conv->epi.act != ACT_RELU)
            continue;
        Node *pool = sole_user(g, conv->out[0]);
        if (!pool || !fusable_pool(g, pool))
            continue;
        conv->epi.pool_k = pool->attr.win.kernel[0];
        conv->epi.pool_s = pool->attr.win.stride[0];
        absorb_node(g, conv, pool);
    }
    graph_compact(g);
    return true;
}
