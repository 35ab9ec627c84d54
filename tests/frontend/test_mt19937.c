/* test_mt19937.c — frontend/mt19937.c against numpy's legacy RandomState.
 *
 * The expected numbers were printed by numpy 1.x (/usr/bin/python3), not by
 * our code:
 *   import numpy as np
 *   for seed in (0, 1, 4294967295, 12345):
 *       np.random.seed(seed); d = np.random.random_sample(3)
 *       np.random.seed(seed); r = np.random.randint(0, 2**32, size=3, dtype=np.uint64)
 *       print(seed, [repr(float(x)) for x in d], [int(x) for x in r])
 *   np.random.seed(7); d = np.random.random_sample(1000)
 *   print(repr(float(d[999])), repr(float(d[311])), repr(float(d[312])))
 * (randint over [0, 2^32) is the raw 32-bit output.)  Doubles must match
 * exactly: both sides compute (a * 2^26 + b) / 2^53 from the same words,
 * and repr() prints a double's shortest round-trip form. */
#include "mt19937.h"

#include <stdio.h>

static int failures;

#define CHECK_EQ_U32(expr, want) do {                                             \
        uint32_t got_ = (expr);                                                     \
        if (got_ != (uint32_t)(want)) {                                             \
            fprintf(stderr, "FAIL %s:%d: %s = %u, expected %u\n", __FILE__, __LINE__, \
                    #expr, got_, (uint32_t)(want));                                 \
            failures++;                                                             \
        }                                                                           \
    } while (0)

#define CHECK_EQ_F64(expr, want) do {                                             \
        double got_ = (expr);                                                       \
        if (got_ != (want)) {                                                       \
            fprintf(stderr, "FAIL %s:%d: %s = %.17g, expected %.17g\n", __FILE__,   \
                    __LINE__, #expr, got_, (double)(want));                         \
            failures++;                                                             \
        }                                                                           \
    } while (0)

static const struct {
    uint32_t seed;
    double d[3];
    uint32_t r[3];
} cases[] = {
    {0u, {0.5488135039273248, 0.7151893663724195, 0.6027633760716439},
     {2357136044u, 2546248239u, 3071714933u}},
    {1u, {0.417022004702574, 0.7203244934421581, 0.00011437481734488664},
     {1791095845u, 4282876139u, 3093770124u}},
    {4294967295u, {0.0976320289940138, 0.9123828453026218, 0.78903530185164},
     {419326371u, 479346978u, 3918654476u}},
    {12345u, {0.9296160928171479, 0.3163755545817859, 0.18391881167709445},
     {3992670690u, 3823185381u, 1358822685u}},
};

int main(void)
{
    Mt19937 m;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mt19937_seed(&m, cases[i].seed);
        for (int k = 0; k < 3; k++)
            CHECK_EQ_F64(mt19937_next_double(&m), cases[i].d[k]);
        mt19937_seed(&m, cases[i].seed);
        for (int k = 0; k < 3; k++)
            CHECK_EQ_U32(mt19937_next32(&m), cases[i].r[k]);
    }
    /* Across the first regeneration (double 312 reads words 624 and 625). */
    double d[1000];
    mt19937_seed(&m, 7);
    for (int k = 0; k < 1000; k++)
        d[k] = mt19937_next_double(&m);
    CHECK_EQ_F64(d[311], 0.8344787191622668);
    CHECK_EQ_F64(d[312], 0.8690583863056699);
    CHECK_EQ_F64(d[999], 0.016448753231374513);
    if (failures)
        return 1;
    printf("mt19937: all checks passed\n");
    return 0;
}
