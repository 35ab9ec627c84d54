#!/usr/bin/env bash
# check_generated_c.sh — what vggc writes is deterministic and warning-free.
#
#   check_generated_c.sh VGGC MODEL.onnx WORKDIR RUNTIME_INCLUDE [COMPILE_OPTION...]
#
# (COMPILE_OPTIONs go to both `vggc compile`s, e.g. --bind NAME=FILE.npy.)
# 1. Compiling the same model twice (into two folders) gives byte-identical
#    files.
# 2. The generated C compiles with -std=c99 -Wall -Wextra -Werror -pedantic
#    under gcc and under clang (clang-19 when present).
set -euo pipefail
vggc=$1 model=$2 work=$3 inc=$4
shift 4
name=$(basename "$model" .onnx)
rm -rf "$work"
mkdir -p "$work"
"$vggc" compile "$model" -o "$work/a" --name "$name" "$@"
"$vggc" compile "$model" -o "$work/b" --name "$name" "$@"
for f in "$name.c" "$name.h" "$name.weights" main.c Makefile; do
  cmp "$work/a/$f" "$work/b/$f"
done
echo "deterministic: 5 files identical"

compilers=(gcc)
if command -v clang-19 >/dev/null; then compilers+=(clang-19); elif command -v clang >/dev/null; then compilers+=(clang); fi
for cc in "${compilers[@]}"; do
  for f in "$name.c" main.c; do
    "$cc" -std=c99 -Wall -Wextra -Werror -pedantic -O1 -I"$inc" -I"$work/a" -c "$work/a/$f" -o "$work/$cc-$f.o"
  done
  echo "$cc: -std=c99 -Wall -Wextra -Werror -pedantic: clean"
done
