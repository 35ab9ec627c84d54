/* movement.c — kernels that move bytes without computing on them:
 * Transpose, Gather, a strided 2-D copy (Concat, Slice, Split are made of
 * it) and Pad (constant mode, and the reflect/edge/wrap modes whose border
 * copies the input).
 *
 * They work on any element size.  Where a loop moves one element at a
 * time it copies with a fixed-size memcpy, which compilers turn into one
 * load and one store for 1, 2, 4 and 8 bytes, without assuming alignment.
 *
 * Transpose first describes the output as (dims, input strides), then
 * drops dims of size 1 and merges output dims that the input also walks
 * as one (stride[i] == stride[i+1] * dims[i+1]); a permutation that only
 * moves size-1 dims thus becomes one memcpy, and NCHW -> NHWC becomes the
 * 3-D [N, HW, C] <- [N, C, HW].  Rows of the innermost output dim are then
 * gathered with the input stride.  (No cache blocking yet: at the graph's
 * edges, where transposes remain after optimization, the tensors are small.)
 *
 * Gather checks every index before writing anything: an out-of-range index
 * (after adding len to a negative one) is VGGRT_ERR_ARG with y untouched.
 */
#include "vggrt.h"

#include <string.h>

/* Copies n elements of size es from x (stride xs elements) to dense y. */
static void gather_row(size_t es, int64_t n, const unsigned char *x, int64_t xs,
                       unsigned char *y) {
#define GATHER_ROW(ES)                                                                         \
    for (int64_t i = 0; i < n; i++)                                                            \
        memcpy(y + (size_t)i * (ES), x + (size_t)(i * xs) * (ES), (ES));
    switch (es) {
    case 1: GATHER_ROW(1); break;
    case 2: GATHER_ROW(2); break;
    case 4: GATHER_ROW(4); break;
    case 8: GATHER_ROW(8); break;
    default: GATHER_ROW(es); break;
    }
#undef GATHER_ROW
}

void vggrt_transpose(size_t elsize, int rank, const int64_t *in_dims, const int64_t *perm,
                     const void *x, void *y) {
    int64_t istr[VGGRT_MAX_RANK], dims[VGGRT_MAX_RANK], str[VGGRT_MAX_RANK];
    int64_t total = 1;
    for (int d = rank - 1; d >= 0; d--) {
        istr[d] = total;
        total *= in_dims[d];
    }
    if (total == 0)
        return;
    int r = 0;
    for (int i = 0; i < rank; i++) {
        int64_t n = in_dims[perm[i]], s = istr[perm[i]];
        if (n == 1)
            continue;
        if (r > 0 && str[r - 1] == s * n) {
            dims[r - 1] *= n;
            str[r - 1] = s;
            continue;
        }
        dims[r] = n;
        str[r] = s;
        r++;
    }
    if (r == 0 || (r == 1 && str[0] == 1)) {
        memcpy(y, x, (size_t)total * elsize);
        return;
    }
    const unsigned char *xb = x;
    unsigned char *yb = y;
    int last = r - 1;
    int64_t n = dims[last], rows = total / n, idx[VGGRT_MAX_RANK] = { 0 }, off = 0;
    for (int64_t row = 0; row < rows; row++) {
        gather_row(elsize, n, xb + (size_t)off * elsize, str[last], yb + (size_t)(row * n) * elsize);
        for (int d = last - 1; d >= 0; d--) {
            off += str[d];
            if (++idx[d] < dims[d])
                break;
            off -= str[d] * dims[d];
            idx[d] = 0;
        }
    }
}

vggrt_status vggrt_gather_elements(size_t elsize, int rank, const int64_t *x_dims,
                                   const int64_t *idx_dims, int axis, const void *x,
                                   const int64_t *idx, void *y) {
    int64_t n = 1, s = 1, stride[8], c[8] = {0};
    for (int d = rank - 1; d >= 0; d--) {
        stride[d] = s;
        s *= x_dims[d];
        n *= idx_dims[d];
    }
    const int64_t len = x_dims[axis];
    for (int64_t i = 0; i < n; i++)
        if (idx[i] < -len || idx[i] >= len)
            return VGGRT_ERR_ARG;
    for (int64_t i = 0; i < n; i++) {
        int64_t off = 0;
        for (int d = 0; d < rank; d++)
            off += (d == axis ? idx[i] + (idx[i] < 0 ? len : 0) : c[d]) * stride[d];
        memcpy((unsigned char *)y + (size_t)i * elsize,
               (const unsigned char *)x + (size_t)off * elsize, elsize);
        for (int d = rank - 1; d >= 0 && ++c[d] == idx_dims[d]; d--)
            c[d] = 0;   /* the next index of idx, row-major */
    }
    return VGGRT_OK;
}

vggrt_status vggrt_gather(size_t elsize, int64_t outer, int64_t len, int64_t inner,
                          const void *x, const int64_t *idx, int64_t n_idx, void *y) {
    for (int64_t j = 0; j < n_idx; j++)
        if (idx[j] < -len || idx[j] >= len)
            return VGGRT_ERR_ARG;
    const size_t row = (size_t)inner * elsize;
    const unsigned char *xb = x;
    unsigned char *yb = y;
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t j = 0; j < n_idx; j++) {
            int64_t k = idx[j] < 0 ? idx[j] + len : idx[j];
            memcpy(yb + (size_t)(o * n_idx + j) * row, xb + (size_t)(o * len + k) * row, row);
        }
    }
    return VGGRT_OK;
}

void vggrt_copy2d(size_t rows, size_t row_bytes, const void *src, size_t src_stride, void *dst,
                  size_t dst_stride) {
    if (rows == 0 || row_bytes == 0)
        return;
    if (src_stride == row_bytes && dst_stride == row_bytes) {
        memcpy(dst, src, rows * row_bytes);
        return;
    }
    const unsigned char *s = src;
    unsigned char *d = dst;
    for (size_t r = 0; r < rows; r++)
        memcpy(d + r * dst_stride, s + r * src_stride, row_bytes);
}

/* For the pads and vggrt_slice: the input's element strides (istr) and the
 * number of rows of the output's innermost dim. */
static int64_t out_rows(int rank, const int64_t *in_dims, const int64_t *out_dims, int64_t *istr) {
    int64_t stride = 1, rows = 1;
    for (int d = rank - 1; d >= 0; d--) {
        istr[d] = stride;
        stride *= in_dims[d];
    }
    for (int d = 0; d < rank - 1; d++)
        rows *= out_dims[d];
    return rows;
}

/* The pad's constant as the bytes of one element of es (1, 2, 4 or 8)
 * bytes, from its bits in the low 8*es bits of value (no byte-order
 * assumption). */
static void pad_pattern(size_t es, uint64_t value, unsigned char *pat) {
    switch (es) {
    case 1: { uint8_t v = (uint8_t)value; memcpy(pat, &v, 1); break; }
    case 2: { uint16_t v = (uint16_t)value; memcpy(pat, &v, 2); break; }
    case 4: { uint32_t v = (uint32_t)value; memcpy(pat, &v, 4); break; }
    default: memcpy(pat, &value, 8); break;
    }
}

/* count elements of es bytes, each the pattern pat. */
static void pad_fill(unsigned char *y, int64_t count, size_t es, const unsigned char *pat) {
    for (int64_t j = 0; j < count; j++)
        memcpy(y + (size_t)j * es, pat, es);
}

/* Each output row of the innermost dim is either all `value` (its outer
 * coordinates fall outside x) or value | a run of x's row | value. */
void vggrt_pad(int rank, const int64_t *in_dims, const int64_t *begin, const int64_t *out_dims,
               size_t esize, uint64_t value, const void *x, void *y) {
    const unsigned char *xb = x;
    unsigned char *yb = y;
    if (rank == 0) {
        memcpy(yb, xb, esize);
        return;
    }
    unsigned char pat[8];
    pad_pattern(esize, value, pat);
    int64_t istr[VGGRT_MAX_RANK];
    const int64_t rows = out_rows(rank, in_dims, out_dims, istr);
    const int last = rank - 1;
    const int64_t n = out_dims[last], b = begin[last];
    int64_t lo = b < 0 ? 0 : b, hi = b + in_dims[last];
    if (hi > n)
        hi = n;
    if (lo > hi)
        lo = hi;
    int64_t idx[VGGRT_MAX_RANK] = { 0 };
    for (int64_t row = 0; row < rows; row++) {
        unsigned char *yr = yb + (size_t)(row * n) * esize;
        int inside = 1;
        int64_t off = 0;
        for (int d = 0; d < last; d++) {
            int64_t s = idx[d] - begin[d];
            if (s < 0 || s >= in_dims[d]) {
                inside = 0;
                break;
            }
            off += s * istr[d];
        }
        if (!inside || lo == hi) {
            pad_fill(yr, n, esize, pat);
        } else {
            pad_fill(yr, lo, esize, pat);
            memcpy(yr + (size_t)lo * esize, xb + (size_t)(off + (lo - b)) * esize,
                   (size_t)(hi - lo) * esize);
            pad_fill(yr + (size_t)hi * esize, n - hi, esize, pat);
        }
        for (int d = last - 1; d >= 0; d--) {
            if (++idx[d] < out_dims[d])
                break;
            idx[d] = 0;
        }
    }
}

/* Row by row of the innermost dim: one memcpy where its step is 1. */
void vggrt_slice(int rank, const int64_t *in_dims, const int64_t *start, const int64_t *step,
                 const int64_t *out_dims, size_t esize, const void *x, void *y) {
    const unsigned char *xb = x;
    unsigned char *yb = y;
    if (rank == 0) {
        memcpy(yb, xb, esize);
        return;
    }
    for (int d = 0; d < rank; d++)
        if (out_dims[d] <= 0)
            return;
    int64_t istr[VGGRT_MAX_RANK];
    const int64_t rows = out_rows(rank, in_dims, out_dims, istr);
    const int last = rank - 1;
    const int64_t n = out_dims[last], s0 = start[last], st = step[last];
    int64_t idx[VGGRT_MAX_RANK] = { 0 };
    for (int64_t row = 0; row < rows; row++) {
        int64_t off = s0;
        for (int d = 0; d < last; d++)
            off += (start[d] + idx[d] * step[d]) * istr[d];
        unsigned char *yr = yb + (size_t)(row * n) * esize;
        if (st == 1) {
            memcpy(yr, xb + (size_t)off * esize, (size_t)n * esize);
        } else {
            for (int64_t j = 0; j < n; j++)
                memcpy(yr + (size_t)j * esize, xb + (size_t)(off + j * st) * esize, esize);
        }
        for (int d = last - 1; d >= 0; d--) {
            if (++idx[d] < out_dims[d])
                break;
            idx[d] = 0;
        }
    }
}

void vggrt_pad_f32(int rank, const int64_t *in_dims, const int64_t *begin,
                   const int64_t *out_dims, float value, const float *x, float *y) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    vggrt_pad(rank, in_dims, begin, out_dims, sizeof *x, bits, x, y);
}

/* The input index that output index o of one dim reads in a border mode:
 * the dim has n elements, begin pads b and end pads e; crops (negative
 * pads) leave [lo, hi), at least one element (the compiler checks). */
static int64_t pad_source(int mode, int64_t o, int64_t n, int64_t b, int64_t e) {
    int64_t lo = b < 0 ? -b : 0, hi = e < 0 ? n + e : n, m = hi - lo, s = o - b;
    if (s >= lo && s < hi)
        return s;
    int64_t t = s - lo;
    switch (mode) {
    case VGGRT_PAD_EDGE:
        return s < lo ? lo : hi - 1;
    case VGGRT_PAD_WRAP:
        t %= m;
        return lo + (t < 0 ? t + m : t);
    default: {  /* reflect: period 2(m-1), mirrored in its second half */
        if (m == 1)
            return lo;
        int64_t period = 2 * (m - 1);
        t %= period;
        if (t < 0)
            t += period;
        return lo + (t < m ? t : period - t);
    }
    }
}

/* Row by row of the innermost output dim: the outer coordinates map to one
 * input row (each through pad_source), whose in-range run is one memcpy
 * and whose borders are read element by element. */
void vggrt_pad_mode(int mode, int rank, const int64_t *in_dims, const int64_t *begin,
                    const int64_t *out_dims, size_t esize, const void *x, void *y) {
    const unsigned char *xb = x;
    unsigned char *yb = y;
    if (rank == 0) {
        memcpy(yb, xb, esize);
        return;
    }
    int64_t istr[VGGRT_MAX_RANK];
    const int64_t rows = out_rows(rank, in_dims, out_dims, istr);
    const int last = rank - 1;
    const int64_t n = out_dims[last], b = begin[last], w = in_dims[last];
    const int64_t e = n - w - b;
    /* The output columns [lo, hi) read input columns lo - b ... directly. */
    int64_t lo = b < 0 ? 0 : b, hi = e < 0 ? n : n - e;
    int64_t idx[VGGRT_MAX_RANK] = { 0 };
    for (int64_t row = 0; row < rows; row++) {
        unsigned char *yr = yb + (size_t)(row * n) * esize;
        int64_t off = 0;
        for (int d = 0; d < last; d++) {
            int64_t ed = out_dims[d] - in_dims[d] - begin[d];
            off += pad_source(mode, idx[d], in_dims[d], begin[d], ed) * istr[d];
        }
        const unsigned char *xr = xb + (size_t)off * esize;
        for (int64_t j = 0; j < lo; j++)
            memcpy(yr + (size_t)j * esize, xr + (size_t)pad_source(mode, j, w, b, e) * esize,
                   esize);
        if (hi > lo)
            memcpy(yr + (size_t)lo * esize, xr + (size_t)(lo - b) * esize,
                   (size_t)(hi - lo) * esize);
        for (int64_t j = hi > lo ? hi : lo; j < n; j++)
            memcpy(yr + (size_t)j * esize, xr + (size_t)pad_source(mode, j, w, b, e) * esize,
                   esize);
        for (int d = last - 1; d >= 0; d--) {
            if (++idx[d] < out_dims[d])
                break;
            idx[d] = 0;
        }
    }
}

void vggrt_pad_mode_f32(int mode, int rank, const int64_t *in_dims, const int64_t *begin,
                        const int64_t *out_dims, const float *x, float *y) {
    vggrt_pad_mode(mode, rank, in_dims, begin, out_dims, sizeof *x, x, y);
}
