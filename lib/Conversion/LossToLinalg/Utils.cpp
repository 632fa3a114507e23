//===- Utils.cpp - Shared helpers of the loss lowerings -------------------===//

#include "Utils.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"

using namespace mlir;
using namespace mlir::loss;

Type mlir::loss::getAccumulatorType(Type elementType) {
  if (elementType.isF16() || elementType.isBF16())
    return Float32Type::get(elementType.getContext());
  return elementType;
}

Value mlir::loss::constFloat(OpBuilder &b, Location loc, Type ty,
                             double value) {
  return arith::ConstantOp::create(b, loc, ty, b.getFloatAttr(ty, value));
}

Value mlir::loss::constIndex(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

Value mlir::loss::constI64(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(value));
}

Value mlir::loss::toIndex(OpBuilder &b, Location loc, Value i64) {
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), i64);
}

Value mlir::loss::toI64FromIndex(OpBuilder &b, Location loc, Value index) {
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
}

Value mlir::loss::clampSI(OpBuilder &b, Location loc, Value v, Value lo,
                          Value hi) {
  return arith::MinSIOp::create(b, loc, arith::MaxSIOp::create(b, loc, v, lo),
                                hi);
}

Value mlir::loss::emitLogSumExp(OpBuilder &b, Location loc,
                                ArrayRef<Value> xs) {
  Type ty = xs.front().getType();
  Value m = xs.front();
  for (Value x : xs.drop_front())
    m = arith::MaximumFOp::create(b, loc, m, x);
  Value allNegInf = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, m,
                                          constFloat(b, loc, ty, -INFINITY));
  Value shift = arith::SelectOp::create(b, loc, allNegInf,
                                        constFloat(b, loc, ty, 0.0), m);
  Value sum;
  for (Value x : xs) {
    Value e =
        math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, x, shift));
    sum = sum ? arith::AddFOp::create(b, loc, sum, e).getResult() : e;
  }
  return arith::AddFOp::create(b, loc, shift, math::LogOp::create(b, loc, sum));
}

Value mlir::loss::castFloat(OpBuilder &b, Location loc, Value v, Type to) {
  auto from = cast<FloatType>(v.getType());
  auto toF = cast<FloatType>(to);
  if (from == toF)
    return v;
  if (from.getWidth() < toF.getWidth())
    return arith::ExtFOp::create(b, loc, to, v);
  return arith::TruncFOp::create(b, loc, to, v);
}

Value mlir::loss::toI64(OpBuilder &b, Location loc, Value v) {
  auto ty = cast<IntegerType>(v.getType());
  Type i64 = b.getI64Type();
  if (ty.getWidth() == 64)
    return v;
  if (ty.getWidth() == 1)
    return arith::ExtUIOp::create(b, loc, i64, v);
  if (ty.getWidth() < 64)
    return arith::ExtSIOp::create(b, loc, i64, v);
  // Wider than i64: saturate into i64 so huge values stay out of range.
  Value lo = arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(ty, APInt::getSignedMinValue(64).sext(
                                       ty.getWidth())));
  Value hi = arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(ty, APInt::getSignedMaxValue(64).sext(
                                       ty.getWidth())));
  Value clamped = arith::MinSIOp::create(
      b, loc, arith::MaxSIOp::create(b, loc, v, lo), hi);
  return arith::TruncIOp::create(b, loc, i64, clamped);
}

Value mlir::loss::emitLog1p(OpBuilder &b, Location loc, Value x) {
  Type ty = x.getType();
  Value one = constFloat(b, loc, ty, 1.0);
  Value u = arith::AddFOp::create(b, loc, one, x);
  Value um1 = arith::SubFOp::create(b, loc, u, one);
  Value logU = math::LogOp::create(b, loc, u);
  // log(u) * x / (u - 1) corrects the rounding of 1 + x.
  Value corrected = arith::DivFOp::create(
      b, loc, arith::MulFOp::create(b, loc, logU, x), um1);
  Value exact = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, u,
                                      one);
  // For u = +inf the correction is inf/inf; log(u) is right there.
  Value isInf = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, u,
                                      constFloat(b, loc, ty, INFINITY));
  Value r = arith::SelectOp::create(b, loc, isInf, logU, corrected);
  return arith::SelectOp::create(b, loc, exact, x, r);
}

Value mlir::loss::emitSoftplus(OpBuilder &b, Location loc, Value x) {
  Type ty = x.getType();
  Value zero = constFloat(b, loc, ty, 0.0);
  Value absX = math::AbsFOp::create(b, loc, x);
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, absX));
  return arith::AddFOp::create(b, loc, arith::MaximumFOp::create(b, loc, x, zero),
                               emitLog1p(b, loc, e));
}

Value mlir::loss::filledTensor(OpBuilder &b, Location loc,
                               ArrayRef<OpFoldResult> shape, Type elementType,
                               double value) {
  Value empty = tensor::EmptyOp::create(b, loc, shape, elementType);
  Value fill = constFloat(b, loc, elementType, value);
  return linalg::FillOp::create(b, loc, ValueRange{fill}, ValueRange{empty})
      .getResult(0);
}

Value mlir::loss::numElementsAsFloat(OpBuilder &b, Location loc,
                                     ArrayRef<OpFoldResult> shape, Type ty) {
  Value n = constIndex(b, loc, 1);
  for (OpFoldResult d : shape)
    n = arith::MulIOp::create(b, loc, n,
                              getValueOrCreateConstantIndexOp(b, loc, d));
  Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), n);
  return arith::SIToFPOp::create(b, loc, ty, i64);
}

Value mlir::loss::extractScalar(OpBuilder &b, Location loc, Value tensor0d) {
  return tensor::ExtractOp::create(b, loc, tensor0d, ValueRange{});
}

Value mlir::loss::reducePerSample(OpBuilder &b, Location loc, Value perSample,
                                  bool batched, OpFoldResult batchSize,
                                  Reduction reduction, Type elementType) {
  if (!batched) {
    Value v = tensor::ExtractOp::create(b, loc, perSample,
                                        ValueRange{constIndex(b, loc, 0)});
    return tensor::FromElementsOp::create(
        b, loc, RankedTensorType::get({}, elementType),
        ValueRange{castFloat(b, loc, v, elementType)});
  }
  auto ty = cast<RankedTensorType>(perSample.getType());
  if (reduction == Reduction::none && ty.getElementType() == elementType)
    return perSample;
  return buildReducedLoss(b, loc, ArrayRef{batchSize},
                          {{perSample, identityMap(b.getContext(), 1)}},
                          reduction, elementType,
                          [](OpBuilder &, Location, ValueRange a) {
                            return std::pair<Value, Value>(a[0], Value());
                          });
}

void mlir::loss::replaceOpWithCasts(PatternRewriter &rewriter, Operation *op,
                                    ValueRange values) {
  SmallVector<Value> results;
  for (auto [v, result] : llvm::zip_equal(values, op->getResults())) {
    Value r = v;
    if (r.getType() != result.getType())
      r = tensor::CastOp::create(rewriter, op->getLoc(), result.getType(), r);
    results.push_back(r);
  }
  rewriter.replaceOp(op, results);
}

AffineMap mlir::loss::identityMap(MLIRContext *ctx, unsigned rank) {
  return AffineMap::getMultiDimIdentityMap(rank, ctx);
}

AffineMap mlir::loss::broadcastMap(MLIRContext *ctx, unsigned rank,
                                   ArrayRef<int64_t> shape) {
  SmallVector<AffineExpr> exprs;
  unsigned offset = rank - shape.size();
  for (auto [i, d] : llvm::enumerate(shape))
    exprs.push_back(d == 1 ? getAffineConstantExpr(0, ctx)
                           : getAffineDimExpr(offset + i, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

void mlir::loss::assertConsistentLoopSizes(OpBuilder &b, Location loc,
                                           ArrayRef<OpFoldResult> sizes,
                                           ArrayRef<LoopInput> inputs) {
  llvm::DenseMap<unsigned, OpFoldResult> seen;
  for (auto [k, size] : llvm::enumerate(sizes))
    seen[k] = size;
  for (const LoopInput &in : inputs) {
    auto ty = cast<RankedTensorType>(in.value.getType());
    for (auto [j, expr] : llvm::enumerate(in.map.getResults())) {
      auto dim = dyn_cast<AffineDimExpr>(expr);
      if (!dim)
        continue;
      OpFoldResult size = tensor::getMixedSize(b, loc, in.value, j);
      auto [it, inserted] = seen.try_emplace(dim.getPosition(), size);
      if (inserted || (!ty.isDynamicDim(j) && getConstantIntValue(it->second)))
        continue;
      Value same = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::eq,
          getValueOrCreateConstantIndexOp(b, loc, it->second),
          getValueOrCreateConstantIndexOp(b, loc, size));
      cf::AssertOp::create(
          b, loc, same,
          "loss: operand dimensions differ at run time (the op's shape rules "
          "were checked statically only for static sizes)");
    }
  }
}

Value mlir::loss::buildReducedLoss(OpBuilder &b, Location loc,
                                   ArrayRef<OpFoldResult> shape,
                                   ArrayRef<LoopInput> inputs,
                                   Reduction reduction, Type elementType,
                                   PointLossFn pointLoss, bool weightedMean,
                                   Value meanDivisor) {
  MLIRContext *ctx = b.getContext();
  unsigned rank = shape.size();
  Type acc = getAccumulatorType(elementType);
  assertConsistentLoopSizes(b, loc, shape, inputs);
  SmallVector<Value> ins;
  SmallVector<AffineMap> maps;
  for (const LoopInput &in : inputs) {
    ins.push_back(in.value);
    maps.push_back(in.map);
  }

  if (reduction == Reduction::none) {
    Value init = tensor::EmptyOp::create(b, loc, shape, elementType);
    maps.push_back(identityMap(ctx, rank));
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        b, loc, init.getType(), ins, ValueRange{init}, maps, iters,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value l = pointLoss(nb, nl, args.drop_back()).first;
          linalg::YieldOp::create(nb, nl, castFloat(nb, nl, l, elementType));
        });
    return generic.getResult(0);
  }

  // sum/mean: one reduction over every loop into 0-d accumulators: the loss
  // sum and, for a weighted mean, the weight sum.
  auto scalarTy = RankedTensorType::get({}, acc);
  AffineMap scalarMap = AffineMap::get(rank, 0, {}, ctx);
  unsigned numAcc = weightedMean ? 2 : 1;
  SmallVector<Value> inits;
  for (unsigned i = 0; i < numAcc; ++i) {
    inits.push_back(filledTensor(b, loc, {}, acc, 0.0));
    maps.push_back(scalarMap);
  }
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      b, loc, SmallVector<Type>(numAcc, scalarTy), ins, inits, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        ValueRange accs = args.take_back(numAcc);
        auto [l, w] = pointLoss(nb, nl, args.drop_back(numAcc));
        SmallVector<Value> yields{arith::AddFOp::create(nb, nl, accs[0], l)};
        if (weightedMean)
          yields.push_back(arith::AddFOp::create(nb, nl, accs[1], w));
        linalg::YieldOp::create(nb, nl, yields);
      });
  Value total = extractScalar(b, loc, generic.getResult(0));
  if (reduction == Reduction::mean) {
    Value divisor = meanDivisor;
    if (!divisor)
      divisor = weightedMean ? extractScalar(b, loc, generic.getResult(1))
                             : numElementsAsFloat(b, loc, shape, acc);
    total = arith::DivFOp::create(b, loc, total, castFloat(b, loc, divisor, acc));
  }
  Value result = castFloat(b, loc, total, elementType);
  return tensor::FromElementsOp::create(
      b, loc, RankedTensorType::get({}, elementType), ValueRange{result});
}
