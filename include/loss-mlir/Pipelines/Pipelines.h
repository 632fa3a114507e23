//===- Pipelines.h - Loss compilation pipelines -----------------*- C++ -*-===//
#ifndef LOSS_MLIR_PIPELINES_PIPELINES_H
#define LOSS_MLIR_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;
namespace loss {

struct LossLowerToLLVMOptions
    : public PassPipelineOptions<LossLowerToLLVMOptions> {
  PassOptions::Option<bool> fuse{
      *this, "fuse",
      llvm::cl::desc("Fuse log_softmax + nll into softmax_cross_entropy first"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> parallel{
      *this, "parallel",
      llvm::cl::desc("Run independent rows/samples on OpenMP threads (needs "
                     "libomp at run time)"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> resultsToOutParams{
      *this, "results-to-out-params",
      llvm::cl::desc("Return results through caller-allocated out-params "
                     "(for callers such as loss-run that own the buffers)"),
      llvm::cl::init(false)};
};

/// From loss ops on tensors to the LLVM dialect for the host CPU: lowering to
/// linalg, one-shot bufferization across function boundaries, loops, and the
/// LLVM conversions. Functions with `llvm.emit_c_interface` get C wrappers.
void buildLossLowerToLLVMPipeline(OpPassManager &pm,
                                  const LossLowerToLLVMOptions &options);

/// Registers `--loss-lower-to-llvm`.
void registerLossPipelines();

} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_PIPELINES_PIPELINES_H
