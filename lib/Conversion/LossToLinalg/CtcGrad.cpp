//===- CtcGrad.cpp - Gradients of the ctc family to linalg ------------===//
//
// Lowers the gradient ops of ctc.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "loss-mlir/Conversion/LossToLinalg/LossToLinalg.h"

using namespace mlir;
using namespace mlir::loss;

void mlir::loss::populateCtcGradToLinalgPatterns(RewritePatternSet &patterns) {
}
