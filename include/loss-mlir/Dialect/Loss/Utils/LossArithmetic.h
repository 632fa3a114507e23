//===- LossArithmetic.h - The scalar math of the loss lowerings -*- C++ -*-===//
//
// The arithmetic of the losses, written once for every target: accumulator
// types, constants and casts, log-sum-exp, log1p and softplus, the online
// softmax state of cross entropy (its layout, initial values, per-element
// update, rebase and merge), the finish of a cross-entropy row, and the CTC
// alpha recursion with its per-sample finish.
//
// Every function here emits arith/math ops at the builder's insertion point
// and nothing else: no loops, no tensors, no memory. They are elementwise, so
// most take vectors as well as scalars (constants follow the operands' type):
// a vectorized schedule folds a vector of elements with the same functions. A lowering is a
// schedule over these functions: convert-loss-to-linalg streams rows through
// linalg.generic (in lanes that it merges), convert-loss-to-gpu strides the
// threads of a block over a row and merges across the block; both call the
// same update, merge and finish, so their results agree to rounding.
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_MLIR_DIALECT_LOSS_UTILS_LOSSARITHMETIC_H
#define LOSS_MLIR_DIALECT_LOSS_UTILS_LOSSARITHMETIC_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

#include <utility>

namespace mlir {
namespace loss {

//===----------------------------------------------------------------------===//
// Types, constants, casts
//===----------------------------------------------------------------------===//

/// The type arithmetic is done in: f32 for f16/bf16, the type itself else.
Type getAccumulatorType(Type elementType);

/// A float constant of type `ty` (a float, or a vector of floats: a splat).
Value constFloat(OpBuilder &b, Location loc, Type ty, double value);
/// The lowest finite value of the float type `ty` (or its splat).
Value constLowest(OpBuilder &b, Location loc, Type ty);
/// `scalar` broadcast to `like` when that is a vector type, else itself.
Value splatLike(OpBuilder &b, Location loc, Value scalar, Type like);
Value constIndex(OpBuilder &b, Location loc, int64_t value);
Value constI64(OpBuilder &b, Location loc, int64_t value);

/// Converts between float types (extf/truncf, or nothing).
Value castFloat(OpBuilder &b, Location loc, Value v, Type to);
/// A signless integer (any width; or a vector of them) as i64, for comparing
/// class indices; wider integers saturate into i64.
Value toI64(OpBuilder &b, Location loc, Value v);
Value toIndex(OpBuilder &b, Location loc, Value i64);
Value toI64FromIndex(OpBuilder &b, Location loc, Value index);
/// An index as a float of type `ty` (through i64).
Value indexToFloat(OpBuilder &b, Location loc, Value index, Type ty);
/// `min(max(v, lo), hi)` on signed integers.
Value clampSI(OpBuilder &b, Location loc, Value v, Value lo, Value hi);

//===----------------------------------------------------------------------===//
// Elementary functions
//===----------------------------------------------------------------------===//

/// `log(sum_i exp(x_i))`, shifted by the max (or by 0 when every term is
/// -inf, so that the result is -inf rather than NaN). NaN propagates.
Value emitLogSumExp(OpBuilder &b, Location loc, ArrayRef<Value> xs);

/// `log1p(x)` accurate for small `x` without a libm call:
/// `u = 1 + x; u == 1 ? x : log(u) * x / (u - 1)`.
Value emitLog1p(OpBuilder &b, Location loc, Value x);
/// exp(x) for x <= 0 (or NaN) whose result is added to a sum that holds a
/// term of at least 1 (a softmax sum relative to its max). `f32` (and
/// vectors of it) take a polynomial without the overflow and subnormal
/// handling a general exp needs: results below exp(-86) are 0, which such a
/// sum cannot see, and exp(-inf) is 0. Other types take math.exp.
Value emitExpOfNonPositive(OpBuilder &b, Location loc, Value x);

/// `log(1 + exp(x))`, which never overflows: `max(x, 0) + log1p(exp(-|x|))`.
Value emitSoftplus(OpBuilder &b, Location loc, Value x);

//===----------------------------------------------------------------------===//
// Class indices
//===----------------------------------------------------------------------===//

/// A class index `t` (i64) checked against `numClasses` (i64): whether
/// `0 <= t < numClasses`, and an index to read at (`t`, or 0 when out of
/// range). With no classes even the clamped 0 is out of bounds, so reads go
/// through `readOr`, which performs them only for an index in range.
struct ClassIndex {
  Value inRange; // i1
  Value safe;    // index
  /// `read(b, loc, safe)` (one value) where `inRange`, else `fallback` (of
  /// the same type): an scf.if, so that nothing is read for a target out of
  /// range, C = 0 included.
  Value readOr(OpBuilder &b, Location loc, Value fallback,
               function_ref<Value(OpBuilder &, Location, Value)> read) const;
};
ClassIndex emitClassIndex(OpBuilder &b, Location loc, Value t,
                          Value numClasses);

/// `t < 0 || t >= numClasses` (both i64).
Value emitClassOutOfRange(OpBuilder &b, Location loc, Value t,
                          Value numClasses);

//===----------------------------------------------------------------------===//
// Online softmax (cross entropy, log_softmax, softmax)
//===----------------------------------------------------------------------===//

/// The state one pass over (a share of) a row of logits carries: the running
/// max `m` and the sum of exponentials relative to it `s`, so that
/// `lse = m + log(s)`; optionally the target logit and its weight picked up
/// on the way (class targets); optionally, for label smoothing or
/// probability targets and per-class factors o_c (w_c, 1, w_c * y'_c or
/// y'_c), the sums D = sum_c o_c (x_c - m) and O = sum_c o_c, kept relative
/// to the running max so that rows of large, nearly equal logits lose no
/// precision: sum_c o_c (lse - x_c) = O * log(s) - D.
///
/// The fields of a state, in this order: max, sumExp, [targetLogit,
/// [targetWeight]], [shiftedSum, factorSum].
struct OnlineSoftmax {
  Type acc;                       // the accumulator type
  bool target = false;            // targetLogit (class targets, streamed)
  bool targetWeight = false;      // targetWeight (with `target` and a weight)
  bool prob = false;              // probability targets: o_c = [w_c] y'_c
  bool shifted = false;           // shiftedSum and factorSum
  bool weighted = false;          // a weight w_c is given
  Value smoothScale, smoothShift; // y' = y * scale + shift (probabilities)

  /// The state for rows of `acc` values. `streamTarget`: the update picks
  /// up the target logit (and weight); else a schedule reads them once per
  /// row. `numClasses` (a float of type `acc`) is needed for smoothed
  /// probability targets only.
  static OnlineSoftmax get(OpBuilder &b, Location loc, Type acc,
                           bool classTarget, bool streamTarget, bool weighted,
                           bool probTarget, double smoothing,
                           function_ref<Value()> numClasses);

  unsigned size() const { return 2 + target + targetWeight + 2 * shifted; }
  /// Whether the update reads the class weight (the class target and class
  /// index it reads exactly when `target`).
  bool needsWeight() const { return weighted && (targetWeight || shifted); }

  /// The initial state (a state that has seen no element), in field order:
  /// max = lowest finite, sumExp = 0, targetLogit = NaN, the rest 0.
  SmallVector<double> initialValues() const;
  SmallVector<Value> initialState(OpBuilder &b, Location loc) const;

  /// Folds element `x` into `state`: one exp per element (if x raises the
  /// max, s is rescaled by exp(m - x) and 1 added, else exp(x - m) is
  /// added). `t`: the row's class target (any integer), `c`: the class index
  /// of `x` (i64), both for `target` only; `w`: the class weight (if
  /// weighted), `y`: the target probability (if `prob`).
  SmallVector<Value> update(OpBuilder &b, Location loc, ValueRange state,
                            Value x, Value t, Value c, Value w, Value y) const;

  /// The state relative to `newMax` (>= its max, or NaN): s * exp(m - M),
  /// D + (m - M) O (D itself where O = 0, so that a state that has seen
  /// nothing never makes inf * 0), the other fields as they are.
  SmallVector<Value> rebase(OpBuilder &b, Location loc, ValueRange state,
                            Value newMax) const;

  /// Folds element `x` (<= the state's max, or NaN) into a state without
  /// `target`: adds exp(x - m) (and o (x - m), o); no rescale, since the
  /// max does not move. A blocked schedule takes a block's max, rebases the
  /// state on it once, then folds the block's elements with this: one exp
  /// per element. `state` and the operands may be vectors (one state per
  /// lane).
  SmallVector<Value> addRebased(OpBuilder &b, Location loc, ValueRange state,
                                Value x, Value w, Value y) const;

  /// The target fields after seeing `x` of class `c` (i64): x[t] and w[t]
  /// (`targetWeight` null without a weight) take `x` and `w` where c == t
  /// (`t` any integer). All may be vectors (a row per lane, `c` splat).
  SmallVector<Value> pickTarget(OpBuilder &b, Location loc, Value targetLogit,
                                Value targetWeight, Value x, Value t, Value c,
                                Value w) const;

  /// The factor o_c of a shifted state: w (weighted), y' (probabilities),
  /// w * y', or null for 1. `y` may be a vector.
  Value factor(OpBuilder &b, Location loc, Value w, Value y) const;

  /// The max of two states' maxes; NaN propagates.
  Value mergeMax(OpBuilder &b, Location loc, Value lhs, Value rhs) const;

  /// Adds two states already rebased on the same max (the max is taken from
  /// `lhs`): sums add; of the target logits the one that is not NaN (exactly
  /// one state saw the target); target weights add.
  SmallVector<Value> combineRebased(OpBuilder &b, Location loc, ValueRange lhs,
                                    ValueRange rhs) const;

  /// The state of the union of the elements of `lhs` and `rhs`:
  /// combineRebased(rebase(lhs, M), rebase(rhs, M)) with M = mergeMax.
  /// A parallel schedule may do the same for states without `target` (whose
  /// fields past the max are all sums) as an all-reduce of the max, a rebase
  /// of every state on it, then an all-reduce (sum) of each rebased field.
  SmallVector<Value> merge(OpBuilder &b, Location loc, ValueRange lhs,
                           ValueRange rhs) const;
};

/// A row's statistics once every element is folded in, as the finish reads
/// them (`logSum` = log(sumExp)). `targetWeight` is null without a weight;
/// `shiftedSum`/`factorSum` are null unless the state is `shifted`.
struct SoftmaxRow {
  Value max, logSum;
  Value targetLogit, targetWeight;
  Value shiftedSum, factorSum;
};

/// `e / C`: the share of label smoothing `e` each of C classes gets
/// (`numClasses` a float of the accumulator type `acc`).
Value emitSmoothingShare(OpBuilder &b, Location loc, Type acc, double smoothing,
                         Value numClasses);

/// sum_c o_c (lse - x_c) = O * log(s) - D: the loss of a row with
/// probability targets, and the smoothing term of class targets.
Value emitFactorTerm(OpBuilder &b, Location loc, const SoftmaxRow &row);

/// The loss of a row with class target `t` (i64) and its weight in a
/// weighted mean: `w_t ((m - x_t) + log s)`, with label smoothing `e`
/// (`share` = e / C): `(1 - e) * that + share * O log(s) - D`; both 0 where
/// `t == ignoreIndex`. `row.targetLogit` is NaN for a target out of range.
std::pair<Value, Value> emitClassTargetRowLoss(OpBuilder &b, Location loc,
                                               const SoftmaxRow &row, Value t,
                                               double smoothing, Value share,
                                               int64_t ignoreIndex);

/// The gradient of cross entropy with respect to one logit, factored so that
/// all but one exp and a few multiply-adds per element is row-level work:
///   dx_c = expScale exp(x_c - m) - classScale w_c y'_c - [c = t] targetScale
/// (`w_c` the class weight or 1; `y'_c` the smoothed probability target, or 1
/// for smoothed class targets; the class term is absent without smoothing or
/// probability targets, the target term without class targets). The
/// reduction's divisor, `ignore_index` (every coefficient 0, so the row is
/// 0) and a target out of range (NaN) are folded in here, once per row.
struct CrossEntropyGradRow {
  Value expScale, classScale, targetScale;
  // For probability targets with smoothing: y' = (1 - e) y + share.
  double smoothing = 0.0;
  Value share;
};
/// The row-level coefficients from `g` (grad_output over the reduction's
/// divisor), the row's `sumExp`, and: for class targets `t` (i64),
/// `targetWeight` (null for 1), `numClasses` (i64), `ignoreIndex`; with
/// smoothing or probability targets, the factor sum O and `share` = e / C.
/// Scalars or vectors (a row splat).
CrossEntropyGradRow emitCrossEntropyGradRow(OpBuilder &b, Location loc,
                                            Value g, Value sumExp,
                                            double smoothing, Value share,
                                            Value factorSum, Value t,
                                            Value targetWeight,
                                            Value numClasses,
                                            int64_t ignoreIndex);
/// One element of the gradient: `x` a logit, `max` its row's max, `w` the
/// class weight (null for 1), `y` the probability target (null for class
/// targets), `isTarget` an i1 (null: not the target class). exp(x - m) is
/// emitExpOfNonPositive's (m is the row's max).
Value emitCrossEntropyGradElement(OpBuilder &b, Location loc,
                                  const CrossEntropyGradRow &row, Value x,
                                  Value max, Value w, Value y, Value isTarget);

/// One element of log_softmax, `(x - m) - log(s)`: subtracting the max first
/// keeps rows of large, nearly equal logits exact.
Value emitLogSoftmaxElement(OpBuilder &b, Location loc, Value x, Value max,
                            Value logSum);
/// One element of softmax, `exp(x - m) / s`.
Value emitSoftmaxElement(OpBuilder &b, Location loc, Value x, Value max,
                         Value sumExp);

//===----------------------------------------------------------------------===//
// CTC
//===----------------------------------------------------------------------===//

/// The blank class checked against `numClasses` (i64): whether it is
/// outside (the loss is then NaN), and a class index to read it at.
struct CtcBlank {
  Value bad;   // i1
  Value index; // index
};
CtcBlank emitCtcBlank(OpBuilder &b, Location loc, int64_t blank,
                      Value numClasses);

/// The label state 2k + 1 of the extended labels: the raw label l_k (i64,
/// read by `labelAt`), whether k > 0, and whether a_{t-1}(2k - 1) may skip
/// to it (k > 0 and l_k != l_{k-1}; raw values compared, as PyTorch does).
struct CtcLabel {
  Value label, hasPrev, canSkip;
};
CtcLabel
emitCtcLabel(OpBuilder &b, Location loc, Value k,
             function_ref<Value(OpBuilder &, Location, Value)> labelAt);

/// The class index of label `label` (i64) clamped into [0, numClasses - 1]
/// (`numClassesMinus1`, i64), in bounds on its own.
Value emitCtcClassIndex(OpBuilder &b, Location loc, Value label,
                        Value numClassesMinus1);

/// The virtual a_{-1}(s) = 0 for s = 0, -inf else: one step of the recursion
/// from it gives a_0.
Value emitCtcInitialAlpha(OpBuilder &b, Location loc, Type acc, Value s);

/// One state of the alpha recursion:
///   a_t(s) = emission + logsumexp(a_{t-1}(s), a_{t-1}(s-1),
///                                 a_{t-1}(s-2) if `canSkip`)
/// `prev` null: only a_{t-1}(s) (state 0); `skip` null: no skip (a blank).
Value emitCtcAlphaStep(OpBuilder &b, Location loc, Value emission, Value self,
                       Value prev = {}, Value skip = {}, Value canSkip = {});

/// A sample's loss from its last alpha row (read by `alphaAt(s)`), with
/// `numLabels` S_n (index): `0 - logsumexp(a(2 S_n), a(2 S_n - 1))` (the
/// second only if S_n > 0; an empty alignment gives +0); NaN where `bad`;
/// +inf mapped to 0 with `zeroInfinity`; divided by max(S_n, 1) when
/// `meanLength` (S_n as i64) is given.
Value emitCtcSampleLoss(
    OpBuilder &b, Location loc, Type acc, Value numLabels,
    function_ref<Value(OpBuilder &, Location, Value)> alphaAt, Value bad,
    bool zeroInfinity, Value meanLength);

//===----------------------------------------------------------------------===//
// CTC backward
//===----------------------------------------------------------------------===//

/// The type the CTC gradient is computed in: f64 for f32 and f64, f32 for
/// f16/bf16. Its last step exponentiates r_t(c) + nll - lp, a difference of
/// log-probabilities as large as the loss: in f32 that loses |nll| * 2^-24
/// (PyTorch's f32 kernel is off by 4e-4 at S = 300), far more than f32's
/// rounding of the result.
Type getCtcGradAccumulatorType(Type elementType);

/// The virtual b_{T_n}(s) = 0 for s = `last` (2 S_n), -inf else: one step of
/// the beta recursion from it gives b_{T_n-1}(2 S_n) = lp[T_n-1, blank],
/// b_{T_n-1}(2 S_n - 1) = lp[T_n-1, l_{S_n-1}] and -inf elsewhere.
Value emitCtcInitialBeta(OpBuilder &b, Location loc, Type acc, Value s,
                         Value last);

/// The label state 2k + 1 seen from the beta recursion: the raw label l_k
/// (i64), whether k + 1 < S_n (`numLabels`, index), and whether
/// b_{t+1}(2k + 3) may skip back to it (k + 1 < S_n and l_{k+1} != l_k; raw
/// values compared, as PyTorch does). Reads labels k and min(k + 1,
/// S_n - 1) only.
CtcLabel
emitCtcBetaLabel(OpBuilder &b, Location loc, Value k, Value numLabels,
                 function_ref<Value(OpBuilder &, Location, Value)> labelAt);

/// One state of the beta recursion, the mirror of emitCtcAlphaStep:
///   b_t(s) = emission + logsumexp(b_{t+1}(s), b_{t+1}(s+1),
///                                 b_{t+1}(s+2) if `canSkip`)
/// `next` null: only b_{t+1}(s) (state 2 S_n); `skip` null: no skip.
Value emitCtcBetaStep(OpBuilder &b, Location loc, Value emission, Value self,
                      Value next = {}, Value skip = {}, Value canSkip = {});

/// Folds a_t(s) + b_t(s) into the running log-sum `sum` of its class:
/// logsumexp(sum, alpha + beta) (-inf for a class no state has yet).
Value emitCtcAccumulateAlphaBeta(OpBuilder &b, Location loc, Value sum,
                                 Value alpha, Value beta);

/// The factor each gradient element of sample n is multiplied by: the
/// sample's `gradOutput` (g[n] for `none`, the 0-d g for `sum`), divided by
/// `batchSize` N (index) and then by max(S_n, 1) (`meanLength`, i64) when
/// `meanLength` is given (`mean`), as autograd's mean and division do.
Value emitCtcGradScale(OpBuilder &b, Location loc, Value gradOutput,
                       Value batchSize, Value meanLength);

/// One element of the gradient of frame t < T_n, as PyTorch's CPU kernel:
/// `(exp(lp) - exp(logAlphaBeta + nll - lp)) * scale` with `logAlphaBeta`
/// the class's log-sum r_t(c) and `nll` the sample's loss (NaN where the
/// sample is bad); 0 where `zeroInfinity` and `nll` is +inf.
Value emitCtcGradElement(OpBuilder &b, Location loc, Value lp,
                         Value logAlphaBeta, Value nll, Value scale,
                         bool zeroInfinity);

//===----------------------------------------------------------------------===//
// p-norms (triplet_margin's pairwise distance, forward and backward)
//===----------------------------------------------------------------------===//

/// A p-norm accumulated one |v_i| at a time: the sum for p = 1, the max for
/// p = inf, else the overflow-free state (m, s) with m the largest |v_i| so
/// far and s = sum_i (|v_i| / m)^p, the norm being m * s^(1/p) (a square
/// root for p = 2).
struct PNorm {
  enum Kind { One, Two, Inf, Other } kind;
  double p;

  explicit PNorm(double p);

  /// Whether the state is (m, s) rather than one value.
  bool scaled() const { return kind == Two || kind == Other; }
  unsigned numState() const { return scaled() ? 2 : 1; }

  /// The state of no element (zeros of `acc`), appended to `inits`.
  void appendInits(OpBuilder &b, Location loc, Type acc,
                   SmallVectorImpl<Value> &inits) const;
  /// Folds `v` into `state`; the new state is appended to `yields`.
  void step(OpBuilder &b, Location loc, Value v, ValueRange state,
            SmallVectorImpl<Value> &yields) const;
  /// The norm of a state.
  Value finish(OpBuilder &b, Location loc, ValueRange state) const;
};

} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_DIALECT_LOSS_UTILS_LOSSARITHMETIC_H
