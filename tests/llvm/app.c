/* app.c — a user's program around an object from `vggc compile --emit obj`.
 *
 *   cc -DNAME=tiny_vgg -DHEADER='"tiny_vgg.h"' app.c tiny_vgg.o -lvggrt -lopenblas -lm
 *   ./app NAME.weights input.npy output.npy
 *
 * Opens the model, runs it on one float input (batch from the file), writes
 * the one float output.
 */
#include HEADER
#include "vggrt.h"

#include <stdio.h>
#include <stdlib.h>

#define CAT2(a, b) a##_##b
#define CAT(a, b) CAT2(a, b)
#define M(x) CAT(NAME, x)

int main(int argc, char **argv)
{
    char err[512];
    const char *oerr = NULL;
    if (argc != 4) {
        fprintf(stderr, "usage: %s NAME.weights input.npy output.npy\n", argv[0]);
        return 2;
    }
    M(model) *m = M(open)(argv[1], &oerr);
    if (!m) {
        fprintf(stderr, "app: %s\n", oerr ? oerr : "open failed");
        return 1;
    }
    vggrt_tensor x, y = {0};
    if (vggrt_npy_read(argv[2], &x, err, sizeof err) != VGGRT_OK) {
        fprintf(stderr, "app: %s\n", err);
        return 1;
    }
    int64_t batch = M(BATCHED) ? x.dims[0] : 1;
    const M(tensor_info) *info = &M(output_info)[0];
    size_t count = 1;
    y.dtype = VGGRT_F32;
    y.rank = info->rank;
    for (int d = 0; d < info->rank; d++) {
        y.dims[d] = info->dims[d] < 0 ? batch : info->dims[d];
        count *= (size_t)y.dims[d];
    }
    y.nbytes = count * sizeof(float);
    y.data = vggrt_aligned_alloc(y.nbytes);
    int rc = M(run)(m, x.data, y.data, batch);
    if (rc != 0) {
        fprintf(stderr, "app: run failed: %s\n", vggrt_status_str((vggrt_status)rc));
        return 1;
    }
    /* A second run reuses the arena. */
    if ((rc = M(run)(m, x.data, y.data, batch)) != 0)
        return 1;
    if (vggrt_npy_write(argv[3], &y, err, sizeof err) != VGGRT_OK) {
        fprintf(stderr, "app: %s\n", err);
        return 1;
    }
    vggrt_tensor_free(&x);
    vggrt_tensor_free(&y);
    M(close)(m);
    return 0;
}
