/* fuse_dense.c — the classifier head as two or three dense layers.
 *
 *   GlobalAveragePool -> Flatten -> Gemm, and ReduceMean over H, W
 *   (keepdims 0) -> Gemm (tf2onnx): the Gemm reads the 4-D features and
 *   takes their spatial mean itself (epi.mean_input), so no pooled tensor
 *   goes through memory on its own.
 *   Gemm -> Softmax over the last axis of its [N,K] result, when that is a
 *   graph output: the softmax becomes the Gemm's epilogue.
 *
 * requires: shapes; fold-bias (MatMul+Add already Gemm).  keeps: shapes.
 * invalidates: value ids (compacts).
 */
#include "passes.h"
#include "util.h"

/* Is n a spatial mean of a [N,C,H,W] tensor with result [N,C] or [N,C,1,1]? */
static bool spatial_mean(const Graph *g, const Node *n)
{
    const Shape *x = &g->values[n->in[0]].shape;
    if (x->rank != 4)
        return false;
    if (n->op == OP_GLOBAL_AVGPOOL)
        return true;
    if (n->op != OP_REDUCE_MEAN)
        return false;
    const AxesAttr *a = &n->attr.axes;
    return a->n_axes == 2 && a->axes[0] == 2 && a->axes[1] == 3;
}

static void fuse_mean_input(Graph *g, Node *gemm)
{
    if (gemm->epi.mean_input || gemm->attr.gemm.trans_a)
        return;
    Node *prev = producer_of(g, gemm->in[0]);
    Node *flatten = NULL;
    if (prev && (prev->op == OP_FLATTEN || prev->op == OP_RESHAPE || prev->op == OP_SQUEEZE)) {
        const Shape *s = &g->values[prev->out[0]].shape;
        if (s->rank != 2 || sole_user(g, prev->out[0]) != gemm)
            return;
        flatten = prev;
        prev = producer_of(g, prev->in[0]);
    }
    if (!prev || !spatial_mean(g, prev) || sole_user(g, prev->out[0]) != (flatten ? flatten : gemm))
        return;
    const Shape *y = &g->values[prev->out[0]].shape;
    if (!flatten && y->rank != 2)
        return;     /* keepdims ReduceMean straight into a Gemm: not a dense input */
    gemm->in[0] = prev->in[0];
    gemm->in_layout = g->values[prev->in[0]].layout;
    gemm->epi.mean_input = true;
    prev->op = OP_DEAD;
    if (flatten)
        flatten->op = OP_DEAD;
}

static void fuse_softmax(Graph *g, Node *gemm)
{
    const Shape *y = &g->values[gemm->out[0]].shape;
    if (gemm->epi.softmax || y->rank != 2)
        return;
    Node *sm = NULL;
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        Node *n = &g->nodes[i];
        for (uint32_t j = 0; n->op != OP_DEAD && j < n->n_in; j++)
            if (n->in[j] == gemm->out[0]) {
                if (sm)
                    return;
                sm = n;
            }
    }
    if (!sm || sm->op != OP_SOFTMAX || g->values[gemm->out[0]].is_output ||
        !g->values[sm->out[0]].is_output)
        return;
    int64_t axis = sm->attr.softmax.axis;
    if (axis != -1 && axis != 1)
        return;     /* (coerce_2d with axis 1 on [N,K] is the same as axis 1) */
    gemm->epi.softmax = true;
    absorb_node(g, gemm, sm);
}

bool pass_fuse_dense(Graph *g)
{
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        Node *n = &g->nodes[i];
        if (n->op != OP_GEMM)
            continue;
        fuse_mean_input(g, n);
        fuse_softmax(g, n);
    }
    graph_compact(g);
    return true;
}
