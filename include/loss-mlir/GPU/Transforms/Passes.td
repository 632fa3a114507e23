//===- Passes.td - GPU transforms of linalg/memref code ----*- tablegen -*-===//
//
// Generic GPU transforms: mapping linalg ops on buffers to gpu.launch
// kernels, the host memory the kernels touch, one gpu.module per host
// function, and running kernels on the host for testing. Nothing here is
// specific to losses.
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_GPU_TRANSFORMS_PASSES_TD
#define LOSS_GPU_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def MapLinalgToGPU : Pass<"map-linalg-to-gpu", "::mlir::func::FuncOp"> {
  let summary = "Map linalg ops on buffers to gpu.launch kernels";
  let description = [{
    Turns every linalg op on buffers outside a kernel into one or two
    `gpu.launch` kernels, by the shape of its iteration space:

    * all loops parallel: a 1-D grid-stride loop over the linearised
      iteration space (the innermost loop varies fastest across threads);
    * parallel loops and reductions, with every result a reduction that
      splits: `acc = op(acc, f(...))` with `op` one of add, mul, min, max,
      and, or, xor, or an online pair (a running max `m` and a sum `s`
      rescaled when `m` rises, `s = a > m ? s * q + 1 : s + q` with
      `q = q(a, m)`, as in the online softmax or the scaled p-norm, merged
      as `M = max m_t`, `S = sum_t s_t q(m_t, M)`): one block per output
      point (row), the block's threads stride over the reduction space with
      thread-local partials that are merged with `gpu.all_reduce`; thread 0
      folds the result into the output;
    * reductions only (a full reduction to a scalar), decomposable: a
      grid-stride kernel writes one partial per block, a second one-block
      kernel reduces the partials into the output (deterministic, no
      atomics);
    * anything else: one thread per output point running the reduction
      loops sequentially.

    Named linalg ops are generalised first.
  }];
  let options = [
    Option<"blockSize", "block-size", "unsigned", /*default=*/"256",
           "Threads per block">,
    Option<"maxGridSize", "max-grid-size", "unsigned", /*default=*/"65535",
           "Most blocks per launch (grid-stride loops cover the rest)">,
    Option<"maxPartials", "max-partials", "unsigned", /*default=*/"1024",
           "Most blocks (partials) of the first kernel of a full reduction">,
  ];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def GPUHostMemory : Pass<"gpu-host-memory", "::mlir::ModuleOp"> {
  let summary = "Make the buffers that kernels touch accessible from the GPU";
  let description = [{
    Host functions keep running on the CPU and kernels run on the GPU, so
    every buffer a kernel may touch must be reachable from both. This pass
    puts them in CUDA managed memory:

    * `memref.alloc` outside kernels becomes `gpu.alloc host_shared`
      (`cuMemAllocManaged`) and `memref.dealloc` its `gpu.dealloc`; so does
      a `memref.alloca` that may reach a kernel (freed after its last use);
    * a `memref.get_global` (constants live in host memory) that may reach a
      kernel, a call of a function with a body, or a return, is copied into
      a managed buffer where it is read;
    * with `copy-arguments`, the memref arguments of public functions that
      may reach a kernel are copied into managed buffers on entry, and those
      the function may write are copied back before every return, so that
      C callers (mlir-runner, loss-run) pass plain host memory.
  }];
  let options = [
    Option<"copyArguments", "copy-arguments", "bool", /*default=*/"true",
           "Copy memref arguments of public functions in (and back out)">,
  ];
  let dependentDialects = [
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

def GPUEmulate : Pass<"gpu-emulate", "::mlir::ModuleOp"> {
  let summary = "Run gpu.launch kernels on the host with OpenMP threads";
  let description = [{
    For testing kernels on machines without a GPU: every `gpu.launch`
    becomes a sequential loop over its blocks, each block an `omp.parallel`
    region with one OpenMP thread per GPU thread. `gpu.barrier` becomes
    `omp.barrier`; `gpu.all_reduce` stores each thread's value to a shared
    scratch buffer and, between two barriers, every thread folds the whole
    buffer in thread order. `gpu.alloc` and `gpu.dealloc` become their
    memref counterparts and `gpu.wait` disappears. Programs then need
    libomp at run time, and exactly as many OpenMP threads as a block has
    GPU threads (checked at run time).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::cf::ControlFlowDialect",
    "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::omp::OpenMPDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def GPUMergeKernelModules
    : Pass<"gpu-merge-kernel-modules", "::mlir::ModuleOp"> {
  let summary = "One gpu.module per host function";
  let description = [{
    `gpu-kernel-outlining` puts every kernel in a gpu.module of its own, and
    every gpu.module becomes a binary that the program loads (and, as PTX,
    the driver JIT-compiles) when it starts. This pass moves the kernels that
    a host function launches into one gpu.module, `<function>_kernels` (each
    kernel renamed after its old module), and updates the launches.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

#endif // LOSS_GPU_TRANSFORMS_PASSES_TD
