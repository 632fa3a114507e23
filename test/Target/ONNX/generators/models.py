#!/usr/bin/python3
"""Makes the ONNX inputs of test/Target/ONNX.

* torch/<name>/: models exported by torch.onnx.export (torch 1.13, opset 13)
  for CrossEntropyLoss, NLLLoss, BCEWithLogitsLoss and KLDivLoss, laid out as
  ONNX backend test directories (model.onnx, test_data_set_0/input_*.pb and
  output_*.pb); the outputs are what torch computes on the inputs.
* torch/linear_*: a linear layer feeding CrossEntropyLoss (Gemm, or
  Transpose + MatMul + Add, or a batched MatMul), the graphs
  loss-fuse-linear-cross-entropy fuses after import (made last, from a
  generator of their own, so that the other files stay as they were).
* bad/*.onnx: malformed models (unknown op, missing input, no shapes, ...).

Run with Debian's /usr/bin/python3 (python3-torch, python3-onnx).
"""

import io
import os
import shutil

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "Inputs")
torch.manual_seed(7)


def export(name, module, inputs, input_names):
    d = os.path.join(OUT, "torch", name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "test_data_set_0"))
    buf = io.BytesIO()
    torch.onnx.export(module, tuple(inputs), buf, opset_version=13,
                      input_names=input_names, output_names=["loss"])
    with open(os.path.join(d, "model.onnx"), "wb") as f:
        f.write(buf.getvalue())
    with torch.no_grad():
        out = module(*inputs)
    for i, (t, n) in enumerate(zip(inputs, input_names)):
        p = numpy_helper.from_array(t.numpy(), n)
        with open(os.path.join(d, "test_data_set_0", "input_%d.pb" % i), "wb") as f:
            f.write(p.SerializeToString())
        # The same inputs as NumPy files, for loss-run --input.
        np.save(os.path.join(d, "%s.npy" % n), t.numpy())
    p = numpy_helper.from_array(out.numpy(), "loss")
    with open(os.path.join(d, "test_data_set_0", "output_0.pb"), "wb") as f:
        f.write(p.SerializeToString())
    print("wrote", os.path.relpath(d))


class WithTarget(torch.nn.Module):
    def __init__(self, loss):
        super().__init__()
        self.loss = loss

    def forward(self, x, t):
        return self.loss(x, t)


def torch_models():
    x = torch.randn(4, 5)
    t = torch.tensor([1, 0, 4, 2])
    w = torch.rand(5) + 0.1
    export("cross_entropy_mean", WithTarget(torch.nn.CrossEntropyLoss()), [x, t], ["x", "t"])
    export("cross_entropy_weight_ii_sum",
           WithTarget(torch.nn.CrossEntropyLoss(weight=w, ignore_index=2, reduction="sum")),
           [x, t], ["x", "t"])
    x3 = torch.randn(2, 3, 4)
    t3 = torch.randint(0, 3, (2, 4))
    export("cross_entropy_k1_none", WithTarget(torch.nn.CrossEntropyLoss(reduction="none")),
           [x3, t3], ["x", "t"])
    lp = torch.log_softmax(torch.randn(4, 5), 1)
    export("nll_mean", WithTarget(torch.nn.NLLLoss()), [lp, t], ["x", "t"])
    export("nll_weight_none", WithTarget(torch.nn.NLLLoss(weight=w, reduction="none")),
           [lp, t], ["x", "t"])
    logits = torch.randn(3, 4) * 3
    y = torch.rand(3, 4).round()
    export("bce_with_logits_mean", WithTarget(torch.nn.BCEWithLogitsLoss()),
           [logits, y], ["x", "t"])
    export("bce_with_logits_pos_weight_sum",
           WithTarget(torch.nn.BCEWithLogitsLoss(pos_weight=torch.rand(4) + 0.5,
                                                 reduction="sum")),
           [logits, y], ["x", "t"])
    q = torch.log_softmax(torch.randn(3, 4), 1)
    p = torch.softmax(torch.randn(3, 4), 1)
    export("kl_div_batchmean", WithTarget(torch.nn.KLDivLoss(reduction="batchmean")),
           [q, p], ["x", "t"])
    export("kl_div_log_target_sum",
           WithTarget(torch.nn.KLDivLoss(reduction="sum", log_target=True)),
           [q, torch.log(p)], ["x", "t"])


class LinearCE(torch.nn.Module):
    """nn.Linear then CrossEntropyLoss: exported as Gemm(transB=1) with the
    layer's weight and bias as initializers, then SoftmaxCrossEntropyLoss."""

    def __init__(self, h, v, **kw):
        super().__init__()
        self.lin = torch.nn.Linear(h, v)
        self.loss = torch.nn.CrossEntropyLoss(**kw)

    def forward(self, x, t):
        return self.loss(self.lin(x), t)


class MatMulCE(torch.nn.Module):
    """h @ w.T + b with the weight and bias as graph inputs: Transpose,
    MatMul, Add, then SoftmaxCrossEntropyLoss."""

    def __init__(self, **kw):
        super().__init__()
        self.loss = torch.nn.CrossEntropyLoss(**kw)

    def forward(self, h, w, b, t):
        return self.loss(h @ w.t() + b, t)


class BatchedCE(torch.nn.Module):
    """A batch of sequences [B, T, H] through a bias-free linear layer (a
    batched MatMul), flattened to [B * T, V] for the loss."""

    def __init__(self, h, v):
        super().__init__()
        self.lin = torch.nn.Linear(h, v, bias=False)
        self.loss = torch.nn.CrossEntropyLoss()

    def forward(self, x, t):
        logits = self.lin(x)
        return self.loss(logits.reshape(-1, logits.shape[-1]), t.reshape(-1))


def linear_models():
    g = torch.Generator().manual_seed(11)
    torch.manual_seed(11)
    h = torch.randn(8, 16, generator=g)
    t = torch.randint(0, 37, (8,), generator=g)
    export("linear_cross_entropy", LinearCE(16, 37), [h, t], ["h", "t"])
    w = torch.randn(37, 16, generator=g) * 0.3
    b = torch.randn(37, generator=g)
    cw = torch.rand(37, generator=g) + 0.1
    t2 = t.clone()
    t2[3] = 5
    export("linear_matmul_weight_ii_sum",
           MatMulCE(weight=cw, ignore_index=5, reduction="sum"),
           [h, w, b, t2], ["h", "w", "b", "t"])
    x3 = torch.randn(2, 5, 16, generator=g)
    t3 = torch.randint(0, 37, (2, 5), generator=g)
    export("linear_batched_matmul", BatchedCE(16, 37), [x3, t3], ["x", "t"])


def backend_dir(name, model, inputs, outputs):
    """Writes an ONNX backend test directory under Inputs/opset/."""
    d = os.path.join(OUT, "opset", name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "test_data_set_0"))
    with open(os.path.join(d, "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())
    for kind, tensors in (("input", inputs), ("output", outputs)):
        for i, t in enumerate(tensors):
            p = numpy_helper.from_array(t.numpy(), "%s_%d" % (kind, i))
            with open(os.path.join(d, "test_data_set_0", "%s_%d.pb" % (kind, i)), "wb") as f:
                f.write(p.SerializeToString())
    print("wrote", os.path.relpath(d))


def opset12_models():
    """Softmax/LogSoftmax before opset 13 coerce the input to 2-D at `axis`
    ([prod(d[:axis]), prod(d[axis:])]); the expected values are torch's
    softmax of that 2-D view."""
    x = torch.randn(2, 3, 4)
    for op, fn in (("Softmax", torch.softmax), ("LogSoftmax", torch.log_softmax)):
        for axis in (1, 2, -1, 0):
            a = axis % 3
            flat = x.reshape(int(torch.tensor(x.shape[:a]).prod()) if a else 1, -1)
            want = fn(flat.double(), 1).float().reshape(x.shape)
            xi = helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))
            yo = helper.make_tensor_value_info("y", TensorProto.FLOAT, list(x.shape))
            g = helper.make_graph([helper.make_node(op, ["x"], ["y"], axis=axis)],
                                  "opset12", [xi], [yo])
            m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 12)])
            backend_dir(("%s_opset12_axis%d" % (op.lower(), axis)).replace("-", "m"),
                        m, [x], [want])
    # SoftmaxCrossEntropyLoss exists since opset 12.
    s = torch.randn(3, 5)
    t = torch.tensor([1, 4, 0])
    want = torch.nn.functional.cross_entropy(s.double(), t, reduction="sum").float()
    si = helper.make_tensor_value_info("s", TensorProto.FLOAT, [3, 5])
    ti = helper.make_tensor_value_info("t", TensorProto.INT64, [3])
    lo = helper.make_tensor_value_info("l", TensorProto.FLOAT, [])
    g = helper.make_graph([helper.make_node("SoftmaxCrossEntropyLoss", ["s", "t"], ["l"],
                                            reduction="sum")],
                          "sce12", [si, ti], [lo])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 12)])
    backend_dir("sce_opset12_sum", m, [s, t], [want])


def save(model, name):
    path = os.path.join(OUT, "bad", name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    print("wrote", os.path.relpath(path))


def bad_models():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 5])
    y = helper.make_tensor_value_info("y", TensorProto.INT64, [3])
    z = helper.make_tensor_value_info("z", TensorProto.FLOAT, [])
    opset = [helper.make_opsetid("", 13)]

    g = helper.make_graph([helper.make_node("Gelu", ["x"], ["z"], name="my_gelu")],
                          "unknown_op", [x], [z])
    save(helper.make_model(g, opset_imports=opset), "unknown_op.onnx")

    g = helper.make_graph(
        [helper.make_node("SoftmaxCrossEntropyLoss", ["x", "labels"], ["z"], name="sce")],
        "missing_input", [x], [z])
    save(helper.make_model(g, opset_imports=opset), "missing_input.onnx")

    xs = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 5])
    g = helper.make_graph(
        [helper.make_node("SoftmaxCrossEntropyLoss", ["x", "y"], ["z"], name="sce")],
        "symbolic_dim", [xs, y], [z])
    save(helper.make_model(g, opset_imports=opset), "symbolic_dim.onnx")

    g = helper.make_graph(
        [helper.make_node("SoftmaxCrossEntropyLoss", ["x", "y"], ["z"], name="sce",
                          reduction="average")],
        "bad_reduction", [x, y], [z])
    save(helper.make_model(g, opset_imports=opset), "bad_reduction.onnx")

    y2 = helper.make_tensor_value_info("y", TensorProto.INT64, [4])
    g = helper.make_graph(
        [helper.make_node("NegativeLogLikelihoodLoss", ["x", "y"], ["z"], name="nll")],
        "shape_mismatch", [x, y2], [z])
    save(helper.make_model(g, opset_imports=opset), "shape_mismatch.onnx")

    g = helper.make_graph([helper.make_node("SoftmaxCrossEntropyLoss", ["x", "y"], [])],
                          "no_output", [x, y], [z])
    save(helper.make_model(g, opset_imports=opset), "no_output.onnx")

    # Opset 7 (once refused, now imported) with a wrong output shape ([]
    # declared, [3, 5] produced), which libonnx's shape inference rejects.
    g = helper.make_graph([helper.make_node("Relu", ["x"], ["z"], name="r")],
                          "old_opset", [x], [z])
    save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 7)]), "old_opset.onnx")


if __name__ == "__main__":
    torch_models()
    opset12_models()
    bad_models()
    linear_models()
