/* profile.c — per-layer timing of a compiled network.
 *
 * Generated code (both backends) calls vggrt_layer_done(-1) when a run
 * starts and vggrt_layer_done(i) after layer i.  Unless a profile is
 * active that is a call, one load and a branch that is never taken: about
 * a nanosecond per layer, against layers that take 0.1-20 ms.  While
 * vggrt_profile_begin() has made a buffer active, each call adds the time
 * since the previous one to ms[i].  One profile per process: `vggc bench
 * --profile` and the generated program's --profile run one network at a
 * time.
 */
#define _POSIX_C_SOURCE 200809L
#include "vggrt-impl.h"

#include <time.h>

static double *active;
static int active_n, seen;
static double last;

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

void vggrt_profile_begin(double *ms, int n_layers) {
    active = ms;
    active_n = n_layers;
    seen = 0;
    last = now_ms();
}

int vggrt_profile_end(void) {
    active = NULL;
    active_n = 0;
    return seen;
}

void vggrt_layer_done(int layer) {
    if (!active)
        return;
    double t = now_ms();
    if (layer >= 0 && layer < active_n)
        active[layer] += t - last;
    if (layer >= seen)
        seen = layer + 1;
    last = t;
}
