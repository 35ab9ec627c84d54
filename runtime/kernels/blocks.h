/* blocks.h — the blocked kernels, once per block width.
 *
 * The blocked layout keeps B channels side by side, B being the compile
 * target's vector width: 16 floats (AVX-512) or 8 (AVX2 and below).  The
 * compiler packs a network's weights for its target's block, and one
 * libvggrt must run whatever it is given (vggc may target x86-64-v3 on an
 * AVX-512 machine, and a generated program links whichever libvggrt its
 * user built), so every blocked kernel source — dconv.c, wrow.c,
 * winograd.c, blocked.c — is compiled twice, by the wrappers dconv_b8.c, dconv_b16.c,
 * winograd_b8.c, ...:
 *
 *     #define VGGRT_KB 8          the width this copy is for (B in the source)
 *     #include "blocks.h"         renames its entry points: vggrt_dconv2d ->
 *     #include "dconv.c"          vggrt__dconv2d_b8, ...
 *
 * The public entry points of vggrt.h (blocks.c) check the block they are
 * given and call the copy for it.  The copies keep the sources' own
 * signatures (no block argument, no status).
 */
#ifndef VGGRT_BLOCKS_H
#define VGGRT_BLOCKS_H

#include "vggrt.h"

#define VGGRT__BLOCK_KERNELS(S)                                                                \
    size_t vggrt__dconv_packed_size##S(const vggrt_dconv_params *p);                           \
    void vggrt__dconv_pack##S(const vggrt_dconv_params *p, const float *w, float *packed);     \
    size_t vggrt__dconv_work_size##S(const vggrt_dconv_params *p);                             \
    void vggrt__dconv2d##S(const vggrt_dconv_params *p, int64_t n, const float *x,             \
                           const float *packed, const float *b, float *y, float *work);        \
    int vggrt__dconv_ring_applies##S(const vggrt_dconv_params *p);                             \
    void vggrt__dconv_ring_rows##S(const vggrt_dconv_params *p, const float *x, int64_t item,  \
                                   const float *packed, const float *b, int64_t oy0,           \
                                   int64_t oy1, float *ring, int64_t ring_rows);               \
    int vggrt__wrow_applies##S(const vggrt_dconv_params *p);                                   \
    size_t vggrt__wrow_packed_size##S(const vggrt_dconv_params *p);                            \
    void vggrt__wrow_pack##S(const vggrt_dconv_params *p, const float *w, float *packed);      \
    void vggrt__wrow_conv2d##S(const vggrt_dconv_params *p, int64_t n, const float *x,         \
                               const float *packed, const float *b, float *y, float *work);    \
    void vggrt__wrow_ring_rows##S(const vggrt_dconv_params *p, const float *x, int64_t item,   \
                                  const float *packed, const float *b, int64_t oy0,            \
                                  int64_t oy1, float *ring, int64_t ring_rows);                \
    int vggrt__wino_applies##S(const vggrt_dconv_params *p);                                   \
    size_t vggrt__wino_packed_size##S(const vggrt_dconv_params *p);                            \
    void vggrt__wino_pack##S(const vggrt_dconv_params *p, const float *w, float *packed);      \
    size_t vggrt__wino_work_size##S(const vggrt_dconv_params *p);                              \
    vggrt_status vggrt__wino_conv2d##S(const vggrt_dconv_params *p, int64_t n,                 \
                                       const float *x, const float *packed, const float *b,    \
                                       float *y, float *work);                                 \
    int vggrt__chain_applies##S(const vggrt_dconv_params *p1, const vggrt_dconv_params *p2);   \
    vggrt_status vggrt__chain_conv2d##S(const vggrt_dconv_params *p1, const float *packed1,    \
                                        const float *b1, const vggrt_dconv_params *p2,         \
                                        const float *packed2, const float *b2, int64_t n,      \
                                        const float *x, float *y, double *direct_ms);          \
    vggrt_status vggrt__chain_wrow_conv2d##S(const vggrt_dconv_params *p1,                     \
                                             const float *packed1, const float *b1,            \
                                             const vggrt_dconv_params *p2,                     \
                                             const float *packed2, const float *b2, int64_t n, \
                                             const float *x, float *y, double *direct_ms);     \
    void vggrt__to_blocked##S(int in_layout, int64_t n, int64_t c, int64_t hw, const float *x, \
                              float *y);                                                       \
    void vggrt__from_blocked##S(int64_t n, int64_t c, int64_t hw, const float *x, float *y);   \
    void vggrt__maxpool2d_blocked##S(const vggrt_pool_params *p, int64_t n, const float *x,    \
                                     float *y);                                                \
    void vggrt__avgpool2d_blocked##S(const vggrt_pool_params *p, int64_t n, const float *x,    \
                                     float *y);                                                \
    void vggrt__global_pool_blocked##S(int is_max, int64_t n, int64_t c, int64_t hw,           \
                                       const float *x, float *y);                              \
    void vggrt__lrn_blocked##S(int64_t n, int64_t c, int64_t hw, int64_t size, float alpha,    \
                               float beta, float bias, const float *x, float *y);

VGGRT__BLOCK_KERNELS(_b8)
VGGRT__BLOCK_KERNELS(_b16)

#endif

/* In a wrapper: the source's entry points take the width's names. */
#ifdef VGGRT_KB
#if VGGRT_KB != 8 && VGGRT_KB != 16
#error "VGGRT_KB must be 8 or 16"
#endif
#define VGGRT__KNAME(f) VGGRT__KNAME_(f, VGGRT_KB)
#define VGGRT__KNAME_(f, b) VGGRT__KNAME__(f, b)
#define VGGRT__KNAME__(f, b) vggrt__##f##_b##b
#define vggrt_dconv_packed_size VGGRT__KNAME(dconv_packed_size)
#define vggrt_dconv_pack VGGRT__KNAME(dconv_pack)
#define vggrt_dconv_work_size VGGRT__KNAME(dconv_work_size)
#define vggrt_dconv2d VGGRT__KNAME(dconv2d)
#define vggrt_dconv_ring_applies VGGRT__KNAME(dconv_ring_applies)
#define vggrt_dconv_ring_rows VGGRT__KNAME(dconv_ring_rows)
#define vggrt_wrow_applies VGGRT__KNAME(wrow_applies)
#define vggrt_wrow_packed_size VGGRT__KNAME(wrow_packed_size)
#define vggrt_wrow_pack VGGRT__KNAME(wrow_pack)
#define vggrt_wrow_conv2d VGGRT__KNAME(wrow_conv2d)
#define vggrt_wrow_ring_rows VGGRT__KNAME(wrow_ring_rows)
#define vggrt_wino_applies VGGRT__KNAME(wino_applies)
#define vggrt_wino_packed_size VGGRT__KNAME(wino_packed_size)
#define vggrt_wino_pack VGGRT__KNAME(wino_pack)
#define vggrt_wino_work_size VGGRT__KNAME(wino_work_size)
#define vggrt_wino_conv2d VGGRT__KNAME(wino_conv2d)
#define vggrt_chain_applies VGGRT__KNAME(chain_applies)
#define vggrt_chain_conv2d VGGRT__KNAME(chain_conv2d)
#define vggrt_chain_wrow_conv2d VGGRT__KNAME(chain_wrow_conv2d)
#define vggrt_to_blocked VGGRT__KNAME(to_blocked)
#define vggrt_from_blocked VGGRT__KNAME(from_blocked)
#define vggrt_maxpool2d_blocked VGGRT__KNAME(maxpool2d_blocked)
#define vggrt_avgpool2d_blocked VGGRT__KNAME(avgpool2d_blocked)
#define vggrt_global_pool_blocked VGGRT__KNAME(global_pool_blocked)
#define vggrt_lrn_blocked VGGRT__KNAME(lrn_blocked)
#endif
