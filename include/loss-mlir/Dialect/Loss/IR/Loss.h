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

#endif // LOSS_MLIR_DIALECT_LOSS_IR_LOSS_H
