// RUN: loss-opt %s -split-input-file -verify-diagnostics

// One case (at least) per verifier rule of loss.ctc_grad
// (lib/Dialect/Loss/IR/CtcGradOps.cpp and the shared verifyCtcOperands).

func.func @ctc_grad_log_probs_rank(%lp: tensor<5xf32>, %tg: tensor<2xi64>, %l: tensor<i64>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.ctc_grad' op 'log_probs' must be [T, N, C] or [T, C], got [5]}}
  %0 = loss.ctc_grad %lp, %tg, %l, %l, %g : (tensor<5xf32>, tensor<2xi64>, tensor<i64>, tensor<i64>, tensor<f32>) -> tensor<5xf32>
  return
}

// -----

func.func @ctc_grad_blank_negative(%lp: tensor<5x2x3xf32>, %tg: tensor<2x2xi64>, %l: tensor<2xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.ctc_grad' op attribute 'blank' failed to satisfy constraint: 64-bit signless integer attribute whose value is non-negative}}
  %0 = loss.ctc_grad %lp, %tg, %l, %l, %g {blank = -1 : i64} : (tensor<5x2x3xf32>, tensor<2x2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<f32>) -> tensor<5x2x3xf32>
  return
}

// -----

func.func @ctc_grad_blank_too_large(%lp: tensor<5x2x3xf32>, %tg: tensor<2x2xi64>, %l: tensor<2xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.ctc_grad' op 'blank' must be in [0, C) = [0, 3), got 3}}
  %0 = loss.ctc_grad %lp, %tg, %l, %l, %g {blank = 3 : i64} : (tensor<5x2x3xf32>, tensor<2x2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<f32>) -> tensor<5x2x3xf32>
  return
}

// -----

func.func @ctc_grad_targets_rank(%lp: tensor<5x2x3xf32>, %tg: tensor<2x2x1xi64>, %l: tensor<2xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.ctc_grad' op 'targets' must be padded [N, S] or concatenated 1-D, got [2, 2, 1]}}
  %0 = loss.ctc_grad %lp, %tg, %l, %l, %g : (tensor<5x2x3xf32>, tensor<2x2x1xi64>, tensor<2xi64>, tensor<2xi64>, tensor<f32>) -> tensor<5x2x3xf32>
  return
}

// -----

func.func @ctc_grad_padded_rows(%lp: tensor<5x2x3xf32>, %tg: tensor<3x2xi64>, %l: tensor<2xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.ctc_grad' op padded 'targets' must have N = [2] rows, got [3, 2]}}
  %0 = loss.ctc_grad %lp, %tg, %l, %l, %g : (tensor<5x2x3xf32>, tensor<3x2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<f32>) -> tensor<5x2x3xf32>
  return
}

// -----

func.func @ctc_grad_unbatched_targets_rank(%lp: tensor<5x3xf32>, %tg: tensor<1x2xi64>, %l: tensor<i64>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.ctc_grad' op unbatched 'targets' must be 1-D [S], got [1, 2]}}
  %0 = loss.ctc_grad %lp, %tg, %l, %l, %g : (tensor<5x3xf32>, tensor<1x2xi64>, tensor<i64>, tensor<i64>, tensor<f32>) -> tensor<5x3xf32>
  return
}

// -----

func.func @ctc_grad_input_lengths_shape(%lp: tensor<5x2x3xf32>, %tg: tensor<2x2xi64>, %il: tensor<3xi64>, %tl: tensor<2xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.ctc_grad' op 'input_lengths' must have shape [2], got [3]}}
  %0 = loss.ctc_grad %lp, %tg, %il, %tl, %g : (tensor<5x2x3xf32>, tensor<2x2xi64>, tensor<3xi64>, tensor<2xi64>, tensor<f32>) -> tensor<5x2x3xf32>
  return
}

// -----

func.func @ctc_grad_target_lengths_unbatched(%lp: tensor<5x3xf32>, %tg: tensor<2xi64>, %il: tensor<i64>, %tl: tensor<2xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.ctc_grad' op 'target_lengths' must have shape [] or [1], got [2]}}
  %0 = loss.ctc_grad %lp, %tg, %il, %tl, %g : (tensor<5x3xf32>, tensor<2xi64>, tensor<i64>, tensor<2xi64>, tensor<f32>) -> tensor<5x3xf32>
  return
}

// -----

func.func @ctc_grad_float_lengths(%lp: tensor<5x2x3xf32>, %tg: tensor<2x2xi64>, %il: tensor<2xf32>, %tl: tensor<2xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.ctc_grad' op operand #2 must be ranked tensor of signless integer values, but got 'tensor<2xf32>'}}
  %0 = loss.ctc_grad %lp, %tg, %il, %tl, %g : (tensor<5x2x3xf32>, tensor<2x2xi64>, tensor<2xf32>, tensor<2xi64>, tensor<f32>) -> tensor<5x2x3xf32>
  return
}

// -----

func.func @ctc_grad_batchmean(%lp: tensor<5x2x3xf32>, %tg: tensor<2x2xi64>, %l: tensor<2xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.ctc_grad' op attribute 'reduction' failed to satisfy constraint: how per-element losses are reduced except batchmean (only kl_div takes it)}}
  %0 = loss.ctc_grad %lp, %tg, %l, %l, %g {reduction = #loss.reduction<batchmean>} : (tensor<5x2x3xf32>, tensor<2x2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<f32>) -> tensor<5x2x3xf32>
  return
}

// -----

func.func @ctc_grad_grad_output_type(%lp: tensor<5x2x3xf32>, %tg: tensor<2x2xi64>, %l: tensor<2xi64>, %g: tensor<f64>) {
  // expected-error @+1 {{'loss.ctc_grad' op 'grad_output' element type 'f64' must match the 'log_probs' element type 'f32'}}
  %0 = loss.ctc_grad %lp, %tg, %l, %l, %g : (tensor<5x2x3xf32>, tensor<2x2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<f64>) -> tensor<5x2x3xf32>
  return
}

// -----

func.func @ctc_grad_grad_output_none(%lp: tensor<5x2x3xf32>, %tg: tensor<2x2xi64>, %l: tensor<2xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.ctc_grad' op 'grad_output' must have shape [2] for reduction 'none', got []}}
  %0 = loss.ctc_grad %lp, %tg, %l, %l, %g {reduction = #loss.reduction<none>} : (tensor<5x2x3xf32>, tensor<2x2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<f32>) -> tensor<5x2x3xf32>
  return
}

// -----

func.func @ctc_grad_grad_output_sum(%lp: tensor<5x2x3xf32>, %tg: tensor<2x2xi64>, %l: tensor<2xi64>, %g: tensor<2xf32>) {
  // expected-error @+1 {{'loss.ctc_grad' op 'grad_output' must have shape [] for reduction 'sum', got [2]}}
  %0 = loss.ctc_grad %lp, %tg, %l, %l, %g {reduction = #loss.reduction<sum>} : (tensor<5x2x3xf32>, tensor<2x2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xf32>) -> tensor<5x2x3xf32>
  return
}

// -----

func.func @ctc_grad_grad_output_unbatched_none(%lp: tensor<5x3xf32>, %tg: tensor<2xi64>, %l: tensor<i64>, %g: tensor<1xf32>) {
  // expected-error @+1 {{'loss.ctc_grad' op 'grad_output' must have shape [] for reduction 'none', got [1]}}
  %0 = loss.ctc_grad %lp, %tg, %l, %l, %g {reduction = #loss.reduction<none>} : (tensor<5x3xf32>, tensor<2xi64>, tensor<i64>, tensor<i64>, tensor<1xf32>) -> tensor<5x3xf32>
  return
}

// -----

func.func @ctc_grad_result_shape(%lp: tensor<5x2x3xf32>, %tg: tensor<2x2xi64>, %l: tensor<2xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.ctc_grad' op 'grad_log_probs' must have the type of 'log_probs' 'tensor<5x2x3xf32>', got 'tensor<5x2x4xf32>'}}
  %0 = loss.ctc_grad %lp, %tg, %l, %l, %g : (tensor<5x2x3xf32>, tensor<2x2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<f32>) -> tensor<5x2x4xf32>
  return
}

// -----

func.func @ctc_grad_result_type(%lp: tensor<5x2x3xf32>, %tg: tensor<2x2xi64>, %l: tensor<2xi64>, %g: tensor<f32>) {
  // expected-error @+1 {{'loss.ctc_grad' op 'grad_log_probs' must have the type of 'log_probs' 'tensor<5x2x3xf32>', got 'tensor<5x2x3xf16>'}}
  %0 = loss.ctc_grad %lp, %tg, %l, %l, %g : (tensor<5x2x3xf32>, tensor<2x2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<f32>) -> tensor<5x2x3xf16>
  return
}
