// loss.ctc_grad with dynamic sizes the verifier cannot compare: a per-sample
// operand (input or target lengths, padded target rows, the `none`
// grad_output) whose size differs from N stops the program with a message
// before anything reads it, on the CPU and through the GPU path; matching
// sizes run. (stdbuf keeps the message from being lost in a pipe's buffer.)
//
// RUN: loss-opt %s --loss-lower-to-llvm \
// RUN: | mlir-runner -e ok -entry-point-result=void -shared-libs=%mlir_c_runner_utils \
// RUN: | FileCheck %s --check-prefix=OK
// RUN: loss-opt %s --loss-lower-to-llvm \
// RUN: | not --crash stdbuf -o0 mlir-runner -e grad_output_mismatch -entry-point-result=void -shared-libs=%mlir_c_runner_utils 2>&1 \
// RUN: | FileCheck %s --check-prefix=MISMATCH
// RUN: loss-opt %s --loss-lower-to-llvm \
// RUN: | not --crash stdbuf -o0 mlir-runner -e lengths_mismatch -entry-point-result=void -shared-libs=%mlir_c_runner_utils 2>&1 \
// RUN: | FileCheck %s --check-prefix=MISMATCH
// RUN: loss-opt %s --loss-lower-to-llvm \
// RUN: | not --crash stdbuf -o0 mlir-runner -e rows_mismatch -entry-point-result=void -shared-libs=%mlir_c_runner_utils 2>&1 \
// RUN: | FileCheck %s --check-prefix=MISMATCH
// RUN: loss-opt %s --loss-lower-to-gpu-emulation \
// RUN: | not --crash stdbuf -o0 mlir-runner -e grad_output_mismatch -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%libomp 2>&1 \
// RUN: | FileCheck %s --check-prefix=MISMATCH
// RUN: loss-opt %s --loss-lower-to-gpu-emulation \
// RUN: | env KMP_BLOCKTIME=0 mlir-runner -e ok -entry-point-result=void -shared-libs=%mlir_c_runner_utils,%libomp \
// RUN: | FileCheck %s --check-prefix=OK
// REQUIRES: libomp

// MISMATCH: loss: operand dimensions differ at run time
// OK: ( 0 )

func.func @ctc_grad(%lp: tensor<6x?x4xf32>, %tg: tensor<?x2xi64>, %il: tensor<?xi64>, %tl: tensor<?xi64>, %g: tensor<?xf32>) -> tensor<6x?x4xf32> {
  %r = loss.ctc_grad %lp, %tg, %il, %tl, %g {reduction = #loss.reduction<none>} : (tensor<6x?x4xf32>, tensor<?x2xi64>, tensor<?xi64>, tensor<?xi64>, tensor<?xf32>) -> tensor<6x?x4xf32>
  return %r : tensor<6x?x4xf32>
}

func.func @run(%x: tensor<6x3x4xf32>, %t: tensor<?x2xi64>, %il: tensor<?xi64>, %tl: tensor<?xi64>, %g: tensor<?xf32>) {
  %a = tensor.cast %x : tensor<6x3x4xf32> to tensor<6x?x4xf32>
  %r = func.call @ctc_grad(%a, %t, %il, %tl, %g) : (tensor<6x?x4xf32>, tensor<?x2xi64>, tensor<?xi64>, tensor<?xi64>, tensor<?xf32>) -> tensor<6x?x4xf32>
  // Frames past every input length (5) are 0.
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %v = tensor.extract %r[%c5, %c1, %c1] : tensor<6x?x4xf32>
  %i = arith.fptosi %v : f32 to i32
  %vec = vector.broadcast %i : i32 to vector<1xi32>
  vector.print %vec : vector<1xi32>
  return
}

func.func @ok() {
  %x = arith.constant dense<-1.386294361> : tensor<6x3x4xf32>
  %t = arith.constant dense<1> : tensor<3x2xi64>
  %l = arith.constant dense<5> : tensor<3xi64>
  %g = arith.constant dense<1.0> : tensor<3xf32>
  %b = tensor.cast %t : tensor<3x2xi64> to tensor<?x2xi64>
  %c = tensor.cast %l : tensor<3xi64> to tensor<?xi64>
  %d = tensor.cast %g : tensor<3xf32> to tensor<?xf32>
  func.call @run(%x, %b, %c, %c, %d) : (tensor<6x3x4xf32>, tensor<?x2xi64>, tensor<?xi64>, tensor<?xi64>, tensor<?xf32>) -> ()
  return
}

func.func @grad_output_mismatch() {
  %x = arith.constant dense<-1.386294361> : tensor<6x3x4xf32>
  %t = arith.constant dense<1> : tensor<3x2xi64>
  %l = arith.constant dense<5> : tensor<3xi64>
  %g = arith.constant dense<1.0> : tensor<2xf32>
  %b = tensor.cast %t : tensor<3x2xi64> to tensor<?x2xi64>
  %c = tensor.cast %l : tensor<3xi64> to tensor<?xi64>
  %d = tensor.cast %g : tensor<2xf32> to tensor<?xf32>
  func.call @run(%x, %b, %c, %c, %d) : (tensor<6x3x4xf32>, tensor<?x2xi64>, tensor<?xi64>, tensor<?xi64>, tensor<?xf32>) -> ()
  return
}

func.func @lengths_mismatch() {
  %x = arith.constant dense<-1.386294361> : tensor<6x3x4xf32>
  %t = arith.constant dense<1> : tensor<3x2xi64>
  %l = arith.constant dense<5> : tensor<3xi64>
  %l2 = arith.constant dense<5> : tensor<2xi64>
  %g = arith.constant dense<1.0> : tensor<3xf32>
  %b = tensor.cast %t : tensor<3x2xi64> to tensor<?x2xi64>
  %c = tensor.cast %l : tensor<3xi64> to tensor<?xi64>
  %c2 = tensor.cast %l2 : tensor<2xi64> to tensor<?xi64>
  %d = tensor.cast %g : tensor<3xf32> to tensor<?xf32>
  func.call @run(%x, %b, %c, %c2, %d) : (tensor<6x3x4xf32>, tensor<?x2xi64>, tensor<?xi64>, tensor<?xi64>, tensor<?xf32>) -> ()
  return
}

func.func @rows_mismatch() {
  %x = arith.constant dense<-1.386294361> : tensor<6x3x4xf32>
  %t = arith.constant dense<1> : tensor<4x2xi64>
  %l = arith.constant dense<5> : tensor<3xi64>
  %g = arith.constant dense<1.0> : tensor<3xf32>
  %b = tensor.cast %t : tensor<4x2xi64> to tensor<?x2xi64>
  %c = tensor.cast %l : tensor<3xi64> to tensor<?xi64>
  %d = tensor.cast %g : tensor<3xf32> to tensor<?xf32>
  func.call @run(%x, %b, %c, %c, %d) : (tensor<6x3x4xf32>, tensor<?x2xi64>, tensor<?xi64>, tensor<?xi64>, tensor<?xf32>) -> ()
  return
}
