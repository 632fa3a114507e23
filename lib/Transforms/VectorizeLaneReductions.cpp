//===- VectorizeLaneReductions.cpp - Lanes of partial sums as vectors -----===//
//
// A generic [parallel..., reduction R, parallel L] whose outputs drop the
// reduction loop keeps L independent accumulators per outer point: exactly a
// vector<L> carried through R steps. Written as such (an scf.forall over the
// outer points, an scf.for over R on vectors), the accumulators live in
// registers; the body's ops are cloned onto vectors one for one, so the
// arithmetic and its order are the generic's.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Transforms/Passes.h"
#include "ApplyToGenerics.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace loss {
#define GEN_PASS_DEF_VECTORIZELANEREDUCTIONS
#include "loss-mlir/Transforms/Passes.h.inc"
} // namespace loss
} // namespace mlir

using namespace mlir;

namespace {

/// Body ops that map onto vectors of their operands one for one.
bool isVectorizable(Operation &op) {
  if (op.getNumRegions() || !op.hasTrait<OpTrait::Elementwise>())
    return matchPattern(&op, m_Constant());
  if (!isa<arith::ArithDialect, math::MathDialect>(op.getDialect()))
    return false;
  for (Type t : op.getResultTypes())
    if (!t.isIntOrIndexOrFloat())
      return false;
  return true;
}

struct LaneReduction : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return failure();
    unsigned n = op.getNumLoops();
    if (n < 3)
      return failure();
    SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
    for (unsigned i = 0; i + 2 < n; ++i)
      if (iters[i] != utils::IteratorType::parallel)
        return failure();
    if (iters[n - 2] != utils::IteratorType::reduction ||
        iters[n - 1] != utils::IteratorType::parallel)
      return failure();
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t runs = ranges[n - 2], lanes = ranges[n - 1];
    if (ShapedType::isDynamic(runs) || ShapedType::isDynamic(lanes) ||
        lanes < 2)
      return failure();
    MLIRContext *ctx = op.getContext();
    // Vectors of i1 in memory are bit-packed, tensors of i1 byte-per-element:
    // every operand must be a float or an integer of at least 8 bits.
    for (Value v : op->getOperands()) {
      Type el = getElementTypeOrSelf(v.getType());
      if (!isa<FloatType>(el) &&
          !(isa<IntegerType>(el) && el.getIntOrFloatBitWidth() >= 8))
        return failure();
    }

    // Outputs: indexed by every loop but the reduction, in order.
    SmallVector<AffineExpr> outExprs;
    for (unsigned i = 0; i + 2 < n; ++i)
      outExprs.push_back(getAffineDimExpr(i, ctx));
    outExprs.push_back(getAffineDimExpr(n - 1, ctx));
    AffineMap outMap = AffineMap::get(n, 0, outExprs, ctx);
    for (OpOperand &init : op.getDpsInitsMutable())
      if (op.getMatchingIndexingMap(&init) != outMap)
        return failure();
    // Inputs: projected permutations, the lane loop (if used) innermost.
    for (OpOperand *in : op.getDpsInputOperands()) {
      AffineMap map = op.getMatchingIndexingMap(in);
      if (!map.isProjectedPermutation() ||
          !isa<RankedTensorType>(in->get().getType()))
        return failure();
      for (unsigned r = 0; r < map.getNumResults(); ++r)
        if (map.getDimPosition(r) == n - 1 && r + 1 != map.getNumResults())
          return failure();
    }
    Block &body = op.getRegion().front();
    for (Operation &bop : body.without_terminator())
      if (!isVectorizable(bop))
        return failure();

    Location loc = op.getLoc();
    SmallVector<OpFoldResult> outerSizes;
    {
      SmallVector<Range, 4> loopRanges =
          cast<linalg::LinalgOp>(op.getOperation()).createLoopRanges(rewriter, loc);
      for (unsigned i = 0; i + 2 < n; ++i)
        outerSizes.push_back(loopRanges[i].size);
    }
    auto vecOf = [&](Type t) { return VectorType::get({lanes}, t); };
    auto forall = scf::ForallOp::create(
        rewriter, loc, outerSizes, op.getDpsInits(), std::nullopt,
        [&](OpBuilder &b, Location l, ValueRange args) {
          ValueRange ivs = args.take_front(n - 2);
          ValueRange shared = args.drop_front(n - 2);
          Value zero = arith::ConstantIndexOp::create(b, l, 0);
          SmallVector<Value> outIdx(ivs);
          outIdx.push_back(zero);
          bool inBounds[] = {true};
          SmallVector<Value> accs;
          for (Value s : shared) {
            Type el = cast<RankedTensorType>(s.getType()).getElementType();
            accs.push_back(vector::TransferReadOp::create(
                b, l, vecOf(el), s, outIdx, std::nullopt,
                ArrayRef<bool>(inBounds)));
          }
          auto runLoop = scf::ForOp::create(
              b, l, zero, arith::ConstantIndexOp::create(b, l, runs),
              arith::ConstantIndexOp::create(b, l, 1), accs,
              [&](OpBuilder &rb, Location rl, Value r, ValueRange it) {
                IRMapping mapping;
                for (OpOperand *in : op.getDpsInputOperands()) {
                  AffineMap map = op.getMatchingIndexingMap(in);
                  SmallVector<Value> idx;
                  bool alongLanes = false;
                  for (unsigned k = 0; k < map.getNumResults(); ++k) {
                    unsigned d = map.getDimPosition(k);
                    if (d == n - 1) {
                      alongLanes = true;
                      idx.push_back(zero);
                    } else {
                      idx.push_back(d == n - 2 ? r : ivs[d]);
                    }
                  }
                  Type el = cast<RankedTensorType>(in->get().getType())
                                .getElementType();
                  Value v =
                      alongLanes
                          ? Value(vector::TransferReadOp::create(
                                rb, rl, vecOf(el), in->get(), idx,
                                std::nullopt, ArrayRef<bool>(inBounds)))
                          : Value(tensor::ExtractOp::create(rb, rl,
                                                            in->get(), idx));
                  mapping.map(body.getArgument(in->getOperandNumber()), v);
                }
                for (auto [i, acc] : llvm::enumerate(it))
                  mapping.map(body.getArgument(op.getNumDpsInputs() + i), acc);
                auto vectorOperand = [&](Value v) -> Value {
                  Value m = mapping.lookupOrDefault(v);
                  if (isa<VectorType>(m.getType()))
                    return m;
                  return vector::BroadcastOp::create(rb, rl,
                                                     vecOf(m.getType()), m);
                };
                for (Operation &bop : body.without_terminator()) {
                  if (matchPattern(&bop, m_Constant())) {
                    rb.clone(bop, mapping);
                    continue;
                  }
                  SmallVector<Value> operands;
                  for (Value v : bop.getOperands())
                    operands.push_back(vectorOperand(v));
                  SmallVector<Type> types;
                  for (Type t : bop.getResultTypes())
                    types.push_back(vecOf(t));
                  OperationState state(bop.getLoc(), bop.getName(), operands,
                                       types, bop.getAttrs());
                  Operation *vop = rb.create(state);
                  mapping.map(bop.getResults(), vop->getResults());
                }
                SmallVector<Value> yields;
                for (Value v : body.getTerminator()->getOperands())
                  yields.push_back(vectorOperand(v));
                scf::YieldOp::create(rb, rl, yields);
              });

          // Each outer point's lanes, written through a slice of the shared
          // outputs (in place after bufferization).
          SmallVector<OpFoldResult> offs(ivs.begin(), ivs.end());
          offs.push_back(b.getIndexAttr(0));
          SmallVector<OpFoldResult> sizes(n - 2, b.getIndexAttr(1));
          sizes.push_back(b.getIndexAttr(lanes));
          SmallVector<OpFoldResult> strides(n - 1, b.getIndexAttr(1));
          SmallVector<Value> slices;
          for (auto [s, v] : llvm::zip(shared, runLoop.getResults())) {
            Type el = cast<RankedTensorType>(s.getType()).getElementType();
            auto sliceTy = RankedTensorType::get({lanes}, el);
            Value slice = tensor::ExtractSliceOp::create(b, l, sliceTy, s, offs,
                                                         sizes, strides);
            slices.push_back(vector::TransferWriteOp::create(
                                 b, l, v, slice, ValueRange{zero},
                                 ArrayRef<bool>(inBounds))
                                 .getResult());
          }
          auto inParallel = scf::InParallelOp::create(b, l);
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(inParallel.getBody());
          for (auto [slice, s] : llvm::zip(slices, shared))
            tensor::ParallelInsertSliceOp::create(b, l, slice, s, offs, sizes,
                                                  strides);
        });
    rewriter.replaceOp(op, forall.getResults());
    return success();
  }
};

struct VectorizeLaneReductionsPass
    : public loss::impl::VectorizeLaneReductionsBase<
          VectorizeLaneReductionsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    loss::populateVectorizeLaneReductionsPatterns(patterns);
    if (failed(loss::applyToExistingGenerics(getOperation(),
                                             std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void mlir::loss::populateVectorizeLaneReductionsPatterns(
    RewritePatternSet &patterns) {
  patterns.add<LaneReduction>(patterns.getContext());
}
