//===- LossToGPU.h - Loss to GPU kernels ------------------------*- C++ -*-===//
//
// The pass that takes the softmax family and CTC to hand-mapped GPU kernels
// (gpu.launch) on buffers. See Passes.td; the generic GPU transforms it runs
// with are in loss-mlir/GPU/Transforms/, and `--loss-lower-to-nvvm`
// (Pipelines.h) strings them together.
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_MLIR_CONVERSION_LOSSTOGPU_LOSSTOGPU_H
#define LOSS_MLIR_CONVERSION_LOSSTOGPU_LOSSTOGPU_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class DialectRegistry;
class RewritePatternSet;
namespace func {
class FuncOp;
} // namespace func
namespace loss {

#define GEN_PASS_DECL
#include "loss-mlir/Conversion/LossToGPU/Passes.h.inc"

/// Sizes of the kernels the GPU lowerings build.
struct GPUKernelSizes {
  unsigned blockSize = 256;
  unsigned maxGridSize = 65535;
};

/// log_softmax, softmax_cross_entropy and linalg.softmax: a block per row.
void populateCrossEntropyToGPUPatterns(RewritePatternSet &patterns,
                                       GPUKernelSizes sizes);
/// ctc: a block per sample, a barrier per time step.
void populateCtcToGPUPatterns(RewritePatternSet &patterns,
                              GPUKernelSizes sizes);
/// ctc_grad: a block per sample, the alpha table and a beta row pair.
void populateCtcGradToGPUPatterns(RewritePatternSet &patterns,
                                  GPUKernelSizes sizes);

/// Memory effects for gpu.barrier and gpu.all_reduce (upstream declares
/// none, and buffer deallocation rejects ops with unknown effects after the
/// kernels are built): both read and write memory, so nothing moves or
/// drops them. Tools register them with the dialects; convert-loss-to-gpu
/// also adds them to the registry it depends on.
void registerLossGPUExternalModels(DialectRegistry &registry);

#define GEN_PASS_REGISTRATION
#include "loss-mlir/Conversion/LossToGPU/Passes.h.inc"

} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_CONVERSION_LOSSTOGPU_LOSSTOGPU_H
