//===- FuseLinearCrossEntropy.cpp - linear + cross entropy fusion ---------===//
//
// A classifier's logits are `hidden @ weight^T + bias`, N x V: for a language
// model's vocabulary by far the largest tensor of the step, written once and
// read once by cross entropy. loss.linear_cross_entropy computes the same
// loss in tiles without ever storing them; this pattern forms it from the
// linalg that front ends (and the ONNX importer) emit for the linear layer.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Dialect/Loss/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace loss {
#define GEN_PASS_DEF_LOSSFUSELINEARCROSSENTROPY
#include "loss-mlir/Dialect/Loss/Transforms/Passes.h.inc"
} // namespace loss
} // namespace mlir

using namespace mlir;
using namespace mlir::loss;

namespace {

/// The [N, V] logits' factors: `hidden [N, H]` and `weight [V, H]`.
struct LinearParts {
  Value hidden, weight;
  Operation *product = nullptr;
  Operation *transpose = nullptr; // a linalg.transpose of the weight, if any
};

/// True for an init that is a `linalg.fill` of (+/-) zero: the contraction
/// then is the plain product. Anything else adds to what the init holds.
bool isZeroFill(Value init) {
  auto fill = init.getDefiningOp<linalg::FillOp>();
  if (!fill)
    return false;
  Value v = fill.getDpsInputOperand(0)->get();
  return matchPattern(v, m_AnyZeroFloat());
}

AffineMap map2(MLIRContext *ctx, unsigned a, unsigned b) {
  return AffineMap::get(3, 0,
                        {getAffineDimExpr(a, ctx), getAffineDimExpr(b, ctx)},
                        ctx);
}

/// True for a body `yield(out + a * b)` of the block arguments, with no
/// casts (every element type is the same).
bool isMulAddBody(Block &body) {
  if (body.getOperations().size() != 3)
    return false;
  auto yield = body.getTerminator();
  auto add = yield->getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value a = body.getArgument(0), b = body.getArgument(1),
        out = body.getArgument(2);
  Value mulV = add.getLhs() == out ? add.getRhs() : add.getLhs();
  if ((add.getLhs() != out && add.getRhs() != out) || mulV == out)
    return false;
  auto mul = mulV.getDefiningOp<arith::MulFOp>();
  return mul && ((mul.getLhs() == a && mul.getRhs() == b) ||
                 (mul.getLhs() == b && mul.getRhs() == a));
}

/// Matches the product `hidden @ weight^T` computing `logits`.
std::optional<LinearParts> matchProduct(Value logits) {
  auto op = logits.getDefiningOp<linalg::LinalgOp>();
  if (!op || op->getNumResults() != 1 || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !op.hasPureTensorSemantics())
    return std::nullopt;
  if (!isZeroFill(op.getDpsInitOperand(0)->get()))
    return std::nullopt;
  MLIRContext *ctx = op->getContext();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  AffineMap mapA = map2(ctx, 0, 2), mapBT = map2(ctx, 1, 2),
            mapB = map2(ctx, 2, 1), mapC = map2(ctx, 0, 1);
  Value a = op.getDpsInputOperand(0)->get(), b = op.getDpsInputOperand(1)->get();
  LinearParts parts;
  parts.product = op;
  parts.hidden = a;
  if (isa<linalg::MatmulOp>(op.getOperation())) {
    if (maps.size() != 3 || maps[0] != mapA || maps[2] != mapC)
      return std::nullopt;
  } else if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation())) {
    SmallVector<utils::IteratorType> its = generic.getIteratorTypesArray();
    if (its.size() != 3 || its[0] != utils::IteratorType::parallel ||
        its[1] != utils::IteratorType::parallel ||
        its[2] != utils::IteratorType::reduction || maps[0] != mapA ||
        maps[2] != mapC || !isMulAddBody(generic.getRegion().front()))
      return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (maps[1] == mapBT) {
    parts.weight = b;
  } else if (maps[1] == mapB) {
    // hidden @ transpose(weight): the weight must be [V, H] transposed.
    auto tr = b.getDefiningOp<linalg::TransposeOp>();
    if (!tr || tr.getPermutation() != ArrayRef<int64_t>{1, 0})
      return std::nullopt;
    parts.weight = tr.getInput();
    parts.transpose = tr;
  } else {
    return std::nullopt;
  }
  return parts;
}

/// The bias `[V]` behind `v`, an `[N, V]` value made by `linalg.broadcast`
/// over dimension 0.
Value matchBroadcastBias(Value v) {
  auto bc = v.getDefiningOp<linalg::BroadcastOp>();
  if (!bc || !v.hasOneUse() || bc.getDimensions() != ArrayRef<int64_t>{0})
    return {};
  return bc.getInput();
}

/// True for a `linalg.generic` body `yield(in0 + in1)` (either order).
bool isAddBody(Block &body) {
  if (body.getOperations().size() != 2)
    return false;
  auto add = body.getTerminator()->getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value x = body.getArgument(0), y = body.getArgument(1);
  return (add.getLhs() == x && add.getRhs() == y) ||
         (add.getLhs() == y && add.getRhs() == x);
}

struct FuseLinearCrossEntropy : public OpRewritePattern<SoftmaxCrossEntropyOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(SoftmaxCrossEntropyOp ce,
                                PatternRewriter &rewriter) const override {
    if (ce.hasProbabilityTarget())
      return rewriter.notifyMatchFailure(ce, "probability targets");
    if (ce.getLogProb() && !ce.getLogProb().use_empty())
      return rewriter.notifyMatchFailure(ce, "log_prob is used");
    Value logits = ce.getLogits();
    auto logitsTy = cast<RankedTensorType>(logits.getType());
    if (logitsTy.getRank() != 2)
      return rewriter.notifyMatchFailure(ce, "logits are not [N, V]");
    // The logits must exist anyway when something else reads them.
    if (!logits.hasOneUse())
      return rewriter.notifyMatchFailure(ce, "logits have other uses");

    Value bias;
    SmallVector<Operation *> dead;
    std::optional<LinearParts> parts = matchProduct(logits);
    if (!parts) {
      // logits = product + broadcast bias.
      auto add = logits.getDefiningOp<linalg::LinalgOp>();
      if (!add || add->getNumResults() != 1 || add.getNumDpsInputs() != 2 ||
          !add.hasPureTensorSemantics() ||
          add.getNumParallelLoops() != 2 || add.getNumLoops() != 2)
        return rewriter.notifyMatchFailure(ce, "logits are not a linear layer");
      Value x = add.getDpsInputOperand(0)->get(),
            y = add.getDpsInputOperand(1)->get();
      SmallVector<AffineMap> maps = add.getIndexingMapsArray();
      MLIRContext *ctx = add->getContext();
      AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
      AffineMap overV = AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx);
      bool isAdd = isa<linalg::AddOp>(add.getOperation());
      if (auto g = dyn_cast<linalg::GenericOp>(add.getOperation()))
        isAdd = isAddBody(g.getRegion().front());
      if (!isAdd || maps[2] != id)
        return rewriter.notifyMatchFailure(ce, "logits are not a bias add");
      // Either operand may be the product.
      for (int i = 0; i < 2 && !bias; ++i) {
        Value prod = i == 0 ? x : y, other = i == 0 ? y : x;
        AffineMap prodMap = maps[i], otherMap = maps[1 - i];
        if (prodMap != id || !prod.hasOneUse())
          continue;
        std::optional<LinearParts> p = matchProduct(prod);
        if (!p)
          continue;
        Value b;
        Operation *bcast = nullptr;
        if (otherMap == overV) {
          b = other;
        } else if (otherMap == id && (b = matchBroadcastBias(other))) {
          bcast = other.getDefiningOp();
        }
        if (!b)
          continue;
        parts = p;
        bias = b;
        dead.push_back(add);
        if (bcast)
          dead.push_back(bcast);
      }
      if (!bias)
        return rewriter.notifyMatchFailure(ce, "logits are not a linear layer "
                                               "plus a bias over V");
    }

    auto hTy = dyn_cast<RankedTensorType>(parts->hidden.getType());
    auto wTy = dyn_cast<RankedTensorType>(parts->weight.getType());
    if (!hTy || !wTy || hTy.getRank() != 2 || wTy.getRank() != 2)
      return rewriter.notifyMatchFailure(ce, "operands are not matrices");
    Type elt = logitsTy.getElementType();
    auto sameElt = [&](Value v) {
      return !v || cast<ShapedType>(v.getType()).getElementType() == elt;
    };
    if (!sameElt(parts->hidden) || !sameElt(parts->weight) || !sameElt(bias) ||
        !sameElt(parts->product->getResult(0)))
      return rewriter.notifyMatchFailure(ce, "element types differ");
    if (bias && cast<ShapedType>(bias.getType()).getRank() != 1)
      return rewriter.notifyMatchFailure(ce, "bias is not [V]");

    rewriter.setInsertionPoint(ce);
    auto fused = LinearCrossEntropyOp::create(
        rewriter, rewriter.getFusedLoc({parts->product->getLoc(), ce.getLoc()}),
        ce.getResult().getType(), parts->hidden, parts->weight, ce.getTarget(),
        bias, ce.getWeight(), ce.getIgnoreIndex(), ce.getReduction(),
        ce.getLabelSmoothing());
    // An unused log_prob has no replacement: replace the loss alone.
    rewriter.replaceAllUsesWith(ce.getResult(), fused.getResult());
    rewriter.eraseOp(ce);
    for (Operation *op : dead)
      if (op->use_empty())
        rewriter.eraseOp(op);
    if (parts->product->use_empty())
      rewriter.eraseOp(parts->product);
    if (parts->transpose && parts->transpose->use_empty())
      rewriter.eraseOp(parts->transpose);
    return success();
  }
};

struct LossFuseLinearCrossEntropyPass
    : public loss::impl::LossFuseLinearCrossEntropyBase<
          LossFuseLinearCrossEntropyPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFuseLinearCrossEntropyPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void mlir::loss::populateFuseLinearCrossEntropyPatterns(
    RewritePatternSet &patterns) {
  patterns.add<FuseLinearCrossEntropy>(patterns.getContext());
}
