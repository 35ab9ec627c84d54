#!/usr/bin/env bash
# test_arch.sh — libvggrt's kernels built for another CPU level, tested.
#
#   scripts/test_arch.sh ARCH [BUILD]      ARCH: x86-64-v3 (AVX2) or x86-64 (SSE2)
#
# The kernels choose their code paths and tiles from the target's vector
# width (AVX-512, AVX2, or portable C), so each level is its own code.  This
# builds libvggrt and its unit tests in build-ARCH with -DVGGRT_ARCH=ARCH
# and runs them, then compiles the tiny models with BUILD's vggc
# (default: build/, already built) for that level (--target ARCH: its
# blocked layout, NCHW8c), links each generated program against that
# libvggrt (built with -march=ARCH) and compares it with ONNX Runtime
# (tests/e2e/run_e2e.sh: same tolerance as every end-to-end test).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
arch=${1:?usage: test_arch.sh ARCH [BUILD]}
main_build=${2:-$root/build}
cd "$root"
bdir=build-$arch
jobs=$(nproc)

cmake -S . -B "$bdir" -DCMAKE_BUILD_TYPE=Release -DVGGC_WERROR=ON -DVGGC_TESTS_BIG=OFF \
      -DVGGRT_ARCH="$arch" >/dev/null
tests=$(sed -n 's/^[[:space:]]*add_executable(\(test_runtime_[a-z0-9_]*\).*/\1/p' \
        tests/runtime/CMakeLists.txt)
# (vggrt_shared: runtime.scratch_dlclose loads it.)
# shellcheck disable=SC2086
cmake --build "$bdir" -j"$jobs" --target vggrt vggrt_shared $tests
ctest --test-dir "$bdir" -R '^runtime\.' --output-on-failure -j"$jobs"

vggc=$main_build/cli/vggc
deps=$(pkg-config --libs openblas libpng libjpeg)
export VGGC_MARCH=$arch
export VGGC_OPT="--target $arch"
export VGGC_RUNTIME_LIBS="$root/$bdir/runtime/libvggrt.a $deps -lm -lpthread"
# The models run side by side (each is a few short processes), then report
# in a fixed order.
names=() pids=()
for model in "$main_build"/models/tiny_*.onnx; do
  name=$(basename "$model" .onnx)
  names+=("$name")
  bash tests/e2e/run_e2e.sh "$vggc" "$model" "$root/$bdir/e2e/$name" 1 2 \
    >"$root/$bdir/e2e-$name.log" 2>&1 &
  pids+=("$!")
done
fail=0
for i in "${!names[@]}"; do
  name=${names[$i]}
  if wait "${pids[$i]}"; then
    echo "$arch: $name passed"
  else
    echo "$arch: $name FAILED:"; cat "$root/$bdir/e2e-$name.log"; fail=1
  fi
done
exit $fail
