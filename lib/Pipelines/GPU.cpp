//===- GPU.cpp - The loss pipelines for NVIDIA GPUs -----------------------===//
//
// --loss-lower-to-nvvm and its CPU-emulated twin --loss-lower-to-gpu-emulation
// share everything up to the kernels (buildLossToGPUKernels):
//
//   loss ops (tensors)
//     -> convert-loss-to-gpu      softmax family, CTC: hand-mapped kernels
//     -> convert-loss-to-linalg   the rest: linalg on tensors
//     -> one-shot bufferization, buffer deallocation
//     -> map-linalg-to-gpu        every linalg op: a gpu.launch
//     -> gpu-host-memory          buffers kernels touch: managed memory
//
// then either the NVVM path (outlining, NVVM, PTX/cubin, gpu-to-llvm) or the
// emulation (gpu-emulate: blocks as OpenMP parallel regions, then the
// host LLVM lowering).
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Conversion/LossToGPU/LossToGPU.h"
#include "loss-mlir/Conversion/LossToLinalg/LossToLinalg.h"
#include "loss-mlir/Dialect/Loss/Transforms/Passes.h"
#include "loss-mlir/GPU/Transforms/Passes.h"
#include "loss-mlir/Pipelines/Pipelines.h"
#include "PipelineSteps.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"

using namespace mlir;

namespace {

template <typename Options>
void buildLossToGPUKernels(OpPassManager &pm,
                           const loss::LossGPUKernelOptions<Options> &options,
                           bool copyArguments) {
  if (options.fuse)
    loss::detail::addLossFusionSteps(pm);
  if (options.kernels) {
    loss::ConvertLossToGPUOptions kernels;
    kernels.blockSize = options.blockSize;
    kernels.maxGridSize = options.maxGridSize;
    pm.addPass(loss::createConvertLossToGPU(kernels));
  }
  loss::detail::addLossToLinalgSteps(pm);
  // As on the CPU: buffers across function boundaries, identity layouts.
  loss::detail::addBufferizationSteps(pm, options.resultsToOutParams);
  pm.addPass(createCanonicalizerPass());

  // Every linalg op becomes a kernel; buffers kernels touch become managed.
  loss::MapLinalgToGPUOptions mapping;
  mapping.blockSize = options.blockSize;
  mapping.maxGridSize = options.maxGridSize;
  pm.addNestedPass<func::FuncOp>(loss::createMapLinalgToGPU(mapping));
  loss::GPUHostMemoryOptions memory;
  memory.copyArguments = copyArguments;
  pm.addPass(loss::createGPUHostMemory(memory));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

/// The CUDA toolkit found when loss-mlir was configured, if it still exists.
std::string defaultToolkit() {
#ifdef LOSS_MLIR_CUDA_TOOLKIT_DIR
  if (llvm::sys::fs::is_directory(LOSS_MLIR_CUDA_TOOLKIT_DIR))
    return LOSS_MLIR_CUDA_TOOLKIT_DIR;
#endif
  return "";
}

} // namespace

void mlir::loss::buildLossLowerToNVVMPipeline(
    OpPassManager &pm, const LossLowerToNVVMOptions &options) {
  buildLossToGPUKernels(pm, options, options.copyArguments);

  // Kernels out of the host functions, to CFG (gpu.all_reduce lowers in a
  // CFG) and NVVM.
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(loss::createGPUMergeKernelModules());
  pm.addPass(createLowerAffinePass());
  // vector-to-scf makes loops of its own (e.g. to print vectors).
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.features;
  target.optLevel = options.optLevel;
  pm.addPass(createGpuNVVMAttachTarget(target));
  OpPassManager &device = pm.nest<gpu::GPUModuleOp>();
  device.addPass(createStripDebugInfoPass());
  device.addPass(createConvertGpuOpsToNVVMOps());
  device.addPass(LLVM::createNVVMOptimizeForTargetPass());
  device.addPass(createCanonicalizerPass());
  device.addPass(createCSEPass());
  device.addPass(createReconcileUnrealizedCastsPass());

  // Host code, kernel launches through the mgpu* runtime functions, and the
  // kernels serialized into the module.
  loss::detail::addHostToLLVMSteps(pm, /*openmp=*/false,
                                   options.checksReturnStatus);
  pm.addPass(createGpuToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = options.format;
  binary.toolkitPath =
      options.toolkit.empty() ? defaultToolkit() : std::string(options.toolkit);
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(createCanonicalizerPass());
}

void mlir::loss::buildLossLowerToGPUEmulationPipeline(
    OpPassManager &pm, const LossLowerToGPUEmulationOptions &options) {
  buildLossToGPUKernels(pm, options, /*copyArguments=*/true);
  pm.addPass(loss::createGPUEmulate());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createSCFToControlFlowPass());
  loss::detail::addHostToLLVMSteps(pm, /*openmp=*/true,
                                   options.checksReturnStatus);
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}
