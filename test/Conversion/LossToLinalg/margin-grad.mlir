// RUN: loss-opt %s --convert-loss-to-linalg --canonicalize --cse --split-input-file | FileCheck %s

// The margin family's gradients: per-sample sums are row reductions
// (parallel over samples, reducing over features/classes), then the
// gradients of full-shape operands come from ONE parallel pass; a broadcast
// operand's gradient is summed back by a generic reducing the loops it is
// broadcast along, in f32 for f16 and rounded once.

// CHECK-LABEL: func.func @cosine_streamed
// CHECK-SAME:    %[[A:[^:]*]]: tensor<4x6xf32>, %[[B:[^:]*]]: tensor<4x6xf32>
// CHECK:         %[[S:.*]]:3 = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%[[A]], %[[B]] : tensor<4x6xf32>, tensor<4x6xf32>)
// CHECK:         %[[C:.*]]:3 = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel"]
// CHECK-SAME:      ins(%[[S]]#0, %[[S]]#1, %[[S]]#2,
// CHECK:           math.sqrt
// CHECK:         %[[R:.*]]:2 = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK-SAME:      ins(%[[A]], %[[B]], %[[C]]#0, %[[C]]#1, %[[C]]#2 :
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[R]]#0, %[[R]]#1
func.func @cosine_streamed(%a: tensor<4x6xf32>, %b: tensor<4x6xf32>, %t: tensor<4xi64>, %g: tensor<f32>) -> (tensor<4x6xf32>, tensor<4x6xf32>) {
  %ga, %gb = loss.cosine_embedding_grad %a, %b, %t, %g : (tensor<4x6xf32>, tensor<4x6xf32>, tensor<4xi64>, tensor<f32>) -> (tensor<4x6xf32>, tensor<4x6xf32>)
  return %ga, %gb : tensor<4x6xf32>, tensor<4x6xf32>
}

// -----

// CHECK-LABEL: func.func @triplet_streamed
// CHECK-SAME:    %[[A:[^:]*]]: tensor<4x6xf16>, %[[P:[^:]*]]: tensor<4x6xf16>, %[[N:[^:]*]]: tensor<4x6xf16>
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%[[A]], %[[P]], %[[N]] :
// CHECK-SAME:      outs(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel"]
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel"]
// CHECK:         %[[R:.*]]:3 = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK-SAME:      outs(%{{.*}}, %{{.*}}, %{{.*}} : tensor<4x6xf16>, tensor<4x6xf16>, tensor<4x6xf16>)
// CHECK-COUNT-3:   arith.truncf
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[R]]#0, %[[R]]#1, %[[R]]#2
func.func @triplet_streamed(%a: tensor<4x6xf16>, %p: tensor<4x6xf16>, %n: tensor<4x6xf16>, %g: tensor<4xf16>) -> (tensor<4x6xf16>, tensor<4x6xf16>, tensor<4x6xf16>) {
  %ga, %gp, %gn = loss.triplet_margin_grad %a, %p, %n, %g {swap = true, reduction = #loss.reduction<none>} : (tensor<4x6xf16>, tensor<4x6xf16>, tensor<4x6xf16>, tensor<4xf16>) -> (tensor<4x6xf16>, tensor<4x6xf16>, tensor<4x6xf16>)
  return %ga, %gp, %gn : tensor<4x6xf16>, tensor<4x6xf16>, tensor<4x6xf16>
}

// -----

// CHECK-LABEL: func.func @multi_margin_two_passes
// CHECK-SAME:    %[[X:[^:]*]]: tensor<4x6xf32>, %[[T:[^:]*]]: tensor<4xi64>
// CHECK-DAG:     %[[NAN:.*]] = arith.constant 0x7FC00000 : f32
// CHECK:         %[[S:.*]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%[[X]], %[[T]] : tensor<4x6xf32>, tensor<4xi64>)
// CHECK:         %[[R:.*]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK-SAME:      ins(%[[X]], %[[T]], %[[S]], %{{.*}} :
// CHECK:           arith.select %{{.*}}, %{{.*}}, %[[NAN]] : f32
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[R]]
func.func @multi_margin_two_passes(%x: tensor<4x6xf32>, %t: tensor<4xi64>, %g: tensor<f32>) -> tensor<4x6xf32> {
  %gx = loss.multi_margin_grad %x, %t, %g {p = 2 : i64} : (tensor<4x6xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x6xf32>
  return %gx : tensor<4x6xf32>
}

// -----

// CHECK-LABEL: func.func @margin_ranking_sum_back
// CHECK-DAG:     %[[SCALE:.*]] = arith.constant 0.0476190485 : f32
// CHECK:         %[[S1:.*]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      outs(%{{.*}} : tensor<3xf32>)
// CHECK:           arith.addf %out, %{{.*}} : f32
// CHECK-NEXT:      linalg.yield
// CHECK:         %[[E1:.*]] = tensor.expand_shape %[[S1]] {{\[\[}}0, 1]] output_shape [3, 1] : tensor<3xf32> into tensor<3x1xf32>
// CHECK:         %[[R1:.*]] = linalg.generic
// CHECK-SAME:      ins(%[[E1]] : tensor<3x1xf32>) outs(%{{.*}} : tensor<3x1xf16>)
// CHECK:           arith.truncf
// CHECK:         %[[S2:.*]] = linalg.generic
// CHECK-SAME:      iterator_types = ["reduction", "parallel"]
// CHECK-SAME:      outs(%{{.*}} : tensor<7xf32>)
// CHECK:         %[[E2:.*]] = tensor.expand_shape %[[S2]] {{\[\[}}0, 1]] output_shape [1, 7] : tensor<7xf32> into tensor<1x7xf32>
// CHECK:         %[[R2:.*]] = linalg.generic
// CHECK-SAME:      ins(%[[E2]] : tensor<1x7xf32>) outs(%{{.*}} : tensor<1x7xf16>)
// CHECK:         return %[[R1]], %[[R2]]
func.func @margin_ranking_sum_back(%a: tensor<3x1xf16>, %b: tensor<1x7xf16>, %t: tensor<3x7xf16>, %g: tensor<f16>) -> (tensor<3x1xf16>, tensor<1x7xf16>) {
  %ga, %gb = loss.margin_ranking_grad %a, %b, %t, %g : (tensor<3x1xf16>, tensor<1x7xf16>, tensor<3x7xf16>, tensor<f16>) -> (tensor<3x1xf16>, tensor<1x7xf16>)
  return %ga, %gb : tensor<3x1xf16>, tensor<1x7xf16>
}

// -----

// A sum into one element: a full reduction into a 0-d accumulator (what
// block-sum-reductions rewrites); run-time checks of the dynamic sizes.
// CHECK-LABEL: func.func @hinge_full_sum_dynamic
// CHECK:         cf.assert
// CHECK:         %[[S:.*]] = linalg.generic
// CHECK-SAME:      iterator_types = ["reduction", "reduction"]
// CHECK-SAME:      outs(%{{.*}} : tensor<f64>)
// CHECK:           arith.addf %out, %{{.*}} : f64
// CHECK-NEXT:      linalg.yield
// CHECK:         tensor.expand_shape %[[S]] [] output_shape [1, 1] : tensor<f64> into tensor<1x1xf64>
func.func @hinge_full_sum_dynamic(%x: tensor<1x1xf64>, %t: tensor<?x?xf64>, %g: tensor<?x?xf64>) -> tensor<1x1xf64> {
  %gx = loss.hinge_embedding_grad %x, %t, %g {reduction = #loss.reduction<none>} : (tensor<1x1xf64>, tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<1x1xf64>
  return %gx : tensor<1x1xf64>
}
