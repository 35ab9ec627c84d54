/* read_file.h — a whole file into memory, for the unit tests and the fuzz
 * harnesses that read back what they wrote.  Header-only (static inline),
 * so that each test stays one executable built from one file. */
#ifndef VGGC_TEST_READ_FILE_H
#define VGGC_TEST_READ_FILE_H

#include <stdio.h>
#include <stdlib.h>

/* The bytes of `path` in a malloc'd buffer (free it), their count in *len;
 * NULL if the file cannot be opened or read, or memory runs out. */
static inline unsigned char *read_file(const char *path, size_t *len) {
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, got;
    unsigned char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *grown = realloc(buf, cap *= 2);
            if (!grown)
                free(buf);
            buf = grown;
        }
    }
    if (buf && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf)
        *len = n;
    return buf;
}

#endif
