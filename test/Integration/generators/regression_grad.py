"""Writes test/Integration/CPU/regression_grad.mlir: the gradients of the
regression losses (l1, mse, smooth_l1, huber) with respect to input and
target, against torch.autograd in float64 on the same (rounded) inputs, for
every reduction, with points exactly at the kinks (x = t, |x - t| = beta or
delta). Run with Debian's /usr/bin/python3:

    /usr/bin/python3 test/Integration/generators/regression_grad.py
"""

import torch
import torch.nn.functional as F

from lossgen import TestFile

LOSSES = [
    ("l1", {}, lambda x, t, r: F.l1_loss(x, t, reduction=r)),
    ("mse", {}, lambda x, t, r: F.mse_loss(x, t, reduction=r)),
    ("smooth_l1", {"beta": 1.0},
     lambda x, t, r: F.smooth_l1_loss(x, t, reduction=r, beta=1.0)),
    ("smooth_l1", {"beta": 0.5},
     lambda x, t, r: F.smooth_l1_loss(x, t, reduction=r, beta=0.5)),
    ("smooth_l1", {"beta": 0.0},
     lambda x, t, r: F.smooth_l1_loss(x, t, reduction=r, beta=0.0)),
    ("huber", {"delta": 1.0},
     lambda x, t, r: F.huber_loss(x, t, reduction=r, delta=1.0)),
    ("huber", {"delta": 2.5},
     lambda x, t, r: F.huber_loss(x, t, reduction=r, delta=2.5)),
]


def attrs(extra, reduction):
    items = ["%s = %s : f64" % (k, "%.6e" % v) for k, v in sorted(extra.items())]
    if reduction != "mean":
        items.append("reduction = #loss.reduction<%s>" % reduction)
    return (" {{" + ", ".join(items) + "}}") if items else ""


def main():
    out = TestFile("CPU/regression_grad.mlir", "regression_grad.py")
    gen = torch.Generator().manual_seed(12)
    for dtype in (torch.float32, torch.float64, torch.float16, torch.bfloat16):
        el = {torch.float32: "f32", torch.float64: "f64",
              torch.float16: "f16", torch.bfloat16: "bf16"}[dtype]
        for name, extra, fn in LOSSES:
            for reduction in ("none", "sum", "mean"):
                shape = (3, 7)
                x = torch.randn(shape, generator=gen, dtype=torch.float64) * 2
                t = torch.randn(shape, generator=gen, dtype=torch.float64) * 2
                # Kinks: x = t, and |x - t| exactly at beta/delta (1.0, 0.5,
                # 2.5 and their negatives are exact in every float type).
                t[0, 0] = x[0, 0]
                x[0, 1], t[0, 1] = 1.5, 0.5
                x[0, 2], t[0, 2] = -1.0, -0.5
                x[0, 3], t[0, 3] = 3.0, 0.5
                x[0, 4], t[0, 4] = 0.25, 2.75
                x, t = x.to(dtype), t.to(dtype)
                g = (torch.randn(shape if reduction == "none" else (),
                                 generator=gen, dtype=torch.float64)).to(dtype)
                xr = x.double().requires_grad_()
                tr = t.double().requires_grad_()
                loss = fn(xr, tr, reduction)
                gx, gt = torch.autograd.grad(loss, (xr, tr), g.double())
                label = "_".join("%s%g" % (k, v) for k, v in extra.items())
                case = "%s_grad%s_%s_%s" % (name, "_" + label if label else "",
                                            reduction, el)
                out.case(case.replace(".", "p"),
                         "loss.%s_grad {x}, {t}, {g}%s" % (name, attrs(extra, reduction)),
                         {"x": x, "t": t, "g": g}, [gx.to(dtype), gt.to(dtype)])
    out.write()


if __name__ == "__main__":
    main()
