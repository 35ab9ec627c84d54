/* weights.c — the weights file: a checked header and one aligned blob.
 *
 * vggc writes every constant tensor of a compiled network into NAME.weights:
 * a 128-byte header (layout in vggrt.h) and the payload, each tensor on a
 * 64-byte boundary.  The generated code knows the name, payload size and
 * checksum it was compiled with and passes them to vggrt_weights_open, which
 * reads the file into one buffer and checks every header field before
 * anything runs: a wrong, truncated, corrupt or foreign file is an error at
 * open, never a crash (or silent garbage) at run time.
 *
 * The buffer asks for transparent huge pages (vggrt__alloc_uninit): the
 * kernels sweep the weights once per image (or per group of tiles), and on
 * 4 KB pages each 4 KB costs a page walk.  Until 2026-12-02 a regular file
 * was mapped instead, for the start-up: vgg16's program (730 MB of
 * weights then) ran in 0.22-0.24 s mapped against 0.46-2.88 s read, the
 * kernel compacting memory for the huge pages in the slow runs, with the
 * same inference times (Zen 3 VM, 4 alternating runs).  On the Zen 5 VM
 * of 2026-12-02 the inference times differ: read, vgg16_head's program
 * at batch 8 (1 thread) ran 249-276 ms against 295-397 ms mapped, vgg16's
 * at batch 1 86-92 ms against 92-131 ms (4 and 3 alternating runs), and
 * one-shot runs of vgg16's program took 0.19-1.35 s (median ~0.4 s)
 * against 0.45-0.64 s mapped (8 alternating runs).  Read, a file that
 * another process truncates or rewrites meanwhile cannot change under
 * the program (mapped, a truncation raised SIGBUS).
 *
 * Ownership: the buffer holds the file image; w->data points at the
 * payload inside it, VGGRT_WEIGHTS_HEADER bytes past the (64-byte aligned)
 * start, so the payload is aligned too, and vggrt_weights_close frees
 * data - HEADER.  vggrt_weights_parse copies an image into such a buffer,
 * so both calls hand back the same shape of object.
 *
 * Status codes: VGGRT_ERR_FORMAT when the file is not a readable weights
 * file of this format version (bad magic, other version, malformed or
 * truncated header, size disagreeing with the file, payload not matching
 * the header's checksum: corrupt); VGGRT_ERR_MISMATCH when the file is
 * sound but is not the one this model was compiled with (other name, size
 * or checksum); VGGRT_ERR_IO and VGGRT_ERR_NOMEM for reading.
 *
 * The checksum is XXH64 with seed 0 (Yann Collet's xxHash, 64-bit variant),
 * so that any xxHash implementation (xxhsum -H1, python's xxhash) can
 * reproduce it.  Word-at-a-time and four independent lanes: it runs at
 * memory speed, which matters for a 500 MB VGG-16.  Precisely, with all
 * arithmetic modulo 2^64, rotl the 64-bit left rotation, and words read
 * little-endian:
 *
 *   P1 = 0x9E3779B185EBCA87  P2 = 0xC2B2AE3D27D4EB4F  P3 = 0x165667B19E3779F9
 *   P4 = 0x85EBCA77C2B2AE63  P5 = 0x27D4EB2F165667C5
 *   round(acc, w) = rotl(acc + w * P2, 31) * P1
 *   merge(h, v)   = (h ^ round(0, v)) * P1 + P4
 *
 *   if len >= 32:
 *       v1 = P1 + P2, v2 = P2, v3 = 0, v4 = -P1
 *       for each whole 32-byte block, words w1..w4:  vi = round(vi, wi)
 *       h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)
 *       h = merge(merge(merge(merge(h, v1), v2), v3), v4)
 *   else:
 *       h = P5
 *   h += len
 *   for each remaining whole 8-byte word w:  h = rotl(h ^ round(0, w), 27) * P1 + P4
 *   if 4 bytes remain or more, their 32-bit word u:  h = rotl(h ^ (u * P1), 23) * P2 + P3
 *   for each remaining byte b:  h = rotl(h ^ (b * P5), 11) * P1
 *   h ^= h >> 33;  h *= P2;  h ^= h >> 29;  h *= P3;  h ^= h >> 32
 */
#include "vggrt-impl.h"

#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "libvggrt reads little-endian files with plain loads: port these first"
#endif

/* ---- checksum (XXH64, seed 0) ----------------------------------------------- */

#define P1 0x9E3779B185EBCA87ull
#define P2 0xC2B2AE3D27D4EB4Full
#define P3 0x165667B19E3779F9ull
#define P4 0x85EBCA77C2B2AE63ull
#define P5 0x27D4EB2F165667C5ull

static uint64_t rotl(uint64_t x, int r) {
    return (x << r) | (x >> (64 - r));
}

static uint64_t load64(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static uint32_t load32(const unsigned char *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t xround(uint64_t acc, uint64_t w) {
    return rotl(acc + w * P2, 31) * P1;
}

static uint64_t merge(uint64_t h, uint64_t v) {
    return (h ^ xround(0, v)) * P1 + P4;
}

/* Whole 32-byte stripes of p[0, n) into the four lanes; returns the bytes used. */
static size_t stripes(uint64_t v[4], const unsigned char *p, size_t n) {
    size_t used = 0;
    for (; n - used >= 32; used += 32) {
        v[0] = xround(v[0], load64(p + used));
        v[1] = xround(v[1], load64(p + used + 8));
        v[2] = xround(v[2], load64(p + used + 16));
        v[3] = xround(v[3], load64(p + used + 24));
    }
    return used;
}

void vggrt_checksum_init(vggrt_checksum_state *s) {
    memset(s, 0, sizeof *s);
    s->v[0] = P1 + P2, s->v[1] = P2, s->v[2] = 0, s->v[3] = 0 - P1;
}

/* Every whole stripe is taken at once, as the one-call form takes every
 * whole stripe of its input: only the last < 32 bytes wait in tail. */
void vggrt_checksum_update(vggrt_checksum_state *s, const void *data, size_t size) {
    const unsigned char *p = data;
    if (size == 0) /* data may then be NULL */
        return;
    s->total += size;
    if (s->n > 0) {
        size_t take = 32 - s->n < size ? 32 - s->n : size;
        memcpy(s->tail + s->n, p, take);
        s->n += (unsigned)take, p += take, size -= take;
        if (s->n < 32)
            return;
        stripes(s->v, s->tail, 32);
        s->n = 0;
    }
    size_t used = stripes(s->v, p, size);
    memcpy(s->tail, p + used, size - used);
    s->n = (unsigned)(size - used);
}

uint64_t vggrt_checksum_final(const vggrt_checksum_state *s) {
    const unsigned char *p = s->tail, *end = p + s->n;
    uint64_t h;
    if (s->total >= 32) {
        const uint64_t *v = s->v;
        h = rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18);
        h = merge(merge(merge(merge(h, v[0]), v[1]), v[2]), v[3]);
    } else {
        h = P5;
    }
    h += s->total;
    for (; end - p >= 8; p += 8)
        h = rotl(h ^ xround(0, load64(p)), 27) * P1 + P4;
    if (end - p >= 4) {
        h = rotl(h ^ ((uint64_t)load32(p) * P1), 23) * P2 + P3;
        p += 4;
    }
    for (; p < end; p++)
        h = rotl(h ^ (*p * P5), 11) * P1;
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;
    return h;
}

uint64_t vggrt_checksum(const void *data, size_t size) {
    vggrt_checksum_state s;
    vggrt_checksum_init(&s);
    vggrt_checksum_update(&s, data, size);
    return vggrt_checksum_final(&s);
}

/* ---- header ------------------------------------------------------------------ */

enum { OFF_MAGIC = 0, OFF_VERSION = 8, OFF_HSIZE = 12, OFF_PSIZE = 16, OFF_SUM = 24,
       OFF_NAME = 32, OFF_RESERVED = 96 };

_Static_assert(OFF_NAME + VGGRT_WEIGHTS_NAME_MAX == OFF_RESERVED, "header layout");
_Static_assert(sizeof VGGRT_WEIGHTS_MAGIC == 8, "magic is 8 bytes with its NUL");

/* The name is NUL-padded to 64 bytes and must keep one NUL, so a name
 * longer than 63 bytes is cut at 63 (and open will then refuse it: vggc
 * keeps names short). */
void vggrt_weights_header(unsigned char hdr[VGGRT_WEIGHTS_HEADER], const char *name,
                          uint64_t payload_size, uint64_t checksum) {
    uint32_t version = VGGRT_WEIGHTS_VERSION, hsize = VGGRT_WEIGHTS_HEADER;
    memset(hdr, 0, VGGRT_WEIGHTS_HEADER);
    memcpy(hdr + OFF_MAGIC, VGGRT_WEIGHTS_MAGIC, 8);
    memcpy(hdr + OFF_VERSION, &version, 4);
    memcpy(hdr + OFF_HSIZE, &hsize, 4);
    memcpy(hdr + OFF_PSIZE, &payload_size, 8);
    memcpy(hdr + OFF_SUM, &checksum, 8);
    size_t n = name ? strlen(name) : 0;
    if (n > VGGRT_WEIGHTS_NAME_MAX - 1)
        n = VGGRT_WEIGHTS_NAME_MAX - 1;
    if (n)
        memcpy(hdr + OFF_NAME, name, n);
}

static int all_zero(const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

/* Checks a whole file image; label names it in messages.  The order goes
 * from "is this a weights file at all" to "is it the right one", and the
 * checksum, the only check that reads the payload, comes last but one. */
static vggrt_status check_image(const char *label, const unsigned char *img, size_t len,
                                const char *name, uint64_t expect_size,
                                uint64_t expect_checksum, char *err, size_t errcap) {
    if (!name)
        return vggrt__fail(VGGRT_ERR_ARG, err, errcap, "%s: no model name given", label);
    if (strlen(name) >= VGGRT_WEIGHTS_NAME_MAX)
        return vggrt__fail(VGGRT_ERR_ARG, err, errcap,
                           "%s: model name '%s' is longer than %u bytes", label, name,
                           VGGRT_WEIGHTS_NAME_MAX - 1);
    if (len < 8 || memcmp(img + OFF_MAGIC, VGGRT_WEIGHTS_MAGIC, 8) != 0)
        return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap,
                           "%s: not a vggc weights file (bad magic)", label);
    if (len < VGGRT_WEIGHTS_HEADER)
        return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap,
                           "%s: truncated: %zu bytes, shorter than the %u-byte header", label,
                           len, VGGRT_WEIGHTS_HEADER);
    uint32_t version, hsize;
    uint64_t psize, sum;
    memcpy(&version, img + OFF_VERSION, 4);
    memcpy(&hsize, img + OFF_HSIZE, 4);
    memcpy(&psize, img + OFF_PSIZE, 8);
    memcpy(&sum, img + OFF_SUM, 8);
    if (version != VGGRT_WEIGHTS_VERSION)
        return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap,
                           "%s: weights format version %u, this runtime reads version %u",
                           label, version, VGGRT_WEIGHTS_VERSION);
    if (hsize != VGGRT_WEIGHTS_HEADER)
        return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap,
                           "%s: header size field is %u, expected %u", label, hsize,
                           VGGRT_WEIGHTS_HEADER);
    const unsigned char *fname = img + OFF_NAME;
    const unsigned char *nul = memchr(fname, 0, VGGRT_WEIGHTS_NAME_MAX);
    if (!nul)
        return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap,
                           "%s: model name field is not NUL-terminated", label);
    if (!all_zero(nul, (size_t)(fname + VGGRT_WEIGHTS_NAME_MAX - nul)))
        return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap,
                           "%s: model name field has bytes after its NUL", label);
    if (!all_zero(img + OFF_RESERVED, VGGRT_WEIGHTS_HEADER - OFF_RESERVED))
        return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap,
                           "%s: reserved header bytes %d..%u are not zero", label, OFF_RESERVED,
                           VGGRT_WEIGHTS_HEADER - 1);
    size_t have = len - VGGRT_WEIGHTS_HEADER;
    if (psize > have)
        return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap,
                           "%s: truncated: header says %llu payload bytes, file has %zu", label,
                           (unsigned long long)psize, have);
    if (psize < have)
        return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap,
                           "%s: %llu bytes of trailing data after the %llu-byte payload", label,
                           (unsigned long long)(have - psize), (unsigned long long)psize);
    if (strcmp((const char *)fname, name) != 0)
        return vggrt__fail(VGGRT_ERR_MISMATCH, err, errcap, "%s: written for model '%s', not '%s'",
                           label, (const char *)fname, name);
    if (psize != expect_size)
        return vggrt__fail(VGGRT_ERR_MISMATCH, err, errcap,
                           "%s: payload is %llu bytes, model '%s' expects %llu (another build?)",
                           label, (unsigned long long)psize, name,
                           (unsigned long long)expect_size);
    uint64_t actual = vggrt_checksum(img + VGGRT_WEIGHTS_HEADER, (size_t)psize);
    if (actual != sum)
        return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap, "%s: checksum mismatch (file is corrupt)",
                           label);
    if (sum != expect_checksum)
        return vggrt__fail(VGGRT_ERR_MISMATCH, err, errcap,
                           "%s: checksum %016llx, model '%s' expects %016llx (another build?)",
                           label, (unsigned long long)sum, name,
                           (unsigned long long)expect_checksum);
    return VGGRT_OK;
}

vggrt_status vggrt_weights_open(const char *path, const char *name, uint64_t expect_size,
                                uint64_t expect_checksum, vggrt_weights *w, char *err,
                                size_t errcap) {
    w->data = NULL;
    w->size = 0;
    unsigned char *img;
    size_t len;
    vggrt_status s = vggrt__read_file(path, &img, &len, err, errcap);
    if (s != VGGRT_OK)
        return s;
    s = check_image(path, img, len, name, expect_size, expect_checksum, err, errcap);
    if (s != VGGRT_OK) {
        vggrt_aligned_free(img);
        return s;
    }
    w->data = img + VGGRT_WEIGHTS_HEADER;
    w->size = len - VGGRT_WEIGHTS_HEADER;
    return VGGRT_OK;
}

vggrt_status vggrt_weights_parse(const void *buf, size_t len, const char *name,
                                 uint64_t expect_size, uint64_t expect_checksum,
                                 vggrt_weights *w, char *err, size_t errcap) {
    w->data = NULL;
    w->size = 0;
    vggrt_status s = check_image("weights image", buf, len, name, expect_size, expect_checksum,
                                 err, errcap);
    if (s != VGGRT_OK)
        return s;
    unsigned char *img = vggrt__alloc_uninit(len);
    if (!img)
        return vggrt__fail(VGGRT_ERR_NOMEM, err, errcap,
                           "weights image: out of memory copying %zu bytes", len);
    memcpy(img, buf, len);
    w->data = img + VGGRT_WEIGHTS_HEADER;
    w->size = len - VGGRT_WEIGHTS_HEADER;
    return VGGRT_OK;
}

void vggrt_weights_close(vggrt_weights *w) {
    if (w && w->data)
        vggrt_aligned_free((unsigned char *)w->data - VGGRT_WEIGHTS_HEADER);
    if (w) {
        w->data = NULL;
        w->size = 0;
    }
}
