//===- CTC.cpp - loss.ctc to scf and linalg -------------------------------===//
//
// The CTC forward (alpha) recursion, in log space, over the extended labels
// l' = blank, l_0, blank, l_1, ..., blank (2 S_n + 1 states):
//
//   a_t(s) = lp[t, l'_s] + logsumexp(a_{t-1}(s), a_{t-1}(s-1),
//                                    a_{t-1}(s-2) if s is odd, s > 1 and
//                                                 l'_s != l'_{s-2})
//   loss_n = -logsumexp(a_{T_n-1}(2 S_n), a_{T_n-1}(2 S_n - 1))
//
// Structure of the lowering:
//  * concatenated targets: one sequential scf.for over the batch computes
//    each sample's offset (exclusive prefix sum of the clamped lengths) and
//    its length clamped to what remains of the buffer;
//  * scf.forall over the batch (parallel); per sample:
//    - a scan of its labels: any label outside [0, C) (or, with a dynamic C,
//      a blank outside it) makes the sample's loss NaN and skips the
//      recursion, so nothing is ever read out of bounds (labels are clamped
//      into [0, C) before use as an index as well);
//    - ONE alpha row of 2 S_n + 1 states (tensor.empty of that dynamic size,
//      a buffer allocated per sample), initialised (by an scf.for, so that
//      the parallel body holds no nested parallel loop) to the virtual
//      a_{-1} = [0, -inf, ...]: one application of the recursion gives
//      a_0(0) = lp[0, blank], a_0(1) = lp[0, l_0] and -inf elsewhere;
//    - a sequential scf.for over time t < T_n; each step updates the row in
//      place, states in DESCENDING order (a_t(s) reads only a_{t-1}(s-2..s),
//      which a descending sweep has not overwritten yet): an inner scf.for
//      over the labels k = S_n-1 .. 0 computes states 2k+2 and 2k+1, then
//      state 0;
//    - logsumexp is max-shifted and -inf safe (shift by 0 when every term
//      is -inf: the result is then -inf, never NaN); NaN propagates.
//  * `none` returns the per-sample losses; `sum`/`mean` reduce them with
//    buildReducedLoss (`mean` divides each loss by max(S_n, 1) first).
// State is O(S_n) per sample; nothing of size T * S exists.
//
// Lengths are clamped at run time: T_n into [0, T], S_n into [0, S] (padded
// [N, S]) or into what remains of the concatenated buffer. T_n = 0 gives a
// loss of 0 for S_n = 0 and +inf otherwise (PyTorch 1.13 reads before its
// alpha buffer there; later releases define it this way). An infeasible
// sample (T_n too short for S_n and its repeats) gets +inf, 0 with
// `zero_infinity` (which, as in PyTorch, leaves NaN alone).
//
// As in PyTorch's CPU kernel, the skip transition compares the raw label
// values (a label equal to `blank` is not special-cased).
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "loss-mlir/Conversion/LossToLinalg/LossToLinalg.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loss;

namespace {

struct CtcLowering : public OpRewritePattern<CtcOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(CtcOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value logProbs = op.getLogProbs(), targets = op.getTargets(),
          inputLengths = op.getInputLengths(),
          targetLengths = op.getTargetLengths();
    auto lpTy = op.getLogProbs().getType();
    bool batched = lpTy.getRank() == 3;
    bool concatenated = batched && op.getTargets().getType().getRank() == 1;
    Type elTy = lpTy.getElementType();
    Type acc = getAccumulatorType(elTy);
    Reduction reduction = op.getReduction();
    bool zeroInfinity = op.getZeroInfinity();

    Value c0 = constIndex(b, loc, 0), c1 = constIndex(b, loc, 1),
          c2 = constIndex(b, loc, 2);
    Value zeroI = constI64(b, loc, 0), oneI = constI64(b, loc, 1);
    Value timeSize = tensor::DimOp::create(b, loc, logProbs, 0);
    OpFoldResult batchSize = batched ? tensor::getMixedSize(b, loc, logProbs, 1)
                                     : OpFoldResult(b.getIndexAttr(1));
    Value batchSizeV = getValueOrCreateConstantIndexOp(b, loc, batchSize);
    Value numClasses = toI64FromIndex(
        b, loc, tensor::DimOp::create(b, loc, logProbs, lpTy.getRank() - 1));
    Value timeSizeI = toI64FromIndex(b, loc, timeSize);

    // Per-sample operands must have N entries (checked at run time where a
    // size is dynamic).
    if (batched) {
      MLIRContext *ctx = b.getContext();
      AffineExpr n = getAffineDimExpr(0, ctx);
      SmallVector<LoopInput> perSample{
          {inputLengths, AffineMap::get(1, 0, {n}, ctx)},
          {targetLengths, AffineMap::get(1, 0, {n}, ctx)}};
      if (!concatenated)
        perSample.push_back(
            {targets,
             AffineMap::get(1, 0, {n, getAffineConstantExpr(0, ctx)}, ctx)});
      assertConsistentLoopSizes(b, loc, {batchSize}, perSample);
    }

    // `blank` is verified against a static C; a dynamic C is checked here.
    Value blank = constI64(b, loc, op.getBlank());
    Value blankBad = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                           blank, numClasses);
    Value blankIdx = toIndex(
        b, loc, arith::SelectOp::create(b, loc, blankBad, zeroI, blank));

    // A length of sample `n` (index), as i64; unbatched lengths are [] or [1].
    auto readLength = [&](OpBuilder &nb, Location nl, Value lengths,
                          Value n) -> Value {
      SmallVector<Value> idx;
      if (cast<RankedTensorType>(lengths.getType()).getRank() == 1)
        idx.push_back(batched ? n : constIndex(nb, nl, 0));
      return toI64(nb, nl, tensor::ExtractOp::create(nb, nl, lengths, idx));
    };

    // Concatenated targets: offsets (exclusive prefix sum) and lengths, each
    // clamped to what remains of the buffer; one sequential pass.
    Value offsets, lengths;
    if (concatenated) {
      Value bufLen =
          toI64FromIndex(b, loc, tensor::DimOp::create(b, loc, targets, 0));
      Value emptyI64 =
          tensor::EmptyOp::create(b, loc, ArrayRef{batchSize}, b.getI64Type());
      auto scan = scf::ForOp::create(
          b, loc, c0, batchSizeV, c1, ValueRange{zeroI, emptyI64, emptyI64},
          [&](OpBuilder &nb, Location nl, Value n, ValueRange iter) {
            Value used = iter[0];
            Value remaining = arith::SubIOp::create(nb, nl, bufLen, used);
            Value len = clampSI(nb, nl, readLength(nb, nl, targetLengths, n),
                                constI64(nb, nl, 0), remaining);
            Value offs =
                tensor::InsertOp::create(nb, nl, used, iter[1], ValueRange{n});
            Value lens =
                tensor::InsertOp::create(nb, nl, len, iter[2], ValueRange{n});
            scf::YieldOp::create(
                nb, nl,
                ValueRange{arith::AddIOp::create(nb, nl, used, len), offs,
                           lens});
          });
      offsets = scan.getResult(1);
      lengths = scan.getResult(2);
    }
    Value paddedS;
    if (!concatenated)
      paddedS = toI64FromIndex(
          b, loc, tensor::DimOp::create(b, loc, targets, batched ? 1 : 0));

    Value init = tensor::EmptyOp::create(b, loc, ArrayRef{batchSize}, acc);
    auto forall = scf::ForallOp::create(
        b, loc, ArrayRef{batchSize}, ValueRange{init}, std::nullopt,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value n = args[0], out = args[1];
          Value negInf = constFloat(nb, nl, acc, -INFINITY);

          // Lengths of this sample.
          Value tn =
              toIndex(nb, nl,
                      clampSI(nb, nl, readLength(nb, nl, inputLengths, n),
                              zeroI, timeSizeI));
          Value snI, offset;
          if (concatenated) {
            snI = tensor::ExtractOp::create(nb, nl, lengths, ValueRange{n});
            offset = toIndex(
                nb, nl,
                tensor::ExtractOp::create(nb, nl, offsets, ValueRange{n}));
          } else {
            snI = clampSI(nb, nl, readLength(nb, nl, targetLengths, n), zeroI,
                          paddedS);
          }
          Value sn = toIndex(nb, nl, snI);

          // The raw label k (< S_n) of this sample, as i64.
          auto labelAt = [&](OpBuilder &lb, Location ll, Value k) -> Value {
            SmallVector<Value> idx;
            if (concatenated)
              idx.push_back(arith::AddIOp::create(lb, ll, offset, k));
            else if (batched)
              idx = {n, k};
            else
              idx.push_back(k);
            return toI64(lb, ll,
                         tensor::ExtractOp::create(lb, ll, targets, idx));
          };
          auto lpAt = [&](OpBuilder &lb, Location ll, Value t,
                          Value c) -> Value {
            SmallVector<Value> idx{t};
            if (batched)
              idx.push_back(n);
            idx.push_back(c);
            return castFloat(
                lb, ll, tensor::ExtractOp::create(lb, ll, logProbs, idx), acc);
          };

          // Any label outside [0, C) makes the loss NaN (PyTorch reads out
          // of bounds there); the recursion is then skipped.
          auto labelScan = scf::ForOp::create(
              nb, nl, c0, sn, c1, ValueRange{blankBad},
              [&](OpBuilder &lb, Location ll, Value k, ValueRange iter) {
                Value lab = labelAt(lb, ll, k);
                Value out = arith::OrIOp::create(
                    lb, ll,
                    arith::CmpIOp::create(lb, ll, arith::CmpIPredicate::slt,
                                          lab, constI64(lb, ll, 0)),
                    arith::CmpIOp::create(lb, ll, arith::CmpIPredicate::sge,
                                          lab, numClasses));
                scf::YieldOp::create(
                    lb, ll,
                    ValueRange{arith::OrIOp::create(lb, ll, iter[0], out)});
              });
          Value bad = labelScan.getResult(0);
          Value steps = arith::SelectOp::create(nb, nl, bad, c0, tn);

          // One alpha row, a_{-1} = [0, -inf, ..., -inf].
          Value numStates = arith::AddIOp::create(
              nb, nl, arith::MulIOp::create(nb, nl, sn, c2), c1);
          // Filled by a plain loop, not linalg.fill: the body of a parallel
          // loop should hold no parallel loop of its own (it would become a
          // nested OpenMP region).
          Value row = tensor::EmptyOp::create(
              nb, nl, ArrayRef<OpFoldResult>{numStates}, acc);
          row =
              scf::ForOp::create(
                  nb, nl, c0, numStates, c1, ValueRange{row},
                  [&](OpBuilder &lb, Location ll, Value s, ValueRange it) {
                    Value isStart =
                        arith::CmpIOp::create(lb, ll, arith::CmpIPredicate::eq,
                                              s, constIndex(lb, ll, 0));
                    Value v = arith::SelectOp::create(
                        lb, ll, isStart, constFloat(lb, ll, acc, 0.0), negInf);
                    scf::YieldOp::create(lb, ll,
                                         ValueRange{tensor::InsertOp::create(
                                             lb, ll, v, it[0], ValueRange{s})});
                  })
                  .getResult(0);

          Value cMinus1 = arith::SubIOp::create(nb, nl, numClasses, oneI);
          auto timeLoop = scf::ForOp::create(
              nb, nl, c0, steps, c1, ValueRange{row},
              [&](OpBuilder &tb, Location tl, Value t, ValueRange iter) {
                Value lpBlank = lpAt(tb, tl, t, blankIdx);
                // States 2k+2 and 2k+1 for k = S_n-1 down to 0, in place.
                auto labelLoop = scf::ForOp::create(
                    tb, tl, c0, sn, c1, ValueRange{iter[0]},
                    [&](OpBuilder &lb, Location ll, Value j, ValueRange it) {
                      Value a = it[0];
                      Value k = arith::SubIOp::create(
                          lb, ll, arith::SubIOp::create(lb, ll, sn, j),
                          constIndex(lb, ll, 1));
                      Value s0 = arith::MulIOp::create(lb, ll, k,
                                                       constIndex(lb, ll, 2));
                      Value s1 = arith::AddIOp::create(lb, ll, s0,
                                                       constIndex(lb, ll, 1));
                      Value s2 = arith::AddIOp::create(lb, ll, s0,
                                                       constIndex(lb, ll, 2));
                      auto at = [&](Value s) -> Value {
                        return tensor::ExtractOp::create(lb, ll, a,
                                                         ValueRange{s});
                      };
                      Value a0 = at(s0), a1 = at(s1), a2 = at(s2);
                      // The skip from 2k-1: k > 0 and l_k != l_{k-1}.
                      Value hasPrev = arith::CmpIOp::create(
                          lb, ll, arith::CmpIPredicate::sgt, k,
                          constIndex(lb, ll, 0));
                      Value kPrev = arith::SelectOp::create(
                          lb, ll, hasPrev,
                          arith::SubIOp::create(lb, ll, k,
                                                constIndex(lb, ll, 1)),
                          constIndex(lb, ll, 0));
                      Value lab = labelAt(lb, ll, k);
                      Value labPrev = labelAt(lb, ll, kPrev);
                      Value skip = arith::AndIOp::create(
                          lb, ll, hasPrev,
                          arith::CmpIOp::create(
                              lb, ll, arith::CmpIPredicate::ne, lab, labPrev));
                      Value sm1 = arith::SelectOp::create(
                          lb, ll, hasPrev,
                          arith::SubIOp::create(lb, ll, s0,
                                                constIndex(lb, ll, 1)),
                          constIndex(lb, ll, 0));
                      Value am1 = arith::SelectOp::create(
                          lb, ll, skip, at(sm1),
                          constFloat(lb, ll, acc, -INFINITY));
                      // The scan guarantees 0 <= lab < C here; clamp anyway
                      // so the index is in bounds on its own.
                      Value c = toIndex(
                          lb, ll,
                          clampSI(lb, ll, lab, constI64(lb, ll, 0), cMinus1));
                      Value new2 = arith::AddFOp::create(
                          lb, ll, lpBlank, emitLogSumExp(lb, ll, {a2, a1}));
                      Value new1 = arith::AddFOp::create(
                          lb, ll, lpAt(lb, ll, t, c),
                          emitLogSumExp(lb, ll, {a1, a0, am1}));
                      a = tensor::InsertOp::create(lb, ll, new2, a,
                                                   ValueRange{s2});
                      a = tensor::InsertOp::create(lb, ll, new1, a,
                                                   ValueRange{s1});
                      scf::YieldOp::create(lb, ll, ValueRange{a});
                    });
                Value a = labelLoop.getResult(0);
                Value first =
                    tensor::ExtractOp::create(tb, tl, a, ValueRange{c0});
                a = tensor::InsertOp::create(
                    tb, tl, arith::AddFOp::create(tb, tl, lpBlank, first), a,
                    ValueRange{c0});
                scf::YieldOp::create(tb, tl, ValueRange{a});
              });
          Value alpha = timeLoop.getResult(0);

          // -logsumexp(a(2 S_n), a(2 S_n - 1)); the second only if S_n > 0.
          Value last = arith::MulIOp::create(nb, nl, sn, c2);
          Value hasLabels =
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sgt, sn, c0);
          Value lastLabel = arith::SelectOp::create(
              nb, nl, hasLabels, arith::SubIOp::create(nb, nl, last, c1), c0);
          Value aLast =
              tensor::ExtractOp::create(nb, nl, alpha, ValueRange{last});
          Value aLabel = arith::SelectOp::create(
              nb, nl, hasLabels,
              tensor::ExtractOp::create(nb, nl, alpha, ValueRange{lastLabel}),
              negInf);
          // 0 - lse (not negf): an empty alignment gives +0.
          Value loss =
              arith::SubFOp::create(nb, nl, constFloat(nb, nl, acc, 0.0),
                                    emitLogSumExp(nb, nl, {aLast, aLabel}));
          loss = arith::SelectOp::create(nb, nl, bad,
                                         constFloat(nb, nl, acc, NAN), loss);
          if (zeroInfinity) {
            Value isInf =
                arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ, loss,
                                      constFloat(nb, nl, acc, INFINITY));
            loss = arith::SelectOp::create(nb, nl, isInf,
                                           constFloat(nb, nl, acc, 0.0), loss);
          }
          if (reduction == Reduction::mean) {
            Value denom = arith::SIToFPOp::create(
                nb, nl, acc, arith::MaxSIOp::create(nb, nl, snI, oneI));
            loss = arith::DivFOp::create(nb, nl, loss, denom);
          }

          // Written through a 1-element slice of the shared output, which
          // bufferizes in place (no per-sample buffer).
          SmallVector<OpFoldResult> offs{n}, sizes{nb.getIndexAttr(1)},
              strides{nb.getIndexAttr(1)};
          Value one =
              tensor::ExtractSliceOp::create(nb, nl, out, offs, sizes, strides);
          one = tensor::InsertOp::create(nb, nl, loss, one,
                                         ValueRange{constIndex(nb, nl, 0)});
          auto inParallel = scf::InParallelOp::create(nb, nl);
          OpBuilder::InsertionGuard guard(nb);
          nb.setInsertionPointToStart(inParallel.getBody());
          tensor::ParallelInsertSliceOp::create(nb, nl, one, out, offs, sizes,
                                                strides);
        });
    Value perSample = forall.getResult(0);

    // One unbatched sample's loss is already divided by max(S, 1) for
    // `mean`.
    Value result = reducePerSample(b, loc, perSample, batched, batchSize,
                                   reduction, elTy);
    replaceOpWithCasts(rewriter, op, result);
    return success();
  }
};

} // namespace

void mlir::loss::populateCtcToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<CtcLowering>(patterns.getContext());
}
