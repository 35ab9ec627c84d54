/* test_conv3d.c — the 3-D convolution, its transpose and the pools
 * (vggrt_conv3d, vggrt_conv_transpose, vggrt_maxpool3d[_indices],
 * vggrt_avgpool3d) against naive references.
 *
 * Each reference is written from the ONNX operator's definition: direct
 * loops over every output coordinate and every kernel tap, in double, with
 * a bounds test per tap (no im2col, no precomputed ranges, no BLAS), so it
 * shares no code with the kernels.  Shapes are chosen so that every axis
 * differs (d != h != w, kd != kh != kw) and a mixed-up axis shows: stride,
 * dilation and asymmetric padding are set on one axis at a time as well as
 * on all, with groups (2 and depthwise), 1x1x1 kernels (the no-im2col
 * path) and 1x1x1 with padding (not that path), batch 1 and 2, every fused
 * activation, and ceil-mode pools whose last window overhangs the padded
 * input.  The transposed convolution's reference gathers: each output
 * position sums the input positions whose stride step lands on it through
 * some tap (the kernel scatters col2im rows instead); its cases add
 * negative pads, as ONNX's output_shape can give, and outputs past the
 * full transposed conv, which hold only the bias.
 *
 * Outputs start as NaN, so a skipped element fails; work buffers are
 * exactly the size the kernel asks for (AddressSanitizer catches overruns).
 * Tolerance: as test_kernels.c, |got - want| <= 1e-5 * mag + 1e-6 with mag
 * the sum of |terms| (the largest sum here has 3*2*3*3 + 1 = 55 terms, well
 * inside 1e-5 / 6e-8); MaxPool and its Indices are compared exactly.
 *
 * On failure a line names the case with all its parameters, the first
 * index that differs and both values; the program ends with
 * "N passed, N failed" and exits 1 if any case failed.
 */
#define TEST_NAME "test_conv3d"
#include "test_util.h"

#include <float.h>
#include <string.h>

/* ---- convolution ------------------------------------------------------------------ */

typedef struct {
    int64_t n, c, k, group;
    int64_t in[3], ker[3], str[3], dil[3], pb[3], pe[3];    /* per axis D, H, W */
    int act, bias;
} Conv3Case;

static int64_t conv_out(int64_t in, int64_t k, int64_t s, int64_t d, int64_t p0, int64_t p1) {
    return (in + p0 + p1 - d * (k - 1) - 1) / s + 1;
}

/* The geometry of case t with output sizes o, as the kernels take it (the
 * transposed convolution reads the same fields the other way). */
static void case_params(const Conv3Case *t, const int64_t *o, vggrt_conv3d_params *p) {
    memset(p, 0, sizeof *p);
    p->hw.c = t->c, p->hw.k = t->k, p->hw.group = t->group;
    p->hw.h = t->in[1], p->hw.w = t->in[2], p->hw.oh = o[1], p->hw.ow = o[2];
    p->hw.kh = t->ker[1], p->hw.kw = t->ker[2], p->hw.sh = t->str[1], p->hw.sw = t->str[2];
    p->hw.pt = t->pb[1], p->hw.pl = t->pb[2], p->hw.dh = t->dil[1], p->hw.dw = t->dil[2];
    p->hw.act = VGGRT_ACT_RELU;    /* ignored: the act argument decides */
    p->d = t->in[0], p->od = o[0], p->kd = t->ker[0], p->sd = t->str[0], p->pfront = t->pb[0];
    p->dd = t->dil[0];
}

/* Case t's parameters, for its begin_case line. */
static const char *case_text(const Conv3Case *t, char *buf, size_t cap) {
    snprintf(buf, cap,
             "n=%lld c=%lld k=%lld group=%lld in=%lldx%lldx%lld kernel=%lldx%lldx%lld "
             "stride=%lldx%lldx%lld dilation=%lldx%lldx%lld pads(begin)=%lld,%lld,%lld "
             "pads(end)=%lld,%lld,%lld",
             (long long)t->n, (long long)t->c, (long long)t->k, (long long)t->group,
             (long long)t->in[0], (long long)t->in[1], (long long)t->in[2],
             (long long)t->ker[0], (long long)t->ker[1], (long long)t->ker[2],
             (long long)t->str[0], (long long)t->str[1], (long long)t->str[2],
             (long long)t->dil[0], (long long)t->dil[1], (long long)t->dil[2],
             (long long)t->pb[0], (long long)t->pb[1], (long long)t->pb[2],
             (long long)t->pe[0], (long long)t->pe[1], (long long)t->pe[2]);
    return buf;
}

static void test_conv(const Conv3Case *t) {
    const float alpha = t->act == VGGRT_ACT_CLIP ? -0.25f : 0.1f, beta = 0.5f;
    int64_t o[3];
    for (int a = 0; a < 3; a++)
        o[a] = conv_out(t->in[a], t->ker[a], t->str[a], t->dil[a], t->pb[a], t->pe[a]);
    vggrt_conv3d_params p;
    case_params(t, o, &p);
    char text[400];
    begin_case("conv3d %s act=%s%s", case_text(t, text, sizeof text), act_names[t->act],
               t->bias ? " bias" : "");
    const int64_t cg = t->c / t->group, kg = t->k / t->group;
    const int64_t vin = t->in[0] * t->in[1] * t->in[2], vout = o[0] * o[1] * o[2];
    const int64_t vker = t->ker[0] * t->ker[1] * t->ker[2];
    size_t nx = (size_t)(t->n * t->c * vin), nw = (size_t)(t->k * cg * vker);
    size_t ny = (size_t)(t->n * t->k * vout);
    float *x = rand_f32(nx, -1, 1), *w = rand_f32(nw, -1, 1), *b = rand_f32((size_t)t->k, -1, 1);
    float *y = nan_f32(ny);
    double *want = zeros_f64(ny), *mag = zeros_f64(ny);
    size_t nwork = vggrt_conv3d_work_size(&p);
    float *work = nwork ? xmalloc(nwork * sizeof *work) : NULL;

    for (int64_t bi = 0; bi < t->n; bi++)
        for (int64_t k = 0; k < t->k; k++)
            for (int64_t oz = 0; oz < o[0]; oz++)
                for (int64_t oy = 0; oy < o[1]; oy++)
                    for (int64_t ox = 0; ox < o[2]; ox++) {
                        int64_t g = k / kg;
                        double acc = t->bias ? b[k] : 0.0, m = t->bias ? fabs(b[k]) : 0.0;
                        for (int64_t ci = 0; ci < cg; ci++)
                            for (int64_t a = 0; a < t->ker[0]; a++)
                                for (int64_t i = 0; i < t->ker[1]; i++)
                                    for (int64_t j = 0; j < t->ker[2]; j++) {
                                        int64_t iz = oz * t->str[0] - t->pb[0] + a * t->dil[0];
                                        int64_t iy = oy * t->str[1] - t->pb[1] + i * t->dil[1];
                                        int64_t ix = ox * t->str[2] - t->pb[2] + j * t->dil[2];
                                        if (iz < 0 || iz >= t->in[0] || iy < 0 ||
                                            iy >= t->in[1] || ix < 0 || ix >= t->in[2])
                                            continue;
                                        double xv = x[(((bi * t->c + g * cg + ci) * t->in[0] +
                                                        iz) * t->in[1] + iy) * t->in[2] + ix];
                                        double wv = w[(((k * cg + ci) * t->ker[0] + a) *
                                                       t->ker[1] + i) * t->ker[2] + j];
                                        acc += xv * wv;
                                        m += fabs(xv * wv);
                                    }
                        size_t at = (size_t)((((bi * t->k + k) * o[0] + oz) * o[1] + oy) * o[2] + ox);
                        want[at] = act_ref(t->act, acc, alpha, beta);
                        mag[at] = m;
                    }
    vggrt_conv3d(&p, t->act, alpha, beta, t->n, x, w, t->bias ? b : NULL, y, work);
    check_f32("y", y, want, mag, ny);
    end_case();
    free(x), free(w), free(b), free(y), free(want), free(mag), free(work);
}

static void test_convs(void) {
    static const Conv3Case cases[] = {
        /* n c k g   in          ker        str        dil        pads begin  pads end  act bias */
        {1, 3, 4, 1, {4, 5, 6}, {2, 3, 1}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0}, 0, 1},
        {2, 3, 5, 1, {5, 6, 7}, {3, 3, 3}, {2, 1, 1}, {1, 1, 1}, {1, 0, 0}, {0, 0, 0}, 0, 0},
        {1, 3, 5, 1, {5, 6, 7}, {3, 3, 3}, {1, 2, 1}, {1, 1, 1}, {0, 1, 0}, {0, 2, 0}, 1, 1},
        {1, 3, 5, 1, {5, 6, 7}, {3, 3, 3}, {1, 1, 2}, {1, 1, 1}, {0, 0, 2}, {0, 0, 1}, 0, 1},
        {1, 2, 3, 1, {7, 6, 8}, {2, 2, 3}, {1, 1, 1}, {2, 1, 1}, {0, 0, 0}, {0, 0, 0}, 2, 1},
        {1, 2, 3, 1, {6, 7, 8}, {2, 2, 2}, {1, 1, 1}, {1, 3, 2}, {1, 2, 0}, {2, 0, 1}, 3, 1},
        {2, 4, 6, 2, {4, 5, 6}, {3, 2, 3}, {2, 2, 1}, {2, 1, 2}, {2, 1, 1}, {1, 1, 2}, 4, 1},
        {1, 4, 4, 4, {3, 5, 4}, {3, 3, 3}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, 1, 0},
        {2, 5, 3, 1, {3, 4, 5}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0}, 0, 1},
        {1, 5, 3, 1, {3, 4, 5}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {1, 0, 0}, {0, 0, 1}, 0, 1},
        {1, 3, 2, 1, {4, 4, 4}, {1, 1, 1}, {2, 2, 2}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0}, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        test_conv(&cases[i]);
}

/* ---- transposed convolution ---------------------------------------------------------- */

/* A Conv3Case read as a transposed convolution (act unused; pads may be
 * negative). */
static void test_conv_transpose(const Conv3Case *t) {
    int64_t o[3];
    for (int a = 0; a < 3; a++)
        o[a] = t->str[a] * (t->in[a] - 1) + t->dil[a] * (t->ker[a] - 1) + 1 - t->pb[a] - t->pe[a];
    vggrt_conv3d_params p;
    case_params(t, o, &p);
    char text[400];
    begin_case("conv_transpose %s -> %lldx%lldx%lld%s", case_text(t, text, sizeof text),
               (long long)o[0], (long long)o[1], (long long)o[2], t->bias ? " bias" : "");
    const int64_t cg = t->c / t->group, kg = t->k / t->group;
    const int64_t vin = t->in[0] * t->in[1] * t->in[2], vout = o[0] * o[1] * o[2];
    const int64_t vker = t->ker[0] * t->ker[1] * t->ker[2];
    size_t nx = (size_t)(t->n * t->c * vin), nw = (size_t)(t->c * kg * vker);
    size_t ny = (size_t)(t->n * t->k * vout);
    float *x = rand_f32(nx, -1, 1), *w = rand_f32(nw, -1, 1), *b = rand_f32((size_t)t->k, -1, 1);
    float *y = nan_f32(ny);
    double *want = zeros_f64(ny), *mag = zeros_f64(ny);
    size_t nwork = vggrt_conv_transpose_work_size(&p);
    float *work = nwork ? xmalloc(nwork * sizeof *work) : NULL;

    for (int64_t bi = 0; bi < t->n; bi++)
        for (int64_t k = 0; k < t->k; k++)
            for (int64_t oz = 0; oz < o[0]; oz++)
                for (int64_t oy = 0; oy < o[1]; oy++)
                    for (int64_t ox = 0; ox < o[2]; ox++) {
                        const int64_t g = k / kg, m = k % kg, oc[3] = {oz, oy, ox};
                        double acc = t->bias ? b[k] : 0.0, mg = t->bias ? fabs(b[k]) : 0.0;
                        for (int64_t ci = 0; ci < cg; ci++)
                            for (int64_t a = 0; a < t->ker[0]; a++)
                                for (int64_t i = 0; i < t->ker[1]; i++)
                                    for (int64_t j = 0; j < t->ker[2]; j++) {
                                        /* input position ic with ic*str - pb + tap*dil == oc */
                                        const int64_t tap[3] = {a, i, j};
                                        int64_t ic[3];
                                        int inside = 1;
                                        for (int ax = 0; ax < 3; ax++) {
                                            int64_t num = oc[ax] + t->pb[ax] - tap[ax] * t->dil[ax];
                                            inside &= num >= 0 && num % t->str[ax] == 0;
                                            ic[ax] = inside ? num / t->str[ax] : 0;
                                            inside &= ic[ax] < t->in[ax];
                                        }
                                        if (!inside)
                                            continue;
                                        double xv = x[(((bi * t->c + g * cg + ci) * t->in[0] +
                                                        ic[0]) * t->in[1] + ic[1]) * t->in[2] + ic[2]];
                                        double wv = w[((((g * cg + ci) * kg + m) * t->ker[0] + a) *
                                                       t->ker[1] + i) * t->ker[2] + j];
                                        acc += xv * wv;
                                        mg += fabs(xv * wv);
                                    }
                        size_t at = (size_t)((((bi * t->k + k) * o[0] + oz) * o[1] + oy) * o[2] + ox);
                        want[at] = acc;
                        mag[at] = mg;
                    }
    vggrt_conv_transpose(&p, t->n, x, w, t->bias ? b : NULL, y, work);
    check_f32("y", y, want, mag, ny);
    end_case();
    free(x), free(w), free(b), free(y), free(want), free(mag), free(work);
}

static void test_conv_transposes(void) {
    static const Conv3Case cases[] = {
        /* n c k g   in          ker        str        dil        pads begin   pads end   act bias */
        {1, 1, 2, 1, {1, 3, 3}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0}, 0, 0},
        {2, 3, 4, 1, {1, 4, 5}, {1, 3, 2}, {1, 3, 2}, {1, 1, 1}, {0, 1, 0}, {0, 1, 2}, 0, 1},
        {1, 2, 3, 1, {3, 4, 5}, {2, 3, 3}, {2, 1, 2}, {1, 2, 1}, {1, 0, 1}, {0, 2, 1}, 0, 1},
        {1, 4, 6, 2, {2, 5, 4}, {3, 2, 3}, {1, 2, 3}, {2, 1, 1}, {0, 1, 0}, {1, 0, 2}, 0, 1},
        {2, 4, 4, 4, {1, 5, 6}, {1, 3, 3}, {1, 2, 2}, {1, 1, 1}, {0, 1, 1}, {0, 1, 1}, 0, 0},
        /* negative pads (ONNX's output_shape past the full transposed conv) */
        {1, 3, 2, 1, {1, 3, 4}, {1, 3, 3}, {1, 3, 2}, {1, 1, 1}, {0, 0, -1}, {0, -1, -2}, 0, 1},
        {1, 2, 3, 1, {2, 3, 3}, {2, 2, 2}, {2, 2, 2}, {1, 1, 1}, {-1, 1, 0}, {0, -3, 0}, 0, 1},
        /* 1x1x1 kernels, stride 2: positions between inputs hold the bias alone */
        {1, 5, 3, 1, {2, 3, 4}, {1, 1, 1}, {2, 2, 2}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0}, 0, 1},
        /* 1-D as the W axis */
        {2, 3, 2, 1, {1, 1, 7}, {1, 1, 4}, {1, 1, 3}, {1, 1, 2}, {0, 0, 2}, {0, 0, 1}, 0, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        test_conv_transpose(&cases[i]);
}

/* ---- pools -------------------------------------------------------------------------- */

typedef struct {
    int64_t n, c;
    int64_t in[3], ker[3], str[3], dil[3], pb[3], pe[3];
    int ceil_mode, count_include_pad;
} Pool3Case;

static void pool_params(const Pool3Case *t, const int64_t *o, vggrt_pool3d_params *p) {
    memset(p, 0, sizeof *p);
    p->hw.c = t->c, p->hw.h = t->in[1], p->hw.w = t->in[2], p->hw.oh = o[1], p->hw.ow = o[2];
    p->hw.kh = t->ker[1], p->hw.kw = t->ker[2], p->hw.sh = t->str[1], p->hw.sw = t->str[2];
    p->hw.pt = t->pb[1], p->hw.pl = t->pb[2], p->hw.pb = t->pe[1], p->hw.pr = t->pe[2];
    p->hw.dh = t->dil[1], p->hw.dw = t->dil[2], p->hw.count_include_pad = t->count_include_pad;
    p->d = t->in[0], p->od = o[0], p->kd = t->ker[0], p->sd = t->str[0];
    p->pfront = t->pb[0], p->pback = t->pe[0], p->dd = t->dil[0];
}

static void test_pool(const Pool3Case *t) {
    int64_t o[3];
    for (int a = 0; a < 3; a++)
        o[a] = pool_out(t->in[a], t->ker[a], t->str[a], t->pb[a], t->pe[a], t->dil[a],
                        t->ceil_mode);
    vggrt_pool3d_params p;
    pool_params(t, o, &p);
    const char *desc =
        "n=%lld c=%lld in=%lldx%lldx%lld kernel=%lldx%lldx%lld stride=%lldx%lldx%lld "
        "dilation=%lldx%lldx%lld pads(begin)=%lld,%lld,%lld pads(end)=%lld,%lld,%lld ceil=%d";
    char what[400];
    snprintf(what, sizeof what, desc, (long long)t->n, (long long)t->c, (long long)t->in[0],
             (long long)t->in[1], (long long)t->in[2], (long long)t->ker[0],
             (long long)t->ker[1], (long long)t->ker[2], (long long)t->str[0],
             (long long)t->str[1], (long long)t->str[2], (long long)t->dil[0],
             (long long)t->dil[1], (long long)t->dil[2], (long long)t->pb[0], (long long)t->pb[1],
             (long long)t->pb[2], (long long)t->pe[0], (long long)t->pe[1], (long long)t->pe[2],
             t->ceil_mode);
    const int64_t vin = t->in[0] * t->in[1] * t->in[2], vout = o[0] * o[1] * o[2];
    size_t nx = (size_t)(t->n * t->c * vin), ny = (size_t)(t->n * t->c * vout);
    float *x = rand_f32(nx, -1, 1);
    /* A few ties, so "the first of equal maxima" is exercised. */
    for (size_t i = 0; i + 7 < nx; i += 7)
        x[i + 3] = x[i];
    double *amax = zeros_f64(ny), *aavg = zeros_f64(ny), *mag = zeros_f64(ny);
    int64_t *imax[2] = {xmalloc(ny * sizeof(int64_t)), xmalloc(ny * sizeof(int64_t))};

    for (int64_t pl = 0; pl < t->n * t->c; pl++)
        for (int64_t oz = 0; oz < o[0]; oz++)
            for (int64_t oy = 0; oy < o[1]; oy++)
                for (int64_t ox = 0; ox < o[2]; ox++) {
                    double mx = -FLT_MAX, sum = 0, m = 0;
                    int64_t at[3] = {-1, -1, -1}, cnt = 0, cnt_pad = 1;
                    int64_t oc[3] = {oz, oy, ox};
                    /* The padded extent along each axis counts for count_include_pad. */
                    for (int ax = 0; ax < 3; ax++) {
                        int64_t inside = 0;
                        for (int64_t q = 0; q < t->ker[ax]; q++) {
                            int64_t pos = oc[ax] * t->str[ax] - t->pb[ax] + q * t->dil[ax];
                            inside += pos >= -t->pb[ax] && pos < t->in[ax] + t->pe[ax];
                        }
                        cnt_pad *= inside;
                    }
                    for (int64_t a = 0; a < t->ker[0]; a++)
                        for (int64_t i = 0; i < t->ker[1]; i++)
                            for (int64_t j = 0; j < t->ker[2]; j++) {
                                int64_t iz = oz * t->str[0] - t->pb[0] + a * t->dil[0];
                                int64_t iy = oy * t->str[1] - t->pb[1] + i * t->dil[1];
                                int64_t ix = ox * t->str[2] - t->pb[2] + j * t->dil[2];
                                if (iz < 0 || iz >= t->in[0] || iy < 0 || iy >= t->in[1] ||
                                    ix < 0 || ix >= t->in[2])
                                    continue;
                                double v = x[pl * vin + (iz * t->in[1] + iy) * t->in[2] + ix];
                                sum += v;
                                m += fabs(v);
                                cnt++;
                                if (v > mx) {
                                    mx = v;
                                    at[0] = iz, at[1] = iy, at[2] = ix;
                                }
                            }
                    size_t k = (size_t)(pl * vout + (oz * o[1] + oy) * o[2] + ox);
                    amax[k] = mx;
                    int64_t div = t->count_include_pad ? cnt_pad : cnt;
                    aavg[k] = div ? sum / (double)div : 0.0;
                    mag[k] = div ? m / (double)div : 0.0;
                    imax[0][k] = pl * vin + (at[0] * t->in[1] + at[1]) * t->in[2] + at[2];
                    imax[1][k] = pl * vin + at[0] + at[1] * t->in[0] + at[2] * t->in[0] * t->in[1];
                }

    float *y = nan_f32(ny);
    begin_case("maxpool3d %s", what);
    vggrt_maxpool3d(&p, t->n, x, y);
    check_f32_rel("y", y, amax, NULL, ny, 0);
    end_case();
    for (int order = 0; order < 2; order++) {
        begin_case("maxpool3d_indices storage_order=%d %s", order, what);
        int64_t *idx = xmalloc(ny * sizeof *idx);
        memset(idx, 0xff, ny * sizeof *idx);
        free(y);
        y = nan_f32(ny);
        vggrt_maxpool3d_indices(&p, order, t->n, x, y, idx);
        check_f32_rel("y", y, amax, NULL, ny, 0);
        for (size_t k = 0; k < ny; k++)
            if (idx[k] != imax[order][k]) {
                fail("idx[%zu] = %lld, want %lld", k, (long long)idx[k],
                     (long long)imax[order][k]);
                break;
            }
        end_case();
        free(idx);
    }
    begin_case("avgpool3d count_include_pad=%d %s", t->count_include_pad, what);
    free(y);
    y = nan_f32(ny);
    vggrt_avgpool3d(&p, t->n, x, y);
    check_f32("y", y, aavg, mag, ny);
    end_case();
    free(x), free(y), free(amax), free(aavg), free(mag), free(imax[0]), free(imax[1]);
}

static void test_pools(void) {
    static const Pool3Case cases[] = {
        /* n c  in          ker        str        dil        pads begin  pads end  ceil cip */
        {1, 2, {4, 5, 6}, {2, 2, 2}, {2, 2, 2}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0}, 0, 0},
        {2, 3, {5, 6, 7}, {3, 2, 2}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0}, 0, 0},
        {1, 2, {5, 6, 7}, {3, 3, 3}, {2, 1, 2}, {1, 1, 1}, {1, 0, 1}, {0, 1, 2}, 0, 1},
        {1, 2, {5, 6, 7}, {3, 3, 3}, {2, 1, 2}, {1, 1, 1}, {1, 0, 1}, {0, 1, 2}, 0, 0},
        {1, 2, {6, 7, 5}, {2, 3, 2}, {2, 2, 2}, {1, 1, 1}, {1, 1, 0}, {1, 0, 1}, 1, 1},
        {1, 2, {6, 7, 5}, {2, 3, 2}, {2, 2, 2}, {1, 1, 1}, {1, 1, 0}, {1, 0, 1}, 1, 0},
        {1, 1, {7, 6, 8}, {2, 2, 3}, {1, 2, 1}, {2, 1, 2}, {1, 0, 2}, {0, 1, 1}, 0, 1},
        {1, 3, {3, 4, 5}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0}, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        test_pool(&cases[i]);
}

int main(void) {
    test_convs();
    test_conv_transposes();
    test_pools();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
