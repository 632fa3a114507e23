// RUN: loss-opt %s --canonicalize --split-input-file | FileCheck %s

// An unused log_prob result is dropped; attributes and operands are kept.
// CHECK-LABEL: func.func @drop_unused_log_prob
// CHECK:         %[[L:.*]] = loss.softmax_cross_entropy %arg0, %arg1 weight(%arg2) {ignore_index = 3 : i64, label_smoothing = 2.000000e-01 : f64, reduction = #loss.reduction<none>} : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> tensor<4xf32>{{$}}
// CHECK-NEXT:    return %[[L]]
func.func @drop_unused_log_prob(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %w: tensor<10xf32>) -> tensor<4xf32> {
  %l, %lp = loss.softmax_cross_entropy %x, %t weight(%w)
      {ignore_index = 3 : i64, label_smoothing = 0.2 : f64, reduction = #loss.reduction<none>}
      : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> (tensor<4xf32>, tensor<4x10xf32>)
  return %l : tensor<4xf32>
}

// -----

// Probability targets, unbatched.
// CHECK-LABEL: func.func @drop_unused_log_prob_prob_target
// CHECK:         %[[L:.*]] = loss.softmax_cross_entropy %arg0, %arg0 : (tensor<5xf64>, tensor<5xf64>) -> tensor<f64>{{$}}
// CHECK-NEXT:    return %[[L]]
func.func @drop_unused_log_prob_prob_target(%x: tensor<5xf64>) -> tensor<f64> {
  %l, %lp = loss.softmax_cross_entropy %x, %x : (tensor<5xf64>, tensor<5xf64>) -> (tensor<f64>, tensor<5xf64>)
  return %l : tensor<f64>
}

// -----

// A used log_prob stays.
// CHECK-LABEL: func.func @keep_used_log_prob
// CHECK:         %[[L:[a-z_0-9]+]], %[[LP:[a-z_0-9]+]] = loss.softmax_cross_entropy %arg0, %arg1 : (tensor<4x10xf32>, tensor<4xi64>) -> (tensor<f32>, tensor<4x10xf32>){{$}}
// CHECK-NEXT:    return %[[L]], %[[LP]]
func.func @keep_used_log_prob(%x: tensor<4x10xf32>, %t: tensor<4xi64>) -> (tensor<f32>, tensor<4x10xf32>) {
  %l, %lp = loss.softmax_cross_entropy %x, %t : (tensor<4x10xf32>, tensor<4xi64>) -> (tensor<f32>, tensor<4x10xf32>)
  return %l, %lp : tensor<f32>, tensor<4x10xf32>
}

// -----

// Loss ops are pure: unused ones go away.
// CHECK-LABEL: func.func @dead_loss_ops
// CHECK-NEXT:    return
func.func @dead_loss_ops(%x: tensor<4x10xf32>, %t: tensor<4xi64>) {
  %lp = loss.log_softmax %x : tensor<4x10xf32>
  %0 = loss.nll %lp, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  %1:2 = loss.softmax_cross_entropy %x, %t : (tensor<4x10xf32>, tensor<4xi64>) -> (tensor<f32>, tensor<4x10xf32>)
  %2 = loss.mse %x, %x : (tensor<4x10xf32>, tensor<4x10xf32>) -> tensor<f32>
  return
}
