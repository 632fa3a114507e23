//===- LossReduction.cpp - Loss reductions on tensors ---------------------===//

#include "loss-mlir/Dialect/Loss/Utils/LossReduction.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::loss;

Value mlir::loss::filledTensor(OpBuilder &b, Location loc,
                               ArrayRef<OpFoldResult> shape, Type elementType,
                               double value) {
  Value empty = tensor::EmptyOp::create(b, loc, shape, elementType);
  Value fill = constFloat(b, loc, elementType, value);
  return linalg::FillOp::create(b, loc, ValueRange{fill}, ValueRange{empty})
      .getResult(0);
}

Value mlir::loss::numElementsAsFloat(OpBuilder &b, Location loc,
                                     ArrayRef<OpFoldResult> shape, Type ty) {
  Value n = constIndex(b, loc, 1);
  for (OpFoldResult d : shape)
    n = arith::MulIOp::create(b, loc, n,
                              getValueOrCreateConstantIndexOp(b, loc, d));
  Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), n);
  return arith::SIToFPOp::create(b, loc, ty, i64);
}

Value mlir::loss::extractScalar(OpBuilder &b, Location loc, Value tensor0d) {
  return tensor::ExtractOp::create(b, loc, tensor0d, ValueRange{});
}

Value mlir::loss::reducePerSample(OpBuilder &b, Location loc, Value perSample,
                                  bool batched, OpFoldResult batchSize,
                                  Reduction reduction, Type elementType) {
  if (!batched) {
    Value v = tensor::ExtractOp::create(b, loc, perSample,
                                        ValueRange{constIndex(b, loc, 0)});
    return tensor::FromElementsOp::create(
        b, loc, RankedTensorType::get({}, elementType),
        ValueRange{castFloat(b, loc, v, elementType)});
  }
  auto ty = cast<RankedTensorType>(perSample.getType());
  if (reduction == Reduction::none && ty.getElementType() == elementType)
    return perSample;
  return buildReducedLoss(b, loc, ArrayRef{batchSize},
                          {{perSample, identityMap(b.getContext(), 1)}},
                          reduction, elementType,
                          [](OpBuilder &, Location, ValueRange a) {
                            return std::pair<Value, Value>(a[0], Value());
                          });
}

void mlir::loss::replaceOpWithCasts(PatternRewriter &rewriter, Operation *op,
                                    ValueRange values) {
  SmallVector<Value> results;
  for (auto [v, result] : llvm::zip_equal(values, op->getResults())) {
    Value r = v;
    if (r.getType() != result.getType())
      r = tensor::CastOp::create(rewriter, op->getLoc(), result.getType(), r);
    results.push_back(r);
  }
  rewriter.replaceOp(op, results);
}

AffineMap mlir::loss::identityMap(MLIRContext *ctx, unsigned rank) {
  return AffineMap::getMultiDimIdentityMap(rank, ctx);
}

AffineMap mlir::loss::broadcastMap(MLIRContext *ctx, unsigned rank,
                                   ArrayRef<int64_t> shape) {
  SmallVector<AffineExpr> exprs;
  unsigned offset = rank - shape.size();
  for (auto [i, d] : llvm::enumerate(shape))
    exprs.push_back(d == 1 ? getAffineConstantExpr(0, ctx)
                           : getAffineDimExpr(offset + i, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

AffineMap mlir::loss::broadcastMap(MLIRContext *ctx,
                                   ArrayRef<OpFoldResult> loopSizes,
                                   ArrayRef<int64_t> shape) {
  AffineMap map = broadcastMap(ctx, loopSizes.size(), shape);
  unsigned offset = loopSizes.size() - map.getNumResults();
  SmallVector<AffineExpr> exprs;
  for (auto [j, e] : llvm::enumerate(map.getResults())) {
    std::optional<int64_t> size = getConstantIntValue(loopSizes[offset + j]);
    exprs.push_back(isa<AffineConstantExpr>(e) && size && *size == 1
                        ? getAffineDimExpr(offset + j, ctx)
                        : e);
  }
  return AffineMap::get(map.getNumDims(), 0, exprs, ctx);
}

void mlir::loss::assertConsistentLoopSizes(OpBuilder &b, Location loc,
                                           ArrayRef<OpFoldResult> sizes,
                                           ArrayRef<LoopInput> inputs) {
  llvm::DenseMap<unsigned, OpFoldResult> seen;
  for (auto [k, size] : llvm::enumerate(sizes))
    seen[k] = size;
  for (const LoopInput &in : inputs) {
    auto ty = cast<RankedTensorType>(in.value.getType());
    for (auto [j, expr] : llvm::enumerate(in.map.getResults())) {
      auto dim = dyn_cast<AffineDimExpr>(expr);
      if (!dim)
        continue;
      OpFoldResult size = tensor::getMixedSize(b, loc, in.value, j);
      auto [it, inserted] = seen.try_emplace(dim.getPosition(), size);
      if (inserted || (!ty.isDynamicDim(j) && getConstantIntValue(it->second)))
        continue;
      Value same = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::eq,
          getValueOrCreateConstantIndexOp(b, loc, it->second),
          getValueOrCreateConstantIndexOp(b, loc, size));
      cf::AssertOp::create(
          b, loc, same,
          "loss: operand dimensions differ at run time (the op's shape rules "
          "were checked statically only for static sizes)");
    }
  }
}

Value mlir::loss::buildReducedLoss(OpBuilder &b, Location loc,
                                   ArrayRef<OpFoldResult> shape,
                                   ArrayRef<LoopInput> inputs,
                                   Reduction reduction, Type elementType,
                                   PointLossFn pointLoss, bool weightedMean,
                                   Value meanDivisor) {
  MLIRContext *ctx = b.getContext();
  unsigned rank = shape.size();
  Type acc = getAccumulatorType(elementType);
  assertConsistentLoopSizes(b, loc, shape, inputs);
  SmallVector<Value> ins;
  SmallVector<AffineMap> maps;
  for (const LoopInput &in : inputs) {
    ins.push_back(in.value);
    maps.push_back(in.map);
  }

  if (reduction == Reduction::none) {
    Value init = tensor::EmptyOp::create(b, loc, shape, elementType);
    maps.push_back(identityMap(ctx, rank));
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        b, loc, init.getType(), ins, ValueRange{init}, maps, iters,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value l = pointLoss(nb, nl, args.drop_back()).first;
          linalg::YieldOp::create(nb, nl, castFloat(nb, nl, l, elementType));
        });
    return generic.getResult(0);
  }

  // sum/mean: one reduction over every loop into 0-d accumulators: the loss
  // sum and, for a weighted mean, the weight sum.
  auto scalarTy = RankedTensorType::get({}, acc);
  AffineMap scalarMap = AffineMap::get(rank, 0, {}, ctx);
  unsigned numAcc = weightedMean ? 2 : 1;
  SmallVector<Value> inits;
  for (unsigned i = 0; i < numAcc; ++i) {
    inits.push_back(filledTensor(b, loc, {}, acc, 0.0));
    maps.push_back(scalarMap);
  }
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      b, loc, SmallVector<Type>(numAcc, scalarTy), ins, inits, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        ValueRange accs = args.take_back(numAcc);
        auto [l, w] = pointLoss(nb, nl, args.drop_back(numAcc));
        SmallVector<Value> yields{arith::AddFOp::create(nb, nl, accs[0], l)};
        if (weightedMean)
          yields.push_back(arith::AddFOp::create(nb, nl, accs[1], w));
        linalg::YieldOp::create(nb, nl, yields);
      });
  Value total = extractScalar(b, loc, generic.getResult(0));
  if (reduction == Reduction::mean) {
    Value divisor = meanDivisor;
    if (!divisor)
      divisor = weightedMean ? extractScalar(b, loc, generic.getResult(1))
                             : numElementsAsFloat(b, loc, shape, acc);
    total =
        arith::DivFOp::create(b, loc, total, castFloat(b, loc, divisor, acc));
  }
  Value result = castFloat(b, loc, total, elementType);
  return tensor::FromElementsOp::create(
      b, loc, RankedTensorType::get({}, elementType), ValueRange{result});
}

SmallVector<OpFoldResult>
mlir::loss::getRowShape(OpBuilder &b, Location loc,
                        const SoftmaxRowOperands &ops) {
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, ops.logits);
  sizes.erase(sizes.begin() + ops.axis);
  return sizes;
}

void mlir::loss::assertSoftmaxRowOperandSizes(OpBuilder &b, Location loc,
                                              const SoftmaxRowOperands &ops) {
  MLIRContext *ctx = b.getContext();
  auto logitsTy = cast<RankedTensorType>(ops.logits.getType());
  unsigned rank = logitsTy.getRank(), rowRank = rank - 1;
  int64_t axis = ops.axis;
  // Loops (rows..., class).
  AffineExpr c = getAffineDimExpr(rowRank, ctx);
  SmallVector<AffineExpr> rowExprs, logitsExprs;
  for (unsigned j = 0; j < rowRank; ++j)
    rowExprs.push_back(getAffineDimExpr(j, ctx));
  for (unsigned j = 0; j < rank; ++j)
    logitsExprs.push_back(
        j == axis ? c : getAffineDimExpr(j < axis ? j : j - 1, ctx));
  SmallVector<OpFoldResult> loopSizes = getRowShape(b, loc, ops);
  loopSizes.push_back(tensor::getMixedSize(b, loc, ops.logits, axis));
  SmallVector<LoopInput> operands;
  if (ops.classTarget)
    operands.push_back(
        {ops.classTarget, AffineMap::get(rank, 0, rowExprs, ctx)});
  if (ops.weight)
    operands.push_back({ops.weight, AffineMap::get(rank, 0, {c}, ctx)});
  if (ops.probTarget)
    operands.push_back(
        {ops.probTarget, AffineMap::get(rank, 0, logitsExprs, ctx)});
  assertConsistentLoopSizes(b, loc, loopSizes, operands);
}

Value mlir::loss::numClassesAsFloat(OpBuilder &b, Location loc,
                                    const SoftmaxRowOperands &ops, Type ty) {
  OpFoldResult c = tensor::getMixedSize(b, loc, ops.logits, ops.axis);
  return numElementsAsFloat(b, loc, {c}, ty);
}

OnlineSoftmax mlir::loss::getOnlineSoftmax(OpBuilder &b, Location loc,
                                           const SoftmaxRowOperands &ops,
                                           bool streamTarget) {
  Type acc = getAccumulatorType(
      cast<RankedTensorType>(ops.logits.getType()).getElementType());
  return OnlineSoftmax::get(
      b, loc, acc, static_cast<bool>(ops.classTarget), streamTarget,
      static_cast<bool>(ops.weight), static_cast<bool>(ops.probTarget),
      ops.smoothing, [&] { return numClassesAsFloat(b, loc, ops, acc); });
}

bool mlir::loss::isFloatTensorSoftmax(Operation *op) {
  auto softmax = dyn_cast<linalg::SoftmaxOp>(op);
  if (!softmax)
    return false;
  auto ty = dyn_cast<RankedTensorType>(softmax.getInput().getType());
  return ty && softmax.hasPureTensorSemantics() &&
         isa<Float16Type, BFloat16Type, Float32Type, Float64Type>(
             ty.getElementType());
}

Value mlir::loss::readElement(OpBuilder &b, Location loc, Value source,
                              ValueRange idx) {
  if (isa<MemRefType>(source.getType()))
    return memref::LoadOp::create(b, loc, source, idx);
  return tensor::ExtractOp::create(b, loc, source, idx);
}

Value CtcLayout::readLength(OpBuilder &b, Location loc, Value lengths,
                            Value n) const {
  int64_t rank = cast<ShapedType>(lengths.getType()).getRank();
  return toI64(b, loc,
               readElement(b, loc, lengths, lengthIndex(b, loc, rank, n)));
}

Value CtcLayout::readLabel(OpBuilder &b, Location loc, Value targets, Value n,
                           Value offset, Value k) const {
  return toI64(b, loc,
               readElement(b, loc, targets, labelIndex(b, loc, n, offset, k)));
}

Value CtcLayout::readLogProb(OpBuilder &b, Location loc, Value logProbs,
                             Value t, Value n, Value c, Type acc) const {
  return castFloat(b, loc, readElement(b, loc, logProbs, logProbIndex(t, n, c)),
                   acc);
}

template <typename OpTy> static CtcLayout getCtcLayout(OpTy op) {
  CtcLayout layout;
  layout.batched = op.getLogProbs().getType().getRank() == 3;
  layout.concatenated =
      layout.batched && op.getTargets().getType().getRank() == 1;
  return layout;
}

CtcLayout CtcLayout::get(CtcOp op) { return getCtcLayout(op); }
CtcLayout CtcLayout::get(CtcGradOp op) { return getCtcLayout(op); }

SmallVector<Value> CtcLayout::lengthIndex(OpBuilder &b, Location loc,
                                          int64_t rank, Value n) const {
  SmallVector<Value> idx;
  if (rank == 1)
    idx.push_back(batched ? n : constIndex(b, loc, 0));
  return idx;
}

SmallVector<Value> CtcLayout::labelIndex(OpBuilder &b, Location loc, Value n,
                                         Value offset, Value k) const {
  if (concatenated)
    return {arith::AddIOp::create(b, loc, offset, k).getResult()};
  if (batched)
    return {n, k};
  return {k};
}

SmallVector<Value> CtcLayout::logProbIndex(Value t, Value n, Value c) const {
  if (batched)
    return {t, n, c};
  return {t, c};
}

void mlir::loss::assertCtcOperandSizes(OpBuilder &b, Location loc,
                                       Value inputLengths, Value targetLengths,
                                       Value targets, Value perSampleGrad,
                                       const CtcLayout &layout,
                                       OpFoldResult batchSize) {
  MLIRContext *ctx = b.getContext();
  AffineExpr n = getAffineDimExpr(0, ctx);
  SmallVector<LoopInput> perSample;
  // Unbatched lengths of rank 1 hold the one sample's length ([1]; a
  // dynamic [?] is checked against 1 like a batch of one).
  for (Value lengths : {inputLengths, targetLengths})
    if (layout.batched || cast<ShapedType>(lengths.getType()).getRank() == 1)
      perSample.push_back({lengths, AffineMap::get(1, 0, {n}, ctx)});
  if (layout.batched && !layout.concatenated)
    perSample.push_back(
        {targets,
         AffineMap::get(1, 0, {n, getAffineConstantExpr(0, ctx)}, ctx)});
  if (layout.batched && perSampleGrad)
    perSample.push_back({perSampleGrad, AffineMap::get(1, 0, {n}, ctx)});
  assertConsistentLoopSizes(b, loc, {batchSize}, perSample);
}

CtcSizes CtcSizes::build(OpBuilder &b, Location loc, const CtcLayout &layout,
                         Value logProbs, Value targets, Value inputLengths,
                         Value targetLengths, Value perSampleGrad) {
  CtcSizes sizes;
  int64_t rank = cast<ShapedType>(logProbs.getType()).getRank();
  sizes.timeSize = tensor::DimOp::create(b, loc, logProbs, 0);
  sizes.classSize = tensor::DimOp::create(b, loc, logProbs, rank - 1);
  sizes.batchSize = layout.batched ? tensor::getMixedSize(b, loc, logProbs, 1)
                                   : OpFoldResult(b.getIndexAttr(1));
  sizes.batchSizeV = getValueOrCreateConstantIndexOp(b, loc, sizes.batchSize);
  // Per-sample operands must have N entries (checked at run time where a
  // size is dynamic) before anything reads them.
  assertCtcOperandSizes(b, loc, inputLengths, targetLengths, targets,
                        perSampleGrad, layout, sizes.batchSize);
  sizes.targetWidth =
      tensor::DimOp::create(b, loc, targets, layout.targetWidthDim());
  return sizes;
}

CtcBatch CtcBatch::build(OpBuilder &b, Location loc, CtcLayout layout,
                         Value logProbs, Value targets, Value inputLengths,
                         Value targetLengths, int64_t blank,
                         Value perSampleGrad) {
  CtcBatch batch;
  batch.layout = layout;
  batch.logProbs = logProbs;
  batch.targets = targets;
  batch.inputLengths = inputLengths;
  batch.targetLengths = targetLengths;
  static_cast<CtcSizes &>(batch) =
      CtcSizes::build(b, loc, layout, logProbs, targets, inputLengths,
                      targetLengths, perSampleGrad);
  batch.numClasses = toI64FromIndex(b, loc, batch.classSize);
  batch.timeSizeI = toI64FromIndex(b, loc, batch.timeSize);
  // `blank` is verified against a static C; a dynamic C is checked here.
  batch.blank = emitCtcBlank(b, loc, blank, batch.numClasses);

  Value bound = toI64FromIndex(b, loc, batch.targetWidth);
  if (!layout.concatenated) {
    batch.paddedS = bound;
    return batch;
  }
  // Offsets (exclusive prefix sum) and lengths, each clamped to what
  // remains of the buffer.
  Value emptyI64 = tensor::EmptyOp::create(b, loc, ArrayRef{batch.batchSize},
                                           b.getI64Type());
  auto scan = scf::ForOp::create(
      b, loc, constIndex(b, loc, 0), batch.batchSizeV, constIndex(b, loc, 1),
      ValueRange{constI64(b, loc, 0), emptyI64, emptyI64},
      [&](OpBuilder &nb, Location nl, Value n, ValueRange iter) {
        Value used = iter[0];
        Value remaining = arith::SubIOp::create(nb, nl, bound, used);
        Value len = clampSI(nb, nl, layout.readLength(nb, nl, targetLengths, n),
                            constI64(nb, nl, 0), remaining);
        Value offs =
            tensor::InsertOp::create(nb, nl, used, iter[1], ValueRange{n});
        Value lens =
            tensor::InsertOp::create(nb, nl, len, iter[2], ValueRange{n});
        scf::YieldOp::create(
            nb, nl,
            ValueRange{arith::AddIOp::create(nb, nl, used, len), offs, lens});
      });
  batch.offsets = scan.getResult(1);
  batch.lengths = scan.getResult(2);
  return batch;
}

CtcBatch::Sample CtcBatch::sample(OpBuilder &b, Location loc, Value n) const {
  Sample s;
  s.batch = this;
  s.n = n;
  Value zeroI = constI64(b, loc, 0);
  s.tn = toIndex(b, loc,
                 clampSI(b, loc, layout.readLength(b, loc, inputLengths, n),
                         zeroI, timeSizeI));
  if (layout.concatenated) {
    s.snI = tensor::ExtractOp::create(b, loc, lengths, ValueRange{n});
    s.offset = toIndex(
        b, loc, tensor::ExtractOp::create(b, loc, offsets, ValueRange{n}));
  } else {
    s.snI = clampSI(b, loc, layout.readLength(b, loc, targetLengths, n), zeroI,
                    paddedS);
  }
  s.sn = toIndex(b, loc, s.snI);

  auto scan = scf::ForOp::create(
      b, loc, constIndex(b, loc, 0), s.sn, constIndex(b, loc, 1),
      ValueRange{blank.bad},
      [&](OpBuilder &lb, Location ll, Value k, ValueRange iter) {
        Value out = emitClassOutOfRange(lb, ll, s.label(lb, ll, k), numClasses);
        scf::YieldOp::create(
            lb, ll, ValueRange{arith::OrIOp::create(lb, ll, iter[0], out)});
      });
  s.bad = scan.getResult(0);
  s.steps = arith::SelectOp::create(b, loc, s.bad, constIndex(b, loc, 0), s.tn);
  s.numStates = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, s.sn, constIndex(b, loc, 2)),
      constIndex(b, loc, 1));
  s.cMinus1 = arith::SubIOp::create(b, loc, numClasses, constI64(b, loc, 1));
  return s;
}

Value CtcBatch::Sample::label(OpBuilder &b, Location loc, Value k) const {
  return batch->layout.readLabel(b, loc, batch->targets, n, offset, k);
}

Value CtcBatch::Sample::logProb(OpBuilder &b, Location loc, Value t, Value c,
                                Type acc) const {
  return batch->layout.readLogProb(b, loc, batch->logProbs, t, n, c, acc);
}

SmallVector<OpFoldResult>
mlir::loss::broadcastLoopSizes(OpBuilder &b, Location loc,
                               ArrayRef<Value> operands,
                               ArrayRef<ArrayRef<int64_t>> givenShapes) {
  SmallVector<ArrayRef<int64_t>> shapes(givenShapes);
  if (shapes.empty())
    for (Value v : operands)
      shapes.push_back(cast<RankedTensorType>(v.getType()).getShape());
  SmallVector<int64_t> shape;
  bool ok = broadcastShapes(shapes, shape);
  assert(ok && "verified operands broadcast");
  (void)ok;
  SmallVector<OpFoldResult> sizes;
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (!ShapedType::isDynamic(d)) {
      sizes.push_back(b.getIndexAttr(d));
      continue;
    }
    OpFoldResult size;
    for (auto [v, s] : llvm::zip(operands, shapes)) {
      int64_t j = static_cast<int64_t>(i) -
                  static_cast<int64_t>(shape.size() - s.size());
      if (j >= 0 && ShapedType::isDynamic(s[j])) {
        size = tensor::getMixedSize(b, loc, v, j);
        break;
      }
    }
    sizes.push_back(size);
  }
  return sizes;
}

//===----------------------------------------------------------------------===//
// Margin gradients
//===----------------------------------------------------------------------===//

SmallVector<Value> mlir::loss::buildRowwiseReduction(
    OpBuilder &b, Location loc, ArrayRef<OpFoldResult> rowShape,
    unsigned numReduced, ArrayRef<LoopInput> inputs, ArrayRef<Value> inits,
    RowwiseBodyFn body) {
  MLIRContext *ctx = b.getContext();
  unsigned rowRank = rowShape.size();
  unsigned numLoops = rowRank + numReduced;
  assertConsistentLoopSizes(b, loc, rowShape, inputs);
  SmallVector<Value> ins, outs;
  SmallVector<AffineMap> maps;
  for (const LoopInput &in : inputs) {
    ins.push_back(in.value);
    maps.push_back(in.map);
  }
  AffineMap rowMap = AffineMap::getMultiDimIdentityMap(numLoops, ctx)
               .getSubMap(llvm::to_vector(llvm::seq<unsigned>(0, rowRank)));
  for (Value init : inits) {
    Value empty = tensor::EmptyOp::create(b, loc, rowShape, init.getType());
    outs.push_back(
        linalg::FillOp::create(b, loc, ValueRange{init}, ValueRange{empty})
            .getResult(0));
    maps.push_back(rowMap);
  }
  SmallVector<utils::IteratorType> iters(rowRank,
                                         utils::IteratorType::parallel);
  iters.append(numReduced, utils::IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange(ValueRange(outs)), ins, outs, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        unsigned n = ins.size();
        SmallVector<Value> yields =
            body(nb, nl, args.take_front(n), args.drop_front(n));
        linalg::YieldOp::create(nb, nl, yields);
      });
  return SmallVector<Value>(generic.getResults());
}
