//===- MatmulVector.h - An explicit-vector matmul micro-kernel -*- C++ -*-===//
//
// Register-tiled matmuls in explicit vectors for the CPU schedules of
// linear_cross_entropy: `init + a * b^T` with vectors along the contraction
// (both operands contiguous along it: the tiles of logits), and
// `init + op(a) * b` with vectors along the result's rows (its gradients).
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_MLIR_LIB_CONVERSION_LOSSTOLINALG_MATMULVECTOR_H
#define LOSS_MLIR_LIB_CONVERSION_LOSSTOLINALG_MATMULVECTOR_H

#include "mlir/IR/Builders.h"

namespace mlir {
namespace loss {

/// The register tile of the micro-kernel for `vectorBits`-bit vectors of
/// `elementType` (rows x columns of accumulators, each a vector), or
/// {0, 0} where it has none (no vector width; elements under 32 bits).
std::pair<int64_t, int64_t> vectorMatmulTile(Type elementType,
                                             unsigned vectorBits);

/// `init + a * bT^T` on tensors: a [R, K], bT [C, K] and init [R, C], all of
/// one 32- or 64-bit float type. Micro-tiles of the register tile of
/// vectorMatmulTile keep one accumulator vector per (row, column) through
/// the whole K (loads: one vector of each row and column per step; the last
/// step masked), then add each accumulator's lanes into `init`; the rows and
/// columns past the last full micro-tile are a linalg.matmul of their slices.
Value buildVectorMatmulTransposeB(OpBuilder &b, Location loc, Value a,
                                  Value bT, Value init, unsigned vectorBits);

/// `init + op(a) * bm` on tensors, vectors along the columns of `bm` and of
/// the result: op(a) is `a` ([R, K]) or, with `transposeA`, `a^T` (`a` is
/// [K, R]); bm [K, N], init [R, N], all of one 32- or 64-bit float type. A
/// micro-tile of MR rows by NR vectors of columns keeps its accumulators in
/// registers through K, each step loading NR vectors of a row of `bm` and
/// broadcasting MR elements of op(a); the rows and columns past the last
/// full micro-tile are a linalg matmul of their slices.
Value buildVectorMatmul(OpBuilder &b, Location loc, Value a, Value bm,
                        Value init, bool transposeA, unsigned vectorBits);

} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_LIB_CONVERSION_LOSSTOLINALG_MATMULVECTOR_H
