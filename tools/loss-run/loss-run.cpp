//===- loss-run.cpp - Compile and run losses on real inputs ---------------===//
//
//   loss-run --onnx-test DIR...           ONNX backend test directories
//   loss-run FILE.{mlir,onnx} --input NAME=FILE.{pb,npy} ...
//   loss-run FILE.{mlir,onnx} --grad [--grad-wrt NAME,...] --input ...
//
// Imports (ONNX) or parses (MLIR), fuses, compiles for the host CPU with the
// --loss-lower-to-llvm pipeline, JIT-runs through MLIR's ExecutionEngine and
// compares or prints the outputs.
//
// --device=cuda compiles with --loss-lower-to-nvvm instead and runs the
// kernels on an NVIDIA GPU through libloss_cuda_runtime.so (found next to
// loss-run, in ../lib, or given with --cuda-runtime). --device=gpu-emulation
// runs the same kernels on the host (--loss-lower-to-gpu-emulation, OpenMP
// threads as GPU threads): a check of the GPU path without a GPU.
//
// The work is lib/Runner's (tensor I/O, the JIT harness, the ONNX test
// runner); this file parses flags and reports.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Runner/JIT.h"
#include "loss-mlir/Runner/ONNXTestRunner.h"
#include "loss-mlir/Runner/TensorIO.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/SmallVectorExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::loss::runner;
namespace cl = llvm::cl;

static cl::OptionCategory category("loss-run options");

static cl::list<std::string> positional(cl::Positional,
                                        cl::desc("<model.onnx|file.mlir|test dir>..."), cl::cat(category));
static cl::opt<bool> onnxTest(
    "onnx-test",
    cl::desc("Treat the positional arguments as ONNX backend test directories "
             "(model.onnx + test_data_set_*/{input,output}_*.pb)"), cl::cat(category));
static cl::list<std::string>
    inputs("input", cl::desc("NAME=FILE: an input from a TensorProto .pb or "
                             "NumPy .npy file (in argument order if NAME is "
                             "omitted)"), cl::cat(category));
static cl::opt<std::string>
    outputDir("output-dir",
              cl::desc("Write each output as <dir>/<name>.npy instead of "
                       "printing it"), cl::cat(category));
static cl::opt<std::string> entry("entry",
                                  cl::desc("Function to run (default: the "
                                           "only public function)"), cl::cat(category));
static cl::opt<double> relTol("rtol", cl::desc("Relative tolerance"),
                            cl::init(1e-3), cl::cat(category));
static cl::opt<double> absTol("atol", cl::desc("Absolute tolerance"),
                            cl::init(1e-7), cl::cat(category));
static cl::opt<bool> noFuse("no-fuse",
                            cl::desc("Do not fuse log_softmax + nll"), cl::cat(category));
static cl::opt<std::string>
    device("device",
           cl::desc("cpu, cuda (an NVIDIA GPU) or gpu-emulation (the GPU "
                    "kernels on the host CPU, for testing)"),
           cl::init("cpu"), cl::cat(category));
static cl::opt<std::string>
    gpuChip("gpu-chip", cl::desc("GPU architecture for --device=cuda"),
            cl::init("sm_90"), cl::cat(category));
static cl::opt<std::string> cudaRuntime(
    "cuda-runtime",
    cl::desc("Path of libloss_cuda_runtime.so (default: next to loss-run or "
             "in ../lib)"), cl::cat(category));
static cl::opt<bool>
    grad("grad", cl::desc("Run the entry's value-and-grad function "
                          "(--loss-generate-gradients): its results, then "
                          "the gradients, named grad_<input>"), cl::cat(category));
static cl::list<std::string>
    gradWrt("grad-wrt", cl::CommaSeparated,
            cl::desc("With --grad: the inputs to differentiate with respect "
                     "to (names or indices; default: every float input the "
                     "loss depends on through differentiable operands)"), cl::cat(category));
static cl::opt<unsigned> benchmarkCalls(
    "benchmark", cl::value_desc("N"),
    cl::desc("Time N calls of the compiled function (compilation excluded) "
             "and print the minimum, the median and the bytes moved per "
             "second, instead of the outputs"),
    cl::init(0), cl::cat(category));
static cl::opt<bool> dumpIR("dump-ir",
                            cl::desc("Print the imported IR before compiling"), cl::cat(category));

/// Prints `err` as one line; returns 1.
static int fail(llvm::Error err) {
  llvm::errs() << llvm::toString(std::move(err)) << "\n";
  return 1;
}

/// Runs one model or IR file on the --input files; prints or writes outputs.
static int runFile(MLIRContext &ctx, StringRef path,
                   const CompileOptions &options) {
  auto buffer = readFile(path);
  if (!buffer)
    return fail(buffer.takeError());
  OwningOpRef<ModuleOp> module = parseModule(std::move(*buffer), path, ctx);
  if (!module)
    return 1;
  if (dumpIR)
    module->print(llvm::outs());
  FailureOr<CompiledFunction> compiled =
      compileModule(std::move(module), options);
  if (failed(compiled))
    return 1;
  auto ins = bindInputs(&ctx, *compiled, inputs);
  if (!ins)
    return fail(ins.takeError());
  SmallVector<HostTensor *> inPtrs =
      llvm::map_to_vector(*ins, [](HostTensor &t) { return &t; });
  if (benchmarkCalls) {
    auto times = compiled->benchmark(inPtrs, benchmarkCalls);
    if (!times)
      return fail(times.takeError());
    llvm::outs() << llvm::formatv(
        "{0}: {1} calls, min {2:f3} ms, median {3:f3} ms, {4} bytes in and "
        "out, {5:f2} GB/s at the minimum\n",
        compiled->name, benchmarkCalls, times->min() * 1e3,
        times->median() * 1e3, times->bytes,
        times->bytes / times->min() / 1e9);
    return 0;
  }
  SmallVector<HostTensor> outs;
  if (llvm::Error err = compiled->call(inPtrs, outs))
    return fail(std::move(err));
  for (auto [out, name] : llvm::zip_equal(outs, compiled->resultNames)) {
    if (outputDir.empty()) {
      printTensor(out, name, llvm::outs());
      continue;
    }
    SmallString<256> p(outputDir);
    llvm::sys::path::append(p, name + ".npy");
    if (llvm::Error err = writeNpy(out, p))
      return fail(std::move(err));
  }
  return 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "loss-mlir runner\n");
  std::optional<Device> dev = parseDevice(device);
  if (!dev) {
    llvm::errs() << "error: --device=" << device
                 << " is not supported (cpu, cuda or gpu-emulation)\n";
    return 2;
  }
  if (positional.empty()) {
    llvm::errs() << "error: nothing to run (see --help)\n";
    return 2;
  }
  CompileOptions options;
  options.device = *dev;
  options.fuse = !noFuse;
  options.entry = entry;
  options.gpuChip = gpuChip;
  options.cudaRuntime = cudaRuntime;
  options.grad = grad;
  options.gradWrt.assign(gradWrt.begin(), gradWrt.end());

  DialectRegistry registry;
  registerRunnerDialects(registry);
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();

  if (onnxTest) {
    ONNXTestOptions testOptions{options, relTol, absTol, dumpIR};
    ONNXTestCounts counts;
    for (const std::string &dir : positional)
      runONNXTest(ctx, dir, testOptions, counts, llvm::outs(), llvm::errs());
    llvm::outs() << counts.passed << " passed, " << counts.failed
                 << " failed\n";
    return counts.failed ? 1 : 0;
  }
  if (positional.size() != 1) {
    llvm::errs() << "error: give one model or IR file (or --onnx-test DIR...)\n";
    return 2;
  }
  return runFile(ctx, positional[0], options);
}
