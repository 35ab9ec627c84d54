/* threads.c — the runtime's one pool of worker threads.
 *
 * vggrt_parallel_for(n, fn, ctx) cuts [0, n) into min(n, threads *
 * VGGRT_CHUNKS_PER_THREAD) contiguous, nearly equal chunks, and the
 * calling thread and the pool's workers claim them one at a time until
 * none is left; fn(ctx, begin, end, tid) runs once per chunk, tid naming
 * the thread (0: the caller); the call returns when all are done.  The cut
 * depends only on n and the thread count, and every kernel gives each
 * output element to exactly one chunk, so results do not depend on which
 * thread runs what (and, since no kernel splits a reduction, not on the
 * thread count either).  Claiming instead of one fixed range per thread:
 * on a shared machine one of two cores is often slowed for a while by
 * another tenant, and a fixed half then held every layer back (vgg16_head,
 * 2 threads, Zen 3 VM, six interleaved rounds: 41-55 ms against 57-59 ms).
 *
 * Workers are started on first use and live until the process exits (a
 * forked child starts its own: pool_forked).  A
 * worker that finishes a job spins briefly for the next one (a network's
 * layers come microseconds apart) before it sleeps on a condition
 * variable.  A job is announced by one atomic word holding its generation
 * and the number of threads that take part, so a worker decides whether a
 * job is its own from that word alone; chunks are claimed from a second
 * word that names the generation too, so a worker that wakes late claims
 * nothing of a later job, and never runs a chunk twice.  Calls made from
 * inside a task, or while another thread of the program holds the pool,
 * run serially on the caller: never a deadlock, never nested
 * oversubscription.
 */
#define _GNU_SOURCE
#include "vggrt-impl.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

enum { MAX_THREADS = VGGRT_MAX_THREADS, SPIN = 20000, YIELD_EVERY = 64, PARTS_BITS = 16 };
_Static_assert(MAX_THREADS * VGGRT_CHUNKS_PER_THREAD < (1 << 16),
               "a claim word holds the chunk count");
_Static_assert(MAX_THREADS < (1 << PARTS_BITS), "a job word holds its range count");

typedef struct {
    pthread_mutex_t lock;         /* held by the one caller that owns the pool */
    pthread_mutex_t wake_lock;
    pthread_cond_t wake;
    int started;                  /* workers running: 1 .. started-1 */
    int want;                     /* threads requested (0: default) */
    /* the current job */
    vggrt_task fn;
    void *ctx;
    int64_t n;
    _Atomic uint64_t job;         /* (generation << PARTS_BITS) | threads, stored last */
    _Atomic uint64_t next;        /* (generation << 32) | (chunks << 16) | next chunk */
    atomic_int pending;           /* chunks not yet finished */
} Pool;

static Pool pool = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .wake_lock = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER,
    .started = 1,
};

static _Thread_local int inside_task;

/* ---- per-thread scratch (vggrt-impl.h) ----------------------------------------
 * Winograd's V and M and the chain's ring took 1.03 MB of a task's stack:
 * a run on a thread with a 1 MB stack (ulimit -s 1024, or a thread made
 * with that size) crashed.  Now each thread has its scratch on the heap,
 * allocated once: a worker's as it is started (one that cannot have it is
 * not started, and jobs run on fewer threads), a calling thread's on its
 * first vggrt__scratch_reserve, freed when that thread exits.  It is
 * SCRATCH_BYTES, a huge page (vggrt__alloc_uninit asks Linux for one), of
 * which VGGRT_SCRATCH_FLOATS are used: the 1.5 MB that Winograd's tiles
 * and the chain's ring sweep then take one TLB entry instead of ~380.
 * (Against the stack, in interleaved profiles of vgg16_head at 1 thread,
 * 8 rounds per backend: the same layer times, within the VM's noise.)
 * What the kernels still keep on the stack is at most ~110 KB (dconv.c's
 * planar rows and pool ring); workers get a stack of at least
 * WORKER_STACK whatever the process's limit. */
enum { WORKER_STACK = 1 << 20, SCRATCH_BYTES = 2 << 20 };
_Static_assert(VGGRT_SCRATCH_FLOATS * sizeof(float) <= SCRATCH_BYTES, "the scratch fits");
static _Thread_local float *scratch;
static float *worker_scratch[MAX_THREADS]; /* written before the worker starts */
static pthread_key_t scratch_key;          /* frees a calling thread's at its exit */
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static int scratch_key_ok;

static float *scratch_alloc(void) {
    return vggrt__alloc_uninit(SCRATCH_BYTES);
}

/* (libvggrt.so is linked -z nodelete, runtime/CMakeLists.txt: a dlclose
 * leaves it mapped, so this destructor, and the workers' code, outlive it.) */
static void scratch_key_make(void) {
    scratch_key_ok = pthread_key_create(&scratch_key, vggrt_aligned_free) == 0;
}

int vggrt__scratch_reserve(void) {
    if (scratch)
        return 1;
    pthread_once(&scratch_once, scratch_key_make);
    float *p = scratch_key_ok ? scratch_alloc() : NULL;
    if (!p || pthread_setspecific(scratch_key, p) != 0) {
        vggrt_aligned_free(p);
        return 0;
    }
    scratch = p;
    return 1;
}

float *vggrt__scratch(void) {
    return scratch;
}

int vggrt__l1d_bytes(void) {
    static atomic_int cached; /* bytes + 1 once read: 0 is "not read yet" */
    int c = atomic_load_explicit(&cached, memory_order_relaxed);
    if (!c) {
        long b = 0;
#ifdef _SC_LEVEL1_DCACHE_SIZE
        b = sysconf(_SC_LEVEL1_DCACHE_SIZE);
#endif
        c = b > 0 && b < (1L << 30) ? (int)b + 1 : 1;
        atomic_store_explicit(&cached, c, memory_order_relaxed);
    }
    return c - 1;
}

static int probe_threads(void) {
    const char *env = getenv("VGGRT_NUM_THREADS");
    if (env && *env) {
        char *end;
        long v = strtol(env, &end, 10);
        if (*end == 0 && v >= 1)
            return v > MAX_THREADS ? MAX_THREADS : (int)v;
    }
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int c = CPU_COUNT(&set);
        if (c >= 1)
            return c > MAX_THREADS ? MAX_THREADS : c;
    }
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    return c < 1 ? 1 : c > MAX_THREADS ? MAX_THREADS : (int)c;
}

static int default_threads(void) {
    static atomic_int cached;
    int c = atomic_load_explicit(&cached, memory_order_relaxed);
    if (!c)
        atomic_store_explicit(&cached, c = probe_threads(), memory_order_relaxed);
    return c;
}

void vggrt_set_num_threads(int n) {
    pthread_mutex_lock(&pool.lock);
    pool.want = n < 1 ? 0 : n > MAX_THREADS ? MAX_THREADS : n;
    pthread_mutex_unlock(&pool.lock);
}

int vggrt_num_threads(void) {
    int want = __atomic_load_n(&pool.want, __ATOMIC_RELAXED);
    return want ? want : default_threads();
}

/* Runs the chunks of job generation gen that are left, as thread tid: each
 * claimed with one compare-and-swap on pool.next, which names the job, so
 * a thread that comes late claims nothing of a later job.  A claimed chunk
 * keeps the job's fields (fn, ctx, n) in place until it is done. */
static void run_chunks(uint32_t gen, int tid) {
    uint64_t w = atomic_load_explicit(&pool.next, memory_order_acquire);
    for (;;) {
        if ((uint32_t)(w >> 32) != gen)
            return;
        const int64_t c = (int64_t)(w & 0xffff), chunks = (int64_t)(w >> 16 & 0xffff);
        if (c >= chunks)
            return;
        if (!atomic_compare_exchange_weak_explicit(&pool.next, &w, w + 1, memory_order_acq_rel,
                                                   memory_order_acquire))
            continue;
        const int64_t q = pool.n / chunks, r = pool.n % chunks;
        const int64_t begin = c * q + (c < r ? c : r), end = begin + q + (c < r);
        inside_task = 1;
        pool.fn(pool.ctx, begin, end, tid);
        inside_task = 0;
        atomic_fetch_sub_explicit(&pool.pending, 1, memory_order_acq_rel);
        w = atomic_load_explicit(&pool.next, memory_order_acquire);
    }
}

/* One step of a busy wait.  Every YIELD_EVERY steps it yields the core:
 * when there are more threads than cores (a --threads above the core
 * count, or other programs on the machine), a waiting thread would
 * otherwise spin through the time slice of the thread it waits for. */
static void wait_step(unsigned spins) {
    if (spins % YIELD_EVERY == 0)
        sched_yield();
#if defined(__x86_64__) || defined(__i386__)
    else
        __builtin_ia32_pause();
#endif
}

/* A worker starts with seen = 0.  Any job word it then finds counts at most
 * the workers started before it, so it runs nothing until a job that
 * counts it is announced. */
static void *worker(void *arg) {
    const int me = (int)(intptr_t)arg;
    scratch = worker_scratch[me];
    uint64_t seen = 0;
    for (;;) {
        uint64_t job;
        int spins = 0;
        while ((job = atomic_load_explicit(&pool.job, memory_order_acquire)) == seen) {
            if (++spins < SPIN) {
                wait_step(spins);
                continue;
            }
            pthread_mutex_lock(&pool.wake_lock);
            while (atomic_load_explicit(&pool.job, memory_order_acquire) == seen)
                pthread_cond_wait(&pool.wake, &pool.wake_lock);
            pthread_mutex_unlock(&pool.wake_lock);
        }
        seen = job;
        /* A job that counts this worker: claim its chunks (run_chunks);
         * one that does not is never read. */
        if (me < (int)(job & ((1u << PARTS_BITS) - 1)))
            run_chunks((uint32_t)(job >> PARTS_BITS), me);
    }
    return NULL;
}

/* A forked child has only the thread that called fork: the pool's workers
 * stayed behind.  Still counted, they would never claim a chunk, and every
 * job of the child would run on its calling thread alone (a server that
 * loads a model and then forks its workers would run each on one core).
 * So the child forgets them and starts its own on its next job, with the
 * parent's workers' scratch (its copies of it); its locks are made anew,
 * as a thread that is not in the child may have held one. */
static void pool_forked(void) {
    pool.started = 1;
    pthread_mutex_init(&pool.lock, NULL);
    pthread_mutex_init(&pool.wake_lock, NULL);
    pthread_cond_init(&pool.wake, NULL);
    atomic_store_explicit(&pool.job, 0, memory_order_relaxed);
    atomic_store_explicit(&pool.next, 0, memory_order_relaxed);
    atomic_store_explicit(&pool.pending, 0, memory_order_relaxed);
}

static void pool_fork_hook(void) {
    pthread_atfork(NULL, NULL, pool_forked);
}

/* Starts workers until `threads` run in all (the caller counts as one),
 * each with its scratch (kept for a later try when the thread cannot be
 * started, and reused after a fork). */
static int ensure_workers(int threads) {
    static pthread_once_t hooked = PTHREAD_ONCE_INIT;
    pthread_once(&hooked, pool_fork_hook);
    while (pool.started < threads) {
        float **mine = &worker_scratch[pool.started];
        if (!*mine && !(*mine = scratch_alloc()))
            break;
        pthread_t t;
        pthread_attr_t attr;
        size_t stack = 0;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_attr_getstacksize(&attr, &stack) == 0 && stack < WORKER_STACK)
            pthread_attr_setstacksize(&attr, WORKER_STACK);
        int err = pthread_create(&t, &attr, worker, (void *)(intptr_t)pool.started);
        pthread_attr_destroy(&attr);
        if (err)
            break;
        pool.started++;
    }
    return pool.started < threads ? pool.started : threads;
}

void vggrt_parallel_for(int64_t n, vggrt_task fn, void *ctx) {
    if (n <= 0)
        return;
    int threads = inside_task ? 1 : vggrt_num_threads();
    if (threads > 1 && n > 1 && pthread_mutex_trylock(&pool.lock) == 0) {
        threads = ensure_workers(threads);
        const int parts = n < threads ? (int)n : threads;
        if (parts > 1) {
            const int64_t chunks = n < (int64_t)parts * VGGRT_CHUNKS_PER_THREAD
                                   ? n
                                   : (int64_t)parts * VGGRT_CHUNKS_PER_THREAD;
            pool.fn = fn, pool.ctx = ctx, pool.n = n;
            atomic_store_explicit(&pool.pending, (int)chunks, memory_order_relaxed);
            pthread_mutex_lock(&pool.wake_lock);
            const uint64_t gen =
                (atomic_load_explicit(&pool.job, memory_order_relaxed) >> PARTS_BITS) + 1;
            atomic_store_explicit(&pool.next, (uint64_t)(uint32_t)gen << 32 | (uint64_t)chunks << 16,
                                  memory_order_release);
            atomic_store_explicit(&pool.job, gen << PARTS_BITS | (uint64_t)parts,
                                  memory_order_release);
            pthread_cond_broadcast(&pool.wake);
            pthread_mutex_unlock(&pool.wake_lock);
            run_chunks((uint32_t)gen, 0);
            for (unsigned spins = 1; atomic_load_explicit(&pool.pending, memory_order_acquire) > 0;)
                wait_step(spins++);
            pthread_mutex_unlock(&pool.lock);
            return;
        }
        pthread_mutex_unlock(&pool.lock);
    }
    inside_task++;
    fn(ctx, 0, n, 0);
    inside_task--;
}
