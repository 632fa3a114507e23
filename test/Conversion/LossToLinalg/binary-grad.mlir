// RUN: loss-opt %s --convert-loss-to-linalg --canonicalize --cse --split-input-file | FileCheck %s

// The binary family's gradients: the gradients of full-shape operands come
// from ONE parallel pass; a broadcast operand's gradient is summed back to
// its shape by a generic that reduces over the broadcast loops (no
// temporary shaped like the input), in f32 for f16 and rounded once; a sum
// into one element is a full reduction into a 0-d accumulator (what
// block-sum-reductions rewrites).

// CHECK-LABEL: func.func @bce_one_pass
// CHECK-SAME:    %[[X:[^:]*]]: tensor<8x5xf32>, %[[T:[^:]*]]: tensor<8x5xf32>, %[[W:[^:]*]]: tensor<5xf32>
// CHECK-DAG:     %[[EPS:.*]] = arith.constant 9.99999996E-13 : f32
// CHECK-DAG:     %[[SCALE:.*]] = arith.constant 2.500000e-02 : f32
// CHECK:         %[[G:.*]] = arith.mulf %{{.*}}, %[[SCALE]] : f32
// CHECK:         %[[R:.*]]:2 = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK-SAME:      ins(%[[X]], %[[T]], %[[W]] : tensor<8x5xf32>, tensor<8x5xf32>, tensor<5xf32>)
// CHECK:           arith.maximumf %{{.*}}, %[[EPS]]
// CHECK:           math.log
// CHECK:           linalg.yield
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[R]]#0, %[[R]]#1
func.func @bce_one_pass(%x: tensor<8x5xf32>, %t: tensor<8x5xf32>, %w: tensor<5xf32>, %g: tensor<f32>) -> (tensor<8x5xf32>, tensor<8x5xf32>) {
  %gx, %gt = loss.bce_grad %x, %t weight(%w), %g : (tensor<8x5xf32>, tensor<8x5xf32>, tensor<5xf32>, tensor<f32>) -> (tensor<8x5xf32>, tensor<8x5xf32>)
  return %gx, %gt : tensor<8x5xf32>, tensor<8x5xf32>
}

// -----

// CHECK-LABEL: func.func @gaussian_var_per_sample
// CHECK:         %[[FULL:.*]]:2 = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK-SAME:      outs(%{{.*}}, %{{.*}} : tensor<8x5xf16>, tensor<8x5xf16>)
// CHECK:           arith.truncf
// CHECK:         %[[SUM:.*]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      outs(%{{.*}} : tensor<8xf32>)
// CHECK-NOT:       arith.truncf
// CHECK:           arith.addf %{{.*}}, %{{.*}} : f32
// CHECK-NEXT:      linalg.yield
// CHECK:         %[[GV:.*]] = linalg.generic
// CHECK-SAME:      ins(%[[SUM]] : tensor<8xf32>) outs(%{{.*}} : tensor<8xf16>)
// CHECK:           arith.truncf
// CHECK-NOT:     tensor.empty() : tensor<8x5xf32>
// CHECK:         return %[[FULL]]#0, %[[FULL]]#1, %[[GV]]
func.func @gaussian_var_per_sample(%x: tensor<8x5xf16>, %t: tensor<8x5xf16>, %v: tensor<8xf16>, %g: tensor<8x5xf16>) -> (tensor<8x5xf16>, tensor<8x5xf16>, tensor<8xf16>) {
  %gx, %gt, %gv = loss.gaussian_nll_grad %x, %t, %v, %g {reduction = #loss.reduction<none>} : (tensor<8x5xf16>, tensor<8x5xf16>, tensor<8xf16>, tensor<8x5xf16>) -> (tensor<8x5xf16>, tensor<8x5xf16>, tensor<8xf16>)
  return %gx, %gt, %gv : tensor<8x5xf16>, tensor<8x5xf16>, tensor<8xf16>
}

// -----

// A 0-d target's gradient is a full sum; an integer target has none.

// CHECK-LABEL: func.func @poisson_scalar_target
// CHECK:         cf.assert
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK:         %[[S:.*]] = linalg.generic
// CHECK-SAME:      iterator_types = ["reduction", "reduction"]
// CHECK-SAME:      outs(%{{.*}} : tensor<f32>)
// CHECK:           arith.addf
// CHECK-NEXT:      linalg.yield
func.func @poisson_scalar_target(%x: tensor<?x5xf32>, %t: tensor<f32>, %g: tensor<f32>) -> (tensor<?x5xf32>, tensor<f32>) {
  %gx, %gt = loss.poisson_nll_grad %x, %t, %g : (tensor<?x5xf32>, tensor<f32>, tensor<f32>) -> (tensor<?x5xf32>, tensor<f32>)
  return %gx, %gt : tensor<?x5xf32>, tensor<f32>
}

// CHECK-LABEL: func.func @poisson_int_target
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel"]
// CHECK:           arith.sitofp
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @poisson_int_target(%x: tensor<16xf32>, %t: tensor<16xi64>, %g: tensor<f32>) -> tensor<16xf32> {
  %gx = loss.poisson_nll_grad %x, %t, %g : (tensor<16xf32>, tensor<16xi64>, tensor<f32>) -> tensor<16xf32>
  return %gx : tensor<16xf32>
}

// -----

// batchmean scales by 1/N (the input's first dimension); the [1, ?] target's
// gradient is summed over the rows and expanded back; dynamic sizes are
// checked before any read.

// CHECK-LABEL: func.func @kl_div_batchmean
// CHECK:         %[[N:.*]] = tensor.dim %arg0, %c0
// CHECK:         arith.index_cast %[[N]]
// CHECK:         cf.assert
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK:         %[[S:.*]] = linalg.generic
// CHECK-SAME:      iterator_types = ["reduction", "parallel"]
// CHECK-SAME:      outs(%{{.*}} : tensor<?xf32>)
// CHECK:         tensor.expand_shape %[[S]] {{\[}}[0, 1]] output_shape [1, %{{.*}}] : tensor<?xf32> into tensor<1x?xf32>
func.func @kl_div_batchmean(%x: tensor<?x?xf32>, %t: tensor<1x?xf32>, %g: tensor<f32>) -> (tensor<?x?xf32>, tensor<1x?xf32>) {
  %gx, %gt = loss.kl_div_grad %x, %t, %g {reduction = #loss.reduction<batchmean>} : (tensor<?x?xf32>, tensor<1x?xf32>, tensor<f32>) -> (tensor<?x?xf32>, tensor<1x?xf32>)
  return %gx, %gt : tensor<?x?xf32>, tensor<1x?xf32>
}
