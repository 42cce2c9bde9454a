"""Reference (oracle) for the ``rope`` drill: rotary position embedding.

Pair i ∈ [0, D/2) of a vector at absolute position p is rotated by the angle
θ = p · base^(−2i/D)::

    (a, b) ↦ (a·cos θ − b·sin θ,  a·sin θ + b·cos θ)

``interleaved=False`` pairs x[..., i] with x[..., i + D/2] (GPT-NeoX / Hugging Face LLaMA
``rotate_half``); ``interleaved=True`` pairs x[..., 2i] with x[..., 2i + 1] (GPT-J, Meta's
LLaMA with complex numbers). ``positions`` is int64, (S,) or broadcastable to x's leading
dimensions followed by S.

The oracle computes the frequencies, the angles, cos/sin and the rotation in float64 and
casts the result to x's dtype. Every step is a differentiable torch op, so the gradient
reaches x (the rotation by −θ of the output gradient).
"""

from __future__ import annotations

import torch
from torch import Tensor


def apply_rope(x: Tensor, positions: Tensor, base: float = 10000.0,
               interleaved: bool = False) -> Tensor:
    """Rotate each pair of x's last dimension by its angle p · base^(−2i/D); x's dtype out."""
    d = x.shape[-1]
    if d % 2:
        raise ValueError(f"apply_rope: the last dimension must be even, got {d}")
    half = d // 2
    i = torch.arange(half, dtype=torch.float64, device=x.device)
    inv_freq = float(base) ** (-2.0 * i / d)
    angles = positions.to(device=x.device, dtype=torch.float64).unsqueeze(-1) * inv_freq
    cos, sin = angles.cos(), angles.sin()
    x64 = x.to(torch.float64)
    if interleaved:
        a, b = x64[..., 0::2], x64[..., 1::2]
    else:
        a, b = x64[..., :half], x64[..., half:]
    ra, rb = a * cos - b * sin, a * sin + b * cos
    if interleaved:
        out = torch.stack((ra, rb), dim=-1).flatten(-2)
    else:
        out = torch.cat((ra, rb), dim=-1)
    return out.to(x.dtype)


def apply_rope_same_precision(x: Tensor, positions: Tensor, base: float = 10000.0,
                              interleaved: bool = False) -> Tensor:
    """Idiomatic eager RoPE in x's precision, the way Hugging Face LLaMA does it (an angle
    table, cos/sin cast to x's dtype, rotate_half): the baseline `--bench` times against."""
    d = x.shape[-1]
    # The (…, S, D/2) angle table is small: form it in float64 so large positions stay
    # exact; the rotation over x, the part that is timed, runs in x's precision.
    inv_freq = 1.0 / (base ** (torch.arange(0, d, 2, device=x.device, dtype=torch.float64) / d))
    freqs = positions.to(device=x.device, dtype=torch.float64).unsqueeze(-1) * inv_freq
    if interleaved:
        emb = freqs.repeat_interleave(2, dim=-1)
    else:
        emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)
    if interleaved:
        rotated = torch.stack((-x[..., 1::2], x[..., 0::2]), dim=-1).flatten(-2)
    else:
        rotated = torch.cat((-x[..., d // 2:], x[..., : d // 2]), dim=-1)
    return x * cos + rotated * sin


#: Same-precision implementations that `quizapp grade --bench` times solutions against.
BENCH_BASELINES = {"apply_rope": apply_rope_same_precision}
