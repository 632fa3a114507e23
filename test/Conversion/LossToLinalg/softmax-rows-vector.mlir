// RUN: loss-opt %s --convert-loss-to-linalg="vector-bits=256" --cse | FileCheck %s
// RUN: loss-opt %s --convert-loss-to-linalg | FileCheck %s --check-prefix=SCALAR
// RUN: loss-opt %s --convert-loss-to-linalg="vector-bits=256" --loop-invariant-code-motion --cse | FileCheck %s --check-prefix=GRAD

// Rows of contiguous classes in explicit vectors of the requested width: one
// generic over the rows whose body walks the row once: per vector, one
// compare with the lanes' running max and one branch on all lanes, whose
// rare side rebases the lane states on the new max (the only math.exp), then
// the vector's elements folded with the polynomial exp of a non-positive
// argument (math.floor is its range reduction); then a masked tail vector
// (5003 = 625 * 8 + 3), a lane merge, and the target logit read once (only
// when in range). The logits are read in place: no tensor of their size is
// made.

// CHECK-LABEL: func.func @ce_f32
// CHECK-NOT:     tensor.empty() : tensor<64x5003xf32>
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel"]
// CHECK:           scf.for {{.*}} step %c8 iter_args
// CHECK:             %[[X:.*]] = vector.transfer_read %{{.*}} {in_bounds = [true]} : tensor<64x5003xf32>, vector<8xf32>
// CHECK-NEXT:        %[[ABOVE:.*]] = arith.cmpf ogt, %[[X]], %{{.*}} : vector<8xf32>
// CHECK-NEXT:        %[[ANY:.*]] = vector.reduction <or>, %[[ABOVE]] : vector<8xi1> into i1
// CHECK-NEXT:        scf.if %[[ANY]]
// CHECK:               math.exp {{.*}} : vector<8xf32>
// CHECK:             } else {
// CHECK-NOT:           math.
// CHECK:             }
// CHECK-NOT:         math.exp
// CHECK-NOT:         vector.transfer_read
// CHECK:             math.floor {{.*}} : vector<8xf32>
// CHECK-NOT:         math.exp
// CHECK:             scf.yield
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

// 16-bit floats keep the scalar loops (one element read and widened to f32
// at a time): their vectors are legalized on x86 without AVX512-BF16
// through compiler-rt's __truncsfbf2, which compiled code does not link.
// CHECK-LABEL: func.func @ce_bf16
// CHECK-NOT:     vector<
// CHECK:         arith.extf {{.*}} : bf16 to f32
// CHECK-NOT:     vector<
// CHECK:         return
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

// Classes strided (K-dim), or rows shorter than two vectors: a row per lane.
// A forall over (batch, blocks of positions); per block a max loop over the
// classes and an exp loop that also picks each lane's target logit; the
// lanes written back masked. Positions are contiguous (9 = 8 + 1: the last
// block is partial, so the reads are bounds-checked). The exp loop takes the
// polynomial exp of a non-positive argument (math.floor: its range reduction).
// CHECK-LABEL: func.func @ce_kdim
// CHECK:         tensor.collapse_shape
// CHECK:         scf.forall (%[[N:[a-z0-9]+]], %[[B:[a-z0-9]+]]) in
// CHECK:           scf.for %[[C:[a-z0-9]+]] =
// CHECK:             vector.transfer_read %{{.*}}[%[[N]], %[[C]], %{{.*}}], %{{.*}} : tensor<2x64x18xf32>, vector<8xf32>
// CHECK:           vector.transfer_read {{.*}} : tensor<2x18xi64>, vector<8xi64>
// CHECK:           scf.for %{{[a-z0-9]+}} =
// CHECK:             math.floor {{.*}} : vector<8xf32>
// CHECK:             arith.cmpi eq, {{.*}} : vector<8xi64>
// CHECK:           vector.transfer_write
// CHECK:           scf.forall.in_parallel
// CHECK:         tensor.expand_shape
// CHECK-NOT:     vector.reduction
func.func @ce_kdim(%x: tensor<2x64x9x2xf32>, %t: tensor<2x9x2xi64>) -> tensor<f32> {
  %l = loss.softmax_cross_entropy %x, %t : (tensor<2x64x9x2xf32>, tensor<2x9x2xi64>) -> tensor<f32>
  return %l : tensor<f32>
}
// Short contiguous rows: the lanes run down the rows (strided by C).
// CHECK-LABEL: func.func @ce_short
// CHECK:         scf.forall
// CHECK:           vector.transfer_read {{.*}} {permutation_map = #{{.*}}} : tensor<4x15xf32>, vector<8xf32>
// CHECK-NOT:     vector.reduction
// CHECK:         return
func.func @ce_short(%x: tensor<4x15xf32>, %t: tensor<4xi64>) -> tensor<f32> {
  %l = loss.softmax_cross_entropy %x, %t : (tensor<4x15xf32>, tensor<4xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// Without a vector width, every layout keeps the scalar schedule.
// SCALAR-LABEL: func.func @ce_kdim
// SCALAR-NOT:     vector.
// SCALAR-LABEL: func.func @ce_short
// SCALAR-NOT:     vector.

// The fused forward and backward: the row statistics in vectors, then
// dlogits written once, a row per forall iteration, in vectors (the last one
// masked: 5003 = 625 * 8 + 3).
// CHECK-LABEL: func.func @ce_grad
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel"]
// CHECK:         scf.forall
// CHECK:           scf.for
// CHECK:             vector.transfer_read %{{.*}} {in_bounds = [true]} : tensor<64x5003xf32>, vector<8xf32>
// CHECK:             vector.transfer_write {{.*}} {in_bounds = [true]} : vector<8xf32>, tensor<1x5003xf32>
// CHECK:           vector.transfer_write {{.*}} : vector<8xf32>, tensor<1x5003xf32>
// CHECK:           scf.forall.in_parallel
// CHECK-NOT:     tensor.empty() : tensor<64x5003xf32>
// CHECK:         return
// Once the row's coefficients are hoisted, an element costs a subtraction,
// the polynomial exp (no math.exp, no division) and one multiply: no class
// compare on the row's target. The target's element is written
// again after the row from one scalar read of its logit, only for a target
// in the row (C may be 0; an ignored target reads nothing).
// GRAD-LABEL: func.func @ce_grad
// GRAD:         scf.forall
// GRAD:           arith.divf {{.*}} : vector<8xf32>
// GRAD:           scf.for
// GRAD-NEXT:        vector.transfer_read %{{.*}} {in_bounds = [true]} : tensor<64x5003xf32>, vector<8xf32>
// GRAD-NOT:         arith.cmpi
// GRAD-NOT:         arith.divf
// GRAD-NOT:         math.exp
// GRAD:             arith.subf
// GRAD:             math.floor
// GRAD:             vector.transfer_write {{.*}} {in_bounds = [true]} : vector<8xf32>, tensor<1x5003xf32>
// GRAD-NEXT:        scf.yield
// GRAD:           vector.transfer_write {{.*}} : vector<8xf32>, tensor<1x5003xf32>
// GRAD:           scf.if
// GRAD:             tensor.extract %arg0[%{{.*}}, %[[T:.*]]] : tensor<64x5003xf32>
// GRAD:             tensor.insert %{{.*}} into %{{.*}}[%{{.*}}, %[[T]]] : tensor<1x5003xf32>
// GRAD:           } else {
// GRAD-NOT:         tensor.extract
// GRAD:           }
// GRAD-NEXT:      scf.forall.in_parallel
func.func @ce_grad(%x: tensor<64x5003xf32>, %t: tensor<64xi64>, %g: tensor<f32>) -> (tensor<64x5003xf32>, tensor<f32>) {
  %dx, %l = loss.softmax_cross_entropy_grad %x, %t, %g : (tensor<64x5003xf32>, tensor<64xi64>, tensor<f32>) -> (tensor<64x5003xf32>, tensor<f32>)
  return %dx, %l : tensor<64x5003xf32>, tensor<f32>
}
