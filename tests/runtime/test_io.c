/* test_io.c — libvggrt's file formats: the checksum, .npy and the weights
 * file.
 *
 * The checksum is checked against vectors from the reference xxHash
 * (`xxhsum -H1`), the .npy reader against files numpy 1.24 wrote (embedded
 * byte for byte below, one per format version), the .npy writer against
 * the same bytes.  Then round trips through real files, and a catalogue of
 * broken inputs, each of which must be refused with one specific status
 * (and a message that says what is wrong) and leave nothing allocated:
 * truncation, bad magic, foreign versions, wrong model name, size or
 * checksum, a flipped payload byte, .npy shapes that overflow or are
 * negative, unterminated or malformed headers, Fortran order, unsupported
 * dtypes.  Last, random corruptions of valid files must never crash (run
 * this under AddressSanitizer).
 *
 * Output: a FAIL line per failed check with the expression's values, then
 * "N passed, N failed".
 */
#include "vggrt.h"
#include "../read_file.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int passed, failed;
static char tmpdir[256];

static void report(int ok, const char *fmt, ...) {
    if (ok) {
        passed++;
        return;
    }
    failed++;
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

/* A call's status and, when want_msg is given, that its message contains it. */
static void check_status(const char *what, vggrt_status got, vggrt_status want, const char *err,
                         const char *want_msg) {
    report(got == want, "%s: status %d (%s), want %d (%s); message: %s", what, (int)got,
           vggrt_status_str(got), (int)want, vggrt_status_str(want), err);
    if (want_msg)
        report(strstr(err, want_msg) != NULL, "%s: message \"%s\" lacks \"%s\"", what, err,
               want_msg);
}

static const char *tmp_path(const char *name) {
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static void write_file(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "test_io: cannot write %s\n", path);
        exit(2);
    }
}

/* ---- checksum --------------------------------------------------------------------- */

static void test_checksum(void) {
    /* xxhsum -H1 of bytes (i * 31 + 7) & 255, i < n */
    static const struct {
        size_t n;
        uint64_t h;
    } v[] = {
        { 0, 0xef46db3751d8e999ull },   { 1, 0xa96c7f0ce858bbb7ull },
        { 3, 0x56e6957632a487f9ull },   { 4, 0xc60d15b1e3ff8f04ull },
        { 7, 0xafbefc3d6c6f9a8eull },   { 8, 0x3da5c7aa269683e0ull },
        { 9, 0x4b17a9ba9e215c09ull },   { 12, 0x8fe8ab1c1fd0666eull },
        { 31, 0x4a74f3a1a39ad4a1ull },  { 32, 0x8d57d6a4671cc43dull },
        { 33, 0x62c9fd21ed857664ull },  { 63, 0x5c320a0d2707057full },
        { 64, 0x7bbabbc45729d17eull },  { 100, 0xefa0ad2d3e70c151ull },
        { 1000, 0x99594f4828043d35ull },
    };
    unsigned char buf[1001];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(i * 31 + 7);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint64_t h = vggrt_checksum(buf, v[i].n);
        report(h == v[i].h, "vggrt_checksum(pattern, %zu) = %016" PRIx64 ", want %016" PRIx64,
               v[i].n, h, v[i].h);
        /* the same bytes at an odd address */
        memmove(buf + 1, buf, 1000);
        h = vggrt_checksum(buf + 1, v[i].n);
        memmove(buf, buf + 1, 1000);
        report(h == v[i].h, "vggrt_checksum(pattern + 1, %zu) = %016" PRIx64 ", want %016" PRIx64,
               v[i].n, h, v[i].h);
        /* in pieces: every split into two, and pieces of 1, 5, 31, 32 and 33 bytes */
        bool all = true;
        for (size_t cut = 0; cut <= v[i].n; cut++) {
            vggrt_checksum_state st;
            vggrt_checksum_init(&st);
            vggrt_checksum_update(&st, buf, cut);
            vggrt_checksum_update(&st, buf + cut, v[i].n - cut);
            all = all && vggrt_checksum_final(&st) == v[i].h;
        }
        static const size_t pieces[] = { 1, 5, 31, 32, 33 };
        for (size_t k = 0; k < sizeof pieces / sizeof pieces[0]; k++) {
            vggrt_checksum_state st;
            vggrt_checksum_init(&st);
            for (size_t at = 0; at < v[i].n; at += pieces[k]) {
                size_t len = v[i].n - at < pieces[k] ? v[i].n - at : pieces[k];
                vggrt_checksum_update(&st, buf + at, len);
            }
            all = all && vggrt_checksum_final(&st) == v[i].h;
        }
        report(all, "vggrt_checksum_update in pieces (%zu bytes)", v[i].n);
    }
    vggrt_checksum_state st;
    vggrt_checksum_init(&st);
    vggrt_checksum_update(&st, NULL, 0);
    report(vggrt_checksum_final(&st) == v[0].h, "vggrt_checksum_update(NULL, 0) hashes nothing");
    uint64_t h = vggrt_checksum("abc", 3);
    report(h == 0x44bc2cf5ad770999ull, "vggrt_checksum(\"abc\") = %016" PRIx64, h);
}

/* ---- small things ----------------------------------------------------------------- */

static void test_basics(void) {
    for (int s = VGGRT_OK; s <= VGGRT_ERR_ARG; s++) {
        const char *str = vggrt_status_str((vggrt_status)s);
        report(str && *str && strcmp(str, "unknown status") != 0, "vggrt_status_str(%d) = %s", s,
               str);
    }
    report(vggrt_dtype_size(VGGRT_F32) == 4 && vggrt_dtype_size(VGGRT_I32) == 4 &&
               vggrt_dtype_size(VGGRT_I64) == 8 && vggrt_dtype_size(VGGRT_BOOL) == 1 &&
               vggrt_dtype_size(VGGRT_U8) == 1 && vggrt_dtype_size(VGGRT_I8) == 1 &&
               vggrt_dtype_size(VGGRT_F64) == 8 && vggrt_dtype_size(VGGRT_F16) == 2 &&
               vggrt_dtype_size(VGGRT_BF16) == 2 && vggrt_dtype_size(8) == VGGRT_STRING_SIZE &&
               vggrt_dtype_size(12) == 0 && vggrt_dtype_size(0) == 0,
           "vggrt_dtype_size of F32, I32, I64, BOOL, U8, I8, F64, F16, BF16, 8 (string: its slot), 12, 0");
    static const size_t sizes[] = { 0, 1, 63, 64, 65, 1000 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *p = vggrt_aligned_alloc(sizes[i]);
        int zero = 1;
        for (size_t k = 0; p && k < sizes[i]; k++)
            zero &= p[k] == 0;
        report(p && (uintptr_t)p % 64 == 0 && zero,
               "vggrt_aligned_alloc(%zu) = %p: 64-byte aligned and zeroed", sizes[i], (void *)p);
        vggrt_aligned_free(p);
    }
    report(vggrt_aligned_alloc(SIZE_MAX) == NULL, "vggrt_aligned_alloc(SIZE_MAX) is NULL");
    vggrt_aligned_free(NULL);
}

/* ---- .npy ------------------------------------------------------------------------- */

/* Written by numpy 1.24: np.save of np.arange(6, dtype='<f4').reshape(2, 3) * 0.5 */
static const unsigned char npy_f4_2x3[] = {
    0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00, 0x76, 0x00, 0x7b, 0x27, 0x64, 0x65, 0x73, 0x63,
    0x72, 0x27, 0x3a, 0x20, 0x27, 0x3c, 0x66, 0x34, 0x27, 0x2c, 0x20, 0x27, 0x66, 0x6f, 0x72, 0x74,
    0x72, 0x61, 0x6e, 0x5f, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x27, 0x3a, 0x20, 0x46, 0x61, 0x6c, 0x73,
    0x65, 0x2c, 0x20, 0x27, 0x73, 0x68, 0x61, 0x70, 0x65, 0x27, 0x3a, 0x20, 0x28, 0x32, 0x2c, 0x20,
    0x33, 0x29, 0x2c, 0x20, 0x7d, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x0a,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0xc0, 0x3f,
    0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x20, 0x40,
};
/* np.lib.format.write_array(f, np.array([-3, 0, 1 << 40], dtype='<i8'), version=(2, 0)) */
static const unsigned char npy_i8_v2[] = {
    0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x02, 0x00, 0x74, 0x00, 0x00, 0x00, 0x7b, 0x27, 0x64, 0x65,
    0x73, 0x63, 0x72, 0x27, 0x3a, 0x20, 0x27, 0x3c, 0x69, 0x38, 0x27, 0x2c, 0x20, 0x27, 0x66, 0x6f,
    0x72, 0x74, 0x72, 0x61, 0x6e, 0x5f, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x27, 0x3a, 0x20, 0x46, 0x61,
    0x6c, 0x73, 0x65, 0x2c, 0x20, 0x27, 0x73, 0x68, 0x61, 0x70, 0x65, 0x27, 0x3a, 0x20, 0x28, 0x33,
    0x2c, 0x29, 0x2c, 0x20, 0x7d, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x0a,
    0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
};
/* write_array(f, np.array([[True, False], [False, True]]), version=(3, 0)) */
static const unsigned char npy_b1_v3[] = {
    0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x03, 0x00, 0x74, 0x00, 0x00, 0x00, 0x7b, 0x27, 0x64, 0x65,
    0x73, 0x63, 0x72, 0x27, 0x3a, 0x20, 0x27, 0x7c, 0x62, 0x31, 0x27, 0x2c, 0x20, 0x27, 0x66, 0x6f,
    0x72, 0x74, 0x72, 0x61, 0x6e, 0x5f, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x27, 0x3a, 0x20, 0x46, 0x61,
    0x6c, 0x73, 0x65, 0x2c, 0x20, 0x27, 0x73, 0x68, 0x61, 0x70, 0x65, 0x27, 0x3a, 0x20, 0x28, 0x32,
    0x2c, 0x20, 0x32, 0x29, 0x2c, 0x20, 0x7d, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x0a,
    0x01, 0x00, 0x00, 0x01,
};
/* np.save of np.array(-7, dtype='<i4') (rank 0) */
static const unsigned char npy_i4_scalar[] = {
    0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00, 0x76, 0x00, 0x7b, 0x27, 0x64, 0x65, 0x73, 0x63,
    0x72, 0x27, 0x3a, 0x20, 0x27, 0x3c, 0x69, 0x34, 0x27, 0x2c, 0x20, 0x27, 0x66, 0x6f, 0x72, 0x74,
    0x72, 0x61, 0x6e, 0x5f, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x27, 0x3a, 0x20, 0x46, 0x61, 0x6c, 0x73,
    0x65, 0x2c, 0x20, 0x27, 0x73, 0x68, 0x61, 0x70, 0x65, 0x27, 0x3a, 0x20, 0x28, 0x29, 0x2c, 0x20,
    0x7d, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x0a,
    0xf9, 0xff, 0xff, 0xff,
};
/* np.save of np.zeros((0, 3), dtype='<f4') */
static const unsigned char npy_f4_empty[] = {
    0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00, 0x76, 0x00, 0x7b, 0x27, 0x64, 0x65, 0x73, 0x63,
    0x72, 0x27, 0x3a, 0x20, 0x27, 0x3c, 0x66, 0x34, 0x27, 0x2c, 0x20, 0x27, 0x66, 0x6f, 0x72, 0x74,
    0x72, 0x61, 0x6e, 0x5f, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x27, 0x3a, 0x20, 0x46, 0x61, 0x6c, 0x73,
    0x65, 0x2c, 0x20, 0x27, 0x73, 0x68, 0x61, 0x70, 0x65, 0x27, 0x3a, 0x20, 0x28, 0x30, 0x2c, 0x20,
    0x33, 0x29, 0x2c, 0x20, 0x7d, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x0a,
};

static const char *dims_str(const vggrt_tensor *t, char *buf, size_t cap) {
    size_t n = (size_t)snprintf(buf, cap, "(");
    for (int i = 0; i < t->rank && i < VGGRT_MAX_RANK; i++)
        n += (size_t)snprintf(buf + n, cap - n, i ? ", %lld" : "%lld", (long long)t->dims[i]);
    snprintf(buf + n, cap - n, ")");
    return buf;
}

/* t has dtype, the given dims, and data equal to want. */
static void check_tensor(const char *what, const vggrt_tensor *t, int dtype, int rank,
                         const int64_t *dims, const void *want, size_t nbytes) {
    char s[128];
    int ok = t->dtype == dtype && t->rank == rank && t->nbytes == nbytes;
    for (int i = 0; ok && i < rank; i++)
        ok = t->dims[i] == dims[i];
    report(ok, "%s: dtype %d rank %d dims %s nbytes %zu; want dtype %d rank %d, %zu bytes", what,
           t->dtype, t->rank, dims_str(t, s, sizeof s), t->nbytes, dtype, rank, nbytes);
    report(t->data && (uintptr_t)t->data % 64 == 0, "%s: data %p is 64-byte aligned", what,
           t->data);
    if (ok && nbytes)
        report(memcmp(t->data, want, nbytes) == 0, "%s: data differs", what);
}

static void test_npy_numpy_files(void) {
    char err[256] = "";
    vggrt_tensor t;
    static const float f[] = { 0, 0.5f, 1, 1.5f, 2, 2.5f };
    static const int64_t i8[] = { -3, 0, (int64_t)1 << 40 };
    static const unsigned char b1[] = { 1, 0, 0, 1 };
    static const int32_t i4[] = { -7 };
    static const int64_t d23[] = { 2, 3 }, d3[] = { 3 }, d22[] = { 2, 2 }, d03[] = { 0, 3 };

    check_status("parse numpy f4 (2, 3)", vggrt_npy_parse(npy_f4_2x3, sizeof npy_f4_2x3, &t, err,
                                                          sizeof err), VGGRT_OK, err, NULL);
    check_tensor("numpy f4 (2, 3)", &t, VGGRT_F32, 2, d23, f, sizeof f);
    vggrt_tensor_free(&t);
    check_status("parse numpy v2.0 i8", vggrt_npy_parse(npy_i8_v2, sizeof npy_i8_v2, &t, err,
                                                        sizeof err), VGGRT_OK, err, NULL);
    check_tensor("numpy v2.0 i8 (3,)", &t, VGGRT_I64, 1, d3, i8, sizeof i8);
    vggrt_tensor_free(&t);
    check_status("parse numpy v3.0 b1", vggrt_npy_parse(npy_b1_v3, sizeof npy_b1_v3, &t, err,
                                                        sizeof err), VGGRT_OK, err, NULL);
    check_tensor("numpy v3.0 b1 (2, 2)", &t, VGGRT_BOOL, 2, d22, b1, sizeof b1);
    vggrt_tensor_free(&t);
    check_status("parse numpy i4 scalar", vggrt_npy_parse(npy_i4_scalar, sizeof npy_i4_scalar, &t,
                                                          err, sizeof err), VGGRT_OK, err, NULL);
    check_tensor("numpy i4 ()", &t, VGGRT_I32, 0, NULL, i4, sizeof i4);
    vggrt_tensor_free(&t);
    check_status("parse numpy f4 (0, 3)", vggrt_npy_parse(npy_f4_empty, sizeof npy_f4_empty, &t,
                                                          err, sizeof err), VGGRT_OK, err, NULL);
    check_tensor("numpy f4 (0, 3)", &t, VGGRT_F32, 2, d03, NULL, 0);
    vggrt_tensor_free(&t);

    /* Our writer gives numpy's bytes. */
    static const struct {
        const unsigned char *bytes;
        size_t len;
        int dtype, rank;
        const int64_t *dims;
        const void *data;
        size_t nbytes;
    } same[] = {
        { npy_f4_2x3, sizeof npy_f4_2x3, VGGRT_F32, 2, d23, f, sizeof f },
        { npy_i4_scalar, sizeof npy_i4_scalar, VGGRT_I32, 0, NULL, i4, sizeof i4 },
        { npy_f4_empty, sizeof npy_f4_empty, VGGRT_F32, 2, d03, NULL, 0 },
    };
    for (size_t k = 0; k < sizeof same / sizeof same[0]; k++) {
        vggrt_tensor w = { 0 };
        w.dtype = same[k].dtype;
        w.rank = same[k].rank;
        for (int d = 0; d < w.rank; d++)
            w.dims[d] = same[k].dims[d];
        w.data = (void *)same[k].data;
        w.nbytes = same[k].nbytes;
        const char *path = tmp_path("numpy-same.npy");
        check_status("npy_write", vggrt_npy_write(path, &w, err, sizeof err), VGGRT_OK, err, NULL);
        size_t n = 0;
        unsigned char *got = read_file(path, &n);
        report(got && n == same[k].len && memcmp(got, same[k].bytes, n) == 0,
               "npy_write of case %zu: %zu bytes, not numpy's %zu bytes", k, n, same[k].len);
        free(got);
        unlink(path);
    }
}

static void test_npy_round_trip(void) {
    static const int dtypes[] = { VGGRT_F32, VGGRT_I64, VGGRT_I32, VGGRT_BOOL };
    static const int64_t shapes[][VGGRT_MAX_RANK] = {
        { 0 }, { 5 }, { 3, 4 }, { 2, 3, 5 }, { 1, 3, 2, 7 }, { 2, 1, 2, 1, 2, 1, 2, 3 },
        { 123456789012 },
    };
    static const int ranks[] = { 0, 1, 2, 3, 4, 8 };
    char err[256] = "";
    for (size_t d = 0; d < sizeof dtypes / sizeof dtypes[0]; d++)
        for (size_t s = 0; s < sizeof ranks / sizeof ranks[0]; s++) {
            vggrt_tensor w = { 0 }, r;
            w.dtype = dtypes[d];
            w.rank = ranks[s];
            size_t count = 1;
            for (int i = 0; i < w.rank; i++)
                count *= (size_t)(w.dims[i] = shapes[s][i]);
            w.nbytes = count * vggrt_dtype_size(w.dtype);
            unsigned char *data = malloc(w.nbytes);
            for (size_t i = 0; i < w.nbytes; i++)
                data[i] = (unsigned char)(w.dtype == VGGRT_BOOL ? i % 3 == 0 : i * 37 + d);
            w.data = data;
            const char *path = tmp_path("round.npy");
            char what[64];
            snprintf(what, sizeof what, "round trip dtype %d rank %d", w.dtype, w.rank);
            check_status(what, vggrt_npy_write(path, &w, err, sizeof err), VGGRT_OK, err, NULL);
            check_status(what, vggrt_npy_read(path, &r, err, sizeof err), VGGRT_OK, err, NULL);
            check_tensor(what, &r, w.dtype, w.rank, w.dims, data, w.nbytes);
            vggrt_tensor_free(&r);
            free(data);
            unlink(path);
        }
    /* The writer refuses what it cannot describe. */
    vggrt_tensor w = { 0 };
    float one = 1;
    w.dtype = 2, w.rank = 1, w.dims[0] = 1, w.data = &one, w.nbytes = 4;
    check_status("npy_write dtype 2", vggrt_npy_write(tmp_path("x.npy"), &w, err, sizeof err),
                 VGGRT_ERR_ARG, err, NULL);
    w.dtype = VGGRT_F32, w.nbytes = 8;
    check_status("npy_write nbytes != shape", vggrt_npy_write(tmp_path("x.npy"), &w, err,
                                                              sizeof err), VGGRT_ERR_ARG, err, NULL);
    w.nbytes = 4, w.dims[0] = -1;
    check_status("npy_write negative dim", vggrt_npy_write(tmp_path("x.npy"), &w, err, sizeof err),
                 VGGRT_ERR_ARG, err, NULL);
    w.dims[0] = 1;
    check_status("npy_write into a missing folder",
                 vggrt_npy_write(tmp_path("no/such/dir.npy"), &w, err, sizeof err), VGGRT_ERR_IO,
                 err, "no/such/dir.npy");
    check_status("npy_read of a missing file",
                 vggrt_npy_read(tmp_path("missing.npy"), &w, err, sizeof err), VGGRT_ERR_IO, err,
                 "missing.npy");
    check_status("npy_read of a directory", vggrt_npy_read(tmpdir, &w, err, sizeof err),
                 VGGRT_ERR_IO, err, NULL);
    report(w.data == NULL, "npy_read failure leaves data NULL");
}

/* A .npy image: version major.0, header text as given (the caller adds
 * the '\n' or not), then ndata bytes of data. */
static size_t make_npy(unsigned char *out, int major, const char *header, size_t ndata) {
    size_t h = strlen(header), n = 0;
    memcpy(out, "\x93NUMPY", 6);
    out[6] = (unsigned char)major;
    out[7] = 0;
    if (major == 1) {
        out[8] = (unsigned char)(h & 0xff), out[9] = (unsigned char)(h >> 8);
        n = 10;
    } else {
        for (int i = 0; i < 4; i++)
            out[8 + i] = (unsigned char)(h >> (8 * i));
        n = 12;
    }
    memcpy(out + n, header, h);
    n += h;
    memset(out + n, 0x5A, ndata);
    return n + ndata;
}

#define HDR(descr, fortran, shape) \
    "{'descr': '" descr "', 'fortran_order': " fortran ", 'shape': " shape ", }\n"

static void test_npy_rejects(void) {
    static const struct {
        const char *what;
        int major;
        const char *header;
        size_t ndata;
        const char *msg;
    } bad[] = {
        { "huge dims (element count overflows)", 1,
          HDR("<f4", "False", "(4611686018427387904, 4)"), 0, "overflow" },
        { "huge dims (byte size overflows)", 1, HDR("<f4", "False", "(3000000000000000000,)"), 0,
          "overflow" },
        { "huge dims, 4 x 65536", 1, HDR("<f4", "False", "(65536, 65536, 65536, 65536)"), 0,
          "overflow" },
        { "dim beyond 64 bits", 1, HDR("<f4", "False", "(99999999999999999999,)"), 0, "64 bits" },
        { "dims that exceed the data", 1, HDR("<f4", "False", "(1000000000, 1000)"), 16,
          "truncated" },
        { "negative dims", 1, HDR("<f4", "False", "(-1, 3)"), 12, "negative" },
        { "negative dim later", 1, HDR("<f4", "False", "(3, -2)"), 12, "negative" },
        { "rank 9", 1, HDR("<f4", "False", "(1, 1, 1, 1, 1, 1, 1, 1, 1)"), 4, "more than 8" },
        { "unterminated header (no newline)", 1,
          "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 12, "unterminated" },
        { "unterminated dict", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,),   \n",
          12, "" },
        { "unterminated string", 1, "{'descr': '<f4, 'fortran_order': False}\n", 12, "" },
        { "unterminated tuple", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, \n", 12,
          "" },
        { "fortran order", 1, HDR("<f4", "True", "(2, 3)"), 24, "Fortran" },
        { "complex64", 1, HDR("<c8", "False", "(3,)"), 24, "not supported" },
        { "big-endian", 1, HDR(">f4", "False", "(3,)"), 12, "big-endian" },
        { "uint32", 1, HDR("<u4", "False", "(3,)"), 12, "not supported" },
        { "missing shape", 1, "{'descr': '<f4', 'fortran_order': False, }\n", 4, "lacks" },
        { "duplicate key", 1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, "
                              "'shape': (1,), }\n", 4, "twice" },
        { "unknown key", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}\n",
          4, "key" },
        { "shape of strings", 1, HDR("<f4", "False", "('a',)"), 4, "integers" },
        { "text after the dict", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x\n",
          4, "after" },
        { "not a dict", 1, "[1, 2, 3]\n", 0, "dict" },
        { "truncated data", 1, HDR("<f4", "False", "(2, 3)"), 23, "truncated" },
        { "trailing data", 1, HDR("<f4", "False", "(2, 3)"), 25, "trailing" },
        { "structured dtype", 1,
          "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }\n", 4, "descr" },
        { "fortran_order not a bool", 1, HDR("<f4", "1", "(1,)"), 4, "fortran_order" },
    };
    unsigned char buf[512];
    char err[256], what[128];
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        vggrt_tensor t;
        size_t n = make_npy(buf, bad[k].major, bad[k].header, bad[k].ndata);
        snprintf(what, sizeof what, "npy %s", bad[k].what);
        err[0] = '\0';
        check_status(what, vggrt_npy_parse(buf, n, &t, err, sizeof err), VGGRT_ERR_FORMAT, err,
                     bad[k].msg && *bad[k].msg ? bad[k].msg : NULL);
        report(t.data == NULL, "%s: failure leaves data NULL", what);
    }

    /* Broken preambles, from a valid file. */
    vggrt_tensor t;
    unsigned char img[sizeof npy_f4_2x3];
    memcpy(img, npy_f4_2x3, sizeof img);
    check_status("npy empty", vggrt_npy_parse(img, 0, &t, err, sizeof err), VGGRT_ERR_FORMAT, err,
                 "magic");
    check_status("npy 5 bytes", vggrt_npy_parse(img, 5, &t, err, sizeof err), VGGRT_ERR_FORMAT,
                 err, "magic");
    check_status("npy truncated in the length", vggrt_npy_parse(img, 9, &t, err, sizeof err),
                 VGGRT_ERR_FORMAT, err, "truncated");
    check_status("npy truncated in the header", vggrt_npy_parse(img, 60, &t, err, sizeof err),
                 VGGRT_ERR_FORMAT, err, "truncated");
    check_status("npy truncated in the data", vggrt_npy_parse(img, sizeof img - 1, &t, err,
                                                              sizeof err), VGGRT_ERR_FORMAT, err,
                 "truncated");
    img[1] = 'n';
    check_status("npy bad magic", vggrt_npy_parse(img, sizeof img, &t, err, sizeof err),
                 VGGRT_ERR_FORMAT, err, "magic");
    img[1] = 'N';
    img[6] = 4;
    check_status("npy version 4.0", vggrt_npy_parse(img, sizeof img, &t, err, sizeof err),
                 VGGRT_ERR_FORMAT, err, "version 4.0");
    img[6] = 1, img[7] = 1;
    check_status("npy version 1.1", vggrt_npy_parse(img, sizeof img, &t, err, sizeof err),
                 VGGRT_ERR_FORMAT, err, "version 1.1");
    img[6] = 0, img[7] = 0;
    check_status("npy version 0.0", vggrt_npy_parse(img, sizeof img, &t, err, sizeof err),
                 VGGRT_ERR_FORMAT, err, "version");
    /* A NUL inside the header (make_npy would stop at it). */
    size_t n = make_npy(buf, 1, HDR("<f4", "False", "(1,)"), 4);
    buf[20] = '\0';
    check_status("npy NUL in the header", vggrt_npy_parse(buf, n, &t, err, sizeof err),
                 VGGRT_ERR_FORMAT, err, NULL);
    /* Version 2.0 with a 4 GB header length. */
    unsigned char big[128];
    n = make_npy(big, 2, HDR("<f4", "False", "(1,)"), 0);
    big[8] = big[9] = big[10] = 0xff, big[11] = 0x7f;
    check_status("npy header length 2^31", vggrt_npy_parse(big, n, &t, err, sizeof err),
                 VGGRT_ERR_FORMAT, err, "limit");

    /* A file on disk, to see the path in the message. */
    const char *path = tmp_path("bad.npy");
    n = make_npy(buf, 1, HDR("<f4", "True", "(1,)"), 4);
    write_file(path, buf, n);
    check_status("npy_read fortran order", vggrt_npy_read(path, &t, err, sizeof err),
                 VGGRT_ERR_FORMAT, err, "bad.npy: Fortran");
    unlink(path);
}

/* Random damage to valid files never crashes; the result is a tensor or a
 * FORMAT error. */
static void test_npy_fuzz(void) {
    static const unsigned char *const seeds[] = { npy_f4_2x3, npy_i8_v2, npy_b1_v3,
                                                  npy_i4_scalar };
    static const size_t lens[] = { sizeof npy_f4_2x3, sizeof npy_i8_v2, sizeof npy_b1_v3,
                                   sizeof npy_i4_scalar };
    uint64_t s = 12345;
    int bad = 0;
    for (int it = 0; it < 20000; it++) {
        size_t k = (size_t)it % 4, len = lens[k];
        unsigned char *img = malloc(len);
        memcpy(img, seeds[k], len);
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        int flips = (int)(s >> 60) % 4 + 1;
        for (int f = 0; f < flips; f++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            size_t pos = (size_t)(s >> 33) % len;
            static const char pool[] = "0123456789(),-'{}: \n\0\xff";
            img[pos] = (s >> 20) & 1 ? (unsigned char)pool[(s >> 40) % (sizeof pool - 1)]
                                     : (unsigned char)(s >> 24);
        }
        size_t cut = (s >> 13) % 8 == 0 ? (size_t)(s >> 17) % len : len;
        /* exactly the bytes used, so ASan sees any overread */
        unsigned char *exact = malloc(cut ? cut : 1);
        memcpy(exact, img, cut);
        vggrt_tensor t;
        char err[128];
        vggrt_status st = vggrt_npy_parse(exact, cut, &t, err, sizeof err);
        if (st == VGGRT_OK)
            vggrt_tensor_free(&t);
        else if (st != VGGRT_ERR_FORMAT && !bad++)
            report(0, "npy fuzz iteration %d: status %d (%s)", it, (int)st, err);
        free(exact);
        free(img);
    }
    report(bad == 0, "npy fuzz: %d bad statuses", bad);
}

/* ---- weights ---------------------------------------------------------------------- */

enum { PAYLOAD = 1000 };

/* A weights image for model `name` with a pseudo-random payload. */
static size_t make_weights(unsigned char *img, const char *name, size_t payload,
                           uint64_t *sum) {
    for (size_t i = 0; i < payload; i++)
        img[VGGRT_WEIGHTS_HEADER + i] = (unsigned char)(i * 131 + 17);
    *sum = vggrt_checksum(img + VGGRT_WEIGHTS_HEADER, payload);
    vggrt_weights_header(img, name, payload, *sum);
    return VGGRT_WEIGHTS_HEADER + payload;
}

static void test_weights_header_layout(void) {
    unsigned char h[VGGRT_WEIGHTS_HEADER];
    vggrt_weights_header(h, "vgg16", 0x0102030405060708ull, 0x1112131415161718ull);
    static const unsigned char want[40] = {
        'V', 'G', 'G', 'C', 'W', 'T', 'S', 0,             /* magic */
        1, 0, 0, 0,                                       /* version */
        128, 0, 0, 0,                                     /* header size */
        8, 7, 6, 5, 4, 3, 2, 1,                           /* payload size, little-endian */
        0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11,   /* checksum */
        'v', 'g', 'g', '1', '6', 0, 0, 0,                 /* name... */
    };
    int ok = memcmp(h, want, sizeof want) == 0;
    for (size_t i = sizeof want; i < sizeof h; i++)
        ok &= h[i] == 0;
    report(ok, "vggrt_weights_header: layout differs from vggrt.h");
}

static void test_weights(void) {
    static unsigned char img[VGGRT_WEIGHTS_HEADER + PAYLOAD + 1], bad[sizeof img];
    uint64_t sum;
    size_t len = make_weights(img, "vgg16", PAYLOAD, &sum);
    char err[256] = "";
    vggrt_weights w;
    char path[512];
    snprintf(path, sizeof path, "%s", tmp_path("vgg16.weights"));
    write_file(path, img, len);

    check_status("weights_open", vggrt_weights_open(path, "vgg16", PAYLOAD, sum, &w, err,
                                                    sizeof err), VGGRT_OK, err, NULL);
    report(w.data && (uintptr_t)w.data % 64 == 0 && w.size == PAYLOAD &&
               memcmp(w.data, img + VGGRT_WEIGHTS_HEADER, PAYLOAD) == 0,
           "weights_open: data %p size %llu, want 64-byte aligned, %d bytes equal to the payload",
           w.data, (unsigned long long)w.size, PAYLOAD);
    vggrt_weights_close(&w);
    report(w.data == NULL && w.size == 0, "weights_close clears the struct");
    vggrt_weights_close(&w); /* twice is harmless */

    check_status("weights_parse", vggrt_weights_parse(img, len, "vgg16", PAYLOAD, sum, &w, err,
                                                      sizeof err), VGGRT_OK, err, NULL);
    report(w.data && w.data != img + VGGRT_WEIGHTS_HEADER && (uintptr_t)w.data % 64 == 0 &&
               w.size == PAYLOAD && memcmp(w.data, img + VGGRT_WEIGHTS_HEADER, PAYLOAD) == 0,
           "weights_parse copies the payload, 64-byte aligned");
    vggrt_weights_close(&w);

    /* An empty payload is a valid file. */
    unsigned char empty[VGGRT_WEIGHTS_HEADER];
    vggrt_weights_header(empty, "tiny", 0, vggrt_checksum("", 0));
    check_status("weights_parse empty payload",
                 vggrt_weights_parse(empty, sizeof empty, "tiny", 0, vggrt_checksum("", 0), &w,
                                     err, sizeof err), VGGRT_OK, err, NULL);
    vggrt_weights_close(&w);

    /* Each damage on a copy of the image: what to change, status, message. */
    enum { TRUNC, TRUNC_HDR, TRAIL, MAGIC, VERSION, HSIZE, RESERVED, NAME_NUL, NAME_JUNK,
           FLIP, FLIP_FIRST, FLIP_LAST, SUM_FIELD };
    static const struct {
        int kind;
        const char *what;
        vggrt_status st;
        const char *msg;
    } damage[] = {
        { TRUNC, "truncated payload", VGGRT_ERR_FORMAT, "truncated: header says 1000 payload bytes, file has 999" },
        { TRUNC_HDR, "truncated header", VGGRT_ERR_FORMAT, "truncated" },
        { TRAIL, "a trailing byte", VGGRT_ERR_FORMAT, "trailing" },
        { MAGIC, "bad magic", VGGRT_ERR_FORMAT, "bad magic" },
        { VERSION, "version 2", VGGRT_ERR_FORMAT, "version 2" },
        { HSIZE, "header size 64", VGGRT_ERR_FORMAT, "header size" },
        { RESERVED, "reserved byte set", VGGRT_ERR_FORMAT, "reserved" },
        { NAME_NUL, "name without NUL", VGGRT_ERR_FORMAT, "NUL" },
        { NAME_JUNK, "bytes after the name's NUL", VGGRT_ERR_FORMAT, "NUL" },
        { FLIP, "flipped payload byte", VGGRT_ERR_FORMAT, "checksum mismatch (file is corrupt)" },
        { FLIP_FIRST, "flipped first payload bit", VGGRT_ERR_FORMAT, "checksum mismatch" },
        { FLIP_LAST, "flipped last payload bit", VGGRT_ERR_FORMAT, "checksum mismatch" },
        { SUM_FIELD, "checksum field changed", VGGRT_ERR_FORMAT, "checksum mismatch" },
    };
    for (size_t k = 0; k < sizeof damage / sizeof damage[0]; k++) {
        memcpy(bad, img, len);
        size_t blen = len;
        uint32_t u;
        switch (damage[k].kind) {
        case TRUNC: blen = len - 1; break;
        case TRUNC_HDR: blen = 100; break;
        case TRAIL: bad[len] = 0, blen = len + 1; break;
        case MAGIC: bad[3] = 'X'; break;
        case VERSION: u = 2, memcpy(bad + 8, &u, 4); break;
        case HSIZE: u = 64, memcpy(bad + 12, &u, 4); break;
        case RESERVED: bad[127] = 1; break;
        case NAME_NUL: memset(bad + 32, 'a', 64); break;
        case NAME_JUNK: bad[32 + 40] = 'x'; break;
        case FLIP: bad[VGGRT_WEIGHTS_HEADER + 517] ^= 0x10; break;
        case FLIP_FIRST: bad[VGGRT_WEIGHTS_HEADER] ^= 0x01; break;
        case FLIP_LAST: bad[VGGRT_WEIGHTS_HEADER + PAYLOAD - 1] ^= 0x80; break;
        case SUM_FIELD: bad[24] ^= 1; break;
        }
        char what[128];
        snprintf(what, sizeof what, "weights_parse with %s", damage[k].what);
        w.data = (void *)1;
        check_status(what, vggrt_weights_parse(bad, blen, "vgg16", PAYLOAD, sum, &w, err,
                                               sizeof err), damage[k].st, err, damage[k].msg);
        report(w.data == NULL, "%s: failure leaves data NULL", what);
        /* and the same through a file, whose name the message carries */
        const char *bpath = tmp_path("bad.weights");
        write_file(bpath, bad, blen);
        snprintf(what, sizeof what, "weights_open with %s", damage[k].what);
        check_status(what, vggrt_weights_open(bpath, "vgg16", PAYLOAD, sum, &w, err, sizeof err),
                     damage[k].st, err, "bad.weights: ");
        report(w.data == NULL, "%s: failure leaves data NULL", what);
        unlink(bpath);
    }

    /* Sound files that are not what the model expects. */
    check_status("weights for another model",
                 vggrt_weights_open(path, "resnet", PAYLOAD, sum, &w, err, sizeof err),
                 VGGRT_ERR_MISMATCH, err, "vgg16.weights: written for model 'vgg16', not 'resnet'");
    check_status("weights of another size",
                 vggrt_weights_open(path, "vgg16", PAYLOAD + 64, sum, &w, err, sizeof err),
                 VGGRT_ERR_MISMATCH, err, "1000 bytes");
    check_status("weights with another checksum",
                 vggrt_weights_open(path, "vgg16", PAYLOAD, sum ^ 1, &w, err, sizeof err),
                 VGGRT_ERR_MISMATCH, err, "checksum");
    report(w.data == NULL, "mismatch leaves data NULL");

    /* Files that are not there, arguments that cannot be right. */
    check_status("weights_open of a missing file",
                 vggrt_weights_open(tmp_path("missing.weights"), "vgg16", PAYLOAD, sum, &w, err,
                                    sizeof err), VGGRT_ERR_IO, err, "missing.weights: cannot open");
    write_file(tmp_path("empty.weights"), "", 0);
    check_status("weights_open of an empty file",
                 vggrt_weights_open(tmp_path("empty.weights"), "vgg16", PAYLOAD, sum, &w, err,
                                    sizeof err), VGGRT_ERR_FORMAT, err, "empty.weights: ");
    unlink(tmp_path("empty.weights"));
    char longname[80];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    check_status("weights_parse with a 79-byte name",
                 vggrt_weights_parse(img, len, longname, PAYLOAD, sum, &w, err, sizeof err),
                 VGGRT_ERR_ARG, err, "longer than 63");
    check_status("weights_parse with no name",
                 vggrt_weights_parse(img, len, NULL, PAYLOAD, sum, &w, err, sizeof err),
                 VGGRT_ERR_ARG, err, NULL);
    /* No err buffer: still the status. */
    check_status("weights_parse without err buffer",
                 vggrt_weights_parse(img, len - 1, "vgg16", PAYLOAD, sum, &w, NULL, 0),
                 VGGRT_ERR_FORMAT, "", NULL);
    /* A 63-byte name is the longest that fits. */
    memset(longname, 'n', 63);
    longname[63] = '\0';
    len = make_weights(img, longname, 10, &sum);
    check_status("weights with a 63-byte name",
                 vggrt_weights_parse(img, len, longname, 10, sum, &w, err, sizeof err), VGGRT_OK,
                 err, NULL);
    vggrt_weights_close(&w);
    unlink(path);
}

int main(void) {
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/vggrt-test-io-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("test_io: mkdtemp");
        return 2;
    }
    test_basics();
    test_checksum();
    test_npy_numpy_files();
    test_npy_round_trip();
    test_npy_rejects();
    test_npy_fuzz();
    test_weights_header_layout();
    test_weights();
    rmdir(tmpdir);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
