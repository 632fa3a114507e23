// The softmax family's gradient ops, one public function each, over a mix
// of element types, static and dynamic shapes, reductions and options.
// Compiled by ../ptxas-softmax-grad.test.

func.func @log_softmax_grad(%y: tensor<?x?xf32>, %g: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %r = loss.log_softmax_grad %y, %g {axis = 1 : i64} : tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

func.func @nll_grad(%x: tensor<4x10x3xf16>, %t: tensor<4x3xi64>, %w: tensor<10xf16>, %g: tensor<f16>) -> tensor<4x10x3xf16> {
  %r = loss.nll_grad %x, %t weight(%w), %g {ignore_index = 2 : i64} : (tensor<4x10x3xf16>, tensor<4x3xi64>, tensor<10xf16>, tensor<f16>) -> tensor<4x10x3xf16>
  return %r : tensor<4x10x3xf16>
}

func.func @softmax_cross_entropy_grad(%x: tensor<?x?xf32>, %t: tensor<?xi64>, %w: tensor<?xf32>, %g: tensor<f32>) -> tensor<?x?xf32> {
  %r = loss.softmax_cross_entropy_grad %x, %t weight(%w), %g {label_smoothing = 0.1 : f64} : (tensor<?x?xf32>, tensor<?xi64>, tensor<?xf32>, tensor<f32>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

func.func @softmax_cross_entropy_grad_fused(%x: tensor<2x3x7xbf16>, %t: tensor<2x7xi32>, %g: tensor<2x7xbf16>) -> (tensor<2x3x7xbf16>, tensor<2x7xbf16>) {
  %r, %l = loss.softmax_cross_entropy_grad %x, %t, %g {reduction = #loss.reduction<none>} : (tensor<2x3x7xbf16>, tensor<2x7xi32>, tensor<2x7xbf16>) -> (tensor<2x3x7xbf16>, tensor<2x7xbf16>)
  return %r, %l : tensor<2x3x7xbf16>, tensor<2x7xbf16>
}

func.func @softmax_cross_entropy_grad_probabilities(%x: tensor<8x50xf64>, %p: tensor<8x50xf64>, %w: tensor<50xf64>, %g: tensor<f64>) -> tensor<8x50xf64> {
  %r = loss.softmax_cross_entropy_grad %x, %p weight(%w), %g {label_smoothing = 0.25 : f64, reduction = #loss.reduction<sum>} : (tensor<8x50xf64>, tensor<8x50xf64>, tensor<50xf64>, tensor<f64>) -> tensor<8x50xf64>
  return %r : tensor<8x50xf64>
}
