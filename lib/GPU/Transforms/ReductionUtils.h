//===- ReductionUtils.h - gpu.all_reduce kinds as arith ops -----*- C++ -*-===//
//
// Private to the GPU transforms: the neutral elements and arith combiners of
// the gpu.all_reduce kinds, for mapping linalg reductions
// (LinalgToGPU.cpp) and emulating gpu.all_reduce on the host (Emulate.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_MLIR_LIB_GPU_TRANSFORMS_REDUCTIONUTILS_H
#define LOSS_MLIR_LIB_GPU_TRANSFORMS_REDUCTIONUTILS_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"

#include <optional>

namespace mlir {
namespace loss {

/// The neutral element of `kind` for `type`.
Value reductionIdentity(OpBuilder &b, Location loc,
                        gpu::AllReduceOperation kind, Type type);
/// `lhs kind rhs` as an arith op.
Value combineValues(OpBuilder &b, Location loc, gpu::AllReduceOperation kind,
                    Value lhs, Value rhs);
/// The all-reduce kind of an arith combiner op, if it is one.
std::optional<gpu::AllReduceOperation> reductionKindOf(Operation *op);

} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_LIB_GPU_TRANSFORMS_REDUCTIONUTILS_H
