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

#include "CTCKernel.h"
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

    // Host: sizes, checks, buffers.
    CtcLaunchSizes ctc =
        buildCtcLaunchSizes(b, loc, layout, op.getLogProbs(), op.getTargets(),
                            op.getInputLengths(), op.getTargetLengths());
    OpFoldResult batchSize = ctc.batchSize;

    Value logProbs = kernelInput(b, loc, op.getLogProbs());
    Value targets = kernelInput(b, loc, op.getTargets());
    Value inputLengths = kernelInput(b, loc, op.getInputLengths());
    Value targetLengths = kernelInput(b, loc, op.getTargetLengths());
    Value grid = clampIndex(b, loc, ctc.batchSizeV, 1, sizes.maxGridSize);
    Value block = blockSizeFor(b, loc, ctc.stateCap, sizes.blockSize);
    Value alpha =
        kernelOutput(b, loc, {grid, b.getIndexAttr(2), ctc.stateCap}, acc);
    Value perSample = kernelOutput(b, loc, {batchSize}, acc);

    launchBlockPerItem(
        b, loc, grid, block, "block-per-sample", ctc.batchSizeV,
        [&](OpBuilder &nb, Location nl, const Kernel &k, Value n) {
          CtcKernelSample smp =
              buildCtcKernelSample(nb, nl, k, layout, n, logProbs, targets,
                                   inputLengths, targetLengths, ctc, blankAttr);
          buildSample(nb, nl, k, smp, alpha, perSample, acc, reduction,
                      zeroInfinity);
        });

    Value perSampleT = kernelResult(b, loc, perSample);
    replaceOpWithCasts(rewriter, op,
                       reducePerSample(b, loc, perSampleT, batched, batchSize,
                                       reduction, elTy));
    return success();
  }

  /// The recursion of one sample (its lengths and label scan `smp` built);
  /// every thread of the block runs it.
  void buildSample(OpBuilder &b, Location loc, const Kernel &k,
                   const CtcKernelSample &smp, Value alpha, Value perSample,
                   Type acc, Reduction reduction, bool zeroInfinity) const {
    Value c0 = constIndex(b, loc, 0), c1 = constIndex(b, loc, 1),
          c2 = constIndex(b, loc, 2);
    Value n = smp.n, sn = smp.sn, snI = smp.snI, bad = smp.bad,
          steps = smp.steps, numStates = smp.numStates;
    auto alphaAt = [&](Value parity, Value s) -> SmallVector<Value> {
      return {k.blockId, parity, s};
    };

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

    scf::ForOp::create(
        b, loc, c0, steps, c1, ValueRange{},
        [&](OpBuilder &tb, Location tl, Value t, ValueRange) {
          Value cur = arith::RemUIOp::create(tb, tl, t, constIndex(tb, tl, 2));
          Value nxt = arith::SubIOp::create(tb, tl, constIndex(tb, tl, 1), cur);
          Value lpBlank = smp.logProb(tb, tl, t, smp.blankIdx, acc);
          scf::ForOp::create(
              tb, tl, k.threadId, numStates, k.blockSize, ValueRange{},
              [&](OpBuilder &sb, Location sl, Value s, ValueRange) {
                Value v = emitCtcKernelState(
                    sb, sl, smp, t, s, lpBlank, acc, /*backward=*/false,
                    [&](OpBuilder &lb, Location ll, Value st) -> Value {
                      return memref::LoadOp::create(lb, ll, alpha,
                                                    alphaAt(cur, st));
                    });
                memref::StoreOp::create(sb, sl, v, alpha, alphaAt(nxt, s));
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
