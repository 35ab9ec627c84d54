/* pbvalue.c — sequence and optional values: ONNX SequenceProto and
 * OptionalProto files for the graph inputs and outputs that are not plain
 * tensors.
 *
 * A network that takes a sequence or an optional only hands it on (Identity),
 * so nothing here decodes one into tensors: a value is its serialized
 * message, checked against the type the network declares and written out
 * again with the output's name.  The check walks the protobuf wire format
 * directly (libvggrt does not link protobuf-c) with the schema of
 * onnx-data.proto and onnx.proto in its tables below:
 *
 *   SequenceProto  name=1 elem_type=2, elements in fields 3..7: tensor,
 *                  sparse tensor, sequence, map, optional (repeated)
 *   OptionalProto  name=1 elem_type=2, its value in one of fields 3..7
 *   TensorProto    dims=1 data_type=2 segment=3 float_data=4 int32_data=5
 *                  string_data=6 int64_data=7 name=8 raw_data=9
 *                  double_data=10 uint64_data=11 doc_string=12
 *                  external_data=13 data_location=14
 *
 * elem_type uses the same codes in both containers (1 tensor ... 5
 * optional), and field 2 + code holds an element of that kind.  The two
 * containers have the same field numbers, so the bytes do not say which
 * one the outermost message is: the declared type does (type->wrap[0]); an
 * optional with two values is refused, which catches a sequence read as one.
 *
 * The files come from users, so the scanner is strict.  Varints are at most
 * 10 bytes and fit in 64 bits; every length stays inside its parent message;
 * unknown fields of wire types 0, 1, 2 and 5 are skipped, groups (3, 4) and
 * the invalid wire types 6, 7 refused; a known field with the wrong wire
 * type, or a singular field given twice (protobuf would merge or override,
 * and the value we checked would not be the one a reader sees), is refused.
 * Only the fields the declared type leads to are entered, so nesting is at
 * most type->nwrap + 1 deep.  Each tensor's dims must be non-negative with a
 * product that fits in 63 bits, and its data (raw_data, or the one typed
 * field its data type uses) must hold exactly that many elements.  Segments,
 * external data, sparse tensors and maps are refused.
 *
 * Malformed bytes are VGGRT_ERR_FORMAT; a well-formed value of another kind,
 * element type or shape is VGGRT_ERR_MISMATCH.  Messages name where, as a
 * path from the outside in ("element 2 of the optional's value: ..."), and
 * byte offsets count from the start of the file.
 */
#include "vggrt-impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Larger files are refused: a value passed through a network is small, and
 * the limit keeps every offset and count far from overflow. */
#define MAX_FILE (1u << 30)

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_SGROUP = 3, WT_EGROUP = 4, WT_I32 = 5 };

/* SequenceProto/OptionalProto.DataType; element k lives in field 2 + k. */
enum { KIND_TENSOR = 1, KIND_SPARSE = 2, KIND_SEQUENCE = 3, KIND_MAP = 4, KIND_OPTIONAL = 5 };

static const char *kind_name(uint64_t k) {
    switch (k) {
    case KIND_TENSOR: return "tensor";
    case KIND_SPARSE: return "sparse tensor";
    case KIND_SEQUENCE: return "sequence";
    case KIND_MAP: return "map";
    case KIND_OPTIONAL: return "optional";
    default: return "unknown";
    }
}

static const char *a_kind(int k) {
    return k == KIND_OPTIONAL ? "an optional" : k == KIND_TENSOR ? "a tensor"
         : k == KIND_SPARSE ? "a sparse tensor" : k == KIND_SEQUENCE ? "a sequence" : "a map";
}

/* TensorProto's typed data fields. */
enum { F_FLOAT = 4, F_INT32 = 5, F_STRING = 6, F_INT64 = 7, F_DOUBLE = 10, F_UINT64 = 11 };

static const char *data_field_name(int f) {
    switch (f) {
    case F_FLOAT: return "float_data";
    case F_INT32: return "int32_data";
    case F_STRING: return "string_data";
    case F_INT64: return "int64_data";
    case F_DOUBLE: return "double_data";
    default: return "uint64_data";
    }
}

/* Per ONNX data type: its spelling in type strings, its size in raw_data,
 * the typed field that carries it otherwise and how many entries of that
 * field one element takes (onnx.proto's comments on each field). */
static const struct {
    const char *name;
    unsigned size, field, per;
} DTYPES[] = {
    [1] = { "float", 4, F_FLOAT, 1 },     [2] = { "uint8", 1, F_INT32, 1 },
    [3] = { "int8", 1, F_INT32, 1 },      [4] = { "uint16", 2, F_INT32, 1 },
    [5] = { "int16", 2, F_INT32, 1 },     [6] = { "int32", 4, F_INT32, 1 },
    [7] = { "int64", 8, F_INT64, 1 },     [8] = { "string", 0, F_STRING, 1 },
    [9] = { "bool", 1, F_INT32, 1 },      [10] = { "float16", 2, F_INT32, 1 },
    [11] = { "double", 8, F_DOUBLE, 1 },  [12] = { "uint32", 4, F_UINT64, 1 },
    [13] = { "uint64", 8, F_UINT64, 1 },  [14] = { "complex64", 8, F_FLOAT, 2 },
    [15] = { "complex128", 16, F_DOUBLE, 2 }, [16] = { "bfloat16", 2, F_INT32, 1 },
};
#define N_DTYPES (int)(sizeof DTYPES / sizeof DTYPES[0])

static int known_dtype(int64_t d) {
    return d > 0 && d < N_DTYPES && DTYPES[d].name;
}

static void dtype_str(int64_t d, char *buf, size_t cap) {
    if (known_dtype(d))
        snprintf(buf, cap, "%s", DTYPES[d].name);
    else if (d == 0)
        snprintf(buf, cap, "undefined");
    else
        snprintf(buf, cap, "data type %lld", (long long)d);
}

/* ---- the wire format ---------------------------------------------------------- */

typedef struct {
    const unsigned char *buf;       /* the whole file: offsets in messages count from here */
    const vggrt_value_type *type;
    int64_t n_tensors;
    char *err;
    size_t errcap;
} Ctx;

typedef struct {
    uint32_t num;                   /* field number */
    int wt;                         /* wire type */
    size_t at;                      /* offset of its tag */
    uint64_t v;                     /* WT_VARINT: the value */
    size_t off, len;                /* WT_LEN, WT_I32, WT_I64: the payload */
} Field;

/* A varint at *pos (< end): 0 and *pos past it, 1 when truncated, 2 when
 * longer than 10 bytes or beyond 64 bits. */
static int read_varint(const unsigned char *b, size_t *pos, size_t end, uint64_t *out) {
    uint64_t v = 0;
    size_t p = *pos;
    for (int i = 0; i < 10; i++) {
        if (p >= end)
            return 1;
        unsigned char c = b[p++];
        if (i == 9 && c > 1)
            return 2;
        v |= (uint64_t)(c & 0x7f) << (7 * i);
        if (!(c & 0x80)) {
            *pos = p;
            *out = v;
            return 0;
        }
    }
    return 2;
}

/* The next field of the message ending at end: 1 with *f, 0 at the end,
 * -1 on malformed bytes (err written, VGGRT_ERR_FORMAT). */
static int next_field(Ctx *c, const char *where, size_t *pos, size_t end, Field *f) {
    if (*pos >= end)
        return 0;
    memset(f, 0, sizeof *f);
    f->at = *pos;
    uint64_t tag;
    int r = read_varint(c->buf, pos, end, &tag);
    if (r) {
        vggrt__fail(VGGRT_ERR_FORMAT, c->err, c->errcap, "%s: %s tag at byte %zu", where,
                    r == 1 ? "truncated" : "overlong", f->at);
        return -1;
    }
    if (tag >> 3 == 0 || tag >> 3 > 0x1fffffff) {
        vggrt__fail(VGGRT_ERR_FORMAT, c->err, c->errcap, "%s: invalid field number at byte %zu",
                    where, f->at);
        return -1;
    }
    f->num = (uint32_t)(tag >> 3);
    f->wt = (int)(tag & 7);
    size_t n = 0;
    switch (f->wt) {
    case WT_VARINT:
        r = read_varint(c->buf, pos, end, &f->v);
        if (r == 2) {
            vggrt__fail(VGGRT_ERR_FORMAT, c->err, c->errcap,
                        "%s: field %u at byte %zu: varint over 10 bytes or 64 bits", where, f->num,
                        f->at);
            return -1;
        }
        break;
    case WT_I64: n = 8; break;
    case WT_I32: n = 4; break;
    case WT_LEN: {
        uint64_t len;
        r = read_varint(c->buf, pos, end, &len);
        if (r == 2) {
            vggrt__fail(VGGRT_ERR_FORMAT, c->err, c->errcap,
                        "%s: field %u at byte %zu: overlong length", where, f->num, f->at);
            return -1;
        }
        if (!r && len > end - *pos)
            r = 1;
        n = r ? 0 : (size_t)len;
        break;
    }
    default:
        vggrt__fail(VGGRT_ERR_FORMAT, c->err, c->errcap,
                    "%s: field %u at byte %zu has wire type %d (%s)", where, f->num, f->at, f->wt,
                    f->wt == WT_SGROUP || f->wt == WT_EGROUP ? "groups are not supported"
                                                             : "invalid");
        return -1;
    }
    if (r || n > end - *pos) {
        vggrt__fail(VGGRT_ERR_FORMAT, c->err, c->errcap, "%s: truncated field %u at byte %zu",
                    where, f->num, f->at);
        return -1;
    }
    f->off = *pos;
    f->len = n;
    *pos += n;
    return 1;
}

static vggrt_status wrong_wire(Ctx *c, const char *where, const Field *f) {
    return vggrt__fail(VGGRT_ERR_FORMAT, c->err, c->errcap,
                       "%s: field %u at byte %zu has the wrong wire type %d", where, f->num, f->at,
                       f->wt);
}

static vggrt_status twice(Ctx *c, const char *where, const Field *f, const char *what) {
    return vggrt__fail(VGGRT_ERR_FORMAT, c->err, c->errcap, "%s: %s given twice (byte %zu)",
                       where, what, f->at);
}

/* Entries of a repeated numeric field occurrence: one unpacked, or a packed
 * run of varints (fixed == 0) or of fixed-size values.  -1: malformed. */
static int64_t count_entries(Ctx *c, const char *where, const Field *f, unsigned fixed) {
    int ok_wt = fixed == 4 ? WT_I32 : fixed == 8 ? WT_I64 : WT_VARINT;
    if (f->wt == ok_wt)
        return 1;
    if (f->wt != WT_LEN) {
        wrong_wire(c, where, f);
        return -1;
    }
    if (fixed) {
        if (f->len % fixed) {
            vggrt__fail(VGGRT_ERR_FORMAT, c->err, c->errcap,
                        "%s: packed field %u at byte %zu: %zu bytes is not a multiple of %u",
                        where, f->num, f->at, f->len, fixed);
            return -1;
        }
        return (int64_t)(f->len / fixed);
    }
    int64_t n = 0;
    size_t p = f->off, end = f->off + f->len;
    while (p < end) {
        uint64_t v;
        if (read_varint(c->buf, &p, end, &v)) {
            vggrt__fail(VGGRT_ERR_FORMAT, c->err, c->errcap,
                        "%s: packed field %u at byte %zu: bad varint at byte %zu", where, f->num,
                        f->at, p);
            return -1;
        }
        n++;
    }
    return n;
}

/* ---- tensors ---------------------------------------------------------------------- */

/* "[4,?,2]" (-1: "?"); with more dims than stored, "...". */
static void dims_str(int rank, const int64_t *dims, char *buf, size_t cap) {
    size_t n = (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < rank && n < cap; i++) {
        if (i == VGGRT_MAX_RANK) {
            n += (size_t)snprintf(buf + n, cap - n, ",...");
            break;
        }
        if (dims[i] < 0)
            n += (size_t)snprintf(buf + n, cap - n, i ? ",?" : "?");
        else
            n += (size_t)snprintf(buf + n, cap - n, i ? ",%lld" : "%lld", (long long)dims[i]);
    }
    if (n < cap)
        snprintf(buf + n, cap - n, "]");
}

/* Adds dimension d to the element count *count (zeros kept aside in
 * *has_zero so that every prefix product of the non-zero dims is bounded,
 * as npy.c does).  0 when it overflows bound. */
static int add_dim(uint64_t *count, int *has_zero, uint64_t d, uint64_t bound) {
    if (d == 0) {
        *has_zero = 1;
        return 1;
    }
    if (*count > bound / d)
        return 0;
    *count *= d;
    return 1;
}

static vggrt_status check_tensor(Ctx *c, const char *where, size_t pos, size_t end) {
    const vggrt_value_type *t = c->type;
    int64_t dims[VGGRT_MAX_RANK];
    int rank = 0, has_zero = 0, seen_dtype = 0, seen_raw = 0;
    int64_t dtype = 0;
    size_t raw_len = 0;
    int64_t counts[F_UINT64 + 1] = { 0 };
    int present[F_UINT64 + 1] = { 0 };
    uint64_t count = 1;
    /* The element count bound: the bytes of the largest element from the
     * file or the runtime could hold (STRING: its slots). */
    size_t esize = DTYPES[t->dtype].size, rsize = vggrt_dtype_size(t->dtype);
    esize = rsize > esize ? rsize : esize ? esize : 1;
    uint64_t bound = (uint64_t)INT64_MAX / esize;
    Field f;
    int r;
    c->n_tensors++;
    while ((r = next_field(c, where, &pos, end, &f)) > 0) {
        switch (f.num) {
        case 1: {       /* dims: repeated int64, packed or not */
            size_t p = f.off, e = f.off + f.len;
            if (f.wt != WT_VARINT && f.wt != WT_LEN)
                return wrong_wire(c, where, &f);
            for (;;) {
                uint64_t d = f.v;
                if (f.wt == WT_LEN) {
                    if (p >= e)
                        break;
                    if (read_varint(c->buf, &p, e, &d))
                        return vggrt__fail(VGGRT_ERR_FORMAT, c->err, c->errcap,
                                           "%s: dims at byte %zu: bad varint", where, f.at);
                }
                if ((int64_t)d < 0)
                    return vggrt__fail(VGGRT_ERR_FORMAT, c->err, c->errcap,
                                       "%s: negative dimension %lld", where, (long long)(int64_t)d);
                if (!add_dim(&count, &has_zero, d, bound))
                    return vggrt__fail(VGGRT_ERR_FORMAT, c->err, c->errcap,
                                       "%s: the dims' product overflows (dimension %d is %llu)",
                                       where, rank, (unsigned long long)d);
                if (rank < VGGRT_MAX_RANK)
                    dims[rank] = (int64_t)d;
                if (rank < INT32_MAX)
                    rank++;
                if (f.wt == WT_VARINT)
                    break;
            }
            break;
        }
        case 2:
            if (f.wt != WT_VARINT)
                return wrong_wire(c, where, &f);
            if (seen_dtype++)
                return twice(c, where, &f, "data_type");
            dtype = (int64_t)f.v;
            break;
        case 3:
            return vggrt__fail(VGGRT_ERR_FORMAT, c->err, c->errcap,
                               "%s: segmented tensors are not supported", where);
        case F_FLOAT: case F_INT32: case F_INT64: case F_DOUBLE: case F_UINT64: {
            unsigned fixed = f.num == F_FLOAT ? 4 : f.num == F_DOUBLE ? 8 : 0;
            int64_t n = count_entries(c, where, &f, fixed);
            if (n < 0)
                return VGGRT_ERR_FORMAT;
            counts[f.num] += n;
            present[f.num] = 1;
            break;
        }
        case F_STRING:
            if (f.wt != WT_LEN)
                return wrong_wire(c, where, &f);
            counts[F_STRING]++;
            present[F_STRING] = 1;
            break;
        case 8: case 12:    /* name, doc_string */
            if (f.wt != WT_LEN)
                return wrong_wire(c, where, &f);
            break;
        case 9:
            if (f.wt != WT_LEN)
                return wrong_wire(c, where, &f);
            if (seen_raw++)
                return twice(c, where, &f, "raw_data");
            raw_len = f.len;
            break;
        case 13:
            return vggrt__fail(VGGRT_ERR_FORMAT, c->err, c->errcap,
                               "%s: external data is not supported", where);
        case 14:
            if (f.wt != WT_VARINT)
                return wrong_wire(c, where, &f);
            if (f.v != 0)
                return vggrt__fail(VGGRT_ERR_FORMAT, c->err, c->errcap, "%s: %s", where,
                                   f.v == 1 ? "external data is not supported"
                                            : "unknown data_location");
            break;
        default:
            break;
        }
    }
    if (r < 0)
        return VGGRT_ERR_FORMAT;

    char got[64], want[64];
    if (dtype != t->dtype) {
        dtype_str(dtype, got, sizeof got);
        dtype_str(t->dtype, want, sizeof want);
        return vggrt__fail(VGGRT_ERR_MISMATCH, c->err, c->errcap,
                           "%s: data type %s where the model declares %s", where, got, want);
    }
    int dims_ok = t->rank < 0 || t->rank == rank;
    for (int i = 0; dims_ok && t->rank >= 0 && i < rank; i++)
        dims_ok = t->dims[i] < 0 || t->dims[i] == dims[i];
    if (!dims_ok) {
        char gd[160], wd[160];
        dims_str(rank, dims, gd, sizeof gd);
        dims_str(t->rank, t->dims, wd, sizeof wd);
        return vggrt__fail(VGGRT_ERR_MISMATCH, c->err, c->errcap,
                           "%s: dims %s where the model declares %s", where, gd, wd);
    }

    if (has_zero)
        count = 0;
    int used = (int)DTYPES[dtype].field;
    for (int fld = F_FLOAT; fld <= F_UINT64; fld++) {
        if (!present[fld] || (fld == used && !seen_raw))
            continue;
        return vggrt__fail(VGGRT_ERR_FORMAT, c->err, c->errcap, "%s: %s in a tensor of %s%s",
                           where, data_field_name(fld), DTYPES[dtype].name,
                           seen_raw ? " that has raw_data" : "");
    }
    char gd[160];
    dims_str(rank, dims, gd, sizeof gd);
    if (seen_raw) {
        if (dtype == VGGRT_STRING)
            return vggrt__fail(VGGRT_ERR_FORMAT, c->err, c->errcap,
                               "%s: raw_data in a string tensor (strings use string_data)", where);
        uint64_t need = count * DTYPES[dtype].size;
        if (raw_len != need)
            return vggrt__fail(VGGRT_ERR_FORMAT, c->err, c->errcap,
                               "%s: raw_data holds %zu bytes where dims %s of %s need %llu",
                               where, raw_len, gd, DTYPES[dtype].name, (unsigned long long)need);
        return VGGRT_OK;
    }
    uint64_t need = count * DTYPES[dtype].per;
    if ((uint64_t)counts[used] != need)
        return vggrt__fail(VGGRT_ERR_FORMAT, c->err, c->errcap,
                           "%s: %s holds %lld values where dims %s need %llu", where,
                           data_field_name(used), (long long)counts[used], gd,
                           (unsigned long long)need);
    return VGGRT_OK;
}

/* ---- containers ------------------------------------------------------------------- */

/* The kind the contents of container level k must have. */
static int inner_kind(const vggrt_value_type *t, int k) {
    if (k + 1 == t->nwrap)
        return KIND_TENSOR;
    return t->wrap[k + 1] == VGGRT_SEQUENCE ? KIND_SEQUENCE : KIND_OPTIONAL;
}

static vggrt_status check_level(Ctx *c, int k, const char *where, size_t pos, size_t end);

/* One element or value (field 2 + kind) of container level k: its kind,
 * then its contents. */
static vggrt_status check_inner(Ctx *c, int k, const char *where, const Field *f) {
    int want = inner_kind(c->type, k), got = (int)f->num - 2;
    if (got != want)
        return vggrt__fail(VGGRT_ERR_MISMATCH, c->err, c->errcap,
                           "%s: %s where the model declares %s", where, a_kind(got),
                           a_kind(want));
    if (want == KIND_TENSOR)
        return check_tensor(c, where, f->off, f->off + f->len);
    return check_level(c, k + 1, where, f->off, f->off + f->len);
}

/* The container at level k (c->type->wrap[k]) occupying [pos, end). */
static vggrt_status check_level(Ctx *c, int k, const char *where, size_t pos, size_t end) {
    int is_seq = c->type->wrap[k] == VGGRT_SEQUENCE;
    int want = inner_kind(c->type, k), seen_elem_type = 0, seen_value = 0;
    int64_t index = 0;
    char sub[512];
    Field f;
    int r;
    while ((r = next_field(c, where, &pos, end, &f)) > 0) {
        if (f.num == 1) {       /* name */
            if (f.wt != WT_LEN)
                return wrong_wire(c, where, &f);
        } else if (f.num == 2) {
            if (f.wt != WT_VARINT)
                return wrong_wire(c, where, &f);
            if (seen_elem_type++)
                return twice(c, where, &f, "elem_type");
            if (f.v != 0 && f.v != (uint64_t)want)
                return vggrt__fail(VGGRT_ERR_MISMATCH, c->err, c->errcap,
                                   "%s: elem_type is %s where the model declares %s", where,
                                   kind_name(f.v), kind_name((uint64_t)want));
        } else if (f.num >= 3 && f.num <= 7) {
            if (f.wt != WT_LEN)
                return wrong_wire(c, where, &f);
            if (is_seq) {
                /* "element 2 of the sequence", "element 0 of element 1 of ..." */
                snprintf(sub, sizeof sub, "element %lld of %s", (long long)index++, where);
            } else {
                if (seen_value++)
                    return vggrt__fail(VGGRT_ERR_FORMAT, c->err, c->errcap,
                                       "%s: a second value at byte %zu (an optional holds one; "
                                       "is it a sequence?)", where, f.at);
                if (strcmp(where, "the optional") == 0)
                    snprintf(sub, sizeof sub, "the optional's value");
                else
                    snprintf(sub, sizeof sub, "the value of %s", where);
            }
            vggrt_status s = check_inner(c, k, sub, &f);
            if (s != VGGRT_OK)
                return s;
        }
    }
    return r < 0 ? VGGRT_ERR_FORMAT : VGGRT_OK;
}

/* ---- the interface ---------------------------------------------------------------- */

static vggrt_status check_type(const vggrt_value_type *t, char *err, size_t errcap) {
    if (!t || t->nwrap < 1 || t->nwrap > VGGRT_MAX_WRAP)
        return vggrt__fail(VGGRT_ERR_ARG, err, errcap, "value type: %d containers (1..%d)",
                           t ? t->nwrap : 0, VGGRT_MAX_WRAP);
    for (int i = 0; i < t->nwrap; i++)
        if (t->wrap[i] != VGGRT_SEQUENCE && t->wrap[i] != VGGRT_OPTIONAL)
            return vggrt__fail(VGGRT_ERR_ARG, err, errcap, "value type: container %d is %d", i,
                               t->wrap[i]);
    if (!known_dtype(t->dtype))
        return vggrt__fail(VGGRT_ERR_ARG, err, errcap, "value type: unknown element type %d",
                           t->dtype);
    if (t->rank < -1 || t->rank > VGGRT_MAX_RANK)
        return vggrt__fail(VGGRT_ERR_ARG, err, errcap, "value type: rank %d", t->rank);
    for (int i = 0; i < t->rank; i++)
        if (t->dims[i] < -1)
            return vggrt__fail(VGGRT_ERR_ARG, err, errcap, "value type: dimension %lld",
                               (long long)t->dims[i]);
    return VGGRT_OK;
}

/* Checks buf against type; label prefixes messages (NULL: none). */
static vggrt_status parse(const char *label, const unsigned char *buf, size_t len,
                          const vggrt_value_type *type, vggrt_value *v, char *err, size_t errcap) {
    memset(v, 0, sizeof *v);
    vggrt_status s = check_type(type, err, errcap);
    if (s != VGGRT_OK)
        return s;
    if (len > MAX_FILE)
        return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap,
                           "%s%s%zu bytes: larger than the 1 GiB a value may have",
                           label ? label : "", label ? ": " : "", len);
    if (len >= 6 && memcmp(buf, "\x93NUMPY", 6) == 0)   /* the likely mistake: say so */
        return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap,
                           "%s%sa .npy file, where the model takes a %s: an ONNX %s (.pb)",
                           label ? label : "", label ? ": " : "",
                           type->wrap[0] == VGGRT_SEQUENCE ? "sequence" : "optional",
                           type->wrap[0] == VGGRT_SEQUENCE ? "SequenceProto" : "OptionalProto");
    char msg[1024];
    Ctx c = { buf, type, 0, msg, sizeof msg };
    msg[0] = '\0';
    const char *top = type->wrap[0] == VGGRT_SEQUENCE ? "the sequence" : "the optional";
    s = check_level(&c, 0, top, 0, len);
    if (s != VGGRT_OK) {
        if (label)
            return vggrt__fail(s, err, errcap, "%s: %s", label, msg);
        return vggrt__fail(s, err, errcap, "%s", msg);
    }
    void *copy = malloc(len ? len : 1);
    if (!copy)
        return vggrt__fail(VGGRT_ERR_NOMEM, err, errcap, "%s%sout of memory for %zu bytes",
                           label ? label : "", label ? ": " : "", len);
    if (len)
        memcpy(copy, buf, len);
    v->data = copy;
    v->nbytes = len;
    v->n_tensors = c.n_tensors;
    return VGGRT_OK;
}

vggrt_status vggrt_value_parse(const void *buf, size_t len, const vggrt_value_type *type,
                               vggrt_value *v, char *err, size_t errcap) {
    if (!buf && len)
        return vggrt__fail(VGGRT_ERR_ARG, err, errcap, "value: no buffer");
    return parse(NULL, buf, len, type, v, err, errcap);
}

typedef struct {
    const vggrt_value_type *type;
    vggrt_value *v;
} ReadArgs;

static vggrt_status parse_file(const char *name, const unsigned char *buf, size_t len, void *out,
                               char *err, size_t errcap) {
    ReadArgs *a = out;
    return parse(name, buf, len, a->type, a->v, err, errcap);
}

vggrt_status vggrt_value_read(const char *path, const vggrt_value_type *type, vggrt_value *v,
                              char *err, size_t errcap) {
    memset(v, 0, sizeof *v);
    /* Refused before reading it whole (a pipe is bounded by parse). */
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (unsigned long long)st.st_size > MAX_FILE)
        return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap,
                           "%s: %lld bytes: larger than the 1 GiB a value may have", path,
                           (long long)st.st_size);
    ReadArgs a = { type, v };
    return vggrt__parse_file(path, parse_file, &a, err, errcap);
}

static int put_varint(FILE *f, uint64_t v) {
    unsigned char b[10];
    int n = 0;
    do {
        b[n] = (unsigned char)(v & 0x7f);
        v >>= 7;
        if (v)
            b[n] |= 0x80;
        n++;
    } while (v);
    return fwrite(b, 1, (size_t)n, f) == (size_t)n;
}

vggrt_status vggrt_value_write(const char *path, const vggrt_value *v, const char *name, char *err,
                               size_t errcap) {
    if (!v || (!v->data && v->nbytes))
        return vggrt__fail(VGGRT_ERR_ARG, err, errcap, "%s: no value to write", path);
    /* The top-level fields, to drop every name among them.  The value was
     * checked when read, so a failure here means it was not. */
    char msg[256];
    Ctx c = { v->data, NULL, 0, msg, sizeof msg };
    size_t pos = 0;
    Field fl;
    int r;
    while ((r = next_field(&c, "value", &pos, v->nbytes, &fl)) > 0) {
    }
    if (r < 0)
        return vggrt__fail(VGGRT_ERR_ARG, err, errcap, "%s: not a value read by libvggrt: %s",
                           path, msg);
    FILE *f = fopen(path, "wb");
    if (!f)
        return vggrt__fail(VGGRT_ERR_IO, err, errcap, "%s: cannot create: %s", path,
                           strerror(errno));
    int ok = 1;
    if (name) {
        size_t n = strlen(name);
        ok = put_varint(f, 1 << 3 | WT_LEN) && put_varint(f, n) && fwrite(name, 1, n, f) == n;
    }
    pos = 0;
    while (ok && next_field(&c, "value", &pos, v->nbytes, &fl) > 0) {
        if (fl.num == 1)
            continue;
        size_t n = pos - fl.at;
        ok = fwrite((const unsigned char *)v->data + fl.at, 1, n, f) == n;
    }
    return vggrt__close_written(f, ok, path, err, errcap);
}

void vggrt_value_free(vggrt_value *v) {
    if (!v)
        return;
    free(v->data);
    v->data = NULL;
    v->nbytes = 0;
    v->n_tensors = 0;
}

void vggrt_value_type_format(const vggrt_value_type *t, char *buf, size_t cap) {
    if (!buf || cap == 0)
        return;
    buf[0] = '\0';
    if (!t || t->nwrap < 1 || t->nwrap > VGGRT_MAX_WRAP) {
        snprintf(buf, cap, "(invalid value type)");
        return;
    }
    char s[256], d[64];
    size_t n = 0;
    for (int i = 0; i < t->nwrap; i++)
        n += (size_t)snprintf(s + n, sizeof s - n, "%s(",
                              t->wrap[i] == VGGRT_SEQUENCE ? "seq" : "optional");
    dtype_str(t->dtype, d, sizeof d);
    n += (size_t)snprintf(s + n, sizeof s - n, "tensor(%s)", d);
    for (int i = 0; i < t->nwrap; i++)
        n += (size_t)snprintf(s + n, sizeof s - n, ")");
    if (t->rank >= 0 && t->rank <= VGGRT_MAX_RANK) {
        char dd[200];
        dims_str(t->rank, t->dims, dd, sizeof dd);
        snprintf(buf, cap, "%s of %s", s, dd);
    } else {
        snprintf(buf, cap, "%s", s);
    }
}
