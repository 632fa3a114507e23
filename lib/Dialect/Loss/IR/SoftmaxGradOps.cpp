//===- SoftmaxGradOps.cpp - Verifiers of the softmax family's gradients ---===//
//
// Gradient ops of log_softmax, nll and softmax_cross_entropy: each takes
// what its forward takes (checked by the same helpers) and a grad_output of
// the forward result's type.
//
//===----------------------------------------------------------------------===//

#include "InferTypes.h"
#include "VerifyUtils.h"

using namespace mlir;
using namespace mlir::loss;
using namespace mlir::loss::verify;

int64_t LogSoftmaxGradOp::getNormalizedAxis() {
  int64_t axis = getAxis();
  return axis < 0 ? axis + getOutput().getType().getRank() : axis;
}

LogicalResult LogSoftmaxGradOp::verify() {
  int64_t rank = getOutput().getType().getRank();
  if (rank < 1)
    return emitOpError("output must have rank >= 1");
  if (getAxis() < -rank || getAxis() >= rank)
    return emitOpError("axis ") << getAxis() << " is out of range for rank "
                                << rank << " (expected [" << -rank << ", "
                                << rank << "))";
  return success();
}

LogicalResult NllGradOp::verify() {
  Operation *op = getOperation();
  Type elTy = getInput().getType().getElementType();
  int64_t numClasses;
  if (failed(verifyClassTargets(op, getInput(), getTarget(), numClasses,
                                "input")) ||
      failed(verifyClassWeight(op, getWeight(), numClasses, elTy)) ||
      failed(verifyGradOutput(op, getGradOutput(), getReduction(),
                              getTarget().getType().getShape(), elTy)))
    return failure();
  if (getGradInput().getType() != getInput().getType())
    return emitOpError("'grad_input' type ")
           << getGradInput().getType() << " must match the input type "
           << getInput().getType();
  return success();
}

LogicalResult SoftmaxCrossEntropyGradOp::verify() {
  Operation *op = getOperation();
  auto logitsTy = getLogits().getType();
  Type elTy = logitsTy.getElementType();
  // The forward's `none` loss, by its rule.
  Shape noneShape =
      infer::sizesOf(infer::crossEntropyLoss(getLogits(), getTarget()));
  if (failed(verifyCrossEntropyOperands(*this)) ||
      failed(verifyGradOutput(op, getGradOutput(), getReduction(), noneShape,
                              elTy)))
    return failure();
  if (getGradLogits().getType() != logitsTy)
    return emitOpError("'grad_logits' type ")
           << getGradLogits().getType() << " must match the logits type "
           << logitsTy;
  if (getLoss())
    return verifyResult(op, getLoss(), getReduction(), noneShape, elTy);
  return success();
}
