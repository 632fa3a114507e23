// RUN: loss-opt %s --convert-loss-to-linalg --canonicalize | FileCheck %s

// Cross entropy's forward and backward in one op: one streaming pass over
// the logits for the row statistics (in 16 lanes per row, through a view of
// the logits), one elementwise pass that reads them again and writes
// dlogits; the loss and the mean's denominator come from row-sized data. No
// other tensor shaped like the logits exists, and nothing else reads them.
// CHECK-LABEL: func.func @fused(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<64x1024xf32>
// CHECK-NOT:     tensor.empty() : tensor<64x1024xf32>
// CHECK:         %[[E:.*]] = tensor.expand_shape %[[X]] {{.*}} into tensor<64x64x16xf32>
// CHECK-NOT:     tensor.empty() : tensor<64x1024xf32>
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[E]], %{{.*}} : tensor<64x64x16xf32>, tensor<64xi64>)
// CHECK-NOT:     tensor.empty() : tensor<64x1024xf32>
// CHECK:         %[[D:.*]] = tensor.empty() : tensor<64x1024xf32>
// CHECK-NEXT:    linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[X]], {{.*}} outs(%[[D]] : tensor<64x1024xf32>)
// CHECK-NOT:     tensor.empty() : tensor<64x1024xf32>
// CHECK-NOT:     %[[X]]
// CHECK-NOT:     %[[E]]
// CHECK:         return
func.func @fused(%x: tensor<64x1024xf32>, %t: tensor<64xi64>, %g: tensor<f32>) -> (tensor<64x1024xf32>, tensor<f32>) {
  %gx, %l = loss.softmax_cross_entropy_grad %x, %t, %g : (tensor<64x1024xf32>, tensor<64xi64>, tensor<f32>) -> (tensor<64x1024xf32>, tensor<f32>)
  return %gx, %l : tensor<64x1024xf32>, tensor<f32>
}

// log_softmax_grad: one row reduction of grad_output, one elementwise pass.
// CHECK-LABEL: func.func @log_softmax_grad(
// CHECK-SAME:    %[[Y:[^:]*]]: tensor<8x100xf32>, %[[G:[^:]*]]: tensor<8x100xf32>
// CHECK:         %[[S:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[G]] : tensor<8x100xf32>) outs(%{{.*}} : tensor<8xf32>)
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[Y]], %[[G]], %[[S]] : tensor<8x100xf32>, tensor<8x100xf32>, tensor<8xf32>)
// CHECK:           math.exp
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @log_softmax_grad(%y: tensor<8x100xf32>, %g: tensor<8x100xf32>) -> tensor<8x100xf32> {
  %gx = loss.log_softmax_grad %y, %g : tensor<8x100xf32>
  return %gx : tensor<8x100xf32>
}

// nll_grad with `mean`: the denominator (non-ignored target weights) is one
// reduction over the targets, reading w[t] only for a target in [0, C)
// (scf.if: nothing is read when C = 0); the gradient one elementwise pass
// that reads the target per row and streams the weight with the classes
// (no gather).
// CHECK-LABEL: func.func @nll_grad(
// CHECK:         linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%{{.*}} : tensor<8xi64>)
// CHECK:           scf.if
// CHECK:             tensor.extract
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins({{.*}} : tensor<8xi64>, tensor<f32>, tensor<f32>, tensor<100xf32>)
// CHECK-NOT:       tensor.extract
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @nll_grad(%x: tensor<8x100xf32>, %t: tensor<8xi64>, %w: tensor<100xf32>, %g: tensor<f32>) -> tensor<8x100xf32> {
  %gx = loss.nll_grad %x, %t weight(%w), %g : (tensor<8x100xf32>, tensor<8xi64>, tensor<100xf32>, tensor<f32>) -> tensor<8x100xf32>
  return %gx : tensor<8x100xf32>
}
