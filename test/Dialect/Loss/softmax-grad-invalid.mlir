// RUN: loss-opt %s -split-input-file -verify-diagnostics

// One case (at least) per verifier rule of lib/Dialect/Loss/IR/SoftmaxGradOps.cpp.

func.func @log_softmax_grad_axis(%y: tensor<4x10xf32>, %g: tensor<4x10xf32>) {
  // expected-error @+1 {{'loss.log_softmax_grad' op axis 2 is out of range for rank 2 (expected [-2, 2))}}
  %0 = loss.log_softmax_grad %y, %g {axis = 2 : i64} : tensor<4x10xf32>
  return
}

// -----

func.func @log_softmax_grad_rank0(%y: tensor<f32>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.log_softmax_grad' op output must have rank >= 1}}
  %0 = loss.log_softmax_grad %y, %g : tensor<f32>
  return
}

// -----

func.func @nll_grad_target_shape(%x: tensor<4x10xf32>, %t: tensor<5xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.nll_grad' op class-index target must have shape [4] for 'input' of shape [4, 10], got [5]}}
  %0 = loss.nll_grad %x, %t, %g : (tensor<4x10xf32>, tensor<5xi64>, tensor<f32>) -> tensor<4x10xf32>
  return
}

// -----

func.func @nll_grad_weight(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %w: tensor<9xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.nll_grad' op 'weight' must have shape [C] = [10], got [9]}}
  %0 = loss.nll_grad %x, %t weight(%w), %g : (tensor<4x10xf32>, tensor<4xi64>, tensor<9xf32>, tensor<f32>) -> tensor<4x10xf32>
  return
}

// -----

func.func @nll_grad_grad_output_none(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.nll_grad' op 'grad_output' must have shape [4] for reduction 'none', got []}}
  %0 = loss.nll_grad %x, %t, %g {reduction = #loss.reduction<none>} : (tensor<4x10xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x10xf32>
  return
}

// -----

func.func @nll_grad_grad_output_mean(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %g: tensor<4xf32>) {
  // expected-error @+1 {{'loss.nll_grad' op 'grad_output' must have shape [] for reduction 'mean', got [4]}}
  %0 = loss.nll_grad %x, %t, %g : (tensor<4x10xf32>, tensor<4xi64>, tensor<4xf32>) -> tensor<4x10xf32>
  return
}

// -----

func.func @nll_grad_grad_output_type(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %g: tensor<f64>) {
  // expected-error @+1 {{'loss.nll_grad' op 'grad_output' element type 'f64' must match the input element type 'f32'}}
  %0 = loss.nll_grad %x, %t, %g : (tensor<4x10xf32>, tensor<4xi64>, tensor<f64>) -> tensor<4x10xf32>
  return
}

// -----

func.func @nll_grad_result(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.nll_grad' op 'grad_input' type 'tensor<4x9xf32>' must match the input type 'tensor<4x10xf32>'}}
  %0 = loss.nll_grad %x, %t, %g : (tensor<4x10xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x9xf32>
  return
}

// -----

func.func @ce_grad_probabilities_ignore_index(%x: tensor<4x10xf32>, %p: tensor<4x10xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.softmax_cross_entropy_grad' op probability targets require a negative 'ignore_index', got 0}}
  %0 = loss.softmax_cross_entropy_grad %x, %p, %g {ignore_index = 0 : i64} : (tensor<4x10xf32>, tensor<4x10xf32>, tensor<f32>) -> tensor<4x10xf32>
  return
}

// -----

func.func @ce_grad_probabilities_shape(%x: tensor<4x10xf32>, %p: tensor<4x9xf32>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.softmax_cross_entropy_grad' op 'target' shape [4, 9] must match 'logits' shape [4, 10]}}
  %0 = loss.softmax_cross_entropy_grad %x, %p, %g : (tensor<4x10xf32>, tensor<4x9xf32>, tensor<f32>) -> tensor<4x10xf32>
  return
}

// -----

func.func @ce_grad_smoothing(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.softmax_cross_entropy_grad' op attribute 'label_smoothing' failed to satisfy constraint}}
  %0 = loss.softmax_cross_entropy_grad %x, %t, %g {label_smoothing = 1.5 : f64} : (tensor<4x10xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x10xf32>
  return
}

// -----

func.func @ce_grad_kdim_grad_output(%x: tensor<2x5x3xf32>, %t: tensor<2x3xi64>, %g: tensor<2xf32>) {
  // expected-error @+1 {{'loss.softmax_cross_entropy_grad' op 'grad_output' must have shape [2, 3] for reduction 'none', got [2]}}
  %0 = loss.softmax_cross_entropy_grad %x, %t, %g {reduction = #loss.reduction<none>} : (tensor<2x5x3xf32>, tensor<2x3xi64>, tensor<2xf32>) -> tensor<2x5x3xf32>
  return
}

// -----

func.func @ce_grad_result(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.softmax_cross_entropy_grad' op 'grad_logits' type 'tensor<4x10xf64>' must match the logits type 'tensor<4x10xf32>'}}
  %0 = loss.softmax_cross_entropy_grad %x, %t, %g : (tensor<4x10xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x10xf64>
  return
}

// -----

func.func @ce_grad_fused_loss(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.softmax_cross_entropy_grad' op with reduction 'mean' the result must be a 0-d tensor, got [4]}}
  %0:2 = loss.softmax_cross_entropy_grad %x, %t, %g : (tensor<4x10xf32>, tensor<4xi64>, tensor<f32>) -> (tensor<4x10xf32>, tensor<4xf32>)
  return
}
