//===- LossSoftmaxGradOps.td - Gradients of the softmax family -*- tablegen -*-===//
//
// Gradient ops of log_softmax, nll and softmax_cross_entropy: the forward operands and `grad_output` in,
// torch.autograd's gradients out. Included by LossOps.td.
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_SOFTMAX_GRAD_OPS_TD
#define LOSS_SOFTMAX_GRAD_OPS_TD

def Loss_LogSoftmaxGradOp : Loss_Op<"log_softmax_grad",
    [SameOperandsAndResultType,
     DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface, ["reifyResultShapes"]>]> {
  let summary = "gradient of loss.log_softmax (torch.autograd's values)";
  let description = [{
    `grad_input = grad_output - exp(output) * sum_axis(grad_output)`, from
    the forward's `output` (the log-probabilities), as ATen's
    `_log_softmax_backward_data` takes it: the row statistics are not
    recomputed, and front ends that emit the backward hold the output
    already. `f16`/`bf16` compute in `f32`.

    ```mlir
    %gx = loss.log_softmax_grad %lp, %g {axis = 1 : i64} : tensor<4x10xf32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$output, Loss_FloatTensor:$grad_output,
                       DefaultValuedAttr<Loss_I64Attr, "-1">:$axis);
  let results = (outs Loss_FloatTensor:$grad_input);
  let assemblyFormat = "$output `,` $grad_output attr-dict `:` type($output)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The axis normalised to [0, rank).
    int64_t getNormalizedAxis();
  }];
}

def Loss_NllGradOp : Loss_InferredOp<"nll_grad"> {
  let summary = "gradient of loss.nll (torch.autograd's values)";
  let description = [{
    The operands of `loss.nll` and `grad_output` (target-shaped for `none`,
    0-d otherwise); the result is shaped like `input`:
    `grad_input[n, c, d...] = -w[t] g_n s` where `c = t[n, d...]`, 0 at the
    other classes and everywhere in an ignored row (so an all-ignored `mean`
    gives zeros, as autograd does). `s` is 1, or `1 / sum_{non-ignored}
    w[t_i]` for `mean`. A target outside `[0, C)` that is not `ignore_index`
    (an error in PyTorch) makes its row NaN; nothing is read out of bounds.

    ```mlir
    %gx = loss.nll_grad %lp, %t, %g
        : (tensor<4x10xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x10xf32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_IntTensor:$target,
                       Optional<Loss_FloatTensor>:$weight,
                       Loss_FloatTensor:$grad_output,
                       DefaultValuedAttr<Loss_I64Attr, "-100">:$ignore_index,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$grad_input);
  let assemblyFormat = [{
    $input `,` $target (`weight` `(` $weight^ `)`)? `,` $grad_output attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loss_SoftmaxCrossEntropyGradOp : Loss_InferredOp<"softmax_cross_entropy_grad"> {
  let summary = "gradient of loss.softmax_cross_entropy, optionally with the loss";
  let description = [{
    The operands and attributes of `loss.softmax_cross_entropy` and
    `grad_output` (shaped like the loss: per sample for `none`, 0-d
    otherwise). With `p = softmax(logits)` over the class axis, `g` the
    sample's `grad_output`, `e = label_smoothing`, `C` classes:

    * class targets: `g s ((1-e) w_t (p - onehot(t)) + (e/C)(p sum_c w_c - w))`,
      0 in ignored rows (an all-ignored `mean` gives zeros, as autograd
      does); `s` is 1, or `1 / sum_{non-ignored} w[t_i]` for `mean`.
    * probability targets: `g s (p sum_c w_c y'_c - w y')` with
      `y' = (1-e) y + e/C`; `s` is 1, or `C / numel` for `mean`.

    The optional second result is the forward's loss itself: with it, the op
    is cross entropy's forward and backward in one, which the lowering
    computes from one pass of row statistics over the logits (running max,
    sum of exponentials, target logit) and one pass that writes the
    gradient, with no other tensor shaped like the logits.
    `loss-fuse-cross-entropy-grad` forms it from a forward op and a gradient
    op on the same operands, and from the `log_softmax_grad(nll_grad(...))`
    chains front ends emit.

    ```mlir
    %gx, %l = loss.softmax_cross_entropy_grad %x, %t, %g
        : (tensor<4x10xf32>, tensor<4xi64>, tensor<f32>)
        -> (tensor<4x10xf32>, tensor<f32>)
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$logits, Loss_IntOrFloatTensor:$target,
                       Optional<Loss_FloatTensor>:$weight,
                       Loss_FloatTensor:$grad_output,
                       DefaultValuedAttr<Loss_I64Attr, "-100">:$ignore_index,
                       Loss_DefaultReduction:$reduction,
                       DefaultValuedAttr<ConfinedAttr<F64Attr, [Loss_UnitF64]>, "0.0">:$label_smoothing);
  let results = (outs Loss_FloatTensor:$grad_logits,
                      Optional<Loss_FloatTensor>:$loss);
  let assemblyFormat = [{
    $logits `,` $target (`weight` `(` $weight^ `)`)? `,` $grad_output
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let builders = [
    // The inferred gradient, and the loss with `withLoss`; the builders
    // without result types leave the loss out.
    OpBuilder<(ins "::mlir::Value":$logits, "::mlir::Value":$target,
                   "::mlir::Value":$weight, "::mlir::Value":$grad_output,
                   "int64_t":$ignore_index,
                   "::mlir::loss::Reduction":$reduction,
                   "::llvm::APFloat":$label_smoothing, "bool":$withLoss)>
  ];
  let extraClassDeclaration = [{
    /// The inferred gradient type, and the loss type when `returnTypes` has
    /// a loss result (inference alone cannot tell).
    static ::llvm::LogicalResult refineReturnTypes(
        ::mlir::MLIRContext *context, ::std::optional<::mlir::Location> location,
        ::mlir::ValueRange operands, ::mlir::DictionaryAttr attributes,
        ::mlir::OpaqueProperties properties, ::mlir::RegionRange regions,
        ::llvm::SmallVectorImpl<::mlir::Type> &returnTypes);
    /// True when `target` holds class probabilities rather than indices.
    bool hasProbabilityTarget() {
      return ::llvm::isa<::mlir::FloatType>(getTarget().getType().getElementType());
    }
  }];
}

#endif // LOSS_SOFTMAX_GRAD_OPS_TD
