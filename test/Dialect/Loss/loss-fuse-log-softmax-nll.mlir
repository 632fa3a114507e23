// RUN: loss-opt %s --loss-fuse-log-softmax-nll --split-input-file | FileCheck %s

//===----------------------------------------------------------------------===//
// loss.nll(loss.log_softmax) over the class axis fuses.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @fuse_nc
// CHECK-NOT:     loss.log_softmax
// CHECK:         %[[L:.*]] = loss.softmax_cross_entropy %arg0, %arg1 : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>{{$}}
// CHECK-NOT:     loss.nll
// CHECK:         return %[[L]]
func.func @fuse_nc(%x: tensor<4x10xf32>, %t: tensor<4xi64>) -> tensor<f32> {
  %lp = loss.log_softmax %x {axis = 1 : i64} : tensor<4x10xf32>
  %l = loss.nll %lp, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// The default axis (-1) is the class axis of [N, C].
// CHECK-LABEL: func.func @fuse_nc_axis_minus_one
// CHECK-NOT:     loss.log_softmax
// CHECK:         %[[L:.*]] = loss.softmax_cross_entropy %arg0, %arg1 : (tensor<4x10xf64>, tensor<4xi32>) -> tensor<f64>{{$}}
// CHECK-NOT:     loss.nll
// CHECK:         return %[[L]]
func.func @fuse_nc_axis_minus_one(%x: tensor<4x10xf64>, %t: tensor<4xi32>) -> tensor<f64> {
  %lp = loss.log_softmax %x : tensor<4x10xf64>
  %l = loss.nll %lp, %t : (tensor<4x10xf64>, tensor<4xi32>) -> tensor<f64>
  return %l : tensor<f64>
}

// -----

// [N, C, d1, d2], with weight, ignore_index and reduction carried over.
// CHECK-LABEL: func.func @fuse_kdim_attrs
// CHECK-NOT:     loss.log_softmax
// CHECK:         %[[L:.*]] = loss.softmax_cross_entropy %arg0, %arg1 weight(%arg2) {ignore_index = 2 : i64, reduction = #loss.reduction<none>} : (tensor<2x3x5x6xf32>, tensor<2x5x6xi64>, tensor<3xf32>) -> tensor<2x5x6xf32>{{$}}
// CHECK-NOT:     loss.nll
// CHECK:         return %[[L]]
func.func @fuse_kdim_attrs(%x: tensor<2x3x5x6xf32>, %t: tensor<2x5x6xi64>, %w: tensor<3xf32>) -> tensor<2x5x6xf32> {
  %lp = loss.log_softmax %x {axis = 1 : i64} : tensor<2x3x5x6xf32>
  %l = loss.nll %lp, %t weight(%w) {ignore_index = 2 : i64, reduction = #loss.reduction<none>}
      : (tensor<2x3x5x6xf32>, tensor<2x5x6xi64>, tensor<3xf32>) -> tensor<2x5x6xf32>
  return %l : tensor<2x5x6xf32>
}

// -----

// Unbatched [C]: axis 0 and axis -1 are both the class axis.
// CHECK-LABEL: func.func @fuse_unbatched
// CHECK-NOT:     loss.log_softmax
// CHECK:         %[[A:.*]] = loss.softmax_cross_entropy %arg0, %arg1 {reduction = #loss.reduction<sum>} : (tensor<10xf16>, tensor<i64>) -> tensor<f16>{{$}}
// CHECK-NEXT:    %[[B:.*]] = loss.softmax_cross_entropy %arg0, %arg1 weight(%arg2) {ignore_index = -1 : i64} : (tensor<10xf16>, tensor<i64>, tensor<10xf16>) -> tensor<f16>{{$}}
// CHECK-NOT:     loss.nll
// CHECK:         return %[[A]], %[[B]]
func.func @fuse_unbatched(%x: tensor<10xf16>, %t: tensor<i64>, %w: tensor<10xf16>) -> (tensor<f16>, tensor<f16>) {
  %lp0 = loss.log_softmax %x {axis = 0 : i64} : tensor<10xf16>
  %a = loss.nll %lp0, %t {reduction = #loss.reduction<sum>} : (tensor<10xf16>, tensor<i64>) -> tensor<f16>
  %lp1 = loss.log_softmax %x {axis = -1 : i64} : tensor<10xf16>
  %b = loss.nll %lp1, %t weight(%w) {ignore_index = -1 : i64} : (tensor<10xf16>, tensor<i64>, tensor<10xf16>) -> tensor<f16>
  return %a, %b : tensor<f16>, tensor<f16>
}

// -----

// Dynamic dimensions.
// CHECK-LABEL: func.func @fuse_dynamic
// CHECK-NOT:     loss.log_softmax
// CHECK:         %[[L:.*]] = loss.softmax_cross_entropy %arg0, %arg1 {reduction = #loss.reduction<none>} : (tensor<?x?xbf16>, tensor<?xi8>) -> tensor<?xbf16>{{$}}
// CHECK:         return %[[L]]
func.func @fuse_dynamic(%x: tensor<?x?xbf16>, %t: tensor<?xi8>) -> tensor<?xbf16> {
  %lp = loss.log_softmax %x {axis = 1 : i64} : tensor<?x?xbf16>
  %l = loss.nll %lp, %t {reduction = #loss.reduction<none>} : (tensor<?x?xbf16>, tensor<?xi8>) -> tensor<?xbf16>
  return %l : tensor<?xbf16>
}

//===----------------------------------------------------------------------===//
// Log-probabilities with other users: the fused op also returns log_prob.
//===----------------------------------------------------------------------===//

// -----

// Users after the nll.
// CHECK-LABEL: func.func @log_prob_user_after
// CHECK-NOT:     loss.log_softmax
// CHECK:         %[[L:[a-z_0-9]+]], %[[LP:[a-z_0-9]+]] = loss.softmax_cross_entropy %arg0, %arg1 weight(%arg2) {reduction = #loss.reduction<sum>} : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> (tensor<f32>, tensor<4x10xf32>){{$}}
// CHECK-NEXT:    %[[E:.*]] = math.exp %[[LP]] : tensor<4x10xf32>
// CHECK-NOT:     loss.
// CHECK:         return %[[L]], %[[E]], %[[LP]]
func.func @log_prob_user_after(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %w: tensor<10xf32>)
    -> (tensor<f32>, tensor<4x10xf32>, tensor<4x10xf32>) {
  %lp = loss.log_softmax %x {axis = 1 : i64} : tensor<4x10xf32>
  %l = loss.nll %lp, %t weight(%w) {reduction = #loss.reduction<sum>}
      : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> tensor<f32>
  %e = math.exp %lp : tensor<4x10xf32>
  return %l, %e, %lp : tensor<f32>, tensor<4x10xf32>, tensor<4x10xf32>
}

// -----

// A user between log_softmax and nll: the fused op goes where the
// log-probabilities were computed.
// CHECK-LABEL: func.func @log_prob_user_before
// CHECK-NOT:     loss.log_softmax
// CHECK:         %[[L:[a-z_0-9]+]], %[[LP:[a-z_0-9]+]] = loss.softmax_cross_entropy %arg0, %arg1 {ignore_index = 0 : i64} : (tensor<2x3x4xf32>, tensor<2x4xi64>) -> (tensor<f32>, tensor<2x3x4xf32>){{$}}
// CHECK-NEXT:    %[[E:.*]] = math.exp %[[LP]] : tensor<2x3x4xf32>
// CHECK-NOT:     loss.
// CHECK:         return %[[L]], %[[E]]
func.func @log_prob_user_before(%x: tensor<2x3x4xf32>, %t: tensor<2x4xi64>) -> (tensor<f32>, tensor<2x3x4xf32>) {
  %lp = loss.log_softmax %x {axis = 1 : i64} : tensor<2x3x4xf32>
  %e = math.exp %lp : tensor<2x3x4xf32>
  %l = loss.nll %lp, %t {ignore_index = 0 : i64} : (tensor<2x3x4xf32>, tensor<2x4xi64>) -> tensor<f32>
  return %l, %e : tensor<f32>, tensor<2x3x4xf32>
}

// -----

// The weight only exists after the log_softmax, the other user comes after
// the nll: the fused op goes where the nll was.
// CHECK-LABEL: func.func @log_prob_late_weight
// CHECK-NOT:     loss.log_softmax
// CHECK:         %[[W:.*]] = math.absf %arg2 : tensor<10xf32>
// CHECK-NEXT:    %[[L:[a-z_0-9]+]], %[[LP:[a-z_0-9]+]] = loss.softmax_cross_entropy %arg0, %arg1 weight(%[[W]]) : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> (tensor<f32>, tensor<4x10xf32>){{$}}
// CHECK-NEXT:    %[[E:.*]] = math.exp %[[LP]] : tensor<4x10xf32>
// CHECK:         return %[[L]], %[[E]]
func.func @log_prob_late_weight(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %wa: tensor<10xf32>) -> (tensor<f32>, tensor<4x10xf32>) {
  %lp = loss.log_softmax %x {axis = 1 : i64} : tensor<4x10xf32>
  %w = math.absf %wa : tensor<10xf32>
  %l = loss.nll %lp, %t weight(%w) : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> tensor<f32>
  %e = math.exp %lp : tensor<4x10xf32>
  return %l, %e : tensor<f32>, tensor<4x10xf32>
}

// -----

// The other user is dead: no log_prob result is left behind.
// CHECK-LABEL: func.func @log_prob_dead_user
// CHECK-NOT:     loss.log_softmax
// CHECK:         %[[L:.*]] = loss.softmax_cross_entropy %arg0, %arg1 : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>{{$}}
// CHECK-NEXT:    return %[[L]]
func.func @log_prob_dead_user(%x: tensor<4x10xf32>, %t: tensor<4xi64>) -> tensor<f32> {
  %lp = loss.log_softmax %x {axis = 1 : i64} : tensor<4x10xf32>
  %dead = math.exp %lp : tensor<4x10xf32>
  %l = loss.nll %lp, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Exported graphs move the class axis last around the log_softmax
// (reshape, transpose, log_softmax, transpose back, reshape back, as ONNX's
// expanded SoftmaxCrossEntropyLoss): the layout ops cancel, and the users
// they leave behind while doing so are dead, so no log_prob remains.
// CHECK-LABEL: func.func @fuse_through_layout_ops
// CHECK-NOT:     linalg.transpose
// CHECK-NOT:     tensor.reshape
// CHECK-NOT:     loss.log_softmax
// CHECK:         %[[L:.*]] = loss.softmax_cross_entropy %arg0, %arg1 weight(%arg2) {reduction = #loss.reduction<sum>} : (tensor<3x5xf32>, tensor<3xi64>, tensor<5xf32>) -> tensor<f32>{{$}}
// CHECK-NEXT:    return %[[L]]
func.func @fuse_through_layout_ops(%x: tensor<3x5xf32>, %t: tensor<3xi64>, %w: tensor<5xf32>) -> tensor<f32> {
  %s3 = arith.constant dense<[3, 5, 1]> : tensor<3xi64>
  %s2 = arith.constant dense<[3, 5]> : tensor<2xi64>
  %r = tensor.reshape %x(%s3) : (tensor<3x5xf32>, tensor<3xi64>) -> tensor<3x5x1xf32>
  %e0 = tensor.empty() : tensor<3x1x5xf32>
  %tr = linalg.transpose ins(%r : tensor<3x5x1xf32>) outs(%e0 : tensor<3x1x5xf32>) permutation = [0, 2, 1]
  %lp = loss.log_softmax %tr {axis = 2 : i64} : tensor<3x1x5xf32>
  %e1 = tensor.empty() : tensor<3x5x1xf32>
  %back = linalg.transpose ins(%lp : tensor<3x1x5xf32>) outs(%e1 : tensor<3x5x1xf32>) permutation = [0, 2, 1]
  %lp2 = tensor.reshape %back(%s2) : (tensor<3x5x1xf32>, tensor<2xi64>) -> tensor<3x5xf32>
  %l = loss.nll %lp2, %t weight(%w) {reduction = #loss.reduction<sum>}
      : (tensor<3x5xf32>, tensor<3xi64>, tensor<5xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Two nlls of the same log-probabilities: one of them fuses, the other reads
// the fused op's log_prob.
// CHECK-LABEL: func.func @two_nlls
// CHECK-NOT:     loss.log_softmax
// CHECK:         %[[L:[a-z_0-9]+]], %[[LP:[a-z_0-9]+]] = loss.softmax_cross_entropy %arg0, %arg1 {{.*}}-> (tensor<f32>, tensor<4x10xf32>){{$}}
// CHECK-NEXT:    loss.nll %[[LP]], %arg1 {{.*}}-> tensor<f32>{{$}}
// CHECK-NEXT:    return
func.func @two_nlls(%x: tensor<4x10xf32>, %t: tensor<4xi64>) -> (tensor<f32>, tensor<f32>) {
  %lp = loss.log_softmax %x {axis = 1 : i64} : tensor<4x10xf32>
  %a = loss.nll %lp, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  %b = loss.nll %lp, %t {reduction = #loss.reduction<sum>} : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %a, %b : tensor<f32>, tensor<f32>
}

//===----------------------------------------------------------------------===//
// log(softmax(x)) as front ends spell it.
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @fuse_math_log_linalg_softmax
// CHECK-NOT:     linalg.softmax
// CHECK-NOT:     math.log
// CHECK:         %[[L:.*]] = loss.softmax_cross_entropy %arg0, %arg1 weight(%arg2) {ignore_index = 1 : i64, reduction = #loss.reduction<none>} : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> tensor<4xf32>{{$}}
// CHECK-NOT:     linalg.softmax
// CHECK-NOT:     loss.nll
// CHECK:         return %[[L]]
func.func @fuse_math_log_linalg_softmax(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %w: tensor<10xf32>) -> tensor<4xf32> {
  %init = tensor.empty() : tensor<4x10xf32>
  %sm = linalg.softmax dimension(1) ins(%x : tensor<4x10xf32>) outs(%init : tensor<4x10xf32>) -> tensor<4x10xf32>
  %lp = math.log %sm : tensor<4x10xf32>
  %l = loss.nll %lp, %t weight(%w) {ignore_index = 1 : i64, reduction = #loss.reduction<none>}
      : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> tensor<4xf32>
  return %l : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @fuse_generic_log_linalg_softmax
// CHECK-NOT:     linalg.softmax
// CHECK-NOT:     linalg.generic
// CHECK:         %[[L:.*]] = loss.softmax_cross_entropy %arg0, %arg1 : (tensor<2x5x3xf64>, tensor<2x3xi64>) -> tensor<f64>{{$}}
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[L]]
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @fuse_generic_log_linalg_softmax(%x: tensor<2x5x3xf64>, %t: tensor<2x3xi64>) -> tensor<f64> {
  %init = tensor.empty() : tensor<2x5x3xf64>
  %sm = linalg.softmax dimension(1) ins(%x : tensor<2x5x3xf64>) outs(%init : tensor<2x5x3xf64>) -> tensor<2x5x3xf64>
  %lp = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%sm : tensor<2x5x3xf64>) outs(%init : tensor<2x5x3xf64>) {
  ^bb0(%in: f64, %out: f64):
    %v = math.log %in : f64
    linalg.yield %v : f64
  } -> tensor<2x5x3xf64>
  %l = loss.nll %lp, %t : (tensor<2x5x3xf64>, tensor<2x3xi64>) -> tensor<f64>
  return %l : tensor<f64>
}

// -----

// Unbatched softmax along dimension 0.
// CHECK-LABEL: func.func @fuse_math_log_softmax_unbatched
// CHECK-NOT:     linalg.softmax
// CHECK:         %[[L:.*]] = loss.softmax_cross_entropy %arg0, %arg1 : (tensor<7xf32>, tensor<i32>) -> tensor<f32>{{$}}
// CHECK:         return %[[L]]
func.func @fuse_math_log_softmax_unbatched(%x: tensor<7xf32>, %t: tensor<i32>) -> tensor<f32> {
  %init = tensor.empty() : tensor<7xf32>
  %sm = linalg.softmax dimension(0) ins(%x : tensor<7xf32>) outs(%init : tensor<7xf32>) -> tensor<7xf32>
  %lp = math.log %sm : tensor<7xf32>
  %l = loss.nll %lp, %t : (tensor<7xf32>, tensor<i32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// The log of the softmax has another user; the softmax itself too.
// CHECK-LABEL: func.func @fuse_math_log_softmax_other_users
// CHECK:         %[[SM:.*]] = linalg.softmax dimension(1) ins(%arg0 : tensor<4x10xf32>)
// CHECK-NOT:     math.log
// CHECK:         %[[L:[a-z_0-9]+]], %[[LP:[a-z_0-9]+]] = loss.softmax_cross_entropy %arg0, %arg1 : (tensor<4x10xf32>, tensor<4xi64>) -> (tensor<f32>, tensor<4x10xf32>){{$}}
// CHECK-NOT:     math.log
// CHECK:         return %[[L]], %[[LP]], %[[SM]]
func.func @fuse_math_log_softmax_other_users(%x: tensor<4x10xf32>, %t: tensor<4xi64>)
    -> (tensor<f32>, tensor<4x10xf32>, tensor<4x10xf32>) {
  %init = tensor.empty() : tensor<4x10xf32>
  %sm = linalg.softmax dimension(1) ins(%x : tensor<4x10xf32>) outs(%init : tensor<4x10xf32>) -> tensor<4x10xf32>
  %lp = math.log %sm : tensor<4x10xf32>
  %l = loss.nll %lp, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %l, %lp, %sm : tensor<f32>, tensor<4x10xf32>, tensor<4x10xf32>
}

//===----------------------------------------------------------------------===//
// Left alone.
//===----------------------------------------------------------------------===//

// -----

// axis 0 of [N, C] is the batch, not the class axis.
// CHECK-LABEL: func.func @no_fuse_batch_axis
// CHECK:         %[[LP:.*]] = loss.log_softmax %arg0 {axis = 0 : i64} : tensor<4x10xf32>
// CHECK-NEXT:    loss.nll %[[LP]], %arg1 :
// CHECK-NOT:     loss.softmax_cross_entropy
func.func @no_fuse_batch_axis(%x: tensor<4x10xf32>, %t: tensor<4xi64>) -> tensor<f32> {
  %lp = loss.log_softmax %x {axis = 0 : i64} : tensor<4x10xf32>
  %l = loss.nll %lp, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// axis -1 of [N, C, d] is the last spatial axis.
// CHECK-LABEL: func.func @no_fuse_last_axis_kdim
// CHECK:         %[[LP:.*]] = loss.log_softmax %arg0 : tensor<2x3x4xf32>
// CHECK-NEXT:    loss.nll %[[LP]], %arg1 :
// CHECK-NOT:     loss.softmax_cross_entropy
func.func @no_fuse_last_axis_kdim(%x: tensor<2x3x4xf32>, %t: tensor<2x4xi64>) -> tensor<f32> {
  %lp = loss.log_softmax %x : tensor<2x3x4xf32>
  %l = loss.nll %lp, %t : (tensor<2x3x4xf32>, tensor<2x4xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// nll of something that is not a log_softmax.
// CHECK-LABEL: func.func @no_fuse_not_log_softmax
// CHECK:         loss.nll %arg0, %arg1 :
// CHECK:         %[[N:.*]] = arith.negf %arg0 : tensor<4x10xf32>
// CHECK-NEXT:    loss.nll %[[N]], %arg1 :
// CHECK-NOT:     loss.softmax_cross_entropy
func.func @no_fuse_not_log_softmax(%x: tensor<4x10xf32>, %t: tensor<4xi64>) -> (tensor<f32>, tensor<f32>) {
  %a = loss.nll %x, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  %n = arith.negf %x : tensor<4x10xf32>
  %b = loss.nll %n, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %a, %b : tensor<f32>, tensor<f32>
}

// -----

// A softmax without the log.
// CHECK-LABEL: func.func @no_fuse_softmax_without_log
// CHECK:         %[[SM:.*]] = linalg.softmax
// CHECK-NEXT:    loss.nll %[[SM]], %arg1 :
// CHECK-NOT:     loss.softmax_cross_entropy
func.func @no_fuse_softmax_without_log(%x: tensor<4x10xf32>, %t: tensor<4xi64>) -> tensor<f32> {
  %init = tensor.empty() : tensor<4x10xf32>
  %sm = linalg.softmax dimension(1) ins(%x : tensor<4x10xf32>) outs(%init : tensor<4x10xf32>) -> tensor<4x10xf32>
  %l = loss.nll %sm, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// The log of something else than a softmax.
// CHECK-LABEL: func.func @no_fuse_log_of_other
// CHECK:         %[[LG:.*]] = math.log %arg0 : tensor<4x10xf32>
// CHECK-NEXT:    loss.nll %[[LG]], %arg1 :
// CHECK-NOT:     loss.softmax_cross_entropy
func.func @no_fuse_log_of_other(%x: tensor<4x10xf32>, %t: tensor<4xi64>) -> tensor<f32> {
  %lg = math.log %x : tensor<4x10xf32>
  %l = loss.nll %lg, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// log of a softmax along the batch dimension.
// CHECK-LABEL: func.func @no_fuse_softmax_batch_dim
// CHECK:         linalg.softmax dimension(0)
// CHECK-NEXT:    %[[LG:.*]] = math.log
// CHECK-NEXT:    loss.nll %[[LG]], %arg1 :
// CHECK-NOT:     loss.softmax_cross_entropy
func.func @no_fuse_softmax_batch_dim(%x: tensor<4x10xf32>, %t: tensor<4xi64>) -> tensor<f32> {
  %init = tensor.empty() : tensor<4x10xf32>
  %sm = linalg.softmax dimension(0) ins(%x : tensor<4x10xf32>) outs(%init : tensor<4x10xf32>) -> tensor<4x10xf32>
  %lg = math.log %sm : tensor<4x10xf32>
  %l = loss.nll %lg, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A linalg.generic over a softmax that is not an elementwise log: exp, and a
// log through a transposing map.
#id = affine_map<(d0, d1) -> (d0, d1)>
#tr = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-LABEL: func.func @no_fuse_generic_not_log
// CHECK:         %[[E:.*]] = linalg.generic
// CHECK:           math.exp
// CHECK:         loss.nll %[[E]], %arg1 :
// CHECK:         %[[T:.*]] = linalg.generic
// CHECK:           math.log
// CHECK:         loss.nll %[[T]], %arg1 :
// CHECK-NOT:     loss.softmax_cross_entropy
func.func @no_fuse_generic_not_log(%x: tensor<4x4xf32>, %t: tensor<4xi64>) -> (tensor<f32>, tensor<f32>) {
  %init = tensor.empty() : tensor<4x4xf32>
  %sm = linalg.softmax dimension(1) ins(%x : tensor<4x4xf32>) outs(%init : tensor<4x4xf32>) -> tensor<4x4xf32>
  %e = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%sm : tensor<4x4xf32>) outs(%init : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = math.exp %in : f32
    linalg.yield %v : f32
  } -> tensor<4x4xf32>
  %a = loss.nll %e, %t : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<f32>
  %tl = linalg.generic {indexing_maps = [#tr, #id], iterator_types = ["parallel", "parallel"]}
      ins(%sm : tensor<4x4xf32>) outs(%init : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = math.log %in : f32
    linalg.yield %v : f32
  } -> tensor<4x4xf32>
  %b = loss.nll %tl, %t : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<f32>
  return %a, %b : tensor<f32>, tensor<f32>
}

// -----

// The log-probabilities are used before the nll, and the weight only exists
// after that use: no place dominates both, so nothing changes.
// CHECK-LABEL: func.func @no_fuse_no_insertion_point
// CHECK:         %[[LP:.*]] = loss.log_softmax %arg0 {axis = 1 : i64}
// CHECK-NEXT:    math.exp %[[LP]]
// CHECK-NEXT:    %[[W:.*]] = math.absf %arg2
// CHECK-NEXT:    loss.nll %[[LP]], %arg1 weight(%[[W]]) :
// CHECK-NOT:     loss.softmax_cross_entropy
func.func @no_fuse_no_insertion_point(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %wa: tensor<10xf32>) -> (tensor<f32>, tensor<4x10xf32>) {
  %lp = loss.log_softmax %x {axis = 1 : i64} : tensor<4x10xf32>
  %e = math.exp %lp : tensor<4x10xf32>
  %w = math.absf %wa : tensor<10xf32>
  %l = loss.nll %lp, %t weight(%w) : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> tensor<f32>
  return %l, %e : tensor<f32>, tensor<4x10xf32>
}

// -----

// An unbatched nll whose weight is the log-probabilities themselves: they
// must exist anyway (this used to build a fused op that used its own result).
// CHECK-LABEL: func.func @no_fuse_log_prob_is_weight
// CHECK:         %[[LP:.*]] = loss.log_softmax %arg0 : tensor<5xf32>
// CHECK-NEXT:    loss.nll %[[LP]], %arg1 weight(%[[LP]]) :
// CHECK-NOT:     loss.softmax_cross_entropy
func.func @no_fuse_log_prob_is_weight(%x: tensor<5xf32>, %t: tensor<i64>) -> (tensor<f32>, tensor<5xf32>) {
  %lp = loss.log_softmax %x : tensor<5xf32>
  %l = loss.nll %lp, %t weight(%lp) : (tensor<5xf32>, tensor<i64>, tensor<5xf32>) -> tensor<f32>
  return %l, %lp : tensor<f32>, tensor<5xf32>
}
