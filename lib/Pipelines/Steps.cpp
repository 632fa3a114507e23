//===- Steps.cpp - Steps shared by the loss pipelines ---------------------===//
//
// The parts of the CPU and GPU pipelines that are the same on both: loss ops
// to linalg, bufferization, and host code to LLVM.
//
//===----------------------------------------------------------------------===//

#include "PipelineSteps.h"
#include "loss-mlir/Conversion/LossToLinalg/LossToLinalg.h"
#include "loss-mlir/Dialect/Loss/Transforms/Passes.h"
#include "loss-mlir/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::loss::detail::addLossFusionSteps(OpPassManager &pm) {
  pm.addPass(createLossFuseLogSoftmaxNll());
  // After the log_softmax + nll fusion, which may form the cross entropy
  // that a linear layer feeds; before the gradient fusion.
  pm.addPass(createLossFuseLinearCrossEntropy());
  pm.addPass(createLossFuseCrossEntropyGrad());
}

void mlir::loss::detail::addLossToLinalgSteps(OpPassManager &pm,
                                              unsigned vectorBits) {
  // The elementwise linalg.generic ops already there (an imported ONNX
  // graph's) fuse into their consumers first: a chain of N of them would
  // otherwise bufferize as N ops whose destinations, tensor.empty ops that
  // CSE merges into one value, form one alias set that One-Shot Bufferize's
  // analysis takes superlinear time over (400 chained Abs: 4 s, 3000: more
  // than 300 s). Before the loss lowerings, whose kernels stay as built.
  pm.addPass(createLinalgElementwiseOpFusionPass());
  ConvertLossToLinalgOptions toLinalg;
  toLinalg.vectorBits = vectorBits;
  pm.addPass(createConvertLossToLinalg(toLinalg));
  pm.addPass(createConvertElementwiseToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::loss::detail::addBufferizationSteps(OpPassManager &pm,
                                               bool resultsToOutParams) {
  // CSE has merged identical destinations (tensor.empty, and fills of
  // them) into one value per shape: one op each again, so that One-Shot
  // Bufferize's analysis stays linear (400 imported ReduceSum/Sub pairs
  // took 13 s).
  pm.addNestedPass<func::FuncOp>(createSplitSharedDestinations());
  // Each out-param needs a buffer of its own.
  if (resultsToOutParams)
    pm.addNestedPass<func::FuncOp>(createCopyRepeatedResults());
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

void mlir::loss::detail::addHostToLLVMSteps(OpPassManager &pm, bool openmp,
                                            bool checksReturnStatus) {
  if (checksReturnStatus)
    pm.addPass(createAssertsToStatus());
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
