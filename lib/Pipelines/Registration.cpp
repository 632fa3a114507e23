//===- Registration.cpp - Registration of the loss pipelines --------------===//

#include "loss-mlir/Pipelines/Pipelines.h"

#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

void mlir::loss::registerLossPipelines() {
  PassPipelineRegistration<LossLowerToLLVMOptions>(
      "loss-lower-to-llvm",
      "Lower loss ops on tensors to the LLVM dialect for the host CPU",
      buildLossLowerToLLVMPipeline);
  PassPipelineRegistration<LossLowerToNVVMOptions>(
      "loss-lower-to-nvvm",
      "Lower loss ops on tensors to host LLVM code that launches CUDA kernels "
      "(embedded as PTX or cubin)",
      buildLossLowerToNVVMPipeline);
  PassPipelineRegistration<LossLowerToGPUEmulationOptions>(
      "loss-lower-to-gpu-emulation",
      "The GPU path's kernels, run on the host CPU with OpenMP threads as GPU "
      "threads (testing without a GPU)",
      buildLossLowerToGPUEmulationPipeline);
}
