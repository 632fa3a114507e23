"""Writes test/Integration/CPU/math_extremes.mlir: the math that the CPU
pipeline approximates or expands (f32 `exp` and `log` as polynomials, `log1p`, the
softplus tails of the logistic losses), at the extremes of its range,
against PyTorch in float64. Run with Debian's /usr/bin/python3:

    /usr/bin/python3 test/Integration/generators/math_extremes.py
"""

import torch
import torch.nn.functional as F

import lossgen
from lossgen import TestFile

# Tails are the point: relative tolerance only (down to the subnormals).
lossgen.ATOL.update({torch.float32: 1e-44, torch.float64: 1e-320})


class MathFile(TestFile):
    """Math ops run inside functions of their own: on constants, MLIR's
    folders would compute them at compile time with the host's libm."""

    def __init__(self, *args):
        super().__init__(*args)
        self.funcs = []

    def math_case(self, name, op, x, expected):
        ty = lossgen.tensor_type(x)
        fn = "math_" + name
        self.funcs.append("func.func private @%s(%%x: %s) -> %s {\n"
                          "  %%r = %s %%x : %s\n  return %%r : %s\n}"
                          % (fn, ty, ty, op, ty, ty))
        self.case(name, "func.call @%s({x})" % fn, {"x": x}, expected)

    def write(self):
        super().write()
        with open(self.path, "a") as f:
            f.write("\n" + "\n\n".join(self.funcs) + "\n")


def main():
    out = MathFile("CPU/math_extremes.mlir", "math_extremes.py")
    f32, f64 = torch.float32, torch.float64
    small = [1e-30, -1e-20, 1e-12, 3e-8, -2e-7, 1e-4, -0.25, 0.5, 7.0, 1e6,
             -0.999999, 3e38]
    for dt in (f32, f64):
        x = torch.tensor(small, dtype=dt)
        out.math_case("log1p_%s" % {torch.float32: "f32", torch.float64: "f64"}[dt],
                      "math.log1p", x, torch.log1p(x.double()).to(dt))
    # The f32 exp polynomial from the overflow to the subnormal range.
    x = torch.tensor([-104.0, -103.0, -100.0, -95.0, -88.0, -87.3, -50.0, -1e-6,
                      0.0, 1e-6, 1.0, 20.0, 50.0, 80.0, 88.0, 88.7, 88.8, 100.0],
                     dtype=f32)
    out.math_case("exp_f32", "math.exp", x, torch.exp(x.double()).to(f32))
    # The f32 log polynomial: subnormals (scaled into the normal range
    # first), 0, negatives, the top of the range and inf.
    x = torch.tensor([0.0, -1.0, 1e-45, 1e-42, 1e-40, 1e-39, 1.1754942e-38,
                      1.1754944e-38, 1e-30, 1e-7, 0.5, 0.9999999, 1.0,
                      1.0000001, 2.0, 10.0, 1e30, 3.4e38, float("inf")],
                     dtype=f32)
    out.math_case("log_f32", "math.log", x, torch.log(x.double()).to(f32))
    # Softplus tails: log1p(exp(-|x|)) with no cancellation on either side.
    for dt in (f32, f64):
        name = {torch.float32: "f32", torch.float64: "f64"}[dt]
        x = torch.tensor([-700.0, -90.0, -40.0, -30.0, -16.0, -1e-3, 0.0, 1e-3,
                          16.0, 30.0, 40.0, 90.0, 700.0], dtype=f64).to(dt)
        for tv in (0.0, 1.0):
            t = torch.full_like(x, tv)
            # The exact value: t softplus(-x) + (1 - t) softplus(x).
            want = (t.double() * F.softplus(-x.double()) +
                    (1 - t.double()) * F.softplus(x.double()))
            out.case("bce_with_logits_tail_t%d_%s" % (tv, name),
                     "loss.bce_with_logits {x}, {t} "
                     "{{reduction = #loss.reduction<none>}}",
                     {"x": x, "t": t}, want.to(dt))
        y = torch.where(torch.arange(x.numel()) % 2 == 0, 1.0, -1.0).to(dt)
        out.case("soft_margin_tail_%s" % name,
                 "loss.soft_margin {x}, {y} {{reduction = #loss.reduction<none>}}",
                 {"x": x, "y": y},
                 F.softplus(-(y.double() * x.double())).to(dt))
    out.write()


if __name__ == "__main__":
    main()
