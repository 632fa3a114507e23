//===- PrefetchStreams.cpp - Software prefetch of vector streams ----------===//
//
// Hardware prefetchers stop at page boundaries; a loop that streams a buffer
// in vectors gets a prefetch a fixed distance ahead of each access instead
// (clamped into the buffer's innermost dimension).
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
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
};

std::optional<Access> getAccess(Operation *op) {
  auto minorIdentity = [](AffineMap map) { return map.isMinorIdentity(); };
  if (auto r = dyn_cast<vector::TransferReadOp>(op)) {
    if (r.getVectorType().getRank() == 1 &&
        isa<MemRefType>(r.getBase().getType()) &&
        minorIdentity(r.getPermutationMap()))
      return Access{op, r.getBase(), llvm::to_vector(r.getIndices()), false};
  } else if (auto w = dyn_cast<vector::TransferWriteOp>(op)) {
    if (w.getVectorType().getRank() == 1 &&
        isa<MemRefType>(w.getBase().getType()) &&
        minorIdentity(w.getPermutationMap()))
      return Access{op, w.getBase(), llvm::to_vector(w.getIndices()), true};
  } else if (auto l = dyn_cast<vector::LoadOp>(op)) {
    if (l.getVectorType().getRank() == 1)
      return Access{op, l.getBase(), llvm::to_vector(l.getIndices()), false};
  } else if (auto s = dyn_cast<vector::StoreOp>(op)) {
    if (s.getVectorType().getRank() == 1)
      return Access{op, s.getBase(), llvm::to_vector(s.getIndices()), true};
  }
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
    SmallVector<Access> accesses;
    for (Operation &op : loop.getBody()->without_terminator())
      if (std::optional<Access> a = getAccess(&op))
        accesses.push_back(*a);
    for (const Access &a : accesses) {
      auto ty = cast<MemRefType>(a.memref.getType());
      if (a.indices.empty() || !loop.isDefinedOutsideOfLoop(a.memref) ||
          !isIvPlusInvariant(a.indices.back(), loop) ||
          !llvm::all_of(ArrayRef(a.indices).drop_back(), [&](Value v) {
            return loop.isDefinedOutsideOfLoop(v);
          }))
        continue;
      SmallVector<int64_t> strides;
      int64_t offset;
      if (failed(ty.getStridesAndOffset(strides, offset)) ||
          strides.back() != 1)
        continue;
      int64_t eltBytes =
          (ty.getElementType().getIntOrFloatBitWidth() + 7) / 8;
      int64_t ahead = distance / eltBytes;
      int64_t dim = ty.getShape().back();
      if (ahead == 0 || (!ShapedType::isDynamic(dim) && dim <= ahead))
        continue;
      // A read of a buffer the loop also writes may be a read of what it
      // wrote: its lines are in cache.
      if (!a.write && llvm::any_of(accesses, [&](const Access &o) {
            return o.write && o.memref == a.memref;
          }))
        continue;

      OpBuilder b(a.op);
      Location loc = a.op->getLoc();
      unsigned last = ty.getRank() - 1;
      Value lastIndex =
          ShapedType::isDynamic(dim)
              ? arith::SubIOp::create(
                    b, loc, memref::DimOp::create(b, loc, a.memref, last),
                    arith::ConstantIndexOp::create(b, loc, 1))
                    .getResult()
              : arith::ConstantIndexOp::create(b, loc, dim - 1).getResult();
      Value next = arith::MinSIOp::create(
          b, loc,
          arith::AddIOp::create(b, loc, a.indices.back(),
                                arith::ConstantIndexOp::create(b, loc, ahead)),
          lastIndex);
      SmallVector<Value> indices(a.indices);
      indices.back() = next;
      memref::PrefetchOp::create(b, loc, a.memref, indices, a.write,
                                 /*localityHint=*/3, /*isDataCache=*/true);
    }
  }
};

} // namespace
