// An integer past i64 in broadcast's dimensions.
func.func @f(%a: tensor<3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = linalg.broadcast ins(%a : tensor<3xf32>) outs(%b : tensor<2x3xf32>) dimensions = [99999999999999999999]
  return %0 : tensor<2x3xf32>
}
