/* golden.c — runs the IR test cases in tests/ir/cases/, QBE style.
 *
 * A case is a .vir file: the IR text (which the parser reads, comments and
 * all) with the expected outcome embedded in comment lines:
 *
 *   # run: infer        what to do: parse | infer (the default) | verify
 *   #! SUBSTRING        a message expected on stderr (in this order);
 *                       with any, the stage must fail, without, it must
 *                       succeed with nothing on stderr
 *   #| LINE             the expected graph_print() output, line by line
 *
 *   parse   parse the text;
 *   infer   parse, graph_infer_shapes(), and when that succeeds
 *           graph_verify(g, "shape inference");
 *   verify  parse, then graph_verify(g, "test") on the graph as written.
 *
 * The printed graph (after the stage, even a failed one) is compared with
 * the #| lines when there are any, and, when its constants are all
 * printed in full, must read back and print the same bytes.
 *
 *   ir_golden CASE.vir...            check
 *   ir_golden --update CASE.vir...   rewrite the #| lines from what is printed
 *                                    (review the diff before committing)
 */
#include "harness.h"

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
    if (fread(s, 1, (size_t)n, f) != (size_t)n) {
        perror(path);
        exit(2);
    }
    s[n] = 0;
    fclose(f);
    return s;
}

typedef struct {
    char mode[16];
    char *expect;           /* #| lines joined, NULL if none */
    char **errors;          /* #! substrings */
    int n_errors;
} Case;

static void parse_case(const char *text, Case *c)
{
    size_t cap = 0, len = 0;
    memset(c, 0, sizeof *c);
    strcpy(c->mode, "infer");
    c->errors = calloc(strlen(text) / 2 + 1, sizeof *c->errors);
    for (const char *l = text; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        if (n >= 2 && l[0] == '#' && l[1] == '|') {
            const char *body = l + 2 + (n > 2 && l[2] == ' ');
            size_t bn = n - (size_t)(body - l);
            if (len + bn + 2 > cap) {
                cap = (len + bn + 2) * 2;
                c->expect = realloc(c->expect, cap);
            }
            memcpy(c->expect + len, body, bn);
            len += bn;
            c->expect[len++] = '\n';
            c->expect[len] = 0;
        } else if (n >= 2 && l[0] == '#' && l[1] == '!') {
            const char *body = l + 2 + (n > 2 && l[2] == ' ');
            c->errors[c->n_errors++] = strndup(body, n - (size_t)(body - l));
        } else if (n > 7 && !strncmp(l, "# run: ", 7)) {
            snprintf(c->mode, sizeof c->mode, "%.*s", (int)(n - 7), l + 7);
        }
        l += n + (e != NULL);
    }
}

/* The file without its #| lines (and trailing blank lines), plus `out` as
 * #| lines. */
static void update_file(const char *path, const char *text, const char *out)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    size_t keep = 0;
    char *kept = malloc(strlen(text) + 1);
    for (const char *l = text; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        if (!(n >= 2 && l[0] == '#' && l[1] == '|')) {
            memcpy(kept + keep, l, n);
            keep += n;
            kept[keep++] = '\n';
        }
        l += n + (e != NULL);
    }
    while (keep >= 2 && kept[keep - 1] == '\n' && kept[keep - 2] == '\n')
        keep--;
    fwrite(kept, 1, keep, f);
    for (const char *l = out; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        fprintf(f, n ? "#| %.*s\n" : "#|\n", (int)n, l);
        l += n + (e != NULL);
    }
    fclose(f);
    free(kept);
}

static int run_case(const char *path, bool update)
{
    char *text = read_file(path);
    Case c;
    parse_case(text, &c);
    int before = test_failures;
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

    capture_begin();
    Graph *g = graph_parse(text, base);
    bool ok = g != NULL;
    if (g && !strcmp(c.mode, "infer")) {
        ok = graph_infer_shapes(g);
        if (ok)
            ok = graph_verify(g, "shape inference");
    } else if (g && !strcmp(c.mode, "verify")) {
        ok = graph_verify(g, "test");
    } else if (strcmp(c.mode, "parse") != 0 && strcmp(c.mode, "infer") != 0 &&
               strcmp(c.mode, "verify") != 0) {
        ok = false;
        fprintf(stderr, "unknown mode '%s'\n", c.mode);
    }
    char *out = g ? print_to_string(g) : strdup("");
    char *err = capture_end();

    if (c.n_errors) {
        if (ok) {
            fprintf(stderr, "%s: FAILED: expected the %s stage to fail\n", path, c.mode);
            test_failures++;
        }
        const char *from = err;
        for (int i = 0; i < c.n_errors; i++) {
            const char *hit = strstr(from, c.errors[i]);
            if (!hit) {
                fprintf(stderr, "%s: FAILED: expected on stderr (in order): %s\n", path,
                        c.errors[i]);
                test_failures++;
            } else {
                from = hit + strlen(c.errors[i]);
            }
        }
    } else if (!ok || *err) {
        fprintf(stderr, "%s: FAILED: the %s stage %s\n", path, c.mode,
                ok ? "wrote to stderr" : "failed");
        test_failures++;
    }
    if (test_failures != before)
        fprintf(stderr, "--- stderr was:\n%s---\n", err);

    if (update) {
        if (g)
            update_file(path, text, out);
    } else if (c.expect && strcmp(out, c.expect) != 0) {
        const char *a = out, *b = c.expect;
        int line = 1;
        while (*a && *a == *b) {
            line += *a == '\n';
            a++;
            b++;
        }
        fprintf(stderr, "%s: FAILED: printed graph differs from #| at its line %d\n"
                "--- got:\n%s--- want:\n%s---\n", path, line, out, c.expect);
        test_failures++;
    } else if (!c.expect && g) {
        fprintf(stderr, "%s: FAILED: no #| lines (run with --update to write them)\n", path);
        test_failures++;
    }

    /* Round trip: the printed form reads back to itself. */
    if (g && !strstr(out, ", hash ")) {
        capture_begin();
        Graph *g2 = graph_parse(out, base);
        char *out2 = g2 ? print_to_string(g2) : strdup("");
        char *err2 = capture_end();
        if (!g2 || strcmp(out, out2) != 0) {
            fprintf(stderr, "%s: FAILED: print(parse(print(g))) != print(g)\n%s--- reprinted:\n%s",
                    path, err2, out2);
            test_failures++;
        }
        graph_free(g2);
        free(out2);
        free(err2);
    }

    graph_free(g);
    free(out);
    free(err);
    free(text);
    free(c.expect);
    for (int i = 0; i < c.n_errors; i++)
        free(c.errors[i]);
    free(c.errors);
    if (test_failures == before)
        printf("ok %s\n", base);
    return test_failures - before;
}

int main(int argc, char **argv)
{
    bool update = false;
    int files = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--update")) {
            update = true;
            continue;
        }
        run_case(argv[i], update);
        files++;
    }
    if (!files) {
        fprintf(stderr, "usage: ir_golden [--update] CASE.vir...\n");
        return 2;
    }
    return test_failures ? 1 : 0;
}
