// RUN: loss-opt %s --convert-loss-to-linalg="vector-bits=256" --canonicalize --cse | FileCheck %s
// RUN: loss-opt %s --convert-loss-to-linalg="vector-bits=128" --canonicalize --cse | FileCheck %s --check-prefix=V4
// RUN: loss-opt %s --convert-loss-to-linalg --canonicalize --cse | FileCheck %s --check-prefix=SCALAR

// The CTC alpha recursion in explicit vectors of the requested width: per
// sample two state rows split by parity (blanks and labels, S_n + 1 each),
// the clamped classes and skip flags of its labels, then a sequential time
// loop whose body updates the top blank and sweeps chunks of labels with
// masked reads and writes, one gather of the chunk's emissions from the
// row lp[t, n, :], and the log-sum-exp on vectors. Nothing of size T x S.

// CHECK-LABEL: func.func @ctc_padded
// CHECK-SAME:    %[[LP:[a-z0-9]+]]: tensor<50x4x20xf32>
// CHECK-NOT:     tensor<50x{{.*}}x21xf32>
// CHECK:         scf.forall
// CHECK:           tensor.empty(%{{.*}}) : tensor<?xf32>
// CHECK:           scf.for {{.*}} -> (tensor<?xf32>, tensor<?xf32>)
// CHECK:           scf.for {{.*}} -> (tensor<?xi64>, tensor<?xi8>)
// CHECK:           arith.ceildivui %{{.*}}, %c8
// CHECK:           scf.for {{.*}} -> (tensor<?xf32>, tensor<?xf32>)
// CHECK:             tensor.extract %[[LP]]
// CHECK:             scf.for {{.*}} -> (tensor<?xf32>, tensor<?xf32>)
// CHECK:               vector.create_mask %{{.*}} : vector<8xi1>
// CHECK:               vector.transfer_read {{.*}} : tensor<?xf32>, vector<8xf32>
// CHECK:               vector.transfer_read {{.*}} : tensor<?xi8>, vector<8xi8>
// CHECK:               vector.transfer_read {{.*}} : tensor<?xi64>, vector<8xi64>
// CHECK:               vector.gather %[[LP]][{{.*}}] [{{.*}}], {{.*}} : tensor<50x4x20xf32>, vector<8xi64>, vector<8xi1>, vector<8xf32> into vector<8xf32>
// CHECK:               math.exp {{.*}} : vector<8xf32>
// CHECK:               math.log {{.*}} : vector<8xf32>
// CHECK:               vector.transfer_write {{.*}} : vector<8xf32>, tensor<?xf32>
// CHECK:               vector.transfer_write {{.*}} : vector<8xf32>, tensor<?xf32>
// CHECK:           scf.forall.in_parallel

// V4-LABEL: func.func @ctc_padded
// V4:         vector.gather {{.*}} : tensor<50x4x20xf32>, vector<4xi64>, vector<4xi1>, vector<4xf32> into vector<4xf32>

// f16 keeps the scalar loops (vectors of 16-bit floats are not native on x86
// without AVX512-FP16), and so does vector-bits=0.
// CHECK-LABEL: func.func @ctc_f16
// CHECK-NOT:     vector.gather
// CHECK:         return

// SCALAR-LABEL: func.func @ctc_padded
// SCALAR-NOT:     vector.
// SCALAR:         return
func.func @ctc_padded(%lp: tensor<50x4x20xf32>, %tg: tensor<4x10xi64>,
                      %il: tensor<4xi64>, %tl: tensor<4xi64>) -> tensor<f32> {
  %0 = loss.ctc %lp, %tg, %il, %tl : (tensor<50x4x20xf32>, tensor<4x10xi64>, tensor<4xi64>, tensor<4xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

func.func @ctc_f16(%lp: tensor<50x4x20xf16>, %tg: tensor<4x10xi64>,
                   %il: tensor<4xi64>, %tl: tensor<4xi64>) -> tensor<f16> {
  %0 = loss.ctc %lp, %tg, %il, %tl : (tensor<50x4x20xf16>, tensor<4x10xi64>, tensor<4xi64>, tensor<4xi64>) -> tensor<f16>
  return %0 : tensor<f16>
}
