/* util.c — small helpers every `vggc` command uses: the clock its timings
 * read, the usage-error message, and JSON strings for --json output.
 */
#include "cli.h"

#include <stdio.h>
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
