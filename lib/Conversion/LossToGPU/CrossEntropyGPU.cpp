//===- CrossEntropyGPU.cpp - The softmax family as block-per-row kernels --===//
//
// log_softmax, softmax_cross_entropy and linalg.softmax on the GPU: one
// block per row of the logits (every dim but the class axis; blocks loop
// over rows when there are more rows than blocks). Per row:
//
//  1. the block's threads stride over the classes, each folding its share
//     into an online-softmax state (OnlineSoftmax::update: running max m,
//     sum of exponentials s, and, for label smoothing or probability
//     targets, the shifted factor sums D and O);
//  2. the states are merged across the block as OnlineSoftmax::merge
//     defines it: M = gpu.all_reduce max of m, every state rebased on M
//     (OnlineSoftmax::rebase), the rebased sums added by gpu.all_reduce;
//  3. thread 0 reads the target logit and weight and finishes the row's loss
//     (emitClassTargetRowLoss / emitFactorTerm);
//  4. for log_softmax / softmax / the `log_prob` result, every thread writes
//     its share of the row from (M, log S).
//
// The arithmetic is LossArithmetic.h's, the same the CPU lowering
// (CrossEntropy.cpp) calls, so results agree to rounding; this file is the
// GPU schedule over it. `sum`/`mean` over rows is a linalg reduction that
// map-linalg-to-gpu maps to a two-kernel grid reduction.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/GPU/Transforms/GPUUtils.h"
#include "loss-mlir/Conversion/LossToGPU/LossToGPU.h"
#include "loss-mlir/Dialect/Loss/IR/Loss.h"
#include "loss-mlir/Dialect/Loss/Utils/LossArithmetic.h"
#include "loss-mlir/Dialect/Loss/Utils/LossReduction.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>
#include <tuple>

using namespace mlir;
using namespace mlir::loss;
using gpu::AllReduceOperation;

namespace {

enum class ElementOut { None, LogProb, Softmax };

/// What the kernel computes for the rows of `ops`.
struct RowRequest {
  SoftmaxRowOperands ops;
  bool rowLoss = false;              // softmax_cross_entropy
  bool rowLossInElementType = false; // `none`: the loss itself
  bool rowWeight = false;            // class targets, `mean`
  ElementOut elementOut = ElementOut::None;
};

struct RowResult {
  SmallVector<OpFoldResult> rowShape;
  Value rowLoss, rowWeight, elements; // tensors
};

RowResult buildRowKernel(OpBuilder &b, Location loc, const RowRequest &req,
                         GPUKernelSizes sizes) {
  const SoftmaxRowOperands &ops = req.ops;
  auto ty = cast<RankedTensorType>(ops.logits.getType());
  Type elTy = ty.getElementType();
  Type acc = getAccumulatorType(elTy);
  int64_t axis = ops.axis;

  RowResult res;
  SmallVector<OpFoldResult> shape = tensor::getMixedSizes(b, loc, ops.logits);
  res.rowShape = getRowShape(b, loc, ops);
  SmallVector<Value> rowSizes =
      getValueOrCreateConstantIndexOp(b, loc, res.rowShape);
  Value numClasses = getValueOrCreateConstantIndexOp(b, loc, shape[axis]);
  Value rows = productIndex(b, loc, rowSizes);

  // Targets, weight and probabilities must fit the logits before the kernel
  // reads them (checked at run time where a size is dynamic), as on the CPU.
  assertSoftmaxRowOperandSizes(b, loc, ops);

  Value logits = kernelInput(b, loc, ops.logits);
  Value classTarget =
      ops.classTarget ? kernelInput(b, loc, ops.classTarget) : Value();
  Value probTarget =
      ops.probTarget ? kernelInput(b, loc, ops.probTarget) : Value();
  Value weight = ops.weight ? kernelInput(b, loc, ops.weight) : Value();
  Value lossBuf, weightBuf, elemBuf;
  if (req.rowLoss)
    lossBuf = kernelOutput(b, loc, res.rowShape,
                           req.rowLossInElementType ? elTy : acc);
  if (req.rowWeight)
    weightBuf = kernelOutput(b, loc, res.rowShape, acc);
  if (req.elementOut != ElementOut::None)
    elemBuf = kernelOutput(b, loc, shape, elTy);

  Value grid = clampIndex(b, loc, rows, 1, sizes.maxGridSize);
  Value block = blockSizeFor(b, loc, numClasses, sizes.blockSize);
  launchBlockPerItem(
      b, loc, grid, block, "block-per-row", rows,
      [&](OpBuilder &nb, Location nl, const Kernel &k, Value r) {
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
        Value numClassesF = indexToFloat(nb, nl, numClasses, acc);
        // The target logit and weight are read once per row, by thread 0.
        OnlineSoftmax sm = OnlineSoftmax::get(
            nb, nl, acc, static_cast<bool>(classTarget),
            /*streamTarget=*/false, static_cast<bool>(weight),
            static_cast<bool>(probTarget), ops.smoothing,
            [&] { return numClassesF; });

        // 1. Thread-local online softmax over a strided share of the row.
        auto local = scf::ForOp::create(
            nb, nl, k.threadId, numClasses, k.blockSize,
            sm.initialState(nb, nl),
            [&](OpBuilder &lb, Location ll, Value c, ValueRange it) {
              Value x = loadAcc(lb, ll, logits, at(c));
              Value w = sm.needsWeight()
                            ? loadAcc(lb, ll, weight, ValueRange{c})
                            : Value();
              Value y = sm.prob ? loadAcc(lb, ll, probTarget, at(c)) : Value();
              scf::YieldOp::create(lb, ll,
                                   sm.update(lb, ll, it, x, {}, {}, w, y));
            });

        // 2. Merge across the block: the block's max, every thread's state
        // rebased on it, the rebased sums added up.
        Value maxAll = blockAllReduce(nb, nl, local.getResult(0),
                                      AllReduceOperation::MAXIMUMF);
        SmallVector<Value> rebased =
            sm.rebase(nb, nl, local.getResults(), maxAll);
        SmallVector<Value> merged{maxAll};
        for (Value v : ArrayRef(rebased).drop_front())
          merged.push_back(blockAllReduce(nb, nl, v, AllReduceOperation::ADD));
        gpu::BarrierOp::create(nb, nl);
        Value sumAll = merged[1];
        SoftmaxRow row;
        row.max = maxAll;
        row.logSum = math::LogOp::create(nb, nl, sumAll);
        if (sm.shifted) {
          row.shiftedSum = merged[2];
          row.factorSum = merged[3];
        }

        // 3. The row's loss.
        if (lossBuf) {
          ifThreadZero(nb, nl, k, [&](OpBuilder &tb, Location tl) {
            Value v, wv;
            if (probTarget) {
              v = emitFactorTerm(tb, tl, row);
            } else {
              Value t = toI64(
                  tb, tl, memref::LoadOp::create(tb, tl, classTarget, rowIdx));
              // Read only for a target in [0, C): nothing when C = 0.
              ClassIndex cls =
                  emitClassIndex(tb, tl, t, toI64FromIndex(tb, tl, numClasses));
              SoftmaxRow withTarget = row;
              withTarget.targetLogit = cls.readOr(
                  tb, tl, constFloat(tb, tl, acc, NAN),
                  [&](OpBuilder &rb, Location rl, Value c) {
                    return loadAcc(rb, rl, logits, at(c));
                  });
              if (weight)
                withTarget.targetWeight = cls.readOr(
                    tb, tl, constFloat(tb, tl, acc, 0.0),
                    [&](OpBuilder &rb, Location rl, Value c) {
                      return loadAcc(rb, rl, weight, ValueRange{c});
                    });
              Value share;
              if (ops.smoothing > 0.0)
                share =
                    emitSmoothingShare(tb, tl, acc, ops.smoothing, numClassesF);
              std::tie(v, wv) = emitClassTargetRowLoss(
                  tb, tl, withTarget, t, ops.smoothing, share, ops.ignoreIndex);
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
                Value out =
                    req.elementOut == ElementOut::LogProb
                        ? emitLogSoftmaxElement(lb, ll, x, maxAll, row.logSum)
                        : emitSoftmaxElement(lb, ll, x, maxAll, sumAll);
                memref::StoreOp::create(lb, ll, castFloat(lb, ll, out, elTy),
                                        elemBuf, at(c));
                scf::YieldOp::create(lb, ll);
              });
        }
      });
  if (lossBuf)
    res.rowLoss = kernelResult(b, loc, lossBuf);
  if (weightBuf)
    res.rowWeight = kernelResult(b, loc, weightBuf);
  if (elemBuf)
    res.elements = kernelResult(b, loc, elemBuf);
  return res;
}

struct LogSoftmaxToGPU : public OpRewritePattern<LogSoftmaxOp> {
  LogSoftmaxToGPU(MLIRContext *ctx, GPUKernelSizes sizes)
      : OpRewritePattern(ctx), sizes(sizes) {}
  LogicalResult matchAndRewrite(LogSoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    RowRequest req;
    req.ops.logits = op.getInput();
    req.ops.axis = op.getNormalizedAxis();
    req.elementOut = ElementOut::LogProb;
    RowResult rr = buildRowKernel(rewriter, op.getLoc(), req, sizes);
    replaceOpWithCasts(rewriter, op, rr.elements);
    return success();
  }
  GPUKernelSizes sizes;
};

struct LinalgSoftmaxToGPU : public OpRewritePattern<linalg::SoftmaxOp> {
  LinalgSoftmaxToGPU(MLIRContext *ctx, GPUKernelSizes sizes)
      : OpRewritePattern(ctx), sizes(sizes) {}
  LogicalResult matchAndRewrite(linalg::SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensorSoftmax(op))
      return rewriter.notifyMatchFailure(op, "needs a float tensor");
    RowRequest req;
    req.ops.logits = op.getInput();
    req.ops.axis = op.getDimension();
    req.elementOut = ElementOut::Softmax;
    RowResult rr = buildRowKernel(rewriter, op.getLoc(), req, sizes);
    replaceOpWithCasts(rewriter, op, rr.elements);
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
    req.ops.logits = op.getLogits();
    req.ops.axis = logitsTy.getRank() == 1 ? 0 : 1;
    (prob ? req.ops.probTarget : req.ops.classTarget) = op.getTarget();
    req.ops.weight = op.getWeight();
    req.ops.smoothing = op.getLabelSmoothing().convertToDouble();
    req.ops.ignoreIndex = op.getIgnoreIndex();
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
    SmallVector<Value> results{loss};
    if (op.getLogProb())
      results.push_back(rr.elements);
    replaceOpWithCasts(rewriter, op, results);
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
