//===- Passes.td - Loss conversion passes ------------------*- tablegen -*-===//
#ifndef LOSS_CONVERSION_PASSES_TD
#define LOSS_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertLossToLinalg : Pass<"convert-loss-to-linalg"> {
  let summary = "Lower loss ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Lowers every `loss` op to `linalg.generic` ops on tensors with
    numerically stable, streaming formulations: cross entropy keeps a running
    max and a running sum of exponentials per row (online softmax) and never
    materialises a logits-shaped temporary unless `log_prob` is asked for;
    elementwise losses are one fused elementwise + reduction pass. `f16` and
    `bf16` inputs accumulate in `f32`. Upstream's `linalg.softmax` (as front
    ends and the ONNX importer emit it) takes the same streaming path.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "unsigned", /*default=*/"0",
           "Width in bits of the explicit vectors of the CPU schedules (rows "
           "of contiguous classes are walked in `vector` ops of this width); "
           "0: scalar linalg only, for targets that map linalg themselves "
           "(the GPU)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::cf::ControlFlowDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

#endif // LOSS_CONVERSION_PASSES_TD
