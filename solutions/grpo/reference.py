"""Reference (oracle) for the ``grpo`` drill: group-relative advantages and the GRPO loss.

`grpo_advantages`: rewards (G·n,) in contiguous groups of n; A = (r − mean_g) / (std_g + eps)
with the sample standard deviation (Bessel's correction), as TRL's GRPOTrainer; a group of one
reward has no spread and gets A = 0 (the sample std of one value is undefined).

`grpo_loss` (DeepSeekMath eq. 4 with TRL's masking)::

    ratio = exp(new − old)
    per_token = min(ratio·A, clip(ratio, 1 − ε, 1 + ε)·A) − β·(exp(ref − new) − (ref − new) − 1)
    loss = −mean_i( Σ_t mask·per_token / max(Σ_t mask, 1) )

The oracle computes in float64 and returns the input's dtype; the loss is differentiable in
logp_new.
"""

from __future__ import annotations

import torch


def grpo_advantages(rewards: torch.Tensor, group_size: int, eps: float = 1e-4) -> torch.Tensor:
    """Group-normalised advantages (G·n,) in the rewards' dtype."""
    r = rewards.to(torch.float64).reshape(-1, group_size)
    centred = r - r.mean(dim=1, keepdim=True)
    if group_size > 1:
        std = centred.pow(2).sum(dim=1, keepdim=True).div(group_size - 1).sqrt()
    else:
        std = torch.zeros_like(centred)
    return (centred / (std + eps)).reshape(-1).to(rewards.dtype)


def grpo_loss(logp_new: torch.Tensor, logp_old: torch.Tensor, logp_ref: torch.Tensor,
              advantages: torch.Tensor, mask: torch.Tensor, clip_eps: float = 0.2,
              beta: float = 0.04) -> torch.Tensor:
    """The GRPO loss (0-dim, logp_new's dtype), per-sequence token means then batch mean."""
    new = logp_new.to(torch.float64)
    old = logp_old.to(torch.float64)
    ref = logp_ref.to(torch.float64)
    adv = advantages.to(torch.float64).unsqueeze(1)
    keep = mask.bool()
    zero = torch.zeros((), dtype=torch.float64)
    # Masked positions are zeroed before exp: their values must not matter, not even as inf.
    new_m, old_m, ref_m = (torch.where(keep, t, zero) for t in (new, old, ref))
    ratio = torch.exp(new_m - old_m)
    surrogate = torch.minimum(ratio * adv, ratio.clamp(1 - clip_eps, 1 + clip_eps) * adv)
    d = ref_m - new_m
    kl = torch.exp(d) - d - 1
    per_token = torch.where(keep, surrogate - beta * kl, zero)
    per_seq = per_token.sum(dim=1) / keep.sum(dim=1).clamp(min=1)
    return (-per_seq.mean()).to(logp_new.dtype)


def grpo_advantages_same_precision(rewards: torch.Tensor, group_size: int,
                                   eps: float = 1e-4) -> torch.Tensor:
    """TRL-style advantages in the rewards' precision (the `--bench` baseline)."""
    grouped = rewards.view(-1, group_size)
    mean = grouped.mean(dim=1).repeat_interleave(group_size)
    if group_size > 1:
        std = grouped.std(dim=1).repeat_interleave(group_size)
    else:                       # TRL requires n ≥ 2; a group of one has no spread
        std = torch.zeros_like(rewards)
    return (rewards - mean) / (std + eps)


def grpo_loss_same_precision(logp_new: torch.Tensor, logp_old: torch.Tensor,
                             logp_ref: torch.Tensor, advantages: torch.Tensor, mask: torch.Tensor,
                             clip_eps: float = 0.2, beta: float = 0.04) -> torch.Tensor:
    """TRL-style GRPO loss in the inputs' precision (the `--bench` baseline)."""
    coef_1 = torch.exp(logp_new - logp_old)
    coef_2 = torch.clamp(coef_1, 1 - clip_eps, 1 + clip_eps)
    adv = advantages.unsqueeze(1)
    per_token_loss = -torch.min(coef_1 * adv, coef_2 * adv)
    kl = torch.exp(logp_ref - logp_new) - (logp_ref - logp_new) - 1
    per_token_loss = per_token_loss + beta * kl
    m = mask.to(per_token_loss.dtype)
    return ((per_token_loss * m).sum(-1) / m.sum(-1).clamp(min=1.0)).mean()


#: Same-precision implementations that `quizapp grade --bench` times solutions against.
BENCH_BASELINES = {"grpo_advantages": grpo_advantages_same_precision,
                   "grpo_loss": grpo_loss_same_precision}
