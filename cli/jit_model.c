/* jit_model.c — a model JIT-compiled for this CPU (or a --target), ready to run.
 *
 * What `vggc run` and `vggc bench` share: the plan goes through the LLVM
 * backend (or comes from the JIT cache), ORC LLJIT links the object, and
 * the code reads the weights where the graph holds them, through a table
 * of pointers (LlvmEntry).
 *
 * The JIT cache.  Compiling costs most of a cold start, and the object only
 * depends on the model's bytes, vggc itself (its version, a hash of its
 * executable and of the kernels' bitcode), the options (the level and
 * Graph.batch_hint, which chooses kernels) and the CPU.  Those
 * make a key; its hash names the entry $XDG_CACHE_HOME/vggc/<hash>.jit
 * (default ~/.cache/vggc), laid out as
 *   0   char     magic[8]      "VGGCJIT\0"
 *   8   uint64   key_len       bytes of key text that follow the header
 *   16  uint64   obj_size      bytes of the object after the key
 *   24  uint64   obj_checksum  vggrt_checksum(object)
 *   32  key text, then the object.
 * An entry is used only if all of it checks (magic, the full key text,
 * sizes, checksum); otherwise it is rebuilt.  Entries are written to a
 * temporary file and renamed into place, so readers never see half of one.
 */
#include "cli.h"
#include "vggrt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_MAGIC "VGGCJIT"
#define CACHE_HEADER 32

static char *cache_dir(void)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char buf[4096];
    if (xdg && xdg[0] == '/')
        snprintf(buf, sizeof buf, "%s/vggc", xdg);
    else if (home && home[0])
        snprintf(buf, sizeof buf, "%s/.cache/vggc", home);
    else
        return NULL;
    return strdup(buf);
}

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* The object of a valid entry at path for key (malloc'd), or NULL, saying
 * why with -v. */
static unsigned char *cache_load(const char *path, const char *key, size_t *obj_size)
{
    size_t len = 0;
    unsigned char *buf = read_file(path, &len);
    if (!buf)
        return NULL;
    size_t klen = strlen(key);
    const char *why = NULL;
    if (len < CACHE_HEADER || memcmp(buf, CACHE_MAGIC, 8) != 0)
        why = "not a vggc JIT cache entry";
    else if (get64(buf + 8) != klen || len < CACHE_HEADER + klen ||
             memcmp(buf + CACHE_HEADER, key, klen) != 0)
        why = "made for another model, version, option set or CPU";
    else if (get64(buf + 16) != len - CACHE_HEADER - klen)
        why = "truncated or too long";
    else if (vggrt_checksum(buf + CACHE_HEADER + klen, len - CACHE_HEADER - klen) != get64(buf + 24))
        why = "checksum mismatch (corrupt)";
    if (why) {
        fprintf(stderr, "vggc: warning: ignoring JIT cache entry %s: %s; rebuilding it\n", path, why);
        free(buf);
        return NULL;
    }
    *obj_size = len - CACHE_HEADER - klen;
    memmove(buf, buf + CACHE_HEADER + klen, *obj_size);
    return buf;
}

/* Writes the entry atomically; a failure only costs the next run time. */
static void cache_store(const char *dir, const char *path, const char *key, const void *obj,
                        size_t size)
{
    if (!make_dirs(dir, false)) {
        vggc_note("cannot create the JIT cache folder %s: %s", dir, strerror(errno));
        return;
    }
    size_t plen = strlen(path) + 32;
    char *tmp = malloc(plen);
    if (!tmp)
        return;
    snprintf(tmp, plen, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
    if (fd < 0) {
        vggc_note("cannot write the JIT cache entry %s: %s", tmp, strerror(errno));
        free(tmp);
        return;
    }
    unsigned char hdr[CACHE_HEADER] = {0};
    memcpy(hdr, CACHE_MAGIC, 8);
    put64(hdr + 8, strlen(key));
    put64(hdr + 16, size);
    put64(hdr + 24, vggrt_checksum(obj, size));
    bool ok = write_all(fd, hdr, sizeof hdr) && write_all(fd, key, strlen(key)) &&
              write_all(fd, obj, size);
    ok &= close(fd) == 0;
    if (!ok || rename(tmp, path) != 0) {
        vggc_note("cannot write the JIT cache entry %s: %s", path, strerror(errno));
        unlink(tmp);
    } else {
        vggc_note("cache store: %s", path);
    }
    free(tmp);
}

/* A hash of this vggc's own executable and of the LLVM backend module it
 * loaded.  The object depends on the code generator as much as on the
 * kernels' bitcode (LlvmBackend.backend_id), and a rebuilt vggc of the
 * same version may emit other code: its entries must not be reused.
 * Hashing the files (2.3 MB and 0.3 MB) costs about a millisecond. */
static bool compiler_id(uint64_t *id)
{
    static uint64_t cached;
    static bool done;
    if (!done) {
        const char *files[] = {"/proc/self/exe", llvm_backend_file()};
        uint64_t h = 0;
        for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
            size_t len = 0;
            unsigned char *data = files[i] ? read_file(files[i], &len) : NULL;
            if (!data)
                return false;
            h = h * 0x9e3779b97f4a7c15ull ^ vggrt_checksum(data, len);
            free(data);
        }
        cached = h;
        done = true;
    }
    *id = cached;
    return true;
}

/* The code's table of weights (LlvmEntry): each constant of the plan where
 * the graph holds it, 64-byte aligned as in a weights blob (the import's
 * and the passes' big constants are; any other is copied, into
 * m->copies).  Copying vgg16's 730 MB into one blob, as this step did
 * before, took 0.5-1.7 s of fresh pages on the Zen 3 VM.  False when out
 * of memory. */
static bool weights_table(JitModel *m, const Plan *p)
{
    static const float empty[16] __attribute__((aligned(64)));
    const Graph *g = p->g;
    if (!(m->weights = calloc(p->n_consts ? p->n_consts : 1, sizeof *m->weights)))
        return false;
    size_t need = 0, at = 0;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1 && need && !(m->copies = vggrt_aligned_alloc(need)))
            return false;
        for (uint32_t v = 0; v < g->n_values; v++) {
            const Storage *s = &p->store[v];
            const Value *x = &g->values[v];
            if (s->kind != STORE_CONST || s->root != v)
                continue;
            bool in_place = !x->nbytes || (uintptr_t)x->data % 64 == 0;
            size_t size = (x->nbytes + 63) & ~(size_t)63;
            if (pass == 0) {
                need += in_place ? 0 : size;
            } else if (in_place) {
                m->weights[s->index] = x->nbytes ? x->data : empty;
            } else {
                memcpy(m->copies + at, x->data, x->nbytes);
                m->weights[s->index] = m->copies + at;
                at += size;
            }
        }
    }
    return true;
}

int jit_model_load(JitModel *m, Plan *p, const char *model, const ImportOptions *io,
                   int opt_level, const char *target, bool use_cache)
{
    memset(m, 0, sizeof *m);
    m->plan = p;
    char *dir = NULL, *path = NULL, *key = NULL, *cpu = NULL, *features = NULL, *err = NULL;
    unsigned char *obj = NULL;
    size_t obj_size = 0;
    int rc = 1;
    double t0 = now_ms();

    const LlvmBackend *llvm = m->llvm = llvm_backend();
    if (!llvm) {
        rc = 3;
        goto out;
    }
    /* The key: everything the object depends on. */
    if (!llvm->target_cpu(target, &cpu, &features)) {
        fprintf(stderr, "vggc: error: unknown --target '%s' (" TARGET_NAMES ")\n", target);
        goto out;
    }
    uint64_t compiler = 0;
    if (use_cache && !compiler_id(&compiler))
        vggc_note("cannot read this vggc's executable or its LLVM backend: the JIT cache is not used");
    else if (use_cache && (dir = cache_dir()) != NULL) {
        /* What the import read is in the key as it hashed it
         * (ImportOptions.digest): the model's bytes, its external data and
         * the bound inputs' values (constants in the code), those the code
         * was compiled from, even when a file changes meanwhile or came
         * through a pipe. */
        progress_begin("checking", "checked", "the JIT cache", 0);
        if (!io->digest || !io->digest->done)
            vggc_note("no checksum of %s's bytes: the JIT cache is not used", model);
        else {
            size_t klen = strlen(cpu) + strlen(features) + 512;
            key = malloc(klen);
            path = malloc(strlen(dir) + 64);
            if (key && path) {
                snprintf(key, klen, "vggc %s compiler %016llx backend %016llx\n"
                         "model %016llx %zu\noptions O%d batch_hint %lld\ncpu %s\nfeatures %s\n",
                         VGGC_VERSION, (unsigned long long)compiler,
                         (unsigned long long)llvm->backend_id(),
                         (unsigned long long)io->digest->sum, (size_t)io->digest->bytes, opt_level,
                         (long long)p->g->batch_hint, cpu, features);
                snprintf(path, strlen(dir) + 64, "%s/%016llx.jit", dir,
                         (unsigned long long)vggrt_checksum(key, strlen(key)));
                obj = cache_load(path, key, &obj_size);
                m->cache_hit = obj != NULL;
                vggc_note("cache %s: %s", m->cache_hit ? "hit" : "miss", path);
            }
        }
        progress_end();
    }
    const char *base = strrchr(model, '/') ? strrchr(model, '/') + 1 : model;
    if (!obj) {
        Arena scratch = {0};
        LlvmOptions lo = {c_identifier(&scratch, "vggc_jit"), model, 0, true, target};
        Buf b = {0};
        progress_begin("compiling", "compiled", base, 0);
        LlvmStatus st = llvm->emit(p, &lo, LLVM_EMIT_JIT, &b, &err);
        arena_free(&scratch);
        if (st != LLVM_OK) {
            progress_abort();
            if (st == LLVM_FAILED) {
                fprintf(stderr, "vggc: error: LLVM: %s\n", err ? err : "unknown failure");
                rc = 3;
            }
            buf_free(&b);
            goto out;
        }
        obj = (unsigned char *)b.data;
        obj_size = b.len;
        if (key && path)
            cache_store(dir, path, key, obj, obj_size);
        progress_end();
    }
    double t1 = now_ms();
    progress_begin("linking", "linked", m->cache_hit ? "cached code" : base, obj_size);
    if (!(m->jit = llvm->jit_load(obj, obj_size, &m->entry, &err))) {
        progress_abort();
        fprintf(stderr, "vggc: error: LLVM: %s\n", err ? err : "cannot load the object");
        rc = 3;
        goto out;
    }
    progress_end();
    double t2 = now_ms();
    if (!weights_table(m, p)) {
        fprintf(stderr, "vggc: error: out of memory\n");
        rc = 3;
        goto out;
    }
    m->compile_ms = t1 - t0;
    m->link_ms = t2 - t1;
    m->weights_ms = now_ms() - t2;
    rc = 0;
out:
    if (rc)
        jit_model_free(m);
    free(obj);
    free(dir);
    free(path);
    free(key);
    free(cpu);
    free(features);
    free(err);
    return rc;
}

void jit_model_free(JitModel *m)
{
    if (m->jit)
        m->llvm->jit_free(m->jit);
    free(m->weights);
    vggrt_aligned_free(m->copies);
    m->jit = NULL;
    m->weights = NULL;
    m->copies = NULL;
}
