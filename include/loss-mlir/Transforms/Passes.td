//===- Passes.td - Generic transforms of loss-mlir ---------*- tablegen -*-===//
//
// Transforms that never look at a loss op: they rewrite linalg, scf and math
// code as the loss lowerings produce it, and could serve any other program.
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_MLIR_TRANSFORMS_PASSES_TD
#define LOSS_MLIR_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def BlockSumReductions : Pass<"block-sum-reductions"> {
  let summary = "Accurate, parallel and vectorizable full float sums";
  let description = [{
    A `linalg.generic` that reduces every loop into 0-d float accumulators
    with `acc = arith.addf(acc, x)` adds its terms one after another: the
    rounding error grows like n (a mean over 16M `f32` elements drifts by
    percents), the loop has no parallel dimension for threads, and the
    carried dependence keeps it scalar. This pass rewrites such a generic
    (inputs indexed by loop dims and broadcast constants) into:

    1. Partial sums of short runs. When every input is indexed by the
       identity map the iteration space is collapsed to one dimension first.
       An innermost dimension of at least `run-length` x `lanes` points is
       split into blocks of `lanes` independent lanes that each add
       `run-length` consecutive-in-lane terms (`[rows..., G, run, lanes]`,
       parallel over the blocks and lanes: the block loop takes threads and
       the lane loop vectorizes), then the partial block and the last
       points; a shorter innermost dimension is summed per row. No partial
       adds more than `run-length` (or, for a short innermost dimension,
       `run-length` x `lanes`) terms.
    2. One compensated (Neumaier) sum of all partials into the original
       accumulators, whose error does not grow with their number.

    The result's error is that of one run plus a few ulps, independent of
    the number of terms, at the cost of a temporary of 1/`run-length` of
    the iteration space. Non-finite partials propagate as in a plain sum.
    Sums with fewer than `min-size` terms are left alone.
  }];
  let options = [
    Option<"runLength", "run-length", "int64_t", /*default=*/"32",
           "Terms each lane of a partial sum adds">,
    Option<"lanes", "lanes", "int64_t", /*default=*/"0",
           "Independent lanes per block (0: one 512-bit vector of the "
           "widest accumulator type)">,
    Option<"minSize", "min-size", "int64_t", /*default=*/"512",
           "Fewest terms of a sum that is rewritten">,
  ];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // LOSS_MLIR_TRANSFORMS_PASSES_TD
