/* emit_c.c — the C backend: a plan in, a standalone C library out.
 *
 * For a model NAME it writes NAME.h (the API of DESIGN.md §4 and the
 * shapes of the inputs and outputs), NAME.c (one static function per
 * layer, each calling a libvggrt kernel with the layer's sizes as
 * literals, and NAME_run calling them in order), main.c (a driver
 * program) and a Makefile.  The weights go to NAME.weights, written by
 * the caller from the same plan.
 *
 * Everything printed depends only on the plan, so the same model gives
 * byte-identical files.  Only the batch `n` is a run-time size; every
 * other size is a constant in the text.
 */
#include "emit_c.h"
#include "vggrt.h"

#include <math.h>
#include <string.h>

/* ---- small formatting helpers ------------------------------------------- */

static const char *ctype(DType t)
{
    switch (t) {
    case DT_FLOAT: return "float";
    case DT_INT64: return "int64_t";
    case DT_INT32: return "int32_t";
    case DT_BOOL: return "uint8_t";
    case DT_UINT8: return "uint8_t";
    case DT_INT8: return "int8_t";
    case DT_DOUBLE: return "double";
    case DT_FLOAT16: return "uint16_t";     /* the bit patterns (vggrt.h) */
    case DT_BFLOAT16: return "uint16_t";
    case DT_STRING: return "vggrt_string";  /* a fixed text slot (vggrt.h) */
    default: VGGC_UNREACHABLE();
    }
}

/* A float literal that reads back to the same float. */
static void put_float(Buf *b, float f)
{
    if (isinf(f)) {
        buf_puts(b, f < 0 ? "-INFINITY" : "INFINITY");
        return;
    }
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%.9g", (double)f);
    buf_puts(b, tmp);
    if (!strpbrk(tmp, ".en"))
        buf_puts(b, ".0");
    buf_puts(b, "f");
}

static void put_size(Buf *b, Size z)
{
    if (z.batched && z.k == 1)
        buf_puts(b, "n");
    else if (z.batched)
        buf_printf(b, "n * %lld", (long long)z.k);
    else
        buf_printf(b, "%lld", (long long)z.k);
}

static void put_dim(Buf *b, int64_t d)
{
    if (d == VGGC_DIM_N)
        buf_puts(b, "n");
    else
        buf_printf(b, "%lld", (long long)d);
}

/* `{n, 64, 160, 160}` */
static void put_dims(Buf *b, const Shape *s)
{
    buf_puts(b, "{");
    for (int i = 0; i < s->rank; i++) {
        if (i)
            buf_puts(b, ", ");
        put_dim(b, s->d[i]);
    }
    if (s->rank == 0)
        buf_puts(b, "1");
    buf_puts(b, "}");
}

static void put_i64s(Buf *b, const int64_t *v, int n)
{
    buf_puts(b, "{");
    for (int i = 0; i < n; i++)
        buf_printf(b, "%s%lld", i ? ", " : "", (long long)v[i]);
    if (n == 0)
        buf_puts(b, "0");
    buf_puts(b, "}");
}

typedef struct {
    const Plan *p;
    Graph *g;
    Buf *b;
} Ctx;

/* A pointer expression to value v's first element. */
static void put_ptr(Ctx *c, uint32_t v, bool writable);

/* put_ptr, or NULL for VGGC_NONE (an optional input or output left out). */
static void put_ptr_or_null(Ctx *c, uint32_t v, bool writable)
{
    if (v == VGGC_NONE)
        buf_puts(c->b, "NULL");
    else
        put_ptr(c, v, writable);
}

static void put_ptr(Ctx *c, uint32_t v, bool writable)
{
    const Storage *s = &c->p->store[v];
    const char *t = ctype(c->g->values[v].dtype);
    const char *q = writable ? "" : "const ";
    switch (s->kind) {
    case STORE_INPUT:
        buf_printf(c->b, "((%s%s *)in[%u])", q, t, s->index);
        break;
    case STORE_CONST:
        VGGC_ASSERT(!writable);
        buf_printf(c->b, "((const %s *)(W + %llu))", t, (unsigned long long)s->offset);
        break;
    case STORE_STATIC:
        buf_printf(c->b, "((%s%s *)(A + %llu))", q, t, (unsigned long long)s->offset);
        break;
    case STORE_BATCH:
        buf_printf(c->b, "((%s%s *)(A + STATIC_BYTES + (size_t)n * %llu))", q, t,
                   (unsigned long long)s->offset);
        break;
    case STORE_NONE:
        VGGC_UNREACHABLE();
    }
}

static const Shape *shp(Ctx *c, uint32_t v) { return &c->g->values[v].shape; }

/* Text from the model (a name) made safe inside a C comment: no comment
 * delimiters, no line breaks or backslash splices, printable only;
 * shortened to fit buf. */
static const char *comment_text(const char *name, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", name);
    for (char *s = buf; *s; s++)
        if ((s[0] == '*' && s[1] == '/') || (s[0] == '/' && s[1] == '*') || *s == '\\' ||
            (unsigned char)*s < 0x20 || *s == 0x7f)
            *s = '_';
    return buf;
}

/* ---- one emitter per op --------------------------------------------------- */

/* The fields of a vggrt_conv_params, each line after the first starting
 * with `pre`. */
static void put_conv_fields(Ctx *c, const vggrt_conv_params *p, const char *pre)
{
    static const char *const acts[] = {"VGGRT_ACT_NONE", "VGGRT_ACT_RELU", "VGGRT_ACT_CLIP",
                                       "VGGRT_ACT_LEAKY_RELU", "VGGRT_ACT_SIGMOID"};
    VGGC_ASSERT(p->act >= 0 && p->act < (int)(sizeof acts / sizeof *acts));
    buf_printf(c->b,
               "%lld, %lld, %lld,  /* c, h, w */\n"
               "%s%lld, %lld, %lld,  /* k, oh, ow */\n"
               "%s%lld, %lld, %lld, %lld,  /* kh, kw, sh, sw */\n"
               "%s%lld, %lld, %lld, %lld,  /* pt, pl, dh, dw */\n"
               "%s%lld, %s",
               (long long)p->c, (long long)p->h, (long long)p->w, pre, (long long)p->k,
               (long long)p->oh, (long long)p->ow, pre, (long long)p->kh, (long long)p->kw,
               (long long)p->sh, (long long)p->sw, pre, (long long)p->pt, (long long)p->pl,
               (long long)p->dh, (long long)p->dw, pre, (long long)p->group, acts[p->act]);
}

static void emit_dconv(Ctx *c, const Node *n, uint32_t id)
{
    vggrt_dconv_params d;
    plan_dconv_params(c->g, n, &d);
    const vggrt_conv_params *p = &d.conv;
    static const char *const layouts[] = {"VGGRT_LAYOUT_NCHW", "VGGRT_LAYOUT_NHWC",
                                          "VGGRT_LAYOUT_BLOCKED"};
    buf_printf(c->b, "static const vggrt_dconv_params dconv_%u = {\n    {", id);
    put_conv_fields(c, p, "     ");
    buf_printf(c->b, "},  /* group, act */\n    %s,  /* the input's layout */\n    ",
               layouts[d.in_layout]);
    put_float(c->b, d.alpha);
    buf_puts(c->b, ", ");
    put_float(c->b, d.beta);
    buf_printf(c->b, ",  /* activation parameters */\n"
                     "    %lld, %lld, %lld, %lld,  /* pool k, s; output h, w */\n"
                     "    %d  /* block: NCHW%dc */\n};\n\n",
               (long long)d.pool_k, (long long)d.pool_s, (long long)d.py, (long long)d.px,
               d.block, d.block);
}

/* A vggrt_pool_params (3-D: a vggrt_pool3d_params around it) named `name`. */
static void put_pool_struct(Ctx *c, const char *name, const vggrt_pool3d_params *d,
                            bool three_d)
{
    const vggrt_pool_params *p = &d->hw;
    const char *pre = three_d ? "     " : "    ";
    buf_printf(c->b,
               "static const vggrt_pool%s_params %s = {\n%s"
               "%lld, %lld, %lld, %lld, %lld,  /* c, h, w, oh, ow */\n"
               "%s%lld, %lld, %lld, %lld,  /* kh, kw, sh, sw */\n"
               "%s%lld, %lld, %lld, %lld,  /* pt, pl, pb, pr */\n"
               "%s%lld, %lld, %d",
               three_d ? "3d" : "", name, three_d ? "    {" : "    ", (long long)p->c,
               (long long)p->h, (long long)p->w, (long long)p->oh, (long long)p->ow, pre,
               (long long)p->kh, (long long)p->kw, (long long)p->sh, (long long)p->sw, pre,
               (long long)p->pt, (long long)p->pl, (long long)p->pb, (long long)p->pr, pre,
               (long long)p->dh, (long long)p->dw, p->count_include_pad);
    if (!three_d) {
        buf_puts(c->b, "  /* dh, dw, count_include_pad */\n};\n\n");
        return;
    }
    buf_printf(c->b,
               "},  /* dh, dw, count_include_pad */\n"
               "    %lld, %lld, %lld, %lld,  /* d, od, kd, sd */\n"
               "    %lld, %lld, %lld  /* pfront, pback, dd */\n"
               "};\n\n",
               (long long)d->d, (long long)d->od, (long long)d->kd, (long long)d->sd,
               (long long)d->pfront, (long long)d->pback, (long long)d->dd);
}

/* A 3-D Conv's vggrt_conv3d_params (the H, W part as a 2-D conv's), or a
 * ConvTranspose's (any rank; plan_conv_transpose_params). */
static void emit_conv3d(Ctx *c, const Node *n, uint32_t id)
{
    vggrt_conv3d_params d;
    if (n->op == OP_CONV_TRANSPOSE)
        plan_conv_transpose_params(c->g, n, &d);
    else
        plan_conv3d_params(c->g, n, &d);
    d.hw.act = VGGRT_ACT_NONE;
    buf_printf(c->b, "static const vggrt_conv3d_params conv_%u = {\n    {", id);
    put_conv_fields(c, &d.hw, "     ");
    buf_printf(c->b,
               "},  /* group, act (an argument instead) */\n"
               "    %lld, %lld, %lld, %lld,  /* d, od, kd, sd */\n"
               "    %lld, %lld  /* pfront, dd */\n"
               "};\n\n",
               (long long)d.d, (long long)d.od, (long long)d.kd, (long long)d.sd,
               (long long)d.pfront, (long long)d.dd);
}

static void emit_conv(Ctx *c, const Node *n, uint32_t id)
{
    if (n->out_layout == LAYOUT_BLOCKED) {
        emit_dconv(c, n, id);
        return;
    }
    if (n->attr.win.nsp == 3) {
        emit_conv3d(c, n, id);
        return;
    }
    vggrt_conv_params p;
    plan_conv_params(c->g, n, &p);
    buf_printf(c->b, "static const vggrt_conv_params conv_%u = {\n    ", id);
    put_conv_fields(c, &p, "    ");
    buf_puts(c->b, "  /* group, act */\n};\n\n");
    vggrt_pool3d_params pp = {0};
    if (plan_conv_pool_params(c->g, n, &pp.hw)) {
        char name[32];
        snprintf(name, sizeof name, "conv_%u_pool", id);
        put_pool_struct(c, name, &pp, false);
    }
}

/* Parameter structs go before the layer functions. */
static void emit_params(Ctx *c, const Node *n, uint32_t id)
{
    if (n->op == OP_CONV)
        emit_conv(c, n, id);
    else if (n->op == OP_CONV_TRANSPOSE)
        emit_conv3d(c, n, id);
    else if (n->op == OP_MAXPOOL || n->op == OP_AVGPOOL) {
        vggrt_pool3d_params d;
        char name[32];
        plan_pool_params(c->g, n, &d);
        snprintf(name, sizeof name, "pool_%u", id);
        put_pool_struct(c, name, &d, n->attr.win.nsp == 3);
    }
}

static void put_count(Ctx *c, uint32_t v)
{
    const Shape *s = shp(c, v);
    put_size(c->b, size_of_dims(s, 0, s->rank));
}

static void emit_unary(Ctx *c, const Node *n)
{
    PlanUnary u;
    VGGC_ASSERT(plan_unary(n, &u));
    buf_printf(c->b, "    vggrt_unary_f32(%s, ", u.name);
    put_count(c, n->out[0]);
    buf_puts(c->b, ", ");
    put_ptr(c, n->in[0], false);
    buf_puts(c->b, ", ");
    put_ptr(c, n->out[0], true);
    buf_puts(c->b, ", ");
    put_float(c->b, u.p0);
    buf_puts(c->b, ", ");
    put_float(c->b, u.p1);
    buf_puts(c->b, ");\n");
}

/* Clip: a bound given as an input (ir.h: ClipAttr) is its one element,
 * read when the layer runs; the others are the attribute's constants.
 * f32 takes the unary kernel, one value per bound; the other types take
 * the generic kernel, the input bounds by pointer (NULL where absent) and
 * then both constants. */
static void emit_clip(Ctx *c, const Node *n)
{
    DType t = c->g->values[n->out[0]].dtype;
    bool f32 = t == DT_FLOAT;
    if (f32)
        buf_puts(c->b, "    vggrt_unary_f32(VGGRT_CLIP, ");
    else
        buf_printf(c->b, "    vggrt_clip(%d, ", rt_dtype(t));
    put_count(c, n->out[0]);
    buf_puts(c->b, ", ");
    put_ptr(c, n->in[0], false);
    buf_puts(c->b, ", ");
    put_ptr(c, n->out[0], true);
    for (uint32_t i = 1; i <= 2; i++) {
        buf_puts(c->b, ", ");
        if (i < n->n_in && n->in[i] != VGGC_NONE) {
            put_ptr(c, n->in[i], false);
            buf_puts(c->b, f32 ? "[0]" : "");
        } else if (f32) {
            put_float(c->b, i == 1 ? n->attr.clip.min : n->attr.clip.max);
        } else {
            buf_puts(c->b, "NULL");
        }
    }
    for (uint32_t i = 1; !f32 && i <= 2; i++) {
        buf_puts(c->b, ", ");
        put_float(c->b, i == 1 ? n->attr.clip.min : n->attr.clip.max);
    }
    buf_puts(c->b, ");\n");
}

/* The arrays a broadcasting kernel call reads for y = f(a, b): y's dims,
 * then a's and b's element strides per dim (as, bs; 0 where broadcast;
 * one 0 for a scalar).  `block` opens braces of its own first. */
static void put_broadcast(Ctx *c, uint32_t a, uint32_t b, const Shape *y, bool block)
{
    int64_t as[VGGC_MAX_RANK] = {0}, bs[VGGC_MAX_RANK] = {0};
    shape_broadcast_strides(shp(c, a), y, as);
    shape_broadcast_strides(shp(c, b), y, bs);
    buf_puts(c->b, block ? "    {\n    const int64_t dims[] = " : "    const int64_t dims[] = ");
    put_dims(c->b, y);
    buf_puts(c->b, ";\n    static const int64_t as[] = ");
    put_i64s(c->b, as, y->rank ? y->rank : 1);
    buf_puts(c->b, ", bs[] = ");
    put_i64s(c->b, bs, y->rank ? y->rank : 1);
    buf_puts(c->b, y->rank == 0 ? "; /* scalar */\n" : ";\n");
}

/* The last arguments of a call, "a, b, y);" (y writable). */
static void put_aby(Ctx *c, uint32_t a, uint32_t b, uint32_t y)
{
    put_ptr(c, a, false);
    buf_puts(c->b, ", ");
    put_ptr(c, b, false);
    buf_puts(c->b, ", ");
    put_ptr(c, y, true);
    buf_puts(c->b, ");\n");
}

/* y = a OP b with broadcasting; a may be y itself.  `block` puts the call
 * in braces of its own (a Sum emits several into one layer). */
static void emit_binary_call(Ctx *c, const char *op, uint32_t a, uint32_t b, uint32_t y_id,
                             bool block)
{
    const Shape *y = shp(c, y_id);
    DType t = c->g->values[y_id].dtype;
    int rank = y->rank ? y->rank : 1;
    put_broadcast(c, a, b, y, block);
    if (t == DT_FLOAT || t == DT_INT64)
        buf_printf(c->b, "    vggrt_binary_%s(%s, %d, dims, as, bs, ",
                   t == DT_FLOAT ? "f32" : "i64", op, rank);
    else    /* the other types through the generic entry point */
        buf_printf(c->b, "    vggrt_binary(%d, %s, %d, dims, as, bs, ", rt_dtype(t), op, rank);
    put_aby(c, a, b, y_id);
    if (block)
        buf_puts(c->b, "    }\n");
}

static void emit_binary(Ctx *c, const Node *n)
{
    const char *op = n->op == OP_ADD ? "VGGRT_ADD" : n->op == OP_SUB ? "VGGRT_SUB"
                   : n->op == OP_MUL ? "VGGRT_MUL" : n->op == OP_DIV ? "VGGRT_DIV"
                   : n->op == OP_MOD ? (n->attr.mod.fmod ? "VGGRT_FMOD" : "VGGRT_MOD")
                   : "VGGRT_PRELU";
    emit_binary_call(c, op, n->in[0], n->in[1], n->out[0], false);
}

/* y = x ^ e with broadcasting, x and e of their own types (vggrt_pow). */
static void emit_pow(Ctx *c, const Node *n)
{
    const Shape *y = shp(c, n->out[0]);
    put_broadcast(c, n->in[0], n->in[1], y, false);
    buf_printf(c->b, "    vggrt_pow(%d, %d, %d, dims, as, bs, ",
               rt_dtype(c->g->values[n->in[0]].dtype), rt_dtype(c->g->values[n->in[1]].dtype),
               y->rank ? y->rank : 1);
    put_aby(c, n->in[0], n->in[1], n->out[0]);
}

/* Leading dim as a batch count: `n` or its literal size. */
static void put_lead(Ctx *c, uint32_t v) { put_dim(c->b, shp(c, v)->d[0]); }

/* An activation the kernel did not apply itself, in place on count
 * elements at ptr (a C expression). */
static void emit_act_in_place(Ctx *c, const Epilogue *e, const char *count, const char *ptr)
{
    const char *op = e->act == ACT_SIGMOID ? "VGGRT_SIGMOID" : e->act == ACT_CLIP ? "VGGRT_CLIP"
                   : e->act == ACT_LEAKY_RELU ? "VGGRT_LEAKY_RELU" : "VGGRT_RELU";
    buf_printf(c->b, "    vggrt_unary_f32(%s, %s, %s, %s, ", op, count, ptr, ptr);
    put_float(c->b, e->alpha);
    buf_puts(c->b, ", ");
    put_float(c->b, e->beta);
    buf_puts(c->b, ");\n");
}

/* Gemm with its epilogue: a mean_input layer first averages each item's
 * [C,H,W] features into per-item scratch (that is A, [n,C]); the
 * activation and the softmax run on the result in place. */
static void emit_gemm(Ctx *c, const Node *n)
{
    const GemmAttr *a = &n->attr.gemm;
    const Shape *A = shp(c, n->in[0]), *B = shp(c, n->in[1]), *Y = shp(c, n->out[0]);
    int64_t crs, ccs, K = a->trans_a ? A->d[0] : A->d[1], lda = A->d[1];
    plan_gemm_c_strides(c->g, n, &crs, &ccs);
    if (n->epi.mean_input) {
        buf_printf(c->b, "    float *a = (float *)(A + STATIC_BYTES + (size_t)n * %llu);\n",
                   (unsigned long long)c->p->batch_scratch_offset);
        if (n->in_layout == LAYOUT_BLOCKED) {
            buf_printf(c->b, "    vggrt_global_pool_blocked(%d, 0, ", graph_block(c->g));
            put_dim(c->b, A->d[0]);
            buf_printf(c->b, ", %lld, %lld, ", (long long)A->d[1], (long long)(A->d[2] * A->d[3]));
            put_ptr(c, n->in[0], false);
            buf_puts(c->b, ", a);\n");
        } else {
            buf_puts(c->b, "    const int64_t dims[] = ");
            put_dims(c->b, A);
            buf_puts(c->b, ";\n    vggrt_reduce_f32(VGGRT_REDUCE_MEAN, 4, dims, 0xcu, ");
            put_ptr(c, n->in[0], false);
            buf_puts(c->b, ", a);\n");
        }
        K = lda = A->d[1];
    }
    const bool packed = plan_gemm_packed(c->g, n);
    if (packed)
        buf_puts(c->b, "    vggrt_gemm_packed(");
    else
        buf_printf(c->b, "    vggrt_gemm(%d, %d, ", a->trans_a, a->trans_b);
    put_dim(c->b, Y->d[0]);
    buf_printf(c->b, ", %lld, %lld, ", (long long)Y->d[1], (long long)K);
    put_float(c->b, a->alpha);
    buf_puts(c->b, ", ");
    if (n->epi.mean_input)
        buf_puts(c->b, "a");
    else
        put_ptr(c, n->in[0], false);
    buf_printf(c->b, ", %lld, ", (long long)lda);
    put_ptr(c, n->in[1], false);
    if (packed)
        buf_puts(c->b, ", ");
    else
        buf_printf(c->b, ", %lld, ", (long long)B->d[1]);
    put_float(c->b, a->beta);
    buf_puts(c->b, ", ");
    put_ptr_or_null(c, node_in(n, 2), false);
    buf_printf(c->b, ", %lld, %lld, ", (long long)crs, (long long)ccs);
    put_ptr(c, n->out[0], true);
    buf_puts(c->b, ");\n");
    if (n->epi.act != ACT_NONE || n->epi.softmax) {
        buf_puts(c->b, "    float *y = ");
        put_ptr(c, n->out[0], true);
        buf_puts(c->b, ";\n");
    }
    if (n->epi.act != ACT_NONE) {
        Buf cnt = {0};
        put_size(&cnt, size_of_dims(Y, 0, 2));
        emit_act_in_place(c, &n->epi, cnt.data, "y");
        buf_free(&cnt);
    }
    if (n->epi.softmax) {
        buf_puts(c->b, "    vggrt_softmax(0, ");
        put_dim(c->b, Y->d[0]);
        buf_printf(c->b, ", %lld, 1, y, y);\n", (long long)Y->d[1]);
    }
}

static void emit_matmul(Ctx *c, const Node *n)
{
    MatmulDims m;
    plan_matmul_dims(c->g, n, &m);
    const int br = m.batch_rank;
    buf_puts(c->b, "    const int64_t bd[] = {");
    for (int i = 0; i < br; i++) {
        if (i) buf_puts(c->b, ", ");
        put_dim(c->b, m.bd[i]);
    }
    buf_puts(c->b, br ? "};\n" : "0};\n");
    buf_puts(c->b, "    static const int64_t as[] = ");
    put_i64s(c->b, m.as, br);
    buf_puts(c->b, ", bs[] = ");
    put_i64s(c->b, m.bs, br);
    buf_printf(c->b, ";\n    vggrt_matmul(%d, bd, as, bs, ", br);
    put_dim(c->b, m.M);
    buf_printf(c->b, ", %lld, %lld, ", (long long)m.K, (long long)m.N);
    put_aby(c, n->in[0], n->in[1], n->out[0]);
}

static void emit_reduce(Ctx *c, const Node *n, const char *op, unsigned mask)
{
    const Shape *x = shp(c, n->in[0]);
    buf_puts(c->b, "    const int64_t dims[] = ");
    put_dims(c->b, x);
    buf_printf(c->b, ";\n    vggrt_reduce_f32(%s, %d, dims, 0x%xu, ", op, x->rank ? x->rank : 1, mask);
    put_ptr(c, n->in[0], false);
    buf_puts(c->b, ", ");
    put_ptr(c, n->out[0], true);
    buf_puts(c->b, ");\n");
}

static void emit_copy(Ctx *c, const Node *n)
{
    buf_puts(c->b, "    memcpy(");
    put_ptr(c, n->out[0], true);
    buf_puts(c->b, ", ");
    put_ptr(c, n->in[0], false);
    buf_puts(c->b, ", (");
    put_count(c, n->out[0]);
    buf_printf(c->b, ") * sizeof(%s));\n", ctype(c->g->values[n->out[0]].dtype));
}

/* Sum-13(data_0, ...): y = data_0 + data_1, then y += data_i in place;
 * one input is a copy. */
/* Sum, Max, Min: the binary kernel over the inputs in turn, into the
 * output (input 0 with input 1, then the output with each next one). */
static void emit_variadic(Ctx *c, const Node *n)
{
    if (n->n_in == 1) {
        emit_copy(c, n);
        return;
    }
    const char *op = n->op == OP_MAX ? "VGGRT_MAX" : n->op == OP_MIN ? "VGGRT_MIN" : "VGGRT_ADD";
    for (uint32_t i = 1; i < n->n_in; i++)
        emit_binary_call(c, op, i == 1 ? n->in[0] : n->out[0], n->in[i], n->out[0], true);
}

static void emit_batchnorm(Ctx *c, const Node *n)
{
    const Shape *x = shp(c, n->in[0]);
    int64_t C = x->d[1];
    buf_printf(c->b, "    float *s = (float *)A, *t = s + %lld;\n", (long long)C);
    buf_puts(c->b, "    const float *scale = ");
    put_ptr(c, n->in[1], false);
    buf_puts(c->b, ", *bias = ");
    put_ptr(c, n->in[2], false);
    buf_puts(c->b, ", *mean = ");
    put_ptr(c, n->in[3], false);
    buf_puts(c->b, ", *var = ");
    put_ptr(c, n->in[4], false);
    buf_printf(c->b, ";\n    for (int64_t i = 0; i < %lld; i++) {\n"
                     "        s[i] = scale[i] / sqrtf(var[i] + ", (long long)C);
    put_float(c->b, n->attr.bn.epsilon);
    buf_puts(c->b, ");\n        t[i] = bias[i] - mean[i] * s[i];\n    }\n");
    buf_puts(c->b, "    vggrt_channel_affine(");
    put_lead(c, n->in[0]);
    buf_printf(c->b, ", %lld, ", (long long)C);
    put_size(c->b, size_of_dims(x, 2, x->rank));
    buf_puts(c->b, ", s, t, ");
    put_ptr(c, n->in[0], false);
    buf_puts(c->b, ", ");
    put_ptr(c, n->out[0], true);
    buf_puts(c->b, ");\n");
}

static void emit_softmax(Ctx *c, const Node *n)
{
    const Shape *x = shp(c, n->in[0]);
    int64_t axis = n->attr.softmax.axis < 0 ? n->attr.softmax.axis + x->rank : n->attr.softmax.axis;
    Size outer = size_of_dims(x, 0, (int)axis);
    Size len = n->attr.softmax.coerce_2d ? size_of_dims(x, (int)axis, x->rank)
                                         : size_of_dims(x, (int)axis, (int)axis + 1);
    Size inner = n->attr.softmax.coerce_2d ? (Size){false, 1}
                                           : size_of_dims(x, (int)axis + 1, x->rank);
    buf_printf(c->b, "    vggrt_softmax(%d, ", n->op == OP_LOG_SOFTMAX);
    put_size(c->b, outer);
    buf_puts(c->b, ", ");
    put_size(c->b, len);
    buf_puts(c->b, ", ");
    put_size(c->b, inner);
    buf_puts(c->b, ", ");
    put_ptr(c, n->in[0], false);
    buf_puts(c->b, ", ");
    put_ptr(c, n->out[0], true);
    buf_puts(c->b, ");\n");
}

/* LayerNormalization: rows [outer, len] split at the axis; absent inputs
 * and outputs are NULL. */
static void emit_layernorm(Ctx *c, const Node *n)
{
    const Shape *x = shp(c, n->in[0]);
    const int a = (int)(n->attr.ln.axis < 0 ? n->attr.ln.axis + x->rank : n->attr.ln.axis);
    buf_puts(c->b, "    vggrt_layernorm(");
    put_size(c->b, size_of_dims(x, 0, a));
    buf_puts(c->b, ", ");
    put_size(c->b, size_of_dims(x, a, x->rank));
    buf_puts(c->b, ", ");
    put_float(c->b, n->attr.ln.epsilon);
    for (uint32_t i = 0; i < 3; i++) {
        buf_puts(c->b, ", ");
        put_ptr_or_null(c, node_in(n, i), false);
    }
    for (uint32_t i = 0; i < 3; i++) {
        buf_puts(c->b, ", ");
        put_ptr_or_null(c, node_out(n, i), true);
    }
    buf_puts(c->b, ");\n");
}

/* InstanceNormalization: rows [n * C, spatial]. */
static void emit_instancenorm(Ctx *c, const Node *n)
{
    const Shape *x = shp(c, n->in[0]);
    buf_puts(c->b, "    vggrt_instancenorm(");
    put_lead(c, n->in[0]);
    buf_printf(c->b, ", %lld, ", (long long)x->d[1]);
    put_size(c->b, size_of_dims(x, 2, x->rank));
    buf_puts(c->b, ", ");
    put_float(c->b, n->attr.bn.epsilon);
    for (uint32_t i = 0; i < 3; i++) {
        buf_puts(c->b, ", ");
        put_ptr(c, n->in[i], false);
    }
    buf_puts(c->b, ", ");
    put_ptr(c, n->out[0], true);
    buf_puts(c->b, ");\n");
}

/* Resize: the input and output dims, and per axis the scale, resized
 * length and roi (plan_resize_axes) as literals that read back exactly. */
static void emit_resize(Ctx *c, const Node *n)
{
    static const char *const modes[] = {"VGGRT_RESIZE_NEAREST", "VGGRT_RESIZE_LINEAR",
                                        "VGGRT_RESIZE_CUBIC"};
    static const char *const coords[] = {
        "VGGRT_COORD_HALF_PIXEL", "VGGRT_COORD_HALF_PIXEL_SYMMETRIC", "VGGRT_COORD_ASYMMETRIC",
        "VGGRT_COORD_PYTORCH_HALF_PIXEL", "VGGRT_COORD_TF_HALF_PIXEL_FOR_NN",
        "VGGRT_COORD_ALIGN_CORNERS", "VGGRT_COORD_TF_CROP_AND_RESIZE",
    };
    static const char *const nearest[] = {
        "VGGRT_NEAREST_ROUND_PREFER_FLOOR", "VGGRT_NEAREST_ROUND_PREFER_CEIL",
        "VGGRT_NEAREST_FLOOR", "VGGRT_NEAREST_CEIL",
    };
    _Static_assert(sizeof modes / sizeof modes[0] == RESIZE_MODE_COUNT &&
                   sizeof coords / sizeof coords[0] == COORD_COUNT &&
                   sizeof nearest / sizeof nearest[0] == NEAREST_COUNT, "Resize's enums");
    const Shape *x = shp(c, n->in[0]), *y = shp(c, n->out[0]);
    const ResizeAttr *a = &n->attr.resize;
    double axes[4 * VGGC_MAX_RANK];
    plan_resize_axes(c->g, n, axes);
    buf_puts(c->b, "    const int64_t xd[] = ");
    put_dims(c->b, x);
    buf_puts(c->b, ", yd[] = ");
    put_dims(c->b, y);
    /* Per axis: scale, resized length, roi start and end. */
    buf_puts(c->b, ";\n    static const double axes[] = {");
    for (int i = 0; i < 4 * x->rank; i++)
        buf_printf(c->b, "%s%.17g", i == 0 ? "" : i % 4 ? ", " : ",\n        ", axes[i]);
    buf_printf(c->b, "};\n    vggrt_resize(%d, xd, yd, axes, %s, %s,\n                 %s, %d, ",
               x->rank, modes[a->mode], coords[a->coord], nearest[a->nearest],
               (int)a->exclude_outside);
    put_float(c->b, a->cubic_a);
    buf_puts(c->b, ", ");
    put_float(c->b, a->extrapolation);
    buf_puts(c->b, ", ");
    put_ptr(c, n->in[0], false);
    buf_puts(c->b, ", ");
    put_ptr(c, n->out[0], true);
    buf_puts(c->b, ");\n");
}

/* ArgMax, ArgMin: [outer, len, inner] around the axis (inference refused
 * the batch's), i64 out. */
static void emit_arg(Ctx *c, const Node *n)
{
    const Shape *x = shp(c, n->in[0]);
    int axis = (int)n->attr.arg.axis;
    buf_printf(c->b, "    vggrt_arg_f32(%d, %d, ", n->op == OP_ARGMIN, n->attr.arg.select_last);
    put_size(c->b, size_of_dims(x, 0, axis));
    buf_printf(c->b, ", %lld, ", (long long)x->d[axis]);
    put_size(c->b, size_of_dims(x, axis + 1, x->rank));
    buf_puts(c->b, ", ");
    put_ptr(c, n->in[0], false);
    buf_puts(c->b, ", ");
    put_ptr(c, n->out[0], true);
    buf_puts(c->b, ");\n");
}

static void emit_transpose(Ctx *c, const Node *n)
{
    const Shape *x = shp(c, n->in[0]);
    int64_t perm[VGGC_MAX_RANK];
    for (int i = 0; i < x->rank; i++)
        perm[i] = n->attr.perm.n_perm ? n->attr.perm.perm[i] : x->rank - 1 - i;
    buf_puts(c->b, "    const int64_t dims[] = ");
    put_dims(c->b, x);
    buf_puts(c->b, ";\n    static const int64_t perm[] = ");
    put_i64s(c->b, perm, x->rank);
    buf_printf(c->b, ";\n    vggrt_transpose(sizeof(%s), %d, dims, perm, ",
               ctype(c->g->values[n->in[0]].dtype), x->rank ? x->rank : 1);
    put_ptr(c, n->in[0], false);
    buf_puts(c->b, ", ");
    put_ptr(c, n->out[0], true);
    buf_puts(c->b, ");\n");
}

/* `idx`: the indices (input 1) as int64, converted into the scratch when
 * they are int32. */
static void put_int64_indices(Ctx *c, const Node *n)
{
    if (c->g->values[n->in[1]].dtype == DT_INT32) {
        buf_puts(c->b, "    int64_t *idx = (int64_t *)A;\n    vggrt_cast(VGGRT_I32, VGGRT_I64, ");
        put_count(c, n->in[1]);
        buf_puts(c->b, ", ");
        put_ptr(c, n->in[1], false);
        buf_puts(c->b, ", idx);\n");
    } else {
        buf_puts(c->b, "    const int64_t *idx = ");
        put_ptr(c, n->in[1], false);
        buf_puts(c->b, ";\n");
    }
}

/* GatherElements: a run-time index out of range is the run's status. */
static void emit_gather_elements(Ctx *c, const Node *n)
{
    const Shape *x = shp(c, n->in[0]);
    int64_t axis = n->attr.axis < 0 ? n->attr.axis + x->rank : n->attr.axis;
    put_int64_indices(c, n);
    buf_puts(c->b, "    const int64_t xd[] = ");
    put_dims(c->b, x);
    buf_puts(c->b, ", id[] = ");
    put_dims(c->b, shp(c, n->in[1]));
    buf_printf(c->b, ";\n    if (vggrt_gather_elements(sizeof(%s), %d, xd, id, %lld, ",
               ctype(c->g->values[n->in[0]].dtype), x->rank, (long long)axis);
    put_ptr(c, n->in[0], false);
    buf_puts(c->b, ", idx, ");
    put_ptr(c, n->out[0], true);
    buf_puts(c->b, ") != VGGRT_OK)\n        return VGGRT_ERR_ARG;\n");
}

static void emit_gather(Ctx *c, const Node *n)
{
    const Shape *x = shp(c, n->in[0]);
    int64_t axis = n->attr.axis < 0 ? n->attr.axis + x->rank : n->attr.axis;
    put_int64_indices(c, n);
    buf_printf(c->b, "    if (vggrt_gather(sizeof(%s), ", ctype(c->g->values[n->in[0]].dtype));
    put_size(c->b, size_of_dims(x, 0, (int)axis));
    buf_printf(c->b, ", %lld, ", (long long)x->d[axis]);
    put_size(c->b, size_of_dims(x, (int)axis + 1, x->rank));
    buf_puts(c->b, ", ");
    put_ptr(c, n->in[0], false);
    buf_puts(c->b, ", idx, ");
    put_count(c, n->in[1]);
    buf_puts(c->b, ", ");
    put_ptr(c, n->out[0], true);
    buf_puts(c->b, ") != VGGRT_OK)\n        return VGGRT_ERR_ARG;\n");
}

static void emit_concat(Ctx *c, const Node *n)
{
    const Shape *y = shp(c, n->out[0]);
    int64_t axis = n->attr.axis < 0 ? n->attr.axis + y->rank : n->attr.axis;
    size_t es = dtype_size(c->g->values[n->out[0]].dtype);
    Size inner = size_of_dims(y, (int)axis + 1, y->rank);
    int64_t dst_row = y->d[axis] * inner.k * (int64_t)es, col = 0;
    for (uint32_t i = 0; i < n->n_in; i++) {
        int64_t row = shp(c, n->in[i])->d[axis] * inner.k * (int64_t)es;
        buf_puts(c->b, "    vggrt_copy2d(");
        put_size(c->b, size_of_dims(y, 0, (int)axis));
        buf_printf(c->b, ", %lld, ", (long long)row);
        put_ptr(c, n->in[i], false);
        buf_printf(c->b, ", %lld, (unsigned char *)", (long long)row);
        put_ptr(c, n->out[0], true);
        buf_printf(c->b, " + %lld, %lld);\n", (long long)col, (long long)dst_row);
        col += row;
    }
}

/* vggrt_slice from value x into value y (elements of any size), as a
 * block: a Split makes one per output. */
static void emit_slice_call(Ctx *c, uint32_t x_id, uint32_t y_id, const int64_t *start,
                            const int64_t *step)
{
    const Shape *x = shp(c, x_id);
    int rank = x->rank ? x->rank : 1;
    buf_puts(c->b, "    {\n    const int64_t xd[] = ");
    put_dims(c->b, x);
    buf_puts(c->b, ", yd[] = ");
    put_dims(c->b, shp(c, y_id));
    buf_puts(c->b, ";\n    static const int64_t start[] = ");
    put_i64s(c->b, start, rank);
    buf_puts(c->b, ", step[] = ");
    put_i64s(c->b, step, rank);
    buf_printf(c->b, ";\n    vggrt_slice(%d, xd, start, step, yd, %zu, ", x->rank,
               dtype_size(c->g->values[x_id].dtype));
    put_ptr(c, x_id, false);
    buf_puts(c->b, ", ");
    put_ptr(c, y_id, true);
    buf_puts(c->b, ");\n    }\n");
}

/* Slice: the window slice_window resolves. */
static void emit_slice(Ctx *c, const Node *n)
{
    int64_t start[VGGC_MAX_RANK], step[VGGC_MAX_RANK];
    Shape o;
    slice_window(&n->attr.slice, shp(c, n->in[0]), start, step, &o);
    emit_slice_call(c, n->in[0], n->out[0], start, step);
}

/* Split: each output a slice of the input (split_part). */
static void emit_split(Ctx *c, const Node *n)
{
    for (uint32_t i = 0; i < n->n_out; i++) {
        if (n->out[i] == VGGC_NONE)
            continue;
        int64_t start[VGGC_MAX_RANK], step[VGGC_MAX_RANK];
        split_part(c->g, n, i, start, step);
        emit_slice_call(c, n->in[0], n->out[i], start, step);
    }
}

static void emit_pad(Ctx *c, const Node *n)
{
    const Shape *x = shp(c, n->in[0]), *y = shp(c, n->out[0]);
    buf_puts(c->b, "    const int64_t xd[] = ");
    put_dims(c->b, x);
    buf_puts(c->b, ", yd[] = ");
    put_dims(c->b, y);
    buf_puts(c->b, ";\n    static const int64_t begin[] = ");
    put_i64s(c->b, n->attr.pad.pads, x->rank);
    /* Element-size generic (any dtype); the constant travels as its bits. */
    size_t es = dtype_size(c->g->values[n->out[0]].dtype);
    if (n->attr.pad.mode == PAD_CONSTANT) {
        buf_printf(c->b, ";\n    vggrt_pad(%d, xd, begin, yd, %zu, 0x%llxull, ",
                   x->rank ? x->rank : 1, es, (unsigned long long)plan_pad_value_bits(c->g, n));
    } else {
        buf_printf(c->b, ";\n    vggrt_pad_mode(%s, %d, xd, begin, yd, %zu, ",
                   n->attr.pad.mode == PAD_REFLECT ? "VGGRT_PAD_REFLECT"
                   : n->attr.pad.mode == PAD_EDGE ? "VGGRT_PAD_EDGE" : "VGGRT_PAD_WRAP",
                   x->rank ? x->rank : 1, es);
    }
    put_ptr(c, n->in[0], false);
    buf_puts(c->b, ", ");
    put_ptr(c, n->out[0], true);
    buf_puts(c->b, ");\n");
}

/* A conv's packed weights and its bias (or NULL), as two arguments. */
static void put_conv_weights(Ctx *c, const Node *n)
{
    put_ptr(c, n->in[1], false);
    buf_puts(c->b, ", ");
    put_ptr_or_null(c, node_in(n, 2), false);
}

/* The arguments a conv kernel's call ends with: the batch, x, the weights
 * and bias, y, and the arena's scratch; then the call's end. */
static void put_conv_args(Ctx *c, const Node *n)
{
    put_lead(c, n->in[0]);
    buf_puts(c->b, ", ");
    put_ptr(c, n->in[0], false);
    buf_puts(c->b, ", ");
    put_conv_weights(c, n);
    buf_puts(c->b, ", ");
    put_ptr(c, n->out[0], true);
    buf_puts(c->b, ", (float *)A);\n");
}

/* Conv with its epilogue (activation, max pool): one runtime call.  A
 * chain's (plan_chain_producer) first conv runs inside the second's call
 * and emits nothing itself.  A blocked conv's status is the layer's
 * (Winograd and the chain can lack memory for their scratch): true when
 * the body ends by returning it. */
static bool emit_conv_body(Ctx *c, const Node *n, uint32_t id)
{
    const Node *first = plan_chain_producer(c->g, n), *next = plan_chain_consumer(c->g, n);
    if (next) {
        buf_printf(c->b, "    /* computed inside layer_%u's chain call */\n",
                   plan_layer_index(c->p, next));
        return false;
    }
    if (first) {
        /* The first conv's time goes to its own row of a profile. */
        const uint32_t fl = plan_layer_index(c->p, first);
        buf_printf(c->b,
                   "    double first_ms;\n    const vggrt_status s = %s(&dconv_%u, ",
                   plan_conv_wrow(c->g, first) ? "vggrt_chain_wrow_conv2d" : "vggrt_chain_conv2d",
                   fl);
        put_conv_weights(c, first);
        buf_printf(c->b, ",\n        &dconv_%u, ", id);
        put_conv_weights(c, n);
        buf_puts(c->b, ",\n        ");
        put_lead(c, first->in[0]);
        buf_puts(c->b, ", ");
        put_ptr(c, first->in[0], false);
        buf_puts(c->b, ", ");
        put_ptr(c, n->out[0], true);
        buf_printf(c->b, ", &first_ms);\n    vggrt_layer_part(%u, first_ms);\n    return (int)s;\n",
                   fl);
        return true;
    }
    if (n->out_layout == LAYOUT_BLOCKED) {
        buf_printf(c->b, "    return (int)%s(&dconv_%u, ",
                   plan_conv_winograd(c->g, n) ? "vggrt_wino_conv2d"
                   : plan_conv_wrow(c->g, n)   ? "vggrt_wrow_conv2d"
                                               : "vggrt_dconv2d",
                   id);
        put_conv_args(c, n);
        return true;
    }
    bool three_d = n->attr.win.nsp == 3;    /* no fused pool (fuse-maxpool takes 2-D only) */
    if (three_d)
        buf_printf(c->b, "    vggrt_conv3d(&conv_%u, %d, ", id, plan_act_code(n->epi.act));
    else if (n->epi.act == ACT_NONE && !n->epi.pool_k)
        buf_printf(c->b, "    vggrt_conv2d(&conv_%u, ", id);
    else
        buf_printf(c->b, "    vggrt_conv2d_fused(&conv_%u, %d, ", id, plan_act_code(n->epi.act));
    if (three_d) {
        put_float(c->b, n->epi.alpha);
        buf_puts(c->b, ", ");
        put_float(c->b, n->epi.beta);
        buf_puts(c->b, ", ");
    } else if (n->epi.act != ACT_NONE || n->epi.pool_k) {
        put_float(c->b, n->epi.alpha);
        buf_puts(c->b, ", ");
        put_float(c->b, n->epi.beta);
        if (n->epi.pool_k)
            buf_printf(c->b, ", &conv_%u_pool, ", id);
        else
            buf_puts(c->b, ", NULL, ");
    }
    put_conv_args(c, n);
    return false;
}

/* The body of layer function `id`; true when it ends in a return (the
 * layer's status is its call's), else the caller adds `return 0`. */
static bool emit_body(Ctx *c, const Node *n, uint32_t id)
{
    switch (n->op) {
    case OP_CONV: return emit_conv_body(c, n, id);
    case OP_CONV_TRANSPOSE:
        buf_printf(c->b, "    vggrt_conv_transpose(&conv_%u, ", id);
        put_conv_args(c, n);
        return false;
    case OP_MAXPOOL:
    case OP_AVGPOOL:
        if (n->op == OP_MAXPOOL && n->n_out > 1 && n->out[1] != VGGC_NONE) {
            /* with Indices: plain layout only (assign-layout keeps it so) */
            buf_printf(c->b, "    vggrt_maxpool%dd_indices(&pool_%u, %d, ",
                       n->attr.win.nsp == 3 ? 3 : 2, id, n->attr.win.storage_order ? 1 : 0);
            put_lead(c, n->in[0]);
            buf_puts(c->b, ", ");
            put_ptr(c, n->in[0], false);
            buf_puts(c->b, ", ");
            put_ptr(c, n->out[0], true);
            buf_puts(c->b, ", ");
            put_ptr(c, n->out[1], true);
            buf_puts(c->b, ");\n");
            break;
        }
        if (c->g->values[n->out[0]].dtype != DT_FLOAT)    /* an integer MaxPool, plain */
            buf_printf(c->b, "    vggrt_maxpool%dd_int(%d, ", n->attr.win.nsp == 3 ? 3 : 2,
                       rt_dtype(c->g->values[n->out[0]].dtype));
        else
            buf_printf(c->b, "    vggrt_%spool%dd%s(", n->op == OP_MAXPOOL ? "max" : "avg",
                       n->attr.win.nsp == 3 ? 3 : 2,
                       n->in_layout == LAYOUT_BLOCKED ? "_blocked" : "");
        if (n->in_layout == LAYOUT_BLOCKED)
            buf_printf(c->b, "%d, ", graph_block(c->g));   /* the block */
        buf_printf(c->b, "&pool_%u, ", id);
        put_lead(c, n->in[0]);
        buf_puts(c->b, ", ");
        put_ptr(c, n->in[0], false);
        buf_puts(c->b, ", ");
        put_ptr(c, n->out[0], true);
        buf_puts(c->b, ");\n");
        break;
    case OP_RELU: case OP_SIGMOID: case OP_LEAKY_RELU: case OP_TANH: case OP_HARD_SIGMOID:
    case OP_HARD_SWISH: case OP_ABS: case OP_NEG: case OP_EXP: case OP_LOG: case OP_SQRT:
    case OP_RECIPROCAL: case OP_CEIL: case OP_FLOOR: case OP_ROUND: case OP_SIGN: case OP_ERF:
    case OP_SIN: case OP_COS: case OP_ELU: case OP_SELU: case OP_SOFTPLUS: case OP_SOFTSIGN:
    case OP_THRESHOLDED_RELU:
        emit_unary(c, n);
        break;
    case OP_CLIP: emit_clip(c, n); break;
    case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV: case OP_PRELU: case OP_MOD:
        emit_binary(c, n);
        break;
    case OP_POW: emit_pow(c, n); break;
    case OP_SUM: case OP_MAX: case OP_MIN: emit_variadic(c, n); break;
    case OP_ARGMAX: case OP_ARGMIN: emit_arg(c, n); break;
    case OP_SLICE: emit_slice(c, n); break;
    case OP_SPLIT: emit_split(c, n); break;
    case OP_GLOBAL_AVGPOOL: case OP_GLOBAL_MAXPOOL: {
        if (n->in_layout == LAYOUT_BLOCKED) {
            const Shape *x = shp(c, n->in[0]);
            buf_printf(c->b, "    vggrt_global_pool_blocked(%d, %d, ", graph_block(c->g),
                       n->op == OP_GLOBAL_MAXPOOL);
            put_lead(c, n->in[0]);
            buf_printf(c->b, ", %lld, ", (long long)x->d[1]);
            put_size(c->b, size_of_dims(x, 2, x->rank));
            buf_puts(c->b, ", ");
            put_ptr(c, n->in[0], false);
            buf_puts(c->b, ", ");
            put_ptr(c, n->out[0], true);
            buf_puts(c->b, ");\n");
            break;
        }
        unsigned mask = 0;
        for (int i = 2; i < shp(c, n->in[0])->rank; i++)
            mask |= 1u << i;
        const char *name;
        plan_reduce_op(n->op, &name);
        emit_reduce(c, n, name, mask);
        break;
    }
    case OP_REDUCE_MEAN: case OP_REDUCE_MAX: case OP_REDUCE_SUM: case OP_REDUCE_MIN:
    case OP_REDUCE_PROD: case OP_REDUCE_SUM_SQUARE: case OP_REDUCE_L1:
    case OP_REDUCE_L2: case OP_REDUCE_LOG_SUM: case OP_REDUCE_LOG_SUM_EXP: {
        const Shape *x = shp(c, n->in[0]);
        const AxesAttr *a = &n->attr.axes;
        unsigned mask = 0;
        for (int i = 0; i < a->n_axes; i++)
            mask |= 1u << (a->axes[i] < 0 ? a->axes[i] + x->rank : a->axes[i]);
        if (a->n_axes == 0 && a->noop_with_empty_axes) {
            emit_copy(c, n);
            break;
        }
        if (a->n_axes == 0)
            mask = (1u << x->rank) - 1;
        const char *name;
        plan_reduce_op(n->op, &name);
        emit_reduce(c, n, name, mask);
        break;
    }
    case OP_GEMM: emit_gemm(c, n); break;
    case OP_MATMUL: emit_matmul(c, n); break;
    case OP_BATCHNORM: emit_batchnorm(c, n); break;
    case OP_SOFTMAX: case OP_LOG_SOFTMAX: emit_softmax(c, n); break;
    case OP_LAYER_NORM: emit_layernorm(c, n); break;
    case OP_TRANSPOSE: emit_transpose(c, n); break;
    case OP_GATHER: emit_gather(c, n); break;
    case OP_GATHER_ELEMENTS: emit_gather_elements(c, n); break;
    case OP_CONCAT: emit_concat(c, n); break;
    case OP_PAD: emit_pad(c, n); break;
    case OP_RESIZE: emit_resize(c, n); break;
    case OP_INSTANCE_NORM: emit_instancenorm(c, n); break;
    case OP_CAST: {
        /* Only text can fail (an element that is not a number): then the
         * status is the layer's. */
        bool text = c->g->values[n->in[0]].dtype == DT_STRING ||
                    c->g->values[n->out[0]].dtype == DT_STRING;
        buf_printf(c->b, "    %svggrt_cast(%d, %d, ", text ? "return (int)" : "",
                   rt_dtype(c->g->values[n->in[0]].dtype), rt_dtype(c->g->values[n->out[0]].dtype));
        put_count(c, n->in[0]);
        buf_puts(c->b, ", ");
        put_ptr(c, n->in[0], false);
        buf_puts(c->b, ", ");
        put_ptr(c, n->out[0], true);
        buf_puts(c->b, ");\n");
        return text;
    }
    case OP_LRN: {
        const Shape *x = shp(c, n->in[0]);
        if (n->in_layout == LAYOUT_BLOCKED)     /* assign-layout checked the size */
            buf_printf(c->b, "    vggrt_lrn_blocked(%d, ", graph_block(c->g));
        else
            buf_puts(c->b, "    vggrt_lrn(");
        put_lead(c, n->in[0]);
        buf_printf(c->b, ", %lld, ", (long long)x->d[1]);
        put_size(c->b, size_of_dims(x, 2, x->rank));
        buf_printf(c->b, ", %lld, ", (long long)n->attr.lrn.size);
        put_float(c->b, n->attr.lrn.alpha);
        buf_puts(c->b, ", ");
        put_float(c->b, n->attr.lrn.beta);
        buf_puts(c->b, ", ");
        put_float(c->b, n->attr.lrn.bias);
        buf_puts(c->b, ", ");
        put_ptr(c, n->in[0], false);
        buf_puts(c->b, ", ");
        put_ptr(c, n->out[0], true);
        buf_puts(c->b, ");\n");
        break;
    }
    case OP_IDENTITY: emit_copy(c, n); break;
    case OP_DROPOUT:    /* inference: a copy, and a mask (if kept) of all true */
        emit_copy(c, n);
        if (n->n_out > 1 && n->out[1] != VGGC_NONE) {
            buf_puts(c->b, "    memset(");
            put_ptr(c, n->out[1], true);
            buf_puts(c->b, ", 1, ");
            put_count(c, n->out[1]);
            buf_puts(c->b, ");\n");
        }
        break;
    case OP_RESHAPE: case OP_FLATTEN: case OP_SQUEEZE: case OP_UNSQUEEZE:
        if (n->in_layout == LAYOUT_BLOCKED) {
            const Shape *x = shp(c, n->in[0]);
            buf_printf(c->b, "    vggrt_from_blocked(%d, ", graph_block(c->g));
            put_lead(c, n->in[0]);
            buf_printf(c->b, ", %lld, %lld, ", (long long)x->d[1], (long long)(x->d[2] * x->d[3]));
            put_ptr(c, n->in[0], false);
            buf_puts(c->b, ", ");
            put_ptr(c, n->out[0], true);
            buf_puts(c->b, ");  /* back to plain NCHW */\n");
        } else {
            buf_puts(c->b, "    /* a view: no data moves */\n");
        }
        break;
    case OP_SHAPE: case OP_CONSTANT: case OP_CAST_LIKE: case OP_UPSAMPLE: case OP_CONSTANT_OF_SHAPE:
    case OP_SIZE:
    case OP_DEAD:
        VGGC_UNREACHABLE();   /* folded or never in the IR */
    }
    return false;
}

/* ---- the files ------------------------------------------------------------ */

static void emit_tensor_info(Ctx *c, const char *name, const char *what, const uint32_t *ids,
                             uint32_t count)
{
    buf_printf(c->b, "const %s_tensor_info %s_%s_info[%u] = {\n", name, name, what, count ? count : 1);
    for (uint32_t i = 0; i < count; i++) {
        IoInfo r = plan_io_info(c->g, ids[i], what[0] == 'o');
        buf_printf(c->b, "    {\"%s\", %d, %d, {", c_identifier(&c->g->arena, c->g->values[ids[i]].name),
                   r.dtype, r.rank);
        for (int j = 0; j < r.rank; j++)
            buf_printf(c->b, "%s%lld", j ? ", " : "", (long long)r.dims[j]);
        if (r.rank <= 0)
            buf_puts(c->b, "0");
        buf_printf(c->b, "}, %d, %d, {", r.unread, r.nwrap);
        for (int j = 0; j < VGGRT_MAX_WRAP; j++)
            buf_printf(c->b, "%s%d", j ? ", " : "", r.wrap[j]);
        buf_printf(c->b, "}, %d},\n", r.source);
    }
    if (count == 0)
        buf_puts(c->b, "    {\"\", 0, 0, {0}, 0, 0, {0, 0, 0, 0}, -1},\n");
    buf_puts(c->b, "};\n\n");
}

void emit_c_header(Buf *b, const Graph *g, const CEmitOptions *o)
{
    const char *N = o->name;
    bool simple = plan_simple_api(g);
    buf_printf(b, "/* %s.h — generated by vggc %s from %s.  Do not edit. */\n", N, VGGC_VERSION,
               o->model_label);
    buf_printf(b, "#ifndef %s_H\n#define %s_H\n\n#include <stdint.h>\n\n", N, N);
    buf_puts(b, "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
    buf_printf(b, "typedef struct %s_model %s_model;\n\n", N, N);
    buf_printf(b, "/* A tensor the network reads or writes.  dtype: ONNX codes (1 = float32,\n"
                  " * 7 = int64).  dims[0] == -1 is the batch, chosen at each run.  unread: an\n"
                  " * input no node reads the data of (CastLike's target_type, or unused): its\n"
                  " * buffer is never read, so any shape will do (the driver checks only its\n"
                  " * dtype; ONNX's runners accept it so too).\n"
                  " * nwrap > 0: a sequence or optional value (ONNX SequenceProto /\n"
                  " * OptionalProto files; vggrt_value_read checks one): wrap[0..nwrap)\n"
                  " * are its containers, outermost first (1 sequence, 2 optional), and\n"
                  " * dtype/rank/dims describe its tensors (rank -1 or a dim -1: not\n"
                  " * declared).  The network passes such a value on unchanged: output k\n"
                  " * is input source, which the caller copies; run_multi neither reads\n"
                  " * inputs[i] nor writes outputs[k] for one (NULL is fine). */\n"
                  "typedef struct {\n    const char *name;\n    int dtype;\n    int rank;\n"
                  "    int64_t dims[8];\n    int unread;\n    int nwrap;\n    int wrap[4];\n"
                  "    int source;\n} %s_tensor_info;\n\n", N);
    buf_printf(b, "#define %s_NUM_INPUTS %u\n#define %s_NUM_OUTPUTS %u\n", N, g->n_inputs, N,
               g->n_outputs);
    bool batched = false;
    for (uint32_t i = 0; i < g->n_inputs; i++)
        batched |= shape_is_batched(&g->values[g->inputs[i]].shape);
    buf_printf(b, "#define %s_BATCHED %d  /* 1: the leading dimension is the batch */\n", N, batched);
    for (int io = 0; io < 2; io++) {
        const uint32_t *ids = io ? g->outputs : g->inputs;
        uint32_t count = io ? g->n_outputs : g->n_inputs;
        for (uint32_t i = 0; i < count; i++) {
            const Value *v = &g->values[ids[i]];
            char dims[256], safe[256];
            size_t per;
            if (v->wrap) {
                wrap_format(v->wrap, v->dtype, dims, sizeof dims);
                buf_printf(b, "/* %s %u '%s': %s, passed on unchanged */\n",
                           io ? "output" : "input", i, comment_text(v->name, safe, sizeof safe),
                           dims);
                continue;
            }
            shape_format(&v->shape, dims, sizeof dims, "batch");
            VGGC_ASSERT(shape_numel_per_item(&v->shape, &per));
            buf_printf(b, "/* %s %u '%s': %s %s%s */\n", io ? "output" : "input", i,
                       comment_text(v->name, safe, sizeof safe),
                       dtype_name(v->dtype), dims,
                       !io && v->unread ? "; unread: no node reads it, any shape is accepted"
                                        : "");
            buf_printf(b, "#define %s_%s%u_SIZE %zu  /* elements per batch item */\n", N,
                       io ? "OUTPUT" : "INPUT", i, per);
        }
    }
    if (o->n_bound) {
        /* A bound input is folded into the network: not among the above. */
        buf_puts(b, "/* Bound at compile time (vggc compile --bind), constants of this model, "
                    "not inputs:");
        for (size_t i = 0; i < o->n_bound; i++) {
            char safe[256];
            buf_printf(b, "%s '%s'", i ? "," : "", comment_text(o->bound[i], safe, sizeof safe));
        }
        buf_puts(b, " */\n");
    }
    buf_printf(b, "\nextern const %s_tensor_info %s_input_info[];\n", N, N);
    buf_printf(b, "extern const %s_tensor_info %s_output_info[];\n\n", N, N);
    buf_printf(b, "/* Opens the weights file, checking magic, version, model name, size and\n"
                  " * checksum.  NULL on failure, with *err (if err is not NULL) pointing to a\n"
                  " * message valid until the next failing call. */\n"
                  "%s_model *%s_open(const char *weights_path, const char **err);\n\n", N, N);
    buf_printf(b, "/* Runs the network on `batch` items (1 for a model without a batch\n"
                  " * dimension).  inputs[i]/outputs[i]: C-order buffers of the types and\n"
                  " * shapes above.  Returns 0, or a vggrt_status.  Not reentrant: one run\n"
                  " * at a time per model. */\n"
                  "int %s_run_multi(%s_model *m, const void *const *inputs, void *const *outputs,\n"
                  "    int64_t batch);\n", N, N);
    if (simple)
        buf_printf(b, "/* The same for this network's one float input and one float output. */\n"
                      "int %s_run(%s_model *m, const float *input, float *output, int64_t batch);\n",
                   N, N);
    buf_printf(b, "\n/* Frees the model (NULL is fine). */\nvoid %s_close(%s_model *m);\n\n", N, N);
    buf_puts(b, "#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
}

static void emit_source(Ctx *c, const CEmitOptions *o, uint64_t checksum)
{
    Buf *b = c->b;
    const Plan *p = c->p;
    Graph *g = c->g;
    const char *N = o->name;
    buf_printf(b, "/* %s.c — generated by vggc %s from %s.  Do not edit.\n"
                  " * %u layers; weights %llu bytes; arena %llu bytes + %llu per batch item. */\n",
               N, VGGC_VERSION, o->model_label, p->n_layers,
               (unsigned long long)p->weights_size, (unsigned long long)p->static_bytes,
               (unsigned long long)p->batch_bytes);
    buf_printf(b, "#include \"%s.h\"\n#include \"vggrt.h\"\n\n#include <math.h>\n#include <stddef.h>\n"
                  "#include <stdint.h>\n#include <stdlib.h>\n#include <string.h>\n\n", N);
    buf_printf(b, "#define WEIGHTS_SIZE %lluull\n#define WEIGHTS_CHECKSUM 0x%016llxull\n"
                  "#define STATIC_BYTES %lluull\n#define BATCH_BYTES %lluull\n\n",
               (unsigned long long)p->weights_size, (unsigned long long)checksum,
               (unsigned long long)p->static_bytes, (unsigned long long)p->batch_bytes);
    buf_printf(b, "struct %s_model {\n    vggrt_weights weights;\n    unsigned char *arena;\n"
                  "    int64_t arena_batch;  /* the batch the arena is sized for */\n};\n\n", N);
    emit_tensor_info(c, N, "input", g->inputs, g->n_inputs);
    emit_tensor_info(c, N, "output", g->outputs, g->n_outputs);

    for (uint32_t l = 0; l < p->n_layers; l++)
        emit_params(c, &g->nodes[p->layers[l]], l);

    for (uint32_t l = 0; l < p->n_layers; l++) {
        const Node *n = &g->nodes[p->layers[l]];
        char in_shape[128], out_shape[128], safe[256];
        shape_format(shp(c, n->in[0] != VGGC_NONE ? n->in[0] : n->out[0]), in_shape,
                     sizeof in_shape, NULL);
        shape_format(shp(c, n->out[0]), out_shape, sizeof out_shape, NULL);
        buf_printf(b, "/* %s (%s): %s -> %s */\n", comment_text(n->name, safe, sizeof safe), op_name(n->op),
                   in_shape, out_shape);
        buf_printf(b, "static int layer_%u(int64_t n, unsigned char *A, const unsigned char *W,\n"
                      "    const void *const *in)\n{\n", l);
        buf_puts(b, "    (void)n; (void)A; (void)W; (void)in;\n");
        if (!emit_body(c, n, l))
            buf_puts(b, "    return 0;\n");
        buf_puts(b, "}\n\n");
    }

    buf_printf(b, "static char error_text[512];\n\n");
    buf_printf(b,
        "%s_model *%s_open(const char *weights_path, const char **err)\n{\n"
        "    %s_model *m = calloc(1, sizeof *m);\n"
        "    if (!m) {\n"
        "        if (err)\n            *err = \"out of memory\";\n"
        "        return NULL;\n    }\n"
        "    if (vggrt_weights_open(weights_path, \"%s\", WEIGHTS_SIZE, WEIGHTS_CHECKSUM, &m->weights,\n"
        "                           error_text, sizeof error_text) != VGGRT_OK) {\n"
        "        free(m);\n"
        "        if (err)\n            *err = error_text;\n"
        "        return NULL;\n    }\n"
        "    return m;\n}\n\n", N, N, N, N);
    buf_printf(b,
        "void %s_close(%s_model *m)\n{\n    if (!m)\n        return;\n"
        "    vggrt_weights_close(&m->weights);\n    vggrt_aligned_free(m->arena);\n    free(m);\n}\n\n",
        N, N);
    buf_printf(b,
        "/* Sizes the arena for `batch` items; allocates only when the batch grows. */\n"
        "static int reserve(%s_model *m, int64_t batch)\n{\n"
        "    if (batch <= m->arena_batch)\n        return 0;\n"
        "    if (BATCH_BYTES && (uint64_t)batch > (SIZE_MAX - STATIC_BYTES) / (BATCH_BYTES ? BATCH_BYTES : 1))\n"
        "        return VGGRT_ERR_ARG;\n"
        "    unsigned char *a = vggrt_aligned_alloc((size_t)(STATIC_BYTES + (uint64_t)batch * BATCH_BYTES) + 64);\n"
        "    if (!a)\n        return VGGRT_ERR_NOMEM;\n"
        "    vggrt_aligned_free(m->arena);\n    m->arena = a;\n    m->arena_batch = batch;\n"
        "    return 0;\n}\n\n", N);
    bool batched = false;
    for (uint32_t i = 0; i < g->n_inputs; i++)
        batched |= shape_is_batched(&g->values[g->inputs[i]].shape);
    buf_printf(b,
        "int %s_run_multi(%s_model *m, const void *const *inputs, void *const *outputs,\n"
        "    int64_t batch)\n{\n"
        "    int rc;\n"
        "    if (!m || batch < 1 || (!%s_BATCHED && batch != 1))\n        return VGGRT_ERR_ARG;\n"
        "    if ((rc = reserve(m, batch)) != 0)\n        return rc;\n"
        "    {\n"
        "    const int64_t n = batch;\n"
        "    const unsigned char *W = m->weights.data;\n"
        "    unsigned char *A = m->arena;\n"
        "    const void *const *in = inputs;\n"
        "    (void)n; (void)W; (void)A; (void)in; (void)outputs;\n", N, N, N);
    /* vggrt_layer_done: a no-op unless a per-layer profile is active. */
    buf_puts(b, "    vggrt_layer_done(-1);\n");
    for (uint32_t l = 0; l < p->n_layers; l++)
        buf_printf(b, "    if ((rc = layer_%u(n, A, W, in)) != 0)\n        return rc;\n"
                      "    vggrt_layer_done(%u);\n", l, l);
    for (uint32_t i = 0; i < g->n_outputs; i++) {
        uint32_t v = g->outputs[i];
        if (g->values[v].wrap)
            continue;       /* a sequence or optional: the caller passes its input on */
        buf_printf(b, "    memcpy(outputs[%u], ", i);
        put_ptr(c, v, false);
        buf_puts(b, ", (");
        put_count(c, v);
        buf_printf(b, ") * sizeof(%s));\n", ctype(g->values[v].dtype));
    }
    buf_puts(b, "    }\n    return 0;\n}\n");
    (void)batched;
    if (plan_simple_api(g))
        buf_printf(b,
            "\nint %s_run(%s_model *m, const float *input, float *output, int64_t batch)\n{\n"
            "    const void *in[1];\n    void *out[1];\n"
            "    in[0] = input;\n    out[0] = output;\n"
            "    return %s_run_multi(m, in, out, batch);\n}\n", N, N, N);
}

bool emit_c(const Plan *p, const CEmitOptions *o, uint64_t weights_checksum, CFiles *out)
{
    Graph *g = p->g;
    Ctx c = {p, g, &out->source};
    emit_c_header(&out->header, g, o);
    emit_source(&c, o, weights_checksum);
    emit_c_driver(&out->main, o);
    emit_c_makefile(&out->makefile, o);
    return true;
}
