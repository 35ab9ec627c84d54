/* test_dtypes.c — the runtime's element types beyond float32: vggrt_cast
 * to and from FLOAT16, BFLOAT16, DOUBLE, UINT8, INT8, and the generic
 * binary, clip and integer max-pool kernels.
 *
 * The expected bit patterns are not computed here: the float16 ones are
 * numpy's (float32/float64 .astype(np.float16), which rounds to nearest
 * even straight from the source, no double rounding), the bfloat16 ones
 * come from the round-to-nearest-even formula on the float32 bits,
 * (b + 0x7fff + ((b >> 16) & 1)) >> 16, and a quiet NaN for NaN; the
 * integer results are numpy's wrapping uint8/int8 arithmetic.  Every
 * comparison is exact.
 */
#define TEST_NAME "test_runtime_dtypes"
#include "test_util.h"

#include <string.h>

/* float32 bits -> float16 bits, bfloat16 bits (see above). */
static const struct { uint32_t f; uint16_t h, bf; } f32_cases[] = {
    {0x00000000u, 0x0000, 0x0000},  /* 0.0 */
    {0x80000000u, 0x8000, 0x8000},  /* -0.0 */
    {0x3f800000u, 0x3c00, 0x3f80},  /* 1.0 */
    {0xc0200000u, 0xc100, 0xc020},  /* -2.5 */
    {0x477fe000u, 0x7bff, 0x4780},  /* 65504.0, float16's largest */
    {0x477fefffu, 0x7bff, 0x4780},  /* 65519.996: just below the tie with inf */
    {0x477ff000u, 0x7c00, 0x4780},  /* 65520.0: the tie rounds to inf */
    {0x49742400u, 0x7c00, 0x4974},  /* 1e6 */
    {0xc9742400u, 0xfc00, 0xc974},  /* -1e6 */
    {0x38800000u, 0x0400, 0x3880},  /* 2^-14, float16's smallest normal */
    {0x33800000u, 0x0001, 0x3380},  /* 2^-24, its smallest subnormal */
    {0x33000000u, 0x0000, 0x3300},  /* 2^-25: the tie rounds to even, 0 */
    {0x33000001u, 0x0001, 0x3300},  /* just above 2^-25 */
    {0x33c00000u, 0x0002, 0x33c0},  /* 1.5 * 2^-24: tie to even, 2 * 2^-24 */
    {0x3f802000u, 0x3c01, 0x3f80},  /* 1 + 2^-10 */
    {0x3f801000u, 0x3c00, 0x3f80},  /* 1 + 2^-11: tie, down to even */
    {0x3f803000u, 0x3c02, 0x3f80},  /* 1 + 3 * 2^-11: tie, up to even */
    {0x3dcccccdu, 0x2e66, 0x3dcd},  /* 0.1 */
    {0x40490fdbu, 0x4248, 0x4049},  /* pi */
    {0x7f800000u, 0x7c00, 0x7f80},  /* inf */
    {0xff800000u, 0xfc00, 0xff80},  /* -inf */
    {0x7fc00000u, 0x7e00, 0x7fc0},  /* NaN */
    {0x000116c2u, 0x0000, 0x0001},  /* a float32 subnormal: bfloat16 keeps it */
    {0x7f7f0000u, 0x7c00, 0x7f7f},  /* bfloat16's largest */
    {0x7f7fffffu, 0x7c00, 0x7f80},  /* float32's largest: bfloat16 rounds to inf */
    {0x3ef535b8u, 0x37aa, 0x3ef5},  /* 0.47892547 */
    {0x3ef5eeb0u, 0x37af, 0x3ef6},  /* 0.48033667: bfloat16 rounds up */
    {0x3f808000u, 0x3c04, 0x3f80},  /* 1 + 2^-8: bfloat16 tie, down to even */
    {0x3f818000u, 0x3c0c, 0x3f82},  /* 1 + 3 * 2^-8: bfloat16 tie, up to even */
    {0xbf808000u, 0xbc04, 0xbf80},  /* -(1 + 2^-8) */
};

/* float64 bits -> float16 bits (numpy); several differ from going through
 * float32 first, which rounds twice. */
static const struct { uint64_t d; uint16_t h; } f64_cases[] = {
    {0x3ff0020000001000ull, 0x3c01},  /* 1 + 2^-11 + 2^-40; via float32: 0x3c00 */
    {0x3ff0020000000000ull, 0x3c00},  /* 1 + 2^-11 */
    {0x3ff0060000000000ull, 0x3c02},  /* 1 + 3 * 2^-11 */
    {0x40effdfffffffaa2ull, 0x7bff},  /* 65519.99999999; via float32: 0x7c00 */
    {0x3e60000000000000ull, 0x0000},  /* 2^-25 */
    {0x3e60000000020000ull, 0x0001},  /* 2^-25 + 2^-60; via float32: 0x0000 */
    {0x3e78000000000000ull, 0x0002},  /* 1.5 * 2^-24 */
    {0x01a56e1fc2f8f359ull, 0x0000},  /* 1e-300 */
    {0xfe37e43c8800759cull, 0xfc00},  /* -1e300 */
    {0x3fb999999999999aull, 0x2e66},  /* 0.1 */
    {0x3fc4591d7d945562ull, 0x3116},  /* 0.15896958 */
};

static void test_f16_bf16(void) {
    enum { N = sizeof f32_cases / sizeof f32_cases[0] };
    float x[N];
    uint16_t h[N], bf[N];
    for (int i = 0; i < N; i++)
        memcpy(&x[i], &f32_cases[i].f, 4);
    begin_case("vggrt_cast f32 -> f16 and bf16, %d values", N);
    if (vggrt_cast(VGGRT_F32, VGGRT_F16, N, x, h) != VGGRT_OK ||
        vggrt_cast(VGGRT_F32, VGGRT_BF16, N, x, bf) != VGGRT_OK)
        fail("vggrt_cast refused");
    for (int i = 0; i < N; i++) {
        if (h[i] != f32_cases[i].h)
            fail("f32 0x%08x -> f16 0x%04x, want 0x%04x", f32_cases[i].f, h[i], f32_cases[i].h);
        if (bf[i] != f32_cases[i].bf)
            fail("f32 0x%08x -> bf16 0x%04x, want 0x%04x", f32_cases[i].f, bf[i],
                 f32_cases[i].bf);
    }
    end_case();

    /* Back: every float16 and bfloat16 value is a float32 exactly. */
    begin_case("vggrt_cast f16 and bf16 -> f32 round-trips, %d values", N);
    float back[N];
    vggrt_cast(VGGRT_F16, VGGRT_F32, N, h, back);
    for (int i = 0; i < N; i++) {
        uint16_t again = vggrt_f16_from_f64(back[i]);
        if (again != h[i] && !(isnan(back[i]) && (again & 0x7c00) == 0x7c00 && (again & 0x3ff)))
            fail("f16 0x%04x -> f32 %.9g -> f16 0x%04x", h[i], (double)back[i], again);
    }
    vggrt_cast(VGGRT_BF16, VGGRT_F32, N, bf, back);
    for (int i = 0; i < N; i++) {
        uint32_t b;
        memcpy(&b, &back[i], 4);
        if (b != (uint32_t)bf[i] << 16)
            fail("bf16 0x%04x -> f32 bits 0x%08x, want 0x%08x", bf[i], b, (uint32_t)bf[i] << 16);
    }
    end_case();

    begin_case("vggrt_cast f16 -> f64 of every pattern against its definition");
    for (uint32_t p = 0; p < 0x10000; p++) {
        uint16_t hp = (uint16_t)p;
        double got;
        vggrt_cast(VGGRT_F16, VGGRT_F64, 1, &hp, &got);
        int e = p >> 10 & 31, m = p & 1023;
        double want = e == 31 ? (m ? NAN : INFINITY)
                              : e == 0 ? m * 0x1p-24 : (1 + m * 0x1p-10) * pow(2, e - 15);
        if (p & 0x8000)
            want = -want;
        if (isnan(want) ? !isnan(got) : got != want) {
            fail("f16 0x%04x -> %.17g, want %.17g", p, got, want);
            break;
        }
    }
    end_case();

    enum { M = sizeof f64_cases / sizeof f64_cases[0] };
    begin_case("vggrt_cast f64 -> f16 rounds once, %d values", M);
    for (int i = 0; i < M; i++) {
        double d;
        uint16_t got;
        memcpy(&d, &f64_cases[i].d, 8);
        vggrt_cast(VGGRT_F64, VGGRT_F16, 1, &d, &got);
        if (got != f64_cases[i].h)
            fail("f64 %.17g -> f16 0x%04x, want 0x%04x", d, got, f64_cases[i].h);
    }
    end_case();
}

static void test_int_casts(void) {
    begin_case("vggrt_cast to and from u8, i8 (truncation, saturation, low bits)");
    const float f[] = {-1.5f, 0.0f, 127.9f, 200.7f, 300.0f, -300.0f, NAN};
    const uint8_t want_u8[] = {0, 0, 127, 200, 255, 0, 0};
    const int8_t want_i8[] = {-1, 0, 127, 127, 127, -128, 0};
    uint8_t u[7];
    int8_t s[7];
    vggrt_cast(VGGRT_F32, VGGRT_U8, 7, f, u);
    vggrt_cast(VGGRT_F32, VGGRT_I8, 7, f, s);
    for (int i = 0; i < 7; i++) {
        if (u[i] != want_u8[i])
            fail("f32 %g -> u8 %d, want %d", (double)f[i], u[i], want_u8[i]);
        if (s[i] != want_i8[i])
            fail("f32 %g -> i8 %d, want %d", (double)f[i], s[i], want_i8[i]);
    }
    const int64_t k[] = {255, 256, -1, 128};
    const uint8_t k_u8[] = {255, 0, 255, 128};     /* numpy astype(uint8): low bits */
    const int8_t k_i8[] = {-1, 0, -1, -128};
    vggrt_cast(VGGRT_I64, VGGRT_U8, 4, k, u);
    vggrt_cast(VGGRT_I64, VGGRT_I8, 4, k, s);
    for (int i = 0; i < 4; i++)
        if (u[i] != k_u8[i] || s[i] != k_i8[i])
            fail("i64 %lld -> u8 %d, i8 %d; want %d, %d", (long long)k[i], u[i], s[i], k_u8[i],
                 k_i8[i]);
    const int8_t si[] = {-128, -1, 5};
    double d[3];
    vggrt_cast(VGGRT_I8, VGGRT_F64, 3, si, d);
    if (d[0] != -128.0 || d[1] != -1.0 || d[2] != 5.0)
        fail("i8 -> f64 gave %g %g %g", d[0], d[1], d[2]);
    end_case();
}

/* numpy: (a OP b) of uint8/int8 arrays, integer division as np.trunc of
 * the quotient (ONNX Div on integers truncates; these are the stored
 * outputs' rule). */
static void test_binary(void) {
    const uint8_t a[] = {200, 3, 255, 16, 0, 7};
    const uint8_t b[] = {100, 5, 2, 11, 23, 0};
    const uint8_t add[] = {44, 8, 1, 27, 23, 7}, sub[] = {100, 254, 253, 5, 233, 7};
    const uint8_t mul[] = {32, 15, 254, 176, 0, 0}, div[] = {2, 0, 127, 1, 0, 0};
    const uint8_t *want[] = {add, sub, mul, div};
    const int ops[] = {VGGRT_ADD, VGGRT_SUB, VGGRT_MUL, VGGRT_DIV};
    const int64_t dims[] = {6}, str[] = {1};
    for (int o = 0; o < 4; o++) {
        begin_case("vggrt_binary u8 op %d over 6 elements", ops[o]);
        uint8_t y[6];
        if (vggrt_binary(VGGRT_U8, ops[o], 1, dims, str, str, a, b, y) != VGGRT_OK)
            fail("refused");
        for (int i = 0; i < 6; i++)
            if (y[i] != want[o][i])
                fail("%d op %d = %d, want %d", a[i], b[i], y[i], want[o][i]);
        end_case();
    }
    begin_case("vggrt_binary i8: wrap, truncating division, -128 / -1, broadcast b");
    const int8_t x[] = {-128, 100, -7, 7};
    const int8_t m1 = -1, two = 2;
    const int64_t zero[] = {0};
    int8_t y[4];
    vggrt_binary(VGGRT_I8, VGGRT_DIV, 1, (const int64_t[]){4}, str, zero, x, &m1, y);
    const int8_t want_div[] = {-128, -100, 7, -7};
    for (int i = 0; i < 4; i++)
        if (y[i] != want_div[i])
            fail("%d / -1 = %d, want %d", x[i], y[i], want_div[i]);
    vggrt_binary(VGGRT_I8, VGGRT_MUL, 1, (const int64_t[]){4}, str, zero, x, &two, y);
    const int8_t want_mul[] = {0, -56, -14, 14};
    for (int i = 0; i < 4; i++)
        if (y[i] != want_mul[i])
            fail("%d * 2 = %d, want %d", x[i], y[i], want_mul[i]);
    end_case();
    begin_case("vggrt_binary refuses f16 and u8 PRelu");
    uint16_t hy[1];
    if (vggrt_binary(VGGRT_F16, VGGRT_ADD, 1, dims, str, str, hy, hy, hy) != VGGRT_ERR_ARG ||
        vggrt_binary(VGGRT_U8, VGGRT_PRELU, 1, dims, str, str, a, b, y) != VGGRT_ERR_ARG)
        fail("accepted");
    end_case();
}

static void test_clip_pool(void) {
    begin_case("vggrt_clip i8 with a run-time min and a constant max");
    const int8_t x[] = {-128, -3, 0, 5, 127};
    const int8_t lo = -2;
    int8_t y[5];
    vggrt_clip(VGGRT_I8, 5, x, y, &lo, NULL, -INFINITY, 4.0);
    const int8_t want[] = {-2, -2, 0, 4, 4};
    for (int i = 0; i < 5; i++)
        if (y[i] != want[i])
            fail("clip(%d) = %d, want %d", x[i], y[i], want[i]);
    end_case();

    /* 1x1x3x3 uint8, 2x2 kernel, stride 1, pads 1 on every side: a 4x4
     * output whose corner windows hold one input value each. */
    begin_case("vggrt_maxpool2d_int u8 3x3, kernel 2, pads 1");
    const uint8_t in[] = {1, 200, 3, 4, 5, 6, 255, 8, 0};
    vggrt_pool_params p = {.c = 1, .h = 3, .w = 3, .oh = 4, .ow = 4, .kh = 2, .kw = 2, .sh = 1,
                           .sw = 1, .pt = 1, .pl = 1, .pb = 1, .pr = 1, .dh = 1, .dw = 1};
    uint8_t out[16];
    const uint8_t want_p[] = {1, 200, 200, 3, 4, 200, 200, 6, 255, 255, 8, 6, 255, 255, 8, 0};
    if (vggrt_maxpool2d_int(VGGRT_U8, &p, 1, in, out) != VGGRT_OK)
        fail("refused");
    for (int i = 0; i < 16; i++)
        if (out[i] != want_p[i])
            fail("out[%d] = %d, want %d", i, out[i], want_p[i]);
    end_case();
}

int main(void) {
    test_f16_bf16();
    test_int_casts();
    test_binary();
    test_clip_pool();
    printf("%s: %d passed, %d failed\n", TEST_NAME, passed, failed);
    return failed ? 1 : 0;
}
