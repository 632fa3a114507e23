// RUN: loss-opt %s --loss-generate-gradients -split-input-file | FileCheck %s

// The backward of nll(log_softmax(x)): nll_grad then log_softmax_grad, seeded
// with 1; the weight and the targets get no gradient (not chosen by
// default); argument names carry over, gradients are grad_<name>.
// CHECK-LABEL: func.func @chain(
// CHECK:       func.func @chain_value_and_grad(%[[X:[^:]*]]: tensor<4x10xf32> {onnx.name = "logits"}, %[[T:[^:]*]]: tensor<4xi64>, %[[W:[^:]*]]: tensor<10xf32>) -> (tensor<f32>, tensor<4x10xf32> {onnx.name = "grad_logits"})
// CHECK-NEXT:    %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT:    %[[LP:.*]] = loss.log_softmax %[[X]] {axis = 1 : i64}
// CHECK-NEXT:    %[[L:.*]] = loss.nll %[[LP]], %[[T]] weight(%[[W]]) {ignore_index = 1 : i64}
// CHECK-NEXT:    %[[GL:.*]] = loss.nll_grad %[[LP]], %[[T]] weight(%[[W]]), %[[ONE]] {ignore_index = 1 : i64}
// CHECK-NEXT:    %[[GX:.*]] = loss.log_softmax_grad %[[LP]], %[[GL]] {axis = 1 : i64}
// CHECK-NEXT:    return %[[L]], %[[GX]] : tensor<f32>, tensor<4x10xf32>
func.func @chain(%x: tensor<4x10xf32> {onnx.name = "logits"}, %t: tensor<4xi64>, %w: tensor<10xf32>) -> tensor<f32> {
  %lp = loss.log_softmax %x {axis = 1 : i64} : tensor<4x10xf32>
  %l = loss.nll %lp, %t weight(%w) {ignore_index = 1 : i64} : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Adjoints of a value with two users add up; an argument the loss does not
// depend on is not chosen by default.
// CHECK-LABEL: func.func @sum_value_and_grad(
// CHECK-SAME:    -> (tensor<f32>, tensor<8xf32> {onnx.name = "grad_arg0"}, tensor<8xf32> {onnx.name = "grad_arg1"})
// CHECK:         %[[GA:.*]], %[[GB:.*]] = loss.l1_grad
// CHECK-NEXT:    %[[S1:.*]] = arith.addf %[[GA]], %[[GB]] : tensor<8xf32>
// CHECK-NEXT:    %[[GC:.*]], %[[GD:.*]] = loss.mse_grad
// CHECK-NEXT:    %[[S:.*]] = arith.addf %[[S1]], %[[GC]] : tensor<8xf32>
// CHECK-NEXT:    return %{{.*}}, %[[S]], %[[GD]]
func.func @sum(%a: tensor<8xf32>, %b: tensor<8xf32>, %unused: tensor<8xf32>) -> tensor<f32> {
  %0 = loss.mse %a, %b : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  %1 = loss.l1 %a, %a : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  %2 = arith.addf %0, %1 : tensor<f32>
  return %2 : tensor<f32>
}

