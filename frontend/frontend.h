/* frontend.h — reading ONNX models and tensors into vggc's IR.
 *
 * The frontend is the only part of vggc that knows ONNX's protobuf schema.
 * It unpacks a ModelProto with code that protoc-c generates at build time,
 * checks what it reads (sizes, names, opset, external data paths), and
 * builds a Graph: initializers and Constant nodes become constants, graph
 * inputs become run-time inputs whose leading dimension may be the symbolic
 * batch, and every node gets its attributes normalized into the IR's typed
 * union with the ONNX defaults of the model's opset.  Inputs that ONNX made
 * tensors in later opsets (Squeeze axes, Clip bounds, Pad pads, ...) are
 * folded into attributes when constant, so later stages see one form.
 *
 * Nothing here infers shapes of node outputs: that is graph_infer_shapes().
 * No protobuf type appears in this header.
 */
#ifndef VGGC_FRONTEND_H
#define VGGC_FRONTEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ir.h"
#include "vggrt.h"

/* A graph input whose value is fixed at compile time (`--bind NAME=FILE`):
 * it becomes a constant holding the file's array (.npy, or an ONNX
 * TensorProto .pb), so shape operands given as inputs (Reshape's shape,
 * Squeeze's axes, Pad's pads, Dropout's training_mode, ...) fold like
 * initializers.  A bound input is no longer an input of the graph. */
typedef struct {
    const char *name;       /* the graph input */
    const char *path;       /* the file with its value */
} ImportBind;

/* The checksum (vggrt_checksum) of everything the import read, for keys of
 * what is built from it (vggc run's JIT cache): the model's bytes as
 * unpacked, then the external data files' bytes and the bound inputs'
 * values (name, type, shape, data), in the order the import read them.
 * The very bytes used, hashed as the import goes, however the files were
 * given (a pipe too) and whatever happens to them afterwards. */
typedef struct {
    uint64_t sum;
    uint64_t bytes;         /* of the model file */
    bool done;              /* set by a successful import */
} ImportDigest;

typedef struct {
    int64_t batch;          /* >0: fix the symbolic batch to this */
    size_t max_bytes;       /* refuse larger model files; 0: 4 GiB */
    const ImportBind *binds;    /* inputs to make constants; n_binds of them */
    size_t n_binds;
    ImportDigest *digest;   /* when set: filled with the model's checksum */
    /* TensorProto.raw_data fields of at least this many bytes (the
     * weights) are copied out of the model before protobuf-c unpacks the
     * rest, each once, into the block its constant keeps; 0: 64 KiB.
     * Any value imports the same graph (tests and fuzzers use 1; SIZE_MAX
     * leaves every one to protobuf-c). */
    size_t span_min;
} ImportOptions;

/* Reads the ONNX model at path.  External data files are resolved inside the
 * model's folder only.  On any problem, reports every one it finds as
 * "vggc: error: PATH: ..." on stderr and returns NULL.  opt may be NULL.
 * Each of opt->binds must name a graph input (not an initializer), once,
 * and its file must hold an array of the input's data type and declared
 * shape (a dimension without a fixed size matches any size). */
Graph *onnx_import(const char *path, const ImportOptions *opt);

/* The same from memory (fuzzing, tests).  path_for_messages names the model
 * in diagnostics; base_dir is the folder external data is read from, or NULL
 * to refuse external data. */
Graph *onnx_import_buffer(const void *buf, size_t len, const char *path_for_messages,
                          const char *base_dir, const ImportOptions *opt);

/* Reads an ONNX TensorProto file (a test case's input_0.pb) of float, int64,
 * int32 or bool into out (data from vggrt_aligned_alloc; release it with
 * vggrt_tensor_free).  On failure writes a one-line reason naming the file
 * into err and returns false. */
bool onnx_read_tensor_pb(const char *path, vggrt_tensor *out, char *err, size_t errcap);

/* Writes t as an ONNX TensorProto (raw_data, little-endian). */
bool onnx_write_tensor_pb(const char *path, const vggrt_tensor *t, char *err, size_t errcap);

#endif
