/* import_check.c — imports each ONNX model named on the command line.
 *
 * The smoke test runs it over every model of ONNX's node test suite, under
 * the sanitizers in CI: whatever a model holds, the importer must answer
 * with a graph or with diagnostics, never crash.  For each path it prints
 * "OK path (N nodes, M values)" or "REJECTED path" after the importer's own
 * messages (on stderr).
 *
 * Each model is imported three ways, which must agree: with every
 * TensorProto.raw_data left to protobuf-c (ImportOptions.span_min
 * SIZE_MAX), and with every one taken out of the model before unpacking
 * (span_min 1, fe_pb_slim: the path of the weights of 64 KiB and more),
 * from the mapped file and from memory.  The same answer, the same graph
 * (graph_print, constants' bytes hashed) and the same digest (the first
 * hashes the model's bytes in one piece, the others between and along
 * the weights they copy); "MISMATCH path: what" otherwise.
 *
 * Exit status: 0; 1 after a mismatch, or with --expect-ok when a model was
 * rejected.
 */
#define _POSIX_C_SOURCE 200809L
#include "frontend.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* g as graph_print writes it, malloc'd ("" for NULL). */
static char *printed(const Graph *g)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        perror("import_check: open_memstream");
        exit(2);
    }
    if (g)
        graph_print(g, f);
    fclose(f);
    return text;
}

/* The file's bytes, malloc'd; NULL if it cannot be read. */
static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = NULL;
    size_t cap = 0, n = 0, got;
    do {
        if (n == cap) {
            cap = cap ? 2 * cap : 1 << 16;
            unsigned char *b = realloc(buf, cap);
            if (!b) {
                perror("import_check");
                exit(2);
            }
            buf = b;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got);
    fclose(f);
    *len = n;
    return buf;
}

/* The folder of path, for the in-memory import's external data. */
static void dir_of(const char *path, char *dir, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, cap, ".");
    else
        snprintf(dir, cap, "%.*s", slash == path ? 1 : (int)(slash - path), path);
}

/* The three imports of path; false after a mismatch (reported). */
static bool agree(const char *path, const Graph *g, const ImportDigest *d)
{
    size_t len = 0;
    unsigned char *bytes = slurp(path, &len);
    if (!bytes) {
        printf("MISMATCH %s: cannot read it back\n", path);
        return false;
    }
    char dir[4096];
    dir_of(path, dir, sizeof dir);
    ImportDigest dm = {0}, db = {0};
    ImportOptions apart = {.span_min = 1, .digest = &dm};
    Graph *m = onnx_import(path, &apart);
    apart.digest = &db;
    Graph *b = onnx_import_buffer(bytes, len, path, dir, &apart);
    char *want = printed(g), *got_m = printed(m), *got_b = printed(b);
    const char *what = NULL;
    if (!g != !m || !g != !b)
        what = "imported one way, rejected another";
    else if (strcmp(want, got_m) != 0)
        what = "another graph with the weights apart, from the mapped file";
    else if (strcmp(want, got_b) != 0)
        what = "another graph with the weights apart, from memory";
    else if (g && (dm.sum != d->sum || db.sum != d->sum || !dm.done || !db.done ||
                   d->bytes != len || dm.bytes != len || db.bytes != len))
        what = "another digest with the weights apart";
    if (what)
        printf("MISMATCH %s: %s\n", path, what);
    free(want), free(got_m), free(got_b);
    graph_free(m);
    graph_free(b);
    free(bytes);
    return !what;
}

int main(int argc, char **argv)
{
    bool expect_ok = false;
    int rejected = 0, mismatched = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--expect-ok") == 0) {
            expect_ok = true;
            continue;
        }
        ImportDigest d = {0};
        ImportOptions whole = {.span_min = SIZE_MAX, .digest = &d};
        Graph *g = onnx_import(argv[i], &whole);
        fflush(stderr);
        if (g)
            printf("OK %s (%u nodes, %u values)\n", argv[i], g->n_nodes, g->n_values);
        else
            printf("REJECTED %s\n", argv[i]);
        rejected += !g;
        mismatched += !agree(argv[i], g, &d);
        graph_free(g);
        fflush(stdout);
    }
    if (mismatched)
        printf("%d model(s) imported differently with the weights apart\n", mismatched);
    return mismatched || (expect_ok && rejected) ? 1 : 0;
}
