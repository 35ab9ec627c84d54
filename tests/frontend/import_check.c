/* import_check.c — imports each ONNX model named on the command line.
 *
 * The smoke test runs it over every model of ONNX's node test suite, under
 * the sanitizers in CI: whatever a model holds, the importer must answer
 * with a graph or with diagnostics, never crash.  For each path it prints
 * "OK path (N nodes, M values)" or "REJECTED path" after the importer's own
 * messages (on stderr).  Exit status: 0, or 1 with --expect-ok when a model
 * was rejected.
 */
#include "frontend.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    bool expect_ok = false;
    int rejected = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--expect-ok") == 0) {
            expect_ok = true;
            continue;
        }
        Graph *g = onnx_import(argv[i], NULL);
        fflush(stderr);
        if (g) {
            printf("OK %s (%u nodes, %u values)\n", argv[i], g->n_nodes, g->n_values);
            graph_free(g);
        } else {
            printf("REJECTED %s\n", argv[i]);
            rejected++;
        }
        fflush(stdout);
    }
    return expect_ok && rejected ? 1 : 0;
}
