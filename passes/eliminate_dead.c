/* eliminate_dead.c — drop nodes whose results nothing reads.
 *
 * Walks the nodes backwards so a whole dead chain goes in one sweep (a
 * folded Shape->Gather->Concat leaves its Shape behind, for instance).
 *
 * requires: nothing.  keeps: shapes.  invalidates: value and node ids
 * (graph_compact renumbers).
 */
#include "passes.h"

#include <stdlib.h>

bool pass_eliminate_dead(Graph *g)
{
    uint32_t *uses = calloc(g->n_values ? g->n_values : 1, sizeof *uses);
    VGGC_ASSERT(uses);
    for (uint32_t i = 0; i < g->n_outputs; i++)
        uses[g->outputs[i]]++;
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        const Node *n = &g->nodes[i];
        if (n->op == OP_DEAD)
            continue;
        for (uint32_t j = 0; j < n->n_in; j++)
            if (n->in[j] != VGGC_NONE)
                uses[n->in[j]]++;
    }
    for (uint32_t i = g->n_nodes; i-- > 0;) {
        Node *n = &g->nodes[i];
        if (n->op == OP_DEAD)
            continue;
        bool used = false;
        for (uint32_t j = 0; j < n->n_out; j++)
            used |= n->out[j] != VGGC_NONE && uses[n->out[j]] > 0;
        if (used)
            continue;
        for (uint32_t j = 0; j < n->n_in; j++)
            if (n->in[j] != VGGC_NONE)
                uses[n->in[j]]--;
        n->op = OP_DEAD;
    }
    free(uses);
    graph_compact(g);
    return true;
}
