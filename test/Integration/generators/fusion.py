#!/usr/bin/python3
"""Numeric tests of cross entropy written as nll(log_softmax(x)), vs PyTorch.

Writes test/Integration/CPU/fusion.mlir. Every case is a program that
computes `loss.nll(loss.log_softmax(x))`; its expected value is PyTorch's
`F.cross_entropy(x, ...)` (`F.nll_loss(F.log_softmax(x, dim))` where the
log_softmax is not over the class axis), in float64 from the very inputs the
test feeds, rounded to the result type. The file runs twice:

* `--loss-lower-to-llvm` fuses the programs into `loss.softmax_cross_entropy`
  (the streaming lowering, with a `log_prob` result where the
  log-probabilities have other users);
* `--loss-lower-to-llvm="fuse=false"` lowers `loss.log_softmax` and
  `loss.nll` as written.

Two more RUN lines print the IR just before `convert-loss-to-linalg` and
check that the fused pipeline has `loss.softmax_cross_entropy` where, and
only where, expected, and that the unfused one has none.
"""

import torch
import torch.nn.functional as F

from lossgen import TestFile, dense, tensor_type

torch.manual_seed(2718)
F32, F64, F16, BF16 = torch.float32, torch.float64, torch.float16, torch.bfloat16

RED = {"mean": "", "sum": "reduction = #loss.reduction<sum>",
       "none": "reduction = #loss.reduction<none>"}

RUNNER = ("// RUN: | mlir-runner -e main -entry-point-result=void \\\n"
          "// RUN:   -shared-libs=%loss_runner_utils,%mlir_c_runner_utils \\\n"
          "// RUN: | FileCheck %s\n")
EXTRA_RUN = (
    "//\n"
    "// RUN: loss-opt %s --loss-lower-to-llvm=\"fuse=false\" \\\n" + RUNNER +
    "//\n"
    "// The two pipelines differ: the IR that reaches the lowering.\n"
    "// RUN: loss-opt %s --loss-lower-to-llvm -o /dev/null \\\n"
    "// RUN:   --mlir-print-ir-before=convert-loss-to-linalg 2>&1 \\\n"
    "// RUN: | FileCheck %s --check-prefix=FUSED\n"
    "// RUN: loss-opt %s --loss-lower-to-llvm=\"fuse=false\" -o /dev/null \\\n"
    "// RUN:   --mlir-print-ir-before=convert-loss-to-linalg 2>&1 \\\n"
    "// RUN: | FileCheck %s --check-prefix=UNFUSED \\\n"
    "// RUN:   --implicit-check-not=loss.softmax_cross_entropy\n")


def attrs(*parts):
    parts = [p for p in parts if p]
    return " {" + ", ".join(parts) + "}" if parts else ""


def logits(shape, dtype, scale=2.0):
    return (torch.randn(*shape, dtype=F64) * scale).to(dtype)


def targets(shape, num_classes, dtype=torch.int64):
    return torch.randint(0, num_classes, shape).to(dtype)


class FusionFile(TestFile):
    """A TestFile whose cases are two-op programs."""

    def __init__(self, relpath, script):
        super().__init__(relpath, script)
        self.fused_checks = ["// FUSED-LABEL: IR Dump Before ConvertLossToLinalg"]
        self.unfused_checks = ["// UNFUSED-LABEL: IR Dump Before ConvertLossToLinalg"]

    def nll_of_log_softmax(self, name, x, t, axis=None, w=None, ii=-100,
                           red="mean", keep_log_prob=False):
        """`loss.nll(loss.log_softmax(x, axis))`; `keep_log_prob` also
        checks the log-probabilities (a second user)."""
        k, _ = self.begin_case(name)
        dtype = x.dtype
        class_axis = 1 if x.dim() > 1 else 0
        if axis is None:
            axis = class_axis
        fused = axis % x.dim() == class_axis

        # Expected values, from PyTorch in float64.
        kw = {"weight": w.to(F64)} if w is not None else {}
        x64 = x.to(F64)
        if fused:
            expected = F.cross_entropy(x64, t.long(), ignore_index=ii,
                                       reduction=red, **kw)
        else:
            expected = F.nll_loss(F.log_softmax(x64, dim=axis), t.long(),
                                  ignore_index=ii, reduction=red, **kw)
        expected = expected.to(dtype)
        log_prob = F.log_softmax(x64, dim=axis).to(dtype)

        xs, ts, ws = "%%c%d_x" % k, "%%c%d_t" % k, "%%c%d_w" % k
        lp, res = "%%lp%d" % k, "%%r%d" % k
        lines = ["  // %s" % name,
                 "  %s = arith.constant %s : %s" % (xs, dense(x), tensor_type(x)),
                 "  %s = arith.constant %s : %s" % (ts, dense(t), tensor_type(t))]
        if w is not None:
            lines.append("  %s = arith.constant %s : %s" % (ws, dense(w),
                                                            tensor_type(w)))
        lines.append("  %s = loss.log_softmax %s%s : %s" % (
            lp, xs, attrs("axis = %d : i64" % axis), tensor_type(x)))
        operand_types = [tensor_type(x), tensor_type(t)]
        weight = ""
        if w is not None:
            weight = " weight(%s)" % ws
            operand_types.append(tensor_type(w))
        nll_attrs = attrs("ignore_index = %d : i64" % ii if ii != -100 else "",
                          RED[red])
        result_type = tensor_type(expected)
        lines.append("  %s = loss.nll %s, %s%s%s : (%s) -> %s" % (
            res, lp, ts, weight, nll_attrs, ", ".join(operand_types),
            result_type))
        lines.append('  vector.print str "case %s\\n"' % name)
        self.checks.append("// CHECK-LABEL: case %s" % name)
        lines += self._check(k, 0, res, expected)
        self.checks.append("// CHECK: PASS")
        if keep_log_prob:
            lines += self._check(k, 1, lp, log_prob)
            self.checks.append("// CHECK: PASS")
        self.body.append("\n".join(lines))

        # What reaches the lowering.
        types = "(%s)" % ", ".join(operand_types)
        if fused:
            results = result_type
            if keep_log_prob:
                results = "(%s, %s)" % (result_type, tensor_type(x))
            self.fused_checks += [
                "// FUSED-NOT: loss.log_softmax",
                "// FUSED-NOT: loss.nll",
                "// FUSED: loss.softmax_cross_entropy {{.*}}: %s -> %s"
                % (types, results)]
        else:
            self.fused_checks += [
                "// FUSED-NOT: loss.softmax_cross_entropy",
                "// FUSED: loss.log_softmax {{.*}}: %s" % tensor_type(x),
                "// FUSED: loss.nll {{.*}}: %s -> %s" % (types, result_type)]
        self.unfused_checks += [
            "// UNFUSED: loss.log_softmax {{.*}}: %s" % tensor_type(x),
            "// UNFUSED: loss.nll {{.*}}: %s -> %s" % (types, result_type)]

    def write(self):
        self.checks += [""] + self.fused_checks + [
            "// FUSED-NOT: loss.log_softmax", "// FUSED-NOT: loss.nll"]
        self.checks += [""] + self.unfused_checks
        super().write()
        # A second numeric RUN line without fusion, and the IR checks.
        with open(self.path) as f:
            text = f.read()
        marker = RUNNER
        assert marker in text
        text = text.replace(marker, marker + EXTRA_RUN, 1)
        with open(self.path, "w") as f:
            f.write(text)


def main():
    tf = FusionFile("CPU/fusion.mlir", "fusion.py")

    # Every reduction, both precisions.
    for dtype, sfx in ((F32, "f32"), (F64, "f64")):
        for red in ("mean", "sum", "none"):
            tf.nll_of_log_softmax("nc_%s_%s" % (red, sfx), logits((5, 7), dtype),
                                  targets((5,), 7), red=red)

    # Weight, ignore_index (in range, negative) and reduction carried over.
    tf.nll_of_log_softmax("weight_ignore_mean_f32", logits((6, 4), F32),
                          torch.tensor([0, 2, 1, 2, 3, 2]),
                          w=torch.rand(4) + 0.1, ii=2)
    tf.nll_of_log_softmax("weight_ignore_negative_none_f64", logits((4, 3), F64),
                          torch.tensor([-1, 0, 2, -1]),
                          w=torch.rand(3, dtype=F64) + 0.1, ii=-1, red="none")
    tf.nll_of_log_softmax("weight_sum_f32", logits((3, 6), F32), targets((3,), 6),
                          w=torch.rand(6) + 0.1, red="sum")

    # The default axis (-1) is the class axis of [N, C].
    tf.nll_of_log_softmax("axis_minus_one_mean_f32", logits((4, 5), F32),
                          targets((4,), 5), axis=-1)

    # Large logits: the fused op and log_softmax both shift by the max.
    big = torch.tensor([[1e4, -1e4, 0.0, 5e3], [-1e4, -1e4, -1e4, -1e4],
                        [1e4, 1e4, -1e4, 1e4]], dtype=F32)
    tf.nll_of_log_softmax("large_logits_none_f32", big, torch.tensor([1, 2, 0]),
                          red="none")

    # [N, C, d1, d2].
    tf.nll_of_log_softmax("k2_weight_mean_f64", logits((2, 3, 2, 3), F64),
                          targets((2, 2, 3), 3), w=torch.rand(3, dtype=F64) + 0.2)
    tf.nll_of_log_softmax("k1_ignore_none_f32", logits((2, 4, 3), F32),
                          torch.tensor([[0, 3, 1], [3, 3, 2]]), ii=3, red="none")

    # Unbatched [C], axis 0 and axis -1.
    tf.nll_of_log_softmax("unbatched_axis0_f32", logits((6,), F32),
                          torch.tensor(4), axis=0)
    tf.nll_of_log_softmax("unbatched_axis_minus_one_weight_f64", logits((6,), F64),
                          torch.tensor(1), axis=-1, w=torch.rand(6, dtype=F64) + 0.1)

    # The log-probabilities have another user: the fused op returns them.
    tf.nll_of_log_softmax("log_prob_user_mean_f32", logits((3, 5), F32),
                          targets((3,), 5), keep_log_prob=True)
    tf.nll_of_log_softmax("log_prob_user_k1_weight_none_f64",
                          logits((2, 3, 2), F64), targets((2, 2), 3),
                          w=torch.rand(3, dtype=F64) + 0.1, red="none",
                          keep_log_prob=True)

    # Narrow types (the fused op accumulates in f32; the unfused programs
    # round the log-probabilities to the narrow type first).
    tf.nll_of_log_softmax("mean_f16", logits((4, 5), F16), targets((4,), 5))
    tf.nll_of_log_softmax("weight_sum_bf16", logits((4, 5), BF16),
                          targets((4,), 5), w=(torch.rand(5) + 0.1).to(BF16),
                          red="sum")

    # Other target widths.
    tf.nll_of_log_softmax("i32_targets_mean_f32", logits((4, 5), F32),
                          targets((4,), 5, torch.int32))
    tf.nll_of_log_softmax("i8_targets_ignore_sum_f64", logits((4, 5), F64),
                          torch.tensor([1, -1, 4, 0], dtype=torch.int8), ii=-1,
                          red="sum")

    # Not over the class axis: never fused, same result either way.
    tf.nll_of_log_softmax("batch_axis_not_fused_mean_f32", logits((4, 4), F32),
                          targets((4,), 4), axis=0)
    tf.nll_of_log_softmax("last_axis_kdim_not_fused_none_f64",
                          logits((2, 3, 3), F64), targets((2, 3), 3), axis=-1,
                          red="none")

    tf.write()


if __name__ == "__main__":
    main()
