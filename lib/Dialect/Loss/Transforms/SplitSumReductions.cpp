//===- SplitSumReductions.cpp - Full sums to per-row partials -------------===//
//
// A full reduction has no parallel loop for threads to share. Summing each
// index of the outermost loop into its own partial makes that loop parallel;
// a second, small reduction adds the partials.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Dialect/Loss/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace loss {
#define GEN_PASS_DEF_LOSSSPLITSUMREDUCTIONS
#include "loss-mlir/Dialect/Loss/Transforms/Passes.h.inc"
} // namespace loss
} // namespace mlir

using namespace mlir;

namespace {

/// True if output `i` of `op` accumulates by `yield addf(acc_i, x)` (either
/// operand order) and its block argument has no other use.
bool isSumAccumulator(linalg::GenericOp op, unsigned i) {
  Block &body = op.getRegion().front();
  BlockArgument acc = body.getArgument(op.getNumDpsInputs() + i);
  auto add = body.getTerminator()->getOperand(i).getDefiningOp<arith::AddFOp>();
  if (!add || !acc.hasOneUse())
    return false;
  return add.getLhs() == acc || add.getRhs() == acc;
}

struct SplitFullSum : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    unsigned numLoops = op.getNumLoops();
    if (!op.hasPureTensorSemantics() || numLoops < 2 ||
        op.getNumReductionLoops() != numLoops)
      return rewriter.notifyMatchFailure(op, "not a full reduction of rank >= 2");
    for (unsigned i = 0; i < op.getNumDpsInits(); ++i) {
      auto ty = dyn_cast<RankedTensorType>(op.getDpsInits()[i].getType());
      if (!ty || ty.getRank() != 0 || !isa<FloatType>(ty.getElementType()) ||
          !isSumAccumulator(op, i))
        return rewriter.notifyMatchFailure(op, "not a float sum into 0-d");
    }
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();

    // The extent of loop 0, from the first input that indexes it directly.
    OpFoldResult extent;
    for (OpOperand *in : op.getDpsInputOperands()) {
      AffineMap map = op.getMatchingIndexingMap(in);
      for (auto [j, expr] : llvm::enumerate(map.getResults()))
        if (auto d = dyn_cast<AffineDimExpr>(expr); d && d.getPosition() == 0) {
          extent = tensor::getMixedSize(rewriter, loc, in->get(), j);
          break;
        }
      if (extent)
        break;
    }
    if (!extent)
      return rewriter.notifyMatchFailure(op, "no input indexes loop 0");

    // Partial sums, one per index of loop 0, starting from 0.
    SmallVector<Value> partialInits;
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    unsigned numIns = op.getNumDpsInputs();
    for (unsigned i = 0; i < op.getNumDpsInits(); ++i) {
      Type el = cast<RankedTensorType>(op.getDpsInits()[i].getType())
                    .getElementType();
      Value zero = arith::ConstantOp::create(rewriter, loc, el,
                                             rewriter.getFloatAttr(el, 0.0));
      Value empty = tensor::EmptyOp::create(rewriter, loc, {extent}, el);
      partialInits.push_back(
          linalg::FillOp::create(rewriter, loc, ValueRange{zero},
                                 ValueRange{empty})
              .getResult(0));
      maps[numIns + i] =
          AffineMap::get(numLoops, 0, {getAffineDimExpr(0, ctx)}, ctx);
    }
    SmallVector<utils::IteratorType> iters(numLoops,
                                           utils::IteratorType::reduction);
    iters[0] = utils::IteratorType::parallel;
    auto partial = linalg::GenericOp::create(
        rewriter, loc, TypeRange(ValueRange(partialInits)), op.getDpsInputs(),
        partialInits, maps, iters);
    rewriter.cloneRegionBefore(op.getRegion(), partial.getRegion(),
                               partial.getRegion().begin());

    // The original accumulators plus the partials.
    AffineMap id = AffineMap::getMultiDimIdentityMap(1, ctx);
    AffineMap scalar = AffineMap::get(1, 0, {}, ctx);
    SmallVector<AffineMap> finalMaps(partialInits.size(), id);
    finalMaps.append(partialInits.size(), scalar);
    auto total = linalg::GenericOp::create(
        rewriter, loc, op.getResultTypes(), partial.getResults(),
        op.getDpsInits(), finalMaps, {utils::IteratorType::reduction},
        [&](OpBuilder &b, Location l, ValueRange args) {
          unsigned n = partialInits.size();
          SmallVector<Value> sums;
          for (unsigned i = 0; i < n; ++i)
            sums.push_back(arith::AddFOp::create(b, l, args[n + i], args[i]));
          linalg::YieldOp::create(b, l, sums);
        });
    rewriter.replaceOp(op, total.getResults());
    return success();
  }
};

struct LossSplitSumReductionsPass
    : public loss::impl::LossSplitSumReductionsBase<
          LossSplitSumReductionsPass> {
  void runOnOperation() override {
    // One application per generic: the rewritten ones no longer match.
    SmallVector<linalg::GenericOp> candidates;
    getOperation()->walk([&](linalg::GenericOp op) { candidates.push_back(op); });
    RewritePatternSet patterns(&getContext());
    patterns.add<SplitFullSum>(&getContext());
    FrozenRewritePatternSet frozen(std::move(patterns));
    SmallVector<Operation *> ops(candidates.begin(), candidates.end());
    if (failed(applyOpPatternsGreedily(
            ops, frozen,
            GreedyRewriteConfig().setStrictness(
                GreedyRewriteStrictness::ExistingOps))))
      signalPassFailure();
  }
};
} // namespace
