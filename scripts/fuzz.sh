#!/usr/bin/env bash
# fuzz.sh — build the libFuzzer harnesses and run one for a bounded time.
#
# Usage: scripts/fuzz.sh TARGET SECONDS      TARGET: onnx | npy | tensor_pb | weights | pbvalue | all
#        scripts/fuzz.sh --build-only [TARGET...]
#
# Builds build-fuzz/ with clang-19 (-fsanitize=fuzzer-no-link,address,undefined
# on all code, -DVGGC_FUZZ=ON for the fuzz_* targets of tests/fuzz/), makes the
# seed corpus in build-fuzz/seeds/TARGET/ (tiny models from build/models, the
# frontend's test cases, libonnx-testdata, generated .npy and .weights files),
# and runs fuzz_TARGET for SECONDS on build-fuzz/corpus/TARGET/ (kept between
# runs) plus the seeds and tests/fuzz/regressions/TARGET/.  `all` runs each
# harness in turn for SECONDS.
#
# Prints one line per run: executions, corpus size, crashes.  Exit 1 when the
# fuzzer found a crash, leak, hang (an input over 10 s, unless it replays in
# under 2 s: see sift_stalls) or over-allocation
# (over 2 GB): the input is in build-fuzz/crashes/TARGET/; minimize it
# (fuzz_TARGET -minimize_crash=1 -runs=10000 FILE), fix the bug, and copy the
# input into tests/fuzz/regressions/TARGET/ so ctest replays it.
# Environment: FUZZ_JOBS (build jobs, default 2), FUZZ_NICE (default 10),
# FUZZ_ARGS (extra libFuzzer flags), FUZZ_NO_BUILD=1 (use the harnesses as
# built, e.g. during a campaign while the tree changes), FUZZ_PARALLEL (with
# `all`: how many harnesses run at a time, each single-threaded for its full
# SECONDS; default 1).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bf=$root/build-fuzz
HARNESSES=(onnx npy tensor_pb weights pbvalue)
die() { printf 'fuzz: error: %s\n' "$*" >&2; exit 2; }

target=${1:-}
seconds=${2:-60}
case "$target" in
  onnx|npy|tensor_pb|weights|pbvalue|all|--build-only) ;;
  -h|--help|"") sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; [ -n "$target" ]; exit ;;
  *) die "unknown target '$target' (onnx, npy, tensor_pb, weights, pbvalue, all)" ;;
esac
[ "$target" = --build-only ] || [[ "$seconds" =~ ^[0-9]+$ ]] || die "SECONDS must be a number, not '$seconds'"
command -v clang-19 >/dev/null || die "clang-19 not found (scripts/install-deps.sh)"
[ -f /usr/lib/llvm-19/lib/clang/19/lib/linux/libclang_rt.fuzzer-x86_64.a ] ||
  die "libFuzzer's runtime is missing: apt-get install libclang-rt-19-dev (scripts/install-deps.sh)"

# ---- build ------------------------------------------------------------------
san="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
if [ ! -f "$bf/CMakeCache.txt" ]; then
  cmake -S . -B "$bf" -DCMAKE_C_COMPILER=clang-19 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DVGGC_FUZZ=ON -DVGGC_TESTS_BIG=OFF "-DCMAKE_C_FLAGS=$san" >/dev/null
fi
# Only the harnesses asked for: one that does not build (the tree is shared
# and changing) does not stop the others.
case "$target" in
  all) build=("${HARNESSES[@]}") ;;
  --build-only) build=("${@:2}"); [ ${#build[@]} -eq 0 ] && build=("${HARNESSES[@]}") ;;
  *) build=("$target") ;;
esac
if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
  cmake --build "$bf" -j"${FUZZ_JOBS:-2}" --target "${build[@]/#/fuzz_}" \
    >"$bf/build.log" 2>&1 || { tail -30 "$bf/build.log"; die "build failed (build-fuzz/build.log)"; }
fi
[ "$target" = --build-only ] && exit 0

# ---- seeds ------------------------------------------------------------------
# Small, deterministic; remade when missing.
make_seeds() {
  local s=$bf/seeds
  [ -f "$s/.done" ] && [ -d "$s/pbvalue" ] && return 0     # (remade for seeds added later)
  rm -rf "$s"
  mkdir -p "$s"/{onnx,npy,tensor_pb,weights,pbvalue}
  local models=$root/build/models td=/usr/share/libonnx-testdata/data/node
  for m in "$models"/tiny_vgg*.onnx; do [ -f "$m" ] && cp "$m" "$s/onnx/"; done
  for m in "$root"/build/tests/frontend/cases/*.onnx; do [ -f "$m" ] && cp "$m" "$s/onnx/"; done
  # ONNX's node tests of the ops vggc supports, and their input tensors.
  local i=0
  for d in "$td"/test_{conv,maxpool,averagepool,relu,gemm,matmul,batchnorm,reshape,flatten,concat,transpose,softmax,add,mul,pad,gather,squeeze,unsqueeze,clip,constant,shape,cast,dropout,globalaverage,reduce_mean,lrn,identity,sigmoid,leakyrelu,resize,upsample,instancenorm}*; do
    [ -f "$d/model.onnx" ] || continue
    i=$((i + 1))
    cp "$d/model.onnx" "$s/onnx/node_$i.onnx"
    for pb in "$d"/test_data_set_0/*.pb; do
      [ -f "$pb" ] && [ "$(stat -c %s "$pb")" -le 65536 ] && cp "$pb" "$s/tensor_pb/node_${i}_$(basename "$pb")"
    done
  done
  # ONNX's sequence and optional values, and some of the types fuzz_pbvalue
  # checks against (it parses every input as each of them).
  for d in "$td"/test_identity_{sequence,opt} "$td"/test_optional_* "$td"/test_sequence_insert*; do
    for pb in "$d"/test_data_set_0/*.pb; do
      [ -f "$pb" ] && [ "$(stat -c %s "$pb")" -le 65536 ] && cp "$pb" "$s/pbvalue/$(basename "$d")_$(basename "$pb")"
    done
  done
  /usr/bin/python3 - "$s/pbvalue" <<'PY'
import sys, os, numpy as np
from onnx import numpy_helper as nh, helper, SequenceProto, OptionalProto, TensorProto
d = sys.argv[1]
def save(name, m): open(os.path.join(d, name), "wb").write(m.SerializeToString())
save("seq_f32.pb", nh.from_list([np.ones((2, 3), np.float32), np.zeros(0, np.float32)], name="x"))
save("opt_seq_5.pb", nh.from_optional([np.arange(5, dtype=np.float32)], name="o"))
save("seq_opt_i64.pb", SequenceProto(name="s", elem_type=5, optional_values=[
    nh.from_optional(np.ones((3, 2), np.int64)), nh.from_optional(None, dtype=1)]))
save("deep_str.pb", OptionalProto(name="d", elem_type=3, sequence_value=SequenceProto(
    elem_type=3, sequence_values=[SequenceProto(elem_type=5, optional_values=[OptionalProto(
        elem_type=1, tensor_value=helper.make_tensor("t", TensorProto.STRING, [2], [b"a", b"bc"]))])])))
save("opt_bool.pb", nh.from_optional(np.array(True), name="b"))
save("seq_f32_typed.pb", SequenceProto(name="y", elem_type=1, tensor_values=[
    helper.make_tensor("t", TensorProto.FLOAT, [2], [1.0, 2.0])]))
PY
  /usr/bin/python3 - "$s/npy" <<'PY'
import sys, numpy as np, os
d = sys.argv[1]
rng = np.random.default_rng(1)
np.save(os.path.join(d, "f4_1x3x8x8.npy"), rng.standard_normal((1, 3, 8, 8)).astype("<f4"))
np.save(os.path.join(d, "i8_5.npy"), np.arange(5, dtype="<i8"))
np.save(os.path.join(d, "i4_2x3.npy"), np.arange(6, dtype="<i4").reshape(2, 3))
np.save(os.path.join(d, "b1_4.npy"), np.array([1, 0, 1, 1], dtype="|b1"))
np.save(os.path.join(d, "f4_scalar.npy"), np.array(3.5, dtype="<f4"))
np.save(os.path.join(d, "f4_empty.npy"), np.zeros((0, 4), dtype="<f4"))
np.lib.format.write_array(open(os.path.join(d, "v2.npy"), "wb"), np.ones((2, 2), "<f4"), version=(2, 0))
np.lib.format.write_array(open(os.path.join(d, "v3.npy"), "wb"), np.ones((3,), "<f4"), version=(3, 0))
PY
  local tmp
  tmp=$(mktemp -d)
  if [ -f "$models/tiny_vgg.onnx" ] &&
     "$root/build/cli/vggc" compile "$models/tiny_vgg.onnx" -o "$tmp/out" >/dev/null 2>&1; then
    { printf '\0'; cat "$tmp/out/tiny_vgg.weights"; } >"$s/weights/tiny_vgg.w"
    { printf '\1'; cat "$tmp/out/tiny_vgg.weights"; } >"$s/weights/tiny_vgg_fixed.w"
  fi
  rm -rf "$tmp"
  /usr/bin/python3 - "$s/weights" <<'PY'
import sys, struct, os
d = sys.argv[1]
hdr = b"VGGCWTS\0" + struct.pack("<IIQQ", 1, 128, 0, 0) + b"tiny_vgg".ljust(64, b"\0") + bytes(32)
open(os.path.join(d, "empty_payload.w"), "wb").write(b"\0" + hdr)
PY
  touch "$s/.done"
}
make_seeds

# ---- run --------------------------------------------------------------------
# `sift_stalls HARNESS CRASHES`: the slow units (libFuzzer reports an input
# that took 10 s or more) and timeouts of this run, replayed alone, three
# times.  The harnesses are deterministic and single-threaded, so an input
# that is slow by itself is slow again; one that now runs in under 2 s was
# slow because the machine stalled (a shared VM: a CI run failed on one slow
# unit in each of the two harnesses running side by side, whose inputs are at
# most 64 KB; docs/robustness.md).  Those move to build-fuzz/stalls/
# with a line on stderr; the rest stay and fail the run.  Prints how many
# moved.
sift_stalls() {
  local h=$1 crashes=$2 moved=0 f ms best try
  while IFS= read -r f; do
    best=''
    for try in 1 2 3; do
      ms=$(ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} timeout 60 \
             "$bf/tests/fuzz/fuzz_$h" -timeout=10 "$f" 2>&1 |
           sed -n 's/^Executed .* in \([0-9]*\) ms$/\1/p' | tail -1)
      [ -z "$ms" ] && { best=''; break; }                 # did not finish: a real failure
      { [ -z "$best" ] || [ "$ms" -lt "$best" ]; } && best=$ms
    done
    if [ -n "$best" ] && [ "$best" -lt 2000 ]; then
      mkdir -p "$bf/stalls/$h"
      mv "$f" "$bf/stalls/$h/"
      printf 'fuzz: %s: %s (slow while fuzzing) replays in %s ms: the machine stalled, not the input (kept in build-fuzz/stalls/%s/)\n' \
        "$h" "$(basename "$f")" "$best" "$h" >&2
      moved=$((moved + 1))
    fi
  done < <(find "$crashes" -newer "$bf/logs/$h.log.start" -type f \( -name 'slow-unit-*' -o -name 'timeout-*' \))
  echo "$moved"
}

run_one() {
  local h=$1 secs=$2 maxlen=65536
  [ "$h" = npy ] && maxlen=4096
  local corpus=$bf/corpus/$h crashes=$bf/crashes/$h log=$bf/logs/$h.log
  mkdir -p "$corpus" "$crashes" "$bf/logs"
  local before
  before=$(find "$crashes" -type f | wc -l)
  local rc=0 found
  [ -x "$bf/tests/fuzz/fuzz_$h" ] || die "build-fuzz/tests/fuzz/fuzz_$h is not built"
  rm -f "$log"
  touch "$log.start"
  # A timeout that sift_stalls puts down to the machine ends libFuzzer
  # early: it starts again, on the corpus it has grown, for the time left.
  local t0 left=$secs execs='' n s cut size
  t0=$(date +%s)
  while :; do
    rc=0
    # shellcheck disable=SC2086
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
    nice -n "${FUZZ_NICE:-10}" "$bf/tests/fuzz/fuzz_$h" -max_total_time="$left" -timeout=10 \
      -rss_limit_mb=2048 -max_len=$maxlen -print_final_stats=1 -artifact_prefix="$crashes/" \
      ${FUZZ_ARGS:-} "$corpus" "$bf/seeds/$h" "$root/tests/fuzz/regressions/$h" >"$log.part" 2>&1 || rc=$?
    cat "$log.part" >>"$log"
    n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log.part" | tail -1)
    [ -n "$n" ] && execs=$((${execs:-0} + n))
    s=$(sift_stalls "$h" "$crashes")
    cut=0
    if [ "$s" -gt 0 ] && [ "$rc" -ne 0 ] &&
       ! grep -qE 'ERROR: libFuzzer: [^t]|ERROR: [A-Z][a-zA-Z]*Sanitizer|runtime error' "$log.part" &&
       [ -z "$(find "$crashes" -newer "$log.start" -type f)" ]; then
      rc=0 cut=1
    fi
    left=$((secs - ($(date +%s) - t0)))
    [ "$cut" = 1 ] && [ "$left" -gt 5 ] || break
    echo "fuzz: $h: fuzzing again for the $left s left" >&2
  done
  rm -f "$log.part"
  size=$(find "$corpus" -type f | wc -l)
  found=$(( $(find "$crashes" -type f | wc -l) - before ))
  printf 'fuzz: %s: %s s, %s executions, corpus %s files, %s new crash inputs (log: %s)\n' \
    "$h" "$secs" "${execs:-?}" "$size" "$found" "${log#"$root"/}"
  if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
    grep -E 'ERROR:|SUMMARY:|runtime error|Test unit written' "$log" | head -8 >&2 || true
    return 1
  fi
}

status=0
if [ "$target" = all ]; then
  par=${FUZZ_PARALLEL:-1}
  [[ "$par" =~ ^[1-9][0-9]*$ ]] || die "FUZZ_PARALLEL must be a positive number, not '$par'"
  pids=()
  for h in "${HARNESSES[@]}"; do
    (run_one "$h" "$seconds" || exit 1) &
    pids+=($!)
    if [ ${#pids[@]} -ge "$par" ]; then
      wait "${pids[0]}" || status=1
      pids=("${pids[@]:1}")
    fi
  done
  for p in "${pids[@]}"; do wait "$p" || status=1; done
else
  run_one "$target" "$seconds" || status=1
fi
exit $status
