"""Writes test/Integration/CPU/softmax_grad.mlir: the gradients of
log_softmax, nll and softmax_cross_entropy (and cross entropy's fused
forward and backward, the optional loss result of softmax_cross_entropy_grad)
against torch.autograd in float64 on the same (rounded) inputs: every
reduction, weights, ignore_index (in range, negative, beyond C, all ignored),
label smoothing, probability targets, K-dim and unbatched shapes, rows of
+-1e4 logits, f32/f64 and f16/bf16. Run with Debian's /usr/bin/python3:

    /usr/bin/python3 test/Integration/generators/softmax_grad.py
"""

import torch
import torch.nn.functional as F

from lossgen import TestFile

F64 = torch.float64
EL = {torch.float32: "f32", torch.float64: "f64", torch.float16: "f16",
      torch.bfloat16: "bf16"}
GEN = torch.Generator().manual_seed(21)


def randn(shape, dtype, scale=2.0):
    return (torch.randn(shape, generator=GEN, dtype=F64) * scale).to(dtype)


def attrs(*items):
    items = [i for i in items if i]
    return (" {{" + ", ".join(items) + "}}") if items else ""


def red_attr(red):
    return "" if red == "mean" else "reduction = #loss.reduction<%s>" % red


def grad_out(shape, red, dtype):
    return randn(shape if red == "none" else (), dtype, 1.0)


def class_axis(x):
    return 1 if x.dim() > 1 else 0


def ce_grad_case(tf, name, x, t, w=None, ii=-100, red="mean", ls=0.0,
                 fused=False):
    dtype = x.dtype
    xr = x.to(F64).requires_grad_()
    tt = t.long() if not t.dtype.is_floating_point else t.to(F64)
    kw = {"weight": w.to(F64)} if w is not None else {}
    loss = F.cross_entropy(xr, tt, ignore_index=ii, reduction=red,
                           label_smoothing=ls, **kw)
    g = grad_out(loss.shape, red, dtype)
    gx, = torch.autograd.grad(loss, xr, g.to(F64))
    op = "loss.softmax_cross_entropy_grad {x}, {t}"
    inputs = {"x": x, "t": t}
    if w is not None:
        op += " weight({w})"
        inputs["w"] = w
    op += ", {g}"
    inputs["g"] = g
    op += attrs("ignore_index = %d : i64" % ii if ii != -100 else "",
                red_attr(red), "label_smoothing = %r : f64" % ls if ls else "")
    expected = [gx.to(dtype)]
    if fused:
        expected.append(loss.detach().to(dtype))
    tf.case(name, op, inputs, expected)


def nll_grad_case(tf, name, lp, t, w=None, ii=-100, red="mean"):
    dtype = lp.dtype
    xr = lp.to(F64).requires_grad_()
    kw = {"weight": w.to(F64)} if w is not None else {}
    loss = F.nll_loss(xr, t.long(), ignore_index=ii, reduction=red, **kw)
    g = grad_out(loss.shape, red, dtype)
    gx, = torch.autograd.grad(loss, xr, g.to(F64))
    op = "loss.nll_grad {x}, {t}"
    inputs = {"x": lp, "t": t}
    if w is not None:
        op += " weight({w})"
        inputs["w"] = w
    op += ", {g}"
    inputs["g"] = g
    op += attrs("ignore_index = %d : i64" % ii if ii != -100 else "",
                red_attr(red))
    tf.case(name, op, inputs, gx.to(dtype))


def log_softmax_grad_case(tf, name, x, axis):
    dtype = x.dtype
    xr = x.to(F64).requires_grad_()
    y = F.log_softmax(xr, dim=axis)
    g = randn(y.shape, dtype, 1.0)
    gx, = torch.autograd.grad(y, xr, g.to(F64))
    # The op takes the forward's output, rounded as the forward returns it.
    tf.case(name, "loss.log_softmax_grad {y}, {g}" +
            attrs("axis = %d : i64" % axis),
            {"y": y.detach().to(dtype), "g": g}, gx.to(dtype),
            functional_type=False)


def chain_case(tf, name, x, t, w=None, ii=-100, red="mean"):
    """The backward front ends emit for nll(log_softmax(x)):
    log_softmax_grad(lp, nll_grad(lp, t, g)), which
    loss-fuse-cross-entropy-grad turns into softmax_cross_entropy_grad."""
    dtype = x.dtype
    xr = x.to(F64).requires_grad_()
    kw = {"weight": w.to(F64)} if w is not None else {}
    loss = F.nll_loss(F.log_softmax(xr, dim=class_axis(x)), t.long(),
                      ignore_index=ii, reduction=red, **kw)
    g = grad_out(loss.shape, red, dtype)
    gx, = torch.autograd.grad(loss, xr, g.to(F64))
    ty = "tensor<%s>" % "x".join([str(d) for d in x.shape] + [EL[dtype]])
    inputs = {"x": x, "t": t, "g": g}
    wtext = ""
    if w is not None:
        inputs["w"] = w
        wtext = " weight({w})"
    nll_attrs = attrs("ignore_index = %d : i64" % ii if ii != -100 else "",
                      red_attr(red))
    types = ["tensor<%s>" % "x".join([str(d) for d in v.shape] + [
        EL.get(v.dtype, "i64")]) for v in inputs.values()]
    prelude = [
        "{%%lp} = loss.log_softmax {x} {{axis = %d : i64}} : %s"
        % (class_axis(x), ty),
        "{%%gl} = loss.nll_grad {%%lp}, {t}%s, {g}%s : (%s) -> %s"
        % (wtext, nll_attrs, ", ".join([ty] + types[1:2] + types[3:] + types[2:3]),
           ty),
    ]
    tf.case(name, "loss.log_softmax_grad {%%lp}, {%%gl} {{axis = %d : i64}}"
            % class_axis(x), inputs, gx.to(dtype), functional_type=False,
            prelude=prelude)


def targets(shape, num_classes):
    return torch.randint(0, num_classes, shape, generator=GEN)


def probs(shape, dtype):
    return torch.softmax(torch.randn(shape, generator=GEN, dtype=F64),
                         dim=1 if len(shape) > 1 else 0).to(dtype)


def main():
    tf = TestFile("CPU/softmax_grad.mlir", "softmax_grad.py")

    # log_softmax_grad: axes, ranks, large logits, every dtype.
    for dtype in (torch.float32, torch.float64, torch.float16, torch.bfloat16):
        el = EL[dtype]
        log_softmax_grad_case(tf, "log_softmax_grad_2d_%s" % el,
                              randn((4, 10), dtype), 1)
        log_softmax_grad_case(tf, "log_softmax_grad_3d_last_%s" % el,
                              randn((2, 3, 6), dtype), -1)
    log_softmax_grad_case(tf, "log_softmax_grad_3d_axis0_f64",
                          randn((5, 2, 3), F64), 0)
    log_softmax_grad_case(tf, "log_softmax_grad_1d_f32",
                          randn((7,), torch.float32), 0)
    log_softmax_grad_case(tf, "log_softmax_grad_large_f32",
                          randn((3, 40), torch.float32, 1e4), 1)

    # nll_grad: reductions, weights, ignore_index, K-dim, unbatched.
    for dtype in (torch.float32, torch.float64):
        el = EL[dtype]
        for red in ("mean", "sum", "none"):
            lp = F.log_softmax(randn((6, 5), F64), 1).to(dtype)
            nll_grad_case(tf, "nll_grad_%s_%s" % (red, el), lp,
                          targets((6,), 5), red=red)
            w = (torch.rand(5, generator=GEN, dtype=F64) + 0.1).to(dtype)
            nll_grad_case(tf, "nll_grad_weight_ignore_%s_%s" % (red, el), lp,
                          torch.tensor([0, 2, 1, 2, 4, 2]), w=w, ii=2, red=red)
            nll_grad_case(tf, "nll_grad_kdim_weight_%s_%s" % (red, el),
                          randn((2, 4, 3, 2), dtype), targets((2, 3, 2), 4),
                          w=(torch.rand(4, generator=GEN, dtype=F64) + 0.1).to(dtype),
                          red=red)
    nll_grad_case(tf, "nll_grad_unbatched_f32", randn((5,), torch.float32),
                  torch.tensor(3))
    nll_grad_case(tf, "nll_grad_unbatched_none_f64", randn((5,), F64),
                  torch.tensor(1), red="none")
    nll_grad_case(tf, "nll_grad_all_ignored_mean_f32",
                  randn((3, 4), torch.float32), torch.tensor([1, 1, 1]), ii=1)
    nll_grad_case(tf, "nll_grad_ignore_negative_sum_f32",
                  randn((4, 3), torch.float32), torch.tensor([-1, 0, 2, -1]),
                  ii=-1, red="sum")
    nll_grad_case(tf, "nll_grad_ignore_beyond_c_mean_f64", randn((4, 3), F64),
                  torch.tensor([7, 0, 7, 1]), ii=7)
    nll_grad_case(tf, "nll_grad_i32_targets_f32", randn((4, 3), torch.float32),
                  torch.tensor([2, 0, 1, 1], dtype=torch.int32))
    nll_grad_case(tf, "nll_grad_bf16", randn((4, 6), torch.bfloat16),
                  targets((4,), 6),
                  w=(torch.rand(6, generator=GEN) + 0.1).to(torch.bfloat16))

    # softmax_cross_entropy_grad, class targets.
    for dtype in (torch.float32, torch.float64):
        el = EL[dtype]
        for red in ("mean", "sum", "none"):
            ce_grad_case(tf, "ce_grad_%s_%s" % (red, el), randn((4, 5), dtype),
                         targets((4,), 5), red=red)
            w = (torch.rand(5, generator=GEN, dtype=F64) + 0.1).to(dtype)
            ce_grad_case(tf, "ce_grad_weight_%s_%s" % (red, el),
                         randn((6, 5), dtype), targets((6,), 5), w=w, red=red)
            ce_grad_case(tf, "ce_grad_weight_ignore_smooth_%s_%s" % (red, el),
                         randn((6, 5), dtype), torch.tensor([0, 2, 1, 2, 4, 2]),
                         w=w, ii=2, ls=0.2, red=red)
            ce_grad_case(tf, "ce_grad_smooth_%s_%s" % (red, el),
                         randn((5, 7), dtype), targets((5,), 7), ls=0.1, red=red)
            ce_grad_case(tf, "ce_grad_kdim_weight_smooth_%s_%s" % (red, el),
                         randn((2, 4, 3, 2), dtype), targets((2, 3, 2), 4),
                         w=(torch.rand(4, generator=GEN, dtype=F64) + 0.1).to(dtype),
                         ls=0.3, red=red)
            # Probability targets, weighted and smoothed.
            ce_grad_case(tf, "ce_grad_probs_%s_%s" % (red, el),
                         randn((4, 6), dtype), probs((4, 6), dtype), red=red)
            ce_grad_case(tf, "ce_grad_probs_weight_smooth_%s_%s" % (red, el),
                         randn((4, 6), dtype), probs((4, 6), dtype),
                         w=(torch.rand(6, generator=GEN, dtype=F64) + 0.1).to(dtype),
                         ls=0.25, red=red)
            ce_grad_case(tf, "ce_grad_probs_kdim_%s_%s" % (red, el),
                         randn((2, 3, 4), dtype), probs((2, 3, 4), dtype),
                         red=red)
    # Wide rows (the lane-split statistics), large logits, unbatched,
    # ignore_index variants, all ignored, full smoothing.
    ce_grad_case(tf, "ce_grad_wide_f32", randn((3, 100), torch.float32),
                 targets((3,), 100))
    ce_grad_case(tf, "ce_grad_wide_weight_smooth_f64", randn((3, 77), F64),
                 targets((3,), 77),
                 w=torch.rand(77, generator=GEN, dtype=F64) + 0.1, ls=0.1)
    ce_grad_case(tf, "ce_grad_large_logits_f32",
                 randn((4, 40), torch.float32, 1e4), targets((4,), 40), ls=0.1)
    ce_grad_case(tf, "ce_grad_large_logits_probs_f64", randn((3, 40), F64, 1e4),
                 probs((3, 40), F64))
    ce_grad_case(tf, "ce_grad_unbatched_f32", randn((6,), torch.float32),
                 torch.tensor(4), ls=0.2)
    ce_grad_case(tf, "ce_grad_unbatched_probs_f64", randn((6,), F64),
                 probs((6,), F64))
    ce_grad_case(tf, "ce_grad_ignore_negative_none_f32",
                 randn((4, 3), torch.float32), torch.tensor([-1, 0, 2, -1]),
                 ii=-1, red="none")
    ce_grad_case(tf, "ce_grad_ignore_beyond_c_mean_f64", randn((4, 3), F64),
                 torch.tensor([7, 0, 7, 1]), ii=7, ls=0.5)
    ce_grad_case(tf, "ce_grad_all_ignored_mean_f32",
                 randn((3, 4), torch.float32), torch.tensor([1, 1, 1]), ii=1)
    ce_grad_case(tf, "ce_grad_all_ignored_smooth_mean_f64", randn((3, 4), F64),
                 torch.tensor([1, 1, 1]), ii=1, ls=0.2)
    ce_grad_case(tf, "ce_grad_full_smoothing_f32",
                 randn((3, 5), torch.float32), targets((3,), 5), ls=1.0)
    ce_grad_case(tf, "ce_grad_i32_targets_sum_f32",
                 randn((4, 3), torch.float32),
                 torch.tensor([2, 0, 1, 1], dtype=torch.int32), red="sum")
    for dtype in (torch.float16, torch.bfloat16):
        el = EL[dtype]
        ce_grad_case(tf, "ce_grad_weight_smooth_%s" % el, randn((4, 40), dtype),
                     targets((4,), 40),
                     w=(torch.rand(40, generator=GEN) + 0.1).to(dtype), ls=0.1)
        ce_grad_case(tf, "ce_grad_probs_none_%s" % el, randn((3, 8), dtype),
                     probs((3, 8), dtype), red="none")

    # Forward and backward in one op: the loss result against torch's loss.
    for dtype in (torch.float32, torch.float64):
        el = EL[dtype]
        for red in ("mean", "sum", "none"):
            ce_grad_case(tf, "ce_fused_weight_ignore_smooth_%s_%s" % (red, el),
                         randn((6, 37), dtype),
                         torch.tensor([0, 2, 1, 2, 36, 2]),
                         w=(torch.rand(37, generator=GEN, dtype=F64) + 0.1).to(dtype),
                         ii=2, ls=0.1, red=red, fused=True)
            ce_grad_case(tf, "ce_fused_probs_kdim_%s_%s" % (red, el),
                         randn((2, 5, 3), dtype), probs((2, 5, 3), dtype),
                         red=red, fused=True)
    ce_grad_case(tf, "ce_fused_bf16", randn((4, 40), torch.bfloat16),
                 targets((4,), 40), fused=True)
    # A dynamic class dim in the weight or the probabilities, C a multiple
    # of the lanes (the lane split must not expand a dynamic size).
    for c, kind in ((32, "weight"), (48, "probs")):
        x = randn((4, c), torch.float32)
        xr = x.double().requires_grad_()
        g = randn((), torch.float32, 1.0)
        if kind == "weight":
            t = targets((4,), c)
            w = torch.rand(c, generator=GEN) + 0.1
            loss = F.cross_entropy(xr, t, weight=w.double())
            inputs = {"x": x, "t": t, "w": w, "g": g}
            prelude = ["{%%wd} = tensor.cast {w} : tensor<%dxf32> to tensor<?xf32>" % c]
            op = "loss.softmax_cross_entropy_grad {x}, {t} weight({%wd}), {g}"
            types = "tensor<4x%dxf32>, tensor<4xi64>, tensor<?xf32>, tensor<f32>" % c
        else:
            p = probs((4, c), torch.float32)
            loss = F.cross_entropy(xr, p.double())
            inputs = {"x": x, "p": p, "g": g}
            prelude = ["{%%pd} = tensor.cast {p} : tensor<4x%dxf32> to tensor<4x?xf32>" % c]
            op = "loss.softmax_cross_entropy_grad {x}, {%pd}, {g}"
            types = "tensor<4x%dxf32>, tensor<4x?xf32>, tensor<f32>" % c
        gx, = torch.autograd.grad(loss, xr, g.double())
        tf.case("ce_fused_dynamic_%s_c%d_f32" % (kind, c), op, inputs,
                [gx.float(), loss.detach().float()], prelude=prelude,
                operand_types=types)
    tf.write()

    # The unfused backward chain; ../parallel... and softmax_grad_chain_unfused
    # compile the same file without the fusion.
    tf = TestFile("CPU/softmax_grad_chain.mlir", "softmax_grad.py")
    for dtype in (torch.float32, torch.float64):
        el = EL[dtype]
        for red in ("mean", "sum", "none"):
            chain_case(tf, "chain_%s_%s" % (red, el), randn((5, 40), dtype),
                       targets((5,), 40), red=red)
            chain_case(tf, "chain_weight_ignore_%s_%s" % (red, el),
                       randn((6, 5), dtype), torch.tensor([0, 2, 1, 2, 4, 2]),
                       w=(torch.rand(5, generator=GEN, dtype=F64) + 0.1).to(dtype),
                       ii=2, red=red)
        chain_case(tf, "chain_kdim_%s" % el, randn((2, 4, 3), dtype),
                   targets((2, 3), 4))
        chain_case(tf, "chain_unbatched_%s" % el, randn((7,), dtype),
                   torch.tensor(5))
    chain_case(tf, "chain_large_logits_f32", randn((3, 40), torch.float32, 1e4),
               targets((3,), 40))
    tf.write()


if __name__ == "__main__":
    main()
