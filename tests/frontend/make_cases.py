#!/usr/bin/python3
"""make_cases.py OUTDIR — writes the small ONNX models test_frontend.c reads.

Each case is a model of a few nodes that exercises one thing the frontend
must get right: a tensor encoding, an opset's attribute defaults, an input
folded into an attribute, an external data path that must be accepted or
refused, a malformed graph that must be reported.  test_frontend.c holds the
expected attributes, values and messages; the case names tie the two.

Models are made with onnx.helper (python3-onnx 1.12 knows opsets up to 17;
later opsets are written by number, which is all the frontend reads) and
serialized directly, so nothing here validates or rewrites them: several are
broken on purpose.  External-data cases get a folder each (OUTDIR/ext_*/).
"""
import os
import struct
import sys

import onnx
from onnx import TensorProto, helper

F, I64, I32, BOOL, DOUBLE = (TensorProto.FLOAT, TensorProto.INT64, TensorProto.INT32,
                            TensorProto.BOOL, TensorProto.DOUBLE)
U8, I8, F16, BF16, U16 = (TensorProto.UINT8, TensorProto.INT8, TensorProto.FLOAT16,
                          TensorProto.BFLOAT16, TensorProto.UINT16)


def vi(name, dtype=F, shape=None):
    return helper.make_tensor_value_info(name, dtype, shape)


def model(nodes, inputs, outputs, inits=(), opset=13, name="case", domain_opsets=()):
    g = helper.make_graph(nodes, name, inputs, outputs, initializer=list(inits))
    ops = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, v) for d, v in domain_opsets]
    m = helper.make_model(g, opset_imports=ops, producer_name="vggc-tests")
    m.ir_version = 8
    return m


def save(m, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


def ints(name, values, dtype=I64):
    return helper.make_tensor(name, dtype, [len(values)], values)


def floats(name, values):
    return helper.make_tensor(name, F, [len(values)], values)


def scalar(name, value, dtype=F):
    return helper.make_tensor(name, dtype, [], [value])


def external(name, dims, location, offset=None, length=None, dtype=F):
    t = TensorProto()
    t.name = name
    t.data_type = dtype
    t.dims.extend(dims)
    t.data_location = TensorProto.EXTERNAL
    for k, v in (("location", location), ("offset", offset), ("length", length)):
        if v is not None:
            e = t.external_data.add()
            e.key, e.value = k, str(v)
    return t


X4 = [vi("x", F, ["N", 3, 8, 8])]
X1 = [vi("x", F, [1, 3, 8, 8])]         # a fixed batch of 1, for squeezing dim 0


def cases(out):
    c = {}

    # -- tensor encodings ------------------------------------------------------
    raw_f = helper.make_tensor("f_raw", F, [2, 3], struct.pack("<6f", *range(6)), raw=True)
    typed_f = helper.make_tensor("f_typed", F, [2, 3], [float(v) for v in range(6)])
    raw_i64 = helper.make_tensor("i64_raw", I64, [3], struct.pack("<3q", -1, 0, 1 << 40), raw=True)
    typed_i64 = helper.make_tensor("i64_typed", I64, [3], [-1, 0, 1 << 40])
    typed_i32 = helper.make_tensor("i32_typed", I32, [2], [-7, 7])
    raw_i32 = helper.make_tensor("i32_raw", I32, [2], struct.pack("<2i", -7, 7), raw=True)
    typed_b = helper.make_tensor("b_typed", BOOL, [3], [0, 1, 2])
    raw_b = TensorProto(name="b_raw", data_type=BOOL, dims=[3], raw_data=b"\x00\x01\x05")
    scal = scalar("f_scalar", 2.5)
    empty = helper.make_tensor("f_empty", F, [0, 4], [])
    c["encodings"] = model(
        [helper.make_node("Add", ["f_raw", "f_typed"], ["y"], name="add")],
        [], [vi("y")], [raw_f, typed_f, raw_i64, typed_i64, typed_i32, raw_i32, typed_b, raw_b,
                        scal, empty])

    # Older exporters list initializers among the graph inputs.
    w = helper.make_tensor("w", F, [4, 3, 3, 3], [0.5] * 108)
    c["input_is_initializer"] = model(
        [helper.make_node("Conv", ["x", "w"], ["y"], name="conv", kernel_shape=[3, 3])],
        [X4[0], vi("w", F, [4, 3, 3, 3])], [vi("y")], [w], opset=9)

    # -- Constant nodes ----------------------------------------------------------
    c["constants"] = model(
        [helper.make_node("Constant", [], ["c_tensor"],
                          value=helper.make_tensor("t", F, [2, 2], [1, 2, 3, 4])),
         helper.make_node("Constant", [], ["c_float"], value_float=1.5),
         helper.make_node("Constant", [], ["c_floats"], value_floats=[1.0, 2.0, 3.0]),
         helper.make_node("Constant", [], ["c_int"], value_int=-3),
         helper.make_node("Constant", [], ["c_ints"], value_ints=[4, 5]),
         helper.make_node("Constant", [], ["c_raw"],
                          value=helper.make_tensor("r", I64, [2], struct.pack("<2q", 9, 10),
                                                   raw=True)),
         helper.make_node("Constant", [], ["c_unused_u16"],
                          value=helper.make_tensor("d", U16, [1], [1])),
         helper.make_node("Add", ["c_tensor", "c_float"], ["y"], name="add")],
        [], [vi("y"), vi("c_floats"), vi("c_int"), vi("c_ints"), vi("c_raw")])
    c["constant_string"] = model(
        [helper.make_node("Constant", [], ["s"], value_string="hi", name="cs")],
        [], [vi("s")])

    # -- Softmax defaults by opset -------------------------------------------------
    for opset in (11, 13):
        c[f"softmax_opset{opset}"] = model(
            [helper.make_node("Softmax", ["x"], ["s"], name="sm"),
             helper.make_node("LogSoftmax", ["x"], ["l"], name="lsm"),
             helper.make_node("Softmax", ["x"], ["s2"], name="sm_axis", axis=2)],
            X4, [vi("s"), vi("l"), vi("s2")], opset=opset)

    # -- Clip: attributes (Clip-6, read in opsets 7..10) and inputs (11+) ---------
    c["clip_opset10"] = model(
        [helper.make_node("Clip", ["x"], ["a"], name="relu6", min=0.0, max=6.0),
         helper.make_node("Clip", ["x"], ["b"], name="noop")],
        X4, [vi("a"), vi("b")], opset=10)
    c["clip_opset13"] = model(
        [helper.make_node("Clip", ["x", "lo", "hi"], ["a"], name="both"),
         helper.make_node("Clip", ["x", "", "hi"], ["b"], name="max_only"),
         helper.make_node("Clip", ["x"], ["d"], name="none"),
         helper.make_node("Clip", ["x", "lo_i"], ["e"], name="min_int")],
        X4, [vi("a"), vi("b"), vi("d"), vi("e")],
        [scalar("lo", -1.0), scalar("hi", 6.0), scalar("lo_i", 2, I64)])
    c["clip_runtime"] = model(
        [helper.make_node("Clip", ["x", "m"], ["a"], name="min_rt"),
         helper.make_node("Clip", ["x", "lo", "m"], ["b"], name="max_rt"),
         helper.make_node("Clip", ["x", "m", "hi"], ["d"], name="min_rt_max_const")],
        X4 + [vi("m", F, [])], [vi("a"), vi("b"), vi("d")], [scalar("lo", -1.0), scalar("hi", 6.0)])

    # -- Pad: attributes (2..10) and inputs (11+, axes 18) ------------------------
    c["pad_opset10"] = model(
        [helper.make_node("Pad", ["x"], ["y"], name="pad", pads=[0, 0, 1, 2, 0, 0, 3, 4],
                          value=1.5)],
        X4, [vi("y")], opset=10)
    c["pad_opset13"] = model(
        [helper.make_node("Pad", ["x", "pads", "cv"], ["y"], name="pad"),
         helper.make_node("Pad", ["x", "pads"], ["z"], name="pad0")],
        X4, [vi("y"), vi("z")], [ints("pads", [0, 0, 1, 1, 0, 0, 2, -1]), scalar("cv", 0.25)])
    c["pad_opset18_axes"] = model(
        [helper.make_node("Pad", ["x", "pads", "", "axes"], ["y"], name="pad")],
        X4, [vi("y")], [ints("pads", [1, 2, 3, 4]), ints("axes", [-1, 2])], opset=18)
    c["pad_modes"] = model(
        [helper.make_node("Pad", ["x", "pads"], ["y"], name="reflect", mode="reflect"),
         helper.make_node("Pad", ["x", "pads"], ["z"], name="edge", mode="edge"),
         helper.make_node("Pad", ["x", "pads"], ["w"], name="wrap", mode="wrap")],
        X4, [vi("y"), vi("z"), vi("w")], [ints("pads", [0, 0, 1, 1, 0, 0, 1, 1])], opset=19)
    c["pad_wrap_opset13"] = model(
        [helper.make_node("Pad", ["x", "pads"], ["y"], name="pad", mode="wrap")],
        X4, [vi("y")], [ints("pads", [0, 0, 1, 1, 0, 0, 1, 1])])

    # -- ReduceMean: axes attribute (13) and input (18) ---------------------------
    c["reduce_mean_opset13"] = model(
        [helper.make_node("ReduceMean", ["x"], ["y"], name="rm", axes=[2, 3], keepdims=0),
         helper.make_node("ReduceMean", ["x"], ["z"], name="rm_all")],
        X4, [vi("y"), vi("z")])
    c["reduce_mean_opset18"] = model(
        [helper.make_node("ReduceMean", ["x", "axes"], ["y"], name="rm"),
         helper.make_node("ReduceMean", ["x"], ["z"], name="rm_noop", noop_with_empty_axes=1)],
        X4, [vi("y"), vi("z")], [ints("axes", [-1, 2])], opset=18)

    # -- Squeeze/Unsqueeze: attribute (11) and input (13) --------------------------
    c["squeeze_opset11"] = model(
        [helper.make_node("Squeeze", ["x"], ["s"], name="sq", axes=[0]),
         helper.make_node("Unsqueeze", ["s"], ["u"], name="unsq", axes=[0, 4])],
        X1, [vi("u")], opset=11)
    c["squeeze_opset13"] = model(
        [helper.make_node("Squeeze", ["x", "ax0"], ["s"], name="sq"),
         helper.make_node("Unsqueeze", ["s", "ax"], ["u"], name="unsq"),
         helper.make_node("Squeeze", ["u"], ["v"], name="sq_all")],
        X1, [vi("v")], [ints("ax0", [0]), ints("ax", [0, -1], I32)])
    c["squeeze_nonconst"] = model(
        [helper.make_node("Unsqueeze", ["x", "ax"], ["u"], name="unsq")],
        X4 + [vi("ax", I64, [1])], [vi("u")])

    # -- PRelu before opset 7: a [C] slope is per channel ----------------------------
    c["prelu_opset6"] = model(
        [helper.make_node("PRelu", ["x", "s"], ["y"], name="prelu"),
         helper.make_node("PRelu", ["x", "one"], ["z"], name="shared")],
        X4, [vi("y"), vi("z")], [floats("s", [0.1, 0.2, 0.3]), floats("one", [0.5])], opset=6)
    c["prelu_opset6_2d_slope"] = model(
        [helper.make_node("PRelu", ["x", "s"], ["y"], name="prelu")],
        X4, [vi("y")], [helper.make_tensor("s", F, [3, 1], [0.1, 0.2, 0.3])], opset=6)

    # -- Dropout forms ---------------------------------------------------------------
    c["dropout_opset10"] = model(
        [helper.make_node("Dropout", ["x"], ["y", "mask"], name="drop", ratio=0.3)],
        X4, [vi("y")], opset=10)
    c["dropout_opset13"] = model(
        [helper.make_node("Dropout", ["x", "r", "t"], ["y"], name="drop")],
        X4, [vi("y")], [scalar("r", 0.5), scalar("t", False, BOOL)])
    c["dropout_training"] = model(
        [helper.make_node("Dropout", ["x", "r", "t"], ["y"], name="drop")],
        X4, [vi("y")], [scalar("r", 0.5), scalar("t", True, BOOL)])
    # Seeded training mode: the mask is drawn at import (numpy's generator).
    seeded = [helper.make_node("Dropout", ["x", "r", "t"], ["y", "mask"], name="drop", seed=5)]
    c["dropout_seeded"] = model(seeded, [vi("x", F, [2, 3])], [vi("y"), vi("mask", BOOL)],
                                [scalar("r", 0.75), scalar("t", True, BOOL)])
    c["dropout_seeded_batched"] = model(seeded, [vi("x", F, ["N", 3])], [vi("y")],
                                        [scalar("r", 0.75), scalar("t", True, BOOL)])
    c["dropout_seeded_computed"] = model(
        [helper.make_node("Relu", ["a"], ["x"])] + seeded, [vi("a", F, [2, 3])], [vi("y")],
        [scalar("r", 0.75), scalar("t", True, BOOL)])
    c["dropout_mask_used"] = model(
        [helper.make_node("Dropout", ["x"], ["y", "mask"], name="drop"),
         helper.make_node("Identity", ["mask"], ["m2"], name="id")],
        X4, [vi("y"), vi("m2")])

    # -- windows and the other attribute-bearing ops --------------------------------
    w1 = helper.make_tensor("w1", F, [4, 3, 3], [0.0] * 36)
    c["windows"] = model(
        [helper.make_node("Conv", ["x", "w"], ["c"], name="conv", kernel_shape=[3, 3],
                          strides=[2, 1], pads=[1, 2, 3, 4], dilations=[1, 2], group=1),
         helper.make_node("Conv", ["x", "w"], ["c_same"], name="conv_same", auto_pad="SAME_UPPER"),
         helper.make_node("Identity", ["w"], ["w_shared"]),
         helper.make_node("Conv", ["x", "w_shared"], ["c_shared"], name="conv_shared"),
         helper.make_node("MaxPool", ["x"], ["m"], name="maxpool", kernel_shape=[2, 2],
                          strides=[2, 2], ceil_mode=1),
         helper.make_node("MaxPool", ["x"], ["m_arg", "idx"], name="argmax", kernel_shape=[2, 2],
                          storage_order=1),
         helper.make_node("MaxPool", ["x"], ["m_un", "idx_un"], name="argmax_unused",
                          kernel_shape=[2, 2]),
         helper.make_node("AveragePool", ["x"], ["a"], name="avgpool", kernel_shape=[3, 3],
                          pads=[1, 1, 1, 1], count_include_pad=1),
         helper.make_node("Reshape", ["x", "shape3"], ["x3"], name="to3d"),
         helper.make_node("Conv", ["x3", "w1"], ["c1"], name="conv1d", kernel_shape=[3],
                          strides=[2], pads=[1, 0], dilations=[3])],
        X4, [vi("c"), vi("c_same"), vi("c_shared"), vi("m"), vi("a"), vi("c1"), vi("m_arg"),
             vi("idx", I64), vi("m_un")],
        [w, w1, ints("shape3", [0, 3, 64])])
    c["window_errors"] = model(
        [helper.make_node("AveragePool", ["x"], ["a"], name="pool4d", kernel_shape=[2, 2, 2, 2]),
         helper.make_node("Conv", ["x", "w"], ["c"], name="badpads", kernel_shape=[3, 3],
                          pads=[1, 1, 1])],
        X4, [vi("a"), vi("c")], [w])
    wt = helper.make_tensor("wt", F, [3, 2, 3, 3], [0.25] * 54)
    c["conv_transpose"] = model(
        [helper.make_node("ConvTranspose", ["x", "wt"], ["t"], name="outpad", strides=[3, 2],
                          output_padding=[1, 1], pads=[1, 0, 1, 2]),
         # output_shape with N and C in front, as some exporters write it
         helper.make_node("ConvTranspose", ["x", "wt"], ["t_shape"], name="shape4",
                          strides=[2, 2], output_shape=[1, 2, 17, 16]),
         helper.make_node("ConvTranspose", ["x", "wt"], ["t_same"], name="same",
                          strides=[2, 2], auto_pad="SAME_LOWER")],
        X4, [vi("t"), vi("t_shape"), vi("t_same")], [wt])
    c["conv_transpose_errors"] = model(
        [helper.make_node("ConvTranspose", ["x", "wt"], ["t2"], name="shape3",
                          output_shape=[1, 16, 16])],
        X4, [vi("t2")], [wt])
    c["conv_transpose_pad"] = model(
        [helper.make_node("ConvTranspose", ["x", "wt"], ["t"], name="bigpad", strides=[2, 2],
                          output_padding=[2, 0])],
        X4, [vi("t")], [wt])
    ln_s = helper.make_tensor("ln_s", F, [8, 8], [1.0] * 64)
    c["layer_norm"] = model(
        [helper.make_node("LayerNormalization", ["x", "ln_s"], ["y", "m", "inv"], name="ln",
                          axis=-2, epsilon=1e-3)],
        X4, [vi("y"), vi("m")], [ln_s], opset=17)
    c["layer_norm_stash"] = model(
        [helper.make_node("LayerNormalization", ["x", "ln_s"], ["y2"], name="ln_stash",
                          stash_type=0)],
        X4, [vi("y2")], [ln_s], opset=17)
    rs_up = floats("rs_up", [1, 1, 2, 2])
    rs_empty = floats("rs_empty", [])
    c["resize"] = model(
        [helper.make_node("Resize", ["x", "", "rs_up"], ["r"], name="lin", mode="linear",
                          coordinate_transformation_mode="pytorch_half_pixel")],
        X4, [vi("r")], [rs_up])
    c["resize_sizes_11"] = model(
        [helper.make_node("Resize", ["x", "rs_empty", "rs_empty", "rs_sz"], ["r"], name="near",
                          coordinate_transformation_mode="asymmetric", nearest_mode="floor")],
        X1, [vi("r")], [rs_empty, ints("rs_sz", [1, 3, 4, 6])], opset=11)
    c["resize_axes_18"] = model(
        [helper.make_node("Resize", ["x", "", "", "rs_sz"], ["r"], name="cub", mode="cubic",
                          axes=[3, 2], cubic_coeff_a=-0.5, exclude_outside=1)],
        X4, [vi("r")], [ints("rs_sz", [16, 12])], opset=18)
    c["resize_10"] = model(
        [helper.make_node("Resize", ["x", "rs_up"], ["r"], name="r10", mode="linear")],
        X4, [vi("r")], [rs_up], opset=10)
    c["resize_both"] = model(
        [helper.make_node("Resize", ["x", "", "rs_up", "rs_sz"], ["r"], name="both")],
        X1, [vi("r")], [rs_up, ints("rs_sz", [1, 3, 4, 6])])
    c["resize_antialias"] = model(
        [helper.make_node("Resize", ["x", "", "rs_up"], ["r"], name="aa", mode="linear",
                          antialias=1)],
        X4, [vi("r")], [rs_up], opset=18)
    c["resize_policy"] = model(
        [helper.make_node("Resize", ["x", "", "", "rs_sz"], ["r"], name="keep",
                          keep_aspect_ratio_policy="not_larger")],
        X1, [vi("r")], [ints("rs_sz", [1, 3, 4, 6])], opset=18)
    c["resize_cubic_10"] = model(
        [helper.make_node("Resize", ["x", "rs_up"], ["r"], name="cub10", mode="cubic")],
        X4, [vi("r")], [rs_up], opset=10)
    c["resize_symmetric_18"] = model(
        [helper.make_node("Resize", ["x", "", "rs_up"], ["r"], name="sym",
                          coordinate_transformation_mode="half_pixel_symmetric")],
        X4, [vi("r")], [rs_up], opset=18)
    c["resize_mode"] = model(
        [helper.make_node("Resize", ["x", "", "rs_up"], ["r"], name="bil", mode="bilinear")],
        X4, [vi("r")], [rs_up])
    c["upsample_7"] = model(
        [helper.make_node("Upsample", ["x"], ["r"], name="up7", mode="linear",
                          scales=[1.0, 1.0, 2.0, 3.0])],
        X4, [vi("r")], opset=7)
    c["upsample_9"] = model(
        [helper.make_node("Upsample", ["x", "rs_up"], ["r"], name="up9")],
        X4, [vi("r")], [rs_up], opset=9)
    c["upsample_10"] = model(
        [helper.make_node("Upsample", ["x", "rs_up"], ["r"], name="up10")],
        X4, [vi("r")], [rs_up], opset=10)
    c["resize_roi"] = model(
        [helper.make_node("Resize", ["x", "rs_roi", "rs_up"], ["r"], name="crop", mode="linear",
                          coordinate_transformation_mode="tf_crop_and_resize")],
        X4, [vi("r")], [rs_up, floats("rs_roi", [0, 0, 1, 1])])
    c["misc_attrs"] = model(
        [helper.make_node("Flatten", ["x"], ["f"], name="flatten"),
         helper.make_node("Gemm", ["f", "fc_w", "fc_b"], ["g"], name="gemm", alpha=0.5,
                          transB=1),
         helper.make_node("BatchNormalization", ["x", "s", "b", "mu", "var"], ["bn"],
                          name="bn", epsilon=1e-3),
         helper.make_node("LeakyRelu", ["bn"], ["lr"], name="lrelu"),
         helper.make_node("LRN", ["lr"], ["lrn"], name="lrn", size=5),
         helper.make_node("Shape", ["x"], ["sh"], name="shape", start=1, end=-1),
         helper.make_node("Cast", ["sh"], ["shf"], name="cast", to=TensorProto.FLOAT),
         helper.make_node("Gather", ["sh", "zero"], ["g0"], name="gather"),
         helper.make_node("Concat", ["sh", "sh"], ["cc"], name="concat", axis=0),
         helper.make_node("Transpose", ["x"], ["t"], name="transpose", perm=[0, 2, 3, 1]),
         helper.make_node("Reshape", ["x", "shape"], ["r"], name="reshape", allowzero=1),
         helper.make_node("Relu", ["x"], ["relu"])],
        X4, [vi(n) for n in ("g", "lrn", "shf", "g0", "cc", "t", "r", "relu")],
        [helper.make_tensor("fc_w", F, [10, 192], [0.0] * 1920), floats("fc_b", [0] * 10),
         floats("s", [1] * 3), floats("b", [0] * 3), floats("mu", [0] * 3),
         floats("var", [1] * 3), scalar("zero", 0, I64), ints("shape", [0, -1])], opset=15)
    c["batchnorm_training"] = model(
        [helper.make_node("BatchNormalization", ["x", "s", "b", "mu", "var"],
                          ["y", "rm", "rv"], name="bn", training_mode=1)],
        X4, [vi("y")], [floats("s", [1] * 3), floats("b", [0] * 3), floats("mu", [0] * 3),
                        floats("var", [1] * 3)], opset=15)
    c["batchnorm_training_fixed"] = model(
        [helper.make_node("BatchNormalization", ["x", "s", "b", "mu", "var"],
                          ["y", "rm", "rv"], name="bn", training_mode=1, momentum=0.8)],
        X1, [vi("y"), vi("rm"), vi("rv")], [floats("s", [1] * 3), floats("b", [0] * 3),
                                            floats("mu", [0] * 3), floats("var", [1] * 3)],
        opset=15)
    c["cast_uint16"] = model(
        [helper.make_node("Cast", ["x"], ["y"], name="cast", to=U16)], X4, [vi("y")])
    # The narrower types in the typed fields (one int32 each; float16 and
    # bfloat16 as their bit patterns), DOUBLE in double_data, and inputs and
    # Casts of them.
    c["dtypes"] = model(
        [helper.make_node("Constant", [], ["c_i8"],
                          value=TensorProto(name="i8", data_type=I8, dims=[3],
                                            int32_data=[-128, -1, 127])),
         helper.make_node("Constant", [], ["c_f16"],
                          value=TensorProto(name="f16", data_type=F16, dims=[2],
                                            int32_data=[0x3c00, 0xfc00])),
         helper.make_node("Constant", [], ["c_bf16"],
                          value=TensorProto(name="bf16", data_type=BF16, dims=[1],
                                            int32_data=[0x3f80])),
         helper.make_node("Constant", [], ["c_f64"],
                          value=TensorProto(name="f64", data_type=DOUBLE, dims=[2],
                                            double_data=[0.1, -2.0])),
         helper.make_node("Add", ["u", "u"], ["y_u8"], name="add_u8"),
         helper.make_node("Cast", ["u"], ["y_f16"], name="cast_f16", to=F16),
         helper.make_node("Cast", ["h"], ["y_bf16"], name="cast_bf16", to=BF16),
         helper.make_node("Add", ["c_f64", "c_f64"], ["y_f64"], name="add_f64")],
        [vi("u", U8, [2, 3]), vi("h", F16, [2])],
        [vi("y_u8", U8), vi("y_f16", F16), vi("y_bf16", BF16), vi("y_f64", DOUBLE),
         vi("c_i8", I8), vi("c_f16", F16), vi("c_bf16", BF16)])
    # float16 arithmetic: refused by shape inference, naming node, op and type.
    c["add_f16"] = model(
        [helper.make_node("Add", ["h", "h"], ["y"], name="add")], [vi("h", F16, [2])],
        [vi("y", F16)])

    # -- graph-level errors --------------------------------------------------------------
    c["unknown_op"] = model(
        [helper.make_node("Foo", ["x"], ["a"], name="foo"),
         helper.make_node("Relu", ["a"], ["b"], name="relu"),
         helper.make_node("Bar", ["b"], ["y"])],
        X4, [vi("y")])
    c["missing_input"] = model(
        [helper.make_node("Relu", ["nope"], ["y"], name="relu")], X4, [vi("y")])
    c["custom_domain"] = model(
        [helper.make_node("FusedConv", ["x"], ["y"], name="fc", domain="com.microsoft")],
        X4, [vi("y")], domain_opsets=[("com.microsoft", 1)])
    c["nested_graph"] = model(
        [helper.make_node("If", ["cond"], ["y"], name="if",
                          then_branch=helper.make_graph([], "t", [], [vi("x")]),
                          else_branch=helper.make_graph([], "e", [], [vi("x")]))],
        X4 + [vi("cond", BOOL, [])], [vi("y")])
    c["duplicate_output"] = model(
        [helper.make_node("Relu", ["x"], ["y"], name="r1"),
         helper.make_node("Sigmoid", ["x"], ["y"], name="r2")], X4, [vi("y")])
    c["output_not_produced"] = model(
        [helper.make_node("Relu", ["x"], ["y"], name="relu")], X4, [vi("y"), vi("ghost")])
    c["symbolic_dim"] = model(
        [helper.make_node("Relu", ["x"], ["y"])], [vi("x", F, ["N", 3, "H", 8])], [vi("y")])
    c["bad_initializers"] = model(
        [helper.make_node("Add", ["x", "short"], ["a"]),
         helper.make_node("Add", ["a", "negdim"], ["b"]),
         helper.make_node("Add", ["b", "u16"], ["y"])],
        X4, [vi("y")],
        [TensorProto(name="short", data_type=F, dims=[2, 3], raw_data=b"\0" * 20),
         TensorProto(name="negdim", data_type=F, dims=[2, -3]),
         helper.make_tensor("u16", U16, [1], [1])])
    c["unused_u16"] = model(
        [helper.make_node("Relu", ["x"], ["y"])], X4 + [vi("u16", U16, [1])], [vi("y")],
        [helper.make_tensor("u16", U16, [1], [1])])
    c["opset0"] = model([helper.make_node("Relu", ["x"], ["y"])], X4, [vi("y")], opset=0)
    # Before opset 6 only ops unchanged since version 1 are read.
    c["opset5_relu"] = model([helper.make_node("Relu", ["x"], ["y"], name="r")], X4, [vi("y")],
                             opset=5)
    c["opset5_add"] = model([helper.make_node("Add", ["x", "x"], ["y"], name="add")], X4,
                            [vi("y")], opset=5)
    # Opset 6's legacy broadcasting: B [3,4] lines up with A [N,3,4,5] at axis 1.
    c["opset6_broadcast"] = model(
        [helper.make_node("Add", ["a", "b"], ["y"], name="add", broadcast=1, axis=1)],
        [vi("a", F, ["N", 3, 4, 5]), vi("b", F, [3, 4])], [vi("y")], opset=6)
    c["opset6_bn_training"] = model(
        [helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], name="bn",
                          is_test=0)],
        X4, [vi("y")], [floats("s", [1, 1, 1]), floats("b", [0, 0, 0]), floats("m", [0, 0, 0]),
                        floats("v", [1, 1, 1])], opset=6)
    c["opset22"] = model([helper.make_node("Relu", ["x"], ["y"])], X4, [vi("y")], opset=22)
    # Zero-size tensors: a view passes one on, any other op refuses it.
    c["zero_size"] = model(
        [helper.make_node("Reshape", ["x", "s"], ["y"], name="reshape", allowzero=1)],
        [vi("x", F, [2, 0, 3])], [vi("y")], [ints("s", [3, 0, 2])], opset=14)
    c["zero_size_relu"] = model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
                                [vi("x", F, [2, 0, 3])], [vi("y")])
    c["batch"] = model(
        [helper.make_node("Relu", ["x"], ["y"]), helper.make_node("Identity", ["z"], ["w"])],
        [vi("x", F, ["batch", 3, 8, 8]), vi("z", I64, [0, 5])], [vi("y"), vi("w")])

    for name, m in c.items():
        save(m, os.path.join(out, name + ".onnx"))

    # -- external data -------------------------------------------------------------------
    # ext_ok/: weights.bin holds 16 junk bytes, then w (6 floats), then 8 junk
    # bytes; sub/b.bin holds b whole; alias.bin is a symlink to weights.bin.
    ok = os.path.join(out, "ext_ok")
    os.makedirs(os.path.join(ok, "sub"), exist_ok=True)
    with open(os.path.join(ok, "weights.bin"), "wb") as f:
        f.write(b"J" * 16 + struct.pack("<6f", *[0.5 * i for i in range(6)]) + b"J" * 8)
    with open(os.path.join(ok, "sub", "b.bin"), "wb") as f:
        f.write(struct.pack("<3q", 7, 8, 9))
    link = os.path.join(ok, "alias.bin")
    if not os.path.lexists(link):
        os.symlink("weights.bin", link)
    ext_graph = lambda inits: model(
        [helper.make_node("Add", ["x", inits[0].name], ["y"], name="add")],
        [vi("x", F, [2, 3])], [vi("y")], inits)
    save(ext_graph([external("w", [2, 3], "weights.bin", 16, 24),
                    external("b", [3], "sub/b.bin", dtype=I64),
                    external("w_alias", [2, 3], "./alias.bin", 16, 24)]),
         os.path.join(ok, "model.onnx"))

    with open(os.path.join(out, "outside.bin"), "wb") as f:
        f.write(b"\0" * 24)
    bad = {
        "ext_dotdot": [external("w", [2, 3], "../outside.bin")],
        "ext_dotdot_inner": [external("w", [2, 3], "sub/../../outside.bin")],
        "ext_absolute": [external("w", [2, 3], os.path.abspath(os.path.join(out, "outside.bin")))],
        "ext_symlink": [external("w", [2, 3], "link.bin")],
        "ext_eof": [external("w", [2, 3], "w.bin", 8, 24)],
        "ext_offset_overflow": [external("w", [2, 3], "w.bin", 9223372036854775800, 24)],
        "ext_missing": [external("w", [2, 3], "nothere.bin")],
    }
    for name, inits in bad.items():
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "w.bin"), "wb") as f:
            f.write(b"\0" * 24)
        save(ext_graph(inits), os.path.join(d, "model.onnx"))
    d = os.path.join(out, "ext_fifo")
    os.makedirs(d, exist_ok=True)
    if not os.path.exists(os.path.join(d, "fifo.bin")):
        os.mkfifo(os.path.join(d, "fifo.bin"))
    save(ext_graph([external("w", [2, 3], "fifo.bin")]), os.path.join(d, "model.onnx"))
    link = os.path.join(out, "ext_symlink", "link.bin")
    if not os.path.lexists(link):
        os.symlink("../outside.bin", link)

    # -- raw_data twice in one initializer: the last one counts (protobuf's
    # rule for a field given twice); in the graph, and in an If branch's
    # graph (raw_twice_nested; If is refused, the walk over it is not).
    # Written as bytes: the onnx package keeps one value per field.
    def varint(v):
        b = b""
        while True:
            b += bytes([(v & 0x7F) | (0x80 if v > 0x7F else 0)])
            v >>= 7
            if not v:
                return b

    def field(number, payload):         # a length-delimited field
        return varint(number << 3 | 2) + varint(len(payload)) + payload

    w = helper.make_tensor("w", F, [2], struct.pack("<2f", 9, 9), raw=True)
    w_twice = w.SerializeToString() + field(9, struct.pack("<2f", 1.5, -2))   # raw_data = 9
    m = model([], [], [])
    m.ClearField("graph")
    g = helper.make_graph([helper.make_node("Add", ["x", "w"], ["y"], name="add")], "case",
                          [vi("x", F, [2])], [vi("y")])
    with open(os.path.join(out, "raw_twice.onnx"), "wb") as f:    # graph = 7, initializer = 5
        f.write(m.SerializeToString() + field(7, g.SerializeToString() + field(5, w_twice)))
    branch = helper.make_graph([], "t", [], [vi("w")]).SerializeToString() + field(5, w_twice)
    then_attr = onnx.AttributeProto(name="then_branch", type=onnx.AttributeProto.GRAPH)
    if_node = helper.make_node("If", ["cond"], ["z"], name="if",
                               else_branch=helper.make_graph([], "e", [], [vi("w")]))
    if_bytes = if_node.SerializeToString() + field(5, then_attr.SerializeToString() +
                                                   field(6, branch))     # attribute = 5, g = 6
    g.input.append(vi("cond", BOOL, []))
    g.output.append(vi("z"))
    with open(os.path.join(out, "raw_twice_nested.onnx"), "wb") as f:   # node = 1
        f.write(m.SerializeToString() +
                field(7, g.SerializeToString() + field(1, if_bytes) + field(5, w_twice)))

    # -- run-time arithmetic on scalars (rank 0): the generated C is the
    # same on every compile (tests/codegen, codegen.c.scalar_ops).
    save(model([helper.make_node("Add", ["x", "z"], ["s"], name="add"),
                helper.make_node("Pow", ["s", "z"], ["y"], name="pow")],
               [vi("x", F, []), vi("z", F, [])], [vi("y", F, [])], opset=15),
         os.path.join(out, "scalar_ops.onnx"))

    # -- a TensorProto file with typed fields, for onnx_read_tensor_pb -------------------
    t = helper.make_tensor("typed", F, [2, 2], [1.0, -2.0, 3.5, 4.0])
    with open(os.path.join(out, "typed_tensor.pb"), "wb") as f:
        f.write(t.SerializeToString())


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_cases.py OUTDIR")
    os.makedirs(sys.argv[1], exist_ok=True)
    cases(sys.argv[1])
