/* assign_layout.c — blocked activations (NCHW16c or NCHW8c) between
 * convolutions.
 *
 * The block b is the target's vector width, Graph.block (graph_block): 16
 * floats for AVX-512, 8 for AVX2 and below; the CLI sets it from --target
 * (PassOptions.block), a test from its IR header (`layout NCHW8c`).  A
 * convolution of group 1, or of groups of whole blocks (blockable_groups),
 * writes its result blocked, [N, ceil(C/b), H, W, b], when every reader
 * can take that layout: another such convolution, a 2-D pooling or an LRN
 * (is_lrn2d) whose own result is read blocked, a global pooling, a dense
 * layer that averages its input (fuse-dense's mean_input), or a
 * Flatten/Reshape of the 4-D map, which then does the reorder to plain.  Graph
 * outputs and everything else see plain NCHW, so reorders happen only at
 * the network's edges: the first convolution reads the graph's input
 * as it comes (NCHW, or NHWC when a Transpose from an NHWC input feeds it,
 * which this pass removes), and the last blocked layer's reader converts.
 *
 * A blocked convolution's weights are packed here, at compile time, and
 * its bias padded to a multiple of b: the node's inputs become those
 * constants.  The packing fixes the kernel (a fixed cost-model rule):
 *   - Winograd F(4x4, 3x3) (vggrt_wino_pack: U = G g G^T, a constant
 *     "+wino" of shape [K/b, 36, C, b]) for a 3x3, stride-1, dilation-1
 *     convolution of blocked input with C >= 16 (vggrt_wino_applies): 4x
 *     fewer multiplies; F(2x2, 5x5) likewise for a 5x5 one (AlexNet's
 *     second layer), 2.8x fewer.  The network's first convolution (NCHW
 *     or NHWC input, C = 3) and thin ones stay direct.  A fused max pool
 *     Winograd cannot run (all but 2x2 stride 2: AlexNet's 3x3 stride-2
 *     pools) is split off again as a blocked MaxPool right after the conv
 *     (split_pool): its windows cross the tiles;
 *   - Winograd F(4, 3) along the rows (vggrt_wrow_pack: U = G g per tap
 *     row, a constant "+wrow" of shape [K/b, C, 18, b]) for a first
 *     layer of 3 or 4 channels of NCHW or NHWC input (use_wrow);
 *   - otherwise the direct convolution, [K/b][C][kh][kw][b]
 *     (vggrt_dconv_pack, a "+packed" constant).
 * The backends read the choice back from the weights' shape
 * (plan_conv_winograd, plan_conv_wrow).  A dense layer's weights are packed too, as
 * blocks of 16 columns (pack_dense, plan_gemm_packed).  From here on a
 * Conv with out_layout=blocked, or a Gemm with weights of rank 3, reads
 * packed weights (shape inference would not accept them again; no later
 * pass runs it).
 *
 * requires: shapes; the fusion passes (epilogues decide the readers).
 * keeps: shapes (logical NCHW; the layout is on the node and the value).
 * invalidates: value ids (compacts).
 */
#include "passes.h"
#include "util.h"
#include "vggrt.h"

#include <stdlib.h>
#include <string.h>

/* Grouped convs run blocked when each group is whole blocks of input and
 * output channels (the arithmetic of vggrt_dconv_groups_apply, whose NHWC
 * case absorb_input_transpose keeps away: libvggrt runs the groups one by
 * one, direct or Winograd). */
static bool blockable_groups(const Graph *g, const Node *n)
{
    const int64_t groups = n->attr.win.group, b = graph_block(g);
    const int64_t c = g->values[n->in[0]].shape.d[1], k = g->values[n->out[0]].shape.d[1];
    return groups == 1 || (groups > 1 && c % groups == 0 && k % groups == 0 &&
                           c / groups % b == 0 && k / groups % b == 0);
}

static bool blockable_conv(const Graph *g, const Node *n)
{
    return n->op == OP_CONV && n->attr.win.nsp == 2 && blockable_groups(g, n) &&
           g->values[n->out[0]].dtype == DT_FLOAT && const_floats(g, n->in[1]) &&
           (n->n_in < 3 || n->in[2] == VGGC_NONE || const_floats(g, n->in[2])) &&
           (n->epi.act != ACT_SIGMOID || !n->epi.pool_k);
}

static bool is_pool2d(const Graph *g, const Node *n)
{
    return (n->op == OP_MAXPOOL || n->op == OP_AVGPOOL) && n->attr.win.nsp == 2 &&
           n->n_out == 1 && g->values[n->out[0]].dtype == DT_FLOAT;  /* blocked kernels: f32 */
}

/* An LRN that can run on the blocked layout (vggrt_lrn_blocked): across
 * the channels of a float [N,C,H,W], a window of at most
 * VGGRT_LRN_BLOCKED_MAX_SIZE channels.  Like a pool, it takes blocked
 * input when its own result can be blocked. */
static bool is_lrn2d(const Graph *g, const Node *n)
{
    return n->op == OP_LRN && n->n_out == 1 && g->values[n->in[0]].shape.rank == 4 &&
           g->values[n->out[0]].dtype == DT_FLOAT && n->attr.lrn.size >= 1 &&
           n->attr.lrn.size <= VGGRT_LRN_BLOCKED_MAX_SIZE;
}

/* A reshape of a blocked [N,C,H,W] that keeps the batch first: it becomes
 * the reorder back to plain (its result is NCHW's bytes, reshaped). */
static bool reorders(const Graph *g, const Node *u)
{
    return (u->op == OP_FLATTEN || u->op == OP_RESHAPE || u->op == OP_SQUEEZE) &&
           g->values[u->in[0]].shape.rank == 4 && shape_is_batched(&g->values[u->out[0]].shape);
}

/* May value v be stored blocked?  `ok` holds the answers for values read
 * later in the graph (the walk goes backwards). */
static bool readers_take_blocked(const Graph *g, uint32_t v, const bool *ok)
{
    if (g->values[v].is_output)
        return false;
    bool any = false;
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        const Node *u = &g->nodes[i];
        if (u->op == OP_DEAD)
            continue;
        for (uint32_t j = 0; j < u->n_in; j++) {
            if (u->in[j] != v)
                continue;
            any = true;
            bool takes = j == 0 && ((u->op == OP_CONV && blockable_conv(g, u) && ok[u->out[0]]) ||
                                    ((is_pool2d(g, u) || is_lrn2d(g, u)) && ok[u->out[0]]) ||
                                    u->op == OP_GLOBAL_AVGPOOL || u->op == OP_GLOBAL_MAXPOOL ||
                                    (u->op == OP_GEMM && u->epi.mean_input) ||
                                    reorders(g, u));
            if (!takes)
                return false;
        }
    }
    return any;
}

/* Winograd needs outputs at least WINO_MIN_SIZE tall and wide, or
 * WINO_MIN_SIZE_BATCHED when the model runs batches of at least WINO_BATCH:
 * a fixed batch (`vggc compile --batch N`) or a symbolic one whose
 * Graph.batch_hint says so (`vggc run` and `bench` set it from the batch
 * they run, `compile --batch-hint N` by hand).  Its weights are 4x the
 * direct ones, each used once per 4x4 tile of each image.  On a small map
 * (VGG-16's 10x10 and 14x14 layers, 512 channels, 38 MB of transformed
 * weights each against 9.4 MB direct) at batch 1 it is only a little
 * faster with blocks of 16 (the 4x4 tiles overhang the map: 12x12
 * computed for 10x10) and costs the memory: vgg16_head's three 10x10
 * layers measured 13.2-13.6 ms against 14.7-15.8 direct (AVX-512, 1
 * thread, 2026-11-30), for 85 MB more weights, which would put the
 * program's peak RSS above ONNX Runtime's.  A symbolic batch without a
 * hint is taken to be 1.  From batch 2 the weights serve every image: at
 * batch 8 those layers took 63-67 ms against 115-126 direct.
 * With blocks of 8 (AVX2: 16 vector registers, a direct tile of 2 x 6
 * vectors) the direct convolution is the weaker kernel: vgg16's 14x14
 * layers took 10.6-16.6 ms each direct in the network and 6.6-7.7 ms as
 * Winograd (Zen 3, JIT, 1 thread, two interleaved profiles).  There a
 * batch-1 model's small maps go to Winograd too (small_maps_winograd)
 * when the 3x more weights they then need add at most 1/WINO_SMALL_BUDGET
 * to the model's weights: vgg16's three 14x14 layers add 85 MB to 553 MB;
 * vgg16_head's three 10x10 layers would add 85 MB to its 60 MB, and its
 * RSS would pass ONNX Runtime's. */
enum { WINO_MIN_SIZE = 16, WINO_MIN_SIZE_BATCHED = 8, WINO_BATCH = 2, WINO_SMALL_BUDGET = 4 };

/* dp all zero but for the sizes a conv's weights [K, C / group, kh, kw]
 * and its groups give and the block: all the packing functions read. */
static void weight_params(const Graph *g, const Node *n, const Value *w, vggrt_dconv_params *dp)
{
    memset(dp, 0, sizeof *dp);
    dp->block = graph_block(g);
    dp->conv.group = n->attr.win.group;
    dp->conv.k = w->shape.d[0];
    dp->conv.c = w->shape.d[1] * n->attr.win.group;
    dp->conv.kh = w->shape.d[2];
    dp->conv.kw = w->shape.d[3];
}

/* weight_params, then the conv's strides, dilations and top and left
 * pads. */
static void window_params(const Graph *g, const Node *n, vggrt_dconv_params *dp)
{
    const WindowAttr *a = &n->attr.win;
    weight_params(g, n, &g->values[n->in[1]], dp);
    dp->conv.sh = a->stride[0];
    dp->conv.sw = a->stride[1];
    dp->conv.dh = a->dilation[0];
    dp->conv.dw = a->dilation[1];
    dp->conv.pt = a->pad[0];
    dp->conv.pl = a->pad[1];
}

/* Does Winograd's epilogue take this conv's fused pool (none, or 2x2
 * stride 2: a tile's outputs pool on their own)? */
static bool wino_takes_pool(const Node *n)
{
    return n->epi.pool_k == 0 || (n->epi.pool_k == 2 && n->epi.pool_s == 2);
}

/* Winograd for this blocked conv, on outputs of at least min_size (or
 * WINO_MIN_SIZE_BATCHED at a batch, fixed or hinted, of WINO_BATCH or
 * more), with a fused pool it cannot run split off (split_pool)?  (Its
 * in_layout is set.)  Only the fields vggrt_wino_applies reads are
 * filled. */
static bool use_winograd(const Graph *g, const Node *n, int64_t min_size)
{
    const WindowAttr *a = &n->attr.win;
    vggrt_dconv_params dp;
    window_params(g, n, &dp);
    dp.in_layout = n->in_layout == LAYOUT_BLOCKED ? VGGRT_LAYOUT_BLOCKED : VGGRT_LAYOUT_NCHW;
    dp.pool_k = wino_takes_pool(n) ? n->epi.pool_k : 0;
    dp.pool_s = wino_takes_pool(n) ? n->epi.pool_s : 0;
    /* The conv's own output (before a fused pool), if stride 1. */
    const Shape *x = &g->values[n->in[0]].shape;
    int64_t oh = x->d[2] + a->pad[0] + a->pad[2] - (dp.conv.kh - 1);
    int64_t ow = x->d[3] + a->pad[1] + a->pad[3] - (dp.conv.kw - 1);
    int64_t batch = x->d[0] == VGGC_DIM_N ? g->batch_hint : x->d[0];
    if (batch >= WINO_BATCH)
        min_size = WINO_MIN_SIZE_BATCHED;
    return vggrt_wino_applies(&dp) && dp.conv.c / dp.conv.group >= 16 && oh >= min_size &&
           ow >= min_size;
}

/* The row Winograd (vggrt_wrow_applies, wrow.c: F(4, 3) along the rows)
 * for a first layer: a 3x3 stride-1 conv of 3 or 4 channels of NCHW or
 * NHWC input (Keras's), with blocks of 16.  13.5 multiply-adds per output
 * instead of 27 with 3 channels: VGG-16's first layer ran 1.21-1.36x as
 * fast as the direct tile at 160x160 (Intel Xeon VM, AVX-512, 1 thread,
 * the two alternating in bands into the chain's ring, 2026-12-03;
 * runtime/kernels/first-layer.md).  Not with blocks of 8 (1.02-1.15x),
 * nor below 3 channels, where the transforms weigh more
 * against fewer products. */
static bool use_wrow(const Graph *g, const Node *n)
{
    if (graph_block(g) != 16 || n->in_layout == LAYOUT_BLOCKED || n->epi.pool_k ||
        (n->epi.act != ACT_NONE && n->epi.act != ACT_RELU))
        return false;
    vggrt_dconv_params dp;
    window_params(g, n, &dp);
    const Shape *x = &g->values[n->in[0]].shape, *y = &g->values[n->out[0]].shape;
    const int hd = n->in_layout == LAYOUT_NHWC ? 1 : 2; /* x's height: [N,H,W,C] or [N,C,H,W] */
    dp.conv.h = x->d[hd];
    dp.conv.w = x->d[hd + 1];
    dp.conv.oh = y->d[2];
    dp.conv.ow = y->d[3];
    dp.conv.act = n->epi.act == ACT_RELU ? VGGRT_ACT_RELU : VGGRT_ACT_NONE;
    dp.in_layout = n->in_layout == LAYOUT_NHWC ? VGGRT_LAYOUT_NHWC : VGGRT_LAYOUT_NCHW;
    return dp.conv.c >= 3 && vggrt_wrow_applies(&dp);
}

/* Whether the small maps of this graph's blocked convs (outputs from
 * WINO_MIN_SIZE_BATCHED up to WINO_MIN_SIZE) run Winograd: with blocks of
 * 8, if their transformed weights add at most 1/WINO_SMALL_BUDGET to the
 * bytes of the constants the graph reads (see WINO_MIN_SIZE). */
static bool small_maps_winograd(const Graph *g)
{
    if (graph_block(g) != 8)
        return false;
    bool *read = calloc(g->n_values ? g->n_values : 1, sizeof *read);
    VGGC_ASSERT(read);
    for (uint32_t i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].op != OP_DEAD)
            for (uint32_t j = 0; j < g->nodes[i].n_in; j++)
                if (g->nodes[i].in[j] != VGGC_NONE)
                    read[g->nodes[i].in[j]] = true;
    double weights = 0, extra = 0;
    for (uint32_t v = 0; v < g->n_values; v++)
        if (read[v] && is_const(g, v))
            weights += (double)g->values[v].nbytes;
    free(read);
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        const Node *n = &g->nodes[i];
        if (n->op == OP_CONV && n->out_layout == LAYOUT_BLOCKED &&
            use_winograd(g, n, WINO_MIN_SIZE_BATCHED) && !use_winograd(g, n, WINO_MIN_SIZE))
            extra += (36.0 / (double)(n->attr.win.kernel[0] * n->attr.win.kernel[1]) - 1) *
                     (double)g->values[n->in[1]].nbytes;
    }
    return extra > 0 && extra * WINO_SMALL_BUDGET <= weights;
}

/* Node i, a blocked conv with a fused max pool, computes the conv alone;
 * a blocked MaxPool inserted right after it (node i + 1, "NAME+pool")
 * reads the conv's output, a new value "OUT+conv", and writes the old
 * one. */
static void split_pool(Graph *g, uint32_t i)
{
    Node *conv = &g->nodes[i];
    const WindowAttr *a = &conv->attr.win;
    const uint32_t out = conv->out[0];
    const Shape *x = &g->values[conv->in[0]].shape;
    Shape s = g->values[out].shape;
    for (int d = 0; d < 2; d++) {
        const int64_t span = a->dilation[d] * (a->kernel[d] - 1) + 1;
        s.d[2 + d] = (x->d[2 + d] + a->pad[d] + a->pad[2 + d] - span) / a->stride[d] + 1;
    }
    const int64_t k = conv->epi.pool_k, st = conv->epi.pool_s;
    conv->epi.pool_k = conv->epi.pool_s = 0;
    const uint32_t mid = graph_add_value(g, arena_printf(&g->arena, "%s+conv", g->values[out].name),
                                         VAL_TEMP, g->values[out].dtype);
    g->values[mid].has_shape = true;
    g->values[mid].shape = s;
    g->values[mid].layout = LAYOUT_BLOCKED;
    const char *name = arena_printf(&g->arena, "%s+pool", conv->name);
    g->nodes[i].out[0] = mid;
    const uint32_t pid = graph_insert_node(g, i + 1, OP_MAXPOOL, name, 1, &mid, 1, &out);
    g->values[mid].producer = i;
    Node *pool = &g->nodes[pid];
    pool->attr.win.nsp = 2;
    pool->attr.win.has_kernel = true;
    pool->attr.win.group = 1;
    for (int d = 0; d < 2; d++) {
        pool->attr.win.kernel[d] = k;
        pool->attr.win.stride[d] = st;
        pool->attr.win.dilation[d] = 1;
    }
    pool->in_layout = pool->out_layout = LAYOUT_BLOCKED;
}

/* The packed weights and padded bias of a blocked conv, Winograd's on
 * outputs of at least wino_min (see use_winograd). */
static void pack_conv(Graph *g, Node *n, int64_t wino_min)
{
    const uint32_t wid = n->in[1];
    const Value *w = &g->values[wid];
    vggrt_dconv_params dp;
    weight_params(g, n, w, &dp);
    const int64_t b = dp.block, kb = (dp.conv.k + b - 1) / b, cg = w->shape.d[1];
    const bool wino = use_winograd(g, n, wino_min), wrow = !wino && use_wrow(g, n);
    size_t size = wino   ? vggrt_wino_packed_size(&dp)
                : wrow ? vggrt_wrow_packed_size(&dp) : vggrt_dconv_packed_size(&dp);
    /* Packed straight into the arena: the constant keeps these bytes. */
    float *packed = arena_alloc_aligned(&g->arena, size * sizeof(float), 64);
    Shape ps = {5, {kb, cg, dp.conv.kh, dp.conv.kw, b}};
    if (wino) {
        VGGC_ASSERT(vggrt_wino_pack(&dp, w->data, packed) == VGGRT_OK);
        ps = (Shape){4, {kb, 36, cg, b}};
    } else if (wrow) {
        VGGC_ASSERT(vggrt_wrow_pack(&dp, w->data, packed) == VGGRT_OK);
        ps = (Shape){4, {kb, cg, 18, b}};
    } else {
        VGGC_ASSERT(vggrt_dconv_pack(&dp, w->data, packed) == VGGRT_OK);
    }
    const char *base = w->name;
    n->in[1] = adopt_float_const(g, base, wino ? "+wino" : wrow ? "+wrow" : "+packed", &ps, packed);
    /* Read by no other node, the raw weights go back now rather than at the
     * compaction below, so that the raw and the packed weights of the
     * whole model are never held at once. */
    if (graph_count_uses(g, wid) == 0) {
        arena_release(&g->arena, g->values[wid].data);
        g->values[wid].data = NULL;
    }
    if (n->n_in > 2 && n->in[2] != VGGC_NONE) {
        float *bias = calloc((size_t)(kb * b), sizeof(float));
        VGGC_ASSERT(bias);
        memcpy(bias, g->values[n->in[2]].data, (size_t)dp.conv.k * sizeof(float));
        Shape bs = {1, {kb * b}};
        n->in[2] = add_float_const(g, g->values[n->in[2]].name, "+padded", &bs, bias);
        free(bias);
    }
}

/* Is this Gemm the only reader of its weights' bytes (no other node, no
 * graph output, no other value on the same data)? */
static bool sole_owner(const Graph *g, uint32_t wid)
{
    if (graph_count_uses(g, wid) != 1)
        return false;
    for (uint32_t i = 0; i < g->n_values; i++)
        if (i != wid && g->values[i].data == g->values[wid].data)
            return false;
    return true;
}

/* A dense layer (Gemm, A not transposed) with constant float weights:
 * op(B) packed as blocks of 16 columns, [ceil(N/16), K, 16] (vggrt_gemm_pack,
 * a "+packed" constant; trans_b no longer applies), so that the kernel
 * streams each block once in order (vggrt_gemm_packed).  With N a multiple
 * of 16 and the weights read by this Gemm alone they are packed where they
 * are (vggrt_gemm_pack_in_place): a copy would hold VGG-16's first dense
 * layer (411 MB) twice. */
static void pack_dense(Graph *g, Node *n)
{
    const uint32_t wid = n->in[1];
    Value *w = &g->values[wid];
    const GemmAttr *a = &n->attr.gemm;
    if (a->trans_a || w->shape.rank != 2 || !const_floats(g, wid) ||
        g->values[n->in[0]].dtype != DT_FLOAT || g->values[n->out[0]].dtype != DT_FLOAT)
        return;
    const int64_t K = w->shape.d[a->trans_b ? 1 : 0], N = w->shape.d[a->trans_b ? 0 : 1];
    if (K <= 0 || N <= 0)
        return;
    const char *base = w->name;
    const Shape ps = {3, {(N + 15) / 16, K, 16}};
    if (N % 16 == 0 && sole_owner(g, wid) &&
        vggrt_gemm_pack_in_place(a->trans_b, N, K, w->data) == VGGRT_OK) {
        float *data = w->data;
        w->data = NULL;     /* the bytes are the packed constant's now */
        n->in[1] = adopt_float_const(g, base, "+packed", &ps, data);
    } else {
        float *packed = arena_alloc_aligned(&g->arena,
                                            vggrt_gemm_packed_size(N, K) * sizeof(float), 64);
        vggrt_gemm_pack(a->trans_b, N, K, w->data, packed);
        n->in[1] = adopt_float_const(g, base, "+packed", &ps, packed);
        if (graph_count_uses(g, wid) == 0) {
            arena_release(&g->arena, g->values[wid].data);
            g->values[wid].data = NULL;
        }
    }
    n->attr.gemm.trans_b = false;
}

/* A Transpose NHWC -> NCHW of a graph input read only by this conv: the
 * conv reads the input directly. */
static void absorb_input_transpose(Graph *g, Node *conv)
{
    Node *t = producer_of(g, conv->in[0]);
    if (!t || t->op != OP_TRANSPOSE || g->values[t->in[0]].kind != VAL_INPUT)
        return;
    const PermAttr *p = &t->attr.perm;
    if (p->n_perm != 4 || p->perm[0] != 0 || p->perm[1] != 3 || p->perm[2] != 1 || p->perm[3] != 2)
        return;
    if (sole_user(g, t->out[0]) != conv || conv->attr.win.group != 1)
        return;
    conv->in[0] = t->in[0];
    conv->in_layout = LAYOUT_NHWC;
    t->op = OP_DEAD;
}

bool pass_assign_layout(Graph *g)
{
    bool *ok = calloc(g->n_values ? g->n_values : 1, sizeof *ok);
    VGGC_ASSERT(ok);
    for (uint32_t i = g->n_nodes; i-- > 0;) {
        const Node *n = &g->nodes[i];
        if (n->op == OP_DEAD || n->n_out < 1 || n->out[0] == VGGC_NONE)
            continue;
        if ((n->op == OP_CONV && blockable_conv(g, n)) || is_pool2d(g, n) || is_lrn2d(g, n))
            ok[n->out[0]] = readers_take_blocked(g, n->out[0], ok);
    }
    uint32_t n_nodes = g->n_nodes;
    for (uint32_t i = 0; i < n_nodes; i++) {
        Node *n = &g->nodes[i];
        if (n->op == OP_DEAD)
            continue;
        Layout in = g->values[n->in[0]].layout;
        if (n->op == OP_CONV && blockable_conv(g, n) && ok[n->out[0]]) {
            absorb_input_transpose(g, n);
            if (n->in_layout != LAYOUT_NHWC)
                n->in_layout = g->values[n->in[0]].layout;
            n->out_layout = LAYOUT_BLOCKED;
        } else if ((is_pool2d(g, n) || is_lrn2d(g, n)) && in == LAYOUT_BLOCKED) {
            n->in_layout = n->out_layout = LAYOUT_BLOCKED;
        } else if ((n->op == OP_GLOBAL_AVGPOOL || n->op == OP_GLOBAL_MAXPOOL ||
                    (n->op == OP_GEMM && n->epi.mean_input) || reorders(g, n)) &&
                   in == LAYOUT_BLOCKED) {
            n->in_layout = LAYOUT_BLOCKED;
        }
        g->values[n->out[0]].layout = n->out_layout;
    }
    free(ok);
    /* Then the kernels and their packed weights, once every layout (and
     * so every small map that could take Winograd) is known. */
    const int64_t wino_min = small_maps_winograd(g) ? WINO_MIN_SIZE_BATCHED : WINO_MIN_SIZE;
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        if (g->nodes[i].op == OP_CONV && g->nodes[i].out_layout == LAYOUT_BLOCKED) {
            if (!wino_takes_pool(&g->nodes[i]) && use_winograd(g, &g->nodes[i], wino_min))
                split_pool(g, i);
            pack_conv(g, &g->nodes[i], wino_min);
        } else if (g->nodes[i].op == OP_GEMM)
            pack_dense(g, &g->nodes[i]);
    }
    graph_compact(g);
    return true;
}
