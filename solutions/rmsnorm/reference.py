"""Reference (oracle) for the ``rmsnorm`` drill: RMSNorm as in LLaMA.

Over the last dimension (size N)::

    rms(x) = sqrt(mean(x², dim=-1) + eps)
    y = x / rms(x) · weight

Unlike LayerNorm there is no mean subtraction and no bias: only the scale is normalised.
In float16, x² overflows past |x| ≈ 256 (65504 is the largest float16), so real
implementations compute the statistics in float32; this oracle goes further and computes in
float64, then casts back to x's dtype. Every step is differentiable in x and weight.
"""

from __future__ import annotations

import torch


def rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """Return x / sqrt(mean(x², -1) + eps) · weight, computed in float64, in x's dtype."""
    x64 = x.to(torch.float64)
    inv_rms = torch.rsqrt(x64.pow(2).mean(dim=-1, keepdim=True) + eps)
    return (x64 * inv_rms * weight.to(torch.float64)).to(x.dtype)


def rms_norm_same_precision(x: torch.Tensor, weight: torch.Tensor,
                            eps: float = 1e-6) -> torch.Tensor:
    """LLaMA-style RMSNorm (float32 statistics, result in x's dtype): the baseline `--bench`
    times a solution against, not the float64 oracle."""
    xf = x.float()
    y = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)
    return weight * y.to(x.dtype)


#: Same-precision implementations that `quizapp grade --bench` times solutions against.
BENCH_BASELINES = {"rms_norm": rms_norm_same_precision}
