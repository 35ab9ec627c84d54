/* fuzz_tensor_pb.c — libFuzzer harness: onnx_read_tensor_pb(), the ONNX
 * TensorProto (.pb) reader that `vggc run` and the conformance runner use.
 *
 * The reader takes a path (it resolves external data beside the file), so
 * each input is written to a file in a private temporary folder that holds
 * nothing else: an external-data location in the input can only name that
 * file, a missing one, or something outside, which must be refused. */
#include "fuzz_common.h"

#include <string.h>
#include <unistd.h>

#include "frontend.h"

static char dir[64], path[96];


static void cleanup(void)
{
    unlink(path);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_quiet();
    if (!dir[0]) {
        /* tmpfs when there is one: a file write per input. */
        strcpy(dir, access("/dev/shm", W_OK) == 0 ? "/dev/shm/vggc-fuzz-pb-XXXXXX"
                                                  : "/tmp/vggc-fuzz-pb-XXXXXX");
        if (!mkdtemp(dir))
            abort();
        snprintf(path, sizeof path, "%s/t.pb", dir);
        atexit(cleanup);
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    vggrt_tensor t;
    char err[1024];
    if (onnx_read_tensor_pb(path, &t, err, sizeof err)) {
        if (t.nbytes && !t.data)
            abort();
        volatile unsigned char sink = 0;
        const unsigned char *p = t.data;
        for (size_t i = 0; i < t.nbytes; i++)
            sink ^= p[i];
        (void)sink;
        vggrt_tensor_free(&t);
    } else if (!memchr(err, 0, sizeof err)) {
        abort();
    }
    return 0;
}
