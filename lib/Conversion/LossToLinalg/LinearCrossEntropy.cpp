//===- LinearCrossEntropy.cpp - Fused linear layer + cross entropy --------===//
//
// loss.linear_cross_entropy without its N x V logits: the rows go in blocks
// of kRowBlock (an scf.forall, threads with parallel=true), and each block
// walks the vocabulary in tiles of at most kVocabTile entries (a sequential
// scf.for). A tile's logits, kRowBlock x kVocabTile in the accumulator type,
// are one linalg.matmul (weight transposed) of slices of hidden and weight,
// started from the bias, and are folded at once into the block's per-row
// online-softmax state (running max and rescaled sum of exponentials, the
// target logit and weight picked where the target's class falls in the
// tile, the label-smoothing sums). Only tiles and row-shaped states exist.
//
// The arithmetic is LossArithmetic.h's online softmax, and the loss is
// finished from the row statistics by the same code as softmax_cross_entropy
// (buildCrossEntropyLoss: ignore_index, class weights, label smoothing, the
// mean's denominator, NaN for out-of-range targets), so the two ops agree to
// the rounding of the logits.
//
//===----------------------------------------------------------------------===//

#include "SoftmaxRows.h"
#include "Utils.h"
#include "loss-mlir/Conversion/LossToLinalg/LossToLinalg.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mlir::loss;

namespace {
/// Rows per block: a block's hidden rows are reused for every vocabulary
/// tile, and its tile of logits (64 x 256 f32 = 64 KiB) stays in L2 with
/// the weight tile.
constexpr int64_t kRowBlock = 64;
/// The largest vocabulary tile, and the bytes of weight a tile may hold: a
/// tile of kVocabTile rows of H = 512 f32 is 512 KiB, about what one core's
/// L2 holds next to the logits; larger H get fewer rows per tile.
constexpr int64_t kVocabTile = 256;
constexpr int64_t kWeightTileBytes = 512 * 1024;
constexpr int64_t kMinVocabTile = 16;

/// Vocabulary entries per tile for hidden size `h` (dynamic: kVocabTile / 2)
/// of `bytes`-byte elements: a multiple of kMinVocabTile.
int64_t vocabTileSize(int64_t h, int64_t bytes) {
  if (ShapedType::isDynamic(h))
    return kVocabTile / 2;
  int64_t fit = kWeightTileBytes / std::max<int64_t>(h * bytes, 1);
  fit = fit / kMinVocabTile * kMinVocabTile;
  return std::clamp<int64_t>(fit, kMinVocabTile, kVocabTile);
}

/// `source[offsets..][sizes..]` with unit strides.
Value slice(OpBuilder &b, Location loc, Value source,
            ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes) {
  SmallVector<OpFoldResult> strides(offsets.size(), b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(b, loc, source, offsets, sizes,
                                        strides);
}

/// `min(step, size - offset)`: the extent of the tile at `offset`.
Value tileExtent(OpBuilder &b, Location loc, Value offset, int64_t step,
                 Value size) {
  return arith::MinSIOp::create(b, loc, constIndex(b, loc, step),
                                arith::SubIOp::create(b, loc, size, offset));
}

struct LinearCrossEntropyLowering
    : public OpRewritePattern<LinearCrossEntropyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinearCrossEntropyOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    OpBuilder &b = rewriter;
    Value hidden = op.getHidden(), weight = op.getWeight(),
          target = op.getTarget(), bias = op.getBias(),
          classWeight = op.getClassWeight();
    Type elTy = op.getHidden().getType().getElementType();
    Type acc = getAccumulatorType(elTy);

    // The operands agree on N, V and H (checked at run time where a size
    // is dynamic) before anything reads them. Loops (n, v, h).
    AffineExpr n = getAffineDimExpr(0, ctx), v = getAffineDimExpr(1, ctx),
               h = getAffineDimExpr(2, ctx);
    SmallVector<LoopInput> operands{
        {hidden, AffineMap::get(3, 0, {n, h}, ctx)},
        {weight, AffineMap::get(3, 0, {v, h}, ctx)},
        {target, AffineMap::get(3, 0, {n}, ctx)}};
    if (bias)
      operands.push_back({bias, AffineMap::get(3, 0, {v}, ctx)});
    if (classWeight)
      operands.push_back({classWeight, AffineMap::get(3, 0, {v}, ctx)});
    assertConsistentLoopSizes(b, loc, {}, operands);

    // The cross entropy of the logits [N, V]: the classes are weight's
    // rows, so the row operands describe them by `weight` along axis 0 (the
    // finish reads only the class count and element type from it).
    SoftmaxRowOperands req;
    req.logits = weight;
    req.axis = 0;
    req.classTarget = target;
    req.weight = classWeight;
    req.smoothing = op.getLabelSmoothing().convertToDouble();
    req.ignoreIndex = op.getIgnoreIndex();
    OnlineSoftmax layout = getOnlineSoftmax(b, loc, req, /*streamTarget=*/true);
    SmallVector<double> init = layout.initialValues();

    OpFoldResult numRows = tensor::getMixedSize(b, loc, hidden, 0);
    OpFoldResult hiddenSize = tensor::getMixedSize(b, loc, hidden, 1);
    Value numRowsV = getValueOrCreateConstantIndexOp(b, loc, numRows);
    Value vocab = tensor::DimOp::create(b, loc, weight, 0);
    int64_t vocabTile = vocabTileSize(
        op.getHidden().getType().getDimSize(1),
        std::max<int64_t>(elTy.getIntOrFloatBitWidth() / 8, 1));

    // One state tensor [N] per field, written block by block.
    SmallVector<Value> outs;
    for (size_t k = 0; k < init.size(); ++k)
      outs.push_back(tensor::EmptyOp::create(b, loc, ArrayRef{numRows}, acc));
    Value numBlocks = arith::CeilDivSIOp::create(
        b, loc, numRowsV, constIndex(b, loc, kRowBlock));

    auto forall = scf::ForallOp::create(
        b, loc, ArrayRef<OpFoldResult>{numBlocks}, outs, std::nullopt,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value row0 = arith::MulIOp::create(nb, nl, args[0],
                                             constIndex(nb, nl, kRowBlock));
          Value rows = tileExtent(nb, nl, row0, kRowBlock, numRowsV);
          Value hBlock =
              slice(nb, nl, hidden, {row0, nb.getIndexAttr(0)},
                    {rows, hiddenSize});
          Value tBlock = slice(nb, nl, target, {row0}, {rows});
          SmallVector<Value> blockInit;
          for (double x : init)
            blockInit.push_back(
                filledTensor(nb, nl, ArrayRef<OpFoldResult>{rows}, acc, x));

          // The vocabulary in tiles; the last one may be smaller.
          auto tiles = scf::ForOp::create(
              nb, nl, constIndex(nb, nl, 0), vocab,
              constIndex(nb, nl, vocabTile), blockInit,
              [&](OpBuilder &fb, Location fl, Value col0, ValueRange states) {
                Value cols = tileExtent(fb, fl, col0, vocabTile, vocab);
                Value wTile = slice(fb, fl, weight, {col0, fb.getIndexAttr(0)},
                                    {cols, hiddenSize});
                // The tile's logits start from the bias (or 0), then the
                // matmul adds hidden . weight^T.
                Value tileInit;
                if (bias) {
                  Value bTile = slice(fb, fl, bias, {col0}, {cols});
                  Value empty = tensor::EmptyOp::create(
                      fb, fl, ArrayRef<OpFoldResult>{rows, cols}, acc);
                  AffineExpr i = getAffineDimExpr(0, ctx),
                             j = getAffineDimExpr(1, ctx);
                  tileInit =
                      linalg::GenericOp::create(
                          fb, fl, empty.getType(), ValueRange{bTile},
                          ValueRange{empty},
                          {AffineMap::get(2, 0, {j}, ctx),
                           AffineMap::get(2, 0, {i, j}, ctx)},
                          {utils::IteratorType::parallel,
                           utils::IteratorType::parallel},
                          [&](OpBuilder &gb, Location gl, ValueRange a) {
                            linalg::YieldOp::create(
                                gb, gl, castFloat(gb, gl, a[0], acc));
                          })
                          .getResult(0);
                } else {
                  tileInit = filledTensor(
                      fb, fl, ArrayRef<OpFoldResult>{rows, cols}, acc, 0.0);
                }
                Value logits =
                    linalg::MatmulTransposeBOp::create(
                        fb, fl, TypeRange{tileInit.getType()},
                        ValueRange{hBlock, wTile}, ValueRange{tileInit})
                        .getResult(0);

                // Fold the tile into the rows' states: rows parallel, the
                // tile's classes a reduction.
                AffineExpr i = getAffineDimExpr(0, ctx),
                           j = getAffineDimExpr(1, ctx);
                SmallVector<Value> ins{logits, tBlock};
                SmallVector<AffineMap> maps{AffineMap::get(2, 0, {i, j}, ctx),
                                            AffineMap::get(2, 0, {i}, ctx)};
                if (classWeight) {
                  ins.push_back(slice(fb, fl, classWeight, {col0}, {cols}));
                  maps.push_back(AffineMap::get(2, 0, {j}, ctx));
                }
                maps.append(states.size(), AffineMap::get(2, 0, {i}, ctx));
                auto fold = linalg::GenericOp::create(
                    fb, fl, TypeRange(states), ins, states, maps,
                    {utils::IteratorType::parallel,
                     utils::IteratorType::reduction},
                    [&](OpBuilder &gb, Location gl, ValueRange a) {
                      unsigned k = 0;
                      Value x = a[k++];
                      Value t = a[k++];
                      Value w = classWeight ? castFloat(gb, gl, a[k++], acc)
                                            : Value();
                      Value c = toI64FromIndex(
                          gb, gl,
                          arith::AddIOp::create(
                              gb, gl, col0, linalg::IndexOp::create(gb, gl, 1)));
                      linalg::YieldOp::create(
                          gb, gl,
                          layout.update(gb, gl, a.drop_front(k), x, t, c, w,
                                        Value()));
                    });
                scf::YieldOp::create(fb, fl, fold.getResults());
              });

          auto inParallel = scf::InParallelOp::create(nb, nl);
          OpBuilder::InsertionGuard guard(nb);
          nb.setInsertionPointToStart(inParallel.getBody());
          for (auto [state, out] :
               llvm::zip(tiles.getResults(), args.drop_front()))
            tensor::ParallelInsertSliceOp::create(
                nb, nl, state, out, ArrayRef<OpFoldResult>{row0},
                ArrayRef<OpFoldResult>{rows},
                ArrayRef<OpFoldResult>{nb.getIndexAttr(1)});
        });

    RowStats stats;
    stats.rowShape = {numRows};
    unsigned r = 0;
    stats.max = forall.getResult(r++);
    stats.sumExp = forall.getResult(r++);
    stats.targetLogit = forall.getResult(r++);
    if (layout.targetWeight)
      stats.targetWeight = forall.getResult(r++);
    if (layout.shifted) {
      stats.shiftedSum = forall.getResult(r++);
      stats.factorSum = forall.getResult(r++);
    }
    Value loss =
        buildCrossEntropyLoss(b, loc, req, stats, op.getReduction(), elTy);
    replaceOpWithCasts(rewriter, op, loss);
    return success();
  }
};
} // namespace

void mlir::loss::populateLinearCrossEntropyToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<LinearCrossEntropyLowering>(patterns.getContext());
}
