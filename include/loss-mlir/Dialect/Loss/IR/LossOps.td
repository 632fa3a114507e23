//===- LossOps.td - Loss dialect ops -----------------------*- tablegen -*-===//
//
// One op per loss of torch.nn, with PyTorch 1.13's keyword names and
// defaults. Formulas use `x` input, `t` target, `w` weight, `C` classes.
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_OPS_TD
#define LOSS_OPS_TD

include "loss-mlir/Dialect/Loss/IR/LossDialect.td"

// Most losses take two same-shaped operands and only attributes beyond that.
defvar Loss_BinaryFormat = [{
  $input `,` $target attr-dict `:` functional-type(operands, results)
}];

//===----------------------------------------------------------------------===//
// Softmax family
//===----------------------------------------------------------------------===//

def Loss_LogSoftmaxOp : Loss_Op<"log_softmax", [SameOperandsAndResultType,
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface, ["reifyResultShapes"]>]> {
  let summary = "log of the softmax along one axis (F.log_softmax)";
  let description = [{
    `log_softmax(x)_c = x_c - m - log(sum_j exp(x_j - m))`, `m = max_j x_j`,
    along `axis` (negative values count from the back; default -1). The
    input has rank >= 1; the result has its type.

    ```mlir
    %lp = loss.log_softmax %x {axis = 1 : i64} : tensor<4x10xf32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input,
                       DefaultValuedAttr<Loss_I64Attr, "-1">:$axis);
  let results = (outs Loss_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The axis normalised to [0, rank).
    int64_t getNormalizedAxis();
  }];
}

def Loss_NllOp : Loss_InferredOp<"nll"> {
  let summary = "negative log likelihood (NLLLoss)";
  let description = [{
    `input` is `[N, C, d1..dk]` (or `[C]` unbatched) of log-probabilities,
    `target` is `[N, d1..dk]` (or `[]`) of class indices.

    `l = 0` where `t == ignore_index`, else `-w[t] * x[n, t, d...]`.
    `mean = sum(l) / sum_{t != ignore_index} w[t]` (NaN when every target is
    ignored), `sum` adds, `none` returns the target-shaped loss.

    A target outside `[0, C)` that is not `ignore_index` is an error in
    PyTorch. Compiled code never reads outside its buffers: such a target
    contributes NaN to its element (and so to `sum`/`mean`).

    `weight` is `[C]`. Defaults: `ignore_index = -100`, `reduction = mean`.

    ```mlir
    %l = loss.nll %lp, %t weight(%w) {ignore_index = 0 : i64}
        : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_IntTensor:$target,
                       Optional<Loss_FloatTensor>:$weight,
                       DefaultValuedAttr<Loss_I64Attr, "-100">:$ignore_index,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $target (`weight` `(` $weight^ `)`)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loss_SoftmaxCrossEntropyOp : Loss_InferredOp<"softmax_cross_entropy"> {
  let summary = "cross entropy of logits (CrossEntropyLoss)";
  let description = [{
    `logits` is `[N, C, d1..dk]` (or `[C]`). `target` is either class indices
    (integer, shaped `[N, d1..dk]` or `[]`) or class probabilities (float,
    shaped like `logits`). With `logp` the log-softmax of the logits over the
    class axis (1, or 0 for `[C]`) and `e = label_smoothing`:

    * class targets: `(1-e) * nll(logp) + (e/C) * red(s)` with
      `s_i = -sum_c w_c * logp[i, c]` (0 where ignored); `red` for `mean`
      divides by `sum_{non-ignored} w[t_i]`.
    * probability targets (`ignore_index` must be negative):
      `y' = (1-e) * y + e/C`, `l_i = -sum_c w_c * y'_{i,c} * logp_{i,c}`;
      `mean` divides by `numel / C`.

    `none` returns one loss per sample (`[N, d1..dk]`, or `[]`). The
    optional second result is `logp` itself (as ONNX's
    SoftmaxCrossEntropyLoss); canonicalization drops it when it is unused.
    Out-of-range class targets behave as in `loss.nll`: never an
    out-of-bounds read, NaN in the loss.

    `weight` is `[C]`. Defaults: `ignore_index = -100`, `reduction = mean`,
    `label_smoothing = 0.0` (must lie in `[0, 1]`).

    ```mlir
    %l = loss.softmax_cross_entropy %x, %t {label_smoothing = 1.000000e-01 : f64}
        : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$logits, Loss_IntOrFloatTensor:$target,
                       Optional<Loss_FloatTensor>:$weight,
                       DefaultValuedAttr<Loss_I64Attr, "-100">:$ignore_index,
                       Loss_DefaultReduction:$reduction,
                       DefaultValuedAttr<ConfinedAttr<F64Attr, [Loss_UnitF64]>, "0.0">:$label_smoothing);
  let results = (outs Loss_FloatTensor:$result,
                      Optional<Loss_FloatTensor>:$log_prob);
  let assemblyFormat = [{
    $logits `,` $target (`weight` `(` $weight^ `)`)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  // Drops an unused `log_prob` result.
  let hasCanonicalizer = 1;
  let builders = [
    // The inferred loss, and `log_prob` (of the logits type) with
    // `withLogProb`; the builders without result types leave it out.
    OpBuilder<(ins "::mlir::Value":$logits, "::mlir::Value":$target,
                   "::mlir::Value":$weight, "int64_t":$ignore_index,
                   "::mlir::loss::Reduction":$reduction,
                   "::llvm::APFloat":$label_smoothing, "bool":$withLogProb)>
  ];
  let extraClassDeclaration = [{
    /// The inferred loss type, and the logits type for a `log_prob` result
    /// when `returnTypes` has one (inference alone cannot tell).
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

//===----------------------------------------------------------------------===//
// CTC
//===----------------------------------------------------------------------===//

def Loss_CtcOp : Loss_InferredOp<"ctc"> {
  let summary = "connectionist temporal classification (CTCLoss)";
  let description = [{
    `log_probs` is `[T, N, C]` (or `[T, C]` unbatched); `targets` is padded
    `[N, S]` or the concatenation of all targets (1-D, split by
    `target_lengths`); `input_lengths` and `target_lengths` are `[N]` (`[]` or
    `[1]` unbatched).

    Over the extended labels `l' = blank, l1, blank, ..., blank`:
    `a_0(0) = lp[0, blank]`, `a_0(1) = lp[0, l1]`,
    `a_t(s) = lp[t, l'_s] + logsumexp(a_{t-1}(s), a_{t-1}(s-1), a_{t-1}(s-2))`
    (the last only between different non-blank labels). The per-sample loss is
    `-logsumexp(a_{T_n-1}(2S_n), a_{T_n-1}(2S_n-1))`, `+inf` when no alignment
    fits (0 with `zero_infinity`). `mean` averages `loss_n / max(S_n, 1)`.

    At run time lengths are clamped into their buffers (an input length to
    `[0, T]`, a target length to `[0, S]` or to what the concatenated buffer
    holds), so compiled code never reads out of bounds. A sample with a label
    outside `[0, C)` gets a NaN loss. An input length of 0 gives 0 for an
    empty target and `+inf` otherwise (PyTorch 1.13 leaves it undefined).

    `none` returns `[N]` (`[]` unbatched). Defaults: `blank = 0` (must lie
    in `[0, C)`), `reduction = mean`, `zero_infinity = false`.

    ```mlir
    %l = loss.ctc %lp, %tg, %il, %tl {blank = 0 : i64}
        : (tensor<50x4x20xf32>, tensor<4x10xi64>, tensor<4xi64>, tensor<4xi64>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$log_probs, Loss_IntTensor:$targets,
                       Loss_IntTensor:$input_lengths,
                       Loss_IntTensor:$target_lengths,
                       DefaultValuedAttr<ConfinedAttr<Loss_I64Attr, [IntNonNegative]>, "0">:$blank,
                       Loss_DefaultReduction:$reduction,
                       DefaultValuedAttr<BoolAttr, "false">:$zero_infinity);
  let results = (outs Loss_FloatTensor:$result);
  let assemblyFormat = [{
    $log_probs `,` $targets `,` $input_lengths `,` $target_lengths attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Binary classification
//===----------------------------------------------------------------------===//

def Loss_BceOp : Loss_InferredOp<"bce"> {
  let summary = "binary cross entropy of probabilities (BCELoss)";
  let description = [{
    `l = -w * (t * max(log x, -100) + (1 - t) * max(log(1 - x), -100))`;
    `target` has the input's shape and `weight` broadcasts to it. Inputs
    outside [0, 1] are an error in PyTorch; compiled code yields NaN for them.
    Default: `reduction = mean` (over every element).

    ```mlir
    %l = loss.bce %p, %t : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_FloatTensor:$target,
                       Optional<Loss_FloatTensor>:$weight,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $target (`weight` `(` $weight^ `)`)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loss_BceWithLogitsOp : Loss_InferredOp<"bce_with_logits", [AttrSizedOperandSegments]> {
  let summary = "binary cross entropy of logits (BCEWithLogitsLoss)";
  let description = [{
    `l = w * ((1 - t) * x + (1 + (pw - 1) * t) * (log1p(exp(-|x|)) + max(-x, 0)))`
    where `pw` is `pos_weight` (typically `[C]`, broadcast over the last
    dimension) and `w` is `weight`; both broadcast to the input's shape, and
    `target` has it. Default: `reduction = mean` (over every element).

    ```mlir
    %l = loss.bce_with_logits %x, %t pos_weight(%pw) {reduction = #loss.reduction<sum>}
        : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_FloatTensor:$target,
                       Optional<Loss_FloatTensor>:$weight,
                       Optional<Loss_FloatTensor>:$pos_weight,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $target (`weight` `(` $weight^ `)`)?
    (`pos_weight` `(` $pos_weight^ `)`)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Regression
//===----------------------------------------------------------------------===//

def Loss_L1Op : Loss_InferredOp<"l1"> {
  let summary = "mean absolute error (L1Loss)";
  let description = [{
    `l = |x - t|`. Default: `reduction = mean` (over every element).

    Accepted operands (PyTorch 1.13): `input` and `target` broadcast
    together (NumPy rules, trailing dimensions aligned; PyTorch only warns
    when their shapes differ) and `none` returns the broadcast shape; `mean`
    divides by its number of elements. A dynamic dimension never broadcasts:
    it must equal the other operand's at run time (checked). `target` has
    the input's float type or is an integer, promoted to it (not `i1`: PyTorch rejects boolean targets here).

    ```mlir
    %l = loss.l1 %x, %t : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_IntOrFloatTensor:$target,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$result);
  let assemblyFormat = Loss_BinaryFormat;
  let hasVerifier = 1;
}

def Loss_MseOp : Loss_InferredOp<"mse"> {
  let summary = "mean squared error (MSELoss)";
  let description = [{
    `l = (x - t)^2`. Default: `reduction = mean` (over every element).

    Accepted operands (PyTorch 1.13): `input` and `target` broadcast
    together (NumPy rules, trailing dimensions aligned; PyTorch only warns
    when their shapes differ) and `none` returns the broadcast shape; `mean`
    divides by its number of elements. A dynamic dimension never broadcasts:
    it must equal the other operand's at run time (checked). `target` has
    the input's float type or is an integer, promoted to it (`i1` as 0/1).

    ```mlir
    %l = loss.mse %x, %t {reduction = #loss.reduction<none>}
        : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_IntOrFloatTensor:$target,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$result);
  let assemblyFormat = Loss_BinaryFormat;
  let hasVerifier = 1;
}

def Loss_SmoothL1Op : Loss_InferredOp<"smooth_l1"> {
  let summary = "smooth L1 (SmoothL1Loss)";
  let description = [{
    `z = |x - t|`; `l = 0.5 z^2 / beta` if `z < beta`, else `z - 0.5 beta`.
    `beta = 0` gives plain L1. Defaults: `beta = 1.0` (must be
    non-negative), `reduction = mean` (over every element).

    Accepted operands (PyTorch 1.13): `input` and `target` broadcast
    together (NumPy rules, trailing dimensions aligned; PyTorch only warns
    when their shapes differ) and `none` returns the broadcast shape; `mean`
    divides by its number of elements. A dynamic dimension never broadcasts:
    it must equal the other operand's at run time (checked). `target` has
    the input's float type or is an integer, promoted to it (`i1` as 0/1).

    ```mlir
    %l = loss.smooth_l1 %x, %t {beta = 5.000000e-01 : f64}
        : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_IntOrFloatTensor:$target,
                       Loss_DefaultReduction:$reduction,
                       Loss_NonNegativeF64Attr<"1.0">:$beta);
  let results = (outs Loss_FloatTensor:$result);
  let assemblyFormat = Loss_BinaryFormat;
  let hasVerifier = 1;
}

def Loss_HuberOp : Loss_InferredOp<"huber"> {
  let summary = "Huber loss (HuberLoss)";
  let description = [{
    `z = |x - t|`; `l = 0.5 z^2` if `z < delta`, else `delta (z - 0.5 delta)`.
    Defaults: `delta = 1.0` (must be positive), `reduction = mean` (over
    every element).

    Accepted operands (PyTorch 1.13): `input` and `target` broadcast
    together (NumPy rules, trailing dimensions aligned; PyTorch only warns
    when their shapes differ) and `none` returns the broadcast shape; `mean`
    divides by its number of elements. A dynamic dimension never broadcasts:
    it must equal the other operand's at run time (checked). `target` has
    the input's float type or is an integer, promoted to it (`i1` as 0/1).

    ```mlir
    %l = loss.huber %x, %t {delta = 2.000000e+00 : f64}
        : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_IntOrFloatTensor:$target,
                       Loss_DefaultReduction:$reduction,
                       Loss_PositiveF64Attr<"1.0">:$delta);
  let results = (outs Loss_FloatTensor:$result);
  let assemblyFormat = Loss_BinaryFormat;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Gradients of the regression losses
//===----------------------------------------------------------------------===//

// The gradient of a loss with respect to its input and its target, given the
// gradient of the loss result (`grad_output`: shaped like the `none` result,
// or 0-d for `sum`/`mean`), as ATen's `*_backward` ops take it.
class Loss_RegressionGradOp<string mnemonic, string loss>
    : Loss_InferredOp<mnemonic> {
  let summary = "gradient of loss." # loss # " (torch.autograd's values)";
  let arguments = (ins Loss_FloatTensor:$input, Loss_FloatTensor:$target,
                       Loss_FloatTensor:$grad_output,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$grad_input,
                      Loss_FloatTensor:$grad_target);
  let assemblyFormat = [{
    $input `,` $target `,` $grad_output attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  string commonDescription = [{

    Operands: `input` and `target` of one shape and float type (the
    broadcasting forms of the forward op are not taken yet: expand the
    operands first), and `grad_output` of that shape for `none`, 0-d for
    `sum` and `mean` (which divides by the number of elements). Results:
    `grad_input` and `grad_target`, shaped like `input`; as in ATen, the
    target's gradient is the same backward with input and target swapped
    (`-grad_input` except at a kink).
    `f16`/`bf16` compute in `f32`.
  }];
}

def Loss_L1GradOp : Loss_RegressionGradOp<"l1_grad", "l1"> {
  let description = [{
    `d l / d x = sign(x - t) g`, with `sign(0) = 0` as autograd's `abs`
    backward gives.

    ```mlir
    %gx, %gt = loss.l1_grad %x, %t, %g
        : (tensor<8xf32>, tensor<8xf32>, tensor<f32>) -> (tensor<8xf32>, tensor<8xf32>)
    ```
  }] # commonDescription;
}

def Loss_MseGradOp : Loss_RegressionGradOp<"mse_grad", "mse"> {
  let description = [{
    `d l / d x = 2 (x - t) g`.

    ```mlir
    %gx, %gt = loss.mse_grad %x, %t, %g {reduction = #loss.reduction<none>}
        : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>)
    ```
  }] # commonDescription;
}

def Loss_SmoothL1GradOp : Loss_RegressionGradOp<"smooth_l1_grad", "smooth_l1"> {
  let description = [{
    With `z = x - t`, as ATen's `smooth_l1_backward`: `d l / d x = -1` for
    `z <= -beta`, `1` for `z >= beta`, else `z / beta`, times `g` (so with
    `beta = 0` the gradient at `z = 0` is -1).
  }] # commonDescription;
  let arguments = (ins Loss_FloatTensor:$input, Loss_FloatTensor:$target,
                       Loss_FloatTensor:$grad_output,
                       Loss_DefaultReduction:$reduction,
                       Loss_NonNegativeF64Attr<"1.0">:$beta);
}

def Loss_HuberGradOp : Loss_RegressionGradOp<"huber_grad", "huber"> {
  let description = [{
    With `z = x - t`, as ATen's `huber_backward`: `d l / d x = -delta` for
    `z <= -delta`, `delta` for `z >= delta`, else `z`, times `g`.
  }] # commonDescription;
  let arguments = (ins Loss_FloatTensor:$input, Loss_FloatTensor:$target,
                       Loss_FloatTensor:$grad_output,
                       Loss_DefaultReduction:$reduction,
                       Loss_PositiveF64Attr<"1.0">:$delta);
}

//===----------------------------------------------------------------------===//
// Distributions
//===----------------------------------------------------------------------===//

def Loss_PoissonNllOp : Loss_InferredOp<"poisson_nll"> {
  let summary = "Poisson negative log likelihood (PoissonNLLLoss)";
  let description = [{
    `log_input`: `l = exp(x) - t * x`; otherwise `l = x - t * log(x + eps)`.
    `full` adds the Stirling term `t log t - t + 0.5 log(2 pi t)` where `t > 1`.
    Defaults: `log_input = true`, `full = false`, `eps = 1e-8` (must be
    non-negative), `reduction = mean` (over every element).

    Accepted operands (PyTorch 1.13): `input` and `target` broadcast
    together (NumPy rules, trailing dimensions aligned; PyTorch only warns
    when their shapes differ) and `none` returns the broadcast shape; `mean`
    divides by its number of elements. A dynamic dimension never broadcasts:
    it must equal the other operand's at run time (checked). `target` has
    the input's float type or is an integer, promoted to it (`i1` as 0/1).

    ```mlir
    %l = loss.poisson_nll %x, %t {full = true, log_input = false}
        : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_IntOrFloatTensor:$target,
                       DefaultValuedAttr<BoolAttr, "true">:$log_input,
                       DefaultValuedAttr<BoolAttr, "false">:$full,
                       Loss_NonNegativeF64Attr<"1e-8">:$eps,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$result);
  let assemblyFormat = Loss_BinaryFormat;
  let hasVerifier = 1;
}

def Loss_GaussianNllOp : Loss_InferredOp<"gaussian_nll"> {
  let summary = "Gaussian negative log likelihood (GaussianNLLLoss)";
  let description = [{
    `v = max(var, eps)`, `l = 0.5 (log v + (x - t)^2 / v)`, plus
    `0.5 log(2 pi)` with `full`. `var` is shaped like the input, or like it
    with the last dimension dropped (read as 1) or set to 1 (one variance
    per sample). `input` and `target` broadcast together, and with `var`;
    `none` returns the broadcast shape and `mean` divides by its number of
    elements. `target` has the input's float type or is a (non-`i1`)
    integer, promoted. Defaults: `full = false`, `eps = 1e-6` (must be
    non-negative), `reduction = mean`.

    ```mlir
    %l = loss.gaussian_nll %x, %t, %v
        : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_IntOrFloatTensor:$target,
                       Loss_FloatTensor:$var,
                       DefaultValuedAttr<BoolAttr, "false">:$full,
                       Loss_NonNegativeF64Attr<"1e-6">:$eps,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $target `,` $var attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loss_KlDivOp : Loss_InferredOp<"kl_div"> {
  let summary = "Kullback-Leibler divergence (KLDivLoss)";
  let description = [{
    `input` holds log-probabilities. Without `log_target`:
    `l = xlogy(t, t) - t * x` (a zero target contributes 0); with it:
    `l = exp(t) * (t - x)`. `batchmean` divides the sum by the first
    dimension (by 1 for a 0-d input); `mean` divides by every element.
    Defaults: `reduction = mean`, `log_target = false`. PyTorch's
    `batchmean` is the mathematically correct KL divergence.

    `input` and `target` broadcast together (both float, of one type:
    PyTorch rejects integer operands); `none` returns the broadcast shape,
    `mean` divides by its number of elements, and `batchmean` divides the
    sum by the first dimension of `input` (PyTorch's divisor, even where the
    target adds leading dimensions).

    ```mlir
    %l = loss.kl_div %x, %t {reduction = #loss.reduction<batchmean>}
        : (tensor<4x5xf32>, tensor<4x5xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_FloatTensor:$target,
                       Loss_KlDivReduction:$reduction,
                       DefaultValuedAttr<BoolAttr, "false">:$log_target);
  let results = (outs Loss_FloatTensor:$result);
  let assemblyFormat = Loss_BinaryFormat;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Margin and embedding
//===----------------------------------------------------------------------===//

def Loss_MarginRankingOp : Loss_InferredOp<"margin_ranking"> {
  let summary = "margin ranking (MarginRankingLoss)";
  let description = [{
    `l = max(0, -t * (x1 - x2) + margin)`. `input1`, `input2` and
    `target` have one rank (PyTorch checks it) and broadcast together;
    `none` returns the broadcast shape. `target` has the inputs' float type
    or is a (non-`i1`) integer, promoted. Defaults: `margin = 0.0`,
    `reduction = mean` (over every element).

    ```mlir
    %l = loss.margin_ranking %a, %b, %t {margin = 5.000000e-01 : f64}
        : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input1, Loss_FloatTensor:$input2,
                       Loss_IntOrFloatTensor:$target,
                       DefaultValuedAttr<F64Attr, "0.0">:$margin,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$result);
  let assemblyFormat = [{
    $input1 `,` $input2 `,` $target attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loss_HingeEmbeddingOp : Loss_InferredOp<"hinge_embedding"> {
  let summary = "hinge embedding (HingeEmbeddingLoss)";
  let description = [{
    PyTorch's form, which gives both cases for any target value:
    `l = (t != 1 ? max(0, margin - x) : 0) + (t != -1 ? x : 0)`, i.e. `x` for
    `t = 1` and `max(0, margin - x)` for `t = -1`. Defaults:
    `margin = 1.0`, `reduction = mean` (over every element).

    Accepted operands (PyTorch 1.13): `input` and `target` broadcast
    together (NumPy rules, trailing dimensions aligned; PyTorch only warns
    when their shapes differ) and `none` returns the broadcast shape; `mean`
    divides by its number of elements. A dynamic dimension never broadcasts:
    it must equal the other operand's at run time (checked). `target` has
    the input's float type or is an integer, promoted to it (`i1` as 0/1).

    ```mlir
    %l = loss.hinge_embedding %x, %t {margin = 2.000000e+00 : f64}
        : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_IntOrFloatTensor:$target,
                       DefaultValuedAttr<F64Attr, "1.0">:$margin,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$result);
  let assemblyFormat = Loss_BinaryFormat;
  let hasVerifier = 1;
}

def Loss_SoftMarginOp : Loss_InferredOp<"soft_margin"> {
  let summary = "two-class logistic loss (SoftMarginLoss)";
  let description = [{
    `l = log(1 + exp(-t * x))`, computed as a softplus that cannot overflow.
    `target` broadcasts to the input's shape (PyTorch writes an input-shaped
    result; the input does not broadcast to the target); it has the input's
    float type or is an integer (`i1` as 0/1), promoted. Default:
    `reduction = mean` (over every element).

    ```mlir
    %l = loss.soft_margin %x, %t : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_IntOrFloatTensor:$target,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$result);
  let assemblyFormat = Loss_BinaryFormat;
  let hasVerifier = 1;
}

def Loss_MultilabelMarginOp : Loss_InferredOp<"multilabel_margin"> {
  let summary = "multi-class multi-label hinge (MultiLabelMarginLoss)";
  let description = [{
    `input` is `[N, C]`, `[C]` or `[]` (one class) with `C > 0` when static;
    `target` (integer) is `[N, C]` for `[N, C]`, and of rank <= 1 with `C`
    elements otherwise (`[C]`; `[1]` or `[]` when `C = 1`). It lists the
    target classes of a sample up to the first `-1` (the set `J`).
    Per sample: `(1/C) * sum_{j in J} sum_{i not in J} max(0, 1 - (x_j - x_i))`.
    A target value outside `[-1, C)` reads nothing out of bounds: it ends the
    list like `-1`. `none` returns one loss per sample (`[N]`, or `[]` for
    an input of rank <= 1). A 0-d input gives 0 (PyTorch's value).
    Default: `reduction = mean` (over samples).

    ```mlir
    %l = loss.multilabel_margin %x, %t : (tensor<2x4xf32>, tensor<2x4xi64>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_IntTensor:$target,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$result);
  let assemblyFormat = Loss_BinaryFormat;
  let hasVerifier = 1;
}

def Loss_MultilabelSoftMarginOp : Loss_InferredOp<"multilabel_soft_margin"> {
  let summary = "multi-label one-versus-all logistic (MultiLabelSoftMarginLoss)";
  let description = [{
    Over the last (class) dimension of size `C`, per sample:
    `-(1/C) * sum_c w_c * (t_c * logsigmoid(x_c) + (1 - t_c) * logsigmoid(-x_c))`.
    `input` has rank >= 1. `target` broadcasts to the input's shape and has
    its float type or is a (non-`i1`) integer, promoted (multi-hot integer
    labels); `weight` (typically `[C]`) broadcasts to the input's shape.
    `none` returns one loss per sample (the input's shape without its last
    dimension). Default: `reduction = mean` (over samples).

    ```mlir
    %l = loss.multilabel_soft_margin %x, %t weight(%w)
        : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<4xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_IntOrFloatTensor:$target,
                       Optional<Loss_FloatTensor>:$weight,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $target (`weight` `(` $weight^ `)`)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loss_MultiMarginOp : Loss_InferredOp<"multi_margin"> {
  let summary = "multi-class hinge (MultiMarginLoss)";
  let description = [{
    `input` is `[N, C]`, `[C]` or `[]` (one class) with `C > 0` when static;
    `target` (integer) holds one class per sample: `[N]` for `[N, C]`
    (also `[]` when N is a static 1), `[]` or a static `[1]` for `[C]` and
    `[]`. Per sample:
    `(1/C) * sum_{i != y} w_y * max(0, margin - x_y + x_i)^p`, `p` in {1, 2}.
    A target outside `[0, C)` gives NaN and reads nothing out of bounds.
    `weight` is `[C]` (PyTorch 1.13 does not check its length; a shorter
    one reads out of bounds there and is rejected here). `none` returns the
    target's shape, as PyTorch. Defaults: `p = 1`, `margin = 1.0`,
    `reduction = mean` (over samples).

    ```mlir
    %l = loss.multi_margin %x, %t {p = 2 : i64}
        : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_IntTensor:$target,
                       Optional<Loss_FloatTensor>:$weight,
                       DefaultValuedAttr<ConfinedAttr<Loss_I64Attr, [Loss_OneOrTwo]>, "1">:$p,
                       DefaultValuedAttr<F64Attr, "1.0">:$margin,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $target (`weight` `(` $weight^ `)`)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loss_CosineEmbeddingOp : Loss_InferredOp<"cosine_embedding"> {
  let summary = "cosine similarity embedding (CosineEmbeddingLoss)";
  let description = [{
    `target` is `[N]` with `[N, D]` inputs or `[]` with `[D]` inputs, of
    integers or of the input's float type (PyTorch's rule). `input1` and
    `input2` broadcast together (e.g. `[N, D]` against one `[1, D]`
    reference): the dot product runs over their broadcast, each squared
    magnitude over its own input (as PyTorch). The per-sample cosines and
    the target broadcast too (a `[1]` target applies to every sample).
    `cos = x1.x2 / sqrt((|x1|^2 + 1e-12) (|x2|^2 + 1e-12))`;
    `l = 1 - cos` where `t = 1`, `max(0, cos - margin)` where `t = -1`, and
    0 for any other target value. `none` returns one loss per sample (the
    broadcast per-sample shape).
    Defaults: `margin = 0.0`, `reduction = mean` (over samples).

    ```mlir
    %l = loss.cosine_embedding %a, %b, %t
        : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input1, Loss_FloatTensor:$input2,
                       Loss_IntOrFloatTensor:$target,
                       DefaultValuedAttr<F64Attr, "0.0">:$margin,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$result);
  let assemblyFormat = [{
    $input1 `,` $input2 `,` $target attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loss_TripletMarginOp : Loss_InferredOp<"triplet_margin"> {
  let summary = "triplet margin (TripletMarginLoss)";
  let description = [{
    `anchor`, `positive`, `negative` have one rank (any, 0-d included; a
    0-d input is one feature) and the last dimension holds the features.
    `d(u, v) = ||u - v + eps||_p` over the last dimension of the broadcast of
    `u` and `v` (torch.pairwise_distance), and the distances broadcast
    together; `none` returns their broadcast shape (`[N]`, `[]`, or the
    leading dimensions of K-dim inputs).
    `l = max(0, d(a, p) - d(a, n) + margin)`; `swap` replaces `d(a, n)` by
    `min(d(a, n), d(p, n))`. Defaults:
    `margin = 1.0`, `p = 2.0` (must be positive), `eps = 1e-6` (must be
    non-negative), `swap = false`, `reduction = mean` (over samples).

    ```mlir
    %l = loss.triplet_margin %a, %p, %n {swap = true}
        : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$anchor, Loss_FloatTensor:$positive,
                       Loss_FloatTensor:$negative,
                       DefaultValuedAttr<F64Attr, "1.0">:$margin,
                       Loss_PositiveF64Attr<"2.0">:$p,
                       Loss_NonNegativeF64Attr<"1e-6">:$eps,
                       DefaultValuedAttr<BoolAttr, "false">:$swap,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$result);
  let assemblyFormat = [{
    $anchor `,` $positive `,` $negative attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Gradients of the other families, one file each
//===----------------------------------------------------------------------===//

include "loss-mlir/Dialect/Loss/IR/LossSoftmaxGradOps.td"
include "loss-mlir/Dialect/Loss/IR/LossBinaryGradOps.td"
include "loss-mlir/Dialect/Loss/IR/LossMarginGradOps.td"
include "loss-mlir/Dialect/Loss/IR/LossCtcGradOps.td"

//===----------------------------------------------------------------------===//
// Fused linear layer + cross entropy (and its gradient), in a file of its own
//===----------------------------------------------------------------------===//

include "loss-mlir/Dialect/Loss/IR/LossLinearCrossEntropyOps.td"

#endif // LOSS_OPS_TD
