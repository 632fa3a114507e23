//===- Passes.h - GPU transforms of linalg/memref code ----------*- C++ -*-===//
//
// Generic GPU transforms: linalg ops on buffers to gpu.launch kernels, the
// host memory the kernels touch, one gpu.module per host function, and
// running kernels on the host with OpenMP for testing. See Passes.td for
// what each does; `--loss-lower-to-nvvm` (Pipelines.h) strings them together
// with the loss conversions.
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_MLIR_GPU_TRANSFORMS_PASSES_H
#define LOSS_MLIR_GPU_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
namespace func {
class FuncOp;
} // namespace func
namespace loss {

#define GEN_PASS_DECL
#include "loss-mlir/GPU/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "loss-mlir/GPU/Transforms/Passes.h.inc"

} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_GPU_TRANSFORMS_PASSES_H
