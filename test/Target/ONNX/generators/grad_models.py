#!/usr/bin/python3
"""Forward-only ONNX loss models for `loss-run --grad` (grad.test).

    /usr/bin/python3 grad_models.py make OUT    # OUT/<case>/{model.onnx,*.npy}
    /usr/bin/python3 grad_models.py check OUT   # compares OUT/<case>/out/*.npy

`make` builds each model with onnx.helper (standard ops only: the models
carry no gradient), its inputs, and the expected loss and gradients from
torch.autograd in float64 (expected/<name>.npy, named as loss-run names the
value-and-grad results: the graph's outputs, then grad_<input>). `check`
prints "PASS <case>" or "FAIL <case>: ..." per case after loss-run has
written its results to OUT/<case>/out/.

Run with Debian's /usr/bin/python3 (python3-torch, python3-onnx).
"""

import os
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import helper, numpy_helper

rng = np.random.RandomState(5)
F64 = torch.float64


def vi(name, array):
    return helper.make_tensor_value_info(
        name, onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[array.dtype], list(array.shape))


def save_case(out, name, nodes, inputs, outputs, inits, expected):
    """inputs: (name, array) fed at run time; outputs: (name, array-like)
    for the graph's output types; expected: name -> float64 array."""
    d = os.path.join(out, name)
    os.makedirs(os.path.join(d, "expected"), exist_ok=True)
    g = helper.make_graph(nodes, name, [vi(n, a) for n, a in inputs],
                          [vi(n, a) for n, a in outputs], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)],
                          producer_name="grad_models.py")
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(d, "model.onnx"))
    for n, a in inputs:
        np.save(os.path.join(d, n + ".npy"), a)
    for n, a in expected.items():
        np.save(os.path.join(d, "expected", n + ".npy"), a)


def grads(fn, arrays, wrt):
    ts = {k: torch.from_numpy(v).to(F64 if v.dtype.kind == "f" else torch.int64)
          for k, v in arrays.items()}
    for k in wrt:
        ts[k].requires_grad_()
    loss = fn(**ts)
    gs = torch.autograd.grad(loss.sum(), [ts[k] for k in wrt])
    return loss.detach().numpy(), {("grad_" + k): g.numpy()
                                  for k, g in zip(wrt, gs)}


def make(out):
    # SoftmaxCrossEntropyLoss with a weight and ignore_index: the weight is an
    # initializer (no gradient), the logits an input.
    for dtype in (np.float32, np.float64):
        sfx = "f32" if dtype == np.float32 else "f64"
        x = rng.randn(5, 7).astype(dtype)
        t = np.array([0, 3, 1, 6, 1], np.int64)
        w = (rng.rand(7) + 0.2).astype(dtype)
        node = helper.make_node("SoftmaxCrossEntropyLoss", ["x", "t", "w"],
                                ["loss"], ignore_index=1, name="sce")
        loss, g = grads(lambda x, t, w: F.cross_entropy(x, t, weight=w,
                                                        ignore_index=1),
                        {"x": x, "t": t, "w": w}, ["x"])
        save_case(out, "sce_weight_ii_" + sfx, [node], [("x", x), ("t", t)],
                  [("loss", np.zeros((), dtype))],
                  [numpy_helper.from_array(w, "w")], dict(loss=loss, **g))

    # K-dim, sum, and the log_prob output also returned.
    x = rng.randn(2, 4, 3).astype(np.float32)
    t = rng.randint(0, 4, (2, 3)).astype(np.int64)
    node = helper.make_node("SoftmaxCrossEntropyLoss", ["x", "t"],
                            ["loss", "log_prob"], reduction="sum", name="sce")
    loss, g = grads(lambda x, t: F.cross_entropy(x, t, reduction="sum"),
                    {"x": x, "t": t}, ["x"])
    lp = F.log_softmax(torch.from_numpy(x).to(F64), 1).numpy()
    save_case(out, "sce_kdim_sum", [node], [("x", x), ("t", t)],
              [("loss", np.zeros((), np.float32)), ("log_prob", x)], [],
              {"loss": loss, "log_prob": lp, **g})

    # NegativeLogLikelihoodLoss(LogSoftmax(x)) plus half an MSE-like term
    # spelled with a second cross entropy: a weighted sum of two losses.
    x = rng.randn(6, 5).astype(np.float32)
    y = rng.randn(6, 5).astype(np.float32)
    t = rng.randint(0, 5, (6,)).astype(np.int64)
    nodes = [
        helper.make_node("LogSoftmax", ["x"], ["lp"], axis=1, name="ls"),
        helper.make_node("NegativeLogLikelihoodLoss", ["lp", "t"], ["l1"],
                         name="nll"),
        helper.make_node("SoftmaxCrossEntropyLoss", ["y", "t"], ["l2"],
                         name="sce"),
        helper.make_node("Mul", ["l2", "half"], ["l2h"], name="scale"),
        helper.make_node("Add", ["l1", "l2h"], ["loss"], name="sum"),
    ]
    loss, g = grads(lambda x, y, t: (F.nll_loss(F.log_softmax(x, 1), t)
                                     + 0.5 * F.cross_entropy(y, t)),
                    {"x": x, "y": y, "t": t}, ["x", "y"])
    save_case(out, "nll_plus_half_sce", nodes,
              [("x", x), ("y", y), ("t", t)],
              [("loss", np.zeros((), np.float32))],
              [numpy_helper.from_array(np.array(0.5, np.float32), "half")],
              dict(loss=loss, **g))


def check(out):
    for case in sorted(os.listdir(out)):
        d = os.path.join(out, case)
        if not os.path.isdir(os.path.join(d, "expected")):
            continue
        errors = []
        for f in sorted(os.listdir(os.path.join(d, "expected"))):
            want = np.load(os.path.join(d, "expected", f))
            path = os.path.join(d, "out", f)
            if not os.path.exists(path):
                errors.append("no output " + f)
                continue
            got = np.load(path)
            rtol, atol = (1e-5, 1e-6) if got.dtype == np.float32 else (1e-12, 1e-14)
            if got.shape != want.shape or not np.allclose(
                    got.astype(np.float64), want, rtol=rtol, atol=atol):
                errors.append("%s differs: got %s, want %s" % (f, got, want))
        print("PASS %s" % case if not errors else
              "FAIL %s: %s" % (case, "; ".join(errors)))


if __name__ == "__main__":
    {"make": make, "check": check}[sys.argv[1]](sys.argv[2])
