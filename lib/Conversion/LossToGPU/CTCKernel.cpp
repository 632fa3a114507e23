//===- CTCKernel.cpp - What the CTC kernels share -------------------------===//

#include "CTCKernel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loss;

CtcLaunchSizes mlir::loss::buildCtcLaunchSizes(OpBuilder &b, Location loc,
                                               const CtcLayout &layout,
                                               Value logProbs, Value targets,
                                               Value inputLengths,
                                               Value targetLengths,
                                               Value perSampleGrad) {
  CtcLaunchSizes sizes;
  static_cast<CtcSizes &>(sizes) =
      CtcSizes::build(b, loc, layout, logProbs, targets, inputLengths,
                      targetLengths, perSampleGrad);
  sizes.stateCap = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc, sizes.targetWidth, constIndex(b, loc, 2)),
      constIndex(b, loc, 1));
  return sizes;
}

CtcKernelSample mlir::loss::buildCtcKernelSample(
    OpBuilder &b, Location loc, const Kernel &k, const CtcLayout &layout,
    Value n, Value logProbs, Value targets, Value inputLengths,
    Value targetLengths, const CtcLaunchSizes &sizes, int64_t blankAttr) {
  CtcKernelSample smp;
  smp.layout = &layout;
  smp.logProbs = logProbs;
  smp.targets = targets;
  smp.n = n;
  Value c0 = constIndex(b, loc, 0), c1 = constIndex(b, loc, 1),
        c2 = constIndex(b, loc, 2);
  Value zeroI = constI64(b, loc, 0), oneI = constI64(b, loc, 1);
  Value numClassesI = toI64FromIndex(b, loc, sizes.classSize);
  Value timeSizeI = toI64FromIndex(b, loc, sizes.timeSize);
  Value widthI = toI64FromIndex(b, loc, sizes.targetWidth);
  CtcBlank blank = emitCtcBlank(b, loc, blankAttr, numClassesI);
  smp.blankIdx = blank.index;

  auto readLength = [&](OpBuilder &rb, Location rl, Value lengths,
                        Value i) -> Value {
    return layout.readLength(rb, rl, lengths, i);
  };

  // Lengths (and the offset into concatenated targets) of this sample; the
  // offset is the prefix sum of the clamped lengths before it.
  smp.tn = toIndex(
      b, loc,
      clampSI(b, loc, readLength(b, loc, inputLengths, n), zeroI, timeSizeI));
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
    smp.offset = toIndex(b, loc, used);
    smp.snI = clampSI(b, loc, readLength(b, loc, targetLengths, n), zeroI,
                      arith::SubIOp::create(b, loc, widthI, used));
  } else {
    smp.snI =
        clampSI(b, loc, readLength(b, loc, targetLengths, n), zeroI, widthI);
  }
  smp.sn = toIndex(b, loc, smp.snI);

  // Labels outside [0, C): NaN, no recursion (which runs on clamped classes
  // besides).
  auto scan = scf::ForOp::create(
      b, loc, k.threadId, smp.sn, k.blockSize,
      ValueRange{arith::ConstantOp::create(b, loc, b.getBoolAttr(false))},
      [&](OpBuilder &lb, Location ll, Value kk, ValueRange it) {
        Value out =
            emitClassOutOfRange(lb, ll, smp.label(lb, ll, kk), numClassesI);
        scf::YieldOp::create(
            lb, ll, ValueRange{arith::OrIOp::create(lb, ll, it[0], out)});
      });
  Value anyBad =
      blockAllReduce(b, loc, scan.getResult(0), gpu::AllReduceOperation::OR);
  gpu::BarrierOp::create(b, loc);
  smp.bad = arith::OrIOp::create(b, loc, anyBad, blank.bad);
  smp.steps = arith::SelectOp::create(b, loc, smp.bad, c0, smp.tn);
  smp.numStates = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, smp.sn, c2), c1);
  smp.cMinus1 = arith::SubIOp::create(b, loc, numClassesI, oneI);
  return smp;
}

Value CtcKernelSample::label(OpBuilder &b, Location loc, Value k) const {
  return layout->readLabel(b, loc, targets, n, offset, k);
}

Value CtcKernelSample::logProb(OpBuilder &b, Location loc, Value t, Value c,
                               Type acc) const {
  return layout->readLogProb(b, loc, logProbs, t, n, c, acc);
}

Value mlir::loss::emitCtcKernelState(
    OpBuilder &b, Location loc, const CtcKernelSample &smp, Value t, Value s,
    Value lpBlank, Type acc, bool backward,
    function_ref<Value(OpBuilder &, Location, Value)> load) {
  Value zero = constIndex(b, loc, 0), one = constIndex(b, loc, 1),
        two = constIndex(b, loc, 2);
  Value negInf = constFloat(b, loc, acc, -INFINITY);
  auto labelAt = smp.labelFn();
  Value self = load(b, loc, s);
  // The neighbour s - 1 (alpha) or s + 1 (beta), -inf where it is no state.
  Value hasNeighbour, neighbourIdx;
  if (backward) {
    Value lastState = arith::MulIOp::create(b, loc, smp.sn, two);
    hasNeighbour =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, s, lastState);
    neighbourIdx = arith::SelectOp::create(
        b, loc, hasNeighbour, arith::AddIOp::create(b, loc, s, one), s);
  } else {
    hasNeighbour =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, s, one);
    neighbourIdx = arith::SelectOp::create(
        b, loc, hasNeighbour, arith::SubIOp::create(b, loc, s, one), zero);
  }
  Value neighbour = arith::SelectOp::create(b, loc, hasNeighbour,
                                            load(b, loc, neighbourIdx), negInf);
  // `v1` null: from `v0` only; `v2` null: no skip.
  auto step = [&](OpBuilder &sb, Location sl, Value lp, Value v0, Value v1,
                  Value v2 = {}, Value canSkip = {}) -> Value {
    return backward ? emitCtcBetaStep(sb, sl, lp, v0, v1, v2, canSkip)
                    : emitCtcAlphaStep(sb, sl, lp, v0, v1, v2, canSkip);
  };
  Value isLabel =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                            arith::RemUIOp::create(b, loc, s, two), one);
  auto state = scf::IfOp::create(
      b, loc, isLabel,
      [&](OpBuilder &ib, Location il) {
        // Label state s = 2k + 1: k < S_n. The skip reads s - 2 (alpha) or
        // s + 2 (beta) where it is a state that may skip.
        Value kk = arith::DivUIOp::create(ib, il, s, two);
        CtcLabel lab = backward ? emitCtcBetaLabel(ib, il, kk, smp.sn, labelAt)
                                : emitCtcLabel(ib, il, kk, labelAt);
        Value skipIdx =
            backward
                ? arith::SelectOp::create(ib, il, lab.hasPrev,
                                          arith::AddIOp::create(ib, il, s, two),
                                          s)
                : arith::SelectOp::create(ib, il, lab.hasPrev,
                                          arith::SubIOp::create(ib, il, s, two),
                                          zero);
        // The scan ensured 0 <= lab < C; the index is clamped so that it is
        // in bounds on its own.
        Value c = emitCtcClassIndex(ib, il, lab.label, smp.cMinus1);
        Value v = step(ib, il, smp.logProb(ib, il, t, c, acc), self, neighbour,
                       load(ib, il, skipIdx), lab.canSkip);
        scf::YieldOp::create(ib, il, v);
      },
      [&](OpBuilder &ib, Location il) {
        // Blank state: from itself, and from its neighbour if there is one.
        Value v = arith::SelectOp::create(
            ib, il, hasNeighbour, step(ib, il, lpBlank, self, neighbour),
            step(ib, il, lpBlank, self, Value()));
        scf::YieldOp::create(ib, il, v);
      });
  return state.getResult(0);
}
