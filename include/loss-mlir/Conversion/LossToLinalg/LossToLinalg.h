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
void populateCrossEntropyToLinalgPatterns(
    RewritePatternSet &patterns, const ConvertLossToLinalgOptions &options = {});
/// Elementwise losses: regression, binary, distributions, divergence and the
/// pairwise margin losses (margin_ranking, hinge_embedding, soft_margin).
void populateRegressionToLinalgPatterns(RewritePatternSet &patterns);
/// Per-sample losses over a class or feature dimension: multilabel_margin,
/// multilabel_soft_margin, multi_margin, cosine_embedding, triplet_margin.
void populateMarginToLinalgPatterns(RewritePatternSet &patterns);
/// CTC (explicit vectors of `options.vectorBits` for 32- and 64-bit floats).
void populateCtcToLinalgPatterns(
    RewritePatternSet &patterns, const ConvertLossToLinalgOptions &options = {});
/// linear_cross_entropy: tiles of logits made and folded into row statistics
/// one at a time, never the N x V logits (with `options.vectorBits`, each
/// tile by an explicit-vector matmul kernel).
void populateLinearCrossEntropyToLinalgPatterns(
    RewritePatternSet &patterns, const ConvertLossToLinalgOptions &options = {});

/// The gradient ops, one pattern set per family (the regression gradients
/// are in populateRegressionToLinalgPatterns).
void populateSoftmaxGradToLinalgPatterns(
    RewritePatternSet &patterns, const ConvertLossToLinalgOptions &options = {});
void populateBinaryGradToLinalgPatterns(RewritePatternSet &patterns);
void populateMarginGradToLinalgPatterns(RewritePatternSet &patterns);
void populateCtcGradToLinalgPatterns(RewritePatternSet &patterns);

/// Every loss op.
void populateLossToLinalgPatterns(
    RewritePatternSet &patterns, const ConvertLossToLinalgOptions &options = {});

/// The widest vector (in bits) the host's CPU computes on natively: 512 with
/// AVX-512, 256 with AVX, 128 else (SSE2, NEON).
unsigned getHostVectorBits();

} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_CONVERSION_LOSSTOLINALG_LOSSTOLINALG_H
