//===- CPU.cpp - The loss pipeline for the host CPU -----------------------===//

#include "PipelineSteps.h"
#include "loss-mlir/Conversion/LossToLinalg/LossToLinalg.h"
#include "loss-mlir/Dialect/Loss/Transforms/Passes.h"
#include "loss-mlir/Pipelines/Pipelines.h"
#include "loss-mlir/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::loss::buildLossLowerToLLVMPipeline(
    OpPassManager &pm, const LossLowerToLLVMOptions &options) {
  // Loss ops to linalg on tensors, then buffers.
  if (options.fuse)
    detail::addLossFusionSteps(pm);
  detail::addLossToLinalgSteps(pm, options.vectorBits ? options.vectorBits
                                                     : getHostVectorBits());
  // Full sums: short runs in vectorizable, parallel partials, then a
  // compensated sum of the partials (accurate at any size, and threads).
  pm.addPass(createBlockSumReductions());
  // Their lanes as vectors in registers (LLVM leaves the lane loop scalar
  // once OpenMP outlines it).
  pm.addNestedPass<func::FuncOp>(createVectorizeLaneReductions());
  detail::addBufferizationSteps(pm, options.resultsToOutParams);

  // Loops: parallel dims become scf.parallel (OpenMP threads on request),
  // reductions stay sequential scf.for.
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  pm.addPass(createSerializeNestedParallel());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createLoopInvariantCodeMotionPass());
  // Streams of vectors keep ahead of the hardware prefetchers, which stop
  // at every page.
  pm.addNestedPass<func::FuncOp>(createPrefetchStreams());
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
  pm.addPass(createApproximateF32Math());
  // vector-to-scf makes loops of its own (e.g. to print vectors).
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createSCFToControlFlowPass());

  detail::addHostToLLVMSteps(pm, options.parallel,
                             options.checksReturnStatus);
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}
