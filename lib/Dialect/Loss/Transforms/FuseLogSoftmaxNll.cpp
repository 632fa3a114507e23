//===- FuseLogSoftmaxNll.cpp - log_softmax + nll -> cross entropy ---------===//
//
// Cross entropy computed as nll(log_softmax(x)) materialises the whole
// log-probability tensor only for nll to gather one element per row; the
// fused op streams over the logits once instead.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Dialect/Loss/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace loss {
#define GEN_PASS_DEF_LOSSFUSELOGSOFTMAXNLL
#include "loss-mlir/Dialect/Loss/Transforms/Passes.h.inc"
} // namespace loss
} // namespace mlir

using namespace mlir;
using namespace mlir::loss;

namespace {

/// The class axis of an nll input: 1 for `[N, C, ...]`, 0 for `[C]`.
int64_t classAxis(RankedTensorType ty) { return ty.getRank() == 1 ? 0 : 1; }

/// True for a `linalg.generic` that applies `math.log` elementwise to its one
/// input, the way front ends spell `log` on tensors.
bool isElementwiseLog(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      op.getNumParallelLoops() != op.getNumLoops() ||
      !llvm::all_of(op.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }))
    return false;
  Block &body = op.getRegion().front();
  if (body.getOperations().size() != 2)
    return false;
  auto log = dyn_cast<math::LogOp>(body.front());
  return log && log.getOperand() == body.getArgument(0) &&
         body.getTerminator()->getOperand(0) == log.getResult();
}

/// Finds the logits `x` behind log-probabilities `lp` computed as
/// `log_softmax(x)` or `log(softmax(x))` along `axis`.
Value matchLogSoftmax(Value lp, int64_t axis) {
  Operation *def = lp.getDefiningOp();
  if (!def)
    return {};
  if (auto ls = dyn_cast<LogSoftmaxOp>(def))
    return ls.getNormalizedAxis() == axis ? ls.getInput() : Value();
  Value softmaxResult;
  if (auto log = dyn_cast<math::LogOp>(def))
    softmaxResult = log.getOperand();
  else if (auto generic = dyn_cast<linalg::GenericOp>(def);
           generic && isElementwiseLog(generic))
    softmaxResult = generic.getDpsInputOperand(0)->get();
  if (!softmaxResult)
    return {};
  auto softmax = softmaxResult.getDefiningOp<linalg::SoftmaxOp>();
  if (!softmax || static_cast<int64_t>(softmax.getDimension()) != axis)
    return {};
  return softmax.getInput();
}

struct FuseLogSoftmaxNll : public OpRewritePattern<NllOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(NllOp nll,
                                PatternRewriter &rewriter) const override {
    Value lp = nll.getInput();
    auto lpTy = cast<RankedTensorType>(lp.getType());
    Value logits = matchLogSoftmax(lp, classAxis(lpTy));
    if (!logits)
      return rewriter.notifyMatchFailure(nll, "input is not log_softmax over "
                                              "the class axis");
    if (logits.getType() != lpTy)
      return rewriter.notifyMatchFailure(nll, "log-softmax changes the type");
    // An unbatched nll may take the log-probabilities as its weight too: they
    // must exist anyway, and the fused op would otherwise use its own result.
    if (nll.getWeight() == lp)
      return rewriter.notifyMatchFailure(nll, "log_prob is also the weight");
    Operation *lpDef = lp.getDefiningOp();
    bool otherUsers =
        llvm::any_of(lp.getUsers(), [&](Operation *u) { return u != nll; });

    // The fused op replaces the log-probabilities too when they have other
    // users; it must then dominate them, so it goes where they are defined,
    // provided the target and weight are available there.
    Operation *insertPt = nll;
    if (otherUsers) {
      DominanceInfo dom(nll->getParentOp());
      auto availableAtDef = [&](Value v) {
        return !v || dom.properlyDominates(v, lpDef);
      };
      if (availableAtDef(nll.getTarget()) && availableAtDef(nll.getWeight()))
        insertPt = lpDef;
      else if (!llvm::all_of(lp.getUsers(), [&](Operation *u) {
                 return u == nll || dom.properlyDominates(nll.getOperation(), u);
               }))
        return rewriter.notifyMatchFailure(
            nll, "cannot place the fused op before every user of log_prob");
    }

    rewriter.setInsertionPoint(insertPt);
    // The loss keeps nll's result type (which may be more static than the
    // inferred one) for nll's users; log_prob has log_softmax's.
    Type logProbTy = otherUsers ? lpTy : Type();
    auto fused = SoftmaxCrossEntropyOp::create(
        rewriter, rewriter.getFusedLoc({lpDef->getLoc(), nll.getLoc()}),
        nll.getType(), logProbTy, logits, nll.getTarget(), nll.getWeight(),
        nll.getIgnoreIndex(), nll.getReduction(),
        /*label_smoothing=*/APFloat(0.0));
    if (otherUsers)
      rewriter.replaceAllUsesExcept(lp, fused.getLogProb(), nll);
    rewriter.replaceOp(nll, fused.getResult());
    if (lpDef->use_empty())
      rewriter.eraseOp(lpDef);
    return success();
  }
};

struct LossFuseLogSoftmaxNllPass
    : public loss::impl::LossFuseLogSoftmaxNllBase<LossFuseLogSoftmaxNllPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFuseLogSoftmaxNllPatterns(patterns);
    populateLogSoftmaxLayoutPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void mlir::loss::populateFuseLogSoftmaxNllPatterns(
    RewritePatternSet &patterns) {
  patterns.add<FuseLogSoftmaxNll>(patterns.getContext());
  // A log_prob result whose users died since the fusion (the layout patterns
  // leave dead transposes behind) is dropped again.
  SoftmaxCrossEntropyOp::getCanonicalizationPatterns(patterns,
                                                     patterns.getContext());
}
