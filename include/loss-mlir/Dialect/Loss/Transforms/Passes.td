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

def LossFuseLinearCrossEntropy : Pass<"loss-fuse-linear-cross-entropy"> {
  let summary = "Fuse a linear layer feeding cross entropy into linear_cross_entropy";
  let description = [{
    Rewrites `loss.softmax_cross_entropy(logits, target)` with class targets
    (and no used `log_prob` result) whose `[N, V]` logits are
    `hidden [N, H] @ weight [V, H]^T`, optionally plus a bias `[V]` over the
    rows, into `loss.linear_cross_entropy(hidden, weight, target, bias)`
    with the cross entropy's class weight, `ignore_index`,
    `label_smoothing` and `reduction`, so that the logits are never stored.

    The product is recognised as `linalg.matmul` with transposed-B indexing
    maps, `linalg.matmul` of `hidden` and `linalg.transpose(weight)`
    (permutation `[1, 0]`), or the equivalent `linalg.generic` contraction
    (`out + a * b`); its init must be a `linalg.fill` of zero. The bias is
    `linalg.add` (or an elementwise `linalg.generic` add) of the product and
    `linalg.broadcast(bias)` over rows, or a `linalg.generic` adding an
    operand indexed by the vocabulary dimension alone. Every intermediate
    (product, broadcast, sum) must have no other use, and all element types
    must agree; anything else is left alone.
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
    * A gradient whose logits are the `log_prob` result of a cross entropy
      of `x` (ONNX Runtime's training graphs feed the forward's log-softmax
      to `SoftmaxCrossEntropyLossGrad`) reads `x` instead, since
      `softmax(log_prob) = softmax(x)`; the pair then fuses as above.

    Run after `loss-fuse-log-softmax-nll`, which turns the forward
    `nll(log_softmax(x))` into `softmax_cross_entropy(x)`.
  }];
  let dependentDialects = ["::mlir::loss::LossDialect"];
}

def LossGenerateGradients : Pass<"loss-generate-gradients", "::mlir::ModuleOp"> {
  let summary = "Add value-and-grad functions: the loss and its gradients";
  let description = [{
    For each chosen function `@f` (by default, every public function whose
    first result is a float tensor, other than value-and-grad ones), adds
    `@f_value_and_grad` with the same arguments, returning `@f`'s results
    followed by the gradient of its first result with respect to each chosen
    argument (reverse mode: the forward ops are cloned, then each op's
    gradient op is applied to the adjoint of its results, from the last op
    to the first; a non-scalar first result is seeded with ones, i.e. the
    gradient of its sum).

    Differentiated: every loss op through its `loss.<name>_grad` op (the
    operands that op differentiates: logits, inputs, `target` where
    torch.autograd gives it, `log_probs` of ctc), `loss.log_softmax`, the
    `log_prob` result of `softmax_cross_entropy`, and elementwise
    `arith.addf`/`subf`/`mulf`/`divf`/`negf` on float tensors (weighted sums
    of losses). Values that no chosen argument reaches are constants.
    Anything else on the way from a chosen argument to the loss, or an
    argument that reaches it only through an operand without a gradient
    (a class weight, a probability target), is an error at that op.

    A declaration `func.func private @f_value_and_grad(...)` already in the
    module (so that callers can be written before the pass runs) is
    replaced by the definition.

    `wrt` chooses arguments by index or by `onnx.name`; by default, every
    float-tensor argument that reaches the loss through differentiable
    operands. The gradients' results carry `onnx.name = "grad_<name>"`.
    With the pipelines' fusion, the forward and gradient of cross entropy
    in the generated function become one op.
  }];
  let options = [
    ListOption<"functions", "functions", "std::string",
               "Functions to differentiate (default: every public one "
               "that returns a loss)">,
    ListOption<"wrt", "wrt", "std::string",
               "Arguments to differentiate with respect to, by index or "
               "onnx.name (default: every float argument the loss depends "
               "on through differentiable operands)">,
  ];
  let dependentDialects = ["::mlir::loss::LossDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // LOSS_TRANSFORMS_PASSES_TD
