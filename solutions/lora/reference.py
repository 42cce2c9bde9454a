"""Reference (oracle) for the ``lora`` drill: a LoRA linear layer and merging its adapter.

With scale s = alpha / r (Hu et al. 2021; PEFT's default, not rsLoRA's alpha/√r)::

    lora_linear:  y = x·Wᵀ + b + s·(x·Aᵀ)·Bᵀ        (never forming B·A: r ≪ d)
    merge_lora:   W' = W + s·B·A                    (returned in W's dtype)

The oracle computes in float64 and returns the inputs' dtype; lora_linear is differentiable
in x, lora_a and lora_b.
"""

from __future__ import annotations

import torch

F64 = torch.float64
_ROWS = 64  # output rows of the base weight upcast at a time


def lora_linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None,
                lora_a: torch.Tensor, lora_b: torch.Tensor, alpha: float) -> torch.Tensor:
    """x (..., in) → (..., out) in x's dtype."""
    scale = alpha / lora_a.shape[0]
    x64 = x.to(F64)
    # The base layer a block of output rows at a time: the oracle itself passes the drill's
    # memory-budget case, where a float64 copy of the whole weight would not fit.
    y = torch.cat([x64 @ weight[i:i + _ROWS].to(F64).T
                   for i in range(0, weight.shape[0], _ROWS)], dim=-1)
    if bias is not None:
        y = y + bias.to(F64)
    y = y + scale * ((x64 @ lora_a.to(F64).T) @ lora_b.to(F64).T)
    return y.to(x.dtype)


def merge_lora(weight: torch.Tensor, lora_a: torch.Tensor, lora_b: torch.Tensor,
               alpha: float) -> torch.Tensor:
    """W + (alpha / r)·B·A in weight's dtype."""
    scale = alpha / lora_a.shape[0]
    merged = weight.to(F64) + scale * (lora_b.to(F64) @ lora_a.to(F64))
    return merged.to(weight.dtype)


def lora_linear_same_precision(x: torch.Tensor, weight: torch.Tensor,
                               bias: torch.Tensor | None, lora_a: torch.Tensor,
                               lora_b: torch.Tensor, alpha: float) -> torch.Tensor:
    """PEFT's eval-mode forward in the inputs' precision (the `--bench` baseline)."""
    linear = torch.nn.functional.linear
    return linear(x, weight, bias) + linear(linear(x, lora_a), lora_b) * (alpha / lora_a.shape[0])


def merge_lora_same_precision(weight: torch.Tensor, lora_a: torch.Tensor, lora_b: torch.Tensor,
                              alpha: float) -> torch.Tensor:
    """The merge with a float32 accumulation (the `--bench` baseline)."""
    work = F64 if weight.dtype == F64 else torch.float32
    delta = (lora_b.to(work) @ lora_a.to(work)) * (alpha / lora_a.shape[0])
    return (weight.to(work) + delta).to(weight.dtype)


#: Same-precision implementations that `quizapp grade --bench` times solutions against.
BENCH_BASELINES = {"lora_linear": lora_linear_same_precision,
                   "merge_lora": merge_lora_same_precision}
