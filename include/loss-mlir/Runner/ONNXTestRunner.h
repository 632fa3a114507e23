//===- ONNXTestRunner.h - Run ONNX backend test directories -----*- C++ -*-===//
//
// Why this exists: ONNX's backend tests (a `model.onnx` next to
// `test_data_set_*/{input,output}_N.pb`) are how the importer and every
// pipeline are checked against ONNX's and PyTorch's numbers. Running one
// directory (compile once, run and compare each data set, one PASS/FAIL line
// per set) is a library function so that loss-run and other drivers share
// it.
//
//===----------------------------------------------------------------------===//

#ifndef LOSS_MLIR_RUNNER_ONNXTESTRUNNER_H
#define LOSS_MLIR_RUNNER_ONNXTESTRUNNER_H

#include "loss-mlir/Runner/JIT.h"

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace mlir {
class MLIRContext;
namespace loss {
namespace runner {

struct ONNXTestOptions {
  CompileOptions compile;
  /// Tolerances of `isClose`; ONNX's defaults.
  double rtol = 1e-3, atol = 1e-7;
  /// Print each imported model to the report stream before compiling.
  bool dumpIR = false;
};

struct ONNXTestCounts {
  int passed = 0, failed = 0;
};

/// Runs the ONNX backend test directory `dir`: prints `PASS DIR/SET (max abs
/// error E)` or `FAIL DIR/SET: why` per data set (or one `FAIL DIR: why` if
/// nothing can run) to `report`; the errors behind a failure go to the
/// context's diagnostics and to `errors`. Adds the data sets that passed and
/// failed to `counts`.
void runONNXTest(MLIRContext &context, StringRef dir,
                 const ONNXTestOptions &options, ONNXTestCounts &counts,
                 llvm::raw_ostream &report, llvm::raw_ostream &errors);

} // namespace runner
} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_RUNNER_ONNXTESTRUNNER_H
