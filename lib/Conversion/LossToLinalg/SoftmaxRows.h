//===- SoftmaxRows.h - Row statistics of the softmax lowerings --*- C++ -*-===//
//
// The streaming pass over rows of logits that cross entropy, log_softmax and
// their gradients share (CrossEntropy.cpp), and the loss of cross entropy
// from its row statistics (used by the forward and by the fused forward and
// backward). Private to lib/Conversion/LossToLinalg.
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_MLIR_LIB_CONVERSION_LOSSTOLINALG_SOFTMAXROWS_H
#define LOSS_MLIR_LIB_CONVERSION_LOSSTOLINALG_SOFTMAXROWS_H

#include "Utils.h"

namespace mlir {
namespace loss {

/// The per-row result of one streaming pass over the logits: the fields of
/// the online-softmax state (LossArithmetic.h), one row-shaped tensor each.
struct RowStats {
  SmallVector<OpFoldResult> rowShape;
  Value max, sumExp;  // lse = max + log(sumExp)
  Value targetLogit;  // x[t] (NaN if t is outside [0, C))
  Value targetWeight; // w[t] (0 if t is outside [0, C)); with a weight only
  Value shiftedSum, factorSum; // D and O, with smoothing or probabilities
};

/// The class axis of logits (or log-probabilities): 1 for `[N, C, d...]`,
/// 0 for `[C]`.
inline int64_t getClassAxis(RankedTensorType ty) {
  return ty.getRank() == 1 ? 0 : 1;
}

/// C, the size of `input`'s class axis, as i64.
inline Value numClassesI64(OpBuilder &b, Location loc, Value input,
                           int64_t axis) {
  return toI64FromIndex(b, loc, tensor::DimOp::create(b, loc, input, axis));
}

/// nll's (or its gradient's) class weight, if any, holds one value per class
/// of `input` (checked at run time where either size is dynamic), so that
/// w[t] is in bounds for every t in [0, C).
inline void assertClassWeightSize(OpBuilder &b, Location loc, Value input,
                                  int64_t axis, Value weight) {
  if (weight)
    assertConsistentLoopSizes(b, loc,
                              {tensor::getMixedSize(b, loc, input, axis)},
                              {{weight, identityMap(b.getContext(), 1)}});
}

/// The row operands of softmax_cross_entropy or its gradient.
template <typename OpTy>
SoftmaxRowOperands getCrossEntropyOperands(OpTy op) {
  SoftmaxRowOperands req;
  req.logits = op.getLogits();
  req.axis = getClassAxis(op.getLogits().getType());
  req.weight = op.getWeight();
  req.smoothing = op.getLabelSmoothing().convertToDouble();
  req.ignoreIndex = op.getIgnoreIndex();
  if (op.hasProbabilityTarget())
    req.probTarget = op.getTarget();
  else
    req.classTarget = op.getTarget();
  return req;
}

/// How the rows are scheduled on the CPU.
struct RowSchedule {
  /// The width of explicit vectors (0: scalar linalg only).
  unsigned vectorBits = 0;
};

/// One streaming pass over the rows of `req.logits`, after the run-time
/// checks of the operands' sizes: in explicit vectors where the schedule has
/// them and the classes are contiguous (buildVectorRowStats), else in
/// vectorizable lanes of linalg.generic merged per row where rows are wide.
RowStats buildRowStats(OpBuilder &b, Location loc,
                       const SoftmaxRowOperands &req,
                       const RowSchedule &schedule = {});

/// Whether buildVectorRowStats takes `req` at `vectorBits`: the class axis
/// innermost, and rows of at least two vectors (or of a dynamic length).
bool canVectorizeRows(const SoftmaxRowOperands &req, unsigned vectorBits);

/// Lanes of a `vectorBits` vector of `elementType`'s accumulator, or 0 where
/// the explicit-vector schedules do not apply: no width, fewer than two
/// lanes, or 16-bit floats, whose vectors x86 without AVX512-BF16/FP16
/// legalizes through compiler-rt calls (`__truncsfbf2`) that neither the JIT
/// nor loss-compile's libraries link (16-bit inputs keep the scalar loops,
/// which read and widen one element at a time).
int64_t vectorScheduleLanes(Type elementType, unsigned vectorBits);

/// Whether buildLaneRowStats takes `req`: classes strided (K-dim) or rows
/// of `[N, C]` too short for canVectorizeRows.
bool canVectorizeLaneRows(const SoftmaxRowOperands &req, unsigned vectorBits);

/// The row statistics with one row per vector lane (SoftmaxRowsVector.cpp).
RowStats buildLaneRowStats(OpBuilder &b, Location loc,
                           const SoftmaxRowOperands &req, unsigned vectorBits);

/// The row statistics in `vector` ops of `vectorBits` (SoftmaxRowsVector.cpp).
RowStats buildVectorRowStats(OpBuilder &b, Location loc,
                             const SoftmaxRowOperands &req,
                             unsigned vectorBits);

/// The cross-entropy loss of `req` from its row statistics, reduced as
/// `reduction` asks, of element type `elementType`.
Value buildCrossEntropyLoss(OpBuilder &b, Location loc,
                            const SoftmaxRowOperands &req,
                            const RowStats &stats, Reduction reduction,
                            Type elementType);

} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_LIB_CONVERSION_LOSSTOLINALG_SOFTMAXROWS_H
