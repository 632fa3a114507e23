//===- SoftmaxGradOps.cpp - Verifiers of the softmax family's gradients -------===//
//
// Gradient ops of log_softmax, nll and softmax_cross_entropy.
//
//===----------------------------------------------------------------------===//

#include "VerifyUtils.h"

using namespace mlir;
using namespace mlir::loss;
using namespace mlir::loss::verify;
