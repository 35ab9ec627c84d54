/* test_movement.c — Pad's reflect, edge and wrap modes (vggrt_pad_mode_f32),
 * Pad on elements of any size (vggrt_pad, vggrt_pad_mode), Slice's strided
 * copy (vggrt_slice) and MaxPool's Indices (vggrt_maxpool2d_indices)
 * against references written from ONNX's definitions.
 *
 * Slice: the reference maps each output element on its own (its
 * coordinates o, the source start + o * step per dim); the kernel copies
 * rows, with one memcpy where the innermost step is 1.
 *
 * ONNX defines Pad by numpy.pad: negative pads first slice the input, then
 * each dim is padded on its own.  The reference does exactly that, one dim
 * at a time on a copy in double, and builds each padded line the way numpy
 * does (numpy/lib/arraypad.py): "edge" repeats the end elements; "wrap"
 * fills each border element from the one a period away, already filled;
 * "reflect" mirrors about the current edge in chunks of at most (length-1)
 * elements, the padded part growing with each chunk, so pads longer than
 * the dim keep reflecting.  The kernel instead maps each output index
 * straight to its source with a period of 2(m-1) (reflect) or m (wrap);
 * the two agree only if that closed form is right.
 *
 * MaxPool's Indices output (vggrt_maxpool2d_indices) is checked the same
 * way: the reference walks every window position of ONNX's definition in
 * padded coordinates, skips those in the padding, keeps the first strict
 * maximum, and computes the flat index of ONNX's MaxPool (plane * h * w +
 * row-major or column-major position).  Inputs hold small integers, so
 * windows have ties (the first maximum must win).
 *
 * The kernels only move data, so results are compared bit for bit.  Outputs
 * are filled with NaN first, with one more element past the end that must
 * stay NaN.  On failure a line names the case (mode, input dims, pads), the
 * first index that differs and both values; the program ends with
 * "N passed, N failed" and exits 1 if any case failed.
 */
#define TEST_NAME "test_movement"
#include "test_util.h"

#include <string.h>

static const char *mode_name(int mode) {
    return mode == VGGRT_PAD_REFLECT ? "reflect" : mode == VGGRT_PAD_EDGE ? "edge" : "wrap";
}

/* One padded line: the m elements of v with pb before and pe after. */
static void pad_line(int mode, const double *v, int64_t m, int64_t pb, int64_t pe, double *y) {
    for (int64_t k = 0; k < m; k++)
        y[pb + k] = v[k];
    int64_t total = pb + m + pe;
    if (mode == VGGRT_PAD_EDGE || (mode == VGGRT_PAD_REFLECT && m == 1)) {
        for (int64_t i = 0; i < pb; i++)
            y[i] = v[0];
        for (int64_t i = pb + m; i < total; i++)
            y[i] = v[m - 1];
    } else if (mode == VGGRT_PAD_WRAP) {
        for (int64_t i = pb - 1; i >= 0; i--)
            y[i] = y[i + m];
        for (int64_t i = pb + m; i < total; i++)
            y[i] = y[i - m];
    } else {
        /* Left side: mirror about the first valid element `edge`. */
        int64_t edge = pb, len = m, rem = pb;
        while (rem > 0) {
            int64_t chunk = rem < len - 1 ? rem : len - 1;
            for (int64_t j = 1; j <= chunk; j++)
                y[edge - j] = y[edge + j];
            edge -= chunk;
            len += chunk;
            rem -= chunk;
        }
        /* Right side: mirror about the last valid element. */
        edge = pb + m - 1;
        rem = pe;
        while (rem > 0) {
            int64_t chunk = rem < len - 1 ? rem : len - 1;
            for (int64_t j = 1; j <= chunk; j++)
                y[edge + j] = y[edge - j];
            edge += chunk;
            len += chunk;
            rem -= chunk;
        }
    }
}

/* numpy.pad(x[slices], pads, mode) for a rank-r tensor; returns the result
 * (caller frees) and its dims in out. */
static double *reference(int mode, int rank, const int64_t *in, const int64_t *begin,
                         const int64_t *end, const float *x, int64_t *out) {
    int64_t dims[VGGRT_MAX_RANK], n = 1;
    for (int d = 0; d < rank; d++) {
        dims[d] = in[d];
        n *= in[d];
    }
    double *cur = xmalloc((size_t)n * sizeof *cur);
    for (int64_t i = 0; i < n; i++)
        cur[i] = x[i];
    for (int d = 0; d < rank; d++) {
        int64_t lo = begin[d] < 0 ? -begin[d] : 0, hi = end[d] < 0 ? dims[d] + end[d] : dims[d];
        int64_t pb = begin[d] > 0 ? begin[d] : 0, pe = end[d] > 0 ? end[d] : 0;
        int64_t m = hi - lo, nd = m + pb + pe, outer = 1, inner = 1;
        for (int k = 0; k < d; k++)
            outer *= dims[k];
        for (int k = d + 1; k < rank; k++)
            inner *= dims[k];
        double *next = xmalloc((size_t)(outer * nd * inner) * sizeof *next);
        double *line = xmalloc((size_t)m * sizeof *line), *padded = xmalloc((size_t)nd * sizeof *padded);
        for (int64_t o = 0; o < outer; o++)
            for (int64_t i = 0; i < inner; i++) {
                for (int64_t k = 0; k < m; k++)
                    line[k] = cur[(o * dims[d] + lo + k) * inner + i];
                pad_line(mode, line, m, pb, pe, padded);
                for (int64_t k = 0; k < nd; k++)
                    next[(o * nd + k) * inner + i] = padded[k];
            }
        free(line);
        free(padded);
        free(cur);
        cur = next;
        dims[d] = nd;
    }
    for (int d = 0; d < rank; d++)
        out[d] = dims[d];
    return cur;
}

static void test_pad(int mode, int rank, const int64_t *in, const int64_t *begin,
                     const int64_t *end) {
    char s1[96], s2[96], s3[96];
    begin_case("pad %s in=%s begin=%s end=%s", mode_name(mode), shape_str(rank, in, s1, sizeof s1),
               shape_str(rank, begin, s2, sizeof s2), shape_str(rank, end, s3, sizeof s3));
    int64_t out[VGGRT_MAX_RANK], nin = 1, nout = 1;
    for (int d = 0; d < rank; d++)
        nin *= in[d];
    float *x = xmalloc((size_t)nin * sizeof *x);
    for (int64_t i = 0; i < nin; i++)     /* distinct values: a wrong source shows */
        x[i] = (float)(i + 1) * 0.25f - 3.0f;
    double *want = reference(mode, rank, in, begin, end, x, out);
    for (int d = 0; d < rank; d++)
        nout *= out[d];
    float *y = xmalloc((size_t)(nout + 1) * sizeof *y);
    for (int64_t i = 0; i <= nout; i++)
        y[i] = NAN;
    vggrt_pad_mode_f32(mode, rank ? rank : 1, rank ? in : (const int64_t[]){1},
                       rank ? begin : (const int64_t[]){0}, rank ? out : (const int64_t[]){1},
                       x, y);
    int64_t bad = -1;
    for (int64_t i = 0; i < nout && bad < 0; i++)
        if (!((double)y[i] == want[i]))
            bad = i;
    if (bad >= 0)
        fail("y[%lld] = %.9g, expected %.9g", (long long)bad, (double)y[bad], want[bad]);
    else if (!isnan(y[nout]))
        fail("y[%lld] past the end was written", (long long)nout);
    end_case();
    free(x);
    free(y);
    free(want);
}

/* The element-size generic kernels (vggrt_pad, vggrt_pad_mode: any dtype)
 * on elements of es bytes (1: uint8/int8/bool, 2: float16, 4: int32, 8:
 * int64/double).  Element i of x is the index i spelled in es bytes, so each
 * output element names its source.  The border modes' expected sources come
 * from the numpy.pad reference above run on x[i] = i; the constant mode's
 * from its definition, y[o] = x[o - begin] inside x, else the value. */
static void test_pad_bytes(int mode, size_t es, int rank, const int64_t *in, const int64_t *begin,
                           const int64_t *end) {
    char s1[96], s2[96], s3[96];
    begin_case("pad %s (%zu-byte elements) in=%s begin=%s end=%s",
               mode ? mode_name(mode) : "constant", es, shape_str(rank, in, s1, sizeof s1),
               shape_str(rank, begin, s2, sizeof s2), shape_str(rank, end, s3, sizeof s3));
    int64_t out[VGGRT_MAX_RANK], nin = 1, nout = 1;
    for (int d = 0; d < rank; d++) {
        nin *= in[d];
        out[d] = begin[d] + in[d] + end[d];
        nout *= out[d];
    }
    unsigned char *x = xmalloc((size_t)nin * es), *y = xmalloc((size_t)(nout + 1) * es);
    unsigned char *want = xmalloc((size_t)nout * es);
    for (int64_t i = 0; i < nin; i++)
        for (size_t b = 0; b < es; b++)   /* little-endian-independent: byte b of index i */
            x[(size_t)i * es + b] = (unsigned char)((i >> (8 * (b % 4))) + b);
    const uint64_t value = 0xa1b2c3d4e5f60718ull;
    unsigned char vbytes[8];
    switch (es) {   /* the value's low 8*es bits as one element of that width */
    case 1: { uint8_t v = (uint8_t)value; memcpy(vbytes, &v, 1); break; }
    case 2: { uint16_t v = (uint16_t)value; memcpy(vbytes, &v, 2); break; }
    case 4: { uint32_t v = (uint32_t)value; memcpy(vbytes, &v, 4); break; }
    default: memcpy(vbytes, &value, 8); break;
    }
    if (mode == 0) {
        for (int64_t o = 0; o < nout; o++) {
            int64_t src = pad_source(rank, in, begin, out, o);
            memcpy(want + (size_t)o * es, src >= 0 ? x + (size_t)src * es : vbytes, es);
        }
    } else {
        float *xi = xmalloc((size_t)nin * sizeof *xi);
        for (int64_t i = 0; i < nin; i++)
            xi[i] = (float)i;
        int64_t rout[VGGRT_MAX_RANK];
        double *src = reference(mode, rank, in, begin, end, xi, rout);
        for (int64_t o = 0; o < nout; o++)
            memcpy(want + (size_t)o * es, x + (size_t)src[o] * es, es);
        free(src);
        free(xi);
    }
    memset(y, 0xee, (size_t)(nout + 1) * es);
    if (mode == 0)
        vggrt_pad(rank, in, begin, out, es, value, x, y);
    else
        vggrt_pad_mode(mode, rank, in, begin, out, es, x, y);
    check_bytes("y", y, want, es, (size_t)nout);
    int past = 0;
    for (size_t b = 0; b < es; b++)
        past |= y[(size_t)nout * es + b] != 0xee;
    if (past)
        fail("y[%lld] past the end was written", (long long)nout);
    end_case();
    free(x);
    free(y);
    free(want);
}

/* MaxPool with Indices over [n, c, h, w]; oh, ow from the floor formula,
 * or the ceil one when ceil is set (a last window may overhang). */
static void test_maxpool_indices(int64_t n, int64_t c, int64_t h, int64_t w, int64_t kh,
                                 int64_t kw, int64_t s, int64_t pt, int64_t pl, int64_t pb,
                                 int64_t pr, int64_t d, int ceil, int order) {
    vggrt_pool_params p = {c, h, w, 0, 0, kh, kw, s, s, pt, pl, pb, pr, d, d, 0};
    int64_t ekh = (kh - 1) * d + 1, ekw = (kw - 1) * d + 1;
    p.oh = (h + pt + pb - ekh + (ceil ? s - 1 : 0)) / s + 1;
    p.ow = (w + pl + pr - ekw + (ceil ? s - 1 : 0)) / s + 1;
    int64_t nx = n * c * h * w, ny = n * c * p.oh * p.ow;
    float *x = xmalloc((size_t)nx * sizeof *x), *y = xmalloc((size_t)(ny + 1) * sizeof *y);
    int64_t *idx = xmalloc((size_t)(ny + 1) * sizeof *idx);
    for (int64_t i = 0; i < nx; i++)
        x[i] = (float)((i * 7 + 3) % 5) - 2.0f;
    for (int64_t i = 0; i <= ny; i++) {
        y[i] = NAN;
        idx[i] = INT64_MIN;
    }
    vggrt_maxpool2d_indices(&p, order, n, x, y, idx);
    int64_t bad = -1, o = 0;
    double want_y = 0;
    int64_t want_i = 0;
    for (int64_t plane = 0; plane < n * c && bad < 0; plane++)
        for (int64_t oy = 0; oy < p.oh && bad < 0; oy++)
            for (int64_t ox = 0; ox < p.ow && bad < 0; ox++, o++) {
                double best = -3.4028234663852886e38;   /* -FLT_MAX */
                int64_t by = -1, bx = -1;
                for (int64_t i = 0; i < kh; i++)
                    for (int64_t j = 0; j < kw; j++) {
                        int64_t iy = oy * s + i * d - pt, ix = ox * s + j * d - pl;
                        if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                            continue;
                        double v = x[(plane * h + iy) * w + ix];
                        if (v > best) {
                            best = v;
                            by = iy;
                            bx = ix;
                        }
                    }
                want_y = best;
                want_i = plane * h * w + (order ? by + bx * h : by * w + bx);
                if (!((double)y[o] == want_y) || idx[o] != want_i)
                    bad = o;
            }
    begin_case("maxpool_indices n=%lld c=%lld %lldx%lld k=%lldx%lld s=%lld pads=%lld,%lld,%lld,%lld "
               "d=%lld ceil=%d storage_order=%d", (long long)n, (long long)c, (long long)h,
               (long long)w, (long long)kh, (long long)kw, (long long)s, (long long)pt,
               (long long)pl, (long long)pb, (long long)pr, (long long)d, ceil, order);
    if (bad >= 0)
        fail("at %lld y=%.9g idx=%lld, expected %.9g and %lld", (long long)bad, (double)y[bad],
             (long long)idx[bad], want_y, (long long)want_i);
    else if (!isnan(y[ny]) || idx[ny] != INT64_MIN)
        fail("written past the end");
    end_case();
    free(x);
    free(y);
    free(idx);
}

/* Slice of x[in] (elements of es bytes, distinct byte patterns) with the
 * given first index and step per dim into out. */
static void test_slice(size_t es, int rank, const int64_t *in, const int64_t *start,
                       const int64_t *step, const int64_t *out) {
    char name[160];
    int at = snprintf(name, sizeof name, "slice es=%zu in=", es);
    for (int d = 0; d < rank; d++)
        at += snprintf(name + at, sizeof name - (size_t)at, "%s%lld:%lld:%lld", d ? "," : "",
                       (long long)in[d], (long long)start[d], (long long)step[d]);
    begin_case("%s", name);
    int64_t nx = 1, ny = 1;
    for (int d = 0; d < rank; d++)
        nx *= in[d], ny *= out[d];
    unsigned char *x = malloc((size_t)nx * es + 1), *y = malloc((size_t)(ny + 1) * es);
    unsigned char *want = malloc((size_t)ny * es + 1);
    for (size_t i = 0; i < (size_t)nx * es; i++)
        x[i] = (unsigned char)(i * 7 + 3);
    memset(y, 0xA5, (size_t)(ny + 1) * es);
    for (int64_t f = 0; f < ny; f++) {
        int64_t rem = f, src = 0, istride = 1;
        for (int d = rank - 1; d >= 0; d--) {
            int64_t o = rem % out[d];
            rem /= out[d];
            src += (start[d] + o * step[d]) * istride;
            istride *= in[d];
        }
        memcpy(want + f * (int64_t)es, x + src * (int64_t)es, es);
    }
    vggrt_slice(rank, in, start, step, out, es, x, y);
    check_bytes("y", y, want, es, (size_t)ny);
    for (size_t i = 0; i < es; i++)
        if (y[(size_t)ny * es + i] != 0xA5)
            fail("y past the end was written");
    end_case();
    free(x), free(y), free(want);
}

int main(void) {
    static const size_t slice_es[] = {1, 2, 4, 8};
    for (int e = 0; e < 4; e++) {
        size_t es = slice_es[e];
        /* ONNX's cases' kinds: a window of each dim; the innermost reversed
         * (negative step) and strided; only outer dims sliced (the inner
         * row is one memcpy); rank 1 and 0; an empty result writes nothing. */
        int64_t in3[] = {20, 10, 5};
        test_slice(es, 3, in3, (const int64_t[]){0, 1, 0}, (const int64_t[]){1, 1, 1},
                   (const int64_t[]){3, 9, 5});
        test_slice(es, 3, in3, (const int64_t[]){19, 9, 4}, (const int64_t[]){-1, -3, -2},
                   (const int64_t[]){20, 4, 3});
        test_slice(es, 3, in3, (const int64_t[]){2, 0, 1}, (const int64_t[]){3, 2, 3},
                   (const int64_t[]){6, 5, 2});
        test_slice(es, 3, in3, (const int64_t[]){5, 3, 0}, (const int64_t[]){1, 1, 1},
                   (const int64_t[]){10, 4, 5});
        int64_t in1[] = {9};
        test_slice(es, 1, in1, (const int64_t[]){8}, (const int64_t[]){-2}, (const int64_t[]){5});
        test_slice(es, 0, NULL, NULL, NULL, NULL);
        test_slice(es, 3, in3, (const int64_t[]){0, 0, 0}, (const int64_t[]){1, 1, 1},
                   (const int64_t[]){20, 0, 5});
    }
    static const int modes[] = {VGGRT_PAD_REFLECT, VGGRT_PAD_EDGE, VGGRT_PAD_WRAP};
    for (int k = 0; k < 3; k++) {
        int mode = modes[k];
        /* 1-D: small pads, pads past the dim (reflect keeps mirroring), a
         * size-1 dim, crops with padding on the other side. */
        int64_t in1[] = {5}, one[] = {1}, three[] = {3};
        test_pad(mode, 1, in1, (const int64_t[]){2}, (const int64_t[]){3});
        test_pad(mode, 1, in1, (const int64_t[]){4}, (const int64_t[]){4});
        test_pad(mode, 1, in1, (const int64_t[]){11}, (const int64_t[]){9});
        test_pad(mode, 1, three, (const int64_t[]){7}, (const int64_t[]){0});
        test_pad(mode, 1, one, (const int64_t[]){2}, (const int64_t[]){3});
        test_pad(mode, 1, in1, (const int64_t[]){-2}, (const int64_t[]){4});
        test_pad(mode, 1, in1, (const int64_t[]){3}, (const int64_t[]){-1});
        test_pad(mode, 1, in1, (const int64_t[]){-1}, (const int64_t[]){-2});
        /* NCHW as PyTorch's ReflectionPad2d / ReplicationPad2d export it,
         * with an odd channel count and batch > 1. */
        int64_t in4[] = {2, 3, 4, 5};
        test_pad(mode, 4, in4, (const int64_t[]){0, 0, 3, 1}, (const int64_t[]){0, 0, 2, 4});
        test_pad(mode, 4, in4, (const int64_t[]){0, 0, 0, 0}, (const int64_t[]){0, 0, 0, 0});
        test_pad(mode, 4, in4, (const int64_t[]){0, 1, -1, 2}, (const int64_t[]){1, 0, 2, -2});
        /* Only outer dims padded (the innermost row is one memcpy), and only
         * the innermost. */
        int64_t in3[] = {3, 1, 4};
        test_pad(mode, 3, in3, (const int64_t[]){2, 3, 0}, (const int64_t[]){1, 2, 0});
        test_pad(mode, 3, in3, (const int64_t[]){0, 0, 6}, (const int64_t[]){0, 0, 5});
        /* A rank-0 tensor is copied. */
        test_pad(mode, 0, NULL, NULL, NULL);
    }
    /* Element sizes other than float's, as ONNX's edge/reflect Pad tests
     * on int32 [1,3,4,5]; the constant mode too (0). */
    static const int all_modes[] = {0, VGGRT_PAD_REFLECT, VGGRT_PAD_EDGE, VGGRT_PAD_WRAP};
    static const size_t sizes[] = {1, 2, 4, 8};
    for (int k = 0; k < 4; k++)
        for (int e = 0; e < 4; e++) {
            int64_t in4[] = {1, 3, 4, 5}, in2[] = {3, 2};
            test_pad_bytes(all_modes[k], sizes[e], 4, in4, (const int64_t[]){0, 0, 1, 2},
                           (const int64_t[]){0, 0, 1, 3});
            test_pad_bytes(all_modes[k], sizes[e], 4, in4, (const int64_t[]){0, 1, -1, 2},
                           (const int64_t[]){1, 0, 2, -2});
            test_pad_bytes(all_modes[k], sizes[e], 2, in2, (const int64_t[]){4, 3},
                           (const int64_t[]){2, 5});
        }
    for (int order = 0; order <= 1; order++) {
        test_maxpool_indices(1, 1, 5, 5, 2, 2, 2, 0, 0, 0, 0, 1, 0, order);
        test_maxpool_indices(2, 3, 5, 7, 3, 3, 1, 1, 1, 1, 1, 1, 0, order);
        test_maxpool_indices(2, 3, 6, 5, 3, 2, 2, 1, 0, 0, 1, 1, 1, order);
        test_maxpool_indices(1, 2, 9, 8, 2, 3, 2, 0, 1, 1, 0, 2, 1, order);
        test_maxpool_indices(3, 1, 1, 11, 1, 4, 3, 0, 2, 0, 2, 1, 1, order);   /* 1-D */
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
