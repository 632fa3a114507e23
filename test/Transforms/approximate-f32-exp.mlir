// RUN: loss-opt %s --approximate-f32-exp | FileCheck %s

// f32 exp becomes plain (vectorizable) arithmetic; f64 keeps math.exp.

// CHECK-LABEL: func.func @exp_f32
// CHECK-NOT:     math.exp
// CHECK:         arith.mulf
// CHECK:         return
func.func @exp_f32(%x: f32, %v: vector<8xf32>) -> (f32, vector<8xf32>) {
  %0 = math.exp %x : f32
  %1 = math.exp %v : vector<8xf32>
  return %0, %1 : f32, vector<8xf32>
}

// CHECK-LABEL: func.func @exp_f64
// CHECK:         math.exp %{{.*}} : f64
func.func @exp_f64(%x: f64) -> f64 {
  %0 = math.exp %x : f64
  return %0 : f64
}
