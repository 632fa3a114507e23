//===- VerifyUtils.h - Shared verification helpers --------------*- C++ -*-===//
//
// Shape and type checks shared by the verifiers of the forward ops
// (LossOps.cpp) and of the gradient ops (one file per family). Private to
// lib/Dialect/Loss/IR.
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_MLIR_LIB_DIALECT_LOSS_IR_VERIFYUTILS_H
#define LOSS_MLIR_LIB_DIALECT_LOSS_IR_VERIFYUTILS_H

#include "loss-mlir/Dialect/Loss/IR/Loss.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mlir {
namespace loss {
namespace verify {
using Shape = SmallVector<int64_t>;

inline std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleave(
      shape,
      [&](int64_t d) {
        if (ShapedType::isDynamic(d))
          os << "?";
        else
          os << d;
      },
      [&] { os << ", "; });
  os << "]";
  return s;
}

inline bool dimsCompatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

inline bool shapesCompatible(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  if (a.size() != b.size())
    return false;
  for (auto [x, y] : llvm::zip(a, b))
    if (!dimsCompatible(x, y))
      return false;
  return true;
}

inline RankedTensorType tensorTy(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// The result is the per-element loss for `none`, a 0-d tensor otherwise, and
/// keeps the input's element type.
inline LogicalResult verifyResult(Operation *op, Value result, Reduction reduction,
                           ArrayRef<int64_t> noneShape, Type elementType) {
  auto ty = tensorTy(result);
  if (ty.getElementType() != elementType)
    return op->emitOpError("result element type ")
           << ty.getElementType() << " must match the input element type "
           << elementType;
  if (reduction == Reduction::none) {
    if (!shapesCompatible(ty.getShape(), noneShape))
      return op->emitOpError("with reduction 'none' the result must have shape ")
             << shapeStr(noneShape) << ", got " << shapeStr(ty.getShape());
    return success();
  }
  if (ty.getRank() != 0)
    return op->emitOpError("with reduction '")
           << stringifyReduction(reduction)
           << "' the result must be a 0-d tensor, got "
           << shapeStr(ty.getShape());
  return success();
}

inline LogicalResult verifyElementType(Operation *op, Value v, StringRef name,
                                Type elementType) {
  if (tensorTy(v).getElementType() != elementType)
    return op->emitOpError("'")
           << name << "' element type " << tensorTy(v).getElementType()
           << " must match the input element type " << elementType;
  return success();
}

inline LogicalResult verifySameShape(Operation *op, Value ref, StringRef refName,
                              Value v, StringRef name) {
  if (!shapesCompatible(tensorTy(ref).getShape(), tensorTy(v).getShape()))
    return op->emitOpError("'")
           << name << "' shape " << shapeStr(tensorTy(v).getShape())
           << " must match '" << refName << "' shape "
           << shapeStr(tensorTy(ref).getShape());
  return success();
}

/// Same shape and element type as `ref`.
inline LogicalResult verifyLike(Operation *op, Value ref, StringRef refName, Value v,
                         StringRef name) {
  if (failed(verifySameShape(op, ref, refName, v, name)))
    return failure();
  return verifyElementType(op, v, name, tensorTy(ref).getElementType());
}

/// A per-class weight: `[C]`, same element type as the input.
inline LogicalResult verifyClassWeight(Operation *op, Value weight, int64_t numClasses,
                                Type elementType, StringRef name = "weight") {
  if (!weight)
    return success();
  auto ty = tensorTy(weight);
  if (ty.getRank() != 1 || !dimsCompatible(ty.getDimSize(0), numClasses))
    return op->emitOpError("'")
           << name << "' must have shape [C] = " << shapeStr({numClasses})
           << ", got " << shapeStr(ty.getShape());
  return verifyElementType(op, weight, name, elementType);
}

/// NumPy-style broadcast of `v` to `shape` (trailing dimensions aligned).
inline LogicalResult verifyBroadcastable(Operation *op, Value v, StringRef name,
                                  ArrayRef<int64_t> shape, Type elementType) {
  if (!v)
    return success();
  auto ty = tensorTy(v);
  bool ok = ty.getRank() <= static_cast<int64_t>(shape.size());
  for (int64_t i = 0; ok && i < ty.getRank(); ++i) {
    int64_t d = ty.getShape()[ty.getRank() - 1 - i];
    int64_t t = shape[shape.size() - 1 - i];
    ok = d == 1 || dimsCompatible(d, t);
  }
  if (!ok)
    return op->emitOpError("'")
           << name << "' of shape " << shapeStr(ty.getShape())
           << " does not broadcast to the input shape " << shapeStr(shape);
  return verifyElementType(op, v, name, elementType);
}

/// Class-index targets: input `[N, C, d...]` with target `[N, d...]`, or
/// input `[C]` with target `[]`. Returns C through `numClasses`.
inline LogicalResult verifyClassTargets(Operation *op, Value input, Value target,
                                 int64_t &numClasses, StringRef inputName) {
  auto inTy = tensorTy(input);
  auto tTy = tensorTy(target);
  if (inTy.getRank() < 1)
    return op->emitOpError("'") << inputName << "' must have rank >= 1";
  Shape expected;
  if (inTy.getRank() == 1) {
    numClasses = inTy.getDimSize(0);
  } else {
    numClasses = inTy.getDimSize(1);
    expected.push_back(inTy.getDimSize(0));
    llvm::append_range(expected, inTy.getShape().drop_front(2));
  }
  if (!shapesCompatible(tTy.getShape(), expected))
    return op->emitOpError("class-index target must have shape ")
           << shapeStr(expected) << " for '" << inputName << "' of shape "
           << shapeStr(inTy.getShape()) << ", got "
           << shapeStr(tTy.getShape());
  return success();
}

inline std::string shapesStr(ArrayRef<Value> values) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(
      values, [&](Value v) { os << shapeStr(tensorTy(v).getShape()); },
      [&] { os << ", "; });
  return s;
}

/// The broadcast shape of `values` (see `loss::broadcastShapes`), or an
/// error naming them.
inline LogicalResult verifyMutualBroadcast(Operation *op, ArrayRef<Value> values,
                                    StringRef names, Shape &result) {
  SmallVector<ArrayRef<int64_t>> shapes;
  for (Value v : values)
    shapes.push_back(tensorTy(v).getShape());
  if (!broadcastShapes(shapes, result))
    return op->emitOpError()
           << names << " of shapes " << shapesStr(values)
           << " do not broadcast together";
  return success();
}

/// A target of the input's float element type or, where `allowInt`, of
/// any signless integer type (PyTorch promotes it to the input's type); i1
/// (bool) only where `allowBool`, as PyTorch rejects it for the ops whose
/// formula subtracts or negates the target.
inline LogicalResult verifyTargetElementType(Operation *op, Value target,
                                      Type elementType, bool allowInt,
                                      bool allowBool = true) {
  Type tTy = tensorTy(target).getElementType();
  if (auto intTy = dyn_cast<IntegerType>(tTy)) {
    if (!allowInt)
      return op->emitOpError("'target' must have the input element type ")
             << elementType << ", got " << tTy;
    if (intTy.getWidth() == 1 && !allowBool)
      return op->emitOpError("'target' of type i1 (bool) is not accepted: "
                             "PyTorch rejects boolean targets for this loss");
    return success();
  }
  return verifyElementType(op, target, "target", elementType);
}

/// Whether `shape` broadcasts to `to` without changing it.
inline bool broadcastsTo(ArrayRef<int64_t> shape, ArrayRef<int64_t> to) {
  if (shape.size() > to.size())
    return false;
  for (size_t i = 0; i < shape.size(); ++i) {
    int64_t d = shape[shape.size() - 1 - i];
    int64_t t = to[to.size() - 1 - i];
    if (d != 1 && !dimsCompatible(d, t))
      return false;
  }
  return true;
}

} // namespace verify
} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_LIB_DIALECT_LOSS_IR_VERIFYUTILS_H
