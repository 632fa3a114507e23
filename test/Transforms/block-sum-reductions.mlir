// RUN: loss-opt %s --convert-loss-to-linalg --block-sum-reductions --canonicalize --split-input-file | FileCheck %s
// RUN: loss-opt %s --convert-loss-to-linalg --block-sum-reductions="run-length=4 lanes=2 min-size=8" --canonicalize --split-input-file | FileCheck %s --check-prefix=SMALL

// Identity-indexed operands: the space is collapsed, split into blocks of
// 32 runs x 16 lanes (parallel over blocks and lanes), and the partials are
// added with a compensated sum.

// CHECK-LABEL: func.func @mse_mean
// CHECK:         tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<4096x4096xf32> into tensor<16777216xf32>
// CHECK:         tensor.expand_shape %{{.*}} output_shape [32768, 32, 16] : tensor<16777216xf32> into tensor<32768x32x16xf32>
// CHECK:         %[[P:.*]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction", "parallel"]
// CHECK-SAME:      outs(%{{.*}} : tensor<32768x16xf32>)
// CHECK:           arith.subf
// CHECK:           arith.mulf
// CHECK:           arith.addf
// CHECK:         %[[F:.*]] = tensor.collapse_shape %[[P]] {{\[\[}}0, 1]] : tensor<32768x16xf32> into tensor<524288xf32>
// CHECK:         %[[S:.*]]:2 = linalg.generic
// CHECK-SAME:      iterator_types = ["reduction"]
// CHECK-SAME:      ins(%[[F]] : tensor<524288xf32>)
// CHECK-SAME:      outs(%{{.*}}, %{{.*}} : tensor<f32>, tensor<f32>)
// CHECK:           %[[T:.*]] = arith.addf %[[SUM:.*]], %[[X:.*]] : f32
// CHECK:           arith.cmpf oge
// CHECK:           arith.subf %[[SUM]], %[[T]]
// CHECK:           arith.select
// CHECK:           linalg.yield %[[T]], %{{.*}} : f32, f32
// CHECK:         tensor.extract %[[S]]#0[]
// CHECK:         tensor.extract %[[S]]#1[]
// CHECK:         arith.cmpf olt
// CHECK:         arith.divf
func.func @mse_mean(%x: tensor<4096x4096xf32>, %t: tensor<4096x4096xf32>) -> tensor<f32> {
  %0 = loss.mse %x, %t : (tensor<4096x4096xf32>, tensor<4096x4096xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// An operand broadcast over the rows (pos_weight) keeps the rows as loops;
// the innermost dim (1000 = 3 blocks of 32 runs x 8 f64 lanes, then 29 runs
// of 8, no single points left) is split in every operand that it indexes.

// CHECK-LABEL: func.func @pos_weight
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction", "parallel"]
// CHECK-SAME:      ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<64x3x32x8xf64>, tensor<64x3x32x8xf64>, tensor<3x32x8xf64>)
// CHECK-SAME:      outs(%{{.*}} : tensor<64x3x8xf64>)
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction", "parallel"]
// CHECK-SAME:      ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<64x29x8xf64>, tensor<64x29x8xf64>, tensor<29x8xf64>)
// CHECK-SAME:      outs(%{{.*}} : tensor<64x8xf64>)
// CHECK-NOT:     iterator_types = ["parallel", "parallel"]
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["reduction"]
// CHECK-SAME:      ins(%{{.*}} : tensor<1536xf64>)
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["reduction"]
// CHECK-SAME:      ins(%{{.*}} : tensor<512xf64>)
func.func @pos_weight(%x: tensor<64x1000xf64>, %t: tensor<64x1000xf64>, %pw: tensor<1000xf64>) -> tensor<f64> {
  %0 = loss.bce_with_logits %x, %t pos_weight(%pw) {reduction = #loss.reduction<sum>} : (tensor<64x1000xf64>, tensor<64x1000xf64>, tensor<1000xf64>) -> tensor<f64>
  return %0 : tensor<f64>
}

// -----

// A short innermost dim under a broadcast operand: one partial per row.

// CHECK-LABEL: func.func @short_rows
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      outs(%{{.*}} : tensor<4096xf32>)
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["reduction"]
// CHECK-SAME:      ins(%{{.*}} : tensor<4096xf32>)
func.func @short_rows(%x: tensor<4096x10xf32>, %t: tensor<4096x10xf32>, %w: tensor<4096x1xf32>) -> tensor<f32> {
  %0 = loss.bce %x, %t weight(%w) : (tensor<4096x10xf32>, tensor<4096x10xf32>, tensor<4096x1xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// A weighted mean: both accumulators (loss and weight sums) get partials
// and compensated sums; linalg.index (the class of each point) is rebuilt
// from the block, run and lane indices.

// CHECK-LABEL: func.func @nll_weighted
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction", "parallel"]
// CHECK-SAME:      outs(%{{.*}}, %{{.*}} : tensor<128x16xf32>, tensor<128x16xf32>)
// CHECK:           linalg.index 0
// CHECK:           linalg.index 1
// CHECK:           linalg.index 2
// CHECK:           affine.apply
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["reduction"]
// CHECK-SAME:      outs(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>)
func.func @nll_weighted(%x: tensor<65536x10xf32>, %t: tensor<65536xi64>, %w: tensor<10xf32>) -> tensor<f32> {
  %0 = loss.nll %x, %t weight(%w) : (tensor<65536x10xf32>, tensor<65536xi64>, tensor<10xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Small sums and `none` results are left alone; so are sums that are not
// plain additions (a max).

// CHECK-LABEL: func.func @left_alone
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["reduction"]
// CHECK-SAME:      ins(%{{.*}}, %{{.*}} : tensor<100xf32>, tensor<100xf32>)
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK-NOT:     tensor.expand_shape
// SMALL-LABEL: func.func @left_alone
// SMALL:         tensor.extract_slice %{{.*}}[0] [96] [1] : tensor<100xf32> to tensor<96xf32>
// SMALL:         tensor.expand_shape %{{.*}} output_shape [12, 4, 2] : tensor<96xf32> into tensor<12x4x2xf32>
// SMALL:         tensor.expand_shape %{{.*}} output_shape [2, 2] : tensor<4xf32> into tensor<2x2xf32>
func.func @left_alone(%a: tensor<100xf32>, %b: tensor<100xf32>, %x: tensor<4x5xf32>, %y: tensor<4x5xf32>) -> (tensor<f32>, tensor<4x5xf32>) {
  %0 = loss.l1 %a, %b : (tensor<100xf32>, tensor<100xf32>) -> tensor<f32>
  %1 = loss.l1 %x, %y {reduction = #loss.reduction<none>} : (tensor<4x5xf32>, tensor<4x5xf32>) -> tensor<4x5xf32>
  return %0, %1 : tensor<f32>, tensor<4x5xf32>
}
