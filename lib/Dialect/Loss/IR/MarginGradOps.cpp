//===- MarginGradOps.cpp - Verifiers of the margin family's gradients -------===//
//
// Gradient ops of the margin and embedding losses (margin_ranking, hinge_embedding, soft_margin, multilabel_margin, multilabel_soft_margin, multi_margin, cosine_embedding, triplet_margin).
//
//===----------------------------------------------------------------------===//

#include "VerifyUtils.h"

using namespace mlir;
using namespace mlir::loss;
using namespace mlir::loss::verify;
