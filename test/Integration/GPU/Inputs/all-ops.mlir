// Every op of the loss dialect, one public function each (the cross-entropy
// variants separately), over a mix of element types, static and dynamic
// shapes and reductions. Compiled by ../nvvm-all-ops.test and
// ../ptxas-all-ops.test.

func.func @log_softmax(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %r = loss.log_softmax %x : tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

func.func @nll(%x: tensor<4x10x3xf16>, %t: tensor<4x3xi64>, %w: tensor<10xf16>) -> tensor<f16> {
  %r = loss.nll %x, %t weight(%w) {ignore_index = 2 : i64} : (tensor<4x10x3xf16>, tensor<4x3xi64>, tensor<10xf16>) -> tensor<f16>
  return %r : tensor<f16>
}

func.func @softmax_cross_entropy(%x: tensor<?x?xf32>, %t: tensor<?xi64>, %w: tensor<?xf32>) -> tensor<f32> {
  %r = loss.softmax_cross_entropy %x, %t weight(%w) {label_smoothing = 0.1 : f64} : (tensor<?x?xf32>, tensor<?xi64>, tensor<?xf32>) -> tensor<f32>
  return %r : tensor<f32>
}

func.func @softmax_cross_entropy_log_prob(%x: tensor<2x3x7xbf16>, %t: tensor<2x7xi32>) -> (tensor<2x7xbf16>, tensor<2x3x7xbf16>) {
  %r, %lp = loss.softmax_cross_entropy %x, %t {reduction = #loss.reduction<none>} : (tensor<2x3x7xbf16>, tensor<2x7xi32>) -> (tensor<2x7xbf16>, tensor<2x3x7xbf16>)
  return %r, %lp : tensor<2x7xbf16>, tensor<2x3x7xbf16>
}

func.func @softmax_cross_entropy_probabilities(%x: tensor<8x5xf64>, %p: tensor<8x5xf64>, %w: tensor<5xf64>) -> tensor<f64> {
  %r = loss.softmax_cross_entropy %x, %p weight(%w) {label_smoothing = 0.25 : f64} : (tensor<8x5xf64>, tensor<8x5xf64>, tensor<5xf64>) -> tensor<f64>
  return %r : tensor<f64>
}

func.func @ctc(%lp: tensor<?x?x?xf32>, %tg: tensor<?x?xi64>, %il: tensor<?xi64>, %tl: tensor<?xi64>) -> tensor<f32> {
  %r = loss.ctc %lp, %tg, %il, %tl {zero_infinity = true} : (tensor<?x?x?xf32>, tensor<?x?xi64>, tensor<?xi64>, tensor<?xi64>) -> tensor<f32>
  return %r : tensor<f32>
}

func.func @bce(%x: tensor<4x3xf32>, %t: tensor<4x3xf32>, %w: tensor<1x3xf32>) -> tensor<f32> {
  %r = loss.bce %x, %t weight(%w) {reduction = #loss.reduction<sum>} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<1x3xf32>) -> tensor<f32>
  return %r : tensor<f32>
}

func.func @bce_with_logits(%x: tensor<?x?xf16>, %t: tensor<?x?xf16>, %pw: tensor<?xf16>) -> tensor<?x?xf16> {
  %r = loss.bce_with_logits %x, %t pos_weight(%pw) {reduction = #loss.reduction<none>} : (tensor<?x?xf16>, tensor<?x?xf16>, tensor<?xf16>) -> tensor<?x?xf16>
  return %r : tensor<?x?xf16>
}

func.func @l1(%a: tensor<2x?xf64>, %b: tensor<2x?xf64>) -> tensor<f64> {
  %r = loss.l1 %a, %b : (tensor<2x?xf64>, tensor<2x?xf64>) -> tensor<f64>
  return %r : tensor<f64>
}

func.func @mse(%a: tensor<1000x1000xf32>, %b: tensor<1000x1000xf32>) -> tensor<f32> {
  %r = loss.mse %a, %b : (tensor<1000x1000xf32>, tensor<1000x1000xf32>) -> tensor<f32>
  return %r : tensor<f32>
}

func.func @smooth_l1(%a: tensor<8xbf16>, %b: tensor<8xbf16>) -> tensor<bf16> {
  %r = loss.smooth_l1 %a, %b {beta = 0.5 : f64} : (tensor<8xbf16>, tensor<8xbf16>) -> tensor<bf16>
  return %r : tensor<bf16>
}

func.func @huber(%a: tensor<3x3xf16>, %b: tensor<3x3xf16>) -> tensor<3x3xf16> {
  %r = loss.huber %a, %b {delta = 2.5 : f64, reduction = #loss.reduction<none>} : (tensor<3x3xf16>, tensor<3x3xf16>) -> tensor<3x3xf16>
  return %r : tensor<3x3xf16>
}

func.func @poisson_nll(%x: tensor<?xf32>, %t: tensor<?xf32>) -> tensor<f32> {
  %r = loss.poisson_nll %x, %t {log_input = false, full = true, eps = 1.0e-3 : f64} : (tensor<?xf32>, tensor<?xf32>) -> tensor<f32>
  return %r : tensor<f32>
}

func.func @gaussian_nll(%x: tensor<4x3xf32>, %t: tensor<4x3xf32>, %v: tensor<4x1xf32>) -> tensor<f32> {
  %r = loss.gaussian_nll %x, %t, %v {full = true, eps = 1.0e-2 : f64} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<f32>
  return %r : tensor<f32>
}

func.func @kl_div(%x: tensor<?x5xf64>, %t: tensor<?x5xf64>) -> tensor<f64> {
  %r = loss.kl_div %x, %t {log_target = true, reduction = #loss.reduction<batchmean>} : (tensor<?x5xf64>, tensor<?x5xf64>) -> tensor<f64>
  return %r : tensor<f64>
}

func.func @margin_ranking(%a: tensor<?xf16>, %b: tensor<?xf16>, %y: tensor<?xf16>) -> tensor<f16> {
  %r = loss.margin_ranking %a, %b, %y {margin = 0.5 : f64} : (tensor<?xf16>, tensor<?xf16>, tensor<?xf16>) -> tensor<f16>
  return %r : tensor<f16>
}

func.func @hinge_embedding(%x: tensor<2x4xf64>, %y: tensor<2x4xf64>) -> tensor<2x4xf64> {
  %r = loss.hinge_embedding %x, %y {margin = 2.0 : f64, reduction = #loss.reduction<none>} : (tensor<2x4xf64>, tensor<2x4xf64>) -> tensor<2x4xf64>
  return %r : tensor<2x4xf64>
}

func.func @soft_margin(%x: tensor<2x?xf32>, %y: tensor<2x?xf32>) -> tensor<f32> {
  %r = loss.soft_margin %x, %y : (tensor<2x?xf32>, tensor<2x?xf32>) -> tensor<f32>
  return %r : tensor<f32>
}

func.func @multilabel_margin(%x: tensor<?x?xbf16>, %t: tensor<?x?xi32>) -> tensor<bf16> {
  %r = loss.multilabel_margin %x, %t {reduction = #loss.reduction<sum>} : (tensor<?x?xbf16>, tensor<?x?xi32>) -> tensor<bf16>
  return %r : tensor<bf16>
}

func.func @multilabel_soft_margin(%x: tensor<2x4xf32>, %y: tensor<2x4xf32>, %w: tensor<4xf32>) -> tensor<2xf32> {
  %r = loss.multilabel_soft_margin %x, %y weight(%w) {reduction = #loss.reduction<none>} : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<4xf32>) -> tensor<2xf32>
  return %r : tensor<2xf32>
}

func.func @multi_margin(%x: tensor<?x?xf64>, %t: tensor<?xi16>, %w: tensor<?xf64>) -> tensor<f64> {
  %r = loss.multi_margin %x, %t weight(%w) {p = 2 : i64, margin = 0.5 : f64} : (tensor<?x?xf64>, tensor<?xi16>, tensor<?xf64>) -> tensor<f64>
  return %r : tensor<f64>
}

func.func @cosine_embedding(%a: tensor<?x?xf16>, %b: tensor<?x?xf16>, %y: tensor<?xi8>) -> tensor<f16> {
  %r = loss.cosine_embedding %a, %b, %y {margin = 0.2 : f64, reduction = #loss.reduction<sum>} : (tensor<?x?xf16>, tensor<?x?xf16>, tensor<?xi8>) -> tensor<f16>
  return %r : tensor<f16>
}

func.func @triplet_margin(%a: tensor<?x?xf32>, %p: tensor<?x?xf32>, %n: tensor<?x?xf32>) -> tensor<f32> {
  %r = loss.triplet_margin %a, %p, %n {margin = 1.0 : f64, p = 3.0 : f64, eps = 1.0e-6 : f64, swap = true} : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<f32>
  return %r : tensor<f32>
}

func.func @l1_grad(%x: tensor<?x?xf32>, %t: tensor<?x?xf32>, %g: tensor<f32>) -> (tensor<?x?xf32>, tensor<?x?xf32>) {
  %gx, %gt = loss.l1_grad %x, %t, %g : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<f32>) -> (tensor<?x?xf32>, tensor<?x?xf32>)
  return %gx, %gt : tensor<?x?xf32>, tensor<?x?xf32>
}

func.func @mse_grad(%x: tensor<?xf64>, %t: tensor<?xf64>, %g: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>) {
  %gx, %gt = loss.mse_grad %x, %t, %g {reduction = #loss.reduction<none>} : (tensor<?xf64>, tensor<?xf64>, tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>)
  return %gx, %gt : tensor<?xf64>, tensor<?xf64>
}

func.func @smooth_l1_grad(%x: tensor<8x16xbf16>, %t: tensor<8x16xbf16>, %g: tensor<bf16>) -> (tensor<8x16xbf16>, tensor<8x16xbf16>) {
  %gx, %gt = loss.smooth_l1_grad %x, %t, %g {beta = 0.5 : f64, reduction = #loss.reduction<sum>} : (tensor<8x16xbf16>, tensor<8x16xbf16>, tensor<bf16>) -> (tensor<8x16xbf16>, tensor<8x16xbf16>)
  return %gx, %gt : tensor<8x16xbf16>, tensor<8x16xbf16>
}

func.func @huber_grad(%x: tensor<?xf16>, %t: tensor<?xf16>, %g: tensor<f16>) -> (tensor<?xf16>, tensor<?xf16>) {
  %gx, %gt = loss.huber_grad %x, %t, %g {delta = 2.0 : f64} : (tensor<?xf16>, tensor<?xf16>, tensor<f16>) -> (tensor<?xf16>, tensor<?xf16>)
  return %gx, %gt : tensor<?xf16>, tensor<?xf16>
}
