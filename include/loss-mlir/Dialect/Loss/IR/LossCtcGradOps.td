//===- LossCtcGradOps.td - Gradients of the ctc family -*- tablegen -*-===//
//
// Gradient ops of ctc: the forward operands and `grad_output` in,
// torch.autograd's gradients out. Included by LossOps.td.
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_CTC_GRAD_OPS_TD
#define LOSS_CTC_GRAD_OPS_TD

#endif // LOSS_CTC_GRAD_OPS_TD
