/* install.c — where vggc finds its own pieces: the runtime that generated
 * Makefiles link when pkg-config knows none, and the LLVM backend module.
 *
 * Installed (`cmake --install`), they sit under the prefix vggc runs from:
 * PREFIX/bin/vggc beside PREFIX/include/vggrt.h, PREFIX/lib/libvggrt.a and
 * PREFIX/lib/vggc/vggc-llvm.so.  The prefix is only known at install time,
 * so it is found from the executable's own path.  Otherwise (vggc run from
 * its build tree, or an install that lacks the file) the build tree's.  The
 * module is also looked for beside the executable, where the build tree
 * puts it, so vggc and vggc-llvm.so copied together into one folder work. */
#define _GNU_SOURCE /* dlopen's RTLD_* on older C libraries */
#include "cli.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef VGGC_RUNTIME_INCLUDE
#define VGGC_RUNTIME_INCLUDE "/usr/local/include"
#endif
#ifndef VGGC_RUNTIME_LIB
#define VGGC_RUNTIME_LIB "-lvggrt"
#endif
#ifndef VGGC_LLVM_MODULE
#define VGGC_LLVM_MODULE "vggc-llvm.so"
#endif
/* Where `cmake --install` puts vggc, vggrt.h, libvggrt.a and the module,
 * relative to the prefix chosen at install time (cli/CMakeLists.txt). */
#ifndef VGGC_INSTALL_BINDIR
#define VGGC_INSTALL_BINDIR "bin"
#define VGGC_INSTALL_INCLUDEDIR "include"
#define VGGC_INSTALL_LIBDIR "lib"
#endif

/* The folder of this executable, or NULL when /proc does not tell. */
static char *exe_dir(Arena *a)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash || slash == exe)
        return NULL;
    *slash = 0;
    return arena_printf(a, "%s", exe);
}

/* The install prefix this vggc runs from (PREFIX of PREFIX/BINDIR/vggc),
 * or NULL when it cannot be told (no /proc, an absolute bindir). */
static const char *install_prefix(Arena *a)
{
    char *exe = exe_dir(a);
    if (!exe || VGGC_INSTALL_BINDIR[0] == '/')
        return NULL;
    /* Up one folder per component of bindir. */
    int up = 0;
    for (const char *s = VGGC_INSTALL_BINDIR; *s; s++)
        up += *s == '/' && s[1] && s[1] != '/';
    up += VGGC_INSTALL_BINDIR[0] != 0;
    for (int i = 0; i < up; i++) {
        char *slash = strrchr(exe, '/');
        if (!slash || slash == exe)
            return NULL;
        *slash = 0;
    }
    return arena_printf(a, "%s", exe);
}

/* PREFIX/LIBDIR/file, or LIBDIR/file for an absolute libdir. */
static const char *installed_lib(Arena *a, const char *prefix, const char *file)
{
    return VGGC_INSTALL_LIBDIR[0] == '/' ? arena_printf(a, "%s/%s", VGGC_INSTALL_LIBDIR, file)
                                         : arena_printf(a, "%s/%s/%s", prefix, VGGC_INSTALL_LIBDIR, file);
}

void runtime_paths(Arena *a, const char **include, const char **lib)
{
    *include = VGGC_RUNTIME_INCLUDE;
    *lib = VGGC_RUNTIME_LIB;
    const char *prefix = install_prefix(a);
    if (!prefix)
        return;
    const char *inc_dir = VGGC_INSTALL_INCLUDEDIR[0] == '/'
        ? VGGC_INSTALL_INCLUDEDIR : arena_printf(a, "%s/%s", prefix, VGGC_INSTALL_INCLUDEDIR);
    const char *lib_file = installed_lib(a, prefix, "libvggrt.a");
    if (access(arena_printf(a, "%s/vggrt.h", inc_dir), R_OK) == 0 && access(lib_file, R_OK) == 0) {
        *include = inc_dir;
        *lib = lib_file;
    }
}

/* In the sanitizer build (VGGC_SANITIZE): LeakSanitizer's interceptor of
 * __tls_get_addr (gcc 12's runtime, as up to gcc 13 and LLVM 16) takes a
 * dynamic TLS block that starts at a certain offset in its page for one
 * with glibc 2.19's header, reads a range from the words before it and
 * crashes the leak check at exit ("Tracer caught signal 11").  Loading the
 * backend brings libLLVM's dynamic TLS, and a few models' runs met the
 * coincidence every time.  Not intercepting it only leaves dlopen'd
 * libraries' dynamic TLS unscanned; vggc's own thread-local data is static
 * TLS, scanned as before. */
#ifdef __SANITIZE_ADDRESS__
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "intercept_tls_get_addr=0";
}
#endif

static char *module_file;

const LlvmBackend *llvm_backend(void)
{
    static const LlvmBackend *backend;
    static bool tried;
    if (tried)
        return backend;
    tried = true;
    Arena a = {0};
    const char *prefix = install_prefix(&a), *dir = exe_dir(&a);
    const char *candidates[] = {
        prefix ? installed_lib(&a, prefix, "vggc/vggc-llvm.so") : NULL,
        dir ? arena_printf(&a, "%s/vggc-llvm.so", dir) : NULL,
    };
    const char *path = VGGC_LLVM_MODULE;   /* the build tree's */
    for (size_t i = 0; i < sizeof candidates / sizeof *candidates; i++)
        if (candidates[i] && access(candidates[i], R_OK) == 0) {
            path = candidates[i];
            break;
        }
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    const char *why = h ? NULL : dlerror();
    if (h && !(backend = dlsym(h, LLVM_BACKEND_SYMBOL)))
        why = dlerror();
    if (backend && (strcmp(backend->version, VGGC_VERSION) != 0 ||
                    backend->layout != LLVM_BACKEND_LAYOUT)) {
        why = arena_printf(&a, "%s belongs to another build of vggc (version %s; this one is %s): "
                           "install vggc and its backend together", path, backend->version,
                           VGGC_VERSION);
        backend = NULL;
    }
    if (backend && !(module_file = strdup(path))) {
        backend = NULL;
        why = "out of memory";
    }
    if (backend)
        vggc_note("LLVM backend: %s", module_file);
    else
        fprintf(stderr, "vggc: error: the LLVM backend, which `vggc run`, `vggc bench` and "
                        "`compile --emit obj|llvm-ir` need, cannot be loaded: %s\n",
                why ? why : path);
    arena_free(&a);
    return backend;
}

const char *llvm_backend_file(void)
{
    return module_file;
}
