/* harness.h — what the IR tests share: checks that print what they
 * checked, stderr captured into a string, a graph printed into a string.
 *
 * A failed CHECK prints the expression and, for the typed forms, both
 * values, counts the failure and goes on; main() returns the count.
 */
#ifndef VGGC_TESTS_IR_HARNESS_H
#define VGGC_TESTS_IR_HARNESS_H

#include "ir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int test_failures;

#define CHECK(c)                                                                  \
    do {                                                                          \
        if (!(c)) {                                                               \
            fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #c);      \
            test_failures++;                                                      \
        }                                                                         \
    } while (0)

#define CHECK_INT(a, b)                                                           \
    do {                                                                          \
        long long a_ = (long long)(a), b_ = (long long)(b);                       \
        if (a_ != b_) {                                                           \
            fprintf(stderr, "%s:%d: FAILED: %s == %s (%lld vs %lld)\n", __FILE__, \
                    __LINE__, #a, #b, a_, b_);                                    \
            test_failures++;                                                      \
        }                                                                         \
    } while (0)

#define CHECK_STR(a, b)                                                           \
    do {                                                                          \
        const char *a_ = (a), *b_ = (b);                                          \
        if (strcmp(a_, b_) != 0) {                                                \
            fprintf(stderr, "%s:%d: FAILED: %s == %s\n--- got:\n%s\n--- want:\n%s\n", \
                    __FILE__, __LINE__, #a, #b, a_, b_);                          \
            test_failures++;                                                      \
        }                                                                         \
    } while (0)

#define CHECK_CONTAINS(hay, needle)                                               \
    do {                                                                          \
        const char *h_ = (hay), *n_ = (needle);                                   \
        if (!strstr(h_, n_)) {                                                    \
            fprintf(stderr, "%s:%d: FAILED: %s contains \"%s\"\n--- got:\n%s\n",  \
                    __FILE__, __LINE__, #hay, n_, h_);                            \
            test_failures++;                                                      \
        }                                                                         \
    } while (0)

/* stderr goes to a temporary file between capture_begin() and
 * capture_end(), which returns what was written (malloc'd). */
static int capture_saved_fd = -1;
static FILE *capture_file;

static inline void capture_begin(void)
{
    fflush(stderr);
    capture_file = tmpfile();
    if (!capture_file) {
        perror("tmpfile");
        exit(2);
    }
    capture_saved_fd = dup(2);
    dup2(fileno(capture_file), 2);
}

static inline char *capture_end(void)
{
    fflush(stderr);
    dup2(capture_saved_fd, 2);
    close(capture_saved_fd);
    long n = ftell(capture_file);
    char *s = malloc((size_t)(n > 0 ? n : 0) + 1);
    rewind(capture_file);
    size_t got = n > 0 ? fread(s, 1, (size_t)n, capture_file) : 0;
    s[got] = 0;
    fclose(capture_file);
    return s;
}

/* graph_print() into a malloc'd string. */
static inline char *print_to_string(const Graph *g)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    graph_print(g, f);
    fclose(f);
    return buf;
}

#endif
