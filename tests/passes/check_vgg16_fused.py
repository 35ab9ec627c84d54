#!/usr/bin/python3
"""check_vgg16_fused.py — VGG-16 + head after the default passes is 15 layers.

    check_vgg16_fused.py VGGC MODEL.onnx

Reads `vggc compile MODEL --dump-ir` (the graph after every pass) and checks
the structure the fusion passes promise for the network as either exporter
writes it: exactly 13 convolutions, each with ReLU fused and 5 of them with
the 2x2 max pool fused; 2 dense layers (Gemm), the first with ReLU fused and
the second with softmax; and no standalone Relu, MaxPool, Transpose,
Flatten, Reshape, Dropout or Identity.  Prints what it counted.
"""
import re
import subprocess
import sys


def main():
    vggc, model = sys.argv[1], sys.argv[2]
    p = subprocess.run([vggc, "compile", model, "--dump-ir"], capture_output=True, text=True)
    if p.returncode != 0:
        print(f"FAIL: vggc exited {p.returncode}: {p.stderr[-500:]}")
        return 1
    nodes = [l for l in p.stdout.splitlines() if re.match(r'^%.* = [A-Za-z]+\(', l)]
    ops = [re.search(r' = ([A-Za-z]+)\(', l).group(1) for l in nodes]
    convs = [l for l, o in zip(nodes, ops) if o == "Conv"]
    gemms = [l for l, o in zip(nodes, ops) if o == "Gemm"]
    checks = [
        ("13 convolutions", len(convs) == 13),
        ("every conv has ReLU fused", all(" act=relu" in l for l in convs)),
        ("5 convs have the 2x2 max pool fused",
         sum(" pool_k=2 pool_s=2" in l for l in convs) == 5),
        ("2 dense layers", len(gemms) == 2),
        ("the first dense layer has ReLU fused", len(gemms) == 2 and " act=relu" in gemms[0]),
        ("the last dense layer has softmax fused", len(gemms) == 2 and " softmax=1" in gemms[1]),
    ]
    for op in ("Relu", "MaxPool", "Transpose", "Flatten", "Reshape", "Dropout", "Identity"):
        checks.append((f"no standalone {op}", op not in ops))
    failed = 0
    for what, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'} {what}")
        failed += not ok
    print(f"layers: {', '.join(ops)}")
    print(f"{len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
