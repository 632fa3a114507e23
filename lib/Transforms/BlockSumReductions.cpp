//===- BlockSumReductions.cpp - Accurate full float sums -------------------===//
//
// A full sum `acc += x` over n terms rounds n times into one accumulator:
// its error grows like n. Here the terms are first added in short runs, each
// run in its own partial (lanes of a block, so the adds vectorize and the
// blocks take threads), and the partials are then added with Neumaier's
// compensated sum, whose error does not grow with their number.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Transforms/Passes.h"
#include "ApplyToGenerics.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir {
namespace loss {
#define GEN_PASS_DEF_BLOCKSUMREDUCTIONS
#include "loss-mlir/Transforms/Passes.h.inc"
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

/// The original loop indices of the generic being rewritten, computed inside
/// the body of a replacement generic from that generic's loop indices.
using IndexRemap =
    std::function<SmallVector<Value>(OpBuilder &, Location, ValueRange)>;

/// An input of a replacement generic: the (reshaped) tensor and its map.
struct Input {
  Value value;
  AffineMap map;
};

OpFoldResult apply(OpBuilder &b, Location loc, AffineExpr e,
                   ArrayRef<OpFoldResult> operands) {
  return affine::makeComposedFoldedAffineApply(b, loc, e, operands);
}

struct BlockFullSum : public OpRewritePattern<linalg::GenericOp> {
  BlockFullSum(MLIRContext *ctx, int64_t runLength, int64_t lanes,
               int64_t minSize)
      : OpRewritePattern(ctx), runLength(runLength), lanes(lanes),
        minSize(minSize) {}

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    unsigned numLoops = op.getNumLoops();
    if (!op.hasPureTensorSemantics() || numLoops == 0 ||
        op.getNumReductionLoops() != numLoops)
      return rewriter.notifyMatchFailure(op, "not a full reduction");
    unsigned widest = 0;
    for (unsigned i = 0; i < op.getNumDpsInits(); ++i) {
      auto ty = dyn_cast<RankedTensorType>(op.getDpsInits()[i].getType());
      if (!ty || ty.getRank() != 0 || !isa<FloatType>(ty.getElementType()) ||
          !isSumAccumulator(op, i))
        return rewriter.notifyMatchFailure(op, "not a float sum into 0-d");
      widest = std::max(widest, ty.getElementType().getIntOrFloatBitWidth());
    }
    // Inputs must be indexed by plain loop dims (each at most once) and
    // broadcast constants, so that splitting a loop splits a tensor dim.
    for (OpOperand *in : op.getDpsInputOperands()) {
      AffineMap map = op.getMatchingIndexingMap(in);
      llvm::SmallBitVector seen(numLoops);
      for (AffineExpr e : map.getResults()) {
        if (auto d = dyn_cast<AffineDimExpr>(e)) {
          if (seen.test(d.getPosition()))
            return rewriter.notifyMatchFailure(op, "loop indexed twice");
          seen.set(d.getPosition());
          continue;
        }
        if (!isa<AffineConstantExpr>(e))
          return rewriter.notifyMatchFailure(op, "compound indexing");
      }
    }
    SmallVector<int64_t> staticSizes = op.getStaticLoopRanges();
    if (!llvm::is_contained(staticSizes, ShapedType::kDynamic)) {
      int64_t total = 1;
      for (int64_t s : staticSizes)
        total = total > (INT64_MAX / std::max<int64_t>(s, 1)) ? INT64_MAX
                                                              : total * s;
      if (total < minSize)
        return rewriter.notifyMatchFailure(op, "too few terms to block");
    }

    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    int64_t numLanes = lanes > 0 ? lanes : std::max<int64_t>(512 / widest, 1);
    SmallVector<OpFoldResult> sizes;
    for (Range r : cast<linalg::LinalgOp>(op.getOperation())
                       .createLoopRanges(rewriter, loc))
      sizes.push_back(r.size);

    SmallVector<Input> inputs;
    for (OpOperand *in : op.getDpsInputOperands())
      inputs.push_back({in->get(), op.getMatchingIndexingMap(in)});
    IndexRemap remap = [](OpBuilder &, Location, ValueRange ivs) {
      return SmallVector<Value>(ivs);
    };

    // Identity-indexed inputs: one loop over the linearised space.
    bool allIdentity = llvm::all_of(
        inputs, [&](const Input &in) { return in.map.isIdentity(); });
    if (allIdentity && numLoops > 1) {
      ReassociationIndices all = llvm::to_vector(
          llvm::seq<int64_t>(0, static_cast<int64_t>(numLoops)));
      for (Input &in : inputs) {
        in.value = tensor::CollapseShapeOp::create(rewriter, loc, in.value,
                                                   ArrayRef{all});
        in.map = AffineMap::getMultiDimIdentityMap(1, ctx);
      }
      SmallVector<OpFoldResult> basis = sizes;
      remap = [basis](OpBuilder &b, Location l, ValueRange ivs) {
        auto delin = affine::AffineDelinearizeIndexOp::create(b, l, ivs[0],
                                                              basis);
        return SmallVector<Value>(delin.getResults());
      };
      AffineExpr s0, s1;
      bindSymbols(ctx, s0, s1);
      OpFoldResult n = sizes[0];
      for (OpFoldResult s : ArrayRef(sizes).drop_front())
        n = apply(rewriter, loc, s0 * s1, {n, s});
      sizes = {n};
      numLoops = 1;
    }

    // Stage 1: partial sums, each a list (one tensor per accumulator).
    SmallVector<SmallVector<Value>> partials;
    unsigned inner = numLoops - 1;
    OpFoldResult extent = sizes[inner];
    std::optional<int64_t> staticExtent = getConstantIntValue(extent);
    int64_t block = runLength * numLanes;
    ArrayRef<OpFoldResult> rowSizes = ArrayRef(sizes).drop_back();

    if (staticExtent && *staticExtent < block) {
      // A short innermost dim: one partial per row.
      partials.push_back(buildPartial(rewriter, op, inputs, remap, rowSizes,
                                      /*extraLoops=*/{}, /*iters=*/{},
                                      /*splitInput=*/{}, inner, {}));
    } else {
      AffineExpr s0, s1;
      bindSymbols(ctx, s0, s1);
      OpFoldResult groups = apply(rewriter, loc, s0.floorDiv(block), {extent});
      OpFoldResult mainSize = apply(rewriter, loc, s0 * block, {groups});
      OpFoldResult rest = apply(rewriter, loc, s0 - s1, {extent, mainSize});
      OpFoldResult runs = apply(rewriter, loc, s0.floorDiv(numLanes), {rest});
      OpFoldResult runsSize = apply(rewriter, loc, s0 * numLanes, {runs});
      OpFoldResult tailStart =
          apply(rewriter, loc, s0 + s1, {mainSize, runsSize});
      OpFoldResult tail = apply(rewriter, loc, s0 - s1, {rest, runsSize});
      OpFoldResult lanesAttr = rewriter.getIndexAttr(numLanes);
      OpFoldResult runAttr = rewriter.getIndexAttr(runLength);
      auto nonEmpty = [](OpFoldResult s) {
        std::optional<int64_t> c = getConstantIntValue(s);
        return !c || *c > 0;
      };
      using IT = utils::IteratorType;
      // Blocks of `runLength` x `lanes` points: [rows..., G, run, lanes],
      // point g * block + r * lanes + v, partial (rows..., g, v).
      if (nonEmpty(groups))
        partials.push_back(buildPartial(
            rewriter, op, inputs, remap, rowSizes,
            {groups, runAttr, lanesAttr},
            {IT::parallel, IT::reduction, IT::parallel},
            {rewriter.getIndexAttr(0), mainSize}, inner,
            [=](OpBuilder &b, Location l, ValueRange ivs) -> Value {
              AffineExpr g, r, v;
              bindDims(b.getContext(), g, r, v);
              return affine::AffineApplyOp::create(
                  b, l, AffineMap::get(3, 0, g * block + r * numLanes + v),
                  ivs);
            },
            /*partialDims=*/{0, 2}));
      // The last full runs of `lanes`: [rows..., R, lanes], partial
      // (rows..., v).
      if (nonEmpty(runs))
        partials.push_back(buildPartial(
            rewriter, op, inputs, remap, rowSizes, {runs, lanesAttr},
            {IT::reduction, IT::parallel}, {mainSize, runsSize}, inner,
            [=](OpBuilder &b, Location l, ValueRange ivs) -> Value {
              AffineExpr r, v, s;
              bindDims(b.getContext(), r, v);
              bindSymbols(b.getContext(), s);
              Value start = getValueOrCreateConstantIndexOp(b, l, mainSize);
              return affine::AffineApplyOp::create(
                  b, l, AffineMap::get(2, 1, s + r * numLanes + v),
                  ValueRange{ivs[0], ivs[1], start});
            },
            /*partialDims=*/{1}));
      // Fewer than `lanes` points left: each is its own partial.
      if (nonEmpty(tail))
        partials.push_back(buildPartial(
            rewriter, op, inputs, remap, rowSizes, {tail}, {IT::parallel},
            {tailStart, tail}, inner,
            [=](OpBuilder &b, Location l, ValueRange ivs) -> Value {
              Value start = getValueOrCreateConstantIndexOp(b, l, tailStart);
              return arith::AddIOp::create(b, l, start, ivs[0]);
            },
            /*partialDims=*/{0}));
    }

    // Stage 2: a compensated sum of all partials.
    SmallVector<Value> results =
        compensatedSum(rewriter, loc, partials, op.getDpsInits());
    rewriter.replaceOp(op, results);
    return success();
  }

private:
  /// A generic over (rows..., extra...) that sums the terms of `op` into
  /// partials indexed by the rows and the extra loops in `partialDims`.
  /// With `splitIn` = {offset, size}, the innermost loop of `op` (`inner`)
  /// is replaced by the extra loops: inputs indexed by it are sliced to
  /// [offset, offset + size) and expanded to the extra loops' sizes, and
  /// `innerIndex` rebuilds the index of that loop from the extra loops'.
  /// Without it, the innermost loop stays a reduction (no extra loops).
  SmallVector<Value>
  buildPartial(PatternRewriter &rewriter, linalg::GenericOp op,
               ArrayRef<Input> inputs, const IndexRemap &remap,
               ArrayRef<OpFoldResult> rowSizes,
               ArrayRef<OpFoldResult> extraSizes,
               ArrayRef<utils::IteratorType> extraIters,
               ArrayRef<OpFoldResult> splitIn, unsigned inner,
               std::function<Value(OpBuilder &, Location, ValueRange)>
                   innerIndex,
               ArrayRef<unsigned> partialDims = {}) const {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    unsigned numRows = rowSizes.size();
    bool split = !splitIn.empty();
    unsigned numLoops = numRows + (split ? extraSizes.size() : 1);

    SmallVector<Value> ins;
    SmallVector<AffineMap> maps;
    for (const Input &in : inputs) {
      if (!split) {
        ins.push_back(in.value);
        maps.push_back(in.map);
        continue;
      }
      auto ty = cast<RankedTensorType>(in.value.getType());
      SmallVector<AffineExpr> exprs;
      Value v = in.value;
      for (auto [j, e] : llvm::enumerate(in.map.getResults())) {
        auto d = dyn_cast<AffineDimExpr>(e);
        if (!d || d.getPosition() != inner) {
          exprs.push_back(e);
          continue;
        }
        // Slice dim j to the range, then expand it to the extra loops.
        SmallVector<OpFoldResult> offs(ty.getRank(), rewriter.getIndexAttr(0));
        SmallVector<OpFoldResult> szs = tensor::getMixedSizes(rewriter, loc, v);
        SmallVector<OpFoldResult> strides(ty.getRank(),
                                          rewriter.getIndexAttr(1));
        offs[j] = splitIn[0];
        szs[j] = splitIn[1];
        v = tensor::ExtractSliceOp::create(rewriter, loc, v, offs, szs,
                                           strides);
        if (extraSizes.size() > 1) {
          SmallVector<ReassociationIndices> reassoc;
          SmallVector<OpFoldResult> outShape;
          SmallVector<int64_t> staticShape;
          auto sliced = cast<RankedTensorType>(v.getType());
          for (int64_t k = 0; k < sliced.getRank(); ++k) {
            ReassociationIndices group;
            auto addDim = [&](OpFoldResult s) {
              group.push_back(outShape.size());
              outShape.push_back(s);
              std::optional<int64_t> c = getConstantIntValue(s);
              staticShape.push_back(c ? *c : ShapedType::kDynamic);
            };
            if (k == static_cast<int64_t>(j))
              for (OpFoldResult s : extraSizes)
                addDim(s);
            else
              addDim(tensor::getMixedSize(rewriter, loc, v, k));
            reassoc.push_back(group);
          }
          v = tensor::ExpandShapeOp::create(
              rewriter, loc,
              RankedTensorType::get(staticShape, sliced.getElementType()), v,
              reassoc, outShape);
        }
        for (unsigned k = 0; k < extraSizes.size(); ++k)
          exprs.push_back(getAffineDimExpr(numRows + k, ctx));
      }
      ins.push_back(v);
      maps.push_back(AffineMap::get(numLoops, 0, exprs, ctx));
    }

    // Partials (rows..., partialDims...), starting from 0.
    SmallVector<OpFoldResult> partialShape(rowSizes);
    SmallVector<AffineExpr> partialExprs;
    for (unsigned k = 0; k < numRows; ++k)
      partialExprs.push_back(getAffineDimExpr(k, ctx));
    for (unsigned k : partialDims) {
      partialShape.push_back(extraSizes[k]);
      partialExprs.push_back(getAffineDimExpr(numRows + k, ctx));
    }
    AffineMap partialMap = AffineMap::get(numLoops, 0, partialExprs, ctx);
    SmallVector<Value> inits;
    for (Value init : op.getDpsInits()) {
      Type el = cast<RankedTensorType>(init.getType()).getElementType();
      Value zero = arith::ConstantOp::create(rewriter, loc, el,
                                             rewriter.getFloatAttr(el, 0.0));
      Value empty = tensor::EmptyOp::create(rewriter, loc, partialShape, el);
      inits.push_back(linalg::FillOp::create(rewriter, loc, ValueRange{zero},
                                             ValueRange{empty})
                          .getResult(0));
      maps.push_back(partialMap);
    }
    SmallVector<utils::IteratorType> iters(numRows,
                                           utils::IteratorType::parallel);
    if (split)
      llvm::append_range(iters, extraIters);
    else
      iters.push_back(utils::IteratorType::reduction);

    auto partial = linalg::GenericOp::create(
        rewriter, loc, TypeRange(ValueRange(inits)), ins, inits, maps, iters);
    rewriter.cloneRegionBefore(op.getRegion(), partial.getRegion(),
                               partial.getRegion().begin());

    // linalg.index in the body names loops of `op`: rebuild them.
    SmallVector<linalg::IndexOp> indexOps;
    partial.getRegion().walk(
        [&](linalg::IndexOp idx) { indexOps.push_back(idx); });
    if (!indexOps.empty()) {
      Block &body = partial.getRegion().front();
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(&body);
      SmallVector<Value> ivs;
      for (unsigned k = 0; k < numLoops; ++k)
        ivs.push_back(linalg::IndexOp::create(rewriter, loc, k));
      SmallVector<Value> opIvs(ivs.begin(), ivs.begin() + numRows);
      if (split)
        opIvs.push_back(
            innerIndex(rewriter, loc, ArrayRef(ivs).drop_front(numRows)));
      else
        opIvs.push_back(ivs[numRows]);
      SmallVector<Value> orig = remap(rewriter, loc, opIvs);
      for (linalg::IndexOp idx : indexOps)
        rewriter.replaceOp(idx, orig[idx.getDim()]);
    }
    return llvm::to_vector_of<Value>(partial.getResults());
  }

  /// Adds every partial tensor into `inits` (0-d) with Neumaier's
  /// compensated summation: a running sum and a running correction per
  /// accumulator, added at the end unless the sum is not finite.
  SmallVector<Value> compensatedSum(PatternRewriter &rewriter, Location loc,
                                    ArrayRef<SmallVector<Value>> partials,
                                    ValueRange inits) const {
    MLIRContext *ctx = rewriter.getContext();
    unsigned n = inits.size();
    SmallVector<Value> state; // sum_0, corr_0, sum_1, corr_1, ...
    for (Value init : inits) {
      Type el = cast<RankedTensorType>(init.getType()).getElementType();
      Value zero = arith::ConstantOp::create(rewriter, loc, el,
                                             rewriter.getFloatAttr(el, 0.0));
      for (int k = 0; k < 2; ++k) {
        Value empty = tensor::EmptyOp::create(rewriter, loc,
                                              ArrayRef<OpFoldResult>{}, el);
        state.push_back(linalg::FillOp::create(rewriter, loc, ValueRange{zero},
                                               ValueRange{empty})
                            .getResult(0));
      }
    }
    AffineMap id = AffineMap::getMultiDimIdentityMap(1, ctx);
    AffineMap scalar = AffineMap::get(1, 0, {}, ctx);
    for (ArrayRef<Value> stage : partials) {
      SmallVector<Value> flat;
      for (Value p : stage) {
        auto ty = cast<RankedTensorType>(p.getType());
        if (ty.getRank() == 0) {
          p = tensor::ExpandShapeOp::create(
              rewriter, loc, RankedTensorType::get({1}, ty.getElementType()),
              p, ArrayRef<ReassociationIndices>{});
        } else if (ty.getRank() != 1) {
          ReassociationIndices all = llvm::to_vector(
              llvm::seq<int64_t>(0, static_cast<int64_t>(ty.getRank())));
          p = tensor::CollapseShapeOp::create(rewriter, loc, p, ArrayRef{all});
        }
        flat.push_back(p);
      }
      SmallVector<AffineMap> maps(n, id);
      maps.append(2 * n, scalar);
      auto generic = linalg::GenericOp::create(
          rewriter, loc, TypeRange(ValueRange(state)), flat, state, maps,
          {utils::IteratorType::reduction},
          [&](OpBuilder &b, Location l, ValueRange args) {
            SmallVector<Value> yields;
            for (unsigned i = 0; i < n; ++i) {
              Value x = args[i], s = args[n + 2 * i], c = args[n + 2 * i + 1];
              Value t = arith::AddFOp::create(b, l, s, x);
              Value bigS = arith::CmpFOp::create(
                  b, l, arith::CmpFPredicate::OGE, math::AbsFOp::create(b, l, s),
                  math::AbsFOp::create(b, l, x));
              // The low-order bits lost in t = s + x.
              Value lostX = arith::AddFOp::create(
                  b, l, arith::SubFOp::create(b, l, s, t), x);
              Value lostS = arith::AddFOp::create(
                  b, l, arith::SubFOp::create(b, l, x, t), s);
              Value lost = arith::SelectOp::create(b, l, bigS, lostX, lostS);
              yields.push_back(t);
              yields.push_back(arith::AddFOp::create(b, l, c, lost));
            }
            linalg::YieldOp::create(b, l, yields);
          });
      state = llvm::to_vector_of<Value>(generic.getResults());
    }

    SmallVector<Value> results;
    for (unsigned i = 0; i < n; ++i) {
      auto ty = cast<RankedTensorType>(inits[i].getType());
      Type el = ty.getElementType();
      Value s = tensor::ExtractOp::create(rewriter, loc, state[2 * i]);
      Value c = tensor::ExtractOp::create(rewriter, loc, state[2 * i + 1]);
      Value init = tensor::ExtractOp::create(rewriter, loc, inits[i]);
      // Once a sum is inf or NaN the corrections are NaN: keep the sum.
      Value finite = arith::CmpFOp::create(
          rewriter, loc, arith::CmpFPredicate::OLT,
          math::AbsFOp::create(rewriter, loc, s),
          arith::ConstantOp::create(rewriter, loc, el,
                                    rewriter.getFloatAttr(el, INFINITY)));
      Value sum = arith::SelectOp::create(
          rewriter, loc, finite, arith::AddFOp::create(rewriter, loc, s, c), s);
      Value total = arith::AddFOp::create(rewriter, loc, init, sum);
      results.push_back(tensor::FromElementsOp::create(rewriter, loc, ty,
                                                       ValueRange{total}));
    }
    return results;
  }

  int64_t runLength, lanes, minSize;
};

struct BlockSumReductionsPass
    : public loss::impl::BlockSumReductionsBase<BlockSumReductionsPass> {
  using BlockSumReductionsBase::BlockSumReductionsBase;
  void runOnOperation() override {
    if (runLength < 1 || lanes < 0) {
      getOperation()->emitError("block-sum-reductions: run-length must be "
                                ">= 1 and lanes >= 0");
      return signalPassFailure();
    }
    // One application per generic: the rewritten ones no longer match.
    RewritePatternSet patterns(&getContext());
    loss::populateBlockSumReductionsPatterns(patterns, runLength, lanes,
                                             minSize);
    if (failed(loss::applyToExistingGenerics(getOperation(),
                                             std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void mlir::loss::populateBlockSumReductionsPatterns(RewritePatternSet &patterns,
                                                    int64_t runLength,
                                                    int64_t lanes,
                                                    int64_t minSize) {
  patterns.add<BlockFullSum>(patterns.getContext(), runLength, lanes, minSize);
}
