// The binary family's gradient ops, one public function each, over a mix
// of element types, static and dynamic shapes, reductions, options and
// broadcast operands (whose gradients are summed back: partial sums over
// rows and full sums into one element). Compiled by
// ../ptxas-binary-grad.test.

func.func @bce_grad(%x: tensor<?x?xf32>, %t: tensor<?x?xf32>, %w: tensor<?xf32>, %g: tensor<f32>) -> (tensor<?x?xf32>, tensor<?x?xf32>) {
  %gx, %gt = loss.bce_grad %x, %t weight(%w), %g : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>, tensor<f32>) -> (tensor<?x?xf32>, tensor<?x?xf32>)
  return %gx, %gt : tensor<?x?xf32>, tensor<?x?xf32>
}

func.func @bce_with_logits_grad(%x: tensor<8x5xf16>, %t: tensor<8x5xf16>, %w: tensor<8x1xf16>, %pw: tensor<5xf16>, %g: tensor<8x5xf16>) -> (tensor<8x5xf16>, tensor<8x5xf16>) {
  %gx, %gt = loss.bce_with_logits_grad %x, %t weight(%w) pos_weight(%pw), %g {reduction = #loss.reduction<none>} : (tensor<8x5xf16>, tensor<8x5xf16>, tensor<8x1xf16>, tensor<5xf16>, tensor<8x5xf16>) -> (tensor<8x5xf16>, tensor<8x5xf16>)
  return %gx, %gt : tensor<8x5xf16>, tensor<8x5xf16>
}

func.func @poisson_nll_grad(%x: tensor<?x5xf32>, %t: tensor<5xf32>, %g: tensor<f32>) -> (tensor<?x5xf32>, tensor<5xf32>) {
  %gx, %gt = loss.poisson_nll_grad %x, %t, %g {full = true, log_input = false} : (tensor<?x5xf32>, tensor<5xf32>, tensor<f32>) -> (tensor<?x5xf32>, tensor<5xf32>)
  return %gx, %gt : tensor<?x5xf32>, tensor<5xf32>
}

func.func @poisson_nll_grad_int_target(%x: tensor<16xf64>, %t: tensor<16xi64>, %g: tensor<f64>) -> tensor<16xf64> {
  %gx = loss.poisson_nll_grad %x, %t, %g {reduction = #loss.reduction<sum>} : (tensor<16xf64>, tensor<16xi64>, tensor<f64>) -> tensor<16xf64>
  return %gx : tensor<16xf64>
}

func.func @gaussian_nll_grad(%x: tensor<?x?xbf16>, %t: tensor<?x?xbf16>, %v: tensor<?xbf16>, %g: tensor<bf16>) -> (tensor<?x?xbf16>, tensor<?x?xbf16>, tensor<?xbf16>) {
  %gx, %gt, %gv = loss.gaussian_nll_grad %x, %t, %v, %g {full = true} : (tensor<?x?xbf16>, tensor<?x?xbf16>, tensor<?xbf16>, tensor<bf16>) -> (tensor<?x?xbf16>, tensor<?x?xbf16>, tensor<?xbf16>)
  return %gx, %gt, %gv : tensor<?x?xbf16>, tensor<?x?xbf16>, tensor<?xbf16>
}

func.func @gaussian_nll_grad_scalar_var(%x: tensor<64xf32>, %t: tensor<64xf32>, %v: tensor<f32>, %g: tensor<64xf32>) -> (tensor<64xf32>, tensor<64xf32>, tensor<f32>) {
  %gx, %gt, %gv = loss.gaussian_nll_grad %x, %t, %v, %g {reduction = #loss.reduction<none>} : (tensor<64xf32>, tensor<64xf32>, tensor<f32>, tensor<64xf32>) -> (tensor<64xf32>, tensor<64xf32>, tensor<f32>)
  return %gx, %gt, %gv : tensor<64xf32>, tensor<64xf32>, tensor<f32>
}

func.func @kl_div_grad(%x: tensor<?x?xf32>, %t: tensor<?x?xf32>, %g: tensor<f32>) -> (tensor<?x?xf32>, tensor<?x?xf32>) {
  %gx, %gt = loss.kl_div_grad %x, %t, %g {reduction = #loss.reduction<batchmean>} : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<f32>) -> (tensor<?x?xf32>, tensor<?x?xf32>)
  return %gx, %gt : tensor<?x?xf32>, tensor<?x?xf32>
}

func.func @kl_div_grad_broadcast(%x: tensor<5xf64>, %t: tensor<4x1x5xf64>, %g: tensor<f64>) -> (tensor<5xf64>, tensor<4x1x5xf64>) {
  %gx, %gt = loss.kl_div_grad %x, %t, %g {log_target = true} : (tensor<5xf64>, tensor<4x1x5xf64>, tensor<f64>) -> (tensor<5xf64>, tensor<4x1x5xf64>)
  return %gx, %gt : tensor<5xf64>, tensor<4x1x5xf64>
}
