/* util.c — small helpers every `vggc` command uses: the clock its timings
 * read, the usage-error message, JSON strings for --json output, and the
 * --bind option.
 */
#include "cli.h"
#include "vggrt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int usage(const char *fmt, const char *arg)
{
    fputs("vggc: error: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(see vggc --help)\n", stderr);
    return 2;
}

void json_str(const char *s)
{
    if (!s) {
        fputs("null", stdout);
        return;
    }
    putchar('"');
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\')
            printf("\\%c", *c);
        else if (*c < 0x20)
            printf("\\u%04x", *c);
        else
            putchar(*c);
    }
    putchar('"');
}

int binds_add(Binds *bs, const char *cmd, char *arg)
{
    char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1]) {
        fprintf(stderr, "vggc: error: %s: --bind takes NAME=FILE.npy (a graph input's name and "
                        "a file with its value), not '%s'\n(see vggc --help)\n", cmd, arg);
        return 2;
    }
    if (bs->n == MAX_BINDS) {
        fprintf(stderr, "vggc: error: %s: at most %d --bind options\n", cmd, MAX_BINDS);
        return 2;
    }
    *eq = 0;
    bs->b[bs->n++] = (ImportBind){arg, eq + 1};
    return 0;
}

void binds_to_import(const Binds *bs, ImportOptions *io)
{
    io->binds = bs->n ? bs->b : NULL;
    io->n_binds = bs->n;
}
