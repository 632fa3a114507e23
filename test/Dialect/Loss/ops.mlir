// RUN: loss-opt %s | loss-opt | FileCheck %s
// RUN: loss-opt %s --mlir-print-op-generic | loss-opt | FileCheck %s

// Round trip of every op of the loss dialect. Attributes written with their
// default value must be elided when printing; every other value must print.
// CHECK-NEXT and the `{{$}}` anchors pin every printed line whole, so a
// stray or missing attribute makes the test fail.

//===----------------------------------------------------------------------===//
// log_softmax
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @log_softmax
func.func @log_softmax(%x: tensor<4x10xf32>, %u: tensor<10xf64>,
                       %h: tensor<2x3x4xf16>, %b: tensor<8x16xbf16>,
                       %d: tensor<?x?xf32>) {
  // CHECK: loss.log_softmax %arg0 : tensor<4x10xf32>{{$}}
  %0 = loss.log_softmax %x : tensor<4x10xf32>
  // CHECK-NEXT: loss.log_softmax %arg0 : tensor<4x10xf32>{{$}}
  %1 = loss.log_softmax %x {axis = -1 : i64} : tensor<4x10xf32>
  // CHECK-NEXT: loss.log_softmax %arg0 {axis = 1 : i64} : tensor<4x10xf32>{{$}}
  %2 = loss.log_softmax %x {axis = 1 : i64} : tensor<4x10xf32>
  // CHECK-NEXT: loss.log_softmax %arg0 {axis = -2 : i64} : tensor<4x10xf32>{{$}}
  %3 = loss.log_softmax %x {axis = -2 : i64} : tensor<4x10xf32>
  // CHECK-NEXT: loss.log_softmax %arg1 {axis = 0 : i64} : tensor<10xf64>{{$}}
  %4 = loss.log_softmax %u {axis = 0 : i64} : tensor<10xf64>
  // CHECK-NEXT: loss.log_softmax %arg2 {axis = 1 : i64} : tensor<2x3x4xf16>{{$}}
  %5 = loss.log_softmax %h {axis = 1 : i64} : tensor<2x3x4xf16>
  // CHECK-NEXT: loss.log_softmax %arg3 : tensor<8x16xbf16>{{$}}
  %6 = loss.log_softmax %b : tensor<8x16xbf16>
  // CHECK-NEXT: loss.log_softmax %arg4 {axis = 0 : i64} : tensor<?x?xf32>{{$}}
  %7 = loss.log_softmax %d {axis = 0 : i64} : tensor<?x?xf32>
  return
}

//===----------------------------------------------------------------------===//
// nll
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @nll
func.func @nll(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %w: tensor<10xf32>,
               %x4: tensor<2x3x5x6xf64>, %t4: tensor<2x5x6xi32>,
               %u: tensor<10xf16>, %ut: tensor<i8>,
               %dx: tensor<?x?xbf16>, %dt: tensor<?xi16>, %dw: tensor<?xbf16>) {
  // CHECK: loss.nll %arg0, %arg1 : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>{{$}}
  %0 = loss.nll %x, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  // Defaults spelled out are elided.
  // CHECK-NEXT: loss.nll %arg0, %arg1 weight(%arg2) : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> tensor<f32>{{$}}
  %1 = loss.nll %x, %t weight(%w) {ignore_index = -100 : i64, reduction = #loss.reduction<mean>}
      : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> tensor<f32>
  // CHECK-NEXT: loss.nll %arg0, %arg1 weight(%arg2) {ignore_index = 3 : i64, reduction = #loss.reduction<sum>} : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> tensor<f32>{{$}}
  %2 = loss.nll %x, %t weight(%w) {ignore_index = 3 : i64, reduction = #loss.reduction<sum>}
      : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> tensor<f32>
  // CHECK-NEXT: loss.nll %arg0, %arg1 {reduction = #loss.reduction<none>} : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<4xf32>{{$}}
  %3 = loss.nll %x, %t {reduction = #loss.reduction<none>}
      : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<4xf32>
  // K-dimensional: [N, C, d1, d2] with [N, d1, d2] targets.
  // CHECK-NEXT: loss.nll %arg3, %arg4 {ignore_index = -1 : i64, reduction = #loss.reduction<none>} : (tensor<2x3x5x6xf64>, tensor<2x5x6xi32>) -> tensor<2x5x6xf64>{{$}}
  %4 = loss.nll %x4, %t4 {ignore_index = -1 : i64, reduction = #loss.reduction<none>}
      : (tensor<2x3x5x6xf64>, tensor<2x5x6xi32>) -> tensor<2x5x6xf64>
  // Unbatched: [C] with a 0-d target.
  // CHECK-NEXT: loss.nll %arg5, %arg6 : (tensor<10xf16>, tensor<i8>) -> tensor<f16>{{$}}
  %5 = loss.nll %u, %ut : (tensor<10xf16>, tensor<i8>) -> tensor<f16>
  // CHECK-NEXT: loss.nll %arg5, %arg6 {reduction = #loss.reduction<none>} : (tensor<10xf16>, tensor<i8>) -> tensor<f16>{{$}}
  %6 = loss.nll %u, %ut {reduction = #loss.reduction<none>} : (tensor<10xf16>, tensor<i8>) -> tensor<f16>
  // Dynamic dimensions.
  // CHECK-NEXT: loss.nll %arg7, %arg8 weight(%arg9) {reduction = #loss.reduction<none>} : (tensor<?x?xbf16>, tensor<?xi16>, tensor<?xbf16>) -> tensor<?xbf16>{{$}}
  %7 = loss.nll %dx, %dt weight(%dw) {reduction = #loss.reduction<none>}
      : (tensor<?x?xbf16>, tensor<?xi16>, tensor<?xbf16>) -> tensor<?xbf16>
  // CHECK-NEXT: loss.nll %arg7, %arg1 {ignore_index = 9223372036854775807 : i64} : (tensor<?x?xbf16>, tensor<4xi64>) -> tensor<bf16>{{$}}
  %8 = loss.nll %dx, %t {ignore_index = 9223372036854775807 : i64}
      : (tensor<?x?xbf16>, tensor<4xi64>) -> tensor<bf16>
  return
}

//===----------------------------------------------------------------------===//
// softmax_cross_entropy
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @softmax_cross_entropy
func.func @softmax_cross_entropy(%x: tensor<4x10xf32>, %t: tensor<4xi64>,
                                 %w: tensor<10xf32>, %p: tensor<4x10xf32>,
                                 %x3: tensor<2x3x7xbf16>, %t3: tensor<2x7xi32>,
                                 %p3: tensor<2x3x7xbf16>,
                                 %u: tensor<5xf64>, %ut: tensor<i16>,
                                 %up: tensor<5xf64>,
                                 %dx: tensor<?x?xf16>, %dt: tensor<?xi8>) {
  // CHECK: loss.softmax_cross_entropy %arg0, %arg1 : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>{{$}}
  %0 = loss.softmax_cross_entropy %x, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  // CHECK-NEXT: loss.softmax_cross_entropy %arg0, %arg1 : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>{{$}}
  %1 = loss.softmax_cross_entropy %x, %t
      {ignore_index = -100 : i64, label_smoothing = 0.0 : f64, reduction = #loss.reduction<mean>}
      : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  // CHECK-NEXT: loss.softmax_cross_entropy %arg0, %arg1 weight(%arg2) {ignore_index = 0 : i64, label_smoothing = 1.000000e-01 : f64, reduction = #loss.reduction<sum>} : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> tensor<f32>{{$}}
  %2 = loss.softmax_cross_entropy %x, %t weight(%w)
      {ignore_index = 0 : i64, label_smoothing = 0.1 : f64, reduction = #loss.reduction<sum>}
      : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> tensor<f32>
  // The optional log_prob result.
  // CHECK-NEXT: %{{.*}}, %{{.*}} = loss.softmax_cross_entropy %arg0, %arg1 {reduction = #loss.reduction<none>} : (tensor<4x10xf32>, tensor<4xi64>) -> (tensor<4xf32>, tensor<4x10xf32>){{$}}
  %3:2 = loss.softmax_cross_entropy %x, %t {reduction = #loss.reduction<none>}
      : (tensor<4x10xf32>, tensor<4xi64>) -> (tensor<4xf32>, tensor<4x10xf32>)
  // Probability targets (a negative ignore_index, the default, is required).
  // CHECK-NEXT: loss.softmax_cross_entropy %arg0, %arg3 weight(%arg2) {label_smoothing = 1.000000e+00 : f64} : (tensor<4x10xf32>, tensor<4x10xf32>, tensor<10xf32>) -> tensor<f32>{{$}}
  %4 = loss.softmax_cross_entropy %x, %p weight(%w) {label_smoothing = 1.0 : f64}
      : (tensor<4x10xf32>, tensor<4x10xf32>, tensor<10xf32>) -> tensor<f32>
  // CHECK-NEXT: loss.softmax_cross_entropy %arg0, %arg3 {ignore_index = -1 : i64, reduction = #loss.reduction<none>} : (tensor<4x10xf32>, tensor<4x10xf32>) -> tensor<4xf32>{{$}}
  %5 = loss.softmax_cross_entropy %x, %p {ignore_index = -1 : i64, reduction = #loss.reduction<none>}
      : (tensor<4x10xf32>, tensor<4x10xf32>) -> tensor<4xf32>
  // K-dimensional, class and probability targets, bf16.
  // CHECK-NEXT: %{{.*}}, %{{.*}} = loss.softmax_cross_entropy %arg4, %arg5 {reduction = #loss.reduction<none>} : (tensor<2x3x7xbf16>, tensor<2x7xi32>) -> (tensor<2x7xbf16>, tensor<2x3x7xbf16>){{$}}
  %6:2 = loss.softmax_cross_entropy %x3, %t3 {reduction = #loss.reduction<none>}
      : (tensor<2x3x7xbf16>, tensor<2x7xi32>) -> (tensor<2x7xbf16>, tensor<2x3x7xbf16>)
  // CHECK-NEXT: loss.softmax_cross_entropy %arg4, %arg6 {reduction = #loss.reduction<none>} : (tensor<2x3x7xbf16>, tensor<2x3x7xbf16>) -> tensor<2x7xbf16>{{$}}
  %7 = loss.softmax_cross_entropy %x3, %p3 {reduction = #loss.reduction<none>}
      : (tensor<2x3x7xbf16>, tensor<2x3x7xbf16>) -> tensor<2x7xbf16>
  // Unbatched [C], class and probability targets, f64.
  // CHECK-NEXT: loss.softmax_cross_entropy %arg7, %arg8 {reduction = #loss.reduction<none>} : (tensor<5xf64>, tensor<i16>) -> tensor<f64>{{$}}
  %8 = loss.softmax_cross_entropy %u, %ut {reduction = #loss.reduction<none>}
      : (tensor<5xf64>, tensor<i16>) -> tensor<f64>
  // CHECK-NEXT: %{{.*}}, %{{.*}} = loss.softmax_cross_entropy %arg7, %arg9 : (tensor<5xf64>, tensor<5xf64>) -> (tensor<f64>, tensor<5xf64>){{$}}
  %9:2 = loss.softmax_cross_entropy %u, %up : (tensor<5xf64>, tensor<5xf64>) -> (tensor<f64>, tensor<5xf64>)
  // Dynamic dimensions, f16.
  // CHECK-NEXT: %{{.*}}, %{{.*}} = loss.softmax_cross_entropy %arg10, %arg11 {label_smoothing = 2.500000e-01 : f64} : (tensor<?x?xf16>, tensor<?xi8>) -> (tensor<f16>, tensor<?x?xf16>){{$}}
  %10:2 = loss.softmax_cross_entropy %dx, %dt {label_smoothing = 0.25 : f64}
      : (tensor<?x?xf16>, tensor<?xi8>) -> (tensor<f16>, tensor<?x?xf16>)
  return
}

//===----------------------------------------------------------------------===//
// linear_cross_entropy
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @linear_cross_entropy
func.func @linear_cross_entropy(%h: tensor<8x16xf32>, %w: tensor<100x16xf32>,
                                %t: tensor<8xi64>, %b: tensor<100xf32>,
                                %cw: tensor<100xf32>,
                                %dh: tensor<?x?xbf16>, %dw: tensor<?x?xbf16>,
                                %dt: tensor<?xi32>, %db: tensor<?xbf16>,
                                %hd: tensor<3x5xf64>, %wd: tensor<7x5xf64>,
                                %td: tensor<3xi8>) {
  // CHECK: loss.linear_cross_entropy %arg0, %arg1, %arg2 : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xi64>) -> tensor<f32>{{$}}
  %0 = loss.linear_cross_entropy %h, %w, %t : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xi64>) -> tensor<f32>
  // Defaults written out are elided.
  // CHECK-NEXT: loss.linear_cross_entropy %arg0, %arg1, %arg2 : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xi64>) -> tensor<f32>{{$}}
  %1 = loss.linear_cross_entropy %h, %w, %t
      {ignore_index = -100 : i64, label_smoothing = 0.0 : f64, reduction = #loss.reduction<mean>}
      : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xi64>) -> tensor<f32>
  // CHECK-NEXT: loss.linear_cross_entropy %arg0, %arg1, %arg2 bias(%arg3) class_weight(%arg4) {ignore_index = 0 : i64, label_smoothing = 1.000000e-01 : f64, reduction = #loss.reduction<sum>} : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xi64>, tensor<100xf32>, tensor<100xf32>) -> tensor<f32>{{$}}
  %2 = loss.linear_cross_entropy %h, %w, %t bias(%b) class_weight(%cw)
      {ignore_index = 0 : i64, label_smoothing = 0.1 : f64, reduction = #loss.reduction<sum>}
      : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xi64>, tensor<100xf32>, tensor<100xf32>) -> tensor<f32>
  // Either optional operand alone.
  // CHECK-NEXT: loss.linear_cross_entropy %arg0, %arg1, %arg2 bias(%arg3) {reduction = #loss.reduction<none>} : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xi64>, tensor<100xf32>) -> tensor<8xf32>{{$}}
  %3 = loss.linear_cross_entropy %h, %w, %t bias(%b) {reduction = #loss.reduction<none>}
      : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xi64>, tensor<100xf32>) -> tensor<8xf32>
  // CHECK-NEXT: loss.linear_cross_entropy %arg0, %arg1, %arg2 class_weight(%arg4) : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xi64>, tensor<100xf32>) -> tensor<f32>{{$}}
  %4 = loss.linear_cross_entropy %h, %w, %t class_weight(%cw)
      : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xi64>, tensor<100xf32>) -> tensor<f32>
  // Dynamic dimensions, bf16, i32 targets.
  // CHECK-NEXT: loss.linear_cross_entropy %arg5, %arg6, %arg7 bias(%arg8) {label_smoothing = 2.500000e-01 : f64, reduction = #loss.reduction<none>} : (tensor<?x?xbf16>, tensor<?x?xbf16>, tensor<?xi32>, tensor<?xbf16>) -> tensor<?xbf16>{{$}}
  %5 = loss.linear_cross_entropy %dh, %dw, %dt bias(%db) {label_smoothing = 0.25 : f64, reduction = #loss.reduction<none>}
      : (tensor<?x?xbf16>, tensor<?x?xbf16>, tensor<?xi32>, tensor<?xbf16>) -> tensor<?xbf16>
  // f64, i8 targets.
  // CHECK-NEXT: loss.linear_cross_entropy %arg9, %arg10, %arg11 {ignore_index = -1 : i64} : (tensor<3x5xf64>, tensor<7x5xf64>, tensor<3xi8>) -> tensor<f64>{{$}}
  %6 = loss.linear_cross_entropy %hd, %wd, %td {ignore_index = -1 : i64}
      : (tensor<3x5xf64>, tensor<7x5xf64>, tensor<3xi8>) -> tensor<f64>
  return
}

// CHECK-LABEL: func.func @linear_cross_entropy_grad
func.func @linear_cross_entropy_grad(%h: tensor<8x16xf32>, %w: tensor<100x16xf32>,
                                     %t: tensor<8xi64>, %b: tensor<100xf32>,
                                     %cw: tensor<100xf32>, %g: tensor<f32>,
                                     %gn: tensor<8xf32>,
                                     %dh: tensor<?x?xf64>, %dw: tensor<?x?xf64>,
                                     %dt: tensor<?xi32>, %dg: tensor<?xf64>) {
  // CHECK: loss.linear_cross_entropy_grad %arg0, %arg1, %arg2, %arg5 : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xi64>, tensor<f32>) -> (tensor<8x16xf32>, tensor<100x16xf32>){{$}}
  %0:2 = loss.linear_cross_entropy_grad %h, %w, %t, %g
      : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xi64>, tensor<f32>) -> (tensor<8x16xf32>, tensor<100x16xf32>)
  // With a bias, its gradient is the third result.
  // CHECK-NEXT: loss.linear_cross_entropy_grad %arg0, %arg1, %arg2 bias(%arg3) class_weight(%arg4), %arg6 {ignore_index = 0 : i64, label_smoothing = 1.000000e-01 : f64, reduction = #loss.reduction<none>} : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xi64>, tensor<100xf32>, tensor<100xf32>, tensor<8xf32>) -> (tensor<8x16xf32>, tensor<100x16xf32>, tensor<100xf32>){{$}}
  %1:3 = loss.linear_cross_entropy_grad %h, %w, %t bias(%b) class_weight(%cw), %gn
      {ignore_index = 0 : i64, label_smoothing = 0.1 : f64, reduction = #loss.reduction<none>}
      : (tensor<8x16xf32>, tensor<100x16xf32>, tensor<8xi64>, tensor<100xf32>, tensor<100xf32>, tensor<8xf32>) -> (tensor<8x16xf32>, tensor<100x16xf32>, tensor<100xf32>)
  // CHECK-NEXT: loss.linear_cross_entropy_grad %arg7, %arg8, %arg9 class_weight(%arg10), %arg10 {reduction = #loss.reduction<none>} : (tensor<?x?xf64>, tensor<?x?xf64>, tensor<?xi32>, tensor<?xf64>, tensor<?xf64>) -> (tensor<?x?xf64>, tensor<?x?xf64>){{$}}
  %2:2 = loss.linear_cross_entropy_grad %dh, %dw, %dt class_weight(%dg), %dg {reduction = #loss.reduction<none>}
      : (tensor<?x?xf64>, tensor<?x?xf64>, tensor<?xi32>, tensor<?xf64>, tensor<?xf64>) -> (tensor<?x?xf64>, tensor<?x?xf64>)
  return
}

//===----------------------------------------------------------------------===//
// ctc
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @ctc
func.func @ctc(%lp: tensor<50x4x20xf32>, %tg: tensor<4x10xi64>,
               %il: tensor<4xi64>, %tl: tensor<4xi64>,
               %cat: tensor<30xi32>, %il32: tensor<4xi32>,
               %ulp: tensor<50x20xf64>, %utg: tensor<10xi64>,
               %ul0: tensor<i64>, %ul1: tensor<1xi64>,
               %dlp: tensor<?x?x?xf16>, %dtg: tensor<?x?xi64>, %dl: tensor<?xi64>) {
  // Padded [N, S] targets.
  // CHECK: loss.ctc %arg0, %arg1, %arg2, %arg3 : (tensor<50x4x20xf32>, tensor<4x10xi64>, tensor<4xi64>, tensor<4xi64>) -> tensor<f32>{{$}}
  %0 = loss.ctc %lp, %tg, %il, %tl
      : (tensor<50x4x20xf32>, tensor<4x10xi64>, tensor<4xi64>, tensor<4xi64>) -> tensor<f32>
  // CHECK-NEXT: loss.ctc %arg0, %arg1, %arg2, %arg3 : (tensor<50x4x20xf32>, tensor<4x10xi64>, tensor<4xi64>, tensor<4xi64>) -> tensor<f32>{{$}}
  %1 = loss.ctc %lp, %tg, %il, %tl {blank = 0 : i64, reduction = #loss.reduction<mean>, zero_infinity = false}
      : (tensor<50x4x20xf32>, tensor<4x10xi64>, tensor<4xi64>, tensor<4xi64>) -> tensor<f32>
  // CHECK-NEXT: loss.ctc %arg0, %arg1, %arg2, %arg3 {blank = 19 : i64, reduction = #loss.reduction<none>, zero_infinity = true} : (tensor<50x4x20xf32>, tensor<4x10xi64>, tensor<4xi64>, tensor<4xi64>) -> tensor<4xf32>{{$}}
  %2 = loss.ctc %lp, %tg, %il, %tl {blank = 19 : i64, reduction = #loss.reduction<none>, zero_infinity = true}
      : (tensor<50x4x20xf32>, tensor<4x10xi64>, tensor<4xi64>, tensor<4xi64>) -> tensor<4xf32>
  // Concatenated 1-D targets, mixed integer widths.
  // CHECK-NEXT: loss.ctc %arg0, %arg4, %arg5, %arg3 {reduction = #loss.reduction<sum>} : (tensor<50x4x20xf32>, tensor<30xi32>, tensor<4xi32>, tensor<4xi64>) -> tensor<f32>{{$}}
  %3 = loss.ctc %lp, %cat, %il32, %tl {reduction = #loss.reduction<sum>}
      : (tensor<50x4x20xf32>, tensor<30xi32>, tensor<4xi32>, tensor<4xi64>) -> tensor<f32>
  // Unbatched [T, C] with [] or [1] lengths.
  // CHECK-NEXT: loss.ctc %arg6, %arg7, %arg8, %arg8 {reduction = #loss.reduction<none>} : (tensor<50x20xf64>, tensor<10xi64>, tensor<i64>, tensor<i64>) -> tensor<f64>{{$}}
  %4 = loss.ctc %ulp, %utg, %ul0, %ul0 {reduction = #loss.reduction<none>}
      : (tensor<50x20xf64>, tensor<10xi64>, tensor<i64>, tensor<i64>) -> tensor<f64>
  // CHECK-NEXT: loss.ctc %arg6, %arg7, %arg9, %arg9 {blank = 3 : i64} : (tensor<50x20xf64>, tensor<10xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<f64>{{$}}
  %5 = loss.ctc %ulp, %utg, %ul1, %ul1 {blank = 3 : i64}
      : (tensor<50x20xf64>, tensor<10xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<f64>
  // Dynamic dimensions: any blank >= 0 is accepted when C is unknown.
  // CHECK-NEXT: loss.ctc %arg10, %arg11, %arg12, %arg12 {blank = 100 : i64, reduction = #loss.reduction<none>} : (tensor<?x?x?xf16>, tensor<?x?xi64>, tensor<?xi64>, tensor<?xi64>) -> tensor<?xf16>{{$}}
  %6 = loss.ctc %dlp, %dtg, %dl, %dl {blank = 100 : i64, reduction = #loss.reduction<none>}
      : (tensor<?x?x?xf16>, tensor<?x?xi64>, tensor<?xi64>, tensor<?xi64>) -> tensor<?xf16>
  return
}

//===----------------------------------------------------------------------===//
// bce, bce_with_logits
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @bce
func.func @bce(%x: tensor<4x3xf32>, %t: tensor<4x3xf32>, %w: tensor<4x3xf32>,
               %wb: tensor<1x3xf32>, %s: tensor<f64>, %h: tensor<8xbf16>) {
  // CHECK: loss.bce %arg0, %arg1 : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<f32>{{$}}
  %0 = loss.bce %x, %t {reduction = #loss.reduction<mean>} : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<f32>
  // CHECK-NEXT: loss.bce %arg0, %arg1 weight(%arg2) {reduction = #loss.reduction<none>} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>{{$}}
  %1 = loss.bce %x, %t weight(%w) {reduction = #loss.reduction<none>}
      : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  // A weight that broadcasts.
  // CHECK-NEXT: loss.bce %arg0, %arg1 weight(%arg3) {reduction = #loss.reduction<sum>} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<1x3xf32>) -> tensor<f32>{{$}}
  %2 = loss.bce %x, %t weight(%wb) {reduction = #loss.reduction<sum>}
      : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<1x3xf32>) -> tensor<f32>
  // 0-d operands; a `none` result is 0-d too.
  // CHECK-NEXT: loss.bce %arg4, %arg4 {reduction = #loss.reduction<none>} : (tensor<f64>, tensor<f64>) -> tensor<f64>{{$}}
  %3 = loss.bce %s, %s {reduction = #loss.reduction<none>} : (tensor<f64>, tensor<f64>) -> tensor<f64>
  // CHECK-NEXT: loss.bce %arg5, %arg5 : (tensor<8xbf16>, tensor<8xbf16>) -> tensor<bf16>{{$}}
  %4 = loss.bce %h, %h : (tensor<8xbf16>, tensor<8xbf16>) -> tensor<bf16>
  return
}

// CHECK-LABEL: func.func @bce_with_logits
func.func @bce_with_logits(%x: tensor<4x3xf32>, %t: tensor<4x3xf32>,
                           %w: tensor<4x3xf32>, %pw: tensor<3xf32>,
                           %dx: tensor<?x?xf16>, %dpw: tensor<?xf16>) {
  // CHECK: loss.bce_with_logits %arg0, %arg1 : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<f32>{{$}}
  %0 = loss.bce_with_logits %x, %t : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<f32>
  // CHECK-NEXT: loss.bce_with_logits %arg0, %arg1 weight(%arg2) : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<f32>{{$}}
  %1 = loss.bce_with_logits %x, %t weight(%w) : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<f32>
  // CHECK-NEXT: loss.bce_with_logits %arg0, %arg1 pos_weight(%arg3) {reduction = #loss.reduction<sum>} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<f32>{{$}}
  %2 = loss.bce_with_logits %x, %t pos_weight(%pw) {reduction = #loss.reduction<sum>}
      : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<f32>
  // CHECK-NEXT: loss.bce_with_logits %arg0, %arg1 weight(%arg2) pos_weight(%arg3) {reduction = #loss.reduction<none>} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>{{$}}
  %3 = loss.bce_with_logits %x, %t weight(%w) pos_weight(%pw) {reduction = #loss.reduction<none>}
      : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  // CHECK-NEXT: loss.bce_with_logits %arg4, %arg4 pos_weight(%arg5) {reduction = #loss.reduction<none>} : (tensor<?x?xf16>, tensor<?x?xf16>, tensor<?xf16>) -> tensor<?x?xf16>{{$}}
  %4 = loss.bce_with_logits %dx, %dx pos_weight(%dpw) {reduction = #loss.reduction<none>}
      : (tensor<?x?xf16>, tensor<?x?xf16>, tensor<?xf16>) -> tensor<?x?xf16>
  return
}

//===----------------------------------------------------------------------===//
// Regression: l1, mse, smooth_l1, huber
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @regression
func.func @regression(%x: tensor<8xf32>, %d: tensor<2x?xf64>, %h: tensor<3x3xf16>,
                      %b: tensor<bf16>) {
  // CHECK: loss.l1 %arg0, %arg0 : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>{{$}}
  %0 = loss.l1 %x, %x : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  // CHECK-NEXT: loss.l1 %arg1, %arg1 {reduction = #loss.reduction<none>} : (tensor<2x?xf64>, tensor<2x?xf64>) -> tensor<2x?xf64>{{$}}
  %1 = loss.l1 %d, %d {reduction = #loss.reduction<none>} : (tensor<2x?xf64>, tensor<2x?xf64>) -> tensor<2x?xf64>
  // CHECK-NEXT: loss.mse %arg2, %arg2 {reduction = #loss.reduction<sum>} : (tensor<3x3xf16>, tensor<3x3xf16>) -> tensor<f16>{{$}}
  %2 = loss.mse %h, %h {reduction = #loss.reduction<sum>} : (tensor<3x3xf16>, tensor<3x3xf16>) -> tensor<f16>
  // CHECK-NEXT: loss.mse %arg3, %arg3 : (tensor<bf16>, tensor<bf16>) -> tensor<bf16>{{$}}
  %3 = loss.mse %b, %b : (tensor<bf16>, tensor<bf16>) -> tensor<bf16>
  // CHECK-NEXT: loss.smooth_l1 %arg0, %arg0 : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>{{$}}
  %4 = loss.smooth_l1 %x, %x {beta = 1.0 : f64} : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  // CHECK-NEXT: loss.smooth_l1 %arg0, %arg0 {beta = 0.000000e+00 : f64, reduction = #loss.reduction<none>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>{{$}}
  %5 = loss.smooth_l1 %x, %x {beta = 0.0 : f64, reduction = #loss.reduction<none>}
      : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  // CHECK-NEXT: loss.smooth_l1 %arg1, %arg1 {beta = 5.000000e-01 : f64} : (tensor<2x?xf64>, tensor<2x?xf64>) -> tensor<f64>{{$}}
  %6 = loss.smooth_l1 %d, %d {beta = 0.5 : f64} : (tensor<2x?xf64>, tensor<2x?xf64>) -> tensor<f64>
  // CHECK-NEXT: loss.huber %arg0, %arg0 : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>{{$}}
  %7 = loss.huber %x, %x {delta = 1.0 : f64} : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  // CHECK-NEXT: loss.huber %arg2, %arg2 {delta = 2.500000e+00 : f64, reduction = #loss.reduction<none>} : (tensor<3x3xf16>, tensor<3x3xf16>) -> tensor<3x3xf16>{{$}}
  %8 = loss.huber %h, %h {delta = 2.5 : f64, reduction = #loss.reduction<none>}
      : (tensor<3x3xf16>, tensor<3x3xf16>) -> tensor<3x3xf16>
  return
}

//===----------------------------------------------------------------------===//
// Distributions: poisson_nll, gaussian_nll, kl_div
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @poisson_nll
func.func @poisson_nll(%x: tensor<8xf32>, %h: tensor<2x4xbf16>) {
  // CHECK: loss.poisson_nll %arg0, %arg0 : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>{{$}}
  %0 = loss.poisson_nll %x, %x {log_input = true, full = false, eps = 1.0e-8 : f64}
      : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  // CHECK-NEXT: loss.poisson_nll %arg0, %arg0 {eps = 1.000000e-03 : f64, full = true, log_input = false, reduction = #loss.reduction<sum>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>{{$}}
  %1 = loss.poisson_nll %x, %x {log_input = false, full = true, eps = 1.0e-3 : f64, reduction = #loss.reduction<sum>}
      : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  // CHECK-NEXT: loss.poisson_nll %arg1, %arg1 {eps = 0.000000e+00 : f64, reduction = #loss.reduction<none>} : (tensor<2x4xbf16>, tensor<2x4xbf16>) -> tensor<2x4xbf16>{{$}}
  %2 = loss.poisson_nll %h, %h {eps = 0.0 : f64, reduction = #loss.reduction<none>}
      : (tensor<2x4xbf16>, tensor<2x4xbf16>) -> tensor<2x4xbf16>
  return
}

// CHECK-LABEL: func.func @gaussian_nll
func.func @gaussian_nll(%x: tensor<4x3xf32>, %v: tensor<4x3xf32>, %v1: tensor<4x1xf32>,
                        %v0: tensor<4xf32>, %u: tensor<3xf64>, %us: tensor<f64>,
                        %dx: tensor<?x?xf16>, %dv: tensor<?xf16>) {
  // var shaped like the input.
  // CHECK: loss.gaussian_nll %arg0, %arg0, %arg1 : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<f32>{{$}}
  %0 = loss.gaussian_nll %x, %x, %v {full = false, eps = 1.0e-6 : f64}
      : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<f32>
  // var with the last dimension set to 1.
  // CHECK-NEXT: loss.gaussian_nll %arg0, %arg0, %arg2 {eps = 1.000000e-02 : f64, full = true} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<f32>{{$}}
  %1 = loss.gaussian_nll %x, %x, %v1 {full = true, eps = 1.0e-2 : f64}
      : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<f32>
  // var with the last dimension dropped.
  // CHECK-NEXT: loss.gaussian_nll %arg0, %arg0, %arg3 {reduction = #loss.reduction<none>} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<4x3xf32>{{$}}
  %2 = loss.gaussian_nll %x, %x, %v0 {reduction = #loss.reduction<none>}
      : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<4x3xf32>
  // Unbatched [D] with a 0-d var, and with a full [D] var.
  // CHECK-NEXT: loss.gaussian_nll %arg4, %arg4, %arg5 {reduction = #loss.reduction<sum>} : (tensor<3xf64>, tensor<3xf64>, tensor<f64>) -> tensor<f64>{{$}}
  %3 = loss.gaussian_nll %u, %u, %us {reduction = #loss.reduction<sum>}
      : (tensor<3xf64>, tensor<3xf64>, tensor<f64>) -> tensor<f64>
  // CHECK-NEXT: loss.gaussian_nll %arg4, %arg4, %arg4 : (tensor<3xf64>, tensor<3xf64>, tensor<3xf64>) -> tensor<f64>{{$}}
  %4 = loss.gaussian_nll %u, %u, %u : (tensor<3xf64>, tensor<3xf64>, tensor<3xf64>) -> tensor<f64>
  // Dynamic dimensions.
  // CHECK-NEXT: loss.gaussian_nll %arg6, %arg6, %arg7 : (tensor<?x?xf16>, tensor<?x?xf16>, tensor<?xf16>) -> tensor<f16>{{$}}
  %5 = loss.gaussian_nll %dx, %dx, %dv : (tensor<?x?xf16>, tensor<?x?xf16>, tensor<?xf16>) -> tensor<f16>
  return
}

// CHECK-LABEL: func.func @kl_div
func.func @kl_div(%x: tensor<4x5xf32>, %s: tensor<f64>, %d: tensor<?x5xbf16>) {
  // CHECK: loss.kl_div %arg0, %arg0 : (tensor<4x5xf32>, tensor<4x5xf32>) -> tensor<f32>{{$}}
  %0 = loss.kl_div %x, %x {log_target = false} : (tensor<4x5xf32>, tensor<4x5xf32>) -> tensor<f32>
  // CHECK-NEXT: loss.kl_div %arg0, %arg0 {reduction = #loss.reduction<batchmean>} : (tensor<4x5xf32>, tensor<4x5xf32>) -> tensor<f32>{{$}}
  %1 = loss.kl_div %x, %x {reduction = #loss.reduction<batchmean>} : (tensor<4x5xf32>, tensor<4x5xf32>) -> tensor<f32>
  // CHECK-NEXT: loss.kl_div %arg1, %arg1 {log_target = true, reduction = #loss.reduction<batchmean>} : (tensor<f64>, tensor<f64>) -> tensor<f64>{{$}}
  %2 = loss.kl_div %s, %s {log_target = true, reduction = #loss.reduction<batchmean>}
      : (tensor<f64>, tensor<f64>) -> tensor<f64>
  // CHECK-NEXT: loss.kl_div %arg2, %arg2 {log_target = true, reduction = #loss.reduction<none>} : (tensor<?x5xbf16>, tensor<?x5xbf16>) -> tensor<?x5xbf16>{{$}}
  %3 = loss.kl_div %d, %d {log_target = true, reduction = #loss.reduction<none>}
      : (tensor<?x5xbf16>, tensor<?x5xbf16>) -> tensor<?x5xbf16>
  return
}

//===----------------------------------------------------------------------===//
// Margin and embedding
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @margin_ranking
func.func @margin_ranking(%x: tensor<8xf32>, %h: tensor<?xf16>) {
  // CHECK: loss.margin_ranking %arg0, %arg0, %arg0 : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<f32>{{$}}
  %0 = loss.margin_ranking %x, %x, %x {margin = 0.0 : f64}
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  // CHECK-NEXT: loss.margin_ranking %arg0, %arg0, %arg0 {margin = -5.000000e-01 : f64, reduction = #loss.reduction<none>} : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>{{$}}
  %1 = loss.margin_ranking %x, %x, %x {margin = -0.5 : f64, reduction = #loss.reduction<none>}
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  // CHECK-NEXT: loss.margin_ranking %arg1, %arg1, %arg1 {reduction = #loss.reduction<sum>} : (tensor<?xf16>, tensor<?xf16>, tensor<?xf16>) -> tensor<f16>{{$}}
  %2 = loss.margin_ranking %h, %h, %h {reduction = #loss.reduction<sum>}
      : (tensor<?xf16>, tensor<?xf16>, tensor<?xf16>) -> tensor<f16>
  return
}

// CHECK-LABEL: func.func @hinge_embedding
func.func @hinge_embedding(%x: tensor<2x4xf64>, %b: tensor<8xbf16>) {
  // CHECK: loss.hinge_embedding %arg0, %arg0 : (tensor<2x4xf64>, tensor<2x4xf64>) -> tensor<f64>{{$}}
  %0 = loss.hinge_embedding %x, %x {margin = 1.0 : f64} : (tensor<2x4xf64>, tensor<2x4xf64>) -> tensor<f64>
  // CHECK-NEXT: loss.hinge_embedding %arg0, %arg0 {margin = 2.000000e+00 : f64, reduction = #loss.reduction<none>} : (tensor<2x4xf64>, tensor<2x4xf64>) -> tensor<2x4xf64>{{$}}
  %1 = loss.hinge_embedding %x, %x {margin = 2.0 : f64, reduction = #loss.reduction<none>}
      : (tensor<2x4xf64>, tensor<2x4xf64>) -> tensor<2x4xf64>
  // CHECK-NEXT: loss.hinge_embedding %arg1, %arg1 {reduction = #loss.reduction<sum>} : (tensor<8xbf16>, tensor<8xbf16>) -> tensor<bf16>{{$}}
  %2 = loss.hinge_embedding %b, %b {reduction = #loss.reduction<sum>} : (tensor<8xbf16>, tensor<8xbf16>) -> tensor<bf16>
  return
}

// CHECK-LABEL: func.func @soft_margin
func.func @soft_margin(%x: tensor<8xf32>, %h: tensor<2x?xf16>) {
  // CHECK: loss.soft_margin %arg0, %arg0 : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>{{$}}
  %0 = loss.soft_margin %x, %x : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  // CHECK-NEXT: loss.soft_margin %arg1, %arg1 {reduction = #loss.reduction<none>} : (tensor<2x?xf16>, tensor<2x?xf16>) -> tensor<2x?xf16>{{$}}
  %1 = loss.soft_margin %h, %h {reduction = #loss.reduction<none>}
      : (tensor<2x?xf16>, tensor<2x?xf16>) -> tensor<2x?xf16>
  return
}

// CHECK-LABEL: func.func @multilabel_margin
func.func @multilabel_margin(%x: tensor<2x4xf32>, %t: tensor<2x4xi64>,
                             %u: tensor<4xf64>, %ut: tensor<4xi8>,
                             %d: tensor<?x?xbf16>, %dt: tensor<?x?xi32>) {
  // CHECK: loss.multilabel_margin %arg0, %arg1 : (tensor<2x4xf32>, tensor<2x4xi64>) -> tensor<f32>{{$}}
  %0 = loss.multilabel_margin %x, %t : (tensor<2x4xf32>, tensor<2x4xi64>) -> tensor<f32>
  // CHECK-NEXT: loss.multilabel_margin %arg0, %arg1 {reduction = #loss.reduction<none>} : (tensor<2x4xf32>, tensor<2x4xi64>) -> tensor<2xf32>{{$}}
  %1 = loss.multilabel_margin %x, %t {reduction = #loss.reduction<none>}
      : (tensor<2x4xf32>, tensor<2x4xi64>) -> tensor<2xf32>
  // CHECK-NEXT: loss.multilabel_margin %arg2, %arg3 {reduction = #loss.reduction<none>} : (tensor<4xf64>, tensor<4xi8>) -> tensor<f64>{{$}}
  %2 = loss.multilabel_margin %u, %ut {reduction = #loss.reduction<none>}
      : (tensor<4xf64>, tensor<4xi8>) -> tensor<f64>
  // CHECK-NEXT: loss.multilabel_margin %arg4, %arg5 {reduction = #loss.reduction<sum>} : (tensor<?x?xbf16>, tensor<?x?xi32>) -> tensor<bf16>{{$}}
  %3 = loss.multilabel_margin %d, %dt {reduction = #loss.reduction<sum>}
      : (tensor<?x?xbf16>, tensor<?x?xi32>) -> tensor<bf16>
  return
}

// CHECK-LABEL: func.func @multilabel_soft_margin
func.func @multilabel_soft_margin(%x: tensor<2x4xf32>, %w: tensor<4xf32>,
                                  %u: tensor<4xf16>, %d: tensor<?x?xf64>) {
  // CHECK: loss.multilabel_soft_margin %arg0, %arg0 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<f32>{{$}}
  %0 = loss.multilabel_soft_margin %x, %x : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<f32>
  // CHECK-NEXT: loss.multilabel_soft_margin %arg0, %arg0 weight(%arg1) {reduction = #loss.reduction<none>} : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<4xf32>) -> tensor<2xf32>{{$}}
  %1 = loss.multilabel_soft_margin %x, %x weight(%w) {reduction = #loss.reduction<none>}
      : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<4xf32>) -> tensor<2xf32>
  // CHECK-NEXT: loss.multilabel_soft_margin %arg2, %arg2 {reduction = #loss.reduction<none>} : (tensor<4xf16>, tensor<4xf16>) -> tensor<f16>{{$}}
  %2 = loss.multilabel_soft_margin %u, %u {reduction = #loss.reduction<none>}
      : (tensor<4xf16>, tensor<4xf16>) -> tensor<f16>
  // CHECK-NEXT: loss.multilabel_soft_margin %arg3, %arg3 {reduction = #loss.reduction<sum>} : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<f64>{{$}}
  %3 = loss.multilabel_soft_margin %d, %d {reduction = #loss.reduction<sum>}
      : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<f64>
  return
}

// CHECK-LABEL: func.func @multi_margin
func.func @multi_margin(%x: tensor<2x4xf32>, %t: tensor<2xi64>, %w: tensor<4xf32>,
                        %u: tensor<4xbf16>, %ut: tensor<i32>,
                        %d: tensor<?x?xf64>, %dt: tensor<?xi16>) {
  // CHECK: loss.multi_margin %arg0, %arg1 : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<f32>{{$}}
  %0 = loss.multi_margin %x, %t {p = 1 : i64, margin = 1.0 : f64}
      : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<f32>
  // CHECK-NEXT: loss.multi_margin %arg0, %arg1 weight(%arg2) {margin = 5.000000e-01 : f64, p = 2 : i64, reduction = #loss.reduction<none>} : (tensor<2x4xf32>, tensor<2xi64>, tensor<4xf32>) -> tensor<2xf32>{{$}}
  %1 = loss.multi_margin %x, %t weight(%w) {p = 2 : i64, margin = 0.5 : f64, reduction = #loss.reduction<none>}
      : (tensor<2x4xf32>, tensor<2xi64>, tensor<4xf32>) -> tensor<2xf32>
  // CHECK-NEXT: loss.multi_margin %arg3, %arg4 {reduction = #loss.reduction<none>} : (tensor<4xbf16>, tensor<i32>) -> tensor<bf16>{{$}}
  %2 = loss.multi_margin %u, %ut {reduction = #loss.reduction<none>} : (tensor<4xbf16>, tensor<i32>) -> tensor<bf16>
  // CHECK-NEXT: loss.multi_margin %arg5, %arg6 {reduction = #loss.reduction<sum>} : (tensor<?x?xf64>, tensor<?xi16>) -> tensor<f64>{{$}}
  %3 = loss.multi_margin %d, %dt {reduction = #loss.reduction<sum>} : (tensor<?x?xf64>, tensor<?xi16>) -> tensor<f64>
  return
}

// CHECK-LABEL: func.func @cosine_embedding
func.func @cosine_embedding(%a: tensor<2x4xf32>, %t: tensor<2xf32>, %ti: tensor<2xi64>,
                            %u: tensor<4xf64>, %ut: tensor<f64>,
                            %d: tensor<?x?xf16>, %dt: tensor<?xi8>) {
  // CHECK: loss.cosine_embedding %arg0, %arg0, %arg1 : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<f32>{{$}}
  %0 = loss.cosine_embedding %a, %a, %t {margin = 0.0 : f64}
      : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<f32>
  // Integer targets.
  // CHECK-NEXT: loss.cosine_embedding %arg0, %arg0, %arg2 {margin = 2.000000e-01 : f64, reduction = #loss.reduction<none>} : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<2xf32>{{$}}
  %1 = loss.cosine_embedding %a, %a, %ti {margin = 0.2 : f64, reduction = #loss.reduction<none>}
      : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<2xf32>
  // Unbatched [D] with a 0-d target.
  // CHECK-NEXT: loss.cosine_embedding %arg3, %arg3, %arg4 {reduction = #loss.reduction<none>} : (tensor<4xf64>, tensor<4xf64>, tensor<f64>) -> tensor<f64>{{$}}
  %2 = loss.cosine_embedding %u, %u, %ut {reduction = #loss.reduction<none>}
      : (tensor<4xf64>, tensor<4xf64>, tensor<f64>) -> tensor<f64>
  // CHECK-NEXT: loss.cosine_embedding %arg5, %arg5, %arg6 {reduction = #loss.reduction<sum>} : (tensor<?x?xf16>, tensor<?x?xf16>, tensor<?xi8>) -> tensor<f16>{{$}}
  %3 = loss.cosine_embedding %d, %d, %dt {reduction = #loss.reduction<sum>}
      : (tensor<?x?xf16>, tensor<?x?xf16>, tensor<?xi8>) -> tensor<f16>
  return
}

// CHECK-LABEL: func.func @triplet_margin
func.func @triplet_margin(%a: tensor<2x4xf32>, %u: tensor<4xbf16>, %d: tensor<?x?xf64>) {
  // CHECK: loss.triplet_margin %arg0, %arg0, %arg0 : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<f32>{{$}}
  %0 = loss.triplet_margin %a, %a, %a {margin = 1.0 : f64, p = 2.0 : f64, eps = 1.0e-6 : f64, swap = false}
      : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<f32>
  // CHECK-NEXT: loss.triplet_margin %arg0, %arg0, %arg0 {eps = 0.000000e+00 : f64, margin = 5.000000e-01 : f64, p = 1.000000e+00 : f64, reduction = #loss.reduction<none>, swap = true} : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2xf32>{{$}}
  %1 = loss.triplet_margin %a, %a, %a {margin = 0.5 : f64, p = 1.0 : f64, eps = 0.0 : f64, swap = true, reduction = #loss.reduction<none>}
      : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2xf32>
  // CHECK-NEXT: loss.triplet_margin %arg1, %arg1, %arg1 {p = 3.000000e+00 : f64, reduction = #loss.reduction<none>} : (tensor<4xbf16>, tensor<4xbf16>, tensor<4xbf16>) -> tensor<bf16>{{$}}
  %2 = loss.triplet_margin %u, %u, %u {p = 3.0 : f64, reduction = #loss.reduction<none>}
      : (tensor<4xbf16>, tensor<4xbf16>, tensor<4xbf16>) -> tensor<bf16>
  // CHECK-NEXT: loss.triplet_margin %arg2, %arg2, %arg2 {reduction = #loss.reduction<sum>} : (tensor<?x?xf64>, tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<f64>{{$}}
  %3 = loss.triplet_margin %d, %d, %d {reduction = #loss.reduction<sum>}
      : (tensor<?x?xf64>, tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<f64>
  return
}

//===----------------------------------------------------------------------===//
// Forms PyTorch 1.13 accepts beyond same-shaped float operands
//===----------------------------------------------------------------------===//

// Elementwise losses: integer targets and broadcasting (l1, mse, smooth_l1,
// huber, poisson_nll, kl_div, hinge_embedding broadcast both ways; the
// soft_margin target broadcasts to the input; margin_ranking keeps one rank).
// CHECK-LABEL: func.func @broadcast_and_integer_targets
func.func @broadcast_and_integer_targets(%x: tensor<3x4xf32>, %r: tensor<4xf32>,
    %c: tensor<3x1xf32>, %i: tensor<3x4xi64>, %b: tensor<4xi1>,
    %d: tensor<?x4xf32>, %s: tensor<f32>, %v: tensor<3xf32>) {
  // CHECK: loss.mse %arg0, %arg1 {reduction = #loss.reduction<none>} : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>{{$}}
  %0 = loss.mse %x, %r {reduction = #loss.reduction<none>} : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  // CHECK-NEXT: loss.l1 %arg2, %arg1 {reduction = #loss.reduction<none>} : (tensor<3x1xf32>, tensor<4xf32>) -> tensor<3x4xf32>{{$}}
  %1 = loss.l1 %c, %r {reduction = #loss.reduction<none>} : (tensor<3x1xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  // CHECK-NEXT: loss.smooth_l1 %arg0, %arg3 : (tensor<3x4xf32>, tensor<3x4xi64>) -> tensor<f32>{{$}}
  %2 = loss.smooth_l1 %x, %i : (tensor<3x4xf32>, tensor<3x4xi64>) -> tensor<f32>
  // CHECK-NEXT: loss.huber %arg6, %arg0 {reduction = #loss.reduction<none>} : (tensor<f32>, tensor<3x4xf32>) -> tensor<3x4xf32>{{$}}
  %3 = loss.huber %s, %x {reduction = #loss.reduction<none>} : (tensor<f32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  // CHECK-NEXT: loss.poisson_nll %arg5, %arg1 {reduction = #loss.reduction<none>} : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>{{$}}
  %4 = loss.poisson_nll %d, %r {reduction = #loss.reduction<none>} : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  // CHECK-NEXT: loss.kl_div %arg1, %arg0 {reduction = #loss.reduction<batchmean>} : (tensor<4xf32>, tensor<3x4xf32>) -> tensor<f32>{{$}}
  %5 = loss.kl_div %r, %x {reduction = #loss.reduction<batchmean>} : (tensor<4xf32>, tensor<3x4xf32>) -> tensor<f32>
  // CHECK-NEXT: loss.hinge_embedding %arg1, %arg4 : (tensor<4xf32>, tensor<4xi1>) -> tensor<f32>{{$}}
  %6 = loss.hinge_embedding %r, %b : (tensor<4xf32>, tensor<4xi1>) -> tensor<f32>
  // CHECK-NEXT: loss.soft_margin %arg0, %arg3 {reduction = #loss.reduction<none>} : (tensor<3x4xf32>, tensor<3x4xi64>) -> tensor<3x4xf32>{{$}}
  %7 = loss.soft_margin %x, %i {reduction = #loss.reduction<none>} : (tensor<3x4xf32>, tensor<3x4xi64>) -> tensor<3x4xf32>
  // CHECK-NEXT: loss.soft_margin %arg0, %arg6 : (tensor<3x4xf32>, tensor<f32>) -> tensor<f32>{{$}}
  %8 = loss.soft_margin %x, %s : (tensor<3x4xf32>, tensor<f32>) -> tensor<f32>
  // CHECK-NEXT: loss.margin_ranking %arg0, %arg2, %arg3 {reduction = #loss.reduction<none>} : (tensor<3x4xf32>, tensor<3x1xf32>, tensor<3x4xi64>) -> tensor<3x4xf32>{{$}}
  %9 = loss.margin_ranking %x, %c, %i {reduction = #loss.reduction<none>} : (tensor<3x4xf32>, tensor<3x1xf32>, tensor<3x4xi64>) -> tensor<3x4xf32>
  // CHECK-NEXT: loss.gaussian_nll %arg1, %arg0, %arg1 {reduction = #loss.reduction<none>} : (tensor<4xf32>, tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>{{$}}
  %10 = loss.gaussian_nll %r, %x, %r {reduction = #loss.reduction<none>} : (tensor<4xf32>, tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  // CHECK-NEXT: loss.gaussian_nll %arg2, %arg3, %arg7 : (tensor<3x1xf32>, tensor<3x4xi64>, tensor<3xf32>) -> tensor<f32>{{$}}
  %11 = loss.gaussian_nll %c, %i, %v : (tensor<3x1xf32>, tensor<3x4xi64>, tensor<3xf32>) -> tensor<f32>
  // CHECK-NEXT: loss.multilabel_soft_margin %arg0, %arg3 weight(%arg2) {reduction = #loss.reduction<none>} : (tensor<3x4xf32>, tensor<3x4xi64>, tensor<3x1xf32>) -> tensor<3xf32>{{$}}
  %12 = loss.multilabel_soft_margin %x, %i weight(%c) {reduction = #loss.reduction<none>} : (tensor<3x4xf32>, tensor<3x4xi64>, tensor<3x1xf32>) -> tensor<3xf32>
  // CHECK-NEXT: loss.multilabel_soft_margin %arg0, %arg1 : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<f32>{{$}}
  %13 = loss.multilabel_soft_margin %x, %r : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<f32>
  return
}

// multi_margin and multilabel_margin around one sample: 0-d inputs (one
// class), a [1] target of a [C] input, a 0-d target of a [1, C] input.
// CHECK-LABEL: func.func @single_sample_forms
func.func @single_sample_forms(%x: tensor<4xf32>, %t1: tensor<1xi64>,
    %row: tensor<1x4xf32>, %t0: tensor<i64>, %s: tensor<f32>, %o: tensor<1xf32>) {
  // CHECK: loss.multi_margin %arg0, %arg1 {reduction = #loss.reduction<none>} : (tensor<4xf32>, tensor<1xi64>) -> tensor<1xf32>{{$}}
  %0 = loss.multi_margin %x, %t1 {reduction = #loss.reduction<none>} : (tensor<4xf32>, tensor<1xi64>) -> tensor<1xf32>
  // CHECK-NEXT: loss.multi_margin %arg2, %arg3 {reduction = #loss.reduction<none>} : (tensor<1x4xf32>, tensor<i64>) -> tensor<f32>{{$}}
  %1 = loss.multi_margin %row, %t0 {reduction = #loss.reduction<none>} : (tensor<1x4xf32>, tensor<i64>) -> tensor<f32>
  // CHECK-NEXT: loss.multi_margin %arg4, %arg3 weight(%arg5) : (tensor<f32>, tensor<i64>, tensor<1xf32>) -> tensor<f32>{{$}}
  %2 = loss.multi_margin %s, %t0 weight(%o) : (tensor<f32>, tensor<i64>, tensor<1xf32>) -> tensor<f32>
  // CHECK-NEXT: loss.multilabel_margin %arg4, %arg3 {reduction = #loss.reduction<none>} : (tensor<f32>, tensor<i64>) -> tensor<f32>{{$}}
  %3 = loss.multilabel_margin %s, %t0 {reduction = #loss.reduction<none>} : (tensor<f32>, tensor<i64>) -> tensor<f32>
  // CHECK-NEXT: loss.multilabel_margin %arg4, %arg1 : (tensor<f32>, tensor<1xi64>) -> tensor<f32>{{$}}
  %4 = loss.multilabel_margin %s, %t1 : (tensor<f32>, tensor<1xi64>) -> tensor<f32>
  // CHECK-NEXT: loss.multilabel_margin %arg5, %arg3 {reduction = #loss.reduction<sum>} : (tensor<1xf32>, tensor<i64>) -> tensor<f32>{{$}}
  %5 = loss.multilabel_margin %o, %t0 {reduction = #loss.reduction<sum>} : (tensor<1xf32>, tensor<i64>) -> tensor<f32>
  return
}

// cosine_embedding: inputs broadcast together and the per-sample cosines
// with the target; triplet_margin: 0-d and K-dim inputs, broadcasting.
// CHECK-LABEL: func.func @embedding_broadcast_forms
func.func @embedding_broadcast_forms(%x: tensor<3x4xf32>, %row: tensor<1x4xf32>,
    %t1: tensor<1xi64>, %s: tensor<f64>, %k: tensor<2x3x4xf32>, %kr: tensor<2x1x4xf32>) {
  // CHECK: loss.cosine_embedding %arg0, %arg1, %arg2 {reduction = #loss.reduction<none>} : (tensor<3x4xf32>, tensor<1x4xf32>, tensor<1xi64>) -> tensor<3xf32>{{$}}
  %0 = loss.cosine_embedding %x, %row, %t1 {reduction = #loss.reduction<none>} : (tensor<3x4xf32>, tensor<1x4xf32>, tensor<1xi64>) -> tensor<3xf32>
  // CHECK-NEXT: loss.triplet_margin %arg3, %arg3, %arg3 {reduction = #loss.reduction<none>} : (tensor<f64>, tensor<f64>, tensor<f64>) -> tensor<f64>{{$}}
  %1 = loss.triplet_margin %s, %s, %s {reduction = #loss.reduction<none>} : (tensor<f64>, tensor<f64>, tensor<f64>) -> tensor<f64>
  // CHECK-NEXT: loss.triplet_margin %arg4, %arg5, %arg4 {reduction = #loss.reduction<none>, swap = true} : (tensor<2x3x4xf32>, tensor<2x1x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3xf32>{{$}}
  %2 = loss.triplet_margin %k, %kr, %k {swap = true, reduction = #loss.reduction<none>} : (tensor<2x3x4xf32>, tensor<2x1x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: loss.triplet_margin %arg0, %arg1, %arg0 : (tensor<3x4xf32>, tensor<1x4xf32>, tensor<3x4xf32>) -> tensor<f32>{{$}}
  %3 = loss.triplet_margin %x, %row, %x : (tensor<3x4xf32>, tensor<1x4xf32>, tensor<3x4xf32>) -> tensor<f32>
  return
}

// CHECK-LABEL: func.func @regression_grads
func.func @regression_grads(%x: tensor<4x5xf32>, %t: tensor<4x5xf32>, %g: tensor<f32>, %gn: tensor<4x5xf32>, %d: tensor<?xf64>, %dg: tensor<f64>) {
  // CHECK: loss.l1_grad %arg0, %arg1, %arg2 : (tensor<4x5xf32>, tensor<4x5xf32>, tensor<f32>) -> (tensor<4x5xf32>, tensor<4x5xf32>){{$}}
  %0:2 = loss.l1_grad %x, %t, %g {reduction = #loss.reduction<mean>} : (tensor<4x5xf32>, tensor<4x5xf32>, tensor<f32>) -> (tensor<4x5xf32>, tensor<4x5xf32>)
  // CHECK-NEXT: loss.mse_grad %arg0, %arg1, %arg3 {reduction = #loss.reduction<none>} : (tensor<4x5xf32>, tensor<4x5xf32>, tensor<4x5xf32>) -> (tensor<4x5xf32>, tensor<4x5xf32>){{$}}
  %1:2 = loss.mse_grad %x, %t, %gn {reduction = #loss.reduction<none>} : (tensor<4x5xf32>, tensor<4x5xf32>, tensor<4x5xf32>) -> (tensor<4x5xf32>, tensor<4x5xf32>)
  // CHECK-NEXT: loss.smooth_l1_grad %arg4, %arg4, %arg5 {beta = 0.000000e+00 : f64, reduction = #loss.reduction<sum>} : (tensor<?xf64>, tensor<?xf64>, tensor<f64>) -> (tensor<?xf64>, tensor<?xf64>){{$}}
  %2:2 = loss.smooth_l1_grad %d, %d, %dg {beta = 0.0 : f64, reduction = #loss.reduction<sum>} : (tensor<?xf64>, tensor<?xf64>, tensor<f64>) -> (tensor<?xf64>, tensor<?xf64>)
  // CHECK-NEXT: loss.huber_grad %arg0, %arg1, %arg2 {delta = 2.000000e+00 : f64} : (tensor<4x5xf32>, tensor<4x5xf32>, tensor<f32>) -> (tensor<4x5xf32>, tensor<4x5xf32>){{$}}
  %3:2 = "loss.huber_grad"(%x, %t, %g) {delta = 2.0 : f64} : (tensor<4x5xf32>, tensor<4x5xf32>, tensor<f32>) -> (tensor<4x5xf32>, tensor<4x5xf32>)
  return
}
