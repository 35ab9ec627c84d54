/* plan.c — lowering: layer order, tensor placement, the arena.
 *
 * Placement is a liveness problem.  Each materialized tensor is live from
 * the layer that writes it to the last layer that reads it (a view extends
 * its root's life).  Tensors are placed largest first at the lowest offset
 * that overlaps no placed tensor whose life intersects its own — the
 * classic greedy that keeps a VGG's arena near the sum of its two largest
 * neighbouring activations.  Static and batched tensors are planned
 * separately (different regions), with the same routine.
 */
#include "plan.h"
#include "vggrt.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ALIGN 64u

static uint64_t align_up(uint64_t x) { return (x + ALIGN - 1) & ~(uint64_t)(ALIGN - 1); }

bool plan_is_view(const Node *n)
{
    return (n->op == OP_RESHAPE || n->op == OP_FLATTEN || n->op == OP_SQUEEZE ||
            n->op == OP_UNSQUEEZE) && n->in_layout != LAYOUT_BLOCKED;
}

static size_t value_bytes_per_item(const Graph *g, const Value *v)
{
    size_t n = 0, b = 0;
    Shape s = v->shape;
    const int64_t blk = graph_block(g);
    if (v->layout == LAYOUT_BLOCKED)    /* channels padded to whole blocks */
        s.d[1] = (s.d[1] + blk - 1) / blk * blk;
    VGGC_ASSERT(shape_numel_per_item(&s, &n));
    VGGC_ASSERT(size_mul(n, dtype_size(v->dtype), &b));
    return b;
}

void plan_conv_params(const Graph *g, const Node *n, vggrt_conv_params *p)
{
    const Shape *x = &g->values[n->in[0]].shape;
    const WindowAttr *a = &n->attr.win;
    bool one_d = a->nsp == 1;
    int sp = a->nsp == 3 ? 3 : 2;               /* 3-D: x is [N,C,D,H,W] */
    memset(p, 0, sizeof *p);
    bool nhwc = n->in_layout == LAYOUT_NHWC;     /* x is [N,H,W,C] */
    p->c = nhwc ? x->d[3] : x->d[1];
    p->h = one_d ? 1 : nhwc ? x->d[1] : x->d[sp];
    p->w = one_d ? x->d[2] : nhwc ? x->d[2] : x->d[sp + 1];
    p->k = g->values[n->out[0]].shape.d[1];
    p->kh = a->kernel[0];
    p->kw = a->kernel[1];
    p->sh = a->stride[0];
    p->sw = a->stride[1];
    p->pt = a->pad[0];
    p->pl = a->pad[1];
    p->dh = a->dilation[0];
    p->dw = a->dilation[1];
    /* The conv's own output size (before a fused pool shrinks the value). */
    p->oh = (p->h + a->pad[0] + a->pad[2] - p->dh * (p->kh - 1) - 1) / p->sh + 1;
    p->ow = (p->w + a->pad[1] + a->pad[3] - p->dw * (p->kw - 1) - 1) / p->sw + 1;
    p->group = a->group;
    p->act = n->epi.act == ACT_RELU ? VGGRT_ACT_RELU : VGGRT_ACT_NONE;
}

void plan_conv3d_params(const Graph *g, const Node *n, vggrt_conv3d_params *p)
{
    const WindowAttr *a = &n->attr.win;
    const bool three_d = a->nsp == 3;
    VGGC_ASSERT(!three_d || n->in_layout == LAYOUT_PLAIN);
    plan_conv_params(g, n, &p->hw);
    p->d = three_d ? g->values[n->in[0]].shape.d[2] : 1;
    p->od = three_d ? g->values[n->out[0]].shape.d[2] : 1;
    p->kd = three_d ? a->kernel_d : 1;
    p->sd = three_d ? a->stride_d : 1;
    p->pfront = three_d ? a->pad_d[0] : 0;
    p->dd = three_d ? a->dilation_d : 1;
}

void plan_conv_transpose_params(const Graph *g, const Node *n, vggrt_conv3d_params *p)
{
    const Shape *x = &g->values[n->in[0]].shape, *y = &g->values[n->out[0]].shape;
    const WindowAttr *a = &n->attr.win;
    const bool three_d = a->nsp == 3;
    const int r = x->rank;
    memset(p, 0, sizeof *p);
    vggrt_conv_params *q = &p->hw;
    q->c = x->d[1];
    q->k = y->d[1];
    q->h = a->nsp == 1 ? 1 : x->d[r - 2];
    q->w = x->d[r - 1];
    q->oh = a->nsp == 1 ? 1 : y->d[r - 2];
    q->ow = y->d[r - 1];
    q->kh = a->kernel[0];
    q->kw = a->kernel[1];
    q->sh = a->stride[0];
    q->sw = a->stride[1];
    q->pt = a->pad[0];
    q->pl = a->pad[1];
    q->dh = a->dilation[0];
    q->dw = a->dilation[1];
    q->group = a->group;
    q->act = VGGRT_ACT_NONE;
    p->d = three_d ? x->d[2] : 1;
    p->od = three_d ? y->d[2] : 1;
    p->kd = three_d ? a->kernel_d : 1;
    p->sd = three_d ? a->stride_d : 1;
    p->pfront = three_d ? a->pad_d[0] : 0;
    p->dd = three_d ? a->dilation_d : 1;
}

void plan_pool_params(const Graph *g, const Node *n, vggrt_pool3d_params *p)
{
    const Shape *x = &g->values[n->in[0]].shape, *y = &g->values[n->out[0]].shape;
    const WindowAttr *a = &n->attr.win;
    const bool one_d = a->nsp == 1, three_d = a->nsp == 3;
    memset(p, 0, sizeof *p);
    p->hw.c = x->d[1];
    p->hw.h = one_d ? 1 : x->d[x->rank - 2];
    p->hw.w = x->d[x->rank - 1];
    p->hw.oh = one_d ? 1 : y->d[y->rank - 2];
    p->hw.ow = y->d[y->rank - 1];
    p->hw.kh = a->kernel[0];
    p->hw.kw = a->kernel[1];
    p->hw.sh = a->stride[0];
    p->hw.sw = a->stride[1];
    p->hw.pt = a->pad[0];
    p->hw.pl = a->pad[1];
    p->hw.pb = a->pad[2];
    p->hw.pr = a->pad[3];
    p->hw.dh = a->dilation[0];
    p->hw.dw = a->dilation[1];
    p->hw.count_include_pad = a->count_include_pad ? 1 : 0;
    p->d = three_d ? x->d[2] : 1;     /* [N, C, D, H, W] */
    p->od = three_d ? y->d[2] : 1;
    p->kd = three_d ? a->kernel_d : 1;
    p->sd = three_d ? a->stride_d : 1;
    p->pfront = three_d ? a->pad_d[0] : 0;
    p->pback = three_d ? a->pad_d[1] : 0;
    p->dd = three_d ? a->dilation_d : 1;
}

bool plan_conv_pool_params(const Graph *g, const Node *n, vggrt_pool_params *pp)
{
    if (n->op != OP_CONV || !n->epi.pool_k)
        return false;
    vggrt_conv_params p;
    plan_conv_params(g, n, &p);
    const Shape *y = &g->values[n->out[0]].shape;
    memset(pp, 0, sizeof *pp);
    pp->c = p.k;
    pp->h = p.oh;
    pp->w = p.ow;
    pp->oh = y->d[2];
    pp->ow = y->d[3];
    pp->kh = pp->kw = n->epi.pool_k;
    pp->sh = pp->sw = n->epi.pool_s;
    pp->dh = pp->dw = 1;
    return true;
}

void plan_dconv_params(const Graph *g, const Node *n, vggrt_dconv_params *dp)
{
    memset(dp, 0, sizeof *dp);
    plan_conv_params(g, n, &dp->conv);
    dp->conv.act = plan_act_code(n->epi.act);
    dp->in_layout = n->in_layout == LAYOUT_NHWC ? VGGRT_LAYOUT_NHWC
                  : n->in_layout == LAYOUT_BLOCKED ? VGGRT_LAYOUT_BLOCKED : VGGRT_LAYOUT_NCHW;
    dp->alpha = n->epi.alpha;
    dp->beta = n->epi.beta;
    dp->pool_k = n->epi.pool_k;
    dp->pool_s = n->epi.pool_s;
    const Shape *y = &g->values[n->out[0]].shape;
    dp->py = y->d[2];
    dp->px = y->d[3];
    dp->block = graph_block(g);
}

bool plan_conv_winograd(const Graph *g, const Node *n)
{
    if (n->op != OP_CONV || n->out_layout != LAYOUT_BLOCKED || n->n_in < 2)
        return false;
    const Shape *w = &g->values[n->in[1]].shape;
    return w->rank == 4 && w->d[1] == 36 && w->d[3] == graph_block(g);
}

bool plan_conv_wrow(const Graph *g, const Node *n)
{
    if (n->op != OP_CONV || n->out_layout != LAYOUT_BLOCKED || n->n_in < 2)
        return false;
    const Shape *w = &g->values[n->in[1]].shape;
    /* (d[1] tells it from Winograd's [K/b, 36, 18, b].) */
    return w->rank == 4 && w->d[1] <= VGGRT_WROW_MAX_C && w->d[2] == 18 &&
           w->d[3] == graph_block(g);
}

bool plan_gemm_packed(const Graph *g, const Node *n)
{
    return n->op == OP_GEMM && n->n_in >= 2 && g->values[n->in[1]].shape.rank == 3;
}

const Node *plan_chain_producer(const Graph *g, const Node *n)
{
    if (!plan_conv_winograd(g, n) || n->in[0] == VGGC_NONE)
        return NULL;
    const uint32_t v = n->in[0], pid = g->values[v].producer;
    if (pid == VGGC_NONE)
        return NULL;
    const Node *m = &g->nodes[pid];
    if (m->op != OP_CONV || m->out_layout != LAYOUT_BLOCKED || m->in_layout == LAYOUT_BLOCKED ||
        plan_conv_winograd(g, m) || m->out[0] != v || graph_count_uses(g, v) != 1)
        return NULL;
    vggrt_dconv_params p1, p2;
    plan_dconv_params(g, m, &p1);
    plan_dconv_params(g, n, &p2);
    return vggrt_chain_applies(&p1, &p2) ? m : NULL;
}

uint32_t plan_layer_index(const Plan *p, const Node *n)
{
    const uint32_t id = (uint32_t)(n - p->g->nodes);
    for (uint32_t l = 0; l < p->n_layers; l++)
        if (p->layers[l] == id)
            return l;
    VGGC_UNREACHABLE();
}

const Node *plan_chain_consumer(const Graph *g, const Node *n)
{
    if (n->op != OP_CONV || n->out_layout != LAYOUT_BLOCKED || plan_conv_winograd(g, n))
        return NULL;
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        const Node *u = &g->nodes[i];
        if (u->op == OP_CONV && u->n_in > 0 && u->in[0] == n->out[0])
            return plan_chain_producer(g, u) == n ? u : NULL;
    }
    return NULL;
}

bool plan_unary(const Node *n, PlanUnary *u)
{
#define K(e) u->op = VGGRT_##e, u->name = "VGGRT_" #e
    u->p0 = u->p1 = 0;
    switch (n->op) {
    case OP_RELU: K(RELU); break;
    case OP_SIGMOID: K(SIGMOID); break;
    case OP_TANH: K(TANH); break;
    case OP_HARD_SWISH: K(HARD_SWISH); break;
    case OP_LEAKY_RELU: K(LEAKY_RELU); u->p0 = n->attr.alpha.alpha; break;
    case OP_HARD_SIGMOID:
        K(HARD_SIGMOID);
        u->p0 = n->attr.hsig.alpha;
        u->p1 = n->attr.hsig.beta;
        break;
    case OP_ABS: K(ABS); break;
    case OP_NEG: K(NEG); break;
    case OP_EXP: K(EXP); break;
    case OP_LOG: K(LOG); break;
    case OP_SQRT: K(SQRT); break;
    case OP_RECIPROCAL: K(RECIPROCAL); break;
    case OP_CEIL: K(CEIL); break;
    case OP_FLOOR: K(FLOOR); break;
    case OP_ROUND: K(ROUND); break;
    case OP_SIGN: K(SIGN); break;
    case OP_ERF: K(ERF); break;
    case OP_SIN: K(SIN); break;
    case OP_COS: K(COS); break;
    case OP_ELU: K(ELU); u->p0 = n->attr.alpha.alpha; break;
    case OP_SELU:
        K(SELU);
        u->p0 = n->attr.selu.alpha;
        u->p1 = n->attr.selu.gamma;
        break;
    case OP_SOFTPLUS: K(SOFTPLUS); break;
    case OP_SOFTSIGN: K(SOFTSIGN); break;
    case OP_THRESHOLDED_RELU: K(THRESHOLDED_RELU); u->p0 = n->attr.alpha.alpha; break;
    default: return false;
    }
#undef K
    return true;
}

int plan_reduce_op(OpKind op, const char **name)
{
#define R(e) return *name = "VGGRT_REDUCE_" #e, VGGRT_REDUCE_##e
    switch (op) {
    case OP_REDUCE_MEAN: case OP_GLOBAL_AVGPOOL: R(MEAN);
    case OP_REDUCE_MAX: case OP_GLOBAL_MAXPOOL: R(MAX);
    case OP_REDUCE_SUM: R(SUM);
    case OP_REDUCE_MIN: R(MIN);
    case OP_REDUCE_PROD: R(PROD);
    case OP_REDUCE_SUM_SQUARE: R(SUM_SQUARE);
    case OP_REDUCE_L1: R(L1);
    case OP_REDUCE_L2: R(L2);
    case OP_REDUCE_LOG_SUM: R(LOG_SUM);
    case OP_REDUCE_LOG_SUM_EXP: R(LOG_SUM_EXP);
    default: return *name = NULL, -1;
    }
#undef R
}

int plan_act_code(ActKind a)
{
    switch (a) {
    case ACT_RELU: return VGGRT_ACT_RELU;
    case ACT_CLIP: return VGGRT_ACT_CLIP;
    case ACT_LEAKY_RELU: return VGGRT_ACT_LEAKY_RELU;
    case ACT_SIGMOID: return VGGRT_ACT_SIGMOID;
    default: return VGGRT_ACT_NONE;
    }
}

int rt_dtype(DType t)
{
    switch (t) {
    case DT_FLOAT: return VGGRT_F32;
    case DT_INT64: return VGGRT_I64;
    case DT_INT32: return VGGRT_I32;
    case DT_BOOL: return VGGRT_BOOL;
    case DT_UINT8: return VGGRT_U8;
    case DT_INT8: return VGGRT_I8;
    case DT_DOUBLE: return VGGRT_F64;
    case DT_FLOAT16: return VGGRT_F16;
    case DT_BFLOAT16: return VGGRT_BF16;
    case DT_STRING: return VGGRT_STRING;
    default: VGGC_UNREACHABLE();
    }
}

IoInfo plan_io_info(const Graph *g, uint32_t v, bool output)
{
    const Value *x = &g->values[v];
    IoInfo r = {.dtype = rt_dtype(x->dtype), .source = -1};
    r.unread = x->kind == VAL_INPUT && x->unread;
    if (!x->wrap) {
        r.rank = x->shape.rank;
        for (int d = 0; d < x->shape.rank; d++)
            r.dims[d] = x->shape.d[d];
        return r;
    }
    r.rank = x->wrap->rank;
    for (int d = 0; d < x->wrap->rank; d++)
        r.dims[d] = x->wrap->dims[d];
    r.nwrap = x->wrap->n;
    for (int i = 0; i < x->wrap->n; i++)
        r.wrap[i] = x->wrap->kind[i] == WRAP_SEQUENCE ? VGGRT_SEQUENCE : VGGRT_OPTIONAL;
    uint32_t in = x->kind == VAL_PASS ? x->source : v;
    for (uint32_t i = 0; output && i < g->n_inputs; i++)
        if (g->inputs[i] == in)
            r.source = (int)i;
    return r;
}

bool plan_simple_api(const Graph *g)
{
    return g->n_inputs == 1 && g->n_outputs == 1 && g->values[g->inputs[0]].dtype == DT_FLOAT &&
           g->values[g->outputs[0]].dtype == DT_FLOAT && !g->values[g->inputs[0]].wrap &&
           !g->values[g->outputs[0]].wrap;
}

/* A float that holds an integer of dtype t exactly: Pad's constant_value
 * arrives as a float (frontend), which is exact for integers below 2^24. */
static bool pad_int_value_ok(DType t, float v)
{
    if (v != floorf(v) || fabsf(v) >= 16777216.0f)
        return false;
    switch (t) {
    case DT_UINT8: return v >= 0 && v <= 255;
    case DT_INT8: return v >= -128 && v <= 127;
    default: return true;
    }
}

_Static_assert((int)RESIZE_NEAREST == (int)VGGRT_RESIZE_NEAREST &&
               (int)RESIZE_LINEAR == (int)VGGRT_RESIZE_LINEAR &&
               (int)RESIZE_CUBIC == (int)VGGRT_RESIZE_CUBIC, "ResizeMode mirrors vggrt.h");
_Static_assert((int)COORD_HALF_PIXEL == (int)VGGRT_COORD_HALF_PIXEL &&
               (int)COORD_HALF_PIXEL_SYMMETRIC == (int)VGGRT_COORD_HALF_PIXEL_SYMMETRIC &&
               (int)COORD_ASYMMETRIC == (int)VGGRT_COORD_ASYMMETRIC &&
               (int)COORD_PYTORCH_HALF_PIXEL == (int)VGGRT_COORD_PYTORCH_HALF_PIXEL &&
               (int)COORD_TF_HALF_PIXEL_FOR_NN == (int)VGGRT_COORD_TF_HALF_PIXEL_FOR_NN &&
               (int)COORD_ALIGN_CORNERS == (int)VGGRT_COORD_ALIGN_CORNERS &&
               (int)COORD_TF_CROP_AND_RESIZE == (int)VGGRT_COORD_TF_CROP_AND_RESIZE,
               "ResizeCoord mirrors vggrt.h");
_Static_assert((int)NEAREST_ROUND_PREFER_FLOOR == (int)VGGRT_NEAREST_ROUND_PREFER_FLOOR &&
               (int)NEAREST_ROUND_PREFER_CEIL == (int)VGGRT_NEAREST_ROUND_PREFER_CEIL &&
               (int)NEAREST_FLOOR == (int)VGGRT_NEAREST_FLOOR &&
               (int)NEAREST_CEIL == (int)VGGRT_NEAREST_CEIL,
               "NearestMode mirrors vggrt.h");

void plan_resize_axes(const Graph *g, const Node *n, double axes[4 * VGGC_MAX_RANK])
{
    const ResizeAttr *a = &n->attr.resize;
    const Shape *x = &g->values[n->in[0]].shape;
    for (int i = 0; i < x->rank; i++) {
        double *ax = axes + 4 * i;
        const int64_t d = x->d[i];
        if (d == VGGC_DIM_N) {
            ax[0] = 1, ax[1] = 0;
        } else if (a->has_sizes) {
            ax[0] = (double)a->sizes[i] / (double)d;
            ax[1] = ax[0] * (double)d;
        } else {
            ax[0] = a->scales[i];
            ax[1] = (float)(a->scales[i] * (float)d);
        }
        ax[2] = a->roi[i];
        ax[3] = a->roi[VGGC_MAX_RANK + i];
    }
}

uint64_t plan_pad_value_bits(const Graph *g, const Node *n)
{
    const float v = n->attr.pad.value;
    switch (g->values[n->out[0]].dtype) {
    case DT_FLOAT: { uint32_t b; memcpy(&b, &v, 4); return b; }
    case DT_DOUBLE: { double d = v; uint64_t b; memcpy(&b, &d, 8); return b; }
    case DT_FLOAT16: return vggrt_f16_from_f64(v);
    case DT_BFLOAT16: return vggrt_bf16_from_f64(v);
    case DT_BOOL: return v != 0;
    /* Two's complement; vggrt_pad keeps the element's low bytes. */
    case DT_INT64: case DT_INT32: case DT_INT8: case DT_UINT8: return (uint64_t)(int64_t)v;
    default: VGGC_UNREACHABLE();
    }
}

Size size_of_dims(const Shape *s, int from, int to)
{
    Size z = {false, 1};
    for (int i = from; i < to; i++) {
        if (s->d[i] == VGGC_DIM_N)
            z.batched = true;
        else
            z.k *= s->d[i];
    }
    return z;
}

void plan_gemm_c_strides(const Graph *g, const Node *n, int64_t *row_stride, int64_t *col_stride)
{
    *row_stride = *col_stride = 0;
    if (n->n_in < 3 || n->in[2] == VGGC_NONE)
        return;
    const Shape *C = &g->values[n->in[2]].shape;
    if (C->rank == 1) {
        *col_stride = C->d[0] == 1 ? 0 : 1;
    } else if (C->rank == 2) {
        *col_stride = C->d[1] == 1 ? 0 : 1;
        *row_stride = C->d[0] == 1 ? 0 : C->d[1];
    }
}

void plan_matmul_dims(const Graph *g, const Node *n, MatmulDims *m)
{
    Shape a = g->values[n->in[0]].shape, b = g->values[n->in[1]].shape;
    /* 1-D operands: [K] is [1,K] on the left and [K,1] on the right. */
    if (a.rank == 1) {
        a.d[1] = a.d[0];
        a.d[0] = 1;
        a.rank = 2;
    }
    if (b.rank == 1) {
        b.d[1] = 1;
        b.rank = 2;
    }
    memset(m, 0, sizeof *m);
    m->M = a.d[a.rank - 2], m->K = a.d[a.rank - 1], m->N = b.d[b.rank - 1];
    int br = m->batch_rank = (a.rank > b.rank ? a.rank : b.rank) - 2;
    int64_t sa = m->M * m->K, sb = m->K * m->N;
    for (int i = br - 1; i >= 0; i--) {
        int ia = i - (br - (a.rank - 2)), ib = i - (br - (b.rank - 2));
        int64_t da = ia >= 0 ? a.d[ia] : 1, db = ib >= 0 ? b.d[ib] : 1;
        m->bd[i] = da != 1 ? da : db;
        m->as[i] = da == 1 && m->bd[i] != 1 ? 0 : sa;
        m->bs[i] = db == 1 && m->bd[i] != 1 ? 0 : sb;
        if (da != VGGC_DIM_N) sa *= da;
        if (db != VGGC_DIM_N) sb *= db;
    }
}

uint64_t plan_layer_scratch(const Graph *g, const Node *n)
{
    if (n->op == OP_CONV && n->out_layout == LAYOUT_BLOCKED) {
        vggrt_dconv_params dp;
        plan_dconv_params(g, n, &dp);
        size_t work = plan_conv_winograd(g, n) ? vggrt_wino_work_size(&dp)
                      : plan_conv_wrow(g, n)   ? 0 /* none: vggrt_wrow_conv2d */
                                               : vggrt_dconv_work_size(&dp);
        return align_up(work * sizeof(float));
    }
    if (n->op == OP_CONV && n->attr.win.nsp == 3) {
        vggrt_conv3d_params p;
        plan_conv3d_params(g, n, &p);
        return align_up(vggrt_conv3d_work_size(&p) * sizeof(float));
    }
    if (n->op == OP_CONV) {
        vggrt_conv_params p;
        vggrt_pool_params pp;
        plan_conv_params(g, n, &p);
        bool pool = plan_conv_pool_params(g, n, &pp);
        return align_up(vggrt_conv2d_fused_work_size(&p, pool ? &pp : NULL) * sizeof(float));
    }
    if (n->op == OP_CONV_TRANSPOSE) {
        vggrt_conv3d_params p;
        plan_conv_transpose_params(g, n, &p);
        return align_up(vggrt_conv_transpose_work_size(&p) * sizeof(float));
    }
    if ((n->op == OP_GATHER || n->op == OP_GATHER_ELEMENTS) &&
        g->values[n->in[1]].dtype == DT_INT32) {
        size_t k = 0;
        VGGC_ASSERT(shape_numel_per_item(&g->values[n->in[1]].shape, &k));
        return align_up((uint64_t)k * 8);   /* int64 copy of the indices (per item) */
    }
    if (n->op == OP_BATCHNORM)
        return align_up(2 * (uint64_t)g->values[n->in[1]].shape.d[0] * sizeof(float));
    return 0;
}

uint64_t plan_layer_batch_scratch(const Graph *g, const Node *n)
{
    if (n->op == OP_GEMM && n->epi.mean_input)   /* the pooled [C] features of one item */
        return align_up((uint64_t)g->values[n->in[0]].shape.d[1] * sizeof(float));
    return 0;
}

typedef struct {
    uint32_t value;
    uint64_t size, offset;
    uint32_t first, last;   /* layer indices */
} Interval;

static int by_size_desc(const void *pa, const void *pb)
{
    const Interval *a = pa, *b = pb;
    if (a->size != b->size)
        return a->size > b->size ? -1 : 1;
    return a->value < b->value ? -1 : a->value > b->value;
}

int plan_act_code(ActKind a);

/* Greedy placement; returns the region's size. */
static uint64_t place(Interval *iv, uint32_t n, uint64_t base)
{
    qsort(iv, n, sizeof *iv, by_size_desc);
    uint64_t top = base;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t off = base;
        bool moved = true;
        while (moved) {
            moved = false;
            for (uint32_t j = 0; j < i; j++) {
                if (iv[j].last < iv[i].first || iv[i].last < iv[j].first)
                    continue;
                if (off < iv[j].offset + iv[j].size && iv[j].offset < off + iv[i].size) {
                    off = iv[j].offset + iv[j].size;
                    moved = true;
                }
            }
        }
        iv[i].offset = off;
        if (off + iv[i].size > top)
            top = off + iv[i].size;
    }
    return top;
}

/* May layer n write its result over its input 0?  The elementwise kernels
 * allow it (vggrt.h) when input 0 has the result's shape and type, and
 * appears once among the inputs. */
static bool in_place_op(const Graph *g, const Node *n)
{
    PlanUnary u;
    switch (n->op) {
    case OP_CLIP: case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV: case OP_PRELU: case OP_SUM:
    case OP_MAX: case OP_MIN: case OP_MOD:
        break;
    default:
        if (!plan_unary(n, &u))
            return false;
        break;
    }
    const Value *x = &g->values[n->in[0]], *y = &g->values[n->out[0]];
    if (x->dtype != y->dtype || !shape_equal(&x->shape, &y->shape) || x->layout != y->layout)
        return false;
    for (uint32_t j = 1; j < n->n_in; j++)
        if (n->in[j] == n->in[0])
            return false;
    return true;
}

/* In-place layers: where an elementwise layer is the last reader of a
 * temporary, its result takes the temporary's bytes (the result's root
 * becomes the input's, and the input lives on to the result's last use). */
static void share_in_place(Plan *p, uint32_t *first, uint32_t *last)
{
    Graph *g = p->g;
    for (uint32_t l = 0; l < p->n_layers; l++) {
        const Node *n = &g->nodes[p->layers[l]];
        if (n->n_in == 0 || n->in[0] == VGGC_NONE || n->out[0] == VGGC_NONE || !in_place_op(g, n))
            continue;
        uint32_t r = p->store[n->in[0]].root, o = n->out[0];
        if (g->values[r].kind != VAL_TEMP || last[r] != l || p->store[o].root != o)
            continue;
        for (uint32_t v = 0; v < g->n_values; v++)
            if (p->store[v].root == o)
                p->store[v].root = r;
        if (last[o] > last[r])
            last[r] = last[o];
        (void)first;
    }
}

/* Can the backends run this layer?  Reports why not.  (Both emit from the
 * plan, so they accept exactly the same layers.) */
static bool layer_supported(Graph *g, const Node *n)
{
    const Value *y = &g->values[n->out[0]];
    switch (n->op) {
    case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV:
        /* shape inference admits these (ir/shape.c: DTM_BINARY); vggrt_binary has them */
        if (y->dtype != DT_FLOAT && y->dtype != DT_INT64 && y->dtype != DT_DOUBLE &&
            y->dtype != DT_UINT8 && y->dtype != DT_INT8) {
            graph_error(g, n, "element type %s is not supported (f32, f64, i64, u8, i8 are)",
                        dtype_name(y->dtype));
            return false;
        }
        return true;
    case OP_GATHER: case OP_GATHER_ELEMENTS:
        if (g->values[n->in[1]].dtype == DT_INT32 && shape_is_batched(&g->values[n->in[1]].shape)) {
            graph_error(g, n, "batched int32 indices are not supported");
            return false;
        }
        return true;
    case OP_PAD:    /* any element type; an integer constant must be exact */
        if (n->attr.pad.mode == PAD_CONSTANT &&
            (y->dtype == DT_INT64 || y->dtype == DT_INT32 || y->dtype == DT_INT8 ||
             y->dtype == DT_UINT8) && !pad_int_value_ok(y->dtype, n->attr.pad.value)) {
            graph_error(g, n, "Pad of %s with constant_value %.9g is not supported (an integer "
                        "of the type, below 2^24 in magnitude, is)", dtype_name(y->dtype),
                        (double)n->attr.pad.value);
            return false;
        }
        return true;
    case OP_SHAPE:
        graph_error(g, n, "Shape of a tensor whose shape is unknown at compile time");
        return false;
    case OP_CONSTANT_OF_SHAPE: case OP_SIZE:   /* fold-constants evaluates them */
        graph_error(g, n, "%s was not evaluated at compile time (vggc evaluates it only "
                    "then, for results up to 64 MB)", op_name(n->op));
        return false;
    case OP_NEG: case OP_ABS: case OP_SIGN:     /* of integers: constants only */
        if (y->dtype != DT_FLOAT) {
            graph_error(g, n, "%s of %s runs only on constants (shape arithmetic), at compile "
                        "time; this input is computed at run time", op_name(n->op),
                        dtype_name(y->dtype));
            return false;
        }
        return true;
    default:
        return true;
    }
}

Plan *plan_build(Graph *g)
{
    Plan *p = calloc(1, sizeof *p);
    VGGC_ASSERT(p);
    p->g = g;
    p->store = calloc(g->n_values ? g->n_values : 1, sizeof *p->store);
    p->layers = calloc(g->n_nodes ? g->n_nodes : 1, sizeof *p->layers);
    uint32_t *first = calloc(g->n_values ? g->n_values : 1, sizeof *first);
    uint32_t *last = calloc(g->n_values ? g->n_values : 1, sizeof *last);
    VGGC_ASSERT(p->store && p->layers && first && last);

    for (uint32_t v = 0; v < g->n_values; v++)
        p->store[v].root = v;
    for (uint32_t i = 0; i < g->n_inputs; i++) {
        Storage *s = &p->store[g->inputs[i]];
        s->kind = STORE_INPUT;
        s->index = i;
    }
    for (uint32_t i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].op != OP_DEAD) {
            layer_supported(g, &g->nodes[i]);
            p->layers[p->n_layers++] = i;
        }

    /* Views share their root; life spans run over layer indices. */
    for (uint32_t l = 0; l < p->n_layers; l++) {
        const Node *n = &g->nodes[p->layers[l]];
        for (uint32_t j = 0; j < n->n_in; j++) {
            uint32_t v = n->in[j];
            if (v == VGGC_NONE)
                continue;
            uint32_t r = p->store[v].root;
            last[r] = l;
            const Value *cv = &g->values[v];
            if (cv->kind == VAL_CONST && cv->dtype == DT_INT64) {
                const int64_t *d = cv->data;
                bool sym = false;
                for (size_t k = 0; k < cv->nbytes / 8; k++)
                    sym |= d[k] == VGGC_SYM_N;
                /* Reshape reads its shape at compile time; nothing else may
                 * read a value that depends on the batch. */
                if (sym && !(n->op == OP_RESHAPE && j == 1))
                    graph_error(g, n, "input %u ('%s') is a shape that depends on the batch size; "
                                "using it as data is not supported", j, cv->name);
            }
        }
        for (uint32_t j = 0; j < n->n_out; j++) {
            uint32_t v = n->out[j];
            if (v == VGGC_NONE)
                continue;
            if (plan_is_view(n) && j == 0) {
                p->store[v].root = p->store[n->in[0]].root;
                last[p->store[v].root] = l;
            } else {
                first[v] = l;
                last[v] = l;
            }
        }
    }
    for (uint32_t i = 0; i < g->n_outputs; i++) {
        uint32_t r = p->store[g->outputs[i]].root;
        last[r] = p->n_layers;
        if (g->values[r].kind == VAL_CONST && g->values[r].dtype == DT_INT64) {
            const int64_t *d = g->values[r].data;
            for (size_t k = 0; k < g->values[r].nbytes / 8; k++)
                if (d[k] == VGGC_SYM_N) {
                    graph_error(g, NULL, "output '%s' is a shape that depends on the batch size; "
                                "not supported", g->values[g->outputs[i]].name);
                    break;
                }
        }
    }
    if (g->n_errors) {
        free(first);
        free(last);
        plan_free(p);
        return NULL;
    }
    /* A chain's call reads its first conv's inputs too. */
    for (uint32_t l = 0; l < p->n_layers; l++) {
        const Node *m = plan_chain_producer(g, &g->nodes[p->layers[l]]);
        for (uint32_t j = 0; m && j < m->n_in; j++)
            if (m->in[j] != VGGC_NONE && last[p->store[m->in[j]].root] < l)
                last[p->store[m->in[j]].root] = l;
    }
    share_in_place(p, first, last);

    /* Roots that are read or are outputs get storage. */
    bool *needed = calloc(g->n_values ? g->n_values : 1, 1);
    VGGC_ASSERT(needed);
    for (uint32_t l = 0; l < p->n_layers; l++) {
        const Node *n = &g->nodes[p->layers[l]];
        for (uint32_t j = 0; j < n->n_in; j++)
            if (n->in[j] != VGGC_NONE)
                needed[p->store[n->in[j]].root] = true;
        for (uint32_t j = 0; j < n->n_out; j++)
            if (n->out[j] != VGGC_NONE)
                needed[p->store[n->out[j]].root] = true;
    }
    for (uint32_t i = 0; i < g->n_outputs; i++)
        needed[p->store[g->outputs[i]].root] = true;
    /* ... but for a chain's first output, which stays in the call's ring. */
    for (uint32_t l = 0; l < p->n_layers; l++) {
        const Node *m = plan_chain_producer(g, &g->nodes[p->layers[l]]);
        if (m)
            needed[m->out[0]] = false;
    }

    /* Constants: the weights blob, in value order. */
    uint64_t woff = 0;
    for (uint32_t v = 0; v < g->n_values; v++) {
        const Value *cv = &g->values[v];
        if (!needed[v] || cv->kind != VAL_CONST)
            continue;
        p->store[v].kind = STORE_CONST;
        p->store[v].index = p->n_consts++;
        p->store[v].offset = woff;
        p->store[v].size = cv->nbytes;
        woff = align_up(woff + cv->nbytes);
    }
    p->weights_size = woff;

    /* Scratch sits at the start of the static region. */
    for (uint32_t l = 0; l < p->n_layers; l++) {
        uint64_t s = plan_layer_scratch(g, &g->nodes[p->layers[l]]);
        if (s > p->scratch_bytes)
            p->scratch_bytes = s;
    }

    Interval *st = calloc(g->n_values ? g->n_values : 1, sizeof *st);
    Interval *bt = calloc(g->n_values + 1, sizeof *bt);
    VGGC_ASSERT(st && bt);
    uint32_t nst = 0, nbt = 0;
    for (uint32_t v = 0; v < g->n_values; v++) {
        const Value *cv = &g->values[v];
        if (!needed[v] || cv->kind != VAL_TEMP || p->store[v].root != v)
            continue;
        Interval iv = {v, align_up(value_bytes_per_item(g, cv)), 0, first[v], last[v]};
        if (shape_is_batched(&cv->shape))
            bt[nbt++] = iv;
        else
            st[nst++] = iv;
    }
    /* Per-item scratch (a dense layer's pooled input) is one more tensor,
     * live over the layers that use it (value id: one past the last). */
    Interval scr = {g->n_values, 0, 0, UINT32_MAX, 0};
    for (uint32_t l = 0; l < p->n_layers; l++) {
        uint64_t s = plan_layer_batch_scratch(g, &g->nodes[p->layers[l]]);
        if (!s)
            continue;
        scr.size = s > scr.size ? s : scr.size;
        scr.first = l < scr.first ? l : scr.first;
        scr.last = l;
    }
    if (scr.size)
        bt[nbt++] = scr;
    p->static_bytes = place(st, nst, p->scratch_bytes);
    p->batch_bytes = place(bt, nbt, 0);
    for (uint32_t i = 0; i < nbt; i++)
        if (bt[i].value == g->n_values) {
            p->batch_scratch_offset = bt[i].offset;
            bt[i] = bt[--nbt];
            break;
        }
    for (uint32_t i = 0; i < nst; i++) {
        Storage *s = &p->store[st[i].value];
        s->kind = STORE_STATIC;
        s->offset = st[i].offset;
        s->size = st[i].size;
    }
    for (uint32_t i = 0; i < nbt; i++) {
        Storage *s = &p->store[bt[i].value];
        s->kind = STORE_BATCH;
        s->offset = bt[i].offset;
        s->size = bt[i].size;
    }
    /* Views take their root's placement. */
    for (uint32_t v = 0; v < g->n_values; v++) {
        uint32_t r = p->store[v].root;
        if (r != v) {
            p->store[v].kind = p->store[r].kind;
            p->store[v].index = p->store[r].index;
            p->store[v].offset = p->store[r].offset;
            p->store[v].size = p->store[r].size;
        }
    }
    free(st);
    free(bt);
    free(needed);
    free(first);
    free(last);
    return p;
}

void plan_free(Plan *p)
{
    if (!p)
        return;
    free(p->store);
    free(p->layers);
    free(p);
}

void plan_weights_piece(const Plan *p, uint64_t off, size_t n, unsigned char *dst)
{
    memset(dst, 0, n);
    for (uint32_t v = 0; v < p->g->n_values; v++) {
        const Storage *s = &p->store[v];
        const Value *x = &p->g->values[v];
        if (s->kind != STORE_CONST || s->root != v)
            continue;
        uint64_t lo = s->offset > off ? s->offset : off;
        uint64_t hi = s->offset + x->nbytes < off + n ? s->offset + x->nbytes : off + n;
        if (lo < hi)
            memcpy(dst + (lo - off), (const unsigned char *)x->data + (lo - s->offset),
                   (size_t)(hi - lo));
    }
}

void plan_print_summary(const Plan *p, FILE *f)
{
    const double mb = 1024.0 * 1024.0;
    fprintf(f, "weights: %llu bytes (%.2f MB); arena: %llu static (%llu scratch) + %llu per batch item "
               "(%.2f MB)\n",
            (unsigned long long)p->weights_size, (double)p->weights_size / mb,
            (unsigned long long)p->static_bytes, (unsigned long long)p->scratch_bytes,
            (unsigned long long)p->batch_bytes, (double)p->batch_bytes / mb);
}

char *c_identifier(Arena *a, const char *s)
{
    size_t n = strlen(s);
    char *out = arena_alloc(a, n + 2);
    size_t k = 0;
    if (n == 0 || isdigit((unsigned char)s[0]))
        out[k++] = '_';
    for (size_t i = 0; i < n; i++)
        out[k++] = isalnum((unsigned char)s[i]) ? s[i] : '_';
    out[k] = 0;
    return out;
}
