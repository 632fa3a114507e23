//===- CtcGradOps.cpp - Verifiers of the ctc family's gradients -------===//
//
// Gradient ops of ctc.
//
//===----------------------------------------------------------------------===//

#include "VerifyUtils.h"

using namespace mlir;
using namespace mlir::loss;
using namespace mlir::loss::verify;
