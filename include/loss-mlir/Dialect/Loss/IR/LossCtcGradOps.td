//===- LossCtcGradOps.td - Gradients of the ctc family -*- tablegen -*-===//
//
// Gradient ops of ctc: the forward operands and `grad_output` in,
// torch.autograd's gradients out. Included by LossOps.td.
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_CTC_GRAD_OPS_TD
#define LOSS_CTC_GRAD_OPS_TD

def Loss_CtcGradOp : Loss_InferredOp<"ctc_grad"> {
  let summary = "gradient of loss.ctc (torch.autograd's values)";
  let description = [{
    The gradient of `loss.ctc` with respect to `log_probs`, as PyTorch 1.13's
    CPU kernel (`ctc_loss_backward_cpu_template`) and autograd compute it.
    Operands: those of `loss.ctc` (same names, shapes, attributes and
    defaults), then `grad_output`, shaped like the `none` result (`[N]`, `[]`
    unbatched) for `none`, 0-d for `sum` and `mean`. The result
    `grad_log_probs` has the type of `log_probs` (`[T, N, C]` or `[T, C]`).

    With the alpha recursion of `loss.ctc` and its mirror, the beta
    recursion over the same extended labels `l'`,
    `b_{T_n-1}(2S_n) = lp[T_n-1, blank]`, `b_{T_n-1}(2S_n-1) = lp[T_n-1, l_last]`
    (`l_last` the sample's last label `l_{S_n}`),
    `b_t(s) = lp[t, l'_s] + logsumexp(b_{t+1}(s), b_{t+1}(s+1), b_{t+1}(s+2))`
    (the last only between different labels), the sample's loss
    `nll_n = -logsumexp(a_{T_n-1}(2S_n), a_{T_n-1}(2S_n-1))` and
    `r_t(c) = logsumexp_{s : l'_s = c} (a_t(s) + b_t(s))` (`-inf` for a class
    no state has), for `t < T_n`:

    `grad[t, n, c] = (exp(lp[t, n, c]) - exp(r_t(c) + nll_n - lp[t, n, c])) g_n`

    with `g_n = grad_output[n]` (`none`), `grad_output` (`sum`), or
    `grad_output / N / max(S_n, 1)` (`mean`). Frames `t >= T_n` get 0. With
    `zero_infinity` a sample whose loss is `+inf` gets 0 everywhere; without
    it such an infeasible sample gets NaN in every frame `t < T_n` (as
    PyTorch: `-inf + inf`). Lengths are clamped into their buffers as in
    `loss.ctc`; a sample with a label outside `[0, C)` gets NaN for `t < T_n`
    (also with `zero_infinity`, which leaves NaN alone); an input length of 0
    gives 0. `f16`/`bf16` compute in `f32`, `f32` and `f64` in `f64`, and
    round once: the last step exponentiates `r_t(c) + nll_n - lp`, terms as
    large as the loss, which `f32` arithmetic resolves only to about
    `|nll_n| * 2^-24` (PyTorch's `f32` kernel is off by 4e-4 at S = 300).

    ```mlir
    %g = loss.ctc_grad %lp, %tg, %il, %tl, %go {reduction = #loss.reduction<sum>}
        : (tensor<50x4x20xf32>, tensor<4x10xi64>, tensor<4xi64>, tensor<4xi64>,
           tensor<f32>) -> tensor<50x4x20xf32>
    ```
  }];
  let arguments = (ins Loss_FloatTensor:$log_probs, Loss_IntTensor:$targets,
                       Loss_IntTensor:$input_lengths,
                       Loss_IntTensor:$target_lengths,
                       Loss_FloatTensor:$grad_output,
                       DefaultValuedAttr<ConfinedAttr<Loss_I64Attr, [IntNonNegative]>, "0">:$blank,
                       Loss_DefaultReduction:$reduction,
                       DefaultValuedAttr<BoolAttr, "false">:$zero_infinity);
  let results = (outs Loss_FloatTensor:$grad_log_probs);
  let assemblyFormat = [{
    $log_probs `,` $targets `,` $input_lengths `,` $target_lengths `,`
    $grad_output attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // LOSS_CTC_GRAD_OPS_TD
