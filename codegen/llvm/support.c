/* support.c — C helpers that the LLVM backend links into every module.
 *
 * Not compiled into vggc: codegen/CMakeLists.txt turns this file into LLVM
 * bitcode (like the runtime kernels, see DESIGN.md §2) and embeds it.  The
 * generated code calls these with constant arguments; they are made
 * internal and inlined, so nothing here is a symbol of a JIT'd module or of
 * an object file that --emit obj writes (two models linked into one program
 * do not clash).
 *
 * What lives here is what the C backend writes inline as C text: the
 * BatchNormalization factors, and the model object behind NAME_open /
 * NAME_run_multi / NAME_close (the same code as emit_c.c's emit_source).
 */
#include "vggrt.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* s[i] = scale[i] / sqrt(var[i] + eps), t[i] = bias[i] - mean[i] * s[i]. */
void vggc__bn_factors(int64_t c, const float *scale, const float *bias, const float *mean,
                      const float *var, float eps, float *s, float *t);
void vggc__bn_factors(int64_t c, const float *scale, const float *bias, const float *mean,
                      const float *var, float eps, float *s, float *t)
{
    for (int64_t i = 0; i < c; i++) {
        s[i] = scale[i] / sqrtf(var[i] + eps);
        t[i] = bias[i] - mean[i] * s[i];
    }
}

/* ---- the model object of the generated API (--emit obj) ------------------- */

typedef struct {
    vggrt_weights weights;
    unsigned char *arena;
    int64_t arena_batch;    /* the batch the arena is sized for */
} vggc__model;

typedef int (*vggc__entry)(int64_t n, unsigned char *A, const unsigned char *W,
                           const void *const *in, void *const *out);

static char error_text[512];

void *vggc__open(const char *path, const char **err, const char *name, uint64_t size,
                 uint64_t checksum);
void *vggc__open(const char *path, const char **err, const char *name, uint64_t size,
                 uint64_t checksum)
{
    vggc__model *m = calloc(1, sizeof *m);
    if (!m) {
        if (err)
            *err = "out of memory";
        return NULL;
    }
    if (vggrt_weights_open(path, name, size, checksum, &m->weights, error_text,
                           sizeof error_text) != VGGRT_OK) {
        free(m);
        if (err)
            *err = error_text;
        return NULL;
    }
    return m;
}

void vggc__close(void *mp);
void vggc__close(void *mp)
{
    vggc__model *m = mp;
    if (!m)
        return;
    vggrt_weights_close(&m->weights);
    vggrt_aligned_free(m->arena);
    free(m);
}

int vggc__run_multi(void *mp, const void *const *inputs, void *const *outputs, int64_t batch,
                    int batched, uint64_t static_bytes, uint64_t batch_bytes, vggc__entry entry);
int vggc__run_multi(void *mp, const void *const *inputs, void *const *outputs, int64_t batch,
                    int batched, uint64_t static_bytes, uint64_t batch_bytes, vggc__entry entry)
{
    vggc__model *m = mp;
    if (!m || batch < 1 || (!batched && batch != 1))
        return VGGRT_ERR_ARG;
    if (batch > m->arena_batch) {
        if (batch_bytes && (uint64_t)batch > (SIZE_MAX - static_bytes) / batch_bytes)
            return VGGRT_ERR_ARG;
        unsigned char *a = vggrt_aligned_alloc((size_t)(static_bytes + (uint64_t)batch * batch_bytes) + 64);
        if (!a)
            return VGGRT_ERR_NOMEM;
        vggrt_aligned_free(m->arena);
        m->arena = a;
        m->arena_batch = batch;
    }
    return entry(batch, m->arena, m->weights.data, inputs, outputs);
}
