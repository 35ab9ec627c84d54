#!/usr/bin/env bash
# test_cache.sh — the JIT object cache: a miss stores an entry, the next run
# hits it, a corrupted or foreign entry is detected and rebuilt (never
# executed), a model through a pipe is keyed by its bytes as its file is,
# external data and bound inputs by what the import read, and the output
# stays right throughout.
#
#   test_cache.sh VGGC MODEL.onnx WORKDIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
py=/usr/bin/python3

vggc=$1 model=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
export XDG_CACHE_HOME="$work/cache"
x="$work/x.npy"
"$py" "$root/models/make_input.py" --model "$model" --batch 2 --seed 7 "$x"

run() {  # run LABEL: output in $work/LABEL.npy, stderr in $work/LABEL.err
  "$vggc" run "$model" --input "$x" --output "$work/$1.npy" -v 2>"$work/$1.err"
}
expect() {  # expect LABEL PATTERN
  if ! grep -q "$2" "$work/$1.err"; then
    echo "FAIL: $1: expected '$2' in:"; cat "$work/$1.err"; exit 1
  fi
  echo "$1: $(grep -m1 "$2" "$work/$1.err")"
}

"$vggc" run "$model" --input "$x" --output "$work/ref.npy" --no-cache -v 2>"$work/nocache.err"
test ! -e "$work/cache/vggc" || { echo "FAIL: --no-cache wrote a cache"; exit 1; }

run first;  expect first "cache miss"; expect first "cache store"
run second; expect second "cache hit: $work/cache/vggc/"
cmp "$work/ref.npy" "$work/second.npy"
entry=$(ls "$work"/cache/vggc/*.jit)
test "$(ls "$work"/cache/vggc | wc -l)" = 1   # no temporary files left

# Flip one byte in the middle of the object.
size=$(stat -c %s "$entry")
"$py" - "$entry" $((size / 2)) <<'PY'
import sys
p, off = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, 'rb').read()); b[off] ^= 0x40; open(p, 'wb').write(b)
PY
run corrupt; expect corrupt "checksum mismatch"; expect corrupt "cache store"
cmp "$work/ref.npy" "$work/corrupt.npy"
run again; expect again "cache hit"

# A foreign file under the entry's name.
echo "not a cache entry" > "$entry"
run foreign; expect foreign "not a vggc JIT cache entry"
cmp "$work/ref.npy" "$work/foreign.npy"

# An entry made for another key (a different option set) is not used.
"$vggc" run "$model" --input "$x" --output "$work/o1.npy" -O1 -v 2>"$work/o1.err"
expect o1 "cache miss"

# Another vggc executable (a rebuild may generate other code) does not use
# this one's entries: here a copy with one byte appended.
cp "$vggc" "$work/vggc-rebuilt"
printf 'x' >>"$work/vggc-rebuilt"
"$work/vggc-rebuilt" run "$model" --input "$x" --output "$work/rebuilt.npy" -v 2>"$work/rebuilt.err"
expect rebuilt "cache miss"
cmp "$work/ref.npy" "$work/rebuilt.npy"

# The key holds the model's bytes as the import read them, so a model through
# a pipe is keyed like its file: the same model hits the file's entry, another
# one gets its own (a key from reading the pipe again, empty, once gave the
# second piped model the first one's code, which crashed), and a named pipe
# is read once (a second open would wait for a writer).
other=$(dirname "$model")/tiny_vgg_bn.onnx
"$vggc" run "$other" --input "$x" --output "$work/other_ref.npy" --no-cache
cat "$model" | "$vggc" run /dev/stdin --input "$x" --output "$work/pipe1.npy" -v 2>"$work/pipe1.err"
expect pipe1 "cache hit: $entry"
cat "$other" | "$vggc" run /dev/stdin --input "$x" --output "$work/pipe2.npy" -v 2>"$work/pipe2.err"
expect pipe2 "cache miss"
cmp "$work/ref.npy" "$work/pipe1.npy"
cmp "$work/other_ref.npy" "$work/pipe2.npy"
mkfifo "$work/fifo"
cat "$other" >"$work/fifo" &
timeout 120 "$vggc" run "$work/fifo" --input "$x" --output "$work/fifo.npy" -v 2>"$work/fifo.err"
wait
expect fifo "cache hit"
cmp "$work/other_ref.npy" "$work/fifo.npy"

# External data is in the key as the import read it: a constant the code
# holds (Clip's bounds, baked into the code) changed in the data file
# alone, the model file untouched, is a miss and the new bound is used.
# (The key once held the model file only: the old code ran, clipping at
# the old bound.)
e=$work/ext
mkdir -p "$e"
"$py" - "$e" <<'PY'
import sys, numpy as np, onnx
from onnx import helper as h, TensorProto as T, numpy_helper as nh
d = sys.argv[1]
x = h.make_tensor_value_info("x", T.FLOAT, [2, 8])
y = h.make_tensor_value_info("y", T.FLOAT, [2, 8])
bounds = [nh.from_array(np.array(-0.5, np.float32), "lo"),
          nh.from_array(np.array(0.25, np.float32), "hi")]
g = h.make_graph([h.make_node("Clip", ["x", "lo", "hi"], ["y"])], "clip_ext", [x], [y], bounds)
m = h.make_model(g, opset_imports=[h.make_opsetid("", 13)])
onnx.save_model(m, f"{d}/clip.onnx", save_as_external_data=True, all_tensors_to_one_file=True,
                location="clip.bin", size_threshold=0)
np.save(f"{d}/x.npy", np.linspace(-1, 1, 16, dtype=np.float32).reshape(2, 8))
PY
check_clip() {  # check_clip LABEL HI: $e/LABEL.npy = clip(x, -0.5, HI), by numpy
  "$py" - "$e" "$1" "$2" <<'PY'
import sys, numpy as np
d, label, hi = sys.argv[1], sys.argv[2], float(sys.argv[3])
got, want = np.load(f"{d}/{label}.npy"), np.clip(np.load(f"{d}/x.npy"), -0.5, hi)
if not np.array_equal(got, want):
    sys.exit(f"FAIL: {label}: max {got.max()}, expected clip at {hi}")
PY
}
clip_run() {  # clip_run LABEL HI: runs clip.onnx, then check_clip
  "$vggc" run "$e/clip.onnx" --input "$e/x.npy" --output "$e/$1.npy" -v 2>"$work/$1.err"
  check_clip "$1" "$2"
}
clip_run ext1 0.25; expect ext1 "cache miss"
clip_run ext2 0.25; expect ext2 "cache hit"
"$py" -c "import sys, numpy as np; f = open(sys.argv[1], 'r+b'); f.seek(4); f.write(np.float32(0.5).tobytes())" "$e/clip.bin"
clip_run ext3 0.5; expect ext3 "cache miss"

# Bound inputs too, as their values: the same file with other contents is
# another key.
"$py" - "$e" <<'PY'
import sys, onnx
from onnx import helper as h, TensorProto as T
d = sys.argv[1]
x = h.make_tensor_value_info("x", T.FLOAT, [2, 8])
hi = h.make_tensor_value_info("hi", T.FLOAT, [])
y = h.make_tensor_value_info("y", T.FLOAT, [2, 8])
lo = h.make_tensor("lo", T.FLOAT, [], [-0.5])
g = h.make_graph([h.make_node("Clip", ["x", "lo", "hi"], ["y"])], "clip_in", [x, hi], [y], [lo])
onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 13)]), f"{d}/clip_in.onnx")
PY
bind_run() {  # bind_run LABEL HI: binds hi to HI through one file, then checks as clip_run
  "$py" -c "import sys, numpy as np; np.save(sys.argv[1], np.float32(sys.argv[2]))" "$e/hi.npy" "$2"
  "$vggc" run "$e/clip_in.onnx" --bind hi="$e/hi.npy" --input "$e/x.npy" --output "$e/$1.npy" \
    -v 2>"$work/$1.err"
  check_clip "$1" "$2"
}
bind_run bind1 0.125; expect bind1 "cache miss"
bind_run bind2 0.125; expect bind2 "cache hit"
bind_run bind3 0.375; expect bind3 "cache miss"
# A bound named pipe, read once by the import, has a key as well (the
# cache was once left unused, the file being unreadable a second time).
mkfifo "$e/hi_fifo.npy"
cat "$e/hi.npy" >"$e/hi_fifo.npy" &   # (bind3's value: numpy cannot write a pipe)
timeout 120 "$vggc" run "$e/clip_in.onnx" --bind hi="$e/hi_fifo.npy" --input "$e/x.npy" \
  --output "$e/bind4.npy" -v 2>"$work/bind4.err"
wait
expect bind4 "cache hit"
check_clip bind4 0.375
echo "cache: ok"
