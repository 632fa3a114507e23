// RUN: loss-opt %s --convert-loss-to-linalg="vector-bits=256" --cse | FileCheck %s
// RUN: loss-opt %s --convert-loss-to-linalg | FileCheck %s --check-prefix=SCALAR

// Rows of contiguous classes in explicit vectors of the requested width: one
// generic over the rows whose body walks the row in blocks (a max loop, one
// rebase, an exp loop with one exp per vector), a masked tail vector (5003 = 625 * 8 + 3), a lane
// merge, and the target logit read once (only when in range). The logits
// are read in place: no tensor of their size is made.

// CHECK-LABEL: func.func @ce_f32
// CHECK-NOT:     tensor.empty() : tensor<64x5003xf32>
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel"]
// CHECK:           scf.for
// CHECK:             scf.for
// CHECK:               vector.transfer_read %{{.*}} {in_bounds = [true]} : tensor<64x5003xf32>, vector<8xf32>
// CHECK-NOT:           math.exp
// CHECK:               scf.yield
// CHECK:             math.exp {{.*}} : vector<8xf32>
// CHECK:             scf.for
// CHECK:               vector.transfer_read %{{.*}} {in_bounds = [true]} : tensor<64x5003xf32>, vector<8xf32>
// CHECK:               math.exp {{.*}} : vector<8xf32>
// CHECK-NOT:           math.exp
// CHECK:               scf.yield
// CHECK:           vector.create_mask
// CHECK:           vector.transfer_read %{{.*}} : tensor<64x5003xf32>, vector<8xf32>
// CHECK:           vector.reduction <maximumf>
// CHECK:           vector.reduction <add>
// CHECK:           scf.if
// CHECK:             tensor.extract %{{.*}} : tensor<64x5003xf32>
// CHECK:           linalg.yield
// SCALAR-LABEL: func.func @ce_f32
// SCALAR-NOT:     vector.
func.func @ce_f32(%x: tensor<64x5003xf32>, %t: tensor<64xi64>) -> tensor<f32> {
  %l = loss.softmax_cross_entropy %x, %t : (tensor<64x5003xf32>, tensor<64xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// Narrow types are read as they are and accumulate in f32; a multiple of the
// lanes has no tail.
// CHECK-LABEL: func.func @ce_bf16
// CHECK:         vector.transfer_read {{.*}} : tensor<16x1024xbf16>, vector<8xbf16>
// CHECK:         arith.extf {{.*}} : vector<8xbf16> to vector<8xf32>
// CHECK-NOT:     vector.create_mask
// CHECK:         vector.reduction <maximumf>
func.func @ce_bf16(%x: tensor<16x1024xbf16>, %t: tensor<16xi64>) -> tensor<bf16> {
  %l = loss.softmax_cross_entropy %x, %t : (tensor<16x1024xbf16>, tensor<16xi64>) -> tensor<bf16>
  return %l : tensor<bf16>
}

// f64 lanes are half as many; probability targets stream a second operand
// and the shifted sums.
// CHECK-LABEL: func.func @ce_prob_f64
// CHECK:         vector.transfer_read {{.*}} : tensor<?x?xf64>, vector<4xf64>
// CHECK:         vector.transfer_read {{.*}} : tensor<?x?xf64>, vector<4xf64>
// CHECK:         vector.create_mask
func.func @ce_prob_f64(%x: tensor<?x?xf64>, %p: tensor<?x?xf64>) -> tensor<f64> {
  %l = loss.softmax_cross_entropy %x, %p {label_smoothing = 0.1 : f64} : (tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<f64>
  return %l : tensor<f64>
}

// Classes strided (K-dim) or rows shorter than two vectors keep the scalar
// schedule.
// CHECK-LABEL: func.func @ce_kdim
// CHECK-NOT:     vector.
// CHECK:         return
func.func @ce_kdim(%x: tensor<2x64x9xf32>, %t: tensor<2x9xi64>) -> tensor<f32> {
  %l = loss.softmax_cross_entropy %x, %t : (tensor<2x64x9xf32>, tensor<2x9xi64>) -> tensor<f32>
  return %l : tensor<f32>
}
// CHECK-LABEL: func.func @ce_short
// CHECK-NOT:     vector.
// CHECK:         return
func.func @ce_short(%x: tensor<4x15xf32>, %t: tensor<4xi64>) -> tensor<f32> {
  %l = loss.softmax_cross_entropy %x, %t : (tensor<4x15xf32>, tensor<4xi64>) -> tensor<f32>
  return %l : tensor<f32>
}
