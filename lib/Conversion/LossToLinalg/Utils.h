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

namespace mlir {
namespace loss {
/// Short builders of scalar float arithmetic for the bodies of the pointwise
/// lowerings (Regression.cpp, MarginGrad.cpp): `using namespace` them where
/// a formula reads better spelled out.
namespace scalar {
/// `v` as a float constant of `like`'s type.
inline Value cst(OpBuilder &b, Location l, Value like, double v) {
  return constFloat(b, l, like.getType(), v);
}
inline Value add(OpBuilder &b, Location l, Value x, Value y) {
  return arith::AddFOp::create(b, l, x, y);
}
inline Value sub(OpBuilder &b, Location l, Value x, Value y) {
  return arith::SubFOp::create(b, l, x, y);
}
inline Value mul(OpBuilder &b, Location l, Value x, Value y) {
  return arith::MulFOp::create(b, l, x, y);
}
inline Value div(OpBuilder &b, Location l, Value x, Value y) {
  return arith::DivFOp::create(b, l, x, y);
}
inline Value neg(OpBuilder &b, Location l, Value x) {
  return arith::NegFOp::create(b, l, x);
}
inline Value cmpf(OpBuilder &b, Location l, arith::CmpFPredicate p, Value x,
                  Value y) {
  return arith::CmpFOp::create(b, l, p, x, y);
}
inline Value select(OpBuilder &b, Location l, Value c, Value x, Value y) {
  return arith::SelectOp::create(b, l, c, x, y);
}
} // namespace scalar
} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_LIB_CONVERSION_LOSSTOLINALG_UTILS_H
