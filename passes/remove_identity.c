/* remove_identity.c — Identity and Dropout are copies at inference time,
 * and so is a pooling window of one element.
 *
 * PyTorch routes shared biases through Identity nodes; classifiers carry
 * Dropout; torchvision's VGG and AlexNet end their features with an
 * adaptive average pool to 7x7 or 6x6, which torch exports as an
 * AveragePool of kernel 1 and stride 1 when the map has that size already.
 * None computes anything when the network runs, so each use of the output
 * is redirected to the input.  When the output is a graph output the node
 * stays (as a copy): the output's name is part of the interface.
 *
 * requires: shapes inferred.  keeps: shapes.  invalidates: nothing.
 */
#include "passes.h"

/* A MaxPool or AveragePool whose window is one element, stride 1, and whose
 * result has its input's shape (no padding): each output is its input. */
static bool copying_pool(const Graph *g, const Node *n)
{
    if ((n->op != OP_MAXPOOL && n->op != OP_AVGPOOL) || (n->n_out > 1 && n->out[1] != VGGC_NONE))
        return false;
    const WindowAttr *w = &n->attr.win;
    if (w->kernel[0] != 1 || w->kernel[1] != 1 || w->stride[0] != 1 || w->stride[1] != 1 ||
        (w->nsp == 3 && (w->kernel_d != 1 || w->stride_d != 1)))
        return false;
    const Value *x = &g->values[n->in[0]], *y = &g->values[n->out[0]];
    return x->dtype == y->dtype && shape_equal(&x->shape, &y->shape);
}

bool pass_remove_identity(Graph *g)
{
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        Node *n = &g->nodes[i];
        if (n->op != OP_IDENTITY && n->op != OP_DROPOUT && !copying_pool(g, n))
            continue;
        uint32_t in = n->in[0], out = n->out[0];
        if (g->values[out].is_output)
            continue;
        if (n->n_out > 1 && n->out[1] != VGGC_NONE)
            continue;   /* Dropout's mask is read: the node stays to write it */
        graph_replace_uses(g, out, in);
        n->op = OP_DEAD;
    }
    graph_compact(g);
    return true;
}
