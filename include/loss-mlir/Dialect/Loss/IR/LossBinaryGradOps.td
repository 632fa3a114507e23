//===- LossBinaryGradOps.td - Gradients of the binary family -*- tablegen -*-===//
//
// Gradient ops of bce, bce_with_logits, poisson_nll, gaussian_nll and kl_div: the forward operands and `grad_output` in,
// torch.autograd's gradients out. Included by LossOps.td.
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_BINARY_GRAD_OPS_TD
#define LOSS_BINARY_GRAD_OPS_TD

// What the five ops share.
defvar Loss_BinaryGradCommon = [{

    `grad_output` has the shape of the forward's `none` result (the
    broadcast shape of the operands) for `none` and is 0-d for the other
    reductions; `g` above is its value at the point times the reduction's
    scale: 1 for `none` and `sum`, `1 / n` for `mean` (`n` the points of
    the `none` result). Each gradient has its operand's shape and type;
    where the forward broadcasts an operand, its gradient is summed back to
    the operand's shape, as autograd does. `f16`/`bf16` compute (and sum)
    in `f32` and round once.
  }];

def Loss_BceGradOp : Loss_InferredOp<"bce_grad"> {
  let summary = "gradient of loss.bce (torch.autograd's values)";
  let description = [{
    The operands and attributes of `loss.bce` and `grad_output`. As ATen
    1.13's `binary_cross_entropy_backward` and `_target_backward`:

    * `grad_input = g w (x - t) / max(x (1 - x), 1e-12)`: finite at
      `x = 0` and `x = 1` (`+-1e12`-scale), where the forward's log is
      clamped at -100 (the `1e-12` is ATen's float constant,
      `9.99999996e-13`, for every dtype);
    * `grad_target = -g w logit(x) = g w log((1 - x) / x)`: `+inf` at
      `x = 0`, `-inf` at `x = 1` (not clamped, as in PyTorch).

    `weight` is not differentiated (PyTorch rejects it).
  }] # Loss_BinaryGradCommon # [{

    ```mlir
    %gx, %gt = loss.bce_grad %p, %t weight(%w), %g
        : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<3xf32>, tensor<f32>)
        -> (tensor<4x3xf32>, tensor<4x3xf32>)
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_FloatTensor:$target,
                       Optional<Loss_FloatTensor>:$weight,
                       Loss_FloatTensor:$grad_output,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$grad_input,
                      Loss_FloatTensor:$grad_target);
  let assemblyFormat = [{
    $input `,` $target (`weight` `(` $weight^ `)`)? `,` $grad_output attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loss_BceWithLogitsGradOp
    : Loss_InferredOp<"bce_with_logits_grad", [AttrSizedOperandSegments]> {
  let summary = "gradient of loss.bce_with_logits (torch.autograd's values)";
  let description = [{
    The operands and attributes of `loss.bce_with_logits` and
    `grad_output`. With `s = sigmoid(x)`, `w` the weight and `pw` the
    pos_weight (each broadcast to the input's shape, 1 when absent), as
    ATen 1.13's `binary_cross_entropy_with_logits_backward` and
    `_target_backward`:

    * `grad_input = g w ((1 + (pw - 1) t) s - pw t)` (`g w (s - t)`
      without pos_weight);
    * `grad_target = g w (pw softplus(-x) - softplus(x))`
      (`= g w (log_sigmoid(-x) - pw log_sigmoid(x))`; `-g w x` without
      pos_weight).

    `weight` and `pos_weight` are not differentiated (PyTorch rejects
    them).
  }] # Loss_BinaryGradCommon # [{

    ```mlir
    %gx, %gt = loss.bce_with_logits_grad %x, %t pos_weight(%pw), %g
        {reduction = #loss.reduction<sum>}
        : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<3xf32>, tensor<f32>)
        -> (tensor<4x3xf32>, tensor<4x3xf32>)
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_FloatTensor:$target,
                       Optional<Loss_FloatTensor>:$weight,
                       Optional<Loss_FloatTensor>:$pos_weight,
                       Loss_FloatTensor:$grad_output,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$grad_input,
                      Loss_FloatTensor:$grad_target);
  let assemblyFormat = [{
    $input `,` $target (`weight` `(` $weight^ `)`)?
    (`pos_weight` `(` $pos_weight^ `)`)? `,` $grad_output attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loss_PoissonNllGradOp : Loss_InferredOp<"poisson_nll_grad"> {
  let summary = "gradient of loss.poisson_nll (torch.autograd's values)";
  let description = [{
    The operands and attributes of `loss.poisson_nll` and `grad_output`.
    As autograd differentiates PyTorch 1.13's `poisson_nll_loss`:

    * `log_input`: `grad_input = g (exp(x) - t)`, `grad_target = -g x`;
    * otherwise: `grad_input = g (1 - t / (x + eps))`,
      `grad_target = -g log(x + eps)`;
    * `full` adds `g (log t + 0.5 / t)` to `grad_target` where `t > 1`,
      and, where `t <= 1`, autograd's `0 * log t` of the masked Stirling
      term: 0 for `0 < t <= 1`, NaN for `t <= 0` (PyTorch 1.13's value).

    `grad_target` exists only for a float target: with an integer (or
    `i1`) target the op has the one result `grad_input` (autograd has no
    gradient for integer tensors).
  }] # Loss_BinaryGradCommon # [{

    ```mlir
    %gx, %gt = loss.poisson_nll_grad %x, %t, %g {full = true}
        : (tensor<8xf32>, tensor<8xf32>, tensor<f32>)
        -> (tensor<8xf32>, tensor<8xf32>)
    %gx2 = loss.poisson_nll_grad %x, %counts, %g
        : (tensor<8xf32>, tensor<8xi64>, tensor<f32>) -> tensor<8xf32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_IntOrFloatTensor:$target,
                       Loss_FloatTensor:$grad_output,
                       DefaultValuedAttr<BoolAttr, "true">:$log_input,
                       DefaultValuedAttr<BoolAttr, "false">:$full,
                       Loss_NonNegativeF64Attr<"1e-8">:$eps,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$grad_input,
                      Optional<Loss_FloatTensor>:$grad_target);
  let assemblyFormat = [{
    $input `,` $target `,` $grad_output attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loss_GaussianNllGradOp : Loss_InferredOp<"gaussian_nll_grad"> {
  let summary = "gradient of loss.gaussian_nll (torch.autograd's values)";
  let description = [{
    The operands and attributes of `loss.gaussian_nll` and `grad_output`.
    With `v = max(var, eps)` and `d = x - t`, as autograd differentiates
    PyTorch 1.13's `gaussian_nll_loss`:

    * `grad_input = g d / v`, `grad_target = -g d / v`;
    * `grad_var = 0.5 g (1 / v - d^2 / v^2)`, summed back to `var`'s shape
      (one variance per sample: over the last dimension).

    PyTorch clamps `var` in place under `torch.no_grad()`, so autograd sees
    no clamp: where `var < eps` the gradient is the formula's at `v = eps`,
    passed to `var` unchanged (not zero). `full` changes nothing.
    `grad_target` exists only for a float target: with an integer target
    the results are `grad_input` and `grad_var`.
  }] # Loss_BinaryGradCommon # [{

    ```mlir
    %gx, %gt, %gv = loss.gaussian_nll_grad %x, %t, %v, %g
        : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x1xf32>, tensor<f32>)
        -> (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x1xf32>)
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_IntOrFloatTensor:$target,
                       Loss_FloatTensor:$var, Loss_FloatTensor:$grad_output,
                       DefaultValuedAttr<BoolAttr, "false">:$full,
                       Loss_NonNegativeF64Attr<"1e-6">:$eps,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$grad_input,
                      Optional<Loss_FloatTensor>:$grad_target,
                      Loss_FloatTensor:$grad_var);
  let assemblyFormat = [{
    $input `,` $target `,` $var `,` $grad_output attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loss_KlDivGradOp : Loss_InferredOp<"kl_div_grad"> {
  let summary = "gradient of loss.kl_div (torch.autograd's values)";
  let description = [{
    The operands and attributes of `loss.kl_div` and `grad_output`; `g`
    includes `batchmean`'s `1 / N` (`N` the input's first dimension, 1 for
    a 0-d input). As autograd differentiates PyTorch 1.13's `kl_div`:

    * `log_target`: `grad_input = -g exp(t)`,
      `grad_target = g exp(t) (t - x + 1)`;
    * otherwise: `grad_input = -g t`, and `grad_target = g (xlogy(t != 0,
      t) + t / t - x)` from `xlogy(t, t)`'s backward: `g (log t + 1 - x)`,
      NaN where `t = 0` (autograd's `0 / 0`; the forward's value there is
      0).
  }] # Loss_BinaryGradCommon # [{

    ```mlir
    %gx, %gt = loss.kl_div_grad %x, %t, %g {reduction = #loss.reduction<batchmean>}
        : (tensor<4x5xf32>, tensor<4x5xf32>, tensor<f32>)
        -> (tensor<4x5xf32>, tensor<4x5xf32>)
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_FloatTensor:$target,
                       Loss_FloatTensor:$grad_output,
                       Loss_KlDivReduction:$reduction,
                       DefaultValuedAttr<BoolAttr, "false">:$log_target);
  let results = (outs Loss_FloatTensor:$grad_input,
                      Loss_FloatTensor:$grad_target);
  let assemblyFormat = [{
    $input `,` $target `,` $grad_output attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // LOSS_BINARY_GRAD_OPS_TD
