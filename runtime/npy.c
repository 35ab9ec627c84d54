/* npy.c — NumPy .npy files: how tensors go in and out of `vggc run` and
 * the generated drivers.
 *
 * The format (numpy/lib/format.py, NEP 1): the magic "\x93NUMPY", a major
 * and a minor version byte, the header length (uint16 little-endian for
 * version 1.0, uint32 for 2.0 and 3.0), then the header: the repr of a
 * Python dict such as
 *     {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
 * padded with spaces and ended by '\n', and then the raw C-order data.
 * We read the three versions (3.0 differs only in allowing UTF-8 in the
 * header, which our keys and values never use) and the dtypes the models
 * need: '<f4', '<i8', '<i4', '|b1', '|u1', '|i1', '<f8', '<f2', and '<u2' as
 * bfloat16's bit patterns (numpy has no bfloat16), and '<U<n>' (numpy's
 * fixed-width UTF-32LE strings) for STRING tensors: each element becomes a
 * VGGRT_STRING_SIZE slot, so ASCII text of at most 31 characters is read
 * and anything else refused naming the element; written back as '<U<m>',
 * m the longest element (at least 1), as numpy would.  Other dtypes,
 * big-endian and Fortran-order arrays are refused with a message that says
 * so rather than converted.
 *
 * The files come from users, so the parser assumes they are hostile: it
 * never reads past the buffer, bounds the header length, accepts only the
 * dict grammar numpy writes (single or double quotes, Python 2's 3L ints),
 * refuses negative dims, a rank above VGGRT_MAX_RANK, and shapes whose
 * element count or byte size overflows 63 bits, and requires the data that
 * follows to be exactly the size the shape declares.  Everything wrong with
 * the file is VGGRT_ERR_FORMAT; the message says what.
 *
 * We write version 1.0 with the header padded so that the data starts on a
 * 64-byte boundary, as numpy does.
 */
#include "vggrt-impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "\x93NUMPY"
#define MAGIC_LEN 6
/* The longest header accepted.  Ours are under 200 bytes; numpy itself
 * refuses headers over 10000 bytes by default. */
#define MAX_HEADER 65536u

typedef struct {
    const char *p, *end;
} Cursor;

static void skip_space(Cursor *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

/* Consumes ch (after blanks) if it is next. */
static int eat(Cursor *c, char ch) {
    skip_space(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

/* A quoted string (' or ") without escapes, into out[cap]; 0 on failure. */
static int parse_str(Cursor *c, char *out, size_t cap) {
    skip_space(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
        return 0;
    char q = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != q) {
        if (*c->p == '\\' || *c->p == '\0' || n + 1 >= cap)
            return 0;
        out[n++] = *c->p++;
    }
    if (c->p >= c->end)
        return 0;
    c->p++;
    out[n] = '\0';
    return 1;
}

static int eat_word(Cursor *c, const char *w) {
    skip_space(c);
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0)
        return 0;
    c->p += n;
    return 1;
}

typedef struct {
    char descr[16];
    int fortran;
    int rank;
    int64_t dims[VGGRT_MAX_RANK];
    int seen_descr, seen_fortran, seen_shape;
} Header;

/* '(' [dim (',' dim)* [',']] ')'.  Returns NULL or the reason it failed. */
static const char *parse_shape(Cursor *c, Header *h) {
    if (!eat(c, '('))
        return "'shape' is not a tuple";
    h->rank = 0;
    for (;;) {
        if (eat(c, ')'))
            return NULL;
        skip_space(c);
        if (c->p < c->end && *c->p == '-')
            return "negative dimension in 'shape'";
        if (c->p >= c->end || *c->p < '0' || *c->p > '9')
            return "'shape' is not a tuple of integers";
        int64_t v = 0;
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
            int d = *c->p++ - '0';
            if (v > (INT64_MAX - d) / 10)
                return "dimension in 'shape' does not fit in 64 bits";
            v = v * 10 + d;
        }
        if (c->p < c->end && *c->p == 'L')
            c->p++;
        if (h->rank == VGGRT_MAX_RANK)
            return "'shape' has more than 8 dimensions";
        h->dims[h->rank++] = v;
        if (eat(c, ')'))
            return NULL;
        if (!eat(c, ','))
            return "'shape' is not a tuple of integers";
    }
}

/* The header dict; NULL or the reason it is malformed. */
static const char *parse_header(const char *text, size_t len, Header *h) {
    Cursor c = { text, text + len };
    memset(h, 0, sizeof *h);
    if (len == 0 || text[len - 1] != '\n')
        return "header does not end with a newline (unterminated)";
    if (!eat(&c, '{'))
        return "header is not a dict";
    for (;;) {
        if (eat(&c, '}'))
            break;
        char key[32];
        if (!parse_str(&c, key, sizeof key))
            return "header dict key is not a short string";
        if (!eat(&c, ':'))
            return "header dict has no ':' after a key";
        if (strcmp(key, "descr") == 0) {
            if (h->seen_descr++)
                return "'descr' given twice";
            if (!parse_str(&c, h->descr, sizeof h->descr))
                return "'descr' is not a simple dtype string (structured dtypes are not supported)";
        } else if (strcmp(key, "fortran_order") == 0) {
            if (h->seen_fortran++)
                return "'fortran_order' given twice";
            if (eat_word(&c, "True"))
                h->fortran = 1;
            else if (eat_word(&c, "False"))
                h->fortran = 0;
            else
                return "'fortran_order' is not True or False";
        } else if (strcmp(key, "shape") == 0) {
            if (h->seen_shape++)
                return "'shape' given twice";
            const char *why = parse_shape(&c, h);
            if (why)
                return why;
        } else {
            return "header has a key other than 'descr', 'fortran_order', 'shape'";
        }
        if (eat(&c, '}'))
            break;
        if (!eat(&c, ','))
            return "header dict entries are not separated by ','";
    }
    skip_space(&c);
    if (c.p != c.end)
        return "header has text after the dict";
    if (!h->seen_descr || !h->seen_fortran || !h->seen_shape)
        return "header lacks one of 'descr', 'fortran_order', 'shape'";
    return NULL;
}

static const struct {
    const char *descr;
    int dtype;
} dtypes[] = {
    { "<f4", VGGRT_F32 },
    { "<i8", VGGRT_I64 },
    { "<i4", VGGRT_I32 },
    { "|b1", VGGRT_BOOL },
    { "|u1", VGGRT_U8 },
    { "|i1", VGGRT_I8 },
    { "<f8", VGGRT_F64 },
    { "<f2", VGGRT_F16 },
    { "<u2", VGGRT_BF16 },  /* numpy has no bfloat16: its bit patterns (vggrt.h) */
};

static int dtype_of(const char *descr) {
    for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
        if (strcmp(descr, dtypes[i].descr) == 0)
            return dtypes[i].dtype;
    return 0;
}

static const char *descr_of(int dtype) {
    for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
        if (dtypes[i].dtype == dtype)
            return dtypes[i].descr;
    return NULL;
}

/* n of a string descr '<U<n>' (n in 1..2^20), else 0. */
static uint64_t string_width(const char *descr) {
    if (descr[0] != '<' || descr[1] != 'U' || !descr[2])
        return 0;
    uint64_t n = 0;
    for (const char *s = descr + 2; *s; s++) {
        if (*s < '0' || *s > '9' || n > (1u << 20))
            return 0;
        n = n * 10 + (uint64_t)(*s - '0');
    }
    return n <= (1u << 20) ? n : 0;
}

static uint32_t load_le(const unsigned char *p, int n) {
    uint32_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* count '<U<width>' elements at src into a STRING tensor: code points
 * little-endian, NUL-padded; each must be ASCII (1..127) up to its first
 * NUL, at most VGGRT_STRING_SIZE - 1 of them, and only NULs after it. */
static vggrt_status read_strings(const char *label, const unsigned char *src, uint64_t count,
                                 size_t width, vggrt_tensor *t, int rank, const int64_t *dims,
                                 char *err, size_t errcap) {
    size_t nbytes = (size_t)count * VGGRT_STRING_SIZE;
    char *data = vggrt__alloc_uninit(nbytes);
    if (!data)
        return vggrt__fail(VGGRT_ERR_NOMEM, err, errcap, "%s: out of memory for %zu bytes",
                           label, nbytes);
    memset(data, 0, nbytes);
    for (uint64_t i = 0; i < count; i++) {
        const unsigned char *e = src + i * 4 * width;
        size_t len = 0;
        int ended = 0;
        for (size_t k = 0; k < width; k++) {
            uint32_t ch = load_le(e + 4 * k, 4);
            if (ch == 0) {
                ended = 1;
                continue;
            }
            const char *why = ended ? "has a character after a NUL"
                            : ch > 127 ? "has a non-ASCII character"
                            : len == VGGRT_STRING_SIZE - 1 ? "is longer than 31 characters"
                                                          : NULL;
            if (why) {
                vggrt_aligned_free(data);
                if (ch > 127 && !ended)
                    return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap,
                                       "%s: string element %llu %s (U+%04X at %zu); STRING "
                                       "tensors hold ASCII only", label, (unsigned long long)i,
                                       why, (unsigned)ch, k);
                return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap,
                                   "%s: string element %llu %s; STRING elements hold at most "
                                   "%d ASCII characters", label, (unsigned long long)i, why,
                                   VGGRT_STRING_SIZE - 1);
            }
            data[i * VGGRT_STRING_SIZE + len++] = (char)ch;
        }
    }
    t->dtype = VGGRT_STRING;
    t->rank = rank;
    memcpy(t->dims, dims, sizeof t->dims);
    t->data = data;
    t->nbytes = nbytes;
    return VGGRT_OK;
}

/* Writes a STRING tensor's elements as '<U<width>' code points. */
static int write_strings(FILE *f, const vggrt_tensor *t, size_t width) {
    const char *s = t->data;
    size_t count = t->nbytes / VGGRT_STRING_SIZE;
    unsigned char cell[4 * VGGRT_STRING_SIZE];
    for (size_t i = 0; i < count; i++, s += VGGRT_STRING_SIZE) {
        memset(cell, 0, sizeof cell);
        for (size_t k = 0; k < width && s[k]; k++)
            cell[4 * k] = (unsigned char)s[k];
        if (fwrite(cell, 4, width, f) != width)
            return 0;
    }
    return 1;
}

static vggrt_status parse(const char *label, const unsigned char *buf, size_t len,
                          vggrt_tensor *t, char *err, size_t errcap) {
    memset(t, 0, sizeof *t);
    if (len < MAGIC_LEN + 2 || memcmp(buf, MAGIC, MAGIC_LEN) != 0)
        return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap, "%s: not a .npy file (bad magic)",
                           label);
    int major = buf[6], minor = buf[7];
    if ((major != 1 && major != 2 && major != 3) || minor != 0)
        return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap,
                           "%s: .npy format version %d.%d, expected 1.0, 2.0 or 3.0", label,
                           major, minor);
    size_t lenbytes = major == 1 ? 2 : 4, start = MAGIC_LEN + 2 + lenbytes;
    if (len < start)
        return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap, "%s: truncated before the header",
                           label);
    uint32_t hlen = load_le(buf + MAGIC_LEN + 2, (int)lenbytes);
    if (hlen > MAX_HEADER)
        return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap,
                           "%s: header length %u exceeds the limit of %u bytes", label, hlen,
                           MAX_HEADER);
    if (hlen > len - start)
        return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap,
                           "%s: truncated: header length %u, but only %zu bytes follow", label,
                           hlen, len - start);
    Header h;
    const char *why = parse_header((const char *)buf + start, hlen, &h);
    if (why)
        return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap, "%s: %s", label, why);
    int dtype = dtype_of(h.descr);
    uint64_t width = string_width(h.descr);     /* characters of a '<U' element */
    if (width)
        dtype = VGGRT_STRING;
    if (!dtype) {
        const char *hint = h.descr[0] == '>' ? " (big-endian)" : "";
        return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap,
                           "%s: dtype '%s'%s is not supported; expected '<f4', '<i8', '<i4', "
                           "'|b1', '|u1', '|i1', '<f8', '<f2', '<u2' (bfloat16 bits) or '<U<n>' "
                           "(strings)", label, h.descr, hint);
    }
    if (h.fortran)
        return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap,
                           "%s: Fortran-order array; save it in C order", label);
    /* Every prefix product (zeros counted as 1) must fit, so that no later
     * stride or size computation over these dims can overflow either. */
    size_t elsize = width ? 4 * (size_t)width : vggrt_dtype_size(dtype);   /* in the file */
    uint64_t bound = (uint64_t)INT64_MAX / (elsize > VGGRT_STRING_SIZE ? elsize : VGGRT_STRING_SIZE);
    uint64_t count = 1;
    int has_zero = 0;
    for (int i = 0; i < h.rank; i++) {
        uint64_t d = (uint64_t)h.dims[i];
        if (d == 0) {
            has_zero = 1;
            continue;
        }
        if (count > bound / d)
            return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap,
                               "%s: shape's size overflows (dimension %d is %lld)", label, i,
                               (long long)h.dims[i]);
        count *= d;
    }
    if (has_zero)
        count = 0;
    uint64_t nbytes = count * elsize;
    size_t have = len - start - hlen;
    if (nbytes > have)
        return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap,
                           "%s: truncated: shape needs %llu bytes of data, file has %zu", label,
                           (unsigned long long)nbytes, have);
    if (nbytes < have)
        return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap,
                           "%s: %llu bytes of trailing data after the %llu the shape needs", label,
                           (unsigned long long)(have - nbytes), (unsigned long long)nbytes);
    if (width)
        return read_strings(label, buf + start + hlen, count, (size_t)width, t, h.rank, h.dims,
                            err, errcap);
    void *data = vggrt__alloc_uninit((size_t)nbytes);
    if (!data)
        return vggrt__fail(VGGRT_ERR_NOMEM, err, errcap, "%s: out of memory for %llu bytes",
                           label, (unsigned long long)nbytes);
    if (nbytes)
        memcpy(data, buf + start + hlen, (size_t)nbytes);
    if (dtype == VGGRT_BOOL) {
        unsigned char *b = data;
        for (size_t i = 0; i < (size_t)nbytes; i++)
            b[i] = b[i] != 0;
    }
    t->dtype = dtype;
    t->rank = h.rank;
    memcpy(t->dims, h.dims, sizeof h.dims);
    t->data = data;
    t->nbytes = (size_t)nbytes;
    return VGGRT_OK;
}

vggrt_status vggrt_npy_parse(const void *buf, size_t len, vggrt_tensor *t, char *err,
                             size_t errcap) {
    return parse(".npy data", buf, len, t, err, errcap);
}

static vggrt_status parse_file(const char *name, const unsigned char *buf, size_t len, void *t,
                               char *err, size_t errcap) {
    return parse(name, buf, len, t, err, errcap);
}

vggrt_status vggrt_npy_read(const char *path, vggrt_tensor *t, char *err, size_t errcap) {
    memset(t, 0, sizeof *t);
    return vggrt__parse_file(path, parse_file, t, err, errcap);
}

/* Formats the header of t into out (dict, spaces, '\n') and returns its
 * length, byte for byte as numpy 1.24 writes it: 21 - digits(dims[0])
 * spaces of room to grow the first axis in place, then padding so that
 * magic + header length + header is a multiple of 64, always at least one
 * space before the '\n'. */
static size_t format_header(const vggrt_tensor *t, const char *descr, char *out, size_t cap) {
    size_t n = (size_t)snprintf(out, cap, "{'descr': '%s', 'fortran_order': False, 'shape': (",
                                descr);
    for (int i = 0; i < t->rank; i++)
        n += (size_t)snprintf(out + n, cap - n, i ? ", %lld" : "%lld", (long long)t->dims[i]);
    n += (size_t)snprintf(out + n, cap - n, t->rank == 1 ? ",), }" : "), }");
    if (t->rank > 0) {
        int digits = snprintf(NULL, 0, "%lld", (long long)t->dims[0]);
        for (int i = digits; i < 21; i++)
            out[n++] = ' ';
    }
    size_t pad = 64 - (MAGIC_LEN + 4 + n + 1) % 64;
    memset(out + n, ' ', pad);
    n += pad;
    out[n++] = '\n';
    return n;
}

vggrt_status vggrt_npy_write(const char *path, const vggrt_tensor *t, char *err, size_t errcap) {
    char sdescr[32];
    const char *descr = descr_of(t->dtype);
    size_t width = 0;       /* STRING: characters per element in the file */
    if (t->dtype == VGGRT_STRING && t->data && t->nbytes % VGGRT_STRING_SIZE == 0) {
        width = 1;
        for (size_t i = 0; i < t->nbytes; i += VGGRT_STRING_SIZE) {
            size_t n = strnlen((const char *)t->data + i, VGGRT_STRING_SIZE);
            if (n == VGGRT_STRING_SIZE)
                return vggrt__fail(VGGRT_ERR_ARG, err, errcap, "%s: string element %zu has no "
                                   "NUL in its %d bytes", path, i / VGGRT_STRING_SIZE,
                                   VGGRT_STRING_SIZE);
            width = n > width ? n : width;
        }
        snprintf(sdescr, sizeof sdescr, "<U%zu", width);
        descr = sdescr;
    } else if (t->dtype == VGGRT_STRING) {
        width = 1;
        descr = "<U1";
    }
    if (!descr)
        return vggrt__fail(VGGRT_ERR_ARG, err, errcap, "%s: cannot write dtype %d to .npy", path,
                           t->dtype);
    if (t->rank < 0 || t->rank > VGGRT_MAX_RANK)
        return vggrt__fail(VGGRT_ERR_ARG, err, errcap, "%s: rank %d out of range", path, t->rank);
    uint64_t count = 1;
    for (int i = 0; i < t->rank; i++) {
        if (t->dims[i] < 0)
            return vggrt__fail(VGGRT_ERR_ARG, err, errcap, "%s: negative dimension %lld", path,
                               (long long)t->dims[i]);
        uint64_t d = (uint64_t)t->dims[i];
        count = d && count > UINT64_MAX / d ? UINT64_MAX : count * d;
    }
    size_t elsize = vggrt_dtype_size(t->dtype);
    if (count > SIZE_MAX / elsize || count * elsize != t->nbytes)
        return vggrt__fail(VGGRT_ERR_ARG, err, errcap,
                           "%s: tensor has %zu bytes, its shape says otherwise", path, t->nbytes);
    if (t->nbytes && !t->data)
        return vggrt__fail(VGGRT_ERR_ARG, err, errcap, "%s: tensor has no data", path);
    /* 52 + 8 dims of up to 19 digits and ", " + 5 + 21 growth room + 64 padding + 1 */
    char hdr[352];
    size_t hlen = format_header(t, descr, hdr, sizeof hdr);
    unsigned char pre[MAGIC_LEN + 4] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                                         (unsigned char)(hlen & 0xff),
                                         (unsigned char)(hlen >> 8) };
    FILE *f = fopen(path, "wb");
    if (!f)
        return vggrt__fail(VGGRT_ERR_IO, err, errcap, "%s: cannot create: %s", path,
                           strerror(errno));
    int ok = fwrite(pre, 1, sizeof pre, f) == sizeof pre && fwrite(hdr, 1, hlen, f) == hlen &&
             (t->nbytes == 0 ||
              (width ? write_strings(f, t, width) : fwrite(t->data, 1, t->nbytes, f) == t->nbytes));
    return vggrt__close_written(f, ok, path, err, errcap);
}

void vggrt_tensor_free(vggrt_tensor *t) {
    if (!t)
        return;
    vggrt_aligned_free(t->data);
    t->data = NULL;
    t->nbytes = 0;
}
