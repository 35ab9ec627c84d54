#!/usr/bin/env bash
# test_install.sh — vggc installed into a prefix and used from there, as a
# user would after `cmake --install`.
#
#   test_install.sh CMAKE BUILD_DIR MODELS_DIR WORKDIR PYTHON
#
# Installs into WORKDIR/prefix, then with PKG_CONFIG_PATH=prefix/lib/pkgconfig:
#   - the files are there: bin/vggc, lib/vggc/vggc-llvm.so (the LLVM backend,
#     the only one of them that needs libLLVM), lib/libvggrt.{a,so}, include/vggrt.h,
#     lib/pkgconfig/vggrt.pc, share/man/man1/vggc.1 (which `man` finds and
#     renders without a warning, and which describes every option
#     `vggc --help` prints);
#   - vggrt.pc names every library libvggrt.so was linked with (its ELF
#     NEEDED entries), and the static libvggrt.a links with --static's flags;
#   - the installed vggc compiles tiny_vgg; the Makefile it writes links the
#     installed runtime through pkg-config, or without pkg-config the
#     runtime of the prefix vggc runs from (not the build tree);
#   - a C program written here (NAME_open / NAME_run / NAME_close) builds
#     with `cc $(pkg-config --cflags --libs vggrt)`, shared and static;
#   - that program, the generated driver and the installed `vggc run` give
#     ONNX Runtime's outputs on the same input, batch 2 (relative 1e-4 with
#     an absolute floor of 1e-5 x the largest output, as the e2e tests);
#     `vggc run` loads the prefix's backend module;
#   - with a broken module beside a copy of vggc, run and --emit obj fail
#     with exit 3 naming the module, and compiling to C still works; vggc
#     and its module copied into one folder run there; a module of another
#     build is refused (exit 3), not called.
set -uo pipefail
# (grep -q reads here-strings, not pipes: it stops at the first match, and
# under pipefail the writer's SIGPIPE would fail the check.)
cmake=$1 build=$2 models=$3 work=$4 py=$5
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rm -rf "$work"
mkdir -p "$work"
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); [ $# -gt 1 ] && sed 's/^/  | /' "$2" | head -8; return 0; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit; }

P=$work/prefix
if "$cmake" --install "$build" --prefix "$P" >"$work/install.log" 2>&1; then
  ok "cmake-install"
else
  bad "cmake-install" "$work/install.log"; finish
fi
P=$(cd "$P" && pwd -P)   # as the installed vggc sees its own path
vggc=$P/bin/vggc
model=$models/tiny_vgg.onnx
name=tiny_vgg

# ---- the files --------------------------------------------------------------------
for f in bin/vggc lib/vggc/vggc-llvm.so lib/libvggrt.a lib/libvggrt.so include/vggrt.h \
         lib/pkgconfig/vggrt.pc share/man/man1/vggc.1; do
  [ -s "$P/$f" ] && ok "installed-$f" || bad "installed-$f"
done
cmp -s "$P/include/vggrt.h" "$root/runtime/include/vggrt.h" && ok "header-is-vggrt.h" || bad "header-is-vggrt.h"
grep -q ' T vggrt_weights_open$' <<<"$(nm -D --defined-only "$P/lib/libvggrt.so")" &&
  grep -q ' T vggrt_weights_open$' <<<"$(nm --defined-only "$P/lib/libvggrt.a" 2>/dev/null)" &&
  ok "libraries-export-the-runtime" || bad "libraries-export-the-runtime"
[ -x "$vggc" ] && ! grep -q 'not found' <<<"$(ldd "$vggc")" && ok "vggc-loads" || bad "vggc-loads"
# libLLVM is the backend module's alone: vggc loads it for the commands that
# need it, so compiling to C and inspecting never do.
! grep -q libLLVM <<<"$(ldd "$vggc")" && grep -q libLLVM <<<"$(ldd "$P/lib/vggc/vggc-llvm.so")" &&
  ! grep -q 'not found' <<<"$(ldd "$P/lib/vggc/vggc-llvm.so")" && ok "libllvm-only-in-the-module" ||
  bad "libllvm-only-in-the-module"
"$vggc" --version >"$work/version.txt" 2>&1 && grep -qE '^vggc [0-9.]+$' "$work/version.txt" &&
  ok "vggc-version" || bad "vggc-version" "$work/version.txt"

# ---- the manual page ------------------------------------------------------------------
if MANPATH=$P/share/man MANWIDTH=100 man vggc >"$work/man.txt" 2>"$work/man.err" &&
   [ ! -s "$work/man.err" ] && grep -q 'vggc - compile ONNX' "$work/man.txt"; then
  ok "man-vggc"
else
  bad "man-vggc" "$work/man.err"
fi
groff -man -Tutf8 -ww -z "$P/share/man/man1/vggc.1" 2>"$work/groff.err" && [ ! -s "$work/groff.err" ] &&
  ok "man-renders-without-warnings" || bad "man-renders-without-warnings" "$work/groff.err"
missing=""
for opt in $("$vggc" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
  grep -qF -- "$opt" "$work/man.txt" || missing="$missing $opt"
done
[ -z "$missing" ] && ok "man-has-every-help-option" || { echo "  | not in vggc.1:$missing"; bad "man-has-every-help-option"; }
missing=""
for word in VGGRT_NUM_THREADS XDG_CACHE_HOME 'EXIT STATUS' compile run inspect; do
  grep -q "$word" "$work/man.txt" || missing="$missing '$word'"
done
[ -z "$missing" ] && ok "man-mentions-environment-and-commands" ||
  { echo "  | not in vggc.1:$missing"; bad "man-mentions-environment-and-commands"; }

# ---- pkg-config ---------------------------------------------------------------------------
export PKG_CONFIG_PATH=$P/lib/pkgconfig
version=$("$vggc" --version | cut -d' ' -f2)
[ "$(pkg-config --modversion vggrt 2>&1)" = "$version" ] && ok "pkg-config-version" || bad "pkg-config-version"
libdir=$(pkg-config --variable=libdir vggrt)
[ "$(cd "$libdir" 2>/dev/null && pwd -P)" = "$P/lib" ] && ok "pkg-config-libdir-is-prefix" ||
  { echo "  | libdir '$libdir'"; bad "pkg-config-libdir-is-prefix"; }
static_libs=" $(pkg-config --static --libs vggrt) "
missing=""
for lib in $(readelf -d "$P/lib/libvggrt.so" | sed -n 's/.*Shared library: \[lib\([^].]*\)\.so.*/\1/p'); do
  case "$lib" in c|ld-linux-x86-64) continue ;; esac
  grep -q -- " -l$lib " <<<"$static_libs" || missing="$missing -l$lib"
done
[ -z "$missing" ] && ok "pc-names-what-libvggrt-links" ||
  { echo "  | libvggrt.so needs$missing, not in: $static_libs"; bad "pc-names-what-libvggrt-links"; }

# ---- the installed vggc compiles; its Makefile takes the installed runtime -----------------
"$vggc" compile "$model" -o "$work/c" >"$work/compile.log" 2>&1 && ok "installed-vggc-compiles" ||
  { bad "installed-vggc-compiles" "$work/compile.log"; finish; }
make -C "$work/c" CFLAGS="-O2 -march=native" >"$work/make.log" 2>&1 && ok "make-with-pkg-config" ||
  { bad "make-with-pkg-config" "$work/make.log"; finish; }
grep -q -- '-lvggrt' "$work/make.log" && grep -qF "libvggrt.so => $libdir/" <<<"$(ldd "$work/c/$name")" &&
  ok "driver-uses-installed-libvggrt" || bad "driver-uses-installed-libvggrt" "$work/make.log"
# Without pkg-config's help the Makefile falls back on the runtime beside the
# installed vggc, not on the build tree that built it.
grep -qF -- "-I$P/include" "$work/c/Makefile" && grep -qF -- "$P/lib/libvggrt.a" "$work/c/Makefile" &&
  ok "fallback-is-the-prefix" || bad "fallback-is-the-prefix" "$work/c/Makefile"
if ! env -u PKG_CONFIG_PATH pkg-config --exists vggrt 2>/dev/null; then
  cp -r "$work/c" "$work/c-nopc"
  env -u PKG_CONFIG_PATH make -C "$work/c-nopc" clean all CFLAGS="-O2 -march=native" >"$work/make-nopc.log" 2>&1 &&
    grep -qF "$P/lib/libvggrt.a" "$work/make-nopc.log" && ok "make-without-pkg-config" ||
    bad "make-without-pkg-config" "$work/make-nopc.log"
fi

# ---- a program of our own, against the installed runtime ------------------------------------
cat >"$work/app.c" <<EOF
/* Reads batch x ${name}_INPUT0_SIZE floats, runs the network, writes the
 * outputs: the generated API and nothing else. */
#include "$name.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: app WEIGHTS IN.f32 BATCH OUT.f32\\n");
        return 2;
    }
    long batch = atol(argv[3]);
    size_t nin = (size_t)batch * ${name}_INPUT0_SIZE, nout = (size_t)batch * ${name}_OUTPUT0_SIZE;
    float *in = malloc(nin * sizeof *in), *out = malloc(nout * sizeof *out);
    FILE *f = fopen(argv[2], "rb");
    if (!in || !out || !f || fread(in, sizeof *in, nin, f) != nin) {
        fprintf(stderr, "app: cannot read %s\\n", argv[2]);
        return 1;
    }
    fclose(f);
    const char *err = NULL;
    ${name}_model *m = ${name}_open(argv[1], &err);
    if (!m) {
        fprintf(stderr, "app: %s\\n", err);
        return 1;
    }
    int rc = ${name}_run(m, in, out, batch);
    ${name}_close(m);
    if (rc != 0) {
        fprintf(stderr, "app: run failed (%d)\\n", rc);
        return 1;
    }
    f = fopen(argv[4], "wb");
    if (!f || fwrite(out, sizeof *out, nout, f) != nout || fclose(f) != 0) {
        fprintf(stderr, "app: cannot write %s\\n", argv[4]);
        return 1;
    }
    free(in);
    free(out);
    return 0;
}
EOF
# Shared: as the tutorial says, with an rpath to the installed library.
# shellcheck disable=SC2046
if cc -std=c99 -O2 -Wall -Wextra -Werror -pedantic -I"$work/c" "$work/app.c" "$work/c/lib$name.a" \
      $(pkg-config --cflags --libs vggrt) -Wl,-rpath,"$libdir" -lm -o "$work/app" >"$work/app.log" 2>&1 &&
   grep -qF "libvggrt.so => $libdir/" <<<"$(ldd "$work/app")"; then
  ok "app-builds-shared"
else
  bad "app-builds-shared" "$work/app.log"
fi
# Static: libvggrt.a with what `pkg-config --static` adds for it.
# shellcheck disable=SC2046
if cc -std=c99 -O2 -I"$work/c" "$work/app.c" "$work/c/lib$name.a" $(pkg-config --cflags vggrt) \
      "$libdir/libvggrt.a" $(pkg-config --static --libs vggrt | sed 's/ -lvggrt / /') \
      -o "$work/app-static" >"$work/app-static.log" 2>&1 &&
   ! grep -q libvggrt <<<"$(ldd "$work/app-static")"; then
  ok "app-builds-static"
else
  bad "app-builds-static" "$work/app-static.log"
fi

# ---- same numbers as ONNX Runtime -------------------------------------------------------------
batch=2
x=$work/x.npy
"$py" "$root/models/make_input.py" --model "$model" --batch $batch --seed 7 "$x" &&
  "$py" -c 'import sys, numpy as np; np.load(sys.argv[1]).astype(np.float32).tofile(sys.argv[2])' "$x" "$work/x.f32" &&
  node "$root/tools/ort/ort_run.js" "$model" --input "$x" --output "$work/ref.npy" >"$work/ort.log" 2>&1 ||
  { bad "reference" "$work/ort.log"; finish; }
compare() {   # compare NAME ACTUAL.npy
  if "$py" "$root/tools/compare_npy.py" "$2" "$work/ref.npy" --rtol 1e-4 --scale-atol 1e-5 >"$work/$1.cmp" 2>&1; then
    ok "$1"
  else
    bad "$1" "$work/$1.cmp"
  fi
}
for app in app app-static; do
  [ -x "$work/$app" ] || continue
  if (cd "$work" && "./$app" "c/$name.weights" x.f32 $batch "$app.f32") 2>"$work/$app.err"; then
    "$py" -c 'import sys, numpy as np; np.save(sys.argv[3], np.fromfile(sys.argv[1], dtype=np.float32).reshape(np.load(sys.argv[2]).shape))' \
      "$work/$app.f32" "$work/ref.npy" "$work/$app.npy"
    compare "$app-matches-ort" "$work/$app.npy"
  else
    bad "$app-runs" "$work/$app.err"
  fi
done
"$work/c/$name" --input "$x" --output "$work/driver.npy" >"$work/driver.log" 2>&1 &&
  compare "driver-matches-ort" "$work/driver.npy" || bad "driver-runs" "$work/driver.log"
XDG_CACHE_HOME=$work/cache "$vggc" run "$model" --input "$x" --output "$work/jit.npy" -v >"$work/run.log" 2>&1 &&
  compare "installed-vggc-run-matches-ort" "$work/jit.npy" || bad "installed-vggc-run" "$work/run.log"
grep -qF "LLVM backend: $P/lib/vggc/vggc-llvm.so" "$work/run.log" && ok "run-loads-the-installed-backend" ||
  bad "run-loads-the-installed-backend" "$work/run.log"

# ---- a broken backend module: the commands that need it say so, the others work ----------------
B=$work/broken
mkdir -p "$B/bin" "$B/lib/vggc"
cp "$vggc" "$B/bin/vggc"
echo "not a shared object" >"$B/lib/vggc/vggc-llvm.so"
XDG_CACHE_HOME=$work/cache "$B/bin/vggc" run "$model" --input "$x" >"$work/broken-run.log" 2>&1
rc=$?
[ "$rc" = 3 ] && grep -qF "LLVM backend, which \`vggc run\`, \`vggc bench\` and \`compile --emit obj|llvm-ir\` need, cannot be loaded: $B/lib/vggc/vggc-llvm.so:" "$work/broken-run.log" &&
  ok "broken-backend-run-exits-3" || { echo "  | exit $rc"; bad "broken-backend-run-exits-3" "$work/broken-run.log"; }
"$B/bin/vggc" compile "$model" --emit obj -o "$work/broken-obj" >"$work/broken-obj.log" 2>&1
rc=$?
[ "$rc" = 3 ] && grep -qF "cannot be loaded: $B/lib/vggc/vggc-llvm.so:" "$work/broken-obj.log" && [ ! -e "$work/broken-obj" ] &&
  ok "broken-backend-emit-obj-exits-3" ||
  { echo "  | exit $rc"; bad "broken-backend-emit-obj-exits-3" "$work/broken-obj.log"; }
# vggc and its module copied together into one folder: the module beside it.
mkdir -p "$work/together"
cp "$vggc" "$P/lib/vggc/vggc-llvm.so" "$work/together/"
XDG_CACHE_HOME=$work/cache "$work/together/vggc" run "$model" --input "$x" --output "$work/together.npy" -v \
  >"$work/together.log" 2>&1 && grep -qF "LLVM backend: $work/together/vggc-llvm.so" "$work/together.log" &&
  compare "module-beside-vggc-is-loaded" "$work/together.npy" ||
  bad "module-beside-vggc-is-loaded" "$work/together.log"
# A module of another build (its table says another version): refused, not called.
mkdir -p "$work/other"
cp "$vggc" "$work/other/"
printf '%s\n' 'const struct { const char *version; unsigned long long layout; } vggc_llvm_backend' \
  '    __attribute__((visibility("default"))) = {"0.0.0-other", 0};' >"$work/other.c"
cc -shared -fPIC "$work/other.c" -o "$work/other/vggc-llvm.so" &&
  "$work/other/vggc" run "$model" --input "$x" >"$work/other.log" 2>&1
rc=$?
[ "$rc" = 3 ] && grep -qF "vggc-llvm.so belongs to another build of vggc (version 0.0.0-other; this one is $version)" \
  "$work/other.log" && ok "other-build-backend-refused" ||
  { echo "  | exit $rc"; bad "other-build-backend-refused" "$work/other.log"; }
"$B/bin/vggc" compile "$model" -o "$work/broken-c" >"$work/broken-c.log" 2>&1 &&
  cmp -s "$work/broken-c/$name.c" "$work/c/$name.c" && ok "broken-backend-compile-to-c-works" ||
  bad "broken-backend-compile-to-c-works" "$work/broken-c.log"

finish
