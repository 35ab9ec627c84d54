/* fuzz_pbvalue.c — libFuzzer harness: vggrt_value_parse(), the runtime's
 * reader of ONNX SequenceProto / OptionalProto files (runtime/pbvalue.c),
 * against a few fixed types (every container kind, depths 1 to 4, declared
 * and undeclared dims, typed and raw data).  What parses is written under
 * another name (vggrt_value_write) into a private temporary folder and read
 * back: it must read as the same type with the same tensors, start with
 * the new name, and write again to the same bytes. */
#include "fuzz_common.h"

#include <string.h>
#include <unistd.h>

#include "vggrt.h"
#include "../read_file.h"

static char dir[64], path[96], path2[96];

static void cleanup(void)
{
    unlink(path);
    unlink(path2);
    rmdir(dir);
}

/* Writes v as "out", reads it back as t, writes that again: same bytes. */
static void roundtrip(const vggrt_value_type *t, const vggrt_value *v)
{
    char err[512];
    vggrt_value w;
    if (vggrt_value_write(path, v, "out", err, sizeof err) != VGGRT_OK)
        abort();
    if (vggrt_value_read(path, t, &w, err, sizeof err) != VGGRT_OK || w.n_tensors != v->n_tensors)
        abort();
    const unsigned char *b = w.data;
    if (w.nbytes < 5 || memcmp(b, "\x0a\x03out", 5) != 0)
        abort();
    if (vggrt_value_write(path2, &w, "out", err, sizeof err) != VGGRT_OK)
        abort();
    size_t la, lb;
    unsigned char *a = read_file(path, &la), *c = read_file(path2, &lb);
    if (!a || !c || la != lb || memcmp(a, c, la) != 0)
        abort();
    free(a);
    free(c);
    vggrt_value_free(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_quiet();
    if (!dir[0]) {
        strcpy(dir, access("/dev/shm", W_OK) == 0 ? "/dev/shm/vggc-fuzz-pbv-XXXXXX"
                                                  : "/tmp/vggc-fuzz-pbv-XXXXXX");
        if (!mkdtemp(dir))
            abort();
        snprintf(path, sizeof path, "%s/v.pb", dir);
        snprintf(path2, sizeof path2, "%s/w.pb", dir);
        atexit(cleanup);
    }
    static const vggrt_value_type types[] = {
        { 1, { VGGRT_SEQUENCE }, VGGRT_F32, -1, { 0 } },
        { 2, { VGGRT_OPTIONAL, VGGRT_SEQUENCE }, VGGRT_F32, 1, { 5 } },
        { 2, { VGGRT_SEQUENCE, VGGRT_OPTIONAL }, VGGRT_I64, 2, { -1, 2 } },
        { 4, { VGGRT_OPTIONAL, VGGRT_SEQUENCE, VGGRT_SEQUENCE, VGGRT_OPTIONAL }, VGGRT_STRING,
          -1, { 0 } },
        { 1, { VGGRT_OPTIONAL }, VGGRT_BOOL, 0, { 0 } },
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        vggrt_value v;
        char err[512], name[128];
        vggrt_value_type_format(&types[i], name, sizeof name);
        if (!memchr(name, 0, sizeof name))
            abort();
        memset(err, 'x', sizeof err);
        vggrt_status s = vggrt_value_parse(data, size, &types[i], &v, err, sizeof err);
        if (s == VGGRT_OK) {
            if (v.nbytes != size || (size && memcmp(v.data, data, size) != 0) || v.n_tensors < 0)
                abort();
            roundtrip(&types[i], &v);
            vggrt_value_free(&v);
        } else if (s != VGGRT_ERR_FORMAT && s != VGGRT_ERR_MISMATCH) {
            abort();
        } else if (!memchr(err, 0, sizeof err) || !err[0]) {
            abort();    /* the reason must be a terminated string */
        }
    }
    return 0;
}
