/* ir.h — vggc's intermediate representation.
 *
 * A Graph owns two arrays: values (tensors) and nodes (operations).  Both
 * are referred to by uint32_t ids, never by pointer, so the arrays may grow.
 * Every allocation a graph makes comes from its Arena and is freed by one
 * call, graph_free().
 *
 * Shapes carry at most one symbolic dimension, the batch N, and only as the
 * leading dimension of a tensor: [N, 3, 160, 160].  Everything else is known
 * at compile time, so one compiled network serves every batch size and every
 * size but the batch is a constant in the generated code.
 *
 * Nodes keep the ONNX graph's topological order in g->nodes.  Passes that
 * remove a node mark it dead (op = OP_DEAD); graph_compact() drops dead
 * nodes and unused values when a pass wants a tidy graph.
 *
 * Nothing here knows protobuf (frontend/) or LLVM (codegen/llvm/).
 */
#ifndef VGGC_IR_H
#define VGGC_IR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VGGC_VERSION "0.1.0"

#if defined(__GNUC__)
#define VGGC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define VGGC_NORETURN __attribute__((noreturn))
#else
#define VGGC_PRINTF(f, a)
#define VGGC_NORETURN
#endif

/* ---- arena.c ------------------------------------------------------------ */

typedef struct ArenaBlock ArenaBlock;
typedef struct {
    ArenaBlock *head;       /* newest block first */
    size_t total;           /* bytes handed out, for statistics */
} Arena;

void *arena_alloc(Arena *a, size_t size);            /* zeroed, 16-aligned; aborts on OOM */
void *arena_alloc_aligned(Arena *a, size_t size, size_t align);
char *arena_strdup(Arena *a, const char *s);
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_printf(Arena *a, const char *fmt, ...) VGGC_PRINTF(2, 3);
/* Gives p's memory back now when it was a big allocation (16 KiB or more:
 * a block of its own; a constant's data, typically); otherwise, or when p
 * is not from a, it stays until arena_free.  p is not used again. */
void arena_release(Arena *a, void *p);
void arena_free(Arena *a);
/* A big block made outside any arena (uninitialized, 64-aligned; NULL when
 * out of memory): a parser's buffer that a graph may keep where it is.
 * arena_adopt makes it a's, as if from arena_alloc (arena_release and
 * arena_free give it back); arena_detached_free gives back one not
 * adopted. */
void *arena_detached_alloc(size_t size);
void arena_detached_free(void *mem);
void arena_adopt(Arena *a, void *mem);

/* Overflow-checked size arithmetic: false when the result does not fit. */
bool size_mul(size_t a, size_t b, size_t *out);
bool size_add(size_t a, size_t b, size_t *out);

/* ---- diag.c: diagnostics ------------------------------------------------ */

/* Our own bugs: file:line and abort.  Bad input never reaches these. */
#define VGGC_ASSERT(c) \
    ((c) ? (void)0 : vggc_assert_fail(#c, __FILE__, __LINE__))
#define VGGC_UNREACHABLE() vggc_assert_fail("unreachable", __FILE__, __LINE__)
VGGC_NORETURN void vggc_assert_fail(const char *what, const char *file, int line);

extern int vggc_verbose;    /* -v: 1; -vv: 2 */
void vggc_note(const char *fmt, ...) VGGC_PRINTF(1, 2);   /* printed when verbose */

/* ---- dtypes and shapes -------------------------------------------------- */

typedef enum {
    DT_UNDEF,
    DT_FLOAT,       /* float32 — all arithmetic */
    DT_INT64,       /* shapes, indices */
    DT_INT32,       /* read and cast; kept for Cast/Gather indices */
    DT_BOOL,        /* read only */
    DT_UINT8,       /* Add/Sub/Mul/Div (wrapping), Clip, MaxPool, Cast */
    DT_INT8,        /* as DT_UINT8 */
    DT_DOUBLE,      /* float64: Add/Sub/Mul/Div, Cast */
    DT_FLOAT16,     /* IEEE half, stored as its bits: Cast only */
    DT_BFLOAT16,    /* bfloat16 (float32's top half), stored as its bits: Cast only */
    DT_STRING,      /* ASCII text in fixed 32-byte NUL-padded slots (VGGRT_STRING_SIZE):
                       graph inputs and outputs, Cast and Identity only; never a constant */
    DT_COUNT
} DType;

const char *dtype_name(DType t);
size_t dtype_size(DType t);

#define VGGC_MAX_RANK 8
#define VGGC_DIM_N (-1)             /* the symbolic batch dimension */
#define VGGC_MAX_DIM ((int64_t)1 << 40)

typedef struct {
    int rank;
    int64_t d[VGGC_MAX_RANK];       /* d[0] may be VGGC_DIM_N */
} Shape;

bool shape_is_batched(const Shape *s);               /* d[0] == N */
/* Elements per batch item (all dims but a symbolic d[0]); false on overflow. */
bool shape_numel_per_item(const Shape *s, size_t *out);
/* Elements for a given batch (N replaced by batch). */
bool shape_numel(const Shape *s, int64_t batch, size_t *out);
bool shape_equal(const Shape *a, const Shape *b);
/* "[N,3,160,160]"; batch_name replaces N when non-NULL (e.g. "None"). */
void shape_format(const Shape *s, char *buf, size_t cap, const char *batch_name);
/* Element strides of x (dense in its own shape) read as the broadcast
 * output shape y, numpy-style: 0 along the dims x broadcasts.  str has
 * y->rank entries. */
void shape_broadcast_strides(const Shape *x, const Shape *y, int64_t *str);

/* Where a layer's data lives (passes/assign_layout.c).  NCHW is ONNX's
 * plain order; BLOCKED is NCHW16c: [N, ceil(C/16), H, W, 16]. */
typedef enum { LAYOUT_PLAIN, LAYOUT_NHWC, LAYOUT_BLOCKED, LAYOUT_COUNT } Layout;

/* ---- values ------------------------------------------------------------- */

#define VGGC_NONE UINT32_MAX

typedef enum {
    VAL_INPUT,      /* a graph input supplied at run time */
    VAL_CONST,      /* data known at compile time (initializer, Constant, folded) */
    VAL_TEMP,       /* produced by a node */
    VAL_PASS,       /* a sequence or optional graph input passed on unchanged (Identity):
                       Value.source names the input; no node produces or reads it */
} ValueKind;

/* A sequence or optional value: the containers around its tensors (ONNX's
 * seq(...) and optional(...) types) and what the model declares of the
 * tensors; their element type is the Value's dtype.  vggc passes such a
 * value from a graph input to graph outputs (Identity) and computes nothing
 * on it, so it is checked when a run reads it (libvggrt's vggrt_value_read,
 * whose vggrt_value_type has this layout) and never planned in the arena. */
#define VGGC_MAX_WRAP 4
typedef enum { WRAP_SEQUENCE = 1, WRAP_OPTIONAL = 2 } WrapKind;   /* VGGRT_SEQUENCE/OPTIONAL */
typedef struct {
    int n;                          /* 1..VGGC_MAX_WRAP containers ... */
    WrapKind kind[VGGC_MAX_WRAP];   /* ... outermost first */
    int rank;                       /* the tensors' declared rank; -1: not declared */
    int64_t dims[VGGC_MAX_RANK];    /* -1: that size is not declared */
} Wrap;

/* "optional(seq(tensor(float))) of [5]" (ONNX's spelling; dims when declared). */
void wrap_format(const Wrap *w, DType dt, char *buf, size_t cap);

typedef struct {
    const char *name;
    ValueKind kind;
    DType dtype;
    bool has_shape;         /* set by shape inference (always for inputs/consts) */
    Shape shape;
    uint32_t producer;      /* node id, VGGC_NONE for inputs and constants */
    bool is_output;         /* listed in the graph's outputs */
    void *data;             /* VAL_CONST: little-endian, dtype elements, C order */
    size_t nbytes;
    Layout layout;          /* its producer's out_layout; graph inputs are plain */
    bool unread;            /* VAL_INPUT: no node of the model read its data (CastLike's
                               target_type, an input nothing consumes): a run takes it with
                               any shape (its element type is still checked) */
    Wrap *wrap;             /* a sequence or optional (VAL_INPUT, VAL_PASS); NULL: a tensor.
                               has_shape is set, to a rank-0 shape that means nothing */
    uint32_t source;        /* VAL_PASS: the graph input (value id) it is */
} Value;

/* A constant int64 tensor computed from a batched shape (PyTorch's flatten
 * goes Shape -> Gather -> Unsqueeze -> Concat -> Reshape) holds the batch
 * size at compile time as this marker.  Folding carries it through data
 * movement; Reshape reads it as "the batch"; anything else refuses it. */
#define VGGC_SYM_N INT64_MIN

/* ---- attributes: one tagged union, the tag is the node's op ------------- */

typedef enum { AUTOPAD_NOTSET, AUTOPAD_VALID, AUTOPAD_SAME_UPPER, AUTOPAD_SAME_LOWER } AutoPad;

typedef struct {            /* Conv, ConvTranspose, MaxPool, AveragePool */
    int nsp;                /* spatial dims: 1, 2 or 3 (1-D is run as H = 1) */
    int64_t kernel[2];      /* kh, kw (from the weight for Conv) */
    int64_t stride[2];
    int64_t pad[4];         /* top, left, bottom, right */
    int64_t dilation[2];
    /* nsp 3 only: the depth D, the first spatial dim (H and W stay in the
     * arrays above, so every 1-D/2-D reader is unchanged). */
    int64_t kernel_d, stride_d, dilation_d;
    int64_t pad_d[2];       /* front, back */
    int64_t group;
    AutoPad auto_pad;       /* resolved into pad[] by shape inference */
    bool ceil_mode;
    bool count_include_pad;
    bool has_kernel;        /* kernel_shape given (Conv may infer it) */
    bool storage_order;     /* MaxPool: Indices count column-major (H fastest) */
    /* ConvTranspose, in ONNX's order of spatial axes.  Shape inference
     * turns output_shape (and auto_pad) into pad[], pad_d[], which may
     * then be negative: an output larger than the full transposed conv. */
    int64_t out_pad[3];     /* output_padding */
    int64_t out_shape[3];   /* output_shape, when has_out_shape */
    bool has_out_shape;
} WindowAttr;

/* One spatial axis of a window, in ONNX's order: axis i of nsp (D, H, W
 * when nsp is 3; H, W for 2; the one axis, stored as W, for 1). */
typedef struct { int64_t kernel, stride, dilation, pad_begin, pad_end; } WindowAxis;

static inline WindowAxis window_axis(const WindowAttr *w, int i)
{
    if (w->nsp == 3 && i == 0)
        return (WindowAxis){w->kernel_d, w->stride_d, w->dilation_d, w->pad_d[0], w->pad_d[1]};
    int j = w->nsp == 3 ? i - 1 : w->nsp == 1 ? 1 : i;
    return (WindowAxis){w->kernel[j], w->stride[j], w->dilation[j], w->pad[j], w->pad[2 + j]};
}

static inline void window_set_axis(WindowAttr *w, int i, WindowAxis a)
{
    if (w->nsp == 3 && i == 0) {
        w->kernel_d = a.kernel, w->stride_d = a.stride, w->dilation_d = a.dilation;
        w->pad_d[0] = a.pad_begin, w->pad_d[1] = a.pad_end;
        return;
    }
    int j = w->nsp == 3 ? i - 1 : w->nsp == 1 ? 1 : i;
    w->kernel[j] = a.kernel, w->stride[j] = a.stride, w->dilation[j] = a.dilation;
    w->pad[j] = a.pad_begin, w->pad[2 + j] = a.pad_end;
}

typedef struct {            /* ReduceMean, ReduceMax, ReduceSum, Squeeze, Unsqueeze */
    int n_axes;             /* 0: all (Reduce) / all size-1 (Squeeze) */
    int64_t axes[VGGC_MAX_RANK];
    bool keepdims;
    bool noop_with_empty_axes;
} AxesAttr;

typedef struct {
    int n_perm;             /* 0: reverse */
    int64_t perm[VGGC_MAX_RANK];
} PermAttr;

typedef struct { float alpha, beta; bool trans_a, trans_b; } GemmAttr;
typedef struct { float epsilon; } BatchNormAttr;
typedef struct { int64_t axis; float epsilon; } LayerNormAttr;   /* axis as given (may be < 0) */
typedef struct { int64_t axis; bool coerce_2d; } SoftmaxAttr; /* coerce_2d: opset < 13 */
/* Clip's bounds: +-INFINITY when absent.  A bound given as a run-time
 * tensor stays the node's input 1 (min) or 2 (max), a one-element f32 read
 * when the layer runs; the attribute's field is then unused. */
typedef struct { float min, max; } ClipAttr;
typedef struct { float alpha; } AlphaAttr;        /* LeakyRelu, Elu, ThresholdedRelu */
typedef struct { float alpha, gamma; } SeluAttr;  /* y = gamma * (x > 0 ? x : alpha * (e^x - 1)) */
/* ArgMax, ArgMin: the index along axis (normalized by inference) of the
 * largest or smallest element, the first one of equals, or the last with
 * select_last. */
typedef struct { int64_t axis; bool keepdims, select_last; } ArgAttr;
/* Slice: for n axes, elements start, start + step, ... up to before end,
 * as ONNX gives them (negative: from the end; out of range: clamped);
 * slice_window resolves them against a shape. */
typedef struct {
    int n;
    int64_t axes[VGGC_MAX_RANK], starts[VGGC_MAX_RANK], ends[VGGC_MAX_RANK], steps[VGGC_MAX_RANK];
} SliceAttr;
/* Slice a on shape x, checked by inference (axes in range and distinct,
 * steps not 0): per dim of x, the first index and the step (0 and 1 where
 * a does not slice) and the result's shape. */
void slice_window(const SliceAttr *a, const Shape *x, int64_t *start, int64_t *step, Shape *out);
/* Split: along axis, parts of the given sizes (n of them, one per output),
 * or with n = 0 equal parts, one per output. */
#define VGGC_MAX_SPLIT 64
typedef struct { int64_t axis; int n; int64_t sizes[VGGC_MAX_SPLIT]; } SplitAttr;
/* ConstantOfShape's fill value: of type `to` (a float type: f; else i). */
typedef struct { DType to; double f; int64_t i; } FillAttr;
typedef struct { float alpha, beta; } HardSigmoidAttr;  /* y = max(0, min(1, alpha*x + beta)) */
typedef struct { float alpha, beta, bias; int64_t size; } LrnAttr;
typedef struct { DType to; } CastAttr;
typedef struct { bool allowzero; } ReshapeAttr;
typedef struct { bool fmod; } ModAttr;    /* fmod: the remainder has A's sign, else B's */
typedef struct { int64_t start, end; bool has_end; } ShapeAttr;
/* Pad's mode: what the border holds.  CONSTANT: value; REFLECT: the input
 * mirrored without repeating the edge (numpy's "reflect"); EDGE: the edge
 * element repeated; WRAP (opset 19): the input repeated periodically. */
typedef enum { PAD_CONSTANT, PAD_REFLECT, PAD_EDGE, PAD_WRAP, PAD_COUNT } PadMode;
typedef struct {
    int64_t pads[2 * VGGC_MAX_RANK];    /* begins then ends; negative crops */
    float value;                        /* PAD_CONSTANT only */
    PadMode mode;
} PadAttr;

/* Resize's modes, in the order of vggrt.h's VGGRT_RESIZE_*, VGGRT_COORD_*
 * and VGGRT_NEAREST_* (codegen/plan.c checks). */
typedef enum { RESIZE_NEAREST, RESIZE_LINEAR, RESIZE_CUBIC, RESIZE_MODE_COUNT } ResizeMode;
typedef enum {
    COORD_HALF_PIXEL, COORD_HALF_PIXEL_SYMMETRIC, COORD_ASYMMETRIC, COORD_PYTORCH_HALF_PIXEL,
    COORD_TF_HALF_PIXEL_FOR_NN, COORD_ALIGN_CORNERS, COORD_TF_CROP_AND_RESIZE, COORD_COUNT
} ResizeCoord;
typedef enum {
    NEAREST_ROUND_PREFER_FLOOR, NEAREST_ROUND_PREFER_CEIL, NEAREST_FLOOR, NEAREST_CEIL,
    NEAREST_COUNT
} NearestMode;
/* Resize: one scale or one size per dim of X (the frontend spreads axes
 * and folds the constant inputs); roi only for tf_crop_and_resize. */
typedef struct {
    ResizeMode mode;
    ResizeCoord coord;
    NearestMode nearest;            /* mode nearest */
    float cubic_a;                  /* mode cubic */
    bool exclude_outside;           /* mode cubic */
    float extrapolation;            /* tf_crop_and_resize */
    bool has_sizes;                 /* sizes[], else scales[] */
    int n;                          /* entries of scales or sizes, and of roi's halves */
    float scales[VGGC_MAX_RANK];
    int64_t sizes[VGGC_MAX_RANK];
    float roi[2 * VGGC_MAX_RANK];   /* axis i from roi[i] to roi[VGGC_MAX_RANK + i] */
} ResizeAttr;

typedef union {
    WindowAttr win;
    AxesAttr axes;
    PermAttr perm;
    GemmAttr gemm;
    BatchNormAttr bn;       /* BatchNormalization, InstanceNormalization */
    LayerNormAttr ln;
    ClipAttr clip;
    AlphaAttr alpha;
    SeluAttr selu;
    ArgAttr arg;
    SliceAttr slice;
    FillAttr fill;
    SplitAttr split;
    HardSigmoidAttr hsig;
    LrnAttr lrn;
    CastAttr cast;
    ReshapeAttr reshape;
    ShapeAttr shape;
    PadAttr pad;
    ResizeAttr resize;
    ModAttr mod;
    SoftmaxAttr softmax;    /* Softmax, LogSoftmax */
    int64_t axis;           /* Flatten, Gather, GatherElements, Concat */
} Attr;

/* ---- ops and nodes ------------------------------------------------------ */

typedef enum {
#define X(e, name, ilo, ihi, olo, ohi) OP_##e,
#include "ops.def"
#undef X
    OP_COUNT,
    OP_DEAD = OP_COUNT      /* a node removed by a pass */
} OpKind;

typedef struct {
    const char *name;       /* ONNX op_type */
    uint8_t min_in, max_in, min_out, max_out;
} OpInfo;

extern const OpInfo op_info[OP_COUNT];
const char *op_name(OpKind op);
OpKind op_lookup(const char *onnx_name);   /* OP_COUNT when unknown */

/* What fusion passes fold into a layer (passes/fuse_*.c).  A node's
 * epilogue runs on its result before it is stored, in this order:
 * activation, max pool, softmax.  All zero: nothing fused. */
typedef enum { ACT_NONE, ACT_RELU, ACT_CLIP, ACT_LEAKY_RELU, ACT_SIGMOID, ACT_COUNT } ActKind;

typedef struct {
    ActKind act;
    float alpha, beta;      /* Clip: min, max; LeakyRelu: alpha */
    int64_t pool_k, pool_s; /* Conv: a fused max pool, k x k stride s, no padding (0: none) */
    bool softmax;           /* Gemm: softmax over each row of the result */
    bool mean_input;        /* Gemm: A is [N,C,H,W] and the layer reads its mean over H, W */
} Epilogue;

typedef struct {
    OpKind op;
    const char *name;       /* ONNX node name, or "<op>_<index>" when empty */
    uint32_t n_in, n_out;
    uint32_t *in;           /* value ids; VGGC_NONE for an omitted optional input */
    uint32_t *out;
    Attr attr;
    Epilogue epi;           /* fused work, see above */
    Layout in_layout;       /* layout of input 0 as this layer reads it */
    Layout out_layout;      /* layout of output 0 (also set on the value) */
} Node;

/* Input or output i of n; VGGC_NONE where it has none (an optional one
 * left out, or past its count). */
static inline uint32_t node_in(const Node *n, uint32_t i) { return i < n->n_in ? n->in[i] : VGGC_NONE; }
static inline uint32_t node_out(const Node *n, uint32_t i)
{
    return i < n->n_out ? n->out[i] : VGGC_NONE;
}

const char *act_name(ActKind a);        /* "relu", ... ; "" for none */
const char *layout_name(Layout l);      /* "plain", "nhwc", "blocked" */
const char *pad_mode_name(PadMode m);   /* "constant", "reflect", "edge", "wrap" */
const char *resize_mode_name(ResizeMode m);     /* ONNX's words: "nearest", ... */
const char *resize_coord_name(ResizeCoord m);   /* "half_pixel", ... */
const char *nearest_mode_name(NearestMode m);   /* "round_prefer_floor", ... */

/* ---- the graph ---------------------------------------------------------- */

typedef struct {
    Arena arena;
    const char *path;       /* the model file, for diagnostics */
    const char *name;       /* graph name */
    int64_t opset;          /* default-domain opset version */
    const char *producer;   /* producer_name, for inspect */

    Value *values;
    uint32_t n_values, cap_values;
    Node *nodes;
    uint32_t n_nodes, cap_nodes;

    uint32_t *inputs;       /* run-time inputs, in the model's order */
    uint32_t n_inputs;
    uint32_t *outputs;
    uint32_t n_outputs;

    int n_errors;           /* diagnostics reported against this graph */
    int block;              /* channels per block of the blocked layout (NCHW<block>c): the
                               target's vector width, 8 or 16; 0 until set: 16 */
    int64_t batch_hint;     /* the batch a symbolic N is expected to run at, which the
                               kernels are chosen for (any batch still runs); 0: unknown,
                               taken as 1 */
} Graph;

/* The graph's block (graph_block: 16 when unset). */
static inline int graph_block(const Graph *g) { return g->block ? g->block : 16; }

Graph *graph_new(const char *path);
void graph_free(Graph *g);

uint32_t graph_add_value(Graph *g, const char *name, ValueKind kind, DType dt);
/* A constant; takes a copy of data (nbytes must match dtype and shape). */
uint32_t graph_add_const(Graph *g, const char *name, DType dt, const Shape *s,
                         const void *data, size_t nbytes);
uint32_t graph_add_node(Graph *g, OpKind op, const char *name,
                        uint32_t n_in, const uint32_t *in,
                        uint32_t n_out, const uint32_t *out);
/* As graph_add_node, but the node goes at index `at` (<= n_nodes): nodes
 * from `at` on move up one and their producers follow, so that a pass can
 * keep the topological order.  Node pointers taken before are stale. */
uint32_t graph_insert_node(Graph *g, uint32_t at, OpKind op, const char *name,
                           uint32_t n_in, const uint32_t *in,
                           uint32_t n_out, const uint32_t *out);
uint32_t graph_find_value(const Graph *g, const char *name);   /* VGGC_NONE if absent */
void graph_add_input(Graph *g, uint32_t v);
void graph_add_output(Graph *g, uint32_t v);

/* Replace every use of `from` (node inputs, graph outputs) by `to`. */
void graph_replace_uses(Graph *g, uint32_t from, uint32_t to);
/* Number of live node inputs and graph outputs that read v. */
uint32_t graph_count_uses(const Graph *g, uint32_t v);
/* Drop dead nodes and values no one reads or writes; renumbers ids.  A
 * dropped constant's data goes back to the system (arena_release): no two
 * values share data. */
void graph_compact(Graph *g);

static inline Value *val(Graph *g, uint32_t id) { return &g->values[id]; }
static inline const Value *cval(const Graph *g, uint32_t id) { return &g->values[id]; }
static inline bool is_const(const Graph *g, uint32_t id)
{
    return id != VGGC_NONE && g->values[id].kind == VAL_CONST;
}

/* Reports "vggc: error: PATH: node 'NAME' (Op): ..." and counts it. */
void graph_error(Graph *g, const Node *n, const char *fmt, ...) VGGC_PRINTF(3, 4);
void graph_verror(Graph *g, const Node *n, const char *fmt, va_list ap);

/* ---- shape.c: shape inference -------------------------------------------- */

/* Infers dtype and shape of every node output in order, resolving auto_pad.
 * Reports each problem with graph_error(); returns false if any. */
bool graph_infer_shapes(Graph *g);
bool node_infer_shape(Graph *g, Node *n);
/* Output i of an inferred Split n as a slice of its input (vggrt_slice):
 * per dim the first index (on the axis, the sizes of the parts before it)
 * and the step, 1. */
void split_part(const Graph *g, const Node *n, uint32_t i, int64_t *start, int64_t *step);

/* ---- verify.c ------------------------------------------------------------ */

/* Checks the graph's invariants (ids in range, single producer, topological
 * order, shapes known, batch only leading).  `after` names the pass for
 * the message.  Returns false and reports on failure. */
bool graph_verify(Graph *g, const char *after);

/* ---- print.c: the stable text form ---------------------------------------- */

#include <stdio.h>
void graph_print(const Graph *g, FILE *f);

/* ---- parse.c: reading the text form back ----------------------------------- */

/* Parses the text graph_print() writes (grammar in docs/ir.md).  Returns a
 * new graph, or NULL after reporting "PATH:LINE:COL: ..." on stderr.
 * path_for_messages names the text in messages and becomes g->path. */
Graph *graph_parse(const char *text, const char *path_for_messages);

#endif
