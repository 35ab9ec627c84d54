/* target.c — target names and the block width they get (target.h). */
#include "target.h"

#include <stddef.h>
#include <string.h>

const char *target_level(const char *target)
{
    if (!target || strcmp(target, "native") == 0)
        return "";
    if (strcmp(target, "generic") == 0)
        return "x86-64";
    static const char *const levels[] = {"x86-64-v4", "x86-64-v3", "x86-64"};
    for (size_t i = 0; i < sizeof levels / sizeof *levels; i++)
        if (strcmp(target, levels[i]) == 0)
            return levels[i];
    return NULL;
}

/* Whether this CPU runs AVX-512F code: the CPU has it and the OS saves its
 * registers (both of which the compiler's runtime checks, as LLVM does for
 * the host's features the JIT compiles for). */
static int host_has_avx512(void)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
#else
    return 0;
#endif
}

int target_block(const char *target)
{
    const char *level = target_level(target);
    if (!level)
        return 0;
    if (!*level)
        return host_has_avx512() ? 16 : 8;
    return strcmp(level, "x86-64-v4") == 0 ? 16 : 8;
}
