//===- ApproximateF32Exp.cpp - Vectorizable f32 exp -----------------------===//

#include "loss-mlir/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace loss {
#define GEN_PASS_DEF_APPROXIMATEF32EXP
#include "loss-mlir/Transforms/Passes.h.inc"
} // namespace loss
} // namespace mlir

using namespace mlir;

namespace {
struct ApproximateF32ExpPass
    : public loss::impl::ApproximateF32ExpBase<ApproximateF32ExpPass> {
  void runOnOperation() override {
    // The polynomial flushes results below the smallest normal f32
    // (x < -87.3) to 0, where libm and PyTorch return subnormals (softplus
    // tails are made of them). There, exp(x) = exp(x / 2)^2: one
    // polynomial, one rounding into the subnormal range.
    getOperation()->walk([](math::ExpOp exp) {
      if (!getElementTypeOrSelf(exp.getType()).isF32())
        return;
      OpBuilder b(exp);
      Location loc = exp.getLoc();
      Type ty = exp.getType();
      auto splat = [&](double v) -> Value {
        return arith::ConstantOp::create(
            b, loc, ty,
            isa<VectorType>(ty)
                ? cast<TypedAttr>(SplatElementsAttr::get(
                      cast<ShapedType>(ty), b.getF32FloatAttr(v)))
                : b.getF32FloatAttr(v));
      };
      Value x = exp.getOperand();
      Value tiny = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x,
                                         splat(-87.0));
      Value half = arith::MulFOp::create(b, loc, x, splat(0.5));
      exp.getOperandMutable().assign(
          arith::SelectOp::create(b, loc, tiny, half, x));
      b.setInsertionPointAfter(exp);
      Value e = exp.getResult();
      Value sq = arith::MulFOp::create(b, loc, e, e);
      Value r = arith::SelectOp::create(b, loc, tiny, sq, e);
      Operation *sqOp = sq.getDefiningOp(), *rOp = r.getDefiningOp();
      e.replaceUsesWithIf(r, [&](OpOperand &use) {
        return use.getOwner() != sqOp && use.getOwner() != rOp;
      });
    });
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
