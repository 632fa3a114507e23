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

/// One streaming pass over the rows of `req.logits` (in vectorizable lanes
/// merged per row where rows are wide), after the run-time checks of the
/// operands' sizes.
RowStats buildRowStats(OpBuilder &b, Location loc,
                       const SoftmaxRowOperands &req);

/// The cross-entropy loss of `req` from its row statistics, reduced as
/// `reduction` asks, of element type `elementType`.
Value buildCrossEntropyLoss(OpBuilder &b, Location loc,
                            const SoftmaxRowOperands &req,
                            const RowStats &stats, Reduction reduction,
                            Type elementType);

} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_LIB_CONVERSION_LOSSTOLINALG_SOFTMAXROWS_H
