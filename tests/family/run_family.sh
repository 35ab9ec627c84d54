#!/usr/bin/env bash
# run_family.sh — the family tests' matrix outside ctest, as a table.
#
#   run_family.sh VGGC MODELS_DIR WORKDIR [MODEL ...]
#
# For each family model (default: every fam_*.onnx in MODELS_DIR, which the
# build's `models` target writes with models/gen_family.py), each backend
# (c: tests/e2e/run_e2e.sh; jit: tests/llvm/run_jit_e2e.sh) and each level
# (-O0, -O2), runs the same script ctest runs as family.<c|jit>.<O0|O2>.<model>
# at batch 1 and 3, and prints one row per model: PASS or FAIL per column,
# then for every failure the last lines of its log (WORKDIR/<col>/<model>.log).
# Exit 0 when everything passed, 1 otherwise.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

if [ $# -lt 3 ]; then
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
vggc=$1 models=$2 work=$3
shift 3
if [ $# -gt 0 ]; then
  names=("$@")
else
  names=()
  for f in "$models"/fam_*.onnx; do
    [ -e "$f" ] && names+=("$(basename "$f" .onnx)")
  done
fi
if [ ${#names[@]} -eq 0 ]; then
  echo "run_family: no fam_*.onnx in $models (build the 'models' target)" >&2
  exit 2
fi
mkdir -p "$work"

cols=(c.O0 c.O2 jit.O0 jit.O2)
declare -A result
failed=()
for m in "${names[@]}"; do
  for col in "${cols[@]}"; do
    backend=${col%%.*} opt=${col#*.}
    case $backend in
      c) script=$root/tests/e2e/run_e2e.sh ;;
      jit) script=$root/tests/llvm/run_jit_e2e.sh ;;
    esac
    mkdir -p "$work/$col"
    log=$work/$col/$m.log
    if VGGC_OPT=-$opt bash "$script" "$vggc" "$models/$m.onnx" "$work/$col/$m" 1 3 >"$log" 2>&1; then
      result[$m,$col]=PASS
    else
      result[$m,$col]=FAIL
      failed+=("$col/$m")
    fi
  done
done

printf '%-16s' model
for col in "${cols[@]}"; do printf ' %-7s' "$col"; done
echo
for m in "${names[@]}"; do
  printf '%-16s' "$m"
  for col in "${cols[@]}"; do printf ' %-7s' "${result[$m,$col]}"; done
  echo
done
for f in "${failed[@]}"; do
  echo
  echo "---- $f ($work/$f.log):"
  tail -n 6 "$work/$f.log"
done
[ ${#failed[@]} -eq 0 ]
