#!/usr/bin/env python3
"""mutate_cli.py — drive `vggc compile` with mutated models.

Usage: mutate_cli.py VGGC MODELS_DIR WORK [--count N] [--seed S] [--timeout SECONDS]

From tiny_vgg.onnx and tiny_vgg_bn.onnx in MODELS_DIR makes N (default 240)
seeded mutants: byte-level (bit flips, truncations, byte runs overwritten,
chunks duplicated) and protobuf-level (two initializers' raw_data or dims
swapped, a node's op_type changed to another known op, huge, zero or
negative dims, an initializer's data cut short, nodes duplicated or
reordered, inputs renamed, attributes retyped, an If node with a subgraph).
Each mutant is compiled with `VGGC compile MUT -o WORK/out` in an empty
working folder, with TMPDIR pointing at an empty folder, and a time bound.

A mutant passes when:
  - vggc ends within the bound, by exit 0 or 1 (never a signal, never 2/3);
  - stderr has no sanitizer report; on exit 1 it has a `vggc: error:` line;
  - nothing is created, changed or removed outside WORK/out (the mutant's
    folder, the working folder and TMPDIR are compared before and after);
  - WORK/out holds either nothing (exit 1) or exactly the five outputs
    (exit 0), with no temporary file left behind.
Prints one line per failure and `N passed, M failed`; exit 1 if any failed.
"""
import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import time

import onnx
from onnx import helper, TensorProto

SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:",
                   "UndefinedBehaviorSanitizer", "Valgrind", "==ERROR")
KNOWN_OPS = ["Conv", "Relu", "MaxPool", "Gemm", "Flatten", "Reshape", "Add", "Mul",
             "BatchNormalization", "Softmax", "GlobalAveragePool", "AveragePool",
             "Transpose", "Concat", "Identity", "Dropout", "MatMul", "Pad", "Gather",
             "Squeeze", "Unsqueeze", "Shape", "Cast", "Clip", "LRN", "Sigmoid"]


# ---- byte-level mutations -------------------------------------------------
def bit_flips(rng, data):
    b = bytearray(data)
    for _ in range(rng.choice([1, 1, 2, 4, 8, 32])):
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
    return bytes(b), "bit flips"


def truncate(rng, data):
    n = rng.choice([0, 1, 7, rng.randrange(len(data)), len(data) // 2, len(data) - 1])
    return data[:n], f"truncated to {n} bytes"


def overwrite_run(rng, data):
    b = bytearray(data)
    i = rng.randrange(len(b))
    fill = rng.choice([0x00, 0xff, 0x7f, 0x80])
    for k in range(i, min(len(b), i + rng.choice([2, 8, 64]))):
        b[k] = fill
    return bytes(b), f"run of 0x{fill:02x} at {i}"


def duplicate_chunk(rng, data):
    i = rng.randrange(len(data))
    n = rng.choice([4, 64, 1024])
    return data[:i] + data[i:i + n] + data[i:], f"chunk of {n} duplicated at {i}"


# ---- protobuf-level mutations ---------------------------------------------
def big_inits(m):
    return [t for t in m.graph.initializer if t.raw_data]


def swap_raw_data(rng, m):
    ts = big_inits(m)
    a, b = rng.sample(ts, 2)
    a.raw_data, b.raw_data = b.raw_data, a.raw_data
    return f"raw_data of {a.name} and {b.name} swapped"


def swap_init_dims(rng, m):
    ts = [t for t in m.graph.initializer if len(t.dims) > 0]
    a, b = rng.sample(ts, 2)
    da, db = list(a.dims), list(b.dims)
    del a.dims[:]
    del b.dims[:]
    a.dims.extend(db)
    b.dims.extend(da)
    return f"dims of {a.name} and {b.name} swapped"


def permute_dims(rng, m):
    t = rng.choice([t for t in m.graph.initializer if len(t.dims) > 1])
    d = list(t.dims)
    rng.shuffle(d)
    del t.dims[:]
    t.dims.extend(d)
    return f"dims of {t.name} permuted to {d}"


def huge_dim(rng, m):
    v = rng.choice([2**31, 2**32 + 1, 2**40, 2**62, 2**63 - 1, -1, -2**63, 0])
    if rng.random() < 0.5:
        t = rng.choice(list(m.graph.initializer))
        if not t.dims:
            t.dims.append(1)
        t.dims[rng.randrange(len(t.dims))] = v
        return f"initializer {t.name} dim set to {v}"
    vi = m.graph.input[0]
    dims = vi.type.tensor_type.shape.dim
    d = dims[rng.randrange(len(dims))]
    d.dim_value = v
    return f"graph input dim set to {v}"


def many_dims(rng, m):
    t = rng.choice(list(m.graph.initializer))
    t.dims.extend([1] * rng.choice([8, 30, 100]))
    return f"initializer {t.name} given rank {len(t.dims)}"


def short_data(rng, m):
    t = rng.choice(big_inits(m))
    t.raw_data = t.raw_data[:rng.randrange(len(t.raw_data))]
    return f"raw_data of {t.name} cut short"


def retype_init(rng, m):
    t = rng.choice(list(m.graph.initializer))
    t.data_type = rng.choice([0, 2, 3, 6, 7, 8, 9, 10, 11, 16, 99])
    return f"data_type of {t.name} set to {t.data_type}"


def change_op(rng, m):
    n = rng.choice(list(m.graph.node))
    old = n.op_type
    n.op_type = rng.choice([o for o in KNOWN_OPS if o != old])
    return f"node {n.name} op {old} -> {n.op_type}"


def unknown_op(rng, m):
    n = rng.choice(list(m.graph.node))
    n.op_type = rng.choice(["If", "Loop", "Scan", "NonZero", "X" * 5000, ""])
    if n.op_type == "If":
        sub = helper.make_graph([], "then", [], [])
        n.attribute.append(helper.make_attribute("then_branch", sub))
    return f"node {n.name} op set to {n.op_type[:12]}"


def duplicate_node(rng, m):
    n = rng.choice(list(m.graph.node))
    m.graph.node.append(n)
    return f"node {n.name} duplicated"


def reorder_nodes(rng, m):
    nodes = list(m.graph.node)
    rng.shuffle(nodes)
    del m.graph.node[:]
    m.graph.node.extend(nodes)
    return "nodes shuffled"


def cycle(rng, m):
    first, last = m.graph.node[0], m.graph.node[-1]
    first.input[0] = last.output[0]
    return "first node reads the last one's output"


def rename_input(rng, m):
    n = rng.choice([n for n in m.graph.node if n.input])
    i = rng.randrange(len(n.input))
    n.input[i] = rng.choice(["", "missing", n.output[0], "a" * 100000])
    return f"input {i} of {n.name} renamed"


def drop_input(rng, m):
    n = rng.choice([n for n in m.graph.node if n.input])
    del n.input[-1]
    return f"last input of {n.name} dropped"


def extra_inputs(rng, m):
    n = rng.choice(list(m.graph.node))
    n.input.extend([n.input[0] if n.input else "x"] * rng.choice([1, 5, 1000]))
    return f"{n.name} given extra inputs"


def mangle_attr(rng, m):
    n = rng.choice([n for n in m.graph.node if n.attribute])
    a = rng.choice(list(n.attribute))
    kind = rng.randrange(5)
    if kind == 0:
        a.type = rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 13])
    elif kind == 1:
        del a.ints[:]
        a.ints.extend([rng.choice([0, -1, 2**62, -2**63, 7])] * rng.choice([1, 4, 9]))
    elif kind == 2:
        a.i = rng.choice([0, -1, 2**63 - 1, -2**63])
    elif kind == 3:
        a.name = rng.choice(["", "bogus", a.name * 3])
    else:
        n.attribute.append(a)
    return f"attribute {a.name} of {n.name} mangled ({kind})"


def opset(rng, m):
    m.opset_import[0].version = rng.choice([0, 1, 6, 22, 2**62, -5])
    return f"opset set to {m.opset_import[0].version}"


def external_escape(rng, m):
    t = rng.choice(big_inits(m))
    t.data_location = TensorProto.EXTERNAL
    loc = rng.choice(["/etc/passwd", "../../../../etc/passwd", "missing.bin", "", ".",
                      "sub/../../x", "a" * 5000])
    del t.external_data[:]
    e = t.external_data.add()
    e.key, e.value = "location", loc
    if rng.random() < 0.5:
        e = t.external_data.add()
        e.key, e.value = rng.choice(["offset", "length"]), rng.choice(["-1", "99999999999", "x", "0"])
    t.ClearField("raw_data")
    return f"{t.name} external at '{loc[:20]}'"


def output_name(rng, m):
    m.graph.output[0].name = rng.choice(["", "nothing", m.graph.input[0].name])
    return "graph output renamed"


def empty_graph(rng, m):
    rng.choice([lambda: m.graph.ClearField("node"), lambda: m.graph.ClearField("output"),
                lambda: m.graph.ClearField("input"), lambda: m.ClearField("graph")])()
    return "graph emptied"


PROTO_MUTATIONS = [swap_raw_data, swap_init_dims, permute_dims, huge_dim, many_dims, short_data,
                   retype_init, change_op, unknown_op, duplicate_node, reorder_nodes, cycle,
                   rename_input, drop_input, extra_inputs, mangle_attr, opset, external_escape,
                   output_name, empty_graph]
BYTE_MUTATIONS = [bit_flips, truncate, overwrite_run, duplicate_chunk]


def make_mutant(rng, data):
    if rng.random() < 0.45:
        return rng.choice(BYTE_MUTATIONS)(rng, data)
    m = onnx.ModelProto()
    m.ParseFromString(data)
    whats = []
    for _ in range(rng.choice([1, 1, 1, 2])):
        try:
            whats.append(rng.choice(PROTO_MUTATIONS)(rng, m))
        except (IndexError, ValueError, AttributeError):
            pass    # nothing left to mutate that way (an emptied graph)
    out = m.SerializeToString()
    if rng.random() < 0.15:
        out, w = bit_flips(rng, out)
        whats.append(w)
    return out, "; ".join(whats)


# ---- running --------------------------------------------------------------
def snapshot(*roots):
    snap = {}
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                p = os.path.join(dirpath, name)
                st = os.lstat(p)
                snap[p] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return snap


EXPECTED = {"main.c", "Makefile"}


def check_one(vggc, model, work, timeout):
    """Returns (passed, why, exit code)."""
    out = os.path.join(work, "out")
    cwd = os.path.join(work, "cwd")
    tmp = os.path.join(work, "tmp")
    for d in (out, cwd, tmp):
        shutil.rmtree(d, ignore_errors=True)
    os.makedirs(cwd)
    os.makedirs(tmp)
    watched = [os.path.dirname(model), cwd, tmp]
    before = snapshot(*watched)
    env = dict(os.environ, TMPDIR=tmp)
    t0 = time.monotonic()
    try:
        p = subprocess.run([vggc, "compile", model, "-o", out], cwd=cwd, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, f"no answer within {timeout} s", None
    secs = time.monotonic() - t0
    err = p.stderr.decode("utf-8", "replace")
    rc = p.returncode
    if rc < 0:
        return False, f"killed by signal {signal.Signals(-rc).name}: {err[-300:]}", rc
    if rc not in (0, 1):
        return False, f"exit {rc}: {err[-300:]}", rc
    if any(s in err for s in SANITIZER_MARKS):
        return False, f"sanitizer report: {err[-600:]}", rc
    if rc == 1 and "vggc: error:" not in err:
        return False, "exit 1 without a 'vggc: error:' message", rc
    after = snapshot(*watched)
    if after != before:
        changed = sorted(set(after.items()) ^ set(before.items()))
        return False, f"files outside -o changed: {changed[:3]}", rc
    have = sorted(os.listdir(out)) if os.path.isdir(out) else []
    if rc == 1 and have:
        return False, f"exit 1 but the output folder holds {have}", rc
    if rc == 0:
        stem = os.path.splitext(os.path.basename(model))[0]
        want = sorted(EXPECTED | {stem + ".c", stem + ".h", stem + ".weights"})
        if have != want:
            return False, f"exit 0 but the output folder holds {have}, not {want}", rc
    return True, f"{secs:.2f} s", rc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vggc")
    ap.add_argument("models")
    ap.add_argument("work")
    ap.add_argument("--count", type=int, default=240)
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--keep", action="store_true", help="keep every mutant, not only failures")
    a = ap.parse_args()
    vggc = os.path.abspath(a.vggc)
    work = os.path.abspath(a.work)
    shutil.rmtree(work, ignore_errors=True)
    mdir = os.path.join(work, "mutants")
    fdir = os.path.join(work, "failed")
    os.makedirs(mdir)
    os.makedirs(fdir)
    sources = []
    for name in ("tiny_vgg.onnx", "tiny_vgg_bn.onnx"):
        with open(os.path.join(a.models, name), "rb") as f:
            sources.append((name[:-5], f.read()))
    rng = random.Random(a.seed)
    passed = failed = 0
    codes = {}
    for i in range(a.count):
        stem, data = sources[i % len(sources)]
        mut, what = make_mutant(rng, data)
        model = os.path.join(mdir, f"m{i:04d}_{stem}.onnx")
        with open(model, "wb") as f:
            f.write(mut)
        ok, why, rc = check_one(vggc, model, work, a.timeout)
        codes[rc] = codes.get(rc, 0) + 1
        if ok:
            passed += 1
            if not a.keep:
                os.unlink(model)
        else:
            failed += 1
            shutil.copy(model, fdir)
            os.unlink(model)
            print(f"FAIL {os.path.basename(model)} ({what}): {why}")
    print(f"exit codes: " + ", ".join(f"{k}: {v}" for k, v in sorted(codes.items(), key=str)))
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
