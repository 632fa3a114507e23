"""Writes the inputs of test/Integration/CPU/guard-page/guard_page.test:
Inputs/guard_page.mlir (the compiled loss functions, each with a C
interface) and Inputs/guard_page_cases.txt (the cases the C harness runs,
with their expected results). Run with Debian's /usr/bin/python3:

    /usr/bin/python3 test/Integration/generators/guard_page.py

Every case calls a compiled loss with adversarial data; the harness places
each buffer flush against a PROT_NONE page, so any read outside a buffer
faults. Expected values:
  * a real loss: PyTorch 1.13 (float64 on the float32 inputs);
  * where PyTorch raises on the data, the documented value
    (docs/Rationale.md, "Never out of bounds"): NaN for a class target
    outside [0, C) (not ignore_index), a multilabel_margin target outside
    [-1, C) ends its list like -1, CTC lengths clamped into their buffers
    (T_n into [0, T], S_n into [0, S] or what remains of the concatenated
    buffer; T_n = 0 gives 0 for S_n = 0, +inf otherwise), a label or blank
    outside [0, C) makes its sample NaN; with C = 0, where PyTorch rejects
    the empty class dim, multi_margin's targets are all out of range (NaN)
    and multilabel_margin's `sum / C` is 0 / 0 (NaN);
  * `abort`: dynamic sizes that do not fit stop the program with the
    run-time check's message before anything is read.
"""

import math
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "CPU", "guard-page", "Inputs")

I64_MIN, I64_MAX = -(2**63), 2**63 - 1
BAD_TARGETS = [-1, 2**31, I64_MIN, I64_MAX]  # plus C, added per case

KERNELS = []  # (name, mlir text)
CASES = []    # lines of the cases file
_kernel_names = set()


def ttype(shape, el):
    if not shape:
        return "tensor<%s>" % el
    return "tensor<%sx%s>" % ("x".join("?" if d is None else str(d)
                                       for d in shape), el)


def kernel(name, args, op, result):
    """A function `name` with tensor arguments `args` ([(shape, el)], a None
    dim is dynamic) returning `op` (text with %a0, %a1, ...) of `result`."""
    assert name not in _kernel_names, name
    _kernel_names.add(name)
    params = ", ".join("%%a%d: %s" % (i, ttype(s, e))
                       for i, (s, e) in enumerate(args))
    types = ", ".join(ttype(s, e) for s, e in args)
    rty = ttype(*result)
    KERNELS.append(
        "func.func @%s(%s) -> %s attributes {llvm.emit_c_interface} {\n"
        "  %%r = %s : (%s) -> %s\n"
        "  return %%r : %s\n"
        "}\n" % (name, params, rty, op, types, rty, rty))
    return name


def fmt(v):
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(v)


def tensor_line(kind, t):
    t = torch.as_tensor(t)
    dims = list(t.shape)
    if t.dtype in (torch.int64, torch.int32):
        el = "i64"
        vals = [str(int(v)) for v in t.reshape(-1).tolist()]
    else:
        el = "f32"
        vals = [fmt(v) for v in t.reshape(-1).tolist()]
    return " ".join([kind, el, str(len(dims))] + [str(d) for d in dims] +
                    vals)


def case(name, func, inputs, expected=None, abort=False):
    CASES.append("case %s %s %s" % (name, func, "abort" if abort else "ok"))
    for t in inputs:
        CASES.append(tensor_line("in", t))
    CASES.append(tensor_line("out", expected))
    CASES.append("end")


torch.manual_seed(14)


def f32(t):
    return t.to(torch.float32)


def ref(t):
    return t.to(torch.float64)


def long(v):
    return torch.tensor(v, dtype=torch.int64)


# --------------------------------------------------------------------------
# Class-target losses: cross entropy, nll
# --------------------------------------------------------------------------

IGNORE = 1


def class_target_expected(fn, x, t, w, reduction, C, ii=IGNORE):
    """Torch's value with a class target outside [0, C) (and not the
    ignore_index `ii`) giving NaN, as documented; torch raises there."""
    t = t.clone()
    bad = ((t < 0) | (t >= C)) & (t != ii)
    safe = t.clone()
    safe[bad] = ii
    # torch.nn.functional rejects C = 0 only through targets; all-ignored
    # rows of an empty class dim are accepted.
    if C == 0:
        # Every row is ignored (0) or out of range (NaN); torch's own
        # reshape of an empty class dim fails on [N, 0, d].
        v = torch.zeros(t.shape, dtype=torch.float64)
    else:
        v = fn(ref(x), safe, None if w is None else ref(w), ii, "none")
    v = v.clone()
    v[bad] = float("nan")
    if reduction == "none":
        return v
    if reduction == "sum":
        return v.sum()
    # mean: sum over rows / sum of the non-ignored target weights.
    if bad.any():
        return torch.tensor(float("nan"), dtype=torch.float64)
    return fn(ref(x), safe, None if w is None else ref(w), ii, "mean")


def ce(x, t, w, ii, red):
    return F.cross_entropy(x, t, weight=w, ignore_index=ii, reduction=red)


def nll(x, t, w, ii, red):
    return F.nll_loss(x, t, weight=w, ignore_index=ii, reduction=red)


def class_targets(N, C, ii=IGNORE):
    """Adversarial targets: out of range (-1, C, 2^31, INT64_MIN/MAX), the
    ignore_index, valid classes."""
    pool = [-1, C, 2**31, I64_MIN, I64_MAX, ii, 0, C - 1]
    ts = [pool[i % len(pool)] for i in range(N)]
    return long(ts)


for op, opname, fn in [("ce", "softmax_cross_entropy", ce),
                       ("nll", "nll", nll)]:
    for red in ["none", "sum", "mean"]:
        attrs = "{ignore_index = %d : i64, reduction = #loss.reduction<%s>}" % (
            IGNORE, red)
        for C in [0, 1, 5, 40]:
            for dyn in [False, True]:
                N = 8
                xs = [None if dyn else N, None if dyn else C]
                ws = [None if dyn else C]
                rshape = ([None if dyn else N] if red == "none" else [])
                k = kernel("%s_%s_c%d%s" % (op, red, C, "_dyn" if dyn else ""),
                           [(xs, "f32"), ([xs[0]], "i64"), (ws, "f32")],
                           "loss.%s %%a0, %%a1 weight(%%a2) %s" % (opname, attrs),
                           (rshape, "f32"))
                x = f32(torch.randn(N, C) * 3)
                if op == "nll":
                    x = f32(torch.log_softmax(ref(x), 1)) if C else x
                w = f32(torch.rand(C) + 0.5)
                for variant in ["adversarial", "valid", "all_ignored"]:
                    if variant == "adversarial":
                        t = class_targets(N, C)
                    elif variant == "valid":
                        if C == 0:
                            continue
                        t = torch.randint(0, C, (N,))
                    else:
                        t = torch.full((N,), IGNORE, dtype=torch.int64)
                    case("%s_%s" % (k, variant), k, [x, t, w],
                         class_target_expected(fn, x, t, w, red, C))
        # A dynamic weight shorter (or longer) than C: the run-time check.
        if red == "mean":
            k = "%s_mean_c5_dyn" % op
            x = f32(torch.randn(4, 5))
            for wn in [0, 4, 6]:
                case("%s_weight%d" % (k, wn), k,
                     [x, long([0, 1, 2, 4]), f32(torch.ones(wn))],
                     torch.tensor(0.0), abort=True)

# ignore_index colliding with out-of-range targets (-1, INT64_MIN/MAX).
for op, opname, fn in [("ce", "softmax_cross_entropy", ce),
                       ("nll", "nll", nll)]:
    for ii in [-1, I64_MIN, I64_MAX]:
        for red in ["none", "mean"]:
            for dyn in [False, True]:
                N, C = 8, 5
                xs = [None if dyn else N, None if dyn else C]
                k = kernel("%s_%s_ignore%s%s" % (op, red, str(ii).replace("-", "m"),
                                                 "_dyn" if dyn else ""),
                           [(xs, "f32"), ([xs[0]], "i64"), ([xs[1]], "f32")],
                           "loss.%s %%a0, %%a1 weight(%%a2) {ignore_index = %d : "
                           "i64, reduction = #loss.reduction<%s>}" % (opname, ii,
                                                                      red),
                           ([xs[0]] if red == "none" else [], "f32"))
                x = f32(torch.randn(N, C))
                if op == "nll":
                    x = f32(torch.log_softmax(ref(x), 1))
                w = f32(torch.rand(C) + 0.5)
                t = class_targets(N, C, ii)
                case("%s_adversarial" % k, k, [x, t, w],
                     class_target_expected(fn, x, t, w, red, C, ii))
                t = torch.randint(0, C, (N,))
                t[::3] = ii
                case("%s_valid" % k, k, [x, t, w],
                     class_target_expected(fn, x, t, w, red, C, ii))

# [N, C, d] logits (classes not contiguous: the streaming linalg schedule,
# lanes for C = 40) and nll's gather with extra dims.
for op, opname, fn in [("ce", "softmax_cross_entropy", ce),
                       ("nll", "nll", nll)]:
    for C in [0, 1, 40]:
        for dyn in [False, True]:
            N, D = 4, 3
            xs = [None if dyn else N, None if dyn else C, None if dyn else D]
            k = kernel("%s_3d_c%d%s" % (op, C, "_dyn" if dyn else ""),
                       [(xs, "f32"), ([xs[0], xs[2]], "i64"), ([xs[1]], "f32")],
                       "loss.%s %%a0, %%a1 weight(%%a2) {ignore_index = %d : "
                       "i64, reduction = #loss.reduction<none>}" % (opname,
                                                                    IGNORE),
                       ([xs[0], xs[2]], "f32"))
            x = f32(torch.randn(N, C, D))
            if op == "nll" and C:
                x = f32(torch.log_softmax(ref(x), 1))
            w = f32(torch.rand(C) + 0.5)
            t = class_targets(N * D, C).reshape(N, D)
            case("%s_adversarial" % k, k, [x, t, w],
                 class_target_expected(fn, x, t, w, "none", C))
            if C:
                t = torch.randint(0, C, (N, D))
                case("%s_valid" % k, k, [x, t, w],
                     class_target_expected(fn, x, t, w, "none", C))

# nll over an unbatched [C] input and a 0-d target.
for C in [0, 1, 3]:
    k = kernel("nll_unbatched_c%d" % C,
               [([C], "f32"), ([], "i64"), ([C], "f32")],
               "loss.nll %a0, %a1 weight(%a2) {reduction = #loss.reduction<sum>}",
               ([], "f32"))
    x = f32(torch.randn(C))
    w = f32(torch.rand(C) + 0.5)
    for i, tv in enumerate([-1, C, 0, 2**31, I64_MIN, I64_MAX]):
        t = long(tv)
        if 0 <= tv < C:
            e = F.nll_loss(ref(x)[None], t[None], weight=ref(w), reduction="sum")
        else:
            e = torch.tensor(float("nan"))
        case("%s_t%d" % (k, i), k, [x, t, w], e)

# nll_grad: the weight read (and its `mean` denominator) with C = 0, 1, 5.
for C in [0, 1, 5]:
    for dyn in [False, True]:
        N = 6
        xs = [None if dyn else N, None if dyn else C]
        k = kernel("nll_grad_c%d%s" % (C, "_dyn" if dyn else ""),
                   [(xs, "f32"), ([xs[0]], "i64"), ([xs[1]], "f32"), ([], "f32")],
                   "loss.nll_grad %%a0, %%a1 weight(%%a2), %%a3 "
                   "{ignore_index = %d : i64}" % IGNORE,
                   (xs, "f32"))
        x = f32(torch.randn(N, C))
        w = f32(torch.rand(C) + 0.5)
        g = f32(torch.tensor(1.5))
        for variant in ["adversarial", "valid"]:
            if variant == "valid":
                if C == 0:
                    continue
                t = torch.randint(0, C, (N,))
                xr = ref(x).requires_grad_()
                F.nll_loss(xr, t, weight=ref(w), ignore_index=IGNORE).backward(
                    ref(g))
                e = xr.grad
            else:
                t = class_targets(N, C)
                # A NaN row for an out-of-range target makes the mean's
                # denominator irrelevant; every element of a row with an
                # out-of-range target is NaN, ignored rows are 0, and the
                # rest is NaN too (the NaN rows' weights are excluded from
                # the denominator, but the loss they scale is NaN: ATen
                # reads out of bounds there). As documented: NaN rows.
                bad = ((t < 0) | (t >= C)) & (t != IGNORE)
                valid = ~bad
                tt = t.clone()
                tt[bad] = IGNORE
                xr = ref(x).requires_grad_()
                F.nll_loss(xr, tt, weight=ref(w), ignore_index=IGNORE).backward(
                    ref(g))
                e = xr.grad.clone()
                e[bad] = float("nan")
            case("%s_%s" % (k, variant), k, [x, t, w, g], e)
    if C == 5:
        for wn in [0, 4]:
            case("nll_grad_c5_dyn_weight%d" % wn, "nll_grad_c5_dyn",
                 [f32(torch.randn(3, 5)), long([0, 1, 2]), f32(torch.ones(wn)),
                  f32(torch.tensor(1.0))], torch.zeros(3, 5), abort=True)

# softmax_cross_entropy_grad (`mean`: the denominator reads w[t]) with
# C = 0, 1, 5 and 40; a row with an out-of-range target is NaN.
for C in [0, 1, 5, 40]:
    for dyn in [False, True]:
        N = 6
        xs = [None if dyn else N, None if dyn else C]
        k = kernel("ce_grad_c%d%s" % (C, "_dyn" if dyn else ""),
                   [(xs, "f32"), ([xs[0]], "i64"), ([xs[1]], "f32"), ([], "f32")],
                   "loss.softmax_cross_entropy_grad %%a0, %%a1 weight(%%a2), %%a3 "
                   "{ignore_index = %d : i64}" % IGNORE,
                   (xs, "f32"))
        x = f32(torch.randn(N, C) * 2)
        w = f32(torch.rand(C) + 0.5)
        g = f32(torch.tensor(0.75))
        for variant in ["adversarial", "valid"]:
            if variant == "valid":
                if C == 0:
                    continue
                t = torch.randint(0, C, (N,))
            else:
                t = class_targets(N, C)
            bad = ((t < 0) | (t >= C)) & (t != IGNORE)
            tt = t.clone()
            tt[bad] = IGNORE
            xr = ref(x).requires_grad_()
            F.cross_entropy(xr, tt, weight=ref(w), ignore_index=IGNORE).backward(
                ref(g))
            e = xr.grad.clone()
            # A NaN row's loss is NaN: as documented, its gradient too (the
            # rest of the batch keeps torch's values over the valid rows).
            e[bad] = float("nan")
            case("%s_%s" % (k, variant), k, [x, t, w, g], e)

# --------------------------------------------------------------------------
# multi_margin
# --------------------------------------------------------------------------

# (A static C = 0 is rejected by the verifier, as by PyTorch: only a
# dynamic one reaches compiled code.)
for C in [0, 1, 5]:
    for dyn in [False, True] if C else [True]:
        N = 8
        xs = [None if dyn else N, None if dyn else C]
        for red in ["none", "sum"]:
            rshape = [xs[0]] if red == "none" else []
            k = kernel("multi_margin_%s_c%d%s" % (red, C, "_dyn" if dyn else ""),
                       [(xs, "f32"), ([xs[0]], "i64"), ([xs[1]], "f32")],
                       "loss.multi_margin %%a0, %%a1 weight(%%a2) "
                       "{reduction = #loss.reduction<%s>}" % red,
                       (rshape, "f32"))
            x = f32(torch.randn(N, C))
            w = f32(torch.rand(C) + 0.5)
            for variant in ["adversarial", "valid"]:
                if variant == "valid":
                    if C == 0:
                        continue
                    t = torch.randint(0, C, (N,))
                else:
                    t = class_targets(N, C)
                bad = (t < 0) | (t >= C)
                if C:
                    tt = t.clone()
                    tt[bad] = 0
                    v = F.multi_margin_loss(ref(x), tt, weight=ref(w),
                                            reduction="none")
                else:
                    v = torch.zeros(N, dtype=torch.float64)
                v[bad] = float("nan")
                e = v if red == "none" else v.sum()
                case("%s_%s" % (k, variant), k, [x, t, w], e)
    if C == 5:
        for wn in [0, 4, 6]:
            case("multi_margin_sum_c5_dyn_weight%d" % wn,
                 "multi_margin_sum_c5_dyn",
                 [f32(torch.randn(2, 5)), long([0, 4]), f32(torch.ones(wn))],
                 torch.tensor(0.0), abort=True)

# multi_margin_grad: the weight read with C = 0, 1, 5 and its size check.
k = kernel("multi_margin_grad_dyn",
           [([None, None], "f32"), ([None], "i64"), ([None], "f32"), ([], "f32")],
           "loss.multi_margin_grad %a0, %a1 weight(%a2), %a3",
           ([None, None], "f32"))
for C in [0, 1, 5]:
    N = 4
    x = f32(torch.randn(N, C))
    w = f32(torch.rand(C) + 0.5)
    g = f32(torch.tensor(0.5))
    t = class_targets(N, C) if C == 0 else torch.randint(0, C, (N,))
    if C:
        xr = ref(x).requires_grad_()
        F.multi_margin_loss(xr, t, weight=ref(w)).backward(ref(g))
        e = xr.grad
    else:
        e = torch.zeros(N, 0)
    case("multi_margin_grad_c%d" % C, k, [x, t, w, g], e)
case("multi_margin_grad_weight3", "multi_margin_grad_dyn",
     [f32(torch.randn(2, 5)), long([0, 4]), f32(torch.ones(3)),
      f32(torch.tensor(1.0))], torch.zeros(2, 5), abort=True)

# --------------------------------------------------------------------------
# multilabel_margin
# --------------------------------------------------------------------------


def multilabel_expected(x, t, red):
    """Torch's value with every target outside [-1, C) read as -1 (the
    documented end of the list); 0 / 0 = NaN for C = 0."""
    N, C = x.shape
    if C == 0:
        v = torch.full((N,), float("nan"), dtype=torch.float64)
    else:
        tt = t.clone()
        tt[(tt < -1) | (tt >= C)] = -1
        v = F.multilabel_margin_loss(ref(x), tt, reduction="none")
    return v if red == "none" else v.sum()


for C in [0, 1, 5]:
    for dyn in [False, True] if C else [True]:
        N = 6
        xs = [None if dyn else N, None if dyn else C]
        for red in ["none", "sum"]:
            rshape = [xs[0]] if red == "none" else []
            k = kernel("multilabel_margin_%s_c%d%s" % (red, C,
                                                       "_dyn" if dyn else ""),
                       [(xs, "f32"), (xs, "i64")],
                       "loss.multilabel_margin %%a0, %%a1 "
                       "{reduction = #loss.reduction<%s>}" % red,
                       (rshape, "f32"))
            x = f32(torch.randn(N, C))
            pool = [-1, C, 2**31, I64_MIN, I64_MAX, -2] + list(range(C))
            g = torch.Generator().manual_seed(C * 7 + dyn)
            t = torch.tensor([[pool[int(torch.randint(0, len(pool), (1,),
                                                      generator=g))]
                               for _ in range(C)] for _ in range(N)],
                             dtype=torch.int64).reshape(N, C)
            case("%s_adversarial" % k, k, [x, t], multilabel_expected(x, t, red))
            if C:
                tv = torch.full((N, C), -1, dtype=torch.int64)
                for n in range(N):
                    m = int(torch.randint(0, C + 1, (1,)))
                    tv[n, :m] = torch.randperm(C)[:m]
                case("%s_valid" % k, k, [x, tv], multilabel_expected(x, tv, red))
# The target's class dim must be C.
for tc in [0, 4, 6]:
    case("multilabel_margin_sum_c5_dyn_target%d" % tc,
         "multilabel_margin_sum_c5_dyn",
         [f32(torch.randn(2, 5)), torch.full((2, tc), -1, dtype=torch.int64)],
         torch.tensor(0.0), abort=True)
k = kernel("multilabel_margin_grad_dyn",
           [([None, None], "f32"), ([None, None], "i64"), ([], "f32")],
           "loss.multilabel_margin_grad %a0, %a1, %a2",
           ([None, None], "f32"))
for tc in [4, 6]:
    case("multilabel_margin_grad_target%d" % tc, k,
         [f32(torch.randn(2, 5)), torch.full((2, tc), -1, dtype=torch.int64),
          f32(torch.tensor(1.0))], torch.zeros(2, 5), abort=True)
x = f32(torch.randn(3, 4))
t = long([[3, 0, -1, 2], [4, 1, 2, -1], [I64_MIN, 0, 0, 0]])
xr = ref(x).requires_grad_()
F.multilabel_margin_loss(xr, long([[3, 0, -1, 2], [-1, 1, 2, -1],
                                   [-1, 0, 0, 0]])).backward(
    torch.tensor(2.0, dtype=torch.float64))
case("multilabel_margin_grad_adversarial", k, [x, t, f32(torch.tensor(2.0))],
     xr.grad)

# --------------------------------------------------------------------------
# CTC
# --------------------------------------------------------------------------


def ctc_one(lp, tgt, tn, sn, blank):
    """One sample's loss: lp [T, C] (float64), labels tgt (list) after the
    documented clamping of the lengths."""
    C = lp.shape[1]
    if any(l < 0 or l >= C for l in tgt) or not (0 <= blank < C):
        return float("nan")
    if tn == 0:
        return 0.0 if sn == 0 else float("inf")
    v = F.ctc_loss(lp[:tn, None, :], long([tgt]) if sn else
                   torch.zeros(1, 0, dtype=torch.int64),
                   long([tn]), long([sn]), blank=blank, reduction="none")
    return float(v[0])


def clamp(v, lo, hi):
    return max(lo, min(hi, v))


def ctc_expected(lp, targets, il, tl, blank, layout, red):
    T = lp.shape[0]
    if layout == "unbatched":
        lp = lp[:, None, :]
        targets = targets[None]
        il = il.reshape(1)
        tl = tl.reshape(1)
    N = lp.shape[1]
    losses = []
    used = 0
    for n in range(N):
        tn = clamp(int(il[n]), 0, T)
        if layout == "concatenated":
            sn = clamp(int(tl[n]), 0, targets.shape[0] - used)
            tgt = targets[used:used + sn].tolist()
            used += sn
        else:
            sn = clamp(int(tl[n]), 0, targets.shape[-1])
            tgt = targets[n, :sn].tolist()
        v = ctc_one(ref(lp[:, n, :]), tgt, tn, sn, blank)
        if red == "mean":
            v = v / max(sn, 1)
        losses.append(v)
    v = torch.tensor(losses, dtype=torch.float64)
    if layout == "unbatched":
        return v[0]
    if red == "none":
        return v
    if red == "sum":
        return v.sum()
    return v.mean()


def ctc_kernel(layout, T, N, C, S, dyn, red, blank, lengths_rank=1):
    d = (lambda v: None) if dyn else (lambda v: v)
    if layout == "padded":
        args = [([d(T), d(N), d(C)], "f32"), ([d(N), d(S)], "i64"),
                ([d(N)], "i64"), ([d(N)], "i64")]
        rshape = [d(N)] if red == "none" else []
    elif layout == "concatenated":
        args = [([d(T), d(N), d(C)], "f32"), ([d(S)], "i64"),
                ([d(N)], "i64"), ([d(N)], "i64")]
        rshape = [d(N)] if red == "none" else []
    else:
        ls = [d(1)] if lengths_rank == 1 else []
        args = [([d(T), d(C)], "f32"), ([d(S)], "i64"), (ls, "i64"),
                (ls, "i64")]
        rshape = []
    name = "ctc_%s_%s_c%d%s%s%s" % (layout, red, C, "_dyn" if dyn else "",
                                    "" if lengths_rank == 1 else "_scalar_len",
                                    "_blank%d" % blank if blank else "")
    if name in _kernel_names:
        return name
    return kernel(name, args,
                  "loss.ctc %%a0, %%a1, %%a2, %%a3 {blank = %d : i64, "
                  "reduction = #loss.reduction<%s>}" % (blank, red),
                  (rshape, "f32"))


def logprobs(*shape):
    return f32(torch.log_softmax(torch.randn(*shape, dtype=torch.float64), -1))


T, N, S = 6, 4, 3
for C in [1, 4]:
    for dyn in [False, True]:
        for red in ["none", "mean"]:
            # Padded [N, S] targets.
            k = ctc_kernel("padded", T, N, C, S, dyn, red, 0)
            lp = logprobs(T, N, C)
            hi = max(C - 1, 0)
            adv = [
                (long([[1 % C, hi, 1 % C], [hi, 0 % C, 1 % C],
                       [1 % C, 1 % C, 1 % C], [hi, hi, hi]]),
                 long([T + 3, -5, 0, I64_MAX]), long([S + 4, 2, -1, I64_MIN])),
                (long([[1 % C, hi, 1 % C], [C, -1, 0], [2**31, 0, 0],
                       [I64_MIN, I64_MAX, 0]]),
                 long([T, T, T, T]), long([3, 2, 1, 1])),
                (long([[hi, 0, hi], [0, hi, 0], [hi, hi, 0], [0, 0, 0]]),
                 long([T, T - 1, 2, 1]), long([3, 2, 1, 0])),
            ]
            for i, (tg, il, tl) in enumerate(adv):
                case("%s_%d" % (k, i), k, [lp, tg, il, tl],
                     ctc_expected(lp, tg, il, tl, 0, "padded", red))
            # Concatenated targets: length sums above the buffer.
            k = ctc_kernel("concatenated", T, N, C, 5, dyn, red, 0)
            for i, (tg, il, tl) in enumerate([
                    (long([hi, 0, hi, hi, 0]), long([T, T, T, T]),
                     long([2, 2, 2, 2])),
                    (long([hi, 0, hi, hi, 0]), long([T + 1, -1, T, 3]),
                     long([I64_MAX, 1, 1, 1])),
                    (long([hi, C, hi, -1, 0]), long([T, T, T, T]),
                     long([1, 1, 1, 2])),
                    (long([hi, 0, hi, hi, 0]), long([T, T, T, T]),
                     long([-3, I64_MIN, 5, 9]))]):
                case("%s_%d" % (k, i), k, [lp, tg, il, tl],
                     ctc_expected(lp, tg, il, tl, 0, "concatenated", red))
        # Unbatched, lengths [1] and [].
        for lr in [1, 0]:
            k = ctc_kernel("unbatched", T, 1, C, S, dyn, "mean", 0, lr)
            lp = logprobs(T, C)
            hi = max(C - 1, 0)
            shape = (1,) if lr else ()
            for i, (tg, il, tl) in enumerate([
                    (long([hi, 0, hi]), T, S),
                    (long([hi, 0, hi]), T + 7, S + 2),
                    (long([hi, 0, hi]), -1, 2),
                    (long([hi, C, 0]), T, 2),
                    (long([hi, 0, I64_MIN]), T, I64_MAX)]):
                ilt, tlt = long(il).reshape(shape), long(tl).reshape(shape)
                case("%s_%d" % (k, i), k, [lp, tg, ilt, tlt],
                     ctc_expected(lp, tg, ilt, tlt, 0, "unbatched", "mean"))

# A blank outside a dynamic C (0 classes included): every sample NaN.
k = ctc_kernel("padded", T, N, 4, S, True, "none", 3)
for C in [0, 2, 3]:
    lp = logprobs(T, N, C) if C else torch.zeros(T, N, 0)
    case("ctc_blank3_c%d" % C, k,
         [lp, torch.zeros(N, S, dtype=torch.int64), long([T] * N),
          long([0, 1, 2, 3])], torch.full((N,), float("nan")))
k = ctc_kernel("unbatched", T, 1, 4, S, True, "mean", 2)
case("ctc_unbatched_blank2_c0", k,
     [torch.zeros(T, 0), long([0, 0, 0]), long([T]), long([1])],
     torch.tensor(float("nan")))

# Unbatched dynamic lengths must hold one entry; per-sample operands N.
k = ctc_kernel("unbatched", T, 1, 4, S, True, "mean", 0)
for il, tl in [([], [2]), ([T], []), ([T, T], [2]), ([T], [2, 2])]:
    case("ctc_unbatched_lengths_%d_%d" % (len(il), len(tl)), k,
         [logprobs(T, 4), long([1, 2, 3]), long(il), long(tl)],
         torch.tensor(0.0), abort=True)
k = ctc_kernel("padded", T, N, 4, S, True, "none", 0)
for il, tl in [([T] * 3, [1] * 4), ([T] * 4, [1] * 5), ([T] * 4, [])]:
    case("ctc_padded_lengths_%d_%d" % (len(il), len(tl)), k,
         [logprobs(T, N, 4), torch.ones(N, S, dtype=torch.int64), long(il),
          long(tl)], torch.zeros(N), abort=True)
k = ctc_kernel("concatenated", T, N, 4, 5, True, "none", 0)
case("ctc_concatenated_lengths_3", k,
     [logprobs(T, N, 4), torch.ones(5, dtype=torch.int64), long([T] * 3),
      long([1] * 4)], torch.zeros(N), abort=True)

# ctc_grad, unbatched with dynamic lengths: the same check.
k = kernel("ctc_grad_unbatched_dyn",
           [([None, None], "f32"), ([None], "i64"), ([None], "i64"),
            ([None], "i64"), ([], "f32")],
           "loss.ctc_grad %a0, %a1, %a2, %a3, %a4",
           ([None, None], "f32"))
for il, tl in [([], [2]), ([T, T], [2]), ([T], [])]:
    case("ctc_grad_unbatched_lengths_%d_%d" % (len(il), len(tl)), k,
         [logprobs(T, 4), long([1, 2, 3]), long(il), long(tl),
          f32(torch.tensor(1.0))], torch.zeros(T, 4), abort=True)

os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "guard_page.mlir"), "w") as f:
    f.write("// Generated by test/Integration/generators/guard_page.py; do not "
            "edit.\n// The losses guard_page.test compiles to a shared library "
            "and calls\n// through their C interfaces.\n\n")
    f.write("\n".join(KERNELS))
with open(os.path.join(OUT, "guard_page_cases.txt"), "w") as f:
    f.write("# Generated by test/Integration/generators/guard_page.py; do not "
            "edit.\n# PyTorch %s. case NAME FUNCTION ok|abort, its inputs "
            "(in TYPE RANK DIMS... VALUES...), the\n# expected result (out "
            "...), end.\n" % torch.__version__)
    f.write("\n".join(CASES) + "\n")
print("%d functions, %d cases" % (len(KERNELS),
                                   sum(1 for l in CASES if l.startswith("case"))))
