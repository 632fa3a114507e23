// RUN: loss-opt %s -split-input-file -verify-diagnostics

// One case (at least) per verifier rule of lib/Dialect/Loss/IR/LossOps.cpp
// and per ODS constraint of LossOps.td / LossDialect.td.

//===----------------------------------------------------------------------===//
// ODS type and attribute constraints
//===----------------------------------------------------------------------===//

func.func @integer_logits(%x: tensor<4x10xi32>, %t: tensor<4xi64>) {
  // expected-error @+1 {{'loss.softmax_cross_entropy' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4x10xi32>'}}
  %0 = loss.softmax_cross_entropy %x, %t : (tensor<4x10xi32>, tensor<4xi64>) -> tensor<f32>
  return
}

// -----

func.func @unsupported_float(%x: tensor<4xf80>) {
  // expected-error @+1 {{'loss.log_softmax' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xf80>'}}
  %0 = loss.log_softmax %x : tensor<4xf80>
  return
}

// -----

func.func @unranked_input(%x: tensor<*xf32>, %t: tensor<4xi64>) {
  // expected-error @+1 {{'loss.nll' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<*xf32>'}}
  %0 = loss.nll %x, %t : (tensor<*xf32>, tensor<4xi64>) -> tensor<f32>
  return
}

// -----

func.func @unranked_result(%x: tensor<8xf32>) {
  // expected-error @+1 {{'loss.mse' op result #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<*xf32>'}}
  %0 = loss.mse %x, %x : (tensor<8xf32>, tensor<8xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @memref_input(%x: memref<8xf32>) {
  // expected-error @+1 {{'loss.l1' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'memref<8xf32>'}}
  %0 = loss.l1 %x, %x : (memref<8xf32>, memref<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @nll_float_target(%x: tensor<4x10xf32>, %t: tensor<4xf32>) {
  // expected-error @+1 {{'loss.nll' op operand #1 must be ranked tensor of signless integer values, but got 'tensor<4xf32>'}}
  %0 = loss.nll %x, %t : (tensor<4x10xf32>, tensor<4xf32>) -> tensor<f32>
  return
}

// -----

func.func @nll_index_target(%x: tensor<4x10xf32>, %t: tensor<4xindex>) {
  // expected-error @+1 {{'loss.nll' op operand #1 must be ranked tensor of signless integer values, but got 'tensor<4xindex>'}}
  %0 = loss.nll %x, %t : (tensor<4x10xf32>, tensor<4xindex>) -> tensor<f32>
  return
}

// -----

func.func @nll_signed_target(%x: tensor<4x10xf32>, %t: tensor<4xsi64>) {
  // expected-error @+1 {{'loss.nll' op operand #1 must be ranked tensor of signless integer values, but got 'tensor<4xsi64>'}}
  %0 = loss.nll %x, %t : (tensor<4x10xf32>, tensor<4xsi64>) -> tensor<f32>
  return
}

// -----

func.func @ctc_float_lengths(%lp: tensor<5x2x3xf32>, %tg: tensor<2x2xi64>, %il: tensor<2xf32>) {
  // expected-error @+1 {{'loss.ctc' op operand #2 must be ranked tensor of signless integer values, but got 'tensor<2xf32>'}}
  %0 = loss.ctc %lp, %tg, %il, %tg : (tensor<5x2x3xf32>, tensor<2x2xi64>, tensor<2xf32>, tensor<2x2xi64>) -> tensor<f32>
  return
}

// -----

func.func @multilabel_margin_float_target(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{'loss.multilabel_margin' op operand #1 must be ranked tensor of signless integer values, but got 'tensor<2x4xf32>'}}
  %0 = loss.multilabel_margin %x, %x : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<f32>
  return
}

// -----

func.func @bce_integer_target(%x: tensor<8xf32>, %t: tensor<8xi64>) {
  // expected-error @+1 {{'loss.bce' op operand #1 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<8xi64>'}}
  %0 = loss.bce %x, %t : (tensor<8xf32>, tensor<8xi64>) -> tensor<f32>
  return
}

// -----

func.func @bad_reduction_spelling(%x: tensor<8xf32>) {
  // expected-error @+2 {{expected ::mlir::loss::Reduction to be one of: none, sum, mean, batchmean}}
  // expected-error @+1 {{failed to parse Loss_ReductionAttr parameter 'value' which is to be a `::mlir::loss::Reduction`}}
  %0 = loss.mse %x, %x {reduction = #loss.reduction<avg>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @reduction_not_an_enum(%x: tensor<8xf32>) {
  // expected-error @+1 {{'loss.mse' op attribute 'reduction' failed to satisfy constraint: how per-element losses are reduced}}
  %0 = loss.mse %x, %x {reduction = "sum"} : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @axis_not_i64(%x: tensor<4x10xf32>) {
  // expected-error @+1 {{'loss.log_softmax' op attribute 'axis' failed to satisfy constraint: 64-bit signless integer attribute}}
  %0 = loss.log_softmax %x {axis = 1 : i32} : tensor<4x10xf32>
  return
}

// -----

func.func @label_smoothing_not_f64(%x: tensor<4x10xf32>, %t: tensor<4xi64>) {
  // expected-error @+1 {{'loss.softmax_cross_entropy' op attribute 'label_smoothing' failed to satisfy constraint: 64-bit float attribute}}
  %0 = loss.softmax_cross_entropy %x, %t {label_smoothing = 0.1 : f32} : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return
}

// -----

func.func @zero_infinity_not_bool(%lp: tensor<5x2x3xf32>, %tg: tensor<2x2xi64>, %l: tensor<2xi64>) {
  // expected-error @+1 {{'loss.ctc' op attribute 'zero_infinity' failed to satisfy constraint: bool attribute}}
  %0 = loss.ctc %lp, %tg, %l, %l {zero_infinity = 1 : i64} : (tensor<5x2x3xf32>, tensor<2x2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<f32>
  return
}

// -----

func.func @too_many_results(%x: tensor<4x10xf32>, %t: tensor<4xi64>) {
  // expected-error @+1 {{'loss.softmax_cross_entropy' op result group starting at #1 requires 0 or 1 element, but found 2}}
  %0:3 = "loss.softmax_cross_entropy"(%x, %t) : (tensor<4x10xf32>, tensor<4xi64>) -> (tensor<f32>, tensor<4x10xf32>, tensor<4x10xf32>)
  return
}

// -----

func.func @bad_segment_sizes(%x: tensor<4x3xf32>, %pw: tensor<3xf32>) {
  // expected-error @+1 {{'loss.bce_with_logits' op operand count (3) does not match with the total size (4) specified in attribute 'operandSegmentSizes'}}
  %0 = "loss.bce_with_logits"(%x, %x, %pw) <{operandSegmentSizes = array<i32: 1, 1, 1, 1>}> : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<f32>
  return
}

//===----------------------------------------------------------------------===//
// Results (shared by every op)
//===----------------------------------------------------------------------===//

// -----

func.func @result_element_type(%x: tensor<8xf32>) {
  // expected-error @+1 {{'loss.l1' op result element type 'f64' must match the input element type 'f32'}}
  %0 = loss.l1 %x, %x : (tensor<8xf32>, tensor<8xf32>) -> tensor<f64>
  return
}

// -----

func.func @result_none_shape(%x: tensor<8xf32>) {
  // expected-error @+1 {{'loss.mse' op with reduction 'none' the result must have shape [8], got [4]}}
  %0 = loss.mse %x, %x {reduction = #loss.reduction<none>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @result_none_rank(%x: tensor<4x10xf32>, %t: tensor<4xi64>) {
  // expected-error @+1 {{'loss.nll' op with reduction 'none' the result must have shape [4], got []}}
  %0 = loss.nll %x, %t {reduction = #loss.reduction<none>} : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return
}

// -----

func.func @result_mean_not_scalar(%x: tensor<8xf32>) {
  // expected-error @+1 {{'loss.huber' op with reduction 'mean' the result must be a 0-d tensor, got [8]}}
  %0 = loss.huber %x, %x : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @result_sum_not_scalar(%x: tensor<4x10xf32>, %t: tensor<4xi64>) {
  // expected-error @+1 {{'loss.softmax_cross_entropy' op with reduction 'sum' the result must be a 0-d tensor, got [?]}}
  %0 = loss.softmax_cross_entropy %x, %t {reduction = #loss.reduction<sum>} : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<?xf32>
  return
}

// -----

func.func @result_batchmean_not_scalar(%x: tensor<4x5xf32>) {
  // expected-error @+1 {{'loss.kl_div' op with reduction 'batchmean' the result must be a 0-d tensor, got [4, 5]}}
  %0 = loss.kl_div %x, %x {reduction = #loss.reduction<batchmean>} : (tensor<4x5xf32>, tensor<4x5xf32>) -> tensor<4x5xf32>
  return
}

//===----------------------------------------------------------------------===//
// batchmean is only for kl_div
//===----------------------------------------------------------------------===//

// -----

func.func @batchmean_nll(%x: tensor<4x10xf32>, %t: tensor<4xi64>) {
  // expected-error @+1 {{'loss.nll' op attribute 'reduction' failed to satisfy constraint: how per-element losses are reduced except batchmean (only kl_div takes it)}}
  %0 = loss.nll %x, %t {reduction = #loss.reduction<batchmean>} : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return
}

// -----

func.func @batchmean_softmax_cross_entropy(%x: tensor<4x10xf32>, %t: tensor<4xi64>) {
  // expected-error @+1 {{'loss.softmax_cross_entropy' op attribute 'reduction' failed to satisfy constraint: how per-element losses are reduced except batchmean (only kl_div takes it)}}
  %0 = loss.softmax_cross_entropy %x, %t {reduction = #loss.reduction<batchmean>} : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return
}

// -----

func.func @batchmean_ctc(%lp: tensor<5x2x3xf32>, %tg: tensor<2x2xi64>, %l: tensor<2xi64>) {
  // expected-error @+1 {{'loss.ctc' op attribute 'reduction' failed to satisfy constraint: how per-element losses are reduced except batchmean (only kl_div takes it)}}
  %0 = loss.ctc %lp, %tg, %l, %l {reduction = #loss.reduction<batchmean>} : (tensor<5x2x3xf32>, tensor<2x2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<f32>
  return
}

// -----

func.func @batchmean_bce(%x: tensor<8xf32>) {
  // expected-error @+1 {{'loss.bce' op attribute 'reduction' failed to satisfy constraint: how per-element losses are reduced except batchmean (only kl_div takes it)}}
  %0 = loss.bce %x, %x {reduction = #loss.reduction<batchmean>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @batchmean_bce_with_logits(%x: tensor<8xf32>) {
  // expected-error @+1 {{'loss.bce_with_logits' op attribute 'reduction' failed to satisfy constraint: how per-element losses are reduced except batchmean (only kl_div takes it)}}
  %0 = loss.bce_with_logits %x, %x {reduction = #loss.reduction<batchmean>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @batchmean_l1(%x: tensor<8xf32>) {
  // expected-error @+1 {{'loss.l1' op attribute 'reduction' failed to satisfy constraint: how per-element losses are reduced except batchmean (only kl_div takes it)}}
  %0 = loss.l1 %x, %x {reduction = #loss.reduction<batchmean>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @batchmean_mse(%x: tensor<8xf32>) {
  // expected-error @+1 {{'loss.mse' op attribute 'reduction' failed to satisfy constraint: how per-element losses are reduced except batchmean (only kl_div takes it)}}
  %0 = loss.mse %x, %x {reduction = #loss.reduction<batchmean>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @batchmean_smooth_l1(%x: tensor<8xf32>) {
  // expected-error @+1 {{'loss.smooth_l1' op attribute 'reduction' failed to satisfy constraint: how per-element losses are reduced except batchmean (only kl_div takes it)}}
  %0 = loss.smooth_l1 %x, %x {reduction = #loss.reduction<batchmean>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @batchmean_huber(%x: tensor<8xf32>) {
  // expected-error @+1 {{'loss.huber' op attribute 'reduction' failed to satisfy constraint: how per-element losses are reduced except batchmean (only kl_div takes it)}}
  %0 = loss.huber %x, %x {reduction = #loss.reduction<batchmean>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @batchmean_poisson_nll(%x: tensor<8xf32>) {
  // expected-error @+1 {{'loss.poisson_nll' op attribute 'reduction' failed to satisfy constraint: how per-element losses are reduced except batchmean (only kl_div takes it)}}
  %0 = loss.poisson_nll %x, %x {reduction = #loss.reduction<batchmean>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @batchmean_gaussian_nll(%x: tensor<8xf32>) {
  // expected-error @+1 {{'loss.gaussian_nll' op attribute 'reduction' failed to satisfy constraint: how per-element losses are reduced except batchmean (only kl_div takes it)}}
  %0 = loss.gaussian_nll %x, %x, %x {reduction = #loss.reduction<batchmean>} : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @batchmean_margin_ranking(%x: tensor<8xf32>) {
  // expected-error @+1 {{'loss.margin_ranking' op attribute 'reduction' failed to satisfy constraint: how per-element losses are reduced except batchmean (only kl_div takes it)}}
  %0 = loss.margin_ranking %x, %x, %x {reduction = #loss.reduction<batchmean>} : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @batchmean_hinge_embedding(%x: tensor<8xf32>) {
  // expected-error @+1 {{'loss.hinge_embedding' op attribute 'reduction' failed to satisfy constraint: how per-element losses are reduced except batchmean (only kl_div takes it)}}
  %0 = loss.hinge_embedding %x, %x {reduction = #loss.reduction<batchmean>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @batchmean_soft_margin(%x: tensor<8xf32>) {
  // expected-error @+1 {{'loss.soft_margin' op attribute 'reduction' failed to satisfy constraint: how per-element losses are reduced except batchmean (only kl_div takes it)}}
  %0 = loss.soft_margin %x, %x {reduction = #loss.reduction<batchmean>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @batchmean_multilabel_margin(%x: tensor<2x4xf32>, %t: tensor<2x4xi64>) {
  // expected-error @+1 {{'loss.multilabel_margin' op attribute 'reduction' failed to satisfy constraint: how per-element losses are reduced except batchmean (only kl_div takes it)}}
  %0 = loss.multilabel_margin %x, %t {reduction = #loss.reduction<batchmean>} : (tensor<2x4xf32>, tensor<2x4xi64>) -> tensor<f32>
  return
}

// -----

func.func @batchmean_multilabel_soft_margin(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{'loss.multilabel_soft_margin' op attribute 'reduction' failed to satisfy constraint: how per-element losses are reduced except batchmean (only kl_div takes it)}}
  %0 = loss.multilabel_soft_margin %x, %x {reduction = #loss.reduction<batchmean>} : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<f32>
  return
}

// -----

func.func @batchmean_multi_margin(%x: tensor<2x4xf32>, %t: tensor<2xi64>) {
  // expected-error @+1 {{'loss.multi_margin' op attribute 'reduction' failed to satisfy constraint: how per-element losses are reduced except batchmean (only kl_div takes it)}}
  %0 = loss.multi_margin %x, %t {reduction = #loss.reduction<batchmean>} : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<f32>
  return
}

// -----

func.func @batchmean_cosine_embedding(%x: tensor<2x4xf32>, %t: tensor<2xi64>) {
  // expected-error @+1 {{'loss.cosine_embedding' op attribute 'reduction' failed to satisfy constraint: how per-element losses are reduced except batchmean (only kl_div takes it)}}
  %0 = loss.cosine_embedding %x, %x, %t {reduction = #loss.reduction<batchmean>} : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<f32>
  return
}

// -----

func.func @batchmean_triplet_margin(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{'loss.triplet_margin' op attribute 'reduction' failed to satisfy constraint: how per-element losses are reduced except batchmean (only kl_div takes it)}}
  %0 = loss.triplet_margin %x, %x, %x {reduction = #loss.reduction<batchmean>} : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<f32>
  return
}

//===----------------------------------------------------------------------===//
// log_softmax
//===----------------------------------------------------------------------===//

// -----

func.func @log_softmax_rank0(%x: tensor<f32>) {
  // expected-error @+1 {{'loss.log_softmax' op input must have rank >= 1}}
  %0 = loss.log_softmax %x : tensor<f32>
  return
}

// -----

func.func @log_softmax_axis_too_large(%x: tensor<4x10xf32>) {
  // expected-error @+1 {{'loss.log_softmax' op axis 2 is out of range for rank 2 (expected [-2, 2))}}
  %0 = loss.log_softmax %x {axis = 2 : i64} : tensor<4x10xf32>
  return
}

// -----

func.func @log_softmax_axis_too_small(%x: tensor<10xf32>) {
  // expected-error @+1 {{'loss.log_softmax' op axis -2 is out of range for rank 1 (expected [-1, 1))}}
  %0 = loss.log_softmax %x {axis = -2 : i64} : tensor<10xf32>
  return
}

// -----

func.func @log_softmax_result_type(%x: tensor<4x10xf32>) {
  // expected-error @+1 {{'loss.log_softmax' op requires the same type for all operands and results}}
  %0 = "loss.log_softmax"(%x) : (tensor<4x10xf32>) -> tensor<4x10xf64>
  return
}

//===----------------------------------------------------------------------===//
// nll
//===----------------------------------------------------------------------===//

// -----

func.func @nll_rank0_input(%x: tensor<f32>, %t: tensor<i64>) {
  // expected-error @+1 {{'loss.nll' op 'input' must have rank >= 1}}
  %0 = loss.nll %x, %t : (tensor<f32>, tensor<i64>) -> tensor<f32>
  return
}

// -----

func.func @nll_target_shape(%x: tensor<4x10xf32>, %t: tensor<5xi64>) {
  // expected-error @+1 {{'loss.nll' op class-index target must have shape [4] for 'input' of shape [4, 10], got [5]}}
  %0 = loss.nll %x, %t : (tensor<4x10xf32>, tensor<5xi64>) -> tensor<f32>
  return
}

// -----

func.func @nll_target_rank_kdim(%x: tensor<2x3x5x6xf32>, %t: tensor<2x5xi64>) {
  // expected-error @+1 {{'loss.nll' op class-index target must have shape [2, 5, 6] for 'input' of shape [2, 3, 5, 6], got [2, 5]}}
  %0 = loss.nll %x, %t : (tensor<2x3x5x6xf32>, tensor<2x5xi64>) -> tensor<f32>
  return
}

// -----

func.func @nll_unbatched_target_rank(%x: tensor<10xf32>, %t: tensor<1xi64>) {
  // expected-error @+1 {{'loss.nll' op class-index target must have shape [] for 'input' of shape [10], got [1]}}
  %0 = loss.nll %x, %t : (tensor<10xf32>, tensor<1xi64>) -> tensor<f32>
  return
}

// -----

func.func @nll_weight_length(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %w: tensor<9xf32>) {
  // expected-error @+1 {{'loss.nll' op 'weight' must have shape [C] = [10], got [9]}}
  %0 = loss.nll %x, %t weight(%w) : (tensor<4x10xf32>, tensor<4xi64>, tensor<9xf32>) -> tensor<f32>
  return
}

// -----

func.func @nll_weight_rank(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %w: tensor<1x10xf32>) {
  // expected-error @+1 {{'loss.nll' op 'weight' must have shape [C] = [10], got [1, 10]}}
  %0 = loss.nll %x, %t weight(%w) : (tensor<4x10xf32>, tensor<4xi64>, tensor<1x10xf32>) -> tensor<f32>
  return
}

// -----

func.func @nll_weight_element_type(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %w: tensor<10xf16>) {
  // expected-error @+1 {{'loss.nll' op 'weight' element type 'f16' must match the input element type 'f32'}}
  %0 = loss.nll %x, %t weight(%w) : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf16>) -> tensor<f32>
  return
}

//===----------------------------------------------------------------------===//
// softmax_cross_entropy
//===----------------------------------------------------------------------===//

// -----

func.func @ce_label_smoothing_negative(%x: tensor<4x10xf32>, %t: tensor<4xi64>) {
  // expected-error @+1 {{'loss.softmax_cross_entropy' op attribute 'label_smoothing' failed to satisfy constraint: 64-bit float attribute whose value is in [0, 1]}}
  %0 = loss.softmax_cross_entropy %x, %t {label_smoothing = -0.1 : f64} : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return
}

// -----

func.func @ce_label_smoothing_above_one(%x: tensor<4x10xf32>, %t: tensor<4xi64>) {
  // expected-error @+1 {{'loss.softmax_cross_entropy' op attribute 'label_smoothing' failed to satisfy constraint: 64-bit float attribute whose value is in [0, 1]}}
  %0 = loss.softmax_cross_entropy %x, %t {label_smoothing = 1.5 : f64} : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return
}

// -----

func.func @ce_label_smoothing_nan(%x: tensor<4x10xf32>, %t: tensor<4xi64>) {
  // expected-error @+1 {{'loss.softmax_cross_entropy' op attribute 'label_smoothing' failed to satisfy constraint: 64-bit float attribute whose value is in [0, 1]}}
  %0 = loss.softmax_cross_entropy %x, %t {label_smoothing = 0x7FF8000000000000 : f64} : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return
}

// -----

func.func @ce_rank0_logits_class_target(%x: tensor<f32>, %t: tensor<i64>) {
  // expected-error @+1 {{'loss.softmax_cross_entropy' op 'logits' must have rank >= 1}}
  %0 = loss.softmax_cross_entropy %x, %t : (tensor<f32>, tensor<i64>) -> tensor<f32>
  return
}

// -----

func.func @ce_rank0_logits_prob_target(%x: tensor<f32>) {
  // expected-error @+1 {{'loss.softmax_cross_entropy' op 'logits' must have rank >= 1}}
  %0 = loss.softmax_cross_entropy %x, %x : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @ce_class_target_shape(%x: tensor<2x3x5xf32>, %t: tensor<2x3xi64>) {
  // expected-error @+1 {{'loss.softmax_cross_entropy' op class-index target must have shape [2, 5] for 'logits' of shape [2, 3, 5], got [2, 3]}}
  %0 = loss.softmax_cross_entropy %x, %t : (tensor<2x3x5xf32>, tensor<2x3xi64>) -> tensor<f32>
  return
}

// -----

func.func @ce_prob_target_shape(%x: tensor<4x10xf32>, %p: tensor<4x9xf32>) {
  // expected-error @+1 {{'loss.softmax_cross_entropy' op 'target' shape [4, 9] must match 'logits' shape [4, 10]}}
  %0 = loss.softmax_cross_entropy %x, %p : (tensor<4x10xf32>, tensor<4x9xf32>) -> tensor<f32>
  return
}

// -----

func.func @ce_prob_target_element_type(%x: tensor<4x10xf32>, %p: tensor<4x10xf64>) {
  // expected-error @+1 {{'loss.softmax_cross_entropy' op 'target' element type 'f64' must match the input element type 'f32'}}
  %0 = loss.softmax_cross_entropy %x, %p : (tensor<4x10xf32>, tensor<4x10xf64>) -> tensor<f32>
  return
}

// -----

func.func @ce_prob_target_ignore_index(%x: tensor<4x10xf32>) {
  // expected-error @+1 {{'loss.softmax_cross_entropy' op probability targets require a negative 'ignore_index', got 0}}
  %0 = loss.softmax_cross_entropy %x, %x {ignore_index = 0 : i64} : (tensor<4x10xf32>, tensor<4x10xf32>) -> tensor<f32>
  return
}

// -----

func.func @ce_weight_length(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %w: tensor<4xf32>) {
  // expected-error @+1 {{'loss.softmax_cross_entropy' op 'weight' must have shape [C] = [10], got [4]}}
  %0 = loss.softmax_cross_entropy %x, %t weight(%w) : (tensor<4x10xf32>, tensor<4xi64>, tensor<4xf32>) -> tensor<f32>
  return
}

// -----

func.func @ce_prob_weight_length(%x: tensor<5xf32>, %w: tensor<4xf32>) {
  // expected-error @+1 {{'loss.softmax_cross_entropy' op 'weight' must have shape [C] = [5], got [4]}}
  %0 = loss.softmax_cross_entropy %x, %x weight(%w) : (tensor<5xf32>, tensor<5xf32>, tensor<4xf32>) -> tensor<f32>
  return
}

// -----

func.func @ce_weight_element_type(%x: tensor<4x10xbf16>, %t: tensor<4xi64>, %w: tensor<10xf32>) {
  // expected-error @+1 {{'loss.softmax_cross_entropy' op 'weight' element type 'f32' must match the input element type 'bf16'}}
  %0 = loss.softmax_cross_entropy %x, %t weight(%w) : (tensor<4x10xbf16>, tensor<4xi64>, tensor<10xf32>) -> tensor<bf16>
  return
}

// -----

func.func @ce_log_prob_type(%x: tensor<4x10xf32>, %t: tensor<4xi64>) {
  // expected-error @+1 {{'loss.softmax_cross_entropy' op 'log_prob' result type 'tensor<4x?xf32>' must match the logits type 'tensor<4x10xf32>'}}
  %0:2 = loss.softmax_cross_entropy %x, %t : (tensor<4x10xf32>, tensor<4xi64>) -> (tensor<f32>, tensor<4x?xf32>)
  return
}

// -----

func.func @ce_prob_none_shape(%x: tensor<2x3x5xf32>) {
  // expected-error @+1 {{'loss.softmax_cross_entropy' op with reduction 'none' the result must have shape [2, 5], got [2, 3, 5]}}
  %0 = loss.softmax_cross_entropy %x, %x {reduction = #loss.reduction<none>} : (tensor<2x3x5xf32>, tensor<2x3x5xf32>) -> tensor<2x3x5xf32>
  return
}

//===----------------------------------------------------------------------===//
// ctc
//===----------------------------------------------------------------------===//

// -----

func.func @ctc_log_probs_rank(%lp: tensor<5xf32>, %tg: tensor<2xi64>, %l: tensor<i64>) {
  // expected-error @+1 {{'loss.ctc' op 'log_probs' must be [T, N, C] or [T, C], got [5]}}
  %0 = loss.ctc %lp, %tg, %l, %l : (tensor<5xf32>, tensor<2xi64>, tensor<i64>, tensor<i64>) -> tensor<f32>
  return
}

// -----

func.func @ctc_blank_negative(%lp: tensor<5x2x3xf32>, %tg: tensor<2x2xi64>, %l: tensor<2xi64>) {
  // expected-error @+1 {{'loss.ctc' op attribute 'blank' failed to satisfy constraint: 64-bit signless integer attribute whose value is non-negative}}
  %0 = loss.ctc %lp, %tg, %l, %l {blank = -1 : i64} : (tensor<5x2x3xf32>, tensor<2x2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<f32>
  return
}

// -----

func.func @ctc_blank_too_large(%lp: tensor<5x2x3xf32>, %tg: tensor<2x2xi64>, %l: tensor<2xi64>) {
  // expected-error @+1 {{'loss.ctc' op 'blank' must be in [0, C) = [0, 3), got 3}}
  %0 = loss.ctc %lp, %tg, %l, %l {blank = 3 : i64} : (tensor<5x2x3xf32>, tensor<2x2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<f32>
  return
}

// -----

func.func @ctc_blank_negative_dynamic_c(%lp: tensor<5x2x?xf32>, %tg: tensor<2x2xi64>, %l: tensor<2xi64>) {
  // expected-error @+1 {{'loss.ctc' op attribute 'blank' failed to satisfy constraint: 64-bit signless integer attribute whose value is non-negative}}
  %0 = loss.ctc %lp, %tg, %l, %l {blank = -2 : i64} : (tensor<5x2x?xf32>, tensor<2x2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<f32>
  return
}

// -----

func.func @ctc_targets_rank(%lp: tensor<5x2x3xf32>, %tg: tensor<2x2x1xi64>, %l: tensor<2xi64>) {
  // expected-error @+1 {{'loss.ctc' op 'targets' must be padded [N, S] or concatenated 1-D, got [2, 2, 1]}}
  %0 = loss.ctc %lp, %tg, %l, %l : (tensor<5x2x3xf32>, tensor<2x2x1xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<f32>
  return
}

// -----

func.func @ctc_padded_rows(%lp: tensor<5x2x3xf32>, %tg: tensor<3x2xi64>, %l: tensor<2xi64>) {
  // expected-error @+1 {{'loss.ctc' op padded 'targets' must have N = [2] rows, got [3, 2]}}
  %0 = loss.ctc %lp, %tg, %l, %l : (tensor<5x2x3xf32>, tensor<3x2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<f32>
  return
}

// -----

func.func @ctc_unbatched_targets_rank(%lp: tensor<5x3xf32>, %tg: tensor<1x2xi64>, %l: tensor<i64>) {
  // expected-error @+1 {{'loss.ctc' op unbatched 'targets' must be 1-D [S], got [1, 2]}}
  %0 = loss.ctc %lp, %tg, %l, %l : (tensor<5x3xf32>, tensor<1x2xi64>, tensor<i64>, tensor<i64>) -> tensor<f32>
  return
}

// -----

func.func @ctc_input_lengths_shape(%lp: tensor<5x2x3xf32>, %tg: tensor<2x2xi64>, %il: tensor<3xi64>, %tl: tensor<2xi64>) {
  // expected-error @+1 {{'loss.ctc' op 'input_lengths' must have shape [2], got [3]}}
  %0 = loss.ctc %lp, %tg, %il, %tl : (tensor<5x2x3xf32>, tensor<2x2xi64>, tensor<3xi64>, tensor<2xi64>) -> tensor<f32>
  return
}

// -----

func.func @ctc_target_lengths_rank0(%lp: tensor<5x2x3xf32>, %tg: tensor<2x2xi64>, %il: tensor<2xi64>, %tl: tensor<i64>) {
  // expected-error @+1 {{'loss.ctc' op 'target_lengths' must have shape [2], got []}}
  %0 = loss.ctc %lp, %tg, %il, %tl : (tensor<5x2x3xf32>, tensor<2x2xi64>, tensor<2xi64>, tensor<i64>) -> tensor<f32>
  return
}

// -----

func.func @ctc_unbatched_lengths(%lp: tensor<5x3xf32>, %tg: tensor<2xi64>, %il: tensor<i64>, %tl: tensor<2xi64>) {
  // expected-error @+1 {{'loss.ctc' op 'target_lengths' must have shape [] or [1], got [2]}}
  %0 = loss.ctc %lp, %tg, %il, %tl : (tensor<5x3xf32>, tensor<2xi64>, tensor<i64>, tensor<2xi64>) -> tensor<f32>
  return
}

// -----

func.func @ctc_none_shape(%lp: tensor<5x2x3xf32>, %tg: tensor<2x2xi64>, %l: tensor<2xi64>) {
  // expected-error @+1 {{'loss.ctc' op with reduction 'none' the result must have shape [2], got []}}
  %0 = loss.ctc %lp, %tg, %l, %l {reduction = #loss.reduction<none>} : (tensor<5x2x3xf32>, tensor<2x2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<f32>
  return
}

// -----

func.func @ctc_unbatched_none_shape(%lp: tensor<5x3xf64>, %tg: tensor<2xi64>, %l: tensor<1xi64>) {
  // expected-error @+1 {{'loss.ctc' op with reduction 'none' the result must have shape [], got [1]}}
  %0 = loss.ctc %lp, %tg, %l, %l {reduction = #loss.reduction<none>} : (tensor<5x3xf64>, tensor<2xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1xf64>
  return
}

//===----------------------------------------------------------------------===//
// Elementwise: bce, bce_with_logits, l1, mse, smooth_l1, huber, poisson_nll,
// kl_div, hinge_embedding, soft_margin
//===----------------------------------------------------------------------===//

// -----

func.func @bce_target_shape(%x: tensor<8xf32>, %t: tensor<7xf32>) {
  // expected-error @+1 {{'loss.bce' op 'target' shape [7] must match 'input' shape [8]}}
  %0 = loss.bce %x, %t : (tensor<8xf32>, tensor<7xf32>) -> tensor<f32>
  return
}

// -----

func.func @bce_weight_broadcast(%x: tensor<4x3xf32>, %w: tensor<4xf32>) {
  // expected-error @+1 {{'loss.bce' op 'weight' of shape [4] does not broadcast to the input shape [4, 3]}}
  %0 = loss.bce %x, %x weight(%w) : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<f32>
  return
}

// -----

func.func @bce_weight_rank(%x: tensor<3xf32>, %w: tensor<2x3xf32>) {
  // expected-error @+1 {{'loss.bce' op 'weight' of shape [2, 3] does not broadcast to the input shape [3]}}
  %0 = loss.bce %x, %x weight(%w) : (tensor<3xf32>, tensor<3xf32>, tensor<2x3xf32>) -> tensor<f32>
  return
}

// -----

func.func @bce_weight_element_type(%x: tensor<4x3xf32>, %w: tensor<3xf64>) {
  // expected-error @+1 {{'loss.bce' op 'weight' element type 'f64' must match the input element type 'f32'}}
  %0 = loss.bce %x, %x weight(%w) : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<3xf64>) -> tensor<f32>
  return
}

// -----

func.func @bce_with_logits_weight_broadcast(%x: tensor<4x3xf32>, %w: tensor<2x3xf32>) {
  // expected-error @+1 {{'loss.bce_with_logits' op 'weight' of shape [2, 3] does not broadcast to the input shape [4, 3]}}
  %0 = loss.bce_with_logits %x, %x weight(%w) : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<f32>
  return
}

// -----

func.func @bce_with_logits_pos_weight_broadcast(%x: tensor<4x3xf32>, %pw: tensor<4xf32>) {
  // expected-error @+1 {{'loss.bce_with_logits' op 'pos_weight' of shape [4] does not broadcast to the input shape [4, 3]}}
  %0 = loss.bce_with_logits %x, %x pos_weight(%pw) : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<f32>
  return
}

// -----

func.func @bce_with_logits_pos_weight_element_type(%x: tensor<4x3xf16>, %pw: tensor<3xbf16>) {
  // expected-error @+1 {{'loss.bce_with_logits' op 'pos_weight' element type 'bf16' must match the input element type 'f16'}}
  %0 = loss.bce_with_logits %x, %x pos_weight(%pw) : (tensor<4x3xf16>, tensor<4x3xf16>, tensor<3xbf16>) -> tensor<f16>
  return
}

// -----

func.func @bce_with_logits_target_element_type(%x: tensor<8xf32>, %t: tensor<8xf64>) {
  // expected-error @+1 {{'loss.bce_with_logits' op 'target' element type 'f64' must match the input element type 'f32'}}
  %0 = loss.bce_with_logits %x, %t : (tensor<8xf32>, tensor<8xf64>) -> tensor<f32>
  return
}

// -----

func.func @l1_target_shape(%x: tensor<8xf32>, %t: tensor<3xf32>) {
  // expected-error @+1 {{'loss.l1' op 'input' and 'target' of shapes [8], [3] do not broadcast together}}
  %0 = loss.l1 %x, %t : (tensor<8xf32>, tensor<3xf32>) -> tensor<f32>
  return
}

// -----

func.func @l1_bool_target(%x: tensor<8xf32>, %t: tensor<8xi1>) {
  // expected-error @+1 {{'loss.l1' op 'target' of type i1 (bool) is not accepted: PyTorch rejects boolean targets for this loss}}
  %0 = loss.l1 %x, %t : (tensor<8xf32>, tensor<8xi1>) -> tensor<f32>
  return
}

// -----

func.func @mse_broadcast_none_shape(%x: tensor<4x1xf32>, %t: tensor<4xf32>) {
  // expected-error @+1 {{'loss.mse' op with reduction 'none' the result must have shape [4, 4], got [4, 1]}}
  %0 = loss.mse %x, %t {reduction = #loss.reduction<none>} : (tensor<4x1xf32>, tensor<4xf32>) -> tensor<4x1xf32>
  return
}

// -----

func.func @mse_target_element_type(%x: tensor<8xf32>, %t: tensor<8xbf16>) {
  // expected-error @+1 {{'loss.mse' op 'target' element type 'bf16' must match the input element type 'f32'}}
  %0 = loss.mse %x, %t : (tensor<8xf32>, tensor<8xbf16>) -> tensor<f32>
  return
}

// -----

func.func @smooth_l1_negative_beta(%x: tensor<8xf32>) {
  // expected-error @+1 {{'loss.smooth_l1' op attribute 'beta' failed to satisfy constraint: 64-bit float attribute whose value is non-negative}}
  %0 = loss.smooth_l1 %x, %x {beta = -1.0 : f64} : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @smooth_l1_nan_beta(%x: tensor<8xf32>) {
  // expected-error @+1 {{'loss.smooth_l1' op attribute 'beta' failed to satisfy constraint: 64-bit float attribute whose value is non-negative}}
  %0 = loss.smooth_l1 %x, %x {beta = 0x7FF8000000000000 : f64} : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @smooth_l1_target_shape(%x: tensor<8xf32>, %t: tensor<?x3xf32>) {
  // expected-error @+1 {{'loss.smooth_l1' op 'input' and 'target' of shapes [8], [?, 3] do not broadcast together}}
  %0 = loss.smooth_l1 %x, %t : (tensor<8xf32>, tensor<?x3xf32>) -> tensor<f32>
  return
}

// -----

func.func @huber_zero_delta(%x: tensor<8xf32>) {
  // expected-error @+1 {{'loss.huber' op attribute 'delta' failed to satisfy constraint: 64-bit float attribute whose value is positive}}
  %0 = loss.huber %x, %x {delta = 0.0 : f64} : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @huber_negative_delta(%x: tensor<8xf32>) {
  // expected-error @+1 {{'loss.huber' op attribute 'delta' failed to satisfy constraint: 64-bit float attribute whose value is positive}}
  %0 = loss.huber %x, %x {delta = -2.0 : f64} : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

// The gradient takes the forward's delta > 0.
func.func @huber_grad_zero_delta(%x: tensor<8xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.huber_grad' op attribute 'delta' failed to satisfy constraint: 64-bit float attribute whose value is positive}}
  %0:2 = loss.huber_grad %x, %x, %g {delta = 0.0 : f64} : (tensor<8xf32>, tensor<8xf32>, tensor<f32>) -> (tensor<8xf32>, tensor<8xf32>)
  return
}

// -----

func.func @huber_none_shape(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{'loss.huber' op with reduction 'none' the result must have shape [2, 4], got [4, 2]}}
  %0 = loss.huber %x, %x {reduction = #loss.reduction<none>} : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @poisson_nll_negative_eps(%x: tensor<8xf32>) {
  // expected-error @+1 {{'loss.poisson_nll' op attribute 'eps' failed to satisfy constraint: 64-bit float attribute whose value is non-negative}}
  %0 = loss.poisson_nll %x, %x {eps = -1.0e-8 : f64} : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @poisson_nll_target_shape(%x: tensor<8xf32>, %t: tensor<4xf32>) {
  // expected-error @+1 {{'loss.poisson_nll' op 'input' and 'target' of shapes [8], [4] do not broadcast together}}
  %0 = loss.poisson_nll %x, %t : (tensor<8xf32>, tensor<4xf32>) -> tensor<f32>
  return
}

// -----

func.func @kl_div_target_shape(%x: tensor<4x5xf32>, %t: tensor<5x4xf32>) {
  // expected-error @+1 {{'loss.kl_div' op 'input' and 'target' of shapes [4, 5], [5, 4] do not broadcast together}}
  %0 = loss.kl_div %x, %t {reduction = #loss.reduction<batchmean>} : (tensor<4x5xf32>, tensor<5x4xf32>) -> tensor<f32>
  return
}

// -----

func.func @kl_div_integer_target(%x: tensor<4xf32>, %t: tensor<4xi64>) {
  // expected-error @+1 {{'loss.kl_div' op operand #1 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi64>'}}
  %0 = loss.kl_div %x, %t : (tensor<4xf32>, tensor<4xi64>) -> tensor<f32>
  return
}

// -----

func.func @kl_div_result_element_type(%x: tensor<4x5xf16>) {
  // expected-error @+1 {{'loss.kl_div' op result element type 'f32' must match the input element type 'f16'}}
  %0 = loss.kl_div %x, %x : (tensor<4x5xf16>, tensor<4x5xf16>) -> tensor<f32>
  return
}

// -----

func.func @hinge_embedding_target_shape(%x: tensor<8xf32>, %t: tensor<3xi64>) {
  // expected-error @+1 {{'loss.hinge_embedding' op 'input' and 'target' of shapes [8], [3] do not broadcast together}}
  %0 = loss.hinge_embedding %x, %t : (tensor<8xf32>, tensor<3xi64>) -> tensor<f32>
  return
}

// -----

func.func @soft_margin_target_element_type(%x: tensor<8xf64>, %t: tensor<8xf32>) {
  // expected-error @+1 {{'loss.soft_margin' op 'target' element type 'f32' must match the input element type 'f64'}}
  %0 = loss.soft_margin %x, %t : (tensor<8xf64>, tensor<8xf32>) -> tensor<f64>
  return
}

// -----

// PyTorch writes soft_margin into an input-shaped output: the target may
// broadcast to the input, not the input to the target.
func.func @soft_margin_target_larger(%x: tensor<4xf32>, %t: tensor<3x4xi64>) {
  // expected-error @+1 {{'loss.soft_margin' op 'target' of shape [3, 4] does not broadcast to the input shape [4]}}
  %0 = loss.soft_margin %x, %t : (tensor<4xf32>, tensor<3x4xi64>) -> tensor<f32>
  return
}

//===----------------------------------------------------------------------===//
// gaussian_nll
//===----------------------------------------------------------------------===//

// -----

func.func @gaussian_nll_negative_eps(%x: tensor<8xf32>) {
  // expected-error @+1 {{'loss.gaussian_nll' op attribute 'eps' failed to satisfy constraint: 64-bit float attribute whose value is non-negative}}
  %0 = loss.gaussian_nll %x, %x, %x {eps = -1.0 : f64} : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @gaussian_nll_var_shape(%x: tensor<4x3xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{'loss.gaussian_nll' op 'var' of shape [3] must match the input shape [4, 3], or drop its last dimension or set it to 1}}
  %0 = loss.gaussian_nll %x, %x, %v : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<f32>
  return
}

// -----

func.func @gaussian_nll_var_shape_rank0_input(%x: tensor<f32>, %v: tensor<1xf32>) {
  // expected-error @+1 {{'loss.gaussian_nll' op 'var' of shape [1] must match the input shape [], or drop its last dimension or set it to 1}}
  %0 = loss.gaussian_nll %x, %x, %v : (tensor<f32>, tensor<f32>, tensor<1xf32>) -> tensor<f32>
  return
}

// -----

func.func @gaussian_nll_var_element_type(%x: tensor<4x3xf32>, %v: tensor<4x1xf64>) {
  // expected-error @+1 {{'loss.gaussian_nll' op 'var' element type 'f64' must match the input element type 'f32'}}
  %0 = loss.gaussian_nll %x, %x, %v : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x1xf64>) -> tensor<f32>
  return
}

// -----

func.func @gaussian_nll_target_shape(%x: tensor<4x3xf32>, %t: tensor<5x3xf32>) {
  // expected-error @+1 {{'loss.gaussian_nll' op 'input' and 'target' of shapes [4, 3], [5, 3] do not broadcast together (with 'var' as [4, 3])}}
  %0 = loss.gaussian_nll %x, %t, %x : (tensor<4x3xf32>, tensor<5x3xf32>, tensor<4x3xf32>) -> tensor<f32>
  return
}

// -----

func.func @gaussian_nll_bool_target(%x: tensor<4xf32>, %t: tensor<4xi1>) {
  // expected-error @+1 {{'loss.gaussian_nll' op 'target' of type i1 (bool) is not accepted: PyTorch rejects boolean targets for this loss}}
  %0 = loss.gaussian_nll %x, %t, %x : (tensor<4xf32>, tensor<4xi1>, tensor<4xf32>) -> tensor<f32>
  return
}

//===----------------------------------------------------------------------===//
// margin_ranking
//===----------------------------------------------------------------------===//

// -----

func.func @margin_ranking_target_shape(%x: tensor<8xf32>, %t: tensor<4xf32>) {
  // expected-error @+1 {{'loss.margin_ranking' op 'input1', 'input2' and 'target' of shapes [8], [8], [4] do not broadcast together}}
  %0 = loss.margin_ranking %x, %x, %t : (tensor<8xf32>, tensor<8xf32>, tensor<4xf32>) -> tensor<f32>
  return
}

// -----

func.func @margin_ranking_rank(%x: tensor<8xf32>, %t: tensor<f32>) {
  // expected-error @+1 {{'loss.margin_ranking' op 'input1', 'input2' and 'target' must have the same rank, got shapes [8], [8], []}}
  %0 = loss.margin_ranking %x, %x, %t : (tensor<8xf32>, tensor<8xf32>, tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @margin_ranking_bool_target(%x: tensor<8xf32>, %t: tensor<8xi1>) {
  // expected-error @+1 {{'loss.margin_ranking' op 'target' of type i1 (bool) is not accepted: PyTorch rejects boolean targets for this loss}}
  %0 = loss.margin_ranking %x, %x, %t : (tensor<8xf32>, tensor<8xf32>, tensor<8xi1>) -> tensor<f32>
  return
}

// -----

func.func @margin_ranking_input2_shape(%x: tensor<8xf32>, %y: tensor<4xf32>) {
  // expected-error @+1 {{'loss.margin_ranking' op 'input1', 'input2' and 'target' of shapes [8], [4], [8] do not broadcast together}}
  %0 = loss.margin_ranking %x, %y, %x : (tensor<8xf32>, tensor<4xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @margin_ranking_input2_element_type(%x: tensor<8xf32>, %y: tensor<8xf16>) {
  // expected-error @+1 {{'loss.margin_ranking' op 'input2' element type 'f16' must match the input element type 'f32'}}
  %0 = loss.margin_ranking %x, %y, %x : (tensor<8xf32>, tensor<8xf16>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @margin_ranking_none_shape(%x: tensor<8xf32>) {
  // expected-error @+1 {{'loss.margin_ranking' op with reduction 'none' the result must have shape [8], got []}}
  %0 = loss.margin_ranking %x, %x, %x {reduction = #loss.reduction<none>} : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

//===----------------------------------------------------------------------===//
// multilabel_margin, multilabel_soft_margin, multi_margin
//===----------------------------------------------------------------------===//

// -----

func.func @multilabel_margin_no_classes(%x: tensor<2x0xf32>, %t: tensor<2x0xi64>) {
  // expected-error @+1 {{'loss.multilabel_margin' op 'input' must have a non-empty class dimension, got [2, 0]}}
  %0 = loss.multilabel_margin %x, %t : (tensor<2x0xf32>, tensor<2x0xi64>) -> tensor<f32>
  return
}

// -----

func.func @multilabel_margin_unbatched_target(%x: tensor<4xf32>, %t: tensor<i64>) {
  // expected-error @+1 {{'loss.multilabel_margin' op 'target' must have shape [4] for 'input' of shape [4], got []}}
  %0 = loss.multilabel_margin %x, %t : (tensor<4xf32>, tensor<i64>) -> tensor<f32>
  return
}

// -----

func.func @multilabel_margin_0d_target(%x: tensor<f32>, %t: tensor<2xi64>) {
  // expected-error @+1 {{'loss.multilabel_margin' op 'target' must have shape [1] or [] for 'input' of shape [], got [2]}}
  %0 = loss.multilabel_margin %x, %t : (tensor<f32>, tensor<2xi64>) -> tensor<f32>
  return
}

// -----

func.func @multilabel_margin_rank3(%x: tensor<2x3x4xf32>, %t: tensor<2x3x4xi64>) {
  // expected-error @+1 {{'loss.multilabel_margin' op 'input' must be [N, C], [C] or [], got [2, 3, 4]}}
  %0 = loss.multilabel_margin %x, %t : (tensor<2x3x4xf32>, tensor<2x3x4xi64>) -> tensor<f32>
  return
}

// -----

func.func @multilabel_margin_target_shape(%x: tensor<2x4xf32>, %t: tensor<2xi64>) {
  // expected-error @+1 {{'loss.multilabel_margin' op 'target' shape [2] must match 'input' shape [2, 4]}}
  %0 = loss.multilabel_margin %x, %t : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<f32>
  return
}

// -----

func.func @multilabel_margin_none_shape(%x: tensor<2x4xf32>, %t: tensor<2x4xi64>) {
  // expected-error @+1 {{'loss.multilabel_margin' op with reduction 'none' the result must have shape [2], got [2, 4]}}
  %0 = loss.multilabel_margin %x, %t {reduction = #loss.reduction<none>} : (tensor<2x4xf32>, tensor<2x4xi64>) -> tensor<2x4xf32>
  return
}

// -----

func.func @multilabel_soft_margin_rank0(%x: tensor<f32>) {
  // expected-error @+1 {{'loss.multilabel_soft_margin' op 'input' must have rank >= 1}}
  %0 = loss.multilabel_soft_margin %x, %x : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @multilabel_soft_margin_target_shape(%x: tensor<2x4xf32>, %t: tensor<2x5xf32>) {
  // expected-error @+1 {{'loss.multilabel_soft_margin' op 'target' of shape [2, 5] does not broadcast to the input shape [2, 4]}}
  %0 = loss.multilabel_soft_margin %x, %t : (tensor<2x4xf32>, tensor<2x5xf32>) -> tensor<f32>
  return
}

// -----

func.func @multilabel_soft_margin_bool_target(%x: tensor<2x4xf32>, %t: tensor<2x4xi1>) {
  // expected-error @+1 {{'loss.multilabel_soft_margin' op 'target' of type i1 (bool) is not accepted: PyTorch rejects boolean targets for this loss}}
  %0 = loss.multilabel_soft_margin %x, %t : (tensor<2x4xf32>, tensor<2x4xi1>) -> tensor<f32>
  return
}

// -----

func.func @multilabel_soft_margin_weight_length(%x: tensor<2x4xf32>, %w: tensor<2xf32>) {
  // expected-error @+1 {{'loss.multilabel_soft_margin' op 'weight' of shape [2] does not broadcast to the input shape [2, 4]}}
  %0 = loss.multilabel_soft_margin %x, %x weight(%w) : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<f32>
  return
}

// -----

func.func @multilabel_soft_margin_weight_element_type(%x: tensor<2x4xf32>, %w: tensor<4xf64>) {
  // expected-error @+1 {{'loss.multilabel_soft_margin' op 'weight' element type 'f64' must match the input element type 'f32'}}
  %0 = loss.multilabel_soft_margin %x, %x weight(%w) : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<4xf64>) -> tensor<f32>
  return
}

// -----

func.func @multi_margin_p_zero(%x: tensor<2x4xf32>, %t: tensor<2xi64>) {
  // expected-error @+1 {{'loss.multi_margin' op attribute 'p' failed to satisfy constraint: 64-bit signless integer attribute whose value is 1 or 2}}
  %0 = loss.multi_margin %x, %t {p = 0 : i64} : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<f32>
  return
}

// -----

func.func @multi_margin_p_three(%x: tensor<2x4xf32>, %t: tensor<2xi64>) {
  // expected-error @+1 {{'loss.multi_margin' op attribute 'p' failed to satisfy constraint: 64-bit signless integer attribute whose value is 1 or 2}}
  %0 = loss.multi_margin %x, %t {p = 3 : i64} : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<f32>
  return
}

// -----

func.func @multi_margin_no_classes(%x: tensor<2x0xf32>, %t: tensor<2xi64>) {
  // expected-error @+1 {{'loss.multi_margin' op 'input' must have a non-empty class dimension, got [2, 0]}}
  %0 = loss.multi_margin %x, %t : (tensor<2x0xf32>, tensor<2xi64>) -> tensor<f32>
  return
}

// -----

func.func @multi_margin_unbatched_target(%x: tensor<4xf32>, %t: tensor<2xi64>) {
  // expected-error @+1 {{'loss.multi_margin' op class-index target must have shape [] or [1] for 'input' of shape [4], got [2]}}
  %0 = loss.multi_margin %x, %t : (tensor<4xf32>, tensor<2xi64>) -> tensor<f32>
  return
}

// -----

func.func @multi_margin_0d_target_batched(%x: tensor<2x4xf32>, %t: tensor<i64>) {
  // expected-error @+1 {{'loss.multi_margin' op class-index target must have shape [2] for 'input' of shape [2, 4], got []}}
  %0 = loss.multi_margin %x, %t : (tensor<2x4xf32>, tensor<i64>) -> tensor<f32>
  return
}

// -----

func.func @multi_margin_0d_target_dynamic_batch(%x: tensor<?x4xf32>, %t: tensor<i64>) {
  // expected-error @+1 {{'loss.multi_margin' op class-index target must have shape [?] for 'input' of shape [?, 4], got []}}
  %0 = loss.multi_margin %x, %t : (tensor<?x4xf32>, tensor<i64>) -> tensor<f32>
  return
}

// -----

func.func @multi_margin_none_shape(%x: tensor<4xf32>, %t: tensor<1xi64>) {
  // expected-error @+1 {{'loss.multi_margin' op with reduction 'none' the result must have shape [1], got []}}
  %0 = loss.multi_margin %x, %t {reduction = #loss.reduction<none>} : (tensor<4xf32>, tensor<1xi64>) -> tensor<f32>
  return
}

// -----

func.func @multi_margin_rank3(%x: tensor<2x4x3xf32>, %t: tensor<2x3xi64>) {
  // expected-error @+1 {{'loss.multi_margin' op 'input' must be [N, C], [C] or [], got [2, 4, 3]}}
  %0 = loss.multi_margin %x, %t : (tensor<2x4x3xf32>, tensor<2x3xi64>) -> tensor<f32>
  return
}

// -----

func.func @multi_margin_target_shape(%x: tensor<2x4xf32>, %t: tensor<4xi64>) {
  // expected-error @+1 {{'loss.multi_margin' op class-index target must have shape [2] for 'input' of shape [2, 4], got [4]}}
  %0 = loss.multi_margin %x, %t : (tensor<2x4xf32>, tensor<4xi64>) -> tensor<f32>
  return
}

// -----

func.func @multi_margin_weight_length(%x: tensor<2x4xf32>, %t: tensor<2xi64>, %w: tensor<2xf32>) {
  // expected-error @+1 {{'loss.multi_margin' op 'weight' must have shape [C] = [4], got [2]}}
  %0 = loss.multi_margin %x, %t weight(%w) : (tensor<2x4xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<f32>
  return
}

//===----------------------------------------------------------------------===//
// cosine_embedding, triplet_margin
//===----------------------------------------------------------------------===//

// -----

func.func @cosine_embedding_rank0(%x: tensor<f32>) {
  // expected-error @+1 {{'loss.cosine_embedding' op a 0-d target needs [D] inputs, got shapes [], []}}
  %0 = loss.cosine_embedding %x, %x, %x : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<f32>
  return
}

// -----

func.func @cosine_embedding_rank3(%x: tensor<2x3x4xf32>, %t: tensor<2xf32>) {
  // expected-error @+1 {{'loss.cosine_embedding' op a [N] target needs [N, D] inputs, got shapes [2, 3, 4], [2, 3, 4]}}
  %0 = loss.cosine_embedding %x, %x, %t : (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2xf32>) -> tensor<f32>
  return
}

// -----

func.func @cosine_embedding_input2_shape(%x: tensor<2x4xf32>, %y: tensor<2x3xf32>, %t: tensor<2xf32>) {
  // expected-error @+1 {{'loss.cosine_embedding' op 'input1' and 'input2' of shapes [2, 4], [2, 3] do not broadcast together}}
  %0 = loss.cosine_embedding %x, %y, %t : (tensor<2x4xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<f32>
  return
}

// -----

func.func @cosine_embedding_target_shape(%x: tensor<2x4xf32>, %t: tensor<2x4xf32>) {
  // expected-error @+1 {{'loss.cosine_embedding' op 'target' must be [N] or [], got [2, 4]}}
  %0 = loss.cosine_embedding %x, %x, %t : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<f32>
  return
}

// -----

func.func @cosine_embedding_unbatched_target_shape(%x: tensor<4xf32>, %t: tensor<1xi64>) {
  // expected-error @+1 {{'loss.cosine_embedding' op a [N] target needs [N, D] inputs, got shapes [4], [4]}}
  %0 = loss.cosine_embedding %x, %x, %t : (tensor<4xf32>, tensor<4xf32>, tensor<1xi64>) -> tensor<f32>
  return
}

// -----

func.func @cosine_embedding_target_broadcast(%x: tensor<2x4xf32>, %t: tensor<3xi64>) {
  // expected-error @+1 {{'loss.cosine_embedding' op 'target' of shape [3] does not broadcast with the per-sample shape [2]}}
  %0 = loss.cosine_embedding %x, %x, %t : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<3xi64>) -> tensor<f32>
  return
}

// -----

func.func @cosine_embedding_target_element_type(%x: tensor<2x4xf32>, %t: tensor<2xf64>) {
  // expected-error @+1 {{'loss.cosine_embedding' op 'target' element type 'f64' must match the input element type 'f32'}}
  %0 = loss.cosine_embedding %x, %x, %t : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2xf64>) -> tensor<f32>
  return
}

// -----

func.func @cosine_embedding_none_shape(%x: tensor<2x4xf32>, %t: tensor<2xi64>) {
  // expected-error @+1 {{'loss.cosine_embedding' op with reduction 'none' the result must have shape [2], got [2, 4]}}
  %0 = loss.cosine_embedding %x, %x, %t {reduction = #loss.reduction<none>} : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x4xf32>
  return
}

// -----

func.func @triplet_margin_p_zero(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{'loss.triplet_margin' op attribute 'p' failed to satisfy constraint: 64-bit float attribute whose value is positive}}
  %0 = loss.triplet_margin %x, %x, %x {p = 0.0 : f64} : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<f32>
  return
}

// -----

func.func @triplet_margin_negative_eps(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{'loss.triplet_margin' op attribute 'eps' failed to satisfy constraint: 64-bit float attribute whose value is non-negative}}
  %0 = loss.triplet_margin %x, %x, %x {eps = -1.0e-6 : f64} : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<f32>
  return
}

// -----

func.func @triplet_margin_rank(%a: tensor<2x4xf32>, %p: tensor<4xf32>) {
  // expected-error @+1 {{'loss.triplet_margin' op 'anchor', 'positive' and 'negative' must have the same rank, got shapes [2, 4], [4], [2, 4]}}
  %0 = loss.triplet_margin %a, %p, %a : (tensor<2x4xf32>, tensor<4xf32>, tensor<2x4xf32>) -> tensor<f32>
  return
}

// -----

func.func @triplet_margin_distances_shape(%a: tensor<1x4xf32>, %p: tensor<2x4xf32>, %n: tensor<3x4xf32>) {
  // expected-error @+1 {{'loss.triplet_margin' op the distances of shapes [2], [3] do not broadcast together}}
  %0 = loss.triplet_margin %a, %p, %n : (tensor<1x4xf32>, tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<f32>
  return
}

// -----

func.func @triplet_margin_swap_pair_shape(%a: tensor<1x1xf32>, %p: tensor<1x4xf32>, %n: tensor<1x5xf32>) {
  // expected-error @+1 {{'loss.triplet_margin' op 'positive' and 'negative' of shapes [1, 4], [1, 5] do not broadcast together}}
  %0 = loss.triplet_margin %a, %p, %n {swap = true} : (tensor<1x1xf32>, tensor<1x4xf32>, tensor<1x5xf32>) -> tensor<f32>
  return
}

// -----

func.func @triplet_margin_positive_shape(%a: tensor<2x4xf32>, %p: tensor<3x4xf32>) {
  // expected-error @+1 {{'loss.triplet_margin' op 'anchor' and 'positive' of shapes [2, 4], [3, 4] do not broadcast together}}
  %0 = loss.triplet_margin %a, %p, %a : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<f32>
  return
}

// -----

func.func @triplet_margin_negative_element_type(%a: tensor<2x4xf32>, %n: tensor<2x4xf16>) {
  // expected-error @+1 {{'loss.triplet_margin' op 'negative' element type 'f16' must match the input element type 'f32'}}
  %0 = loss.triplet_margin %a, %a, %n : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf16>) -> tensor<f32>
  return
}

// -----

func.func @triplet_margin_none_shape(%a: tensor<4xf32>) {
  // expected-error @+1 {{'loss.triplet_margin' op with reduction 'none' the result must have shape [], got [4]}}
  %0 = loss.triplet_margin %a, %a, %a {reduction = #loss.reduction<none>} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @grad_broadcast_target(%x: tensor<4x5xf32>, %t: tensor<5xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.mse_grad' op 'target' shape [5] must match 'input' shape [4, 5] (the gradient ops take no broadcasting)}}
  %0:2 = loss.mse_grad %x, %t, %g : (tensor<4x5xf32>, tensor<5xf32>, tensor<f32>) -> (tensor<4x5xf32>, tensor<4x5xf32>)
  return
}

// -----

func.func @grad_output_shape(%x: tensor<4x5xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.l1_grad' op 'grad_output' must have shape [4, 5] for reduction 'none', got []}}
  %0:2 = loss.l1_grad %x, %x, %g {reduction = #loss.reduction<none>} : (tensor<4x5xf32>, tensor<4x5xf32>, tensor<f32>) -> (tensor<4x5xf32>, tensor<4x5xf32>)
  return
}

// -----

func.func @grad_output_type(%x: tensor<4x5xf32>, %g: tensor<f64>) {
  // expected-error @+1 {{'loss.huber_grad' op 'target' and 'grad_output' must have the input's element type 'f32'}}
  %0:2 = loss.huber_grad %x, %x, %g : (tensor<4x5xf32>, tensor<4x5xf32>, tensor<f64>) -> (tensor<4x5xf32>, tensor<4x5xf32>)
  return
}

// -----

func.func @grad_result_type(%x: tensor<4x5xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.smooth_l1_grad' op gradients must have the input's type 'tensor<4x5xf32>', got 'tensor<4xf32>'}}
  %0:2 = loss.smooth_l1_grad %x, %x, %g : (tensor<4x5xf32>, tensor<4x5xf32>, tensor<f32>) -> (tensor<4x5xf32>, tensor<4xf32>)
  return
}

// -----

func.func @grad_batchmean(%x: tensor<4x5xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.mse_grad' op attribute 'reduction' failed to satisfy constraint: how per-element losses are reduced except batchmean (only kl_div takes it)}}
  %0:2 = loss.mse_grad %x, %x, %g {reduction = #loss.reduction<batchmean>} : (tensor<4x5xf32>, tensor<4x5xf32>, tensor<f32>) -> (tensor<4x5xf32>, tensor<4x5xf32>)
  return
}

//===----------------------------------------------------------------------===//
// linear_cross_entropy
//===----------------------------------------------------------------------===//

// -----

func.func @lce_hidden_rank(%h: tensor<16xf32>, %w: tensor<100x16xf32>, %t: tensor<8xi64>) {
  // expected-error @+1 {{'loss.linear_cross_entropy' op 'hidden' must be [N, H], got [16]}}
  %0 = loss.linear_cross_entropy %h, %w, %t : (tensor<16xf32>, tensor<100x16xf32>, tensor<8xi64>) -> tensor<f32>
  return
}

// -----

func.func @lce_weight_rank(%h: tensor<8x16xf32>, %w: tensor<2x100x16xf32>, %t: tensor<8xi64>) {
  // expected-error @+1 {{'loss.linear_cross_entropy' op 'weight' must be [V, H], got [2, 100, 16]}}
  %0 = loss.linear_cross_entropy %h, %w, %t : (tensor<8x16xf32>, tensor<2x100x16xf32>, tensor<8xi64>) -> tensor<f32>
  return
}

// -----

func.func @lce_weight_type(%h: tensor<8x16xf32>, %w: tensor<100x16xf64>, %t: tensor<8xi64>) {
  // expected-error @+1 {{'loss.linear_cross_entropy' op 'weight' element type 'f64' must match the input element type 'f32'}}
  %0 = loss.linear_cross_entropy %h, %w, %t : (tensor<8x16xf32>, tensor<100x16xf64>, tensor<8xi64>) -> tensor<f32>
  return
}

// -----

func.func @lce_hidden_size(%h: tensor<8x16xf32>, %w: tensor<100x15xf32>, %t: tensor<8xi64>) {
  // expected-error @+1 {{'loss.linear_cross_entropy' op 'weight' of shape [100, 15] must have as many columns (H) as 'hidden' of shape [8, 16]}}
  %0 = loss.linear_cross_entropy %h, %w, %t : (tensor<8x16xf32>, tensor<100x15xf32>, tensor<8xi64>) -> tensor<f32>
  return
}

// -----

func.func @lce_target_rows(%h: tensor<8x16xf32>, %w: tensor<100x16xf32>, %t: tensor<9xi64>) {
  // expected-error @+1 {{'loss.linear_cross_entropy' op class-index target must have shape [8] for 'hidden' of shape [8, 16], got [9]}}
  %0 = loss.linear_cross_entropy %h, %w, %t : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<9xi64>) -> tensor<f32>
  return
}

// -----

func.func @lce_target_rank(%h: tensor<8x16xf32>, %w: tensor<100x16xf32>, %t: tensor<8x1xi64>) {
  // expected-error @+1 {{'loss.linear_cross_entropy' op class-index target must have shape [8] for 'hidden' of shape [8, 16], got [8, 1]}}
  %0 = loss.linear_cross_entropy %h, %w, %t : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8x1xi64>) -> tensor<f32>
  return
}

// -----

func.func @lce_float_target(%h: tensor<8x16xf32>, %w: tensor<100x16xf32>, %t: tensor<8xf32>) {
  // expected-error @+1 {{'loss.linear_cross_entropy' op operand #2 must be ranked tensor of signless integer values, but got 'tensor<8xf32>'}}
  %0 = loss.linear_cross_entropy %h, %w, %t : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @lce_bias_shape(%h: tensor<8x16xf32>, %w: tensor<100x16xf32>, %t: tensor<8xi64>, %b: tensor<99xf32>) {
  // expected-error @+1 {{'loss.linear_cross_entropy' op 'bias' must have shape [V] = [100] for 'weight' of shape [100, 16], got [99]}}
  %0 = loss.linear_cross_entropy %h, %w, %t bias(%b) : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xi64>, tensor<99xf32>) -> tensor<f32>
  return
}

// -----

func.func @lce_bias_type(%h: tensor<8x16xf32>, %w: tensor<100x16xf32>, %t: tensor<8xi64>, %b: tensor<100xf16>) {
  // expected-error @+1 {{'loss.linear_cross_entropy' op 'bias' element type 'f16' must match the input element type 'f32'}}
  %0 = loss.linear_cross_entropy %h, %w, %t bias(%b) : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xi64>, tensor<100xf16>) -> tensor<f32>
  return
}

// -----

func.func @lce_class_weight_rank(%h: tensor<8x16xf32>, %w: tensor<?x16xf32>, %t: tensor<8xi64>, %cw: tensor<1x100xf32>) {
  // expected-error @+1 {{'loss.linear_cross_entropy' op 'class_weight' must have shape [V] = [?] for 'weight' of shape [?, 16], got [1, 100]}}
  %0 = loss.linear_cross_entropy %h, %w, %t class_weight(%cw) : (tensor<8x16xf32>, tensor<?x16xf32>, tensor<8xi64>, tensor<1x100xf32>) -> tensor<f32>
  return
}

// -----

func.func @lce_class_weight_type(%h: tensor<8x16xf64>, %w: tensor<100x16xf64>, %t: tensor<8xi64>, %cw: tensor<100xf32>) {
  // expected-error @+1 {{'loss.linear_cross_entropy' op 'class_weight' element type 'f32' must match the input element type 'f64'}}
  %0 = loss.linear_cross_entropy %h, %w, %t class_weight(%cw) : (tensor<8x16xf64>, tensor<100x16xf64>, tensor<8xi64>, tensor<100xf32>) -> tensor<f64>
  return
}

// -----

func.func @lce_none_shape(%h: tensor<8x16xf32>, %w: tensor<100x16xf32>, %t: tensor<8xi64>) {
  // expected-error @+1 {{'loss.linear_cross_entropy' op with reduction 'none' the result must have shape [8], got [100]}}
  %0 = loss.linear_cross_entropy %h, %w, %t {reduction = #loss.reduction<none>} : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xi64>) -> tensor<100xf32>
  return
}

// -----

func.func @lce_mean_not_scalar(%h: tensor<8x16xf32>, %w: tensor<100x16xf32>, %t: tensor<8xi64>) {
  // expected-error @+1 {{'loss.linear_cross_entropy' op with reduction 'mean' the result must be a 0-d tensor, got [8]}}
  %0 = loss.linear_cross_entropy %h, %w, %t : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xi64>) -> tensor<8xf32>
  return
}

// -----

func.func @lce_result_type(%h: tensor<8x16xf32>, %w: tensor<100x16xf32>, %t: tensor<8xi64>) {
  // expected-error @+1 {{'loss.linear_cross_entropy' op result element type 'f64' must match the input element type 'f32'}}
  %0 = loss.linear_cross_entropy %h, %w, %t : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xi64>) -> tensor<f64>
  return
}

// -----

func.func @lce_label_smoothing(%h: tensor<8x16xf32>, %w: tensor<100x16xf32>, %t: tensor<8xi64>) {
  // expected-error @+1 {{'loss.linear_cross_entropy' op attribute 'label_smoothing' failed to satisfy constraint: 64-bit float attribute whose value is in [0, 1]}}
  %0 = loss.linear_cross_entropy %h, %w, %t {label_smoothing = 1.5 : f64} : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xi64>) -> tensor<f32>
  return
}

// -----

func.func @lce_batchmean(%h: tensor<8x16xf32>, %w: tensor<100x16xf32>, %t: tensor<8xi64>) {
  // expected-error @+1 {{'loss.linear_cross_entropy' op attribute 'reduction' failed to satisfy constraint: how per-element losses are reduced except batchmean (only kl_div takes it)}}
  %0 = loss.linear_cross_entropy %h, %w, %t {reduction = #loss.reduction<batchmean>} : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xi64>) -> tensor<f32>
  return
}

// -----

func.func @lce_grad_operands(%h: tensor<8x16xf32>, %w: tensor<100x15xf32>, %t: tensor<8xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.linear_cross_entropy_grad' op 'weight' of shape [100, 15] must have as many columns (H) as 'hidden' of shape [8, 16]}}
  %0:2 = loss.linear_cross_entropy_grad %h, %w, %t, %g : (tensor<8x16xf32>, tensor<100x15xf32>, tensor<8xi64>, tensor<f32>) -> (tensor<8x16xf32>, tensor<100x15xf32>)
  return
}

// -----

func.func @lce_grad_output_none(%h: tensor<8x16xf32>, %w: tensor<100x16xf32>, %t: tensor<8xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.linear_cross_entropy_grad' op 'grad_output' must have shape [8] for reduction 'none', got []}}
  %0:2 = loss.linear_cross_entropy_grad %h, %w, %t, %g {reduction = #loss.reduction<none>} : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xi64>, tensor<f32>) -> (tensor<8x16xf32>, tensor<100x16xf32>)
  return
}

// -----

func.func @lce_grad_output_type(%h: tensor<8x16xf32>, %w: tensor<100x16xf32>, %t: tensor<8xi64>, %g: tensor<f64>) {
  // expected-error @+1 {{'loss.linear_cross_entropy_grad' op 'grad_output' element type 'f64' must match the input element type 'f32'}}
  %0:2 = loss.linear_cross_entropy_grad %h, %w, %t, %g : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xi64>, tensor<f64>) -> (tensor<8x16xf32>, tensor<100x16xf32>)
  return
}

// -----

func.func @lce_grad_hidden_type(%h: tensor<8x16xf32>, %w: tensor<100x16xf32>, %t: tensor<8xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.linear_cross_entropy_grad' op 'grad_hidden' type 'tensor<?x16xf32>' must match the 'hidden' type 'tensor<8x16xf32>'}}
  %0:2 = loss.linear_cross_entropy_grad %h, %w, %t, %g : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xi64>, tensor<f32>) -> (tensor<?x16xf32>, tensor<100x16xf32>)
  return
}

// -----

func.func @lce_grad_bias_missing(%h: tensor<8x16xf32>, %w: tensor<100x16xf32>, %t: tensor<8xi64>, %b: tensor<100xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.linear_cross_entropy_grad' op 'grad_bias' is returned exactly when there is a 'bias'}}
  %0:2 = loss.linear_cross_entropy_grad %h, %w, %t bias(%b), %g : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xi64>, tensor<100xf32>, tensor<f32>) -> (tensor<8x16xf32>, tensor<100x16xf32>)
  return
}
