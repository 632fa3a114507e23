//===- Margin.cpp - Margin losses to linalg ---------------------------------===//

#include "Utils.h"
#include "loss-mlir/Conversion/LossToLinalg/LossToLinalg.h"

using namespace mlir;
using namespace mlir::loss;

void mlir::loss::populateMarginToLinalgPatterns(RewritePatternSet &patterns) {}
