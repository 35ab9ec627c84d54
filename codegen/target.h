/* target.h — the CPUs vggc compiles for (`--target`), as the passes and
 * both backends name them.  No LLVM here: `vggc compile` and `inspect`
 * choose the blocked layout without loading the LLVM backend. */
#ifndef VGGC_TARGET_H
#define VGGC_TARGET_H

/* The target names vggc knows, for messages. */
#define TARGET_NAMES "native, x86-64-v4, x86-64-v3, x86-64 or generic"

/* The x86-64 level a target name stands for: "x86-64-v4" (AVX-512),
 * "x86-64-v3" (AVX2 + FMA) or "x86-64" (SSE2; also for "generic"); ""
 * for this host (NULL or "native"); NULL for any other name. */
const char *target_level(const char *target);

/* The block of the blocked layout for a target (Graph.block, the number of
 * floats in one of its vector registers): 16 for "x86-64-v4" and for this
 * host when it has AVX-512, 8 for every other target; 0 for a name
 * target_level does not know. */
int target_block(const char *target);

#endif
