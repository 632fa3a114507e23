//===- LossReduction.h - Loss reductions on tensors -------------*- C++ -*-===//
//
// The tensor-level pieces every lowering of a loss emits, whatever its
// target: run-time checks of dynamic operand sizes, the fused linalg
// reduction of per-point losses (`none`/`sum`/`mean`, weighted or not), the
// reduction of per-sample losses, and the replacement of an op by values of
// slightly different static-ness. convert-loss-to-linalg builds its loops
// with them; convert-loss-to-gpu uses them for the host-side checks and for
// the final reduction that map-linalg-to-gpu maps later.
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_MLIR_DIALECT_LOSS_UTILS_LOSSREDUCTION_H
#define LOSS_MLIR_DIALECT_LOSS_UTILS_LOSSREDUCTION_H

#include "loss-mlir/Dialect/Loss/IR/Loss.h"
#include "loss-mlir/Dialect/Loss/Utils/LossArithmetic.h"

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace loss {

/// `tensor.empty` of `shape` filled with `value`.
Value filledTensor(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> shape,
                   Type elementType, double value);

/// The number of elements of `shape` as a float of type `ty`.
Value numElementsAsFloat(OpBuilder &b, Location loc,
                         ArrayRef<OpFoldResult> shape, Type ty);

/// Reads a 0-d tensor.
Value extractScalar(OpBuilder &b, Location loc, Value tensor0d);

/// One input of a fused loss: a tensor and its indexing map into the
/// iteration space.
struct LoopInput {
  Value value;
  AffineMap map;
};

/// Operands whose sizes the verifier could not compare (a dynamic dim on
/// either side) are checked at run time: every loop dim that several
/// operands (or `sizes`, the known extents of the leading loops) index
/// directly must agree, or the program stops (cf.assert) before any read.
/// Nothing is emitted for static shapes.
void assertConsistentLoopSizes(OpBuilder &b, Location loc,
                               ArrayRef<OpFoldResult> sizes,
                               ArrayRef<LoopInput> inputs);

/// The operands of a row-wise softmax computation (cross entropy,
/// log_softmax, softmax): the logits with their class `axis`, and, for
/// cross entropy, a class target (row-shaped integers) or a probability
/// target (logits-shaped), an optional class weight ([C]) and attributes.
struct SoftmaxRowOperands {
  Value logits;
  int64_t axis = 0;
  Value classTarget;
  Value probTarget;
  Value weight;
  double smoothing = 0.0;
  int64_t ignoreIndex = -100;
};

/// The sizes of the rows (every dim of the logits but `axis`).
SmallVector<OpFoldResult> getRowShape(OpBuilder &b, Location loc,
                                      const SoftmaxRowOperands &ops);

/// Targets, weight and probabilities must fit the logits before anything
/// reads them: checked at run time where a size is dynamic.
void assertSoftmaxRowOperandSizes(OpBuilder &b, Location loc,
                                  const SoftmaxRowOperands &ops);

/// The online-softmax state for `ops` (see OnlineSoftmax::get).
OnlineSoftmax getOnlineSoftmax(OpBuilder &b, Location loc,
                               const SoftmaxRowOperands &ops,
                               bool streamTarget);

/// The number of classes of `ops` as a float of type `ty`.
Value numClassesAsFloat(OpBuilder &b, Location loc,
                        const SoftmaxRowOperands &ops, Type ty);

/// Whether linalg.softmax `op` is one the softmax lowerings take (float
/// tensors of f16, bf16, f32 or f64).
bool isFloatTensorSoftmax(Operation *op);

/// Reads `source[idx]`: tensor.extract of a tensor, memref.load of a buffer.
Value readElement(OpBuilder &b, Location loc, Value source, ValueRange idx);

/// How the operands of a loss.ctc are laid out, and where to read them:
/// log_probs [T, (N,) C]; targets padded [(N,) S] or concatenated [sum S_n];
/// lengths [N], [1] or [].
struct CtcLayout {
  bool batched = false, concatenated = false;
  static CtcLayout get(CtcOp op);
  static CtcLayout get(CtcGradOp op);
  /// Where sample `n`'s entry of a lengths operand of rank `rank` is.
  SmallVector<Value> lengthIndex(OpBuilder &b, Location loc, int64_t rank,
                                 Value n) const;
  /// Where label `k` of sample `n` is (`offset`: the sample's start in
  /// concatenated targets).
  SmallVector<Value> labelIndex(OpBuilder &b, Location loc, Value n,
                                Value offset, Value k) const;
  /// Where log_probs[t, (n,) c] is.
  SmallVector<Value> logProbIndex(Value t, Value n, Value c) const;
  /// Sample `n`'s length in `lengths` (a tensor or a buffer), as i64.
  Value readLength(OpBuilder &b, Location loc, Value lengths, Value n) const;
  /// The raw label `k` of sample `n` in `targets`, as i64.
  Value readLabel(OpBuilder &b, Location loc, Value targets, Value n,
                  Value offset, Value k) const;
  /// log_probs[t, (n,) c] in the accumulator type `acc`.
  Value readLogProb(OpBuilder &b, Location loc, Value logProbs, Value t,
                    Value n, Value c, Type acc) const;
  /// Which dim of the targets bounds every S_n: the padded width S, or the
  /// length of the concatenated buffer.
  int64_t targetWidthDim() const { return batched && !concatenated ? 1 : 0; }
};

/// The per-sample operands of loss.ctc or loss.ctc_grad (the lengths, padded
/// target rows, and `perSampleGrad`, a `none` gradient's grad_output, if
/// given) must have `batchSize` entries (an unbatched [?] length: 1):
/// checked at run time where a size is dynamic.
void assertCtcOperandSizes(OpBuilder &b, Location loc, Value inputLengths,
                           Value targetLengths, Value targets,
                           Value perSampleGrad, const CtcLayout &layout,
                           OpFoldResult batchSize);

/// label() and logProb() of a CTC sample (the CPU's CtcBatch::Sample, the GPU
/// kernels' CtcKernelSample) as the callables the CTC arithmetic takes.
template <typename SampleT> struct CtcSampleCallables {
  auto labelFn() const {
    const auto *self = static_cast<const SampleT *>(this);
    return [self](OpBuilder &b, Location loc, Value k) {
      return self->label(b, loc, k);
    };
  }
  auto logProbFn(Type acc) const {
    const auto *self = static_cast<const SampleT *>(this);
    return [self, acc](OpBuilder &b, Location loc, Value t, Value c) {
      return self->logProb(b, loc, t, c, acc);
    };
  }
};

/// The sizes every CTC lowering (CPU and GPU, forward and gradient) starts
/// from, after the run-time operand checks (assertCtcOperandSizes).
struct CtcSizes {
  Value timeSize, classSize; // T and C, index
  OpFoldResult batchSize;
  Value batchSizeV;
  Value targetWidth; // the padded width S, or the concatenated length: a
                     // bound on every S_n (index)
  /// `perSampleGrad`: a `none` gradient's grad_output, checked as well.
  static CtcSizes build(OpBuilder &b, Location loc, const CtcLayout &layout,
                        Value logProbs, Value targets, Value inputLengths,
                        Value targetLengths, Value perSampleGrad = {});
};

/// What the CPU lowerings of loss.ctc and loss.ctc_grad set up once per
/// batch, on tensors: the sizes and checks (CtcSizes), the blank, and the
/// bound of every S_n: the padded width S, or (concatenated targets) each
/// sample's offset and length clamped to what remains of the buffer, by one
/// sequential pass over the batch.
struct CtcBatch : CtcSizes {
  CtcLayout layout;
  Value logProbs, targets, inputLengths, targetLengths;
  Value timeSizeI, numClasses; // T and C, i64
  CtcBlank blank;
  Value offsets, lengths; // concatenated targets: [N] x i64 each
  Value paddedS;          // padded targets: S, i64

  /// `perSampleGrad`: a `none` gradient's grad_output, checked as well.
  static CtcBatch build(OpBuilder &b, Location loc, CtcLayout layout,
                        Value logProbs, Value targets, Value inputLengths,
                        Value targetLengths, int64_t blank,
                        Value perSampleGrad = {});

  /// One sample `n`: its clamped lengths, where its labels start, and the
  /// scan of its labels (a label outside [0, C), or a blank outside it,
  /// makes it bad: no recursion runs for it, so nothing is read for it).
  struct Sample : CtcSampleCallables<Sample> {
    const CtcBatch *batch;
    Value n, offset;
    Value tn;        // T_n, index
    Value snI, sn;   // S_n, i64 and index
    Value bad;       // i1
    Value steps;     // T_n, or 0 for a bad sample
    Value numStates; // 2 S_n + 1, index
    Value cMinus1;   // C - 1, i64: the clamp of a class index
    /// The raw label k (< S_n), as i64.
    Value label(OpBuilder &b, Location loc, Value k) const;
    /// log_probs[t, n, c] in `acc`.
    Value logProb(OpBuilder &b, Location loc, Value t, Value c, Type acc) const;
  };
  Sample sample(OpBuilder &b, Location loc, Value n) const;
};

/// Per-point loss and the point's weight in a weighted `mean` denominator
/// (null otherwise), given the scalar arguments of the inputs in order.
using PointLossFn = function_ref<std::pair<Value, Value>(OpBuilder &, Location,
                                                         ValueRange args)>;

/// Builds the one fused pass that computes a loss over the iteration space
/// `shape` and reduces it as `reduction` asks:
///  * none: a tensor of `shape` and `elementType` with the per-point loss;
///  * sum/mean: a 0-d tensor; `mean` divides the sum by `meanDivisor` if
///    given, else by the sum of the per-point weights if `weightedMean`, else
///    by the number of points.
/// Arithmetic happens in `getAccumulatorType(elementType)`.
Value buildReducedLoss(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> shape,
                       ArrayRef<LoopInput> inputs, Reduction reduction,
                       Type elementType, PointLossFn pointLoss,
                       bool weightedMean = false, Value meanDivisor = {});

/// Per-sample losses `perSample` ([N], accumulator type) as a loss result
/// of element type `elementType`: the one sample's loss as a 0-d tensor when
/// `batched` is false, else reduced over the N samples as `reduction` asks.
Value reducePerSample(OpBuilder &b, Location loc, Value perSample, bool batched,
                      OpFoldResult batchSize, Reduction reduction,
                      Type elementType);

/// Replaces `op` by `values`, casting each to the op's result type where
/// the result spells static sizes as dynamic (or the reverse).
void replaceOpWithCasts(PatternRewriter &rewriter, Operation *op,
                        ValueRange values);

/// The identity map of rank `rank`.
AffineMap identityMap(MLIRContext *ctx, unsigned rank);

/// A map from `rank` loops to the trailing `resultRank` dims, with dims of
/// `shape` equal to 1 broadcast (NumPy rules, trailing alignment).
AffineMap broadcastMap(MLIRContext *ctx, unsigned rank,
                       ArrayRef<int64_t> shape);

/// broadcastMap for loops of sizes `loopSizes`: a dim of size 1 reads the
/// loop itself where that loop has static size 1, so that every loop is
/// named by some operand (a loop of size 1 that no map names makes a
/// generic's maps non-invertible).
AffineMap broadcastMap(MLIRContext *ctx, ArrayRef<OpFoldResult> loopSizes,
                       ArrayRef<int64_t> shape);

/// The loop sizes of the broadcast of `operands` (the verifier's rule,
/// `loss::broadcastShapes`): a static size where the broadcast has one, else
/// the size of an operand whose (trailing-aligned) dimension is dynamic (a
/// dynamic dimension never broadcasts). `shapes[i]` is the shape operand `i`
/// is read as: its own when `shapes` is empty, else as given (e.g. after
/// appending dimensions of size 1).
SmallVector<OpFoldResult>
broadcastLoopSizes(OpBuilder &b, Location loc, ArrayRef<Value> operands,
                   ArrayRef<ArrayRef<int64_t>> shapes = {});

//===----------------------------------------------------------------------===//
// Margin gradients
//===----------------------------------------------------------------------===//

/// The body of a row reduction: the scalars of the inputs and the current
/// accumulators in, the new accumulators out.
using RowwiseBodyFn = function_ref<SmallVector<Value>(
    OpBuilder &, Location, ValueRange ins, ValueRange accs)>;

/// One linalg.generic whose first loops are `rowShape` (parallel: the rows
/// are independent, so they take threads and GPU blocks) followed by
/// `numReduced` reduction loops (classes or features). Each accumulator is a
/// tensor of `rowShape` filled with the matching scalar of `inits` (whose
/// types are the accumulator types); `body` gets the scalar inputs and
/// accumulators and yields the new ones. Dynamic sizes that `inputs` share
/// with `rowShape` or with each other are checked at run time first.
SmallVector<Value> buildRowwiseReduction(OpBuilder &b, Location loc,
                                         ArrayRef<OpFoldResult> rowShape,
                                         unsigned numReduced,
                                         ArrayRef<LoopInput> inputs,
                                         ArrayRef<Value> inits,
                                         RowwiseBodyFn body);

} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_DIALECT_LOSS_UTILS_LOSSREDUCTION_H
