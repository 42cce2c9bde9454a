"""Drill: GRPO advantages and loss (see `quizapp drill list`, or the statement).

Grade with:  quizapp grade grpo        (or: quizapp drill watch grpo)
"""

import torch


def grpo_advantages(rewards, group_size, eps=1e-4):
    """rewards (G·n,), groups contiguous: (r − group mean) / (group sample std + eps);
    equal groups and group_size 1 give zeros. Same dtype as rewards."""
    raise NotImplementedError("grpo_advantages() is not written yet")


def grpo_loss(logp_new, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    """Token log-probs (B, L), advantages (B,), mask (B, L) bool. Per token:
    min(ratio·A, clip(ratio)·A) − beta·k3 KL; mean over each sequence's tokens, then over
    sequences; return the negative as a 0-dim tensor in logp_new's dtype."""
    raise NotImplementedError("grpo_loss() is not written yet")


if __name__ == "__main__":
    print(grpo_advantages(torch.tensor([1.0, 0.0, 1.0, 1.0, 0.5, 0.2]), 3))
