#!/usr/bin/python3
"""Makes the models of test/Target/ONNX/opsets.test, at test time.

    /usr/bin/python3 opsets.py OUT

writes, built with onnx.helper:

* OUT/models/<name>/: ONNX backend test directories (model.onnx,
  test_data_set_0/input_*.pb and output_*.pb) at opsets 1, 6, 7, 11, 13, 17,
  19 and 21: Softmax/LogSoftmax with default and non-default axes on 3-D and
  4-D inputs (coerced to 2-D before version 13, one axis since),
  SoftmaxCrossEntropyLoss/NegativeLogLikelihoodLoss (opset 12 and later),
  and primitive ops whose signatures changed between versions (ReduceSum,
  ReduceMean, ReduceMax, Squeeze, Unsqueeze, Clip, Slice, Reshape, Cast,
  legacy broadcasting), each in the form of the version in force at its
  opset. Inputs are float32; the expected outputs are computed by PyTorch
  in float64 from the same inputs, rounded to float32.
* OUT/bad/*.onnx: models the importer must reject with a clear error.

Run with Debian's /usr/bin/python3 (python3-torch, python3-onnx).
"""

import os
import shutil
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

OPSETS = [1, 6, 7, 11, 13, 17, 19, 21]
rng = np.random.RandomState(11)


def f32(*shape):
    return rng.randn(*shape).astype(np.float32)


def vi(name, array):
    return helper.make_tensor_value_info(
        name, onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[array.dtype], list(array.shape))


def ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def make_model(opset, nodes, inputs, outputs, inits=(), ir_version=None):
    """inputs/outputs: lists of (name, array)."""
    g = helper.make_graph(nodes, "opset%d" % opset,
                          [vi(n, a) for n, a in inputs],
                          [vi(n, a) for n, a in outputs], list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)],
                          producer_name="opsets.py")
    if ir_version is not None:
        m.ir_version = ir_version
    return m


def backend_dir(out, name, model, inputs, outputs):
    d = os.path.join(out, "models", name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "test_data_set_0"))
    # The Python checker is libonnx 1.12's: opsets up to 17, IR up to 8.
    if (model.opset_import[0].version <= onnx.defs.onnx_opset_version()
            and model.ir_version <= onnx.IR_VERSION):
        onnx.checker.check_model(model)
    with open(os.path.join(d, "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())
    for kind, tensors in (("input", inputs), ("output", outputs)):
        for i, (n, a) in enumerate(tensors):
            p = numpy_helper.from_array(a, n)
            path = os.path.join(d, "test_data_set_0", "%s_%d.pb" % (kind, i))
            with open(path, "wb") as f:
                f.write(p.SerializeToString())


def t64(a):
    return torch.from_numpy(a).double()


def to32(t):
    return t.numpy().astype(np.float32)


def ir_for(opset):
    # Current exporters write IR 10 at opset 21 (libonnx 1.12 knows IR 8).
    return 10 if opset >= 21 else None


# --- Softmax / LogSoftmax -------------------------------------------------

def softmax_ref(x, axis, opset, log):
    fn = torch.log_softmax if log else torch.softmax
    x = t64(x)
    axis %= x.dim()
    if opset < 13:
        # Coerced to 2-D [prod(d[:axis]), prod(d[axis:])].
        outer = int(np.prod(x.shape[:axis]))
        return to32(fn(x.reshape(outer, -1), 1).reshape(x.shape))
    return to32(fn(x, axis))


def softmax_model(out, opset):
    x3, x4 = f32(2, 3, 4), f32(2, 3, 4, 5)
    # Non-default axes (the default is 1 before 13, -1 since), then the
    # defaults. Negative axes exist since version 11.
    cases = [
        ("Softmax", "x3", x3, 2),
        ("LogSoftmax", "x4", x4, 2),
        ("Softmax", "x4", x4, 0 if opset < 13 else 1),
        ("LogSoftmax", "x3", x3, -2 if opset >= 11 else 0),
        ("Softmax", "x4", x4, None),
        ("LogSoftmax", "x3", x3, None),
    ]
    nodes, outs = [], []
    for i, (op, xn, x, axis) in enumerate(cases):
        kw = {} if axis is None else {"axis": axis}
        nodes.append(helper.make_node(op, [xn], ["y%d" % i], name="n%d" % i, **kw))
        dflt = 1 if opset < 13 else -1
        outs.append(("y%d" % i,
                     softmax_ref(x, dflt if axis is None else axis, opset,
                                 op == "LogSoftmax")))
    ins = [("x3", x3), ("x4", x4)]
    m = make_model(opset, nodes, ins, outs, ir_version=ir_for(opset))
    backend_dir(out, "softmax_opset%d" % opset, m, ins, outs)


# --- Losses (opset 12 and later) ------------------------------------------

def loss_model(out, opset):
    s = f32(3, 5, 2)
    t = np.array([[1, 4], [0, 2], [3, 3]], dtype=np.int64)
    w = (rng.rand(5) + 0.2).astype(np.float32)
    lp = to32(torch.log_softmax(t64(f32(4, 6)), 1))
    t2 = np.array([5, 0, 2, 1], dtype=np.int64)
    nodes = [
        helper.make_node("SoftmaxCrossEntropyLoss", ["s", "t", "w"], ["l0", "logp"],
                         name="sce", ignore_index=3),
        helper.make_node("NegativeLogLikelihoodLoss", ["lp", "t2"], ["l1"],
                         name="nll", reduction="none"),
        helper.make_node("NegativeLogLikelihoodLoss", ["lp", "t2"], ["l2"],
                         name="nll_sum", reduction="sum"),
    ]
    F = torch.nn.functional
    outs = [
        ("l0", to32(F.cross_entropy(t64(s), torch.from_numpy(t), weight=t64(w),
                                    ignore_index=3))),
        ("logp", to32(torch.log_softmax(t64(s), 1))),
        ("l1", to32(F.nll_loss(t64(lp), torch.from_numpy(t2), reduction="none"))),
        ("l2", to32(F.nll_loss(t64(lp), torch.from_numpy(t2), reduction="sum"))),
    ]
    ins = [("s", s), ("t", t), ("w", w), ("lp", lp), ("t2", t2)]
    m = make_model(opset, nodes, ins, outs, ir_version=ir_for(opset))
    backend_dir(out, "losses_opset%d" % opset, m, ins, outs)


# --- Primitive ops whose signatures changed -------------------------------

def primitives_model(out, opset):
    x = f32(2, 3, 4)
    xs = f32(2, 1, 4)
    xu = f32(2, 4)
    nodes, inits, outs = [], [], []

    def axes_operand(node_name, axes, as_input):
        """The `axes` of a node: extra input name and attributes."""
        if as_input:
            inits.append(ints(node_name + "_axes", axes))
            return [node_name + "_axes"], {}
        return [], {"axes": axes}

    X = t64(x)
    # ReduceSum: axes attribute before 13, input since.
    extra, kw = axes_operand("rsum", [1], opset >= 13)
    nodes.append(helper.make_node("ReduceSum", ["x"] + extra, ["rsum"], name="rsum",
                                  keepdims=0, **kw))
    outs.append(("rsum", to32(X.sum(1))))
    # ReduceMean and ReduceMax: attribute before 18, input since.
    extra, kw = axes_operand("rmean", [0, 2], opset >= 18)
    nodes.append(helper.make_node("ReduceMean", ["x"] + extra, ["rmean"],
                                  name="rmean", **kw))
    outs.append(("rmean", to32(X.mean((0, 2), keepdim=True))))
    last = 2 if opset < 11 else -1  # negative axes since version 11
    extra, kw = axes_operand("rmax", [last], opset >= 18)
    nodes.append(helper.make_node("ReduceMax", ["x"] + extra, ["rmax"], name="rmax",
                                  keepdims=0, **kw))
    outs.append(("rmax", to32(X.amax(2))))
    # Squeeze/Unsqueeze: axes attribute before 13, input since.
    extra, kw = axes_operand("sq", [1], opset >= 13)
    nodes.append(helper.make_node("Squeeze", ["xs"] + extra, ["sq"], name="sq", **kw))
    outs.append(("sq", xs.reshape(2, 4)))
    extra, kw = axes_operand("unsq", [0, 3], opset >= 13)
    nodes.append(helper.make_node("Unsqueeze", ["xu"] + extra, ["unsq"], name="unsq",
                                  **kw))
    outs.append(("unsq", xu.reshape(1, 2, 4, 1)))
    # Clip: min/max attributes before 11, inputs since.
    lo, hi = -0.5, 0.7
    if opset < 11:
        nodes.append(helper.make_node("Clip", ["x"], ["clip"], name="clip", min=lo, max=hi))
        nodes.append(helper.make_node("Clip", ["x"], ["clip_hi"], name="clip_hi", max=hi))
    else:
        inits.append(numpy_helper.from_array(np.array(lo, np.float32), "lo"))
        inits.append(numpy_helper.from_array(np.array(hi, np.float32), "hi"))
        nodes.append(helper.make_node("Clip", ["x", "lo", "hi"], ["clip"], name="clip"))
        nodes.append(helper.make_node("Clip", ["x", "", "hi"], ["clip_hi"],
                                      name="clip_hi"))
    outs.append(("clip", to32(X.clamp(lo, hi))))
    outs.append(("clip_hi", to32(X.clamp(max=hi))))
    # Slice: starts/ends/axes attributes before 10, inputs (and steps) since.
    if opset < 10:
        nodes.append(helper.make_node("Slice", ["x"], ["slice"], name="slice",
                                      starts=[1, 0], ends=[3, 100], axes=[1, 2]))
        outs.append(("slice", x[:, 1:3, 0:]))
    else:
        inits += [ints("sl_starts", [1, -1]), ints("sl_ends", [3, -100]),
                  ints("sl_axes", [1, 2]), ints("sl_steps", [1, -2])]
        nodes.append(helper.make_node("Slice", ["x", "sl_starts", "sl_ends", "sl_axes",
                                                "sl_steps"], ["slice"], name="slice"))
        outs.append(("slice", np.ascontiguousarray(x[:, 1:3, ::-2])))
    # Reshape: shape attribute before 5, input since.
    if opset < 5:
        nodes.append(helper.make_node("Reshape", ["x"], ["resh"], name="resh",
                                      shape=[4, 6]))
    else:
        inits.append(ints("resh_shape", [4, -1]))
        nodes.append(helper.make_node("Reshape", ["x", "resh_shape"], ["resh"],
                                      name="resh"))
    outs.append(("resh", x.reshape(4, 6)))
    # Cast: `to` a string before 6; Cast-19 adds `saturate` (float8 only).
    if opset < 6:
        to = {"to": "DOUBLE"}
    elif opset >= 19:
        to = {"to": TensorProto.DOUBLE, "saturate": 1}
    else:
        to = {"to": TensorProto.DOUBLE}
    nodes.append(helper.make_node("Cast", ["x"], ["cast"], name="cast", **to))
    outs.append(("cast", x.astype(np.float64)))
    # Add: before 7, `broadcast=1` broadcasts B to A's trailing dimensions.
    bias = f32(4)
    inits.append(numpy_helper.from_array(bias, "bias"))
    kw = {"broadcast": 1} if opset < 7 else {}
    nodes.append(helper.make_node("Add", ["x", "bias"], ["add"], name="add", **kw))
    outs.append(("add", to32(X + t64(bias))))
    if opset < 7:
        # ... and with `axis`, B's dimensions start at A's axis 1.
        mid = f32(3)
        inits.append(numpy_helper.from_array(mid, "mid"))
        nodes.append(helper.make_node("Add", ["x", "mid"], ["add_axis"],
                                      name="add_axis", broadcast=1, axis=1))
        outs.append(("add_axis", to32(X + t64(mid)[:, None])))
    if opset >= 18:
        # ReduceMean-18 with no axes and noop_with_empty_axes: the identity.
        nodes.append(helper.make_node("ReduceMean", ["x"], ["noop"], name="noop",
                                      noop_with_empty_axes=1))
        outs.append(("noop", x))
    if opset >= 20:
        # ReduceMax-20 takes bools (false < true).
        inits.append(numpy_helper.from_array(np.array(0.5, np.float32), "half"))
        nodes += [
            helper.make_node("Greater", ["x", "half"], ["gt"], name="gt"),
            helper.make_node("ReduceMax", ["gt", "rbool_axes"], ["any"], name="rbool",
                             keepdims=0),
            helper.make_node("Cast", ["any"], ["anyf"], name="anyf",
                             to=TensorProto.FLOAT),
        ]
        inits.append(ints("rbool_axes", [1]))
        outs.append(("anyf", (x > 0.5).any(1).astype(np.float32)))
    ins = [("x", x), ("xs", xs), ("xu", xu)]
    m = make_model(opset, nodes, ins, outs, inits, ir_version=ir_for(opset))
    backend_dir(out, "primitives_opset%d" % opset, m, ins, outs)


# --- Models to reject -------------------------------------------------------

def bad_models(out):
    d = os.path.join(out, "bad")
    os.makedirs(d, exist_ok=True)

    def save(model, name):
        with open(os.path.join(d, name), "wb") as f:
            f.write(model.SerializeToString())

    a, b3 = f32(2, 3, 4), f32(3)
    # Add-6 broadcasting with an axis that leaves no room for B.
    save(make_model(6, [helper.make_node("Add", ["a", "b"], ["c"], name="add_axis",
                                         broadcast=1, axis=3)],
                    [("a", a), ("b", b3)], [("c", a)]), "legacy_axis_broadcast.onnx")
    # Before 7, operands of different shapes need broadcast=1.
    save(make_model(6, [helper.make_node("Mul", ["a", "b"], ["c"], name="mul_nobcast")],
                    [("a", a), ("b", f32(4))], [("c", a)]), "legacy_no_broadcast.onnx")
    # Checker: Relu takes one input.
    save(make_model(13, [helper.make_node("Relu", ["a", "a"], ["c"], name="relu2")],
                    [("a", a)], [("c", a)]), "checker_inputs.onnx")
    # Checker: SoftmaxCrossEntropyLoss does not exist at opset 11.
    t = np.zeros((2, 4), np.int64)
    save(make_model(11, [helper.make_node("SoftmaxCrossEntropyLoss", ["a", "t"], ["l"],
                                          name="sce11")],
                    [("a", a), ("t", t)], [("l", np.zeros((), np.float32))]),
         "checker_sce_opset11.onnx")
    # No IR version.
    m = make_model(13, [helper.make_node("Relu", ["a"], ["c"], name="r")],
                   [("a", a)], [("c", a)])
    m.ir_version = 0
    save(m, "checker_no_ir_version.onnx")
    # Opset 22 is beyond what the importer implements.
    save(make_model(22, [helper.make_node("Relu", ["a"], ["c"], name="r")],
                    [("a", a)], [("c", a)]), "opset22.onnx")
    # Shape inference disagrees with the declared output shape.
    save(make_model(7, [helper.make_node("Softmax", ["a"], ["c"], name="sm")],
                    [("a", a)], [("c", f32(2, 3))]), "shape_inference.onnx")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: opsets.py OUT")
    out = sys.argv[1]
    torch.manual_seed(0)
    for opset in OPSETS:
        softmax_model(out, opset)
        primitives_model(out, opset)
        if opset >= 12:
            loss_model(out, opset)
    bad_models(out)


if __name__ == "__main__":
    main()
