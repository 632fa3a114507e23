//===- Reductions.cpp - ReduceSum, ReduceMean, ReduceMax ------------------===//
//
// Reductions over `axes` (none: every axis) as a linalg.generic, with
// `keepdims` as a reshape. Where `axes` moved from an attribute to an input
// (ReduceSum-13, ReduceMean-18, ReduceMax-18), each side has an entry of its
// own; ReduceMax-20 also takes bools.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::loss;
using namespace mlir::loss::onnx_import;

namespace {

/// A reduction (`kind`: "sum", "mean" or "max") of `v` over `axes`.
FailureOr<Value> reduce(NodeImporter &n, Value v, SmallVector<int64_t> axes,
                        bool keepDims, StringRef kind) {
  OpBuilder &b = n.b;
  MLIRContext *ctx = n.ctx;
  Location loc = n.loc;
  auto ty = cast<RankedTensorType>(v.getType());
  int64_t rank = ty.getRank();
  Type el = ty.getElementType();
  llvm::SmallBitVector reduced(rank);
  if (axes.empty())
    reduced.set();
  for (int64_t a : axes) {
    FailureOr<int64_t> ax = n.normalizeAxis(a, rank);
    if (failed(ax))
      return failure();
    reduced.set(*ax);
  }
  SmallVector<int64_t> outShape, keptShape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  int64_t count = 1;
  for (int64_t i = 0; i < rank; ++i) {
    if (reduced.test(i)) {
      iters.push_back(utils::IteratorType::reduction);
      keptShape.push_back(1);
      // At most the input's element count, which the graph walk has
      // checked fits; checked all the same.
      if (llvm::MulOverflow(count, ty.getDimSize(i), count)) {
        n.error() << "the reduced dimensions have more elements than fit "
                     "in 64 bits";
        return failure();
      }
      continue;
    }
    iters.push_back(utils::IteratorType::parallel);
    outShape.push_back(ty.getDimSize(i));
    keptShape.push_back(ty.getDimSize(i));
    outExprs.push_back(getAffineDimExpr(i, ctx));
  }
  bool isFloat = isa<FloatType>(el);
  // ReduceMax-20 of bools: false < true, so the max is an `or` from false.
  bool isBool = el.isInteger(1);
  TypedAttr initAttr;
  if (kind == "max" && isBool)
    initAttr = b.getBoolAttr(false);
  else if (kind == "max")
    initAttr = isFloat ? TypedAttr(b.getFloatAttr(
                             el, APFloat::getInf(cast<FloatType>(el)
                                                     .getFloatSemantics(),
                                                 /*Negative=*/true)))
                       : TypedAttr(b.getIntegerAttr(
                             el, APInt::getSignedMinValue(
                                     el.getIntOrFloatBitWidth())));
  else
    initAttr = b.getZeroAttr(el);
  Value init = linalg::FillOp::create(
                   b, loc,
                   ValueRange{arith::ConstantOp::create(b, loc, initAttr)},
                   ValueRange{tensor::EmptyOp::create(b, loc, outShape, el)})
                   .getResult(0);
  SmallVector<AffineMap> maps{AffineMap::getMultiDimIdentityMap(rank, ctx),
                              AffineMap::get(rank, 0, outExprs, ctx)};
  Value r = linalg::GenericOp::create(
                b, loc, init.getType(), ValueRange{v}, ValueRange{init}, maps,
                iters,
                [&](OpBuilder &nb, Location nl, ValueRange args) {
                  Value res;
                  if (kind == "max" && isBool)
                    res = arith::OrIOp::create(nb, nl, args[0], args[1]);
                  else if (kind == "max")
                    res = isFloat ? (Value)arith::MaximumFOp::create(
                                        nb, nl, args[0], args[1])
                                  : (Value)arith::MaxSIOp::create(
                                        nb, nl, args[0], args[1]);
                  else
                    res = isFloat ? (Value)arith::AddFOp::create(nb, nl, args[0],
                                                                 args[1])
                                  : (Value)arith::AddIOp::create(nb, nl, args[0],
                                                                 args[1]);
                  linalg::YieldOp::create(nb, nl, res);
                })
                .getResult(0);
  if (kind == "mean") {
    if (!isFloat) {
      n.error() << "ReduceMean of integers is not supported";
      return failure();
    }
    Value c = arith::ConstantOp::create(
        b, loc, b.getFloatAttr(el, static_cast<double>(count)));
    FailureOr<Value> div = n.elementwise(
        {r}, el, [&](OpBuilder &nb, Location nl, ValueRange args) {
          return arith::DivFOp::create(nb, nl, args[0], c);
        });
    if (failed(div))
      return failure();
    r = *div;
  }
  if (keepDims)
    return n.reshape(r, keptShape);
  return r;
}

/// ReduceSum, ReduceMean or ReduceMax (`kind`); `axes` is an input (known
/// at import) if `axesAsInput`, else an attribute.
LogicalResult importReduce(NodeImporter &n, StringRef kind, bool axesAsInput) {
  StringRef type = n.opType();
  FailureOr<Value> x = n.requireInput(0);
  if (failed(x))
    return failure();
  SmallVector<int64_t> axes;
  if (axesAsInput) {
    if (n.hasInput(1)) {
      FailureOr<SmallVector<int64_t>> a = n.constInts(1, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
  } else if (auto a = n.intsAttr("axes")) {
    axes = *a;
  }
  if (axes.empty() && n.intAttr("noop_with_empty_axes", 0)) {
    n.define(0, *x);
    return success();
  }
  if (elementType(*x).isInteger(1) &&
      !(type == "ReduceMax" && n.version >= 20))
    return n.error() << type << "-" << n.version
                     << " does not take bool tensors";
  return n.defineResult(
      reduce(n, *x, axes, n.intAttr("keepdims", 1) != 0, kind));
}

/// The handler of `kind` with `axes` as an input or an attribute.
OpHandlerFn reduceHandler(StringRef kind, bool axesAsInput) {
  return [kind, axesAsInput](NodeImporter &n) {
    return importReduce(n, kind, axesAsInput);
  };
}

} // namespace

void onnx_import::populateReductionHandlers(OpRegistry &r) {
  // ReduceSum: `axes` attribute before 13, input since.
  r.onOp("ReduceSum", {1, 11}, reduceHandler("sum", /*axesAsInput=*/false));
  r.onOp("ReduceSum", {13}, reduceHandler("sum", /*axesAsInput=*/true));
  // ReduceMean and ReduceMax: attribute before 18, input since;
  // ReduceMax-20 adds bool.
  r.onOp("ReduceMean", {1, 11, 13}, reduceHandler("mean", false));
  r.onOp("ReduceMean", {18}, reduceHandler("mean", true));
  r.onOp("ReduceMax", {1, 11, 12, 13}, reduceHandler("max", false));
  r.onOp("ReduceMax", {18, 20}, reduceHandler("max", true));
}
