#!/usr/bin/python3
"""compare_npy.py — compare two tensors (.npy or ONNX TensorProto .pb) with stated tolerances.

    compare_npy.py ACTUAL EXPECTED [--rtol R] [--atol A] [--scale-atol S]

Passes when every element satisfies |actual - expected| <= atol + rtol * |expected|
(numpy.isclose's rule, as ONNX's backend runner uses), where atol is
max(A, S * max|expected|): a `--scale-atol` makes the absolute floor relative
to the tensor's scale, so an output near zero in a tensor of logits of size
~10 is not held to 1e-7.  Prints the worst element either way; exit 0 on
pass, 1 on mismatch, 2 on unusable input.
"""
import argparse
import sys

import numpy as np


def load(path):
    if path.endswith(".pb"):
        import onnx
        from onnx import numpy_helper
        t = onnx.TensorProto()
        with open(path, "rb") as f:
            t.ParseFromString(f.read())
        return numpy_helper.to_array(t)
    return np.load(path, allow_pickle=False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("actual")
    ap.add_argument("expected")
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--atol", type=float, default=0.0)
    ap.add_argument("--scale-atol", type=float, default=0.0)
    args = ap.parse_args()
    try:
        a, e = load(args.actual), load(args.expected)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is a usage problem
        print(f"compare: cannot read: {exc}")
        return 2
    if a.shape != e.shape:
        print(f"compare: FAIL shape {a.shape} != expected {e.shape}")
        return 1
    if a.dtype != e.dtype and not (a.dtype.kind == e.dtype.kind == "f"):
        print(f"compare: FAIL dtype {a.dtype} != expected {e.dtype}")
        return 1
    if a.size == 0:
        print("compare: ok (empty)")
        return 0
    a64, e64 = a.astype(np.float64), e.astype(np.float64)
    if not np.all(np.isfinite(a64) == np.isfinite(e64)) or np.any(np.isnan(a64) != np.isnan(e64)):
        print("compare: FAIL non-finite values differ")
        return 1
    fin = np.isfinite(e64)
    if np.any(a64[~fin] != e64[~fin]):
        print("compare: FAIL infinities differ")
        return 1
    scale = float(np.max(np.abs(e64[fin]))) if np.any(fin) else 0.0
    atol = max(args.atol, args.scale_atol * scale)
    diff = np.where(fin, np.abs(a64 - e64), 0.0)
    bound = atol + args.rtol * np.abs(np.where(fin, e64, 0.0))
    excess = diff - bound
    worst = int(np.argmax(excess))
    idx = np.unravel_index(worst, a.shape)
    ok = bool(np.all(excess <= 0))
    print(f"compare: {'ok' if ok else 'FAIL'} shape {a.shape}; worst at {tuple(int(i) for i in idx)}: "
          f"actual {a64.flat[worst]:.9g} expected {e64.flat[worst]:.9g} "
          f"(|diff| {diff.flat[worst]:.3g}, allowed {bound.flat[worst]:.3g}); "
          f"max |diff| {float(np.max(diff)):.3g} on scale {scale:.3g}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
