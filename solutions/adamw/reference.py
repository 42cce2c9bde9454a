"""Reference (oracle) for the ``adamw`` drill: one torch.optim.AdamW step with global clipping.

For each tensor (``step`` t is the step number after this update, 1 on the first call)::

    g ← g · min(1, max_grad_norm / (‖all grads‖₂ + 1e-6))     only if max_grad_norm is given
    θ ← θ · (1 − lr·wd)                                       decoupled weight decay, first
    m ← β₁·m + (1 − β₁)·g
    v ← β₂·v + (1 − β₂)·g²
    θ ← θ − lr/(1 − β₁ᵗ) · m / (sqrt(v)/sqrt(1 − β₂ᵗ) + eps)  eps outside the square root

as ``torch.optim.AdamW`` (amsgrad=False, maximize=False) after
``torch.nn.utils.clip_grad_norm_(…, max_grad_norm)``, whose coefficient is clamped at 1 and
uses the global 2-norm over all tensors. Everything is computed in float64 and written back
in place into params, exp_avgs and exp_avg_sqs (each rounded once to its dtype); the grads
the caller passed are never modified. Returns None.
"""

from __future__ import annotations

import math

import torch


def adamw_step(params: list[torch.Tensor], grads: list[torch.Tensor],
               exp_avgs: list[torch.Tensor], exp_avg_sqs: list[torch.Tensor], step: int,
               lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
               weight_decay: float = 0.01, max_grad_norm: float | None = None) -> None:
    """Update params, exp_avgs and exp_avg_sqs in place, exactly as AdamW (+ clipping)."""
    beta1, beta2 = betas
    g64 = [g.to(torch.float64) for g in grads]
    if max_grad_norm is not None:
        total = math.sqrt(sum(float(g.pow(2).sum()) for g in g64))
        coef = min(1.0, max_grad_norm / (total + 1e-6))
        g64 = [g * coef for g in g64]
    bias1 = 1.0 - beta1 ** step
    bias2 = 1.0 - beta2 ** step
    for p, g, m, v in zip(params, g64, exp_avgs, exp_avg_sqs, strict=True):
        theta = p.to(torch.float64) * (1.0 - lr * weight_decay)
        m_new = beta1 * m.to(torch.float64) + (1.0 - beta1) * g
        v_new = beta2 * v.to(torch.float64) + (1.0 - beta2) * g * g
        denom = v_new.sqrt() / math.sqrt(bias2) + eps
        theta = theta - (lr / bias1) * m_new / denom
        p.copy_(theta)
        m.copy_(m_new)
        v.copy_(v_new)


def adamw_step_same_precision(params: list[torch.Tensor], grads: list[torch.Tensor],
                              exp_avgs: list[torch.Tensor], exp_avg_sqs: list[torch.Tensor],
                              step: int, lr: float, betas: tuple[float, float] = (0.9, 0.999),
                              eps: float = 1e-8, weight_decay: float = 0.01,
                              max_grad_norm: float | None = None) -> None:
    """The step as torch.optim's foreach implementation writes it, in the tensors' own dtype:
    the baseline `--bench` times a solution against (torch.optim itself is forbidden where it
    runs)."""
    beta1, beta2 = betas
    if max_grad_norm is not None:
        norms = torch._foreach_norm(grads)
        total = torch.linalg.vector_norm(torch.stack(norms))
        coef = (max_grad_norm / (total + 1e-6)).clamp(max=1.0)
        grads = torch._foreach_mul(grads, coef)
    torch._foreach_mul_(params, 1 - lr * weight_decay)
    torch._foreach_lerp_(exp_avgs, grads, 1 - beta1)
    torch._foreach_mul_(exp_avg_sqs, beta2)
    torch._foreach_addcmul_(exp_avg_sqs, grads, grads, 1 - beta2)
    bias2_sqrt = math.sqrt(1 - beta2 ** step)
    denom = torch._foreach_sqrt(exp_avg_sqs)
    torch._foreach_div_(denom, bias2_sqrt)
    torch._foreach_add_(denom, eps)
    torch._foreach_addcdiv_(params, exp_avgs, denom, -lr / (1 - beta1 ** step))


#: Same-precision implementations that `quizapp grade --bench` times solutions against.
BENCH_BASELINES = {"adamw_step": adamw_step_same_precision}
