/* ranges.h — index arithmetic the kernels share (static inline: nothing
 * here reaches the library's symbol table). */
#ifndef VGGRT_KERNELS_RANGES_H
#define VGGRT_KERNELS_RANGES_H

#include <stdint.h>

static inline int64_t ceil_div(int64_t a, int64_t b) {
    return (a + b - 1) / b;
}

static inline int64_t min64(int64_t a, int64_t b) {
    return a < b ? a : b;
}

static inline int64_t max64(int64_t a, int64_t b) {
    return a > b ? a : b;
}

/* The i in [*lo, *hi) with lo_bound <= start + i*d < hi_bound, for i in
 * [0, k): the taps of a window (or the outputs of a row) that fall inside
 * the input, d > 0. */
static inline void window_range(int64_t start, int64_t d, int64_t k, int64_t lo_bound,
                                int64_t hi_bound, int64_t *lo, int64_t *hi) {
    int64_t a = start >= lo_bound ? 0 : ceil_div(lo_bound - start, d);
    int64_t b = hi_bound - start <= 0 ? 0 : ceil_div(hi_bound - start, d);
    if (b > k)
        b = k;
    if (a > b)
        a = b;
    *lo = a;
    *hi = b;
}

#endif
