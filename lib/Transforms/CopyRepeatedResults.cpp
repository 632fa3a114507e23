//===- CopyRepeatedResults.cpp - Distinct tensors for function results ----===//
//
// Out-params need one buffer per result: a value returned twice gets a copy
// for each repetition before bufferization.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir {
namespace loss {
#define GEN_PASS_DEF_COPYREPEATEDRESULTS
#include "loss-mlir/Transforms/Passes.h.inc"
} // namespace loss
} // namespace mlir

using namespace mlir;

namespace {
struct CopyRepeatedResultsPass
    : public loss::impl::CopyRepeatedResultsBase<CopyRepeatedResultsPass> {
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      llvm::SmallDenseSet<Value> seen;
      OpBuilder b(ret);
      for (OpOperand &operand : ret->getOpOperands()) {
        Value v = operand.get();
        auto ty = dyn_cast<RankedTensorType>(v.getType());
        if (!ty || seen.insert(v).second)
          continue;
        // A copy takes its sizes from the copied tensor.
        operand.set(bufferization::AllocTensorOp::create(
            b, ret.getLoc(), ty, /*dynamicSizes=*/ValueRange{}, /*copy=*/v));
      }
    });
  }
};
} // namespace
