#!/usr/bin/python3
"""Numeric tests of log_softmax, nll and softmax_cross_entropy vs PyTorch.

Writes test/Integration/CPU/cross_entropy.mlir. Expected values are computed
by torch.nn.functional in float64 from the very inputs the test feeds (for
f32 cases the inputs are f32-representable), then rounded to the result type.
"""

import torch
import torch.nn.functional as F

from lossgen import TestFile

torch.manual_seed(1234)
F32, F64, F16, BF16 = torch.float32, torch.float64, torch.float16, torch.bfloat16

RED = {"mean": "", "sum": "reduction = #loss.reduction<sum>",
       "none": "reduction = #loss.reduction<none>"}


def attrs(*parts):
    parts = [p for p in parts if p]
    return " {{" + ", ".join(parts) + "}}" if parts else ""


def logits(shape, dtype, scale=2.0):
    return (torch.randn(*shape, dtype=F64) * scale).to(dtype)


def targets(shape, num_classes, dtype=torch.int64):
    return torch.randint(0, num_classes, shape).to(dtype)


def ref(dtype):
    """PyTorch computes in float64; results are rounded to `dtype`."""
    return lambda t: t.to(F64)


def ce_case(tf, name, x, t, w=None, ii=-100, red="mean", ls=0.0,
            log_prob=False):
    dtype = x.dtype
    kw = {}
    if w is not None:
        kw["weight"] = w.to(F64)
    tt = t.long() if not t.dtype.is_floating_point else t.to(F64)
    expected = F.cross_entropy(x.to(F64), tt, ignore_index=ii, reduction=red,
                               label_smoothing=ls, **kw).to(dtype)
    op = "loss.softmax_cross_entropy {x}, {t}"
    inputs = {"x": x, "t": t}
    if w is not None:
        op += " weight({w})"
        inputs["w"] = w
    op += attrs("ignore_index = %d : i64" % ii if ii != -100 else "",
                RED[red], "label_smoothing = %r : f64" % ls if ls else "")
    results = [expected]
    if log_prob:
        results.append(F.log_softmax(x.to(F64), dim=1 if x.dim() > 1 else 0)
                       .to(dtype))
    tf.case(name, op, inputs, results if log_prob else expected)


def nll_case(tf, name, lp, t, w=None, ii=-100, red="mean"):
    dtype = lp.dtype
    kw = {}
    if w is not None:
        kw["weight"] = w.to(F64)
    expected = F.nll_loss(lp.to(F64), t.long(), ignore_index=ii,
                          reduction=red, **kw).to(dtype)
    op = "loss.nll {x}, {t}"
    inputs = {"x": lp, "t": t}
    if w is not None:
        op += " weight({w})"
        inputs["w"] = w
    op += attrs("ignore_index = %d : i64" % ii if ii != -100 else "", RED[red])
    tf.case(name, op, inputs, expected)


def log_softmax_case(tf, name, x, axis):
    expected = F.log_softmax(x.to(F64), dim=axis).to(x.dtype)
    tf.case(name, "loss.log_softmax {x}" + attrs("axis = %d : i64" % axis),
            {"x": x}, expected, functional_type=False)


def main():
    tf = TestFile("CPU/cross_entropy.mlir", "cross_entropy.py")

    # Plain cross entropy, every reduction, both precisions.
    for dtype in (F32, F64):
        sfx = "f32" if dtype == F32 else "f64"
        for red in ("mean", "sum", "none"):
            ce_case(tf, "ce_%s_%s" % (red, sfx), logits((4, 5), dtype),
                    targets((4,), 5), red=red)
            w = torch.rand(5, dtype=F64).to(dtype) + 0.1
            ce_case(tf, "ce_weight_%s_%s" % (red, sfx), logits((6, 5), dtype),
                    targets((6,), 5), w=w, red=red)

    # ignore_index inside [0, C), negative, beyond C; all ignored.
    t = torch.tensor([0, 2, 1, 2, 4, 2])
    ce_case(tf, "ce_ignore_in_range_mean_f32", logits((6, 5), F32), t, ii=2)
    ce_case(tf, "ce_ignore_in_range_weight_mean_f64", logits((6, 5), F64), t,
            w=torch.rand(5, dtype=F64) + 0.5, ii=2)
    ce_case(tf, "ce_ignore_negative_none_f32", logits((4, 3), F32),
            torch.tensor([-1, 0, 2, -1]), ii=-1, red="none")
    ce_case(tf, "ce_ignore_negative_weight_sum_f64", logits((4, 3), F64),
            torch.tensor([-1, 0, 2, -1]), w=torch.tensor([0.2, 1.5, 3.0], dtype=F64),
            ii=-1, red="sum")
    ce_case(tf, "ce_ignore_beyond_c_mean_f32", logits((4, 3), F32),
            torch.tensor([7, 0, 7, 1]), ii=7)
    ce_case(tf, "ce_all_ignored_mean_f32", logits((3, 4), F32),
            torch.tensor([1, 1, 1]), ii=1)
    ce_case(tf, "ce_all_ignored_sum_f64", logits((3, 4), F64),
            torch.tensor([1, 1, 1]), ii=1, red="sum")

    # Large logits stay finite (max-shifted log-sum-exp).
    big = torch.tensor([[1e4, -1e4, 0.0, 5e3], [-1e4, -1e4, -1e4, -1e4],
                        [1e4, 1e4, -1e4, 1e4]], dtype=F32)
    ce_case(tf, "ce_large_logits_none_f32", big, torch.tensor([1, 2, 2]),
            red="none")
    ce_case(tf, "ce_large_logits_mean_f64", big.to(F64), torch.tensor([0, 3, 2]))
    ce_case(tf, "ce_large_logits_log_prob_f32", big, torch.tensor([1, 0, 3]),
            red="none", log_prob=True)

    # K extra dims, k = 1..3.
    ce_case(tf, "ce_k1_mean_f32", logits((2, 3, 4), F32), targets((2, 4), 3))
    ce_case(tf, "ce_k2_none_f64", logits((2, 3, 2, 3), F64),
            targets((2, 2, 3), 3), red="none")
    ce_case(tf, "ce_k3_weight_sum_f32", logits((2, 3, 2, 2, 2), F32),
            targets((2, 2, 2, 2), 3), w=torch.tensor([0.5, 1.0, 2.0]), red="sum")
    ce_case(tf, "ce_k2_ignore_weight_mean_f64", logits((2, 4, 3, 2), F64),
            targets((2, 3, 2), 4), w=torch.rand(4, dtype=F64) + 0.2, ii=3)

    # Degenerate sizes: C = 1, N = 1, unbatched [C].
    ce_case(tf, "ce_c1_mean_f32", logits((3, 1), F32), torch.zeros(3, dtype=torch.int64))
    ce_case(tf, "ce_n1_sum_f64", logits((1, 6), F64), torch.tensor([4]), red="sum")
    ce_case(tf, "ce_unbatched_f32", logits((7,), F32), torch.tensor(3))
    ce_case(tf, "ce_unbatched_weight_f64", logits((7,), F64), torch.tensor(6),
            w=torch.rand(7, dtype=F64) + 0.1)

    # Label smoothing, with weight and ignore_index.
    ce_case(tf, "ce_ls_mean_f32", logits((5, 4), F32), targets((5,), 4), ls=0.1)
    ce_case(tf, "ce_ls_weight_ignore_mean_f64", logits((6, 4), F64),
            torch.tensor([0, 1, 3, 1, 2, 0]), w=torch.tensor([0.3, 2.0, 1.0, 0.7], dtype=F64),
            ii=1, ls=0.25)
    ce_case(tf, "ce_ls_ignore_none_f32", logits((4, 3), F32),
            torch.tensor([2, -100, 0, 1]), ls=0.3, red="none")
    ce_case(tf, "ce_ls_weight_sum_f32", logits((5, 6), F32), targets((5,), 6),
            w=torch.rand(6) + 0.1, ls=0.05, red="sum")
    ce_case(tf, "ce_ls_k2_weight_mean_f64", logits((2, 3, 2, 2), F64),
            targets((2, 2, 2), 3), w=torch.tensor([1.0, 0.5, 2.5], dtype=F64), ls=1.0)

    # Probability targets.
    def probs(shape, dtype, dim=1):
        return torch.softmax(torch.randn(*shape, dtype=F64), dim=dim).to(dtype)
    ce_case(tf, "ce_prob_mean_f32", logits((4, 5), F32), probs((4, 5), F32))
    ce_case(tf, "ce_prob_weight_sum_f64", logits((4, 5), F64), probs((4, 5), F64),
            w=torch.rand(5, dtype=F64) + 0.1, red="sum")
    ce_case(tf, "ce_prob_none_f32", logits((3, 4), F32), probs((3, 4), F32),
            red="none")
    ce_case(tf, "ce_prob_ls_weight_mean_f64", logits((4, 3), F64),
            probs((4, 3), F64), w=torch.tensor([0.2, 1.0, 3.0], dtype=F64), ls=0.2)
    ce_case(tf, "ce_prob_k1_mean_f32", logits((2, 3, 4), F32),
            probs((2, 3, 4), F32))
    ce_case(tf, "ce_prob_unbatched_f64", logits((5,), F64), probs((5,), F64, dim=0))

    # The log_prob result.
    ce_case(tf, "ce_log_prob_mean_f32", logits((3, 4), F32), targets((3,), 4),
            log_prob=True)
    ce_case(tf, "ce_log_prob_k1_weight_none_f64", logits((2, 3, 2), F64),
            targets((2, 2), 3), w=torch.rand(3, dtype=F64) + 0.1, red="none",
            log_prob=True)

    # Wide rows take the vectorizable path: 16 (f32) or 8 (f64) independent
    # streams per row, merged at the end; C not a multiple of the lane count
    # leaves a tail.
    ce_case(tf, "ce_wide_mean_f32", logits((3, 64), F32, 4.0), targets((3,), 64))
    ce_case(tf, "ce_wide_tail_none_f32", logits((4, 37), F32, 4.0),
            torch.tensor([0, 36, 31, 32]), red="none")
    ce_case(tf, "ce_wide_tail_weight_ignore_ls_mean_f32", logits((5, 45), F32, 3.0),
            torch.tensor([44, 7, 3, 16, 40]), w=torch.rand(45) + 0.1, ii=7, ls=0.2)
    ce_case(tf, "ce_wide_tail_weight_sum_f64", logits((3, 21), F64, 5.0),
            torch.tensor([20, 16, 0]), w=torch.rand(21, dtype=F64) + 0.1, red="sum")
    ce_case(tf, "ce_wide_k1_ls_none_f64", logits((2, 19, 3), F64),
            targets((2, 3), 19), ls=0.15, red="none")
    ce_case(tf, "ce_wide_prob_ls_weight_mean_f32", logits((3, 40), F32),
            probs((3, 40), F32), w=torch.rand(40) + 0.1, ls=0.1)
    ce_case(tf, "ce_wide_prob_none_f64", logits((2, 30), F64), probs((2, 30), F64),
            red="none")
    ce_case(tf, "ce_wide_log_prob_f32", logits((2, 35), F32), targets((2,), 35),
            log_prob=True)
    ce_case(tf, "ce_wide_unbatched_f32", logits((100,), F32, 10.0), torch.tensor(99))
    wide_big = torch.full((2, 40), -1e4, dtype=F32)
    wide_big[0, 33] = 1e4
    wide_big[1, 5] = 0.0
    ce_case(tf, "ce_wide_large_logits_ls_none_f32", wide_big,
            torch.tensor([33, 39]), ls=0.1, red="none")
    # Masked logits (-inf, as language models mask them), and a NaN logit:
    # the vector schedule's block max passes NaN over and its exp of a
    # non-positive argument flushes below exp(-86); NaN must still reach
    # the row's loss and -inf must contribute exactly 0.
    masked = logits((3, 40), F32)
    masked[0, 1::2] = float("-inf")
    masked[1, :39] = float("-inf")
    masked[2, 7] = -200.0
    ce_case(tf, "ce_wide_masked_inf_none_f32", masked,
            torch.tensor([4, 39, 7]), red="none")
    with_nan = logits((2, 40), F32)
    with_nan[1, 21] = float("nan")
    ce_case(tf, "ce_wide_nan_none_f32", with_nan, torch.tensor([3, 3]),
            red="none")
    ce_case(tf, "ce_wide_mean_f16", logits((3, 50), F16), targets((3,), 50))
    log_softmax_case(tf, "log_softmax_wide_tail_f32", logits((2, 53), F32), 1)
    log_softmax_case(tf, "log_softmax_wide_axis0_f64", logits((17, 3), F64), 0)

    # Narrow types accumulate in f32.
    ce_case(tf, "ce_mean_f16", logits((4, 5), F16), targets((4,), 5))
    ce_case(tf, "ce_ls_weight_sum_bf16", logits((4, 5), BF16), targets((4,), 5),
            w=(torch.rand(5) + 0.1).to(BF16), ls=0.1, red="sum")
    ce_case(tf, "ce_large_logits_none_f16", big.to(F16)[:, :3],
            torch.tensor([1, 2, 0]), red="none")

    # Other target widths.
    ce_case(tf, "ce_i32_targets_mean_f32", logits((4, 5), F32),
            targets((4,), 5, torch.int32))
    ce_case(tf, "ce_i8_targets_ignore_sum_f64", logits((4, 5), F64),
            torch.tensor([1, -1, 4, 0], dtype=torch.int8), ii=-1, red="sum")

    # nll on log-probabilities.
    def logp(shape, dtype):
        return F.log_softmax(torch.randn(*shape, dtype=F64), dim=1 if len(shape) > 1 else 0).to(dtype)
    nll_case(tf, "nll_mean_f32", logp((4, 5), F32), targets((4,), 5))
    nll_case(tf, "nll_weight_sum_f64", logp((4, 5), F64), targets((4,), 5),
             w=torch.rand(5, dtype=F64) + 0.1, red="sum")
    nll_case(tf, "nll_ignore_none_f32", logp((5, 3), F32),
             torch.tensor([0, 2, 1, 2, 2]), ii=2, red="none")
    nll_case(tf, "nll_k2_weight_mean_f64", logp((2, 4, 3, 2), F64),
             targets((2, 3, 2), 4), w=torch.rand(4, dtype=F64) + 0.1)
    nll_case(tf, "nll_k1_ignore_negative_weight_mean_f32", logp((3, 4, 2), F32),
             torch.tensor([[0, -5], [3, 1], [-5, -5]]), w=torch.tensor([1.0, 2.0, 0.5, 4.0]), ii=-5)
    nll_case(tf, "nll_unbatched_f32", logp((6,), F32), torch.tensor(5))
    nll_case(tf, "nll_all_ignored_mean_f64", logp((2, 3), F64),
             torch.tensor([0, 0]), ii=0)
    nll_case(tf, "nll_i32_targets_sum_f16", logp((3, 4), F16),
             targets((3,), 4, torch.int32), red="sum")

    # log_softmax along each axis.
    log_softmax_case(tf, "log_softmax_axis1_f32", logits((3, 4), F32), 1)
    log_softmax_case(tf, "log_softmax_axis_last_f64", logits((2, 3, 4), F64), -1)
    log_softmax_case(tf, "log_softmax_axis0_f32", logits((3, 2, 2), F32), 0)
    log_softmax_case(tf, "log_softmax_large_f32", big, 1)
    log_softmax_case(tf, "log_softmax_bf16", logits((2, 8), BF16), 1)

    tf.write()


if __name__ == "__main__":
    main()
