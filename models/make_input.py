#!/usr/bin/python3
"""make_input.py — write a seeded random input tensor for the models as .npy.

Usage: make_input.py --shape 1,3,160,160 [--seed S] OUT.npy
       make_input.py --model MODEL.onnx --batch B [--seed S] OUT.npy

The values are what a typical preprocessing makes of random 8-bit pixels:
x / 127.5 - 1 for x uniform in 0..255, so float32 in [-1, 1]. The layout is the
caller's business: give 1,160,160,3 for the NHWC (Keras) models, or name the
model and the batch: the shape is then the model's first input's, with the
symbolic leading dimension set to the batch.
"""

import argparse
import sys

import numpy as np


def parse_shape(text):
    try:
        dims = [int(d) for d in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad shape '{text}': want comma-separated integers")
    if not dims or any(d <= 0 for d in dims):
        raise argparse.ArgumentTypeError(f"bad shape '{text}': dimensions must be positive")
    return tuple(dims)


def model_input_shape(path, batch):
    """The first non-initializer input's shape, the leading symbolic dim as `batch`."""
    import onnx
    model = onnx.load(path, load_external_data=False)
    inits = {t.name for t in model.graph.initializer}
    inp = next(i for i in model.graph.input if i.name not in inits)
    dims = []
    for k, d in enumerate(inp.type.tensor_type.shape.dim):
        if d.HasField("dim_value") and d.dim_value > 0:
            dims.append(d.dim_value)
        elif k == 0:
            dims.append(batch)
        else:
            raise SystemExit(f"make_input: {path}: input dimension {k} is symbolic")
    return tuple(dims)


def main(argv):
    ap = argparse.ArgumentParser(description="Write a seeded float32 input in [-1, 1] as .npy.")
    ap.add_argument("--shape", type=parse_shape, help="e.g. 1,3,160,160")
    ap.add_argument("--model", help="take the shape from this model's first input")
    ap.add_argument("--batch", type=int, default=1, help="with --model: the batch size")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("out", metavar="OUT.npy")
    args = ap.parse_args(argv)
    if (args.shape is None) == (args.model is None):
        ap.error("give exactly one of --shape and --model")
    shape = args.shape or model_input_shape(args.model, args.batch)

    rng = np.random.default_rng(args.seed)
    pixels = rng.integers(0, 256, size=shape, dtype=np.uint8)
    x = (pixels.astype(np.float32) / np.float32(127.5) - np.float32(1.0)).astype("<f4")
    np.save(args.out, np.ascontiguousarray(x))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
