//===- MarginGradOps.cpp - Verifiers of the margin family's gradients -------===//
//
// Gradient ops of the margin and embedding losses (margin_ranking, hinge_embedding, soft_margin, multilabel_margin, multilabel_soft_margin, multi_margin, cosine_embedding, triplet_margin).
//
//===----------------------------------------------------------------------===//

#include "InferTypes.h"
#include "VerifyUtils.h"

using namespace mlir;
using namespace mlir::loss;
using namespace mlir::loss::verify;

namespace {
/// What every margin gradient op checks past its forward's operand checks:
/// `grad_output` of the input's element type, shaped like the `none` result
/// for `none` and 0-d otherwise; each gradient shaped and typed like the
/// operand it differentiates (`diffs` pairs operand names and values with
/// the results, in order).
LogicalResult verifyMarginGrad(Operation *op, Value gradOutput,
                               Reduction reduction,
                               ArrayRef<int64_t> noneShape, Type elTy,
                               ArrayRef<std::pair<StringRef, Value>> diffs) {
  if (failed(verifyElementType(op, gradOutput, "grad_output", elTy)))
    return failure();
  Shape expected;
  if (reduction == Reduction::none)
    expected.assign(noneShape.begin(), noneShape.end());
  auto gTy = tensorTy(gradOutput);
  if (!shapesCompatible(gTy.getShape(), expected))
    return op->emitOpError("'grad_output' must have shape ")
           << shapeStr(expected) << " for reduction '"
           << stringifyReduction(reduction) << "', got "
           << shapeStr(gTy.getShape());
  assert(diffs.size() == op->getNumResults() && "one gradient per operand");
  for (auto [diff, result] : llvm::zip(diffs, op->getResults())) {
    auto [name, operand] = diff;
    auto want = tensorTy(operand);
    auto got = tensorTy(result);
    if (got.getElementType() != want.getElementType() ||
        !shapesCompatible(got.getShape(), want.getShape()))
      return op->emitOpError("the gradient of '")
             << name << "' must have its type " << want << ", got " << got;
  }
  return success();
}
} // namespace

LogicalResult MarginRankingGradOp::verify() {
  if (failed(verifyMarginRankingOperands(*this, getInput1(), getInput2(),
                                         getTarget())))
    return failure();
  return verifyMarginGrad(*this, getGradOutput(), getReduction(),
                          infer::sizesOf(infer::broadcastLoss(
                              {getInput1(), getInput2(), getTarget()})),
                          getInput1().getType().getElementType(),
                          {{"input1", getInput1()}, {"input2", getInput2()}});
}

LogicalResult HingeEmbeddingGradOp::verify() {
  if (failed(verifyHingeEmbeddingOperands(*this, getInput(), getTarget())))
    return failure();
  return verifyMarginGrad(
      *this, getGradOutput(), getReduction(),
      infer::sizesOf(infer::broadcastLoss({getInput(), getTarget()})),
      getInput().getType().getElementType(), {{"input", getInput()}});
}

LogicalResult SoftMarginGradOp::verify() {
  if (failed(verifySoftMarginOperands(*this, getInput(), getTarget())))
    return failure();
  return verifyMarginGrad(*this, getGradOutput(), getReduction(),
                          infer::sizesOf(infer::dimsOf(getInput())),
                          getInput().getType().getElementType(),
                          {{"input", getInput()}});
}

LogicalResult MultilabelMarginGradOp::verify() {
  if (failed(verifyMultilabelMarginOperands(*this, getInput(), getTarget())))
    return failure();
  return verifyMarginGrad(
      *this, getGradOutput(), getReduction(),
      infer::sizesOf(infer::multilabelMarginLoss(getInput())),
      getInput().getType().getElementType(), {{"input", getInput()}});
}

LogicalResult MultilabelSoftMarginGradOp::verify() {
  if (failed(verifyMultilabelSoftMarginOperands(*this, getInput(), getTarget(),
                                                getWeight())))
    return failure();
  return verifyMarginGrad(*this, getGradOutput(), getReduction(),
                          infer::sizesOf(infer::lastDimDroppedLoss(getInput())),
                          getInput().getType().getElementType(),
                          {{"input", getInput()}});
}

LogicalResult MultiMarginGradOp::verify() {
  if (failed(verifyMultiMarginOperands(*this, getInput(), getTarget(),
                                       getWeight())))
    return failure();
  return verifyMarginGrad(*this, getGradOutput(), getReduction(),
                          infer::sizesOf(infer::classTargetLoss(getTarget())),
                          getInput().getType().getElementType(),
                          {{"input", getInput()}});
}

LogicalResult CosineEmbeddingGradOp::verify() {
  if (failed(verifyCosineEmbeddingOperands(*this, getInput1(), getInput2(),
                                           getTarget())))
    return failure();
  return verifyMarginGrad(*this, getGradOutput(), getReduction(),
                          infer::sizesOf(infer::cosineEmbeddingLoss(
                              getInput1(), getInput2(), getTarget())),
                          getInput1().getType().getElementType(),
                          {{"input1", getInput1()}, {"input2", getInput2()}});
}

LogicalResult TripletMarginGradOp::verify() {
  if (failed(verifyTripletMarginOperands(*this, getAnchor(), getPositive(),
                                         getNegative(),
                                         getSwap())))
    return failure();
  return verifyMarginGrad(
      *this, getGradOutput(), getReduction(),
      infer::sizesOf(infer::tripletMarginLoss(getAnchor(), getPositive(),
                                              getNegative(), getSwap())),
      getAnchor().getType().getElementType(),
      {{"anchor", getAnchor()},
       {"positive", getPositive()},
       {"negative", getNegative()}});
}
