//===- LossToGPU.h - Loss to GPU kernels ------------------------*- C++ -*-===//
//
// Passes that take loss programs to GPU kernels (gpu.launch) on buffers, and
// the host-side memory handling around them. See Passes.td for what each
// does; `--loss-lower-to-nvvm` (Pipelines.h) strings them together.
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_MLIR_CONVERSION_LOSSTOGPU_LOSSTOGPU_H
#define LOSS_MLIR_CONVERSION_LOSSTOGPU_LOSSTOGPU_H

#include "mlir/Pass/Pass.h"

namespace mlir {
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

#define GEN_PASS_REGISTRATION
#include "loss-mlir/Conversion/LossToGPU/Passes.h.inc"

} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_CONVERSION_LOSSTOGPU_LOSSTOGPU_H
