// loss.linear_cross_entropy and its gradient, one public function per form: static and
// dynamic shapes, f32/f64/bf16, with and without bias and class weights.
// Compiled by ../ptxas-linear-cross-entropy.test.

func.func @linear_cross_entropy(%h: tensor<70x32xf32>, %w: tensor<1037x32xf32>, %t: tensor<70xi64>) -> tensor<f32> {
  %r = loss.linear_cross_entropy %h, %w, %t : (tensor<70x32xf32>, tensor<1037x32xf32>, tensor<70xi64>) -> tensor<f32>
  return %r : tensor<f32>
}

func.func @linear_cross_entropy_bias_weight_smoothing(%h: tensor<?x?xf32>, %w: tensor<?x?xf32>, %t: tensor<?xi64>, %b: tensor<?xf32>, %cw: tensor<?xf32>) -> tensor<?xf32> {
  %r = loss.linear_cross_entropy %h, %w, %t bias(%b) class_weight(%cw) {label_smoothing = 0.1 : f64, reduction = #loss.reduction<none>} : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xi64>, tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}

func.func @linear_cross_entropy_f64(%h: tensor<8x16xf64>, %w: tensor<300x16xf64>, %t: tensor<8xi32>, %b: tensor<300xf64>) -> tensor<f64> {
  %r = loss.linear_cross_entropy %h, %w, %t bias(%b) {ignore_index = 3 : i64, reduction = #loss.reduction<sum>} : (tensor<8x16xf64>, tensor<300x16xf64>, tensor<8xi32>, tensor<300xf64>) -> tensor<f64>
  return %r : tensor<f64>
}

func.func @linear_cross_entropy_bf16(%h: tensor<8x16xbf16>, %w: tensor<300x16xbf16>, %t: tensor<8xi64>) -> tensor<bf16> {
  %r = loss.linear_cross_entropy %h, %w, %t : (tensor<8x16xbf16>, tensor<300x16xbf16>, tensor<8xi64>) -> tensor<bf16>
  return %r : tensor<bf16>
}

func.func @linear_cross_entropy_grad(%h: tensor<?x?xf32>, %w: tensor<?x?xf32>, %t: tensor<?xi64>, %b: tensor<?xf32>, %cw: tensor<?xf32>, %g: tensor<f32>) -> (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>) {
  %r:3 = loss.linear_cross_entropy_grad %h, %w, %t bias(%b) class_weight(%cw), %g {label_smoothing = 0.1 : f64} : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xi64>, tensor<?xf32>, tensor<?xf32>, tensor<f32>) -> (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>)
  return %r#0, %r#1, %r#2 : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>
}

func.func @linear_cross_entropy_grad_bf16(%h: tensor<8x16xbf16>, %w: tensor<300x16xbf16>, %t: tensor<8xi32>, %g: tensor<8xbf16>) -> (tensor<8x16xbf16>, tensor<300x16xbf16>) {
  %r:2 = loss.linear_cross_entropy_grad %h, %w, %t, %g {reduction = #loss.reduction<none>} : (tensor<8x16xbf16>, tensor<300x16xbf16>, tensor<8xi32>, tensor<8xbf16>) -> (tensor<8x16xbf16>, tensor<300x16xbf16>)
  return %r#0, %r#1 : tensor<8x16xbf16>, tensor<300x16xbf16>
}
