//===- Compare.cpp - Compare a computed tensor with the expected one ------===//
//
// The tensor-level check of the ONNX test runner, on the shared `isClose`.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Runner/Compare.h"
#include "loss-mlir/Runner/TensorIO.h"

#include <algorithm>
#include <cstdio>

using namespace mlir::loss::runner;

std::string mlir::loss::runner::compareTensors(const HostTensor &got,
                                               const HostTensor &want,
                                               double rtol, double atol,
                                               double &maxAbsError) {
  if (got.shape != want.shape)
    return "has shape " + shapeName(got.shape) + ", expected " +
           shapeName(want.shape);
  for (int64_t i = 0, e = got.numElements(); i < e; ++i) {
    double g = elementAsDouble(got, i), w = elementAsDouble(want, i);
    if (!isClose(g, w, rtol, atol)) {
      char buf[128];
      snprintf(buf, sizeof(buf), "element %lld: got %.9g, expected %.9g",
               static_cast<long long>(i), g, w);
      return buf;
    }
    double err = std::fabs(g - w);
    if (std::isfinite(err))
      maxAbsError = std::max(maxAbsError, err);
  }
  return "";
}
