//===- Passes.td - Loss to GPU passes ----------------------*- tablegen -*-===//
#ifndef LOSS_CONVERSION_LOSSTOGPU_PASSES_TD
#define LOSS_CONVERSION_LOSSTOGPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertLossToGPU : Pass<"convert-loss-to-gpu"> {
  let summary = "Lower the softmax family and CTC to hand-mapped GPU kernels";
  let description = [{
    Replaces the ops whose best GPU mapping is not a loop nest with
    `gpu.launch` kernels on buffers (`bufferization.to_buffer` in,
    `bufferization.to_tensor` out), leaving the rest of the program on
    tensors:

    * `loss.log_softmax`, `loss.softmax_cross_entropy` (class or probability
      targets, `log_prob`) and `linalg.softmax`: one block per row; the
      block's threads stride over the classes keeping an online max and sum
      of exponentials, merged across the block with `gpu.all_reduce`
      (max, then the rescaled sums); thread 0 finishes the row's loss and
      every thread writes its share of `log_prob`/`softmax` in a second sweep
      of the row. `sum`/`mean` are left to a linalg reduction over the rows.
    * `loss.ctc`: one block per sample; the block's threads stride over the
      2 S + 1 label states (any S) of a double-buffered alpha row in global
      scratch memory, with one `gpu.barrier` per time step.

    Ops this pass does not handle are left for `convert-loss-to-linalg`.
  }];
  let options = [
    Option<"blockSize", "block-size", "unsigned", /*default=*/"256",
           "Threads per block (rows with fewer classes get fewer, in steps of "
           "32)">,
    Option<"maxGridSize", "max-grid-size", "unsigned", /*default=*/"65535",
           "Most blocks per launch (blocks loop over the remaining rows)">,
  ];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // LOSS_CONVERSION_LOSSTOGPU_PASSES_TD
