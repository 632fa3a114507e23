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

Value lowestFinite(OpBuilder &b, Location loc, Type ty) {
  auto fty = cast<FloatType>(ty);
  APFloat lowest = APFloat::getLargest(fty.getFloatSemantics(), true);
  return arith::ConstantOp::create(b, loc, ty, b.getFloatAttr(ty, lowest));
}

/// The number of classes as a float of type `ty`.
Value numClassesAsFloat(OpBuilder &b, Location loc, Value logits,
                        int64_t axis, Type ty) {
  OpFoldResult c = tensor::getMixedSize(b, loc, logits, axis);
  return numElementsAsFloat(b, loc, {c}, ty);
}

RowStats buildRowStats(OpBuilder &b, Location loc, const RowStatsRequest &req) {
  MLIRContext *ctx = b.getContext();
  auto logitsTy = cast<RankedTensorType>(req.logits.getType());
  unsigned rank = logitsTy.getRank();
  Type acc = getAccumulatorType(logitsTy.getElementType());

  // Loops: the non-class dims in order, then the class dim innermost.
  SmallVector<AffineExpr> logitsExprs, rowExprs;
  for (unsigned j = 0; j < rank; ++j) {
    if (j == req.axis) {
      logitsExprs.push_back(getAffineDimExpr(rank - 1, ctx));
      continue;
    }
    unsigned loop = j < req.axis ? j : j - 1;
    logitsExprs.push_back(getAffineDimExpr(loop, ctx));
    rowExprs.push_back(getAffineDimExpr(loop, ctx));
  }
  AffineMap logitsMap = AffineMap::get(rank, 0, logitsExprs, ctx);
  AffineMap rowMap = AffineMap::get(rank, 0, rowExprs, ctx);
  AffineMap classMap =
      AffineMap::get(rank, 0, {getAffineDimExpr(rank - 1, ctx)}, ctx);

  RowStats stats;
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, req.logits);
  for (unsigned j = 0; j < rank; ++j)
    if (j != req.axis)
      stats.rowShape.push_back(sizes[j]);

  SmallVector<Value> ins{req.logits};
  SmallVector<AffineMap> maps{logitsMap};
  if (req.classTarget) {
    ins.push_back(req.classTarget);
    maps.push_back(rowMap);
  }
  if (req.weight) {
    ins.push_back(req.weight);
    maps.push_back(classMap);
  }
  if (req.probTarget) {
    ins.push_back(req.probTarget);
    maps.push_back(logitsMap);
  }

  // Accumulators, in order: max, sumExp, [targetLogit], [targetWeight],
  // [shiftedSum, factorSum].
  Value emptyRow = tensor::EmptyOp::create(b, loc, stats.rowShape, acc);
  auto fill = [&](Value v) {
    return linalg::FillOp::create(b, loc, ValueRange{v}, ValueRange{emptyRow})
        .getResult(0);
  };
  SmallVector<Value> inits{fill(lowestFinite(b, loc, acc)),
                           fill(constFloat(b, loc, acc, 0.0))};
  bool wantTarget = static_cast<bool>(req.classTarget);
  bool wantTargetWeight = wantTarget && req.weight;
  bool wantProb = static_cast<bool>(req.probTarget);
  bool wantShifted = wantProb || (wantTarget && req.smoothing > 0.0);
  if (wantTarget)
    inits.push_back(fill(constFloat(b, loc, acc, NAN)));
  if (wantTargetWeight)
    inits.push_back(fill(constFloat(b, loc, acc, 0.0)));
  if (wantShifted) {
    inits.push_back(fill(constFloat(b, loc, acc, 0.0)));
    inits.push_back(fill(constFloat(b, loc, acc, 0.0)));
  }
  for (size_t i = 0; i < inits.size(); ++i)
    maps.push_back(rowMap);

  // Smoothed probabilities y' = (1 - e) y + e / C need e / C from outside.
  Value smoothScale, smoothShift;
  if (wantProb && req.smoothing > 0.0) {
    smoothScale = constFloat(b, loc, acc, 1.0 - req.smoothing);
    smoothShift = arith::DivFOp::create(
        b, loc, constFloat(b, loc, acc, req.smoothing),
        numClassesAsFloat(b, loc, req.logits, req.axis, acc));
  }

  SmallVector<utils::IteratorType> iters(rank - 1,
                                         utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange(ValueRange(inits)), ins, inits, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        unsigned i = 0;
        Value x = castFloat(nb, nl, args[i++], acc);
        Value t = wantTarget ? args[i++] : Value();
        Value w = req.weight ? castFloat(nb, nl, args[i++], acc) : Value();
        Value y = wantProb ? castFloat(nb, nl, args[i++], acc) : Value();
        Value m = args[i++], s = args[i++];
        SmallVector<Value> yields;

        // Online softmax with one exp per element: if x raises the max,
        // rescale s by exp(m - x) and add 1, else add exp(x - m).
        Value one = constFloat(nb, nl, acc, 1.0);
        Value d = arith::SubFOp::create(nb, nl, x, m);
        Value raises =
            arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT, d,
                                  constFloat(nb, nl, acc, 0.0));
        Value e = math::ExpOp::create(
            nb, nl,
            arith::NegFOp::create(nb, nl, math::AbsFOp::create(nb, nl, d)));
        Value rescaled = arith::AddFOp::create(
            nb, nl, arith::MulFOp::create(nb, nl, s, e), one);
        Value added = arith::AddFOp::create(nb, nl, s, e);
        yields.push_back(arith::SelectOp::create(nb, nl, raises, x, m));
        yields.push_back(
            arith::SelectOp::create(nb, nl, raises, rescaled, added));

        if (wantTarget) {
          Value c = arith::IndexCastOp::create(
              nb, nl, nb.getI64Type(), linalg::IndexOp::create(nb, nl, rank - 1));
          Value hit = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, c,
                                            toI64(nb, nl, t));
          Value xt = args[i++];
          yields.push_back(arith::SelectOp::create(nb, nl, hit, x, xt));
          if (wantTargetWeight) {
            Value wt = args[i++];
            yields.push_back(arith::SelectOp::create(nb, nl, hit, w, wt));
          }
        }
        if (wantShifted) {
          // o = w * y' (probabilities) or w (smoothing); when the max rises
          // by d, every earlier (x_c - m) term drops by d.
          Value sumD = args[i++], sumO = args[i++];
          Value o = w;
          if (wantProb) {
            Value yp = y;
            if (smoothScale)
              yp = arith::AddFOp::create(
                  nb, nl, arith::MulFOp::create(nb, nl, y, smoothScale),
                  smoothShift);
            o = w ? arith::MulFOp::create(nb, nl, w, yp) : yp;
          }
          Value dRaised = arith::SubFOp::create(
              nb, nl, sumD, arith::MulFOp::create(nb, nl, d, sumO));
          Value dKept = arith::AddFOp::create(
              nb, nl, sumD, o ? arith::MulFOp::create(nb, nl, o, d) : d);
          yields.push_back(
              arith::SelectOp::create(nb, nl, raises, dRaised, dKept));
          yields.push_back(arith::AddFOp::create(nb, nl, sumO, o ? o : one));
        }
        linalg::YieldOp::create(nb, nl, yields);
      });

  unsigned r = 0;
  stats.max = generic.getResult(r++);
  stats.sumExp = generic.getResult(r++);
  if (wantTarget)
    stats.targetLogit = generic.getResult(r++);
  if (wantTargetWeight)
    stats.targetWeight = generic.getResult(r++);
  if (wantShifted) {
    stats.shiftedSum = generic.getResult(r++);
    stats.factorSum = generic.getResult(r++);
  }
  return stats;
}

/// `(x - max) - log(sumExp)` for every element of the logits: log_softmax.
/// Subtracting the max first keeps log-probabilities of rows of large,
/// nearly equal logits exact.
Value buildLogProbs(OpBuilder &b, Location loc, Value logits, int64_t axis,
                    const RowStats &stats) {
  MLIRContext *ctx = b.getContext();
  auto ty = cast<RankedTensorType>(logits.getType());
  unsigned rank = ty.getRank();
  Type acc = getAccumulatorType(ty.getElementType());
  unsigned rowRank = rank - 1;

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

  SmallVector<AffineExpr> rowExprs;
  for (unsigned j = 0; j < rank; ++j)
    if (j != axis)
      rowExprs.push_back(getAffineDimExpr(j, ctx));
  AffineMap full = identityMap(ctx, rank);
  AffineMap rowMap = AffineMap::get(rank, 0, rowExprs, ctx);
  Value init = tensor::EmptyOp::create(
      b, loc, tensor::getMixedSizes(b, loc, logits), ty.getElementType());
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, ty, ValueRange{logits, stats.max, logSum},
             ValueRange{init}, {full, rowMap, rowMap, full}, iters,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value x = castFloat(nb, nl, args[0], acc);
               Value lp = arith::SubFOp::create(
                   nb, nl, arith::SubFOp::create(nb, nl, x, args[1]), args[2]);
               linalg::YieldOp::create(
                   nb, nl, castFloat(nb, nl, lp, ty.getElementType()));
             })
      .getResult(0);
}

/// `exp(x - max) / sumExp` for every element: softmax from the same
/// streaming statistics.
Value buildSoftmax(OpBuilder &b, Location loc, Value logits, int64_t axis,
                   const RowStats &stats) {
  MLIRContext *ctx = b.getContext();
  auto ty = cast<RankedTensorType>(logits.getType());
  unsigned rank = ty.getRank();
  Type acc = getAccumulatorType(ty.getElementType());
  SmallVector<AffineExpr> rowExprs;
  for (unsigned j = 0; j < rank; ++j)
    if (j != axis)
      rowExprs.push_back(getAffineDimExpr(j, ctx));
  AffineMap full = identityMap(ctx, rank);
  AffineMap rowMap = AffineMap::get(rank, 0, rowExprs, ctx);
  Value init = tensor::EmptyOp::create(
      b, loc, tensor::getMixedSizes(b, loc, logits), ty.getElementType());
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, ty, ValueRange{logits, stats.max, stats.sumExp},
             ValueRange{init}, {full, rowMap, rowMap, full}, iters,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value x = castFloat(nb, nl, args[0], acc);
               Value e = math::ExpOp::create(
                   nb, nl, arith::SubFOp::create(nb, nl, x, args[1]));
               Value p = arith::DivFOp::create(nb, nl, e, args[2]);
               linalg::YieldOp::create(
                   nb, nl, castFloat(nb, nl, p, ty.getElementType()));
             })
      .getResult(0);
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
    rewriter.replaceOp(op, results);
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
    rewriter.replaceOp(op, loss);
    return success();
  }
};

} // namespace

void mlir::loss::populateCrossEntropyToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<LogSoftmaxLowering, LinalgSoftmaxLowering,
               SoftmaxCrossEntropyLowering, NllLowering>(patterns.getContext());
}
