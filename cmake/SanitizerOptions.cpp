//===- SanitizerOptions.cpp - Defaults of the instrumented tools ----------===//
//
// Linked into loss-opt, loss-translate, loss-run and the fuzz targets when
// they are built with LOSS_MLIR_SANITIZE (cmake/LossSanitizers.cmake), so
// that `lit build-fuzz/test` needs no environment: a report aborts (lit's
// `not` then sees a crash rather than a plain error exit, and the test
// fails), stacks are symbolized with LLVM's symbolizer. ASAN_OPTIONS and
// UBSAN_OPTIONS still override these.
//
//===----------------------------------------------------------------------===//

#ifndef LOSS_MLIR_SYMBOLIZER
#define LOSS_MLIR_SYMBOLIZER "llvm-symbolizer"
#endif

#define LOSS_SANITIZER_HOOK extern "C" __attribute__((visibility("default"), used))

LOSS_SANITIZER_HOOK const char *__asan_default_options() {
  // allow_user_poisoning=0: LLVM's headers poison the unused parts of
  // BumpPtrAllocator slabs when the includer is built with ASan; Debian's
  // uninstrumented libMLIR then hands out memory from such a slab without
  // unpoisoning it, and its first write is reported (use-after-poison in
  // the StorageUniquer). ASan's own redzones are unaffected.
  return "abort_on_error=1:allow_user_poisoning=0:"
         "external_symbolizer_path=" LOSS_MLIR_SYMBOLIZER;
}

LOSS_SANITIZER_HOOK const char *__ubsan_default_options() {
  return "print_stacktrace=1:abort_on_error=1:"
         "external_symbolizer_path=" LOSS_MLIR_SYMBOLIZER;
}
