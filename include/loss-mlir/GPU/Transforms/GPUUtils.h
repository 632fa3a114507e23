//===- GPUUtils.h - Helpers for building GPU kernels ------------*- C++ -*-===//
//
// Helpers for building GPU kernels, shared by the GPU transforms
// (lib/GPU/Transforms) and the hand-mapped loss kernels
// (lib/Conversion/LossToGPU): launching a kernel, index arithmetic of grids
// and blocks, block-wide reductions, kernel buffers. The loss arithmetic the
// kernels run is in loss-mlir/Dialect/Loss/Utils/.
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_MLIR_GPU_TRANSFORMS_GPUUTILS_H
#define LOSS_MLIR_GPU_TRANSFORMS_GPUUTILS_H

#include "loss-mlir/Dialect/Loss/Utils/LossArithmetic.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"

namespace mlir {
namespace loss {

/// A `gpu.launch` with a 1-D grid of 1-D blocks, under construction: the
/// builder that made it points before its terminator.
struct Kernel {
  gpu::LaunchOp launch;
  Value blockId, threadId, gridSize, blockSize; // x dimension, index
  /// blockId * blockSize + threadId and gridSize * blockSize.
  Value globalId(OpBuilder &b, Location loc) const;
  Value globalSize(OpBuilder &b, Location loc) const;
};

/// Creates the kernel at `b`'s insertion point and moves `b` into its body.
/// `grid` and `block` are index values computed on the host.
Kernel createKernel(OpBuilder &b, Location loc, Value grid, Value block);

/// ceil(a / c) for non-negative a and positive c.
Value ceilDivIndex(OpBuilder &b, Location loc, Value a, Value c);
/// min(max(v, lo), hi), unsigned.
Value clampIndex(OpBuilder &b, Location loc, Value v, int64_t lo, int64_t hi);
/// The product of `values` (1 if empty).
Value productIndex(OpBuilder &b, Location loc, ArrayRef<Value> values);
/// Splits a row-major linear index over `sizes` (last fastest).
SmallVector<Value> delinearizeIndex(OpBuilder &b, Location loc, Value linear,
                                    ArrayRef<Value> sizes);
/// Threads per block for `work` independent items of one row: `work` rounded
/// up to a multiple of 32, clamped into [min(32, maxBlock), maxBlock].
Value blockSizeFor(OpBuilder &b, Location loc, Value work, unsigned maxBlock);

/// Reduces `v` over the threads of the block; every thread gets the result.
/// Every thread of the block must reach the call (uniform control flow).
/// Narrow integer and float types are widened to 32 bits for the shuffles.
/// Call `gpu::BarrierOp` after the last reduction of a group, before any of
/// them runs again (the lowering reuses one shared buffer per op).
Value blockAllReduce(OpBuilder &b, Location loc, Value v,
                     gpu::AllReduceOperation kind);

/// Launches `grid` blocks of `block` threads (a kernel tagged
/// `loss.mapping = mapping`) whose blocks loop over `numItems` items (rows,
/// samples): block i takes items i, i + grid, ...; `body` builds one item,
/// run by every thread of the block.
void launchBlockPerItem(
    OpBuilder &b, Location loc, Value grid, Value block, StringRef mapping,
    Value numItems,
    function_ref<void(OpBuilder &, Location, const Kernel &, Value)> body);

/// Runs `body` in thread 0 of the block only.
void ifThreadZero(OpBuilder &b, Location loc, const Kernel &k,
                  function_ref<void(OpBuilder &, Location)> body);

/// The buffer of a tensor for a kernel to read (any layout).
Value kernelInput(OpBuilder &b, Location loc, Value tensor);
/// A new identity-layout buffer of `shape` for a kernel to write.
Value kernelOutput(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> shape,
                   Type elementType);
/// The tensor a kernel wrote into `buffer`.
Value kernelResult(OpBuilder &b, Location loc, Value buffer);

} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_GPU_TRANSFORMS_GPUUTILS_H
