// loss.ctc_grad, one public function per form: padded and concatenated
// targets, batched and unbatched, every reduction, zero_infinity, f32, f64,
// f16 and bf16, static and dynamic shapes. Compiled by
// ../ptxas-ctc-grad.test.

func.func @ctc_grad_padded(%lp: tensor<50x4x20xf32>, %tg: tensor<4x10xi64>, %il: tensor<4xi64>, %tl: tensor<4xi64>, %g: tensor<4xf32>) -> tensor<50x4x20xf32> {
  %r = loss.ctc_grad %lp, %tg, %il, %tl, %g {reduction = #loss.reduction<none>} : (tensor<50x4x20xf32>, tensor<4x10xi64>, tensor<4xi64>, tensor<4xi64>, tensor<4xf32>) -> tensor<50x4x20xf32>
  return %r : tensor<50x4x20xf32>
}

func.func @ctc_grad_concat(%lp: tensor<?x?x?xf64>, %tg: tensor<?xi32>, %il: tensor<?xi32>, %tl: tensor<?xi32>, %g: tensor<f64>) -> tensor<?x?x?xf64> {
  %r = loss.ctc_grad %lp, %tg, %il, %tl, %g {blank = 3 : i64, zero_infinity = true} : (tensor<?x?x?xf64>, tensor<?xi32>, tensor<?xi32>, tensor<?xi32>, tensor<f64>) -> tensor<?x?x?xf64>
  return %r : tensor<?x?x?xf64>
}

func.func @ctc_grad_unbatched(%lp: tensor<30x8xf16>, %tg: tensor<5xi64>, %il: tensor<i64>, %tl: tensor<1xi64>, %g: tensor<f16>) -> tensor<30x8xf16> {
  %r = loss.ctc_grad %lp, %tg, %il, %tl, %g {reduction = #loss.reduction<sum>} : (tensor<30x8xf16>, tensor<5xi64>, tensor<i64>, tensor<1xi64>, tensor<f16>) -> tensor<30x8xf16>
  return %r : tensor<30x8xf16>
}

func.func @ctc_grad_bf16(%lp: tensor<?x3x?xbf16>, %tg: tensor<3x?xi64>, %il: tensor<3xi64>, %tl: tensor<3xi64>, %g: tensor<bf16>) -> tensor<?x3x?xbf16> {
  %r = loss.ctc_grad %lp, %tg, %il, %tl, %g : (tensor<?x3x?xbf16>, tensor<3x?xi64>, tensor<3xi64>, tensor<3xi64>, tensor<bf16>) -> tensor<?x3x?xbf16>
  return %r : tensor<?x3x?xbf16>
}
