// RUN: loss-opt %s --loss-generate-gradients="wrt=0" -split-input-file -verify-diagnostics

// An op on the way from the argument to the loss with no gradient rule.
func.func @no_rule(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{'math.exp' op has no gradient rule, but its operand #0 depends on an argument being differentiated}}
  %e = math.exp %x : tensor<4xf32>
  %l = loss.mse %e, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// The class weight has no gradient.
func.func @weight(%w: tensor<10xf32>, %x: tensor<4x10xf32>, %t: tensor<4xi64>) -> tensor<f32> {
  // expected-error @+1 {{'loss.softmax_cross_entropy' op has no gradient with respect to operand #2, which depends on an argument being differentiated}}
  %l = loss.softmax_cross_entropy %x, %t weight(%w) : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// The argument must be a float tensor.
// expected-error @+1 {{argument '0' is not a float tensor: it has no gradient}}
func.func @int_arg(%t: tensor<4xi64>, %x: tensor<4x10xf32>) -> tensor<f32> {
  %l = loss.softmax_cross_entropy %x, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// The gradient op takes no broadcasting yet: the error says which op.
func.func @broadcast(%x: tensor<4x3xf32>, %y: tensor<3xf32>) -> tensor<f32> {
  // expected-error @+2 {{'loss.mse_grad' op 'target' shape [3] must match 'input' shape [4, 3] (the gradient ops take no broadcasting)}}
  // expected-error @+1 {{'loss.mse' op cannot be differentiated: its gradient op rejects these operands (see above)}}
  %l = loss.mse %x, %y : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
