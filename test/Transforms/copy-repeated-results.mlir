// RUN: loss-opt %s --copy-repeated-results --split-input-file | FileCheck %s
// RUN: loss-opt %s --loss-lower-to-llvm=results-to-out-params=true --split-input-file | FileCheck %s --check-prefix=LLVM

// A value returned twice: the second result is a copy (out-params need a
// buffer each; buffer-results-to-out-params crashed on the repeated value).

// CHECK-LABEL: func.func @twice
// CHECK:         %[[L:.*]] = loss.log_softmax
// CHECK:         %[[C:.*]] = bufferization.alloc_tensor() copy(%[[L]]) : tensor<4xf32>
// CHECK:         %[[D:.*]] = bufferization.alloc_tensor() copy(%[[L]]) : tensor<4xf32>
// CHECK:         return %[[L]], %[[C]], %[[D]]
// LLVM-LABEL: llvm.func @twice
func.func @twice(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = loss.log_softmax %x : tensor<4xf32>
  return %0, %0, %0 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Dynamic shapes and distinct results are left as they are.

// CHECK-LABEL: func.func @dynamic
// CHECK:         %[[L:.*]] = loss.log_softmax
// CHECK:         %[[C:.*]] = bufferization.alloc_tensor() copy(%[[L]]) : tensor<?xf64>
// CHECK:         return %[[L]], %[[C]], %arg1
// LLVM-LABEL: llvm.func @dynamic
func.func @dynamic(%x: tensor<?xf64>, %y: tensor<2xf64>) -> (tensor<?xf64>, tensor<?xf64>, tensor<2xf64>) {
  %0 = loss.log_softmax %x : tensor<?xf64>
  return %0, %0, %y : tensor<?xf64>, tensor<?xf64>, tensor<2xf64>
}
