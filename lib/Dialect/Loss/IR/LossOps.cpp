//===- LossOps.cpp - Loss dialect ops and verifiers -----------------------===//
//
// Verifiers reject everything a user can get wrong statically; dynamic
// dimensions are treated as compatible with anything.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Dialect/Loss/IR/Loss.h"
#include "VerifyUtils.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::loss;

#include "loss-mlir/Dialect/Loss/IR/LossOpsDialect.cpp.inc"
#include "loss-mlir/Dialect/Loss/IR/LossEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "loss-mlir/Dialect/Loss/IR/LossAttrs.cpp.inc"

void LossDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "loss-mlir/Dialect/Loss/IR/LossAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "loss-mlir/Dialect/Loss/IR/LossOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Shared verification helpers
//===----------------------------------------------------------------------===//

using namespace mlir::loss::verify;

bool mlir::loss::broadcastShapes(ArrayRef<ArrayRef<int64_t>> shapes,
                                 SmallVectorImpl<int64_t> &result) {
  size_t rank = 0;
  for (ArrayRef<int64_t> s : shapes)
    rank = std::max(rank, s.size());
  result.assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    bool sawDynamic = false;
    int64_t staticSize = -1;
    for (ArrayRef<int64_t> s : shapes) {
      if (i >= s.size())
        continue;
      int64_t d = s[s.size() - 1 - i];
      if (ShapedType::isDynamic(d)) {
        sawDynamic = true;
      } else if (d != 1) {
        if (staticSize >= 0 && staticSize != d)
          return false;
        staticSize = d;
      }
    }
    result[rank - 1 - i] = staticSize >= 0 ? staticSize
                           : sawDynamic    ? ShapedType::kDynamic
                                           : 1;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Softmax family
//===----------------------------------------------------------------------===//

int64_t LogSoftmaxOp::getNormalizedAxis() {
  int64_t axis = getAxis();
  return axis < 0 ? axis + getInput().getType().getRank() : axis;
}

LogicalResult LogSoftmaxOp::verify() {
  int64_t rank = getInput().getType().getRank();
  if (rank < 1)
    return emitOpError("input must have rank >= 1");
  if (getAxis() < -rank || getAxis() >= rank)
    return emitOpError("axis ") << getAxis() << " is out of range for rank "
                                << rank << " (expected [" << -rank << ", "
                                << rank << "))";
  return success();
}

LogicalResult NllOp::verify() {
  Operation *op = getOperation();
  Type elTy = getInput().getType().getElementType();
  int64_t numClasses;
  if (failed(verifyClassTargets(op, getInput(), getTarget(), numClasses,
                                "input")) ||
      failed(verifyClassWeight(op, getWeight(), numClasses, elTy)))
    return failure();
  return verifyLossResult(*this);
}

LogicalResult SoftmaxCrossEntropyOp::verify() {
  auto logitsTy = getLogits().getType();
  if (failed(verifyCrossEntropyOperands(*this)))
    return failure();
  if (getLogProb()) {
    if (getLogProb().getType() != logitsTy)
      return emitOpError("'log_prob' result type ")
             << getLogProb().getType() << " must match the logits type "
             << logitsTy;
  }
  return verifyLossResult(*this);
}

namespace {
/// A `log_prob` result that nothing uses is not computed: the lowering then
/// needs no logits-shaped tensor.
struct DropUnusedLogProb : public OpRewritePattern<SoftmaxCrossEntropyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxCrossEntropyOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getLogProb() || !op.getLogProb().use_empty())
      return failure();
    auto reduced = SoftmaxCrossEntropyOp::create(
        rewriter, op.getLoc(), op.getResult().getType(), /*log_prob=*/Type(),
        op.getLogits(), op.getTarget(), op.getWeight(), op.getIgnoreIndex(),
        op.getReduction(), op.getLabelSmoothing());
    rewriter.replaceAllUsesWith(op.getResult(), reduced.getResult());
    rewriter.eraseOp(op);
    return success();
  }
};
} // namespace

void SoftmaxCrossEntropyOp::getCanonicalizationPatterns(
    RewritePatternSet &results, MLIRContext *context) {
  results.add<DropUnusedLogProb>(context);
}

//===----------------------------------------------------------------------===//
// CTC
//===----------------------------------------------------------------------===//

LogicalResult CtcOp::verify() {
  if (failed(verifyCtcOperands(*this)))
    return failure();
  return verifyLossResult(*this);
}

//===----------------------------------------------------------------------===//
// Elementwise losses
//===----------------------------------------------------------------------===//

namespace {
/// Input and target that broadcast together (PyTorch's l1, mse, ...: a
/// target shaped differently only warns); the `none` result has the
/// broadcast shape. The target has the input's float type, or is an integer
/// where `allowInt`.
template <typename OpTy>
LogicalResult verifyBroadcastElementwise(OpTy op, bool allowInt,
                                         bool allowBool = true) {
  if (failed(verifyBroadcastPair(op, op.getInput(), op.getTarget(), allowInt,
                                 allowBool)))
    return failure();
  return verifyLossResult(op);
}
} // namespace

LogicalResult BceOp::verify() {
  if (failed(verifyBceOperands(*this, getInput(), getTarget(), getWeight(),
                               /*posWeight=*/{})))
    return failure();
  return verifyLossResult(*this);
}

LogicalResult BceWithLogitsOp::verify() {
  if (failed(verifyBceOperands(*this, getInput(), getTarget(), getWeight(),
                               getPosWeight())))
    return failure();
  return verifyLossResult(*this);
}

LogicalResult L1Op::verify() {
  return verifyBroadcastElementwise(*this, /*allowInt=*/true,
                                    /*allowBool=*/false);
}

LogicalResult MseOp::verify() {
  return verifyBroadcastElementwise(*this, /*allowInt=*/true);
}

namespace {
/// The gradient ops of the regression losses: input and target of one shape
/// and float type, grad_output shaped like the `none` result, both
/// gradients shaped like the input.
template <typename OpTy>
LogicalResult verifyRegressionGrad(OpTy op) {
  Value input = op.getInput(), target = op.getTarget(),
        gradOutput = op.getGradOutput();
  Reduction reduction = op.getReduction();
  ValueRange grads = op->getResults();
  auto inTy = tensorTy(input);
  auto tTy = tensorTy(target);
  auto gTy = tensorTy(gradOutput);
  Type elTy = inTy.getElementType();
  if (tTy.getElementType() != elTy || gTy.getElementType() != elTy)
    return op->emitOpError("'target' and 'grad_output' must have the "
                           "input's element type ")
           << elTy;
  if (!shapesCompatible(tTy.getShape(), inTy.getShape()))
    return op->emitOpError("'target' shape ")
           << shapeStr(tTy.getShape()) << " must match 'input' shape "
           << shapeStr(inTy.getShape())
           << " (the gradient ops take no broadcasting)";
  Shape expected;
  if (reduction == Reduction::none)
    expected.assign(inTy.getShape().begin(), inTy.getShape().end());
  if (!shapesCompatible(gTy.getShape(), expected))
    return op->emitOpError("'grad_output' must have shape ")
           << shapeStr(expected) << " for reduction '"
           << stringifyReduction(reduction) << "', got "
           << shapeStr(gTy.getShape());
  for (Value g : grads) {
    auto ty = tensorTy(g);
    if (ty.getElementType() != elTy ||
        !shapesCompatible(ty.getShape(), inTy.getShape()))
      return op->emitOpError("gradients must have the input's type ")
             << inTy << ", got " << ty;
  }
  return success();
}
} // namespace

LogicalResult L1GradOp::verify() { return verifyRegressionGrad(*this); }
LogicalResult MseGradOp::verify() { return verifyRegressionGrad(*this); }
LogicalResult SmoothL1GradOp::verify() { return verifyRegressionGrad(*this); }
LogicalResult HuberGradOp::verify() { return verifyRegressionGrad(*this); }

LogicalResult SmoothL1Op::verify() {
  return verifyBroadcastElementwise(*this, /*allowInt=*/true);
}

LogicalResult HuberOp::verify() {
  // delta > 0 is an ODS constraint.
  return verifyBroadcastElementwise(*this, /*allowInt=*/true);
}

LogicalResult PoissonNllOp::verify() {
  if (failed(verifyBroadcastPair(*this, getInput(), getTarget(),
                                 /*allowInt=*/true, /*allowBool=*/true)))
    return failure();
  return verifyLossResult(*this);
}

LogicalResult GaussianNllOp::verify() {
  if (failed(
          verifyGaussianNllOperands(*this, getInput(), getTarget(), getVar())))
    return failure();
  return verifyLossResult(*this);
}

LogicalResult KlDivOp::verify() {
  if (failed(verifyBroadcastPair(*this, getInput(), getTarget(),
                                 /*allowInt=*/false, /*allowBool=*/false)))
    return failure();
  return verifyLossResult(*this);
}

LogicalResult MarginRankingOp::verify() {
  if (failed(verifyMarginRankingOperands(*this, getInput1(), getInput2(),
                                         getTarget())))
    return failure();
  return verifyLossResult(*this);
}

LogicalResult HingeEmbeddingOp::verify() {
  if (failed(verifyHingeEmbeddingOperands(*this, getInput(), getTarget())))
    return failure();
  return verifyLossResult(*this);
}

LogicalResult SoftMarginOp::verify() {
  if (failed(verifySoftMarginOperands(*this, getInput(), getTarget())))
    return failure();
  return verifyLossResult(*this);
}

//===----------------------------------------------------------------------===//
// Multi-class margin losses
//===----------------------------------------------------------------------===//

LogicalResult MultilabelMarginOp::verify() {
  if (failed(verifyMultilabelMarginOperands(*this, getInput(), getTarget())))
    return failure();
  return verifyLossResult(*this);
}

LogicalResult MultilabelSoftMarginOp::verify() {
  if (failed(verifyMultilabelSoftMarginOperands(*this, getInput(), getTarget(),
                                                getWeight())))
    return failure();
  return verifyLossResult(*this);
}

LogicalResult MultiMarginOp::verify() {
  if (failed(verifyMultiMarginOperands(*this, getInput(), getTarget(),
                                       getWeight())))
    return failure();
  return verifyLossResult(*this);
}

//===----------------------------------------------------------------------===//
// Embedding losses
//===----------------------------------------------------------------------===//

LogicalResult CosineEmbeddingOp::verify() {
  if (failed(verifyCosineEmbeddingOperands(*this, getInput1(), getInput2(),
                                           getTarget())))
    return failure();
  return verifyLossResult(*this);
}

LogicalResult TripletMarginOp::verify() {
  if (failed(verifyTripletMarginOperands(*this, getAnchor(), getPositive(),
                                         getNegative(),
                                         getSwap())))
    return failure();
  return verifyLossResult(*this);
}

//===----------------------------------------------------------------------===//
// Fused linear layer + cross entropy
//===----------------------------------------------------------------------===//

namespace {
/// The operands of linear_cross_entropy (and of its gradient): hidden
/// `[N, H]`, weight `[V, H]` of the same float type, target `[N]`, bias and
/// class_weight `[V]`. Returns V through `vocab`.
template <typename OpTy>
LogicalResult verifyLinearCrossEntropyOperands(OpTy op, int64_t &vocab) {
  auto hTy = op.getHidden().getType();
  auto wTy = op.getWeight().getType();
  Type elTy = hTy.getElementType();
  if (hTy.getRank() != 2)
    return op.emitOpError("'hidden' must be [N, H], got ")
           << shapeStr(hTy.getShape());
  if (wTy.getRank() != 2)
    return op.emitOpError("'weight' must be [V, H], got ")
           << shapeStr(wTy.getShape());
  if (failed(verifyElementType(op, op.getWeight(), "weight", elTy)))
    return failure();
  if (!dimsCompatible(hTy.getDimSize(1), wTy.getDimSize(1)))
    return op.emitOpError("'weight' of shape ")
           << shapeStr(wTy.getShape()) << " must have as many columns (H) as "
           << "'hidden' of shape " << shapeStr(hTy.getShape());
  auto tTy = op.getTarget().getType();
  if (!shapesCompatible(tTy.getShape(), {hTy.getDimSize(0)}))
    return op.emitOpError("class-index target must have shape ")
           << shapeStr({hTy.getDimSize(0)}) << " for 'hidden' of shape "
           << shapeStr(hTy.getShape()) << ", got "
           << shapeStr(tTy.getShape());
  vocab = wTy.getDimSize(0);
  for (auto [v, name] : {std::pair<Value, StringRef>(op.getBias(), "bias"),
                         {op.getClassWeight(), "class_weight"}}) {
    if (!v)
      continue;
    auto ty = tensorTy(v);
    if (ty.getRank() != 1 || !dimsCompatible(ty.getDimSize(0), vocab))
      return op.emitOpError("'")
             << name << "' must have shape [V] = " << shapeStr({vocab})
             << " for 'weight' of shape " << shapeStr(wTy.getShape())
             << ", got " << shapeStr(ty.getShape());
    if (failed(verifyElementType(op, v, name, elTy)))
      return failure();
  }
  return success();
}
} // namespace

LogicalResult LinearCrossEntropyOp::verify() {
  int64_t vocab;
  if (failed(verifyLinearCrossEntropyOperands(*this, vocab)))
    return failure();
  return verifyLossResult(*this);
}
LogicalResult LinearCrossEntropyGradOp::verify() {
  int64_t vocab;
  if (failed(verifyLinearCrossEntropyOperands(*this, vocab)))
    return failure();
  Type elTy = getHidden().getType().getElementType();
  // The forward's `none` loss: one per row.
  int64_t rows = getTarget().getType().getRank() == 1
                     ? getTarget().getType().getDimSize(0)
                     : ShapedType::kDynamic;
  if (ShapedType::isDynamic(rows))
    rows = getHidden().getType().getDimSize(0);
  if (failed(verifyGradOutput(*this, getGradOutput(), getReduction(), {rows},
                              elTy)))
    return failure();
  for (auto [grad, operand, name] :
       {std::tuple<Value, Value, StringRef>(getGradHidden(), getHidden(),
                                            "hidden"),
        {getGradWeight(), getWeight(), "weight"},
        {getGradBias(), getBias(), "bias"}}) {
    if (!grad && !operand)
      continue;
    if (!grad || !operand)
      return emitOpError("'grad_bias' is returned exactly when there is a "
                         "'bias'");
    if (grad.getType() != operand.getType())
      return emitOpError("'grad_")
             << name << "' type " << grad.getType() << " must match the '"
             << name << "' type " << operand.getType();
  }
  return success();
}

#define GET_OP_CLASSES
#include "loss-mlir/Dialect/Loss/IR/LossOps.cpp.inc"
