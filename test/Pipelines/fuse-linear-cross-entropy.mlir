// The CPU pipeline forms loss.linear_cross_entropy from a matmul feeding
// cross entropy before it lowers anything, so the N x V logits (here
// 64 x 1000, more than one vocabulary tile) never exist.
// RUN: loss-opt %s --loss-lower-to-llvm -o /dev/null \
// RUN:   --mlir-print-ir-after=loss-fuse-linear-cross-entropy 2>&1 | FileCheck %s
// RUN: loss-opt %s --loss-lower-to-llvm -o /dev/null \
// RUN:   --mlir-print-ir-after=convert-loss-to-linalg 2>&1 \
// RUN: | FileCheck %s --check-prefix=LINALG

// CHECK-LABEL: func.func @lm_head
// CHECK-NOT:     linalg.matmul
// CHECK:         loss.linear_cross_entropy %arg0, %arg1, %arg2 bias(%arg3)
// CHECK-NOT:     tensor<64x1000xf32>

// LINALG-LABEL: func.func @lm_head
// LINALG-NOT:   tensor<64x1000xf32>
// LINALG:       return
func.func @lm_head(%h: tensor<64x32xf32>, %w: tensor<1000x32xf32>,
                   %t: tensor<64xi64>, %b: tensor<1000xf32>) -> tensor<f32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x1000xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<64x1000xf32>) -> tensor<64x1000xf32>
  %x = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>,
                                      affine_map<(d0, d1, d2) -> (d1, d2)>,
                                      affine_map<(d0, d1, d2) -> (d0, d1)>]
       ins(%h, %w : tensor<64x32xf32>, tensor<1000x32xf32>)
       outs(%f : tensor<64x1000xf32>) -> tensor<64x1000xf32>
  %be = tensor.empty() : tensor<64x1000xf32>
  %bb = linalg.broadcast ins(%b : tensor<1000xf32>) outs(%be : tensor<64x1000xf32>) dimensions = [0]
  %ae = tensor.empty() : tensor<64x1000xf32>
  %xb = linalg.add ins(%x, %bb : tensor<64x1000xf32>, tensor<64x1000xf32>)
        outs(%ae : tensor<64x1000xf32>) -> tensor<64x1000xf32>
  %l = loss.softmax_cross_entropy %xb, %t : (tensor<64x1000xf32>, tensor<64xi64>) -> tensor<f32>
  return %l : tensor<f32>
}
