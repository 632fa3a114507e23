//===- LossRunnerUtils.cpp - Runtime helpers for compiled tests -----------===//
//
// `lossCheckClose*` compares a computed tensor with the expected one (from
// PyTorch) elementwise, as numpy.isclose does, with NaN == NaN and infinities
// equal when their signs are (the rule of loss-mlir/Runner/Compare.h, which
// loss-run shares); it prints every value at full precision and a PASS/FAIL
// verdict line, so lit tests can FileCheck the verdict.
//
//===----------------------------------------------------------------------===//

#include "loss-mlir/Runner/Compare.h"

#include "mlir/ExecutionEngine/CRunnerUtils.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>

namespace {
using mlir::loss::runner::isClose;

template <typename T>
void checkClose(UnrankedMemRefType<T> *gotM, UnrankedMemRefType<T> *wantM,
                double rtol, double atol, int digits) {
  DynamicMemRefType<T> got(*gotM), want(*wantM);
  if (got.rank != want.rank) {
    printf("FAIL: rank %" PRId64 " vs expected %" PRId64 "\n", got.rank,
           want.rank);
    return;
  }
  int64_t n = 1;
  for (int64_t i = 0; i < got.rank; ++i) {
    if (got.sizes[i] != want.sizes[i]) {
      printf("FAIL: dim %" PRId64 " is %" PRId64 ", expected %" PRId64 "\n", i,
             got.sizes[i], want.sizes[i]);
      return;
    }
    n *= got.sizes[i];
  }
  auto gotIt = got.begin();
  auto wantIt = want.begin();
  int64_t bad = 0;
  double worst = 0.0;
  for (int64_t i = 0; i < n; ++i, ++gotIt, ++wantIt) {
    double g = static_cast<double>(*gotIt), w = static_cast<double>(*wantIt);
    bool ok = isClose(g, w, rtol, atol);
    if (!ok) {
      ++bad;
      printf("  mismatch at %" PRId64 ": got %.*g expected %.*g\n", i, digits,
             g, digits, w);
    } else if (std::isfinite(w) && w != 0.0) {
      worst = std::fmax(worst, std::fabs(g - w) / std::fabs(w));
    }
    if (n <= 16)
      printf("  [%" PRId64 "] %.*g\n", i, digits, g);
  }
  if (bad)
    printf("FAIL: %" PRId64 " of %" PRId64 " values differ\n", bad, n);
  else
    printf("PASS: %" PRId64 " values, max rel err %.3g\n", n, worst);
  fflush(stdout);
}
} // namespace

extern "C" {
void _mlir_ciface_lossCheckCloseF32(UnrankedMemRefType<float> *got,
                                    UnrankedMemRefType<float> *want,
                                    double rtol, double atol) {
  checkClose(got, want, rtol, atol, 9);
}

void _mlir_ciface_lossCheckCloseF64(UnrankedMemRefType<double> *got,
                                    UnrankedMemRefType<double> *want,
                                    double rtol, double atol) {
  checkClose(got, want, rtol, atol, 17);
}
}
