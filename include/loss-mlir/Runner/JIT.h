//===- JIT.h - Compile a loss module and call it on host buffers -*- C++ -*-===//
//
// Why this exists: loss-run and the ONNX test runner (and later the
// ahead-of-time compiler's checks) need the same steps: load an ONNX model or
// MLIR file, compile it through the CPU, CUDA or emulated-GPU pipeline with
// caller-allocated results, JIT it with MLIR's ExecutionEngine, bind input
// tensors to the function's arguments and call it. They are written once,
// here.
//
// Errors located in IR (the importer, the parser, the pipeline, a function
// that cannot be run) are MLIR diagnostics on the module's context; errors
// about files and buffers are llvm::Errors whose message is the whole line.
//
//===----------------------------------------------------------------------===//

#ifndef LOSS_MLIR_RUNNER_JIT_H
#define LOSS_MLIR_RUNNER_JIT_H

#include "loss-mlir/Runner/TensorIO.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <optional>
#include <string>

namespace mlir {
class DialectRegistry;
namespace loss {
namespace runner {

/// Where compiled code runs.
enum class Device {
  CPU,          ///< --loss-lower-to-llvm
  CUDA,         ///< --loss-lower-to-nvvm, through libloss_cuda_runtime.so
  GPUEmulation, ///< --loss-lower-to-gpu-emulation: GPU kernels on host threads
};

/// `cpu`, `cuda` or `gpu-emulation`; nothing for anything else.
std::optional<Device> parseDevice(StringRef name);

struct CompileOptions {
  Device device = Device::CPU;
  /// Fuse log_softmax + nll.
  bool fuse = true;
  /// The function to compile; empty: the only public one.
  std::string entry;
  /// GPU architecture for Device::CUDA.
  std::string gpuChip = "sm_90";
  /// libloss_cuda_runtime.so for Device::CUDA; empty: next to the running
  /// executable, in ../lib, else the dynamic loader's search path.
  std::string cudaRuntime;
  /// Run the entry's value-and-grad function (loss-generate-gradients)
  /// instead: its results, then the gradients with respect to `gradWrt`
  /// (argument indices or onnx.names; empty: every float argument the loss
  /// depends on through differentiable operands).
  bool grad = false;
  SmallVector<std::string> gradWrt;
};

/// libloss_cuda_runtime.so next to the running executable or in ../lib (the
/// build and install trees' layout), as an absolute path; empty if absent.
std::string findCudaRuntimeLibrary();

/// Registers what the runner parses, imports and translates to LLVM IR:
/// every upstream dialect and extension, the loss dialect, and the LLVM IR
/// translations of the CPU and GPU pipelines.
void registerRunnerDialects(DialectRegistry &registry);

/// An ONNX model (`.onnx`: imported) or MLIR file (parsed) into a module of
/// `context`. Errors are diagnostics and yield null.
OwningOpRef<ModuleOp> parseModule(std::unique_ptr<llvm::MemoryBuffer> buffer,
                                  StringRef path, MLIRContext &context);

/// What CompiledFunction::benchmark measured.
struct BenchmarkTimes {
  SmallVector<double> seconds; ///< one per call, ascending
  uint64_t bytes = 0;          ///< the inputs' and outputs' bytes
  double min() const { return seconds.front(); }
  double median() const { return seconds[seconds.size() / 2]; }
};

/// A JIT-compiled function taking its inputs and then caller-allocated
/// outputs, all statically shaped.
struct CompiledFunction {
  std::unique_ptr<ExecutionEngine> engine;
  std::string name;
  SmallVector<RankedTensorType> argTypes, resultTypes;
  /// `onnx.name` attributes, else `argN` / `resultN`.
  SmallVector<std::string> argNames, resultNames;

  /// Calls the function on `inputs` (one per argument, of its type);
  /// `outputs` receives one zero-initialised tensor per result, which the
  /// call fills.
  llvm::Error call(ArrayRef<HostTensor *> inputs,
                   SmallVectorImpl<HostTensor> &outputs);

  /// Calls the function `calls` times on `inputs` (outputs allocated once,
  /// before the first); the times of the calls alone.
  llvm::Expected<BenchmarkTimes> benchmark(ArrayRef<HostTensor *> inputs,
                                           unsigned calls);

private:
  llvm::Error run(ArrayRef<HostTensor *> inputs,
                  SmallVectorImpl<HostTensor> &outputs, unsigned repetitions,
                  SmallVectorImpl<double> *seconds);
};


/// Picks the function to run (see CompileOptions::entry), lowers `module`
/// through the pipeline of `options.device` and JIT-compiles it. Errors are
/// diagnostics on the module's context.
FailureOr<CompiledFunction> compileModule(OwningOpRef<ModuleOp> module,
                                          const CompileOptions &options);

/// Checks that `tensor` (read from `from`) has the type of argument `index`.
llvm::Error checkInput(const CompiledFunction &function, size_t index,
                       const HostTensor &tensor, StringRef from);

/// Reads the inputs given as `NAME=FILE` (or `FILE`, taking the arguments in
/// order) from `.npy` or TensorProto files, checks them against the
/// function's arguments and requires a value for each.
llvm::Expected<SmallVector<HostTensor>>
bindInputs(MLIRContext *context, const CompiledFunction &function,
           ArrayRef<std::string> specs);

} // namespace runner
} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_RUNNER_JIT_H
