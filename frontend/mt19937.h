/* mt19937.h — the Mersenne Twister as numpy's legacy RandomState draws it.
 *
 * ONNX's reference for a seeded training-mode Dropout (onnx's
 * backend/test/case/node/dropout.py) draws its mask with
 * np.random.seed(seed); np.random.uniform(0, 1, shape).  For vggc to give
 * the same mask, it needs the same generator: MT19937 (Matsumoto and
 * Nishimura, 1998) seeded by init_genrand with the 32-bit seed, which is
 * what RandomState.seed(int) does, and doubles made by genrand_res53 from
 * two 32-bit outputs, which is RandomState.random_sample (and uniform(0, 1)
 * is low + (high - low) * random_sample, the same doubles).
 */
#ifndef VGGC_MT19937_H
#define VGGC_MT19937_H

#include <stdint.h>

typedef struct {
    uint32_t key[624];
    int pos;                        /* next word of key to temper; 624: regenerate */
} Mt19937;

/* init_genrand(seed): numpy's RandomState.seed(seed) for 0 <= seed < 2^32. */
void mt19937_seed(Mt19937 *m, uint32_t seed);

/* The next 32-bit output (genrand_int32). */
uint32_t mt19937_next32(Mt19937 *m);

/* A double in [0, 1) with 53 random bits (genrand_res53): random_sample(). */
double mt19937_next_double(Mt19937 *m);

#endif
