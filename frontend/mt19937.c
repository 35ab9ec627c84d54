/* mt19937.c — MT19937, bit for bit as numpy's legacy RandomState runs it
 * (numpy/random/src/mt19937: mt19937_seed, mt19937_gen, genrand_res53).
 * The frontend uses it to draw a seeded Dropout's mask at compile time
 * (attrs.c), so that the mask is the one ONNX's reference draws.
 */
#include "mt19937.h"

enum { MT_N = 624, MT_M = 397 };

void mt19937_seed(Mt19937 *m, uint32_t seed)
{
    m->key[0] = seed;
    for (int i = 1; i < MT_N; i++)
        m->key[i] = 1812433253u * (m->key[i - 1] ^ (m->key[i - 1] >> 30)) + (uint32_t)i;
    m->pos = MT_N;
}

/* Regenerates all 624 words (the "twist"). */
static void mt19937_gen(Mt19937 *m)
{
    static const uint32_t mag01[2] = {0u, 0x9908b0dfu};
    const uint32_t upper = 0x80000000u, lower = 0x7fffffffu;
    int i;
    for (i = 0; i < MT_N - MT_M; i++) {
        uint32_t y = (m->key[i] & upper) | (m->key[i + 1] & lower);
        m->key[i] = m->key[i + MT_M] ^ (y >> 1) ^ mag01[y & 1];
    }
    for (; i < MT_N - 1; i++) {
        uint32_t y = (m->key[i] & upper) | (m->key[i + 1] & lower);
        m->key[i] = m->key[i + (MT_M - MT_N)] ^ (y >> 1) ^ mag01[y & 1];
    }
    uint32_t y = (m->key[MT_N - 1] & upper) | (m->key[0] & lower);
    m->key[MT_N - 1] = m->key[MT_M - 1] ^ (y >> 1) ^ mag01[y & 1];
    m->pos = 0;
}

uint32_t mt19937_next32(Mt19937 *m)
{
    if (m->pos >= MT_N)
        mt19937_gen(m);
    uint32_t y = m->key[m->pos++];
    y ^= y >> 11;                   /* tempering */
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

double mt19937_next_double(Mt19937 *m)
{
    uint32_t a = mt19937_next32(m) >> 5, b = mt19937_next32(m) >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
}
