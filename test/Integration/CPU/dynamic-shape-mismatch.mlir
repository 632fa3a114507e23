// Sizes the verifier cannot compare (dynamic dims) are checked at run time
// before any pass reads the operands: a mismatch stops the program with a
// message instead of reading outside a buffer; matching sizes run. (The
// message goes to stdout before abort(); stdbuf keeps it from being lost in
// a pipe's buffer.)
//
// RUN: loss-opt %s --loss-lower-to-llvm \
// RUN: | mlir-runner -e ok -entry-point-result=void -shared-libs=%mlir_c_runner_utils \
// RUN: | FileCheck %s --check-prefix=OK
// RUN: loss-opt %s --loss-lower-to-llvm \
// RUN: | not --crash stdbuf -o0 mlir-runner -e mse_mismatch -entry-point-result=void -shared-libs=%mlir_c_runner_utils 2>&1 \
// RUN: | FileCheck %s --check-prefix=MISMATCH
// RUN: loss-opt %s --loss-lower-to-llvm \
// RUN: | not --crash stdbuf -o0 mlir-runner -e ce_mismatch -entry-point-result=void -shared-libs=%mlir_c_runner_utils 2>&1 \
// RUN: | FileCheck %s --check-prefix=MISMATCH
// RUN: loss-opt %s --loss-lower-to-llvm \
// RUN: | not --crash stdbuf -o0 mlir-runner -e nll_mismatch -entry-point-result=void -shared-libs=%mlir_c_runner_utils 2>&1 \
// RUN: | FileCheck %s --check-prefix=MISMATCH
// RUN: loss-opt %s --loss-lower-to-llvm \
// RUN: | not --crash stdbuf -o0 mlir-runner -e margin_mismatch -entry-point-result=void -shared-libs=%mlir_c_runner_utils 2>&1 \
// RUN: | FileCheck %s --check-prefix=MISMATCH
// RUN: loss-opt %s --loss-lower-to-llvm \
// RUN: | not --crash stdbuf -o0 mlir-runner -e ctc_mismatch -entry-point-result=void -shared-libs=%mlir_c_runner_utils 2>&1 \
// RUN: | FileCheck %s --check-prefix=MISMATCH

// RUN: loss-opt %s --loss-lower-to-llvm \
// RUN: | not --crash stdbuf -o0 mlir-runner -e margin_weight_mismatch -entry-point-result=void -shared-libs=%mlir_c_runner_utils 2>&1 \
// RUN: | FileCheck %s --check-prefix=MISMATCH
// RUN: loss-opt %s --loss-lower-to-llvm \
// RUN: | not --crash stdbuf -o0 mlir-runner -e multilabel_mismatch -entry-point-result=void -shared-libs=%mlir_c_runner_utils 2>&1 \
// RUN: | FileCheck %s --check-prefix=MISMATCH
// RUN: loss-opt %s --loss-lower-to-llvm \
// RUN: | mlir-runner -e margin_weight_ok -entry-point-result=void -shared-libs=%mlir_c_runner_utils \
// RUN: | FileCheck %s --check-prefix=WEIGHT

// MISMATCH: loss: operand dimensions differ at run time
// OK: ( 1 )
// A weight that fits is read (PyTorch: multi_margin_loss([[0, -1.5, 0, 0,
// 0]], [1], weight=[1, 2, 3, 4, 5]) = 4).
// WEIGHT: ( 4 )

func.func @mse(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<f32> {
  %0 = loss.mse %a, %b {reduction = #loss.reduction<sum>} : (tensor<?xf32>, tensor<?xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// Keeps a result alive (the loss ops are pure).
func.func @use(%l: tensor<f32>) {
  %v = tensor.extract %l[] : tensor<f32>
  vector.print %v : f32
  return
}

func.func @ok() {
  %x = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %y = arith.constant dense<[1.0, 2.0, 3.0, 3.0]> : tensor<4xf32>
  %a = tensor.cast %x : tensor<4xf32> to tensor<?xf32>
  %b = tensor.cast %y : tensor<4xf32> to tensor<?xf32>
  %l = func.call @mse(%a, %b) : (tensor<?xf32>, tensor<?xf32>) -> tensor<f32>
  %v = tensor.extract %l[] : tensor<f32>
  %i = arith.fptosi %v : f32 to i32
  %vec = vector.broadcast %i : i32 to vector<1xi32>
  vector.print %vec : vector<1xi32>
  return
}

func.func @mse_mismatch() {
  %x = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %y = arith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf32>
  %a = tensor.cast %x : tensor<4xf32> to tensor<?xf32>
  %b = tensor.cast %y : tensor<8xf32> to tensor<?xf32>
  %l = func.call @mse(%b, %a) : (tensor<?xf32>, tensor<?xf32>) -> tensor<f32>
  func.call @use(%l) : (tensor<f32>) -> ()
  return
}

func.func @ce(%a: tensor<?x40xf32>, %b: tensor<?xi64>) -> tensor<f32> {
  %l = loss.softmax_cross_entropy %a, %b : (tensor<?x40xf32>, tensor<?xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @ce_mismatch() {
  %x = arith.constant dense<1.0> : tensor<4x40xf32>
  %t = arith.constant dense<1> : tensor<2xi64>
  %a = tensor.cast %x : tensor<4x40xf32> to tensor<?x40xf32>
  %b = tensor.cast %t : tensor<2xi64> to tensor<?xi64>
  %l = func.call @ce(%a, %b) : (tensor<?x40xf32>, tensor<?xi64>) -> tensor<f32>
  func.call @use(%l) : (tensor<f32>) -> ()
  return
}

func.func @nll(%a: tensor<2x5x?xf32>, %b: tensor<2x?xi64>) -> tensor<f32> {
  %l = loss.nll %a, %b : (tensor<2x5x?xf32>, tensor<2x?xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @nll_mismatch() {
  %x = arith.constant dense<1.0> : tensor<2x5x3xf32>
  %t = arith.constant dense<1> : tensor<2x7xi64>
  %a = tensor.cast %x : tensor<2x5x3xf32> to tensor<2x5x?xf32>
  %b = tensor.cast %t : tensor<2x7xi64> to tensor<2x?xi64>
  %l = func.call @nll(%a, %b) : (tensor<2x5x?xf32>, tensor<2x?xi64>) -> tensor<f32>
  func.call @use(%l) : (tensor<f32>) -> ()
  return
}

func.func @margin(%a: tensor<?x5xf32>, %b: tensor<?xi64>) -> tensor<f32> {
  %l = loss.multi_margin %a, %b : (tensor<?x5xf32>, tensor<?xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @margin_mismatch() {
  %x = arith.constant dense<1.0> : tensor<2x5xf32>
  %t = arith.constant dense<1> : tensor<3xi64>
  %a = tensor.cast %x : tensor<2x5xf32> to tensor<?x5xf32>
  %b = tensor.cast %t : tensor<3xi64> to tensor<?xi64>
  %l = func.call @margin(%a, %b) : (tensor<?x5xf32>, tensor<?xi64>) -> tensor<f32>
  func.call @use(%l) : (tensor<f32>) -> ()
  return
}

func.func @ctc(%lp: tensor<6x?x4xf32>, %t: tensor<?x2xi64>, %il: tensor<?xi64>, %tl: tensor<?xi64>) -> tensor<f32> {
  %l = loss.ctc %lp, %t, %il, %tl : (tensor<6x?x4xf32>, tensor<?x2xi64>, tensor<?xi64>, tensor<?xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @ctc_mismatch() {
  %x = arith.constant dense<-1.0> : tensor<6x3x4xf32>
  %t = arith.constant dense<1> : tensor<3x2xi64>
  %il = arith.constant dense<6> : tensor<2xi64>
  %tl = arith.constant dense<2> : tensor<3xi64>
  %a = tensor.cast %x : tensor<6x3x4xf32> to tensor<6x?x4xf32>
  %b = tensor.cast %t : tensor<3x2xi64> to tensor<?x2xi64>
  %c = tensor.cast %il : tensor<2xi64> to tensor<?xi64>
  %d = tensor.cast %tl : tensor<3xi64> to tensor<?xi64>
  %l = func.call @ctc(%a, %b, %c, %d) : (tensor<6x?x4xf32>, tensor<?x2xi64>, tensor<?xi64>, tensor<?xi64>) -> tensor<f32>
  func.call @use(%l) : (tensor<f32>) -> ()
  return
}

// A dynamic weight shorter than C would be read out of bounds at w[y].
func.func @margin_weighted(%a: tensor<?x?xf32>, %b: tensor<?xi64>, %w: tensor<?xf32>) -> tensor<f32> {
  %l = loss.multi_margin %a, %b weight(%w) : (tensor<?x?xf32>, tensor<?xi64>, tensor<?xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @margin_weight_mismatch() {
  %x = arith.constant dense<1.0> : tensor<2x5xf32>
  %t = arith.constant dense<4> : tensor<2xi64>
  %w = arith.constant dense<1.0> : tensor<3xf32>
  %a = tensor.cast %x : tensor<2x5xf32> to tensor<?x?xf32>
  %b = tensor.cast %t : tensor<2xi64> to tensor<?xi64>
  %c = tensor.cast %w : tensor<3xf32> to tensor<?xf32>
  %l = func.call @margin_weighted(%a, %b, %c) : (tensor<?x?xf32>, tensor<?xi64>, tensor<?xf32>) -> tensor<f32>
  func.call @use(%l) : (tensor<f32>) -> ()
  return
}

func.func @margin_weight_ok() {
  %x = arith.constant dense<[[0.0, -1.5, 0.0, 0.0, 0.0]]> : tensor<1x5xf32>
  %t = arith.constant dense<1> : tensor<1xi64>
  %w = arith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0]> : tensor<5xf32>
  %a = tensor.cast %x : tensor<1x5xf32> to tensor<?x?xf32>
  %b = tensor.cast %t : tensor<1xi64> to tensor<?xi64>
  %c = tensor.cast %w : tensor<5xf32> to tensor<?xf32>
  %l = func.call @margin_weighted(%a, %b, %c) : (tensor<?x?xf32>, tensor<?xi64>, tensor<?xf32>) -> tensor<f32>
  %v = tensor.extract %l[] : tensor<f32>
  %i = arith.fptosi %v : f32 to i32
  %vec = vector.broadcast %i : i32 to vector<1xi32>
  vector.print %vec : vector<1xi32>
  return
}

// A target whose class dim differs from the input's.
func.func @multilabel(%a: tensor<?x?xf32>, %b: tensor<?x?xi64>) -> tensor<f32> {
  %l = loss.multilabel_margin %a, %b : (tensor<?x?xf32>, tensor<?x?xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @multilabel_mismatch() {
  %x = arith.constant dense<1.0> : tensor<2x5xf32>
  %t = arith.constant dense<1> : tensor<2x7xi64>
  %a = tensor.cast %x : tensor<2x5xf32> to tensor<?x?xf32>
  %b = tensor.cast %t : tensor<2x7xi64> to tensor<?x?xi64>
  %l = func.call @multilabel(%a, %b) : (tensor<?x?xf32>, tensor<?x?xi64>) -> tensor<f32>
  func.call @use(%l) : (tensor<f32>) -> ()
  return
}
