/* test_scratch_dlclose.c — libvggrt.so dlclosed while threads that used
 * it still run.
 *
 * A thread's kernel scratch is freed at its exit through a pthread key
 * whose destructor lives in libvggrt (runtime/threads.c), and the pool's
 * workers run libvggrt's code until the process exits.  A program that
 * dlopens libvggrt.so, runs a Winograd layer on a thread with 2 threads in
 * the pool, dlcloses the library and then lets that thread exit must not
 * call into unmapped code: the library is linked -z nodelete, so dlclose
 * leaves it mapped.  (Without that, this program died of SIGSEGV: in the
 * key's destructor, or in a worker still spinning for its next job.)
 *
 *   test_scratch_dlclose PATH/libvggrt.so    exit 0: the thread exited
 */
#define _POSIX_C_SOURCE 200809L
#include "vggrt.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef size_t (*size_fn)(const vggrt_dconv_params *);
typedef vggrt_status (*pack_fn)(const vggrt_dconv_params *, const float *, float *);
typedef vggrt_status (*wino_fn)(const vggrt_dconv_params *, int64_t, const float *, const float *,
                                const float *, float *, float *);
typedef void (*threads_fn)(int);

static void *lib;
static pthread_barrier_t step;
static vggrt_status rc = VGGRT_ERR_ARG;

/* A 16-channel 8x8 Winograd layer through the library, then waits while
 * the main thread unloads it, then exits. */
static void *runner(void *arg) {
    (void)arg;
    size_fn packed_size = (size_fn)(uintptr_t)dlsym(lib, "vggrt_wino_packed_size");
    pack_fn pack = (pack_fn)(uintptr_t)dlsym(lib, "vggrt_wino_pack");
    wino_fn wino = (wino_fn)(uintptr_t)dlsym(lib, "vggrt_wino_conv2d");
    if (packed_size && pack && wino) {
        vggrt_dconv_params p;
        memset(&p, 0, sizeof p);
        p.conv = (vggrt_conv_params){ 16, 8, 8, 16, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1,
                                      VGGRT_ACT_RELU };
        p.in_layout = VGGRT_LAYOUT_BLOCKED, p.py = p.px = 8;
        float *w = calloc(16 * 16 * 9, sizeof *w), *u = calloc(packed_size(&p), sizeof *u);
        float *x = calloc(16 * 64, sizeof *x), *y = calloc(16 * 64, sizeof *y);
        if (w && u && x && y && pack(&p, w, u) == VGGRT_OK)
            rc = wino(&p, 1, x, u, NULL, y, NULL);
        free(w), free(u), free(x), free(y);
    }
    pthread_barrier_wait(&step);
    pthread_barrier_wait(&step); /* the library is closed now */
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 2 || !(lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL))) {
        fprintf(stderr, "test_scratch_dlclose: cannot load %s: %s\n", argc == 2 ? argv[1] : "?",
                dlerror());
        return 1;
    }
    threads_fn set_threads = (threads_fn)(uintptr_t)dlsym(lib, "vggrt_set_num_threads");
    if (set_threads)
        set_threads(2); /* a worker, and the runner's own scratch */
    pthread_t t;
    if (pthread_barrier_init(&step, NULL, 2) != 0 || pthread_create(&t, NULL, runner, NULL) != 0) {
        fprintf(stderr, "test_scratch_dlclose: cannot start the thread\n");
        return 1;
    }
    pthread_barrier_wait(&step);
    const int closed = dlclose(lib);
    pthread_barrier_wait(&step);
    pthread_join(t, NULL);
    struct timespec pause = { 0, 50 * 1000 * 1000 }; /* the worker spins or sleeps meanwhile */
    nanosleep(&pause, NULL);
    if (rc != VGGRT_OK || closed != 0) {
        fprintf(stderr, "test_scratch_dlclose: the layer returned %d, dlclose %d\n", (int)rc,
                closed);
        return 1;
    }
    printf("test_scratch_dlclose: the thread exited after dlclose\n");
    return 0;
}
