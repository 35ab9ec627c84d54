/* passes.h — graph-to-graph transformations and the pipeline that runs them.
 *
 * Each pass lives in its own file as `bool pass_NAME(Graph *g)`: it returns
 * false only after reporting bad input with graph_error().  Its contract
 * (what it requires of the graph, what it keeps, what it invalidates) is the
 * comment above it.  The pipeline is the one array in pipeline.c.
 */
#ifndef VGGC_PASSES_H
#define VGGC_PASSES_H

#include "ir.h"

typedef struct {
    int opt_level;              /* 0..3 */
    const char *dump_after;     /* a pass name, "all", or NULL */
    bool verify;                /* graph_verify after every pass */
    bool time_passes;           /* print a table of pass times to stderr */
    const char *const *disabled;  /* pass names not to run (NULL-terminated) */
    FILE *dump_to;              /* where --dump-ir writes (stdout if NULL) */
    int block;                  /* the target's block for the blocked layout, 8 or 16
                                   (Graph.block); 0: keep the graph's */
    int64_t batch_hint;         /* the batch a symbolic N will run at (Graph.batch_hint);
                                   0: keep the graph's */
} PassOptions;

typedef struct {
    const char *name;
    bool (*run)(Graph *g);
    int min_level;              /* runs when opt_level >= min_level */
    bool required;              /* cannot be disabled: later stages need it */
    const char *summary;
} PassInfo;

extern const PassInfo pass_list[];
extern const int pass_count;

/* Runs every pass in order.  False after reporting a problem. */
bool passes_run(Graph *g, const PassOptions *opt);
/* The named pass, or NULL. */
const PassInfo *pass_find(const char *name);

bool pass_fold_constants(Graph *g);
bool pass_remove_identity(Graph *g);
bool pass_eliminate_dead(Graph *g);
bool pass_fold_batchnorm(Graph *g);
bool pass_fold_bias(Graph *g);
bool pass_cancel_transposes(Graph *g);
bool pass_fuse_activation(Graph *g);
bool pass_fuse_maxpool(Graph *g);
bool pass_fuse_dense(Graph *g);
bool pass_assign_layout(Graph *g);

#endif
