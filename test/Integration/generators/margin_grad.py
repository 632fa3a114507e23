"""Writes test/Integration/CPU/margin_grad.mlir: the gradients of the margin
and embedding losses (margin_ranking, hinge_embedding, soft_margin,
multilabel_margin, multilabel_soft_margin, multi_margin, cosine_embedding,
triplet_margin) against torch.autograd in float64 on the same (rounded)
inputs, for every reduction and option, with points placed exactly on the
kinks (hinges at the margin, norms at zero, ties of swap's min) and with the
broadcast and unbatched forms the forward ops take. Run with Debian's
/usr/bin/python3:

    /usr/bin/python3 test/Integration/generators/margin_grad.py
"""

import math
import re

import torch
import torch.nn.functional as F

from lossgen import TestFile, dense, tensor_type


def dynamic_type(t):
    """t's tensor type with every dim but the size-1 ones dynamic (a dynamic
    dim never broadcasts, so the 1s stay)."""
    ty = tensor_type(t)
    dims = ["1" if d == 1 else "?" for d in t.shape]
    el = ty[len("tensor<"):-1].split("x")[-1]
    return "tensor<%s%s>" % ("x".join(dims) + "x" if dims else "", el)


class DynamicTestFile(TestFile):
    """Cases whose operands reach the op with dynamic sizes (tensor.cast of
    the constants), and whose results are cast back to static for the
    check: the lowerings' run-time sizes, checks and gathers."""

    def case(self, name, op, inputs, expected):
        k, lines = self.begin_case(name)
        ssa = {}
        for key, t in inputs.items():
            c = "%%c%d_%s" % (k, key)
            lines.append("  %s = arith.constant %s : %s" % (c, dense(t),
                                                           tensor_type(t)))
            ssa[key] = "%%d%d_%s" % (k, key)
            lines.append("  %s = tensor.cast %s : %s to %s" %
                         (ssa[key], c, tensor_type(t), dynamic_type(t)))
        order = re.findall(r"(?<!\{)\{(\w+)\}(?!\})", op)
        text = op
        for key in set(order):
            text = re.sub(r"(?<!\{)\{%s\}(?!\})" % key, ssa[key], text)
        text = text.replace("{{", "{").replace("}}", "}")
        operand_types = ", ".join(dynamic_type(inputs[key]) for key in order)
        result_types = ", ".join(dynamic_type(e) for e in expected)
        if len(expected) > 1:
            result_types = "(" + result_types + ")"
        res = "%%r%d" % k
        lhs = res if len(expected) == 1 else "%s:%d" % (res, len(expected))
        lines.append("  %s = %s : (%s) -> %s" % (lhs, text, operand_types,
                                                 result_types))
        lines.append('  vector.print str "case %s\\n"' % name)
        self.checks.append("// CHECK-LABEL: case %s" % name)
        for i, e in enumerate(expected):
            got = res if len(expected) == 1 else "%s#%d" % (res, i)
            static = "%%s%d_%d" % (k, i)
            lines.append("  %s = tensor.cast %s : %s to %s" %
                         (static, got, dynamic_type(e), tensor_type(e)))
            lines += self._check(k, i, static, e)
            self.checks.append("// CHECK: PASS")
        self.body.append("\n".join(lines))

EL = {torch.float32: "f32", torch.float64: "f64",
      torch.float16: "f16", torch.bfloat16: "bf16"}
REDUCTIONS = ("none", "sum", "mean")
# Three files, so that lit compiles and runs them side by side.
FILE_OF = {"margin_ranking": "pointwise", "hinge_embedding": "pointwise",
           "soft_margin": "pointwise", "multilabel_margin": "multiclass",
           "multilabel_soft_margin": "multiclass", "multi_margin": "multiclass",
           "cosine_embedding": "embedding", "triplet_margin": "embedding"}


def fmt_attr(k, v):
    if isinstance(v, bool):
        return "%s = %s" % (k, "true" if v else "false")
    if isinstance(v, int):
        return "%s = %d : i64" % (k, v)
    if math.isinf(v):
        return "%s = 0x7FF0000000000000 : f64" % k
    return "%s = %s : f64" % (k, "%.6e" % v)


def attrs(extra, reduction):
    items = [fmt_attr(k, v) for k, v in sorted(extra.items())]
    if reduction != "mean":
        items.append("reduction = #loss.reduction<%s>" % reduction)
    return (" {{" + ", ".join(items) + "}}") if items else ""


def label(extra):
    parts = []
    for k, v in sorted(extra.items()):
        if isinstance(v, bool):
            if v:
                parts.append(k)
        else:
            parts.append("%s%s" % (k, ("%g" % v).replace(".", "p")
                                   .replace("-", "m")))
    return "_".join(parts)


def forms(G, cases):
    """Every operand form for f32; the first (the one with the kinks) for
    the other types."""
    return cases if G.all_forms else cases[:1]


class Gen:
    def __init__(self):
        self.files = {
            "pointwise": TestFile("CPU/margin_grad.mlir", "margin_grad.py"),
            "multiclass": TestFile("CPU/margin_grad_multiclass.mlir",
                                   "margin_grad.py"),
            "embedding": TestFile("CPU/margin_grad_embedding.mlir",
                                  "margin_grad.py"),
            "dynamic": DynamicTestFile("CPU/margin_grad_dynamic.mlir",
                                       "margin_grad.py"),
        }
        self.dynamic = False
        self.all_forms = True
        self.gen = torch.Generator().manual_seed(15)

    def randn(self, *shape, scale=1.0):
        return torch.randn(shape, generator=self.gen, dtype=torch.float64) * scale

    def case(self, loss, tag, extra, reduction, dtype, operands, diff, fn,
             weight=None):
        """`operands`: ordered (name, tensor) of the forward's operands (the
        weight apart); `diff`: the names differentiated; `fn(dict, r)`: the
        torch loss."""
        ops = {}
        for k, v in operands:
            ops[k] = v.to(dtype) if v.dtype.is_floating_point else v
        if weight is not None:
            weight = weight.to(dtype)
        wide = {k: (v.double() if v.dtype.is_floating_point else v)
                for k, v in ops.items()}
        for k in diff:
            wide[k] = wide[k].clone().requires_grad_()
        if weight is not None:
            wide["w"] = weight.double()
        loss_v = fn(wide, reduction)
        g = self.randn(*loss_v.shape) if reduction == "none" else self.randn()
        g = g.to(dtype)
        grads = torch.autograd.grad(loss_v, [wide[k] for k in diff], g.double())
        inputs = dict(ops)
        names = [k for k, _ in operands]
        text = "loss.%s_grad " % loss + ", ".join("{%s}" % k for k in names)
        if weight is not None:
            inputs["w"] = weight
            text += " weight({w})"
        inputs["g"] = g
        text += ", {g}" + attrs(extra, reduction)
        lab = label(extra)
        name = "%s_grad%s%s_%s_%s" % (loss, "_" + tag if tag else "",
                                      "_" + lab if lab else "", reduction,
                                      EL[dtype])
        out = self.files["dynamic" if self.dynamic else FILE_OF[loss]]
        out.case(name, text, inputs, [gr.to(dtype) for gr in grads])


def margin_ranking(G, dtype, reduction):
    for margin in (0.0, 0.5):
        for tag, s1, s2, st in forms(G, (("", (3, 7), (3, 7), (3, 7)),
                                ("bcast", (3, 1), (1, 7), (3, 7)),
                                ("bcast_t", (4, 5), (4, 5), (1, 5)),
                                ("0d", (), (), ()))):
            x1 = G.randn(*s1)
            x2 = G.randn(*s2)
            t = torch.where(G.randn(*st) > 0, 1.0, -1.0).double()
            if tag == "":
                # v = -t (x1 - x2) + margin exactly 0 (the hinge): passes g.
                x1[0, 0], x2[0, 0], t[0, 0] = 1.5, 1.5 - margin, -1.0
                x1[0, 1], x2[0, 1], t[0, 1] = 0.25, 0.25 + margin, 1.0
                x1[0, 2], x2[0, 2] = 1.0, 1.0
            G.case("margin_ranking", tag, {"margin": margin}, reduction, dtype,
                   [("x1", x1), ("x2", x2), ("t", t)], ["x1", "x2"],
                   lambda a, r: F.margin_ranking_loss(
                       a["x1"], a["x2"], a["t"], margin=margin, reduction=r))
    # An integer target.
    x1, x2 = G.randn(2, 6), G.randn(2, 6)
    t = torch.tensor([[1, -1, 1, 0, -1, 1], [-1, -1, 1, 1, 0, 1]])
    G.case("margin_ranking", "int", {"margin": 0.5}, reduction, dtype,
           [("x1", x1), ("x2", x2), ("t", t)], ["x1", "x2"],
           lambda a, r: F.margin_ranking_loss(
               a["x1"], a["x2"], a["t"].double(), margin=0.5, reduction=r))


def hinge_embedding(G, dtype, reduction):
    for margin in (1.0, 2.0):
        for tag, sx, st in forms(G, (("", (3, 7), (3, 7)), ("bcast_t", (3, 7), (7,)),
                            ("bcast_x", (1, 7), (3, 7)),
                            ("bcast_rank", (7,), (3, 7)))):
            x = G.randn(*sx, scale=1.5)
            t = torch.where(G.randn(*st) > 0, 1.0, -1.0).double()
            if tag == "":
                x[0, 0], t[0, 0] = margin, -1.0   # margin - x = 0: passes g
                x[0, 1], t[0, 1] = margin, 1.0
                t[0, 2] = 0.0                      # both terms
                t[0, 3] = 2.0
            G.case("hinge_embedding", tag, {"margin": margin}, reduction, dtype,
                   [("x", x), ("t", t)], ["x"],
                   lambda a, r: F.hinge_embedding_loss(
                       a["x"], a["t"], margin=margin, reduction=r))
    x = G.randn(2, 5)
    t = torch.tensor([[1, -1, 0, 1, -1], [-1, -1, 1, 1, 1]])
    G.case("hinge_embedding", "int", {}, reduction, dtype,
           [("x", x), ("t", t)], ["x"],
           lambda a, r: F.hinge_embedding_loss(a["x"], a["t"].double(),
                                               reduction=r))


def soft_margin(G, dtype, reduction):
    for tag, sx, st in forms(G, (("", (3, 7), (3, 7)), ("bcast_t", (3, 7), (7,)),
                                 ("0d", (), ()))):
        x = G.randn(*sx, scale=2)
        t = torch.where(G.randn(*st) > 0, 1.0, -1.0).double()
        if tag == "":
            x[0, 0], x[0, 1], x[0, 2] = 0.0, 30.0, -30.0
        G.case("soft_margin", tag, {}, reduction, dtype, [("x", x), ("t", t)],
               ["x"], lambda a, r: F.soft_margin_loss(a["x"], a["t"],
                                                      reduction=r))
    x = G.randn(2, 4)
    t = torch.tensor([[1, -1, 1, 0], [-1, 1, 1, -1]], dtype=torch.int32)
    G.case("soft_margin", "int", {}, reduction, dtype, [("x", x), ("t", t)],
           ["x"], lambda a, r: F.soft_margin_loss(a["x"], a["t"].double(),
                                                  reduction=r))


def multilabel_margin(G, dtype, reduction):
    x = G.randn(4, 5)
    t = torch.tensor([[3, 0, -1, 1, 2], [1, 1, 4, -1, 0], [0, 1, 2, 3, 4],
                      [-1, 2, 3, 0, 0]])
    # Hinges exactly at 0 (x_j - x_i = 1: not counted) and open ones.
    x[0, 3], x[0, 4], x[0, 1] = 1.5, 0.5, 0.5
    x[1, 1], x[1, 0] = 0.25, -0.75
    G.case("multilabel_margin", "", {}, reduction, dtype, [("x", x), ("t", t)],
           ["x"], lambda a, r: F.multilabel_margin_loss(a["x"], a["t"],
                                                        reduction=r))
    if not G.all_forms:
        return
    # Unbatched [C] and 0-d.
    x = G.randn(6)
    t = torch.tensor([2, 5, 2, -1, 0, 1], dtype=torch.int32)
    x[2], x[0] = 1.0, 0.0
    G.case("multilabel_margin", "1d", {}, reduction, dtype,
           [("x", x), ("t", t)], ["x"],
           lambda a, r: F.multilabel_margin_loss(a["x"], a["t"].long(),
                                                 reduction=r))
    for tv in (0, -1):
        x = G.randn()
        t = torch.tensor(tv)
        G.case("multilabel_margin", "0d_t%d" % tv if tv >= 0 else "0d_tm1", {},
               reduction, dtype, [("x", x), ("t", t)], ["x"],
               lambda a, r: F.multilabel_margin_loss(a["x"], a["t"],
                                                     reduction=r))


def multilabel_soft_margin(G, dtype, reduction):
    for tag, sx, st, sw in forms(G, (("", (3, 5), (3, 5), None),
                            ("w", (3, 5), (3, 5), (5,)),
                            ("bcast_t_w", (2, 3, 4), (4,), (3, 4)),
                            ("1d", (6,), (6,), (6,)))):
        x = G.randn(*sx, scale=2)
        t = (G.randn(*st) > 0).double()
        if tag == "":
            x[0, 0], x[0, 1], t[0, 1] = 0.0, 40.0, 1.0
            x[0, 2], t[0, 2] = -40.0, 0.0
            t[1, 0] = 0.25  # soft labels
        w = G.randn(*sw).abs() + 0.5 if sw else None
        G.case("multilabel_soft_margin", tag, {}, reduction, dtype,
               [("x", x), ("t", t)], ["x"],
               lambda a, r: F.multilabel_soft_margin_loss(
                   a["x"], a["t"], weight=a.get("w"), reduction=r),
               weight=w)
    x = G.randn(2, 4)
    t = torch.tensor([[1, 0, 1, 0], [0, 0, 1, 1]])
    G.case("multilabel_soft_margin", "int", {}, reduction, dtype,
           [("x", x), ("t", t)], ["x"],
           lambda a, r: F.multilabel_soft_margin_loss(a["x"], a["t"].double(),
                                                      reduction=r))


def multi_margin(G, dtype, reduction):
    for p in (1, 2):
        for margin in (1.0, 0.5):
            for weighted in (False, True):
                x = G.randn(4, 5)
                t = torch.tensor([1, 0, 4, 2])
                # z = margin - x_y + x_i exactly 0 (closed hinge) and a tie of
                # two classes with the target's value.
                x[0, 1], x[0, 3] = 0.75, 0.75 - margin
                x[1, 0], x[1, 2], x[1, 4] = 0.5, 0.5, 0.5 - margin
                w = G.randn(5).abs() + 0.5 if weighted else None
                extra = {"p": p, "margin": margin}
                G.case("multi_margin", "w" if weighted else "", extra,
                       reduction, dtype, [("x", x), ("t", t)], ["x"],
                       lambda a, r: F.multi_margin_loss(
                           a["x"], a["t"], p=p, margin=margin,
                           weight=a.get("w"), reduction=r),
                       weight=w)
    # Unbatched forms: [C] with [] and [1] targets, [1, C] with [], 0-d.
    for tag, x, t in forms(G, (("1d", G.randn(5), torch.tensor(3)),
                      ("1d_t1", G.randn(5), torch.tensor([2])),
                      ("1xc_t0d", G.randn(1, 4), torch.tensor(1)),
                      ("0d", G.randn(), torch.tensor(0)))):
        G.case("multi_margin", tag, {"p": 2}, reduction, dtype,
               [("x", x), ("t", t)], ["x"],
               lambda a, r: F.multi_margin_loss(a["x"], a["t"], p=2,
                                                reduction=r))


def cosine_embedding(G, dtype, reduction):
    for margin in (0.0, 0.5):
        for tag, s1, s2, st in forms(G, (("", (4, 6), (4, 6), (4,)),
                                ("bcast_x2", (4, 6), (1, 6), (4,)),
                                ("bcast_t", (3, 5), (3, 5), (1,)),
                                ("bcast_x1", (1, 5), (3, 5), (3,)),
                                ("bcast_d", (3, 1), (3, 4), (3,)),
                                ("1d_bcast_d", (5,), (1,), ()))):
            x1, x2 = G.randn(*s1), G.randn(*s2)
            if tag == "bcast_d":
                # One feature against D: cos does not depend on |x1|, so its
                # gradient is a cancellation to 0; magnitudes >= 2 keep the
                # rounding of the f32 terms inside the tolerance.
                x1 = torch.sign(x1) * (2.0 + x1.abs())
            if tag == "1d_bcast_d":
                x2 = torch.sign(x2) * (2.0 + x2.abs())
            t = torch.where(G.randn(*st) > 0, 1.0, -1.0).double()
            if tag == "" and margin == 0.0:
                # Orthogonal rows: cos = 0 = margin, the hinge passes g.
                x1[0] = torch.tensor([1.0, 0.0, 2.0, 0.0, 0.0, 1.0])
                x2[0] = torch.tensor([0.0, 3.0, 0.0, 1.0, 0.0, 0.0])
                t[0] = -1.0
                t[1] = 0.0  # neither case: zero gradient
                x2[2] = x1[2]
            G.case("cosine_embedding", tag, {"margin": margin}, reduction,
                   dtype, [("x1", x1), ("x2", x2), ("t", t)], ["x1", "x2"],
                   lambda a, r: F.cosine_embedding_loss(
                       a["x1"], a["x2"], a["t"], margin=margin, reduction=r))
    x1, x2 = G.randn(5), G.randn(5)
    G.case("cosine_embedding", "1d", {"margin": -0.5}, reduction, dtype,
           [("x1", x1), ("x2", x2), ("t", torch.tensor(-1))], ["x1", "x2"],
           lambda a, r: F.cosine_embedding_loss(
               a["x1"], a["x2"], a["t"], margin=-0.5, reduction=r))
    x1, x2 = G.randn(3, 4), G.randn(3, 4)
    G.case("cosine_embedding", "int", {}, reduction, dtype,
           [("x1", x1), ("x2", x2), ("t", torch.tensor([1, -1, -1]))],
           ["x1", "x2"],
           lambda a, r: F.cosine_embedding_loss(a["x1"], a["x2"], a["t"],
                                                reduction=r))


# (p, swap, eps): every p with and without swap, and eps = 0 (zero norms).
TRIPLET_OPTIONS = [(p, swap, 1e-6) for p in (1.0, 2.0, 3.0, 1.5, math.inf)
                   for swap in (False, True)] + \
    [(2.0, False, 0.0), (2.0, True, 0.0), (1.0, True, 0.0),
     (3.0, True, 0.0), (math.inf, True, 0.0)]


def triplet(G, dtype, reduction, options=TRIPLET_OPTIONS):
    for p, swap, eps in options:
        if True:
            if True:
                a, po, n = G.randn(4, 5), G.randn(4, 5), G.randn(4, 5)
                # Row 0: a == p (with eps = 0 a zero norm: norm_backward's 0;
                # with swap, d(a, n) == d(p, n): min's tie).
                po[0] = a[0]
                # Row 1: a == n == p + 1 elsewhere: a large loss.
                n[1] = a[1]
                # Row 2: a tie of |r| = 2 for p = inf (exact subtractions).
                po[2] = a[2].clone()
                a[2, 1], po[2, 1] = 0.5, -1.5
                a[2, 3], po[2, 3] = 0.25, 2.25
                extra = {"p": p, "swap": swap, "eps": eps, "margin": 1.0}
                G.case("triplet_margin", "", extra, reduction, dtype,
                       [("a", a), ("p", po), ("n", n)], ["a", "p", "n"],
                       lambda d, r: F.triplet_margin_loss(
                           d["a"], d["p"], d["n"], margin=1.0, p=p, eps=eps,
                           swap=swap, reduction=r))


def triplet_forms(G, dtype, reduction):
    for tag, sa, sp, sn in forms(G, (("bcast", (3, 4), (1, 4), (3, 1)),
                            ("bcast_rows", (1, 4), (3, 4), (3, 4)),
                            ("1d", (5,), (5,), (5,)),
                            ("0d", (), (), ()),
                            ("3d", (2, 3, 4), (2, 3, 4), (2, 3, 4)),
                            ("1d_bcast_d", (4,), (1,), (4,)))):
        for swap in (False, True):
            for p in ((2.0, 1.0) if tag.startswith("bcast") else (2.0,)):
                a, po, n = G.randn(*sa), G.randn(*sp), G.randn(*sn)
                extra = {"p": p, "swap": swap, "margin": 0.5}
                G.case("triplet_margin", tag, extra, reduction, dtype,
                       [("a", a), ("p", po), ("n", n)], ["a", "p", "n"],
                       lambda d, r: F.triplet_margin_loss(
                           d["a"], d["p"], d["n"], margin=0.5, p=p,
                           swap=swap, reduction=r))


NARROW_TRIPLET = [(2.0, False, 1e-6), (2.0, True, 1e-6), (1.0, True, 1e-6)]


def main():
    G = Gen()
    # f32: every option and every operand form; f64: every option on the
    # forms with the kinks.
    for dtype in (torch.float32, torch.float64):
        G.all_forms = dtype == torch.float32
        for reduction in REDUCTIONS:
            margin_ranking(G, dtype, reduction)
            hinge_embedding(G, dtype, reduction)
            soft_margin(G, dtype, reduction)
            multilabel_margin(G, dtype, reduction)
            multilabel_soft_margin(G, dtype, reduction)
            multi_margin(G, dtype, reduction)
            cosine_embedding(G, dtype, reduction)
            triplet(G, dtype, reduction)
            triplet_forms(G, dtype, reduction)
    # Narrow types: f32 arithmetic, one rounding.
    G.all_forms = False
    for dtype in (torch.float16, torch.bfloat16):
        for reduction in ("none", "mean"):
            margin_ranking(G, dtype, reduction)
            hinge_embedding(G, dtype, reduction)
            soft_margin(G, dtype, reduction)
            multilabel_margin(G, dtype, reduction)
            multilabel_soft_margin(G, dtype, reduction)
            multi_margin(G, dtype, reduction)
            cosine_embedding(G, dtype, reduction)
            triplet(G, dtype, reduction, NARROW_TRIPLET)
    # Dynamic sizes: every family and form, in f32.
    G.dynamic = True
    G.all_forms = True
    for reduction in ("none", "mean"):
        for fn in (margin_ranking, hinge_embedding, soft_margin,
                   multilabel_margin, multilabel_soft_margin, multi_margin,
                   cosine_embedding, triplet_forms):
            fn(G, torch.float32, reduction)
        triplet(G, torch.float32, reduction,
                [(2.0, True, 1e-6), (math.inf, False, 0.0)])
    for f in G.files.values():
        f.write()


if __name__ == "__main__":
    main()
