//===- Regression.cpp - Elementwise losses to linalg ----------------------===//
//
// Every loss here is a function of one point of the input (and the points of
// its broadcast operands): bce, bce_with_logits, l1, mse, smooth_l1, huber,
// poisson_nll, gaussian_nll, kl_div, margin_ranking, hinge_embedding and
// soft_margin. Each lowers to ONE linalg.generic that computes the point loss
// and, for sum/mean/batchmean, reduces it into a 0-d accumulator on the fly
// (no tensor shaped like the input exists then). f16/bf16 compute and
// accumulate in f32.
//
// The point formulas follow PyTorch 1.13's kernels term by term (operation
// order, NaN propagation, where masks) so that results agree with PyTorch to
// the last few ulps. Two deliberate departures, both more accurate than
// PyTorch: soft_margin's log1p(exp(-t x)), which overflows to +inf in
// PyTorch for large -t x, is an overflow-free softplus here (equal wherever
// PyTorch's is finite); bce_with_logits' log(exp(-m) + exp(-x - m)) + m is
// max(-x, 0) + log1p(exp(-|x|)) here (PyTorch loses the log1p digits: an
// absolute difference below one ulp of 1).
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "loss-mlir/Conversion/LossToLinalg/LossToLinalg.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loss;

namespace {

/// The loss at one point, from the operands' scalars already widened to the
/// accumulator type.
using ScalarLossFn =
    function_ref<Value(OpBuilder &, Location, ArrayRef<Value> args)>;

/// An operand's scalar widened to the accumulator type `acc`: floats are
/// extended, integer targets promoted as PyTorch does (i1 as 0/1).
Value widen(OpBuilder &b, Location l, Value v, Type acc) {
  if (isa<IntegerType>(v.getType()))
    return arith::SIToFPOp::create(b, l, acc, toI64(b, l, v));
  return castFloat(b, l, v, acc);
}

/// Replaces `op` by the fused loss over the iteration space `loopSizes`,
/// with `inputs` read through their maps. `batchmean` divides the sum by the
/// size of dimension 0 of `input` (by 1 for a 0-d input), as PyTorch, even
/// where the target broadcasts the loss to more dimensions.
LogicalResult replaceWithPointwiseLoss(PatternRewriter &rewriter,
                                       Operation *op, Value input,
                                       ArrayRef<OpFoldResult> loopSizes,
                                       ArrayRef<LoopInput> inputs,
                                       Reduction reduction, ScalarLossFn fn) {
  Location loc = op->getLoc();
  auto inTy = cast<RankedTensorType>(input.getType());
  Type elTy = inTy.getElementType();
  Type acc = getAccumulatorType(elTy);

  Value divisor;
  if (reduction == Reduction::batchmean) {
    if (inTy.getRank() == 0) {
      reduction = Reduction::sum;
    } else {
      reduction = Reduction::mean;
      divisor = numElementsAsFloat(
          rewriter, loc, {tensor::getMixedSize(rewriter, loc, input, 0)}, acc);
    }
  }

  Value loss = buildReducedLoss(
      rewriter, loc, loopSizes, inputs, reduction, elTy,
      [&](OpBuilder &b, Location l, ValueRange args) {
        SmallVector<Value> wide;
        for (Value a : args)
          wide.push_back(widen(b, l, a, acc));
        return std::pair<Value, Value>(fn(b, l, wide), Value());
      },
      /*weightedMean=*/false, divisor);

  replaceOpWithCasts(rewriter, op, loss);
  return success();
}

/// Same as above over the iteration space of `input`.
LogicalResult replaceWithPointwiseLoss(PatternRewriter &rewriter,
                                       Operation *op, Value input,
                                       ArrayRef<LoopInput> inputs,
                                       Reduction reduction, ScalarLossFn fn) {
  SmallVector<OpFoldResult> shape =
      tensor::getMixedSizes(rewriter, op->getLoc(), input);
  return replaceWithPointwiseLoss(rewriter, op, input, shape, inputs,
                                  reduction, fn);
}

/// Identity-mapped operands shaped like the input.
SmallVector<LoopInput> sameShape(ArrayRef<Value> values) {
  SmallVector<LoopInput> inputs;
  for (Value v : values) {
    auto ty = cast<RankedTensorType>(v.getType());
    inputs.push_back({v, identityMap(v.getContext(), ty.getRank())});
  }
  return inputs;
}

/// An operand that broadcasts to a rank-`rank` input (NumPy rules).
LoopInput broadcastInput(Value v, unsigned rank) {
  auto ty = cast<RankedTensorType>(v.getType());
  return {v, broadcastMap(v.getContext(), rank, ty.getShape())};
}

/// Operands that broadcast together: the loop sizes of their broadcast and
/// each one read through its broadcast map.
SmallVector<OpFoldResult> broadcastOperands(OpBuilder &b, Location loc,
                                            ArrayRef<Value> operands,
                                            SmallVectorImpl<LoopInput> &inputs) {
  SmallVector<OpFoldResult> sizes = broadcastLoopSizes(b, loc, operands);
  for (Value v : operands)
    inputs.push_back(
        {v, broadcastMap(v.getContext(), sizes,
                         cast<RankedTensorType>(v.getType()).getShape())});
  return sizes;
}

/// The elementwise losses whose operands broadcast together (PyTorch's
/// l1, mse, ..., where a target of another shape only warns).
LogicalResult replaceWithBroadcastLoss(PatternRewriter &rewriter,
                                       Operation *op, Value input,
                                       ArrayRef<Value> operands,
                                       Reduction reduction, ScalarLossFn fn) {
  SmallVector<LoopInput> inputs;
  SmallVector<OpFoldResult> sizes =
      broadcastOperands(rewriter, op->getLoc(), operands, inputs);
  return replaceWithPointwiseLoss(rewriter, op, input, sizes, inputs,
                                  reduction, fn);
}

// Scalar building blocks, all in the accumulator type of their operands.
using namespace mlir::loss::scalar;

Value log(OpBuilder &b, Location l, Value x) {
  return math::LogOp::create(b, l, x);
}
Value exp(OpBuilder &b, Location l, Value x) {
  return math::ExpOp::create(b, l, x);
}
Value absf(OpBuilder &b, Location l, Value x) {
  return math::AbsFOp::create(b, l, x);
}
/// max(x, y) that propagates NaN, like std::max(x, y) / clamp_min in PyTorch
/// when x is the NaN.
Value maxNaN(OpBuilder &b, Location l, Value x, Value y) {
  return arith::MaximumFOp::create(b, l, x, y);
}

//===----------------------------------------------------------------------===//
// Binary classification
//===----------------------------------------------------------------------===//

struct BceLowering : public OpRewritePattern<BceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BceOp op,
                                PatternRewriter &rewriter) const override {
    unsigned rank = op.getInput().getType().getRank();
    SmallVector<LoopInput> inputs = sameShape({op.getInput(), op.getTarget()});
    bool weighted = static_cast<bool>(op.getWeight());
    if (weighted)
      inputs.push_back(broadcastInput(op.getWeight(), rank));
    // PyTorch 1.13: (t - 1) * max(log(1 - x), -100) - t * max(log(x), -100),
    // then times w. log(1 - x), not log1p(-x), as PyTorch: for tiny x the
    // two differ relatively by far more than the f64 tolerance.
    return replaceWithPointwiseLoss(
        rewriter, op, op.getInput(), inputs, op.getReduction(),
        [&](OpBuilder &b, Location l, ArrayRef<Value> a) {
          Value x = a[0], t = a[1];
          Value one = cst(b, l, x, 1.0), floor = cst(b, l, x, -100.0);
          Value logX = maxNaN(b, l, log(b, l, x), floor);
          Value log1mX = maxNaN(b, l, log(b, l, sub(b, l, one, x)), floor);
          Value v = sub(b, l, mul(b, l, sub(b, l, t, one), log1mX),
                        mul(b, l, t, logX));
          return weighted ? mul(b, l, v, a[2]) : v;
        });
  }
};

struct BceWithLogitsLowering : public OpRewritePattern<BceWithLogitsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BceWithLogitsOp op,
                                PatternRewriter &rewriter) const override {
    unsigned rank = op.getInput().getType().getRank();
    SmallVector<LoopInput> inputs = sameShape({op.getInput(), op.getTarget()});
    bool weighted = static_cast<bool>(op.getWeight());
    bool posWeighted = static_cast<bool>(op.getPosWeight());
    if (weighted)
      inputs.push_back(broadcastInput(op.getWeight(), rank));
    if (posWeighted)
      inputs.push_back(broadcastInput(op.getPosWeight(), rank));
    // (1 - t) x + (1 + (pw - 1) t) * softplus(-x), times w, with
    // softplus(-x) = max(-x, 0) + log1p(exp(-|x|)), finite for any finite x.
    return replaceWithPointwiseLoss(
        rewriter, op, op.getInput(), inputs, op.getReduction(),
        [&](OpBuilder &b, Location l, ArrayRef<Value> a) {
          unsigned i = 0;
          Value x = a[i++], t = a[i++];
          Value w = weighted ? a[i++] : Value();
          Value pw = posWeighted ? a[i++] : Value();
          Value one = cst(b, l, x, 1.0);
          // The linear terms are added first: for t = 0 and x < 0 they
          // cancel exactly, leaving log1p(exp(x)) with all its digits.
          Value lw = pw ? add(b, l, mul(b, l, sub(b, l, pw, one), t), one)
                        : Value();
          Value relu = maxNaN(b, l, neg(b, l, x), cst(b, l, x, 0.0));
          Value tail =
              emitLog1p(b, l, exp(b, l, neg(b, l, absf(b, l, x))));
          if (lw) {
            relu = mul(b, l, lw, relu);
            tail = mul(b, l, lw, tail);
          }
          Value v = add(b, l, add(b, l, mul(b, l, sub(b, l, one, t), x), relu),
                        tail);
          return w ? mul(b, l, v, w) : v;
        });
  }
};

//===----------------------------------------------------------------------===//
// Regression
//===----------------------------------------------------------------------===//

struct L1Lowering : public OpRewritePattern<L1Op> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(L1Op op,
                                PatternRewriter &rewriter) const override {
    return replaceWithBroadcastLoss(
        rewriter, op, op.getInput(), {op.getInput(), op.getTarget()},
        op.getReduction(), [&](OpBuilder &b, Location l, ArrayRef<Value> a) {
          return absf(b, l, sub(b, l, a[0], a[1]));
        });
  }
};

struct MseLowering : public OpRewritePattern<MseOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MseOp op,
                                PatternRewriter &rewriter) const override {
    return replaceWithBroadcastLoss(
        rewriter, op, op.getInput(), {op.getInput(), op.getTarget()},
        op.getReduction(), [&](OpBuilder &b, Location l, ArrayRef<Value> a) {
          Value d = sub(b, l, a[0], a[1]);
          return mul(b, l, d, d);
        });
  }
};

struct SmoothL1Lowering : public OpRewritePattern<SmoothL1Op> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SmoothL1Op op,
                                PatternRewriter &rewriter) const override {
    double beta = op.getBeta().convertToDouble();
    // z < beta ? 0.5 z z / beta : z - 0.5 beta; beta = 0 is plain L1 (as in
    // PyTorch, which never evaluates the quadratic branch then).
    return replaceWithBroadcastLoss(
        rewriter, op, op.getInput(), {op.getInput(), op.getTarget()},
        op.getReduction(), [&](OpBuilder &b, Location l, ArrayRef<Value> a) {
          Value z = absf(b, l, sub(b, l, a[0], a[1]));
          if (beta == 0.0)
            return z;
          Value betaV = cst(b, l, z, beta);
          Value half = cst(b, l, z, 0.5);
          Value quad = div(b, l, mul(b, l, mul(b, l, half, z), z), betaV);
          Value lin = sub(b, l, z, mul(b, l, half, betaV));
          return select(b, l, cmpf(b, l, arith::CmpFPredicate::OLT, z, betaV),
                        quad, lin);
        });
  }
};

struct HuberLowering : public OpRewritePattern<HuberOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(HuberOp op,
                                PatternRewriter &rewriter) const override {
    double delta = op.getDelta().convertToDouble();
    // z < delta ? 0.5 z z : delta (z - 0.5 delta).
    return replaceWithBroadcastLoss(
        rewriter, op, op.getInput(), {op.getInput(), op.getTarget()},
        op.getReduction(), [&](OpBuilder &b, Location l, ArrayRef<Value> a) {
          Value z = absf(b, l, sub(b, l, a[0], a[1]));
          Value deltaV = cst(b, l, z, delta);
          Value half = cst(b, l, z, 0.5);
          Value quad = mul(b, l, mul(b, l, half, z), z);
          Value lin =
              mul(b, l, deltaV, sub(b, l, z, mul(b, l, half, deltaV)));
          return select(b, l, cmpf(b, l, arith::CmpFPredicate::OLT, z, deltaV),
                        quad, lin);
        });
  }
};

//===----------------------------------------------------------------------===//
// Distributions
//===----------------------------------------------------------------------===//

struct PoissonNllLowering : public OpRewritePattern<PoissonNllOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PoissonNllOp op,
                                PatternRewriter &rewriter) const override {
    bool logInput = op.getLogInput(), full = op.getFull();
    double eps = op.getEps().convertToDouble();
    return replaceWithBroadcastLoss(
        rewriter, op, op.getInput(), {op.getInput(), op.getTarget()},
        op.getReduction(), [&](OpBuilder &b, Location l, ArrayRef<Value> a) {
          Value x = a[0], t = a[1];
          // exp(x) - t x, or x - t log(x + eps).
          Value v = logInput
                        ? sub(b, l, exp(b, l, x), mul(b, l, t, x))
                        : sub(b, l, x,
                              mul(b, l, t,
                                  log(b, l, add(b, l, x, cst(b, l, x, eps)))));
          if (!full)
            return v;
          // Stirling: t log t - t + 0.5 log(2 pi t), masked to 0 where
          // t <= 1 (a NaN target keeps its NaN, as masked_fill(t <= 1)).
          Value stirling = add(
              b, l, sub(b, l, mul(b, l, t, log(b, l, t)), t),
              mul(b, l, cst(b, l, t, 0.5),
                  log(b, l, mul(b, l, cst(b, l, t, 2.0 * M_PI), t))));
          Value small =
              cmpf(b, l, arith::CmpFPredicate::OLE, t, cst(b, l, t, 1.0));
          return add(b, l, v,
                     select(b, l, small, cst(b, l, t, 0.0), stirling));
        });
  }
};

struct GaussianNllLowering : public OpRewritePattern<GaussianNllOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GaussianNllOp op,
                                PatternRewriter &rewriter) const override {
    MLIRContext *ctx = rewriter.getContext();
    Location loc = op.getLoc();
    auto inTy = op.getInput().getType();
    auto varTy = op.getVar().getType();
    // A var with the input's last dimension dropped is read as if that
    // dimension were 1 (PyTorch unsqueezes it); then input, target and var
    // broadcast together.
    SmallVector<int64_t> varShape(varTy.getShape());
    bool dropped = varTy.getRank() + 1 == inTy.getRank();
    if (dropped)
      varShape.push_back(1);
    Value x = op.getInput(), t = op.getTarget(), var = op.getVar();
    SmallVector<ArrayRef<int64_t>> shapes{
        inTy.getShape(), cast<RankedTensorType>(t.getType()).getShape(), varShape};
    SmallVector<OpFoldResult> sizes =
        broadcastLoopSizes(rewriter, loc, {x, t, var}, shapes);
    unsigned rank = sizes.size();
    SmallVector<LoopInput> inputs{broadcastInput(x, rank),
                                  broadcastInput(t, rank)};
    AffineMap varMap = broadcastMap(ctx, rank, varShape);
    if (dropped)
      varMap = varMap.dropResult(varMap.getNumResults() - 1);
    inputs.push_back({var, varMap});
    bool full = op.getFull();
    double eps = op.getEps().convertToDouble();
    // v = max(var, eps) (NaN stays NaN, as clamp_); 0.5 (log v + d^2 / v),
    // plus 0.5 log(2 pi) with full.
    return replaceWithPointwiseLoss(
        rewriter, op, op.getInput(), sizes, inputs, op.getReduction(),
        [&](OpBuilder &b, Location l, ArrayRef<Value> a) {
          Value x = a[0], t = a[1];
          Value v = maxNaN(b, l, a[2], cst(b, l, x, eps));
          Value d = sub(b, l, x, t);
          Value r = mul(b, l, cst(b, l, x, 0.5),
                        add(b, l, log(b, l, v), div(b, l, mul(b, l, d, d), v)));
          if (full)
            r = add(b, l, r, cst(b, l, x, 0.5 * std::log(2.0 * M_PI)));
          return r;
        });
  }
};

struct KlDivLowering : public OpRewritePattern<KlDivOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(KlDivOp op,
                                PatternRewriter &rewriter) const override {
    bool logTarget = op.getLogTarget();
    // log_target: exp(t) (t - x); else xlogy(t, t) - t x, exactly PyTorch's
    // form: xlogy(t, t) is 0 where t == 0 and t log t else (NaN for a NaN
    // t, which fails the t == 0 test), so a zero target gives 0 - 0 * x: 0
    // for any finite x (NaN for x = -inf, as in PyTorch).
    return replaceWithBroadcastLoss(
        rewriter, op, op.getInput(), {op.getInput(), op.getTarget()},
        op.getReduction(), [&](OpBuilder &b, Location l, ArrayRef<Value> a) {
          Value x = a[0], t = a[1];
          if (logTarget)
            return mul(b, l, exp(b, l, t), sub(b, l, t, x));
          Value zero = cst(b, l, t, 0.0);
          Value tLogT =
              select(b, l, cmpf(b, l, arith::CmpFPredicate::OEQ, t, zero), zero,
                     mul(b, l, t, log(b, l, t)));
          return sub(b, l, tLogT, mul(b, l, t, x));
        });
  }
};

//===----------------------------------------------------------------------===//
// Margin
//===----------------------------------------------------------------------===//

struct MarginRankingLowering : public OpRewritePattern<MarginRankingOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MarginRankingOp op,
                                PatternRewriter &rewriter) const override {
    double margin = op.getMargin().convertToDouble();
    // max(-t (x1 - x2) + margin, 0), NaN propagating like clamp_min_.
    return replaceWithBroadcastLoss(
        rewriter, op, op.getInput1(),
        {op.getInput1(), op.getInput2(), op.getTarget()},
        op.getReduction(), [&](OpBuilder &b, Location l, ArrayRef<Value> a) {
          Value v = add(b, l, mul(b, l, neg(b, l, a[2]), sub(b, l, a[0], a[1])),
                        cst(b, l, a[0], margin));
          return maxNaN(b, l, v, cst(b, l, v, 0.0));
        });
  }
};

struct HingeEmbeddingLowering : public OpRewritePattern<HingeEmbeddingOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(HingeEmbeddingOp op,
                                PatternRewriter &rewriter) const override {
    double margin = op.getMargin().convertToDouble();
    // (t != 1 ? max(margin - x, 0) : 0) + (t != -1 ? x : 0), any target.
    return replaceWithBroadcastLoss(
        rewriter, op, op.getInput(), {op.getInput(), op.getTarget()},
        op.getReduction(), [&](OpBuilder &b, Location l, ArrayRef<Value> a) {
          Value x = a[0], t = a[1];
          Value zero = cst(b, l, x, 0.0);
          Value clamped =
              maxNaN(b, l, sub(b, l, cst(b, l, x, margin), x), zero);
          Value notPos =
              cmpf(b, l, arith::CmpFPredicate::UNE, t, cst(b, l, t, 1.0));
          Value notNeg =
              cmpf(b, l, arith::CmpFPredicate::UNE, t, cst(b, l, t, -1.0));
          return add(b, l, select(b, l, notPos, clamped, zero),
                     select(b, l, notNeg, x, zero));
        });
  }
};

struct SoftMarginLowering : public OpRewritePattern<SoftMarginOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftMarginOp op,
                                PatternRewriter &rewriter) const override {
    // log(1 + exp(-x t)) as softplus(-x t): PyTorch's log1p(exp(.)) overflows
    // to +inf for -x t beyond ~88 (f32) / ~709 (f64); this stays finite.
    // The target broadcasts to the input.
    unsigned rank = op.getInput().getType().getRank();
    return replaceWithPointwiseLoss(
        rewriter, op, op.getInput(),
        {{op.getInput(), identityMap(rewriter.getContext(), rank)},
         broadcastInput(op.getTarget(), rank)},
        op.getReduction(), [&](OpBuilder &b, Location l, ArrayRef<Value> a) {
          return emitSoftplus(b, l, mul(b, l, neg(b, l, a[0]), a[1]));
        });
  }
};

//===----------------------------------------------------------------------===//
// Gradients
//===----------------------------------------------------------------------===//

/// d loss / d input at one point, from `z = x - t` in the accumulator type
/// (before the scaling by grad_output and the mean's 1/n).
using PointGradFn = function_ref<Value(OpBuilder &, Location, Value z)>;

/// Replaces a regression gradient op by one elementwise pass writing
/// `grad_input = f(x - t) * g * scale` and `grad_target = f(t - x) * g *
/// scale`.
template <typename OpTy>
LogicalResult replaceWithPointwiseGrad(PatternRewriter &rewriter, OpTy op,
                                       PointGradFn fn) {
  Location loc = op.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  auto inTy = op.getInput().getType();
  unsigned rank = inTy.getRank();
  Type elTy = inTy.getElementType();
  Type acc = getAccumulatorType(elTy);
  SmallVector<OpFoldResult> shape =
      tensor::getMixedSizes(rewriter, loc, op.getInput());
  bool pointwiseG = op.getReduction() == Reduction::none;
  SmallVector<LoopInput> inputs = sameShape({op.getInput(), op.getTarget()});
  inputs.push_back({op.getGradOutput(),
                    pointwiseG ? identityMap(ctx, rank)
                               : AffineMap::get(rank, 0, {}, ctx)});
  assertConsistentLoopSizes(rewriter, loc, shape, inputs);
  // mean: every point's share of the loss is 1/n of it.
  Value scale = op.getReduction() == Reduction::mean
                    ? arith::DivFOp::create(
                          rewriter, loc, constFloat(rewriter, loc, acc, 1.0),
                          numElementsAsFloat(rewriter, loc, shape, acc))
                          .getResult()
                    : Value();
  SmallVector<Value> ins;
  SmallVector<AffineMap> maps;
  for (const LoopInput &in : inputs) {
    ins.push_back(in.value);
    maps.push_back(in.map);
  }
  SmallVector<Value> inits;
  for (int k = 0; k < 2; ++k)
    inits.push_back(tensor::EmptyOp::create(rewriter, loc, shape, elTy));
  maps.append(2, identityMap(ctx, rank));
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange(ValueRange(inits)), ins, inits, maps, iters,
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value x = castFloat(b, l, args[0], acc);
        Value t = castFloat(b, l, args[1], acc);
        Value g = castFloat(b, l, args[2], acc);
        if (scale)
          g = mul(b, l, g, scale);
        // ATen differentiates the target by the same backward with input
        // and target swapped: f(t - x), which differs from -f(x - t) at a
        // kink (smooth_l1 with beta = 0 at x = t).
        Value gx = mul(b, l, fn(b, l, sub(b, l, x, t)), g);
        Value gt = mul(b, l, fn(b, l, sub(b, l, t, x)), g);
        linalg::YieldOp::create(
            b, l,
            ValueRange{castFloat(b, l, gx, elTy), castFloat(b, l, gt, elTy)});
      });
  replaceOpWithCasts(rewriter, op, generic.getResults());
  return success();
}

/// sign(z) with sign(0) = 0 and NaN propagated, as autograd's abs backward.
Value signOf(OpBuilder &b, Location l, Value z) {
  Value zero = cst(b, l, z, 0.0);
  Value pos = select(b, l, cmpf(b, l, arith::CmpFPredicate::OGT, z, zero),
                     cst(b, l, z, 1.0), zero);
  Value s = select(b, l, cmpf(b, l, arith::CmpFPredicate::OLT, z, zero),
                   cst(b, l, z, -1.0), pos);
  // NaN compares false both ways: keep it.
  return select(b, l, cmpf(b, l, arith::CmpFPredicate::UNO, z, z), z, s);
}

/// ATen's rule for the losses that turn linear past `edge`:
/// `z <= -edge ? -outside : z >= edge ? outside : inside` (in that order, so
/// edge = 0 gives -outside at z = 0; NaN falls through to `inside`).
Value kinkedGrad(OpBuilder &b, Location l, Value z, double edge,
                 double outside, Value inside) {
  Value e = cst(b, l, z, edge);
  Value upper = select(b, l, cmpf(b, l, arith::CmpFPredicate::OGE, z, e),
                       cst(b, l, z, outside), inside);
  return select(b, l, cmpf(b, l, arith::CmpFPredicate::OLE, z, neg(b, l, e)),
                cst(b, l, z, -outside), upper);
}

struct L1GradLowering : public OpRewritePattern<L1GradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(L1GradOp op,
                                PatternRewriter &rewriter) const override {
    return replaceWithPointwiseGrad(rewriter, op, signOf);
  }
};

struct MseGradLowering : public OpRewritePattern<MseGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MseGradOp op,
                                PatternRewriter &rewriter) const override {
    return replaceWithPointwiseGrad(
        rewriter, op, [](OpBuilder &b, Location l, Value z) {
          return mul(b, l, cst(b, l, z, 2.0), z);
        });
  }
};

struct SmoothL1GradLowering : public OpRewritePattern<SmoothL1GradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SmoothL1GradOp op,
                                PatternRewriter &rewriter) const override {
    double beta = op.getBeta().convertToDouble();
    // ATen's smooth_l1_backward: z <= -beta ? -1 : z >= beta ? 1 : z / beta
    // (so beta = 0 gives -1 at z = 0, not L1's 0).
    return replaceWithPointwiseGrad(
        rewriter, op, [&](OpBuilder &b, Location l, Value z) {
          return kinkedGrad(b, l, z, beta, 1.0,
                            div(b, l, z, cst(b, l, z, beta)));
        });
  }
};

struct HuberGradLowering : public OpRewritePattern<HuberGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(HuberGradOp op,
                                PatternRewriter &rewriter) const override {
    double delta = op.getDelta().convertToDouble();
    return replaceWithPointwiseGrad(
        rewriter, op, [&](OpBuilder &b, Location l, Value z) {
          // ATen's huber_backward: z <= -delta ? -delta : z >= delta ?
          // delta : z.
          return kinkedGrad(b, l, z, delta, delta, z);
        });
  }
};

} // namespace

void mlir::loss::populateRegressionToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<BceLowering, BceWithLogitsLowering, L1Lowering, MseLowering,
               SmoothL1Lowering, HuberLowering, PoissonNllLowering,
               GaussianNllLowering, KlDivLowering, MarginRankingLowering,
               HingeEmbeddingLowering, SoftMarginLowering, L1GradLowering,
               MseGradLowering, SmoothL1GradLowering, HuberGradLowering>(
      patterns.getContext());
}
