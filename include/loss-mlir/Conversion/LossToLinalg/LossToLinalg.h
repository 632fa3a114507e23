//===- LossToLinalg.h - Loss to linalg conversion ---------------*- C++ -*-===//
#ifndef LOSS_MLIR_CONVERSION_LOSSTOLINALG_LOSSTOLINALG_H
#define LOSS_MLIR_CONVERSION_LOSSTOLINALG_LOSSTOLINALG_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
namespace loss {

#define GEN_PASS_DECL_CONVERTLOSSTOLINALG
#include "loss-mlir/Conversion/Passes.h.inc"

/// log_softmax, nll and softmax_cross_entropy.
void populateCrossEntropyToLinalgPatterns(RewritePatternSet &patterns);

/// Every loss op.
void populateLossToLinalgPatterns(RewritePatternSet &patterns);

} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_CONVERSION_LOSSTOLINALG_LOSSTOLINALG_H
