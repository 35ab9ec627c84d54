#!/usr/bin/python3
"""gen_models.py — write the ONNX models vggc is tested and benchmarked on.

Usage: gen_models.py OUTDIR [--only NAME ...] [--no-check]

We cannot download real VGG weights here, and the compiler does not care what the
weights mean: what matters is that the graphs have the exact form the common
exporters write (PyTorch's torch.onnx.export, Keras through tf2onnx) and that the
numbers flowing through them are well-scaled, so that comparing vggc with ONNX
Runtime means something. So every model is built node by node with onnx.helper,
from fixed numpy seeds (float32, little-endian raw_data), and is the same bytes on
every run.

Scaling rule. Convolution and hidden dense weights are He-normal,
std = sqrt(2 / fan_in), which keeps the mean square of the activations about
constant through a ReLU network; conv biases are zero or small (std 0.02). The
last dense layer (the logits) gets a fixed extra gain, chosen once by running the
models in numpy and ONNX Runtime on inputs uniform in [-1, 1], so that the
2-class heads give probabilities well inside (0, 1) (about 0.3..0.7) and the
1000-class VGG-16 gives logits with a standard deviation of about 2. The gains
are constants here (not measured at generation time), so the files do not
depend on the machine's BLAS. See models/README.md.

Models sharing a seed family share their weights: vgg16_head.onnx and
vgg16_head_nhwc.onnx are the same network (the NHWC one on the transposed input
gives the same numbers), and so are tiny_vgg.onnx and tiny_vgg_nhwc.onnx.
"""

import argparse
import os
import sys
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

IR_VERSION = 8
PRODUCER = "vggc gen_models.py"

# torchvision's VGG configurations: output channels of each 3x3 conv, M = 2x2 max pool.
VGG16_CFG = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]
TINY_CFG = [8, 8, "M", 16, 16, "M"]
TINY_BN_CFG = [8, "M", 16, "M", 16, "M"]
TINY_CLASSIC_CFG = [8, "M", 16, "M"]
TINY_CHAIN_CFG = [16, 16, "M", 16, "M"]

# Seed families: one per set of weights.
SEED_VGG16 = 1616
SEED_TINY = 77
SEED_TINY_BN = 78
SEED_TINY_CLASSIC = 79
SEED_TINY_CHAIN = 80
SEED_ALEXNET = 2012
SEED_TINY_ALEXNET = 81
SEED_TINY_CAFFENET = 83
SEED_CAFFENET = 2014

# numpy dtype -> TensorProto type, for the tensors written with typed fields.
TENSOR_TYPES = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.int64): TensorProto.INT64}

CONV_BIAS_STD = 0.02
DENSE_BIAS_STD = 0.02
# Extra gain on the logits layer (see the scaling rule above; values from
# running the models on uniform [-1, 1] inputs).
HEAD2_LOGIT_GAIN = 0.25         # vgg16_head*: 2 classes
CLASSIC_LOGIT_GAIN = 1.0        # vgg16: 1000 logits
TINY_HEAD_LOGIT_GAIN = 0.3      # tiny_vgg*: 3 classes
TINY_BN_LOGIT_GAIN = 0.15       # tiny_vgg_bn: 3 classes
TINY_CLASSIC_LOGIT_GAIN = 1.0   # tiny_vgg_classic: 10 logits
TINY_CHAIN_LOGIT_GAIN = 1.0     # tiny_vgg_chain: 3 classes
ALEXNET_LOGIT_GAIN = 0.75       # alexnet: 1000 logits
TINY_ALEXNET_LOGIT_GAIN = 1.0   # tiny_alexnet: 10 logits
TINY_CAFFENET_LOGIT_GAIN = 0.4  # tiny_caffenet: 10 classes, softmax
CAFFENET_LOGIT_GAIN = 0.75      # caffenet: 1000 classes, softmax

# Conv layers (by position in the conv list) whose biases are all zero. As torch 1.13
# does with identical parameters, the first of each channel count is an initializer
# and the others read it through Identity nodes.
VGG16_ZERO_BIAS = {0, 1, 10, 11, 12}
TINY_ZERO_BIAS = {2, 3}

VGG16_CONV_PARAMS = 14_714_688
VGG16_HEAD_PARAMS = 14_978_370
VGG16_CLASSIC_PARAMS = 138_357_544
ALEXNET_PARAMS = 61_100_840

# torchvision's AlexNet `features`: (out channels, kernel, stride, pad) per conv,
# M = 3x3 stride-2 max pool.
ALEXNET_CFG = [(64, 11, 4, 2), "M", (192, 5, 1, 2), "M", (384, 3, 1, 1), (256, 3, 1, 1),
               (256, 3, 1, 1), "M"]
# The same in miniature, on 72x72: its 5x5 layer (16 -> 24 channels, 35x35)
# and its last 3x3 layer (17x17, with the 3x3/2 pool) run Winograd with
# the pool split off (passes/assign_layout.c); 8x8 maps at the end.
TINY_ALEXNET_CFG = [(16, 3, 1, 1), "M", (24, 5, 1, 2), "M", (32, 3, 1, 1), (32, 3, 1, 1), "M"]
# The original AlexNet in Caffe's form (the ONNX model zoo's bvlcalexnet),
# 227x227: (out channels, kernel, stride, pad, group) per conv, N = LRN, M =
# 3x3/2 max pool.
CAFFENET_CFG = [(96, 11, 4, 0, 1), "N", "M", (256, 5, 1, 2, 2), "N", "M", (384, 3, 1, 1, 1),
                (384, 3, 1, 1, 2), (256, 3, 1, 1, 2), "M"]
CAFFENET_LRN = dict(size=5, alpha=1e-4, beta=0.75, bias=1.0)
# The same in miniature, 139x139.  Its grouped convs have 16 or more channels
# per group (whole blocks), its 5x5 one a 16x16 map (Winograd F(2x2,5x5), per
# group); alpha is raised so that the LRN changes the values by several %.
TINY_CAFFENET_CFG = [(32, 11, 4, 0, 1), "N", "M", (64, 5, 1, 2, 2), "N", "M", (64, 3, 1, 1, 1),
                     (64, 3, 1, 1, 2), (32, 3, 1, 1, 2), "M"]
TINY_CAFFENET_LRN = dict(size=5, alpha=0.1, beta=0.75, bias=1.0)


# ---------------------------------------------------------------------------
# Weights

def rng_for(seed, index):
    """A generator per (family, layer): a layer's weights do not depend on which
    models are generated, nor in what order."""
    return np.random.default_rng([seed, index])


def he_normal(rng, shape, fan_in, gain=1.0):
    w = rng.standard_normal(shape, dtype=np.float32)
    w *= np.float32(gain * np.sqrt(2.0 / fan_in))
    return w


def small_bias(rng, n, std):
    return (rng.standard_normal(n, dtype=np.float32) * np.float32(std)).astype(np.float32)


def conv_params(cfg, seed, zero_bias=frozenset(), in_ch=3, with_bias=True):
    """One dict per conv of cfg: w [K, C, 3, 3] (OIHW), b [K] or None."""
    convs = []
    c = in_ch
    for v in cfg:
        if v == "M":
            continue
        i = len(convs)
        rng = rng_for(seed, i)
        w = he_normal(rng, (v, c, 3, 3), fan_in=c * 9)
        b = None
        if with_bias:
            b = np.zeros(v, np.float32) if i in zero_bias else small_bias(rng, v, CONV_BIAS_STD)
        convs.append({"w": w, "b": b, "zero_bias": with_bias and i in zero_bias})
        c = v
    return convs


def bn_params(seed, index, k):
    rng = rng_for(seed, 1000 + index)
    return {
        "scale": rng.uniform(0.5, 1.5, k).astype(np.float32),
        "bias": (rng.standard_normal(k) * 0.1).astype(np.float32),
        "mean": (rng.standard_normal(k) * 0.1).astype(np.float32),
        "var": rng.uniform(0.5, 1.5, k).astype(np.float32),
    }


def dense_params(sizes, seed, last_gain):
    """sizes = [in, h1, ..., out]: one (w [out, in] as torch stores it, b [out]) per layer."""
    layers = []
    for j in range(len(sizes) - 1):
        rng = rng_for(seed, 100 + j)
        fan_in, out = sizes[j], sizes[j + 1]
        gain = last_gain if j == len(sizes) - 2 else 1.0
        w = he_normal(rng, (out, fan_in), fan_in, gain)
        layers.append((w, small_bias(rng, out, DENSE_BIAS_STD)))
    return layers


def count_params(convs, dense, bns=()):
    """Parameters as Keras counts them: each conv its own K biases, shared or not."""
    n = 0
    for cv in convs:
        n += cv["w"].size + (cv["w"].shape[0] if cv["b"] is not None else 0)
    for bn in bns:
        n += sum(a.size for a in bn.values())
    for w, b in dense:
        n += w.size + b.size
    return n


# ---------------------------------------------------------------------------
# Graph building

class Graph:
    """Nodes and initializers of one graph, in the order they are added."""

    def __init__(self):
        self.nodes = []
        self.inits = []

    def init(self, name, array, typed=False):
        """An initializer: raw_data by default, the typed field (float_data,
        int64_data) when typed, as some exporters write small tensors."""
        if typed:
            dt = TENSOR_TYPES[array.dtype]
            t = helper.make_tensor(name, dt, array.shape, array.flatten().tolist())
        else:
            t = numpy_helper.from_array(np.ascontiguousarray(array), name)
        self.inits.append(t)
        return name

    def node(self, op, inputs, name, out=None, **attrs):
        out = out or f"{name}_output_0"
        self.nodes.append(helper.make_node(op, inputs, [out], name=name, **attrs))
        return out

    def constant(self, name, array):
        """A Constant node (typed fields, as torch writes them)."""
        dt = TENSOR_TYPES[array.dtype]
        t = helper.make_tensor("value", dt, array.shape, array.flatten().tolist())
        return self.node("Constant", [], name, value=t)


def finish(g, name, inputs, outputs, opset, doc):
    graph = helper.make_graph(g.nodes, name, inputs, outputs, initializer=g.inits)
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", opset)],
        producer_name=PRODUCER,
        producer_version="1",
        doc_string=doc,
    )
    model.ir_version = IR_VERSION
    return model


CONV_ATTRS = dict(dilations=[1, 1], group=1, kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1])
POOL_ATTRS = dict(ceil_mode=0, kernel_shape=[2, 2], pads=[0, 0, 0, 0], strides=[2, 2])


def torch_features(g, x, cfg, convs, bns=None):
    """The conv base as torch.onnx.export writes torchvision's `features`:
    /features/features.<i>/Conv, .../Relu, .../MaxPool, with parameters named
    features.<i>.weight / .bias. Identical zero biases are shared: the first one of
    each size is an initializer, the others are Identity outputs (torch 1.13's
    deduplication of identical parameters)."""
    shared = {}  # channel count -> name of the zero-bias initializer
    ident = 0
    idx = 0
    ci = 0
    for v in cfg:
        if v == "M":
            x = g.node("MaxPool", [x], f"/features/features.{idx}/MaxPool", **POOL_ATTRS)
            idx += 1
            continue
        cv = convs[ci]
        conv_idx = idx
        wname = g.init(f"features.{conv_idx}.weight", cv["w"])
        inputs = [x, wname]
        if cv["b"] is not None:
            k = cv["b"].size
            if cv["zero_bias"] and k in shared:
                bname = g.node("Identity", [shared[k]], f"Identity_{ident}", out=f"onnx::Conv_{1000 + ident}")
                ident += 1
            else:
                bname = g.init(f"features.{conv_idx}.bias", cv["b"])
                if cv["zero_bias"]:
                    shared[k] = bname
            inputs.append(bname)
        x = g.node("Conv", inputs, f"/features/features.{conv_idx}/Conv", **CONV_ATTRS)
        idx += 1
        if bns is not None:
            bn = bns[ci]
            p = f"features.{idx}"
            names = [g.init(f"{p}.{k}", bn[k2], typed=True)
                     for k, k2 in (("weight", "scale"), ("bias", "bias"),
                                   ("running_mean", "mean"), ("running_var", "var"))]
            x = g.node("BatchNormalization", [x] + names, f"/features/{p}/BatchNormalization",
                       epsilon=1e-5, momentum=0.9)
            idx += 1
        x = g.node("Relu", [x], f"/features/features.{idx}/Relu")
        idx += 1
        ci += 1
    # torch puts the Identity nodes first; any topological order is valid, keep theirs.
    idents = [n for n in g.nodes if n.op_type == "Identity"]
    g.nodes = idents + [n for n in g.nodes if n.op_type != "Identity"]
    return x


def torch_gemm(g, x, i, w, b):
    wn = g.init(f"classifier.{i}.weight", w)
    bn = g.init(f"classifier.{i}.bias", b)
    return g.node("Gemm", [x, wn, bn], f"/classifier/classifier.{i}/Gemm", alpha=1.0, beta=1.0, transB=1)


def torch_input(name, c, h, w, batch="batch_size"):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, [batch, c, h, w])


def build_torch_head(cfg, convs, dense, hw, name, doc):
    """VGG conv base + GlobalAveragePool + Flatten + Gemm/Relu/.../Gemm + Softmax
    (a torchvision VGG whose classifier was replaced, exported by torch)."""
    g = Graph()
    x = torch_features(g, "input", cfg, convs)
    x = g.node("GlobalAveragePool", [x], "/avgpool/GlobalAveragePool")
    x = g.node("Flatten", [x], "/Flatten", axis=1)
    for j, (w, b) in enumerate(dense):
        x = torch_gemm(g, x, 2 * j, w, b)
        if j < len(dense) - 1:
            x = g.node("Relu", [x], f"/classifier/classifier.{2 * j + 1}/Relu")
    g.node("Softmax", [x], "/Softmax", out="output", axis=1)
    k = dense[-1][0].shape[0]
    return finish(g, name, [torch_input("input", 3, hw, hw)],
                  [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch_size", k])], 13, doc)


def build_torch_classic(cfg, convs, dense, hw, name, doc, opset, dropout_forms):
    """Classic torchvision VGG: features, avgpool (an AveragePool 1x1: the adaptive
    pool's output size equals its input's), Flatten, Gemm+Relu+Dropout twice, Gemm;
    logits out. dropout_forms: per Dropout, 'attr' (opset < 12: ratio attribute),
    'data' (data input only) or 'ratio' (ratio as a Constant input)."""
    g = Graph()
    x = torch_features(g, "input", cfg, convs)
    x = g.node("AveragePool", [x], "/avgpool/AveragePool", kernel_shape=[1, 1], strides=[1, 1])
    x = g.node("Flatten", [x], "/Flatten", axis=1)
    i = 0
    for j, (w, b) in enumerate(dense):
        x = torch_gemm(g, x, i, w, b)
        i += 1
        if j == len(dense) - 1:
            break
        x = g.node("Relu", [x], f"/classifier/classifier.{i}/Relu")
        i += 1
        form = dropout_forms[j]
        dname = f"/classifier/classifier.{i}/Dropout"
        if form == "attr":
            x = g.node("Dropout", [x], dname, ratio=0.5)
        elif form == "data":
            x = g.node("Dropout", [x], dname)
        else:
            r = g.constant(f"/classifier/classifier.{i}/Constant", np.array(0.5, np.float32))
            x = g.node("Dropout", [x, r], dname)
        i += 1
    g.nodes[-1].output[0] = "output"
    k = dense[-1][0].shape[0]
    return finish(g, name, [torch_input("input", 3, hw, hw)],
                  [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch_size", k])], opset, doc)


def build_torch_bn(cfg, convs, bns, dense, hw, name, doc):
    """Conv (no bias) + BatchNormalization + Relu, then torch's `x.view(x.size(0), -1)`:
    Shape -> Gather(0) -> Unsqueeze([0]) -> Concat(.., [-1]) -> Reshape; a Dropout
    with a ratio input in the classifier; Softmax. BatchNorm parameters use the typed
    float_data field, not raw_data."""
    g = Graph()
    x = torch_features(g, "input", cfg, convs, bns)
    shp = g.node("Shape", [x], "/Shape")
    c0 = g.constant("/Constant", np.array(0, np.int64))
    n = g.node("Gather", [shp, c0], "/Gather", axis=0)
    axes = g.constant("/Constant_1", np.array([0], np.int64))
    n = g.node("Unsqueeze", [n, axes], "/Unsqueeze")
    minus1 = g.constant("/Constant_2", np.array([-1], np.int64))
    shape = g.node("Concat", [n, minus1], "/Concat", axis=0)
    x = g.node("Reshape", [x, shape], "/Reshape")
    (w0, b0), (w1, b1) = dense
    x = torch_gemm(g, x, 0, w0, b0)
    x = g.node("Relu", [x], "/classifier/classifier.1/Relu")
    r = g.constant("/classifier/classifier.2/Constant", np.array(0.5, np.float32))
    x = g.node("Dropout", [x, r], "/classifier/classifier.2/Dropout")
    x = torch_gemm(g, x, 3, w1, b1)
    g.node("Softmax", [x], "/Softmax", out="output", axis=1)
    k = w1.shape[0]
    return finish(g, name, [torch_input("input", 3, hw, hw)],
                  [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch_size", k])], 13, doc)


def build_tf2onnx(cfg, convs, dense, hw, name, doc, auto_pad=False):
    """The same network as Keras (NHWC) converted by tf2onnx: input_1 [unk__N, H, W, 3],
    a Transpose to NCHW (tf2onnx's optimizer pushes the layout transposes out to the
    input), Conv with the BiasAdd folded into its bias, Relu, MaxPool; Keras'
    GlobalAveragePooling2D as ReduceMean over [2, 3] (axes attribute, opset 13);
    Dense as MatMul with a [in, out] kernel + Add; Softmax(axis -1).
    auto_pad: write Conv's SAME padding as auto_pad=SAME_UPPER instead of pads."""
    g = Graph()
    x = g.node("Transpose", ["input_1"], "Transpose__42", out="Transpose__42:0", perm=[0, 3, 1, 2])
    block, nconv, ci = 1, 0, 0
    for v in cfg:
        if v == "M":
            p = f"model/block{block}_pool"
            x = g.node("MaxPool", [x], f"{p}/MaxPool", out=f"{p}/MaxPool:0", kernel_shape=[2, 2], strides=[2, 2])
            block += 1
            nconv = 0
            continue
        nconv += 1
        cv = convs[ci]
        ci += 1
        p = f"model/block{block}_conv{nconv}"
        wn = g.init(f"{p}/Conv2D/ReadVariableOp:0", cv["w"])
        bn = g.init(f"{p}/BiasAdd/ReadVariableOp:0", cv["b"])
        attrs = dict(dilations=[1, 1], group=1, kernel_shape=[3, 3], strides=[1, 1])
        if auto_pad:
            attrs["auto_pad"] = "SAME_UPPER"
        else:
            attrs["pads"] = [1, 1, 1, 1]
        x = g.node("Conv", [x, wn, bn], f"{p}/Conv2D", out=f"{p}/BiasAdd:0", **attrs)
        x = g.node("Relu", [x], f"{p}/Relu", out=f"{p}/Relu:0")
    x = g.node("ReduceMean", [x], "model/global_average_pooling2d/Mean",
               out="model/global_average_pooling2d/Mean:0", axes=[2, 3], keepdims=0)
    for j, (w, b) in enumerate(dense):
        p = "model/dense" if j == 0 else f"model/dense_{j}"
        wn = g.init(f"{p}/MatMul/ReadVariableOp:0", np.ascontiguousarray(w.T))
        bn = g.init(f"{p}/BiasAdd/ReadVariableOp:0", b)
        x = g.node("MatMul", [x, wn], f"{p}/MatMul", out=f"{p}/MatMul:0")
        x = g.node("Add", [x, bn], f"{p}/BiasAdd", out=f"{p}/BiasAdd:0")
        if j < len(dense) - 1:
            x = g.node("Relu", [x], f"{p}/Relu", out=f"{p}/Relu:0")
    out = "dense" if len(dense) == 1 else f"dense_{len(dense) - 1}"
    g.node("Softmax", [x], f"model/{out}/Softmax", out=out, axis=-1)
    k = dense[-1][0].shape[0]
    return finish(
        g, "tf2onnx",
        [helper.make_tensor_value_info("input_1", TensorProto.FLOAT, ["unk__618", hw, hw, 3])],
        [helper.make_tensor_value_info(out, TensorProto.FLOAT, ["unk__619", k])], 13, doc)


# ---------------------------------------------------------------------------
# The models

def vgg16_head_weights():
    convs = conv_params(VGG16_CFG, SEED_VGG16, VGG16_ZERO_BIAS)
    dense = dense_params([512, 512, 2], SEED_VGG16, HEAD2_LOGIT_GAIN)
    assert count_params(convs, []) == VGG16_CONV_PARAMS
    assert count_params(convs, dense) == VGG16_HEAD_PARAMS
    return convs, dense


def tiny_weights():
    return conv_params(TINY_CFG, SEED_TINY, TINY_ZERO_BIAS), dense_params([16, 16, 3], SEED_TINY, TINY_HEAD_LOGIT_GAIN)


def make_vgg16_head():
    convs, dense = vgg16_head_weights()
    return build_torch_head(VGG16_CFG, convs, dense, 160, "main_graph",
                            "VGG-16 conv base + 512-2 head, 160x160, NCHW, in the form torch.onnx.export "
                            f"writes; random weights, seed family {SEED_VGG16}")


def make_vgg16_head_nhwc():
    convs, dense = vgg16_head_weights()
    return build_tf2onnx(VGG16_CFG, convs, dense, 160, "tf2onnx",
                         "VGG-16 conv base + 512-2 head, 160x160, NHWC, in the form Keras + tf2onnx "
                         f"writes; same weights as vgg16_head.onnx (seed family {SEED_VGG16})")


def make_vgg16():
    convs = conv_params(VGG16_CFG, SEED_VGG16, VGG16_ZERO_BIAS)
    dense = dense_params([512 * 7 * 7, 4096, 4096, 1000], SEED_VGG16 + 1, CLASSIC_LOGIT_GAIN)
    assert count_params(convs, dense) == VGG16_CLASSIC_PARAMS
    return build_torch_classic(VGG16_CFG, convs, dense, 224, "main_graph",
                               "torchvision VGG-16 (ImageNet, 1000 logits), 224x224, NCHW, in the form "
                               f"torch.onnx.export writes; random weights, seed families {SEED_VGG16}, "
                               f"{SEED_VGG16 + 1}", 13, ["data", "ratio"])


def build_alexnet(cfg, hw, dense_sizes, seed, logit_gain, doc):
    """torchvision's AlexNet as torch.onnx.export writes it in eval mode: features
    (cfg: Conv + Relu, MaxPool 3x3/2 at each M), avgpool (an AveragePool 1x1: the
    adaptive pool on a map of its output size), Flatten, classifier Gemm + Relu,
    Gemm + Relu, Gemm (no Dropout nodes in eval mode). Returns (model, convs, dense)."""
    g = Graph()
    x, c, idx, convs = "input", 3, 0, []
    for v in cfg:
        if v == "M":
            x = g.node("MaxPool", [x], f"/features/features.{idx}/MaxPool", ceil_mode=0,
                       kernel_shape=[3, 3], pads=[0, 0, 0, 0], strides=[2, 2])
            idx += 1
            continue
        k, ks, st, pd = v
        rng = rng_for(seed, len(convs))
        cv = {"w": he_normal(rng, (k, c, ks, ks), fan_in=c * ks * ks),
              "b": small_bias(rng, k, CONV_BIAS_STD)}
        convs.append(cv)
        w = g.init(f"features.{idx}.weight", cv["w"])
        b = g.init(f"features.{idx}.bias", cv["b"])
        x = g.node("Conv", [x, w, b], f"/features/features.{idx}/Conv", dilations=[1, 1], group=1,
                   kernel_shape=[ks, ks], pads=[pd] * 4, strides=[st, st])
        x = g.node("Relu", [x], f"/features/features.{idx + 1}/Relu")
        idx += 2
        c = k
    x = g.node("AveragePool", [x], "/avgpool/AveragePool", kernel_shape=[1, 1], strides=[1, 1])
    x = g.node("Flatten", [x], "/Flatten", axis=1)
    dense = dense_params(dense_sizes, seed + 1, logit_gain)
    for j, (w, b) in enumerate(dense):
        x = torch_gemm(g, x, (1, 4, 6)[j], w, b)
        if j < 2:
            x = g.node("Relu", [x], f"/classifier/classifier.{(2, 5)[j]}/Relu")
    g.nodes[-1].output[0] = "output"
    out = helper.make_tensor_value_info("output", TensorProto.FLOAT,
                                        ["batch_size", dense_sizes[-1]])
    model = finish(g, "main_graph", [torch_input("input", 3, hw, hw)], [out], 13,
                   f"{doc}, {hw}x{hw}, NCHW, in the form torch.onnx.export writes in eval mode; "
                   f"random weights, seed families {seed}, {seed + 1}")
    return model, convs, dense


def make_alexnet():
    model, convs, dense = build_alexnet(ALEXNET_CFG, 224, [256 * 6 * 6, 4096, 4096, 1000],
                                        SEED_ALEXNET, ALEXNET_LOGIT_GAIN,
                                        "torchvision AlexNet (ImageNet, 1000 logits)")
    assert count_params(convs, dense) == ALEXNET_PARAMS
    return model


def build_caffenet(cfg, lrn, hw, dense_sizes, seed, logit_gain, doc):
    """The Caffe AlexNet as the ONNX model zoo has it (bvlcalexnet): Conv + Relu,
    LRN after the first two, MaxPool 3x3/2, grouped convs (group 2), Flatten, Gemm
    + Relu twice, Gemm, Softmax."""
    g = Graph()
    x, c, convs = "data_0", 3, []
    for v in cfg:
        i = len(convs)
        if v == "N":
            x = g.node("LRN", [x], f"norm{i}_1", **lrn)
            continue
        if v == "M":
            x = g.node("MaxPool", [x], f"pool{i}_1", kernel_shape=[3, 3], pads=[0, 0, 0, 0],
                       strides=[2, 2])
            continue
        k, ks, st, pd, grp = v
        rng = rng_for(seed, i)
        cv = {"w": he_normal(rng, (k, c // grp, ks, ks), fan_in=c // grp * ks * ks),
              "b": small_bias(rng, k, CONV_BIAS_STD)}
        convs.append(cv)
        w = g.init(f"conv{i + 1}_w_0", cv["w"])
        b = g.init(f"conv{i + 1}_b_0", cv["b"])
        x = g.node("Conv", [x, w, b], f"conv{i + 1}_1", kernel_shape=[ks, ks], pads=[pd] * 4,
                   strides=[st, st], group=grp)
        x = g.node("Relu", [x], f"conv{i + 1}_2")
        c = k
    x = g.node("Flatten", [x], "OC2_DUMMY_0", axis=1)
    dense = dense_params(dense_sizes, seed + 1, logit_gain)
    for j, (w, b) in enumerate(dense):
        wn = g.init(f"fc{j + 6}_w_0", w)
        bn = g.init(f"fc{j + 6}_b_0", b)
        x = g.node("Gemm", [x, wn, bn], f"fc{j + 6}_1", transB=1)
        if j < 2:
            x = g.node("Relu", [x], f"fc{j + 6}_2")
    x = g.node("Softmax", [x], "prob_1", axis=1)
    g.nodes[-1].output[0] = "prob_1"
    out = helper.make_tensor_value_info("prob_1", TensorProto.FLOAT,
                                        ["batch_size", dense_sizes[-1]])
    return finish(g, "main_graph", [torch_input("data_0", 3, hw, hw)], [out], 13,
                  f"{doc} (bvlcalexnet's form: LRN, grouped convs), {hw}x{hw}, NCHW; "
                  f"random weights, seed families {seed}, {seed + 1}")


def make_caffenet():
    return build_caffenet(CAFFENET_CFG, CAFFENET_LRN, 227, [256 * 6 * 6, 4096, 4096, 1000],
                          SEED_CAFFENET, CAFFENET_LOGIT_GAIN, "Caffe AlexNet (1000 classes)")


def make_tiny_caffenet():
    return build_caffenet(TINY_CAFFENET_CFG, TINY_CAFFENET_LRN, 139, [32 * 3 * 3, 32, 32, 10],
                          SEED_TINY_CAFFENET, TINY_CAFFENET_LOGIT_GAIN, "tiny Caffe AlexNet")


def make_tiny_alexnet():
    return build_alexnet(TINY_ALEXNET_CFG, 72, [32 * 8 * 8, 32, 32, 10], SEED_TINY_ALEXNET,
                         TINY_ALEXNET_LOGIT_GAIN,
                         "tiny AlexNet (16 3x3, M, 24 5x5, M, 32, 32, M; 2048-32-32-10)")[0]


def make_tiny_vgg():
    convs, dense = tiny_weights()
    return build_torch_head(TINY_CFG, convs, dense, 32, "main_graph",
                            f"tiny VGG (8,8,M,16,16,M; 16-3 head), 32x32, NCHW, torch form; seed family {SEED_TINY}")


def make_tiny_vgg_nhwc():
    convs, dense = tiny_weights()
    return build_tf2onnx(TINY_CFG, convs, dense, 32, "tf2onnx",
                         "tiny VGG, 32x32, NHWC, tf2onnx form (Conv auto_pad SAME_UPPER); same weights as "
                         f"tiny_vgg.onnx (seed family {SEED_TINY})", auto_pad=True)


def make_tiny_vgg_bn():
    convs = conv_params(TINY_BN_CFG, SEED_TINY_BN, with_bias=False)
    bns = [bn_params(SEED_TINY_BN, i, cv["w"].shape[0]) for i, cv in enumerate(convs)]
    dense = dense_params([16 * 4 * 4, 16, 3], SEED_TINY_BN, TINY_BN_LOGIT_GAIN)
    return build_torch_bn(TINY_BN_CFG, convs, bns, dense, 32, "main_graph",
                          "tiny VGG with BatchNorm (8,M,16,M,16,M; view(N,-1); 16-3 head), 32x32, NCHW, "
                          f"torch form; seed family {SEED_TINY_BN}")


def make_tiny_vgg_classic():
    convs = conv_params(TINY_CLASSIC_CFG, SEED_TINY_CLASSIC)
    dense = dense_params([16 * 2 * 2, 32, 32, 10], SEED_TINY_CLASSIC, TINY_CLASSIC_LOGIT_GAIN)
    return build_torch_classic(TINY_CLASSIC_CFG, convs, dense, 8, "main_graph",
                               "tiny classic VGG (8,M,16,M; AveragePool 1x1, Flatten, 32-32-10 with Dropout; "
                               f"logits), 8x8, NCHW, torch form, opset 11; seed family {SEED_TINY_CLASSIC}",
                               11, ["attr", "attr"])


def make_tiny_vgg_chain():
    convs = conv_params(TINY_CHAIN_CFG, SEED_TINY_CHAIN)
    dense = dense_params([16, 16, 3], SEED_TINY_CHAIN, TINY_CHAIN_LOGIT_GAIN)
    return build_torch_head(TINY_CHAIN_CFG, convs, dense, 32, "main_graph",
                            "tiny VGG whose first conv chains into the second (16,16,M,16,M; 16-3 "
                            "head): the second and third run Winograd (16 input channels, maps of "
                            f"16x16 and more), 32x32, NCHW, torch form; seed family {SEED_TINY_CHAIN}")


MODELS = {
    "tiny_vgg": make_tiny_vgg,
    "tiny_vgg_nhwc": make_tiny_vgg_nhwc,
    "tiny_vgg_bn": make_tiny_vgg_bn,
    "tiny_vgg_classic": make_tiny_vgg_classic,
    "tiny_vgg_chain": make_tiny_vgg_chain,
    "tiny_alexnet": make_tiny_alexnet,
    "tiny_caffenet": make_tiny_caffenet,
    "caffenet": make_caffenet,
    "vgg16_head": make_vgg16_head,
    "vgg16_head_nhwc": make_vgg16_head_nhwc,
    "vgg16": make_vgg16,
    "alexnet": make_alexnet,
}


def main(argv):
    ap = argparse.ArgumentParser(description="Write vggc's test and benchmark ONNX models into OUTDIR.")
    ap.add_argument("outdir")
    ap.add_argument("--only", nargs="+", metavar="NAME", action="extend", default=[],
                    help=f"models to write (default all): {', '.join(MODELS)}")
    ap.add_argument("--no-check", action="store_true", help="skip onnx.checker on the written models")
    args = ap.parse_args(argv)

    names = [n[:-5] if n.endswith(".onnx") else n for n in args.only] or list(MODELS)
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        ap.error(f"unknown model(s) {', '.join(unknown)}; known: {', '.join(MODELS)}")

    os.makedirs(args.outdir, exist_ok=True)
    for name in names:
        t0 = time.perf_counter()
        model = MODELS[name]()
        if not args.no_check:
            onnx.checker.check_model(model)
        path = os.path.join(args.outdir, name + ".onnx")
        tmp = path + ".tmp"
        onnx.save(model, tmp)
        os.replace(tmp, path)  # a half-written model never has the real name
        size = os.path.getsize(path)
        print(f"gen_models: {path} ({size / 1e6:.1f} MB, {time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
