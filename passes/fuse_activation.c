/* fuse_activation.c — Relu, Clip, LeakyRelu or Sigmoid right after a Conv
 * or a dense layer (Gemm) becomes that layer's epilogue: applied to each
 * result before it is stored, so the activation costs no pass over memory.
 *
 * requires: shapes.  keeps: shapes.  invalidates: value ids (compacts).
 */
#include "passes.h"
#include "util.h"

bool pass_fuse_activation(Graph *g)
{
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        Node *n = &g->nodes[i];
        if (n->op != OP_CONV && n->op != OP_GEMM)
            continue;
        if (n->epi.act != ACT_NONE || n->epi.pool_k || n->epi.softmax)
            continue;
        Node *a = sole_user(g, n->out[0]);
        if (!a)
            continue;
        switch (a->op) {
        case OP_RELU: n->epi.act = ACT_RELU; break;
        case OP_SIGMOID: n->epi.act = ACT_SIGMOID; break;
        case OP_LEAKY_RELU:
            n->epi.act = ACT_LEAKY_RELU;
            n->epi.alpha = a->attr.alpha.alpha;
            break;
        case OP_CLIP:
            if (a->n_in > 1)    /* a bound read at run time: not an epilogue constant */
                continue;
            if (a->attr.clip.min > a->attr.clip.max)
                continue;       /* all max: left to the elementwise kernel, which does that */
            n->epi.act = ACT_CLIP;
            n->epi.alpha = a->attr.clip.min;
            n->epi.beta = a->attr.clip.max;
            break;
        default:
            continue;
        }
        absorb_node(g, n, a);
    }
    graph_compact(g);
    return true;
}
