// RUN: loss-opt %s --convert-loss-to-gpu --canonicalize --cse --split-input-file | FileCheck %s
// RUN: loss-opt %s --convert-loss-to-gpu="block-size=128 max-grid-size=1024" --split-input-file | FileCheck %s --check-prefix=SIZES

// The softmax family on the GPU: one block per row (blocks loop over rows),
// the block's threads stride over the classes with a thread-local online
// softmax, merged across the block with gpu.all_reduce (max, then the sum of
// rescaled exponentials), a barrier before the next row reuses the
// reduction's shared memory, thread 0 finishing the row's loss. The mean over
// rows is a linalg reduction (mapped later by map-linalg-to-gpu).

// CHECK-LABEL: func.func @ce_weighted_mean
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<?x?xf32>, %[[T:[a-z0-9]+]]: tensor<?xi64>, %[[W:[a-z0-9]+]]: tensor<?xf32>
// CHECK-DAG:     %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK-DAG:     %[[C:.*]] = tensor.dim %[[X]], %c1
// Dynamic sizes are checked before any kernel reads the operands.
// CHECK:         %[[NT:.*]] = tensor.dim %[[T]], %c0
// CHECK:         %[[OKN:.*]] = arith.cmpi eq, %[[N]], %[[NT]]
// CHECK:         cf.assert %[[OKN]], "loss: operand dimensions differ at run time
// CHECK:         %[[CW:.*]] = tensor.dim %[[W]], %c0
// CHECK:         %[[OKC:.*]] = arith.cmpi eq, %[[C]], %[[CW]]
// CHECK:         cf.assert %[[OKC]]
// Per-row loss and weight, written by the kernel.
// CHECK-DAG:     %[[LOSS:.*]] = memref.alloc(%[[N]]) : memref<?xf32>
// CHECK-DAG:     %[[WSUM:.*]] = memref.alloc(%[[N]]) : memref<?xf32>
// A block per row, at most 65535 blocks; threads: C rounded up to a warp,
// at most 256.
// CHECK:         %[[G0:.*]] = arith.maxui %[[N]], %c1
// CHECK:         %[[GRID:.*]] = arith.minui %[[G0]], %c65535
// CHECK:         arith.ceildivui %[[C]], %c32
// CHECK:         %[[BLOCK:.*]] = arith.minui %{{.*}}, %c256
// CHECK:         gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%[[GX:.*]] = %[[GRID]], %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%[[BS:.*]] = %[[BLOCK]],
// CHECK:           scf.for %[[ROW:.*]] = %[[BX]] to %[[N]] step %[[GX]] {
// CHECK:             %[[LOCAL:.*]]:2 = scf.for %[[CL:.*]] = %[[TX]] to %[[C]] step %[[BS]] iter_args(%{{.*}} = %cst{{.*}}, %{{.*}} = %cst{{.*}}) -> (f32, f32)
// CHECK:               tensor.extract %[[X]][%[[ROW]], %[[CL]]]
// CHECK:               math.exp
// CHECK:             %[[MAX:.*]] = gpu.all_reduce maximumf %[[LOCAL]]#0 uniform
// CHECK:             %[[SHIFT:.*]] = arith.subf %[[LOCAL]]#0, %[[MAX]]
// CHECK:             %[[SCALE:.*]] = math.exp %[[SHIFT]]
// CHECK:             %[[RESCALED:.*]] = arith.mulf %[[LOCAL]]#1, %[[SCALE]]
// CHECK:             %[[SUM:.*]] = gpu.all_reduce add %[[RESCALED]] uniform
// CHECK:             gpu.barrier
// CHECK:             %[[LOGSUM:.*]] = math.log %[[SUM]]
// CHECK:             %[[IS0:.*]] = arith.cmpi eq, %[[TX]], %c0
// CHECK:             scf.if %[[IS0]] {
// CHECK:               %[[TGT:.*]] = tensor.extract %[[T]][%[[ROW]]]
// CHECK:               tensor.extract %[[W]]
// CHECK:               memref.store %{{.*}}, %[[LOSS]][%[[ROW]]]
// CHECK:               memref.store %{{.*}}, %[[WSUM]][%[[ROW]]]
// CHECK:         } {loss.mapping = "block-per-row"}
// CHECK:         %[[LT:.*]] = bufferization.to_tensor %[[LOSS]] restrict writable
// CHECK:         %[[WT:.*]] = bufferization.to_tensor %[[WSUM]] restrict writable
// The weighted mean: sum of losses over sum of weights.
// CHECK:         %[[RED:.*]]:2 = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[LT]], %[[WT]]
// CHECK:         arith.divf

// SIZES-LABEL: func.func @ce_weighted_mean
// SIZES:         arith.constant 1024 : index
// SIZES:         arith.constant 128 : index
// SIZES:         gpu.launch
func.func @ce_weighted_mean(%x: tensor<?x?xf32>, %t: tensor<?xi64>, %w: tensor<?xf32>) -> tensor<f32> {
  %r = loss.softmax_cross_entropy %x, %t weight(%w) : (tensor<?x?xf32>, tensor<?xi64>, tensor<?xf32>) -> tensor<f32>
  return %r : tensor<f32>
}

// -----

// Label smoothing also merges the shifted factor sums D (relative to the
// block's max) and O; `none` writes the loss itself in the element type.

// CHECK-LABEL: func.func @ce_smoothing_none_f16
// CHECK:         %[[OUT:.*]] = memref.alloc() : memref<8xf16>
// CHECK:         gpu.launch
// CHECK:           scf.for {{.*}} -> (f32, f32, f32, f32)
// CHECK:             arith.extf
// CHECK:           gpu.all_reduce maximumf
// CHECK:           gpu.all_reduce add
// CHECK:           gpu.all_reduce add
// CHECK:           gpu.all_reduce add
// CHECK:           gpu.barrier
// CHECK:           scf.if
// CHECK:             arith.truncf %{{.*}} : f32 to f16
// CHECK:             memref.store %{{.*}}, %[[OUT]]
// CHECK:         bufferization.to_tensor %[[OUT]]
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @ce_smoothing_none_f16(%x: tensor<8x10xf16>, %t: tensor<8xi64>) -> tensor<8xf16> {
  %r = loss.softmax_cross_entropy %x, %t {label_smoothing = 0.1 : f64, reduction = #loss.reduction<none>} : (tensor<8x10xf16>, tensor<8xi64>) -> tensor<8xf16>
  return %r : tensor<8xf16>
}

// -----

// Probability targets with the log_prob result: after the row's statistics,
// every thread writes its share of the row's log-probabilities.

// CHECK-LABEL: func.func @ce_prob_log_prob
// CHECK-DAG:     %[[ROWS:.*]] = memref.alloc() : memref<4x3xf32>
// CHECK-DAG:     %[[LP:.*]] = memref.alloc() : memref<4x5x3xf32>
// CHECK:         gpu.launch blocks(%{{.*}}) in (%{{.*}} = %c12
// CHECK:           scf.for %[[ROW:.*]] = {{.*}} to %c12
// CHECK:             %[[NI:.*]]:2 = affine.delinearize_index %[[ROW]] into (4, 3)
// CHECK:             gpu.all_reduce maximumf
// CHECK:             scf.if
// CHECK:               memref.store %{{.*}}, %[[ROWS]][%[[NI]]#0, %[[NI]]#1]
// CHECK:             scf.for %[[CL:.*]] = %{{.*}} to %c5 step
// CHECK:               arith.subf
// CHECK:               arith.subf
// CHECK:               memref.store %{{.*}}, %[[LP]][%[[NI]]#0, %[[CL]], %[[NI]]#1]
// CHECK:         } {loss.mapping = "block-per-row"}
func.func @ce_prob_log_prob(%x: tensor<4x5x3xf32>, %y: tensor<4x5x3xf32>) -> (tensor<f32>, tensor<4x5x3xf32>) {
  %r, %lp = loss.softmax_cross_entropy %x, %y : (tensor<4x5x3xf32>, tensor<4x5x3xf32>) -> (tensor<f32>, tensor<4x5x3xf32>)
  return %r, %lp : tensor<f32>, tensor<4x5x3xf32>
}

// -----

// log_softmax along a leading axis and linalg.softmax: the rows are the
// other dims, the second sweep writes (x - max) - log(sum) or exp(x - max) /
// sum.

// CHECK-LABEL: func.func @log_softmax_axis0
// CHECK:         gpu.launch
// CHECK:           gpu.all_reduce maximumf
// CHECK:           gpu.all_reduce add
// CHECK:           math.log
// CHECK:           scf.for
// CHECK-NOT:         math.exp
// CHECK:             memref.store
// CHECK:         } {loss.mapping = "block-per-row"}
func.func @log_softmax_axis0(%x: tensor<7x3x2xf64>) -> tensor<7x3x2xf64> {
  %r = loss.log_softmax %x {axis = 0 : i64} : tensor<7x3x2xf64>
  return %r : tensor<7x3x2xf64>
}

// CHECK-LABEL: func.func @linalg_softmax
// CHECK:         gpu.launch
// CHECK:           gpu.all_reduce maximumf
// CHECK:           gpu.all_reduce add
// CHECK:           scf.for
// CHECK:             math.exp
// CHECK:             arith.divf
// CHECK:             memref.store
// CHECK:         } {loss.mapping = "block-per-row"}
// CHECK-NOT:     linalg.softmax
func.func @linalg_softmax(%x: tensor<2x9xf32>) -> tensor<2x9xf32> {
  %e = tensor.empty() : tensor<2x9xf32>
  %r = linalg.softmax dimension(1) ins(%x : tensor<2x9xf32>) outs(%e : tensor<2x9xf32>) -> tensor<2x9xf32>
  return %r : tensor<2x9xf32>
}
