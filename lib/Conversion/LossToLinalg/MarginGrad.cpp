//===- MarginGrad.cpp - Gradients of the margin family to linalg ------------===//
//
// Lowers the gradient ops of the margin and embedding losses (margin_ranking, hinge_embedding, soft_margin, multilabel_margin, multilabel_soft_margin, multi_margin, cosine_embedding, triplet_margin).
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "loss-mlir/Conversion/LossToLinalg/LossToLinalg.h"

using namespace mlir;
using namespace mlir::loss;

void mlir::loss::populateMarginGradToLinalgPatterns(RewritePatternSet &patterns) {
}
