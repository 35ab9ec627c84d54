/* fold_batchnorm.c — an inference BatchNormalization is an affine map per
 * channel, y = s * (x - mean) + beta with s = scale / sqrt(var + eps), so
 * after a Conv or a dense layer (Gemm, the BN over its columns) it folds
 * into that layer's weights and bias at compile time:
 *   w'[k] = s[k] w[k],  b'[k] = s[k] (b[k] - mean[k]) + beta[k].
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

/* Gemm: y = alpha A op(B) + beta C, then the BN over y's columns:
 * op(B)'s column k scales by s[k]; C' = s (beta C - mean) + beta_bn, beta' = 1.
 * C must be a constant per column ([K], [1,K], a scalar) or absent. */
static bool fold_into_gemm(Graph *g, Node *gemm, Node *bn)
{
    const Value *bv = &g->values[gemm->in[1]];
    const float *w = const_floats(g, gemm->in[1]);
    const Shape *ys = &g->values[gemm->out[0]].shape;
    if (!w || bv->shape.rank != 2 || ys->rank != 2 || bn->attr.bn.epsilon < 0)
        return false;
    int64_t K = ys->d[1], rows = bv->shape.d[0], cols = bv->shape.d[1];
    bool trans = gemm->attr.gemm.trans_b;
    uint32_t cid = gemm->n_in > 2 ? gemm->in[2] : VGGC_NONE;
    const float *cdata = cid == VGGC_NONE ? NULL : const_floats(g, cid);
    size_t ccount = cid == VGGC_NONE ? 0 : g->values[cid].nbytes / sizeof(float);
    if (cid != VGGC_NONE && (!cdata || (ccount != 1 && ccount != (size_t)K) ||
                             (g->values[cid].shape.rank == 2 && g->values[cid].shape.d[0] != 1)))
        return false;
    float *s = malloc(sizeof(float) * (size_t)K * 3), *t = s + K, *nc = t + K;
    float *nw = malloc(bv->nbytes);
    VGGC_ASSERT(s && nw);
    bool ok = bn_factors(g, bn, K, s, t);
    if (ok) {
        for (int64_t r = 0; r < rows; r++)
            for (int64_t c = 0; c < cols; c++)
                nw[r * cols + c] = w[r * cols + c] * s[trans ? r : c];
        for (int64_t k = 0; k < K; k++) {
            float cv = cdata ? gemm->attr.gemm.beta * cdata[ccount == 1 ? 0 : k] : 0.0f;
            nc[k] = s[k] * cv + t[k];
        }
        Shape ws = bv->shape, cs = {1, {K}};
        const char *base = bv->name;
        uint32_t wid = add_float_const(g, base, "+bn", &ws, nw);
        uint32_t nid = add_float_const(g, base, "+bn_bias", &cs, nc);
        if (gemm->n_in < 3) {
            uint32_t *in = arena_alloc(&g->arena, 3 * sizeof *in);
            memcpy(in, gemm->in, gemm->n_in * sizeof *in);
            gemm->in = in;
            gemm->n_in = 3;
        }
        gemm->in[1] = wid;
        gemm->in[2] = nid;
        gemm->attr.gemm.beta = 1.0f;
        absorb_node(g, gemm, bn);
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
        Node *prev = producer_of(g, bn->in[0]);
        if (!prev || sole_user(g, prev->out[0]) != bn || prev->epi.act != ACT_NONE ||
            prev->epi.pool_k || prev->epi.softmax || prev->epi.mean_input)
            continue;
        if (prev->op == OP_CONV)
            fold_into_conv(g, prev, bn);
        else if (prev->op == OP_GEMM)
            fold_into_gemm(g, prev, bn);
    }
    graph_compact(g);
    return true;
}
