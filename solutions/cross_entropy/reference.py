"""Reference (oracle) for the ``cross_entropy`` drill: mean softmax cross-entropy.

As ``torch.nn.functional.cross_entropy(logits, targets, ignore_index=…, label_smoothing=ε)``
with ``reduction="mean"``, for logits (N, V) and int64 targets (N,)::

    lse_i  = log Σ_j exp(x_ij)
    loss_i = (1 − ε)·(lse_i − x_i,t_i) + ε·(lse_i − mean_j x_ij)
    loss   = Σ_{t_i ≠ ignore_index} loss_i / #{t_i ≠ ignore_index}

The smoothing term is PyTorch's: ε/V of the target mass goes to every class, the target
included. One deliberate difference from PyTorch (the drill's contract): with no valid row
the loss is 0, not NaN. The oracle computes in float64 with a max-shifted log-sum-exp and
returns a 0-dim tensor in the logits' dtype, differentiable in the logits.
"""

from __future__ import annotations

import torch


def cross_entropy(logits: torch.Tensor, targets: torch.Tensor, ignore_index: int = -100,
                  label_smoothing: float = 0.0) -> torch.Tensor:
    """The mean cross-entropy over the rows whose target is not ignore_index (0 if none)."""
    x = logits.to(torch.float64)
    valid = targets != ignore_index
    safe = torch.where(valid, targets, torch.zeros_like(targets))
    lse = torch.logsumexp(x, dim=-1)
    nll = lse - x.gather(-1, safe.unsqueeze(-1)).squeeze(-1)
    smooth = lse - x.mean(dim=-1)
    per_row = (1.0 - label_smoothing) * nll + label_smoothing * smooth
    per_row = torch.where(valid, per_row, torch.zeros_like(per_row))
    loss = per_row.sum() / valid.sum().clamp_min(1).to(torch.float64)
    return loss.to(logits.dtype)


def cross_entropy_same_precision(logits: torch.Tensor, targets: torch.Tensor,
                                 ignore_index: int = -100,
                                 label_smoothing: float = 0.0) -> torch.Tensor:
    """The loss as usually written with logsumexp, float32 internals for half logits: the
    baseline `--bench` times a solution against, not the float64 oracle. (F.cross_entropy
    itself is forbidden in the process that runs it.)"""
    x = logits.float() if logits.dtype in (torch.float16, torch.bfloat16) else logits
    valid = targets != ignore_index
    lse = torch.logsumexp(x, dim=-1)
    nll = lse - x.gather(1, targets.clamp_min(0).masked_fill(~valid, 0)[:, None])[:, 0]
    loss = (1 - label_smoothing) * nll + label_smoothing * (lse - x.mean(dim=-1))
    return ((loss * valid).sum() / valid.sum().clamp_min(1)).to(logits.dtype)


#: Same-precision implementations that `quizapp grade --bench` times solutions against.
BENCH_BASELINES = {"cross_entropy": cross_entropy_same_precision}
