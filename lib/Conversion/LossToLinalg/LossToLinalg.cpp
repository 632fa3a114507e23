//===- LossToLinalg.cpp - The convert-loss-to-linalg pass -----------------===//

#include "loss-mlir/Conversion/LossToLinalg/LossToLinalg.h"
#include "loss-mlir/Dialect/Loss/IR/Loss.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/TargetParser/Host.h"

namespace mlir {
namespace loss {
#define GEN_PASS_DEF_CONVERTLOSSTOLINALG
#include "loss-mlir/Conversion/Passes.h.inc"
} // namespace loss
} // namespace mlir

using namespace mlir;
using namespace mlir::loss;

void mlir::loss::populateLossToLinalgPatterns(
    RewritePatternSet &patterns, const ConvertLossToLinalgOptions &options) {
  populateCrossEntropyToLinalgPatterns(patterns, options);
  populateRegressionToLinalgPatterns(patterns);
  populateMarginToLinalgPatterns(patterns);
  populateCtcToLinalgPatterns(patterns, options);
  populateLinearCrossEntropyToLinalgPatterns(patterns, options);
  populateSoftmaxGradToLinalgPatterns(patterns, options);
  populateBinaryGradToLinalgPatterns(patterns);
  populateMarginGradToLinalgPatterns(patterns);
  populateCtcGradToLinalgPatterns(patterns);
}

unsigned mlir::loss::getHostVectorBits() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  if (features.lookup("avx512f"))
    return 512;
  if (features.lookup("avx"))
    return 256;
  return 128;
}

namespace {
struct ConvertLossToLinalgPass
    : public loss::impl::ConvertLossToLinalgBase<ConvertLossToLinalgPass> {
  using Base::Base;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<LossDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, scf::SCFDialect,
                           tensor::TensorDialect, vector::VectorDialect>();
    // linalg.softmax takes the streaming log-sum-exp path too.
    target.addIllegalOp<linalg::SoftmaxOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    ConvertLossToLinalgOptions options;
    options.vectorBits = vectorBits;
    populateLossToLinalgPatterns(patterns, options);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
