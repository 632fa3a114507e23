"""Writes test/Integration/CPU/binary_grad.mlir: the gradients of bce,
bce_with_logits, poisson_nll, gaussian_nll and kl_div with respect to every
operand torch.autograd differentiates, against torch.autograd in float64 on
the same (rounded) inputs: every reduction (batchmean for kl_div), weights
and pos_weight of several broadcast shapes, log_input, full, eps,
log_target, var of the input's shape / one dimension fewer / a last
dimension of 1, targets and inputs that broadcast (gradients summed back),
integer targets (no target gradient), bce inputs at exactly 0 and 1,
kl_div targets of 0, var below eps. f32 and f64 for every option, some
f16/bf16. Run with Debian's /usr/bin/python3:

    /usr/bin/python3 test/Integration/generators/binary_grad.py
"""

import torch
import torch.nn.functional as F

from lossgen import TestFile

EL = {torch.float32: "f32", torch.float64: "f64",
      torch.float16: "f16", torch.bfloat16: "bf16"}

gen = torch.Generator().manual_seed(20)


def randn(*shape):
    return torch.randn(shape, generator=gen, dtype=torch.float64)


def rand(*shape):
    return torch.rand(shape, generator=gen, dtype=torch.float64)


def attrs(items, reduction, default="mean"):
    items = list(items)
    if reduction != default:
        items.append("reduction = #loss.reduction<%s>" % reduction)
    return (" {{" + ", ".join(items) + "}}") if items else ""


def fmt_f64(v):
    return "%s = %.6e : f64" % v


def grad_output(loss_shape, reduction, dtype):
    shape = loss_shape if reduction == "none" else ()
    return randn(*shape).to(dtype)


def run(out, name, text, inputs, fn, diff, dtype, reduction):
    """`inputs`: name -> tensor in its op dtype; `fn(**double tensors)` the
    torch loss; `diff`: the names to differentiate, in result order."""
    wide = {}
    for k, v in inputs.items():
        # Integer and bool targets as PyTorch promotes them.
        wide[k] = v.double().requires_grad_(k in diff)
    loss = fn(**wide)
    g = grad_output(tuple(loss.shape), reduction, dtype)
    grads = torch.autograd.grad(loss, [wide[k] for k in diff], g.double())
    ins = dict(inputs)
    ins["g"] = g
    expected = [gr.to(dtype) for gr in grads]
    out.case(name.replace(".", "p").replace("-", "m"), text, ins, expected)


def bce_cases(out, dtype, full):
    el = EL[dtype]
    weights = [None, (5,), (3, 1)] if full else [(5,)]
    reductions = ("none", "sum", "mean") if full else ("none", "mean")
    for wshape in weights:
        for r in reductions:
            x = rand(3, 5) * 0.96 + 0.02
            x[0, 0], x[0, 1] = 0.0, 1.0
            t = rand(3, 5)
            t[1, 0], t[1, 1] = 0.0, 1.0
            ins = {"x": x.to(dtype), "t": t.to(dtype)}
            wtxt = ""
            if wshape:
                ins["w"] = (rand(*wshape) * 2).to(dtype)
                wtxt = " weight({w})"
            fn = (lambda x, t, w=None, r=r:
                  F.binary_cross_entropy(x, t, weight=w, reduction=r))
            wname = "w" + "x".join(map(str, wshape)) if wshape else "now"
            run(out, "bce_grad_%s_%s_%s" % (wname, r, el),
                "loss.bce_grad {x}, {t}%s, {g}%s" % (wtxt, attrs([], r)),
                ins, fn, ["x", "t"], dtype, r)


def bce_logits_cases(out, dtype, full):
    el = EL[dtype]
    combos = [(None, None), ((5,), None), (None, (5,)), ((3, 1), (5,)),
              ((5,), (1,)), ((3, 5), (3, 5))] if full else [((5,), (5,))]
    reductions = ("none", "sum", "mean") if full else ("none", "mean")
    for wshape, pshape in combos:
        for r in reductions:
            x = randn(3, 5) * 3
            x[0, 0], x[0, 1], x[0, 2], x[0, 3] = 30.0, -30.0, 100.0, -100.0
            x[1, 0] = 0.0
            t = rand(3, 5)
            t[2, 0], t[2, 1] = 0.0, 1.0
            ins = {"x": x.to(dtype), "t": t.to(dtype)}
            txt = ""
            if wshape:
                ins["w"] = (rand(*wshape) * 2).to(dtype)
                txt += " weight({w})"
            if pshape:
                ins["pw"] = (rand(*pshape) * 3).to(dtype)
                txt += " pos_weight({pw})"
            fn = (lambda x, t, w=None, pw=None, r=r:
                  F.binary_cross_entropy_with_logits(x, t, weight=w,
                                                     pos_weight=pw,
                                                     reduction=r))
            label = "%s_%s" % ("w" + "x".join(map(str, wshape)) if wshape else "now",
                               "pw" + "x".join(map(str, pshape)) if pshape else "nopw")
            run(out, "bce_with_logits_grad_%s_%s_%s" % (label, r, el),
                "loss.bce_with_logits_grad {x}, {t}%s, {g}%s" % (txt, attrs([], r)),
                ins, fn, ["x", "t"], dtype, r)


def poisson_cases(out, dtype, full_set):
    el = EL[dtype]
    # (input shape, target shape, target dtype)
    layouts = [((3, 5), (3, 5), None), ((3, 5), (5,), None),
               ((5,), (3, 5), None), ((4,), (), None),
               ((3, 5), (3, 5), torch.int64), ((3, 5), (5,), torch.bool)]
    base = layouts[0]
    # Every option on the same-shape layout; every layout (broadcast input or
    # target, 0-d target, integer and bool targets) with full = true,
    # log_input alternating.
    combos = []
    for li in (True, False):
        for full in (False, True):
            for eps in ((1e-8,) if li else (1e-8, 0.5)):
                combos.append((li, full, eps, base))
    for k, layout in enumerate(layouts[1:]):
        combos.append((k % 2 == 0, True, 1e-8, layout))
    if not full_set:
        combos = [(True, False, 1e-8, base), (False, True, 1e-8, base)]
    for li, full, eps, (xs, ts, tdt) in combos:
        for r in (("none", "sum", "mean") if full_set else ("mean",)):
            x = randn(*xs) if li else rand(*xs) * 3 + 0.05
            if not li and len(xs) == 2:
                x[0, 0] = 0.0  # x + eps only
            if tdt is None:
                t = rand(*ts) * 4
                flat = t.view(-1)
                if flat.numel() >= 4:
                    # t = 0 (NaN Stirling gradient with full, as
                    # autograd), t = 1 (masked), t = 0.5, t > 1.
                    flat[0], flat[1], flat[2], flat[3] = 0.0, 1.0, 0.5, 2.0
                t = t.to(dtype)
            elif tdt == torch.bool:
                t = rand(*ts) > 0.5
            else:
                t = (rand(*ts) * 5).floor().to(tdt)
            ins = {"x": x.to(dtype), "t": t}
            items = []
            if eps != 1e-8:
                items.append(fmt_f64(("eps", eps)))
            if full:
                items.append("full = true")
            if not li:
                items.append("log_input = false")
            fn = (lambda x, t, li=li, full=full, eps=eps, r=r:
                  F.poisson_nll_loss(x, t, log_input=li, full=full,
                                     eps=eps, reduction=r))
            diff = ["x"] + (["t"] if tdt is None else [])
            name = "poisson_nll_grad_%s%s%s_x%s_t%s%s_%s_%s" % (
                "log" if li else "lin", "_full" if full else "",
                "_eps%g" % eps if eps != 1e-8 else "",
                "x".join(map(str, xs)) or "0d",
                "x".join(map(str, ts)) or "0d",
                "_" + str(tdt).split(".")[-1] if tdt else "", r, el)
            run(out, name,
                "loss.poisson_nll_grad {x}, {t}, {g}%s" % attrs(items, r),
                ins, fn, diff, dtype, r)


def gaussian_cases(out, dtype, full_set):
    el = EL[dtype]
    # (input, target, var shape, target dtype)
    layouts = [((3, 5), (3, 5), (3, 5), None), ((3, 5), (3, 5), (3,), None),
               ((3, 5), (3, 5), (3, 1), None), ((3, 5), (5,), (3,), None),
               ((6,), (6,), (), None), ((2, 3, 4), (2, 3, 4), (2, 3, 1), None),
               ((3, 5), (3, 5), (3, 1), torch.int32)]
    # Every option with var of the input's shape and of [N, 1]; every other
    # var and target layout with the defaults.
    combos = [(full, eps, layout) for full in (False, True)
              for eps in (1e-6, 0.1) for layout in layouts[:3:2]]
    combos += [(False, 1e-6, layout) for layout in layouts[1:2] + layouts[3:]]
    if not full_set:
        combos = [(False, 1e-6, layouts[2]), (True, 1e-6, layouts[0])]
    for full, eps, (xs, ts, vs, tdt) in combos:
        for r in (("none", "sum", "mean") if full_set else ("none", "mean")):
            x = randn(*xs)
            t = (randn(*ts) * 3).round().to(tdt) if tdt else randn(*ts).to(dtype)
            v = rand(*vs) * 2 + 0.05
            flat = v.view(-1)
            if flat.numel() >= 3 and dtype in (torch.float32, torch.float64):
                # Below eps (and 0): clamped, gradient passed through.
                flat[0], flat[1] = 1e-8, 0.0
            ins = {"x": x.to(dtype), "t": t, "v": v.to(dtype)}
            items = []
            if eps != 1e-6:
                items.append(fmt_f64(("eps", eps)))
            if full:
                items.append("full = true")
            fn = (lambda x, t, v, full=full, eps=eps, r=r:
                  F.gaussian_nll_loss(x, t, v, full=full, eps=eps,
                                      reduction=r))
            diff = ["x"] + (["t"] if tdt is None else []) + ["v"]
            name = "gaussian_nll_grad%s%s_x%s_t%s_v%s%s_%s_%s" % (
                "_full" if full else "", "_eps%g" % eps if eps != 1e-6 else "",
                "x".join(map(str, xs)), "x".join(map(str, ts)),
                "x".join(map(str, vs)) or "0d",
                "_" + str(tdt).split(".")[-1] if tdt else "", r, el)
            run(out, name,
                "loss.gaussian_nll_grad {x}, {t}, {v}, {g}%s" % attrs(items, r),
                ins, fn, diff, dtype, r)


def kl_cases(out, dtype, full_set):
    el = EL[dtype]
    layouts = [((3, 5), (3, 5)), ((3, 5), (1, 5)), ((5,), (3, 5)),
               ((3, 5), (2, 3, 5)), ((5,), (2, 1, 5)), ((), (4,))]
    if not full_set:
        layouts = [((3, 5), (3, 5))]
    for lt in (False, True):
        for r in (("none", "sum", "mean", "batchmean") if full_set
                  else ("none", "batchmean")):
            for xs, ts in layouts:
                x = torch.log_softmax(randn(*xs), dim=-1) if xs else randn()
                if lt:
                    t = torch.log_softmax(randn(*ts), dim=-1)
                else:
                    t = torch.softmax(randn(*ts), dim=-1)
                    if t.numel() >= 3:
                        t.view(-1)[0] = 0.0  # NaN target gradient (autograd)
                        t.view(-1)[2] = 0.0
                ins = {"x": x.to(dtype), "t": t.to(dtype)}
                items = ["log_target = true"] if lt else []
                fn = (lambda x, t, lt=lt, r=r:
                      F.kl_div(x, t, reduction=r, log_target=lt))
                name = "kl_div_grad%s_x%s_t%s_%s_%s" % (
                    "_logt" if lt else "", "x".join(map(str, xs)) or "0d",
                    "x".join(map(str, ts)), r, el)
                run(out, name, "loss.kl_div_grad {x}, {t}, {g}%s" % attrs(items, r),
                    ins, fn, ["x", "t"], dtype, r)


def main():
    import warnings
    warnings.filterwarnings("ignore")
    out = TestFile("CPU/binary_grad.mlir", "binary_grad.py")
    for dtype in (torch.float32, torch.float64, torch.float16, torch.bfloat16):
        full = dtype in (torch.float32, torch.float64)
        bce_cases(out, dtype, full)
        bce_logits_cases(out, dtype, full)
        poisson_cases(out, dtype, full)
        gaussian_cases(out, dtype, full)
        kl_cases(out, dtype, full)
    out.write()


if __name__ == "__main__":
    main()
