// RUN: loss-opt %s --convert-loss-to-linalg --canonicalize --cse --split-input-file | FileCheck %s

// CTC: an scf.forall over the batch (parallel); per sample a scan of its
// labels, ONE alpha row of 2 S_n + 1 states (O(S) state, nothing of size
// T x S), a sequential scf.for over time, and inside it an scf.for over the
// labels that updates the row in place (states in descending order), with a
// max-shifted logsumexp. The mean is a second, batch-sized reduction.

// CHECK-LABEL: func.func @ctc_padded_mean
// CHECK-SAME:    %[[LP:[a-z0-9]+]]: tensor<50x4x20xf32>, %[[TG:[a-z0-9]+]]: tensor<4x10xi64>, %[[IL:[a-z0-9]+]]: tensor<4xi64>, %[[TL:[a-z0-9]+]]: tensor<4xi64>
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG:     %[[T:.*]] = arith.constant 50 : i64
// CHECK-DAG:     %[[S:.*]] = arith.constant 10 : i64
// CHECK:         %[[OUT:.*]] = tensor.empty() : tensor<4xf32>
// CHECK:         %[[LOSSES:.*]] = scf.forall (%[[N:.*]]) in (4) shared_outs(%[[SH:.*]] = %[[OUT]]) -> (tensor<4xf32>)
// Lengths clamped into [0, T] and [0, S].
// CHECK:           %[[ILN:.*]] = tensor.extract %[[IL]][%[[N]]]
// CHECK:           arith.minsi %{{.*}}, %[[T]] : i64
// CHECK:           %[[TLN:.*]] = tensor.extract %[[TL]][%[[N]]]
// CHECK:           arith.minsi %{{.*}}, %[[S]] : i64
// Labels outside [0, C) make the sample NaN and skip the recursion.
// CHECK:           %[[BAD:.*]] = scf.for {{.*}} -> (i1)
// CHECK:             tensor.extract %[[TG]][%[[N]], %{{.*}}]
// CHECK:           %[[STEPS:.*]] = arith.select %[[BAD]], %[[C0]], %{{.*}} : index
// One row of 2 S_n + 1 states.
// CHECK-NOT:       tensor.empty
// CHECK:           %[[ROW0:.*]] = tensor.empty(%{{.*}}) : tensor<?xf32>
// CHECK:           %[[ROW:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[ROW0]]) -> (tensor<?xf32>)
// The time loop, sequential, up to the sample's own length.
// CHECK:           %[[ALPHA:.*]] = scf.for %[[TT:.*]] = %[[C0]] to %[[STEPS]] step %{{.*}} iter_args(%{{.*}} = %[[ROW]]) -> (tensor<?xf32>)
// CHECK:             %[[LPB:.*]] = tensor.extract %[[LP]][%[[TT]], %[[N]], %[[C0]]]
// CHECK:             scf.for {{.*}} -> (tensor<?xf32>)
// CHECK:               tensor.extract %[[TG]][%[[N]], %{{.*}}]
// CHECK:               math.exp
// CHECK:               math.log
// CHECK:               arith.addf %[[LPB]]
// CHECK:               tensor.extract %[[LP]][%[[TT]], %[[N]], %{{.*}}]
// CHECK:               math.exp
// CHECK:               math.exp
// CHECK:               math.exp
// CHECK:               math.log
// CHECK:               tensor.insert
// CHECK:               tensor.insert
// CHECK:               scf.yield
// CHECK:           }
// CHECK:           tensor.extract %[[ALPHA]]
// CHECK:           math.log
// CHECK:           arith.select %[[BAD]]
// mean: loss_n / max(S_n, 1).
// CHECK:           arith.maxsi
// CHECK:           arith.sitofp
// CHECK:           arith.divf
// CHECK:           tensor.extract_slice %[[SH]][%[[N]]] [1] [1]
// CHECK:           scf.forall.in_parallel
// CHECK:             tensor.parallel_insert_slice %{{.*}} into %[[SH]][%[[N]]] [1] [1]
// CHECK-NOT:     tensor.empty() : tensor<50
// CHECK:         linalg.generic {{.*}} iterator_types = ["reduction"]
// CHECK-SAME:      ins(%[[LOSSES]] : tensor<4xf32>)
// CHECK:         arith.divf
// CHECK:         return
func.func @ctc_padded_mean(%lp: tensor<50x4x20xf32>, %tg: tensor<4x10xi64>, %il: tensor<4xi64>, %tl: tensor<4xi64>) -> tensor<f32> {
  %0 = loss.ctc %lp, %tg, %il, %tl : (tensor<50x4x20xf32>, tensor<4x10xi64>, tensor<4xi64>, tensor<4xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Concatenated targets, dynamic shapes: a sequential prefix scan gives each
// sample its offset and its length clamped to what remains of the buffer;
// `none` returns the forall's result; zero_infinity maps +inf to 0. A
// dynamic C is checked against `blank` at run time.

// CHECK-LABEL: func.func @ctc_concat_none
// CHECK-SAME:    %[[LP:[a-z0-9]+]]: tensor<?x?x?xf64>, %[[TG:[a-z0-9]+]]: tensor<?xi32>, %[[IL:[a-z0-9]+]]: tensor<?xi32>, %[[TL:[a-z0-9]+]]: tensor<?xi32>
// CHECK-DAG:     %[[INF:.*]] = arith.constant 0x7FF0000000000000 : f64
// CHECK-DAG:     %[[BLANK:.*]] = arith.constant 3 : i64
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK:         %[[NB:.*]] = tensor.dim %[[LP]], %[[C1]] : tensor<?x?x?xf64>
// CHECK:         arith.cmpi sle, %{{.*}}, %[[BLANK]] : i64
// CHECK:         %[[SCAN:.*]]:3 = scf.for %{{.*}} = %{{.*}} to %[[NB]] {{.*}} -> (i64, tensor<?xi64>, tensor<?xi64>)
// CHECK:           tensor.extract %[[TL]]
// CHECK:           arith.minsi
// CHECK:         %[[LOSSES:.*]] = scf.forall (%[[N:.*]]) in (%[[NB]]) shared_outs({{.*}}) -> (tensor<?xf64>)
// CHECK:           tensor.extract %[[SCAN]]#2[%[[N]]]
// CHECK:           %[[OFF:.*]] = tensor.extract %[[SCAN]]#1[%[[N]]]
// CHECK:           tensor.empty(%{{.*}}) : tensor<?xf64>
// CHECK:           scf.for {{.*}} -> (tensor<?xf64>)
// CHECK:             scf.for {{.*}} -> (tensor<?xf64>)
// CHECK:           arith.cmpf oeq, %{{.*}}, %[[INF]] : f64
// CHECK:           scf.forall.in_parallel
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[LOSSES]] : tensor<?xf64>
func.func @ctc_concat_none(%lp: tensor<?x?x?xf64>, %tg: tensor<?xi32>, %il: tensor<?xi32>, %tl: tensor<?xi32>) -> tensor<?xf64> {
  %0 = loss.ctc %lp, %tg, %il, %tl {blank = 3 : i64, reduction = #loss.reduction<none>, zero_infinity = true} : (tensor<?x?x?xf64>, tensor<?xi32>, tensor<?xi32>, tensor<?xi32>) -> tensor<?xf64>
  return %0 : tensor<?xf64>
}

// -----

// Unbatched [T, C] with [] / [1] lengths: the one-sample forall folds away;
// f16 accumulates in f32.

// CHECK-LABEL: func.func @ctc_unbatched_sum
// CHECK-NOT:     scf.forall
// CHECK:         tensor.empty(%{{.*}}) : tensor<?xf32>
// CHECK:         scf.for {{.*}} -> (tensor<?xf32>)
// CHECK:           arith.extf %{{.*}} : f16 to f32
// CHECK:           scf.for {{.*}} -> (tensor<?xf32>)
// CHECK:         arith.truncf %{{.*}} : f32 to f16
// CHECK:         tensor.from_elements %{{.*}} : tensor<f16>
func.func @ctc_unbatched_sum(%lp: tensor<30x5xf16>, %tg: tensor<7xi64>, %il: tensor<i64>, %tl: tensor<1xi64>) -> tensor<f16> {
  %0 = loss.ctc %lp, %tg, %il, %tl {reduction = #loss.reduction<sum>} : (tensor<30x5xf16>, tensor<7xi64>, tensor<i64>, tensor<1xi64>) -> tensor<f16>
  return %0 : tensor<f16>
}
