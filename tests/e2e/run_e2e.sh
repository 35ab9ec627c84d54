#!/usr/bin/env bash
# run_e2e.sh — one model end to end against ONNX Runtime.
#
#   run_e2e.sh VGGC MODEL.onnx WORKDIR BATCH [BATCH ...]
#
# Compiles MODEL once with `vggc compile`, builds the C program with make,
# and for each batch size runs it and ONNX Runtime on the same seeded input,
# then compares.  Tolerance: relative 1e-4 per element, with an absolute
# floor of 1e-5 x the output's largest magnitude (fp32 convolutions summed
# in a different order than ONNX Runtime's differ by ~1e-6 relative per
# layer; 16 layers deep that stays well under 1e-4, while a wrong kernel
# is off by far more).
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

# VGGC_OPT: the optimization level (default: vggc's default).
"$vggc" compile "$model" ${VGGC_OPT:-} -o "$work/c" --name "$name"
# VGGC_CFLAGS: the sanitizer configuration links the generated program with
# the sanitizers its libvggrt was built with.  VGGC_MARCH and
# VGGC_RUNTIME_LIBS: scripts/test_arch.sh builds it for another CPU level,
# against a libvggrt compiled for that level.
make_args=(CFLAGS="-O2 -march=${VGGC_MARCH:-native} ${VGGC_CFLAGS:-}" WARNINGS="-Wall -Wextra -Werror")
[ -n "${VGGC_RUNTIME_LIBS:-}" ] && make_args+=(VGGRT_LIBS="$VGGC_RUNTIME_LIBS")
make -s -C "$work/c" "${make_args[@]}" >/dev/null

for batch in "$@"; do
  x="$work/x_b$batch.npy"
  "$py" "$root/models/make_input.py" --model "$model" --batch "$batch" --seed "$batch" "$x"
  node "$root/tools/ort/ort_run.js" "$model" --input "$x" --output "$work/ref_b$batch.npy"
  # On a 512 KB stack: the kernels' buffers are per-thread scratch, not
  # the stack (tests/runtime/test_scratch.c); they once needed 1.03 MB of it.
  (ulimit -s 512 && "$work/c/$name" --input "$x" --output "$work/y_b$batch.npy")
  echo "batch $batch:"
  "$py" "$root/tools/compare_npy.py" "$work/y_b$batch.npy" "$work/ref_b$batch.npy" \
    --rtol 1e-4 --scale-atol 1e-5
done
