//===- CrossEntropyGPU.cpp - The softmax family as block-per-row kernels --===//
//
// log_softmax, softmax_cross_entropy and linalg.softmax on the GPU: one
// block per row of the logits (every dim but the class axis; blocks loop
// over rows when there are more rows than blocks). Per row:
//
//  1. the block's threads stride over the classes, each keeping the online
//     softmax state of convert-loss-to-linalg (running max m, sum of
//     exponentials s rescaled when m rises, one exp per element) and, for
//     label smoothing or probability targets, the shifted factor sums
//     D = sum_c o_c (x_c - m) and O = sum_c o_c;
//  2. the states are merged across the block with gpu.all_reduce: M = max m,
//     S = sum s * exp(m - M), D = sum (D - (M - m) O), O = sum O;
//  3. thread 0 finishes the row's loss (and weight, for a weighted mean);
//  4. for log_softmax / softmax / the `log_prob` result, every thread writes
//     its share of the row from (M, log S).
//
// The formulas are those of the CPU lowering (CrossEntropy.cpp), so results
// agree to rounding; `sum`/`mean` over rows is a linalg reduction that
// loss-map-linalg-to-gpu maps to a two-kernel grid reduction.
//
//===----------------------------------------------------------------------===//

#include "../LossToLinalg/Utils.h"
#include "GPUUtils.h"
#include "loss-mlir/Conversion/LossToGPU/LossToGPU.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loss;
using gpu::AllReduceOperation;

namespace {

enum class ElementOut { None, LogProb, Softmax };

struct RowRequest {
  Value logits;
  int64_t axis = 0;
  Value classTarget; // integer, row-shaped
  Value probTarget;  // float, logits-shaped
  Value weight;      // [C]
  double smoothing = 0.0;
  int64_t ignoreIndex = -100;
  bool rowLoss = false;              // softmax_cross_entropy
  bool rowLossInElementType = false; // `none`: the loss itself
  bool rowWeight = false;            // class targets, `mean`
  ElementOut elementOut = ElementOut::None;
};

struct RowResult {
  SmallVector<OpFoldResult> rowShape;
  Value rowLoss, rowWeight, elements; // tensors
};

Value lowestFinite(OpBuilder &b, Location loc, Type ty) {
  auto fty = cast<FloatType>(ty);
  APFloat lowest = APFloat::getLargest(fty.getFloatSemantics(), true);
  return arith::ConstantOp::create(b, loc, ty, b.getFloatAttr(ty, lowest));
}

Value indexToFloat(OpBuilder &b, Location loc, Value idx, Type ty) {
  Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), idx);
  return arith::SIToFPOp::create(b, loc, ty, i64);
}

RowResult buildRowKernel(OpBuilder &b, Location loc, const RowRequest &req,
                         GPUKernelSizes sizes) {
  auto ty = cast<RankedTensorType>(req.logits.getType());
  Type elTy = ty.getElementType();
  Type acc = getAccumulatorType(elTy);
  unsigned rank = ty.getRank();
  int64_t axis = req.axis;

  RowResult res;
  SmallVector<OpFoldResult> shape = tensor::getMixedSizes(b, loc, req.logits);
  SmallVector<Value> rowSizes;
  for (unsigned j = 0; j < rank; ++j) {
    if (j == axis)
      continue;
    res.rowShape.push_back(shape[j]);
    rowSizes.push_back(getValueOrCreateConstantIndexOp(b, loc, shape[j]));
  }
  Value numClasses = getValueOrCreateConstantIndexOp(b, loc, shape[axis]);
  Value rows = productIndex(b, loc, rowSizes);

  // Targets, weight and probabilities must fit the logits before the kernel
  // reads them (checked at run time where a size is dynamic), as on the CPU.
  {
    MLIRContext *ctx = b.getContext();
    unsigned rowRank = rowSizes.size(), numLoops = rowRank + 1;
    AffineExpr c = getAffineDimExpr(rowRank, ctx);
    SmallVector<AffineExpr> rowExprs, logitsExprs;
    for (unsigned j = 0; j < rowRank; ++j)
      rowExprs.push_back(getAffineDimExpr(j, ctx));
    for (unsigned j = 0; j < rank; ++j)
      logitsExprs.push_back(j == axis ? c
                                      : getAffineDimExpr(j < axis ? j : j - 1,
                                                         ctx));
    SmallVector<OpFoldResult> loopSizes(res.rowShape);
    loopSizes.push_back(shape[axis]);
    SmallVector<LoopInput> operands;
    if (req.classTarget)
      operands.push_back(
          {req.classTarget, AffineMap::get(numLoops, 0, rowExprs, ctx)});
    if (req.weight)
      operands.push_back({req.weight, AffineMap::get(numLoops, 0, {c}, ctx)});
    if (req.probTarget)
      operands.push_back(
          {req.probTarget, AffineMap::get(numLoops, 0, logitsExprs, ctx)});
    if (!operands.empty())
      assertConsistentLoopSizes(b, loc, loopSizes, operands);
  }

  Value logits = kernelInput(b, loc, req.logits);
  Value classTarget =
      req.classTarget ? kernelInput(b, loc, req.classTarget) : Value();
  Value probTarget =
      req.probTarget ? kernelInput(b, loc, req.probTarget) : Value();
  Value weight = req.weight ? kernelInput(b, loc, req.weight) : Value();
  Value lossBuf, weightBuf, elemBuf;
  if (req.rowLoss)
    lossBuf = kernelOutput(b, loc, res.rowShape,
                           req.rowLossInElementType ? elTy : acc);
  if (req.rowWeight)
    weightBuf = kernelOutput(b, loc, res.rowShape, acc);
  if (req.elementOut != ElementOut::None)
    elemBuf = kernelOutput(b, loc, shape, elTy);

  bool wantShifted =
      static_cast<bool>(probTarget) || (classTarget && req.smoothing > 0.0);
  bool smoothProb = probTarget && req.smoothing > 0.0;

  Value grid = clampIndex(b, loc, rows, 1, sizes.maxGridSize);
  Value block = blockSizeFor(b, loc, numClasses, sizes.blockSize);
  {
    OpBuilder::InsertionGuard guard(b);
    Kernel k = createKernel(b, loc, grid, block);
    k.launch->setAttr("loss.mapping", b.getStringAttr("block-per-row"));
    scf::ForOp::create(
        b, loc, k.blockId, rows, k.gridSize, ValueRange{},
        [&](OpBuilder &nb, Location nl, Value r, ValueRange) {
          SmallVector<Value> rowIdx = delinearizeIndex(nb, nl, r, rowSizes);
          auto at = [&](Value c) {
            SmallVector<Value> idx(rowIdx);
            idx.insert(idx.begin() + axis, c);
            return idx;
          };
          auto loadAcc = [&](OpBuilder &lb, Location ll, Value buf,
                             ValueRange idx) {
            return castFloat(lb, ll, memref::LoadOp::create(lb, ll, buf, idx),
                             acc);
          };
          Value zero = constFloat(nb, nl, acc, 0.0);
          Value numClassesF = indexToFloat(nb, nl, numClasses, acc);
          Value smoothScale, smoothShift;
          if (smoothProb) {
            smoothScale = constFloat(nb, nl, acc, 1.0 - req.smoothing);
            smoothShift = arith::DivFOp::create(
                nb, nl, constFloat(nb, nl, acc, req.smoothing), numClassesF);
          }

          // 1. Thread-local online softmax over a strided share of the row.
          SmallVector<Value> inits{lowestFinite(nb, nl, acc), zero};
          if (wantShifted)
            inits.append({zero, zero});
          auto local = scf::ForOp::create(
              nb, nl, k.threadId, numClasses, k.blockSize, inits,
              [&](OpBuilder &lb, Location ll, Value c, ValueRange it) {
                Value x = loadAcc(lb, ll, logits, at(c));
                Value m = it[0], s = it[1];
                Value d = arith::SubFOp::create(lb, ll, x, m);
                Value raises =
                    arith::CmpFOp::create(lb, ll, arith::CmpFPredicate::OGT, d,
                                          constFloat(lb, ll, acc, 0.0));
                Value e = math::ExpOp::create(
                    lb, ll,
                    arith::NegFOp::create(lb, ll,
                                          math::AbsFOp::create(lb, ll, d)));
                Value rescaled = arith::AddFOp::create(
                    lb, ll, arith::MulFOp::create(lb, ll, s, e),
                    constFloat(lb, ll, acc, 1.0));
                Value added = arith::AddFOp::create(lb, ll, s, e);
                SmallVector<Value> next{
                    arith::SelectOp::create(lb, ll, raises, x, m),
                    arith::SelectOp::create(lb, ll, raises, rescaled, added)};
                if (wantShifted) {
                  Value sumD = it[2], sumO = it[3];
                  Value o =
                      weight ? loadAcc(lb, ll, weight, ValueRange{c}) : Value();
                  if (probTarget) {
                    Value y = loadAcc(lb, ll, probTarget, at(c));
                    if (smoothProb)
                      y = arith::AddFOp::create(
                          lb, ll, arith::MulFOp::create(lb, ll, y, smoothScale),
                          smoothShift);
                    o = o ? arith::MulFOp::create(lb, ll, o, y).getResult() : y;
                  }
                  Value dRaised = arith::SubFOp::create(
                      lb, ll, sumD, arith::MulFOp::create(lb, ll, d, sumO));
                  Value dKept = arith::AddFOp::create(
                      lb, ll, sumD,
                      o ? arith::MulFOp::create(lb, ll, o, d).getResult() : d);
                  next.push_back(
                      arith::SelectOp::create(lb, ll, raises, dRaised, dKept));
                  next.push_back(arith::AddFOp::create(
                      lb, ll, sumO, o ? o : constFloat(lb, ll, acc, 1.0)));
                }
                scf::YieldOp::create(lb, ll, next);
              });

          // 2. Merge across the block.
          Value m = local.getResult(0), s = local.getResult(1);
          Value maxAll =
              blockAllReduce(nb, nl, m, AllReduceOperation::MAXIMUMF);
          Value scale = math::ExpOp::create(
              nb, nl, arith::SubFOp::create(nb, nl, m, maxAll));
          Value sumAll =
              blockAllReduce(nb, nl, arith::MulFOp::create(nb, nl, s, scale),
                             AllReduceOperation::ADD);
          Value dAll, oAll;
          if (wantShifted) {
            Value sumD = local.getResult(2), sumO = local.getResult(3);
            // Relative to the block's max; a thread that saw no factor keeps
            // its 0 (no inf * 0 from an untouched running max).
            Value noFactor = arith::CmpFOp::create(
                nb, nl, arith::CmpFPredicate::OEQ, sumO, zero);
            Value shifted = arith::SubFOp::create(
                nb, nl, sumD,
                arith::MulFOp::create(
                    nb, nl, arith::SubFOp::create(nb, nl, maxAll, m), sumO));
            dAll = blockAllReduce(
                nb, nl,
                arith::SelectOp::create(nb, nl, noFactor, sumD, shifted),
                AllReduceOperation::ADD);
            oAll = blockAllReduce(nb, nl, sumO, AllReduceOperation::ADD);
          }
          gpu::BarrierOp::create(nb, nl);
          Value logSum = math::LogOp::create(nb, nl, sumAll);
          // sum_c o_c (lse - x_c) = O log(S) - D.
          auto factorTerm = [&](OpBuilder &fb, Location fl) {
            return arith::SubFOp::create(
                fb, fl, arith::MulFOp::create(fb, fl, oAll, logSum), dAll);
          };

          // 3. The row's loss.
          if (lossBuf) {
            ifThreadZero(nb, nl, k, [&](OpBuilder &tb, Location tl) {
              Value v, wv;
              if (probTarget) {
                v = factorTerm(tb, tl);
              } else {
                Value t =
                    toI64(tb, tl,
                          memref::LoadOp::create(tb, tl, classTarget, rowIdx));
                Value numClassesI = arith::IndexCastOp::create(
                    tb, tl, tb.getI64Type(), numClasses);
                Value zeroI =
                    arith::ConstantOp::create(tb, tl, tb.getI64IntegerAttr(0));
                Value inRange = arith::AndIOp::create(
                    tb, tl,
                    arith::CmpIOp::create(tb, tl, arith::CmpIPredicate::sge, t,
                                          zeroI),
                    arith::CmpIOp::create(tb, tl, arith::CmpIPredicate::slt, t,
                                          numClassesI));
                Value safeT = arith::IndexCastOp::create(
                    tb, tl, tb.getIndexType(),
                    arith::SelectOp::create(tb, tl, inRange, t, zeroI));
                Value xt = arith::SelectOp::create(
                    tb, tl, inRange, loadAcc(tb, tl, logits, at(safeT)),
                    constFloat(tb, tl, acc, NAN));
                Value wt = constFloat(tb, tl, acc, 1.0);
                if (weight)
                  wt = arith::SelectOp::create(
                      tb, tl, inRange,
                      loadAcc(tb, tl, weight, ValueRange{safeT}),
                      constFloat(tb, tl, acc, 0.0));
                // (M - x_t) + log(S): subtracting the max first is exact.
                v = arith::MulFOp::create(
                    tb, tl, wt,
                    arith::AddFOp::create(
                        tb, tl, arith::SubFOp::create(tb, tl, maxAll, xt),
                        logSum));
                if (req.smoothing > 0.0)
                  v = arith::AddFOp::create(
                      tb, tl,
                      arith::MulFOp::create(
                          tb, tl, v,
                          constFloat(tb, tl, acc, 1.0 - req.smoothing)),
                      arith::MulFOp::create(
                          tb, tl, factorTerm(tb, tl),
                          arith::DivFOp::create(
                              tb, tl, constFloat(tb, tl, acc, req.smoothing),
                              numClassesF)));
                Value ignored = arith::CmpIOp::create(
                    tb, tl, arith::CmpIPredicate::eq, t,
                    arith::ConstantOp::create(
                        tb, tl, tb.getI64IntegerAttr(req.ignoreIndex)));
                Value z = constFloat(tb, tl, acc, 0.0);
                v = arith::SelectOp::create(tb, tl, ignored, z, v);
                wv = arith::SelectOp::create(tb, tl, ignored, z, wt);
              }
              memref::StoreOp::create(
                  tb, tl,
                  req.rowLossInElementType ? castFloat(tb, tl, v, elTy) : v,
                  lossBuf, rowIdx);
              if (weightBuf)
                memref::StoreOp::create(tb, tl, wv, weightBuf, rowIdx);
            });
          }

          // 4. Element-wise results from the row's statistics.
          if (elemBuf) {
            scf::ForOp::create(
                nb, nl, k.threadId, numClasses, k.blockSize, ValueRange{},
                [&](OpBuilder &lb, Location ll, Value c, ValueRange) {
                  Value x = loadAcc(lb, ll, logits, at(c));
                  Value shiftedX = arith::SubFOp::create(lb, ll, x, maxAll);
                  Value out =
                      req.elementOut == ElementOut::LogProb
                          ? arith::SubFOp::create(lb, ll, shiftedX, logSum)
                                .getResult()
                          : arith::DivFOp::create(
                                lb, ll, math::ExpOp::create(lb, ll, shiftedX),
                                sumAll)
                                .getResult();
                  memref::StoreOp::create(lb, ll, castFloat(lb, ll, out, elTy),
                                          elemBuf, at(c));
                  scf::YieldOp::create(lb, ll);
                });
          }
          scf::YieldOp::create(nb, nl);
        });
  }
  if (lossBuf)
    res.rowLoss = kernelResult(b, loc, lossBuf);
  if (weightBuf)
    res.rowWeight = kernelResult(b, loc, weightBuf);
  if (elemBuf)
    res.elements = kernelResult(b, loc, elemBuf);
  return res;
}

Value castTo(OpBuilder &b, Location loc, Value v, Type ty) {
  if (v.getType() == ty)
    return v;
  return tensor::CastOp::create(b, loc, ty, v);
}

struct LogSoftmaxToGPU : public OpRewritePattern<LogSoftmaxOp> {
  LogSoftmaxToGPU(MLIRContext *ctx, GPUKernelSizes sizes)
      : OpRewritePattern(ctx), sizes(sizes) {}
  LogicalResult matchAndRewrite(LogSoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    RowRequest req;
    req.logits = op.getInput();
    req.axis = op.getNormalizedAxis();
    req.elementOut = ElementOut::LogProb;
    RowResult rr = buildRowKernel(rewriter, op.getLoc(), req, sizes);
    rewriter.replaceOp(op, castTo(rewriter, op.getLoc(), rr.elements,
                                  op.getResult().getType()));
    return success();
  }
  GPUKernelSizes sizes;
};

struct LinalgSoftmaxToGPU : public OpRewritePattern<linalg::SoftmaxOp> {
  LinalgSoftmaxToGPU(MLIRContext *ctx, GPUKernelSizes sizes)
      : OpRewritePattern(ctx), sizes(sizes) {}
  LogicalResult matchAndRewrite(linalg::SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    auto ty = dyn_cast<RankedTensorType>(op.getInput().getType());
    if (!ty || !op.hasPureTensorSemantics() ||
        !isa<Float16Type, BFloat16Type, Float32Type, Float64Type>(
            ty.getElementType()))
      return rewriter.notifyMatchFailure(op, "needs a float tensor");
    RowRequest req;
    req.logits = op.getInput();
    req.axis = op.getDimension();
    req.elementOut = ElementOut::Softmax;
    RowResult rr = buildRowKernel(rewriter, op.getLoc(), req, sizes);
    rewriter.replaceOp(op, castTo(rewriter, op.getLoc(), rr.elements,
                                  op.getResult()[0].getType()));
    return success();
  }
  GPUKernelSizes sizes;
};

struct SoftmaxCrossEntropyToGPU
    : public OpRewritePattern<SoftmaxCrossEntropyOp> {
  SoftmaxCrossEntropyToGPU(MLIRContext *ctx, GPUKernelSizes sizes)
      : OpRewritePattern(ctx), sizes(sizes) {}
  LogicalResult matchAndRewrite(SoftmaxCrossEntropyOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto logitsTy = op.getLogits().getType();
    Type elTy = logitsTy.getElementType();
    bool prob = op.hasProbabilityTarget();
    Reduction reduction = op.getReduction();

    RowRequest req;
    req.logits = op.getLogits();
    req.axis = logitsTy.getRank() == 1 ? 0 : 1;
    (prob ? req.probTarget : req.classTarget) = op.getTarget();
    req.weight = op.getWeight();
    req.smoothing = op.getLabelSmoothing().convertToDouble();
    req.ignoreIndex = op.getIgnoreIndex();
    req.rowLoss = true;
    req.rowLossInElementType = reduction == Reduction::none;
    req.rowWeight = !prob && reduction == Reduction::mean;
    if (op.getLogProb())
      req.elementOut = ElementOut::LogProb;
    RowResult rr = buildRowKernel(rewriter, loc, req, sizes);

    Value loss = rr.rowLoss;
    if (reduction != Reduction::none) {
      MLIRContext *ctx = rewriter.getContext();
      AffineMap id = identityMap(ctx, rr.rowShape.size());
      SmallVector<LoopInput> inputs{{rr.rowLoss, id}};
      if (rr.rowWeight)
        inputs.push_back({rr.rowWeight, id});
      bool weighted = static_cast<bool>(rr.rowWeight);
      loss = buildReducedLoss(
          rewriter, loc, rr.rowShape, inputs, reduction, elTy,
          [&](OpBuilder &, Location, ValueRange args) {
            return std::pair<Value, Value>(args[0],
                                           weighted ? args[1] : Value());
          },
          /*weightedMean=*/weighted);
    }
    SmallVector<Value> results{
        castTo(rewriter, loc, loss, op.getResult().getType())};
    if (op.getLogProb())
      results.push_back(
          castTo(rewriter, loc, rr.elements, op.getLogProb().getType()));
    rewriter.replaceOp(op, results);
    return success();
  }
  GPUKernelSizes sizes;
};

} // namespace

void mlir::loss::populateCrossEntropyToGPUPatterns(RewritePatternSet &patterns,
                                                   GPUKernelSizes sizes) {
  patterns.add<LogSoftmaxToGPU, LinalgSoftmaxToGPU, SoftmaxCrossEntropyToGPU>(
      patterns.getContext(), sizes);
}
