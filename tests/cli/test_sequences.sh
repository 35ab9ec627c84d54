#!/usr/bin/env bash
# test_sequences.sh — sequence and optional graph inputs passed on to graph
# outputs (Identity), by the generated program and by `vggc run`; the files
# are ONNX SequenceProto / OptionalProto messages; what vggc refuses.
#
#   test_sequences.sh VGGC WORKDIR
#
# The model: s2 = Identity(Identity(s)), s a seq(tensor(float)) with no
# declared shape; o2 = Identity(o), o an optional(seq(tensor(float))) of
# [2,?] whose output declares [2,3] (so a run checks [2,3]); y = Relu(x),
# a tensor beside them.  The references are the input files themselves,
# read back by ONNX's Python package, and numpy's maximum(x, 0).
set -uo pipefail
. "$(dirname "$0")/setup.sh"   # vggc, work, py, check.sh

"$py" - "$work" <<'EOF' || { echo "FAIL: cannot make the models and data"; exit 1; }
import sys
import numpy as np
import onnx
from onnx import TensorProto as T, helper as h, numpy_helper as nh
w = sys.argv[1]
F = T.FLOAT

def seq_type(dtype=F, shape=None):
    return h.make_sequence_type_proto(h.make_tensor_type_proto(dtype, shape))

def save(nodes, inputs, outputs, path):
    g = h.make_graph(nodes, "seq", inputs, outputs)
    m = h.make_model(g, opset_imports=[h.make_opsetid("", 16)])
    m.ir_version = 8
    open(path, "wb").write(m.SerializeToString())

save([h.make_node("Identity", ["s"], ["s1"]), h.make_node("Identity", ["s1"], ["s2"]),
      h.make_node("Identity", ["o"], ["o2"]), h.make_node("Relu", ["x"], ["y"])],
     [h.make_value_info("s", seq_type()),
      h.make_value_info("o", h.make_optional_type_proto(seq_type(F, [2, "k"]))),
      h.make_tensor_value_info("x", F, [2, 3])],
     [h.make_value_info("s2", seq_type()),
      h.make_value_info("o2", h.make_optional_type_proto(seq_type(F, [2, 3]))),
      h.make_tensor_value_info("y", F, [2, 3])], f"{w}/m.onnx")
# Refused: an operator other than Identity on a sequence; a sequence output
# declared a tensor; a sequence of maps; a sequence output declared with
# another element type.
save([h.make_node("Relu", ["s"], ["r"])], [h.make_value_info("s", seq_type())],
     [h.make_tensor_value_info("r", F, None)], f"{w}/relu_of_seq.onnx")
save([h.make_node("Identity", ["s"], ["r"])], [h.make_value_info("s", seq_type())],
     [h.make_tensor_value_info("r", F, [2])], f"{w}/seq_as_tensor.onnx")
map_type = onnx.TypeProto()
map_type.map_type.key_type = T.INT64
map_type.map_type.value_type.CopyFrom(h.make_tensor_type_proto(F, None))
save([h.make_node("Identity", ["s"], ["r"])],
     [h.make_value_info("s", h.make_sequence_type_proto(map_type))],
     [h.make_value_info("r", seq_type())], f"{w}/seq_of_map.onnx")
save([h.make_node("Identity", ["s"], ["r"])], [h.make_value_info("s", seq_type())],
     [h.make_value_info("r", seq_type(T.INT64))], f"{w}/seq_out_int.onnx")

rng = np.random.default_rng(7)
def f32(*shape):
    return rng.standard_normal(shape).astype(np.float32)
def pb(msg, name):
    open(f"{w}/{name}", "wb").write(msg.SerializeToString())
pb(nh.from_list([f32(1), f32(2, 2), f32(0)], "s"), "s.pb")
pb(nh.from_list([], "s"), "s_empty.pb")
pb(nh.from_list([np.arange(3, dtype=np.int64)], "s"), "s_int.pb")
pb(nh.from_optional([f32(2, 3), f32(2, 3)], "o"), "o.pb")
pb(nh.from_optional(None, "o", dtype=onnx.OptionalProto.SEQUENCE), "o_none.pb")
pb(nh.from_optional([f32(2, 3), f32(2, 4)], "o"), "o_bad.pb")
x = f32(2, 3)
np.save(f"{w}/x.npy", x)
np.save(f"{w}/y_want.npy", np.maximum(x, 0))
EOF

# A written value equals the input file's (the same tensors, bit for bit,
# and the same structure) under the output's name.
same_value() {  # GOT WANT KIND NAME
  "$py" - "$@" <<'EOF'
import sys
import onnx
from onnx import numpy_helper as nh
got, want, kind, name = sys.argv[1:]
def load(path):
    m = onnx.SequenceProto() if kind == "seq" else onnx.OptionalProto()
    m.ParseFromString(open(path, "rb").read())
    return m
a, b = load(got), load(want)
if a.name != name:
    sys.exit(f"name {a.name!r}, expected {name!r}")
def tree(m):
    if isinstance(m, onnx.SequenceProto):
        return ("seq", m.elem_type, [tree(t) for t in m.tensor_values] +
                [tree(s) for s in m.sequence_values])
    if isinstance(m, onnx.OptionalProto):
        v = m.sequence_value if m.HasField("sequence_value") else (
            m.tensor_value if m.HasField("tensor_value") else None)
        return ("opt", m.elem_type, None if v is None else tree(v))
    x = nh.to_array(m)
    return (x.dtype.str, x.shape, x.tobytes())
sys.exit(0 if tree(a) == tree(b) else "the values differ")
EOF
}
same_npy() {
  "$py" -c "import numpy as np, sys; a, b = np.load(sys.argv[1]), np.load(sys.argv[2]); \
sys.exit(0 if a.shape == b.shape and np.array_equal(a, b) else 1)" "$1" "$2"
}
outputs_ok() {  # PREFIX: the three outputs of a run on s.pb, o.pb, x.npy
  local p=$1
  if same_value "$work/$p.s2.pb" "$work/s.pb" seq s2 && same_value "$work/$p.o2.pb" "$work/o.pb" opt o2 &&
     same_npy "$work/$p.y.npy" "$work/y_want.npy"; then ok "$p-outputs"; else bad "$p-outputs differ"; fi
}

check compile 0 '' -- "$vggc" compile "$work/m.onnx" -o "$work/c" --name m
check header 0 "input 1 'o': optional\(seq\(tensor\(float\)\)\) of \[2,3\], passed on unchanged" \
  -- cat "$work/c/m.h"
check dump-ir 0 "^output %o2 = %o$" -- "$vggc" compile "$work/m.onnx" --dump-ir -o "$work/c2"
check inspect 0 "^ o2 \(passed on from o\) +optional\(seq\(tensor\(float\)\)\) of \[2,3\] +0$" \
  -- "$vggc" inspect "$work/m.onnx"
if make -s -C "$work/c" WARNINGS="-Wall -Wextra -Werror" >"$work/make.log" 2>&1; then
  ok build
  check c-run 0 '' -- "$work/c/m" --input "$work/s.pb" --input "$work/o.pb" --input "$work/x.npy" \
    --output "$work/c.s2.pb" --output "$work/c.o2.pb" --output "$work/c.y.npy"
  outputs_ok c
  check c-none 0 '' -- "$work/c/m" --input "$work/s_empty.pb" --input "$work/o_none.pb" \
    --input "$work/x.npy" --output "$work/c.e.pb" --output "$work/c.n.pb" --output "$work/c.y2.npy"
  if same_value "$work/c.e.pb" "$work/s_empty.pb" seq s2 && same_value "$work/c.n.pb" "$work/o_none.pb" opt o2
  then ok c-none-outputs; else bad "c-none-outputs differ"; fi
  check c-print 0 "output 0 's2': seq\(tensor\(float\)\) holding 3 tensor" -- "$work/c/m" \
    --input "$work/s.pb" --input "$work/o.pb" --input "$work/x.npy"
  check c-dims 1 "input 1 \('o'.*element 1 .*dims \[2,4\] where the model declares \[2,3\]" -- \
    "$work/c/m" --input "$work/s.pb" --input "$work/o_bad.pb" --input "$work/x.npy"
  check c-dtype 1 "input 0 \('s'" -- "$work/c/m" --input "$work/s_int.pb" --input "$work/o.pb" \
    --input "$work/x.npy"
  check c-npy-for-seq 1 "input 0 \('s'.*a \.npy file, where the model takes a sequence" -- "$work/c/m" --input "$work/x.npy" --input "$work/o.pb" \
    --input "$work/x.npy"
else
  bad "build: $(head -3 "$work/make.log")"
fi

run=("$vggc" run "$work/m.onnx" --no-cache)
check jit-run 0 '' -- "${run[@]}" --input "$work/s.pb" --input "$work/o.pb" --input "$work/x.npy" \
  --output "$work/jit.s2.pb" --output "$work/jit.o2.pb" --output "$work/jit.y.npy"
outputs_ok jit
check jit-json 0 '"name": "o2", "type": "optional\(seq\(tensor\(float\)\)\) of \[2,3\]", "tensors": 2' \
  -- "${run[@]}" --json --input "$work/s.pb" --input "$work/o.pb" --input "$work/x.npy"
check jit-dims 1 "input 1 'o' .*dims \[2,4\] where the model declares \[2,3\]" -- "${run[@]}" \
  --input "$work/s.pb" --input "$work/o_bad.pb" --input "$work/x.npy"
check jit-dtype 1 "input 0 's' " -- "${run[@]}" --input "$work/s_int.pb" --input "$work/o.pb" \
  --input "$work/x.npy"

check refuse-relu 1 "Relu.*input 0 \('s'\) is seq\(tensor\(float\)\); vggc passes sequences and optionals on unchanged" \
  -- "$vggc" compile "$work/relu_of_seq.onnx" -o "$work/r1"
check refuse-as-tensor 1 "graph output 'r' is declared a tensor, but it is seq\(tensor\(float\)\)" \
  -- "$vggc" compile "$work/seq_as_tensor.onnx" -o "$work/r2"
check refuse-map 1 "input 's' is a sequence or optional of maps or sparse tensors" \
  -- "$vggc" compile "$work/seq_of_map.onnx" -o "$work/r3"
check refuse-out-type 1 "graph output 'r' is declared seq\(tensor\(int64\)\), but it passes on input 's', declared seq\(tensor\(float\)\)" \
  -- "$vggc" compile "$work/seq_out_int.onnx" -o "$work/r4"
check refuse-bind 1 "--bind s=.*is a sequence or optional; only tensors can be bound" \
  -- "$vggc" compile "$work/m.onnx" --bind "s=$work/x.npy" -o "$work/r5"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
