/* cancel_transposes.c — a Transpose of a Transpose whose permutations
 * compose to the identity is no transpose at all: readers of the second
 * read the first's input.  (Exporters produce such pairs around layout
 * changes.)
 *
 * requires: shapes.  keeps: shapes.  invalidates: value ids (compacts).
 */
#include "passes.h"
#include "util.h"

static void full_perm(const Node *t, int rank, int64_t *perm)
{
    for (int i = 0; i < rank; i++)
        perm[i] = t->attr.perm.n_perm ? t->attr.perm.perm[i] : rank - 1 - i;
}

bool pass_cancel_transposes(Graph *g)
{
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        Node *second = &g->nodes[i];
        if (second->op != OP_TRANSPOSE)
            continue;
        Node *first = producer_of(g, second->in[0]);
        if (!first || first->op != OP_TRANSPOSE)
            continue;
        int rank = g->values[first->in[0]].shape.rank;
        int64_t p1[VGGC_MAX_RANK], p2[VGGC_MAX_RANK];
        full_perm(first, rank, p1);
        full_perm(second, rank, p2);
        bool identity = true;
        for (int d = 0; d < rank; d++)
            identity &= p1[p2[d]] == d;     /* y[d] = t1[p2[d]] = x[p1[p2[d]]] */
        if (!identity || g->values[second->out[0]].is_output)
            continue;
        graph_replace_uses(g, second->out[0], first->in[0]);
        second->op = OP_DEAD;
    }
    graph_compact(g);
    return true;
}
