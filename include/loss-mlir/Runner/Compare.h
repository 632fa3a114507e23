//===- Compare.h - When a computed value is close enough --------*- C++ -*-===//
//
// Why this exists: the closeness rule (numpy.isclose with NaN == NaN and
// infinities equal only to themselves) is used by loss-run's ONNX test runner
// and by libloss_runner_utils.so, which compiled test programs call. It lives
// here once. `isClose` is inline and needs nothing but <cmath>, so the
// runtime library, which links no MLIR, uses it as is.
//
//===----------------------------------------------------------------------===//

#ifndef LOSS_MLIR_RUNNER_COMPARE_H
#define LOSS_MLIR_RUNNER_COMPARE_H

#include <cmath>
#include <string>

namespace mlir {
namespace loss {
namespace runner {

/// Whether `got` is close to `want`: |got - want| <= atol + rtol * |want|;
/// NaN is close to NaN only, an infinity to the same infinity only.
inline bool isClose(double got, double want, double rtol, double atol) {
  if (std::isnan(want) || std::isnan(got))
    return std::isnan(want) && std::isnan(got);
  if (std::isinf(want) || std::isinf(got))
    return got == want;
  return std::fabs(got - want) <= atol + rtol * std::fabs(want);
}

struct HostTensor;

/// Compares `got` with `want` element by element with `isClose`. Returns ""
/// if they agree, and raises `maxAbsError` to the largest finite absolute
/// error seen; else describes the first disagreement ("has shape [..],
/// expected [..]" or "element I: got G, expected W").
std::string compareTensors(const HostTensor &got, const HostTensor &want,
                           double rtol, double atol, double &maxAbsError);

} // namespace runner
} // namespace loss
} // namespace mlir

#endif // LOSS_MLIR_RUNNER_COMPARE_H
