// RUN: loss-opt %s | loss-opt | FileCheck %s
// RUN: loss-opt %s --mlir-print-op-generic | loss-opt | FileCheck %s

// Round trip of the margin family's gradient ops: defaults elided, every
// other attribute printed, each form of the forward ops' operands.

// CHECK-LABEL: func.func @margin_ranking_grad
func.func @margin_ranking_grad(%a: tensor<8xf32>, %t: tensor<8xi64>,
                               %c: tensor<3x1xf64>, %d: tensor<1x4xf64>,
                               %e: tensor<3x4xf64>, %g: tensor<f32>,
                               %gd: tensor<3x4xf64>) {
  // CHECK: loss.margin_ranking_grad %arg0, %arg0, %arg1, %arg5 : (tensor<8xf32>, tensor<8xf32>, tensor<8xi64>, tensor<f32>) -> (tensor<8xf32>, tensor<8xf32>){{$}}
  %0:2 = loss.margin_ranking_grad %a, %a, %t, %g {margin = 0.0 : f64}
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xi64>, tensor<f32>) -> (tensor<8xf32>, tensor<8xf32>)
  // CHECK-NEXT: loss.margin_ranking_grad %arg2, %arg3, %arg4, %arg6 {margin = 5.000000e-01 : f64, reduction = #loss.reduction<none>} : (tensor<3x1xf64>, tensor<1x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>) -> (tensor<3x1xf64>, tensor<1x4xf64>){{$}}
  %1:2 = loss.margin_ranking_grad %c, %d, %e, %gd {margin = 0.5 : f64, reduction = #loss.reduction<none>}
      : (tensor<3x1xf64>, tensor<1x4xf64>, tensor<3x4xf64>, tensor<3x4xf64>) -> (tensor<3x1xf64>, tensor<1x4xf64>)
  return
}

// CHECK-LABEL: func.func @pointwise_grads
func.func @pointwise_grads(%x: tensor<3x4xf16>, %t: tensor<4xf16>,
                           %ti: tensor<3x4xi1>, %g: tensor<f16>,
                           %gn: tensor<3x4xf16>) {
  // CHECK: loss.hinge_embedding_grad %arg0, %arg1, %arg3 {margin = 2.000000e+00 : f64} : (tensor<3x4xf16>, tensor<4xf16>, tensor<f16>) -> tensor<3x4xf16>{{$}}
  %0 = loss.hinge_embedding_grad %x, %t, %g {margin = 2.0 : f64}
      : (tensor<3x4xf16>, tensor<4xf16>, tensor<f16>) -> tensor<3x4xf16>
  // CHECK-NEXT: loss.hinge_embedding_grad %arg0, %arg2, %arg4 {reduction = #loss.reduction<none>} : (tensor<3x4xf16>, tensor<3x4xi1>, tensor<3x4xf16>) -> tensor<3x4xf16>{{$}}
  %1 = loss.hinge_embedding_grad %x, %ti, %gn {margin = 1.0 : f64, reduction = #loss.reduction<none>}
      : (tensor<3x4xf16>, tensor<3x4xi1>, tensor<3x4xf16>) -> tensor<3x4xf16>
  // CHECK-NEXT: loss.soft_margin_grad %arg0, %arg1, %arg3 {reduction = #loss.reduction<sum>} : (tensor<3x4xf16>, tensor<4xf16>, tensor<f16>) -> tensor<3x4xf16>{{$}}
  %2 = loss.soft_margin_grad %x, %t, %g {reduction = #loss.reduction<sum>}
      : (tensor<3x4xf16>, tensor<4xf16>, tensor<f16>) -> tensor<3x4xf16>
  return
}

// CHECK-LABEL: func.func @multiclass_grads
func.func @multiclass_grads(%x: tensor<2x4xbf16>, %t: tensor<2x4xi64>,
                            %y: tensor<2xi32>, %w: tensor<4xbf16>,
                            %g: tensor<bf16>, %gn: tensor<2xbf16>,
                            %s: tensor<bf16>, %s0: tensor<i64>,
                            %u: tensor<?x?xf32>, %ut: tensor<?x?xf32>,
                            %ug: tensor<f32>) {
  // CHECK: loss.multilabel_margin_grad %arg0, %arg1, %arg4 : (tensor<2x4xbf16>, tensor<2x4xi64>, tensor<bf16>) -> tensor<2x4xbf16>{{$}}
  %0 = loss.multilabel_margin_grad %x, %t, %g
      : (tensor<2x4xbf16>, tensor<2x4xi64>, tensor<bf16>) -> tensor<2x4xbf16>
  // CHECK-NEXT: loss.multilabel_margin_grad %arg6, %arg7, %arg6 {reduction = #loss.reduction<none>} : (tensor<bf16>, tensor<i64>, tensor<bf16>) -> tensor<bf16>{{$}}
  %1 = loss.multilabel_margin_grad %s, %s0, %s {reduction = #loss.reduction<none>}
      : (tensor<bf16>, tensor<i64>, tensor<bf16>) -> tensor<bf16>
  // CHECK-NEXT: loss.multilabel_soft_margin_grad %arg0, %arg1 weight(%arg3), %arg5 {reduction = #loss.reduction<none>} : (tensor<2x4xbf16>, tensor<2x4xi64>, tensor<4xbf16>, tensor<2xbf16>) -> tensor<2x4xbf16>{{$}}
  %2 = loss.multilabel_soft_margin_grad %x, %t weight(%w), %gn {reduction = #loss.reduction<none>}
      : (tensor<2x4xbf16>, tensor<2x4xi64>, tensor<4xbf16>, tensor<2xbf16>) -> tensor<2x4xbf16>
  // CHECK-NEXT: loss.multilabel_soft_margin_grad %arg8, %arg9, %arg10 : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<f32>) -> tensor<?x?xf32>{{$}}
  %3 = loss.multilabel_soft_margin_grad %u, %ut, %ug
      : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<f32>) -> tensor<?x?xf32>
  // CHECK-NEXT: loss.multi_margin_grad %arg0, %arg2 weight(%arg3), %arg4 {margin = 5.000000e-01 : f64, p = 2 : i64} : (tensor<2x4xbf16>, tensor<2xi32>, tensor<4xbf16>, tensor<bf16>) -> tensor<2x4xbf16>{{$}}
  %4 = loss.multi_margin_grad %x, %y weight(%w), %g {p = 2 : i64, margin = 0.5 : f64}
      : (tensor<2x4xbf16>, tensor<2xi32>, tensor<4xbf16>, tensor<bf16>) -> tensor<2x4xbf16>
  // CHECK-NEXT: loss.multi_margin_grad %arg0, %arg2, %arg5 {reduction = #loss.reduction<none>} : (tensor<2x4xbf16>, tensor<2xi32>, tensor<2xbf16>) -> tensor<2x4xbf16>{{$}}
  %5 = loss.multi_margin_grad %x, %y, %gn {p = 1 : i64, margin = 1.0 : f64, reduction = #loss.reduction<none>}
      : (tensor<2x4xbf16>, tensor<2xi32>, tensor<2xbf16>) -> tensor<2x4xbf16>
  return
}

// CHECK-LABEL: func.func @embedding_grads
func.func @embedding_grads(%a: tensor<2x4xf32>, %b: tensor<1x4xf32>,
                           %t: tensor<2xi8>, %g: tensor<f32>,
                           %gn: tensor<2xf32>, %s: tensor<f64>,
                           %sg: tensor<f64>) {
  // CHECK: loss.cosine_embedding_grad %arg0, %arg1, %arg2, %arg3 {margin = -5.000000e-01 : f64} : (tensor<2x4xf32>, tensor<1x4xf32>, tensor<2xi8>, tensor<f32>) -> (tensor<2x4xf32>, tensor<1x4xf32>){{$}}
  %0:2 = loss.cosine_embedding_grad %a, %b, %t, %g {margin = -0.5 : f64}
      : (tensor<2x4xf32>, tensor<1x4xf32>, tensor<2xi8>, tensor<f32>) -> (tensor<2x4xf32>, tensor<1x4xf32>)
  // CHECK-NEXT: loss.triplet_margin_grad %arg0, %arg1, %arg0, %arg4 {eps = 0.000000e+00 : f64, p = 3.000000e+00 : f64, reduction = #loss.reduction<none>, swap = true} : (tensor<2x4xf32>, tensor<1x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> (tensor<2x4xf32>, tensor<1x4xf32>, tensor<2x4xf32>){{$}}
  %1:3 = loss.triplet_margin_grad %a, %b, %a, %gn {swap = true, p = 3.0 : f64, eps = 0.0 : f64, margin = 1.0 : f64, reduction = #loss.reduction<none>}
      : (tensor<2x4xf32>, tensor<1x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> (tensor<2x4xf32>, tensor<1x4xf32>, tensor<2x4xf32>)
  // CHECK-NEXT: loss.triplet_margin_grad %arg5, %arg5, %arg5, %arg6 {margin = 2.000000e+00 : f64} : (tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>) -> (tensor<f64>, tensor<f64>, tensor<f64>){{$}}
  %2:3 = loss.triplet_margin_grad %s, %s, %s, %sg {margin = 2.0 : f64}
      : (tensor<f64>, tensor<f64>, tensor<f64>, tensor<f64>) -> (tensor<f64>, tensor<f64>, tensor<f64>)
  return
}
