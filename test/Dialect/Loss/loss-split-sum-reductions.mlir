// RUN: loss-opt %s --convert-loss-to-linalg --loss-split-sum-reductions --canonicalize | FileCheck %s

// A mean over [64, 100] becomes partial sums over the 100 columns of each
// row (parallel over rows) and a reduction of the 64 partials.

// CHECK-LABEL: func.func @mse_mean
// CHECK:         %[[P:.*]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%arg0, %arg1 : tensor<64x100xf32>, tensor<64x100xf32>)
// CHECK-SAME:      outs(%{{.*}} : tensor<64xf32>)
// CHECK:           arith.subf
// CHECK:           arith.mulf
// CHECK:           arith.addf
// CHECK:         %[[T:.*]] = linalg.generic
// CHECK-SAME:      iterator_types = ["reduction"]
// CHECK-SAME:      ins(%[[P]] : tensor<64xf32>)
// CHECK-SAME:      outs(%{{.*}} : tensor<f32>)
// CHECK:         tensor.extract %[[T]][]
// CHECK:         arith.divf
func.func @mse_mean(%x: tensor<64x100xf32>, %t: tensor<64x100xf32>) -> tensor<f32> {
  %0 = loss.mse %x, %t : (tensor<64x100xf32>, tensor<64x100xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// A weighted mean keeps both accumulators (loss and weight sums) as
// partials.

// CHECK-LABEL: func.func @nll_k1_mean
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      outs(%{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32>)
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["reduction"]
// CHECK-SAME:      outs(%{{.*}}, %{{.*}} : tensor<f32>, tensor<f32>)
func.func @nll_k1_mean(%x: tensor<4x10x7xf32>, %t: tensor<4x7xi64>) -> tensor<f32> {
  %0 = loss.nll %x, %t : (tensor<4x10x7xf32>, tensor<4x7xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// Rank-1 sums, `none` results and reductions that are not plain sums stay.

// CHECK-LABEL: func.func @left_alone
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["reduction"]
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["reduction", "reduction"]
// CHECK:           arith.maximumf
func.func @left_alone(%a: tensor<100xf32>, %b: tensor<100xf32>, %x: tensor<4x5xf32>, %y: tensor<4x5xf32>) -> (tensor<f32>, tensor<4x5xf32>, tensor<f32>) {
  %0 = loss.l1 %a, %b {reduction = #loss.reduction<sum>} : (tensor<100xf32>, tensor<100xf32>) -> tensor<f32>
  %1 = loss.l1 %x, %y {reduction = #loss.reduction<none>} : (tensor<4x5xf32>, tensor<4x5xf32>) -> tensor<4x5xf32>
  %init = arith.constant dense<0.0> : tensor<f32>
  %2 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%x : tensor<4x5xf32>) outs(%init : tensor<f32>) {
  ^bb0(%in: f32, %acc: f32):
    %m = arith.maximumf %acc, %in : f32
    linalg.yield %m : f32
  } -> tensor<f32>
  return %0, %1, %2 : tensor<f32>, tensor<4x5xf32>, tensor<f32>
}
