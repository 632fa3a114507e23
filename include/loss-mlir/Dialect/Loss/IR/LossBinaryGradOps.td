//===- LossBinaryGradOps.td - Gradients of the binary family -*- tablegen -*-===//
//
// Gradient ops of bce, bce_with_logits, poisson_nll, gaussian_nll and kl_div: the forward operands and `grad_output` in,
// torch.autograd's gradients out. Included by LossOps.td.
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_BINARY_GRAD_OPS_TD
#define LOSS_BINARY_GRAD_OPS_TD

#endif // LOSS_BINARY_GRAD_OPS_TD
