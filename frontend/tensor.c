/* tensor.c — ONNX TensorProto to bytes we can trust.
 *
 * A TensorProto says what it holds three ways: little-endian bytes in
 * raw_data (what exporters write for weights), a typed repeated field
 * (float_data, int64_data, and int32_data, which ONNX also uses for bool,
 * int8 and fp16; Constant nodes and hand-made models like these), or a
 * file beside the model (data_location EXTERNAL, with location/offset/length
 * key-value pairs; what large models use).  Whichever it is, the data must
 * be exactly as long as the declared type and shape need: dims are checked
 * against VGGC_MAX_RANK and VGGC_MAX_DIM, and the element and byte counts
 * are computed with overflow checks, before anything is allocated.
 *
 * External data is read only from inside the model's folder: a location
 * that is absolute or has a ".." component is refused outright, and after
 * realpath() (which resolves symlinks) the file must still lie under the
 * folder's own realpath.  Offset and length are checked against the file's
 * size, overflow included, before reading with pread().
 *
 * The same decoder serves onnx_read_tensor_pb(), which reads the .pb input
 * and output files of ONNX's test cases; onnx_write_tensor_pb() writes one.
 */
#define _XOPEN_SOURCE 700           /* realpath, pread */
#define _DEFAULT_SOURCE             /* madvise */
#include "frontend-impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- data types --------------------------------------------------------- */

static const char *const onnx_type_names[] = {
    "UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64",
    "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64",
    "COMPLEX128", "BFLOAT16", "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2",
    "FLOAT8E5M2FNUZ", "UINT4", "INT4", "FLOAT4E2M1",
};

const char *fe_onnx_dtype_name(int32_t code)
{
    if (code >= 0 && (size_t)code < sizeof onnx_type_names / sizeof onnx_type_names[0])
        return onnx_type_names[code];
    return "UNKNOWN";
}

DType fe_dtype_from_onnx(int32_t code)
{
    switch (code) {
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: return DT_FLOAT;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT64: return DT_INT64;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT32: return DT_INT32;
    case ONNX__TENSOR_PROTO__DATA_TYPE__BOOL: return DT_BOOL;
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT8: return DT_UINT8;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT8: return DT_INT8;
    case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: return DT_DOUBLE;
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16: return DT_FLOAT16;
    case ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16: return DT_BFLOAT16;
    default: return DT_UNDEF;
    }
}

int32_t fe_dtype_to_onnx(DType dt)
{
    switch (dt) {
    case DT_FLOAT: return ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    case DT_INT64: return ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
    case DT_INT32: return ONNX__TENSOR_PROTO__DATA_TYPE__INT32;
    case DT_BOOL: return ONNX__TENSOR_PROTO__DATA_TYPE__BOOL;
    case DT_UINT8: return ONNX__TENSOR_PROTO__DATA_TYPE__UINT8;
    case DT_INT8: return ONNX__TENSOR_PROTO__DATA_TYPE__INT8;
    case DT_DOUBLE: return ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE;
    case DT_FLOAT16: return ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16;
    case DT_BFLOAT16: return ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16;
    case DT_STRING: return ONNX__TENSOR_PROTO__DATA_TYPE__STRING;
    case DT_UNDEF:
    case DT_COUNT: break;
    }
    return ONNX__TENSOR_PROTO__DATA_TYPE__UNDEFINED;
}

/* ---- errors into a caller's buffer -------------------------------------- */

/* Writes the message into err (cut to cap) and returns false. */
static bool fail(char *err, size_t cap, const char *fmt, ...) VGGC_PRINTF(3, 4);
static bool fail(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (cap)
        vsnprintf(err, cap, fmt, ap);
    va_end(ap);
    return false;
}

/* ---- reading files ------------------------------------------------------ */

/* fe_read_file on a stream already open (closed here). */
static bool read_stream(FILE *f, size_t max_bytes, void **buf, size_t *len, char *err,
                        size_t errcap)
{
    struct stat st;
    bool have_stat = fstat(fileno(f), &st) == 0;
    if (have_stat && S_ISDIR(st.st_mode)) {
        fclose(f);
        return fail(err, errcap, "is a directory");
    }
    /* Read one byte past the limit to tell "exactly the limit" from "more".
     * Regular files tell their size; pipes are read in growing chunks. */
    size_t limit = max_bytes < SIZE_MAX ? max_bytes + 1 : SIZE_MAX;
    size_t cap = (have_stat && S_ISREG(st.st_mode) && st.st_size > 0 &&
                  (uint64_t)st.st_size < SIZE_MAX) ? (size_t)st.st_size + 1 : (size_t)1 << 16;
    if (cap > limit)
        cap = limit;
    unsigned char *p = malloc(cap);
    size_t n = 0;
    while (p) {
        if (n == cap) {
            if (cap == limit)
                break;
            size_t ncap = cap > limit / 2 ? limit : cap * 2;
            unsigned char *q = realloc(p, ncap);
            if (!q) {
                free(p);
                p = NULL;
                break;
            }
            p = q;
            cap = ncap;
        }
        size_t got = fread(p + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    bool bad = ferror(f);
    int saved = errno;
    fclose(f);
    if (!p)
        return fail(err, errcap, "out of memory reading %zu bytes", cap);
    if (bad) {
        free(p);
        return fail(err, errcap, "read failed: %s", strerror(saved));
    }
    if (n > max_bytes) {
        free(p);
        return fail(err, errcap, "file is larger than the limit of %zu bytes", max_bytes);
    }
    *buf = p;
    *len = n;
    return true;
}

bool fe_read_file(const char *path, size_t max_bytes, void **buf, size_t *len, char *err,
                  size_t errcap)
{
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(err, errcap, "cannot open: %s", strerror(errno));
    return read_stream(f, max_bytes, buf, len, err, errcap);
}

bool fe_file_load(const char *path, size_t max_bytes, FeFile *f, char *err, size_t errcap)
{
    memset(f, 0, sizeof *f);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(err, errcap, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uint64_t)st.st_size <= max_bytes) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED) {
            close(fd);
            f->data = p;
            f->len = (size_t)st.st_size;
            f->mapped = true;
            return true;
        }
    }
    /* Not mappable (a pipe, empty, over the limit): read from the same
     * descriptor, which also says what is wrong.  (A named pipe opened a
     * second time would wait for another writer: its first one has gone.) */
    FILE *s = fdopen(fd, "rb");
    if (!s) {
        int e = errno;
        close(fd);
        return fail(err, errcap, "cannot open: %s", strerror(e));
    }
    return read_stream(s, max_bytes, &f->data, &f->len, err, errcap);
}

void fe_file_drop(FeFile *f, size_t upto)
{
    if (!f->mapped)
        return;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t end = (upto < f->len ? upto : f->len) / page * page;
    if (end > f->dropped) {
        madvise((char *)f->data + f->dropped, end - f->dropped, MADV_DONTNEED);
        f->dropped = end;
    }
}

void fe_file_release(FeFile *f)
{
    if (f->mapped)
        munmap(f->data, f->len);
    else
        free(f->data);
    memset(f, 0, sizeof *f);
}

char *fe_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 0;
    if (slash && n == 0)
        n = 1;                      /* "/model.onnx" */
    char *d = malloc(n + 2);
    if (!d)
        return NULL;
    if (!slash) {
        strcpy(d, ".");
    } else {
        memcpy(d, path, n);
        d[n] = 0;
    }
    return d;
}

/* ---- where decoded bytes go ----------------------------------------------- */

/* n bytes from the graph's arena (64-aligned, so a constant needs no second
 * copy), or from malloc when there is no arena; NULL only from malloc. */
static void *data_alloc(Arena *arena, size_t n)
{
    return arena ? arena_alloc_aligned(arena, n, 64) : malloc(n ? n : 1);
}

/* Records p (from data_alloc) as out's storage. */
static void data_own(TensorData *out, Arena *arena, void *p)
{
    out->data = p;
    out->owned = arena ? NULL : p;
    out->in_arena = arena != NULL;
}

/* ---- external data ------------------------------------------------------ */

/* Parses a non-negative decimal integer that fits int64; false otherwise. */
static bool parse_u63(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > (uint64_t)INT64_MAX)
            return false;
    }
    *out = v;
    return true;
}

/* Refuses locations that name anything but a path below the folder. */
static bool check_location(const char *loc, char *err, size_t errcap)
{
    size_t len = strlen(loc);
    if (len == 0)
        return fail(err, errcap, "external data has an empty location");
    if (len > FE_MAX_NAME)
        return fail(err, errcap, "external data location is longer than %u bytes", FE_MAX_NAME);
    if (loc[0] == '/' || loc[0] == '\\' || (len >= 2 && loc[1] == ':'))
        return fail(err, errcap,
                    "external data location '%s' is an absolute path; only files inside the "
                    "model's folder are read", loc);
    for (const char *p = loc; *p;) {
        size_t n = strcspn(p, "/\\");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return fail(err, errcap,
                        "external data location '%s' leaves the model's folder ('..')", loc);
        p += n;
        if (*p)
            p++;
    }
    return true;
}

/* Reads the external data of t (nbytes expected) into *out (data_alloc). */
static bool read_external(const Onnx__TensorProto *t, const ExternalRoot *root, size_t nbytes,
                          Arena *arena, void **out, char *err, size_t errcap)
{
    const char *loc = NULL, *off_s = NULL, *len_s = NULL;
    for (size_t i = 0; i < t->n_external_data; i++) {
        const Onnx__StringStringEntryProto *e = t->external_data[i];
        const char *k = fe_str(e->key);
        if (strcmp(k, "location") == 0)
            loc = fe_str(e->value);
        else if (strcmp(k, "offset") == 0)
            off_s = fe_str(e->value);
        else if (strcmp(k, "length") == 0)
            len_s = fe_str(e->value);
    }
    if (!loc)
        return fail(err, errcap, "external data without a 'location'");
    if (!root || !root->base_dir)
        return fail(err, errcap, "external data ('%s') is not allowed here (no model folder)",
                    loc);
    if (!check_location(loc, err, errcap))
        return false;
    uint64_t off = 0, length = 0;
    if (off_s && !parse_u63(off_s, &off))
        return fail(err, errcap, "external data offset '%s' is not a non-negative integer",
                    off_s);
    if (len_s && !parse_u63(len_s, &length))
        return fail(err, errcap, "external data length '%s' is not a non-negative integer",
                    len_s);

    if (!*root->real) {
        *root->real = realpath(root->base_dir, NULL);
        if (!*root->real)
            return fail(err, errcap, "cannot resolve the model's folder '%s': %s",
                        root->base_dir, strerror(errno));
    }
    size_t blen = strlen(root->base_dir);
    char *joined = malloc(blen + strlen(loc) + 2);
    if (!joined)
        return fail(err, errcap, "out of memory");
    sprintf(joined, "%s/%s", root->base_dir, loc);
    char *real = realpath(joined, NULL);
    int saved = errno;
    free(joined);
    if (!real)
        return fail(err, errcap, "cannot open external data file '%s': %s", loc,
                    strerror(saved));
    const char *base = *root->real;
    size_t rlen = strlen(base);
    bool inside = strncmp(real, base, rlen) == 0 &&
                  (real[rlen] == '/' || (rlen == 1 && base[0] == '/'));
    if (!inside) {
        fail(err, errcap, "external data location '%s' resolves to '%s', outside the model's "
             "folder", loc, real);
        free(real);
        return false;
    }
    /* O_NONBLOCK: a FIFO in the folder must not hang us before fstat says
     * it is not a regular file. */
    int fd = open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    saved = errno;
    if (fd < 0) {
        fail(err, errcap, "cannot open external data file '%s': %s", loc, strerror(saved));
        free(real);
        return false;
    }
    free(real);
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return fail(err, errcap, "external data file '%s' is not a regular file", loc);
    }
    uint64_t size = (uint64_t)st.st_size, end;
    if (off > size) {
        close(fd);
        return fail(err, errcap, "external data offset %llu is past the end of '%s' (%llu bytes)",
                    (unsigned long long)off, loc, (unsigned long long)size);
    }
    if (!len_s)
        length = size - off;
    if (__builtin_add_overflow(off, length, &end) || end > size) {
        close(fd);
        return fail(err, errcap,
                    "external data offset %llu + length %llu runs past the end of '%s' "
                    "(%llu bytes)", (unsigned long long)off, (unsigned long long)length, loc,
                    (unsigned long long)size);
    }
    if (length != nbytes) {
        close(fd);
        return fail(err, errcap, "external data in '%s' is %llu bytes; the type and shape need %zu",
                    loc, (unsigned long long)length, nbytes);
    }
    unsigned char *p = data_alloc(arena, nbytes);
    if (!p) {
        close(fd);
        return fail(err, errcap, "out of memory reading %zu bytes of external data", nbytes);
    }
    size_t done = 0;
    while (done < nbytes) {
        ssize_t r = pread(fd, p + done, nbytes - done, (off_t)(off + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            saved = r < 0 ? errno : 0;
            close(fd);
            if (!arena)
                free(p);
            return fail(err, errcap, "reading external data file '%s' failed: %s", loc,
                        saved ? strerror(saved) : "unexpected end of file");
        }
        done += (size_t)r;
    }
    close(fd);
    if (root->hash)
        vggrt_checksum_update(root->hash, p, nbytes);
    *out = p;
    return true;
}

/* ---- decoding ------------------------------------------------------------ */

bool fe_tensor_decode(const Onnx__TensorProto *t, const ExternalRoot *root, Arena *arena,
                      TensorData *out, char *err, size_t errcap)
{
    memset(out, 0, sizeof *out);
    int32_t code = t->has_data_type ? t->data_type : 0;
    DType dt = fe_dtype_from_onnx(code);
    if (dt == DT_UNDEF)
        return fail(err, errcap, "data type %s is not supported", fe_onnx_dtype_name(code));
    if (t->segment)
        return fail(err, errcap, "segmented tensors are not supported");
    if (t->n_dims > VGGC_MAX_RANK)
        return fail(err, errcap, "rank %zu exceeds the maximum of %d", t->n_dims, VGGC_MAX_RANK);
    Shape s = {.rank = (int)t->n_dims};
    size_t count = 1, nbytes;
    for (size_t i = 0; i < t->n_dims; i++) {
        if (t->dims[i] < 0 || t->dims[i] > VGGC_MAX_DIM)
            return fail(err, errcap, "dimension %zu is %lld (must be 0..%lld)", i,
                        (long long)t->dims[i], (long long)VGGC_MAX_DIM);
        s.d[i] = t->dims[i];
    }
    char sbuf[256];
    shape_format(&s, sbuf, sizeof sbuf, NULL);
    for (int i = 0; i < s.rank; i++)
        if (!size_mul(count, (size_t)s.d[i], &count))
            return fail(err, errcap, "shape %s has too many elements", sbuf);
    if (!size_mul(count, dtype_size(dt), &nbytes))
        return fail(err, errcap, "shape %s of %s is too large", sbuf, fe_onnx_dtype_name(code));
    out->dtype = dt;
    out->shape = s;
    out->count = count;
    out->nbytes = nbytes;

    if (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) {
        void *p = NULL;
        if (!read_external(t, root, nbytes, arena, &p, err, errcap))
            return false;
        data_own(out, arena, p);
    } else if (t->has_data_location &&
               t->data_location != ONNX__TENSOR_PROTO__DATA_LOCATION__DEFAULT) {
        return fail(err, errcap, "unknown data_location %d", (int)t->data_location);
    } else if (t->has_raw_data && (t->raw_data.len > 0 || count == 0 ||
                                   (!t->n_float_data && !t->n_int64_data && !t->n_int32_data &&
                                    !t->n_double_data))) {
        /* A weight's bytes were taken out of the model before unpacking
         * (fe_pb_slim): raw_data holds the marker of their span. */
        const FeSpan *sp = fe_span_of(root ? root->spans : NULL, t);
        size_t have = sp ? sp->len : t->raw_data.len;
        if (have != nbytes)
            return fail(err, errcap, "shape %s of %s needs %zu bytes; raw_data has %zu", sbuf,
                        fe_onnx_dtype_name(code), nbytes, have);
        out->data = sp ? sp->data : t->raw_data.data;
    } else {
        const void *src;
        size_t have;
        const char *field;
        switch (dt) {
        case DT_FLOAT: src = t->float_data; have = t->n_float_data; field = "float_data"; break;
        case DT_INT64: src = t->int64_data; have = t->n_int64_data; field = "int64_data"; break;
        case DT_DOUBLE: src = t->double_data; have = t->n_double_data; field = "double_data"; break;
        /* INT32, and one int32 per element for the narrower types (for
         * FLOAT16 and BFLOAT16, the bit pattern). */
        default: src = t->int32_data; have = t->n_int32_data; field = "int32_data"; break;
        }
        if (have != count)
            return fail(err, errcap, "shape %s of %s needs %zu values; %s has %zu", sbuf,
                        fe_onnx_dtype_name(code), count, field, have);
        unsigned char *p = data_alloc(arena, nbytes);
        if (!p)
            return fail(err, errcap, "out of memory (%zu bytes)", nbytes);
        if (dt == DT_BOOL) {
            for (size_t i = 0; i < count; i++)
                p[i] = t->int32_data[i] != 0;
        } else if (dt == DT_UINT8 || dt == DT_INT8) {
            for (size_t i = 0; i < count; i++)       /* the low byte: two's complement for INT8 */
                p[i] = (unsigned char)t->int32_data[i];
        } else if (dt == DT_FLOAT16 || dt == DT_BFLOAT16) {
            for (size_t i = 0; i < count; i++) {
                uint16_t h = (uint16_t)t->int32_data[i];
                memcpy(p + 2 * i, &h, 2);
            }
        } else if (nbytes) {
            memcpy(p, src, nbytes);
        }
        data_own(out, arena, p);
    }
    if (dt == DT_BOOL && count) {
        /* Bytes other than 0 and 1 are not bools: normalize our own copy. */
        const unsigned char *q = out->data;
        size_t i = 0;
        while (i < count && q[i] <= 1)
            i++;
        if (i < count) {
            bool mine = out->owned || out->in_arena;
            unsigned char *p = mine ? (unsigned char *)out->data : data_alloc(arena, count);
            if (!p)
                return fail(err, errcap, "out of memory (%zu bytes)", count);
            for (size_t j = 0; j < count; j++)
                p[j] = q[j] != 0;
            if (!mine)
                data_own(out, arena, p);
        }
    }
    return true;
}

void fe_tensor_release(TensorData *td)
{
    free(td->owned);
    td->owned = NULL;
    td->data = NULL;
}

uint32_t fe_add_const(Graph *g, const char *name, TensorData *td)
{
    uint32_t id;
    if (td->in_arena) {
        id = graph_add_value(g, name, VAL_CONST, td->dtype);
        Value *v = &g->values[id];
        v->has_shape = true;
        v->shape = td->shape;
        v->data = (void *)td->data;
        v->nbytes = td->nbytes;
    } else {
        id = graph_add_const(g, name, td->dtype, &td->shape, td->data, td->nbytes);
    }
    fe_tensor_release(td);
    return id;
}

/* ---- TensorProto files --------------------------------------------------- */

bool onnx_read_tensor_pb(const char *path, vggrt_tensor *out, char *err, size_t errcap)
{
    char why[512];
    memset(out, 0, sizeof *out);
    void *buf;
    size_t len;
    if (!fe_read_file(path, FE_DEFAULT_MAX_BYTES, &buf, &len, why, sizeof why))
        return fail(err, errcap, "%s: %s", path, why);
    const char *scan = fe_pb_scan(&onnx__tensor_proto__descriptor, buf, len);
    Onnx__TensorProto *t = scan ? NULL : onnx__tensor_proto__unpack(NULL, len, buf);
    free(buf);
    if (!t)
        return fail(err, errcap, "%s: not a valid ONNX TensorProto (%s; %zu bytes)", path,
                    scan ? scan : "protobuf parse failed", len);
    char *dir = fe_dirname(path), *real = NULL;
    ExternalRoot root = {dir, &real, NULL, NULL};
    TensorData td;
    bool ok = fe_tensor_decode(t, &root, NULL, &td, why, sizeof why);
    if (ok) {
        out->dtype = fe_dtype_to_onnx(td.dtype);
        out->rank = td.shape.rank;
        for (int i = 0; i < td.shape.rank; i++)
            out->dims[i] = td.shape.d[i];
        out->nbytes = td.nbytes;
        out->data = vggrt_aligned_alloc(td.nbytes ? td.nbytes : 1);
        if (!out->data) {
            ok = false;
            snprintf(why, sizeof why, "out of memory (%zu bytes)", td.nbytes);
        } else if (td.nbytes) {
            memcpy(out->data, td.data, td.nbytes);
        }
        fe_tensor_release(&td);
    }
    if (!ok) {
        if (t->name && *t->name)
            fail(err, errcap, "%s: tensor '%s': %s", path, t->name, why);
        else
            fail(err, errcap, "%s: %s", path, why);
        memset(out, 0, sizeof *out);
    }
    free(real);
    free(dir);
    onnx__tensor_proto__free_unpacked(t, NULL);
    return ok;
}

bool onnx_write_tensor_pb(const char *path, const vggrt_tensor *t, char *err, size_t errcap)
{
    DType dt = fe_dtype_from_onnx(t->dtype);
    if (dt == DT_UNDEF)
        return fail(err, errcap, "%s: cannot write a tensor of data type %s", path,
                    fe_onnx_dtype_name(t->dtype));
    if (t->rank < 0 || t->rank > VGGRT_MAX_RANK)
        return fail(err, errcap, "%s: cannot write a tensor of rank %d", path, t->rank);
    size_t count = 1, nbytes;
    int64_t dims[VGGRT_MAX_RANK];
    for (int i = 0; i < t->rank; i++) {
        if (t->dims[i] < 0 || !size_mul(count, (size_t)t->dims[i], &count))
            return fail(err, errcap, "%s: bad dimension %lld", path, (long long)t->dims[i]);
        dims[i] = t->dims[i];
    }
    if (!size_mul(count, dtype_size(dt), &nbytes) || nbytes != t->nbytes ||
        (nbytes && !t->data))
        return fail(err, errcap, "%s: tensor holds %zu bytes; its type and shape need %zu", path,
                    t->nbytes, nbytes);
    Onnx__TensorProto tp;
    onnx__tensor_proto__init(&tp);
    tp.n_dims = (size_t)t->rank;
    tp.dims = dims;
    tp.has_data_type = 1;
    tp.data_type = t->dtype;
    tp.has_raw_data = 1;
    tp.raw_data.len = nbytes;
    tp.raw_data.data = t->data;
    size_t size = onnx__tensor_proto__get_packed_size(&tp);
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return fail(err, errcap, "%s: out of memory (%zu bytes)", path, size);
    onnx__tensor_proto__pack(&tp, buf);
    FILE *f = fopen(path, "wb");
    if (!f) {
        int saved = errno;
        free(buf);
        return fail(err, errcap, "%s: cannot create: %s", path, strerror(saved));
    }
    bool ok = fwrite(buf, 1, size, f) == size;
    int saved = errno;
    ok = (fclose(f) == 0) && ok;
    free(buf);
    if (!ok)
        return fail(err, errcap, "%s: write failed: %s", path, strerror(saved));
    return true;
}
