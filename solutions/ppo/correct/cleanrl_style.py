"""A correct PPO written the way a candidate might: CleanRL's backward loop with
`lastgaelam`, and the loss as the max of the negated terms."""

import torch


def gae(rewards, values, dones, gamma=0.99, lam=0.95):
    work = torch.float64 if rewards.dtype == torch.float64 else torch.float32
    r, v, d = rewards.to(work), values.to(work), dones.to(work)
    T = r.shape[0]
    advantages = torch.zeros(T, dtype=work)
    lastgaelam = 0.0
    for t in range(T - 1, -1, -1):
        nextnonterminal = 1.0 - d[t]
        delta = r[t] + gamma * v[t + 1] * nextnonterminal - v[t]
        lastgaelam = delta + gamma * lam * nextnonterminal * lastgaelam
        advantages[t] = lastgaelam
    returns = advantages + v[:T]
    return advantages.to(rewards.dtype), returns.to(rewards.dtype)


def ppo_clip_loss(logp_new, logp_old, advantages, clip_eps=0.2, mask=None):
    work = torch.float64 if logp_new.dtype == torch.float64 else torch.float32
    logratio = logp_new.to(work) - logp_old.to(work)
    adv = advantages.to(work)
    if mask is not None:
        logratio = logratio[mask]
        adv = adv[mask]
    ratio = logratio.exp()
    pg_loss1 = -adv * ratio
    pg_loss2 = -adv * torch.clamp(ratio, 1 - clip_eps, 1 + clip_eps)
    return torch.max(pg_loss1, pg_loss2).mean().to(logp_new.dtype)
