#!/usr/bin/python3
"""make_corpus.py — a corpus of broken ONNX models, each with the answer vggc owes it.

    make_corpus.py OUTDIR

Writes OUTDIR/manifest.json and the models it lists.  Each entry:

    name         short id, also the file's stem
    file         the model, relative to OUTDIR
    exit         the exit code `vggc compile` and `vggc inspect` must give (1: refused, 0: accepted)
    expect       a case-insensitive regex the stderr must match, naming the problem
                 (beside the `vggc: error:` prefix, which the runner always requires on exit 1)
    node         when the problem is one node's: its name, which the message must show
    build        for exit-0 cases: the generated C must also build warning-free and run
    protect      files (relative to OUTDIR, or absolute) that must be byte-identical afterwards
    why          one line on what the case is about

Every model is small (at most a few KB): the point is the answer, not the size.
Models that refer to external data live in their own folder (ext_*/model.onnx),
with the files they try to reach placed outside that folder, next to it, and
holding exactly the bytes the tensor needs, so a vggc that followed the
reference would compile successfully and fail the test.
"""
import json
import os
import random
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13


def vi(name, dims, dtype=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, dtype, dims)


def init(name, shape, seed=0):
    rng = np.random.default_rng(seed)
    return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name)


def model(nodes, inputs, outputs, inits=(), opset=OPSET, name="g", ir_version=8, domains=()):
    g = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    ops = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, 1) for d in domains]
    m = helper.make_model(g, opset_imports=ops, producer_name="vggc-bad-input")
    m.ir_version = ir_version
    return m


def good_model():
    """Conv(3->4, 3x3, pad 1) -> Relu -> MaxPool 2x2 -> Flatten -> Gemm(64->10)."""
    nodes = [
        helper.make_node("Conv", ["x", "w0", "b0"], ["c0"], name="conv0", kernel_shape=[3, 3],
                         pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c0"], ["r0"], name="relu0"),
        helper.make_node("MaxPool", ["r0"], ["p0"], name="pool0", kernel_shape=[2, 2],
                         strides=[2, 2]),
        helper.make_node("Flatten", ["p0"], ["f0"], name="flat0", axis=1),
        helper.make_node("Gemm", ["f0", "w1", "b1"], ["y"], name="fc0", transB=1),
    ]
    inits = [init("w0", (4, 3, 3, 3), 1), init("b0", (4,), 2), init("w1", (10, 64), 3),
             init("b1", (10,), 4)]
    return model(nodes, [vi("x", [1, 3, 8, 8])], [vi("y", [1, 10])], inits)


def relu_model(in_dims, name="relu0"):
    return model([helper.make_node("Relu", ["x"], ["y"], name=name)],
                 [vi("x", in_dims)], [vi("y", in_dims)])


def parses_as_model(data):
    m = onnx.ModelProto()
    try:
        m.ParseFromString(data)
    except Exception:  # noqa: BLE001 - any parse error is what we want
        return False
    return True


class Corpus:
    def __init__(self, outdir):
        self.outdir = outdir
        self.entries = []

    def add(self, name, data, expect, exit=1, node=None, build=False, protect=(), why="",
            folder=None):
        rel = os.path.join(folder, "model.onnx") if folder else f"{name}.onnx"
        path = os.path.join(self.outdir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if hasattr(data, "SerializeToString"):
            data = data.SerializeToString()
        with open(path, "wb") as f:
            f.write(data)
        e = {"name": name, "file": rel, "exit": exit, "expect": expect, "why": why}
        if node is not None:
            e["node"] = node
        if build:
            e["build"] = True
        if protect:
            e["protect"] = list(protect)
        self.entries.append(e)

    def write_manifest(self):
        with open(os.path.join(self.outdir, "manifest.json"), "w") as f:
            json.dump(self.entries, f, indent=1)
            f.write("\n")


def external_model(location, offset=None, length=None):
    """good_model() with w0 (4x3x3x3 float, 432 bytes) stored as external data."""
    m = good_model()
    w0 = next(t for t in m.graph.initializer if t.name == "w0")
    w0.ClearField("raw_data")
    w0.data_location = TensorProto.EXTERNAL
    kv = [("location", location)]
    if offset is not None:
        kv.append(("offset", str(offset)))
    if length is not None:
        kv.append(("length", str(length)))
    for k, v in kv:
        entry = w0.external_data.add()
        entry.key, entry.value = k, v
    return m


def build(outdir):
    if os.path.exists(outdir):
        shutil.rmtree(outdir)
    os.makedirs(outdir)
    c = Corpus(outdir)
    good = good_model()
    onnx.checker.check_model(good)
    good_bytes = good.SerializeToString()
    w0_bytes = numpy_helper.to_array(good.graph.initializer[0]).tobytes()

    # ---- not a model at all -------------------------------------------------
    c.add("empty", b"", r"empty", why="a zero-byte file")
    cuts = [1, 7, len(good_bytes) // 4, len(good_bytes) // 2, len(good_bytes) - 40,
            len(good_bytes) - 1]
    for cut in cuts:
        data = good_bytes[:cut]
        if parses_as_model(data):     # a cut on a field boundary is a different (valid) file
            continue
        c.add(f"truncated_{cut}", data, r"not a valid ONNX model|truncat",
              why=f"a valid model cut to its first {cut} of {len(good_bytes)} bytes")
    rng = random.Random(1234)
    for seed in range(1000):
        data = bytes(rng.getrandbits(8) for _ in range(4096))
        if not parses_as_model(data):
            break
    c.add("random_bytes", data, r"not a valid ONNX model", why="4096 random bytes")
    text = onnx.helper.printable_graph(good.graph).encode() + b"\n"
    c.add("text_file", text, r"not a valid ONNX model|no graph",
          why="the model printed as text, not protobuf")
    c.add("tensorproto", numpy_helper.from_array(np.ones((2, 3), np.float32), "t"),
          r"not a valid ONNX model|no graph", why="a valid TensorProto, not a ModelProto")

    # ---- initializers -------------------------------------------------------
    m = good_model()
    w1 = m.graph.initializer[2]
    del w1.dims[:]
    w1.dims.extend([-10, -64])
    c.add("negative_dims", m, r"-10|negative", why="initializer w1 with dims [-10, -64]")

    m = good_model()
    w1 = m.graph.initializer[2]
    del w1.dims[:]
    w1.dims.extend([2 ** 62, 2 ** 62])
    c.add("absurd_dims", m, r"too many elements|too large|overflow|dimension 0 is 4611686018427387904",
          why="initializer w1 with dims [2^62, 2^62]: the element count overflows 64 bits")

    m = good_model()
    w1 = m.graph.initializer[2]
    del w1.dims[:]
    w1.dims.extend([2 ** 40, 2 ** 40, 2 ** 40])
    c.add("overflow_dims", m, r"too many elements|too large|overflow",
          why="initializer w1 with dims [2^40, 2^40, 2^40]: each dim plausible, the product overflows")

    m = good_model()
    m.graph.initializer[0].raw_data = m.graph.initializer[0].raw_data[:100]
    c.add("raw_data_size", m, r"raw_data", why="w0 is 4x3x3x3 float (432 bytes) with 100 bytes of raw_data")

    m = good_model()
    w0 = m.graph.initializer[0]
    w0.ClearField("raw_data")
    w0.float_data.extend([0.5] * 10)
    c.add("float_data_count", m, r"float_data", why="w0 is 4x3x3x3 float with 10 float_data values")

    # ---- nodes and graph structure -----------------------------------------
    m = good_model()
    m.graph.node[1].op_type = "FooBar"
    c.add("unknown_op", m, r"FooBar", node="relu0", why="an operator ONNX does not have")

    m = good_model()
    m.graph.node[1].op_type = "FusedConv"
    m.graph.node[1].domain = "com.microsoft"
    m.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    c.add("custom_domain", m, r"com\.microsoft", node="relu0",
          why="an operator of the com.microsoft domain")

    m = good_model()
    m.graph.node[1].input[0] = "nowhere"
    c.add("undefined_input", m, r"'nowhere'", node="relu0",
          why="a node reads a value nothing defines")

    m = good_model()
    m.graph.output.append(vi("ghost", [1, 10]))
    c.add("output_not_produced", m, r"'ghost'", why="a graph output no node produces")

    c.add("opset_3", model(good.graph.node, good.graph.input, good.graph.output,
                           good.graph.initializer, opset=3), r"opset 3\b",
          why="default-domain opset 3 (vggc reads 7..21)")
    c.add("opset_99", model(good.graph.node, good.graph.input, good.graph.output,
                            good.graph.initializer, opset=99), r"opset 99\b",
          why="default-domain opset 99")

    c.add("rank_9", relu_model([1, 2, 1, 2, 1, 2, 1, 2, 1]), r"rank 9",
          why="a rank-9 input (the maximum is 8 or less)")

    m = good_model()
    w0 = m.graph.initializer[0]
    m.graph.initializer[0].CopyFrom(init("w0", (4, 3, 9), 1))
    c.add("conv_weight_rank", m, r"rank|dimensions", node="conv0",
          why="Conv on a 4-D input with a 3-D weight")

    m = good_model()
    m.graph.initializer[0].CopyFrom(init("w0", (4, 5, 3, 3), 1))
    c.add("conv_channels", m, r"channel", node="conv0",
          why="Conv weight for 5 input channels on a 3-channel input")

    m = model([helper.make_node("Reshape", ["x", "s"], ["y"], name="reshape0")],
              [vi("x", [2, 3, 4])], [vi("y", [6, 4])],
              [numpy_helper.from_array(np.array([-1, -1], np.int64), "s")])
    c.add("reshape_two_minus1", m, r"-1", node="reshape0", why="Reshape shape [-1, -1]")

    m = good_model()
    m.graph.initializer[2].CopyFrom(init("w1", (10, 60), 3))
    c.add("gemm_k_mismatch", m, r"64.*60|60.*64", node="fc0",
          why="Gemm of a [1,64] input with a [10,60] transposed weight")

    m = good_model()
    del m.graph.node[2].attribute[:]
    m.graph.node[2].attribute.extend([helper.make_attribute("kernel_shape", [2, 2]),
                                      helper.make_attribute("strides", [0, 0])])
    c.add("maxpool_zero_stride", m, r"stride", node="pool0", why="MaxPool strides [0, 0]")

    # 3-D windows: the same checks as 2-D, along the depth too.
    m = model([helper.make_node("Conv", ["x", "w"], ["y"], name="conv3d0",
                                pads=[0, 1, 1, 0, 1, 1])],
              [vi("x", [1, 2, 3, 8, 8])], [vi("y", [1, 4, 1, 8, 8])], [init("w", (4, 2, 5, 3, 3))])
    c.add("conv3d_kernel_too_big", m, r"kernelD 5 is larger than the padded input 3",
          node="conv3d0", why="3-D Conv whose depth kernel 5 exceeds the depth 3 (no depth pads)")
    m = model([helper.make_node("MaxPool", ["x"], ["y"], name="pool3d0", kernel_shape=[2, 2, 2],
                                strides=[0, 1, 1])],
              [vi("x", [1, 2, 4, 8, 8])], [vi("y", [1, 2, 3, 7, 7])])
    c.add("maxpool3d_zero_stride", m, r"strides\[0\] is 0", node="pool3d0",
          why="3-D MaxPool strides [0, 1, 1]")
    m = model([helper.make_node("AveragePool", ["x"], ["y"], name="pool3d0",
                                kernel_shape=[2, 2, 2])],
              [vi("x", [1, 2, 8, 8])], [vi("y", [1, 2, 7, 7])])
    c.add("avgpool3d_on_4d", m, r"expected rank 5", node="pool3d0",
          why="3-D AveragePool window on a rank-4 input")

    m = model([helper.make_node("Mod", ["x", "x"], ["y"], name="mod0", fmod=2)],
              [vi("x", [1, 4], TensorProto.INT64)], [vi("y", [1, 4], TensorProto.INT64)])
    c.add("mod_bad_fmod", m, r"fmod is 2; it must be 0 or 1", node="mod0",
          why="Mod with fmod=2")
    m = model([helper.make_node("Mod", ["x", "x"], ["y"], name="mod0")],
              [vi("x", [1, 4])], [vi("y", [1, 4])])
    c.add("mod_float_fmod0", m, r"fmod=0 is for integers", node="mod0",
          why="a float Mod without fmod=1 (ONNX requires it)")

    m = model([helper.make_node("Transpose", ["x"], ["y"], name="transpose0", perm=[0, 1, 1, 3])],
              [vi("x", [1, 2, 3, 4])], [vi("y", [1, 2, 2, 4])])
    c.add("transpose_bad_perm", m, r"perm", node="transpose0",
          why="Transpose perm [0, 1, 1, 3] is not a permutation")

    then_g = helper.make_graph([helper.make_node("Relu", ["x"], ["t"], name="then_relu")], "then",
                               [], [vi("t", [1, 4])])
    else_g = helper.make_graph([helper.make_node("Sigmoid", ["x"], ["e"], name="else_sig")], "else",
                               [], [vi("e", [1, 4])])
    m = model([helper.make_node("If", ["cond"], ["y"], name="if0", then_branch=then_g,
                                else_branch=else_g)],
              [vi("cond", [], TensorProto.BOOL), vi("x", [1, 4])], [vi("y", [1, 4])])
    c.add("if_subgraph", m, r"nested graph|subgraph|'If'", node="if0",
          why="an If node with then/else subgraphs")

    c.add("huge_input_dim", relu_model(["N", 3, 2 ** 40, 2 ** 40]),
          r"dimension|too large|too many elements|overflow|limit",
          why="input declared [N, 3, 2^40, 2^40]: refuse it without allocating")

    m = model([helper.make_node("Relu", ["x"], ["y"], name="relu_a"),
               helper.make_node("Sigmoid", ["x"], ["y"], name="sig_b")],
              [vi("x", [1, 4])], [vi("y", [1, 4])])
    c.add("duplicate_output", m, r"'y'.*(already|twice|duplicate|more than once)",
          node="sig_b", why="two nodes write the same output name 'y'")

    # ---- external data ------------------------------------------------------
    secret = os.path.join(outdir, "secret.bin")
    with open(secret, "wb") as f:        # exactly w0's bytes: following the link would "work"
        f.write(w0_bytes)
    c.add("ext_dotdot", external_model("../secret.bin"), r"\.\.|outside|leaves",
          protect=["secret.bin"], folder="ext_dotdot",
          why="external data location '../secret.bin' leaves the model's folder")
    c.add("ext_absolute", external_model("/etc/passwd", offset=0, length=len(w0_bytes)),
          r"absolute|outside", protect=["/etc/passwd"], folder="ext_absolute",
          why="external data location '/etc/passwd' (absolute)")
    c.add("ext_symlink", external_model("weights.bin"), r"outside|symlink|symbolic",
          protect=["secret.bin"], folder="ext_symlink",
          why="external data 'weights.bin' is a symlink to ../secret.bin")
    os.symlink("../secret.bin", os.path.join(outdir, "ext_symlink", "weights.bin"))
    c.add("ext_offset_eof", external_model("w.bin", offset=4096), r"past the end|EOF|offset",
          protect=["ext_offset_eof/w.bin"], folder="ext_offset_eof",
          why="external data offset 4096 in a 432-byte file")
    with open(os.path.join(outdir, "ext_offset_eof", "w.bin"), "wb") as f:
        f.write(w0_bytes)
    c.add("ext_length_eof", external_model("w.bin", offset=16, length=len(w0_bytes)),
          r"past the end|EOF|length", protect=["ext_length_eof/w.bin"], folder="ext_length_eof",
          why="external data offset 16 + length 432 in a 432-byte file")
    with open(os.path.join(outdir, "ext_length_eof", "w.bin"), "wb") as f:
        f.write(w0_bytes)

    # ---- must compile: hostile names must not break the generated C --------
    m = good_model()
    m.graph.node[0].name = "conv */ int evil; /* \n#error injected\n\\"
    m.graph.node[1].name = "relu ??/\nline2 \" ' \\n */"
    m.graph.node[3].name = "*/\r\n#include </dev/null>\n// \\"
    c.add("hostile_node_names", m, "", exit=0, build=True,
          why="node names with */, /*, newlines, quotes, a trigraph and a trailing backslash")
    m = good_model()
    renames = {"x": "in put */ \"x\" \\", "y": "out\n*/ ??/ y", "c0": "c0*/\n#define A 1\n"}
    for n in m.graph.node:
        n.input[:] = [renames.get(v, v) for v in n.input]
        n.output[:] = [renames.get(v, v) for v in n.output]
    m.graph.input[0].name = renames["x"]
    m.graph.output[0].name = renames["y"]
    c.add("hostile_value_names", m, "", exit=0, build=True,
          why="graph input, output and value names with */, quotes, newlines and backslashes")

    c.add("9-weird name.v2", good_model(), "", exit=0, build=True,
          why="a file stem that is not a C identifier: the default NAME must be made one")

    c.write_manifest()
    return c.entries


def main():
    if len(sys.argv) != 2:
        print("usage: make_corpus.py OUTDIR", file=sys.stderr)
        return 2
    entries = build(os.path.abspath(sys.argv[1]))
    print(f"make_corpus: {len(entries)} cases in {sys.argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
