//===- ApplyToGenerics.h - Patterns applied once per linalg.generic -*- C++ -*-===//
//
// Private to lib/Transforms.
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_MLIR_LIB_TRANSFORMS_APPLYTOGENERICS_H
#define LOSS_MLIR_LIB_TRANSFORMS_APPLYTOGENERICS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace loss {

/// Applies `patterns` to the linalg.generic ops under `root` as they are
/// now, once each: the ops a rewrite creates are not visited, so a pattern
/// whose output still matches it cannot loop.
inline LogicalResult applyToExistingGenerics(Operation *root,
                                             RewritePatternSet &&patterns) {
  SmallVector<Operation *> ops;
  root->walk([&](linalg::GenericOp op) { ops.push_back(op); });
  return applyOpPatternsGreedily(
      ops, std::move(patterns),
      GreedyRewriteConfig().setStrictness(
          GreedyRewriteStrictness::ExistingOps));
}

} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_LIB_TRANSFORMS_APPLYTOGENERICS_H
