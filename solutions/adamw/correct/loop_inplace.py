"""A candidate's AdamW step: a plain loop of in-place tensor ops, clipping on copies."""

import math

import torch


def adamw_step(params, grads, exp_avgs, exp_avg_sqs, step, lr, betas=(0.9, 0.999), eps=1e-8,
               weight_decay=0.01, max_grad_norm=None):
    beta1, beta2 = betas
    if max_grad_norm is not None:
        total = torch.sqrt(sum((g.double() ** 2).sum() for g in grads))
        scale = min(1.0, max_grad_norm / (float(total) + 1e-6))
        grads = [g * scale for g in grads]
    bc1 = 1 - beta1 ** step
    bc2 = 1 - beta2 ** step
    for p, g, m, v in zip(params, grads, exp_avgs, exp_avg_sqs, strict=True):
        p.mul_(1 - lr * weight_decay)
        m.mul_(beta1).add_(g, alpha=1 - beta1)
        v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
        denom = (v.sqrt() / math.sqrt(bc2)).add_(eps)
        p.addcdiv_(m, denom, value=-lr / bc1)
