/* arena.c — bump allocation for everything a graph owns.
 *
 * A compilation allocates many small things (names, id arrays, attribute
 * lists) and a few huge ones (weights).  All of it lives as long as the
 * graph, so it all comes from one arena and goes in one arena_free().
 * Small requests are carved from 64 KiB blocks; a large one gets a block of
 * its own so that a 400 MB weight does not waste a block's tail, and so
 * that it can be given back early (arena_release) once no value holds it:
 * the raw weights a pass has packed.
 */
#define _DEFAULT_SOURCE     /* madvise */
#include "ir.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct ArenaBlock {
    ArenaBlock *next;
    void *base;             /* what free() takes (a big block starts past it) */
    size_t used, cap;
    bool own;               /* one big allocation's (arena_release may free it) */
    _Alignas(64) unsigned char mem[];
};

enum { BLOCK_SIZE = 64 * 1024, BIG = 16 * 1024 };
#define HUGE_PAGE ((size_t)2 << 20)
#define COLOR_STEP ((size_t)4096 + 64)

static VGGC_NORETURN void out_of_memory(size_t size)
{
    fprintf(stderr, "vggc: error: out of memory (allocating %zu bytes)\n", size);
    exit(3);
}

/* Populates the whole pages of [p, p + n) in one call rather than one
 * fault at a time as they are first written: blocks are written soon after
 * they are made, a big one (weights: protobuf-c's copies, packed weights)
 * whole and right away.  Zen 3
 * VM, vgg16 (790 MB of such blocks), 5 alternating runs: inspect
 * --after-passes 0.72-0.79 s -> 0.50-0.62 s, run 0.93-1.19 s -> 0.75-0.93
 * s.  Advice: without it (a kernel before 5.14, or no memory to spare
 * now) the pages fault in as before.  (Big blocks ask for huge pages
 * first: block_memory.) */
static void populate(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = ((uintptr_t)p + page - 1) / page * page, hi = ((uintptr_t)p + n) / page * page;
    if (hi > lo)
        madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
#else
    (void)p, (void)n;
#endif
}

/* Memory for a block of `total` bytes (header included), its base set;
 * NULL when out of memory.  A block of HUGE_PAGE bytes or more (a layer's
 * weights) asks for transparent huge pages over the whole 2 MB pages it
 * covers: with 4 KB pages the kernels' sweeps over packed weights cost a
 * page walk every 4 KB.  Zen 5 VM of 2026-12-02, JIT, 1 thread, runs
 * alternating with the 4 KB-page build: vgg16_head at batch 8 380-645 ms
 * -> 284-304 ms (its 512-channel Winograd layers read their 38 MB of
 * weights once per group of tiles; 4 runs), vgg16 at batch 1 90-106 ms ->
 * 82-102 ms (4 runs), vgg16_head at batch 1 the same within noise (8
 * runs).  Each such block starts COLOR_STEP bytes (modulo 2 MB) further
 * into its first huge page than the last one: started all on the same
 * offset, they share cache sets, and vgg16_head at batch 1 ran ~4%
 * slower than on 4 KB pages (6 alternating runs).  The block's partial
 * 2 MB pages at either end keep 4 KB pages, so no more is resident than
 * is used. */
static ArenaBlock *block_memory(size_t total)
{
    if (total < HUGE_PAGE) {
        size_t rounded;
        if (!size_add(total, 63, &rounded))
            return NULL;
        ArenaBlock *b = aligned_alloc(64, rounded & ~(size_t)63);
        if (b)
            b->base = b;
        return b;
    }
    static atomic_uint color;
    const size_t shift = (size_t)atomic_fetch_add(&color, 1) % (HUGE_PAGE / COLOR_STEP) *
                         COLOR_STEP;
    size_t rounded;
    if (!size_add(total, shift, &rounded) || !size_add(rounded, HUGE_PAGE - 1, &rounded))
        return NULL;
    unsigned char *base = aligned_alloc(HUGE_PAGE, rounded & ~(HUGE_PAGE - 1));
    if (!base)
        return NULL;
    ArenaBlock *b = (ArenaBlock *)(base + shift);
    b->base = base;
#ifdef MADV_HUGEPAGE
    const uintptr_t lo = ((uintptr_t)b + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
    const uintptr_t hi = ((uintptr_t)b + total) & ~(uintptr_t)(HUGE_PAGE - 1);
    if (hi > lo)
        madvise((void *)lo, hi - lo, MADV_HUGEPAGE); /* advice: its failure changes nothing */
#endif
    return b;
}

static ArenaBlock *new_block(size_t cap)
{
    size_t total;
    if (!size_add(sizeof(ArenaBlock), cap, &total))
        out_of_memory(cap);
    ArenaBlock *b = block_memory(total);
    if (!b)
        out_of_memory(cap);
    if (cap >= BIG)
        populate(b, total);
    b->next = NULL;
    b->used = 0;
    b->cap = cap;
    b->own = false;
    return b;
}

void *arena_alloc_aligned(Arena *a, size_t size, size_t align)
{
    VGGC_ASSERT(align && (align & (align - 1)) == 0 && align <= 64);
    if (size == 0)
        size = 1;
    a->total += size;
    if (size >= BIG) {
        /* A block of its own, linked behind the current one so the
         * current block keeps serving small requests. */
        ArenaBlock *b = new_block(size);
        b->used = size;
        b->own = true;
        if (a->head) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            a->head = b;
        }
        memset(b->mem, 0, size);
        return b->mem;
    }
    ArenaBlock *h = a->head;
    size_t off = h ? (h->used + align - 1) & ~(align - 1) : 0;
    if (!h || off + size > h->cap) {
        h = new_block(BLOCK_SIZE);
        h->next = a->head;
        a->head = h;
        off = 0;
    }
    h->used = off + size;
    memset(h->mem + off, 0, size);
    return h->mem + off;
}

void *arena_alloc(Arena *a, size_t size) { return arena_alloc_aligned(a, size, 16); }

char *arena_strndup(Arena *a, const char *s, size_t n)
{
    char *p = arena_alloc_aligned(a, n + 1, 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *arena_strdup(Arena *a, const char *s) { return arena_strndup(a, s, strlen(s)); }

char *arena_printf(Arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    VGGC_ASSERT(n >= 0);
    char *p = arena_alloc_aligned(a, (size_t)n + 1, 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void arena_release(Arena *a, void *p)
{
    for (ArenaBlock **at = &a->head; p && *at; at = &(*at)->next) {
        ArenaBlock *b = *at;
        if (b->own && b->mem == p) {
            *at = b->next;
            free(b->base);
            return;
        }
    }
}

static ArenaBlock *block_of(void *mem)
{
    return (ArenaBlock *)((unsigned char *)mem - offsetof(ArenaBlock, mem));
}

void *arena_detached_alloc(size_t size)
{
    size_t total;
    if (!size_add(sizeof(ArenaBlock), size, &total))
        return NULL;
    ArenaBlock *b = block_memory(total);
    if (!b)
        return NULL;
    populate(b, total);
    b->next = NULL;
    b->used = b->cap = size;
    b->own = true;
    return b->mem;
}

void arena_detached_free(void *mem)
{
    if (mem)
        free(block_of(mem)->base);
}

void arena_adopt(Arena *a, void *mem)
{
    /* Behind the current block, as arena_alloc_aligned links a big one. */
    ArenaBlock *b = block_of(mem);
    a->total += b->used;
    if (a->head) {
        b->next = a->head->next;
        a->head->next = b;
    } else {
        a->head = b;
    }
}

void arena_free(Arena *a)
{
    for (ArenaBlock *b = a->head, *next; b; b = next) {
        next = b->next;
        free(b->base);
    }
    a->head = NULL;
    a->total = 0;
}

bool size_mul(size_t a, size_t b, size_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}

bool size_add(size_t a, size_t b, size_t *out)
{
    return !__builtin_add_overflow(a, b, out);
}
