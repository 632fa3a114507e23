//===- LossNodes.cpp - Loss nodes and (Log)Softmax ------------------------===//
//
// SoftmaxCrossEntropyLoss and NegativeLogLikelihoodLoss become
// loss.softmax_cross_entropy and loss.nll (whose verifiers check the
// inputs); LogSoftmax becomes loss.log_softmax, so that the fusion pass
// sees PyTorch's exported log_softmax + nll; Softmax becomes linalg.softmax.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "loss-mlir/Dialect/Loss/IR/Loss.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Verifier.h"

#include <limits>

using namespace mlir;
using namespace mlir::loss;
using namespace mlir::loss::onnx_import;

namespace {

/// Softmax, or LogSoftmax if `log`. With `coerce` (before version 13) the
/// input is coerced to 2-D [prod(d[:axis]), prod(d[axis:])] at `axis`
/// (default 1); since 13, one axis (default -1).
LogicalResult importSoftmax(NodeImporter &n, bool log, bool coerce) {
  OpBuilder &b = n.b;
  Location loc = n.loc;
  FailureOr<Value> x = n.requireInput(0);
  if (failed(x))
    return failure();
  auto ty = cast<RankedTensorType>(x->getType());
  if (!isa<FloatType>(ty.getElementType()) || ty.getRank() < 1)
    return n.error() << "expects a float tensor of rank >= 1";
  int64_t rank = ty.getRank();
  FailureOr<int64_t> axis =
      n.normalizeAxis(n.intAttr("axis", coerce ? 1 : -1), rank);
  if (failed(axis))
    return failure();
  Value in = *x;
  int64_t opAxis = *axis;
  if (coerce) {
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < rank; ++i)
      (i < *axis ? outer : inner) *= ty.getDimSize(i);
    FailureOr<Value> r = n.reshape(in, {outer, inner});
    if (failed(r))
      return failure();
    in = *r;
    opAxis = 1;
  }
  Value out;
  if (log) {
    out = LogSoftmaxOp::create(b, loc, in, opAxis);
  } else {
    auto inTy = cast<RankedTensorType>(in.getType());
    Value init = tensor::EmptyOp::create(b, loc, inTy.getShape(),
                                         inTy.getElementType());
    out = linalg::SoftmaxOp::create(b, loc, TypeRange{inTy}, in, init,
                                    static_cast<uint64_t>(opAxis))
              .getResult()[0];
  }
  if (coerce) {
    FailureOr<Value> r = n.reshape(out, ty.getShape());
    if (failed(r))
      return failure();
    out = *r;
  }
  n.define(0, out);
  return success();
}

/// SoftmaxCrossEntropyLoss (`crossEntropy`) or NegativeLogLikelihoodLoss.
LogicalResult importLoss(NodeImporter &n, bool crossEntropy) {
  OpBuilder &b = n.b;
  Location loc = n.loc;
  FailureOr<Value> x = n.requireInput(0);
  FailureOr<Value> t = n.requireInput(1);
  if (failed(x) || failed(t))
    return failure();
  Value w = n.input(2);
  if (n.hasInput(2) && !w)
    return n.error() << "weights input '" << n.node.input(2)
                     << "' is not defined";
  std::string red = n.stringAttr("reduction", "mean");
  std::optional<Reduction> reduction = symbolizeReduction(red);
  if (!reduction || *reduction == Reduction::batchmean)
    return n.error() << "unknown reduction '" << red << "'";
  // Without ignore_index nothing is ignored: use a value no target can hold.
  int64_t ii = n.intAttr("ignore_index", std::numeric_limits<int64_t>::min());
  auto xTy = cast<RankedTensorType>(x->getType());
  auto tTy = cast<RankedTensorType>(t->getType());
  if (!isa<FloatType>(xTy.getElementType()) ||
      !isa<IntegerType>(tTy.getElementType()))
    return n.error() << "expects float scores and integer labels";
  // The ops infer their result types.
  Operation *op;
  if (crossEntropy) {
    bool wantLogProb = n.node.output_size() > 1 && !n.node.output(1).empty();
    op = SoftmaxCrossEntropyOp::create(b, loc, *x, *t, w, ii, *reduction,
                                       APFloat(0.0), wantLogProb);
  } else {
    op = NllOp::create(b, loc, *x, *t, w, ii, *reduction);
  }
  if (failed(verify(op)))
    return n.error() << "inputs do not form a valid loss";
  for (unsigned i = 0; i < op->getNumResults(); ++i)
    n.define(i, op->getResult(i));
  return success();
}
} // namespace

void onnx_import::populateLossHandlers(OpRegistry &r) {
  r.onOp("SoftmaxCrossEntropyLoss", {12, 13}, [](NodeImporter &n) {
    return importLoss(n, /*crossEntropy=*/true);
  });
  r.onOp("NegativeLogLikelihoodLoss", {12, 13}, [](NodeImporter &n) {
    return importLoss(n, /*crossEntropy=*/false);
  });
  // Before 13, the input is coerced to 2-D at `axis` (default 1); since 13,
  // one axis (default -1).
  for (bool log : {false, true}) {
    StringRef op = log ? "LogSoftmax" : "Softmax";
    r.onOp(op, {1, 11}, [log](NodeImporter &n) {
      return importSoftmax(n, log, /*coerce=*/true);
    });
    r.onOp(op, {13}, [log](NodeImporter &n) {
      return importSoftmax(n, log, /*coerce=*/false);
    });
  }
}
