/* address_space.h — for the tests that cap the address space (RLIMIT_AS)
 * just above what a process has mapped, so that the next large allocation
 * fails.  Header-only (static inline), as read_file.h. */
#ifndef VGGC_TEST_ADDRESS_SPACE_H
#define VGGC_TEST_ADDRESS_SPACE_H

#include <stdio.h>
#include <unistd.h>

/* Bytes this process has mapped (/proc/self/statm's first field), or 0. */
static inline size_t mapped_bytes(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (f) {
        if (fscanf(f, "%lu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
}

#endif
