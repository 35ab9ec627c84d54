/* buf.h — a growable text buffer for the code generators. */
#ifndef VGGC_BUF_H
#define VGGC_BUF_H

#include "ir.h"

typedef struct {
    char *data;
    size_t len, cap;
} Buf;

void buf_printf(Buf *b, const char *fmt, ...) VGGC_PRINTF(2, 3);
void buf_puts(Buf *b, const char *s);
void buf_write(Buf *b, const void *data, size_t n);
void buf_free(Buf *b);

#endif
