//===- ImportONNX.cpp - ONNX ModelProto to MLIR: the graph walk -----------===//
//
// Loss nodes map onto the loss dialect; the primitive ops that ONNX's
// expanded loss graphs and PyTorch's exporter use map onto linalg/tensor/
// arith/math on static shapes. Shape computations (Shape, Constant, ...) are
// folded at import: every value whose contents are known is also kept as an
// attribute, so Reshape/Slice/Squeeze/... can read their shape operands.
//
// This file walks the graph: it checks the model (opset, versions, libonnx's
// checker and shape inference), makes the function, its arguments and the
// initializers, imports each node through the handler that the OpRegistry
// (OpRegistry.cpp; the families in LossNodes, Elementwise, Reductions,
// ShapeOps, Indexing and TrainingNodes) has for the version of its op in
// force at the model's opset (of its domain: com.microsoft for ONNX
// Runtime's training ops), checks its results against libonnx's inferred
// shapes, and returns the graph's outputs.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Target/ONNX/ImportONNX.h"
#include "Importer.h"
#include "loss-mlir/Dialect/Loss/IR/Loss.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/SourceMgr.h"

#include <limits>
#include <vector>

using namespace mlir;
using namespace mlir::loss;
using namespace mlir::loss::onnx_import;

namespace {

/// Counts the errors emitted while it lives (and lets them through), so
/// that a failure without a message of its own still gets one.
class ErrorCounter {
public:
  explicit ErrorCounter(MLIRContext *ctx)
      : handler(ctx, [this](Diagnostic &d) {
          if (d.getSeverity() == DiagnosticSeverity::Error)
            ++errors;
          return failure(); // not handled: on to the enclosing handler
        }) {}
  bool any() const { return errors != 0; }

private:
  int errors = 0;
  ScopedDiagnosticHandler handler;
};

class GraphImporter {
public:
  GraphImporter(MLIRContext *ctx, StringRef source,
                const onnx::ModelProto &model)
      : s(ctx, source), model(model), registry(getOpRegistry()) {}

  OwningOpRef<ModuleOp> run();

private:
  FailureOr<RankedTensorType> convertValueInfo(const onnx::ValueInfoProto &vi);
  /// The version of each node's op in force at the opset, and its handler;
  /// an error for an unsupported op or version.
  LogicalResult resolveVersions();
  /// The node's outputs have the static shapes libonnx infers.
  LogicalResult checkInferredShapes(const onnx::NodeProto &node);
  /// The node's outputs are ranked tensors of valid static shapes whose
  /// sizes in bytes fit in 64 bits, and the ops it imported to (those after
  /// `before` in the entry block) verify; errors name the node.
  LogicalResult checkImportedNode(const onnx::NodeProto &node, Block *entry,
                                  Operation *before);

  ImportState s;
  const onnx::ModelProto &model;
  const OpRegistry &registry;
  /// The version of each graph node's op in force at the opset.
  std::vector<int> versions;
  /// The handler of each graph node (null where the op does not exist at
  /// the opset, which libonnx's checker rejects).
  std::vector<const OpHandler *> handlers;
  /// Static shapes that libonnx's shape inference gives graph values.
  llvm::StringMap<SmallVector<int64_t>> inferredShapes;
};

} // namespace

FailureOr<RankedTensorType>
GraphImporter::convertValueInfo(const onnx::ValueInfoProto &vi) {
  Location loc =
      NameLoc::get(StringAttr::get(s.ctx, vi.name()), s.fileLoc());
  if (!vi.type().has_tensor_type()) {
    emitError(loc) << "graph value '" << vi.name() << "' is not a tensor";
    return failure();
  }
  const auto &tt = vi.type().tensor_type();
  Type el = convertElementType(s.ctx, tt.elem_type());
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
  if (!checkedNumElements(shape, elementBytes(el))) {
    emitError(loc) << "graph value '" << vi.name() << "' has shape ["
                   << ArrayRef<int64_t>(shape)
                   << "], whose size in bytes does not fit in 64 bits";
    return failure();
  }
  return RankedTensorType::get(shape, el);
}

LogicalResult GraphImporter::resolveVersions() {
  for (const auto &node : model.graph().node()) {
    // The default domain, or com.microsoft (ONNX Runtime's training ops).
    FailureOr<int64_t> opset = domainOpset(s, node);
    if (failed(opset))
      return failure();
    StringRef domain = canonicalDomain(node.domain());
    // Every supported op has a first output; the handlers rely on it.
    if (node.output_size() == 0 || node.output(0).empty())
      return nodeError(s, node) << "has no output";
    StringRef op = node.op_type();
    if (!registry.supports(domain, op))
      return nodeError(s, node)
             << "unsupported op type '"
             << (domain.empty() ? op.str() : (domain + "." + op).str())
             << "'";
    // 0 where the op does not exist yet at this opset: the checker says so
    // (the graph walk, for ONNX Runtime's ops).
    int version = registry.versionInForce(domain, op, *opset);
    const OpHandler *handler =
        version ? registry.lookup(domain, op, version) : nullptr;
    if (version && !handler) {
      auto diag = nodeError(s, node);
      diag << op << "-" << version << " (the version in force at opset "
           << *opset << ") is not implemented; implemented versions:";
      for (int v : registry.implementedVersions(domain, op))
        diag << " " << v;
      return failure();
    }
    versions.push_back(version);
    handlers.push_back(handler);
  }
  return success();
}

LogicalResult GraphImporter::checkInferredShapes(const onnx::NodeProto &node) {
  for (const std::string &name : node.output()) {
    auto it = inferredShapes.find(name);
    Value v = s.values.lookup(name);
    if (it == inferredShapes.end() || !v)
      continue;
    ArrayRef<int64_t> shape = cast<RankedTensorType>(v.getType()).getShape();
    if (shape == ArrayRef<int64_t>(it->second))
      continue;
    auto diag = nodeError(s, node);
    diag << "output '" << name << "' is " << v.getType()
         << " but ONNX shape inference gives [";
    llvm::interleaveComma(it->second, diag);
    diag << "]";
    return failure();
  }
  return success();
}

LogicalResult GraphImporter::checkImportedNode(const onnx::NodeProto &node,
                                              Block *entry,
                                              Operation *before) {
  for (const std::string &name : node.output()) {
    Value v = s.values.lookup(name);
    if (name.empty() || !v)
      continue;
    auto ty = dyn_cast<RankedTensorType>(v.getType());
    if (!ty || !llvm::all_of(ty.getShape(), [](int64_t d) { return d >= 0; }))
      return nodeError(s, node)
             << "output '" << name << "' has type " << v.getType()
             << ", not a tensor of a static shape";
    if (!checkedNumElements(ty.getShape(),
                            elementBytes(ty.getElementType())))
      return nodeError(s, node)
             << "output '" << name << "' is " << ty
             << ", whose size in bytes does not fit in 64 bits";
  }
  // Each node's ops are verified as they are made, so that an error names
  // the node (a verifier's own message carries only the op's location).
  auto first = before ? std::next(before->getIterator()) : entry->begin();
  for (Operation &op : llvm::make_range(first, entry->end()))
    if (failed(verify(&op)))
      return nodeError(s, node) << "imports to IR that does not verify";
  return success();
}

OwningOpRef<ModuleOp> GraphImporter::run() {
  OpBuilder &b = s.b;
  int64_t &opset = s.opset;
  for (const auto &o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx")
      opset = o.version();
  if (opset == 0) {
    emitError(s.fileLoc()) << "model imports no default-domain opset";
    return {};
  }
  if (opset < 1 || opset > kMaxOpset) {
    emitError(s.fileLoc()) << "opset " << opset
                           << " is not supported (opsets 1 to " << kMaxOpset
                           << " are)";
    return {};
  }
  if (failed(readContribOpset(s, model)) || failed(resolveVersions()) ||
      failed(checkWithLibONNX(s, model, versions, inferredShapes)))
    return {};
  const onnx::GraphProto &graph = model.graph();
  OwningOpRef<ModuleOp> module = ModuleOp::create(s.fileLoc());
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
  auto fn = func::FuncOp::create(b, s.fileLoc(), fnName,
                                 b.getFunctionType(argTypes, {}));
  Block *entry = fn.addEntryBlock();
  b.setInsertionPointToStart(entry);
  for (auto [i, name] : llvm::enumerate(argNames)) {
    s.values[name] = entry->getArgument(i);
    fn.setArgAttr(i, "onnx.name", b.getStringAttr(name));
  }
  for (const auto &init : graph.initializer()) {
    Location loc =
        NameLoc::get(StringAttr::get(s.ctx, init.name()), s.fileLoc());
    FailureOr<DenseElementsAttr> attrV = convertTensor(s.ctx, init, loc);
    if (failed(attrV))
      return {};
    s.values[init.name()] = arith::ConstantOp::create(b, loc, *attrV);
    s.consts[init.name()] = *attrV;
  }
  for (auto [i, node] : llvm::enumerate(graph.node())) {
    const OpHandler *handler = handlers[i];
    if (!handler) {
      nodeError(s, node) << node.op_type() << " does not exist at opset "
                         << opset;
      return {};
    }
    NodeImporter n(s, node, versions[i]);
    Operation *before = entry->empty() ? nullptr : &entry->back();
    ErrorCounter errors(s.ctx);
    if (failed(handler->fn(n))) {
      if (!errors.any())
        nodeError(s, node) << "cannot be imported";
      return {};
    }
    if (failed(checkImportedNode(node, entry, before)) ||
        failed(checkInferredShapes(node)))
      return {};
  }

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const auto &out : graph.output()) {
    Value v = s.values.lookup(out.name());
    if (!v) {
      emitError(
          NameLoc::get(StringAttr::get(s.ctx, out.name()), s.fileLoc()))
          << "graph output '" << out.name() << "' is never produced";
      return {};
    }
    results.push_back(v);
    resultTypes.push_back(v.getType());
  }
  func::ReturnOp::create(b, s.fileLoc(), results);
  fn.setType(b.getFunctionType(argTypes, resultTypes));
  for (auto [i, out] : llvm::enumerate(graph.output()))
    fn.setResultAttr(i, "onnx.name", b.getStringAttr(out.name()));
  if (failed(verify(*module)))
    return {};
  return module;
}

Type mlir::loss::convertONNXElementType(MLIRContext *context,
                                       int32_t onnxType) {
  return onnx_import::convertElementType(context, onnxType);
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
  ErrorCounter errors(context);
  OwningOpRef<ModuleOp> module =
      GraphImporter(context, sourceName, model).run();
  if (!module && !errors.any())
    emitError(FileLineColLoc::get(context, sourceName, 0, 0))
        << "the ONNX model cannot be imported";
  return module;
}

void mlir::loss::registerONNXImportDialects(DialectRegistry &registry) {
  registry.insert<LossDialect, arith::ArithDialect, func::FuncDialect,
                  linalg::LinalgDialect, math::MathDialect,
                  tensor::TensorDialect>();
}

void mlir::loss::registerONNXImportTranslation() {
  TranslateToMLIRRegistration reg(
      "import-onnx", "Import an ONNX model (ModelProto) into MLIR",
      [](llvm::SourceMgr &sourceMgr,
         MLIRContext *ctx) -> OwningOpRef<Operation *> {
        const llvm::MemoryBuffer *buf =
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
        return importONNXModel(buf->getBuffer(), buf->getBufferIdentifier(),
                               ctx);
      },
      registerONNXImportDialects);
}
