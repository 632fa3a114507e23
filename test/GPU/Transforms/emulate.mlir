// RUN: loss-opt %s --gpu-emulate | FileCheck %s

// Kernels on the host, for testing without a GPU: a loop over the blocks,
// each block an OpenMP parallel region with one thread per GPU thread;
// barriers become OpenMP barriers; an all_reduce stores every thread's value
// to a shared slot and folds all slots between two barriers.

// CHECK-LABEL: func.func @kernel
// CHECK-SAME:    %[[BUF:[a-z0-9]+]]: memref<?xf32>, %[[G:[a-z0-9]+]]: index, %[[B:[a-z0-9]+]]: index
// CHECK:         %[[NT0:.*]] = arith.muli %[[B]], %c1
// CHECK:         %[[NT:.*]] = arith.muli %[[NT0]], %c1
// CHECK:         %[[SLOTS:.*]] = memref.alloc(%[[NT]]) : memref<?xf32>
// CHECK:         scf.for %{{.*}} = %c0{{.*}} to %c1
// CHECK:           scf.for %{{.*}} = %c0{{.*}} to %c1
// CHECK:             scf.for %[[BX:.*]] = %c0{{.*}} to %[[G]]
// CHECK:               %[[NTI:.*]] = arith.index_cast %[[NT]] : index to i32
// CHECK:               omp.parallel num_threads(%[[NTI]] : i32) {
// CHECK:                 %[[TID32:.*]] = func.call @omp_get_thread_num()
// CHECK:                 %[[TID:.*]] = arith.index_cast %[[TID32]]
// CHECK:                 %[[N32:.*]] = func.call @omp_get_num_threads()
// CHECK:                 cf.assert
// CHECK:                 %[[TX:.*]] = arith.remui %[[TID]], %[[B]]
// CHECK:                 memref.load %[[BUF]][%[[TX]]]
// CHECK:                 memref.store %{{.*}}, %[[SLOTS]][%[[TID]]]
// CHECK-NEXT:            omp.barrier
// CHECK:                 scf.for {{.*}} iter_args
// CHECK:                   memref.load %[[SLOTS]]
// CHECK:                   arith.addf
// CHECK:                 omp.barrier
// CHECK:                 omp.barrier
// CHECK:                 omp.terminator
// CHECK:         memref.dealloc %[[SLOTS]]
// CHECK-NOT:     gpu.
// CHECK:         return
func.func @kernel(%buf: memref<?xf32>, %g: index, %b: index) {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %g, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %b, %sy = %c1, %sz = %c1) {
    %x = memref.load %buf[%tx] : memref<?xf32>
    %s = gpu.all_reduce add %x uniform {} : (f32) -> f32
    gpu.barrier
    memref.store %s, %buf[%tx] : memref<?xf32>
    gpu.terminator
  }
  return
}

// Managed memory is host memory here.
// CHECK-LABEL: func.func @memory
// CHECK:         %[[M:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK-NEXT:    memref.dealloc %[[M]]
// CHECK-NEXT:    return
func.func @memory(%n: index) {
  %m = gpu.alloc host_shared (%n) : memref<?xf32>
  %t0 = gpu.wait async
  %t1 = gpu.dealloc async [%t0] %m : memref<?xf32>
  gpu.wait [%t1]
  return
}
