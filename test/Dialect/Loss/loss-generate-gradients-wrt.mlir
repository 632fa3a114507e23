// RUN: loss-opt %s --loss-generate-gradients="functions=named wrt=logits,2" | FileCheck %s --check-prefix=WRT

// Chosen by name and by index: the unused argument gets a zero gradient.
// WRT-LABEL: func.func @named_value_and_grad(
// WRT-SAME:    -> (tensor<f32>, tensor<8xf32> {onnx.name = "grad_logits"}, tensor<8xf32> {onnx.name = "grad_arg2"})
// WRT:         %[[G:.*]], %{{.*}} = loss.mse_grad
// WRT-NEXT:    %[[Z:.*]] = arith.constant dense<0.000000e+00> : tensor<8xf32>
// WRT-NEXT:    return %{{.*}}, %[[G]], %[[Z]]
// WRT-NOT:     func.func @other_value_and_grad
func.func @named(%a: tensor<8xf32> {onnx.name = "logits"}, %b: tensor<8xf32>, %c: tensor<8xf32>) -> tensor<f32> {
  %0 = loss.mse %a, %b : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
func.func @other(%a: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<f32> {
  %0 = loss.mse %a, %b : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
