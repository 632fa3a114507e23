// RUN: loss-opt %s --convert-loss-to-gpu --canonicalize --cse --split-input-file | FileCheck %s

// CTC on the GPU: one block per sample; the block's threads stride over the
// 2 S_n + 1 label states (no cap on S: any number of states per thread) of
// a double-buffered alpha row pair in global scratch memory (one pair per
// block), with a barrier after every time step. Label validity is an OR
// across the block. The mean over samples is a linalg reduction.

// CHECK-LABEL: func.func @ctc_concat_mean
// CHECK-SAME:    %[[LP:[a-z0-9]+]]: tensor<50x4x20xf32>, %[[TG:[a-z0-9]+]]: tensor<?xi32>, %[[IL:[a-z0-9]+]]: tensor<4xi64>, %[[TL:[a-z0-9]+]]: tensor<4xi64>
// The states of the longest possible target: 2 * len(targets) + 1.
// CHECK:         %[[LEN:.*]] = tensor.dim %[[TG]], %c0
// CHECK:         %[[L2:.*]] = arith.muli %[[LEN]], %c2
// CHECK:         %[[CAP:.*]] = arith.addi %[[L2]], %c1
// CHECK:         arith.ceildivui %[[CAP]], %c32
// CHECK:         %[[BLOCK:.*]] = arith.minui %{{.*}}, %c256
// Scratch: two rows per block; the per-sample losses.
// CHECK:         %[[ALPHA:.*]] = memref.alloc(%[[CAP]]) : memref<4x2x?xf32>
// CHECK:         %[[PER:.*]] = memref.alloc() : memref<4xf32>
// CHECK:         gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%[[GX:.*]] = %c4, {{.*}} threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%[[BS:.*]] = %[[BLOCK]],
// CHECK:           scf.for %[[N:.*]] = %[[BX]] to %c4 step %[[GX]] {
// The sample's offset in the concatenated targets: a prefix sum.
// CHECK:             %[[OFF:.*]] = scf.for %{{.*}} = %c0 to %[[N]] step %c1 iter_args(%{{.*}} = %c0_i64) -> (i64)
// Labels outside [0, C), scanned by all threads, OR-ed across the block.
// CHECK:             %[[BADL:.*]] = scf.for %{{.*}} = %[[TX]] to %{{.*}} step %[[BS]] iter_args(%{{.*}} = %false) -> (i1)
// CHECK:             %[[BADW:.*]] = arith.extui %[[BADL]] : i1 to i32
// CHECK:             gpu.all_reduce or %[[BADW]] uniform
// CHECK:             gpu.barrier
// a_{-1} = [0, -inf, ...] in row 0, then a barrier.
// CHECK:             scf.for %[[S0:.*]] = %[[TX]] to %[[NS:.*]] step %[[BS]] {
// CHECK:               memref.store %{{.*}}, %[[ALPHA]][%[[BX]], %c0, %[[S0]]]
// CHECK:             gpu.barrier
// The time loop: read row t % 2, write row 1 - t % 2, barrier.
// CHECK:             scf.for %[[TT:.*]] = %c0 to %{{.*}} step %c1 {
// CHECK:               %[[CUR:.*]] = arith.remui %[[TT]], %c2
// CHECK:               %[[NXT:.*]] = arith.subi %c1, %[[CUR]]
// CHECK:               scf.for %[[S:.*]] = %[[TX]] to %[[NS]] step %[[BS]] {
// CHECK:                 memref.load %[[ALPHA]][%[[BX]], %[[CUR]], %[[S]]]
// CHECK:                 scf.if %{{.*}} -> (f32) {
// CHECK:                   tensor.extract %[[TG]]
// CHECK:                 } else {
// CHECK:                 memref.store %{{.*}}, %[[ALPHA]][%[[BX]], %[[NXT]], %[[S]]]
// CHECK:               }
// CHECK-NEXT:          gpu.barrier
// Thread 0: the sample's loss, divided by max(S_n, 1) for the mean.
// CHECK:             %[[IS0:.*]] = arith.cmpi eq, %[[TX]], %c0
// CHECK:             scf.if %[[IS0]] {
// CHECK:               arith.divf
// CHECK:               memref.store %{{.*}}, %[[PER]][%[[N]]]
// CHECK:             }
// CHECK-NEXT:        gpu.barrier
// CHECK:         } {loss.mapping = "block-per-sample"}
// CHECK:         %[[PT:.*]] = bufferization.to_tensor %[[PER]]
// CHECK:         linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[PT]]
func.func @ctc_concat_mean(%lp: tensor<50x4x20xf32>, %tg: tensor<?xi32>, %il: tensor<4xi64>, %tl: tensor<4xi64>) -> tensor<f32> {
  %r = loss.ctc %lp, %tg, %il, %tl : (tensor<50x4x20xf32>, tensor<?xi32>, tensor<4xi64>, tensor<4xi64>) -> tensor<f32>
  return %r : tensor<f32>
}

// -----

// Unbatched, `none`, f16: the loss of the single sample, in f16.

// CHECK-LABEL: func.func @ctc_unbatched_f16
// CHECK:         %[[PER:.*]] = memref.alloc() : memref<1xf32>
// CHECK:         gpu.launch
// CHECK:         } {loss.mapping = "block-per-sample"}
// CHECK:         %[[PT:.*]] = bufferization.to_tensor %[[PER]]
// CHECK:         %[[V:.*]] = tensor.extract %[[PT]][%c0]
// CHECK:         %[[H:.*]] = arith.truncf %[[V]] : f32 to f16
// CHECK:         tensor.from_elements %[[H]] : tensor<f16>
func.func @ctc_unbatched_f16(%lp: tensor<30x6xf16>, %tg: tensor<7xi64>, %il: tensor<i64>, %tl: tensor<i64>) -> tensor<f16> {
  %r = loss.ctc %lp, %tg, %il, %tl {reduction = #loss.reduction<none>} : (tensor<30x6xf16>, tensor<7xi64>, tensor<i64>, tensor<i64>) -> tensor<f16>
  return %r : tensor<f16>
}
