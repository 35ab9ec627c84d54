/* lrn.h — the last step of LRN, shared by vggrt_lrn (reduce.c) and
 * vggrt_lrn_blocked (blocked.c) so that both compute the same bits:
 * y[i] = x[i] / t[i]^beta, t = bias + alpha / size * square sum.  AlexNet's
 * beta = 0.75 takes sqrt(t) * sqrt(sqrt(t)), 0.5 and 1 their own forms, all
 * within a few ulp of powf, which the others keep.  Flat loops, which
 * vectorize when the file is compiled with -fno-math-errno (else every
 * sqrtf may set errno); y may be t. */
#ifndef VGGRT_KERNELS_LRN_H
#define VGGRT_KERNELS_LRN_H

#include <math.h>
#include <stdint.h>

static inline void lrn_quotients(const float *x, const float *t, float *y, int64_t n,
                                 float beta) {
    if (beta == 0.75f) {
        for (int64_t i = 0; i < n; i++) {
            const float q = sqrtf(t[i]);
            y[i] = x[i] / (q * sqrtf(q));
        }
    } else if (beta == 0.5f) {
        for (int64_t i = 0; i < n; i++)
            y[i] = x[i] / sqrtf(t[i]);
    } else if (beta == 1.0f) {
        for (int64_t i = 0; i < n; i++)
            y[i] = x[i] / t[i];
    } else {
        for (int64_t i = 0; i < n; i++)
            y[i] = x[i] / powf(t[i], beta);
    }
}

#endif
