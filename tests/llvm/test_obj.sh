#!/usr/bin/env bash
# test_obj.sh — `vggc compile --emit obj` linked into a user's program
# (app.c) gives the C backend's output.
#
#   test_obj.sh VGGC MODEL.onnx WORKDIR RUNTIME_INCLUDE LIBVGGRT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
py=/usr/bin/python3

vggc=$1 model=$2 work=$3 rtinc=$4 rtlib=$5
name=$(basename "$model" .onnx)
rm -rf "$work"
mkdir -p "$work"

"$vggc" compile "$model" -o "$work/obj" --name "$name" --emit obj
test -s "$work/obj/$name.o" && test -s "$work/obj/$name.h" && test -s "$work/obj/$name.weights"
cc -std=c99 -Wall -Wextra -Werror ${VGGC_CFLAGS:-} -I"$work/obj" -I"$rtinc" \
   -DNAME="$name" -DHEADER="\"$name.h\"" "$here/app.c" "$work/obj/$name.o" "$rtlib" \
   -lopenblas -lm -lpthread -o "$work/app"

"$vggc" compile "$model" -o "$work/c" --name "$name"
make -s -C "$work/c" CFLAGS="-O2 -march=native ${VGGC_CFLAGS:-}" WARNINGS="-Wall -Wextra -Werror" >/dev/null

for batch in 1 3; do
  x="$work/x_b$batch.npy"
  "$py" "$root/models/make_input.py" --model "$model" --batch "$batch" --seed "$batch" "$x"
  "$work/app" "$work/obj/$name.weights" "$x" "$work/obj_b$batch.npy"
  "$work/c/$name" --input "$x" --output "$work/c_b$batch.npy"
  echo "batch $batch, object file vs C backend:"
  "$py" "$root/tools/compare_npy.py" "$work/obj_b$batch.npy" "$work/c_b$batch.npy" \
    --rtol 1e-5 --scale-atol 1e-6
done
# A wrong weights file is an error at open, not a crash.
head -c 200 "$work/obj/$name.weights" > "$work/short.weights"
if "$work/app" "$work/short.weights" "$work/x_b1.npy" "$work/bad.npy" 2>"$work/err.txt"; then
  echo "FAIL: a truncated weights file was accepted"; exit 1
fi
grep -q . "$work/err.txt"
echo "truncated weights rejected: $(cat "$work/err.txt")"
