/* module.c — what vggc-llvm.so exports: the one table through which vggc
 * calls the LLVM backend (emit_llvm.h, LlvmBackend).  The module is built
 * with hidden visibility, so this is its only dynamic symbol. */
#include "emit_llvm.h"

__attribute__((visibility("default"))) extern const LlvmBackend vggc_llvm_backend;

const LlvmBackend vggc_llvm_backend = {
    .version = VGGC_VERSION,
    .layout = LLVM_BACKEND_LAYOUT,
    .target_cpu = llvm_target_cpu,
    .backend_id = llvm_backend_id,
    .emit = llvm_emit,
    .jit_load = llvm_jit_load,
    .jit_free = llvm_jit_free,
};
