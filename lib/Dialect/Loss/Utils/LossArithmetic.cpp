//===- LossArithmetic.cpp - The scalar math of the loss lowerings ---------===//

#include "loss-mlir/Dialect/Loss/Utils/LossArithmetic.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loss;

//===----------------------------------------------------------------------===//
// Types, constants, casts
//===----------------------------------------------------------------------===//

Type mlir::loss::getAccumulatorType(Type elementType) {
  if (elementType.isF16() || elementType.isBF16())
    return Float32Type::get(elementType.getContext());
  return elementType;
}

/// A float attribute of `ty`, splat when `ty` is a vector.
static TypedAttr floatAttr(OpBuilder &b, Type ty, const APFloat &value) {
  if (auto vec = dyn_cast<VectorType>(ty))
    return SplatElementsAttr::get(
        vec, b.getFloatAttr(vec.getElementType(), value));
  return b.getFloatAttr(ty, value);
}

Value mlir::loss::constFloat(OpBuilder &b, Location loc, Type ty,
                             double value) {
  APFloat v(value);
  bool lost;
  v.convert(cast<FloatType>(getElementTypeOrSelf(ty)).getFloatSemantics(),
            APFloat::rmNearestTiesToEven, &lost);
  return arith::ConstantOp::create(b, loc, ty, floatAttr(b, ty, v));
}

Value mlir::loss::constLowest(OpBuilder &b, Location loc, Type ty) {
  auto fty = cast<FloatType>(getElementTypeOrSelf(ty));
  APFloat lowest = APFloat::getLargest(fty.getFloatSemantics(), true);
  return arith::ConstantOp::create(b, loc, ty, floatAttr(b, ty, lowest));
}

Value mlir::loss::splatLike(OpBuilder &b, Location loc, Value scalar,
                            Type like) {
  if (auto vec = dyn_cast<VectorType>(like))
    return vector::BroadcastOp::create(b, loc, vec, scalar);
  return scalar;
}

Value mlir::loss::constIndex(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

Value mlir::loss::constI64(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(value));
}

Value mlir::loss::castFloat(OpBuilder &b, Location loc, Value v, Type to) {
  if (auto vec = dyn_cast<VectorType>(v.getType())) {
    // A vector: to a vector of `to`'s element type.
    auto from = cast<FloatType>(vec.getElementType());
    auto elt = cast<FloatType>(getElementTypeOrSelf(to));
    if (from == elt)
      return v;
    auto dst = VectorType::get(vec.getShape(), elt);
    if (from.getWidth() < elt.getWidth())
      return arith::ExtFOp::create(b, loc, dst, v);
    return arith::TruncFOp::create(b, loc, dst, v);
  }
  assert(isa<FloatType>(v.getType()) && isa<FloatType>(to) &&
         "castFloat converts between float types");
  // extf to a wider type, truncf to a narrower one, nothing to the same.
  return convertScalarToDtype(b, loc, v, to, /*isUnsignedCast=*/false);
}

Value mlir::loss::toI64(OpBuilder &b, Location loc, Value v) {
  // Scalars or vectors of them.
  auto ty = cast<IntegerType>(getElementTypeOrSelf(v.getType()));
  auto vec = dyn_cast<VectorType>(v.getType());
  auto like = [&](Type elt) -> Type {
    return vec ? Type(VectorType::get(vec.getShape(), elt)) : elt;
  };
  Type i64 = like(b.getI64Type());
  if (ty.getWidth() == 64)
    return v;
  if (ty.getWidth() == 1)
    return arith::ExtUIOp::create(b, loc, i64, v);
  if (ty.getWidth() < 64)
    return arith::ExtSIOp::create(b, loc, i64, v);
  // Wider than i64: saturate into i64 so huge values stay out of range.
  auto bound = [&](const APInt &value) -> Value {
    TypedAttr attr = b.getIntegerAttr(ty, value.sext(ty.getWidth()));
    if (vec)
      attr = SplatElementsAttr::get(cast<ShapedType>(like(ty)), attr);
    return arith::ConstantOp::create(b, loc, attr);
  };
  Value lo = bound(APInt::getSignedMinValue(64));
  Value hi = bound(APInt::getSignedMaxValue(64));
  return arith::TruncIOp::create(b, loc, i64, clampSI(b, loc, v, lo, hi));
}

Value mlir::loss::toIndex(OpBuilder &b, Location loc, Value i64) {
  Type index = b.getIndexType();
  if (auto vec = dyn_cast<VectorType>(i64.getType()))
    index = VectorType::get(vec.getShape(), index);
  return arith::IndexCastOp::create(b, loc, index, i64);
}

Value mlir::loss::toI64FromIndex(OpBuilder &b, Location loc, Value index) {
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
}

Value mlir::loss::indexToFloat(OpBuilder &b, Location loc, Value index,
                               Type ty) {
  return arith::SIToFPOp::create(b, loc, ty, toI64FromIndex(b, loc, index));
}

Value mlir::loss::clampSI(OpBuilder &b, Location loc, Value v, Value lo,
                          Value hi) {
  return arith::MinSIOp::create(b, loc, arith::MaxSIOp::create(b, loc, v, lo),
                                hi);
}

//===----------------------------------------------------------------------===//
// Elementary functions
//===----------------------------------------------------------------------===//

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

Value mlir::loss::emitExpOfNonPositive(OpBuilder &b, Location loc, Value x) {
  Type ty = x.getType();
  if (!getElementTypeOrSelf(ty).isF32())
    return math::ExpOp::create(b, loc, x);
  // Cephes' expf: x = k ln 2 + r with |r| <= ln 2 / 2 (ln 2 split in two
  // parts so that k ln 2 is exact), exp(r) in [0.7, 1.5] by a degree-5
  // polynomial, times 2^k by adding k to its exponent bits. For x >= -86,
  // k >= -124 keeps that exponent normal; below, the result is 0 (whatever
  // the arithmetic gave there: no clamp needed). The comparison is false for
  // NaN, which propagates.
  auto c = [&](double v) { return constFloat(b, loc, ty, v); };
  Value tiny = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x,
                                     c(-86.0));
  Value k = math::FloorOp::create(
      b, loc, math::FmaOp::create(b, loc, x, c(1.44269504088896341), c(0.5)));
  Value r = math::FmaOp::create(b, loc, k, c(-0.693359375), x);
  r = math::FmaOp::create(b, loc, k, c(2.12194440e-4), r);
  Value p = c(1.9875691500e-4);
  for (double coeff : {1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2,
                       1.6666665459e-1, 5.0000001201e-1})
    p = math::FmaOp::create(b, loc, p, r, c(coeff));
  Value r2 = arith::MulFOp::create(b, loc, r, r);
  Value er = arith::AddFOp::create(
      b, loc, math::FmaOp::create(b, loc, p, r2, r), c(1.0));
  Type intTy = b.getI32Type();
  if (auto vec = dyn_cast<VectorType>(ty))
    intTy = VectorType::get(vec.getShape(), intTy);
  TypedAttr shiftAttr = b.getI32IntegerAttr(23);
  if (auto vec = dyn_cast<VectorType>(intTy))
    shiftAttr = SplatElementsAttr::get(vec, shiftAttr);
  Value kBits = arith::ShLIOp::create(
      b, loc, arith::FPToSIOp::create(b, loc, intTy, k),
      arith::ConstantOp::create(b, loc, intTy, shiftAttr));
  Value e = arith::BitcastOp::create(
      b, loc, ty,
      arith::AddIOp::create(b, loc,
                            arith::BitcastOp::create(b, loc, intTy, er),
                            kBits));
  return arith::SelectOp::create(b, loc, tiny, c(0.0), e);
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
  Value exact =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, u, one);
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
  return arith::AddFOp::create(
      b, loc, arith::MaximumFOp::create(b, loc, x, zero), emitLog1p(b, loc, e));
}

//===----------------------------------------------------------------------===//
// Class indices
//===----------------------------------------------------------------------===//

ClassIndex mlir::loss::emitClassIndex(OpBuilder &b, Location loc, Value t,
                                      Value numClasses) {
  // `t` may be a vector of i64 (a class per lane).
  Value zeroI = splatLike(b, loc, constI64(b, loc, 0), t.getType());
  numClasses = splatLike(b, loc, numClasses, t.getType());
  Value inRange = arith::AndIOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, t, zeroI),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, t, numClasses));
  Value safe =
      toIndex(b, loc, arith::SelectOp::create(b, loc, inRange, t, zeroI));
  return {inRange, safe};
}

Value ClassIndex::readOr(
    OpBuilder &b, Location loc, Value fallback,
    function_ref<Value(OpBuilder &, Location, Value)> read) const {
  auto ifOp = scf::IfOp::create(
      b, loc, inRange,
      [&](OpBuilder &tb, Location tl) {
        scf::YieldOp::create(tb, tl, read(tb, tl, safe));
      },
      [&](OpBuilder &eb, Location el) {
        scf::YieldOp::create(eb, el, fallback);
      });
  return ifOp.getResult(0);
}

Value mlir::loss::emitClassOutOfRange(OpBuilder &b, Location loc, Value t,
                                      Value numClasses) {
  return arith::OrIOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, t,
                            constI64(b, loc, 0)),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, t, numClasses));
}

//===----------------------------------------------------------------------===//
// Online softmax
//===----------------------------------------------------------------------===//

OnlineSoftmax OnlineSoftmax::get(OpBuilder &b, Location loc, Type acc,
                                 bool classTarget, bool streamTarget,
                                 bool weighted, bool probTarget,
                                 double smoothing,
                                 function_ref<Value()> numClasses) {
  OnlineSoftmax sm;
  sm.acc = acc;
  sm.weighted = weighted;
  sm.target = classTarget && streamTarget;
  sm.targetWeight = sm.target && weighted;
  sm.prob = probTarget;
  sm.shifted = probTarget || (classTarget && smoothing > 0.0);
  if (probTarget && smoothing > 0.0) {
    // Smoothed probabilities y' = (1 - e) y + e / C.
    sm.smoothScale = constFloat(b, loc, acc, 1.0 - smoothing);
    sm.smoothShift = emitSmoothingShare(b, loc, acc, smoothing, numClasses());
  }
  return sm;
}

SmallVector<double> OnlineSoftmax::initialValues() const {
  auto fty = cast<FloatType>(acc);
  SmallVector<double> v{
      APFloat::getLargest(fty.getFloatSemantics(), true).convertToDouble(),
      0.0};
  if (target) {
    v.push_back(NAN);
    if (targetWeight)
      v.push_back(0.0);
  }
  if (shifted) {
    v.push_back(0.0);
    v.push_back(0.0);
  }
  return v;
}

SmallVector<Value> OnlineSoftmax::initialState(OpBuilder &b,
                                               Location loc) const {
  SmallVector<double> values = initialValues();
  SmallVector<Value> state{constLowest(b, loc, acc)};
  for (double v : ArrayRef(values).drop_front())
    state.push_back(constFloat(b, loc, acc, v));
  return state;
}

SmallVector<Value> OnlineSoftmax::update(OpBuilder &b, Location loc,
                                         ValueRange state, Value x, Value t,
                                         Value c, Value w, Value y) const {
  unsigned i = 0;
  Value m = state[i++], s = state[i++];
  SmallVector<Value> out;
  // Online softmax with one exp per element: if x raises the max, rescale s
  // by exp(m - x) and add 1, else add exp(x - m).
  Value one = constFloat(b, loc, acc, 1.0);
  Value d = arith::SubFOp::create(b, loc, x, m);
  Value raises = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, d,
                                       constFloat(b, loc, acc, 0.0));
  Value e = math::ExpOp::create(
      b, loc, arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, d)));
  Value rescaled =
      arith::AddFOp::create(b, loc, arith::MulFOp::create(b, loc, s, e), one);
  Value added = arith::AddFOp::create(b, loc, s, e);
  out.push_back(arith::SelectOp::create(b, loc, raises, x, m));
  out.push_back(arith::SelectOp::create(b, loc, raises, rescaled, added));
  if (target) {
    SmallVector<Value> picked =
        pickTarget(b, loc, state[i], targetWeight ? state[i + 1] : Value(), x,
                   t, c, w);
    i += picked.size();
    llvm::append_range(out, picked);
  }
  if (shifted) {
    // o = w * y' (probabilities) or w (smoothing); when the max rises by d,
    // every earlier (x_c - m) term drops by d.
    Value sumD = state[i++], sumO = state[i++];
    Value o = factor(b, loc, w, y);
    Value dRaised = arith::SubFOp::create(
        b, loc, sumD, arith::MulFOp::create(b, loc, d, sumO));
    Value dKept = arith::AddFOp::create(
        b, loc, sumD, o ? arith::MulFOp::create(b, loc, o, d).getResult() : d);
    out.push_back(arith::SelectOp::create(b, loc, raises, dRaised, dKept));
    out.push_back(arith::AddFOp::create(b, loc, sumO, o ? o : one));
  }
  return out;
}

SmallVector<Value> OnlineSoftmax::rebase(OpBuilder &b, Location loc,
                                         ValueRange state, Value newMax) const {
  unsigned i = 0;
  Value m = state[i++], s = state[i++];
  Value d = arith::SubFOp::create(b, loc, m, newMax);
  SmallVector<Value> out{
      newMax, arith::MulFOp::create(b, loc, s, math::ExpOp::create(b, loc, d))};
  if (target) {
    out.push_back(state[i++]);
    if (targetWeight)
      out.push_back(state[i++]);
  }
  if (shifted) {
    Value sumD = state[i++], sumO = state[i++];
    // A state that has seen no factor keeps its D (no inf * 0 from an
    // untouched running max).
    Value noFactor =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, sumO,
                              constFloat(b, loc, sumO.getType(), 0.0));
    Value rebased = arith::AddFOp::create(
        b, loc, sumD, arith::MulFOp::create(b, loc, d, sumO));
    out.push_back(arith::SelectOp::create(b, loc, noFactor, sumD, rebased));
    out.push_back(sumO);
  }
  return out;
}

SmallVector<Value> OnlineSoftmax::addRebased(OpBuilder &b, Location loc,
                                             ValueRange state, Value x,
                                             Value w, Value y) const {
  assert(!target && "the target logit is read once per row, not folded");
  unsigned i = 0;
  Value m = state[i++], s = state[i++];
  Value d = arith::SubFOp::create(b, loc, x, m);
  // d <= 0 and the state's own max contributes 1 to s.
  SmallVector<Value> out{
      m, arith::AddFOp::create(b, loc, s, emitExpOfNonPositive(b, loc, d))};
  if (shifted) {
    Value sumD = state[i++], sumO = state[i++];
    Value o = factor(b, loc, w, y);
    out.push_back(arith::AddFOp::create(
        b, loc, sumD, o ? arith::MulFOp::create(b, loc, o, d).getResult() : d));
    out.push_back(arith::AddFOp::create(
        b, loc, sumO, o ? o : constFloat(b, loc, x.getType(), 1.0)));
  }
  return out;
}

SmallVector<Value> OnlineSoftmax::pickTarget(OpBuilder &b, Location loc,
                                             Value targetLogit,
                                             Value targetWeight, Value x,
                                             Value t, Value c, Value w) const {
  Value hit = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, c,
                                    toI64(b, loc, t));
  SmallVector<Value> out{
      arith::SelectOp::create(b, loc, hit, x, targetLogit)};
  if (targetWeight)
    out.push_back(arith::SelectOp::create(b, loc, hit, w, targetWeight));
  return out;
}

Value OnlineSoftmax::factor(OpBuilder &b, Location loc, Value w,
                            Value y) const {
  Value o = weighted ? w : Value();
  if (prob) {
    Value yp = y;
    if (smoothScale)
      yp = arith::AddFOp::create(
          b, loc,
          arith::MulFOp::create(b, loc, y,
                                splatLike(b, loc, smoothScale, y.getType())),
          splatLike(b, loc, smoothShift, y.getType()));
    o = o ? arith::MulFOp::create(b, loc, o, yp).getResult() : yp;
  }
  return o;
}

Value OnlineSoftmax::mergeMax(OpBuilder &b, Location loc, Value lhs,
                              Value rhs) const {
  Value m = arith::SelectOp::create(
      b, loc,
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, rhs, lhs), rhs,
      lhs);
  // The max of a NaN state is NaN: propagate it through the sum.
  return arith::SelectOp::create(
      b, loc,
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, rhs, rhs), rhs,
      m);
}

SmallVector<Value> OnlineSoftmax::combineRebased(OpBuilder &b, Location loc,
                                                 ValueRange lhs,
                                                 ValueRange rhs) const {
  unsigned i = 0;
  SmallVector<Value> out{lhs[i]};
  ++i;
  out.push_back(arith::AddFOp::create(b, loc, lhs[i], rhs[i]));
  ++i;
  if (target) {
    // Exactly one state saw the target; the others still hold NaN.
    Value missed = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO,
                                         rhs[i], rhs[i]);
    out.push_back(arith::SelectOp::create(b, loc, missed, lhs[i], rhs[i]));
    ++i;
    if (targetWeight) {
      out.push_back(arith::AddFOp::create(b, loc, lhs[i], rhs[i]));
      ++i;
    }
  }
  if (shifted) {
    out.push_back(arith::AddFOp::create(b, loc, lhs[i], rhs[i]));
    ++i;
    out.push_back(arith::AddFOp::create(b, loc, lhs[i], rhs[i]));
  }
  return out;
}

SmallVector<Value> OnlineSoftmax::merge(OpBuilder &b, Location loc,
                                        ValueRange lhs, ValueRange rhs) const {
  Value m = mergeMax(b, loc, lhs[0], rhs[0]);
  return combineRebased(b, loc, rebase(b, loc, lhs, m), rebase(b, loc, rhs, m));
}

Value mlir::loss::emitSmoothingShare(OpBuilder &b, Location loc, Type acc,
                                     double smoothing, Value numClasses) {
  return arith::DivFOp::create(b, loc, constFloat(b, loc, acc, smoothing),
                               numClasses);
}

Value mlir::loss::emitFactorTerm(OpBuilder &b, Location loc,
                                 const SoftmaxRow &row) {
  return arith::SubFOp::create(
      b, loc, arith::MulFOp::create(b, loc, row.factorSum, row.logSum),
      row.shiftedSum);
}

std::pair<Value, Value> mlir::loss::emitClassTargetRowLoss(
    OpBuilder &b, Location loc, const SoftmaxRow &row, Value t,
    double smoothing, Value share, int64_t ignoreIndex) {
  Type acc = row.max.getType();
  Value wt = row.targetWeight ? row.targetWeight : constFloat(b, loc, acc, 1.0);
  // (m - x_t) + log(s): subtracting the max first is exact.
  Value v = arith::MulFOp::create(
      b, loc, wt,
      arith::AddFOp::create(
          b, loc, arith::SubFOp::create(b, loc, row.max, row.targetLogit),
          row.logSum));
  if (smoothing > 0.0)
    v = arith::AddFOp::create(
        b, loc,
        arith::MulFOp::create(b, loc, v,
                              constFloat(b, loc, acc, 1.0 - smoothing)),
        arith::MulFOp::create(b, loc, emitFactorTerm(b, loc, row), share));
  Value ignored = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, t,
                                        constI64(b, loc, ignoreIndex));
  Value zero = constFloat(b, loc, acc, 0.0);
  return {arith::SelectOp::create(b, loc, ignored, zero, v),
          arith::SelectOp::create(b, loc, ignored, zero, wt)};
}

Value mlir::loss::emitLogSoftmaxElement(OpBuilder &b, Location loc, Value x,
                                        Value max, Value logSum) {
  return arith::SubFOp::create(b, loc, arith::SubFOp::create(b, loc, x, max),
                               logSum);
}

CrossEntropyGradRow mlir::loss::emitCrossEntropyGradRow(
    OpBuilder &b, Location loc, Value g, Value sumExp, double smoothing,
    Value share, Value factorSum, Value t, Value targetWeight,
    Value numClasses, int64_t ignoreIndex) {
  Type ty = g.getType();
  auto cst = [&](double v) { return constFloat(b, loc, ty, v); };
  auto mul = [&](Value x, Value y) {
    return arith::MulFOp::create(b, loc, x, y).getResult();
  };
  CrossEntropyGradRow row;
  row.smoothing = smoothing;
  if (!t) {
    // Probability targets: g (p O - w_c y'_c).
    row.share = share;
    row.expScale = arith::DivFOp::create(b, loc, mul(g, factorSum), sumExp);
    row.classScale = g;
    return row;
  }
  // Class targets: g ((1 - e) w_t (p - [c = t]) + share (p O - w_c)). An
  // ignored row is 0 (as ATen's, whose zero grad_output row meets the
  // softmax: NaN logits stay NaN); a target out of range makes it NaN.
  Value ignored = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::eq, t,
      splatLike(b, loc, constI64(b, loc, ignoreIndex), t.getType()));
  Value inRange = emitClassIndex(b, loc, t, numClasses).inRange;
  g = arith::SelectOp::create(
      b, loc, ignored, cst(0.0),
      arith::SelectOp::create(b, loc, inRange, g, cst(NAN)));
  Value wt = targetWeight ? targetWeight : cst(1.0);
  row.targetScale = mul(g, smoothing != 0.0 ? mul(cst(1.0 - smoothing), wt)
                                            : wt);
  Value perExp = row.targetScale;
  if (smoothing != 0.0) {
    row.classScale = mul(g, share);
    perExp = arith::AddFOp::create(b, loc, perExp,
                                   mul(row.classScale, factorSum));
  }
  row.expScale = arith::DivFOp::create(b, loc, perExp, sumExp);
  return row;
}

Value mlir::loss::emitCrossEntropyGradElement(OpBuilder &b, Location loc,
                                              const CrossEntropyGradRow &row,
                                              Value x, Value max, Value w,
                                              Value y, Value isTarget) {
  Value v = arith::MulFOp::create(
      b, loc, row.expScale,
      emitExpOfNonPositive(b, loc, arith::SubFOp::create(b, loc, x, max)));
  if (row.classScale) {
    Value term = row.classScale;
    if (y) {
      if (row.smoothing != 0.0)
        y = math::FmaOp::create(
            b, loc, y, constFloat(b, loc, y.getType(), 1.0 - row.smoothing),
            splatLike(b, loc, row.share, y.getType()));
      term = arith::MulFOp::create(b, loc, term, y);
    }
    if (w)
      term = arith::MulFOp::create(b, loc, term, w);
    v = arith::SubFOp::create(b, loc, v, term);
  }
  if (isTarget)
    v = arith::SelectOp::create(
        b, loc, isTarget, arith::SubFOp::create(b, loc, v, row.targetScale), v);
  return v;
}

Value mlir::loss::emitSoftmaxElement(OpBuilder &b, Location loc, Value x,
                                     Value max, Value sumExp) {
  Value e = math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, x, max));
  return arith::DivFOp::create(b, loc, e, sumExp);
}

//===----------------------------------------------------------------------===//
// CTC
//===----------------------------------------------------------------------===//

CtcBlank mlir::loss::emitCtcBlank(OpBuilder &b, Location loc, int64_t blank,
                                  Value numClasses) {
  Value blankI = constI64(b, loc, blank);
  Value bad = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, blankI,
                                    numClasses);
  Value index = toIndex(
      b, loc,
      arith::SelectOp::create(b, loc, bad, constI64(b, loc, 0), blankI));
  return {bad, index};
}

CtcLabel mlir::loss::emitCtcLabel(
    OpBuilder &b, Location loc, Value k,
    function_ref<Value(OpBuilder &, Location, Value)> labelAt) {
  Value zero = constIndex(b, loc, 0);
  Value hasPrev =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, k, zero);
  Value kPrev = arith::SelectOp::create(
      b, loc, hasPrev, arith::SubIOp::create(b, loc, k, constIndex(b, loc, 1)),
      zero);
  Value label = labelAt(b, loc, k);
  Value labelPrev = labelAt(b, loc, kPrev);
  Value canSkip = arith::AndIOp::create(
      b, loc, hasPrev,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, label,
                            labelPrev));
  return {label, hasPrev, canSkip};
}

Value mlir::loss::emitCtcClassIndex(OpBuilder &b, Location loc, Value label,
                                    Value numClassesMinus1) {
  return toIndex(b, loc,
                 clampSI(b, loc, label, constI64(b, loc, 0), numClassesMinus1));
}

Value mlir::loss::emitCtcInitialAlpha(OpBuilder &b, Location loc, Type acc,
                                      Value s) {
  Value isStart = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, s,
                                        constIndex(b, loc, 0));
  return arith::SelectOp::create(b, loc, isStart, constFloat(b, loc, acc, 0.0),
                                 constFloat(b, loc, acc, -INFINITY));
}

Value mlir::loss::emitCtcAlphaStep(OpBuilder &b, Location loc, Value emission,
                                   Value self, Value prev, Value skip,
                                   Value canSkip) {
  if (!prev)
    return arith::AddFOp::create(b, loc, emission, self);
  SmallVector<Value> terms{self, prev};
  if (skip)
    terms.push_back(arith::SelectOp::create(
        b, loc, canSkip, skip, constFloat(b, loc, self.getType(), -INFINITY)));
  return arith::AddFOp::create(b, loc, emission, emitLogSumExp(b, loc, terms));
}

Value mlir::loss::emitCtcSampleLoss(
    OpBuilder &b, Location loc, Type acc, Value numLabels,
    function_ref<Value(OpBuilder &, Location, Value)> alphaAt, Value bad,
    bool zeroInfinity, Value meanLength) {
  Value c0 = constIndex(b, loc, 0), c1 = constIndex(b, loc, 1);
  Value last = arith::MulIOp::create(b, loc, numLabels, constIndex(b, loc, 2));
  Value hasLabels =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, numLabels, c0);
  Value lastLabel = arith::SelectOp::create(
      b, loc, hasLabels, arith::SubIOp::create(b, loc, last, c1), c0);
  Value aLast = alphaAt(b, loc, last);
  Value aLabel =
      arith::SelectOp::create(b, loc, hasLabels, alphaAt(b, loc, lastLabel),
                              constFloat(b, loc, acc, -INFINITY));
  // 0 - lse (not negf): an empty alignment gives +0.
  Value loss = arith::SubFOp::create(b, loc, constFloat(b, loc, acc, 0.0),
                                     emitLogSumExp(b, loc, {aLast, aLabel}));
  loss =
      arith::SelectOp::create(b, loc, bad, constFloat(b, loc, acc, NAN), loss);
  if (zeroInfinity) {
    Value isInf = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, loss,
                                        constFloat(b, loc, acc, INFINITY));
    loss = arith::SelectOp::create(b, loc, isInf, constFloat(b, loc, acc, 0.0),
                                   loss);
  }
  if (meanLength) {
    Value denom = arith::SIToFPOp::create(
        b, loc, acc,
        arith::MaxSIOp::create(b, loc, meanLength, constI64(b, loc, 1)));
    loss = arith::DivFOp::create(b, loc, loss, denom);
  }
  return loss;
}

//===----------------------------------------------------------------------===//
// CTC backward
//===----------------------------------------------------------------------===//

Type mlir::loss::getCtcGradAccumulatorType(Type elementType) {
  if (elementType.isF32())
    return Float64Type::get(elementType.getContext());
  return getAccumulatorType(elementType);
}

Value mlir::loss::emitCtcInitialBeta(OpBuilder &b, Location loc, Type acc,
                                     Value s, Value last) {
  Value isEnd =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, s, last);
  return arith::SelectOp::create(b, loc, isEnd, constFloat(b, loc, acc, 0.0),
                                 constFloat(b, loc, acc, -INFINITY));
}

CtcLabel mlir::loss::emitCtcBetaLabel(
    OpBuilder &b, Location loc, Value k, Value numLabels,
    function_ref<Value(OpBuilder &, Location, Value)> labelAt) {
  Value kNext = arith::AddIOp::create(b, loc, k, constIndex(b, loc, 1));
  Value hasNext = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                        kNext, numLabels);
  Value kRead = arith::SelectOp::create(b, loc, hasNext, kNext, k);
  Value label = labelAt(b, loc, k);
  Value labelNext = labelAt(b, loc, kRead);
  Value canSkip = arith::AndIOp::create(
      b, loc, hasNext,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, label,
                            labelNext));
  return {label, hasNext, canSkip};
}

Value mlir::loss::emitCtcBetaStep(OpBuilder &b, Location loc, Value emission,
                                  Value self, Value next, Value skip,
                                  Value canSkip) {
  // The same arithmetic as the alpha step, over the mirrored neighbours.
  return emitCtcAlphaStep(b, loc, emission, self, next, skip, canSkip);
}

Value mlir::loss::emitCtcAccumulateAlphaBeta(OpBuilder &b, Location loc,
                                             Value sum, Value alpha,
                                             Value beta) {
  return emitLogSumExp(b, loc,
                       {sum, arith::AddFOp::create(b, loc, alpha, beta)});
}

Value mlir::loss::emitCtcGradScale(OpBuilder &b, Location loc,
                                   Value gradOutput, Value batchSize,
                                   Value meanLength) {
  if (!meanLength)
    return gradOutput;
  Type acc = gradOutput.getType();
  Value v = arith::DivFOp::create(b, loc, gradOutput,
                                  indexToFloat(b, loc, batchSize, acc));
  Value denom = arith::SIToFPOp::create(
      b, loc, acc,
      arith::MaxSIOp::create(b, loc, meanLength, constI64(b, loc, 1)));
  return arith::DivFOp::create(b, loc, v, denom);
}

Value mlir::loss::emitCtcGradElement(OpBuilder &b, Location loc, Value lp,
                                     Value logAlphaBeta, Value nll,
                                     Value scale, bool zeroInfinity) {
  Type acc = lp.getType();
  Value e = math::ExpOp::create(
      b, loc,
      arith::SubFOp::create(b, loc,
                            arith::AddFOp::create(b, loc, logAlphaBeta, nll),
                            lp));
  Value v = arith::MulFOp::create(
      b, loc,
      arith::SubFOp::create(b, loc, math::ExpOp::create(b, loc, lp), e),
      scale);
  if (!zeroInfinity)
    return v;
  Value isInf = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, nll,
                                      constFloat(b, loc, acc, INFINITY));
  return arith::SelectOp::create(b, loc, isInf, constFloat(b, loc, acc, 0.0),
                                 v);
}

//===----------------------------------------------------------------------===//
// p-norms
//===----------------------------------------------------------------------===//

mlir::loss::PNorm::PNorm(double p)
    : kind(p == 1.0        ? One
           : p == 2.0      ? Two
           : std::isinf(p) ? Inf
                           : Other),
      p(p) {}

void mlir::loss::PNorm::appendInits(OpBuilder &b, Location loc, Type acc,
                                    SmallVectorImpl<Value> &inits) const {
  for (unsigned i = 0; i < numState(); ++i)
    inits.push_back(constFloat(b, loc, acc, 0.0));
}

void mlir::loss::PNorm::step(OpBuilder &b, Location loc, Value v,
                             ValueRange state,
                             SmallVectorImpl<Value> &yields) const {
  Type ty = v.getType();
  Value a = math::AbsFOp::create(b, loc, v);
  if (kind == One) {
    yields.push_back(arith::AddFOp::create(b, loc, state[0], a));
    return;
  }
  if (kind == Inf) {
    yields.push_back(arith::MaximumFOp::create(b, loc, state[0], a));
    return;
  }
  Value m = state[0], s = state[1];
  Value one = constFloat(b, loc, ty, 1.0);
  Value hi = arith::MaximumFOp::create(b, loc, a, m);
  Value lo = arith::MinimumFOp::create(b, loc, a, m);
  Value same = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, lo, hi);
  Value ratio = arith::SelectOp::create(b, loc, same, one,
                                        arith::DivFOp::create(b, loc, lo, hi));
  Value q = kind == Two
                ? arith::MulFOp::create(b, loc, ratio, ratio).getResult()
                : math::PowFOp::create(b, loc, ratio, constFloat(b, loc, ty, p))
                      .getResult();
  Value raises = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, a, m);
  Value sRaised =
      arith::AddFOp::create(b, loc, arith::MulFOp::create(b, loc, s, q), one);
  Value sKept = arith::AddFOp::create(b, loc, s, q);
  yields.push_back(arith::SelectOp::create(b, loc, raises, a, m));
  yields.push_back(arith::SelectOp::create(b, loc, raises, sRaised, sKept));
}

Value mlir::loss::PNorm::finish(OpBuilder &b, Location loc,
                                ValueRange state) const {
  if (!scaled())
    return state[0];
  Value m = state[0], s = state[1];
  Type ty = m.getType();
  Value root =
      kind == Two
          ? math::SqrtOp::create(b, loc, s).getResult()
          : math::PowFOp::create(b, loc, s, constFloat(b, loc, ty, 1.0 / p))
                .getResult();
  return arith::MulFOp::create(b, loc, m, root);
}
