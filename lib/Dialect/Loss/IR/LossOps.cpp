//===- LossOps.cpp - Loss dialect ops and verifiers -----------------------===//
//
// Verifiers reject everything a user can get wrong statically; dynamic
// dimensions are treated as compatible with anything.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Dialect/Loss/IR/Loss.h"
#include "VerifyUtils.h"

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
  return verifyResult(op, getResult(), getReduction(),
                      getTarget().getType().getShape(), elTy);
}

LogicalResult SoftmaxCrossEntropyOp::verify() {
  Operation *op = getOperation();
  auto logitsTy = getLogits().getType();
  Type elTy = logitsTy.getElementType();
  int64_t numClasses;
  Shape noneShape;
  if (hasProbabilityTarget()) {
    if (logitsTy.getRank() < 1)
      return emitOpError("'logits' must have rank >= 1");
    numClasses = logitsTy.getDimSize(logitsTy.getRank() == 1 ? 0 : 1);
    if (failed(verifyLike(op, getLogits(), "logits", getTarget(), "target")))
      return failure();
    if (getIgnoreIndex() >= 0)
      return emitOpError("probability targets require a negative "
                         "'ignore_index', got ")
             << getIgnoreIndex();
    if (logitsTy.getRank() > 1) {
      noneShape.push_back(logitsTy.getDimSize(0));
      llvm::append_range(noneShape, logitsTy.getShape().drop_front(2));
    }
  } else {
    if (failed(verifyClassTargets(op, getLogits(), getTarget(), numClasses,
                                  "logits")))
      return failure();
    llvm::append_range(noneShape, getTarget().getType().getShape());
  }
  if (failed(verifyClassWeight(op, getWeight(), numClasses, elTy)))
    return failure();
  if (getLogProb()) {
    if (getLogProb().getType() != logitsTy)
      return emitOpError("'log_prob' result type ")
             << getLogProb().getType() << " must match the logits type "
             << logitsTy;
  }
  return verifyResult(op, getResult(), getReduction(), noneShape, elTy);
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
  Operation *op = getOperation();
  auto lpTy = getLogProbs().getType();
  Type elTy = lpTy.getElementType();
  if (lpTy.getRank() != 2 && lpTy.getRank() != 3)
    return emitOpError("'log_probs' must be [T, N, C] or [T, C], got ")
           << shapeStr(lpTy.getShape());
  bool batched = lpTy.getRank() == 3;
  int64_t n = batched ? lpTy.getDimSize(1) : 1;
  int64_t c = lpTy.getDimSize(lpTy.getRank() - 1);
  // blank >= 0 is an ODS constraint.
  if (!ShapedType::isDynamic(c) && getBlank() >= c) {
    auto diag = emitOpError("'blank' must be in [0, C)");
    if (!ShapedType::isDynamic(c))
      diag << " = [0, " << c << ")";
    return diag << ", got " << getBlank();
  }
  auto tgTy = getTargets().getType();
  if (batched) {
    if (tgTy.getRank() != 1 && tgTy.getRank() != 2)
      return emitOpError("'targets' must be padded [N, S] or concatenated "
                         "1-D, got ")
             << shapeStr(tgTy.getShape());
    if (tgTy.getRank() == 2 && !dimsCompatible(tgTy.getDimSize(0), n))
      return emitOpError("padded 'targets' must have N = ")
             << shapeStr({n}) << " rows, got " << shapeStr(tgTy.getShape());
  } else if (tgTy.getRank() != 1) {
    return emitOpError("unbatched 'targets' must be 1-D [S], got ")
           << shapeStr(tgTy.getShape());
  }
  for (auto [v, name] : {std::pair<Value, StringRef>{getInputLengths(),
                                                     "input_lengths"},
                         {getTargetLengths(), "target_lengths"}}) {
    auto ty = tensorTy(v);
    bool ok = batched ? ty.getRank() == 1 && dimsCompatible(ty.getDimSize(0), n)
                      : ty.getRank() == 0 ||
                            (ty.getRank() == 1 &&
                             dimsCompatible(ty.getDimSize(0), 1));
    if (!ok)
      return emitOpError("'")
             << name << "' must have shape "
             << (batched ? shapeStr({n}) : std::string("[] or [1]"))
             << ", got " << shapeStr(ty.getShape());
  }
  Shape noneShape;
  if (batched)
    noneShape.push_back(n);
  return verifyResult(op, getResult(), getReduction(), noneShape, elTy);
}

//===----------------------------------------------------------------------===//
// Elementwise losses
//===----------------------------------------------------------------------===//

namespace {
/// Input and target of the same shape and element type; the `none` result
/// is input-shaped.
LogicalResult verifyElementwise(Operation *op, Value input, Value target,
                                Value result, Reduction reduction) {
  if (failed(verifyLike(op, input, "input", target, "target")))
    return failure();
  auto ty = tensorTy(input);
  return verifyResult(op, result, reduction, ty.getShape(),
                      ty.getElementType());
}

/// Input and target that broadcast together (PyTorch's l1, mse, ...: a
/// target shaped differently only warns); the `none` result has the
/// broadcast shape. The target has the input's float type, or is an integer
/// where `allowInt`.
LogicalResult verifyBroadcastElementwise(Operation *op, Value input,
                                         Value target, Value result,
                                         Reduction reduction, bool allowInt,
                                         bool allowBool = true) {
  Type elTy = tensorTy(input).getElementType();
  Shape shape;
  if (failed(verifyTargetElementType(op, target, elTy, allowInt, allowBool)) ||
      failed(verifyMutualBroadcast(op, {input, target}, "'input' and 'target'",
                                   shape)))
    return failure();
  return verifyResult(op, result, reduction, shape, elTy);
}
} // namespace

LogicalResult BceOp::verify() {
  auto ty = getInput().getType();
  if (failed(verifyBroadcastable(*this, getWeight(), "weight", ty.getShape(),
                                 ty.getElementType())))
    return failure();
  return verifyElementwise(*this, getInput(), getTarget(), getResult(),
                           getReduction());
}

LogicalResult BceWithLogitsOp::verify() {
  auto ty = getInput().getType();
  if (failed(verifyBroadcastable(*this, getWeight(), "weight", ty.getShape(),
                                 ty.getElementType())) ||
      failed(verifyBroadcastable(*this, getPosWeight(), "pos_weight",
                                 ty.getShape(), ty.getElementType())))
    return failure();
  return verifyElementwise(*this, getInput(), getTarget(), getResult(),
                           getReduction());
}

LogicalResult L1Op::verify() {
  return verifyBroadcastElementwise(*this, getInput(), getTarget(),
                                    getResult(), getReduction(),
                                    /*allowInt=*/true, /*allowBool=*/false);
}

LogicalResult MseOp::verify() {
  return verifyBroadcastElementwise(*this, getInput(), getTarget(),
                                    getResult(), getReduction(),
                                    /*allowInt=*/true);
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
  return verifyBroadcastElementwise(*this, getInput(), getTarget(),
                                    getResult(), getReduction(),
                                    /*allowInt=*/true);
}

LogicalResult HuberOp::verify() {
  double delta = getDelta().convertToDouble();
  if (!(delta > 0.0))
    return emitOpError("'delta' must be positive, got ") << delta;
  return verifyBroadcastElementwise(*this, getInput(), getTarget(),
                                    getResult(), getReduction(),
                                    /*allowInt=*/true);
}

LogicalResult PoissonNllOp::verify() {
  return verifyBroadcastElementwise(*this, getInput(), getTarget(),
                                    getResult(), getReduction(),
                                    /*allowInt=*/true);
}

LogicalResult GaussianNllOp::verify() {
  auto inTy = getInput().getType();
  auto varTy = getVar().getType();
  Type elTy = inTy.getElementType();
  // PyTorch allows var shaped like the input, or with the last dimension
  // dropped (then unsqueezed) or set to 1 (one variance per sample); the
  // three then broadcast (the target may broadcast with the input).
  ArrayRef<int64_t> in = inTy.getShape();
  Shape varShape(varTy.getShape());
  bool ok = shapesCompatible(varShape, in);
  if (!ok && inTy.getRank() >= 1) {
    Shape lastOne(in.begin(), in.end());
    lastOne.back() = 1;
    if (shapesCompatible(varShape, in.drop_back())) {
      ok = true;
      varShape.push_back(1);
    } else {
      ok = shapesCompatible(varShape, lastOne);
    }
  }
  if (!ok)
    return emitOpError("'var' of shape ")
           << shapeStr(varTy.getShape())
           << " must match the input shape " << shapeStr(in)
           << ", or drop its last dimension or set it to 1";
  if (failed(verifyElementType(*this, getVar(), "var", elTy)) ||
      failed(verifyTargetElementType(*this, getTarget(), elTy,
                                     /*allowInt=*/true, /*allowBool=*/false)))
    return failure();
  Shape shape;
  SmallVector<ArrayRef<int64_t>> shapes{in, getTarget().getType().getShape(),
                                        varShape};
  if (!broadcastShapes(shapes, shape))
    return emitOpError("'input' and 'target' of shapes ")
           << shapesStr({getInput(), getTarget()})
           << " do not broadcast together (with 'var' as "
           << shapeStr(varShape) << ")";
  return verifyResult(*this, getResult(), getReduction(), shape, elTy);
}

LogicalResult KlDivOp::verify() {
  return verifyBroadcastElementwise(*this, getInput(), getTarget(),
                                    getResult(), getReduction(),
                                    /*allowInt=*/false, /*allowBool=*/false);
}

LogicalResult MarginRankingOp::verify() {
  auto ty = getInput1().getType();
  Type elTy = ty.getElementType();
  if (failed(verifyElementType(*this, getInput2(), "input2", elTy)) ||
      failed(verifyTargetElementType(*this, getTarget(), elTy,
                                     /*allowInt=*/true, /*allowBool=*/false)))
    return failure();
  // PyTorch requires one rank, then broadcasts.
  if (getInput2().getType().getRank() != ty.getRank() ||
      getTarget().getType().getRank() != ty.getRank())
    return emitOpError("'input1', 'input2' and 'target' must have the same "
                       "rank, got shapes ")
           << shapesStr({getInput1(), getInput2(), getTarget()});
  Shape shape;
  if (failed(verifyMutualBroadcast(*this,
                                   {getInput1(), getInput2(), getTarget()},
                                   "'input1', 'input2' and 'target'", shape)))
    return failure();
  return verifyResult(*this, getResult(), getReduction(), shape, elTy);
}

LogicalResult HingeEmbeddingOp::verify() {
  return verifyBroadcastElementwise(*this, getInput(), getTarget(),
                                    getResult(), getReduction(),
                                    /*allowInt=*/true);
}

LogicalResult SoftMarginOp::verify() {
  // PyTorch writes the loss into an input-shaped output: the target
  // broadcasts to the input, not the other way round.
  auto ty = getInput().getType();
  if (failed(verifyTargetElementType(*this, getTarget(), ty.getElementType(),
                                     /*allowInt=*/true)))
    return failure();
  if (!broadcastsTo(getTarget().getType().getShape(), ty.getShape()))
    return emitOpError("'target' of shape ")
           << shapeStr(getTarget().getType().getShape())
           << " does not broadcast to the input shape "
           << shapeStr(ty.getShape());
  return verifyResult(*this, getResult(), getReduction(), ty.getShape(),
                      ty.getElementType());
}

//===----------------------------------------------------------------------===//
// Multi-class margin losses
//===----------------------------------------------------------------------===//

namespace {
/// The class dimension of the multi-class margin losses: PyTorch requires a
/// non-empty one (a 0-d input counts as one class).
LogicalResult verifyNonEmptyClasses(Operation *op, RankedTensorType ty) {
  if (ty.getRank() > 2)
    return op->emitOpError("'input' must be [N, C], [C] or [], got ")
           << shapeStr(ty.getShape());
  if (ty.getRank() >= 1 && ty.getShape().back() == 0)
    return op->emitOpError("'input' must have a non-empty class dimension, "
                           "got ")
           << shapeStr(ty.getShape());
  return success();
}
} // namespace

LogicalResult MultilabelMarginOp::verify() {
  auto ty = getInput().getType();
  auto tTy = getTarget().getType();
  if (failed(verifyNonEmptyClasses(*this, ty)))
    return failure();
  if (ty.getRank() == 2) {
    if (failed(verifySameShape(*this, getInput(), "input", getTarget(),
                               "target")))
      return failure();
  } else {
    // PyTorch: a target of rank <= 1 holding C values (C = 1 for a 0-d
    // input).
    int64_t c = ty.getRank() == 0 ? 1 : ty.getDimSize(0);
    bool ok = tTy.getRank() == 1 ? dimsCompatible(tTy.getDimSize(0), c)
              : tTy.getRank() == 0 ? dimsCompatible(c, 1)
                                   : false;
    if (!ok)
      return emitOpError("'target' must have shape ")
             << shapeStr({c}) << (dimsCompatible(c, 1) ? " or []" : "")
             << " for 'input' of shape " << shapeStr(ty.getShape())
             << ", got " << shapeStr(tTy.getShape());
  }
  Shape noneShape;
  if (ty.getRank() == 2)
    noneShape.push_back(ty.getDimSize(0));
  return verifyResult(*this, getResult(), getReduction(), noneShape,
                      ty.getElementType());
}

LogicalResult MultilabelSoftMarginOp::verify() {
  auto ty = getInput().getType();
  if (ty.getRank() < 1)
    return emitOpError("'input' must have rank >= 1");
  // PyTorch computes the loss elementwise before summing over the last
  // dimension: the target and the weight broadcast to the input (a weight is
  // typically [C]); integer (not i1) targets are promoted.
  if (failed(verifyTargetElementType(*this, getTarget(), ty.getElementType(),
                                     /*allowInt=*/true, /*allowBool=*/false)))
    return failure();
  if (!broadcastsTo(getTarget().getType().getShape(), ty.getShape()))
    return emitOpError("'target' of shape ")
           << shapeStr(getTarget().getType().getShape())
           << " does not broadcast to the input shape "
           << shapeStr(ty.getShape());
  if (failed(verifyBroadcastable(*this, getWeight(), "weight", ty.getShape(),
                                 ty.getElementType())))
    return failure();
  Shape noneShape(ty.getShape().drop_back());
  return verifyResult(*this, getResult(), getReduction(), noneShape,
                      ty.getElementType());
}

LogicalResult MultiMarginOp::verify() {
  auto ty = getInput().getType();
  auto tTy = getTarget().getType();
  if (failed(verifyNonEmptyClasses(*this, ty)))
    return failure();
  // PyTorch: the target has rank <= 1 and one value per sample; an input
  // of rank <= 1 is one sample (of C = 1 class when 0-d). The forms that
  // differ in rank by more than a batch dimension ([C] with target [1],
  // [1, C] with target []) need that 1 static.
  int64_t c = ty.getRank() == 0 ? 1 : ty.getShape().back();
  bool ok;
  if (ty.getRank() == 2)
    ok = (tTy.getRank() == 1 &&
          dimsCompatible(tTy.getDimSize(0), ty.getDimSize(0))) ||
         (tTy.getRank() == 0 && ty.getDimSize(0) == 1);
  else
    ok = tTy.getRank() == 0 || (tTy.getRank() == 1 && tTy.getDimSize(0) == 1);
  if (!ok)
    return emitOpError("class-index target must have shape ")
           << (ty.getRank() == 2
                   ? shapeStr({ty.getDimSize(0)}) +
                         (ty.getDimSize(0) == 1 ? " or []" : "")
                   : std::string("[] or [1]"))
           << " for 'input' of shape " << shapeStr(ty.getShape()) << ", got "
           << shapeStr(tTy.getShape());
  if (failed(verifyClassWeight(*this, getWeight(), c, ty.getElementType())))
    return failure();
  return verifyResult(*this, getResult(), getReduction(), tTy.getShape(),
                      ty.getElementType());
}

//===----------------------------------------------------------------------===//
// Embedding losses
//===----------------------------------------------------------------------===//

namespace {
/// The broadcast of two same-rank feature operands `[..., D]`, and its
/// per-sample (row) shape: the broadcast without its last dimension.
LogicalResult verifyFeaturePair(Operation *op, Value u, StringRef uName,
                                Value v, StringRef vName, Shape &rows) {
  Shape shape;
  if (!broadcastShapes({tensorTy(u).getShape(), tensorTy(v).getShape()},
                       shape))
    return op->emitOpError("'")
           << uName << "' and '" << vName << "' of shapes "
           << shapesStr({u, v}) << " do not broadcast together";
  rows.assign(shape.begin(), shape.end());
  if (!rows.empty())
    rows.pop_back();
  return success();
}
} // namespace

LogicalResult CosineEmbeddingOp::verify() {
  auto ty = getInput1().getType();
  Type elTy = ty.getElementType();
  auto tTy = getTarget().getType();
  if (failed(verifyElementType(*this, getInput2(), "input2", elTy)))
    return failure();
  // PyTorch 1.13: a 0-d target with 1-D inputs, a 1-D target with 2-D
  // inputs; the inputs broadcast together, and the per-sample cosines with
  // the target.
  if (tTy.getRank() > 1)
    return emitOpError("'target' must be [N] or [], got ")
           << shapeStr(tTy.getShape());
  if (ty.getRank() != tTy.getRank() + 1 ||
      getInput2().getType().getRank() != tTy.getRank() + 1)
    return emitOpError("a ")
           << (tTy.getRank() == 0 ? "0-d target needs [D] inputs"
                                  : "[N] target needs [N, D] inputs")
           << ", got shapes " << shapesStr({getInput1(), getInput2()});
  Shape rows, perSample;
  if (failed(verifyFeaturePair(*this, getInput1(), "input1", getInput2(),
                               "input2", rows)))
    return failure();
  if (!broadcastShapes({rows, tTy.getShape()}, perSample))
    return emitOpError("'target' of shape ")
           << shapeStr(tTy.getShape())
           << " does not broadcast with the per-sample shape "
           << shapeStr(rows);
  // Integer targets (+1/-1) of any width; a float target has the input's
  // element type, as every other float operand of the dialect.
  if (isa<FloatType>(tTy.getElementType()) &&
      failed(verifyElementType(*this, getTarget(), "target", elTy)))
    return failure();
  return verifyResult(*this, getResult(), getReduction(), perSample, elTy);
}

LogicalResult TripletMarginOp::verify() {
  double p = getP().convertToDouble();
  if (!(p > 0.0))
    return emitOpError("'p' must be positive, got ") << p;
  auto ty = getAnchor().getType();
  Type elTy = ty.getElementType();
  if (failed(verifyElementType(*this, getPositive(), "positive", elTy)) ||
      failed(verifyElementType(*this, getNegative(), "negative", elTy)))
    return failure();
  // PyTorch 1.13: one rank (any, 0-d included); each distance is a
  // pairwise_distance over the last dimension of its pair's broadcast, and
  // the distances broadcast together.
  if (getPositive().getType().getRank() != ty.getRank() ||
      getNegative().getType().getRank() != ty.getRank())
    return emitOpError("'anchor', 'positive' and 'negative' must have the "
                       "same rank, got shapes ")
           << shapesStr({getAnchor(), getPositive(), getNegative()});
  Shape rowsAP, rowsAN, rowsPN, perSample;
  if (failed(verifyFeaturePair(*this, getAnchor(), "anchor", getPositive(),
                               "positive", rowsAP)) ||
      failed(verifyFeaturePair(*this, getAnchor(), "anchor", getNegative(),
                               "negative", rowsAN)) ||
      (getSwap() && failed(verifyFeaturePair(*this, getPositive(), "positive",
                                             getNegative(), "negative",
                                             rowsPN))))
    return failure();
  SmallVector<ArrayRef<int64_t>> rows{rowsAP, rowsAN};
  if (getSwap())
    rows.push_back(rowsPN);
  if (!broadcastShapes(rows, perSample))
    return emitOpError("the distances of shapes ")
           << shapeStr(rowsAP) << ", " << shapeStr(rowsAN)
           << (getSwap() ? ", " + shapeStr(rowsPN) : std::string())
           << " do not broadcast together";
  return verifyResult(*this, getResult(), getReduction(), perSample, elTy);
}

#define GET_OP_CLASSES
#include "loss-mlir/Dialect/Loss/IR/LossOps.cpp.inc"
