#!/usr/bin/python3
"""gen_family.py — write the "family" models: one tiny network per well-known CNN
family, each with that family's characteristic pieces, for vggc's end-to-end tests.

Usage: gen_family.py OUTDIR [--only NAME ...] [--no-check]

Like gen_models.py (whose weight rules and graph helpers this reuses), every
model is built node by node with onnx.helper, in the form torch.onnx.export
writes it (opset 13, node names like /layer1/layer1.0/conv1/Conv, parameters
like layer1.0.conv1.weight), from fixed numpy seeds, and is the same bytes on
every run. They are KB-sized: 28x28 to 32x32 inputs, a few channels per layer.
Input `input` [N, 3, H, W] and output `output` [N, K] ([N, K, H, W] for the
segmentation network) with the symbolic batch dimension "N" (dim_param) on both.

  fam_alexnet     Conv 5x5 stride 2 with asymmetric pads, LRN, MaxPool 3x3/2 ceil_mode=1,
                  grouped conv (group=2), Dropout-Gemm-Relu classifier; 10 logits
  fam_resnet      Conv (no bias) + BatchNormalization + Relu, basic blocks with residual
                  Add, a 1x1 stride-2 projection shortcut (+BN), GlobalAveragePool,
                  Flatten, Gemm; 10 logits
  fam_squeezenet  fire modules (squeeze 1x1, Concat of expand 1x1 and 3x3 on channels),
                  MaxPool ceil_mode=1, AveragePool 3x3 pad 1 count_include_pad=1, a 1x1 conv
                  classifier + GlobalAveragePool + Flatten, Softmax over 10 classes
  fam_inception   an inception module of four branches concatenated (1x1; 1x1->3x3;
                  1x1->5x5; MaxPool 3x3 s1 pad 1 -> 1x1), each conv Conv+BN(eps 1e-3)+Relu;
                  10 logits
  fam_mobilenet   inverted residual blocks: 1x1 expand, depthwise 3x3 (group = channels),
                  Clip(0, 6) as ReLU6 with min/max from Constant nodes, linear 1x1
                  projection, residual Add; convs with the BatchNorm folded into the bias
                  (as torch's eval-mode export writes them); 10 logits
  fam_shufflenet  ShuffleNet v1 units: grouped 1x1 convs (group 3), channel shuffle as
                  Reshape [0, g, C/g, H, W] -> Transpose [0,2,1,3,4] -> Reshape [-1, C, H, W],
                  depthwise 3x3, residual Add, and the stride-2 unit's Concat with an
                  AveragePool 3x3/2 pad 1 shortcut; 10 logits
  fam_densenet    dense blocks (each layer: Concat of all earlier features, then
                  BN+Relu+Conv 1x1, BN+Relu+Conv 3x3), a transition (BN+Relu+Conv 1x1 +
                  AveragePool 2x2/2), final BN+Relu+GlobalAveragePool; 10 logits
  fam_vgg_bn      VGG-11-BN in miniature: 8 x (Conv+BN+Relu), 5 MaxPool 2x2/2, Flatten,
                  Gemm+Relu+Dropout+Gemm, Softmax over 10 classes
  fam_fcn         FCN-16s on a VGG-style encoder: Conv+Relu and MaxPool 2x2/2 down to 4x4,
                  1x1 score convs, ConvTranspose upsampling (stride 2 with output_padding,
                  then stride 4 depthwise with bias) and a skip Add from the 8x8 features;
                  per-pixel scores for 5 classes, [N, 5, 32, 32]
  fam_convnext    ConvNeXt in miniature (opset 17): patchify Conv 4x4/4, LayerNorm over
                  channels as Transpose + LayerNormalization + Transpose, blocks of depthwise
                  7x7 conv, Transpose to NHWC, LayerNormalization, MatMul+Add, GELU (Erf form),
                  MatMul+Add, layer scale Mul, Transpose back, residual Add; a 2x2/2 downsample;
                  GlobalAveragePool, Flatten, LayerNormalization, Gemm; 10 logits
  fam_unet        U-Net on VGG-style blocks: Conv+Relu encoders with MaxPool 2x2/2 (32x32
                  -> 8x8), Resize x2 upsampling (bilinear pytorch_half_pixel, then nearest
                  asymmetric floor, as torch exports them) with Concat skips, Conv+Relu
                  decoders, a 1x1 head; per-pixel scores for 3 classes, [N, 3, 32, 32]

Scaling: He-normal conv and dense weights (fan_in = C/group * kH * kW), small
biases, BatchNorm parameters as gen_models.bn_params, and a fixed extra gain on
the logits layer so that logits have a standard deviation of about 1..3 and the
softmax outputs stay well inside (0, 1). Each residual branch's last BatchNorm
gets its scale multiplied by RESIDUAL_BN_GAIN (so a block adds a smaller branch
to its input, as trained ResNets do), which keeps the activations O(1) through
the residual sums. See models/README.md for the measured ranges.
"""

import argparse
import os
import sys
import time

import numpy as np
import onnx
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_models import Graph, IR_VERSION, bn_params, he_normal, rng_for, small_bias  # noqa: E402

PRODUCER = "vggc gen_family.py"
OPSET = 13
BATCH = "N"

# Seed families, one per model.
SEED_ALEXNET = 301
SEED_RESNET = 302
SEED_SQUEEZENET = 303
SEED_INCEPTION = 304
SEED_MOBILENET = 305
SEED_SHUFFLENET = 306
SEED_DENSENET = 307
SEED_VGG_BN = 308
SEED_FCN = 309
SEED_CONVNEXT = 310
SEED_UNET = 311

CONV_BIAS_STD = 0.02
DENSE_BIAS_STD = 0.02
# The BatchNorm closing a residual branch: its scale times this.
RESIDUAL_BN_GAIN = 0.5
# LRN as in AlexNet (size 5, beta 0.75, bias k = 2), with alpha raised from the
# paper's 1e-4 to 0.5: AlexNet's activations are in the hundreds (0..255 pixels),
# ours are O(1), and with alpha 1e-4 the squares' sum would change the output by
# ~1e-5 relative, below the tests' tolerance; at 0.5 it changes it by ~10%.
LRN_ATTRS = dict(size=5, alpha=0.5, beta=0.75, bias=2.0)

# Extra gain on each model's logits layer (constants, chosen by running the
# models in ONNX Runtime on make_input.py inputs; README lists what they give).
LOGIT_GAIN = {
    "fam_alexnet": 2.0,
    "fam_resnet": 1.0,
    "fam_squeezenet": 1.0,
    "fam_inception": 0.3,
    "fam_mobilenet": 1.0,
    "fam_shufflenet": 1.0,
    "fam_densenet": 1.0,
    "fam_vgg_bn": 0.3,
    "fam_fcn": 0.25,
    "fam_convnext": 2.0,
    "fam_unet": 0.5,
}


# ---------------------------------------------------------------------------
# A torch-like module writer

class Net:
    """A Graph plus the seed family and a running layer index, with one method
    per torch module as torch.onnx.export writes it. `name` is the module path
    (layer1.0.conv1): the node is /layer1/layer1.0/conv1/<Op>, the parameters
    layer1.0.conv1.weight / .bias."""

    def __init__(self, seed):
        self.g = Graph()
        self.seed = seed
        self.layer = 0       # conv/dense layers drawn so far
        self.bns = 0         # BatchNorms drawn so far
        self.consts = {}     # Constant node counter per scope

    def _rng(self):
        rng = rng_for(self.seed, self.layer)
        self.layer += 1
        return rng

    @staticmethod
    def scope(name):
        """torch's node scope of a module path: one level per attribute, a
        Sequential's index written after its parent's level (layer1.0.conv1 ->
        /layer1/layer1.0/conv1, features.1.conv.0.0 ->
        /features/features.1/conv/conv.0/conv.0.0)."""
        levels = []
        for part in name.split("."):
            levels.append(f"{levels[-1]}.{part}" if part.isdigit() and levels else part)
        return "".join("/" + lv for lv in levels)

    def node(self, op, inputs, scope, suffix="", **attrs):
        """A node named <scope>/<Op><suffix>, output <name>_output_0."""
        return self.g.node(op, inputs, f"{scope}/{op}{suffix}", **attrs)

    def constant(self, scope, array):
        k = self.consts.get(scope, 0)
        self.consts[scope] = k + 1
        return self.g.constant(f"{scope}/Constant" + (f"_{k}" if k else ""), array)

    def conv(self, x, name, cin, cout, k, stride=1, pads=None, group=1, bias=True, gain=1.0):
        rng = self._rng()
        fan_in = cin // group * k * k
        w = self.g.init(f"{name}.weight", he_normal(rng, (cout, cin // group, k, k), fan_in, gain))
        inputs = [x, w]
        if bias:
            inputs.append(self.g.init(f"{name}.bias", small_bias(rng, cout, CONV_BIAS_STD)))
        if pads is None:
            pads = [k // 2] * 4
        return self.node("Conv", inputs, self.scope(name), dilations=[1, 1], group=group,
                         kernel_shape=[k, k], pads=list(pads), strides=[stride, stride])

    def conv_transpose(self, x, name, cin, cout, k, stride, pad, output_padding=0, group=1,
                       bias=False, gain=1.0):
        """torch.nn.ConvTranspose2d: weight [cin, cout/group, k, k]; an output
        gathers about cin/group * (k/stride)^2 products, the fan-in of the He
        scaling."""
        rng = self._rng()
        fan_in = max(1.0, cin // group * (k / stride) ** 2)
        w = self.g.init(f"{name}.weight",
                        he_normal(rng, (cin, cout // group, k, k), fan_in, gain))
        inputs = [x, w]
        if bias:
            inputs.append(self.g.init(f"{name}.bias", small_bias(rng, cout, CONV_BIAS_STD)))
        return self.node("ConvTranspose", inputs, self.scope(name), dilations=[1, 1],
                         group=group, kernel_shape=[k, k],
                         output_padding=[output_padding, output_padding], pads=[pad] * 4,
                         strides=[stride, stride])

    def bn(self, x, name, c, eps=1e-5, gain=1.0):
        p = bn_params(self.seed, self.bns, c)
        self.bns += 1
        p["scale"] = (p["scale"] * np.float32(gain)).astype(np.float32)
        names = [self.g.init(f"{name}.{k}", p[k2])
                 for k, k2 in (("weight", "scale"), ("bias", "bias"),
                               ("running_mean", "mean"), ("running_var", "var"))]
        return self.node("BatchNormalization", [x] + names, self.scope(name), epsilon=eps, momentum=0.9)

    def relu(self, x, name, suffix=""):
        return self.node("Relu", [x], self.scope(name), suffix)

    def relu6(self, x, name):
        """nn.ReLU6 as torch writes it at opset 11+: Clip with min and max inputs
        from Constant nodes."""
        s = self.scope(name)
        lo = self.constant(s, np.array(0.0, np.float32))
        hi = self.constant(s, np.array(6.0, np.float32))
        return self.node("Clip", [x, lo, hi], s)

    def maxpool(self, x, name, k, stride, pad=0, ceil_mode=0):
        return self.node("MaxPool", [x], self.scope(name), ceil_mode=ceil_mode, dilations=[1, 1],
                         kernel_shape=[k, k], pads=[pad] * 4, strides=[stride, stride])

    def avgpool(self, x, name, k, stride, pad=0, ceil_mode=0, count_include_pad=0, suffix=""):
        return self.node("AveragePool", [x], self.scope(name), suffix, ceil_mode=ceil_mode,
                         count_include_pad=count_include_pad, kernel_shape=[k, k],
                         pads=[pad] * 4, strides=[stride, stride])

    def gemm(self, x, name, fan_in, out, gain=1.0):
        rng = self._rng()
        w = self.g.init(f"{name}.weight", he_normal(rng, (out, fan_in), fan_in, gain))
        b = self.g.init(f"{name}.bias", small_bias(rng, out, DENSE_BIAS_STD))
        return self.node("Gemm", [x, w, b], self.scope(name), alpha=1.0, beta=1.0, transB=1)

    def dropout(self, x, name):
        return self.node("Dropout", [x], self.scope(name))

    def gap_flatten(self, x, pool="/avgpool"):
        """adaptive_avg_pool2d(x, 1) + torch.flatten(x, 1)."""
        x = self.g.node("GlobalAveragePool", [x], f"{pool}/GlobalAveragePool")
        return self.g.node("Flatten", [x], "/Flatten", axis=1)

    def layer_norm(self, x, name, c, axis=-1, eps=1e-6):
        """torch.nn.LayerNorm(c) (opset 17): weight near 1, bias near 0."""
        rng = self._rng()
        w = self.g.init(f"{name}.weight", (1.0 + 0.1 * rng.standard_normal(c)).astype(np.float32))
        b = self.g.init(f"{name}.bias", small_bias(rng, c, 0.05))
        return self.node("LayerNormalization", [x, w, b], self.scope(name), axis=axis,
                         epsilon=eps)

    def layer_norm2d(self, x, name, c):
        """ConvNeXt's LayerNorm2d: channels last, normalize, channels first."""
        x = self.node("Transpose", [x], self.scope(name), "_0", perm=[0, 2, 3, 1])
        x = self.layer_norm(x, name, c)
        return self.node("Transpose", [x], self.scope(name), "_1", perm=[0, 3, 1, 2])

    def linear(self, x, name, cin, cout, gain=1.0):
        """nn.Linear on a channels-last map: MatMul by W^T, then Add the bias."""
        rng = self._rng()
        w = he_normal(rng, (cout, cin), cin, gain)
        wt = self.g.init(f"onnx::MatMul_{name}", np.ascontiguousarray(w.T))
        b = self.g.init(f"{name}.bias", small_bias(rng, cout, DENSE_BIAS_STD))
        x = self.node("MatMul", [x, wt], self.scope(name))
        return self.node("Add", [x, b], self.scope(name))

    def gelu(self, x, name):
        """nn.GELU as torch exports it before opset 20: x * 0.5 * (1 + erf(x / sqrt 2))."""
        s = self.scope(name)
        r2 = self.constant(s, np.array(np.sqrt(2.0), np.float32))
        one = self.constant(s, np.array(1.0, np.float32))
        half = self.constant(s, np.array(0.5, np.float32))
        t = self.node("Div", [x, r2], s)
        t = self.node("Erf", [t], s)
        t = self.node("Add", [t, one], s)
        t = self.node("Mul", [x, t], s)
        return self.node("Mul", [t, half], s, "_1")

    def finish(self, name, hw, k, doc, softmax, out_dims=None, opset=OPSET):
        last = self.g.nodes[-1]
        if softmax:
            self.g.node("Softmax", [last.output[0]], "/Softmax", out="output", axis=1)
        else:
            last.output[0] = "output"
        graph = helper.make_graph(
            self.g.nodes, "main_graph",
            [helper.make_tensor_value_info("input", TensorProto.FLOAT, [BATCH, 3, hw, hw])],
            [helper.make_tensor_value_info("output", TensorProto.FLOAT, out_dims or [BATCH, k])],
            initializer=self.g.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                                  producer_name=PRODUCER, producer_version="1", doc_string=doc)
        model.ir_version = IR_VERSION
        return model


# ---------------------------------------------------------------------------
# The models

def make_alexnet():
    """features: Conv 5x5/2 pads [2,2,1,1] (3->16) + Relu + LRN + MaxPool 3x3/2 ceil,
    Conv 3x3 group 2 (16->32) + Relu + LRN + MaxPool 3x3/2 ceil, Conv 3x3 group 2
    (32->32) + Relu; classifier Flatten, Dropout, Gemm 512-64, Relu, Dropout, Gemm 64-10."""
    n = Net(SEED_ALEXNET)
    x = n.conv("input", "features.0", 3, 16, 5, stride=2, pads=[2, 2, 1, 1])   # 32 -> 16
    x = n.relu(x, "features.1")
    x = n.node("LRN", [x], n.scope("features.2"), **LRN_ATTRS)
    x = n.maxpool(x, "features.3", 3, 2, ceil_mode=1)                            # 16 -> 8
    x = n.conv(x, "features.4", 16, 32, 3, group=2)
    x = n.relu(x, "features.5")
    x = n.node("LRN", [x], n.scope("features.6"), **LRN_ATTRS)
    x = n.maxpool(x, "features.7", 3, 2, ceil_mode=1)                            # 8 -> 4
    x = n.conv(x, "features.8", 32, 32, 3, group=2)
    x = n.relu(x, "features.9")
    x = n.g.node("Flatten", [x], "/Flatten", axis=1)
    x = n.dropout(x, "classifier.0")
    x = n.gemm(x, "classifier.1", 32 * 4 * 4, 64)
    x = n.relu(x, "classifier.2")
    x = n.dropout(x, "classifier.3")
    n.gemm(x, "classifier.4", 64, 10, LOGIT_GAIN["fam_alexnet"])
    return n.finish("fam_alexnet", 32, 10, "AlexNet-style tiny network (Conv 5x5/2 asymmetric pads, LRN, "
                    "MaxPool 3x3/2 ceil_mode, grouped convs), 32x32, torch form; 10 logits; "
                    f"seed family {SEED_ALEXNET}", softmax=False)


def make_resnet():
    """stem Conv 3x3 (3->16, no bias) + BN + Relu + MaxPool 3x3/2 pad 1; layer1.0:
    basic block 16->16 with identity shortcut; layer2.0: basic block 16->32 stride 2
    with a Conv 1x1/2 + BN projection; GlobalAveragePool, Flatten, Gemm 32-10."""
    n = Net(SEED_RESNET)
    x = n.conv("input", "conv1", 3, 16, 3, bias=False)
    x = n.bn(x, "bn1", 16)
    x = n.relu(x, "relu")
    x = n.maxpool(x, "maxpool", 3, 2, pad=1)                                     # 32 -> 16

    def block(x, name, cin, cout, stride):
        s = n.scope(name)
        y = n.conv(x, f"{name}.conv1", cin, cout, 3, stride=stride, bias=False)
        y = n.bn(y, f"{name}.bn1", cout)
        y = n.relu(y, f"{name}.relu")
        y = n.conv(y, f"{name}.conv2", cout, cout, 3, bias=False)
        y = n.bn(y, f"{name}.bn2", cout, gain=RESIDUAL_BN_GAIN)
        if stride != 1 or cin != cout:
            x = n.conv(x, f"{name}.downsample.0", cin, cout, 1, stride=stride, pads=[0] * 4, bias=False)
            x = n.bn(x, f"{name}.downsample.1", cout)
        y = n.node("Add", [y, x], s)
        return n.g.node("Relu", [y], f"{s}/relu_1/Relu")

    x = block(x, "layer1.0", 16, 16, 1)
    x = block(x, "layer2.0", 16, 32, 2)                                          # 16 -> 8
    x = n.gap_flatten(x)
    n.gemm(x, "fc", 32, 10, LOGIT_GAIN["fam_resnet"])
    return n.finish("fam_resnet", 32, 10, "ResNet-style tiny network (Conv+BN+Relu, basic blocks, residual "
                    "Add, 1x1 stride-2 projection), 32x32, torch form; 10 logits; "
                    f"seed family {SEED_RESNET}", softmax=False)


def make_squeezenet():
    """SqueezeNet 1.1 in miniature (30x30): Conv 3x3/2 (3->16, no pad) + Relu, MaxPool
    3x3/2 ceil (14 -> 7, the last window overhanging), Fire(16: 4 -> 8+8), Fire(16: 4 -> 8+8), MaxPool 3x3/2 ceil, Fire(16: 8 ->
    16+16), AveragePool 3x3/1 pad 1 count_include_pad; classifier Dropout, Conv 1x1
    32->10, Relu, GlobalAveragePool, Flatten; Softmax."""
    n = Net(SEED_SQUEEZENET)
    x = n.conv("input", "features.0", 3, 16, 3, stride=2, pads=[0] * 4)         # 30 -> 14
    x = n.relu(x, "features.1")
    x = n.maxpool(x, "features.2", 3, 2, ceil_mode=1)                            # 14 -> 7

    def fire(x, name, cin, sq, e1, e3):
        s = n.scope(name)
        x = n.conv(x, f"{name}.squeeze", cin, sq, 1, pads=[0] * 4)
        x = n.relu(x, f"{name}.squeeze_activation")
        a = n.conv(x, f"{name}.expand1x1", sq, e1, 1, pads=[0] * 4)
        a = n.relu(a, f"{name}.expand1x1_activation")
        b = n.conv(x, f"{name}.expand3x3", sq, e3, 3)
        b = n.relu(b, f"{name}.expand3x3_activation")
        return n.node("Concat", [a, b], s, axis=1)

    x = fire(x, "features.3", 16, 4, 8, 8)
    x = fire(x, "features.4", 16, 4, 8, 8)
    x = n.maxpool(x, "features.5", 3, 2, ceil_mode=1)                            # 7 -> 3
    x = fire(x, "features.6", 16, 8, 16, 16)
    x = n.avgpool(x, "features.7", 3, 1, pad=1, count_include_pad=1)
    x = n.dropout(x, "classifier.0")
    # the logit gain goes on classifier.1, the last layer with weights
    x = n.conv(x, "classifier.1", 32, 10, 1, pads=[0] * 4, gain=LOGIT_GAIN["fam_squeezenet"])
    x = n.relu(x, "classifier.2")
    x = n.gap_flatten(x, pool="/classifier/classifier.3")
    return n.finish("fam_squeezenet", 30, 10, "SqueezeNet-style tiny network (fire modules: squeeze 1x1, "
                    "Concat of expand 1x1 and 3x3; MaxPool ceil_mode; AveragePool count_include_pad; "
                    "conv classifier), 30x30, torch form; Softmax over 10 classes; "
                    f"seed family {SEED_SQUEEZENET}", softmax=True)


def make_inception():
    """GoogLeNet in miniature (28x28): stem BasicConv2d 3x3 (3->16) + MaxPool 3x3/2
    ceil, inception module 16 -> 8 + 12 + 4 + 4 = 28 channels (branch1 1x1;
    branch2 1x1 8 -> 3x3 12; branch3 1x1 4 -> 5x5 4; branch4 MaxPool 3x3/1 pad 1
    ceil -> 1x1 4), MaxPool 3x3/2 ceil, GlobalAveragePool, Flatten, Dropout,
    Gemm 28-10. BasicConv2d = Conv (no bias) + BN (eps 1e-3) + Relu."""
    n = Net(SEED_INCEPTION)

    def basic(x, name, cin, cout, k):
        x = n.conv(x, f"{name}.conv", cin, cout, k, bias=False)
        x = n.bn(x, f"{name}.bn", cout, eps=1e-3)
        return n.relu(x, name)

    x = basic("input", "conv1", 3, 16, 3)
    x = n.maxpool(x, "maxpool1", 3, 2, ceil_mode=1)                              # 28 -> 14
    b1 = basic(x, "inception3a.branch1", 16, 8, 1)
    b2 = basic(x, "inception3a.branch2.0", 16, 8, 1)
    b2 = basic(b2, "inception3a.branch2.1", 8, 12, 3)
    b3 = basic(x, "inception3a.branch3.0", 16, 4, 1)
    b3 = basic(b3, "inception3a.branch3.1", 4, 4, 5)
    b4 = n.maxpool(x, "inception3a.branch4.0", 3, 1, pad=1, ceil_mode=1)
    b4 = basic(b4, "inception3a.branch4.1", 16, 4, 1)
    x = n.node("Concat", [b1, b2, b3, b4], n.scope("inception3a"), axis=1)
    x = n.maxpool(x, "maxpool3", 3, 2, ceil_mode=1)                              # 14 -> 7
    x = n.gap_flatten(x)
    x = n.dropout(x, "dropout")
    n.gemm(x, "fc", 28, 10, LOGIT_GAIN["fam_inception"])
    return n.finish("fam_inception", 28, 10, "Inception-style tiny network (four branches concatenated: "
                    "1x1; 1x1-3x3; 1x1-5x5; MaxPool 3x3/1-1x1), 28x28, torch form; 10 logits; "
                    f"seed family {SEED_INCEPTION}", softmax=False)


def make_mobilenet():
    """MobileNetV2 in miniature: Conv 3x3/2 (3->16) + ReLU6; inverted residual t=4
    16 -> 16 (1x1 64 + ReLU6, depthwise 3x3 + ReLU6, 1x1 16 linear, Add); inverted
    residual t=4 16 -> 24 stride 2 (no Add); inverted residual t=4 24 -> 24 (Add);
    Conv 1x1 24->64 + ReLU6, GlobalAveragePool, Flatten, Dropout, Gemm 64-10. Each
    conv has a bias (BatchNorm folded, as the eval-mode export writes it)."""
    n = Net(SEED_MOBILENET)
    x = n.conv("input", "features.0.0", 3, 16, 3, stride=2)                     # 32 -> 16
    x = n.relu6(x, "features.0.2")

    def inverted(x, i, cin, cout, stride, t=4):
        p = f"features.{i}.conv"
        mid = cin * t
        y = n.conv(x, f"{p}.0.0", cin, mid, 1, pads=[0] * 4)
        y = n.relu6(y, f"{p}.0.2")
        y = n.conv(y, f"{p}.1.0", mid, mid, 3, stride=stride, group=mid)
        y = n.relu6(y, f"{p}.1.2")
        y = n.conv(y, f"{p}.2", mid, cout, 1, pads=[0] * 4)
        if stride == 1 and cin == cout:
            y = n.node("Add", [x, y], n.scope(f"features.{i}"))
        return y

    x = inverted(x, 1, 16, 16, 1)
    x = inverted(x, 2, 16, 24, 2)                                                # 16 -> 8
    x = inverted(x, 3, 24, 24, 1)
    x = n.conv(x, "features.4.0", 24, 64, 1, pads=[0] * 4)
    x = n.relu6(x, "features.4.2")
    x = n.g.node("GlobalAveragePool", [x], "/GlobalAveragePool")
    x = n.g.node("Flatten", [x], "/Flatten", axis=1)
    x = n.dropout(x, "classifier.0")
    n.gemm(x, "classifier.1", 64, 10, LOGIT_GAIN["fam_mobilenet"])
    return n.finish("fam_mobilenet", 32, 10, "MobileNetV2-style tiny network (depthwise 3x3, Clip(0,6) as "
                    "ReLU6 with Constant min/max, inverted residual Add), 32x32, torch form; 10 logits; "
                    f"seed family {SEED_MOBILENET}", softmax=False)


def make_shufflenet():
    """ShuffleNet v1 in miniature (g = 3): Conv 3x3/2 (3->24) + BN + Relu, MaxPool
    3x3/2 pad 1; unit 24 -> 24 (grouped 1x1 24->12 + BN + Relu, channel shuffle,
    depthwise 3x3 + BN, grouped 1x1 12->24 + BN, Add, Relu); stride-2 unit 24 -> 48
    (the same branch with a stride-2 depthwise conv, Concat with AveragePool 3x3/2
    pad 1 of the input, Relu); GlobalAveragePool, Flatten, Gemm 48-10."""
    n = Net(SEED_SHUFFLENET)
    g = 3
    x = n.conv("input", "conv1.0", 3, 24, 3, stride=2, bias=False)             # 32 -> 16
    x = n.bn(x, "conv1.1", 24)
    x = n.relu(x, "conv1.2")
    x = n.maxpool(x, "maxpool", 3, 2, pad=1)                                     # 16 -> 8

    def shuffle(x, s, c, hw):
        """channel_shuffle: view(N, g, C/g, H, W), transpose(1, 2), view(N, -1, H, W),
        with the batch as 0 (copy) in the first shape and -1 (infer) in the second."""
        a = n.constant(s, np.array([0, g, c // g, hw, hw], np.int64))
        x = n.node("Reshape", [x, a], s)
        x = n.node("Transpose", [x], s, perm=[0, 2, 1, 3, 4])
        b = n.constant(s, np.array([-1, c, hw, hw], np.int64))
        return n.node("Reshape", [x, b], s, "_1")

    def unit(x, name, cin, cout, hw, stride):
        s = n.scope(name)
        mid = 12
        y = n.conv(x, f"{name}.gconv1", cin, mid, 1, pads=[0] * 4, group=g, bias=False)
        y = n.bn(y, f"{name}.bn1", mid)
        y = n.relu(y, f"{name}.relu")
        y = shuffle(y, s, mid, hw)
        y = n.conv(y, f"{name}.dwconv", mid, mid, 3, stride=stride, group=mid, bias=False)
        y = n.bn(y, f"{name}.bn2", mid)
        branch_out = cout if stride == 1 else cout - cin
        y = n.conv(y, f"{name}.gconv2", mid, branch_out, 1, pads=[0] * 4, group=g, bias=False)
        y = n.bn(y, f"{name}.bn3", branch_out, gain=RESIDUAL_BN_GAIN)
        if stride == 1:
            y = n.node("Add", [x, y], s)
        else:
            r = n.avgpool(x, f"{name}.shortcut", 3, 2, pad=1, count_include_pad=1)
            y = n.node("Concat", [r, y], s, axis=1)
        return n.relu(y, name, "_1")

    x = unit(x, "stage2.0", 24, 24, 8, 1)
    x = unit(x, "stage3.0", 24, 48, 8, 2)                                        # 8 -> 4
    x = n.gap_flatten(x)
    n.gemm(x, "fc", 48, 10, LOGIT_GAIN["fam_shufflenet"])
    return n.finish("fam_shufflenet", 32, 10, "ShuffleNet-v1-style tiny network (grouped 1x1 convs, channel "
                    "shuffle as Reshape-Transpose-Reshape, depthwise 3x3, residual Add, Concat with an "
                    f"AveragePool shortcut), 32x32, torch form; 10 logits; seed family {SEED_SHUFFLENET}",
                    softmax=False)


def make_densenet():
    """DenseNet in miniature (growth 8, bn_size 2): conv0 3x3/2 (3->16, no bias) +
    norm0 + relu0 + pool0 MaxPool 3x3/2 pad 1; denseblock1 of 3 layers (16 -> 40
    channels), transition1 (BN, Relu, Conv 1x1 40->20, AveragePool 2x2/2),
    denseblock2 of 2 layers (20 -> 36), norm5, Relu, GlobalAveragePool, Flatten,
    Gemm 36-10. A dense layer: Concat of every earlier feature map (a one-input
    Concat for the first), BN+Relu+Conv 1x1 (-> 16), BN+Relu+Conv 3x3 (-> 8)."""
    n = Net(SEED_DENSENET)
    growth, bn_size = 8, 2
    x = n.conv("input", "features.conv0", 3, 16, 3, stride=2, bias=False)       # 32 -> 16
    x = n.bn(x, "features.norm0", 16)
    x = n.relu(x, "features.relu0")
    x = n.maxpool(x, "features.pool0", 3, 2, pad=1)                              # 16 -> 8

    def block(x, name, cin, layers):
        feats = [x]
        c = cin
        for i in range(1, layers + 1):
            p = f"{name}.denselayer{i}"
            y = n.node("Concat", list(feats), n.scope(p), axis=1)
            y = n.bn(y, f"{p}.norm1", c)
            y = n.relu(y, f"{p}.relu1")
            y = n.conv(y, f"{p}.conv1", c, bn_size * growth, 1, pads=[0] * 4, bias=False)
            y = n.bn(y, f"{p}.norm2", bn_size * growth)
            y = n.relu(y, f"{p}.relu2")
            y = n.conv(y, f"{p}.conv2", bn_size * growth, growth, 3, bias=False)
            feats.append(y)
            c += growth
        return n.node("Concat", feats, n.scope(name), axis=1), c

    x, c = block(x, "features.denseblock1", 16, 3)
    x = n.bn(x, "features.transition1.norm", c)
    x = n.relu(x, "features.transition1.relu")
    x = n.conv(x, "features.transition1.conv", c, c // 2, 1, pads=[0] * 4, bias=False)
    x = n.avgpool(x, "features.transition1.pool", 2, 2)                          # 8 -> 4
    x, c = block(x, "features.denseblock2", c // 2, 2)
    x = n.bn(x, "features.norm5", c)
    x = n.g.node("Relu", [x], "/Relu")
    x = n.g.node("GlobalAveragePool", [x], "/GlobalAveragePool")
    x = n.g.node("Flatten", [x], "/Flatten", axis=1)
    n.gemm(x, "classifier", c, 10, LOGIT_GAIN["fam_densenet"])
    return n.finish("fam_densenet", 32, 10, "DenseNet-style tiny network (dense blocks: Concat of all earlier "
                    "features, BN+Relu+Conv; transition with AveragePool 2x2), 32x32, torch form; 10 logits; "
                    f"seed family {SEED_DENSENET}", softmax=False)


def make_vgg_bn():
    """torchvision vgg11_bn in miniature: convs 8,M,16,M,16,16,M,32,32,M,32,32,M, each
    Conv 3x3 + BN + Relu, MaxPool 2x2/2; Flatten (32x1x1), Gemm 32-32, Relu, Dropout,
    Gemm 32-10, Softmax."""
    n = Net(SEED_VGG_BN)
    cfg = [8, "M", 16, "M", 16, 16, "M", 32, 32, "M", 32, 32, "M"]
    x, c, i = "input", 3, 0
    for v in cfg:
        if v == "M":
            x = n.maxpool(x, f"features.{i}", 2, 2)
            i += 1
            continue
        x = n.conv(x, f"features.{i}", c, v, 3)
        x = n.bn(x, f"features.{i + 1}", v)
        x = n.relu(x, f"features.{i + 2}")
        i += 3
        c = v
    x = n.g.node("Flatten", [x], "/Flatten", axis=1)
    x = n.gemm(x, "classifier.0", c, 32)
    x = n.relu(x, "classifier.1")
    x = n.dropout(x, "classifier.2")
    n.gemm(x, "classifier.3", 32, 10, LOGIT_GAIN["fam_vgg_bn"])
    return n.finish("fam_vgg_bn", 32, 10, "VGG-11-BN-style tiny network (8 x Conv+BN+Relu, 5 MaxPool, "
                    "Flatten, Gemm+Relu+Dropout+Gemm), 32x32, torch form; Softmax over 10 classes; "
                    f"seed family {SEED_VGG_BN}", softmax=True)


def make_fcn():
    """FCN-16s in miniature on a VGG-style encoder: Conv 3x3 + Relu and MaxPool 2x2/2
    three times (3 -> 8 -> 16 -> 32 channels, 32x32 -> 4x4); score_fr, a 1x1 conv to 5
    classes; upscore2, ConvTranspose 3x3 stride 2 pad 1 output_padding 1 (4x4 -> 8x8,
    no bias); score_pool2, a 1x1 conv on the 8x8 features, added to it; upscore8,
    ConvTranspose 8x8 stride 4 pad 2, depthwise (group 5) with bias (8x8 -> 32x32).
    Output: per-pixel scores [N, 5, 32, 32]."""
    n = Net(SEED_FCN)
    x, c, feats = "input", 3, []
    for i, v in enumerate([8, 16, 32]):
        x = n.conv(x, f"features.{3 * i}", c, v, 3)
        x = n.relu(x, f"features.{3 * i + 1}")
        x = n.maxpool(x, f"features.{3 * i + 2}", 2, 2)
        feats.append(x)
        c = v
    k = 5
    score = n.conv(x, "score_fr", c, k, 1, pads=[0] * 4)
    up = n.conv_transpose(score, "upscore2", k, k, 3, 2, 1, output_padding=1)
    skip = n.conv(feats[1], "score_pool2", 16, k, 1, pads=[0] * 4)
    fuse = n.g.node("Add", [up, skip], "/Add")
    n.conv_transpose(fuse, "upscore8", k, k, 8, 4, 2, group=k, bias=True,
                     gain=LOGIT_GAIN["fam_fcn"])
    return n.finish("fam_fcn", 32, k, "FCN-16s-style tiny segmentation network (VGG-style "
                    "encoder, 1x1 score convs, ConvTranspose upsampling with a skip Add), 32x32, "
                    f"torch form; per-pixel scores for 5 classes; seed family {SEED_FCN}",
                    softmax=False, out_dims=[BATCH, k, 32, 32])


def make_convnext():
    """ConvNeXt in miniature: stem Conv 4x4/4 (3 -> 16) + LayerNorm2d; two blocks at 16
    channels (8x8); downsample LayerNorm2d + Conv 2x2/2 (16 -> 32); one block at 32
    (4x4); GlobalAveragePool, Flatten, LayerNorm, Gemm 32-10.  A block: depthwise Conv
    7x7 pad 3, Transpose to NHWC, LayerNormalization (eps 1e-6), Linear c -> 4c, GELU,
    Linear 4c -> c, layer scale (Mul by gamma), Transpose back, residual Add."""
    n = Net(SEED_CONVNEXT)

    def block(x, name, c):
        y = n.conv(x, f"{name}.dwconv", c, c, 7, group=c)
        y = n.node("Transpose", [y], n.scope(name), "_0", perm=[0, 2, 3, 1])
        y = n.layer_norm(y, f"{name}.norm", c)
        y = n.linear(y, f"{name}.pwconv1", c, 4 * c)
        y = n.gelu(y, f"{name}.act")
        y = n.linear(y, f"{name}.pwconv2", 4 * c, c)
        gamma = n.g.init(f"{name}.gamma", np.full(c, 0.5, np.float32))
        y = n.node("Mul", [y, gamma], n.scope(name))
        y = n.node("Transpose", [y], n.scope(name), "_1", perm=[0, 3, 1, 2])
        return n.node("Add", [x, y], n.scope(name))

    x = n.conv("input", "downsample_layers.0.0", 3, 16, 4, stride=4, pads=[0] * 4)
    x = n.layer_norm2d(x, "downsample_layers.0.1", 16)
    x = block(x, "stages.0.0", 16)
    x = block(x, "stages.0.1", 16)
    x = n.layer_norm2d(x, "downsample_layers.1.0", 16)
    x = n.conv(x, "downsample_layers.1.1", 16, 32, 2, stride=2, pads=[0] * 4)
    x = block(x, "stages.1.0", 32)
    x = n.gap_flatten(x)
    x = n.layer_norm(x, "norm", 32)
    n.gemm(x, "head", 32, 10, LOGIT_GAIN["fam_convnext"])
    return n.finish("fam_convnext", 32, 10, "ConvNeXt-style tiny network (patchify stem, "
                    "depthwise 7x7 blocks with LayerNormalization, GELU and layer scale, "
                    "residual Add), 32x32, torch form, opset 17; 10 logits; "
                    f"seed family {SEED_CONVNEXT}", softmax=False, opset=17)


def make_unet():
    """U-Net in miniature on VGG-style blocks: enc1 Conv 3x3 + Relu twice (3 -> 8, 32x32),
    MaxPool 2x2/2, enc2 Conv + Relu (8 -> 16, 16x16), MaxPool, mid Conv + Relu (16 -> 32,
    8x8); up2 Resize x2 bilinear as torch's nn.Upsample(mode="bilinear") exports it
    (linear, pytorch_half_pixel, scales from a Constant, an empty roi), Concat with enc2,
    dec2 Conv + Relu (48 -> 16); up1 Resize x2 nearest as F.interpolate(mode="nearest")
    (asymmetric, floor), Concat with enc1, dec1 Conv + Relu (24 -> 8); head Conv 1x1 to
    3 classes.  Output: per-pixel scores [N, 3, 32, 32]."""
    n = Net(SEED_UNET)
    empty = np.zeros(0, np.float32)
    scale2 = np.array([1, 1, 2, 2], np.float32)

    def conv_relu(x, name, cin, cout):
        return n.relu(n.conv(x, f"{name}.conv", cin, cout, 3), f"{name}.relu")

    e1 = conv_relu(conv_relu("input", "enc1.0", 3, 8), "enc1.1", 8, 8)
    e2 = conv_relu(n.maxpool(e1, "pool1", 2, 2), "enc2", 8, 16)
    mid = conv_relu(n.maxpool(e2, "pool2", 2, 2), "mid", 16, 32)
    up2 = n.node("Resize", [mid, n.constant("/up2", empty), n.constant("/up2", scale2)],
                 "/up2", mode="linear", coordinate_transformation_mode="pytorch_half_pixel",
                 nearest_mode="floor", cubic_coeff_a=-0.75)
    d2 = conv_relu(n.g.node("Concat", [up2, e2], "/Concat", axis=1), "dec2", 48, 16)
    up1 = n.node("Resize", [d2, n.constant("/up1", empty), n.constant("/up1", scale2)],
                 "/up1", mode="nearest", coordinate_transformation_mode="asymmetric",
                 nearest_mode="floor", cubic_coeff_a=-0.75)
    d1 = conv_relu(n.g.node("Concat", [up1, e1], "/Concat_1", axis=1), "dec1", 24, 8)
    n.conv(d1, "head", 8, 3, 1, pads=[0] * 4, gain=LOGIT_GAIN["fam_unet"])
    return n.finish("fam_unet", 32, 3, "U-Net-style tiny segmentation network (VGG-style "
                    "blocks, bilinear and nearest Resize x2 upsampling with Concat skips), "
                    f"32x32, torch form; per-pixel scores for 3 classes; seed family {SEED_UNET}",
                    softmax=False, out_dims=[BATCH, 3, 32, 32])


MODELS = {
    "fam_alexnet": make_alexnet,
    "fam_resnet": make_resnet,
    "fam_squeezenet": make_squeezenet,
    "fam_inception": make_inception,
    "fam_mobilenet": make_mobilenet,
    "fam_shufflenet": make_shufflenet,
    "fam_densenet": make_densenet,
    "fam_vgg_bn": make_vgg_bn,
    "fam_fcn": make_fcn,
    "fam_convnext": make_convnext,
    "fam_unet": make_unet,
}


def main(argv):
    ap = argparse.ArgumentParser(description="Write vggc's family test models (tiny AlexNet, ResNet, ... "
                                             "networks) into OUTDIR.")
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
            onnx.checker.check_model(model, full_check=True)
        path = os.path.join(args.outdir, name + ".onnx")
        tmp = path + ".tmp"
        onnx.save(model, tmp)
        os.replace(tmp, path)  # a half-written model never has the real name
        size = os.path.getsize(path)
        print(f"gen_family: {path} ({size / 1e3:.1f} kB, {time.perf_counter() - t0:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
