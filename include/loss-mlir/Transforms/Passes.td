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

def VectorizeLaneReductions : Pass<"vectorize-lane-reductions", "::mlir::func::FuncOp"> {
  let summary = "Explicit vectors for reductions into independent lanes";
  let description = [{
    A `linalg.generic` with iterators `[parallel..., reduction, parallel]`,
    static sizes `R` and `L` in its last two loops, outputs indexed by every
    loop but the reduction, and an elementwise body accumulating with `addf`
    (what `block-sum-reductions` makes: runs of `R` terms in `L` lanes)
    becomes an `scf.forall` over the outer loops whose body is an `scf.for`
    over the `R` terms on `vector<L>` values: inputs contiguous along the
    lanes are `vector.transfer_read`s, the others are read once per term and
    broadcast, and the accumulators stay in registers. LLVM does not
    vectorize the lane loop of the plain lowering once OpenMP outlines it
    (the partials' buffer may then alias the inputs, and the trip count is
    too short for run-time checks), so that loop ran as scalar loads and
    stores of each accumulator. Generics of any other shape, or with a body
    op that is not elementwise (`linalg.index`, tensor reads), are left
    alone; the arithmetic is the body's, op for op.
  }];
  let dependentDialects = [
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def SerializeNestedParallel : Pass<"serialize-nested-parallel"> {
  let summary = "Turn nested scf.parallel loops, and innermost parallel dimensions, into scf.for";
  let description = [{
    Lowering linalg to parallel loops nests an `scf.parallel` for every
    parallel dimension that follows a reduction one, e.g. the lanes of a
    streaming row reduction inside its sequential class loop. Only the
    outermost parallel loop should become threads; inner ones would fork a
    thread team per iteration of the enclosing loop. This pass rewrites every
    `scf.parallel` without reductions that is nested in another loop into a
    nest of `scf.for` loops, which LLVM then vectorizes.

    The innermost dimension of a multi-dimensional `scf.parallel` (without
    reductions) becomes an `scf.for` inside the parallel loop over the other
    dimensions, for the same reason: `scf-to-openmp` would collapse all of
    them into one linear iteration space whose indices are recovered by a
    division per iteration, which does not vectorize.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

def PrefetchStreams : Pass<"prefetch-streams", "::mlir::func::FuncOp"> {
  let summary = "Software prefetch ahead of the vector streams of loops";
  let description = [{
    A CPU's hardware prefetchers follow a stream only within a 4 KiB page:
    at each page boundary they lose it, and a loop that reads a buffer once,
    in order, doing arithmetic on each vector (the exp of a softmax row)
    waits on memory at every page instead of overlapping the two. On a
    2-core Xeon one such row loop ran at half its in-cache speed, and at the
    speed of the sum of its compute and memory times.

    For each `scf.for` whose iterations read or write consecutive vectors
    of a buffer (`vector.transfer_read`, `vector.transfer_write`,
    `vector.load`, `vector.store` of a 1-D vector along the innermost
    dimension of a memref whose innermost stride is 1, at indices of which
    exactly one is the induction variable plus a loop-invariant offset, and
    whose stride times the step is the vector's length: a row walked in
    vectors, or the runs of a blocked reduction), this pass inserts a
    `memref.prefetch` of the element `distance` bytes ahead (for a write,
    for writing). A contiguous buffer (identity layout) is prefetched along
    its linear order, through a one-dimensional view, so that the stream
    continues across rows and blocks; another buffer only along its
    innermost dimension. The prefetch index is clamped to the last element,
    so that the address is always inside the buffer. Buffers (or, strided,
    innermost dimensions) whose static size is no larger than the distance
    are left alone (they are in cache before a prefetch could help), and so
    are reads of buffers the loop also writes.
  }];
  let options = [
    Option<"distance", "distance", "int64_t", /*default=*/"4096",
           "Bytes ahead of each access the prefetch reads">,
  ];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

def ApproximateF32Math : Pass<"approximate-f32-math"> {
  let summary = "Replace f32 math.exp and math.log by vectorizable polynomial "
                "approximations";
  let description = [{
    `math.exp` and `math.log` on `f32` (scalars or vectors) lower to calls
    into libm, which keep the loops around them scalar (the streaming
    softmax; bce, kl_div, poisson_nll, soft_margin and bce_with_logits's
    softplus). This pass rewrites them into upstream's polynomial
    approximations (range reduction plus a polynomial, accurate to a few
    ulp; log keeps -inf at 0, NaN below it, inf at inf), plain arithmetic
    that LLVM vectorizes. Subnormals, which the polynomials would flush,
    are handled exactly: below -87 exp computes `exp(x / 2)^2`; below the
    smallest normal log computes `log(x * 2^24) - 24 ln 2`. `f64` keeps libm.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def CopyRepeatedResults : Pass<"copy-repeated-results", "::mlir::func::FuncOp"> {
  let summary = "Give each result of a function a tensor of its own";
  let description = [{
    A function that returns one tensor value more than once (an ONNX graph
    listing an output twice) cannot have its results turned into
    caller-allocated out-params: each out-param needs its own buffer, and
    upstream's `buffer-results-to-out-params` crashes on the repeated value.
    This pass returns a copy (`bufferization.alloc_tensor ... copy(...)`) for
    every repetition, so that the later passes see distinct results.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

def SplitSharedDestinations : Pass<"split-shared-destinations", "::mlir::func::FuncOp"> {
  let summary = "Give each destination-style op a destination tensor of its own";
  let description = [{
    CSE merges identical `tensor.empty` ops, and `linalg.fill`s of them, so
    that every linalg op of a shape writes into one value. One-Shot
    Bufferize's analysis then works on one alias set as large as the
    function, in superlinear time (400 ReduceSum/Sub pairs of an imported
    ONNX graph: 13 s). This pass, run just before bufferization, clones
    such a destination (next to the original, so no loop gains an
    allocation) for every destination-style op after the first that writes
    into it. The buffers are those bufferization makes anyway: ops whose
    results are live at once need distinct buffers, and a filled
    destination is copied before a second write.
  }];
}

def AssertsToStatus : Pass<"asserts-to-status", "::mlir::ModuleOp"> {
  let summary = "Make a failed function-level cf.assert return with a status "
                "instead of aborting";
  let description = [{
    The run-time checks of the lowerings (a dynamic size that disagrees
    with another, a `blank` out of range) are `cf.assert`s, which abort the
    process. A library called from C, Python or PyTorch must not abort its
    host: this pass rewrites every `cf.assert` directly in the body of a
    function without results (results are out-params by then) into a
    branch to a block that stores 1 to the thread-local i32 global
    `status-symbol`, the assert's message (a NUL-terminated constant) to
    the thread-local pointer global `message-symbol`, and returns. The
    checks the lowerings make run before any output is written; on a
    failed check the outputs are left as they were. Asserts inside nested
    regions (OpenMP or GPU bodies) keep aborting: a worker thread cannot
    return for its caller. Callers reset the status before a call (the
    C entry points of `loss-compile` do).
  }];
  let options = [
    Option<"statusSymbol", "status-symbol", "std::string",
           /*default=*/"\"__loss_mlir_status\"",
           "The thread-local i32 set to 1 by a failed check">,
    Option<"messageSymbol", "message-symbol", "std::string",
           /*default=*/"\"__loss_mlir_error\"",
           "The thread-local pointer set to the failed check's message">,
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::cf::ControlFlowDialect"];
}

#endif // LOSS_MLIR_TRANSFORMS_PASSES_TD
