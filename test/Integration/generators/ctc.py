#!/usr/bin/python3
"""Numeric tests of loss.ctc vs PyTorch's F.ctc_loss.

Writes test/Integration/CPU/ctc.mlir (small cases) and
test/Integration/CPU/ctc_large.mlir (300 labels; 5000 classes). Inputs are
log_softmax of random logits; expected values are computed by
torch.nn.functional.ctc_loss in float64 from the very inputs the test feeds
(for f32 cases the inputs are f32-representable), then rounded to the result
type.

Where PyTorch 1.13 has no defined answer, the expected value comes from
`ref_ctc` below, a direct float64 transcription of the recursion that this
script checks against PyTorch on every other case first:
  * an input length of 0 (PyTorch 1.13 reads before its alpha buffer; later
    releases, and loss.ctc, give 0 for an empty target and +inf otherwise);
  * a label outside [0, C) (PyTorch reads out of bounds; loss.ctc gives NaN
    for that sample).
Out-of-range lengths are clamped by loss.ctc (input lengths to [0, T], target
lengths to [0, S]); those cases compare against PyTorch on the clamped
lengths.
"""

import math

import torch
import torch.nn.functional as F

from lossgen import TestFile

torch.manual_seed(20240531)
F16, F32, F64 = torch.float16, torch.float32, torch.float64
I32, I64 = torch.int32, torch.int64

RED = {"mean": "", "sum": "reduction = #loss.reduction<sum>",
       "none": "reduction = #loss.reduction<none>"}


def attrs(*parts):
    parts = [p for p in parts if p]
    return " {{" + ", ".join(parts) + "}}" if parts else ""


def log_probs(shape, dtype, scale=2.0):
    """log_softmax of random logits over the last dim, rounded to dtype."""
    x = torch.randn(*shape, dtype=F64) * scale
    return F.log_softmax(x, dim=-1).to(dtype)


def labels_without(shape, num_classes, blank, dtype=I64):
    """Random labels in [0, C) \\ {blank}."""
    t = torch.randint(0, num_classes - 1, shape)
    t = t + (t >= blank).long()
    return t.to(dtype)


def repeats(seq):
    return sum(1 for a, b in zip(seq, seq[1:]) if a == b)


# --------------------------------------------------------------------------
# Reference recursion (float64), for the cases PyTorch leaves undefined.
# --------------------------------------------------------------------------

def _lse(xs):
    m = max(xs)
    if m == -math.inf:
        return -math.inf
    return m + math.log(sum(math.exp(x - m) for x in xs))


def ref_sample(lp, labels, tn, blank):
    """-log p(labels | lp[:tn]) for lp [T, C] (float64 tensor)."""
    c = lp.shape[1]
    if any(l < 0 or l >= c for l in labels):
        return math.nan
    ext = [blank]
    for l in labels:
        ext += [l, blank]
    # a_{-1}: the path starts before state 0.
    alpha = [0.0] + [-math.inf] * (len(ext) - 1)
    for t in range(tn):
        new = []
        for s, l in enumerate(ext):
            terms = [alpha[s]]
            if s > 0:
                terms.append(alpha[s - 1])
            if s > 1 and ext[s] != ext[s - 2]:
                terms.append(alpha[s - 2])
            new.append(float(lp[t, l]) + _lse(terms))
        alpha = new
    s = len(labels)
    ends = [alpha[2 * s]] + ([alpha[2 * s - 1]] if s > 0 else [])
    return -_lse(ends)


def ref_ctc(lp, targets, il, tl, blank, red, zero_infinity):
    """loss.ctc's semantics on clamped lengths, in float64."""
    lp = lp.to(F64)
    batched = lp.dim() == 3
    if not batched:
        lp, targets = lp.unsqueeze(1), targets.unsqueeze(0)
        il, tl = il.reshape(1), tl.reshape(1)
    t_max, n = lp.shape[0], lp.shape[1]
    losses, lens = [], []
    used = 0
    for i in range(n):
        tn = min(max(int(il[i]), 0), t_max)
        if targets.dim() == 2:
            sn = min(max(int(tl[i]), 0), targets.shape[1])
            labels = [int(v) for v in targets[i, :sn]]
        else:
            sn = min(max(int(tl[i]), 0), targets.shape[0] - used)
            labels = [int(v) for v in targets[used:used + sn]]
            used += sn
        loss = ref_sample(lp[:, i], labels, tn, blank)
        if zero_infinity and loss == math.inf:
            loss = 0.0
        losses.append(loss)
        lens.append(sn)
    out = torch.tensor(losses, dtype=F64)
    if red == "mean":
        return (out / torch.tensor(lens, dtype=F64).clamp_min(1)).mean()
    if red == "sum":
        return out.sum()
    return out if batched else out[0]


def torch_ctc(lp, targets, il, tl, blank, red, zero_infinity):
    if lp.dim() == 2:
        # PyTorch reads unbatched 1-D targets as concatenated: exactly S_n.
        targets = targets[:int(tl.reshape(-1)[0])]
    return F.ctc_loss(lp.to(F64), targets.long(), il.long(), tl.long(),
                      blank=blank, reduction=red, zero_infinity=zero_infinity)


def same(a, b):
    a, b = a.reshape(-1), b.reshape(-1)
    for x, y in zip(a.tolist(), b.tolist()):
        if math.isnan(x) or math.isnan(y):
            if not (math.isnan(x) and math.isnan(y)):
                return False
        elif math.isinf(x) or math.isinf(y):
            if x != y:
                return False
        elif abs(x - y) > 1e-10 * max(1.0, abs(y)):
            return False
    return True


def ctc_case(tf, name, lp, targets, il, tl, blank=0, red="mean",
             zero_infinity=False, oracle="torch", clamp_for_torch=None):
    """Adds one loss.ctc case.

    `oracle="torch"`: expected from F.ctc_loss (on `clamp_for_torch`'s
    lengths if given, i.e. the lengths loss.ctc clamps to), and checked
    against `ref_ctc` too. `oracle="ref"`: from `ref_ctc`, where PyTorch
    1.13 is undefined.
    """
    dtype = lp.dtype
    ref = ref_ctc(lp, targets, il, tl, blank, red, zero_infinity)
    if oracle == "torch":
        til, ttl = clamp_for_torch if clamp_for_torch else (il, tl)
        want = torch_ctc(lp, targets, til, ttl, blank, red, zero_infinity)
        assert same(ref, want), (name, ref, want)
    else:
        want = ref
    op = "loss.ctc {lp}, {tg}, {il}, {tl}" + attrs(
        "blank = %d : i64" % blank if blank else "", RED[red],
        "zero_infinity = true" if zero_infinity else "")
    tf.case(name, op, {"lp": lp, "tg": targets, "il": il, "tl": tl},
            want.to(dtype))


def small_cases(tf):
    # Padded targets, every reduction, both precisions, i64 and i32.
    for dtype, ity, sfx in ((F32, I64, "f32_i64"), (F64, I32, "f64_i32")):
        t, n, c, s = 12, 4, 6, 4
        for red in ("mean", "sum", "none"):
            tg = labels_without((n, s), c, 0, ity)
            il = torch.tensor([12, 10, 9, 12], dtype=ity)
            tl = torch.tensor([4, 3, 1, 2], dtype=ity)
            ctc_case(tf, "padded_%s_%s" % (red, sfx), log_probs((t, n, c), dtype),
                     tg, il, tl, red=red)

    # Repeated labels: the skip is forbidden between equal labels.
    tg = torch.tensor([[1, 1, 2, 2, 2], [3, 3, 3, 3, 3], [1, 2, 1, 2, 1]])
    ctc_case(tf, "repeats_none_f64", log_probs((14, 3, 4), F64), tg,
             torch.tensor([14, 14, 11]), torch.tensor([5, 4, 5]), red="none")

    # Target length 0 (only blanks), mixed with others.
    tg = labels_without((4, 3), 5, 0)
    for red, dtype in (("none", F64), ("mean", F32)):
        ctc_case(tf, "target_len0_%s_%s" % (red, "f64" if dtype == F64 else "f32"),
                 log_probs((6, 4, 5), dtype), tg, torch.tensor([6, 3, 1, 5]),
                 torch.tensor([0, 2, 0, 3]), red=red)

    # Input length exactly the minimum feasible (S + adjacent repeats), and
    # one short of it (infeasible: +inf).
    rows = [[1, 1, 2, 2], [1, 2, 3, 4], [2, 2, 2, 2], [3, 1, 3, 1]]
    tg = torch.tensor(rows)
    need = [len(r) + repeats(r) for r in rows]
    lp = log_probs((8, 4, 5), F64)
    ctc_case(tf, "min_feasible_none_f64", lp, tg, torch.tensor(need),
             torch.tensor([4, 4, 4, 4]), red="none")
    short = torch.tensor([v - 1 for v in need])
    ctc_case(tf, "infeasible_none_f64", lp, tg, short,
             torch.tensor([4, 4, 4, 4]), red="none")
    ctc_case(tf, "infeasible_mean_f64", lp, tg, short,
             torch.tensor([4, 4, 4, 4]), red="mean")
    mixed = torch.tensor([need[0], need[1] - 1, need[2], need[3] - 2])
    lp32 = lp.to(F32)
    for red in ("none", "mean", "sum"):
        ctc_case(tf, "infeasible_zero_inf_%s_f32" % red, lp32, tg, mixed,
                 torch.tensor([4, 4, 4, 4]), red=red, zero_infinity=True)
    ctc_case(tf, "infeasible_sum_f32", lp32, tg, mixed,
             torch.tensor([4, 4, 4, 4]), red="sum")
    # Target longer than the input itself.
    ctc_case(tf, "target_longer_than_input_none_f64", log_probs((3, 2, 4), F64),
             torch.tensor([[1, 2, 3, 1, 2], [1, 2, 1, 2, 1]]),
             torch.tensor([3, 2]), torch.tensor([5, 1]), red="none")

    # Per-sample input lengths much shorter than T.
    ctc_case(tf, "short_inputs_none_f32", log_probs((20, 3, 5), F32),
             labels_without((3, 3), 5, 0), torch.tensor([3, 7, 1]),
             torch.tensor([3, 2, 1]), red="none")

    # blank = C-1 and blank in the middle.
    c = 6
    ctc_case(tf, "blank_last_mean_f64", log_probs((10, 3, c), F64),
             labels_without((3, 4), c, c - 1), torch.tensor([10, 8, 9]),
             torch.tensor([4, 3, 4]), blank=c - 1)
    ctc_case(tf, "blank_mid_none_f32", log_probs((10, 3, c), F32),
             labels_without((3, 4), c, 2, I32), torch.tensor([10, 8, 9], dtype=I32),
             torch.tensor([4, 3, 4], dtype=I32), blank=2, red="none")

    # Concatenated targets (offsets from the target lengths).
    for red, dtype, ity in (("mean", F64, I64), ("none", F32, I32),
                            ("sum", F64, I32)):
        tl = torch.tensor([3, 0, 4, 2, 1], dtype=ity)
        tg = labels_without((int(tl.sum()),), 5, 0, ity)
        ctc_case(tf, "concat_%s_%s" % (red, "f64" if dtype == F64 else "f32"),
                 log_probs((9, 5, 5), dtype), tg,
                 torch.tensor([9, 4, 9, 7, 2], dtype=ity), tl, red=red)
    # Concatenated with repeats and a zero-infinity infeasible sample, blank
    # not 0.
    tg = torch.tensor([2, 2, 1, 0, 0, 0, 3])
    ctc_case(tf, "concat_repeats_zero_inf_none_f64", log_probs((7, 3, 5), F64),
             tg, torch.tensor([7, 4, 7]), torch.tensor([3, 3, 1]), blank=4,
             red="none", zero_infinity=True)

    # Unbatched: [T, C], [S], lengths [] or [1].
    for red, dtype in (("none", F64), ("sum", F32), ("mean", F64)):
        ctc_case(tf, "unbatched_%s_%s" % (red, "f64" if dtype == F64 else "f32"),
                 log_probs((9, 5), dtype), labels_without((4,), 5, 0),
                 torch.tensor(9), torch.tensor(4), red=red)
    ctc_case(tf, "unbatched_len1_mean_f32", log_probs((9, 5), F32),
             labels_without((4,), 5, 1, I32), torch.tensor([8], dtype=I32),
             torch.tensor([3], dtype=I32), blank=1)
    ctc_case(tf, "unbatched_infeasible_none_f64", log_probs((3, 5), F64),
             torch.tensor([1, 1, 1]), torch.tensor(3), torch.tensor(3),
             red="none")

    # Mixed integer widths: i32 targets, i64 lengths.
    ctc_case(tf, "mixed_int_widths_mean_f32", log_probs((8, 2, 4), F32),
             labels_without((2, 3), 4, 0, I32), torch.tensor([8, 6]),
             torch.tensor([3, 2]))

    # Peaked distributions (log-probabilities down to about -1e3): the
    # max-shifted logsumexp keeps alpha finite where exp(alpha) underflows.
    ctc_case(tf, "peaked_none_f64", log_probs((16, 3, 6), F64, scale=150.0),
             labels_without((3, 5), 6, 0), torch.tensor([16, 12, 16]),
             torch.tensor([5, 4, 2]), red="none")
    ctc_case(tf, "peaked_mean_f32", log_probs((16, 2, 6), F32, scale=60.0),
             labels_without((2, 5), 6, 0), torch.tensor([16, 14]),
             torch.tensor([5, 3]))

    # NaN in the log-probabilities stays NaN (also with zero_infinity);
    # an infeasible neighbour still becomes 0.
    lp = log_probs((6, 3, 4), F64)
    lp[2, 0, 1] = math.nan
    ctc_case(tf, "nan_input_zero_inf_none_f64", lp,
             torch.tensor([[1, 2], [2, 3], [3, 3]]), torch.tensor([6, 6, 2]),
             torch.tensor([2, 2, 2]), red="none", zero_infinity=True)

    # A label equal to blank: like PyTorch's CPU kernel, the skip compares
    # raw label values.
    ctc_case(tf, "label_is_blank_none_f64", log_probs((8, 3, 4), F64),
             torch.tensor([[1, 0, 2], [0, 1, 3], [0, 0, 1]]),
             torch.tensor([8, 8, 8]), torch.tensor([3, 3, 3]), red="none")

    # Half precision accumulates in f32 (PyTorch's reference in f64 on the
    # rounded inputs).
    ctc_case(tf, "half_none_f16", log_probs((8, 2, 5), F16),
             labels_without((2, 3), 5, 0), torch.tensor([8, 7]),
             torch.tensor([3, 2]), red="none")

    # Out-of-range lengths are clamped: input lengths to [0, T], padded
    # target lengths to [0, S]. PyTorch rejects these; it is compared on the
    # clamped lengths.
    lp = log_probs((7, 3, 5), F64)
    tg = labels_without((3, 3), 5, 0)
    ctc_case(tf, "clamped_lengths_none_f64", lp, tg, torch.tensor([99, 7, 5]),
             torch.tensor([3, 9, -4]), red="none",
             clamp_for_torch=(torch.tensor([7, 7, 5]), torch.tensor([3, 3, 0])))
    # Concatenated: a target length beyond the buffer gets what remains.
    ctc_case(tf, "clamped_concat_none_f64", lp, torch.tensor([1, 2, 3, 4, 1]),
             torch.tensor([7, 7, 7]), torch.tensor([2, 9, 4]), red="none",
             clamp_for_torch=(torch.tensor([7, 7, 7]), torch.tensor([2, 3, 0])))

    # Undefined in PyTorch 1.13 (see the module doc): expected from ref_ctc
    # ("refimpl" in the name).
    ctc_case(tf, "input_len0_refimpl_none_f64", lp, tg, torch.tensor([0, -3, 7]),
             torch.tensor([0, 2, 3]), red="none", oracle="ref")
    ctc_case(tf, "label_out_of_range_refimpl_none_f32", lp.to(F32),
             torch.tensor([[1, 7, 2], [-1, 2, 3], [4, 4, 1]]),
             torch.tensor([7, 7, 7]), torch.tensor([3, 2, 3]), red="none",
             oracle="ref")
    # An out-of-range label past the target length is never read.
    ctc_case(tf, "label_out_of_range_unused_none_f64", lp,
             torch.tensor([[1, 2, 99], [3, -5, -5], [4, 4, 1]]),
             torch.tensor([7, 7, 7]), torch.tensor([2, 1, 3]), red="none")


def large_cases(tf):
    # 300 labels (no cap on the label length); T just above the minimum.
    s, c, n = 300, 20, 2
    tg = labels_without((n, s), c, 0)
    need = max(s + repeats(tg[i].tolist()) for i in range(n))
    t = need + 40
    lp = log_probs((t, n, c), F64)
    ctc_case(tf, "long_300_labels_none_f64", lp, tg,
             torch.tensor([t, need + 5]), torch.tensor([s, s]), red="none")
    ctc_case(tf, "long_300_labels_mean_f32", lp.to(F32), tg,
             torch.tensor([t, t - 10]), torch.tensor([s, s - 7]))

    # 5000 classes, few frames; blank = C - 1; the repeated label needs all
    # three frames.
    c, t = 5000, 3
    ctc_case(tf, "classes_5000_none_f32", log_probs((t, 2, c), F32),
             torch.tensor([[c - 2, 17], [1234, 1234]]), torch.tensor([3, 3]),
             torch.tensor([2, 2]), blank=c - 1, red="none")


def main():
    tf = TestFile("CPU/ctc.mlir", "ctc.py")
    small_cases(tf)
    tf.write()
    tf = TestFile("CPU/ctc_large.mlir", "ctc.py")
    large_cases(tf)
    tf.write()


if __name__ == "__main__":
    main()
