/* fuzz_common.h — what the harnesses share.
 *
 * Each harness defines LLVMFuzzerTestOneInput().  Built with clang's
 * -fsanitize=fuzzer it is a libFuzzer target (scripts/fuzz.sh); built with
 * replay_main.c it is a plain program that runs the function on the files
 * named on its command line, so the regression corpus replays in the normal
 * gcc build (ctest fuzz.replay.*).
 *
 * The code under test reports bad input on stderr, which at a million inputs
 * a minute is noise: fuzz_quiet() points the C library's `stderr` at
 * /dev/null unless VGGC_FUZZ_VERBOSE is set.  File descriptor 2 is left
 * alone, so sanitizer and libFuzzer reports still reach the terminal.
 */
#ifndef VGGC_FUZZ_COMMON_H
#define VGGC_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void fuzz_quiet(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    if (getenv("VGGC_FUZZ_VERBOSE"))
        return;
    FILE *null = fopen("/dev/null", "w");
    if (null)
        stderr = null;      /* glibc: stderr is an assignable FILE * */
}

#endif
