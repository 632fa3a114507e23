#!/usr/bin/python3
"""Numeric tests of loss.linear_cross_entropy vs PyTorch.

Writes test/Integration/CPU/linear_cross_entropy.mlir. The expected values
are torch's

    F.cross_entropy(hidden @ weight.T + bias, target, weight=class_weight,
                    ignore_index=..., reduction=..., label_smoothing=...)

in float64 on the very inputs the test feeds, rounded to the result type.
The float inputs (hidden states, classifier weights of up to 1037 x 1024,
biases, class weights) are built in IR from a hash of each element's index
(hashgen.py: the same values in torch, bit for bit), so the test commits no
megabytes of constants; targets are literal constants, to place ignored
rows and tile boundaries exactly.

The lowering works in blocks of 64 rows and vocabulary tiles of up to 256
entries (fewer for large H), so the shapes below cover N and V that are
not multiples of them (the last block and tile are smaller), exact
multiples, a single partial tile, and H large enough to shrink the tile.
Run with Debian's /usr/bin/python3:

    /usr/bin/python3 test/Integration/generators/linear_cross_entropy.py
"""

import re

import torch
import torch.nn.functional as F

from hashgen import Gen
from lossgen import TestFile, dense, tensor_type

F32, F64, F16 = torch.float32, torch.float64, torch.float16
I64, I32 = torch.int64, torch.int32

RED = {"mean": "", "sum": "reduction = #loss.reduction<sum>",
       "none": "reduction = #loss.reduction<none>"}


def attrs(*parts):
    parts = [p for p in parts if p]
    return " {{" + ", ".join(parts) + "}}" if parts else ""


class LceFile(TestFile):
    def lce_case(self, name, inputs, expected, op, dynamic=()):
        """A case whose inputs are torch tensors (dense constants) or Gens
        (built in IR); the operands named in `dynamic` are cast to fully
        dynamic shapes first. `expected`: a tensor or a list of them (one
        per result)."""
        k, lines = self.begin_case(name)
        ssa, types = {}, {}
        for key, v in inputs.items():
            ssa[key] = "%%c%d_%s" % (k, key)
            if isinstance(v, Gen):
                body, types[key] = v.emit(ssa[key])
                lines += body
            else:
                types[key] = tensor_type(v)
                lines.append("  %s = arith.constant %s : %s" %
                             (ssa[key], dense(v), types[key]))
            if key in dynamic:
                el = types[key][len("tensor<"):-1].split("x")[-1]
                rank = types[key].count("x")
                dyn = "tensor<%s%s>" % ("?x" * rank, el)
                lines.append("  %s_d = tensor.cast %s : %s to %s" %
                             (ssa[key], ssa[key], types[key], dyn))
                ssa[key] += "_d"
                types[key] = dyn
        order = re.findall(r"(?<!\{)\{(\w+)\}(?!\})", op)
        text = op
        for key in set(order):
            text = re.sub(r"(?<!\{)\{%s\}(?!\})" % key, ssa[key], text)
        text = text.replace("{{", "{").replace("}}", "}")
        multi = isinstance(expected, (list, tuple))
        expected = expected if multi else [expected]
        res = "%%r%d" % k
        lhs = res if len(expected) == 1 else "%s:%d" % (res, len(expected))
        # Gradients have their operand's type: dynamic where it is, cast to
        # the static type of the expected values for the check.
        def result_type(e):
            if multi and dynamic:
                return "tensor<%s%s>" % ("?x" * e.dim(), tensor_type(e)[
                    len("tensor<"):-1].split("x")[-1])
            return tensor_type(e)
        result_types = ", ".join(result_type(e) for e in expected)
        if len(expected) > 1:
            result_types = "(" + result_types + ")"
        lines.append("  %s = %s : (%s) -> %s" % (
            lhs, text, ", ".join(types[key] for key in order), result_types))
        lines.append('  vector.print str "case %s\\n"' % name)
        self.checks.append("// CHECK-LABEL: case %s" % name)
        for i, e in enumerate(expected):
            got = res if len(expected) == 1 else "%s#%d" % (res, i)
            if result_type(e) != tensor_type(e):
                cast = "%%s%d_%d" % (k, i)
                lines.append("  %s = tensor.cast %s : %s to %s" % (
                    cast, got, result_type(e), tensor_type(e)))
                got = cast
            lines += self._check(k, i, got, e)
            self.checks.append("// CHECK: PASS")
        self.body.append("\n".join(lines))


def value(v):
    return v.torch_value() if isinstance(v, Gen) else v


def lce_inputs(dtype, n, h, v, target, bias, cw, ii, red, ls, seed,
               scale_log2):
    """hidden [n, h] in [-2, 2) (by default), weight [v, h] in [-1, 1)
    (logits of a few units), bias in [-1, 1), class weights in
    [0.25, 1.25); the op's text and attributes."""
    inputs = {
        "h": Gen("h", (n, h), dtype, 101 + seed, scale_log2=scale_log2,
                 offset=-2.0 ** (scale_log2 + 31)),
        "w": Gen("w", (v, h), dtype, 202 + seed, scale_log2=-31, offset=-1.0),
        "t": target,
    }
    operands = "{h}, {w}, {t}"
    if bias:
        inputs["b"] = Gen("b", (v,), dtype, 303 + seed, scale_log2=-31,
                          offset=-1.0)
        operands += " bias({b})"
    if cw:
        inputs["cw"] = Gen("cw", (v,), dtype, 404 + seed, scale_log2=-32,
                           offset=0.25)
        operands += " class_weight({cw})"
    attr = attrs("ignore_index = %d : i64" % ii if ii != -100 else "",
                 RED[red], "label_smoothing = %r : f64" % ls if ls else "")
    return inputs, operands, attr


def torch_loss(vals, bias, cw, ii, red, ls, requires_grad=False):
    """F.cross_entropy of the logits in float64; the float64 leaves."""
    leaves = {k: vals[k].double().requires_grad_(requires_grad)
              for k in ("h", "w", "b") if k in vals and (k != "b" or bias)}
    logits = leaves["h"] @ leaves["w"].T
    if bias:
        logits = logits + leaves["b"]
    kw = {"weight": vals["cw"].double()} if cw else {}
    loss = F.cross_entropy(logits, vals["t"].long(), ignore_index=ii,
                           reduction=red, label_smoothing=ls, **kw)
    return loss, leaves


def lce_case(tf, name, dtype, n, h, v, target, bias=False, cw=False,
             ii=-100, red="mean", ls=0.0, seed=0, scale_log2=-30,
             dynamic=()):
    inputs, operands, attr = lce_inputs(dtype, n, h, v, target, bias, cw, ii,
                                        red, ls, seed, scale_log2)
    vals = {key: value(x) for key, x in inputs.items()}
    loss, _ = torch_loss(vals, bias, cw, ii, red, ls)
    tf.lce_case(name, inputs, loss.detach().to(dtype),
                "loss.linear_cross_entropy " + operands + attr, dynamic)


def lce_grad_case(tf, name, dtype, n, h, v, target, bias=False, cw=False,
                  ii=-100, red="mean", ls=0.0, seed=0, scale_log2=-30,
                  dynamic=()):
    """The gradients torch.autograd gives hidden, weight (and bias) for a
    grad_output of [n] values (`none`) or 0.75."""
    inputs, operands, attr = lce_inputs(dtype, n, h, v, target, bias, cw, ii,
                                        red, ls, seed, scale_log2)
    if red == "none":
        g = (torch.rand(n, dtype=F64) * 2 - 0.5).to(dtype)
    else:
        g = torch.tensor(0.75, dtype=dtype)
    inputs["g"] = g
    vals = {key: value(x) for key, x in inputs.items()}
    loss, leaves = torch_loss(vals, bias, cw, ii, red, ls, requires_grad=True)
    wrt = [leaves["h"], leaves["w"]] + ([leaves["b"]] if bias else [])
    grads = torch.autograd.grad(loss, wrt, grad_outputs=g.double())
    tf.lce_case(name, inputs, [x.to(dtype) for x in grads],
                "loss.linear_cross_entropy_grad " + operands + ", {g}" + attr,
                dynamic)


MAPS = ("indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, "
        "affine_map<(d0, d1, d2) -> (d1, d2)>, "
        "affine_map<(d0, d1, d2) -> (d0, d1)>]")


def unfused_case(tf, name, dtype, n, h, v, target, bias=False, cw=False,
                 ii=-100, red="mean", ls=0.0, transpose=False):
    """F.cross_entropy(h @ w.T + b, t) written out as linalg (a zero-filled
    matmul with B transposed, or of a linalg.transpose of w; the bias
    broadcast and added) feeding loss.softmax_cross_entropy: the pipeline's
    loss-fuse-linear-cross-entropy must form the fused op and keep torch's
    value."""
    vals = {"h": torch.rand(n, h, dtype=F64).mul(4).sub(2).to(dtype),
            "w": torch.rand(v, h, dtype=F64).mul(2).sub(1).to(dtype),
            "t": target}
    if bias:
        vals["b"] = torch.rand(v, dtype=F64).mul(2).sub(1).to(dtype)
    if cw:
        vals["cw"] = torch.rand(v, dtype=F64).add(0.25).to(dtype)
    loss, _ = torch_loss(vals, bias, cw, ii, red, ls)
    el = tensor_type(vals["h"])[len("tensor<"):-1].split("x")[-1]
    nv = "tensor<%dx%dx%s>" % (n, v, el)
    vh = "tensor<%dx%dx%s>" % (v, h, el)
    hv = "tensor<%dx%dx%s>" % (h, v, el)
    pre = ["{@z} = arith.constant 0.0 : " + el,
           "{@e} = tensor.empty() : " + nv,
           "{@f} = linalg.fill ins({@z} : %s) outs({@e} : %s) -> %s"
           % (el, nv, nv)]
    if transpose:
        pre += ["{@te} = tensor.empty() : " + hv,
                "{@wt} = linalg.transpose ins({w} : %s) outs({@te} : %s) "
                "permutation = [1, 0]" % (vh, hv),
                "{@x} = linalg.matmul ins({h}, {@wt} : %s, %s) outs({@f} : %s)"
                " -> %s" % (tensor_type(vals["h"]), hv, nv, nv)]
    else:
        pre.append("{@x} = linalg.matmul " + MAPS + " ins({h}, {w} : %s, %s)"
                   " outs({@f} : %s) -> %s" % (tensor_type(vals["h"]), vh, nv,
                                               nv))
    logits = "{@x}"
    if bias:
        pre += ["{@be} = tensor.empty() : " + nv,
                "{@bb} = linalg.broadcast ins({b} : %s) outs({@be} : %s) "
                "dimensions = [0]" % (tensor_type(vals["b"]), nv),
                "{@ae} = tensor.empty() : " + nv,
                "{@xb} = linalg.add ins({@x}, {@bb} : %s, %s) outs({@ae} : %s)"
                " -> %s" % (nv, nv, nv, nv)]
        logits = "{@xb}"
    # `{@tmp}` spells the prelude's `{%tmp}` through the %-formatting.
    pre = [line.replace("{@", "{%") for line in pre]
    op = "loss.softmax_cross_entropy " + logits.replace("{@", "{%") + ", {t}"
    types = [nv, tensor_type(target)]
    if cw:
        op += " weight({cw})"
        types.append(tensor_type(vals["cw"]))
    op += attrs("ignore_index = %d : i64" % ii if ii != -100 else "",
                RED[red], "label_smoothing = %r : f64" % ls if ls else "")
    inputs = {k: vals[k] for k in ("h", "w", "t", "b", "cw") if k in vals}
    tf.case(name, op, inputs, loss.detach().to(dtype), prelude=pre,
            operand_types=", ".join(types))


def rand_targets(n, v, dtype=I64):
    return torch.randint(0, v, (n,)).to(dtype)


def with_ignored(t, rows, ii=-100):
    t = t.clone()
    t[list(rows)] = ii
    return t


def main():
    torch.manual_seed(1616)
    tf = LceFile("CPU/linear_cross_entropy.mlir", "linear_cross_entropy.py")

    # N = 70 (a block of 64 and one of 6), V = 1037 = 4 * 256 + 13, H = 32.
    N, V, H = 70, 1037, 32
    for dtype in (F32, F64):
        sfx = "f32" if dtype == F32 else "f64"
        # Targets in every tile, the last (short) tile's first and last class.
        t = rand_targets(N, V)
        t[:4] = torch.tensor([0, V - 1, 1024, 255])
        ti = with_ignored(t, (3, 17, 64, 69))
        for red in ("mean", "sum", "none"):
            lce_case(tf, "lce_%s_%s" % (red, sfx), dtype, N, H, V, t, red=red)
            lce_case(tf, "lce_bias_cw_ignore_%s_%s" % (red, sfx), dtype, N, H,
                     V, ti, bias=True, cw=True, red=red, seed=1)
            lce_case(tf, "lce_ls_bias_cw_ignore_%s_%s" % (red, sfx), dtype, N,
                     H, V, ti, bias=True, cw=True, red=red, ls=0.1, seed=2)
        lce_case(tf, "lce_bias_%s" % sfx, dtype, N, H, V, t, bias=True, seed=3)
        lce_case(tf, "lce_cw_sum_%s" % sfx, dtype, N, H, V, t, cw=True,
                 red="sum", seed=4)
        lce_case(tf, "lce_ls_ignore_none_%s" % sfx, dtype, N, H, V, ti,
                 ls=0.25, red="none", seed=5)

    # ignore_index inside [0, V) (and in the last tile), with class weights.
    t = rand_targets(N, V)
    t[[0, 9, 33, 66]] = 1030
    lce_case(tf, "lce_ignore_in_range_cw_ls_mean_f64", F64, N, H, V, t,
             cw=True, ii=1030, ls=0.2, seed=6)
    lce_case(tf, "lce_ignore_in_range_none_f32", F32, N, H, V, t, ii=1030,
             red="none", seed=6)

    # Every target ignored: mean is NaN (0 / 0), sum is 0.
    t = torch.full((10,), -100, dtype=I64)
    lce_case(tf, "lce_all_ignored_mean_f32", F32, 10, 8, 300, t, cw=True,
             seed=7)
    lce_case(tf, "lce_all_ignored_sum_f64", F64, 10, 8, 300, t, bias=True,
             red="sum", seed=7)

    # Exact multiples of the block and the tile: N = 128, V = 512; i32 targets.
    lce_case(tf, "lce_exact_tiles_bias_mean_f32", F32, 128, 16, 512,
             rand_targets(128, 512, I32), bias=True, seed=8)
    lce_case(tf, "lce_exact_tiles_ls_none_f64", F64, 128, 16, 512,
             rand_targets(128, 512, I32), ls=0.05, red="none", seed=8)

    # One short tile and one short block: N = 5, V = 37; N = 1; V = 1.
    lce_case(tf, "lce_one_tile_cw_ls_mean_f32", F32, 5, 24, 37,
             rand_targets(5, 37), cw=True, ls=0.3, seed=9)
    lce_case(tf, "lce_n1_bias_sum_f64", F64, 1, 7, 300,
             torch.tensor([299]), bias=True, red="sum", seed=10)
    lce_case(tf, "lce_v1_none_f32", F32, 3, 4, 1,
             torch.tensor([0, 0, -100]), red="none", seed=11)

    # H = 1024: the tile shrinks to 128 (f32) / 64 (f64) vocabulary rows;
    # V = 300 is not a multiple of either.
    t = torch.tensor([0, 127, 128, 299, 200, -100, 64])
    lce_case(tf, "lce_large_h_bias_cw_ls_mean_f32", F32, 7, 1024, 300, t,
             bias=True, cw=True, ls=0.1, seed=12, scale_log2=-33)
    lce_case(tf, "lce_large_h_bias_none_f64", F64, 7, 1024, 300, t,
             bias=True, red="none", seed=12, scale_log2=-33)

    # Large logits (hidden in [-256, 256)): the online softmax stays finite.
    lce_case(tf, "lce_large_logits_bias_none_f32", F32, 6, 16, 400,
             rand_targets(6, 400), bias=True, red="none", seed=13,
             scale_log2=-23)
    lce_case(tf, "lce_large_logits_ls_mean_f64", F64, 6, 16, 400,
             rand_targets(6, 400), ls=0.1, seed=13, scale_log2=-23)

    # Dynamic shapes: the sizes come from the operands at run time.
    t = with_ignored(rand_targets(N, V), (5, 68))
    lce_case(tf, "lce_dynamic_bias_cw_ls_mean_f32", F32, N, H, V, t,
             bias=True, cw=True, ls=0.1, seed=14,
             dynamic=("h", "w", "t", "b", "cw"))
    lce_case(tf, "lce_dynamic_none_f64", F64, N, H, V, t, red="none",
             seed=14, dynamic=("h", "w", "t"))

    # f16 computes its logits and statistics in f32; compared with float64
    # on the rounded inputs at f16's tolerance.
    lce_case(tf, "lce_bias_mean_f16", F16, 20, 16, 300, rand_targets(20, 300),
             bias=True, seed=15)

    tf.write()

    # The gradient, every option: N = 70 (a block of 64 and one of 6),
    # V = 337 = 256 + 81, and few columns so that the expected [V, H]
    # weight gradients (checked whole) stay small; then V = 1037.
    gf = LceFile("CPU/linear_cross_entropy_grad.mlir",
                 "linear_cross_entropy.py")
    N, V, H = 70, 337, 2
    for dtype in (F32, F64):
        sfx = "f32" if dtype == F32 else "f64"
        t = rand_targets(N, V)
        t[:4] = torch.tensor([0, V - 1, 256, 255])
        ti = with_ignored(t, (3, 17, 64, 69))
        for red in ("mean", "sum", "none"):
            lce_grad_case(gf, "lce_grad_%s_%s" % (red, sfx), dtype, N, H, V, t,
                          red=red, seed=20)
            lce_grad_case(gf, "lce_grad_bias_cw_ignore_%s_%s" % (red, sfx),
                          dtype, N, H, V, ti, bias=True, cw=True, red=red,
                          seed=21)
            lce_grad_case(gf, "lce_grad_ls_bias_cw_ignore_%s_%s" % (red, sfx),
                          dtype, N, H, V, ti, bias=True, cw=True, red=red,
                          ls=0.1, seed=22)
        lce_grad_case(gf, "lce_grad_ls_ignore_bias_%s" % sfx, dtype, N, H, V,
                      ti, bias=True, ls=0.25, seed=23)
    t = rand_targets(N, V)
    t[[0, 9, 33, 66]] = 300
    lce_grad_case(gf, "lce_grad_ignore_in_range_cw_ls_sum_f64", F64, N, H, V,
                  t, cw=True, ii=300, ls=0.2, red="sum", seed=24)
    # V = 1037 = 4 * 256 + 13.
    t = rand_targets(N, 1037)
    t[:3] = torch.tensor([1036, 1024, 1023])
    lce_grad_case(gf, "lce_grad_v1037_bias_cw_ls_ignore_mean_f32", F32, N, 2,
                  1037, with_ignored(t, (7, 65)), bias=True, cw=True, ls=0.1,
                  seed=30)
    lce_grad_case(gf, "lce_grad_v1037_bias_none_f64", F64, N, 2, 1037, t,
                  bias=True, red="none", seed=31)
    # Every target ignored: zeros (autograd's values), also for `mean`.
    lce_grad_case(gf, "lce_grad_all_ignored_mean_f32", F32, 10, 4, 300,
                  torch.full((10,), -100, dtype=I64), bias=True, cw=True,
                  ls=0.1, seed=25)
    # Exact tiles; one short tile.
    lce_grad_case(gf, "lce_grad_exact_tiles_bias_none_f32", F32, 128, 2, 512,
                  rand_targets(128, 512, I32), bias=True, red="none", seed=26)
    lce_grad_case(gf, "lce_grad_one_tile_cw_ls_mean_f64", F64, 5, 6, 37,
                  rand_targets(5, 37), cw=True, ls=0.3, seed=27)
    # Dynamic shapes.
    lce_grad_case(gf, "lce_grad_dynamic_bias_cw_ls_none_f32", F32, N, H, V,
                  with_ignored(rand_targets(N, V), (5, 68)), bias=True,
                  cw=True, ls=0.1, red="none", seed=29,
                  dynamic=("h", "w", "t", "b", "cw", "g"))
    gf.write()

    # The unfused form, fused by the pipeline (N = 9, V = 300: two tiles).
    ff = TestFile("CPU/linear_cross_entropy_fusion.mlir",
                  "linear_cross_entropy.py")
    N, V, H = 9, 300, 6
    for dtype in (F32, F64):
        sfx = "f32" if dtype == F32 else "f64"
        t = rand_targets(N, V)
        t[:2] = torch.tensor([V - 1, 256])
        ti = with_ignored(t, (4,))
        unfused_case(ff, "unfused_%s" % sfx, dtype, N, H, V, t)
        unfused_case(ff, "unfused_bias_cw_ls_ignore_none_%s" % sfx, dtype, N,
                     H, V, ti, bias=True, cw=True, red="none", ls=0.1)
        unfused_case(ff, "unfused_transpose_bias_sum_%s" % sfx, dtype, N, H,
                     V, ti, bias=True, red="sum", transpose=True)
    ff.write()


if __name__ == "__main__":
    main()
