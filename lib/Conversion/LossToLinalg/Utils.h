//===- Utils.h - Shared helpers of the loss lowerings -----------*- C++ -*-===//
#ifndef LOSS_MLIR_LIB_CONVERSION_LOSSTOLINALG_UTILS_H
#define LOSS_MLIR_LIB_CONVERSION_LOSSTOLINALG_UTILS_H

#include "loss-mlir/Dialect/Loss/IR/Loss.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace loss {

/// The type arithmetic is done in: f32 for f16/bf16, the type itself else.
Type getAccumulatorType(Type elementType);

/// A float constant of type `ty`.
Value constFloat(OpBuilder &b, Location loc, Type ty, double value);
Value constIndex(OpBuilder &b, Location loc, int64_t value);

/// Converts between float types (extf/truncf, or nothing).
Value castFloat(OpBuilder &b, Location loc, Value v, Type to);

/// Integer helpers for index arithmetic on i64 values.
Value constI64(OpBuilder &b, Location loc, int64_t value);
Value toIndex(OpBuilder &b, Location loc, Value i64);
Value toI64FromIndex(OpBuilder &b, Location loc, Value index);
/// `min(max(v, lo), hi)` on signed integers.
Value clampSI(OpBuilder &b, Location loc, Value v, Value lo, Value hi);

/// `log(sum_i exp(x_i))`, shifted by the max (or by 0 when every term is
/// -inf, so that the result is -inf rather than NaN). NaN propagates.
Value emitLogSumExp(OpBuilder &b, Location loc, ArrayRef<Value> xs);

/// A signless integer (any width) as i64, for comparing class indices.
Value toI64(OpBuilder &b, Location loc, Value v);

/// `log1p(x)` accurate for small `x` without a libm call:
/// `u = 1 + x; u == 1 ? x : log(u) * x / (u - 1)`.
Value emitLog1p(OpBuilder &b, Location loc, Value x);

/// `log(1 + exp(x))`, which never overflows: `max(x, 0) + log1p(exp(-|x|))`.
Value emitSoftplus(OpBuilder &b, Location loc, Value x);

/// `tensor.empty` of `shape` filled with `value`.
Value filledTensor(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> shape,
                   Type elementType, double value);

/// The number of elements of `shape` as a float of type `ty`.
Value numElementsAsFloat(OpBuilder &b, Location loc,
                         ArrayRef<OpFoldResult> shape, Type ty);

/// Reads a 0-d tensor.
Value extractScalar(OpBuilder &b, Location loc, Value tensor0d);

/// One input of a fused loss: a tensor and its indexing map into the
/// iteration space.
struct LoopInput {
  Value value;
  AffineMap map;
};

/// Operands whose sizes the verifier could not compare (a dynamic dim on
/// either side) are checked at run time: every loop dim that several
/// operands (or `sizes`, the known extents of the leading loops) index
/// directly must agree, or the program stops (cf.assert) before any read.
/// Nothing is emitted for static shapes.
void assertConsistentLoopSizes(OpBuilder &b, Location loc,
                               ArrayRef<OpFoldResult> sizes,
                               ArrayRef<LoopInput> inputs);

/// Per-point loss and the point's weight in a weighted `mean` denominator
/// (null otherwise), given the scalar arguments of the inputs in order.
using PointLossFn = function_ref<std::pair<Value, Value>(
    OpBuilder &, Location, ValueRange args)>;

/// Builds the one fused pass that computes a loss over the iteration space
/// `shape` and reduces it as `reduction` asks:
///  * none: a tensor of `shape` and `elementType` with the per-point loss;
///  * sum/mean: a 0-d tensor; `mean` divides the sum by `meanDivisor` if
///    given, else by the sum of the per-point weights if `weightedMean`, else
///    by the number of points.
/// Arithmetic happens in `getAccumulatorType(elementType)`.
Value buildReducedLoss(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> shape,
                       ArrayRef<LoopInput> inputs, Reduction reduction,
                       Type elementType, PointLossFn pointLoss,
                       bool weightedMean = false, Value meanDivisor = {});

/// Per-sample losses `perSample` ([N], accumulator type) as a loss result
/// of element type `elementType`: the one sample's loss as a 0-d tensor when
/// `batched` is false, else reduced over the N samples as `reduction` asks.
Value reducePerSample(OpBuilder &b, Location loc, Value perSample, bool batched,
                      OpFoldResult batchSize, Reduction reduction,
                      Type elementType);

/// Replaces `op` by `values`, casting each to the op's result type where
/// the result spells static sizes as dynamic (or the reverse).
void replaceOpWithCasts(PatternRewriter &rewriter, Operation *op,
                        ValueRange values);

/// The identity map of rank `rank`.
AffineMap identityMap(MLIRContext *ctx, unsigned rank);

/// A map from `rank` loops to the trailing `resultRank` dims, with dims of
/// `shape` equal to 1 broadcast (NumPy rules, trailing alignment).
AffineMap broadcastMap(MLIRContext *ctx, unsigned rank,
                       ArrayRef<int64_t> shape);

} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_LIB_CONVERSION_LOSSTOLINALG_UTILS_H
