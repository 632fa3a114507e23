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
// losses, as on the CPU. The recursion's arithmetic (the alpha step, the
// label checks, the sample's finish) is LossArithmetic.h's, the same the CPU
// lowering (CTC.cpp) calls; this file is the GPU schedule over it.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/GPU/Transforms/GPUUtils.h"
#include "loss-mlir/Conversion/LossToGPU/LossToGPU.h"
#include "loss-mlir/Dialect/Loss/IR/Loss.h"
#include "loss-mlir/Dialect/Loss/Utils/LossArithmetic.h"
#include "loss-mlir/Dialect/Loss/Utils/LossReduction.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
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
    CtcLayout layout = CtcLayout::get(op);
    bool batched = layout.batched;
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
    assertCtcOperandSizes(b, loc, op.getInputLengths(),
                          op.getTargetLengths(), op.getTargets(), Value(),
                          layout, batchSize);
    // Padded width S, or the length of the concatenated buffer: a bound on
    // every S_n.
    Value targetWidth =
        tensor::DimOp::create(b, loc, op.getTargets(), layout.targetWidthDim());
    Value c1 = constIndex(b, loc, 1), c2 = constIndex(b, loc, 2);
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

    launchBlockPerItem(
        b, loc, grid, block, "block-per-sample", batchSizeV,
        [&](OpBuilder &nb, Location nl, const Kernel &k, Value n) {
          buildSample(nb, nl, k, n, logProbs, targets, inputLengths,
                      targetLengths, alpha, perSample, timeSize, numClasses,
                      targetWidth, layout, acc, blankAttr, reduction,
                      zeroInfinity);
        });

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
                   const CtcLayout &layout, Type acc, int64_t blankAttr,
                   Reduction reduction, bool zeroInfinity) const {
    Value c0 = constIndex(b, loc, 0), c1 = constIndex(b, loc, 1),
          c2 = constIndex(b, loc, 2);
    Value zeroI = constI64(b, loc, 0), oneI = constI64(b, loc, 1);
    Value negInf = constFloat(b, loc, acc, -INFINITY);
    Value numClassesI = toI64FromIndex(b, loc, numClasses);
    Value timeSizeI = toI64FromIndex(b, loc, timeSize);
    Value widthI = toI64FromIndex(b, loc, targetWidth);
    CtcBlank blank = emitCtcBlank(b, loc, blankAttr, numClassesI);
    Value blankBad = blank.bad, blankIdx = blank.index;

    auto readLength = [&](OpBuilder &rb, Location rl, Value lengths,
                          Value i) -> Value {
      return layout.readLength(rb, rl, lengths, i);
    };

    // Lengths (and the offset into concatenated targets) of this sample.
    Value tn = toIndex(
        b, loc,
        clampSI(b, loc, readLength(b, loc, inputLengths, n), zeroI, timeSizeI));
    Value snI, offset;
    if (layout.concatenated) {
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
      return layout.readLabel(lb, ll, targets, n, offset, kk);
    };
    auto lpAt = [&](OpBuilder &lb, Location ll, Value t, Value c) -> Value {
      return layout.readLogProb(lb, ll, logProbs, t, n, c, acc);
    };
    auto alphaAt = [&](Value parity, Value s) -> SmallVector<Value> {
      return {k.blockId, parity, s};
    };

    // Labels outside [0, C): NaN, no recursion.
    auto scan = scf::ForOp::create(
        b, loc, k.threadId, sn, k.blockSize,
        ValueRange{arith::ConstantOp::create(b, loc, b.getBoolAttr(false))},
        [&](OpBuilder &lb, Location ll, Value kk, ValueRange it) {
          Value out =
              emitClassOutOfRange(lb, ll, labelAt(lb, ll, kk), numClassesI);
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
    scf::ForOp::create(b, loc, k.threadId, numStates, k.blockSize, ValueRange{},
                       [&](OpBuilder &lb, Location ll, Value s, ValueRange) {
                         Value v = emitCtcInitialAlpha(lb, ll, acc, s);
                         memref::StoreOp::create(
                             lb, ll, v, alpha,
                             alphaAt(constIndex(lb, ll, 0), s));
                         scf::YieldOp::create(lb, ll);
                       });
    gpu::BarrierOp::create(b, loc);

    Value cMinus1 = arith::SubIOp::create(b, loc, numClassesI, oneI);
    scf::ForOp::create(
        b, loc, c0, steps, c1, ValueRange{},
        [&](OpBuilder &tb, Location tl, Value t, ValueRange) {
          Value cur = arith::RemUIOp::create(tb, tl, t, constIndex(tb, tl, 2));
          Value nxt = arith::SubIOp::create(tb, tl, constIndex(tb, tl, 1), cur);
          Value lpBlank = lpAt(tb, tl, t, blankIdx);
          scf::ForOp::create(
              tb, tl, k.threadId, numStates, k.blockSize, ValueRange{},
              [&](OpBuilder &sb, Location sl, Value s, ValueRange) {
                Value zero = constIndex(sb, sl, 0), one = constIndex(sb, sl, 1),
                      two = constIndex(sb, sl, 2);
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
                      CtcLabel lab = emitCtcLabel(ib, il, kk, labelAt);
                      Value sm2 = arith::SelectOp::create(
                          ib, il, lab.hasPrev,
                          arith::SubIOp::create(ib, il, s, two), zero);
                      // The scan ensured 0 <= lab < C; the index is clamped
                      // so that it is in bounds on its own.
                      Value c = emitCtcClassIndex(ib, il, lab.label, cMinus1);
                      Value v =
                          emitCtcAlphaStep(ib, il, lpAt(ib, il, t, c), aSelf,
                                           aPrev, load(sm2), lab.canSkip);
                      scf::YieldOp::create(ib, il, v);
                    },
                    [&](OpBuilder &ib, Location il) {
                      // Blank state: from itself, and from s - 1 if s > 0.
                      Value v = arith::SelectOp::create(
                          ib, il, hasPrev,
                          emitCtcAlphaStep(ib, il, lpBlank, aSelf, aPrev),
                          emitCtcAlphaStep(ib, il, lpBlank, aSelf));
                      scf::YieldOp::create(ib, il, v);
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
      Value loss = emitCtcSampleLoss(
          tb, tl, acc, sn,
          [&](OpBuilder &lb, Location ll, Value s) -> Value {
            return memref::LoadOp::create(lb, ll, alpha, alphaAt(fin, s));
          },
          bad, zeroInfinity, reduction == Reduction::mean ? snI : Value());
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
