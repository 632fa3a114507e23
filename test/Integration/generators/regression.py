#!/usr/bin/python3
"""Numeric tests of the elementwise losses vs PyTorch.

Writes test/Integration/CPU/regression_{binary,distance,distributions,
margin}.mlir:
  binary:        bce, bce_with_logits
  distance:      l1, mse, smooth_l1, huber
  distributions: poisson_nll, gaussian_nll, kl_div
  margin:        margin_ranking, hinge_embedding, soft_margin

Expected values are computed by torch.nn.functional in float64 from the very
inputs the test feeds (f32/f16/bf16 inputs are rounded first), then rounded
to the result type. The one exception is soft_margin where PyTorch's own
`log1p(exp(-t x))` overflows to +inf (-t x beyond ~709 in float64): there the
expected value is `F.binary_cross_entropy_with_logits(t x, 1)`, the same
function in PyTorch's overflow-free form (checked against `F.soft_margin_loss`
wherever that one is finite).
"""

import warnings

import torch
import torch.nn.functional as F

from lossgen import TestFile

# kl_div's reduction='mean' warns that it is not the KL mean: intended here.
warnings.filterwarnings("ignore", message=".*reduction: 'mean'.*")
# Broadcast targets warn in PyTorch: intended in the broadcasting cases.
warnings.filterwarnings("ignore", message="Using a target size")

torch.manual_seed(20240404)
F32, F64, F16, BF16 = torch.float32, torch.float64, torch.float16, torch.bfloat16
SFX = {F32: "f32", F64: "f64", F16: "f16", BF16: "bf16"}

RED = {"mean": "", "sum": "reduction = #loss.reduction<sum>",
       "none": "reduction = #loss.reduction<none>",
       "batchmean": "reduction = #loss.reduction<batchmean>"}


def f64attr(name, v):
    s = repr(float(v))
    if "e" in s and "." not in s:
        mant, exp = s.split("e")
        s = mant + ".0e" + exp
    elif "." not in s and "e" not in s:
        s += ".0"
    return "%s = %s : f64" % (name, s)


def boolattr(name, v):
    return "%s = %s" % (name, "true" if v else "false")


def attrs(*parts):
    parts = [p for p in parts if p]
    return " {{" + ", ".join(parts) + "}}" if parts else ""


def randn(shape, dtype, scale=1.0, shift=0.0):
    return (torch.randn(*shape, dtype=F64) * scale + shift).to(dtype)


def rand(shape, dtype, lo=0.0, hi=1.0):
    return (torch.rand(*shape, dtype=F64) * (hi - lo) + lo).to(dtype)


def signs(shape, dtype):
    return (torch.randint(0, 2, shape) * 2 - 1).to(dtype)


def wide(t):
    """float64 for float operands; integer (and bool) targets stay as they
    are, so that PyTorch promotes them as it does for the user."""
    if t is None:
        return None
    return t.to(F64) if t.dtype.is_floating_point else t


def emit(tf, name, op, operands, expected, dtype, red, extra=()):
    """`operands`: list of (key, tensor, prefix) with prefix '' for plain
    operands or e.g. 'weight' for `weight(%w)` segments."""
    text = op
    inputs = {}
    for key, t, prefix in operands:
        if t is None:
            continue
        inputs[key] = t
        if prefix:
            text += " %s({%s})" % (prefix, key)
        else:
            text += ("," if inputs and len(inputs) > 1 else "") + " {%s}" % key
    text += attrs(*extra, RED[red])
    tf.case(name, text, inputs, expected.to(dtype))


# ---------------------------------------------------------------------------
# Per-op case builders. Each takes already-typed inputs; the reference is
# computed from their float64 widening.
# ---------------------------------------------------------------------------

def bce(tf, name, x, t, w=None, red="mean"):
    ref = F.binary_cross_entropy(wide(x), wide(t), weight=wide(w), reduction=red)
    emit(tf, name, "loss.bce", [("x", x, ""), ("t", t, ""), ("w", w, "weight")],
         ref, x.dtype, red)


def bce_logits(tf, name, x, t, w=None, pw=None, red="mean"):
    ref = F.binary_cross_entropy_with_logits(wide(x), wide(t), weight=wide(w),
                                             pos_weight=wide(pw), reduction=red)
    emit(tf, name, "loss.bce_with_logits",
         [("x", x, ""), ("t", t, ""), ("w", w, "weight"),
          ("pw", pw, "pos_weight")], ref, x.dtype, red)


def l1(tf, name, x, t, red="mean"):
    ref = F.l1_loss(wide(x), wide(t), reduction=red)
    emit(tf, name, "loss.l1", [("x", x, ""), ("t", t, "")], ref, x.dtype, red)


def mse(tf, name, x, t, red="mean"):
    ref = F.mse_loss(wide(x), wide(t), reduction=red)
    emit(tf, name, "loss.mse", [("x", x, ""), ("t", t, "")], ref, x.dtype, red)


def smooth_l1(tf, name, x, t, beta=None, red="mean"):
    kw = {} if beta is None else {"beta": beta}
    ref = F.smooth_l1_loss(wide(x), wide(t), reduction=red, **kw)
    emit(tf, name, "loss.smooth_l1", [("x", x, ""), ("t", t, "")], ref,
         x.dtype, red, [f64attr("beta", beta) if beta is not None else ""])


def huber(tf, name, x, t, delta=None, red="mean"):
    kw = {} if delta is None else {"delta": delta}
    ref = F.huber_loss(wide(x), wide(t), reduction=red, **kw)
    emit(tf, name, "loss.huber", [("x", x, ""), ("t", t, "")], ref, x.dtype,
         red, [f64attr("delta", delta) if delta is not None else ""])


def poisson(tf, name, x, t, log_input=True, full=False, eps=None, red="mean"):
    # An integer target as float64: with `full`, PyTorch takes log() of the
    # integer tensor itself, i.e. computes the Stirling term in float32 (the
    # default dtype); the op computes it in the input's type.
    ref = F.poisson_nll_loss(wide(x), t.to(F64), log_input=log_input, full=full,
                             eps=1e-8 if eps is None else eps, reduction=red)
    extra = [boolattr("log_input", log_input) if not log_input else "",
             boolattr("full", full) if full else "",
             f64attr("eps", eps) if eps is not None else ""]
    emit(tf, name, "loss.poisson_nll", [("x", x, ""), ("t", t, "")], ref,
         x.dtype, red, extra)


def gaussian(tf, name, x, t, var, full=False, eps=None, red="mean"):
    ref = F.gaussian_nll_loss(wide(x), wide(t), wide(var), full=full,
                              eps=1e-6 if eps is None else eps, reduction=red)
    extra = [boolattr("full", full) if full else "",
             f64attr("eps", eps) if eps is not None else ""]
    emit(tf, name, "loss.gaussian_nll",
         [("x", x, ""), ("t", t, ""), ("v", var, "")], ref, x.dtype, red, extra)


def kl_div(tf, name, x, t, log_target=False, red="mean"):
    ref = F.kl_div(wide(x), wide(t), reduction=red, log_target=log_target)
    emit(tf, name, "loss.kl_div", [("x", x, ""), ("t", t, "")], ref, x.dtype,
         red, [boolattr("log_target", True) if log_target else ""])


def margin_ranking(tf, name, x1, x2, t, margin=None, red="mean"):
    ref = F.margin_ranking_loss(wide(x1), wide(x2), wide(t),
                                margin=0.0 if margin is None else margin,
                                reduction=red)
    emit(tf, name, "loss.margin_ranking",
         [("a", x1, ""), ("b", x2, ""), ("t", t, "")], ref, x1.dtype, red,
         [f64attr("margin", margin) if margin is not None else ""])


def hinge(tf, name, x, t, margin=None, red="mean"):
    ref = F.hinge_embedding_loss(wide(x), wide(t),
                                 margin=1.0 if margin is None else margin,
                                 reduction=red)
    emit(tf, name, "loss.hinge_embedding", [("x", x, ""), ("t", t, "")], ref,
         x.dtype, red, [f64attr("margin", margin) if margin is not None else ""])


def soft_margin(tf, name, x, t, red="mean"):
    x64, t64 = wide(x), wide(t)
    torch_ref = F.soft_margin_loss(x64, t64, reduction=red)
    # The same function in PyTorch's overflow-free form (t x is exact in
    # float64 for inputs of at most 26 significant bits).
    tx = t64 * x64  # broadcast to the input's shape, as the target must
    stable = F.binary_cross_entropy_with_logits(tx, torch.ones_like(tx),
                                                reduction=red)
    finite = torch.isfinite(torch_ref)
    assert torch.allclose(torch_ref[finite], stable[finite], rtol=1e-13,
                          atol=1e-15), name
    ref = torch_ref if bool(finite.all()) else stable
    emit(tf, name, "loss.soft_margin", [("x", x, ""), ("t", t, "")], ref,
         x.dtype, red)


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------

def binary_cases():
    tf = TestFile("CPU/regression_binary.mlir", "regression.py")

    # bce: every reduction, both precisions, weights of several broadcasts.
    for dtype in (F32, F64):
        s = SFX[dtype]
        for red in ("mean", "sum", "none"):
            bce(tf, "bce_%s_%s" % (red, s), rand((4, 3), dtype, 0.02, 0.98),
                rand((4, 3), dtype), red=red)
        bce(tf, "bce_weight_c_mean_%s" % s, rand((4, 3), dtype, 0.02, 0.98),
            rand((4, 3), dtype), w=rand((3,), dtype, 0.1, 2.0))
        bce(tf, "bce_weight_n1_none_%s" % s, rand((4, 3), dtype, 0.02, 0.98),
            rand((4, 3), dtype), w=rand((4, 1), dtype, 0.1, 2.0), red="none")
    bce(tf, "bce_weight_full_sum_f64", rand((2, 3, 2), F64, 0.01, 0.99),
        rand((2, 3, 2), F64), w=rand((2, 3, 2), F64, 0.1, 2.0), red="sum")
    bce(tf, "bce_weight_scalar_mean_f32", rand((5,), F32, 0.01, 0.99),
        rand((5,), F32), w=torch.tensor(0.75, dtype=F32))
    # Inputs exactly 0 and 1 hit the -100 clamp; targets exactly 0 and 1.
    x = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.5, 0.25])
    t = torch.tensor([0.0, 1.0, 1.0, 0.0, 0.3, 0.6, 1.0, 0.0])
    for dtype in (F32, F64):
        bce(tf, "bce_clamp_none_%s" % SFX[dtype], x.to(dtype), t.to(dtype),
            red="none")
        bce(tf, "bce_clamp_weight_sum_%s" % SFX[dtype], x.to(dtype),
            t.to(dtype), w=rand((8,), dtype, 0.5, 1.5), red="sum")
    # Inputs whose logs fall below -100 without being 0 or 1; near 0 and 1.
    xs = torch.tensor([1e-50, 1.0 - 1e-16, 1e-44, 1e-10, 1.0 - 1e-10, 1e-300],
                      dtype=F64)
    ts = torch.tensor([1.0, 0.0, 0.5, 0.0, 1.0, 0.0], dtype=F64)
    bce(tf, "bce_tiny_none_f64", xs, ts, red="none")
    bce(tf, "bce_tiny_mean_f64", xs, ts)
    bce(tf, "bce_0d_f32", torch.tensor(0.3), torch.tensor(1.0), red="none")
    bce(tf, "bce_mean_f16", rand((4, 4), F16, 0.02, 0.98), rand((4, 4), F16))
    bce(tf, "bce_weight_sum_bf16", rand((3, 4), BF16, 0.02, 0.98),
        rand((3, 4), BF16), w=rand((4,), BF16, 0.5, 1.5), red="sum")

    # bce_with_logits.
    for dtype in (F32, F64):
        s = SFX[dtype]
        for red in ("mean", "sum", "none"):
            bce_logits(tf, "bcel_%s_%s" % (red, s), randn((4, 3), dtype, 3.0),
                       rand((4, 3), dtype), red=red)
            bce_logits(tf, "bcel_pw_%s_%s" % (red, s), randn((4, 3), dtype, 3.0),
                       rand((4, 3), dtype), pw=rand((3,), dtype, 0.2, 4.0),
                       red=red)
        bce_logits(tf, "bcel_w_pw_mean_%s" % s, randn((3, 2, 4), dtype, 2.0),
                   rand((3, 2, 4), dtype), w=rand((2, 1), dtype, 0.1, 2.0),
                   pw=rand((4,), dtype, 0.2, 4.0))
        bce_logits(tf, "bcel_w_none_%s" % s, randn((3, 4), dtype, 2.0),
                   rand((3, 4), dtype), w=rand((3, 4), dtype, 0.1, 2.0),
                   red="none")
    # Large logits: +-100, +-1e4, targets 0, 1 and fractional.
    x = torch.tensor([[100.0, -100.0, 1e4, -1e4], [1e4, -1e4, 100.0, -100.0],
                      [40.0, -40.0, 0.0, 20.0]])
    t = torch.tensor([[0.0, 1.0, 0.0, 1.0], [1.0, 0.0, 0.3, 0.7],
                      [1.0, 0.0, 0.5, 1.0]])
    pw = torch.tensor([0.5, 3.0, 1.0, 2.0])
    for dtype in (F32, F64):
        s = SFX[dtype]
        bce_logits(tf, "bcel_large_none_%s" % s, x.to(dtype), t.to(dtype),
                   red="none")
        bce_logits(tf, "bcel_large_pw_none_%s" % s, x.to(dtype), t.to(dtype),
                   pw=pw.to(dtype), red="none")
        bce_logits(tf, "bcel_large_w_pw_sum_%s" % s, x.to(dtype), t.to(dtype),
                   w=torch.tensor([[2.0], [0.5], [1.0]], dtype=dtype),
                   pw=pw.to(dtype), red="sum")
    bce_logits(tf, "bcel_0d_pw_f64", torch.tensor(-3.5, dtype=F64),
               torch.tensor(0.8, dtype=F64), pw=torch.tensor(2.5, dtype=F64),
               red="none")
    bce_logits(tf, "bcel_pw_mean_f16", randn((4, 3), F16, 3.0),
               rand((4, 3), F16), pw=rand((3,), F16, 0.5, 3.0))
    bce_logits(tf, "bcel_large_none_bf16", x.to(BF16), t.to(BF16), red="none")
    tf.write()


def distance_cases():
    tf = TestFile("CPU/regression_distance.mlir", "regression.py")
    for dtype in (F32, F64):
        s = SFX[dtype]
        for red in ("mean", "sum", "none"):
            l1(tf, "l1_%s_%s" % (red, s), randn((4, 5), dtype),
               randn((4, 5), dtype), red=red)
            mse(tf, "mse_%s_%s" % (red, s), randn((4, 5), dtype),
                randn((4, 5), dtype), red=red)
            smooth_l1(tf, "smooth_l1_%s_%s" % (red, s), randn((3, 4), dtype, 1.5),
                      randn((3, 4), dtype), red=red)
            huber(tf, "huber_%s_%s" % (red, s), randn((3, 4), dtype, 1.5),
                  randn((3, 4), dtype), red=red)
    l1(tf, "l1_3d_mean_f32", randn((2, 3, 4), F32), randn((2, 3, 4), F32))
    l1(tf, "l1_0d_f64", torch.tensor(1.5, dtype=F64), torch.tensor(-2.25, dtype=F64),
       red="none")
    l1(tf, "l1_sum_bf16", randn((4, 4), BF16), randn((4, 4), BF16), red="sum")
    mse(tf, "mse_0d_sum_f32", torch.tensor(3.0), torch.tensor(0.5), red="sum")
    mse(tf, "mse_3d_mean_f64", randn((2, 3, 4), F64), randn((2, 3, 4), F64))
    mse(tf, "mse_mean_f16", randn((4, 4), F16), randn((4, 4), F16))

    # smooth_l1: beta = 0 (plain L1), custom betas, |x - t| exactly beta.
    for dtype in (F32, F64):
        s = SFX[dtype]
        smooth_l1(tf, "smooth_l1_beta0_none_%s" % s, randn((3, 4), dtype),
                  randn((3, 4), dtype), beta=0.0, red="none")
        smooth_l1(tf, "smooth_l1_beta0_mean_%s" % s, randn((3, 4), dtype),
                  randn((3, 4), dtype), beta=0.0)
        smooth_l1(tf, "smooth_l1_beta2_sum_%s" % s, randn((3, 4), dtype, 2.0),
                  randn((3, 4), dtype), beta=2.0, red="sum")
        # z = |x - t| = 0.5 exactly (and just below / above) with beta 0.5.
        # (0.5 +- 2^-24 are exact in f32: z lands one ulp either side.)
        x = torch.tensor([1.25, 0.75, -0.25, 0.0, 1.0, 1.0, 3.0], dtype=dtype)
        t = torch.tensor([0.75, 1.25, 0.25, 0.5, 0.5 + 2.0**-24,
                          0.5 - 2.0**-24, 3.0], dtype=dtype)
        smooth_l1(tf, "smooth_l1_boundary_none_%s" % s, x, t, beta=0.5,
                  red="none")
        smooth_l1(tf, "smooth_l1_beta_0p1_mean_%s" % s, randn((5, 3), dtype, 0.2),
                  randn((5, 3), dtype, 0.1), beta=0.1)
    smooth_l1(tf, "smooth_l1_mean_bf16", randn((4, 4), BF16, 1.5),
              randn((4, 4), BF16))
    smooth_l1(tf, "smooth_l1_beta0p5_sum_f16", randn((4, 4), F16, 1.5),
              randn((4, 4), F16), beta=0.5, red="sum")

    # huber: custom deltas, |x - t| exactly delta.
    for dtype in (F32, F64):
        s = SFX[dtype]
        huber(tf, "huber_delta2_sum_%s" % s, randn((3, 4), dtype, 3.0),
              randn((3, 4), dtype), delta=2.0, red="sum")
        x = torch.tensor([3.0, -1.0, 0.5, 2.0, 0.0, -2.5], dtype=dtype)
        t = torch.tensor([1.0, 1.0, 0.5, 4.0, 1.0, -0.5], dtype=dtype)
        huber(tf, "huber_boundary_none_%s" % s, x, t, delta=2.0, red="none")
        huber(tf, "huber_boundary_default_none_%s" % s, x, t, red="none")
        huber(tf, "huber_delta_0p3_mean_%s" % s, randn((2, 3, 3), dtype),
              randn((2, 3, 3), dtype), delta=0.3)
    huber(tf, "huber_mean_f16", randn((4, 4), F16, 1.5), randn((4, 4), F16))
    forked(101, distance_broadcast_cases, tf)
    tf.write()


def distributions_cases():
    tf = TestFile("CPU/regression_distributions.mlir", "regression.py")

    # poisson_nll.
    counts = lambda shape, dtype: torch.poisson(
        torch.rand(*shape, dtype=F64) * 4.0).to(dtype)
    for dtype in (F32, F64):
        s = SFX[dtype]
        for red in ("mean", "sum", "none"):
            poisson(tf, "poisson_log_%s_%s" % (red, s), randn((4, 3), dtype),
                    counts((4, 3), dtype), red=red)
            poisson(tf, "poisson_rate_%s_%s" % (red, s),
                    rand((4, 3), dtype, 0.1, 4.0), counts((4, 3), dtype),
                    log_input=False, red=red)
        # Targets 0, 1 and > 1 (fractional too) with the Stirling term.
        t = torch.tensor([0.0, 1.0, 2.0, 7.0, 0.5, 1.5, 30.0, 1.0], dtype=dtype)
        x = rand((8,), dtype, 0.2, 3.0)
        poisson(tf, "poisson_log_full_none_%s" % s, x, t, full=True, red="none")
        poisson(tf, "poisson_rate_full_none_%s" % s, x, t, log_input=False,
                full=True, red="none")
        poisson(tf, "poisson_log_full_sum_%s" % s, randn((3, 4), dtype),
                counts((3, 4), dtype), full=True, red="sum")
        poisson(tf, "poisson_rate_full_mean_%s" % s, rand((3, 4), dtype, 0.1, 4.0),
                counts((3, 4), dtype), log_input=False, full=True)
        # Zero rates: log(0 + eps), with a custom eps.
        xz = torch.tensor([0.0, 0.0, 1e-3, 2.0], dtype=dtype)
        tz = torch.tensor([0.0, 3.0, 1.0, 2.0], dtype=dtype)
        poisson(tf, "poisson_rate_zero_none_%s" % s, xz, tz, log_input=False,
                red="none")
        poisson(tf, "poisson_rate_zero_eps_none_%s" % s, xz, tz,
                log_input=False, eps=1e-3, red="none")
    poisson(tf, "poisson_0d_full_f64", torch.tensor(0.7, dtype=F64),
            torch.tensor(4.0, dtype=F64), full=True, red="none")
    poisson(tf, "poisson_log_mean_f16", randn((4, 3), F16), counts((4, 3), F16))
    poisson(tf, "poisson_rate_full_sum_bf16", rand((4, 3), BF16, 0.5, 4.0),
            counts((4, 3), BF16), log_input=False, full=True, red="sum")

    # gaussian_nll: var shaped like the input, [N] (last dim dropped),
    # [N, 1], [] for a 1-D input; var below eps; full; custom eps.
    for dtype in (F32, F64):
        s = SFX[dtype]
        for red in ("mean", "sum", "none"):
            gaussian(tf, "gauss_%s_%s" % (red, s), randn((4, 3), dtype),
                     randn((4, 3), dtype), rand((4, 3), dtype, 0.1, 2.0), red=red)
        gaussian(tf, "gauss_var_n_none_%s" % s, randn((4, 3), dtype),
                 randn((4, 3), dtype), rand((4,), dtype, 0.1, 2.0), red="none")
        gaussian(tf, "gauss_var_n1_full_mean_%s" % s, randn((4, 3), dtype),
                 randn((4, 3), dtype), rand((4, 1), dtype, 0.1, 2.0), full=True)
        gaussian(tf, "gauss_var_3d_n_sum_%s" % s, randn((2, 3, 4), dtype),
                 randn((2, 3, 4), dtype), rand((2, 3), dtype, 0.1, 2.0),
                 red="sum")
        # Variances 0, below eps, at eps, above.
        v = torch.tensor([0.0, 1e-9, 1e-6, 1e-3, 2.0, 0.5], dtype=dtype)
        gaussian(tf, "gauss_small_var_none_%s" % s, randn((6,), dtype),
                 randn((6,), dtype), v, red="none")
        gaussian(tf, "gauss_small_var_eps_full_none_%s" % s, randn((6,), dtype),
                 randn((6,), dtype), v, full=True, eps=1e-2, red="none")
    gaussian(tf, "gauss_1d_var_0d_full_sum_f64", randn((5,), F64),
             randn((5,), F64), torch.tensor(0.3, dtype=F64), full=True,
             red="sum")
    gaussian(tf, "gauss_1d_var_1_mean_f32", randn((5,), F32), randn((5,), F32),
             torch.tensor([1.7]))
    gaussian(tf, "gauss_mean_f16", randn((4, 3), F16), randn((4, 3), F16),
             rand((4, 3), F16, 0.2, 2.0))
    gaussian(tf, "gauss_var_n_full_sum_bf16", randn((4, 3), BF16),
             randn((4, 3), BF16), rand((4,), BF16, 0.2, 2.0), full=True,
             red="sum")

    # kl_div: log-probability inputs; probability targets with zeros; every
    # reduction including batchmean; log targets.
    def logp(shape, dtype):
        return F.log_softmax(torch.randn(*shape, dtype=F64), dim=-1).to(dtype)

    def probs(shape, dtype, zeros=True):
        p = torch.softmax(torch.randn(*shape, dtype=F64) * 2.0, dim=-1)
        if zeros:
            p[torch.rand(*shape) < 0.3] = 0.0
        return p.to(dtype)

    for dtype in (F32, F64):
        s = SFX[dtype]
        for red in ("mean", "sum", "none", "batchmean"):
            kl_div(tf, "kl_%s_%s" % (red, s), logp((4, 5), dtype),
                   probs((4, 5), dtype), red=red)
        for red in ("mean", "sum", "none", "batchmean"):
            kl_div(tf, "kl_logt_%s_%s" % (red, s), logp((3, 4), dtype),
                   logp((3, 4), dtype), log_target=True, red=red)
        kl_div(tf, "kl_3d_mean_%s" % s, logp((2, 3, 4), dtype),
               probs((2, 3, 4), dtype))
    # Zero targets everywhere in a row; unreduced to see the exact zeros.
    t = torch.tensor([[0.0, 0.0, 1.0, 0.0], [0.25, 0.0, 0.75, 0.0],
                      [0.0, 0.0, 0.0, 0.0]], dtype=F64)
    kl_div(tf, "kl_zero_targets_none_f64", logp((3, 4), F64), t, red="none")
    kl_div(tf, "kl_zero_targets_batchmean_f32", logp((3, 4), F32), t.to(F32),
           red="batchmean")
    kl_div(tf, "kl_3d_batchmean_f64", logp((2, 3, 4), F64), probs((2, 3, 4), F64),
           red="batchmean")
    kl_div(tf, "kl_0d_batchmean_f64", torch.tensor(-0.5, dtype=F64),
           torch.tensor(0.3, dtype=F64), red="batchmean")
    kl_div(tf, "kl_0d_logt_batchmean_f32", torch.tensor(-0.5),
           torch.tensor(-1.25), log_target=True, red="batchmean")
    kl_div(tf, "kl_batchmean_f16", logp((4, 5), F16), probs((4, 5), F16),
           red="batchmean")
    kl_div(tf, "kl_logt_sum_bf16", logp((4, 5), BF16), logp((4, 5), BF16),
           log_target=True, red="sum")
    forked(102, distributions_broadcast_cases, tf)
    tf.write()


def margin_cases():
    tf = TestFile("CPU/regression_margin.mlir", "regression.py")

    # margin_ranking.
    for dtype in (F32, F64):
        s = SFX[dtype]
        for red in ("mean", "sum", "none"):
            margin_ranking(tf, "mrank_%s_%s" % (red, s), randn((8,), dtype),
                           randn((8,), dtype), signs((8,), dtype), red=red)
        margin_ranking(tf, "mrank_margin_0p5_none_%s" % s, randn((3, 4), dtype),
                       randn((3, 4), dtype), signs((3, 4), dtype), margin=0.5,
                       red="none")
        margin_ranking(tf, "mrank_margin_neg_sum_%s" % s, randn((6,), dtype),
                       randn((6,), dtype), signs((6,), dtype), margin=-0.3,
                       red="sum")
        margin_ranking(tf, "mrank_margin_2_mean_%s" % s, randn((2, 5), dtype),
                       randn((2, 5), dtype), signs((2, 5), dtype), margin=2.0)
    margin_ranking(tf, "mrank_0d_f64", torch.tensor(0.25, dtype=F64),
                   torch.tensor(1.0, dtype=F64), torch.tensor(1.0, dtype=F64),
                   margin=0.1, red="none")
    margin_ranking(tf, "mrank_margin_mean_f16", randn((8,), F16), randn((8,), F16),
                   signs((8,), F16), margin=0.5)

    # hinge_embedding: margin - x < 0, negative x, both targets; targets other
    # than +-1 (PyTorch adds both branches).
    for dtype in (F32, F64):
        s = SFX[dtype]
        for red in ("mean", "sum", "none"):
            hinge(tf, "hinge_%s_%s" % (red, s), randn((3, 4), dtype, 1.5),
                  signs((3, 4), dtype), red=red)
        x = torch.tensor([2.5, 3.0, -0.5, 0.5, 1.0, 2.0, -1.5, 4.0], dtype=dtype)
        t = torch.tensor([-1.0, -1.0, -1.0, -1.0, 1.0, 1.0, 1.0, -1.0],
                         dtype=dtype)
        hinge(tf, "hinge_margin2_none_%s" % s, x, t, margin=2.0, red="none")
        hinge(tf, "hinge_margin0p5_sum_%s" % s, randn((2, 6), dtype, 2.0),
              signs((2, 6), dtype), margin=0.5, red="sum")
    hinge(tf, "hinge_other_targets_none_f64",
          torch.tensor([0.5, -0.25, 3.0, 1.5], dtype=F64),
          torch.tensor([0.0, 2.0, 0.5, -1.0], dtype=F64), red="none")
    hinge(tf, "hinge_mean_bf16", randn((4, 4), BF16, 1.5), signs((4, 4), BF16),
          margin=1.5)

    # soft_margin: +-100 (overflows exp in f32), +-1e4 (overflows PyTorch's
    # own float64 form).
    for dtype in (F32, F64):
        s = SFX[dtype]
        for red in ("mean", "sum", "none"):
            soft_margin(tf, "softm_%s_%s" % (red, s), randn((3, 4), dtype, 2.0),
                        signs((3, 4), dtype), red=red)
        x = torch.tensor([100.0, -100.0, 1e4, -1e4, 40.0, -40.0, 0.0, 15.0],
                         dtype=dtype)
        t = torch.tensor([1.0, 1.0, -1.0, -1.0, 1.0, 1.0, -1.0, -1.0],
                         dtype=dtype)
        soft_margin(tf, "softm_large_none_%s" % s, x, t, red="none")
        soft_margin(tf, "softm_large_mean_%s" % s, x, t)
        soft_margin(tf, "softm_moderate_none_%s" % s,
                    torch.tensor([100.0, -100.0, 60.0, -88.5], dtype=dtype),
                    torch.tensor([-1.0, 1.0, -1.0, 1.0], dtype=dtype),
                    red="none")
    soft_margin(tf, "softm_0d_f32", torch.tensor(-0.75), torch.tensor(1.0),
                red="none")
    soft_margin(tf, "softm_sum_f16", randn((4, 4), F16, 2.0), signs((4, 4), F16),
                red="sum")
    soft_margin(tf, "softm_large_none_bf16",
                torch.tensor([100.0, -100.0, 1e4, -1e4], dtype=BF16),
                torch.tensor([1.0, 1.0, 1.0, 1.0], dtype=BF16), red="none")
    forked(103, margin_broadcast_cases, tf)
    tf.write()


# ---------------------------------------------------------------------------
# Forms PyTorch accepts beyond same-shaped float operands: integer targets
# and broadcasting. Each group draws from its own seed (fork_rng), so the
# cases above keep their values.
# ---------------------------------------------------------------------------

def forked(seed, fn, tf):
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        fn(tf)


I64, I32, BOOL = torch.int64, torch.int32, torch.bool


def ints(shape, lo, hi, dtype=I64):
    return torch.randint(lo, hi, shape).to(dtype)


def bc_counts(shape, dtype):
    return torch.poisson(torch.rand(*shape, dtype=F64) * 4.0).to(dtype)


def bc_logp(shape, dtype):
    return F.log_softmax(torch.randn(*shape, dtype=F64), dim=-1).to(dtype)


def bc_probs(shape, dtype):
    return torch.softmax(torch.randn(*shape, dtype=F64) * 2.0, dim=-1).to(dtype)


def distance_broadcast_cases(tf):
    # A target of another shape broadcasts (PyTorch only warns): [N, 1]
    # against [N] is the classic case, giving [N, N].
    mse(tf, "mse_bcast_col_row_none_f32", randn((4, 1), F32), randn((4,), F32),
        red="none")
    mse(tf, "mse_bcast_col_row_mean_f64", randn((4, 1), F64), randn((4,), F64))
    mse(tf, "mse_bcast_target_row_sum_f32", randn((3, 5), F32),
        randn((5,), F32), red="sum")
    l1(tf, "l1_bcast_input_smaller_none_f64", randn((4,), F64),
       randn((3, 4), F64), red="none")
    l1(tf, "l1_bcast_0d_target_mean_f32", randn((2, 3), F32),
       torch.tensor(0.25))
    smooth_l1(tf, "smoothl1_bcast_0d_input_none_f64",
              torch.tensor(0.5, dtype=F64), randn((2, 3), F64), beta=0.7,
              red="none")
    huber(tf, "huber_bcast_both_sum_f32", randn((3, 1), F32, 2.0),
          randn((1, 4), F32, 2.0), delta=0.8, red="sum")
    huber(tf, "huber_bcast_mean_bf16", randn((3, 1), BF16, 2.0),
          randn((4,), BF16, 2.0))
    # Integer targets are promoted to the input's type.
    mse(tf, "mse_i64_target_mean_f32", randn((3, 4), F32, 2.0),
        ints((3, 4), -3, 4))
    mse(tf, "mse_bool_target_none_f64", randn((5,), F64), ints((5,), 0, 2, BOOL),
        red="none")
    l1(tf, "l1_i32_target_none_f32", randn((2, 3), F32, 3.0),
       ints((2, 3), -4, 5, I32), red="none")
    smooth_l1(tf, "smoothl1_i64_target_bcast_sum_f64", randn((3, 4), F64, 2.0),
              ints((4,), -2, 3), red="sum")
    huber(tf, "huber_bool_target_mean_f32", randn((6,), F32),
          ints((6,), 0, 2, BOOL), delta=0.5)
    mse(tf, "mse_i64_target_mean_f16", randn((4, 4), F16), ints((4, 4), -2, 3))


def distributions_broadcast_cases(tf):
    poisson(tf, "poisson_bcast_row_target_none_f32", randn((3, 4), F32),
            bc_counts((1, 4), F32), red="none")
    poisson(tf, "poisson_i64_target_mean_f64", randn((3, 4), F64),
            ints((3, 4), 0, 6))
    poisson(tf, "poisson_rate_i32_target_full_sum_f64",
            rand((5,), F64, 0.5, 4.0), ints((5,), 0, 7, I32), log_input=False,
            full=True, red="sum")
    # batchmean divides by the input's first dimension, not the broadcast's.
    kl_div(tf, "kl_bcast_input_row_batchmean_f64", bc_logp((1, 4), F64),
           bc_probs((3, 4), F64), red="batchmean")
    kl_div(tf, "kl_bcast_target_row_batchmean_f32", bc_logp((3, 4), F32),
           bc_probs((4,), F32), red="batchmean")
    kl_div(tf, "kl_bcast_input_smaller_batchmean_f64", bc_logp((4,), F64),
           bc_probs((3, 4), F64), red="batchmean")
    kl_div(tf, "kl_bcast_0d_input_batchmean_f64", torch.tensor(-0.7, dtype=F64),
           bc_probs((2, 3), F64), red="batchmean")
    kl_div(tf, "kl_bcast_logt_none_f32", bc_logp((2, 1), F32), bc_logp((2, 3), F32),
           log_target=True, red="none")
    # gaussian_nll: input and target broadcast, var follows the input.
    gaussian(tf, "gauss_bcast_input_row_none_f64", randn((4,), F64),
             randn((3, 4), F64), rand((4,), F64, 0.1, 2.0), red="none")
    gaussian(tf, "gauss_bcast_target_col_var_n_mean_f32", randn((3, 4), F32),
             randn((3, 1), F32), rand((3,), F32, 0.1, 2.0))
    gaussian(tf, "gauss_bcast_input_col_var_col_sum_f64", randn((3, 1), F64),
             randn((3, 4), F64), rand((3, 1), F64, 0.1, 2.0), full=True,
             red="sum")
    gaussian(tf, "gauss_i64_target_none_f32", randn((2, 3), F32),
             ints((2, 3), -2, 3), rand((2, 3), F32, 0.2, 1.5), red="none")
    # A broadcast dim of size 1 in the loops themselves (a [4, 1, 5] space).
    kl_div(tf, "kl_bcast_unit_loop_sum_f64", bc_logp((5,), F64),
           bc_probs((4, 1, 5), F64), red="sum")
    kl_div(tf, "kl_bcast_unit_loop_mean_f32", bc_logp((1, 1, 5), F32),
           bc_probs((4, 1, 5), F32))


def margin_broadcast_cases(tf):
    margin_ranking(tf, "mrank_bcast_none_f64", randn((3, 4), F64),
                   randn((3, 1), F64), signs((1, 4), F64), margin=0.2,
                   red="none")
    margin_ranking(tf, "mrank_bcast_scalar_like_mean_f32", randn((5,), F32),
                   randn((1,), F32), signs((1,), F32))
    margin_ranking(tf, "mrank_i64_target_sum_f64", randn((6,), F64),
                   randn((6,), F64), signs((6,), I64), margin=0.3, red="sum")
    hinge(tf, "hinge_i64_target_none_f32", randn((3, 4), F32, 1.5),
          signs((3, 4), I64), red="none")
    hinge(tf, "hinge_bool_target_mean_f64", randn((6,), F64, 1.5),
          ints((6,), 0, 2, BOOL), margin=0.5)
    hinge(tf, "hinge_i32_other_targets_none_f64", randn((5,), F64),
          torch.tensor([1, -1, 0, 2, -3], dtype=I32), red="none")
    hinge(tf, "hinge_bcast_target_row_sum_f32", randn((3, 4), F32, 1.5),
          signs((4,), F32), margin=2.0, red="sum")
    hinge(tf, "hinge_bcast_input_smaller_none_f64", randn((4,), F64, 1.5),
          signs((3, 4), I64), red="none")
    soft_margin(tf, "softm_i64_target_none_f32", randn((3, 4), F32, 2.0),
                signs((3, 4), I64), red="none")
    soft_margin(tf, "softm_bcast_target_row_mean_f64", randn((3, 4), F64, 2.0),
                signs((4,), F64))
    soft_margin(tf, "softm_bcast_0d_i32_target_sum_f32", randn((2, 3), F32),
                torch.tensor(-1, dtype=I32), red="sum")
    soft_margin(tf, "softm_bool_target_none_bf16", randn((4,), BF16, 2.0),
                ints((4,), 0, 2, BOOL), red="none")


def main():
    binary_cases()
    distance_cases()
    distributions_cases()
    margin_cases()


if __name__ == "__main__":
    main()
