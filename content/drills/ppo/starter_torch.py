"""Drill: PPO — GAE and the clipped surrogate loss (see `quizapp drill list`, or the statement).

Grade with:  quizapp grade ppo        (or: quizapp drill watch ppo)
"""

import torch


def gae(rewards, values, dones, gamma=0.99, lam=0.95):
    """rewards (T,), values (T + 1,) with the bootstrap value last, dones (T,) 0/1.
    delta_t = r_t + gamma·V_{t+1}·(1 − done_t) − V_t; A_t = delta_t + gamma·lam·(1 − done_t)·A_{t+1}.
    Return (advantages, returns = advantages + values[:T])."""
    raise NotImplementedError("gae() is not written yet")


def ppo_clip_loss(logp_new, logp_old, advantages, clip_eps=0.2, mask=None):
    """−mean over mask of min(ratio·A, clip(ratio, 1 − eps, 1 + eps)·A), ratio = exp(new − old).
    A 0-dim tensor in logp_new's dtype."""
    raise NotImplementedError("ppo_clip_loss() is not written yet")


if __name__ == "__main__":
    print(gae(torch.ones(4), torch.zeros(5), torch.tensor([0.0, 1.0, 0.0, 0.0])))
