/* emit_llvm.h — the LLVM backend: a plan in, machine code out.
 *
 * Builds one LLVM module per network through LLVM's C API: the runtime
 * kernels (embedded bitcode, DESIGN.md §2), one function per layer calling
 * them with the layer's sizes as constants, and an entry function
 *
 *     int vggc_run(int64_t n, unsigned char *A, const unsigned char *W,
 *                  const void *const *in, void *const *out);
 *
 * that runs the layers in order (A: the arena, W: the weights payload, in
 * and out: the caller's buffers, as in the generated C).  The module is
 * optimized at O3 for the host CPU and becomes an object file (for the JIT
 * or for a user's program) or IR text.  No LLVM type appears here.
 *
 * The backend is a module of its own, vggc-llvm.so, linked with libLLVM
 * and loaded by vggc when a command first needs it (cli/install.c):
 * `vggc compile` (C) and `vggc inspect` never load libLLVM, which took
 * ~20 ms and 50 MB of every start.  The module exports one symbol, the
 * table LlvmBackend of the functions below; everything they call in vggc
 * (the plan, the IR, libvggrt) the executable exports (-rdynamic).
 */
#ifndef VGGC_EMIT_LLVM_H
#define VGGC_EMIT_LLVM_H

#include "buf.h"
#include "plan.h"

typedef enum {
    LLVM_EMIT_JIT,      /* object with vggc_run only, for llvm_jit_load (W: a table) */
    LLVM_EMIT_OBJECT,   /* object implementing NAME.h (NAME_open, NAME_run, ...) */
    LLVM_EMIT_IR,       /* the optimized module as text (.ll), API included */
} LlvmEmitKind;

typedef struct {
    const char *name;           /* C identifier: prefix of the API (OBJECT, IR) */
    const char *model_label;    /* model file's base name, for the module's name */
    uint64_t weights_checksum;  /* what NAME_open expects (OBJECT, IR) */
    bool verbose_times;         /* print stage times with vggc_note */
    const char *target;         /* CPU to compile for (llvm_target_cpu); NULL: this host */
} LlvmOptions;

typedef enum {
    LLVM_OK,
    LLVM_BAD_MODEL,     /* a layer the backend cannot emit (reported) */
    LLVM_FAILED,        /* LLVM said no: *err holds its message */
} LlvmStatus;

/* The CPU name and feature string LLVM compiles for (both malloc'd; part
 * of the JIT cache key).  target: NULL or "native" for this host as LLVM
 * sees it ("sapphirerapids", its features); "x86-64-v4" (AVX-512),
 * "x86-64-v3" (AVX2 + FMA), "x86-64" or "generic" (SSE2) for the x86-64
 * levels (target.h).  False for any other name. */
bool llvm_target_cpu(const char *target, char **name, char **features);

/* Identifies this backend's code generation (a hash of the embedded kernel
 * bitcode): part of the JIT cache key, beside VGGC_VERSION. */
uint64_t llvm_backend_id(void);

/* Compiles plan p into out (object bytes or IR text).  On LLVM_FAILED,
 * *err is a malloc'd message. */
LlvmStatus llvm_emit(const Plan *p, const LlvmOptions *o, LlvmEmitKind kind, Buf *out, char **err);

/* ---- jit.c: running an LLVM_EMIT_JIT object in this process ------------- */

/* An LLVM_EMIT_JIT object's vggc_run.  Its W is not a payload but a table:
 * W[Storage.index] points to that constant's data (64-byte aligned), so
 * the JIT runs on the graph's own constants without copying them. */
typedef int (*LlvmEntry)(int64_t n, unsigned char *A, const void *const *W,
                         const void *const *in, void *const *out);

typedef struct LlvmJit LlvmJit;

/* Loads the object (copied) into an ORC LLJIT and finds vggc_run.
 * External symbols (cblas_sgemm, libm, vggrt_*) resolve from this process.
 * NULL with *err (malloc'd) on failure. */
LlvmJit *llvm_jit_load(const void *obj, size_t size, LlvmEntry *entry, char **err);
void llvm_jit_free(LlvmJit *j);

/* ---- the module's one export --------------------------------------------- */

typedef struct {
    /* What it was built as, checked when vggc loads it (a module of another
     * build would read vggc's structures wrong): VGGC_VERSION, and
     * LLVM_BACKEND_LAYOUT, the sizes of the structures passed between them. */
    const char *version;
    uint64_t layout;
    bool (*target_cpu)(const char *target, char **name, char **features);
    uint64_t (*backend_id)(void);
    LlvmStatus (*emit)(const Plan *p, const LlvmOptions *o, LlvmEmitKind kind, Buf *out,
                       char **err);
    LlvmJit *(*jit_load)(const void *obj, size_t size, LlvmEntry *entry, char **err);
    void (*jit_free)(LlvmJit *j);
} LlvmBackend;

/* The name of the module's LlvmBackend, for dlsym. */
#define LLVM_BACKEND_SYMBOL "vggc_llvm_backend"
#define LLVM_BACKEND_LAYOUT                                                                  \
    ((uint64_t)sizeof(LlvmBackend) << 56 ^ (uint64_t)sizeof(LlvmOptions) << 48 ^            \
     (uint64_t)sizeof(Plan) << 36 ^ (uint64_t)sizeof(Graph) << 24 ^ (uint64_t)sizeof(Node) << 12 ^ \
     (uint64_t)sizeof(Value))

#endif
