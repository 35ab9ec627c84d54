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
# reference output is numpy's x.astype(float16), independent of vggc.
set -uo pipefail
vggc=$1 work=$2
py=/usr/bin/python3
rm -rf "$work"
mkdir -p "$work"
. "$(dirname "$0")/../check.sh"

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
EOF

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

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
