"""Drill: one AdamW step with global gradient clipping (see `quizapp drill list`).

Grade with:  quizapp grade adamw        (or: quizapp drill watch adamw)
"""

import torch


def adamw_step(params, grads, exp_avgs, exp_avg_sqs, step, lr, betas=(0.9, 0.999), eps=1e-8,
               weight_decay=0.01, max_grad_norm=None):
    """Update params, exp_avgs and exp_avg_sqs in place as torch.optim.AdamW (after global
    clip_grad_norm_ when max_grad_norm is given); never modify grads; return None."""
    raise NotImplementedError("adamw_step() is not written yet")


if __name__ == "__main__":
    p = [torch.ones(3), torch.zeros(2)]
    g = [torch.tensor([0.1, -0.2, 0.3]), torch.tensor([1.0, -1.0])]
    m = [torch.zeros_like(t) for t in p]
    v = [torch.zeros_like(t) for t in p]
    adamw_step(p, g, m, v, step=1, lr=1e-3, max_grad_norm=1.0)
    print(p, m, v)
