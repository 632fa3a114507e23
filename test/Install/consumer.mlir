// A project outside loss-mlir builds against an install of this build
// (find_package(LossMLIR), test/Install/consumer) and runs a loss pass.
// The instrumented build's libraries would need the sanitizer runtimes in the
// consumer's link.
// UNSUPPORTED: loss-sanitized
// RUN: rm -rf %t && mkdir -p %t
// RUN: %cmake --install %loss_mlir_obj_root --prefix %t/prefix > %t/install.log
// RUN: %cmake -G Ninja -S %S/consumer -B %t/build -DCMAKE_BUILD_TYPE=Release \
// RUN:   -DCMAKE_MAKE_PROGRAM=%make_program -DCMAKE_CXX_COMPILER=%host_cxx \
// RUN:   -DCMAKE_PREFIX_PATH=%t/prefix > %t/configure.log
// RUN: %cmake --build %t/build > %t/build.log
// RUN: %t/build/consumer-opt %s --loss-fuse-log-softmax-nll | FileCheck %s

// CHECK-LABEL: func.func @fuse
// CHECK-NOT:     loss.log_softmax
// CHECK:         %[[L:.*]] = loss.softmax_cross_entropy %arg0, %arg1 : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
// CHECK-NOT:     loss.nll
// CHECK:         return %[[L]]
func.func @fuse(%x: tensor<4x10xf32>, %t: tensor<4xi64>) -> tensor<f32> {
  %lp = loss.log_softmax %x {axis = 1 : i64} : tensor<4x10xf32>
  %l = loss.nll %lp, %t : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %l : tensor<f32>
}
