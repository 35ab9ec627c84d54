#!/usr/bin/python3
"""check_arena.py — the planned arena of VGG-16 + head is as small as it can be.

    check_arena.py VGGC MODEL.onnx

From `vggc inspect MODEL --after-passes`: the arena is a static part plus a
part per batch item (so it scales linearly with the batch).  Every layer
reads one activation and writes another, both live at once, so no plan can
use less per item than the largest such pair; the planner must reach that
bound (plus 64-byte alignment per tensor) and keep the static part (scratch)
small.  Blocked activations (NCHW16c, or NCHW8c for an AVX2 host) count
with channels padded to their block.  A first layer chained into the next
(kernel "direct ...>ring": its rows stay in the chain call's ring) has no
activation in the arena and counts 0, so the bound also checks that the
chain's output is not planned.
"""
import re
import subprocess
import sys


def main():
    vggc, model = sys.argv[1], sys.argv[2]
    p = subprocess.run([vggc, "inspect", model, "--after-passes"], capture_output=True, text=True)
    if p.returncode != 0:
        print(f"FAIL: vggc exited {p.returncode}: {p.stderr[-500:]}")
        return 1
    rows = []
    for line in p.stdout.splitlines():
        m = re.search(r"\(None((?:, \d+)*)\)\s+(\w+)->(\w+)\s", line)
        if m and "->" in line:
            dims = [int(d) for d in m.group(1).split(", ")[1:]] if m.group(1) else []
            c = dims[0] if dims else 1
            blocked = re.fullmatch(r"nchw(\d+)c", m.group(3))
            if blocked:
                b = int(blocked.group(1))
                c = (c + b - 1) // b * b
            size = 0 if re.search(r"direct NCHW\d+c>ring", line) else 4 * c
            for d in dims[1:]:
                size *= d
            rows.append(size)
    m = re.search(r"arena: (\d+) static \((\d+) scratch\) \+ (\d+) per batch item", p.stdout)
    if not rows or not m:
        print("FAIL: cannot read the layer table or the arena line")
        return 1
    static, per_item = int(m.group(1)), int(m.group(3))
    # The first layer reads the caller's input, not the arena.
    pairs = [rows[0]] + [rows[i] + rows[i + 1] for i in range(len(rows) - 1)]
    bound = max(pairs) + 64 * 2
    ok_item = per_item <= bound
    ok_static = static <= 1 << 20
    print(f"{'PASS' if ok_item else 'FAIL'} per batch item: {per_item} bytes; "
          f"largest pair live at once: {max(pairs)} bytes")
    print(f"{'PASS' if ok_static else 'FAIL'} static part (scratch): {static} bytes <= 1 MiB")
    failed = (not ok_item) + (not ok_static)
    print(f"{2 - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
