//===- SoftmaxRowsVector.cpp - Row statistics in explicit vectors ---------===//
//
// The CPU schedule of the softmax rows when the classes are contiguous (the
// class axis is the innermost one): one linalg.generic over the rows (so that
// rows go to threads), whose body walks its row once in vectors of the
// target's width. Each vector is folded on the lanes' running max with one
// exp per element (OnlineSoftmax::addRebased); a vector that raises some
// lane's max first rebases the lane states on it, behind one branch (the
// max of a row rises a few times per lane, so the branch is almost never
// taken). The logits stream from memory once, in order (prefetch-streams
// keeps that stream ahead of the hardware prefetchers), and their
// arithmetic overlaps the stream. The classes past the last full vector are
// one masked vector. The lanes are merged at the end of the row; the target
// logit and its weight are read once per row.
//
// Everything arithmetic is LossArithmetic.h's (the same functions the scalar
// and GPU schedules call, here on vectors).
//
//===----------------------------------------------------------------------===//

#include "SoftmaxRows.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::loss;

int64_t mlir::loss::vectorScheduleLanes(Type elementType,
                                        unsigned vectorBits) {
  if (vectorBits == 0 || elementType.getIntOrFloatBitWidth() < 32)
    return 0;
  int64_t lanes =
      vectorBits / getAccumulatorType(elementType).getIntOrFloatBitWidth();
  return lanes < 2 ? 0 : lanes;
}

bool mlir::loss::canVectorizeRows(const SoftmaxRowOperands &req,
                                  unsigned vectorBits) {
  auto ty = cast<RankedTensorType>(req.logits.getType());
  int64_t lanes = vectorScheduleLanes(ty.getElementType(), vectorBits);
  if (lanes == 0 || req.axis != ty.getRank() - 1)
    return false;
  // Short static rows keep the scalar schedule (fewer than two vectors: the
  // lane merge would cost more than it saves).
  int64_t c = ty.getDimSize(req.axis);
  return ShapedType::isDynamic(c) || c >= 2 * lanes;
}

RowStats mlir::loss::buildVectorRowStats(OpBuilder &b, Location loc,
                                         const SoftmaxRowOperands &req,
                                         unsigned vectorBits) {
  MLIRContext *ctx = b.getContext();
  auto logitsTy = cast<RankedTensorType>(req.logits.getType());
  unsigned rank = logitsTy.getRank(), rowRank = rank - 1;
  Type acc = getAccumulatorType(logitsTy.getElementType());
  int64_t lanes = vectorBits / acc.getIntOrFloatBitWidth();
  auto accVec = VectorType::get({lanes}, acc);
  auto maskVec = VectorType::get({lanes}, b.getI1Type());

  // The target logit and weight are read once per row, not streamed.
  OnlineSoftmax layout = getOnlineSoftmax(b, loc, req, /*streamTarget=*/false);
  bool classTarget = static_cast<bool>(req.classTarget);
  bool targetWeight = classTarget && req.weight;
  bool needsWeight = layout.needsWeight();

  RowStats stats;
  stats.rowShape = getRowShape(b, loc, req);
  assertSoftmaxRowOperandSizes(b, loc, req);

  // Outputs, in RowStats' order: max, sumExp, [targetLogit, [targetWeight]],
  // [shiftedSum, factorSum].
  unsigned numOut = 2 + classTarget + targetWeight + 2 * layout.shifted;
  SmallVector<Value> outs;
  for (unsigned i = 0; i < numOut; ++i)
    outs.push_back(tensor::EmptyOp::create(b, loc, stats.rowShape, acc));
  SmallVector<AffineMap> maps(numOut,
                              AffineMap::getMultiDimIdentityMap(rowRank, ctx));
  SmallVector<utils::IteratorType> iters(rowRank,
                                         utils::IteratorType::parallel);

  auto body = [&](OpBuilder &nb, Location nl, ValueRange) {
    SmallVector<Value> row;
    for (unsigned j = 0; j < rowRank; ++j)
      row.push_back(linalg::IndexOp::create(nb, nl, j));
    auto at = [&](Value c) {
      SmallVector<Value> idx(row);
      idx.push_back(c);
      return idx;
    };
    // A vector of `v`'s elements at class `c` (rows `row` when `rowed`), in
    // the accumulator type; `inBounds` false pads past the end with 0.
    auto read = [&](OpBuilder &bb, Location bl, Value v, Value c, bool rowed,
                    bool inBounds) -> Value {
      Type elt = cast<RankedTensorType>(v.getType()).getElementType();
      SmallVector<Value> idx = rowed ? at(c) : SmallVector<Value>{c};
      bool inb[] = {inBounds};
      Value x = vector::TransferReadOp::create(
          bb, bl, VectorType::get({lanes}, elt), v, idx,
          constFloat(bb, bl, elt, 0.0), ArrayRef<bool>(inb));
      if (elt != acc)
        x = arith::ExtFOp::create(bb, bl, accVec, x);
      return x;
    };
    // Folds `x`, the logits' vector at class `c`, into a state rebased on
    // its max.
    auto fold = [&](OpBuilder &bb, Location bl, ValueRange state, Value x,
                    Value c, bool inBounds) {
      Value w = needsWeight ? read(bb, bl, req.weight, c, false, inBounds)
                            : Value();
      Value y = req.probTarget
                    ? read(bb, bl, req.probTarget, c, true, inBounds)
                    : Value();
      return layout.addRebased(bb, bl, state, x, w, y);
    };

    Value numClasses = tensor::DimOp::create(nb, nl, req.logits, rank - 1);
    Value vlen = constIndex(nb, nl, lanes);
    Value full = arith::MulIOp::create(
        nb, nl, arith::DivUIOp::create(nb, nl, numClasses, vlen), vlen);
    Value zero = constIndex(nb, nl, 0);

    // Lane states: the initial state, splat.
    SmallVector<Value> init;
    for (double v : layout.initialValues())
      init.push_back(constFloat(nb, nl, accVec, v));
    init[0] = constLowest(nb, nl, accVec);

    // One pass, each vector folded on the lanes' running max: a vector
    // holding a lane above its max (a few times per lane and row: the max
    // of a row rises rarely) first rebases the state on the new max, behind
    // one branch on all lanes; every other vector pays one exp per element
    // and no rescale. The logits are read once, in the order memory streams
    // them, and the arithmetic overlaps the stream. A NaN element never
    // moves the max (the compare is false); it reaches the sum through its
    // exp, and from there the loss.
    auto loop = scf::ForOp::create(
        nb, nl, zero, full, vlen, init,
        [&](OpBuilder &lb, Location ll, Value c, ValueRange st) {
          Value x = read(lb, ll, req.logits, c, true, true);
          Value above =
              arith::CmpFOp::create(lb, ll, arith::CmpFPredicate::OGT, x, st[0]);
          Value any = vector::ReductionOp::create(
              lb, ll, vector::CombiningKind::OR, above);
          auto rise = scf::IfOp::create(
              lb, ll, any,
              [&](OpBuilder &tb, Location tl) {
                Value newMax = arith::SelectOp::create(tb, tl, above, x, st[0]);
                scf::YieldOp::create(tb, tl,
                                     layout.rebase(tb, tl, st, newMax));
              },
              [&](OpBuilder &eb, Location el) {
                scf::YieldOp::create(eb, el, st);
              });
          scf::YieldOp::create(lb, ll, fold(lb, ll, rise.getResults(), x, c, true));
        });
    SmallVector<Value> state = llvm::to_vector_of<Value>(loop.getResults());

    // The classes past the last full vector: one masked vector (a no-op
    // when there are none). Lanes past the end keep their state.
    int64_t staticC = logitsTy.getDimSize(rank - 1);
    if (ShapedType::isDynamic(staticC) || staticC % lanes) {
      Value rest = arith::SubIOp::create(nb, nl, numClasses, full);
      Value mask =
          vector::CreateMaskOp::create(nb, nl, maskVec, ValueRange{rest});
      Value x = read(nb, nl, req.logits, full, true, false);
      Value xMax = arith::SelectOp::create(nb, nl, mask, x,
                                           constLowest(nb, nl, accVec));
      Value newMax = layout.mergeMax(nb, nl, state[0], xMax);
      SmallVector<Value> rebased = layout.rebase(nb, nl, state, newMax);
      SmallVector<Value> folded = fold(nb, nl, rebased, x, full, false);
      for (unsigned i = 0; i < state.size(); ++i)
        state[i] = i == 0 ? newMax
                          : arith::SelectOp::create(nb, nl, mask, folded[i],
                                                    rebased[i])
                                .getResult();
    }

    // Merge the lanes: the row's max (NaN propagates), every lane rebased on
    // it, then each field summed.
    Value rowMax = vector::ReductionOp::create(
        nb, nl, vector::CombiningKind::MAXIMUMF, state[0]);
    SmallVector<Value> rebased = layout.rebase(
        nb, nl, state, vector::BroadcastOp::create(nb, nl, accVec, rowMax));
    SmallVector<Value> results{rowMax};
    for (Value field : ArrayRef(rebased).drop_front())
      results.push_back(vector::ReductionOp::create(
          nb, nl, vector::CombiningKind::ADD, field));

    if (classTarget) {
      // x[t] and w[t], read only for a target in [0, C) (NaN and 0 else).
      Value t = tensor::ExtractOp::create(nb, nl, req.classTarget, row);
      ClassIndex idx = emitClassIndex(nb, nl, toI64(nb, nl, t),
                                      toI64FromIndex(nb, nl, numClasses));
      auto readAt = [&](Value v, bool rowed) {
        return [&, v, rowed](OpBuilder &rb, Location rl, Value safe) -> Value {
          Value e = tensor::ExtractOp::create(
              rb, rl, v, rowed ? at(safe) : SmallVector<Value>{safe});
          return castFloat(rb, rl, e, acc);
        };
      };
      SmallVector<Value> targetFields{idx.readOr(
          nb, nl, constFloat(nb, nl, acc, NAN), readAt(req.logits, true))};
      if (targetWeight)
        targetFields.push_back(idx.readOr(nb, nl, constFloat(nb, nl, acc, 0.0),
                                          readAt(req.weight, false)));
      results.insert(results.begin() + 2, targetFields.begin(),
                     targetFields.end());
    }
    linalg::YieldOp::create(nb, nl, results);
  };
  auto generic = linalg::GenericOp::create(b, loc, TypeRange(ValueRange(outs)),
                                           ValueRange{}, outs, maps, iters,
                                           body);

  unsigned r = 0;
  stats.max = generic.getResult(r++);
  stats.sumExp = generic.getResult(r++);
  if (classTarget) {
    stats.targetLogit = generic.getResult(r++);
    if (targetWeight)
      stats.targetWeight = generic.getResult(r++);
  }
  if (layout.shifted) {
    stats.shiftedSum = generic.getResult(r++);
    stats.factorSum = generic.getResult(r++);
  }
  return stats;
}

//===----------------------------------------------------------------------===//
// Rows across the lanes
//===----------------------------------------------------------------------===//
//
// Where the classes are strided (K-dim `[N, C, d...]`, whose positions are
// contiguous) or too few to fill vectors (`[N, C]` with small C), each lane
// is a row of its own: a vector holds class c of `lanes` consecutive rows, a
// tile of lanes x C elements stays in L1, a first loop over the classes
// takes each row's max, and a second folds the classes with one exp each and
// picks up the target logit lane by lane. No lane merge: each lane's state
// is its row's.

bool mlir::loss::canVectorizeLaneRows(const SoftmaxRowOperands &req,
                                      unsigned vectorBits) {
  auto ty = cast<RankedTensorType>(req.logits.getType());
  if (vectorScheduleLanes(ty.getElementType(), vectorBits) == 0 ||
      req.axis != 1)
    return false;
  if (ty.getRank() >= 3)
    return true;
  // [N, C] with rows too short for canVectorizeRows.
  return ty.getRank() == 2 && !canVectorizeRows(req, vectorBits);
}

RowStats mlir::loss::buildLaneRowStats(OpBuilder &b, Location loc,
                                       const SoftmaxRowOperands &req,
                                       unsigned vectorBits) {
  MLIRContext *ctx = b.getContext();
  auto logitsTy = cast<RankedTensorType>(req.logits.getType());
  unsigned rank = logitsTy.getRank();
  Type acc = getAccumulatorType(logitsTy.getElementType());
  int64_t lanes = vectorBits / acc.getIntOrFloatBitWidth();
  auto accVec = VectorType::get({lanes}, acc);
  // K-dim: [N, C, L] (positions collapsed); else [L, C] (rows strided by C).
  bool kdim = rank >= 3;

  OnlineSoftmax layout = getOnlineSoftmax(b, loc, req, /*streamTarget=*/false);
  bool classTarget = static_cast<bool>(req.classTarget);
  bool targetWeight = classTarget && req.weight;
  bool readsWeight = layout.needsWeight() || targetWeight;

  RowStats stats;
  stats.rowShape = getRowShape(b, loc, req);
  assertSoftmaxRowOperandSizes(b, loc, req);

  // The positions of K-dim operands as one dim.
  auto collapse = [&](Value v, unsigned from) -> Value {
    auto ty = cast<RankedTensorType>(v.getType());
    if (ty.getRank() == from + 1)
      return v;
    SmallVector<ReassociationIndices> groups;
    for (unsigned j = 0; j < from; ++j)
      groups.push_back({(int64_t)j});
    ReassociationIndices rest;
    for (unsigned j = from; j < ty.getRank(); ++j)
      rest.push_back(j);
    groups.push_back(rest);
    return tensor::CollapseShapeOp::create(b, loc, v, groups);
  };
  Value logits = kdim ? collapse(req.logits, 2) : req.logits;
  Value probs =
      req.probTarget && kdim ? collapse(req.probTarget, 2) : req.probTarget;
  Value target = classTarget && kdim ? collapse(req.classTarget, 1)
                                     : req.classTarget;

  Value numClasses = tensor::DimOp::create(b, loc, logits, 1);
  Value numLanes = tensor::DimOp::create(b, loc, logits, kdim ? 2 : 0);
  Value vlen = constIndex(b, loc, lanes);
  Value numBlocks = arith::CeilDivUIOp::create(b, loc, numLanes, vlen);
  int64_t staticL = cast<RankedTensorType>(logits.getType())
                        .getDimSize(kdim ? 2 : 0);
  bool inBounds = !ShapedType::isDynamic(staticL) && staticL % lanes == 0;

  // Outputs, [N, L] or [L], in RowStats' order.
  unsigned numOut = 2 + classTarget + targetWeight + 2 * layout.shifted;
  SmallVector<OpFoldResult> outShape;
  if (kdim)
    outShape.push_back(tensor::getMixedSize(b, loc, logits, 0));
  outShape.push_back(tensor::getMixedSize(b, loc, logits, kdim ? 2 : 0));
  SmallVector<Value> outs;
  for (unsigned i = 0; i < numOut; ++i)
    outs.push_back(tensor::EmptyOp::create(b, loc, outShape, acc));

  SmallVector<OpFoldResult> grid;
  if (kdim)
    grid.push_back(tensor::getMixedSize(b, loc, logits, 0));
  grid.push_back(numBlocks);
  auto forall = scf::ForallOp::create(
      b, loc, grid, outs, std::nullopt,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value n = kdim ? args[0] : Value();
        Value blk = args[kdim ? 1 : 0];
        ValueRange shared = args.drop_front(kdim ? 2 : 1);
        Value l0 = arith::MulIOp::create(nb, nl, blk, vlen);
        Value len = arith::MinUIOp::create(
            nb, nl, vlen, arith::SubIOp::create(nb, nl, numLanes, l0));
        bool inb[] = {inBounds};
        // Class `c` of the block's rows, in the accumulator type.
        auto read = [&](OpBuilder &bb, Location bl, Value v, Value c) {
          Type elt = cast<RankedTensorType>(v.getType()).getElementType();
          auto vecTy = VectorType::get({lanes}, elt);
          Value pad = constFloat(bb, bl, elt, 0.0);
          Value x;
          if (kdim) {
            x = vector::TransferReadOp::create(bb, bl, vecTy, v,
                                               ValueRange{n, c, l0}, pad,
                                               ArrayRef<bool>(inb));
          } else {
            // Rows strided by C: the lanes run along dim 0.
            AffineMap along0 = AffineMap::get(2, 0, getAffineDimExpr(0, ctx));
            x = vector::TransferReadOp::create(bb, bl, vecTy, v,
                                               ValueRange{l0, c}, pad, along0,
                                               ArrayRef<bool>(inb));
          }
          if (elt != acc)
            x = arith::ExtFOp::create(bb, bl, accVec, x);
          return x;
        };
        auto splat = [&](OpBuilder &bb, Location bl, Value s) -> Value {
          return vector::BroadcastOp::create(bb, bl, VectorType::get({lanes}, s.getType()), s);
        };

        // Pass 1: each row's max.
        Value zero = constIndex(nb, nl, 0), one = constIndex(nb, nl, 1);
        auto maxLoop = scf::ForOp::create(
            nb, nl, zero, numClasses, one,
            ValueRange{constLowest(nb, nl, accVec)},
            [&](OpBuilder &lb, Location ll, Value c, ValueRange mx) {
              scf::YieldOp::create(
                  lb, ll,
                  layout.mergeMax(lb, ll, mx[0], read(lb, ll, logits, c)));
            });

        // Pass 2: the state on that max; one exp per element.
        SmallVector<Value> init{maxLoop.getResult(0),
                                constFloat(nb, nl, accVec, 0.0)};
        if (layout.shifted) {
          init.push_back(constFloat(nb, nl, accVec, 0.0));
          init.push_back(constFloat(nb, nl, accVec, 0.0));
        }
        unsigned numState = init.size();
        Value t;
        if (classTarget) {
          Type tElt = cast<RankedTensorType>(target.getType()).getElementType();
          SmallVector<Value> idx;
          if (kdim)
            idx.push_back(n);
          idx.push_back(l0);
          bool tinb[] = {inBounds};
          t = vector::TransferReadOp::create(
              nb, nl, VectorType::get({lanes}, tElt), target, idx,
              arith::ConstantOp::create(nb, nl, nb.getIntegerAttr(tElt, 0)),
              ArrayRef<bool>(tinb));
          t = toI64(nb, nl, t);
          init.push_back(constFloat(nb, nl, accVec, NAN));
          if (targetWeight)
            init.push_back(constFloat(nb, nl, accVec, 0.0));
        }
        auto expLoop = scf::ForOp::create(
            nb, nl, zero, numClasses, one, init,
            [&](OpBuilder &lb, Location ll, Value c, ValueRange st) {
              Value x = read(lb, ll, logits, c);
              Value w;
              if (readsWeight)
                w = splat(lb, ll,
                          castFloat(lb, ll,
                                    tensor::ExtractOp::create(
                                        lb, ll, req.weight, ValueRange{c}),
                                    acc));
              Value y = probs ? read(lb, ll, probs, c) : Value();
              SmallVector<Value> next = layout.addRebased(
                  lb, ll, st.take_front(numState), x,
                  layout.needsWeight() ? w : Value(), y);
              if (classTarget)
                llvm::append_range(
                    next,
                    layout.pickTarget(
                        lb, ll, st[numState],
                        targetWeight ? st[numState + 1] : Value(), x, t,
                        splat(lb, ll, toI64FromIndex(lb, ll, c)), w));
              scf::YieldOp::create(lb, ll, next);
            });

        // RowStats' order: max, sumExp, [x[t], [w[t]]], [D, O].
        SmallVector<Value> fields{expLoop.getResult(0), expLoop.getResult(1)};
        for (unsigned i = numState; i < expLoop.getNumResults(); ++i)
          fields.push_back(expLoop.getResult(i));
        if (layout.shifted) {
          fields.push_back(expLoop.getResult(2));
          fields.push_back(expLoop.getResult(3));
        }

        // Each field's lanes into its output (masked for the last block).
        SmallVector<OpFoldResult> offs, sizes, strides;
        if (kdim) {
          offs.push_back(n);
          sizes.push_back(nb.getIndexAttr(1));
          strides.push_back(nb.getIndexAttr(1));
        }
        offs.push_back(l0);
        sizes.push_back(len);
        strides.push_back(nb.getIndexAttr(1));
        SmallVector<Value> slices;
        for (auto [field, out] : llvm::zip(fields, shared)) {
          Value slice = tensor::ExtractSliceOp::create(nb, nl, out, offs,
                                                       sizes, strides);
          SmallVector<Value> at(kdim ? 2 : 1, zero);
          AffineMap minor = AffineMap::get(kdim ? 2 : 1, 0,
                                           getAffineDimExpr(kdim ? 1 : 0, ctx));
          bool winb[] = {false};
          slices.push_back(vector::TransferWriteOp::create(
                               nb, nl, field, slice, at, minor,
                               ArrayRef<bool>(winb))
                               .getResult());
        }
        auto inParallel = scf::InParallelOp::create(nb, nl);
        OpBuilder::InsertionGuard guard(nb);
        nb.setInsertionPointToStart(inParallel.getBody());
        for (auto [slice, out] : llvm::zip(slices, shared))
          tensor::ParallelInsertSliceOp::create(nb, nl, slice, out, offs,
                                                sizes, strides);
      });

  // Back to the row shape.
  SmallVector<Value> results = llvm::to_vector_of<Value>(forall.getResults());
  if (kdim && stats.rowShape.size() != 2) {
    SmallVector<ReassociationIndices> groups{{0}, {}};
    for (unsigned j = 1; j < stats.rowShape.size(); ++j)
      groups[1].push_back(j);
    SmallVector<int64_t> staticShape;
    SmallVector<Value> dynamic;
    dispatchIndexOpFoldResults(stats.rowShape, dynamic, staticShape);
    auto rowTy = RankedTensorType::get(staticShape, acc);
    for (Value &r : results)
      r = tensor::ExpandShapeOp::create(b, loc, rowTy, r, groups,
                                        stats.rowShape);
  }
  unsigned r = 0;
  stats.max = results[r++];
  stats.sumExp = results[r++];
  if (classTarget) {
    stats.targetLogit = results[r++];
    if (targetWeight)
      stats.targetWeight = results[r++];
  }
  if (layout.shifted) {
    stats.shiftedSum = results[r++];
    stats.factorSum = results[r++];
  }
  return stats;
}
