//===- LossMarginGradOps.td - Gradients of the margin family -*- tablegen -*-===//
//
// Gradient ops of the margin and embedding losses (margin_ranking, hinge_embedding, soft_margin, multilabel_margin, multilabel_soft_margin, multi_margin, cosine_embedding, triplet_margin): the forward operands and `grad_output` in,
// torch.autograd's gradients out. Included by LossOps.td.
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_MARGIN_GRAD_OPS_TD
#define LOSS_MARGIN_GRAD_OPS_TD

// What the eight ops share: `g` is `grad_output` times the reduction's
// scale (1 for `none` and `sum`, `1 / n` for `mean` with `n` the forward's
// normaliser).
defvar Loss_MarginGradCommon = [{

    `grad_output` has the shape of the forward's `none` result for `none`
    and is 0-d for `sum` and `mean`. The operands take every form the
    forward op takes (same verifier); each gradient has its operand's shape
    and type, and where the forward broadcasts an operand its gradient is
    summed back to the operand's shape, as autograd does. Targets and
    weights are not differentiated. `f16`/`bf16` compute (and sum) in `f32`
    and round once.
  }];

def Loss_MarginRankingGradOp : Loss_InferredOp<"margin_ranking_grad"> {
  let summary = "gradient of loss.margin_ranking (torch.autograd's values)";
  let description = [{
    With `v = -t (x1 - x2) + margin`: `grad_input1 = -t g [v >= 0]`,
    `grad_input2 = t g [v >= 0]` (autograd's `clamp_min` backward passes
    the gradient at `v = 0`; `g` is 0 where `v` is NaN).
  }] # Loss_MarginGradCommon # [{

    ```mlir
    %g1, %g2 = loss.margin_ranking_grad %a, %b, %t, %g {margin = 5.000000e-01 : f64}
        : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<f32>)
        -> (tensor<8xf32>, tensor<8xf32>)
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input1, Loss_FloatTensor:$input2,
                       Loss_IntOrFloatTensor:$target,
                       Loss_FloatTensor:$grad_output,
                       DefaultValuedAttr<F64Attr, "0.0">:$margin,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$grad_input1,
                      Loss_FloatTensor:$grad_input2);
  let assemblyFormat = [{
    $input1 `,` $input2 `,` $target `,` $grad_output attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loss_HingeEmbeddingGradOp : Loss_InferredOp<"hinge_embedding_grad"> {
  let summary = "gradient of loss.hinge_embedding (torch.autograd's values)";
  let description = [{
    `grad_input = g ((t != -1 ? 1 : 0) - (t != 1 && margin - x >= 0 ? 1 : 0))`
    (autograd's `clamp_min` backward passes the gradient at
    `x = margin`).
  }] # Loss_MarginGradCommon # [{

    ```mlir
    %gx = loss.hinge_embedding_grad %x, %t, %g {margin = 2.000000e+00 : f64}
        : (tensor<8xf32>, tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_IntOrFloatTensor:$target,
                       Loss_FloatTensor:$grad_output,
                       DefaultValuedAttr<F64Attr, "1.0">:$margin,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$grad_input);
  let assemblyFormat = [{
    $input `,` $target `,` $grad_output attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loss_SoftMarginGradOp : Loss_InferredOp<"soft_margin_grad"> {
  let summary = "gradient of loss.soft_margin (torch.autograd's values)";
  let description = [{
    As ATen 1.13's `soft_margin_loss_backward`:
    `grad_input = -t g exp(-t x) / (1 + exp(-t x)) = -t g sigmoid(-t x)`,
    computed as the sigmoid (finite where ATen's quotient overflows to NaN).
  }] # Loss_MarginGradCommon # [{

    ```mlir
    %gx = loss.soft_margin_grad %x, %t, %g
        : (tensor<8xf32>, tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_IntOrFloatTensor:$target,
                       Loss_FloatTensor:$grad_output,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$grad_input);
  let assemblyFormat = [{
    $input `,` $target `,` $grad_output attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loss_MultilabelMarginGradOp : Loss_InferredOp<"multilabel_margin_grad"> {
  let summary = "gradient of loss.multilabel_margin (torch.autograd's values)";
  let description = [{
    As ATen 1.13's `multilabel_margin_loss_backward`, per sample with `J`
    the listed targets (up to the first value outside `[0, C)`, duplicates
    counted) and `z(j, i) = 1 - x_j + x_i`: every listed `j` and every
    `i not in J` with `z(j, i) > 0` add `g / C` to `grad_input[i]` and
    `-g / C` to `grad_input[j]`.
  }] # Loss_MarginGradCommon # [{

    ```mlir
    %gx = loss.multilabel_margin_grad %x, %t, %g
        : (tensor<2x4xf32>, tensor<2x4xi64>, tensor<f32>) -> tensor<2x4xf32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_IntTensor:$target,
                       Loss_FloatTensor:$grad_output,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$grad_input);
  let assemblyFormat = [{
    $input `,` $target `,` $grad_output attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loss_MultilabelSoftMarginGradOp : Loss_InferredOp<"multilabel_soft_margin_grad"> {
  let summary = "gradient of loss.multilabel_soft_margin (torch.autograd's values)";
  let description = [{
    `grad_input_c = (g / C) w_c (t_c (-sigmoid(-x_c)) + (1 - t_c) sigmoid(x_c))`
    (`= (g / C) w_c (sigmoid(x_c) - t_c)`, written as autograd's
    `log_sigmoid` backward so that no digits cancel), with `g` the sample's
    gradient.
  }] # Loss_MarginGradCommon # [{

    ```mlir
    %gx = loss.multilabel_soft_margin_grad %x, %t weight(%w), %g
        : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<4xf32>, tensor<f32>) -> tensor<2x4xf32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_IntOrFloatTensor:$target,
                       Optional<Loss_FloatTensor>:$weight,
                       Loss_FloatTensor:$grad_output,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$grad_input);
  let assemblyFormat = [{
    $input `,` $target (`weight` `(` $weight^ `)`)? `,` $grad_output attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loss_MultiMarginGradOp : Loss_InferredOp<"multi_margin_grad"> {
  let summary = "gradient of loss.multi_margin (torch.autograd's values)";
  let description = [{
    As ATen 1.13's `multi_margin_loss_backward`, per sample with target `y`
    and `z_i = margin - x_y + x_i`: for `i != y`,
    `grad_input_i = [z_i > 0] h_i` with `h_i = w_y g / C` (`p = 1`) or
    `2 z_i w_y g / C` (`p = 2`), and `grad_input_y = -sum_{i != y} grad_input_i`.
    A target outside `[0, C)` gives a row of NaN (the forward's NaN).
  }] # Loss_MarginGradCommon # [{

    ```mlir
    %gx = loss.multi_margin_grad %x, %t, %g {p = 2 : i64}
        : (tensor<2x4xf32>, tensor<2xi64>, tensor<f32>) -> tensor<2x4xf32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input, Loss_IntTensor:$target,
                       Optional<Loss_FloatTensor>:$weight,
                       Loss_FloatTensor:$grad_output,
                       DefaultValuedAttr<ConfinedAttr<Loss_I64Attr, [Loss_OneOrTwo]>, "1">:$p,
                       DefaultValuedAttr<F64Attr, "1.0">:$margin,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$grad_input);
  let assemblyFormat = [{
    $input `,` $target (`weight` `(` $weight^ `)`)? `,` $grad_output attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loss_CosineEmbeddingGradOp : Loss_InferredOp<"cosine_embedding_grad"> {
  let summary = "gradient of loss.cosine_embedding (torch.autograd's values)";
  let description = [{
    Per sample, with `P = x1.x2`, `M_k = |x_k|^2 + 1e-12`,
    `D = sqrt(M1 M2)`, `cos = P / D` and
    `gc = g ((t == 1 ? -1 : 0) + (t == -1 && cos - margin >= 0 ? 1 : 0))`
    (autograd's `clamp_min` backward passes the gradient at
    `cos = margin`): `grad_input1 = gc (x2 / D - cos x1 / M1)` and
    `grad_input2 = gc (x1 / D - cos x2 / M2)`, summed over the samples (and
    features) an input is broadcast to.
  }] # Loss_MarginGradCommon # [{

    ```mlir
    %g1, %g2 = loss.cosine_embedding_grad %a, %b, %t, %g
        : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2xf32>, tensor<f32>)
        -> (tensor<2x4xf32>, tensor<2x4xf32>)
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$input1, Loss_FloatTensor:$input2,
                       Loss_IntOrFloatTensor:$target,
                       Loss_FloatTensor:$grad_output,
                       DefaultValuedAttr<F64Attr, "0.0">:$margin,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$grad_input1,
                      Loss_FloatTensor:$grad_input2);
  let assemblyFormat = [{
    $input1 `,` $input2 `,` $target `,` $grad_output attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loss_TripletMarginGradOp : Loss_InferredOp<"triplet_margin_grad"> {
  let summary = "gradient of loss.triplet_margin (torch.autograd's values)";
  let description = [{
    Per sample, with `l = max(0, d(a, p) - d_n + margin)` (`d_n = d(a, n)`,
    or `min(d(a, n), d(p, n))` with `swap`) and `c = g [l's argument >= 0]`
    (autograd's `clamp_min` backward): the gradient `c` flows into
    `d(a, p)` and `-c` into `d_n`; `min` sends it to the smaller distance
    and half to each on a tie (autograd's `min` backward). A distance
    `d(u, v) = ||u - v + eps||_p` passes `k` to `u` and `-k` to `v` times
    autograd's `norm` backward at `r = u - v + eps`: `sgn(r)` for `p = 1`,
    `r / d` for `p = 2` (0 where `d = 0`),
    `sgn(r) |r|^(p-1) / d^(p-1)` otherwise (0 where `d = 0`), and for
    `p = inf` `sgn(r)` shared equally among the features where `|r| = d`.
  }] # Loss_MarginGradCommon # [{

    ```mlir
    %ga, %gp, %gn = loss.triplet_margin_grad %a, %p, %n, %g {swap = true}
        : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<f32>)
        -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>)
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$anchor, Loss_FloatTensor:$positive,
                       Loss_FloatTensor:$negative,
                       Loss_FloatTensor:$grad_output,
                       DefaultValuedAttr<F64Attr, "1.0">:$margin,
                       Loss_PositiveF64Attr<"2.0">:$p,
                       Loss_NonNegativeF64Attr<"1e-6">:$eps,
                       DefaultValuedAttr<BoolAttr, "false">:$swap,
                       Loss_DefaultReduction:$reduction);
  let results = (outs Loss_FloatTensor:$grad_anchor,
                      Loss_FloatTensor:$grad_positive,
                      Loss_FloatTensor:$grad_negative);
  let assemblyFormat = [{
    $anchor `,` $positive `,` $negative `,` $grad_output attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // LOSS_MARGIN_GRAD_OPS_TD
