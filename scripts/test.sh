#!/usr/bin/env bash
# test.sh — README command 2: every test, from a fresh machine or a warm tree.
#
# 1. installs what the tests need if missing (scripts/install-deps.sh);
# 2. builds in build/ and runs the whole ctest suite (unit, ONNX backend
#    conformance, end to end against ONNX Runtime, bad input);
# 3. builds libvggrt for AVX2 and for any x86-64 (build-x86-64-v3/,
#    build-x86-64/, the two side by side), runs its unit tests and the tiny
#    models against it (scripts/test_arch.sh; the JIT's own --target tests
#    are in step 2);
# 4. builds again in build-asan/ with AddressSanitizer and
#    UndefinedBehaviorSanitizer and runs the suite again there without the
#    full-size models (unit, conformance, bad-input corpus, tiny models).
# 5. builds the libFuzzer harnesses in build-fuzz/ (clang-19, ASan+UBSan) and
#    fuzzes each for a bounded time (scripts/fuzz.sh; docs/robustness.md),
#    one harness per core at a time.
# Each stage ends with a line `-- STAGE: W s, CPU C s, tree D MB` (wall time,
# the CPU time of its processes, and the checkout's size on disk then), to
# see where a slow or a disk-hungry run went.  Passing tests remove their
# work files (VGGC_KEEP_WORK=1 keeps them); the run needs about 2.2 GB free.
# Environment: VGGC_TEST_BIG=0 skips the full-size models (VGG-16s, AlexNet);
# VGGC_FUZZ_SECONDS (default 30) is the time per harness, 0 skips step 5.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=$(nproc)
big=${VGGC_TEST_BIG:-1}
big_flag=ON
[ "$big" = 0 ] && big_flag=OFF

# `stage NAME`: ends the running stage (its times line), starts NAME.
tick=$(getconf CLK_TCK)
stage_name='' stage_t0=0 stage_cpu0=0
children_cpu() {  # seconds of CPU of this shell's finished children
  awk -v t="$tick" '{ printf "%d", ($16 + $17) / t }' "/proc/$$/stat" 2>/dev/null || echo 0
}
tree_mb() { du -sm "$root" 2>/dev/null | cut -f1; }
stage() {
  local cpu
  cpu=$(children_cpu)
  [ -n "$stage_name" ] &&
    echo "-- $stage_name: $((SECONDS - stage_t0)) s, CPU $((cpu - stage_cpu0)) s, tree $(tree_mb) MB"
  stage_name=$1 stage_t0=$SECONDS stage_cpu0=$cpu
  [ -z "$1" ] || echo "== $1 =="
}
trap 'stage ""; echo "-- total: $SECONDS s, CPU $(children_cpu) s"' EXIT

free_mb=$(df -Pm "$root" | awk 'NR == 2 { print $4 }')
if [ "${free_mb:-0}" -lt 2304 ]; then
  echo "test.sh: warning: only ${free_mb} MB free under $root; the run needs about 2.2 GB" >&2
fi

stage "dependencies"
bash scripts/install-deps.sh

stage "build (release)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DVGGC_WERROR=ON -DVGGC_TESTS_BIG=$big_flag >/dev/null
cmake --build build -j"$jobs"
stage "tests (release)"
ctest --test-dir build --output-on-failure -j"$jobs"

stage "kernels built for AVX2 and for any x86-64 (tiny models)"
# Both levels at once, each into its own log (in build/), printed in turn:
# one alone left a core idle for much of its build (a few kernel files
# take tens of seconds each to compile).
archs=(x86-64-v3 x86-64) arch_pids=() arch_fail=0
for arch in "${archs[@]}"; do
  bash scripts/test_arch.sh "$arch" build >"build/test_arch-$arch.log" 2>&1 &
  arch_pids+=("$!")
done
for i in "${!archs[@]}"; do
  wait "${arch_pids[$i]}" || { arch_fail=1; echo "test_arch.sh ${archs[$i]} FAILED:"; }
  cat "build/test_arch-${archs[$i]}.log"
done
[ "$arch_fail" = 0 ]

stage "build (AddressSanitizer + UndefinedBehaviorSanitizer)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DVGGC_SANITIZE=ON -DVGGC_WERROR=ON \
      -DVGGC_TESTS_BIG=OFF >/dev/null
cmake --build build-asan -j"$jobs"
stage "tests (sanitizers; tiny models only)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"

fuzz_secs=${VGGC_FUZZ_SECONDS:-30}
stage "bounded fuzzing (libFuzzer + ASan + UBSan; $fuzz_secs s per harness)"
if [ "$fuzz_secs" -gt 0 ]; then
  FUZZ_PARALLEL=$jobs bash scripts/fuzz.sh all "$fuzz_secs"
else
  echo "skipped (VGGC_FUZZ_SECONDS=0)"
fi
