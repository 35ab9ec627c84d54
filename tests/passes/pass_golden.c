/* pass_golden.c — pass tests as IR text: the graph before, the graph after.
 *
 * A case is a .vir file (docs/ir.md) with two kinds of comment lines:
 *
 *   # passes: fold-constants remove-identity   the passes to run, in order
 *   #| LINE                                    the expected graph after them
 *
 * The runner parses the text, runs the passes (with the verifier after
 * each), prints the graph and compares it with the #| lines; on a mismatch
 * it prints both texts.  `--update` rewrites the #| lines from what was
 * printed (review the diff before committing).
 */
#include "passes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *s = malloc((size_t)n + 1);
    if (!s || fread(s, 1, (size_t)n, f) != (size_t)n) {
        perror(path);
        exit(2);
    }
    s[n] = 0;
    fclose(f);
    return s;
}

/* The text after `prefix` on every line that starts with it, joined. */
static char *collect(const char *text, const char *prefix)
{
    size_t cap = strlen(text) + 1, len = 0, pl = strlen(prefix);
    char *out = calloc(cap, 1);
    for (const char *l = text; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        if (n >= pl && memcmp(l, prefix, pl) == 0) {
            const char *s = l + pl;
            size_t k = n - pl;
            if (k && *s == ' ') {
                s++;
                k--;
            }
            memcpy(out + len, s, k);
            len += k;
            out[len++] = '\n';
        }
        l = e ? e + 1 : l + n;
    }
    out[len] = 0;
    return out;
}

static char *print_to_string(const Graph *g)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    graph_print(g, f);
    fclose(f);
    return buf;
}

static void update(const char *path, const char *text, const char *printed)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    for (const char *l = text; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l + 1) : strlen(l);
        if (!(n >= 2 && l[0] == '#' && l[1] == '|'))
            fwrite(l, 1, n, f);
        l += n;
    }
    for (const char *l = printed; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        fprintf(f, "#| %.*s\n", (int)n, l);
        l += e ? n + 1 : n;
    }
    fclose(f);
}

static bool run_case(const char *path, bool do_update)
{
    char *text = read_file(path);
    char *names = collect(text, "# passes:");
    char *expect = collect(text, "#|");
    bool ok = false;
    Graph *g = graph_parse(text, path);
    if (!g) {
        fprintf(stderr, "%s: FAILED: does not parse\n", path);
        goto out;
    }
    for (char *tok = strtok(names, " \n"); tok; tok = strtok(NULL, " \n")) {
        const PassInfo *p = pass_find(tok);
        if (!p) {
            fprintf(stderr, "%s: FAILED: no pass named '%s'\n", path, tok);
            goto out;
        }
        if (!p->run(g) || g->n_errors || !graph_verify(g, p->name)) {
            fprintf(stderr, "%s: FAILED: pass %s reported errors\n", path, p->name);
            goto out;
        }
    }
    char *printed = print_to_string(g);
    if (do_update) {
        update(path, text, printed);
        ok = true;
    } else if (strcmp(printed, expect) == 0) {
        ok = true;
    } else {
        fprintf(stderr, "%s: FAILED: the graph after the passes differs\n--- expected\n%s--- got\n%s",
                path, expect, printed);
    }
    free(printed);
out:
    graph_free(g);
    free(text);
    free(names);
    free(expect);
    return ok;
}

int main(int argc, char **argv)
{
    bool do_update = argc > 1 && strcmp(argv[1], "--update") == 0;
    int failed = 0, passed = 0;
    for (int i = 1 + do_update; i < argc; i++) {
        if (run_case(argv[i], do_update)) {
            passed++;
            printf("PASS %s\n", argv[i]);
        } else {
            failed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
