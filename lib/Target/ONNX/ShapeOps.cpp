//===- ShapeOps.cpp - Constants, shapes, reshapes, transposes -------------===//
//
// Constant, ConstantOfShape, Identity and Shape are folded at import: their
// contents are known, and kept (ImportState::consts) so that the shape
// operands of Reshape, Squeeze, Unsqueeze, Slice, ... can be read. Reshape,
// Squeeze and Unsqueeze become tensor.reshape, Transpose linalg.transpose;
// each carries known contents through.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::loss;
using namespace mlir::loss::onnx_import;

namespace {

//===----------------------------------------------------------------------===//
// Known contents
//===----------------------------------------------------------------------===//

LogicalResult importConstant(NodeImporter &n) {
  OpBuilder &b = n.b;
  DenseElementsAttr value;
  if (const auto *a = n.attr("value")) {
    FailureOr<DenseElementsAttr> t = n.convertTensor(a->t());
    if (failed(t))
      return failure();
    value = *t;
  } else if (const auto *a = n.attr("value_float")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                                   a->f());
  } else if (const auto *a = n.attr("value_floats")) {
    SmallVector<float> v(a->floats().begin(), a->floats().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({(int64_t)v.size()}, b.getF32Type()),
        ArrayRef<float>(v));
  } else if (const auto *a = n.attr("value_int")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()),
                                   (int64_t)a->i());
  } else if (const auto *a = n.attr("value_ints")) {
    SmallVector<int64_t> v(a->ints().begin(), a->ints().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({(int64_t)v.size()}, b.getI64Type()),
        ArrayRef<int64_t>(v));
  } else {
    return n.error() << "has no supported value attribute";
  }
  n.define(0, n.constant(value));
  n.defineConst(value);
  return success();
}

LogicalResult importConstantOfShape(NodeImporter &n) {
  FailureOr<SmallVector<int64_t>> shape = n.constInts(0, "input");
  if (failed(shape))
    return failure();
  DenseElementsAttr fill = DenseElementsAttr::get(
      RankedTensorType::get({1}, n.b.getF32Type()), 0.0f);
  if (const auto *a = n.attr("value")) {
    FailureOr<DenseElementsAttr> t = n.convertTensor(a->t());
    if (failed(t))
      return failure();
    fill = *t;
  }
  if (fill.getNumElements() != 1)
    return n.error() << "'value' must hold one element";
  // The splat is cheap here but becomes a global of the compiled code:
  // every dimension must be valid and the whole no larger than a constant
  // may be.
  for (int64_t d : *shape)
    if (d < 0)
      return n.error() << "shape has a negative dimension " << d;
  int64_t width = elementBytes(fill.getElementType());
  std::optional<int64_t> count = checkedNumElements(*shape, width);
  if (!count)
    return n.error() << "shape has more elements than fit in 64 bits";
  if (*count * width > kMaxConstantBytes)
    return n.error() << "shape has " << *count << " elements ("
                     << *count * width << " bytes), more than the "
                     << kMaxConstantBytes << " bytes a constant may have";
  auto ty = RankedTensorType::get(*shape, fill.getElementType());
  auto splat = DenseElementsAttr::get(ty, fill.getValues<Attribute>()[0]);
  n.define(0, n.constant(splat));
  n.defineConst(splat);
  return success();
}

LogicalResult importIdentity(NodeImporter &n) {
  FailureOr<Value> x = n.requireInput(0);
  if (failed(x))
    return failure();
  n.define(0, *x);
  if (DenseElementsAttr known = n.knownInput(0))
    n.defineConst(known);
  return success();
}

LogicalResult importShape(NodeImporter &n) {
  FailureOr<Value> x = n.requireInput(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> shape = cast<RankedTensorType>(x->getType()).getShape();
  int64_t rank = shape.size();
  int64_t start = n.intAttr("start", 0), end = n.intAttr("end", rank);
  auto clampAxis = [&](int64_t a) {
    if (a < 0)
      a += rank;
    return std::clamp<int64_t>(a, 0, rank);
  };
  start = clampAxis(start);
  end = std::max(start, clampAxis(end));
  SmallVector<int64_t> dims(shape.begin() + start, shape.begin() + end);
  auto attrV = DenseElementsAttr::get(
      RankedTensorType::get({(int64_t)dims.size()}, n.b.getI64Type()),
      ArrayRef<int64_t>(dims));
  n.define(0, n.constant(attrV));
  n.defineConst(attrV);
  return success();
}

//===----------------------------------------------------------------------===//
// Reshape, Squeeze, Unsqueeze
//===----------------------------------------------------------------------===//

/// Defines the node's output as input `x` reshaped to `shape`; known
/// contents stay known.
LogicalResult defineReshaped(NodeImporter &n, Value x,
                             ArrayRef<int64_t> shape) {
  FailureOr<Value> r = n.reshape(x, shape);
  if (failed(r))
    return failure();
  n.define(0, *r);
  if (DenseElementsAttr known = n.knownInput(0))
    n.defineConst(known.reshape(
        RankedTensorType::get(shape, known.getElementType())));
  return success();
}

/// Reshape to ONNX's `shape` (0 copies the input's dimension unless
/// `allowzero`, one -1 is inferred).
LogicalResult importReshapeTo(NodeImporter &n, Value x,
                              SmallVector<int64_t> s) {
  auto ty = cast<RankedTensorType>(x.getType());
  int64_t rank = ty.getRank();
  SmallVector<int64_t> shape;
  bool allowZero = n.intAttr("allowzero", 0);
  int64_t infer = -1, known = 1;
  for (auto [i, d] : llvm::enumerate(s)) {
    if (d == 0 && !allowZero) {
      if ((int64_t)i >= rank)
        return n.error() << "shape copies a dimension the input "
                            "does not have";
      d = ty.getDimSize(i);
    }
    if (d == -1) {
      if (infer >= 0)
        return n.error() << "shape has more than one -1";
      infer = i;
    } else if (d < 0) {
      return n.error() << "shape has a negative dimension";
    } else if (llvm::MulOverflow(known, d, known)) {
      return n.error() << "shape has more elements than fit in 64 bits";
    }
    shape.push_back(d);
  }
  if (infer >= 0) {
    if (known == 0 || ty.getNumElements() % known)
      return n.error() << "cannot infer the -1 dimension";
    shape[infer] = ty.getNumElements() / known;
  }
  return defineReshaped(n, x, shape);
}

/// Reshape-1: the shape is an attribute.
LogicalResult importReshapeAttr(NodeImporter &n) {
  FailureOr<Value> x = n.requireInput(0);
  if (failed(x))
    return failure();
  if (n.node.input_size() > 1)
    return n.error() << "Reshape-1 takes one input ('shape' is an attribute)";
  auto a = n.intsAttr("shape");
  if (!a)
    return n.error() << "Reshape-1 needs a 'shape' attribute";
  return importReshapeTo(n, *x, *a);
}

/// Reshape since 5: the shape is an input, known at import.
LogicalResult importReshapeInput(NodeImporter &n) {
  FailureOr<Value> x = n.requireInput(0);
  if (failed(x))
    return failure();
  FailureOr<SmallVector<int64_t>> s = n.constInts(1, "shape");
  if (failed(s))
    return failure();
  return importReshapeTo(n, *x, *s);
}

/// Squeeze (`squeeze`) or Unsqueeze; `axes` is an input (known at import,
/// else the attribute is read) if `axesAsInput`, else an attribute.
LogicalResult importSqueeze(NodeImporter &n, bool squeeze, bool axesAsInput) {
  FailureOr<Value> x = n.requireInput(0);
  if (failed(x))
    return failure();
  auto ty = cast<RankedTensorType>(x->getType());
  int64_t rank = ty.getRank();
  SmallVector<int64_t> shape;
  SmallVector<int64_t> axes;
  if (axesAsInput && n.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> a = n.constInts(1, "axes");
    if (failed(a))
      return failure();
    axes = *a;
  } else if (auto a = n.intsAttr("axes")) {
    axes = *a;
  }
  if (squeeze) {
    llvm::SmallBitVector drop(rank);
    if (axes.empty())
      for (int64_t i = 0; i < rank; ++i)
        drop[i] = ty.getDimSize(i) == 1;
    for (int64_t a : axes) {
      FailureOr<int64_t> ax = n.normalizeAxis(a, rank);
      if (failed(ax))
        return failure();
      if (ty.getDimSize(*ax) != 1)
        return n.error() << "cannot squeeze dimension " << *ax << " of size "
                         << ty.getDimSize(*ax);
      drop.set(*ax);
    }
    for (int64_t i = 0; i < rank; ++i)
      if (!drop[i])
        shape.push_back(ty.getDimSize(i));
  } else {
    if (axes.empty())
      return n.error() << "needs axes";
    // The axes range over the output's rank, and each must be new: ONNX
    // requires them unique.
    int64_t outRank = rank + axes.size();
    llvm::SmallBitVector add(outRank);
    for (int64_t a : axes) {
      FailureOr<int64_t> ax = n.normalizeAxis(a, outRank, "the output's");
      if (failed(ax))
        return failure();
      if (add.test(*ax))
        return n.error() << "axes name dimension " << *ax
                         << " of the output more than once";
      add.set(*ax);
    }
    int64_t j = 0;
    for (int64_t i = 0; i < outRank; ++i)
      shape.push_back(add[i] ? 1 : ty.getDimSize(j++));
  }
  return defineReshaped(n, *x, shape);
}

//===----------------------------------------------------------------------===//
// Transpose
//===----------------------------------------------------------------------===//

LogicalResult importTranspose(NodeImporter &n) {
  OpBuilder &b = n.b;
  Location loc = n.loc;
  FailureOr<Value> x = n.requireInput(0);
  if (failed(x))
    return failure();
  auto ty = cast<RankedTensorType>(x->getType());
  int64_t rank = ty.getRank();
  SmallVector<int64_t> perm;
  if (auto p = n.intsAttr("perm"))
    perm = *p;
  else
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  SmallVector<int64_t> sorted(perm);
  llvm::sort(sorted);
  for (int64_t i = 0; i < (int64_t)sorted.size(); ++i)
    if (sorted[i] != i || (int64_t)perm.size() != rank)
      return n.error() << "'perm' is not a permutation of the "
                          "input's dimensions";
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(ty.getDimSize(p));
  Value init = tensor::EmptyOp::create(b, loc, shape, ty.getElementType());
  n.define(0,
           linalg::TransposeOp::create(b, loc, *x, init, perm).getResult()[0]);
  return success();
}

} // namespace

void onnx_import::populateShapeHandlers(OpRegistry &r) {
  r.onOp("Constant", {1, 9, 11, 12, 13, 19, 21}, importConstant);
  r.onOp("ConstantOfShape", {9, 20, 21}, importConstantOfShape);
  r.onOp("Identity", {1, 13, 14, 16, 19, 21}, importIdentity);
  r.onOp("Shape", {1, 13, 15, 19, 21}, importShape);
  // Before 5, `shape` attribute; since 5, input.
  r.onOp("Reshape", {1}, importReshapeAttr);
  r.onOp("Reshape", {5, 13, 14, 19, 21}, importReshapeInput);
  // Before 13, `axes` attribute; since 13, input.
  for (bool squeeze : {true, false}) {
    StringRef op = squeeze ? "Squeeze" : "Unsqueeze";
    r.onOp(op, {1, 11}, [squeeze](NodeImporter &n) {
      return importSqueeze(n, squeeze, /*axesAsInput=*/false);
    });
    r.onOp(op, {13, 21}, [squeeze](NodeImporter &n) {
      return importSqueeze(n, squeeze, /*axesAsInput=*/true);
    });
  }
  r.onOp("Transpose", {1, 13, 21}, importTranspose);
}
