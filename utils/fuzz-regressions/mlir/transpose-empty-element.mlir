// MLIR 22's linalg.transpose parser stores a null permutation for a list
// it cannot parse (a segfault in mlir-opt itself); the fuzzer skips it.
func.func @f(%a: tensor<2x3xf32>, %b: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %0 = linalg.transpose ins(%a : tensor<2x3xf32>) outs(%b : tensor<3x2xf32>) permutation = [1,,0]
  return %0 : tensor<3x2xf32>
}
