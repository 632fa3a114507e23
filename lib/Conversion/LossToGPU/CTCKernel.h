//===- CTCKernel.h - What the CTC kernels share -----------------*- C++ -*-===//
//
// The launch setup and the per-sample work that the block-per-sample kernels
// of loss.ctc (CTCGPU.cpp) and loss.ctc_grad (CTCGradGPU.cpp) have in
// common: the host-side sizes and checks, each sample's lengths and label
// scan, and the update of one extended-label state of the alpha (or beta)
// recursion. The arithmetic itself is LossArithmetic.h's. Private to
// lib/Conversion/LossToGPU.
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_MLIR_LIB_CONVERSION_LOSSTOGPU_CTCKERNEL_H
#define LOSS_MLIR_LIB_CONVERSION_LOSSTOGPU_CTCKERNEL_H

#include "loss-mlir/Dialect/Loss/Utils/LossArithmetic.h"
#include "loss-mlir/Dialect/Loss/Utils/LossReduction.h"
#include "loss-mlir/GPU/Transforms/GPUUtils.h"

namespace mlir {
namespace loss {

/// The host side of a CTC launch: the sizes and run-time operand checks of
/// the CPU lowering (CtcSizes), and the bound of every sample's number of
/// states.
struct CtcLaunchSizes : CtcSizes {
  Value stateCap; // 2 targetWidth + 1
};
/// `perSampleGrad`: a `none` gradient's grad_output, checked as well.
CtcLaunchSizes buildCtcLaunchSizes(OpBuilder &b, Location loc,
                                   const CtcLayout &layout, Value logProbs,
                                   Value targets, Value inputLengths,
                                   Value targetLengths,
                                   Value perSampleGrad = {});

/// One sample `n` inside a block-per-sample kernel (every thread of the
/// block builds it): its clamped lengths, where its labels start, and the
/// label scan shared by the block (a label outside [0, C), or a blank outside
/// it, makes it bad: its recursion runs no steps).
struct CtcKernelSample : CtcSampleCallables<CtcKernelSample> {
  const CtcLayout *layout;
  Value logProbs, targets, n, offset;
  Value tn;         // T_n, index
  Value snI, sn;    // S_n, i64 and index
  Value bad, steps; // i1; T_n, or 0 for a bad sample
  Value numStates;  // 2 S_n + 1
  Value cMinus1;    // C - 1, i64: the clamp of a class index
  Value blankIdx;   // index
  /// The raw label k (< S_n), as i64.
  Value label(OpBuilder &b, Location loc, Value k) const;
  /// log_probs[t, n, c] in `acc`.
  Value logProb(OpBuilder &b, Location loc, Value t, Value c, Type acc) const;
};

/// `logProbs` .. `targetLengths` are the kernel's buffers; the sizes are
/// the host's (CtcLaunchSizes).
CtcKernelSample buildCtcKernelSample(OpBuilder &b, Location loc,
                                     const Kernel &k, const CtcLayout &layout,
                                     Value n, Value logProbs, Value targets,
                                     Value inputLengths, Value targetLengths,
                                     const CtcLaunchSizes &sizes,
                                     int64_t blank);

/// The new value of extended-label state `s` at frame `t` from the previous
/// row (read by `load`): alpha's a_t(s) from a_{t-1}(s, s-1, s-2), or with
/// `backward` beta's b_t(s) from b_{t+1}(s, s+1, s+2). Odd states are labels
/// k = s / 2, even ones blank; `lpBlank` is lp[t, blank].
Value emitCtcKernelState(
    OpBuilder &b, Location loc, const CtcKernelSample &smp, Value t, Value s,
    Value lpBlank, Type acc, bool backward,
    function_ref<Value(OpBuilder &, Location, Value)> load);

} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_LIB_CONVERSION_LOSSTOGPU_CTCKERNEL_H
