//===- BinaryGradOps.cpp - Verifiers of the binary family's gradients -------===//
//
// Gradient ops of bce, bce_with_logits, poisson_nll, gaussian_nll and kl_div.
//
//===----------------------------------------------------------------------===//

#include "VerifyUtils.h"

using namespace mlir;
using namespace mlir::loss;
using namespace mlir::loss::verify;
