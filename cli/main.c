/* main.c — the vggc command line: the whole pipeline, one function a command.
 *
 *   compile: import -> passes -> plan -> C files + weights, written atomically
 *            (--emit obj|llvm-ir: the LLVM backend's object or IR + NAME.h)
 *   run:     import -> passes -> plan -> LLVM JIT -> outputs (run.c)
 *   inspect: import -> passes -> a Keras-style summary of the layers
 *            (--dot/--svg: the graph as a Graphviz picture, inspect.c)
 *
 * Exit codes (DESIGN.md §3): 0 success; 1 bad or unsupported model or
 * input; 2 usage; 3 internal error.  Only this file calls exit().
 */
#include "cli.h"
#include "emit_c.h"
#include "emit_llvm.h"
#include "frontend.h"
#include "passes.h"
#include "plan.h"
#include "vggrt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: vggc COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  compile MODEL.onnx [-o DIR] [--name NAME] [--emit c|obj|llvm-ir] [--batch N] [-O0..-O3]\n"
    "                     [--batch-hint N] [--dump-ir[=PASS]] [--time-passes]\n"
    "                     [--disable-pass NAME] [--force]\n"
    "                     [--target native|x86-64-v4|x86-64-v3|generic] [--bind NAME=FILE ...]\n"
    "      write NAME.c, NAME.h, NAME.weights, main.c and a Makefile into DIR\n"
    "      (default: ./NAME); `make -C DIR` builds the program DIR/NAME.\n"
    "      --emit obj: NAME.o + NAME.h + NAME.weights (LLVM); llvm-ir: NAME.ll\n"
    "      --target: the CPU to compile for (default: this one)\n"
    "      --batch N: fix a symbolic batch to N; --batch-hint N: keep it, but choose\n"
    "      the kernels for batches of N (run and bench choose for the batch they run)\n"
    "  run MODEL.onnx --input FILE [--input ...] [--output FILE ...] [--top K] [--threads N]\n"
    "                 [--preprocess tf|caffe|torch|none] [--labels FILE] [--json]\n"
    "                 [-O0..-O3] [--bench N] [--no-cache] [--target CPU] [--bind NAME=FILE ...]\n"
    "      compile through LLVM for this CPU and run; inputs and outputs are .npy or\n"
    "      ONNX TensorProto .pb, one --input per graph input in the model's order\n"
    "      (bound inputs left out; a sequence or optional is an ONNX SequenceProto or\n"
    "      OptionalProto .pb); without --output, print shapes and top classes.\n"
    "      Inputs may be PNG/JPEG images instead (one batch; --preprocess required):\n"
    "      resized to the model's input, NCHW or NHWC as it declares, and scaled;\n"
    "      --labels names the classes (one a line); --json prints one JSON document\n"
    "  bench MODEL.onnx [--batch N] [--iters N] [--warmup N] [--threads N] [--backend jit|c]\n"
    "                   [--profile] [--json] [-O0..-O3] [--target CPU] [--no-cache]\n"
    "                   [--bind NAME=FILE ...]\n"
    "      time the model on a seeded input: median, images/s, effective GFLOP/s;\n"
    "      --profile: each layer's kernel, ms, GFLOP/s and share of the total\n"
    "  inspect MODEL.onnx [--after-passes] [--dot FILE.dot] [--svg FILE.svg] [--force]\n"
    "                     [--bind NAME=FILE ...] [--target CPU] [--batch-hint N]\n"
    "      print the network's layers, output shapes and parameter counts; with\n"
    "      --after-passes, the fused layers, layouts, kernels and the arena\n"
    "      (the blocked layout is --target's: NCHW16c with AVX-512, else NCHW8c;\n"
    "      the kernels are those for batches of --batch-hint, default 1);\n"
    "      --dot: the graph for Graphviz (of the fused layers with --after-passes);\n"
    "      --svg: the same drawn by Graphviz's dot, which must be on PATH; FILE '-':\n"
    "      standard output, which then carries the graph alone\n"
    "\n"
    "options for every command:\n"
    "  --bind NAME=FILE  fix graph input NAME to the array in FILE (.npy or .pb) at compile\n"
    "              time: it becomes a constant and is no longer an input of the compiled\n"
    "              model; for shape operands that are graph inputs (Reshape's shape, axes,\n"
    "              pads, Dropout's training_mode).  Repeatable, one per input\n"
    "  -v          say what each stage does (-vv: more)\n"
    "  -q, --quiet no progress display (shown only when stderr is a terminal)\n"
    "  --help      this text; --version: the version\n";

VGGC_NORETURN static void usage_error(const char *fmt, const char *arg)
{
    exit(usage(fmt, arg));
}

/* The file's stem as a C identifier: "models/vgg16-head.onnx" -> "vgg16_head". */
static char *model_stem(Arena *a, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    return c_identifier(a, arena_strndup(a, base, len));
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Parses "-O2" style levels. */
static bool parse_level(const char *a, int *level)
{
    if (a[0] == '-' && a[1] == 'O' && a[2] >= '0' && a[2] <= '3' && a[3] == 0) {
        *level = a[2] - '0';
        return true;
    }
    return false;
}

static int64_t parse_positive(const char *s, const char *what)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < 1 || v > (1LL << 30))
        usage_error(what, s);
    return v;
}

Graph *import_model(const char *path, const ImportOptions *io)
{
    struct stat st;
    progress_begin("importing", "imported", base_name(path),
                   stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0);
    Graph *g = onnx_import(path, io);
    if (!g) {
        progress_abort();
        return NULL;
    }
    progress_end();
    return g;
}

bool optimize_model(Graph *g, const char *path, const PassOptions *po)
{
    progress_begin("optimizing", "optimized", base_name(path), 0);
    if (!passes_run(g, po)) {
        progress_abort();
        return false;
    }
    progress_end();
    return true;
}

Graph *load_model(const char *path, const ImportOptions *io, const PassOptions *po)
{
    Graph *g = import_model(path, io);
    if (g && !optimize_model(g, path, po)) {
        graph_free(g);
        return NULL;
    }
    return g;
}

/* The weights file a piece at a time (plan_weights_piece): the payload is
 * never held whole beside the graph's constants it is made of (730 MB for
 * vgg16, whose 3x3 filters grow 4x in Winograd's transform). */
enum { WEIGHTS_PIECE = 4 << 20 };
typedef struct {
    const Plan *p;
    unsigned char header[VGGRT_WEIGHTS_HEADER];
    unsigned char *piece;   /* WEIGHTS_PIECE bytes */
} WeightsFile;

static size_t weights_piece(const WeightsFile *w, uint64_t off)
{
    uint64_t left = w->p->weights_size - off;
    size_t n = left < WEIGHTS_PIECE ? (size_t)left : WEIGHTS_PIECE;
    plan_weights_piece(w->p, off, n, w->piece);
    return n;
}

static uint64_t weights_checksum(const WeightsFile *w)
{
    vggrt_checksum_state st;
    vggrt_checksum_init(&st);
    for (uint64_t off = 0; off < w->p->weights_size; off += WEIGHTS_PIECE)
        vggrt_checksum_update(&st, w->piece, weights_piece(w, off));
    return vggrt_checksum_final(&st);
}

static bool produce_weights(const void *ctx, OutSink sink, void *state)
{
    const WeightsFile *w = ctx;
    if (!sink(state, w->header, sizeof w->header))
        return false;
    for (uint64_t off = 0; off < w->p->weights_size; off += WEIGHTS_PIECE)
        if (!sink(state, w->piece, weights_piece(w, off)))
            return false;
    return true;
}

/* write_outputs as a step the user sees: 0, or 1 after reporting. */
static int write_files(const char *dir, const OutFile *files, size_t n, bool force)
{
    uint64_t bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += files[i].size;
    progress_begin("writing", "wrote", dir, bytes);
    if (!write_outputs(dir, files, n, force)) {
        progress_abort();
        return 1;
    }
    progress_end();
    return 0;
}

static int cmd_compile(int argc, char **argv)
{
    const char *model = NULL, *out_dir = NULL, *name = NULL, *emit = "c", *dump = NULL;
    const char *target = NULL;
    const char *disabled[64];
    int n_disabled = 0;
    bool force = false;
    ImportOptions io = {0};
    Binds binds = {0};
    PassOptions po = {.opt_level = 2, .verify = true};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-o") == 0 && i + 1 < argc)
            out_dir = argv[++i];
        else if (strcmp(a, "--bind") == 0 && i + 1 < argc) {
            int rc = binds_add(&binds, "compile", argv[++i]);
            if (rc)
                exit(rc);
        }
        else if (strcmp(a, "--name") == 0 && i + 1 < argc)
            name = argv[++i];
        else if (strcmp(a, "--emit") == 0 && i + 1 < argc)
            emit = argv[++i];
        else if (strcmp(a, "--target") == 0 && i + 1 < argc)
            target = argv[++i];
        else if (strcmp(a, "--batch") == 0 && i + 1 < argc)
            io.batch = parse_positive(argv[++i], "--batch takes a positive number, not '%s'");
        else if (strcmp(a, "--batch-hint") == 0 && i + 1 < argc)
            po.batch_hint = parse_positive(argv[++i],
                                           "--batch-hint takes a positive number, not '%s'");
        else if (parse_level(a, &po.opt_level))
            ;
        else if (strcmp(a, "--dump-ir") == 0)
            dump = "";
        else if (strncmp(a, "--dump-ir=", 10) == 0)
            dump = a + 10;
        else if (strcmp(a, "--time-passes") == 0)
            po.time_passes = true;
        else if (strcmp(a, "--disable-pass") == 0 && i + 1 < argc) {
            if (!pass_find(argv[i + 1]))
                usage_error("no pass is named '%s'", argv[i + 1]);
            if (n_disabled < 63)
                disabled[n_disabled++] = argv[i + 1];
            i++;
        } else if (strcmp(a, "--force") == 0)
            force = true;
        else if (a[0] == '-')
            usage_error("compile: unknown option '%s'", a);
        else if (!model)
            model = a;
        else
            usage_error("compile: one model at a time ('%s' is extra)", a);
    }
    if (!model)
        usage_error("compile: no model given%s", "");
    if (strcmp(emit, "c") != 0 && strcmp(emit, "obj") != 0 && strcmp(emit, "llvm-ir") != 0)
        usage_error("compile: --emit takes c, obj or llvm-ir, not '%s'", emit);
    po.block = target_block(target);   /* the blocked layout: the target's vector width */
    if (!po.block)
        usage_error("--target takes " TARGET_NAMES ", not '%s'", target);
    /* --emit obj|llvm-ir: the backend is loaded before the model is read. */
    const LlvmBackend *llvm = NULL;
    if (strcmp(emit, "c") != 0 && !(llvm = llvm_backend()))
        exit(3);
    if (dump && *dump && strcmp(dump, "all") != 0 && !pass_find(dump))
        usage_error("--dump-ir: no pass is named '%s'", dump);
    disabled[n_disabled] = NULL;
    po.disabled = disabled;
    if (dump && *dump)
        po.dump_after = dump;
    binds_to_import(&binds, &io);

    Graph *g = load_model(model, &io, &po);
    if (!g)
        return 1;
    if (dump && !*dump)
        graph_print(g, stdout);
    if (dump && !out_dir) {
        graph_free(g);
        return 0;
    }

    Arena scratch = {0};
    if (!name)
        name = model_stem(&scratch, model);
    else if (strcmp(c_identifier(&scratch, name), name) != 0)
        usage_error("--name must be a C identifier, not '%s'", name);
    if (strlen(name) >= VGGRT_WEIGHTS_NAME_MAX)
        usage_error("the network's name '%s' is longer than 63 characters: give a shorter --name", name);
    if (!out_dir)
        out_dir = name;

    /* Planning and packing the weights: one step for the user. */
    progress_begin("planning", "planned", name, 0);
    Plan *p = plan_build(g);
    if (!p) {
        progress_abort();
        graph_free(g);
        arena_free(&scratch);
        return 1;
    }
    if (vggc_verbose)
        plan_print_summary(p, stderr);

    WeightsFile wf = {.p = p, .piece = malloc(WEIGHTS_PIECE)};
    if (!wf.piece) {
        progress_abort();
        fprintf(stderr, "vggc: error: out of memory\n");
        return 3;
    }
    uint64_t sum = weights_checksum(&wf);
    vggrt_weights_header(wf.header, name, p->weights_size, sum);
    const OutFile weights_out = {.name = arena_printf(&scratch, "%s.weights", name),
                                 .size = VGGRT_WEIGHTS_HEADER + p->weights_size,
                                 .produce = produce_weights, .ctx = &wf};
    progress_end();

    const char *bound[MAX_BINDS];
    for (size_t i = 0; i < binds.n; i++)
        bound[i] = binds.b[i].name;
    CEmitOptions co = {name, base_name(model), NULL, NULL,
                       target && strcmp(target, "generic") == 0 ? "x86-64" : target,
                       bound, binds.n};
    runtime_paths(&scratch, &co.runtime_include, &co.runtime_lib);
    CFiles files = {0};
    int rc = 1;
    if (strcmp(emit, "c") != 0) {
        /* The LLVM backend: NAME.o or NAME.ll, with the C backend's NAME.h. */
        bool ir = strcmp(emit, "llvm-ir") == 0;
        LlvmOptions lo = {name, base_name(model), sum, true, target};
        Buf code = {0};
        char *err = NULL;
        const char *ext = ir ? "ll" : "o";
        progress_begin("compiling", "compiled", arena_printf(&scratch, "%s.%s", name, ext), 0);
        LlvmStatus st = llvm->emit(p, &lo, ir ? LLVM_EMIT_IR : LLVM_EMIT_OBJECT, &code, &err);
        if (st == LLVM_FAILED) {
            progress_abort();
            fprintf(stderr, "vggc: error: LLVM: %s\n", err ? err : "unknown failure");
            rc = 3;
        } else if (st != LLVM_OK) {
            progress_abort();
        } else {
            emit_c_header(&files.header, g, &co);
            progress_end();
            OutFile outs[] = {
                {.name = arena_printf(&scratch, "%s.h", name), .data = files.header.data,
                 .size = files.header.len, .text = true},
                {.name = arena_printf(&scratch, "%s.%s", name, ext), .data = code.data,
                 .size = code.len, .text = ir},
                weights_out,
            };
            rc = write_files(out_dir, outs, sizeof outs / sizeof outs[0], force);
            if (rc == 0)
                vggc_note("wrote %s/{%s.%s,%s.h,%s.weights}", out_dir, name, ext, name, name);
        }
        free(err);
        buf_free(&code);
    } else {
        progress_begin("generating", "generated", arena_printf(&scratch, "%s.c", name), 0);
        if (!emit_c(p, &co, sum, &files)) {
            progress_abort();
        } else {
            progress_end();
            OutFile outs[] = {
                {.name = arena_printf(&scratch, "%s.h", name), .data = files.header.data,
                 .size = files.header.len, .text = true},
                {.name = arena_printf(&scratch, "%s.c", name), .data = files.source.data,
                 .size = files.source.len, .text = true},
                {.name = "main.c", .data = files.main.data, .size = files.main.len, .text = true},
                {.name = "Makefile", .data = files.makefile.data, .size = files.makefile.len,
                 .text = true},
                weights_out,
            };
            rc = write_files(out_dir, outs, sizeof outs / sizeof outs[0], force);
            if (rc == 0)
                vggc_note("wrote %s/{%s.c,%s.h,%s.weights,main.c,Makefile}", out_dir, name, name,
                          name);
        }
    }
    buf_free(&files.header);
    buf_free(&files.source);
    buf_free(&files.main);
    buf_free(&files.makefile);
    free(wf.piece);
    plan_free(p);
    graph_free(g);
    arena_free(&scratch);
    return rc;
}

/* "out/g.dot" -> "out" + "g.dot"; "g.dot" -> "." + "g.dot".  False when
 * the path names no file. */
static bool split_path(Arena *a, const char *path, const char **dir, const char **base)
{
    const char *s = strrchr(path, '/');
    *base = s ? s + 1 : path;
    *dir = !s ? "." : s == path ? "/" : arena_strndup(a, path, (size_t)(s - path));
    return **base && strcmp(*base, ".") != 0 && strcmp(*base, "..") != 0;
}

/* --dot / --svg: the graph as DOT text, drawn by Graphviz for --svg; both
 * written like compile's outputs (atomically, not over a user's file). */
/* "-" for --dot or --svg: standard output. */
static bool is_stdout(const char *path)
{
    return path && strcmp(path, "-") == 0;
}

static int write_graph_files(const Graph *g, const Plan *p, const char *model, const char *dot_path,
                             const char *svg_path, const char *dot_exe, bool force)
{
    Arena scratch = {0};
    const char *dot_dir = NULL, *dot_base = NULL, *svg_dir = NULL, *svg_base = NULL;
    Buf dot = {0}, svg = {0};
    write_dot(g, p, base_name(model), &dot);
    bool ok = !svg_path || render_svg(dot_exe, &dot, &svg);
    /* One of them to standard output (the other, if any, to its file). */
    const Buf *out = is_stdout(dot_path) ? &dot : is_stdout(svg_path) ? &svg : NULL;
    if (ok && out && !write_all(STDOUT_FILENO, out->data, out->len)) {
        fprintf(stderr, "vggc: error: cannot write the graph to standard output: %s\n",
                strerror(errno));
        ok = false;
    }
    if (is_stdout(dot_path))
        dot_path = NULL;
    if (is_stdout(svg_path))
        svg_path = NULL;
    if (dot_path)
        split_path(&scratch, dot_path, &dot_dir, &dot_base);
    if (svg_path)
        split_path(&scratch, svg_path, &svg_dir, &svg_base);
    OutFile files[2] = {{.name = dot_base, .data = dot.data, .size = dot.len, .text = true},
                        {.name = svg_base, .data = svg.data, .size = svg.len, .text = true}};
    if (ok && dot_path && svg_path && strcmp(dot_dir, svg_dir) == 0) {
        ok = write_outputs(dot_dir, files, 2, force);
    } else if (ok) {
        if (dot_path)
            ok = write_outputs(dot_dir, &files[0], 1, force);
        if (ok && svg_path)
            ok = write_outputs(svg_dir, &files[1], 1, force);
    }
    if (ok && (dot_path || svg_path))
        vggc_note("wrote %s%s%s", dot_path ? dot_path : "", dot_path && svg_path ? " and " : "",
                  svg_path ? svg_path : "");
    buf_free(&dot);
    buf_free(&svg);
    arena_free(&scratch);
    return ok ? 0 : 1;
}

static int cmd_inspect(int argc, char **argv)
{
    const char *model = NULL, *dot_path = NULL, *svg_path = NULL, *target = NULL;
    bool after = false, force = false;
    int64_t batch_hint = 0;
    Binds binds = {0};
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--after-passes") == 0)
            after = true;
        else if (strcmp(argv[i], "--batch-hint") == 0 && i + 1 < argc)
            batch_hint = parse_positive(argv[++i],
                                        "--batch-hint takes a positive number, not '%s'");
        else if (strcmp(argv[i], "--bind") == 0 && i + 1 < argc) {
            int rc = binds_add(&binds, "inspect", argv[++i]);
            if (rc)
                exit(rc);
        }
        else if (strcmp(argv[i], "--target") == 0 && i + 1 < argc)
            target = argv[++i];
        else if (strcmp(argv[i], "--dot") == 0 && i + 1 < argc)
            dot_path = argv[++i];
        else if (strcmp(argv[i], "--svg") == 0 && i + 1 < argc)
            svg_path = argv[++i];
        else if (strcmp(argv[i], "--force") == 0)
            force = true;
        else if (argv[i][0] == '-')
            usage_error("inspect: unknown option '%s'", argv[i]);
        else if (!model)
            model = argv[i];
        else
            usage_error("inspect: one model at a time ('%s' is extra)", argv[i]);
    }
    if (!model)
        usage_error("inspect: no model given%s", "");
    Arena scratch = {0};
    const char *dir, *base;
    if (dot_path && !is_stdout(dot_path) && !split_path(&scratch, dot_path, &dir, &base))
        usage_error("inspect: --dot needs a file name, not '%s'", dot_path);
    if (svg_path && !is_stdout(svg_path) && !split_path(&scratch, svg_path, &dir, &base))
        usage_error("inspect: --svg needs a file name, not '%s'", svg_path);
    arena_free(&scratch);
    if (dot_path && svg_path && strcmp(dot_path, svg_path) == 0)
        usage_error("inspect: --dot and --svg both name '%s'", dot_path);
    /* The graph on standard output is all that goes there. */
    bool tables = !is_stdout(dot_path) && !is_stdout(svg_path);
    /* Before any work: --svg cannot be done without Graphviz. */
    char *dot_exe = NULL;
    if (svg_path && !(dot_exe = find_graphviz_dot())) {
        fprintf(stderr, "vggc: error: --svg needs Graphviz's 'dot' program, and there is none on PATH: "
                        "install Graphviz (apt-get install graphviz), or write the graph with "
                        "--dot FILE.dot and render it where Graphviz is: dot -Tsvg FILE.dot -o FILE.svg\n");
        return 1;
    }
    ImportOptions io = {0};
    binds_to_import(&binds, &io);
    PassOptions po = {.opt_level = after ? 2 : 0, .verify = true,
                      .block = target_block(target),   /* the layout --target gets */
                      .batch_hint = batch_hint};
    if (!po.block)
        usage_error("--target takes " TARGET_NAMES ", not '%s'", target);
    Graph *g = load_model(model, &io, &po);
    if (!g) {
        free(dot_exe);
        return 1;
    }
    if (tables)
        print_summary(g, model, after, stdout);
    Plan *p = NULL;
    if (after) {
        p = plan_build(g);
        if (!p) {
            graph_free(g);
            free(dot_exe);
            return 1;
        }
        if (tables)
            plan_print_summary(p, stdout);
    }
    int rc = 0;
    if (dot_path || svg_path) {
        fflush(stdout);
        rc = write_graph_files(g, p, model, dot_path, svg_path, dot_exe, force);
    }
    plan_free(p);
    graph_free(g);
    free(dot_exe);
    return rc;
}

int main(int argc, char **argv)
{
    /* Global options may come anywhere; strip them first. */
    int n = 0;
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0)
            vggc_verbose = vggc_verbose < 1 ? 1 : vggc_verbose;
        else if (strcmp(argv[i], "-vv") == 0)
            vggc_verbose = 2;
        else if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0)
            quiet = true;
        else
            argv[1 + n++] = argv[i];
    }
    /* -q: no progress and no notes; warnings and errors still print. */
    if (quiet)
        vggc_verbose = 0;
    progress_init(quiet);
    if (n == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage_text, n == 0 ? stderr : stdout);
        return n == 0 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("vggc %s\n", VGGC_VERSION);
        return 0;
    }
    for (int i = 2; i <= n; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
    if (strcmp(argv[1], "compile") == 0)
        return cmd_compile(n - 1, argv + 2);
    if (strcmp(argv[1], "run") == 0)
        return cmd_run(n - 1, argv + 2);
    if (strcmp(argv[1], "bench") == 0)
        return cmd_bench(n - 1, argv + 2);
    if (strcmp(argv[1], "inspect") == 0)
        return cmd_inspect(n - 1, argv + 2);
    usage_error("unknown command '%s'", argv[1]);
}
