//===- loss-opt.cpp - The loss-mlir optimizer driver ----------------------===//
//
// mlir-opt with the loss dialect, its passes and pipelines added to every
// upstream dialect, pass and extension.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/InitAllLoss.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::loss::registerAllLossPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::loss::registerAllLossDialects(registry);
  // gpu-module-to-binary translates kernels to LLVM IR (as mlir-opt does).
  mlir::registerAllGPUToLLVMIRTranslations(registry);

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "loss-mlir optimizer driver\n", registry));
}
