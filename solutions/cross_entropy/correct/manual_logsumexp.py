"""A candidate's cross-entropy: explicit max shift, log-probabilities, masked mean."""

import torch


def cross_entropy(logits, targets, ignore_index=-100, label_smoothing=0.0):
    x = logits.to(torch.promote_types(logits.dtype, torch.float32))
    m = x.max(dim=1, keepdim=True).values
    shifted = x - m
    log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    keep = targets != ignore_index
    idx = targets.masked_fill(~keep, 0)
    nll = -log_probs.gather(1, idx.unsqueeze(1)).squeeze(1)
    uniform = -log_probs.mean(dim=1)
    per_row = (1 - label_smoothing) * nll + label_smoothing * uniform
    per_row = per_row.masked_fill(~keep, 0.0)
    n_valid = keep.sum()
    loss = per_row.sum() / n_valid.clamp(min=1)
    return loss.to(logits.dtype)
