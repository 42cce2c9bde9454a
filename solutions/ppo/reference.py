"""Reference (oracle) for the ``ppo`` drill: GAE and PPO's clipped surrogate loss.

`gae` (Schulman et al. 2016), with done_t meaning "the episode ended at step t, do not
bootstrap from t + 1"::

    δ_t = r_t + γ·V_{t+1}·(1 − done_t) − V_t
    A_t = δ_t + γ·λ·(1 − done_t)·A_{t+1}            (A_T = 0)
    returns = A + V[:T]

`ppo_clip_loss` (Schulman et al. 2017)::

    ratio = exp(logp_new − logp_old)
    loss  = −mean over mask of min(ratio·A, clip(ratio, 1 − ε, 1 + ε)·A)

The oracle computes in float64 and returns the inputs' dtype; the loss is differentiable in
logp_new.
"""

from __future__ import annotations

import torch


def gae(rewards: torch.Tensor, values: torch.Tensor, dones: torch.Tensor, gamma: float = 0.99,
        lam: float = 0.95) -> tuple[torch.Tensor, torch.Tensor]:
    """(advantages, returns), each (T,) in the rewards' dtype."""
    r = rewards.to(torch.float64)
    v = values.to(torch.float64)
    live = 1.0 - dones.to(torch.float64)
    steps = r.shape[0]
    adv = torch.zeros(steps, dtype=torch.float64)
    running = torch.zeros((), dtype=torch.float64)
    for t in reversed(range(steps)):
        delta = r[t] + gamma * v[t + 1] * live[t] - v[t]
        running = delta + gamma * lam * live[t] * running
        adv[t] = running
    returns = adv + v[:steps]
    return adv.to(rewards.dtype), returns.to(rewards.dtype)


def ppo_clip_loss(logp_new: torch.Tensor, logp_old: torch.Tensor, advantages: torch.Tensor,
                  clip_eps: float = 0.2, mask: torch.Tensor | None = None) -> torch.Tensor:
    """The clipped surrogate loss (0-dim, logp_new's dtype)."""
    new = logp_new.to(torch.float64)
    old = logp_old.to(torch.float64)
    adv = advantages.to(torch.float64)
    keep = torch.ones_like(new, dtype=torch.bool) if mask is None else mask.bool()
    zero = torch.zeros((), dtype=torch.float64)
    # Masked positions are zeroed before exp: their values must not matter.
    new, old, adv = (torch.where(keep, t, zero) for t in (new, old, adv))
    ratio = torch.exp(new - old)
    surrogate = torch.minimum(ratio * adv, ratio.clamp(1 - clip_eps, 1 + clip_eps) * adv)
    total = torch.where(keep, surrogate, zero).sum()
    return (-total / keep.sum()).to(logp_new.dtype)


def gae_same_precision(rewards: torch.Tensor, values: torch.Tensor, dones: torch.Tensor,
                       gamma: float = 0.99, lam: float = 0.95,
                       ) -> tuple[torch.Tensor, torch.Tensor]:
    """CleanRL-style backward loop in the inputs' precision (the `--bench` baseline)."""
    advantages = torch.zeros_like(rewards)
    lastgaelam = 0.0
    for t in reversed(range(rewards.shape[0])):
        nonterminal = 1.0 - dones[t]
        delta = rewards[t] + gamma * values[t + 1] * nonterminal - values[t]
        lastgaelam = delta + gamma * lam * nonterminal * lastgaelam
        advantages[t] = lastgaelam
    return advantages, advantages + values[:-1]


def ppo_clip_loss_same_precision(logp_new: torch.Tensor, logp_old: torch.Tensor,
                                 advantages: torch.Tensor, clip_eps: float = 0.2,
                                 mask: torch.Tensor | None = None) -> torch.Tensor:
    """The usual PPO policy loss in the inputs' precision (the `--bench` baseline)."""
    ratio = torch.exp(logp_new - logp_old)
    pg = torch.max(-advantages * ratio, -advantages * torch.clamp(ratio, 1 - clip_eps,
                                                                  1 + clip_eps))
    if mask is None:
        return pg.mean()
    m = mask.to(pg.dtype)
    return (pg * m).sum() / m.sum()


#: Same-precision implementations that `quizapp grade --bench` times solutions against.
BENCH_BASELINES = {"gae": gae_same_precision, "ppo_clip_loss": ppo_clip_loss_same_precision}
