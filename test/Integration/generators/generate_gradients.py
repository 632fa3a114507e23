"""Writes test/Integration/CPU/generate_gradients.mlir: loss functions
differentiated by --loss-generate-gradients (chains such as
nll(log_softmax(x)) and ctc(log_softmax(x)), weighted sums and differences
of several losses, the log_prob result of cross entropy feeding another
loss, a `none` loss seeded with ones), their value-and-grad functions run
and compared with torch.autograd in float64. Run with Debian's
/usr/bin/python3:

    /usr/bin/python3 test/Integration/generators/generate_gradients.py
"""

import torch
import torch.nn.functional as F

from lossgen import TestFile, tensor_type

F64 = torch.float64
GEN = torch.Generator().manual_seed(33)


def randn(shape, dtype, scale=2.0):
    return (torch.randn(shape, generator=GEN, dtype=F64) * scale).to(dtype)


def fn_text(name, args, results, body):
    sig = ", ".join("%%%s: %s" % (k, tensor_type(v)) for k, v in args.items())
    res = ", ".join(tensor_type(r) for r in results)
    lines = ["func.func @%s(%s) -> %s {" % (name, sig, res if len(results) == 1
                                              else "(" + res + ")")]
    lines += ["  " + l for l in body]
    lines.append("}")
    return "\n".join(lines)


def add(tf, name, args, body, torch_fn, wrt):
    """`args`: name -> tensor; `body`: the function's lines; `torch_fn`
    computes the same loss from float64 tensors; `wrt` the argument names
    the pass picks by default (every float argument reaching the loss
    through differentiable operands)."""
    ref = {k: (v.to(F64).requires_grad_() if k in wrt else
               (v.to(F64) if v.dtype.is_floating_point else v))
           for k, v in args.items()}
    loss = torch_fn(**ref)
    grads = torch.autograd.grad(loss.sum(), [ref[k] for k in wrt])
    dtype = next(v.dtype for v in args.values() if v.dtype.is_floating_point)
    results = [loss.detach().to(dtype)] + [g.to(dtype) for g in grads]
    tf.functions.append(fn_text(name, args, results[:1], body))
    # Declared for the call in @main; the pass defines it.
    tf.functions.append("func.func private @%s_value_and_grad(%s) -> (%s)" % (
        name, ", ".join(tensor_type(v) for v in args.values()),
        ", ".join(tensor_type(r) for r in results)))
    call = "func.call @%s_value_and_grad(%s)" % (
        name, ", ".join("{%s}" % k for k in args))
    tf.case(name, call, dict(args), results)


def main():
    tf = TestFile("CPU/generate_gradients.mlir", "generate_gradients.py",
                  pre_passes="--loss-generate-gradients ")
    for dtype, el in ((torch.float32, "f32"), (F64, "f64")):
        x, y, p = randn((4, 10), dtype), randn((4, 10), dtype), randn((4, 10), dtype)
        t = torch.randint(0, 10, (4,), generator=GEN)
        w = (torch.rand(10, generator=GEN, dtype=F64) + 0.1).to(dtype)
        ty = tensor_type(x)
        add(tf, "mix_%s" % el, {"x": x, "t": t, "w": w, "y": y, "p": p}, [
            "%%lp = loss.log_softmax %%x {axis = 1 : i64} : %s" % ty,
            "%%l1 = loss.nll %%lp, %%t weight(%%w) : (%s, tensor<4xi64>, tensor<10x%s>) -> tensor<%s>" % (ty, el, el),
            "%%l2 = loss.mse %%x, %%y : (%s, %s) -> tensor<%s>" % (ty, ty, el),
            "%%c = arith.constant dense<0.5> : tensor<%s>" % el,
            "%%l2s = arith.mulf %%l2, %%c : tensor<%s>" % el,
            "%%l3 = loss.softmax_cross_entropy %%p, %%t : (%s, tensor<4xi64>) -> tensor<%s>" % (ty, el),
            "%%s = arith.addf %%l1, %%l2s : tensor<%s>" % el,
            "%%s2 = arith.subf %%s, %%l3 : tensor<%s>" % el,
            "return %%s2 : tensor<%s>" % el,
        ], lambda x, t, w, y, p: (F.nll_loss(F.log_softmax(x, 1), t, weight=w)
                                  + 0.5 * F.mse_loss(x, y)
                                  - F.cross_entropy(p, t)),
            ["x", "y", "p"])

        # Cross entropy's log_prob feeding a second loss; a quotient.
        x = randn((2, 5, 3), dtype)
        t = torch.randint(0, 5, (2, 3), generator=GEN)
        t2 = torch.randint(0, 5, (2, 3), generator=GEN)
        d = torch.tensor(4.0, dtype=F64).to(dtype)
        ty = tensor_type(x)
        add(tf, "log_prob_%s" % el, {"x": x, "t": t, "t2": t2, "d": d}, [
            "%%l, %%lp = loss.softmax_cross_entropy %%x, %%t {label_smoothing = 0.1 : f64} : (%s, tensor<2x3xi64>) -> (tensor<%s>, %s)" % (ty, el, ty),
            "%%l2 = loss.nll %%lp, %%t2 {reduction = #loss.reduction<sum>} : (%s, tensor<2x3xi64>) -> tensor<%s>" % (ty, el),
            "%%q = arith.divf %%l, %%d : tensor<%s>" % el,
            "%%s = arith.addf %%q, %%l2 : tensor<%s>" % el,
            "return %%s : tensor<%s>" % el,
        ], lambda x, t, t2, d: (F.cross_entropy(x, t, label_smoothing=0.1) / d
                                + F.nll_loss(F.log_softmax(x, 1), t2,
                                             reduction="sum")),
            ["x", "d"])

        # ctc(log_softmax(x)), a mean over target lengths.
        x = randn((12, 3, 6), dtype)
        tg = torch.randint(1, 6, (3, 4), generator=GEN)
        il = torch.tensor([12, 10, 7])
        tl = torch.tensor([4, 2, 3])
        ty = tensor_type(x)
        add(tf, "ctc_%s" % el, {"x": x, "tg": tg, "il": il, "tl": tl}, [
            "%%lp = loss.log_softmax %%x {axis = 2 : i64} : %s" % ty,
            "%%l = loss.ctc %%lp, %%tg, %%il, %%tl : (%s, tensor<3x4xi64>, tensor<3xi64>, tensor<3xi64>) -> tensor<%s>" % (ty, el),
            "return %%l : tensor<%s>" % el,
        ], lambda x, tg, il, tl: F.ctc_loss(F.log_softmax(x, 2), tg, il, tl),
            ["x"])

        # A `none` loss: the gradient of its sum.
        x, y = randn((3, 7), dtype), randn((3, 7), dtype)
        ty = tensor_type(x)
        add(tf, "none_%s" % el, {"x": x, "y": y}, [
            "%%l = loss.smooth_l1 %%x, %%y {reduction = #loss.reduction<none>} : (%s, %s) -> %s" % (ty, ty, ty),
            "%%n = arith.negf %%l : %s" % ty,
            "%%m = arith.mulf %%n, %%y : %s" % ty,
            "return %%m : %s" % ty,
        ], lambda x, y: -F.smooth_l1_loss(x, y, reduction="none") * y,
            ["x", "y"])
    # The other families through their gradient ops: bce_with_logits with a
    # weight and pos_weight (operand segments), triplet_margin with swap,
    # gaussian_nll with input, target and var all differentiated.
    x, t = randn((3, 5), torch.float32), torch.rand((3, 5), generator=GEN)
    w = (torch.rand(5, generator=GEN) + 0.5)
    pw = (torch.rand(5, generator=GEN) + 0.5)
    ty = tensor_type(x)
    add(tf, "bce_with_logits_f32", {"x": x, "t": t, "w": w, "pw": pw}, [
        "%%l = loss.bce_with_logits %%x, %%t weight(%%w) pos_weight(%%pw) : (%s, %s, tensor<5xf32>, tensor<5xf32>) -> tensor<f32>" % (ty, ty),
        "return %l : tensor<f32>",
    ], lambda x, t, w, pw: F.binary_cross_entropy_with_logits(
        x, t, weight=w, pos_weight=pw), ["x", "t"])
    a, p, n = (randn((4, 6), F64) for _ in range(3))
    ty = tensor_type(a)
    add(tf, "triplet_swap_f64", {"a": a, "p": p, "n": n}, [
        "%%l = loss.triplet_margin %%a, %%p, %%n {swap = true} : (%s, %s, %s) -> tensor<f64>" % (ty, ty, ty),
        "return %l : tensor<f64>",
    ], lambda a, p, n: F.triplet_margin_loss(a, p, n, swap=True),
        ["a", "p", "n"])
    x, t = randn((4, 3), F64), randn((4, 3), F64)
    v = torch.rand((4, 1), generator=GEN, dtype=F64) + 0.2
    add(tf, "gaussian_nll_f64", {"x": x, "t": t, "v": v}, [
        "%%l = loss.gaussian_nll %%x, %%t, %%v : (%s, %s, tensor<4x1xf64>) -> tensor<f64>" % (tensor_type(x), tensor_type(t)),
        "return %l : tensor<f64>",
    ], lambda x, t, v: F.gaussian_nll_loss(x, t, v), ["x", "t", "v"])
    tf.write()


if __name__ == "__main__":
    main()
