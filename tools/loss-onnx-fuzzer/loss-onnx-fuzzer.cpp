//===- loss-onnx-fuzzer.cpp - libFuzzer target for the ONNX importer ------===//
//
// Each input is a serialized ONNX ModelProto, imported as
// `loss-translate --import-onnx` does. A rejection (a diagnostic and a null
// module) is the expected outcome for most inputs. A bug is:
//   - a crash or a sanitizer report (ASan, UBSan) in the protobuf parse,
//     libonnx's checker and shape inference, or the importer,
//   - an imported module that does not verify, or whose printed form does
//     not parse back (e.g. a tensor type with a negative size),
//   - libFuzzer's -timeout, -rss_limit_mb or -malloc_limit_mb being
//     exceeded (a size taken from the model and allocated unchecked).
//
//   loss-onnx-fuzzer [libFuzzer flags] [CORPUS...] [-ignore_remaining_args=1 --verbose]
//
// --verbose prints the importer's diagnostics.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Target/ONNX/ImportONNX.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <string>

using namespace mlir;

namespace {
bool verbose = false;
} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv) {
  bool ours = false;
  for (int i = 1; i < *argc; ++i) {
    llvm::StringRef arg((*argv)[i]);
    if (arg == "-ignore_remaining_args=1") {
      ours = true;
    } else if (ours && arg == "--verbose") {
      verbose = true;
    } else if (ours) {
      llvm::errs() << "loss-onnx-fuzzer: unknown option '" << arg
                   << "' (--verbose)\n";
      std::exit(2);
    }
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  DialectRegistry registry;
  loss::registerONNXImportDialects(registry);
  MLIRContext context(registry, MLIRContext::Threading::DISABLED);
  context.printOpOnDiagnostic(false);
  std::string diagnostics;
  context.getDiagEngine().registerHandler([&](Diagnostic &diag) {
    llvm::raw_string_ostream os(diagnostics);
    os << diag.getLocation() << ": " << diag << "\n";
    if (verbose)
      llvm::errs() << diag.getLocation() << ": " << diag << "\n";
  });

  OwningOpRef<ModuleOp> module = loss::importONNXModel(
      llvm::StringRef(reinterpret_cast<const char *>(data), size),
      "fuzz-input.onnx", &context);
  if (!module)
    return 0;

  // The importer returned a module: it must be valid IR.
  if (failed(verify(*module))) {
    llvm::errs() << "loss-onnx-fuzzer: the imported module does not verify:\n"
                 << diagnostics;
    std::abort();
  }
  std::string text;
  {
    llvm::raw_string_ostream os(text);
    module->print(os);
  }
  MLIRContext reparseContext(registry, MLIRContext::Threading::DISABLED);
  reparseContext.printOpOnDiagnostic(false);
  std::string reparseDiagnostics;
  reparseContext.getDiagEngine().registerHandler([&](Diagnostic &diag) {
    llvm::raw_string_ostream os(reparseDiagnostics);
    os << diag.getLocation() << ": " << diag << "\n";
  });
  if (!parseSourceString<ModuleOp>(text, ParserConfig(&reparseContext))) {
    llvm::errs() << "loss-onnx-fuzzer: the imported module does not parse "
                    "back:\n"
                 << reparseDiagnostics << "--- printed module:\n"
                 << text;
    std::abort();
  }
  return 0;
}
