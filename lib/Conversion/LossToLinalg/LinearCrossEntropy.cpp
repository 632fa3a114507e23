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
// The gradient makes the same statistics, then each tile of logits again
// for its tile of dlogits: grad_hidden sums dlogits @ weight tile over the
// vocabulary per row block (a forall over row blocks); grad_weight and
// grad_bias sum dlogits^T @ hidden block over the row blocks per vocabulary
// tile (a forall over tiles), so that no two threads add to the same rows
// and nothing of N x V exists. dlogits is softmax_cross_entropy_grad's
// class-target element (emitCrossEntropyGradElement). With a CPU vector
// width, each tile of logits is MatmulVector.h's register-tiled kernel
// instead of a linalg.matmul.
//
// The arithmetic is LossArithmetic.h's online softmax, and the loss is
// finished from the row statistics by the same code as softmax_cross_entropy
// (buildCrossEntropyLoss: ignore_index, class weights, label smoothing, the
// mean's denominator, NaN for out-of-range targets), so the two ops agree to
// the rounding of the logits.
//
//===----------------------------------------------------------------------===//

#include "MatmulVector.h"
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

/// `dest` filled with `value`.
Value fillTensor(OpBuilder &b, Location loc, Value dest, double value) {
  Type el = cast<RankedTensorType>(dest.getType()).getElementType();
  return linalg::FillOp::create(b, loc,
                                ValueRange{constFloat(b, loc, el, value)},
                                ValueRange{dest})
      .getResult(0);
}

/// `min(step, size - offset)`: the extent of the tile at `offset`.
Value tileExtent(OpBuilder &b, Location loc, Value offset, int64_t step,
                 Value size) {
  return arith::MinSIOp::create(b, loc, constIndex(b, loc, step),
                                arith::SubIOp::create(b, loc, size, offset));
}

/// The operands of linear_cross_entropy or its gradient, and what the
/// schedule derives from them.
struct LceOperands {
  Value hidden, weight, target, bias, classWeight;
  Type elTy, acc;
  /// The cross entropy of the logits [N, V] as the row lowerings see it:
  /// the classes are weight's rows, so `weight` along axis 0 stands for the
  /// logits (the layout and the finish read only the class count and the
  /// element type from it).
  SoftmaxRowOperands req;
  OnlineSoftmax layout;
  OpFoldResult numRows, hiddenSize;
  Value numRowsV, vocab;
  int64_t vocabTile;
  /// The CPU's vector width for the tiles' matmuls (0: linalg.matmul).
  unsigned vectorBits = 0;
  /// Whether the tiles' matmuls are MatmulVector.h's kernels: with a vector
  /// width, for f32 and f64 (whose products accumulate in their own type).
  bool vectorized() const {
    return acc == elTy && vectorMatmulTile(elTy, vectorBits).first != 0;
  }

  template <typename OpTy>
  static LceOperands get(OpBuilder &b, Location loc, OpTy op) {
    LceOperands o;
    o.hidden = op.getHidden();
    o.weight = op.getWeight();
    o.target = op.getTarget();
    o.bias = op.getBias();
    o.classWeight = op.getClassWeight();
    o.elTy = op.getHidden().getType().getElementType();
    o.acc = getAccumulatorType(o.elTy);
    o.req.logits = o.weight;
    o.req.axis = 0;
    o.req.classTarget = o.target;
    o.req.weight = o.classWeight;
    o.req.smoothing = op.getLabelSmoothing().convertToDouble();
    o.req.ignoreIndex = op.getIgnoreIndex();
    o.layout = getOnlineSoftmax(b, loc, o.req, /*streamTarget=*/true);
    o.numRows = tensor::getMixedSize(b, loc, o.hidden, 0);
    o.hiddenSize = tensor::getMixedSize(b, loc, o.hidden, 1);
    o.numRowsV = getValueOrCreateConstantIndexOp(b, loc, o.numRows);
    o.vocab = tensor::DimOp::create(b, loc, o.weight, 0);
    o.vocabTile = vocabTileSize(
        op.getHidden().getType().getDimSize(1),
        std::max<int64_t>(o.elTy.getIntOrFloatBitWidth() / 8, 1));
    return o;
  }

  /// The operands agree on N, V and H (checked at run time where a size is
  /// dynamic; `perRow`, a `none` grad_output, has N entries) before
  /// anything reads them.
  void assertSizes(OpBuilder &b, Location loc, Value perRow = {}) const {
    MLIRContext *ctx = b.getContext();
    // Loops (n, v, h).
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
    if (perRow)
      operands.push_back({perRow, AffineMap::get(3, 0, {n}, ctx)});
    assertConsistentLoopSizes(b, loc, {}, operands);
  }

  /// The logits of rows `hBlock` ([rows, H]) against vocabulary entries
  /// [col0, col0 + cols) (`wTile`, [cols, H]): a tile [rows, cols] of the
  /// accumulator type, started from the bias (or 0), plus one linalg.matmul
  /// with weight transposed.
  Value tileLogits(OpBuilder &b, Location loc, Value hBlock, Value rows,
                   Value wTile, Value col0, Value cols) const {
    MLIRContext *ctx = b.getContext();
    Value init;
    if (bias) {
      Value bTile = slice(b, loc, bias, {col0}, {cols});
      Value empty = tensor::EmptyOp::create(
          b, loc, ArrayRef<OpFoldResult>{rows, cols}, acc);
      AffineExpr i = getAffineDimExpr(0, ctx), j = getAffineDimExpr(1, ctx);
      init = linalg::GenericOp::create(
                 b, loc, empty.getType(), ValueRange{bTile}, ValueRange{empty},
                 {AffineMap::get(2, 0, {j}, ctx),
                  AffineMap::get(2, 0, {i, j}, ctx)},
                 {utils::IteratorType::parallel, utils::IteratorType::parallel},
                 [&](OpBuilder &gb, Location gl, ValueRange a) {
                   linalg::YieldOp::create(gb, gl,
                                           castFloat(gb, gl, a[0], acc));
                 })
                 .getResult(0);
    } else {
      init = filledTensor(b, loc, ArrayRef<OpFoldResult>{rows, cols}, acc, 0.0);
    }
    if (vectorized())
      return buildVectorMatmulTransposeB(b, loc, hBlock, wTile, init,
                                         vectorBits);
    return linalg::MatmulTransposeBOp::create(b, loc, TypeRange{init.getType()},
                                              ValueRange{hBlock, wTile},
                                              ValueRange{init})
        .getResult(0);
  }

  /// The weight rows [col0, col0 + cols).
  Value weightTile(OpBuilder &b, Location loc, Value col0, Value cols) const {
    return slice(b, loc, weight, {col0, b.getIndexAttr(0)}, {cols, hiddenSize});
  }
  /// The hidden rows [row0, row0 + rows).
  Value hiddenBlock(OpBuilder &b, Location loc, Value row0, Value rows) const {
    return slice(b, loc, hidden, {row0, b.getIndexAttr(0)}, {rows, hiddenSize});
  }

  /// The accumulator of a block of a gradient, zeros: in `dest` (a slice
  /// of the result, so that bufferization writes the result in place and
  /// nothing is copied) where the gradient is accumulated in its own type.
  Value zeroAccumulator(OpBuilder &b, Location loc, Value dest) const {
    if (acc == elTy)
      return fillTensor(b, loc, dest, 0.0);
    return filledTensor(b, loc, tensor::getMixedSizes(b, loc, dest), acc, 0.0);
  }
  /// An accumulated block as the operand's element type, written into
  /// `dest` (the slice zeroAccumulator was given).
  Value toElementType(OpBuilder &b, Location loc, Value v, Value dest) const {
    if (acc == elTy)
      return v;
    auto ty = cast<RankedTensorType>(v.getType());
    unsigned rank = ty.getRank();
    AffineMap id = identityMap(b.getContext(), rank);
    return linalg::GenericOp::create(
               b, loc, dest.getType(), ValueRange{v}, ValueRange{dest},
               {id, id},
               SmallVector<utils::IteratorType>(rank,
                                                utils::IteratorType::parallel),
               [&](OpBuilder &gb, Location gl, ValueRange a) {
                 linalg::YieldOp::create(gb, gl, castFloat(gb, gl, a[0], elTy));
               })
        .getResult(0);
  }
};

/// The rows' statistics over the whole vocabulary: an scf.forall over
/// blocks of kRowBlock rows, each walking the vocabulary tile by tile and
/// folding each tile's logits into its rows' online-softmax state.
RowStats buildTiledRowStats(OpBuilder &b, Location loc, const LceOperands &o) {
  MLIRContext *ctx = b.getContext();
  Type acc = o.acc;
  const OnlineSoftmax &layout = o.layout;
  SmallVector<double> init = layout.initialValues();

  // One state tensor [N] per field, written block by block.
  SmallVector<Value> outs;
  for (size_t k = 0; k < init.size(); ++k)
    outs.push_back(tensor::EmptyOp::create(b, loc, ArrayRef{o.numRows}, acc));
  Value numBlocks = arith::CeilDivSIOp::create(b, loc, o.numRowsV,
                                               constIndex(b, loc, kRowBlock));

  auto forall = scf::ForallOp::create(
      b, loc, ArrayRef<OpFoldResult>{numBlocks}, outs, std::nullopt,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value row0 = arith::MulIOp::create(nb, nl, args[0],
                                           constIndex(nb, nl, kRowBlock));
        Value rows = tileExtent(nb, nl, row0, kRowBlock, o.numRowsV);
        Value hBlock = o.hiddenBlock(nb, nl, row0, rows);
        Value tBlock = slice(nb, nl, o.target, {row0}, {rows});
        // The block's states start in its slices of the outputs, so that
        // they are updated in place (no copy back).
        SmallVector<Value> blockInit;
        for (auto [x, out] : llvm::zip(init, args.drop_front()))
          blockInit.push_back(
              fillTensor(nb, nl, slice(nb, nl, out, {row0}, {rows}), x));

        // The vocabulary in tiles; the last one may be smaller.
        auto tiles = scf::ForOp::create(
            nb, nl, constIndex(nb, nl, 0), o.vocab,
            constIndex(nb, nl, o.vocabTile), blockInit,
            [&](OpBuilder &fb, Location fl, Value col0, ValueRange states) {
              Value cols = tileExtent(fb, fl, col0, o.vocabTile, o.vocab);
              Value logits = o.tileLogits(fb, fl, hBlock, rows,
                                          o.weightTile(fb, fl, col0, cols),
                                          col0, cols);
              // Fold the tile into the rows' states: rows parallel, the
              // tile's classes a reduction.
              AffineExpr i = getAffineDimExpr(0, ctx),
                         j = getAffineDimExpr(1, ctx);
              SmallVector<Value> ins{logits, tBlock};
              SmallVector<AffineMap> maps{AffineMap::get(2, 0, {i, j}, ctx),
                                          AffineMap::get(2, 0, {i}, ctx)};
              if (o.classWeight) {
                ins.push_back(slice(fb, fl, o.classWeight, {col0}, {cols}));
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
                    Value w = o.classWeight ? castFloat(gb, gl, a[k++], acc)
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
  stats.rowShape = {o.numRows};
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
  return stats;
}

struct LinearCrossEntropyLowering
    : public OpRewritePattern<LinearCrossEntropyOp> {
  LinearCrossEntropyLowering(MLIRContext *ctx, unsigned vectorBits)
      : OpRewritePattern(ctx), vectorBits(vectorBits) {}
  unsigned vectorBits;
  LogicalResult matchAndRewrite(LinearCrossEntropyOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    LceOperands o = LceOperands::get(rewriter, loc, op);
    o.vectorBits = vectorBits;
    o.assertSizes(rewriter, loc);
    RowStats stats = buildTiledRowStats(rewriter, loc, o);
    Value loss = buildCrossEntropyLoss(rewriter, loc, o.req, stats,
                                       op.getReduction(), o.elTy);
    replaceOpWithCasts(rewriter, op, loss);
    return success();
  }
};

/// The per-row values a tile of dlogits reads, one [N] tensor each (the
/// accumulator type; `target` its own): max, sum of exponentials, the row's
/// factor (grad_output, over the mean's denominator), the target, its
/// weight (class weights only) and the factor sum O (smoothing only).
struct GradRows {
  SmallVector<Value> values; // in the order above, the absent ones left out
  bool targetWeight = false, factorSum = false;
};

/// dlogits of one tile from its logits ([rows, cols]) and the block's
/// `rows` (GradRows, sliced to the block): as softmax_cross_entropy_grad's
/// class-target element (emitCrossEntropyGradElement), `g` the row's
/// factor; 0 where the target is ignored, NaN where it is outside [0, V).
Value buildTileGrad(OpBuilder &b, Location loc, const LceOperands &o,
                    const GradRows &layout, ArrayRef<Value> rows, Value logits,
                    Value col0, Value cols, Value share, Value numClasses) {
  MLIRContext *ctx = b.getContext();
  Type acc = o.acc;
  double eps = o.req.smoothing;
  AffineExpr i = getAffineDimExpr(0, ctx), j = getAffineDimExpr(1, ctx);
  AffineMap tile = AffineMap::get(2, 0, {i, j}, ctx);
  SmallVector<Value> ins{logits};
  SmallVector<AffineMap> maps{tile};
  for (Value r : rows) {
    ins.push_back(r);
    maps.push_back(AffineMap::get(2, 0, {i}, ctx));
  }
  bool smoothed = eps != 0.0;
  if (o.classWeight && smoothed) {
    ins.push_back(slice(b, loc, o.classWeight, {col0}, {cols}));
    maps.push_back(AffineMap::get(2, 0, {j}, ctx));
  }
  Value empty = tensor::EmptyOp::create(
      b, loc, tensor::getMixedSizes(b, loc, logits), acc);
  maps.push_back(tile);
  return linalg::GenericOp::create(
             b, loc, empty.getType(), ins, ValueRange{empty}, maps,
             {utils::IteratorType::parallel, utils::IteratorType::parallel},
             [&](OpBuilder &gb, Location gl, ValueRange a) {
               unsigned k = 0;
               Value x = a[k++];
               Value m = a[k++], s = a[k++], g = a[k++];
               Value t = toI64(gb, gl, a[k++]);
               Value wt = layout.targetWeight ? a[k++] : Value();
               Value sumO = layout.factorSum ? a[k++] : Value();
               Value wc = o.classWeight && smoothed
                              ? castFloat(gb, gl, a[k++], acc)
                              : Value();
               Value c = toI64FromIndex(
                   gb, gl,
                   arith::AddIOp::create(gb, gl, col0,
                                         linalg::IndexOp::create(gb, gl, 1)));
               Value isTarget =
                   arith::CmpIOp::create(gb, gl, arith::CmpIPredicate::eq, t, c);
               CrossEntropyGradRow row = emitCrossEntropyGradRow(
                   gb, gl, g, s, eps, share, sumO, t, wt, numClasses,
                   o.req.ignoreIndex);
               Value result = emitCrossEntropyGradElement(
                   gb, gl, row, x, m, wc, Value(), isTarget);
               linalg::YieldOp::create(gb, gl, result);
             })
      .getResult(0);
}

/// linear_cross_entropy_grad: the forward's tiled row statistics, then two
/// passes that make each tile of logits again and its dlogits:
///  * grad_hidden: an scf.forall over row blocks, each summing dlogits @
///    weight tile over the vocabulary tiles (rows are independent);
///  * grad_weight and grad_bias: an scf.forall over vocabulary tiles, each
///    summing dlogits^T @ hidden block (and dlogits' column sums) over the
///    row blocks, so that no two threads add to the same rows.
/// Only tiles, blocks and [N] statistics exist, never N x V.
struct LinearCrossEntropyGradLowering
    : public OpRewritePattern<LinearCrossEntropyGradOp> {
  LinearCrossEntropyGradLowering(MLIRContext *ctx, unsigned vectorBits)
      : OpRewritePattern(ctx), vectorBits(vectorBits) {}
  unsigned vectorBits;
  LogicalResult matchAndRewrite(LinearCrossEntropyGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    OpBuilder &b = rewriter;
    LceOperands o = LceOperands::get(b, loc, op);
    o.vectorBits = vectorBits;
    Type acc = o.acc;
    Value gradOutput = op.getGradOutput();
    bool perRowGrad = op.getGradOutput().getType().getRank() == 1;
    o.assertSizes(b, loc, perRowGrad ? gradOutput : Value());
    RowStats stats = buildTiledRowStats(b, loc, o);

    // Each row's factor: grad_output (its own for `none`), over the sum of
    // the non-ignored target weights (or their number) for `mean`.
    AffineMap row = identityMap(ctx, 1);
    AffineMap scalar = AffineMap::get(1, 0, {}, ctx);
    Value divisor;
    if (op.getReduction() == Reduction::mean) {
      SmallVector<LoopInput> ins{{o.target, row}};
      if (stats.targetWeight)
        ins.push_back({stats.targetWeight, row});
      int64_t ignoreIndex = o.req.ignoreIndex;
      divisor = buildReducedLoss(
          b, loc, stats.rowShape, ins, Reduction::sum, acc,
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value t = toI64(nb, l, args[0]);
            Value w = stats.targetWeight ? args[1]
                                         : constFloat(nb, l, acc, 1.0);
            Value ignored = arith::CmpIOp::create(
                nb, l, arith::CmpIPredicate::eq, t, constI64(nb, l, ignoreIndex));
            return std::pair<Value, Value>(
                arith::SelectOp::create(nb, l, ignored,
                                        constFloat(nb, l, acc, 0.0), w),
                Value());
          });
    }
    Value factorInit = tensor::EmptyOp::create(b, loc, stats.rowShape, acc);
    SmallVector<Value> factorIns{gradOutput};
    SmallVector<AffineMap> factorMaps{perRowGrad ? row : scalar};
    if (divisor) {
      factorIns.push_back(divisor);
      factorMaps.push_back(scalar);
    }
    factorMaps.push_back(row);
    Value factor =
        linalg::GenericOp::create(
            b, loc, factorInit.getType(), factorIns, ValueRange{factorInit},
            factorMaps, {utils::IteratorType::parallel},
            [&](OpBuilder &nb, Location l, ValueRange a) {
              Value g = castFloat(nb, l, a[0], acc);
              if (divisor)
                g = arith::DivFOp::create(nb, l, g, a[1]);
              linalg::YieldOp::create(nb, l, g);
            })
            .getResult(0);

    GradRows layout;
    SmallVector<Value> rowValues{stats.max, stats.sumExp, factor, o.target};
    if (stats.targetWeight) {
      layout.targetWeight = true;
      rowValues.push_back(stats.targetWeight);
    }
    bool smoothed = o.req.smoothing != 0.0;
    if (smoothed) {
      layout.factorSum = true;
      rowValues.push_back(stats.factorSum);
    }
    Value numClassesF = numClassesAsFloat(b, loc, o.req, acc);
    Value numClasses = toI64FromIndex(b, loc, o.vocab);
    Value share = smoothed ? emitSmoothingShare(b, loc, acc, o.req.smoothing,
                                                numClassesF)
                           : Value();
    auto blockRows = [&](OpBuilder &nb, Location nl, Value row0, Value rows) {
      return llvm::map_to_vector(rowValues, [&](Value v) {
        return slice(nb, nl, v, {row0}, {rows});
      });
    };

    // grad_hidden: row blocks in parallel, vocabulary tiles in sequence.
    Value ghInit = tensor::EmptyOp::create(
        b, loc, tensor::getMixedSizes(b, loc, o.hidden), o.elTy);
    Value numBlocks = arith::CeilDivSIOp::create(b, loc, o.numRowsV,
                                                 constIndex(b, loc, kRowBlock));
    auto ghLoop = scf::ForallOp::create(
        b, loc, ArrayRef<OpFoldResult>{numBlocks}, ValueRange{ghInit},
        std::nullopt, [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value row0 = arith::MulIOp::create(nb, nl, args[0],
                                             constIndex(nb, nl, kRowBlock));
          Value rows = tileExtent(nb, nl, row0, kRowBlock, o.numRowsV);
          Value hBlock = o.hiddenBlock(nb, nl, row0, rows);
          SmallVector<Value> rowsOf = blockRows(nb, nl, row0, rows);
          Value dest = slice(nb, nl, args[1], {row0, nb.getIndexAttr(0)},
                             {rows, o.hiddenSize});
          Value zero = o.zeroAccumulator(nb, nl, dest);
          auto tiles = scf::ForOp::create(
              nb, nl, constIndex(nb, nl, 0), o.vocab,
              constIndex(nb, nl, o.vocabTile), ValueRange{zero},
              [&](OpBuilder &fb, Location fl, Value col0, ValueRange sum) {
                Value cols = tileExtent(fb, fl, col0, o.vocabTile, o.vocab);
                Value wTile = o.weightTile(fb, fl, col0, cols);
                Value logits =
                    o.tileLogits(fb, fl, hBlock, rows, wTile, col0, cols);
                Value dl = buildTileGrad(fb, fl, o, layout, rowsOf, logits,
                                         col0, cols, share, numClasses);
                Value next =
                    o.vectorized()
                        ? buildVectorMatmul(fb, fl, dl, wTile, sum[0],
                                            /*transposeA=*/false, o.vectorBits)
                        : linalg::MatmulOp::create(fb, fl,
                                                   TypeRange{sum[0].getType()},
                                                   ValueRange{dl, wTile}, sum)
                              .getResult(0);
                scf::YieldOp::create(fb, fl, next);
              });
          Value gh = o.toElementType(nb, nl, tiles.getResult(0), dest);
          auto inParallel = scf::InParallelOp::create(nb, nl);
          OpBuilder::InsertionGuard guard(nb);
          nb.setInsertionPointToStart(inParallel.getBody());
          tensor::ParallelInsertSliceOp::create(
              nb, nl, gh, args[1],
              ArrayRef<OpFoldResult>{row0, nb.getIndexAttr(0)},
              ArrayRef<OpFoldResult>{rows, o.hiddenSize},
              ArrayRef<OpFoldResult>{nb.getIndexAttr(1), nb.getIndexAttr(1)});
        });

    // grad_weight (and grad_bias): vocabulary tiles in parallel, row blocks
    // in sequence.
    SmallVector<Value> gwInits{tensor::EmptyOp::create(
        b, loc, tensor::getMixedSizes(b, loc, o.weight), o.elTy)};
    if (o.bias)
      gwInits.push_back(
          tensor::EmptyOp::create(b, loc, ArrayRef<OpFoldResult>{o.vocab}, o.elTy));
    Value numTiles = arith::CeilDivSIOp::create(
        b, loc, o.vocab, constIndex(b, loc, o.vocabTile));
    auto gwLoop = scf::ForallOp::create(
        b, loc, ArrayRef<OpFoldResult>{numTiles}, gwInits, std::nullopt,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value col0 = arith::MulIOp::create(nb, nl, args[0],
                                             constIndex(nb, nl, o.vocabTile));
          Value cols = tileExtent(nb, nl, col0, o.vocabTile, o.vocab);
          Value wTile = o.weightTile(nb, nl, col0, cols);
          Value gwDest = slice(nb, nl, args[1], {col0, nb.getIndexAttr(0)},
                               {cols, o.hiddenSize});
          Value gbDest =
              o.bias ? slice(nb, nl, args[2], {col0}, {cols}) : Value();
          SmallVector<Value> zeros{o.zeroAccumulator(nb, nl, gwDest)};
          if (o.bias)
            zeros.push_back(o.zeroAccumulator(nb, nl, gbDest));
          auto blocks = scf::ForOp::create(
              nb, nl, constIndex(nb, nl, 0), o.numRowsV,
              constIndex(nb, nl, kRowBlock), zeros,
              [&](OpBuilder &fb, Location fl, Value row0, ValueRange sums) {
                Value rows = tileExtent(fb, fl, row0, kRowBlock, o.numRowsV);
                Value hBlock = o.hiddenBlock(fb, fl, row0, rows);
                SmallVector<Value> rowsOf = blockRows(fb, fl, row0, rows);
                Value logits =
                    o.tileLogits(fb, fl, hBlock, rows, wTile, col0, cols);
                Value dl = buildTileGrad(fb, fl, o, layout, rowsOf, logits,
                                         col0, cols, share, numClasses);
                SmallVector<Value> next{
                    o.vectorized()
                        ? buildVectorMatmul(fb, fl, dl, hBlock, sums[0],
                                            /*transposeA=*/true, o.vectorBits)
                        : linalg::MatmulTransposeAOp::create(
                              fb, fl, TypeRange{sums[0].getType()},
                              ValueRange{dl, hBlock}, ValueRange{sums[0]})
                              .getResult(0)};
                if (o.bias) {
                  // The tile's column sums.
                  AffineExpr i = getAffineDimExpr(0, ctx),
                             j = getAffineDimExpr(1, ctx);
                  next.push_back(
                      linalg::GenericOp::create(
                          fb, fl, sums[1].getType(), ValueRange{dl},
                          ValueRange{sums[1]},
                          {AffineMap::get(2, 0, {i, j}, ctx),
                           AffineMap::get(2, 0, {j}, ctx)},
                          {utils::IteratorType::reduction,
                           utils::IteratorType::parallel},
                          [&](OpBuilder &gb, Location gl, ValueRange a) {
                            linalg::YieldOp::create(
                                gb, gl, arith::AddFOp::create(gb, gl, a[1], a[0])
                                            .getResult());
                          })
                          .getResult(0));
                }
                scf::YieldOp::create(fb, fl, next);
              });
          Value gw = o.toElementType(nb, nl, blocks.getResult(0), gwDest);
          Value gb = o.bias
                         ? o.toElementType(nb, nl, blocks.getResult(1), gbDest)
                         : Value();
          auto inParallel = scf::InParallelOp::create(nb, nl);
          OpBuilder::InsertionGuard guard(nb);
          nb.setInsertionPointToStart(inParallel.getBody());
          tensor::ParallelInsertSliceOp::create(
              nb, nl, gw, args[1],
              ArrayRef<OpFoldResult>{col0, nb.getIndexAttr(0)},
              ArrayRef<OpFoldResult>{cols, o.hiddenSize},
              ArrayRef<OpFoldResult>{nb.getIndexAttr(1), nb.getIndexAttr(1)});
          if (gb)
            tensor::ParallelInsertSliceOp::create(
                nb, nl, gb, args[2], ArrayRef<OpFoldResult>{col0},
                ArrayRef<OpFoldResult>{cols},
                ArrayRef<OpFoldResult>{nb.getIndexAttr(1)});
        });

    SmallVector<Value> results{ghLoop.getResult(0), gwLoop.getResult(0)};
    if (o.bias)
      results.push_back(gwLoop.getResult(1));
    replaceOpWithCasts(rewriter, op, results);
    return success();
  }
};
} // namespace

void mlir::loss::populateLinearCrossEntropyToLinalgPatterns(
    RewritePatternSet &patterns, const ConvertLossToLinalgOptions &options) {
  patterns.add<LinearCrossEntropyLowering, LinearCrossEntropyGradLowering>(
      patterns.getContext(), options.vectorBits);
}
