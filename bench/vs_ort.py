#!/usr/bin/python3
"""vs_ort.py — vggc beside ONNX Runtime on the VGG-16 models, measured in one run.

    bench/vs_ort.py [--build build] [--rounds 3] [--iters 10]
                    [--quick | --alexnet | --caffenet] [--direct-only] [--out bench/results/vs_ort]

For each configuration (model, batch, threads):
    vgg16_head  batch 1 and 8,  1 and 2 threads
    vgg16       batch 1,        1 and 2 threads
or with --alexnet (the family's next model; default OUT bench/results/vs_ort_alexnet),
or --caffenet (the Caffe AlexNet: `models/gen_models.py build/models --only caffenet`;
default OUT bench/results/vs_ort_caffenet):
    alexnet     batch 1 and 8,  1 and 2 threads (caffenet likewise)
it runs three engines on the same seeded input, with the same thread count:
    C     the program `vggc compile --batch-hint B` writes for the row's batch B,
          built with its Makefile (`--bench N`)
    JIT   `vggc run --bench N` (LLVM ORC JIT, object cache warm; it chooses the
          kernels for its input's batch, as --batch-hint does)
    ORT   ONNX Runtime 1.30 (onnxruntime-node, graph optimization `all`,
          intraOpNumThreads = threads; tools/ort/ort_run.js --bench N)
Each process does its own warm-up and then N timed runs of inference alone
(session creation, model loading and JIT compilation excluded) and reports
their median.  Rounds interleave every engine and configuration, so a busy
spell of this shared machine hits all of them, and each round starts its
configurations with the next engine (C, JIT, ORT; then JIT, ORT, C; ...),
so that no engine always runs right after the probes, which spin for
seconds.  The table quotes the median over rounds of the per-process
medians.  Peak RSS is the process's maximum
resident set (getrusage of the child, whole process: loading included).

Columns: median ms per batch, images/s, effective GFLOP/s (direct-
convolution and dense FLOPs of the model / time, so a Winograd layer that
does fewer multiplies shows above the machine's peak), % of the probed FMA
peak for that thread count (bench/kernels/fma_peak: vggrt_fma_probe, same
rounds), ORT time / vggc
time, and peak RSS.  Accuracy: each model's outputs from the C program and
the JIT against ONNX Runtime's, largest relative difference per element.

Direct-convolution layers (the layers that do not run 2-D Winograd: the
first layer, direct or with AVX-512 Winograd along the rows, and the
512-channel ones at 14x14 / 10x10), 1 thread, batch 1, for
vgg16_head and vgg16 (where built): per round and backend, `vggc bench
MODEL --profile --json --threads 1`, which probes the FMA peak right before
and after every layer of every profiled run (vggrt_fma_probe, 0.5 ms) and
reports each layer's share of the peak of its moment; the medians over
rounds.  Once per round, beside it, bench/kernels/mix_peak: the direct
tiles' own loop of loads and FMAs on data in L1 against that probe, the
share a layer could reach then.  --direct-only runs this table
alone (with --quick: vgg16_head, one round), into OUT.md/OUT.json too.
With --alexnet or --caffenet there is no such table (issue #5's target is
VGG-16's).

Writes OUT.md (table, machine, versions, environment) and OUT.svg (chart).
Assert nothing: this is a measurement, not a test.
"""
import argparse
import atexit
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = "/usr/bin/python3"
ORT_RUN = os.path.join(ROOT, "tools", "ort", "ort_run.js")
ENGINES = ("C", "JIT", "ORT")


def fail(msg):
    sys.exit(f"vs_ort: error: {msg}")


def run(cmd, env=None, check=True):
    """Runs cmd; returns (stdout, stderr, peak RSS in MB)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        so, se = out.read().decode(), err.read().decode()
    if check and p.returncode != 0:
        fail(f"`{' '.join(cmd)}` exited {p.returncode}:\n{se[-3000:]}")
    return so, se, usage.ru_maxrss / 1024.0


def last_json(text, what):
    lines = [l for l in text.splitlines() if l.startswith("{")]
    if not lines:
        fail(f"{what} printed no JSON result")
    return json.loads(lines[-1])


def model_gflop(path):
    """FLOPs of one image: 2*MACs of Conv (direct), Gemm and MatMul."""
    import onnx
    from onnx import shape_inference
    m = shape_inference.infer_shapes(onnx.load(path))
    shapes = {}
    for vi in list(m.graph.value_info) + list(m.graph.input) + list(m.graph.output):
        dims = [d.dim_value if d.HasField("dim_value") else 1 for d in vi.type.tensor_type.shape.dim]
        shapes[vi.name] = dims
    for t in m.graph.initializer:
        shapes[t.name] = list(t.dims)
    flops = 0
    for n in m.graph.node:
        if n.op_type == "Conv":
            w = shapes[n.input[1]]
            y = shapes[n.output[0]]
            flops += 2 * y[1] * w[1] * w[2] * w[3] * y[2] * y[3]
        elif n.op_type in ("Gemm", "MatMul"):
            a, y = shapes[n.input[0]], shapes[n.output[0]]
            trans_a = any(at.name == "transA" and at.i for at in n.attribute)
            k = a[-2] if trans_a else a[-1]
            elems = 1
            for d in y:
                elems *= d
            flops += 2 * k * elems      # symbolic batch counted as 1: per image
    return flops / 1e9


def machine():
    info = {}
    for l in open("/proc/cpuinfo"):
        if ":" in l:
            k, v = (x.strip() for x in l.split(":", 1))
            info.setdefault(k, v)
    cpu, flags = info.get("model name", "?"), info.get("flags", "").split()
    isa = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "SSE"
    # A VM's model name may be only "AMD EPYC": the family tells the core
    # (family 25 is Zen 3 or, with AVX-512, Zen 4; 26 is Zen 5).
    family, model = info.get("cpu family", "?"), info.get("model", "?")
    core = ""
    if info.get("vendor_id") == "AuthenticAMD":
        core = {"23": "Zen 1-2", "25": "Zen 4" if "avx512f" in flags else "Zen 3",
                "26": "Zen 5"}.get(family, "")
    ident = f"family {family} model {model}" + (f", {core}" if core else "")
    return (f"{cpu} ({isa}; {ident}), {os.cpu_count()} cores, "
            f"{platform.system()} {platform.release()}")


def versions(vggc):
    v = run([vggc, "--version"])[0].strip()
    cc = run(["cc", "--version"])[0].splitlines()[0]
    pj = os.path.join(ROOT, ".deps", "ort", "node_modules", "onnxruntime-node", "package.json")
    ort = json.load(open(pj))["version"] if os.path.exists(pj) else "?"
    node = run(["node", "--version"])[0].strip()
    return v, cc, ort, node


def svg_chart(rows, path):
    """Grouped bars: images/s per configuration, one bar per engine."""
    colors = {"C": "#1b9e77", "JIT": "#7570b3", "ORT": "#d95f02"}
    groups = [r for r in rows]
    vmax = max(r[e]["ips"] for r in groups for e in ENGINES if r.get(e)) * 1.15
    W, H, left, bottom, top = 860, 380, 60, 70, 40
    gw = (W - left - 20) / len(groups)
    bw = gw / (len(ENGINES) + 1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
           f'font-family="sans-serif" font-size="12">',
           f'<text x="{W / 2}" y="20" text-anchor="middle" font-size="14">'
           f'images/s (higher is better): vggc C, vggc JIT, ONNX Runtime</text>']
    plot_h = H - bottom - top
    for i in range(5):
        v = vmax * i / 4
        y = top + plot_h - plot_h * i / 4
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{W - 20}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{v:.0f}</text>')
    for gi, r in enumerate(groups):
        x0 = left + gi * gw + bw / 2
        for ei, e in enumerate(ENGINES):
            if not r.get(e):
                continue
            v = r[e]["ips"]
            h = plot_h * v / vmax
            x = x0 + ei * bw
            out.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bw * 0.9:.1f}" '
                       f'height="{h:.1f}" fill="{colors[e]}"/>')
            out.append(f'<text x="{x + bw * 0.45:.1f}" y="{top + plot_h - h - 3:.1f}" '
                       f'text-anchor="middle" font-size="10">{v:.1f}</text>')
        label = f'{r["model"]} b{r["batch"]} t{r["threads"]}'
        out.append(f'<text x="{left + gi * gw + gw / 2:.1f}" y="{H - bottom + 18}" '
                   f'text-anchor="middle">{label}</text>')
    for ei, e in enumerate(ENGINES):
        out.append(f'<rect x="{left + ei * 110}" y="{H - 28}" width="12" height="12" '
                   f'fill="{colors[e]}"/>')
        out.append(f'<text x="{left + ei * 110 + 16}" y="{H - 18}">'
                   f'{ {"C": "vggc C", "JIT": "vggc JIT", "ORT": "ONNX Runtime"}[e] }</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def core_gaps(probe):
    """bench/kernels/core_gaps for 1 s: the share of a spinning thread's
    wall-clock time that the machine took (gaps of more than 2 us between
    two clock reads), gaps per second, the median gap."""
    return last_json(run([probe, "1"])[0], "core_gaps")


def gaps_text(gaps):
    """One sentence on the core_gaps runs (a list of their results)."""
    med = {k: statistics.median(g[k] for g in gaps)
           for k in ("lost_pct", "gaps_per_s", "median_gap_us")}
    lost = ", ".join(f"{g['lost_pct']:.1f}" for g in gaps)
    return (f"A thread spinning on the clock (bench/kernels/core_gaps.c, 1 s, {len(gaps)} "
            f"run(s)) lost {lost}% of its time "
            f"in gaps of more than 2 us (medians: {med['gaps_per_s']:.0f} gaps/s, "
            f"{med['median_gap_us']:.0f} us each): time the machine ran something else.")


def mix_peak(probe):
    """bench/kernels/mix_peak for 1 s: the direct tiles' loop of loads and
    FMAs on data in L1, its rate and its share of the register-only probe
    taken in turns with it."""
    return last_json(run([probe, "1"])[0], "mix_peak")


def mix_text(mixes):
    """One sentence on the mix_peak runs (a list of their results)."""
    pct = ", ".join(f"{m['pct']:.0f}" for m in mixes)
    return (f"The direct tiles' own loop on data in L1, without stores (bench/kernels/"
            f"mix_peak.c: per step 3 weight rows per block and 14 broadcasts for 36 FMAs per "
            f"block; 1 s, {len(mixes)} run(s), once per round) ran at {pct}% of the "
            f"register-only probe taken in turns with it: what a loop that loads can reach "
            f"on this machine then.")


def direct_layers(vggc, models, rounds, iters, env, gaps_probe, mix_probe):
    """The direct-convolution layers' (and a first layer's, direct or
    Winograd along the rows) GFLOP/s and share of the FMA peak that
    `vggc bench --profile` probed beside each layer.  Returns rows: model,
    layer index/name/kind/shape, engine, and per-round gflops, probed peak,
    share; plus their medians, and the core_gaps and mix_peak results of
    the rounds."""
    env = dict(env, VGGRT_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    per = {}   # (model, engine, index) -> row
    loads = []  # the 1-minute load average at each run
    gaps = []   # core_gaps, once per round
    mixes = []  # mix_peak, once per round
    for rnd in range(rounds):
        for model, path in models:
            for engine in ("c", "jit"):
                loads.append(os.getloadavg()[0])
                so = run([vggc, "bench", path, "--profile", "--json", "--threads", "1",
                          "--iters", str(iters), "--backend", engine], env)[0]
                layers = json.loads(so[so.index("{"):])["layers"]
                for l in layers:
                    if not l["kernel"].startswith(("direct", "winograd-row")):
                        continue
                    r = per.setdefault((model, engine, l["index"]), {
                        "model": model, "engine": "C" if engine == "c" else "JIT",
                        "index": l["index"], "name": l["name"], "kind": l["kind"],
                        "shape": l["shape"], "kernel": l["kernel"],
                        "gflops_runs": [], "peak_runs": [], "share_runs": []})
                    r["gflops_runs"].append(l["gflops"])
                    r["peak_runs"].append(l["probed_gflops"])
                    r["share_runs"].append(l["peak_pct"])
                print(f"direct layers, round {rnd + 1}/{rounds} {model} {engine}", flush=True)
        gaps.append(core_gaps(gaps_probe))
        mixes.append(mix_peak(mix_probe))
    rows = sorted(per.values(), key=lambda r: ([m for m, _ in models].index(r["model"]),
                                              r["index"], r["engine"]))
    for r in rows:
        r["gflops"] = statistics.median(r["gflops_runs"])
        r["peak"] = statistics.median(r["peak_runs"])
        r["peak_pct"] = statistics.median(r["share_runs"])
        r["load_runs"] = loads
    return rows, gaps, mixes


def direct_table(rows, gaps, mixes, rounds, iters):
    """The markdown lines of the direct-convolution table."""
    lines = ["", "## Direct-convolution layers and the first layer (1 thread, batch 1)", "",
             "The layers that run the direct convolution (runtime/kernels/dconv.c; the "
             "other 3x3 layers run Winograd), and the first layer. With AVX-512 the "
             "first layer (3 channels) runs Winograd F(4, 3) along the rows (kernel "
             "`winograd-row NCHW16c>ring`, runtime/kernels/wrow.c: 13.5 multiply-adds per "
             "output instead of 27), and its GFLOP/s, counted as the direct convolution's "
             "FLOPs like every rate here, can pass 100% of the peak. Per round and backend, `vggc bench MODEL "
             f"--profile --json --threads 1 --iters {iters}`: each profiled run probes the "
             "1-thread FMA peak right before and after every layer (vggrt_fma_probe, 0.5 ms "
             "on registers, not timed), and a layer's share is its GFLOP/s (2 x MACs / its "
             "time) against the mean of the two probes beside it, the median over the "
             f"profiled runs; medians over {rounds} round(s). Issue #5's target: >= 85% of "
             "peak. \"probed peak\" is the probes' rate beside the layer. Both are "
             "wall-clock rates, taken milliseconds apart, so another process on the machine "
             "slows both (1-minute load average during these runs: "
             + (", ".join(f"{x:.1f}" for x in rows[0]["load_runs"]) if rows else "-") + "). "
             "A first layer chained into the next (kernel `...>ring`, "
             "vggrt_chain_conv2d: its rows go into a ring in cache that the Winograd layer "
             "reads) is timed inside the chain call, around each band of rows it computes; "
             "its probes are those beside the call. " + gaps_text(gaps) + " A layer "
             "or a probe of half a millisecond is hit by such a gap in some runs and not "
             "in others. " + mix_text(mixes),
             "",
             "| model | layer | kind | kernel | output | engine | GFLOP/s | probed peak "
             "| % of peak |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['model']} | {r['index']} {r['name']} | {r['kind']} | "
                     f"{r['kernel']} | {r['shape']} | {r['engine']} | {r['gflops']:.1f} | "
                     f"{r['peak']:.0f} | {r['peak_pct']:.0f}% |")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--iters", type=int, default=10, help="timed runs per process (batch 8: half)")
    ap.add_argument("--quick", action="store_true", help="vgg16_head batch 1 only, 1 round")
    ap.add_argument("--alexnet", action="store_true",
                    help="alexnet.onnx (models-big) at batch 1 and 8 instead of the VGG-16 models")
    ap.add_argument("--caffenet", action="store_true",
                    help="caffenet.onnx (gen_models.py --only caffenet) at batch 1 and 8")
    ap.add_argument("--direct-only", action="store_true",
                    help="only the direct-convolution layers' table")
    ap.add_argument("--out", help="output path without extension (default bench/results/vs_ort, "
                    "or vs_ort_alexnet, vs_ort_caffenet with --alexnet, --caffenet)")
    ap.add_argument("--gflop", metavar="MODEL", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.gflop:
        # In a child process: this one stays small, and peak RSS is read from
        # children that fork from it (a child's maximum starts at its parent's).
        print(model_gflop(a.gflop))
        return
    # One of the AlexNet family instead of the VGG-16 models, or None.
    family = "alexnet" if a.alexnet else "caffenet" if a.caffenet else None
    if a.alexnet + a.caffenet + a.quick > 1:
        fail("--quick, --alexnet and --caffenet exclude each other")
    if a.direct_only and family:
        fail(f"--direct-only measures the VGG-16 models' direct layers: not with --{family}")
    if a.quick:
        a.rounds = 1
    if not a.out:
        a.out = os.path.join(ROOT, "bench", "results", f"vs_ort_{family}" if family else "vs_ort")
    vggc = os.path.join(a.build, "cli", "vggc")
    models_dir = os.path.join(a.build, "models")
    for f in (vggc, ORT_RUN):
        if not os.path.exists(f):
            fail(f"{f} is missing: build first (cmake --build {a.build}) and run scripts/install-deps.sh")
    configs = [("vgg16_head", 1, 1), ("vgg16_head", 1, 2), ("vgg16_head", 8, 1),
               ("vgg16_head", 8, 2), ("vgg16", 1, 1), ("vgg16", 1, 2)]
    if a.quick:
        configs = [("vgg16_head", 1, 1), ("vgg16_head", 1, 2)]
    if family:
        configs = [(family, 1, 1), (family, 1, 2), (family, 8, 1), (family, 8, 2)]
    work = tempfile.mkdtemp(prefix="vggc-vs-ort-")
    atexit.register(shutil.rmtree, work, True)  # its programs and weights: ~0.8 GB
    env_base = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"))

    # The FMA-peak probe, built with libvggrt for this CPU.
    probe = os.path.join(a.build, "bench", "kernels", "fma_peak")
    gaps_probe = os.path.join(a.build, "bench", "kernels", "core_gaps")
    mix_probe = os.path.join(a.build, "bench", "kernels", "mix_peak")
    for f in (probe, gaps_probe, mix_probe):
        if not os.path.exists(f):
            fail(f"{f} is missing: build first (cmake --build {a.build})")

    # The direct-convolution layers: vgg16_head, and vgg16 where it is built.
    direct_models = [(m, os.path.join(models_dir, m + ".onnx"))
                     for m in (("vgg16_head",) if a.quick else ("vgg16_head", "vgg16"))
                     if os.path.exists(os.path.join(models_dir, m + ".onnx"))]
    if a.direct_only:
        drows, dgaps, dmixes = direct_layers(vggc, direct_models, a.rounds, a.iters, env_base,
                                             gaps_probe, mix_probe)
        lines = ["# vggc: direct-convolution layers against the probed FMA peak", "",
                 f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {machine()}.",
                 f"Command: `bench/vs_ort.py --direct-only --rounds {a.rounds} --iters {a.iters}"
                 f"{' --quick' if a.quick else ''}`."] + direct_table(drows, dgaps, dmixes,
                                                                   a.rounds, a.iters)
        os.makedirs(os.path.dirname(a.out), exist_ok=True)
        with open(a.out + ".md", "w") as f:
            f.write("\n".join(lines) + "\n")
        with open(a.out + ".json", "w") as f:
            json.dump({"direct_layers": drows, "direct_core_gaps": dgaps,
                       "direct_mix_peak": dmixes}, f, indent=1)
            f.write("\n")
        print("\n".join(lines))
        return

    # Per model: the compiled programs and inputs per batch, reference
    # outputs.  The program for each batch is compiled with --batch-hint
    # (kernels chosen for that batch, as `vggc run` chooses them for its
    # input); it still takes any batch.
    prepared = {}
    for model, batch, _ in configs:
        path = os.path.join(models_dir, model + ".onnx")
        if not os.path.exists(path):
            fail(f"{path} is missing (built by the `models` and `models-big` targets; "
                 "caffenet.onnx by models/gen_models.py BUILD/models --only caffenet)")
        if model not in prepared:
            prepared[model] = {"path": path, "progs": {}, "inputs": {},
                               "gflop": float(run([PY, __file__, "--gflop", path])[0])}
        p = prepared[model]
        if batch not in p["inputs"]:
            cdir = os.path.join(work, f"{model}_b{batch}")
            run([vggc, "compile", path, "-o", cdir, "--name", model, "--batch-hint", str(batch)])
            run(["make", "-s", "-C", cdir])
            p["progs"][batch] = os.path.join(cdir, model)
            x = os.path.join(work, f"{model}_b{batch}.npy")
            run([PY, os.path.join(ROOT, "models", "make_input.py"), "--model", path,
                 "--batch", str(batch), x])
            p["inputs"][batch] = x

    # Accuracy against ONNX Runtime, batch 1 (also warms the JIT's cache).
    accuracy = {}
    for model, p in prepared.items():
        b = min(p["inputs"])
        x = p["inputs"][b]
        outs = {e: os.path.join(work, f"{model}_{e}.npy") for e in ENGINES}
        run(["node", ORT_RUN, p["path"], "--input", x, "--output", outs["ORT"]], env_base)
        run([p["progs"][b], "--input", x, "--output", outs["C"]], env_base)
        run([vggc, "run", p["path"], "--input", x, "--output", outs["JIT"]], env_base)
        code = ("import numpy as np, sys, json\n"
                "r = np.load(sys.argv[1]).astype(np.float64)\n"
                "res = {}\n"
                "for e, f in zip(('C', 'JIT'), sys.argv[2:]):\n"
                "    g = np.load(f).astype(np.float64)\n"
                "    d = np.abs(g - r)\n"
                "    scale = float(np.abs(r).max())\n"
                "    res[e] = {'max_abs': float(d.max()), 'max_rel': float((d / np.maximum(np.abs(r), 1e-30)).max()),\n"
                "              'scale': scale, 'tol_share': float((d / (1e-4 * np.abs(r) + 1e-5 * scale)).max())}\n"
                "print(json.dumps(res))\n")
        accuracy[model] = json.loads(run([PY, "-c", code, outs["ORT"], outs["C"], outs["JIT"]])[0])

    samples = {}   # (config, engine) -> [median ms per round]
    rss = {}
    peaks = {1: [], 2: []}
    gaps = []  # core_gaps, once per round
    for rnd in range(a.rounds):
        for t in sorted(peaks):
            peaks[t].append(last_json(run([probe, str(t), "0.5"])[0], "fma_peak")["gflops"])
        for cfg in configs:
            model, batch, threads = cfg
            p = prepared[model]
            x = p["inputs"][batch]
            iters = str(max(3, a.iters // 2) if batch > 1 else a.iters)
            env = dict(env_base, VGGRT_NUM_THREADS=str(threads),
                       OPENBLAS_NUM_THREADS=str(threads))
            cmds = {
                "C": [p["progs"][batch], "--input", x, "--bench", iters],
                "JIT": [vggc, "run", p["path"], "--input", x, "--bench", iters,
                        "--threads", str(threads)],
                "ORT": ["node", ORT_RUN, p["path"], "--input", x, "--bench", iters,
                        "--threads", str(threads)],
            }
            # Each round starts with the next engine: none always runs
            # right after the probes.
            k = rnd % len(ENGINES)
            for e in ENGINES[k:] + ENGINES[:k]:
                so, _, mb = run(cmds[e], env)
                samples.setdefault((cfg, e), []).append(last_json(so, e)["median_ms"])
                rss[(cfg, e)] = max(rss.get((cfg, e), 0.0), mb)
            print(f"round {rnd + 1}/{a.rounds} {model} b{batch} t{threads}: " +
                  ", ".join(f"{e} {samples[(cfg, e)][-1]:.1f} ms" for e in ENGINES), flush=True)
        gaps.append(core_gaps(gaps_probe))

    drows, dgaps, dmixes = (([], [], []) if family else
                            direct_layers(vggc, direct_models, a.rounds, a.iters, env_base,
                                          gaps_probe, mix_probe))

    peak = {t: statistics.median(v) for t, v in peaks.items()}
    rows = []
    for cfg in configs:
        model, batch, threads = cfg
        r = {"model": model, "batch": batch, "threads": threads}
        for e in ENGINES:
            ms = statistics.median(samples[(cfg, e)])
            gf = prepared[model]["gflop"] * batch / (ms / 1e3)
            r[e] = {"ms": ms, "ips": batch / (ms / 1e3), "gflops": gf,
                    "peak_pct": 100 * gf / peak[threads], "rss": rss[(cfg, e)],
                    "runs": samples[(cfg, e)]}
        rows.append(r)

    v, cc, ort_v, node_v = versions(vggc)
    commit = run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], check=False)[0].strip()
    # Local changes to the code; this tool's own earlier results do not count.
    dirty = run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no", "--", ".",
                 ":(exclude)bench/results"], check=False)[0]
    lines = [
        f"# vggc beside ONNX Runtime: "
        f"{dict(alexnet='AlexNet', caffenet='the Caffe AlexNet').get(family, 'VGG-16 models')}",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {commit}"
        f"{' (with local changes)' if dirty.strip() else ''}; {machine()}.",
        f"{v}; generated C (`vggc compile --batch-hint B` for each row's batch B, the kernels "
        f"`vggc run` chooses for that batch) built by `{cc}` with its Makefile's flags; "
        f"ONNX Runtime {ort_v} (onnxruntime-node, node {node_v}, CPU EP, graph optimization all).",
        f"Environment: OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}, "
        f"OPENBLAS_L2_SIZE={os.environ.get('OPENBLAS_L2_SIZE', '(unset)')}; "
        f"VGGRT_NUM_THREADS and OPENBLAS_NUM_THREADS set to each row's thread count.",
        f"Command: `bench/vs_ort.py --rounds {a.rounds} --iters {a.iters}"
        f"{' --quick' if a.quick else ''}{f' --{family}' if family else ''}`. "
        f"Medians over {a.rounds} interleaved rounds (each starting with the next engine) of "
        f"per-process medians of {a.iters} runs "
        "(batch 8: half as many).",
        f"Probed FMA peak (bench/kernels/fma_peak.c, median of rounds): 1 thread {peak[1]:.0f} GFLOP/s, "
        f"2 threads {peak[2]:.0f} GFLOP/s. " + gaps_text(gaps),
        f"Model FLOPs per image (direct convolution + dense): " +
        ", ".join(f"{m} {p['gflop']:.2f} GFLOP" for m, p in prepared.items()) + ".",
        "",
        "| model | batch | threads | engine | median ms | images/s | eff. GFLOP/s | % of peak "
        "| ORT / vggc | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        for e in ENGINES:
            m = r[e]
            ratio = f"{r['ORT']['ms'] / m['ms']:.2f}" if e != "ORT" else ""
            lines.append(f"| {r['model']} | {r['batch']} | {r['threads']} | {e} | {m['ms']:.1f} | "
                         f"{m['ips']:.1f} | {m['gflops']:.0f} | {m['peak_pct']:.0f}% | {ratio} | "
                         f"{m['rss']:.0f} |")
    lines += ["", "Accuracy at batch 1, against ONNX Runtime's outputs (vggc runs Winograd "
              "F(4x4,3x3) on the 3x3 layers of 16x16 and larger maps, and with AVX2 on vgg16's "
              "14x14 ones too, F(2x2,5x5) on AlexNet's 5x5 layer, per group on the Caffe "
              "AlexNet's (docs/passes.md, kernel choice), the direct convolution elsewhere). "
              "Largest difference per element; scale = largest |output|. The "
              "end-to-end tests' tolerance is |diff| <= 1e-4 |ref| + 1e-5 scale per element "
              "(tests/e2e/run_e2e.sh); the last column is the largest |diff| / (1e-4 |ref| + "
              "1e-5 scale), which must stay below 1:", "",
              "| model | engine | max abs diff | max abs diff / scale | max rel diff | scale "
              "| worst share of tolerance |", "|---|---|---|---|---|---|---|"]
    for model, acc in accuracy.items():
        for e, d in acc.items():
            lines.append(f"| {model} | {e} | {d['max_abs']:.2e} | {d['max_abs'] / d['scale']:.2e} "
                         f"| {d['max_rel']:.2e} | {d['scale']:.3g} | {d['tol_share']:.3f} |")
    if not family:
        lines += direct_table(drows, dgaps, dmixes, a.rounds, a.iters)
    lines += ["", f"Chart: [{os.path.basename(a.out)}.svg]({os.path.basename(a.out)}.svg). "
              "Per-round medians (ms) for each row are in the JSON file beside it."]
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(a.out + ".json", "w") as f:
        json.dump({"rows": rows, "peak": peak, "core_gaps": gaps, "accuracy": accuracy,
                   "direct_layers": drows, "direct_core_gaps": dgaps,
                   "direct_mix_peak": dmixes}, f, indent=1)
        f.write("\n")
    svg_chart(rows, a.out + ".svg")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
