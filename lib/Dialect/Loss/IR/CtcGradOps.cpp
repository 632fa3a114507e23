//===- CtcGradOps.cpp - Verifiers of the ctc family's gradients -------===//
//
// Gradient ops of ctc.
//
//===----------------------------------------------------------------------===//

#include "InferTypes.h"
#include "VerifyUtils.h"

using namespace mlir;
using namespace mlir::loss;
using namespace mlir::loss::verify;

/// The operands of loss.ctc (verifyCtcOperands), `grad_output` shaped like
/// the `none` loss for `none` and 0-d otherwise, and a result of the type of
/// `log_probs`; floats of one element type throughout.
LogicalResult CtcGradOp::verify() {
  if (failed(verifyCtcOperands(*this)))
    return failure();
  auto lpTy = getLogProbs().getType();
  Type elTy = lpTy.getElementType();
  auto gTy = getGradOutput().getType();
  if (gTy.getElementType() != elTy)
    return emitOpError("'grad_output' element type ")
           << gTy.getElementType() << " must match the 'log_probs' element type "
           << elTy;
  Shape expected;
  if (getReduction() == Reduction::none)
    expected = infer::sizesOf(infer::ctcLoss(getLogProbs()));
  if (!shapesCompatible(gTy.getShape(), expected))
    return emitOpError("'grad_output' must have shape ")
           << shapeStr(expected) << " for reduction '"
           << stringifyReduction(getReduction()) << "', got "
           << shapeStr(gTy.getShape());
  auto rTy = getGradLogProbs().getType();
  if (rTy.getElementType() != elTy ||
      !shapesCompatible(rTy.getShape(), lpTy.getShape()))
    return emitOpError("'grad_log_probs' must have the type of 'log_probs' ")
           << lpTy << ", got " << rTy;
  return success();
}
