//===- ImportONNX.cpp - ONNX ModelProto to MLIR ---------------------------===//
//
// Loss nodes map onto the loss dialect; the primitive ops that ONNX's
// expanded loss graphs and PyTorch's exporter use map onto linalg/tensor/
// arith/math on static shapes. Shape computations (Shape, Constant, ...) are
// folded at import: every value whose contents are known is also kept as an
// attribute, so Reshape/Slice/Squeeze/... can read their shape operands.
//
// Versions: every node is imported with the semantics of the version of its
// op in force at the model's opset (1 to 21), found in libonnx's schema
// registry (`since_version`). libonnx 1.12 knows opsets up to 17; for 18 to
// 21 a table of the ops that changed in those opsets (from ONNX's
// docs/Changelog.md) supplies the newer versions. Each op lists the versions
// whose semantics are implemented; any other is an error naming the node.
// Before import, the model passes libonnx's checker and its shape inference,
// whose shapes the imported values must match.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Target/ONNX/ImportONNX.h"
#include "loss-mlir/Dialect/Loss/IR/Loss.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/SourceMgr.h"

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <numeric>

using namespace mlir;
using namespace mlir::loss;

namespace {

using BodyFn =
    std::function<Value(OpBuilder &, Location, ValueRange /*scalars*/)>;

Type convertElementTypeImpl(MLIRContext *ctx, int32_t onnxType) {
  Builder b(ctx);
  switch (onnxType) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  case onnx::TensorProto::INT64:
    return b.getI64Type();
  case onnx::TensorProto::INT32:
    return b.getI32Type();
  case onnx::TensorProto::INT16:
    return b.getI16Type();
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
    return b.getI8Type();
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  default:
    return {};
  }
}

//===----------------------------------------------------------------------===//
// Operator versions
//===----------------------------------------------------------------------===//

/// The newest opsets this importer implements.
constexpr int64_t kMaxOpset = 21;

/// The versions of default-domain ops introduced in opsets 18 to 21, which
/// libonnx 1.12's registry (up to opset 17) does not know; from ONNX's
/// docs/Changelog.md.
ArrayRef<int> laterVersions(StringRef op) {
  static const llvm::StringMap<SmallVector<int, 3>> table = {
      {"AffineGrid", {20}},         {"AveragePool", {19}},
      {"BitwiseAnd", {18}},         {"BitwiseNot", {18}},
      {"BitwiseOr", {18}},          {"BitwiseXor", {18}},
      {"Cast", {19, 21}},           {"CastLike", {19, 21}},
      {"CenterCropPad", {18}},      {"Col2Im", {18}},
      {"Constant", {19, 21}},       {"ConstantOfShape", {20, 21}},
      {"DFT", {20}},                {"DeformConv", {19}},
      {"DequantizeLinear", {19, 21}}, {"Equal", {19}},
      {"Flatten", {21}},            {"Gelu", {20}},
      {"GridSample", {20}},         {"GroupNormalization", {18, 21}},
      {"Identity", {19, 21}},       {"If", {19, 21}},
      {"ImageDecoder", {20}},       {"IsInf", {20}},
      {"IsNaN", {20}},              {"Loop", {19, 21}},
      {"LpPool", {18}},             {"Mish", {18}},
      {"OptionalGetElement", {18}}, {"OptionalHasElement", {18}},
      {"Pad", {18, 19, 21}},        {"QLinearMatMul", {21}},
      {"QuantizeLinear", {19, 21}}, {"ReduceL1", {18}},
      {"ReduceL2", {18}},           {"ReduceLogSum", {18}},
      {"ReduceLogSumExp", {18}},    {"ReduceMax", {18, 20}},
      {"ReduceMean", {18}},         {"ReduceMin", {18, 20}},
      {"ReduceProd", {18}},         {"ReduceSumSquare", {18}},
      {"RegexFullMatch", {20}},     {"Reshape", {19, 21}},
      {"Resize", {18, 19}},         {"Scan", {19, 21}},
      {"ScatterElements", {18}},    {"ScatterND", {18}},
      {"Shape", {19, 21}},          {"Size", {19, 21}},
      {"Split", {18}},              {"Squeeze", {21}},
      {"StringConcat", {20}},       {"StringSplit", {20}},
      {"Transpose", {21}},          {"Unsqueeze", {21}},
  };
  auto it = table.find(op);
  return it == table.end() ? ArrayRef<int>() : ArrayRef<int>(it->second);
}

/// The newest default-domain opset that libonnx's registry knows.
int64_t registryMaxOpset() {
  const auto &m =
      onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  auto it = m.find(onnx::ONNX_DOMAIN);
  return it == m.end() ? 0 : it->second.second;
}

/// The version (`since_version`) of default-domain op `op` in force at
/// `opset`, or 0 if the op does not exist at that opset.
int versionInForce(StringRef op, int64_t opset) {
  int64_t known = registryMaxOpset();
  if (opset > known)
    for (int v : llvm::reverse(laterVersions(op)))
      if (v <= opset)
        return v;
  const onnx::OpSchema *schema = onnx::OpSchemaRegistry::Schema(
      op.str(), static_cast<int>(std::min(opset, known)), onnx::ONNX_DOMAIN);
  return schema ? schema->since_version() : 0;
}

/// The versions of each supported op whose semantics the importer
/// implements (every version up to opset 21). Where versions differ, the
/// importer reads `version` (see Importer::importNode).
ArrayRef<int> implementedVersions(StringRef op) {
  static const llvm::StringMap<SmallVector<int, 8>> table = {
      // Before 13, the input is coerced to 2-D at `axis` (default 1); since
      // 13, one axis (default -1).
      {"Softmax", {1, 11, 13}},
      {"LogSoftmax", {1, 11, 13}},
      {"SoftmaxCrossEntropyLoss", {12, 13}},
      {"NegativeLogLikelihoodLoss", {12, 13}},
      // Before 7, `broadcast`/`axis` attributes (unidirectional); since 7,
      // NumPy broadcasting.
      {"Add", {1, 6, 7, 13, 14}},
      {"Sub", {1, 6, 7, 13, 14}},
      {"Mul", {1, 6, 7, 13, 14}},
      {"Div", {1, 6, 7, 13, 14}},
      {"Pow", {1, 7, 12, 13, 15}},
      {"Equal", {1, 7, 11, 13, 19}},
      {"Greater", {1, 7, 9, 13}},
      {"Less", {1, 7, 9, 13}},
      // Before 8, no broadcasting.
      {"Max", {1, 6, 8, 12, 13}},
      {"Min", {1, 6, 8, 12, 13}},
      {"Abs", {1, 6, 13}},
      {"Neg", {1, 6, 13}},
      {"Exp", {1, 6, 13}},
      {"Log", {1, 6, 13}},
      {"Sqrt", {1, 6, 13}},
      {"Sigmoid", {1, 6, 13}},
      {"Relu", {1, 6, 13, 14}},
      // Before 6, `to` is a string.
      {"Cast", {1, 6, 9, 13, 19, 21}},
      // Before 11, `min`/`max` attributes; since 11, inputs.
      {"Clip", {1, 6, 11, 12, 13}},
      {"Constant", {1, 9, 11, 12, 13, 19, 21}},
      {"ConstantOfShape", {9, 20, 21}},
      {"Identity", {1, 13, 14, 16, 19, 21}},
      {"Shape", {1, 13, 15, 19, 21}},
      {"Gather", {1, 11, 13}},
      {"GatherElements", {11, 13}},
      // ReduceSum: `axes` attribute before 13, input since. ReduceMax and
      // ReduceMean: attribute before 18, input since; ReduceMax-20 adds
      // bool.
      {"ReduceSum", {1, 11, 13}},
      {"ReduceMean", {1, 11, 13, 18}},
      {"ReduceMax", {1, 11, 12, 13, 18, 20}},
      // Before 5, `shape` attribute; since 5, input.
      {"Reshape", {1, 5, 13, 14, 19, 21}},
      // Before 13, `axes` attribute; since 13, input.
      {"Squeeze", {1, 11, 13, 21}},
      {"Unsqueeze", {1, 11, 13, 21}},
      // Before 10, `starts`/`ends`/`axes` attributes; since 10, inputs.
      {"Slice", {1, 10, 11, 13}},
      {"Transpose", {1, 13, 21}},
      {"Where", {9, 16}},
  };
  auto it = table.find(op);
  return it == table.end() ? ArrayRef<int>() : ArrayRef<int>(it->second);
}

/// The int64 contents of an integer TensorProto (for `axes` inputs of the
/// copy given to libonnx).
std::optional<std::vector<int64_t>> tensorInts(const onnx::TensorProto &t) {
  std::vector<int64_t> out;
  if (t.data_type() == onnx::TensorProto::INT64) {
    if (t.has_raw_data()) {
      out.resize(t.raw_data().size() / sizeof(int64_t));
      std::memcpy(out.data(), t.raw_data().data(),
                  out.size() * sizeof(int64_t));
    } else {
      out.assign(t.int64_data().begin(), t.int64_data().end());
    }
    return out;
  }
  if (t.data_type() == onnx::TensorProto::INT32 && !t.has_raw_data()) {
    out.assign(t.int32_data().begin(), t.int32_data().end());
    return out;
  }
  return std::nullopt;
}

/// One line out of libonnx's multi-line messages.
std::string oneLine(StringRef msg) {
  std::string out;
  bool space = false;
  for (char c : msg.trim()) {
    if (c == '\n' || c == ' ' || c == '\t' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty())
      out += ' ';
    space = false;
    out += c;
  }
  return out;
}

class Importer {
public:
  Importer(MLIRContext *ctx, StringRef source, const onnx::ModelProto &model)
      : ctx(ctx), b(ctx), source(source.str()), model(model) {}

  OwningOpRef<ModuleOp> run();

private:
  // Diagnostics.
  Location fileLoc() { return FileLineColLoc::get(ctx, source, 0, 0); }
  /// The node's name, else its first output's, else a placeholder.
  static std::string nodeName(const onnx::NodeProto &node) {
    if (!node.name().empty())
      return node.name();
    if (node.output_size() && !node.output(0).empty())
      return node.output(0);
    return "<unnamed>";
  }
  Location nodeLoc(const onnx::NodeProto &node) {
    return NameLoc::get(StringAttr::get(ctx, nodeName(node)), fileLoc());
  }
  InFlightDiagnostic nodeError(const onnx::NodeProto &node) {
    return emitError(nodeLoc(node))
           << "ONNX node '" << nodeName(node) << "' (" << node.op_type()
           << ", opset " << opset << "): ";
  }

  // Values.
  Value input(const onnx::NodeProto &node, int i) {
    if (i >= node.input_size() || node.input(i).empty())
      return {};
    return values.lookup(node.input(i));
  }
  bool hasInput(const onnx::NodeProto &node, int i) {
    return i < node.input_size() && !node.input(i).empty();
  }
  FailureOr<Value> requireInput(const onnx::NodeProto &node, int i) {
    if (!hasInput(node, i)) {
      nodeError(node) << "missing required input #" << i;
      return failure();
    }
    Value v = values.lookup(node.input(i));
    if (!v) {
      nodeError(node) << "input '" << node.input(i)
                      << "' is not produced by any earlier node, initializer "
                         "or graph input";
      return failure();
    }
    return v;
  }
  FailureOr<SmallVector<int64_t>> constInts(const onnx::NodeProto &node, int i,
                                            StringRef what);
  void define(const onnx::NodeProto &node, int i, Value v) {
    if (i < node.output_size() && !node.output(i).empty())
      values[node.output(i)] = v;
  }
  void defineConst(const std::string &name, DenseElementsAttr attr);
  Value constant(Location loc, DenseElementsAttr attr) {
    return arith::ConstantOp::create(b, loc, attr);
  }

  // Attributes.
  const onnx::AttributeProto *attr(const onnx::NodeProto &node,
                                   StringRef name) {
    for (const auto &a : node.attribute())
      if (a.name() == name)
        return &a;
    return nullptr;
  }
  int64_t intAttr(const onnx::NodeProto &node, StringRef name, int64_t dflt) {
    const auto *a = attr(node, name);
    return a ? a->i() : dflt;
  }
  float floatAttr(const onnx::NodeProto &node, StringRef name, float dflt) {
    const auto *a = attr(node, name);
    return a ? a->f() : dflt;
  }
  std::string stringAttr(const onnx::NodeProto &node, StringRef name,
                         StringRef dflt) {
    const auto *a = attr(node, name);
    return a ? a->s() : dflt.str();
  }
  std::optional<SmallVector<int64_t>> intsAttr(const onnx::NodeProto &node,
                                               StringRef name) {
    const auto *a = attr(node, name);
    if (!a)
      return std::nullopt;
    return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
  }

  FailureOr<DenseElementsAttr> convertTensor(const onnx::TensorProto &t,
                                             Location loc);
  FailureOr<RankedTensorType> convertValueInfo(const onnx::ValueInfoProto &vi);

  // Building blocks.
  FailureOr<Value> elementwise(const onnx::NodeProto &node,
                               ArrayRef<Value> operands, Type resultElType,
                               const BodyFn &body);
  FailureOr<Value> reshape(const onnx::NodeProto &node, Value v,
                           ArrayRef<int64_t> shape);
  FailureOr<Value> reduce(const onnx::NodeProto &node, Value v,
                          SmallVector<int64_t> axes, bool keepDims,
                          StringRef kind);
  FailureOr<int64_t> normalizeAxis(const onnx::NodeProto &node, int64_t axis,
                                   int64_t rank);

  LogicalResult resolveVersions();
  LogicalResult checkWithLibONNX();
  LogicalResult checkInferredShapes(const onnx::NodeProto &node);
  LogicalResult legacyBroadcast(const onnx::NodeProto &node,
                                ArrayRef<Value> operands, int numpySince);
  LogicalResult importNode(const onnx::NodeProto &node);
  LogicalResult importLoss(const onnx::NodeProto &node, bool crossEntropy);
  LogicalResult importSoftmax(const onnx::NodeProto &node, bool log);

  MLIRContext *ctx;
  OpBuilder b;
  std::string source;
  const onnx::ModelProto &model;
  int64_t opset = 0;
  /// The version of each graph node's op in force at `opset`.
  std::vector<int> versions;
  /// That of the node being imported.
  int version = 0;
  /// Static shapes that libonnx's shape inference gives graph values.
  llvm::StringMap<SmallVector<int64_t>> inferredShapes;
  llvm::StringMap<Value> values;
  llvm::StringMap<DenseElementsAttr> consts;
};

//===----------------------------------------------------------------------===//
// Tensors and types
//===----------------------------------------------------------------------===//

template <typename T>
SmallVector<T> readRaw(const std::string &raw) {
  SmallVector<T> out(raw.size() / sizeof(T));
  std::memcpy(out.data(), raw.data(), out.size() * sizeof(T));
  return out;
}

FailureOr<DenseElementsAttr>
Importer::convertTensor(const onnx::TensorProto &t, Location loc) {
  Type el = convertElementTypeImpl(ctx, t.data_type());
  if (!el) {
    emitError(loc) << "tensor '" << t.name() << "' has unsupported data type "
                   << t.data_type();
    return failure();
  }
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    emitError(loc) << "tensor '" << t.name()
                   << "' uses external data, which is not supported";
    return failure();
  }
  SmallVector<int64_t> shape(t.dims().begin(), t.dims().end());
  for (int64_t d : shape)
    if (d < 0) {
      emitError(loc) << "tensor '" << t.name() << "' has a negative dimension";
      return failure();
    }
  auto type = RankedTensorType::get(shape, el);
  int64_t n = type.getNumElements();
  bool raw = t.has_raw_data();
  auto sizeError = [&](int64_t got) {
    emitError(loc) << "tensor '" << t.name() << "' holds " << got
                   << " elements, its shape needs " << n;
    return failure();
  };
  // Types with a field of their own: raw bytes or that repeated field.
  auto typedValues = [&](const auto &field) -> FailureOr<DenseElementsAttr> {
    using T = std::decay_t<decltype(*field.begin())>;
    SmallVector<T> v = raw ? readRaw<T>(t.raw_data())
                           : SmallVector<T>(field.begin(), field.end());
    if ((int64_t)v.size() != n)
      return sizeError(v.size());
    return DenseElementsAttr::get(type, ArrayRef<T>(v));
  };

  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    return typedValues(t.float_data());
  case onnx::TensorProto::DOUBLE:
    return typedValues(t.double_data());
  case onnx::TensorProto::INT64:
    return typedValues(t.int64_data());
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL: {
    unsigned width = el.getIntOrFloatBitWidth();
    SmallVector<APInt> v;
    if (raw) {
      unsigned bytes = std::max(1u, width / 8);
      const std::string &r = t.raw_data();
      for (size_t i = 0; i + bytes <= r.size(); i += bytes) {
        uint64_t word = 0;
        std::memcpy(&word, r.data() + i, bytes);
        v.push_back(APInt(width, word, /*isSigned=*/false, /*implicitTrunc=*/true));
      }
    } else {
      for (int32_t x : t.int32_data())
        v.push_back(APInt(width, static_cast<uint64_t>(static_cast<int64_t>(x)),
                          /*isSigned=*/true, /*implicitTrunc=*/true));
    }
    if ((int64_t)v.size() != n)
      return sizeError(v.size());
    return DenseElementsAttr::get(type, v);
  }
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16: {
    const auto &sem = cast<FloatType>(el).getFloatSemantics();
    SmallVector<APFloat> v;
    auto push = [&](uint16_t bits) { v.push_back(APFloat(sem, APInt(16, bits))); };
    if (raw) {
      for (uint16_t bits : readRaw<uint16_t>(t.raw_data()))
        push(bits);
    } else {
      for (int32_t x : t.int32_data())
        push(static_cast<uint16_t>(x));
    }
    if ((int64_t)v.size() != n)
      return sizeError(v.size());
    return DenseElementsAttr::get(type, v);
  }
  default:
    break;
  }
  emitError(loc) << "tensor '" << t.name() << "' has unsupported data type";
  return failure();
}

FailureOr<RankedTensorType>
Importer::convertValueInfo(const onnx::ValueInfoProto &vi) {
  Location loc = NameLoc::get(StringAttr::get(ctx, vi.name()), fileLoc());
  if (!vi.type().has_tensor_type()) {
    emitError(loc) << "graph value '" << vi.name() << "' is not a tensor";
    return failure();
  }
  const auto &tt = vi.type().tensor_type();
  Type el = convertElementTypeImpl(ctx, tt.elem_type());
  if (!el) {
    emitError(loc) << "graph value '" << vi.name()
                   << "' has unsupported element type " << tt.elem_type();
    return failure();
  }
  if (!tt.has_shape()) {
    emitError(loc) << "graph value '" << vi.name()
                   << "' has no shape; static shapes are required";
    return failure();
  }
  SmallVector<int64_t> shape;
  for (const auto &d : tt.shape().dim()) {
    if (!d.has_dim_value() || d.dim_value() < 0) {
      emitError(loc) << "graph value '" << vi.name()
                     << "' has a symbolic dimension '" << d.dim_param()
                     << "'; static shapes are required";
      return failure();
    }
    shape.push_back(d.dim_value());
  }
  return RankedTensorType::get(shape, el);
}

void Importer::defineConst(const std::string &name, DenseElementsAttr attr) {
  consts[name] = attr;
}

FailureOr<SmallVector<int64_t>>
Importer::constInts(const onnx::NodeProto &node, int i, StringRef what) {
  if (!hasInput(node, i)) {
    nodeError(node) << "missing '" << what << "' input";
    return failure();
  }
  auto it = consts.find(node.input(i));
  if (it == consts.end() ||
      !isa<IntegerType>(it->second.getElementType())) {
    nodeError(node) << "'" << what
                    << "' must be a constant integer tensor (static shapes "
                       "only)";
    return failure();
  }
  SmallVector<int64_t> out;
  for (const APInt &v : it->second.getValues<APInt>())
    out.push_back(v.getSExtValue());
  return out;
}

FailureOr<int64_t> Importer::normalizeAxis(const onnx::NodeProto &node,
                                           int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1)) {
    nodeError(node) << "axis " << axis << " is out of range for rank " << rank;
    return failure();
  }
  return axis < 0 ? axis + rank : axis;
}

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

FailureOr<Value> Importer::elementwise(const onnx::NodeProto &node,
                                       ArrayRef<Value> operands,
                                       Type resultElType, const BodyFn &body) {
  Location loc = nodeLoc(node);
  // Multidirectional (NumPy) broadcasting on static shapes.
  int64_t rank = 0;
  for (Value v : operands)
    rank = std::max(rank, cast<RankedTensorType>(v.getType()).getRank());
  SmallVector<int64_t> shape(rank, 1);
  for (Value v : operands) {
    auto ty = cast<RankedTensorType>(v.getType());
    for (int64_t i = 0; i < ty.getRank(); ++i) {
      int64_t d = ty.getDimSize(i), &r = shape[rank - ty.getRank() + i];
      if (d == r || d == 1)
        continue;
      if (r != 1) {
        nodeError(node) << "operand shapes do not broadcast";
        return failure();
      }
      r = d;
    }
  }
  SmallVector<AffineMap> maps;
  for (Value v : operands) {
    auto ty = cast<RankedTensorType>(v.getType());
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < ty.getRank(); ++i) {
      int64_t loop = rank - ty.getRank() + i;
      exprs.push_back(ty.getDimSize(i) == 1 && shape[loop] != 1
                          ? getAffineConstantExpr(0, ctx)
                          : getAffineDimExpr(loop, ctx));
    }
    maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  auto resultTy = RankedTensorType::get(shape, resultElType);
  Value init = tensor::EmptyOp::create(b, loc, shape, resultElType);
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, resultTy, operands, ValueRange{init}, maps, iters,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl, body(nb, nl, args.drop_back()));
             })
      .getResult(0);
}

FailureOr<Value> Importer::reshape(const onnx::NodeProto &node, Value v,
                                   ArrayRef<int64_t> shape) {
  auto ty = cast<RankedTensorType>(v.getType());
  auto resultTy = RankedTensorType::get(shape, ty.getElementType());
  if (resultTy.getNumElements() != ty.getNumElements()) {
    nodeError(node) << "cannot reshape " << ty << " to " << resultTy;
    return failure();
  }
  if (resultTy == ty)
    return v;
  Location loc = nodeLoc(node);
  auto shapeTy =
      RankedTensorType::get({(int64_t)shape.size()}, b.getI64Type());
  Value shapeVal = constant(loc, DenseElementsAttr::get(shapeTy, shape));
  return tensor::ReshapeOp::create(b, loc, resultTy, v, shapeVal).getResult();
}

FailureOr<Value> Importer::reduce(const onnx::NodeProto &node, Value v,
                                  SmallVector<int64_t> axes, bool keepDims,
                                  StringRef kind) {
  Location loc = nodeLoc(node);
  auto ty = cast<RankedTensorType>(v.getType());
  int64_t rank = ty.getRank();
  Type el = ty.getElementType();
  llvm::SmallBitVector reduced(rank);
  if (axes.empty())
    reduced.set();
  for (int64_t a : axes) {
    FailureOr<int64_t> n = normalizeAxis(node, a, rank);
    if (failed(n))
      return failure();
    reduced.set(*n);
  }
  SmallVector<int64_t> outShape, keptShape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  int64_t count = 1;
  for (int64_t i = 0; i < rank; ++i) {
    if (reduced.test(i)) {
      iters.push_back(utils::IteratorType::reduction);
      keptShape.push_back(1);
      count *= ty.getDimSize(i);
      continue;
    }
    iters.push_back(utils::IteratorType::parallel);
    outShape.push_back(ty.getDimSize(i));
    keptShape.push_back(ty.getDimSize(i));
    outExprs.push_back(getAffineDimExpr(i, ctx));
  }
  bool isFloat = isa<FloatType>(el);
  // ReduceMax-20 of bools: false < true, so the max is an `or` from false.
  bool isBool = el.isInteger(1);
  TypedAttr initAttr;
  if (kind == "max" && isBool)
    initAttr = b.getBoolAttr(false);
  else if (kind == "max")
    initAttr = isFloat ? TypedAttr(b.getFloatAttr(
                             el, APFloat::getInf(cast<FloatType>(el)
                                                     .getFloatSemantics(),
                                                 /*Negative=*/true)))
                       : TypedAttr(b.getIntegerAttr(
                             el, APInt::getSignedMinValue(
                                     el.getIntOrFloatBitWidth())));
  else
    initAttr = b.getZeroAttr(el);
  Value init = linalg::FillOp::create(
                   b, loc,
                   ValueRange{arith::ConstantOp::create(b, loc, initAttr)},
                   ValueRange{tensor::EmptyOp::create(b, loc, outShape, el)})
                   .getResult(0);
  SmallVector<AffineMap> maps{AffineMap::getMultiDimIdentityMap(rank, ctx),
                              AffineMap::get(rank, 0, outExprs, ctx)};
  Value r = linalg::GenericOp::create(
                b, loc, init.getType(), ValueRange{v}, ValueRange{init}, maps,
                iters,
                [&](OpBuilder &nb, Location nl, ValueRange args) {
                  Value res;
                  if (kind == "max" && isBool)
                    res = arith::OrIOp::create(nb, nl, args[0], args[1]);
                  else if (kind == "max")
                    res = isFloat ? (Value)arith::MaximumFOp::create(
                                        nb, nl, args[0], args[1])
                                  : (Value)arith::MaxSIOp::create(
                                        nb, nl, args[0], args[1]);
                  else
                    res = isFloat ? (Value)arith::AddFOp::create(nb, nl, args[0],
                                                                 args[1])
                                  : (Value)arith::AddIOp::create(nb, nl, args[0],
                                                                 args[1]);
                  linalg::YieldOp::create(nb, nl, res);
                })
                .getResult(0);
  if (kind == "mean") {
    if (!isFloat) {
      nodeError(node) << "ReduceMean of integers is not supported";
      return failure();
    }
    Value c = arith::ConstantOp::create(
        b, loc, b.getFloatAttr(el, static_cast<double>(count)));
    FailureOr<Value> div = elementwise(
        node, {r}, el, [&](OpBuilder &nb, Location nl, ValueRange args) {
          return arith::DivFOp::create(nb, nl, args[0], c);
        });
    if (failed(div))
      return failure();
    r = *div;
  }
  if (keepDims)
    return reshape(node, r, keptShape);
  return r;
}

//===----------------------------------------------------------------------===//
// Nodes
//===----------------------------------------------------------------------===//

Value intOrFloat(OpBuilder &b, Location loc, Value lhs, Value rhs,
                 StringRef op) {
  bool f = isa<FloatType>(lhs.getType());
  if (op == "Add")
    return f ? (Value)arith::AddFOp::create(b, loc, lhs, rhs)
             : (Value)arith::AddIOp::create(b, loc, lhs, rhs);
  if (op == "Sub")
    return f ? (Value)arith::SubFOp::create(b, loc, lhs, rhs)
             : (Value)arith::SubIOp::create(b, loc, lhs, rhs);
  if (op == "Mul")
    return f ? (Value)arith::MulFOp::create(b, loc, lhs, rhs)
             : (Value)arith::MulIOp::create(b, loc, lhs, rhs);
  if (op == "Div")
    return f ? (Value)arith::DivFOp::create(b, loc, lhs, rhs)
             : (Value)arith::DivSIOp::create(b, loc, lhs, rhs);
  if (op == "Max")
    return f ? (Value)arith::MaximumFOp::create(b, loc, lhs, rhs)
             : (Value)arith::MaxSIOp::create(b, loc, lhs, rhs);
  // Min
  return f ? (Value)arith::MinimumFOp::create(b, loc, lhs, rhs)
           : (Value)arith::MinSIOp::create(b, loc, lhs, rhs);
}

Value castScalar(OpBuilder &b, Location loc, Value v, Type to) {
  Type from = v.getType();
  if (from == to)
    return v;
  auto fromF = dyn_cast<FloatType>(from), toF = dyn_cast<FloatType>(to);
  if (fromF && toF)
    return fromF.getWidth() < toF.getWidth()
               ? (Value)arith::ExtFOp::create(b, loc, to, v)
               : (Value)arith::TruncFOp::create(b, loc, to, v);
  if (toF) {
    if (from.isInteger(1))
      return arith::UIToFPOp::create(b, loc, to, v);
    return arith::SIToFPOp::create(b, loc, to, v);
  }
  if (to.isInteger(1)) {
    if (fromF)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, v,
                                   arith::ConstantOp::create(
                                       b, loc, b.getFloatAttr(from, 0.0)));
    return arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::ne, v,
        arith::ConstantOp::create(b, loc, b.getIntegerAttr(from, 0)));
  }
  if (fromF)
    return arith::FPToSIOp::create(b, loc, to, v);
  unsigned fw = from.getIntOrFloatBitWidth(), tw = to.getIntOrFloatBitWidth();
  if (fw < tw)
    return from.isInteger(1) ? (Value)arith::ExtUIOp::create(b, loc, to, v)
                             : (Value)arith::ExtSIOp::create(b, loc, to, v);
  return arith::TruncIOp::create(b, loc, to, v);
}

/// A clamped, non-negative index into a dimension of size `dim` from a
/// signed ONNX index (negative counts from the back). Out-of-range indices
/// are an error in ONNX; they are clamped so nothing is read out of bounds.
Value safeIndex(OpBuilder &b, Location loc, Value idx, int64_t dim) {
  Value i = castScalar(b, loc, idx, b.getI64Type());
  Value zero = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0));
  Value d = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(dim));
  Value neg =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, zero);
  i = arith::SelectOp::create(b, loc, neg, arith::AddIOp::create(b, loc, i, d),
                              i);
  Value hi = arith::ConstantOp::create(
      b, loc, b.getI64IntegerAttr(std::max<int64_t>(dim - 1, 0)));
  i = arith::MinSIOp::create(b, loc, arith::MaxSIOp::create(b, loc, i, zero),
                             hi);
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), i);
}

LogicalResult Importer::importSoftmax(const onnx::NodeProto &node, bool log) {
  Location loc = nodeLoc(node);
  FailureOr<Value> x = requireInput(node, 0);
  if (failed(x))
    return failure();
  auto ty = cast<RankedTensorType>(x->getType());
  if (!isa<FloatType>(ty.getElementType()) || ty.getRank() < 1)
    return nodeError(node) << "expects a float tensor of rank >= 1";
  int64_t rank = ty.getRank();
  FailureOr<int64_t> axis =
      normalizeAxis(node, intAttr(node, "axis", version >= 13 ? -1 : 1), rank);
  if (failed(axis))
    return failure();
  Value in = *x;
  // Before version 13 the input is coerced to 2-D
  // [prod(d[:axis]), prod(d[axis:])].
  bool coerce = version < 13;
  int64_t opAxis = *axis;
  if (coerce) {
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < rank; ++i)
      (i < *axis ? outer : inner) *= ty.getDimSize(i);
    FailureOr<Value> r = reshape(node, in, {outer, inner});
    if (failed(r))
      return failure();
    in = *r;
    opAxis = 1;
  }
  Value out;
  if (log) {
    out = LogSoftmaxOp::create(b, loc, in.getType(), in, opAxis);
  } else {
    auto inTy = cast<RankedTensorType>(in.getType());
    Value init = tensor::EmptyOp::create(b, loc, inTy.getShape(),
                                         inTy.getElementType());
    out = linalg::SoftmaxOp::create(b, loc, TypeRange{inTy}, in, init,
                                    static_cast<uint64_t>(opAxis))
              .getResult()[0];
  }
  if (coerce) {
    FailureOr<Value> r = reshape(node, out, ty.getShape());
    if (failed(r))
      return failure();
    out = *r;
  }
  define(node, 0, out);
  return success();
}

LogicalResult Importer::importLoss(const onnx::NodeProto &node,
                                   bool crossEntropy) {
  Location loc = nodeLoc(node);
  FailureOr<Value> x = requireInput(node, 0);
  FailureOr<Value> t = requireInput(node, 1);
  if (failed(x) || failed(t))
    return failure();
  Value w = input(node, 2);
  if (hasInput(node, 2) && !w)
    return nodeError(node) << "weights input '" << node.input(2)
                           << "' is not defined";
  std::string red = stringAttr(node, "reduction", "mean");
  std::optional<Reduction> reduction = symbolizeReduction(red);
  if (!reduction || *reduction == Reduction::batchmean)
    return nodeError(node) << "unknown reduction '" << red << "'";
  // Without ignore_index nothing is ignored: use a value no target can hold.
  int64_t ii = intAttr(node, "ignore_index",
                       std::numeric_limits<int64_t>::min());
  auto xTy = cast<RankedTensorType>(x->getType());
  auto tTy = cast<RankedTensorType>(t->getType());
  if (!isa<FloatType>(xTy.getElementType()) ||
      !isa<IntegerType>(tTy.getElementType()))
    return nodeError(node) << "expects float scores and integer labels";
  Type resTy = *reduction == Reduction::none
                   ? RankedTensorType::get(tTy.getShape(), xTy.getElementType())
                   : RankedTensorType::get({}, xTy.getElementType());
  Operation *op;
  if (crossEntropy) {
    bool wantLogProb = node.output_size() > 1 && !node.output(1).empty();
    op = SoftmaxCrossEntropyOp::create(
        b, loc, resTy, wantLogProb ? Type(xTy) : Type(), *x, *t, w, ii,
        *reduction, APFloat(0.0));
  } else {
    op = NllOp::create(b, loc, resTy, *x, *t, w, ii, *reduction);
  }
  if (failed(verify(op)))
    return nodeError(node) << "inputs do not form a valid loss";
  for (unsigned i = 0; i < op->getNumResults(); ++i)
    define(node, i, op->getResult(i));
  return success();
}

LogicalResult Importer::legacyBroadcast(const onnx::NodeProto &node,
                                        ArrayRef<Value> operands,
                                        int numpySince) {
  if (version >= numpySince)
    return success();
  auto shapeOf = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  };
  if (!intAttr(node, "broadcast", 0)) {
    for (Value v : operands)
      if (shapeOf(v) != shapeOf(operands[0]))
        return nodeError(node)
               << node.op_type() << "-" << version
               << " without broadcast=1 needs operands of equal shape "
                  "(NumPy broadcasting starts with "
               << node.op_type() << "-" << numpySince << ")";
    return success();
  }
  // broadcast=1: B is broadcast to A, aligned with A's trailing dimensions
  // (as NumPy does) unless `axis` says where B's dimensions start.
  ArrayRef<int64_t> a = shapeOf(operands[0]), bs = shapeOf(operands[1]);
  if (bs.size() > a.size())
    return nodeError(node) << "B has a higher rank than A";
  int64_t suffix = a.size() - bs.size();
  if (const auto *ax = attr(node, "axis"); ax && ax->i() != suffix)
    return nodeError(node)
           << node.op_type() << "-" << version << " broadcasting with axis="
           << ax->i()
           << " (B aligned elsewhere than at A's trailing dimensions) is not "
              "implemented";
  for (size_t i = 0; i < bs.size(); ++i)
    if (bs[i] != 1 && bs[i] != a[suffix + i])
      return nodeError(node) << "B does not broadcast to A";
  return success();
}

LogicalResult Importer::resolveVersions() {
  for (const auto &node : model.graph().node()) {
    version = 0;
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      return nodeError(node) << "unsupported domain '" << node.domain()
                             << "'";
    // Every supported op has a first output; the importer relies on it.
    if (node.output_size() == 0 || node.output(0).empty())
      return nodeError(node) << "has no output";
    ArrayRef<int> implemented = implementedVersions(node.op_type());
    if (implemented.empty())
      return nodeError(node) << "unsupported op type '" << node.op_type()
                             << "'";
    // 0 where the op does not exist yet at this opset: the checker says so.
    version = versionInForce(node.op_type(), opset);
    versions.push_back(version);
    if (version && !llvm::is_contained(implemented, version)) {
      auto diag = nodeError(node);
      diag << node.op_type() << "-" << version
           << " (the version in force at opset " << opset
           << ") is not implemented; implemented versions:";
      for (int v : implemented)
        diag << " " << v;
      return failure();
    }
  }
  return success();
}

LogicalResult Importer::checkWithLibONNX() {
  // libonnx checks and infers a copy: with an IR version and opset it
  // knows, and nodes of newer versions in the form of the newest version it
  // knows (the same semantics, see implementedVersions).
  onnx::ModelProto copy = model;
  // IR versions 9 and 10 add element types (float8, 4-bit) that the
  // importer rejects by itself; libonnx 1.12 would refuse them wholesale.
  if (copy.ir_version() > onnx::IR_VERSION)
    copy.set_ir_version(onnx::IR_VERSION);
  int64_t known = registryMaxOpset();
  if (opset > known) {
    for (auto &o : *copy.mutable_opset_import())
      if (o.domain().empty() || o.domain() == "ai.onnx")
        o.set_version(known);
    // Constant integer tensors by name, for `axes` inputs.
    llvm::StringMap<std::vector<int64_t>> ints;
    for (const auto &t : copy.graph().initializer())
      if (auto v = tensorInts(t))
        ints[t.name()] = *v;
    for (int i = 0; i < copy.graph().node_size(); ++i) {
      onnx::NodeProto &n = *copy.mutable_graph()->mutable_node(i);
      if (n.op_type() == "Constant" && n.output_size())
        for (const auto &a : n.attribute()) {
          if (a.name() == "value" && a.has_t())
            if (auto v = tensorInts(a.t()))
              ints[n.output(0)] = *v;
          if (a.name() == "value_ints")
            ints[n.output(0)] = {a.ints().begin(), a.ints().end()};
        }
      if (versions[i] <= known)
        continue;
      auto dropAttr = [&](StringRef name) -> int64_t {
        auto *attrs = n.mutable_attribute();
        for (int k = 0; k < attrs->size(); ++k)
          if (attrs->Get(k).name() == name) {
            int64_t v = attrs->Get(k).i();
            attrs->DeleteSubrange(k, 1);
            return v;
          }
        return 0;
      };
      if (n.op_type() == "Cast") {
        // `saturate` (Cast-19) only concerns float8 targets.
        dropAttr("saturate");
      } else if (n.op_type() == "ReduceMax" || n.op_type() == "ReduceMean") {
        // Version 18: `axes` moved from attribute to input.
        std::vector<int64_t> axes;
        if (n.input_size() > 1 && !n.input(1).empty())
          if (auto it = ints.find(n.input(1)); it != ints.end())
            axes = it->second;
        bool noop = dropAttr("noop_with_empty_axes");
        if (n.input_size() > 1)
          n.mutable_input()->DeleteSubrange(1, n.input_size() - 1);
        if (axes.empty() && noop) {
          n.set_op_type("Identity");
          n.clear_attribute();
        } else if (!axes.empty()) {
          onnx::AttributeProto *a = n.add_attribute();
          a->set_name("axes");
          a->set_type(onnx::AttributeProto::INTS);
          for (int64_t v : axes)
            a->add_ints(v);
        }
      }
    }
  }
  try {
    onnx::checker::check_model(copy);
  } catch (const std::exception &e) {
    emitError(fileLoc()) << "the ONNX checker rejects the model: "
                         << oneLine(e.what());
    return failure();
  }
  try {
    onnx::shape_inference::InferShapes(
        copy, onnx::OpSchemaRegistry::Instance(),
        onnx::ShapeInferenceOptions(/*check_type=*/false, /*error_mode=*/0,
                                    /*enable_data_propagation=*/true));
  } catch (const std::exception &e) {
    emitError(fileLoc()) << "ONNX shape inference fails on the model: "
                         << oneLine(e.what());
    return failure();
  }
  auto collect = [&](const onnx::ValueInfoProto &vi) {
    if (!vi.type().has_tensor_type() ||
        !vi.type().tensor_type().has_shape())
      return;
    SmallVector<int64_t> dims;
    for (const auto &d : vi.type().tensor_type().shape().dim()) {
      if (!d.has_dim_value())
        return;
      dims.push_back(d.dim_value());
    }
    inferredShapes[vi.name()] = dims;
  };
  for (const auto &vi : copy.graph().value_info())
    collect(vi);
  for (const auto &vi : copy.graph().output())
    collect(vi);
  return success();
}

LogicalResult Importer::checkInferredShapes(const onnx::NodeProto &node) {
  for (const std::string &name : node.output()) {
    auto it = inferredShapes.find(name);
    Value v = values.lookup(name);
    if (it == inferredShapes.end() || !v)
      continue;
    ArrayRef<int64_t> shape = cast<RankedTensorType>(v.getType()).getShape();
    if (shape == ArrayRef<int64_t>(it->second))
      continue;
    auto diag = nodeError(node);
    diag << "output '" << name << "' is " << v.getType()
         << " but ONNX shape inference gives [";
    llvm::interleaveComma(it->second, diag);
    diag << "]";
    return failure();
  }
  return success();
}

LogicalResult Importer::importNode(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  StringRef type = node.op_type();
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return nodeError(node) << "unsupported domain '" << node.domain() << "'";
  // Every supported op has a first output; the code below relies on it.
  if (node.output_size() == 0 || node.output(0).empty())
    return nodeError(node) << "has no output";

  auto defineResult = [&](FailureOr<Value> v) -> LogicalResult {
    if (failed(v))
      return failure();
    define(node, 0, *v);
    return success();
  };
  auto allInputs = [&](SmallVector<Value> &out) -> LogicalResult {
    for (int i = 0; i < node.input_size(); ++i) {
      FailureOr<Value> v = requireInput(node, i);
      if (failed(v))
        return failure();
      out.push_back(*v);
    }
    return success();
  };
  auto elementType = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getElementType();
  };

  if (type == "SoftmaxCrossEntropyLoss")
    return importLoss(node, /*crossEntropy=*/true);
  if (type == "NegativeLogLikelihoodLoss")
    return importLoss(node, /*crossEntropy=*/false);
  if (type == "LogSoftmax")
    return importSoftmax(node, /*log=*/true);
  if (type == "Softmax")
    return importSoftmax(node, /*log=*/false);

  if (type == "Constant") {
    DenseElementsAttr value;
    if (const auto *a = attr(node, "value")) {
      FailureOr<DenseElementsAttr> t = convertTensor(a->t(), loc);
      if (failed(t))
        return failure();
      value = *t;
    } else if (const auto *a = attr(node, "value_float")) {
      value = DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                                     a->f());
    } else if (const auto *a = attr(node, "value_floats")) {
      SmallVector<float> v(a->floats().begin(), a->floats().end());
      value = DenseElementsAttr::get(
          RankedTensorType::get({(int64_t)v.size()}, b.getF32Type()),
          ArrayRef<float>(v));
    } else if (const auto *a = attr(node, "value_int")) {
      value = DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()),
                                     (int64_t)a->i());
    } else if (const auto *a = attr(node, "value_ints")) {
      SmallVector<int64_t> v(a->ints().begin(), a->ints().end());
      value = DenseElementsAttr::get(
          RankedTensorType::get({(int64_t)v.size()}, b.getI64Type()),
          ArrayRef<int64_t>(v));
    } else {
      return nodeError(node) << "has no supported value attribute";
    }
    define(node, 0, constant(loc, value));
    defineConst(node.output(0), value);
    return success();
  }

  if (type == "Identity") {
    FailureOr<Value> x = requireInput(node, 0);
    if (failed(x))
      return failure();
    define(node, 0, *x);
    if (auto it = consts.find(node.input(0)); it != consts.end())
      defineConst(node.output(0), it->second);
    return success();
  }

  if (type == "Shape") {
    FailureOr<Value> x = requireInput(node, 0);
    if (failed(x))
      return failure();
    ArrayRef<int64_t> shape = cast<RankedTensorType>(x->getType()).getShape();
    int64_t rank = shape.size();
    int64_t start = intAttr(node, "start", 0), end = intAttr(node, "end", rank);
    auto clampAxis = [&](int64_t a) {
      if (a < 0)
        a += rank;
      return std::clamp<int64_t>(a, 0, rank);
    };
    start = clampAxis(start);
    end = std::max(start, clampAxis(end));
    SmallVector<int64_t> dims(shape.begin() + start, shape.begin() + end);
    auto attrV = DenseElementsAttr::get(
        RankedTensorType::get({(int64_t)dims.size()}, b.getI64Type()),
        ArrayRef<int64_t>(dims));
    define(node, 0, constant(loc, attrV));
    defineConst(node.output(0), attrV);
    return success();
  }

  if (type == "ConstantOfShape") {
    FailureOr<SmallVector<int64_t>> shape = constInts(node, 0, "input");
    if (failed(shape))
      return failure();
    DenseElementsAttr fill = DenseElementsAttr::get(
        RankedTensorType::get({1}, b.getF32Type()), 0.0f);
    if (const auto *a = attr(node, "value")) {
      FailureOr<DenseElementsAttr> t = convertTensor(a->t(), loc);
      if (failed(t))
        return failure();
      fill = *t;
    }
    if (fill.getNumElements() != 1)
      return nodeError(node) << "'value' must hold one element";
    auto ty = RankedTensorType::get(*shape, fill.getElementType());
    auto splat = DenseElementsAttr::get(ty, fill.getValues<Attribute>()[0]);
    define(node, 0, constant(loc, splat));
    defineConst(node.output(0), splat);
    return success();
  }

  // Unary elementwise.
  static const llvm::StringSet<> unary = {"Abs", "Neg",     "Exp",  "Log",
                                          "Sqrt", "Sigmoid", "Relu"};
  if (unary.contains(type)) {
    FailureOr<Value> x = requireInput(node, 0);
    if (failed(x))
      return failure();
    Type el = elementType(*x);
    bool f = isa<FloatType>(el);
    if (!f && type != "Abs" && type != "Neg" && type != "Relu")
      return nodeError(node) << "expects a float tensor";
    return defineResult(elementwise(
        node, {*x}, el, [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value v = a[0];
          Value zero = f ? (Value)arith::ConstantOp::create(
                               nb, nl, nb.getFloatAttr(el, 0.0))
                         : (Value)arith::ConstantOp::create(
                               nb, nl, nb.getIntegerAttr(el, 0));
          if (type == "Abs")
            return f ? (Value)math::AbsFOp::create(nb, nl, v)
                     : (Value)math::AbsIOp::create(nb, nl, v);
          if (type == "Neg")
            return f ? (Value)arith::NegFOp::create(nb, nl, v)
                     : (Value)arith::SubIOp::create(nb, nl, zero, v);
          if (type == "Relu")
            return f ? (Value)arith::MaximumFOp::create(nb, nl, v, zero)
                     : (Value)arith::MaxSIOp::create(nb, nl, v, zero);
          if (type == "Exp")
            return math::ExpOp::create(nb, nl, v);
          if (type == "Log")
            return math::LogOp::create(nb, nl, v);
          if (type == "Sqrt")
            return math::SqrtOp::create(nb, nl, v);
          // Sigmoid without overflow: e = exp(-|x|);
          // x >= 0 ? 1 / (1 + e) : e / (1 + e).
          Value one = arith::ConstantOp::create(nb, nl, nb.getFloatAttr(el, 1.0));
          Value e = math::ExpOp::create(
              nb, nl,
              arith::NegFOp::create(nb, nl, math::AbsFOp::create(nb, nl, v)));
          Value den = arith::AddFOp::create(nb, nl, one, e);
          Value pos = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGE,
                                            v, zero);
          return arith::DivFOp::create(
              nb, nl, arith::SelectOp::create(nb, nl, pos, one, e), den);
        }));
  }

  // Binary and variadic arithmetic.
  if (type == "Add" || type == "Sub" || type == "Mul" || type == "Div" ||
      type == "Max" || type == "Min") {
    SmallVector<Value> xs;
    if (failed(allInputs(xs)))
      return failure();
    if (xs.empty())
      return nodeError(node) << "needs at least one input";
    Type el = elementType(xs[0]);
    for (Value v : xs)
      if (elementType(v) != el)
        return nodeError(node) << "operands have different element types";
    if (failed(legacyBroadcast(node, xs,
                               type == "Max" || type == "Min" ? 8 : 7)))
      return failure();
    Value acc = xs[0];
    for (size_t i = 1; i < xs.size(); ++i) {
      FailureOr<Value> r = elementwise(
          node, {acc, xs[i]}, el,
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            return intOrFloat(nb, nl, a[0], a[1], type);
          });
      if (failed(r))
        return failure();
      acc = *r;
    }
    define(node, 0, acc);
    return success();
  }

  if (type == "Pow") {
    FailureOr<Value> x = requireInput(node, 0), y = requireInput(node, 1);
    if (failed(x) || failed(y))
      return failure();
    Type el = elementType(*x);
    if (!isa<FloatType>(el))
      return nodeError(node) << "integer bases are not supported";
    if (failed(legacyBroadcast(node, {*x, *y}, 7)))
      return failure();
    return defineResult(elementwise(
        node, {*x, *y}, el, [&](OpBuilder &nb, Location nl, ValueRange a) {
          return math::PowFOp::create(nb, nl, a[0], castScalar(nb, nl, a[1], el));
        }));
  }

  if (type == "Equal" || type == "Greater" || type == "Less") {
    FailureOr<Value> x = requireInput(node, 0), y = requireInput(node, 1);
    if (failed(x) || failed(y))
      return failure();
    if (elementType(*x) != elementType(*y))
      return nodeError(node) << "operands have different element types";
    if (failed(legacyBroadcast(node, {*x, *y}, 7)))
      return failure();
    bool f = isa<FloatType>(elementType(*x));
    return defineResult(elementwise(
        node, {*x, *y}, b.getI1Type(),
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          if (f) {
            auto p = type == "Equal"     ? arith::CmpFPredicate::OEQ
                     : type == "Greater" ? arith::CmpFPredicate::OGT
                                         : arith::CmpFPredicate::OLT;
            return arith::CmpFOp::create(nb, nl, p, a[0], a[1]);
          }
          auto p = type == "Equal"     ? arith::CmpIPredicate::eq
                   : type == "Greater" ? arith::CmpIPredicate::sgt
                                       : arith::CmpIPredicate::slt;
          return arith::CmpIOp::create(nb, nl, p, a[0], a[1]);
        }));
  }

  if (type == "Where") {
    SmallVector<Value> xs;
    if (failed(allInputs(xs)))
      return failure();
    if (xs.size() != 3 || !elementType(xs[0]).isInteger(1))
      return nodeError(node) << "expects a bool condition and two values";
    return defineResult(elementwise(
        node, xs, elementType(xs[1]),
        [&](OpBuilder &nb, Location nl, ValueRange a) {
          return arith::SelectOp::create(nb, nl, a[0], a[1], a[2]);
        }));
  }

  if (type == "Cast") {
    FailureOr<Value> x = requireInput(node, 0);
    if (failed(x))
      return failure();
    int64_t toCode = intAttr(node, "to", 0);
    if (version < 6) {
      // Cast-1: `to` names the type ("FLOAT", "INT64", ...).
      onnx::TensorProto::DataType dt;
      std::string name = stringAttr(node, "to", "");
      if (!onnx::TensorProto::DataType_Parse(name, &dt))
        return nodeError(node) << "unknown target type '" << name << "'";
      toCode = dt;
    }
    Type to = convertElementTypeImpl(ctx, toCode);
    if (!to)
      return nodeError(node) << "unsupported target type " << toCode;
    FailureOr<Value> r = elementwise(
        node, {*x}, to, [&](OpBuilder &nb, Location nl, ValueRange a) {
          return castScalar(nb, nl, a[0], to);
        });
    if (failed(r))
      return failure();
    define(node, 0, *r);
    // Integer casts of known shapes stay known.
    if (auto it = consts.find(node.input(0));
        it != consts.end() && isa<IntegerType>(to) &&
        isa<IntegerType>(it->second.getElementType()) && !to.isInteger(1)) {
      SmallVector<APInt> v;
      for (const APInt &x : it->second.getValues<APInt>())
        v.push_back(x.sextOrTrunc(to.getIntOrFloatBitWidth()));
      defineConst(node.output(0),
                  DenseElementsAttr::get(
                      RankedTensorType::get(it->second.getType().getShape(), to),
                      v));
    }
    return success();
  }

  if (type == "Clip") {
    FailureOr<Value> x = requireInput(node, 0);
    if (failed(x))
      return failure();
    Type el = elementType(*x);
    SmallVector<Value> xs{*x};
    Value lo, hi;
    if (version < 11) {
      // Clip-1 and Clip-6: `min`/`max` float attributes (absent: no bound).
      if (node.input_size() > 1)
        return nodeError(node) << "Clip-" << version
                               << " takes one input (min/max are attributes)";
      auto fel = dyn_cast<FloatType>(el);
      if (!fel)
        return nodeError(node) << "Clip-" << version
                               << " expects a float tensor";
      auto bound = [&](StringRef name) -> Value {
        const auto *a = attr(node, name);
        if (!a)
          return {};
        return constant(loc,
                        DenseElementsAttr::get(RankedTensorType::get({}, el),
                                               ArrayRef<Attribute>{b.getFloatAttr(
                                                   el, (double)a->f())}));
      };
      lo = bound("min");
      hi = bound("max");
    } else {
      lo = input(node, 1);
      hi = input(node, 2);
      if ((hasInput(node, 1) && !lo) || (hasInput(node, 2) && !hi))
        return nodeError(node) << "min/max input is not defined";
    }
    if (lo)
      xs.push_back(lo);
    if (hi)
      xs.push_back(hi);
    bool f = isa<FloatType>(el);
    return defineResult(elementwise(
        node, xs, el, [&](OpBuilder &nb, Location nl, ValueRange a) {
          Value v = a[0];
          unsigned i = 1;
          if (lo)
            v = f ? (Value)arith::MaximumFOp::create(nb, nl, v, a[i++])
                  : (Value)arith::MaxSIOp::create(nb, nl, v, a[i++]);
          if (hi)
            v = f ? (Value)arith::MinimumFOp::create(nb, nl, v, a[i++])
                  : (Value)arith::MinSIOp::create(nb, nl, v, a[i++]);
          return v;
        }));
  }

  if (type == "ReduceMax" || type == "ReduceMean" || type == "ReduceSum") {
    FailureOr<Value> x = requireInput(node, 0);
    if (failed(x))
      return failure();
    SmallVector<int64_t> axes;
    bool axesAsInput = type == "ReduceSum" ? version >= 13 : version >= 18;
    if (axesAsInput) {
      if (hasInput(node, 1)) {
        FailureOr<SmallVector<int64_t>> a = constInts(node, 1, "axes");
        if (failed(a))
          return failure();
        axes = *a;
      }
    } else if (auto a = intsAttr(node, "axes")) {
      axes = *a;
    }
    if (axes.empty() && intAttr(node, "noop_with_empty_axes", 0)) {
      define(node, 0, *x);
      return success();
    }
    if (elementType(*x).isInteger(1) &&
        !(type == "ReduceMax" && version >= 20))
      return nodeError(node) << type << "-" << version
                             << " does not take bool tensors";
    StringRef kind = type == "ReduceMax" ? "max"
                     : type == "ReduceSum" ? "sum"
                                           : "mean";
    return defineResult(
        reduce(node, *x, axes, intAttr(node, "keepdims", 1) != 0, kind));
  }

  if (type == "Reshape" || type == "Squeeze" || type == "Unsqueeze") {
    FailureOr<Value> x = requireInput(node, 0);
    if (failed(x))
      return failure();
    auto ty = cast<RankedTensorType>(x->getType());
    int64_t rank = ty.getRank();
    SmallVector<int64_t> shape;
    if (type == "Reshape") {
      // Reshape-1: the shape is an attribute; since 5, an input.
      FailureOr<SmallVector<int64_t>> s = failure();
      if (version < 5) {
        if (node.input_size() > 1)
          return nodeError(node)
                 << "Reshape-1 takes one input ('shape' is an attribute)";
        auto a = intsAttr(node, "shape");
        if (!a)
          return nodeError(node) << "Reshape-1 needs a 'shape' attribute";
        s = *a;
      } else {
        s = constInts(node, 1, "shape");
      }
      if (failed(s))
        return failure();
      bool allowZero = intAttr(node, "allowzero", 0);
      int64_t infer = -1, known = 1;
      for (auto [i, d] : llvm::enumerate(*s)) {
        if (d == 0 && !allowZero) {
          if ((int64_t)i >= rank)
            return nodeError(node) << "shape copies a dimension the input "
                                      "does not have";
          d = ty.getDimSize(i);
        }
        if (d == -1) {
          if (infer >= 0)
            return nodeError(node) << "shape has more than one -1";
          infer = i;
        } else if (d < 0) {
          return nodeError(node) << "shape has a negative dimension";
        } else {
          known *= d;
        }
        shape.push_back(d);
      }
      if (infer >= 0) {
        if (known == 0 || ty.getNumElements() % known)
          return nodeError(node) << "cannot infer the -1 dimension";
        shape[infer] = ty.getNumElements() / known;
      }
    } else {
      SmallVector<int64_t> axes;
      bool axesAsInput = version >= 13;
      if (axesAsInput && hasInput(node, 1)) {
        FailureOr<SmallVector<int64_t>> a = constInts(node, 1, "axes");
        if (failed(a))
          return failure();
        axes = *a;
      } else if (auto a = intsAttr(node, "axes")) {
        axes = *a;
      }
      if (type == "Squeeze") {
        llvm::SmallBitVector drop(rank);
        if (axes.empty())
          for (int64_t i = 0; i < rank; ++i)
            drop[i] = ty.getDimSize(i) == 1;
        for (int64_t a : axes) {
          FailureOr<int64_t> n = normalizeAxis(node, a, rank);
          if (failed(n))
            return failure();
          if (ty.getDimSize(*n) != 1)
            return nodeError(node) << "cannot squeeze dimension " << *n
                                   << " of size " << ty.getDimSize(*n);
          drop.set(*n);
        }
        for (int64_t i = 0; i < rank; ++i)
          if (!drop[i])
            shape.push_back(ty.getDimSize(i));
      } else {
        if (axes.empty())
          return nodeError(node) << "needs axes";
        int64_t outRank = rank + axes.size();
        llvm::SmallBitVector add(outRank);
        for (int64_t a : axes) {
          FailureOr<int64_t> n = normalizeAxis(node, a, outRank);
          if (failed(n))
            return failure();
          add.set(*n);
        }
        int64_t j = 0;
        for (int64_t i = 0; i < outRank; ++i)
          shape.push_back(add[i] ? 1 : ty.getDimSize(j++));
      }
    }
    FailureOr<Value> r = reshape(node, *x, shape);
    if (failed(r))
      return failure();
    define(node, 0, *r);
    if (auto it = consts.find(node.input(0)); it != consts.end())
      defineConst(node.output(0),
                  it->second.reshape(RankedTensorType::get(
                      shape, it->second.getElementType())));
    return success();
  }

  if (type == "Transpose") {
    FailureOr<Value> x = requireInput(node, 0);
    if (failed(x))
      return failure();
    auto ty = cast<RankedTensorType>(x->getType());
    int64_t rank = ty.getRank();
    SmallVector<int64_t> perm;
    if (auto p = intsAttr(node, "perm"))
      perm = *p;
    else
      for (int64_t i = rank - 1; i >= 0; --i)
        perm.push_back(i);
    SmallVector<int64_t> sorted(perm);
    llvm::sort(sorted);
    for (int64_t i = 0; i < (int64_t)sorted.size(); ++i)
      if (sorted[i] != i || (int64_t)perm.size() != rank)
        return nodeError(node) << "'perm' is not a permutation of the "
                                  "input's dimensions";
    SmallVector<int64_t> shape;
    for (int64_t p : perm)
      shape.push_back(ty.getDimSize(p));
    Value init = tensor::EmptyOp::create(b, loc, shape, ty.getElementType());
    define(node, 0,
           linalg::TransposeOp::create(b, loc, *x, init, perm).getResult()[0]);
    return success();
  }

  if (type == "Gather" || type == "GatherElements") {
    FailureOr<Value> x = requireInput(node, 0), idx = requireInput(node, 1);
    if (failed(x) || failed(idx))
      return failure();
    auto ty = cast<RankedTensorType>(x->getType());
    auto idxTy = cast<RankedTensorType>(idx->getType());
    if (!isa<IntegerType>(idxTy.getElementType()))
      return nodeError(node) << "indices must be integers";
    int64_t rank = ty.getRank();
    if (rank == 0)
      return nodeError(node) << "data must have rank >= 1";
    FailureOr<int64_t> axis = normalizeAxis(node, intAttr(node, "axis", 0), rank);
    if (failed(axis))
      return failure();
    bool elements = type == "GatherElements";
    SmallVector<int64_t> shape;
    AffineMap idxMap;
    int64_t outRank;
    if (elements) {
      if (idxTy.getRank() != rank)
        return nodeError(node) << "indices must have the data's rank";
      for (int64_t i = 0; i < rank; ++i)
        if (i != *axis && idxTy.getDimSize(i) > ty.getDimSize(i))
          return nodeError(node) << "indices exceed the data's shape";
      llvm::append_range(shape, idxTy.getShape());
      outRank = rank;
      idxMap = AffineMap::getMultiDimIdentityMap(rank, ctx);
    } else {
      int64_t ir = idxTy.getRank();
      outRank = rank - 1 + ir;
      llvm::append_range(shape, ty.getShape().take_front(*axis));
      llvm::append_range(shape, idxTy.getShape());
      llvm::append_range(shape, ty.getShape().drop_front(*axis + 1));
      SmallVector<AffineExpr> exprs;
      for (int64_t i = 0; i < ir; ++i)
        exprs.push_back(getAffineDimExpr(*axis + i, ctx));
      idxMap = AffineMap::get(outRank, 0, exprs, ctx);
    }
    Value data = *x;
    int64_t dimSize = ty.getDimSize(*axis);
    Value init = tensor::EmptyOp::create(b, loc, shape, ty.getElementType());
    SmallVector<utils::IteratorType> iters(outRank,
                                           utils::IteratorType::parallel);
    Value r =
        linalg::GenericOp::create(
            b, loc, init.getType(), ValueRange{*idx}, ValueRange{init},
            {idxMap, AffineMap::getMultiDimIdentityMap(outRank, ctx)}, iters,
            [&](OpBuilder &nb, Location nl, ValueRange a) {
              Value at = safeIndex(nb, nl, a[0], dimSize);
              SmallVector<Value> coords;
              int64_t ir = idxTy.getRank();
              for (int64_t i = 0; i < rank; ++i) {
                if (i == *axis)
                  coords.push_back(at);
                else if (elements || i < *axis)
                  coords.push_back(linalg::IndexOp::create(nb, nl, i));
                else
                  coords.push_back(linalg::IndexOp::create(nb, nl, i - 1 + ir));
              }
              linalg::YieldOp::create(
                  nb, nl,
                  ValueRange{tensor::ExtractOp::create(nb, nl, data, coords)});
            })
            .getResult(0);
    define(node, 0, r);
    return success();
  }

  if (type == "Slice") {
    FailureOr<Value> x = requireInput(node, 0);
    if (failed(x))
      return failure();
    auto ty = cast<RankedTensorType>(x->getType());
    int64_t rank = ty.getRank();
    SmallVector<int64_t> starts, ends, axes, steps;
    if (version < 10) {
      // Slice-1: `starts`, `ends` and `axes` attributes, no steps.
      if (node.input_size() > 1)
        return nodeError(node) << "Slice-1 takes one input (starts/ends/axes "
                                  "are attributes)";
      auto s = intsAttr(node, "starts"), e = intsAttr(node, "ends");
      if (!s || !e)
        return nodeError(node) << "Slice-1 needs 'starts' and 'ends'";
      starts = *s;
      ends = *e;
      if (auto a = intsAttr(node, "axes"))
        axes = *a;
    } else {
      FailureOr<SmallVector<int64_t>> s = constInts(node, 1, "starts");
      FailureOr<SmallVector<int64_t>> e = constInts(node, 2, "ends");
      if (failed(s) || failed(e))
        return failure();
      starts = *s;
      ends = *e;
      if (hasInput(node, 3)) {
        FailureOr<SmallVector<int64_t>> a = constInts(node, 3, "axes");
        if (failed(a))
          return failure();
        axes = *a;
      }
      if (hasInput(node, 4)) {
        FailureOr<SmallVector<int64_t>> st = constInts(node, 4, "steps");
        if (failed(st))
          return failure();
        steps = *st;
      }
    }
    if (axes.empty())
      for (size_t i = 0; i < starts.size(); ++i)
        axes.push_back(i);
    if (steps.empty())
      steps.assign(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size() ||
        steps.size() != starts.size())
      return nodeError(node) << "starts, ends, axes and steps differ in length";
    SmallVector<int64_t> start(rank, 0), step(rank, 1), shape(ty.getShape());
    for (size_t k = 0; k < axes.size(); ++k) {
      FailureOr<int64_t> a = normalizeAxis(node, axes[k], rank);
      if (failed(a))
        return failure();
      int64_t d = ty.getDimSize(*a), s = starts[k], e = ends[k],
              st = steps[k];
      if (st == 0)
        return nodeError(node) << "step 0";
      if (s < 0)
        s += d;
      if (e < 0)
        e += d;
      if (st > 0) {
        s = std::clamp<int64_t>(s, 0, d);
        e = std::clamp<int64_t>(e, 0, d);
        shape[*a] = e > s ? (e - s + st - 1) / st : 0;
      } else {
        s = std::clamp<int64_t>(s, 0, d - 1);
        e = std::clamp<int64_t>(e, -1, d - 1);
        shape[*a] = s > e ? (s - e - st - 1) / -st : 0;
      }
      start[*a] = s;
      step[*a] = st;
    }
    Value data = *x;
    Value init = tensor::EmptyOp::create(b, loc, shape, ty.getElementType());
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    Value r = linalg::GenericOp::create(
                  b, loc, init.getType(), ValueRange{}, ValueRange{init},
                  {AffineMap::getMultiDimIdentityMap(rank, ctx)}, iters,
                  [&](OpBuilder &nb, Location nl, ValueRange) {
                    SmallVector<Value> coords;
                    for (int64_t i = 0; i < rank; ++i) {
                      Value iv = linalg::IndexOp::create(nb, nl, i);
                      Value c = arith::AddIOp::create(
                          nb, nl,
                          arith::ConstantIndexOp::create(nb, nl, start[i]),
                          arith::MulIOp::create(
                              nb, nl, iv,
                              arith::ConstantIndexOp::create(nb, nl, step[i])));
                      coords.push_back(c);
                    }
                    linalg::YieldOp::create(
                        nb, nl,
                        ValueRange{tensor::ExtractOp::create(nb, nl, data, coords)});
                  })
                  .getResult(0);
    define(node, 0, r);
    return success();
  }

  return nodeError(node) << "unsupported op type '" << type << "'";
}

//===----------------------------------------------------------------------===//
// Graph
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp> Importer::run() {
  for (const auto &o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx")
      opset = o.version();
  if (opset == 0) {
    emitError(fileLoc()) << "model imports no default-domain opset";
    return {};
  }
  if (opset < 1 || opset > kMaxOpset) {
    emitError(fileLoc()) << "opset " << opset
                         << " is not supported (opsets 1 to " << kMaxOpset
                         << " are)";
    return {};
  }
  if (failed(resolveVersions()) || failed(checkWithLibONNX()))
    return {};
  const onnx::GraphProto &graph = model.graph();
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc());
  b.setInsertionPointToEnd(module->getBody());

  llvm::StringSet<> initNames;
  for (const auto &init : graph.initializer())
    initNames.insert(init.name());

  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  for (const auto &in : graph.input()) {
    if (initNames.contains(in.name()))
      continue;
    FailureOr<RankedTensorType> ty = convertValueInfo(in);
    if (failed(ty))
      return {};
    argTypes.push_back(*ty);
    argNames.push_back(in.name());
  }
  std::string fnName = "main_graph";
  auto fn = func::FuncOp::create(b, fileLoc(), fnName,
                                 b.getFunctionType(argTypes, {}));
  Block *entry = fn.addEntryBlock();
  b.setInsertionPointToStart(entry);
  for (auto [i, name] : llvm::enumerate(argNames)) {
    values[name] = entry->getArgument(i);
    fn.setArgAttr(i, "onnx.name", b.getStringAttr(name));
  }
  for (const auto &init : graph.initializer()) {
    Location loc = NameLoc::get(StringAttr::get(ctx, init.name()), fileLoc());
    FailureOr<DenseElementsAttr> attrV = convertTensor(init, loc);
    if (failed(attrV))
      return {};
    values[init.name()] = constant(loc, *attrV);
    defineConst(init.name(), *attrV);
  }
  for (auto [i, node] : llvm::enumerate(graph.node())) {
    version = versions[i];
    if (failed(importNode(node)) || failed(checkInferredShapes(node)))
      return {};
  }

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const auto &out : graph.output()) {
    Value v = values.lookup(out.name());
    if (!v) {
      emitError(NameLoc::get(StringAttr::get(ctx, out.name()), fileLoc()))
          << "graph output '" << out.name() << "' is never produced";
      return {};
    }
    results.push_back(v);
    resultTypes.push_back(v.getType());
  }
  func::ReturnOp::create(b, fileLoc(), results);
  fn.setType(b.getFunctionType(argTypes, resultTypes));
  for (auto [i, out] : llvm::enumerate(graph.output()))
    fn.setResultAttr(i, "onnx.name", b.getStringAttr(out.name()));
  if (failed(verify(*module)))
    return {};
  return module;
}

} // namespace

Type mlir::loss::convertONNXElementType(MLIRContext *context,
                                       int32_t onnxType) {
  return convertElementTypeImpl(context, onnxType);
}

OwningOpRef<ModuleOp> mlir::loss::importONNXModel(StringRef bytes,
                                                  StringRef sourceName,
                                                  MLIRContext *context) {
  context->loadDialect<LossDialect, arith::ArithDialect, func::FuncDialect,
                       linalg::LinalgDialect, math::MathDialect,
                       tensor::TensorDialect>();
  onnx::ModelProto model;
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    emitError(FileLineColLoc::get(context, sourceName, 0, 0))
        << "not a valid ONNX model (the protobuf does not parse: truncated "
           "or corrupt file?)";
    return {};
  }
  if (!model.has_graph()) {
    emitError(FileLineColLoc::get(context, sourceName, 0, 0))
        << "ONNX model has no graph";
    return {};
  }
  return Importer(context, sourceName, model).run();
}

void mlir::loss::registerONNXImportDialects(DialectRegistry &registry) {
  registry.insert<LossDialect, arith::ArithDialect, func::FuncDialect,
                  linalg::LinalgDialect, math::MathDialect,
                  tensor::TensorDialect>();
}

void mlir::loss::registerONNXImportTranslation() {
  TranslateToMLIRRegistration reg(
      "import-onnx", "Import an ONNX model (ModelProto) into MLIR",
      [](llvm::SourceMgr &sourceMgr, MLIRContext *ctx) -> OwningOpRef<Operation *> {
        const llvm::MemoryBuffer *buf =
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
        return importONNXModel(buf->getBuffer(), buf->getBufferIdentifier(),
                               ctx);
      },
      registerONNXImportDialects);
}
