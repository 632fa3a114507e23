//===- FuseCrossEntropyGrad.cpp - Cross entropy forward + backward --------===//
//
// A training step computes cross entropy's loss and its gradient from the
// same row statistics. Unfused, the forward streams over the logits once,
// the backward again for its statistics and once more to write dlogits (and
// the nll_grad / log_softmax_grad chain front ends emit materialises the
// log-probabilities and a one-hot gradient besides). The fused op reads the
// logits twice and writes dlogits once.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Dialect/Loss/Transforms/Passes.h"

#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace loss {
#define GEN_PASS_DEF_LOSSFUSECROSSENTROPYGRAD
#include "loss-mlir/Dialect/Loss/Transforms/Passes.h.inc"
} // namespace loss
} // namespace mlir

using namespace mlir;
using namespace mlir::loss;

namespace {

int64_t classAxis(RankedTensorType ty) { return ty.getRank() == 1 ? 0 : 1; }

/// log_softmax_grad(y, nll_grad(y, t, w, g)), y = log_softmax(x) over the
/// class axis -> softmax_cross_entropy_grad(x, t, w, g).
struct FuseLogSoftmaxNllGrad : public OpRewritePattern<LogSoftmaxGradOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LogSoftmaxGradOp op,
                                PatternRewriter &rewriter) const override {
    auto nllGrad = op.getGradOutput().getDefiningOp<NllGradOp>();
    if (!nllGrad || nllGrad.getInput() != op.getOutput())
      return rewriter.notifyMatchFailure(
          op, "grad_output is not nll_grad of the same log-probabilities");
    // The log-probabilities: log_softmax(x), or the log_prob result of a
    // cross entropy of x (loss-fuse-log-softmax-nll makes one of a forward
    // nll whose log_softmax the backward also reads).
    auto ty = op.getOutput().getType();
    Value logits;
    Operation *producer = op.getOutput().getDefiningOp();
    if (auto ls = dyn_cast_or_null<LogSoftmaxOp>(producer)) {
      if (ls.getNormalizedAxis() == classAxis(ty))
        logits = ls.getInput();
    } else if (auto ce = dyn_cast_or_null<SoftmaxCrossEntropyOp>(producer)) {
      if (ce.getLogProb() == op.getOutput())
        logits = ce.getLogits();
    }
    if (!logits || op.getNormalizedAxis() != classAxis(ty))
      return rewriter.notifyMatchFailure(
          op, "output is not log_softmax over the class axis");
    if (nllGrad.getWeight() == op.getOutput())
      return rewriter.notifyMatchFailure(op, "log_prob is also the weight");
    // The fused op goes where log_softmax_grad is: nll_grad's operands
    // dominate nll_grad, which dominates it.
    // Its inferred type is the logits type, log_softmax_grad's.
    rewriter.replaceOpWithNewOp<SoftmaxCrossEntropyGradOp>(
        op, logits, nllGrad.getTarget(), nllGrad.getWeight(),
        nllGrad.getGradOutput(), nllGrad.getIgnoreIndex(),
        nllGrad.getReduction(),
        /*label_smoothing=*/APFloat(0.0));
    if (nllGrad->use_empty())
      rewriter.eraseOp(nllGrad);
    if (isa<LogSoftmaxOp>(producer) && producer->use_empty())
      rewriter.eraseOp(producer);
    return success();
  }
};

/// softmax_cross_entropy_grad(lp, ...) with lp the log_prob result of a
/// cross entropy of x (as ONNX Runtime's training graphs feed
/// SoftmaxCrossEntropyLossGrad): softmax(lp) = softmax(x), so the gradient
/// reads x instead, the log_prob may die and the two ops fuse.
struct GradOfLogProb : public OpRewritePattern<SoftmaxCrossEntropyGradOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(SoftmaxCrossEntropyGradOp grad,
                                PatternRewriter &rewriter) const override {
    auto fwd = grad.getLogits().getDefiningOp<SoftmaxCrossEntropyOp>();
    if (!fwd || fwd.getLogProb() != grad.getLogits() ||
        fwd.getLogits().getType() != grad.getLogits().getType())
      return rewriter.notifyMatchFailure(grad, "logits are not a log_prob");
    rewriter.modifyOpInPlace(
        grad, [&] { grad.getLogitsMutable().assign(fwd.getLogits()); });
    return success();
  }
};

/// Collects, operands first, the ops to move before `point` (in its block)
/// so that `v` is available there: none if it is already; else its defining
/// op, which must be pure, have no regions and not be `point`, and in turn
/// those of its operands. False if `v` cannot be made available. A generated
/// backward computes a loss's adjoint from constants after every forward op
/// (e.g. the loss's weight in a sum); hoisting it lets the forward and the
/// gradient fuse.
bool collectHoist(Value v, Operation *point, DominanceInfo &dom,
                  SmallVectorImpl<Operation *> &toMove, unsigned depth = 0) {
  if (dom.properlyDominates(v, point))
    return true;
  Operation *def = v.getDefiningOp();
  if (!def || depth > 8 || def == point ||
      def->getBlock() != point->getBlock() || def->getNumRegions() != 0 ||
      !isPure(def))
    return false;
  if (llvm::is_contained(toMove, def))
    return true;
  for (Value operand : def->getOperands())
    if (!collectHoist(operand, point, dom, toMove, depth + 1))
      return false;
  toMove.push_back(def);
  return true;
}

/// softmax_cross_entropy + softmax_cross_entropy_grad on the same operands
/// and attributes -> one softmax_cross_entropy_grad with its loss result.
struct MergeCrossEntropyForwardAndGrad
    : public OpRewritePattern<SoftmaxCrossEntropyGradOp> {
  using OpRewritePattern::OpRewritePattern;

  static bool sameProblem(SoftmaxCrossEntropyOp fwd,
                          SoftmaxCrossEntropyGradOp grad) {
    return fwd.getTarget() == grad.getTarget() &&
           fwd.getWeight() == grad.getWeight() &&
           fwd.getIgnoreIndex() == grad.getIgnoreIndex() &&
           fwd.getReduction() == grad.getReduction() &&
           fwd.getLabelSmoothing() == grad.getLabelSmoothing() &&
           (!fwd.getLogProb() || fwd.getLogProb().use_empty());
  }

  LogicalResult matchAndRewrite(SoftmaxCrossEntropyGradOp grad,
                                PatternRewriter &rewriter) const override {
    if (grad.getLoss())
      return rewriter.notifyMatchFailure(grad, "already has its loss");
    SoftmaxCrossEntropyOp fwd;
    for (Operation *user : grad.getLogits().getUsers()) {
      auto candidate = dyn_cast<SoftmaxCrossEntropyOp>(user);
      if (candidate && candidate->getBlock() == grad->getBlock() &&
          sameProblem(candidate, grad)) {
        fwd = candidate;
        break;
      }
    }
    if (!fwd)
      return rewriter.notifyMatchFailure(grad, "no forward on the same "
                                               "operands in its block");
    // The fused op replaces both, so it goes at the earlier one; the later
    // one's operands must be available there.
    bool fwdFirst = fwd->isBeforeInBlock(grad);
    Operation *first = fwdFirst ? fwd.getOperation() : grad.getOperation();
    Operation *second = fwdFirst ? grad.getOperation() : fwd.getOperation();
    DominanceInfo dom(first->getParentOp());
    if (!llvm::all_of(second->getOperands(), [&](Value v) {
          return dom.properlyDominates(v, first);
        })) {
      // Only grad_output can be computed later (the other operands are
      // shared); hoist its computation when it does not need the loss.
      SmallVector<Operation *> toMove;
      if (second != grad.getOperation() ||
          !collectHoist(grad.getGradOutput(), first, dom, toMove))
        return rewriter.notifyMatchFailure(
            grad, "an operand of the later op is defined between the two");
      for (Operation *op : toMove)
        rewriter.moveOpBefore(op, first);
    }
    rewriter.setInsertionPoint(first);
    // The loss keeps the forward's result type (which may be more static
    // than the inferred one) for the forward's users.
    auto fused = SoftmaxCrossEntropyGradOp::create(
        rewriter, rewriter.getFusedLoc({fwd.getLoc(), grad.getLoc()}),
        grad.getGradLogits().getType(), fwd.getResult().getType(),
        grad.getLogits(), grad.getTarget(), grad.getWeight(),
        grad.getGradOutput(), grad.getIgnoreIndex(), grad.getReduction(),
        grad.getLabelSmoothingAttr().getValue());
    rewriter.replaceAllUsesWith(fwd.getResult(), fused.getLoss());
    rewriter.eraseOp(fwd);
    rewriter.replaceOp(grad, fused.getGradLogits());
    return success();
  }
};

struct LossFuseCrossEntropyGradPass
    : public loss::impl::LossFuseCrossEntropyGradBase<
          LossFuseCrossEntropyGradPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFuseCrossEntropyGradPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void mlir::loss::populateFuseCrossEntropyGradPatterns(
    RewritePatternSet &patterns) {
  patterns.add<FuseLogSoftmaxNllGrad, GradOfLogProb,
               MergeCrossEntropyForwardAndGrad>(patterns.getContext());
  // A log_prob result left unused by the first pattern is dropped, so that
  // its forward can merge with the gradient.
  SoftmaxCrossEntropyOp::getCanonicalizationPatterns(patterns,
                                                     patterns.getContext());
}
