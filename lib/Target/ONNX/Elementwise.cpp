//===- Elementwise.cpp - Elementwise ONNX ops -----------------------------===//
//
// Unary math, binary and variadic arithmetic, comparisons, Where, Cast and
// Clip as linalg.generic ops over NumPy-broadcast operands (static shapes).
// Before version 7 (8 for Max/Min) binary ops broadcast only with the
// legacy `broadcast`/`axis` attributes; Cast-1 names its target type;
// Clip before 11 has `min`/`max` attributes.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace mlir::loss;
using namespace mlir::loss::onnx_import;

namespace {

/// Integer Div: ONNX's truncating division, except that `x / 0` is 0 and
/// `INT_MIN / -1` is INT_MIN (two's complement wrap-around): NumPy's values
/// (`np.floor_divide` gives 0 and wraps too), where ONNX leaves them
/// undefined and ONNX Runtime's kernel traps. The divisor is made safe (1)
/// first, so the compiled code never divides by zero or overflows
/// (`arith.divsi` is undefined behaviour there: SIGFPE on x86).
Value safeDivSI(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  Type t = lhs.getType();
  unsigned width = t.getIntOrFloatBitWidth();
  auto cst = [&](const APInt &v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getIntegerAttr(t, v));
  };
  Value zero = cst(APInt::getZero(width));
  Value one = cst(APInt(width, 1));
  Value isZero =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, rhs, zero);
  Value overflows = arith::AndIOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lhs,
                            cst(APInt::getSignedMinValue(width))),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, rhs,
                            cst(APInt::getAllOnes(width))));
  Value safe = arith::SelectOp::create(
      b, loc, arith::OrIOp::create(b, loc, isZero, overflows), one, rhs);
  Value q = arith::DivSIOp::create(b, loc, lhs, safe);
  return arith::SelectOp::create(b, loc, isZero, zero, q);
}

Value intOrFloat(OpBuilder &b, Location loc, Value lhs, Value rhs,
                 StringRef op) {
  bool f = isa<FloatType>(lhs.getType());
  if (op == "Add")
    return f ? (Value)arith::AddFOp::create(b, loc, lhs, rhs)
             : (Value)arith::AddIOp::create(b, loc, lhs, rhs);
  if (op == "Sub")
    return f ? (Value)arith::SubFOp::create(b, loc, lhs, rhs)
             : (Value)arith::SubIOp::create(b, loc, lhs, rhs);
  if (op == "Mul")
    return f ? (Value)arith::MulFOp::create(b, loc, lhs, rhs)
             : (Value)arith::MulIOp::create(b, loc, lhs, rhs);
  if (op == "Div")
    return f ? (Value)arith::DivFOp::create(b, loc, lhs, rhs)
             : safeDivSI(b, loc, lhs, rhs);
  if (op == "Max")
    return f ? (Value)arith::MaximumFOp::create(b, loc, lhs, rhs)
             : (Value)arith::MaxSIOp::create(b, loc, lhs, rhs);
  // Min
  return f ? (Value)arith::MinimumFOp::create(b, loc, lhs, rhs)
           : (Value)arith::MinSIOp::create(b, loc, lhs, rhs);
}

/// Before `numpySince`, the `broadcast`/`axis` attributes: without
/// broadcast=1, operands of equal shape; with it, B broadcast to A
/// (unidirectional) with B's dimensions starting at A's `axis` (default: A's
/// trailing dimensions, as NumPy aligns them). B is then reshaped with
/// trailing 1s so that NumPy broadcasting aligns it there. Since, nothing to
/// do here.
LogicalResult legacyBroadcast(NodeImporter &n, SmallVectorImpl<Value> &operands,
                              int numpySince) {
  if (n.version >= numpySince)
    return success();
  auto shapeOf = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  };
  if (!n.intAttr("broadcast", 0)) {
    for (Value v : operands)
      if (shapeOf(v) != shapeOf(operands[0]))
        return n.error()
               << n.opType() << "-" << n.version
               << " without broadcast=1 needs operands of equal shape "
                  "(NumPy broadcasting starts with "
               << n.opType() << "-" << numpySince << ")";
    return success();
  }
  ArrayRef<int64_t> a = shapeOf(operands[0]), bs = shapeOf(operands[1]);
  int64_t rankA = a.size(), rankB = bs.size();
  if (rankB > rankA)
    return n.error() << "B has a higher rank than A";
  int64_t axis = rankA - rankB;
  if (const auto *ax = n.attr("axis")) {
    axis = ax->i() < 0 ? ax->i() + rankA : ax->i();
    if (axis < 0 || axis > rankA - rankB)
      return n.error() << "axis " << ax->i() << " does not place B (rank "
                       << rankB << ") inside A (rank " << rankA << ")";
  }
  for (int64_t i = 0; i < rankB; ++i)
    if (bs[i] != 1 && bs[i] != a[axis + i])
      return n.error() << "B does not broadcast to A";
  if (axis == rankA - rankB)
    return success();
  SmallVector<int64_t> shape(bs);
  shape.append(rankA - axis - rankB, 1);
  FailureOr<Value> b = n.reshape(operands[1], shape);
  if (failed(b))
    return failure();
  operands[1] = *b;
  return success();
}

/// Abs, Neg, Exp, Log, Sqrt, Sigmoid, Relu.
LogicalResult importUnary(NodeImporter &n) {
  StringRef type = n.opType();
  FailureOr<Value> x = n.requireInput(0);
  if (failed(x))
    return failure();
  Type el = elementType(*x);
  bool f = isa<FloatType>(el);
  if (!f && type != "Abs" && type != "Neg" && type != "Relu")
    return n.error() << "expects a float tensor";
  return n.defineResult(n.elementwise(
      {*x}, el, [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Value v = a[0];
        Value zero = f ? (Value)arith::ConstantOp::create(
                             nb, nl, nb.getFloatAttr(el, 0.0))
                       : (Value)arith::ConstantOp::create(
                             nb, nl, nb.getIntegerAttr(el, 0));
        if (type == "Abs")
          return f ? (Value)math::AbsFOp::create(nb, nl, v)
                   : (Value)math::AbsIOp::create(nb, nl, v);
        if (type == "Neg")
          return f ? (Value)arith::NegFOp::create(nb, nl, v)
                   : (Value)arith::SubIOp::create(nb, nl, zero, v);
        if (type == "Relu")
          return f ? (Value)arith::MaximumFOp::create(nb, nl, v, zero)
                   : (Value)arith::MaxSIOp::create(nb, nl, v, zero);
        if (type == "Exp")
          return math::ExpOp::create(nb, nl, v);
        if (type == "Log")
          return math::LogOp::create(nb, nl, v);
        if (type == "Sqrt")
          return math::SqrtOp::create(nb, nl, v);
        // Sigmoid without overflow: e = exp(-|x|);
        // x >= 0 ? 1 / (1 + e) : e / (1 + e).
        Value one = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(el, 1.0));
        Value e = math::ExpOp::create(
            nb, nl,
            arith::NegFOp::create(nb, nl, math::AbsFOp::create(nb, nl, v)));
        Value den = arith::AddFOp::create(nb, nl, one, e);
        Value pos = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGE,
                                          v, zero);
        return arith::DivFOp::create(
            nb, nl, arith::SelectOp::create(nb, nl, pos, one, e), den);
      }));
}

/// Add, Sub, Mul, Div (binary), Max, Min (variadic).
LogicalResult importArithmetic(NodeImporter &n) {
  StringRef type = n.opType();
  SmallVector<Value> xs;
  if (failed(n.allInputs(xs)))
    return failure();
  if (xs.empty())
    return n.error() << "needs at least one input";
  Type el = elementType(xs[0]);
  for (Value v : xs)
    if (elementType(v) != el)
      return n.error() << "operands have different element types";
  if (failed(legacyBroadcast(n, xs, type == "Max" || type == "Min" ? 8 : 7)))
    return failure();
  Value acc = xs[0];
  for (size_t i = 1; i < xs.size(); ++i) {
    FailureOr<Value> r = n.elementwise(
        {acc, xs[i]}, el, [&](OpBuilder &nb, Location nl, ValueRange a) {
          return intOrFloat(nb, nl, a[0], a[1], type);
        });
    if (failed(r))
      return failure();
    acc = *r;
  }
  n.define(0, acc);
  return success();
}

LogicalResult importPow(NodeImporter &n) {
  FailureOr<Value> x = n.requireInput(0), y = n.requireInput(1);
  if (failed(x) || failed(y))
    return failure();
  Type el = elementType(*x);
  if (!isa<FloatType>(el))
    return n.error() << "integer bases are not supported";
  SmallVector<Value> xy{*x, *y};
  if (failed(legacyBroadcast(n, xy, 7)))
    return failure();
  return n.defineResult(n.elementwise(
      xy, el, [&](OpBuilder &nb, Location nl, ValueRange a) {
        return math::PowFOp::create(nb, nl, a[0], castScalar(nb, nl, a[1], el));
      }));
}

/// Equal, Greater, Less.
LogicalResult importCompare(NodeImporter &n) {
  StringRef type = n.opType();
  FailureOr<Value> x = n.requireInput(0), y = n.requireInput(1);
  if (failed(x) || failed(y))
    return failure();
  if (elementType(*x) != elementType(*y))
    return n.error() << "operands have different element types";
  SmallVector<Value> xy{*x, *y};
  if (failed(legacyBroadcast(n, xy, 7)))
    return failure();
  bool f = isa<FloatType>(elementType(*x));
  return n.defineResult(n.elementwise(
      xy, n.b.getI1Type(),
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        if (f) {
          auto p = type == "Equal"     ? arith::CmpFPredicate::OEQ
                   : type == "Greater" ? arith::CmpFPredicate::OGT
                                       : arith::CmpFPredicate::OLT;
          return arith::CmpFOp::create(nb, nl, p, a[0], a[1]);
        }
        auto p = type == "Equal"     ? arith::CmpIPredicate::eq
                 : type == "Greater" ? arith::CmpIPredicate::sgt
                                     : arith::CmpIPredicate::slt;
        return arith::CmpIOp::create(nb, nl, p, a[0], a[1]);
      }));
}

LogicalResult importWhere(NodeImporter &n) {
  SmallVector<Value> xs;
  if (failed(n.allInputs(xs)))
    return failure();
  if (xs.size() != 3 || !elementType(xs[0]).isInteger(1))
    return n.error() << "expects a bool condition and two values";
  return n.defineResult(n.elementwise(
      xs, elementType(xs[1]),
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        return arith::SelectOp::create(nb, nl, a[0], a[1], a[2]);
      }));
}

/// Cast; `toIsName` (Cast-1): `to` is a string.
LogicalResult importCast(NodeImporter &n, bool toIsName) {
  FailureOr<Value> x = n.requireInput(0);
  if (failed(x))
    return failure();
  int64_t toCode = n.intAttr("to", 0);
  if (toIsName) {
    // Cast-1: `to` names the type ("FLOAT", "INT64", ...).
    onnx::TensorProto::DataType dt;
    std::string name = n.stringAttr("to", "");
    if (!onnx::TensorProto::DataType_Parse(name, &dt))
      return n.error() << "unknown target type '" << name << "'";
    toCode = dt;
  }
  Type to = convertElementType(n.ctx, toCode);
  if (!to)
    return n.error() << "unsupported target type " << toCode;
  FailureOr<Value> r = n.elementwise(
      {*x}, to, [&](OpBuilder &nb, Location nl, ValueRange a) {
        return castScalar(nb, nl, a[0], to);
      });
  if (failed(r))
    return failure();
  n.define(0, *r);
  // Integer casts of known shapes stay known.
  if (DenseElementsAttr known = n.knownInput(0);
      known && isa<IntegerType>(to) &&
      isa<IntegerType>(known.getElementType()) && !to.isInteger(1)) {
    SmallVector<APInt> v;
    for (const APInt &x : known.getValues<APInt>())
      v.push_back(x.sextOrTrunc(to.getIntOrFloatBitWidth()));
    n.defineConst(DenseElementsAttr::get(
        RankedTensorType::get(known.getType().getShape(), to), v));
  }
  return success();
}

/// `x` clamped to [lo, hi], either bound null for none.
LogicalResult importClipOf(NodeImporter &n, Value x, Value lo, Value hi) {
  Type el = elementType(x);
  SmallVector<Value> xs{x};
  if (lo)
    xs.push_back(lo);
  if (hi)
    xs.push_back(hi);
  bool f = isa<FloatType>(el);
  return n.defineResult(n.elementwise(
      xs, el, [&](OpBuilder &nb, Location nl, ValueRange a) {
        Value v = a[0];
        unsigned i = 1;
        if (lo)
          v = f ? (Value)arith::MaximumFOp::create(nb, nl, v, a[i++])
                : (Value)arith::MaxSIOp::create(nb, nl, v, a[i++]);
        if (hi)
          v = f ? (Value)arith::MinimumFOp::create(nb, nl, v, a[i++])
                : (Value)arith::MinSIOp::create(nb, nl, v, a[i++]);
        return v;
      }));
}

/// Clip-1 and Clip-6: `min`/`max` float attributes (absent: no bound).
LogicalResult importClipAttrs(NodeImporter &n) {
  FailureOr<Value> x = n.requireInput(0);
  if (failed(x))
    return failure();
  Type el = elementType(*x);
  if (n.node.input_size() > 1)
    return n.error() << "Clip-" << n.version
                     << " takes one input (min/max are attributes)";
  if (!isa<FloatType>(el))
    return n.error() << "Clip-" << n.version << " expects a float tensor";
  auto bound = [&](StringRef name) -> Value {
    const auto *a = n.attr(name);
    if (!a)
      return {};
    return n.constant(DenseElementsAttr::get(
        RankedTensorType::get({}, el),
        ArrayRef<Attribute>{n.b.getFloatAttr(el, (double)a->f())}));
  };
  Value lo = bound("min");
  Value hi = bound("max");
  return importClipOf(n, *x, lo, hi);
}

/// Clip since 11: `min`/`max` inputs (absent: no bound).
LogicalResult importClipInputs(NodeImporter &n) {
  FailureOr<Value> x = n.requireInput(0);
  if (failed(x))
    return failure();
  Value lo = n.input(1);
  Value hi = n.input(2);
  if ((n.hasInput(1) && !lo) || (n.hasInput(2) && !hi))
    return n.error() << "min/max input is not defined";
  return importClipOf(n, *x, lo, hi);
}

} // namespace

void onnx_import::populateElementwiseHandlers(OpRegistry &r) {
  // Before 7, `broadcast`/`axis` attributes (unidirectional); since 7,
  // NumPy broadcasting.
  r.onOps({"Add", "Sub", "Mul", "Div"}, {1, 6, 7, 13, 14}, importArithmetic);
  r.onOp("Pow", {1, 7, 12, 13, 15}, importPow);
  r.onOp("Equal", {1, 7, 11, 13, 19}, importCompare);
  r.onOps({"Greater", "Less"}, {1, 7, 9, 13}, importCompare);
  // Before 8, no broadcasting.
  r.onOps({"Max", "Min"}, {1, 6, 8, 12, 13}, importArithmetic);
  r.onOps({"Abs", "Neg", "Exp", "Log", "Sqrt", "Sigmoid"}, {1, 6, 13},
          importUnary);
  r.onOp("Relu", {1, 6, 13, 14}, importUnary);
  // Before 6, `to` is a string.
  r.onOp("Cast", {1},
         [](NodeImporter &n) { return importCast(n, /*toIsName=*/true); });
  r.onOp("Cast", {6, 9, 13, 19, 21},
         [](NodeImporter &n) { return importCast(n, /*toIsName=*/false); });
  // Before 11, `min`/`max` attributes; since 11, inputs.
  r.onOp("Clip", {1, 6}, importClipAttrs);
  r.onOp("Clip", {11, 12, 13}, importClipInputs);
  r.onOp("Where", {9, 16}, importWhere);
}
