//===- BinaryGrad.cpp - Gradients of the binary family to linalg ------------===//
//
// Lowers the gradient ops of bce, bce_with_logits, poisson_nll, gaussian_nll and kl_div.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "loss-mlir/Conversion/LossToLinalg/LossToLinalg.h"

using namespace mlir;
using namespace mlir::loss;

void mlir::loss::populateBinaryGradToLinalgPatterns(RewritePatternSet &patterns) {
}
