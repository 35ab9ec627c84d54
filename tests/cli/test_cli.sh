#!/usr/bin/env bash
# test_cli.sh — the command line's contract: exit codes, inspect's totals,
# --dump-ir, and never overwriting what vggc did not write.
#
#   test_cli.sh VGGC MODELS_DIR WORKDIR
set -uo pipefail
vggc=$1 models=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
. "$(dirname "$0")/../check.sh"

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

# inspect --after-passes: the fused layers, their layouts and kernels, the arena
# (for AVX-512, whose blocked layout is NCHW16c, whatever this machine is).
check after-passes-fused 0 'conv3x3\+bias\+relu\+maxpool2x2 .*nchw16c->nchw16c +winograd4x4' -- \
  "$vggc" inspect "$models/vgg16_head.onnx" --after-passes --target x86-64-v4
# The first layer: Winograd along the rows with AVX-512, direct with AVX2
# (docs/passes.md, kernel choice).
check after-passes-first-wrow 0 'conv3x3\+bias\+relu .*nchw->nchw16c +winograd-row NCHW16c' -- \
  "$vggc" inspect "$models/vgg16_head.onnx" --after-passes --target x86-64-v4
check after-passes-first-direct 0 'conv3x3\+bias\+relu .*nchw->nchw8c +direct NCHW8c' -- \
  "$vggc" inspect "$models/vgg16_head.onnx" --after-passes --target x86-64-v3
# The first two convolutions as a chain (docs/passes.md, kernel choice).
check after-passes-chain-first 0 'features\.0/Conv .*nchw->nchw16c +winograd-row NCHW16c>ring ' -- \
  "$vggc" inspect "$models/vgg16_head.onnx" --after-passes --target x86-64-v4
check after-passes-chain-second 0 'features\.2/Conv .*nchw16c->nchw16c +ring>winograd4x4 ' -- \
  "$vggc" inspect "$models/vgg16_head.onnx" --after-passes --target x86-64-v4
check after-passes-head 0 'avgpool\+dense\+bias\+relu' -- "$vggc" inspect "$models/vgg16_head.onnx" --after-passes
check after-passes-arena 0 '^weights: [0-9]+ bytes \([0-9]+\.[0-9]{2} MB\); arena: [0-9]+ static \([0-9]+ scratch\) \+ [0-9]+ per batch item \([0-9]+\.[0-9]{2} MB\)$' -- \
  "$vggc" inspect "$models/vgg16_head.onnx" --after-passes
check after-passes-nhwc-in 0 'nhwc->nchw16c' -- "$vggc" inspect "$models/vgg16_head_nhwc.onnx" --after-passes \
  --target x86-64-v4
# --batch-hint: the kernels for a symbolic batch expected at N (docs/passes.md,
# kernel choice): the last 10x10 conv stays direct for one image, takes
# Winograd from 2; the shapes stay symbolic.
check after-passes-no-hint 0 'features\.28/Conv .*\(None, 512, 5, 5\) .* +direct NCHW16c' -- \
  "$vggc" inspect "$models/vgg16_head.onnx" --after-passes --target x86-64-v4
check after-passes-hint 0 'features\.28/Conv .*\(None, 512, 5, 5\) .* +winograd4x4' -- \
  "$vggc" inspect "$models/vgg16_head.onnx" --after-passes --target x86-64-v4 --batch-hint 2
check batch-hint-zero 2 "--batch-hint takes a positive number, not '0'" -- \
  "$vggc" compile "$models/tiny_vgg.onnx" --batch-hint 0 -o "$work/o3"
check dump-ir-hint 0 '^graph "[^"]*" opset [0-9]+ .*batch_hint 4$' -- \
  "$vggc" compile "$models/tiny_vgg.onnx" --batch-hint 4 --dump-ir
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
# A model that is not a regular file (a pipe: read, not mapped) imports as
# from its file; an empty pipe is an empty model.
"$vggc" inspect "$models/tiny_vgg.onnx" --after-passes 2>&1 | grep -v "^Model: " >"$work/i-file.txt"
"$vggc" inspect /dev/stdin --after-passes < <(cat "$models/tiny_vgg.onnx") 2>&1 | grep -v "^Model: " >"$work/i-pipe.txt"
if grep -q '^Total params' "$work/i-file.txt" && cmp -s "$work/i-file.txt" "$work/i-pipe.txt"; then
  ok model-from-pipe
else
  bad "model-from-pipe: inspect of a pipe differs from inspect of the file"
fi
check model-from-empty-pipe 1 'the file is empty' -- bash -c "'$vggc' inspect /dev/stdin < <(:)"
# A named pipe is opened once: a second open would wait for a writer that
# has gone (the timeout turns such a hang into a failure).
mkfifo "$work/model.fifo"
cat "$models/tiny_vgg.onnx" >"$work/model.fifo" &
timeout 60 "$vggc" inspect "$work/model.fifo" --after-passes 2>&1 | grep -v "^Model: " >"$work/i-fifo.txt"
wait
if cmp -s "$work/i-file.txt" "$work/i-fifo.txt"; then
  ok model-from-named-pipe
else
  bad "model-from-named-pipe: inspect of a named pipe differs from inspect of the file (or hung)"
fi
# An input tensor through a pipe or a named pipe: read once, as .npy (it was
# once sniffed for an image first, which ate its first bytes).
/usr/bin/python3 "$(dirname "$0")/../../models/make_input.py" --model "$models/tiny_vgg.onnx" --batch 2 \
  --seed 5 "$work/x5.npy"
"$vggc" run "$models/tiny_vgg.onnx" --input "$work/x5.npy" --output "$work/y-file.npy" -q
cat "$work/x5.npy" | "$vggc" run "$models/tiny_vgg.onnx" --input /dev/stdin --output "$work/y-pipe.npy" -q
mkfifo "$work/x.fifo"
cat "$work/x5.npy" >"$work/x.fifo" &
timeout 60 "$vggc" run "$models/tiny_vgg.onnx" --input "$work/x.fifo" --output "$work/y-fifo.npy" -q
wait
if [ -s "$work/y-file.npy" ] && cmp -s "$work/y-file.npy" "$work/y-pipe.npy" &&
   cmp -s "$work/y-file.npy" "$work/y-fifo.npy"; then
  ok input-from-pipes
else
  bad "input-from-pipes: outputs differ from the file input's"
fi
check dump-ir-after-pass 0 '# after remove-identity' -- "$vggc" compile "$models/tiny_vgg_bn.onnx" --dump-ir=remove-identity
check time-passes 0 'fold-constants' -- "$vggc" compile "$models/tiny_vgg.onnx" --time-passes -o "$work/o3"
if grep -q 'Bound at compile time' "$work/o3/tiny_vgg.h"; then
  bad "unbound-header: tiny_vgg.h names bound inputs, but none were bound"
else
  ok unbound-header
fi

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
# A recompile of the same model keeps the files as they are (same bytes:
# not rewritten, same times, so make has nothing to do); a change rewrites
# what changed, and a file damaged in place is written again.
o4=$work/o4 w=$work/o4/tiny_vgg.weights
touch -d '2001-01-01 00:00:00' "$o4"/*
check recompile-keeps 0 'kept .*/tiny_vgg\.weights: unchanged' -- "$vggc" compile "$models/tiny_vgg.onnx" -o "$o4" -v
if [ -z "$(find "$o4" -type f -newermt '2001-01-02')" ]; then
  echo "PASS recompile-touches-nothing"; pass=$((pass + 1))
else
  echo "FAIL recompile-touches-nothing: $(find "$o4" -type f -newermt '2001-01-02' | xargs -n1 basename)"
  fail=$((fail + 1))
fi
cp "$w" "$work/w.orig"
printf '\x55' | dd of="$w" bs=1 seek=$(($(stat -c %s "$w") - 3)) conv=notrunc status=none
check recompile-repairs 0 '' -- "$vggc" compile "$models/tiny_vgg.onnx" -o "$o4"
"$vggc" compile "$models/tiny_vgg.onnx" -o "$work/o4b"
if cmp -s "$w" "$work/w.orig" && [ "$(stat -c %Y "$w")" -gt "$(date -d 2001-01-02 +%s)" ] &&
   [ -z "$(find "$o4" -name '*.c' -newermt '2001-01-02')" ]; then
  echo "PASS recompile-rewrites-the-damaged-file-only"; pass=$((pass + 1))
else
  echo "FAIL recompile-rewrites-the-damaged-file-only"; fail=$((fail + 1))
fi
check recompile-changed 0 '' -- "$vggc" compile "$models/tiny_vgg.onnx" -o "$o4" -O0
if cmp -s "$o4/tiny_vgg.c" "$work/o4b/tiny_vgg.c" || [ -z "$(find "$o4" -name tiny_vgg.c -newermt '2001-01-02')" ]; then
  echo "FAIL recompile-rewrites-what-changed"; fail=$((fail + 1))
else
  echo "PASS recompile-rewrites-what-changed"; pass=$((pass + 1))
fi

# vggc bench: one row per layer the plan runs (as inspect --after-passes
# lists them), through both backends; --json parses; bad options exit 2.
layers=$("$vggc" inspect "$models/tiny_vgg.onnx" --after-passes | grep -cE '^ /')
check bench-jit 0 'backend jit, batch 2, 1 thread, 3 runs: median' -- \
  "$vggc" bench "$models/tiny_vgg.onnx" --batch 2 --iters 3 --threads 1
# More threads than the pool's cap: the report names the threads that ran.
check bench-threads-cap 0 'backend jit, batch 1, 256 threads, 2 runs: median' -- \
  "$vggc" bench "$models/tiny_vgg.onnx" --iters 2 --threads 300
# Both backends choose the kernels for the batch timed: tiny_vgg_bn's 8x8
# conv of 16 channels (layer 2) is direct for one image, Winograd for 3;
# --backend c builds its program with that --batch-hint (-v shows the
# command).
for backend in jit c; do
  check "bench-hint1-$backend" 0 '^ 2 +[^ ]+ +conv3x3[^ ]* +direct NCHW' -- \
    "$vggc" bench "$models/tiny_vgg_bn.onnx" --iters 1 --profile --backend $backend
  check "bench-hint3-$backend" 0 '^ 2 +[^ ]+ +conv3x3[^ ]* +winograd4x4' -- \
    "$vggc" bench "$models/tiny_vgg_bn.onnx" --batch 3 --iters 1 --profile --backend $backend
done
# vggc run chooses them for its input's batch, and caches each choice apart
# (the JIT cache's key holds the hint: one image after three is a miss).
for b in 1 3; do
  /usr/bin/python3 "$(dirname "$0")/../../models/make_input.py" --model "$models/tiny_vgg_bn.onnx" \
    --batch $b "$work/bn_b$b.npy"
done
check run-hint3 0 'kernels chosen for a batch of 3 \(the input.s\)' -- \
  env XDG_CACHE_HOME="$work/cache" "$vggc" -v run "$models/tiny_vgg_bn.onnx" --input "$work/bn_b3.npy"
check run-hint3-cached 0 'cache hit' -- \
  env XDG_CACHE_HOME="$work/cache" "$vggc" -v run "$models/tiny_vgg_bn.onnx" --input "$work/bn_b3.npy"
check run-hint1-miss 0 'cache miss' -- \
  env XDG_CACHE_HOME="$work/cache" "$vggc" -v run "$models/tiny_vgg_bn.onnx" --input "$work/bn_b1.npy"
check bench-hint3-c-command 0 'vggc: bench: .* compile .*tiny_vgg_bn\.onnx .* --batch-hint 3( |$)' -- \
  "$vggc" -v bench "$models/tiny_vgg_bn.onnx" --batch 3 --iters 1 --backend c
for backend in jit c; do
  out=$("$vggc" bench "$models/tiny_vgg.onnx" --iters 3 --profile --backend $backend 2>&1)
  rows=$(grep -cE '^ [0-9]+ +/' <<<"$out")
  # (ms, GFLOP/s, share of the probed peak, share of the total)
  if [ "$layers" -gt 0 ] && [ "$rows" -eq "$layers" ] && grep -qE 'winograd4x4 .* [0-9.]+ +[0-9.]+ +[0-9]+% +[0-9.]+%$' <<<"$out"; then
    echo "PASS bench-profile-$backend"; pass=$((pass + 1))
  else
    echo "FAIL bench-profile-$backend: $rows layer rows, want $layers"; echo "$out" | head -12 | sed 's/^/  | /'
    fail=$((fail + 1))
  fi
done
# A chain's first layer runs inside the second's call, yet a profile times
# it apart (vggrt_layer_part): its row has its own time, at least 0.05 ms
# (its 88 MFLOP in less would be 1.8 TFLOP/s on one thread; without its
# part the row holds an empty layer's ~1 us).  Another process on the
# machine can only lengthen it.
for backend in jit c; do
  out=$("$vggc" bench "$models/vgg16_head.onnx" --iters 1 --profile --threads 1 \
        --backend $backend 2>&1)
  ms0=$(awk '$1 == 0 && /(direct|winograd-row) NCHW[0-9]+c>ring/ {print $(NF-3)}' <<<"$out")
  ms1=$(awk '$1 == 1 && /ring>winograd4x4/ {print $(NF-3)}' <<<"$out")
  if awk -v a="${ms0:-0}" -v b="${ms1:-0}" 'BEGIN {exit !(a >= 0.05 && b > 0)}'; then
    echo "PASS bench-profile-chain-$backend"; pass=$((pass + 1))
  else
    echo "FAIL bench-profile-chain-$backend: layer 0 '$ms0' ms, layer 1 '$ms1' ms"
    echo "$out" | head -6 | sed 's/^/  | /'
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
# Every convolution has a rate, the probe beside it a rate, and so a share
# of that peak.
convs = [l for l in d["layers"] if l["kind"].startswith("conv")]
assert convs and all(l["gflops"] > 0 and l["probed_gflops"] > 0 and l["peak_pct"] > 0
                     for l in convs), convs
' "$layers" <<<"$json"; then
  echo "PASS bench-json"; pass=$((pass + 1))
else
  echo "FAIL bench-json"; echo "$json" | head -5 | sed 's/^/  | /'; fail=$((fail + 1))
fi
check bench-bad-backend 2 "--backend takes jit or c, not 'gpu'" -- "$vggc" bench "$models/tiny_vgg.onnx" --backend gpu
check bench-c-pipe 1 'is not a regular file: --backend c times the program' -- \
  bash -c "'$vggc' bench /dev/stdin --backend c --iters 1 < <(cat '$models/tiny_vgg.onnx')"
check bench-bad-target 2 "--target takes native, x86-64-v4, x86-64-v3, x86-64 or generic, not 'arm'" -- \
  "$vggc" bench "$models/tiny_vgg.onnx" --target arm
check compile-bad-target 2 "--target takes .* not 'arm'" -- "$vggc" compile "$models/tiny_vgg.onnx" --target arm
check run-bad-target 2 "run: --target takes .* not 'arm'" -- "$vggc" run "$models/tiny_vgg.onnx" --target arm
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

# --bind NAME=FILE: a graph input fixed at compile time becomes a constant.
# A small model whose Reshape shape and Dropout training_mode are graph
# inputs (x: f32[N,3,4], shape: i64[k], t: bool[]): vggc refuses it unbound,
# suggesting --bind; bound, it compiles, its header declares x alone, its
# program and `vggc run` take x alone, and both outputs equal ONNX Runtime's
# for the same three values (1e-6: Reshape, Dropout and Relu do no
# arithmetic, so any difference is a bug).
root=$(cd "$(dirname "$0")/../.." && pwd)
py=/usr/bin/python3
b=$work/bind
mkdir -p "$b"
if "$py" - "$b" <<'PYEOF'
import sys, numpy as np, onnx
from onnx import helper as h, TensorProto as T
d = sys.argv[1]
for ratio, name in ((0.0, "bind"), (0.5, "bind_random")):
    g = h.make_graph(
        [h.make_node("Reshape", ["x", "shape"], ["r"]),
         h.make_node("Dropout", ["r", "ratio", "t"], ["y"]),
         h.make_node("Relu", ["y"], ["z"])], "bind",
        [h.make_tensor_value_info("x", T.FLOAT, ["N", 3, 4]),
         h.make_tensor_value_info("shape", T.INT64, ["k"]),
         h.make_tensor_value_info("t", T.BOOL, [])],
        [h.make_tensor_value_info("z", T.FLOAT, None)],
        [h.make_tensor("ratio", T.FLOAT, [], [ratio])])
    onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 13)]), f"{d}/{name}.onnx")
rng = np.random.default_rng(3)
np.save(f"{d}/x.npy", rng.standard_normal((2, 3, 4)).astype(np.float32))
np.save(f"{d}/shape.npy", np.array([-1, 2, 6], np.int64))
np.save(f"{d}/shape_i32.npy", np.array([-1, 2, 6], np.int32))
np.save(f"{d}/shape_2d.npy", np.array([[-1, 2, 6]], np.int64))
np.save(f"{d}/t_true.npy", np.array(True))
np.save(f"{d}/t_false.npy", np.array(False))
np.save(f"{d}/t_vec.npy", np.array([True]))
open(f"{d}/corrupt.npy", "wb").write(b"\x93NUMPY\x01\x00garbage")
PYEOF
then
  m=$b/bind.onnx
  check bind-needed 1 "input 1 \(shape 'shape'\): a graph input, but vggc needs it at compile time: fix its value with --bind shape=FILE.npy" -- \
    "$vggc" compile "$m" -o "$b/o0" --bind "t=$b/t_true.npy"
  check bind-needed-bool 1 "'t', the training_mode\) is a graph input, but vggc needs it at compile time.*--bind t=FILE.npy" -- \
    "$vggc" compile "$m" -o "$b/o0"
  # Bound to true with ratio 0, training-mode Dropout is the identity; the
  # program built from the C takes x alone.
  for t in true false; do
    if "$vggc" compile "$m" -o "$b/c_$t" --name bound --bind shape="$b/shape.npy" --bind "t=$b/t_$t.npy" \
         >"$b/c_$t.log" 2>&1 &&
       make -s -C "$b/c_$t" >>"$b/c_$t.log" 2>&1 &&
       "$b/c_$t/bound" --input "$b/x.npy" --output "$b/y_c_$t.npy" >>"$b/c_$t.log" 2>&1 &&
       "$vggc" run "$m" --bind shape="$b/shape.npy" --bind "t=$b/t_$t.npy" --input "$b/x.npy" \
         --output "$b/y_jit_$t.npy" --no-cache >>"$b/c_$t.log" 2>&1 &&
       "$py" -c 'import numpy as np; np.save(__import__("sys").argv[1], np.array(__import__("sys").argv[2] == "true"))' \
         "$b/t_ort_$t.npy" $t &&
       node "$root/tools/ort/ort_run.js" "$m" --input "$b/x.npy" --input "$b/shape.npy" \
         --input "$b/t_ort_$t.npy" --output "$b/ref_$t.npy" >>"$b/c_$t.log" 2>&1 &&
       "$py" "$root/tools/compare_npy.py" "$b/y_c_$t.npy" "$b/ref_$t.npy" --rtol 1e-6 >>"$b/c_$t.log" 2>&1 &&
       "$py" "$root/tools/compare_npy.py" "$b/y_jit_$t.npy" "$b/ref_$t.npy" --rtol 1e-6 >>"$b/c_$t.log" 2>&1 &&
       grep -q '^#define bound_NUM_INPUTS 1$' "$b/c_$t/bound.h"; then
      echo "PASS bind-training-$t-same-as-ort"; pass=$((pass + 1))
    else
      echo "FAIL bind-training-$t-same-as-ort"; tail -5 "$b/c_$t.log" | sed 's/^/  | /'; fail=$((fail + 1))
    fi
  done
  # The header names the bound inputs (no values: the same for both
  # files); the generated files stay deterministic and warning-free.
  if grep -qxF "/* Bound at compile time (vggc compile --bind), constants of this model, not inputs: 'shape', 't' */" \
       "$b/c_true/bound.h" && cmp -s "$b/c_true/bound.h" "$b/c_false/bound.h"; then
    ok bind-header-names-bound
  else
    bad bind-header-names-bound; grep -n 'Bound' "$b/c_true/bound.h" | sed 's/^/  | /'
  fi
  check bind-generated-c 0 'deterministic: 5 files identical' -- \
    bash "$root/tests/codegen/check_generated_c.sh" "$vggc" "$m" "$b/gen" "$root/runtime/include" \
      --bind shape="$b/shape.npy" --bind "t=$b/t_true.npy"
  check bind-run-one-input 1 "expects 1 input|1 input" -- \
    "$vggc" run "$m" --bind shape="$b/shape.npy" --bind "t=$b/t_true.npy" --input "$b/x.npy" --input "$b/shape.npy" --no-cache
  check bind-inspect 0 'Total params' -- "$vggc" inspect "$m" --bind shape="$b/shape.npy" --bind "t=$b/t_false.npy"
  check bind-bench 0 'median' -- "$vggc" bench "$m" --iters 2 --bind shape="$b/shape.npy" --bind "t=$b/t_false.npy"
  check bind-random-dropout 1 "ratio 0.5 and no 'seed' attribute is random dropout" -- \
    "$vggc" compile "$b/bind_random.onnx" -o "$b/o1" --bind shape="$b/shape.npy" --bind "t=$b/t_true.npy"
  # The errors: each names the model, the input and the file.
  check bind-unknown-input 1 "bind.onnx: --bind nope=.*shape.npy: the model has no graph input named 'nope' \(its inputs: 'x', 'shape', 't'\)" -- \
    "$vggc" compile "$m" -o "$b/o2" --bind nope="$b/shape.npy"
  check bind-initializer 1 "--bind ratio=.*: 'ratio' is an initializer" -- \
    "$vggc" compile "$m" -o "$b/o2" --bind ratio="$b/t_true.npy"
  check bind-dtype 1 "--bind shape=.*shape_i32.npy: the array is INT32; input 'shape' is declared INT64" -- \
    "$vggc" compile "$m" -o "$b/o2" --bind shape="$b/shape_i32.npy" --bind "t=$b/t_true.npy"
  check bind-rank 1 "--bind shape=.*shape_2d.npy: the array has shape \[1,3\] \(rank 2\); input 'shape' is declared \[\?\] \(rank 1\)" -- \
    "$vggc" compile "$m" -o "$b/o2" --bind shape="$b/shape_2d.npy" --bind "t=$b/t_true.npy"
  check bind-scalar 1 "--bind t=.*t_vec.npy: the array has shape \[1\] \(rank 1\); input 't' is declared \[\] \(rank 0\)" -- \
    "$vggc" compile "$m" -o "$b/o2" --bind shape="$b/shape.npy" --bind "t=$b/t_vec.npy"
  check bind-dim 1 "--bind x=.*shape.npy: the array is INT64; input 'x' is declared FLOAT" -- \
    "$vggc" compile "$m" -o "$b/o2" --bind x="$b/shape.npy"
  check bind-x-shape 1 "--bind x=.*: the array has shape \[2,4,3\]; input 'x' is declared \[\?,3,4\] \(dimension 1 differs" -- \
    bash -c "'$py' -c 'import numpy as np; np.save(\"$b/x_bad.npy\", np.zeros((2,4,3), np.float32))' &&
             '$vggc' compile '$m' -o '$b/o2' --bind x='$b/x_bad.npy'"
  check bind-corrupt 1 "--bind shape=.*corrupt.npy: .*corrupt.npy" -- \
    "$vggc" compile "$m" -o "$b/o2" --bind shape="$b/corrupt.npy" --bind "t=$b/t_true.npy"
  check bind-missing-file 1 "--bind shape=.*nothere.npy: .*(No such file|cannot)" -- \
    "$vggc" run "$m" --input "$b/x.npy" --bind shape="$b/nothere.npy" --bind "t=$b/t_true.npy"
  check bind-twice 1 "--bind: input 'shape' is bound twice \(to .*shape.npy and to .*shape_i32.npy\)" -- \
    "$vggc" inspect "$m" --bind shape="$b/shape.npy" --bind shape="$b/shape_i32.npy" --bind "t=$b/t_true.npy"
  check bind-syntax 2 "--bind takes NAME=FILE.npy .*not 'shape'" -- "$vggc" compile "$m" --bind shape
  check bind-syntax-empty 2 "--bind takes NAME=FILE.npy .*not '=x.npy'" -- "$vggc" bench "$m" --bind =x.npy
else
  echo "FAIL bind-models: cannot write the --bind test model"; fail=$((fail + 1))
fi

# inspect --after-passes names a convolution by its kernel on every spatial
# axis, in ONNX's order: 3-D [N,C,D,H,W], 2-D, and 1-D [N,C,L]; the stride
# as one number when it is the same on every axis.
if "$py" - "$work/convnd.onnx" <<'PYEOF'
import sys, numpy as np, onnx
from onnx import helper as h, numpy_helper as nh, TensorProto as T
w = lambda name, *k: nh.from_array(np.ones((4, 2) + k, np.float32), name)
g = h.make_graph(
    [h.make_node("Conv", ["x3", "w3"], ["y3"], name="c3"),
     h.make_node("Conv", ["x3", "w3"], ["y3s"], name="c3s", strides=[2, 2, 2]),
     h.make_node("Conv", ["x2", "w2"], ["y2"], name="c2", strides=[1, 2]),
     h.make_node("Conv", ["x1", "w1"], ["y1"], name="c1", strides=[2])], "convnd",
    [h.make_tensor_value_info("x3", T.FLOAT, [1, 2, 5, 6, 7]),
     h.make_tensor_value_info("x2", T.FLOAT, [1, 2, 6, 7]),
     h.make_tensor_value_info("x1", T.FLOAT, [1, 2, 9])],
    [h.make_tensor_value_info(n, T.FLOAT, None) for n in ("y3", "y3s", "y2", "y1")],
    [w("w3", 3, 3, 3), w("w2", 3, 2), w("w1", 5)])
onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 13)]), sys.argv[1])
PYEOF
then
  check inspect-conv3d-kind 0 '^ c3 +conv3x3x3 ' -- "$vggc" inspect "$work/convnd.onnx" --after-passes
  check inspect-conv3d-stride 0 '^ c3s +conv3x3x3/s2 ' -- "$vggc" inspect "$work/convnd.onnx" --after-passes
  check inspect-conv2d-kind 0 '^ c2 +conv3x2/s1x2 ' -- "$vggc" inspect "$work/convnd.onnx" --after-passes
  check inspect-conv1d-kind 0 '^ c1 +conv5/s2 ' -- "$vggc" inspect "$work/convnd.onnx" --after-passes
else
  bad "inspect-conv-models: cannot write the test model"
fi

# A classifier whose batch is fixed, as PyTorch exports it without
# dynamic_axes ([1,3] from [1,3,32,32]) or as `compile --batch 2` makes it,
# prints its top classes per item like one with a symbolic batch, in `vggc
# run` and in the compiled program.
if "$py" - "$models/tiny_vgg.onnx" "$work/tiny_static.onnx" <<'PYEOF'
import sys, onnx
m = onnx.load(sys.argv[1])
for v in list(m.graph.input) + list(m.graph.output):
    d = v.type.tensor_type.shape.dim[0]
    d.ClearField("dim_param")
    d.dim_value = 1
onnx.save(m, sys.argv[2])
PYEOF
then
  for b in 1 2; do
    "$py" "$root/models/make_input.py" --model "$models/tiny_vgg.onnx" --batch $b "$work/tv_b$b.npy"
  done
  check run-fixed-batch-top 0 '^  item 0:  class [0-2]: 0\.[0-9]{4}  class' -- \
    "$vggc" run "$work/tiny_static.onnx" --input "$work/tv_b1.npy" --no-cache
  "$vggc" compile "$work/tiny_static.onnx" -o "$work/static1" &&
    "$vggc" compile "$models/tiny_vgg.onnx" --batch 2 -o "$work/fixed2" &&
    make -s -C "$work/static1" >/dev/null && make -s -C "$work/fixed2" >/dev/null
  check program-static-top 0 '^  item 0:  class [0-2]: 0\.[0-9]{4}  class' -- \
    "$work/static1/tiny_static" --input "$work/tv_b1.npy"
  check program-fixed-batch-top 0 '^  item 1:  class [0-2]: 0\.[0-9]{4}  class' -- \
    "$work/fixed2/tiny_vgg" --input "$work/tv_b2.npy"
  # The program prints what vggc run prints for the same model and input
  # (probabilities compared to 2 decimals: the JIT's and the C compiler's
  # sums may differ in the last bits).
  cut2() { sed -E 's/(: 0\.[0-9]{2})[0-9]{2}/\1/g' "$1"; }
  "$vggc" run "$work/tiny_static.onnx" --input "$work/tv_b1.npy" --no-cache >"$work/run1.txt" 2>&1
  "$work/static1/tiny_static" --input "$work/tv_b1.npy" >"$work/prog1.txt" 2>&1
  if grep -q "^output 0 '[^']*': f32 \[1,3\]$" "$work/run1.txt" &&
     [ "$(cut2 "$work/run1.txt")" = "$(cut2 "$work/prog1.txt")" ]; then
    ok program-prints-as-run
  else
    bad program-prints-as-run; diff "$work/run1.txt" "$work/prog1.txt" | head -6 | sed 's/^/  | /'
  fi
  # The program's command line: --help to stdout, exit 0; anything wrong
  # is named, exit 2, before a file is read.
  prog=$work/fixed2/tiny_vgg
  check program-help 0 '^usage: .*tiny_vgg --input FILE\.npy' -- "$prog" --help
  check program-unknown-option 2 "^tiny_vgg: error: unknown option '--bogus'" -- \
    "$prog" --input "$work/tv_b2.npy" --bogus
  check program-stray-argument 2 "error: unexpected argument 'x\.npy' \(an input file follows --input\)" -- \
    "$prog" x.npy
  check program-missing-value 2 'error: --input needs a value' -- "$prog" --input
  check program-bad-bench 2 "error: --bench takes a whole number from 0 to 100000, not '1O'" -- \
    "$prog" --input "$work/tv_b2.npy" --bench 1O
  check program-bad-top 2 "error: --top takes a whole number from 1 to 100000, not '0'" -- \
    "$prog" --input "$work/tv_b2.npy" --top 0
  check program-bad-preprocess 2 "error: --preprocess takes tf, caffe, torch or none, not 'rgb'" -- \
    "$prog" --image x.png --preprocess rgb
  many=()
  for i in $(seq 65); do many+=(--input x.npy); done
  check program-too-many-inputs 2 'error: --input given more than 64 times' -- "$prog" "${many[@]}"
else
  bad "fixed-batch-classifier: cannot write the test model"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
