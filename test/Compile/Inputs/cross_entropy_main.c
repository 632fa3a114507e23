/* Calls the entry point loss-compile made of examples/cross_entropy's ONNX
 * model on the example's .npy inputs and compares the loss with the value
 * PyTorch gave (examples/cross_entropy/expected.txt, "... loss = X",
 * whose path is argv[3]). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "ce.h"

/* The data of a NumPy .npy file of `bytes` bytes (version 1 header). */
static int readNpy(const char *path, void *data, size_t bytes) {
  FILE *f = fopen(path, "rb");
  unsigned char head[10];
  if (!f || fread(head, 1, 10, f) != 10 || memcmp(head, "\x93NUMPY", 6)) {
    fprintf(stderr, "%s: not a .npy file\n", path);
    return 1;
  }
  long headerLen = head[8] | (head[9] << 8);
  if (fseek(f, headerLen, SEEK_CUR) || fread(data, 1, bytes, f) != bytes) {
    fprintf(stderr, "%s: too short\n", path);
    return 1;
  }
  fclose(f);
  return 0;
}

int main(int argc, char **argv) {
  float logits[8 * 10], loss = 0;
  int64_t target[8];
  if (argc != 4 || readNpy(argv[1], logits, sizeof logits) ||
      readNpy(argv[2], target, sizeof target))
    return 2;
  int32_t rc = main_graph(logits, target, &loss);
  char text[256] = {0};
  FILE *f = fopen(argv[3], "r");
  const char *at = f && fread(text, 1, sizeof text - 1, f) ? strstr(text, "loss = ") : NULL;
  if (!at) {
    fprintf(stderr, "%s: no 'loss = ' value\n", argv[3]);
    return 2;
  }
  fclose(f);
  double want = atof(at + 7);
  printf("rc=%d loss=%.8g torch=%.8g %s\n", rc, loss, want,
         fabs(loss - want) <= 1e-6 * fabs(want) ? "close" : "FAR");
  return rc;
}
