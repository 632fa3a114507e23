// Cross entropy with dynamic batch and class counts, label smoothing and
// ignore_index: the function test/Compile/c-api-dynamic.test compiles.
func.func @cross_entropy(%logits: tensor<?x?xf32> {onnx.name = "logits"},
                         %target: tensor<?xi64> {onnx.name = "target"})
    -> (tensor<f32> {onnx.name = "loss"}) {
  %0 = loss.softmax_cross_entropy %logits, %target
      {ignore_index = 1 : i64, label_smoothing = 0.1 : f64}
      : (tensor<?x?xf32>, tensor<?xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// Per-sample values: the result's dim is the input's.
func.func @per_sample(%x: tensor<?xf64> {onnx.name = "x"},
                      %y: tensor<?xf64> {onnx.name = "y"})
    -> (tensor<?xf64> {onnx.name = "loss"}) {
  %0 = loss.smooth_l1 %x, %y {beta = 0.5 : f64, reduction = #loss.reduction<none>}
      : (tensor<?xf64>, tensor<?xf64>) -> tensor<?xf64>
  return %0 : tensor<?xf64>
}
