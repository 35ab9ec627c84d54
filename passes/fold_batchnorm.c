/* fold_batchnorm.c — an inference BatchNormalization is an affine map per
 * channel, y = s * (x - mean) + beta with s = scale / sqrt(var + eps), so
 * after a Conv (or a dense layer) it folds into that layer's weights and
 * bias at compile time:  w'[k] = s[k] w[k],  b'[k] = s[k] (b[k] - mean[k]) + beta[k].
 *
 * requires: shapes.  keeps: shapes (the layer now produces the BN's output
 * value).  invalidates: value ids (compacts).
 */
#include "passes.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* s[k] and the shift t[k] = beta[k] - s[k] mean[k]; false unless every
 * BN parameter is a float constant of K elements. */
static bool bn_factors(Graph *g, const Node *bn, int64_t K, float *s, float *t)
{
    const float *p[4];
    for (int i = 0; i < 4; i++) {
        p[i] = const_floats(g, bn->in[i + 1]);
        if (!p[i] || g->values[bn->in[i + 1]].nbytes != (size_t)K * sizeof(float))
            return false;
    }
    for (int64_t k = 0; k < K; k++) {
        s[k] = p[0][k] / sqrtf(p[3][k] + bn->attr.bn.epsilon);
        t[k] = p[1][k] - s[k] * p[2][k];
    }
    return true;
}

static bool fold_into_conv(Graph *g, Node *conv, Node *bn)
{
    const float *w = const_floats(g, conv->in[1]);
    uint32_t bias = conv->n_in > 2 ? conv->in[2] : VGGC_NONE;
    const float *b = bias == VGGC_NONE ? NULL : const_floats(g, bias);
    if (!w || (bias != VGGC_NONE && !b))
        return false;
    Shape ws = g->values[conv->in[1]].shape;
    int64_t K = ws.d[0];
    size_t per = g->values[conv->in[1]].nbytes / sizeof(float) / (size_t)K;
    float *s = malloc(sizeof(float) * (size_t)K * 3), *t = s + K, *nb = t + K;
    float *nw = malloc(g->values[conv->in[1]].nbytes);
    VGGC_ASSERT(s && nw);
    bool ok = bn_factors(g, bn, K, s, t);
    if (ok) {
        for (int64_t k = 0; k < K; k++) {
            for (size_t i = 0; i < per; i++)
                nw[(size_t)k * per + i] = w[(size_t)k * per + i] * s[k];
            nb[k] = (b ? b[k] : 0.0f) * s[k] + t[k];
        }
        const char *base = g->values[conv->in[1]].name;
        uint32_t wid = add_float_const(g, base, "+bn", &ws, nw);
        Shape bs = {1, {K}};
        uint32_t bid = add_float_const(g, base, "+bn_bias", &bs, nb);
        if (conv->n_in < 3) {
            uint32_t *in = arena_alloc(&g->arena, 3 * sizeof *in);
            memcpy(in, conv->in, conv->n_in * sizeof *in);
            conv->in = in;
            conv->n_in = 3;
        }
        conv->in[1] = wid;
        conv->in[2] = bid;
        absorb_node(g, conv, bn);
    }
    free(s);
    free(nw);
    return ok;
}

bool pass_fold_batchnorm(Graph *g)
{
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        Node *bn = &g->nodes[i];
        if (bn->op != OP_BATCHNORM)
            continue;
        Node *conv = producer_of(g, bn->in[0]);
        if (conv && conv->op == OP_CONV && sole_user(g, conv->out[0]) == bn &&
            conv->epi.act == ACT_NONE && !conv->epi.pool_k)
            fold_into_conv(g, conv, bn);
    }
    graph_compact(g);
    return true;
}
