// RUN: loss-opt %s --resolve-ranked-shaped-type-result-dims --canonicalize | FileCheck %s

// ReifyRankedShapedTypeOpInterface: a dynamic dimension of a `none` loss (or
// of a gradient) is the operand dimension it equals, by the op's
// result-type rule (InferTypes.cpp), so tensor.dim of the result folds to
// tensor.dim of that operand without lowering the op.

// Class targets: the loss has the target's shape.
// CHECK-LABEL: func.func @cross_entropy_class(
// CHECK-SAME:    %[[X:arg[0-9]+]]: tensor<?x10x?xf32>, %[[T:arg[0-9]+]]: tensor<?x?xi64>)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[D0:.*]] = tensor.dim %[[T]], %[[C0]]
// CHECK-DAG:     %[[D1:.*]] = tensor.dim %[[T]], %[[C1]]
// CHECK:         return %[[D0]], %[[D1]]
func.func @cross_entropy_class(%x: tensor<?x10x?xf32>, %t: tensor<?x?xi64>) -> (index, index) {
  %l = loss.softmax_cross_entropy %x, %t {reduction = #loss.reduction<none>}
      : (tensor<?x10x?xf32>, tensor<?x?xi64>) -> tensor<?x?xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d0 = tensor.dim %l, %c0 : tensor<?x?xf32>
  %d1 = tensor.dim %l, %c1 : tensor<?x?xf32>
  return %d0, %d1 : index, index
}

// Probability targets: the logits without the class axis; the log_prob
// result has the logits' dims.
// CHECK-LABEL: func.func @cross_entropy_probabilities(
// CHECK-SAME:    %[[X:arg[0-9]+]]: tensor<?x?x?xf32>, %[[T:arg[0-9]+]]: tensor<?x?x?xf32>)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[D0:.*]] = tensor.dim %[[X]], %[[C0]]
// CHECK-DAG:     %[[D2:.*]] = tensor.dim %[[X]], %[[C2]]
// CHECK-DAG:     %[[D1:.*]] = tensor.dim %[[X]], %[[C1]]
// CHECK:         return %[[D0]], %[[D2]], %[[D1]]
func.func @cross_entropy_probabilities(%x: tensor<?x?x?xf32>, %t: tensor<?x?x?xf32>) -> (index, index, index) {
  %l, %lp = loss.softmax_cross_entropy %x, %t {reduction = #loss.reduction<none>}
      : (tensor<?x?x?xf32>, tensor<?x?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?x?xf32>)
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d0 = tensor.dim %l, %c0 : tensor<?x?xf32>
  %d1 = tensor.dim %l, %c1 : tensor<?x?xf32>
  %d2 = tensor.dim %lp, %c1 : tensor<?x?x?xf32>
  return %d0, %d1, %d2 : index, index, index
}

// CTC: [T, N, C] gives [N].
// CHECK-LABEL: func.func @ctc(
// CHECK-SAME:    %[[LP:arg[0-9]+]]: tensor<?x?x?xf32>,
// CHECK:         %[[C1:.*]] = arith.constant 1 : index
// CHECK:         %[[N:.*]] = tensor.dim %[[LP]], %[[C1]]
// CHECK:         return %[[N]]
func.func @ctc(%lp: tensor<?x?x?xf32>, %tg: tensor<?x?xi64>, %il: tensor<?xi64>, %tl: tensor<?xi64>) -> index {
  %l = loss.ctc %lp, %tg, %il, %tl {reduction = #loss.reduction<none>}
      : (tensor<?x?x?xf32>, tensor<?x?xi64>, tensor<?xi64>, tensor<?xi64>) -> tensor<?xf32>
  %c0 = arith.constant 0 : index
  %d = tensor.dim %l, %c0 : tensor<?xf32>
  return %d : index
}

// linear_cross_entropy: one loss per row, the target's dim; hidden's rows
// where only they are static.
// CHECK-LABEL: func.func @linear_cross_entropy(
// CHECK-SAME:    %[[H:arg[0-9]+]]: tensor<?x?xf32>, %[[W:arg[0-9]+]]: tensor<?x?xf32>, %[[T:arg[0-9]+]]: tensor<?xi64>
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C6:.*]] = arith.constant 6 : index
// CHECK-DAG:     %[[N:.*]] = tensor.dim %[[T]], %[[C0]]
// CHECK:         return %[[N]], %[[C6]]
func.func @linear_cross_entropy(%h: tensor<?x?xf32>, %w: tensor<?x?xf32>, %t: tensor<?xi64>,
                                %h6: tensor<6x?xf32>) -> (index, index) {
  %l = loss.linear_cross_entropy %h, %w, %t {reduction = #loss.reduction<none>}
      : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xi64>) -> tensor<?xf32>
  %l6 = loss.linear_cross_entropy %h6, %w, %t {reduction = #loss.reduction<none>}
      : (tensor<6x?xf32>, tensor<?x?xf32>, tensor<?xi64>) -> tensor<?xf32>
  %c0 = arith.constant 0 : index
  %d = tensor.dim %l, %c0 : tensor<?xf32>
  %d6 = tensor.dim %l6, %c0 : tensor<?xf32>
  return %d, %d6 : index, index
}

// Broadcasting: a static size of one operand wins over a dynamic one of the
// other; a dynamic size comes from the operand that has it.
// CHECK-LABEL: func.func @mse_broadcast(
// CHECK-SAME:    %[[X:arg[0-9]+]]: tensor<?x1xf32>, %[[T:arg[0-9]+]]: tensor<4x?xf32>)
// CHECK-DAG:     %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[D1:.*]] = tensor.dim %[[T]], %[[C1]]
// CHECK:         return %[[C4]], %[[D1]]
func.func @mse_broadcast(%x: tensor<?x1xf32>, %t: tensor<4x?xf32>) -> (index, index) {
  %l = loss.mse %x, %t {reduction = #loss.reduction<none>}
      : (tensor<?x1xf32>, tensor<4x?xf32>) -> tensor<?x?xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d0 = tensor.dim %l, %c0 : tensor<?x?xf32>
  %d1 = tensor.dim %l, %c1 : tensor<?x?xf32>
  return %d0, %d1 : index, index
}

// Per-sample losses: multilabel_soft_margin drops the class dimension,
// triplet_margin the feature dimension of its distances.
// CHECK-LABEL: func.func @per_sample(
// CHECK-SAME:    %[[X:arg[0-9]+]]: tensor<?x?x4xf32>, %{{.*}}: tensor<?x?x4xf32>, %[[A:arg[0-9]+]]: tensor<?x?xf32>,
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[D0:.*]] = tensor.dim %[[X]], %[[C0]]
// CHECK-DAG:     %[[D1:.*]] = tensor.dim %[[X]], %[[C1]]
// CHECK-DAG:     %[[N:.*]] = tensor.dim %[[A]], %[[C0]]
// CHECK:         return %[[D0]], %[[D1]], %[[N]]
func.func @per_sample(%x: tensor<?x?x4xf32>, %t: tensor<?x?x4xf32>,
                      %a: tensor<?x?xf32>, %p: tensor<?x?xf32>, %n: tensor<?x?xf32>) -> (index, index, index) {
  %l = loss.multilabel_soft_margin %x, %t {reduction = #loss.reduction<none>}
      : (tensor<?x?x4xf32>, tensor<?x?x4xf32>) -> tensor<?x?xf32>
  %m = loss.triplet_margin %a, %p, %n {reduction = #loss.reduction<none>}
      : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d0 = tensor.dim %l, %c0 : tensor<?x?xf32>
  %d1 = tensor.dim %l, %c1 : tensor<?x?xf32>
  %d2 = tensor.dim %m, %c0 : tensor<?xf32>
  return %d0, %d1, %d2 : index, index, index
}

// A gradient has its operand's dims.
// CHECK-LABEL: func.func @ctc_grad(
// CHECK-SAME:    %[[LP:arg[0-9]+]]: tensor<?x?x?xf32>,
// CHECK:         %[[C0:.*]] = arith.constant 0 : index
// CHECK:         %[[T:.*]] = tensor.dim %[[LP]], %[[C0]]
// CHECK:         return %[[T]]
func.func @ctc_grad(%lp: tensor<?x?x?xf32>, %tg: tensor<?x?xi64>, %il: tensor<?xi64>, %tl: tensor<?xi64>, %g: tensor<f32>) -> index {
  %gx = loss.ctc_grad %lp, %tg, %il, %tl, %g {reduction = #loss.reduction<sum>}
      : (tensor<?x?x?xf32>, tensor<?x?xi64>, tensor<?xi64>, tensor<?xi64>, tensor<f32>) -> tensor<?x?x?xf32>
  %c0 = arith.constant 0 : index
  %d = tensor.dim %gx, %c0 : tensor<?x?x?xf32>
  return %d : index
}
