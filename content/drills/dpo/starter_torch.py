"""Drill: the DPO loss (see `quizapp drill list`, or the statement).

Grade with:  quizapp grade dpo        (or: quizapp drill watch dpo)
"""

import torch
import torch.nn.functional as F  # noqa: F401 - F.log_softmax and F.logsigmoid help


def dpo_loss(policy_chosen_logits, policy_rejected_logits, ref_chosen_logits,
             ref_rejected_logits, chosen_labels, rejected_labels, beta=0.1,
             label_smoothing=0.0):
    """Logits (B, L, V), labels int64 (B, L) with -100 on prompt and padding; logits at t
    predict labels at t + 1. h = beta·((pi_c − pi_r) − (ref_c − ref_r));
    loss = mean(−(1 − eps)·logσ(h) − eps·logσ(−h)). Return (loss, chosen_rewards,
    rejected_rewards) in the logits' dtype, rewards = beta·(pi − ref) detached."""
    raise NotImplementedError("dpo_loss() is not written yet")


if __name__ == "__main__":
    B, L, V = 2, 6, 11
    logits = [torch.randn(B, L, V) for _ in range(4)]
    labels = torch.randint(0, V, (B, L))
    labels[:, :2] = -100
    print(dpo_loss(*logits, labels, labels.clone()))
