// RUN: loss-opt %s --vectorize-lane-reductions --canonicalize | FileCheck %s

#in3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#lanes = affine_map<(d0, d1, d2) -> (d0, d2)>
#run = affine_map<(d0, d1, d2) -> (d0, d1)>
#out = affine_map<(d0, d1, d2) -> (d0, d2)>

// The partials of block-sum-reductions: a forall over the blocks, the runs a
// loop on vector<16> accumulators (in registers), the body op for op on
// vectors; an operand indexed without the lane loop is read once per term
// and broadcast, a scalar from outside the body broadcast too.
// CHECK-LABEL: func.func @partials
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<?x32x16xf32>, %[[W:[a-z0-9]+]]: tensor<?x32xf32>, %[[B:[a-z0-9]+]]: tensor<?x16xf32>, %[[S:[a-z0-9]+]]: f32, %[[O:[a-z0-9]+]]: tensor<?x16xf32>
// CHECK:         %[[R:.*]] = scf.forall (%[[I:.*]]) in (%{{.*}}) shared_outs(%[[SH:.*]] = %[[O]]) -> (tensor<?x16xf32>)
// CHECK:           %[[ACC0:.*]] = vector.transfer_read %[[SH]][%[[I]], %c0]{{.*}} : tensor<?x16xf32>, vector<16xf32>
// CHECK:           %[[ACC:.*]] = scf.for %[[J:.*]] = %c0 to %c32 step %c1 iter_args(%[[A:.*]] = %[[ACC0]]) -> (vector<16xf32>)
// CHECK:             %[[XV:.*]] = vector.transfer_read %[[X]][%[[I]], %[[J]], %c0]{{.*}} : tensor<?x32x16xf32>, vector<16xf32>
// CHECK:             %[[WS:.*]] = tensor.extract %[[W]][%[[I]], %[[J]]] : tensor<?x32xf32>
// CHECK:             %[[BV:.*]] = vector.transfer_read %[[B]][%[[I]], %c0]{{.*}} : tensor<?x16xf32>, vector<16xf32>
// CHECK:             %[[WV:.*]] = vector.broadcast %[[WS]] : f32 to vector<16xf32>
// CHECK:             %[[M:.*]] = arith.mulf %[[XV]], %[[WV]] : vector<16xf32>
// CHECK:             %[[SV:.*]] = vector.broadcast %[[S]] : f32 to vector<16xf32>
// CHECK:             %[[Y:.*]] = arith.addf %[[M]], %[[SV]] : vector<16xf32>
// CHECK:             %[[Z:.*]] = arith.subf %[[Y]], %[[BV]] : vector<16xf32>
// CHECK:             %[[E:.*]] = math.absf %[[Z]] : vector<16xf32>
// CHECK:             %[[N:.*]] = arith.addf %[[A]], %[[E]] : vector<16xf32>
// CHECK:             scf.yield %[[N]] : vector<16xf32>
// CHECK:           vector.transfer_write %[[ACC]]
// CHECK:           scf.forall.in_parallel
// CHECK:             tensor.parallel_insert_slice %{{.*}} into %[[SH]][%[[I]], 0] [1, 16] [1, 1]
// CHECK:         return %[[R]]
func.func @partials(%x: tensor<?x32x16xf32>, %w: tensor<?x32xf32>, %b: tensor<?x16xf32>, %s: f32, %o: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %r = linalg.generic {indexing_maps = [#in3, #run, #lanes, #out], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x, %w, %b : tensor<?x32x16xf32>, tensor<?x32xf32>, tensor<?x16xf32>) outs(%o : tensor<?x16xf32>) {
  ^bb0(%xv: f32, %wv: f32, %bv: f32, %acc: f32):
    %m = arith.mulf %xv, %wv : f32
    %y = arith.addf %m, %s : f32
    %z = arith.subf %y, %bv : f32
    %e = math.absf %z : f32
    %n = arith.addf %acc, %e : f32
    linalg.yield %n : f32
  } -> tensor<?x16xf32>
  return %r : tensor<?x16xf32>
}

// Left alone: a body that reads its loop indices, a dynamic lane loop, a
// reduction that is not the second-to-last loop, and i1 operands (bit-packed
// as vectors in memory).
// CHECK-LABEL: func.func @with_index
// CHECK-NOT:     scf.forall
// CHECK:         linalg.generic
func.func @with_index(%x: tensor<8x32x16xf32>, %o: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %r = linalg.generic {indexing_maps = [#in3, #out], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x : tensor<8x32x16xf32>) outs(%o : tensor<8x16xf32>) {
  ^bb0(%xv: f32, %acc: f32):
    %i = linalg.index 1 : index
    %c = arith.index_cast %i : index to i64
    %f = arith.sitofp %c : i64 to f32
    %m = arith.mulf %xv, %f : f32
    %n = arith.addf %acc, %m : f32
    linalg.yield %n : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// CHECK-LABEL: func.func @dynamic_lanes
// CHECK-NOT:     scf.forall
// CHECK:         linalg.generic
func.func @dynamic_lanes(%x: tensor<8x32x?xf32>, %o: tensor<8x?xf32>) -> tensor<8x?xf32> {
  %r = linalg.generic {indexing_maps = [#in3, #out], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x : tensor<8x32x?xf32>) outs(%o : tensor<8x?xf32>) {
  ^bb0(%xv: f32, %acc: f32):
    %n = arith.addf %acc, %xv : f32
    linalg.yield %n : f32
  } -> tensor<8x?xf32>
  return %r : tensor<8x?xf32>
}

#rows = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @inner_reduction
// CHECK-NOT:     scf.forall
// CHECK:         linalg.generic
func.func @inner_reduction(%x: tensor<8x16x32xf32>, %o: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %r = linalg.generic {indexing_maps = [#in3, #rows], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : tensor<8x16x32xf32>) outs(%o : tensor<8x16xf32>) {
  ^bb0(%xv: f32, %acc: f32):
    %n = arith.addf %acc, %xv : f32
    linalg.yield %n : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// CHECK-LABEL: func.func @any_i1
// CHECK-NOT:     scf.forall
// CHECK:         linalg.generic
func.func @any_i1(%x: tensor<2x3x4xi1>, %o: tensor<2x4xi1>) -> tensor<2x4xi1> {
  %r = linalg.generic {indexing_maps = [#in3, #out], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x : tensor<2x3x4xi1>) outs(%o : tensor<2x4xi1>) {
  ^bb0(%xv: i1, %acc: i1):
    %n = arith.ori %xv, %acc : i1
    linalg.yield %n : i1
  } -> tensor<2x4xi1>
  return %r : tensor<2x4xi1>
}
