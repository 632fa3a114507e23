//===- SerializeNestedParallel.cpp - Inner scf.parallel to scf.for --------===//
//
// Only the outermost parallel loop of a nest should become threads; inner
// parallel loops (the lanes of a streaming reduction, say) run sequentially
// inside their thread, where LLVM vectorizes them.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Transforms/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/LoopLikeInterface.h"

namespace mlir {
namespace loss {
#define GEN_PASS_DEF_SERIALIZENESTEDPARALLEL
#include "loss-mlir/Transforms/Passes.h.inc"
} // namespace loss
} // namespace mlir

using namespace mlir;

namespace {
struct SerializeNestedParallelPass
    : public loss::impl::SerializeNestedParallelBase<
          SerializeNestedParallelPass> {
  void runOnOperation() override {
    // Post-order: inner loops are rewritten before the loops that hold them.
    SmallVector<scf::ParallelOp> nested;
    getOperation()->walk([&](scf::ParallelOp op) {
      if (op.getNumReductions() == 0 &&
          op->getParentOfType<LoopLikeOpInterface>())
        nested.push_back(op);
    });
    for (scf::ParallelOp op : nested) {
      OpBuilder b(op);
      scf::buildLoopNest(
          b, op.getLoc(), op.getLowerBound(), op.getUpperBound(), op.getStep(),
          [&](OpBuilder &nb, Location, ValueRange ivs) {
            IRMapping map;
            map.map(op.getInductionVars(), ivs);
            for (Operation &inner : op.getBody()->without_terminator())
              nb.clone(inner, map);
          });
      op.erase();
    }
    // The innermost dimension of a multi-dimensional parallel loop runs
    // sequentially inside the threads of the others: scf-to-openmp would
    // collapse every dimension into one linear space, recovering each index
    // by division in every iteration, which LLVM does not vectorize.
    SmallVector<scf::ParallelOp> multi;
    getOperation()->walk([&](scf::ParallelOp op) {
      if (op.getNumReductions() == 0 && op.getNumLoops() >= 2)
        multi.push_back(op);
    });
    for (scf::ParallelOp op : multi) {
      OpBuilder b(op);
      Location loc = op.getLoc();
      unsigned n = op.getNumLoops();
      auto front = [](OperandRange r) { return ValueRange(r).drop_back(); };
      scf::ParallelOp::create(
          b, loc, front(op.getLowerBound()), front(op.getUpperBound()),
          front(op.getStep()),
          [&](OpBuilder &pb, Location pl, ValueRange outerIvs) {
            scf::ForOp::create(
                pb, pl, op.getLowerBound()[n - 1], op.getUpperBound()[n - 1],
                op.getStep()[n - 1], ValueRange{},
                [&](OpBuilder &fb, Location fl, Value iv, ValueRange) {
                  IRMapping map;
                  map.map(ValueRange(op.getInductionVars()).drop_back(),
                          outerIvs);
                  map.map(op.getInductionVars().back(), iv);
                  for (Operation &inner : op.getBody()->without_terminator())
                    fb.clone(inner, map);
                  scf::YieldOp::create(fb, fl);
                });
          });
      op.erase();
    }
  }
};
} // namespace
