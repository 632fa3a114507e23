// RUN: loss-opt %s --loss-fuse-linear-cross-entropy --split-input-file | FileCheck %s

#mA  = affine_map<(d0, d1, d2) -> (d0, d2)>
#mBT = affine_map<(d0, d1, d2) -> (d1, d2)>
#mB  = affine_map<(d0, d1, d2) -> (d2, d1)>
#mC  = affine_map<(d0, d1, d2) -> (d0, d1)>

//===----------------------------------------------------------------------===//
// linalg.matmul with transposed-B indexing maps, no bias.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @matmul_transpose_b
// CHECK-NOT:     linalg.matmul
// CHECK-NOT:     tensor<4x10xf32>
// CHECK:         %[[L:.*]] = loss.linear_cross_entropy %arg0, %arg1, %arg2 : (tensor<4x8xf32>, tensor<10x8xf32>, tensor<4xi64>) -> tensor<f32>
// CHECK-NEXT:    return %[[L]]
func.func @matmul_transpose_b(%h: tensor<4x8xf32>, %w: tensor<10x8xf32>, %t: tensor<4xi64>) -> tensor<f32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x10xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x10xf32>) -> tensor<4x10xf32>
  %x = linalg.matmul indexing_maps = [#mA, #mBT, #mC]
         ins(%h, %w : tensor<4x8xf32>, tensor<10x8xf32>) outs(%f : tensor<4x10xf32>) -> tensor<4x10xf32>
  %l = loss.softmax_cross_entropy %x, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

#mA  = affine_map<(d0, d1, d2) -> (d0, d2)>
#mBT = affine_map<(d0, d1, d2) -> (d1, d2)>
#mC  = affine_map<(d0, d1, d2) -> (d0, d1)>

// linalg.add of the product and a linalg.broadcast bias; every option of
// the cross entropy is carried over.
// CHECK-LABEL: func.func @matmul_add_broadcast_bias
// CHECK-NOT:     linalg.
// CHECK:         %[[L:.*]] = loss.linear_cross_entropy %arg0, %arg1, %arg2 bias(%arg3) class_weight(%arg4) {ignore_index = 3 : i64, label_smoothing = 2.500000e-01 : f64, reduction = #loss.reduction<none>} : (tensor<4x8xf64>, tensor<10x8xf64>, tensor<4xi32>, tensor<10xf64>, tensor<10xf64>) -> tensor<4xf64>
// CHECK-NEXT:    return %[[L]]
func.func @matmul_add_broadcast_bias(%h: tensor<4x8xf64>, %w: tensor<10x8xf64>, %t: tensor<4xi32>,
                                     %b: tensor<10xf64>, %cw: tensor<10xf64>) -> tensor<4xf64> {
  %z = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<4x10xf64>
  %f = linalg.fill ins(%z : f64) outs(%e : tensor<4x10xf64>) -> tensor<4x10xf64>
  %m = linalg.matmul indexing_maps = [#mA, #mBT, #mC]
         ins(%h, %w : tensor<4x8xf64>, tensor<10x8xf64>) outs(%f : tensor<4x10xf64>) -> tensor<4x10xf64>
  %e2 = tensor.empty() : tensor<4x10xf64>
  %bb = linalg.broadcast ins(%b : tensor<10xf64>) outs(%e2 : tensor<4x10xf64>) dimensions = [0]
  %e3 = tensor.empty() : tensor<4x10xf64>
  %x = linalg.add ins(%m, %bb : tensor<4x10xf64>, tensor<4x10xf64>) outs(%e3 : tensor<4x10xf64>) -> tensor<4x10xf64>
  %l = loss.softmax_cross_entropy %x, %t weight(%cw) {ignore_index = 3 : i64, label_smoothing = 0.25 : f64, reduction = #loss.reduction<none>}
         : (tensor<4x10xf64>, tensor<4xi32>, tensor<10xf64>) -> tensor<4xf64>
  return %l : tensor<4xf64>
}

// -----

// linalg.matmul (default maps) of hidden and linalg.transpose(weight), with
// the bias added by a linalg.generic reading it along V (bias first).
// CHECK-LABEL: func.func @matmul_of_transpose_generic_bias
// CHECK-NOT:     linalg.
// CHECK:         %[[L:.*]] = loss.linear_cross_entropy %arg0, %arg1, %arg2 bias(%arg3) {reduction = #loss.reduction<sum>} : (tensor<4x8xf32>, tensor<10x8xf32>, tensor<4xi64>, tensor<10xf32>) -> tensor<f32>
// CHECK-NEXT:    return %[[L]]
func.func @matmul_of_transpose_generic_bias(%h: tensor<4x8xf32>, %w: tensor<10x8xf32>, %t: tensor<4xi64>,
                                            %b: tensor<10xf32>) -> tensor<f32> {
  %z = arith.constant 0.0 : f32
  %et = tensor.empty() : tensor<8x10xf32>
  %wt = linalg.transpose ins(%w : tensor<10x8xf32>) outs(%et : tensor<8x10xf32>) permutation = [1, 0]
  %e = tensor.empty() : tensor<4x10xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x10xf32>) -> tensor<4x10xf32>
  %m = linalg.matmul ins(%h, %wt : tensor<4x8xf32>, tensor<8x10xf32>) outs(%f : tensor<4x10xf32>) -> tensor<4x10xf32>
  %e2 = tensor.empty() : tensor<4x10xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
         ins(%b, %m : tensor<10xf32>, tensor<4x10xf32>) outs(%e2 : tensor<4x10xf32>) {
  ^bb0(%bi: f32, %mi: f32, %o: f32):
    %s = arith.addf %mi, %bi : f32
    linalg.yield %s : f32
  } -> tensor<4x10xf32>
  %l = loss.softmax_cross_entropy %x, %t {reduction = #loss.reduction<sum>} : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// The linalg.generic contraction out + a * b with transposed-B maps, with
// an f16 bias; an unused log_prob result does not prevent the fusion.
// CHECK-LABEL: func.func @generic_contraction
// CHECK-NOT:     linalg.
// CHECK:         %[[L:.*]] = loss.linear_cross_entropy %arg0, %arg1, %arg2 : (tensor<4x8xf16>, tensor<10x8xf16>, tensor<4xi64>) -> tensor<f16>
// CHECK-NEXT:    return %[[L]]
func.func @generic_contraction(%h: tensor<4x8xf16>, %w: tensor<10x8xf16>, %t: tensor<4xi64>) -> tensor<f16> {
  %z = arith.constant 0.0 : f16
  %e = tensor.empty() : tensor<4x10xf16>
  %f = linalg.fill ins(%z : f16) outs(%e : tensor<4x10xf16>) -> tensor<4x10xf16>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
         ins(%h, %w : tensor<4x8xf16>, tensor<10x8xf16>) outs(%f : tensor<4x10xf16>) {
  ^bb0(%a: f16, %b: f16, %o: f16):
    %p = arith.mulf %a, %b : f16
    %s = arith.addf %o, %p : f16
    linalg.yield %s : f16
  } -> tensor<4x10xf16>
  %l, %lp = loss.softmax_cross_entropy %x, %t : (tensor<4x10xf16>, tensor<4xi64>) -> (tensor<f16>, tensor<4x10xf16>)
  return %l : tensor<f16>
}

// -----

#mA  = affine_map<(d0, d1, d2) -> (d0, d2)>
#mBT = affine_map<(d0, d1, d2) -> (d1, d2)>
#mC  = affine_map<(d0, d1, d2) -> (d0, d1)>

//===----------------------------------------------------------------------===//
// Negative cases: nothing changes.
//===----------------------------------------------------------------------===//

// The logits have another use: they must exist anyway.
// CHECK-LABEL: func.func @logits_other_use
// CHECK:         linalg.matmul
// CHECK:         loss.softmax_cross_entropy
// CHECK-NOT:     loss.linear_cross_entropy
func.func @logits_other_use(%h: tensor<4x8xf32>, %w: tensor<10x8xf32>, %t: tensor<4xi64>) -> (tensor<f32>, tensor<4x10xf32>) {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x10xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x10xf32>) -> tensor<4x10xf32>
  %x = linalg.matmul indexing_maps = [#mA, #mBT, #mC]
         ins(%h, %w : tensor<4x8xf32>, tensor<10x8xf32>) outs(%f : tensor<4x10xf32>) -> tensor<4x10xf32>
  %l = loss.softmax_cross_entropy %x, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %l, %x : tensor<f32>, tensor<4x10xf32>
}

// -----

#mA  = affine_map<(d0, d1, d2) -> (d0, d2)>
#mBT = affine_map<(d0, d1, d2) -> (d1, d2)>
#mC  = affine_map<(d0, d1, d2) -> (d0, d1)>

// A used log_prob result needs the logits.
// CHECK-LABEL: func.func @log_prob_used
// CHECK:         linalg.matmul
// CHECK-NOT:     loss.linear_cross_entropy
func.func @log_prob_used(%h: tensor<4x8xf32>, %w: tensor<10x8xf32>, %t: tensor<4xi64>) -> (tensor<f32>, tensor<4x10xf32>) {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x10xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x10xf32>) -> tensor<4x10xf32>
  %x = linalg.matmul indexing_maps = [#mA, #mBT, #mC]
         ins(%h, %w : tensor<4x8xf32>, tensor<10x8xf32>) outs(%f : tensor<4x10xf32>) -> tensor<4x10xf32>
  %l, %lp = loss.softmax_cross_entropy %x, %t : (tensor<4x10xf32>, tensor<4xi64>) -> (tensor<f32>, tensor<4x10xf32>)
  return %l, %lp : tensor<f32>, tensor<4x10xf32>
}

// -----

#mA  = affine_map<(d0, d1, d2) -> (d0, d2)>
#mBT = affine_map<(d0, d1, d2) -> (d1, d2)>
#mC  = affine_map<(d0, d1, d2) -> (d0, d1)>

// A non-zero init adds to the product: not a plain linear layer.
// CHECK-LABEL: func.func @nonzero_init
// CHECK:         linalg.matmul
// CHECK-NOT:     loss.linear_cross_entropy
func.func @nonzero_init(%h: tensor<4x8xf32>, %w: tensor<10x8xf32>, %t: tensor<4xi64>) -> tensor<f32> {
  %z = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<4x10xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x10xf32>) -> tensor<4x10xf32>
  %x = linalg.matmul indexing_maps = [#mA, #mBT, #mC]
         ins(%h, %w : tensor<4x8xf32>, tensor<10x8xf32>) outs(%f : tensor<4x10xf32>) -> tensor<4x10xf32>
  %l = loss.softmax_cross_entropy %x, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

#mA  = affine_map<(d0, d1, d2) -> (d0, d2)>
#mBT = affine_map<(d0, d1, d2) -> (d1, d2)>
#mC  = affine_map<(d0, d1, d2) -> (d0, d1)>

// An init that is not a fill (an argument) is not known to be zero.
// CHECK-LABEL: func.func @init_argument
// CHECK:         linalg.matmul
// CHECK-NOT:     loss.linear_cross_entropy
func.func @init_argument(%h: tensor<4x8xf32>, %w: tensor<10x8xf32>, %t: tensor<4xi64>, %c: tensor<4x10xf32>) -> tensor<f32> {
  %x = linalg.matmul indexing_maps = [#mA, #mBT, #mC]
         ins(%h, %w : tensor<4x8xf32>, tensor<10x8xf32>) outs(%c : tensor<4x10xf32>) -> tensor<4x10xf32>
  %l = loss.softmax_cross_entropy %x, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

#mA  = affine_map<(d0, d1, d2) -> (d0, d2)>
#mBT = affine_map<(d0, d1, d2) -> (d1, d2)>
#mC  = affine_map<(d0, d1, d2) -> (d0, d1)>

// A bias broadcast over columns ([N], dimensions = [1]) is not over V.
// CHECK-LABEL: func.func @bias_over_rows
// CHECK:         linalg.matmul
// CHECK-NOT:     loss.linear_cross_entropy
func.func @bias_over_rows(%h: tensor<4x8xf32>, %w: tensor<10x8xf32>, %t: tensor<4xi64>, %b: tensor<4xf32>) -> tensor<f32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x10xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x10xf32>) -> tensor<4x10xf32>
  %m = linalg.matmul indexing_maps = [#mA, #mBT, #mC]
         ins(%h, %w : tensor<4x8xf32>, tensor<10x8xf32>) outs(%f : tensor<4x10xf32>) -> tensor<4x10xf32>
  %e2 = tensor.empty() : tensor<4x10xf32>
  %bb = linalg.broadcast ins(%b : tensor<4xf32>) outs(%e2 : tensor<4x10xf32>) dimensions = [1]
  %e3 = tensor.empty() : tensor<4x10xf32>
  %x = linalg.add ins(%m, %bb : tensor<4x10xf32>, tensor<4x10xf32>) outs(%e3 : tensor<4x10xf32>) -> tensor<4x10xf32>
  %l = loss.softmax_cross_entropy %x, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

#mA  = affine_map<(d0, d1, d2) -> (d0, d2)>
#mBT = affine_map<(d0, d1, d2) -> (d1, d2)>
#mC  = affine_map<(d0, d1, d2) -> (d0, d1)>

// A full [N, V] addend is not a bias.
// CHECK-LABEL: func.func @full_addend
// CHECK:         linalg.matmul
// CHECK-NOT:     loss.linear_cross_entropy
func.func @full_addend(%h: tensor<4x8xf32>, %w: tensor<10x8xf32>, %t: tensor<4xi64>, %c: tensor<4x10xf32>) -> tensor<f32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x10xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x10xf32>) -> tensor<4x10xf32>
  %m = linalg.matmul indexing_maps = [#mA, #mBT, #mC]
         ins(%h, %w : tensor<4x8xf32>, tensor<10x8xf32>) outs(%f : tensor<4x10xf32>) -> tensor<4x10xf32>
  %e3 = tensor.empty() : tensor<4x10xf32>
  %x = linalg.add ins(%m, %c : tensor<4x10xf32>, tensor<4x10xf32>) outs(%e3 : tensor<4x10xf32>) -> tensor<4x10xf32>
  %l = loss.softmax_cross_entropy %x, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Probability targets are not the fused op's.
// CHECK-LABEL: func.func @probability_targets
// CHECK:         linalg.matmul
// CHECK-NOT:     loss.linear_cross_entropy
func.func @probability_targets(%h: tensor<4x8xf32>, %w: tensor<10x8xf32>, %t: tensor<4x10xf32>) -> tensor<f32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x10xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x10xf32>) -> tensor<4x10xf32>
  %x = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
         ins(%h, %w : tensor<4x8xf32>, tensor<10x8xf32>) outs(%f : tensor<4x10xf32>) -> tensor<4x10xf32>
  %l = loss.softmax_cross_entropy %x, %t : (tensor<4x10xf32>, tensor<4x10xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A plain matmul of hidden and a [H, V] weight (no transpose) is not the
// [V, H] layout of the fused op.
// CHECK-LABEL: func.func @untransposed_weight
// CHECK:         linalg.matmul
// CHECK-NOT:     loss.linear_cross_entropy
func.func @untransposed_weight(%h: tensor<4x8xf32>, %w: tensor<8x10xf32>, %t: tensor<4xi64>) -> tensor<f32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x10xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x10xf32>) -> tensor<4x10xf32>
  %x = linalg.matmul ins(%h, %w : tensor<4x8xf32>, tensor<8x10xf32>) outs(%f : tensor<4x10xf32>) -> tensor<4x10xf32>
  %l = loss.softmax_cross_entropy %x, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A transposed-A matmul (hidden^T) is not a linear layer over rows.
// CHECK-LABEL: func.func @transposed_a
// CHECK:         linalg.matmul
// CHECK-NOT:     loss.linear_cross_entropy
func.func @transposed_a(%h: tensor<8x4xf32>, %w: tensor<10x8xf32>, %t: tensor<4xi64>) -> tensor<f32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x10xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x10xf32>) -> tensor<4x10xf32>
  %x = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
         ins(%h, %w : tensor<8x4xf32>, tensor<10x8xf32>) outs(%f : tensor<4x10xf32>) -> tensor<4x10xf32>
  %l = loss.softmax_cross_entropy %x, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Mixed element types (an f16 product accumulated into f32) do not fuse.
// CHECK-LABEL: func.func @mixed_types
// CHECK:         linalg.matmul
// CHECK-NOT:     loss.linear_cross_entropy
func.func @mixed_types(%h: tensor<4x8xf16>, %w: tensor<10x8xf16>, %t: tensor<4xi64>) -> tensor<f32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x10xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x10xf32>) -> tensor<4x10xf32>
  %x = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
         ins(%h, %w : tensor<4x8xf16>, tensor<10x8xf16>) outs(%f : tensor<4x10xf32>) -> tensor<4x10xf32>
  %l = loss.softmax_cross_entropy %x, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A transpose that is used elsewhere too stays; the logits still need not
// exist.
// CHECK-LABEL: func.func @transpose_other_use
// CHECK:         %[[WT:.*]] = linalg.transpose
// CHECK-NOT:     linalg.matmul
// CHECK:         %[[L:.*]] = loss.linear_cross_entropy %arg0, %arg1, %arg2 :
// CHECK-NEXT:    return %[[L]], %[[WT]]
func.func @transpose_other_use(%h: tensor<4x8xf32>, %w: tensor<10x8xf32>, %t: tensor<4xi64>) -> (tensor<f32>, tensor<8x10xf32>) {
  %z = arith.constant 0.0 : f32
  %et = tensor.empty() : tensor<8x10xf32>
  %wt = linalg.transpose ins(%w : tensor<10x8xf32>) outs(%et : tensor<8x10xf32>) permutation = [1, 0]
  %e = tensor.empty() : tensor<4x10xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x10xf32>) -> tensor<4x10xf32>
  %x = linalg.matmul ins(%h, %wt : tensor<4x8xf32>, tensor<8x10xf32>) outs(%f : tensor<4x10xf32>) -> tensor<4x10xf32>
  %l = loss.softmax_cross_entropy %x, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %l, %wt : tensor<f32>, tensor<8x10xf32>
}
