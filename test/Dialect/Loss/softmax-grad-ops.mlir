// RUN: loss-opt %s | loss-opt | FileCheck %s
// RUN: loss-opt %s --mlir-print-op-generic | loss-opt | FileCheck %s

// Round trip of the softmax family's gradient ops; default attributes are
// elided when printing.

// CHECK-LABEL: func.func @log_softmax_grad(
// CHECK-NEXT:    loss.log_softmax_grad %{{.*}}, %{{.*}} : tensor<4x10xf32>{{$}}
// CHECK-NEXT:    loss.log_softmax_grad %{{.*}}, %{{.*}} {axis = 0 : i64} : tensor<4x10xf32>{{$}}
func.func @log_softmax_grad(%y: tensor<4x10xf32>, %g: tensor<4x10xf32>) -> (tensor<4x10xf32>, tensor<4x10xf32>) {
  %0 = loss.log_softmax_grad %y, %g {axis = -1 : i64} : tensor<4x10xf32>
  %1 = loss.log_softmax_grad %y, %g {axis = 0 : i64} : tensor<4x10xf32>
  return %0, %1 : tensor<4x10xf32>, tensor<4x10xf32>
}

// CHECK-LABEL: func.func @nll_grad(
// CHECK-NEXT:    loss.nll_grad %{{.*}}, %{{.*}} weight(%{{.*}}), %{{.*}} {ignore_index = 3 : i64, reduction = #loss.reduction<none>} : (tensor<4x10x2xf16>, tensor<4x2xi32>, tensor<10xf16>, tensor<4x2xf16>) -> tensor<4x10x2xf16>{{$}}
func.func @nll_grad(%x: tensor<4x10x2xf16>, %t: tensor<4x2xi32>, %w: tensor<10xf16>, %g: tensor<4x2xf16>) -> tensor<4x10x2xf16> {
  %0 = loss.nll_grad %x, %t weight(%w), %g {ignore_index = 3 : i64, reduction = #loss.reduction<none>} : (tensor<4x10x2xf16>, tensor<4x2xi32>, tensor<10xf16>, tensor<4x2xf16>) -> tensor<4x10x2xf16>
  return %0 : tensor<4x10x2xf16>
}

// CHECK-LABEL: func.func @softmax_cross_entropy_grad(
// CHECK-NEXT:    loss.softmax_cross_entropy_grad %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x?xf32>, tensor<?xi64>, tensor<f32>) -> tensor<?x?xf32>{{$}}
// CHECK-NEXT:    loss.softmax_cross_entropy_grad %{{.*}}, %{{.*}} weight(%{{.*}}), %{{.*}} {label_smoothing = 2.500000e-01 : f64, reduction = #loss.reduction<sum>} : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>, tensor<f32>) -> (tensor<?x?xf32>, tensor<f32>){{$}}
func.func @softmax_cross_entropy_grad(%x: tensor<?x?xf32>, %t: tensor<?xi64>, %p: tensor<?x?xf32>, %w: tensor<?xf32>, %g: tensor<f32>) -> (tensor<?x?xf32>, tensor<?x?xf32>, tensor<f32>) {
  %0 = loss.softmax_cross_entropy_grad %x, %t, %g {ignore_index = -100 : i64, label_smoothing = 0.0 : f64} : (tensor<?x?xf32>, tensor<?xi64>, tensor<f32>) -> tensor<?x?xf32>
  %1:2 = loss.softmax_cross_entropy_grad %x, %p weight(%w), %g {label_smoothing = 0.25 : f64, reduction = #loss.reduction<sum>} : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>, tensor<f32>) -> (tensor<?x?xf32>, tensor<f32>)
  return %0, %1#0, %1#1 : tensor<?x?xf32>, tensor<?x?xf32>, tensor<f32>
}
