/* emit_c.h — the C backend. */
#ifndef VGGC_EMIT_C_H
#define VGGC_EMIT_C_H

#include "buf.h"
#include "plan.h"

typedef struct {
    const char *name;           /* C identifier, prefix of every symbol */
    const char *model_label;    /* the model file's base name, for comments */
    const char *runtime_include;  /* in-tree runtime headers, for the Makefile */
    const char *runtime_lib;      /* in-tree libvggrt.a */
    const char *march;            /* the Makefile's default -march (NULL: native) */
    const char *const *bound;     /* graph inputs bound at compile time (--bind), */
    size_t n_bound;               /* n_bound of them: named in NAME.h's comments */
} CEmitOptions;

typedef struct {
    Buf header, source, main, makefile;
} CFiles;

/* Writes the four text files for plan p.  False after reporting a layer the
 * C backend cannot emit. */
bool emit_c(const Plan *p, const CEmitOptions *o, uint64_t weights_checksum, CFiles *out);
/* NAME.h: the generated API (DESIGN.md §4); the LLVM backend's objects
 * implement the same header. */
void emit_c_header(Buf *b, const Graph *g, const CEmitOptions *o);
void emit_c_driver(Buf *b, const CEmitOptions *o);
void emit_c_makefile(Buf *b, const CEmitOptions *o);

#endif
