// RUN: not loss-opt %s -split-input-file -o /dev/null 2>&1 | FileCheck %s

// Malformed IR is reported at its location, and loss-opt exits with an error
// rather than crashing (`not` fails on a crash). Every chunk is parsed, so
// every error below is reported, in order.

func.func @missing_operand(%x: tensor<4x10xf32>, %t: tensor<4xi64>) {
  // CHECK: parse-errors.mlir:[[@LINE+1]]:19: error: expected ','
  %0 = loss.nll %x : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return
}

// -----

func.func @unknown_op(%x: tensor<4x10xf32>, %t: tensor<4xi64>) {
  // CHECK: parse-errors.mlir:[[@LINE+1]]:8: error: custom op 'loss.cross_entropy' is unknown
  %0 = loss.cross_entropy %x, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return
}

// -----

// CHECK: parse-errors.mlir:[[@LINE+1]]:1: error: custom op 'this' is unknown (tried 'builtin.this' as well)
this is not MLIR

// -----

func.func @bad_reduction(%x: tensor<8xf32>) {
  // CHECK: parse-errors.mlir:[[@LINE+2]]:53: error: expected ::mlir::loss::Reduction to be one of: none, sum, mean, batchmean
  // CHECK: parse-errors.mlir:[[@LINE+1]]:56: error: failed to parse Loss_ReductionAttr parameter 'value' which is to be a `::mlir::loss::Reduction`
  %0 = loss.mse %x, %x {reduction = #loss.reduction<avg>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @unknown_attr(%x: tensor<8xf32>) {
  // CHECK: parse-errors.mlir:[[@LINE+1]]:43: error: unknown attribute `reduce` in dialect `loss`
  %0 = loss.mse %x, %x {reduction = #loss.reduce<sum>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @missing_type(%x: tensor<8xf32>) {
  // CHECK: parse-errors.mlir:[[@LINE+1]]:22: error: expected ':'
  %0 = loss.l1 %x, %x
  return
}

// -----

func.func @operand_type_count(%x: tensor<8xf32>) {
  // CHECK: parse-errors.mlir:[[@LINE+1]]:8: error: custom op 'loss.mse' number of operands and types do not match: got 2 operands and 1 types
  %0 = loss.mse %x, %x : (tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @misspelled_keyword(%x: tensor<4x10xf32>, %t: tensor<4xi64>, %w: tensor<10xf32>) {
  // CHECK: parse-errors.mlir:[[@LINE+1]]:23: error: expected ':'
  %0 = loss.nll %x, %t weights(%w) : (tensor<4x10xf32>, tensor<4xi64>, tensor<10xf32>) -> tensor<f32>
  return
}

// -----

func.func @unterminated_attr_dict(%x: tensor<4x10xf32>) {
  // CHECK: parse-errors.mlir:[[@LINE+1]]:43: error: expected '}' in attribute dictionary
  %0 = loss.log_softmax %x {axis = 1 : i64 : tensor<4x10xf32>
  return
}

// -----

func.func @undeclared_value(%x: tensor<8xf32>) {
  // CHECK: parse-errors.mlir:[[@LINE+1]]:20: error: use of undeclared SSA value name
  %0 = loss.l1 %x, %y : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @type_mismatch(%x: tensor<8xf32>) {
  // CHECK: parse-errors.mlir:[[@LINE+2]]:25: error: use of value '%x' expects different type than prior uses: 'tensor<9xf32>' vs 'tensor<8xf32>'
  // CHECK: parse-errors.mlir:[[@LINE-2]]:26: note: prior use here
  %0 = loss.log_softmax %x : tensor<9xf32>
  return
}

// -----

func.func @truncated(%x: tensor<8xf32>) {
  // CHECK: parse-errors.mlir:[[@LINE+1]]:20: error: expected SSA operand
  %0 = loss.mse %x,
