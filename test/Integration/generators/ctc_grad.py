#!/usr/bin/python3
"""Writes test/Integration/CPU/ctc_grad.mlir: loss.ctc_grad, the gradient of
F.ctc_loss with respect to log_probs, against torch.autograd.grad in float64
on the same (rounded) inputs, rounded to the result type. Run with Debian's
/usr/bin/python3:

    /usr/bin/python3 test/Integration/generators/ctc_grad.py

Covered: padded and concatenated targets, every reduction, zero_infinity on
and off with infeasible samples (without it PyTorch's gradient is NaN for the
frames t < T_n of such a sample: -inf + inf), repeated labels, blank not 0,
empty targets, input lengths below T (frames past T_n get 0) and of 0 (the
gradient is 0; PyTorch's forward is undefined there, its backward is not),
unbatched [T, C], i32 and i64 integers, out-of-range lengths (clamped by
loss.ctc_grad as by loss.ctc; compared with PyTorch on the clamped lengths),
peaked distributions, NaN inputs, dynamic shapes, S = 300 with T = 650, f32/f64 and
f16/bf16.

Where loss.ctc gives NaN for a label outside [0, C) (PyTorch reads out of
bounds), the gradient is NaN for that sample's frames t < T_n: the expected
value is PyTorch's gradient of the other samples (the bad sample's labels
replaced by valid ones for PyTorch) with those frames set to NaN.
"""

import math

import torch
import torch.nn.functional as F

from lossgen import TestFile
# The forward's helpers for CTC inputs (importing ctc generates nothing).
from ctc import RED, attrs, labels_without, log_probs, repeats

torch.manual_seed(20241202)
F16, BF16, F32, F64 = torch.float16, torch.bfloat16, torch.float32, torch.float64
I32, I64 = torch.int32, torch.int64
EL = {F16: "f16", BF16: "bf16", F32: "f32", F64: "f64"}

def make_dynamic(tf, keys):
    """Rewrites the last case of `tf` so that the op sees the operands
    `keys` with every dimension dynamic (tensor.cast before, and of the
    result back after): the run-time sizes and checks of the lowering."""
    k = tf.counter
    lines = tf.body[-1].split("\n")
    i = next(j for j, l in enumerate(lines) if " = loss.ctc_grad " in l)
    line = lines[i]
    lhs, rest = line.split(" = ", 1)
    text, types = rest.rsplit(" : ", 1)
    operand_types, result_type = types.split(" -> ")
    operand_types = [t.strip() for t in operand_types.strip("()").split(",")]

    def dyn(ty):
        inner = ty[len("tensor<"):-1]
        dims = inner.split("x")
        return "tensor<" + "x".join(["?"] * (len(dims) - 1) + [dims[-1]]) + ">"

    casts = []
    for key, ty in zip(keys, operand_types):
        ssa = "%%c%d_%s" % (k, key)
        dssa = "%%d%d_%s" % (k, key)
        casts.append("  %s = tensor.cast %s : %s to %s" % (dssa, ssa, ty, dyn(ty)))
        text = text.replace(ssa + ",", dssa + ",").replace(ssa + " ", dssa + " ")
        if text.endswith(ssa):
            text = text[:-len(ssa)] + dssa
    new_types = [dyn(t) for t in operand_types]
    dres = "%%dr%d" % k
    casts.append("%s = %s : (%s) -> %s" % ("  " + dres, text.strip(),
                                         ", ".join(new_types), dyn(result_type)))
    casts.append("%s = tensor.cast %s : %s to %s" % (lhs, dres, dyn(result_type),
                                                     result_type))
    lines[i:i + 1] = casts
    tf.body[-1] = "\n".join(lines)


def grad_case(tf, name, lp, tg, il, tl, blank=0, red="mean",
              zero_infinity=False, clamp_for_torch=None, bad=None,
              dynamic=False):
    """Adds one loss.ctc_grad case; expected from torch.autograd.grad.

    `clamp_for_torch`: the (input, target) lengths loss.ctc_grad clamps to,
    which PyTorch is given instead. `bad`: {sample: labels PyTorch is given
    instead} for samples with a label outside [0, C); their frames t < T_n
    are NaN.
    """
    dtype = lp.dtype
    batched = lp.dim() == 3
    n = lp.shape[1] if batched else 1
    g_shape = (n,) if batched and red == "none" else ()
    g = (torch.randn(g_shape, dtype=F64) + 0.5).to(dtype)
    til, ttl = clamp_for_torch if clamp_for_torch else (il, tl)
    ttg = tg.clone().long()
    for i, labels in (bad or {}).items():
        if ttg.dim() == 2:
            ttg[i, :len(labels)] = torch.tensor(labels)
        else:
            raise NotImplementedError
    if not batched:
        # PyTorch reads unbatched 1-D targets as concatenated: exactly S.
        ttg = ttg[:int(ttl.reshape(-1)[0])]
    lpr = lp.to(F64).requires_grad_()
    loss = F.ctc_loss(lpr, ttg, til.long(), ttl.long(), blank=blank,
                      reduction=red, zero_infinity=zero_infinity)
    (grad,) = torch.autograd.grad(loss, lpr, g.to(F64))
    for i in (bad or {}):
        tn = min(max(int(til[i]), 0), lp.shape[0])
        grad[:tn, i] = math.nan
    op = "loss.ctc_grad {lp}, {tg}, {il}, {tl}, {g}" + attrs(
        "blank = %d : i64" % blank if blank else "", RED[red],
        "zero_infinity = true" if zero_infinity else "")
    tf.case(name, op, {"lp": lp, "tg": tg, "il": il, "tl": tl, "g": g},
            grad.to(dtype))
    if dynamic:
        make_dynamic(tf, ["lp", "tg", "il", "tl", "g"])


def cases(tf):
    # Padded targets: every reduction, zero_infinity off and on, f32 and
    # f64; sample 1 infeasible (T_n = 3 < 4), sample 2 with repeats, sample 3
    # with an empty target, input lengths below T.
    for dtype, ity in ((F32, I64), (F64, I32)):
        t, n, c, s = 12, 4, 6, 4
        lp = log_probs((t, n, c), dtype)
        tg = labels_without((n, s), c, 0, ity)
        tg[2] = torch.tensor([3, 3, 5, 5], dtype=ity)
        il = torch.tensor([12, 3, 10, 7], dtype=ity)
        tl = torch.tensor([4, 4, 4, 0], dtype=ity)
        for zi in (False, True):
            for red in ("none", "sum", "mean"):
                grad_case(tf, "padded_%s%s_%s" % (red, "_zero_inf" if zi else "",
                                                  EL[dtype]),
                          lp, tg, il, tl, red=red, zero_infinity=zi)

    # Concatenated targets: every reduction, zero_infinity off and on; a
    # repeat-heavy sample that is infeasible, an empty target.
    for dtype, ity in ((F64, I64), (F32, I32)):
        tl = torch.tensor([3, 0, 4, 2, 3], dtype=ity)
        tg = labels_without((int(tl.sum()),), 5, 0, ity)
        tg[7:9] = torch.tensor([2, 2], dtype=ity)     # sample 3: [2, 2]
        tg[9:12] = torch.tensor([1, 1, 1], dtype=ity)  # sample 4: needs 5
        il = torch.tensor([9, 4, 9, 7, 4], dtype=ity)
        lp = log_probs((9, 5, 5), dtype)
        for zi in (False, True):
            for red in ("none", "sum", "mean"):
                grad_case(tf, "concat_%s%s_%s" % (red, "_zero_inf" if zi else "",
                                                  EL[dtype]),
                          lp, tg, il, tl, red=red, zero_infinity=zi)

    # Repeated labels everywhere; minimum feasible input lengths.
    rows = [[1, 1, 2, 2, 2], [3, 3, 3, 3, 3], [1, 2, 1, 2, 1]]
    need = [len(r) + repeats(r) for r in rows]
    grad_case(tf, "repeats_min_feasible_none_f64", log_probs((14, 3, 4), F64),
              torch.tensor(rows), torch.tensor(need), torch.tensor([5, 5, 5]),
              red="none")

    # blank = C-1 and blank in the middle, padded and concatenated.
    c = 6
    grad_case(tf, "blank_last_mean_f64", log_probs((10, 3, c), F64),
              labels_without((3, 4), c, c - 1), torch.tensor([10, 8, 9]),
              torch.tensor([4, 3, 4]), blank=c - 1)
    grad_case(tf, "blank_mid_none_f32", log_probs((10, 3, c), F32),
              labels_without((3, 4), c, 2, I32),
              torch.tensor([10, 8, 9], dtype=I32),
              torch.tensor([4, 3, 4], dtype=I32), blank=2, red="none")
    grad_case(tf, "blank_mid_concat_zero_inf_sum_f64", log_probs((7, 3, 5), F64),
              torch.tensor([2, 2, 1, 0, 0, 0, 3]), torch.tensor([7, 4, 7]),
              torch.tensor([3, 3, 1]), blank=4, red="sum", zero_infinity=True)

    # A label equal to blank: the skip compares raw label values.
    grad_case(tf, "label_is_blank_none_f64", log_probs((8, 3, 4), F64),
              torch.tensor([[1, 0, 2], [0, 1, 3], [0, 0, 1]]),
              torch.tensor([8, 8, 8]), torch.tensor([3, 3, 3]), red="none")

    # Input lengths of 0 (with and without a target), much below T.
    grad_case(tf, "input_len0_none_f64", log_probs((6, 4, 5), F64),
              labels_without((4, 3), 5, 0), torch.tensor([0, 6, 0, 2]),
              torch.tensor([0, 2, 3, 1]), red="none")
    grad_case(tf, "input_len0_zero_inf_sum_f32", log_probs((6, 3, 5), F32),
              labels_without((3, 3), 5, 0), torch.tensor([0, 5, 1]),
              torch.tensor([2, 3, 1]), red="sum", zero_infinity=True)

    # Unbatched: [T, C], [S], lengths [] or [1].
    for red, dtype in (("none", F64), ("sum", F32), ("mean", F64)):
        grad_case(tf, "unbatched_%s_%s" % (red, EL[dtype]),
                  log_probs((9, 5), dtype), labels_without((4,), 5, 0),
                  torch.tensor(8), torch.tensor(4), red=red)
    grad_case(tf, "unbatched_len1_mean_f32", log_probs((9, 5), F32),
              labels_without((4,), 5, 1, I32), torch.tensor([8], dtype=I32),
              torch.tensor([3], dtype=I32), blank=1)
    grad_case(tf, "unbatched_infeasible_none_f64", log_probs((3, 5), F64),
              torch.tensor([1, 1, 1]), torch.tensor(3), torch.tensor(3),
              red="none")
    grad_case(tf, "unbatched_infeasible_zero_inf_mean_f64",
              log_probs((3, 5), F64), torch.tensor([1, 1, 1]),
              torch.tensor(3), torch.tensor(3), zero_infinity=True)

    # Peaked distributions (log-probabilities down to about -1e3).
    grad_case(tf, "peaked_none_f64", log_probs((16, 3, 6), F64, scale=150.0),
              labels_without((3, 5), 6, 0), torch.tensor([16, 12, 16]),
              torch.tensor([5, 4, 2]), red="none")

    # NaN in the log-probabilities: that sample's frames t < T_n are NaN
    # (also with zero_infinity); an infeasible neighbour still becomes 0.
    lp = log_probs((6, 3, 4), F64)
    lp[2, 0, 1] = math.nan
    grad_case(tf, "nan_input_zero_inf_none_f64", lp,
              torch.tensor([[1, 2], [2, 3], [3, 3]]), torch.tensor([6, 6, 2]),
              torch.tensor([2, 2, 2]), red="none", zero_infinity=True)

    # Out-of-range lengths are clamped (PyTorch is given the clamped ones).
    lp = log_probs((7, 3, 5), F64)
    tg = labels_without((3, 3), 5, 0)
    grad_case(tf, "clamped_lengths_none_f64", lp, tg, torch.tensor([99, 7, 5]),
              torch.tensor([3, 9, -4]), red="none",
              clamp_for_torch=(torch.tensor([7, 7, 5]), torch.tensor([3, 3, 0])))
    grad_case(tf, "clamped_concat_mean_f64", lp, torch.tensor([1, 2, 3, 4, 1]),
              torch.tensor([7, 7, 7]), torch.tensor([2, 9, 4]), red="mean",
              clamp_for_torch=(torch.tensor([7, 7, 7]), torch.tensor([2, 3, 0])))

    # A label outside [0, C): NaN for that sample's frames t < T_n (also
    # with zero_infinity); the others as PyTorch.
    grad_case(tf, "label_out_of_range_zero_inf_none_f64", lp,
              torch.tensor([[1, 7, 2], [1, 2, 3], [4, -1, 1]]),
              torch.tensor([7, 7, 5]), torch.tensor([3, 2, 3]), red="none",
              zero_infinity=True, bad={0: [1, 1, 2], 2: [4, 1, 1]})

    # Half precision computes in f32 (expected: f64 on the rounded inputs).
    for dtype in (F16, BF16):
        for red in ("none", "mean"):
            grad_case(tf, "half_%s_%s" % (red, EL[dtype]),
                      log_probs((8, 3, 5), dtype), labels_without((3, 3), 5, 0),
                      torch.tensor([8, 7, 2]), torch.tensor([3, 2, 3]),
                      red=red)

    # Every dimension dynamic (sizes read at run time, checked where the
    # verifier could not compare them): padded and concatenated.
    lp = log_probs((9, 3, 5), F64)
    grad_case(tf, "dynamic_padded_none_f64", lp, labels_without((3, 4), 5, 0),
              torch.tensor([9, 6, 8]), torch.tensor([4, 2, 3]), red="none",
              dynamic=True)
    grad_case(tf, "dynamic_concat_zero_inf_mean_f32", lp.to(F32),
              torch.tensor([1, 1, 1, 2, 3, 4, 4]), torch.tensor([9, 3, 8]),
              torch.tensor([3, 1, 3]), red="mean", zero_infinity=True,
              dynamic=True)

    # 300 labels, T = 650, few classes (many repeats).
    s, c, n = 300, 5, 2
    tg = labels_without((n, s), c, 0)
    assert max(s + repeats(tg[i].tolist()) for i in range(n)) < 600
    il, tl = torch.tensor([650, 600]), torch.tensor([300, 280])
    for dtype, red in ((F64, "mean"), (F32, "none")):
        grad_case(tf, "large_s300_%s_%s" % (red, EL[dtype]),
                  log_probs((650, n, c), dtype), tg, il, tl, red=red)


def main():
    tf = TestFile("CPU/ctc_grad.mlir", "ctc_grad.py")
    cases(tf)
    tf.write()


if __name__ == "__main__":
    main()
