//===- Loss.h - Loss dialect ------------------------------------*- C++ -*-===//
#ifndef LOSS_MLIR_DIALECT_LOSS_IR_LOSS_H
#define LOSS_MLIR_DIALECT_LOSS_IR_LOSS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "loss-mlir/Dialect/Loss/IR/LossOpsDialect.h.inc"
#include "loss-mlir/Dialect/Loss/IR/LossEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "loss-mlir/Dialect/Loss/IR/LossAttrs.h.inc"

#define GET_OP_CLASSES
#include "loss-mlir/Dialect/Loss/IR/LossOps.h.inc"

namespace mlir {
namespace loss {

/// PyTorch's (NumPy's) broadcast of `shapes`, trailing dimensions aligned:
/// per dimension, static 1s broadcast; the other sizes must agree, a dynamic
/// one taking the static size of the others (a dynamic dimension never
/// broadcasts: it must equal them at run time, which the lowerings check).
/// Returns false when two static sizes other than 1 differ.
bool broadcastShapes(ArrayRef<ArrayRef<int64_t>> shapes,
                     SmallVectorImpl<int64_t> &result);

} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_DIALECT_LOSS_IR_LOSS_H
