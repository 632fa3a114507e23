//===- ApproximateMath.cpp - Vectorizable f32 exp -------------------------===//

#include "loss-mlir/Dialect/Loss/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace loss {
#define GEN_PASS_DEF_LOSSAPPROXIMATEMATH
#include "loss-mlir/Dialect/Loss/Transforms/Passes.h.inc"
} // namespace loss
} // namespace mlir

using namespace mlir;

namespace {
struct LossApproximateMathPass
    : public loss::impl::LossApproximateMathBase<LossApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // The approximation patterns only match f32 (scalars and vectors).
    populateMathPolynomialApproximationPatterns(
        patterns,
        [](StringRef name) { return name == "math.exp"; });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
