/* profile.c — per-layer timing of a compiled network.
 *
 * Generated code (both backends) calls vggrt_layer_done(-1) when a run
 * starts and vggrt_layer_done(i) after layer i.  Unless a profile is
 * active that is a call, one load and a branch that is never taken: about
 * a nanosecond per layer, against layers that take 0.1-20 ms.  While
 * vggrt_profile_begin() has made a buffer active, each call adds the time
 * since the previous one to ms[i].  With a peak buffer each call also
 * probes the FMA rate (vggrt_fma_probe: 0.5 ms, on registers, so the
 * caches keep what the layers left there) and charges layer i the work
 * that the mean of the probes before and after it does in its time; the
 * probe's time is not counted to any layer.  One profile per process:
 * `vggc bench --profile` and the generated program's --profile run one
 * network at a time.
 */
#define _POSIX_C_SOURCE 200809L
#include "vggrt-impl.h"

#include <stdbool.h>
#include <time.h>

static double *active, *active_peak;
static int active_n, seen;
static double last, last_probe;

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

void vggrt_profile_begin(double *ms, double *peak, int n_layers) {
    active = ms;
    active_peak = peak;
    active_n = n_layers;
    seen = 0;
    last_probe = peak ? vggrt_fma_probe(VGGRT_PROFILE_PROBE_S) : 0;
    last = now_ms();
}

int vggrt_profile_end(void) {
    active = active_peak = NULL;
    active_n = 0;
    return seen;
}

void vggrt_layer_done(int layer) {
    if (!active)
        return;
    double t = now_ms();
    const bool in = layer >= 0 && layer < active_n;
    if (in)
        active[layer] += t - last;
    if (active_peak) {
        const double probe = vggrt_fma_probe(VGGRT_PROFILE_PROBE_S);
        if (in) /* ms x GFLOP/s / 1000: GFLOP */
            active_peak[layer] += (t - last) * 0.5 * (last_probe + probe) * 1e-3;
        last_probe = probe;
        t = now_ms();
    }
    if (layer >= seen)
        seen = layer + 1;
    last = t;
}
