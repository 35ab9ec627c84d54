/* jit.c — running a compiled network in this process with ORC LLJIT.
 *
 * The object comes from llvm_emit(LLVM_EMIT_JIT) or from the JIT cache;
 * either way it is already optimized and compiled for this host, so LLJIT
 * only links it (JITLink) and resolves its external symbols: the runtime
 * helpers the kernels call (vggrt_dtype_size), cblas_sgemm, libm, memcpy.
 * Those come from this process, which loaded this module: vggc is linked
 * with libvggrt and OpenBLAS and exports its symbols (-rdynamic,
 * cli/CMakeLists.txt).
 */
#include "emit_llvm.h"

#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Target.h>

#include <stdlib.h>
#include <string.h>

struct LlvmJit {
    LLVMOrcLLJITRef jit;
};

static char *take_error(LLVMErrorRef e)
{
    char *msg = LLVMGetErrorMessage(e);
    char *copy = strdup(msg ? msg : "unknown LLVM error");
    LLVMDisposeErrorMessage(msg);
    return copy;
}

LlvmJit *llvm_jit_load(const void *obj, size_t size, LlvmEntry *entry, char **err)
{
    LLVMInitializeNativeTarget();
    LLVMInitializeNativeAsmPrinter();
    LlvmJit *j = calloc(1, sizeof *j);
    if (!j) {
        *err = strdup("out of memory");
        return NULL;
    }
    LLVMOrcLLJITBuilderRef builder = LLVMOrcCreateLLJITBuilder();
    LLVMErrorRef e = LLVMOrcCreateLLJIT(&j->jit, builder);
    if (e) {
        *err = take_error(e);
        free(j);
        return NULL;
    }
    LLVMOrcJITDylibRef jd = LLVMOrcLLJITGetMainJITDylib(j->jit);
    LLVMOrcDefinitionGeneratorRef gen;
    e = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(&gen, LLVMOrcLLJITGetGlobalPrefix(j->jit),
                                                             NULL, NULL);
    if (!e) {
        LLVMOrcJITDylibAddGenerator(jd, gen);
        LLVMMemoryBufferRef mb =
            LLVMCreateMemoryBufferWithMemoryRangeCopy(obj, size, "vggc-network.o");
        e = LLVMOrcLLJITAddObjectFile(j->jit, jd, mb);
    }
    LLVMOrcExecutorAddress addr = 0;
    if (!e)
        e = LLVMOrcLLJITLookup(j->jit, &addr, "vggc_run");
    if (e) {
        *err = take_error(e);
        llvm_jit_free(j);
        return NULL;
    }
    /* The address of vggc_run, a function of type LlvmEntry. */
    *entry = (LlvmEntry)(uintptr_t)addr;
    return j;
}

void llvm_jit_free(LlvmJit *j)
{
    if (!j)
        return;
    if (j->jit) {
        LLVMErrorRef e = LLVMOrcDisposeLLJIT(j->jit);
        if (e)
            LLVMConsumeError(e);
    }
    free(j);
}
