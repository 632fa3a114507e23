//===- Linear.cpp - MatMul and Gemm ---------------------------------------===//
//
// The linear layers that feed a model's loss: MatMul (NumPy's matmul:
// 1-D operands promoted, batch dimensions broadcast) and Gemm
// (alpha * A' B' + beta * C). Two-dimensional products are linalg.matmul
// (Gemm's transB as the matmul's transposed indexing map, so that no copy
// of the weight is made), accumulated in f32 for f16/bf16 and rounded once;
// batched ones a linalg.generic contraction with broadcasting maps. These
// are the forms loss-fuse-linear-cross-entropy recognizes when a
// SoftmaxCrossEntropyLoss consumes the product.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "loss-mlir/Dialect/Loss/Utils/LossArithmetic.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::loss;
using namespace mlir::loss::onnx_import;

namespace {

/// A zero-filled [shape] tensor of `el`.
Value zeros(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type el) {
  Value empty = tensor::EmptyOp::create(b, loc, shape, el);
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(el));
  return linalg::FillOp::create(b, loc, zero, empty).getResult(0);
}

/// The element types MatMul and Gemm take (and that linalg can multiply).
LogicalResult checkElementTypes(NodeImporter &n, Value a, Value b,
                                bool allowInts) {
  Type el = elementType(a);
  if (elementType(b) != el)
    return n.error() << "operands have different element types (" << el
                     << " and " << elementType(b) << ")";
  if (isa<FloatType>(el) || (allowInts && el.isSignlessInteger() &&
                             el.getIntOrFloatBitWidth() >= 32))
    return success();
  return n.error() << "does not take " << el << " tensors";
}

/// `v` (of `acc` elements) rounded to `el` when they differ.
Value roundTo(NodeImporter &n, Value v, Type el) {
  if (elementType(v) == el)
    return v;
  FailureOr<Value> r =
      n.elementwise({v}, el, [&](OpBuilder &b, Location loc, ValueRange a) {
        return castFloat(b, loc, a[0], el);
      });
  return *r; // one operand always broadcasts
}

/// A [M, K] x [K, N] product (`transB`: B is [N, K]) in the accumulator
/// type of the operands' element type.
Value matmul2D(NodeImporter &n, Value a, Value bm, bool transB) {
  OpBuilder &b = n.b;
  Location loc = n.loc;
  Type el = elementType(a);
  Type acc = isa<FloatType>(el) ? getAccumulatorType(el) : el;
  auto aTy = cast<RankedTensorType>(a.getType());
  auto bTy = cast<RankedTensorType>(bm.getType());
  int64_t cols = bTy.getDimSize(transB ? 0 : 1);
  Value init = zeros(b, loc, {aTy.getDimSize(0), cols}, acc);
  if (transB)
    return linalg::MatmulTransposeBOp::create(b, loc, TypeRange{init.getType()},
                                              ValueRange{a, bm}, ValueRange{init})
        .getResult(0);
  return linalg::MatmulOp::create(b, loc, TypeRange{init.getType()},
                                  ValueRange{a, bm}, ValueRange{init})
      .getResult(0);
}

//===----------------------------------------------------------------------===//
// MatMul
//===----------------------------------------------------------------------===//

LogicalResult importMatMul(NodeImporter &n) {
  FailureOr<Value> a = n.requireInput(0), bv = n.requireInput(1);
  if (failed(a) || failed(bv))
    return failure();
  if (failed(checkElementTypes(n, *a, *bv, /*allowInts=*/true)))
    return failure();
  OpBuilder &b = n.b;
  Location loc = n.loc;
  MLIRContext *ctx = n.ctx;
  auto aTy = cast<RankedTensorType>(a->getType());
  auto bTy = cast<RankedTensorType>(bv->getType());
  if (aTy.getRank() == 0 || bTy.getRank() == 0)
    return n.error() << "does not take scalars";
  Type el = aTy.getElementType();
  Type acc = isa<FloatType>(el) ? getAccumulatorType(el) : el;

  // NumPy's promotion: a 1-D A is a row [1, K], a 1-D B a column [K, 1];
  // the promoted dimension is dropped from the result.
  SmallVector<int64_t> aShape(aTy.getShape()), bShape(bTy.getShape());
  bool rowA = aShape.size() == 1, colB = bShape.size() == 1;
  if (rowA)
    aShape.insert(aShape.begin(), 1);
  if (colB)
    bShape.push_back(1);
  int64_t m = aShape[aShape.size() - 2], k = aShape.back();
  int64_t kb = bShape[bShape.size() - 2], cols = bShape.back();
  if (k != kb)
    return n.error() << "the operands' inner dimensions differ (" << aTy
                     << " and " << bTy << ")";
  // Batch dimensions broadcast (NumPy).
  int64_t batchRank =
      std::max<int64_t>(aShape.size(), bShape.size()) - 2;
  auto batchOf = [&](ArrayRef<int64_t> s) {
    SmallVector<int64_t> out(batchRank - (s.size() - 2), 1);
    out.append(s.begin(), s.end() - 2);
    return out;
  };
  SmallVector<int64_t> aBatch = batchOf(aShape), bBatch = batchOf(bShape);
  SmallVector<int64_t> batch;
  for (int64_t i = 0; i < batchRank; ++i) {
    if (aBatch[i] != bBatch[i] && aBatch[i] != 1 && bBatch[i] != 1)
      return n.error() << "the operands' batch dimensions do not broadcast ("
                       << aTy << " and " << bTy << ")";
    batch.push_back(aBatch[i] == 1 ? bBatch[i] : aBatch[i]);
  }
  SmallVector<int64_t> resultShape(batch);
  if (!rowA)
    resultShape.push_back(m);
  if (!colB)
    resultShape.push_back(cols);

  Value product;
  FailureOr<Value> a2 = n.reshape(*a, aShape), b2 = n.reshape(*bv, bShape);
  if (failed(a2) || failed(b2))
    return failure();
  if (batchRank == 0) {
    product = matmul2D(n, *a2, *b2, /*transB=*/false);
  } else {
    // [batch..., M, N, K]: each operand reads its batch dimensions (0 where
    // it broadcasts) and its two own.
    int64_t loops = batchRank + 3;
    AffineExpr mi = getAffineDimExpr(batchRank, ctx),
               ni = getAffineDimExpr(batchRank + 1, ctx),
               ki = getAffineDimExpr(batchRank + 2, ctx);
    auto operandMap = [&](ArrayRef<int64_t> s, ArrayRef<int64_t> opBatch,
                          AffineExpr r, AffineExpr c) {
      SmallVector<AffineExpr> exprs;
      int64_t skip = batchRank - (s.size() - 2);
      for (int64_t i = skip; i < batchRank; ++i)
        exprs.push_back(opBatch[i] == 1 && batch[i] != 1
                            ? getAffineConstantExpr(0, ctx)
                            : getAffineDimExpr(i, ctx));
      exprs.push_back(r);
      exprs.push_back(c);
      return AffineMap::get(loops, 0, exprs, ctx);
    };
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = 0; i < batchRank; ++i)
      outExprs.push_back(getAffineDimExpr(i, ctx));
    outExprs.push_back(mi);
    outExprs.push_back(ni);
    SmallVector<int64_t> outShape(batch);
    outShape.push_back(m);
    outShape.push_back(cols);
    SmallVector<AffineMap> maps{operandMap(aShape, aBatch, mi, ki),
                                operandMap(bShape, bBatch, ki, ni),
                                AffineMap::get(loops, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iters(loops - 1,
                                           utils::IteratorType::parallel);
    iters.push_back(utils::IteratorType::reduction);
    Value init = zeros(b, loc, outShape, acc);
    product =
        linalg::GenericOp::create(
            b, loc, init.getType(), ValueRange{*a2, *b2}, ValueRange{init},
            maps, iters,
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              Value x = args[0], y = args[1], out = args[2];
              Value r;
              if (isa<FloatType>(acc)) {
                x = castFloat(nb, nl, x, acc);
                y = castFloat(nb, nl, y, acc);
                r = arith::AddFOp::create(
                    nb, nl, out, arith::MulFOp::create(nb, nl, x, y));
              } else {
                r = arith::AddIOp::create(
                    nb, nl, out, arith::MulIOp::create(nb, nl, x, y));
              }
              linalg::YieldOp::create(nb, nl, r);
            })
            .getResult(0);
  }
  FailureOr<Value> shaped = n.reshape(roundTo(n, product, el), resultShape);
  return n.defineResult(shaped);
}

//===----------------------------------------------------------------------===//
// Gemm
//===----------------------------------------------------------------------===//

LogicalResult importGemm(NodeImporter &n) {
  FailureOr<Value> a = n.requireInput(0), bv = n.requireInput(1);
  if (failed(a) || failed(bv))
    return failure();
  // C is optional since 11.
  Value c = n.input(2);
  if (!c && n.version < 11)
    return n.error() << "Gemm-" << n.version << " needs input C";
  if (failed(checkElementTypes(n, *a, *bv, /*allowInts=*/false)))
    return failure();
  OpBuilder &b = n.b;
  Location loc = n.loc;
  auto aTy = cast<RankedTensorType>(a->getType());
  auto bTy = cast<RankedTensorType>(bv->getType());
  if (aTy.getRank() != 2 || bTy.getRank() != 2)
    return n.error() << "A and B must be matrices (" << aTy << " and " << bTy
                     << ")";
  Type el = aTy.getElementType();
  Type acc = getAccumulatorType(el);
  bool transA = n.intAttr("transA", 0) != 0,
       transB = n.intAttr("transB", 0) != 0;
  double alpha = n.floatAttr("alpha", 1.0f), beta = n.floatAttr("beta", 1.0f);
  int64_t m = aTy.getDimSize(transA ? 1 : 0), k = aTy.getDimSize(transA ? 0 : 1);
  int64_t kb = bTy.getDimSize(transB ? 1 : 0),
          cols = bTy.getDimSize(transB ? 0 : 1);
  if (k != kb)
    return n.error() << "the inner dimensions of A' and B' differ (" << k
                     << " and " << kb << ")";
  Value lhs = *a;
  if (transA) {
    Value init = tensor::EmptyOp::create(b, loc, {m, k}, el);
    lhs = linalg::TransposeOp::create(b, loc, *a, init,
                                      ArrayRef<int64_t>{1, 0})
              ->getResult(0);
  }
  Value y = matmul2D(n, lhs, *bv, transB);
  auto scaled = [&](Value v, double s) -> FailureOr<Value> {
    if (s == 1.0)
      return v;
    return n.elementwise({v}, acc, [&](OpBuilder &nb, Location nl,
                                       ValueRange args) {
      return arith::MulFOp::create(nb, nl, castFloat(nb, nl, args[0], acc),
                                   constFloat(nb, nl, acc, s))
          .getResult();
    });
  };
  FailureOr<Value> p = scaled(y, alpha);
  if (failed(p))
    return failure();
  y = *p;
  if (c && beta != 0.0) {
    // C broadcasts to [M, N] in one direction only; before 7 only with
    // `broadcast` set, else it must be [M, N].
    auto cTy = cast<RankedTensorType>(c.getType());
    if (cTy.getElementType() != el)
      return n.error() << "C's element type " << cTy.getElementType()
                       << " is not A's " << el;
    ArrayRef<int64_t> cs = cTy.getShape();
    bool exact = cs.size() == 2 && cs[0] == m && cs[1] == cols;
    bool broadcasts = cs.size() <= 2;
    for (size_t i = 0; i < cs.size() && broadcasts; ++i) {
      int64_t want = i + 2 - cs.size() == 0 ? m : cols;
      broadcasts = cs[i] == want || cs[i] == 1;
    }
    if (!broadcasts)
      return n.error() << "C of shape " << cTy << " does not broadcast to ["
                       << m << ", " << cols << "]";
    if (n.version < 7 && !exact && !n.intAttr("broadcast", 0))
      return n.error() << "C of shape " << cTy << " is not [" << m << ", "
                       << cols << "] and `broadcast` is 0 (Gemm-"
                       << n.version << " broadcasts C only when it is set)";
    FailureOr<Value> cs2 = scaled(c, beta);
    if (failed(cs2))
      return failure();
    FailureOr<Value> sum = n.elementwise(
        {y, *cs2}, acc, [&](OpBuilder &nb, Location nl, ValueRange args) {
          return arith::AddFOp::create(nb, nl, args[0],
                                       castFloat(nb, nl, args[1], acc))
              .getResult();
        });
    if (failed(sum))
      return failure();
    y = *sum;
  }
  n.define(0, roundTo(n, y, el));
  return success();
}

} // namespace

void onnx_import::populateLinearHandlers(OpRegistry &r) {
  r.onOp("MatMul", {1, 9, 13}, importMatMul);
  r.onOp("Gemm", {1, 6, 7, 9, 11, 13}, importGemm);
}
