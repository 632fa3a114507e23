//===- CtcGrad.cpp - Gradients of the ctc family to linalg ------------===//
//
// loss.ctc_grad: PyTorch's CPU kernel (ctc_loss_backward_cpu_template) as a
// schedule over LossArithmetic.h's CTC arithmetic, the same the forward
// (CTC.cpp) and the GPU kernel (CTCGradGPU.cpp) call.
//
//  * concatenated targets: one sequential scf.for over the batch computes
//    each sample's offset and clamped length, as in the forward;
//  * scf.forall over the batch (parallel: samples are independent); the
//    gradient tensor is its shared output, each sample writing its own
//    [T, C] slice (rank-reduced [T, 1, C] of [T, N, C]) in place. Per sample:
//    - the label scan of the forward (a label outside [0, C), or a blank
//      outside it with a dynamic C, makes the sample "bad": its loss is NaN
//      and so is its gradient for t < T_n, written directly; no recursion
//      runs for it, so nothing is read out of bounds; class indices are
//      clamped into [0, C) besides);
//    - the alpha table, (T_n + 1) x (2 S_n + 1) states (row 0 the virtual
//      a_{-1}, row t + 1 = a_t), by the forward's alpha step; the
//      sample's loss nll_n from its last row;
//    - frames t >= T_n: 0 (and a bad sample's t < T_n: NaN);
//    - ONE beta row, from the virtual b_{T_n}, updated in place for t = T_n-1
//      down to 0 in ASCENDING state order (b_t(s) reads only b_{t+1}(s..s+2),
//      not yet overwritten); each new b_t(s) is folded, with a_t(s), into a
//      C-sized row of per-class log-sums r_t(c) (reset to -inf per frame);
//      then grad[t, c] = (exp(lp) - exp(r_t(c) + nll_n - lp)) g_n, rounded
//      once to the element type.
// State per sample is O(T_n S_n + C); the only full-size tensor is the
// gradient itself. Arithmetic is in getCtcGradAccumulatorType (f64 for f32,
// f32 for f16/bf16), rounded once per element.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "loss-mlir/Conversion/LossToLinalg/LossToLinalg.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loss;

namespace {

struct CtcGradLowering : public OpRewritePattern<CtcGradOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(CtcGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value logProbs = op.getLogProbs(), gradOutput = op.getGradOutput();
    auto lpTy = op.getLogProbs().getType();
    CtcLayout layout = CtcLayout::get(op);
    bool batched = layout.batched;
    Type elTy = lpTy.getElementType();
    Type acc = getCtcGradAccumulatorType(elTy);
    Reduction reduction = op.getReduction();
    bool zeroInfinity = op.getZeroInfinity();

    Value c0 = constIndex(b, loc, 0), c1 = constIndex(b, loc, 1),
          c2 = constIndex(b, loc, 2);
    // The forward's setup; a `none` grad_output has N entries as well.
    CtcBatch ctc = CtcBatch::build(
        b, loc, layout, logProbs, op.getTargets(), op.getInputLengths(),
        op.getTargetLengths(), op.getBlank(),
        reduction == Reduction::none ? gradOutput : Value());
    Value timeSize = ctc.timeSize, classSize = ctc.classSize;
    Value batchSizeV = ctc.batchSizeV, blankIdx = ctc.blank.index;
    OpFoldResult batchSize = ctc.batchSize;

    // The 0-d grad_output of `sum`/`mean`, read once.
    Value gradScalar;
    if (reduction != Reduction::none || !batched)
      gradScalar = castFloat(
          b, loc,
          tensor::ExtractOp::create(b, loc, gradOutput, ValueRange{}), acc);

    SmallVector<OpFoldResult> gradShape =
        tensor::getMixedSizes(b, loc, logProbs);
    Value init = tensor::EmptyOp::create(b, loc, gradShape, elTy);
    auto sliceType = RankedTensorType::get(
        {lpTy.getDimSize(0), lpTy.getDimSize(lpTy.getRank() - 1)}, elTy);

    auto forall = scf::ForallOp::create(
        b, loc, ArrayRef{batchSize}, ValueRange{init}, std::nullopt,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value n = args[0], out = args[1];

          // The forward's lengths and label scan; a bad sample runs no
          // recursion (nothing is read for it).
          CtcBatch::Sample smp = ctc.sample(nb, nl, n);
          Value tn = smp.tn, sn = smp.sn, snI = smp.snI, bad = smp.bad,
                steps = smp.steps, cMinus1 = smp.cMinus1;
          auto labelAt = smp.labelFn();
          auto lpAt = smp.logProbFn(acc);

          Value numStates = smp.numStates;
          Value lastState = arith::MulIOp::create(nb, nl, sn, c2);

          // The alpha table: row 0 = a_{-1} = [0, -inf, ...], row t+1 = a_t.
          Value rows = arith::AddIOp::create(nb, nl, steps, c1);
          Value alpha = tensor::EmptyOp::create(
              nb, nl, ArrayRef<OpFoldResult>{rows, numStates}, acc);
          alpha =
              scf::ForOp::create(
                  nb, nl, c0, numStates, c1, ValueRange{alpha},
                  [&](OpBuilder &lb, Location ll, Value s, ValueRange it) {
                    Value v = emitCtcInitialAlpha(lb, ll, acc, s);
                    scf::YieldOp::create(
                        lb, ll,
                        ValueRange{tensor::InsertOp::create(
                            lb, ll, v, it[0],
                            ValueRange{constIndex(lb, ll, 0), s})});
                  })
                  .getResult(0);
          alpha =
              scf::ForOp::create(
                  nb, nl, c0, steps, c1, ValueRange{alpha},
                  [&](OpBuilder &tb, Location tl, Value t, ValueRange iter) {
                    Value tNext =
                        arith::AddIOp::create(tb, tl, t, constIndex(tb, tl, 1));
                    Value lpBlank = lpAt(tb, tl, t, blankIdx);
                    Value a = iter[0];
                    Value first = tensor::ExtractOp::create(
                        tb, tl, a, ValueRange{t, constIndex(tb, tl, 0)});
                    a = tensor::InsertOp::create(
                        tb, tl, emitCtcAlphaStep(tb, tl, lpBlank, first), a,
                        ValueRange{tNext, constIndex(tb, tl, 0)});
                    auto labelLoop = scf::ForOp::create(
                        tb, tl, c0, sn, c1, ValueRange{a},
                        [&](OpBuilder &lb, Location ll, Value k,
                            ValueRange it) {
                          Value a = it[0];
                          Value one = constIndex(lb, ll, 1),
                                two = constIndex(lb, ll, 2);
                          Value s0 = arith::MulIOp::create(lb, ll, k, two);
                          Value s1 = arith::AddIOp::create(lb, ll, s0, one);
                          Value s2 = arith::AddIOp::create(lb, ll, s0, two);
                          auto at = [&](Value s) -> Value {
                            return tensor::ExtractOp::create(lb, ll, a,
                                                             ValueRange{t, s});
                          };
                          CtcLabel lab = emitCtcLabel(lb, ll, k, labelAt);
                          Value sm1 = arith::SelectOp::create(
                              lb, ll, lab.hasPrev,
                              arith::SubIOp::create(lb, ll, s0, one),
                              constIndex(lb, ll, 0));
                          Value c =
                              emitCtcClassIndex(lb, ll, lab.label, cMinus1);
                          Value a0 = at(s0), a1 = at(s1), a2 = at(s2);
                          Value new1 = emitCtcAlphaStep(
                              lb, ll, lpAt(lb, ll, t, c), a1, a0, at(sm1),
                              lab.canSkip);
                          Value new2 =
                              emitCtcAlphaStep(lb, ll, lpBlank, a2, a1);
                          a = tensor::InsertOp::create(lb, ll, new1, a,
                                                       ValueRange{tNext, s1});
                          a = tensor::InsertOp::create(lb, ll, new2, a,
                                                       ValueRange{tNext, s2});
                          scf::YieldOp::create(lb, ll, ValueRange{a});
                        });
                    scf::YieldOp::create(tb, tl,
                                         ValueRange{labelLoop.getResult(0)});
                  })
                  .getResult(0);

          // The sample's loss (NaN where bad), and its gradient factor.
          Value nll = emitCtcSampleLoss(
              nb, nl, acc, sn,
              [&](OpBuilder &lb, Location ll, Value s) -> Value {
                return tensor::ExtractOp::create(lb, ll, alpha,
                                                 ValueRange{steps, s});
              },
              bad, /*zeroInfinity=*/false, /*meanLength=*/Value());
          Value g = gradScalar;
          if (!g)
            g = castFloat(
                nb, nl,
                tensor::ExtractOp::create(nb, nl, gradOutput, ValueRange{n}),
                acc);
          Value scale = emitCtcGradScale(
              nb, nl, g, batchSizeV,
              reduction == Reduction::mean ? snI : Value());

          // This sample's [T, C] slice of the gradient.
          SmallVector<OpFoldResult> offs, sizes, strides;
          if (batched) {
            offs = {nb.getIndexAttr(0), n, nb.getIndexAttr(0)};
            sizes = {gradShape[0], nb.getIndexAttr(1), gradShape[2]};
          } else {
            offs = {nb.getIndexAttr(0), nb.getIndexAttr(0)};
            sizes = {gradShape[0], gradShape[1]};
          }
          strides.assign(offs.size(), nb.getIndexAttr(1));
          Value slice = tensor::ExtractSliceOp::create(nb, nl, sliceType, out,
                                                       offs, sizes, strides);

          // Frames t >= T_n: 0; a bad sample's frames t < T_n: NaN.
          Value zeroEl = constFloat(nb, nl, elTy, 0.0);
          Value nanEl = constFloat(nb, nl, elTy, NAN);
          slice =
              scf::ForOp::create(
                  nb, nl, steps, timeSize, c1, ValueRange{slice},
                  [&](OpBuilder &tb, Location tl, Value t, ValueRange it) {
                    Value fill = arith::SelectOp::create(
                        tb, tl,
                        arith::CmpIOp::create(tb, tl, arith::CmpIPredicate::ult,
                                              t, tn),
                        nanEl, zeroEl);
                    auto inner = scf::ForOp::create(
                        tb, tl, c0, classSize, c1, ValueRange{it[0]},
                        [&](OpBuilder &cb, Location cl, Value c,
                            ValueRange it2) {
                          scf::YieldOp::create(
                              cb, cl,
                              ValueRange{tensor::InsertOp::create(
                                  cb, cl, fill, it2[0], ValueRange{t, c})});
                        });
                    scf::YieldOp::create(tb, tl,
                                         ValueRange{inner.getResult(0)});
                  })
                  .getResult(0);

          // One beta row from b_{T_n}, and a row of per-class log-sums.
          Value beta = tensor::EmptyOp::create(
              nb, nl, ArrayRef<OpFoldResult>{numStates}, acc);
          beta =
              scf::ForOp::create(
                  nb, nl, c0, numStates, c1, ValueRange{beta},
                  [&](OpBuilder &lb, Location ll, Value s, ValueRange it) {
                    Value v = emitCtcInitialBeta(lb, ll, acc, s, lastState);
                    scf::YieldOp::create(lb, ll,
                                         ValueRange{tensor::InsertOp::create(
                                             lb, ll, v, it[0], ValueRange{s})});
                  })
                  .getResult(0);
          Value sums = tensor::EmptyOp::create(
              nb, nl, ArrayRef<OpFoldResult>{classSize}, acc);
          Value negInf = constFloat(nb, nl, acc, -INFINITY);

          slice = scf::ForOp::create(
              nb, nl, c0, steps, c1, ValueRange{beta, sums, slice},
              [&](OpBuilder &tb, Location tl, Value j, ValueRange iter) {
                Value one = constIndex(tb, tl, 1);
                // t = T_n - 1 - j; alpha row t + 1.
                Value tRow = arith::SubIOp::create(tb, tl, steps, j);
                Value t = arith::SubIOp::create(tb, tl, tRow, one);
                Value lpBlank = lpAt(tb, tl, t, blankIdx);
                Value blankClass = blankIdx;

                // r_t = -inf.
                Value r = scf::ForOp::create(
                              tb, tl, c0, classSize, one, ValueRange{iter[1]},
                              [&](OpBuilder &cb, Location cl, Value c,
                                  ValueRange it) {
                                scf::YieldOp::create(
                                    cb, cl,
                                    ValueRange{tensor::InsertOp::create(
                                        cb, cl, negInf, it[0], ValueRange{c})});
                              })
                              .getResult(0);

                // Folds b_t(s) (and a_t(s)) into r_t(class).
                auto fold = [&](OpBuilder &fb, Location fl, Value r, Value s,
                                Value cls, Value bt) -> Value {
                  Value at = tensor::ExtractOp::create(fb, fl, alpha,
                                                       ValueRange{tRow, s});
                  Value old =
                      tensor::ExtractOp::create(fb, fl, r, ValueRange{cls});
                  Value v = emitCtcAccumulateAlphaBeta(fb, fl, old, at, bt);
                  return tensor::InsertOp::create(fb, fl, v, r,
                                                  ValueRange{cls});
                };

                // States 2k (blank) and 2k+1 (label k), k ascending.
                auto labelLoop = scf::ForOp::create(
                    tb, tl, c0, sn, one, ValueRange{iter[0], r},
                    [&](OpBuilder &lb, Location ll, Value k, ValueRange it) {
                      Value bRow = it[0], r = it[1];
                      Value one = constIndex(lb, ll, 1),
                            two = constIndex(lb, ll, 2),
                            three = constIndex(lb, ll, 3);
                      Value s0 = arith::MulIOp::create(lb, ll, k, two);
                      Value s1 = arith::AddIOp::create(lb, ll, s0, one);
                      Value s2 = arith::AddIOp::create(lb, ll, s0, two);
                      // lab.hasPrev: k + 1 < S_n (emitCtcBetaLabel).
                      CtcLabel lab = emitCtcBetaLabel(lb, ll, k, sn, labelAt);
                      // s + 2 only when it is a state (k + 1 < S_n).
                      Value s3 = arith::SelectOp::create(
                          lb, ll, lab.hasPrev,
                          arith::AddIOp::create(lb, ll, s0, three), s1);
                      auto at = [&](Value s) -> Value {
                        return tensor::ExtractOp::create(lb, ll, bRow,
                                                         ValueRange{s});
                      };
                      Value b0 = at(s0), b1 = at(s1), b2 = at(s2), b3 = at(s3);
                      Value c = emitCtcClassIndex(lb, ll, lab.label, cMinus1);
                      Value new0 = emitCtcBetaStep(lb, ll, lpBlank, b0, b1);
                      Value new1 = emitCtcBetaStep(lb, ll, lpAt(lb, ll, t, c),
                                                   b1, b2, b3, lab.canSkip);
                      bRow = tensor::InsertOp::create(lb, ll, new0, bRow,
                                                      ValueRange{s0});
                      bRow = tensor::InsertOp::create(lb, ll, new1, bRow,
                                                      ValueRange{s1});
                      r = fold(lb, ll, r, s0, blankClass, new0);
                      r = fold(lb, ll, r, s1, c, new1);
                      scf::YieldOp::create(lb, ll, ValueRange{bRow, r});
                    });
                Value bRow = labelLoop.getResult(0);
                r = labelLoop.getResult(1);
                // State 2 S_n (blank, the last).
                Value bLast =
                    tensor::ExtractOp::create(tb, tl, bRow, ValueRange{lastState});
                Value newLast = emitCtcBetaStep(tb, tl, lpBlank, bLast);
                bRow = tensor::InsertOp::create(tb, tl, newLast, bRow,
                                                ValueRange{lastState});
                r = fold(tb, tl, r, lastState, blankClass, newLast);

                // grad[t, c] for every class.
                Value sl =
                    scf::ForOp::create(
                        tb, tl, c0, classSize, one, ValueRange{iter[2]},
                        [&](OpBuilder &cb, Location cl, Value c,
                            ValueRange it) {
                          Value lp = lpAt(cb, cl, t, c);
                          Value rc =
                              tensor::ExtractOp::create(cb, cl, r, ValueRange{c});
                          Value v = emitCtcGradElement(cb, cl, lp, rc, nll,
                                                       scale, zeroInfinity);
                          scf::YieldOp::create(
                              cb, cl,
                              ValueRange{tensor::InsertOp::create(
                                  cb, cl, castFloat(cb, cl, v, elTy), it[0],
                                  ValueRange{t, c})});
                        })
                        .getResult(0);
                scf::YieldOp::create(tb, tl, ValueRange{bRow, r, sl});
              })
              .getResult(2);

          auto inParallel = scf::InParallelOp::create(nb, nl);
          OpBuilder::InsertionGuard guard(nb);
          nb.setInsertionPointToStart(inParallel.getBody());
          tensor::ParallelInsertSliceOp::create(nb, nl, slice, out, offs, sizes,
                                                strides);
        });
    replaceOpWithCasts(rewriter, op, forall.getResults());
    return success();
  }
};

} // namespace

void mlir::loss::populateCtcGradToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<CtcGradLowering>(patterns.getContext());
}
