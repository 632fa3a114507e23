// RUN: loss-opt %s | FileCheck %s
// RUN: loss-opt %s --mlir-print-op-generic | loss-opt | FileCheck %s

// Written result types only need to agree with the inferred ones
// (InferTypes.cpp) where both are static: a static size the operands leave
// dynamic, and a dynamic size they make static, are accepted as the
// verifiers accepted them before the ops inferred their types (log_prob and
// grad_logits keep the exact logits type).

// CHECK-LABEL: func.func @static_where_inferred_dynamic
// CHECK:         loss.nll {{.*}} -> tensor<4xf32>
// CHECK:         loss.mse {{.*}} -> tensor<3x5xf32>
// CHECK:         loss.ctc {{.*}} -> tensor<2xf32>
// CHECK:         loss.softmax_cross_entropy {{.*}} -> (tensor<4xf32>, tensor<?x10xf32>)
// CHECK:         loss.bce_grad {{.*}} -> (tensor<8xf32>, tensor<8xf32>)
func.func @static_where_inferred_dynamic(%x: tensor<?x10xf32>, %t: tensor<?xi64>,
    %a: tensor<?x5xf32>, %b: tensor<3x?xf32>, %lp: tensor<50x?x20xf32>,
    %tg: tensor<?x10xi64>, %il: tensor<?xi64>, %p: tensor<?xf32>,
    %q: tensor<8xf32>, %g: tensor<f32>, %x4: tensor<4x10xf32>) {
  %0 = loss.nll %x, %t {reduction = #loss.reduction<none>}
      : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<4xf32>
  %1 = loss.mse %a, %b {reduction = #loss.reduction<none>}
      : (tensor<?x5xf32>, tensor<3x?xf32>) -> tensor<3x5xf32>
  %2 = loss.ctc %lp, %tg, %il, %il {reduction = #loss.reduction<none>}
      : (tensor<50x?x20xf32>, tensor<?x10xi64>, tensor<?xi64>, tensor<?xi64>) -> tensor<2xf32>
  %3:2 = loss.softmax_cross_entropy %x, %t {reduction = #loss.reduction<none>}
      : (tensor<?x10xf32>, tensor<?xi64>) -> (tensor<4xf32>, tensor<?x10xf32>)
  %4:2 = loss.bce_grad %p, %q, %g
      : (tensor<?xf32>, tensor<8xf32>, tensor<f32>) -> (tensor<8xf32>, tensor<8xf32>)
  return
}

// CHECK-LABEL: func.func @dynamic_where_inferred_static
// CHECK:         loss.l1 {{.*}} -> tensor<?x?xf32>
// CHECK:         loss.multi_margin {{.*}} -> tensor<?xf32>
// CHECK:         loss.softmax_cross_entropy_grad {{.*}} -> (tensor<4x10xf32>, tensor<?xf32>)
func.func @dynamic_where_inferred_static(%x: tensor<4x10xf32>, %y: tensor<4x10xf32>,
    %t: tensor<4xi64>, %g: tensor<4xf32>) {
  %0 = loss.l1 %x, %y {reduction = #loss.reduction<none>}
      : (tensor<4x10xf32>, tensor<4x10xf32>) -> tensor<?x?xf32>
  %1 = loss.multi_margin %x, %t {reduction = #loss.reduction<none>}
      : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<?xf32>
  %2:2 = loss.softmax_cross_entropy_grad %x, %t, %g {reduction = #loss.reduction<none>}
      : (tensor<4x10xf32>, tensor<4xi64>, tensor<4xf32>) -> (tensor<4x10xf32>, tensor<?xf32>)
  return
}
