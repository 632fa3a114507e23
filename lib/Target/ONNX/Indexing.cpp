//===- Indexing.cpp - Gather, GatherElements, Slice -----------------------===//
//
// Reads at indices become linalg.generic ops that tensor.extract from the
// data, with every index clamped into its dimension: ONNX makes an
// out-of-range index an error, and the importer never reads outside a
// buffer. Slice's starts/ends/axes/steps must be known at import.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/STLExtras.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::loss;
using namespace mlir::loss::onnx_import;

namespace {

/// A clamped, non-negative index into a dimension of size `dim` from a
/// signed ONNX index (negative counts from the back). Out-of-range indices
/// are an error in ONNX; they are clamped so nothing is read out of bounds.
Value safeIndex(OpBuilder &b, Location loc, Value idx, int64_t dim) {
  Value i = castScalar(b, loc, idx, b.getI64Type());
  Value zero = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0));
  Value d = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(dim));
  Value neg =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, zero);
  i = arith::SelectOp::create(b, loc, neg, arith::AddIOp::create(b, loc, i, d),
                              i);
  Value hi = arith::ConstantOp::create(
      b, loc, b.getI64IntegerAttr(std::max<int64_t>(dim - 1, 0)));
  i = arith::MinSIOp::create(b, loc, arith::MaxSIOp::create(b, loc, i, zero),
                             hi);
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), i);
}

/// Gather, or GatherElements if `elements`.
LogicalResult importGather(NodeImporter &n, bool elements) {
  FailureOr<Value> x = n.requireInput(0), idx = n.requireInput(1);
  if (failed(x) || failed(idx))
    return failure();
  auto ty = cast<RankedTensorType>(x->getType());
  auto idxTy = cast<RankedTensorType>(idx->getType());
  if (!isa<IntegerType>(idxTy.getElementType()))
    return n.error() << "indices must be integers";
  int64_t rank = ty.getRank();
  if (rank == 0)
    return n.error() << "data must have rank >= 1";
  FailureOr<int64_t> axis = n.normalizeAxis(n.intAttr("axis", 0), rank);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape;
  AffineMap idxMap;
  int64_t outRank;
  if (elements) {
    if (idxTy.getRank() != rank)
      return n.error() << "indices must have the data's rank";
    for (int64_t i = 0; i < rank; ++i)
      if (i != *axis && idxTy.getDimSize(i) > ty.getDimSize(i))
        return n.error() << "indices exceed the data's shape";
    llvm::append_range(shape, idxTy.getShape());
    outRank = rank;
    idxMap = AffineMap::getMultiDimIdentityMap(rank, n.ctx);
  } else {
    int64_t ir = idxTy.getRank();
    outRank = rank - 1 + ir;
    llvm::append_range(shape, ty.getShape().take_front(*axis));
    llvm::append_range(shape, idxTy.getShape());
    llvm::append_range(shape, ty.getShape().drop_front(*axis + 1));
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < ir; ++i)
      exprs.push_back(getAffineDimExpr(*axis + i, n.ctx));
    idxMap = AffineMap::get(outRank, 0, exprs, n.ctx);
  }
  Value data = *x;
  int64_t dimSize = ty.getDimSize(*axis);
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Value init = tensor::EmptyOp::create(b, loc, shape, ty.getElementType());
  SmallVector<utils::IteratorType> iters(outRank,
                                         utils::IteratorType::parallel);
  Value r =
      linalg::GenericOp::create(
          b, loc, init.getType(), ValueRange{*idx}, ValueRange{init},
          {idxMap, AffineMap::getMultiDimIdentityMap(outRank, n.ctx)}, iters,
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            Value at = safeIndex(nb, nl, a[0], dimSize);
            SmallVector<Value> coords;
            int64_t ir = idxTy.getRank();
            for (int64_t i = 0; i < rank; ++i) {
              if (i == *axis)
                coords.push_back(at);
              else if (elements || i < *axis)
                coords.push_back(linalg::IndexOp::create(nb, nl, i));
              else
                coords.push_back(linalg::IndexOp::create(nb, nl, i - 1 + ir));
            }
            linalg::YieldOp::create(
                nb, nl,
                ValueRange{tensor::ExtractOp::create(nb, nl, data, coords)});
          })
          .getResult(0);
  n.define(0, r);
  return success();
}

/// Slice of `x` by `starts`, `ends` and (empty: the first ones) `axes` and
/// (empty: 1) `steps`.
LogicalResult importSliceOf(NodeImporter &n, Value x,
                            ArrayRef<int64_t> starts, ArrayRef<int64_t> ends,
                            SmallVector<int64_t> axes,
                            SmallVector<int64_t> steps) {
  auto ty = cast<RankedTensorType>(x.getType());
  int64_t rank = ty.getRank();
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return n.error() << "starts, ends, axes and steps differ in length";
  SmallVector<int64_t> start(rank, 0), step(rank, 1), shape(ty.getShape());
  for (size_t k = 0; k < axes.size(); ++k) {
    FailureOr<int64_t> a = n.normalizeAxis(axes[k], rank);
    if (failed(a))
      return failure();
    int64_t d = ty.getDimSize(*a), s = starts[k], e = ends[k],
            st = steps[k];
    if (st == 0)
      return n.error() << "step 0";
    // ONNX's clamping: negative starts and ends count from the back, then
    // starts go to [0, d] (a negative step: [0, d - 1]) and ends to [0, d]
    // ([-1, d - 1]). No step, start or end can overflow what follows: the
    // count is 1 + (distance - 1) / |step| with the distance at most d + 1
    // and |step| taken unsigned (INT64_MIN's is 2^63).
    if (s < 0)
      s += d;
    if (e < 0)
      e += d;
    uint64_t absStep = st > 0 ? uint64_t(st) : -uint64_t(st);
    int64_t dist;
    if (st > 0) {
      s = std::clamp<int64_t>(s, 0, d);
      e = std::clamp<int64_t>(e, 0, d);
      dist = e - s;
    } else if (d == 0) {
      s = 0;
      dist = 0;
    } else {
      s = std::clamp<int64_t>(s, 0, d - 1);
      e = std::clamp<int64_t>(e, -1, d - 1);
      dist = s - e;
    }
    shape[*a] = dist > 0 ? int64_t(1 + uint64_t(dist - 1) / absStep) : 0;
    start[*a] = s;
    // With one element the step is never used (nor INT64_MIN put in IR).
    step[*a] = shape[*a] > 1 ? st : 1;
  }
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Value data = x;
  Value init = tensor::EmptyOp::create(b, loc, shape, ty.getElementType());
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  Value r = linalg::GenericOp::create(
                b, loc, init.getType(), ValueRange{}, ValueRange{init},
                {AffineMap::getMultiDimIdentityMap(rank, n.ctx)}, iters,
                [&](OpBuilder &nb, Location nl, ValueRange) {
                  SmallVector<Value> coords;
                  for (int64_t i = 0; i < rank; ++i) {
                    Value iv = linalg::IndexOp::create(nb, nl, i);
                    Value c = arith::AddIOp::create(
                        nb, nl,
                        arith::ConstantIndexOp::create(nb, nl, start[i]),
                        arith::MulIOp::create(
                            nb, nl, iv,
                            arith::ConstantIndexOp::create(nb, nl, step[i])));
                    coords.push_back(c);
                  }
                  linalg::YieldOp::create(
                      nb, nl,
                      ValueRange{
                          tensor::ExtractOp::create(nb, nl, data, coords)});
                })
                .getResult(0);
  n.define(0, r);
  return success();
}

/// Slice-1: `starts`, `ends` and `axes` attributes, no steps.
LogicalResult importSliceAttrs(NodeImporter &n) {
  FailureOr<Value> x = n.requireInput(0);
  if (failed(x))
    return failure();
  SmallVector<int64_t> starts, ends, axes;
  if (n.node.input_size() > 1)
    return n.error() << "Slice-1 takes one input (starts/ends/axes "
                        "are attributes)";
  auto s = n.intsAttr("starts"), e = n.intsAttr("ends");
  if (!s || !e)
    return n.error() << "Slice-1 needs 'starts' and 'ends'";
  starts = *s;
  ends = *e;
  if (auto a = n.intsAttr("axes"))
    axes = *a;
  return importSliceOf(n, *x, starts, ends, axes, {});
}

/// Slice since 10: `starts`, `ends`, `axes` and `steps` inputs.
LogicalResult importSliceInputs(NodeImporter &n) {
  FailureOr<Value> x = n.requireInput(0);
  if (failed(x))
    return failure();
  SmallVector<int64_t> axes, steps;
  FailureOr<SmallVector<int64_t>> s = n.constInts(1, "starts");
  FailureOr<SmallVector<int64_t>> e = n.constInts(2, "ends");
  if (failed(s) || failed(e))
    return failure();
  if (n.hasInput(3)) {
    FailureOr<SmallVector<int64_t>> a = n.constInts(3, "axes");
    if (failed(a))
      return failure();
    axes = *a;
  }
  if (n.hasInput(4)) {
    FailureOr<SmallVector<int64_t>> st = n.constInts(4, "steps");
    if (failed(st))
      return failure();
    steps = *st;
  }
  return importSliceOf(n, *x, *s, *e, axes, steps);
}

} // namespace

void onnx_import::populateIndexingHandlers(OpRegistry &r) {
  r.onOp("Gather", {1, 11, 13},
         [](NodeImporter &n) { return importGather(n, /*elements=*/false); });
  r.onOp("GatherElements", {11, 13},
         [](NodeImporter &n) { return importGather(n, /*elements=*/true); });
  // Before 10, `starts`/`ends`/`axes` attributes; since 10, inputs.
  r.onOp("Slice", {1}, importSliceAttrs);
  r.onOp("Slice", {10, 11, 13}, importSliceInputs);
}
