#!/usr/bin/env bash
# campaign.sh — the long fuzzing campaign behind docs/robustness.md.
#
# Usage: tests/fuzz/campaign.sh SECONDS [HARNESS...]   (default: all five)
#
# Builds the harnesses once (the commit and whether the tree had local
# changes are recorded), then runs each harness, one at a time, niced, for
# SECONDS of fuzzing in total:
# when libFuzzer stops on a crash it is restarted (the crash input stays in
# build-fuzz/crashes/HARNESS/) until the time is used up.  Appends one line
# per harness to build-fuzz/campaign.txt:
#   date commit harness seconds executions corpus-files crash-inputs
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:?usage: campaign.sh SECONDS [HARNESS...]}
shift
hs=("$@")
[ ${#hs[@]} -eq 0 ] && hs=(onnx npy tensor_pb weights pbvalue)
bash "$root/scripts/fuzz.sh" --build-only "${hs[@]}" || exit 2
export FUZZ_NO_BUILD=1
commit=$(git -C "$root" rev-parse --short HEAD)
dirty=$(git -C "$root" status --porcelain | grep -q . && echo "+wip" || true)
for h in "${hs[@]}"; do
  left=$secs execs=0 runs=0
  start=$(date +%s)
  crashes_before=$(find "$root/build-fuzz/crashes/$h" -type f 2>/dev/null | wc -l)
  while [ "$left" -gt 5 ]; do
    bash "$root/scripts/fuzz.sh" "$h" "$left" >>"$root/build-fuzz/campaign.log" 2>&1
    [ $? -eq 2 ] && { echo "campaign: fuzz.sh failed (build-fuzz/campaign.log)" >&2; exit 2; }
    cp "$root/build-fuzz/logs/$h.log" "$root/build-fuzz/logs/$h.campaign.$runs.log"
    n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$root/build-fuzz/logs/$h.log" | awk '{ s += $1; k++ } END { if (k) print s }')
    [ -z "$n" ] && n=$(grep -oE '^#[0-9]+' "$root/build-fuzz/logs/$h.log" | tail -1 | tr -d '#')
    execs=$((execs + ${n:-0}))
    runs=$((runs + 1))
    left=$((secs - ($(date +%s) - start)))
  done
  corpus=$(find "$root/build-fuzz/corpus/$h" -type f | wc -l)
  crashes=$(( $(find "$root/build-fuzz/crashes/$h" -type f | wc -l) - crashes_before ))
  printf '%s %s%s %s %s %s %s %s\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$commit" "$dirty" "$h" \
    "$((secs - left))" "$execs" "$corpus" "$crashes" | tee -a "$root/build-fuzz/campaign.txt"
done
