//===- InitAllLoss.h - Register everything loss-mlir provides ---*- C++ -*-===//
//
// One place for tools (and projects that embed loss-mlir) to register the
// loss dialect, its passes, the generic transforms, the conversions and the
// pipelines, as mlir/InitAllPasses.h does upstream.
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_MLIR_INITALLLOSS_H
#define LOSS_MLIR_INITALLLOSS_H

#include "loss-mlir/Conversion/LossToGPU/LossToGPU.h"
#include "loss-mlir/Conversion/Passes.h"
#include "loss-mlir/Dialect/Loss/IR/Loss.h"
#include "loss-mlir/Dialect/Loss/Transforms/Passes.h"
#include "loss-mlir/GPU/Transforms/Passes.h"
#include "loss-mlir/Pipelines/Pipelines.h"
#include "loss-mlir/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"

namespace mlir::loss {

/// Every pass and pipeline of loss-mlir, for mlir-opt-like tools.
inline void registerAllLossPasses() {
  registerLossPasses();
  registerLossTransformsPasses();
  registerLossConversionPasses();
  registerLossGPUPasses();
  registerGPUTransformsPasses();
  registerLossPipelines();
}

/// The loss dialect and the external models loss-mlir attaches to upstream
/// ops.
inline void registerAllLossDialects(DialectRegistry &registry) {
  registry.insert<LossDialect>();
  registerLossGPUExternalModels(registry);
}

} // namespace mlir::loss

#endif // LOSS_MLIR_INITALLLOSS_H
