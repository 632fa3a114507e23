// RUN: loss-opt %s --serialize-nested-parallel | FileCheck %s

// The outermost scf.parallel stays (threads); the one nested in the
// sequential reduction loop becomes scf.for (it vectorizes instead).

// CHECK-LABEL: func.func @lanes
// CHECK:         scf.parallel (%[[ROW:.*]]) =
// CHECK:           scf.for %[[K:.*]] =
// CHECK-NOT:         scf.parallel
// CHECK:             scf.for %[[V:.*]] = %c0 to %c16 step %c1
// CHECK:               memref.load %{{.*}}[%[[ROW]], %[[K]], %[[V]]]
// CHECK:               memref.store %{{.*}}, %{{.*}}[%[[ROW]], %[[V]]]
func.func @lanes(%x: memref<8x4x16xf32>, %acc: memref<8x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    scf.for %k = %c0 to %c4 step %c1 {
      scf.parallel (%v) = (%c0) to (%c16) step (%c1) {
        %a = memref.load %x[%i, %k, %v] : memref<8x4x16xf32>
        %b = memref.load %acc[%i, %v] : memref<8x16xf32>
        %s = arith.addf %a, %b : f32
        memref.store %s, %acc[%i, %v] : memref<8x16xf32>
        scf.reduce
      }
    }
    scf.reduce
  }
  return
}

// Parallel loops with reductions are left alone.

// CHECK-LABEL: func.func @nested_reduction
// CHECK:         scf.for
// CHECK:           scf.parallel
// CHECK:             scf.reduce
func.func @nested_reduction(%x: memref<4x16xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0.0 : f32
  %r = scf.for %k = %c0 to %c4 step %c1 iter_args(%acc = %zero) -> f32 {
    %s = scf.parallel (%v) = (%c0) to (%c16) step (%c1) init (%acc) -> f32 {
      %a = memref.load %x[%k, %v] : memref<4x16xf32>
      scf.reduce(%a : f32) {
      ^bb0(%l: f32, %r: f32):
        %t = arith.addf %l, %r : f32
        scf.reduce.return %t : f32
      }
    }
    scf.yield %s : f32
  }
  return %r : f32
}

// A two-dimensional parallel loop keeps its outer dimension parallel (the
// threads) and runs the inner one as scf.for (vectorized), rather than
// letting scf-to-openmp collapse both into one linear space.

// CHECK-LABEL: func.func @rows_and_columns
// CHECK:         scf.parallel (%[[I:.*]]) = (%c0) to (%c8) step (%c1) {
// CHECK-NEXT:      scf.for %[[J:.*]] = %c0 to %c16 step %c1 {
// CHECK-NEXT:        memref.load %{{.*}}[%[[I]], %[[J]]]
// CHECK-NEXT:        math.exp
// CHECK-NEXT:        memref.store %{{.*}}, %{{.*}}[%[[I]], %[[J]]]
// CHECK-NOT:     scf.parallel
func.func @rows_and_columns(%x: memref<8x16xf32>, %y: memref<8x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c16) step (%c1, %c1) {
    %a = memref.load %x[%i, %j] : memref<8x16xf32>
    %e = math.exp %a : f32
    memref.store %e, %y[%i, %j] : memref<8x16xf32>
    scf.reduce
  }
  return
}
