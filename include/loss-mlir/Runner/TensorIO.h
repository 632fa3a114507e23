//===- TensorIO.h - Host tensors, .npy and TensorProto files ----*- C++ -*-===//
//
// Why this exists: loss-run, the ONNX test runner and the coming
// ahead-of-time compiler all move tensors between files and compiled code.
// This is the one place that reads NumPy `.npy` and ONNX `TensorProto` files
// into packed host buffers (validating shapes and sizes before allocating),
// writes `.npy` files and prints tensors.
//
//===----------------------------------------------------------------------===//

#ifndef LOSS_MLIR_RUNNER_TENSORIO_H
#define LOSS_MLIR_RUNNER_TENSORIO_H

#include "mlir/IR/Types.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace mlir {
class MLIRContext;
namespace loss {
namespace runner {

/// A host tensor: element type, shape and packed, row-major, little-endian
/// bytes (`i1` takes a byte per element).
struct HostTensor {
  Type elementType;
  SmallVector<int64_t> shape;
  std::vector<char> bytes;

  /// The product of the shape (the readers guarantee it fits in int64_t).
  int64_t numElements() const;
};

/// Bytes per element of `type` (1 for `i1`).
size_t byteWidth(Type type);

/// `type` as MLIR prints it (`f32`, `i64`, ...).
std::string typeName(Type type);

/// `shape` as `[d0, d1, ...]`.
std::string shapeName(ArrayRef<int64_t> shape);

/// Element `index` of `tensor` converted to double.
double elementAsDouble(const HostTensor &tensor, int64_t index);

/// The number of elements of `shape`, or an error ("PATH: ...") if a
/// dimension is negative or the count (or its size in bytes at
/// `elementBytes` each) does not fit in 64 bits.
llvm::Expected<int64_t> checkedNumElements(ArrayRef<int64_t> shape,
                                           size_t elementBytes,
                                           StringRef path);

/// The contents of `path` ("PATH: cannot read: ..." if it cannot be read).
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> readFile(StringRef path,
                                                             bool isText =
                                                                 false);

/// Reads a serialized ONNX `TensorProto` (raw or typed data), of any
/// element type the importer supports. `name`, if given, receives the
/// proto's name.
llvm::Expected<HostTensor> readTensorProto(MLIRContext *context,
                                           StringRef path,
                                           std::string *name = nullptr);

/// Reads a NumPy `.npy` file (versions 1 to 3, C order, little-endian
/// `f2`/`f4`/`f8`/`i1`/`i2`/`i4`/`i8`/`b1`).
llvm::Expected<HostTensor> readNpy(MLIRContext *context, StringRef path);

/// Reads `path` as `.npy` if its name ends so, else as a `TensorProto`.
llvm::Expected<HostTensor> readTensorFile(MLIRContext *context,
                                          StringRef path);

/// Writes `tensor` as a version 1.0 `.npy` file.
llvm::Error writeNpy(const HostTensor &tensor, StringRef path);

/// Prints `NAME: tensor<AxBxT> = [v, ...]`, floats at full precision.
void printTensor(const HostTensor &tensor, StringRef name,
                 llvm::raw_ostream &os);

} // namespace runner
} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_RUNNER_TENSORIO_H
