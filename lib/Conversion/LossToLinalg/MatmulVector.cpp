//===- MatmulVector.cpp - An explicit-vector matmul micro-kernel ----------===//
//
// Left to LLVM, a linalg.matmul lowered to loops keeps its float reduction
// over K scalar (reassociating it is not allowed), one multiply-add at a
// time. Here both operands run along K in vectors: a micro-tile of MR rows
// by NR columns holds MR x NR accumulator vectors in registers, each step
// loads MR + NR vectors for MR x NR fused multiply-adds, and the lanes of
// each accumulator are summed once at the end of K (a tree of the vector's
// width: the sum's error grows like K / lanes + log lanes, not K).
//
//===----------------------------------------------------------------------===//

#include "MatmulVector.h"

#include "loss-mlir/Dialect/Loss/Utils/LossArithmetic.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::loss;

std::pair<int64_t, int64_t> mlir::loss::vectorMatmulTile(Type elementType,
                                                         unsigned vectorBits) {
  if (vectorBits == 0 || !isa<FloatType>(elementType) ||
      elementType.getIntOrFloatBitWidth() < 32)
    return {0, 0};
  // 32 registers with AVX-512 (16 accumulators, 8 operands); 16 below
  // (8 accumulators, 6 operands).
  if (vectorBits >= 512)
    return {4, 4};
  return {2, 4};
}

namespace {
Value sliceOf(OpBuilder &b, Location loc, Value t, ArrayRef<OpFoldResult> offs,
              ArrayRef<OpFoldResult> sizes) {
  SmallVector<OpFoldResult> strides(offs.size(), b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(b, loc, t, offs, sizes, strides);
}
} // namespace

Value mlir::loss::buildVectorMatmulTransposeB(OpBuilder &b, Location loc,
                                              Value a, Value bT, Value init,
                                              unsigned vectorBits) {
  auto aTy = cast<RankedTensorType>(a.getType());
  Type el = aTy.getElementType();
  auto [mr, nr] = vectorMatmulTile(el, vectorBits);
  int64_t lanes = vectorBits / el.getIntOrFloatBitWidth();
  auto vecTy = VectorType::get({lanes}, el);
  auto idx = [&](int64_t v) { return constIndex(b, loc, v); };
  auto dim = [&](Value t, int64_t d) {
    return tensor::DimOp::create(b, loc, t, d).getResult();
  };
  auto floorTo = [&](Value v, int64_t m) {
    return arith::MulIOp::create(
        b, loc, arith::DivUIOp::create(b, loc, v, idx(m)), idx(m));
  };
  Value rows = dim(a, 0), k = dim(a, 1), cols = dim(bT, 0);
  Value rowsFull = floorTo(rows, mr), colsFull = floorTo(cols, nr);
  Value kFull = floorTo(k, lanes);
  int64_t staticK = aTy.getDimSize(1);
  bool kTail = ShapedType::isDynamic(staticK) || staticK % lanes;
  Value zero = constFloat(b, loc, el, 0.0);

  auto tiles = scf::ForOp::create(
      b, loc, idx(0), rowsFull, idx(mr), ValueRange{init},
      [&](OpBuilder &rb, Location rl, Value i0, ValueRange rowIter) {
        auto inner = scf::ForOp::create(
            rb, rl, constIndex(rb, rl, 0), colsFull, constIndex(rb, rl, nr),
            rowIter,
            [&](OpBuilder &cb, Location cl, Value j0, ValueRange colIter) {
              SmallVector<Value> rowIdx, colIdx;
              for (int64_t r = 0; r < mr; ++r)
                rowIdx.push_back(arith::AddIOp::create(
                    cb, cl, i0, constIndex(cb, cl, r)));
              for (int64_t c = 0; c < nr; ++c)
                colIdx.push_back(arith::AddIOp::create(
                    cb, cl, j0, constIndex(cb, cl, c)));
              // One step of K at `kk`: MR + NR vectors, MR x NR FMAs.
              auto step = [&](OpBuilder &sb, Location sl, Value kk,
                              ValueRange accs, bool inBounds) {
                bool inb[] = {inBounds};
                auto read = [&](Value t, Value row) {
                  return vector::TransferReadOp::create(
                             sb, sl, vecTy, t, ValueRange{row, kk}, zero,
                             ArrayRef<bool>(inb))
                      .getResult();
                };
                SmallVector<Value> as, bs, out;
                for (Value r : rowIdx)
                  as.push_back(read(a, r));
                for (Value c : colIdx)
                  bs.push_back(read(bT, c));
                for (int64_t r = 0; r < mr; ++r)
                  for (int64_t c = 0; c < nr; ++c)
                    out.push_back(math::FmaOp::create(
                        sb, sl, as[r], bs[c], accs[r * nr + c]));
                return out;
              };
              SmallVector<Value> init(mr * nr,
                                      constFloat(cb, cl, vecTy, 0.0));
              auto kLoop = scf::ForOp::create(
                  cb, cl, constIndex(cb, cl, 0), kFull,
                  constIndex(cb, cl, lanes), init,
                  [&](OpBuilder &sb, Location sl, Value kk, ValueRange accs) {
                    scf::YieldOp::create(sb, sl, step(sb, sl, kk, accs, true));
                  });
              SmallVector<Value> accs =
                  llvm::to_vector_of<Value>(kLoop.getResults());
              // The last, partial step reads zeros past K.
              if (kTail)
                accs = step(cb, cl, kFull, accs, false);
              Value out = colIter[0];
              for (int64_t r = 0; r < mr; ++r)
                for (int64_t c = 0; c < nr; ++c) {
                  Value s = vector::ReductionOp::create(
                      cb, cl, vector::CombiningKind::ADD, accs[r * nr + c]);
                  ValueRange at{rowIdx[r], colIdx[c]};
                  Value old = tensor::ExtractOp::create(cb, cl, out, at);
                  out = tensor::InsertOp::create(
                      cb, cl, arith::AddFOp::create(cb, cl, old, s), out, at);
                }
              scf::YieldOp::create(cb, cl, out);
            });
        scf::YieldOp::create(rb, rl, inner.getResults());
      });
  Value out = tiles.getResult(0);

  // The rows past the last micro-tile (every column), then the columns past
  // it (the other rows): linalg.matmul of the slices (empty ones do nothing).
  auto rest = [&](Value r0, Value nrows, Value c0, Value ncols) {
    OpFoldResult k0 = b.getIndexAttr(0);
    Value aS = sliceOf(b, loc, a, {r0, k0}, {nrows, k});
    Value bS = sliceOf(b, loc, bT, {c0, k0}, {ncols, k});
    Value oS = sliceOf(b, loc, out, {r0, c0}, {nrows, ncols});
    Value p = linalg::MatmulTransposeBOp::create(b, loc, TypeRange{oS.getType()},
                                                 ValueRange{aS, bS},
                                                 ValueRange{oS})
                  .getResult(0);
    SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
    out = tensor::InsertSliceOp::create(
        b, loc, p, out, ArrayRef<OpFoldResult>{r0, c0},
        ArrayRef<OpFoldResult>{nrows, ncols}, strides);
  };
  int64_t staticR = aTy.getDimSize(0);
  int64_t staticC = cast<RankedTensorType>(bT.getType()).getDimSize(0);
  if (ShapedType::isDynamic(staticR) || staticR % mr)
    rest(rowsFull, arith::SubIOp::create(b, loc, rows, rowsFull), idx(0), cols);
  if (ShapedType::isDynamic(staticC) || staticC % nr)
    rest(idx(0), rowsFull, colsFull,
         arith::SubIOp::create(b, loc, cols, colsFull));
  return out;
}

Value mlir::loss::buildVectorMatmul(OpBuilder &b, Location loc, Value a,
                                    Value bm, Value init, bool transposeA,
                                    unsigned vectorBits) {
  auto aTy = cast<RankedTensorType>(a.getType());
  auto bTy = cast<RankedTensorType>(bm.getType());
  Type el = aTy.getElementType();
  auto [mr, nr] = vectorMatmulTile(el, vectorBits);
  int64_t lanes = vectorBits / el.getIntOrFloatBitWidth();
  auto vecTy = VectorType::get({lanes}, el);
  auto idx = [&](int64_t v) { return constIndex(b, loc, v); };
  auto floorTo = [&](Value v, int64_t m) {
    return arith::MulIOp::create(
        b, loc, arith::DivUIOp::create(b, loc, v, idx(m)), idx(m));
  };
  int64_t rowDim = transposeA ? 1 : 0;
  Value rows = tensor::DimOp::create(b, loc, a, rowDim);
  Value k = tensor::DimOp::create(b, loc, bm, 0);
  Value cols = tensor::DimOp::create(b, loc, bm, 1);
  int64_t width = nr * lanes;
  Value rowsFull = floorTo(rows, mr), colsFull = floorTo(cols, width);
  Value zero = constFloat(b, loc, el, 0.0);

  auto tiles = scf::ForOp::create(
      b, loc, idx(0), rowsFull, idx(mr), ValueRange{init},
      [&](OpBuilder &rb, Location rl, Value i0, ValueRange rowIter) {
        auto inner = scf::ForOp::create(
            rb, rl, constIndex(rb, rl, 0), colsFull, constIndex(rb, rl, width),
            rowIter,
            [&](OpBuilder &cb, Location cl, Value j0, ValueRange colIter) {
              bool inb[] = {true};
              SmallVector<Value> rowIdx, colIdx;
              for (int64_t r = 0; r < mr; ++r)
                rowIdx.push_back(arith::AddIOp::create(
                    cb, cl, i0, constIndex(cb, cl, r)));
              for (int64_t c = 0; c < nr; ++c)
                colIdx.push_back(arith::AddIOp::create(
                    cb, cl, j0, constIndex(cb, cl, c * lanes)));
              Value out = colIter[0];
              SmallVector<Value> accs;
              for (int64_t r = 0; r < mr; ++r)
                for (int64_t c = 0; c < nr; ++c)
                  accs.push_back(vector::TransferReadOp::create(
                      cb, cl, vecTy, out, ValueRange{rowIdx[r], colIdx[c]},
                      zero, ArrayRef<bool>(inb)));
              auto kLoop = scf::ForOp::create(
                  cb, cl, constIndex(cb, cl, 0), k, constIndex(cb, cl, 1),
                  accs,
                  [&](OpBuilder &sb, Location sl, Value kk, ValueRange acc) {
                    SmallVector<Value> bs, next;
                    for (Value c : colIdx)
                      bs.push_back(vector::TransferReadOp::create(
                          sb, sl, vecTy, bm, ValueRange{kk, c}, zero,
                          ArrayRef<bool>(inb)));
                    for (int64_t r = 0; r < mr; ++r) {
                      ValueRange at = transposeA
                                          ? ValueRange{kk, rowIdx[r]}
                                          : ValueRange{rowIdx[r], kk};
                      Value s = vector::BroadcastOp::create(
                          sb, sl, vecTy,
                          tensor::ExtractOp::create(sb, sl, a, at));
                      for (int64_t c = 0; c < nr; ++c)
                        next.push_back(math::FmaOp::create(
                            sb, sl, s, bs[c], acc[r * nr + c]));
                    }
                    scf::YieldOp::create(sb, sl, next);
                  });
              for (int64_t r = 0; r < mr; ++r)
                for (int64_t c = 0; c < nr; ++c)
                  out = vector::TransferWriteOp::create(
                            cb, cl, kLoop.getResult(r * nr + c), out,
                            ValueRange{rowIdx[r], colIdx[c]},
                            ArrayRef<bool>(inb))
                            .getResult();
              scf::YieldOp::create(cb, cl, out);
            });
        scf::YieldOp::create(rb, rl, inner.getResults());
      });
  Value out = tiles.getResult(0);

  auto rest = [&](Value r0, Value nrows, Value c0, Value ncols) {
    OpFoldResult z = b.getIndexAttr(0);
    Value aS = transposeA ? sliceOf(b, loc, a, {z, r0}, {k, nrows})
                          : sliceOf(b, loc, a, {r0, z}, {nrows, k});
    Value bS = sliceOf(b, loc, bm, {z, c0}, {k, ncols});
    Value oS = sliceOf(b, loc, out, {r0, c0}, {nrows, ncols});
    Value p =
        transposeA
            ? linalg::MatmulTransposeAOp::create(b, loc,
                                                 TypeRange{oS.getType()},
                                                 ValueRange{aS, bS},
                                                 ValueRange{oS})
                  .getResult(0)
            : linalg::MatmulOp::create(b, loc, TypeRange{oS.getType()},
                                       ValueRange{aS, bS}, ValueRange{oS})
                  .getResult(0);
    SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
    out = tensor::InsertSliceOp::create(
        b, loc, p, out, ArrayRef<OpFoldResult>{r0, c0},
        ArrayRef<OpFoldResult>{nrows, ncols}, strides);
  };
  int64_t staticR = aTy.getDimSize(rowDim), staticC = bTy.getDimSize(1);
  if (ShapedType::isDynamic(staticR) || staticR % mr)
    rest(rowsFull, arith::SubIOp::create(b, loc, rows, rowsFull), idx(0), cols);
  if (ShapedType::isDynamic(staticC) || staticC % width)
    rest(idx(0), rowsFull, colsFull,
         arith::SubIOp::create(b, loc, cols, colsFull));
  return out;
}
