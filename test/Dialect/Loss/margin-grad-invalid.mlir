// RUN: loss-opt %s -split-input-file -verify-diagnostics

// The margin family's gradient ops reject what their forward ops reject
// (one case per rule, shared with LossOps.cpp through VerifyUtils.h), a
// grad_output of the wrong shape or type, and gradients not typed like
// their operands.

func.func @mr_rank(%a: tensor<3x4xf32>, %b: tensor<4xf32>, %t: tensor<3x4xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.margin_ranking_grad' op 'input1', 'input2' and 'target' must have the same rank, got shapes [3, 4], [4], [3, 4]}}
  %0:2 = loss.margin_ranking_grad %a, %b, %t, %g : (tensor<3x4xf32>, tensor<4xf32>, tensor<3x4xf32>, tensor<f32>) -> (tensor<3x4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @mr_bcast(%a: tensor<3x4xf32>, %b: tensor<2x4xf32>, %t: tensor<3x4xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'input1', 'input2' and 'target' of shapes [3, 4], [2, 4], [3, 4] do not broadcast together}}
  %0:2 = loss.margin_ranking_grad %a, %b, %t, %g : (tensor<3x4xf32>, tensor<2x4xf32>, tensor<3x4xf32>, tensor<f32>) -> (tensor<3x4xf32>, tensor<2x4xf32>)
  return
}

// -----

func.func @mr_bool(%a: tensor<4xf32>, %t: tensor<4xi1>, %g: tensor<f32>) {
  // expected-error @+1 {{'target' of type i1 (bool) is not accepted}}
  %0:2 = loss.margin_ranking_grad %a, %a, %t, %g : (tensor<4xf32>, tensor<4xf32>, tensor<4xi1>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @mr_gnone(%a: tensor<3x1xf32>, %b: tensor<1x4xf32>, %t: tensor<3x4xf32>, %g: tensor<3x1xf32>) {
  // expected-error @+1 {{'grad_output' must have shape [3, 4] for reduction 'none', got [3, 1]}}
  %0:2 = loss.margin_ranking_grad %a, %b, %t, %g {reduction = #loss.reduction<none>} : (tensor<3x1xf32>, tensor<1x4xf32>, tensor<3x4xf32>, tensor<3x1xf32>) -> (tensor<3x1xf32>, tensor<1x4xf32>)
  return
}

// -----

func.func @mr_gsum(%a: tensor<4xf32>, %g: tensor<4xf32>) {
  // expected-error @+1 {{'grad_output' must have shape [] for reduction 'mean', got [4]}}
  %0:2 = loss.margin_ranking_grad %a, %a, %a, %g : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @mr_result(%a: tensor<3x1xf32>, %b: tensor<1x4xf32>, %t: tensor<3x4xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{the gradient of 'input2' must have its type 'tensor<1x4xf32>', got 'tensor<3x4xf32>'}}
  %0:2 = loss.margin_ranking_grad %a, %b, %t, %g : (tensor<3x1xf32>, tensor<1x4xf32>, tensor<3x4xf32>, tensor<f32>) -> (tensor<3x1xf32>, tensor<3x4xf32>)
  return
}

// -----

func.func @mr_gtype(%a: tensor<4xf32>, %g: tensor<f64>) {
  // expected-error @+1 {{'grad_output' element type 'f64' must match the input element type 'f32'}}
  %0:2 = loss.margin_ranking_grad %a, %a, %a, %g : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<f64>) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @mr_batchmean(%a: tensor<4xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{attribute 'reduction' failed to satisfy constraint}}
  %0:2 = loss.margin_ranking_grad %a, %a, %a, %g {reduction = #loss.reduction<batchmean>} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @he_bcast(%a: tensor<3x4xf32>, %t: tensor<3xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'input' and 'target' of shapes [3, 4], [3] do not broadcast together}}
  %0 = loss.hinge_embedding_grad %a, %t, %g : (tensor<3x4xf32>, tensor<3xf32>, tensor<f32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @he_result(%a: tensor<1x4xf32>, %t: tensor<3x4xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{the gradient of 'input' must have its type 'tensor<1x4xf32>', got 'tensor<3x4xf32>'}}
  %0 = loss.hinge_embedding_grad %a, %t, %g : (tensor<1x4xf32>, tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @he_gnone(%a: tensor<1x4xf32>, %t: tensor<3x4xf32>, %g: tensor<1x4xf32>) {
  // expected-error @+1 {{'grad_output' must have shape [3, 4] for reduction 'none', got [1, 4]}}
  %0 = loss.hinge_embedding_grad %a, %t, %g {reduction = #loss.reduction<none>} : (tensor<1x4xf32>, tensor<3x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  return
}

// -----

func.func @sm_bcast(%a: tensor<1x4xf32>, %t: tensor<3x4xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'target' of shape [3, 4] does not broadcast to the input shape [1, 4]}}
  %0 = loss.soft_margin_grad %a, %t, %g : (tensor<1x4xf32>, tensor<3x4xf32>, tensor<f32>) -> tensor<1x4xf32>
  return
}

// -----

func.func @sm_ttype(%a: tensor<4xf32>, %t: tensor<4xf64>, %g: tensor<f32>) {
  // expected-error @+1 {{'target' element type 'f64' must match the input element type 'f32'}}
  %0 = loss.soft_margin_grad %a, %t, %g : (tensor<4xf32>, tensor<4xf64>, tensor<f32>) -> tensor<4xf32>
  return
}

// -----

func.func @sm_rtype(%a: tensor<4xf32>, %t: tensor<4xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{the gradient of 'input' must have its type 'tensor<4xf32>', got 'tensor<4xf16>'}}
  %0 = loss.soft_margin_grad %a, %t, %g : (tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> tensor<4xf16>
  return
}

// -----

func.func @mlm_rank(%a: tensor<2x3x4xf32>, %t: tensor<2x3x4xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{'input' must be [N, C], [C] or [], got [2, 3, 4]}}
  %0 = loss.multilabel_margin_grad %a, %t, %g : (tensor<2x3x4xf32>, tensor<2x3x4xi64>, tensor<f32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @mlm_empty(%a: tensor<2x0xf32>, %t: tensor<2x0xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{'input' must have a non-empty class dimension, got [2, 0]}}
  %0 = loss.multilabel_margin_grad %a, %t, %g : (tensor<2x0xf32>, tensor<2x0xi64>, tensor<f32>) -> tensor<2x0xf32>
  return
}

// -----

func.func @mlm_target(%a: tensor<4xf32>, %t: tensor<3xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{'target' must have shape [4] for 'input' of shape [4], got [3]}}
  %0 = loss.multilabel_margin_grad %a, %t, %g : (tensor<4xf32>, tensor<3xi64>, tensor<f32>) -> tensor<4xf32>
  return
}

// -----

func.func @mlm_gnone(%a: tensor<2x4xf32>, %t: tensor<2x4xi64>, %g: tensor<2x4xf32>) {
  // expected-error @+1 {{'grad_output' must have shape [2] for reduction 'none', got [2, 4]}}
  %0 = loss.multilabel_margin_grad %a, %t, %g {reduction = #loss.reduction<none>} : (tensor<2x4xf32>, tensor<2x4xi64>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @mlm_float_t(%a: tensor<2x4xf32>, %t: tensor<2x4xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{operand #1 must be ranked tensor of signless integer values}}
  %0 = loss.multilabel_margin_grad %a, %t, %g : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @mlsm_rank0(%a: tensor<f32>, %t: tensor<f32>, %g: tensor<f32>) {
  // expected-error @+1 {{'input' must have rank >= 1}}
  %0 = loss.multilabel_soft_margin_grad %a, %t, %g : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @mlsm_weight(%a: tensor<2x4xf32>, %t: tensor<2x4xf32>, %w: tensor<3xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'weight' of shape [3] does not broadcast to the input shape [2, 4]}}
  %0 = loss.multilabel_soft_margin_grad %a, %t weight(%w), %g : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<3xf32>, tensor<f32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @mlsm_gnone(%a: tensor<2x4xf32>, %t: tensor<2x4xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'grad_output' must have shape [2] for reduction 'none', got []}}
  %0 = loss.multilabel_soft_margin_grad %a, %t, %g {reduction = #loss.reduction<none>} : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @mm_p(%a: tensor<2x4xf32>, %t: tensor<2xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{attribute 'p' failed to satisfy constraint}}
  %0 = loss.multi_margin_grad %a, %t, %g {p = 3 : i64} : (tensor<2x4xf32>, tensor<2xi64>, tensor<f32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @mm_target(%a: tensor<2x4xf32>, %t: tensor<3xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{class-index target must have shape [2] for 'input' of shape [2, 4], got [3]}}
  %0 = loss.multi_margin_grad %a, %t, %g : (tensor<2x4xf32>, tensor<3xi64>, tensor<f32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @mm_weight(%a: tensor<2x4xf32>, %t: tensor<2xi64>, %w: tensor<3xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'weight' must have shape [C] = [4], got [3]}}
  %0 = loss.multi_margin_grad %a, %t weight(%w), %g : (tensor<2x4xf32>, tensor<2xi64>, tensor<3xf32>, tensor<f32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @mm_gnone(%a: tensor<4xf32>, %t: tensor<1xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{'grad_output' must have shape [1] for reduction 'none', got []}}
  %0 = loss.multi_margin_grad %a, %t, %g {reduction = #loss.reduction<none>} : (tensor<4xf32>, tensor<1xi64>, tensor<f32>) -> tensor<4xf32>
  return
}

// -----

func.func @mm_result(%a: tensor<2x4xf32>, %t: tensor<2xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{the gradient of 'input' must have its type 'tensor<2x4xf32>', got 'tensor<2x3xf32>'}}
  %0 = loss.multi_margin_grad %a, %t, %g : (tensor<2x4xf32>, tensor<2xi64>, tensor<f32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @ce_target(%a: tensor<2x4xf32>, %b: tensor<2x4xf32>, %t: tensor<2x1xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'target' must be [N] or [], got [2, 1]}}
  %0:2 = loss.cosine_embedding_grad %a, %b, %t, %g : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x1xf32>, tensor<f32>) -> (tensor<2x4xf32>, tensor<2x4xf32>)
  return
}

// -----

func.func @ce_rank(%a: tensor<2x4xf32>, %b: tensor<4xf32>, %t: tensor<2xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{a [N] target needs [N, D] inputs, got shapes [2, 4], [4]}}
  %0:2 = loss.cosine_embedding_grad %a, %b, %t, %g : (tensor<2x4xf32>, tensor<4xf32>, tensor<2xf32>, tensor<f32>) -> (tensor<2x4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @ce_bcast(%a: tensor<2x4xf32>, %b: tensor<2x3xf32>, %t: tensor<2xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'input1' and 'input2' of shapes [2, 4], [2, 3] do not broadcast together}}
  %0:2 = loss.cosine_embedding_grad %a, %b, %t, %g : (tensor<2x4xf32>, tensor<2x3xf32>, tensor<2xf32>, tensor<f32>) -> (tensor<2x4xf32>, tensor<2x3xf32>)
  return
}

// -----

func.func @ce_gnone(%a: tensor<1x4xf32>, %b: tensor<1x4xf32>, %t: tensor<3xf32>, %g: tensor<1xf32>) {
  // expected-error @+1 {{'grad_output' must have shape [3] for reduction 'none', got [1]}}
  %0:2 = loss.cosine_embedding_grad %a, %b, %t, %g {reduction = #loss.reduction<none>} : (tensor<1x4xf32>, tensor<1x4xf32>, tensor<3xf32>, tensor<1xf32>) -> (tensor<1x4xf32>, tensor<1x4xf32>)
  return
}

// -----

func.func @ce_result(%a: tensor<2x4xf32>, %b: tensor<1x4xf32>, %t: tensor<2xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{the gradient of 'input2' must have its type 'tensor<1x4xf32>', got 'tensor<2x4xf32>'}}
  %0:2 = loss.cosine_embedding_grad %a, %b, %t, %g : (tensor<2x4xf32>, tensor<1x4xf32>, tensor<2xf32>, tensor<f32>) -> (tensor<2x4xf32>, tensor<2x4xf32>)
  return
}

// -----

func.func @tm_p(%a: tensor<2x4xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.triplet_margin_grad' op attribute 'p' failed to satisfy constraint: 64-bit float attribute whose value is positive}}
  %0:3 = loss.triplet_margin_grad %a, %a, %a, %g {p = 0.0 : f64} : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<f32>) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>)
  return
}

// -----

func.func @tm_eps(%a: tensor<2x4xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{attribute 'eps' failed to satisfy constraint}}
  %0:3 = loss.triplet_margin_grad %a, %a, %a, %g {eps = -1.0 : f64} : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<f32>) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>)
  return
}

// -----

func.func @tm_rank(%a: tensor<2x4xf32>, %b: tensor<4xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'anchor', 'positive' and 'negative' must have the same rank, got shapes [2, 4], [4], [2, 4]}}
  %0:3 = loss.triplet_margin_grad %a, %b, %a, %g : (tensor<2x4xf32>, tensor<4xf32>, tensor<2x4xf32>, tensor<f32>) -> (tensor<2x4xf32>, tensor<4xf32>, tensor<2x4xf32>)
  return
}

// -----

func.func @tm_swap(%a: tensor<1x4xf32>, %b: tensor<2x4xf32>, %c: tensor<3x4xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'positive' and 'negative' of shapes [2, 4], [3, 4] do not broadcast together}}
  %0:3 = loss.triplet_margin_grad %a, %b, %c, %g {swap = true} : (tensor<1x4xf32>, tensor<2x4xf32>, tensor<3x4xf32>, tensor<f32>) -> (tensor<1x4xf32>, tensor<2x4xf32>, tensor<3x4xf32>)
  return
}

// -----

func.func @tm_gnone(%a: tensor<2x4xf32>, %g: tensor<2x4xf32>) {
  // expected-error @+1 {{'grad_output' must have shape [2] for reduction 'none', got [2, 4]}}
  %0:3 = loss.triplet_margin_grad %a, %a, %a, %g {reduction = #loss.reduction<none>} : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>)
  return
}

// -----

func.func @tm_result(%a: tensor<2x4xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{the gradient of 'negative' must have its type 'tensor<2x4xf32>', got 'tensor<2x4xf64>'}}
  %0:3 = loss.triplet_margin_grad %a, %a, %a, %g : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<f32>) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf64>)
  return
}
