// RUN: loss-opt %s --prefetch-streams --split-input-file | FileCheck %s
// RUN: loss-opt %s --prefetch-streams=distance=256 --split-input-file | FileCheck %s --check-prefix=SHORT

// Rows streamed in vectors at the induction variable, in a contiguous
// buffer: a read prefetch 4096 bytes (1024 f32) ahead along the buffer's
// linear order (across rows), through a 1-D view made before the loop,
// clamped to the last element; the write stream gets a write prefetch.
// CHECK-LABEL: func.func @rows
// CHECK-SAME:    %[[X:[^:]*]]: memref<?x32000xf32>, %[[Y:[^:]*]]: memref<?x32000xf32>, %[[R:[^:]*]]: index
// CHECK:         %[[N:.*]] = memref.dim %[[X]], %{{.*}} : memref<?x32000xf32>
// CHECK:         %[[SIZE:.*]] = arith.muli %[[N]], %{{.*}} : index
// CHECK:         %[[FLAT:.*]] = memref.collapse_shape %[[X]] {{\[\[}}0, 1]] : memref<?x32000xf32> into memref<?xf32>
// CHECK:         memref.collapse_shape %[[Y]]
// CHECK:         scf.for %[[C:[^ ]*]] = %{{.*}} to %{{.*}} step %{{.*}}
// CHECK:           %[[LIN:.*]] = affine.linearize_index disjoint [%[[R]], %[[C]]] by (%[[N]], 32000) : index
// CHECK:           %[[LAST:.*]] = arith.subi %[[SIZE]], %{{.*}} : index
// CHECK:           %[[AHEAD:.*]] = arith.addi %[[LIN]], %{{.*}} : index
// CHECK:           %[[P:.*]] = arith.minsi %[[AHEAD]], %[[LAST]] : index
// CHECK:           memref.prefetch %[[FLAT]][%[[P]]], read, locality<3>, data : memref<?xf32>
// CHECK:           vector.transfer_read %[[X]]
// CHECK:           memref.prefetch %{{.*}}[%{{.*}}], write, locality<3>, data : memref<?xf32>
// CHECK:           vector.transfer_write %{{.*}}, %[[Y]]
// SHORT-LABEL: func.func @rows
// SHORT:         arith.constant 64 : index
// SHORT:         memref.prefetch
func.func @rows(%x: memref<?x32000xf32>, %y: memref<?x32000xf32>, %r: index) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c32000 = arith.constant 32000 : index
  %pad = arith.constant 0.0 : f32
  scf.for %c = %c0 to %c32000 step %c16 {
    %v = vector.transfer_read %x[%r, %c], %pad {in_bounds = [true]} : memref<?x32000xf32>, vector<16xf32>
    vector.transfer_write %v, %y[%r, %c] {in_bounds = [true]} : vector<16xf32>, memref<?x32000xf32>
  }
  return
}

// -----

// One dimension, dynamic: the clamp reads its size. vector.load, at an
// offset from the induction variable; f64 is 512 elements ahead.
// CHECK-LABEL: func.func @dynamic
// CHECK-SAME:    %[[X:[^:]*]]: memref<?xf64>
// CHECK:         %[[D:.*]] = memref.dim %[[X]], %{{.*}}
// CHECK:         scf.for %[[C:[^ ]*]] =
// CHECK:           %[[I:[^ ]*]] = arith.addi %[[C]], %{{.*}} : index
// CHECK:           %[[LAST:.*]] = arith.subi %[[D]], %{{.*}} : index
// CHECK:           %[[N:.*]] = arith.addi %[[I]], %c512 : index
// CHECK:           %[[P:.*]] = arith.minsi %[[N]], %[[LAST]] : index
// CHECK:           memref.prefetch %[[X]][%[[P]]], read, locality<3>, data
// CHECK:           vector.load %[[X]][%[[I]]]
func.func @dynamic(%x: memref<?xf64>, %n: index, %off: index) -> vector<8xf64> {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %z = arith.constant dense<0.0> : vector<8xf64>
  %s = scf.for %c = %c0 to %n step %c8 iter_args(%acc = %z) -> vector<8xf64> {
    %i = arith.addi %c, %off : index
    %v = vector.load %x[%i] : memref<?xf64>, vector<8xf64>
    %a = arith.addf %acc, %v : vector<8xf64>
    scf.yield %a : vector<8xf64>
  }
  return %s : vector<8xf64>
}

// -----

// The runs of a blocked reduction ([blocks, runs, lanes], the loop over the
// runs, one vector of lanes each): consecutive vectors, prefetched along
// the buffer. With vectors of half the lanes they are not consecutive.
// CHECK-LABEL: func.func @runs
// CHECK:         %[[FLAT:.*]] = memref.collapse_shape %{{.*}} {{\[\[}}0, 1, 2]] : memref<64x32x16xf32> into memref<32768xf32>
// CHECK:         scf.for %[[K:[^ ]*]] =
// CHECK:           affine.linearize_index disjoint [%{{.*}}, %[[K]], %{{.*}}] by (64, 32, 16)
// CHECK:           arith.minsi %{{.*}}, %c32767 : index
// CHECK:           memref.prefetch %[[FLAT]]
// CHECK:           vector.transfer_read
// CHECK-NOT:       memref.prefetch
// CHECK:           vector.transfer_read {{.*}} vector<8xf32>
func.func @runs(%x: memref<64x32x16xf32>, %h: memref<64x32x16xf32>, %b: index) -> vector<16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %pad = arith.constant 0.0 : f32
  %z = arith.constant dense<0.0> : vector<16xf32>
  %s = scf.for %k = %c0 to %c32 step %c1 iter_args(%acc = %z) -> vector<16xf32> {
    %v = vector.transfer_read %x[%b, %k, %c0], %pad {in_bounds = [true]} : memref<64x32x16xf32>, vector<16xf32>
    %w = vector.transfer_read %h[%b, %k, %c0], %pad {in_bounds = [true]} : memref<64x32x16xf32>, vector<8xf32>
    %ws = vector.insert_strided_slice %w, %v {offsets = [0], strides = [1]} : vector<8xf32> into vector<16xf32>
    %a = arith.addf %acc, %ws : vector<16xf32>
    scf.yield %a : vector<16xf32>
  }
  return %s : vector<16xf32>
}

// -----

// Left alone: a buffer no larger than the distance (in cache before a
// prefetch could help), a strided innermost dimension, an index that is not
// the induction variable plus an invariant, two indices that move, a read
// of the buffer the loop writes (only its write is prefetched), a
// transposed read.
// CHECK-LABEL: func.func @refused
// CHECK:         scf.for
// CHECK-NOT:       read, locality
// CHECK:           memref.prefetch %{{.*}}[%{{.*}}], write, locality<3>, data : memref<4096xf32>
// CHECK-NOT:       memref.prefetch
// CHECK:         return
// A shorter distance takes the small buffer.
// SHORT-LABEL: func.func @refused
// SHORT:         scf.for
// SHORT:           memref.prefetch %{{.*}}, read, locality<3>, data : memref<1000xf32>
// SHORT-NOT:       read, locality
// SHORT:           memref.prefetch %{{.*}}[%{{.*}}], write, locality<3>, data : memref<4096xf32>
// SHORT-NOT:       memref.prefetch
// SHORT:         return
func.func @refused(%short: memref<1x1000xf32>, %strided: memref<?x?xf32, strided<[1, ?]>>,
                   %x: memref<64x4096xf32>, %z: memref<4096xf32>, %t: memref<4096x64xf32>, %r: index) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c1000 = arith.constant 1000 : index
  %pad = arith.constant 0.0 : f32
  scf.for %c = %c0 to %c1000 step %c16 {
    %a = vector.transfer_read %short[%r, %c], %pad {in_bounds = [true]} : memref<1x1000xf32>, vector<16xf32>
    %b = vector.transfer_read %strided[%r, %c], %pad {in_bounds = [true]} : memref<?x?xf32, strided<[1, ?]>>, vector<16xf32>
    %cc = arith.muli %c, %c16 : index
    %d = vector.transfer_read %x[%r, %cc], %pad {in_bounds = [true]} : memref<64x4096xf32>, vector<16xf32>
    %e = vector.transfer_read %x[%c, %c], %pad {in_bounds = [true]} : memref<64x4096xf32>, vector<16xf32>
    %f = vector.transfer_read %z[%c], %pad {in_bounds = [true]} : memref<4096xf32>, vector<16xf32>
    %s1 = arith.addf %a, %b : vector<16xf32>
    %s2 = arith.addf %d, %e : vector<16xf32>
    %s3 = arith.addf %s1, %s2 : vector<16xf32>
    %s4 = arith.addf %s3, %f : vector<16xf32>
    vector.transfer_write %s4, %z[%c] {in_bounds = [true]} : vector<16xf32>, memref<4096xf32>
    %g = vector.transfer_read %t[%c, %r], %pad {in_bounds = [true], permutation_map = affine_map<(d0, d1) -> (d0)>} : memref<4096x64xf32>, vector<16xf32>
    vector.transfer_write %g, %z[%r] {in_bounds = [true]} : vector<16xf32>, memref<4096xf32>
  }
  return
}
