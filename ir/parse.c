/* parse.c — reading the text form back into a graph.
 *
 * What graph_print() writes, graph_parse() reads, so a pass can be tested on
 * a small hand-written file, QBE style, instead of on an ONNX model; the
 * grammar is specified in docs/ir.md.  The text is line-oriented: a lexer
 * cuts a line into words, quoted strings, %names, @names and punctuation,
 * and one function per statement builds the graph through the same calls
 * the frontend uses (graph_add_value, graph_add_node, ...).
 *
 * Beyond the printed form the parser accepts what makes tests short:
 * attributes may be left out (they take ONNX's defaults for the graph's
 * opset), a node's output types may be left out (shape inference fills
 * them), and a large constant may be written `zeros`, `fill(V)` or `iota`.
 * A constant printed as a hash (`<1728 x f32, hash ...>`) cannot be read:
 * its values are gone, and silently reading zeros would make a test pass
 * for the wrong reason, so it is an error that says what to write instead.
 *
 * A value may be used before the line that defines it (the verifier's tests
 * need graphs out of order); each use creates a placeholder that the
 * definition fills in, and a placeholder never defined is an error at its
 * first use.  Errors name the file, line and column and show the line with a
 * caret; the first error ends the parse and graph_parse() returns NULL.
 * Garbage in gives a message, never a crash: every count and number is
 * range-checked before it sizes anything.
 */
#include "ir.h"

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_LIST = 2 * VGGC_MAX_RANK, MAX_ATTRS = 16 };
#define MAX_TEXT_CONST ((size_t)256 << 20)     /* bytes of one constant */

/* ---- tokens ------------------------------------------------------------------- */

typedef enum {
    T_EOF,
    T_NL,
    T_WORD,         /* [A-Za-z0-9_.+-]+ : keywords, numbers, dtypes, N, _ */
    T_STRING,       /* "..." */
    T_VAR,          /* %name or %"name" */
    T_AT,           /* @name or @"name" */
    T_PUNCT,        /* : = , ( ) [ ] < > */
} TokKind;

typedef struct {
    TokKind kind;
    const char *text;   /* decoded, NUL-terminated (words, strings, names) */
    char punct;
    int line, col;
    const char *at;     /* where it starts in the source */
} Tok;

typedef struct {
    bool defined;       /* a definition was seen */
    int line, col;      /* first use (placeholder) or definition */
} ValInfo;

typedef struct {
    const char *src, *path;
    const char *p;              /* next unread byte */
    const char *line_start;
    int line;
    Tok tok;                    /* current token */
    Graph *g;
    jmp_buf fail;
    /* name -> value id: open addressing, power-of-two capacity */
    uint32_t *slots;
    uint32_t cap;
    ValInfo *info;              /* by value id */
    uint32_t info_cap;
    bool have_header;
} P;

static VGGC_NORETURN void fail_at(P *p, int line, int col, const char *at, const char *fmt, ...)
    VGGC_PRINTF(5, 6);

/* Reports "vggc: error: PATH:LINE:COL: message", the line and a caret. */
static void fail_at(P *p, int line, int col, const char *at, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "vggc: error: %s:%d:%d: ", p->path, line, col);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (at) {
        const char *ls = at - (col - 1), *le = ls;
        while (*le && *le != '\n')
            le++;
        int len = (int)(le - ls) > 200 ? 200 : (int)(le - ls);
        fprintf(stderr, "  %.*s\n  ", len, ls);
        for (int i = 0; i < col - 1 && i < 200; i++)
            fputc(ls[i] == '\t' ? '\t' : ' ', stderr);
        fputs("^\n", stderr);
    }
    longjmp(p->fail, 1);
}

#define FAIL(p, t, ...) fail_at((p), (t)->line, (t)->col, (t)->at, __VA_ARGS__)

/* Bytes of a word token, and of a bare name (no + or -). */
static bool is_word_char(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '.' || ch == '+' || ch == '-';
}

static bool is_bare_name_char(unsigned char ch)
{
    return is_word_char(ch) && ch != '+' && ch != '-';
}

static int col_of(const P *p, const char *at) { return (int)(at - p->line_start) + 1; }

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* Reads a "..." string starting at p->p (on the quote); decodes escapes. */
static const char *lex_string(P *p)
{
    const char *start = p->p++;
    size_t cap = 32, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        abort();
    for (;;) {
        char ch = *p->p;
        if (ch == 0 || ch == '\n') {
            free(buf);
            fail_at(p, p->line, col_of(p, start), start, "unterminated string");
        }
        p->p++;
        if (ch == '"')
            break;
        if (ch == '\\') {
            char e = *p->p;
            if (e == '"' || e == '\\') {
                p->p++;
                ch = e;
            } else if (e == 'x' && hexval(p->p[1]) >= 0 && hexval(p->p[2]) >= 0) {
                ch = (char)(hexval(p->p[1]) * 16 + hexval(p->p[2]));
                p->p += 3;
                if (ch == 0) {
                    free(buf);
                    fail_at(p, p->line, col_of(p, p->p - 4), p->p - 4, "\\x00 is not allowed in a name");
                }
            } else {
                free(buf);
                fail_at(p, p->line, col_of(p, p->p - 1), p->p - 1,
                        "unknown escape; strings know \\\", \\\\ and \\xHH");
            }
        }
        if (len + 1 >= cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                abort();
            }
            buf = nb;
        }
        buf[len++] = ch;
    }
    char *s = arena_strndup(&p->g->arena, buf, len);
    free(buf);
    return s;
}

/* A name after % or @: bare [A-Za-z0-9_.]+ or quoted. */
static const char *lex_name(P *p, char sigil)
{
    const char *start = p->p;
    if (*p->p == '"')
        return lex_string(p);
    while (is_bare_name_char((unsigned char)*p->p))
        p->p++;
    if (p->p == start)
        fail_at(p, p->line, col_of(p, start), start,
                "expected a name after '%c' ([A-Za-z0-9_.]+ or a quoted string)", sigil);
    return arena_strndup(&p->g->arena, start, (size_t)(p->p - start));
}

/* Advances to the next token. */
static void next(P *p)
{
    for (;;) {
        while (*p->p == ' ' || *p->p == '\t' || *p->p == '\r')
            p->p++;
        if (*p->p == '#')
            while (*p->p && *p->p != '\n')
                p->p++;
        else
            break;
    }
    Tok *t = &p->tok;
    t->at = p->p;
    t->line = p->line;
    t->col = col_of(p, p->p);
    t->text = NULL;
    t->punct = 0;
    unsigned char ch = (unsigned char)*p->p;
    if (ch == 0) {
        t->kind = T_EOF;
    } else if (ch == '\n') {
        t->kind = T_NL;
        p->p++;
        p->line++;
        p->line_start = p->p;
    } else if (ch == '%' || ch == '@') {
        p->p++;
        t->kind = ch == '%' ? T_VAR : T_AT;
        t->text = lex_name(p, (char)ch);
    } else if (ch == '"') {
        t->kind = T_STRING;
        t->text = lex_string(p);
    } else if (is_word_char(ch)) {
        const char *s = p->p;
        while (is_word_char((unsigned char)*p->p))
            p->p++;
        t->kind = T_WORD;
        t->text = arena_strndup(&p->g->arena, s, (size_t)(p->p - s));
    } else if (strchr(":=,()[]<>", ch)) {
        t->kind = T_PUNCT;
        t->punct = (char)ch;
        p->p++;
    } else {
        if (ch >= 0x20 && ch < 0x7f)
            FAIL(p, t, "unexpected character '%c'", ch);
        FAIL(p, t, "unexpected byte 0x%02x", ch);
    }
}

/* "end of line", "'word'", "%name"...: the token for a message. */
static const char *tok_desc(const Tok *t, char *buf, size_t cap)
{
    switch (t->kind) {
    case T_EOF: return "end of file";
    case T_NL: return "end of line";
    case T_WORD: snprintf(buf, cap, "'%.40s'", t->text); return buf;
    case T_STRING: return "a string";
    case T_VAR: snprintf(buf, cap, "%%%.40s", t->text); return buf;
    case T_AT: return "a node name (@...)";
    case T_PUNCT: snprintf(buf, cap, "'%c'", t->punct); return buf;
    }
    return "?";
}

static bool is_punct(const P *p, char ch) { return p->tok.kind == T_PUNCT && p->tok.punct == ch; }
static bool is_word(const P *p, const char *w)
{
    return p->tok.kind == T_WORD && strcmp(p->tok.text, w) == 0;
}

/* The expect_* helpers consume the wanted token or fail naming what came. */
static void expect_punct(P *p, char ch, const char *context)
{
    char buf[64];
    if (!is_punct(p, ch))
        FAIL(p, &p->tok, "expected '%c' %s, got %s", ch, context, tok_desc(&p->tok, buf, sizeof buf));
    next(p);
}

static Tok expect_kind(P *p, TokKind kind, const char *what)
{
    char buf[64];
    if (p->tok.kind != kind)
        FAIL(p, &p->tok, "expected %s, got %s", what, tok_desc(&p->tok, buf, sizeof buf));
    Tok t = p->tok;
    next(p);
    return t;
}

static void expect_eol(P *p)
{
    char buf[64];
    if (p->tok.kind != T_NL && p->tok.kind != T_EOF)
        FAIL(p, &p->tok, "expected end of line, got %s", tok_desc(&p->tok, buf, sizeof buf));
}

/* ---- numbers ------------------------------------------------------------------- */

/* The word_* helpers convert a word token or fail at it: word_i64 takes a
 * decimal integer in [lo, hi], word_f32 anything strtof reads whole (a
 * denormal is fine, an overflow is not), word_bool 0/1/true/false,
 * word_dtype a dtype name. */
static int64_t word_i64(P *p, const Tok *t, int64_t lo, int64_t hi)
{
    char *end;
    errno = 0;
    long long v = strtoll(t->text, &end, 10);
    if (*t->text == 0 || *end != 0)
        FAIL(p, t, "expected an integer, got '%.40s'", t->text);
    if (errno == ERANGE || v < lo || v > hi)
        FAIL(p, t, "%.40s is out of range [%lld, %lld]", t->text, (long long)lo, (long long)hi);
    return v;
}

static float word_f32(P *p, const Tok *t)
{
    char *end;
    errno = 0;
    float v = strtof(t->text, &end);
    if (*t->text == 0 || *end != 0)
        FAIL(p, t, "expected a number, got '%.40s'", t->text);
    if (errno == ERANGE && isinf(v))
        FAIL(p, t, "%.40s is out of range for f32", t->text);
    return v;
}

static double word_f64(P *p, const Tok *t)
{
    char *end;
    errno = 0;
    double v = strtod(t->text, &end);
    if (*t->text == 0 || *end != 0)
        FAIL(p, t, "expected a number, got '%.40s'", t->text);
    if (errno == ERANGE && isinf(v))
        FAIL(p, t, "%.40s is out of range for f64", t->text);
    return v;
}

/* An f16 or bf16 element: its bit pattern, 0x0000..0xffff. */
static uint16_t word_bits16(P *p, const Tok *t)
{
    char *end;
    errno = 0;
    if (strncmp(t->text, "0x", 2) != 0)
        FAIL(p, t, "expected a 16-bit pattern in hex (0x3c00), got '%.40s'", t->text);
    unsigned long v = strtoul(t->text + 2, &end, 16);
    if (t->text[2] == 0 || *end != 0 || errno == ERANGE || v > 0xffff)
        FAIL(p, t, "expected a 16-bit pattern in hex (0x3c00), got '%.40s'", t->text);
    return (uint16_t)v;
}

static bool word_bool(P *p, const Tok *t)
{
    if (!strcmp(t->text, "1") || !strcmp(t->text, "true"))
        return true;
    if (!strcmp(t->text, "0") || !strcmp(t->text, "false"))
        return false;
    FAIL(p, t, "expected 0 or 1, got '%.40s'", t->text);
}

static DType word_dtype(P *p, const Tok *t)
{
    for (int d = DT_UNDEF + 1; d < DT_COUNT; d++)
        if (!strcmp(t->text, dtype_name((DType)d)))
            return (DType)d;
    FAIL(p, t, "expected a dtype (f32, i64, i32, bool, u8, i8, f64, f16, bf16, str), got '%.40s'",
         t->text);
}

/* ---- names -> values ------------------------------------------------------------- */

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void table_insert(P *p, uint32_t id);

static void table_grow(P *p)
{
    uint32_t *old = p->slots, ocap = p->cap;
    p->cap = ocap ? ocap * 2 : 256;
    p->slots = malloc(sizeof(uint32_t) * p->cap);
    if (!p->slots)
        abort();
    for (uint32_t i = 0; i < p->cap; i++)
        p->slots[i] = VGGC_NONE;
    for (uint32_t i = 0; i < ocap; i++)
        if (old[i] != VGGC_NONE)
            table_insert(p, old[i]);
    free(old);
}

/* Indexes value id by its name; the table has a free slot. */
static void table_insert(P *p, uint32_t id)
{
    uint32_t m = p->cap - 1, h = hash_str(p->g->values[id].name) & m;
    while (p->slots[h] != VGGC_NONE)
        h = (h + 1) & m;
    p->slots[h] = id;
}

/* The value named `name`, or VGGC_NONE. */
static uint32_t table_find(const P *p, const char *name)
{
    if (!p->cap)
        return VGGC_NONE;
    uint32_t m = p->cap - 1, h = hash_str(name) & m;
    for (; p->slots[h] != VGGC_NONE; h = (h + 1) & m)
        if (!strcmp(p->g->values[p->slots[h]].name, name))
            return p->slots[h];
    return VGGC_NONE;
}

/* Creates a value, indexes its name and records where it appeared. */
static uint32_t new_value(P *p, const Tok *t, ValueKind kind, DType dt)
{
    uint32_t id = graph_add_value(p->g, t->text, kind, dt);
    if (2 * (p->g->n_values + 1) > p->cap)
        table_grow(p);
    table_insert(p, id);
    if (id >= p->info_cap) {
        uint32_t ncap = p->info_cap ? p->info_cap * 2 : 256;
        ValInfo *ni = realloc(p->info, sizeof(ValInfo) * ncap);
        if (!ni)
            abort();
        p->info = ni;
        p->info_cap = ncap;
    }
    p->info[id] = (ValInfo){.defined = false, .line = t->line, .col = t->col};
    return id;
}

/* A use of %name: the value, or a placeholder to be defined later. */
static uint32_t use_value(P *p, const Tok *t)
{
    uint32_t id = table_find(p, t->text);
    return id != VGGC_NONE ? id : new_value(p, t, VAL_TEMP, DT_UNDEF);
}

/* A definition of %name: a fresh value, or the placeholder an earlier use made. */
static uint32_t define_value(P *p, const Tok *t, ValueKind kind)
{
    uint32_t id = table_find(p, t->text);
    if (id == VGGC_NONE)
        id = new_value(p, t, kind, DT_UNDEF);
    else if (p->info[id].defined)
        FAIL(p, t, "%%%.80s is defined twice (first at line %d)", t->text, p->info[id].line);
    p->info[id] = (ValInfo){.defined = true, .line = t->line, .col = t->col};
    p->g->values[id].kind = kind;
    return id;
}

/* ---- types ---------------------------------------------------------------------------- */

/* dtype ['[' [dim {',' dim}] ']']; dims are N or 0..VGGC_MAX_DIM. */
static bool parse_type(P *p, DType *dt, Shape *s)
{
    Tok t = expect_kind(p, T_WORD, "a dtype (f32, i64, ..., bf16)");
    *dt = word_dtype(p, &t);
    memset(s, 0, sizeof *s);
    if (!is_punct(p, '['))
        return false;
    next(p);
    while (!is_punct(p, ']')) {
        if (s->rank)
            expect_punct(p, ',', "between dims");
        Tok d = expect_kind(p, T_WORD, "a dim (a size or N)");
        if (s->rank == VGGC_MAX_RANK)
            FAIL(p, &d, "rank exceeds %d", VGGC_MAX_RANK);
        s->d[s->rank++] = !strcmp(d.text, "N") ? VGGC_DIM_N : word_i64(p, &d, 0, VGGC_MAX_DIM);
    }
    next(p);
    return true;
}

/* ---- statements: header, input, const, output --------------------------------------------- */

/* graph NAME opset INT [producer STRING] [layout NCHW8c|NCHW16c] */
static void parse_header(P *p)
{
    Tok kw = p->tok;
    if (p->have_header)
        FAIL(p, &kw, "a second 'graph' line");
    next(p);
    if (p->tok.kind != T_STRING && p->tok.kind != T_WORD)
        FAIL(p, &p->tok, "expected the graph's name (a string)");
    p->g->name = p->tok.text;
    next(p);
    if (!is_word(p, "opset"))
        FAIL(p, &p->tok, "expected 'opset' after the graph's name");
    next(p);
    Tok v = expect_kind(p, T_WORD, "the opset version");
    p->g->opset = word_i64(p, &v, 1, 1000);
    if (is_word(p, "producer")) {
        next(p);
        p->g->producer = expect_kind(p, T_STRING, "the producer (a string)").text;
    }
    if (is_word(p, "layout")) {
        next(p);
        Tok l = expect_kind(p, T_WORD, "the blocked layout (NCHW8c or NCHW16c)");
        if (strcmp(l.text, "NCHW8c") == 0)
            p->g->block = 8;
        else if (strcmp(l.text, "NCHW16c") == 0)
            p->g->block = 16;
        else
            FAIL(p, &l, "expected NCHW8c or NCHW16c after 'layout'");
    }
    if (is_word(p, "batch_hint")) {
        next(p);
        Tok b = expect_kind(p, T_WORD, "the batch hint (a positive number)");
        p->g->batch_hint = word_i64(p, &b, 1, VGGC_MAX_DIM);
    }
    expect_eol(p);
    p->have_header = true;
}

/* input %name : TYPE [unread] */
static void parse_input(P *p)
{
    next(p);
    Tok name = expect_kind(p, T_VAR, "a %name");
    uint32_t id = define_value(p, &name, VAL_INPUT);
    expect_punct(p, ':', "before the input's type");
    Value *v = &p->g->values[id];
    v->has_shape = parse_type(p, &v->dtype, &v->shape);
    if (is_word(p, "unread")) {
        next(p);
        v->unread = true;
    }
    expect_eol(p);
    graph_add_input(p->g, id);
}

/* Stores one element given as a word into data[i]. */
static void put_element(P *p, const Tok *t, DType dt, void *data, size_t i)
{
    switch (dt) {
    case DT_FLOAT: { float x = word_f32(p, t); memcpy((char *)data + 4 * i, &x, 4); break; }
    case DT_INT64: {
        int64_t x = !strcmp(t->text, "N") ? VGGC_SYM_N : word_i64(p, t, INT64_MIN + 1, INT64_MAX);
        memcpy((char *)data + 8 * i, &x, 8);
        break;
    }
    case DT_INT32: {
        int32_t x = (int32_t)word_i64(p, t, INT32_MIN, INT32_MAX);
        memcpy((char *)data + 4 * i, &x, 4);
        break;
    }
    case DT_BOOL: ((uint8_t *)data)[i] = word_bool(p, t); break;
    case DT_UINT8: ((uint8_t *)data)[i] = (uint8_t)word_i64(p, t, 0, UINT8_MAX); break;
    case DT_INT8: ((int8_t *)data)[i] = (int8_t)word_i64(p, t, INT8_MIN, INT8_MAX); break;
    case DT_DOUBLE: { double x = word_f64(p, t); memcpy((char *)data + 8 * i, &x, 8); break; }
    case DT_FLOAT16: case DT_BFLOAT16: {
        uint16_t x = word_bits16(p, t);
        memcpy((char *)data + 2 * i, &x, 2);
        break;
    }
    default: VGGC_UNREACHABLE();
    }
}

/* const %name : TYPE = DATA, DATA being [v, ...], zeros, fill(v) or iota. */
static void parse_const(P *p)
{
    next(p);
    Tok name = expect_kind(p, T_VAR, "a %name");
    uint32_t id = define_value(p, &name, VAL_CONST);
    expect_punct(p, ':', "before the constant's type");
    Tok tt = p->tok;
    DType dt;
    Shape s;
    if (!parse_type(p, &dt, &s))
        FAIL(p, &tt, "a constant needs a shape, e.g. f32[2,3] or f32[] for a scalar");
    if (shape_is_batched(&s))
        FAIL(p, &tt, "a constant cannot have the batch dimension N");
    if (dt == DT_STRING)
        FAIL(p, &tt, "a constant cannot be a str tensor (STRING is for inputs, outputs and Cast)");
    size_t numel, bytes;
    if (!shape_numel(&s, 1, &numel) || !size_mul(numel, dtype_size(dt), &bytes) ||
        bytes > MAX_TEXT_CONST)
        FAIL(p, &tt, "constant too large for the text form (at most %zu bytes)", MAX_TEXT_CONST);
    expect_punct(p, '=', "before the constant's data");
    void *data = arena_alloc_aligned(&p->g->arena, bytes, 64);   /* zeroed */
    Tok d = p->tok;
    if (is_punct(p, '[')) {
        next(p);
        size_t n = 0;
        while (!is_punct(p, ']')) {
            if (n)
                expect_punct(p, ',', "between values");
            Tok e = expect_kind(p, T_WORD, "a value");
            if (n == numel)
                FAIL(p, &e, "more values than the %zu of the shape", numel);
            put_element(p, &e, dt, data, n++);
        }
        if (n != numel)
            FAIL(p, &p->tok, "%zu values given, the shape holds %zu", n, numel);
        next(p);
    } else if (is_word(p, "zeros")) {
        next(p);
    } else if (is_word(p, "iota")) {
        if (dt != DT_FLOAT && dt != DT_INT64 && dt != DT_INT32)
            FAIL(p, &d, "iota needs f32, i64 or i32");
        for (size_t i = 0; i < numel; i++) {
            if (dt == DT_FLOAT) { float x = (float)i; memcpy((char *)data + 4 * i, &x, 4); }
            else if (dt == DT_INT64) { int64_t x = (int64_t)i; memcpy((char *)data + 8 * i, &x, 8); }
            else { int32_t x = (int32_t)i; memcpy((char *)data + 4 * i, &x, 4); }
        }
        next(p);
    } else if (is_word(p, "fill")) {
        next(p);
        expect_punct(p, '(', "after fill");
        Tok e = expect_kind(p, T_WORD, "the fill value");
        if (numel)
            put_element(p, &e, dt, data, 0);
        for (size_t i = 1; i < numel; i++)
            memcpy((char *)data + i * dtype_size(dt), data, dtype_size(dt));
        expect_punct(p, ')', "after the fill value");
    } else if (is_punct(p, '<')) {
        FAIL(p, &d, "constant data printed as a count and hash cannot be read back; write the "
             "values ([...]), zeros, fill(V) or iota");
    } else {
        FAIL(p, &d, "expected the constant's data: [...], zeros, fill(V) or iota");
    }
    expect_eol(p);
    Value *v = &p->g->values[id];
    v->dtype = dt;
    v->shape = s;
    v->has_shape = true;
    v->data = data;
    v->nbytes = bytes;
}

/* output %name */
static void parse_output(P *p)
{
    next(p);
    Tok name = expect_kind(p, T_VAR, "a %name");
    graph_add_output(p->g, use_value(p, &name));
    expect_eol(p);
}

/* ---- attributes -------------------------------------------------------------------------------- */

typedef struct {
    Tok key;
    bool is_list;
    int n;
    Tok item[MAX_LIST];     /* the value (n = 1) or the list's entries */
    bool used;
} RawAttr;

typedef struct {
    RawAttr a[MAX_ATTRS];
    int n;
} RawAttrs;

/* key=value or key=[v, ...] until '@' or end of line. */
static void parse_raw_attrs(P *p, RawAttrs *ra)
{
    while (p->tok.kind == T_WORD) {
        if (ra->n == MAX_ATTRS)
            FAIL(p, &p->tok, "more than %d attributes", MAX_ATTRS);
        RawAttr *r = &ra->a[ra->n];
        memset(r, 0, sizeof *r);
        r->key = p->tok;
        for (int i = 0; i < ra->n; i++)
            if (!strcmp(ra->a[i].key.text, r->key.text))
                FAIL(p, &r->key, "attribute '%.40s' is given twice", r->key.text);
        next(p);
        expect_punct(p, '=', "after the attribute's name");
        if (is_punct(p, '[')) {
            r->is_list = true;
            next(p);
            while (!is_punct(p, ']')) {
                if (r->n)
                    expect_punct(p, ',', "between list entries");
                Tok e = expect_kind(p, T_WORD, "a list entry");
                if (r->n == MAX_LIST)
                    FAIL(p, &e, "more than %d entries", MAX_LIST);
                r->item[r->n++] = e;
            }
            next(p);
        } else {
            r->item[0] = expect_kind(p, T_WORD, "the attribute's value");
            r->n = 1;
        }
        ra->n++;
    }
}

static RawAttr *find(RawAttrs *ra, const char *key)
{
    for (int i = 0; i < ra->n; i++)
        if (!strcmp(ra->a[i].key.text, key))
            return &ra->a[i];
    return NULL;
}

/* find(), marking the attribute as consumed by the op. */
static RawAttr *take(RawAttrs *ra, const char *key)
{
    RawAttr *r = find(ra, key);
    if (r)
        r->used = true;
    return r;
}

/* The single value of attribute r, failing when it is a list. */
static const Tok *scalar(P *p, RawAttr *r)
{
    if (r->is_list)
        FAIL(p, &r->key, "attribute '%s' takes a single value, not a list", r->key.text);
    return &r->item[0];
}

static void list_only(P *p, RawAttr *r)
{
    if (!r->is_list)
        FAIL(p, &r->key, "attribute '%s' takes a list [...]", r->key.text);
}

/* a_int, a_bool, a_float: when attribute `key` is given, consume it and
 * store its value in *out; otherwise leave the default in *out. */
static void a_int(P *p, RawAttrs *ra, const char *key, int64_t *out)
{
    RawAttr *r = take(ra, key);
    if (r)
        *out = word_i64(p, scalar(p, r), INT64_MIN, INT64_MAX);
}

static void a_bool(P *p, RawAttrs *ra, const char *key, bool *out)
{
    RawAttr *r = take(ra, key);
    if (r)
        *out = word_bool(p, scalar(p, r));
}

static void a_float(P *p, RawAttrs *ra, const char *key, float *out)
{
    RawAttr *r = take(ra, key);
    if (r)
        *out = word_f32(p, scalar(p, r));
}

static void a_double(P *p, RawAttrs *ra, const char *key, double *out)
{
    RawAttr *r = take(ra, key);
    if (r)
        *out = word_f64(p, scalar(p, r));
}

/* Attribute `key` as a list of at most max entries, consumed; NULL when
 * absent. */
static RawAttr *a_list(P *p, RawAttrs *ra, const char *key, int max)
{
    RawAttr *r = take(ra, key);
    if (!r)
        return NULL;
    list_only(p, r);
    if (r->n > max)
        FAIL(p, &r->key, "attribute '%s' has %d entries, at most %d", key, r->n, max);
    return r;
}

/* A list of at most max ints; returns its length, -1 when absent. */
static int a_ints(P *p, RawAttrs *ra, const char *key, int64_t *out, int max)
{
    RawAttr *r = a_list(p, ra, key, max);
    if (!r)
        return -1;
    for (int i = 0; i < r->n; i++)
        out[i] = word_i64(p, &r->item[i], INT64_MIN, INT64_MAX);
    return r->n;
}

/* A list of at most max floats; returns its length, -1 when absent. */
static int a_floats(P *p, RawAttrs *ra, const char *key, float *out, int max)
{
    RawAttr *r = a_list(p, ra, key, max);
    if (!r)
        return -1;
    for (int i = 0; i < r->n; i++)
        out[i] = word_f32(p, &r->item[i]);
    return r->n;
}

/* One of Resize's words: names(i) for i < count. */
static int word_enum(P *p, RawAttrs *ra, const char *key, const char *(*names)(int), int count,
                     int dflt)
{
    RawAttr *r = take(ra, key);
    if (!r)
        return dflt;
    const Tok *t = scalar(p, r);
    for (int i = 0; i < count; i++)
        if (!strcmp(t->text, names(i)))
            return i;
    FAIL(p, t, "'%.40s' is not a %s (expected %s, ...)", t->text, key, names(0));
}

static const char *mode_word(int i) { return resize_mode_name((ResizeMode)i); }
static const char *coord_word(int i) { return resize_coord_name((ResizeCoord)i); }
static const char *nearest_word(int i) { return nearest_mode_name((NearestMode)i); }

/* Resize: mode, coord, nearest, cubic_a, exclude_outside, extrapolation,
 * roi (2n floats: starts, then ends) and scales or sizes (n each). */
static void resize_attrs(P *p, RawAttrs *ra, ResizeAttr *a)
{
    a->mode = (ResizeMode)word_enum(p, ra, "mode", mode_word, RESIZE_MODE_COUNT, RESIZE_NEAREST);
    a->coord = (ResizeCoord)word_enum(p, ra, "coord", coord_word, COORD_COUNT, COORD_HALF_PIXEL);
    a->nearest = (NearestMode)word_enum(p, ra, "nearest", nearest_word, NEAREST_COUNT,
                                        NEAREST_ROUND_PREFER_FLOOR);
    a->cubic_a = -0.75f;
    a_float(p, ra, "cubic_a", &a->cubic_a);
    a_bool(p, ra, "exclude_outside", &a->exclude_outside);
    a_float(p, ra, "extrapolation", &a->extrapolation);
    RawAttr *sc = find(ra, "scales"), *sz = find(ra, "sizes");
    if (!sc == !sz)
        FAIL(p, sc ? &sc->key : sz ? &sz->key : &p->tok, "Resize takes one of scales=[...] and "
             "sizes=[...]");
    a->has_sizes = sz != NULL;
    a->n = a->has_sizes ? a_ints(p, ra, "sizes", a->sizes, VGGC_MAX_RANK)
                        : a_floats(p, ra, "scales", a->scales, VGGC_MAX_RANK);
    float roi[2 * VGGC_MAX_RANK];
    RawAttr *r = find(ra, "roi");
    int nr = a_floats(p, ra, "roi", roi, 2 * VGGC_MAX_RANK);
    if (nr >= 0 && nr != 2 * a->n)
        FAIL(p, &r->key, "roi has %d entries; expected %d (a start and an end per axis)", nr,
             2 * a->n);
    for (int i = 0; i < a->n; i++) {
        a->roi[i] = nr > 0 ? roi[i] : 0.0f;
        a->roi[VGGC_MAX_RANK + i] = nr > 0 ? roi[a->n + i] : 1.0f;
    }
}

/* NOTSET, VALID, SAME_UPPER or SAME_LOWER. */
static AutoPad word_autopad(P *p, const Tok *t)
{
    static const char *names[] = {"NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(t->text, names[i]))
            return (AutoPad)i;
    FAIL(p, t, "expected NOTSET, VALID, SAME_UPPER or SAME_LOWER, got '%.40s'", t->text);
}

/* constant, reflect, edge or wrap. */
static PadMode word_pad_mode(P *p, const Tok *t)
{
    for (int i = 0; i < PAD_COUNT; i++)
        if (!strcmp(t->text, pad_mode_name((PadMode)i)))
            return (PadMode)i;
    FAIL(p, t, "expected constant, reflect, edge or wrap, got '%.40s'", t->text);
}

/* kernel/stride/dilation with nsp entries, pad with 2*nsp; nsp from the
 * lists given (2 when none).  1-D keeps its axis in index 1, 3-D its first
 * axis in the depth fields (window_set_axis). */
static void window_attrs(P *p, RawAttrs *ra, WindowAttr *w, OpKind op)
{
    static const char *keys[] = {"kernel", "stride", "dilation", "pad"};
    int64_t v[4][6];
    int n[4], nsp = 0;
    const Tok *first = NULL;
    for (int k = 0; k < 4; k++) {
        RawAttr *r = find(ra, keys[k]);
        n[k] = a_ints(p, ra, keys[k], v[k], 6);
        if (n[k] < 0)
            continue;
        int per = k == 3 ? 2 : 1;
        if (n[k] % per || n[k] == 0 || n[k] / per > 3)
            FAIL(p, &r->key, "'%s' needs %s entries", keys[k], k == 3 ? "2, 4 or 6" : "1 to 3");
        if (nsp && n[k] / per != nsp)
            FAIL(p, &r->key, "'%s' is for %d spatial dims but '%s' was for %d", keys[k],
                 n[k] / per, first->text, nsp);
        if (!nsp) {
            nsp = n[k] / per;
            first = &r->key;
        }
    }
    if (!nsp)
        nsp = 2;
    memset(w, 0, sizeof *w);
    w->nsp = nsp;
    w->group = 1;
    for (int a = 0; a < 2; a++)
        w->stride[a] = w->dilation[a] = 1;
    w->stride_d = w->dilation_d = 1;
    w->kernel_d = nsp < 3 || n[0] > 0 ? 1 : 0;
    if (nsp == 1)
        w->kernel[0] = 1;
    for (int i = 0; i < nsp; i++) {
        WindowAxis a = window_axis(w, i);
        if (n[0] > 0)
            a.kernel = v[0][i];
        if (n[1] > 0)
            a.stride = v[1][i];
        if (n[2] > 0)
            a.dilation = v[2][i];
        if (n[3] > 0) {
            a.pad_begin = v[3][i];
            a.pad_end = v[3][nsp + i];
        }
        window_set_axis(w, i, a);
    }
    w->has_kernel = n[0] > 0;
    RawAttr *r = take(ra, "auto_pad");
    if (r)
        w->auto_pad = word_autopad(p, scalar(p, r));
    if (op == OP_CONV || op == OP_CONV_TRANSPOSE)
        a_int(p, ra, "group", &w->group);
    else
        a_bool(p, ra, "ceil_mode", &w->ceil_mode);
    if (op == OP_AVGPOOL)
        a_bool(p, ra, "count_include_pad", &w->count_include_pad);
    if (op == OP_MAXPOOL)
        a_bool(p, ra, "storage_order", &w->storage_order);
    if (op == OP_CONV_TRANSPOSE) {
        static const char *const lists[2] = {"out_pad", "out_shape"};
        int64_t *dst[2] = {w->out_pad, w->out_shape};
        for (int k = 0; k < 2; k++) {
            RawAttr *l = find(ra, lists[k]);
            int got = a_ints(p, ra, lists[k], dst[k], 3);
            if (got >= 0 && got != nsp)
                FAIL(p, &l->key, "'%s' needs %d entries, one per spatial dim", lists[k], nsp);
        }
        w->has_out_shape = find(ra, "out_shape") != NULL;
    }
}

/* Fills n->attr: ONNX's defaults for the graph's opset, then what was given. */
/* A layout's name, failing on anything else. */
static Layout word_layout(P *p, const Tok *t)
{
    for (int l = 0; l < LAYOUT_COUNT; l++)
        if (!strcmp(t->text, layout_name((Layout)l)))
            return (Layout)l;
    FAIL(p, t, "unknown layout '%.40s' (plain, nhwc, blocked)", t->text);
}

/* The fusion and layout attributes any node may carry (print.c's
 * print_epilogue); they are taken before the op's own. */
static void apply_epilogue(P *p, Node *n, RawAttrs *ra)
{
    Epilogue *e = &n->epi;
    RawAttr *r = take(ra, "act");
    if (r) {
        const Tok *t = scalar(p, r);
        int a = 1;
        while (a < ACT_COUNT && strcmp(t->text, act_name((ActKind)a)))
            a++;
        if (a == ACT_COUNT)
            FAIL(p, t, "unknown activation '%.40s'", t->text);
        e->act = (ActKind)a;
    }
    a_float(p, ra, "act_min", &e->alpha);
    a_float(p, ra, "act_max", &e->beta);
    a_float(p, ra, "act_alpha", &e->alpha);
    a_int(p, ra, "pool_k", &e->pool_k);
    a_int(p, ra, "pool_s", &e->pool_s);
    a_bool(p, ra, "softmax", &e->softmax);
    a_bool(p, ra, "mean_input", &e->mean_input);
    if ((r = take(ra, "in_layout")))
        n->in_layout = word_layout(p, scalar(p, r));
    if ((r = take(ra, "out_layout")))
        n->out_layout = word_layout(p, scalar(p, r));
}

static void apply_attrs(P *p, Node *n, RawAttrs *ra)
{
    Attr *a = &n->attr;
    memset(a, 0, sizeof *a);
    RawAttr *r;
    switch (n->op) {
    case OP_CONV: case OP_CONV_TRANSPOSE: case OP_MAXPOOL: case OP_AVGPOOL:
        window_attrs(p, ra, &a->win, n->op);
        break;
    case OP_REDUCE_MEAN: case OP_REDUCE_MAX: case OP_REDUCE_SUM: case OP_REDUCE_MIN:
    case OP_REDUCE_PROD: case OP_REDUCE_SUM_SQUARE: case OP_REDUCE_L1:
    case OP_REDUCE_L2: case OP_REDUCE_LOG_SUM: case OP_REDUCE_LOG_SUM_EXP:
        a->axes.keepdims = true;
        a->axes.n_axes = a_ints(p, ra, "axes", a->axes.axes, VGGC_MAX_RANK);
        if (a->axes.n_axes < 0)
            a->axes.n_axes = 0;
        a_bool(p, ra, "keepdims", &a->axes.keepdims);
        a_bool(p, ra, "noop_with_empty_axes", &a->axes.noop_with_empty_axes);
        break;
    case OP_SQUEEZE: case OP_UNSQUEEZE:
        a->axes.n_axes = a_ints(p, ra, "axes", a->axes.axes, VGGC_MAX_RANK);
        if (a->axes.n_axes < 0)
            a->axes.n_axes = 0;
        break;
    case OP_TRANSPOSE:
        a->perm.n_perm = a_ints(p, ra, "perm", a->perm.perm, VGGC_MAX_RANK);
        if (a->perm.n_perm < 0)
            a->perm.n_perm = 0;
        break;
    case OP_FLATTEN:
        a->axis = 1;
        a_int(p, ra, "axis", &a->axis);
        break;
    case OP_GATHER: case OP_GATHER_ELEMENTS:
        a_int(p, ra, "axis", &a->axis);
        break;
    case OP_CONCAT:
        if (!find(ra, "axis"))
            FAIL(p, &p->tok, "Concat needs axis=");
        a_int(p, ra, "axis", &a->axis);
        break;
    case OP_RESHAPE:
        a_bool(p, ra, "allowzero", &a->reshape.allowzero);
        break;
    case OP_MOD:
        a_bool(p, ra, "fmod", &a->mod.fmod);
        break;
    case OP_GEMM:
        a->gemm.alpha = a->gemm.beta = 1.0f;
        a_float(p, ra, "alpha", &a->gemm.alpha);
        a_float(p, ra, "beta", &a->gemm.beta);
        a_bool(p, ra, "trans_a", &a->gemm.trans_a);
        a_bool(p, ra, "trans_b", &a->gemm.trans_b);
        break;
    case OP_BATCHNORM: case OP_INSTANCE_NORM:
        a->bn.epsilon = 1e-5f;
        a_float(p, ra, "epsilon", &a->bn.epsilon);
        break;
    case OP_LAYER_NORM:
        a->ln.axis = -1;
        a->ln.epsilon = 1e-5f;
        a_int(p, ra, "axis", &a->ln.axis);
        a_float(p, ra, "epsilon", &a->ln.epsilon);
        break;
    case OP_SOFTMAX: case OP_LOG_SOFTMAX:
        a->softmax.coerce_2d = p->g->opset < 13;
        a->softmax.axis = p->g->opset < 13 ? 1 : -1;
        a_int(p, ra, "axis", &a->softmax.axis);
        a_bool(p, ra, "coerce_2d", &a->softmax.coerce_2d);
        break;
    case OP_CLIP:
        a->clip.min = -INFINITY;
        a->clip.max = INFINITY;
        a_float(p, ra, "min", &a->clip.min);
        a_float(p, ra, "max", &a->clip.max);
        break;
    case OP_LEAKY_RELU:
        a->alpha.alpha = 0.01f;
        a_float(p, ra, "alpha", &a->alpha.alpha);
        break;
    case OP_ELU: case OP_THRESHOLDED_RELU:
        a->alpha.alpha = 1.0f;
        a_float(p, ra, "alpha", &a->alpha.alpha);
        break;
    case OP_SLICE: {
        int len[4];
        len[0] = a_ints(p, ra, "starts", a->slice.starts, VGGC_MAX_RANK);
        len[1] = a_ints(p, ra, "ends", a->slice.ends, VGGC_MAX_RANK);
        len[2] = a_ints(p, ra, "axes", a->slice.axes, VGGC_MAX_RANK);
        len[3] = a_ints(p, ra, "steps", a->slice.steps, VGGC_MAX_RANK);
        if (len[0] < 0 || len[1] != len[0] || len[2] != len[0] || len[3] != len[0])
            FAIL(p, &p->tok, "Slice needs starts, ends, axes and steps, of one length");
        a->slice.n = len[0];
        break;
    }
    case OP_SPLIT:
        a_int(p, ra, "axis", &a->split.axis);
        a->split.n = a_ints(p, ra, "split", a->split.sizes, VGGC_MAX_SPLIT);
        if (a->split.n < 0)
            a->split.n = 0;
        break;
    case OP_CONSTANT_OF_SHAPE:
        a->fill.to = DT_FLOAT;
        if ((r = take(ra, "to")))
            a->fill.to = word_dtype(p, scalar(p, r));
        if (a->fill.to == DT_FLOAT || a->fill.to == DT_DOUBLE)
            a_double(p, ra, "value", &a->fill.f);
        else
            a_int(p, ra, "value", &a->fill.i);
        break;
    case OP_ARGMAX: case OP_ARGMIN:
        a->arg.keepdims = true;
        a_int(p, ra, "axis", &a->arg.axis);
        a_bool(p, ra, "keepdims", &a->arg.keepdims);
        a_bool(p, ra, "select_last_index", &a->arg.select_last);
        break;
    case OP_SELU:
        a->selu.alpha = 1.67326319217681884765625f;
        a->selu.gamma = 1.05070102214813232421875f;
        a_float(p, ra, "alpha", &a->selu.alpha);
        a_float(p, ra, "gamma", &a->selu.gamma);
        break;
    case OP_HARD_SIGMOID:
        a->hsig.alpha = 0.2f;
        a->hsig.beta = 0.5f;
        a_float(p, ra, "alpha", &a->hsig.alpha);
        a_float(p, ra, "beta", &a->hsig.beta);
        break;
    case OP_LRN:
        a->lrn.alpha = 1e-4f;
        a->lrn.beta = 0.75f;
        a->lrn.bias = 1.0f;
        if (!(r = take(ra, "size")))
            FAIL(p, &p->tok, "LRN needs size=");
        a->lrn.size = word_i64(p, scalar(p, r), INT64_MIN, INT64_MAX);
        a_float(p, ra, "alpha", &a->lrn.alpha);
        a_float(p, ra, "beta", &a->lrn.beta);
        a_float(p, ra, "bias", &a->lrn.bias);
        break;
    case OP_CAST:
        if (!(r = take(ra, "to")))
            FAIL(p, &p->tok, "Cast needs to=");
        a->cast.to = word_dtype(p, scalar(p, r));
        break;
    case OP_SHAPE:
        a_int(p, ra, "start", &a->shape.start);
        if (find(ra, "end")) {
            a_int(p, ra, "end", &a->shape.end);
            a->shape.has_end = true;
        }
        break;
    case OP_RESIZE:
        resize_attrs(p, ra, &a->resize);
        break;
    case OP_PAD: {
        int np = a_ints(p, ra, "pads", a->pad.pads, 2 * VGGC_MAX_RANK);
        if (np > 0 && np % 2)
            FAIL(p, &find(ra, "pads")->key, "pads needs an even number of entries (begins, then ends)");
        if ((r = take(ra, "mode")))
            a->pad.mode = word_pad_mode(p, scalar(p, r));
        a_float(p, ra, "value", &a->pad.value);
        break;
    }
    case OP_RELU: case OP_GLOBAL_AVGPOOL: case OP_GLOBAL_MAXPOOL: case OP_MATMUL: case OP_ADD:
    case OP_SUB: case OP_MUL: case OP_DIV: case OP_DROPOUT: case OP_IDENTITY: case OP_CONSTANT:
    case OP_SIGMOID: case OP_SUM: case OP_PRELU: case OP_TANH: case OP_HARD_SWISH:
    case OP_CAST_LIKE: case OP_UPSAMPLE: case OP_ABS: case OP_NEG: case OP_EXP: case OP_LOG: case OP_SQRT:
    case OP_RECIPROCAL: case OP_CEIL: case OP_FLOOR: case OP_ROUND: case OP_SIGN: case OP_ERF:
    case OP_SIN: case OP_COS: case OP_SOFTPLUS: case OP_SOFTSIGN: case OP_MAX: case OP_MIN:
    case OP_POW:
    case OP_SIZE: case OP_COUNT:
        break;
    }
    _Static_assert(OP_COUNT == 82, "the parser knows every op's attributes");
    for (int i = 0; i < ra->n; i++)
        if (!ra->a[i].used)
            FAIL(p, &ra->a[i].key, "%s has no attribute '%.40s'", op_name(n->op), ra->a[i].key.text);
}

/* ---- statements: nodes --------------------------------------------------------------------------- */

/* OUT {, OUT} = Op(ARG {, ARG}) {ATTR} [@name]; OUT is _ or %name [: TYPE]. */
static void parse_node(P *p)
{
    uint32_t outs[256], ins[256];
    uint32_t n_out = 0, n_in = 0;
    struct { bool typed, has_shape; DType dt; Shape s; } ot[256];
    Tok first = p->tok;
    for (;;) {
        if (n_out == 255)
            FAIL(p, &p->tok, "too many outputs");
        if (is_word(p, "_")) {
            next(p);
            ot[n_out].typed = false;
            outs[n_out++] = VGGC_NONE;
        } else {
            Tok name = expect_kind(p, T_VAR, "an output (%name or _)");
            for (uint32_t i = 0; i < n_out; i++)
                if (outs[i] != VGGC_NONE && !strcmp(p->g->values[outs[i]].name, name.text))
                    FAIL(p, &name, "%%%.80s is an output twice", name.text);
            outs[n_out] = define_value(p, &name, VAL_TEMP);
            ot[n_out].typed = false;
            if (is_punct(p, ':')) {
                next(p);
                ot[n_out].typed = true;
                ot[n_out].has_shape = parse_type(p, &ot[n_out].dt, &ot[n_out].s);
            }
            n_out++;
        }
        if (!is_punct(p, ','))
            break;
        next(p);
    }
    expect_punct(p, '=', "after the node's outputs");
    Tok opt = expect_kind(p, T_WORD, "an op name");
    OpKind op = op_lookup(opt.text);
    if (op == OP_COUNT)
        FAIL(p, &opt, "unknown op '%.40s'", opt.text);
    expect_punct(p, '(', "after the op name");
    while (!is_punct(p, ')')) {
        if (n_in)
            expect_punct(p, ',', "between inputs");
        if (n_in == 255)
            FAIL(p, &p->tok, "too many inputs");
        if (is_word(p, "_")) {
            next(p);
            ins[n_in++] = VGGC_NONE;
        } else {
            Tok name = expect_kind(p, T_VAR, "an input (%name or _)");
            ins[n_in++] = use_value(p, &name);
        }
    }
    next(p);
    const OpInfo *oi = &op_info[op];
    if (n_in < oi->min_in || n_in > oi->max_in)
        FAIL(p, &opt, "%s takes %u to %u inputs, got %u", oi->name, oi->min_in, oi->max_in, n_in);
    if (n_out < oi->min_out || n_out > oi->max_out)
        FAIL(p, &first, "%s has %u to %u outputs, got %u", oi->name, oi->min_out, oi->max_out, n_out);
    RawAttrs ra = {.n = 0};
    parse_raw_attrs(p, &ra);
    const char *name = NULL;
    if (p->tok.kind == T_AT) {
        name = p->tok.text;
        next(p);
    }
    expect_eol(p);
    uint32_t id = graph_add_node(p->g, op, name, n_in, ins, n_out, outs);
    apply_epilogue(p, &p->g->nodes[id], &ra);
    apply_attrs(p, &p->g->nodes[id], &ra);
    if (outs[0] != VGGC_NONE)
        p->g->values[outs[0]].layout = p->g->nodes[id].out_layout;
    for (uint32_t i = 0; i < n_out; i++) {
        if (outs[i] == VGGC_NONE || !ot[i].typed)
            continue;
        Value *v = &p->g->values[outs[i]];
        v->dtype = ot[i].dt;
        v->has_shape = ot[i].has_shape;
        v->shape = ot[i].s;
    }
}

/* ---- the file ---------------------------------------------------------------------------------- */

static void parse_file(P *p)
{
    next(p);
    for (;;) {
        Tok t = p->tok;
        if (t.kind == T_EOF)
            break;
        if (t.kind == T_NL) {
            next(p);
            continue;
        }
        if (!p->have_header && !is_word(p, "graph"))
            FAIL(p, &t, "expected the header line: graph \"NAME\" opset N");
        if (is_word(p, "graph"))
            parse_header(p);
        else if (is_word(p, "input"))
            parse_input(p);
        else if (is_word(p, "const"))
            parse_const(p);
        else if (is_word(p, "output"))
            parse_output(p);
        else if (t.kind == T_VAR || is_word(p, "_"))
            parse_node(p);
        else {
            char buf[64];
            FAIL(p, &t, "expected a statement (graph, input, const, output or a node), got %s",
                 tok_desc(&t, buf, sizeof buf));
        }
    }
    if (!p->have_header)
        fail_at(p, p->line, 1, NULL, "empty file: expected the header line: graph \"NAME\" opset N");
    for (uint32_t id = 0; id < p->g->n_values; id++)
        if (!p->info[id].defined) {
            /* Re-find the line of the first use to show it. */
            const char *ls = p->src;
            for (int l = 1; l < p->info[id].line && *ls; ls++)
                if (*ls == '\n')
                    l++;
            fail_at(p, p->info[id].line, p->info[id].col, ls + p->info[id].col - 1,
                    "%%%.80s is used but never defined", p->g->values[id].name);
        }
}

/* See ir.h and docs/ir.md section 8.  The error path longjmps here from
 * any depth; everything allocated belongs to the graph (freed whole) or
 * to P (freed below). */
Graph *graph_parse(const char *text, const char *path)
{
    P *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    p->src = text;
    p->path = path ? path : "<text>";
    p->p = p->line_start = text;
    p->line = 1;
    p->g = graph_new(p->path);
    p->g->opset = 0;
    Graph *result = NULL;
    if (setjmp(p->fail) == 0) {
        parse_file(p);
        result = p->g;
    } else {
        graph_free(p->g);
    }
    free(p->slots);
    free(p->info);
    free(p);
    return result;
}
