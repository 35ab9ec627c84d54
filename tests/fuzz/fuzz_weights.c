/* fuzz_weights.c — libFuzzer harness: vggrt_weights_parse(), the check the
 * generated program's NAME_open() runs on its weights file.
 *
 * The first input byte chooses what the "generated code" expects:
 *   even: name "tiny_vgg", payload size and checksum taken from the image's
 *         own header (so inputs reach the checksum and the copy);
 *   odd:  a fixed name, size and checksum (almost every input is refused).
 * The rest of the input is the file image. */
#include "fuzz_common.h"

#include <string.h>

#include "vggrt.h"

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_quiet();
    if (size < 1)
        return 0;
    int mode = data[0] & 1;
    data++, size--;
    uint64_t expect_size = 4096, expect_sum = 0x0123456789abcdefull;
    if (mode == 0 && size >= 32) {
        expect_size = le64(data + 16);
        expect_sum = le64(data + 24);
    }
    vggrt_weights w;
    char err[512];
    memset(&w, 0, sizeof w);
    vggrt_status s = vggrt_weights_parse(size ? data : NULL, size, "tiny_vgg", expect_size,
                                         expect_sum, &w, err, sizeof err);
    if (s == VGGRT_OK) {
        if (w.size != expect_size || (w.size && !w.data))
            abort();
        volatile unsigned char sink = 0;
        const unsigned char *p = w.data;
        for (uint64_t i = 0; i < w.size; i++)
            sink ^= p[i];
        (void)sink;
        vggrt_weights_close(&w);
    } else if (!memchr(err, 0, sizeof err)) {
        abort();
    }
    return 0;
}
