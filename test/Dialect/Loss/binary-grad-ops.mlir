// RUN: loss-opt %s | loss-opt | FileCheck %s
// RUN: loss-opt %s --mlir-print-op-generic | loss-opt | FileCheck %s

// Round trip of the binary family's gradient ops (bce_grad,
// bce_with_logits_grad, poisson_nll_grad, gaussian_nll_grad, kl_div_grad):
// every optional operand and result, every attribute; defaults are elided.

// CHECK-LABEL: func.func @bce_grad
func.func @bce_grad(%x: tensor<4x3xf32>, %t: tensor<4x3xf32>, %w: tensor<3xf32>,
                    %g: tensor<f32>, %gn: tensor<4x3xf32>, %h: tensor<?xf16>,
                    %hg: tensor<?xf16>) {
  // CHECK: loss.bce_grad %arg0, %arg1, %arg3 : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>){{$}}
  %0:2 = loss.bce_grad %x, %t, %g : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>)
  // CHECK-NEXT: loss.bce_grad %arg0, %arg1 weight(%arg2), %arg4 {reduction = #loss.reduction<none>} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<3xf32>, tensor<4x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>){{$}}
  %1:2 = loss.bce_grad %x, %t weight(%w), %gn {reduction = #loss.reduction<none>} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<3xf32>, tensor<4x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>)
  // CHECK-NEXT: loss.bce_grad %arg5, %arg5, %arg6 {reduction = #loss.reduction<none>} : (tensor<?xf16>, tensor<?xf16>, tensor<?xf16>) -> (tensor<?xf16>, tensor<?xf16>){{$}}
  %2:2 = loss.bce_grad %h, %h, %hg {reduction = #loss.reduction<none>} : (tensor<?xf16>, tensor<?xf16>, tensor<?xf16>) -> (tensor<?xf16>, tensor<?xf16>)
  return
}

// CHECK-LABEL: func.func @bce_with_logits_grad
func.func @bce_with_logits_grad(%x: tensor<4x3xf64>, %t: tensor<4x3xf64>,
                                %w: tensor<4x1xf64>, %pw: tensor<3xf64>,
                                %g: tensor<f64>) {
  // CHECK: loss.bce_with_logits_grad %arg0, %arg1, %arg4 : (tensor<4x3xf64>, tensor<4x3xf64>, tensor<f64>) -> (tensor<4x3xf64>, tensor<4x3xf64>){{$}}
  %0:2 = loss.bce_with_logits_grad %x, %t, %g : (tensor<4x3xf64>, tensor<4x3xf64>, tensor<f64>) -> (tensor<4x3xf64>, tensor<4x3xf64>)
  // CHECK-NEXT: loss.bce_with_logits_grad %arg0, %arg1 pos_weight(%arg3), %arg4 {reduction = #loss.reduction<sum>} : (tensor<4x3xf64>, tensor<4x3xf64>, tensor<3xf64>, tensor<f64>) -> (tensor<4x3xf64>, tensor<4x3xf64>){{$}}
  %1:2 = loss.bce_with_logits_grad %x, %t pos_weight(%pw), %g {reduction = #loss.reduction<sum>} : (tensor<4x3xf64>, tensor<4x3xf64>, tensor<3xf64>, tensor<f64>) -> (tensor<4x3xf64>, tensor<4x3xf64>)
  // CHECK-NEXT: loss.bce_with_logits_grad %arg0, %arg1 weight(%arg2) pos_weight(%arg3), %arg4 : (tensor<4x3xf64>, tensor<4x3xf64>, tensor<4x1xf64>, tensor<3xf64>, tensor<f64>) -> (tensor<4x3xf64>, tensor<4x3xf64>){{$}}
  %2:2 = loss.bce_with_logits_grad %x, %t weight(%w) pos_weight(%pw), %g : (tensor<4x3xf64>, tensor<4x3xf64>, tensor<4x1xf64>, tensor<3xf64>, tensor<f64>) -> (tensor<4x3xf64>, tensor<4x3xf64>)
  // CHECK-NEXT: loss.bce_with_logits_grad %arg0, %arg1 weight(%arg2), %arg4 : (tensor<4x3xf64>, tensor<4x3xf64>, tensor<4x1xf64>, tensor<f64>) -> (tensor<4x3xf64>, tensor<4x3xf64>){{$}}
  %3:2 = loss.bce_with_logits_grad %x, %t weight(%w), %g : (tensor<4x3xf64>, tensor<4x3xf64>, tensor<4x1xf64>, tensor<f64>) -> (tensor<4x3xf64>, tensor<4x3xf64>)
  return
}

// CHECK-LABEL: func.func @poisson_nll_grad
func.func @poisson_nll_grad(%x: tensor<4x3xf32>, %t: tensor<3xf32>,
                            %ti: tensor<4x3xi64>, %g: tensor<f32>,
                            %gn: tensor<4x3xf32>) {
  // CHECK: loss.poisson_nll_grad %arg0, %arg1, %arg3 : (tensor<4x3xf32>, tensor<3xf32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<3xf32>){{$}}
  %0:2 = loss.poisson_nll_grad %x, %t, %g : (tensor<4x3xf32>, tensor<3xf32>, tensor<f32>) -> (tensor<4x3xf32>, tensor<3xf32>)
  // CHECK-NEXT: loss.poisson_nll_grad %arg0, %arg1, %arg4 {eps = 1.000000e-03 : f64, full = true, log_input = false, reduction = #loss.reduction<none>} : (tensor<4x3xf32>, tensor<3xf32>, tensor<4x3xf32>) -> (tensor<4x3xf32>, tensor<3xf32>){{$}}
  %1:2 = loss.poisson_nll_grad %x, %t, %gn {eps = 1.0e-3 : f64, full = true, log_input = false, reduction = #loss.reduction<none>} : (tensor<4x3xf32>, tensor<3xf32>, tensor<4x3xf32>) -> (tensor<4x3xf32>, tensor<3xf32>)
  // CHECK-NEXT: loss.poisson_nll_grad %arg0, %arg2, %arg3 {reduction = #loss.reduction<sum>} : (tensor<4x3xf32>, tensor<4x3xi64>, tensor<f32>) -> tensor<4x3xf32>{{$}}
  %2 = loss.poisson_nll_grad %x, %ti, %g {reduction = #loss.reduction<sum>} : (tensor<4x3xf32>, tensor<4x3xi64>, tensor<f32>) -> tensor<4x3xf32>
  return
}

// CHECK-LABEL: func.func @gaussian_nll_grad
func.func @gaussian_nll_grad(%x: tensor<4x3xbf16>, %t: tensor<4x3xbf16>,
                             %v: tensor<4xbf16>, %v1: tensor<4x1xbf16>,
                             %ti: tensor<4x3xi32>, %g: tensor<bf16>) {
  // CHECK: loss.gaussian_nll_grad %arg0, %arg1, %arg2, %arg5 : (tensor<4x3xbf16>, tensor<4x3xbf16>, tensor<4xbf16>, tensor<bf16>) -> (tensor<4x3xbf16>, tensor<4x3xbf16>, tensor<4xbf16>){{$}}
  %0:3 = loss.gaussian_nll_grad %x, %t, %v, %g : (tensor<4x3xbf16>, tensor<4x3xbf16>, tensor<4xbf16>, tensor<bf16>) -> (tensor<4x3xbf16>, tensor<4x3xbf16>, tensor<4xbf16>)
  // CHECK-NEXT: loss.gaussian_nll_grad %arg0, %arg1, %arg3, %arg5 {eps = 1.000000e-02 : f64, full = true, reduction = #loss.reduction<sum>} : (tensor<4x3xbf16>, tensor<4x3xbf16>, tensor<4x1xbf16>, tensor<bf16>) -> (tensor<4x3xbf16>, tensor<4x3xbf16>, tensor<4x1xbf16>){{$}}
  %1:3 = loss.gaussian_nll_grad %x, %t, %v1, %g {eps = 1.0e-2 : f64, full = true, reduction = #loss.reduction<sum>} : (tensor<4x3xbf16>, tensor<4x3xbf16>, tensor<4x1xbf16>, tensor<bf16>) -> (tensor<4x3xbf16>, tensor<4x3xbf16>, tensor<4x1xbf16>)
  // CHECK-NEXT: loss.gaussian_nll_grad %arg0, %arg4, %arg0, %arg5 : (tensor<4x3xbf16>, tensor<4x3xi32>, tensor<4x3xbf16>, tensor<bf16>) -> (tensor<4x3xbf16>, tensor<4x3xbf16>){{$}}
  %2:2 = loss.gaussian_nll_grad %x, %ti, %x, %g : (tensor<4x3xbf16>, tensor<4x3xi32>, tensor<4x3xbf16>, tensor<bf16>) -> (tensor<4x3xbf16>, tensor<4x3xbf16>)
  return
}

// CHECK-LABEL: func.func @kl_div_grad
func.func @kl_div_grad(%x: tensor<4x5xf32>, %t: tensor<2x4x5xf32>,
                       %g: tensor<f32>, %gn: tensor<2x4x5xf32>) {
  // CHECK: loss.kl_div_grad %arg0, %arg1, %arg2 : (tensor<4x5xf32>, tensor<2x4x5xf32>, tensor<f32>) -> (tensor<4x5xf32>, tensor<2x4x5xf32>){{$}}
  %0:2 = loss.kl_div_grad %x, %t, %g : (tensor<4x5xf32>, tensor<2x4x5xf32>, tensor<f32>) -> (tensor<4x5xf32>, tensor<2x4x5xf32>)
  // CHECK-NEXT: loss.kl_div_grad %arg0, %arg1, %arg2 {log_target = true, reduction = #loss.reduction<batchmean>} : (tensor<4x5xf32>, tensor<2x4x5xf32>, tensor<f32>) -> (tensor<4x5xf32>, tensor<2x4x5xf32>){{$}}
  %1:2 = loss.kl_div_grad %x, %t, %g {log_target = true, reduction = #loss.reduction<batchmean>} : (tensor<4x5xf32>, tensor<2x4x5xf32>, tensor<f32>) -> (tensor<4x5xf32>, tensor<2x4x5xf32>)
  // CHECK-NEXT: loss.kl_div_grad %arg0, %arg1, %arg3 {reduction = #loss.reduction<none>} : (tensor<4x5xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>) -> (tensor<4x5xf32>, tensor<2x4x5xf32>){{$}}
  %2:2 = loss.kl_div_grad %x, %t, %gn {reduction = #loss.reduction<none>} : (tensor<4x5xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>) -> (tensor<4x5xf32>, tensor<2x4x5xf32>)
  return
}
