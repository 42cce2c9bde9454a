"""A correct DPO loss written the way a candidate might: token log-probs from
F.cross_entropy(reduction="none", ignore_index=-100), the smoothing as a BCE-with-logits."""

import torch
import torch.nn.functional as F


def _logps(logits, labels):
    logits = logits[:, :-1]
    if logits.dtype in (torch.float16, torch.bfloat16):
        logits = logits.float()
    target = labels[:, 1:]
    nll = F.cross_entropy(logits.transpose(1, 2), target, ignore_index=-100, reduction="none")
    return -nll.sum(dim=1)


def dpo_loss(policy_chosen_logits, policy_rejected_logits, ref_chosen_logits,
             ref_rejected_logits, chosen_labels, rejected_labels, beta=0.1,
             label_smoothing=0.0):
    pc = _logps(policy_chosen_logits, chosen_labels)
    pr = _logps(policy_rejected_logits, rejected_labels)
    with torch.no_grad():
        rc = _logps(ref_chosen_logits, chosen_labels)
        rr = _logps(ref_rejected_logits, rejected_labels)
    h = beta * (pc - pr - rc + rr)
    # −(1−ε)·logσ(h) − ε·logσ(−h) is the binary cross-entropy of h against the target 1 − ε.
    target = torch.full_like(h, 1.0 - label_smoothing)
    loss = F.binary_cross_entropy_with_logits(h, target)
    dt = policy_chosen_logits.dtype
    return loss.to(dt), (beta * (pc - rc)).detach().to(dt), (beta * (pr - rr)).detach().to(dt)
