#!/usr/bin/python3
"""conformance_report.py — docs/conformance.md from one conformance test run.

    conformance_report.py --json-dir DIR [--out docs/conformance.md] [--commit REV]

Reads the JSON files tests/conformance/run_conformance.py writes, one per
backend, level and suite, named <backend>-<level>-<suite>.json (ctest's
conformance.<backend>.<level>.<suite> tests write them into
build/tests/conformance/), and writes a Markdown report:

  - when the run was made (the newest JSON file's time) and from which vggc
    commit (the source tree's HEAD now, marked when tracked files differ from
    it; --commit REV names the commit instead, for a run made elsewhere);
  - a summary: passed / failed / skipped per suite x backend x level, and
    how many of the passes needed graph inputs bound at compile time (the
    runner's --bind of a case's own value for an input vggc needs then);
  - the failures, if any, with their reasons;
  - per ONNX operator: the cases using it passed / failed / skipped per
    backend and level, with the skip reasons grouped; the operators no run
    could take (not in ir/ops.def at the time of the run) in a short table;
  - every skipped case with its reason.

A case counts under each operator it uses. Which operators were supported is
read from the JSON (the skip reasons name the missing ones), not from today's
ir/ops.def, so the report describes the run even if ops.def changed since.

Regenerate:
    ctest --test-dir build -R conformance -j2
    /usr/bin/python3 scripts/conformance_report.py --json-dir build/tests/conformance --out docs/conformance.md
"""
import argparse
import collections
import datetime
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME_RE = re.compile(r"^(c|jit)-(O[0-3])-([A-Za-z0-9_-]+)\.json$")
MISSING_RE = re.compile(r"^ops? (.+) not supported$")
SUITE_ORDER = ("node", "pytorch-converted", "pytorch-operator", "simple")
BACKEND_ORDER = ("c", "jit")
STATUSES = ("pass", "fail", "skip")


class Run:
    """One JSON file: one backend, one level, one suite."""

    def __init__(self, path, backend, level, suite, cases):
        self.path, self.backend, self.level, self.suite = path, backend, level, suite
        self.cases = cases
        self.mtime = os.path.getmtime(path)

    @property
    def config(self):
        return (self.backend, self.level)


def config_label(cfg):
    return f"{cfg[0]} -{cfg[1]}"


def suite_key(s):
    return (SUITE_ORDER.index(s) if s in SUITE_ORDER else len(SUITE_ORDER), s)


def load_runs(json_dir):
    runs, ignored = [], []
    for name in sorted(os.listdir(json_dir)):
        if not name.endswith(".json"):
            continue
        m = NAME_RE.match(name)
        if not m:
            ignored.append(name)
            continue
        path = os.path.join(json_dir, name)
        with open(path) as f:
            cases = json.load(f)
        if not isinstance(cases, list):
            raise SystemExit(f"conformance_report: {path}: expected a list of cases")
        backend, level, suite = m.groups()
        for c in cases:
            for k in ("suite", "case", "ops", "status", "reason"):
                if k not in c:
                    raise SystemExit(f"conformance_report: {path}: a case without '{k}'")
            if c["suite"] != suite:
                raise SystemExit(f"conformance_report: {path}: case {c['case']} is from suite "
                                 f"{c['suite']}, not {suite}")
            if c["status"] not in STATUSES:
                raise SystemExit(f"conformance_report: {path}: case {c['case']}: status {c['status']!r}")
        runs.append(Run(path, backend, level, suite, cases))
    for name in ignored:
        print(f"conformance_report: ignoring {name} (not <c|jit>-<O0..O3>-<suite>.json)", file=sys.stderr)
    if not runs:
        raise SystemExit(f"conformance_report: no <backend>-<level>-<suite>.json files in {json_dir}; "
                         "run `ctest --test-dir build -R conformance` first")
    return runs


def git(*args):
    try:
        p = subprocess.run(["git", "-C", ROOT, *args], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return p.stdout.strip() if p.returncode == 0 else None


def commit_line(override):
    if override:
        full = git("rev-parse", "--verify", "--quiet", override + "^{commit}")
        if full:
            subject = git("log", "-1", "--format=%s", full) or ""
            return f"`{full[:12]}` ({subject}); named with --commit: the run was made from a checkout of it"
        return f"`{override}`; named with --commit: the run was made from a checkout of it"
    full = git("rev-parse", "HEAD")
    if not full:
        return "unknown (not a git checkout)"
    subject = git("log", "-1", "--format=%s", "HEAD") or ""
    line = f"`{full[:12]}` ({subject})"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    if dirty:
        n = len(dirty.splitlines())
        line += (f"; the tree had {n} modified tracked file{'s' if n != 1 else ''} when this report "
                 "was written, so the run may not be exactly this commit")
    return line


def missing_ops(case):
    """The operators a case was skipped for (not in ops.def), or []."""
    if case["status"] != "skip" or case.get("kind") != "op":
        return []
    m = MISSING_RE.match(case["reason"])
    return [o.strip() for o in m.group(1).split(",")] if m else []


def md_escape(text):
    return text.replace("|", "\\|").replace("\n", " ")


def cell(counts):
    return f"{counts['pass']} / {counts['fail']} / {counts['skip']}"


def runs_note(cfgs_with, all_cfgs):
    """'' when a reason is common to every configuration, else which ones."""
    if set(cfgs_with) == set(all_cfgs):
        return ""
    return " (" + ", ".join(config_label(c) for c in sorted(cfgs_with, key=cfg_key)) + " only)"


def cfg_key(cfg):
    b, lv = cfg
    return (BACKEND_ORDER.index(b) if b in BACKEND_ORDER else len(BACKEND_ORDER), b, lv)


def build_report(runs, commit_override):
    cfgs = sorted({r.config for r in runs}, key=cfg_key)
    suites = sorted({r.suite for r in runs}, key=suite_key)
    by = {(r.config, r.suite): r for r in runs}
    newest = max(r.mtime for r in runs)
    oldest = min(r.mtime for r in runs)
    when = datetime.datetime.fromtimestamp(newest, datetime.timezone.utc)
    span_min = (newest - oldest) / 60

    out = []
    w = out.append
    w("# ONNX conformance")
    w("")
    w("> **Generated file.** `scripts/conformance_report.py` wrote it from the JSON results of one "
      "conformance test run; do not edit it by hand. To regenerate it:")
    w(">")
    w("> ```sh")
    w("> ctest --test-dir build -R conformance -j2")
    w("> /usr/bin/python3 scripts/conformance_report.py --json-dir build/tests/conformance --out docs/conformance.md")
    w("> ```")
    w("")
    w(f"- Run: {when:%Y-%m-%d %H:%M} UTC (the newest result file; the files span {span_min:.0f} min)")
    w(f"- vggc commit: {commit_line(commit_override)}")
    w("- Harness: `tests/conformance/run_conformance.py` on ONNX's backend test data (libonnx-testdata), "
      "every case through `vggc compile` + make (backend `c`) or `vggc run` (backend `jit`, the LLVM JIT) "
      "at the optimization level shown, outputs compared with the stored ones at ONNX's own tolerances "
      "(rtol 1e-3, atol 1e-7).")
    w("- A case is **skipped** when one of its operators is not in `ir/ops.def` (at the time of the run), "
      "or when vggc refuses it on purpose and `tests/conformance/expected_skips.txt` lists it; any other "
      "refusal, wrong number, crash or build failure is a **failure**.")
    w("- vggc plans shapes at compile time: where it refuses a graph input it needs then (Reshape's shape, "
      "Squeeze's axes, Pad's pads, Dropout's training_mode, ...), the harness binds exactly that input to "
      "the case's own value (`--bind NAME=FILE.npy`) and compiles again. Such a case passes only if its "
      "numbers match, and is counted apart below (\"passed with 'shape' bound at compile time\").")
    w("")

    # ---- summary ----
    w("## Summary")
    w("")
    w("Cases passed / failed / skipped.")
    w("")
    w("| suite | cases | " + " | ".join(config_label(c) for c in cfgs) + " |")
    w("|---|---:|" + "---:|" * len(cfgs))
    totals = {c: collections.Counter() for c in cfgs}
    for s in suites:
        n = max(len(by[(c, s)].cases) for c in cfgs if (c, s) in by)
        row = [s, str(n)]
        for c in cfgs:
            r = by.get((c, s))
            if r is None:
                row.append("not run")
                continue
            cnt = collections.Counter(x["status"] for x in r.cases)
            totals[c].update(cnt)
            row.append(cell(cnt))
        w("| " + " | ".join(row) + " |")
    total_n = sum(max(len(by[(c, s)].cases) for c in cfgs if (c, s) in by) for s in suites)
    w("| **all** | " + str(total_n) + " | " + " | ".join(f"**{cell(totals[c])}**" for c in cfgs) + " |")
    w("")
    bound_passes = collections.OrderedDict()   # case key -> {tuple of bound inputs: cfgs}
    n_bound = {c: 0 for c in cfgs}
    for r in sorted(runs, key=lambda r: (suite_key(r.suite), cfg_key(r.config))):
        for x in r.cases:
            if x["status"] == "pass" and x.get("bound"):
                n_bound[r.config] += 1
                key = f"{r.suite}/{x['case']}"
                bound_passes.setdefault(key, collections.defaultdict(set))[tuple(x["bound"])].add(r.config)
    if bound_passes:
        counts = sorted(set(n_bound.values()))
        if len(counts) == 1:
            w(f"Of the passes, {counts[0]} in every run passed with graph inputs bound at compile time "
              "(listed below).")
        else:
            w("Of the passes, with graph inputs bound at compile time: "
              + "; ".join(f"{config_label(c)}: {n_bound[c]}" for c in cfgs) + " (listed below).")
        w("")
    # Backend c, several levels in one test: a level whose program was an
    # earlier level's, byte for byte, took that run's result.
    n_same = {c: collections.Counter() for c in cfgs}
    for r in runs:
        for x in r.cases:
            if x.get("same_as"):
                n_same[r.config][x["same_as"]] += 1
    same_text = [f"{config_label(c)}: {n} of its cases compiled to the program of {lvl} byte for "
                 f"byte (sources, weights and Makefile), which was built and run once for both"
                 for c in cfgs for lvl, n in sorted(n_same[c].items())]
    if same_text:
        w("Shared programs: " + "; ".join(same_text) + ".")
        w("")
    skip_kinds = {c: collections.Counter() for c in cfgs}
    for r in runs:
        for x in r.cases:
            if x["status"] == "skip":
                kind = x.get("kind")
                skip_kinds[r.config][kind if kind in ("op", "refused") else "other"] += 1
    def kinds_text(k):
        return (f"{k['op']} for an operator not in ops.def, {k['refused']} refused on purpose"
                + (f", {k['other']} other (see Other skips)" if k["other"] else ""))
    groups = collections.OrderedDict()   # the same counts in several runs: said once
    for c in cfgs:
        groups.setdefault(kinds_text(skip_kinds[c]), []).append(c)
    if len(groups) == 1:
        w(f"Skipped, in every run: {next(iter(groups))}.")
    else:
        w("Skipped: " + "; ".join(f"{', '.join(config_label(c) for c in cs)}: {t}"
                                  for t, cs in groups.items()) + ".")
    w("")

    if bound_passes:
        w("## Passed with inputs bound at compile time")
        w("")
        w("| case | bound inputs |")
        w("|---|---|")
        for key in sorted(bound_passes, key=lambda k: (suite_key(k.split('/')[0]), k)):
            parts = [", ".join(f"'{n}'" for n in names) + runs_note(cs, cfgs)
                     for names, cs in sorted(bound_passes[key].items())]
            w(f"| {key} | " + "; ".join(md_escape(p) for p in parts) + " |")
        w("")

    # ---- failures ----
    w("## Failures")
    w("")
    # one row per failing case: the configurations it fails in, and the first
    # one's reason (the same failure reads a little differently per backend)
    failing = collections.OrderedDict()
    for r in sorted(runs, key=lambda r: (suite_key(r.suite), cfg_key(r.config))):
        for x in r.cases:
            if x["status"] == "fail":
                key = f"{r.suite}/{x['case']}"
                failing.setdefault(key, []).append((r.config, x["reason"]))
    if not failing:
        w("None.")
    else:
        w(f"{len(failing)} case{'s' if len(failing) != 1 else ''}.")
        w("")
        w("| case | fails in | reason (first listed run) |")
        w("|---|---|---|")
        for key in sorted(failing, key=lambda k: (suite_key(k.split('/')[0]), k)):
            rows = sorted(failing[key], key=lambda cr: cfg_key(cr[0]))
            which = "all runs" if len(rows) == len(cfgs) else ", ".join(config_label(c) for c, _ in rows)
            w(f"| {key} | {which} | {md_escape(rows[0][1])} |")
    w("")

    # ---- per operator ----
    # op -> cfg -> Counter(status); skip reasons per op, grouped: the op itself
    # not in ops.def; other ops of the case not in ops.def (with how often
    # each); each refusal reason.  Values: {case keys} and the configs seen.
    per_op = collections.defaultdict(lambda: {c: collections.Counter() for c in cfgs})
    reasons = collections.defaultdict(lambda: collections.defaultdict(set))
    reason_cfgs = collections.defaultdict(lambda: collections.defaultdict(set))
    others_missing = collections.defaultdict(lambda: collections.defaultdict(set))
    unsupported = set()
    cases_of = collections.defaultdict(set)
    for r in runs:
        for x in r.cases:
            unsupported.update(missing_ops(x))
            key = f"{r.suite}/{x['case']}"
            for op in x["ops"]:
                per_op[op][r.config][x["status"]] += 1
                cases_of[op].add(key)
                if x["status"] != "skip":
                    continue
                miss = missing_ops(x)
                if op in miss:
                    text = "not in ops.def"
                elif miss:
                    text = "other ops not in ops.def"
                    for o in miss:
                        others_missing[op][o].add(key)
                elif x.get("kind") == "refused":
                    text = "refused: " + x["reason"]
                else:
                    text = x["reason"]
                reasons[op][text].add(key)
                reason_cfgs[op][text].add(r.config)

    supported = sorted((op for op in per_op if op not in unsupported), key=str.lower)
    w("## Per operator")
    w("")
    w("Cases using the operator: passed / failed / skipped, per backend and level (a case with several "
      "operators counts under each). Skip reasons give the number of distinct cases.")
    w("")
    w("### Operators vggc supports")
    w("")
    w("| operator | cases | " + " | ".join(config_label(c) for c in cfgs) + " | skip reasons |")
    w("|---|---:|" + "---:|" * len(cfgs) + "---|")
    for op in supported:
        rs = []
        for text, keys in sorted(reasons[op].items(), key=lambda kv: (-len(kv[1]), kv[0])):
            detail = ""
            if text == "other ops not in ops.def":
                top = sorted(others_missing[op].items(), key=lambda kv: (-len(kv[1]), kv[0].lower()))
                names = [f"{o} {len(k)}" for o, k in top[:6]]
                if len(top) > 6:
                    names.append(f"{len(top) - 6} more")
                detail = ": " + ", ".join(names)
            rs.append(f"{md_escape(text)} ({len(keys)}{detail}){runs_note(reason_cfgs[op][text], cfgs)}")
        cells = []
        for c in cfgs:
            cnt = per_op[op][c]
            s = cell(cnt)
            cells.append(f"**{s}**" if cnt["fail"] else s)
        w(f"| {op} | {len(cases_of[op])} | " + " | ".join(cells) + " | " + "; ".join(rs) + " |")
    w("")
    w("### Operators not in ops.def")
    w("")
    w("Every case using one of these is skipped in every run.")
    w("")
    w("| operator | cases |")
    w("|---|---:|")
    for op in sorted(unsupported, key=str.lower):
        w(f"| {op} | {len(cases_of[op])} |")
    w("")

    # ---- skipped cases ----
    w("## Skipped cases")
    w("")
    skipped = collections.OrderedDict()   # key -> {reason: cfgs}
    kinds = {}
    for r in sorted(runs, key=lambda r: (suite_key(r.suite), cfg_key(r.config))):
        for x in r.cases:
            if x["status"] != "skip":
                continue
            key = f"{r.suite}/{x['case']}"
            reason = ", ".join(missing_ops(x)) or x["reason"]   # "op Abs not supported" -> "Abs"
            skipped.setdefault(key, collections.defaultdict(set))[reason].add(r.config)
            kinds[key] = x.get("kind") or "other"
    refused = [k for k in skipped if kinds[k] == "refused"]
    by_op = [k for k in skipped if kinds[k] == "op"]
    other = [k for k in skipped if kinds[k] not in ("refused", "op")]

    def table(keys, head):
        w(f"| case | {head} |")
        w("|---|---|")
        for k in sorted(keys, key=lambda k: (suite_key(k.split('/')[0]), k)):
            parts = [md_escape(reason) + runs_note(cs, cfgs) for reason, cs in sorted(skipped[k].items())]
            w(f"| {k} | " + "; ".join(parts) + " |")
        w("")

    w(f"### Refused on purpose ({len(refused)} cases, listed in tests/conformance/expected_skips.txt)")
    w("")
    table(refused, "reason")
    if other:
        w(f"### Other skips ({len(other)} cases)")
        w("")
        table(other, "reason")
    w(f"### An operator not in ops.def ({len(by_op)} cases)")
    w("")
    table(by_op, "operators not in ops.def")
    return "\n".join(out).rstrip() + "\n"


def main(argv):
    ap = argparse.ArgumentParser(description="Write docs/conformance.md from run_conformance.py's JSON files.")
    ap.add_argument("--json-dir", required=True, help="where <backend>-<level>-<suite>.json are "
                    "(build/tests/conformance)")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "conformance.md"),
                    help="the Markdown file to write (default docs/conformance.md; - for stdout)")
    ap.add_argument("--commit", help="the vggc commit the run was made from (default: this tree's HEAD)")
    args = ap.parse_args(argv)
    if not os.path.isdir(args.json_dir):
        ap.error(f"no directory {args.json_dir}")
    text = build_report(load_runs(args.json_dir), args.commit)
    if args.out == "-":
        sys.stdout.write(text)
    else:
        tmp = args.out + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, args.out)
        print(f"conformance_report: wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
