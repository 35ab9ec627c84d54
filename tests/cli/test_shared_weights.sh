#!/usr/bin/env bash
# test_shared_weights.sh — a model that applies one conv's weights twice
# (a module called twice), against ONNX Runtime, and the kernel choice of
# a fixed batch (`vggc compile --batch N`).
#
#   test_shared_weights.sh VGGC WORKDIR
#
# The model, 10x10 maps of 16 channels: conv1 (3->16) + Relu; conv w2 +
# BatchNorm a + Relu; conv w2 again + BatchNorm b + Relu (one weight, two
# folds: two constants); conv w3 + Relu twice (one weight, one packing);
# GlobalAveragePool, Flatten, Gemm 16->4.  Seeded He-normal weights keep
# activations O(1).  Checked: `vggc run`, the generated program for a
# symbolic batch (direct convolutions at 10x10) and for --batch 2
# (Winograd at 10x10), each against ONNX Runtime with run_e2e.sh's
# tolerance (rel 1e-4 per element, abs floor 1e-5 x the largest output).
set -uo pipefail
. "$(dirname "$0")/setup.sh"   # vggc, work, py, check.sh
root=$(cd "$(dirname "$0")/../.." && pwd)

"$py" - "$work" <<'PYEOF' || { echo "FAIL: cannot make the model and input"; exit 1; }
import sys
import numpy as np
import onnx
from onnx import TensorProto as T, helper as h, numpy_helper as nh
w = sys.argv[1]
rng = np.random.default_rng(20261130)

def he(shape):
    fan_in = int(np.prod(shape[1:]))
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)

inits = [nh.from_array(he((16, 3, 3, 3)), "w1"), nh.from_array(he((16, 16, 3, 3)), "w2"),
         nh.from_array(he((16, 16, 3, 3)), "w3"),
         nh.from_array((rng.standard_normal(16) * 0.1).astype(np.float32), "b1"),
         nh.from_array(he((4, 16)), "fc_w"), nh.from_array(np.zeros(4, np.float32), "fc_b")]
for s in "ab":
    inits += [nh.from_array((1 + 0.2 * rng.standard_normal(16)).astype(np.float32), f"bn{s}_scale"),
              nh.from_array((0.1 * rng.standard_normal(16)).astype(np.float32), f"bn{s}_bias"),
              nh.from_array((0.1 * rng.standard_normal(16)).astype(np.float32), f"bn{s}_mean"),
              nh.from_array((1 + 0.5 * rng.random(16)).astype(np.float32), f"bn{s}_var")]
conv = lambda x, wt, y, b=(): h.make_node("Conv", [x, wt, *b], [y], pads=[1, 1, 1, 1], name=y)
bn = lambda x, s, y: h.make_node("BatchNormalization", [x] + [f"bn{s}_{p}" for p in
                                 ("scale", "bias", "mean", "var")], [y], name=y)
relu = lambda x, y: h.make_node("Relu", [x], [y], name=y)
nodes = [conv("input", "w1", "c1", ["b1"]), relu("c1", "r1"),
         conv("r1", "w2", "c2"), bn("c2", "a", "n2"), relu("n2", "r2"),
         conv("r2", "w2", "c3"), bn("c3", "b", "n3"), relu("n3", "r3"),
         conv("r3", "w3", "c4"), relu("c4", "r4"),
         conv("r4", "w3", "c5"), relu("c5", "r5"),
         h.make_node("GlobalAveragePool", ["r5"], ["g"], name="gap"),
         h.make_node("Flatten", ["g"], ["f"], name="flatten"),
         h.make_node("Gemm", ["f", "fc_w", "fc_b"], ["output"], transB=1, name="fc")]
g = h.make_graph(nodes, "shared_weights",
                 [h.make_tensor_value_info("input", T.FLOAT, ["N", 3, 10, 10])],
                 [h.make_tensor_value_info("output", T.FLOAT, ["N", 4])], inits)
m = h.make_model(g, opset_imports=[h.make_opsetid("", 13)])
m.ir_version = 8
onnx.checker.check_model(m)
onnx.save(m, f"{w}/m.onnx")
np.save(f"{w}/x.npy", rng.standard_normal((2, 3, 10, 10)).astype(np.float32))
PYEOF

compare() {  # NAME GOT: against ONNX Runtime's output
  if out=$("$py" "$root/tools/compare_npy.py" "$2" "$work/ref.npy" --rtol 1e-4 --scale-atol 1e-5 2>&1)
  then ok "$1"; else bad "$1: $out"; fi
}
if node "$root/tools/ort/ort_run.js" "$work/m.onnx" --input "$work/x.npy" --output "$work/ref.npy" \
     >"$work/ort.log" 2>&1; then
  ok ort
else
  bad "ONNX Runtime: $(head -3 "$work/ort.log")"
fi

check jit-run 0 '' -- "$vggc" run "$work/m.onnx" --input "$work/x.npy" --output "$work/y_jit.npy"
compare jit-vs-ort "$work/y_jit.npy"

# Symbolic batch: direct convolutions at 10x10; batch 2: Winograd there.
check ir-symbolic 0 '"w2\+bn\.2\+packed"' -- "$vggc" compile "$work/m.onnx" --dump-ir -o "$work/i1"
check ir-batch2 0 '"w3\+wino"' -- "$vggc" compile "$work/m.onnx" --batch 2 --dump-ir -o "$work/i2"
for b in sym b2; do
  args=()
  [ "$b" = b2 ] && args=(--batch 2)
  if "$vggc" compile "$work/m.onnx" "${args[@]}" -o "$work/$b" --name m >"$work/$b.log" 2>&1 &&
     make -s -C "$work/$b" WARNINGS="-Wall -Wextra -Werror" >>"$work/$b.log" 2>&1 &&
     "$work/$b/m" --input "$work/x.npy" --output "$work/y_$b.npy" >>"$work/$b.log" 2>&1; then
    ok "program-$b"
    compare "program-$b-vs-ort" "$work/y_$b.npy"
  else
    bad "program-$b: $(tail -3 "$work/$b.log")"
  fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "${VGGC_KEEP_WORK:-0}" = 0 ] && rm -rf "$work"
[ "$fail" -eq 0 ]
