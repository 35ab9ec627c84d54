/* fuzz_npy.c — libFuzzer harness: vggrt_npy_parse() on a .npy image in
 * memory (header dictionary, dtype, shape, element counts, data size).
 * On success the tensor's bytes are read once, so a size that does not
 * match the allocation shows up under AddressSanitizer. */
#include "fuzz_common.h"

#include <string.h>

#include "vggrt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_quiet();
    vggrt_tensor t;
    char err[512];
    memset(&t, 0, sizeof t);
    if (vggrt_npy_parse(data, size, &t, err, sizeof err) == VGGRT_OK) {
        volatile unsigned char sink = 0;
        const unsigned char *p = t.data;
        for (size_t i = 0; i < t.nbytes; i++)
            sink ^= p[i];
        (void)sink;
        vggrt_tensor_free(&t);
    } else if (!memchr(err, 0, sizeof err)) {
        abort();    /* the reason must be a terminated string */
    }
    return 0;
}
