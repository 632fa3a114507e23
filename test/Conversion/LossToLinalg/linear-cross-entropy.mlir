// RUN: loss-opt %s --convert-loss-to-linalg --canonicalize --cse --split-input-file \
// RUN: | FileCheck %s --implicit-check-not=4096x32000 --implicit-check-not=32000x4096 \
// RUN:   --implicit-check-not=70x1037 --implicit-check-not=1037x70
// Each block's states and gradients are updated in their slices of the
// results (no memref.copy back, whose dynamic-size form is a call to
// memrefCopy, which loss-run's JIT and loss-compile's libraries do not link).
// RUN: loss-opt %s --split-input-file --loss-lower-to-llvm="results-to-out-params=true" \
// RUN: | FileCheck %s --check-prefix=LLVM
// LLVM-NOT: memrefCopy

// linear_cross_entropy never makes its N x V logits (no type of that shape
// appears anywhere: the implicit CHECK-NOTs above): an scf.forall over
// blocks of 64 rows, and in each a sequential scf.for over vocabulary tiles
// (128 entries for H = 1024 f32, so that the weight tile is 512 KiB); a
// tile's logits are a linalg.matmul (weight transposed) of the blocks'
// slices into a tile started from the bias, folded at once into the rows'
// online-softmax state (max, sum of exponentials, target logit), which the
// forall writes back per block. The loss is finished from the [N] states.

// CHECK-LABEL: func.func @lce_tiles
// CHECK-SAME:    %[[H:arg0]]: tensor<4096x1024xf32>, %[[W:arg1]]: tensor<32000x1024xf32>, %[[T:arg2]]: tensor<4096xi64>, %[[B:arg3]]: tensor<32000xf32>
// CHECK-DAG:     %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG:     %[[C128:.*]] = arith.constant 128 : index
// CHECK-DAG:     %[[C4096:.*]] = arith.constant 4096 : index
// CHECK-DAG:     %[[C32000:.*]] = arith.constant 32000 : index
// CHECK:         %[[STATS:.*]]:3 = scf.forall (%[[BLK:.*]]) in (64) shared_outs(%[[O0:.*]] = %{{.*}}, %[[O1:.*]] = %{{.*}}, %[[O2:.*]] = %{{.*}}) -> (tensor<4096xf32>, tensor<4096xf32>, tensor<4096xf32>)
// CHECK:           %[[ROW0:.*]] = arith.muli %[[BLK]], %[[C64]]
// CHECK:           %[[LEFT:.*]] = arith.subi %[[C4096]], %[[ROW0]]
// CHECK:           %[[ROWS:.*]] = arith.minsi %[[LEFT]], %[[C64]]
// CHECK:           %[[HB:.*]] = tensor.extract_slice %[[H]][%[[ROW0]], 0] [%[[ROWS]], 1024] [1, 1] : tensor<4096x1024xf32> to tensor<?x1024xf32>
// CHECK:           %[[TB:.*]] = tensor.extract_slice %[[T]][%[[ROW0]]] [%[[ROWS]]] [1]
// CHECK:           %[[TILES:.*]]:3 = scf.for %[[COL0:.*]] = %{{.*}} to %[[C32000]] step %[[C128]] iter_args({{.*}}) -> (tensor<?xf32>, tensor<?xf32>, tensor<?xf32>)
// CHECK:             %[[CLEFT:.*]] = arith.subi %[[C32000]], %[[COL0]]
// CHECK:             %[[COLS:.*]] = arith.minsi %[[CLEFT]], %[[C128]]
// CHECK:             %[[WT:.*]] = tensor.extract_slice %[[W]][%[[COL0]], 0] [%[[COLS]], 1024] [1, 1] : tensor<32000x1024xf32> to tensor<?x1024xf32>
// CHECK:             %[[BT:.*]] = tensor.extract_slice %[[B]][%[[COL0]]] [%[[COLS]]] [1]
// CHECK:             %[[EMPTY:.*]] = tensor.empty(%[[ROWS]], %[[COLS]]) : tensor<?x?xf32>
// CHECK:             %[[INIT:.*]] = linalg.generic
// CHECK-SAME:          ins(%[[BT]] : tensor<?xf32>) outs(%[[EMPTY]] : tensor<?x?xf32>)
// CHECK:             %[[LOGITS:.*]] = linalg.matmul indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}] ins(%[[HB]], %[[WT]] : tensor<?x1024xf32>, tensor<?x1024xf32>) outs(%[[INIT]] : tensor<?x?xf32>) -> tensor<?x?xf32>
// CHECK:             %[[FOLD:.*]]:3 = linalg.generic
// CHECK-SAME:          iterator_types = ["parallel", "reduction"]
// CHECK-SAME:          ins(%[[LOGITS]], %[[TB]] : tensor<?x?xf32>, tensor<?xi64>)
// CHECK-SAME:          outs({{.*}} : tensor<?xf32>, tensor<?xf32>, tensor<?xf32>)
// CHECK:               linalg.index 1
// CHECK:               math.exp
// CHECK-NOT:           math.exp
// CHECK:               arith.cmpi eq
// CHECK:               linalg.yield
// CHECK:             scf.yield %[[FOLD]]#0, %[[FOLD]]#1, %[[FOLD]]#2
// CHECK:           scf.forall.in_parallel
// CHECK:             tensor.parallel_insert_slice %[[TILES]]#0 into %[[O0]][%[[ROW0]]] [%[[ROWS]]] [1] : tensor<?xf32> into tensor<4096xf32>
// CHECK:             tensor.parallel_insert_slice %[[TILES]]#1 into %[[O1]][%[[ROW0]]] [%[[ROWS]]] [1]
// CHECK:             tensor.parallel_insert_slice %[[TILES]]#2 into %[[O2]][%[[ROW0]]] [%[[ROWS]]] [1]
// CHECK:         %[[LOSS:.*]] = linalg.generic
// CHECK-SAME:      ins(%[[STATS]]#0, %[[STATS]]#1, %[[STATS]]#2, %[[T]] : tensor<4096xf32>, tensor<4096xf32>, tensor<4096xf32>, tensor<4096xi64>)
// CHECK:           math.log
// CHECK:         return %[[LOSS]] : tensor<4096xf32>
func.func @lce_tiles(%h: tensor<4096x1024xf32>, %w: tensor<32000x1024xf32>, %t: tensor<4096xi64>, %b: tensor<32000xf32>) -> tensor<4096xf32> {
  %0 = loss.linear_cross_entropy %h, %w, %t bias(%b) {reduction = #loss.reduction<none>}
      : (tensor<4096x1024xf32>, tensor<32000x1024xf32>, tensor<4096xi64>, tensor<32000xf32>) -> tensor<4096xf32>
  return %0 : tensor<4096xf32>
}

// -----

// Small H gets the largest tile (256); V = 1037 leaves a last tile of 13
// (min(256, V - col0)). Without a bias the tile starts from 0. Class
// weights and label smoothing add the target weight and the smoothing sums
// to the state (6 fields), the class weight read per tile.

// CHECK-LABEL: func.func @lce_class_weight_smoothing
// CHECK-DAG:     %[[C256:.*]] = arith.constant 256 : index
// CHECK-DAG:     %[[C1037:.*]] = arith.constant 1037 : index
// CHECK:         scf.forall (%{{.*}}) in (2) shared_outs({{.*}}) -> (tensor<70xf32>, tensor<70xf32>, tensor<70xf32>, tensor<70xf32>, tensor<70xf32>, tensor<70xf32>)
// CHECK:           scf.for %[[COL0:.*]] = %{{.*}} to %[[C1037]] step %[[C256]]
// CHECK:             %[[CLEFT:.*]] = arith.subi %[[C1037]], %[[COL0]]
// CHECK:             %[[COLS:.*]] = arith.minsi %[[CLEFT]], %[[C256]]
// CHECK:             %[[WT:.*]] = tensor.extract_slice %arg1[%[[COL0]], 0] [%[[COLS]], 32] [1, 1]
// CHECK:             %[[ZERO:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<?x?xf32>)
// CHECK:             %[[LOGITS:.*]] = linalg.matmul {{.*}} ins(%{{.*}}, %[[WT]] : tensor<?x32xf32>, tensor<?x32xf32>) outs(%[[ZERO]] : tensor<?x?xf32>)
// CHECK:             %[[CW:.*]] = tensor.extract_slice %arg3[%[[COL0]]] [%[[COLS]]] [1]
// CHECK:             linalg.generic
// CHECK-SAME:          iterator_types = ["parallel", "reduction"]
// CHECK-SAME:          ins(%[[LOGITS]], %{{.*}}, %[[CW]] : tensor<?x?xf32>, tensor<?xi64>, tensor<?xf32>)
// CHECK-SAME:          outs({{.*}} : tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>)
// CHECK:         arith.divf
// CHECK:         return
func.func @lce_class_weight_smoothing(%h: tensor<70x32xf32>, %w: tensor<1037x32xf32>, %t: tensor<70xi64>, %cw: tensor<1037xf32>) -> tensor<f32> {
  %0 = loss.linear_cross_entropy %h, %w, %t class_weight(%cw) {label_smoothing = 0.1 : f64}
      : (tensor<70x32xf32>, tensor<1037x32xf32>, tensor<70xi64>, tensor<1037xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Dynamic sizes: N, V and H are compared at run time before anything is
// read (cf.assert), the number of row blocks is ceil(N / 64). bf16 inputs
// make their tiles and states in f32.

// CHECK-LABEL: func.func @lce_dynamic_bf16
// CHECK-DAG:     %[[N:.*]] = tensor.dim %arg0, %c0
// CHECK-DAG:     %[[HH:.*]] = tensor.dim %arg0, %c1
// CHECK-DAG:     %[[V:.*]] = tensor.dim %arg1, %c0
// CHECK-DAG:     %[[HW:.*]] = tensor.dim %arg1, %c1
// CHECK:         %[[SAMEH:.*]] = arith.cmpi eq, %[[HH]], %[[HW]]
// CHECK:         cf.assert %[[SAMEH]]
// CHECK:         %[[NT:.*]] = tensor.dim %arg2, %c0
// CHECK:         %[[SAMEN:.*]] = arith.cmpi eq, %[[N]], %[[NT]]
// CHECK:         cf.assert %[[SAMEN]]
// CHECK:         %[[VB:.*]] = tensor.dim %arg3, %c0
// CHECK:         %[[SAMEV:.*]] = arith.cmpi eq, %[[V]], %[[VB]]
// CHECK:         cf.assert %[[SAMEV]]
// CHECK-NOT:     tensor.extract_slice
// CHECK:         %[[NB:.*]] = arith.ceildivsi %[[N]], %c64
// CHECK:         scf.forall (%{{.*}}) in (%[[NB]]) shared_outs({{.*}}) -> (tensor<?xf32>, tensor<?xf32>, tensor<?xf32>)
// CHECK:           scf.for %{{.*}} = %c0 to %[[V]] step %c128
// CHECK:           linalg.matmul {{.*}} ins(%{{.*}}, %{{.*}} : tensor<?x?xbf16>, tensor<?x?xbf16>) outs(%{{.*}} : tensor<?x?xf32>)
// CHECK:         arith.truncf {{.*}} : f32 to bf16
func.func @lce_dynamic_bf16(%h: tensor<?x?xbf16>, %w: tensor<?x?xbf16>, %t: tensor<?xi32>, %b: tensor<?xbf16>) -> tensor<bf16> {
  %0 = loss.linear_cross_entropy %h, %w, %t bias(%b)
      : (tensor<?x?xbf16>, tensor<?x?xbf16>, tensor<?xi32>, tensor<?xbf16>) -> tensor<bf16>
  return %0 : tensor<bf16>
}

// -----

// The gradient makes the row statistics as the forward does (the target
// logit, unused, is dropped), then makes each tile of logits again: an
// scf.forall over row blocks sums dlogits @ weight tile into grad_hidden
// (plain matmul), and an scf.forall over the 250 vocabulary tiles sums
// dlogits^T @ hidden block into grad_weight (A transposed) and dlogits'
// column sums into grad_bias over the row blocks, so that no two threads
// write the same rows. No N x V type appears (implicit CHECK-NOTs).

// CHECK-LABEL: func.func @lce_grad
// CHECK-SAME:    %[[H:arg0]]: tensor<4096x1024xf32>, %[[W:arg1]]: tensor<32000x1024xf32>
// CHECK:         scf.forall (%{{.*}}) in (64) shared_outs({{.*}}) -> (tensor<4096xf32>, tensor<4096xf32>)
// CHECK:           scf.for
// CHECK:             linalg.matmul
// CHECK:         %[[GH:.*]] = scf.forall (%{{.*}}) in (64) shared_outs(%[[GHO:.*]] = %{{.*}}) -> (tensor<4096x1024xf32>)
// CHECK:           %[[GHT:.*]] = scf.for %{{.*}} = %c0 to %c32000 step %c128 iter_args(%{{.*}} = %{{.*}}) -> (tensor<?x1024xf32>)
// CHECK:             %[[WT:.*]] = tensor.extract_slice %[[W]]
// CHECK:             %[[LOGITS:.*]] = linalg.matmul indexing_maps = {{.*}} ins(%{{.*}}, %[[WT]] : tensor<?x1024xf32>, tensor<?x1024xf32>) outs(%{{.*}} : tensor<?x?xf32>)
// CHECK:             %[[DL:.*]] = linalg.generic
// CHECK-SAME:          iterator_types = ["parallel", "parallel"]
// CHECK-SAME:          ins(%[[LOGITS]],
// CHECK:               math.floor
// CHECK:             linalg.matmul ins(%[[DL]], %[[WT]] : tensor<?x?xf32>, tensor<?x1024xf32>) outs(%{{.*}} : tensor<?x1024xf32>)
// CHECK:           scf.forall.in_parallel
// CHECK:             tensor.parallel_insert_slice %[[GHT]] into %[[GHO]][%{{.*}}, 0] [%{{.*}}, 1024] [1, 1] : tensor<?x1024xf32> into tensor<4096x1024xf32>
// CHECK:         %[[GW:.*]]:2 = scf.forall (%{{.*}}) in (250) shared_outs(%[[GWO:.*]] = %{{.*}}, %[[GBO:.*]] = %{{.*}}) -> (tensor<32000x1024xf32>, tensor<32000xf32>)
// CHECK:           %[[SUMS:.*]]:2 = scf.for %{{.*}} = %c0 to %c4096 step %c64 iter_args({{.*}}) -> (tensor<?x1024xf32>, tensor<?xf32>)
// CHECK:             %[[HB:.*]] = tensor.extract_slice %[[H]]
// CHECK:             %[[LOGITS2:.*]] = linalg.matmul indexing_maps = {{.*}} ins(%[[HB]], %{{.*}} : tensor<?x1024xf32>, tensor<?x1024xf32>) outs(%{{.*}} : tensor<?x?xf32>)
// CHECK:             %[[DL2:.*]] = linalg.generic
// CHECK-SAME:          ins(%[[LOGITS2]],
// CHECK:             linalg.matmul indexing_maps = {{.*}} ins(%[[DL2]], %[[HB]] : tensor<?x?xf32>, tensor<?x1024xf32>) outs(%{{.*}} : tensor<?x1024xf32>)
// CHECK:             linalg.generic
// CHECK-SAME:          iterator_types = ["reduction", "parallel"]
// CHECK-SAME:          ins(%[[DL2]] : tensor<?x?xf32>) outs(%{{.*}} : tensor<?xf32>)
// CHECK:           scf.forall.in_parallel
// CHECK:             tensor.parallel_insert_slice %[[SUMS]]#0 into %[[GWO]]
// CHECK:             tensor.parallel_insert_slice %[[SUMS]]#1 into %[[GBO]]
// CHECK:         return %[[GH]], %[[GW]]#0, %[[GW]]#1
func.func @lce_grad(%h: tensor<4096x1024xf32>, %w: tensor<32000x1024xf32>, %t: tensor<4096xi64>, %b: tensor<32000xf32>, %g: tensor<f32>) -> (tensor<4096x1024xf32>, tensor<32000x1024xf32>, tensor<32000xf32>) {
  %0:3 = loss.linear_cross_entropy_grad %h, %w, %t bias(%b), %g
      : (tensor<4096x1024xf32>, tensor<32000x1024xf32>, tensor<4096xi64>, tensor<32000xf32>, tensor<f32>)
      -> (tensor<4096x1024xf32>, tensor<32000x1024xf32>, tensor<32000xf32>)
  return %0#0, %0#1, %0#2 : tensor<4096x1024xf32>, tensor<32000x1024xf32>, tensor<32000xf32>
}
