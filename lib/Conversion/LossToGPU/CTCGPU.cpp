//===- CTCGPU.cpp - loss.ctc as a block-per-sample kernel -----------------===//
//
// The CTC forward recursion of CTC.cpp, mapped the way CUDA implementations
// do it: one block per sample (blocks loop over samples when there are more
// samples than blocks), the block's threads striding over the 2 S_n + 1
// extended-label states, so any label length works with any block size.
// The alpha row is double-buffered in global scratch memory (one pair of
// rows per block): step t reads row t % 2 and writes row (t + 1) % 2, and a
// gpu.barrier after every step makes the new row visible to the whole
// block. Per sample:
//
//  * every thread computes the sample's lengths (and, for concatenated
//    targets, its offset as the prefix sum of the clamped lengths before it);
//  * the threads scan the labels for values outside [0, C) (any such label,
//    or a blank outside [0, C), makes the loss NaN and skips the recursion);
//  * the virtual a_{-1} = [0, -inf, ...] is written, then T_n steps of
//    a_t(s) = lp[t, l'_s] + logsumexp(a_{t-1}(s), a_{t-1}(s-1),
//                                      a_{t-1}(s-2) when it may skip);
//  * thread 0 writes -logsumexp(a(2 S_n), a(2 S_n - 1)), with zero_infinity
//    and the per-sample division of `mean` applied.
//
// `sum`/`mean` over the batch are a linalg reduction of the per-sample
// losses, as on the CPU.
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

struct CtcToGPU : public OpRewritePattern<CtcOp> {
  CtcToGPU(MLIRContext *ctx, GPUKernelSizes sizes)
      : OpRewritePattern(ctx), sizes(sizes) {}

  LogicalResult matchAndRewrite(CtcOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto lpTy = op.getLogProbs().getType();
    bool batched = lpTy.getRank() == 3;
    bool concatenated = batched && op.getTargets().getType().getRank() == 1;
    Type elTy = lpTy.getElementType();
    Type acc = getAccumulatorType(elTy);
    Reduction reduction = op.getReduction();
    bool zeroInfinity = op.getZeroInfinity();
    int64_t blankAttr = op.getBlank();

    // Host: sizes, buffers.
    Value timeSize = tensor::DimOp::create(b, loc, op.getLogProbs(), 0);
    OpFoldResult batchSize =
        batched ? tensor::getMixedSize(b, loc, op.getLogProbs(), 1)
                : OpFoldResult(b.getIndexAttr(1));
    Value batchSizeV = getValueOrCreateConstantIndexOp(b, loc, batchSize);
    Value numClasses =
        tensor::DimOp::create(b, loc, op.getLogProbs(), lpTy.getRank() - 1);

    // Per-sample operands must have N entries (checked at run time where a
    // size is dynamic), as on the CPU.
    if (batched) {
      MLIRContext *ctx = b.getContext();
      AffineExpr n = getAffineDimExpr(0, ctx);
      SmallVector<LoopInput> perSample{
          {op.getInputLengths(), AffineMap::get(1, 0, {n}, ctx)},
          {op.getTargetLengths(), AffineMap::get(1, 0, {n}, ctx)}};
      if (!concatenated)
        perSample.push_back(
            {op.getTargets(),
             AffineMap::get(1, 0, {n, getAffineConstantExpr(0, ctx)}, ctx)});
      assertConsistentLoopSizes(b, loc, {batchSize}, perSample);
    }
    // Padded width S, or the length of the concatenated buffer: a bound on
    // every S_n.
    Value targetWidth = tensor::DimOp::create(
        b, loc, op.getTargets(), concatenated ? 0 : (batched ? 1 : 0));
    Value c1 = indexConst(b, loc, 1), c2 = indexConst(b, loc, 2);
    Value stateCap = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, targetWidth, c2), c1);

    Value logProbs = kernelInput(b, loc, op.getLogProbs());
    Value targets = kernelInput(b, loc, op.getTargets());
    Value inputLengths = kernelInput(b, loc, op.getInputLengths());
    Value targetLengths = kernelInput(b, loc, op.getTargetLengths());
    Value grid = clampIndex(b, loc, batchSizeV, 1, sizes.maxGridSize);
    Value block = blockSizeFor(b, loc, stateCap, sizes.blockSize);
    Value alpha =
        kernelOutput(b, loc, {grid, b.getIndexAttr(2), stateCap}, acc);
    Value perSample = kernelOutput(b, loc, {batchSize}, acc);

    {
      OpBuilder::InsertionGuard guard(b);
      Kernel k = createKernel(b, loc, grid, block);
      k.launch->setAttr("loss.mapping", b.getStringAttr("block-per-sample"));
      scf::ForOp::create(
          b, loc, k.blockId, batchSizeV, k.gridSize, ValueRange{},
          [&](OpBuilder &nb, Location nl, Value n, ValueRange) {
            buildSample(nb, nl, k, n, logProbs, targets, inputLengths,
                        targetLengths, alpha, perSample, timeSize, numClasses,
                        targetWidth, batched, concatenated, acc, blankAttr,
                        reduction, zeroInfinity);
            scf::YieldOp::create(nb, nl);
          });
    }

    Value perSampleT = kernelResult(b, loc, perSample);
    replaceOpWithCasts(rewriter, op,
                       reducePerSample(b, loc, perSampleT, batched, batchSize,
                                       reduction, elTy));
    return success();
  }

  /// The body of one sample `n`; every thread of the block runs it.
  void buildSample(OpBuilder &b, Location loc, const Kernel &k, Value n,
                   Value logProbs, Value targets, Value inputLengths,
                   Value targetLengths, Value alpha, Value perSample,
                   Value timeSize, Value numClasses, Value targetWidth,
                   bool batched, bool concatenated, Type acc, int64_t blankAttr,
                   Reduction reduction, bool zeroInfinity) const {
    Value c0 = indexConst(b, loc, 0), c1 = indexConst(b, loc, 1),
          c2 = indexConst(b, loc, 2);
    Value zeroI = constI64(b, loc, 0), oneI = constI64(b, loc, 1);
    Value negInf = constFloat(b, loc, acc, -INFINITY);
    Value numClassesI = toI64FromIndex(b, loc, numClasses);
    Value timeSizeI = toI64FromIndex(b, loc, timeSize);
    Value widthI = toI64FromIndex(b, loc, targetWidth);
    Value blank = constI64(b, loc, blankAttr);
    Value blankBad = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                           blank, numClassesI);
    Value blankIdx = toIndex(
        b, loc, arith::SelectOp::create(b, loc, blankBad, zeroI, blank));

    auto readLength = [&](OpBuilder &rb, Location rl, Value lengths,
                          Value i) -> Value {
      SmallVector<Value> idx;
      if (cast<MemRefType>(lengths.getType()).getRank() == 1)
        idx.push_back(batched ? i : indexConst(rb, rl, 0));
      return toI64(rb, rl, memref::LoadOp::create(rb, rl, lengths, idx));
    };

    // Lengths (and the offset into concatenated targets) of this sample.
    Value tn = toIndex(
        b, loc,
        clampSI(b, loc, readLength(b, loc, inputLengths, n), zeroI, timeSizeI));
    Value snI, offset;
    if (concatenated) {
      auto scan = scf::ForOp::create(
          b, loc, c0, n, c1, ValueRange{zeroI},
          [&](OpBuilder &sb, Location sl, Value j, ValueRange it) {
            Value remaining = arith::SubIOp::create(sb, sl, widthI, it[0]);
            Value len = clampSI(sb, sl, readLength(sb, sl, targetLengths, j),
                                constI64(sb, sl, 0), remaining);
            scf::YieldOp::create(
                sb, sl, ValueRange{arith::AddIOp::create(sb, sl, it[0], len)});
          });
      Value used = scan.getResult(0);
      offset = toIndex(b, loc, used);
      snI = clampSI(b, loc, readLength(b, loc, targetLengths, n), zeroI,
                    arith::SubIOp::create(b, loc, widthI, used));
    } else {
      snI =
          clampSI(b, loc, readLength(b, loc, targetLengths, n), zeroI, widthI);
    }
    Value sn = toIndex(b, loc, snI);

    auto labelAt = [&](OpBuilder &lb, Location ll, Value kk) -> Value {
      SmallVector<Value> idx;
      if (concatenated)
        idx.push_back(arith::AddIOp::create(lb, ll, offset, kk));
      else if (batched)
        idx = {n, kk};
      else
        idx.push_back(kk);
      return toI64(lb, ll, memref::LoadOp::create(lb, ll, targets, idx));
    };
    auto lpAt = [&](OpBuilder &lb, Location ll, Value t, Value c) -> Value {
      SmallVector<Value> idx{t};
      if (batched)
        idx.push_back(n);
      idx.push_back(c);
      return castFloat(lb, ll, memref::LoadOp::create(lb, ll, logProbs, idx),
                       acc);
    };
    auto alphaAt = [&](Value parity, Value s) -> SmallVector<Value> {
      return {k.blockId, parity, s};
    };

    // Labels outside [0, C): NaN, no recursion.
    auto scan = scf::ForOp::create(
        b, loc, k.threadId, sn, k.blockSize,
        ValueRange{arith::ConstantOp::create(b, loc, b.getBoolAttr(false))},
        [&](OpBuilder &lb, Location ll, Value kk, ValueRange it) {
          Value lab = labelAt(lb, ll, kk);
          Value out = arith::OrIOp::create(
              lb, ll,
              arith::CmpIOp::create(lb, ll, arith::CmpIPredicate::slt, lab,
                                    constI64(lb, ll, 0)),
              arith::CmpIOp::create(lb, ll, arith::CmpIPredicate::sge, lab,
                                    numClassesI));
          scf::YieldOp::create(
              lb, ll, ValueRange{arith::OrIOp::create(lb, ll, it[0], out)});
        });
    Value anyBad =
        blockAllReduce(b, loc, scan.getResult(0), AllReduceOperation::OR);
    gpu::BarrierOp::create(b, loc);
    Value bad = arith::OrIOp::create(b, loc, anyBad, blankBad);
    Value steps = arith::SelectOp::create(b, loc, bad, c0, tn);
    Value numStates = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, sn, c2), c1);

    // a_{-1} = [0, -inf, ..., -inf] in row 0.
    scf::ForOp::create(
        b, loc, k.threadId, numStates, k.blockSize, ValueRange{},
        [&](OpBuilder &lb, Location ll, Value s, ValueRange) {
          Value isStart = arith::CmpIOp::create(
              lb, ll, arith::CmpIPredicate::eq, s, indexConst(lb, ll, 0));
          Value v = arith::SelectOp::create(
              lb, ll, isStart, constFloat(lb, ll, acc, 0.0), negInf);
          memref::StoreOp::create(lb, ll, v, alpha,
                                  alphaAt(indexConst(lb, ll, 0), s));
          scf::YieldOp::create(lb, ll);
        });
    gpu::BarrierOp::create(b, loc);

    Value cMinus1 = arith::SubIOp::create(b, loc, numClassesI, oneI);
    scf::ForOp::create(
        b, loc, c0, steps, c1, ValueRange{},
        [&](OpBuilder &tb, Location tl, Value t, ValueRange) {
          Value cur = arith::RemUIOp::create(tb, tl, t, indexConst(tb, tl, 2));
          Value nxt = arith::SubIOp::create(tb, tl, indexConst(tb, tl, 1), cur);
          Value lpBlank = lpAt(tb, tl, t, blankIdx);
          scf::ForOp::create(
              tb, tl, k.threadId, numStates, k.blockSize, ValueRange{},
              [&](OpBuilder &sb, Location sl, Value s, ValueRange) {
                Value zero = indexConst(sb, sl, 0), one = indexConst(sb, sl, 1),
                      two = indexConst(sb, sl, 2);
                auto load = [&](Value st) {
                  return memref::LoadOp::create(sb, sl, alpha, alphaAt(cur, st))
                      .getResult();
                };
                Value aSelf = load(s);
                Value hasPrev = arith::CmpIOp::create(
                    sb, sl, arith::CmpIPredicate::uge, s, one);
                Value aPrev = arith::SelectOp::create(
                    sb, sl, hasPrev,
                    load(arith::SelectOp::create(
                        sb, sl, hasPrev, arith::SubIOp::create(sb, sl, s, one),
                        zero)),
                    negInf);
                Value isLabel = arith::CmpIOp::create(
                    sb, sl, arith::CmpIPredicate::eq,
                    arith::RemUIOp::create(sb, sl, s, two), one);
                auto state = scf::IfOp::create(
                    sb, sl, isLabel,
                    [&](OpBuilder &ib, Location il) {
                      // Label state s = 2k + 1: k < S_n.
                      Value kk = arith::DivUIOp::create(ib, il, s, two);
                      Value lab = labelAt(ib, il, kk);
                      Value kPos = arith::CmpIOp::create(
                          ib, il, arith::CmpIPredicate::ugt, kk, zero);
                      Value kPrev = arith::SelectOp::create(
                          ib, il, kPos, arith::SubIOp::create(ib, il, kk, one),
                          zero);
                      Value skip = arith::AndIOp::create(
                          ib, il, kPos,
                          arith::CmpIOp::create(ib, il,
                                                arith::CmpIPredicate::ne, lab,
                                                labelAt(ib, il, kPrev)));
                      Value sm2 = arith::SelectOp::create(
                          ib, il, kPos, arith::SubIOp::create(ib, il, s, two),
                          zero);
                      Value aSkip = arith::SelectOp::create(ib, il, skip,
                                                            load(sm2), negInf);
                      // The scan ensured 0 <= lab < C; clamp anyway so the
                      // index is in bounds on its own.
                      Value c = toIndex(
                          ib, il,
                          clampSI(ib, il, lab, constI64(ib, il, 0), cMinus1));
                      Value v = arith::AddFOp::create(
                          ib, il, lpAt(ib, il, t, c),
                          emitLogSumExp(ib, il, {aSelf, aPrev, aSkip}));
                      scf::YieldOp::create(ib, il, v);
                    },
                    [&](OpBuilder &ib, Location il) {
                      // Blank state: from itself, and from s - 1 if s > 0.
                      Value v = arith::SelectOp::create(
                          ib, il, hasPrev, emitLogSumExp(ib, il, {aSelf, aPrev}),
                          aSelf);
                      scf::YieldOp::create(ib, il,
                                           ValueRange{arith::AddFOp::create(
                                               ib, il, lpBlank, v)});
                    });
                memref::StoreOp::create(sb, sl, state.getResult(0), alpha,
                                        alphaAt(nxt, s));
                scf::YieldOp::create(sb, sl);
              });
          gpu::BarrierOp::create(tb, tl);
          scf::YieldOp::create(tb, tl);
        });

    // -logsumexp(a(2 S_n), a(2 S_n - 1)) from the last row written.
    Value fin = arith::RemUIOp::create(b, loc, steps, c2);
    ifThreadZero(b, loc, k, [&](OpBuilder &tb, Location tl) {
      Value last = arith::MulIOp::create(tb, tl, sn, c2);
      Value hasLabels =
          arith::CmpIOp::create(tb, tl, arith::CmpIPredicate::ugt, sn, c0);
      Value lastLabel = arith::SelectOp::create(
          tb, tl, hasLabels, arith::SubIOp::create(tb, tl, last, c1), c0);
      Value aLast = memref::LoadOp::create(tb, tl, alpha, alphaAt(fin, last));
      Value aLabel = arith::SelectOp::create(
          tb, tl, hasLabels,
          memref::LoadOp::create(tb, tl, alpha, alphaAt(fin, lastLabel)),
          negInf);
      // 0 - lse (not negf): an empty alignment gives +0.
      Value loss = arith::SubFOp::create(tb, tl, constFloat(tb, tl, acc, 0.0),
                                         emitLogSumExp(tb, tl, {aLast, aLabel}));
      loss = arith::SelectOp::create(tb, tl, bad, constFloat(tb, tl, acc, NAN),
                                     loss);
      if (zeroInfinity) {
        Value isInf =
            arith::CmpFOp::create(tb, tl, arith::CmpFPredicate::OEQ, loss,
                                  constFloat(tb, tl, acc, INFINITY));
        loss = arith::SelectOp::create(tb, tl, isInf,
                                       constFloat(tb, tl, acc, 0.0), loss);
      }
      if (reduction == Reduction::mean) {
        Value denom = arith::SIToFPOp::create(
            tb, tl, acc, arith::MaxSIOp::create(tb, tl, snI, oneI));
        loss = arith::DivFOp::create(tb, tl, loss, denom);
      }
      memref::StoreOp::create(tb, tl, loss, perSample, ValueRange{n});
    });
    // Thread 0 reads the scratch rows the next sample overwrites.
    gpu::BarrierOp::create(b, loc);
  }

  GPUKernelSizes sizes;
};

} // namespace

void mlir::loss::populateCtcToGPUPatterns(RewritePatternSet &patterns,
                                          GPUKernelSizes sizes) {
  patterns.add<CtcToGPU>(patterns.getContext(), sizes);
}
