//===- Margin.cpp - Margin losses to linalg -------------------------------===//
//
// multilabel_margin, multilabel_soft_margin, multi_margin, cosine_embedding
// and triplet_margin. Each streams over the class/feature dimension of every
// sample: one linalg.generic per pass (parallel over samples, reduction over
// classes/features) accumulates per-sample sums, and `buildReducedLoss`
// turns them into the per-sample loss and applies the reduction over samples.
// Arithmetic happens in `getAccumulatorType` (f32 for f16/bf16).
//
// The hinge terms of multi_margin and multilabel_margin follow PyTorch 1.13's
// kernels, which add a term only if `z > 0`: a NaN hinge term contributes 0
// there, and here (checked against torch on CPU).
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "loss-mlir/Conversion/LossToLinalg/LossToLinalg.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loss;

namespace {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// A map from `numLoops` loops to the row (sample) loops d0..d{rowRank-1}
/// followed by the loops `extra`.
AffineMap rowMap(MLIRContext *ctx, unsigned numLoops, unsigned rowRank,
                 ArrayRef<unsigned> extra = {}) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d = 0; d < rowRank; ++d)
    exprs.push_back(getAffineDimExpr(d, ctx));
  for (unsigned d : extra)
    exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(numLoops, 0, exprs, ctx);
}

/// The sizes of all dims of `v` but the last: the per-sample shape.
SmallVector<OpFoldResult> rowShapeOf(OpBuilder &b, Location loc, Value v) {
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, v);
  sizes.pop_back();
  return sizes;
}

/// The size of the last dim of `v` (classes or features) as an i64.
Value lastDimI64(OpBuilder &b, Location loc, Value v) {
  int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
  Value d = tensor::DimOp::create(b, loc, v, rank - 1);
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), d);
}

/// The size of the last dim of `v` as a float of type `ty`.
Value lastDimAsFloat(OpBuilder &b, Location loc, Value v, Type ty) {
  int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
  return numElementsAsFloat(b, loc, {tensor::getMixedSize(b, loc, v, rank - 1)},
                            ty);
}

/// The loop index `dim` of the enclosing linalg.generic as an i64.
Value loopIndexI64(OpBuilder &b, Location loc, unsigned dim) {
  return arith::IndexCastOp::create(b, loc, b.getI64Type(),
                                    linalg::IndexOp::create(b, loc, dim));
}

/// `0 <= t < n` for i64 values.
Value inRange(OpBuilder &b, Location loc, Value t, Value n) {
  return arith::AndIOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, t,
                            constI64(b, loc, 0)),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, t, n));
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

/// `z > 0 ? z : 0` as PyTorch's hinge kernels write it (NaN gives 0).
Value positivePart(OpBuilder &b, Location loc, Value z) {
  Value zero = constFloat(b, loc, z.getType(), 0.0);
  Value pos = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, z, zero);
  return arith::SelectOp::create(b, loc, pos, z, zero);
}

/// A one-element tensor of static shape as a tensor of `shape` (0-d <-> [1]
/// or [1, 1]): PyTorch's forms that add or drop a size-1 dimension.
Value reshapeSingleton(OpBuilder &b, Location loc, Value v,
                       ArrayRef<int64_t> shape) {
  auto ty = cast<RankedTensorType>(v.getType());
  if (ty.getShape() == shape)
    return v;
  SmallVector<Value> idx(ty.getRank(), constIndex(b, loc, 0));
  Value e = tensor::ExtractOp::create(b, loc, v, idx);
  return tensor::FromElementsOp::create(
      b, loc, RankedTensorType::get(shape, ty.getElementType()),
      ValueRange{e});
}

/// A scalar operand in the accumulator type `acc`: floats extended, integer
/// targets promoted as PyTorch does.
Value widenToAcc(OpBuilder &b, Location loc, Value v, Type acc) {
  if (isa<IntegerType>(v.getType()))
    return arith::SIToFPOp::create(b, loc, acc, toI64(b, loc, v));
  return castFloat(b, loc, v, acc);
}

using RowBodyFn = function_ref<SmallVector<Value>(
    OpBuilder &, Location, ValueRange ins, ValueRange accs)>;

/// One linalg.generic over `rowShape` (parallel loops) followed by `numRed`
/// reduction loops. Each accumulator is a tensor of `rowShape` filled with
/// the matching scalar of `inits` (whose types are the accumulator types);
/// `body` gets the scalar inputs and accumulators and yields the new ones.
SmallVector<Value> buildRowReduction(OpBuilder &b, Location loc,
                                     ArrayRef<OpFoldResult> rowShape,
                                     unsigned numRed,
                                     ArrayRef<LoopInput> inputs,
                                     ArrayRef<Value> inits, RowBodyFn body) {
  MLIRContext *ctx = b.getContext();
  unsigned rowRank = rowShape.size();
  unsigned numLoops = rowRank + numRed;
  assertConsistentLoopSizes(b, loc, rowShape, inputs);
  SmallVector<Value> ins, outs;
  SmallVector<AffineMap> maps;
  for (const LoopInput &in : inputs) {
    ins.push_back(in.value);
    maps.push_back(in.map);
  }
  for (Value init : inits) {
    Value empty = tensor::EmptyOp::create(b, loc, rowShape, init.getType());
    outs.push_back(
        linalg::FillOp::create(b, loc, ValueRange{init}, ValueRange{empty})
            .getResult(0));
    maps.push_back(rowMap(ctx, numLoops, rowRank));
  }
  SmallVector<utils::IteratorType> iters(rowRank,
                                         utils::IteratorType::parallel);
  iters.append(numRed, utils::IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange(ValueRange(outs)), ins, outs, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        unsigned n = ins.size();
        SmallVector<Value> yields =
            body(nb, nl, args.take_front(n), args.drop_front(n));
        linalg::YieldOp::create(nb, nl, yields);
      });
  return SmallVector<Value>(generic.getResults());
}

/// The per-sample loss of one sample-shaped input and the reduction over
/// samples; `perSample` maps the scalars of `inputs` to the loss.
Value reduceSamples(
    OpBuilder &b, Location loc, ArrayRef<OpFoldResult> rowShape,
    ArrayRef<Value> inputs, Reduction reduction, Type elementType,
    function_ref<Value(OpBuilder &, Location, ValueRange)> perSample) {
  MLIRContext *ctx = b.getContext();
  SmallVector<LoopInput> loopInputs;
  for (Value v : inputs)
    loopInputs.push_back({v, identityMap(ctx, rowShape.size())});
  return buildReducedLoss(b, loc, rowShape, loopInputs, reduction, elementType,
                          [&](OpBuilder &nb, Location nl, ValueRange args) {
                            return std::pair<Value, Value>(
                                perSample(nb, nl, args), Value());
                          });
}

/// `v` read through its broadcast map into `numLoops` loops.
LoopInput broadcastIn(Value v, unsigned numLoops) {
  return {v, broadcastMap(v.getContext(), numLoops,
                          cast<RankedTensorType>(v.getType()).getShape())};
}

/// A row reduction over the broadcast of the feature operands `u` and `v`
/// (`[..., D]`, one rank): parallel over all dims but the last, reducing the
/// last; `body` sees the two broadcast scalars.
SmallVector<Value> pairRowReduction(OpBuilder &b, Location loc, Value u,
                                    Value v, ArrayRef<Value> inits,
                                    RowBodyFn body) {
  SmallVector<OpFoldResult> sizes = broadcastLoopSizes(b, loc, {u, v});
  unsigned numLoops = sizes.size();
  SmallVector<OpFoldResult> rows(sizes.begin(), sizes.end() - 1);
  return buildRowReduction(b, loc, rows, 1,
                           {broadcastIn(u, numLoops), broadcastIn(v, numLoops)},
                           inits, body);
}

/// The per-sample loss of per-sample operands that broadcast together, and
/// the reduction over samples.
Value combineSamples(
    OpBuilder &b, Location loc, ArrayRef<Value> perSample, Reduction reduction,
    Type elementType,
    function_ref<Value(OpBuilder &, Location, ValueRange)> lossFn) {
  SmallVector<OpFoldResult> sizes = broadcastLoopSizes(b, loc, perSample);
  SmallVector<LoopInput> inputs;
  for (Value v : perSample)
    inputs.push_back(broadcastIn(v, sizes.size()));
  return buildReducedLoss(b, loc, sizes, inputs, reduction, elementType,
                          [&](OpBuilder &nb, Location nl, ValueRange args) {
                            return std::pair<Value, Value>(
                                lossFn(nb, nl, args), Value());
                          });
}

//===----------------------------------------------------------------------===//
// multilabel_margin
//===----------------------------------------------------------------------===//

/// Three passes per sample (C classes), then the reduction over samples:
///  1. `len` = the index of the first target outside [0, C) (C if none): the
///     list J is `t[0..len)`. A min over positions, so any order works.
///  2. `isTarget[c]` = some `k < len` has `t[k] == c`, an [N, C] i1 mask.
///     Every (j, i) pair of pass 3 asks whether i is in J; recomputing that
///     there would cost C^3 per sample, so the mask (1 byte per input
///     element, C^2 compares to build, like the loss itself) is kept.
///  3. `sum_{k < len} sum_{i, !isTarget[i]} max(0, 1 - x[t[k]] + x[i])`:
///     every listed position counts, duplicates included, as in PyTorch.
///     `x[t[k]]` is a gather with the index clamped into [0, C).
/// The loss is `sum / C`.
struct MultilabelMarginLowering : public OpRewritePattern<MultilabelMarginOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MultilabelMarginOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = op.getInput(), t = op.getTarget();
    // PyTorch reads a 0-d input as one class and a 0-d target as a list of
    // one: both as [1].
    if (op.getInput().getType().getRank() == 0)
      x = reshapeSingleton(rewriter, loc, x, {1});
    if (op.getTarget().getType().getRank() == 0)
      t = reshapeSingleton(rewriter, loc, t, {1});
    Type elTy = op.getInput().getType().getElementType();
    Type acc = getAccumulatorType(elTy);
    SmallVector<OpFoldResult> rows = rowShapeOf(rewriter, loc, x);
    unsigned r = rows.size();
    Value numClasses = lastDimI64(rewriter, loc, x);
    // The target lists classes of the input's rows: its sizes must be the
    // input's (checked at run time where a size is dynamic).
    assertConsistentLoopSizes(
        rewriter, loc, tensor::getMixedSizes(rewriter, loc, x),
        {{t, identityMap(ctx, cast<RankedTensorType>(t.getType()).getRank())}});

    // 1. len: loops (rows, k).
    Value len = buildRowReduction(
        rewriter, loc, rows, 1, {{t, rowMap(ctx, r + 1, r, {r})}}, {numClasses},
        [&](OpBuilder &b, Location l, ValueRange in, ValueRange accs) {
          Value tk = toI64(b, l, in[0]);
          Value k = loopIndexI64(b, l, r);
          Value end = arith::SelectOp::create(
              b, l, inRange(b, l, tk, numClasses), numClasses, k);
          return SmallVector<Value>{arith::MinSIOp::create(b, l, accs[0], end)};
        })[0];

    // 2. isTarget: loops (rows, c, k), parallel over c.
    Value falseV =
        arith::ConstantOp::create(rewriter, loc, rewriter.getBoolAttr(false));
    SmallVector<OpFoldResult> rowsByClass =
        tensor::getMixedSizes(rewriter, loc, x);
    Value isTarget = buildRowReduction(
        rewriter, loc, rowsByClass, 1,
        {{t, rowMap(ctx, r + 2, r, {r + 1})}, {len, rowMap(ctx, r + 2, r)}},
        {falseV},
        [&](OpBuilder &b, Location l, ValueRange in, ValueRange accs) {
          Value tk = toI64(b, l, in[0]);
          Value c = loopIndexI64(b, l, r);
          Value k = loopIndexI64(b, l, r + 1);
          Value listed =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, k, in[1]);
          Value hit = arith::AndIOp::create(
              b, l, listed,
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, tk, c));
          return SmallVector<Value>{arith::OrIOp::create(b, l, accs[0], hit)};
        })[0];

    // 3. The hinge sum: loops (rows, k, i).
    Value sum = buildRowReduction(
        rewriter, loc, rows, 2,
        {{t, rowMap(ctx, r + 2, r, {r})},
         {len, rowMap(ctx, r + 2, r)},
         {isTarget, rowMap(ctx, r + 2, r, {r + 1})},
         {x, rowMap(ctx, r + 2, r, {r + 1})}},
        {constFloat(rewriter, loc, acc, 0.0)},
        [&](OpBuilder &b, Location l, ValueRange in, ValueRange accs) {
          Value tk = toI64(b, l, in[0]);
          Value k = loopIndexI64(b, l, r);
          Value listed =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, k, in[1]);
          Value xj = castFloat(
              b, l, gatherInRow(b, l, x, r, tk, inRange(b, l, tk, numClasses)),
              acc);
          Value xi = castFloat(b, l, in[3], acc);
          Value z = arith::AddFOp::create(
              b, l, arith::SubFOp::create(b, l, constFloat(b, l, acc, 1.0), xj),
              xi);
          Value notTarget = arith::XOrIOp::create(
              b, l, in[2],
              arith::ConstantOp::create(b, l, b.getBoolAttr(true)));
          Value active = arith::AndIOp::create(b, l, listed, notTarget);
          Value term = arith::SelectOp::create(
              b, l, active, positivePart(b, l, z), constFloat(b, l, acc, 0.0));
          return SmallVector<Value>{arith::AddFOp::create(b, l, accs[0], term)};
        })[0];

    Value c = lastDimAsFloat(rewriter, loc, x, acc);
    replaceOpWithCasts(
        rewriter, op, reduceSamples(
                rewriter, loc, rows, {sum}, op.getReduction(), elTy,
                [&](OpBuilder &b, Location l, ValueRange args) {
                  return arith::DivFOp::create(b, l, args[0], c).getResult();
                }));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// multilabel_soft_margin
//===----------------------------------------------------------------------===//

/// One pass over the last dim: `sum_c w_c (t_c sp(-x_c) + (1 - t_c) sp(x_c))`
/// with `sp(x) = -logsigmoid(-x) = max(x, 0) + log1p(exp(-|x|))`, sharing the
/// `log1p(exp(-|x|))` of both softplus terms. Both terms are kept (rather than
/// `sp(x) - t x`) so that tiny losses of large logits do not cancel away.
struct MultilabelSoftMarginLowering
    : public OpRewritePattern<MultilabelSoftMarginOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MultilabelSoftMarginOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = op.getInput(), t = op.getTarget(), w = op.getWeight();
    Type elTy = op.getInput().getType().getElementType();
    Type acc = getAccumulatorType(elTy);
    SmallVector<OpFoldResult> rows = rowShapeOf(rewriter, loc, x);
    unsigned r = rows.size();

    // The target and the weight (typically [C]) broadcast to the input.
    auto bcast = [&](Value v) -> LoopInput {
      return {v, broadcastMap(ctx, r + 1,
                              cast<RankedTensorType>(v.getType()).getShape())};
    };
    SmallVector<LoopInput> inputs{{x, identityMap(ctx, r + 1)}, bcast(t)};
    if (w)
      inputs.push_back(bcast(w));
    // -(t logsigmoid(x) + (1 - t) logsigmoid(-x)) [* w] at one point.
    auto pointValue = [&](OpBuilder &b, Location l, ValueRange in) -> Value {
      Value xv = castFloat(b, l, in[0], acc);
      Value tv = widenToAcc(b, l, in[1], acc);
      Value zero = constFloat(b, l, acc, 0.0);
      Value one = constFloat(b, l, acc, 1.0);
      Value tail = emitLog1p(
          b, l,
          math::ExpOp::create(
              b, l,
              arith::NegFOp::create(b, l, math::AbsFOp::create(b, l, xv))));
      // -logsigmoid(x) = sp(-x); -logsigmoid(-x) = sp(x).
      Value spNeg = arith::AddFOp::create(
          b, l,
          arith::MaximumFOp::create(b, l, arith::NegFOp::create(b, l, xv),
                                    zero),
          tail);
      Value spPos = arith::AddFOp::create(
          b, l, arith::MaximumFOp::create(b, l, xv, zero), tail);
      Value v = arith::AddFOp::create(
          b, l, arith::MulFOp::create(b, l, tv, spNeg),
          arith::MulFOp::create(b, l, arith::SubFOp::create(b, l, one, tv),
                                spPos));
      if (w)
        v = arith::MulFOp::create(b, l, v, castFloat(b, l, in[2], acc));
      return v;
    };

    Reduction reduction = op.getReduction();
    if (reduction != Reduction::none) {
      // Every sample has C classes, so the mean of the per-sample means is
      // the mean over all N x C points, and the sum of the per-sample means
      // the sum of v / C: one full sum, which block-sum-reductions splits
      // into vectorized, parallel partials (a per-row sum over the classes
      // would be a sequential chain per row).
      SmallVector<OpFoldResult> points(rows);
      points.push_back(tensor::getMixedSize(rewriter, loc, x, r));
      Value c;
      if (reduction == Reduction::sum)
        c = lastDimAsFloat(rewriter, loc, x, acc);
      replaceOpWithCasts(
          rewriter, op,
          buildReducedLoss(rewriter, loc, points, inputs, reduction, elTy,
                           [&](OpBuilder &b, Location l, ValueRange in) {
                             Value v = pointValue(b, l, in);
                             if (c)
                               v = arith::DivFOp::create(b, l, v, c);
                             return std::pair<Value, Value>(v, Value());
                           }));
      return success();
    }

    Value sum = buildRowReduction(
        rewriter, loc, rows, 1, inputs, {constFloat(rewriter, loc, acc, 0.0)},
        [&](OpBuilder &b, Location l, ValueRange in, ValueRange accs) {
          return SmallVector<Value>{
              arith::AddFOp::create(b, l, accs[0], pointValue(b, l, in))};
        })[0];

    Value c = lastDimAsFloat(rewriter, loc, x, acc);
    replaceOpWithCasts(
        rewriter, op, reduceSamples(
                rewriter, loc, rows, {sum}, reduction, elTy,
                [&](OpBuilder &b, Location l, ValueRange args) {
                  return arith::DivFOp::create(b, l, args[0], c).getResult();
                }));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// multi_margin
//===----------------------------------------------------------------------===//

/// One pass over the classes: `sum_{i != y} max(0, margin - x_y + x_i)^p`
/// with `x_y` gathered (index clamped into [0, C)); then per sample
/// `w_y * sum / C`, NaN for a target outside [0, C).
struct MultiMarginLowering : public OpRewritePattern<MultiMarginOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MultiMarginOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = op.getInput(), t = op.getTarget(), w = op.getWeight();
    // PyTorch's forms around one sample: a 0-d input is one class ([1]); a
    // [1] target of a [C] input and a 0-d target of a [1, C] input are read
    // as the per-sample shape, and the `none` result keeps the target's.
    auto xTy = op.getInput().getType();
    auto tTy = op.getTarget().getType();
    if (xTy.getRank() == 0)
      x = reshapeSingleton(rewriter, loc, x, {1});
    if (xTy.getRank() <= 1 && tTy.getRank() == 1)
      t = reshapeSingleton(rewriter, loc, t, {});
    else if (xTy.getRank() == 2 && tTy.getRank() == 0)
      t = reshapeSingleton(rewriter, loc, t, {1});
    Type elTy = xTy.getElementType();
    Type acc = getAccumulatorType(elTy);
    SmallVector<OpFoldResult> rows = rowShapeOf(rewriter, loc, x);
    unsigned r = rows.size();
    Value numClasses = lastDimI64(rewriter, loc, x);
    // A weight holds one value per class (checked at run time where either
    // size is dynamic): w[y] is then in bounds for every valid target.
    if (w)
      assertConsistentLoopSizes(
          rewriter, loc, {tensor::getMixedSize(rewriter, loc, x, r)},
          {{w, identityMap(ctx, 1)}});
    double margin = op.getMargin().convertToDouble();
    bool squared = op.getP() == 2;

    Value sum = buildRowReduction(
        rewriter, loc, rows, 1,
        {{x, identityMap(ctx, r + 1)}, {t, rowMap(ctx, r + 1, r)}},
        {constFloat(rewriter, loc, acc, 0.0)},
        [&](OpBuilder &b, Location l, ValueRange in, ValueRange accs) {
          Value xi = castFloat(b, l, in[0], acc);
          Value y = toI64(b, l, in[1]);
          Value xy = castFloat(
              b, l, gatherInRow(b, l, x, r, y, inRange(b, l, y, numClasses)),
              acc);
          Value z = arith::AddFOp::create(
              b, l,
              arith::SubFOp::create(b, l, constFloat(b, l, acc, margin), xy),
              xi);
          Value h = positivePart(b, l, z);
          if (squared)
            h = arith::MulFOp::create(b, l, h, h);
          Value isY = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                            loopIndexI64(b, l, r), y);
          h = arith::SelectOp::create(b, l, isY, constFloat(b, l, acc, 0.0), h);
          return SmallVector<Value>{arith::AddFOp::create(b, l, accs[0], h)};
        })[0];

    Value c = lastDimAsFloat(rewriter, loc, x, acc);
    Value loss =
        reduceSamples(
            rewriter, loc, rows, {sum, t}, op.getReduction(), elTy,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value y = toI64(b, l, args[1]);
              Value valid = inRange(b, l, y, numClasses);
              Value v = args[0];
              if (w) {
                // w[y] is read only for a target in [0, C): with no valid
                // target (C = 0 included) there is no index to read.
                auto read = scf::IfOp::create(
                    b, l, valid,
                    [&](OpBuilder &tb, Location tl) {
                      Value idx = arith::IndexCastOp::create(
                          tb, tl, tb.getIndexType(), y);
                      Value wy = tensor::ExtractOp::create(tb, tl, w,
                                                           ValueRange{idx});
                      scf::YieldOp::create(tb, tl, castFloat(tb, tl, wy, acc));
                    },
                    [&](OpBuilder &eb, Location el) {
                      scf::YieldOp::create(eb, el, constFloat(eb, el, acc, 0.0));
                    });
                v = arith::MulFOp::create(b, l, read.getResult(0), v);
              }
              v = arith::DivFOp::create(b, l, v, c);
              return arith::SelectOp::create(b, l, valid, v,
                                             constFloat(b, l, acc, NAN))
                  .getResult();
            });
    if (op.getReduction() == Reduction::none &&
        cast<RankedTensorType>(t.getType()).getRank() != tTy.getRank())
      loss = reshapeSingleton(rewriter, loc, loss, tTy.getShape());
    replaceOpWithCasts(rewriter, op, loss);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// cosine_embedding
//===----------------------------------------------------------------------===//

/// One pass over the features accumulates `x1.x2`, `|x1|^2`, `|x2|^2`; per
/// sample `cos = x1.x2 / (sqrt(|x1|^2 + 1e-12) * sqrt(|x2|^2 + 1e-12))`
/// (PyTorch's EPSILON; two square roots rather than the root of the product,
/// which would overflow for large but representable magnitudes).
struct CosineEmbeddingLowering : public OpRewritePattern<CosineEmbeddingOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CosineEmbeddingOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x1 = op.getInput1(), x2 = op.getInput2(), t = op.getTarget();
    Type elTy = op.getInput1().getType().getElementType();
    Type acc = getAccumulatorType(elTy);
    SmallVector<OpFoldResult> rows = rowShapeOf(rewriter, loc, x1);
    unsigned r = rows.size();
    double margin = op.getMargin().convertToDouble();

    Value zeroAcc = constFloat(rewriter, loc, acc, 0.0);
    auto fma = [&](OpBuilder &b, Location l, Value s, Value u, Value v) {
      return arith::AddFOp::create(b, l, s, arith::MulFOp::create(b, l, u, v))
          .getResult();
    };
    SmallVector<Value> sums;
    if (x1.getType() == x2.getType()) {
      sums = buildRowReduction(
          rewriter, loc, rows, 1,
          {{x1, identityMap(ctx, r + 1)}, {x2, identityMap(ctx, r + 1)}},
          {zeroAcc, zeroAcc, zeroAcc},
          [&](OpBuilder &b, Location l, ValueRange in, ValueRange accs) {
            Value a = castFloat(b, l, in[0], acc);
            Value c = castFloat(b, l, in[1], acc);
            return SmallVector<Value>{fma(b, l, accs[0], a, c),
                                      fma(b, l, accs[1], a, a),
                                      fma(b, l, accs[2], c, c)};
          });
    } else {
      // Broadcast inputs, as PyTorch: the dot product over the broadcast of
      // x1 * x2, each squared magnitude over its own input.
      sums.push_back(pairRowReduction(
          rewriter, loc, x1, x2, {zeroAcc},
          [&](OpBuilder &b, Location l, ValueRange in, ValueRange accs) {
            return SmallVector<Value>{fma(b, l, accs[0],
                                          castFloat(b, l, in[0], acc),
                                          castFloat(b, l, in[1], acc))};
          })[0]);
      for (Value x : {x1, x2}) {
        unsigned rank = cast<RankedTensorType>(x.getType()).getRank();
        sums.push_back(buildRowReduction(
            rewriter, loc, rowShapeOf(rewriter, loc, x), 1,
            {{x, identityMap(ctx, rank)}}, {zeroAcc},
            [&](OpBuilder &b, Location l, ValueRange in, ValueRange accs) {
              Value a = castFloat(b, l, in[0], acc);
              return SmallVector<Value>{fma(b, l, accs[0], a, a)};
            })[0]);
      }
    }

    Type tTy = op.getTarget().getType().getElementType();
    // The per-sample cosines broadcast with the target (e.g. a [1] target).
    replaceOpWithCasts(
        rewriter, op,
        combineSamples(
            rewriter, loc, {sums[0], sums[1], sums[2], t},
            op.getReduction(), elTy,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value eps = constFloat(b, l, acc, 1e-12);
              auto mag = [&](Value sq) {
                return math::SqrtOp::create(
                    b, l, arith::AddFOp::create(b, l, sq, eps));
              };
              Value cos = arith::DivFOp::create(
                  b, l, args[0],
                  arith::MulFOp::create(b, l, mag(args[1]), mag(args[2])));
              Value zero = constFloat(b, l, acc, 0.0);
              Value pos =
                  arith::SubFOp::create(b, l, constFloat(b, l, acc, 1.0), cos);
              Value neg = arith::MaximumFOp::create(
                  b, l,
                  arith::SubFOp::create(b, l, cos,
                                        constFloat(b, l, acc, margin)),
                  zero);
              Value isPos, isNeg;
              if (isa<FloatType>(tTy)) {
                isPos =
                    arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                                          args[3], constFloat(b, l, tTy, 1.0));
                isNeg =
                    arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                                          args[3], constFloat(b, l, tTy, -1.0));
              } else {
                Value tv = toI64(b, l, args[3]);
                isPos = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                              tv, constI64(b, l, 1));
                isNeg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                              tv, constI64(b, l, -1));
              }
              // PyTorch: where(t == 1, pos, 0) + where(t == -1, neg, 0).
              return arith::AddFOp::create(
                         b, l, arith::SelectOp::create(b, l, isPos, pos, zero),
                         arith::SelectOp::create(b, l, isNeg, neg, zero))
                  .getResult();
            }));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// triplet_margin
//===----------------------------------------------------------------------===//


/// One pass over the features accumulates the norms of `a - p + eps`,
/// `a - n + eps` and, with `swap`, `p - n + eps` (torch.pairwise_distance);
/// per sample `max(0, margin + d(a, p) - d(a, n))`, `d(a, n)` replaced by
/// `min(d(a, n), d(p, n))` with `swap`.
struct TripletMarginLowering : public OpRewritePattern<TripletMarginOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TripletMarginOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value an = op.getAnchor(), po = op.getPositive(), ne = op.getNegative();
    // 0-d inputs: PyTorch's norm over the last dim of a scalar is |v|, the
    // norm of a [1] vector.
    if (op.getAnchor().getType().getRank() == 0) {
      an = reshapeSingleton(rewriter, loc, an, {1});
      po = reshapeSingleton(rewriter, loc, po, {1});
      ne = reshapeSingleton(rewriter, loc, ne, {1});
    }
    Type elTy = op.getAnchor().getType().getElementType();
    Type acc = getAccumulatorType(elTy);
    SmallVector<OpFoldResult> rows = rowShapeOf(rewriter, loc, an);
    unsigned r = rows.size();
    double margin = op.getMargin().convertToDouble();
    double eps = op.getEps().convertToDouble();
    bool swap = op.getSwap();
    PNorm norm(op.getP().convertToDouble());
    unsigned numDist = swap ? 3 : 2;
    unsigned k = norm.numState();

    auto diff = [&](OpBuilder &b, Location l, Value u, Value v) {
      return arith::AddFOp::create(b, l, arith::SubFOp::create(b, l, u, v),
                                   constFloat(b, l, acc, eps))
          .getResult();
    };
    SmallVector<Value> state;
    if (an.getType() == po.getType() && an.getType() == ne.getType()) {
      // One pass for the three distances.
      SmallVector<Value> inits;
      for (unsigned i = 0; i < numDist; ++i)
        norm.appendInits(rewriter, loc, acc, inits);
      state = buildRowReduction(
          rewriter, loc, rows, 1,
          {{an, identityMap(ctx, r + 1)},
           {po, identityMap(ctx, r + 1)},
           {ne, identityMap(ctx, r + 1)}},
          inits, [&](OpBuilder &b, Location l, ValueRange in, ValueRange accs) {
            Value av = castFloat(b, l, in[0], acc);
            Value pv = castFloat(b, l, in[1], acc);
            Value nv = castFloat(b, l, in[2], acc);
            SmallVector<Value> yields;
            norm.step(b, l, diff(b, l, av, pv), accs.slice(0, k), yields);
            norm.step(b, l, diff(b, l, av, nv), accs.slice(k, k), yields);
            if (swap)
              norm.step(b, l, diff(b, l, pv, nv), accs.slice(2 * k, k),
                        yields);
            return yields;
          });
    } else {
      // Broadcast inputs: each distance over its own pair's broadcast (as
      // torch.pairwise_distance), then the distances broadcast together.
      SmallVector<std::pair<Value, Value>> pairs{{an, po}, {an, ne}};
      if (swap)
        pairs.push_back({po, ne});
      for (auto [u, v] : pairs) {
        SmallVector<Value> inits;
        norm.appendInits(rewriter, loc, acc, inits);
        llvm::append_range(
            state,
            pairRowReduction(
                rewriter, loc, u, v, inits,
                [&](OpBuilder &b, Location l, ValueRange in, ValueRange accs) {
                  SmallVector<Value> yields;
                  norm.step(b, l,
                            diff(b, l, castFloat(b, l, in[0], acc),
                                 castFloat(b, l, in[1], acc)),
                            accs, yields);
                  return yields;
                }));
      }
    }

    replaceOpWithCasts(
        rewriter, op, combineSamples(rewriter, loc, state, op.getReduction(), elTy,
                          [&](OpBuilder &b, Location l, ValueRange args) {
                            Value dPos = norm.finish(b, l, args.slice(0, k));
                            Value dNeg = norm.finish(b, l, args.slice(k, k));
                            if (swap)
                              dNeg = arith::MinimumFOp::create(
                                  b, l, dNeg,
                                  norm.finish(b, l, args.slice(2 * k, k)));
                            Value v = arith::SubFOp::create(
                                b, l,
                                arith::AddFOp::create(
                                    b, l, constFloat(b, l, acc, margin), dPos),
                                dNeg);
                            return arith::MaximumFOp::create(
                                       b, l, v, constFloat(b, l, acc, 0.0))
                                .getResult();
                          }));
    return success();
  }
};

} // namespace

void mlir::loss::populateMarginToLinalgPatterns(RewritePatternSet &patterns) {
  patterns
      .add<MultilabelMarginLowering, MultilabelSoftMarginLowering,
           MultiMarginLowering, CosineEmbeddingLowering, TripletMarginLowering>(
          patterns.getContext());
}
