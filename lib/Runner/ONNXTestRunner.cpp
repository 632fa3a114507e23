//===- ONNXTestRunner.cpp - Run ONNX backend test directories -------------===//
//
// A directory compiles once; each test_data_set_* (in sorted order) reads
// input_N.pb for every argument and output_N.pb for every result, runs, and
// passes if every output is close to the expected one.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Runner/ONNXTestRunner.h"
#include "loss-mlir/Runner/Compare.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVectorExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::loss::runner;

namespace {
/// Compiles DIR/model.onnx; failures are reported as they happen.
FailureOr<CompiledFunction> compileTest(MLIRContext &ctx, StringRef dir,
                                        const ONNXTestOptions &options,
                                        llvm::raw_ostream &report,
                                        llvm::raw_ostream &errors) {
  SmallString<256> model(dir);
  llvm::sys::path::append(model, "model.onnx");
  auto buffer = readFile(model);
  if (!buffer) {
    errors << llvm::toString(buffer.takeError()) << "\n";
    return failure();
  }
  OwningOpRef<ModuleOp> module = parseModule(std::move(*buffer), model, ctx);
  if (!module)
    return failure();
  if (options.dumpIR)
    module->print(report);
  return compileModule(std::move(module), options.compile);
}

/// Runs one data set; returns "" if it passes, else why not.
std::string runDataSet(MLIRContext &ctx, CompiledFunction &compiled,
                       StringRef set, const ONNXTestOptions &options,
                       double &worst, llvm::raw_ostream &errors) {
  auto report = [&](llvm::Error err) {
    errors << llvm::toString(std::move(err)) << "\n";
    return std::string("could not run");
  };
  SmallVector<HostTensor> ins, expected;
  for (size_t i = 0; i < compiled.argTypes.size(); ++i) {
    std::string file = (set + "/input_" + llvm::Twine(i) + ".pb").str();
    llvm::Expected<HostTensor> t = readTensorProto(&ctx, file);
    if (!t)
      return report(t.takeError());
    if (llvm::Error err = checkInput(compiled, i, *t, file))
      return report(std::move(err));
    ins.push_back(std::move(*t));
  }
  for (size_t i = 0; i < compiled.resultTypes.size(); ++i) {
    std::string file = (set + "/output_" + llvm::Twine(i) + ".pb").str();
    llvm::Expected<HostTensor> t = readTensorProto(&ctx, file);
    if (!t)
      return report(t.takeError());
    expected.push_back(std::move(*t));
  }
  SmallVector<HostTensor *> inPtrs =
      llvm::map_to_vector(ins, [](HostTensor &t) { return &t; });
  SmallVector<HostTensor> outs;
  if (llvm::Error err = compiled.call(inPtrs, outs))
    return report(std::move(err));
  for (size_t o = 0; o < outs.size(); ++o) {
    std::string why =
        compareTensors(outs[o], expected[o], options.rtol, options.atol, worst);
    if (!why.empty())
      return "output " + std::to_string(o) + " " + why;
  }
  return "";
}
} // namespace

void mlir::loss::runner::runONNXTest(MLIRContext &ctx, StringRef dir,
                                     const ONNXTestOptions &options,
                                     ONNXTestCounts &counts,
                                     llvm::raw_ostream &report,
                                     llvm::raw_ostream &errors) {
  StringRef testName = llvm::sys::path::filename(dir);
  FailureOr<CompiledFunction> compiled =
      compileTest(ctx, dir, options, report, errors);
  if (failed(compiled)) {
    report << "FAIL " << testName << ": does not compile\n";
    ++counts.failed;
    return;
  }
  SmallVector<std::string> sets;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec))
    if (llvm::sys::path::filename(it->path()).starts_with("test_data_set_"))
      sets.push_back(it->path());
  llvm::sort(sets);
  if (sets.empty()) {
    report << "FAIL " << testName << ": no test_data_set_* directory\n";
    ++counts.failed;
    return;
  }
  for (const std::string &set : sets) {
    std::string label =
        (testName + "/" + llvm::sys::path::filename(set)).str();
    double worst = 0.0;
    std::string why = runDataSet(ctx, *compiled, set, options, worst, errors);
    if (why.empty()) {
      report << "PASS " << label << " (max abs error "
             << llvm::format("%.3g", worst) << ")\n";
      ++counts.passed;
    } else {
      report << "FAIL " << label << ": " << why << "\n";
      ++counts.failed;
    }
  }
}
