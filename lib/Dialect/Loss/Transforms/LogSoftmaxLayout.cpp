//===- LogSoftmaxLayout.cpp - Move log_softmax across layout ops ----------===//
//
// Exporters wrap log_softmax in layout changes: ONNX's SoftmaxCrossEntropyLoss
// body reshapes [N, C, d...] to [N, C, D], transposes to [N, D, C], takes
// log_softmax over the last axis and undoes both before nll. log_softmax
// commutes with a transpose (the axis moves with the permutation) and with a
// reshape that leaves the axis dimension whole, so the layout ops can be
// pushed past it until they meet their inverses and cancel, leaving
// nll(log_softmax(x, axis = 1)) for the fusion.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Dialect/Loss/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::loss;

namespace {

/// log_softmax(transpose(x, p), a) -> transpose(log_softmax(x, p[a]), p).
struct LogSoftmaxOfTranspose : public OpRewritePattern<LogSoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LogSoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    auto transpose = op.getInput().getDefiningOp<linalg::TransposeOp>();
    if (!transpose || !transpose.hasPureTensorSemantics())
      return failure();
    ArrayRef<int64_t> perm = transpose.getPermutation();
    Value x = transpose.getInput();
    auto inner = LogSoftmaxOp::create(rewriter, op.getLoc(), x.getType(), x,
                                      perm[op.getNormalizedAxis()]);
    auto outTy = cast<RankedTensorType>(op.getType());
    Value init = tensor::EmptyOp::create(rewriter, op.getLoc(),
                                         outTy.getShape(),
                                         outTy.getElementType());
    rewriter.replaceOpWithNewOp<linalg::TransposeOp>(op, inner.getResult(),
                                                     init, perm);
    return success();
  }
};

/// transpose(transpose(x, p), q) with q . p = identity -> x.
struct CancelTransposes : public OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto producer = op.getInput().getDefiningOp<linalg::TransposeOp>();
    if (!producer || !op.hasPureTensorSemantics() ||
        !producer.hasPureTensorSemantics())
      return failure();
    ArrayRef<int64_t> p = producer.getPermutation(), q = op.getPermutation();
    for (size_t i = 0; i < q.size(); ++i)
      if (p[q[i]] != static_cast<int64_t>(i))
        return failure();
    rewriter.replaceOp(op, producer.getInput());
    return success();
  }
};

/// The axis of `from` that `axis` of `to` is, if a reshape `from` -> `to`
/// keeps that dimension whole (same extent, same number of elements before).
std::optional<int64_t> reshapedAxis(ArrayRef<int64_t> from,
                                     ArrayRef<int64_t> to, int64_t axis) {
  int64_t before = 1;
  for (int64_t i = 0; i < axis; ++i)
    before *= to[i];
  int64_t acc = 1;
  for (int64_t j = 0; j < static_cast<int64_t>(from.size()); ++j) {
    if (acc == before && from[j] == to[axis])
      return j;
    acc *= from[j];
    if (acc > before)
      return std::nullopt;
  }
  return std::nullopt;
}

/// log_softmax(reshape(x), a) -> reshape(log_softmax(x, b)) where the
/// reshape keeps the axis whole.
struct LogSoftmaxOfReshape : public OpRewritePattern<LogSoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LogSoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    auto reshape = op.getInput().getDefiningOp<tensor::ReshapeOp>();
    if (!reshape)
      return failure();
    auto fromTy = cast<RankedTensorType>(reshape.getSource().getType());
    auto toTy = cast<RankedTensorType>(reshape.getType());
    if (!fromTy.hasStaticShape() || !toTy.hasStaticShape())
      return failure();
    std::optional<int64_t> axis = reshapedAxis(
        fromTy.getShape(), toTy.getShape(), op.getNormalizedAxis());
    if (!axis)
      return rewriter.notifyMatchFailure(op, "reshape splits the axis");
    auto inner = LogSoftmaxOp::create(rewriter, op.getLoc(), fromTy,
                                      reshape.getSource(), *axis);
    rewriter.replaceOpWithNewOp<tensor::ReshapeOp>(
        op, toTy, inner.getResult(), reshape.getShape());
    return success();
  }
};

/// reshape(reshape(x)) -> reshape(x); a reshape to the same type -> x.
struct CollapseReshapes : public OpRewritePattern<tensor::ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getSource().getType() == op.getType()) {
      rewriter.replaceOp(op, op.getSource());
      return success();
    }
    auto producer = op.getSource().getDefiningOp<tensor::ReshapeOp>();
    if (!producer)
      return failure();
    Value x = producer.getSource();
    if (x.getType() == op.getType()) {
      rewriter.replaceOp(op, x);
      return success();
    }
    rewriter.modifyOpInPlace(op, [&] { op.getSourceMutable().assign(x); });
    return success();
  }
};

} // namespace

void mlir::loss::populateLogSoftmaxLayoutPatterns(RewritePatternSet &patterns) {
  patterns.add<LogSoftmaxOfTranspose, CancelTransposes, LogSoftmaxOfReshape,
               CollapseReshapes>(patterns.getContext());
}
