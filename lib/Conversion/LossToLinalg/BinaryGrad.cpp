//===- BinaryGrad.cpp - Gradients of the binary family to linalg ------------===//
//
// Lowers the gradient ops of bce, bce_with_logits, poisson_nll, gaussian_nll
// and kl_div. Each gradient is a function of one point of the broadcast
// iteration space (the forward's `none` shape) and of grad_output there:
//
//  * the gradients of operands that have the full iteration shape are
//    written by ONE parallel linalg.generic (one pass over the inputs, no
//    temporaries besides the gradients);
//  * the gradient of an operand the forward broadcasts (a target [C] of an
//    input [N, C], one variance per sample, ...) is summed back to its shape,
//    as autograd does, by a linalg.generic that reduces over the broadcast
//    loops into an accumulator of the operand's shape (it recomputes the
//    point gradient: no full-size temporary); a sum into a single element is
//    a full reduction built by buildReducedLoss, which block-sum-reductions
//    makes accurate.
//
// f16/bf16 compute and sum in f32 and round once. The point formulas follow
// the order of ATen 1.13's backward kernels (or of autograd's chain through
// the composite forward) so that NaN/inf cases agree with PyTorch.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "loss-mlir/Conversion/LossToLinalg/LossToLinalg.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mlir::loss;

namespace {

/// Scalar arithmetic at one point, in the accumulator type.
struct PointMath {
  OpBuilder &b;
  Location l;
  Value c(Value like, double v) { return constFloat(b, l, like.getType(), v); }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, l, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, l, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, l, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, l, x, y); }
  Value neg(Value x) { return arith::NegFOp::create(b, l, x); }
  Value log(Value x) { return math::LogOp::create(b, l, x); }
  Value exp(Value x) { return math::ExpOp::create(b, l, x); }
  /// max(x, y) propagating NaN (std::max(x, y) / clamp_min with x NaN).
  Value max(Value x, Value y) { return arith::MaximumFOp::create(b, l, x, y); }
  Value cmp(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, l, p, x, y);
  }
  Value select(Value cond, Value x, Value y) {
    return arith::SelectOp::create(b, l, cond, x, y);
  }
  /// 1 / (1 + exp(-x)).
  Value sigmoid(Value x) {
    Value one = c(x, 1.0);
    return div(one, add(one, exp(neg(x))));
  }
  /// `x * y` where `y` may be absent (1).
  Value mulOpt(Value x, Value y) { return y ? mul(x, y) : x; }
};

/// An operand's scalar in the accumulator type `acc`: floats extended,
/// integer targets promoted as PyTorch does (i1 as 0/1).
Value promote(OpBuilder &b, Location l, Value v, Type acc) {
  if (isa<IntegerType>(v.getType()))
    return arith::SIToFPOp::create(b, l, acc, toI64(b, l, v));
  return castFloat(b, l, v, acc);
}

/// The gradients at one point, one per differentiated operand (in the op's
/// result order), from the operands' scalars promoted to the accumulator
/// type and `g`, grad_output there times the reduction's scale.
using PointGradsFn = function_ref<SmallVector<Value>(
    PointMath &m, ArrayRef<Value> args, Value g)>;

/// The pieces of one gradient op's lowering.
struct GradProblem {
  /// The forward's input (batchmean divides by its first dimension).
  Value input;
  /// The operands read at each point and their maps into the loop space.
  SmallVector<LoopInput> reads;
  /// For each result, in order: which of `reads` it is the gradient of.
  SmallVector<unsigned> differentiated;
  Value gradOutput;
  Reduction reduction;
  SmallVector<OpFoldResult> loopSizes;
};

/// Whether the gradient of an operand read through `map` can be written
/// point by point: its map is the identity of the loop space, up to loops
/// of size 1 that it reads as its constant 0.
bool isDirect(AffineMap map, ArrayRef<OpFoldResult> loopSizes) {
  if (map.getNumResults() != loopSizes.size())
    return false;
  for (auto [j, e] : llvm::enumerate(map.getResults())) {
    if (auto d = dyn_cast<AffineDimExpr>(e)) {
      if (d.getPosition() != j)
        return false;
      continue;
    }
    std::optional<int64_t> size = getConstantIntValue(loopSizes[j]);
    if (!size || *size != 1)
      return false;
  }
  return true;
}

LogicalResult lowerGrads(PatternRewriter &rewriter, Operation *op,
                         GradProblem &p, PointGradsFn fn) {
  Location loc = op->getLoc();
  MLIRContext *ctx = rewriter.getContext();
  unsigned rank = p.loopSizes.size();
  Type elTy = cast<RankedTensorType>(p.input.getType()).getElementType();
  Type acc = getAccumulatorType(elTy);

  // The reduction's scale of grad_output: 1/n for mean (n the points of the
  // `none` result), 1/N for batchmean (N the input's first dimension; a 0-d
  // input divides by 1, as PyTorch).
  Value scale;
  if (p.reduction == Reduction::mean)
    scale = numElementsAsFloat(rewriter, loc, p.loopSizes, acc);
  else if (p.reduction == Reduction::batchmean &&
           cast<RankedTensorType>(p.input.getType()).getRank() > 0)
    scale = numElementsAsFloat(
        rewriter, loc, {tensor::getMixedSize(rewriter, loc, p.input, 0)}, acc);
  if (scale)
    scale = arith::DivFOp::create(rewriter, loc,
                                  constFloat(rewriter, loc, acc, 1.0), scale);

  // grad_output: read per point for `none`, else one scalar for all points.
  SmallVector<LoopInput> reads = p.reads;
  bool pointwiseG = p.reduction == Reduction::none;
  Value g0;
  if (pointwiseG) {
    reads.push_back({p.gradOutput, identityMap(ctx, rank)});
  } else {
    g0 = castFloat(rewriter, loc, extractScalar(rewriter, loc, p.gradOutput),
                   acc);
    if (scale)
      g0 = arith::MulFOp::create(rewriter, loc, g0, scale);
  }
  assertConsistentLoopSizes(rewriter, loc, p.loopSizes, reads);

  SmallVector<Value> ins;
  SmallVector<AffineMap> inMaps;
  for (const LoopInput &in : reads) {
    ins.push_back(in.value);
    inMaps.push_back(in.map);
  }
  unsigned numReads = p.reads.size();
  // The point gradients from the scalars of `ins`.
  auto pointGrads = [&](OpBuilder &b, Location l, ValueRange args) {
    PointMath m{b, l};
    SmallVector<Value> wide;
    for (Value a : args.take_front(numReads))
      wide.push_back(promote(b, l, a, acc));
    Value g = pointwiseG ? castFloat(b, l, args[numReads], acc) : g0;
    return fn(m, wide, g);
  };

  SmallVector<Value> results(p.differentiated.size());

  // Every full-shape gradient from one parallel pass.
  SmallVector<unsigned> direct;
  for (auto [k, r] : llvm::enumerate(p.differentiated))
    if (isDirect(reads[r].map, p.loopSizes))
      direct.push_back(k);
  if (!direct.empty()) {
    SmallVector<Value> inits;
    SmallVector<AffineMap> maps = inMaps;
    for (unsigned k : direct) {
      Value v = reads[p.differentiated[k]].value;
      inits.push_back(tensor::EmptyOp::create(
          rewriter, loc, tensor::getMixedSizes(rewriter, loc, v), elTy));
      maps.push_back(identityMap(ctx, rank));
    }
    SmallVector<utils::IteratorType> iters(rank,
                                           utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange(ValueRange(inits)), ins, inits, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange args) {
          SmallVector<Value> grads = pointGrads(b, l, args.take_front(ins.size()));
          SmallVector<Value> yields;
          for (unsigned k : direct)
            yields.push_back(castFloat(b, l, grads[k], elTy));
          linalg::YieldOp::create(b, l, yields);
        });
    for (auto [i, k] : llvm::enumerate(direct))
      results[k] = generic.getResult(i);
  }

  // Each broadcast operand's gradient summed back to its shape.
  for (auto [k, r] : llvm::enumerate(p.differentiated)) {
    if (results[k])
      continue;
    Value v = reads[r].value;
    auto vTy = cast<RankedTensorType>(v.getType());
    AffineMap map = reads[r].map;
    auto grad = [&, k = k](OpBuilder &b, Location l, ValueRange args) {
      return pointGrads(b, l, args)[k];
    };
    // The operand's dims that the loops index (kept) and those it
    // broadcasts (read as constant 0, summed over).
    SmallVector<AffineExpr> keptExprs;
    SmallVector<OpFoldResult> keptSizes;
    SmallVector<ReassociationIndices> reassociation;
    SmallVector<bool> reduced(rank, true);
    for (auto [j, e] : llvm::enumerate(map.getResults())) {
      auto d = dyn_cast<AffineDimExpr>(e);
      if (!d)
        continue;
      keptExprs.push_back(d);
      keptSizes.push_back(tensor::getMixedSize(rewriter, loc, v, j));
      reduced[d.getPosition()] = false;
    }
    // Group each broadcast dim with the kept dim before it (leading ones
    // with the first kept dim).
    bool groupHasKept = false;
    for (int64_t j = 0, e = vTy.getRank(); j < e; ++j) {
      bool kept = isa<AffineDimExpr>(map.getResult(j));
      if (reassociation.empty() || (kept && groupHasKept)) {
        reassociation.emplace_back();
        groupHasKept = false;
      }
      reassociation.back().push_back(j);
      groupHasKept |= kept;
    }
    if (keptExprs.empty())
      reassociation.clear();

    Value sum;
    if (keptExprs.empty()) {
      // A single element: a full sum, accurate after block-sum-reductions.
      sum = buildReducedLoss(
          rewriter, loc, p.loopSizes, reads, Reduction::sum, elTy,
          [&](OpBuilder &b, Location l, ValueRange args) {
            return std::pair<Value, Value>(grad(b, l, args), Value());
          });
    } else {
      Value init = filledTensor(rewriter, loc, keptSizes, acc, 0.0);
      SmallVector<AffineMap> maps = inMaps;
      maps.push_back(AffineMap::get(rank, 0, keptExprs, ctx));
      SmallVector<utils::IteratorType> iters;
      for (bool red : reduced)
        iters.push_back(red ? utils::IteratorType::reduction
                            : utils::IteratorType::parallel);
      sum = linalg::GenericOp::create(
                rewriter, loc, init.getType(), ins, ValueRange{init}, maps,
                iters,
                [&](OpBuilder &b, Location l, ValueRange args) {
                  Value x = grad(b, l, args.drop_back());
                  linalg::YieldOp::create(
                      b, l, ValueRange{arith::AddFOp::create(
                                b, l, args.back(), x)});
                })
                .getResult(0);
      if (acc != elTy) {
        // Round the f32 sums once.
        unsigned keptRank = keptExprs.size();
        Value out = tensor::EmptyOp::create(rewriter, loc, keptSizes, elTy);
        sum = linalg::GenericOp::create(
                  rewriter, loc, out.getType(), ValueRange{sum},
                  ValueRange{out},
                  SmallVector<AffineMap>(2, identityMap(ctx, keptRank)),
                  SmallVector<utils::IteratorType>(
                      keptRank, utils::IteratorType::parallel),
                  [&](OpBuilder &b, Location l, ValueRange args) {
                    linalg::YieldOp::create(
                        b, l, ValueRange{castFloat(b, l, args[0], elTy)});
                  })
                  .getResult(0);
      }
    }
    if (vTy.getRank() != cast<RankedTensorType>(sum.getType()).getRank())
      sum = tensor::ExpandShapeOp::create(
          rewriter, loc, vTy, sum, reassociation,
          tensor::getMixedSizes(rewriter, loc, v));
    results[k] = sum;
  }

  replaceOpWithCasts(rewriter, op, results);
  return success();
}

/// How an operand read as `shape` broadcasts into the loops (NumPy rules).
AffineMap readMap(MLIRContext *ctx, ArrayRef<OpFoldResult> loopSizes,
                  ArrayRef<int64_t> shape) {
  return broadcastMap(ctx, loopSizes, shape);
}

LoopInput broadcastRead(Value v, ArrayRef<OpFoldResult> loopSizes) {
  auto ty = cast<RankedTensorType>(v.getType());
  return {v, readMap(v.getContext(), loopSizes, ty.getShape())};
}

/// input and target of one shape, optional weights broadcast to it.
GradProblem bceProblem(PatternRewriter &rewriter, Operation *op, Value input,
                       Value target, ArrayRef<Value> weights,
                       Value gradOutput, Reduction reduction) {
  GradProblem p;
  p.input = input;
  p.loopSizes = tensor::getMixedSizes(rewriter, op->getLoc(), input);
  unsigned rank = p.loopSizes.size();
  p.reads.push_back({input, identityMap(op->getContext(), rank)});
  p.reads.push_back({target, identityMap(op->getContext(), rank)});
  for (Value w : weights)
    if (w)
      p.reads.push_back(broadcastRead(w, p.loopSizes));
  p.differentiated = {0, 1};
  p.gradOutput = gradOutput;
  p.reduction = reduction;
  return p;
}

/// input and target that broadcast together; the target's gradient only
/// where `withTarget`.
GradProblem broadcastPairProblem(PatternRewriter &rewriter, Operation *op,
                                 Value input, Value target, bool withTarget,
                                 Value gradOutput, Reduction reduction) {
  GradProblem p;
  p.input = input;
  p.loopSizes = broadcastLoopSizes(rewriter, op->getLoc(), {input, target});
  p.reads = {broadcastRead(input, p.loopSizes),
             broadcastRead(target, p.loopSizes)};
  p.differentiated = {0};
  if (withTarget)
    p.differentiated.push_back(1);
  p.gradOutput = gradOutput;
  p.reduction = reduction;
  return p;
}

struct BceGradLowering : public OpRewritePattern<BceGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BceGradOp op,
                                PatternRewriter &rewriter) const override {
    GradProblem p = bceProblem(rewriter, op, op.getInput(), op.getTarget(),
                               {op.getWeight()}, op.getGradOutput(),
                               op.getReduction());
    bool weighted = static_cast<bool>(op.getWeight());
    return lowerGrads(
        rewriter, op, p,
        [&](PointMath &m, ArrayRef<Value> a, Value g) -> SmallVector<Value> {
          Value x = a[0], t = a[1];
          Value w = weighted ? a[2] : Value();
          Value one = m.c(x, 1.0);
          // ATen: g (x - t) / max((1 - x) x, 1e-12), then times w; its
          // 1e-12 is a float constant (9.99999996e-13), in f64 too.
          Value denom = m.max(m.mul(m.sub(one, x), x),
                              m.c(x, static_cast<double>(1e-12f)));
          Value gx = m.mulOpt(m.div(m.mul(g, m.sub(x, t)), denom), w);
          // ATen: -logit(x) w g, logit(x) = log(x / (1 - x)), unclamped.
          Value gt = m.mul(m.mulOpt(m.neg(m.log(m.div(x, m.sub(one, x)))), w),
                           g);
          return {gx, gt};
        });
  }
};

struct BceWithLogitsGradLowering
    : public OpRewritePattern<BceWithLogitsGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BceWithLogitsGradOp op,
                                PatternRewriter &rewriter) const override {
    GradProblem p = bceProblem(rewriter, op, op.getInput(), op.getTarget(),
                               {op.getWeight(), op.getPosWeight()},
                               op.getGradOutput(), op.getReduction());
    bool weighted = static_cast<bool>(op.getWeight());
    bool posWeighted = static_cast<bool>(op.getPosWeight());
    return lowerGrads(
        rewriter, op, p,
        [&](PointMath &m, ArrayRef<Value> a, Value g) -> SmallVector<Value> {
          unsigned i = 0;
          Value x = a[i++], t = a[i++];
          Value w = weighted ? a[i++] : Value();
          Value pw = posWeighted ? a[i++] : Value();
          Value one = m.c(x, 1.0);
          Value s = m.sigmoid(x);
          Value gx, gt;
          if (pw) {
            // ATen: ((pw t + 1 - t) s - pw t) g; target:
            // (log_sigmoid(-x) - pw log_sigmoid(x)) g
            //   = (pw softplus(-x) - softplus(x)) g.
            Value pwt = m.mul(pw, t);
            gx = m.mul(m.sub(m.mul(m.sub(m.add(pwt, one), t), s), pwt), g);
            Value spNeg = emitSoftplus(m.b, m.l, m.neg(x));
            Value spPos = emitSoftplus(m.b, m.l, x);
            gt = m.mul(m.sub(m.mul(pw, spNeg), spPos), g);
          } else {
            gx = m.mul(m.sub(s, t), g);
            gt = m.mul(m.neg(x), g);
          }
          return {m.mulOpt(gx, w), m.mulOpt(gt, w)};
        });
  }
};

struct PoissonNllGradLowering : public OpRewritePattern<PoissonNllGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PoissonNllGradOp op,
                                PatternRewriter &rewriter) const override {
    bool withTarget = static_cast<bool>(op.getGradTarget());
    GradProblem p = broadcastPairProblem(rewriter, op, op.getInput(),
                                         op.getTarget(), withTarget,
                                         op.getGradOutput(), op.getReduction());
    bool logInput = op.getLogInput(), full = op.getFull();
    double eps = op.getEps().convertToDouble();
    return lowerGrads(
        rewriter, op, p,
        [&](PointMath &m, ArrayRef<Value> a, Value g) -> SmallVector<Value> {
          Value x = a[0], t = a[1];
          Value gx, gt;
          if (logInput) {
            // exp(x) - t x.
            gx = m.sub(m.mul(g, m.exp(x)), m.mul(g, t));
            gt = m.neg(m.mul(g, x));
          } else {
            // x - t log(x + eps).
            Value xe = m.add(x, m.c(x, eps));
            gx = m.sub(g, m.div(m.mul(g, t), xe));
            gt = m.neg(m.mul(g, m.log(xe)));
          }
          if (!withTarget)
            return {gx};
          if (full) {
            // d/dt (t log t - t + 0.5 log(2 pi t)) = log t + 0.5 / t where
            // t > 1. Where t <= 1 the term is masked, and autograd's chain
            // through it leaves 0 * log t: 0, or NaN for t <= 0.
            Value logT = m.log(t);
            Value dStirling = m.add(logT, m.div(m.c(t, 0.5), t));
            Value masked = m.cmp(arith::CmpFPredicate::OLE, t, m.c(t, 1.0));
            Value ds = m.select(masked, m.mul(m.c(t, 0.0), logT), dStirling);
            gt = m.add(gt, m.mul(g, ds));
          }
          return {gx, gt};
        });
  }
};

struct GaussianNllGradLowering : public OpRewritePattern<GaussianNllGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GaussianNllGradOp op,
                                PatternRewriter &rewriter) const override {
    MLIRContext *ctx = rewriter.getContext();
    Location loc = op.getLoc();
    Value x = op.getInput(), t = op.getTarget(), var = op.getVar();
    auto inTy = op.getInput().getType();
    auto varTy = op.getVar().getType();
    // A var with the input's last dimension dropped is read as if that
    // dimension were 1 (PyTorch unsqueezes it); then input, target and var
    // broadcast together.
    SmallVector<int64_t> varShape(varTy.getShape());
    bool dropped = varTy.getRank() + 1 == inTy.getRank();
    if (dropped)
      varShape.push_back(1);
    SmallVector<ArrayRef<int64_t>> shapes{
        inTy.getShape(), cast<RankedTensorType>(t.getType()).getShape(),
        varShape};
    GradProblem p;
    p.input = x;
    p.loopSizes = broadcastLoopSizes(rewriter, loc, {x, t, var}, shapes);
    AffineMap varMap = readMap(ctx, p.loopSizes, varShape);
    if (dropped)
      varMap = varMap.dropResult(varMap.getNumResults() - 1);
    p.reads = {broadcastRead(x, p.loopSizes), broadcastRead(t, p.loopSizes),
               {var, varMap}};
    bool withTarget = static_cast<bool>(op.getGradTarget());
    p.differentiated = {0};
    if (withTarget)
      p.differentiated.push_back(1);
    p.differentiated.push_back(2);
    p.gradOutput = op.getGradOutput();
    p.reduction = op.getReduction();
    double eps = op.getEps().convertToDouble();
    return lowerGrads(
        rewriter, op, p,
        [&](PointMath &m, ArrayRef<Value> a, Value g) -> SmallVector<Value> {
          Value x = a[0], t = a[1];
          // PyTorch clamps var under no_grad: autograd differentiates
          // 0.5 (log v + d^2 / v) at v = max(var, eps), no mask.
          Value v = m.max(a[2], m.c(x, eps));
          Value d = m.sub(x, t);
          Value hg = m.mul(m.c(x, 0.5), g);
          // (0.5 g / v) 2 d, and 0.5 g (1 / v - d^2 / v^2).
          Value gx = m.mul(m.div(hg, v), m.mul(m.c(x, 2.0), d));
          Value gv = m.sub(m.div(hg, v), m.div(m.mul(hg, m.mul(d, d)),
                                               m.mul(v, v)));
          SmallVector<Value> out{gx};
          if (withTarget)
            out.push_back(m.neg(gx));
          out.push_back(gv);
          return out;
        });
  }
};

struct KlDivGradLowering : public OpRewritePattern<KlDivGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(KlDivGradOp op,
                                PatternRewriter &rewriter) const override {
    GradProblem p = broadcastPairProblem(rewriter, op, op.getInput(),
                                         op.getTarget(), /*withTarget=*/true,
                                         op.getGradOutput(), op.getReduction());
    bool logTarget = op.getLogTarget();
    return lowerGrads(
        rewriter, op, p,
        [&](PointMath &m, ArrayRef<Value> a, Value g) -> SmallVector<Value> {
          Value x = a[0], t = a[1];
          if (logTarget) {
            // exp(t) (t - x).
            Value e = m.exp(t);
            Value ge = m.mul(g, e);
            return {m.neg(ge), m.add(m.mul(m.mul(g, m.sub(t, x)), e), ge)};
          }
          // xlogy(t, t) - t x: xlogy's backward gives g xlogy(t != 0, t)
          // and g t / t (NaN at t = 0, as autograd), the product -g x.
          Value zero = m.c(t, 0.0);
          Value xlogy = m.select(m.cmp(arith::CmpFPredicate::UNE, t, zero),
                                 m.log(t), zero);
          Value gt = m.sub(m.add(m.mul(g, xlogy), m.div(m.mul(g, t), t)),
                           m.mul(g, x));
          return {m.neg(m.mul(g, t)), gt};
        });
  }
};

} // namespace

void mlir::loss::populateBinaryGradToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<BceGradLowering, BceWithLogitsGradLowering,
               PoissonNllGradLowering, GaussianNllGradLowering,
               KlDivGradLowering>(patterns.getContext());
}
