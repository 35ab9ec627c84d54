#!/usr/bin/python3
"""jit_vs_c.py — the LLVM backend's start-up, and its speed beside the C backend's.

    bench/jit_vs_c.py [--build build] [--model build/models/vgg16_head.onnx]
                      [--runs 5] [--rounds 3] [--iters 10] [--out bench/results/jit_vs_c.md]

Measures, for one model at batch 1:
  - `vggc run` start-up (import, passes, plan, code generation or cache
    load, JIT link, weights), as vggc itself reports it with -v: cold
    (--no-cache) and cached (a warm entry in a private XDG_CACHE_HOME),
    median of --runs runs each;
  - inference: the generated C program's `--bench N` and `vggc run --bench N`
    (the same model, input and thread count), interleaved for --rounds
    rounds; medians of the per-round medians, and their ratio.
The machine is shared and noisy: read the ratio and the medians, and rerun.
Writes a markdown report (with the machine, commit and OpenBLAS settings).
"""
import argparse
import atexit
import json
import os
import platform
import shutil
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = "/usr/bin/python3"


def sh(cmd, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit(f"jit_vs_c: `{' '.join(cmd)}` failed ({p.returncode}):\n{p.stderr[-2000:]}")
    return p


def startup_ms(vggc, model, x, env, extra):
    p = sh([vggc, "run", model, "--input", x, "-v", *extra], env=env)
    m = re.search(r"start-up total ([0-9.]+) ms", p.stderr)
    if not m:
        sys.exit("jit_vs_c: vggc run -v did not report its start-up")
    return float(m.group(1))


def bench_median(cmd, env=None):
    out = sh(cmd, env=env).stdout
    line = [l for l in out.splitlines() if l.startswith("{")][-1]
    return json.loads(line)["median_ms"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--model")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "jit_vs_c.md"))
    a = ap.parse_args()
    vggc = os.path.join(a.build, "cli", "vggc")
    model = a.model or os.path.join(a.build, "models", "vgg16_head.onnx")
    name = os.path.splitext(os.path.basename(model))[0]
    work = tempfile.mkdtemp(prefix="vggc-bench-")
    atexit.register(shutil.rmtree, work, True)  # its programs and weights: ~0.8 GB
    x = os.path.join(work, "x.npy")
    sh([PY, os.path.join(ROOT, "models", "make_input.py"), "--model", model, "--batch", "1", x])
    sh([vggc, "compile", model, "-o", os.path.join(work, "c"), "--name", name])
    sh(["make", "-s", "-C", os.path.join(work, "c")])
    prog = os.path.join(work, "c", name)

    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"))
    cold = [startup_ms(vggc, model, x, env, ["--no-cache"]) for _ in range(a.runs)]
    startup_ms(vggc, model, x, env, [])          # fills the cache
    warm = [startup_ms(vggc, model, x, env, []) for _ in range(a.runs)]

    c_med, jit_med = [], []
    for _ in range(a.rounds):
        c_med.append(bench_median([prog, "--input", x, "--bench", str(a.iters)]))
        jit_med.append(bench_median([vggc, "run", model, "--input", x, "--bench", str(a.iters)], env))
    c, j = statistics.median(c_med), statistics.median(jit_med)

    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    lines = [
        f"# LLVM backend: start-up and speed beside the C backend ({name}, batch 1)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {commit}, "
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
        f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}.",
        f"Command: `bench/jit_vs_c.py --runs {a.runs} --rounds {a.rounds} --iters {a.iters}`.",
        "",
        "| measure | median | all runs (ms) | target |",
        "|---|---|---|---|",
        f"| `vggc run` start-up, cold (--no-cache) | {statistics.median(cold):.0f} ms | "
        f"{', '.join(f'{v:.0f}' for v in cold)} | < 3000 ms |",
        f"| `vggc run` start-up, cached | {statistics.median(warm):.0f} ms | "
        f"{', '.join(f'{v:.0f}' for v in warm)} | < 500 ms |",
        f"| inference, C backend (`{name} --bench {a.iters}`) | {c:.1f} ms | "
        f"{', '.join(f'{v:.1f}' for v in c_med)} | |",
        f"| inference, JIT (`vggc run --bench {a.iters}`) | {j:.1f} ms | "
        f"{', '.join(f'{v:.1f}' for v in jit_med)} | |",
        f"| JIT time / C time | {j / c:.3f} | | <= 1.10 |",
        "",
        "Start-up is what `vggc run -v` reports: import, passes, plan, code generation",
        "(or cache load), JIT link and weights, up to the first run.",
    ]
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
