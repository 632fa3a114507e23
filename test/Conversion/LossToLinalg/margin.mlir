// RUN: loss-opt %s --convert-loss-to-linalg --canonicalize --cse --split-input-file | FileCheck %s

// multilabel_margin: (1) the length of the target list (first value outside
// [0, C)) as a min over positions, (2) the is-target mask [N, C] of i1, (3) the
// hinge sum over (listed position k, class i) with x[t[k]] gathered from a
// clamped index, (4) the reduction over samples of sum / C. No float tensor
// shaped like the input is created.

// CHECK-LABEL: func.func @multilabel_margin
// CHECK-DAG:     %[[C:.*]] = arith.constant 10 : i64
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK-NOT:     tensor.empty() : tensor<4x10xf32>
// CHECK:         %[[LENINIT:.*]] = linalg.fill ins(%[[C]] : i64) outs(%{{.*}} : tensor<4xi64>)
// CHECK:         %[[LEN:.*]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%{{.*}} : tensor<4x10xi64>) outs(%[[LENINIT]] : tensor<4xi64>)
// CHECK:           arith.minsi
// CHECK:         %[[MASK:.*]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%{{.*}}, %[[LEN]] : tensor<4x10xi64>, tensor<4xi64>)
// CHECK-SAME:      outs(%{{.*}} : tensor<4x10xi1>)
// CHECK:           arith.cmpi slt
// CHECK:           arith.cmpi eq
// CHECK:           arith.ori
// CHECK:         %[[SUM:.*]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction", "reduction"]
// CHECK-SAME:      ins(%{{.*}}, %[[LEN]], %[[MASK]], %{{.*}} : tensor<4x10xi64>, tensor<4xi64>, tensor<4x10xi1>, tensor<4x10xf32>)
// CHECK-SAME:      outs(%{{.*}} : tensor<4xf32>)
// CHECK:           %[[SAFE:.*]] = arith.select %{{.*}}, %{{.*}}, %[[ZERO]] : i64
// CHECK:           %[[IDX:.*]] = arith.index_cast %[[SAFE]] : i64 to index
// CHECK:           tensor.extract %{{.*}}[%{{.*}}, %[[IDX]]] : tensor<4x10xf32>
// CHECK:           arith.cmpf ogt
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["reduction"]
// CHECK-SAME:      ins(%[[SUM]] : tensor<4xf32>)
// CHECK:           arith.divf
// CHECK:         arith.divf
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @multilabel_margin(%x: tensor<4x10xf32>, %t: tensor<4x10xi64>) -> tensor<f32> {
  %0 = loss.multilabel_margin %x, %t : (tensor<4x10xf32>, tensor<4x10xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Unbatched: the same passes with no sample loop; `none` gives a 0-d tensor.

// CHECK-LABEL: func.func @multilabel_margin_unbatched
// CHECK:         linalg.generic {{.*}} iterator_types = ["reduction"]
// CHECK-SAME:      ins(%{{.*}} : tensor<5xi32>) outs(%{{.*}} : tensor<i64>)
// CHECK:           arith.extsi
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      outs(%{{.*}} : tensor<5xi1>)
// CHECK:         linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]
// CHECK-SAME:      outs(%{{.*}} : tensor<f64>)
// CHECK:           tensor.extract %{{.*}}[%{{.*}}] : tensor<5xf64>
// CHECK:         %[[R:.*]] = linalg.generic {{.*}} iterator_types = []
// CHECK:           arith.divf
// CHECK:         return %[[R]] : tensor<f64>
func.func @multilabel_margin_unbatched(%x: tensor<5xf64>, %t: tensor<5xi32>) -> tensor<f64> {
  %0 = loss.multilabel_margin %x, %t {reduction = #loss.reduction<none>} : (tensor<5xf64>, tensor<5xi32>) -> tensor<f64>
  return %0 : tensor<f64>
}

// -----

// multilabel_soft_margin: one streaming pass over the classes in f32 for f16
// inputs, one exp and one log per element (the log1p(exp(-|x|)) is shared by
// both softplus terms), the weight per class; then sum / C per sample.

// CHECK-LABEL: func.func @multilabel_soft_margin
// CHECK:         %[[SUM:.*]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<4x10xf16>, tensor<4x10xf16>, tensor<10xf16>)
// CHECK-SAME:      outs(%{{.*}} : tensor<4xf32>)
// CHECK:           arith.extf
// CHECK:           math.exp
// CHECK-NOT:       math.exp
// CHECK:           math.log
// CHECK-NOT:       math.log
// CHECK:           arith.negf
// CHECK:           arith.maximumf
// CHECK:           arith.maximumf
// CHECK:           linalg.yield
// CHECK:         %[[R:.*]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel"]
// CHECK-SAME:      ins(%[[SUM]] : tensor<4xf32>) outs(%{{.*}} : tensor<4xf16>)
// CHECK:           arith.divf
// CHECK:           arith.truncf
// CHECK:         return %[[R]]
func.func @multilabel_soft_margin(%x: tensor<4x10xf16>, %t: tensor<4x10xf16>, %w: tensor<10xf16>) -> tensor<4xf16> {
  %0 = loss.multilabel_soft_margin %x, %t weight(%w) {reduction = #loss.reduction<none>} : (tensor<4x10xf16>, tensor<4x10xf16>, tensor<10xf16>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// Extra dims: the class dim is the last one. Reduced (mean or sum), every
// sample has C classes: one full sum over the N x C points (which
// block-sum-reductions splits into vectorized partials), divided by N * C.

// CHECK-LABEL: func.func @multilabel_soft_margin_rank3
// CHECK-DAG:     %[[NC:.*]] = arith.constant 2.400000e+01 : f64
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["reduction", "reduction", "reduction"]
// CHECK-SAME:      outs(%{{.*}} : tensor<f64>)
// CHECK-NOT:     linalg.generic
// CHECK:         arith.divf %{{.*}}, %[[NC]] : f64
func.func @multilabel_soft_margin_rank3(%x: tensor<2x3x4xf64>, %t: tensor<2x3x4xf64>) -> tensor<f64> {
  %0 = loss.multilabel_soft_margin %x, %t : (tensor<2x3x4xf64>, tensor<2x3x4xf64>) -> tensor<f64>
  return %0 : tensor<f64>
}

// -----

// multi_margin: one pass over the classes with the target logit gathered
// (index clamped into [0, C)), squared hinge for p = 2, the target class
// skipped; then w[y] * sum / C per sample, NaN for a target outside [0, C).

// CHECK-LABEL: func.func @multi_margin
// CHECK-DAG:     %[[NAN:.*]] = arith.constant 0x7FC00000 : f32
// CHECK-DAG:     %[[MARGIN:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK:         %[[SUM:.*]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%{{.*}}, %{{.*}} : tensor<4x10xf32>, tensor<4xi64>) outs(%{{.*}} : tensor<4xf32>)
// CHECK:         ^bb0(%[[XI:.*]]: f32, %[[Y:.*]]: i64, %{{.*}}: f32):
// CHECK:           %[[SAFE:.*]] = arith.select %{{.*}}, %[[Y]], %[[ZERO]] : i64
// CHECK:           %[[IDX:.*]] = arith.index_cast %[[SAFE]] : i64 to index
// CHECK:           %[[XY:.*]] = tensor.extract %{{.*}}[%{{.*}}, %[[IDX]]] : tensor<4x10xf32>
// CHECK:           %[[D:.*]] = arith.subf %[[MARGIN]], %[[XY]] : f32
// CHECK:           %[[Z:.*]] = arith.addf %[[D]], %[[XI]] : f32
// CHECK:           arith.cmpf ogt, %[[Z]]
// CHECK:           %[[H:.*]] = arith.select
// CHECK:           arith.mulf %[[H]], %[[H]] : f32
// CHECK:           linalg.index 1
// CHECK:           arith.cmpi eq
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["reduction"]
// CHECK-SAME:      ins(%[[SUM]], %{{.*}} : tensor<4xf32>, tensor<4xi64>)
// CHECK:           tensor.extract %{{.*}}[%{{.*}}] : tensor<10xf32>
// CHECK:           arith.mulf
// CHECK:           arith.divf
// CHECK:           arith.select %{{.*}}, %{{.*}}, %[[NAN]] : f32
// CHECK-NOT:     arith.divf
// CHECK:         return
func.func @multi_margin(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %w: tensor<10xf32>) -> tensor<f32> {
  %0 = loss.multi_margin %x, %t weight(%w) {p = 2 : i64, margin = 5.000000e-01 : f64, reduction = #loss.reduction<sum>} : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// p = 1 without weight: no square, no weight gather.

// CHECK-LABEL: func.func @multi_margin_p1_unbatched
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["reduction"]
// CHECK-SAME:      ins(%{{.*}}, %{{.*}} : tensor<6xf64>, tensor<i64>) outs(%{{.*}} : tensor<f64>)
// CHECK:           tensor.extract
// CHECK-NOT:       arith.mulf
// CHECK:           linalg.yield
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = []
// CHECK-NOT:       tensor.extract
// CHECK:           arith.divf
// CHECK:           arith.select
// CHECK:           linalg.yield
func.func @multi_margin_p1_unbatched(%x: tensor<6xf64>, %t: tensor<i64>) -> tensor<f64> {
  %0 = loss.multi_margin %x, %t : (tensor<6xf64>, tensor<i64>) -> tensor<f64>
  return %0 : tensor<f64>
}

// -----

// cosine_embedding: one pass accumulates x1.x2, |x1|^2 and |x2|^2; per sample
// cos = dot / (sqrt(|x1|^2 + 1e-12) * sqrt(|x2|^2 + 1e-12)).

// CHECK-LABEL: func.func @cosine_embedding
// CHECK-DAG:     %[[EPS:.*]] = arith.constant 9.99999996E-13 : f32
// CHECK-DAG:     %[[MARGIN:.*]] = arith.constant 2.000000e-01 : f32
// CHECK:         %[[S:.*]]:3 = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%{{.*}}, %{{.*}} : tensor<4x10xf32>, tensor<4x10xf32>)
// CHECK-SAME:      outs({{.*}} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK-COUNT-3:   arith.mulf
// CHECK:           linalg.yield
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["reduction"]
// CHECK-SAME:      ins(%[[S]]#0, %[[S]]#1, %[[S]]#2, %{{.*}} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi64>)
// CHECK:           arith.addf %{{.*}}, %[[EPS]]
// CHECK:           math.sqrt
// CHECK:           arith.addf %{{.*}}, %[[EPS]]
// CHECK:           math.sqrt
// CHECK:           arith.divf
// CHECK:           arith.subf %{{.*}}, %[[MARGIN]]
// CHECK:           arith.maximumf
// CHECK:           arith.cmpi eq
// CHECK:           arith.cmpi eq
// CHECK:         arith.divf
// CHECK:         return
func.func @cosine_embedding(%a: tensor<4x10xf32>, %b: tensor<4x10xf32>, %t: tensor<4xi64>) -> tensor<f32> {
  %0 = loss.cosine_embedding %a, %b, %t {margin = 2.000000e-01 : f64} : (tensor<4x10xf32>, tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// A float target is compared with +-1 in its own type.

// CHECK-LABEL: func.func @cosine_embedding_float_target
// CHECK-DAG:     %[[ONE:.*]] = arith.constant 1.000000e+00 : f64
// CHECK-DAG:     %[[MONE:.*]] = arith.constant -1.000000e+00 : f64
// CHECK:         linalg.generic {{.*}} iterator_types = ["reduction"]
// CHECK:         linalg.generic {{.*}} iterator_types = []
// CHECK:           arith.cmpf oeq, %{{.*}}, %[[ONE]] : f64
// CHECK:           arith.cmpf oeq, %{{.*}}, %[[MONE]] : f64
func.func @cosine_embedding_float_target(%a: tensor<4xf64>, %b: tensor<4xf64>, %t: tensor<f64>) -> tensor<f64> {
  %0 = loss.cosine_embedding %a, %b, %t {reduction = #loss.reduction<none>} : (tensor<4xf64>, tensor<4xf64>, tensor<f64>) -> tensor<f64>
  return %0 : tensor<f64>
}

// -----

// triplet_margin, p = 2 with swap, dynamic shapes: one pass carries three
// scaled norms (running max m and s = sum (|v|/m)^2, two accumulators each,
// no power call), then m * sqrt(s) per distance and min(d(a,n), d(p,n)).

// CHECK-LABEL: func.func @triplet_margin_swap
// CHECK:         %[[N:.*]] = tensor.dim %{{.*}}, %{{.*}} : tensor<?x?xf32>
// CHECK:         tensor.empty(%[[N]]) : tensor<?xf32>
// CHECK:         %[[S:.*]]:6 = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>)
// CHECK-NOT:       math.powf
// CHECK-COUNT-3:   arith.divf
// CHECK-NOT:       math.powf
// CHECK:           linalg.yield
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel"]
// CHECK-SAME:      ins(%[[S]]#0, %[[S]]#1, %[[S]]#2, %[[S]]#3, %[[S]]#4, %[[S]]#5 :
// CHECK-COUNT-3:   math.sqrt
// CHECK:           arith.minimumf
// CHECK:           arith.maximumf
func.func @triplet_margin_swap(%a: tensor<?x?xf32>, %p: tensor<?x?xf32>, %n: tensor<?x?xf32>) -> tensor<?xf32> {
  %0 = loss.triplet_margin %a, %p, %n {swap = true, reduction = #loss.reduction<none>} : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// General p: one power per element and distance, s^(1/p) per sample.

// CHECK-LABEL: func.func @triplet_margin_p
// CHECK-DAG:     %[[INV:.*]] = arith.constant 0.66666666666666663 : f64
// CHECK-DAG:     %[[P:.*]] = arith.constant 1.500000e+00 : f64
// CHECK:         linalg.generic
// CHECK-SAME:      outs({{.*}} : tensor<4xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>)
// CHECK:           math.powf %{{.*}}, %[[P]] : f64
// CHECK:           math.powf %{{.*}}, %[[P]] : f64
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["reduction"]
// CHECK:           math.powf %{{.*}}, %[[INV]] : f64
// CHECK:           math.powf %{{.*}}, %[[INV]] : f64
// CHECK-NOT:       arith.minimumf
// CHECK:           arith.maximumf
func.func @triplet_margin_p(%a: tensor<4x10xf64>, %p: tensor<4x10xf64>, %n: tensor<4x10xf64>) -> tensor<f64> {
  %0 = loss.triplet_margin %a, %p, %n {p = 1.5 : f64} : (tensor<4x10xf64>, tensor<4x10xf64>, tensor<4x10xf64>) -> tensor<f64>
  return %0 : tensor<f64>
}

// -----

// p = 1 sums |v|; p = inf takes the max: one accumulator per distance.

// CHECK-LABEL: func.func @triplet_margin_p1
// CHECK:         linalg.generic
// CHECK-SAME:      outs({{.*}} : tensor<4xf32>, tensor<4xf32>)
// CHECK-NOT:       arith.divf
// CHECK:           math.absf
// CHECK:           arith.addf
// CHECK:           math.absf
// CHECK:           arith.addf
// CHECK:           linalg.yield
func.func @triplet_margin_p1(%a: tensor<4x10xf32>, %p: tensor<4x10xf32>, %n: tensor<4x10xf32>) -> tensor<f32> {
  %0 = loss.triplet_margin %a, %p, %n {p = 1.0 : f64, reduction = #loss.reduction<sum>} : (tensor<4x10xf32>, tensor<4x10xf32>, tensor<4x10xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func @triplet_margin_pinf
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["reduction"]
// CHECK-SAME:      outs({{.*}} : tensor<f32>, tensor<f32>)
// CHECK:           arith.extf
// CHECK:           math.absf
// CHECK:           arith.maximumf
// CHECK:           math.absf
// CHECK:           arith.maximumf
// CHECK:           linalg.yield
// CHECK:         arith.truncf {{.*}} : f32 to bf16
func.func @triplet_margin_pinf(%a: tensor<10xbf16>, %p: tensor<10xbf16>, %n: tensor<10xbf16>) -> tensor<bf16> {
  %0 = loss.triplet_margin %a, %p, %n {p = 0x7FF0000000000000 : f64} : (tensor<10xbf16>, tensor<10xbf16>, tensor<10xbf16>) -> tensor<bf16>
  return %0 : tensor<bf16>
}
