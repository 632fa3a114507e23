//===- Passes.h - Loss conversion passes ------------------------*- C++ -*-===//
#ifndef LOSS_MLIR_CONVERSION_PASSES_H
#define LOSS_MLIR_CONVERSION_PASSES_H

#include "loss-mlir/Conversion/LossToLinalg/LossToLinalg.h"

namespace mlir {
namespace loss {
#define GEN_PASS_REGISTRATION
#include "loss-mlir/Conversion/Passes.h.inc"
} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_CONVERSION_PASSES_H
