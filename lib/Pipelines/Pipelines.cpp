//===- Pipelines.cpp - Loss compilation pipelines -------------------------===//

#include "loss-mlir/Pipelines/Pipelines.h"
#include "PipelineSteps.h"
#include "loss-mlir/Conversion/LossToLinalg/LossToLinalg.h"
#include "loss-mlir/Dialect/Loss/Transforms/Passes.h"
#include "loss-mlir/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace mlir::loss {
// GPUPipelines.cpp
void registerLossGPUPipelines();
} // namespace mlir::loss

void mlir::loss::detail::addLossToLinalgSteps(OpPassManager &pm) {
  pm.addPass(createConvertLossToLinalg());
  pm.addPass(createConvertElementwiseToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::loss::detail::addBufferizationSteps(OpPassManager &pm,
                                               bool resultsToOutParams) {
  bufferization::OneShotBufferizePassOptions bufferization;
  bufferization.bufferizeFunctionBoundaries = true;
  bufferization.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferization));
  if (resultsToOutParams) {
    bufferization::BufferResultsToOutParamsPassOptions outParams;
    outParams.hoistStaticAllocs = true;
    outParams.modifyPublicFunctions = true;
    pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  }
  bufferization::buildBufferDeallocationPipeline(pm);
  // Deallocation clones buffers that cross calls (bufferization.clone).
  pm.addPass(createConvertBufferizationToMemRefPass());
}

void mlir::loss::detail::addHostToLLVMSteps(OpPassManager &pm, bool openmp) {
  // bf16/f16 conversions are expanded so that no compiler-rt routine is
  // needed at run time.
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  // log1p exactly (upstream's default is log(1 + x), which loses every
  // digit for small x); math ops LLVM has no intrinsic for call libm.
  ConvertMathToLLVMPassOptions mathToLLVM;
  mathToLLVM.approximateLog1p = false;
  pm.addPass(createConvertMathToLLVMPass(mathToLLVM));
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  if (openmp)
    pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
}

void mlir::loss::buildLossLowerToLLVMPipeline(
    OpPassManager &pm, const LossLowerToLLVMOptions &options) {
  // Loss ops to linalg on tensors, then buffers.
  if (options.fuse)
    pm.addPass(createLossFuseLogSoftmaxNll());
  detail::addLossToLinalgSteps(pm);
  // Full sums: short runs in vectorizable, parallel partials, then a
  // compensated sum of the partials (accurate at any size, and threads).
  pm.addPass(createBlockSumReductions());
  detail::addBufferizationSteps(pm, options.resultsToOutParams);

  // Loops: parallel dims become scf.parallel (OpenMP threads on request),
  // reductions stay sequential scf.for.
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  pm.addPass(createLossSerializeNestedParallel());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createLoopInvariantCodeMotionPass());
  if (options.parallel) {
    // Batch-parallel scf.forall loops (loss.ctc) become scf.parallel first,
    // so that they get OpenMP threads too (scf-to-cf would run them serially).
    pm.addPass(createForallToParallelLoopPass());
    pm.addPass(createConvertSCFToOpenMPPass());
    // scf-to-openmp wraps each loop body in memref.alloca_scope, which must
    // keep a single block: the canonicalizer inlines the scopes that hold no
    // stack allocation before scf-to-cf splits their bodies into blocks.
    pm.addPass(createCanonicalizerPass());
  }
  pm.addPass(createLowerAffinePass());
  pm.addPass(createLossApproximateMath());
  // vector-to-scf makes loops of its own (e.g. to print vectors).
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createSCFToControlFlowPass());

  detail::addHostToLLVMSteps(pm, options.parallel);
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void mlir::loss::registerLossPipelines() {
  PassPipelineRegistration<LossLowerToLLVMOptions>(
      "loss-lower-to-llvm",
      "Lower loss ops on tensors to the LLVM dialect for the host CPU",
      buildLossLowerToLLVMPipeline);
  registerLossGPUPipelines();
}
