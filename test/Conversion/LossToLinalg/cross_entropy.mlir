// RUN: loss-opt %s --convert-loss-to-linalg --canonicalize --cse --split-input-file | FileCheck %s

// Cross entropy streams: one reduction over the class dim carries the running
// max, the running sum of exponentials and the target logit together (online
// softmax); a second, row-sized reduction finishes the mean. Nothing shaped
// like the logits is created. Wide rows are streamed as 16 independent lanes
// (classes k * 16 + v, the lane loop innermost and parallel, so it
// vectorizes); the classes past the last full group of 16 update lanes
// 0..tail-1; the lanes are merged per row.

// CHECK-LABEL: func.func @ce_streams
// CHECK-NOT:     tensor.empty() : tensor<8x1000xf32>
// CHECK:         %[[MAIN:.*]] = tensor.extract_slice %arg0[0, 0] [8, 992] [1, 1]
// CHECK:         %[[LANES_IN:.*]] = tensor.expand_shape %[[MAIN]] {{\[}}[0], [1, 2]] output_shape [8, 62, 16]
// CHECK:         %[[LANES:.*]]:3 = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction", "parallel"]
// CHECK-SAME:      ins(%[[LANES_IN]], %arg1 : tensor<8x62x16xf32>, tensor<8xi64>)
// CHECK-SAME:      outs({{.*}} : tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>)
// CHECK:           arith.subf
// CHECK:           arith.cmpf ogt
// CHECK:           math.exp
// CHECK-NOT:       math.exp
// CHECK:           linalg.yield
// CHECK:         %[[TAIL:.*]] = tensor.extract_slice %arg0[0, 992] [8, 8] [1, 1]
// CHECK:         %[[TAILED:.*]]:3 = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK-SAME:      ins(%[[TAIL]], %arg1 : tensor<8x8xf32>, tensor<8xi64>)
// CHECK:         %[[L0:.*]] = tensor.insert_slice %[[TAILED]]#0 into %[[LANES]]#0[0, 0] [8, 8] [1, 1]
// CHECK:         %[[ROWS:.*]]:3 = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%[[L0]], %{{.*}}, %{{.*}} : tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>)
// CHECK-SAME:      outs({{.*}} : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
// CHECK-NOT:     tensor.empty() : tensor<8x1000xf32>
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["reduction"]
// CHECK-SAME:      ins(%[[ROWS]]#0, %[[ROWS]]#1, %[[ROWS]]#2, %{{.*}} : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xi64>)
// CHECK:           math.log
// CHECK:         arith.divf
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @ce_streams(%x: tensor<8x1000xf32>, %t: tensor<8xi64>) -> tensor<f32> {
  %0 = loss.softmax_cross_entropy %x, %t : (tensor<8x1000xf32>, tensor<8xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Narrow rows (fewer than two groups of lanes) stream in one sequential
// reduction per row.

// CHECK-LABEL: func.func @ce_narrow_streams
// CHECK-NOT:     tensor.expand_shape
// CHECK:         %[[ROWS:.*]]:3 = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%arg0, %arg1 : tensor<8x10xf32>, tensor<8xi64>)
// CHECK-SAME:      outs({{.*}} : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
// CHECK:           linalg.index 1
// CHECK:           math.exp
// CHECK-NOT:       math.exp
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["reduction"]
// CHECK-SAME:      ins(%[[ROWS]]#0, %[[ROWS]]#1, %[[ROWS]]#2, %{{.*}} : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xi64>)
func.func @ce_narrow_streams(%x: tensor<8x10xf32>, %t: tensor<8xi64>) -> tensor<f32> {
  %0 = loss.softmax_cross_entropy %x, %t : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// With the log_prob result the logits-shaped output is the only full-size
// tensor, written by one elementwise pass after the streaming one; the log is
// taken once per row.

// CHECK-LABEL: func.func @ce_log_prob
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK:         linalg.generic {{.*}} iterator_types = ["reduction"]
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel"]
// CHECK-SAME:      outs(%{{.*}} : tensor<8xf32>)
// CHECK:           math.log
// CHECK:         %[[LP_INIT:.*]] = tensor.empty() : tensor<8x16xf32>
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK-SAME:      outs(%[[LP_INIT]] : tensor<8x16xf32>)
// CHECK-NOT:       math.log
// CHECK:           linalg.yield
func.func @ce_log_prob(%x: tensor<8x16xf32>, %t: tensor<8xi64>) -> (tensor<f32>, tensor<8x16xf32>) {
  %0:2 = loss.softmax_cross_entropy %x, %t : (tensor<8x16xf32>, tensor<8xi64>) -> (tensor<f32>, tensor<8x16xf32>)
  return %0#0, %0#1 : tensor<f32>, tensor<8x16xf32>
}

// -----

// K-dim inputs put the class dim innermost in the iteration space.

// CHECK-DAG: #[[LOGITS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1, d2)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @ce_kdim_none
// CHECK:         linalg.generic {indexing_maps = [#[[LOGITS]], #[[ROW]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME:      outs(%{{.*}} : tensor<2x3x4xf16>)
func.func @ce_kdim_none(%x: tensor<2x5x3x4xf16>, %t: tensor<2x3x4xi32>) -> tensor<2x3x4xf16> {
  %0 = loss.softmax_cross_entropy %x, %t {reduction = #loss.reduction<none>} : (tensor<2x5x3x4xf16>, tensor<2x3x4xi32>) -> tensor<2x3x4xf16>
  return %0 : tensor<2x3x4xf16>
}

// -----

// f16 logits are widened inside the streaming loop; accumulators are f32.

// CHECK-LABEL: func.func @ce_f16_accumulates_in_f32
// CHECK:         linalg.generic
// CHECK:         ^bb0(%[[IN:.*]]: f16, %{{.*}}: i64, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK:           arith.extf %[[IN]] : f16 to f32
// CHECK:         arith.truncf %{{.*}} : f32 to f16
func.func @ce_f16_accumulates_in_f32(%x: tensor<4x10xf16>, %t: tensor<4xi64>) -> tensor<f16> {
  %0 = loss.softmax_cross_entropy %x, %t {reduction = #loss.reduction<sum>} : (tensor<4x10xf16>, tensor<4xi64>) -> tensor<f16>
  return %0 : tensor<f16>
}

// -----

// nll gathers one element per target, only for a target in [0, C) (scf.if:
// with C = 0 even a clamped index would be out of bounds); an out-of-range
// target yields NaN instead of reading outside the input.

// CHECK-LABEL: func.func @nll_gather_is_clamped
// CHECK:         linalg.generic {{.*}} iterator_types = ["reduction"]
// CHECK:           arith.cmpi sge
// CHECK:           arith.cmpi slt
// CHECK:           %[[IN:.*]] = arith.andi
// CHECK:           %[[SAFE:.*]] = arith.select %[[IN]]
// CHECK:           %[[IDX:.*]] = arith.index_cast %[[SAFE]]
// CHECK:           scf.if %[[IN]]
// CHECK-NEXT:        tensor.extract %{{.*}}[%{{.*}}, %[[IDX]]] : tensor<4x10xf32>
// CHECK-NEXT:        tensor.extract %{{.*}}[%[[IDX]]] : tensor<10xf32>
// CHECK:           arith.select %[[IN]], %{{.*}}, %cst{{.*}} : f32
func.func @nll_gather_is_clamped(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %w: tensor<10xf32>) -> tensor<f32> {
  %0 = loss.nll %x, %t weight(%w) : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// With no classes no target is in range: the gathers stay behind the
// range test (a clamped index 0 would be out of bounds).

// CHECK-LABEL: func.func @nll_no_classes
// CHECK:           %[[IN:.*]] = arith.andi
// CHECK-NOT:       tensor.extract
// CHECK:           scf.if %[[IN]]
// CHECK-NEXT:        tensor.extract {{.*}} : tensor<4x0xf32>
// CHECK-NEXT:        tensor.extract {{.*}} : tensor<0xf32>
// CHECK-NOT:       tensor.extract
// CHECK:         return
func.func @nll_no_classes(%x: tensor<4x0xf32>, %t: tensor<4xi64>, %w: tensor<0xf32>) -> tensor<4xf32> {
  %0 = loss.nll %x, %t weight(%w) {reduction = #loss.reduction<none>} : (tensor<4x0xf32>, tensor<4xi64>, tensor<0xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// log_softmax: one streaming pass for max/sum-of-exp, one log per row, one
// elementwise pass; the axis may be any dim.

// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2) -> (d2, d0, d1)>
// CHECK-LABEL: func.func @log_softmax_axis0
// CHECK:         linalg.generic {indexing_maps = [#[[IN]], {{.*}}], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK:           math.log
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-NOT:       math.log
func.func @log_softmax_axis0(%x: tensor<3x4x5xf64>) -> tensor<3x4x5xf64> {
  %0 = loss.log_softmax %x {axis = 0 : i64} : tensor<3x4x5xf64>
  return %0 : tensor<3x4x5xf64>
}

// -----

// Dynamic shapes lower too.

// CHECK-LABEL: func.func @ce_dynamic
// CHECK:         tensor.dim
// CHECK:         linalg.generic
// CHECK-SAME:      tensor<?x?xf32>
func.func @ce_dynamic(%x: tensor<?x?xf32>, %t: tensor<?xi64>) -> tensor<f32> {
  %0 = loss.softmax_cross_entropy %x, %t {label_smoothing = 0.1 : f64} : (tensor<?x?xf32>, tensor<?xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// A `none` result may be less static than the operands; it gets a cast.

// CHECK-LABEL: func.func @none_result_less_static
// CHECK:         %[[C:.*]] = tensor.cast %{{.*}} : tensor<4xf32> to tensor<?xf32>
// CHECK:         %[[D:.*]] = tensor.cast %{{.*}} : tensor<4xf32> to tensor<?xf32>
// CHECK:         return %[[C]], %[[D]]
func.func @none_result_less_static(%x: tensor<4x10xf32>, %t: tensor<4xi64>) -> (tensor<?xf32>, tensor<?xf32>) {
  %0 = loss.softmax_cross_entropy %x, %t {reduction = #loss.reduction<none>} : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<?xf32>
  %1 = loss.nll %x, %t {reduction = #loss.reduction<none>} : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<?xf32>
  return %0, %1 : tensor<?xf32>, tensor<?xf32>
}
