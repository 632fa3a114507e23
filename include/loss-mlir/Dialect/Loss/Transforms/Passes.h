//===- Passes.h - Loss dialect passes ---------------------------*- C++ -*-===//
#ifndef LOSS_MLIR_DIALECT_LOSS_TRANSFORMS_PASSES_H
#define LOSS_MLIR_DIALECT_LOSS_TRANSFORMS_PASSES_H

#include "loss-mlir/Dialect/Loss/IR/Loss.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
namespace loss {

#define GEN_PASS_DECL
#include "loss-mlir/Dialect/Loss/Transforms/Passes.h.inc"

/// Patterns that fuse log_softmax + nll into softmax_cross_entropy.
void populateFuseLogSoftmaxNllPatterns(RewritePatternSet &patterns);

/// Patterns that fuse a linear layer (matmul with the transposed weight,
/// optionally plus a bias) feeding cross entropy into linear_cross_entropy.
void populateFuseLinearCrossEntropyPatterns(RewritePatternSet &patterns);

/// Patterns that fuse cross entropy's backward chains, and its forward with
/// its backward, into softmax_cross_entropy_grad.
void populateFuseCrossEntropyGradPatterns(RewritePatternSet &patterns);

/// Patterns that move log_softmax across transposes and axis-preserving
/// reshapes, cancelling inverse layout ops (as in exported loss graphs).
void populateLogSoftmaxLayoutPatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "loss-mlir/Dialect/Loss/Transforms/Passes.h.inc"

} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_DIALECT_LOSS_TRANSFORMS_PASSES_H
