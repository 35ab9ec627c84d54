#!/usr/bin/env bash
# weights_open.sh — the generated program against broken weights files.
#
#   weights_open.sh VGGC MODELS_DIR WORK
#
# Compiles tiny_vgg to C, builds its program (VGGC_CFLAGS: the sanitizer
# configuration builds it with the sanitizers), and runs it on a seeded
# input with: its own weights (exit 0; also through a pipe and a named
# pipe, read by doubling a buffer where a file's size is known), then
# truncated, empty, extended,
# byte-flipped (header and payload) weights, the weights of another model
# under the same name (tiny_vgg_bn compiled --name tiny_vgg: other size and
# checksum), another model's file renamed, a missing file and a folder.
# Each broken case must end with exit 1 and a message naming the weights
# problem, before any output is written: never a signal, never a crash.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
py=/usr/bin/python3
vggc=$1 models=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
fails=0 n=0

"$vggc" compile "$models/tiny_vgg.onnx" -o "$work/a" >/dev/null || { echo "FAIL: compile tiny_vgg"; exit 1; }
"$vggc" compile "$models/tiny_vgg_bn.onnx" -o "$work/b" --name tiny_vgg >/dev/null ||
  { echo "FAIL: compile tiny_vgg_bn --name tiny_vgg"; exit 1; }
"$vggc" compile "$models/tiny_vgg_bn.onnx" -o "$work/c" >/dev/null ||
  { echo "FAIL: compile tiny_vgg_bn"; exit 1; }
make -s -C "$work/a" CFLAGS="-O1 -g ${VGGC_CFLAGS:-}" >/dev/null || { echo "FAIL: make"; exit 1; }
"$py" "$root/models/make_input.py" --model "$models/tiny_vgg.onnx" --batch 2 --seed 1 "$work/x.npy" ||
  { echo "FAIL: make_input.py"; exit 1; }

prog=$work/a/tiny_vgg good=$work/a/tiny_vgg.weights
size=$(stat -c %s "$good")

# case NAME EXPECTED_EXIT MESSAGE_REGEX WEIGHTS_FILE
case_() {
  local name=$1 want=$2 re=$3 w=$4
  n=$((n + 1))
  rm -f "$work/y.npy"
  timeout 60 "$prog" --input "$work/x.npy" --output "$work/y.npy" --weights "$w" \
    >"$work/out.txt" 2>"$work/err.txt"
  local rc=$?
  local err
  err=$(tr '\n' ' ' <"$work/err.txt")
  if [ "$rc" -ne "$want" ]; then
    echo "FAIL $name: exit $rc, expected $want: $err"; fails=$((fails + 1)); return
  fi
  if grep -qE 'Sanitizer|runtime error' "$work/err.txt"; then
    echo "FAIL $name: sanitizer report: $err"; fails=$((fails + 1)); return
  fi
  if [ "$want" -ne 0 ]; then
    if ! grep -qiE "$re" "$work/err.txt"; then
      echo "FAIL $name: message does not match /$re/: $err"; fails=$((fails + 1)); return
    fi
    if [ -e "$work/y.npy" ]; then
      echo "FAIL $name: wrote an output despite the bad weights"; fails=$((fails + 1)); return
    fi
  fi
  echo "ok   $name: exit $rc ${err:0:160}"
}

mut() {  # mut NAME: a fresh copy of the good file at $work/w/NAME
  mkdir -p "$work/w"
  cp "$good" "$work/w/$1"
  echo "$work/w/$1"
}
flip() {  # flip FILE OFFSET: xor one byte with 0x01
  "$py" -c 'import sys; p, o = sys.argv[1], int(sys.argv[2]); b = bytearray(open(p, "rb").read()); b[o] ^= 1; open(p, "wb").write(b)' "$1" "$2"
}

case_ good 0 '' "$good"
cp "$work/y.npy" "$work/y_file.npy"
# Through a pipe (read in growing pieces, where a regular file is read in
# one of its size): the same outputs, and the same checks.
case_ good_from_pipe 0 '' <(cat "$good")
if cmp -s "$work/y.npy" "$work/y_file.npy"; then
  echo "ok   good_from_pipe_same_output"
else
  echo "FAIL good_from_pipe_same_output: outputs differ from the regular file's"; fails=$((fails + 1))
fi
n=$((n + 1))
case_ truncated_from_pipe 1 'truncat|short|size' <(head -c $((size - 1)) "$good")
# A named pipe: opened once (a second open would wait for a writer that has
# gone; case_'s timeout turns such a hang into a failure).
mkfifo "$work/fifo"
cat "$good" >"$work/fifo" &
case_ good_from_named_pipe 0 '' "$work/fifo"
wait
cmp -s "$work/y.npy" "$work/y_file.npy" && echo "ok   good_from_named_pipe_same_output" ||
  { echo "FAIL good_from_named_pipe_same_output"; fails=$((fails + 1)); }
n=$((n + 1))
w=$(mut empty); : >"$w"; case_ empty 1 'truncat|short|size|empty|header' "$w"
w=$(mut header_only); truncate -s 128 "$w"; case_ header_only 1 'truncat|short|size' "$w"
w=$(mut half_header); truncate -s 60 "$w"; case_ half_header 1 'truncat|short|size|header' "$w"
w=$(mut truncated_1); truncate -s $((size - 1)) "$w"; case_ truncated_by_1 1 'truncat|short|size' "$w"
w=$(mut truncated_half); truncate -s $((size / 2)) "$w"; case_ truncated_half 1 'truncat|short|size' "$w"
w=$(mut extended); printf 'x' >>"$w"; case_ extended_by_1 1 'size|long|trailing|extra' "$w"
w=$(mut magic); flip "$w" 0; case_ flipped_magic 1 'magic|not a' "$w"
w=$(mut version); flip "$w" 8; case_ flipped_version 1 'version' "$w"
w=$(mut hsize); flip "$w" 12; case_ flipped_header_size 1 'header' "$w"
w=$(mut psize); flip "$w" 16; case_ flipped_payload_size 1 'size' "$w"
w=$(mut psize_hi); flip "$w" 23; case_ flipped_payload_size_high 1 'size' "$w"
w=$(mut sum); flip "$w" 24; case_ flipped_checksum_field 1 'checksum' "$w"
w=$(mut name); flip "$w" 32; case_ flipped_name 1 'name|model' "$w"
w=$(mut pad); flip "$w" 100; case_ flipped_header_padding 1 'header|reserved|padding|checksum' "$w"
w=$(mut payload_first); flip "$w" 128; case_ flipped_payload_first 1 'checksum|corrupt' "$w"
w=$(mut payload_mid); flip "$w" $(( (size + 128) / 2 )); case_ flipped_payload_middle 1 'checksum|corrupt' "$w"
w=$(mut payload_last); flip "$w" $((size - 1)); case_ flipped_payload_last 1 'checksum|corrupt' "$w"
case_ swapped_same_name 1 'size|checksum|other|different' "$work/b/tiny_vgg.weights"
case_ other_model 1 'name|model|tiny_vgg_bn' "$work/c/tiny_vgg_bn.weights"
case_ missing 1 'no such|cannot|open' "$work/w/does_not_exist.weights"
case_ folder 1 'directory|folder|read|not a' "$work/w"
case_ not_weights 1 'magic|not a|truncat|short|size' "$models/tiny_vgg.onnx"

echo "$((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
