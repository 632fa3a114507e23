//===- AheadOfTime.h - Loss modules to libraries with a C ABI ---*- C++ -*-===//
//
// Why this exists: a compiled loss is useful where the training loop is, in
// C, Python or PyTorch, not only in loss-run's JIT. loss-compile (and the
// Python package through it) turns every public function of a module into
// a C entry point of a shared library or object file:
//
//   int32_t f(const T0 *in0, [int64_t in0_dimK for each dynamic dim K,]
//             ..., R0 *out0, ...);
//
// Inputs are dense row-major buffers, outputs are caller-allocated; a
// result's dynamic dims equal input dims (the header says which). The call
// returns 0, or 1 when a run-time check of the function failed (sizes that
// disagree, a negative dim); then `<prefix>_last_error()` says which and
// the outputs are unspecified. The library also exports
// `<prefix>_manifest()`, a JSON description of its functions that the
// Python package reads.
//
//===----------------------------------------------------------------------===//

#ifndef LOSS_MLIR_COMPILE_AHEADOFTIME_H
#define LOSS_MLIR_COMPILE_AHEADOFTIME_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace mlir {
namespace loss {
namespace aot {

enum class Target {
  CPU,  ///< --loss-lower-to-llvm{parallel}: OpenMP threads over rows/samples
  CUDA, ///< --loss-lower-to-nvvm, linked against libloss_cuda_runtime.so
};

struct AOTOptions {
  Target target = Target::CPU;
  /// Fuse log_softmax + nll (and cross entropy's forward and backward).
  bool fuse = true;
  /// OpenMP threads on the CPU (OMP_NUM_THREADS at run time).
  bool parallel = true;
  /// Also export each function's `<name>_value_and_grad`.
  bool grad = false;
  /// With `grad`: the arguments to differentiate (names or indices).
  SmallVector<std::string> gradWrt;
  /// Only these functions (default: every public one).
  SmallVector<std::string> functions;
  /// The prefix of the library-wide entry points (`<prefix>_last_error`,
  /// `<prefix>_manifest`) and of the header guard; a C identifier.
  std::string prefix = "loss";
  /// GPU architecture for Target::CUDA.
  std::string gpuChip = "sm_90";
};

/// One operand or result of an exported function.
struct TensorABI {
  std::string name;
  Type elementType;
  SmallVector<int64_t> shape; ///< ShapedType::kDynamic for a dynamic dim
  /// Results only: for each dynamic dim, the (argument, dim) it equals.
  SmallVector<std::pair<unsigned, unsigned>> dimSources;
};

struct FunctionABI {
  std::string name; ///< the C symbol
  std::string doc;  ///< a sentence for the header
  SmallVector<TensorABI> args, results;
};

/// The C type of an element type (`float`, `int64_t`, `uint16_t` for the
/// bits of f16/bf16, `uint8_t` for i1), or nothing if it has none.
std::optional<std::string> cTypeName(Type elementType);

/// The functions to export (options.functions, else every public one; with
/// options.grad their value-and-grad functions too), checked to have a C
/// ABI: ranked tensors of supported element types, result dims that are
/// static or equal to argument dims. Adds the value-and-grad functions to
/// `module`. Errors are diagnostics.
FailureOr<SmallVector<FunctionABI, 0>> selectFunctions(ModuleOp module,
                                                    const AOTOptions &options);

/// Lowers `module` through the target's pipeline (results as out-params,
/// failed checks returning a status) and adds the C entry points of
/// `functions`, `<prefix>_last_error` and `<prefix>_manifest`. Errors are
/// diagnostics.
LogicalResult lowerToLibraryABI(ModuleOp module,
                                ArrayRef<FunctionABI> functions,
                                const AOTOptions &options);

/// The C header declaring `functions`, from `source` (a file name, for the
/// comment).
std::string emitHeader(ArrayRef<FunctionABI> functions,
                       const AOTOptions &options, StringRef source);

/// The JSON manifest of `functions`.
std::string emitManifest(ArrayRef<FunctionABI> functions,
                         const AOTOptions &options);

/// The lowered `module` to an object file for the host (or, with
/// `llvmIR`, to textual LLVM IR), optimized at -O3.
llvm::Error writeObjectFile(ModuleOp module, StringRef path,
                            bool llvmIR = false);

/// Links `object` into the shared library `output` with the system's C
/// compiler driver (clang-22, else cc), with libm, and libomp for
/// threads or libloss_cuda_runtime.so for CUDA, found by rpath.
llvm::Error linkSharedLibrary(StringRef object, StringRef output,
                              const AOTOptions &options);

} // namespace aot
} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_COMPILE_AHEADOFTIME_H
