// RUN: loss-opt %s --convert-loss-to-linalg --canonicalize --cse --split-input-file | FileCheck %s

// Elementwise losses are ONE linalg.generic: for sum/mean it computes the
// point loss and adds it into a 0-d accumulator (every loop a reduction), so
// no tensor shaped like the input is created; for none it is all-parallel
// into the input-shaped result. Broadcast operands read through their maps.

// bce: weight [C] over [N, C]; log(1 - x), not log1p, and both logs clamped
// at -100; mean divides by the element count.

// CHECK-DAG: #[[ID:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[LAST:map[0-9]*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[SCALAR:map[0-9]*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @bce_weight_mean
// CHECK-DAG:     %[[N:.*]] = arith.constant 1.200000e+01 : f32
// CHECK-DAG:     %[[FLOOR:.*]] = arith.constant -1.000000e+02 : f32
// CHECK-DAG:     %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NOT:     tensor.empty() : tensor<4x3xf32>
// CHECK:         %[[ACC:.*]] = linalg.fill {{.*}} -> tensor<f32>
// CHECK:         %[[R:.*]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[ID]], #[[ID]], #[[LAST]], #[[SCALAR]]]
// CHECK-SAME:      iterator_types = ["reduction", "reduction"]
// CHECK-SAME:      ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<4x3xf32>, tensor<4x3xf32>, tensor<3xf32>)
// CHECK-SAME:      outs(%[[ACC]] : tensor<f32>)
// CHECK:         ^bb0(%[[X:.*]]: f32, %[[T:.*]]: f32, %[[W:.*]]: f32, %[[OUT:.*]]: f32):
// CHECK:           %[[LX:.*]] = math.log %[[X]] : f32
// CHECK:           %[[CLX:.*]] = arith.maximumf %[[LX]], %[[FLOOR]]
// CHECK:           %[[OMX:.*]] = arith.subf %[[ONE]], %[[X]]
// CHECK:           %[[LOMX:.*]] = math.log %[[OMX]]
// CHECK:           %[[CLOMX:.*]] = arith.maximumf %[[LOMX]], %[[FLOOR]]
// CHECK:           %[[TM1:.*]] = arith.subf %[[T]], %[[ONE]]
// CHECK:           %[[A:.*]] = arith.mulf %[[TM1]], %[[CLOMX]]
// CHECK:           %[[B:.*]] = arith.mulf %[[T]], %[[CLX]]
// CHECK:           %[[L:.*]] = arith.subf %[[A]], %[[B]]
// CHECK:           %[[WL:.*]] = arith.mulf %[[L]], %[[W]]
// CHECK:           %[[SUM:.*]] = arith.addf %[[OUT]], %[[WL]]
// CHECK:           linalg.yield %[[SUM]]
// CHECK:         %[[S:.*]] = tensor.extract %[[R]][]
// CHECK:         arith.divf %[[S]], %[[N]]
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @bce_weight_mean(%x: tensor<4x3xf32>, %t: tensor<4x3xf32>, %w: tensor<3xf32>) -> tensor<f32> {
  %0 = loss.bce %x, %t weight(%w) : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// none: one parallel generic into the input-shaped result, no accumulator.

// CHECK-LABEL: func.func @bce_none
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<2x3x4xf64>
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME:      outs(%[[E]] : tensor<2x3x4xf64>)
// CHECK-COUNT-2:   math.log
// CHECK-NOT:     linalg.generic
func.func @bce_none(%x: tensor<2x3x4xf64>, %t: tensor<2x3x4xf64>) -> tensor<2x3x4xf64> {
  %0 = loss.bce %x, %t {reduction = #loss.reduction<none>} : (tensor<2x3x4xf64>, tensor<2x3x4xf64>) -> tensor<2x3x4xf64>
  return %0 : tensor<2x3x4xf64>
}

// -----

// bce_with_logits in f16: weight [N, 1] and pos_weight [C] broadcast; the
// point loss is computed in f32 and summed into an f32 accumulator, rounded
// to f16 once. softplus(-x) = max(-x, 0) + log1p(exp(-|x|)): one exp, one
// log, never exp of a positive number.

// CHECK-DAG: #[[ID:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[COL:map[0-9]*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[LAST:map[0-9]*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[SCALAR:map[0-9]*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @bcel_f16_sum
// CHECK-NOT:     tensor.empty() : tensor<4x3x
// CHECK:         %[[R:.*]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[ID]], #[[ID]], #[[COL]], #[[LAST]], #[[SCALAR]]]
// CHECK-SAME:      iterator_types = ["reduction", "reduction"]
// CHECK-SAME:      outs(%{{.*}} : tensor<f32>)
// CHECK:         ^bb0(%[[X:.*]]: f16, %{{.*}}: f16, %{{.*}}: f16, %{{.*}}: f16, %{{.*}}: f32):
// CHECK:           %[[XW:.*]] = arith.extf %[[X]] : f16 to f32
// CHECK-COUNT-3:   arith.extf
// CHECK:           %[[NX:.*]] = arith.negf %[[XW]]
// CHECK:           arith.maximumf %[[NX]]
// CHECK:           %[[ABS:.*]] = math.absf %[[XW]]
// CHECK:           %[[NABS:.*]] = arith.negf %[[ABS]]
// CHECK:           math.exp %[[NABS]]
// CHECK:           math.log
// CHECK-NOT:       math.exp
// CHECK-NOT:       math.log
// CHECK:           linalg.yield
// CHECK:         %[[S:.*]] = tensor.extract %[[R]][] : tensor<f32>
// CHECK:         arith.truncf %[[S]] : f32 to f16
// CHECK-NOT:     arith.divf
func.func @bcel_f16_sum(%x: tensor<4x3xf16>, %t: tensor<4x3xf16>, %w: tensor<4x1xf16>, %pw: tensor<3xf16>) -> tensor<f16> {
  %0 = loss.bce_with_logits %x, %t weight(%w) pos_weight(%pw) {reduction = #loss.reduction<sum>} : (tensor<4x3xf16>, tensor<4x3xf16>, tensor<4x1xf16>, tensor<3xf16>) -> tensor<f16>
  return %0 : tensor<f16>
}

// -----

// Without pos_weight the softplus term is not scaled: (1 - t) x + softplus(-x).

// CHECK-LABEL: func.func @bcel_plain_mean
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%{{.*}}, %{{.*}} : tensor<8xf32>, tensor<8xf32>)
// CHECK-SAME:      outs(%{{.*}} : tensor<f32>)
// CHECK:         arith.divf
func.func @bcel_plain_mean(%x: tensor<8xf32>, %t: tensor<8xf32>) -> tensor<f32> {
  %0 = loss.bce_with_logits %x, %t : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// CHECK-LABEL: func.func @l1_sum
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["reduction", "reduction"]
// CHECK:           arith.subf
// CHECK:           math.absf
// CHECK:           arith.addf
// CHECK-NOT:     arith.divf
func.func @l1_sum(%x: tensor<4x5xf32>, %t: tensor<4x5xf32>) -> tensor<f32> {
  %0 = loss.l1 %x, %t {reduction = #loss.reduction<sum>} : (tensor<4x5xf32>, tensor<4x5xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Dynamic sizes: the none result is sized from the input.

// CHECK-LABEL: func.func @l1_none_dynamic
// CHECK-SAME:    (%[[X:[a-z0-9]+]]: tensor<?x5xf64>
// CHECK:         %[[D:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x5xf64>
// CHECK:         %[[E:.*]] = tensor.empty(%[[D]]) : tensor<?x5xf64>
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK-SAME:      outs(%[[E]] : tensor<?x5xf64>)
func.func @l1_none_dynamic(%x: tensor<?x5xf64>, %t: tensor<?x5xf64>) -> tensor<?x5xf64> {
  %0 = loss.l1 %x, %t {reduction = #loss.reduction<none>} : (tensor<?x5xf64>, tensor<?x5xf64>) -> tensor<?x5xf64>
  return %0 : tensor<?x5xf64>
}

// -----

// A none result typed less statically than the input gets a cast.

// CHECK-LABEL: func.func @mse_none_cast
// CHECK:         %[[R:.*]] = linalg.generic
// CHECK:           %[[D:.*]] = arith.subf
// CHECK:           arith.mulf %[[D]], %[[D]]
// CHECK:         } -> tensor<4xf32>
// CHECK:         tensor.cast %[[R]] : tensor<4xf32> to tensor<?xf32>
func.func @mse_none_cast(%x: tensor<4xf32>, %t: tensor<4xf32>) -> tensor<?xf32> {
  %0 = loss.mse %x, %t {reduction = #loss.reduction<none>} : (tensor<4xf32>, tensor<4xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// 0-d inputs: a generic with no loops (the mean's division by 1 folds).

// CHECK-LABEL: func.func @mse_0d_mean
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = []
// CHECK-SAME:      outs(%{{.*}} : tensor<f32>)
// CHECK:         return
func.func @mse_0d_mean(%x: tensor<f32>, %t: tensor<f32>) -> tensor<f32> {
  %0 = loss.mse %x, %t : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// smooth_l1: z < beta ? 0.5 z z / beta : z - 0.5 beta.

// CHECK-LABEL: func.func @smooth_l1
// CHECK-DAG:     %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG:     %[[BETA:.*]] = arith.constant 2.000000e+00 : f32
// CHECK-DAG:     %[[HALFBETA:.*]] = arith.constant 1.000000e+00 : f32
// CHECK:         linalg.generic
// CHECK:           %[[Z:.*]] = math.absf
// CHECK:           %[[HZ:.*]] = arith.mulf %[[Z]], %[[HALF]]
// CHECK:           %[[ZZ:.*]] = arith.mulf %[[HZ]], %[[Z]]
// CHECK:           %[[Q:.*]] = arith.divf %[[ZZ]], %[[BETA]]
// CHECK:           %[[L:.*]] = arith.subf %[[Z]], %[[HALFBETA]]
// CHECK:           %[[C:.*]] = arith.cmpf olt, %[[Z]], %[[BETA]]
// CHECK:           arith.select %[[C]], %[[Q]], %[[L]]
func.func @smooth_l1(%x: tensor<8xf32>, %t: tensor<8xf32>) -> tensor<f32> {
  %0 = loss.smooth_l1 %x, %t {beta = 2.000000e+00 : f64} : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// beta = 0 is plain L1: no quadratic branch.

// CHECK-LABEL: func.func @smooth_l1_beta0
// CHECK:         linalg.generic
// CHECK:           math.absf
// CHECK-NOT:       arith.cmpf
// CHECK-NOT:       arith.divf
// CHECK:           linalg.yield
func.func @smooth_l1_beta0(%x: tensor<8xf32>, %t: tensor<8xf32>) -> tensor<8xf32> {
  %0 = loss.smooth_l1 %x, %t {beta = 0.000000e+00 : f64, reduction = #loss.reduction<none>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// huber: z < delta ? 0.5 z z : delta (z - 0.5 delta).

// CHECK-LABEL: func.func @huber
// CHECK-DAG:     %[[DELTA:.*]] = arith.constant 2.000000e+00 : f64
// CHECK:         linalg.generic
// CHECK:           %[[Z:.*]] = math.absf
// CHECK:           %[[C:.*]] = arith.cmpf olt, %[[Z]], %[[DELTA]]
// CHECK:           arith.select %[[C]]
func.func @huber(%x: tensor<8xf64>, %t: tensor<8xf64>) -> tensor<f64> {
  %0 = loss.huber %x, %t {delta = 2.000000e+00 : f64, reduction = #loss.reduction<sum>} : (tensor<8xf64>, tensor<8xf64>) -> tensor<f64>
  return %0 : tensor<f64>
}

// -----

// poisson_nll with log_input: exp(x) - t x; full masks the Stirling term
// where t <= 1.

// CHECK-LABEL: func.func @poisson_log_full
// CHECK-DAG:     %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK:         linalg.generic
// CHECK:           math.exp
// CHECK:           math.log
// CHECK:           math.log
// CHECK:           %[[SMALL:.*]] = arith.cmpf ole, %{{.*}}, %[[ONE]]
// CHECK:           arith.select %[[SMALL]]
func.func @poisson_log_full(%x: tensor<8xf32>, %t: tensor<8xf32>) -> tensor<f32> {
  %0 = loss.poisson_nll %x, %t {full = true} : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Without log_input: x - t log(x + eps).

// CHECK-LABEL: func.func @poisson_rate
// CHECK-DAG:     %[[EPS:.*]] = arith.constant 1.000000e-03 : f64
// CHECK:         linalg.generic
// CHECK:           %[[XE:.*]] = arith.addf %{{.*}}, %[[EPS]]
// CHECK:           math.log %[[XE]]
// CHECK-NOT:       math.exp
// CHECK-NOT:       arith.cmpf
// CHECK:           linalg.yield
func.func @poisson_rate(%x: tensor<8xf64>, %t: tensor<8xf64>) -> tensor<8xf64> {
  %0 = loss.poisson_nll %x, %t {log_input = false, eps = 1.000000e-03 : f64, reduction = #loss.reduction<none>} : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
  return %0 : tensor<8xf64>
}

// -----

// gaussian_nll with var [N] for input [N, C]: one variance per sample, read
// through (d0, d1) -> (d0) (PyTorch unsqueezes it; not a NumPy broadcast).

// CHECK-DAG: #[[ID:map[0-9]*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:map[0-9]*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @gaussian_var_n
// CHECK-DAG:     %[[EPS:.*]] = arith.constant 9.9999999999999995E-7 : f64
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [#[[ID]], #[[ID]], #[[ROW]], #[[ID]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK:         ^bb0(%{{.*}}: f64, %{{.*}}: f64, %[[V:.*]]: f64, %{{.*}}: f64):
// CHECK:           %[[VC:.*]] = arith.maximumf %[[V]], %[[EPS]]
// CHECK:           math.log %[[VC]]
// CHECK:           arith.divf %{{.*}}, %[[VC]]
func.func @gaussian_var_n(%x: tensor<4x3xf64>, %t: tensor<4x3xf64>, %v: tensor<4xf64>) -> tensor<4x3xf64> {
  %0 = loss.gaussian_nll %x, %t, %v {reduction = #loss.reduction<none>} : (tensor<4x3xf64>, tensor<4x3xf64>, tensor<4xf64>) -> tensor<4x3xf64>
  return %0 : tensor<4x3xf64>
}

// -----

// var [N, 1] broadcasts over the last dim; full adds 0.5 log(2 pi).

// CHECK-DAG: #[[COL:map[0-9]*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @gaussian_var_n1_full
// CHECK-DAG:     %[[C:.*]] = arith.constant 0.918938517 : f32
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [#{{[a-z0-9]+}}, #{{[a-z0-9]+}}, #[[COL]], #{{[a-z0-9]+}}]
// CHECK-SAME:      iterator_types = ["reduction", "reduction"]
// CHECK:           arith.addf %{{.*}}, %[[C]]
func.func @gaussian_var_n1_full(%x: tensor<4x3xf32>, %t: tensor<4x3xf32>, %v: tensor<4x1xf32>) -> tensor<f32> {
  %0 = loss.gaussian_nll %x, %t, %v {full = true} : (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x1xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// A 1-D input with a 0-d var.

// CHECK-DAG: #[[NONE:map[0-9]*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @gaussian_1d_var_0d
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [#{{[a-z0-9]+}}, #{{[a-z0-9]+}}, #[[NONE]], #[[NONE]]]
// CHECK-SAME:      ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<5xf32>, tensor<5xf32>, tensor<f32>)
func.func @gaussian_1d_var_0d(%x: tensor<5xf32>, %t: tensor<5xf32>, %v: tensor<f32>) -> tensor<f32> {
  %0 = loss.gaussian_nll %x, %t, %v {reduction = #loss.reduction<sum>} : (tensor<5xf32>, tensor<5xf32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// kl_div batchmean divides the sum by the (dynamic) size of dim 0;
// xlogy(t, t) is 0 where t == 0.

// CHECK-LABEL: func.func @kl_batchmean_dynamic
// CHECK-SAME:    (%[[X:[a-z0-9]+]]: tensor<?x5xf32>
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[D:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x5xf32>
// CHECK:         %[[DI:.*]] = arith.index_cast %[[D]] : index to i64
// CHECK:         %[[DF:.*]] = arith.sitofp %[[DI]] : i64 to f32
// CHECK-NOT:     tensor.empty(%
// CHECK:         %[[R:.*]] = linalg.generic
// CHECK-SAME:      iterator_types = ["reduction", "reduction"]
// CHECK:         ^bb0(%[[XI:.*]]: f32, %[[T:.*]]: f32, %[[OUT:.*]]: f32):
// CHECK:           %[[ISZ:.*]] = arith.cmpf oeq, %[[T]], %[[ZERO]]
// CHECK:           %[[LT:.*]] = math.log %[[T]]
// CHECK:           %[[TLT:.*]] = arith.mulf %[[T]], %[[LT]]
// CHECK:           %[[XL:.*]] = arith.select %[[ISZ]], %[[ZERO]], %[[TLT]]
// CHECK:           %[[TX:.*]] = arith.mulf %[[T]], %[[XI]]
// CHECK:           arith.subf %[[XL]], %[[TX]]
// CHECK:         %[[S:.*]] = tensor.extract %[[R]][]
// CHECK:         arith.divf %[[S]], %[[DF]]
func.func @kl_batchmean_dynamic(%x: tensor<?x5xf32>, %t: tensor<?x5xf32>) -> tensor<f32> {
  %0 = loss.kl_div %x, %t {reduction = #loss.reduction<batchmean>} : (tensor<?x5xf32>, tensor<?x5xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Plain mean divides by every element (20), batchmean of a 0-d input by 1.

// CHECK-LABEL: func.func @kl_mean_and_0d
// CHECK:         arith.constant 2.000000e+01 : f64
// CHECK:         linalg.generic
// CHECK:         arith.divf
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = []
// CHECK:           math.exp
// CHECK-NOT:     arith.divf
// CHECK:         return
func.func @kl_mean_and_0d(%x: tensor<4x5xf64>, %t: tensor<4x5xf64>, %x0: tensor<f64>, %t0: tensor<f64>) -> (tensor<f64>, tensor<f64>) {
  %0 = loss.kl_div %x, %t : (tensor<4x5xf64>, tensor<4x5xf64>) -> tensor<f64>
  %1 = loss.kl_div %x0, %t0 {log_target = true, reduction = #loss.reduction<batchmean>} : (tensor<f64>, tensor<f64>) -> tensor<f64>
  return %0, %1 : tensor<f64>, tensor<f64>
}

// -----

// margin_ranking: max(-t (x1 - x2) + margin, 0) over three same-shaped inputs.

// CHECK-LABEL: func.func @margin_ranking
// CHECK-DAG:     %[[M:.*]] = arith.constant 5.000000e-01 : f32
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
// CHECK:         ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %[[T:.*]]: f32, %{{.*}}: f32):
// CHECK:           %[[NT:.*]] = arith.negf %[[T]]
// CHECK:           %[[D:.*]] = arith.subf %[[A]], %[[B]]
// CHECK:           %[[P:.*]] = arith.mulf %[[NT]], %[[D]]
// CHECK:           %[[V:.*]] = arith.addf %[[P]], %[[M]]
// CHECK:           arith.maximumf %[[V]]
func.func @margin_ranking(%a: tensor<8xf32>, %b: tensor<8xf32>, %t: tensor<8xf32>) -> tensor<f32> {
  %0 = loss.margin_ranking %a, %b, %t {margin = 5.000000e-01 : f64} : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// hinge_embedding: PyTorch's two where()s on t != 1 and t != -1.

// CHECK-LABEL: func.func @hinge_embedding
// CHECK:         linalg.generic
// CHECK:           arith.maximumf
// CHECK:           arith.cmpf une
// CHECK:           arith.cmpf une
// CHECK:           arith.select
// CHECK:           arith.select
// CHECK:           arith.addf
func.func @hinge_embedding(%x: tensor<8xf32>, %t: tensor<8xf32>) -> tensor<8xf32> {
  %0 = loss.hinge_embedding %x, %t {margin = 2.000000e+00 : f64, reduction = #loss.reduction<none>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// soft_margin: softplus(-x t), which never exponentiates a positive number.

// CHECK-LABEL: func.func @soft_margin
// CHECK:         linalg.generic
// CHECK:         ^bb0(%[[X:.*]]: bf16, %[[T:.*]]: bf16, %{{.*}}: f32):
// CHECK:           %[[XW:.*]] = arith.extf %[[X]] : bf16 to f32
// CHECK:           %[[TW:.*]] = arith.extf %[[T]] : bf16 to f32
// CHECK:           %[[NX:.*]] = arith.negf %[[XW]]
// CHECK:           %[[Z:.*]] = arith.mulf %[[NX]], %[[TW]]
// CHECK:           %[[ABS:.*]] = math.absf %[[Z]]
// CHECK:           %[[NABS:.*]] = arith.negf %[[ABS]]
// CHECK:           math.exp %[[NABS]]
// CHECK:           arith.maximumf %[[Z]]
// CHECK:         arith.truncf %{{.*}} : f32 to bf16
func.func @soft_margin(%x: tensor<8xbf16>, %t: tensor<8xbf16>) -> tensor<bf16> {
  %0 = loss.soft_margin %x, %t : (tensor<8xbf16>, tensor<8xbf16>) -> tensor<bf16>
  return %0 : tensor<bf16>
}
