#!/usr/bin/env bash
# install-deps.sh — install what vggc needs to build, test and benchmark on Debian 12.
#
# Usage: scripts/install-deps.sh [--no-ort]
#
# Run as root. Idempotent: Debian packages are installed only when missing (and
# `apt-get update` runs only then); ONNX Runtime for node (the reference the tests
# and benchmarks compare against) goes into <repo>/.deps/ort, pinned, and is
# skipped when that version is already there. node 20 and npm come with the
# machine: Debian's older nodejs is never installed over them.
set -euo pipefail

ORT_VERSION=1.30.0
PACKAGES=(
  build-essential cmake pkg-config
  protobuf-c-compiler libprotobuf-c-dev
  libonnx-dev libonnx-testdata
  llvm-19-dev clang-19
  libclang-rt-19-dev   # clang-19's sanitizer and libFuzzer runtimes (scripts/fuzz.sh)
  libopenblas-dev
  libpng-dev libjpeg62-turbo-dev   # image input (runtime/image.c)
  python3-onnx python3-numpy
  python3-pil          # tests/image: JPEG test files and the reference decode
  valgrind
  graphviz             # dot: vggc inspect --svg, and tests/install checks our --dot with it
  man-db               # man: tests/install reads the installed vggc(1)
)

say() { printf 'install-deps: %s\n' "$*"; }
die() { printf 'install-deps: error: %s\n' "$*" >&2; exit 1; }

with_ort=1
for arg in "$@"; do
  case "$arg" in
    --no-ort) with_ort=0 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$arg' (usage: $0 [--no-ort])" ;;
  esac
done

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# --- Debian packages ---------------------------------------------------------
is_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

missing=()
for p in "${PACKAGES[@]}"; do
  is_installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  say "Debian packages: all ${#PACKAGES[@]} present"
else
  [ "$(id -u)" -eq 0 ] || die "missing packages (${missing[*]}); run as root to install them"
  say "Debian packages: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
  say "Debian packages: done"
fi

# --- ONNX Runtime for node ---------------------------------------------------
if [ "$with_ort" -eq 0 ]; then
  say "ONNX Runtime: skipped (--no-ort)"
  exit 0
fi

command -v node >/dev/null 2>&1 ||
  die "node not found: node 20 and npm are expected on the machine (Debian's nodejs is too old; not installed by this script)"
command -v npm >/dev/null 2>&1 ||
  die "npm not found: it is expected to come with node 20 on the machine"

ort_dir="$repo_root/.deps/ort"
ort_pkg="$ort_dir/node_modules/onnxruntime-node/package.json"

installed_version() {
  [ -f "$ort_pkg" ] || return 0
  node -e 'try { process.stdout.write(require(process.argv[1]).version || "") } catch (e) {}' "$ort_pkg"
}

if [ "$(installed_version)" = "$ORT_VERSION" ]; then
  say "ONNX Runtime: onnxruntime-node $ORT_VERSION present in .deps/ort"
  exit 0
fi

say "ONNX Runtime: installing onnxruntime-node $ORT_VERSION into .deps/ort"
mkdir -p "$ort_dir"
# A package.json of its own makes npm install here, not in a parent folder.
if [ ! -f "$ort_dir/package.json" ]; then
  printf '{\n  "name": "vggc-ort",\n  "private": true\n}\n' >"$ort_dir/package.json"
fi
# --ignore-scripts: the package's install script tries a download that cannot work
# here; the binaries for linux/x64 ship inside the npm package itself.
(cd "$ort_dir" &&
  npm install --ignore-scripts --no-package-lock --no-save --no-audit --no-fund \
    "onnxruntime-node@$ORT_VERSION")

got=$(installed_version)
[ "$got" = "$ORT_VERSION" ] ||
  die "onnxruntime-node $ORT_VERSION did not install (found '${got:-nothing}' in $ort_pkg)"
node -e 'require(process.argv[1])' "$ort_dir/node_modules/onnxruntime-node" ||
  die "onnxruntime-node $ORT_VERSION installed but does not load"
say "ONNX Runtime: done"
