//===- BinaryGradOps.cpp - Verifiers of the binary family's gradients -------===//
//
// Gradient ops of bce, bce_with_logits, poisson_nll, gaussian_nll and kl_div.
// Each verifier runs the forward op's operand checks (VerifyUtils.h), then
// checks grad_output against the forward's result and every gradient
// against its operand.
//
//===----------------------------------------------------------------------===//

#include "InferTypes.h"
#include "VerifyUtils.h"

using namespace mlir;
using namespace mlir::loss;
using namespace mlir::loss::verify;

namespace {
/// A gradient result has the shape and (float) type of its operand.
LogicalResult verifyGradLike(Operation *op, Value grad, StringRef gradName,
                             Value operand, StringRef operandName) {
  auto ty = tensorTy(grad);
  auto opTy = tensorTy(operand);
  if (ty.getElementType() != opTy.getElementType() ||
      !shapesCompatible(ty.getShape(), opTy.getShape()))
    return op->emitOpError("'")
           << gradName << "' must have the type of '" << operandName
           << "' " << opTy << ", got " << ty;
  return success();
}

/// A `grad_target` result exists exactly when the target is a float tensor
/// (autograd has no gradient for an integer target).
LogicalResult verifyOptionalTargetGrad(Operation *op, Value target,
                                       Value gradTarget) {
  bool intTarget = isa<IntegerType>(tensorTy(target).getElementType());
  if (intTarget && gradTarget)
    return op->emitOpError("an integer 'target' has no gradient: the op "
                           "takes no 'grad_target' result then");
  if (!intTarget && !gradTarget)
    return op->emitOpError("a float 'target' needs a 'grad_target' result");
  if (gradTarget)
    return verifyGradLike(op, gradTarget, "grad_target", target, "target");
  return success();
}
} // namespace

LogicalResult BceGradOp::verify() {
  Operation *op = getOperation();
  auto ty = getInput().getType();
  if (failed(verifyBceOperands(op, getInput(), getTarget(), getWeight(),
                               /*posWeight=*/{})) ||
      failed(verifyGradOutput(op, getGradOutput(), getReduction(),
                              ty.getShape(), ty.getElementType())) ||
      failed(verifyGradLike(op, getGradInput(), "grad_input", getInput(),
                            "input")))
    return failure();
  return verifyGradLike(op, getGradTarget(), "grad_target", getTarget(),
                        "target");
}

LogicalResult BceWithLogitsGradOp::verify() {
  Operation *op = getOperation();
  auto ty = getInput().getType();
  if (failed(verifyBceOperands(op, getInput(), getTarget(), getWeight(),
                               getPosWeight())) ||
      failed(verifyGradOutput(op, getGradOutput(), getReduction(),
                              ty.getShape(), ty.getElementType())) ||
      failed(verifyGradLike(op, getGradInput(), "grad_input", getInput(),
                            "input")))
    return failure();
  return verifyGradLike(op, getGradTarget(), "grad_target", getTarget(),
                        "target");
}

LogicalResult PoissonNllGradOp::verify() {
  Operation *op = getOperation();
  if (failed(verifyBroadcastPair(op, getInput(), getTarget(),
                                 /*allowInt=*/true, /*allowBool=*/true)) ||
      failed(verifyGradOutput(
          op, getGradOutput(), getReduction(),
          infer::sizesOf(infer::broadcastLoss({getInput(), getTarget()})),
          getInput().getType().getElementType())) ||
      failed(verifyGradLike(op, getGradInput(), "grad_input", getInput(),
                            "input")))
    return failure();
  return verifyOptionalTargetGrad(op, getTarget(), getGradTarget());
}

LogicalResult GaussianNllGradOp::verify() {
  Operation *op = getOperation();
  if (failed(
          verifyGaussianNllOperands(op, getInput(), getTarget(), getVar())) ||
      failed(verifyGradOutput(op, getGradOutput(), getReduction(),
                              infer::sizesOf(infer::gaussianNllLoss(
                                  getInput(), getTarget(), getVar())),
                              getInput().getType().getElementType())) ||
      failed(verifyGradLike(op, getGradInput(), "grad_input", getInput(),
                            "input")) ||
      failed(verifyOptionalTargetGrad(op, getTarget(), getGradTarget())))
    return failure();
  return verifyGradLike(op, getGradVar(), "grad_var", getVar(), "var");
}

LogicalResult KlDivGradOp::verify() {
  Operation *op = getOperation();
  if (failed(verifyBroadcastPair(op, getInput(), getTarget(),
                                 /*allowInt=*/false, /*allowBool=*/false)) ||
      failed(verifyGradOutput(
          op, getGradOutput(), getReduction(),
          infer::sizesOf(infer::broadcastLoss({getInput(), getTarget()})),
          getInput().getType().getElementType())) ||
      failed(verifyGradLike(op, getGradInput(), "grad_input", getInput(),
                            "input")))
    return failure();
  return verifyGradLike(op, getGradTarget(), "grad_target", getTarget(),
                        "target");
}
