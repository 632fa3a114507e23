//===- InferTypes.cpp - Result types of the loss ops ----------------------===//
//
// One rule per op for its result types (InferTypeOpInterface): a forward
// loss is 0-d for `sum`/`mean`/`batchmean` and has its `none` shape
// otherwise (the per-element or per-sample shape its operands give), of the
// input's element type; a gradient has the type of the operand it
// differentiates. The builders without result types, the verifiers (which
// compare the written result with the rule and say how it differs) and
// ReifyRankedShapedTypeOpInterface (a dynamic result dimension as the
// operand dimension it equals) all read these rules.
//
//===----------------------------------------------------------------------===//

#include "InferTypes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::loss;
using namespace mlir::loss::infer;

//===----------------------------------------------------------------------===//
// Dims
//===----------------------------------------------------------------------===//

Dims infer::dimsOf(Value v) {
  Dims dims;
  if (auto ty = dyn_cast_or_null<RankedTensorType>(v ? v.getType() : Type()))
    for (int64_t i = 0; i < ty.getRank(); ++i)
      dims.push_back({ty.getDimSize(i), v, i});
  return dims;
}

SmallVector<int64_t> infer::sizesOf(ArrayRef<Dim> dims) {
  return llvm::map_to_vector(dims, [](const Dim &d) { return d.size; });
}

namespace {
Type elementTypeOf(Value v) {
  auto ty = dyn_cast_or_null<RankedTensorType>(v ? v.getType() : Type());
  return ty ? ty.getElementType() : Type();
}

/// `loss::broadcastShapes` on dims: per (trailing-aligned) dimension the
/// static size other than 1 if there is one, else a dynamic size (which
/// never broadcasts: the first operand's dynamic dimension is the size),
/// else 1. Differing static sizes (operands the verifier rejects) give the
/// first.
Dims broadcastDims(ArrayRef<Dims> operands) {
  size_t rank = 0;
  for (const Dims &d : operands)
    rank = std::max(rank, d.size());
  Dims result(rank, Dim{1, Value(), 0});
  for (size_t i = 0; i < rank; ++i) {
    std::optional<Dim> staticDim, dynamicDim;
    for (const Dims &d : operands) {
      if (i >= d.size())
        continue;
      const Dim &x = d[d.size() - 1 - i];
      if (ShapedType::isDynamic(x.size)) {
        if (!dynamicDim)
          dynamicDim = x;
      } else if (x.size != 1 && !staticDim) {
        staticDim = x;
      }
    }
    if (staticDim)
      result[rank - 1 - i] = *staticDim;
    else if (dynamicDim)
      result[rank - 1 - i] = *dynamicDim;
  }
  return result;
}

/// The dims of `dims` without the last (the per-sample rows of features).
Dims dropLast(Dims dims) {
  if (!dims.empty())
    dims.pop_back();
  return dims;
}

bool dimsAgree(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

bool shapesAgree(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  return a.size() == b.size() && llvm::all_of(llvm::zip(a, b), [](auto p) {
           return dimsAgree(std::get<0>(p), std::get<1>(p));
         });
}
} // namespace

//===----------------------------------------------------------------------===//
// The `none` loss of each family
//===----------------------------------------------------------------------===//

Dims infer::classTargetLoss(Value target) { return dimsOf(target); }

Dims infer::crossEntropyLoss(Value logits, Value target) {
  // Class targets: the target's shape. Probability targets (logits-shaped):
  // the logits without the class axis (1, or 0 for [C]).
  if (!isa_and_nonnull<FloatType>(elementTypeOf(target)))
    return dimsOf(target);
  Dims d = dimsOf(logits);
  if (d.size() <= 1)
    return {};
  d.erase(d.begin() + 1);
  return d;
}

Dims infer::ctcLoss(Value logProbs) {
  // [T, N, C] gives [N]; unbatched [T, C] gives [].
  Dims d = dimsOf(logProbs);
  if (d.size() != 3)
    return {};
  return {d[1]};
}

Dims infer::broadcastLoss(ArrayRef<Value> operands) {
  SmallVector<Dims> dims;
  for (Value v : operands)
    dims.push_back(dimsOf(v));
  return broadcastDims(dims);
}

Dims infer::gaussianNllLoss(Value input, Value target, Value var) {
  // A var with the input's last dimension dropped reads as that dimension
  // set to 1.
  Dims in = dimsOf(input), v = dimsOf(var);
  SmallVector<int64_t> inSizes = sizesOf(in), varSizes = sizesOf(v);
  if (!shapesAgree(varSizes, inSizes) && !inSizes.empty() &&
      shapesAgree(varSizes, ArrayRef<int64_t>(inSizes).drop_back()))
    v.push_back({1, Value(), 0});
  return broadcastDims({in, dimsOf(target), v});
}

Dims infer::multilabelMarginLoss(Value input) {
  // One loss per row of [N, C]; one for [C] or [].
  Dims d = dimsOf(input);
  if (d.size() != 2)
    return {};
  return {d[0]};
}

Dims infer::lastDimDroppedLoss(Value input) { return dropLast(dimsOf(input)); }

Dims infer::cosineEmbeddingLoss(Value input1, Value input2, Value target) {
  Dims rows = dropLast(broadcastDims({dimsOf(input1), dimsOf(input2)}));
  return broadcastDims({rows, dimsOf(target)});
}

Dims infer::tripletMarginLoss(Value anchor, Value positive, Value negative,
                              bool swap) {
  Dims a = dimsOf(anchor), p = dimsOf(positive), n = dimsOf(negative);
  SmallVector<Dims> rows{dropLast(broadcastDims({a, p})),
                         dropLast(broadcastDims({a, n}))};
  if (swap)
    rows.push_back(dropLast(broadcastDims({p, n})));
  return broadcastDims(rows);
}

Type infer::lossType(Value input, Reduction reduction, ArrayRef<Dim> none) {
  Type el = elementTypeOf(input);
  if (!el)
    return Type();
  if (reduction != Reduction::none)
    return RankedTensorType::get({}, el);
  return RankedTensorType::get(sizesOf(none), el);
}

bool infer::compatibleReturnTypes(TypeRange inferred, TypeRange actual) {
  if (inferred.size() != actual.size())
    return false;
  for (auto [a, b] : llvm::zip(inferred, actual)) {
    auto x = dyn_cast<RankedTensorType>(a);
    auto y = dyn_cast<RankedTensorType>(b);
    if (!x || !y) {
      if (a != b)
        return false;
      continue;
    }
    if (x.getElementType() != y.getElementType() ||
        !shapesAgree(x.getShape(), y.getShape()))
      return false;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Per-op rules
//===----------------------------------------------------------------------===//

namespace {
/// One result of a rule: its dims and element type.
struct Result {
  Dims dims;
  Type elementType;
};
using Results = SmallVector<Result, 3>;

/// A result of `v`'s type.
Result like(Value v) { return {dimsOf(v), elementTypeOf(v)}; }

/// The loss result of a forward op.
Result loss(Value input, Reduction reduction, Dims none) {
  if (reduction != Reduction::none)
    none.clear();
  return {std::move(none), elementTypeOf(input)};
}

LogicalResult toTypes(std::optional<Location> loc, StringRef opName,
                      const Results &results, SmallVectorImpl<Type> &types) {
  for (const Result &r : results) {
    if (!r.elementType)
      return emitOptionalError(loc, "'", opName,
                               "' op expects ranked tensor operands");
    types.push_back(RankedTensorType::get(sizesOf(r.dims), r.elementType));
  }
  return success();
}

/// Each dimension of each result: static where the op's result type or the
/// rule has a size, else `tensor.dim` of the operand dimension it equals.
LogicalResult reify(OpBuilder &b, Operation *op, const Results &results,
                    ReifiedRankedShapedTypeDims &shapes) {
  if (results.size() != op->getNumResults())
    return failure();
  for (auto [r, value] : llvm::zip(results, op->getResults())) {
    auto ty = cast<RankedTensorType>(value.getType());
    if (static_cast<int64_t>(r.dims.size()) != ty.getRank())
      return failure();
    SmallVector<OpFoldResult> &shape = shapes.emplace_back();
    for (auto [i, d] : llvm::enumerate(r.dims)) {
      if (!ty.isDynamicDim(i))
        shape.push_back(b.getIndexAttr(ty.getDimSize(i)));
      else if (!ShapedType::isDynamic(d.size))
        shape.push_back(b.getIndexAttr(d.size));
      else if (d.source)
        shape.push_back(
            b.createOrFold<tensor::DimOp>(op->getLoc(), d.source, d.dim));
      else
        shape.push_back(OpFoldResult());
    }
  }
  return success();
}

// The rules, each taking an op or its adaptor (their getters carry the
// operand names).

template <typename T> Results nllRule(T op) {
  return {
      loss(op.getInput(), op.getReduction(), classTargetLoss(op.getTarget()))};
}
template <typename T> Results crossEntropyRule(T op) {
  return {loss(op.getLogits(), op.getReduction(),
               crossEntropyLoss(op.getLogits(), op.getTarget()))};
}
template <typename T> Results linearCrossEntropyRule(T op) {
  // One loss per row of hidden: the target's dim, or hidden's where only it
  // is static.
  Dims rows = classTargetLoss(op.getTarget());
  Dims h = dimsOf(op.getHidden());
  if (rows.size() == 1 && !h.empty() && ShapedType::isDynamic(rows[0].size) &&
      !ShapedType::isDynamic(h[0].size))
    rows[0] = h[0];
  return {loss(op.getHidden(), op.getReduction(), std::move(rows))};
}
template <typename T> Results linearCrossEntropyGradRule(T op) {
  Results r{like(op.getHidden()), like(op.getWeight())};
  if (op.getBias())
    r.push_back(like(op.getBias()));
  return r;
}
template <typename T> Results ctcRule(T op) {
  return {loss(op.getLogProbs(), op.getReduction(), ctcLoss(op.getLogProbs()))};
}
template <typename T> Results inputShapedRule(T op) {
  return {loss(op.getInput(), op.getReduction(), dimsOf(op.getInput()))};
}
template <typename T> Results broadcastRule(T op) {
  return {loss(op.getInput(), op.getReduction(),
               broadcastLoss({op.getInput(), op.getTarget()}))};
}
template <typename T> Results gaussianNllRule(T op) {
  return {loss(op.getInput(), op.getReduction(),
               gaussianNllLoss(op.getInput(), op.getTarget(), op.getVar()))};
}
template <typename T> Results marginRankingRule(T op) {
  return {
      loss(op.getInput1(), op.getReduction(),
           broadcastLoss({op.getInput1(), op.getInput2(), op.getTarget()}))};
}
template <typename T> Results multilabelMarginRule(T op) {
  return {loss(op.getInput(), op.getReduction(),
               multilabelMarginLoss(op.getInput()))};
}
template <typename T> Results multilabelSoftMarginRule(T op) {
  return {loss(op.getInput(), op.getReduction(),
               lastDimDroppedLoss(op.getInput()))};
}
template <typename T> Results multiMarginRule(T op) {
  return {loss(op.getInput(), op.getReduction(), dimsOf(op.getTarget()))};
}
template <typename T> Results cosineEmbeddingRule(T op) {
  return {loss(
      op.getInput1(), op.getReduction(),
      cosineEmbeddingLoss(op.getInput1(), op.getInput2(), op.getTarget()))};
}
template <typename T> Results tripletMarginRule(T op) {
  return {loss(op.getAnchor(), op.getReduction(),
               tripletMarginLoss(op.getAnchor(), op.getPositive(),
                                 op.getNegative(), op.getSwap()))};
}

// Gradients: the type of each differentiated operand.
template <typename T> Results inputGradRule(T op) {
  return {like(op.getInput())};
}
template <typename T> Results regressionGradRule(T op) {
  // The target has the input's shape and type (no broadcasting).
  return {like(op.getInput()), like(op.getInput())};
}
template <typename T> Results inputTargetGradRule(T op) {
  return {like(op.getInput()), like(op.getTarget())};
}
/// An integer target has no gradient.
template <typename T> void addTargetGrad(T op, Results &r) {
  if (isa_and_nonnull<FloatType>(elementTypeOf(op.getTarget())))
    r.push_back(like(op.getTarget()));
}
template <typename T> Results poissonNllGradRule(T op) {
  Results r{like(op.getInput())};
  addTargetGrad(op, r);
  return r;
}
template <typename T> Results gaussianNllGradRule(T op) {
  Results r{like(op.getInput())};
  addTargetGrad(op, r);
  r.push_back(like(op.getVar()));
  return r;
}
template <typename T> Results pairGradRule(T op) {
  return {like(op.getInput1()), like(op.getInput2())};
}
template <typename T> Results tripletGradRule(T op) {
  return {like(op.getAnchor()), like(op.getPositive()), like(op.getNegative())};
}
template <typename T> Results ctcGradRule(T op) {
  return {like(op.getLogProbs())};
}
template <typename T> Results crossEntropyGradRule(T op) {
  return {like(op.getLogits())};
}
} // namespace

/// inferReturnTypes, isCompatibleReturnTypes and reifyResultShapes of an op
/// from its rule.
#define LOSS_INFERRED_OP(OP, RULE)                                             \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &inferredReturnTypes) {                            \
    return toTypes(loc, getOperationName(), RULE(adaptor),                     \
                   inferredReturnTypes);                                       \
  }                                                                            \
  bool OP::isCompatibleReturnTypes(TypeRange l, TypeRange r) {                 \
    return compatibleReturnTypes(l, r);                                        \
  }                                                                            \
  LogicalResult OP::reifyResultShapes(OpBuilder &b,                            \
                                      ReifiedRankedShapedTypeDims &shapes) {   \
    return reify(b, getOperation(), RULE(*this), shapes);                      \
  }

LOSS_INFERRED_OP(NllOp, nllRule)
LOSS_INFERRED_OP(CtcOp, ctcRule)
LOSS_INFERRED_OP(BceOp, inputShapedRule)
LOSS_INFERRED_OP(BceWithLogitsOp, inputShapedRule)
LOSS_INFERRED_OP(SoftMarginOp, inputShapedRule)
LOSS_INFERRED_OP(L1Op, broadcastRule)
LOSS_INFERRED_OP(MseOp, broadcastRule)
LOSS_INFERRED_OP(SmoothL1Op, broadcastRule)
LOSS_INFERRED_OP(HuberOp, broadcastRule)
LOSS_INFERRED_OP(PoissonNllOp, broadcastRule)
LOSS_INFERRED_OP(KlDivOp, broadcastRule)
LOSS_INFERRED_OP(HingeEmbeddingOp, broadcastRule)
LOSS_INFERRED_OP(GaussianNllOp, gaussianNllRule)
LOSS_INFERRED_OP(MarginRankingOp, marginRankingRule)
LOSS_INFERRED_OP(MultilabelMarginOp, multilabelMarginRule)
LOSS_INFERRED_OP(MultilabelSoftMarginOp, multilabelSoftMarginRule)
LOSS_INFERRED_OP(MultiMarginOp, multiMarginRule)
LOSS_INFERRED_OP(CosineEmbeddingOp, cosineEmbeddingRule)
LOSS_INFERRED_OP(TripletMarginOp, tripletMarginRule)
LOSS_INFERRED_OP(LinearCrossEntropyOp, linearCrossEntropyRule)
LOSS_INFERRED_OP(LinearCrossEntropyGradOp, linearCrossEntropyGradRule)

LOSS_INFERRED_OP(L1GradOp, regressionGradRule)
LOSS_INFERRED_OP(MseGradOp, regressionGradRule)
LOSS_INFERRED_OP(SmoothL1GradOp, regressionGradRule)
LOSS_INFERRED_OP(HuberGradOp, regressionGradRule)
LOSS_INFERRED_OP(NllGradOp, inputGradRule)
LOSS_INFERRED_OP(CtcGradOp, ctcGradRule)
LOSS_INFERRED_OP(BceGradOp, inputTargetGradRule)
LOSS_INFERRED_OP(BceWithLogitsGradOp, inputTargetGradRule)
LOSS_INFERRED_OP(KlDivGradOp, inputTargetGradRule)
LOSS_INFERRED_OP(PoissonNllGradOp, poissonNllGradRule)
LOSS_INFERRED_OP(GaussianNllGradOp, gaussianNllGradRule)
LOSS_INFERRED_OP(MarginRankingGradOp, pairGradRule)
LOSS_INFERRED_OP(CosineEmbeddingGradOp, pairGradRule)
LOSS_INFERRED_OP(HingeEmbeddingGradOp, inputGradRule)
LOSS_INFERRED_OP(SoftMarginGradOp, inputGradRule)
LOSS_INFERRED_OP(MultilabelMarginGradOp, inputGradRule)
LOSS_INFERRED_OP(MultilabelSoftMarginGradOp, inputGradRule)
LOSS_INFERRED_OP(MultiMarginGradOp, inputGradRule)
LOSS_INFERRED_OP(TripletMarginGradOp, tripletGradRule)

#undef LOSS_INFERRED_OP

//===----------------------------------------------------------------------===//
// Ops with an optional result that inference cannot tell
//===----------------------------------------------------------------------===//

namespace {
/// `refineReturnTypes` of an op whose last result is optional and typed
/// `optionalType` when present: the inferred types, plus that one where
/// `returnTypes` has it.
LogicalResult refineWithOptional(std::optional<Location> loc, StringRef opName,
                                 SmallVector<Type> inferred, Type optionalType,
                                 SmallVectorImpl<Type> &returnTypes) {
  if (returnTypes.empty()) {
    returnTypes.assign(inferred.begin(), inferred.end());
    return success();
  }
  if (returnTypes.size() == inferred.size() + 1)
    inferred.push_back(optionalType);
  if (!compatibleReturnTypes(inferred, returnTypes))
    return emitOptionalError(loc, "'", opName, "' op inferred type(s) ",
                             inferred,
                             " are incompatible with return type(s) of "
                             "operation ",
                             returnTypes);
  return success();
}
} // namespace

LogicalResult SoftmaxCrossEntropyOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  return toTypes(loc, getOperationName(), crossEntropyRule(adaptor),
                 inferredReturnTypes);
}

bool SoftmaxCrossEntropyOp::isCompatibleReturnTypes(TypeRange l, TypeRange r) {
  return compatibleReturnTypes(l, r);
}

LogicalResult SoftmaxCrossEntropyOp::refineReturnTypes(
    MLIRContext *context, std::optional<Location> loc, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties, RegionRange regions,
    SmallVectorImpl<Type> &returnTypes) {
  SmallVector<Type> inferred;
  if (failed(inferReturnTypes(context, loc, operands, attributes, properties,
                              regions, inferred)))
    return failure();
  Adaptor adaptor(operands, attributes, properties, regions);
  return refineWithOptional(loc, getOperationName(), inferred,
                            adaptor.getLogits().getType(), returnTypes);
}

LogicalResult
SoftmaxCrossEntropyOp::reifyResultShapes(OpBuilder &b,
                                         ReifiedRankedShapedTypeDims &shapes) {
  Results r = crossEntropyRule(*this);
  if (getLogProb())
    r.push_back(like(getLogits()));
  return reify(b, getOperation(), r, shapes);
}

void SoftmaxCrossEntropyOp::build(OpBuilder &b, OperationState &state,
                                  Value logits, Value target, Value weight,
                                  int64_t ignoreIndex, Reduction reduction,
                                  APFloat labelSmoothing, bool withLogProb) {
  build(b, state, logits, target, weight, ignoreIndex, reduction,
        labelSmoothing);
  if (withLogProb)
    state.addTypes(logits.getType());
}

LogicalResult SoftmaxCrossEntropyGradOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  return toTypes(loc, getOperationName(), crossEntropyGradRule(adaptor),
                 inferredReturnTypes);
}

bool SoftmaxCrossEntropyGradOp::isCompatibleReturnTypes(TypeRange l,
                                                        TypeRange r) {
  return compatibleReturnTypes(l, r);
}

LogicalResult SoftmaxCrossEntropyGradOp::refineReturnTypes(
    MLIRContext *context, std::optional<Location> loc, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties, RegionRange regions,
    SmallVectorImpl<Type> &returnTypes) {
  SmallVector<Type> inferred;
  if (failed(inferReturnTypes(context, loc, operands, attributes, properties,
                              regions, inferred)))
    return failure();
  Adaptor adaptor(operands, attributes, properties, regions);
  Results lossResult = crossEntropyRule(adaptor);
  SmallVector<Type> lossType;
  if (failed(toTypes(loc, getOperationName(), lossResult, lossType)))
    return failure();
  return refineWithOptional(loc, getOperationName(), inferred, lossType[0],
                            returnTypes);
}

LogicalResult SoftmaxCrossEntropyGradOp::reifyResultShapes(
    OpBuilder &b, ReifiedRankedShapedTypeDims &shapes) {
  Results r = crossEntropyGradRule(*this);
  if (getLoss())
    r.append(crossEntropyRule(*this));
  return reify(b, getOperation(), r, shapes);
}

void SoftmaxCrossEntropyGradOp::build(OpBuilder &b, OperationState &state,
                                      Value logits, Value target, Value weight,
                                      Value gradOutput, int64_t ignoreIndex,
                                      Reduction reduction,
                                      APFloat labelSmoothing, bool withLoss) {
  build(b, state, logits, target, weight, gradOutput, ignoreIndex, reduction,
        labelSmoothing);
  if (!withLoss)
    return;
  // The forward's loss type, by its rule.
  state.addTypes(lossType(logits, reduction, crossEntropyLoss(logits, target)));
}

//===----------------------------------------------------------------------===//
// log_softmax and its gradient (SameOperandsAndResultType): reification only
//===----------------------------------------------------------------------===//

LogicalResult
LogSoftmaxOp::reifyResultShapes(OpBuilder &b,
                                ReifiedRankedShapedTypeDims &shapes) {
  return reify(b, getOperation(), {like(getInput())}, shapes);
}

LogicalResult
LogSoftmaxGradOp::reifyResultShapes(OpBuilder &b,
                                    ReifiedRankedShapedTypeDims &shapes) {
  return reify(b, getOperation(), {like(getOutput())}, shapes);
}
