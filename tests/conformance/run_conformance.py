#!/usr/bin/python3
"""run_conformance.py — ONNX's backend test data through vggc's backends.

    run_conformance.py --vggc PATH --suite node|pytorch-converted|pytorch-operator|simple
                       --work DIR [--backend c|jit] [--opt -O0..-O3 ...] [--data DIR] [--jobs N]
                       [--keep] [--json OUT.json] [--only REGEX]

Walks one suite of libonnx-testdata (DIR/<suite>/<case>/{model.onnx,
test_data_set_N/{input,output}_K.pb}).  A case is in scope when every node's
operator (default domain) is one of the X(...) lines of ir/ops.def, the one
table of what vggc supports; every other case is listed as SKIP with the
operators it lacks, never dropped silently.  Each case works in
DIR/<suite>/<case>/<level>/, removed afterwards unless the case failed
(--keep keeps them all).

An in-scope case is compiled (`vggc compile`), built with make (CFLAGS=-O1 and
the warnings -Wall -Wextra -Werror, so the generated C is proved warning-free;
$VGGC_CFLAGS is appended, which is how the sanitizer configuration links the
program with -fsanitize=address,undefined; main.o, the same driver in every
case, is compiled once per distinct preprocessed input and copied into the
later cases: MainObjects) and run on every test_data_set_*;
each output is compared with the stored one by ONNX's own runner tolerances,
rtol 1e-3 and atol 1e-7 under numpy.isclose's rule (tools/compare_npy.py's
rule, done in-process; BFLOAT16 outputs as the float32 values of their bit
patterns).  With --backend jit the same cases run through
`vggc run` (LLVM JIT, no cache) instead, against the same references.

--opt may be repeated: each case then runs at every level given, in that
order, one case at a time.  With --backend c, a level whose `vggc compile`
writes the very files (sources, weights, Makefile, byte for byte) that an
earlier level's did has the same program: it is not built and run again,
and takes that level's result, marked in its line ("the program of -O2")
and in the JSON ("same_as").  For most single-operator cases the passes
change nothing, so -O0 and -O2 write the same program; where they differ,
each is built and run.

vggc plans every shape at compile time, so it refuses a graph input that an
operator needs then (Reshape's shape, Squeeze's axes, Pad's pads, Dropout's
training_mode, ...), naming it as `--bind NAME=FILE.npy`.  For such a
refusal the runner binds exactly the input named, to the case's own value
for it (input_K.pb of test_data_set_0, written as .npy; every data set must
hold the same value), and compiles (with --backend jit: runs) again,
repeating while refusals name further inputs.  The bound inputs are then
left out of the run's --input list.  A case that passes so is a PASS
reported as such ("passed with 'shape' bound at compile time"), in its
line, the JSON ("bound") and the summary, never silently.

vggc refusing a case on purpose (exit 1) is a SKIP only if the case is listed
in expected_skips.txt beside this script (`suite/case: reason`); otherwise it
is a FAIL.  A listed case that now passes is a FAIL too, so the list shrinks
as vggc grows.  A case in STALE_REFERENCES (stored outputs made by a rule
ONNX has since replaced) is a SKIP only when its output differs from the
stored one and matches the current rule recomputed in numpy.  Wrong numbers, crashes (signal, exit 3), build failures and
warnings are FAILs, never skips.

Prints one line per case and level (PASS/FAIL/SKIP suite/case [level][:
why]) and finally, per level, `N passed (B with inputs bound at compile
time), M failed, K skipped`; exits 1 when anything failed, 2 on usage.
"""
import argparse
import concurrent.futures
import filecmp
import glob
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OPS_DEF = os.path.join(ROOT, "ir", "ops.def")
EXPECTED_SKIPS = os.path.join(HERE, "expected_skips.txt")
DEFAULT_DATA = "/usr/share/libonnx-testdata/data"
SUITES = ("node", "pytorch-converted", "pytorch-operator", "simple")

RTOL = 1e-3  # onnx/backend/test/runner: assert_allclose(rtol=1e-3, atol=1e-7)
ATOL = 1e-7

COMPILE_TIMEOUT = 120
BUILD_TIMEOUT = 300
RUN_TIMEOUT = 120


def supported_ops(path=OPS_DEF):
    """The ONNX names of the X(ENUM, "Name", ...) lines of ops.def."""
    ops = set()
    with open(path) as f:
        for line in f:
            m = re.match(r'\s*X\(\s*\w+\s*,\s*"([A-Za-z0-9_]+)"', line)
            if m:
                ops.add(m.group(1))
    if not ops:
        raise SystemExit(f"run_conformance: no X(...) lines in {path}")
    return ops


def read_expected_skips(path=EXPECTED_SKIPS):
    """{'suite/case': reason} from `suite/case: reason` lines ('#' comments)."""
    skips = {}
    if not os.path.exists(path):
        return skips
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, reason = line.partition(":")
            if not sep or "/" not in key or not reason.strip():
                raise SystemExit(f"{path}:{n}: expected `suite/case: reason`, got {line!r}")
            skips[key.strip()] = reason.strip()
    return skips


def model_ops(model):
    """Operators of the top-level graph and every subgraph, as (domain, op_type)."""
    found = []

    def walk(graph):
        for node in graph.node:
            found.append((node.domain, node.op_type))
            for a in node.attribute:
                if a.type == onnx.AttributeProto.GRAPH:
                    walk(a.g)
                elif a.type == onnx.AttributeProto.GRAPHS:
                    for g in a.graphs:
                        walk(g)

    walk(model.graph)
    return found


def op_label(domain, op):
    return op if domain in ("", "ai.onnx") else f"{domain}.{op}"


def short(text, limit=400):
    text = " ".join(text.strip().split())
    return text if len(text) <= limit else text[:limit] + " ..."


def describe_rc(rc):
    if rc is None:
        return "timed out"
    if rc < 0:
        try:
            return f"killed by signal {signal.Signals(-rc).name}"
        except ValueError:
            return f"killed by signal {-rc}"
    return f"exit {rc}"


def run(cmd, timeout, cwd=None, env=None):
    """(returncode or None on timeout, stdout, stderr)."""
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, timeout=timeout, capture_output=True,
                           text=True, errors="replace")
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
        return None, out, err


def load_pb(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def wrap_kind(type_proto):
    """"seq" or "opt" for a sequence or optional graph input or output
    (ONNX TypeProto), None for a tensor."""
    which = type_proto.WhichOneof("value")
    return {"sequence_type": "seq", "optional_type": "opt"}.get(which)


def load_value_pb(path, kind):
    """A SequenceProto ("seq") or OptionalProto ("opt") file as a tree:
    ("seq", [items]), ("opt", item or None), a tensor as a numpy array."""
    msg = onnx.SequenceProto() if kind == "seq" else onnx.OptionalProto()
    with open(path, "rb") as f:
        msg.ParseFromString(f.read())
    return value_tree(msg)


def value_tree(msg):
    if isinstance(msg, onnx.TensorProto):
        return numpy_helper.to_array(msg)
    if isinstance(msg, onnx.SequenceProto):
        items = (list(msg.tensor_values) + list(msg.sequence_values) + list(msg.optional_values)
                 + list(msg.sparse_tensor_values) + list(msg.map_values))
        return ("seq", [value_tree(m) for m in items])
    for field in ("tensor_value", "sequence_value", "optional_value"):
        if msg.HasField(field):
            return ("opt", value_tree(getattr(msg, field)))
    if msg.HasField("sparse_tensor_value") or msg.HasField("map_value"):
        raise ValueError("a sparse tensor or map in an optional")
    return ("opt", None)


def compare_tree(got, want, where="the value"):
    """None when two value trees are equal in structure and, tensor by
    tensor, within compare()'s tolerance; else what differs."""
    if isinstance(want, np.ndarray) or isinstance(got, np.ndarray):
        if not (isinstance(want, np.ndarray) and isinstance(got, np.ndarray)):
            return f"{where}: a tensor on one side only"
        why = compare(got, want)
        return f"{where}: {why}" if why else None
    if got[0] != want[0]:
        return f"{where}: {got[0]} where the reference has {want[0]}"
    if want[0] == "opt":
        if (got[1] is None) != (want[1] is None):
            return f"{where}: {'empty' if got[1] is None else 'a value'} where the reference has " \
                   f"{'none' if want[1] is None else 'one'}"
        return None if want[1] is None else compare_tree(got[1], want[1], f"{where}'s value")
    if len(got[1]) != len(want[1]):
        return f"{where}: {len(got[1])} items where the reference has {len(want[1])}"
    for i, (g, w) in enumerate(zip(got[1], want[1])):
        why = compare_tree(g, w, f"item {i} of {where}")
        if why:
            return why
    return None


def float32_to_bfloat16_rne(x):
    """bfloat16 bit patterns of float32 values, rounded to nearest even (the
    rule of ONNX >= 1.14's reference Cast and of ONNX Runtime); NaN stays a
    quiet NaN."""
    b = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    r = ((b + 0x7FFF + ((b >> 16) & 1)) >> 16).astype(np.uint16)
    return np.where(np.isnan(x), ((b >> 16) | 0x40).astype(np.uint16), r)


# Cases whose stored outputs an older generator wrote by a rule ONNX has since
# replaced.  Such a case runs as any other; its output must differ from the
# stored one (else the entry is stale and the case fails) and match the
# output recomputed from its inputs by the current rule, in numpy, apart from
# vggc.  It then counts as a skip, with the reason below, never as a pass.
STALE_REFERENCES = {
    "node/test_cast_FLOAT_to_BFLOAT16": (
        "stored output truncates to bfloat16 (ONNX 1.12's generator); vggc rounds to nearest "
        "even, as ONNX >= 1.14 and ONNX Runtime do: checked against that rule recomputed from "
        "the input",
        lambda inputs: [float32_to_bfloat16_rne(inputs[0])]),
}
# CastLike to BFLOAT16 (and its expansion, a Cast) came from the same generator.
for _case in ("node/test_castlike_FLOAT_to_BFLOAT16", "node/test_castlike_FLOAT_to_BFLOAT16_expanded"):
    STALE_REFERENCES[_case] = STALE_REFERENCES["node/test_cast_FLOAT_to_BFLOAT16"]


def declares_bfloat16(model, k):
    """Whether the model's K-th graph output is a BFLOAT16 tensor.  The stored
    output_K.pb cannot say: ONNX 1.12 writes bfloat16 data as UINT16 tensors
    of the bit patterns, which is also how vggc writes a BFLOAT16 .npy
    (`<u2`, numpy having no bfloat16)."""
    outs = model.graph.output
    return (k < len(outs) and outs[k].type.HasField("tensor_type")
            and outs[k].type.tensor_type.elem_type == onnx.TensorProto.BFLOAT16)


def bfloat16_to_float32(bits):
    """The float32 values of bfloat16 bit patterns (exact: bf16 is float32's
    upper half)."""
    return (np.asarray(bits, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)


def compare(actual, expected):
    """None when actual matches expected under numpy.isclose(rtol, atol) with
    NaN == NaN (compare_npy.py's rule); otherwise why not."""
    if actual.shape != expected.shape:
        return f"shape {actual.shape} != expected {expected.shape}"
    if expected.dtype.kind in "OSU":
        # Text (STRING): exact, element by element, whatever the width.
        a, e = as_text(actual), as_text(expected)
        if a.dtype.kind != "U" or e.dtype.kind != "U":
            return f"dtype {actual.dtype} != expected text ({expected.dtype})"
        if np.array_equal(a, e):
            return None
        i = int(np.argmax(a.ravel() != e.ravel()))
        return f"text differs at flat index {i}: actual {a.ravel()[i]!r} expected {e.ravel()[i]!r}"
    if actual.dtype != expected.dtype and not (actual.dtype.kind == expected.dtype.kind == "f"):
        return f"dtype {actual.dtype} != expected {expected.dtype}"
    if actual.size == 0:
        return None
    if expected.dtype.kind not in "biuf":
        return None if np.array_equal(actual, expected) else "values differ"
    a, e = actual.astype(np.float64), expected.astype(np.float64)
    if np.any(np.isnan(a) != np.isnan(e)):
        i = int(np.argmax(np.isnan(a) != np.isnan(e)))
        return f"NaN differs at flat index {i}: actual {a.flat[i]!r} expected {e.flat[i]!r}"
    fin = np.isfinite(e)
    if np.any(a[~fin & ~np.isnan(e)] != e[~fin & ~np.isnan(e)]):
        return "infinities differ"
    ok = np.isclose(a, e, rtol=RTOL, atol=ATOL, equal_nan=True)
    if np.all(ok):
        return None
    with np.errstate(invalid="ignore"):     # inf - inf where both are inf
        diff = np.where(fin, np.abs(a - e), 0.0)
    bound = ATOL + RTOL * np.abs(np.where(fin, e, 0.0))
    excess = np.where(np.isnan(diff), np.inf, diff - bound)
    worst = int(np.argmax(excess))
    idx = tuple(int(i) for i in np.unravel_index(worst, a.shape))
    return (f"{int(np.sum(~ok))}/{a.size} elements off; worst at {idx}: actual {a.flat[worst]:.9g} "
            f"expected {e.flat[worst]:.9g} (|diff| {diff.flat[worst]:.3g}, allowed "
            f"{bound.flat[worst]:.3g})")


def compare_output(model, k, got, want):
    """compare() for the model's K-th output; BFLOAT16 bit patterns (uint16
    on both sides) are compared as the values they stand for: as integers,
    rtol 1e-3 of a pattern like 0x3F80 would let ~16 bf16 ulps through."""
    if declares_bfloat16(model, k) and got.dtype == want.dtype == np.uint16:
        got, want = bfloat16_to_float32(got), bfloat16_to_float32(want)
    return compare(got, want)


def as_text(array):
    """A STRING tensor as numpy loads it from a .pb (an object array of str
    or bytes) -> a fixed-width '<U' array, the form .npy files hold text in
    (vggc reads and writes that); anything else unchanged."""
    if array.dtype.kind == "O" or array.dtype.kind == "S":
        flat = [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in array.ravel()]
        width = max([1] + [len(v) for v in flat])
        return np.array(flat, dtype=f"<U{width}").reshape(array.shape)
    return array


def save_npy(array, path):
    # np.ascontiguousarray would turn a 0-d array into shape (1,)
    np.save(path, np.array(as_text(array), order="C", copy=True), allow_pickle=False)


class Case:
    def __init__(self, suite, name, path, level):
        self.suite, self.name, self.path, self.level = suite, name, path, level
        self.key = f"{suite}/{name}"
        self.ops = []
        self.status = None   # "pass" | "fail" | "skip"
        self.reason = ""
        self.kind = ""       # for a skip: "op" (not in ops.def) or "refused" (expected_skips.txt)
        self.detail = ""     # for a refusal: what vggc said
        self.bound = {}      # graph input -> .npy its value was bound to at compile time
        self.same_as = None  # the level whose program this one's is, byte for byte (backend c)

    def result(self, status, reason="", kind="", detail=""):
        self.status, self.reason, self.kind, self.detail = status, reason, kind, detail
        return self


def check_case(case, args, ops_ok, skips, built):
    """Runs one case start to end at its level; sets case.status/reason.
    built: [(Case, out_dir, files)] of the programs the same case compiled
    at earlier levels (backend c), to which this level's is added."""
    model_path = os.path.join(case.path, "model.onnx")
    try:
        model = onnx.load(model_path, load_external_data=False)
    except Exception as e:  # noqa: BLE001 - an unreadable test model is worth a line
        return case.result("fail", f"harness: cannot read {model_path}: {short(str(e))}")
    pairs = model_ops(model)
    case.ops = sorted({op_label(d, o) for d, o in pairs})
    missing = sorted({op_label(d, o) for d, o in pairs
                      if d not in ("", "ai.onnx") or o not in ops_ok})
    if missing:
        if len(missing) == 1:
            return case.result("skip", f"op {missing[0]} not supported", "op")
        return case.result("skip", f"ops {', '.join(missing)} not supported", "op")

    listed = skips.get(case.key)
    work = os.path.join(args.work, case.suite, case.name, case.level.lstrip("-"))
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    note = " (listed in expected_skips.txt as refused, but vggc compiled it)" if listed else ""
    if args.backend == "jit":
        # `vggc run` goes through the whole pipeline and refuses a model
        # before it reads any input, with `vggc compile`'s message: a refusal
        # that names inputs to bind binds them and runs again, as the loop
        # below compiles again.  (Compiling down to LLVM IR before the runs,
        # as this did, cost as much CPU time as a run.)
        run_cmd = [args.vggc, "run", model_path, case.level, "--no-cache"]
        while True:
            r = run_sets(case, model, model_path, work, run_cmd + bind_args(case), work, listed,
                         note)
            if not isinstance(r, NeedsBind):
                return r
            why = bind_named(case, model, r.err, work)
            if why:
                return case.result("fail", why)

    out_dir = os.path.join(work, "c")
    cmd = [args.vggc, "compile", model_path, case.level, "-o", out_dir, "--name", "model"]
    what = "vggc compile"
    while True:
        rc, _, err = run(cmd + bind_args(case), COMPILE_TIMEOUT)
        if rc != 1:
            break
        why = bind_named(case, model, err, work)
        if why is None:
            continue            # bound what the refusal named: compile again
        if why:
            return case.result("fail", why)
        msg = short(err.replace(model_path + ": ", ""), 300)
        if listed:
            return case.result("skip", listed, "refused", short(err, 2000))
        return case.result("fail", f"vggc refused it (exit 1) and it is not in expected_skips.txt"
                                   f"{bound_note(case)}: {msg}")
    if rc != 0:
        return case.result("fail", f"{what}: {describe_rc(rc)}{bound_note(case)}: {short(err)}")
    files = sorted(os.listdir(out_dir))
    for prev, prev_dir, prev_files in built:
        if files == prev_files and all(filecmp.cmp(os.path.join(out_dir, f), os.path.join(prev_dir, f),
                                                   shallow=False) for f in files):
            # The same sources, weights and Makefile, so the same program:
            # its result at the earlier level is this level's.
            case.same_as = prev.level
            return case.result(prev.status, prev.reason, prev.kind, prev.detail)
    built.append((case, out_dir, files))

    cflags = ("-O1 " + os.environ.get("VGGC_CFLAGS", "")).strip()
    make = ["make", "-C", out_dir, f"CFLAGS={cflags}", "WARNINGS=-Wall -Wextra -Werror"]
    key = args.main_objects.reuse(make, out_dir)
    rc, out, err = run(make, BUILD_TIMEOUT)
    if rc == 0:
        args.main_objects.keep(key, out_dir)
    if rc != 0:
        text = err if err.strip() else out
        lines = [l for l in text.splitlines() if "error" in l or "warning" in l] or text.splitlines()
        return case.result("fail", f"build: {describe_rc(rc)}: {short(' | '.join(lines[:4]), 600)}"
                           + note)
    return run_sets(case, model, model_path, work, [os.path.join(out_dir, "model")], out_dir,
                    listed, note)


class MainObjects:
    """The generated programs' main.o, compiled once per distinct input.

    Every case's main.c is the same driver; what it compiles to depends only
    on the compile command and on what the compiler reads: main.c itself and,
    through its #includes, model.h (its NUM_INPUTS, NUM_OUTPUTS and
    declarations), vggrt.h and the system headers.  The key is the command
    the generated Makefile runs for main.o (`make -n`, so CC, CFLAGS,
    WARNINGS and the runtime's -I are in it), main.c's text, and that
    command's preprocessed output (-E instead of -c: every header as the
    compiler sees it, with line markers).  The first case of a key compiles
    main.o through make under -Wall -Wextra -Werror as any other; a later
    case of the same key gets a copy of it, newer than its sources, so make
    keeps it and builds the rest itself: model.c (under the same warnings,
    which also cover model.h's own text) and the link.  In the node suite,
    237 programs compiled main.o 12 times instead of 237, and main.o was
    about 2/3 of a program's build CPU time.  The store is emptied at each run (a compiler changed between runs
    is not in the key); when the Makefile's main.o rule is not the expected
    one, nothing is reused."""

    def __init__(self, work):
        self.dir = os.path.join(work, ".main-objects")
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.compiled = self.reused = 0

    def reuse(self, make, out_dir):
        """The key of out_dir's main.o (None: do not reuse); puts the stored
        object in place when there is one."""
        rc, out, _ = run(make + ["--no-print-directory", "-n", "-B", "main.o"], BUILD_TIMEOUT)
        cmds = out.strip().splitlines() if rc == 0 else []
        tail = ["-c", "main.c", "-o", "main.o"]
        try:
            argv = shlex.split(cmds[0]) if len(cmds) == 1 else []
        except ValueError:
            argv = []
        if argv[-4:] != tail or any(re.search(r"[;&|<>`$(){}\\]", a) for a in argv):
            return None
        rc, pre, _ = run(argv[:-4] + ["-E", "main.c"], BUILD_TIMEOUT, cwd=out_dir)
        if rc != 0:
            return None         # make reports it
        with open(os.path.join(out_dir, "main.c")) as f:
            source = f.read()
        h = hashlib.sha256()
        for part in (cmds[0], "\0", source, "\0", pre):
            h.update(part.encode())
        key = h.hexdigest()
        stored = os.path.join(self.dir, key + ".o")
        if os.path.exists(stored):
            dst = os.path.join(out_dir, "main.o")
            shutil.copyfile(stored, dst)
            os.utime(dst)       # newer than main.c and model.h: make keeps it
            self.reused += 1
            return None
        return key

    def keep(self, key, out_dir):
        """After a successful make: stores the main.o it compiled."""
        if key is None:
            return
        self.compiled += 1
        tmp = os.path.join(self.dir, f"{key}.{threading.get_ident()}.tmp")
        shutil.copyfile(os.path.join(out_dir, "main.o"), tmp)
        os.replace(tmp, os.path.join(self.dir, key + ".o"))


BIND_RE = re.compile(r"--bind (\S+?)=FILE\.npy")


def runtime_inputs(model):
    """The graph inputs that are not initializers, in order: input_K.pb is
    the K-th of them."""
    initializers = {t.name for t in model.graph.initializer}
    return [i.name for i in model.graph.input if i.name not in initializers]


def bind_args(case):
    return [a for name, npy in case.bound.items() for a in ("--bind", f"{name}={npy}")]


def bound_note(case):
    if not case.bound:
        return ""
    return f" (with {', '.join(repr(n) for n in case.bound)} bound at compile time)"


def bind_named(case, model, err, work):
    """After a refusal: binds the inputs vggc named as needed at compile time
    (`--bind NAME=FILE.npy`) that are not bound yet, to the case's own values.
    None when it bound some (compile again); "" when the refusal names none
    (a plain refusal); otherwise why the harness cannot bind them (a FAIL)."""
    names = [n for n in dict.fromkeys(BIND_RE.findall(err)) if n not in case.bound]
    if not names:
        return ""
    inputs = runtime_inputs(model)
    sets = sorted(glob.glob(os.path.join(case.path, "test_data_set_*")))
    for name in names:
        if name not in inputs:
            return f"vggc asks for --bind {name}=..., but '{name}' is not a graph input of the model"
        k = inputs.index(name)
        values = []
        for ds in sets:
            pb = os.path.join(ds, f"input_{k}.pb")
            try:
                values.append(load_pb(pb))
            except Exception as e:  # noqa: BLE001
                return f"harness: cannot read {pb} to bind '{name}': {short(str(e), 120)}"
        if not values:
            return "harness: no test_data_set_* directories"
        if any(v.shape != values[0].shape or not np.array_equal(v, values[0]) for v in values[1:]):
            return (f"harness: '{name}' differs between the data sets, so no one value can be bound "
                    f"at compile time")
        npy = os.path.join(work, f"bind_{k}.npy")
        save_npy(values[0], npy)
        case.bound[name] = npy
    return None


class NeedsBind:
    """run_sets' answer when `vggc run` refused the model for inputs it
    needs at compile time that are not bound yet (err: its message)."""

    def __init__(self, err):
        self.err = err


def run_sets(case, model, model_path, work, prog_cmd, cwd, listed, note):
    """Runs prog_cmd (+ --input/--output files) on every test_data_set_* of the
    case and compares; a JIT run refusing the model (exit 1) is handled like
    a compile refusal, and so is a generated program refusing its input
    (exit 1) in a case expected_skips.txt lists (e.g. data whose shape
    contradicts the model's declaration).  A JIT run refused for inputs it
    needs at compile time that are not bound yet (`--bind NAME=FILE.npy`)
    returns NeedsBind instead of a result."""
    inputs = runtime_inputs(model)
    n_inputs = len(inputs)
    in_kinds = {i.name: wrap_kind(i.type) for i in model.graph.input}
    out_kinds = [wrap_kind(o.type) for o in model.graph.output]
    stale = STALE_REFERENCES.get(case.key)
    sets = sorted(glob.glob(os.path.join(case.path, "test_data_set_*")),
                  key=lambda p: int(re.sub(r"\D", "", os.path.basename(p)) or 0))
    if not sets:
        return case.result("fail", "harness: no test_data_set_* directories")
    for ds in sets:
        dsn = os.path.basename(ds)
        ins = sorted(glob.glob(os.path.join(ds, "input_*.pb")),
                     key=lambda p: int(re.sub(r"\D", "", os.path.basename(p))))
        outs = sorted(glob.glob(os.path.join(ds, "output_*.pb")),
                      key=lambda p: int(re.sub(r"\D", "", os.path.basename(p))))
        if len(ins) != n_inputs:
            return case.result("fail", f"{dsn}: {len(ins)} input files for {n_inputs} graph inputs "
                                       f"(vggc accepted a model whose inputs are not plain tensors?)"
                               + note)
        cmd = list(prog_cmd)
        for i, p in enumerate(ins):
            if inputs[i] in case.bound:
                continue        # a constant of the compiled model now
            if in_kinds.get(inputs[i]):
                cmd += ["--input", p]   # a sequence or optional: the .pb as it is
                continue
            try:
                arr = load_pb(p)
            except Exception as e:  # noqa: BLE001
                return case.result("fail", f"{dsn}: cannot read {os.path.basename(p)} as a tensor "
                                           f"({short(str(e), 120)}), yet vggc compiled the model"
                                   + note)
            npy = os.path.join(work, f"{dsn}_in{i}.npy")
            save_npy(arr, npy)
            cmd += ["--input", npy]
        got_paths = []
        for k in range(len(outs)):
            wrapped = k < len(out_kinds) and out_kinds[k]
            y = os.path.join(work, f"{dsn}_out{k}.{'pb' if wrapped else 'npy'}")
            if os.path.exists(y):
                os.unlink(y)
            got_paths.append(y)
            cmd += ["--output", y]
        rc, out, err = run(cmd, RUN_TIMEOUT, cwd=cwd)
        if (rc == 1 and prog_cmd[1:2] == ["run"]
                and any(n not in case.bound for n in BIND_RE.findall(err))):
            return NeedsBind(err)
        if rc == 1 and (prog_cmd[1:2] == ["run"] or listed):
            if listed:
                return case.result("skip", listed, "refused", short(err, 2000))
            msg = short(err.replace(model_path + ": ", ""), 300)
            return case.result("fail", f"vggc refused it (exit 1) and it is not in "
                                       f"expected_skips.txt{bound_note(case)}: {msg}")
        if rc != 0:
            return case.result("fail", f"{dsn}: program {describe_rc(rc)}: {short(err or out)}"
                               + bound_note(case) + note)
        if re.search(r"AddressSanitizer|runtime error:|LeakSanitizer", err):
            return case.result("fail", f"{dsn}: sanitizer report: {short(err)}" + note)
        recomputed = stale[1]([load_pb(p) for p in ins]) if stale else None
        for k, (y, ref) in enumerate(zip(got_paths, outs)):
            if k < len(out_kinds) and out_kinds[k]:
                try:
                    got_tree = load_value_pb(y, out_kinds[k])
                except Exception as e:  # noqa: BLE001
                    return case.result("fail", f"{dsn}: output {k}: cannot read {y}: "
                                               f"{short(str(e), 160)}" + note)
                why = compare_tree(got_tree, load_value_pb(ref, out_kinds[k]))
                if why:
                    return case.result("fail", f"{dsn}: output {k}: {why}" + note)
                continue
            try:
                got = np.load(y, allow_pickle=False)
            except Exception as e:  # noqa: BLE001
                return case.result("fail", f"{dsn}: output {k}: cannot read {y}: {short(str(e), 160)}"
                                   + note)
            why = compare_output(model, k, got, load_pb(ref))
            if stale and not why:
                return case.result("fail", f"{dsn}: output {k} matches the stored output: remove the "
                                           f"case from STALE_REFERENCES")
            if stale:
                why = compare_output(model, k, got, recomputed[k])
                if not why:
                    continue
                why += " (against the output recomputed by the current rule)"
            if why:
                return case.result("fail", f"{dsn}: output {k}: {why}" + bound_note(case) + note)
    if stale:
        return case.result("skip", stale[0], "stale-reference")
    if listed:
        return case.result("fail", "passes now: remove it from expected_skips.txt"
                           + bound_note(case))
    if case.bound:
        return case.result("pass", "passed with " + ", ".join(repr(n) for n in case.bound)
                           + " bound at compile time", "bound")
    return case.result("pass")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vggc", required=True)
    ap.add_argument("--suite", required=True, choices=SUITES)
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--work", required=True)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--json", help="write the results here; with several --opt, '{opt}' in it "
                                   "(required then) stands for the level: O0, O2, ...")
    ap.add_argument("--backend", choices=("c", "jit"), default="c")
    ap.add_argument("--opt", choices=("-O0", "-O1", "-O2", "-O3"), action="append",
                    help="vggc's optimization level (the passes that run), default -O2; "
                         "repeat it to run the cases at several levels, in the order given")
    ap.add_argument("--only", help="only cases whose suite/case matches this regex")
    ap.add_argument("--keep", action="store_true",
                    help="keep every case's work directory (default: only failed cases')")
    args = ap.parse_args()
    levels = list(dict.fromkeys(args.opt or ["-O2"]))
    if args.json and len(levels) > 1 and "{opt}" not in args.json:
        ap.error("with several --opt, --json needs '{opt}' in its path")
    args.vggc = os.path.abspath(args.vggc)
    args.work = os.path.abspath(args.work)
    if not os.access(args.vggc, os.X_OK):
        ap.error(f"{args.vggc} is not an executable")
    suite_dir = os.path.join(args.data, args.suite)
    if not os.path.isdir(suite_dir):
        ap.error(f"no suite directory {suite_dir}")

    ops_ok = supported_ops()
    skips = read_expected_skips()
    only = re.compile(args.only) if args.only else None
    groups = []                 # per case, its Case at each level
    for name in sorted(os.listdir(suite_dir)):
        path = os.path.join(suite_dir, name)
        if not os.path.isfile(os.path.join(path, "model.onnx")):
            continue
        if only and not only.search(f"{args.suite}/{name}"):
            continue
        groups.append([Case(args.suite, name, path, level) for level in levels])
    os.makedirs(args.work, exist_ok=True)
    args.main_objects = MainObjects(args.work)

    def one(group):
        built = []
        for c in group:
            t0 = time.monotonic()
            try:
                check_case(c, args, ops_ok, skips, built)
            except Exception as e:  # noqa: BLE001 - a harness bug fails the case, not the run
                c.result("fail", f"harness: {type(e).__name__}: {short(str(e))}")
            c.seconds = time.monotonic() - t0
        if all(c.status != "fail" for c in group) and not args.keep:
            # Only a failure's files are worth keeping; the rest would add up
            # to hundreds of MB per suite and configuration.
            shutil.rmtree(os.path.join(args.work, group[0].suite, group[0].name),
                          ignore_errors=True)
        return group

    # Lines come out in the cases' order (map yields in order), each as soon
    # as it and every case before it are done.
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        for group in ex.map(one, groups):
            for c in group:
                line = {"pass": "PASS", "fail": "FAIL", "skip": "SKIP"}[c.status] + " " + c.key
                if len(levels) > 1:
                    line += " " + c.level
                if c.reason:
                    line += ": " + c.reason
                if c.same_as:
                    line += f" (the program of {c.same_as}, byte for byte: built and run once)"
                print(line, flush=True)

    mo = args.main_objects
    if mo.compiled or mo.reused:
        print(f"(main.o: compiled {mo.compiled} times, reused {mo.reused} times)")
    failed = False
    for i, level in enumerate(levels):
        cases = [g[i] for g in groups]
        counts = {s: sum(1 for c in cases if c.status == s) for s in ("pass", "fail", "skip")}
        failed = failed or counts["fail"] > 0
        if args.json:
            with open(args.json.replace("{opt}", level.lstrip("-")), "w") as f:
                json.dump([{"suite": c.suite, "case": c.name, "ops": c.ops, "status": c.status,
                            "reason": c.reason, "kind": c.kind, "detail": c.detail,
                            "bound": sorted(c.bound), "same_as": c.same_as,
                            "seconds": round(getattr(c, "seconds", 0.0), 3)}
                           for c in cases], f, indent=1)
                f.write("\n")
        n_bound = sum(1 for c in cases if c.status == "pass" and c.bound)
        n_same = sum(1 for c in cases if c.same_as)
        same = (f"; {n_same} cases compiled to an earlier level's program, byte for byte, and "
                f"took its result" if n_same else "")
        print((f"{level}: " if len(levels) > 1 else "")
              + f"{counts['pass']} passed ({n_bound} with inputs bound at compile time), "
              f"{counts['fail']} failed, {counts['skip']} skipped{same}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
