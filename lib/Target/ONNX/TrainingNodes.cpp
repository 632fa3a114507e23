//===- TrainingNodes.cpp - ONNX Runtime's training-graph loss nodes -------===//
//
// ONNX Runtime's training graphs (its gradient builder) carry the cross
// entropy losses and their gradients as nodes of their own, whose schemas
// are ONNX Runtime's (orttraining/core/graph/training_op_defs.cc), not
// libonnx's; the checker leaves them to the handlers here (Checker.cpp),
// which check their arity, attributes, ranks and element types:
//
//   com.microsoft, version 1:
//     SoftmaxCrossEntropyLossGrad(dY, log_prob, label[, weight])
//         -> d_logits; reduction = "mean", ignore_index (optional int)
//     SoftmaxCrossEntropyLossInternal(scores, labels[, weights
//         [, ignore_index]]) -> (output[, log_prob]); reduction,
//         output_type (optional)
//     SoftmaxCrossEntropyLossInternalGrad(dY, log_prob, label[, weight
//         [, ignore_index[, bias]]]) -> d_logits; reduction, output_type
//     SoftmaxCrossEntropy(logits, label) -> (Y[, log_prob]); reduction
//     SoftmaxCrossEntropyGrad(dY, log_prob, label) -> d_logits; reduction
//   default domain, since version 9:
//     SparseSoftmaxCrossEntropy(logits, label[, weight]) -> (Y[, log_prob])
//     SparseSoftmaxCrossEntropyGrad(dY, log_prob, label[, weight])
//         -> d_logits; reduction
//
// The SoftmaxCrossEntropyLoss family is class axis 1 ([N, C, D1..Dk] with
// labels [N, D1..Dk], per-class weights [C]), as loss.softmax_cross_entropy
// is. The older SoftmaxCrossEntropy and SparseSoftmaxCrossEntropy have the
// classes last ([..., C]) and are imported on [M, C] reshapes; the sparse
// ones weight each sample (weights shaped like the labels), which the
// gradient takes as a per-sample grad_output of a `none` gradient.
//
// ignore_index: an attribute of SoftmaxCrossEntropyLossGrad (absent:
// nothing is ignored, as in ONNX Runtime's function body), an int64 scalar
// input of the Internal ops, which must be known at import (an initializer
// or a Constant); the older ops ignore nothing.
//
// output_type (Internal ops): ONNX Runtime computes in the wider of the
// input and output element types (the input's on a tie) and casts once at
// the end; so does the import.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "loss-mlir/Dialect/Loss/IR/Loss.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Verifier.h"

#include <limits>

using namespace mlir;
using namespace mlir::loss;
using namespace mlir::loss::onnx_import;

namespace {

/// No target holds it: nothing is ignored.
constexpr int64_t kNoIgnore = std::numeric_limits<int64_t>::min();

using AttrType = onnx::AttributeProto::AttributeType;

struct AttrSpec {
  StringRef name;
  AttrType type;
};

constexpr AttrSpec kReduction{"reduction", onnx::AttributeProto::STRING};
constexpr AttrSpec kIgnoreIndex{"ignore_index", onnx::AttributeProto::INT};
constexpr AttrSpec kOutputType{"output_type", onnx::AttributeProto::INT};

std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string out = "[";
  for (auto [i, d] : llvm::enumerate(shape))
    out += (i ? ", " : "") + std::to_string(d);
  return out + "]";
}

/// The node's arity and attributes against its ONNX Runtime schema (which
/// libonnx's checker does not know).
LogicalResult checkSignature(NodeImporter &n, int minIn, int maxIn,
                             int maxOut, ArrayRef<AttrSpec> attrs) {
  int numIn = n.node.input_size();
  if (numIn < minIn || numIn > maxIn) {
    auto diag = n.error() << "expects ";
    if (minIn == maxIn)
      diag << minIn;
    else
      diag << minIn << " to " << maxIn;
    return diag << " inputs, got " << numIn;
  }
  if (n.node.output_size() > maxOut)
    return n.error() << "expects at most " << maxOut << " output"
                     << (maxOut == 1 ? "" : "s") << ", got "
                     << n.node.output_size();
  for (const auto &a : n.node.attribute()) {
    const AttrSpec *spec = llvm::find_if(
        attrs, [&](const AttrSpec &s) { return s.name == a.name(); });
    if (spec == attrs.end())
      return n.error() << "unexpected attribute '" << a.name() << "'";
    if (a.type() != spec->type)
      return n.error() << "attribute '" << a.name() << "' must be "
                       << onnx::AttributeProto::AttributeType_Name(spec->type)
                       << ", got "
                       << onnx::AttributeProto::AttributeType_Name(a.type());
  }
  return success();
}

FailureOr<Reduction> reductionAttr(NodeImporter &n) {
  std::string red = n.stringAttr("reduction", "mean");
  if (red == "none")
    return Reduction::none;
  if (red == "sum")
    return Reduction::sum;
  if (red == "mean")
    return Reduction::mean;
  n.error() << "unknown reduction '" << red << "' (none, sum or mean)";
  return failure();
}

/// Optional input #i: null if absent, an error if named but not produced.
FailureOr<Value> optionalInput(NodeImporter &n, int i) {
  if (!n.hasInput(i))
    return Value();
  return n.requireInput(i);
}

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// `v` is a float tensor of rank >= `minRank`.
LogicalResult checkFloat(NodeImporter &n, Value v, StringRef what,
                         int64_t minRank, StringRef form) {
  RankedTensorType ty = tensorType(v);
  if (!isa<FloatType>(ty.getElementType()) || ty.getRank() < minRank)
    return n.error() << "'" << what << "' must be a float tensor " << form
                     << ", got " << ty;
  return success();
}

/// `v` has element type `el` (the type constraint `T` it shares with
/// `like`).
LogicalResult checkElementType(NodeImporter &n, Value v, StringRef what,
                               Type el, StringRef like) {
  if (elementType(v) != el)
    return n.error() << "'" << what << "' must have the element type of '"
                     << like << "' (" << el << "), got " << v.getType();
  return success();
}

/// Class indices: int32 or int64 (ONNX Runtime's `Tind`) of `shape`.
LogicalResult checkLabels(NodeImporter &n, Value v, ArrayRef<int64_t> shape,
                          StringRef what, StringRef form) {
  RankedTensorType ty = tensorType(v);
  if (!ty.getElementType().isInteger(32) &&
      !ty.getElementType().isInteger(64))
    return n.error() << "'" << what << "' must be an int32 or int64 tensor, "
                     << "got " << ty;
  if (ty.getShape() != shape)
    return n.error() << "'" << what << "' must be " << form << " = "
                     << shapeStr(shape) << ", got " << shapeStr(ty.getShape());
  return success();
}

/// Optional per-class weights `w`: [C], of element type `el`.
LogicalResult checkClassWeight(NodeImporter &n, Value w, StringRef what,
                               Type el, StringRef like, int64_t numClasses) {
  if (!w)
    return success();
  if (failed(checkElementType(n, w, what, el, like)))
    return failure();
  if (tensorType(w).getShape() != ArrayRef<int64_t>{numClasses})
    return n.error() << "'" << what << "' must be [C] = [" << numClasses
                     << "] (one weight per class), got " << w.getType();
  return success();
}

/// A 0-d tensor of the one element of `v` (a scalar loss's gradient, which
/// ONNX Runtime reads as its first element).
FailureOr<Value> scalarGrad(NodeImporter &n, Value v, StringRef what) {
  RankedTensorType ty = tensorType(v);
  if (ty.getNumElements() != 1) {
    n.error() << "'" << what
              << "' must be a scalar (the gradient of a reduced loss), got "
              << ty;
    return failure();
  }
  if (ty.getRank() == 0)
    return v;
  SmallVector<Value> zeros(ty.getRank(),
                           arith::ConstantIndexOp::create(n.b, n.loc, 0));
  Value el = tensor::ExtractOp::create(n.b, n.loc, v, zeros);
  return tensor::FromElementsOp::create(
             n.b, n.loc, RankedTensorType::get({}, ty.getElementType()),
             ValueRange{el})
      .getResult();
}

/// `v` converted to element type `el`.
Value castTo(NodeImporter &n, Value v, Type el) {
  if (!v || elementType(v) == el)
    return v;
  return *n.elementwise({v}, el,
                        [el](OpBuilder &b, Location loc, ValueRange args) {
                          return castScalar(b, loc, args[0], el);
                        });
}

/// The sum of every element of `v` as a 0-d tensor (accumulated in f32 for
/// 16-bit floats).
Value sumAll(NodeImporter &n, Value v) {
  OpBuilder &b = n.b;
  Location loc = n.loc;
  RankedTensorType ty = tensorType(v);
  Type el = ty.getElementType();
  Type acc = el.getIntOrFloatBitWidth() < 32 ? b.getF32Type() : el;
  Value zero = arith::ConstantOp::create(b, loc, b.getFloatAttr(acc, 0.0));
  Value init = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{}, acc);
  Value filled =
      linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{init})
          ->getResult(0);
  int64_t rank = ty.getRank();
  SmallVector<AffineMap> maps{
      AffineMap::getMultiDimIdentityMap(rank, n.ctx),
      AffineMap::get(rank, 0, ArrayRef<AffineExpr>{}, n.ctx)};
  SmallVector<utils::IteratorType> iters(rank,
                                         utils::IteratorType::reduction);
  Value sum =
      linalg::GenericOp::create(
          b, loc, TypeRange{filled.getType()}, ValueRange{v},
          ValueRange{filled}, maps, iters,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value x = castScalar(nb, nl, args[0], acc);
            linalg::YieldOp::create(
                nb, nl, ValueRange{arith::AddFOp::create(nb, nl, args[1], x)});
          })
          .getResult(0);
  return castTo(n, sum, el);
}

/// `a * b` (NumPy-broadcast), optionally divided by `d`.
Value mulDiv(NodeImporter &n, Value a, Value b, Value d = {}) {
  SmallVector<Value> ops{a, b};
  if (d)
    ops.push_back(d);
  return *n.elementwise(ops, elementType(a),
                        [](OpBuilder &nb, Location loc, ValueRange args) {
                          Value r = arith::MulFOp::create(nb, loc, args[0],
                                                          args[1]);
                          if (args.size() > 2)
                            r = arith::DivFOp::create(nb, loc, r, args[2]);
                          return r;
                        });
}

/// The element type `output_type` names; `dflt` without the attribute.
FailureOr<Type> outputTypeAttr(NodeImporter &n, Type dflt) {
  const onnx::AttributeProto *a = n.attr("output_type");
  if (!a)
    return dflt;
  switch (a->i()) {
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::DOUBLE:
  case onnx::TensorProto::BFLOAT16:
    return convertElementType(n.ctx, a->i());
  default:
    n.error() << "'output_type' must be FLOAT16, FLOAT, DOUBLE or BFLOAT16 "
                 "(a TensorProto data type), got "
              << a->i();
    return failure();
  }
}

/// ONNX Runtime's compute type for input type `in` and output type `out`:
/// the wider, the input's on a tie (HandleDifferedInputOutputDataType).
Type computeType(Type in, Type out) {
  return out.getIntOrFloatBitWidth() > in.getIntOrFloatBitWidth() ? out : in;
}

/// The int64 scalar ignore_index input #i, which must be known at import;
/// kNoIgnore if absent.
FailureOr<int64_t> ignoreIndexInput(NodeImporter &n, int i) {
  if (!n.hasInput(i))
    return kNoIgnore;
  FailureOr<Value> v = n.requireInput(i);
  if (failed(v))
    return failure();
  RankedTensorType ty = tensorType(*v);
  // ONNX Runtime's IsScalar(): rank 0, or [1].
  if (!ty.getElementType().isInteger(64) || ty.getNumElements() != 1 ||
      ty.getRank() > 1) {
    n.error() << "'ignore_index' must be an int64 scalar, got " << ty;
    return failure();
  }
  DenseElementsAttr c = n.knownInput(i);
  if (!c) {
    n.error() << "'ignore_index' input '" << n.node.input(i)
              << "' must be a constant (an initializer or a Constant "
                 "node); a computed ignore_index is not supported";
    return failure();
  }
  return (*c.getValues<APInt>().begin()).getSExtValue();
}

/// The reduced loss's gradient: target-shaped for `none`, else a scalar.
FailureOr<Value> lossGrad(NodeImporter &n, Value dY, Reduction red,
                          ArrayRef<int64_t> noneShape) {
  if (red != Reduction::none)
    return scalarGrad(n, dY, "dY");
  if (tensorType(dY).getShape() != noneShape) {
    n.error() << "'dY' must be shaped like the unreduced loss "
              << shapeStr(noneShape) << " for reduction 'none', got "
              << shapeStr(tensorType(dY).getShape());
    return failure();
  }
  return dY;
}

LogicalResult verifyBuilt(NodeImporter &n, Operation *op) {
  if (failed(verify(op)))
    return n.error() << "inputs do not form a valid loss";
  return success();
}

//===----------------------------------------------------------------------===//
// SoftmaxCrossEntropyLossGrad, SoftmaxCrossEntropyLossInternalGrad
//===----------------------------------------------------------------------===//

/// d_logits = (exp(log_prob) - onehot(label)) * w[label] * dY * s, 0 in
/// ignored positions; s = 1 / sum_{not ignored} w[label] for `mean`.
///
/// This is loss.softmax_cross_entropy_grad with `log_prob` as the logits:
/// log_prob is normalised over the class axis (its logsumexp is 0), so
/// softmax(log_prob) = exp(log_prob) = softmax(the forward's logits), and
/// the op's gradient is exactly ONNX Runtime's.
LogicalResult importSCELossGrad(NodeImporter &n, bool internal) {
  if (failed(internal ? checkSignature(n, 3, 6, 1, {kReduction, kOutputType})
                      : checkSignature(n, 3, 4, 1,
                                       {kReduction, kIgnoreIndex})))
    return failure();
  FailureOr<Reduction> red = reductionAttr(n);
  if (failed(red))
    return failure();
  FailureOr<Value> dY = n.requireInput(0), lp = n.requireInput(1),
                   label = n.requireInput(2);
  if (failed(dY) || failed(lp) || failed(label))
    return failure();
  FailureOr<Value> w = optionalInput(n, 3);
  FailureOr<Value> bias = internal ? optionalInput(n, 5) : Value();
  if (failed(w) || failed(bias))
    return failure();
  FailureOr<int64_t> ii = internal ? ignoreIndexInput(n, 4)
                                   : n.intAttr("ignore_index", kNoIgnore);
  if (failed(ii))
    return failure();

  if (failed(checkFloat(n, *lp, "log_prob", 2,
                        "[N, C] or [N, C, D1, ..., Dk]")))
    return failure();
  RankedTensorType lpTy = tensorType(*lp);
  Type el = lpTy.getElementType();
  int64_t numClasses = lpTy.getDimSize(1);
  SmallVector<int64_t> labelShape{lpTy.getDimSize(0)};
  llvm::append_range(labelShape, lpTy.getShape().drop_front(2));
  if (failed(checkElementType(n, *dY, "dY", el, "log_prob")) ||
      failed(checkLabels(n, *label, labelShape, "label", "[N, D1, ..., Dk]")))
    return failure();
  if (failed(checkClassWeight(n, *w, "weight", el, "log_prob", numClasses)))
    return failure();
  FailureOr<Value> g = lossGrad(n, *dY, *red, labelShape);
  if (failed(g))
    return failure();
  FailureOr<Type> outEl = internal ? outputTypeAttr(n, el) : el;
  if (failed(outEl))
    return failure();
  if (*bias) {
    RankedTensorType biasTy = tensorType(*bias);
    // `TOut`, added without broadcasting (reshaped to log_prob's shape).
    if (biasTy.getElementType() != *outEl ||
        biasTy.getNumElements() != lpTy.getNumElements())
      return n.error() << "'bias' must have the output element type ("
                       << *outEl << ") and log_prob's "
                       << lpTy.getNumElements() << " elements, got "
                       << biasTy;
  }

  Type cmp = computeType(el, *outEl);
  auto op = SoftmaxCrossEntropyGradOp::create(
      n.b, n.loc, castTo(n, *lp, cmp), *label, castTo(n, *w, cmp),
      castTo(n, *g, cmp), *ii, *red, APFloat(0.0));
  if (failed(verifyBuilt(n, op)))
    return failure();
  Value dLogits = op.getGradLogits();
  if (*bias) {
    FailureOr<Value> b = n.reshape(castTo(n, *bias, cmp), lpTy.getShape());
    if (failed(b))
      return failure();
    dLogits = *n.elementwise({dLogits, *b}, cmp,
                             [](OpBuilder &nb, Location loc, ValueRange a) {
                               return arith::AddFOp::create(nb, loc, a[0],
                                                            a[1]);
                             });
  }
  n.define(0, castTo(n, dLogits, *outEl));
  return success();
}

//===----------------------------------------------------------------------===//
// SoftmaxCrossEntropyLossInternal
//===----------------------------------------------------------------------===//

/// SoftmaxCrossEntropyLoss with ignore_index as an input and an optional
/// output type.
LogicalResult importSCELossInternal(NodeImporter &n) {
  if (failed(checkSignature(n, 2, 4, 2, {kReduction, kOutputType})))
    return failure();
  FailureOr<Reduction> red = reductionAttr(n);
  if (failed(red))
    return failure();
  FailureOr<Value> x = n.requireInput(0), t = n.requireInput(1);
  if (failed(x) || failed(t))
    return failure();
  FailureOr<Value> w = optionalInput(n, 2);
  if (failed(w))
    return failure();
  FailureOr<int64_t> ii = ignoreIndexInput(n, 3);
  if (failed(ii))
    return failure();
  if (failed(checkFloat(n, *x, "scores", 2, "[N, C] or [N, C, D1, ..., Dk]")))
    return failure();
  RankedTensorType xTy = tensorType(*x);
  Type el = xTy.getElementType();
  int64_t numClasses = xTy.getDimSize(1);
  SmallVector<int64_t> labelShape{xTy.getDimSize(0)};
  llvm::append_range(labelShape, xTy.getShape().drop_front(2));
  if (failed(checkLabels(n, *t, labelShape, "labels", "[N, D1, ..., Dk]")))
    return failure();
  if (failed(checkClassWeight(n, *w, "weights", el, "scores", numClasses)))
    return failure();
  FailureOr<Type> outEl = outputTypeAttr(n, el);
  if (failed(outEl))
    return failure();
  Type cmp = computeType(el, *outEl);
  bool wantLogProb = n.node.output_size() > 1 && !n.node.output(1).empty();
  auto op = SoftmaxCrossEntropyOp::create(n.b, n.loc, castTo(n, *x, cmp), *t,
                                          castTo(n, *w, cmp), *ii, *red,
                                          APFloat(0.0), wantLogProb);
  if (failed(verifyBuilt(n, op)))
    return failure();
  n.define(0, castTo(n, op.getResult(), *outEl));
  if (wantLogProb)
    n.define(1, castTo(n, op.getLogProb(), *outEl));
  return success();
}

//===----------------------------------------------------------------------===//
// SoftmaxCrossEntropy, SoftmaxCrossEntropyGrad (probability labels)
//===----------------------------------------------------------------------===//

/// The classes-last [..., C] `v` as [M, C], and M.
FailureOr<Value> rowsOf(NodeImporter &n, Value v, int64_t &rows) {
  RankedTensorType ty = tensorType(v);
  int64_t c = ty.getDimSize(ty.getRank() - 1);
  rows = c ? ty.getNumElements() / c : 0;
  return n.reshape(v, {rows, c});
}

/// Y = -sum(label * log_softmax(logits)) over the last axis, summed (`sum`),
/// divided by the number of rows (`mean`) or per row (`none`, the shape
/// ONNX Runtime's inference gives: logits' without the last axis).
LogicalResult importSoftmaxCrossEntropy(NodeImporter &n) {
  if (failed(checkSignature(n, 2, 2, 2, {kReduction})))
    return failure();
  FailureOr<Reduction> red = reductionAttr(n);
  if (failed(red))
    return failure();
  FailureOr<Value> x = n.requireInput(0), y = n.requireInput(1);
  if (failed(x) || failed(y) ||
      failed(checkFloat(n, *x, "logits", 2, "[..., C] (rank >= 2)")))
    return failure();
  RankedTensorType xTy = tensorType(*x);
  if (y->getType() != xTy)
    return n.error() << "'label' (class probabilities) must have the "
                        "logits' type "
                     << xTy << ", got " << y->getType();
  int64_t rows;
  FailureOr<Value> x2 = rowsOf(n, *x, rows), y2 = rowsOf(n, *y, rows);
  if (failed(x2) || failed(y2))
    return failure();
  bool wantLogProb = n.node.output_size() > 1 && !n.node.output(1).empty();
  auto op = SoftmaxCrossEntropyOp::create(n.b, n.loc, *x2, *y2, Value(),
                                          /*ignore_index=*/-100, *red,
                                          APFloat(0.0), wantLogProb);
  if (failed(verifyBuilt(n, op)))
    return failure();
  Value loss = op.getResult();
  if (*red == Reduction::none) {
    FailureOr<Value> r = n.reshape(loss, xTy.getShape().drop_back());
    if (failed(r))
      return failure();
    loss = *r;
  }
  n.define(0, loss);
  if (wantLogProb) {
    FailureOr<Value> lp = n.reshape(op.getLogProb(), xTy.getShape());
    if (failed(lp))
      return failure();
    n.define(1, *lp);
  }
  return success();
}

/// d_logits = (exp(log_prob) - label) * dY * s, s = 1 / rows for `mean`.
/// ONNX Runtime's kernel takes each row of `label` to sum to 1; the op
/// computes autograd's exp(log_prob) * sum(label) - label, the same on
/// such labels.
LogicalResult importSoftmaxCrossEntropyGrad(NodeImporter &n) {
  if (failed(checkSignature(n, 3, 3, 1, {kReduction})))
    return failure();
  FailureOr<Reduction> red = reductionAttr(n);
  if (failed(red))
    return failure();
  FailureOr<Value> dY = n.requireInput(0), lp = n.requireInput(1),
                   y = n.requireInput(2);
  if (failed(dY) || failed(lp) || failed(y) ||
      failed(checkFloat(n, *lp, "log_prob", 2, "[..., C] (rank >= 2)")))
    return failure();
  RankedTensorType lpTy = tensorType(*lp);
  if (y->getType() != lpTy)
    return n.error() << "'label' (class probabilities) must have "
                        "log_prob's type "
                     << lpTy << ", got " << y->getType();
  if (failed(checkElementType(n, *dY, "dY", lpTy.getElementType(),
                              "log_prob")))
    return failure();
  FailureOr<Value> g = lossGrad(n, *dY, *red, lpTy.getShape().drop_back());
  if (failed(g))
    return failure();
  int64_t rows;
  FailureOr<Value> lp2 = rowsOf(n, *lp, rows), y2 = rowsOf(n, *y, rows);
  if (failed(lp2) || failed(y2))
    return failure();
  if (*red == Reduction::none) {
    g = n.reshape(*g, {rows});
    if (failed(g))
      return failure();
  }
  auto op = SoftmaxCrossEntropyGradOp::create(n.b, n.loc, *lp2, *y2, Value(),
                                              *g, /*ignore_index=*/-100, *red,
                                              APFloat(0.0));
  if (failed(verifyBuilt(n, op)))
    return failure();
  return n.defineResult(n.reshape(op.getGradLogits(), lpTy.getShape()));
}

//===----------------------------------------------------------------------===//
// SparseSoftmaxCrossEntropy, SparseSoftmaxCrossEntropyGrad (index labels,
// per-sample weights)
//===----------------------------------------------------------------------===//

/// The inputs of the sparse pair: classes-last scores [..., C], labels
/// [...], optional per-sample weights shaped like the labels; reshaped to
/// [M, C], [M] and [M].
struct SparseOperands {
  Value scores2, labels2, weights2;
  SmallVector<int64_t> labelShape;
  int64_t rows = 0;
};

FailureOr<SparseOperands> sparseOperands(NodeImporter &n, int scoresIdx,
                                         StringRef scoresName) {
  FailureOr<Value> x = n.requireInput(scoresIdx),
                   t = n.requireInput(scoresIdx + 1);
  FailureOr<Value> w = optionalInput(n, scoresIdx + 2);
  if (failed(x) || failed(t) || failed(w) ||
      failed(checkFloat(n, *x, scoresName, 2, "[..., C] (rank >= 2)")))
    return failure();
  RankedTensorType xTy = tensorType(*x);
  SparseOperands ops;
  ops.labelShape.assign(xTy.getShape().drop_back().begin(),
                        xTy.getShape().drop_back().end());
  if (failed(checkLabels(n, *t, ops.labelShape, "label",
                         "the scores' shape without the class axis")))
    return failure();
  if (*w) {
    if (failed(checkElementType(n, *w, "weight", xTy.getElementType(),
                                scoresName)))
      return failure();
    if (tensorType(*w).getShape() != ArrayRef(ops.labelShape)) {
      n.error() << "'weight' must be shaped like the labels "
                << shapeStr(ops.labelShape)
                << " (one weight per sample), got " << w->getType();
      return failure();
    }
  }
  FailureOr<Value> x2 = rowsOf(n, *x, ops.rows);
  FailureOr<Value> t2 = n.reshape(*t, {ops.rows});
  if (failed(x2) || failed(t2))
    return failure();
  ops.scores2 = *x2;
  ops.labels2 = *t2;
  if (*w) {
    FailureOr<Value> w2 = n.reshape(*w, {ops.rows});
    if (failed(w2))
      return failure();
    ops.weights2 = *w2;
  }
  return ops;
}

/// Y = sum_i w_i * -log_softmax(logits)[i, label_i] (w_i = 1 without
/// weights), divided by sum_i w_i (by the number of samples without
/// weights) for `mean`; per sample, label-shaped, for `none`.
LogicalResult importSparseSoftmaxCrossEntropy(NodeImporter &n) {
  if (failed(checkSignature(n, 2, 3, 2, {kReduction})))
    return failure();
  FailureOr<Reduction> red = reductionAttr(n);
  if (failed(red))
    return failure();
  FailureOr<SparseOperands> ops = sparseOperands(n, 0, "logits");
  if (failed(ops))
    return failure();
  auto x2Ty = tensorType(ops->scores2);
  Type el = x2Ty.getElementType();
  // With per-sample weights: the per-sample losses, weighted, then reduced.
  Reduction opRed = ops->weights2 ? Reduction::none : *red;
  bool wantLogProb = n.node.output_size() > 1 && !n.node.output(1).empty();
  auto op = SoftmaxCrossEntropyOp::create(n.b, n.loc, ops->scores2,
                                          ops->labels2, Value(), kNoIgnore,
                                          opRed, APFloat(0.0), wantLogProb);
  if (failed(verifyBuilt(n, op)))
    return failure();
  Value loss = op.getResult();
  if (ops->weights2) {
    Value weighted = mulDiv(n, loss, ops->weights2);
    if (*red == Reduction::none)
      loss = weighted;
    else if (*red == Reduction::sum)
      loss = sumAll(n, weighted);
    else
      loss = *n.elementwise({sumAll(n, weighted), sumAll(n, ops->weights2)},
                            el, [](OpBuilder &nb, Location loc, ValueRange a) {
                              return arith::DivFOp::create(nb, loc, a[0],
                                                           a[1]);
                            });
  }
  if (*red == Reduction::none) {
    FailureOr<Value> r = n.reshape(loss, ops->labelShape);
    if (failed(r))
      return failure();
    loss = *r;
  }
  n.define(0, loss);
  if (wantLogProb) {
    FailureOr<Value> lp = n.reshape(
        op.getLogProb(), tensorType(*n.requireInput(0)).getShape());
    if (failed(lp))
      return failure();
    n.define(1, *lp);
  }
  return success();
}

/// d_logits[i] = (exp(log_prob[i]) - onehot(label_i)) * w_i * dY * s, with
/// s = 1 / sum_i w_i (1 / samples without weights) for `mean`; dY per
/// sample for `none`. The per-sample factor is the grad_output of a `none`
/// softmax_cross_entropy_grad.
LogicalResult importSparseSoftmaxCrossEntropyGrad(NodeImporter &n) {
  if (failed(checkSignature(n, 3, 4, 1, {kReduction})))
    return failure();
  FailureOr<Reduction> red = reductionAttr(n);
  if (failed(red))
    return failure();
  FailureOr<Value> dY = n.requireInput(0);
  if (failed(dY))
    return failure();
  FailureOr<SparseOperands> ops = sparseOperands(n, 1, "log_prob");
  if (failed(ops))
    return failure();
  auto lp2Ty = tensorType(ops->scores2);
  Type el = lp2Ty.getElementType();
  if (failed(checkElementType(n, *dY, "dY", el, "log_prob")))
    return failure();
  FailureOr<Value> g = lossGrad(n, *dY, *red, ops->labelShape);
  if (failed(g))
    return failure();
  if (*red == Reduction::none) {
    g = n.reshape(*g, {ops->rows});
    if (failed(g))
      return failure();
  }
  Reduction opRed = *red;
  if (ops->weights2) {
    Value sum = *red == Reduction::mean ? sumAll(n, ops->weights2) : Value();
    g = mulDiv(n, *g, ops->weights2, sum);
    opRed = Reduction::none;
  }
  auto op = SoftmaxCrossEntropyGradOp::create(n.b, n.loc, ops->scores2,
                                              ops->labels2, Value(), *g,
                                              kNoIgnore, opRed, APFloat(0.0));
  if (failed(verifyBuilt(n, op)))
    return failure();
  return n.defineResult(n.reshape(
      op.getGradLogits(), tensorType(*n.requireInput(1)).getShape()));
}

} // namespace

void onnx_import::populateTrainingHandlers(OpRegistry &r) {
  r.onContribOp(kMSDomain, "SoftmaxCrossEntropyLossGrad", {1},
                [](NodeImporter &n) {
                  return importSCELossGrad(n, /*internal=*/false);
                });
  r.onContribOp(kMSDomain, "SoftmaxCrossEntropyLossInternalGrad", {1},
                [](NodeImporter &n) {
                  return importSCELossGrad(n, /*internal=*/true);
                });
  r.onContribOp(kMSDomain, "SoftmaxCrossEntropyLossInternal", {1},
                importSCELossInternal);
  r.onContribOp(kMSDomain, "SoftmaxCrossEntropy", {1},
                importSoftmaxCrossEntropy);
  r.onContribOp(kMSDomain, "SoftmaxCrossEntropyGrad", {1},
                importSoftmaxCrossEntropyGrad);
  // ONNX Runtime registers these two in the default domain, since opset 9.
  r.onContribOp("", "SparseSoftmaxCrossEntropy", {9},
                importSparseSoftmaxCrossEntropy);
  r.onContribOp("", "SparseSoftmaxCrossEntropyGrad", {9},
                importSparseSoftmaxCrossEntropyGrad);
}
