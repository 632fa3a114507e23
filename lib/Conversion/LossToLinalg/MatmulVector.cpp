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

/// `v` rounded down to a multiple of `m`.
Value floorTo(OpBuilder &b, Location loc, Value v, int64_t m) {
  Value mv = constIndex(b, loc, m);
  return arith::MulIOp::create(b, loc, arith::DivUIOp::create(b, loc, v, mv),
                               mv);
}

/// The micro-tiles of `init` ([0, rowsFull) x [0, colsFull) in steps of
/// `mr` rows and `colStep` columns) in sequence, each through `tile(out,
/// row indices, first column)`, which returns `out` updated.
using TileFn = function_ref<Value(OpBuilder &, Location, Value,
                                  ArrayRef<Value>, Value)>;
Value forEachMicroTile(OpBuilder &b, Location loc, Value init, Value rowsFull,
                       int64_t mr, Value colsFull, int64_t colStep,
                       TileFn tile) {
  auto rowsLoop = scf::ForOp::create(
      b, loc, constIndex(b, loc, 0), rowsFull, constIndex(b, loc, mr),
      ValueRange{init},
      [&](OpBuilder &rb, Location rl, Value i0, ValueRange rowIter) {
        auto colsLoop = scf::ForOp::create(
            rb, rl, constIndex(rb, rl, 0), colsFull,
            constIndex(rb, rl, colStep), rowIter,
            [&](OpBuilder &cb, Location cl, Value j0, ValueRange colIter) {
              SmallVector<Value> rowIdx;
              for (int64_t r = 0; r < mr; ++r)
                rowIdx.push_back(arith::AddIOp::create(
                    cb, cl, i0, constIndex(cb, cl, r)));
              scf::YieldOp::create(cb, cl,
                                   tile(cb, cl, colIter[0], rowIdx, j0));
            });
        scf::YieldOp::create(rb, rl, colsLoop.getResults());
      });
  return rowsLoop.getResult(0);
}

/// `out` with the rows past `rowsFull` (every column) and then the columns
/// past `colsFull` (the other rows) replaced by `matmul(rows, nrows, cols,
/// ncols, slice of out)`, where a static size says there are any.
using RestFn = function_ref<Value(Value, Value, Value, Value, Value)>;
Value addRemainders(OpBuilder &b, Location loc, Value out, Value rows,
                    Value rowsFull, bool rowRest, Value cols, Value colsFull,
                    bool colRest, RestFn matmul) {
  auto apply = [&](Value r0, Value nrows, Value c0, Value ncols) {
    Value oS = sliceOf(b, loc, out, {r0, c0}, {nrows, ncols});
    Value p = matmul(r0, nrows, c0, ncols, oS);
    SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
    out = tensor::InsertSliceOp::create(
        b, loc, p, out, ArrayRef<OpFoldResult>{r0, c0},
        ArrayRef<OpFoldResult>{nrows, ncols}, strides);
  };
  Value zero = constIndex(b, loc, 0);
  if (rowRest)
    apply(rowsFull, arith::SubIOp::create(b, loc, rows, rowsFull), zero, cols);
  if (colRest)
    apply(zero, rowsFull, colsFull,
          arith::SubIOp::create(b, loc, cols, colsFull));
  return out;
}

bool hasRest(int64_t size, int64_t step) {
  return ShapedType::isDynamic(size) || size % step;
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
  Value rows = tensor::DimOp::create(b, loc, a, 0);
  Value k = tensor::DimOp::create(b, loc, a, 1);
  Value cols = tensor::DimOp::create(b, loc, bT, 0);
  Value rowsFull = floorTo(b, loc, rows, mr);
  Value colsFull = floorTo(b, loc, cols, nr);
  Value kFull = floorTo(b, loc, k, lanes);
  bool kTail = hasRest(aTy.getDimSize(1), lanes);
  Value zero = constFloat(b, loc, el, 0.0);

  Value out = forEachMicroTile(
      b, loc, init, rowsFull, mr, colsFull, nr,
      [&](OpBuilder &cb, Location cl, Value out, ArrayRef<Value> rowIdx,
          Value j0) {
        SmallVector<Value> colIdx;
        for (int64_t c = 0; c < nr; ++c)
          colIdx.push_back(
              arith::AddIOp::create(cb, cl, j0, constIndex(cb, cl, c)));
        // One step of K at `kk`: MR + NR vectors, MR x NR FMAs.
        auto step = [&](OpBuilder &sb, Location sl, Value kk, ValueRange accs,
                        bool inBounds) {
          bool inb[] = {inBounds};
          auto read = [&](Value t, Value row) {
            return vector::TransferReadOp::create(sb, sl, vecTy, t,
                                                  ValueRange{row, kk}, zero,
                                                  ArrayRef<bool>(inb))
                .getResult();
          };
          SmallVector<Value> as, bs, next;
          for (Value r : rowIdx)
            as.push_back(read(a, r));
          for (Value c : colIdx)
            bs.push_back(read(bT, c));
          for (int64_t r = 0; r < mr; ++r)
            for (int64_t c = 0; c < nr; ++c)
              next.push_back(math::FmaOp::create(sb, sl, as[r], bs[c],
                                                 accs[r * nr + c]));
          return next;
        };
        SmallVector<Value> zeros(mr * nr, constFloat(cb, cl, vecTy, 0.0));
        auto kLoop = scf::ForOp::create(
            cb, cl, constIndex(cb, cl, 0), kFull, constIndex(cb, cl, lanes),
            zeros, [&](OpBuilder &sb, Location sl, Value kk, ValueRange accs) {
              scf::YieldOp::create(sb, sl, step(sb, sl, kk, accs, true));
            });
        SmallVector<Value> accs = llvm::to_vector_of<Value>(kLoop.getResults());
        // The last, partial step reads zeros past K.
        if (kTail)
          accs = step(cb, cl, kFull, accs, false);
        for (int64_t r = 0; r < mr; ++r)
          for (int64_t c = 0; c < nr; ++c) {
            Value s = vector::ReductionOp::create(
                cb, cl, vector::CombiningKind::ADD, accs[r * nr + c]);
            ValueRange at{rowIdx[r], colIdx[c]};
            Value old = tensor::ExtractOp::create(cb, cl, out, at);
            out = tensor::InsertOp::create(
                cb, cl, arith::AddFOp::create(cb, cl, old, s), out, at);
          }
        return out;
      });

  OpFoldResult k0 = b.getIndexAttr(0);
  return addRemainders(
      b, loc, out, rows, rowsFull, hasRest(aTy.getDimSize(0), mr), cols,
      colsFull,
      hasRest(cast<RankedTensorType>(bT.getType()).getDimSize(0), nr),
      [&](Value r0, Value nrows, Value c0, Value ncols, Value dest) {
        Value aS = sliceOf(b, loc, a, {r0, k0}, {nrows, k});
        Value bS = sliceOf(b, loc, bT, {c0, k0}, {ncols, k});
        return linalg::MatmulTransposeBOp::create(
                   b, loc, TypeRange{dest.getType()}, ValueRange{aS, bS},
                   ValueRange{dest})
            .getResult(0);
      });
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
  int64_t rowDim = transposeA ? 1 : 0, width = nr * lanes;
  Value rows = tensor::DimOp::create(b, loc, a, rowDim);
  Value k = tensor::DimOp::create(b, loc, bm, 0);
  Value cols = tensor::DimOp::create(b, loc, bm, 1);
  Value rowsFull = floorTo(b, loc, rows, mr);
  Value colsFull = floorTo(b, loc, cols, width);
  Value zero = constFloat(b, loc, el, 0.0);

  Value out = forEachMicroTile(
      b, loc, init, rowsFull, mr, colsFull, width,
      [&](OpBuilder &cb, Location cl, Value out, ArrayRef<Value> rowIdx,
          Value j0) {
        bool inb[] = {true};
        SmallVector<Value> colIdx;
        for (int64_t c = 0; c < nr; ++c)
          colIdx.push_back(arith::AddIOp::create(
              cb, cl, j0, constIndex(cb, cl, c * lanes)));
        SmallVector<Value> accs;
        for (int64_t r = 0; r < mr; ++r)
          for (int64_t c = 0; c < nr; ++c)
            accs.push_back(vector::TransferReadOp::create(
                cb, cl, vecTy, out, ValueRange{rowIdx[r], colIdx[c]}, zero,
                ArrayRef<bool>(inb)));
        // One step of K: NR vectors of a row of bm, MR broadcast elements
        // of op(a), MR x NR FMAs.
        auto kLoop = scf::ForOp::create(
            cb, cl, constIndex(cb, cl, 0), k, constIndex(cb, cl, 1), accs,
            [&](OpBuilder &sb, Location sl, Value kk, ValueRange acc) {
              SmallVector<Value> bs, next;
              for (Value c : colIdx)
                bs.push_back(vector::TransferReadOp::create(
                    sb, sl, vecTy, bm, ValueRange{kk, c}, zero,
                    ArrayRef<bool>(inb)));
              for (int64_t r = 0; r < mr; ++r) {
                SmallVector<Value> at = transposeA
                                            ? SmallVector<Value>{kk, rowIdx[r]}
                                            : SmallVector<Value>{rowIdx[r], kk};
                Value s = vector::BroadcastOp::create(
                    sb, sl, vecTy, tensor::ExtractOp::create(sb, sl, a, at));
                for (int64_t c = 0; c < nr; ++c)
                  next.push_back(math::FmaOp::create(sb, sl, s, bs[c],
                                                     acc[r * nr + c]));
              }
              scf::YieldOp::create(sb, sl, next);
            });
        for (int64_t r = 0; r < mr; ++r)
          for (int64_t c = 0; c < nr; ++c)
            out = vector::TransferWriteOp::create(
                      cb, cl, kLoop.getResult(r * nr + c), out,
                      ValueRange{rowIdx[r], colIdx[c]}, ArrayRef<bool>(inb))
                      .getResult();
        return out;
      });

  OpFoldResult z = b.getIndexAttr(0);
  return addRemainders(
      b, loc, out, rows, rowsFull, hasRest(aTy.getDimSize(rowDim), mr), cols,
      colsFull, hasRest(bTy.getDimSize(1), width),
      [&](Value r0, Value nrows, Value c0, Value ncols, Value dest) {
        Value aS = transposeA ? sliceOf(b, loc, a, {z, r0}, {k, nrows})
                              : sliceOf(b, loc, a, {r0, z}, {nrows, k});
        Value bS = sliceOf(b, loc, bm, {z, c0}, {k, ncols});
        if (transposeA)
          return linalg::MatmulTransposeAOp::create(
                     b, loc, TypeRange{dest.getType()}, ValueRange{aS, bS},
                     ValueRange{dest})
              .getResult(0);
        return linalg::MatmulOp::create(b, loc, TypeRange{dest.getType()},
                                        ValueRange{aS, bS}, ValueRange{dest})
            .getResult(0);
      });
}
