/* plan.h — the lowered network both backends emit from.
 *
 * Lowering fixes, for an optimized graph, everything a backend needs to
 * write code without further decisions: the order of the layers, where
 * every tensor lives and the sizes of the memory regions.
 *
 * Memory.  A run uses three blocks:
 *   - the weights blob (read-only, 64-byte aligned), holding every
 *     constant that a layer or a graph output reads (the JIT instead
 *     passes a table of pointers to the graph's own constants, one per
 *     STORE_CONST index: no copy);
 *   - the arena: a static part (tensors without a batch dimension, and
 *     scratch) of `static_bytes`, then a batch part of `batch_bytes` per
 *     batch item.  A batched tensor at per-item offset `off` starts at
 *     static_bytes + batch * off: every batched tensor scales with the
 *     batch, so offsets planned for one item hold for any batch;
 *   - the caller's input buffers, read in place.
 * Reshape-like ops are views: their result shares their operand's bytes.
 */
#ifndef VGGC_PLAN_H
#define VGGC_PLAN_H

#include "ir.h"
#include "vggrt.h"

typedef enum {
    STORE_NONE,     /* not materialized (an unused value) */
    STORE_INPUT,    /* graph input `index`, the caller's buffer */
    STORE_CONST,    /* weights blob at `offset` */
    STORE_STATIC,   /* arena at `offset` */
    STORE_BATCH,    /* arena at static_bytes + batch * `offset` */
} StoreKind;

typedef struct {
    StoreKind kind;
    uint32_t index;         /* STORE_INPUT: position among the graph inputs;
                               STORE_CONST: the root's position among the
                               constants (the JIT's table of them) */
    uint64_t offset;
    uint64_t size;          /* bytes (per item for STORE_BATCH) */
    uint32_t root;          /* the value whose bytes these are (itself unless a view) */
} Storage;

typedef struct {
    Graph *g;
    Storage *store;         /* one per value */
    uint32_t *layers;       /* node ids in execution order */
    uint32_t n_layers;
    uint64_t weights_size;  /* payload bytes */
    uint32_t n_consts;      /* constants with storage (STORE_CONST roots) */
    uint64_t static_bytes;  /* includes scratch at offset 0 */
    uint64_t scratch_bytes; /* largest per-layer scratch (conv im2col, BN factors) */
    uint64_t batch_bytes;   /* per batch item */
    uint64_t batch_scratch_offset;  /* per-item scratch, in the batch region */
} Plan;

/* True for nodes whose output is a view of input 0 (no code runs): the
 * reshapes, except of a blocked input (they reorder it to plain). */
bool plan_is_view(const Node *n);

/* Lowers g (after the passes).  NULL after reporting what cannot be
 * lowered (e.g. a batch-dependent shape value used as data). */
Plan *plan_build(Graph *g);
void plan_free(Plan *p);

/* Bytes [off, off + n) of the weights payload (p->weights_size bytes:
 * each constant at its offset, zeros between) into dst, so that the
 * payload can be checksummed and written a piece at a time. */
void plan_weights_piece(const Plan *p, uint64_t off, size_t n, unsigned char *dst);

/* The position of node n among p's layers. */
uint32_t plan_layer_index(const Plan *p, const Node *n);

/* Scratch bytes (static arena, offset 0) a layer needs. */
uint64_t plan_layer_scratch(const Graph *g, const Node *n);
/* Scratch bytes per batch item (batch region, batch_scratch_offset). */
uint64_t plan_layer_batch_scratch(const Graph *g, const Node *n);

/* vggrt sizes of a Conv node: the conv's own output size (before a fused
 * pool), the fused ReLU in act. */
void plan_conv_params(const Graph *g, const Node *n, vggrt_conv_params *p);
/* vggrt sizes of a Conv node in plain layout (any of 1-D to 3-D; depth 1
 * below 3-D) and of a MaxPool/AveragePool node (the H, W part, .hw, is a
 * 2-D or 1-D pool's vggrt_pool_params). */
void plan_conv3d_params(const Graph *g, const Node *n, vggrt_conv3d_params *p);
/* A ConvTranspose's geometry for vggrt_conv_transpose (1-D and 2-D with
 * depth 1; c, d, h, w the input's, k, od, oh, ow the output's). */
void plan_conv_transpose_params(const Graph *g, const Node *n, vggrt_conv3d_params *p);
void plan_pool_params(const Graph *g, const Node *n, vggrt_pool3d_params *p);
/* The fused max pool of a Conv node, false when it has none. */
bool plan_conv_pool_params(const Graph *g, const Node *n, vggrt_pool_params *pp);
/* vggrt sizes of a Conv with out_layout=blocked (vggrt_dconv2d, or
 * vggrt_wino_conv2d: the same parameters). */
void plan_dconv_params(const Graph *g, const Node *n, vggrt_dconv_params *dp);
/* Does this blocked Conv run the Winograd kernel (vggrt_wino_conv2d)?
 * assign-layout decided, and packed its weights for it: [K/b, 36, C, b],
 * b = graph_block(g). */
bool plan_conv_winograd(const Graph *g, const Node *n);
/* Does this blocked Conv run Winograd along the rows (vggrt_wrow_conv2d)?
 * assign-layout packed its weights for it: [K/b, C, 18, b]. */
bool plan_conv_wrow(const Graph *g, const Node *n);
/* Does this Gemm read packed weights (vggrt_gemm_packed)?  assign-layout
 * packed them: [ceil(N/16), K, 16]. */
bool plan_gemm_packed(const Graph *g, const Node *n);
/* Chains (vggrt_chain_conv2d): a network's first layer, a direct conv of
 * plain input whose output only a Winograd conv reads, is computed inside
 * that conv's call, a few rows at a time into a ring that stays in cache;
 * its output is never stored (STORE_NONE).  plan_chain_producer: for such
 * a Winograd conv n, the conv it computes first; plan_chain_consumer: for
 * such a first conv n, the conv whose call computes it.  NULL otherwise. */
const Node *plan_chain_producer(const Graph *g, const Node *n);
const Node *plan_chain_consumer(const Graph *g, const Node *n);
/* VGGRT_ACT_* for an epilogue's activation. */
int plan_act_code(ActKind a);
/* The vggrt_unary_f32 call of a float function of one input (Relu,
 * Sigmoid, Exp, Elu, ...; Clip, whose bounds may be inputs, has its own):
 * the kernel's op, its enum's name (for the C backend) and parameters.
 * False for any other node. */
typedef struct {
    int op;
    const char *name;
    float p0, p1;
} PlanUnary;
bool plan_unary(const Node *n, PlanUnary *u);
/* The vggrt_reduce_f32 op of a Reduce op or global pool, and its enum's
 * name in *name; -1 for any other op. */
int plan_reduce_op(OpKind op, const char **name);

/* ---- what both emitters compute from shapes ------------------------------ */

/* The runtime's dtype code (VGGRT_F32, ...) of a dtype. */
int rt_dtype(DType t);

/* One row of NAME_input_info / NAME_output_info, the tensor_info struct of
 * NAME.h (emit_c.c: emit_c_header), as both emitters write it. */
typedef struct {
    int dtype;              /* ONNX code */
    int rank;               /* -1: a sequence or optional whose tensors' rank is not declared */
    int64_t dims[VGGRT_MAX_RANK];   /* a tensor: -1 the batch; a sequence's tensors: -1 any */
    int unread;             /* inputs: no node reads its data (Value.unread) */
    int nwrap;              /* 0: a tensor; else a sequence or optional (Value.wrap) ... */
    int wrap[VGGRT_MAX_WRAP];   /* ... VGGRT_SEQUENCE / VGGRT_OPTIONAL, outermost first */
    int source;             /* a sequence or optional output: the input it passes on; else -1 */
} IoInfo;
_Static_assert(VGGC_MAX_WRAP == VGGRT_MAX_WRAP && VGGC_MAX_RANK == VGGRT_MAX_RANK,
               "IoInfo mirrors vggrt_value_type");
IoInfo plan_io_info(const Graph *g, uint32_t v, bool output);
/* Does NAME.h declare NAME_run (one float tensor in, one out), besides
 * NAME_run_multi? */
bool plan_simple_api(const Graph *g);

/* A constant-mode Pad's value as vggrt_pad takes it: the bits of one
 * element of the pad's dtype (layer checks: representable exactly). */
uint64_t plan_pad_value_bits(const Graph *g, const Node *n);

/* vggrt_resize's 4 doubles per axis of a Resize (scale, resized length,
 * roi start and end), as ONNX's reference computes them: a scale given as
 * float, the resized length scale * d in float; from sizes, the scale
 * size / d and the length scale * d in double.  The symbolic batch gets
 * scale 1 and length 0 (its run-time size). */
void plan_resize_axes(const Graph *g, const Node *n, double axes[4 * VGGC_MAX_RANK]);

/* A size the generated code computes: k, or n * k when batched. */
typedef struct { bool batched; int64_t k; } Size;
/* The product of dims [from, to) of s, the batch N kept symbolic. */
Size size_of_dims(const Shape *s, int from, int to);

/* vggrt_gemm's row and column strides of a Gemm's C (input 2) read as
 * [M, N]: 0 along a broadcast dim, both 0 without C. */
void plan_gemm_c_strides(const Graph *g, const Node *n, int64_t *row_stride, int64_t *col_stride);

/* A MatMul as vggrt_matmul takes it: the broadcast batch dims of both
 * operands (1-D operands read as [1,K] and [K,1]), their element strides
 * (0 where broadcast; N kept as a dim, it is always leading), and M, K, N. */
typedef struct {
    int batch_rank;
    int64_t bd[VGGC_MAX_RANK];      /* the output's batch dims (may hold N) */
    int64_t as[VGGC_MAX_RANK], bs[VGGC_MAX_RANK];
    int64_t M, K, N;                /* M may be N */
} MatmulDims;
void plan_matmul_dims(const Graph *g, const Node *n, MatmulDims *m);

/* Human-readable summary of the plan (arena sizes), for inspect and -v. */
void plan_print_summary(const Plan *p, FILE *f);

/* A valid C identifier made from s (model stems, value names). */
char *c_identifier(Arena *a, const char *s);

#endif
