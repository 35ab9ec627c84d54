/* status.c — the small things every part of libvggrt leans on.
 *
 * The runtime never prints and never aborts: a fallible call returns a
 * vggrt_status and, where it takes an err buffer, a one-line reason that
 * names the file and what is wrong with it.  This file holds the status
 * names, the element sizes of the dtypes we know (ONNX TensorProto codes),
 * the 64-byte aligned allocator that weights, tensors and arenas come from
 * (64 bytes: one cache line, one AVX-512 vector), and the one routine that
 * reads a whole file into such a buffer.
 */
#define _DEFAULT_SOURCE /* madvise */
#include "vggrt-impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define ALIGN 64u
#define HUGE_PAGE ((size_t)2 << 20)

const char *vggrt_status_str(vggrt_status s) {
    switch (s) {
    case VGGRT_OK: return "ok";
    case VGGRT_ERR_IO: return "I/O error";
    case VGGRT_ERR_FORMAT: return "bad file format";
    case VGGRT_ERR_MISMATCH: return "file does not match the model";
    case VGGRT_ERR_NOMEM: return "out of memory";
    case VGGRT_ERR_ARG: return "bad argument";
    case VGGRT_ERR_VALUE: return "a STRING element is not a number";
    }
    return "unknown status";
}

size_t vggrt_dtype_size(int dtype) {
    switch (dtype) {
    case VGGRT_F32: return 4;
    case VGGRT_I32: return 4;
    case VGGRT_I64: return 8;
    case VGGRT_BOOL: return 1;
    case VGGRT_U8: return 1;
    case VGGRT_I8: return 1;
    case VGGRT_F64: return 8;
    case VGGRT_F16: return 2;
    case VGGRT_BF16: return 2;
    case VGGRT_STRING: return VGGRT_STRING_SIZE;
    default: return 0;
    }
}

vggrt_status vggrt__fail(vggrt_status s, char *err, size_t errcap, const char *fmt, ...) {
    if (err && errcap > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errcap, fmt, ap);
        va_end(ap);
    }
    return s;
}

/* aligned_alloc wants the size to be a multiple of the alignment.
 * Buffers of HUGE_PAGE bytes or more (a network's weights and its arena)
 * start on a huge-page boundary and ask Linux for transparent huge pages:
 * where the system's policy is "madvise" it gives them only when asked.
 * With 4 KB pages a network's 150 MB of weights and 10 MB activations
 * cost a page walk every 4 KB, and after the previous layers have
 * streamed their weights through the caches the walk's own loads miss
 * too. */
void *vggrt__alloc_uninit(size_t size) {
    if (size > SIZE_MAX - (HUGE_PAGE - 1))
        return NULL;
    size_t align = size >= HUGE_PAGE ? HUGE_PAGE : ALIGN;
    size_t rounded = (size + align - 1) / align * align;
    if (rounded == 0)
        rounded = ALIGN;
    void *p = aligned_alloc(align, rounded);
#ifdef MADV_HUGEPAGE
    if (p && align == HUGE_PAGE)
        madvise(p, rounded, MADV_HUGEPAGE); /* advice: its failure changes nothing */
#endif
    return p;
}

void *vggrt_aligned_alloc(size_t size) {
    void *p = vggrt__alloc_uninit(size);
    if (p)
        memset(p, 0, size == 0 ? ALIGN : (size + ALIGN - 1) / ALIGN * ALIGN);
    return p;
}

void vggrt_aligned_free(void *p) {
    free(p);
}

/* Grows *buf from cap to newcap bytes, keeping the first used bytes. */
static int grow(unsigned char **buf, size_t used, size_t newcap) {
    unsigned char *nb = vggrt__alloc_uninit(newcap);
    if (!nb)
        return 0;
    if (used)
        memcpy(nb, *buf, used);
    vggrt_aligned_free(*buf);
    *buf = nb;
    return 1;
}

/* Regular files are read in one buffer of their size (plus one byte, to see
 * that the file did not grow meanwhile); pipes and devices by doubling. */
vggrt_status vggrt__read_file(const char *path, unsigned char **buf, size_t *len,
                              char *err, size_t errcap) {
    *buf = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return vggrt__fail(VGGRT_ERR_IO, err, errcap, "%s: cannot open: %s", path, strerror(errno));
    return vggrt__read_fd(fd, path, buf, len, err, errcap);
}

vggrt_status vggrt__read_fd(int fd, const char *path, unsigned char **buf, size_t *len,
                            char *err, size_t errcap) {
    *buf = NULL;
    *len = 0;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return vggrt__fail(VGGRT_ERR_IO, err, errcap, "%s: cannot stat: %s", path, strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return vggrt__fail(VGGRT_ERR_IO, err, errcap, "%s: is a directory", path);
    }
    size_t cap = 1u << 16;
    if (S_ISREG(st.st_mode)) {
        if ((unsigned long long)st.st_size >= SIZE_MAX - ALIGN) {
            close(fd);
            return vggrt__fail(VGGRT_ERR_NOMEM, err, errcap, "%s: too large (%lld bytes)", path,
                               (long long)st.st_size);
        }
        cap = (size_t)st.st_size + 1;
    }
    unsigned char *b = vggrt__alloc_uninit(cap);
    if (!b) {
        close(fd);
        return vggrt__fail(VGGRT_ERR_NOMEM, err, errcap, "%s: out of memory reading %zu bytes",
                           path, cap);
    }
    size_t used = 0;
    for (;;) {
        if (used == cap) {
            if (cap > SIZE_MAX / 2 || !grow(&b, used, cap * 2)) {
                vggrt_aligned_free(b);
                close(fd);
                return vggrt__fail(VGGRT_ERR_NOMEM, err, errcap,
                                   "%s: out of memory after %zu bytes", path, used);
            }
            cap *= 2;
        }
        ssize_t r = read(fd, b + used, cap - used);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            vggrt_aligned_free(b);
            close(fd);
            return vggrt__fail(VGGRT_ERR_IO, err, errcap, "%s: read failed after %zu bytes: %s",
                               path, used, strerror(e));
        }
        if (r == 0)
            break;
        used += (size_t)r;
    }
    close(fd);
    *buf = b;
    *len = used;
    return VGGRT_OK;
}

vggrt_status vggrt__parse_file(const char *path, vggrt__parse_fn parse, void *out, char *err,
                               size_t errcap) {
    unsigned char *buf;
    size_t len;
    vggrt_status s = vggrt__read_file(path, &buf, &len, err, errcap);
    if (s != VGGRT_OK)
        return s;
    s = parse(path, buf, len, out, err, errcap);
    vggrt_aligned_free(buf);
    return s;
}

vggrt_status vggrt__close_written(FILE *f, int ok, const char *path, char *err, size_t errcap) {
    int e = errno;
    if (fclose(f) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    if (!ok)
        return vggrt__fail(VGGRT_ERR_IO, err, errcap, "%s: write failed: %s", path, strerror(e));
    return VGGRT_OK;
}
