// RUN: loss-opt %s --gpu-host-memory | FileCheck %s
// RUN: loss-opt %s --gpu-host-memory="copy-arguments=false" | FileCheck %s --check-prefix=NOCOPY

// Buffers that kernels touch go to managed memory, which host code and
// kernels can both dereference: heap buffers are allocated there, constants
// a kernel reads are copied there (after their last use they are freed),
// arguments of entry points are copied in, and back out if written.

memref.global "private" constant @cst : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
func.func private @check(memref<*xf32>)

// CHECK-LABEL: func.func @entry
// CHECK-SAME:    %[[IN:[a-z0-9]+]]: memref<?xf32>, %[[OUT:[a-z0-9]+]]: memref<f32>
// CHECK:         %[[MOUT:.*]] = gpu.alloc host_shared () : memref<f32>
// CHECK:         memref.copy %[[OUT]], %[[MOUT]]
// CHECK:         %[[D:.*]] = memref.dim %[[IN]], %c0
// CHECK:         %[[MIN:.*]] = gpu.alloc host_shared (%[[D]]) : memref<?xf32>
// CHECK:         memref.copy %[[IN]], %[[MIN]]
// CHECK:         %[[G:.*]] = memref.get_global @cst
// CHECK:         %[[MG:.*]] = gpu.alloc host_shared () : memref<4xf32>
// CHECK:         memref.copy %[[G]], %[[MG]]
// A constant only host code reads stays where it is.
// CHECK:         %[[H:.*]] = memref.get_global @cst
// CHECK-NEXT:    memref.load %[[H]]
// CHECK:         %[[TMP:.*]] = gpu.alloc host_shared () : memref<4xf32>
// CHECK:         gpu.launch
// CHECK:           memref.load %[[MIN]]
// CHECK:           memref.load %[[MG]]
// CHECK:           memref.store %{{.*}}, %[[TMP]]
// CHECK:           memref.store %{{.*}}, %[[MOUT]]
// CHECK:         }
// The constant's copy goes after its last use.
// CHECK-NEXT:    %[[T0:.*]] = gpu.wait async
// CHECK-NEXT:    %[[T1:.*]] = gpu.dealloc async [%[[T0]]] %[[MG]]
// CHECK-NEXT:    gpu.wait [%[[T1]]]
// CHECK:         call @check
// CHECK:         gpu.dealloc async [%{{.*}}] %[[TMP]]
// The input is only read: freed, not copied back; the output is copied back.
// CHECK:         gpu.dealloc async [%{{.*}}] %[[MIN]]
// CHECK-NOT:     memref.copy %[[MIN]]
// CHECK:         memref.copy %[[MOUT]], %[[OUT]]
// CHECK:         gpu.dealloc async [%{{.*}}] %[[MOUT]]
// CHECK:         return

// NOCOPY-LABEL: func.func @entry
// NOCOPY-NOT:     memref.copy %arg
// NOCOPY:         gpu.launch
// NOCOPY:           memref.load %arg0
func.func @entry(%in: memref<?xf32>, %out: memref<f32>) {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %g = memref.get_global @cst : memref<4xf32>
  %host_only = memref.get_global @cst : memref<4xf32>
  %v = memref.load %host_only[%c0] : memref<4xf32>
  %tmp = memref.alloc() : memref<4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %x = memref.load %in[%tx] : memref<?xf32>
    %y = memref.load %g[%tx] : memref<4xf32>
    %s = arith.addf %x, %y : f32
    memref.store %s, %tmp[%tx] : memref<4xf32>
    memref.store %s, %out[] : memref<f32>
    gpu.terminator
  }
  %u = memref.cast %tmp : memref<4xf32> to memref<*xf32>
  call @check(%u) : (memref<*xf32>) -> ()
  memref.dealloc %tmp : memref<4xf32>
  return
}

// Private functions are called by code that already passes managed memory.
// CHECK-LABEL: func.func private @helper
// CHECK-NOT:     memref.copy
// CHECK:         gpu.launch
func.func private @helper(%in: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %x = memref.load %in[%tx] : memref<4xf32>
    memref.store %x, %in[%tx] : memref<4xf32>
    gpu.terminator
  }
  return
}

// A stack buffer a kernel uses is managed too, freed after its last use.
// CHECK-LABEL: func.func @stack
// CHECK:         %[[M:.*]] = gpu.alloc host_shared () : memref<4xf32>
// CHECK:         gpu.launch
// CHECK:           memref.store %{{.*}}, %[[M]]
// CHECK:         memref.load %[[M]]
// CHECK-NEXT:    %[[T0:.*]] = gpu.wait async
// CHECK-NEXT:    gpu.dealloc async [%[[T0]]] %[[M]]
func.func @stack() -> f32 {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %s = memref.alloca() : memref<4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %z = arith.constant 0.0 : f32
    memref.store %z, %s[%tx] : memref<4xf32>
    gpu.terminator
  }
  %v = memref.load %s[%c0] : memref<4xf32>
  return %v : f32
}
