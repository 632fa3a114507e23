//===- LossToGPU.cpp - The convert-loss-to-gpu pass -----------------------===//

#include "loss-mlir/Conversion/LossToGPU/LossToGPU.h"
#include "loss-mlir/Dialect/Loss/IR/Loss.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir {
namespace loss {
#define GEN_PASS_DEF_CONVERTLOSSTOGPU
#include "loss-mlir/Conversion/LossToGPU/Passes.h.inc"
} // namespace loss
} // namespace mlir

using namespace mlir;
using namespace mlir::loss;

namespace {

/// gpu.barrier and gpu.all_reduce declare no memory effects, and buffer
/// deallocation (which runs after this pass has put them into kernels)
/// rejects ops with unknown effects. Both synchronise the block through
/// memory, so they are given read and write effects on no particular buffer:
/// nothing may move them or drop them, and deallocation ignores them.
template <typename OpTy>
struct BlockSyncEffects
    : public MemoryEffectOpInterface::ExternalModel<BlockSyncEffects<OpTy>,
                                                    OpTy> {
  void
  getEffects(Operation *,
             SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
                 &effects) const {
    effects.emplace_back(MemoryEffects::Read::get());
    effects.emplace_back(MemoryEffects::Write::get());
  }
};


struct ConvertLossToGPUPass
    : public loss::impl::ConvertLossToGPUBase<ConvertLossToGPUPass> {
  using Base::Base;

  void getDependentDialects(DialectRegistry &registry) const override {
    Base::getDependentDialects(registry);
    // Also registered by the tools (registerAllLossDialects); a repeated
    // registration is ignored.
    registerLossGPUExternalModels(registry);
  }
  void runOnOperation() override {
    if (blockSize == 0 || maxGridSize == 0) {
      getOperation()->emitError("block-size and max-grid-size must be "
                                "positive");
      return signalPassFailure();
    }
    GPUKernelSizes sizes{blockSize, maxGridSize};
    RewritePatternSet patterns(&getContext());
    populateCrossEntropyToGPUPatterns(patterns, sizes);
    populateCtcToGPUPatterns(patterns, sizes);
    populateCtcGradToGPUPatterns(patterns, sizes);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};
} // namespace

void mlir::loss::registerLossGPUExternalModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, gpu::GPUDialect *) {
    gpu::BarrierOp::attachInterface<BlockSyncEffects<gpu::BarrierOp>>(*ctx);
    gpu::AllReduceOp::attachInterface<BlockSyncEffects<gpu::AllReduceOp>>(
        *ctx);
  });
}
