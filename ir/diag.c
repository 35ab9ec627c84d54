/* diag.c — the two kinds of failure the compiler reports.
 *
 * Bad input (a model that is malformed or uses what we do not support) is
 * reported against the graph: the file, the node's name, its op, what is
 * wrong; the caller returns a status and the CLI exits 1.  Our own bugs hit
 * VGGC_ASSERT, which names the source line and aborts.
 */
#include "ir.h"

#include <stdio.h>
#include <stdlib.h>

int vggc_verbose;

void vggc_assert_fail(const char *what, const char *file, int line)
{
    fprintf(stderr, "vggc: internal error: %s:%d: assertion failed: %s\n", file, line, what);
    abort();
}

void vggc_note(const char *fmt, ...)
{
    if (!vggc_verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("vggc: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void graph_verror(Graph *g, const Node *n, const char *fmt, va_list ap)
{
    fprintf(stderr, "vggc: error: %s: ", g->path ? g->path : "<model>");
    if (n)
        fprintf(stderr, "node '%s' (%s): ", n->name,
                n->op < OP_COUNT ? op_name(n->op) : "?");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    g->n_errors++;
}

void graph_error(Graph *g, const Node *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    graph_verror(g, n, fmt, ap);
    va_end(ap);
}
