/* test_scratch_dlclose.c — libvggrt.so unloaded while a thread that used
 * it still runs.
 *
 * A thread's kernel scratch is freed at its exit through a pthread key
 * whose destructor lives in libvggrt (runtime/threads.c).  A program that
 * dlopens libvggrt.so, runs a Winograd layer on a thread, dlcloses the
 * library and then lets that thread exit must not call into unmapped code:
 * the library deletes its key as it is unloaded.  (Without that, this
 * program died of SIGSEGV at the thread's exit.)
 *
 *   test_scratch_dlclose PATH/libvggrt.so    exit 0: the thread exited
 */
#include "vggrt.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    pthread_barrier_wait(&step); /* the library is gone now */
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
        set_threads(1); /* the layer on the runner itself: its own scratch */
    pthread_t t;
    if (pthread_barrier_init(&step, NULL, 2) != 0 || pthread_create(&t, NULL, runner, NULL) != 0) {
        fprintf(stderr, "test_scratch_dlclose: cannot start the thread\n");
        return 1;
    }
    pthread_barrier_wait(&step);
    const int closed = dlclose(lib);
    pthread_barrier_wait(&step);
    pthread_join(t, NULL);
    if (rc != VGGRT_OK || closed != 0) {
        fprintf(stderr, "test_scratch_dlclose: the layer returned %d, dlclose %d\n", (int)rc,
                closed);
        return 1;
    }
    printf("test_scratch_dlclose: the thread exited after dlclose\n");
    return 0;
}
