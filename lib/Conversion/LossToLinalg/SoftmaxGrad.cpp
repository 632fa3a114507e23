//===- SoftmaxGrad.cpp - Gradients of the softmax family to linalg ------------===//
//
// Lowers the gradient ops of log_softmax, nll and softmax_cross_entropy.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "loss-mlir/Conversion/LossToLinalg/LossToLinalg.h"

using namespace mlir;
using namespace mlir::loss;

void mlir::loss::populateSoftmaxGradToLinalgPatterns(RewritePatternSet &patterns) {
}
