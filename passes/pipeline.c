/* pipeline.c — the passes, in the order they run.
 *
 * Read top to bottom, this array is the compiler's middle end.  The first
 * pass also infers shapes: constant folding and shape inference go hand in
 * hand (a Reshape's shape is often computed by a Shape->Gather->Concat
 * chain that must fold before the Reshape's output shape is known).
 */
#include "passes.h"

#include <string.h>
#include <time.h>

const PassInfo pass_list[] = {
    {"fold-constants", pass_fold_constants, 0, true,
     "infer shapes; evaluate nodes whose inputs are all known"},
    {"remove-identity", pass_remove_identity, 0, true,
     "drop Identity and inference-mode Dropout"},
    {"eliminate-dead", pass_eliminate_dead, 0, true,
     "drop nodes whose results nothing reads"},
    /* -O1: algebra and fusion, plain layouts. */
    {"fold-batchnorm", pass_fold_batchnorm, 1, false,
     "fold inference BatchNormalization into the Conv before it"},
    {"fold-bias", pass_fold_bias, 1, false,
     "fold an Add of a constant into the layer's bias (MatMul+Add -> Gemm)"},
    {"cancel-transposes", pass_cancel_transposes, 1, false,
     "drop Transpose pairs that undo each other"},
    {"fuse-activation", pass_fuse_activation, 1, false,
     "Relu/Clip/LeakyRelu/Sigmoid into the Conv or Gemm before it"},
    {"fuse-maxpool", pass_fuse_maxpool, 1, false,
     "a MaxPool into the Conv(+Relu) before it"},
    {"fuse-dense", pass_fuse_dense, 1, false,
     "global pooling (+Flatten) into the next Gemm's input; Softmax into the last Gemm"},
    /* -O2: layouts. */
    {"assign-layout", pass_assign_layout, 2, false,
     "blocked NCHW16c between convolutions, weights packed, input transpose absorbed"},
};
const int pass_count = (int)(sizeof pass_list / sizeof pass_list[0]);

const PassInfo *pass_find(const char *name)
{
    for (int i = 0; i < pass_count; i++)
        if (strcmp(pass_list[i].name, name) == 0)
            return &pass_list[i];
    return NULL;
}

static bool is_disabled(const PassOptions *opt, const PassInfo *p)
{
    if (p->required || !opt->disabled)
        return false;
    for (const char *const *d = opt->disabled; *d; d++)
        if (strcmp(*d, p->name) == 0)
            return true;
    return false;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

bool passes_run(Graph *g, const PassOptions *opt)
{
    FILE *dump = opt->dump_to ? opt->dump_to : stdout;
    double times[sizeof pass_list / sizeof pass_list[0]] = {0};
    bool ok = true;
    if (opt->block)
        g->block = opt->block;
    if (opt->batch_hint)
        g->batch_hint = opt->batch_hint;
    for (int i = 0; i < pass_count && ok; i++) {
        const PassInfo *p = &pass_list[i];
        if (opt->opt_level < p->min_level || is_disabled(opt, p))
            continue;
        double t0 = now_ms();
        ok = p->run(g) && g->n_errors == 0;
        times[i] = now_ms() - t0;
        if (ok && opt->verify)
            ok = graph_verify(g, p->name);
        if (ok && opt->dump_after &&
            (strcmp(opt->dump_after, "all") == 0 || strcmp(opt->dump_after, p->name) == 0)) {
            fprintf(dump, "# after %s\n", p->name);
            graph_print(g, dump);
        }
    }
    if (opt->time_passes) {
        double total = 0;
        fprintf(stderr, "%-20s %10s\n", "pass", "ms");
        for (int i = 0; i < pass_count; i++) {
            fprintf(stderr, "%-20s %10.3f\n", pass_list[i].name, times[i]);
            total += times[i];
        }
        fprintf(stderr, "%-20s %10.3f\n", "total", total);
    }
    return ok;
}
