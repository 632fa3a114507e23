// RUN: loss-opt %s --asserts-to-status --split-input-file | FileCheck %s

// A function-level check becomes a branch to a block that records the
// failure and returns; the check in the nested region keeps aborting.
// CHECK: llvm.mlir.global internal constant @__loss_mlir_error_0("sizes differ\00")
// CHECK: llvm.mlir.global internal thread_local @__loss_mlir_error() {{.*}} : !llvm.ptr {
// CHECK-NEXT: llvm.mlir.zero : !llvm.ptr
// CHECK: llvm.mlir.global internal thread_local @__loss_mlir_status() {{.*}} : i32 {
// CHECK-NEXT: llvm.mlir.constant(0 : i32) : i32
// CHECK-LABEL: func.func @f(
// CHECK-SAME: %[[OK:.*]]: i1, %[[INNER:.*]]: i1
// CHECK: cf.cond_br %[[OK]], ^[[REST:.*]], ^[[FAIL:.*]]
// CHECK: ^[[REST]]:
// CHECK: scf.execute_region
// CHECK: cf.assert %[[INNER]], "inner"
// CHECK: return
// CHECK: ^[[FAIL]]:
// CHECK: %[[ONE:.*]] = llvm.mlir.constant(1 : i32) : i32
// CHECK: %[[S:.*]] = llvm.mlir.addressof @__loss_mlir_status : !llvm.ptr
// CHECK: llvm.store %[[ONE]], %[[S]] : i32, !llvm.ptr
// CHECK: %[[M:.*]] = llvm.mlir.addressof @__loss_mlir_error_0
// CHECK: %[[E:.*]] = llvm.mlir.addressof @__loss_mlir_error : !llvm.ptr
// CHECK: llvm.store %{{.*}}, %[[E]] : !llvm.ptr, !llvm.ptr
// CHECK: return
func.func @f(%ok: i1, %inner: i1) {
  cf.assert %ok, "sizes differ"
  scf.execute_region {
    cf.assert %inner, "inner"
    scf.yield
  }
  return
}

// A function with results is left alone (its caller could not tell).
// CHECK-LABEL: func.func @g(
// CHECK: cf.assert %{{.*}}, "kept"
func.func @g(%ok: i1) -> i1 {
  cf.assert %ok, "kept"
  return %ok : i1
}

// -----

// No check: nothing is added.
// CHECK-NOT: llvm.mlir.global
// CHECK-LABEL: func.func @h(
func.func @h() {
  return
}
