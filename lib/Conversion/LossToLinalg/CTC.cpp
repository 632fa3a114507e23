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
// The recursion's arithmetic (the alpha step, the label checks, the
// sample's finish) is LossArithmetic.h's, shared with the GPU lowering
// (CTCGPU.cpp); this file is the CPU schedule over it.
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
    CtcLayout layout = CtcLayout::get(op);
    bool batched = layout.batched;
    Type elTy = op.getLogProbs().getType().getElementType();
    Type acc = getAccumulatorType(elTy);
    Reduction reduction = op.getReduction();
    bool zeroInfinity = op.getZeroInfinity();

    Value c0 = constIndex(b, loc, 0), c1 = constIndex(b, loc, 1);
    // Sizes, the operand checks, the blank and the bounds of every S_n.
    CtcBatch ctc = CtcBatch::build(b, loc, layout, op.getLogProbs(),
                                   op.getTargets(), op.getInputLengths(),
                                   op.getTargetLengths(), op.getBlank());
    Value blankIdx = ctc.blank.index;
    OpFoldResult batchSize = ctc.batchSize;

    Value init = tensor::EmptyOp::create(b, loc, ArrayRef{batchSize}, acc);
    auto forall = scf::ForallOp::create(
        b, loc, ArrayRef{batchSize}, ValueRange{init}, std::nullopt,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value n = args[0], out = args[1];

          // Lengths of this sample; its labels scanned (a bad sample's loss
          // is NaN and it runs no recursion).
          CtcBatch::Sample smp = ctc.sample(nb, nl, n);
          Value sn = smp.sn, snI = smp.snI, bad = smp.bad, steps = smp.steps;
          Value cMinus1 = smp.cMinus1;
          auto labelAt = smp.labelFn();
          auto lpAt = smp.logProbFn(acc);

          // One alpha row, a_{-1} = [0, -inf, ..., -inf].
          Value numStates = smp.numStates;
          // Filled by a plain loop, not linalg.fill: the body of a parallel
          // loop should hold no parallel loop of its own (it would become a
          // nested OpenMP region).
          Value row = tensor::EmptyOp::create(
              nb, nl, ArrayRef<OpFoldResult>{numStates}, acc);
          row =
              scf::ForOp::create(
                  nb, nl, c0, numStates, c1, ValueRange{row},
                  [&](OpBuilder &lb, Location ll, Value s, ValueRange it) {
                    Value v = emitCtcInitialAlpha(lb, ll, acc, s);
                    scf::YieldOp::create(lb, ll,
                                         ValueRange{tensor::InsertOp::create(
                                             lb, ll, v, it[0], ValueRange{s})});
                  })
                  .getResult(0);

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
                      CtcLabel lab = emitCtcLabel(lb, ll, k, labelAt);
                      Value sm1 = arith::SelectOp::create(
                          lb, ll, lab.hasPrev,
                          arith::SubIOp::create(lb, ll, s0,
                                                constIndex(lb, ll, 1)),
                          constIndex(lb, ll, 0));
                      Value am1 = at(sm1);
                      // The scan guarantees 0 <= lab < C here; the index is
                      // clamped so that it is in bounds on its own.
                      Value c = emitCtcClassIndex(lb, ll, lab.label, cMinus1);
                      Value new2 = emitCtcAlphaStep(lb, ll, lpBlank, a2, a1);
                      Value new1 = emitCtcAlphaStep(lb, ll, lpAt(lb, ll, t, c),
                                                    a1, a0, am1, lab.canSkip);
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
                    tb, tl, emitCtcAlphaStep(tb, tl, lpBlank, first), a,
                    ValueRange{c0});
                scf::YieldOp::create(tb, tl, ValueRange{a});
              });
          Value alpha = timeLoop.getResult(0);

          // -logsumexp(a(2 S_n), a(2 S_n - 1)), NaN, zero_infinity and the
          // division of `mean` applied.
          Value loss = emitCtcSampleLoss(
              nb, nl, acc, sn,
              [&](OpBuilder &lb, Location ll, Value s) -> Value {
                return tensor::ExtractOp::create(lb, ll, alpha, ValueRange{s});
              },
              bad, zeroInfinity, reduction == Reduction::mean ? snI : Value());

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
    Value result =
        reducePerSample(b, loc, perSample, batched, batchSize, reduction, elTy);
    replaceOpWithCasts(rewriter, op, result);
    return success();
  }
};

} // namespace

void mlir::loss::populateCtcToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<CtcLowering>(patterns.getContext());
}
