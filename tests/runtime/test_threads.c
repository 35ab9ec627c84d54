/* test_threads.c — the runtime's thread pool (runtime/threads.c).
 *
 * Checks that vggrt_parallel_for covers [0, n) exactly once with
 * contiguous ranges (one per chunk: min(n, threads *
 * VGGRT_CHUNKS_PER_THREAD)) and tids below the thread count, for thread
 * counts 1..5 and sizes around them (0, 1, fewer items than threads,
 * uneven splits); that the chunks of a thread that is held up go to the
 * others;
 * that a call from inside a task runs serially and completes; that many
 * back-to-back jobs (as a network's layers are) all complete; that jobs
 * of fewer ranges than workers, alternating with jobs of all of them, run
 * each range once and nothing after they return; that a child forked
 * after the workers started gets workers of its own; and that
 * vggrt_set_num_threads(0) restores VGGRT_NUM_THREADS.
 */
#define _POSIX_C_SOURCE 200809L
#include "vggrt.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;

#define CHECK(cond, ...)                                                                       \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                               \
            fprintf(stderr, __VA_ARGS__);                                                      \
            fputc('\n', stderr);                                                               \
            failures++;                                                                        \
        }                                                                                      \
    } while (0)

enum { MAX_N = 1000 };

typedef struct {
    atomic_int hits[MAX_N];
    atomic_int calls;
    atomic_int bad_tid;
    atomic_int nested_ok;
    int threads;
} Cover;

static void mark(void *ctx, int64_t begin, int64_t end, int tid) {
    Cover *c = ctx;
    atomic_fetch_add(&c->calls, 1);
    if (tid < 0 || tid >= c->threads)
        atomic_fetch_add(&c->bad_tid, 1);
    for (int64_t i = begin; i < end; i++)
        atomic_fetch_add(&c->hits[i], 1);
}

static void inner(void *ctx, int64_t begin, int64_t end, int tid) {
    int *sum = ctx;
    (void)tid;
    for (int64_t i = begin; i < end; i++)
        *sum += 1; /* serial inside a task: no race on the caller's counter */
}

static void outer(void *ctx, int64_t begin, int64_t end, int tid) {
    Cover *c = ctx;
    (void)tid;
    for (int64_t i = begin; i < end; i++) {
        int sum = 0;
        vggrt_parallel_for(10, inner, &sum);
        if (sum == 10)
            atomic_fetch_add(&c->nested_ok, 1);
    }
}

/* One of the alternating jobs: its ranges' hits, and whether the call that
 * ran it has returned. */
enum { ALT = 5000 };
typedef struct {
    atomic_int hits[3];
    atomic_int done;
} AltJob;
static atomic_int alt_stray;

static void alt_task(void *ctx, int64_t begin, int64_t end, int tid) {
    AltJob *j = ctx;
    (void)tid;
    if (atomic_load(&j->done))
        atomic_fetch_add(&alt_stray, 1);
    for (int64_t i = begin; i < end; i++)
        atomic_fetch_add(&j->hits[i], 1);
}

/* Waits until *v >= at_least, or 2 s. */
static void wait_for(atomic_int *v, int at_least) {
    const struct timespec step = { 0, 1000000 };
    for (int ms = 0; ms < 2000 && atomic_load(v) < at_least; ms++)
        nanosleep(&step, NULL);
}

typedef struct {
    atomic_int by_caller, done, waited;
} Held;

/* Chunks of 1 item; the first chunk a worker (tid > 0) runs waits for the
 * caller (tid 0) to have run 5, or 2 s. */
static void held_task(void *ctx, int64_t begin, int64_t end, int tid) {
    Held *h = ctx;
    (void)begin, (void)end;
    if (tid == 0) {
        atomic_fetch_add(&h->by_caller, 1);
    } else if (atomic_exchange(&h->waited, 1) == 0) {
        wait_for(&h->by_caller, 5);
    }
    atomic_fetch_add(&h->done, 1);
}

typedef struct {
    atomic_int by_caller, by_worker, done;
} Reach;

/* Chunks of 1 item; the caller's first chunk waits for a worker to have
 * run one, or 2 s. */
static void needs_worker_task(void *ctx, int64_t begin, int64_t end, int tid) {
    Reach *r = ctx;
    (void)begin, (void)end;
    if (tid > 0) {
        atomic_fetch_add(&r->by_worker, 1);
    } else if (atomic_fetch_add(&r->by_caller, 1) == 0) {
        wait_for(&r->by_worker, 1);
    }
    atomic_fetch_add(&r->done, 1);
}

/* Forks once the pool's workers run: the child's 2-thread job must reach a
 * worker of its own (the parent's are not in the child).  Exit status 0:
 * it did; 1: the caller ran every chunk. */
static void check_fork(void) {
    vggrt_set_num_threads(2);
    static Cover warm;
    warm.threads = 2;
    vggrt_parallel_for(8, mark, &warm); /* the worker is started */
    fflush(NULL);
    const pid_t pid = fork();
    if (pid == 0) {
        static Reach r;
        vggrt_parallel_for(2, needs_worker_task, &r);
        _exit(atomic_load(&r.by_worker) >= 1 && atomic_load(&r.done) == 2 ? 0 : 1);
    }
    int st = 0;
    CHECK(pid > 0 && waitpid(pid, &st, 0) == pid, "fork or waitpid failed");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "a forked child's 2-thread job: no worker ran a chunk (status %d)", st);
}

int main(void) {
    static Cover c;
    const int64_t sizes[] = { 0, 1, 2, 3, 4, 5, 7, 64, 999, MAX_N };
    for (int t = 1; t <= 5; t++) {
        vggrt_set_num_threads(t);
        CHECK(vggrt_num_threads() == t, "vggrt_num_threads() = %d, want %d", vggrt_num_threads(), t);
        for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
            const int64_t n = sizes[s];
            memset(&c, 0, sizeof c);
            c.threads = t;
            vggrt_parallel_for(n, mark, &c);
            int wrong = 0;
            for (int64_t i = 0; i < n; i++)
                wrong += atomic_load(&c.hits[i]) != 1;
            CHECK(wrong == 0, "threads %d, n %lld: %d items not covered exactly once", t,
                  (long long)n, wrong);
            /* one call on the caller, or one per chunk: min(n, threads *
             * VGGRT_CHUNKS_PER_THREAD), threads = min(n, t) */
            const int64_t parts = n < t ? n : t, chunks = parts * VGGRT_CHUNKS_PER_THREAD;
            const int64_t want_calls = n == 0 ? 0 : parts == 1 ? 1 : n < chunks ? n : chunks;
            CHECK(atomic_load(&c.calls) == want_calls, "threads %d, n %lld: %d ranges, want %lld",
                  t, (long long)n, atomic_load(&c.calls), (long long)want_calls);
            CHECK(atomic_load(&c.bad_tid) == 0, "threads %d: tid out of range", t);
        }
        memset(&c, 0, sizeof c);
        c.threads = t;
        vggrt_parallel_for(50, outer, &c);
        CHECK(atomic_load(&c.nested_ok) == 50, "threads %d: nested calls: %d of 50 complete", t,
              atomic_load(&c.nested_ok));
    }
    /* A worker held up (as by another program on its core): the caller
     * takes the chunks it would have had.  The worker's first chunk waits
     * for the caller to have run 5 of the 8 (2 threads x 4), which a fixed
     * half each (4) would never reach: then it gives up after 2 s and the
     * check fails, without a hang. */
    vggrt_set_num_threads(2);
    static Held held;
    vggrt_parallel_for(8, held_task, &held);
    CHECK(atomic_load(&held.by_caller) >= 5 && atomic_load(&held.done) == 8,
          "2 threads, 8 chunks, worker held up: the caller ran %d chunks (want >= 5), %d ran",
          atomic_load(&held.by_caller), atomic_load(&held.done));

    /* Back-to-back jobs, as the layers of a network. */
    vggrt_set_num_threads(2);
    int lost = 0;
    for (int rep = 0; rep < 20000; rep++) {
        memset(&c, 0, sizeof c);
        c.threads = 2;
        vggrt_parallel_for(2, mark, &c);
        lost += atomic_load(&c.hits[0]) != 1 || atomic_load(&c.hits[1]) != 1;
    }
    CHECK(lost == 0, "%d of 20000 back-to-back jobs incomplete", lost);

    /* Jobs of 2 and 3 ranges in turn on 3 threads.  A worker left out of
     * one job once woke late, took the next job's range count for that
     * job's, ran its range before the next job was announced and again
     * after, and so ran a task for a call that had already returned (a
     * crash in the blocked kernels' tests under ASan).  The window is
     * narrow, so this is a stress check: it caught that announcement in 2
     * of 6 runs of 200000 jobs, not on every run. */
    static AltJob alt[ALT];
    vggrt_set_num_threads(3);
    int wrong = 0;
    for (int rep = 0; rep < ALT; rep++) {
        const int n = 2 + rep % 2;
        vggrt_parallel_for(n, alt_task, &alt[rep]);
        atomic_store(&alt[rep].done, 1);
        for (int i = 0; i < 3; i++)
            wrong += atomic_load(&alt[rep].hits[i]) != (i < n);
    }
    CHECK(wrong == 0, "alternating 2- and 3-range jobs: %d ranges not run exactly once", wrong);
    CHECK(atomic_load(&alt_stray) == 0, "%d ranges ran after their call returned",
          atomic_load(&alt_stray));

    check_fork();

    setenv("VGGRT_NUM_THREADS", "3", 1);
    vggrt_set_num_threads(0);
    /* The default is probed once per process; it is 3 only if this is the
     * first time anything asked for it, which it is not here (the calls
     * above set an explicit count, so the probe has not run yet). */
    CHECK(vggrt_num_threads() == 3, "VGGRT_NUM_THREADS=3 gives %d threads", vggrt_num_threads());
    if (failures)
        fprintf(stderr, "%d failures\n", failures);
    else
        printf("threads: all checks passed\n");
    return failures != 0;
}
