/* status_nomem.c — a generated program passes on a kernel's failure as
 * the run's status (tests/codegen/status_nomem.sh builds it in place of
 * the generated driver, main.c, against model_name.h).
 *
 * A run on a thread whose kernel scratch cannot be allocated (the
 * address space capped just above what the process has mapped, after a
 * first run has sized the arena) must return VGGRT_ERR_NOMEM, not 0 with
 * outputs never computed; the same thread's next run, with the cap
 * lifted, returns 0 and the first run's outputs bit for bit.
 *
 *   ./prog MODEL.weights    exit 0: as above; 1: not (a message says what)
 */
#define _GNU_SOURCE
#include "address_space.h" /* tests/: mapped_bytes */
#include "model_name.h"    /* the generated header, and M(x): its prefix on x */
#include "vggrt.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

enum { NIN = M(INPUT0_SIZE), NOUT = M(OUTPUT0_SIZE) };

typedef struct {
    M(model) * m;
    const float *in;
    float *out[2];
    int rc[2];
    pthread_barrier_t step;
} Runs;

/* The second thread: a run under the cap, then one without it. */
static void *runner(void *arg) {
    Runs *r = arg;
    for (int i = 0; i < 2; i++) {
        pthread_barrier_wait(&r->step); /* the cap is set (i = 0) or lifted */
        r->rc[i] = M(run)(r->m, r->in, r->out[i], 1);
        pthread_barrier_wait(&r->step);
    }
    return NULL;
}

int main(int argc, char **argv) {
    const char *err = NULL;
    M(model) *m = argc == 2 ? M(open)(argv[1], &err) : NULL;
    if (!m) {
        fprintf(stderr, "status_nomem: cannot open the weights: %s\n", err ? err : "usage");
        return 1;
    }
    static float in[NIN], want[NOUT], got[2][NOUT];
    for (int i = 0; i < NIN; i++)
        in[i] = (float)((i * 37 % 101) - 50) / 50.0f;
    if (M(run)(m, in, want, 1) != 0) { /* sizes the arena; the main thread's scratch */
        fprintf(stderr, "status_nomem: the first run failed\n");
        return 1;
    }
    Runs r = { .m = m, .in = in, .out = { got[0], got[1] } };
    pthread_t t;
    struct rlimit was;
    if (pthread_barrier_init(&r.step, NULL, 2) != 0 || getrlimit(RLIMIT_AS, &was) != 0 ||
        pthread_create(&t, NULL, runner, &r) != 0) {
        fprintf(stderr, "status_nomem: cannot set up the second thread\n");
        return 1;
    }
    struct rlimit cap = was;
    cap.rlim_cur = mapped_bytes() + (1u << 20); /* room for small mallocs, not 2 MB */
    if (setrlimit(RLIMIT_AS, &cap) != 0) {
        fprintf(stderr, "status_nomem: setrlimit failed\n");
        return 1;
    }
    pthread_barrier_wait(&r.step);
    pthread_barrier_wait(&r.step);
    setrlimit(RLIMIT_AS, &was);
    pthread_barrier_wait(&r.step);
    pthread_barrier_wait(&r.step);
    pthread_join(t, NULL);
    M(close)(m);
    int ok = 1;
    if (r.rc[0] != VGGRT_ERR_NOMEM) {
        fprintf(stderr, "status_nomem: the run without scratch returned %d, not %d\n", r.rc[0],
                (int)VGGRT_ERR_NOMEM);
        ok = 0;
    }
    if (r.rc[1] != 0 || memcmp(got[1], want, sizeof want) != 0) {
        fprintf(stderr, "status_nomem: the run after the cap returned %d%s\n", r.rc[1],
                r.rc[1] ? "" : " and other outputs than the first");
        ok = 0;
    }
    if (ok)
        printf("status_nomem: VGGRT_ERR_NOMEM under the cap, then 0 and the same outputs\n");
    return ok ? 0 : 1;
}
