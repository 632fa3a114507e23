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
/// A constant `v` of the f32 type (or vector of f32) `ty`.
Value splatF32(OpBuilder &b, Location loc, Type ty, double v) {
  TypedAttr attr = b.getF32FloatAttr(v);
  if (auto vec = dyn_cast<VectorType>(ty))
    attr = SplatElementsAttr::get(vec, attr);
  return arith::ConstantOp::create(b, loc, ty, attr);
}

/// Where its operand is below `below`, the unary f32 `op` computes
/// `post(op(x * scale))` instead of `op(x)`: an exact rescaling into the
/// range its polynomial handles.
void rescaleBelow(Operation *op, double below, double scale,
                  function_ref<Value(OpBuilder &, Location, Value)> post) {
  if (!getElementTypeOrSelf(op->getResult(0).getType()).isF32())
    return;
  OpBuilder b(op);
  Location loc = op->getLoc();
  Type ty = op->getResult(0).getType();
  Value x = op->getOperand(0);
  Value tiny = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x,
                                     splatF32(b, loc, ty, below));
  Value scaled =
      arith::MulFOp::create(b, loc, x, splatF32(b, loc, ty, scale));
  op->setOperand(0, arith::SelectOp::create(b, loc, tiny, scaled, x));
  b.setInsertionPointAfter(op);
  Value y = op->getResult(0);
  Value fixed = post(b, loc, y);
  Value r = arith::SelectOp::create(b, loc, tiny, fixed, y);
  Operation *fixedOp = fixed.getDefiningOp(), *rOp = r.getDefiningOp();
  y.replaceUsesWithIf(r, [&](OpOperand &use) {
    return use.getOwner() != fixedOp && use.getOwner() != rOp;
  });
}

struct ApproximateF32MathPass
    : public loss::impl::ApproximateF32MathBase<ApproximateF32MathPass> {
  void runOnOperation() override {
    // The exp polynomial flushes results below the smallest normal f32
    // (x < -87.3) to 0, where libm and PyTorch return subnormals (softplus
    // tails are made of them). There, exp(x) = exp(x / 2)^2: one
    // polynomial, one rounding into the subnormal range.
    getOperation()->walk([](math::ExpOp exp) {
      rescaleBelow(exp, -87.0, 0.5, [](OpBuilder &b, Location loc, Value e) {
        return arith::MulFOp::create(b, loc, e, e).getResult();
      });
    });
    // Below the smallest normal f32 the log polynomial's exponent split is
    // wrong: log(x) = log(x * 2^24) - 24 ln 2, exactly scaled.
    getOperation()->walk([](math::LogOp log) {
      rescaleBelow(log, 0x1p-126, 0x1p24,
                   [](OpBuilder &b, Location loc, Value l) {
                     return arith::SubFOp::create(
                                b, loc, l,
                                splatF32(b, loc, l.getType(),
                                         24.0 * 0.69314718055994530942))
                         .getResult();
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
