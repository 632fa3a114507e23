//===- Pipelines.h - Loss compilation pipelines -----------------*- C++ -*-===//
#ifndef LOSS_MLIR_PIPELINES_PIPELINES_H
#define LOSS_MLIR_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;
namespace loss {

/// Options every loss pipeline takes (CRTP, as PassPipelineOptions).
template <typename Derived>
struct LossPipelineOptions : public PassPipelineOptions<Derived> {
  ::mlir::detail::PassOptions::Option<bool> fuse{
      *this, "fuse",
      llvm::cl::desc("Fuse log_softmax + nll into softmax_cross_entropy, and "
                     "cross entropy's forward and backward, first"),
      llvm::cl::init(true)};
  ::mlir::detail::PassOptions::Option<bool> resultsToOutParams{
      *this, "results-to-out-params",
      llvm::cl::desc("Return results through caller-allocated out-params "
                     "(for callers such as loss-run that own the buffers)"),
      llvm::cl::init(false)};
  ::mlir::detail::PassOptions::Option<bool> checksReturnStatus{
      *this, "checks-return-status",
      llvm::cl::desc("A failed run-time check of a function returns, with "
                     "the status and message in thread-local globals "
                     "(asserts-to-status), instead of aborting (for "
                     "libraries: loss-compile)"),
      llvm::cl::init(false)};
};

struct LossLowerToLLVMOptions
    : public LossPipelineOptions<LossLowerToLLVMOptions> {
  ::mlir::detail::PassOptions::Option<bool> parallel{
      *this, "parallel",
      llvm::cl::desc("Run independent rows/samples on OpenMP threads (needs "
                     "libomp at run time)"),
      llvm::cl::init(false)};
  ::mlir::detail::PassOptions::Option<unsigned> vectorBits{
      *this, "vector-bits",
      llvm::cl::desc("Width in bits of the explicit vectors of the row "
                     "schedules (0: the host CPU's widest: 512 with AVX-512, "
                     "256 with AVX, else 128)"),
      llvm::cl::init(0)};
};

/// From loss ops on tensors to the LLVM dialect for the host CPU: lowering to
/// linalg, one-shot bufferization across function boundaries, loops, and the
/// LLVM conversions. Functions with `llvm.emit_c_interface` get C wrappers.
void buildLossLowerToLLVMPipeline(OpPassManager &pm,
                                  const LossLowerToLLVMOptions &options);

/// Options of the GPU path's kernel mapping, shared by the NVVM pipeline and
/// its CPU emulation.
template <typename Derived>
struct LossGPUKernelOptions : public LossPipelineOptions<Derived> {
  ::mlir::detail::PassOptions::Option<bool> kernels{
      *this, "kernels",
      llvm::cl::desc("Hand-mapped kernels for the softmax family (block per "
                     "row) and CTC (block per sample); else every op takes "
                     "the generic linalg mapping"),
      llvm::cl::init(true)};
  ::mlir::detail::PassOptions::Option<unsigned> blockSize{
      *this, "block-size", llvm::cl::desc("Threads per block"),
      llvm::cl::init(256)};
  ::mlir::detail::PassOptions::Option<unsigned> maxGridSize{
      *this, "max-grid-size",
      llvm::cl::desc("Most blocks per launch (blocks loop over the rest)"),
      llvm::cl::init(65535)};
};

struct LossLowerToNVVMOptions
    : public LossGPUKernelOptions<LossLowerToNVVMOptions> {
  ::mlir::detail::PassOptions::Option<bool> copyArguments{
      *this, "copy-arguments",
      llvm::cl::desc("Copy memref arguments of public functions into managed "
                     "memory on entry (and written ones back on return), so "
                     "that callers pass plain host memory"),
      llvm::cl::init(true)};
  ::mlir::detail::PassOptions::Option<std::string> chip{
      *this, "chip", llvm::cl::desc("GPU architecture (sm_XX)"),
      llvm::cl::init("sm_90")};
  ::mlir::detail::PassOptions::Option<std::string> features{
      *this, "features", llvm::cl::desc("NVPTX features (PTX ISA version)"),
      llvm::cl::init("+ptx80")};
  ::mlir::detail::PassOptions::Option<unsigned> optLevel{
      *this, "opt-level",
      llvm::cl::desc("Optimization level of the device code (0-3)"),
      llvm::cl::init(2)};
  ::mlir::detail::PassOptions::Option<std::string> format{
      *this, "format",
      llvm::cl::desc("What the kernels are embedded as: isa (PTX, JIT-"
                     "compiled by the driver when the module loads), bin "
                     "(cubin, needs ptxas), fatbin (needs ptxas and "
                     "fatbinary) or llvm"),
      llvm::cl::init("isa")};
  ::mlir::detail::PassOptions::Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("CUDA toolkit directory (libdevice, ptxas); default: "
                     "the one found when loss-mlir was configured, else "
                     "$CUDA_ROOT/$CUDA_HOME/$CUDA_PATH"),
      llvm::cl::init("")};
};

/// From loss ops on tensors to the LLVM dialect for a host that launches
/// CUDA kernels: hand-mapped kernels for the softmax family and CTC, the
/// generic linalg-to-GPU mapping for everything else, buffers kernels touch
/// in managed memory, kernels outlined and lowered to NVVM, serialized
/// (PTX by default) and embedded, host code through gpu-to-llvm. The
/// program then needs libloss_cuda_runtime.so (mgpu* functions).
void buildLossLowerToNVVMPipeline(OpPassManager &pm,
                                  const LossLowerToNVVMOptions &options);

struct LossLowerToGPUEmulationOptions
    : public LossGPUKernelOptions<LossLowerToGPUEmulationOptions> {
  // Each GPU thread is an OpenMP thread: few of them by default.
  LossLowerToGPUEmulationOptions() { blockSize.setInitialValue(4); }
};

/// The GPU path up to its kernels (the same passes as
/// `--loss-lower-to-nvvm`), then the kernels run on the host: every block an
/// OpenMP parallel region of block-size threads (gpu-emulate). Tests the
/// GPU mappings numerically on machines without a GPU; needs libomp.
void buildLossLowerToGPUEmulationPipeline(
    OpPassManager &pm, const LossLowerToGPUEmulationOptions &options);

/// Registers `--loss-lower-to-llvm`, `--loss-lower-to-nvvm` and
/// `--loss-lower-to-gpu-emulation`.
void registerLossPipelines();

} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_PIPELINES_PIPELINES_H
