#!/usr/bin/python3
"""Makes the models of test/Target/ONNX/ort-training.test, at test time.

    /usr/bin/python3 ort_training.py OUT

writes, built with onnx.helper, ONNX backend test directories
(model.onnx, test_data_set_0/input_*.pb and output_*.pb) under
OUT/models/<group>/<name>/, one group per tolerance, of ONNX Runtime's
training-graph cross-entropy nodes (schemas of
orttraining/core/graph/training_op_defs.cc):

* com.microsoft SoftmaxCrossEntropyLossGrad: every reduction, with and
  without class weights and ignore_index, 2-D and K-dim, f32 and f64 (all
  combinations), f16 and bf16 (a subset), int32 labels, a negative
  ignore_index present in the labels, a [1]-shaped dY;
* com.microsoft SoftmaxCrossEntropyLossInternal / ...InternalGrad: the
  ignore_index as an initializer (and a Constant node), output_type (f16
  scores computed in f32; an f32 gradient written in f16), the bias input;
* com.microsoft SoftmaxCrossEntropy / SoftmaxCrossEntropyGrad (probability
  labels, classes last) and the default-domain SparseSoftmaxCrossEntropy /
  SparseSoftmaxCrossEntropyGrad (index labels, per-sample weights), every
  reduction, 2-D and 3-D, f32 and f64 (the sparse pair also at opset 9);
* training graphs: the standard SoftmaxCrossEntropyLoss producing log_prob,
  a SoftmaxCrossEntropyLossGrad consuming it (and the Internal pair), run
  end to end (one with an SGD step of standard nodes on the gradient), also
  at opset 21 with IR version 10.

Every float input is rounded to its element type first; the expected
values are computed by PyTorch in float64 from those rounded values: the
gradients are torch.autograd.grad of F.cross_entropy with respect to the
logits whose log_softmax the model is fed (as ONNX Runtime's graphs feed
the forward's log_prob to the gradient node).

OUT/bad/*.onnx are malformed nodes the importer must reject, naming them.

Run with Debian's /usr/bin/python3 (python3-torch, python3-onnx).
"""

import os
import shutil
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

MS = "com.microsoft"
DT = {
    "f32": (torch.float32, TensorProto.FLOAT),
    "f64": (torch.float64, TensorProto.DOUBLE),
    "f16": (torch.float16, TensorProto.FLOAT16),
    "bf16": (torch.bfloat16, TensorProto.BFLOAT16),
}
gen = torch.Generator().manual_seed(20261202)


def randn(*shape, scale=2.0):
    return torch.randn(*shape, generator=gen, dtype=torch.float64) * scale


def rand(*shape):
    return torch.rand(*shape, generator=gen, dtype=torch.float64)


def labels(shape, classes, must=()):
    """Class indices in [0, classes), every value of `must` present."""
    t = torch.randint(0, classes, shape, generator=gen)
    flat = t.view(-1)
    for i, v in enumerate(must):
        flat[2 * i + 1] = v
    return t


def rounded(t, dt):
    """float64 values representable in `dt`."""
    return t.to(DT[dt][0]).double()


def proto(name, t, dt=None):
    """A TensorProto: floats as `dt`, integers as they are."""
    if dt is None:
        return numpy_helper.from_array(t.numpy(), name)
    v = t.detach().to(DT[dt][0])
    if dt == "bf16":  # numpy has no bfloat16: raw little-endian bits
        p = TensorProto()
        p.name = name
        p.data_type = TensorProto.BFLOAT16
        p.dims.extend(list(v.shape))
        p.raw_data = v.view(torch.int16).numpy().tobytes()
        return p
    return numpy_helper.from_array(v.numpy(), name)


class Model:
    """A graph of training nodes with its inputs and expected outputs."""

    def __init__(self, opset=13, ms=True, ir_version=None):
        self.opset, self.ms, self.ir_version = opset, ms, ir_version
        self.nodes, self.inputs, self.outputs, self.inits = [], [], [], []
        self.names = set()

    def inp(self, name, t, dt=None):
        if name not in self.names:
            self.names.add(name)
            self.inputs.append(proto(name, t, dt))
        return name

    def init(self, name, t):
        self.inits.append(proto(name, t))
        return name

    def out(self, name, t, dt):
        self.outputs.append(proto(name, t, dt))
        return name

    def node(self, op, ins, outs, name, domain="", **attrs):
        self.nodes.append(helper.make_node(op, ins, outs, name=name,
                                           domain=domain, **attrs))

    def model(self):
        vi = lambda p: helper.make_tensor_value_info(p.name, p.data_type,
                                                     list(p.dims))
        g = helper.make_graph(self.nodes, "ort_training",
                              [vi(p) for p in self.inputs],
                              [vi(p) for p in self.outputs], self.inits)
        opsets = [helper.make_opsetid("", self.opset)]
        if self.ms:
            opsets.append(helper.make_opsetid(MS, 1))
        m = helper.make_model(g, opset_imports=opsets,
                              producer_name="ort_training.py")
        if self.ir_version is not None:
            m.ir_version = self.ir_version
        return m

    def write(self, out, group, name, check=True):
        d = os.path.join(out, "models", group, name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(os.path.join(d, "test_data_set_0"))
        m = self.model()
        # libonnx's Python checker knows com.microsoft nodes as custom ones;
        # it rejects the default-domain SparseSoftmaxCrossEntropy*.
        if check and self.opset <= onnx.defs.onnx_opset_version():
            onnx.checker.check_model(m)
        with open(os.path.join(d, "model.onnx"), "wb") as f:
            f.write(m.SerializeToString())
        for kind, tensors in (("input", self.inputs), ("output", self.outputs)):
            for i, p in enumerate(tensors):
                path = os.path.join(d, "test_data_set_0", "%s_%d.pb" % (kind, i))
                with open(path, "wb") as f:
                    f.write(p.SerializeToString())


def grad_of(fn, x, g):
    """torch.autograd.grad of fn(x) at x with grad_output g (float64)."""
    x = x.clone().requires_grad_()
    (gx,) = torch.autograd.grad(fn(x), x, grad_outputs=g)
    return gx


def ce(x, t, w, ii, red):
    kw = {}
    if w is not None:
        kw["weight"] = w
    if ii is not None:
        kw["ignore_index"] = ii
    return F.cross_entropy(x, t, reduction=red, **kw)


REDUCTIONS = ("none", "sum", "mean")


# --- SoftmaxCrossEntropyLossGrad ---------------------------------------------

def problem(dt, shape, ii, extra_labels=()):
    """Logits (rounded to dt), their log_softmax, labels, class weights,
    scalar and per-sample dY."""
    x = rounded(randn(*shape), dt)
    n, c = shape[0], shape[1]
    lshape = (n,) + tuple(shape[2:])
    t = labels(lshape, c, ([ii] if ii is not None else []) + list(extra_labels))
    w = rounded(rand(c) + 0.3, dt)
    dys = rounded(torch.tensor(0.75, dtype=torch.float64), dt)
    dyn = rounded(randn(*lshape, scale=1.0), dt)
    return dict(x=x, lp=torch.log_softmax(x, 1), t=t, w=w, dys=dys, dyn=dyn)


def add_sce_grad(m, dt, tag, p, red, weighted, ii, label_dt=None,
                 omit_default=False, dy_1d=False):
    """One SoftmaxCrossEntropyLossGrad node and its expected gradient."""
    lp = m.inp("lp_" + tag, p["lp"], dt)
    t = p["t"] if label_dt is None else p["t"].to(label_dt)
    tn = m.inp("t_" + tag, t)
    ins = ["dyn_" + tag if red == "none" else "dys_" + tag, lp, tn]
    dy = p["dyn"] if red == "none" else p["dys"]
    m.inp(ins[0], dy.reshape(1) if dy_1d else dy, dt)
    if weighted:
        ins.append(m.inp("w_" + tag, p["w"], dt))
    attrs = {} if omit_default and red == "mean" else {"reduction": red}
    if ii is not None:
        attrs["ignore_index"] = ii
    name = "g_%s_%s%s%s" % (tag, red, "_w" if weighted else "",
                            "_ii" if ii is not None else "")
    m.node("SoftmaxCrossEntropyLossGrad", ins, [name], name, MS, **attrs)
    g = p["dyn"] if red == "none" else p["dys"]
    gx = grad_of(lambda x: ce(x, p["t"], p["w"] if weighted else None, ii,
                              red), p["x"], g)
    m.out(name, gx, dt)


def sce_grad_models(out):
    for dt in ("f32", "f64"):
        m = Model()
        for tag, shape, ii in (("2d", (5, 6), 2), ("kd", (3, 4, 2, 3), 1)):
            p = problem(dt, shape, ii)
            for red in REDUCTIONS:
                for weighted in (False, True):
                    for use_ii in (False, True):
                        add_sce_grad(m, dt, tag, p, red, weighted,
                                     ii if use_ii else None, omit_default=True)
        # A negative ignore_index that the labels hold; int32 labels.
        p = problem(dt, (6, 5), -1)
        add_sce_grad(m, dt, "neg", p, "mean", True, -1)
        p = problem(dt, (4, 7), 3)
        add_sce_grad(m, dt, "i32", p, "sum", True, 3, label_dt=torch.int32)
        p = problem(dt, (3, 5), 4)
        add_sce_grad(m, dt, "dy1", p, "mean", False, 4, dy_1d=True)
        m.write(out, dt, "sce_loss_grad_" + dt)
    for dt in ("f16", "bf16"):
        m = Model()
        p = problem(dt, (5, 6), 2)
        for red in REDUCTIONS:
            add_sce_grad(m, dt, "2d", p, red, True, 2)
        p = problem(dt, (3, 4, 2, 3), 1)
        add_sce_grad(m, dt, "kd", p, "mean", False, 1)
        m.write(out, dt, "sce_loss_grad_" + dt)


# --- SoftmaxCrossEntropyLossInternal / InternalGrad --------------------------

def internal_models(out):
    m = Model()
    dt = "f32"
    for tag, shape, ii in (("2d", (5, 6), 2), ("kd", (3, 4, 2, 3), 1)):
        p = problem(dt, shape, ii)
        x = m.inp("x_" + tag, p["x"], dt)
        lp = m.inp("lp_" + tag, p["lp"], dt)
        t = m.inp("t_" + tag, p["t"])
        w = m.inp("w_" + tag, p["w"], dt)
        iin = m.init("ii_" + tag, torch.tensor(ii, dtype=torch.int64))
        reds = REDUCTIONS if tag == "2d" else ("mean",)
        for red in reds:
            dy = "dyn_" + tag if red == "none" else "dys_" + tag
            m.inp(dy, p["dyn"] if red == "none" else p["dys"], dt)
            g = p["dyn"] if red == "none" else p["dys"]
            # Forward: loss and log_prob.
            lo, lpo = "loss_%s_%s" % (tag, red), "logp_%s_%s" % (tag, red)
            m.node("SoftmaxCrossEntropyLossInternal", [x, t, w, iin], [lo, lpo],
                   "fwd_%s_%s" % (tag, red), MS, reduction=red)
            m.out(lo, ce(p["x"], p["t"], p["w"], ii, red), dt)
            m.out(lpo, p["lp"], dt)
            # Gradient.
            go = "g_%s_%s" % (tag, red)
            m.node("SoftmaxCrossEntropyLossInternalGrad", [dy, lp, t, w, iin],
                   [go], go, MS, reduction=red)
            m.out(go, grad_of(lambda x: ce(x, p["t"], p["w"], ii, red),
                              p["x"], g), dt)
    # No weight, no ignore_index; an ignore_index from a Constant node; the
    # bias input (added to the gradient, reshaped, without broadcasting).
    p = problem(dt, (4, 5), 0)
    x, lp, t = (m.inp("x_b", p["x"], dt), m.inp("lp_b", p["lp"], dt),
                m.inp("t_b", p["t"]))
    m.inp("dys_b", p["dys"], dt)
    m.node("SoftmaxCrossEntropyLossInternal", [x, t], ["loss_plain"],
           "fwd_plain", MS)
    m.out("loss_plain", ce(p["x"], p["t"], None, None, "mean"), dt)
    m.node("Constant", [], ["ii_const"], "ii_const",
           value=proto("v", torch.tensor(0, dtype=torch.int64)))
    m.node("SoftmaxCrossEntropyLossInternal", [x, t, "", "ii_const"],
           ["loss_const_ii"], "fwd_const_ii", MS, reduction="sum")
    m.out("loss_const_ii", ce(p["x"], p["t"], None, 0, "sum"), dt)
    bias = rounded(randn(20, scale=0.1), dt)
    m.inp("bias_b", bias, dt)
    m.node("SoftmaxCrossEntropyLossInternalGrad",
           ["dys_b", lp, t, "", "ii_const", "bias_b"], ["g_bias"], "g_bias",
           MS, reduction="mean")
    m.out("g_bias", grad_of(lambda x: ce(x, p["t"], None, 0, "mean"), p["x"],
                            p["dys"]) + bias.view(4, 5), dt)
    # output_type: f16 scores, loss and log_prob computed and written in f32.
    p = problem("f16", (4, 6), 1)
    x = m.inp("x_h", p["x"], "f16")
    t = m.inp("t_h", p["t"])
    w = m.inp("w_h", p["w"], "f16")
    iin = m.init("ii_h", torch.tensor(1, dtype=torch.int64))
    m.node("SoftmaxCrossEntropyLossInternal", [x, t, w, iin],
           ["loss_h", "logp_h"], "fwd_h", MS, reduction="mean",
           output_type=TensorProto.FLOAT)
    m.out("loss_h", ce(p["x"], p["t"], p["w"], 1, "mean"), "f32")
    m.out("logp_h", p["lp"], "f32")
    m.write(out, "f32", "sce_internal_f32")

    # output_type FLOAT16 of an f32 gradient (mixed precision: the gradient
    # goes back to f16 logits), with an f16 bias: f16 tolerance.
    m = Model()
    p = problem("f32", (5, 6), 2)
    lp, t, w = (m.inp("lp", p["lp"], "f32"), m.inp("t", p["t"]),
                m.inp("w", p["w"], "f32"))
    iin = m.init("ii", torch.tensor(2, dtype=torch.int64))
    bias = rounded(randn(5, 6, scale=0.1), "f16")
    m.inp("bias", bias, "f16")
    for red in REDUCTIONS:
        dy = m.inp("dy_" + red, p["dyn"] if red == "none" else p["dys"], "f32")
        g = p["dyn"] if red == "none" else p["dys"]
        ins = [dy, lp, t, w, iin] + (["bias"] if red == "sum" else [])
        go = "g_" + red
        m.node("SoftmaxCrossEntropyLossInternalGrad", ins, [go], go, MS,
               reduction=red, output_type=TensorProto.FLOAT16)
        gx = grad_of(lambda x: ce(x, p["t"], p["w"], 2, red), p["x"], g)
        m.out(go, gx + bias if red == "sum" else gx, "f16")
    m.write(out, "f16", "sce_internal_to_f16")


# --- SoftmaxCrossEntropy / SoftmaxCrossEntropyGrad (probability labels) ------

def prob_models(out):
    for dt in ("f32", "f64"):
        m = Model()
        for tag, shape in (("2d", (5, 6)), ("3d", (2, 3, 4))):
            c = shape[-1]
            rows = int(np.prod(shape[:-1]))
            x = rounded(randn(*shape), dt)
            y = rounded(torch.softmax(randn(*shape), -1), dt)
            lp = torch.log_softmax(x, -1)
            dys = rounded(torch.tensor(1.25, dtype=torch.float64), dt)
            dyn = rounded(randn(*shape[:-1], scale=1.0), dt)
            xn, yn, lpn = (m.inp("x_" + tag, x, dt), m.inp("y_" + tag, y, dt),
                           m.inp("lp_" + tag, lp, dt))
            fn = lambda x, red: F.cross_entropy(x.reshape(rows, c),
                                                y.reshape(rows, c),
                                                reduction=red)
            for red in REDUCTIONS:
                lo = "loss_%s_%s" % (tag, red)
                outs = [lo] + (["logp_" + tag] if red == "mean" else [])
                m.node("SoftmaxCrossEntropy", [xn, yn], outs, "fwd_" + lo, MS,
                       reduction=red)
                loss = fn(x, red)
                m.out(lo, loss.reshape(shape[:-1]) if red == "none" else loss,
                      dt)
                if red == "mean":
                    m.out("logp_" + tag, lp, dt)
                dy = "dyn_" + tag if red == "none" else "dys_" + tag
                g = dyn if red == "none" else dys
                m.inp(dy, g, dt)
                go = "g_%s_%s" % (tag, red)
                m.node("SoftmaxCrossEntropyGrad", [dy, lpn, yn], [go], go, MS,
                       reduction=red)
                m.out(go, grad_of(lambda x: fn(x, red),
                                  x, g.reshape(rows) if red == "none" else g),
                      dt)
        m.write(out, dt, "softmax_cross_entropy_" + dt)


# --- SparseSoftmaxCrossEntropy / SparseSoftmaxCrossEntropyGrad ---------------

def sparse_models(out):
    for dt in ("f32", "f64"):
        m = Model(ms=False)
        for tag, shape in (("2d", (5, 6)), ("3d", (2, 3, 4))):
            c = shape[-1]
            rows = int(np.prod(shape[:-1]))
            x = rounded(randn(*shape), dt)
            t = labels(shape[:-1], c)
            w = rounded(rand(*shape[:-1]) + 0.3, dt)
            lp = torch.log_softmax(x, -1)
            dys = rounded(torch.tensor(0.5, dtype=torch.float64), dt)
            dyn = rounded(randn(*shape[:-1], scale=1.0), dt)
            xn, tn, wn, lpn = (m.inp("x_" + tag, x, dt), m.inp("t_" + tag, t),
                               m.inp("w_" + tag, w, dt),
                               m.inp("lp_" + tag, lp, dt))

            def fn(x, red, weighted):
                l = F.cross_entropy(x.reshape(rows, c), t.reshape(rows),
                                    reduction="none")
                if weighted:
                    l = l * w.reshape(rows)
                if red == "none":
                    return l.reshape(shape[:-1])
                if red == "sum":
                    return l.sum()
                return l.sum() / (w.sum() if weighted else rows)

            for red in REDUCTIONS:
                for weighted in (False, True):
                    suffix = "%s_%s%s" % (tag, red, "_w" if weighted else "")
                    lo = "loss_" + suffix
                    outs = [lo] + (["logp_" + suffix] if red == "sum" else [])
                    m.node("SparseSoftmaxCrossEntropy",
                           [xn, tn] + ([wn] if weighted else []), outs,
                           "fwd_" + suffix, reduction=red)
                    m.out(lo, fn(x, red, weighted), dt)
                    if red == "sum":
                        m.out("logp_" + suffix, lp, dt)
                    dy = "dyn_" + tag if red == "none" else "dys_" + tag
                    g = dyn if red == "none" else dys
                    m.inp(dy, g, dt)
                    go = "g_" + suffix
                    m.node("SparseSoftmaxCrossEntropyGrad",
                           [dy, lpn, tn] + ([wn] if weighted else []), [go],
                           go, reduction=red)
                    m.out(go, grad_of(lambda x: fn(x, red, weighted), x, g),
                          dt)
        m.write(out, dt, "sparse_softmax_cross_entropy_" + dt, check=False)


# --- Training graphs: forward producing log_prob, gradient consuming it -----

def training_models(out):
    for dt in ("f32", "f64"):
        m = Model()
        for tag, shape, ii, red, weighted in (("2d", (6, 5), 2, "mean", True),
                                              ("kd", (3, 4, 2, 3), 1, "sum",
                                               False)):
            p = problem(dt, shape, ii)
            x, t = m.inp("x_" + tag, p["x"], dt), m.inp("t_" + tag, p["t"])
            w = [m.inp("w_" + tag, p["w"], dt)] if weighted else []
            dy = m.inp("dy_" + tag, p["dys"], dt)
            lo, lpo, go = "loss_" + tag, "logp_" + tag, "dx_" + tag
            m.node("SoftmaxCrossEntropyLoss", [x, t] + w, [lo, lpo],
                   "sce_" + tag, reduction=red, ignore_index=ii)
            m.node("SoftmaxCrossEntropyLossGrad", [dy, lpo, t] + w, [go],
                   "sce_grad_" + tag, MS, reduction=red, ignore_index=ii)
            wt = p["w"] if weighted else None
            m.out(lo, ce(p["x"], p["t"], wt, ii, red), dt)
            gx = grad_of(lambda x: ce(x, p["t"], wt, ii, red), p["x"],
                         p["dys"])
            m.out(go, gx, dt)
            if tag == "2d":
                # Standard nodes consume the gradient: an SGD step.
                lr = rounded(torch.tensor(0.1, dtype=torch.float64), dt)
                m.init("lr", lr.to(DT[dt][0]))
                m.node("Mul", [go, "lr"], ["step"], "scale_grad")
                m.node("Sub", [x, "step"], ["x_new"], "sgd_update")
                m.out("x_new", p["x"] - lr * gx, dt)
        # The Internal pair, ignore_index an initializer.
        p = problem(dt, (4, 6, 3), 5)
        x, t = m.inp("x_int", p["x"], dt), m.inp("t_int", p["t"])
        w, dy = m.inp("w_int", p["w"], dt), m.inp("dy_int", p["dyn"], dt)
        iin = m.init("ii_int", torch.tensor(5, dtype=torch.int64))
        m.node("SoftmaxCrossEntropyLossInternal", [x, t, w, iin],
               ["loss_int", "logp_int"], "sce_int", MS, reduction="none")
        m.node("SoftmaxCrossEntropyLossInternalGrad",
               [dy, "logp_int", t, w, iin], ["dx_int"], "sce_int_grad", MS,
               reduction="none")
        m.out("loss_int", ce(p["x"], p["t"], p["w"], 5, "none"), dt)
        m.out("dx_int", grad_of(lambda x: ce(x, p["t"], p["w"], 5, "none"),
                                p["x"], p["dyn"]), dt)
        m.write(out, dt, "training_graph_" + dt)

    # The newest opset (IR 10, as current exporters write; libonnx 1.12
    # checks a copy at opset 17) and the sparse pair at its first opset, 9.
    dt = "f32"
    m = Model(opset=21, ir_version=10)
    p = problem(dt, (5, 4, 3), 0)
    x, t, w = (m.inp("x", p["x"], dt), m.inp("t", p["t"]),
               m.inp("w", p["w"], dt))
    dy = m.inp("dy", p["dyn"], dt)
    m.node("SoftmaxCrossEntropyLoss", [x, t, w], ["loss", "logp"], "sce",
           reduction="none", ignore_index=0)
    m.node("SoftmaxCrossEntropyLossGrad", [dy, "logp", t, w], ["dx"],
           "sce_grad", MS, reduction="none", ignore_index=0)
    m.out("loss", ce(p["x"], p["t"], p["w"], 0, "none"), dt)
    m.out("dx", grad_of(lambda x: ce(x, p["t"], p["w"], 0, "none"), p["x"],
                        p["dyn"]), dt)
    m.write(out, dt, "training_graph_opset21_f32")
    m = Model(opset=9, ms=False)
    x = rounded(randn(4, 5), dt)
    t = labels((4,), 5)
    dys = rounded(torch.tensor(2.0, dtype=torch.float64), dt)
    xn, tn = m.inp("x", x, dt), m.inp("t", t)
    m.inp("dy", dys, dt)
    m.node("SparseSoftmaxCrossEntropy", [xn, tn], ["loss", "logp"], "fwd")
    m.node("SparseSoftmaxCrossEntropyGrad", ["dy", "logp", tn], ["dx"], "bwd")
    m.out("loss", F.cross_entropy(x, t), dt)
    m.out("dx", grad_of(lambda x: F.cross_entropy(x, t), x, dys), dt)
    m.write(out, dt, "sparse_opset9_f32", check=False)


# --- Malformed nodes ---------------------------------------------------------

def bad_models(out):
    d = os.path.join(out, "bad")
    os.makedirs(d, exist_ok=True)
    F32, I64 = TensorProto.FLOAT, TensorProto.INT64

    def write(name, nodes, inputs, outputs, inits=(), opsets=None):
        vi = lambda n, ty, s: helper.make_tensor_value_info(n, ty, s)
        g = helper.make_graph(nodes, name, [vi(*i) for i in inputs],
                              [vi(*o) for o in outputs], list(inits))
        if opsets is None:
            opsets = [("", 13), (MS, 1)]
        m = helper.make_model(g, opset_imports=[helper.make_opsetid(*o)
                                                for o in opsets])
        with open(os.path.join(d, name + ".onnx"), "wb") as f:
            f.write(m.SerializeToString())

    std = [("dy", F32, []), ("lp", F32, [3, 4]), ("t", I64, [3])]
    dx = [("dx", F32, [3, 4])]

    def grad(name, ins=("dy", "lp", "t"), op="SoftmaxCrossEntropyLossGrad",
             domain=MS, **attrs):
        return helper.make_node(op, list(ins), ["dx"], name=name,
                                domain=domain, **attrs)

    write("missing_input", [grad("g_missing", ("dy", "lp"))],
          std, dx)
    write("rank", [grad("g_rank")],
          [("dy", F32, []), ("lp", F32, [4]), ("t", I64, [])],
          [("dx", F32, [4])])
    write("label_shape", [grad("g_label")],
          [("dy", F32, []), ("lp", F32, [3, 4]), ("t", I64, [4])], dx)
    write("float_labels", [grad("g_flabel")],
          [("dy", F32, []), ("lp", F32, [3, 4]), ("t", F32, [3])], dx)
    write("bad_reduction", [grad("g_red", reduction="average")], std, dx)
    write("reduction_type", [grad("g_redty", reduction=1)], std, dx)
    write("unexpected_attr", [grad("g_attr", axis=1)], std, dx)
    write("weight_shape", [grad("g_w", ("dy", "lp", "t", "w"))],
          std + [("w", F32, [3])], dx)
    write("weight_type", [grad("g_wty", ("dy", "lp", "t", "w"))],
          std + [("w", TensorProto.DOUBLE, [4])], dx)
    write("dy_shape", [grad("g_dy", reduction="mean")],
          [("dy", F32, [3]), ("lp", F32, [3, 4]), ("t", I64, [3])], dx)
    write("dy_none_shape", [grad("g_dyn", reduction="none")], std, dx)
    # ignore_index of the Internal gradient: computed, or not int64.
    write("computed_ignore_index",
          [grad("g_ii", ("dy", "lp", "t", "", "ii"),
                op="SoftmaxCrossEntropyLossInternalGrad")],
          std + [("ii", I64, [])], dx)
    write("ignore_index_type",
          [grad("g_ii32", ("dy", "lp", "t", "", "ii"),
                op="SoftmaxCrossEntropyLossInternalGrad")],
          std, dx, inits=[numpy_helper.from_array(np.array(1, np.int32), "ii")])
    write("output_type",
          [grad("g_otype", op="SoftmaxCrossEntropyLossInternalGrad",
                output_type=TensorProto.INT64)], std, dx)
    write("bias_shape",
          [grad("g_bias", ("dy", "lp", "t", "", "", "b"),
                op="SoftmaxCrossEntropyLossInternalGrad")],
          std + [("b", F32, [5])], dx)
    write("too_many_inputs", [grad("g_many", ("dy", "lp", "t", "", "ii"))],
          std + [("ii", I64, [])], dx)
    # Domains and versions.
    write("no_ms_opset", [grad("g_noms")], std, dx, opsets=[("", 13)])
    write("ms_opset2", [grad("g_ms2")], std, dx, opsets=[("", 13), (MS, 2)])
    write("unknown_ms_op", [grad("g_unknown", op="LayerNormalizationGrad")],
          std, dx)
    write("sparse_opset8",
          [grad("sparse8", op="SparseSoftmaxCrossEntropyGrad", domain="")],
          std, dx, opsets=[("", 8)])
    write("sparse_weight",
          [grad("sparse_w", ("dy", "lp", "t", "w"),
                op="SparseSoftmaxCrossEntropyGrad", domain="")],
          std + [("w", F32, [4])], dx, opsets=[("", 13)])
    write("prob_label_type",
          [grad("prob_t", op="SoftmaxCrossEntropyGrad")], std, dx)
    # Standard nodes beside training nodes are still libonnx's to check.
    write("standard_node_checked",
          [grad("g_ok"), helper.make_node("Relu", ["dx", "dx"], ["r"],
                                          name="relu2")],
          std, [("r", F32, [3, 4])])


def main():
    out = sys.argv[1]
    sce_grad_models(out)
    internal_models(out)
    prob_models(out)
    sparse_models(out)
    training_models(out)
    bad_models(out)


if __name__ == "__main__":
    main()
