#!/usr/bin/env bash
# test_strings.sh — STRING tensors end to end: only Cast and Identity take
# them (every other op is refused naming node, op and type), what Cast
# cannot convert is refused at compile time, and bad text is refused when
# the program runs, by the generated program and by `vggc run` alike.
# (The conversions' values are runtime.strings' and the ONNX node tests'.)
#
#   test_strings.sh VGGC WORKDIR
set -uo pipefail
. "$(dirname "$0")/setup.sh"   # vggc, work, py, check.sh

"$py" - "$work" <<'EOF' || { echo "FAIL: cannot make the models and data"; exit 1; }
import sys
import numpy as np
from onnx import TensorProto, helper
w = sys.argv[1]
S, F, F16, I64 = TensorProto.STRING, TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.INT64
def save(name, nodes, inputs, outputs, inits=()):
    g = helper.make_graph(nodes, name, inputs, outputs, initializer=list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    open(f"{w}/{name}.onnx", "wb").write(m.SerializeToString())
vi = helper.make_tensor_value_info
# text -> Identity -> float, and the text itself as a second output
save("ok", [helper.make_node("Identity", ["s"], ["t"], name="copy"),
            helper.make_node("Cast", ["t"], ["y"], to=F, name="parse")],
     [vi("s", S, [2, 3])], [vi("y", F, [2, 3]), vi("t", S, [2, 3])])
save("relu", [helper.make_node("Relu", ["s"], ["y"], name="r")], [vi("s", S, [2])], [vi("y", S, [2])])
save("to_i64", [helper.make_node("Cast", ["s"], ["y"], to=I64, name="c")], [vi("s", S, [2])],
     [vi("y", I64, [2])])
save("from_f16", [helper.make_node("Cast", ["x"], ["y"], to=S, name="c")], [vi("x", F16, [2])],
     [vi("y", S, [2])])
save("const", [helper.make_node("Identity", ["k"], ["y"], name="i")], [], [vi("y", S, [1])],
     [helper.make_tensor("k", S, [1], [b"1.5"])])
np.save(f"{w}/s.npy", np.array([["1.5", " -2e3 ", "INF"], ["nan", "0.039187793", "-0"]]))
np.save(f"{w}/s_bad.npy", np.array([["1.5", "2", "3"], ["4", "five", "6"]]))
np.save(f"{w}/s_long.npy", np.array([["1", "2", "3"], ["4", "5", "6" * 32]]))
np.save(f"{w}/s_uni.npy", np.array([["1", "2", "3"], ["4", "5", "\u00e9"]]))
np.save(f"{w}/want.npy", np.array([["1.5", " -2e3 ", "INF"], ["nan", "0.039187793", "-0"]])
        .astype(np.float32))
EOF

# Output 0 equals numpy's reading of the same text (NaN as NaN, -0 as -0);
# output 1 is the text unchanged.
same() {
  "$py" -c "import numpy as np, sys; y, t = np.load(sys.argv[1]), np.load(sys.argv[2]); \
w = np.load(sys.argv[3]); s = np.load(sys.argv[4]); \
sys.exit(0 if y.dtype == w.dtype and y.view(np.uint32).tolist() == w.view(np.uint32).tolist() \
and t.dtype.kind == 'U' and t.tolist() == s.tolist() else 1)" "$@"
}

check relu-refused 1 "node 'r' \(Relu\): input 0 .*Relu of str is not supported \(only Cast and Identity take STRING" -- \
  "$vggc" compile "$work/relu.onnx" -o "$work/o_relu"
check cast-to-i64-refused 1 "node 'c' \(Cast\): Cast from str to i64 is not supported" -- \
  "$vggc" compile "$work/to_i64.onnx" -o "$work/o_i64"
check cast-from-f16-refused 1 "node 'c' \(Cast\): Cast from f16 to str is not supported" -- \
  "$vggc" compile "$work/from_f16.onnx" -o "$work/o_f16"
check const-refused 1 "initializer 'k': data type STRING is not supported" -- \
  "$vggc" compile "$work/const.onnx" -o "$work/o_const"

check compile 0 '' -- "$vggc" compile "$work/ok.onnx" -o "$work/c" --name m
if make -s -C "$work/c" >"$work/make.log" 2>&1; then
  ok build
  check c-run 0 '' -- "$work/c/m" --input "$work/s.npy" --output "$work/y_c.npy" --output "$work/t_c.npy"
  if same "$work/y_c.npy" "$work/t_c.npy" "$work/want.npy" "$work/s.npy"; then ok c-values
  else bad "c-values differ from numpy's"; fi
  check c-not-a-number 1 "run failed: a STRING element is not a number" -- "$work/c/m" --input "$work/s_bad.npy"
  check c-too-long 1 "input 0 \('s'\).*string element 5 is longer than 31 characters" -- \
    "$work/c/m" --input "$work/s_long.npy"
  check c-non-ascii 1 "input 0 \('s'\).*string element 5 has a non-ASCII character" -- \
    "$work/c/m" --input "$work/s_uni.npy"
else
  bad "build: $(head -3 "$work/make.log")"
fi

check jit-run 0 '' -- "$vggc" run "$work/ok.onnx" --no-cache --input "$work/s.npy" \
  --output "$work/y_j.npy" --output "$work/t_j.npy"
if same "$work/y_j.npy" "$work/t_j.npy" "$work/want.npy" "$work/s.npy"; then ok jit-values
else bad "jit-values differ from numpy's"; fi
check jit-not-a-number 1 "run failed: a STRING element is not a number" -- "$vggc" run "$work/ok.onnx" \
  --no-cache --input "$work/s_bad.npy"
check jit-too-long 1 "input 0 's'.*string element 5 is longer than 31 characters" -- "$vggc" run \
  "$work/ok.onnx" --no-cache --input "$work/s_long.npy"

# vggc bench feeds "0" as text (an empty text is not a number)
check jit-bench 0 'backend jit' -- "$vggc" bench "$work/ok.onnx" --iters 2
check c-bench 0 'backend c' -- "$vggc" bench "$work/ok.onnx" --iters 2 --backend c

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
