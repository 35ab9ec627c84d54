/* image.c — PNG and JPEG files in, a network's input tensor out.
 *
 * How a picture becomes what an ImageNet-style network was trained on:
 *
 *   file -> decode (libpng / libjpeg-turbo) -> 8-bit RGB, row-major
 *        -> resize to the input's H x W (bilinear, half-pixel centers)
 *        -> NCHW or NHWC -> scale as the training framework did
 *
 * Decoding.  The files come from users, so we use the two decoders that
 * are maintained, fuzzed continuously (OSS-Fuzz) and security-supported by
 * the distributions, rather than a single-header decoder.  Every source
 * format becomes 8-bit RGB the way Keras' load_img (PIL, color_mode "rgb")
 * sees it: gray is copied into three equal channels; a palette is expanded;
 * alpha is ignored (the stored colour is kept, nothing is composited; a
 * palette's transparency is ignored likewise); 16-bit samples keep their
 * high byte (v >> 8); PNG gamma and colour-profile chunks are ignored (the
 * stored values are used, as PIL does).  CMYK JPEGs (Adobe's inverted form
 * included) become RGB as R = (255 - C)(255 - K) / 255.
 *
 * Hostile input.  The header's size is checked before anything is
 * allocated: at most VGGRT_IMAGE_MAX_SIDE pixels a side and
 * VGGRT_IMAGE_MAX_PIXELS in all.  libpng and libjpeg report errors through
 * callbacks that longjmp back here (the one way both libraries allow), so a
 * corrupt file is an error naming the file, never a crash or an exit.
 * libpng's limits on ancillary chunks are set explicitly.  A JPEG that ends
 * early is an error (libjpeg would only warn and fill with gray); a
 * progressive JPEG may have at most MAX_JPEG_SCANS scans (a crafted one
 * with thousands costs minutes, as libjpeg-turbo's own fuzzers note).  The
 * libraries' other warnings (bytes skipped before a marker, ...) are
 * tolerated, as PIL tolerates them; nothing is printed.
 *
 * Resizing is tf.image.resize's bilinear (TF2 default: half-pixel
 * centers, no antialiasing), computed in float as TensorFlow does:
 *   src = (dst + 0.5) * in / out - 0.5,  lo = max(floor(src), 0),
 *   hi = min(ceil(src), in - 1),  t = src - floor(src),
 *   top = a + (b - a) * tx, bottom likewise, value = top + (bottom - top) * ty.
 * The result is float in 0..255 before scaling, so an image already at the
 * input size passes through exactly.
 */
#include "vggrt-impl.h"

#include <math.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

/* More scans than any encoder writes (libjpeg's progressive scripts use
 * about ten; libjpeg-turbo's fuzzers stop at 500). */
#define MAX_JPEG_SCANS 500
/* Largest ancillary PNG chunk kept in memory (iCCP, zTXt, ...) and the
 * most such chunks: we use none of them. */
#define PNG_CHUNK_MALLOC_MAX (8u << 20)
#define PNG_CHUNK_CACHE_MAX 1000

typedef struct {
    const char *name;           /* for messages */
    char *err;
    size_t errcap;
} Where;

static vggrt_status check_size(const Where *at, const char *kind, uint64_t w, uint64_t h) {
    if (w == 0 || h == 0)
        return vggrt__fail(VGGRT_ERR_FORMAT, at->err, at->errcap, "%s: %s image has size %llu x %llu",
                           at->name, kind, (unsigned long long)w, (unsigned long long)h);
    if (w > VGGRT_IMAGE_MAX_SIDE || h > VGGRT_IMAGE_MAX_SIDE || w * h > VGGRT_IMAGE_MAX_PIXELS)
        return vggrt__fail(VGGRT_ERR_FORMAT, at->err, at->errcap,
                           "%s: %s image is %llu x %llu pixels; at most %d x %d and %lld pixels "
                           "in all are accepted", at->name, kind, (unsigned long long)w,
                           (unsigned long long)h, VGGRT_IMAGE_MAX_SIDE, VGGRT_IMAGE_MAX_SIDE,
                           (long long)VGGRT_IMAGE_MAX_PIXELS);
    return VGGRT_OK;
}

/* The RGB buffer for a checked size. */
static vggrt_status alloc_rgb(const Where *at, vggrt_image *img, uint64_t w, uint64_t h) {
    img->width = (int64_t)w;
    img->height = (int64_t)h;
    img->rgb = malloc((size_t)(w * h * 3));
    if (!img->rgb)
        return vggrt__fail(VGGRT_ERR_NOMEM, at->err, at->errcap,
                           "%s: out of memory for a %llu x %llu image", at->name,
                           (unsigned long long)w, (unsigned long long)h);
    return VGGRT_OK;
}

/* ---- PNG ------------------------------------------------------------------------ */

typedef struct {
    Where at;
    const unsigned char *p;     /* unread bytes */
    size_t left;
    vggrt_status status;        /* why we jumped */
    char msg[256];              /* libpng's message; empty: err is written */
    unsigned char **rows;       /* freed by the caller after a jump */
} PngCtx;

static void png_fail(png_structp png, png_const_charp msg) {
    PngCtx *c = png_get_error_ptr(png);
    snprintf(c->msg, sizeof c->msg, "%s", msg);
    png_longjmp(png, 1);
}

static void png_quiet(png_structp png, png_const_charp msg) {
    (void)png;
    (void)msg;
}

static void png_read_mem(png_structp png, png_bytep out, size_t n) {
    PngCtx *c = png_get_io_ptr(png);
    if (n > c->left)
        png_error(png, "the file ends early (truncated)");
    memcpy(out, c->p, n);
    c->p += n;
    c->left -= n;
}

static vggrt_status decode_png(PngCtx *c, vggrt_image *img) {
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, c, png_fail, png_quiet);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        return vggrt__fail(VGGRT_ERR_NOMEM, c->at.err, c->at.errcap, "%s: out of memory", c->at.name);
    }
    /* Everything a jump must clean up lives in c or img, not in locals. */
    c->status = VGGRT_ERR_FORMAT;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(c->rows);
        c->rows = NULL;
        vggrt_image_free(img);
        if (c->msg[0])     /* else the message is written already */
            vggrt__fail(VGGRT_ERR_FORMAT, c->at.err, c->at.errcap, "%s: corrupt PNG: %s", c->at.name,
                        c->msg);
        return c->status;
    }
    png_set_read_fn(png, c, png_read_mem);
    /* Our own size check below says more than libpng's default limits. */
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    png_set_chunk_malloc_max(png, PNG_CHUNK_MALLOC_MAX);
    png_set_chunk_cache_max(png, PNG_CHUNK_CACHE_MAX);
    png_read_info(png, info);

    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    vggrt_status s = check_size(&c->at, "PNG", w, h);
    if (s != VGGRT_OK) {
        c->status = s;
        png_longjmp(png, 1);
    }
    int type = png_get_color_type(png, info), depth = png_get_bit_depth(png, info);
    if (type == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(png);
    if (type == PNG_COLOR_TYPE_GRAY && depth < 8)
        png_set_expand_gray_1_2_4_to_8(png);
    if (depth == 16)
        png_set_strip_16(png);              /* high byte, as PIL */
    /* Alpha, and the alpha that expanding a palette makes of tRNS: dropped. */
    if ((type & PNG_COLOR_MASK_ALPHA) || png_get_valid(png, info, PNG_INFO_tRNS))
        png_set_strip_alpha(png);
    if (type == PNG_COLOR_TYPE_GRAY || type == PNG_COLOR_TYPE_GRAY_ALPHA)
        png_set_gray_to_rgb(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)w * 3) {
        snprintf(c->msg, sizeof c->msg, "unexpected row size %zu after conversion to RGB",
                 (size_t)png_get_rowbytes(png, info));
        png_longjmp(png, 1);
    }
    if ((s = alloc_rgb(&c->at, img, w, h)) != VGGRT_OK ||
        !(c->rows = malloc(sizeof *c->rows * h))) {
        c->status = s != VGGRT_OK ? s : vggrt__fail(VGGRT_ERR_NOMEM, c->at.err, c->at.errcap,
                                                    "%s: out of memory", c->at.name);
        png_longjmp(png, 1);
    }
    for (png_uint_32 y = 0; y < h; y++)
        c->rows[y] = img->rgb + (size_t)y * w * 3;
    png_read_image(png, c->rows);
    /* The chunks after the image data are not needed (nor is IEND). */
    png_destroy_read_struct(&png, &info, NULL);
    free(c->rows);
    c->rows = NULL;
    return VGGRT_OK;
}

/* ---- JPEG ----------------------------------------------------------------------- */

typedef struct {
    struct jpeg_error_mgr pub;  /* first: libjpeg sees only this */
    struct jpeg_progress_mgr progress;
    Where at;
    jmp_buf jmp;
    vggrt_status status;        /* why we jumped */
    char msg[JMSG_LENGTH_MAX + 64];     /* libjpeg's message; empty: err is written */
    unsigned char *cmyk_row;    /* scratch; freed by the caller after a jump */
} JpegCtx;

static void jpeg_fail(j_common_ptr cinfo) {
    JpegCtx *c = (JpegCtx *)cinfo->err;
    char m[JMSG_LENGTH_MAX];
    cinfo->err->format_message(cinfo, m);
    snprintf(c->msg, sizeof c->msg, "%s", m);
    longjmp(c->jmp, 1);
}

/* Warnings: only the end of the data is fatal (see the top). */
static void jpeg_message(j_common_ptr cinfo, int level) {
    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) {
        JpegCtx *c = (JpegCtx *)cinfo->err;
        snprintf(c->msg, sizeof c->msg, "the file ends early (truncated)");
        longjmp(c->jmp, 1);
    }
    if (level < 0)
        cinfo->err->num_warnings++;
}

static void jpeg_progress(j_common_ptr cinfo) {
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (d->input_scan_number > MAX_JPEG_SCANS) {
        JpegCtx *c = (JpegCtx *)cinfo->err;
        snprintf(c->msg, sizeof c->msg, "more than %d scans", MAX_JPEG_SCANS);
        longjmp(c->jmp, 1);
    }
}

/* (255 - C)(255 - K) / 255, rounded; Adobe's files store 255 - C etc. */
static void cmyk_to_rgb(const unsigned char *in, unsigned char *out, size_t w, bool inverted) {
    for (size_t x = 0; x < w; x++, in += 4, out += 3) {
        unsigned k = inverted ? in[3] : 255u - in[3];
        for (int i = 0; i < 3; i++) {
            unsigned v = inverted ? in[i] : 255u - in[i];
            out[i] = (unsigned char)((v * k + 127) / 255);
        }
    }
}

/* d lives in the caller's frame: what a longjmp must clean up lives in c,
 * d or img, never in locals changed after setjmp. */
static vggrt_status decode_jpeg(JpegCtx *c, struct jpeg_decompress_struct *d,
                                const unsigned char *buf, size_t len, vggrt_image *img) {
    d->err = jpeg_std_error(&c->pub);
    c->pub.error_exit = jpeg_fail;
    c->pub.emit_message = jpeg_message;
    c->status = VGGRT_ERR_FORMAT;
    c->cmyk_row = NULL;
    if (setjmp(c->jmp)) {
        jpeg_destroy_decompress(d);
        free(c->cmyk_row);
        c->cmyk_row = NULL;
        vggrt_image_free(img);
        if (c->msg[0])     /* else the message is written already */
            vggrt__fail(VGGRT_ERR_FORMAT, c->at.err, c->at.errcap, "%s: corrupt JPEG: %s",
                        c->at.name, c->msg);
        return c->status;
    }
    jpeg_create_decompress(d);
    c->progress.progress_monitor = jpeg_progress;
    d->progress = &c->progress;
    jpeg_mem_src(d, buf, (unsigned long)len);
    jpeg_read_header(d, TRUE);
    vggrt_status s = check_size(&c->at, "JPEG", d->image_width, d->image_height);
    if (s != VGGRT_OK) {
        c->status = s;
        longjmp(c->jmp, 1);
    }
    bool cmyk = d->jpeg_color_space == JCS_CMYK || d->jpeg_color_space == JCS_YCCK;
    d->out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    jpeg_start_decompress(d);
    if (d->output_width != d->image_width || d->output_height != d->image_height ||
        d->output_components != (cmyk ? 4 : 3)) {
        snprintf(c->msg, sizeof c->msg, "unexpected output %u x %u x %d", d->output_width,
                 d->output_height, d->output_components);
        longjmp(c->jmp, 1);
    }
    size_t w = d->output_width, h = d->output_height;
    if ((s = alloc_rgb(&c->at, img, w, h)) != VGGRT_OK ||
        (cmyk && !(c->cmyk_row = malloc(w * 4)))) {
        c->status = s != VGGRT_OK ? s : vggrt__fail(VGGRT_ERR_NOMEM, c->at.err, c->at.errcap,
                                                    "%s: out of memory", c->at.name);
        longjmp(c->jmp, 1);
    }
    while (d->output_scanline < h) {
        unsigned char *row = img->rgb + (size_t)d->output_scanline * w * 3;
        if (!cmyk) {
            jpeg_read_scanlines(d, &row, 1);
        } else {
            jpeg_read_scanlines(d, &c->cmyk_row, 1);
            cmyk_to_rgb(c->cmyk_row, row, w, d->saw_Adobe_marker);
        }
    }
    jpeg_finish_decompress(d);
    jpeg_destroy_decompress(d);
    free(c->cmyk_row);
    c->cmyk_row = NULL;
    return VGGRT_OK;
}

/* ---- loading -------------------------------------------------------------------- */

static const unsigned char PNG_SIG[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

static vggrt_status decode(const char *name, const void *buf, size_t len, vggrt_image *img,
                           char *err, size_t errcap) {
    memset(img, 0, sizeof *img);
    const unsigned char *b = buf;
    Where at = {name, err, errcap};
    if (len >= 8 && memcmp(b, PNG_SIG, 8) == 0) {
        PngCtx c = {.at = at, .p = b, .left = len};
        return decode_png(&c, img);
    }
    if (len >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff) {
        JpegCtx c;
        struct jpeg_decompress_struct d;
        memset(&c, 0, sizeof c);
        memset(&d, 0, sizeof d);
        c.at = at;
        return decode_jpeg(&c, &d, b, len, img);
    }
    char first[3 * 8 + 1] = "";
    for (size_t i = 0, pos = 0; i < len && i < 8; i++)
        pos += (size_t)snprintf(first + pos, sizeof first - pos, "%s%02x", i ? " " : "", b[i]);
    return vggrt__fail(VGGRT_ERR_FORMAT, err, errcap,
                       "%s: not a PNG or JPEG image (%zu bytes%s%s)", name, len,
                       len ? ", starting " : "", first);
}

int vggrt_image_sniff(const void *buf, size_t len) {
    const unsigned char *b = buf;
    return (len >= 8 && memcmp(b, PNG_SIG, 8) == 0) ||
           (len >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff);
}

vggrt_status vggrt_image_decode(const void *buf, size_t len, vggrt_image *img, char *err,
                                size_t errcap) {
    return decode("<memory>", buf, len, img, err, errcap);
}

static vggrt_status decode_file(const char *name, const unsigned char *buf, size_t len,
                                void *img, char *err, size_t errcap) {
    return decode(name, buf, len, img, err, errcap);
}

vggrt_status vggrt_image_load(const char *path, vggrt_image *img, char *err, size_t errcap) {
    memset(img, 0, sizeof *img);
    return vggrt__parse_file(path, decode_file, img, err, errcap);
}

void vggrt_image_free(vggrt_image *img) {
    free(img->rgb);
    img->rgb = NULL;
    img->width = img->height = 0;
}

/* ---- to a tensor ---------------------------------------------------------------- */

static const char *const PREPROCESS_NAMES[VGGRT_PREPROCESS_COUNT] = {"none", "tf", "caffe", "torch"};

int vggrt_preprocess_parse(const char *name) {
    for (int i = 0; i < VGGRT_PREPROCESS_COUNT; i++)
        if (name && strcmp(name, PREPROCESS_NAMES[i]) == 0)
            return i;
    return -1;
}

const char *vggrt_preprocess_name(int preprocess) {
    return preprocess >= 0 && preprocess < VGGRT_PREPROCESS_COUNT ? PREPROCESS_NAMES[preprocess]
                                                                   : "unknown";
}

/* One axis of tf.image.resize's bilinear map (see the top). */
typedef struct {
    int64_t lo, hi;
    float t;
} Tap;

static void taps(int64_t in, int64_t out, Tap *tp) {
    float scale = (float)in / (float)out;
    for (int64_t o = 0; o < out; o++) {
        float src = ((float)o + 0.5f) * scale - 0.5f;
        float f = floorf(src);
        int64_t lo = (int64_t)f, hi = (int64_t)ceilf(src);
        tp[o].lo = lo < 0 ? 0 : lo;
        tp[o].hi = hi > in - 1 ? in - 1 : hi;
        tp[o].t = src - f;
    }
}

/* Keras' imagenet_utils.preprocess_input, per mode, on RGB channel c of a
 * value in 0..255 (caffe's channel swap is done by the caller). */
static float scale_value(int preprocess, int c, float v) {
    static const float caffe_mean_rgb[3] = {123.68f, 116.779f, 103.939f};
    static const float torch_mean[3] = {0.485f, 0.456f, 0.406f};
    static const float torch_std[3] = {0.229f, 0.224f, 0.225f};
    switch (preprocess) {
    case VGGRT_PREPROCESS_TF: return v / 127.5f - 1.0f;
    case VGGRT_PREPROCESS_CAFFE: return v - caffe_mean_rgb[c];
    case VGGRT_PREPROCESS_TORCH: return (v / 255.0f - torch_mean[c]) / torch_std[c];
    default: return v;
    }
}

vggrt_status vggrt_image_to_tensor(const vggrt_image *const *imgs, int n, int64_t h, int64_t w,
                                   int layout, int preprocess, float *out) {
    if (!imgs || !out || n < 1 || h < 1 || w < 1 || h > VGGRT_IMAGE_MAX_SIDE ||
        w > VGGRT_IMAGE_MAX_SIDE || (layout != VGGRT_LAYOUT_NCHW && layout != VGGRT_LAYOUT_NHWC) ||
        preprocess < 0 || preprocess >= VGGRT_PREPROCESS_COUNT)
        return VGGRT_ERR_ARG;
    for (int b = 0; b < n; b++)
        if (!imgs[b] || !imgs[b]->rgb || imgs[b]->width < 1 || imgs[b]->height < 1 ||
            imgs[b]->width > VGGRT_IMAGE_MAX_SIDE || imgs[b]->height > VGGRT_IMAGE_MAX_SIDE)
            return VGGRT_ERR_ARG;
    Tap *ty = malloc(sizeof *ty * (size_t)h), *tx = malloc(sizeof *tx * (size_t)w);
    if (!ty || !tx) {
        free(ty);
        free(tx);
        return VGGRT_ERR_NOMEM;
    }
    /* caffe models take BGR: output channel c reads input channel 2 - c. */
    bool bgr = preprocess == VGGRT_PREPROCESS_CAFFE;
    size_t plane = (size_t)h * (size_t)w;
    for (int b = 0; b < n; b++) {
        const vggrt_image *im = imgs[b];
        size_t stride = (size_t)im->width * 3;
        taps(im->height, h, ty);
        taps(im->width, w, tx);
        float *o = out + (size_t)b * 3 * plane;
        for (int64_t y = 0; y < h; y++) {
            const unsigned char *r0 = im->rgb + (size_t)ty[y].lo * stride;
            const unsigned char *r1 = im->rgb + (size_t)ty[y].hi * stride;
            for (int64_t x = 0; x < w; x++) {
                size_t x0 = (size_t)tx[x].lo * 3, x1 = (size_t)tx[x].hi * 3;
                for (int c = 0; c < 3; c++) {
                    int src = bgr ? 2 - c : c;
                    float tl = r0[x0 + src], tr = r0[x1 + src];
                    float bl = r1[x0 + src], br = r1[x1 + src];
                    float top = tl + (tr - tl) * tx[x].t;
                    float bot = bl + (br - bl) * tx[x].t;
                    float v = scale_value(preprocess, src, top + (bot - top) * ty[y].t);
                    size_t at = layout == VGGRT_LAYOUT_NCHW
                                    ? (size_t)c * plane + (size_t)y * (size_t)w + (size_t)x
                                    : ((size_t)y * (size_t)w + (size_t)x) * 3 + (size_t)c;
                    o[at] = v;
                }
            }
        }
    }
    free(ty);
    free(tx);
    return VGGRT_OK;
}

/* ---- a classifier's answer ------------------------------------------------------ */

int vggrt_top_classes(const float *row, int64_t classes, int top, double *p, int64_t *order) {
    double sum = 0, mx = -INFINITY;
    int dist = 1;
    for (int64_t c = 0; c < classes; c++) {
        dist &= row[c] >= 0 && row[c] <= 1;
        sum += row[c];
        mx = row[c] > mx ? row[c] : mx;
    }
    dist &= fabs(sum - 1) < 1e-3;
    double z = 0;
    for (int64_t c = 0; c < classes; c++) {
        p[c] = dist ? row[c] : exp(row[c] - mx);
        z += p[c];
    }
    for (int64_t c = 0; c < classes; c++) {
        if (!dist)
            p[c] /= z;
        order[c] = c;
    }
    int k = top < 0 ? 0 : top < classes ? top : (int)classes;
    for (int i = 0; i < k; i++) /* partial selection sort: k is small */
        for (int64_t j = i + 1; j < classes; j++)
            if (p[order[j]] > p[order[i]]) {
                int64_t s = order[i];
                order[i] = order[j];
                order[j] = s;
            }
    return k;
}
