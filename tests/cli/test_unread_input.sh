#!/usr/bin/env bash
# test_unread_input.sh — graph inputs no node reads the data of (CastLike's
# target_type, an input nothing consumes) are taken with any shape, by the
# generated program and by `vggc run`; an input that is read still must have
# its declared shape, and every input its declared type.
#
#   test_unread_input.sh VGGC WORKDIR
#
# The model: y = CastLike(x, like), x FLOAT [3,4] (read), like FLOAT16
# [3,4] (only its type matters), spare INT64 [2] (read by nothing).  The
# reference output is numpy's x.astype(float16), independent of vggc.  A
# second model, y2 = Relu(x) beside unread INT32 and BOOL inputs (types no
# run-time kernel takes), must compile and run too.
set -uo pipefail
. "$(dirname "$0")/setup.sh"   # vggc, work, py, check.sh

"$py" - "$work" <<'EOF' || { echo "FAIL: cannot make the model and data"; exit 1; }
import sys
import numpy as np
from onnx import TensorProto, helper
w = sys.argv[1]
g = helper.make_graph(
    [helper.make_node("CastLike", ["x", "like"], ["y"])], "unread",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 4]),
     helper.make_tensor_value_info("like", TensorProto.FLOAT16, [3, 4]),
     helper.make_tensor_value_info("spare", TensorProto.INT64, [2])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT16, [3, 4])])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 15)])
m.ir_version = 8
open(f"{w}/m.onnx", "wb").write(m.SerializeToString())
x = (np.arange(12, dtype=np.float32).reshape(3, 4) - 5.5) / 3
np.save(f"{w}/x.npy", x)
np.save(f"{w}/x_bad.npy", x.reshape(4, 3))                   # read: must be [3,4]
np.save(f"{w}/like.npy", np.zeros(1, dtype=np.float16))      # as ONNX's test data has it
np.save(f"{w}/like_f32.npy", np.zeros(1, dtype=np.float32))  # the type is still checked
np.save(f"{w}/spare.npy", np.zeros((5, 2), dtype=np.int64))
np.save(f"{w}/want.npy", x.astype(np.float16))
# INT32 and BOOL inputs (no run-time kernel takes them) are accepted when
# nothing reads them: y2 = Relu(x), beside i32 [2] and flag BOOL [1].
g2 = helper.make_graph(
    [helper.make_node("Relu", ["x"], ["y2"])], "unread_types",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 4]),
     helper.make_tensor_value_info("i32", TensorProto.INT32, [2]),
     helper.make_tensor_value_info("flag", TensorProto.BOOL, [1])],
    [helper.make_tensor_value_info("y2", TensorProto.FLOAT, [3, 4])])
m2 = helper.make_model(g2, opset_imports=[helper.make_opsetid("", 15)])
m2.ir_version = 8
open(f"{w}/m2.onnx", "wb").write(m2.SerializeToString())
np.save(f"{w}/i32.npy", np.zeros(3, dtype=np.int32))
np.save(f"{w}/flag.npy", np.ones(1, dtype=np.bool_))
np.save(f"{w}/want2.npy", np.maximum(x, 0))
EOF

# Two float32 arrays equal element for element (Relu is exact).
same_f32() {
  "$py" -c "import numpy as np, sys; a, b = np.load(sys.argv[1]), np.load(sys.argv[2]); \
sys.exit(0 if a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b) else 1)" "$1" "$2"
}

# The output bit for bit against numpy's float16 rounding.
same() {
  "$py" -c "import numpy as np, sys; a, b = np.load(sys.argv[1]), np.load(sys.argv[2]); \
sys.exit(0 if a.shape == b.shape and a.view(np.uint16).tolist() == b.view(np.uint16).tolist() else 1)" "$1" "$2"
}

check compile-note 0 "input 1 'like' is not read by any node.*any shape" -- \
  "$vggc" compile "$work/m.onnx" -o "$work/c" --name m
check compile-note-spare 0 "input 2 'spare' is not read by any node" -- \
  "$vggc" compile "$work/m.onnx" -o "$work/c2" --name m
check header-says-unread 0 "input 1 'like': f16 \[3,4\]; unread" -- cat "$work/c/m.h"
check dump-ir-unread 0 "^input %like : f16\[3,4\] unread$" -- "$vggc" compile "$work/m.onnx" --dump-ir -o "$work/c3"
if make -s -C "$work/c" >"$work/make.log" 2>&1; then
  ok build
  check c-mis-shaped-unread 0 '' -- "$work/c/m" --input "$work/x.npy" --input "$work/like.npy" \
    --input "$work/spare.npy" --output "$work/y_c.npy"
  if same "$work/y_c.npy" "$work/want.npy"; then ok c-output; else bad "c-output differs from numpy"; fi
  check c-mis-shaped-read 1 "input 0 \('x'\) must have shape \[3,4\]" -- "$work/c/m" \
    --input "$work/x_bad.npy" --input "$work/like.npy" --input "$work/spare.npy"
  check c-unread-type 1 "input 1 \('like'\) must have ONNX type 10" -- "$work/c/m" \
    --input "$work/x.npy" --input "$work/like_f32.npy" --input "$work/spare.npy"
else
  bad "build: $(head -3 "$work/make.log")"
fi

check jit-mis-shaped-unread 0 '' -- "$vggc" run "$work/m.onnx" --no-cache --input "$work/x.npy" \
  --input "$work/like.npy" --input "$work/spare.npy" --output "$work/y_jit.npy"
if same "$work/y_jit.npy" "$work/want.npy"; then ok jit-output; else bad "jit-output differs from numpy"; fi
check jit-mis-shaped-read 1 "input 0 'x' must be f32 \[3,4\], not f32 \[4,3\]" -- "$vggc" run \
  "$work/m.onnx" --no-cache --input "$work/x_bad.npy" --input "$work/like.npy" --input "$work/spare.npy"
check jit-unread-type 1 "input 1 'like' must be f16" -- "$vggc" run "$work/m.onnx" --no-cache \
  --input "$work/x.npy" --input "$work/like_f32.npy" --input "$work/spare.npy"

check unread-i32-bool 0 "input 1 'i32' is not read by any node" -- \
  "$vggc" compile "$work/m2.onnx" -o "$work/c4" --name m2
if make -s -C "$work/c4" >"$work/make4.log" 2>&1; then
  check c-unread-i32-bool 0 '' -- "$work/c4/m2" --input "$work/x.npy" --input "$work/i32.npy" \
    --input "$work/flag.npy" --output "$work/y2_c.npy"
  if same_f32 "$work/y2_c.npy" "$work/want2.npy"; then ok c-unread-i32-bool-output
  else bad "c-unread-i32-bool-output differs from numpy"; fi
  check c-unread-i32-type 1 "input 1 \('i32'\) must have ONNX type 6" -- "$work/c4/m2" \
    --input "$work/x.npy" --input "$work/spare.npy" --input "$work/flag.npy"
else
  bad "build m2: $(head -3 "$work/make4.log")"
fi
check jit-unread-i32-bool 0 '' -- "$vggc" run "$work/m2.onnx" --no-cache --input "$work/x.npy" \
  --input "$work/i32.npy" --input "$work/flag.npy" --output "$work/y2_jit.npy"
if same_f32 "$work/y2_jit.npy" "$work/want2.npy"; then ok jit-unread-i32-bool-output
else bad "jit-unread-i32-bool-output differs from numpy"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
