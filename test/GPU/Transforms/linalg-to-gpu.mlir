// RUN: loss-opt %s --map-linalg-to-gpu --canonicalize --cse | FileCheck %s

// The generic mapping of linalg ops on buffers to kernels, one per shape of
// iteration space; each kernel names its mapping in `loss.mapping`.

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#sc = affine_map<(d0, d1) -> ()>

// All loops parallel: a grid-stride loop over the linearised space, the
// innermost dim fastest across threads (coalesced).
// CHECK-LABEL: func.func @elementwise
// CHECK:         %[[D0:.*]] = memref.dim %arg0, %c0
// CHECK:         %[[D1:.*]] = memref.dim %arg0, %c1
// CHECK:         %[[TOTAL:.*]] = arith.muli %[[D0]], %[[D1]]
// CHECK:         %[[G0:.*]] = arith.ceildivui %[[TOTAL]], %c256
// CHECK:         gpu.launch blocks(%[[BX:[a-z0-9]+]], %{{[a-z0-9]+}}, %{{[a-z0-9]+}}) in (%[[GX:[a-z0-9]+]] = %{{[a-z0-9]+}}, %{{[a-z0-9]+}} = %c1, %{{[a-z0-9]+}} = %c1) threads(%[[TX:[a-z0-9]+]], %{{[a-z0-9]+}}, %{{[a-z0-9]+}}) in (%[[BS:[a-z0-9]+]] = %c256,
// CHECK:           %[[B:.*]] = arith.muli %[[BX]], %[[BS]]
// CHECK:           %[[GID:.*]] = arith.addi %[[B]], %[[TX]]
// CHECK:           %[[STRIDE:.*]] = arith.muli %[[GX]], %[[BS]]
// CHECK:           scf.for %[[I:.*]] = %[[GID]] to %[[TOTAL]] step %[[STRIDE]] {
// CHECK:             %[[IDX:.*]]:2 = affine.delinearize_index %[[I]] into (%[[D0]], %[[D1]])
// CHECK:             memref.load %arg0[%[[IDX]]#0, %[[IDX]]#1]
// CHECK:             memref.store %{{.*}}, %arg2[%[[IDX]]#0, %[[IDX]]#1]
// CHECK:         } {loss.mapping = "elementwise"}
func.func @elementwise(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %o: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
    ins(%a, %b : memref<?x?xf32>, memref<?x?xf32>) outs(%o : memref<?x?xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %s = arith.subf %x, %y : f32
    %q = arith.mulf %s, %s : f32
    linalg.yield %q : f32
  }
  return
}

// Row reductions whose results are all `acc = op(acc, f(x))`: a block per
// row, thread-local partials from the identities (0, -inf), one all_reduce
// per result, a barrier, thread 0 folds into the outputs.
// CHECK-LABEL: func.func @row_sum_max
// CHECK-DAG:     %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         gpu.launch blocks(%[[BX:[a-z0-9]+]], %{{[a-z0-9]+}}, %{{[a-z0-9]+}}) in (%[[GX:[a-z0-9]+]] = %{{[a-z0-9]+}}, %{{[a-z0-9]+}} = %c1, %{{[a-z0-9]+}} = %c1) threads(%[[TX:[a-z0-9]+]], %{{[a-z0-9]+}}, %{{[a-z0-9]+}}) in (%[[BS:[a-z0-9]+]] = %{{[a-z0-9]+}},
// CHECK:           scf.for %[[R:.*]] = %[[BX]] to %{{.*}} step %[[GX]] {
// CHECK:             %[[P:.*]]:2 = scf.for %{{.*}} = %[[TX]] to %{{.*}} step %[[BS]] iter_args(%{{.*}} = %[[ZERO]], %{{.*}} = %[[NEGINF]]) -> (f32, f32)
// CHECK:             %[[S:.*]] = gpu.all_reduce add %[[P]]#0 uniform
// CHECK:             %[[M:.*]] = gpu.all_reduce maximumf %[[P]]#1 uniform
// CHECK:             gpu.barrier
// CHECK:             scf.if
// CHECK:               %[[S0:.*]] = memref.load %arg1[%[[R]]]
// CHECK:               %[[M0:.*]] = memref.load %arg2[%[[R]]]
// CHECK:               arith.addf %[[S0]], %[[S]]
// CHECK:               arith.maximumf %[[M0]], %[[M]]
// CHECK:         } {loss.mapping = "block-per-row"}
func.func @row_sum_max(%a: memref<?x?xf32>, %s: memref<?xf32>, %m: memref<?xf32>) {
  linalg.generic {indexing_maps = [#id2, #row, #row], iterator_types = ["parallel", "reduction"]}
    ins(%a : memref<?x?xf32>) outs(%s, %m : memref<?xf32>, memref<?xf32>) {
  ^bb0(%x: f32, %acc: f32, %mx: f32):
    %e = math.exp %x : f32
    %n = arith.addf %acc, %e : f32
    %k = arith.maximumf %x, %mx : f32
    linalg.yield %n, %k : f32, f32
  }
  return
}

// A full reduction: one partial per block (grid-stride), then one block
// reduces the partials into the output: deterministic, no atomics.
// CHECK-LABEL: func.func @full_sum
// CHECK-DAG:     %[[PF:.*]] = memref.alloc() : memref<32xf64>
// CHECK-DAG:     %[[PI:.*]] = memref.alloc() : memref<32xi64>
// CHECK:         gpu.launch blocks(%[[BX:[a-z0-9]+]], %{{[a-z0-9]+}}, %{{[a-z0-9]+}}) in (%{{[a-z0-9]+}} = %c32,
// CHECK:           scf.for {{.*}} to %c8000 step {{.*}} -> (f64, i64)
// CHECK:           gpu.all_reduce add %{{.*}}#0 uniform
// CHECK:           } : (f64) -> f64
// CHECK:           gpu.all_reduce add %{{.*}}#1 uniform
// CHECK:           } : (i64) -> i64
// CHECK:           gpu.barrier
// CHECK:           scf.if
// CHECK:             memref.store %{{.*}}, %[[PF]][%[[BX]]]
// CHECK:             memref.store %{{.*}}, %[[PI]][%[[BX]]]
// CHECK:         } {loss.mapping = "full-reduction-partials"}
// CHECK:         gpu.launch blocks(%{{.*}}) in (%{{.*}} = %c1,
// CHECK:           scf.for {{.*}} to %c32 step
// CHECK:             memref.load %[[PF]]
// CHECK:             memref.load %[[PI]]
// CHECK:           gpu.all_reduce add
// CHECK:           gpu.all_reduce add
// CHECK:           scf.if
// CHECK:             memref.store %{{.*}}, %arg1[]
// CHECK:             memref.store %{{.*}}, %arg2[]
// CHECK:         } {loss.mapping = "full-reduction-final"}
// CHECK:         memref.dealloc %[[PF]]
// CHECK:         memref.dealloc %[[PI]]
func.func @full_sum(%a: memref<8x1000xf64>, %s: memref<f64>, %c: memref<i64>) {
  linalg.generic {indexing_maps = [#id2, #sc, #sc], iterator_types = ["reduction", "reduction"]}
    ins(%a : memref<8x1000xf64>) outs(%s, %c : memref<f64>, memref<i64>) {
  ^bb0(%x: f64, %acc: f64, %cnt: i64):
    %n = arith.addf %acc, %x : f64
    %one = arith.constant 1 : i64
    %k = arith.addi %cnt, %one : i64
    linalg.yield %n, %k : f64, i64
  }
  return
}

// A reduction that cannot be split (the accumulators are selected, not
// combined): a thread per row runs the reduction loop in order.
// CHECK-LABEL: func.func @argmax_like
// CHECK:         gpu.launch
// CHECK:           scf.for %[[R:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:             %[[M0:.*]] = memref.load %arg1[%[[R]]]
// CHECK:             %[[I0:.*]] = memref.load %arg2[%[[R]]]
// CHECK:             %[[RED:.*]]:2 = scf.for %[[J:.*]] = %c0 to %{{.*}} step %c1 iter_args(%{{.*}} = %[[M0]], %{{.*}} = %[[I0]])
// CHECK:               arith.index_cast %[[J]] : index to i64
// CHECK:             memref.store %[[RED]]#0, %arg1[%[[R]]]
// CHECK:             memref.store %[[RED]]#1, %arg2[%[[R]]]
// CHECK:         } {loss.mapping = "thread-per-row"}
// CHECK-NOT:     gpu.all_reduce
func.func @argmax_like(%a: memref<?x?xf32>, %m: memref<?xf32>, %i: memref<?xi64>) {
  linalg.generic {indexing_maps = [#id2, #row, #row], iterator_types = ["parallel", "reduction"]}
    ins(%a : memref<?x?xf32>) outs(%m, %i : memref<?xf32>, memref<?xi64>) {
  ^bb0(%x: f32, %mx: f32, %ix: i64):
    %j = linalg.index 1 : index
    %ji = arith.index_cast %j : index to i64
    %gt = arith.cmpf ogt, %x, %mx : f32
    %nm = arith.select %gt, %x, %mx : f32
    %ni = arith.select %gt, %ji, %ix : i64
    linalg.yield %nm, %ni : f32, i64
  }
  return
}

// Outputs that distinct points may share: one thread, in loop order.
// CHECK-LABEL: func.func @broadcast_write
// CHECK:         gpu.launch blocks(%{{.*}}) in (%{{.*}} = %c1, %{{.*}} = %c1, %{{.*}} = %c1) threads(%{{.*}}) in (%{{.*}} = %c1,
// CHECK:           scf.for %{{.*}} = %c0 to %c16 step %c1
// CHECK:         } {loss.mapping = "serial"}
func.func @broadcast_write(%a: memref<4xf32>, %o: memref<4x4xf32>) {
  linalg.generic {indexing_maps = [#row, affine_map<(d0, d1) -> (d1, d1)>], iterator_types = ["parallel", "parallel"]}
    ins(%a : memref<4xf32>) outs(%o : memref<4x4xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  }
  return
}

// Named ops are generalised first.
// CHECK-LABEL: func.func @fill
// CHECK:         gpu.launch
// CHECK:           memref.store %{{.*}}, %arg0
// CHECK:         } {loss.mapping = "elementwise"}
// CHECK-NOT:     linalg.fill
func.func @fill(%o: memref<3x5xf16>) {
  %c = arith.constant 1.0 : f16
  linalg.fill ins(%c : f16) outs(%o : memref<3x5xf16>)
  return
}

// An online pair (running max m, sum s rescaled when m rises, as in the
// online softmax or the scaled p-norm) splits too: threads start from the
// output's m and s = 0; the block's max is an all_reduce, each thread's sum
// is rescaled to it with the body's own weight q(m_t, M) (1 when equal) and
// summed; thread 0 merges the result into the output the same way.
// CHECK-LABEL: func.func @online_logsumexp
// CHECK:         gpu.launch
// CHECK:           scf.for %[[R:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:             %[[M0:.*]] = memref.load %arg1[%[[R]]]
// CHECK:             %[[P:.*]]:2 = scf.for {{.*}} iter_args(%{{.*}} = %[[M0]], %{{.*}} = %cst{{.*}}) -> (f32, f32)
// CHECK:             %[[M:.*]] = gpu.all_reduce maximumf %[[P]]#0 uniform
// CHECK:             %[[SAME:.*]] = arith.cmpf oeq, %[[P]]#0, %[[M]]
// CHECK:             %[[D:.*]] = arith.subf %[[P]]#0, %[[M]]
// CHECK:             %[[A:.*]] = math.absf %[[D]]
// CHECK:             %[[N:.*]] = arith.negf %[[A]]
// CHECK:             %[[Q:.*]] = math.exp %[[N]]
// CHECK:             %[[W:.*]] = arith.select %[[SAME]], %{{.*}}, %[[Q]]
// CHECK:             %[[C:.*]] = arith.mulf %[[P]]#1, %[[W]]
// CHECK:             %[[CS:.*]] = arith.select %{{.*}}, %{{.*}}, %[[C]]
// CHECK:             gpu.all_reduce add %[[CS]] uniform
// CHECK:             gpu.barrier
// CHECK:             scf.if
// CHECK:               arith.maximumf
// CHECK:               memref.store %{{.*}}, %arg1[%[[R]]]
// CHECK:               memref.store %{{.*}}, %arg2[%[[R]]]
// CHECK:         } {loss.mapping = "block-per-row"}
func.func @online_logsumexp(%a: memref<?x?xf32>, %m: memref<?xf32>, %s: memref<?xf32>) {
  linalg.generic {indexing_maps = [#id2, #row, #row], iterator_types = ["parallel", "reduction"]}
    ins(%a : memref<?x?xf32>) outs(%m, %s : memref<?xf32>, memref<?xf32>) {
  ^bb0(%x: f32, %mx: f32, %sum: f32):
    %zero = arith.constant 0.0 : f32
    %one = arith.constant 1.0 : f32
    %d = arith.subf %x, %mx : f32
    %raises = arith.cmpf ogt, %d, %zero : f32
    %ad = math.absf %d : f32
    %nd = arith.negf %ad : f32
    %e = math.exp %nd : f32
    %se = arith.mulf %sum, %e : f32
    %r = arith.addf %se, %one : f32
    %k = arith.addf %sum, %e : f32
    %nm = arith.select %raises, %x, %mx : f32
    %ns = arith.select %raises, %r, %k : f32
    linalg.yield %nm, %ns : f32, f32
  }
  return
}
