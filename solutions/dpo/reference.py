"""Reference (oracle) for the ``dpo`` drill: the DPO loss as TRL's DPOTrainer computes it.

For a batch of (prompt, chosen, rejected) triples and logits from the policy and from the
frozen reference model::

    logp(seq) = Σ_{t: labels[t+1] ≠ −100} log_softmax(logits[t])[labels[t+1]]   (shift by one)
    h    = β·((π_c − π_r) − (ref_c − ref_r))
    loss = mean_b[ −(1 − ε)·log σ(h) − ε·log σ(−h) ]        (ε: conservative-DPO smoothing)
    rewards = β·(π − ref), detached

The oracle works in float64 (log-softmax, log σ through softplus, both stable for any
margin) and returns the three tensors in the policy logits' dtype; the loss is
differentiable in the two policy logits only.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

IGNORE_INDEX = -100


def sequence_logps(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Σ of the log-probs of each sequence's unmasked labels, logits at t predicting t + 1,
    in float64 (B,)."""
    logp = torch.log_softmax(logits.to(torch.float64)[:, :-1], dim=-1)
    nxt = labels[:, 1:]
    mask = nxt != IGNORE_INDEX
    token = logp.gather(-1, nxt.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return torch.where(mask, token, torch.zeros((), dtype=torch.float64)).sum(-1)


def dpo_loss(policy_chosen_logits: torch.Tensor, policy_rejected_logits: torch.Tensor,
             ref_chosen_logits: torch.Tensor, ref_rejected_logits: torch.Tensor,
             chosen_labels: torch.Tensor, rejected_labels: torch.Tensor, beta: float = 0.1,
             label_smoothing: float = 0.0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(loss, chosen_rewards, rejected_rewards) in the policy logits' dtype."""
    pi_c = sequence_logps(policy_chosen_logits, chosen_labels)
    pi_r = sequence_logps(policy_rejected_logits, rejected_labels)
    ref_c = sequence_logps(ref_chosen_logits, chosen_labels).detach()
    ref_r = sequence_logps(ref_rejected_logits, rejected_labels).detach()
    h = beta * ((pi_c - pi_r) - (ref_c - ref_r))
    eps = label_smoothing
    # log σ(h) = −softplus(−h): finite for any h, where log(sigmoid(h)) underflows to −inf.
    loss = (-(1 - eps) * F.logsigmoid(h) - eps * F.logsigmoid(-h)).mean()
    out_dtype = policy_chosen_logits.dtype
    chosen_rewards = (beta * (pi_c - ref_c)).detach()
    rejected_rewards = (beta * (pi_r - ref_r)).detach()
    return loss.to(out_dtype), chosen_rewards.to(out_dtype), rejected_rewards.to(out_dtype)


def dpo_loss_same_precision(policy_chosen_logits: torch.Tensor,
                            policy_rejected_logits: torch.Tensor,
                            ref_chosen_logits: torch.Tensor, ref_rejected_logits: torch.Tensor,
                            chosen_labels: torch.Tensor, rejected_labels: torch.Tensor,
                            beta: float = 0.1, label_smoothing: float = 0.0,
                            ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """DPO as usually written, in the logits' own precision: the baseline `--bench` times a
    solution against, not the float64 oracle."""

    def logps(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        labels = labels[:, 1:]
        mask = labels != IGNORE_INDEX
        lp = logits[:, :-1].log_softmax(-1)
        lp = torch.gather(lp, 2, labels.masked_fill(~mask, 0).unsqueeze(2)).squeeze(2)
        return (lp * mask).sum(-1)

    pi_c, pi_r = logps(policy_chosen_logits, chosen_labels), logps(policy_rejected_logits,
                                                                   rejected_labels)
    with torch.no_grad():
        ref_c, ref_r = logps(ref_chosen_logits, chosen_labels), logps(ref_rejected_logits,
                                                                      rejected_labels)
    h = beta * ((pi_c - pi_r) - (ref_c - ref_r))
    loss = (-(1 - label_smoothing) * F.logsigmoid(h) - label_smoothing * F.logsigmoid(-h))
    return (loss.mean(), (beta * (pi_c - ref_c)).detach(), (beta * (pi_r - ref_r)).detach())


#: Same-precision implementations that `quizapp grade --bench` times solutions against.
BENCH_BASELINES = {"dpo_loss": dpo_loss_same_precision}
