/* vggrt-impl.h — what libvggrt's own files share and nobody else sees.
 *
 * Not installed, not part of the contract in include/vggrt.h.  The names
 * carry a double underscore (vggrt__*) so that they cannot be mistaken for
 * public API when they show up in the shared library's symbol table.
 */
#ifndef VGGRT_IMPL_H
#define VGGRT_IMPL_H

#include "vggrt.h"

#include <stdio.h>

#if defined(__GNUC__) || defined(__clang__)
#define VGGRT__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define VGGRT__PRINTF(f, a)
#endif

/* Writes a formatted one-line message into err[errcap] (truncating); does
 * nothing when err is NULL or errcap is 0.  Returns s, so that callers can
 * write `return vggrt__fail(s, err, errcap, "...", ...)`. */
vggrt_status vggrt__fail(vggrt_status s, char *err, size_t errcap, const char *fmt, ...)
    VGGRT__PRINTF(4, 5);

/* vggrt_cast's conversions to and from STRING (strings.c). */
vggrt_status vggrt__cast_string(int from, int to, size_t count, const void *x, void *y);

/* CLOCK_MONOTONIC in milliseconds (profile.c). */
double vggrt__now_ms(void);

/* 64-byte aligned allocation that is not zeroed (for buffers about to be
 * overwritten whole); size 0 still gives a usable pointer.  Free with
 * vggrt_aligned_free. */
void *vggrt__alloc_uninit(size_t size);

/* Reads the whole file at path into a fresh 64-byte aligned buffer (*buf,
 * *len).  Errors (VGGRT_ERR_IO, VGGRT_ERR_NOMEM) name the file and errno. */
vggrt_status vggrt__read_file(const char *path, unsigned char **buf, size_t *len,
                              char *err, size_t errcap);
/* The same from fd, already open on path (closed here): for a caller that
 * opened the file to look at it first, since a named pipe opened a second
 * time would wait for another writer. */
vggrt_status vggrt__read_fd(int fd, const char *path, unsigned char **buf, size_t *len,
                            char *err, size_t errcap);

/* Parses a whole buffer read from the file `name` into *out. */
typedef vggrt_status (*vggrt__parse_fn)(const char *name, const unsigned char *buf, size_t len,
                                        void *out, char *err, size_t errcap);

/* Reads the file at path (vggrt__read_file) and hands it to parse. */
vggrt_status vggrt__parse_file(const char *path, vggrt__parse_fn parse, void *out, char *err,
                               size_t errcap);

/* Closes f, a file written to path; ok says whether every write before
 * succeeded.  VGGRT_ERR_IO naming the file and errno when a write or the
 * close failed. */
vggrt_status vggrt__close_written(FILE *f, int ok, const char *path, char *err, size_t errcap);

/* Per-thread scratch (threads.c) for kernels whose working buffers are too
 * large for a thread's stack: Winograd's V and M (516 KB) and, chained, the
 * first layer's ring of rows (1 MB) beside them.  A kernel calls
 * vggrt__scratch_reserve() on the calling thread before its
 * vggrt_parallel_for and returns VGGRT_ERR_NOMEM when it fails; its tasks
 * then find theirs with vggrt__scratch(), on whichever thread runs them.
 * VGGRT_SCRATCH_FLOATS floats, 64-byte aligned, contents undefined: the
 * ring (256 Ki floats) and V and M (36 positions x 8 blocks of 16, or 16
 * of 8, x 28 tiles), as winograd.c asserts. */
enum { VGGRT_SCRATCH_FLOATS = 256 * 1024 + 36 * 8 * 28 * 16 };
int vggrt__scratch_reserve(void); /* 1, or 0 when it could not be allocated */
float *vggrt__scratch(void);

/* The bytes of this CPU's level-1 data cache, as the C library reports
 * them (read once; threads.c), or 0 when it does not. */
int vggrt__l1d_bytes(void);

#endif
