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
//  * with 32- or 64-bit floats and a vector width (`vector-bits`, the
//    host's in the CPU pipeline) the per-sample recursion is instead the
//    vector schedule of vectorSampleLoss: states split by parity into two
//    contiguous rows, chunks of labels per vector, emissions gathered (see
//    there); the arithmetic is the same emitCtcAlphaStep on vectors;
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

#include "SoftmaxRows.h"
#include "Utils.h"
#include "loss-mlir/Conversion/LossToLinalg/LossToLinalg.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loss;

/// Sample `smp`'s loss by the scalar schedule: ONE alpha row of 2 S_n + 1
/// states, updated in place, states in descending order.
static Value scalarSampleLoss(OpBuilder &b, Location loc, const CtcBatch &ctc,
                              const CtcBatch::Sample &smp, Type acc,
                              bool zeroInfinity, Reduction reduction) {
  Value c0 = constIndex(b, loc, 0), c1 = constIndex(b, loc, 1);
  Value sn = smp.sn, snI = smp.snI, bad = smp.bad, steps = smp.steps;
  Value cMinus1 = smp.cMinus1, blankIdx = ctc.blank.index;
  auto labelAt = smp.labelFn();
  auto lpAt = smp.logProbFn(acc);
  // One alpha row, a_{-1} = [0, -inf, ..., -inf].
  Value numStates = smp.numStates;
  // Filled by a plain loop, not linalg.fill: the body of a parallel
  // loop should hold no parallel loop of its own (it would become a
  // nested OpenMP region).
  Value row = tensor::EmptyOp::create(
      b, loc, ArrayRef<OpFoldResult>{numStates}, acc);
  row =
      scf::ForOp::create(
          b, loc, c0, numStates, c1, ValueRange{row},
          [&](OpBuilder &lb, Location ll, Value s, ValueRange it) {
            Value v = emitCtcInitialAlpha(lb, ll, acc, s);
            scf::YieldOp::create(lb, ll,
                                 ValueRange{tensor::InsertOp::create(
                                     lb, ll, v, it[0], ValueRange{s})});
          })
          .getResult(0);

  auto timeLoop = scf::ForOp::create(
      b, loc, c0, steps, c1, ValueRange{row},
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
      b, loc, acc, sn,
      [&](OpBuilder &lb, Location ll, Value s) -> Value {
        return tensor::ExtractOp::create(lb, ll, alpha, ValueRange{s});
      },
      bad, zeroInfinity, reduction == Reduction::mean ? snI : Value());
  return loss;
}

/// Sample `smp`'s loss by the vector schedule, `lanes` labels at a time.
/// The states are split by parity: blanks B[j] = a(2j) (j <= S_n) and labels
/// L[k + 1] = a(2k + 1) behind a -inf at L[0], so that a(2k - 1) is the
/// contiguous L[k] (the skip at k = 0 is masked off anyway). A step reads
/// the old B[k], L[k + 1], L[k] of a chunk of labels and writes the new B[k]
/// and L[k + 1]: chunks in descending order, the top blank B[S_n] first, so
/// that the update is in place (a chunk reads nothing a higher chunk wrote).
/// A chunk's emissions are one gather from lp[t, n, :] through the sample's
/// clamped classes; the skip condition is precomputed (one i8 per label).
/// Masked reads and writes cover the last chunk, so nothing outside the
/// per-sample buffers or the row is touched.
static Value vectorSampleLoss(OpBuilder &b, Location loc, const CtcBatch &ctc,
                              const CtcBatch::Sample &smp, Type acc,
                              int64_t lanes, bool zeroInfinity,
                              Reduction reduction) {
  Value c0 = constIndex(b, loc, 0), c1 = constIndex(b, loc, 1);
  Value sn = smp.sn;
  Value snP1 = arith::AddIOp::create(b, loc, sn, c1);
  Type i64 = b.getI64Type(), i8 = b.getI8Type();
  Type elTy = cast<ShapedType>(ctc.logProbs.getType()).getElementType();
  auto accVec = VectorType::get({lanes}, acc);
  auto maskTy = VectorType::get({lanes}, b.getI1Type());
  auto labelAt = smp.labelFn();
  MLIRContext *ctx = b.getContext();
  AffineMapAttr minor =
      AffineMapAttr::get(AffineMap::getMinorIdentityMap(1, 1, ctx));
  ArrayAttr notInBounds = b.getBoolArrayAttr({false});

  // a_{-1} (B = [0, -inf, ...], L = -inf), each label's clamped class and
  // whether a(2k - 1) may skip to it.
  auto empty = [&](Value size, Type ty) -> Value {
    return tensor::EmptyOp::create(b, loc, ArrayRef<OpFoldResult>{size}, ty);
  };
  auto init = scf::ForOp::create(
      b, loc, c0, snP1, c1, ValueRange{empty(snP1, acc), empty(snP1, acc)},
      [&](OpBuilder &lb, Location ll, Value j, ValueRange it) {
        Value bj = emitCtcInitialAlpha(lb, ll, acc, j);
        Value lj = constFloat(lb, ll, acc, -INFINITY);
        scf::YieldOp::create(
            lb, ll,
            ValueRange{tensor::InsertOp::create(lb, ll, bj, it[0], j),
                       tensor::InsertOp::create(lb, ll, lj, it[1], j)});
      });
  auto perLabel = scf::ForOp::create(
      b, loc, c0, sn, c1, ValueRange{empty(sn, i64), empty(sn, i8)},
      [&](OpBuilder &lb, Location ll, Value k, ValueRange it) {
        CtcLabel lab = emitCtcLabel(lb, ll, k, labelAt);
        Value c = clampSI(lb, ll, lab.label, constI64(lb, ll, 0), smp.cMinus1);
        Value skip = arith::ExtUIOp::create(lb, ll, i8, lab.canSkip);
        scf::YieldOp::create(
            lb, ll,
            ValueRange{tensor::InsertOp::create(lb, ll, c, it[0], k),
                       tensor::InsertOp::create(lb, ll, skip, it[1], k)});
      });
  Value classes = perLabel.getResult(0), canSkip = perLabel.getResult(1);

  Value numChunks =
      arith::CeilDivUIOp::create(b, loc, sn, constIndex(b, loc, lanes));
  auto timeLoop = scf::ForOp::create(
      b, loc, c0, smp.steps, c1, init.getResults(),
      [&](OpBuilder &tb, Location tl, Value t, ValueRange iter) {
        Value lpBlank = smp.logProb(tb, tl, t, ctc.blank.index, acc);
        // The top blank, B[S_n] from B[S_n] and L[S_n] (label S_n - 1).
        Value top = emitCtcAlphaStep(
            tb, tl, lpBlank, tensor::ExtractOp::create(tb, tl, iter[0], sn),
            tensor::ExtractOp::create(tb, tl, iter[1], sn));
        Value blanks = tensor::InsertOp::create(tb, tl, top, iter[0], sn);
        Value lpBlankVec = vector::BroadcastOp::create(tb, tl, accVec, lpBlank);
        SmallVector<Value> rowAt =
            ctc.layout.logProbIndex(t, smp.n, constIndex(tb, tl, 0));
        auto chunks = scf::ForOp::create(
            tb, tl, c0, numChunks, c1, ValueRange{blanks, iter[1]},
            [&](OpBuilder &cb, Location cl, Value i, ValueRange it) {
              Value k0 = arith::MulIOp::create(
                  cb, cl,
                  arith::SubIOp::create(
                      cb, cl, arith::SubIOp::create(cb, cl, numChunks, i),
                      constIndex(cb, cl, 1)),
                  constIndex(cb, cl, lanes));
              Value k1 = arith::AddIOp::create(cb, cl, k0, constIndex(cb, cl, 1));
              Value mask = vector::CreateMaskOp::create(
                  cb, cl, maskTy,
                  ValueRange{arith::SubIOp::create(cb, cl, sn, k0)});
              auto read = [&](Value v, Value at, Value pad) -> Value {
                return vector::TransferReadOp::create(
                    cb, cl, VectorType::get({lanes}, pad.getType()), v,
                    ValueRange{at}, minor, pad, mask, notInBounds);
              };
              Value negInf = constFloat(cb, cl, acc, -INFINITY);
              Value self = read(it[0], k0, negInf); // a(2k)
              Value label = read(it[1], k1, negInf); // a(2k + 1)
              Value below = read(it[1], k0, negInf); // a(2k - 1)
              Value skips = arith::CmpIOp::create(
                  cb, cl, arith::CmpIPredicate::ne,
                  read(canSkip, k0, arith::ConstantIntOp::create(cb, cl, i8, 0)),
                  vector::BroadcastOp::create(
                      cb, cl, VectorType::get({lanes}, i8),
                      arith::ConstantIntOp::create(cb, cl, i8, 0)));
              Value cls = read(classes, k0, constI64(cb, cl, 0));
              Value em = vector::GatherOp::create(
                  cb, cl, VectorType::get({lanes}, elTy), ctc.logProbs, rowAt,
                  cls, mask,
                  vector::BroadcastOp::create(
                      cb, cl, VectorType::get({lanes}, elTy),
                      constFloat(cb, cl, elTy, 0.0)));
              em = castFloat(cb, cl, em, acc);
              Value newLabel =
                  emitCtcAlphaStep(cb, cl, em, label, self, below, skips);
              Value newBlank = emitCtcAlphaStep(cb, cl, lpBlankVec, self, below);
              auto write = [&](Value vec, Value dest, Value at) -> Value {
                return vector::TransferWriteOp::create(
                           cb, cl, dest.getType(), vec, dest, ValueRange{at},
                           minor, mask, notInBounds)
                    .getResult();
              };
              scf::YieldOp::create(cb, cl,
                                   ValueRange{write(newBlank, it[0], k0),
                                              write(newLabel, it[1], k1)});
            });
        scf::YieldOp::create(tb, tl, chunks.getResults());
      });
  Value blanks = timeLoop.getResult(0), labels = timeLoop.getResult(1);

  // a(s): B[s / 2] for even s, L[(s + 1) / 2] for odd s (both <= S_n).
  auto alphaAt = [&](OpBuilder &lb, Location ll, Value s) -> Value {
    Value two = constIndex(lb, ll, 2);
    Value half = arith::DivUIOp::create(lb, ll, s, two);
    Value up = arith::DivUIOp::create(
        lb, ll, arith::AddIOp::create(lb, ll, s, constIndex(lb, ll, 1)), two);
    Value odd = arith::CmpIOp::create(lb, ll, arith::CmpIPredicate::ne,
                                      arith::RemUIOp::create(lb, ll, s, two),
                                      constIndex(lb, ll, 0));
    return arith::SelectOp::create(
        lb, ll, odd, tensor::ExtractOp::create(lb, ll, labels, up),
        tensor::ExtractOp::create(lb, ll, blanks, half));
  };
  return emitCtcSampleLoss(b, loc, acc, sn, alphaAt, smp.bad, zeroInfinity,
                           reduction == Reduction::mean ? smp.snI : Value());
}

namespace {

struct CtcLowering : public OpRewritePattern<CtcOp> {
  CtcLowering(MLIRContext *ctx, unsigned vectorBits)
      : OpRewritePattern(ctx), vectorBits(vectorBits) {}
  unsigned vectorBits;

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

    // Sizes, the operand checks, the blank and the bounds of every S_n.
    CtcBatch ctc = CtcBatch::build(b, loc, layout, op.getLogProbs(),
                                   op.getTargets(), op.getInputLengths(),
                                   op.getTargetLengths(), op.getBlank());
    OpFoldResult batchSize = ctc.batchSize;
    int64_t lanes = vectorScheduleLanes(elTy, vectorBits);

    Value init = tensor::EmptyOp::create(b, loc, ArrayRef{batchSize}, acc);
    auto forall = scf::ForallOp::create(
        b, loc, ArrayRef{batchSize}, ValueRange{init}, std::nullopt,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value n = args[0], out = args[1];

          // Lengths of this sample; its labels scanned (a bad sample's loss
          // is NaN and it runs no recursion).
          CtcBatch::Sample smp = ctc.sample(nb, nl, n);
          Value loss =
              lanes ? vectorSampleLoss(nb, nl, ctc, smp, acc, lanes,
                                       zeroInfinity, reduction)
                    : scalarSampleLoss(nb, nl, ctc, smp, acc, zeroInfinity,
                                       reduction);

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

void mlir::loss::populateCtcToLinalgPatterns(
    RewritePatternSet &patterns, const ConvertLossToLinalgOptions &options) {
  patterns.add<CtcLowering>(patterns.getContext(), options.vectorBits);
}
