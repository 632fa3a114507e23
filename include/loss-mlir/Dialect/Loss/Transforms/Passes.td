//===- Passes.td - Loss dialect transformation passes ------*- tablegen -*-===//
#ifndef LOSS_TRANSFORMS_PASSES_TD
#define LOSS_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def LossFuseLogSoftmaxNll : Pass<"loss-fuse-log-softmax-nll"> {
  let summary = "Fuse log_softmax (or log of softmax) + nll into softmax_cross_entropy";
  let description = [{
    Rewrites `loss.nll(loss.log_softmax(x, axis = 1))` into
    `loss.softmax_cross_entropy(x)` with the nll's weight, `ignore_index` and
    `reduction`. The same holds for `nll(log(softmax(x)))` as front ends emit
    it (upstream `linalg.softmax` followed by an elementwise `math.log`, on
    tensors or as a `linalg.generic`). When the log-probabilities have other
    users, the fused op also produces its `log_prob` result and those users
    take it, so the logits are still normalised only once.

    Only the class axis fuses (axis 1, or 0 for an unbatched `[C]` input);
    everything else is left alone.
  }];
  let dependentDialects = ["::mlir::loss::LossDialect"];
}

def LossSerializeNestedParallel : Pass<"loss-serialize-nested-parallel"> {
  let summary = "Turn scf.parallel loops nested in other loops into scf.for";
  let description = [{
    Lowering linalg to parallel loops nests an `scf.parallel` for every
    parallel dimension that follows a reduction one, e.g. the lanes of a
    streaming row reduction inside its sequential class loop. Only the
    outermost parallel loop should become threads; inner ones would fork a
    thread team per iteration of the enclosing loop. This pass rewrites every
    `scf.parallel` without reductions that is nested in another loop into a
    nest of `scf.for` loops, which LLVM then vectorizes.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

def LossApproximateMath : Pass<"loss-approximate-math"> {
  let summary = "Replace f32 math.exp by a vectorizable polynomial approximation";
  let description = [{
    `math.exp` on `f32` (scalars or vectors) lowers to a call into libm,
    which keeps the streaming softmax loop scalar. This pass rewrites it into
    upstream's polynomial approximation (range reduction plus a polynomial,
    accurate to a few ulp), plain arithmetic that LLVM vectorizes. `f64`
    keeps libm.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect",
  ];
}

#endif // LOSS_TRANSFORMS_PASSES_TD
