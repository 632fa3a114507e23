//===- consumer-opt.cpp - An opt tool outside loss-mlir -------------------===//
//
// Built against an installed loss-mlir (test/Install/consumer.mlir): every
// upstream dialect, and the loss dialect and passes through InitAllLoss.h.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/InitAllLoss.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::loss::registerAllLossPasses();
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::loss::registerAllLossDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "loss-mlir consumer\n", registry));
}
