# check.sh — the shell tests' shared checks; source it.  Counts in pass and
# fail; the test ends with its own summary and exit code.
#   ok NAME / bad MESSAGE          count a result, print PASS or FAIL
#   check NAME EXPECTED_EXIT PATTERN -- COMMAND...
#                                   runs COMMAND, checks its exit code and
#                                   that stdout+stderr match PATTERN (grep -E)
# (grep -q reads here-strings, not pipes: it stops at the first match, and
# under pipefail the writer's SIGPIPE would fail the check.)
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
check() {
  local name=$1 want=$2 pattern=$3
  shift 4
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if [ "$rc" -ne "$want" ]; then
    bad "$name: exit $rc, expected $want"; echo "$out" | head -5 | sed 's/^/  | /'; return
  fi
  if ! grep -qE -- "$pattern" <<<"$out"; then
    bad "$name: output lacks /$pattern/"; echo "$out" | head -5 | sed 's/^/  | /'; return
  fi
  ok "$name"
}
