/* image_to_npy.c — libvggrt's image input as a .npy file, for test_image.py.
 *
 *   image_to_npy OUT.npy H W nchw|nhwc none|tf|caffe|torch IMAGE [IMAGE ...]
 *
 * Loads the images with vggrt_image_load and writes what
 * vggrt_image_to_tensor makes of them (the tensor `vggc run` feeds the
 * model).  H = W = 0: the first image's own size (no resizing).  A file
 * that does not load: its message on stderr, exit 1; bad arguments: exit 2.
 */
#include "vggrt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: %s OUT.npy H W nchw|nhwc MODE IMAGE...\n", argv[0]);
        return 2;
    }
    int64_t h = atoll(argv[2]), w = atoll(argv[3]);
    int layout = strcmp(argv[4], "nhwc") == 0 ? VGGRT_LAYOUT_NHWC : VGGRT_LAYOUT_NCHW;
    int mode = vggrt_preprocess_parse(argv[5]);
    int n = argc - 6;
    if (mode < 0 || (strcmp(argv[4], "nchw") != 0 && strcmp(argv[4], "nhwc") != 0)) {
        fprintf(stderr, "image_to_npy: bad layout '%s' or mode '%s'\n", argv[4], argv[5]);
        return 2;
    }
    vggrt_image *img = calloc((size_t)n, sizeof *img);
    const vggrt_image **ptr = calloc((size_t)n, sizeof *ptr);
    char err[512];
    int rc = 0;
    for (int i = 0; i < n; i++) {
        ptr[i] = &img[i];
        if (vggrt_image_load(argv[6 + i], &img[i], err, sizeof err) != VGGRT_OK) {
            fprintf(stderr, "image_to_npy: error: %s\n", err);
            rc = 1;
        }
    }
    if (rc == 0) {
        if (h == 0 && w == 0) {
            h = img[0].height;
            w = img[0].width;
        }
        vggrt_tensor t = {.dtype = VGGRT_F32, .rank = 4};
        t.dims[0] = n;
        t.dims[1] = layout == VGGRT_LAYOUT_NCHW ? 3 : h;
        t.dims[2] = layout == VGGRT_LAYOUT_NCHW ? h : w;
        t.dims[3] = layout == VGGRT_LAYOUT_NCHW ? w : 3;
        t.nbytes = sizeof(float) * (size_t)n * 3 * (size_t)h * (size_t)w;
        t.data = vggrt_aligned_alloc(t.nbytes);
        vggrt_status s = t.data ? vggrt_image_to_tensor(ptr, n, h, w, layout, mode, t.data)
                                : VGGRT_ERR_NOMEM;
        if (s == VGGRT_OK)
            s = vggrt_npy_write(argv[1], &t, err, sizeof err);
        else
            snprintf(err, sizeof err, "vggrt_image_to_tensor: %s", vggrt_status_str(s));
        if (s != VGGRT_OK) {
            fprintf(stderr, "image_to_npy: error: %s\n", err);
            rc = 3;
        }
        vggrt_aligned_free(t.data);
    }
    for (int i = 0; i < n; i++)
        vggrt_image_free(&img[i]);
    free(img);
    free(ptr);
    return rc;
}
