//===- ImportONNX.h - ONNX ModelProto to MLIR -------------------*- C++ -*-===//
#ifndef LOSS_MLIR_TARGET_ONNX_IMPORTONNX_H
#define LOSS_MLIR_TARGET_ONNX_IMPORTONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

namespace mlir {
class DialectRegistry;
namespace loss {

/// Imports a serialized ONNX `ModelProto` into a module with one function:
/// the graph's inputs are its arguments, its outputs its results (named by
/// `onnx.name` argument/result attributes), initializers are constants.
/// Loss nodes become `loss` ops, the primitive ops upstream linalg, tensor,
/// arith and math ops on static shapes, each node with the semantics of its
/// op's version in force at the model's opset (1 to 21). The model must pass
/// libonnx's checker and shape inference. Errors are reported as diagnostics
/// located at the offending node (its name, op type and opset) and yield
/// null.
OwningOpRef<ModuleOp> importONNXModel(llvm::StringRef bytes,
                                      llvm::StringRef sourceName,
                                      MLIRContext *context);

/// The MLIR element type of an ONNX `TensorProto::DataType`, or null if
/// unsupported.
Type convertONNXElementType(MLIRContext *context, int32_t onnxType);

/// The dialects the importer creates ops of.
void registerONNXImportDialects(DialectRegistry &registry);

/// Registers `--import-onnx` for mlir-translate style drivers.
void registerONNXImportTranslation();

} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_TARGET_ONNX_IMPORTONNX_H
