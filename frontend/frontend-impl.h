/* frontend-impl.h — what the frontend's files share, and nobody else sees.
 *
 * The one place outside the generated code that includes onnx.pb-c.h.  One
 * section per file, as in chibicc:
 *   onnx_import.c — the import context, name lookup, the model walk;
 *   attrs.c       — attribute readers and per-op normalization;
 *   tensor.c      — TensorProto decoding and external data;
 *   pbscan.c      — a wire-format pre-scan bounding nesting depth.
 */
#ifndef VGGC_FRONTEND_IMPL_H
#define VGGC_FRONTEND_IMPL_H

#include "frontend.h"
#include "onnx.pb-c.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "vggc's frontend assumes a little-endian host (ONNX raw_data is little-endian)"
#endif

/* Limits, checked before anything is sized by them. */
#define FE_MAX_NODES 1000000u
#define FE_MAX_TENSORS 1000000u      /* initializers; graph inputs; graph outputs */
#define FE_MAX_NAME 4096u            /* bytes in any name */
#define FE_MAX_NODE_ARGS 65535u      /* inputs or outputs of one node */
#define FE_MAX_DEPTH 100             /* protobuf message nesting */
#define FE_MAX_MESSAGES (16u << 20)  /* protobuf messages in one model */
#define FE_DEFAULT_MAX_BYTES ((size_t)4 << 30)

/* ---- onnx_import.c ----------------------------------------------------- */

/* An open-addressing map from a NUL-terminated name to a uint32_t.  Keys are
 * borrowed: they must outlive the map. */
typedef struct {
    const char **keys;
    uint32_t *vals;
    size_t cap, count;              /* cap is 0 or a power of two */
} NameMap;

bool namemap_get(const NameMap *m, const char *key, uint32_t *val);
void namemap_put(NameMap *m, const char *key, uint32_t val);
void namemap_free(NameMap *m);

typedef struct FeSpans FeSpans;

typedef struct {
    Graph *g;
    FeSpans *spans;                 /* the model's weights (fe_pb_slim), or NULL */
    int64_t opset;                  /* default-domain opset version */
    int64_t batch;                  /* ImportOptions.batch */
    const char *base_dir;           /* external data folder; NULL: refused */
    char *base_real;                /* realpath(base_dir), computed on first use */
    bool base_failed;               /* realpath(base_dir) failed: reported once */
    NameMap values;                 /* value name -> value id */
    NameMap used;                   /* names some node reads or the graph outputs */
    const ImportBind *binds;        /* ImportOptions.binds */
    size_t n_binds;
    bool *bound;                    /* binds[i] matched a graph input */
    NameMap compile_time;           /* graph inputs refused as needed at compile time */
    vggrt_checksum_state *hash;     /* ImportOptions.digest's, or NULL */
} ImportCtx;

/* Marks graph input v as one an operator needs at compile time (the caller
 * reports that, suggesting --bind), so that its data type is not refused
 * as a run-time input's as well. */
void fe_needed_at_compile_time(ImportCtx *c, const Value *v);

/* Is name read by a node input or listed as a graph output? */
bool fe_name_used(const ImportCtx *c, const char *name);

/* A value whose definition failed and was reported: an input or constant
 * left DT_UNDEF, or a temp without a producer (during import every good temp
 * has one by the time a later node reads it).  Its users stay quiet. */
static inline bool fe_poisoned(const Value *v)
{
    return v->kind == VAL_TEMP ? v->producer == VGGC_NONE : v->dtype == DT_UNDEF;
}

/* ---- attrs.c ------------------------------------------------------------ */

/* Fills n->attr from np's attributes with the defaults of c->opset, checks
 * what the op supports, and folds constant inputs that later opsets made
 * tensors (n->n_in and n->n_out may shrink).  n->in/out hold resolved ids
 * (VGGC_NONE for omitted optional ones); n->name and n->op are set for
 * diagnostics.  Reports each problem against n; false if any. */
bool fe_normalize_node(ImportCtx *c, const Onnx__NodeProto *np, Node *n);

/* The Constant node np (named by diag) into a constant value named after its
 * output.  Returns the value id, or VGGC_NONE if it was skipped (unsupported
 * and unused) or reported as an error (then *failed is set). */
uint32_t fe_constant_node(ImportCtx *c, const Onnx__NodeProto *np, const Node *diag,
                          bool *failed);

/* The type of attribute a; infers it from the fields set when the (older)
 * model left it UNDEFINED. */
Onnx__AttributeProto__AttributeType fe_attr_type(const Onnx__AttributeProto *a);
const char *fe_attr_type_name(Onnx__AttributeProto__AttributeType t);

/* ---- tensor.c ----------------------------------------------------------- */

/* ONNX TensorProto.DataType code to our dtype; DT_UNDEF when unsupported. */
DType fe_dtype_from_onnx(int32_t code);
int32_t fe_dtype_to_onnx(DType dt);
const char *fe_onnx_dtype_name(int32_t code);   /* "FLOAT", "DOUBLE", "type 99" */

typedef struct {
    DType dtype;
    Shape shape;
    size_t count;                   /* elements */
    size_t nbytes;                  /* count * dtype_size */
    const void *data;               /* little-endian elements, C order */
    void *owned;                    /* malloc'd storage behind data, or NULL */
    bool in_arena;                  /* data was copied into the arena given to decode */
} TensorData;

/* Where external data may come from: base_dir is the folder named files are
 * resolved in (NULL refuses external data); real caches its realpath.  The
 * bytes read go into hash too, when it is set (ImportOptions.digest). */
typedef struct {
    const char *base_dir;
    char **real;                    /* in/out: realpath(base_dir), malloc'd */
    vggrt_checksum_state *hash;
    const FeSpans *spans;           /* the model's weights out of its bytes, or NULL */
} ExternalRoot;

/* Decodes t, checking its data type, rank, dims, element and byte counts
 * against the data present.  raw_data is borrowed from t; data that must be
 * copied or read (typed fields, external files, bools to normalize) goes
 * into arena when given (64-aligned: fe_add_const then keeps it without a
 * second copy; a 400 MB external weight costs 400 MB, not 800) or else into
 * malloc'd memory (out->owned).  On failure writes the reason, without the
 * tensor's name, into err and returns false. */
bool fe_tensor_decode(const Onnx__TensorProto *t, const ExternalRoot *root, Arena *arena,
                      TensorData *out, char *err, size_t errcap);
void fe_tensor_release(TensorData *td);
/* A constant value named name holding td's data (kept in place when it is in
 * g's arena, copied otherwise); releases td. */
uint32_t fe_add_const(Graph *g, const char *name, TensorData *td);

/* Reads a whole file into a malloc'd buffer, refusing more than max_bytes.
 * On failure writes the reason (without the path) into err. */
bool fe_read_file(const char *path, size_t max_bytes, void **buf, size_t *len, char *err,
                  size_t errcap);
/* A model file's bytes for the importer: a regular file is mapped
 * read-only (its pages come straight from the page cache: vgg16's 553 MB
 * in ~10 ms against ~0.5 s to read them into fresh memory on the Zen 3
 * VM), anything else (a pipe, /dev/stdin) is read with fe_read_file.  The
 * same limit and errors as fe_read_file.  A mapped file that another
 * process truncates while it is parsed raises SIGBUS, as with any reader
 * that maps its input (compilers' source buffers do the same). */
typedef struct {
    void *data;
    size_t len;
    bool mapped;                    /* munmap, not free, on release */
    size_t dropped;                 /* bytes of whole pages let go from the start */
} FeFile;
bool fe_file_load(const char *path, size_t max_bytes, FeFile *f, char *err, size_t errcap);
/* Lets the mapping's whole pages before byte upto go (madvise DONTNEED: a
 * later read brings them back from the page cache): the pages the
 * importer has copied the weights from stop counting in this process's
 * memory.  Nothing for a file that was read. */
void fe_file_drop(FeFile *f, size_t upto);
void fe_file_release(FeFile *f);
/* The folder part of path ("." when it has none), malloc'd; NULL on OOM. */
char *fe_dirname(const char *path);

/* ---- pbscan.c ----------------------------------------------------------- */

/* Walks the protobuf wire format of a message of type desc without building
 * it: checks tags and lengths, nesting depth <= FE_MAX_DEPTH and at most
 * FE_MAX_MESSAGES messages, so that protoc-c's recursive unpacker cannot
 * overflow the stack or be made to allocate without bound.  Returns NULL if
 * fine, else a static description of the problem. */
const char *fe_pb_scan(const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len);
/* The same walk, also listing in spans, in the order of the bytes, where
 * every TensorProto.raw_data of spans->min bytes or more lies (its data,
 * after the length prefix); spans->v is malloc'd (free it).  data and
 * adopted are the importer's (onnx_import.c): each span's bytes, copied
 * out of the file into an arena block, and whether a constant took it. */
typedef struct {
    size_t off, len;
    void *data;
    bool adopted;
} FeSpan;
struct FeSpans {
    FeSpan *v;
    size_t n, cap;
    size_t min;
    uint8_t nonce[8];               /* random, per import: see FE_MARKER_LEN */
};
const char *fe_pb_scan_spans(const ProtobufCMessageDescriptor *desc, const uint8_t *buf,
                             size_t len, FeSpans *spans);
/* The model buf[0..len) of type desc (walked by fe_pb_scan_spans) without
 * the bytes of its spans: each span's raw_data becomes a marker of
 * FE_MARKER_LEN bytes, the nonce then the span's index (little-endian),
 * so that protobuf-c unpacks the model without copying its weights
 * (*out, malloc'd).  Returns NULL, or what went wrong; out of memory,
 * exits 3. */
enum { FE_MARKER_LEN = 16 };
const char *fe_pb_slim(const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len,
                       const FeSpans *spans, uint8_t **out, size_t *out_len);
/* The span whose marker t's raw_data is, or NULL (s may be NULL). */
FeSpan *fe_span_of(const FeSpans *s, const Onnx__TensorProto *t);

/* ---- small helpers shared by the files --------------------------------- */

/* s, or "" when a proto2 optional string is absent. */
static inline const char *fe_str(const char *s) { return s ? s : ""; }

#endif
