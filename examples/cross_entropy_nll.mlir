// Cross entropy of a batch of 4 rows of logits over 5 classes, written the
// way front ends emit it (log_softmax then nll): loss-mlir fuses the two into
// one streaming softmax_cross_entropy, lowers it to LLVM, and runs it.
// PyTorch 1.13: F.cross_entropy(logits, target) = 1.1155339479446411

func.func private @printMemrefF32(tensor<*xf32>)

func.func @main() {
  %logits = arith.constant dense<[[ 1.5, -0.3,  2.2,  0.0,  0.7],
                                  [-1.2,  0.4,  0.9,  3.1, -0.5],
                                  [ 0.3,  0.3,  0.3,  0.3,  0.3],
                                  [ 2.0, -2.0,  1.0, -1.0,  0.5]]> : tensor<4x5xf32>
  %target = arith.constant dense<[2, 3, 0, 4]> : tensor<4xi64>
  %logp = loss.log_softmax %logits {axis = 1 : i64} : tensor<4x5xf32>
  %loss = loss.nll %logp, %target : (tensor<4x5xf32>, tensor<4xi64>) -> tensor<f32>
  %u = tensor.cast %loss : tensor<f32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}
