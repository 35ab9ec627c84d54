#!/usr/bin/env bash
# valgrind.sh — memcheck on vggc and on the generated programs.
#
#   valgrind.sh VGGC MODELS_DIR WORK PORTABLE_LIBVGGRT
#
# For tiny_vgg and tiny_vgg_bn: `vggc compile` under valgrind (memcheck;
# VGGC is vggc_portable, linked with the portable libvggrt, since vggc runs
# kernels itself when it folds constants and packs weights;
# --leak-check=full, every error kind an error: --error-exitcode=1), then the
# generated program, built with -O1 -g against the portable libvggrt (no
# -march=native: valgrind does not decode AVX-512), run under valgrind on a seeded batch-2 input.  `vggc run`
# is checked the same way when this vggc has it (`vggc run --help` exits 0),
# cold (LLVM compiles; minutes under valgrind) and warm (from its JIT cache).
# Not registered in the sanitizer configuration (valgrind and ASan exclude
# each other).  valgrind.supp holds the one report outside vggc's code
# that is suppressed (the dynamic loader's, when vggc loads its LLVM
# backend), with why.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
py=/usr/bin/python3
vggc=$1 models=$2 work=$3 portable=$4
rm -rf "$work"
mkdir -p "$work"
command -v valgrind >/dev/null || { echo "valgrind not installed (scripts/install-deps.sh)"; exit 1; }
vg=(valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect --track-origins=yes --quiet
    --suppressions="$here/valgrind.supp")
export OPENBLAS_NUM_THREADS=1
fails=0 n=0
step() {  # step NAME WANT COMMAND...: runs COMMAND under valgrind, expects exit WANT
  local name=$1 want=$2
  shift 2
  n=$((n + 1))
  "${vg[@]}" --log-file="$work/$name.vg" "$@" >"$work/$name.out" 2>&1
  local rc=$?
  if [ "$rc" -ne "$want" ] || [ -s "$work/$name.vg" ]; then
    echo "FAIL $name: exit $rc"
    head -40 "$work/$name.vg"
    tail -5 "$work/$name.out"
    fails=$((fails + 1))
  else
    echo "ok   $name"
  fi
}

has_run=0
"$vggc" run --help >/dev/null 2>&1 && has_run=1
for m in tiny_vgg tiny_vgg_bn; do
  step "compile_$m" 0 "$vggc" compile "$models/$m.onnx" -o "$work/$m"
  head -c 5000 "$models/$m.onnx" >"$work/$m.cut.onnx"
  # Linked with the portable libvggrt: valgrind does not decode AVX-512.
  make -s -C "$work/$m" CFLAGS="-O1 -g" \
    VGGRT_LIBS="$portable $(pkg-config --libs openblas libpng libjpeg) -lm -lpthread" \
    >/dev/null 2>&1 || { echo "FAIL make $m"; fails=$((fails + 1)); continue; }
  "$py" "$root/models/make_input.py" --model "$models/$m.onnx" --batch 2 --seed 3 "$work/$m.x.npy"
  step "program_$m" 0 "$work/$m/$m" --input "$work/$m.x.npy" --output "$work/$m.y.npy"
  # a refused model and a refused weights file leak nothing either
  step "compile_${m}_truncated" 1 "$vggc" compile "$work/$m.cut.onnx" -o "$work/none"
  step "program_${m}_bad_weights" 1 "$work/$m/$m" --input "$work/$m.x.npy" --output "$work/$m.z.npy" \
    --weights "$work/$m.cut.onnx"
  # vggc run JIT-compiles with LLVM: minutes under valgrind, so one model only
  if [ "$has_run" = 1 ] && [ "$m" = tiny_vgg ]; then
    # cold: LLVM builds and stores the object in a private JIT cache; warm: loads it
    export XDG_CACHE_HOME=$work/cache
    step "run_${m}_cold" 0 "$vggc" run "$models/$m.onnx" --input "$work/$m.x.npy" --output "$work/$m.r.npy"
    step "run_${m}_warm" 0 "$vggc" run "$models/$m.onnx" --input "$work/$m.x.npy" --output "$work/$m.r2.npy"
    step "run_${m}_truncated" 1 "$vggc" run "$work/$m.cut.onnx" --input "$work/$m.x.npy"
  fi
done
[ "$has_run" = 1 ] || echo "note: 'vggc run' is not available in this build: not checked"
echo "$((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
