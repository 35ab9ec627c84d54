/* emit_llvm.c — the LLVM backend: a plan in, an optimized module out.
 *
 * The module starts as the embedded bitcode of the runtime kernels and of
 * support.c (DESIGN.md §2).  For every layer of the plan we add a function
 * layer_<i>_<Op>(n, A, W, in) that calls the layer's kernel exactly as the
 * C backend's layer_<i> does (emit_c.c: emit_body), with every size but the
 * batch n a constant and the conv/pool parameter structs as constant
 * globals.  vggc_run(n, A, W, in, out) calls the layers in order and copies
 * the outputs, like the C backend's NAME_run_multi.  For an object file the
 * API of NAME.h is added on top (NAME_open, NAME_run_multi, ...), through
 * support.c.
 *
 * Then every function but the API becomes internal, every function gets the
 * target's cpu / features (the host, or --target) and
 * prefer-vector-width=512, kernel calls are marked alwaysinline (their
 * features are the caller's, so this is safe: TOOLCHAIN.md), and
 * default<O3> specializes the simple kernels for their layer.  The kernels
 * that run on the thread pool (the convolutions, the blocked reorders and
 * pools, the dense layers: pooled_kernels) are called in libvggrt instead:
 * their tasks read the layer's parameters through a pointer, so they would
 * not specialize, and compiling them took most of a cold start.
 * Layer functions stay noinline so that the IR reads per layer.
 *
 * Both backends emit from the same plan and must agree within ~1e-5: keep
 * each op's arguments here in step with emit_c.c.
 */
#include "emit_llvm.h"
#include "target.h"
#include "vggrt.h"

#include <llvm-c/Analysis.h>
#include <llvm-c/BitReader.h>
#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/ErrorHandling.h>
#include <llvm-c/Linker.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern const unsigned char vggc_jit_bitcode[];
extern const unsigned long vggc_jit_bitcode_size;

/* ---- the module under construction ------------------------------------------- */

typedef struct {
    LLVMContextRef cx;
    LLVMModuleRef m;
    LLVMBuilderRef b;
    const Plan *p;
    Graph *g;
    LLVMTypeRef i8, i32, i64, f32, ptr;
    LLVMValueRef n, A, W, in;   /* the current layer function's parameters */
    bool const_table;           /* W: a table of pointers, one per constant (JIT) */
    unsigned inline_kind;       /* attribute kind of alwaysinline */
} L;

static LLVMValueRef k64(L *l, int64_t v) { return LLVMConstInt(l->i64, (unsigned long long)v, 1); }
static LLVMValueRef k32(L *l, int v) { return LLVMConstInt(l->i32, (unsigned long long)(int64_t)v, 1); }
static LLVMValueRef kf(L *l, float v) { return LLVMConstReal(l->f32, (double)v); }

static const Shape *shp(L *l, uint32_t v) { return &l->g->values[v].shape; }

static LLVMValueRef size_val(L *l, Size z)
{
    if (!z.batched)
        return k64(l, z.k);
    if (z.k == 1)
        return l->n;
    return LLVMBuildMul(l->b, l->n, k64(l, z.k), "");
}

static LLVMValueRef dim_val(L *l, int64_t d) { return d == VGGC_DIM_N ? l->n : k64(l, d); }

static LLVMValueRef count_val(L *l, uint32_t v)
{
    const Shape *s = shp(l, v);
    return size_val(l, size_of_dims(s, 0, s->rank));
}

static LLVMValueRef lead_val(L *l, uint32_t v) { return dim_val(l, shp(l, v)->d[0]); }

static LLVMValueRef byte_gep(L *l, LLVMValueRef base, LLVMValueRef off)
{
    return LLVMBuildInBoundsGEP2(l->b, l->i8, base, &off, 1, "");
}

/* Pointer to value v's first element (emit_c.c: put_ptr). */
static LLVMValueRef ptr_of(L *l, uint32_t v)
{
    const Storage *s = &l->p->store[v];
    switch (s->kind) {
    case STORE_INPUT: {
        LLVMValueRef idx = k64(l, s->index);
        LLVMValueRef slot = LLVMBuildInBoundsGEP2(l->b, l->ptr, l->in, &idx, 1, "");
        return LLVMBuildLoad2(l->b, l->ptr, slot, "input");
    }
    case STORE_CONST:
        if (l->const_table) {
            LLVMValueRef idx = k64(l, s->index);
            LLVMValueRef slot = LLVMBuildInBoundsGEP2(l->b, l->ptr, l->W, &idx, 1, "");
            return LLVMBuildLoad2(l->b, l->ptr, slot, "const");
        }
        return byte_gep(l, l->W, k64(l, (int64_t)s->offset));
    case STORE_STATIC:
        return byte_gep(l, l->A, k64(l, (int64_t)s->offset));
    case STORE_BATCH: {
        LLVMValueRef off = LLVMBuildMul(l->b, l->n, k64(l, (int64_t)s->offset), "");
        off = LLVMBuildAdd(l->b, off, k64(l, (int64_t)l->p->static_bytes), "");
        return byte_gep(l, l->A, off);
    }
    case STORE_NONE:
        break;
    }
    VGGC_UNREACHABLE();
}

static LLVMValueRef private_const(L *l, LLVMValueRef init, const char *name)
{
    LLVMValueRef gv = LLVMAddGlobal(l->m, LLVMTypeOf(init), name);
    LLVMSetInitializer(gv, init);
    LLVMSetGlobalConstant(gv, 1);
    LLVMSetLinkage(gv, LLVMPrivateLinkage);
    LLVMSetUnnamedAddress(gv, LLVMGlobalUnnamedAddr);
    return gv;
}

/* A constant int64 array (emit_c.c: put_i64s; {0} when empty). */
static LLVMValueRef const_i64s(L *l, const int64_t *v, int count)
{
    LLVMValueRef e[VGGC_MAX_RANK * 2];
    VGGC_ASSERT(count <= VGGC_MAX_RANK * 2);
    for (int i = 0; i < count; i++)
        e[i] = k64(l, v[i]);
    if (count == 0)
        e[count++] = k64(l, 0);
    return private_const(l, LLVMConstArray2(l->i64, e, (uint64_t)count), "ints");
}

/* An int64 array that may hold the batch: a constant when it does not,
 * else a stack array filled at run time. */
static LLVMValueRef dims_arr(L *l, const int64_t *d, int count)
{
    bool batched = false;
    for (int i = 0; i < count; i++)
        batched |= d[i] == VGGC_DIM_N;
    if (!batched)
        return const_i64s(l, d, count);
    LLVMTypeRef t = LLVMArrayType2(l->i64, (uint64_t)count);
    LLVMValueRef a = LLVMBuildAlloca(l->b, t, "dims");
    for (int i = 0; i < count; i++) {
        LLVMValueRef idx[2] = {k64(l, 0), k64(l, i)};
        LLVMBuildStore(l->b, dim_val(l, d[i]), LLVMBuildInBoundsGEP2(l->b, t, a, idx, 2, ""));
    }
    return a;
}

/* emit_c.c: put_dims ({1} for a scalar). */
static LLVMValueRef shape_arr(L *l, const Shape *s)
{
    static const int64_t one = 1;
    return s->rank ? dims_arr(l, s->d, s->rank) : const_i64s(l, &one, 1);
}

/* Calls a function of the linked bitcode; integer arguments are converted
 * to the parameter's width (int, size_t, int64_t all arrive as needed). */
static LLVMValueRef call(L *l, const char *name, LLVMValueRef *args, unsigned na)
{
    LLVMValueRef f = LLVMGetNamedFunction(l->m, name);
    if (!f) {
        fprintf(stderr, "vggc: internal error: '%s' is not in the kernels' bitcode\n", name);
        VGGC_UNREACHABLE();
    }
    LLVMTypeRef ft = LLVMGlobalGetValueType(f);
    VGGC_ASSERT(LLVMCountParamTypes(ft) == na && na <= 16);
    LLVMTypeRef pt[16];
    LLVMGetParamTypes(ft, pt);
    for (unsigned i = 0; i < na; i++)
        if (LLVMGetTypeKind(pt[i]) == LLVMIntegerTypeKind && LLVMTypeOf(args[i]) != pt[i])
            args[i] = LLVMBuildIntCast2(l->b, args[i], pt[i], 1, "");
    LLVMValueRef c = LLVMBuildCall2(l->b, ft, f, args, na, "");
    if (!LLVMIsDeclaration(f))
        LLVMAddCallSiteAttribute(c, LLVMAttributeFunctionIndex,
                                 LLVMCreateEnumAttribute(l->cx, l->inline_kind, 0));
    return c;
}

#define CALL(l, name, ...) \
    call(l, name, (LLVMValueRef[]){__VA_ARGS__}, \
         sizeof((LLVMValueRef[]){__VA_ARGS__}) / sizeof(LLVMValueRef))

/* ---- one emitter per op (emit_c.c: emit_body) ------------------------------------ */

/* vggrt_conv_params as a constant struct value (the C layout). */
static LLVMValueRef conv_struct(L *l, const vggrt_conv_params *p)
{
    int64_t f[15] = {p->c, p->h, p->w, p->k, p->oh, p->ow, p->kh, p->kw, p->sh, p->sw,
                     p->pt, p->pl, p->dh, p->dw, p->group};
    LLVMValueRef e[16];
    for (int i = 0; i < 15; i++)
        e[i] = k64(l, f[i]);
    e[15] = k32(l, p->act);
    return LLVMConstStructInContext(l->cx, e, 16, 0);
}

/* vggrt_pool_params as a constant struct value (the C layout). */
static LLVMValueRef pool_struct(L *l, const vggrt_pool_params *p)
{
    int64_t f[15] = {p->c, p->h, p->w, p->oh, p->ow, p->kh, p->kw, p->sh, p->sw,
                     p->pt, p->pl, p->pb, p->pr, p->dh, p->dw};
    LLVMValueRef e[16];
    for (int i = 0; i < 15; i++)
        e[i] = k64(l, f[i]);
    e[15] = k32(l, p->count_include_pad);
    return LLVMConstStructInContext(l->cx, e, 16, 0);
}

/* The vggrt_dconv_params of a blocked conv, as a private constant. */
static LLVMValueRef dconv_params(L *l, const Node *n)
{
    vggrt_dconv_params d;
    plan_dconv_params(l->g, n, &d);
    LLVMValueRef e[9] = {conv_struct(l, &d.conv), k32(l, d.in_layout), kf(l, d.alpha),
                         kf(l, d.beta), k64(l, d.pool_k), k64(l, d.pool_s), k64(l, d.py),
                         k64(l, d.px), k32(l, d.block)};
    return private_const(l, LLVMConstStructInContext(l->cx, e, 9, 0), "dconv_params");
}

/* ptr_of, or NULL for VGGC_NONE (an optional input or output left out). */
static LLVMValueRef ptr_or_null(L *l, uint32_t v)
{
    return v == VGGC_NONE ? LLVMConstNull(l->ptr) : ptr_of(l, v);
}

/* A conv's bias, or NULL. */
static LLVMValueRef bias_ptr(L *l, const Node *n) { return ptr_or_null(l, node_in(n, 2)); }

/* A blocked conv: vggrt_dconv2d (or vggrt_wino_conv2d, when assign-layout
 * packed its weights for Winograd) with its vggrt_dconv_params; or a
 * chain's Winograd conv, vggrt_chain_conv2d, its first conv's time going
 * to that conv's row of a profile; or nothing for that first conv
 * (emit_c.c: emit_conv_body).  Returns the layer's status (the call's:
 * Winograd and the chain can lack memory for their scratch). */
static LLVMValueRef emit_dconv(L *l, const Node *n)
{
    const Node *first = plan_chain_producer(l->g, n);
    if (plan_chain_consumer(l->g, n))
        return k32(l, 0);
    if (first) {
        LLVMTypeRef dt = LLVMDoubleTypeInContext(l->cx);
        LLVMValueRef ms = LLVMBuildAlloca(l->b, dt, "first_ms");
        LLVMValueRef rc =
            CALL(l, plan_conv_wrow(l->g, first) ? "vggrt_chain_wrow_conv2d" : "vggrt_chain_conv2d",
                 dconv_params(l, first), ptr_of(l, first->in[1]),
                 bias_ptr(l, first), dconv_params(l, n), ptr_of(l, n->in[1]), bias_ptr(l, n),
                 lead_val(l, first->in[0]), ptr_of(l, first->in[0]), ptr_of(l, n->out[0]), ms);
        if (!LLVMGetNamedFunction(l->m, "vggrt_layer_part")) /* profile.c: not in the bitcode */
            LLVMAddFunction(l->m, "vggrt_layer_part",
                            LLVMFunctionType(LLVMVoidTypeInContext(l->cx),
                                             (LLVMTypeRef[]){l->i32, dt}, 2, 0));
        CALL(l, "vggrt_layer_part", k32(l, (int32_t)plan_layer_index(l->p, first)),
             LLVMBuildLoad2(l->b, dt, ms, ""));
        return rc;
    }
    return CALL(l, plan_conv_winograd(l->g, n) ? "vggrt_wino_conv2d"
                   : plan_conv_wrow(l->g, n)   ? "vggrt_wrow_conv2d"
                                               : "vggrt_dconv2d",
                dconv_params(l, n), lead_val(l, n->in[0]), ptr_of(l, n->in[0]),
                ptr_of(l, n->in[1]), bias_ptr(l, n), ptr_of(l, n->out[0]), l->A);
}

/* A 3-D Conv: vggrt_conv3d with its activation as arguments; or a
 * ConvTranspose of any rank: vggrt_conv_transpose (emit_c.c: emit_conv3d,
 * emit_conv_body, emit_body). */
static void emit_conv3d(L *l, const Node *n)
{
    vggrt_conv3d_params d;
    const bool transpose = n->op == OP_CONV_TRANSPOSE;
    if (transpose)
        plan_conv_transpose_params(l->g, n, &d);
    else
        plan_conv3d_params(l->g, n, &d);
    d.hw.act = VGGRT_ACT_NONE;
    LLVMValueRef e[7] = {conv_struct(l, &d.hw), k64(l, d.d), k64(l, d.od), k64(l, d.kd),
                         k64(l, d.sd), k64(l, d.pfront), k64(l, d.dd)};
    LLVMValueRef params = private_const(l, LLVMConstStructInContext(l->cx, e, 7, 0), "conv3d_params");
    LLVMValueRef bias = bias_ptr(l, n);
    if (transpose)
        CALL(l, "vggrt_conv_transpose", params, lead_val(l, n->in[0]), ptr_of(l, n->in[0]),
             ptr_of(l, n->in[1]), bias, ptr_of(l, n->out[0]), l->A);
    else
        CALL(l, "vggrt_conv3d", params, k32(l, plan_act_code(n->epi.act)), kf(l, n->epi.alpha),
             kf(l, n->epi.beta), lead_val(l, n->in[0]), ptr_of(l, n->in[0]),
             ptr_of(l, n->in[1]), bias, ptr_of(l, n->out[0]), l->A);
}

/* A Conv with its epilogue (emit_c.c: emit_conv, emit_conv_body); returns
 * the layer's status. */
static LLVMValueRef emit_conv(L *l, const Node *n)
{
    if (n->out_layout == LAYOUT_BLOCKED)
        return emit_dconv(l, n);
    if (n->attr.win.nsp == 3) {
        emit_conv3d(l, n);
        return k32(l, 0);
    }
    vggrt_conv_params p;
    plan_conv_params(l->g, n, &p);
    LLVMValueRef params = private_const(l, conv_struct(l, &p), "conv_params");
    LLVMValueRef bias = bias_ptr(l, n);
    if (n->epi.act == ACT_NONE && !n->epi.pool_k) {
        CALL(l, "vggrt_conv2d", params, lead_val(l, n->in[0]), ptr_of(l, n->in[0]),
             ptr_of(l, n->in[1]), bias, ptr_of(l, n->out[0]), l->A);
        return k32(l, 0);
    }
    vggrt_pool_params pp;
    LLVMValueRef pool = LLVMConstNull(l->ptr);
    if (plan_conv_pool_params(l->g, n, &pp))
        pool = private_const(l, pool_struct(l, &pp), "conv_pool_params");
    CALL(l, "vggrt_conv2d_fused", params, k32(l, plan_act_code(n->epi.act)), kf(l, n->epi.alpha),
         kf(l, n->epi.beta), pool, lead_val(l, n->in[0]), ptr_of(l, n->in[0]),
         ptr_of(l, n->in[1]), bias, ptr_of(l, n->out[0]), l->A);
    return k32(l, 0);
}

/* A 3-D MaxPool/AveragePool (emit_c.c: put_pool_struct, emit_body). */
static void emit_pool3d(L *l, const Node *n)
{
    vggrt_pool3d_params d;
    plan_pool_params(l->g, n, &d);
    LLVMValueRef e[8] = {pool_struct(l, &d.hw), k64(l, d.d), k64(l, d.od), k64(l, d.kd),
                         k64(l, d.sd), k64(l, d.pfront), k64(l, d.pback), k64(l, d.dd)};
    LLVMValueRef params = private_const(l, LLVMConstStructInContext(l->cx, e, 8, 0), "pool3d_params");
    if (n->op == OP_MAXPOOL && n->n_out > 1 && n->out[1] != VGGC_NONE) {
        CALL(l, "vggrt_maxpool3d_indices", params, k32(l, n->attr.win.storage_order ? 1 : 0),
             lead_val(l, n->in[0]), ptr_of(l, n->in[0]), ptr_of(l, n->out[0]),
             ptr_of(l, n->out[1]));
        return;
    }
    DType t = l->g->values[n->out[0]].dtype;
    if (t != DT_FLOAT)
        CALL(l, "vggrt_maxpool3d_int", k32(l, rt_dtype(t)), params, lead_val(l, n->in[0]),
             ptr_of(l, n->in[0]), ptr_of(l, n->out[0]));
    else
        CALL(l, n->op == OP_MAXPOOL ? "vggrt_maxpool3d" : "vggrt_avgpool3d", params,
             lead_val(l, n->in[0]), ptr_of(l, n->in[0]), ptr_of(l, n->out[0]));
}

static void emit_pool(L *l, const Node *n)
{
    if (n->attr.win.nsp == 3) {
        emit_pool3d(l, n);
        return;
    }
    vggrt_pool3d_params d;
    plan_pool_params(l->g, n, &d);
    LLVMValueRef params = private_const(l, pool_struct(l, &d.hw), "pool_params");
    bool blocked = n->in_layout == LAYOUT_BLOCKED;
    if (n->op == OP_MAXPOOL && n->n_out > 1 && n->out[1] != VGGC_NONE) {
        /* with Indices: plain layout only (emit_c.c: emit_body) */
        CALL(l, "vggrt_maxpool2d_indices", params, k32(l, n->attr.win.storage_order ? 1 : 0),
             lead_val(l, n->in[0]), ptr_of(l, n->in[0]), ptr_of(l, n->out[0]),
             ptr_of(l, n->out[1]));
        return;
    }
    DType t = l->g->values[n->out[0]].dtype;
    if (t != DT_FLOAT)      /* an integer MaxPool, plain (emit_c.c: emit_body) */
        CALL(l, "vggrt_maxpool2d_int", k32(l, rt_dtype(t)), params, lead_val(l, n->in[0]),
             ptr_of(l, n->in[0]), ptr_of(l, n->out[0]));
    else if (blocked)
        CALL(l, n->op == OP_MAXPOOL ? "vggrt_maxpool2d_blocked" : "vggrt_avgpool2d_blocked",
             k32(l, graph_block(l->g)), params, lead_val(l, n->in[0]), ptr_of(l, n->in[0]),
             ptr_of(l, n->out[0]));
    else
        CALL(l, n->op == OP_MAXPOOL ? "vggrt_maxpool2d" : "vggrt_avgpool2d", params,
             lead_val(l, n->in[0]), ptr_of(l, n->in[0]), ptr_of(l, n->out[0]));
}

static void emit_unary(L *l, const Node *n)
{
    PlanUnary u;
    VGGC_ASSERT(plan_unary(n, &u));
    CALL(l, "vggrt_unary_f32", k32(l, u.op), count_val(l, n->out[0]), ptr_of(l, n->in[0]),
         ptr_of(l, n->out[0]), kf(l, u.p0), kf(l, u.p1));
}

/* Clip: a bound given as an input is loaded when the layer runs
 * (emit_c.c: emit_clip). */
static void emit_clip(L *l, const Node *n)
{
    DType t = l->g->values[n->out[0]].dtype;
    if (t != DT_FLOAT) {
        /* integers: the generic kernel, a run-time bound by pointer */
        LLVMTypeRef f64 = LLVMDoubleTypeInContext(l->cx);
        LLVMValueRef ptr[2];
        for (uint32_t i = 1; i <= 2; i++)
            ptr[i - 1] = ptr_or_null(l, node_in(n, i));
        CALL(l, "vggrt_clip", k32(l, rt_dtype(t)), count_val(l, n->out[0]), ptr_of(l, n->in[0]),
             ptr_of(l, n->out[0]), ptr[0], ptr[1], LLVMConstReal(f64, n->attr.clip.min),
             LLVMConstReal(f64, n->attr.clip.max));
        return;
    }
    LLVMValueRef bound[2];
    for (uint32_t i = 1; i <= 2; i++)
        bound[i - 1] = i < n->n_in && n->in[i] != VGGC_NONE
                     ? LLVMBuildLoad2(l->b, l->f32, ptr_of(l, n->in[i]), "bound")
                     : kf(l, i == 1 ? n->attr.clip.min : n->attr.clip.max);
    CALL(l, "vggrt_unary_f32", k32(l, VGGRT_CLIP), count_val(l, n->out[0]), ptr_of(l, n->in[0]),
         ptr_of(l, n->out[0]), bound[0], bound[1]);
}

/* y = a OP b with broadcasting; a may be y itself (emit_c.c: emit_binary_call). */
static void emit_binary_call(L *l, int op, uint32_t a, uint32_t b, uint32_t y_id)
{
    const Shape *y = shp(l, y_id);
    int64_t as[VGGC_MAX_RANK] = {0}, bs[VGGC_MAX_RANK] = {0};
    shape_broadcast_strides(shp(l, a), y, as);
    shape_broadcast_strides(shp(l, b), y, bs);
    DType t = l->g->values[y_id].dtype;
    bool f = t == DT_FLOAT;
    int rank = y->rank ? y->rank : 1;
    if (f || t == DT_INT64)
        CALL(l, f ? "vggrt_binary_f32" : "vggrt_binary_i64", k32(l, op), k32(l, rank),
             shape_arr(l, y), const_i64s(l, as, rank), const_i64s(l, bs, rank), ptr_of(l, a),
             ptr_of(l, b), ptr_of(l, y_id));
    else    /* the other types through the generic entry point */
        CALL(l, "vggrt_binary", k32(l, rt_dtype(t)), k32(l, op), k32(l, rank), shape_arr(l, y),
             const_i64s(l, as, rank), const_i64s(l, bs, rank), ptr_of(l, a), ptr_of(l, b),
             ptr_of(l, y_id));
}

static void emit_binary(L *l, const Node *n)
{
    int op = n->op == OP_ADD ? VGGRT_ADD : n->op == OP_SUB ? VGGRT_SUB
           : n->op == OP_MUL ? VGGRT_MUL : n->op == OP_DIV ? VGGRT_DIV
           : n->op == OP_MOD ? (n->attr.mod.fmod ? VGGRT_FMOD : VGGRT_MOD) : VGGRT_PRELU;
    emit_binary_call(l, op, n->in[0], n->in[1], n->out[0]);
}

/* y = x ^ e with broadcasting (emit_c.c: emit_pow). */
static void emit_pow(L *l, const Node *n)
{
    const Shape *y = shp(l, n->out[0]);
    int64_t xs[VGGC_MAX_RANK] = {0}, es[VGGC_MAX_RANK] = {0};
    shape_broadcast_strides(shp(l, n->in[0]), y, xs);
    shape_broadcast_strides(shp(l, n->in[1]), y, es);
    int rank = y->rank ? y->rank : 1;
    CALL(l, "vggrt_pow", k32(l, rt_dtype(l->g->values[n->in[0]].dtype)),
         k32(l, rt_dtype(l->g->values[n->in[1]].dtype)), k32(l, rank), shape_arr(l, y),
         const_i64s(l, xs, rank), const_i64s(l, es, rank), ptr_of(l, n->in[0]),
         ptr_of(l, n->in[1]), ptr_of(l, n->out[0]));
}

static void emit_reduce(L *l, const Node *n, int op, unsigned mask)
{
    const Shape *x = shp(l, n->in[0]);
    CALL(l, "vggrt_reduce_f32", k32(l, op), k32(l, x->rank ? x->rank : 1), shape_arr(l, x),
         k32(l, (int)mask), ptr_of(l, n->in[0]), ptr_of(l, n->out[0]));
}

/* Gemm with its epilogue (emit_c.c: emit_gemm). */
static void emit_gemm(L *l, const Node *n)
{
    const GemmAttr *a = &n->attr.gemm;
    const Shape *A = shp(l, n->in[0]), *B = shp(l, n->in[1]), *Y = shp(l, n->out[0]);
    int64_t crs, ccs, K = a->trans_a ? A->d[0] : A->d[1], lda = A->d[1];
    plan_gemm_c_strides(l->g, n, &crs, &ccs);
    LLVMValueRef in = ptr_of(l, n->in[0]);
    if (n->epi.mean_input) {
        LLVMValueRef off = LLVMBuildMul(l->b, l->n, k64(l, (int64_t)l->p->batch_scratch_offset), "");
        off = LLVMBuildAdd(l->b, off, k64(l, (int64_t)l->p->static_bytes), "");
        LLVMValueRef pooled = byte_gep(l, l->A, off);
        if (n->in_layout == LAYOUT_BLOCKED)
            CALL(l, "vggrt_global_pool_blocked", k32(l, graph_block(l->g)), k32(l, 0),
                 dim_val(l, A->d[0]), k64(l, A->d[1]), k64(l, A->d[2] * A->d[3]), in, pooled);
        else
            CALL(l, "vggrt_reduce_f32", k32(l, VGGRT_REDUCE_MEAN), k32(l, 4), shape_arr(l, A),
                 k32(l, 0xc), in, pooled);
        in = pooled;
        K = lda = A->d[1];
    }
    LLVMValueRef y = ptr_of(l, n->out[0]);
    LLVMValueRef c = ptr_or_null(l, node_in(n, 2));
    if (plan_gemm_packed(l->g, n))
        CALL(l, "vggrt_gemm_packed", dim_val(l, Y->d[0]), k64(l, Y->d[1]), k64(l, K),
             kf(l, a->alpha), in, k64(l, lda), ptr_of(l, n->in[1]), kf(l, a->beta), c,
             k64(l, crs), k64(l, ccs), y);
    else
        CALL(l, "vggrt_gemm", k32(l, a->trans_a), k32(l, a->trans_b), dim_val(l, Y->d[0]),
             k64(l, Y->d[1]), k64(l, K), kf(l, a->alpha), in, k64(l, lda), ptr_of(l, n->in[1]),
             k64(l, B->d[1]), kf(l, a->beta), c, k64(l, crs), k64(l, ccs), y);
    if (n->epi.act != ACT_NONE) {
        int op = n->epi.act == ACT_SIGMOID ? VGGRT_SIGMOID : n->epi.act == ACT_CLIP ? VGGRT_CLIP
               : n->epi.act == ACT_LEAKY_RELU ? VGGRT_LEAKY_RELU : VGGRT_RELU;
        CALL(l, "vggrt_unary_f32", k32(l, op), size_val(l, size_of_dims(Y, 0, 2)), y, y,
             kf(l, n->epi.alpha), kf(l, n->epi.beta));
    }
    if (n->epi.softmax)
        CALL(l, "vggrt_softmax", k32(l, 0), dim_val(l, Y->d[0]), k64(l, Y->d[1]), k64(l, 1), y, y);
}

static void emit_matmul(L *l, const Node *n)
{
    MatmulDims m;
    plan_matmul_dims(l->g, n, &m);
    const int br = m.batch_rank;
    CALL(l, "vggrt_matmul", k32(l, br), dims_arr(l, m.bd, br ? br : 1), const_i64s(l, m.as, br),
         const_i64s(l, m.bs, br), dim_val(l, m.M), k64(l, m.K), k64(l, m.N), ptr_of(l, n->in[0]),
         ptr_of(l, n->in[1]), ptr_of(l, n->out[0]));
}

static void emit_batchnorm(L *l, const Node *n)
{
    const Shape *x = shp(l, n->in[0]);
    int64_t C = x->d[1];
    LLVMValueRef s = l->A, t = byte_gep(l, l->A, k64(l, C * 4));
    CALL(l, "vggc__bn_factors", k64(l, C), ptr_of(l, n->in[1]), ptr_of(l, n->in[2]),
         ptr_of(l, n->in[3]), ptr_of(l, n->in[4]), kf(l, n->attr.bn.epsilon), s, t);
    CALL(l, "vggrt_channel_affine", lead_val(l, n->in[0]), k64(l, C),
         size_val(l, size_of_dims(x, 2, x->rank)), s, t, ptr_of(l, n->in[0]), ptr_of(l, n->out[0]));
}

static void emit_softmax(L *l, const Node *n)
{
    const Shape *x = shp(l, n->in[0]);
    int64_t axis = n->attr.softmax.axis < 0 ? n->attr.softmax.axis + x->rank : n->attr.softmax.axis;
    Size outer = size_of_dims(x, 0, (int)axis);
    Size len = n->attr.softmax.coerce_2d ? size_of_dims(x, (int)axis, x->rank)
                                         : size_of_dims(x, (int)axis, (int)axis + 1);
    Size inner = n->attr.softmax.coerce_2d ? (Size){false, 1}
                                           : size_of_dims(x, (int)axis + 1, x->rank);
    CALL(l, "vggrt_softmax", k32(l, n->op == OP_LOG_SOFTMAX), size_val(l, outer), size_val(l, len),
         size_val(l, inner), ptr_of(l, n->in[0]), ptr_of(l, n->out[0]));
}

/* LayerNormalization (emit_c.c: emit_layernorm). */
static void emit_layernorm(L *l, const Node *n)
{
    const Shape *x = shp(l, n->in[0]);
    const int a = (int)(n->attr.ln.axis < 0 ? n->attr.ln.axis + x->rank : n->attr.ln.axis);
    CALL(l, "vggrt_layernorm", size_val(l, size_of_dims(x, 0, a)),
         size_val(l, size_of_dims(x, a, x->rank)), kf(l, n->attr.ln.epsilon), ptr_of(l, n->in[0]),
         ptr_or_null(l, node_in(n, 1)), ptr_or_null(l, node_in(n, 2)), ptr_of(l, n->out[0]),
         ptr_or_null(l, node_out(n, 1)), ptr_or_null(l, node_out(n, 2)));
}

/* InstanceNormalization (emit_c.c: emit_instancenorm). */
static void emit_instancenorm(L *l, const Node *n)
{
    const Shape *x = shp(l, n->in[0]);
    CALL(l, "vggrt_instancenorm", lead_val(l, n->in[0]), k64(l, x->d[1]),
         size_val(l, size_of_dims(x, 2, x->rank)), kf(l, n->attr.bn.epsilon), ptr_of(l, n->in[0]),
         ptr_of(l, n->in[1]), ptr_of(l, n->in[2]), ptr_of(l, n->out[0]));
}

/* Resize (emit_c.c: emit_resize). */
static void emit_resize(L *l, const Node *n)
{
    const Shape *x = shp(l, n->in[0]);
    const ResizeAttr *a = &n->attr.resize;
    double axes[4 * VGGC_MAX_RANK];
    plan_resize_axes(l->g, n, axes);
    LLVMTypeRef f64 = LLVMDoubleTypeInContext(l->cx);
    LLVMValueRef e[4 * VGGC_MAX_RANK];
    for (int i = 0; i < 4 * x->rank; i++)
        e[i] = LLVMConstReal(f64, axes[i]);
    LLVMValueRef arr = private_const(l, LLVMConstArray2(f64, e, (uint64_t)(4 * x->rank)), "axes");
    CALL(l, "vggrt_resize", k32(l, x->rank), shape_arr(l, x), shape_arr(l, shp(l, n->out[0])),
         arr, k32(l, (int)a->mode), k32(l, (int)a->coord), k32(l, (int)a->nearest),
         k32(l, (int)a->exclude_outside), kf(l, a->cubic_a), kf(l, a->extrapolation),
         ptr_of(l, n->in[0]), ptr_of(l, n->out[0]));
}

/* vggrt_slice from value x into value y (emit_c.c: emit_slice_call). */
static void emit_slice_call(L *l, uint32_t x_id, uint32_t y_id, const int64_t *start,
                            const int64_t *step)
{
    const Shape *x = shp(l, x_id);
    int rank = x->rank ? x->rank : 1;
    CALL(l, "vggrt_slice", k32(l, x->rank), shape_arr(l, x), const_i64s(l, start, rank),
         const_i64s(l, step, rank), shape_arr(l, shp(l, y_id)),
         k64(l, (int64_t)dtype_size(l->g->values[x_id].dtype)), ptr_of(l, x_id), ptr_of(l, y_id));
}

/* Slice (emit_c.c: emit_slice). */
static void emit_slice(L *l, const Node *n)
{
    int64_t start[VGGC_MAX_RANK], step[VGGC_MAX_RANK];
    Shape o;
    slice_window(&n->attr.slice, shp(l, n->in[0]), start, step, &o);
    emit_slice_call(l, n->in[0], n->out[0], start, step);
}

/* Split (emit_c.c: emit_split). */
static void emit_split(L *l, const Node *n)
{
    for (uint32_t i = 0; i < n->n_out; i++) {
        if (n->out[i] == VGGC_NONE)
            continue;
        int64_t start[VGGC_MAX_RANK], step[VGGC_MAX_RANK];
        split_part(l->g, n, i, start, step);
        emit_slice_call(l, n->in[0], n->out[i], start, step);
    }
}

/* ArgMax, ArgMin (emit_c.c: emit_arg). */
static void emit_arg(L *l, const Node *n)
{
    const Shape *x = shp(l, n->in[0]);
    int axis = (int)n->attr.arg.axis;
    CALL(l, "vggrt_arg_f32", k32(l, n->op == OP_ARGMIN), k32(l, n->attr.arg.select_last),
         size_val(l, size_of_dims(x, 0, axis)), k64(l, x->d[axis]),
         size_val(l, size_of_dims(x, axis + 1, x->rank)), ptr_of(l, n->in[0]),
         ptr_of(l, n->out[0]));
}

static void emit_transpose(L *l, const Node *n)
{
    const Shape *x = shp(l, n->in[0]);
    int64_t perm[VGGC_MAX_RANK];
    for (int i = 0; i < x->rank; i++)
        perm[i] = n->attr.perm.n_perm ? n->attr.perm.perm[i] : x->rank - 1 - i;
    CALL(l, "vggrt_transpose", k64(l, (int64_t)dtype_size(l->g->values[n->in[0]].dtype)),
         k32(l, x->rank ? x->rank : 1), shape_arr(l, x), const_i64s(l, perm, x->rank),
         ptr_of(l, n->in[0]), ptr_of(l, n->out[0]));
}

/* Returns the layer's status (non-zero: an index out of range). */
/* The indices (input 1) as int64, converted into the scratch when they are
 * int32 (emit_c.c: put_int64_indices). */
static LLVMValueRef int64_indices(L *l, const Node *n)
{
    if (l->g->values[n->in[1]].dtype != DT_INT32)
        return ptr_of(l, n->in[1]);
    CALL(l, "vggrt_cast", k32(l, VGGRT_I32), k32(l, VGGRT_I64), count_val(l, n->in[1]),
         ptr_of(l, n->in[1]), l->A);
    return l->A;
}

/* A status as the layer returns it: VGGRT_ERR_ARG when non-zero. */
static LLVMValueRef arg_status(L *l, LLVMValueRef rc)
{
    LLVMValueRef bad = LLVMBuildICmp(l->b, LLVMIntNE, rc, LLVMConstNull(LLVMTypeOf(rc)), "");
    return LLVMBuildSelect(l->b, bad, k32(l, VGGRT_ERR_ARG), k32(l, 0), "");
}

/* GatherElements (emit_c.c: emit_gather_elements). */
static LLVMValueRef emit_gather_elements(L *l, const Node *n)
{
    const Shape *x = shp(l, n->in[0]);
    int64_t axis = n->attr.axis < 0 ? n->attr.axis + x->rank : n->attr.axis;
    LLVMValueRef idx = int64_indices(l, n);
    return arg_status(l, CALL(l, "vggrt_gather_elements",
                              k64(l, (int64_t)dtype_size(l->g->values[n->in[0]].dtype)),
                              k32(l, x->rank), shape_arr(l, x), shape_arr(l, shp(l, n->in[1])),
                              k32(l, (int)axis), ptr_of(l, n->in[0]), idx,
                              ptr_of(l, n->out[0])));
}

static LLVMValueRef emit_gather(L *l, const Node *n)
{
    const Shape *x = shp(l, n->in[0]);
    int64_t axis = n->attr.axis < 0 ? n->attr.axis + x->rank : n->attr.axis;
    LLVMValueRef idx = int64_indices(l, n);
    LLVMValueRef rc = CALL(l, "vggrt_gather",
                           k64(l, (int64_t)dtype_size(l->g->values[n->in[0]].dtype)),
                           size_val(l, size_of_dims(x, 0, (int)axis)), k64(l, x->d[axis]),
                           size_val(l, size_of_dims(x, (int)axis + 1, x->rank)), ptr_of(l, n->in[0]),
                           idx, count_val(l, n->in[1]), ptr_of(l, n->out[0]));
    return arg_status(l, rc);
}

static void emit_concat(L *l, const Node *n)
{
    const Shape *y = shp(l, n->out[0]);
    int64_t axis = n->attr.axis < 0 ? n->attr.axis + y->rank : n->attr.axis;
    int64_t es = (int64_t)dtype_size(l->g->values[n->out[0]].dtype);
    Size inner = size_of_dims(y, (int)axis + 1, y->rank);
    int64_t dst_row = y->d[axis] * inner.k * es, col = 0;
    for (uint32_t i = 0; i < n->n_in; i++) {
        int64_t row = shp(l, n->in[i])->d[axis] * inner.k * es;
        CALL(l, "vggrt_copy2d", size_val(l, size_of_dims(y, 0, (int)axis)), k64(l, row),
             ptr_of(l, n->in[i]), k64(l, row), byte_gep(l, ptr_of(l, n->out[0]), k64(l, col)),
             k64(l, dst_row));
        col += row;
    }
}

static void emit_pad(L *l, const Node *n)
{
    const Shape *x = shp(l, n->in[0]), *y = shp(l, n->out[0]);
    /* Element-size generic (emit_c.c: emit_pad). */
    int64_t es = (int64_t)dtype_size(l->g->values[n->out[0]].dtype);
    if (n->attr.pad.mode != PAD_CONSTANT) {
        int mode = n->attr.pad.mode == PAD_REFLECT ? VGGRT_PAD_REFLECT
                 : n->attr.pad.mode == PAD_EDGE ? VGGRT_PAD_EDGE : VGGRT_PAD_WRAP;
        CALL(l, "vggrt_pad_mode", k32(l, mode), k32(l, x->rank ? x->rank : 1),
             shape_arr(l, x), const_i64s(l, n->attr.pad.pads, x->rank), shape_arr(l, y),
             k64(l, es), ptr_of(l, n->in[0]), ptr_of(l, n->out[0]));
        return;
    }
    CALL(l, "vggrt_pad", k32(l, x->rank ? x->rank : 1), shape_arr(l, x),
         const_i64s(l, n->attr.pad.pads, x->rank), shape_arr(l, y), k64(l, es),
         k64(l, (int64_t)plan_pad_value_bits(l->g, n)), ptr_of(l, n->in[0]),
         ptr_of(l, n->out[0]));
}

static void emit_copy(L *l, const Node *n)
{
    LLVMValueRef bytes = LLVMBuildMul(l->b, count_val(l, n->out[0]),
                                      k64(l, (int64_t)dtype_size(l->g->values[n->out[0]].dtype)), "");
    LLVMBuildMemCpy(l->b, ptr_of(l, n->out[0]), 1, ptr_of(l, n->in[0]), 1, bytes);
}

/* Sum: y = data_0 + data_1, then y += data_i in place; one input is a copy
 * (emit_c.c: emit_sum). */
/* Sum, Max, Min (emit_c.c: emit_variadic). */
static void emit_variadic(L *l, const Node *n)
{
    if (n->n_in == 1) {
        emit_copy(l, n);
        return;
    }
    int op = n->op == OP_MAX ? VGGRT_MAX : n->op == OP_MIN ? VGGRT_MIN : VGGRT_ADD;
    for (uint32_t i = 1; i < n->n_in; i++)
        emit_binary_call(l, op, i == 1 ? n->in[0] : n->out[0], n->in[i], n->out[0]);
}

/* The body of one layer function; returns its status value. */
static LLVMValueRef emit_body(L *l, const Node *n)
{
    switch (n->op) {
    case OP_CONV: return emit_conv(l, n);
    case OP_CONV_TRANSPOSE: emit_conv3d(l, n); return k32(l, 0);
    case OP_MAXPOOL: case OP_AVGPOOL: emit_pool(l, n); break;
    case OP_RELU: case OP_SIGMOID: case OP_LEAKY_RELU: case OP_TANH: case OP_HARD_SIGMOID:
    case OP_HARD_SWISH: case OP_ABS: case OP_NEG: case OP_EXP: case OP_LOG: case OP_SQRT:
    case OP_RECIPROCAL: case OP_CEIL: case OP_FLOOR: case OP_ROUND: case OP_SIGN: case OP_ERF:
    case OP_SIN: case OP_COS: case OP_ELU: case OP_SELU: case OP_SOFTPLUS: case OP_SOFTSIGN:
    case OP_THRESHOLDED_RELU:
        emit_unary(l, n);
        break;
    case OP_CLIP: emit_clip(l, n); break;
    case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV: case OP_PRELU: case OP_MOD:
        emit_binary(l, n);
        break;
    case OP_POW: emit_pow(l, n); break;
    case OP_SUM: case OP_MAX: case OP_MIN: emit_variadic(l, n); break;
    case OP_ARGMAX: case OP_ARGMIN: emit_arg(l, n); break;
    case OP_SLICE: emit_slice(l, n); break;
    case OP_SPLIT: emit_split(l, n); break;
    case OP_GLOBAL_AVGPOOL: case OP_GLOBAL_MAXPOOL: {
        if (n->in_layout == LAYOUT_BLOCKED) {
            const Shape *x = shp(l, n->in[0]);
            CALL(l, "vggrt_global_pool_blocked", k32(l, graph_block(l->g)),
                 k32(l, n->op == OP_GLOBAL_MAXPOOL), lead_val(l, n->in[0]), k64(l, x->d[1]),
                 size_val(l, size_of_dims(x, 2, x->rank)), ptr_of(l, n->in[0]),
                 ptr_of(l, n->out[0]));
            break;
        }
        unsigned mask = 0;
        for (int i = 2; i < shp(l, n->in[0])->rank; i++)
            mask |= 1u << i;
        const char *name;
        emit_reduce(l, n, plan_reduce_op(n->op, &name), mask);
        break;
    }
    case OP_REDUCE_MEAN: case OP_REDUCE_MAX: case OP_REDUCE_SUM: case OP_REDUCE_MIN:
    case OP_REDUCE_PROD: case OP_REDUCE_SUM_SQUARE: case OP_REDUCE_L1:
    case OP_REDUCE_L2: case OP_REDUCE_LOG_SUM: case OP_REDUCE_LOG_SUM_EXP: {
        const Shape *x = shp(l, n->in[0]);
        const AxesAttr *a = &n->attr.axes;
        unsigned mask = 0;
        for (int i = 0; i < a->n_axes; i++)
            mask |= 1u << (a->axes[i] < 0 ? a->axes[i] + x->rank : a->axes[i]);
        if (a->n_axes == 0 && a->noop_with_empty_axes) {
            emit_copy(l, n);
            break;
        }
        if (a->n_axes == 0)
            mask = (1u << x->rank) - 1;
        const char *name;
        emit_reduce(l, n, plan_reduce_op(n->op, &name), mask);
        break;
    }
    case OP_GEMM: emit_gemm(l, n); break;
    case OP_MATMUL: emit_matmul(l, n); break;
    case OP_BATCHNORM: emit_batchnorm(l, n); break;
    case OP_SOFTMAX: case OP_LOG_SOFTMAX: emit_softmax(l, n); break;
    case OP_LAYER_NORM: emit_layernorm(l, n); break;
    case OP_TRANSPOSE: emit_transpose(l, n); break;
    case OP_GATHER: return emit_gather(l, n);
    case OP_GATHER_ELEMENTS: return emit_gather_elements(l, n);
    case OP_CONCAT: emit_concat(l, n); break;
    case OP_PAD: emit_pad(l, n); break;
    case OP_RESIZE: emit_resize(l, n); break;
    case OP_INSTANCE_NORM: emit_instancenorm(l, n); break;
    case OP_CAST: {
        LLVMValueRef rc = CALL(l, "vggrt_cast", k32(l, rt_dtype(l->g->values[n->in[0]].dtype)),
                               k32(l, rt_dtype(l->g->values[n->out[0]].dtype)),
                               count_val(l, n->in[0]), ptr_of(l, n->in[0]), ptr_of(l, n->out[0]));
        /* Only text can fail (an element that is not a number; emit_c.c). */
        if (l->g->values[n->in[0]].dtype == DT_STRING ||
            l->g->values[n->out[0]].dtype == DT_STRING)
            return LLVMBuildIntCast2(l->b, rc, l->i32, 1, "");
        break;
    }
    case OP_LRN: {
        const Shape *x = shp(l, n->in[0]);
        if (n->in_layout == LAYOUT_BLOCKED)     /* assign-layout checked the size */
            CALL(l, "vggrt_lrn_blocked", k32(l, graph_block(l->g)), lead_val(l, n->in[0]),
                 k64(l, x->d[1]), size_val(l, size_of_dims(x, 2, x->rank)),
                 k64(l, n->attr.lrn.size), kf(l, n->attr.lrn.alpha), kf(l, n->attr.lrn.beta),
                 kf(l, n->attr.lrn.bias), ptr_of(l, n->in[0]), ptr_of(l, n->out[0]));
        else
            CALL(l, "vggrt_lrn", lead_val(l, n->in[0]), k64(l, x->d[1]),
                 size_val(l, size_of_dims(x, 2, x->rank)), k64(l, n->attr.lrn.size),
                 kf(l, n->attr.lrn.alpha), kf(l, n->attr.lrn.beta), kf(l, n->attr.lrn.bias),
                 ptr_of(l, n->in[0]), ptr_of(l, n->out[0]));
        break;
    }
    case OP_IDENTITY: emit_copy(l, n); break;
    case OP_DROPOUT:    /* a copy, and a mask of all true (emit_c.c) */
        emit_copy(l, n);
        if (n->n_out > 1 && n->out[1] != VGGC_NONE)
            LLVMBuildMemSet(l->b, ptr_of(l, n->out[1]), LLVMConstInt(l->i8, 1, 0),
                            count_val(l, n->out[1]), 1);
        break;
    case OP_RESHAPE: case OP_FLATTEN: case OP_SQUEEZE: case OP_UNSQUEEZE:
        if (n->in_layout == LAYOUT_BLOCKED) {   /* the reorder back to plain NCHW */
            const Shape *x = shp(l, n->in[0]);
            CALL(l, "vggrt_from_blocked", k32(l, graph_block(l->g)), lead_val(l, n->in[0]),
                 k64(l, x->d[1]),
                 k64(l, x->d[2] * x->d[3]), ptr_of(l, n->in[0]), ptr_of(l, n->out[0]));
        }
        break;  /* otherwise a view: no data moves */
    case OP_SHAPE: case OP_CONSTANT: case OP_CAST_LIKE: case OP_UPSAMPLE: case OP_CONSTANT_OF_SHAPE:
    case OP_SIZE:
    case OP_DEAD:
        VGGC_UNREACHABLE();
    }
    return k32(l, 0);
}

/* ---- functions --------------------------------------------------------------- */

static LLVMValueRef add_function(L *l, const char *name, LLVMTypeRef ret, LLVMTypeRef *params,
                                 unsigned np)
{
    LLVMValueRef f = LLVMAddFunction(l->m, name, LLVMFunctionType(ret, params, np, 0));
    LLVMPositionBuilderAtEnd(l->b, LLVMAppendBasicBlockInContext(l->cx, f, "entry"));
    return f;
}

static void add_attr(L *l, LLVMValueRef f, unsigned idx, const char *kind, uint64_t v)
{
    unsigned k = LLVMGetEnumAttributeKindForName(kind, strlen(kind));
    LLVMAddAttributeAtIndex(f, idx, LLVMCreateEnumAttribute(l->cx, k, v));
}

/* layer_<i>_<Op>(i64 n, ptr A, ptr W, ptr in) -> i32 */
static LLVMValueRef emit_layer(L *l, uint32_t i, const Node *n)
{
    char name[64];
    snprintf(name, sizeof name, "layer_%u_%s", i, op_name(n->op));
    LLVMTypeRef params[4] = {l->i64, l->ptr, l->ptr, l->ptr};
    LLVMValueRef f = add_function(l, name, l->i32, params, 4);
    LLVMSetLinkage(f, LLVMInternalLinkage);
    add_attr(l, f, LLVMAttributeFunctionIndex, "noinline", 0);
    add_attr(l, f, LLVMAttributeFunctionIndex, "nounwind", 0);
    add_attr(l, f, 2, "align", 64);    /* the arena */
    add_attr(l, f, 3, "align", l->const_table ? 8 : 64);    /* the weights (or their table) */
    l->n = LLVMGetParam(f, 0);
    l->A = LLVMGetParam(f, 1);
    l->W = LLVMGetParam(f, 2);
    l->in = LLVMGetParam(f, 3);
    LLVMSetValueName2(l->n, "n", 1);
    LLVMSetValueName2(l->A, "A", 1);
    LLVMSetValueName2(l->W, "W", 1);
    LLVMSetValueName2(l->in, "in", 2);
    LLVMBuildRet(l->b, emit_body(l, n));
    return f;
}

/* vggc_run(i64 n, ptr A, ptr W, ptr in, ptr out) -> i32: the layers in
 * order, stopping at the first non-zero status, then the outputs. */
static LLVMValueRef emit_entry(L *l, LLVMValueRef *layers)
{
    LLVMTypeRef params[5] = {l->i64, l->ptr, l->ptr, l->ptr, l->ptr};
    LLVMValueRef f = add_function(l, "vggc_run", l->i32, params, 5);
    add_attr(l, f, LLVMAttributeFunctionIndex, "nounwind", 0);
    l->n = LLVMGetParam(f, 0);
    l->A = LLVMGetParam(f, 1);
    l->W = LLVMGetParam(f, 2);
    l->in = LLVMGetParam(f, 3);
    LLVMValueRef out = LLVMGetParam(f, 4);
    LLVMBasicBlockRef fail = LLVMAppendBasicBlockInContext(l->cx, f, "fail");
    LLVMTypeRef lt = LLVMFunctionType(l->i32, params, 4, 0);
    uint32_t nl = l->p->n_layers;
    LLVMValueRef *rcs = calloc(nl + 1, sizeof *rcs);
    LLVMBasicBlockRef *from = calloc(nl + 1, sizeof *from);
    VGGC_ASSERT(rcs && from);
    /* vggrt_layer_done(i) after each layer (and -1 first): a no-op unless
     * a per-layer profile is active (runtime/profile.c). */
    LLVMTypeRef done_t = LLVMFunctionType(LLVMVoidTypeInContext(l->cx), &l->i32, 1, 0);
    LLVMValueRef done = LLVMGetNamedFunction(l->m, "vggrt_layer_done");
    if (!done)
        done = LLVMAddFunction(l->m, "vggrt_layer_done", done_t);
    LLVMBuildCall2(l->b, done_t, done, (LLVMValueRef[]){k32(l, -1)}, 1, "");
    for (uint32_t i = 0; i < nl; i++) {
        LLVMValueRef args[4] = {l->n, l->A, l->W, l->in};
        rcs[i] = LLVMBuildCall2(l->b, lt, layers[i], args, 4, "rc");
        from[i] = LLVMGetInsertBlock(l->b);
        LLVMBasicBlockRef next = LLVMAppendBasicBlockInContext(l->cx, f, "");
        LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntNE, rcs[i], k32(l, 0), ""), fail, next);
        LLVMPositionBuilderAtEnd(l->b, next);
        LLVMBuildCall2(l->b, done_t, done, (LLVMValueRef[]){k32(l, (int32_t)i)}, 1, "");
    }
    LLVMBasicBlockRef ok = LLVMGetInsertBlock(l->b);
    LLVMPositionBuilderAtEnd(l->b, fail);
    if (nl) {
        LLVMValueRef phi = LLVMBuildPhi(l->b, l->i32, "status");
        LLVMAddIncoming(phi, rcs, from, nl);
        LLVMBuildRet(l->b, phi);
    } else {
        LLVMBuildUnreachable(l->b);
    }
    free(rcs);
    free(from);
    LLVMPositionBuilderAtEnd(l->b, ok);
    for (uint32_t i = 0; i < l->g->n_outputs; i++) {
        uint32_t v = l->g->outputs[i];
        if (l->g->values[v].wrap)
            continue;       /* a sequence or optional: the caller passes its input on */
        LLVMValueRef idx = k64(l, i);
        LLVMValueRef dst = LLVMBuildLoad2(l->b, l->ptr,
                                          LLVMBuildInBoundsGEP2(l->b, l->ptr, out, &idx, 1, ""), "output");
        LLVMValueRef bytes = LLVMBuildMul(l->b, count_val(l, v),
                                          k64(l, (int64_t)dtype_size(l->g->values[v].dtype)), "");
        LLVMBuildMemCpy(l->b, dst, 1, ptr_of(l, v), 1, bytes);
    }
    LLVMBuildRet(l->b, k32(l, 0));
    return f;
}

/* ---- the API of NAME.h, for object files (emit_c.c: emit_source) ------------------ */

static LLVMValueRef const_string(L *l, const char *s, const char *name)
{
    return private_const(l, LLVMConstStringInContext(l->cx, s, (unsigned)strlen(s), 0), name);
}

/* NAME_input_info / NAME_output_info: {name, dtype, rank, dims[8], unread,
 * nwrap, wrap[4], source} each (emit_c.c: emit_c_header has the C struct). */
static void emit_tensor_info(L *l, const char *api, const char *what, const uint32_t *ids,
                             uint32_t count)
{
    LLVMTypeRef dims_t = LLVMArrayType2(l->i64, VGGRT_MAX_RANK);
    LLVMTypeRef wrap_t = LLVMArrayType2(l->i32, VGGRT_MAX_WRAP);
    LLVMTypeRef fields[8] = {l->ptr, l->i32, l->i32, dims_t, l->i32, l->i32, wrap_t, l->i32};
    LLVMTypeRef info_t = LLVMStructTypeInContext(l->cx, fields, 8, 0);
    uint32_t n = count ? count : 1;
    LLVMValueRef *rows = calloc(n, sizeof *rows);
    VGGC_ASSERT(rows);
    for (uint32_t i = 0; i < n; i++) {
        IoInfo r = {.source = -1};
        const char *name = "";
        if (count) {
            r = plan_io_info(l->g, ids[i], what[0] == 'o');
            name = c_identifier(&l->g->arena, l->g->values[ids[i]].name);
        }
        LLVMValueRef d[VGGRT_MAX_RANK], w[VGGRT_MAX_WRAP];
        for (int j = 0; j < VGGRT_MAX_RANK; j++)
            d[j] = k64(l, j < r.rank ? r.dims[j] : 0);
        for (int j = 0; j < VGGRT_MAX_WRAP; j++)
            w[j] = k32(l, r.wrap[j]);
        LLVMValueRef f[8] = {const_string(l, name, "tensor_name"), k32(l, r.dtype),
                             k32(l, r.rank), LLVMConstArray2(l->i64, d, VGGRT_MAX_RANK),
                             k32(l, r.unread), k32(l, r.nwrap),
                             LLVMConstArray2(l->i32, w, VGGRT_MAX_WRAP), k32(l, r.source)};
        rows[i] = LLVMConstNamedStruct(info_t, f, 8);
    }
    char name[256];
    snprintf(name, sizeof name, "%s_%s_info", api, what);
    LLVMValueRef init = LLVMConstArray2(info_t, rows, n);
    LLVMValueRef gv = LLVMAddGlobal(l->m, LLVMTypeOf(init), name);
    LLVMSetInitializer(gv, init);
    LLVMSetGlobalConstant(gv, 1);
    free(rows);
}

static void emit_api(L *l, const LlvmOptions *o, LLVMValueRef entry)
{
    const Plan *p = l->p;
    Graph *g = l->g;
    const char *N = o->name;
    char name[256];
    emit_tensor_info(l, N, "input", g->inputs, g->n_inputs);
    emit_tensor_info(l, N, "output", g->outputs, g->n_outputs);

    snprintf(name, sizeof name, "%s_open", N);
    LLVMValueRef f = add_function(l, name, l->ptr, (LLVMTypeRef[]){l->ptr, l->ptr}, 2);
    LLVMBuildRet(l->b, CALL(l, "vggc__open", LLVMGetParam(f, 0), LLVMGetParam(f, 1),
                            const_string(l, N, "model_name"), k64(l, (int64_t)p->weights_size),
                            k64(l, (int64_t)o->weights_checksum)));

    snprintf(name, sizeof name, "%s_close", N);
    f = add_function(l, name, LLVMVoidTypeInContext(l->cx), (LLVMTypeRef[]){l->ptr}, 1);
    CALL(l, "vggc__close", LLVMGetParam(f, 0));
    LLVMBuildRetVoid(l->b);

    bool batched = false;
    for (uint32_t i = 0; i < g->n_inputs; i++)
        batched |= shape_is_batched(&g->values[g->inputs[i]].shape);
    snprintf(name, sizeof name, "%s_run_multi", N);
    LLVMTypeRef multi_params[4] = {l->ptr, l->ptr, l->ptr, l->i64};
    LLVMValueRef multi = add_function(l, name, l->i32, multi_params, 4);
    LLVMBuildRet(l->b, CALL(l, "vggc__run_multi", LLVMGetParam(multi, 0), LLVMGetParam(multi, 1),
                            LLVMGetParam(multi, 2), LLVMGetParam(multi, 3), k32(l, batched),
                            k64(l, (int64_t)p->static_bytes), k64(l, (int64_t)p->batch_bytes), entry));

    if (plan_simple_api(g)) {
        snprintf(name, sizeof name, "%s_run", N);
        f = add_function(l, name, l->i32, multi_params, 4);
        LLVMValueRef in = LLVMBuildAlloca(l->b, l->ptr, "in");
        LLVMValueRef out = LLVMBuildAlloca(l->b, l->ptr, "out");
        LLVMBuildStore(l->b, LLVMGetParam(f, 1), in);
        LLVMBuildStore(l->b, LLVMGetParam(f, 2), out);
        LLVMValueRef args[4] = {LLVMGetParam(f, 0), in, out, LLVMGetParam(f, 3)};
        LLVMBuildRet(l->b, LLVMBuildCall2(l->b, LLVMGlobalGetValueType(multi), multi, args, 4, ""));
    }
}

/* ---- the module as a whole ------------------------------------------------------- */

static bool has_prefix(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

static void set_string_attr(L *l, LLVMValueRef f, const char *k, const char *v)
{
    LLVMRemoveStringAttributeAtIndex(f, LLVMAttributeFunctionIndex, k, (unsigned)strlen(k));
    if (v)
        LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                                LLVMCreateStringAttribute(l->cx, k, (unsigned)strlen(k), v,
                                                          (unsigned)strlen(v)));
}

/* Everything but the symbols we export becomes internal (exported: "vggc_run"
 * for the JIT, NAME_* for an object); every function is compiled for the
 * host. */
static void finish_module(L *l, const char *exported_prefix, const char *cpu, const char *features)
{
    for (LLVMValueRef f = LLVMGetFirstFunction(l->m); f; f = LLVMGetNextFunction(f)) {
        if (LLVMIsDeclaration(f))
            continue;
        size_t len;
        const char *name = LLVMGetValueName2(f, &len);
        if (!has_prefix(name, len, exported_prefix))
            LLVMSetLinkage(f, LLVMInternalLinkage);
        set_string_attr(l, f, "target-cpu", cpu);
        set_string_attr(l, f, "target-features", features);
        set_string_attr(l, f, "tune-cpu", NULL);
        set_string_attr(l, f, "prefer-vector-width", "512");
    }
    for (LLVMValueRef gv = LLVMGetFirstGlobal(l->m); gv; gv = LLVMGetNextGlobal(gv)) {
        size_t len;
        const char *name = LLVMGetValueName2(gv, &len);
        if (!LLVMIsDeclaration(gv) && !has_prefix(name, len, exported_prefix) &&
            LLVMGetLinkage(gv) != LLVMPrivateLinkage)
            LLVMSetLinkage(gv, LLVMInternalLinkage);
    }
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* LLVM's own fatal errors (report_fatal_error) end the process: exit code 3
 * as for any internal error, with LLVM's reason. */
static void fatal_handler(const char *reason)
{
    fprintf(stderr, "vggc: error: LLVM: %s\n", reason);
    _exit(3);
}

bool llvm_target_cpu(const char *target, char **name, char **features)
{
    const char *level = target_level(target);
    if (!level)
        return false;
    if (!*level) {
        char *n = LLVMGetHostCPUName(), *f = LLVMGetHostCPUFeatures();
        *name = strdup(n);
        *features = strdup(f);
        LLVMDisposeMessage(n);
        LLVMDisposeMessage(f);
        return true;
    }
    *name = strdup(level);
    *features = strdup("");
    return true;
}

uint64_t llvm_backend_id(void)
{
    return vggrt_checksum(vggc_jit_bitcode, (size_t)vggc_jit_bitcode_size);
}

/* Sets *err to "what: llvm_msg" and disposes of llvm_msg (an LLVMMessage). */
static LlvmStatus fail(char **err, const char *what, char *llvm_msg)
{
    size_t len = strlen(what) + (llvm_msg ? strlen(llvm_msg) : 0) + 4;
    *err = malloc(len);
    if (*err)
        snprintf(*err, len, "%s%s%s", what, llvm_msg ? ": " : "", llvm_msg ? llvm_msg : "");
    if (llvm_msg)
        LLVMDisposeMessage(llvm_msg);
    return LLVM_FAILED;
}

/* Kernels that split their work over the runtime's thread pool: the JIT'd
 * code calls libvggrt's (this process's, or the one an object file is
 * linked with); see build_module. */
static const char *const pooled_kernels[] = {
    "vggrt_dconv2d", "vggrt_wino_conv2d", "vggrt_chain_conv2d", "vggrt_wrow_conv2d",
    "vggrt_chain_wrow_conv2d", "vggrt_gemm", "vggrt_gemm_packed",
    "vggrt_matmul",
    "vggrt_to_blocked", "vggrt_from_blocked", "vggrt_maxpool2d_blocked",
    "vggrt_avgpool2d_blocked", "vggrt_global_pool_blocked", "vggrt_lrn", "vggrt_lrn_blocked",
};

/* Builds the module for p in l->cx; l->m on success. */
static LlvmStatus build_module(L *l, const LlvmOptions *o, LlvmEmitKind kind, LLVMTargetMachineRef tm,
                               char **err)
{
    LLVMMemoryBufferRef mb = LLVMCreateMemoryBufferWithMemoryRange(
        (const char *)vggc_jit_bitcode, (size_t)vggc_jit_bitcode_size, "vggc_jit.bc", 0);
    LLVMModuleRef kernels;
    bool bad = LLVMParseBitcodeInContext2(l->cx, mb, &kernels);
    LLVMDisposeMemoryBuffer(mb);
    if (bad)
        return fail(err, "cannot read the kernels' embedded bitcode", NULL);
    /* The module's name heads a .ll, and the ident goes into an object's
     * .comment: both say who wrote the file (cli/output.c looks). */
    char what[512];
    snprintf(what, sizeof what, "%s: generated by vggc %s from %s", o->name ? o->name : "network",
             VGGC_VERSION, o->model_label ? o->model_label : "a model");
    l->m = LLVMModuleCreateWithNameInContext(what, l->cx);
    LLVMMetadataRef ident = LLVMMDStringInContext2(l->cx, what, strlen(what));
    LLVMAddNamedMetadataOperand(l->m, "llvm.ident",
                                LLVMMetadataAsValue(l->cx, LLVMMDNodeInContext2(l->cx, &ident, 1)));
    char *triple = LLVMGetTargetMachineTriple(tm);
    LLVMTargetDataRef td = LLVMCreateTargetDataLayout(tm);
    char *dl = LLVMCopyStringRepOfTargetData(td);
    for (int i = 0; i < 2; i++) {
        LLVMSetTarget(i ? kernels : l->m, triple);
        LLVMSetDataLayout(i ? kernels : l->m, dl);
    }
    LLVMDisposeMessage(triple);
    LLVMDisposeMessage(dl);
    LLVMDisposeTargetData(td);
    if (LLVMLinkModules2(l->m, kernels))
        return fail(err, "cannot link the kernels' bitcode", NULL);
    /* The kernels that run on the thread pool are called in libvggrt, not
     * compiled again: their tasks read the layer's parameters through a
     * pointer, so O3 could not specialize them per layer anyway, and they
     * are most of the bitcode (compiling them took most of a cold start).
     * Their bodies go; their declarations stay for call() to check. */
    for (size_t i = 0; i < sizeof pooled_kernels / sizeof *pooled_kernels; i++) {
        LLVMValueRef f = LLVMGetNamedFunction(l->m, pooled_kernels[i]);
        if (!f || LLVMIsDeclaration(f))
            continue;
        /* (The C API cannot empty a function: a declaration of the same
         * type takes the name and the uses, and the definition goes.) */
        LLVMSetValueName2(f, "", 0);
        LLVMValueRef decl = LLVMAddFunction(l->m, pooled_kernels[i], LLVMGlobalGetValueType(f));
        LLVMReplaceAllUsesWith(f, decl);
        LLVMDeleteFunction(f);
    }

    l->i8 = LLVMInt8TypeInContext(l->cx);
    l->i32 = LLVMInt32TypeInContext(l->cx);
    l->i64 = LLVMInt64TypeInContext(l->cx);
    l->f32 = LLVMFloatTypeInContext(l->cx);
    l->ptr = LLVMPointerTypeInContext(l->cx, 0);
    l->inline_kind = LLVMGetEnumAttributeKindForName("alwaysinline", 12);
    l->b = LLVMCreateBuilderInContext(l->cx);
    l->const_table = kind == LLVM_EMIT_JIT;

    const Plan *p = l->p;
    LLVMValueRef *layers = calloc(p->n_layers + 1, sizeof *layers);
    VGGC_ASSERT(layers);
    for (uint32_t i = 0; i < p->n_layers; i++)
        layers[i] = emit_layer(l, i, &l->g->nodes[p->layers[i]]);
    LLVMValueRef entry = emit_entry(l, layers);
    free(layers);
    char prefix[256];
    if (kind == LLVM_EMIT_JIT) {
        snprintf(prefix, sizeof prefix, "vggc_run");
    } else {
        emit_api(l, o, entry);
        snprintf(prefix, sizeof prefix, "%s_", o->name);
    }
    LLVMDisposeBuilder(l->b);
    l->b = NULL;

    char *cpu = LLVMGetTargetMachineCPU(tm), *features = LLVMGetTargetMachineFeatureString(tm);
    finish_module(l, prefix, cpu, features);
    LLVMDisposeMessage(cpu);
    LLVMDisposeMessage(features);

    char *msg = NULL;
    if (LLVMVerifyModule(l->m, LLVMReturnStatusAction, &msg))
        return fail(err, "the generated module is invalid (a vggc bug)", msg);
    LLVMDisposeMessage(msg);
    return LLVM_OK;
}

LlvmStatus llvm_emit(const Plan *p, const LlvmOptions *o, LlvmEmitKind kind, Buf *out, char **err)
{
    *err = NULL;

    double t0 = now_ms();
    LLVMInstallFatalErrorHandler(fatal_handler);
    if (LLVMInitializeNativeTarget() || LLVMInitializeNativeAsmPrinter())
        return fail(err, "LLVM does not support this host", NULL);
    char *triple = LLVMGetDefaultTargetTriple();
    char *cpu, *features;
    if (!llvm_target_cpu(o->target, &cpu, &features)) {
        LLVMDisposeMessage(triple);
        *err = strdup("unknown target CPU (" TARGET_NAMES ")");
        return LLVM_FAILED;
    }
    LLVMTargetRef target;
    char *msg = NULL;
    if (LLVMGetTargetFromTriple(triple, &target, &msg)) {
        free(cpu);
        free(features);
        LLVMDisposeMessage(triple);
        return fail(err, "no LLVM target for this host", msg);
    }
    /* PIC: the object may be linked into a position-independent program. */
    LLVMTargetMachineRef tm = LLVMCreateTargetMachine(target, triple, cpu, features,
                                                      LLVMCodeGenLevelAggressive, LLVMRelocPIC,
                                                      LLVMCodeModelSmall);
    LLVMDisposeMessage(triple);
    free(cpu);
    free(features);

    L l = {.cx = LLVMContextCreate(), .p = p, .g = p->g};
    LlvmStatus st = build_module(&l, o, kind, tm, err);
    double t1 = now_ms(), t2 = t1;
    if (st == LLVM_OK) {
        LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
        LLVMPassBuilderOptionsSetLoopVectorization(po, 1);
        LLVMPassBuilderOptionsSetSLPVectorization(po, 1);
        LLVMPassBuilderOptionsSetLoopUnrolling(po, 1);
        LLVMPassBuilderOptionsSetLoopInterleaving(po, 1);
        /* globaldce first: the kernels no layer calls are internal by now
         * (finish_module), and O3 would otherwise simplify each of them
         * before its own dead-code pass drops them. */
        LLVMErrorRef e = LLVMRunPasses(l.m, "globaldce,default<O3>", tm, po);
        LLVMDisposePassBuilderOptions(po);
        if (e) {
            char *em = LLVMGetErrorMessage(e);
            st = fail(err, "optimizing the module", NULL);
            free(*err);
            size_t len = strlen(em) + 32;
            if ((*err = malloc(len)) != NULL)
                snprintf(*err, len, "optimizing the module: %s", em);
            LLVMDisposeErrorMessage(em);
        }
        t2 = now_ms();
    }
    if (st == LLVM_OK && kind == LLVM_EMIT_IR) {
        char *text = LLVMPrintModuleToString(l.m);
        buf_puts(out, text);
        LLVMDisposeMessage(text);
    } else if (st == LLVM_OK) {
        LLVMMemoryBufferRef obj = NULL;
        if (LLVMTargetMachineEmitToMemoryBuffer(tm, l.m, LLVMObjectFile, &msg, &obj))
            st = fail(err, "generating machine code", msg);
        else {
            buf_write(out, LLVMGetBufferStart(obj), LLVMGetBufferSize(obj));
            LLVMDisposeMemoryBuffer(obj);
        }
    }
    double t3 = now_ms();
    if (st == LLVM_OK && o->verbose_times)
        vggc_note("llvm: build %.1f ms, O3 %.1f ms, %s %.1f ms", t1 - t0, t2 - t1,
                  kind == LLVM_EMIT_IR ? "print" : "codegen", t3 - t2);
    if (l.b)
        LLVMDisposeBuilder(l.b);
    if (l.m)
        LLVMDisposeModule(l.m);
    LLVMContextDispose(l.cx);
    LLVMDisposeTargetMachine(tm);
    return st;
}
