//===- loss-compile.cpp - Loss models to shared libraries with a C header -===//
//
//   loss-compile model.onnx|file.mlir -o libloss.so --header loss.h
//                [--device=cpu|cuda] [--grad [--grad-wrt NAME,...]] [-c]
//
// Every public function (or those named by --function) becomes a C entry
// point; with --grad, its value-and-grad function too. The work is
// lib/Compile's; this file parses flags.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Compile/AheadOfTime.h"
#include "loss-mlir/Runner/JIT.h"
#include "loss-mlir/Runner/TensorIO.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::loss;
namespace cl = llvm::cl;

static cl::OptionCategory category("loss-compile options");
static cl::opt<std::string> input(cl::Positional, cl::Required,
                                  cl::desc("<model.onnx|file.mlir>"),
                                  cl::cat(category));
static cl::opt<std::string>
    output("o", cl::Required,
           cl::desc("Output: a shared library (.so), or with -c an object "
                    "file"),
           cl::value_desc("file"), cl::cat(category));
static cl::opt<bool> objectOnly("c",
                                cl::desc("Write an object file, do not link"),
                                cl::cat(category));
static cl::opt<bool> emitLLVM("emit-llvm",
                              cl::desc("Write the optimized LLVM IR instead "
                                       "of machine code"),
                              cl::cat(category));
static cl::opt<std::string>
    header("header", cl::desc("Also write the C header of the functions"),
           cl::value_desc("file.h"), cl::cat(category));
static cl::opt<std::string>
    prefix("prefix",
           cl::desc("Prefix of <prefix>_last_error() and <prefix>_manifest() "
                    "(default: the output's name without lib and suffix)"),
           cl::cat(category));
static cl::opt<std::string>
    device("device", cl::desc("cpu (OpenMP threads) or cuda (an NVIDIA GPU)"),
           cl::init("cpu"), cl::cat(category));
static cl::opt<std::string>
    gpuChip("gpu-chip", cl::desc("GPU architecture for --device=cuda"),
            cl::init("sm_90"), cl::cat(category));
static cl::opt<bool>
    noParallel("no-threads",
               cl::desc("Serial CPU code (no libomp dependency)"),
               cl::cat(category));
static cl::list<std::string>
    functions("function", cl::CommaSeparated,
              cl::desc("Only these public functions (default: all)"),
              cl::cat(category));
static cl::opt<bool> grad("grad",
                          cl::desc("Also export <function>_value_and_grad: "
                                   "the results, then the gradients"),
                          cl::cat(category));
static cl::list<std::string>
    gradWrt("grad-wrt", cl::CommaSeparated,
            cl::desc("With --grad: the inputs to differentiate (names or "
                     "indices; default: every float input the loss depends "
                     "on)"),
            cl::cat(category));
static cl::opt<bool> noFuse("no-fuse",
                            cl::desc("Do not fuse log_softmax + nll"),
                            cl::cat(category));

static int fail(llvm::Error err) {
  llvm::errs() << llvm::toString(std::move(err)) << "\n";
  return 1;
}

/// `libfoo.so` -> `foo`, as a C identifier.
static std::string defaultPrefix(StringRef path) {
  StringRef stem = llvm::sys::path::stem(path);
  stem.consume_front("lib");
  std::string id;
  for (char c : stem)
    id += llvm::isAlnum(c) ? c : '_';
  if (id.empty() || llvm::isDigit(id.front()))
    id = "loss_" + id;
  return id;
}

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "loss-compile: loss models to shared libraries with a C header\n");

  aot::AOTOptions options;
  if (device == "cuda")
    options.target = aot::Target::CUDA;
  else if (device != "cpu") {
    llvm::errs() << "error: --device=" << device
                 << " is not supported (cpu or cuda)\n";
    return 2;
  }
  options.fuse = !noFuse;
  options.parallel = !noParallel;
  options.grad = grad;
  options.gradWrt.assign(gradWrt.begin(), gradWrt.end());
  options.functions.assign(functions.begin(), functions.end());
  options.prefix = prefix.empty() ? defaultPrefix(output) : prefix;
  options.gpuChip = gpuChip;

  DialectRegistry registry;
  runner::registerRunnerDialects(registry);
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();

  auto buffer = runner::readFile(input);
  if (!buffer)
    return fail(buffer.takeError());
  OwningOpRef<ModuleOp> module =
      runner::parseModule(std::move(*buffer), input, ctx);
  if (!module)
    return 1;
  auto abis = aot::selectFunctions(*module, options);
  if (failed(abis) || failed(aot::lowerToLibraryABI(*module, *abis, options)))
    return 1;

  if (!header.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream os(header, ec);
    if (ec) {
      llvm::errs() << "error: cannot write " << header << ": " << ec.message()
                   << "\n";
      return 1;
    }
    os << aot::emitHeader(*abis, options, llvm::sys::path::filename(input));
  }

  if (objectOnly || emitLLVM)
    if (llvm::Error err = aot::writeObjectFile(*module, output, emitLLVM))
      return fail(std::move(err));
  if (objectOnly || emitLLVM)
    return 0;
  SmallString<128> object;
  if (auto ec =
          llvm::sys::fs::createTemporaryFile("loss-compile", "o", object)) {
    llvm::errs() << "error: cannot create a temporary file: " << ec.message()
                 << "\n";
    return 1;
  }
  llvm::FileRemover removeObject(object);
  if (llvm::Error err = aot::writeObjectFile(*module, object))
    return fail(std::move(err));
  if (llvm::Error err = aot::linkSharedLibrary(object, output, options))
    return fail(std::move(err));
  return 0;
}
