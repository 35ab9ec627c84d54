/* blocks.c — the blocked kernels' public entry points: each checks the
 * block it is given (8 or 16 channels; in vggrt_dconv_params 0 stands for
 * 16, so that zeroed parameters keep meaning NCHW16c) and calls the copy
 * of the kernel compiled for that width (blocks.h).  Any other block does
 * nothing and returns VGGRT_ERR_ARG; the size queries return 0 for it.
 * Winograd and the chain can also fail for want of memory (their
 * per-thread scratch, VGGRT_ERR_NOMEM).
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

size_t vggrt_dconv_packed_size(const vggrt_dconv_params *p) {
    QUERY(param_block(p), dconv_packed_size, p);
}

vggrt_status vggrt_dconv_pack(const vggrt_dconv_params *p, const float *w, float *packed) {
    DISPATCH(param_block(p), dconv_pack, p, w, packed);
}

size_t vggrt_dconv_work_size(const vggrt_dconv_params *p) {
    QUERY(param_block(p), dconv_work_size, p);
}

vggrt_status vggrt_dconv2d(const vggrt_dconv_params *p, int64_t n, const float *x,
                           const float *packed, const float *b, float *y, float *work) {
    DISPATCH(param_block(p), dconv2d, p, n, x, packed, b, y, work);
}

int vggrt_wino_applies(const vggrt_dconv_params *p) {
    QUERY(param_block(p), wino_applies, p);
}

size_t vggrt_wino_packed_size(const vggrt_dconv_params *p) {
    QUERY(param_block(p), wino_packed_size, p);
}

vggrt_status vggrt_wino_pack(const vggrt_dconv_params *p, const float *w, float *packed) {
    DISPATCH(param_block(p), wino_pack, p, w, packed);
}

size_t vggrt_wino_work_size(const vggrt_dconv_params *p) {
    QUERY(param_block(p), wino_work_size, p);
}

int vggrt_chain_applies(const vggrt_dconv_params *p1, const vggrt_dconv_params *p2) {
    if (param_block(p1) != param_block(p2))
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

vggrt_status vggrt_wino_conv2d(const vggrt_dconv_params *p, int64_t n, const float *x,
                               const float *packed, const float *b, float *y, float *work) {
    DISPATCH_STATUS(param_block(p), wino_conv2d, p, n, x, packed, b, y, work);
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
