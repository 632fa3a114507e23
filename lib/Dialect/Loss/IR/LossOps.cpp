//===- LossOps.cpp - Loss dialect ops and verifiers -----------------------===//
//
// Verifiers reject everything a user can get wrong statically; dynamic
// dimensions are treated as compatible with anything.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Dialect/Loss/IR/Loss.h"

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

namespace {
using Shape = SmallVector<int64_t>;

std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleave(
      shape,
      [&](int64_t d) {
        if (ShapedType::isDynamic(d))
          os << "?";
        else
          os << d;
      },
      [&] { os << ", "; });
  os << "]";
  return s;
}

bool dimsCompatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

bool shapesCompatible(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  if (a.size() != b.size())
    return false;
  for (auto [x, y] : llvm::zip(a, b))
    if (!dimsCompatible(x, y))
      return false;
  return true;
}

RankedTensorType tensorTy(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// The result is the per-element loss for `none`, a 0-d tensor otherwise, and
/// keeps the input's element type.
LogicalResult verifyResult(Operation *op, Value result, Reduction reduction,
                           ArrayRef<int64_t> noneShape, Type elementType) {
  auto ty = tensorTy(result);
  if (ty.getElementType() != elementType)
    return op->emitOpError("result element type ")
           << ty.getElementType() << " must match the input element type "
           << elementType;
  if (reduction == Reduction::none) {
    if (!shapesCompatible(ty.getShape(), noneShape))
      return op->emitOpError("with reduction 'none' the result must have shape ")
             << shapeStr(noneShape) << ", got " << shapeStr(ty.getShape());
    return success();
  }
  if (ty.getRank() != 0)
    return op->emitOpError("with reduction '")
           << stringifyReduction(reduction)
           << "' the result must be a 0-d tensor, got "
           << shapeStr(ty.getShape());
  return success();
}

LogicalResult verifyNotBatchmean(Operation *op, Reduction reduction) {
  if (reduction == Reduction::batchmean)
    return op->emitOpError(
        "reduction 'batchmean' is only valid on 'loss.kl_div'");
  return success();
}

LogicalResult verifyElementType(Operation *op, Value v, StringRef name,
                                Type elementType) {
  if (tensorTy(v).getElementType() != elementType)
    return op->emitOpError("'")
           << name << "' element type " << tensorTy(v).getElementType()
           << " must match the input element type " << elementType;
  return success();
}

LogicalResult verifySameShape(Operation *op, Value ref, StringRef refName,
                              Value v, StringRef name) {
  if (!shapesCompatible(tensorTy(ref).getShape(), tensorTy(v).getShape()))
    return op->emitOpError("'")
           << name << "' shape " << shapeStr(tensorTy(v).getShape())
           << " must match '" << refName << "' shape "
           << shapeStr(tensorTy(ref).getShape());
  return success();
}

/// Same shape and element type as `ref`.
LogicalResult verifyLike(Operation *op, Value ref, StringRef refName, Value v,
                         StringRef name) {
  if (failed(verifySameShape(op, ref, refName, v, name)))
    return failure();
  return verifyElementType(op, v, name, tensorTy(ref).getElementType());
}

/// A per-class weight: `[C]`, same element type as the input.
LogicalResult verifyClassWeight(Operation *op, Value weight, int64_t numClasses,
                                Type elementType, StringRef name = "weight") {
  if (!weight)
    return success();
  auto ty = tensorTy(weight);
  if (ty.getRank() != 1 || !dimsCompatible(ty.getDimSize(0), numClasses))
    return op->emitOpError("'")
           << name << "' must have shape [C] = " << shapeStr({numClasses})
           << ", got " << shapeStr(ty.getShape());
  return verifyElementType(op, weight, name, elementType);
}

/// NumPy-style broadcast of `v` to `shape` (trailing dimensions aligned).
LogicalResult verifyBroadcastable(Operation *op, Value v, StringRef name,
                                  ArrayRef<int64_t> shape, Type elementType) {
  if (!v)
    return success();
  auto ty = tensorTy(v);
  bool ok = ty.getRank() <= static_cast<int64_t>(shape.size());
  for (int64_t i = 0; ok && i < ty.getRank(); ++i) {
    int64_t d = ty.getShape()[ty.getRank() - 1 - i];
    int64_t t = shape[shape.size() - 1 - i];
    ok = d == 1 || dimsCompatible(d, t);
  }
  if (!ok)
    return op->emitOpError("'")
           << name << "' of shape " << shapeStr(ty.getShape())
           << " does not broadcast to the input shape " << shapeStr(shape);
  return verifyElementType(op, v, name, elementType);
}

/// Class-index targets: input `[N, C, d...]` with target `[N, d...]`, or
/// input `[C]` with target `[]`. Returns C through `numClasses`.
LogicalResult verifyClassTargets(Operation *op, Value input, Value target,
                                 int64_t &numClasses, StringRef inputName,
                                 int64_t maxInputRank = -1) {
  auto inTy = tensorTy(input);
  auto tTy = tensorTy(target);
  if (inTy.getRank() < 1)
    return op->emitOpError("'") << inputName << "' must have rank >= 1";
  if (maxInputRank >= 0 && inTy.getRank() > maxInputRank)
    return op->emitOpError("'")
           << inputName << "' must be [N, C] or [C], got rank "
           << inTy.getRank();
  Shape expected;
  if (inTy.getRank() == 1) {
    numClasses = inTy.getDimSize(0);
  } else {
    numClasses = inTy.getDimSize(1);
    expected.push_back(inTy.getDimSize(0));
    llvm::append_range(expected, inTy.getShape().drop_front(2));
  }
  if (!shapesCompatible(tTy.getShape(), expected))
    return op->emitOpError("class-index target must have shape ")
           << shapeStr(expected) << " for '" << inputName << "' of shape "
           << shapeStr(inTy.getShape()) << ", got "
           << shapeStr(tTy.getShape());
  return success();
}

LogicalResult verifyNonNegative(Operation *op, StringRef name, double v) {
  if (!(v >= 0.0))
    return op->emitOpError("'") << name << "' must be non-negative, got " << v;
  return success();
}

/// `[N, D]` or `[D]` inputs; returns the per-sample shape (`[N]` or `[]`).
LogicalResult verifyEmbeddingInput(Operation *op, Value v, StringRef name,
                                   Shape &perSample) {
  auto ty = tensorTy(v);
  if (ty.getRank() != 1 && ty.getRank() != 2)
    return op->emitOpError("'")
           << name << "' must be [N, D] or [D], got " << shapeStr(ty.getShape());
  perSample.clear();
  if (ty.getRank() == 2)
    perSample.push_back(ty.getDimSize(0));
  return success();
}
} // namespace

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
  if (failed(verifyNotBatchmean(op, getReduction())) ||
      failed(verifyClassTargets(op, getInput(), getTarget(), numClasses,
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
  if (failed(verifyNotBatchmean(op, getReduction())))
    return failure();
  double eps = getLabelSmoothing().convertToDouble();
  if (!(eps >= 0.0 && eps <= 1.0))
    return emitOpError("'label_smoothing' must be in [0, 1], got ") << eps;
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
  if (failed(verifyNotBatchmean(op, getReduction())))
    return failure();
  if (lpTy.getRank() != 2 && lpTy.getRank() != 3)
    return emitOpError("'log_probs' must be [T, N, C] or [T, C], got ")
           << shapeStr(lpTy.getShape());
  bool batched = lpTy.getRank() == 3;
  int64_t n = batched ? lpTy.getDimSize(1) : 1;
  int64_t c = lpTy.getDimSize(lpTy.getRank() - 1);
  if (getBlank() < 0 || (!ShapedType::isDynamic(c) && getBlank() >= c)) {
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
                                Value result, Reduction reduction,
                                bool allowBatchmean = false) {
  if (!allowBatchmean && failed(verifyNotBatchmean(op, reduction)))
    return failure();
  if (failed(verifyLike(op, input, "input", target, "target")))
    return failure();
  auto ty = tensorTy(input);
  return verifyResult(op, result, reduction, ty.getShape(),
                      ty.getElementType());
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
  return verifyElementwise(*this, getInput(), getTarget(), getResult(),
                           getReduction());
}

LogicalResult MseOp::verify() {
  return verifyElementwise(*this, getInput(), getTarget(), getResult(),
                           getReduction());
}

LogicalResult SmoothL1Op::verify() {
  if (failed(verifyNonNegative(*this, "beta", getBeta().convertToDouble())))
    return failure();
  return verifyElementwise(*this, getInput(), getTarget(), getResult(),
                           getReduction());
}

LogicalResult HuberOp::verify() {
  double delta = getDelta().convertToDouble();
  if (!(delta > 0.0))
    return emitOpError("'delta' must be positive, got ") << delta;
  return verifyElementwise(*this, getInput(), getTarget(), getResult(),
                           getReduction());
}

LogicalResult PoissonNllOp::verify() {
  if (failed(verifyNonNegative(*this, "eps", getEps().convertToDouble())))
    return failure();
  return verifyElementwise(*this, getInput(), getTarget(), getResult(),
                           getReduction());
}

LogicalResult GaussianNllOp::verify() {
  if (failed(verifyNonNegative(*this, "eps", getEps().convertToDouble())))
    return failure();
  auto inTy = getInput().getType();
  auto varTy = getVar().getType();
  // PyTorch allows var shaped like the input, or with the last dimension
  // dropped or set to 1 (one variance per sample).
  ArrayRef<int64_t> in = inTy.getShape();
  bool ok = shapesCompatible(varTy.getShape(), in);
  if (!ok && inTy.getRank() >= 1) {
    ok = shapesCompatible(varTy.getShape(), in.drop_back());
    Shape lastOne(in.begin(), in.end());
    lastOne.back() = 1;
    ok = ok || shapesCompatible(varTy.getShape(), lastOne);
  }
  if (!ok)
    return emitOpError("'var' of shape ")
           << shapeStr(varTy.getShape())
           << " must match the input shape " << shapeStr(in)
           << ", or drop its last dimension or set it to 1";
  if (failed(verifyElementType(*this, getVar(), "var",
                               inTy.getElementType())))
    return failure();
  return verifyElementwise(*this, getInput(), getTarget(), getResult(),
                           getReduction());
}

LogicalResult KlDivOp::verify() {
  return verifyElementwise(*this, getInput(), getTarget(), getResult(),
                           getReduction(), /*allowBatchmean=*/true);
}

LogicalResult MarginRankingOp::verify() {
  if (failed(verifyLike(*this, getInput1(), "input1", getTarget(), "target")))
    return failure();
  if (failed(verifyNotBatchmean(*this, getReduction())) ||
      failed(verifyLike(*this, getInput1(), "input1", getInput2(), "input2")))
    return failure();
  auto ty = getInput1().getType();
  return verifyResult(*this, getResult(), getReduction(), ty.getShape(),
                      ty.getElementType());
}

LogicalResult HingeEmbeddingOp::verify() {
  return verifyElementwise(*this, getInput(), getTarget(), getResult(),
                           getReduction());
}

LogicalResult SoftMarginOp::verify() {
  return verifyElementwise(*this, getInput(), getTarget(), getResult(),
                           getReduction());
}

//===----------------------------------------------------------------------===//
// Multi-class margin losses
//===----------------------------------------------------------------------===//

LogicalResult MultilabelMarginOp::verify() {
  auto ty = getInput().getType();
  if (failed(verifyNotBatchmean(*this, getReduction())))
    return failure();
  if (ty.getRank() != 1 && ty.getRank() != 2)
    return emitOpError("'input' must be [N, C] or [C], got ")
           << shapeStr(ty.getShape());
  if (failed(verifySameShape(*this, getInput(), "input", getTarget(),
                             "target")))
    return failure();
  Shape noneShape(ty.getShape().drop_back());
  return verifyResult(*this, getResult(), getReduction(), noneShape,
                      ty.getElementType());
}

LogicalResult MultilabelSoftMarginOp::verify() {
  auto ty = getInput().getType();
  if (failed(verifyNotBatchmean(*this, getReduction())))
    return failure();
  if (ty.getRank() < 1)
    return emitOpError("'input' must have rank >= 1");
  if (failed(verifyLike(*this, getInput(), "input", getTarget(), "target")) ||
      failed(verifyClassWeight(*this, getWeight(), ty.getShape().back(),
                               ty.getElementType())))
    return failure();
  Shape noneShape(ty.getShape().drop_back());
  return verifyResult(*this, getResult(), getReduction(), noneShape,
                      ty.getElementType());
}

LogicalResult MultiMarginOp::verify() {
  auto ty = getInput().getType();
  int64_t numClasses;
  if (failed(verifyNotBatchmean(*this, getReduction())))
    return failure();
  if (getP() != 1 && getP() != 2)
    return emitOpError("'p' must be 1 or 2, got ") << getP();
  if (failed(verifyClassTargets(*this, getInput(), getTarget(), numClasses,
                                "input", /*maxInputRank=*/2)) ||
      failed(verifyClassWeight(*this, getWeight(), numClasses,
                               ty.getElementType())))
    return failure();
  return verifyResult(*this, getResult(), getReduction(),
                      getTarget().getType().getShape(), ty.getElementType());
}

//===----------------------------------------------------------------------===//
// Embedding losses
//===----------------------------------------------------------------------===//

LogicalResult CosineEmbeddingOp::verify() {
  Shape perSample;
  if (failed(verifyNotBatchmean(*this, getReduction())) ||
      failed(verifyEmbeddingInput(*this, getInput1(), "input1", perSample)) ||
      failed(verifyLike(*this, getInput1(), "input1", getInput2(), "input2")))
    return failure();
  auto tTy = getTarget().getType();
  if (!shapesCompatible(tTy.getShape(), perSample))
    return emitOpError("'target' must have shape ")
           << shapeStr(perSample) << ", got " << shapeStr(tTy.getShape());
  // Integer targets (+1/-1) of any width; a float target has the input's
  // element type, as every other float operand of the dialect.
  if (isa<FloatType>(tTy.getElementType()) &&
      failed(verifyElementType(*this, getTarget(), "target",
                               getInput1().getType().getElementType())))
    return failure();
  return verifyResult(*this, getResult(), getReduction(), perSample,
                      getInput1().getType().getElementType());
}

LogicalResult TripletMarginOp::verify() {
  Shape perSample;
  double p = getP().convertToDouble();
  if (!(p > 0.0))
    return emitOpError("'p' must be positive, got ") << p;
  if (failed(verifyNonNegative(*this, "eps", getEps().convertToDouble())) ||
      failed(verifyNotBatchmean(*this, getReduction())) ||
      failed(verifyEmbeddingInput(*this, getAnchor(), "anchor", perSample)) ||
      failed(verifyLike(*this, getAnchor(), "anchor", getPositive(),
                        "positive")) ||
      failed(verifyLike(*this, getAnchor(), "anchor", getNegative(),
                        "negative")))
    return failure();
  return verifyResult(*this, getResult(), getReduction(), perSample,
                      getAnchor().getType().getElementType());
}

#define GET_OP_CLASSES
#include "loss-mlir/Dialect/Loss/IR/LossOps.cpp.inc"
