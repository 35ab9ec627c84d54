/* progress.c — what a long step is doing, shown on a terminal.
 *
 * Loading a 553 MB model, packing its weights or compiling it with LLVM
 * takes seconds; a user at a terminal should see which step runs and how
 * long each took, the way cargo or ninja show theirs:
 *
 *      importing vgg16.onnx (553 MB) [#########           ] 45%    (rewritten)
 *       imported vgg16.onnx (553 MB) in 1.21 s                      (kept)
 *
 * A step draws one status line, rewritten in place ("\r" + clear to the end
 * of the line) as it tells its fraction done, and replaced by a closing line
 * with its time when it ends.  All of it only when standard error is a
 * terminal and -q was not given: never into a pipe or a file, so scripts,
 * tests and logs see only errors, warnings and -v notes.
 *
 * The status line must never be left half-drawn under a message.  Messages
 * come from every stage (frontend diagnostics, LLVM errors, warnings, -v
 * notes), each printing to stderr itself, and a program's results go to
 * stdout, which may be the same terminal.  So on glibc both streams are
 * replaced by unbuffered (stderr) or line-buffered (stdout) streams whose
 * writes first erase a drawn status line; the next update redraws it under
 * the message.  Where streams cannot be replaced, no status line is drawn
 * at all and only the closing lines are printed: each ends its own line, so
 * nothing can land on it.  Child processes (bench --backend c runs vggc and
 * make) write to the terminal directly: progress_pause() ends the status line
 * before they start.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define VERB_WIDTH 12       /* verbs right-aligned in this many columns */
#define BAR_WIDTH 20
#define REDRAW_MS 50.0      /* at most 20 redraws a second */

static struct {
    bool enabled;           /* stderr is a terminal and not -q */
    bool live;              /* a status line may be drawn (streams guarded) */
    bool active;            /* between progress_begin and progress_end */
    bool paused;            /* progress_pause: others write to the terminal */
    bool drawn;             /* a status line is on the terminal now */
    char doing[32], done[32];
    char what[256];
    double t0, last_draw;
    int last_percent;       /* -1: no fraction told */
} pg;

static void write_fd(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w <= 0)
            return;         /* a terminal that went away: nothing to tell */
        s += w;
        n -= (size_t)w;
    }
}

void progress_clear(void)
{
    if (!pg.drawn)
        return;
    pg.drawn = false;
    write_fd(STDERR_FILENO, "\r\033[K", 4);
}

#ifdef __GLIBC__
/* The guarded streams: erase the status line, then write to the fd. */
static ssize_t guarded_write(void *cookie, const char *buf, size_t n)
{
    progress_clear();
    write_fd((int)(intptr_t)cookie, buf, n);
    return (ssize_t)n;
}

static FILE *guard(int fd, int mode)
{
    cookie_io_functions_t io = {.write = guarded_write};
    FILE *f = fopencookie((void *)(intptr_t)fd, "w", io);
    if (f && setvbuf(f, NULL, mode, mode == _IONBF ? 0 : BUFSIZ) != 0) {
        fclose(f);
        f = NULL;
    }
    return f;
}

/* stdout shares the terminal when it is one too; in a pipe it keeps its
 * full buffering and cannot touch the status line. */
static bool guard_streams(void)
{
    FILE *err = guard(STDERR_FILENO, _IONBF);
    FILE *out = isatty(STDOUT_FILENO) ? guard(STDOUT_FILENO, _IOLBF) : stdout;
    if (!err || !out) {
        if (err)
            fclose(err);
        return false;
    }
    fflush(stdout);
    stderr = err;
    stdout = out;
    return true;
}
#else
static bool guard_streams(void)
{
    return false;
}
#endif

static void at_exit(void)
{
    fflush(stdout);
    progress_clear();
}

void progress_init(bool quiet)
{
    const char *term = getenv("TERM");
    pg.enabled = !quiet && isatty(STDERR_FILENO);
    if (!pg.enabled)
        return;
    /* A dumb terminal cannot clear a line: closing lines only. */
    pg.live = !(term && strcmp(term, "dumb") == 0) && guard_streams();
    atexit(at_exit);
}

/* "553 MB": decimal units, as file managers and ls -h --si show sizes. */
static void format_bytes(uint64_t bytes, char *buf, size_t cap)
{
    static const char *unit[] = {"B", "kB", "MB", "GB", "TB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1000 && u < 4) {
        v /= 1000;
        u++;
    }
    snprintf(buf, cap, u && v < 10 ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

static int term_columns(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

/* Cuts line to fewer columns than the terminal has, so it never wraps (a
 * wrapped line cannot be erased with one "\r\033[K").  Counts UTF-8
 * characters as one column each and never cuts one in two. */
static void fit_to_terminal(char *line)
{
    int cols = term_columns() - 1, n = 0;
    for (char *s = line; *s; s++) {
        if (((unsigned char)*s & 0xC0) == 0x80)
            continue;
        if (n++ == cols) {
            *s = 0;
            return;
        }
    }
}

static void draw(void)
{
    char line[512];
    int len = snprintf(line, sizeof line, "%*s %s", VERB_WIDTH, pg.doing, pg.what);
    if (pg.last_percent >= 0 && len > 0 && (size_t)len < sizeof line) {
        char bar[BAR_WIDTH + 1];
        int fill = pg.last_percent * BAR_WIDTH / 100;
        for (int i = 0; i < BAR_WIDTH; i++)
            bar[i] = i < fill ? '#' : ' ';
        bar[BAR_WIDTH] = 0;
        snprintf(line + len, sizeof line - (size_t)len, " [%s] %3d%%", bar, pg.last_percent);
    } else if (len > 0 && (size_t)len < sizeof line) {
        snprintf(line + len, sizeof line - (size_t)len, "...");
    }
    fit_to_terminal(line);
    fflush(stdout);         /* its pending text belongs above the line */
    char out[600];
    int n = snprintf(out, sizeof out, "\r%s\033[K", line);
    write_fd(STDERR_FILENO, out, n > 0 && (size_t)n < sizeof out ? (size_t)n : 0);
    pg.drawn = true;
    pg.last_draw = now_ms();
}

void progress_begin(const char *doing, const char *done, const char *what, uint64_t bytes)
{
    if (!pg.enabled)
        return;
    if (pg.active)
        progress_abort();
    snprintf(pg.doing, sizeof pg.doing, "%s", doing);
    snprintf(pg.done, sizeof pg.done, "%s", done);
    if (bytes) {
        char size[32];
        format_bytes(bytes, size, sizeof size);
        snprintf(pg.what, sizeof pg.what, "%s (%s)", what, size);
    } else {
        snprintf(pg.what, sizeof pg.what, "%s", what);
    }
    pg.active = true;
    pg.paused = false;
    pg.last_percent = -1;
    pg.t0 = now_ms();
    if (pg.live)
        draw();
}

void progress_update(double fraction)
{
    if (!pg.active || !pg.live || pg.paused)
        return;
    int percent = fraction <= 0 ? 0 : fraction >= 1 ? 100 : (int)(fraction * 100);
    /* Redraw when the number changes, or after a message erased the line,
     * but not more often than a terminal can show. */
    if (pg.drawn && (percent == pg.last_percent || now_ms() - pg.last_draw < REDRAW_MS))
        return;
    pg.last_percent = percent;
    draw();
}

void progress_pause(void)
{
    if (!pg.active || pg.paused)
        return;
    pg.paused = true;
    if (pg.live) {
        progress_clear();
        fflush(stdout);
        char line[512];
        snprintf(line, sizeof line, "%*s %s...\n", VERB_WIDTH, pg.doing, pg.what);
        write_fd(STDERR_FILENO, line, strlen(line));
    }
}

void progress_end(void)
{
    if (!pg.active)
        return;
    pg.active = false;
    double s = (now_ms() - pg.t0) / 1e3;
    progress_clear();
    fflush(stdout);
    char line[512];
    snprintf(line, sizeof line, "%*s %s in %.2f s\n", VERB_WIDTH, pg.done, pg.what, s);
    write_fd(STDERR_FILENO, line, strlen(line));
}

void progress_abort(void)
{
    pg.active = false;
    progress_clear();
}
