//===- Passes.h - Generic transforms of loss-mlir ---------------*- C++ -*-===//
#ifndef LOSS_MLIR_TRANSFORMS_PASSES_H
#define LOSS_MLIR_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class ModuleOp;
class RewritePatternSet;
namespace LLVM {
class GlobalOp;
} // namespace LLVM
namespace loss {

#define GEN_PASS_DECL
#include "loss-mlir/Transforms/Passes.h.inc"

/// Patterns that rewrite full float sums into blocked partial sums and a
/// compensated sum of the partials (see the `block-sum-reductions` pass).
/// `lanes == 0` picks one 512-bit vector of the widest accumulator type.
void populateBlockSumReductionsPatterns(RewritePatternSet &patterns,
                                        int64_t runLength = 32,
                                        int64_t lanes = 0,
                                        int64_t minSize = 512);

/// The pattern of `vectorize-lane-reductions`: a generic [parallel...,
/// reduction, parallel] with static last two loops as an scf.forall over
/// vector<lanes> accumulators.
void populateVectorizeLaneReductionsPatterns(RewritePatternSet &patterns);

/// The thread-local globals of asserts-to-status in `module`: an i32 status
/// and a pointer to the failed check's message, both zero-initialised
/// (created if absent), for code that resets or reads them.
std::pair<LLVM::GlobalOp, LLVM::GlobalOp>
getOrCreateCheckStatusGlobals(ModuleOp module, StringRef statusSymbol,
                              StringRef messageSymbol);

#define GEN_PASS_REGISTRATION
#include "loss-mlir/Transforms/Passes.h.inc"

} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_TRANSFORMS_PASSES_H
