//===- MarginGrad.cpp - Gradients of the margin family to linalg ------------===//
//
// Lowers the gradient ops of the margin and embedding losses (margin_ranking, hinge_embedding, soft_margin, multilabel_margin, multilabel_soft_margin, multi_margin, cosine_embedding, triplet_margin).
//
// Every gradient is written by one linalg.generic over the points of its
// loss (the broadcast of the operands, or samples x classes/features):
// parallel where the operand has the loop space's shape, and reducing the
// loops an operand is broadcast along where it has not (autograd sums the
// gradient back to the operand's shape; the output is the operand with its
// size-1 dimensions collapsed, expanded back after). The per-sample sums
// that the chain rule needs first (multi_margin's hinge sum, the dot
// products and norms of cosine_embedding and triplet_margin,
// multilabel_margin's target counts) are row reductions
// (`buildRowwiseReduction`: parallel over samples, reducing over
// classes/features), so rows are independent. Arithmetic happens in
// `getAccumulatorType` (f32 for f16/bf16), rounded once into the result.
//
// The subgradients are autograd's (PyTorch 1.13): `clamp_min(v, 0)` passes
// the gradient where `v >= 0` (so at the hinge itself), ATen's backward
// kernels of multi_margin and multilabel_margin count a term where `z > 0`,
// `min` splits a tie in halves, and `norm` follows `norm_backward` (0 where
// the norm is 0; `p = inf` shares among the maximal features).
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "loss-mlir/Conversion/LossToLinalg/LossToLinalg.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loss;

namespace {

//===----------------------------------------------------------------------===//
// Scalar helpers (accumulator type)
//===----------------------------------------------------------------------===//

using namespace mlir::loss::scalar;

/// `c ? 1 : 0` as a float of type `ty`.
Value indicator(OpBuilder &b, Location l, Value c, Type ty) {
  return select(b, l, c, constFloat(b, l, ty, 1.0), constFloat(b, l, ty, 0.0));
}

/// An operand's scalar in the accumulator type `acc`: floats extended,
/// integer targets promoted as PyTorch does (i1 as 0/1).
Value widen(OpBuilder &b, Location l, Value v, Type acc) {
  if (isa<IntegerType>(v.getType()))
    return arith::SIToFPOp::create(b, l, acc, toI64(b, l, v));
  return castFloat(b, l, v, acc);
}

/// `sigmoid(u)` without overflow: `e / (1 + e)` with `e = exp(-|u|)`,
/// mirrored for `u >= 0`. NaN propagates.
Value sigmoid(OpBuilder &b, Location l, Value u) {
  Value one = cst(b, l, u, 1.0);
  Value e = math::ExpOp::create(b, l, neg(b, l, math::AbsFOp::create(b, l, u)));
  Value r = div(b, l, one, add(b, l, one, e));
  return select(b, l, cmpf(b, l, arith::CmpFPredicate::OGE, u, cst(b, l, u, 0.0)),
                r, mul(b, l, e, r));
}

/// autograd's `sgn`: -1, 0 or 1, NaN kept.
Value sgn(OpBuilder &b, Location l, Value v) {
  Value zero = cst(b, l, v, 0.0);
  Value s = select(b, l, cmpf(b, l, arith::CmpFPredicate::OGT, v, zero),
                   cst(b, l, v, 1.0), zero);
  s = select(b, l, cmpf(b, l, arith::CmpFPredicate::OLT, v, zero),
             cst(b, l, v, -1.0), s);
  return select(b, l, cmpf(b, l, arith::CmpFPredicate::UNO, v, v), v, s);
}

/// `0 <= t < n` for i64 values.
Value inRange(OpBuilder &b, Location loc, Value t, Value n) {
  return arith::AndIOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, t,
                            constI64(b, loc, 0)),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, t, n));
}

/// The loop index `dim` of the enclosing linalg.generic as an i64.
Value loopIndexI64(OpBuilder &b, Location loc, unsigned dim) {
  return arith::IndexCastOp::create(b, loc, b.getI64Type(),
                                    linalg::IndexOp::create(b, loc, dim));
}

/// `x[rows..., t]` inside a generic whose first `rowRank` loops are the rows
/// of `x`; `t` (i64) is clamped to 0 when `valid` is false, so the read is
/// always in bounds.
Value gatherInRow(OpBuilder &b, Location loc, Value x, unsigned rowRank,
                  Value t, Value valid) {
  Value safe = arith::SelectOp::create(b, loc, valid, t, constI64(b, loc, 0));
  SmallVector<Value> idx;
  for (unsigned d = 0; d < rowRank; ++d)
    idx.push_back(linalg::IndexOp::create(b, loc, d));
  idx.push_back(arith::IndexCastOp::create(b, loc, b.getIndexType(), safe));
  return tensor::ExtractOp::create(b, loc, x, idx);
}

//===----------------------------------------------------------------------===//
// Tensor helpers
//===----------------------------------------------------------------------===//

RankedTensorType tensorTy(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// A map from `numLoops` loops to the row loops d0..d{rowRank-1} followed by
/// the loops `extra`.
AffineMap rowMap(MLIRContext *ctx, unsigned numLoops, unsigned rowRank,
                 ArrayRef<unsigned> extra = {}) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d = 0; d < rowRank; ++d)
    exprs.push_back(getAffineDimExpr(d, ctx));
  for (unsigned d : extra)
    exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(numLoops, 0, exprs, ctx);
}

/// Whether loop `i` of `sizes` is a static 1, which an operand of size 1
/// there indexes (rather than broadcasts along) so that linalg can infer the
/// loop's range.
bool isUnitLoop(ArrayRef<OpFoldResult> sizes, unsigned i) {
  std::optional<int64_t> c = getConstantIntValue(sizes[i]);
  return c && *c == 1;
}

/// A tensor of shape `shape` read in the loops of `sizes` whose first
/// `sizes.size()` loops it broadcasts to (NumPy rules, trailing dims
/// aligned), in `numLoops` loops (all of them by default).
AffineMap loopMap(MLIRContext *ctx, ArrayRef<OpFoldResult> sizes,
                  ArrayRef<int64_t> shape, unsigned numLoops = 0) {
  unsigned n = sizes.size();
  unsigned offset = n - shape.size();
  SmallVector<AffineExpr> exprs;
  for (auto [i, d] : llvm::enumerate(shape))
    exprs.push_back(d == 1 && !isUnitLoop(sizes, offset + i)
                        ? getAffineConstantExpr(0, ctx)
                        : getAffineDimExpr(offset + i, ctx));
  return AffineMap::get(numLoops ? numLoops : n, 0, exprs, ctx);
}

/// `v` read through its broadcast map into the loops of `sizes`.
LoopInput broadcastIn(Value v, ArrayRef<OpFoldResult> sizes) {
  return {v, loopMap(v.getContext(), sizes, tensorTy(v).getShape())};
}

/// The sizes of all dims of `v` but the last: the per-sample shape.
SmallVector<OpFoldResult> rowShapeOf(OpBuilder &b, Location loc, Value v) {
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, v);
  sizes.pop_back();
  return sizes;
}

/// The size of the last dim of `v` (classes) as an i64.
Value lastDimI64(OpBuilder &b, Location loc, Value v) {
  Value d = tensor::DimOp::create(b, loc, v, tensorTy(v).getRank() - 1);
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), d);
}

/// The size of the last dim of `v` as a float of type `ty`.
Value lastDimAsFloat(OpBuilder &b, Location loc, Value v, Type ty) {
  return numElementsAsFloat(
      b, loc, {tensor::getMixedSize(b, loc, v, tensorTy(v).getRank() - 1)}, ty);
}

/// A one-element tensor of static shape as a tensor of `shape` (0-d <-> [1]):
/// PyTorch's forms that add or drop a size-1 dimension.
Value reshapeSingleton(OpBuilder &b, Location loc, Value v,
                       ArrayRef<int64_t> shape) {
  auto ty = tensorTy(v);
  if (ty.getShape() == shape)
    return v;
  SmallVector<Value> idx(ty.getRank(), constIndex(b, loc, 0));
  Value e = tensor::ExtractOp::create(b, loc, v, idx);
  return tensor::FromElementsOp::create(
      b, loc, RankedTensorType::get(shape, ty.getElementType()),
      ValueRange{e});
}

/// `1 / n` (the `mean` share of every loss term, `n` the number of points of
/// `sizes`), or null for `none` and `sum`.
Value meanScale(OpBuilder &b, Location loc, Reduction reduction,
                ArrayRef<OpFoldResult> sizes, Type acc) {
  if (reduction != Reduction::mean)
    return Value();
  return arith::DivFOp::create(b, loc, constFloat(b, loc, acc, 1.0),
                               numElementsAsFloat(b, loc, sizes, acc));
}

/// `grad_output` read in `numLoops` loops: through `noneMap` for `none`
/// (its dims are the `none` result's), as a 0-d value otherwise.
LoopInput gradOutputIn(Value g, Reduction reduction, unsigned numLoops,
                       AffineMap noneMap) {
  if (reduction == Reduction::none)
    return {g, noneMap};
  return {g, AffineMap::get(numLoops, 0, {}, g.getContext())};
}

/// `g * scale` in the accumulator type.
Value scaledGrad(OpBuilder &b, Location l, Value g, Value scale, Type acc) {
  Value v = castFloat(b, l, g, acc);
  return scale ? mul(b, l, v, scale) : v;
}

/// A parallel linalg.generic over `sizes` writing `numOut` tensors of type
/// `acc` (per-sample coefficients).
using ScalarsFn =
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange args)>;
SmallVector<Value> mapPoints(OpBuilder &b, Location loc,
                             ArrayRef<OpFoldResult> sizes,
                             ArrayRef<LoopInput> inputs, unsigned numOut,
                             Type acc, ScalarsFn body) {
  MLIRContext *ctx = b.getContext();
  unsigned n = sizes.size();
  assertConsistentLoopSizes(b, loc, sizes, inputs);
  SmallVector<Value> ins, outs;
  SmallVector<AffineMap> maps;
  for (const LoopInput &in : inputs) {
    ins.push_back(in.value);
    maps.push_back(in.map);
  }
  for (unsigned i = 0; i < numOut; ++i) {
    outs.push_back(tensor::EmptyOp::create(b, loc, sizes, acc));
    maps.push_back(identityMap(ctx, n));
  }
  SmallVector<utils::IteratorType> iters(n, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange(ValueRange(outs)), ins, outs, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(nb, nl,
                                body(nb, nl, args.take_front(ins.size())));
      });
  return SmallVector<Value>(generic.getResults());
}

/// `v` (a float tensor) converted elementwise to the element type `to`.
Value castTensor(OpBuilder &b, Location loc, Value v, Type to) {
  auto ty = tensorTy(v);
  if (ty.getElementType() == to)
    return v;
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, v);
  return mapPoints(b, loc, sizes, {{v, identityMap(b.getContext(), ty.getRank())}},
                   1, to, [&](OpBuilder &nb, Location nl, ValueRange args) {
                     return SmallVector<Value>{castFloat(nb, nl, args[0], to)};
                   })[0];
}

//===----------------------------------------------------------------------===//
// Gradients summed back to the operands
//===----------------------------------------------------------------------===//

/// The gradient of one operand (`like`): what its entries accumulate on top
/// of `init` (a tensor of the accumulator type shaped like `like`, or null
/// for 0).
struct GradTarget {
  Value like;
  Value init;
};

/// The loop dims of `sizes` (trailing-aligned) that `shape` indexes rather
/// than broadcasts along (see `loopMap`).
SmallVector<unsigned> keptDims(ArrayRef<int64_t> shape,
                               ArrayRef<OpFoldResult> sizes) {
  SmallVector<unsigned> kept;
  unsigned offset = sizes.size() - shape.size();
  for (auto [i, d] : llvm::enumerate(shape))
    if (d != 1 || isUnitLoop(sizes, offset + i))
      kept.push_back(offset + i);
  return kept;
}

/// How `shape` collapses onto its dims at the positions `kept` (of the
/// loops, `offset` before the shape's first dim).
SmallVector<ReassociationIndices> collapseTo(ArrayRef<int64_t> shape,
                                             ArrayRef<unsigned> kept,
                                             unsigned offset) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (unsigned i = 0; i < shape.size(); ++i) {
    pending.push_back(i);
    if (llvm::is_contained(kept, offset + i)) {
      groups.push_back(pending);
      pending.clear();
    }
  }
  if (!groups.empty())
    groups.back().append(pending.begin(), pending.end());
  return groups;
}

using TermsFn =
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange args)>;

/// For each target `i`: `result_i = init_i + sum of terms()[i]` over the
/// points of the loop space `sizes` that read `targets[i].like` at that
/// entry (through its broadcast map), as a tensor of element type `outTy`.
/// Targets read by every loop are written by one parallel generic (terms
/// computed once per point, rounded once); each other set of targets
/// reduces the loops it broadcasts along in the accumulator type `acc`,
/// into the operand with its size-1 dims collapsed. `terms` gets the
/// scalars of `inputs` and returns one term per target, in `acc`.
SmallVector<Value> sumToOperands(OpBuilder &b, Location loc,
                                 ArrayRef<OpFoldResult> sizes,
                                 ArrayRef<LoopInput> inputs,
                                 ArrayRef<GradTarget> targets, Type acc,
                                 Type outTy, TermsFn terms) {
  MLIRContext *ctx = b.getContext();
  unsigned n = sizes.size();
  SmallVector<LoopInput> checked(inputs);
  for (const GradTarget &t : targets)
    checked.push_back(broadcastIn(t.like, sizes));
  assertConsistentLoopSizes(b, loc, sizes, checked);

  SmallVector<SmallVector<unsigned>> kept;
  for (const GradTarget &t : targets)
    kept.push_back(keptDims(tensorTy(t.like).getShape(), sizes));
  SmallVector<Value> results(targets.size());
  SmallVector<bool> done(targets.size(), false);
  for (unsigned first = 0; first < targets.size(); ++first) {
    if (done[first])
      continue;
    SmallVector<unsigned> group;
    for (unsigned j = first; j < targets.size(); ++j)
      if (!done[j] && kept[j] == kept[first]) {
        group.push_back(j);
        done[j] = true;
      }
    bool full = kept[first].size() == n;
    SmallVector<Value> ins;
    SmallVector<AffineMap> maps;
    for (const LoopInput &in : inputs) {
      ins.push_back(in.value);
      maps.push_back(in.map);
    }
    SmallVector<int> initArg(targets.size(), -1);
    SmallVector<Value> outs;
    SmallVector<SmallVector<ReassociationIndices>> reassoc;
    SmallVector<AffineExpr> keptExprs;
    for (unsigned d : kept[first])
      keptExprs.push_back(getAffineDimExpr(d, ctx));
    AffineMap outMap = AffineMap::get(n, 0, keptExprs, ctx);
    for (unsigned j : group) {
      const GradTarget &t = targets[j];
      if (full) {
        if (t.init) {
          initArg[j] = ins.size();
          ins.push_back(t.init);
          maps.push_back(identityMap(ctx, n));
        }
        outs.push_back(tensor::EmptyOp::create(
            b, loc, tensor::getMixedSizes(b, loc, t.like), outTy));
        maps.push_back(identityMap(ctx, n));
        reassoc.emplace_back();
        continue;
      }
      auto likeTy = tensorTy(t.like);
      unsigned offset = n - likeTy.getRank();
      reassoc.push_back(collapseTo(likeTy.getShape(), kept[j], offset));
      Value init = t.init;
      if (!init) {
        SmallVector<OpFoldResult> all = tensor::getMixedSizes(b, loc, t.like);
        SmallVector<OpFoldResult> collapsed;
        for (unsigned i = 0; i < likeTy.getRank(); ++i)
          if (llvm::is_contained(kept[j], offset + i))
            collapsed.push_back(all[i]);
        init = filledTensor(b, loc, collapsed, acc, 0.0);
      } else if (reassoc.back().size() != likeTy.getShape().size()) {
        init = tensor::CollapseShapeOp::create(b, loc, init, reassoc.back());
      }
      outs.push_back(init);
      maps.push_back(outMap);
    }
    SmallVector<utils::IteratorType> iters(n, utils::IteratorType::reduction);
    for (unsigned d : kept[first])
      iters[d] = utils::IteratorType::parallel;
    unsigned numIns = ins.size();
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange(ValueRange(outs)), ins, outs, maps, iters,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          SmallVector<Value> all =
              terms(nb, nl, args.take_front(inputs.size()));
          SmallVector<Value> yields;
          for (auto [k, j] : llvm::enumerate(group)) {
            Value term = all[j];
            if (full) {
              if (initArg[j] >= 0)
                term = add(nb, nl, args[initArg[j]], term);
              yields.push_back(castFloat(nb, nl, term, outTy));
            } else {
              yields.push_back(add(nb, nl, args[numIns + k], term));
            }
          }
          linalg::YieldOp::create(nb, nl, yields);
        });
    for (auto [k, j] : llvm::enumerate(group)) {
      Value r = generic.getResult(k);
      if (!full) {
        auto likeTy = tensorTy(targets[j].like);
        if (reassoc[k].size() != likeTy.getShape().size())
          r = tensor::ExpandShapeOp::create(
              b, loc, RankedTensorType::get(likeTy.getShape(), acc), r,
              reassoc[k], tensor::getMixedSizes(b, loc, targets[j].like));
        r = castTensor(b, loc, r, outTy);
      }
      results[j] = r;
    }
  }
  return results;
}

//===----------------------------------------------------------------------===//
// margin_ranking, hinge_embedding, soft_margin
//===----------------------------------------------------------------------===//

/// The pointwise gradients of the losses whose operands broadcast together
/// (`operands`, the first `targets.size()` of which are differentiated):
/// one pass over the broadcast, `terms` given the widened scalars of the
/// operands and `g` (grad_output times the mean's 1/n).
LogicalResult
replaceWithBroadcastGrads(PatternRewriter &rewriter, Operation *op,
                          ArrayRef<Value> operands, unsigned numDiff,
                          Value gradOutput, Reduction reduction,
                          ArrayRef<OpFoldResult> sizes,
                          function_ref<SmallVector<Value>(
                              OpBuilder &, Location, ArrayRef<Value>, Value)>
                              terms) {
  Location loc = op->getLoc();
  MLIRContext *ctx = rewriter.getContext();
  Type elTy = tensorTy(operands[0]).getElementType();
  Type acc = getAccumulatorType(elTy);
  unsigned n = sizes.size();
  SmallVector<LoopInput> inputs;
  for (Value v : operands)
    inputs.push_back(broadcastIn(v, sizes));
  inputs.push_back(gradOutputIn(gradOutput, reduction, n, identityMap(ctx, n)));
  Value scale = meanScale(rewriter, loc, reduction, sizes, acc);
  SmallVector<GradTarget> targets;
  for (unsigned i = 0; i < numDiff; ++i)
    targets.push_back({operands[i], Value()});
  replaceOpWithCasts(
      rewriter, op,
      sumToOperands(rewriter, loc, sizes, inputs, targets, acc, elTy,
                    [&](OpBuilder &b, Location l, ValueRange args) {
                      SmallVector<Value> wide;
                      for (Value a : args.drop_back())
                        wide.push_back(widen(b, l, a, acc));
                      Value g = scaledGrad(b, l, args.back(), scale, acc);
                      return terms(b, l, wide, g);
                    }));
  return success();
}

struct MarginRankingGradLowering
    : public OpRewritePattern<MarginRankingGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MarginRankingGradOp op,
                                PatternRewriter &rewriter) const override {
    double margin = op.getMargin().convertToDouble();
    SmallVector<Value> operands{op.getInput1(), op.getInput2(), op.getTarget()};
    SmallVector<OpFoldResult> sizes =
        broadcastLoopSizes(rewriter, op.getLoc(), operands);
    // v = -t (x1 - x2) + margin; clamp_min(v, 0) passes g where v >= 0.
    return replaceWithBroadcastGrads(
        rewriter, op, operands, 2, op.getGradOutput(), op.getReduction(),
        sizes, [&](OpBuilder &b, Location l, ArrayRef<Value> a, Value g) {
          Value nt = neg(b, l, a[2]);
          Value v = add(b, l, mul(b, l, nt, sub(b, l, a[0], a[1])),
                        cst(b, l, nt, margin));
          Value pass = cmpf(b, l, arith::CmpFPredicate::OGE, v, cst(b, l, v, 0.0));
          Value gv = select(b, l, pass, g, cst(b, l, g, 0.0));
          Value g1 = mul(b, l, gv, nt);
          return SmallVector<Value>{g1, neg(b, l, g1)};
        });
  }
};

struct HingeEmbeddingGradLowering
    : public OpRewritePattern<HingeEmbeddingGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(HingeEmbeddingGradOp op,
                                PatternRewriter &rewriter) const override {
    double margin = op.getMargin().convertToDouble();
    SmallVector<Value> operands{op.getInput(), op.getTarget()};
    SmallVector<OpFoldResult> sizes =
        broadcastLoopSizes(rewriter, op.getLoc(), operands);
    // where(t != 1, clamp_min(margin - x, 0), 0) + where(t != -1, x, 0).
    return replaceWithBroadcastGrads(
        rewriter, op, operands, 1, op.getGradOutput(), op.getReduction(),
        sizes, [&](OpBuilder &b, Location l, ArrayRef<Value> a, Value g) {
          Value x = a[0], t = a[1];
          Value zero = cst(b, l, x, 0.0);
          Value notPos =
              cmpf(b, l, arith::CmpFPredicate::UNE, t, cst(b, l, t, 1.0));
          Value notNeg =
              cmpf(b, l, arith::CmpFPredicate::UNE, t, cst(b, l, t, -1.0));
          Value pass = cmpf(b, l, arith::CmpFPredicate::OGE,
                            sub(b, l, cst(b, l, x, margin), x), zero);
          Value hinge = select(b, l, arith::AndIOp::create(b, l, notPos, pass),
                               neg(b, l, g), zero);
          return SmallVector<Value>{
              add(b, l, hinge, select(b, l, notNeg, g, zero))};
        });
  }
};

struct SoftMarginGradLowering : public OpRewritePattern<SoftMarginGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftMarginGradOp op,
                                PatternRewriter &rewriter) const override {
    // The target broadcasts to the input: the loops are the input's.
    SmallVector<OpFoldResult> sizes =
        tensor::getMixedSizes(rewriter, op.getLoc(), op.getInput());
    // ATen: -t g exp(-t x) / (1 + exp(-t x)) = -t g sigmoid(-t x).
    return replaceWithBroadcastGrads(
        rewriter, op, {op.getInput(), op.getTarget()}, 1, op.getGradOutput(),
        op.getReduction(), sizes,
        [&](OpBuilder &b, Location l, ArrayRef<Value> a, Value g) {
          Value nt = neg(b, l, a[1]);
          return SmallVector<Value>{
              mul(b, l, mul(b, l, nt, sigmoid(b, l, mul(b, l, nt, a[0]))), g)};
        });
  }
};

//===----------------------------------------------------------------------===//
// multilabel_margin
//===----------------------------------------------------------------------===//

/// Per sample (C classes), after the forward's list length `len`:
///  1. `cnt[c]` = how many listed positions `k < len` hold `c` (0: not a
///     target), loops (rows, c, k);
///  2. `s[c]`, loops (rows, c, m): for a non-target `c`, the listed `m`
///     with `1 - x[t[m]] + x[c] > 0`; for a target `c`, the non-targets `m`
///     with `1 - x[c] + x[m] > 0`;
///  3. `grad[c] = g / C * (cnt[c] == 0 ? s[c] : -cnt[c] * s[c])`.
struct MultilabelMarginGradLowering
    : public OpRewritePattern<MultilabelMarginGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MultilabelMarginGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = op.getInput(), t = op.getTarget(), g = op.getGradOutput();
    auto xTy = op.getInput().getType();
    if (xTy.getRank() == 0)
      x = reshapeSingleton(rewriter, loc, x, {1});
    if (op.getTarget().getType().getRank() == 0)
      t = reshapeSingleton(rewriter, loc, t, {1});
    Type elTy = xTy.getElementType();
    Type acc = getAccumulatorType(elTy);
    SmallVector<OpFoldResult> rows = rowShapeOf(rewriter, loc, x);
    unsigned r = rows.size();
    Value numClasses = lastDimI64(rewriter, loc, x);
    SmallVector<OpFoldResult> rowsByClass =
        tensor::getMixedSizes(rewriter, loc, x);
    assertConsistentLoopSizes(rewriter, loc, rowsByClass,
                              {{t, identityMap(ctx, tensorTy(t).getRank())}});

    // len: loops (rows, k).
    Value len = buildRowwiseReduction(
        rewriter, loc, rows, 1, {{t, rowMap(ctx, r + 1, r, {r})}}, {numClasses},
        [&](OpBuilder &b, Location l, ValueRange in, ValueRange accs) {
          Value tk = toI64(b, l, in[0]);
          Value k = loopIndexI64(b, l, r);
          Value end = arith::SelectOp::create(
              b, l, inRange(b, l, tk, numClasses), numClasses, k);
          return SmallVector<Value>{arith::MinSIOp::create(b, l, accs[0], end)};
        })[0];

    // 1. cnt: loops (rows, c, k).
    Value cnt = buildRowwiseReduction(
        rewriter, loc, rowsByClass, 1,
        {{t, rowMap(ctx, r + 2, r, {r + 1})}, {len, rowMap(ctx, r + 2, r)}},
        {constI64(rewriter, loc, 0)},
        [&](OpBuilder &b, Location l, ValueRange in, ValueRange accs) {
          Value tk = toI64(b, l, in[0]);
          Value c = loopIndexI64(b, l, r);
          Value k = loopIndexI64(b, l, r + 1);
          Value listed =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, k, in[1]);
          Value hit = arith::AndIOp::create(
              b, l, listed,
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, tk, c));
          Value one = arith::ExtUIOp::create(b, l, b.getI64Type(), hit);
          return SmallVector<Value>{arith::AddIOp::create(b, l, accs[0], one)};
        })[0];

    // 2. s: loops (rows, c, m).
    Value s = buildRowwiseReduction(
        rewriter, loc, rowsByClass, 1,
        {{t, rowMap(ctx, r + 2, r, {r + 1})},
         {len, rowMap(ctx, r + 2, r)},
         {cnt, rowMap(ctx, r + 2, r, {r})},
         {cnt, rowMap(ctx, r + 2, r, {r + 1})},
         {x, rowMap(ctx, r + 2, r, {r})},
         {x, rowMap(ctx, r + 2, r, {r + 1})}},
        {constFloat(rewriter, loc, acc, 0.0)},
        [&](OpBuilder &b, Location l, ValueRange in, ValueRange accs) {
          Value tm = toI64(b, l, in[0]);
          Value m = loopIndexI64(b, l, r + 1);
          Value zeroI = constI64(b, l, 0);
          Value listed =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, m, in[1]);
          Value cIsTarget =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, in[2], zeroI);
          Value mIsTarget =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, in[3], zeroI);
          Value xc = castFloat(b, l, in[4], acc);
          Value xm = castFloat(b, l, in[5], acc);
          Value one = constFloat(b, l, acc, 1.0), zero = constFloat(b, l, acc, 0.0);
          Value xt = castFloat(
              b, l, gatherInRow(b, l, x, r, tm, inRange(b, l, tm, numClasses)),
              acc);
          // Non-target c: the listed targets whose hinge against c is open.
          Value zNon = add(b, l, sub(b, l, one, xt), xc);
          Value non = arith::AndIOp::create(
              b, l, listed, cmpf(b, l, arith::CmpFPredicate::OGT, zNon, zero));
          // Target c: the non-targets whose hinge against c is open.
          Value zTar = add(b, l, sub(b, l, one, xc), xm);
          Value tar = arith::AndIOp::create(
              b, l,
              arith::XOrIOp::create(
                  b, l, mIsTarget,
                  arith::ConstantOp::create(b, l, b.getBoolAttr(true))),
              cmpf(b, l, arith::CmpFPredicate::OGT, zTar, zero));
          Value hit = select(b, l, cIsTarget, tar, non);
          return SmallVector<Value>{add(b, l, accs[0], indicator(b, l, hit, acc))};
        })[0];

    // 3. The gradient: loops (rows, c).
    Reduction reduction = op.getReduction();
    Value scale = meanScale(rewriter, loc, reduction, rows, acc);
    Value c = lastDimAsFloat(rewriter, loc, x, acc);
    // A `none` grad_output is [N] for [N, C] and 0-d otherwise: the rows.
    Value grad = sumToOperands(
        rewriter, loc, rowsByClass,
        {{s, identityMap(ctx, r + 1)},
         {cnt, identityMap(ctx, r + 1)},
         gradOutputIn(g, reduction, r + 1, rowMap(ctx, r + 1, r))},
        {{x, Value()}}, acc, elTy,
        [&](OpBuilder &b, Location l, ValueRange in) {
          Value k = div(b, l, scaledGrad(b, l, in[2], scale, acc), c);
          Value count = arith::SIToFPOp::create(b, l, acc, in[1]);
          Value isTarget = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::ne, in[1], constI64(b, l, 0));
          Value v = select(b, l, isTarget, neg(b, l, mul(b, l, count, in[0])),
                           in[0]);
          return SmallVector<Value>{mul(b, l, k, v)};
        })[0];
    if (xTy.getRank() == 0)
      grad = reshapeSingleton(rewriter, loc, grad, {});
    replaceOpWithCasts(rewriter, op, grad);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// multilabel_soft_margin
//===----------------------------------------------------------------------===//

/// One parallel pass over the input:
/// `(g / C) w (t (-sigmoid(-x)) + (1 - t) sigmoid(x))`.
struct MultilabelSoftMarginGradLowering
    : public OpRewritePattern<MultilabelSoftMarginGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MultilabelSoftMarginGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = op.getInput(), t = op.getTarget(), w = op.getWeight();
    Type elTy = op.getInput().getType().getElementType();
    Type acc = getAccumulatorType(elTy);
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, x);
    unsigned n = sizes.size(), r = n - 1;
    SmallVector<OpFoldResult> rows(sizes.begin(), sizes.end() - 1);
    Reduction reduction = op.getReduction();
    Value scale = meanScale(rewriter, loc, reduction, rows, acc);
    Value c = lastDimAsFloat(rewriter, loc, x, acc);
    SmallVector<LoopInput> inputs{
        {x, identityMap(ctx, n)},
        broadcastIn(t, sizes),
        gradOutputIn(op.getGradOutput(), reduction, n, rowMap(ctx, n, r))};
    if (w)
      inputs.push_back(broadcastIn(w, sizes));
    replaceOpWithCasts(
        rewriter, op,
        sumToOperands(
            rewriter, loc, sizes, inputs, {{x, Value()}}, acc, elTy,
            [&](OpBuilder &b, Location l, ValueRange in) {
              Value xv = castFloat(b, l, in[0], acc);
              Value tv = widen(b, l, in[1], acc);
              Value k = div(b, l, scaledGrad(b, l, in[2], scale, acc), c);
              if (w)
                k = mul(b, l, k, castFloat(b, l, in[3], acc));
              Value one = cst(b, l, xv, 1.0);
              // log_sigmoid'(x) = sigmoid(-x): -t sigmoid(-x) for the
              // positive term, (1 - t) sigmoid(x) for the negative one.
              Value v = add(b, l, neg(b, l, mul(b, l, tv, sigmoid(b, l, neg(b, l, xv)))),
                            mul(b, l, sub(b, l, one, tv), sigmoid(b, l, xv)));
              return SmallVector<Value>{mul(b, l, k, v)};
            }));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// multi_margin
//===----------------------------------------------------------------------===//

/// Two passes per sample: `s = sum_{i != y, z_i > 0} h_i` (`h = 1`, or `2 z`
/// for `p = 2`; `z_i = margin - x_y + x_i`), then the row
/// `grad_i = w_y g / C * (i == y ? -s : [z_i > 0] h_i)`, NaN for a target
/// outside [0, C).
struct MultiMarginGradLowering : public OpRewritePattern<MultiMarginGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MultiMarginGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = op.getInput(), t = op.getTarget(), w = op.getWeight(),
          g = op.getGradOutput();
    auto xTy = op.getInput().getType();
    Reduction reduction = op.getReduction();
    if (xTy.getRank() == 0)
      x = reshapeSingleton(rewriter, loc, x, {1});
    // The target (and a `none` grad_output, shaped like it) as the rows.
    auto toRows = [&](Value v) {
      if (xTy.getRank() <= 1 && tensorTy(v).getRank() == 1)
        return reshapeSingleton(rewriter, loc, v, {});
      if (xTy.getRank() == 2 && tensorTy(v).getRank() == 0)
        return reshapeSingleton(rewriter, loc, v, {1});
      return v;
    };
    t = toRows(t);
    if (reduction == Reduction::none)
      g = toRows(g);
    Type elTy = xTy.getElementType();
    Type acc = getAccumulatorType(elTy);
    SmallVector<OpFoldResult> rows = rowShapeOf(rewriter, loc, x);
    unsigned r = rows.size();
    Value numClasses = lastDimI64(rewriter, loc, x);
    if (w)
      assertConsistentLoopSizes(
          rewriter, loc, {tensor::getMixedSize(rewriter, loc, x, r)},
          {{w, identityMap(ctx, 1)}});
    double margin = op.getMargin().convertToDouble();
    bool squared = op.getP() == 2;

    // The open hinge of class i (loop r) against the target y: its factor h.
    auto hinge = [&](OpBuilder &b, Location l, Value xiRaw, Value yRaw,
                     Value &y, Value &valid) {
      Value xi = castFloat(b, l, xiRaw, acc);
      y = toI64(b, l, yRaw);
      valid = inRange(b, l, y, numClasses);
      Value xy = castFloat(b, l, gatherInRow(b, l, x, r, y, valid), acc);
      Value z = add(b, l, sub(b, l, constFloat(b, l, acc, margin), xy), xi);
      Value zero = constFloat(b, l, acc, 0.0);
      Value h = squared ? mul(b, l, constFloat(b, l, acc, 2.0), z)
                        : constFloat(b, l, acc, 1.0);
      Value isY = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                        loopIndexI64(b, l, r), y);
      Value open = arith::AndIOp::create(
          b, l, cmpf(b, l, arith::CmpFPredicate::OGT, z, zero),
          arith::XOrIOp::create(
              b, l, isY, arith::ConstantOp::create(b, l, b.getBoolAttr(true))));
      return std::pair<Value, Value>(select(b, l, open, h, zero), isY);
    };

    Value s = buildRowwiseReduction(
        rewriter, loc, rows, 1,
        {{x, identityMap(ctx, r + 1)}, {t, rowMap(ctx, r + 1, r)}},
        {constFloat(rewriter, loc, acc, 0.0)},
        [&](OpBuilder &b, Location l, ValueRange in, ValueRange accs) {
          Value y, valid;
          Value h = hinge(b, l, in[0], in[1], y, valid).first;
          return SmallVector<Value>{add(b, l, accs[0], h)};
        })[0];

    Value scale = meanScale(rewriter, loc, reduction, rows, acc);
    Value c = lastDimAsFloat(rewriter, loc, x, acc);
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, x);
    Value grad = sumToOperands(
        rewriter, loc, sizes,
        {{x, identityMap(ctx, r + 1)},
         {t, rowMap(ctx, r + 1, r)},
         {s, rowMap(ctx, r + 1, r)},
         gradOutputIn(g, reduction, r + 1, rowMap(ctx, r + 1, r))},
        {{x, Value()}}, acc, elTy,
        [&](OpBuilder &b, Location l, ValueRange in) {
          Value y, valid;
          auto [h, isY] = hinge(b, l, in[0], in[1], y, valid);
          Value k = div(b, l, scaledGrad(b, l, in[3], scale, acc), c);
          if (w) {
            // w[y] read at a clamped index: a valid target is in [0, C) and
            // the weight has C entries.
            Value safe = toIndex(
                b, l, arith::SelectOp::create(b, l, valid, y, constI64(b, l, 0)));
            Value wy = tensor::ExtractOp::create(b, l, w, ValueRange{safe});
            k = mul(b, l, castFloat(b, l, wy, acc), k);
          }
          Value v = select(b, l, isY, neg(b, l, in[2]), h);
          return SmallVector<Value>{select(b, l, valid, mul(b, l, k, v),
                                           constFloat(b, l, acc, NAN))};
        })[0];
    if (xTy.getRank() == 0)
      grad = reshapeSingleton(rewriter, loc, grad, {});
    replaceOpWithCasts(rewriter, op, grad);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// cosine_embedding
//===----------------------------------------------------------------------===//

/// Whether a tensor of `shape` is read by all `numLoops` loops (no dim
/// broadcast, none missing).
bool readsEveryLoop(ArrayRef<int64_t> shape, ArrayRef<OpFoldResult> sizes) {
  return keptDims(shape, sizes).size() == sizes.size();
}

/// 1. Row sums `P = x1.x2` (over the broadcast), `|x1|^2`, `|x2|^2` (each
///    over its own input), as the forward.
/// 2. Per sample (the broadcast with the target): `a = gc / D`,
///    `b_k = gc cos / M_k`.
/// 3. `grad_x1 = a x2 - b_1 x1`, `grad_x2 = a x1 - b_2 x2`, in one parallel
///    pass when neither input is broadcast; otherwise each `b_k` is first
///    summed over the samples its input's rows broadcast to, `-b_k x_k`
///    written once per entry, and `a x_other` summed on top over the loops
///    the input broadcasts along.
struct CosineEmbeddingGradLowering
    : public OpRewritePattern<CosineEmbeddingGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CosineEmbeddingGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x1 = op.getInput1(), x2 = op.getInput2(), t = op.getTarget();
    Type elTy = op.getInput1().getType().getElementType();
    Type acc = getAccumulatorType(elTy);
    unsigned r = tensorTy(x1).getRank() - 1;
    double margin = op.getMargin().convertToDouble();
    Reduction reduction = op.getReduction();

    Value zeroAcc = constFloat(rewriter, loc, acc, 0.0);
    auto fma = [&](OpBuilder &b, Location l, Value s, Value u, Value v) {
      return add(b, l, s, mul(b, l, u, v));
    };
    Value dot, sq1, sq2;
    if (x1.getType() == x2.getType()) {
      SmallVector<Value> sums = buildRowwiseReduction(
          rewriter, loc, rowShapeOf(rewriter, loc, x1), 1,
          {{x1, identityMap(ctx, r + 1)}, {x2, identityMap(ctx, r + 1)}},
          {zeroAcc, zeroAcc, zeroAcc},
          [&](OpBuilder &b, Location l, ValueRange in, ValueRange accs) {
            Value u = castFloat(b, l, in[0], acc);
            Value v = castFloat(b, l, in[1], acc);
            return SmallVector<Value>{fma(b, l, accs[0], u, v),
                                      fma(b, l, accs[1], u, u),
                                      fma(b, l, accs[2], v, v)};
          });
      dot = sums[0], sq1 = sums[1], sq2 = sums[2];
    } else {
      SmallVector<OpFoldResult> pair = broadcastLoopSizes(rewriter, loc, {x1, x2});
      SmallVector<OpFoldResult> pairRows(pair.begin(), pair.end() - 1);
      dot = buildRowwiseReduction(
          rewriter, loc, pairRows, 1,
          {broadcastIn(x1, pair), broadcastIn(x2, pair)}, {zeroAcc},
          [&](OpBuilder &b, Location l, ValueRange in, ValueRange accs) {
            return SmallVector<Value>{fma(b, l, accs[0],
                                          castFloat(b, l, in[0], acc),
                                          castFloat(b, l, in[1], acc))};
          })[0];
      auto square = [&](Value x) {
        return buildRowwiseReduction(
            rewriter, loc, rowShapeOf(rewriter, loc, x), 1,
            {{x, identityMap(ctx, r + 1)}}, {zeroAcc},
            [&](OpBuilder &b, Location l, ValueRange in, ValueRange accs) {
              Value u = castFloat(b, l, in[0], acc);
              return SmallVector<Value>{fma(b, l, accs[0], u, u)};
            })[0];
      };
      sq1 = square(x1);
      sq2 = square(x2);
    }

    // 2. Per-sample coefficients over the broadcast with the target.
    SmallVector<OpFoldResult> samples =
        broadcastLoopSizes(rewriter, loc, {dot, sq1, sq2, t});
    Value scale = meanScale(rewriter, loc, reduction, samples, acc);
    Type tTy = op.getTarget().getType().getElementType();
    SmallVector<Value> coef = mapPoints(
        rewriter, loc, samples,
        {broadcastIn(dot, samples), broadcastIn(sq1, samples),
         broadcastIn(sq2, samples), broadcastIn(t, samples),
         gradOutputIn(op.getGradOutput(), reduction, r, identityMap(ctx, r))},
        3, acc, [&](OpBuilder &b, Location l, ValueRange in) {
          Value eps = constFloat(b, l, acc, 1e-12);
          Value m1 = add(b, l, in[1], eps), m2 = add(b, l, in[2], eps);
          Value d = mul(b, l, math::SqrtOp::create(b, l, m1),
                        math::SqrtOp::create(b, l, m2));
          Value cos = div(b, l, in[0], d);
          Value isPos, isNeg;
          if (isa<FloatType>(tTy)) {
            isPos = cmpf(b, l, arith::CmpFPredicate::OEQ, in[3],
                         constFloat(b, l, tTy, 1.0));
            isNeg = cmpf(b, l, arith::CmpFPredicate::OEQ, in[3],
                         constFloat(b, l, tTy, -1.0));
          } else {
            Value tv = toI64(b, l, in[3]);
            isPos = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, tv,
                                          constI64(b, l, 1));
            isNeg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, tv,
                                          constI64(b, l, -1));
          }
          Value zero = constFloat(b, l, acc, 0.0);
          Value g = scaledGrad(b, l, in[4], scale, acc);
          // d(1 - cos) = -1; d clamp_min(cos - margin, 0) = [cos - margin >= 0].
          Value open = cmpf(b, l, arith::CmpFPredicate::OGE,
                            sub(b, l, cos, constFloat(b, l, acc, margin)), zero);
          Value gc = add(b, l, select(b, l, isPos, neg(b, l, g), zero),
                         select(b, l, arith::AndIOp::create(b, l, isNeg, open),
                                g, zero));
          Value gcos = mul(b, l, gc, cos);
          return SmallVector<Value>{div(b, l, gc, d), div(b, l, gcos, m1),
                                    div(b, l, gcos, m2)};
        });
    Value a = coef[0];

    // 3. The gradients over (samples, features).
    SmallVector<OpFoldResult> sizes(samples);
    sizes.push_back(broadcastLoopSizes(rewriter, loc, {x1, x2}).back());
    unsigned n = r + 1;
    // b_k summed over the samples x_k's rows broadcast to.
    auto rowCoef = [&](Value x, Value bk, Value sq) {
      if (readsEveryLoop(tensorTy(sq).getShape(), samples))
        return bk;
      return sumToOperands(rewriter, loc, samples, {{bk, identityMap(ctx, r)}},
                           {{sq, Value()}}, acc, acc,
                           [](OpBuilder &, Location, ValueRange in) {
                             return SmallVector<Value>{in[0]};
                           })[0];
    };
    Value b1 = rowCoef(x1, coef[1], sq1), b2 = rowCoef(x2, coef[2], sq2);
    bool full1 = readsEveryLoop(tensorTy(x1).getShape(), sizes);
    bool full2 = readsEveryLoop(tensorTy(x2).getShape(), sizes);
    // -b_k x_k, once per entry of x_k, where x_k is broadcast.
    auto ownTerm = [&](Value x, Value bk) {
      return mapPoints(rewriter, loc, tensor::getMixedSizes(rewriter, loc, x),
                       {{x, identityMap(ctx, n)}, {bk, rowMap(ctx, n, r)}}, 1,
                       acc, [&](OpBuilder &b, Location l, ValueRange in) {
                         return SmallVector<Value>{neg(
                             b, l, mul(b, l, in[1], castFloat(b, l, in[0], acc)))};
                       })[0];
    };
    Value init1 = full1 ? Value() : ownTerm(x1, b1);
    Value init2 = full2 ? Value() : ownTerm(x2, b2);
    SmallVector<LoopInput> inputs{
        broadcastIn(x1, sizes), broadcastIn(x2, sizes), {a, rowMap(ctx, n, r)},
        {b1, loopMap(ctx, samples, tensorTy(sq1).getShape(), n)},
        {b2, loopMap(ctx, samples, tensorTy(sq2).getShape(), n)}};
    replaceOpWithCasts(
        rewriter, op,
        sumToOperands(
            rewriter, loc, sizes, inputs, {{x1, init1}, {x2, init2}}, acc,
            elTy, [&](OpBuilder &b, Location l, ValueRange in) {
              Value u = castFloat(b, l, in[0], acc);
              Value v = castFloat(b, l, in[1], acc);
              Value g1 = mul(b, l, in[2], v), g2 = mul(b, l, in[2], u);
              if (full1)
                g1 = sub(b, l, g1, mul(b, l, in[3], u));
              if (full2)
                g2 = sub(b, l, g2, mul(b, l, in[4], v));
              return SmallVector<Value>{g1, g2};
            }));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// triplet_margin
//===----------------------------------------------------------------------===//

/// The backward of a p-norm (LossArithmetic.h's PNorm), as autograd's
/// norm_backward.
struct PNormGrad : PNorm {
  using PNorm::PNorm;

  /// Whether feature `r` attains the norm `d` (p = inf's subgradient set:
  /// `|r| == d`, or NaN).
  static Value attains(OpBuilder &b, Location l, Value r, Value d) {
    Value ar = math::AbsFOp::create(b, l, r);
    return arith::OrIOp::create(
        b, l, cmpf(b, l, arith::CmpFPredicate::OEQ, ar, d),
        cmpf(b, l, arith::CmpFPredicate::UNO, ar, ar));
  }

  /// The per-sample factor of autograd's norm backward for an incoming
  /// gradient `c` and norm `d`: `c` (p = 1), `c / d` (p = 2, 0 where
  /// d = 0), `c / count` (p = inf), `c` (other p, where `scaleOf` divides).
  Value coefficient(OpBuilder &b, Location l, Value c, Value d,
                    Value count) const {
    Value zero = cst(b, l, c, 0.0);
    switch (kind) {
    case One:
      return c;
    case Two:
      return select(b, l, cmpf(b, l, arith::CmpFPredicate::OEQ, d, zero), zero,
                    div(b, l, c, d));
    case Inf:
      return div(b, l, c, count);
    case Other:
      return select(b, l, cmpf(b, l, arith::CmpFPredicate::OEQ, d, zero), zero,
                    c);
    }
    llvm_unreachable("p-norm kind");
  }

  /// The feature's share given the per-sample factor `k` and the norm `d`:
  /// `k sgn(r)` (p = 1), `k r` (p = 2), `k sgn(r) [r attains d]` (inf),
  /// `k sgn(r) (|r| / d)^(p-1)` (0 where r = 0) otherwise.
  Value share(OpBuilder &b, Location l, Value k, Value r, Value d) const {
    Value zero = cst(b, l, r, 0.0);
    switch (kind) {
    case One:
      return mul(b, l, k, sgn(b, l, r));
    case Two:
      return mul(b, l, k, r);
    case Inf:
      return select(b, l, attains(b, l, r, d), mul(b, l, k, sgn(b, l, r)),
                    zero);
    case Other: {
      Value ratio = div(b, l, math::AbsFOp::create(b, l, r), d);
      Value pw = math::PowFOp::create(b, l, ratio, cst(b, l, r, p - 1.0));
      return select(b, l, cmpf(b, l, arith::CmpFPredicate::OEQ, r, zero), zero,
                    mul(b, l, mul(b, l, k, sgn(b, l, r)), pw));
    }
    }
    llvm_unreachable("p-norm kind");
  }
};

/// 1. Per pair (u, v) of (a, p), (a, n) and, with swap, (p, n): the norm `d`
///    of `u - v + eps` over the features (a row reduction, one for the three
///    when the inputs share a type), and for p = inf the number of features
///    attaining it.
/// 2. Per sample: the clamp's and min's shares of g into each distance, and
///    norm_backward's factor `k`.
/// 3. Each pair sends `share(k, r)` to `u` and its negation to `v`: one
///    parallel pass for the three gradients when no input is broadcast,
///    else one pass per pair summing onto the previous pairs' sums.
struct TripletMarginGradLowering
    : public OpRewritePattern<TripletMarginGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TripletMarginGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value an = op.getAnchor(), po = op.getPositive(), ne = op.getNegative();
    bool scalar = op.getAnchor().getType().getRank() == 0;
    if (scalar) {
      an = reshapeSingleton(rewriter, loc, an, {1});
      po = reshapeSingleton(rewriter, loc, po, {1});
      ne = reshapeSingleton(rewriter, loc, ne, {1});
    }
    Type elTy = op.getAnchor().getType().getElementType();
    Type acc = getAccumulatorType(elTy);
    unsigned r = tensorTy(an).getRank() - 1, n = r + 1;
    double margin = op.getMargin().convertToDouble();
    double eps = op.getEps().convertToDouble();
    bool swap = op.getSwap();
    Reduction reduction = op.getReduction();
    PNormGrad norm(op.getP().convertToDouble());
    unsigned k = norm.numState();
    bool inf = norm.kind == PNorm::Inf;

    SmallVector<std::pair<Value, Value>> pairs{{an, po}, {an, ne}};
    if (swap)
      pairs.push_back({po, ne});
    unsigned numPairs = pairs.size();
    auto diff = [&](OpBuilder &b, Location l, Value u, Value v) {
      return add(b, l, sub(b, l, castFloat(b, l, u, acc), castFloat(b, l, v, acc)),
                 constFloat(b, l, acc, eps));
    };
    bool same = an.getType() == po.getType() && an.getType() == ne.getType();

    // 1. Norms (and counts for p = inf) per pair.
    SmallVector<Value> dists, counts;
    auto finishAll = [&](ArrayRef<Value> state, ArrayRef<OpFoldResult> rows) {
      // The norms from the states: a parallel pass over the pair's rows.
      SmallVector<LoopInput> in;
      for (Value s : state)
        in.push_back({s, identityMap(ctx, r)});
      unsigned per = state.size() / k;
      return mapPoints(rewriter, loc, rows, in, per, acc,
                       [&](OpBuilder &b, Location l, ValueRange args) {
                         SmallVector<Value> out;
                         for (unsigned i = 0; i < per; ++i)
                           out.push_back(norm.finish(b, l, args.slice(i * k, k)));
                         return out;
                       });
    };
    auto countAll = [&](ArrayRef<std::pair<Value, Value>> ps,
                        ArrayRef<Value> ds, ArrayRef<OpFoldResult> rows) {
      SmallVector<OpFoldResult> loops =
          broadcastLoopSizes(rewriter, loc, {ps[0].first, ps[0].second});
      SmallVector<LoopInput> in;
      for (auto [u, v] : ps) {
        in.push_back(broadcastIn(u, loops));
        in.push_back(broadcastIn(v, loops));
      }
      for (Value d : ds)
        in.push_back({d, rowMap(ctx, n, r)});
      SmallVector<Value> inits(ps.size(), constFloat(rewriter, loc, acc, 0.0));
      return buildRowwiseReduction(
          rewriter, loc, rows, 1, in, inits,
          [&](OpBuilder &b, Location l, ValueRange args, ValueRange accs) {
            SmallVector<Value> out;
            for (unsigned i = 0; i < ps.size(); ++i) {
              Value rv = diff(b, l, args[2 * i], args[2 * i + 1]);
              Value hit = PNormGrad::attains(b, l, rv, args[2 * ps.size() + i]);
              out.push_back(add(b, l, accs[i], indicator(b, l, hit, acc)));
            }
            return out;
          });
    };
    if (same) {
      SmallVector<OpFoldResult> rows = rowShapeOf(rewriter, loc, an);
      SmallVector<Value> inits;
      for (unsigned i = 0; i < numPairs; ++i)
        norm.appendInits(rewriter, loc, acc, inits);
      SmallVector<Value> state = buildRowwiseReduction(
          rewriter, loc, rows, 1,
          {{an, identityMap(ctx, n)}, {po, identityMap(ctx, n)},
           {ne, identityMap(ctx, n)}},
          inits, [&](OpBuilder &b, Location l, ValueRange in, ValueRange accs) {
            SmallVector<Value> yields;
            norm.step(b, l, diff(b, l, in[0], in[1]), accs.slice(0, k), yields);
            norm.step(b, l, diff(b, l, in[0], in[2]), accs.slice(k, k), yields);
            if (swap)
              norm.step(b, l, diff(b, l, in[1], in[2]), accs.slice(2 * k, k),
                        yields);
            return yields;
          });
      dists = norm.scaled() ? finishAll(state, rows) : state;
      if (inf)
        counts = countAll(pairs, dists, rows);
    } else {
      for (auto [u, v] : pairs) {
        SmallVector<OpFoldResult> pairSizes =
            broadcastLoopSizes(rewriter, loc, {u, v});
        SmallVector<OpFoldResult> rows(pairSizes.begin(), pairSizes.end() - 1);
        SmallVector<Value> inits;
        norm.appendInits(rewriter, loc, acc, inits);
        SmallVector<Value> state = buildRowwiseReduction(
            rewriter, loc, rows, 1,
            {broadcastIn(u, pairSizes), broadcastIn(v, pairSizes)},
            inits,
            [&](OpBuilder &b, Location l, ValueRange in, ValueRange accs) {
              SmallVector<Value> yields;
              norm.step(b, l, diff(b, l, in[0], in[1]), accs, yields);
              return yields;
            });
        Value d = norm.scaled() ? finishAll(state, rows)[0] : state[0];
        dists.push_back(d);
        if (inf)
          counts.push_back(countAll({{u, v}}, {d}, rows)[0]);
      }
    }

    // 2. Per-sample factors k of each pair.
    SmallVector<OpFoldResult> samples = broadcastLoopSizes(rewriter, loc, dists);
    Value scale = meanScale(rewriter, loc, reduction, samples, acc);
    Value g = op.getGradOutput();
    SmallVector<LoopInput> in;
    for (Value d : dists)
      in.push_back(broadcastIn(d, samples));
    for (Value c : counts)
      in.push_back(broadcastIn(c, samples));
    in.push_back(gradOutputIn(g, reduction, r, identityMap(ctx, r)));
    SmallVector<Value> coef = mapPoints(
        rewriter, loc, samples, in, numPairs, acc,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value gs = scaledGrad(b, l, args.back(), scale, acc);
          Value dPos = args[0], dAn = args[1];
          Value zero = constFloat(b, l, acc, 0.0);
          Value dNeg = dAn;
          if (swap)
            dNeg = arith::MinimumFOp::create(b, l, dAn, args[2]);
          Value v = sub(b, l, add(b, l, constFloat(b, l, acc, margin), dPos),
                        dNeg);
          Value c = select(b, l, cmpf(b, l, arith::CmpFPredicate::OGE, v, zero),
                           gs, zero);
          SmallVector<Value> cs{c, neg(b, l, c)};
          if (swap) {
            // min(self, other) backward: all to the smaller, halves on a tie.
            Value half = mul(b, l, constFloat(b, l, acc, 0.5), cs[1]);
            Value tie = cmpf(b, l, arith::CmpFPredicate::OEQ, dAn, args[2]);
            Value toSelf = select(
                b, l, tie, half,
                select(b, l, cmpf(b, l, arith::CmpFPredicate::OGT, dAn, args[2]),
                       zero, cs[1]));
            Value toOther = select(
                b, l, tie, half,
                select(b, l, cmpf(b, l, arith::CmpFPredicate::OLT, dAn, args[2]),
                       zero, cs[1]));
            cs = {c, toSelf, toOther};
          }
          SmallVector<Value> out;
          for (unsigned i = 0; i < numPairs; ++i)
            out.push_back(norm.coefficient(
                b, l, cs[i], args[i], inf ? args[numPairs + i] : Value()));
          return out;
        });

    // 3. The gradients over (samples, features).
    auto pairSizes = [&](Value u, Value v) {
      SmallVector<OpFoldResult> sizes(samples);
      sizes.push_back(broadcastLoopSizes(rewriter, loc, {u, v}).back());
      return sizes;
    };
    // The inputs of pair i: u, v, k, d.
    auto pairInputs = [&](unsigned i, ArrayRef<OpFoldResult> loops,
                          SmallVectorImpl<LoopInput> &ins) {
      auto [u, v] = pairs[i];
      ins.push_back(broadcastIn(u, loops));
      ins.push_back(broadcastIn(v, loops));
      ins.push_back({coef[i], rowMap(ctx, n, r)});
      ins.push_back(
          {dists[i], loopMap(ctx, samples, tensorTy(dists[i]).getShape(), n)});
    };
    auto pairShare = [&](OpBuilder &b, Location l, ValueRange args) {
      return norm.share(b, l, args[2], diff(b, l, args[0], args[1]), args[3]);
    };
    SmallVector<Value> grads;
    if (same) {
      SmallVector<OpFoldResult> loops = pairSizes(an, po);
      SmallVector<LoopInput> ins;
      for (unsigned i = 0; i < numPairs; ++i)
        pairInputs(i, loops, ins);
      grads = sumToOperands(
          rewriter, loc, loops, ins,
          {{an, Value()}, {po, Value()}, {ne, Value()}}, acc, elTy,
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value ap = pairShare(b, l, args.slice(0, 4));
            Value anS = pairShare(b, l, args.slice(4, 4));
            Value gA = add(b, l, ap, anS);
            Value gP = neg(b, l, ap);
            Value gN = neg(b, l, anS);
            if (swap) {
              Value pn = pairShare(b, l, args.slice(8, 4));
              gP = add(b, l, gP, pn);
              gN = sub(b, l, gN, pn);
            }
            return SmallVector<Value>{gA, gP, gN};
          });
    } else {
      // Operand index (0 anchor, 1 positive, 2 negative) of each pair's u, v.
      SmallVector<std::pair<unsigned, unsigned>> ids{{0, 1}, {0, 2}, {1, 2}};
      SmallVector<Value> ops{an, po, ne};
      SmallVector<Value> sums(3);
      for (unsigned i = 0; i < numPairs; ++i) {
        auto [iu, iv] = ids[i];
        SmallVector<OpFoldResult> loops = pairSizes(ops[iu], ops[iv]);
        SmallVector<LoopInput> ins;
        pairInputs(i, loops, ins);
        SmallVector<Value> out = sumToOperands(
            rewriter, loc, loops, ins,
            {{ops[iu], sums[iu]}, {ops[iv], sums[iv]}}, acc, acc,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value s = pairShare(b, l, args);
              return SmallVector<Value>{s, neg(b, l, s)};
            });
        sums[iu] = out[0];
        sums[iv] = out[1];
      }
      for (Value s : sums)
        grads.push_back(castTensor(rewriter, loc, s, elTy));
    }
    if (scalar)
      for (Value &gr : grads)
        gr = reshapeSingleton(rewriter, loc, gr, {});
    replaceOpWithCasts(rewriter, op, grads);
    return success();
  }
};

} // namespace

void mlir::loss::populateMarginGradToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MarginRankingGradLowering, HingeEmbeddingGradLowering,
               SoftMarginGradLowering, MultilabelMarginGradLowering,
               MultilabelSoftMarginGradLowering, MultiMarginGradLowering,
               CosineEmbeddingGradLowering, TripletMarginGradLowering>(
      patterns.getContext());
}
