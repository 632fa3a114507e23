//===- LossLinearCrossEntropyOps.td - Fused linear + cross entropy -*- tablegen -*-===//
//
// The loss of a language model from its hidden states and classifier
// weight: cross entropy of `hidden @ weight^T + bias` without the logits as
// an operand, so that lowerings can make them in tiles and never store all
// of them. Included by LossOps.td.
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_LINEAR_CROSS_ENTROPY_OPS_TD
#define LOSS_LINEAR_CROSS_ENTROPY_OPS_TD

def Loss_LinearCrossEntropyOp : Loss_InferredOp<"linear_cross_entropy",
    [AttrSizedOperandSegments]> {
  let summary = "cross entropy of a linear layer's output, without its logits";
  let description = [{
    `hidden` is `[N, H]`, `weight` (the classifier) `[V, H]`, the optional
    `bias` `[V]`, `target` `[N]` class indices (any signless integer), the
    optional `class_weight` `[V]` (PyTorch's `weight` of
    `CrossEntropyLoss`). The value is PyTorch's

        F.cross_entropy(hidden @ weight.T + bias, target, weight=class_weight,
                        ignore_index=ignore_index, reduction=reduction,
                        label_smoothing=label_smoothing)

    that is `loss.softmax_cross_entropy` of the logits `[N, V]` with class
    targets, and the same corner cases: ignored targets contribute 0 (and
    nothing to a `mean`'s denominator), every target ignored gives NaN for
    `mean`, a target outside `[0, V)` that is not `ignore_index` gives NaN
    without any out-of-bounds read.

    The logits are not an operand so that they need not exist: the linalg
    lowering makes them in tiles of rows by vocabulary entries, each folded
    into per-row online-softmax statistics (running max, sum of
    exponentials, target logit, label-smoothing sums) before the next, so
    no tensor of N x V is ever allocated.

    `none` returns `[N]`. Defaults: `ignore_index = -100`,
    `reduction = mean`, `label_smoothing = 0.0` (must lie in `[0, 1]`).
    `f16`/`bf16` compute their logits and statistics in `f32`.

    ```mlir
    %l = loss.linear_cross_entropy %h, %w, %t bias(%b) {label_smoothing = 1.000000e-01 : f64}
        : (tensor<4096x1024xf32>, tensor<32000x1024xf32>, tensor<4096xi64>, tensor<32000xf32>)
        -> tensor<f32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$hidden, Loss_FloatTensor:$weight,
                       Loss_IntTensor:$target,
                       Optional<Loss_FloatTensor>:$bias,
                       Optional<Loss_FloatTensor>:$class_weight,
                       DefaultValuedAttr<Loss_I64Attr, "-100">:$ignore_index,
                       Loss_DefaultReduction:$reduction,
                       DefaultValuedAttr<ConfinedAttr<F64Attr, [Loss_UnitF64]>, "0.0">:$label_smoothing);
  let results = (outs Loss_FloatTensor:$result);
  let assemblyFormat = [{
    $hidden `,` $weight `,` $target (`bias` `(` $bias^ `)`)?
    (`class_weight` `(` $class_weight^ `)`)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loss_LinearCrossEntropyGradOp : Loss_InferredOp<"linear_cross_entropy_grad",
    [AttrSizedOperandSegments]> {
  let summary = "gradient of loss.linear_cross_entropy (torch.autograd's values)";
  let description = [{
    The operands and attributes of `loss.linear_cross_entropy`, then
    `grad_output` (`[N]` for `none`, 0-d otherwise). The results are the
    gradients autograd gives `hidden`, `weight` and, when there is one,
    `bias`, each of its operand's type:

        dlogits = softmax_cross_entropy_grad(hidden @ weight.T + bias, ...)
        grad_hidden = dlogits @ weight
        grad_weight = dlogits^T @ hidden
        grad_bias   = sum over rows of dlogits

    with `dlogits` as `loss.softmax_cross_entropy_grad` has it (0 in ignored
    rows, so an all-ignored `mean` gives zeros; NaN in a row whose target is
    outside `[0, V)`). The class weight has no gradient.

    As for the forward, the logits are never stored: the lowering makes the
    row statistics in tiles, then makes each tile of logits again to form
    its tile of `dlogits` and add its products to the gradients.

    ```mlir
    %gh, %gw, %gb = loss.linear_cross_entropy_grad %h, %w, %t bias(%b), %g
        : (tensor<8x64xf32>, tensor<1000x64xf32>, tensor<8xi64>, tensor<1000xf32>, tensor<f32>)
        -> (tensor<8x64xf32>, tensor<1000x64xf32>, tensor<1000xf32>)
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$hidden, Loss_FloatTensor:$weight,
                       Loss_IntTensor:$target,
                       Optional<Loss_FloatTensor>:$bias,
                       Optional<Loss_FloatTensor>:$class_weight,
                       Loss_FloatTensor:$grad_output,
                       DefaultValuedAttr<Loss_I64Attr, "-100">:$ignore_index,
                       Loss_DefaultReduction:$reduction,
                       DefaultValuedAttr<ConfinedAttr<F64Attr, [Loss_UnitF64]>, "0.0">:$label_smoothing);
  let results = (outs Loss_FloatTensor:$grad_hidden,
                      Loss_FloatTensor:$grad_weight,
                      Optional<Loss_FloatTensor>:$grad_bias);
  let assemblyFormat = [{
    $hidden `,` $weight `,` $target (`bias` `(` $bias^ `)`)?
    (`class_weight` `(` $class_weight^ `)`)? `,` $grad_output attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // LOSS_LINEAR_CROSS_ENTROPY_OPS_TD
