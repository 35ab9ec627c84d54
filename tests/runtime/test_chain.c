/* test_chain.c — vggrt_chain_conv2d, a first layer chained into the
 * Winograd layer that reads it, against the two layers called one after
 * the other (vggrt_dconv2d, then vggrt_wino_conv2d).
 *
 * The chain promises the same arithmetic as those two calls (each value is
 * the same sum in the same order, whatever rows a thread computes or
 * recomputes), so its output must equal theirs bit for bit: any row
 * computed from the wrong input rows, read from the wrong ring slot, or
 * missed at a range's start would change values.  The two calls are
 * themselves checked against references written from the definition of a
 * convolution (test_blocked.c, test_winograd.c), and the networks that
 * chain their first layers against ONNX Runtime (tests/e2e).  The cases
 * cover NCHW and NHWC input, 1 and 3 channels, first layers of 3x3, 5x5
 * and stride 2, output channels that are not a multiple of the block
 * (lanes past k), every activation on either layer, the second layer
 * with and without padding and its 2x2 pool, heights that are not a
 * multiple of 4, rows as wide as the ring holds, batch 1 and 3; each with
 * 1, 2 and 3 threads (ranges that start mid-plane recompute rows), for
 * blocks of 16 and of 8.  The output starts as NaN, so every element the
 * layer owns must be written.
 *
 * Where the first layer is one Winograd along the rows takes (3x3, stride
 * 1, at most 4 channels of NCHW input, ReLU or no activation),
 * vggrt_chain_wrow_conv2d likewise against vggrt_wrow_conv2d then
 * vggrt_wino_conv2d.
 *
 * Also: what vggrt_chain_applies accepts, and that direct_ms is a time.
 */
#define TEST_NAME "test_chain"
#include "test_util.h"

typedef struct {
    int64_t n, c, h, w;        /* the network's input */
    int layout;                /* VGGRT_LAYOUT_NCHW or _NHWC */
    int64_t k1, kk, s1, pad1;  /* first layer: outputs, kernel size, stride, padding */
    int act1;
    int64_t k2, pad2;          /* Winograd layer: outputs, padding (3x3, stride 1) */
    int act2, pool;
} Case;

static int B = 16;

static int64_t nblocks(int64_t c) {
    return (c + B - 1) / B;
}

static int64_t out_size(int64_t in, int64_t k, int64_t s, int64_t pad) {
    return (in + 2 * pad - k) / s + 1;
}

static void params(const Case *t, vggrt_dconv_params *p1, vggrt_dconv_params *p2) {
    memset(p1, 0, sizeof *p1);
    memset(p2, 0, sizeof *p2);
    const int64_t oh = out_size(t->h, t->kk, t->s1, t->pad1);
    const int64_t ow = out_size(t->w, t->kk, t->s1, t->pad1);
    p1->conv = (vggrt_conv_params){ t->c, t->h, t->w, t->k1, oh, ow, t->kk, t->kk,
                                    t->s1, t->s1, t->pad1, t->pad1, 1, 1, 1, t->act1 };
    p1->in_layout = t->layout;
    p1->alpha = 0.1f, p1->beta = 0.8f; /* LeakyRelu's alpha; Clip's bounds */
    if (t->act1 == VGGRT_ACT_CLIP)
        p1->alpha = -0.3f;
    p1->py = oh, p1->px = ow;
    p1->block = B;
    const int64_t oh2 = oh + 2 * t->pad2 - 2, ow2 = ow + 2 * t->pad2 - 2;
    p2->conv = (vggrt_conv_params){ t->k1, oh, ow, t->k2, oh2, ow2, 3, 3,
                                    1, 1, t->pad2, t->pad2, 1, 1, 1, t->act2 };
    p2->in_layout = VGGRT_LAYOUT_BLOCKED;
    p2->alpha = t->act2 == VGGRT_ACT_CLIP ? -0.5f : 0.2f, p2->beta = 1.5f;
    if (t->pool)
        p2->pool_k = p2->pool_s = 2, p2->py = oh2 / 2, p2->px = ow2 / 2;
    else
        p2->py = oh2, p2->px = ow2;
    p2->block = B;
}

static void run_case(const Case *t) {
    vggrt_dconv_params p1, p2;
    params(t, &p1, &p2);
    begin_case("block %d, n=%lld %s c=%lld %lldx%lld -> %lldx%lld/s%lld pad %lld act %d -> "
               "k=%lld pad %lld act %d%s",
               B, (long long)t->n, t->layout == VGGRT_LAYOUT_NHWC ? "NHWC" : "NCHW",
               (long long)t->c, (long long)t->h, (long long)t->w, (long long)t->k1,
               (long long)t->kk, (long long)t->s1, (long long)t->pad1, t->act1,
               (long long)t->k2, (long long)t->pad2, t->act2, t->pool ? " +pool" : "");
    if (!vggrt_chain_applies(&p1, &p2)) {
        fail("vggrt_chain_applies refused the case");
        end_case();
        return;
    }
    const int64_t n = t->n, kb1 = nblocks(t->k1), kb2 = nblocks(t->k2);
    const int64_t oh = p1.conv.oh, ow = p1.conv.ow;
    const size_t nx = (size_t)(n * t->c * t->h * t->w);
    const size_t nmid = (size_t)(n * kb1 * oh * ow * B);
    const size_t ny = (size_t)(n * kb2 * p2.py * p2.px * B);
    float *x = rand_f32(nx, -1, 1);
    float *w1 = rand_f32((size_t)(t->k1 * t->c * t->kk * t->kk), -0.5f, 0.5f);
    float *w2 = rand_f32((size_t)(t->k2 * t->k1 * 9), -0.2f, 0.2f);
    float *b1 = rand_f32((size_t)(kb1 * B), -0.3f, 0.3f);
    float *b2 = rand_f32((size_t)(kb2 * B), -0.3f, 0.3f);
    for (int64_t i = t->k1; i < kb1 * B; i++)
        b1[i] = 0;
    for (int64_t i = t->k2; i < kb2 * B; i++)
        b2[i] = 0;
    float *pk2 = xmalloc(vggrt_wino_packed_size(&p2) * sizeof(float));
    if (vggrt_wino_pack(&p2, w2, pk2) != VGGRT_OK)
        fail("packing failed");
    /* The first layer direct, then where it applies by Winograd along the
     * rows (vggrt_chain_wrow_conv2d against vggrt_wrow_conv2d). */
    for (int wrow = 0; wrow <= vggrt_wrow_applies(&p1); wrow++) {
        const size_t npk1 = wrow ? vggrt_wrow_packed_size(&p1) : vggrt_dconv_packed_size(&p1);
        float *pk1 = xmalloc(npk1 * sizeof(float));
        if ((wrow ? vggrt_wrow_pack(&p1, w1, pk1) : vggrt_dconv_pack(&p1, w1, pk1)) != VGGRT_OK)
            fail("packing failed");
        /* The two layers, one call each. */
        float *mid = nan_f32(nmid), *want = nan_f32(ny);
        if ((wrow ? vggrt_wrow_conv2d(&p1, n, x, pk1, b1, mid, NULL)
                  : vggrt_dconv2d(&p1, n, x, pk1, b1, mid, NULL)) != VGGRT_OK ||
            vggrt_wino_conv2d(&p2, n, mid, pk2, b2, want, NULL) != VGGRT_OK)
            fail("the unchained calls failed");
        for (int threads = 1; threads <= 3; threads++) {
            vggrt_set_num_threads(threads);
            float *got = nan_f32(ny);
            double ms = -1;
            const vggrt_status s =
                wrow ? vggrt_chain_wrow_conv2d(&p1, pk1, b1, &p2, pk2, b2, n, x, got, &ms)
                     : vggrt_chain_conv2d(&p1, pk1, b1, &p2, pk2, b2, n, x, got, &ms);
            if (s != VGGRT_OK)
                fail("%s failed", wrow ? "vggrt_chain_wrow_conv2d" : "vggrt_chain_conv2d");
            char what[64];
            snprintf(what, sizeof what, "y (%s, %d threads)", wrow ? "wrow" : "direct", threads);
            check_bytes(what, got, want, sizeof(float), ny);
            if (!(ms >= 0 && ms < 60e3))
                fail("direct_ms = %g with %d threads, not a time", ms, threads);
            free(got);
        }
        free(pk1), free(mid), free(want);
    }
    vggrt_set_num_threads(0);
    free(x), free(w1), free(w2), free(b1), free(b2), free(pk2);
    end_case();
}

static void test_applies(void) {
    begin_case("block %d: vggrt_chain_applies", B);
    const Case vgg = { 1, 3, 160, 160, VGGRT_LAYOUT_NCHW, 64, 3, 1, 1, VGGRT_ACT_RELU,
                       64, 1, VGGRT_ACT_RELU, 1 };
    vggrt_dconv_params p1, p2, r1, r2;
    params(&vgg, &p1, &p2);
    if (!vggrt_chain_applies(&p1, &p2))
        fail("VGG-16's first two layers refused");
    r1 = p1, r1.in_layout = VGGRT_LAYOUT_BLOCKED;
    if (vggrt_chain_applies(&r1, &p2))
        fail("a blocked first layer accepted");
    r1 = p1, r1.pool_k = r1.pool_s = 2, r1.py = r1.px = 80;
    if (vggrt_chain_applies(&r1, &p2))
        fail("a pooled first layer accepted");
    r1 = p1, r1.conv.c = 17;
    if (vggrt_chain_applies(&r1, &p2))
        fail("a first layer of 17 input channels accepted");
    r2 = p2, r2.conv.sh = r2.conv.sw = 2;
    if (vggrt_chain_applies(&p1, &r2))
        fail("a stride-2 second layer accepted");
    r2 = p2, r2.conv.c = 48;
    if (vggrt_chain_applies(&p1, &r2))
        fail("a second layer of other input channels accepted");
    r2 = p2, r2.conv.w = 158;
    if (vggrt_chain_applies(&p1, &r2))
        fail("a second layer of another width accepted");
    r2 = p2, r2.block = B == 16 ? 8 : 16;
    if (vggrt_chain_applies(&p1, &r2))
        fail("layers of different blocks accepted");
    /* The ring (64 channels x 8 rows) holds rows of at most 256 pixels. */
    const Case wide = { 1, 3, 8, 256, VGGRT_LAYOUT_NCHW, 64, 3, 1, 1, VGGRT_ACT_RELU,
                        64, 1, VGGRT_ACT_RELU, 0 };
    const Case wider = { 1, 3, 8, 257, VGGRT_LAYOUT_NCHW, 64, 3, 1, 1, VGGRT_ACT_RELU,
                         64, 1, VGGRT_ACT_RELU, 0 };
    params(&wide, &r1, &r2);
    if (!vggrt_chain_applies(&r1, &r2))
        fail("rows of 256 pixels refused");
    params(&wider, &r1, &r2);
    if (vggrt_chain_applies(&r1, &r2))
        fail("rows of 257 pixels of 64 channels accepted");
    float y = 0;
    r2 = p2, r2.block = B == 16 ? 8 : 16;
    if (vggrt_chain_conv2d(&p1, NULL, NULL, &r2, NULL, NULL, 0, NULL, &y, NULL) !=
        VGGRT_ERR_ARG)
        fail("layers of different blocks ran");
    r1 = p1, r1.conv.kh = r1.conv.kw = 5;
    if (vggrt_chain_wrow_conv2d(&r1, NULL, NULL, &p2, NULL, NULL, 1, NULL, &y, NULL) !=
        VGGRT_ERR_ARG)
        fail("vggrt_chain_wrow_conv2d ran a 5x5 first layer");
    end_case();
}

int main(void) {
    test_seed(0xC4A1B5D3E7F90123ull);
    enum { NCHW = VGGRT_LAYOUT_NCHW, NHWC = VGGRT_LAYOUT_NHWC };
    enum { NONE = VGGRT_ACT_NONE, RELU = VGGRT_ACT_RELU, CLIP = VGGRT_ACT_CLIP,
           LEAKY = VGGRT_ACT_LEAKY_RELU, SIGM = VGGRT_ACT_SIGMOID };
    static const Case cases[] = {
        /* n  c   h   w  layout k1 kk s1 pad1 act1  k2 pad2 act2 pool */
        { 1, 3, 32, 32, NCHW, 64, 3, 1, 1, RELU, 64, 1, RELU, 1 },   /* VGG's, smaller */
        { 1, 3, 30, 26, NHWC, 64, 3, 1, 1, RELU, 64, 1, RELU, 0 },   /* Keras's input */
        { 3, 3, 23, 19, NCHW, 32, 3, 1, 1, NONE, 40, 1, NONE, 1 },   /* odd sizes, batch */
        { 2, 1, 17, 21, NCHW, 20, 3, 1, 1, LEAKY, 24, 0, CLIP, 0 },  /* lanes past k; no pad */
        { 1, 3, 41, 37, NHWC, 16, 5, 1, 2, CLIP, 16, 1, SIGM, 1 },   /* 5x5 first layer */
        { 2, 3, 45, 40, NCHW, 48, 3, 2, 1, SIGM, 33, 1, LEAKY, 0 },  /* stride 2 */
        { 1, 3, 6, 6, NCHW, 16, 3, 1, 1, RELU, 16, 1, RELU, 0 },     /* 2 tile rows */
        { 3, 2, 64, 44, NCHW, 64, 3, 1, 1, RELU, 64, 1, RELU, 1 },   /* many tile rows */
        { 1, 3, 9, 256, NCHW, 64, 3, 1, 1, RELU, 64, 1, RELU, 0 },   /* the widest ring */
    };
    for (int bi = 0; bi < 2; bi++) {
        B = bi ? 8 : 16;
        printf("-- block %d\n", B);
        test_applies();
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
            run_case(&cases[i]);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
