// The numeric suites again, compiled with OpenMP threads over independent
// rows and samples, and with full sums as per-block partials on threads
// (--loss-lower-to-llvm="parallel=true"): the same checks must hold with 2
// threads.
// REQUIRES: libomp
//
// RUN: loss-opt %S/cross_entropy.mlir --loss-lower-to-llvm="parallel=true" \
// RUN: | env OMP_NUM_THREADS=2 mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%loss_runner_utils,%mlir_c_runner_utils,%libomp \
// RUN: | FileCheck %S/cross_entropy.mlir
//
// RUN: loss-opt %S/ctc.mlir --loss-lower-to-llvm="parallel=true" \
// RUN: | env OMP_NUM_THREADS=2 mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%loss_runner_utils,%mlir_c_runner_utils,%libomp \
// RUN: | FileCheck %S/ctc.mlir
//
// RUN: loss-opt %S/large_reductions.mlir --loss-lower-to-llvm="parallel=true" \
// RUN: | env OMP_NUM_THREADS=2 mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%loss_runner_utils,%mlir_c_runner_utils,%libomp \
// RUN: | FileCheck %S/large_reductions.mlir
//
// RUN: loss-opt %S/regression_grad.mlir --loss-lower-to-llvm="parallel=true" \
// RUN: | env OMP_NUM_THREADS=2 mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%loss_runner_utils,%mlir_c_runner_utils,%libomp \
// RUN: | FileCheck %S/regression_grad.mlir
//
// RUN: loss-opt %S/margin.mlir --loss-lower-to-llvm="parallel=true" \
// RUN: | env OMP_NUM_THREADS=2 mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%loss_runner_utils,%mlir_c_runner_utils,%libomp \
// RUN: | FileCheck %S/margin.mlir
//
// RUN: loss-opt %S/regression_binary.mlir --loss-lower-to-llvm="parallel=true" \
// RUN: | env OMP_NUM_THREADS=2 mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%loss_runner_utils,%mlir_c_runner_utils,%libomp \
// RUN: | FileCheck %S/regression_binary.mlir
//
// RUN: loss-opt %S/regression_distance.mlir --loss-lower-to-llvm="parallel=true" \
// RUN: | env OMP_NUM_THREADS=2 mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%loss_runner_utils,%mlir_c_runner_utils,%libomp \
// RUN: | FileCheck %S/regression_distance.mlir
//
// RUN: loss-opt %S/regression_distributions.mlir --loss-lower-to-llvm="parallel=true" \
// RUN: | env OMP_NUM_THREADS=2 mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%loss_runner_utils,%mlir_c_runner_utils,%libomp \
// RUN: | FileCheck %S/regression_distributions.mlir
//
// RUN: loss-opt %S/regression_margin.mlir --loss-lower-to-llvm="parallel=true" \
// RUN: | env OMP_NUM_THREADS=2 mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%loss_runner_utils,%mlir_c_runner_utils,%libomp \
// RUN: | FileCheck %S/regression_margin.mlir
//
// RUN: loss-opt %S/fusion.mlir --loss-lower-to-llvm="parallel=true" \
// RUN: | env OMP_NUM_THREADS=2 mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%loss_runner_utils,%mlir_c_runner_utils,%libomp \
// RUN: | FileCheck %S/fusion.mlir
//
// RUN: loss-opt %S/parallel.mlir --loss-lower-to-llvm="parallel=true" \
// RUN: | FileCheck %s --check-prefix=IR
// IR: omp.parallel
// IR: omp.wsloop

func.func @rows(%x: tensor<64x100xf32>, %t: tensor<64xi64>) -> tensor<64xf32> {
  %0 = loss.softmax_cross_entropy %x, %t {reduction = #loss.reduction<none>} : (tensor<64x100xf32>, tensor<64xi64>) -> tensor<64xf32>
  return %0 : tensor<64xf32>
}
