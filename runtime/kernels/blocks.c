/* blocks.c — the blocked kernels' public entry points: each checks the
 * block it is given (8 or 16 channels; in vggrt_dconv_params 0 stands for
 * 16, so that zeroed parameters keep meaning NCHW16c) and calls the copy
 * of the kernel compiled for that width (blocks.h).  Any other block does
 * nothing and returns VGGRT_ERR_ARG; the size queries return 0 for it.
 * Winograd and the chain can also fail for want of memory (their
 * per-thread scratch, VGGRT_ERR_NOMEM).
 *
 * Grouped convolutions, direct and Winograd (conv.group > 1,
 * vggrt_dconv_groups_apply: each group whole blocks of input and output
 * channels; a group of 0 means 1, as in zeroed parameters), run here, one
 * group of one batch item at a time: the channel blocks of group g of
 * item i are contiguous in a blocked tensor, as are its planes in NCHW,
 * so each call is the group's own convolution at batch 1, on pointers
 * into x, y, the weights (each group's packed after the previous one's)
 * and the bias.  The kernels never see a group.
 */
#include "blocks.h"

static int param_block(const vggrt_dconv_params *p) {
    return p->block == 0 ? 16 : p->block;
}

/* Calls f_b8 or f_b16 for block b and returns VGGRT_OK, or VGGRT_ERR_ARG. */
#define DISPATCH(b, f, ...)                                                                    \
    do {                                                                                       \
        switch (b) {                                                                           \
        case 8: vggrt__##f##_b8(__VA_ARGS__); return VGGRT_OK;                                 \
        case 16: vggrt__##f##_b16(__VA_ARGS__); return VGGRT_OK;                               \
        default: return VGGRT_ERR_ARG;                                                         \
        }                                                                                      \
    } while (0)

/* The status of f_b8 or f_b16 for block b, or VGGRT_ERR_ARG. */
#define DISPATCH_STATUS(b, f, ...)                                                             \
    do {                                                                                       \
        switch (b) {                                                                           \
        case 8: return vggrt__##f##_b8(__VA_ARGS__);                                           \
        case 16: return vggrt__##f##_b16(__VA_ARGS__);                                         \
        default: return VGGRT_ERR_ARG;                                                         \
        }                                                                                      \
    } while (0)

/* The value of f_b8 or f_b16 for block b, or 0. */
#define QUERY(b, f, ...)                                                                       \
    do {                                                                                       \
        switch (b) {                                                                           \
        case 8: return vggrt__##f##_b8(__VA_ARGS__);                                           \
        case 16: return vggrt__##f##_b16(__VA_ARGS__);                                         \
        default: return 0;                                                                     \
        }                                                                                      \
    } while (0)

int vggrt_dconv_groups_apply(const vggrt_dconv_params *p) {
    const vggrt_conv_params *q = &p->conv;
    const int64_t g = q->group, b = param_block(p);
    if (g <= 1)
        return 1;
    return q->c % g == 0 && q->k % g == 0 && q->c / g % b == 0 && q->k / g % b == 0 &&
           (p->in_layout == VGGRT_LAYOUT_NCHW || p->in_layout == VGGRT_LAYOUT_BLOCKED);
}

/* One group of a grouped layer: its channels, group 1. */
static vggrt_dconv_params one_group(const vggrt_dconv_params *p) {
    vggrt_dconv_params q = *p;
    q.conv.c /= p->conv.group;
    q.conv.k /= p->conv.group;
    q.conv.group = 1;
    return q;
}

/* The kernels of one width, ungrouped (the direct convolution's and
 * Winograd's share these signatures). */
typedef size_t (*SizeFn)(const vggrt_dconv_params *p);
typedef vggrt_status (*PackFn)(const vggrt_dconv_params *p, const float *w, float *packed);
typedef vggrt_status (*ConvFn)(const vggrt_dconv_params *p, int64_t n, const float *x,
                               const float *packed, const float *b, float *y, float *work);

static size_t dconv_packed_size(const vggrt_dconv_params *p) {
    QUERY(param_block(p), dconv_packed_size, p);
}

static vggrt_status dconv_pack(const vggrt_dconv_params *p, const float *w, float *packed) {
    DISPATCH(param_block(p), dconv_pack, p, w, packed);
}

static size_t dconv_work_size(const vggrt_dconv_params *p) {
    QUERY(param_block(p), dconv_work_size, p);
}

static vggrt_status dconv2d(const vggrt_dconv_params *p, int64_t n, const float *x,
                            const float *packed, const float *b, float *y, float *work) {
    DISPATCH(param_block(p), dconv2d, p, n, x, packed, b, y, work);
}

static size_t wino_packed_size(const vggrt_dconv_params *p) {
    QUERY(param_block(p), wino_packed_size, p);
}

static vggrt_status wino_pack(const vggrt_dconv_params *p, const float *w, float *packed) {
    DISPATCH(param_block(p), wino_pack, p, w, packed);
}

static size_t wino_work_size(const vggrt_dconv_params *p) {
    QUERY(param_block(p), wino_work_size, p);
}

static vggrt_status wino_conv2d(const vggrt_dconv_params *p, int64_t n, const float *x,
                                const float *packed, const float *b, float *y, float *work) {
    DISPATCH_STATUS(param_block(p), wino_conv2d, p, n, x, packed, b, y, work);
}

/* A size for every group (packed weights: group times one group's; work:
 * one group's), 0 for groups the kernels do not take. */
static size_t grouped_size(const vggrt_dconv_params *p, SizeFn size, int per_group) {
    if (p->conv.group <= 1)
        return size(p);
    if (!vggrt_dconv_groups_apply(p))
        return 0;
    const vggrt_dconv_params q = one_group(p);
    return (per_group ? (size_t)p->conv.group : 1) * size(&q);
}

/* Each group's weights (k / group filters of w each), packed one after
 * another. */
static vggrt_status grouped_pack(const vggrt_dconv_params *p, const float *w, float *packed,
                                 SizeFn size, PackFn pack) {
    if (p->conv.group <= 1)
        return pack(p, w, packed);
    if (!vggrt_dconv_groups_apply(p))
        return VGGRT_ERR_ARG;
    const vggrt_dconv_params q = one_group(p);
    const size_t np = size(&q);
    const int64_t nw = q.conv.k * q.conv.c * q.conv.kh * q.conv.kw;
    for (int64_t g = 0; g < p->conv.group; g++) {
        const vggrt_status st = pack(&q, w + g * nw, packed + (size_t)g * np);
        if (st != VGGRT_OK)
            return st;
    }
    return VGGRT_OK;
}

/* The layer group by group of each item: a group's input channels (whole
 * blocks, or NCHW planes) and its output blocks are contiguous. */
static vggrt_status grouped_conv(const vggrt_dconv_params *p, int64_t n, const float *x,
                                 const float *packed, const float *b, float *y, float *work,
                                 SizeFn size, ConvFn conv) {
    if (p->conv.group <= 1)
        return conv(p, n, x, packed, b, y, work);
    if (!vggrt_dconv_groups_apply(p))
        return VGGRT_ERR_ARG;
    const vggrt_dconv_params q = one_group(p);
    const int64_t G = p->conv.group;
    /* Floats of one group's input (NCHW or whole blocks: the same count)
     * and output, and of its packed weights. */
    const int64_t xg = q.conv.c * q.conv.h * q.conv.w, yg = q.conv.k * p->py * p->px;
    const size_t np = size(&q);
    for (int64_t i = 0; i < n; i++)
        for (int64_t g = 0; g < G; g++) {
            const vggrt_status st =
                conv(&q, 1, x + (i * G + g) * xg, packed + (size_t)g * np,
                     b ? b + g * q.conv.k : NULL, y + (i * G + g) * yg, work);
            if (st != VGGRT_OK)
                return st;
        }
    return VGGRT_OK;
}

size_t vggrt_dconv_packed_size(const vggrt_dconv_params *p) {
    return grouped_size(p, dconv_packed_size, 1);
}

vggrt_status vggrt_dconv_pack(const vggrt_dconv_params *p, const float *w, float *packed) {
    return grouped_pack(p, w, packed, dconv_packed_size, dconv_pack);
}

size_t vggrt_dconv_work_size(const vggrt_dconv_params *p) {
    return grouped_size(p, dconv_work_size, 0);
}

vggrt_status vggrt_dconv2d(const vggrt_dconv_params *p, int64_t n, const float *x,
                           const float *packed, const float *b, float *y, float *work) {
    return grouped_conv(p, n, x, packed, b, y, work, dconv_packed_size, dconv2d);
}

int vggrt_wrow_applies(const vggrt_dconv_params *p) {
    QUERY(param_block(p), wrow_applies, p);
}

size_t vggrt_wrow_packed_size(const vggrt_dconv_params *p) {
    QUERY(param_block(p), wrow_packed_size, p);
}

vggrt_status vggrt_wrow_pack(const vggrt_dconv_params *p, const float *w, float *packed) {
    DISPATCH(param_block(p), wrow_pack, p, w, packed);
}

vggrt_status vggrt_wrow_conv2d(const vggrt_dconv_params *p, int64_t n, const float *x,
                               const float *packed, const float *b, float *y, float *work) {
    DISPATCH(param_block(p), wrow_conv2d, p, n, x, packed, b, y, work);
}

int vggrt_wino_applies(const vggrt_dconv_params *p) {
    if (p->conv.group > 1) {
        const vggrt_dconv_params q = one_group(p);
        return vggrt_dconv_groups_apply(p) && vggrt_wino_applies(&q);
    }
    QUERY(param_block(p), wino_applies, p);
}

size_t vggrt_wino_packed_size(const vggrt_dconv_params *p) {
    return grouped_size(p, wino_packed_size, 1);
}

vggrt_status vggrt_wino_pack(const vggrt_dconv_params *p, const float *w, float *packed) {
    return grouped_pack(p, w, packed, wino_packed_size, wino_pack);
}

size_t vggrt_wino_work_size(const vggrt_dconv_params *p) {
    return grouped_size(p, wino_work_size, 0);
}

vggrt_status vggrt_wino_conv2d(const vggrt_dconv_params *p, int64_t n, const float *x,
                               const float *packed, const float *b, float *y, float *work) {
    return grouped_conv(p, n, x, packed, b, y, work, wino_packed_size, wino_conv2d);
}

int vggrt_chain_applies(const vggrt_dconv_params *p1, const vggrt_dconv_params *p2) {
    if (param_block(p1) != param_block(p2) || p1->conv.group > 1 || p2->conv.group > 1)
        return 0;
    QUERY(param_block(p1), chain_applies, p1, p2);
}

vggrt_status vggrt_chain_conv2d(const vggrt_dconv_params *p1, const float *packed1,
                                const float *b1, const vggrt_dconv_params *p2,
                                const float *packed2, const float *b2, int64_t n,
                                const float *x, float *y, double *direct_ms) {
    if (param_block(p1) != param_block(p2))
        return VGGRT_ERR_ARG;
    DISPATCH_STATUS(param_block(p1), chain_conv2d, p1, packed1, b1, p2, packed2, b2, n, x, y,
                    direct_ms);
}

vggrt_status vggrt_chain_wrow_conv2d(const vggrt_dconv_params *p1, const float *packed1,
                                     const float *b1, const vggrt_dconv_params *p2,
                                     const float *packed2, const float *b2, int64_t n,
                                     const float *x, float *y, double *direct_ms) {
    if (param_block(p1) != param_block(p2))
        return VGGRT_ERR_ARG;
    DISPATCH_STATUS(param_block(p1), chain_wrow_conv2d, p1, packed1, b1, p2, packed2, b2, n, x,
                    y, direct_ms);
}

vggrt_status vggrt_to_blocked(int block, int in_layout, int64_t n, int64_t c, int64_t hw,
                              const float *x, float *y) {
    DISPATCH(block, to_blocked, in_layout, n, c, hw, x, y);
}

vggrt_status vggrt_from_blocked(int block, int64_t n, int64_t c, int64_t hw, const float *x,
                                float *y) {
    DISPATCH(block, from_blocked, n, c, hw, x, y);
}

vggrt_status vggrt_maxpool2d_blocked(int block, const vggrt_pool_params *p, int64_t n,
                                     const float *x, float *y) {
    DISPATCH(block, maxpool2d_blocked, p, n, x, y);
}

vggrt_status vggrt_avgpool2d_blocked(int block, const vggrt_pool_params *p, int64_t n,
                                     const float *x, float *y) {
    DISPATCH(block, avgpool2d_blocked, p, n, x, y);
}

vggrt_status vggrt_global_pool_blocked(int block, int is_max, int64_t n, int64_t c, int64_t hw,
                                       const float *x, float *y) {
    DISPATCH(block, global_pool_blocked, is_max, n, c, hw, x, y);
}

vggrt_status vggrt_lrn_blocked(int block, int64_t n, int64_t c, int64_t hw, int64_t size,
                               float alpha, float beta, float bias, const float *x, float *y) {
    if (size < 1 || size > VGGRT_LRN_BLOCKED_MAX_SIZE)
        return VGGRT_ERR_ARG;
    DISPATCH(block, lrn_blocked, n, c, hw, size, alpha, beta, bias, x, y);
}
