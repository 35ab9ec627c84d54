#!/usr/bin/python3
"""run_bad_input.py — every model of the bad-input corpus through vggc, checking its answer.

    run_bad_input.py VGGC CORPUS_DIR WORK_DIR [--only REGEX]

CORPUS_DIR is what make_corpus.py wrote (manifest.json beside the models).
For each case, `vggc compile FILE -o WORK/out_<i>` and `vggc inspect FILE`
run (10 s timeout each, from an empty working directory) and must:
  - exit with exactly the manifest's code (1: refused; 0: accepted), not die
    of a signal, not print a sanitizer report;
  - on exit 1, print `vggc: error:` with the model file's name, the
    manifest's regex naming the problem and, for a node's problem, the node's
    name;
  - create no file anywhere but WORK/out_<i>: the corpus folder (recursively),
    its parent, the working directory and WORK are snapshot before and after,
    and the files external data points at are hashed before and after;
  - leave WORK/out_<i> absent or empty when compile fails (no partial output);
  - stay under 1 GiB of resident memory (a declared 2^40 x 2^40 input must
    not be allocated).
Cases marked `build` must also build with make (-Wall -Wextra -Werror, plus
$VGGC_CFLAGS) and run on zeros.  Prints PASS/FAIL per case and check, then
`N passed, M failed`; exits 1 on any failure.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

TIMEOUT = 10.0
MAX_RSS_KB = 1 << 20  # 1 GiB
SANITIZER = re.compile(r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:")


def run_limited(cmd, cwd, log_prefix, timeout=TIMEOUT):
    """Runs cmd; returns (rc or None on timeout, stdout, stderr, max RSS in KB).
    rc < 0 is a signal.  os.wait4 gives this child's own peak memory."""
    out_path, err_path = log_prefix + ".stdout", log_prefix + ".stderr"
    with open(out_path, "wb") as fo, open(err_path, "wb") as fe:
        p = subprocess.Popen(cmd, cwd=cwd, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        status = ru = None
        while True:
            pid, st, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                status, ru = st, usage
                break
            if time.monotonic() > deadline:
                p.kill()
                _, st, usage = os.wait4(p.pid, 0)
                ru = usage
                break
            time.sleep(0.005)
        p.returncode = 0  # reaped here; keep Popen from waiting again
    rc = os.waitstatus_to_exitcode(status) if status is not None else None
    with open(out_path, "rb") as f:
        out = f.read().decode(errors="replace")
    with open(err_path, "rb") as f:
        err = f.read().decode(errors="replace")
    return rc, out, err, ru.ru_maxrss if ru else 0


def describe_rc(rc):
    if rc is None:
        return f"timed out after {TIMEOUT:g} s"
    if rc < 0:
        try:
            return f"killed by signal {signal.Signals(-rc).name}"
        except ValueError:
            return f"killed by signal {-rc}"
    return f"exit {rc}"


def snapshot(root, recursive=True, skip=()):
    """{relative path: (kind, size, mtime_ns, link target)} under root."""
    snap = {}
    if not os.path.isdir(root):
        return snap
    if recursive:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if os.path.join(dirpath, d) not in skip]
            for n in dirnames + filenames:
                p = os.path.join(dirpath, n)
                if p in skip:
                    continue
                snap[os.path.relpath(p, root)] = stat_entry(p)
    else:
        for n in os.listdir(root):
            p = os.path.join(root, n)
            if p not in skip:
                snap[n] = stat_entry(p)
    return snap


def stat_entry(p):
    st = os.lstat(p)
    link = os.readlink(p) if os.path.islink(p) else None
    kind = "d" if os.path.isdir(p) and not link else "f"
    # directories' mtimes change when a child is created and removed again; the
    # children themselves are compared, so only files keep their mtime
    return (kind, st.st_size if kind == "f" else 0, st.st_mtime_ns if kind == "f" else 0, link)


def diff_snapshots(before, after, where):
    problems = []
    for k in sorted(set(after) - set(before)):
        problems.append(f"created {os.path.join(where, k)}")
    for k in sorted(set(before) - set(after)):
        problems.append(f"removed {os.path.join(where, k)}")
    for k in sorted(set(before) & set(after)):
        if before[k] != after[k]:
            problems.append(f"modified {os.path.join(where, k)}")
    return problems


def sha256(path):
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError as e:
        return f"unreadable: {e.strerror}"


def short(text, limit=500):
    text = " | ".join(l for l in text.strip().splitlines() if l.strip())
    return text if len(text) <= limit else text[:limit] + " ..."


class Checker:
    def __init__(self, args):
        self.args = args
        self.corpus = os.path.abspath(args.corpus)
        self.work = os.path.abspath(args.work)
        self.parent = os.path.dirname(self.corpus)
        self.passed = self.failed = 0

    def report(self, label, problems):
        if problems:
            self.failed += 1
            print(f"FAIL {label}: " + "; ".join(problems), flush=True)
        else:
            self.passed += 1
            print(f"PASS {label}", flush=True)

    def check_answer(self, e, path, rc, out, err, rss_kb):
        problems = []
        want = e["exit"]
        if rc != want:
            problems.append(f"{describe_rc(rc)}, expected exit {want}; stderr: {short(err) or '(empty)'}")
        if SANITIZER.search(err):
            problems.append(f"sanitizer report: {short(err, 800)}")
        if rss_kb > MAX_RSS_KB:
            problems.append(f"peak memory {rss_kb // 1024} MiB (limit {MAX_RSS_KB // 1024} MiB)")
        if want == 1 and rc == 1:
            if "vggc: error:" not in err:
                problems.append(f"stderr lacks 'vggc: error:': {short(err) or '(empty)'}")
            if e["expect"] and not re.search(e["expect"], err, re.IGNORECASE | re.DOTALL):
                problems.append(f"stderr does not name the problem (want /{e['expect']}/): "
                                f"{short(err)}")
            if os.path.basename(path) not in err:
                problems.append(f"stderr does not name the file {os.path.basename(path)}")
            if e.get("node") and e["node"] not in err:
                problems.append(f"stderr does not name node '{e['node']}'")
        return problems

    def protected(self, e):
        files = []
        for p in e.get("protect", []):
            files.append(p if os.path.isabs(p) else os.path.join(self.corpus, p))
        return {p: sha256(p) for p in files}

    def run_checked(self, e, i, cmd_name, cmd, out_dir):
        """Runs cmd with every side-effect check; returns (problems, rc, out, err)."""
        cwd = os.path.join(self.work, f"cwd_{i}")
        shutil.rmtree(cwd, ignore_errors=True)
        os.makedirs(cwd)
        logs = os.path.join(self.work, "logs")
        os.makedirs(logs, exist_ok=True)
        skip = {out_dir, logs, cwd} if out_dir else {logs, cwd}
        before = (snapshot(self.corpus), snapshot(self.parent, recursive=False),
                  snapshot(self.work, skip=skip | {self.corpus}))
        hashes = self.protected(e)
        rc, out, err, rss = run_limited(cmd, cwd, os.path.join(logs, f"{i}_{cmd_name}"))
        problems = self.check_answer(e, cmd[2], rc, out, err, rss)
        after = (snapshot(self.corpus), snapshot(self.parent, recursive=False),
                 snapshot(self.work, skip=skip | {self.corpus}))
        problems += diff_snapshots(before[0], after[0], self.corpus)
        problems += diff_snapshots(before[1], after[1], self.parent)
        problems += diff_snapshots(before[2], after[2], self.work)
        left = os.listdir(cwd)
        if left:
            problems.append(f"created files in its working directory: {left}")
        for p, h in hashes.items():
            if sha256(p) != h:
                problems.append(f"changed {p}")
        if out_dir and rc != 0 and os.path.exists(out_dir) and os.listdir(out_dir):
            problems.append(f"left partial output in {out_dir}: {sorted(os.listdir(out_dir))}")
        return problems, rc, out, err

    def build_and_run(self, e, out_dir):
        """For accepted models: make warning-free, then run on zeros."""
        import numpy as np
        import onnx
        cflags = ("-O1 " + os.environ.get("VGGC_CFLAGS", "")).strip()
        p = subprocess.run(["make", "-C", out_dir, f"CFLAGS={cflags}",
                            "WARNINGS=-Wall -Wextra -Werror"], capture_output=True, text=True,
                           errors="replace", timeout=300)
        if p.returncode != 0:
            lines = [l for l in (p.stderr or p.stdout).splitlines() if "error" in l or "warning" in l]
            return [f"make failed: {short(chr(10).join(lines[:6]) or p.stderr or p.stdout, 800)}"]
        prog = [f for f in os.listdir(out_dir) if f.endswith(".c") and f != "main.c"]
        if not prog:
            return ["no NAME.c in the output"]
        exe = os.path.join(out_dir, prog[0][:-2])
        m = onnx.load(os.path.join(self.corpus, e["file"]), load_external_data=False)
        inits = {t.name for t in m.graph.initializer}
        cmd = [exe]
        for k, inp in enumerate(x for x in m.graph.input if x.name not in inits):
            dims = [d.dim_value if d.HasField("dim_value") else 1
                    for d in inp.type.tensor_type.shape.dim]
            x = os.path.join(out_dir, f"in{k}.npy")
            np.save(x, np.zeros(dims, np.float32))
            cmd += ["--input", x]
        for k in range(len(m.graph.output)):
            cmd += ["--output", os.path.join(out_dir, f"out{k}.npy")]
        p = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=60)
        if p.returncode != 0 or SANITIZER.search(p.stderr):
            return [f"generated program: {describe_rc(p.returncode)}: {short(p.stderr)}"]
        return []

    def run(self):
        with open(os.path.join(self.corpus, "manifest.json")) as f:
            entries = json.load(f)
        only = re.compile(self.args.only) if self.args.only else None
        os.makedirs(self.work, exist_ok=True)
        vggc = os.path.abspath(self.args.vggc)
        for i, e in enumerate(entries):
            if only and not only.search(e["name"]):
                continue
            path = os.path.join(self.corpus, e["file"])
            out_dir = os.path.join(self.work, f"out_{i}")
            shutil.rmtree(out_dir, ignore_errors=True)
            problems, rc, _, _ = self.run_checked(
                e, i, "compile", [vggc, "compile", path, "-o", out_dir], out_dir)
            if not problems and e.get("build"):
                try:
                    problems += self.build_and_run(e, out_dir)
                except subprocess.TimeoutExpired as exc:
                    problems.append(f"timed out: {exc.cmd[0]}")
            self.report(f"{e['name']} compile", problems)
            problems, _, out, _ = self.run_checked(e, i, "inspect", [vggc, "inspect", path], None)
            self.report(f"{e['name']} inspect", problems)
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("vggc")
    ap.add_argument("corpus")
    ap.add_argument("work")
    ap.add_argument("--only", help="only cases whose name matches this regex")
    args = ap.parse_args()
    if os.path.abspath(args.work).startswith(os.path.abspath(args.corpus) + os.sep):
        ap.error("WORK_DIR must not be inside CORPUS_DIR")
    return Checker(args).run()


if __name__ == "__main__":
    sys.exit(main())
