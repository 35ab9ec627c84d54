# setup.sh — how the focused CLI test scripts (test_<name>.sh VGGC WORKDIR)
# start; source it, the script's arguments still in $1 and $2: sets vggc,
# work (emptied and made) and py (Debian's python, which has onnx and
# numpy), and brings in check.sh's counters and checks.
vggc=$1 work=$2
py=/usr/bin/python3
rm -rf "$work"
mkdir -p "$work"
. "$(dirname "${BASH_SOURCE[0]}")/../check.sh"
