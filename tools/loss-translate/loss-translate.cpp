//===- loss-translate.cpp - Translations into and out of loss-mlir --------===//
//
// mlir-translate with `--import-onnx` (ONNX ModelProto -> MLIR) added to the
// upstream translations.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Target/ONNX/ImportONNX.h"

#include "mlir/InitAllTranslations.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::registerAllTranslations();
  mlir::loss::registerONNXImportTranslation();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "loss-mlir translation driver\n"));
}
