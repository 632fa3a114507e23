//===- Utils.h - Shared helpers of the loss lowerings -----------*- C++ -*-===//
//
// The loss arithmetic and the tensor-level reductions live in the MLIRLossUtils
// library (loss-mlir/Dialect/Loss/Utils/), shared with convert-loss-to-gpu;
// the linalg lowerings include them through this header.
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_MLIR_LIB_CONVERSION_LOSSTOLINALG_UTILS_H
#define LOSS_MLIR_LIB_CONVERSION_LOSSTOLINALG_UTILS_H

#include "loss-mlir/Dialect/Loss/IR/Loss.h"
#include "loss-mlir/Dialect/Loss/Utils/LossArithmetic.h"
#include "loss-mlir/Dialect/Loss/Utils/LossReduction.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#endif // LOSS_MLIR_LIB_CONVERSION_LOSSTOLINALG_UTILS_H
