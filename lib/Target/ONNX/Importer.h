//===- Importer.h - The ONNX importer's shared pieces -----------*- C++ -*-===//
//
// Private to lib/Target/ONNX. The importer is table-driven: an OpRegistry
// maps each ONNX op type and the versions of it that are implemented to a
// handler, in the style of torch-mlir's TorchOnnxToTorch
// (`patterns.onOp("Add", 7, ...)`). The families of handlers live in files
// of their own (LossNodes, Elementwise, Reductions, ShapeOps, Indexing, and
// TrainingNodes for ONNX Runtime's com.microsoft training ops), each
// adding its entries through a populate...Handlers function; the graph walk
// (ImportONNX.cpp) resolves every node's version, looks its handler up and
// calls it with a NodeImporter: the node, its version, and the helpers that
// read its inputs and attributes and define its outputs.
//
//===----------------------------------------------------------------------===//

#ifndef LOSS_MLIR_LIB_TARGET_ONNX_IMPORTER_H
#define LOSS_MLIR_LIB_TARGET_ONNX_IMPORTER_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/onnx_pb.h>

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>

namespace mlir {
namespace loss {
namespace onnx_import {

/// The newest opset the importer implements.
constexpr int64_t kMaxOpset = 21;

/// ONNX Runtime's domain of contrib and training ops, and the one opset
/// version of it that exists (every op in it is version 1).
constexpr llvm::StringLiteral kMSDomain = "com.microsoft";
constexpr int64_t kMSOpset = 1;

//===----------------------------------------------------------------------===//
// Types and tensors (Tensors.cpp)
//===----------------------------------------------------------------------===//

/// The MLIR element type of an ONNX `TensorProto::DataType`, or null.
Type convertElementType(MLIRContext *ctx, int32_t onnxType);

/// The contents of `t` as an attribute; located errors at `loc`.
FailureOr<DenseElementsAttr> convertTensor(MLIRContext *ctx,
                                           const onnx::TensorProto &t,
                                           Location loc);

/// The number of elements of `shape`, or nullopt if a dimension is
/// negative or the count, or its size in bytes at `elementBytes` each, does
/// not fit in int64_t (memref sizes and strides are int64_t).
std::optional<int64_t> checkedNumElements(ArrayRef<int64_t> shape,
                                          int64_t elementBytes = 1);

/// Bytes per element of an imported element type (`i1`: 1).
int64_t elementBytes(Type el);

/// The largest constant the importer materializes (an initializer, the
/// output of ConstantOfShape): 2 GiB, the most a protobuf, and so an ONNX
/// file, can hold. A constant becomes a global of the compiled code.
constexpr int64_t kMaxConstantBytes = int64_t(1) << 31;

//===----------------------------------------------------------------------===//
// Versions (Versions.cpp)
//===----------------------------------------------------------------------===//

/// The newest default-domain opset that libonnx's registry knows.
int64_t registryMaxOpset();

/// The version (`since_version`) of default-domain op `op` in force at
/// `opset` (1 to kMaxOpset), or 0 if the op does not exist at that opset.
int versionInForce(StringRef op, int64_t opset);

//===----------------------------------------------------------------------===//
// The state of one import, shared by the graph walk and the handlers
//===----------------------------------------------------------------------===//

struct ImportState {
  ImportState(MLIRContext *ctx, StringRef source)
      : ctx(ctx), b(ctx), source(source.str()) {}

  Location fileLoc() { return FileLineColLoc::get(ctx, source, 0, 0); }

  MLIRContext *ctx;
  OpBuilder b;
  std::string source;
  /// The model's default-domain opset.
  int64_t opset = 0;
  /// The model's com.microsoft opset (0 if it imports none).
  int64_t msOpset = 0;
  /// Every graph value imported so far, by name.
  llvm::StringMap<Value> values;
  /// The contents of those whose contents are known at import (initializers,
  /// Constant, Shape, ... and what shape ops make of them), so that shape
  /// operands can be read.
  llvm::StringMap<DenseElementsAttr> consts;
};

/// The node's name, else its first output's, else a placeholder.
std::string nodeName(const onnx::NodeProto &node);

/// A diagnostic at `node`: "ONNX node 'NAME' (OP, opset N): ".
InFlightDiagnostic nodeError(ImportState &s, const onnx::NodeProto &node);

/// The scalar body of an elementwise linalg.generic.
using BodyFn =
    std::function<Value(OpBuilder &, Location, ValueRange /*scalars*/)>;

//===----------------------------------------------------------------------===//
// NodeImporter: what a handler sees of one node (NodeImporter.cpp)
//===----------------------------------------------------------------------===//

class NodeImporter {
public:
  NodeImporter(ImportState &s, const onnx::NodeProto &node, int version);

  ImportState &s;
  const onnx::NodeProto &node;
  /// The version of the node's op in force at the model's opset.
  const int version;
  OpBuilder &b;
  MLIRContext *ctx;
  /// The node's location (its name, in the model file).
  const Location loc;

  StringRef opType() const { return node.op_type(); }
  int64_t opset() const { return s.opset; }
  /// A located error naming the node, its op type and the opset.
  InFlightDiagnostic error() { return nodeError(s, node); }

  // Inputs.
  bool hasInput(int i) const {
    return i < node.input_size() && !node.input(i).empty();
  }
  /// Input #i, or null if absent or undefined.
  Value input(int i) const;
  /// Input #i; an error if absent or undefined.
  FailureOr<Value> requireInput(int i);
  /// Every input, each required.
  LogicalResult allInputs(SmallVector<Value> &out);
  /// The integer contents of input #i, which must be known at import.
  FailureOr<SmallVector<int64_t>> constInts(int i, StringRef what);
  /// The known contents of input #i, or null.
  DenseElementsAttr knownInput(int i) const;

  // Outputs.
  void define(int i, Value v);
  /// Defines output #0 as `v`, if it was built.
  LogicalResult defineResult(FailureOr<Value> v);
  /// Records the contents of output #0.
  void defineConst(DenseElementsAttr attr);

  // Attributes.
  const onnx::AttributeProto *attr(StringRef name) const;
  int64_t intAttr(StringRef name, int64_t dflt) const;
  float floatAttr(StringRef name, float dflt) const;
  std::string stringAttr(StringRef name, StringRef dflt) const;
  std::optional<SmallVector<int64_t>> intsAttr(StringRef name) const;

  // Building blocks.
  Value constant(DenseElementsAttr attr);
  FailureOr<DenseElementsAttr> convertTensor(const onnx::TensorProto &t);
  /// `axis` in [0, rank) from ONNX's [-rank, rank); an error if outside
  /// (a rank-0 tensor has no axis). `rankOf` names the tensor whose rank
  /// the axes range over, in the message ("the output's" for Unsqueeze).
  FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank,
                                   StringRef rankOf = "");
  /// A linalg.generic of `body` over the operands, NumPy-broadcast (static
  /// shapes).
  FailureOr<Value> elementwise(ArrayRef<Value> operands, Type resultElType,
                               const BodyFn &body);
  /// `v` reshaped to `shape` (the same number of elements).
  FailureOr<Value> reshape(Value v, ArrayRef<int64_t> shape);
};

/// The element type of a ranked tensor value.
inline Type elementType(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

/// A scalar converted to `to` with ONNX Cast's semantics (bool: != 0).
Value castScalar(OpBuilder &b, Location loc, Value v, Type to);

//===----------------------------------------------------------------------===//
// The op registry (OpRegistry.cpp)
//===----------------------------------------------------------------------===//

using OpHandlerFn = std::function<LogicalResult(NodeImporter &)>;

/// One entry: the versions of an op (the `since_version`s of its schemas)
/// whose semantics `fn` implements.
struct OpHandler {
  SmallVector<int, 4> versions;
  OpHandlerFn fn;
};

class OpRegistry {
public:
  /// Registers `fn` for versions `versions` of `opType`. An op may have
  /// several entries (one per signature, e.g. attributes before inputs);
  /// their versions must not overlap.
  void onOp(StringRef opType, std::initializer_list<int> versions,
            OpHandlerFn fn);
  /// The same handler for several op types.
  void onOps(std::initializer_list<StringRef> opTypes,
             std::initializer_list<int> versions, const OpHandlerFn &fn);
  /// Registers an op that libonnx's schema registry does not know (ONNX
  /// Runtime's training ops), in `domain` ("" or kMSDomain), with the
  /// `since_version`s of its schemas: the version in force at an opset is
  /// the newest of them not above it. libonnx's checker and shape inference
  /// leave these nodes to their handlers (see Checker.cpp).
  void onContribOp(StringRef domain, StringRef opType,
                   std::initializer_list<int> versions, OpHandlerFn fn);

  bool supports(StringRef opType) const { return supports("", opType); }
  bool supports(StringRef domain, StringRef opType) const {
    return table.count(key(domain, opType));
  }
  /// Whether `opType` of `domain` was registered with onContribOp.
  bool isContrib(StringRef domain, StringRef opType) const {
    return contrib.count(key(domain, opType));
  }
  /// The version (`since_version`) of the op in force at `opset` (the
  /// model's opset of its domain), or 0 if it does not exist at it.
  int versionInForce(StringRef domain, StringRef opType, int64_t opset) const;
  /// Every implemented version of `opType`, ascending.
  SmallVector<int> implementedVersions(StringRef opType) const {
    return implementedVersions("", opType);
  }
  SmallVector<int> implementedVersions(StringRef domain,
                                       StringRef opType) const;
  /// The handler of that version of `opType`, or null.
  const OpHandler *lookup(StringRef opType, int version) const {
    return lookup("", opType, version);
  }
  const OpHandler *lookup(StringRef domain, StringRef opType,
                          int version) const;

private:
  /// The table's key: the op type in the default domain, DOMAIN::OP in
  /// others.
  static std::string key(StringRef domain, StringRef opType);

  llvm::StringMap<SmallVector<OpHandler, 1>> table;
  llvm::StringMap<bool> contrib;
};

/// "" for the default domain (written "" or "ai.onnx"), else `domain`.
StringRef canonicalDomain(StringRef domain);

/// Reads the model's com.microsoft opset import into `s.msOpset`; an error
/// for a version other than kMSOpset.
LogicalResult readContribOpset(ImportState &s, const onnx::ModelProto &model);

/// The opset of `node`'s domain in the model, or an error naming the node
/// if its domain is neither the default one nor an imported com.microsoft.
FailureOr<int64_t> domainOpset(ImportState &s, const onnx::NodeProto &node);

/// The registry of every supported op, built once.
const OpRegistry &getOpRegistry();

// The families, one file each.
void populateLossHandlers(OpRegistry &r);
void populateElementwiseHandlers(OpRegistry &r);
void populateLinearHandlers(OpRegistry &r);
void populateReductionHandlers(OpRegistry &r);
void populateShapeHandlers(OpRegistry &r);
void populateIndexingHandlers(OpRegistry &r);
void populateTrainingHandlers(OpRegistry &r);

//===----------------------------------------------------------------------===//
// libonnx's checker and shape inference (Checker.cpp)
//===----------------------------------------------------------------------===//

/// Runs onnx::checker::check_model and shape inference on (a copy of)
/// `model`, whose nodes have the versions `versions` at `s.opset`; the
/// static shapes inferred for graph values go to `inferredShapes`.
LogicalResult
checkWithLibONNX(ImportState &s, const onnx::ModelProto &model,
                 ArrayRef<int> versions,
                 llvm::StringMap<SmallVector<int64_t>> &inferredShapes);

} // namespace onnx_import
} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_LIB_TARGET_ONNX_IMPORTER_H
