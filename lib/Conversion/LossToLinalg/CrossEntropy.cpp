//===- CrossEntropy.cpp - log_softmax, nll, softmax_cross_entropy ---------===//
//
// Cross entropy streams over each row of logits once (online softmax): one
// reduction over the class axis carries the running max `m` and the running
// sum of exponentials `s` (rescaled when the max grows), and picks up the
// target logit on the way. `loss = m + log(s) - x[target]`. No tensor shaped
// like the logits exists unless the `log_prob` result is asked for.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "loss-mlir/Conversion/LossToLinalg/LossToLinalg.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"

using namespace mlir;
using namespace mlir::loss;

namespace {

/// What one streaming pass over the rows of the logits accumulates. Sums of
/// logits are kept relative to the running max (`sum_c o_c (x_c - m)`) so
/// that rows of large, nearly equal logits lose no precision.
struct RowStats {
  SmallVector<OpFoldResult> rowShape;
  Value max, sumExp;   // online softmax state: lse = max + log(sumExp)
  Value targetLogit;   // x[t] (NaN if t is outside [0, C))
  Value targetWeight;  // w[t] (0 if t is outside [0, C)); with a weight only
  // With smoothing or probability targets, for per-class factors o_c
  // (w_c, 1, w_c * y'_c or y'_c): D = sum_c o_c (x_c - max), W = sum_c o_c,
  // so that sum_c o_c (lse - x_c) = W * log(sumExp) - D.
  Value shiftedSum, factorSum;
};

struct RowStatsRequest {
  Value logits;
  int64_t axis = 0;
  Value classTarget; // integer, row-shaped
  Value probTarget;  // float, logits-shaped
  Value weight;      // [C]
  double smoothing = 0.0;
};

/// The number of classes as a float of type `ty`.
Value numClassesAsFloat(OpBuilder &b, Location loc, Value logits,
                        int64_t axis, Type ty) {
  OpFoldResult c = tensor::getMixedSize(b, loc, logits, axis);
  return numElementsAsFloat(b, loc, {c}, ty);
}

/// Which accumulators a streaming pass keeps, in this order: max, sumExp,
/// [targetLogit], [targetWeight], [shiftedSum, factorSum].
struct StatsLayout {
  bool target = false, targetWeight = false, prob = false, shifted = false;
  Value smoothScale, smoothShift; // y' = y * scale + shift (probabilities)
  unsigned size() const {
    return 2 + target + targetWeight + 2 * shifted;
  }
};

/// Folds element `x` (class index `c`, i64) into the per-row `state`.
SmallVector<Value> emitUpdate(OpBuilder &b, Location loc,
                              const StatsLayout &layout, Type acc, Value x,
                              Value t, Value w, Value y, Value c,
                              ValueRange state) {
  unsigned i = 0;
  Value m = state[i++], s = state[i++];
  SmallVector<Value> out;
  // Online softmax with one exp per element: if x raises the max, rescale s
  // by exp(m - x) and add 1, else add exp(x - m).
  Value one = constFloat(b, loc, acc, 1.0);
  Value d = arith::SubFOp::create(b, loc, x, m);
  Value raises = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, d,
                                       constFloat(b, loc, acc, 0.0));
  Value e = math::ExpOp::create(
      b, loc, arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, d)));
  Value rescaled =
      arith::AddFOp::create(b, loc, arith::MulFOp::create(b, loc, s, e), one);
  Value added = arith::AddFOp::create(b, loc, s, e);
  out.push_back(arith::SelectOp::create(b, loc, raises, x, m));
  out.push_back(arith::SelectOp::create(b, loc, raises, rescaled, added));
  if (layout.target) {
    Value hit = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, c,
                                      toI64(b, loc, t));
    out.push_back(arith::SelectOp::create(b, loc, hit, x, state[i++]));
    if (layout.targetWeight)
      out.push_back(arith::SelectOp::create(b, loc, hit, w, state[i++]));
  }
  if (layout.shifted) {
    // o = w * y' (probabilities) or w (smoothing); when the max rises by d,
    // every earlier (x_c - m) term drops by d.
    Value sumD = state[i++], sumO = state[i++];
    Value o = w;
    if (layout.prob) {
      Value yp = y;
      if (layout.smoothScale)
        yp = arith::AddFOp::create(
            b, loc, arith::MulFOp::create(b, loc, y, layout.smoothScale),
            layout.smoothShift);
      o = w ? arith::MulFOp::create(b, loc, w, yp) : yp;
    }
    Value dRaised = arith::SubFOp::create(
        b, loc, sumD, arith::MulFOp::create(b, loc, d, sumO));
    Value dKept = arith::AddFOp::create(
        b, loc, sumD, o ? arith::MulFOp::create(b, loc, o, d) : d);
    out.push_back(arith::SelectOp::create(b, loc, raises, dRaised, dKept));
    out.push_back(arith::AddFOp::create(b, loc, sumO, o ? o : one));
  }
  return out;
}

/// Merges the state `lane` into the state `into` (both per row).
SmallVector<Value> emitMerge(OpBuilder &b, Location loc,
                             const StatsLayout &layout, ValueRange into,
                             ValueRange lane) {
  unsigned i = 0;
  Value ma = into[i], mb = lane[i++];
  Value sa = into[i], sb = lane[i++];
  Value m = arith::SelectOp::create(
      b, loc, arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, mb, ma),
      mb, ma);
  // The max of a NaN lane is NaN: propagate it through the sum.
  m = arith::SelectOp::create(
      b, loc, arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, mb, mb),
      mb, m);
  Value da = arith::SubFOp::create(b, loc, ma, m);
  Value db = arith::SubFOp::create(b, loc, mb, m);
  Value s = arith::AddFOp::create(
      b, loc, arith::MulFOp::create(b, loc, sa, math::ExpOp::create(b, loc, da)),
      arith::MulFOp::create(b, loc, sb, math::ExpOp::create(b, loc, db)));
  SmallVector<Value> out{m, s};
  if (layout.target) {
    // Exactly one lane saw the target; the others still hold NaN.
    Value xa = into[i], xb = lane[i++];
    Value missed =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, xb, xb);
    out.push_back(arith::SelectOp::create(b, loc, missed, xa, xb));
    if (layout.targetWeight) {
      Value wa = into[i], wb = lane[i++];
      out.push_back(arith::AddFOp::create(b, loc, wa, wb));
    }
  }
  if (layout.shifted) {
    // Rebase both shifted sums on the merged max.
    Value sumDa = into[i], sumDb = lane[i++];
    Value sumOa = into[i], sumOb = lane[i++];
    Value rebasedA = arith::AddFOp::create(
        b, loc, sumDa, arith::MulFOp::create(b, loc, da, sumOa));
    Value rebasedB = arith::AddFOp::create(
        b, loc, sumDb, arith::MulFOp::create(b, loc, db, sumOb));
    // A state that has seen nothing has sumO = 0 (and max = lowest).
    Value zero = constFloat(b, loc, sumOa.getType(), 0.0);
    Value emptyA = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                         sumOa, zero);
    rebasedA = arith::SelectOp::create(b, loc, emptyA, zero, rebasedA);
    out.push_back(arith::AddFOp::create(b, loc, rebasedA, rebasedB));
    out.push_back(arith::AddFOp::create(b, loc, sumOa, sumOb));
  }
  return out;
}

/// Initial accumulator values, in layout order.
SmallVector<double> initialState(const StatsLayout &layout, Type acc) {
  auto fty = cast<FloatType>(acc);
  SmallVector<double> v{
      APFloat::getLargest(fty.getFloatSemantics(), true).convertToDouble(),
      0.0};
  if (layout.target) {
    v.push_back(NAN);
    if (layout.targetWeight)
      v.push_back(0.0);
  }
  if (layout.shifted) {
    v.push_back(0.0);
    v.push_back(0.0);
  }
  return v;
}

/// Lanes of the vectorizable streaming pass, per accumulator type.
int64_t numLanes(Type acc) { return acc.isF64() ? 8 : 16; }

RowStats buildRowStats(OpBuilder &b, Location loc, const RowStatsRequest &req) {
  MLIRContext *ctx = b.getContext();
  auto logitsTy = cast<RankedTensorType>(req.logits.getType());
  unsigned rank = logitsTy.getRank();
  unsigned rowRank = rank - 1;
  int64_t axis = req.axis;
  Type acc = getAccumulatorType(logitsTy.getElementType());

  StatsLayout layout;
  layout.target = static_cast<bool>(req.classTarget);
  layout.targetWeight = layout.target && req.weight;
  layout.prob = static_cast<bool>(req.probTarget);
  layout.shifted = layout.prob || (layout.target && req.smoothing > 0.0);
  if (layout.prob && req.smoothing > 0.0) {
    // Smoothed probabilities y' = (1 - e) y + e / C.
    layout.smoothScale = constFloat(b, loc, acc, 1.0 - req.smoothing);
    layout.smoothShift = arith::DivFOp::create(
        b, loc, constFloat(b, loc, acc, req.smoothing),
        numClassesAsFloat(b, loc, req.logits, axis, acc));
  }
  SmallVector<double> init = initialState(layout, acc);

  RowStats stats;
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, req.logits);
  for (unsigned j = 0; j < rank; ++j)
    if (j != axis)
      stats.rowShape.push_back(sizes[j]);

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
  {
    AffineExpr c = getAffineDimExpr(rowRank, ctx);
    SmallVector<OpFoldResult> loopSizes(stats.rowShape);
    loopSizes.push_back(sizes[axis]);
    SmallVector<LoopInput> operands;
    if (req.classTarget)
      operands.push_back({req.classTarget, rowsMap(rank, {})});
    if (req.weight)
      operands.push_back({req.weight, AffineMap::get(rank, 0, {c}, ctx)});
    if (req.probTarget)
      operands.push_back({req.probTarget, logitsLikeMap(rank, {c})});
    assertConsistentLoopSizes(b, loc, loopSizes, operands);
  }

  // One streaming generic: `logits`, `weight`, `probs` hold the class range
  // being streamed (indexed by `classExprs`); `states` are the accumulators
  // indexed by the rows plus `stateExtra`; `classIndex` rebuilds the class
  // index from the loop indices.
  auto stream = [&](Value logits, Value weight, Value probs,
                    ArrayRef<AffineExpr> classExprs,
                    ArrayRef<AffineExpr> stateExtra,
                    ArrayRef<utils::IteratorType> extraIters,
                    ValueRange states,
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
                     emitUpdate(nb, nl, layout, acc, x, t, w, y, c,
                                args.drop_front(i)));
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
      SmallVector<int64_t> shape;
      SmallVector<ReassociationIndices> groupsOf;
      for (int64_t j = 0; j < ty.getRank(); ++j) {
        if (j == dim) {
          groupsOf.push_back({(int64_t)shape.size(), (int64_t)shape.size() + 1});
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
              arith::MulIOp::create(nb, nl, kk,
                                    arith::ConstantIndexOp::create(nb, nl, lanes)),
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
      SmallVector<Value> updated = llvm::to_vector_of<Value>(stream(
          sliceClasses(req.logits, axis, mainSize, tail),
          sliceOrNull(req.weight, 0), sliceOrNull(req.probTarget, axis), {j},
          {j}, {utils::IteratorType::parallel}, tailStates,
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
                  emitMerge(nb, nl, layout, args.drop_front(n),
                            args.take_front(n)));
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
               linalg::YieldOp::create(nb, nl,
                                       castFloat(nb, nl, r, ty.getElementType()));
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
  Value logSum =
      linalg::GenericOp::create(
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
        return arith::SubFOp::create(
            nb, nl, arith::SubFOp::create(nb, nl, x, row[0]), row[1]);
      });
}

/// `exp(x - max) / sumExp` for every element: softmax from the same
/// streaming statistics.
Value buildSoftmax(OpBuilder &b, Location loc, Value logits, int64_t axis,
                   const RowStats &stats) {
  return mapLogitsWithRows(
      b, loc, logits, axis, {stats.max, stats.sumExp},
      [](OpBuilder &nb, Location nl, Value x, ValueRange row) -> Value {
        Value e =
            math::ExpOp::create(nb, nl, arith::SubFOp::create(nb, nl, x, row[0]));
        return arith::DivFOp::create(nb, nl, e, row[1]);
      });
}

int64_t classAxisOf(RankedTensorType ty) { return ty.getRank() == 1 ? 0 : 1; }

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

struct LogSoftmaxLowering : public OpRewritePattern<LogSoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LogSoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t axis = op.getNormalizedAxis();
    RowStatsRequest req;
    req.logits = op.getInput();
    req.axis = axis;
    RowStats stats = buildRowStats(rewriter, loc, req);
    rewriter.replaceOp(op,
                       buildLogProbs(rewriter, loc, op.getInput(), axis, stats));
    return success();
  }
};

/// Upstream's linalg.softmax (as front ends and the ONNX importer emit it)
/// takes the same streaming path.
struct LinalgSoftmaxLowering : public OpRewritePattern<linalg::SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    auto ty = dyn_cast<RankedTensorType>(op.getInput().getType());
    if (!ty || !op.hasPureTensorSemantics() ||
        !isa<Float16Type, BFloat16Type, Float32Type, Float64Type>(
            ty.getElementType()))
      return rewriter.notifyMatchFailure(op, "needs a float tensor");
    Location loc = op.getLoc();
    RowStatsRequest req;
    req.logits = op.getInput();
    req.axis = op.getDimension();
    RowStats stats = buildRowStats(rewriter, loc, req);
    rewriter.replaceOp(
        op, buildSoftmax(rewriter, loc, op.getInput(), req.axis, stats));
    return success();
  }
};

struct SoftmaxCrossEntropyLowering
    : public OpRewritePattern<SoftmaxCrossEntropyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxCrossEntropyOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto logitsTy = op.getLogits().getType();
    Type elTy = logitsTy.getElementType();
    Type acc = getAccumulatorType(elTy);
    int64_t axis = classAxisOf(logitsTy);
    double eps = op.getLabelSmoothing().convertToDouble();
    bool prob = op.hasProbabilityTarget();

    RowStatsRequest req;
    req.logits = op.getLogits();
    req.axis = axis;
    req.weight = op.getWeight();
    req.smoothing = eps;
    if (prob)
      req.probTarget = op.getTarget();
    else
      req.classTarget = op.getTarget();
    RowStats stats = buildRowStats(rewriter, loc, req);

    MLIRContext *ctx = rewriter.getContext();
    unsigned rowRank = stats.rowShape.size();
    AffineMap rowId = identityMap(ctx, rowRank);
    SmallVector<LoopInput> inputs{{stats.max, rowId}, {stats.sumExp, rowId}};
    if (stats.shiftedSum) {
      inputs.push_back({stats.shiftedSum, rowId});
      inputs.push_back({stats.factorSum, rowId});
    }
    // sum_c o_c (lse - x_c) from the shifted sums.
    auto factorTerm = [&](OpBuilder &b, Location l, Value logSum, Value sumD,
                          Value sumO) {
      return arith::SubFOp::create(b, l, arith::MulFOp::create(b, l, sumO, logSum),
                                   sumD);
    };
    Value loss;
    if (prob) {
      // l = -sum_c w_c y'_c logp_c; mean divides by the number of rows.
      loss = buildReducedLoss(
          rewriter, loc, stats.rowShape, inputs, op.getReduction(), elTy,
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value logSum = math::LogOp::create(b, l, args[1]);
            return std::pair<Value, Value>(
                factorTerm(b, l, logSum, args[2], args[3]), Value());
          });
    } else {
      // (1-e) w_t (lse - x_t) + (e/C) sum_c w_c (lse - x_c), 0 if ignored.
      bool weighted = static_cast<bool>(stats.targetWeight);
      bool smoothed = static_cast<bool>(stats.shiftedSum);
      Value smoothCoef;
      if (smoothed)
        smoothCoef = arith::DivFOp::create(
            rewriter, loc, constFloat(rewriter, loc, acc, eps),
            numClassesAsFloat(rewriter, loc, op.getLogits(), axis, acc));
      inputs.push_back({stats.targetLogit, rowId});
      if (weighted)
        inputs.push_back({stats.targetWeight, rowId});
      inputs.push_back({op.getTarget(), rowId});
      int64_t ignoreIndex = op.getIgnoreIndex();
      loss = buildReducedLoss(
          rewriter, loc, stats.rowShape, inputs, op.getReduction(), elTy,
          [&](OpBuilder &b, Location l, ValueRange args) {
            unsigned i = 0;
            Value m = args[i++];
            Value logSum = math::LogOp::create(b, l, args[i++]);
            Value sumD = smoothed ? args[i++] : Value();
            Value sumO = smoothed ? args[i++] : Value();
            Value xt = args[i++];
            Value wt = weighted ? args[i++] : constFloat(b, l, acc, 1.0);
            Value t = args[i++];
            // (m - x_t) + log(s): subtracting the max first is exact.
            Value v = arith::MulFOp::create(
                b, l, wt,
                arith::AddFOp::create(b, l, arith::SubFOp::create(b, l, m, xt),
                                      logSum));
            if (smoothed)
              v = arith::AddFOp::create(
                  b, l,
                  arith::MulFOp::create(b, l, v,
                                        constFloat(b, l, acc, 1.0 - eps)),
                  arith::MulFOp::create(b, l, factorTerm(b, l, logSum, sumD, sumO),
                                        smoothCoef));
            Value ignored = arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::eq, toI64(b, l, t),
                arith::ConstantOp::create(b, l,
                                          b.getI64IntegerAttr(ignoreIndex)));
            Value zero = constFloat(b, l, acc, 0.0);
            return std::pair<Value, Value>(
                arith::SelectOp::create(b, l, ignored, zero, v),
                arith::SelectOp::create(b, l, ignored, zero, wt));
          },
          /*weightedMean=*/true);
    }

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
    int64_t axis = classAxisOf(inTy);
    unsigned rank = op.getTarget().getType().getRank();
    Value numClasses = arith::IndexCastOp::create(
        rewriter, loc, rewriter.getI64Type(),
        tensor::DimOp::create(rewriter, loc, input, axis));
    int64_t ignoreIndex = op.getIgnoreIndex();

    // The input's batch and extra dims must match the target's.
    if (axis == 1) {
      SmallVector<AffineExpr> exprs{getAffineDimExpr(0, ctx),
                                    getAffineConstantExpr(0, ctx)};
      for (unsigned d = 1; d < rank; ++d)
        exprs.push_back(getAffineDimExpr(d, ctx));
      assertConsistentLoopSizes(
          rewriter, loc, tensor::getMixedSizes(rewriter, loc, target),
          {{input, AffineMap::get(rank, 0, exprs, ctx)}});
    }
    // One gather per target: the index is clamped into [0, C) so nothing is
    // read out of bounds, and an out-of-range target yields NaN.
    Value loss = buildReducedLoss(
        rewriter, loc, tensor::getMixedSizes(rewriter, loc, target),
        {{target, identityMap(ctx, rank)}}, op.getReduction(), elTy,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value t = toI64(b, l, args[0]);
          Value zeroI = arith::ConstantOp::create(b, l, b.getI64IntegerAttr(0));
          Value inRange = arith::AndIOp::create(
              b, l,
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, t, zeroI),
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, t,
                                    numClasses));
          Value safeT = arith::IndexCastOp::create(
              b, l, b.getIndexType(),
              arith::SelectOp::create(b, l, inRange, t, zeroI));
          SmallVector<Value> idx;
          if (axis == 0) {
            idx.push_back(safeT);
          } else {
            idx.push_back(linalg::IndexOp::create(b, l, 0));
            idx.push_back(safeT);
            for (unsigned d = 1; d < rank; ++d)
              idx.push_back(linalg::IndexOp::create(b, l, d));
          }
          Value x = castFloat(b, l, tensor::ExtractOp::create(b, l, input, idx),
                              acc);
          Value w = weight ? castFloat(b, l,
                                       tensor::ExtractOp::create(
                                           b, l, weight, ValueRange{safeT}),
                                       acc)
                           : constFloat(b, l, acc, 1.0);
          Value v = arith::NegFOp::create(b, l, arith::MulFOp::create(b, l, w, x));
          v = arith::SelectOp::create(b, l, inRange, v,
                                      constFloat(b, l, acc, NAN));
          Value ignored = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::eq, t,
              arith::ConstantOp::create(b, l, b.getI64IntegerAttr(ignoreIndex)));
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
    RewritePatternSet &patterns) {
  patterns.add<LogSoftmaxLowering, LinalgSoftmaxLowering,
               SoftmaxCrossEntropyLowering, NllLowering>(patterns.getContext());
}
