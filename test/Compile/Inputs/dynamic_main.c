/* Calls the entry points loss-compile made of dynamic.mlir (through the
 * generated header) on c_api_expected.h's inputs, compares with PyTorch's
 * values, and checks that bad sizes return a status, not abort. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dyn.h"
#include "c_api_expected.h"

static int failures = 0;

static void check(const char *what, double got, double want, double rtol) {
  double err = fabs(got - want);
  if (!(err <= rtol * fabs(want) + 1e-12)) {
    printf("FAIL %s: %.17g, torch %.17g\n", what, got, want);
    ++failures;
  }
}

int main(void) {
  float loss = 0, grad[N * C];
  int32_t rc = cross_entropy(logits, N, C, target, N, &loss);
  printf("cross_entropy rc=%d\n", rc);
  check("cross_entropy", loss, expected_ce, 1e-6);

  memset(grad, 0, sizeof grad);
  rc = cross_entropy_value_and_grad(logits, N, C, target, N, &loss, grad);
  printf("cross_entropy_value_and_grad rc=%d\n", rc);
  check("cross_entropy_value_and_grad loss", loss, expected_ce, 1e-6);
  for (int i = 0; i < N * C; ++i)
    check("grad_logits", grad[i], expected_grad_logits[i], 1e-5);

  double sl[M], gx[M], gy[M];
  rc = per_sample_value_and_grad(x, M, y, M, sl, gx, gy);
  printf("per_sample_value_and_grad rc=%d\n", rc);
  for (int i = 0; i < M; ++i) {
    check("smooth_l1", sl[i], expected_smooth_l1[i], 1e-12);
    check("grad_x", gx[i], expected_grad_x[i], 1e-12);
    check("grad_y", gy[i], expected_grad_y[i], 1e-12);
  }

  /* A target shorter than the batch: a status and a message, no abort. */
  rc = cross_entropy(logits, N, C, target, N - 1, &loss);
  printf("short target rc=%d error=%s\n", rc, dyn_last_error());
  rc = per_sample(x, M, y, M - 1, sl);
  printf("short y rc=%d\n", rc);
  /* A negative dim. */
  rc = per_sample(x, -1, y, -1, sl);
  printf("negative dim rc=%d error=%s\n", rc, dyn_last_error());
  /* Success resets the message. */
  rc = per_sample(x, M, y, M, sl);
  printf("again rc=%d error='%s'\n", rc, dyn_last_error());

  printf("%d failures\n", failures);
  return failures != 0;
}
