//===- CrossEntropy.cpp - log_softmax, nll, softmax_cross_entropy ---------===//
//
// Cross entropy streams over each row of logits once (online softmax): one
// reduction over the class axis carries the running max `m` and the running
// sum of exponentials `s` (rescaled when the max grows), and picks up the
// target logit on the way. `loss = m + log(s) - x[target]`. No tensor shaped
// like the logits exists unless the `log_prob` result is asked for.
//
// The arithmetic (the online-softmax state, its update and merge, the row's
// loss) is LossArithmetic.h's, shared with convert-loss-to-gpu; this file is
// the CPU schedule over it: where the classes are contiguous and the pass
// has a vector width, rows are walked in explicit vectors, block by block
// (SoftmaxRowsVector.cpp); else linalg.generic streams over the rows, in
// vectorizable lanes merged per row where rows are wide.
//
//===----------------------------------------------------------------------===//

#include "SoftmaxRows.h"
#include "Utils.h"
#include "loss-mlir/Conversion/LossToLinalg/LossToLinalg.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"

using namespace mlir;
using namespace mlir::loss;

namespace {
/// Lanes of the vectorizable streaming pass, per accumulator type.
int64_t numLanes(Type acc) { return acc.isF64() ? 8 : 16; }

} // namespace

RowStats mlir::loss::buildRowStats(OpBuilder &b, Location loc,
                                   const SoftmaxRowOperands &req,
                                   const RowSchedule &schedule) {
  if (canVectorizeRows(req, schedule.vectorBits))
    return buildVectorRowStats(b, loc, req, schedule.vectorBits);
  if (canVectorizeLaneRows(req, schedule.vectorBits))
    return buildLaneRowStats(b, loc, req, schedule.vectorBits);
  MLIRContext *ctx = b.getContext();
  auto logitsTy = cast<RankedTensorType>(req.logits.getType());
  unsigned rank = logitsTy.getRank();
  unsigned rowRank = rank - 1;
  int64_t axis = req.axis;
  Type acc = getAccumulatorType(logitsTy.getElementType());

  // The target logit and weight are picked up while streaming.
  OnlineSoftmax layout = getOnlineSoftmax(b, loc, req, /*streamTarget=*/true);
  SmallVector<double> init = layout.initialValues();

  RowStats stats;
  stats.rowShape = getRowShape(b, loc, req);

  auto filledStates = [&](ArrayRef<OpFoldResult> shape) {
    SmallVector<Value> states;
    for (double v : init)
      states.push_back(filledTensor(b, loc, shape, acc, v));
    return states;
  };
  // Maps of the streamed operands for loops (rows..., extra...): `classExprs`
  // index the class dim (one expr per class dim of the operand's layout).
  auto logitsLikeMap = [&](unsigned numLoops, ArrayRef<AffineExpr> classExprs) {
    SmallVector<AffineExpr> exprs;
    for (unsigned j = 0; j < rank; ++j) {
      if (j == axis) {
        llvm::append_range(exprs, classExprs);
        continue;
      }
      exprs.push_back(getAffineDimExpr(j < axis ? j : j - 1, ctx));
    }
    return AffineMap::get(numLoops, 0, exprs, ctx);
  };
  auto rowsMap = [&](unsigned numLoops, ArrayRef<AffineExpr> extra) {
    SmallVector<AffineExpr> exprs;
    for (unsigned j = 0; j < rowRank; ++j)
      exprs.push_back(getAffineDimExpr(j, ctx));
    llvm::append_range(exprs, extra);
    return AffineMap::get(numLoops, 0, exprs, ctx);
  };

  // Targets, weight and probabilities must fit the logits before any pass
  // reads them (checked at run time where a size is dynamic).
  assertSoftmaxRowOperandSizes(b, loc, req);

  // One streaming generic: `logits`, `weight`, `probs` hold the class range
  // being streamed (indexed by `classExprs`); `states` are the accumulators
  // indexed by the rows plus `stateExtra`; `classIndex` rebuilds the class
  // index from the loop indices.
  auto stream = [&](Value logits, Value weight, Value probs,
                    ArrayRef<AffineExpr> classExprs,
                    ArrayRef<AffineExpr> stateExtra,
                    ArrayRef<utils::IteratorType> extraIters, ValueRange states,
                    function_ref<Value(OpBuilder &, Location)> classIndex) {
    unsigned numLoops = rowRank + extraIters.size();
    SmallVector<Value> ins{logits};
    SmallVector<AffineMap> maps{logitsLikeMap(numLoops, classExprs)};
    if (req.classTarget) {
      ins.push_back(req.classTarget);
      maps.push_back(rowsMap(numLoops, {}));
    }
    if (weight) {
      ins.push_back(weight);
      maps.push_back(AffineMap::get(numLoops, 0, classExprs, ctx));
    }
    if (probs) {
      ins.push_back(probs);
      maps.push_back(logitsLikeMap(numLoops, classExprs));
    }
    for (size_t k = 0; k < states.size(); ++k)
      maps.push_back(rowsMap(numLoops, stateExtra));
    SmallVector<utils::IteratorType> iters(rowRank,
                                           utils::IteratorType::parallel);
    llvm::append_range(iters, extraIters);
    return linalg::GenericOp::create(
               b, loc, TypeRange(states), ins, states, maps, iters,
               [&](OpBuilder &nb, Location nl, ValueRange args) {
                 unsigned i = 0;
                 Value x = castFloat(nb, nl, args[i++], acc);
                 Value t = req.classTarget ? args[i++] : Value();
                 Value w = weight ? castFloat(nb, nl, args[i++], acc) : Value();
                 Value y = probs ? castFloat(nb, nl, args[i++], acc) : Value();
                 Value c = layout.target ? classIndex(nb, nl) : Value();
                 linalg::YieldOp::create(
                     nb, nl,
                     layout.update(nb, nl, args.drop_front(i), x, t, c, w, y));
               })
        .getResults();
  };
  auto indexI64 = [](OpBuilder &nb, Location nl, Value idx) -> Value {
    return arith::IndexCastOp::create(nb, nl, nb.getI64Type(), idx);
  };

  int64_t numClasses = logitsTy.getDimSize(axis);
  int64_t lanes = numLanes(acc);
  SmallVector<Value> final;
  if (ShapedType::isDynamic(numClasses) || numClasses < 2 * lanes) {
    // One sequential reduction over the class dim per row.
    final = llvm::to_vector_of<Value>(stream(
        req.logits, req.weight, req.probTarget,
        {getAffineDimExpr(rowRank, ctx)}, {}, {utils::IteratorType::reduction},
        filledStates(stats.rowShape), [&](OpBuilder &nb, Location nl) {
          return indexI64(nb, nl, linalg::IndexOp::create(nb, nl, rowRank));
        }));
  } else {
    // `lanes` independent streams per row over classes k * lanes + v, so
    // that the innermost loop (over v) has no loop-carried dependence and
    // vectorizes; the classes past the last full group go to lanes 0..tail-1;
    // the lanes are merged at the end.
    int64_t groups = numClasses / lanes, tail = numClasses % lanes;
    int64_t mainSize = groups * lanes;
    auto sliceClasses = [&](Value v, int64_t dim, int64_t offset,
                            int64_t size) {
      auto ty = cast<RankedTensorType>(v.getType());
      SmallVector<OpFoldResult> offs(ty.getRank(), b.getIndexAttr(0));
      SmallVector<OpFoldResult> szs = tensor::getMixedSizes(b, loc, v);
      SmallVector<OpFoldResult> strides(ty.getRank(), b.getIndexAttr(1));
      offs[dim] = b.getIndexAttr(offset);
      szs[dim] = b.getIndexAttr(size);
      return tensor::ExtractSliceOp::create(b, loc, v, offs, szs, strides)
          .getResult();
    };
    auto splitClasses = [&](Value v, int64_t dim) -> Value {
      if (!v)
        return v;
      if (tail)
        v = sliceClasses(v, dim, 0, mainSize);
      auto ty = cast<RankedTensorType>(v.getType());
      // A weight or probability target whose class dim is dynamic has C
      // classes (checked at run time above): say so statically before the
      // expand, which needs a static size to split.
      if (ty.isDynamicDim(dim)) {
        SmallVector<int64_t> staticShape(ty.getShape());
        staticShape[dim] = mainSize;
        ty = RankedTensorType::get(staticShape, ty.getElementType());
        v = tensor::CastOp::create(b, loc, ty, v);
      }
      SmallVector<int64_t> shape;
      SmallVector<ReassociationIndices> groupsOf;
      for (int64_t j = 0; j < ty.getRank(); ++j) {
        if (j == dim) {
          groupsOf.push_back(
              {(int64_t)shape.size(), (int64_t)shape.size() + 1});
          shape.push_back(groups);
          shape.push_back(lanes);
          continue;
        }
        groupsOf.push_back({(int64_t)shape.size()});
        shape.push_back(ty.getDimSize(j));
      }
      return tensor::ExpandShapeOp::create(
          b, loc, RankedTensorType::get(shape, ty.getElementType()), v,
          groupsOf);
    };
    AffineExpr k = getAffineDimExpr(rowRank, ctx);
    AffineExpr v = getAffineDimExpr(rowRank + 1, ctx);
    SmallVector<OpFoldResult> laneShape(stats.rowShape);
    laneShape.push_back(b.getIndexAttr(lanes));
    SmallVector<Value> laneStates = llvm::to_vector_of<Value>(stream(
        splitClasses(req.logits, axis), splitClasses(req.weight, 0),
        splitClasses(req.probTarget, axis), {k, v}, {v},
        {utils::IteratorType::reduction, utils::IteratorType::parallel},
        filledStates(laneShape), [&](OpBuilder &nb, Location nl) {
          Value kk = linalg::IndexOp::create(nb, nl, rowRank);
          Value vv = linalg::IndexOp::create(nb, nl, rowRank + 1);
          Value c = arith::AddIOp::create(
              nb, nl,
              arith::MulIOp::create(
                  nb, nl, kk, arith::ConstantIndexOp::create(nb, nl, lanes)),
              vv);
          return indexI64(nb, nl, c);
        }));
    if (tail) {
      // Classes mainSize + j update lane j, once each.
      AffineExpr j = getAffineDimExpr(rowRank, ctx);
      SmallVector<Value> tailStates;
      for (Value s : laneStates)
        tailStates.push_back(sliceClasses(s, rowRank, 0, tail));
      auto sliceOrNull = [&](Value x, int64_t dim) {
        return x ? sliceClasses(x, dim, mainSize, tail) : Value();
      };
      SmallVector<Value> updated = llvm::to_vector_of<Value>(
          stream(sliceClasses(req.logits, axis, mainSize, tail),
                 sliceOrNull(req.weight, 0), sliceOrNull(req.probTarget, axis),
                 {j}, {j}, {utils::IteratorType::parallel}, tailStates,
                 [&](OpBuilder &nb, Location nl) {
                   Value c = arith::AddIOp::create(
                       nb, nl, linalg::IndexOp::create(nb, nl, rowRank),
                       arith::ConstantIndexOp::create(nb, nl, mainSize));
                   return indexI64(nb, nl, c);
                 }));
      for (auto [state, part] : llvm::zip(laneStates, updated)) {
        auto ty = cast<RankedTensorType>(state.getType());
        SmallVector<OpFoldResult> offs(ty.getRank(), b.getIndexAttr(0));
        SmallVector<OpFoldResult> szs = tensor::getMixedSizes(b, loc, part);
        SmallVector<OpFoldResult> strides(ty.getRank(), b.getIndexAttr(1));
        state = tensor::InsertSliceOp::create(b, loc, part, state, offs, szs,
                                              strides);
      }
    }
    // Merge the lanes of each row.
    SmallVector<Value> finalInit = filledStates(stats.rowShape);
    SmallVector<AffineMap> maps;
    for (size_t i = 0; i < laneStates.size(); ++i)
      maps.push_back(rowsMap(rowRank + 1, {getAffineDimExpr(rowRank, ctx)}));
    for (size_t i = 0; i < finalInit.size(); ++i)
      maps.push_back(rowsMap(rowRank + 1, {}));
    SmallVector<utils::IteratorType> iters(rowRank,
                                           utils::IteratorType::parallel);
    iters.push_back(utils::IteratorType::reduction);
    unsigned n = layout.size();
    final = llvm::to_vector_of<Value>(
        linalg::GenericOp::create(
            b, loc, TypeRange(ValueRange(finalInit)), laneStates, finalInit,
            maps, iters,
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              linalg::YieldOp::create(
                  nb, nl,
                  layout.merge(nb, nl, args.drop_front(n), args.take_front(n)));
            })
            .getResults());
  }

  unsigned r = 0;
  stats.max = final[r++];
  stats.sumExp = final[r++];
  if (layout.target)
    stats.targetLogit = final[r++];
  if (layout.targetWeight)
    stats.targetWeight = final[r++];
  if (layout.shifted) {
    stats.shiftedSum = final[r++];
    stats.factorSum = final[r++];
  }
  return stats;
}

Value mlir::loss::buildCrossEntropyLoss(OpBuilder &b, Location loc,
                                        const SoftmaxRowOperands &req,
                                        const RowStats &stats,
                                        Reduction reduction, Type elTy) {
  Type acc = getAccumulatorType(elTy);
  double eps = req.smoothing;
  bool prob = static_cast<bool>(req.probTarget);
  Value target = prob ? req.probTarget : req.classTarget;
  MLIRContext *ctx = b.getContext();
  unsigned rowRank = stats.rowShape.size();
  AffineMap rowId = identityMap(ctx, rowRank);
  SmallVector<LoopInput> inputs{{stats.max, rowId}, {stats.sumExp, rowId}};
  if (stats.shiftedSum) {
    inputs.push_back({stats.shiftedSum, rowId});
    inputs.push_back({stats.factorSum, rowId});
  }
  // The row's loss from its statistics; `mean` divides by the number of
  // rows (probabilities) or by the sum of the target weights.
  bool smoothed = static_cast<bool>(stats.shiftedSum);
  auto rowOf = [&](ValueRange args, unsigned &i, OpBuilder &nb, Location l) {
    SoftmaxRow row;
    row.max = args[i++];
    row.logSum = math::LogOp::create(nb, l, args[i++]);
    if (smoothed) {
      row.shiftedSum = args[i++];
      row.factorSum = args[i++];
    }
    return row;
  };
  Value loss;
  if (prob) {
    // l = -sum_c w_c y'_c logp_c.
    loss = buildReducedLoss(
        b, loc, stats.rowShape, inputs, reduction, elTy,
        [&](OpBuilder &nb, Location l, ValueRange args) {
          unsigned i = 0;
          SoftmaxRow row = rowOf(args, i, nb, l);
          return std::pair<Value, Value>(emitFactorTerm(nb, l, row), Value());
        });
  } else {
    // (1-e) w_t (lse - x_t) + (e/C) sum_c w_c (lse - x_c), 0 if ignored.
    bool weighted = static_cast<bool>(stats.targetWeight);
    Value share;
    if (smoothed)
      share = emitSmoothingShare(b, loc, acc, eps,
                                 numClassesAsFloat(b, loc, req, acc));
    inputs.push_back({stats.targetLogit, rowId});
    if (weighted)
      inputs.push_back({stats.targetWeight, rowId});
    inputs.push_back({target, rowId});
    int64_t ignoreIndex = req.ignoreIndex;
    loss = buildReducedLoss(
        b, loc, stats.rowShape, inputs, reduction, elTy,
        [&](OpBuilder &nb, Location l, ValueRange args) {
          unsigned i = 0;
          SoftmaxRow row = rowOf(args, i, nb, l);
          row.targetLogit = args[i++];
          row.targetWeight = weighted ? args[i++] : Value();
          Value t = toI64(nb, l, args[i++]);
          return emitClassTargetRowLoss(nb, l, row, t, eps, share,
                                        ignoreIndex);
        },
        /*weightedMean=*/true);
  }
  return loss;
}

namespace {
/// One elementwise pass over the logits that also reads per-row values
/// (`rows`, row-shaped): `fn(x, rowValues)` in the accumulator type.
Value mapLogitsWithRows(
    OpBuilder &b, Location loc, Value logits, int64_t axis, ValueRange rows,
    function_ref<Value(OpBuilder &, Location, Value, ValueRange)> fn) {
  MLIRContext *ctx = b.getContext();
  auto ty = cast<RankedTensorType>(logits.getType());
  unsigned rank = ty.getRank();
  Type acc = getAccumulatorType(ty.getElementType());
  SmallVector<AffineExpr> rowExprs;
  for (unsigned j = 0; j < rank; ++j)
    if (j != axis)
      rowExprs.push_back(getAffineDimExpr(j, ctx));
  AffineMap full = identityMap(ctx, rank);
  SmallVector<AffineMap> maps{full};
  maps.append(rows.size(), AffineMap::get(rank, 0, rowExprs, ctx));
  maps.push_back(full);
  SmallVector<Value> ins{logits};
  llvm::append_range(ins, rows);
  Value init = tensor::EmptyOp::create(
      b, loc, tensor::getMixedSizes(b, loc, logits), ty.getElementType());
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, ty, ins, ValueRange{init}, maps, iters,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value x = castFloat(nb, nl, args[0], acc);
               Value r = fn(nb, nl, x, args.slice(1, rows.size()));
               linalg::YieldOp::create(
                   nb, nl, castFloat(nb, nl, r, ty.getElementType()));
             })
      .getResult(0);
}

/// `(x - max) - log(sumExp)` for every element of the logits: log_softmax.
/// Subtracting the max first keeps log-probabilities of rows of large,
/// nearly equal logits exact.
Value buildLogProbs(OpBuilder &b, Location loc, Value logits, int64_t axis,
                    const RowStats &stats) {
  MLIRContext *ctx = b.getContext();
  unsigned rowRank = stats.rowShape.size();
  Type acc = cast<RankedTensorType>(stats.sumExp.getType()).getElementType();
  // One log per row, not per element.
  Value logSumInit = tensor::EmptyOp::create(b, loc, stats.rowShape, acc);
  AffineMap rowId = identityMap(ctx, rowRank);
  SmallVector<utils::IteratorType> rowIters(rowRank,
                                            utils::IteratorType::parallel);
  Value logSum = linalg::GenericOp::create(
                     b, loc, logSumInit.getType(), ValueRange{stats.sumExp},
                     ValueRange{logSumInit}, {rowId, rowId}, rowIters,
                     [&](OpBuilder &nb, Location nl, ValueRange args) {
                       Value logS = math::LogOp::create(nb, nl, args[0]);
                       linalg::YieldOp::create(nb, nl, logS);
                     })
                     .getResult(0);
  return mapLogitsWithRows(
      b, loc, logits, axis, {stats.max, logSum},
      [](OpBuilder &nb, Location nl, Value x, ValueRange row) -> Value {
        return emitLogSoftmaxElement(nb, nl, x, row[0], row[1]);
      });
}

/// `exp(x - max) / sumExp` for every element: softmax from the same
/// streaming statistics.
Value buildSoftmax(OpBuilder &b, Location loc, Value logits, int64_t axis,
                   const RowStats &stats) {
  return mapLogitsWithRows(
      b, loc, logits, axis, {stats.max, stats.sumExp},
      [](OpBuilder &nb, Location nl, Value x, ValueRange row) -> Value {
        return emitSoftmaxElement(nb, nl, x, row[0], row[1]);
      });
}


//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

struct LogSoftmaxLowering : public OpRewritePattern<LogSoftmaxOp> {
  LogSoftmaxLowering(MLIRContext *ctx, RowSchedule schedule)
      : OpRewritePattern(ctx), schedule(schedule) {}
  RowSchedule schedule;
  LogicalResult matchAndRewrite(LogSoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t axis = op.getNormalizedAxis();
    SoftmaxRowOperands req;
    req.logits = op.getInput();
    req.axis = axis;
    RowStats stats = buildRowStats(rewriter, loc, req, schedule);
    rewriter.replaceOp(
        op, buildLogProbs(rewriter, loc, op.getInput(), axis, stats));
    return success();
  }
};

/// Upstream's linalg.softmax (as front ends and the ONNX importer emit it)
/// takes the same streaming path.
struct LinalgSoftmaxLowering : public OpRewritePattern<linalg::SoftmaxOp> {
  LinalgSoftmaxLowering(MLIRContext *ctx, RowSchedule schedule)
      : OpRewritePattern(ctx), schedule(schedule) {}
  RowSchedule schedule;
  LogicalResult matchAndRewrite(linalg::SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensorSoftmax(op))
      return rewriter.notifyMatchFailure(op, "needs a float tensor");
    Location loc = op.getLoc();
    SoftmaxRowOperands req;
    req.logits = op.getInput();
    req.axis = op.getDimension();
    RowStats stats = buildRowStats(rewriter, loc, req, schedule);
    rewriter.replaceOp(
        op, buildSoftmax(rewriter, loc, op.getInput(), req.axis, stats));
    return success();
  }
};

struct SoftmaxCrossEntropyLowering
    : public OpRewritePattern<SoftmaxCrossEntropyOp> {
  SoftmaxCrossEntropyLowering(MLIRContext *ctx, RowSchedule schedule)
      : OpRewritePattern(ctx), schedule(schedule) {}
  RowSchedule schedule;
  LogicalResult matchAndRewrite(SoftmaxCrossEntropyOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type elTy = op.getLogits().getType().getElementType();
    SoftmaxRowOperands req = getCrossEntropyOperands(op);
    int64_t axis = req.axis;
    RowStats stats = buildRowStats(rewriter, loc, req, schedule);
    Value loss = buildCrossEntropyLoss(rewriter, loc, req, stats,
                                       op.getReduction(), elTy);
    SmallVector<Value> results{loss};
    if (op.getLogProb())
      results.push_back(
          buildLogProbs(rewriter, loc, op.getLogits(), axis, stats));
    replaceOpWithCasts(rewriter, op, results);
    return success();
  }
};

struct NllLowering : public OpRewritePattern<NllOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(NllOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value input = op.getInput(), target = op.getTarget(),
          weight = op.getWeight();
    auto inTy = op.getInput().getType();
    Type elTy = inTy.getElementType();
    Type acc = getAccumulatorType(elTy);
    int64_t axis = getClassAxis(inTy);
    unsigned rank = op.getTarget().getType().getRank();
    Value numClasses = numClassesI64(rewriter, loc, input, axis);
    int64_t ignoreIndex = op.getIgnoreIndex();

    // The input's batch and extra dims must match the target's.
    if (axis == 1) {
      SmallVector<AffineExpr> exprs{getAffineDimExpr(0, ctx),
                                    getAffineConstantExpr(0, ctx)};
      for (unsigned d = 1; d < rank; ++d)
        exprs.push_back(getAffineDimExpr(d, ctx));
      assertConsistentLoopSizes(rewriter, loc,
                                tensor::getMixedSizes(rewriter, loc, target),
                                {{input, AffineMap::get(rank, 0, exprs, ctx)}});
    }
    assertClassWeightSize(rewriter, loc, input, axis, weight);
    // One gather per target, only for a target in [0, C) (no read at all
    // when C = 0); an out-of-range target yields NaN.
    Value loss = buildReducedLoss(
        rewriter, loc, tensor::getMixedSizes(rewriter, loc, target),
        {{target, identityMap(ctx, rank)}}, op.getReduction(), elTy,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value t = toI64(b, l, args[0]);
          ClassIndex cls = emitClassIndex(b, l, t, numClasses);
          SmallVector<Value> outer;
          for (unsigned d = 0; d < rank; ++d)
            outer.push_back(linalg::IndexOp::create(b, l, d));
          Value nan = constFloat(b, l, acc, NAN);
          Value x = cls.readOr(b, l, nan,
                               [&](OpBuilder &rb, Location rl, Value c) {
                                 SmallVector<Value> idx(outer);
                                 idx.insert(idx.begin() + axis, c);
                                 return castFloat(
                                     rb, rl,
                                     tensor::ExtractOp::create(rb, rl, input,
                                                               idx),
                                     acc);
                               });
          // An out-of-range target's weight is 0 in a `mean` denominator
          // (its loss is NaN anyway).
          Value w = weight ? cls.readOr(
                                 b, l, constFloat(b, l, acc, 0.0),
                                 [&](OpBuilder &rb, Location rl, Value c) {
                                   return castFloat(
                                       rb, rl,
                                       tensor::ExtractOp::create(
                                           rb, rl, weight, ValueRange{c}),
                                       acc);
                                 })
                           : constFloat(b, l, acc, 1.0);
          Value v =
              arith::NegFOp::create(b, l, arith::MulFOp::create(b, l, w, x));
          v = arith::SelectOp::create(b, l, cls.inRange, v, nan);
          Value ignored = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::eq, t,
              arith::ConstantOp::create(b, l,
                                        b.getI64IntegerAttr(ignoreIndex)));
          Value zero = constFloat(b, l, acc, 0.0);
          return std::pair<Value, Value>(
              arith::SelectOp::create(b, l, ignored, zero, v),
              arith::SelectOp::create(b, l, ignored, zero, w));
        },
        /*weightedMean=*/true);
    replaceOpWithCasts(rewriter, op, loss);
    return success();
  }
};

} // namespace

void mlir::loss::populateCrossEntropyToLinalgPatterns(
    RewritePatternSet &patterns, const ConvertLossToLinalgOptions &options) {
  RowSchedule schedule{options.vectorBits};
  patterns.add<LogSoftmaxLowering, LinalgSoftmaxLowering,
               SoftmaxCrossEntropyLowering>(patterns.getContext(), schedule);
  patterns.add<NllLowering>(patterns.getContext());
}
