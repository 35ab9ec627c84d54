/* test_scratch.c — where the blocked kernels keep their working buffers.
 *
 * Winograd's V and M (516 KB) and the chain's ring of rows (512 KB) used
 * to live on the running thread's stack, and a network run on a thread
 * with a 1 MB stack (ulimit -s 1024, or a thread made with that size)
 * crashed.  They are now each thread's scratch on the heap
 * (runtime/threads.c), and the kernels promise to need at most ~110 KB of
 * stack.  Checked here:
 *
 * - On a thread with a 256 KB stack: the chain of VGG's first two layers,
 *   a Winograd layer with its pool, and the direct convolution of a plain
 *   first layer and of a blocked layer with a pool, each with 1 and 2
 *   threads, give bit for bit what the same calls give on the main thread
 *   (whose results test_chain.c, test_winograd.c and test_blocked.c check
 *   against references).  Before the scratch, the chain and Winograd
 *   overflowed that stack: the test died of SIGSEGV.
 * - Out of memory: in a child process whose address space is capped just
 *   above what it has mapped, vggrt_wino_conv2d and vggrt_chain_conv2d on
 *   a thread without scratch return VGGRT_ERR_NOMEM and leave y as it
 *   was.  (Not under AddressSanitizer, which maps terabytes of shadow and
 *   cannot run under such a cap.)
 */
#define _GNU_SOURCE
#define TEST_NAME "test_scratch"
#include "test_util.h"
#include "../address_space.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

enum { SMALL_STACK = 256 * 1024 };

/* One layer call: a chain (p2 set) or one blocked conv (p1 alone). */
typedef struct {
    const char *name;
    vggrt_dconv_params p1, p2;
    int wino1;                 /* p1 runs vggrt_wino_conv2d, not vggrt_dconv2d */
    int64_t n;
    float *x, *pk1, *b1, *pk2, *b2;
    size_t ny;
} Call;

static vggrt_status run_call(const Call *c, float *y) {
    if (c->p2.conv.k)
        return vggrt_chain_conv2d(&c->p1, c->pk1, c->b1, &c->p2, c->pk2, c->b2, c->n, c->x, y,
                                  NULL);
    if (c->wino1)
        return vggrt_wino_conv2d(&c->p1, c->n, c->x, c->pk1, c->b1, y, NULL);
    return vggrt_dconv2d(&c->p1, c->n, c->x, c->pk1, c->b1, y, NULL);
}

static vggrt_conv_params conv3x3(int64_t c, int64_t h, int64_t w, int64_t k) {
    return (vggrt_conv_params){ c, h, w, k, h, w, 3, 3, 1, 1, 1, 1, 1, 1, 1, VGGRT_ACT_RELU };
}

/* Packs p's weights for its kernel: random weights, bias past k zero. */
static void make_layer(const vggrt_dconv_params *p, int wino, float **pk, float **b) {
    const vggrt_conv_params *q = &p->conv;
    const int64_t kp = (q->k + 15) / 16 * 16;
    float *w = rand_f32((size_t)(q->k * q->c * 9), -0.2f, 0.2f);
    *b = rand_f32((size_t)kp, -0.3f, 0.3f);
    for (int64_t i = q->k; i < kp; i++)
        (*b)[i] = 0;
    *pk = xmalloc((wino ? vggrt_wino_packed_size(p) : vggrt_dconv_packed_size(p)) *
                  sizeof(float));
    if ((wino ? vggrt_wino_pack(p, w, *pk) : vggrt_dconv_pack(p, w, *pk)) != VGGRT_OK)
        fail("packing failed");
    free(w);
}

static void make_calls(Call calls[4]) {
    memset(calls, 0, 4 * sizeof *calls);
    /* VGG's first two layers, chained, with the pool. */
    Call *c = &calls[0];
    c->name = "chain 3 -> 64 -> 64, 40x36, pool";
    c->n = 1;
    c->p1.conv = conv3x3(3, 40, 36, 64);
    c->p1.in_layout = VGGRT_LAYOUT_NCHW, c->p1.py = 40, c->p1.px = 36;
    c->p2.conv = conv3x3(64, 40, 36, 64);
    c->p2.in_layout = VGGRT_LAYOUT_BLOCKED;
    c->p2.pool_k = c->p2.pool_s = 2, c->p2.py = 20, c->p2.px = 18;
    c->x = rand_f32(3 * 40 * 36, -1, 1);
    make_layer(&c->p1, 0, &c->pk1, &c->b1);
    make_layer(&c->p2, 1, &c->pk2, &c->b2);
    c->ny = 64 * 20 * 18;
    /* A Winograd layer, batch 2, with the pool. */
    c = &calls[1];
    c->name = "winograd 64 -> 64, 24x24, batch 2, pool";
    c->n = 2, c->wino1 = 1;
    c->p1.conv = conv3x3(64, 24, 24, 64);
    c->p1.in_layout = VGGRT_LAYOUT_BLOCKED;
    c->p1.pool_k = c->p1.pool_s = 2, c->p1.py = c->p1.px = 12;
    c->x = rand_f32(2 * 64 * 24 * 24, -1, 1);
    make_layer(&c->p1, 1, &c->pk1, &c->b1);
    c->ny = 2 * 64 * 12 * 12;
    /* The direct convolution of a plain first layer (its planar rows). */
    c = &calls[2];
    c->name = "direct 3 -> 64, NCHW, 64x64";
    c->n = 1;
    c->p1.conv = conv3x3(3, 64, 64, 64);
    c->p1.in_layout = VGGRT_LAYOUT_NCHW, c->p1.py = c->p1.px = 64;
    c->x = rand_f32(3 * 64 * 64, -1, 1);
    make_layer(&c->p1, 0, &c->pk1, &c->b1);
    c->ny = 64 * 64 * 64;
    /* The direct convolution of a blocked layer with the pool (its ring). */
    c = &calls[3];
    c->name = "direct 128 -> 128, blocked, 10x10, pool";
    c->n = 1;
    c->p1.conv = conv3x3(128, 10, 10, 128);
    c->p1.in_layout = VGGRT_LAYOUT_BLOCKED;
    c->p1.pool_k = c->p1.pool_s = 2, c->p1.py = c->p1.px = 5;
    c->x = rand_f32(128 * 10 * 10, -1, 1);
    make_layer(&c->p1, 0, &c->pk1, &c->b1);
    c->ny = 128 * 5 * 5;
}

static void free_calls(Call calls[4]) {
    for (int i = 0; i < 4; i++)
        free(calls[i].x), free(calls[i].pk1), free(calls[i].b1), free(calls[i].pk2),
            free(calls[i].b2);
}

typedef struct {
    const Call *calls;
    float *got[4];
    vggrt_status rc[4];
} SmallStackRun;

static void *small_stack_thread(void *arg) {
    SmallStackRun *r = arg;
    for (int i = 0; i < 4; i++)
        r->rc[i] = run_call(&r->calls[i], r->got[i]);
    return NULL;
}

static void test_small_stack(const Call calls[4]) {
    float *want[4];
    for (int i = 0; i < 4; i++) {
        want[i] = nan_f32(calls[i].ny);
        if (run_call(&calls[i], want[i]) != VGGRT_OK)
            fail("%s failed on the main thread", calls[i].name);
    }
    for (int threads = 1; threads <= 2; threads++) {
        begin_case("a thread with a %d KB stack, %d thread(s) in the pool", SMALL_STACK / 1024,
                   threads);
        vggrt_set_num_threads(threads);
        SmallStackRun r = { .calls = calls };
        for (int i = 0; i < 4; i++)
            r.got[i] = nan_f32(calls[i].ny);
        pthread_attr_t attr;
        pthread_t t;
        pthread_attr_init(&attr);
        if (pthread_attr_setstacksize(&attr, SMALL_STACK) != 0 ||
            pthread_create(&t, &attr, small_stack_thread, &r) != 0)
            fail("cannot start a thread with a %d-byte stack", SMALL_STACK);
        else
            pthread_join(t, NULL);
        pthread_attr_destroy(&attr);
        for (int i = 0; i < 4; i++) {
            if (r.rc[i] != VGGRT_OK)
                fail("%s: status %d", calls[i].name, (int)r.rc[i]);
            check_bytes(calls[i].name, r.got[i], want[i], sizeof(float), calls[i].ny);
            free(r.got[i]);
        }
        end_case();
    }
    vggrt_set_num_threads(0);
    for (int i = 0; i < 4; i++)
        free(want[i]);
}

/* In the child: exit status 0 when both calls said VGGRT_ERR_NOMEM and
 * left y alone, else the number of the first thing that went wrong. */
static int nomem_child(const Call calls[4]) {
    vggrt_set_num_threads(1);
    float *y = nan_f32(calls[0].ny), *y1 = nan_f32(calls[1].ny);
    const size_t cap = mapped_bytes() + (1u << 20); /* room for small mallocs, not 2 MB */
    if (cap <= (1u << 20))
        return 10;
    const struct rlimit lim = { cap, cap };
    if (setrlimit(RLIMIT_AS, &lim) != 0)
        return 11;
    if (run_call(&calls[0], y) != VGGRT_ERR_NOMEM)
        return 12;
    if (run_call(&calls[1], y1) != VGGRT_ERR_NOMEM)
        return 13;
    for (size_t i = 0; i < calls[0].ny; i++)
        if (y[i] == y[i])
            return 14;
    for (size_t i = 0; i < calls[1].ny; i++)
        if (y1[i] == y1[i])
            return 15;
    return 0;
}

/* Before this process's main thread has any scratch: the child inherits
 * the thread's state at fork. */
static void test_out_of_memory(const Call calls[4]) {
    begin_case("out of memory for the scratch: VGGRT_ERR_NOMEM, y untouched");
    if (UNDER_ASAN) {
        printf("  (skipped under AddressSanitizer)\n");
        end_case();
        return;
    }
    fflush(NULL);
    const pid_t pid = fork();
    if (pid < 0) {
        fail("fork failed");
    } else if (pid == 0) {
        _exit(nomem_child(calls));
    } else {
        int st = 0;
        if (waitpid(pid, &st, 0) != pid)
            fail("waitpid failed");
        else if (!WIFEXITED(st))
            fail("the child died of signal %d", WIFSIGNALED(st) ? WTERMSIG(st) : -1);
        else if (WEXITSTATUS(st) != 0)
            fail("the child's check %d failed (12, 13: not VGGRT_ERR_NOMEM; 14, 15: y written)",
                 WEXITSTATUS(st));
    }
    end_case();
}

int main(void) {
    test_seed(0x5C7A7C4B1E2D3F40ull);
    Call calls[4];
    begin_case("the layers' weights, packed");
    make_calls(calls);
    end_case();
    test_out_of_memory(calls);
    test_small_stack(calls);
    free_calls(calls);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
