#!/usr/bin/env bash
# test_cli.sh — the command line's contract: exit codes, inspect's totals,
# --dump-ir, and never overwriting what vggc did not write.
#
#   test_cli.sh VGGC MODELS_DIR WORKDIR
set -uo pipefail
vggc=$1 models=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
pass=0 fail=0

# check NAME EXPECTED_EXIT PATTERN -- COMMAND...: runs COMMAND, checks its
# exit code and that its output (stdout+stderr) matches PATTERN (grep -E).
check() {
  local name=$1 want=$2 pattern=$3
  shift 4
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if [ "$rc" -ne "$want" ]; then
    echo "FAIL $name: exit $rc, expected $want"; echo "$out" | head -5 | sed 's/^/  | /'
    fail=$((fail + 1)); return
  fi
  if ! grep -qE -- "$pattern" <<<"$out"; then
    echo "FAIL $name: output lacks /$pattern/"; echo "$out" | head -5 | sed 's/^/  | /'
    fail=$((fail + 1)); return
  fi
  echo "PASS $name"
  pass=$((pass + 1))
}

check version 0 '^vggc [0-9]+\.[0-9]+' -- "$vggc" --version
check help 0 'usage: vggc' -- "$vggc" --help
check no-args 2 'usage: vggc' -- "$vggc"
check unknown-command 2 "unknown command 'frobnicate'" -- "$vggc" frobnicate
check compile-no-model 2 'no model given' -- "$vggc" compile
check compile-bad-option 2 "unknown option '--bogus'" -- "$vggc" compile x.onnx --bogus
check compile-missing-file 1 'vggc: error: .*nonexistent.onnx' -- "$vggc" compile "$work/nonexistent.onnx" -o "$work/o1"
check dump-ir-bad-pass 2 "no pass is named 'nope'" -- "$vggc" compile "$models/tiny_vgg.onnx" --dump-ir=nope
check bad-name 2 'must be a C identifier' -- "$vggc" compile "$models/tiny_vgg.onnx" --name 'a-b' -o "$work/o2"

# Keras' model.summary() for the same network: 14,714,688 in the VGG-16
# base, 14,978,370 in all — for both exporters' forms.
for m in vgg16_head vgg16_head_nhwc; do
  check "inspect-$m-total" 0 '^Total params: 14,978,370 ' -- "$vggc" inspect "$models/$m.onnx"
  check "inspect-$m-base" 0 '^Convolutional base: 14,714,688 ' -- "$vggc" inspect "$models/$m.onnx"
done
check inspect-none-batch 0 '\(None, 64, 160, 160\)' -- "$vggc" inspect "$models/vgg16_head.onnx"

# inspect --after-passes: the fused layers, their layouts and kernels, the arena.
check after-passes-fused 0 'conv3x3\+bias\+relu\+maxpool2x2 .*nchw16c->nchw16c +winograd4x4' -- \
  "$vggc" inspect "$models/vgg16_head.onnx" --after-passes
check after-passes-first-direct 0 'conv3x3\+bias\+relu .*nchw->nchw16c +direct NCHW16c' -- \
  "$vggc" inspect "$models/vgg16_head.onnx" --after-passes
check after-passes-head 0 'avgpool\+dense\+bias\+relu' -- "$vggc" inspect "$models/vgg16_head.onnx" --after-passes
check after-passes-arena 0 '^weights: [0-9]+ bytes; arena: [0-9]+ static' -- \
  "$vggc" inspect "$models/vgg16_head.onnx" --after-passes
check after-passes-nhwc-in 0 'nhwc->nchw16c' -- "$vggc" inspect "$models/vgg16_head_nhwc.onnx" --after-passes
check disable-pass 0 '= Relu\(' -- "$vggc" compile "$models/tiny_vgg.onnx" --disable-pass fuse-activation --dump-ir
check O0-no-fusion 0 '= Relu\(' -- "$vggc" compile "$models/tiny_vgg.onnx" -O0 --dump-ir

# --dump-ir prints the graph after the passes, stably.
check dump-ir 0 '= Conv\(' -- "$vggc" compile "$models/tiny_vgg_bn.onnx" --dump-ir
"$vggc" compile "$models/tiny_vgg_bn.onnx" --dump-ir >"$work/d1.txt" 2>&1
"$vggc" compile "$models/tiny_vgg_bn.onnx" --dump-ir >"$work/d2.txt" 2>&1
if cmp -s "$work/d1.txt" "$work/d2.txt" && ! grep -qE 'Shape\(|Gather\(|Identity\(|Dropout\(' "$work/d1.txt"; then
  echo "PASS dump-ir-stable-and-folded"; pass=$((pass + 1))
else
  echo "FAIL dump-ir-stable-and-folded"; fail=$((fail + 1))
fi
check dump-ir-after-pass 0 '# after remove-identity' -- "$vggc" compile "$models/tiny_vgg_bn.onnx" --dump-ir=remove-identity
check time-passes 0 'fold-constants' -- "$vggc" compile "$models/tiny_vgg.onnx" --time-passes -o "$work/o3"

# A file in the output folder that vggc did not write is left alone...
mkdir -p "$work/o4"
echo "my own makefile" >"$work/o4/Makefile"
check no-clobber 1 'was not written by vggc' -- "$vggc" compile "$models/tiny_vgg.onnx" -o "$work/o4"
if [ "$(cat "$work/o4/Makefile")" = "my own makefile" ] && [ ! -e "$work/o4/tiny_vgg.c" ]; then
  echo "PASS no-clobber-untouched"; pass=$((pass + 1))
else
  echo "FAIL no-clobber-untouched: the folder was changed"; fail=$((fail + 1))
fi
# ...unless --force; and vggc's own files are replaced freely.
check force 0 '' -- "$vggc" compile "$models/tiny_vgg.onnx" -o "$work/o4" --force
check recompile 0 '' -- "$vggc" compile "$models/tiny_vgg.onnx" -o "$work/o4"
if ls -a "$work/o4" | grep -q 'vggc-tmp'; then
  echo "FAIL no-temporaries-left"; fail=$((fail + 1))
else
  echo "PASS no-temporaries-left"; pass=$((pass + 1))
fi

# vggc bench: one row per layer the plan runs (as inspect --after-passes
# lists them), through both backends; --json parses; bad options exit 2.
layers=$("$vggc" inspect "$models/tiny_vgg.onnx" --after-passes | sed '/^Model:/q' | grep -cE '^ /')
check bench-jit 0 'backend jit, batch 2, 1 thread, 3 runs: median' -- \
  "$vggc" bench "$models/tiny_vgg.onnx" --batch 2 --iters 3 --threads 1
for backend in jit c; do
  out=$("$vggc" bench "$models/tiny_vgg.onnx" --iters 3 --profile --backend $backend 2>&1)
  rows=$(grep -cE '^ [0-9]+ +/' <<<"$out")
  if [ "$rows" -eq "$layers" ] && grep -qE 'winograd4x4 .* [0-9.]+ +[0-9.]+ +[0-9.]+%$' <<<"$out"; then
    echo "PASS bench-profile-$backend"; pass=$((pass + 1))
  else
    echo "FAIL bench-profile-$backend: $rows layer rows, want $layers"; echo "$out" | head -12 | sed 's/^/  | /'
    fail=$((fail + 1))
  fi
done
json=$("$vggc" bench "$models/tiny_vgg.onnx" --iters 3 --profile --json 2>&1)
if /usr/bin/python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
n = int(sys.argv[1])
assert d["backend"] == "jit" and d["median_ms"] > 0 and d["images_per_s"] > 0, d
assert len(d["layers"]) == n, (len(d["layers"]), n)
assert all(l["ms"] >= 0 and l["kernel"] and l["shape"].startswith("[None,") for l in d["layers"])
' "$layers" <<<"$json"; then
  echo "PASS bench-json"; pass=$((pass + 1))
else
  echo "FAIL bench-json"; echo "$json" | head -5 | sed 's/^/  | /'; fail=$((fail + 1))
fi
check bench-bad-backend 2 "--backend takes jit or c, not 'gpu'" -- "$vggc" bench "$models/tiny_vgg.onnx" --backend gpu
check bench-bad-target 2 "--target takes native, x86-64-v4, x86-64-v3, x86-64 or generic, not 'arm'" -- \
  "$vggc" bench "$models/tiny_vgg.onnx" --target arm
check compile-bad-target 2 "--target takes .* not 'arm'" -- "$vggc" compile "$models/tiny_vgg.onnx" --target arm
check compile-target-march 0 '' -- "$vggc" compile "$models/tiny_vgg.onnx" --target x86-64-v3 -o "$work/o5"
check compile-target-makefile 0 'march=x86-64-v3' -- grep -- '-march' "$work/o5/Makefile"

# Progress: on a terminal only, never in a pipe or file (as here), and not
# with -q.  Without a terminal, a successful command writes nothing but its
# results: stderr stays empty.
"$vggc" compile "$models/tiny_vgg.onnx" -o "$work/p1" >"$work/p1.out" 2>"$work/p1.err"
if [ $? -eq 0 ] && [ ! -s "$work/p1.err" ] && [ ! -s "$work/p1.out" ]; then
  echo "PASS no-progress-without-terminal"; pass=$((pass + 1))
else
  echo "FAIL no-progress-without-terminal"; head -5 "$work/p1.err" | sed 's/^/  | /'; fail=$((fail + 1))
fi
"$vggc" bench "$models/tiny_vgg.onnx" --iters 2 >"$work/p2.out" 2>"$work/p2.err"
if [ $? -eq 0 ] && [ ! -s "$work/p2.err" ] && grep -q 'median' "$work/p2.out"; then
  echo "PASS bench-no-progress-without-terminal"; pass=$((pass + 1))
else
  echo "FAIL bench-no-progress-without-terminal"; head -5 "$work/p2.err" | sed 's/^/  | /'; fail=$((fail + 1))
fi
# Under a pseudo-terminal (util-linux's script): the closing line of each
# step.  What the terminal finally shows is worked out from the bytes ("\r"
# returns, ESC[K erases to the end of the line): no line may mix a status
# line with an error.
screen() {  # the lines a terminal shows after the bytes on stdin
  /usr/bin/python3 -c '
import re, sys
for raw in sys.stdin.buffer.read().decode("utf-8", "replace").split("\n"):
    line, col = [], 0
    for tok in re.findall(r"\r|\x1b\[K|[^\r\x1b]+|\x1b", raw):
        if tok == "\r": col = 0
        elif tok == "\x1b[K": del line[col:]
        else:
            for ch in tok:
                line[col:col + 1] = [ch]; col += 1
    print("".join(line))'
}
if command -v script >/dev/null; then
  tty_run() { script -qec "$*" /dev/null </dev/null | screen; }
  out=$(tty_run "$vggc" compile "$models/tiny_vgg.onnx" -o "$work/p3")
  if grep -qE '^ +imported tiny_vgg\.onnx \([0-9.]+ kB\) in [0-9.]+ s$' <<<"$out" &&
     grep -qE '^ +optimized tiny_vgg\.onnx in ' <<<"$out" && grep -qE '^ +planned tiny_vgg in ' <<<"$out" &&
     grep -qE '^ +generated tiny_vgg\.c in ' <<<"$out" &&
     grep -qE "^ +wrote $work/p3 \([0-9.]+ kB\) in " <<<"$out" && [ -s "$work/p3/tiny_vgg.c" ]; then
    echo "PASS progress-on-terminal"; pass=$((pass + 1))
  else
    echo "FAIL progress-on-terminal"; echo "$out" | head -8 | sed 's/^/  | /'; fail=$((fail + 1))
  fi
  out=$(tty_run "$vggc" compile -q "$models/tiny_vgg.onnx" -o "$work/p4"; tty_run "$vggc" --quiet compile "$models/tiny_vgg.onnx" -o "$work/p5")
  if [ -z "$(tr -d '[:space:]' <<<"$out")" ] && [ -s "$work/p4/tiny_vgg.c" ] && [ -s "$work/p5/tiny_vgg.c" ]; then
    echo "PASS quiet-on-terminal"; pass=$((pass + 1))
  else
    echo "FAIL quiet-on-terminal"; echo "$out" | head -5 | sed 's/^/  | /'; fail=$((fail + 1))
  fi
  printf 'not an onnx model' >"$work/bad.onnx"
  out=$(tty_run "$vggc" compile "$work/bad.onnx" -o "$work/p6")
  if grep -qE '^vggc: error: .*bad\.onnx: not a valid ONNX model' <<<"$out" &&
     ! grep -qE 'importing|imported' <<<"$out"; then
    echo "PASS error-clears-progress"; pass=$((pass + 1))
  else
    echo "FAIL error-clears-progress"; echo "$out" | head -5 | sed 's/^/  | /'; fail=$((fail + 1))
  fi
  out=$(tty_run "$vggc" -q compile "$work/bad.onnx" -o "$work/p7")
  if grep -qE '^vggc: error: .*bad\.onnx: not a valid ONNX model' <<<"$out"; then
    echo "PASS quiet-keeps-errors"; pass=$((pass + 1))
  else
    echo "FAIL quiet-keeps-errors"; echo "$out" | head -5 | sed 's/^/  | /'; fail=$((fail + 1))
  fi
else
  echo "SKIP progress-on-terminal: no script(1) from util-linux"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
