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

#endif // LOSS_TRANSFORMS_PASSES_TD
