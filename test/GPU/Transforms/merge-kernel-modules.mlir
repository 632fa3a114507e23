// RUN: loss-opt %s --gpu-kernel-outlining --gpu-merge-kernel-modules | FileCheck %s

// The kernels a host function launches end up in one gpu.module (one binary
// to load), each named after the module outlining gave it.

// CHECK-LABEL: func.func @two
// CHECK:         gpu.launch_func @two_kernels::@two_kernel blocks
// CHECK:         gpu.launch_func @two_kernels::@two_kernel_0 blocks
// CHECK:       gpu.module @two_kernels {
// CHECK:         gpu.func @two_kernel(
// CHECK:         gpu.func @two_kernel_0(
// CHECK:       }
// A single kernel keeps its module.
// CHECK-LABEL: func.func @one
// CHECK:         gpu.launch_func @one_kernel::@one_kernel blocks
// CHECK:       gpu.module @one_kernel {
// CHECK-NOT:   gpu.module
func.func @two(%m: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %v = memref.load %m[%tx] : memref<4xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %m[%tx] : memref<4xf32>
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %v = memref.load %m[%tx] : memref<4xf32>
    %w = arith.mulf %v, %v : f32
    memref.store %w, %m[%tx] : memref<4xf32>
    gpu.terminator
  }
  return
}

func.func @one(%m: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %m[%tx] : memref<4xf32>
    memref.store %v, %m[%tx] : memref<4xf32>
    gpu.terminator
  }
  return
}
