/* remove_identity.c — Identity and Dropout are copies at inference time.
 *
 * PyTorch routes shared biases through Identity nodes; classifiers carry
 * Dropout.  Neither computes anything when the network runs, so each use of
 * the output is redirected to the input.  When the output is a graph output
 * the node stays (as a copy): the output's name is part of the interface.
 *
 * requires: shapes inferred.  keeps: shapes.  invalidates: nothing.
 */
#include "passes.h"

bool pass_remove_identity(Graph *g)
{
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        Node *n = &g->nodes[i];
        if (n->op != OP_IDENTITY && n->op != OP_DROPOUT)
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
