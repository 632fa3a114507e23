// RUN: loss-opt %s -split-input-file -verify-diagnostics

// One case (at least) per verifier rule of lib/Dialect/Loss/IR/BinaryGradOps.cpp:
// the forward ops' operand checks, then grad_output and each gradient.

//===----------------------------------------------------------------------===//
// bce_grad
//===----------------------------------------------------------------------===//

func.func @bce_grad_target_shape(%x: tensor<4x3xf32>, %t: tensor<3xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'target' shape [3] must match 'input' shape [4, 3]}}
  %0:2 = loss.bce_grad %x, %t, %g : (tensor<4x3xf32>, tensor<3xf32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<3xf32>)
  return
}

// -----

func.func @bce_grad_target_type(%x: tensor<4xf32>, %t: tensor<4xf64>, %g: tensor<f32>) {
  // expected-error @+1 {{'target' element type 'f64' must match the input element type 'f32'}}
  %0:2 = loss.bce_grad %x, %t, %g : (tensor<4xf32>, tensor<4xf64>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf64>)
  return
}

// -----

func.func @bce_grad_int_target(%x: tensor<4xf32>, %t: tensor<4xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{operand #1 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values}}
  %0:2 = loss.bce_grad %x, %t, %g : (tensor<4xf32>, tensor<4xi64>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @bce_grad_weight(%x: tensor<4x3xf32>, %w: tensor<4xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'weight' of shape [4] does not broadcast to the input shape [4, 3]}}
  %0:2 = loss.bce_grad %x, %x weight(%w), %g : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4xf32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>)
  return
}

// -----

func.func @bce_grad_grad_output_none(%x: tensor<4x3xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'grad_output' must have shape [4, 3] for reduction 'none', got []}}
  %0:2 = loss.bce_grad %x, %x, %g {reduction = #loss.reduction<none>} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>)
  return
}

// -----

func.func @bce_grad_grad_output_mean(%x: tensor<4x3xf32>) {
  // expected-error @+1 {{'grad_output' must have shape [] for reduction 'mean', got [4, 3]}}
  %0:2 = loss.bce_grad %x, %x, %x : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>)
  return
}

// -----

func.func @bce_grad_grad_output_type(%x: tensor<4xf32>, %g: tensor<f64>) {
  // expected-error @+1 {{'grad_output' element type 'f64' must match the input element type 'f32'}}
  %0:2 = loss.bce_grad %x, %x, %g : (tensor<4xf32>, tensor<4xf32>, tensor<f64>) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @bce_grad_result(%x: tensor<4xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'grad_input' must have the type of 'input' 'tensor<4xf32>', got 'tensor<5xf32>'}}
  %0:2 = loss.bce_grad %x, %x, %g : (tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> (tensor<5xf32>, tensor<4xf32>)
  return
}

// -----

func.func @bce_grad_result_type(%x: tensor<4xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'grad_target' must have the type of 'target' 'tensor<4xf32>', got 'tensor<4xf16>'}}
  %0:2 = loss.bce_grad %x, %x, %g : (tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf16>)
  return
}

// -----

func.func @bce_grad_batchmean(%x: tensor<4xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{batchmean}}
  %0:2 = loss.bce_grad %x, %x, %g {reduction = #loss.reduction<batchmean>} : (tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

//===----------------------------------------------------------------------===//
// bce_with_logits_grad
//===----------------------------------------------------------------------===//

// -----

func.func @bce_with_logits_grad_pos_weight(%x: tensor<4x3xf32>, %pw: tensor<2xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'pos_weight' of shape [2] does not broadcast to the input shape [4, 3]}}
  %0:2 = loss.bce_with_logits_grad %x, %x pos_weight(%pw), %g : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<2xf32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>)
  return
}

// -----

func.func @bce_with_logits_grad_weight_type(%x: tensor<4x3xf32>, %w: tensor<3xf16>, %g: tensor<f32>) {
  // expected-error @+1 {{'weight' element type 'f16' must match the input element type 'f32'}}
  %0:2 = loss.bce_with_logits_grad %x, %x weight(%w), %g : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<3xf16>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>)
  return
}

// -----

func.func @bce_with_logits_grad_target(%x: tensor<4x3xf32>, %t: tensor<4x1xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'target' shape [4, 1] must match 'input' shape [4, 3]}}
  %0:2 = loss.bce_with_logits_grad %x, %t, %g : (tensor<4x3xf32>, tensor<4x1xf32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x1xf32>)
  return
}

// -----

func.func @bce_with_logits_grad_grad_output(%x: tensor<4x3xf32>, %g: tensor<3xf32>) {
  // expected-error @+1 {{'grad_output' must have shape [4, 3] for reduction 'none', got [3]}}
  %0:2 = loss.bce_with_logits_grad %x, %x, %g {reduction = #loss.reduction<none>} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<3xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>)
  return
}

// -----

func.func @bce_with_logits_grad_result(%x: tensor<4x3xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'grad_target' must have the type of 'target' 'tensor<4x3xf32>', got 'tensor<3xf32>'}}
  %0:2 = loss.bce_with_logits_grad %x, %x, %g : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<3xf32>)
  return
}

//===----------------------------------------------------------------------===//
// poisson_nll_grad
//===----------------------------------------------------------------------===//

// -----

func.func @poisson_nll_grad_broadcast(%x: tensor<4x3xf32>, %t: tensor<2xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'input' and 'target' of shapes [4, 3], [2] do not broadcast together}}
  %0:2 = loss.poisson_nll_grad %x, %t, %g : (tensor<4x3xf32>, tensor<2xf32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<2xf32>)
  return
}

// -----

func.func @poisson_nll_grad_target_type(%x: tensor<4xf32>, %t: tensor<4xf16>, %g: tensor<f32>) {
  // expected-error @+1 {{'target' element type 'f16' must match the input element type 'f32'}}
  %0:2 = loss.poisson_nll_grad %x, %t, %g : (tensor<4xf32>, tensor<4xf16>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf16>)
  return
}

// -----

func.func @poisson_nll_grad_eps(%x: tensor<4xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{eps}}
  %0:2 = loss.poisson_nll_grad %x, %x, %g {eps = -1.0 : f64} : (tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @poisson_nll_grad_none_shape(%x: tensor<4x3xf32>, %t: tensor<3xf32>, %g: tensor<3xf32>) {
  // expected-error @+1 {{'grad_output' must have shape [4, 3] for reduction 'none', got [3]}}
  %0:2 = loss.poisson_nll_grad %x, %t, %g {reduction = #loss.reduction<none>} : (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<4x3xf32>, tensor<3xf32>)
  return
}

// -----

func.func @poisson_nll_grad_target_grad_shape(%x: tensor<4x3xf32>, %t: tensor<3xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'grad_target' must have the type of 'target' 'tensor<3xf32>', got 'tensor<4x3xf32>'}}
  %0:2 = loss.poisson_nll_grad %x, %t, %g : (tensor<4x3xf32>, tensor<3xf32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>)
  return
}

// -----

func.func @poisson_nll_grad_input_grad_shape(%x: tensor<3xf32>, %t: tensor<4x3xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'grad_input' must have the type of 'input' 'tensor<3xf32>', got 'tensor<4x3xf32>'}}
  %0:2 = loss.poisson_nll_grad %x, %t, %g : (tensor<3xf32>, tensor<4x3xf32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>)
  return
}

// -----

func.func @poisson_nll_grad_int_target_with_grad(%x: tensor<4xf32>, %t: tensor<4xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{an integer 'target' has no gradient: the op takes no 'grad_target' result then}}
  %0:2 = loss.poisson_nll_grad %x, %t, %g : (tensor<4xf32>, tensor<4xi64>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @poisson_nll_grad_float_target_without_grad(%x: tensor<4xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{a float 'target' needs a 'grad_target' result}}
  %0 = loss.poisson_nll_grad %x, %x, %g : (tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return
}

//===----------------------------------------------------------------------===//
// gaussian_nll_grad
//===----------------------------------------------------------------------===//

// -----

func.func @gaussian_nll_grad_var_shape(%x: tensor<4x3xf32>, %v: tensor<3xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'var' of shape [3] must match the input shape [4, 3], or drop its last dimension or set it to 1}}
  %0:3 = loss.gaussian_nll_grad %x, %x, %v, %g : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<3xf32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>, tensor<3xf32>)
  return
}

// -----

func.func @gaussian_nll_grad_var_type(%x: tensor<4x3xf32>, %v: tensor<4x1xf64>, %g: tensor<f32>) {
  // expected-error @+1 {{'var' element type 'f64' must match the input element type 'f32'}}
  %0:3 = loss.gaussian_nll_grad %x, %x, %v, %g : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x1xf64>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x1xf64>)
  return
}

// -----

func.func @gaussian_nll_grad_bool_target(%x: tensor<4xf32>, %t: tensor<4xi1>, %g: tensor<f32>) {
  // expected-error @+1 {{'target' of type i1 (bool) is not accepted}}
  %0:2 = loss.gaussian_nll_grad %x, %t, %x, %g : (tensor<4xf32>, tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @gaussian_nll_grad_target_broadcast(%x: tensor<4x3xf32>, %t: tensor<2x3xf32>, %v: tensor<4x1xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'input' and 'target' of shapes [4, 3], [2, 3] do not broadcast together (with 'var' as [4, 1])}}
  %0:3 = loss.gaussian_nll_grad %x, %t, %v, %g : (tensor<4x3xf32>, tensor<2x3xf32>, tensor<4x1xf32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<2x3xf32>, tensor<4x1xf32>)
  return
}

// -----

func.func @gaussian_nll_grad_var_result(%x: tensor<4x3xf32>, %v: tensor<4xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'grad_var' must have the type of 'var' 'tensor<4xf32>', got 'tensor<4x1xf32>'}}
  %0:3 = loss.gaussian_nll_grad %x, %x, %v, %g : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4xf32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x1xf32>)
  return
}

// -----

func.func @gaussian_nll_grad_int_target_with_grad(%x: tensor<4xf32>, %t: tensor<4xi32>, %g: tensor<f32>) {
  // expected-error @+1 {{an integer 'target' has no gradient}}
  %0:3 = loss.gaussian_nll_grad %x, %t, %x, %g : (tensor<4xf32>, tensor<4xi32>, tensor<4xf32>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @gaussian_nll_grad_grad_output(%x: tensor<4x3xf32>, %v: tensor<4x1xf32>, %g: tensor<4x1xf32>) {
  // expected-error @+1 {{'grad_output' must have shape [4, 3] for reduction 'none', got [4, 1]}}
  %0:3 = loss.gaussian_nll_grad %x, %x, %v, %g {reduction = #loss.reduction<none>} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x1xf32>, tensor<4x1xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x1xf32>)
  return
}

//===----------------------------------------------------------------------===//
// kl_div_grad
//===----------------------------------------------------------------------===//

// -----

func.func @kl_div_grad_int_target(%x: tensor<4xf32>, %t: tensor<4xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{operand #1 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values}}
  %0:2 = loss.kl_div_grad %x, %t, %g : (tensor<4xf32>, tensor<4xi64>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @kl_div_grad_broadcast(%x: tensor<4x5xf32>, %t: tensor<3x5xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'input' and 'target' of shapes [4, 5], [3, 5] do not broadcast together}}
  %0:2 = loss.kl_div_grad %x, %t, %g : (tensor<4x5xf32>, tensor<3x5xf32>, tensor<f32>) -> (tensor<4x5xf32>, tensor<3x5xf32>)
  return
}

// -----

func.func @kl_div_grad_batchmean_shape(%x: tensor<4x5xf32>, %g: tensor<4xf32>) {
  // expected-error @+1 {{'grad_output' must have shape [] for reduction 'batchmean', got [4]}}
  %0:2 = loss.kl_div_grad %x, %x, %g {reduction = #loss.reduction<batchmean>} : (tensor<4x5xf32>, tensor<4x5xf32>, tensor<4xf32>) -> (tensor<4x5xf32>, tensor<4x5xf32>)
  return
}

// -----

func.func @kl_div_grad_none_shape(%x: tensor<5xf32>, %t: tensor<2x5xf32>, %g: tensor<5xf32>) {
  // expected-error @+1 {{'grad_output' must have shape [2, 5] for reduction 'none', got [5]}}
  %0:2 = loss.kl_div_grad %x, %t, %g {reduction = #loss.reduction<none>} : (tensor<5xf32>, tensor<2x5xf32>, tensor<5xf32>) -> (tensor<5xf32>, tensor<2x5xf32>)
  return
}

// -----

func.func @kl_div_grad_result(%x: tensor<5xf32>, %t: tensor<2x5xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'grad_input' must have the type of 'input' 'tensor<5xf32>', got 'tensor<2x5xf32>'}}
  %0:2 = loss.kl_div_grad %x, %t, %g : (tensor<5xf32>, tensor<2x5xf32>, tensor<f32>) -> (tensor<2x5xf32>, tensor<2x5xf32>)
  return
}
