/* test_resize.c — Resize (vggrt_resize) in every mode (nearest with each
 * of its four rounding rules, linear, cubic with cubic_a -0.75 and -0.5,
 * with and without exclude_outside) and every coordinate transformation
 * mode, against a reference in double written from ONNX's own
 * (onnx/backend/test/case/node/resize.py: interpolate_nd_with_x,
 * interpolate_1d_with_x and the *_coeffs functions).
 *
 * The reference follows that file's algorithm, not the kernel's closed
 * forms: the value at an output coordinate is interpolated along the
 * outermost axis from the values of the sub-tensors below it, themselves
 * interpolated the same way, down to the innermost axis.  Along one axis
 * the line is edge-padded by ceil(n/2) elements (n taps: 2 for nearest and
 * linear, 4 for cubic) and the n indexes of the padded line nearest to the
 * original coordinate x are picked by a scan, ties going to the smaller
 * index; the coefficients come from ratio = x - floor(x), or 1 when x is
 * whole; exclude_outside zeroes the taps outside the line and scales the
 * rest to sum to 1; tf_crop_and_resize gives the extrapolation value where
 * x < 0 or x > L - 1.  Only the taps resize.py would read with a nonzero
 * coefficient are evaluated (the inputs are finite, so the others add 0).
 * Where it differs from resize.py, it follows vggrt.h (and the ONNX spec):
 * pytorch_half_pixel gives x = 0 when R <= 1 (resize.py: -0.5); the
 * resized length R that the formulas read is the one in axes[] (or
 * out_dims where that is <= 0), not scale * L; and the two modes resize.py
 * lacks are written from the ONNX spec: tf_half_pixel_for_nn, and
 * half_pixel_symmetric as opset 19 defines it.
 *
 * Shapes: NCHW with N = 2, C = 3 and odd H, W, up- and downsampled with
 * sizes (scale = out / in, in double) and with scales (R = s * L in float,
 * as resize.py's output_width, and out its whole part), non-integer scales
 * (0.6, 0.8, 1.7, 1.8, 3) and whole ones (2, 0.5: exact ties for the
 * rounding rules), rank 1 and 3, identity axes (scale 1) beside resized
 * ones, an input of length 1, and R = 1 (exactly, and 1.2 with one output);
 * identity axes at the end, which the kernel runs as vectors of lanes (the
 * blocked layout's 16, and 3 x 4 x 4 behind a resized axis).
 * tf_crop_and_resize's roi lies partly outside [0, 1] on the resized axes,
 * with extrapolation value 0.625.
 *
 * Tolerance: the kernel computes in float32 with float weights, so a
 * linear or cubic output is a float weighted sum of at most 4^k taps (k
 * resized axes); its rounding error is a small multiple of float's epsilon
 * times the sum over the taps of |weight| |x|, which the reference carries
 * along as mag.  The check is |got - want| <= 1e-5 mag + 1e-6.  That
 * assumes each float weight is within a few ulps of its own value, as when
 * it is computed in double and rounded.  (Keys' polynomial for 1 <= |t| < 2
 * evaluated in float is not: terms near 3 cancel down to a weight near 0,
 * and a kernel doing that was seen to exceed the bound slightly where the
 * heavily weighted taps' inputs were small.)  Nearest only copies an input
 * element (or the extrapolation value), so it must be bit for bit.
 *
 * Outputs are filled with NaN first, with one element past the end that
 * must stay NaN.  On failure a line names the case (mode, coordinate mode,
 * dims, scales, resized lengths, roi) and the first output that differs
 * (flat index and coordinates, got, want); the program ends with
 * "N passed, N failed" and exits 1 if any case failed.
 */
#define TEST_NAME "test_resize"
#include "test_util.h"

static const char *const coord_names[] = {
    "half_pixel", "half_pixel_symmetric", "asymmetric", "pytorch_half_pixel",
    "tf_half_pixel_for_nn", "align_corners", "tf_crop_and_resize"
};
static const char *const nearest_names[] = {
    "round_prefer_floor", "round_prefer_ceil", "floor", "ceil"
};

/* One way of interpolating: the mode and its parameters. */
typedef struct {
    int mode, nearest, exclude_outside;
    float cubic_a;
} Variant;

/* One shape: dims and the 4 doubles per axis vggrt_resize takes (scale,
 * resized length R or 0, roi start, roi end). */
typedef struct {
    int rank;
    int64_t in[8], out[8];
    double axes[32];
} Shape;

/* What the reference needs while it walks one output coordinate. */
typedef struct {
    int rank, coord;
    const int64_t *in, *out, *o;   /* o: the output coordinate being computed */
    const double *axes;
    Variant v;
    double extrapolation;
    const float *x;
    int64_t stride[VGGRT_MAX_RANK];
} Ref;

/* resize.py's cubic_coeffs (Keys' kernel, parameter A) at ratio in (0, 1]. */
static void cubic_coeffs(double r, double A, double *c) {
    c[0] = ((A * (r + 1) - 5 * A) * (r + 1) + 8 * A) * (r + 1) - 4 * A;
    c[1] = ((A + 2) * r - (A + 3)) * r * r + 1;
    c[2] = ((A + 2) * (1 - r) - (A + 3)) * (1 - r) * (1 - r) + 1;
    c[3] = ((A * ((1 - r) + 1) - 5 * A) * ((1 - r) + 1) + 8 * A) * ((1 - r) + 1) - 4 * A;
}

/* The coefficients for ratio (whole says x was whole, ratio 1); returns
 * their count n. */
static int coeffs(const Variant *v, double ratio, int whole, double *c) {
    switch (v->mode) {
    case VGGRT_RESIZE_LINEAR:
        c[0] = 1 - ratio;
        c[1] = ratio;
        return 2;
    case VGGRT_RESIZE_CUBIC:
        cubic_coeffs(ratio, v->cubic_a, c);
        return 4;
    default:   /* nearest_coeffs: [take the left tap, take the right one] */
        if (whole) {
            c[0] = 0, c[1] = 1;
        } else if (v->nearest == VGGRT_NEAREST_ROUND_PREFER_FLOOR) {
            c[0] = ratio <= 0.5, c[1] = ratio > 0.5;
        } else if (v->nearest == VGGRT_NEAREST_ROUND_PREFER_CEIL) {
            c[0] = ratio < 0.5, c[1] = ratio >= 0.5;
        } else if (v->nearest == VGGRT_NEAREST_FLOOR) {
            c[0] = 1, c[1] = 0;
        } else {
            c[0] = 0, c[1] = 1;
        }
        return 2;
    }
}

/* resize.py's get_neighbor: the n indexes of the line of length len,
 * edge-padded by ceil(n/2) on each side, nearest to x (ties to the smaller
 * index), ascending, in the unpadded line's coordinates (so possibly < 0 or
 * >= len: those read the edge elements). */
static void neighbours(double x, int n, int64_t len, int64_t *idx) {
    int64_t pad = (n + 1) / 2, plen = len + 2 * pad;
    double xp = x + (double)pad;
    for (int k = 0; k < n; k++) {
        int64_t best = -1;
        for (int64_t i = 0; i < plen; i++) {
            int taken = 0;
            for (int j = 0; j < k; j++)
                taken |= idx[j] == i;
            /* the smaller |x - i| wins, then the smaller i (scanned first) */
            if (!taken && (best < 0 || fabs(xp - (double)i) < fabs(xp - (double)best)))
                best = i;
        }
        idx[k] = best;
    }
    for (int k = 1; k < n; k++)   /* sorted(idxes) */
        for (int j = k; j > 0 && idx[j - 1] > idx[j]; j--) {
            int64_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    for (int k = 0; k < n; k++)
        idx[k] -= pad;
}

/* The original coordinate of output index o along axis a; *outside is set
 * where tf_crop_and_resize extrapolates. */
static double original_coord(const Ref *r, int a, int64_t o, int *outside) {
    double L = (double)r->in[a], s = r->axes[4 * a];
    double R = r->axes[4 * a + 1] > 0 ? r->axes[4 * a + 1] : (double)r->out[a];
    double start = r->axes[4 * a + 2], end = r->axes[4 * a + 3], x = (double)o;
    *outside = 0;
    switch (r->coord) {
    case VGGRT_COORD_HALF_PIXEL:
        return (x + 0.5) / s - 0.5;
    case VGGRT_COORD_HALF_PIXEL_SYMMETRIC: {
        /* ONNX opset 19: the center of the implicit roi maps to the center
         * of the output, which matters when R is not whole. */
        double adjustment = (double)r->out[a] / R, center = L / 2;
        double offset = center * (1 - adjustment);
        return offset + (x + 0.5) / s - 0.5;
    }
    case VGGRT_COORD_ASYMMETRIC:
        return x / s;
    case VGGRT_COORD_PYTORCH_HALF_PIXEL:
        return R <= 1 ? 0.0 : (x + 0.5) / s - 0.5;
    case VGGRT_COORD_TF_HALF_PIXEL_FOR_NN:
        return (x + 0.5) / s;
    case VGGRT_COORD_ALIGN_CORNERS:
        return R == 1 ? 0.0 : x * (L - 1) / (R - 1);
    default: {   /* tf_crop_and_resize */
        double xo = R == 1 ? (end - start) * (L - 1) / 2 : x * (end - start) * (L - 1) / (R - 1);
        xo += start * (L - 1);
        *outside = xo < 0 || xo > L - 1;
        return xo;
    }
    }
}

/* interpolate_nd_with_x from axis a in: the value of the sub-tensor at
 * flat offset base (axes a.. still whole) at output coordinate r->o; *mag
 * gets the sum over its taps of |weight| |x|. */
static double interpolate(const Ref *r, int a, int64_t base, double *mag) {
    if (a == r->rank) {
        *mag = fabs((double)r->x[base]);
        return r->x[base];
    }
    int outside;
    double x = original_coord(r, a, r->o[a], &outside);
    if (outside) {
        *mag = fabs(r->extrapolation);
        return r->extrapolation;
    }
    int whole = x == floor(x);
    double c[4];
    int n = coeffs(&r->v, whole ? 1.0 : x - floor(x), whole, c);
    int64_t idx[4], len = r->in[a];
    neighbours(x, n, len, idx);
    if (r->v.exclude_outside) {
        double sum = 0;
        for (int k = 0; k < n; k++) {
            if (idx[k] < 0 || idx[k] >= len)
                c[k] = 0;
            sum += c[k];
        }
        for (int k = 0; k < n; k++)
            c[k] /= sum;
    }
    double v = 0, m = 0;
    for (int k = 0; k < n; k++) {
        if (c[k] == 0)
            continue;
        int64_t i = idx[k] < 0 ? 0 : idx[k] >= len ? len - 1 : idx[k];   /* edge padding */
        double sm, sv = interpolate(r, a + 1, base + i * r->stride[a], &sm);
        v += c[k] * sv;
        m += fabs(c[k]) * sm;
    }
    *mag = m;
    return v;
}

/* "1.7,0.6": element at (0 the scale, 1 R) of each axis's 4 doubles. */
static const char *axes_str(int rank, const double *axes, int at, char *buf, size_t cap) {
    size_t len = 0;
    buf[0] = 0;
    for (int a = 0; a < rank && len < cap; a++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%.9g", a ? "," : "", axes[4 * a + at]);
    return buf;
}

static void test_resize(const Shape *sh, const Variant *v, int coord) {
    const float extrapolation = 0.625f;
    char s1[64], s2[64], s3[128], s4[128], s5[256] = "";
    if (coord == VGGRT_COORD_TF_CROP_AND_RESIZE)
        for (int a = 0; a < sh->rank; a++) {
            size_t len = strlen(s5);
            snprintf(s5 + len, sizeof s5 - len, "%s%g:%g", a ? "," : " roi=", sh->axes[4 * a + 2],
                     sh->axes[4 * a + 3]);
        }
    char mode[64];
    if (v->mode == VGGRT_RESIZE_NEAREST)
        snprintf(mode, sizeof mode, "nearest(%s)", nearest_names[v->nearest]);
    else if (v->mode == VGGRT_RESIZE_CUBIC)
        snprintf(mode, sizeof mode, "cubic(a=%g%s)", (double)v->cubic_a,
                 v->exclude_outside ? ", exclude_outside" : "");
    else
        snprintf(mode, sizeof mode, "linear");
    begin_case("resize %s %s in=%s out=%s scales=%s R=%s%s", mode, coord_names[coord],
               shape_str(sh->rank, sh->in, s1, sizeof s1),
               shape_str(sh->rank, sh->out, s2, sizeof s2),
               axes_str(sh->rank, sh->axes, 0, s3, sizeof s3),
               axes_str(sh->rank, sh->axes, 1, s4, sizeof s4), s5);

    int64_t nx = 1, ny = 1;
    for (int a = 0; a < sh->rank; a++)
        nx *= sh->in[a], ny *= sh->out[a];
    float *x = rand_f32((size_t)nx, -2.0f, 2.0f), *y = nan_f32((size_t)ny + 1);
    vggrt_resize(sh->rank, sh->in, sh->out, sh->axes, v->mode, coord, v->nearest,
                 v->exclude_outside, v->cubic_a, extrapolation, x, y);

    Ref r = { sh->rank, coord, sh->in, sh->out, NULL, sh->axes, *v, extrapolation, x, {0} };
    int64_t o[VGGRT_MAX_RANK];
    r.o = o;
    int64_t st = 1;
    for (int a = sh->rank - 1; a >= 0; a--) {
        r.stride[a] = st;
        st *= sh->in[a];
    }
    for (int64_t f = 0; f < ny && !case_failed; f++) {
        int64_t rem = f;
        for (int a = sh->rank - 1; a >= 0; a--) {
            o[a] = rem % sh->out[a];
            rem /= sh->out[a];
        }
        double mag, want = interpolate(&r, 0, 0, &mag), got = y[f];
        int ok;
        double tol = 0;
        if (v->mode == VGGRT_RESIZE_NEAREST) {
            float wf = (float)want;   /* exact: a copy of one float */
            ok = memcmp(&wf, &y[f], sizeof wf) == 0;
        } else {
            tol = 1e-5 * mag + 1e-6;
            ok = fabs(got - want) <= tol;   /* false for NaN */
        }
        if (!ok) {
            char at[96];
            fail("y[%lld] at %s = %.9g, want %.9g (tol %.2g)", (long long)f,
                 shape_str(sh->rank, o, at, sizeof at), got, want, tol);
        }
    }
    if (!case_failed && !isnan(y[ny]))
        fail("y[%lld] past the end was written", (long long)ny);
    end_case();
    free(x);
    free(y);
}

/* A shape resized to out with sizes: scale = out / in in double, R given
 * as out (explicit_R) or as 0 (the kernel takes out_dims). */
static Shape with_sizes(int rank, const int64_t *in, const int64_t *out, int explicit_R,
                        const double *roi) {
    Shape s = { .rank = rank };
    for (int a = 0; a < rank; a++) {
        s.in[a] = in[a];
        s.out[a] = out[a];
        s.axes[4 * a] = (double)out[a] / (double)in[a];
        s.axes[4 * a + 1] = explicit_R ? (double)out[a] : 0.0;
        s.axes[4 * a + 2] = roi[2 * a];
        s.axes[4 * a + 3] = roi[2 * a + 1];
    }
    return s;
}

/* A shape resized with scales (float, as ONNX's scales input): R = s * L
 * in float, as resize.py's interpolate_1d_with_x computes output_width,
 * and out its whole part. */
static Shape with_scales(int rank, const int64_t *in, const float *scales, const double *roi) {
    Shape s = { .rank = rank };
    for (int a = 0; a < rank; a++) {
        float R = scales[a] * (float)in[a];
        s.in[a] = in[a];
        s.out[a] = (int64_t)R;
        s.axes[4 * a] = scales[a];
        s.axes[4 * a + 1] = R;
        s.axes[4 * a + 2] = roi[2 * a];
        s.axes[4 * a + 3] = roi[2 * a + 1];
    }
    return s;
}

int main(void) {
    test_seed(0x7E515A11C0FFEE01ull);
    /* roi start, end per axis: whole on identity axes, partly outside
     * [0, 1] on resized ones (values that put no x exactly on 0 or L - 1). */
    const Shape shapes[] = {
        /* NCHW, odd H and W, upsampled with sizes (scales 1.8, 10/7). */
        with_sizes(4, (const int64_t[]){2, 3, 5, 7}, (const int64_t[]){2, 3, 9, 10}, 1,
                   (const double[]){0, 1, 0, 1, -0.3, 1.2, 0.05, 1.2}),
        /* Downsampled with sizes (5/9, 0.625), R taken from out_dims. */
        with_sizes(4, (const int64_t[]){2, 3, 9, 8}, (const int64_t[]){2, 3, 5, 5}, 0,
                   (const double[]){0, 1, 0, 1, -0.15, 0.9, 0.2, 1.3}),
        /* Scales 1.7 and 0.6: R = 8.5 and 4.2, out 8 and 4. */
        with_scales(4, (const int64_t[]){2, 3, 5, 7}, (const float[]){1, 1, 1.7f, 0.6f},
                    (const double[]){0, 1, 0, 1, -0.3, 1.2, 0.05, 1.2}),
        /* Scales 0.8 and 3: R = 5.6 and 15. */
        with_scales(4, (const int64_t[]){2, 3, 7, 5}, (const float[]){1, 1, 0.8f, 3},
                    (const double[]){0, 1, 0, 1, 0.1, 1.35, -0.45, 0.85}),
        /* Rank 1 by 2 (asymmetric's x = o/2: ties) and by 0.5 (half_pixel's
         * x = 2o + 0.5: ties). */
        with_scales(1, (const int64_t[]){6}, (const float[]){2}, (const double[]){-0.3, 1.2}),
        with_scales(1, (const int64_t[]){8}, (const float[]){0.5f},
                    (const double[]){-0.35, 0.9}),
        /* Rank 3, its first axis the identity: R = 3 * 1, 2 * 4, 0.6 * 5. */
        with_scales(3, (const int64_t[]){3, 4, 5}, (const float[]){1, 2, 0.6f},
                    (const double[]){0, 1, -0.3, 1.2, 0.05, 1.2}),
        /* R = 1 exactly (sizes, scale 1/3) beside an upsampled axis. */
        with_sizes(2, (const int64_t[]){3, 6}, (const int64_t[]){1, 4}, 1,
                   (const double[]){0.3, 0.8, -0.2, 0.95}),
        /* One output from R = 0.3 * 4 = 1.2, beside scale 1.7. */
        with_scales(2, (const int64_t[]){4, 5}, (const float[]){0.3f, 1.7f},
                    (const double[]){0.15, 0.7, 0.05, 1.2}),
        /* A line of length 1 upsampled by 3. */
        with_scales(1, (const int64_t[]){1}, (const float[]){3}, (const double[]){-0.4, 1.3}),
        /* Identity axes at the end, which the kernel collapses into lanes:
         * the blocked layout [N, C/16, H, W, 16] (lanes 16), and three
         * identity axes behind a resized first one (lanes 3 * 4 * 4). */
        with_scales(5, (const int64_t[]){2, 2, 5, 7, 16}, (const float[]){1, 1, 1.7f, 0.6f, 1},
                    (const double[]){0, 1, 0, 1, -0.3, 1.2, 0.05, 1.2, 0, 1}),
        with_scales(4, (const int64_t[]){5, 3, 4, 4}, (const float[]){1.7f, 1, 1, 1},
                    (const double[]){-0.3, 1.2, 0, 1, 0, 1, 0, 1}),
    };
    const Variant variants[] = {
        { VGGRT_RESIZE_NEAREST, VGGRT_NEAREST_ROUND_PREFER_FLOOR, 0, -0.75f },
        { VGGRT_RESIZE_NEAREST, VGGRT_NEAREST_ROUND_PREFER_CEIL, 0, -0.75f },
        { VGGRT_RESIZE_NEAREST, VGGRT_NEAREST_FLOOR, 0, -0.75f },
        { VGGRT_RESIZE_NEAREST, VGGRT_NEAREST_CEIL, 0, -0.75f },
        { VGGRT_RESIZE_LINEAR, 0, 0, -0.75f },
        { VGGRT_RESIZE_CUBIC, 0, 0, -0.75f },
        { VGGRT_RESIZE_CUBIC, 0, 0, -0.5f },
        { VGGRT_RESIZE_CUBIC, 0, 1, -0.75f },
        { VGGRT_RESIZE_CUBIC, 0, 1, -0.5f },
    };
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++)
            for (int c = VGGRT_COORD_HALF_PIXEL; c <= VGGRT_COORD_TF_CROP_AND_RESIZE; c++)
                test_resize(&shapes[s], &variants[v], c);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
