#!/usr/bin/env bash
# paths.sh — files vggc reads and writes stay where they should.
#
#   paths.sh VGGC MODELS_DIR WORK
#
# External data (beyond tests/bad_input's ../, absolute, symlinked file and
# offset/length cases): a symlinked folder that leaves the model's folder, a
# `..` that comes back inside, an absolute path that points inside, a folder
# as the location, and the plain case that must work.  Output: a symbolic
# link planted in -o DIR under an output's name is neither followed nor
# replaced without --force, and with --force the link is replaced, its
# target untouched; -o naming a regular file; nothing is left behind in
# the output folder after a refusal, nor the folder itself when the writes
# fail and the compile had created it.
set -uo pipefail
vggc=$1 models=$2 work=$3
py=/usr/bin/python3
rm -rf "$work"
mkdir -p "$work/m/in" "$work/outside"
fails=0 n=0

"$py" - "$models/tiny_vgg.onnx" "$work" <<'PY' || { echo "FAIL: making the models"; exit 1; }
import os, sys, onnx
from onnx import TensorProto
src, work = sys.argv[1], sys.argv[2]
m = onnx.load(src)
t = max(m.graph.initializer, key=lambda t: len(t.raw_data))
open(os.path.join(work, "outside", "w.bin"), "wb").write(t.raw_data)
open(os.path.join(work, "m", "in", "w.bin"), "wb").write(t.raw_data)
os.symlink("../outside", os.path.join(work, "m", "sub"))
def ext(loc, name):
    mm = onnx.ModelProto()
    mm.CopyFrom(m)
    tt = [x for x in mm.graph.initializer if x.name == t.name][0]
    tt.ClearField("raw_data")
    tt.data_location = TensorProto.EXTERNAL
    e = tt.external_data.add()
    e.key, e.value = "location", loc
    open(os.path.join(work, "m", name + ".onnx"), "wb").write(mm.SerializeToString())
ext("sub/w.bin", "dirlink")
ext("in/../in/w.bin", "inner_dotdot")
ext(os.path.join(work, "m", "in", "w.bin"), "abs_inside")
ext("in", "folder")
ext("in/w.bin", "inside")
PY

# check NAME WANT_EXIT REGEX COMMAND...
check() {
  local name=$1 want=$2 re=$3
  shift 3
  n=$((n + 1))
  "$@" >"$work/out.txt" 2>"$work/err.txt"
  local rc=$?
  if [ "$rc" -ne "$want" ] || { [ -n "$re" ] && ! grep -qE "$re" "$work/err.txt"; }; then
    echo "FAIL $name: exit $rc (want $want), stderr: $(head -c 300 "$work/err.txt")"
    fails=$((fails + 1))
  else
    echo "ok   $name"
  fi
}
empty_or_missing() {  # empty_or_missing NAME DIR
  n=$((n + 1))
  if [ -d "$2" ] && [ -n "$(ls -A "$2")" ]; then
    echo "FAIL $1: $2 holds $(ls -A "$2" | tr '\n' ' ')"
    fails=$((fails + 1))
  else
    echo "ok   $1"
  fi
}

check ext_dirlink 1 'outside the model' "$vggc" compile "$work/m/dirlink.onnx" -o "$work/o1"
empty_or_missing ext_dirlink_no_output "$work/o1"
check ext_inner_dotdot 1 "\.\." "$vggc" compile "$work/m/inner_dotdot.onnx" -o "$work/o2"
check ext_abs_inside 1 'absolute' "$vggc" compile "$work/m/abs_inside.onnx" -o "$work/o3"
check ext_folder 1 'not a regular file' "$vggc" compile "$work/m/folder.onnx" -o "$work/o4"
check ext_inside 0 '' "$vggc" compile "$work/m/inside.onnx" -o "$work/o5"

# A link under an output's name, pointing outside.
mkdir -p "$work/o6"
echo precious >"$work/outside/victim"
ln -s ../outside/victim "$work/o6/tiny_vgg.c"
check out_symlink_refused 1 'not written by vggc' "$vggc" compile "$models/tiny_vgg.onnx" -o "$work/o6"
n=$((n + 1))
if [ "$(ls -A "$work/o6")" != "tiny_vgg.c" ] || [ "$(cat "$work/outside/victim")" != precious ]; then
  echo "FAIL out_symlink_untouched: $(ls -A "$work/o6" | tr '\n' ' '), victim: $(cat "$work/outside/victim")"
  fails=$((fails + 1))
else
  echo "ok   out_symlink_untouched"
fi
check out_symlink_force 0 '' "$vggc" compile "$models/tiny_vgg.onnx" -o "$work/o6" --force
n=$((n + 1))
if [ -L "$work/o6/tiny_vgg.c" ] || [ "$(cat "$work/outside/victim")" != precious ]; then
  echo "FAIL out_symlink_force_replaces_link: link kept or its target changed"
  fails=$((fails + 1))
else
  echo "ok   out_symlink_force_replaces_link"
fi
: >"$work/plainfile"
check out_is_a_file 1 'vggc: error' "$vggc" compile "$models/tiny_vgg.onnx" -o "$work/plainfile"
n=$((n + 1))
if [ -s "$work/plainfile" ]; then echo "FAIL out_is_a_file_untouched"; fails=$((fails + 1)); else echo "ok   out_is_a_file_untouched"; fi

# Writes that fail (a full disk, here a file size limit of 4 KB): the
# folders the compile created go with its temporary files; a folder that
# was there stays.
check out_write_fails 1 'File too large' \
  bash -c 'ulimit -f 4; trap "" XFSZ; exec "$0" "$@"' "$vggc" compile "$models/tiny_vgg.onnx" \
  -o "$work/new/deeper"
n=$((n + 1))
if [ -e "$work/new" ]; then
  echo "FAIL out_write_fails_no_folder: $(find "$work/new" | tr '\n' ' ')"; fails=$((fails + 1))
else
  echo "ok   out_write_fails_no_folder"
fi
mkdir -p "$work/was_there"
check out_write_fails_kept 1 'File too large' \
  bash -c 'ulimit -f 4; trap "" XFSZ; exec "$0" "$@"' "$vggc" compile "$models/tiny_vgg.onnx" \
  -o "$work/was_there"
n=$((n + 1))
if [ ! -d "$work/was_there" ] || [ -n "$(ls -A "$work/was_there")" ]; then
  echo "FAIL out_write_fails_kept_folder: gone, or holds $(ls -A "$work/was_there" 2>/dev/null)"
  fails=$((fails + 1))
else
  echo "ok   out_write_fails_kept_folder"
fi

echo "$((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
