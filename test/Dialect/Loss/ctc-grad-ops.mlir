// RUN: loss-opt %s | loss-opt | FileCheck %s
// RUN: loss-opt %s --mlir-print-op-generic | loss-opt | FileCheck %s

// Round trip of loss.ctc_grad; default attributes are elided when printing.

// CHECK-LABEL: func.func @ctc_grad_padded(
// CHECK-NEXT:    loss.ctc_grad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<50x4x20xf32>, tensor<4x10xi64>, tensor<4xi64>, tensor<4xi64>, tensor<f32>) -> tensor<50x4x20xf32>{{$}}
// CHECK-NEXT:    loss.ctc_grad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {blank = 3 : i64, reduction = #loss.reduction<none>, zero_infinity = true} : (tensor<50x4x20xf32>, tensor<4x10xi64>, tensor<4xi64>, tensor<4xi64>, tensor<4xf32>) -> tensor<50x4x20xf32>{{$}}
func.func @ctc_grad_padded(%lp: tensor<50x4x20xf32>, %tg: tensor<4x10xi64>, %il: tensor<4xi64>, %tl: tensor<4xi64>, %g: tensor<f32>, %gn: tensor<4xf32>) -> (tensor<50x4x20xf32>, tensor<50x4x20xf32>) {
  %0 = loss.ctc_grad %lp, %tg, %il, %tl, %g {blank = 0 : i64, reduction = #loss.reduction<mean>, zero_infinity = false} : (tensor<50x4x20xf32>, tensor<4x10xi64>, tensor<4xi64>, tensor<4xi64>, tensor<f32>) -> tensor<50x4x20xf32>
  %1 = loss.ctc_grad %lp, %tg, %il, %tl, %gn {blank = 3 : i64, reduction = #loss.reduction<none>, zero_infinity = true} : (tensor<50x4x20xf32>, tensor<4x10xi64>, tensor<4xi64>, tensor<4xi64>, tensor<4xf32>) -> tensor<50x4x20xf32>
  return %0, %1 : tensor<50x4x20xf32>, tensor<50x4x20xf32>
}

// CHECK-LABEL: func.func @ctc_grad_concat_dynamic(
// CHECK-NEXT:    loss.ctc_grad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {reduction = #loss.reduction<sum>} : (tensor<?x?x?xbf16>, tensor<?xi32>, tensor<?xi64>, tensor<?xi32>, tensor<bf16>) -> tensor<?x?x?xbf16>{{$}}
func.func @ctc_grad_concat_dynamic(%lp: tensor<?x?x?xbf16>, %tg: tensor<?xi32>, %il: tensor<?xi64>, %tl: tensor<?xi32>, %g: tensor<bf16>) -> tensor<?x?x?xbf16> {
  %0 = loss.ctc_grad %lp, %tg, %il, %tl, %g {reduction = #loss.reduction<sum>} : (tensor<?x?x?xbf16>, tensor<?xi32>, tensor<?xi64>, tensor<?xi32>, tensor<bf16>) -> tensor<?x?x?xbf16>
  return %0 : tensor<?x?x?xbf16>
}

// CHECK-LABEL: func.func @ctc_grad_unbatched(
// CHECK-NEXT:    loss.ctc_grad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {reduction = #loss.reduction<none>} : (tensor<30x8xf16>, tensor<5xi64>, tensor<i64>, tensor<1xi64>, tensor<f16>) -> tensor<30x8xf16>{{$}}
func.func @ctc_grad_unbatched(%lp: tensor<30x8xf16>, %tg: tensor<5xi64>, %il: tensor<i64>, %tl: tensor<1xi64>, %g: tensor<f16>) -> tensor<30x8xf16> {
  %0 = loss.ctc_grad %lp, %tg, %il, %tl, %g {reduction = #loss.reduction<none>} : (tensor<30x8xf16>, tensor<5xi64>, tensor<i64>, tensor<1xi64>, tensor<f16>) -> tensor<30x8xf16>
  return %0 : tensor<30x8xf16>
}
