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

/// The loss result of forward op `op` against its rule (InferTypes.cpp),
/// with verifyResult's diagnostics.
template <typename OpTy> LogicalResult verifyLossResult(OpTy op) {
  SmallVector<Type> inferred;
  if (failed(OpTy::inferReturnTypes(op.getContext(), op.getLoc(),
                                    typename OpTy::Adaptor(op), inferred)))
    return failure();
  auto want = cast<RankedTensorType>(inferred.front());
  return verifyResult(op, op.getResult(), op.getReduction(), want.getShape(),
                      want.getElementType());
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


/// `grad_output` of a gradient op has the type of the forward's result:
/// `noneShape` for `none`, 0-d otherwise, the input's element type.
inline LogicalResult verifyGradOutput(Operation *op, Value gradOutput,
                                      Reduction reduction,
                                      ArrayRef<int64_t> noneShape,
                                      Type elementType) {
  auto ty = tensorTy(gradOutput);
  if (ty.getElementType() != elementType)
    return op->emitOpError("'grad_output' element type ")
           << ty.getElementType() << " must match the input element type "
           << elementType;
  Shape expected;
  if (reduction == Reduction::none)
    expected.assign(noneShape.begin(), noneShape.end());
  if (!shapesCompatible(ty.getShape(), expected))
    return op->emitOpError("'grad_output' must have shape ")
           << shapeStr(expected) << " for reduction '"
           << stringifyReduction(reduction) << "', got "
           << shapeStr(ty.getShape());
  return success();
}

/// The operands of softmax_cross_entropy and its gradient: class-index
/// targets `[N, d...]` (or `[]`) or probability targets shaped like the
/// logits (with a negative ignore_index), a `[C]` weight.
template <typename OpTy> LogicalResult verifyCrossEntropyOperands(OpTy op) {
  auto logitsTy = op.getLogits().getType();
  Type elTy = logitsTy.getElementType();
  int64_t numClasses;
  if (op.hasProbabilityTarget()) {
    if (logitsTy.getRank() < 1)
      return op.emitOpError("'logits' must have rank >= 1");
    numClasses = logitsTy.getDimSize(logitsTy.getRank() == 1 ? 0 : 1);
    if (failed(verifyLike(op, op.getLogits(), "logits", op.getTarget(),
                          "target")))
      return failure();
    if (op.getIgnoreIndex() >= 0)
      return op.emitOpError("probability targets require a negative "
                            "'ignore_index', got ")
             << op.getIgnoreIndex();
  } else {
    if (failed(verifyClassTargets(op, op.getLogits(), op.getTarget(),
                                  numClasses, "logits")))
      return failure();
  }
  return verifyClassWeight(op, op.getWeight(), numClasses, elTy);
}

/// The operands of loss.ctc and its gradient: log_probs `[T, N, C]` or
/// `[T, C]`, `blank` in `[0, C)` (for a static C), targets padded `[N, S]`
/// or concatenated 1-D (`[S]` unbatched), lengths `[N]` (`[]` or `[1]`
/// unbatched).
template <typename OpTy> LogicalResult verifyCtcOperands(OpTy op) {
  auto lpTy = op.getLogProbs().getType();
  if (lpTy.getRank() != 2 && lpTy.getRank() != 3)
    return op.emitOpError("'log_probs' must be [T, N, C] or [T, C], got ")
           << shapeStr(lpTy.getShape());
  bool batched = lpTy.getRank() == 3;
  int64_t n = batched ? lpTy.getDimSize(1) : 1;
  int64_t c = lpTy.getDimSize(lpTy.getRank() - 1);
  // blank >= 0 is an ODS constraint.
  if (!ShapedType::isDynamic(c) && op.getBlank() >= c)
    return op.emitOpError("'blank' must be in [0, C) = [0, ")
           << c << "), got " << op.getBlank();
  auto tgTy = op.getTargets().getType();
  if (batched) {
    if (tgTy.getRank() != 1 && tgTy.getRank() != 2)
      return op.emitOpError("'targets' must be padded [N, S] or concatenated "
                            "1-D, got ")
             << shapeStr(tgTy.getShape());
    if (tgTy.getRank() == 2 && !dimsCompatible(tgTy.getDimSize(0), n))
      return op.emitOpError("padded 'targets' must have N = ")
             << shapeStr({n}) << " rows, got " << shapeStr(tgTy.getShape());
  } else if (tgTy.getRank() != 1) {
    return op.emitOpError("unbatched 'targets' must be 1-D [S], got ")
           << shapeStr(tgTy.getShape());
  }
  for (auto [v, name] :
       {std::pair<Value, StringRef>{op.getInputLengths(), "input_lengths"},
        {op.getTargetLengths(), "target_lengths"}}) {
    auto ty = tensorTy(v);
    bool ok = batched ? ty.getRank() == 1 && dimsCompatible(ty.getDimSize(0), n)
                      : ty.getRank() == 0 ||
                            (ty.getRank() == 1 &&
                             dimsCompatible(ty.getDimSize(0), 1));
    if (!ok)
      return op.emitOpError("'")
             << name << "' must have shape "
             << (batched ? shapeStr({n}) : std::string("[] or [1]"))
             << ", got " << shapeStr(ty.getShape());
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Binary family (bce, bce_with_logits, poisson_nll, gaussian_nll, kl_div)
//===----------------------------------------------------------------------===//

/// bce and bce_with_logits, and their gradients: the target has the input's
/// shape and float type, `weight` and `pos_weight` (either may be null)
/// broadcast to the input. The `none` loss is input-shaped.
inline LogicalResult verifyBceOperands(Operation *op, Value input, Value target,
                                       Value weight, Value posWeight) {
  auto ty = tensorTy(input);
  if (failed(verifyBroadcastable(op, weight, "weight", ty.getShape(),
                                 ty.getElementType())) ||
      failed(verifyBroadcastable(op, posWeight, "pos_weight", ty.getShape(),
                                 ty.getElementType())))
    return failure();
  return verifyLike(op, input, "input", target, "target");
}

/// poisson_nll and kl_div, and their gradients: input and target broadcast
/// together; the target has the input's float type or, where `allowInt`,
/// is an integer (`i1` only where `allowBool`).
inline LogicalResult verifyBroadcastPair(Operation *op, Value input,
                                         Value target, bool allowInt,
                                         bool allowBool) {
  Type elTy = tensorTy(input).getElementType();
  if (failed(verifyTargetElementType(op, target, elTy, allowInt, allowBool)))
    return failure();
  Shape shape;
  return verifyMutualBroadcast(op, {input, target}, "'input' and 'target'",
                               shape);
}

/// gaussian_nll and its gradient: `var` shaped like the input, or like it
/// with the last dimension dropped or set to 1; the target float of the
/// input's type or a non-`i1` integer; input, target and var broadcast
/// together.
inline LogicalResult verifyGaussianNllOperands(Operation *op, Value input,
                                               Value target, Value var) {
  auto inTy = tensorTy(input);
  auto varTy = tensorTy(var);
  Type elTy = inTy.getElementType();
  // PyTorch allows var shaped like the input, or with the last dimension
  // dropped (then unsqueezed) or set to 1 (one variance per sample); the
  // three then broadcast (the target may broadcast with the input).
  ArrayRef<int64_t> in = inTy.getShape();
  Shape varShape(varTy.getShape().begin(), varTy.getShape().end());
  bool ok = shapesCompatible(varShape, in);
  if (!ok && inTy.getRank() >= 1) {
    Shape lastOne(in.begin(), in.end());
    lastOne.back() = 1;
    if (shapesCompatible(varShape, in.drop_back())) {
      ok = true;
      varShape.push_back(1);
    } else {
      ok = shapesCompatible(varShape, lastOne);
    }
  }
  if (!ok)
    return op->emitOpError("'var' of shape ")
           << shapeStr(varTy.getShape()) << " must match the input shape "
           << shapeStr(in) << ", or drop its last dimension or set it to 1";
  if (failed(verifyElementType(op, var, "var", elTy)) ||
      failed(verifyTargetElementType(op, target, elTy,
                                     /*allowInt=*/true, /*allowBool=*/false)))
    return failure();
  SmallVector<ArrayRef<int64_t>> shapes{in, tensorTy(target).getShape(),
                                        varShape};
  Shape noneShape;
  if (!broadcastShapes(shapes, noneShape))
    return op->emitOpError("'input' and 'target' of shapes ")
           << shapesStr({input, target})
           << " do not broadcast together (with 'var' as "
           << shapeStr(varShape) << ")";
  return success();
}

} // namespace verify
} // namespace loss
} // namespace mlir

//===----------------------------------------------------------------------===//
// Margin and embedding losses: the operand checks of the forward ops, shared
// with their gradient ops (MarginGradOps.cpp). The shapes of their `none`
// results are the rules of InferTypes.cpp.
//===----------------------------------------------------------------------===//

namespace mlir {
namespace loss {
namespace verify {

/// The class dimension of the multi-class margin losses: PyTorch requires a
/// non-empty one (a 0-d input counts as one class).
inline LogicalResult verifyNonEmptyClasses(Operation *op, RankedTensorType ty) {
  if (ty.getRank() > 2)
    return op->emitOpError("'input' must be [N, C], [C] or [], got ")
           << shapeStr(ty.getShape());
  if (ty.getRank() >= 1 && ty.getShape().back() == 0)
    return op->emitOpError("'input' must have a non-empty class dimension, "
                           "got ")
           << shapeStr(ty.getShape());
  return success();
}

/// The broadcast of two same-rank feature operands `[..., D]`, and its
/// per-sample (row) shape: the broadcast without its last dimension.
inline LogicalResult verifyFeaturePair(Operation *op, Value u, StringRef uName,
                                       Value v, StringRef vName, Shape &rows) {
  Shape shape;
  if (!broadcastShapes({tensorTy(u).getShape(), tensorTy(v).getShape()},
                       shape))
    return op->emitOpError("'")
           << uName << "' and '" << vName << "' of shapes "
           << shapesStr({u, v}) << " do not broadcast together";
  rows.assign(shape.begin(), shape.end());
  if (!rows.empty())
    rows.pop_back();
  return success();
}

inline LogicalResult verifyMarginRankingOperands(Operation *op, Value input1,
                                                 Value input2, Value target) {
  auto ty = tensorTy(input1);
  Type elTy = ty.getElementType();
  if (failed(verifyElementType(op, input2, "input2", elTy)) ||
      failed(verifyTargetElementType(op, target, elTy,
                                     /*allowInt=*/true, /*allowBool=*/false)))
    return failure();
  // PyTorch requires one rank, then broadcasts.
  if (tensorTy(input2).getRank() != ty.getRank() ||
      tensorTy(target).getRank() != ty.getRank())
    return op->emitOpError("'input1', 'input2' and 'target' must have the "
                           "same rank, got shapes ")
           << shapesStr({input1, input2, target});
  Shape shape;
  return verifyMutualBroadcast(op, {input1, input2, target},
                               "'input1', 'input2' and 'target'", shape);
}

inline LogicalResult verifyHingeEmbeddingOperands(Operation *op, Value input,
                                                  Value target) {
  if (failed(verifyTargetElementType(op, target,
                                     tensorTy(input).getElementType(),
                                     /*allowInt=*/true)))
    return failure();
  Shape shape;
  return verifyMutualBroadcast(op, {input, target}, "'input' and 'target'",
                               shape);
}

inline LogicalResult verifySoftMarginOperands(Operation *op, Value input,
                                              Value target) {
  // PyTorch writes the loss into an input-shaped output: the target
  // broadcasts to the input, not the other way round.
  auto ty = tensorTy(input);
  if (failed(verifyTargetElementType(op, target, ty.getElementType(),
                                     /*allowInt=*/true)))
    return failure();
  if (!broadcastsTo(tensorTy(target).getShape(), ty.getShape()))
    return op->emitOpError("'target' of shape ")
           << shapeStr(tensorTy(target).getShape())
           << " does not broadcast to the input shape "
           << shapeStr(ty.getShape());
  return success();
}

inline LogicalResult verifyMultilabelMarginOperands(Operation *op, Value input,
                                                    Value target) {
  auto ty = tensorTy(input);
  auto tTy = tensorTy(target);
  if (failed(verifyNonEmptyClasses(op, ty)))
    return failure();
  if (ty.getRank() == 2) {
    if (failed(verifySameShape(op, input, "input", target, "target")))
      return failure();
  } else {
    // PyTorch: a target of rank <= 1 holding C values (C = 1 for a 0-d
    // input).
    int64_t c = ty.getRank() == 0 ? 1 : ty.getDimSize(0);
    bool ok = tTy.getRank() == 1   ? dimsCompatible(tTy.getDimSize(0), c)
              : tTy.getRank() == 0 ? dimsCompatible(c, 1)
                                   : false;
    if (!ok)
      return op->emitOpError("'target' must have shape ")
             << shapeStr({c}) << (dimsCompatible(c, 1) ? " or []" : "")
             << " for 'input' of shape " << shapeStr(ty.getShape())
             << ", got " << shapeStr(tTy.getShape());
  }
  return success();
}

inline LogicalResult verifyMultilabelSoftMarginOperands(Operation *op,
                                                        Value input,
                                                        Value target,
                                                        Value weight) {
  auto ty = tensorTy(input);
  if (ty.getRank() < 1)
    return op->emitOpError("'input' must have rank >= 1");
  // PyTorch computes the loss elementwise before summing over the last
  // dimension: the target and the weight broadcast to the input (a weight is
  // typically [C]); integer (not i1) targets are promoted.
  if (failed(verifyTargetElementType(op, target, ty.getElementType(),
                                     /*allowInt=*/true, /*allowBool=*/false)))
    return failure();
  if (!broadcastsTo(tensorTy(target).getShape(), ty.getShape()))
    return op->emitOpError("'target' of shape ")
           << shapeStr(tensorTy(target).getShape())
           << " does not broadcast to the input shape "
           << shapeStr(ty.getShape());
  if (failed(verifyBroadcastable(op, weight, "weight", ty.getShape(),
                                 ty.getElementType())))
    return failure();
  return success();
}

inline LogicalResult verifyMultiMarginOperands(Operation *op, Value input,
                                               Value target, Value weight) {
  auto ty = tensorTy(input);
  auto tTy = tensorTy(target);
  if (failed(verifyNonEmptyClasses(op, ty)))
    return failure();
  // PyTorch: the target has rank <= 1 and one value per sample; an input
  // of rank <= 1 is one sample (of C = 1 class when 0-d). The forms that
  // differ in rank by more than a batch dimension ([C] with target [1],
  // [1, C] with target []) need that 1 static.
  int64_t c = ty.getRank() == 0 ? 1 : ty.getShape().back();
  bool ok;
  if (ty.getRank() == 2)
    ok = (tTy.getRank() == 1 &&
          dimsCompatible(tTy.getDimSize(0), ty.getDimSize(0))) ||
         (tTy.getRank() == 0 && ty.getDimSize(0) == 1);
  else
    ok = tTy.getRank() == 0 || (tTy.getRank() == 1 && tTy.getDimSize(0) == 1);
  if (!ok)
    return op->emitOpError("class-index target must have shape ")
           << (ty.getRank() == 2
                   ? shapeStr({ty.getDimSize(0)}) +
                         (ty.getDimSize(0) == 1 ? " or []" : "")
                   : std::string("[] or [1]"))
           << " for 'input' of shape " << shapeStr(ty.getShape()) << ", got "
           << shapeStr(tTy.getShape());
  return verifyClassWeight(op, weight, c, ty.getElementType());
}

inline LogicalResult verifyCosineEmbeddingOperands(Operation *op, Value input1,
                                                   Value input2, Value target) {
  auto ty = tensorTy(input1);
  Type elTy = ty.getElementType();
  auto tTy = tensorTy(target);
  if (failed(verifyElementType(op, input2, "input2", elTy)))
    return failure();
  // PyTorch 1.13: a 0-d target with 1-D inputs, a 1-D target with 2-D
  // inputs; the inputs broadcast together, and the per-sample cosines with
  // the target.
  if (tTy.getRank() > 1)
    return op->emitOpError("'target' must be [N] or [], got ")
           << shapeStr(tTy.getShape());
  if (ty.getRank() != tTy.getRank() + 1 ||
      tensorTy(input2).getRank() != tTy.getRank() + 1)
    return op->emitOpError("a ")
           << (tTy.getRank() == 0 ? "0-d target needs [D] inputs"
                                  : "[N] target needs [N, D] inputs")
           << ", got shapes " << shapesStr({input1, input2});
  Shape rows;
  if (failed(verifyFeaturePair(op, input1, "input1", input2, "input2", rows)))
    return failure();
  Shape noneShape;
  if (!broadcastShapes({rows, tTy.getShape()}, noneShape))
    return op->emitOpError("'target' of shape ")
           << shapeStr(tTy.getShape())
           << " does not broadcast with the per-sample shape "
           << shapeStr(rows);
  // Integer targets (+1/-1) of any width; a float target has the input's
  // element type, as every other float operand of the dialect.
  if (isa<FloatType>(tTy.getElementType()) &&
      failed(verifyElementType(op, target, "target", elTy)))
    return failure();
  return success();
}

inline LogicalResult verifyTripletMarginOperands(Operation *op, Value anchor,
                                                 Value positive, Value negative,
                                                 bool swap) {
  // p > 0 is an ODS constraint.
  auto ty = tensorTy(anchor);
  Type elTy = ty.getElementType();
  if (failed(verifyElementType(op, positive, "positive", elTy)) ||
      failed(verifyElementType(op, negative, "negative", elTy)))
    return failure();
  // PyTorch 1.13: one rank (any, 0-d included); each distance is a
  // pairwise_distance over the last dimension of its pair's broadcast, and
  // the distances broadcast together.
  if (tensorTy(positive).getRank() != ty.getRank() ||
      tensorTy(negative).getRank() != ty.getRank())
    return op->emitOpError("'anchor', 'positive' and 'negative' must have "
                           "the same rank, got shapes ")
           << shapesStr({anchor, positive, negative});
  Shape rowsAP, rowsAN, rowsPN;
  if (failed(verifyFeaturePair(op, anchor, "anchor", positive, "positive",
                               rowsAP)) ||
      failed(verifyFeaturePair(op, anchor, "anchor", negative, "negative",
                               rowsAN)) ||
      (swap && failed(verifyFeaturePair(op, positive, "positive", negative,
                                        "negative", rowsPN))))
    return failure();
  SmallVector<ArrayRef<int64_t>> rows{rowsAP, rowsAN};
  if (swap)
    rows.push_back(rowsPN);
  Shape noneShape;
  if (!broadcastShapes(rows, noneShape))
    return op->emitOpError("the distances of shapes ")
           << shapeStr(rowsAP) << ", " << shapeStr(rowsAN)
           << (swap ? ", " + shapeStr(rowsPN) : std::string())
           << " do not broadcast together";
  return success();
}

} // namespace verify
} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_LIB_DIALECT_LOSS_IR_VERIFYUTILS_H
