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
 * probe's time is not counted to any layer.  A layer computed inside
 * another's call (a chain, vggrt_chain_conv2d) gets its part through
 * vggrt_layer_part(i, ms) before the call's vggrt_layer_done(j): of the
 * interval, ms go to layer i and the rest to j, at the same probed rate.
 * One profile per process:
 * `vggc bench --profile` and the generated program's --profile run one
 * network at a time.
 */
#define _POSIX_C_SOURCE 200809L
#include "vggrt-impl.h"

#include <math.h>
#include <stdbool.h>
#include <time.h>

static double *active, *active_peak;
static int active_n, seen;
static double last, last_probe;
static int part_layer = -1;   /* vggrt_layer_part's, for the next vggrt_layer_done */
static double part_ms;

double vggrt__now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

void vggrt_profile_begin(double *ms, double *peak, int n_layers) {
    active = ms;
    active_peak = peak;
    active_n = n_layers;
    seen = 0;
    part_layer = -1;
    last_probe = peak ? vggrt_fma_probe(VGGRT_PROFILE_PROBE_S) : 0;
    last = vggrt__now_ms();
}

void vggrt_layer_part(int layer, double ms) {
    if (!active)
        return;
    part_layer = layer;
    part_ms = ms > 0 ? ms : 0;
}

int vggrt_profile_end(void) {
    active = active_peak = NULL;
    active_n = 0;
    return seen;
}

void vggrt_layer_done(int layer) {
    if (!active)
        return;
    double t = vggrt__now_ms();
    const bool in = layer >= 0 && layer < active_n;
    /* A part of this interval that vggrt_layer_part gave to another layer. */
    const int pl = part_layer;
    const double part = in && pl >= 0 && pl < active_n ? fmin(part_ms, t - last) : 0;
    part_layer = -1;
    if (in) {
        active[layer] += t - last - part;
        active[pl >= 0 ? pl : layer] += part;
    }
    if (active_peak) {
        const double probe = vggrt_fma_probe(VGGRT_PROFILE_PROBE_S);
        const double rate = 0.5 * (last_probe + probe) * 1e-3; /* ms x GFLOP/s / 1000: GFLOP */
        if (in) {
            active_peak[layer] += (t - last - part) * rate;
            active_peak[pl >= 0 ? pl : layer] += part * rate;
        }
        last_probe = probe;
        t = vggrt__now_ms();
    }
    if (layer >= seen)
        seen = layer + 1;
    last = t;
}
