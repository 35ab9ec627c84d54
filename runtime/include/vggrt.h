/* vggrt.h — libvggrt, the runtime that vggc-compiled networks run against.
 *
 * Small on purpose: kernels, the weights file, .npy files, images, status
 * codes.  It depends on libc, libm, (for dense products) OpenBLAS and (for
 * images) libpng and libjpeg, never prints and never aborts: every fallible
 * call returns a vggrt_status.
 *
 * Tensors are C-order arrays.  Kernels take their shapes as arguments (for
 * convolutions and pools, a parameter struct that generated code defines as
 * a static const), so the same source serves every layer; the batch n is
 * the one run-time size.
 */
#ifndef VGGRT_H
#define VGGRT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- status ---------------------------------------------------------------- */

typedef enum {
    VGGRT_OK = 0,
    VGGRT_ERR_IO,           /* open/read/write failed (errno is in the message) */
    VGGRT_ERR_FORMAT,       /* not the expected file format, or corrupt */
    VGGRT_ERR_MISMATCH,     /* valid file, but not what this model expects */
    VGGRT_ERR_NOMEM,
    VGGRT_ERR_ARG,          /* bad argument (batch < 1, index out of range, ...) */
    VGGRT_ERR_VALUE,        /* a STRING element that Cast cannot read as a number */
} vggrt_status;

const char *vggrt_status_str(vggrt_status s);

/* Element types use ONNX's TensorProto.DataType codes. */
enum {
    VGGRT_F32 = 1, VGGRT_U8 = 2, VGGRT_I8 = 3, VGGRT_I32 = 6, VGGRT_I64 = 7, VGGRT_BOOL = 9,
    VGGRT_F16 = 10, VGGRT_F64 = 11, VGGRT_BF16 = 16,    /* F16, BF16: the 16-bit patterns */
    VGGRT_STRING = 8        /* Cast and Identity only; elements of VGGRT_STRING_SIZE bytes */
};
/* A STRING element: ASCII text NUL-padded to a fixed slot, at most 31 bytes
 * (room for any number Cast writes; runtime/strings.c says why). */
#define VGGRT_STRING_SIZE 32
typedef struct { char text[VGGRT_STRING_SIZE]; } vggrt_string;
size_t vggrt_dtype_size(int dtype);          /* 0 when unknown */

/* ---- weights file ------------------------------------------------------------
 * Little-endian.  A 128-byte header, then the payload:
 *   0   char     magic[8]       "VGGCWTS\0"
 *   8   uint32   version        VGGRT_WEIGHTS_VERSION
 *   12  uint32   header_size    128
 *   16  uint64   payload_size   bytes after the header
 *   24  uint64   checksum       vggrt_checksum(payload)
 *   32  char     name[64]       the model's name, NUL-padded
 *   96  zero to 128
 * Every tensor in the payload starts on a 64-byte boundary.             */

#define VGGRT_WEIGHTS_MAGIC "VGGCWTS"
#define VGGRT_WEIGHTS_VERSION 1u
#define VGGRT_WEIGHTS_HEADER 128u
#define VGGRT_WEIGHTS_NAME_MAX 64u

typedef struct {
    void *data;             /* payload, 64-byte aligned */
    uint64_t size;          /* payload bytes */
} vggrt_weights;

/* Hash of a byte string (64-bit, word-at-a-time; see runtime/weights.c). */
uint64_t vggrt_checksum(const void *data, size_t size);
/* The same hash of bytes given in pieces: init, update with each piece in
 * order (data may be NULL when size is 0), final (which leaves the state as
 * it is). */
typedef struct {
    uint64_t v[4];          /* the four lanes */
    uint64_t total;         /* bytes so far */
    unsigned char tail[32]; /* the bytes past the last whole 32 */
    unsigned n;             /* how many */
} vggrt_checksum_state;
void vggrt_checksum_init(vggrt_checksum_state *s);
void vggrt_checksum_update(vggrt_checksum_state *s, const void *data, size_t size);
uint64_t vggrt_checksum_final(const vggrt_checksum_state *s);

/* Reads the file into memory (on huge pages where it is 2 MB or more) and
 * checks magic, version, name, payload size and checksum against what the
 * generated code expects.  On failure writes a one-line reason (naming the
 * file) into err. */
vggrt_status vggrt_weights_open(const char *path, const char *name,
                                uint64_t expect_size, uint64_t expect_checksum,
                                vggrt_weights *w, char *err, size_t errcap);
/* The same checks on a file image in memory (the payload is copied). */
vggrt_status vggrt_weights_parse(const void *buf, size_t len, const char *name,
                                 uint64_t expect_size, uint64_t expect_checksum,
                                 vggrt_weights *w, char *err, size_t errcap);
void vggrt_weights_close(vggrt_weights *w);
/* Fills a 128-byte header (for the compiler that writes the file). */
void vggrt_weights_header(unsigned char hdr[VGGRT_WEIGHTS_HEADER], const char *name,
                          uint64_t payload_size, uint64_t checksum);

/* ---- .npy files (format 1.0/2.0/3.0; C order) ----------------------------------
 * Types: '<f4', '<i8', '<i4', '|b1', '|u1', '|i1', '<f8', '<f2', and '<u2' for
 * bfloat16, which numpy lacks: its tensors travel as their uint16 bit patterns
 * (as ONNX's numpy_helper and test data keep them). */

#define VGGRT_MAX_RANK 8

typedef struct {
    int dtype;                      /* VGGRT_F32, ... */
    int rank;
    int64_t dims[VGGRT_MAX_RANK];
    void *data;                     /* malloc'd, 64-byte aligned */
    size_t nbytes;
} vggrt_tensor;

vggrt_status vggrt_npy_read(const char *path, vggrt_tensor *t, char *err, size_t errcap);
vggrt_status vggrt_npy_parse(const void *buf, size_t len, vggrt_tensor *t, char *err, size_t errcap);
vggrt_status vggrt_npy_write(const char *path, const vggrt_tensor *t, char *err, size_t errcap);
void vggrt_tensor_free(vggrt_tensor *t);
void *vggrt_aligned_alloc(size_t size);     /* 64-byte aligned, zeroed; NULL on failure */
void vggrt_aligned_free(void *p);

/* ---- sequence and optional values (ONNX SequenceProto / OptionalProto files) ----
 * A network may take a sequence or an optional value as a graph input and pass
 * it on unchanged to a graph output (Identity); no operator computes on one.
 * So the runtime never decodes one into memory it plans: it reads the file,
 * checks every level against the type the network declares (containers,
 * element type, declared dims, each tensor's data size against its dims), and
 * writes the same message out under the output's name.  External data and
 * sparse tensors and maps are refused. */

enum { VGGRT_SEQUENCE = 1, VGGRT_OPTIONAL = 2 };
#define VGGRT_MAX_WRAP 4

typedef struct {
    int nwrap;                      /* 1..VGGRT_MAX_WRAP containers ... */
    int wrap[VGGRT_MAX_WRAP];       /* ... outermost first: VGGRT_SEQUENCE / VGGRT_OPTIONAL */
    int dtype;                      /* the tensors' element type (ONNX code) */
    int rank;                       /* the tensors' rank; -1: not declared */
    int64_t dims[VGGRT_MAX_RANK];   /* -1: that size is not declared */
} vggrt_value_type;

typedef struct {
    void *data;                     /* the serialized message (malloc'd) */
    size_t nbytes;
    int64_t n_tensors;              /* tensors it holds, at any depth */
} vggrt_value;

/* Reads path (or parses buf, copying it) as a value of `type`: the
 * outermost message is a SequenceProto or an OptionalProto as type->wrap[0]
 * says.  VGGRT_ERR_FORMAT for a malformed message, VGGRT_ERR_MISMATCH for a
 * well-formed one of another type or shape; err says where (e.g. "element 2:
 * dims [4] where the model declares [5]"). */
vggrt_status vggrt_value_read(const char *path, const vggrt_value_type *type, vggrt_value *v,
                              char *err, size_t errcap);
vggrt_status vggrt_value_parse(const void *buf, size_t len, const vggrt_value_type *type,
                               vggrt_value *v, char *err, size_t errcap);
/* Writes v to path with its outermost name field set to name (the rest
 * byte for byte as read). */
vggrt_status vggrt_value_write(const char *path, const vggrt_value *v, const char *name, char *err,
                               size_t errcap);
void vggrt_value_free(vggrt_value *v);
/* ONNX's spelling of the type: "optional(seq(tensor(float)))", with the
 * declared dims after it when there are any: "seq(tensor(float)) of [5]". */
void vggrt_value_type_format(const vggrt_value_type *t, char *buf, size_t cap);

/* ---- threads -------------------------------------------------------------------
 * Kernels split their work over one pool of threads per process (see
 * runtime/threads.c).  Results do not depend on the thread count. */

/* Threads that kernels use from now on; n < 1 restores the default: the
 * environment variable VGGRT_NUM_THREADS, else the CPUs this process may
 * run on.  At most 256: a larger n, or VGGRT_NUM_THREADS, counts as 256. */
#define VGGRT_MAX_THREADS 256
void vggrt_set_num_threads(int n);
int vggrt_num_threads(void);
/* Runs fn(ctx, begin, end, tid) over the min(n, threads *
 * VGGRT_CHUNKS_PER_THREAD) contiguous, nearly equal ranges ("chunks") that
 * cover [0, n), which the threads claim one at a time (tid <
 * vggrt_num_threads() names the thread running a chunk; a thread may run
 * several), and returns when all are done.  Called from inside a task, or
 * with one thread, it runs fn once over [0, n) on the caller. */
#define VGGRT_CHUNKS_PER_THREAD 4
typedef void (*vggrt_task)(void *ctx, int64_t begin, int64_t end, int tid);
void vggrt_parallel_for(int64_t n, vggrt_task fn, void *ctx);

/* ---- per-layer profile -----------------------------------------------------------
 * Generated code calls vggrt_layer_done(-1) as a run starts and
 * vggrt_layer_done(i) after its layer i.  Between vggrt_profile_begin and
 * vggrt_profile_end, each call adds the milliseconds since the previous one
 * to ms[i] (ms has n_layers entries; the caller zeroes it).  With peak not
 * NULL (n_layers entries, zeroed too) each call also probes the FMA peak
 * (vggrt_fma_probe, VGGRT_PROFILE_PROBE_S seconds, outside the timed
 * intervals) and adds to peak[i] the GFLOP that the mean of the probes
 * right before and right after layer i does in its time: the layer's
 * FLOPs over that is its share of the peak, against the rate of that
 * moment.  Otherwise the calls do nothing.  One profile per process at a
 * time. */
#define VGGRT_PROFILE_PROBE_S 0.0005
void vggrt_profile_begin(double *ms, double *peak, int n_layers);
/* Ends the profile; returns the number of layers the run reported (the
 * highest i + 1), which may exceed n_layers: then ms holds the first ones. */
int vggrt_profile_end(void);
void vggrt_layer_done(int layer);
/* Of the time the next vggrt_layer_done(i) charges to layer i, ms go to
 * `layer` instead: a layer computed inside layer i's call
 * (vggrt_chain_conv2d) keeps its own row in a profile.  Does nothing
 * unless a profile is active. */
void vggrt_layer_part(int layer, double ms);
/* The single-precision FMA rate of the threads that kernels use
 * (vggrt_num_threads), GFLOP/s, over about `seconds`: chains of vector
 * multiply-adds on registers, the vectors as wide as the kernels' (see
 * runtime/kernels/probe.c). */
double vggrt_fma_probe(double seconds);

/* ---- kernels: convolution and pooling (NCHW; 1-D runs as H = 1) ------------ */

enum { VGGRT_ACT_NONE = 0, VGGRT_ACT_RELU = 1 };

typedef struct {
    int64_t c, h, w;                /* input channels and size */
    int64_t k, oh, ow;              /* output channels and size */
    int64_t kh, kw, sh, sw;         /* kernel, stride */
    int64_t pt, pl;                 /* top and left padding (bottom/right implied by oh/ow) */
    int64_t dh, dw;                 /* dilation */
    int64_t group;
    int act;                        /* VGGRT_ACT_* applied after the bias */
} vggrt_conv_params;

/* Floats of scratch vggrt_conv2d needs (0 when none). */
size_t vggrt_conv2d_work_size(const vggrt_conv_params *p);
/* y[n,k,oh,ow] = act(conv(x[n,c,h,w], w[k,c/group,kh,kw]) + b[k]); b may be NULL. */
void vggrt_conv2d(const vggrt_conv_params *p, int64_t n, const float *x, const float *w,
                  const float *b, float *y, float *work);

typedef struct {
    int64_t c, h, w, oh, ow;
    int64_t kh, kw, sh, sw;
    int64_t pt, pl, pb, pr;         /* padding on every side */
    int64_t dh, dw;
    int count_include_pad;          /* AveragePool */
} vggrt_pool_params;

void vggrt_maxpool2d(const vggrt_pool_params *p, int64_t n, const float *x, float *y);
void vggrt_avgpool2d(const vggrt_pool_params *p, int64_t n, const float *x, float *y);
/* MaxPool with ONNX's Indices output: idx[o] is where y[o] came from, as a
 * flat index into x [n, c, h, w], padding not counted: plane * h * w +
 * (storage_order 0: iy * w + ix; 1: iy + ix * h), plane = item * c +
 * channel.  The first largest value of a window wins (scanned by rows);
 * a window with no value above -FLT_MAX gives -FLT_MAX at iy = ix = -1, as
 * ONNX Runtime does. */
void vggrt_maxpool2d_indices(const vggrt_pool_params *p, int storage_order, int64_t n,
                             const float *x, float *y, int64_t *idx);

/* A fused layer in plain layout: y = maxpool(act(conv(x) + b)), item by
 * item; act is a VGGRT_ACT_* (p->act is ignored), alpha/beta its
 * parameters (Clip min, max; LeakyRelu alpha); pool may be NULL.  work
 * holds vggrt_conv2d_fused_work_size(p, pool) floats. */
size_t vggrt_conv2d_fused_work_size(const vggrt_conv_params *p, const vggrt_pool_params *pool);
void vggrt_conv2d_fused(const vggrt_conv_params *p, int act, float alpha, float beta,
                        const vggrt_pool_params *pool, int64_t n, const float *x, const float *w,
                        const float *b, float *y, float *work);

/* ---- kernels: 3-D convolution and pooling (NCDHW) ----------------------------
 * The H, W part as for 2-D plus a depth D in front; the 2-D kernels are
 * these with d = od = kd = sd = dd = 1 and no depth padding (one code). */

typedef struct {
    vggrt_conv_params hw;           /* channels, group, H and W as for 2-D (act: see below) */
    int64_t d, od, kd, sd;          /* depth: input, output, kernel, stride */
    int64_t pfront;                 /* front padding (back implied by od) */
    int64_t dd;                     /* depth dilation */
} vggrt_conv3d_params;

/* Floats of scratch vggrt_conv3d needs (0 when none). */
size_t vggrt_conv3d_work_size(const vggrt_conv3d_params *p);
/* y[n,k,od,oh,ow] = act(conv(x[n,c,d,h,w], w[k,c/group,kd,kh,kw]) + b[k]);
 * b may be NULL; act a VGGRT_ACT_* (p->hw.act is ignored), alpha/beta its
 * parameters as for vggrt_conv2d_fused. */
void vggrt_conv3d(const vggrt_conv3d_params *p, int act, float alpha, float beta, int64_t n,
                  const float *x, const float *w, const float *b, float *y, float *work);

/* ConvTranspose (any of 1-D, 2-D, 3-D, as depth and height 1 where absent),
 * with the same parameters read the other way: c, d, h, w are the input's
 * channels and sizes, k, od, oh, ow the output's, and input position i
 * feeds output positions i*s - p_begin + t*dil for each kernel tap t
 * (p_begin: pfront, pt, pl; may be negative, as ONNX's output_shape can
 * make it; the end padding is implied by the output size).  w is ONNX's
 * [c, k/group, kd, kh, kw]; y[n,k,od,oh,ow] = sum + b[k], b may be NULL
 * (p->hw.act is ignored).  work holds vggrt_conv_transpose_work_size(p)
 * floats. */
size_t vggrt_conv_transpose_work_size(const vggrt_conv3d_params *p);
void vggrt_conv_transpose(const vggrt_conv3d_params *p, int64_t n, const float *x,
                          const float *w, const float *b, float *y, float *work);

typedef struct {
    vggrt_pool_params hw;           /* channels, H and W as for 2-D */
    int64_t d, od, kd, sd;          /* depth: input, output, kernel, stride */
    int64_t pfront, pback;          /* depth padding */
    int64_t dd;                     /* depth dilation */
} vggrt_pool3d_params;

void vggrt_maxpool3d(const vggrt_pool3d_params *p, int64_t n, const float *x, float *y);
void vggrt_avgpool3d(const vggrt_pool3d_params *p, int64_t n, const float *x, float *y);
/* As vggrt_maxpool2d_indices, over x [n, c, d, h, w]: plane * d * h * w +
 * (storage_order 0: (iz * h + iy) * w + ix; 1: iz + iy * d + ix * d * h),
 * -1 for each of iz, iy, ix when the window holds no value above -FLT_MAX
 * (ONNX Runtime's formula). */
void vggrt_maxpool3d_indices(const vggrt_pool3d_params *p, int storage_order, int64_t n,
                             const float *x, float *y, int64_t *idx);
/* MaxPool of an integer dtype (VGGRT_U8, I8, I32, I64; x and y of that
 * type), 2-D and 3-D; a window with no input position gives the type's
 * lowest value.  VGGRT_ERR_ARG for another dtype. */
vggrt_status vggrt_maxpool2d_int(int dtype, const vggrt_pool_params *p, int64_t n, const void *x,
                                 void *y);
vggrt_status vggrt_maxpool3d_int(int dtype, const vggrt_pool3d_params *p, int64_t n,
                                 const void *x, void *y);

/* ---- kernels: blocked layout (NCHW16c, NCHW8c) --------------------------------
 * Activations inside the network are kept as [n, cb, h, w, B] with
 * cb = ceil(c / B): B channels side by side, so a vector of output
 * channels is one load; channels past c are zero.  The block B is the
 * compile target's vector width: 16 floats for AVX-512, 8 for AVX2 and
 * below.  libvggrt runs both (each blocked kernel is compiled once per
 * width, runtime/kernels/blocks.h): every call below names its block, and
 * a block other than 8 or 16 does nothing and returns VGGRT_ERR_ARG (the
 * size queries return 0).  Convolution weights are packed once, at compile
 * time, as [kb][c][kh][kw][B] (kb = ceil(k/B); output channels past k are
 * zero): the inner loop streams B output channels for one input channel
 * and tap.  A direct convolution reads its input in any of three layouts,
 * so the network's input (NCHW as PyTorch exports it, or NHWC as Keras
 * does) is read in place by the first layer: no separate reorder, no
 * transpose.  Its epilogue adds the bias, applies the activation and,
 * optionally, a max pool, while the outputs are still in registers. */

/* The widest block, and the one a block of 0 in vggrt_dconv_params means. */
#define VGGRT_BLOCK 16

enum { VGGRT_LAYOUT_NCHW = 0, VGGRT_LAYOUT_NHWC = 1, VGGRT_LAYOUT_BLOCKED = 2 };
/* Activations of a fused epilogue (VGGRT_ACT_NONE and _RELU above). */
enum { VGGRT_ACT_CLIP = 2, VGGRT_ACT_LEAKY_RELU = 3, VGGRT_ACT_SIGMOID = 4 };

typedef struct {
    vggrt_conv_params conv;         /* sizes as for vggrt_conv2d; groups: vggrt_dconv_groups_apply */
    int in_layout;                  /* VGGRT_LAYOUT_* of x */
    float alpha, beta;              /* activation parameters: Clip min/max, LeakyRelu alpha */
    int64_t pool_k, pool_s;         /* fused max pool (square, no padding); 0: none */
    int64_t py, px;                 /* output size after the pool (== oh, ow without one) */
    int block;                      /* channels per block of y, blocked x and the weights:
                                       8 or 16 (0: 16) */
} vggrt_dconv_params;

/* Nonzero when the direct convolution takes p's groups: group 1, or a
 * group count that divides c and k into whole blocks of B channels each
 * (c / group and k / group multiples of B), of NCHW or blocked input.
 * Each group then runs as a convolution of its own channels, its weights
 * packed after the previous group's (sizes below count every group). */
int vggrt_dconv_groups_apply(const vggrt_dconv_params *p);
/* Floats in the packed weights of a direct convolution. */
size_t vggrt_dconv_packed_size(const vggrt_dconv_params *p);
/* w[k, c / group, kh, kw] (ONNX) -> packed [kb][c / group][kh][kw][B]; at
 * compile time. */
vggrt_status vggrt_dconv_pack(const vggrt_dconv_params *p, const float *w, float *packed);
/* Floats of scratch vggrt_dconv2d needs (0 when none). */
size_t vggrt_dconv_work_size(const vggrt_dconv_params *p);
/* y (blocked, [n, kb, py, px, B]) = pool(act(conv(x) + b)); b has kb*B
 * floats (zero past k), may be NULL. */
vggrt_status vggrt_dconv2d(const vggrt_dconv_params *p, int64_t n, const float *x,
                           const float *packed, const float *b, float *y, float *work);

/* Winograd F(4x4, 3x3) and F(2x2, 5x5) convolutions
 * (runtime/kernels/winograd.c): the same layer as vggrt_dconv2d, in the
 * same layouts and with the same epilogue, for 3x3 and 5x5 stride-1
 * convolutions of blocked input.  Its weights are packed at compile time
 * as U = G g G^T (kb*B x 36 x c floats, laid out for the kernel's loops);
 * that is 4x the direct convolution's for 3x3, for 4x fewer multiplies
 * (1.44x and 2.8x for 5x5).  Rounding error is ~10-100x a direct sum's
 * (see the file). */
/* Nonzero when the kernel handles p: 3x3 or 5x5, stride 1, dilation 1,
 * blocked input, no pool or a 2x2 stride-2 one, and groups as
 * vggrt_dconv_groups_apply takes them. */
int vggrt_wino_applies(const vggrt_dconv_params *p);
/* Floats in the packed weights. */
size_t vggrt_wino_packed_size(const vggrt_dconv_params *p);
/* w[k, c, r, r] (ONNX, r = 3 or 5) -> packed U (transformed in double); at
 * compile time. */
vggrt_status vggrt_wino_pack(const vggrt_dconv_params *p, const float *w, float *packed);
/* Floats of planned scratch vggrt_wino_conv2d needs: 0 (its buffers, a
 * fixed ~516 KB per thread, are the runtime's per-thread scratch on the
 * heap, allocated on a thread's first call and kept until it exits). */
size_t vggrt_wino_work_size(const vggrt_dconv_params *p);
/* As vggrt_dconv2d; work may be NULL.  VGGRT_ERR_NOMEM when the calling
 * thread's scratch could not be allocated (nothing computed). */
vggrt_status vggrt_wino_conv2d(const vggrt_dconv_params *p, int64_t n, const float *x,
                               const float *packed, const float *b, float *y, float *work);

/* Winograd F(4, 3) along the rows (runtime/kernels/wrow.c): the same
 * layer as vggrt_dconv2d, for a network's first layer, a 3x3 stride-1
 * convolution of few channels of NCHW or NHWC input.  Each run of 4 outputs of a
 * row takes, per input channel and tap row, 6 multiplies of transformed
 * inputs (B^T d, d the row's 6 inputs) by transformed weights (G g, at
 * compile time) and the output transform A^T: with 3 channels 13.5
 * multiply-adds per output instead of 27.  Rounding error is a few times
 * a direct sum's (see the file). */
/* Nonzero when the kernel handles p: NCHW or NHWC input of 1..VGGRT_WROW_MAX_C
 * channels, 3x3, stride 1, dilation 1, group 1, top and left pads of at
 * most 2, no pool, no activation or ReLU, and ow at most
 * VGGRT_WROW_MAX_W. */
enum { VGGRT_WROW_MAX_C = 4, VGGRT_WROW_MAX_W = 256 };
int vggrt_wrow_applies(const vggrt_dconv_params *p);
/* Floats in the packed weights: ceil(k/B)*B * c * 18. */
size_t vggrt_wrow_packed_size(const vggrt_dconv_params *p);
/* w[k, c, 3, 3] (ONNX) -> packed [kb][c][3 tap rows][6][B], U = G g per
 * tap row (in double); at compile time. */
vggrt_status vggrt_wrow_pack(const vggrt_dconv_params *p, const float *w, float *packed);
/* As vggrt_dconv2d (no planned scratch: work may be NULL). */
vggrt_status vggrt_wrow_conv2d(const vggrt_dconv_params *p, int64_t n, const float *x,
                               const float *packed, const float *b, float *y, float *work);

/* A network's first layer chained into the Winograd layer that reads it
 * (runtime/kernels/winograd.c): y = wino(p2, dconv(p1, x)), the first
 * layer's output computed a few rows at a time into a ring of rows that
 * stays in cache, never stored whole.  p1 is a direct convolution of
 * plain input (NCHW or NHWC, at most one block of channels) without a
 * pool, p2 a Winograd layer (vggrt_wino_applies) of its output; both
 * packed as for their own calls, in the same block.  The results are bit
 * for bit those of vggrt_dconv2d then vggrt_wino_conv2d.  Each thread
 * keeps a 1 MB ring in its scratch, beside Winograd's buffers
 * (VGGRT_ERR_NOMEM as vggrt_wino_conv2d).
 * direct_ms (may be NULL) receives the milliseconds the first layer took:
 * the threads' time in it over the threads that ran.
 * vggrt_chain_wrow_conv2d: the same with p1 run by vggrt_wrow_conv2d
 * (vggrt_wrow_applies, packed1 by vggrt_wrow_pack); its results are bit
 * for bit those of vggrt_wrow_conv2d then vggrt_wino_conv2d. */
int vggrt_chain_applies(const vggrt_dconv_params *p1, const vggrt_dconv_params *p2);
vggrt_status vggrt_chain_conv2d(const vggrt_dconv_params *p1, const float *packed1,
                                const float *b1, const vggrt_dconv_params *p2,
                                const float *packed2, const float *b2, int64_t n,
                                const float *x, float *y, double *direct_ms);
vggrt_status vggrt_chain_wrow_conv2d(const vggrt_dconv_params *p1, const float *packed1,
                                     const float *b1, const vggrt_dconv_params *p2,
                                     const float *packed2, const float *b2, int64_t n,
                                     const float *x, float *y, double *direct_ms);

/* Layout changes of [n, c, hw] activations (blocked side padded with 0). */
vggrt_status vggrt_to_blocked(int block, int in_layout, int64_t n, int64_t c, int64_t hw,
                              const float *x, float *y);
vggrt_status vggrt_from_blocked(int block, int64_t n, int64_t c, int64_t hw, const float *x,
                                float *y);  /* to NCHW */

/* Pools on blocked activations (vggrt_pool_params sizes; c is the real count). */
vggrt_status vggrt_maxpool2d_blocked(int block, const vggrt_pool_params *p, int64_t n,
                                     const float *x, float *y);
vggrt_status vggrt_avgpool2d_blocked(int block, const vggrt_pool_params *p, int64_t n,
                                     const float *x, float *y);
/* Mean (or max when is_max) over h*w of blocked x: y[n, c], plain. */
vggrt_status vggrt_global_pool_blocked(int block, int is_max, int64_t n, int64_t c, int64_t hw,
                                       const float *x, float *y);

/* ---- kernels: dense products --------------------------------------------------- */

/* Y[M,N] = alpha * op(A) op(B) + beta * C, op = transpose when trans_*.
 * A is [M,K] (or [K,M] when trans_a) with row stride lda; likewise B.
 * C (may be NULL) is read as C[i*c_rs + j*c_cs]: strides of 0 broadcast. */
void vggrt_gemm(int trans_a, int trans_b, int64_t M, int64_t N, int64_t K,
                float alpha, const float *A, int64_t lda, const float *B, int64_t ldb,
                float beta, const float *C, int64_t c_rs, int64_t c_cs, float *Y);

/* The same product with B packed at compile time by vggrt_gemm_pack: op(B)
 * as blocks of 16 columns, each [K][16] (the last padded with zeros), so
 * that every block is one sequential stream: Bp[j/16][k][j%16] = op(B)[k][j].
 * vggrt_gemm_packed_size: the floats of Bp.  Each output's sum runs in a
 * fixed order (chunks of 256 terms in order of k, the chunks' sums added
 * in order), whatever M, N and the thread count. */
size_t vggrt_gemm_packed_size(int64_t N, int64_t K);
void vggrt_gemm_pack(int trans_b, int64_t N, int64_t K, const float *B, float *Bp);
/* The same packing over B itself, for N a multiple of 16 (Bp is then as
 * large as B): a compiler packing a model's largest weights holds them
 * once.  VGGRT_ERR_ARG for another N, VGGRT_ERR_NOMEM when its working
 * memory (16 rows of B, or a bit per 16 floats) cannot be had. */
vggrt_status vggrt_gemm_pack_in_place(int trans_b, int64_t N, int64_t K, float *B);
void vggrt_gemm_packed(int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                       const float *Bp, float beta, const float *C, int64_t c_rs, int64_t c_cs,
                       float *Y);

/* Batched MatMul with broadcasting: for every index i over the batch dims
 * bdims[0..brank), Y_i[M,N] = A_i[M,K] B_i[K,N], where A_i starts at
 * sum(i_d * astr[d]) elements (0 strides broadcast), likewise B; Y is dense. */
void vggrt_matmul(int brank, const int64_t *bdims, const int64_t *astr, const int64_t *bstr,
                  int64_t M, int64_t K, int64_t N, const float *A, const float *B, float *Y);

/* ---- kernels: elementwise ------------------------------------------------------- */

enum { VGGRT_ADD, VGGRT_SUB, VGGRT_MUL, VGGRT_DIV, VGGRT_PRELU, VGGRT_MAX, VGGRT_MIN, VGGRT_MOD,
       VGGRT_FMOD };

/* y[i] = a[i] OP b[i] over dims[0..rank) (y dense); astr/bstr are the
 * element strides of a and b per dim, 0 where broadcast.  PRELU is
 * a < 0 ? a * b : a (b the slope); MAX and MIN of floats give NaN when
 * either operand is NaN (numpy's maximum, minimum).  MOD and FMOD are the
 * remainder of a / b with the sign of b (floored, Python's %) and of a
 * (truncated, C's fmod); integers: x mod 0 gives 0.  y may equal a when a
 * is dense in y's shape (how a Sum accumulates its inputs). */
void vggrt_binary_f32(int op, int rank, const int64_t *dims, const int64_t *astr,
                      const int64_t *bstr, const float *a, const float *b, float *y);
/* Integer version; DIV truncates toward zero; division by zero gives 0. */
void vggrt_binary_i64(int op, int rank, const int64_t *dims, const int64_t *astr,
                      const int64_t *bstr, const int64_t *a, const int64_t *b, int64_t *y);
/* The same for any of VGGRT_F32, F64, I64, I32, U8, I8 (a, b, y of that
 * type): integers wrap modulo 2^bits, DIV truncates toward zero, x/0 gives
 * 0 and MIN/-1 gives MIN.  VGGRT_ERR_ARG for another dtype, and for PRELU
 * of I32, U8, I8. */
vggrt_status vggrt_binary(int dtype, int op, int rank, const int64_t *dims, const int64_t *astr,
                          const int64_t *bstr, const void *a, const void *b, void *y);
/* Pow with broadcasting (strides as vggrt_binary's): y[i] = x[i] ^ e[i].
 * x and y are of xtype, e of etype, each F32, F64, I32 or I64.  Floats:
 * powf for F32 ^ F32, else pow in double rounded to xtype.  Integers
 * ^ integers: exact, wrapping modulo 2^bits; a negative exponent gives
 * the real result truncated (1^-e = 1, (-1)^-e = +-1, else 0).  An
 * integer base with a float exponent: pow in double, truncated and
 * saturated to xtype as vggrt_cast does (NaN gives 0).  VGGRT_ERR_ARG for
 * another type. */
vggrt_status vggrt_pow(int xtype, int etype, int rank, const int64_t *dims, const int64_t *xstr,
                       const int64_t *estr, const void *x, const void *e, void *y);
/* Clip of count elements of dtype (F32, F64, I64, I32, U8, I8): y = min(max(x,
 * lo), hi), lo applied first.  A bound is *lo_t (one element of dtype) when
 * lo_t is not NULL, else lo (a value of the type, or +-INFINITY for none).
 * x may equal y.  VGGRT_ERR_ARG for another dtype. */
vggrt_status vggrt_clip(int dtype, size_t count, const void *x, void *y, const void *lo_t,
                        const void *hi_t, double lo, double hi);

enum { VGGRT_RELU, VGGRT_SIGMOID, VGGRT_LEAKY_RELU, VGGRT_CLIP, VGGRT_COPY, VGGRT_TANH,
       VGGRT_HARD_SIGMOID, VGGRT_HARD_SWISH, VGGRT_ABS, VGGRT_NEG, VGGRT_EXP, VGGRT_LOG,
       VGGRT_SQRT, VGGRT_RECIPROCAL, VGGRT_CEIL, VGGRT_FLOOR, VGGRT_ROUND, VGGRT_SIGN,
       VGGRT_ERF, VGGRT_SIN, VGGRT_COS, VGGRT_ELU, VGGRT_SELU, VGGRT_SOFTPLUS,
       VGGRT_SOFTSIGN, VGGRT_THRESHOLDED_RELU };
/* y = f(x), count elements; p0/p1: LeakyRelu alpha; Clip min, max;
 * HardSigmoid alpha, beta (y = max(0, min(1, alpha*x + beta))).  HardSwish
 * is x * HardSigmoid(x) with alpha 1/6, beta 1/2.  ROUND rounds half to
 * even, SIGN keeps 0 and NaN; ELU (y = x < 0 ? alpha (e^x - 1) : x) and
 * THRESHOLDED_RELU (y = x > alpha ? x : 0) take alpha as p0, SELU
 * (gamma ELU(x) with its alpha) alpha and gamma; SOFTPLUS is ln(1 + e^x),
 * SOFTSIGN x / (1 + |x|).  x may equal y. */
void vggrt_unary_f32(int op, size_t count, const float *x, float *y, float p0, float p1);

/* y[o,c,i] = x[o,c,i] * scale[c] + shift[c]  (inference BatchNormalization) */
void vggrt_channel_affine(int64_t outer, int64_t c, int64_t inner, const float *scale,
                          const float *shift, const float *x, float *y);

/* Softmax (or log-softmax when log) over the middle axis of [outer, len, inner]. */
void vggrt_softmax(int log, int64_t outer, int64_t len, int64_t inner, const float *x, float *y);

enum { VGGRT_REDUCE_MEAN, VGGRT_REDUCE_MAX, VGGRT_REDUCE_SUM, VGGRT_REDUCE_MIN,
       VGGRT_REDUCE_PROD, VGGRT_REDUCE_SUM_SQUARE, VGGRT_REDUCE_L1, VGGRT_REDUCE_L2,
       VGGRT_REDUCE_LOG_SUM, VGGRT_REDUCE_LOG_SUM_EXP };
/* Reduces x[dims] over the dims d whose bit (1u << d) is set in mask; y
 * holds the kept dims in order.  ONNX's Reduce ops, accumulated in double;
 * MAX and MIN skip NaN; LOG_SUM_EXP is m + log(sum e^(x - m)), m the max. */
void vggrt_reduce_f32(int op, int rank, const int64_t *dims, unsigned mask,
                      const float *x, float *y);

/* y[o, i] = the index along the middle axis of [outer, len, inner] (len >= 1)
 * of the largest element of x (the smallest when min), the first of equal
 * ones or, when last, the last; a NaN counts as larger and smaller than any
 * number (numpy's argmax and argmin).  y is int64 [outer, inner]. */
void vggrt_arg_f32(int min, int last, int64_t outer, int64_t len, int64_t inner, const float *x,
                   int64_t *y);

/* LayerNormalization over rows of x [outer, len]: y = (x - mean) *
 * inv_std * scale + bias per row, inv_std = 1 / sqrt(variance + eps) (the
 * variance over len, divided by len); scale and bias have len elements,
 * bias may be NULL; mean and inv_std (outer elements each) may be NULL.
 * x may equal y. */
void vggrt_layernorm(int64_t outer, int64_t len, float eps, const float *x, const float *scale,
                     const float *bias, float *y, float *mean, float *inv_std);

/* InstanceNormalization of x [n, c, inner]: each (n, c) row of inner
 * elements normalized by its own mean and variance (divided by inner), then
 * y = (x - mean) / sqrt(variance + eps) * scale[c] + bias[c].  x may equal
 * y. */
void vggrt_instancenorm(int64_t n, int64_t c, int64_t inner, float eps, const float *x,
                        const float *scale, const float *bias, float *y);

/* Resize (ONNX Resize-10..19, f32): y[out_dims] from x[in_dims], every
 * axis mapped on its own and the taps of all axes multiplied, as ONNX's
 * reference (onnx/backend/test/case/node/resize.py) computes it.  axes
 * holds 4 doubles per axis: the scale, the resized length the coordinate
 * formulas read (<= 0: out_dims[axis]), and roi's start and end there
 * (tf_crop_and_resize only).  For output index o of an axis of input
 * length L, scale s and resized length R, x = the original coordinate:
 *   half_pixel           (o + 0.5) / s - 0.5
 *   half_pixel_symmetric L/2 (1 - M/R) + (o + 0.5) / s - 0.5, M = out_dims[axis]
 *   asymmetric           o / s
 *   pytorch_half_pixel   (o + 0.5) / s - 0.5, or 0 when R <= 1
 *   tf_half_pixel_for_nn (o + 0.5) / s
 *   align_corners        o (L - 1) / (R - 1), or 0 when R == 1
 *   tf_crop_and_resize   start (L - 1) + o (end - start)(L - 1) / (R - 1),
 *                        or (start + end)(L - 1) / 2 when R == 1; outside
 *                        [0, L - 1] the output is extrapolation
 * With b = ceil(x) - 1 and t = x - b in (0, 1]: nearest takes b + 1 when x
 * is whole, else b or b + 1 by the rounding rule; linear takes b and b + 1
 * with weights 1 - t, t; cubic b - 1 .. b + 2 with Keys' weights of
 * parameter cubic_a (with exclude_outside, the taps outside [0, L - 1]
 * weigh 0 and the rest are scaled to sum to 1).  Taps past the edges read
 * the edge element.  Taps of weight 0 are not read, except along the last
 * axis that is not the identity, where a column with fewer taps than the
 * others of its chunk (up to 256 columns) reads its first tap again with
 * weight 0 (an infinite input there gives NaN). */
enum { VGGRT_RESIZE_NEAREST, VGGRT_RESIZE_LINEAR, VGGRT_RESIZE_CUBIC };
enum {
    VGGRT_COORD_HALF_PIXEL, VGGRT_COORD_HALF_PIXEL_SYMMETRIC, VGGRT_COORD_ASYMMETRIC,
    VGGRT_COORD_PYTORCH_HALF_PIXEL, VGGRT_COORD_TF_HALF_PIXEL_FOR_NN,
    VGGRT_COORD_ALIGN_CORNERS, VGGRT_COORD_TF_CROP_AND_RESIZE
};
enum {
    VGGRT_NEAREST_ROUND_PREFER_FLOOR, VGGRT_NEAREST_ROUND_PREFER_CEIL, VGGRT_NEAREST_FLOOR,
    VGGRT_NEAREST_CEIL
};
void vggrt_resize(int rank, const int64_t *in_dims, const int64_t *out_dims, const double *axes,
                  int mode, int coord, int nearest, int exclude_outside, float cubic_a,
                  float extrapolation, const float *x, float *y);

/* Local response normalization across channels of [n, c, inner]. */
void vggrt_lrn(int64_t n, int64_t c, int64_t inner, int64_t size, float alpha, float beta,
               float bias, const float *x, float *y);
/* The same on the blocked layout ([n, cb, hw, block], block 8 or 16),
 * bit for bit, for windows of 1..VGGRT_LRN_BLOCKED_MAX_SIZE channels;
 * padded lanes of y are 0.  VGGRT_ERR_ARG (nothing done) for another block
 * or size.  (runtime/kernels/blocked.c) */
#define VGGRT_LRN_BLOCKED_MAX_SIZE 17
vggrt_status vggrt_lrn_blocked(int block, int64_t n, int64_t c, int64_t hw, int64_t size,
                               float alpha, float beta, float bias, const float *x, float *y);

/* ---- kernels: data movement (any element size) --------------------------------- */

/* y = x transposed: y dims are in_dims[perm[i]]. */
void vggrt_transpose(size_t elsize, int rank, const int64_t *in_dims, const int64_t *perm,
                     const void *x, void *y);

/* Gather along the middle axis of x[outer, len, inner] with int64 indices
 * (negative counts from the end): y[outer, n_idx, inner].  VGGRT_ERR_ARG
 * when an index is out of range. */
vggrt_status vggrt_gather(size_t elsize, int64_t outer, int64_t len, int64_t inner,
                          const void *x, const int64_t *idx, int64_t n_idx, void *y);

/* GatherElements along `axis` of x[x_dims]: y[i] = x[i with its axis
 * coordinate replaced by idx[i]] for every i of idx_dims (the shape of idx
 * and y; off the axis no larger than x_dims), int64 indices, negative ones
 * from the end.  VGGRT_ERR_ARG, y untouched, when an index is out of
 * range.  Elements of elsize bytes, any type. */
vggrt_status vggrt_gather_elements(size_t elsize, int rank, const int64_t *x_dims,
                                   const int64_t *idx_dims, int axis, const void *x,
                                   const int64_t *idx, void *y);

/* rows copies of row_bytes from src to dst, with src_stride and dst_stride bytes between rows. */
void vggrt_copy2d(size_t rows, size_t row_bytes, const void *src, size_t src_stride,
                  void *dst, size_t dst_stride);

/* Constant-mode pad (negative pads crop): y[out_dims], y[o] = x[o - begin] or value.
 * vggrt_pad moves elements of esize bytes (1, 2, 4 or 8), any element type;
 * value holds the constant's bits in its low 8 * esize bits. */
void vggrt_pad(int rank, const int64_t *in_dims, const int64_t *begin, const int64_t *out_dims,
               size_t esize, uint64_t value, const void *x, void *y);
void vggrt_pad_f32(int rank, const int64_t *in_dims, const int64_t *begin,
                   const int64_t *out_dims, float value, const float *x, float *y);

/* Strided slice (ONNX Slice, bounds already clamped): y[out_dims],
 * y[o] = x[start + o * step] in each dim (step may be negative, not 0);
 * elements of esize bytes, any type. */
void vggrt_slice(int rank, const int64_t *in_dims, const int64_t *start, const int64_t *step,
                 const int64_t *out_dims, size_t esize, const void *x, void *y);

/* Pad whose border copies the input (ONNX Pad's other modes; negative pads
 * crop first, and the border is taken from what is left of each dim):
 *   VGGRT_PAD_REFLECT  mirror without repeating the edge: 1 2 3 -> 3 2 | 1 2 3 | 2 1
 *   VGGRT_PAD_EDGE     repeat the edge element:           1 2 3 -> 1 1 | 1 2 3 | 3 3
 *   VGGRT_PAD_WRAP     repeat the input periodically:     1 2 3 -> 2 3 | 1 2 3 | 1 2
 * Pads larger than the dim continue the same pattern (numpy.pad's rule).
 * Every padded dim must keep at least one element after its crops;
 * end[d] = out_dims[d] - in_dims[d] - begin[d]. */
enum { VGGRT_PAD_REFLECT = 1, VGGRT_PAD_EDGE = 2, VGGRT_PAD_WRAP = 3 };
void vggrt_pad_mode(int mode, int rank, const int64_t *in_dims, const int64_t *begin,
                    const int64_t *out_dims, size_t esize, const void *x, void *y);
void vggrt_pad_mode_f32(int mode, int rank, const int64_t *in_dims, const int64_t *begin,
                        const int64_t *out_dims, const float *x, float *y);

/* Element type conversion between any two dtypes above.  Float to integer
 * truncates (NaN gives 0, out of range saturates); integer to a narrower
 * integer keeps the low bits; to bool is != 0.  To F16 and BF16 rounds to
 * nearest even (overflow gives inf, NaN stays a quiet NaN, subnormals are
 * kept), from the source's exact value (no double rounding via float).
 * STRING: from F32, F64, I64, I32, I8, U8 (numpy's str() of the value) and
 * to F32, F64 (strtof/strtod of the whole text; "INF", "-INF", "NaN" in any
 * case); VGGRT_ERR_VALUE for an element that is not a number, VGGRT_ERR_ARG
 * for another pair (runtime/strings.c). */
vggrt_status vggrt_cast(int from, int to, size_t count, const void *x, void *y);
/* One value's conversion to and from the 16-bit float bit patterns. */
uint16_t vggrt_f16_from_f64(double v);
uint16_t vggrt_bf16_from_f64(double v);
double vggrt_f16_to_f64(uint16_t h);
double vggrt_bf16_to_f64(uint16_t h);

/* ---- images ------------------------------------------------------------------
 * PNG and JPEG files in, a network's input tensor out (runtime/image.c;
 * needs libpng and libjpeg, e.g. `pkg-config --libs libpng libjpeg`).
 * Any source format becomes 8-bit RGB as Keras' load_img sees it: gray
 * gives three equal channels, a palette is expanded, alpha is ignored (not
 * composited), 16-bit samples keep their high byte, CMYK JPEGs are
 * converted.  Files are untrusted: sizes are checked before allocating and
 * a corrupt or truncated file is VGGRT_ERR_FORMAT with a message naming
 * it. */

#define VGGRT_IMAGE_MAX_SIDE 32768                          /* pixels a side */
#define VGGRT_IMAGE_MAX_PIXELS ((long long)64 * 1024 * 1024) /* width x height */

typedef struct {
    int64_t width, height;
    unsigned char *rgb;             /* height rows of width R,G,B bytes; malloc'd */
} vggrt_image;

/* Reads and decodes a PNG or JPEG file (told apart by their signatures). */
vggrt_status vggrt_image_load(const char *path, vggrt_image *img, char *err, size_t errcap);
/* The same from memory. */
vggrt_status vggrt_image_decode(const void *buf, size_t len, vggrt_image *img, char *err,
                                size_t errcap);
/* 1 when buf starts with a PNG or JPEG signature. */
int vggrt_image_sniff(const void *buf, size_t len);
void vggrt_image_free(vggrt_image *img);

/* How pixel values x in 0..255 are scaled (Keras' preprocess_input modes):
 *   none   x
 *   tf     x / 127.5 - 1
 *   caffe  BGR order, x - (103.939, 116.779, 123.68)  (B, G, R means)
 *   torch  (x / 255 - (0.485, 0.456, 0.406)) / (0.229, 0.224, 0.225)  (RGB) */
enum { VGGRT_PREPROCESS_NONE, VGGRT_PREPROCESS_TF, VGGRT_PREPROCESS_CAFFE, VGGRT_PREPROCESS_TORCH,
       VGGRT_PREPROCESS_COUNT };
/* "none", "tf", "caffe", "torch" -> VGGRT_PREPROCESS_*; -1 when unknown. */
int vggrt_preprocess_parse(const char *name);
const char *vggrt_preprocess_name(int preprocess);

/* Writes n images as one float tensor out[n, 3, h, w] (layout
 * VGGRT_LAYOUT_NCHW) or out[n, h, w, 3] (VGGRT_LAYOUT_NHWC): each resized
 * to h x w as tf.image.resize does by default (bilinear, half-pixel
 * centers, no antialiasing), then scaled by preprocess.  VGGRT_ERR_ARG on
 * a bad size, layout, mode or image. */
vggrt_status vggrt_image_to_tensor(const vggrt_image *const *imgs, int n, int64_t h, int64_t w,
                                   int layout, int preprocess, float *out);

/* The top classes of one row of a classifier's output: p[c], the row's
 * probabilities (the row itself when it already is a distribution, entries
 * in [0, 1] summing to 1 within 1e-3; its softmax otherwise), and
 * order[0..k) the k = min(top, classes) most probable classes, most
 * probable first.  p and order hold `classes` entries.  Returns k. */
int vggrt_top_classes(const float *row, int64_t classes, int top, double *p, int64_t *order);

#ifdef __cplusplus
}
#endif
#endif
