//===- LossMarginGradOps.td - Gradients of the margin family -*- tablegen -*-===//
//
// Gradient ops of the margin and embedding losses (margin_ranking, hinge_embedding, soft_margin, multilabel_margin, multilabel_soft_margin, multi_margin, cosine_embedding, triplet_margin): the forward operands and `grad_output` in,
// torch.autograd's gradients out. Included by LossOps.td.
//
//===----------------------------------------------------------------------===//
#ifndef LOSS_MARGIN_GRAD_OPS_TD
#define LOSS_MARGIN_GRAD_OPS_TD

#endif // LOSS_MARGIN_GRAD_OPS_TD
