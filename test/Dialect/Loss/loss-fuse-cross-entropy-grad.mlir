// RUN: loss-opt %s --loss-fuse-log-softmax-nll --loss-fuse-cross-entropy-grad -split-input-file | FileCheck %s

// The backward chain of nll(log_softmax(x)) becomes one gradient op; with the
// forward also present, one op returns both.
// CHECK-LABEL: func.func @chain_and_forward(
// CHECK-SAME:    %[[X:.*]]: tensor<4x10xf32>, %[[T:.*]]: tensor<4xi64>, %[[W:.*]]: tensor<10xf32>, %[[G:.*]]: tensor<f32>)
// CHECK-NEXT:    %[[GX:.*]], %[[L:.*]] = loss.softmax_cross_entropy_grad %[[X]], %[[T]] weight(%[[W]]), %[[G]] {ignore_index = 3 : i64} : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>, tensor<f32>) -> (tensor<4x10xf32>, tensor<f32>)
// CHECK-NEXT:    return %[[L]], %[[GX]]
func.func @chain_and_forward(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %w: tensor<10xf32>, %g: tensor<f32>) -> (tensor<f32>, tensor<4x10xf32>) {
  %lp = loss.log_softmax %x {axis = 1 : i64} : tensor<4x10xf32>
  %l = loss.nll %lp, %t weight(%w) {ignore_index = 3 : i64} : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> tensor<f32>
  %gl = loss.nll_grad %lp, %t weight(%w), %g {ignore_index = 3 : i64} : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>, tensor<f32>) -> tensor<4x10xf32>
  %gx = loss.log_softmax_grad %lp, %gl {axis = 1 : i64} : tensor<4x10xf32>
  return %l, %gx : tensor<f32>, tensor<4x10xf32>
}

// -----

// Forward after the gradient: the fused op goes at the gradient, whose
// operands the forward's are.
// CHECK-LABEL: func.func @grad_then_forward(
// CHECK-NEXT:    %[[GX:.*]], %[[L:.*]] = loss.softmax_cross_entropy_grad %{{.*}}, %{{.*}}, %{{.*}} {label_smoothing = 1.000000e-01 : f64, reduction = #loss.reduction<none>}
// CHECK-NEXT:    return %[[GX]], %[[L]]
func.func @grad_then_forward(%x: tensor<4x3x10xf32>, %t: tensor<4x3x10xf32>, %g: tensor<4x10xf32>) -> (tensor<4x3x10xf32>, tensor<4x10xf32>) {
  %gx = loss.softmax_cross_entropy_grad %x, %t, %g {label_smoothing = 0.1 : f64, reduction = #loss.reduction<none>} : (tensor<4x3x10xf32>, tensor<4x3x10xf32>, tensor<4x10xf32>) -> tensor<4x3x10xf32>
  %l = loss.softmax_cross_entropy %x, %t {label_smoothing = 0.1 : f64, reduction = #loss.reduction<none>} : (tensor<4x3x10xf32>, tensor<4x3x10xf32>) -> tensor<4x10xf32>
  return %gx, %l : tensor<4x3x10xf32>, tensor<4x10xf32>
}

// -----

// Different attributes, a log_prob in use, or a grad_output computed from
// the loss: those pairs do not fuse (the gradient may still fuse with
// another forward on the same problem: %g1 with %l2).
// CHECK-LABEL: func.func @no_fusion(
// CHECK-NEXT:    %[[L0:.*]] = loss.softmax_cross_entropy %{{.*}}, %{{.*}} {label_smoothing = 2.000000e-01 : f64} : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
// CHECK-NEXT:    %[[G0:.*]] = loss.softmax_cross_entropy_grad %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x10xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x10xf32>
// CHECK-NEXT:    %[[L1:.*]], %[[LP:.*]] = loss.softmax_cross_entropy %{{.*}}, %{{.*}} : (tensor<4x10xf32>, tensor<4xi64>) -> (tensor<f32>, tensor<4x10xf32>)
// CHECK-NEXT:    %[[G1:.*]], %[[L2:.*]] = loss.softmax_cross_entropy_grad %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x10xf32>, tensor<4xi64>, tensor<f32>) -> (tensor<4x10xf32>, tensor<f32>)
// CHECK-NEXT:    %[[S:.*]] = arith.mulf %[[L2]], %{{.*}} : tensor<f32>
// CHECK-NEXT:    %[[G2:.*]] = loss.softmax_cross_entropy_grad %{{.*}}, %{{.*}}, %[[S]] : (tensor<4x10xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x10xf32>
// CHECK-NEXT:    return %[[L0]], %[[G0]], %[[L1]], %[[LP]], %[[G1]], %[[L2]], %[[G2]]
func.func @no_fusion(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %g: tensor<f32>) -> (tensor<f32>, tensor<4x10xf32>, tensor<f32>, tensor<4x10xf32>, tensor<4x10xf32>, tensor<f32>, tensor<4x10xf32>) {
  %l0 = loss.softmax_cross_entropy %x, %t {label_smoothing = 0.2 : f64} : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  %g0 = loss.softmax_cross_entropy_grad %x, %t, %g : (tensor<4x10xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x10xf32>
  %l1, %lp = loss.softmax_cross_entropy %x, %t : (tensor<4x10xf32>, tensor<4xi64>) -> (tensor<f32>, tensor<4x10xf32>)
  %g1 = loss.softmax_cross_entropy_grad %x, %t, %g : (tensor<4x10xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x10xf32>
  %l2 = loss.softmax_cross_entropy %x, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  %s = arith.mulf %l2, %g : tensor<f32>
  %g2 = loss.softmax_cross_entropy_grad %x, %t, %s : (tensor<4x10xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x10xf32>
  return %l0, %g0, %l1, %lp, %g1, %l2, %g2 : tensor<f32>, tensor<4x10xf32>, tensor<f32>, tensor<4x10xf32>, tensor<4x10xf32>, tensor<f32>, tensor<4x10xf32>
}

// -----

// log_softmax over another axis than the class axis: not cross entropy.
// CHECK-LABEL: func.func @other_axis(
// CHECK:         loss.log_softmax_grad
// CHECK-NOT:     loss.softmax_cross_entropy_grad
func.func @other_axis(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %g: tensor<f32>) -> tensor<4x10xf32> {
  %lp = loss.log_softmax %x {axis = 0 : i64} : tensor<4x10xf32>
  %gl = loss.nll_grad %lp, %t, %g : (tensor<4x10xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x10xf32>
  %gx = loss.log_softmax_grad %lp, %gl {axis = 0 : i64} : tensor<4x10xf32>
  return %gx : tensor<4x10xf32>
}

// -----

// ONNX Runtime's training graph: the forward's log_prob feeds the gradient
// (softmax(log_prob) = softmax(x)); the gradient reads x and the two fuse.
// CHECK-LABEL: func.func @ort_training_graph(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<4x10xf32>, %[[T:[^:]*]]: tensor<4xi64>, %[[G:[^:]*]]: tensor<f32>)
// CHECK-NEXT:    %[[GX:.*]], %[[L:.*]] = loss.softmax_cross_entropy_grad %[[X]], %[[T]], %[[G]] : (tensor<4x10xf32>, tensor<4xi64>, tensor<f32>) -> (tensor<4x10xf32>, tensor<f32>)
// CHECK-NEXT:    return %[[L]], %[[GX]]
func.func @ort_training_graph(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %g: tensor<f32>) -> (tensor<f32>, tensor<4x10xf32>) {
  %l, %lp = loss.softmax_cross_entropy %x, %t : (tensor<4x10xf32>, tensor<4xi64>) -> (tensor<f32>, tensor<4x10xf32>)
  %gx = loss.softmax_cross_entropy_grad %lp, %t, %g : (tensor<4x10xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x10xf32>
  return %l, %gx : tensor<f32>, tensor<4x10xf32>
}
