"""A correct GRPO written the way a candidate might: explicit loops over groups for the
advantages, boolean indexing per sequence for the loss."""

import torch


def grpo_advantages(rewards, group_size, eps=1e-4):
    out = torch.zeros_like(rewards)
    if group_size == 1:
        return out
    work = rewards.double() if rewards.dtype == torch.float64 else rewards.float()
    for start in range(0, rewards.numel(), group_size):
        grp = work[start:start + group_size]
        out[start:start + group_size] = ((grp - grp.mean()) / (grp.std() + eps)).to(rewards.dtype)
    return out


def grpo_loss(logp_new, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    work = torch.float64 if logp_new.dtype == torch.float64 else torch.float32
    per_seq = []
    for i in range(logp_new.shape[0]):
        keep = mask[i]
        new = logp_new[i][keep].to(work)
        old = logp_old[i][keep].to(work)
        ref = logp_ref[i][keep].to(work)
        a = advantages[i].to(work)
        ratio = (new - old).exp()
        unclipped = ratio * a
        clipped = torch.clamp(ratio, 1 - clip_eps, 1 + clip_eps) * a
        kl = (ref - new).exp() - (ref - new) - 1
        obj = torch.minimum(unclipped, clipped) - beta * kl
        per_seq.append(obj.sum() / max(int(keep.sum()), 1))
    return (-torch.stack(per_seq).mean()).to(logp_new.dtype)
