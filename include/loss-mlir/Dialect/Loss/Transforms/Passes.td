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

def LossFuseCrossEntropyGrad : Pass<"loss-fuse-cross-entropy-grad"> {
  let summary = "Fuse cross entropy's forward and backward into one op";
  let description = [{
    Two rewrites that leave one `loss.softmax_cross_entropy_grad` computing
    the loss and `dlogits` from one pass of row statistics:

    * `log_softmax_grad(y, nll_grad(y, t, g))` with `y = log_softmax(x)`
      over the class axis (the chain front ends emit for the backward of
      `nll(log_softmax(x))`) becomes `softmax_cross_entropy_grad(x, t, g)`
      with the nll's weight, `ignore_index` and `reduction`: the
      log-probabilities and the one-hot gradient are never materialised.
    * A `softmax_cross_entropy` and a `softmax_cross_entropy_grad` on the
      same logits, target, weight and attributes (the forward's `log_prob`
      unused) become one `softmax_cross_entropy_grad` that also returns the
      loss. It is placed at the earlier of the two, so every operand of the
      later one must already be available there; otherwise nothing changes.

    Run after `loss-fuse-log-softmax-nll`, which turns the forward
    `nll(log_softmax(x))` into `softmax_cross_entropy(x)`.
  }];
  let dependentDialects = ["::mlir::loss::LossDialect"];
}

#endif // LOSS_TRANSFORMS_PASSES_TD
