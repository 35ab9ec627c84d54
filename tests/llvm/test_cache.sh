#!/usr/bin/env bash
# test_cache.sh — the JIT object cache: a miss stores an entry, the next run
# hits it, a corrupted or foreign entry is detected and rebuilt (never
# executed), a model through a pipe is keyed by its bytes as its file is,
# and the output stays right throughout.
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
echo "cache: ok"
