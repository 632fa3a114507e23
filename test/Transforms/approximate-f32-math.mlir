// RUN: loss-opt %s --approximate-f32-math | FileCheck %s

// f32 exp and log become plain (vectorizable) arithmetic; f64 keeps libm.

// CHECK-LABEL: func.func @exp_f32
// CHECK-NOT:     math.exp
// CHECK:         arith.mulf
// CHECK:         return
func.func @exp_f32(%x: f32, %v: vector<8xf32>) -> (f32, vector<8xf32>) {
  %0 = math.exp %x : f32
  %1 = math.exp %v : vector<8xf32>
  return %0, %1 : f32, vector<8xf32>
}

// Subnormal inputs are scaled into the normal range first (x * 2^24), and
// 24 ln 2 taken off the result.
// CHECK-LABEL: func.func @log_f32
// CHECK-DAG:     %[[TINY:.*]] = arith.constant dense<1.17549435E-38> : vector<8xf32>
// CHECK-DAG:     %[[SCALE:.*]] = arith.constant dense<0x4B800000> : vector<8xf32>
// CHECK-DAG:     %[[SHIFT:.*]] = arith.constant dense<16.6355324> : vector<8xf32>
// CHECK:         %[[IS_TINY:.*]] = arith.cmpf olt, %{{.*}}, %[[TINY]]
// CHECK:         arith.mulf %{{.*}}, %[[SCALE]]
// CHECK-NOT:     math.log
// CHECK:         arith.subf %{{.*}}, %[[SHIFT]]
// CHECK:         arith.select %[[IS_TINY]]
// CHECK:         return
func.func @log_f32(%v: vector<8xf32>) -> vector<8xf32> {
  %0 = math.log %v : vector<8xf32>
  return %0 : vector<8xf32>
}

// CHECK-LABEL: func.func @exp_log_f64
// CHECK:         math.exp %{{.*}} : f64
// CHECK:         math.log %{{.*}} : f64
func.func @exp_log_f64(%x: f64) -> f64 {
  %0 = math.exp %x : f64
  %1 = math.log %0 : f64
  return %1 : f64
}
