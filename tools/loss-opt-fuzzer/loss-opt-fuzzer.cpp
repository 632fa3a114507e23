//===- loss-opt-fuzzer.cpp - libFuzzer target for loss-opt's pipelines ----===//
//
// Each input is MLIR text. It is parsed and verified as loss-opt does; an
// input that parses into a loss program (ops of the dialects below) is then
// compiled with each pipeline chosen on the command line. Diagnostics are
// the expected outcome for most inputs and are dropped. A bug is:
//   - a crash or a sanitizer report (ASan, UBSan) anywhere on the way,
//   - a pass that reports success but leaves IR that does not verify (the
//     verifier runs after every pass, as in loss-opt; a pass that fails with
//     a diagnostic is a rejection, not a bug),
//   - libFuzzer's -timeout or -rss_limit_mb being exceeded.
//
//   loss-opt-fuzzer [libFuzzer flags] [CORPUS...] -ignore_remaining_args=1 \
//       [--pipeline=PIPELINE]... [--any-dialect] [--verbose]
//
// PIPELINE is a textual pass pipeline on the module, as loss-opt's
// --pass-pipeline takes it without `builtin.module(...)`, or one of the
// names `llvm` (--loss-lower-to-llvm), `llvm-out-params` (with threads and
// caller-allocated results, as loss-run compiles), `gpu-emulation` and
// `nvvm` (--loss-lower-to-nvvm to PTX; no ptxas); default all four, one
// after the other on a fresh parse. --verbose prints the diagnostics (to
// understand a reproducer). To reproduce a finding, run the fuzzer on the
// file, or `loss-opt FILE --loss-lower-to-...`.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/InitAllLoss.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <string>
#include <vector>

using namespace mlir;

namespace {

struct FuzzerConfig {
  std::vector<std::string> pipelines;
  bool anyDialect = false;
  bool verbose = false;
};

FuzzerConfig &config() {
  static FuzzerConfig c;
  return c;
}

DialectRegistry &registry() {
  static DialectRegistry *r = [] {
    auto *reg = new DialectRegistry;
    registerAllDialects(*reg);
    registerAllExtensions(*reg);
    loss::registerAllLossDialects(*reg);
    registerAllGPUToLLVMIRTranslations(*reg);
    return reg;
  }();
  return *r;
}

/// The dialects of loss programs as front ends, the ONNX importer and the
/// tests write them. The pipelines compile these; feeding them arbitrary
/// upstream IR (gpu.launch, memref, llvm) would fuzz upstream MLIR passes.
bool isLossProgram(ModuleOp module) {
  static const llvm::StringSet<> allowed = {
      "builtin", "func", "loss", "arith", "math", "tensor", "linalg", "vector"};
  bool ok = true;
  module->walk([&](Operation *op) {
    if (!allowed.contains(op->getName().getDialectNamespace())) {
      ok = false;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return ok;
}

/// MLIR 22's linalg parsers (transpose's `permutation`, broadcast's and
/// reduce's `dimensions`) ignore a failed `DenseI64ArrayAttr::parse` and
/// store a null attribute: any list that is not `[` integers `]` after
/// `key =` (`[0,,1]`, `= 5`, an integer past i64) segfaults mlir-opt itself.
/// Inputs where such a list is not plainly well formed are skipped, so that
/// findings are loss-mlir's; the test errs towards skipping (a comment
/// between the key and its list counts as malformed).
bool hasMalformedLinalgDimsList(llvm::StringRef input) {
  for (llvm::StringRef key : {"permutation", "dimensions"}) {
    size_t pos = 0;
    while ((pos = input.find(key, pos)) != llvm::StringRef::npos) {
      pos += key.size();
      llvm::StringRef rest = input.drop_front(pos).ltrim();
      if (rest.starts_with("/"))
        return true;
      if (!rest.consume_front("="))
        continue;
      rest = rest.ltrim();
      if (!rest.consume_front("["))
        return true;
      rest = rest.ltrim();
      if (rest.consume_front("]"))
        continue;
      while (true) {
        rest.consume_front("-");
        size_t digits = rest.find_first_not_of("0123456789");
        // 18 digits always fit in an i64.
        if (digits == 0 || digits == llvm::StringRef::npos || digits > 18)
          return true;
        rest = rest.drop_front(digits).ltrim();
        if (rest.consume_front("]"))
          break;
        if (!rest.consume_front(","))
          return true;
        rest = rest.ltrim();
      }
    }
  }
  return false;
}

std::string expandPipelineName(llvm::StringRef name) {
  if (name == "llvm")
    return "loss-lower-to-llvm";
  if (name == "llvm-out-params")
    return "loss-lower-to-llvm{parallel=true results-to-out-params=true}";
  if (name == "gpu-emulation")
    return "loss-lower-to-gpu-emulation";
  if (name == "nvvm")
    return "loss-lower-to-nvvm";
  return name.str();
}

/// Collects the diagnostics of one input, to print them with a finding.
struct DiagnosticLog {
  std::string text;
  void add(Diagnostic &diag) {
    llvm::raw_string_ostream os(text);
    os << diag.getLocation() << ": " << diag << "\n";
    if (config().verbose)
      llvm::errs() << diag.getLocation() << ": " << diag << "\n";
  }
};

/// The verifier after every successful pass: the pass manager's own would
/// make a pass that breaks the IR look like an ordinary rejection.
struct VerifyEachPass : public PassInstrumentation {
  VerifyEachPass(DiagnosticLog &log, llvm::StringRef pipeline)
      : log(log), pipeline(pipeline) {}
  void runAfterPass(Pass *pass, Operation *op) override {
    if (succeeded(verify(op)))
      return;
    llvm::errs() << "loss-opt-fuzzer: pass '" << pass->getArgument() << "' ("
                 << pass->getName() << ") in pipeline '" << pipeline
                 << "' succeeded but left IR that does not verify:\n"
                 << log.text;
    std::abort();
  }
  DiagnosticLog &log;
  std::string pipeline;
};

void runPipeline(llvm::StringRef input, llvm::StringRef pipeline) {
  MLIRContext context(registry(), MLIRContext::Threading::DISABLED);
  context.printOpOnDiagnostic(false);
  DiagnosticLog log;
  context.getDiagEngine().registerHandler(
      [&](Diagnostic &diag) { log.add(diag); });

  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(input, "fuzz-input.mlir"),
      llvm::SMLoc());
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
  if (!module || failed(verify(*module)))
    return;
  if (!config().anyDialect && !isLossProgram(*module))
    return;

  PassManager pm(&context);
  pm.enableVerifier(false);
  pm.addInstrumentation(std::make_unique<VerifyEachPass>(log, pipeline));
  if (failed(parsePassPipeline(pipeline, pm, llvm::errs()))) {
    llvm::errs() << "loss-opt-fuzzer: bad --pipeline '" << pipeline << "'\n";
    std::exit(2);
  }
  (void)pm.run(*module);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv) {
  registerAllPasses();
  loss::registerAllLossPasses();
  (void)registry();

  // Our flags follow -ignore_remaining_args=1, which libFuzzer skips.
  bool ours = false;
  for (int i = 1; i < *argc; ++i) {
    llvm::StringRef arg((*argv)[i]);
    if (arg == "-ignore_remaining_args=1") {
      ours = true;
      continue;
    }
    if (!ours)
      continue;
    if (arg.consume_front("--pipeline=")) {
      config().pipelines.push_back(expandPipelineName(arg));
    } else if (arg == "--any-dialect") {
      config().anyDialect = true;
    } else if (arg == "--verbose") {
      config().verbose = true;
    } else {
      llvm::errs() << "loss-opt-fuzzer: unknown option '" << arg
                   << "' (--pipeline=, --any-dialect, --verbose)\n";
      std::exit(2);
    }
  }
  if (config().pipelines.empty())
    for (const char *name : {"llvm", "llvm-out-params", "gpu-emulation", "nvvm"})
      config().pipelines.push_back(expandPipelineName(name));
  // Fail now on a misspelt pipeline, not on the first input that parses.
  MLIRContext context(registry(), MLIRContext::Threading::DISABLED);
  for (const std::string &p : config().pipelines) {
    PassManager pm(&context);
    if (failed(parsePassPipeline(p, pm, llvm::errs()))) {
      llvm::errs() << "loss-opt-fuzzer: bad --pipeline '" << p << "'\n";
      std::exit(2);
    }
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef input(reinterpret_cast<const char *>(data), size);
  if (hasMalformedLinalgDimsList(input))
    return 0;
  for (const std::string &pipeline : config().pipelines)
    runPipeline(input, pipeline);
  return 0;
}
