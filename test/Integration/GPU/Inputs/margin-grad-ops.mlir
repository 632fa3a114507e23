// The margin family's gradient ops, one public function each, over a mix of
// element types, static and dynamic shapes, reductions, options and
// broadcast operands (whose gradients are summed back). Compiled by
// ../ptxas-margin-grad.test.

func.func @margin_ranking_grad(%a: tensor<?x1xf32>, %b: tensor<1x?xf32>, %t: tensor<?x?xf32>, %g: tensor<f32>) -> (tensor<?x1xf32>, tensor<1x?xf32>) {
  %ga, %gb = loss.margin_ranking_grad %a, %b, %t, %g {margin = 0.5 : f64} : (tensor<?x1xf32>, tensor<1x?xf32>, tensor<?x?xf32>, tensor<f32>) -> (tensor<?x1xf32>, tensor<1x?xf32>)
  return %ga, %gb : tensor<?x1xf32>, tensor<1x?xf32>
}

func.func @hinge_embedding_grad(%x: tensor<8x5xf16>, %t: tensor<8x5xi64>, %g: tensor<8x5xf16>) -> tensor<8x5xf16> {
  %gx = loss.hinge_embedding_grad %x, %t, %g {reduction = #loss.reduction<none>} : (tensor<8x5xf16>, tensor<8x5xi64>, tensor<8x5xf16>) -> tensor<8x5xf16>
  return %gx : tensor<8x5xf16>
}

func.func @soft_margin_grad(%x: tensor<?x?xf64>, %t: tensor<?xf64>, %g: tensor<f64>) -> tensor<?x?xf64> {
  %gx = loss.soft_margin_grad %x, %t, %g : (tensor<?x?xf64>, tensor<?xf64>, tensor<f64>) -> tensor<?x?xf64>
  return %gx : tensor<?x?xf64>
}

func.func @multilabel_margin_grad(%x: tensor<?x?xf32>, %t: tensor<?x?xi64>, %g: tensor<?xf32>) -> tensor<?x?xf32> {
  %gx = loss.multilabel_margin_grad %x, %t, %g {reduction = #loss.reduction<none>} : (tensor<?x?xf32>, tensor<?x?xi64>, tensor<?xf32>) -> tensor<?x?xf32>
  return %gx : tensor<?x?xf32>
}

func.func @multilabel_soft_margin_grad(%x: tensor<4x6xbf16>, %t: tensor<4x6xbf16>, %w: tensor<6xbf16>, %g: tensor<bf16>) -> tensor<4x6xbf16> {
  %gx = loss.multilabel_soft_margin_grad %x, %t weight(%w), %g : (tensor<4x6xbf16>, tensor<4x6xbf16>, tensor<6xbf16>, tensor<bf16>) -> tensor<4x6xbf16>
  return %gx : tensor<4x6xbf16>
}

func.func @multi_margin_grad(%x: tensor<?x?xf32>, %t: tensor<?xi64>, %w: tensor<?xf32>, %g: tensor<f32>) -> tensor<?x?xf32> {
  %gx = loss.multi_margin_grad %x, %t weight(%w), %g {p = 2 : i64, margin = 0.5 : f64} : (tensor<?x?xf32>, tensor<?xi64>, tensor<?xf32>, tensor<f32>) -> tensor<?x?xf32>
  return %gx : tensor<?x?xf32>
}

func.func @cosine_embedding_grad(%a: tensor<?x16xf32>, %b: tensor<?x16xf32>, %t: tensor<?xi64>, %g: tensor<?xf32>) -> (tensor<?x16xf32>, tensor<?x16xf32>) {
  %ga, %gb = loss.cosine_embedding_grad %a, %b, %t, %g {reduction = #loss.reduction<none>} : (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?xi64>, tensor<?xf32>) -> (tensor<?x16xf32>, tensor<?x16xf32>)
  return %ga, %gb : tensor<?x16xf32>, tensor<?x16xf32>
}

func.func @cosine_embedding_grad_broadcast(%a: tensor<8x16xf16>, %b: tensor<1x16xf16>, %t: tensor<8xf16>, %g: tensor<f16>) -> (tensor<8x16xf16>, tensor<1x16xf16>) {
  %ga, %gb = loss.cosine_embedding_grad %a, %b, %t, %g {margin = 0.25 : f64} : (tensor<8x16xf16>, tensor<1x16xf16>, tensor<8xf16>, tensor<f16>) -> (tensor<8x16xf16>, tensor<1x16xf16>)
  return %ga, %gb : tensor<8x16xf16>, tensor<1x16xf16>
}

func.func @triplet_margin_grad(%a: tensor<?x?xf32>, %p: tensor<?x?xf32>, %n: tensor<?x?xf32>, %g: tensor<f32>) -> (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) {
  %ga, %gp, %gn = loss.triplet_margin_grad %a, %p, %n, %g {swap = true} : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<f32>) -> (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>)
  return %ga, %gp, %gn : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>
}

func.func @triplet_margin_grad_pnorm(%a: tensor<8x16xf64>, %p: tensor<1x16xf64>, %n: tensor<8x1xf64>, %g: tensor<8xf64>) -> (tensor<8x16xf64>, tensor<1x16xf64>, tensor<8x1xf64>) {
  %ga, %gp, %gn = loss.triplet_margin_grad %a, %p, %n, %g {p = 3.0 : f64, swap = true, reduction = #loss.reduction<none>} : (tensor<8x16xf64>, tensor<1x16xf64>, tensor<8x1xf64>, tensor<8xf64>) -> (tensor<8x16xf64>, tensor<1x16xf64>, tensor<8x1xf64>)
  return %ga, %gp, %gn : tensor<8x16xf64>, tensor<1x16xf64>, tensor<8x1xf64>
}

func.func @triplet_margin_grad_inf(%a: tensor<8x16xf32>, %p: tensor<8x16xf32>, %n: tensor<8x16xf32>, %g: tensor<f32>) -> (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>) {
  %ga, %gp, %gn = loss.triplet_margin_grad %a, %p, %n, %g {p = 0x7FF0000000000000 : f64, reduction = #loss.reduction<sum>} : (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<f32>) -> (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>)
  return %ga, %gp, %gn : tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>
}
