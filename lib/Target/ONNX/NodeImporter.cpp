//===- NodeImporter.cpp - Reading a node, building its results ------------===//
//
// The helpers every handler uses: a node's inputs, known contents and
// attributes, located errors, and the elementwise and reshape building
// blocks on static shapes.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::loss;
using namespace mlir::loss::onnx_import;

std::string onnx_import::nodeName(const onnx::NodeProto &node) {
  if (!node.name().empty())
    return node.name();
  if (node.output_size() && !node.output(0).empty())
    return node.output(0);
  return "<unnamed>";
}

static Location nodeLocation(ImportState &s, const onnx::NodeProto &node) {
  return NameLoc::get(StringAttr::get(s.ctx, nodeName(node)), s.fileLoc());
}

InFlightDiagnostic onnx_import::nodeError(ImportState &s,
                                          const onnx::NodeProto &node) {
  return emitError(nodeLocation(s, node))
         << "ONNX node '" << nodeName(node) << "' (" << node.op_type()
         << ", opset " << s.opset << "): ";
}

NodeImporter::NodeImporter(ImportState &s, const onnx::NodeProto &node,
                           int version)
    : s(s), node(node), version(version), b(s.b), ctx(s.ctx),
      loc(nodeLocation(s, node)) {}

//===----------------------------------------------------------------------===//
// Inputs and outputs
//===----------------------------------------------------------------------===//

Value NodeImporter::input(int i) const {
  if (!hasInput(i))
    return {};
  return s.values.lookup(node.input(i));
}

FailureOr<Value> NodeImporter::requireInput(int i) {
  if (!hasInput(i)) {
    error() << "missing required input #" << i;
    return failure();
  }
  Value v = s.values.lookup(node.input(i));
  if (!v) {
    error() << "input '" << node.input(i)
            << "' is not produced by any earlier node, initializer "
               "or graph input";
    return failure();
  }
  return v;
}

LogicalResult NodeImporter::allInputs(SmallVector<Value> &out) {
  for (int i = 0; i < node.input_size(); ++i) {
    FailureOr<Value> v = requireInput(i);
    if (failed(v))
      return failure();
    out.push_back(*v);
  }
  return success();
}

FailureOr<SmallVector<int64_t>> NodeImporter::constInts(int i,
                                                        StringRef what) {
  if (!hasInput(i)) {
    error() << "missing '" << what << "' input";
    return failure();
  }
  auto it = s.consts.find(node.input(i));
  if (it == s.consts.end() ||
      !isa<IntegerType>(it->second.getElementType())) {
    error() << "'" << what
            << "' must be a constant integer tensor (static shapes "
               "only)";
    return failure();
  }
  SmallVector<int64_t> out;
  for (const APInt &v : it->second.getValues<APInt>())
    out.push_back(v.getSExtValue());
  return out;
}

DenseElementsAttr NodeImporter::knownInput(int i) const {
  if (i >= node.input_size())
    return {};
  return s.consts.lookup(node.input(i));
}

void NodeImporter::define(int i, Value v) {
  if (i < node.output_size() && !node.output(i).empty())
    s.values[node.output(i)] = v;
}

LogicalResult NodeImporter::defineResult(FailureOr<Value> v) {
  if (failed(v))
    return failure();
  define(0, *v);
  return success();
}

void NodeImporter::defineConst(DenseElementsAttr attr) {
  s.consts[node.output(0)] = attr;
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

const onnx::AttributeProto *NodeImporter::attr(StringRef name) const {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t NodeImporter::intAttr(StringRef name, int64_t dflt) const {
  const auto *a = attr(name);
  return a ? a->i() : dflt;
}

float NodeImporter::floatAttr(StringRef name, float dflt) const {
  const auto *a = attr(name);
  return a ? a->f() : dflt;
}

std::string NodeImporter::stringAttr(StringRef name, StringRef dflt) const {
  const auto *a = attr(name);
  return a ? a->s() : dflt.str();
}

std::optional<SmallVector<int64_t>>
NodeImporter::intsAttr(StringRef name) const {
  const auto *a = attr(name);
  if (!a)
    return std::nullopt;
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

Value NodeImporter::constant(DenseElementsAttr attr) {
  return arith::ConstantOp::create(b, loc, attr);
}

FailureOr<DenseElementsAttr>
NodeImporter::convertTensor(const onnx::TensorProto &t) {
  return onnx_import::convertTensor(ctx, t, loc);
}

FailureOr<int64_t> NodeImporter::normalizeAxis(int64_t axis, int64_t rank,
                                               StringRef rankOf) {
  if (axis < -rank || axis >= rank) {
    auto diag = error() << "axis " << axis << " is out of range for ";
    if (!rankOf.empty())
      diag << rankOf << " ";
    diag << "rank " << rank << " (expected [" << -rank << ", " << rank
         << "))";
    return failure();
  }
  return axis < 0 ? axis + rank : axis;
}

FailureOr<Value> NodeImporter::elementwise(ArrayRef<Value> operands,
                                           Type resultElType,
                                           const BodyFn &body) {
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
        error() << "operand shapes do not broadcast";
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

FailureOr<Value> NodeImporter::reshape(Value v, ArrayRef<int64_t> shape) {
  auto ty = cast<RankedTensorType>(v.getType());
  auto resultTy = RankedTensorType::get(shape, ty.getElementType());
  if (resultTy.getNumElements() != ty.getNumElements()) {
    error() << "cannot reshape " << ty << " to " << resultTy;
    return failure();
  }
  if (resultTy == ty)
    return v;
  auto shapeTy =
      RankedTensorType::get({(int64_t)shape.size()}, b.getI64Type());
  Value shapeVal = constant(DenseElementsAttr::get(shapeTy, shape));
  return tensor::ReshapeOp::create(b, loc, resultTy, v, shapeVal).getResult();
}

Value onnx_import::castScalar(OpBuilder &b, Location loc, Value v, Type to) {
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
