"""Writes test/Integration/CPU/large_reductions.mlir: reductions over 1M to
16M elements, rows of 128k classes, 65536-row means and large CTC batches,
checked against PyTorch in float64.

The inputs are never committed: the test builds them at run time from a
hash of each element's linear index (`hashed` below, mirrored bit for bit by
the IR that `Gen.emit` writes: integer arithmetic, then exact float64 scaling
by a power of two, then one rounding to the element type). The generator
computes the same inputs with torch, rounds them to the test's dtype and
evaluates the loss on them in float64. Run with Debian's /usr/bin/python3:

    /usr/bin/python3 test/Integration/generators/large_reductions.py
"""

import os

import torch
import torch.nn.functional as F

from hashgen import Gen
from lossgen import MLIR_TYPES, TestFile, tensor_type

class LargeFile(TestFile):
    def big_case(self, name, op, gens, expected):
        """Like `case`, with inputs built in IR from `gens` (name -> Gen)."""
        import re
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
        res = "%%r%d" % k
        lines.append("  %s = %s : (%s) -> %s" % (
            res, text, ", ".join(types[key] for key in order),
            tensor_type(expected)))
        lines.append('  vector.print str "case %s\\n"' % name)
        self.checks.append("// CHECK-LABEL: case %s" % name)
        lines += self._check(k, 0, res, expected)
        self.checks.append("// CHECK: PASS")
        self.body.append("\n".join(lines))


def f64(t):
    """The rounded input, widened for the float64 reference."""
    return t.double() if t.is_floating_point() else t


def main():
    out = LargeFile("CPU/large_reductions.mlir",
                    "large_reductions.py")
    f32, f64t, i64 = torch.float32, torch.float64, torch.int64

    def run(name, op, gens, fn, dtype):
        vals = {k: g.torch_value() for k, g in gens.items()}
        with torch.no_grad():
            ref = fn(**{k: f64(v) for k, v in vals.items()})
        out.big_case(name, op, gens, ref.to(dtype))

    # PyTorch's own MSELoss_prec test: every input 0.1, target 0.
    for dt in (f32, f64t):
        el = MLIR_TYPES[dt]
        shape = (5, 68, 64, 64)
        x = torch.full(shape, 0.1, dtype=dt)
        ref = F.mse_loss(f64(x), torch.zeros(shape, dtype=f64t))
        k = out.counter + 1
        name = "mse_prec_%s" % el
        out.names.add(name)
        out.counter = k
        ty = "tensor<5x68x64x64x%s>" % el
        lines = ["  // " + name,
                 "  %%c%d_x = arith.constant dense<1.000000e-01> : %s" % (k, ty),
                 "  %%c%d_t = arith.constant dense<0.000000e+00> : %s" % (k, ty),
                 "  %%r%d = loss.mse %%c%d_x, %%c%d_t : (%s, %s) -> tensor<%s>"
                 % (k, k, k, ty, ty, el),
                 '  vector.print str "case %s\\n"' % name]
        out.checks.append("// CHECK-LABEL: case %s" % name)
        lines += out._check(k, 0, "%%r%d" % k, ref.to(dt))
        out.checks.append("// CHECK: PASS")
        out.body.append("\n".join(lines))

    def sym(name, shape, dt, seed):  # [-2, 2)
        return Gen(name, shape, dt, seed, scale_log2=-30, offset=-2.0)

    def unit(name, shape, dt, seed):  # (0, 1)
        return Gen(name, shape, dt, seed, scale_log2=-32, half=True)

    # Elementwise losses, 1M to 16M elements.
    for dt in (f32, f64t):
        el = MLIR_TYPES[dt]
        run("mse_mean_16M_%s" % el, "loss.mse {x}, {t}",
            {"x": sym("x", (4096, 4096), dt, 1), "t": sym("t", (4096, 4096), dt, 2)},
            lambda x, t: F.mse_loss(x, t), dt)
        run("l1_sum_1M_%s" % el,
            "loss.l1 {x}, {t} {{reduction = #loss.reduction<sum>}}",
            {"x": sym("x", (1 << 20,), dt, 3), "t": sym("t", (1 << 20,), dt, 4)},
            lambda x, t: F.l1_loss(x, t, reduction="sum"), dt)
        run("bce_with_logits_mean_1M_%s" % el, "loss.bce_with_logits {x}, {t}",
            {"x": sym("x", (1024, 1024), dt, 5), "t": unit("t", (1024, 1024), dt, 6)},
            lambda x, t: F.binary_cross_entropy_with_logits(x, t), dt)
        run("bce_with_logits_pos_weight_sum_1M_%s" % el,
            "loss.bce_with_logits {x}, {t} pos_weight({pw}) "
            "{{reduction = #loss.reduction<sum>}}",
            {"x": sym("x", (1024, 1024), dt, 7), "t": unit("t", (1024, 1024), dt, 8),
             "pw": unit("pw", (1024,), dt, 9)},
            lambda x, t, pw: F.binary_cross_entropy_with_logits(
                x, t, pos_weight=pw, reduction="sum"), dt)
        run("bce_weight_rows_mean_1M_%s" % el, "loss.bce {x}, {t} weight({w})",
            {"x": unit("x", (65536, 16), dt, 10), "t": unit("t", (65536, 16), dt, 11),
             "w": unit("w", (65536, 1), dt, 12)},
            lambda x, t, w: F.binary_cross_entropy(x, t, weight=w), dt)
        run("smooth_l1_mean_2M_%s" % el, "loss.smooth_l1 {x}, {t}",
            {"x": sym("x", (16, 131072), dt, 13), "t": sym("t", (16, 131072), dt, 14)},
            lambda x, t: F.smooth_l1_loss(x, t), dt)
        run("huber_sum_1M_%s" % el,
            "loss.huber {x}, {t} {{reduction = #loss.reduction<sum>}}",
            {"x": sym("x", (1 << 20,), dt, 15), "t": sym("t", (1 << 20,), dt, 16)},
            lambda x, t: F.huber_loss(x, t, reduction="sum"), dt)
        run("kl_div_batchmean_1M_%s" % el,
            "loss.kl_div {x}, {t} {{reduction = #loss.reduction<batchmean>}}",
            {"x": sym("x", (4096, 256), dt, 17), "t": unit("t", (4096, 256), dt, 18)},
            lambda x, t: F.kl_div(x, t, reduction="batchmean"), dt)
        run("poisson_nll_mean_1M_%s" % el, "loss.poisson_nll {x}, {t}",
            {"x": sym("x", (1 << 20,), dt, 19), "t": unit("t", (1 << 20,), dt, 20)},
            lambda x, t: F.poisson_nll_loss(x, t), dt)
        run("soft_margin_mean_1M_%s" % el, "loss.soft_margin {x}, {t}",
            {"x": sym("x", (1 << 20,), dt, 21), "t": sym("t", (1 << 20,), dt, 22)},
            lambda x, t: F.soft_margin_loss(x, t), dt)
        run("margin_ranking_mean_1M_%s" % el,
            "loss.margin_ranking {a}, {b}, {t} {{margin = 1.000000e-01 : f64}}",
            {"a": sym("a", (1 << 20,), dt, 23), "b": sym("b", (1 << 20,), dt, 24),
             "t": sym("t", (1 << 20,), dt, 25)},
            lambda a, b, t: F.margin_ranking_loss(a, b, t, margin=0.1), dt)

    # Per-sample losses over 65536 rows (1M elements).
    for dt in (f32, f64t):
        el = MLIR_TYPES[dt]
        n, c = 65536, 16
        run("cosine_embedding_mean_%s" % el, "loss.cosine_embedding {a}, {b}, {t}",
            {"a": sym("a", (n, c), dt, 26), "b": sym("b", (n, c), dt, 27),
             "t": Gen("t", (n,), i64, 28, mod=3, offset=-1)},
            lambda a, b, t: F.cosine_embedding_loss(a, b, t), dt)
        run("triplet_margin_mean_%s" % el, "loss.triplet_margin {a}, {p}, {q}",
            {"a": sym("a", (n, c), dt, 29), "p": sym("p", (n, c), dt, 30),
             "q": sym("q", (n, c), dt, 31)},
            lambda a, p, q: F.triplet_margin_loss(a, p, q), dt)
        run("multilabel_soft_margin_mean_%s" % el,
            "loss.multilabel_soft_margin {x}, {t}",
            {"x": sym("x", (n, c), dt, 32), "t": unit("t", (n, c), dt, 33)},
            lambda x, t: F.multilabel_soft_margin_loss(x, t), dt)
        run("multi_margin_mean_%s" % el, "loss.multi_margin {x}, {t}",
            {"x": sym("x", (n, c), dt, 34), "t": Gen("t", (n,), i64, 35, mod=c)},
            lambda x, t: F.multi_margin_loss(x, t), dt)

    # Cross entropy and nll: 65536-row means and sums, 128k-class rows.
    for dt in (f32, f64t):
        el = MLIR_TYPES[dt]
        n, c = 65536, 16
        run("cross_entropy_weight_ignore_mean_%s" % el,
            "loss.softmax_cross_entropy {x}, {t} weight({w}) "
            "{{ignore_index = 3 : i64}}",
            {"x": sym("x", (n, c), dt, 36), "t": Gen("t", (n,), i64, 37, mod=c),
             "w": unit("w", (c,), dt, 38)},
            lambda x, t, w: F.cross_entropy(x, t, weight=w, ignore_index=3), dt)
        run("cross_entropy_smoothing_sum_%s" % el,
            "loss.softmax_cross_entropy {x}, {t} "
            "{{label_smoothing = 1.000000e-01 : f64, reduction = #loss.reduction<sum>}}",
            {"x": sym("x", (n, c), dt, 39), "t": Gen("t", (n,), i64, 40, mod=c)},
            lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1,
                                         reduction="sum"), dt)
        run("nll_weight_mean_%s" % el, "loss.nll {x}, {t} weight({w})",
            {"x": sym("x", (n, 32), dt, 41), "t": Gen("t", (n,), i64, 42, mod=32),
             "w": unit("w", (32,), dt, 43)},
            lambda x, t, w: F.nll_loss(x, t, weight=w), dt)
        run("cross_entropy_kdim_mean_%s" % el,
            "loss.softmax_cross_entropy {x}, {t}",
            {"x": sym("x", (4, 21, 128, 128), dt, 44),
             "t": Gen("t", (4, 128, 128), i64, 45, mod=21)},
            lambda x, t: F.cross_entropy(x, t), dt)
    for c in (32000, 128256):
        run("cross_entropy_mean_64x%d_f32" % c, "loss.softmax_cross_entropy {x}, {t}",
            {"x": Gen("x", (64, c), f32, 46, scale_log2=-28, offset=-8.0),
             "t": Gen("t", (64,), i64, 47, mod=c)},
            lambda x, t: F.cross_entropy(x, t), f32)

    # CTC: a mean over 256 samples of 200 steps.
    for dt in (f32, f64t):
        el = MLIR_TYPES[dt]
        t_len, n, c, s = 200, 256, 20, 40
        run("ctc_mean_%s" % el,
            "loss.ctc {lp}, {tg}, {il}, {tl}",
            {"lp": Gen("lp", (t_len, n, c), dt, 48, scale_log2=-30, offset=-4.0),
             "tg": Gen("tg", (n, s), i64, 49, mod=c - 1, offset=1),
             "il": Gen("il", (n,), i64, 50, mod=20, offset=t_len - 19),
             "tl": Gen("tl", (n,), i64, 51, mod=10, offset=s - 9)},
            lambda lp, tg, il, tl: F.ctc_loss(lp, tg, il, tl), dt)

    out.write()


if __name__ == "__main__":
    torch.set_num_threads(2)
    main()
