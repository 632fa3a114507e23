//===- CTCGradGPU.cpp - loss.ctc_grad as a block-per-sample kernel -------===//
//
// The CTC gradient of CtcGrad.cpp mapped as the forward's kernel (CTCGPU.cpp)
// is: one block per sample (blocks loop over samples when there are more
// samples than blocks), the block's threads striding over the 2 S_n + 1
// extended-label states or over the C classes, with gpu.barrier between the
// steps. Scratch memory in global buffers, per block: the alpha table
// ((T + 1) rows of 2 S + 1 states, S the padded width or the concatenated
// buffer's length), a double-buffered beta row, and a row of C per-class
// log-sums; the grid is limited so that the alpha tables of all blocks take
// at most 1 GiB (or one block). Per sample:
//
//  * every thread computes the sample's lengths (and, for concatenated
//    targets, its offset: the prefix sum of the clamped lengths before it);
//    the threads scan the labels for values outside [0, C) (the sample's
//    loss, and so its gradient for t < T_n, is then NaN, written directly:
//    no recursion runs for it, so nothing is read out of bounds);
//  * the alpha rows: row 0 = a_{-1}, T_n steps of the forward's alpha step;
//    every thread then reads the sample's loss nll_n off row T_n;
//  * frames t >= T_n: 0, and a bad sample's t < T_n: NaN (threads strided
//    over those (t, c));
//  * for t = T_n - 1 down to 0: the threads compute b_t from b_{t+1} (the
//    beta step); thread 0 folds a_t(s) + b_t(s) into the log-sum of class
//    l'_s, for s ascending (several states share a class, and this order is
//    the CPU lowering's, so both round alike); the threads then finish
//    grad[t, n, c] = (exp(lp) - exp(r_t(c) + nll_n - lp)) g_n over the
//    classes, resetting each log-sum to -inf for the next frame.
//
// The arithmetic is LossArithmetic.h's, shared with the CPU lowering; this
// file is the GPU schedule over it.
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

/// The most bytes of alpha tables the blocks of one launch hold together.
constexpr int64_t kScratchBudget = int64_t(1) << 30;

struct CtcGradToGPU : public OpRewritePattern<CtcGradOp> {
  CtcGradToGPU(MLIRContext *ctx, GPUKernelSizes sizes)
      : OpRewritePattern(ctx), sizes(sizes) {}

  /// What the body of one sample reads and writes.
  struct Buffers {
    Value logProbs, targets, inputLengths, targetLengths, gradOutput;
    Value alpha, beta, sums, grad;
    CtcLaunchSizes sizes;
  };

  LogicalResult matchAndRewrite(CtcGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto lpTy = op.getLogProbs().getType();
    CtcLayout layout = CtcLayout::get(op);
    Type elTy = lpTy.getElementType();
    Type acc = getCtcGradAccumulatorType(elTy);

    Buffers buf;
    buf.sizes = buildCtcLaunchSizes(
        b, loc, layout, op.getLogProbs(), op.getTargets(), op.getInputLengths(),
        op.getTargetLengths(),
        op.getReduction() == Reduction::none ? op.getGradOutput() : Value());
    Value c1 = constIndex(b, loc, 1);
    Value stateCap = buf.sizes.stateCap;
    Value rowCap = arith::AddIOp::create(b, loc, buf.sizes.timeSize, c1);

    buf.logProbs = kernelInput(b, loc, op.getLogProbs());
    buf.targets = kernelInput(b, loc, op.getTargets());
    buf.inputLengths = kernelInput(b, loc, op.getInputLengths());
    buf.targetLengths = kernelInput(b, loc, op.getTargetLengths());
    buf.gradOutput = kernelInput(b, loc, op.getGradOutput());
    // One block per sample, but no more blocks than kScratchBudget bytes of
    // alpha tables hold (at least one): the table of a block is
    // (T + 1) x (2 S + 1), and S (the concatenated buffer's length) may be
    // the sum of all target lengths.
    Value perBlock = arith::MulIOp::create(
        b, loc, arith::MulIOp::create(b, loc, rowCap, stateCap),
        constIndex(b, loc, acc.getIntOrFloatBitWidth() / 8));
    Value fit = arith::MaxUIOp::create(
        b, loc,
        arith::DivUIOp::create(b, loc, constIndex(b, loc, kScratchBudget),
                               perBlock),
        c1);
    Value grid = arith::MinUIOp::create(
        b, loc, clampIndex(b, loc, buf.sizes.batchSizeV, 1, sizes.maxGridSize),
        fit);
    Value block = blockSizeFor(b, loc, stateCap, sizes.blockSize);
    buf.alpha = kernelOutput(b, loc, {grid, rowCap, stateCap}, acc);
    buf.beta = kernelOutput(b, loc, {grid, b.getIndexAttr(2), stateCap}, acc);
    buf.sums = kernelOutput(b, loc, {grid, buf.sizes.classSize}, acc);
    buf.grad = kernelOutput(
        b, loc, tensor::getMixedSizes(b, loc, op.getLogProbs()), elTy);

    launchBlockPerItem(
        b, loc, grid, block, "block-per-sample", buf.sizes.batchSizeV,
        [&](OpBuilder &nb, Location nl, const Kernel &k, Value n) {
          buildSample(nb, nl, k, n, buf, layout, acc, elTy, op);
        });

    replaceOpWithCasts(rewriter, op, {kernelResult(b, loc, buf.grad)});
    return success();
  }

  /// The body of one sample `n`; every thread of the block runs it.
  void buildSample(OpBuilder &b, Location loc, const Kernel &k, Value n,
                   const Buffers &buf, const CtcLayout &layout, Type acc,
                   Type elTy, CtcGradOp op) const {
    Reduction reduction = op.getReduction();
    bool zeroInfinity = op.getZeroInfinity();
    Value c0 = constIndex(b, loc, 0), c1 = constIndex(b, loc, 1),
          c2 = constIndex(b, loc, 2);
    Value negInf = constFloat(b, loc, acc, -INFINITY);
    Value timeSize = buf.sizes.timeSize, classSize = buf.sizes.classSize;

    // The forward's lengths and label scan.
    CtcKernelSample smp = buildCtcKernelSample(
        b, loc, k, layout, n, buf.logProbs, buf.targets, buf.inputLengths,
        buf.targetLengths, buf.sizes, op.getBlank());
    Value tn = smp.tn, sn = smp.sn, snI = smp.snI, bad = smp.bad,
          steps = smp.steps, numStates = smp.numStates, cMinus1 = smp.cMinus1,
          blankIdx = smp.blankIdx;
    Value lastState = arith::MulIOp::create(b, loc, sn, c2);
    auto labelAt = smp.labelFn();
    auto lpAt = smp.logProbFn(acc);
    auto alphaAt = [&](Value row, Value s) -> SmallVector<Value> {
      return {k.blockId, row, s};
    };
    auto betaAt = [&](Value parity, Value s) -> SmallVector<Value> {
      return {k.blockId, parity, s};
    };
    auto sumAt = [&](Value c) -> SmallVector<Value> { return {k.blockId, c}; };
    // A strided loop of the block's threads over [lo, hi).
    auto forThreads = [&](OpBuilder &fb, Location fl, Value lo, Value hi,
                          function_ref<void(OpBuilder &, Location, Value)> f) {
      scf::ForOp::create(
          fb, fl, arith::AddIOp::create(fb, fl, lo, k.threadId), hi,
          k.blockSize, ValueRange{},
          [&](OpBuilder &lb, Location ll, Value i, ValueRange) {
            f(lb, ll, i);
            scf::YieldOp::create(lb, ll);
          });
    };

    // The class of state s: blank for even s, label (s - 1) / 2 (clamped
    // into [0, C)) for odd s.
    auto isLabelState = [&](OpBuilder &sb, Location sl, Value s) -> Value {
      return arith::CmpIOp::create(
          sb, sl, arith::CmpIPredicate::eq,
          arith::RemUIOp::create(sb, sl, s, constIndex(sb, sl, 2)),
          constIndex(sb, sl, 1));
    };

    // Alpha: row 0 = a_{-1}, row t + 1 = a_t.
    forThreads(b, loc, c0, numStates, [&](OpBuilder &lb, Location ll, Value s) {
      memref::StoreOp::create(lb, ll, emitCtcInitialAlpha(lb, ll, acc, s),
                              buf.alpha, alphaAt(constIndex(lb, ll, 0), s));
    });
    gpu::BarrierOp::create(b, loc);
    scf::ForOp::create(
        b, loc, c0, steps, c1, ValueRange{},
        [&](OpBuilder &tb, Location tl, Value t, ValueRange) {
          Value nxt = arith::AddIOp::create(tb, tl, t, constIndex(tb, tl, 1));
          Value lpBlank = lpAt(tb, tl, t, blankIdx);
          forThreads(tb, tl, constIndex(tb, tl, 0), numStates,
                     [&](OpBuilder &sb, Location sl, Value s) {
                       Value v = emitCtcKernelState(
                           sb, sl, smp, t, s, lpBlank, acc, /*backward=*/false,
                           [&](OpBuilder &lb, Location ll, Value st) -> Value {
                             return memref::LoadOp::create(lb, ll, buf.alpha,
                                                           alphaAt(t, st));
                           });
                       memref::StoreOp::create(sb, sl, v, buf.alpha,
                                               alphaAt(nxt, s));
                     });
          gpu::BarrierOp::create(tb, tl);
          scf::YieldOp::create(tb, tl);
        });

    // The sample's loss (NaN where bad) and its gradient factor.
    Value nll = emitCtcSampleLoss(
        b, loc, acc, sn,
        [&](OpBuilder &lb, Location ll, Value s) -> Value {
          return memref::LoadOp::create(lb, ll, buf.alpha, alphaAt(steps, s));
        },
        bad, /*zeroInfinity=*/false, /*meanLength=*/Value());
    SmallVector<Value> gIdx;
    if (layout.batched && reduction == Reduction::none)
      gIdx.push_back(n);
    Value g = castFloat(
        b, loc, memref::LoadOp::create(b, loc, buf.gradOutput, gIdx), acc);
    Value scale =
        emitCtcGradScale(b, loc, g, buf.sizes.batchSizeV,
                         reduction == Reduction::mean ? snI : Value());

    // Frames t >= T_n: 0; a bad sample's frames t < T_n: NaN.
    Value tail = arith::MulIOp::create(
        b, loc, arith::SubIOp::create(b, loc, timeSize, steps), classSize);
    forThreads(b, loc, c0, tail, [&](OpBuilder &lb, Location ll, Value i) {
      Value t = arith::AddIOp::create(
          lb, ll, steps, arith::DivUIOp::create(lb, ll, i, classSize));
      Value c = arith::RemUIOp::create(lb, ll, i, classSize);
      Value fill = arith::SelectOp::create(
          lb, ll,
          arith::CmpIOp::create(lb, ll, arith::CmpIPredicate::ult, t, tn),
          constFloat(lb, ll, elTy, NAN), constFloat(lb, ll, elTy, 0.0));
      memref::StoreOp::create(lb, ll, fill, buf.grad,
                              layout.logProbIndex(t, n, c));
    });

    // Beta from b_{T_n} in parity 0; the log-sums at -inf.
    forThreads(b, loc, c0, numStates, [&](OpBuilder &lb, Location ll, Value s) {
      memref::StoreOp::create(lb, ll,
                              emitCtcInitialBeta(lb, ll, acc, s, lastState),
                              buf.beta, betaAt(constIndex(lb, ll, 0), s));
    });
    forThreads(b, loc, c0, classSize, [&](OpBuilder &lb, Location ll, Value c) {
      memref::StoreOp::create(lb, ll, negInf, buf.sums, sumAt(c));
    });
    gpu::BarrierOp::create(b, loc);

    scf::ForOp::create(
        b, loc, c0, steps, c1, ValueRange{},
        [&](OpBuilder &tb, Location tl, Value j, ValueRange) {
          Value one = constIndex(tb, tl, 1);
          Value tRow = arith::SubIOp::create(tb, tl, steps, j); // alpha row t+1
          Value t = arith::SubIOp::create(tb, tl, tRow, one);
          Value cur = arith::RemUIOp::create(tb, tl, j, constIndex(tb, tl, 2));
          Value nxt = arith::SubIOp::create(tb, tl, one, cur);
          Value lpBlank = lpAt(tb, tl, t, blankIdx);

          // b_t(s) from b_{t+1} (parity cur) into parity nxt.
          forThreads(tb, tl, constIndex(tb, tl, 0), numStates,
                     [&](OpBuilder &sb, Location sl, Value s) {
                       Value v = emitCtcKernelState(
                           sb, sl, smp, t, s, lpBlank, acc, /*backward=*/true,
                           [&](OpBuilder &lb, Location ll, Value st) -> Value {
                             return memref::LoadOp::create(lb, ll, buf.beta,
                                                           betaAt(cur, st));
                           });
                       memref::StoreOp::create(sb, sl, v, buf.beta,
                                               betaAt(nxt, s));
                     });
          gpu::BarrierOp::create(tb, tl);

          // Thread 0: r_t(l'_s) += a_t(s) + b_t(s), s ascending.
          ifThreadZero(tb, tl, k, [&](OpBuilder &zb, Location zl) {
            scf::ForOp::create(
                zb, zl, constIndex(zb, zl, 0), numStates, constIndex(zb, zl, 1),
                ValueRange{},
                [&](OpBuilder &sb, Location sl, Value s, ValueRange) {
                  // Odd states are labels k = s / 2 < S_n; even ones blank.
                  auto clsIf = scf::IfOp::create(
                      sb, sl, isLabelState(sb, sl, s),
                      [&](OpBuilder &ib, Location il) {
                        Value kk = arith::DivUIOp::create(
                            ib, il, s, constIndex(ib, il, 2));
                        scf::YieldOp::create(
                            ib, il,
                            emitCtcClassIndex(ib, il, labelAt(ib, il, kk),
                                              cMinus1));
                      },
                      [&](OpBuilder &ib, Location il) {
                        scf::YieldOp::create(ib, il, blankIdx);
                      });
                  Value cls = clsIf.getResult(0);
                  Value a = memref::LoadOp::create(sb, sl, buf.alpha,
                                                   alphaAt(tRow, s));
                  Value bt =
                      memref::LoadOp::create(sb, sl, buf.beta, betaAt(nxt, s));
                  Value old =
                      memref::LoadOp::create(sb, sl, buf.sums, sumAt(cls));
                  memref::StoreOp::create(
                      sb, sl, emitCtcAccumulateAlphaBeta(sb, sl, old, a, bt),
                      buf.sums, sumAt(cls));
                  scf::YieldOp::create(sb, sl);
                });
          });
          gpu::BarrierOp::create(tb, tl);

          // grad[t, n, c]; the log-sums back to -inf for frame t - 1.
          forThreads(tb, tl, constIndex(tb, tl, 0), classSize,
                     [&](OpBuilder &cb, Location cl, Value c) {
                       Value r = memref::LoadOp::create(cb, cl, buf.sums,
                                                        sumAt(c));
                       Value v = emitCtcGradElement(cb, cl, lpAt(cb, cl, t, c),
                                                    r, nll, scale,
                                                    zeroInfinity);
                       memref::StoreOp::create(cb, cl, castFloat(cb, cl, v, elTy),
                                               buf.grad,
                                               layout.logProbIndex(t, n, c));
                       memref::StoreOp::create(cb, cl, negInf, buf.sums,
                                               sumAt(c));
                     });
          scf::YieldOp::create(tb, tl);
        });
    // The next sample overwrites the scratch rows.
    gpu::BarrierOp::create(b, loc);
  }

  GPUKernelSizes sizes;
};

} // namespace

void mlir::loss::populateCtcGradToGPUPatterns(RewritePatternSet &patterns,
                                              GPUKernelSizes sizes) {
  patterns.add<CtcGradToGPU>(patterns.getContext(), sizes);
}
