/* fuzz_onnx.c — libFuzzer harness: an ONNX model from memory through the
 * frontend (wire-format pre-scan, the weights taken out or not, protobuf-c
 * unpack, import, attribute normalization), then the whole pass pipeline
 * (shape inference, constant folding, cleanup) with the verifier after
 * every pass, as `vggc compile` runs them.  External data is refused
 * (base_dir NULL): the path checks are tested by tests/robustness/ on real
 * files.
 *
 * Contract: any input ends in a Graph or in diagnostics; never a crash, a
 * leak, undefined behaviour or an allocation past the limits.
 */
#include "fuzz_common.h"

#include "frontend.h"
#include "passes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_quiet();
    /* Inputs of odd length take every raw_data out of the model before
     * unpacking (fe_pb_slim), as a model's 64 KiB weights are; the others
     * leave them to protobuf-c. */
    ImportOptions io = {.max_bytes = 1u << 24, .span_min = size % 2 ? 1 : 0};
    Graph *g = onnx_import_buffer(data, size, "fuzz.onnx", NULL, &io);
    if (!g)
        return 0;
    PassOptions po = {.opt_level = 2, .verify = true};
    passes_run(g, &po);
    graph_free(g);
    return 0;
}
