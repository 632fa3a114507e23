//===- ApproximateF32Math.cpp - Vectorizable f32 exp and log --------------===//

#include "loss-mlir/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace loss {
#define GEN_PASS_DEF_APPROXIMATEF32MATH
#include "loss-mlir/Transforms/Passes.h.inc"
} // namespace loss
} // namespace mlir

using namespace mlir;

namespace {
struct ApproximateF32MathPass
    : public loss::impl::ApproximateF32MathBase<ApproximateF32MathPass> {
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
    // Below the smallest normal f32 the log polynomial's exponent split is
    // wrong: log(x) = log(x * 2^24) - 24 ln 2, exactly scaled.
    getOperation()->walk([](math::LogOp log) {
      if (!getElementTypeOrSelf(log.getType()).isF32())
        return;
      OpBuilder b(log);
      Location loc = log.getLoc();
      Type ty = log.getType();
      auto splat = [&](double v) -> Value {
        return arith::ConstantOp::create(
            b, loc, ty,
            isa<VectorType>(ty)
                ? cast<TypedAttr>(SplatElementsAttr::get(
                      cast<ShapedType>(ty), b.getF32FloatAttr(v)))
                : b.getF32FloatAttr(v));
      };
      Value x = log.getOperand();
      Value tiny = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x,
                                         splat(0x1p-126));
      Value scaled = arith::MulFOp::create(b, loc, x, splat(0x1p24));
      log.getOperandMutable().assign(
          arith::SelectOp::create(b, loc, tiny, scaled, x));
      b.setInsertionPointAfter(log);
      Value l = log.getResult();
      Value shifted =
          arith::SubFOp::create(b, loc, l, splat(24.0 * 0.69314718055994530942));
      Value r = arith::SelectOp::create(b, loc, tiny, shifted, l);
      Operation *shOp = shifted.getDefiningOp(), *rOp = r.getDefiningOp();
      l.replaceUsesWithIf(r, [&](OpOperand &use) {
        return use.getOwner() != shOp && use.getOwner() != rOp;
      });
    });
    RewritePatternSet patterns(&getContext());
    // The approximation patterns only match f32 (scalars and vectors).
    populateMathPolynomialApproximationPatterns(
        patterns,
        [](StringRef name) { return name == "math.exp" || name == "math.log"; });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
