/* test_pbvalue.c — sequence and optional values in libvggrt
 * (runtime/pbvalue.c): reading ONNX SequenceProto / OptionalProto files
 * against a declared type, writing them back under another name, and the
 * spelling of the types.
 *
 * Usage: test_runtime_pbvalue PYTHON make_pbvalue_cases.py DIR
 *
 * The references are ONNX's, not ours:
 *   - libonnx-testdata's test_identity_sequence and test_identity_opt: each
 *     input, written under the output's name, must give the output file
 *     byte for byte (Identity's output is its input renamed);
 *   - make_pbvalue_cases.py, which makes valid files with ONNX's Python
 *     serializer and invalid ones by changing one thing in them, and says
 *     for each the status, the tensor count and a piece of the message the
 *     runtime must give; its `verify` pass parses what this test wrote back
 *     with onnx and compares values and names;
 *   - ONNX's operator schemas for the type spellings (also via the script).
 * Every prefix of a valid file must be refused cleanly or, where it ends on
 * a field boundary, read as the smaller value it is.
 */
#define TEST_NAME "test_runtime_pbvalue"
#include "test_util.h"
#include "../read_file.h"

#include <sys/wait.h>

#define TESTDATA "/usr/share/libonnx-testdata/data/node"

static const char *status_name(vggrt_status s) {
    switch (s) {
    case VGGRT_OK: return "OK";
    case VGGRT_ERR_IO: return "IO";
    case VGGRT_ERR_FORMAT: return "FORMAT";
    case VGGRT_ERR_MISMATCH: return "MISMATCH";
    case VGGRT_ERR_NOMEM: return "NOMEM";
    case VGGRT_ERR_ARG: return "ARG";
    default: return "?";
    }
}

/* "seq,opt" + dtype + "*" / "." / "5,?" (see make_pbvalue_cases.py). */
static int parse_type(const char *wraps, int dtype, const char *dims, vggrt_value_type *t) {
    memset(t, 0, sizeof *t);
    for (const char *p = wraps; *p;) {
        if (t->nwrap == VGGRT_MAX_WRAP)
            return 0;
        if (strncmp(p, "seq", 3) == 0)
            t->wrap[t->nwrap++] = VGGRT_SEQUENCE, p += 3;
        else if (strncmp(p, "opt", 3) == 0)
            t->wrap[t->nwrap++] = VGGRT_OPTIONAL, p += 3;
        else
            return 0;
        if (*p == ',')
            p++;
    }
    t->dtype = dtype;
    if (strcmp(dims, "*") == 0) {
        t->rank = -1;
        return 1;
    }
    if (strcmp(dims, ".") == 0)
        return 1;
    for (const char *p = dims; *p;) {
        if (t->rank == VGGRT_MAX_RANK)
            return 0;
        t->dims[t->rank++] = *p == '?' ? -1 : strtoll(p, NULL, 10);
        p = strchr(p, ',');
        if (!p)
            break;
        p++;
    }
    return 1;
}

static int run(const char *cmd) {
    int r = system(cmd);
    return r != -1 && WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

/* A manifest `case` line: read (and parse from memory) against its type. */
static void check_case(char *line) {
    char name[128], path[1024], wraps[64], dims[64], want_s[16];
    int dtype, off = 0;
    long long want_n;
    if (sscanf(line, "case %127s %1023s %63s %d %63s %15s %lld %n", name, path, wraps, &dtype,
               dims, want_s, &want_n, &off) < 7) {
        begin_case("manifest line");
        fail("cannot read: %s", line);
        end_case();
        return;
    }
    char *want_text = line + off;
    want_text[strcspn(want_text, "\n")] = '\0';
    begin_case("%s as %s %d %s", name, wraps, dtype, dims);
    vggrt_value_type t;
    if (!parse_type(wraps, dtype, dims, &t)) {
        fail("bad type in the manifest");
        end_case();
        return;
    }
    vggrt_value v;
    char err[512];
    memset(err, 'x', sizeof err);
    vggrt_status s = vggrt_value_read(path, &t, &v, err, sizeof err);
    if (strcmp(status_name(s), want_s) != 0) {
        fail("status %s, want %s (%s)", status_name(s), want_s,
             s == VGGRT_OK ? "no message" : err);
    } else if (s == VGGRT_OK) {
        if (v.n_tensors != want_n)
            fail("n_tensors %lld, want %lld", (long long)v.n_tensors, want_n);
        size_t len = 0;
        unsigned char *buf = read_file(path, &len);
        if (!buf || len != v.nbytes || (len && memcmp(buf, v.data, len) != 0))
            fail("the value's %zu bytes are not the file's %zu", v.nbytes, len);
        vggrt_value w;
        vggrt_status s2 = vggrt_value_parse(buf, len, &t, &w, err, sizeof err);
        if (s2 != VGGRT_OK || w.n_tensors != v.n_tensors || w.nbytes != v.nbytes)
            fail("parse from memory: %s, %lld tensors", status_name(s2), (long long)w.n_tensors);
        vggrt_value_free(&w);
        free(buf);
        vggrt_value_free(&v);
    } else {
        if (!memchr(err, 0, sizeof err))
            fail("message not terminated");
        else if (!strstr(err, want_text))
            fail("message \"%s\" lacks \"%s\"", err, want_text);
        else if (v.data || v.nbytes)
            fail("a failed read left data behind");
        /* Messages say where without the file for vggrt_value_parse, with it
         * for vggrt_value_read. */
        if (s != VGGRT_ERR_IO && strncmp(err, path, strlen(path)) != 0)
            fail("message \"%s\" does not start with the file's name", err);
    }
    end_case();
}

/* A `fmt` line: ONNX's spelling of the type. */
static void check_fmt(char *line) {
    char wraps[64], dims[64], want[128];
    int dtype;
    if (sscanf(line, "fmt %63s %d %63s %127s", wraps, &dtype, dims, want) != 4)
        return;
    begin_case("format %s", want);
    vggrt_value_type t;
    char got[256];
    parse_type(wraps, dtype, dims, &t);
    vggrt_value_type_format(&t, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail("\"%s\", want \"%s\"", got, want);
    end_case();
}

/* A `roundtrip` line: write the file under another name into dir. */
static void check_roundtrip(char *line, const char *dir) {
    char name[128], path[1024], wraps[64], dims[64], newname[128], out[1200];
    int dtype;
    if (sscanf(line, "roundtrip %127s %1023s %63s %d %63s %127s", name, path, wraps, &dtype,
               dims, newname) != 6)
        return;
    begin_case("write %s as %s", name, newname);
    vggrt_value_type t;
    parse_type(wraps, dtype, dims, &t);
    snprintf(out, sizeof out, "%s/rt_%s.pb", dir, name);
    vggrt_value v, w;
    char err[512];
    if (vggrt_value_read(path, &t, &v, err, sizeof err) != VGGRT_OK) {
        fail("read: %s", err);
    } else {
        if (vggrt_value_write(out, &v, newname, err, sizeof err) != VGGRT_OK)
            fail("write: %s", err);
        else if (vggrt_value_read(out, &t, &w, err, sizeof err) != VGGRT_OK)
            fail("read back: %s", err);
        else {
            if (w.n_tensors != v.n_tensors)
                fail("%lld tensors read back, %lld written", (long long)w.n_tensors,
                     (long long)v.n_tensors);
            /* The name comes first: field 1, its length, the text. */
            const unsigned char *b = w.data;
            size_t n = strlen(newname);
            if (w.nbytes < n + 2 || b[0] != 0x0a || b[1] != n || memcmp(b + 2, newname, n) != 0)
                fail("the written file does not start with the name");
            vggrt_value_free(&w);
        }
        vggrt_value_free(&v);
    }
    end_case();
}

/* Identity: input_0 written under the output's name is output_0, byte
 * for byte. */
static void check_identity(const char *test, const char *wraps, const char *dims,
                           const char *outname, int64_t want_n, const char *dir) {
    char in[512], outp[512], mine[1024], err[512];
    snprintf(in, sizeof in, TESTDATA "/%s/test_data_set_0/input_0.pb", test);
    snprintf(outp, sizeof outp, TESTDATA "/%s/test_data_set_0/output_0.pb", test);
    snprintf(mine, sizeof mine, "%s/%s_output_0.pb", dir, test);
    begin_case("%s: input_0 renamed %s is output_0", test, outname);
    vggrt_value_type t;
    parse_type(wraps, VGGRT_F32, dims, &t);
    vggrt_value v;
    if (vggrt_value_read(in, &t, &v, err, sizeof err) != VGGRT_OK) {
        fail("%s", err);
        end_case();
        return;
    }
    if (v.n_tensors != want_n)
        fail("n_tensors %lld, want %lld", (long long)v.n_tensors, (long long)want_n);
    if (vggrt_value_write(mine, &v, outname, err, sizeof err) != VGGRT_OK)
        fail("%s", err);
    size_t la = 0, lb = 0;
    unsigned char *a = read_file(mine, &la), *b = read_file(outp, &lb);
    if (!a || !b || la != lb || memcmp(a, b, la) != 0)
        fail("%s (%zu bytes) differs from %s (%zu bytes)", mine, la, outp, lb);
    /* Truncations: every prefix is refused as FORMAT, except those that
     * end between top-level fields, which are smaller values (an empty
     * container is valid: no elements, or None). */
    size_t bound[8], nb = 0, p = 0;
    while (p < lb && nb < 8) {
        bound[nb++] = p;
        size_t len = b[p + 1];      /* these files have one-byte tags and lengths */
        p += (b[p] & 7) == 2 ? 2 + len : 2;
    }
    for (size_t k = 0; k < lb; k++) {
        vggrt_value w;
        vggrt_status s = vggrt_value_parse(b, k, &t, &w, err, sizeof err);
        int boundary = 0;
        for (size_t i = 0; i < nb; i++)
            boundary |= bound[i] == k;
        vggrt_status want = boundary ? VGGRT_OK : VGGRT_ERR_FORMAT;
        if (s != want) {
            fail("prefix of %zu bytes: %s, want %s (%s)", k, status_name(s), status_name(want),
                 s ? err : "");
            break;
        }
        if (s == VGGRT_OK)
            vggrt_value_free(&w);
    }
    free(a);
    free(b);
    vggrt_value_free(&v);
    end_case();
}

static void check_args(const char *dir) {
    vggrt_value_type t;
    vggrt_value v;
    char err[256], path[1024];
    begin_case("bad types are VGGRT_ERR_ARG");
    parse_type("seq", VGGRT_F32, "*", &t);
    t.rank = VGGRT_MAX_RANK + 1;
    if (vggrt_value_parse("", 0, &t, &v, err, sizeof err) != VGGRT_ERR_ARG)
        fail("rank 9 accepted");
    parse_type("seq", 99, "*", &t);
    if (vggrt_value_parse("", 0, &t, &v, err, sizeof err) != VGGRT_ERR_ARG)
        fail("dtype 99 accepted");
    parse_type("seq", VGGRT_F32, "*", &t);
    t.nwrap = 0;
    if (vggrt_value_parse("", 0, &t, &v, err, sizeof err) != VGGRT_ERR_ARG)
        fail("no container accepted");
    end_case();

    begin_case("write into a missing folder is VGGRT_ERR_IO");
    parse_type("seq", VGGRT_F32, "*", &t);
    if (vggrt_value_parse("\x10\x01", 2, &t, &v, err, sizeof err) != VGGRT_OK)
        fail("%s", err);
    snprintf(path, sizeof path, "%s/no/such/folder.pb", dir);
    if (vggrt_value_write(path, &v, "y", err, sizeof err) != VGGRT_ERR_IO)
        fail("status not IO");
    else if (!strstr(err, "cannot create") || !strstr(err, "No such file"))
        fail("message \"%s\"", err);
    vggrt_value_free(&v);
    end_case();

    begin_case("declared dims in the spelling");
    char got[128];
    parse_type("opt,seq", VGGRT_F32, "5", &t);
    vggrt_value_type_format(&t, got, sizeof got);
    if (strcmp(got, "optional(seq(tensor(float))) of [5]") != 0)
        fail("\"%s\"", got);
    parse_type("seq", VGGRT_I64, "3,?", &t);
    vggrt_value_type_format(&t, got, sizeof got);
    if (strcmp(got, "seq(tensor(int64)) of [3,?]") != 0)
        fail("\"%s\"", got);
    parse_type("seq", VGGRT_BF16, ".", &t);
    vggrt_value_type_format(&t, got, sizeof got);
    if (strcmp(got, "seq(tensor(bfloat16)) of []") != 0)
        fail("\"%s\"", got);
    end_case();
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s PYTHON make_pbvalue_cases.py DIR\n", argv[0]);
        return 2;
    }
    const char *dir = argv[3];
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && '%s' '%s' gen '%s'", dir, argv[1], argv[2], dir);
    if (run(cmd) != 0) {
        printf("FAIL: %s\n", cmd);
        return 1;
    }
    char mpath[1024];
    snprintf(mpath, sizeof mpath, "%s/manifest.txt", dir);
    FILE *m = fopen(mpath, "r");
    if (!m) {
        printf("FAIL: cannot open %s\n", mpath);
        return 1;
    }
    char line[2048];
    int cases = 0, rts = 0;
    while (fgets(line, sizeof line, m)) {
        if (strncmp(line, "case ", 5) == 0)
            check_case(line), cases++;
        else if (strncmp(line, "fmt ", 4) == 0)
            check_fmt(line);
        else if (strncmp(line, "roundtrip ", 10) == 0)
            check_roundtrip(line, dir), rts++;
    }
    fclose(m);
    begin_case("the manifest has cases");
    if (cases < 50 || rts < 5)
        fail("%d cases, %d round trips", cases, rts);
    end_case();

    check_identity("test_identity_sequence", "seq", "*", "y", 2, dir);
    check_identity("test_identity_opt", "opt,seq", "5", "opt_out", 1, dir);
    check_args(dir);

    begin_case("onnx reads the written files back");
    snprintf(cmd, sizeof cmd, "'%s' '%s' verify '%s'", argv[1], argv[2], dir);
    if (run(cmd) != 0)
        fail("%s failed", cmd);
    end_case();

    printf("%s: %d passed, %d failed\n", TEST_NAME, passed, failed);
    return failed ? 1 : 0;
}
