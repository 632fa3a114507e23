//===- InferTypes.h - The result-type rules of the loss ops -----*- C++ -*-===//
//
// Each op's result types follow from its operands and attributes by one
// rule (InferTypes.cpp). A rule gives, per result dimension, its static size
// or the operand dimension it is read from, so that the same rule serves
// type inference (builders without result types, the verifiers) and
// ReifyRankedShapedTypeOpInterface. Private to lib/Dialect/Loss/IR.
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_MLIR_LIB_DIALECT_LOSS_IR_INFERTYPES_H
#define LOSS_MLIR_LIB_DIALECT_LOSS_IR_INFERTYPES_H

#include "loss-mlir/Dialect/Loss/IR/Loss.h"

namespace mlir {
namespace loss {
namespace infer {

/// One result dimension: its size (static, or kDynamic), and the operand
/// dimension it equals (`source` null when none is known).
struct Dim {
  int64_t size;
  Value source;
  int64_t dim;
};
using Dims = SmallVector<Dim>;

/// The dims of a ranked tensor value (none for anything else).
Dims dimsOf(Value v);

/// The sizes of `dims`.
SmallVector<int64_t> sizesOf(ArrayRef<Dim> dims);

/// The `none` loss of each op family, by the names of its operands. The
/// operands need not be valid: on operands the verifier rejects, a rule
/// returns best-effort dims (a builder never fails, and the verifier's
/// diagnostic is the one the user sees).
Dims classTargetLoss(Value target);
Dims crossEntropyLoss(Value logits, Value target);
Dims ctcLoss(Value logProbs);
Dims broadcastLoss(ArrayRef<Value> operands);
Dims gaussianNllLoss(Value input, Value target, Value var);
Dims multilabelMarginLoss(Value input);
Dims lastDimDroppedLoss(Value input);
Dims cosineEmbeddingLoss(Value input1, Value input2, Value target);
Dims tripletMarginLoss(Value anchor, Value positive, Value negative, bool swap);

/// The loss result of a forward op: `none` dims for `none`, 0-d
/// otherwise, of `input`'s element type.
Type lossType(Value input, Reduction reduction, ArrayRef<Dim> none);

/// Result types that agree with `inferred` as the verifiers accept them:
/// ranked tensors of one element type whose dimensions agree where both
/// are static.
bool compatibleReturnTypes(TypeRange inferred, TypeRange actual);

} // namespace infer
} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_LIB_DIALECT_LOSS_IR_INFERTYPES_H
