//===- PrefetchStreams.cpp - Software prefetch of vector streams ----------===//
//
// Hardware prefetchers stop at page boundaries; a loop that streams a buffer
// in vectors gets a prefetch a fixed distance ahead of each access instead
// (clamped into the buffer's innermost dimension).
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace mlir {
namespace loss {
#define GEN_PASS_DEF_PREFETCHSTREAMS
#include "loss-mlir/Transforms/Passes.h.inc"
} // namespace loss
} // namespace mlir

using namespace mlir;

namespace {

/// One vector access of a loop: the buffer, its indices, whether it writes.
struct Access {
  Operation *op;
  Value memref;
  SmallVector<Value> indices;
  bool write;
  int64_t lanes;
};

/// A 1-D vector access of a memref (transfers: along its innermost
/// dimension).
template <typename OpTy>
std::optional<Access> getAccessOf(OpTy op, bool write) {
  if constexpr (std::is_same_v<OpTy, vector::TransferReadOp> ||
                std::is_same_v<OpTy, vector::TransferWriteOp>)
    if (!isa<MemRefType>(op.getBase().getType()) ||
        !op.getPermutationMap().isMinorIdentity())
      return std::nullopt;
  if (op.getVectorType().getRank() != 1)
    return std::nullopt;
  return Access{op, op.getBase(), llvm::to_vector(op.getIndices()), write,
                op.getVectorType().getNumElements()};
}

std::optional<Access> getAccess(Operation *op) {
  if (auto r = dyn_cast<vector::TransferReadOp>(op))
    return getAccessOf(r, false);
  if (auto w = dyn_cast<vector::TransferWriteOp>(op))
    return getAccessOf(w, true);
  if (auto l = dyn_cast<vector::LoadOp>(op))
    return getAccessOf(l, false);
  if (auto s = dyn_cast<vector::StoreOp>(op))
    return getAccessOf(s, true);
  return std::nullopt;
}

/// Whether `index` is `iv` or `iv + c` with `c` defined outside `loop`.
bool isIvPlusInvariant(Value index, scf::ForOp loop) {
  Value iv = loop.getInductionVar();
  if (index == iv)
    return true;
  auto add = index.getDefiningOp<arith::AddIOp>();
  if (!add)
    return false;
  Value other = add.getLhs() == iv   ? add.getRhs()
                : add.getRhs() == iv ? add.getLhs()
                                     : Value();
  return other && loop.isDefinedOutsideOfLoop(other);
}

struct PrefetchStreamsPass
    : public loss::impl::PrefetchStreamsBase<PrefetchStreamsPass> {
  using PrefetchStreamsBase::PrefetchStreamsBase;

  void runOnOperation() override {
    if (distance <= 0)
      return;
    getOperation()->walk([&](scf::ForOp loop) { prefetch(loop); });
  }

  void prefetch(scf::ForOp loop) {
    std::optional<int64_t> step = getConstantIntValue(loop.getStep());
    if (!step)
      return;
    SmallVector<Access> accesses;
    for (Operation &op : loop.getBody()->without_terminator())
      if (std::optional<Access> a = getAccess(&op))
        accesses.push_back(*a);
    for (const Access &a : accesses) {
      auto ty = cast<MemRefType>(a.memref.getType());
      int64_t rank = ty.getRank();
      if (rank == 0 || !loop.isDefinedOutsideOfLoop(a.memref))
        continue;
      // Exactly one index moves with the loop, as the induction variable
      // plus an invariant.
      int64_t moving = -1;
      bool affine = true;
      for (auto [i, v] : llvm::enumerate(a.indices)) {
        if (loop.isDefinedOutsideOfLoop(v))
          continue;
        if (moving >= 0 || !isIvPlusInvariant(v, loop))
          affine = false;
        moving = i;
      }
      if (!affine || moving < 0)
        continue;
      // A stream: consecutive iterations access adjacent vectors.
      SmallVector<int64_t> strides;
      int64_t offset;
      if (failed(ty.getStridesAndOffset(strides, offset)) ||
          strides.back() != 1 || ShapedType::isDynamic(strides[moving]) ||
          strides[moving] * *step != a.lanes)
        continue;
      int64_t eltBytes =
          (ty.getElementType().getIntOrFloatBitWidth() + 7) / 8;
      int64_t ahead = distance / eltBytes;
      // A contiguous buffer is prefetched along its linear order (across
      // rows); another only along its innermost dimension.
      bool linear = ty.getLayout().isIdentity();
      if (!linear && moving != rank - 1)
        continue;
      int64_t span = linear ? (ty.hasStaticShape() ? ty.getNumElements()
                                                   : ShapedType::kDynamic)
                            : ty.getShape().back();
      if (ahead == 0 || (!ShapedType::isDynamic(span) && span <= ahead))
        continue;
      // A read of a buffer the loop also writes may be a read of what it
      // wrote: its lines are in cache.
      if (!a.write && llvm::any_of(accesses, [&](const Access &o) {
            return o.write && o.memref == a.memref;
          }))
        continue;

      Location loc = a.op->getLoc();
      OpBuilder b(a.op);
      Value target = a.memref, index = a.indices.back(), size;
      if (linear) {
        // The buffer as one dimension (made once, before the loop), the
        // access at its linear index.
        OpBuilder pre(loop);
        SmallVector<OpFoldResult> sizes =
            memref::getMixedSizes(pre, loc, a.memref);
        Value total = getValueOrCreateConstantIndexOp(pre, loc, sizes[0]);
        for (OpFoldResult d : ArrayRef(sizes).drop_front())
          total = pre.createOrFold<arith::MulIOp>(
              loc, total, getValueOrCreateConstantIndexOp(pre, loc, d));
        size = total;
        if (rank > 1) {
          SmallVector<ReassociationIndices> all(1);
          for (int64_t i = 0; i < rank; ++i)
            all[0].push_back(i);
          target = memref::CollapseShapeOp::create(pre, loc, a.memref, all);
          index = affine::AffineLinearizeIndexOp::create(
              b, loc, a.indices, sizes, /*disjoint=*/true);
        }
      } else {
        size = memref::DimOp::create(b, loc, a.memref, rank - 1);
      }
      Value lastIndex = b.createOrFold<arith::SubIOp>(
          loc, size, arith::ConstantIndexOp::create(b, loc, 1));
      Value next = arith::MinSIOp::create(
          b, loc,
          arith::AddIOp::create(b, loc, index,
                                arith::ConstantIndexOp::create(b, loc, ahead)),
          lastIndex);
      SmallVector<Value> indices =
          linear ? SmallVector<Value>{next} : SmallVector<Value>(a.indices);
      indices.back() = next;
      memref::PrefetchOp::create(b, loc, target, indices, a.write,
                                 /*localityHint=*/3, /*isDataCache=*/true);
    }
  }
};

} // namespace
