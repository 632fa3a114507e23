//===- SoftmaxGrad.cpp - Gradients of the softmax family to linalg --------===//
//
// Lowers log_softmax_grad, nll_grad and softmax_cross_entropy_grad. Cross
// entropy's gradient reuses the forward's streaming row statistics (one pass
// over the logits: max, sum of exponentials, target logit and weight, and
// the factor sum O of smoothing or probability targets), then one
// elementwise pass that writes `dlogits` from them: 2 reads and 1 write of
// the logits' size, with no other tensor of that size. With its optional
// `loss` result, the loss comes from the same statistics (row-sized work).
//
//===----------------------------------------------------------------------===//

#include "SoftmaxRows.h"
#include "Utils.h"

#include "loss-mlir/Conversion/LossToLinalg/LossToLinalg.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::loss;

namespace {

/// The map from the loops of a logits-shaped space to the rows (every dim
/// but `axis`).
AffineMap rowMapOf(MLIRContext *ctx, unsigned rank, int64_t axis) {
  SmallVector<AffineExpr> exprs;
  for (unsigned j = 0; j < rank; ++j)
    if (j != axis)
      exprs.push_back(getAffineDimExpr(j, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

/// `grad_output` as a loop input: per row for `none`, a 0-d tensor (read
/// by every point) otherwise.
LoopInput gradOutputInput(MLIRContext *ctx, Value gradOutput, AffineMap rows) {
  if (cast<RankedTensorType>(gradOutput.getType()).getRank() == 0)
    return {gradOutput, AffineMap::get(rows.getNumDims(), 0, {}, ctx)};
  return {gradOutput, rows};
}

/// One elementwise pass over a `like`-shaped space writing a tensor of
/// `like`'s type: `fn(args)` (in the accumulator type) of the inputs' scalars
/// in order, rounded once.
Value buildPointwise(OpBuilder &b, Location loc, Value like,
                     ArrayRef<LoopInput> inputs,
                     function_ref<Value(OpBuilder &, Location, ValueRange)> fn) {
  auto ty = cast<RankedTensorType>(like.getType());
  MLIRContext *ctx = b.getContext();
  SmallVector<OpFoldResult> shape = tensor::getMixedSizes(b, loc, like);
  assertConsistentLoopSizes(b, loc, shape, inputs);
  SmallVector<Value> ins;
  SmallVector<AffineMap> maps;
  for (const LoopInput &in : inputs) {
    ins.push_back(in.value);
    maps.push_back(in.map);
  }
  maps.push_back(identityMap(ctx, ty.getRank()));
  Value init = tensor::EmptyOp::create(b, loc, shape, ty.getElementType());
  SmallVector<utils::IteratorType> iters(ty.getRank(),
                                         utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, ty, ins, ValueRange{init}, maps, iters,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value r = fn(nb, nl, args.drop_back());
               linalg::YieldOp::create(
                   nb, nl, castFloat(nb, nl, r, ty.getElementType()));
             })
      .getResult(0);
}

/// The class index of the current point of a logits-shaped loop, as i64.
Value classIndexI64(OpBuilder &b, Location loc, int64_t axis);

/// buildPointwise over logits-shaped `like` whose `fn` also takes whether
/// the point is at its row's target class (an i1; null where it is known not
/// to be), the target being input `targetArg` (none: `fn` gets null). With a
/// vector width and the classes contiguous (`[N, C]`, axis 1), the rows go to
/// an scf.forall and each row is written in vectors of that width (the last
/// one masked) with no per-element class compare: `fn` sees vectors (every
/// operand splat or read `lanes` classes at a time), so it must build its
/// constants from its operands' types; then, for a target in the row, the
/// target's element is written again from `fn` on scalars.
Value buildClassPointwise(
    OpBuilder &b, Location loc, Value like, int64_t axis,
    ArrayRef<LoopInput> inputs, std::optional<unsigned> targetArg,
    function_ref<Value(OpBuilder &, Location, ValueRange, Value)> fn,
    unsigned vectorBits) {
  auto ty = cast<RankedTensorType>(like.getType());
  Type elt = ty.getElementType();
  int64_t lanes = vectorScheduleLanes(elt, vectorBits);
  if (lanes == 0 || ty.getRank() != 2 || axis != 1 ||
      (!ty.isDynamicDim(1) && ty.getDimSize(1) < 2 * lanes))
    return buildPointwise(
        b, loc, like, inputs,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value isTarget;
          if (targetArg)
            isTarget = arith::CmpIOp::create(
                nb, nl, arith::CmpIPredicate::eq,
                toI64(nb, nl, args[*targetArg]), classIndexI64(nb, nl, axis));
          return fn(nb, nl, args, isTarget);
        });

  SmallVector<OpFoldResult> shape = tensor::getMixedSizes(b, loc, like);
  assertConsistentLoopSizes(b, loc, shape, inputs);
  Value init = tensor::EmptyOp::create(b, loc, shape, elt);
  Value numClasses = tensor::DimOp::create(b, loc, like, 1);
  Value vlen = constIndex(b, loc, lanes);
  Value full = arith::MulIOp::create(
      b, loc, arith::DivUIOp::create(b, loc, numClasses, vlen), vlen);
  bool hasTail = ty.isDynamicDim(1) || ty.getDimSize(1) % lanes;
  auto perClass = [](const LoopInput &in) {
    return llvm::any_of(in.map.getResults(),
                        [](AffineExpr e) { return e.isFunctionOfDim(1); });
  };

  auto forall = scf::ForallOp::create(
      b, loc, ArrayRef<OpFoldResult>{shape[0]}, ValueRange{init}, std::nullopt,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value n = args[0], out = args[1];
        Value zero = constIndex(nb, nl, 0);
        SmallVector<OpFoldResult> offs{n, nb.getIndexAttr(0)};
        SmallVector<OpFoldResult> sizes{nb.getIndexAttr(1), shape[1]};
        SmallVector<OpFoldResult> strides(2, nb.getIndexAttr(1));
        Value row =
            tensor::ExtractSliceOp::create(nb, nl, out, offs, sizes, strides);
        // Per input: a value of the row (extracted once, then splat), or
        // one read per vector of classes.
        SmallVector<Value> rowScalars(inputs.size()), rowValues(inputs.size());
        for (auto [i, in] : llvm::enumerate(inputs)) {
          if (perClass(in))
            continue;
          SmallVector<Value> idx;
          if (in.map.getNumResults())
            idx.push_back(n);
          rowScalars[i] = tensor::ExtractOp::create(nb, nl, in.value, idx);
          rowValues[i] = vector::BroadcastOp::create(
              nb, nl, VectorType::get({lanes}, rowScalars[i].getType()),
              rowScalars[i]);
        }
        auto indicesAt = [&](const LoopInput &in, Value c) {
          SmallVector<Value> idx;
          if (in.map.getNumResults() == 2)
            idx.push_back(n);
          idx.push_back(c);
          return idx;
        };
        auto writeAt = [&](OpBuilder &bb, Location bl, Value dest, Value c,
                           bool inBounds) {
          SmallVector<Value> vals;
          for (auto [i, in] : llvm::enumerate(inputs)) {
            if (rowValues[i]) {
              vals.push_back(rowValues[i]);
              continue;
            }
            Type inElt = cast<RankedTensorType>(in.value.getType())
                             .getElementType();
            bool inb[] = {inBounds};
            TypedAttr pad = isa<FloatType>(inElt)
                                ? TypedAttr(bb.getFloatAttr(inElt, 0.0))
                                : TypedAttr(bb.getIntegerAttr(inElt, 0));
            vals.push_back(vector::TransferReadOp::create(
                bb, bl, VectorType::get({lanes}, inElt), in.value,
                indicesAt(in, c), arith::ConstantOp::create(bb, bl, pad),
                ArrayRef<bool>(inb)));
          }
          Value r = castFloat(bb, bl, fn(bb, bl, vals, Value()), elt);
          bool inb[] = {inBounds};
          return vector::TransferWriteOp::create(bb, bl, r, dest,
                                                 ValueRange{zero, c},
                                                 ArrayRef<bool>(inb))
              .getResult();
        };
        auto loop = scf::ForOp::create(
            nb, nl, zero, full, vlen, ValueRange{row},
            [&](OpBuilder &lb, Location ll, Value c, ValueRange iter) {
              scf::YieldOp::create(lb, ll, writeAt(lb, ll, iter[0], c, true));
            });
        Value written = loop.getResult(0);
        if (hasTail)
          written = writeAt(nb, nl, written, full, false);
        if (targetArg) {
          // The target's element, on scalars, for a target in the row
          // (elsewhere, ignored or out of range, no element is the target's:
          // fn's coefficients hold the row's 0 or NaN, and nothing is read).
          Value t = toI64(nb, nl, rowScalars[*targetArg]);
          ClassIndex cls =
              emitClassIndex(nb, nl, t, toI64FromIndex(nb, nl, numClasses));
          auto fix = scf::IfOp::create(
              nb, nl, cls.inRange,
              [&](OpBuilder &tb, Location tl) {
                SmallVector<Value> vals;
                for (auto [i, in] : llvm::enumerate(inputs))
                  vals.push_back(rowScalars[i]
                                     ? rowScalars[i]
                                     : tensor::ExtractOp::create(
                                           tb, tl, in.value,
                                           indicesAt(in, cls.safe))
                                           .getResult());
                Value one = arith::ConstantIntOp::create(tb, tl, 1, 1);
                Value r = castFloat(tb, tl, fn(tb, tl, vals, one), elt);
                scf::YieldOp::create(
                    tb, tl,
                    tensor::InsertOp::create(tb, tl, r, written,
                                             ValueRange{zero, cls.safe})
                        .getResult());
              },
              [&](OpBuilder &eb, Location el) {
                scf::YieldOp::create(eb, el, written);
              });
          written = fix.getResult(0);
        }
        auto inParallel = scf::InParallelOp::create(nb, nl);
        OpBuilder::InsertionGuard guard(nb);
        nb.setInsertionPointToStart(inParallel.getBody());
        tensor::ParallelInsertSliceOp::create(nb, nl, written, out, offs, sizes,
                                              strides);
      });
  return forall.getResult(0);
}

/// The sum over `axis` of `v` per row, in the accumulator type.
Value buildRowSum(OpBuilder &b, Location loc, Value v, int64_t axis) {
  auto ty = cast<RankedTensorType>(v.getType());
  MLIRContext *ctx = b.getContext();
  unsigned rank = ty.getRank();
  Type acc = getAccumulatorType(ty.getElementType());
  SmallVector<OpFoldResult> rowShape = tensor::getMixedSizes(b, loc, v);
  rowShape.erase(rowShape.begin() + axis);
  Value init = filledTensor(b, loc, rowShape, acc, 0.0);
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  iters[axis] = utils::IteratorType::reduction;
  return linalg::GenericOp::create(
             b, loc, init.getType(), ValueRange{v}, ValueRange{init},
             SmallVector<AffineMap>{identityMap(ctx, rank),
                                    rowMapOf(ctx, rank, axis)},
             iters,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value x = castFloat(nb, nl, args[0], acc);
               Value sum = arith::AddFOp::create(nb, nl, args[1], x);
               linalg::YieldOp::create(nb, nl, sum);
             })
      .getResult(0);
}

/// `sum_{non-ignored} w[t]` over class targets `target` (any integer type)
/// as a 0-d tensor of `acc`: the denominator of a weighted `mean`. A target
/// outside [0, C) reads nothing and counts 0 (its row is NaN anyway).
Value buildTotalWeight(OpBuilder &b, Location loc, Value target, Value weight,
                       Value numClasses, int64_t ignoreIndex, Type acc) {
  MLIRContext *ctx = b.getContext();
  unsigned rank = cast<RankedTensorType>(target.getType()).getRank();
  return buildReducedLoss(
      b, loc, tensor::getMixedSizes(b, loc, target),
      {{target, identityMap(ctx, rank)}}, Reduction::sum, acc,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value t = toI64(nb, l, args[0]);
        Value w = constFloat(nb, l, acc, 1.0);
        if (weight)
          w = emitClassIndex(nb, l, t, numClasses)
                  .readOr(nb, l, constFloat(nb, l, acc, 0.0),
                          [&](OpBuilder &rb, Location rl, Value c) {
                            return castFloat(rb, rl,
                                             tensor::ExtractOp::create(
                                                 rb, rl, weight, ValueRange{c}),
                                             acc);
                          });
        Value ignored =
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, t,
                                  constI64(nb, l, ignoreIndex));
        return std::pair<Value, Value>(
            arith::SelectOp::create(nb, l, ignored, constFloat(nb, l, acc, 0.0),
                                    w),
            Value());
      });
}

/// The class index of the current point of a logits-shaped loop, as i64.
Value classIndexI64(OpBuilder &b, Location loc, int64_t axis) {
  return toI64FromIndex(b, loc, linalg::IndexOp::create(b, loc, axis));
}

struct LogSoftmaxGradLowering : public OpRewritePattern<LogSoftmaxGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LogSoftmaxGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    int64_t axis = op.getNormalizedAxis();
    unsigned rank = op.getOutput().getType().getRank();
    Type acc = getAccumulatorType(op.getOutput().getType().getElementType());
    // gx = g - exp(y) * sum_axis(g).
    Value rowSum = buildRowSum(rewriter, loc, op.getGradOutput(), axis);
    AffineMap id = identityMap(ctx, rank);
    Value gx = buildPointwise(
        rewriter, loc, op.getOutput(),
        {{op.getOutput(), id},
         {op.getGradOutput(), id},
         {rowSum, rowMapOf(ctx, rank, axis)}},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value y = castFloat(b, l, args[0], acc);
          Value g = castFloat(b, l, args[1], acc);
          Value p = math::ExpOp::create(b, l, y);
          return arith::SubFOp::create(b, l, g,
                                       arith::MulFOp::create(b, l, p, args[2]));
        });
    replaceOpWithCasts(rewriter, op, gx);
    return success();
  }
};

struct NllGradLowering : public OpRewritePattern<NllGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(NllGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value input = op.getInput(), target = op.getTarget(),
          weight = op.getWeight();
    auto inTy = op.getInput().getType();
    unsigned rank = inTy.getRank();
    int64_t axis = getClassAxis(inTy);
    Type acc = getAccumulatorType(inTy.getElementType());
    int64_t ignoreIndex = op.getIgnoreIndex();
    bool mean = op.getReduction() == Reduction::mean;
    Value numClasses = numClassesI64(rewriter, loc, input, axis);
    // Before any pass reads the weight.
    assertClassWeightSize(rewriter, loc, input, axis, weight);

    AffineMap rows = rowMapOf(ctx, rank, axis);
    SmallVector<LoopInput> inputs{
        {target, rows}, gradOutputInput(ctx, op.getGradOutput(), rows)};
    if (mean)
      inputs.push_back({buildTotalWeight(rewriter, loc, target, weight,
                                         numClasses, ignoreIndex, acc),
                        AffineMap::get(rank, 0, {}, ctx)});
    unsigned wArg = inputs.size();
    if (weight)
      inputs.push_back(
          {weight, AffineMap::get(rank, 0, getAffineDimExpr(axis, ctx))});
    // As ATen's nll_loss_backward: -(g / total_weight) * w[t] at the target
    // class, 0 elsewhere and in ignored rows, NaN in a row whose target is
    // out of range.
    Value gx = buildPointwise(
        rewriter, loc, input, inputs,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value t = toI64(b, l, args[0]);
          Value g = castFloat(b, l, args[1], acc);
          if (mean)
            g = arith::DivFOp::create(b, l, g, args[2]);
          Value inRange = emitClassIndex(b, l, t, numClasses).inRange;
          Value v = arith::NegFOp::create(b, l, g);
          // w is streamed with the classes (w_c, c = t where it counts):
          // no gather.
          Value zero = constFloat(b, l, acc, 0.0);
          Value isTarget =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, t,
                                    classIndexI64(b, l, axis));
          if (weight)
            v = arith::MulFOp::create(b, l, castFloat(b, l, args[wArg], acc),
                                      v);
          v = arith::SelectOp::create(b, l, isTarget, v, zero);
          v = arith::SelectOp::create(b, l, inRange, v,
                                      constFloat(b, l, acc, NAN));
          Value ignored = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::eq, t, constI64(b, l, ignoreIndex));
          return arith::SelectOp::create(b, l, ignored, zero, v);
        });
    replaceOpWithCasts(rewriter, op, gx);
    return success();
  }
};

struct SoftmaxCrossEntropyGradLowering
    : public OpRewritePattern<SoftmaxCrossEntropyGradOp> {
  SoftmaxCrossEntropyGradLowering(MLIRContext *ctx, RowSchedule schedule)
      : OpRewritePattern(ctx), schedule(schedule) {}
  RowSchedule schedule;
  LogicalResult matchAndRewrite(SoftmaxCrossEntropyGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value logits = op.getLogits(), weight = op.getWeight();
    auto ty = op.getLogits().getType();
    unsigned rank = ty.getRank();
    Type elTy = ty.getElementType();
    Type acc = getAccumulatorType(elTy);
    SoftmaxRowOperands req = getCrossEntropyOperands(op);
    int64_t axis = req.axis;
    double eps = req.smoothing;
    bool prob = op.hasProbabilityTarget();
    bool mean = op.getReduction() == Reduction::mean;
    bool smoothed = !prob && eps != 0.0;

    // Pass 1: the row statistics (also the forward's).
    RowStats stats = buildRowStats(rewriter, loc, req, schedule);
    Value numClassesF = numClassesAsFloat(rewriter, loc, req, acc);
    Value numClasses = numClassesI64(rewriter, loc, logits, axis);

    AffineMap id = identityMap(ctx, rank);
    AffineMap rows = rowMapOf(ctx, rank, axis);
    AffineMap scalar = AffineMap::get(rank, 0, {}, ctx);
    AffineMap classes = AffineMap::get(rank, 0, getAffineDimExpr(axis, ctx));
    SmallVector<LoopInput> inputs{{logits, id},
                                  {stats.max, rows},
                                  {stats.sumExp, rows},
                                  gradOutputInput(ctx, op.getGradOutput(), rows)};
    // The `mean` divisor: the non-ignored target weights, or the rows.
    bool hasDivisor = mean;
    if (mean) {
      Value divisor;
      if (prob)
        divisor = tensor::FromElementsOp::create(
            rewriter, loc, RankedTensorType::get({}, acc),
            ValueRange{numElementsAsFloat(rewriter, loc, stats.rowShape, acc)});
      else
        divisor = buildTotalWeight(rewriter, loc, req.classTarget, weight,
                                   numClasses, req.ignoreIndex, acc);
      inputs.push_back({divisor, scalar});
    }
    if (!prob) {
      inputs.push_back({req.classTarget, rows});
      if (stats.targetWeight)
        inputs.push_back({stats.targetWeight, rows});
    }
    if (prob || smoothed)
      inputs.push_back({stats.factorSum, rows});
    if (weight && (prob || smoothed))
      inputs.push_back({weight, classes});
    if (prob)
      inputs.push_back({req.probTarget, id});
    Value share;
    if (prob || smoothed)
      share = emitSmoothingShare(rewriter, loc, acc, eps, numClassesF);

    // Pass 2: dlogits, emitCrossEntropyGradElement of each logit. Scalars,
    // or vectors of classes (buildClassPointwise): constants take the
    // operands' type, and the row coefficients are loop-invariant.
    std::optional<unsigned> targetArg;
    if (!prob)
      targetArg = 4 + hasDivisor;
    Value gx = buildClassPointwise(
        rewriter, loc, logits, axis, inputs, targetArg,
        [&](OpBuilder &b, Location l, ValueRange args, Value isTarget) {
          unsigned i = 0;
          Value x = castFloat(b, l, args[i++], acc);
          Type ty = x.getType();
          Value m = args[i++], s = args[i++];
          Value g = castFloat(b, l, args[i++], acc);
          if (hasDivisor)
            g = arith::DivFOp::create(b, l, g, args[i++]);
          Value t, wt, o, wc, y;
          if (!prob) {
            t = toI64(b, l, args[i++]);
            if (stats.targetWeight)
              wt = args[i++];
          }
          if (prob || smoothed)
            o = args[i++];
          if (weight && (prob || smoothed))
            wc = castFloat(b, l, args[i++], acc);
          if (prob)
            y = castFloat(b, l, args[i++], acc);
          CrossEntropyGradRow row = emitCrossEntropyGradRow(
              b, l, g, s, eps, share ? splatLike(b, l, share, ty) : Value(), o,
              t, wt, numClasses, req.ignoreIndex);
          return emitCrossEntropyGradElement(b, l, row, x, m, wc, y, isTarget);
        },
        schedule.vectorBits);
    SmallVector<Value> results{gx};
    if (op.getLoss())
      results.push_back(buildCrossEntropyLoss(rewriter, loc, req, stats,
                                              op.getReduction(), elTy));
    replaceOpWithCasts(rewriter, op, results);
    return success();
  }
};

} // namespace

void mlir::loss::populateSoftmaxGradToLinalgPatterns(
    RewritePatternSet &patterns, const ConvertLossToLinalgOptions &options) {
  patterns.add<LogSoftmaxGradLowering, NllGradLowering>(patterns.getContext());
  patterns.add<SoftmaxCrossEntropyGradLowering>(
      patterns.getContext(), RowSchedule{options.vectorBits});
}
