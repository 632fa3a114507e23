"""Writes test/Integration/CPU/large_grads.mlir: the gradients of cross
entropy (class targets with label smoothing and a weight, probability
targets, the fused forward and backward), of log_softmax and of the
regression losses at realistic sizes (rows of 32000 and 128256 classes,
65536 rows, 4M elements), checked against torch.autograd in float64.

Neither the inputs nor the gradients are committed: the inputs are built in
IR from a hash (hashgen.py, as large_reductions.py does), and each gradient
is checked through two sums over all of its elements, sum |g| and sum g^2
(loss.l1 and loss.mse against zeros, `sum`), which every element's error
enters (sum |g| of a cross-entropy row is carried by its non-target
classes as much as by the target). Run with Debian's /usr/bin/python3:

    /usr/bin/python3 test/Integration/generators/large_grads.py
"""

import re

import torch
import torch.nn.functional as F

from hashgen import Gen
from lossgen import MLIR_TYPES, TestFile, tensor_type

F32, F64, I64 = torch.float32, torch.float64, torch.int64


class LargeGradFile(TestFile):
    def grad_case(self, name, op, gens, grad_type, expected):
        """`op` (with `{name}` for the inputs built from `gens`) returns the
        gradient (its first result, of `grad_type`); `expected` is
        [sum |g|, sum g^2] as 0-d tensors."""
        k, lines = self.begin_case(name)
        ssa, types = {}, {}
        for key, g in gens.items():
            ssa[key] = "%%c%d_%s" % (k, key)
            body, types[key] = g.emit(ssa[key])
            lines += body
        order = re.findall(r"(?<!\{)\{(\w+)\}(?!\})", op)
        text = op
        for key in set(order):
            text = re.sub(r"(?<!\{)\{%s\}(?!\})" % key, ssa[key], text)
        text = text.replace("{{", "{").replace("}}", "}")
        text = text.replace("{%g}", "%%g%d" % k)
        el = grad_type.split("x")[-1].rstrip(">")
        res = "%%r%d" % k
        multi = "-> (" in text
        lines.append("  %s%s = %s" % (res, ":2" if multi else "", text.replace(
            "TYPES", ", ".join(types[key] for key in order))))
        zero = "%%z%d" % k
        lines.append("  %s = arith.constant dense<0.0> : %s" % (zero, grad_type))
        for i, fn in enumerate(("l1", "mse")):
            lines.append(
                "  %%s%d_%d = loss.%s %s, %s {reduction = #loss.reduction<sum>}"
                " : (%s, %s) -> tensor<%s>" % (k, i, fn,
                                              res + "#0" if multi else res,
                                              zero, grad_type, grad_type, el))
        lines.append('  vector.print str "case %s\\n"' % name)
        self.checks.append("// CHECK-LABEL: case %s" % name)
        for i, e in enumerate(expected):
            lines += self._check(k, i, "%%s%d_%d" % (k, i), e)
            self.checks.append("// CHECK: PASS")
        self.body.append("\n".join(lines))


def sums(g, dtype):
    g = g.double()
    return [g.abs().sum().to(dtype), (g * g).sum().to(dtype)]


def main():
    out = LargeGradFile("CPU/large_grads.mlir", "large_grads.py")

    def logits(name, shape, dt, seed):  # [-8, 8)
        return Gen(name, shape, dt, seed, scale_log2=-28, offset=-8.0)

    def sym(name, shape, dt, seed):  # [-2, 2)
        return Gen(name, shape, dt, seed, scale_log2=-30, offset=-2.0)

    def unit(name, shape, dt, seed):  # (0, 1)
        return Gen(name, shape, dt, seed, scale_log2=-32, half=True)

    def run(name, op, gens, fn, wrt, dt, grad_fn=None):
        """`fn` the loss of float64 inputs, differentiated with respect to
        `wrt` by autograd; or `grad_fn` the gradient itself (an ATen
        backward op, for ops whose operand is the forward's output)."""
        vals = {k: g.torch_value() for k, g in gens.items()}
        if grad_fn is not None:
            g = grad_fn(**{k: v.double() for k, v in vals.items()})
            ty = "tensor<%sx%s>" % ("x".join(map(str, gens[wrt].shape)),
                                    MLIR_TYPES[dt])
            out.grad_case(name, op, gens, ty, sums(g, dt))
            return
        ref = {k: (v.double().requires_grad_() if k == wrt else
                   (v.double() if v.is_floating_point() else v))
               for k, v in vals.items()}
        loss = fn(**ref)
        g, = torch.autograd.grad(loss, ref[wrt])
        shape = gens[wrt].shape
        ty = "tensor<%sx%s>" % ("x".join(map(str, shape)), MLIR_TYPES[dt])
        out.grad_case(name, op, gens, ty, sums(g, dt))

    for dt in (F32, F64):
        el = MLIR_TYPES[dt]
        for n, c in ((64, 32000), (16, 128256)):
            ty = "tensor<%dx%dx%s>" % (n, c, el)
            w = Gen("w", (c,), dt, 50, scale_log2=-32, half=True, offset=0.5)
            run("ce_grad_smooth_weight_%dx%d_%s" % (n, c, el),
                "loss.softmax_cross_entropy_grad {x}, {t} weight({w}), {g} "
                "{{label_smoothing = 1.000000e-01 : f64}} : (TYPES) -> " + ty,
                {"x": logits("x", (n, c), dt, 51), "t": Gen("t", (n,), I64, 52, mod=c),
                 "w": w, "g": Gen("g", (), dt, 53, scale_log2=-32, half=True,
                                  offset=0.5)},
                lambda x, t, w, g: F.cross_entropy(x, t, weight=w,
                                                   label_smoothing=0.1) * g,
                "x", dt)
            run("ce_fused_none_%dx%d_%s" % (n, c, el),
                "loss.softmax_cross_entropy_grad {x}, {t}, {g} "
                "{{reduction = #loss.reduction<none>}} : (TYPES) -> (" + ty
                + ", tensor<%dx%s>)" % (n, el),
                {"x": logits("x", (n, c), dt, 54), "t": Gen("t", (n,), I64, 55, mod=c),
                 "g": sym("g", (n,), dt, 56)},
                lambda x, t, g: (F.cross_entropy(x, t, reduction="none") * g).sum(),
                "x", dt)
            # The operand is the forward's output: ATen's backward op is the
            # oracle (autograd calls it), on log-probabilities of a hashed
            # row normalised in IR by loss.log_softmax itself.
            run("log_softmax_grad_%dx%d_%s" % (n, c, el),
                "loss.log_softmax_grad {y}, {g} {{axis = 1 : i64}} : " + ty,
                {"y": Gen("y", (n, c), dt, 57, scale_log2=-32, half=True,
                          offset=-11.0),
                 "g": sym("g", (n, c), dt, 58)},
                None, "y", dt,
                grad_fn=lambda y, g: torch._log_softmax_backward_data(
                    g, y, 1, torch.float64))
        # Probability targets over 65536 rows of 32 classes, mean.
        ty = "tensor<65536x32x%s>" % el
        run("ce_grad_probs_65536x32_%s" % el,
            "loss.softmax_cross_entropy_grad {x}, {p}, {g} : (TYPES) -> " + ty,
            {"x": logits("x", (65536, 32), dt, 59), "p": unit("p", (65536, 32), dt, 60),
             "g": Gen("g", (), dt, 61, scale_log2=-32, half=True, offset=0.5)},
            lambda x, p, g: F.cross_entropy(x, p) * g, "x", dt)
        # Regression: smooth_l1 over 4M elements, mean.
        ty = "tensor<2048x2048x%s>" % el
        run("smooth_l1_grad_4M_%s" % el,
            "loss.smooth_l1_grad {x}, {t}, {g} : (TYPES) -> (" + ty + ", " + ty + ")",
            {"x": sym("x", (2048, 2048), dt, 62), "t": sym("t", (2048, 2048), dt, 63),
             "g": Gen("g", (), dt, 64, scale_log2=-32, half=True, offset=0.5)},
            lambda x, t, g: F.smooth_l1_loss(x, t) * g, "x", dt)
    out.write()


if __name__ == "__main__":
    main()
