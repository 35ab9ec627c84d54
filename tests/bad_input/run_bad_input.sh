#!/usr/bin/env bash
# run_bad_input.sh — the bad-input test: build the corpus, then check vggc's answer to each.
#
#   run_bad_input.sh VGGC OUTDIR [--only REGEX]
#
# Writes the corpus into OUTDIR/corpus (make_corpus.py) and runs
# run_bad_input.py on it with OUTDIR/work as the scratch folder.  Exit 0 when
# every case got the right answer.  $VGGC_PYTHON picks the interpreter (it
# needs onnx and numpy); $VGGC_CFLAGS is passed on to the builds of the
# models that must compile.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
py=${VGGC_PYTHON:-/usr/bin/python3}
if [ $# -lt 2 ]; then
  echo "usage: run_bad_input.sh VGGC OUTDIR [--only REGEX]" >&2
  exit 2
fi
vggc=$1 out=$2
shift 2
rm -rf "$out/corpus" "$out/work"
mkdir -p "$out"
"$py" "$here/make_corpus.py" "$out/corpus"
exec "$py" "$here/run_bad_input.py" "$vggc" "$out/corpus" "$out/work" "$@"
