//===- SplitSharedDestinations.cpp - A destination per op -----------------===//
//
// A tensor.empty (or a linalg.fill of one) that several destination-style
// ops write into is cloned for each writer after the first, next to the
// original, so that One-Shot Bufferize's alias sets stay small.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir {
namespace loss {
#define GEN_PASS_DEF_SPLITSHAREDDESTINATIONS
#include "loss-mlir/Transforms/Passes.h.inc"
} // namespace loss
} // namespace mlir

using namespace mlir;

namespace {

/// `v`'s defining tensor.empty, or its linalg.fill of a tensor.empty: a
/// destination that costs no more to make twice than to copy.
Operation *cloneableDestination(Value v) {
  Operation *def = v.getDefiningOp();
  if (isa_and_nonnull<tensor::EmptyOp>(def))
    return def;
  if (auto fill = dyn_cast_or_null<linalg::FillOp>(def))
    if (fill.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>())
      return def;
  return nullptr;
}

struct SplitSharedDestinationsPass
    : public loss::impl::SplitSharedDestinationsBase<
          SplitSharedDestinationsPass> {
  void runOnOperation() override {
    llvm::SmallDenseSet<Value> written;
    SmallVector<OpOperand *> shared;
    getOperation().walk([&](DestinationStyleOpInterface op) {
      for (OpOperand &init : op.getDpsInitsMutable())
        if (isa<RankedTensorType>(init.get().getType()) &&
            cloneableDestination(init.get()) &&
            !written.insert(init.get()).second)
          shared.push_back(&init);
    });
    for (OpOperand *init : shared) {
      Operation *def = cloneableDestination(init->get());
      OpBuilder b(def->getContext());
      b.setInsertionPointAfter(def);
      Operation *copy;
      if (auto fill = dyn_cast<linalg::FillOp>(def)) {
        // A fill of its own empty, both where the originals are.
        Operation *empty = fill.getDpsInits()[0].getDefiningOp();
        b.setInsertionPointAfter(empty);
        Value newEmpty = b.clone(*empty)->getResult(0);
        b.setInsertionPointAfter(def);
        IRMapping map;
        map.map(empty->getResult(0), newEmpty);
        copy = b.clone(*def, map);
      } else {
        copy = b.clone(*def);
      }
      init->set(copy->getResult(cast<OpResult>(init->get()).getResultNumber()));
    }
  }
};

} // namespace
