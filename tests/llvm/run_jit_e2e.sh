#!/usr/bin/env bash
# run_jit_e2e.sh — one model through `vggc run` (the LLVM JIT), against
# ONNX Runtime and against the C backend, on the same inputs.
#
#   run_jit_e2e.sh VGGC MODEL.onnx WORKDIR BATCH [BATCH ...]
#
# JIT vs ONNX Runtime: the tolerance of tests/e2e/run_e2e.sh (relative 1e-4,
# absolute floor 1e-5 x the output's largest magnitude).  JIT vs C backend:
# relative 1e-5 (same kernels, same plan; only the compilers' contraction
# and vectorization order differ), with a floor of 1e-6 x the largest
# magnitude for values near zero.  `vggc run` chooses the kernels for the
# batch it runs (Graph.batch_hint: at 2 or more, small maps may take
# Winograd), so the C program is compiled for each batch with the same
# --batch-hint.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
py=/usr/bin/python3

vggc=$1 model=$2 work=$3
shift 3
name=$(basename "$model" .onnx)
rm -rf "$work"
mkdir -p "$work"
# A passing run removes WORKDIR (VGG-16's compiled weights alone are 0.6 GB);
# a failing one keeps it to look into, and VGGC_KEEP_WORK=1 keeps it always.
trap '[ $? -eq 0 ] && [ "${VGGC_KEEP_WORK:-0}" = 0 ] && rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache"

for batch in "$@"; do
  c="$work/c_hint$batch"
  "$vggc" compile "$model" ${VGGC_OPT:-} -o "$c" --name "$name" --batch-hint "$batch"
  make -s -C "$c" CFLAGS="-O2 -march=native ${VGGC_CFLAGS:-}" WARNINGS="-Wall -Wextra -Werror" >/dev/null
  x="$work/x_b$batch.npy"
  "$py" "$root/models/make_input.py" --model "$model" --batch "$batch" --seed "$batch" "$x"
  node "$root/tools/ort/ort_run.js" "$model" --input "$x" --output "$work/ref_b$batch.npy"
  "$c/$name" --input "$x" --output "$work/c_b$batch.npy"
  "$vggc" run "$model" ${VGGC_OPT:-} --input "$x" --output "$work/jit_b$batch.npy"
  echo "batch $batch, JIT vs ONNX Runtime:"
  "$py" "$root/tools/compare_npy.py" "$work/jit_b$batch.npy" "$work/ref_b$batch.npy" \
    --rtol 1e-4 --scale-atol 1e-5
  echo "batch $batch, JIT vs C backend:"
  "$py" "$root/tools/compare_npy.py" "$work/jit_b$batch.npy" "$work/c_b$batch.npy" \
    --rtol 1e-5 --scale-atol 1e-6
  rm -rf "$c"
done
