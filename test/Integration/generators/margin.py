#!/usr/bin/python3
"""Numeric tests of the margin and embedding losses vs PyTorch.

multilabel_margin, multilabel_soft_margin, multi_margin, cosine_embedding and
triplet_margin. Writes test/Integration/CPU/margin.mlir. Expected values are
computed by torch.nn.functional in float64 from the very inputs the test feeds
(f32/f16/bf16 inputs are exactly representable in float64), then rounded to
the result type.

Where the op defines what PyTorch rejects, the expected value still comes
from PyTorch: a multilabel target outside [-1, C) ends the list like -1, so
the expected value is PyTorch's on the target with that value set to -1; a
multi_margin target outside [0, C) gives NaN for its sample, and PyTorch
gives every other sample.
"""

import math

import torch
import torch.nn.functional as F

from lossgen import TestFile

torch.manual_seed(4242)
F32, F64, F16, BF16 = torch.float32, torch.float64, torch.float16, torch.bfloat16
I64, I32 = torch.int64, torch.int32
SFX = {F32: "f32", F64: "f64", F16: "f16", BF16: "bf16"}

RED = {"mean": "", "sum": "reduction = #loss.reduction<sum>",
       "none": "reduction = #loss.reduction<none>"}


def attrs(*parts):
    parts = [p for p in parts if p]
    return " {{" + ", ".join(parts) + "}}" if parts else ""


def f64attr(name, v):
    """`name = v : f64` with an MLIR float literal (always a '.' or hex)."""
    if math.isinf(v):
        return "%s = 0x%X : f64" % (name, 0x7FF0000000000000 if v > 0
                                    else 0xFFF0000000000000)
    return "%s = %.17e : f64" % (name, v)


def randn(shape, dtype, scale=1.0):
    return (torch.randn(*shape, dtype=F64) * scale).to(dtype)


def reduce_rows(per_sample, red):
    """The reduction PyTorch applies to per-sample losses."""
    if red == "none":
        return per_sample
    if red == "sum":
        return per_sample.sum()
    return per_sample.mean()


# ---------------------------------------------------------------------------
# multilabel_margin
# ---------------------------------------------------------------------------

def mlm_torch_target(t, C):
    """The target PyTorch accepts with the same meaning: values outside
    [-1, C) end the list like -1."""
    t = t.long().clone()
    t[(t < -1) | (t >= C)] = -1
    return t


def mlm_case(tf, name, x, t, red="mean"):
    C = x.shape[-1] if x.dim() else 1
    expected = F.multilabel_margin_loss(x.to(F64), mlm_torch_target(t, C),
                                        reduction=red).to(x.dtype)
    tf.case(name, "loss.multilabel_margin {x}, {t}" + attrs(RED[red]),
            {"x": x, "t": t}, expected)


def mlm_targets(n, C, dtype=I64, dup=False):
    """Random target lists: a random number of classes, then -1, then
    leftovers in [-1, C) that must be ignored."""
    rows = []
    for _ in range(n):
        m = int(torch.randint(0, C + 1, ()).item())
        if dup:
            cls = torch.randint(0, C, (m,)).tolist()
        else:
            cls = torch.randperm(C)[:m].tolist()
        row = cls + ([-1] if m < C else [])
        while len(row) < C:
            row.append(int(torch.randint(-1, C, ()).item()))
        rows.append(row)
    return torch.tensor(rows, dtype=dtype)


def multilabel_margin_cases(tf):
    for dtype in (F32, F64):
        s = SFX[dtype]
        for red in ("mean", "sum", "none"):
            mlm_case(tf, "mlm_%s_%s" % (red, s), randn((5, 6), dtype),
                     mlm_targets(5, 6), red)
    # Duplicated classes in the list count once per occurrence.
    mlm_case(tf, "mlm_duplicates_none_f64", randn((4, 5), F64),
             torch.tensor([[3, 3, -1, 0, 1], [0, 0, 0, 0, 0], [4, 1, 4, -1, 2],
                           [2, 2, 1, 1, -1]]), "none")
    mlm_case(tf, "mlm_random_duplicates_sum_f32", randn((6, 5), F32),
             mlm_targets(6, 5, dup=True), "sum")
    # -1 at position 0 (empty J) and every class listed: both give 0.
    mlm_case(tf, "mlm_empty_and_all_none_f32", randn((3, 4), F32),
             torch.tensor([[-1, 0, 1, 2], [2, 0, 3, 1], [1, 3, 0, 2]]), "none")
    mlm_case(tf, "mlm_empty_list_mean_f64", randn((2, 3), F64),
             torch.tensor([[-1, 2, 2], [-1, -1, -1]]))
    # Every hinge term is 0: listed classes beat the others by >= 1.
    x = torch.tensor([[3.0, -1.0, 2.5, 0.0], [0.5, 0.25, -4.0, 2.0]], dtype=F64)
    mlm_case(tf, "mlm_no_violation_sum_f64", x,
             torch.tensor([[0, 2, -1, 1], [3, -1, 0, 0]]), "sum")
    # Out-of-range values end the list like -1 (PyTorch: on the target with
    # -1 there).
    mlm_case(tf, "mlm_out_of_range_ends_list_none_f32", randn((4, 5), F32),
             torch.tensor([[1, 7, 0, 2, 3], [4, 0, -3, 1, 1], [5, 1, 2, 3, 4],
                           [2, 3, 1, 100, -1]]), "none")
    # Unbatched [C], i32 targets.
    mlm_case(tf, "mlm_unbatched_f32", randn((6,), F32),
             torch.tensor([4, 0, -1, 3, 3, 1]))
    mlm_case(tf, "mlm_unbatched_none_f64", randn((5,), F64),
             torch.tensor([2, 4, 1, -1, 0]), "none")
    mlm_case(tf, "mlm_i32_targets_mean_f64", randn((3, 7), F64),
             mlm_targets(3, 7, I32))
    # PyTorch adds a hinge term only if it is > 0: a NaN input outside J
    # contributes nothing.
    x = randn((2, 4), F64)
    x[0, 2] = float("nan")
    mlm_case(tf, "mlm_nan_outside_list_none_f64", x,
             torch.tensor([[1, -1, 2, 0], [0, 3, -1, 2]]), "none")
    # Narrow types.
    mlm_case(tf, "mlm_mean_f16", randn((4, 6), F16), mlm_targets(4, 6))
    mlm_case(tf, "mlm_none_bf16", randn((3, 5), BF16), mlm_targets(3, 5), "none")


# ---------------------------------------------------------------------------
# multilabel_soft_margin
# ---------------------------------------------------------------------------

def mlsm_case(tf, name, x, t, w=None, red="mean"):
    kw = {}
    if w is not None:
        kw["weight"] = w.to(F64)
    # Integer targets as they are: PyTorch promotes them.
    tt = t.to(F64) if t.dtype.is_floating_point else t
    expected = F.multilabel_soft_margin_loss(x.to(F64), tt,
                                             reduction=red, **kw).to(x.dtype)
    op = "loss.multilabel_soft_margin {x}, {t}"
    inputs = {"x": x, "t": t}
    if w is not None:
        op += " weight({w})"
        inputs["w"] = w
    tf.case(name, op + attrs(RED[red]), inputs, expected)


def binary(shape, dtype):
    return torch.randint(0, 2, shape).to(dtype)


def multilabel_soft_margin_cases(tf):
    for dtype in (F32, F64):
        s = SFX[dtype]
        for red in ("mean", "sum", "none"):
            mlsm_case(tf, "mlsm_%s_%s" % (red, s), randn((4, 5), dtype, 2.0),
                      binary((4, 5), dtype), red=red)
            mlsm_case(tf, "mlsm_weight_%s_%s" % (red, s),
                      randn((3, 6), dtype, 2.0), binary((3, 6), dtype),
                      w=(torch.rand(6, dtype=F64) + 0.1).to(dtype), red=red)
    # Soft (probability) targets.
    mlsm_case(tf, "mlsm_soft_targets_mean_f64", randn((4, 3), F64, 3.0),
              torch.rand(4, 3, dtype=F64))
    # Large logits: every term stays finite and tiny losses do not cancel.
    big = torch.tensor([[100.0, -100.0, 1e4, -1e4], [30.0, -30.0, 0.0, 80.0]])
    tgt = torch.tensor([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, 1.0]])
    mlsm_case(tf, "mlsm_large_logits_none_f32", big, tgt, red="none")
    mlsm_case(tf, "mlsm_large_logits_none_f64", big.to(F64), tgt.to(F64),
              red="none")
    mlsm_case(tf, "mlsm_confident_right_none_f64",
              torch.tensor([[40.0, -40.0, 700.0, -700.0]], dtype=F64),
              torch.tensor([[1.0, 0.0, 1.0, 0.0]], dtype=F64), red="none")
    # Unbatched [C] and extra dims [N, K, C].
    mlsm_case(tf, "mlsm_unbatched_weight_f32", randn((5,), F32, 2.0),
              binary((5,), F32), w=torch.rand(5) + 0.5)
    mlsm_case(tf, "mlsm_unbatched_none_f64", randn((4,), F64), binary((4,), F64),
              red="none")
    mlsm_case(tf, "mlsm_rank3_none_f64", randn((2, 3, 4), F64, 2.0),
              binary((2, 3, 4), F64), red="none")
    mlsm_case(tf, "mlsm_rank3_weight_mean_f32", randn((2, 2, 5), F32, 2.0),
              binary((2, 2, 5), F32), w=torch.rand(5) + 0.2)
    # Narrow types.
    mlsm_case(tf, "mlsm_mean_f16", randn((4, 6), F16, 2.0), binary((4, 6), F16))
    mlsm_case(tf, "mlsm_weight_sum_bf16", randn((3, 4), BF16, 2.0),
              binary((3, 4), BF16), w=(torch.rand(4) + 0.5).to(BF16), red="sum")


# ---------------------------------------------------------------------------
# multi_margin
# ---------------------------------------------------------------------------

def mm_case(tf, name, x, t, p=1, margin=1.0, w=None, red="mean"):
    C = x.shape[-1] if x.dim() else 1
    kw = {"p": p, "margin": margin}
    if w is not None:
        kw["weight"] = w.to(F64)
    xt = x.to(F64)
    tt = t.long()
    valid = (tt >= 0) & (tt < C)
    if bool(valid.all()):
        expected = F.multi_margin_loss(xt, tt, reduction=red, **kw)
    else:
        # PyTorch rejects the whole call; the op gives NaN for the samples
        # with an out-of-range target and PyTorch's value for the others.
        per = F.multi_margin_loss(xt, torch.where(valid, tt, 0),
                                  reduction="none", **kw)
        per = torch.where(valid, per, torch.tensor(float("nan"), dtype=F64))
        expected = reduce_rows(per, red)
    op = "loss.multi_margin {x}, {t}"
    inputs = {"x": x, "t": t}
    if w is not None:
        op += " weight({w})"
        inputs["w"] = w
    op += attrs("p = 2 : i64" if p == 2 else "",
                f64attr("margin", margin) if margin != 1.0 else "", RED[red])
    tf.case(name, op, inputs, expected.to(x.dtype))


def multi_margin_cases(tf):
    for dtype in (F32, F64):
        s = SFX[dtype]
        for red in ("mean", "sum", "none"):
            for p in (1, 2):
                mm_case(tf, "mm_p%d_%s_%s" % (p, red, s), randn((5, 4), dtype),
                        torch.randint(0, 4, (5,)), p=p, red=red)
                mm_case(tf, "mm_p%d_weight_margin_%s_%s" % (p, red, s),
                        randn((4, 6), dtype), torch.randint(0, 6, (4,)), p=p,
                        margin=0.7, w=(torch.rand(6, dtype=F64) + 0.1).to(dtype),
                        red=red)
    # Margins 0 and large, negative.
    mm_case(tf, "mm_margin0_p2_none_f64", randn((4, 5), F64),
            torch.tensor([0, 4, 2, 2]), p=2, margin=0.0, red="none")
    mm_case(tf, "mm_margin_neg_mean_f64", randn((4, 5), F64),
            torch.tensor([1, 3, 0, 4]), margin=-0.5)
    mm_case(tf, "mm_margin3_weight_sum_f32", randn((3, 5), F32),
            torch.tensor([4, 0, 2]), margin=3.0, w=torch.rand(5) + 0.5, red="sum")
    # Every hinge term is 0: the target beats every other class by >= margin.
    x = torch.tensor([[5.0, 1.0, 0.0, -2.0], [0.0, 0.0, 2.0, 0.5]], dtype=F64)
    mm_case(tf, "mm_no_violation_p2_sum_f64", x, torch.tensor([0, 2]), p=2,
            w=torch.tensor([2.0, 1.0, 3.0, 0.5], dtype=F64), red="sum")
    # Unbatched [C] with scalar target.
    mm_case(tf, "mm_unbatched_f32", randn((6,), F32), torch.tensor(2))
    mm_case(tf, "mm_unbatched_p2_weight_none_f64", randn((5,), F64),
            torch.tensor(4), p=2, w=torch.rand(5, dtype=F64) + 0.1, red="none")
    # Other target widths.
    mm_case(tf, "mm_i32_targets_p2_mean_f32", randn((4, 3), F32),
            torch.randint(0, 3, (4,), dtype=I32), p=2)
    # A target outside [0, C) gives NaN and reads nothing out of bounds.
    mm_case(tf, "mm_target_out_of_range_none_f32", randn((4, 3), F32),
            torch.tensor([0, 3, -1, 2]), w=torch.rand(3) + 0.1, red="none")
    mm_case(tf, "mm_target_out_of_range_mean_f64", randn((2, 3), F64),
            torch.tensor([1, 1000]), p=2)
    # PyTorch adds a hinge term only if it is > 0: a NaN logit of another
    # class contributes nothing, a NaN target logit makes every term vanish.
    x = randn((3, 4), F64)
    x[0, 1] = float("nan")
    x[1, 3] = float("nan")
    mm_case(tf, "mm_nan_logit_none_f64", x, torch.tensor([0, 3, 2]), red="none")
    # Narrow types.
    mm_case(tf, "mm_p2_weight_mean_f16", randn((4, 5), F16),
            torch.randint(0, 5, (4,)), p=2,
            w=(torch.rand(5) + 0.1).to(F16))
    mm_case(tf, "mm_none_bf16", randn((3, 6), BF16), torch.randint(0, 6, (3,)),
            margin=0.5, red="none")


# ---------------------------------------------------------------------------
# cosine_embedding
# ---------------------------------------------------------------------------

def ce_case(tf, name, a, b, t, margin=0.0, red="mean"):
    tt = t.to(F64) if t.dtype.is_floating_point else t.long()
    expected = F.cosine_embedding_loss(a.to(F64), b.to(F64), tt, margin=margin,
                                       reduction=red).to(a.dtype)
    op = "loss.cosine_embedding {a}, {b}, {t}" + attrs(
        f64attr("margin", margin) if margin != 0.0 else "", RED[red])
    tf.case(name, op, {"a": a, "b": b, "t": t}, expected)


def signs(n, dtype=I64):
    return (torch.randint(0, 2, (n,)) * 2 - 1).to(dtype)


def cosine_embedding_cases(tf):
    for dtype in (F32, F64):
        s = SFX[dtype]
        for red in ("mean", "sum", "none"):
            ce_case(tf, "cos_%s_%s" % (red, s), randn((6, 5), dtype),
                    randn((6, 5), dtype), signs(6), red=red)
            ce_case(tf, "cos_margin_float_target_%s_%s" % (red, s),
                    randn((5, 4), dtype), randn((5, 4), dtype),
                    signs(5, dtype), margin=0.3, red=red)
    # Negative margin; targets other than +-1 give 0 (as PyTorch's where()).
    ce_case(tf, "cos_margin_neg_none_f64", randn((4, 3), F64),
            randn((4, 3), F64), torch.tensor([-1, -1, 1, -1]), margin=-0.4,
            red="none")
    ce_case(tf, "cos_other_targets_none_f32", randn((4, 3), F32),
            randn((4, 3), F32), torch.tensor([0.0, 2.0, 1.0, 0.5]), red="none")
    ce_case(tf, "cos_other_int_targets_sum_f64", randn((4, 3), F64),
            randn((4, 3), F64), torch.tensor([0, -2, -1, 3]), margin=0.1,
            red="sum")
    # Zero vectors: cos = 0 thanks to the 1e-12 of each squared magnitude.
    z = randn((4, 3), F64)
    z[0] = 0.0
    z[2] = 0.0
    z2 = randn((4, 3), F64)
    z2[2] = 0.0
    ce_case(tf, "cos_zero_vector_none_f64", z, z2, torch.tensor([1, -1, 1, -1]),
            margin=-0.5, red="none")
    ce_case(tf, "cos_zero_vector_none_f32", z.to(F32), z2.to(F32),
            torch.tensor([-1, 1, -1, 1]), margin=-0.2, red="none")
    # Parallel vectors: 1 - cos is the 1e-12 correction only.
    v = randn((2, 4), F64)
    ce_case(tf, "cos_parallel_none_f64", v, v * 3.0, torch.tensor([1, -1]),
            red="none")
    # Every hinge term is 0: t = -1 with cos <= margin.
    ce_case(tf, "cos_no_violation_sum_f64",
            torch.tensor([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]], dtype=F64),
            torch.tensor([[-1.0, 0.5], [-1.0, -1.0], [1.0, 0.0]], dtype=F64),
            torch.tensor([-1, -1, -1]), margin=0.0, red="sum")
    # Unbatched [D] with a scalar target.
    ce_case(tf, "cos_unbatched_f32", randn((5,), F32), randn((5,), F32),
            torch.tensor(1))
    ce_case(tf, "cos_unbatched_float_target_none_f64", randn((5,), F64),
            randn((5,), F64), torch.tensor(-1.0, dtype=F64), margin=-0.2,
            red="none")
    ce_case(tf, "cos_i32_targets_mean_f32", randn((4, 6), F32),
            randn((4, 6), F32), signs(4, I32), margin=0.2)
    # Narrow types.
    ce_case(tf, "cos_mean_f16", randn((4, 6), F16), randn((4, 6), F16),
            signs(4), margin=0.1)
    ce_case(tf, "cos_none_bf16", randn((3, 8), BF16), randn((3, 8), BF16),
            signs(3, BF16), red="none")


# ---------------------------------------------------------------------------
# triplet_margin
# ---------------------------------------------------------------------------

def tm_case(tf, name, a, p_, n, margin=1.0, p=2.0, eps=1e-6, swap=False,
            red="mean"):
    expected = F.triplet_margin_loss(a.to(F64), p_.to(F64), n.to(F64),
                                     margin=margin, p=p, eps=eps, swap=swap,
                                     reduction=red).to(a.dtype)
    op = "loss.triplet_margin {a}, {p}, {n}" + attrs(
        f64attr("margin", margin) if margin != 1.0 else "",
        f64attr("p", p) if p != 2.0 else "",
        f64attr("eps", eps) if eps != 1e-6 else "",
        "swap = true" if swap else "", RED[red])
    tf.case(name, op, {"a": a, "p": p_, "n": n}, expected)


def swap_matters(a, p_, n, p=2.0, eps=1e-6):
    d_an = torch.pairwise_distance(a.to(F64), n.to(F64), p=p, eps=eps)
    d_pn = torch.pairwise_distance(p_.to(F64), n.to(F64), p=p, eps=eps)
    return bool((d_pn < d_an).any())


def triplet_margin_cases(tf):
    for dtype in (F32, F64):
        s = SFX[dtype]
        for red in ("mean", "sum", "none"):
            tm_case(tf, "tm_%s_%s" % (red, s), randn((5, 4), dtype),
                    randn((5, 4), dtype), randn((5, 4), dtype), red=red)
        for p in (1.0, 3.0, 1.5, float("inf")):
            tag = "inf" if math.isinf(p) else ("%g" % p).replace(".", "_")
            tm_case(tf, "tm_p%s_margin_%s" % (tag, s), randn((4, 5), dtype),
                    randn((4, 5), dtype), randn((4, 5), dtype), p=p,
                    margin=1.5, red="none")
    # swap: negatives chosen closer to the positive than to the anchor, so
    # that min(d(a, n), d(p, n)) takes d(p, n) for some samples.
    a = randn((5, 4), F64)
    pos = a + randn((5, 4), F64, 0.8)
    neg = pos + randn((5, 4), F64, 0.3)
    assert swap_matters(a, pos, neg)
    tm_case(tf, "tm_swap_none_f64", a, pos, neg, swap=True, red="none")
    tm_case(tf, "tm_noswap_none_f64", a, pos, neg, red="none")
    assert swap_matters(a, pos, neg, p=1.0)
    tm_case(tf, "tm_swap_p1_eps0_sum_f32", a.to(F32), pos.to(F32), neg.to(F32),
            p=1.0, eps=0.0, swap=True, red="sum")
    tm_case(tf, "tm_swap_p3_margin_mean_f64", a, pos, neg, p=3.0, margin=0.25,
            swap=True)
    # Larger eps and margin 0.
    tm_case(tf, "tm_eps_margin0_none_f64", randn((3, 4), F64),
            randn((3, 4), F64), randn((3, 4), F64), margin=0.0, eps=0.1,
            red="none")
    # Every hinge term is 0: negatives far away.
    a = randn((3, 4), F64)
    tm_case(tf, "tm_no_violation_sum_f64", a, a + randn((3, 4), F64, 0.1),
            a + 10.0, swap=True, red="sum")
    # Unbatched [D].
    tm_case(tf, "tm_unbatched_f32", randn((6,), F32), randn((6,), F32),
            randn((6,), F32))
    tm_case(tf, "tm_unbatched_p1_5_swap_none_f64", randn((6,), F64),
            randn((6,), F64), randn((6,), F64), p=1.5, swap=True, red="none")
    # Magnitudes whose squares (or cubes) overflow f32 and ones whose
    # squares underflow it: the scaled norm stays exact (PyTorch's float64
    # has the range for all of them).
    # (Positives farther than negatives, so that the losses are not 0.)
    tm_case(tf, "tm_huge_p2_none_f32", randn((3, 4), F32, 1e20),
            randn((3, 4), F32, 4e20), randn((3, 4), F32, 1e20), margin=0.0,
            red="none")
    tm_case(tf, "tm_huge_p3_swap_sum_f32", randn((3, 4), F32, 1e15),
            randn((3, 4), F32, 4e15), randn((3, 4), F32, 1e15), p=3.0,
            margin=0.0, swap=True, red="sum")
    tm_case(tf, "tm_tiny_p2_eps0_none_f32", randn((3, 4), F32, 1e-25),
            randn((3, 4), F32, 4e-25), randn((3, 4), F32, 1e-25), margin=0.0,
            eps=0.0, red="none")
    # Narrow types.
    tm_case(tf, "tm_mean_f16", randn((4, 6), F16), randn((4, 6), F16),
            randn((4, 6), F16))
    tm_case(tf, "tm_swap_p1_none_bf16", randn((3, 5), BF16),
            randn((3, 5), BF16), randn((3, 5), BF16), p=1.0, swap=True,
            red="none")


def larger_cases(tf):
    """Longer reductions over classes/features."""
    mlm_case(tf, "mlm_large_none_f32", randn((8, 37), F32), mlm_targets(8, 37),
             "none")
    mlm_case(tf, "mlm_large_dup_mean_f64", randn((8, 37), F64),
             mlm_targets(8, 37, dup=True))
    mlsm_case(tf, "mlsm_large_weight_mean_f32", randn((16, 100), F32, 3.0),
              binary((16, 100), F32), w=torch.rand(100) + 0.1)
    mm_case(tf, "mm_large_p2_weight_none_f32", randn((16, 100), F32),
            torch.randint(0, 100, (16,)), p=2, margin=0.5,
            w=torch.rand(100) + 0.1, red="none")
    mm_case(tf, "mm_large_sum_f64", randn((16, 100), F64),
            torch.randint(0, 100, (16,)), red="sum")
    ce_case(tf, "cos_large_none_f32", randn((16, 128), F32),
            randn((16, 128), F32), signs(16), margin=-0.1, red="none")
    ce_case(tf, "cos_large_mean_f64", randn((16, 128), F64),
            randn((16, 128), F64), signs(16), margin=0.05)
    tm_case(tf, "tm_large_p3_swap_none_f32", randn((16, 128), F32),
            randn((16, 128), F32), randn((16, 128), F32), p=3.0, swap=True,
            margin=2.0, red="none")
    tm_case(tf, "tm_large_mean_f64", randn((16, 128), F64),
            randn((16, 128), F64), randn((16, 128), F64), margin=2.0)


# ---------------------------------------------------------------------------
# Forms PyTorch accepts around one sample (0-d inputs, [1] targets) and
# integer or broadcast multilabel_soft_margin targets and weights. Drawn from
# their own seed (fork_rng), so the cases above keep their values.
# ---------------------------------------------------------------------------

def single_sample_cases(tf):
    # multilabel_margin: a 0-d input is one class, a 0-d target a list of
    # one; PyTorch gives 0 (no class outside the list).
    for red in ("none", "mean", "sum"):
        mlm_case(tf, "mlm_0d_input_0d_target_%s_f32" % red,
                 torch.tensor(0.3), torch.tensor(0), red)
    mlm_case(tf, "mlm_0d_input_1_target_none_f64", torch.tensor(-1.5, dtype=F64),
             torch.tensor([-1]), "none")
    mlm_case(tf, "mlm_1_input_0d_target_sum_f32", randn((1,), F32),
             torch.tensor(0, dtype=I32), "sum")
    # multi_margin: [C] with a [1] target returns [1] for none; [1, C] with a
    # 0-d target returns []; a 0-d input is one class (0 for target 0).
    for red in ("none", "mean", "sum"):
        mm_case(tf, "mm_unbatched_1_target_%s_f32" % red, randn((5,), F32),
                torch.tensor([3]), red=red)
    mm_case(tf, "mm_unbatched_1_target_p2_weight_none_f64", randn((4,), F64),
            torch.tensor([1]), p=2, margin=0.6,
            w=torch.rand(4, dtype=F64) + 0.1, red="none")
    mm_case(tf, "mm_row_0d_target_none_f64", randn((1, 6), F64),
            torch.tensor(4), red="none")
    mm_case(tf, "mm_row_0d_target_weight_mean_f32", randn((1, 3), F32),
            torch.tensor(2, dtype=I32), w=torch.rand(3) + 0.5)
    for red in ("none", "mean", "sum"):
        mm_case(tf, "mm_0d_input_%s_f32" % red, torch.tensor(0.7),
                torch.tensor(0), red=red)
    mm_case(tf, "mm_0d_input_1_target_weight_none_f64",
            torch.tensor(-0.2, dtype=F64), torch.tensor([0]),
            w=torch.tensor([2.0], dtype=F64), red="none")
    mm_case(tf, "mm_unbatched_1_target_none_bf16", randn((6,), BF16),
            torch.tensor([5]), red="none")
    # multilabel_soft_margin: integer targets (multi-hot labels), a target
    # and weights that broadcast to the input.
    for red in ("none", "mean"):
        mlsm_case(tf, "mlsm_i64_target_%s_f32" % red, randn((4, 5), F32, 2.0),
                  binary((4, 5), I64), red=red)
    mlsm_case(tf, "mlsm_i32_target_weight_sum_f64", randn((3, 4), F64, 2.0),
              binary((3, 4), I32), w=torch.rand(4, dtype=F64) + 0.1, red="sum")
    mlsm_case(tf, "mlsm_bcast_target_row_none_f64", randn((3, 4), F64, 2.0),
              binary((4,), F64), red="none")
    mlsm_case(tf, "mlsm_bcast_target_col_mean_f32", randn((3, 4), F32, 2.0),
              binary((3, 1), F32))
    mlsm_case(tf, "mlsm_weight_full_none_f64", randn((3, 4), F64, 2.0),
              binary((3, 4), F64), w=torch.rand(3, 4, dtype=F64) + 0.1,
              red="none")
    mlsm_case(tf, "mlsm_weight_col_mean_f32", randn((3, 4), F32, 2.0),
              binary((3, 4), F32), w=torch.rand(3, 1) + 0.1)
    mlsm_case(tf, "mlsm_weight_0d_sum_f64", randn((2, 3, 4), F64, 2.0),
              binary((2, 3, 4), F64), w=torch.tensor(0.7, dtype=F64),
              red="sum")
    mlsm_case(tf, "mlsm_i64_target_weight_1_mean_bf16", randn((3, 4), BF16, 2.0),
              binary((3, 4), I64), w=torch.tensor([1.5], dtype=BF16))


def embedding_broadcast_cases(tf):
    # cosine_embedding: one reference embedding against many, a [1] target
    # for every sample, feature broadcasting (magnitudes over each input).
    for red in ("none", "mean"):
        ce_case(tf, "cos_bcast_reference_row_%s_f32" % red, randn((4, 5), F32),
                randn((1, 5), F32), signs(4), margin=0.1, red=red)
    ce_case(tf, "cos_bcast_target_1_none_f64", randn((3, 4), F64),
            randn((3, 4), F64), torch.tensor([-1]), margin=-0.3, red="none")
    ce_case(tf, "cos_bcast_rows_and_target_sum_f64", randn((1, 6), F64),
            randn((1, 6), F64), signs(3), margin=0.2, red="sum")
    ce_case(tf, "cos_bcast_feature_col_none_f64", randn((3, 1), F64),
            randn((3, 4), F64), signs(3), red="none")
    ce_case(tf, "cos_bcast_unbatched_feature_f32", randn((1,), F32),
            randn((5,), F32), torch.tensor(-1), margin=-0.5)
    ce_case(tf, "cos_bcast_reference_row_none_bf16", randn((3, 8), BF16),
            randn((1, 8), BF16), signs(3), red="none")
    # triplet_margin: 0-d, K-dim, broadcasting.
    for red in ("none", "sum"):
        tm_case(tf, "tm_0d_%s_f64" % red, torch.tensor(0.4, dtype=F64),
                torch.tensor(-0.3, dtype=F64), torch.tensor(1.2, dtype=F64),
                margin=0.5, red=red)
    tm_case(tf, "tm_0d_swap_p1_none_f32", torch.tensor(0.2),
            torch.tensor(1.5), torch.tensor(0.9), p=1.0, swap=True, red="none")
    tm_case(tf, "tm_rank3_none_f64", randn((2, 3, 4), F64), randn((2, 3, 4), F64),
            randn((2, 3, 4), F64), margin=2.0, red="none")
    tm_case(tf, "tm_rank3_swap_p3_mean_f32", randn((2, 3, 5), F32),
            randn((2, 3, 5), F32), randn((2, 3, 5), F32), p=3.0, swap=True,
            margin=1.5)
    tm_case(tf, "tm_bcast_positive_row_none_f64", randn((4, 5), F64),
            randn((1, 5), F64), randn((4, 5), F64), margin=1.5, red="none")
    tm_case(tf, "tm_bcast_negative_feature_swap_none_f64", randn((3, 4), F64),
            randn((3, 4), F64), randn((3, 1), F64), swap=True, margin=2.0,
            red="none")
    tm_case(tf, "tm_bcast_rank3_swap_p1_5_mean_f32", randn((2, 3, 4), F32),
            randn((2, 1, 4), F32), randn((1, 3, 4), F32), p=1.5, swap=True,
            margin=2.0)
    tm_case(tf, "tm_bcast_anchor_row_sum_f32", randn((1, 6), F32),
            randn((3, 6), F32), randn((3, 6), F32), margin=1.0, red="sum")


def main():
    tf = TestFile("CPU/margin.mlir", "margin.py")
    multilabel_margin_cases(tf)
    multilabel_soft_margin_cases(tf)
    multi_margin_cases(tf)
    cosine_embedding_cases(tf)
    triplet_margin_cases(tf)
    larger_cases(tf)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(31337)
        single_sample_cases(tf)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(4711)
        embedding_broadcast_cases(tf)
    tf.write()


if __name__ == "__main__":
    main()
