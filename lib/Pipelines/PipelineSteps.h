//===- PipelineSteps.h - Steps shared by the loss pipelines -----*- C++ -*-===//
#ifndef LOSS_MLIR_LIB_PIPELINES_PIPELINESTEPS_H
#define LOSS_MLIR_LIB_PIPELINES_PIPELINESTEPS_H

namespace mlir {
class OpPassManager;
namespace loss::detail {

/// The loss-level fusions, in order: log_softmax + nll into cross entropy,
/// then cross entropy's backward chains and its forward with its backward.
void addLossFusionSteps(OpPassManager &pm);

/// Loss ops (and elementwise ops on tensors) to linalg on tensors, cleaned
/// up; runs after any fusion or target-specific kernel passes. `vectorBits`:
/// the width of the CPU schedules' explicit vectors (0: none).
void addLossToLinalgSteps(OpPassManager &pm, unsigned vectorBits = 0);

/// Tensors to buffers across function boundaries with identity layouts (so
/// C callers see plain descriptors), optionally returning results through
/// caller-allocated out-params, then buffer deallocation (clones as
/// memref copies).
void addBufferizationSteps(OpPassManager &pm, bool resultsToOutParams);

/// Host code (loops already lowered to cf) to the LLVM dialect: arith
/// expansion (bf16 conversions without compiler-rt), vector, memref, math,
/// arith, index, OpenMP on request, func, cf and ub conversions; with
/// `checksReturnStatus`, function-level checks first return a status
/// (asserts-to-status) rather than abort.
void addHostToLLVMSteps(OpPassManager &pm, bool openmp,
                        bool checksReturnStatus);

} // namespace loss::detail
} // namespace mlir

#endif // LOSS_MLIR_LIB_PIPELINES_PIPELINESTEPS_H
