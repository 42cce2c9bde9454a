"""Reference (oracle) for the ``attention`` drill: scaled dot-product attention.

For each batch b and head h::

    S = q · kᵀ / √D                    (Sq × Sk scores)
    S[i, j] = −inf where key j is not allowed for query i
    P = softmax(S, dim=-1)             (row-wise, over the keys)
    out = P · v                        (Sq × D)

``mask`` is a bool tensor broadcastable to (B, H, Sq, Sk), True meaning "may attend";
``is_causal`` allows key j for query i only when j ≤ i (and is only defined for Sq == Sk
without a mask). A query row with no allowed key has no meaningful softmax (0/0); like
``torch.nn.functional.scaled_dot_product_attention`` in current PyTorch we return zeros for it.

The oracle upcasts to float64, subtracts the row max before ``exp`` (so large logits cannot
overflow) and casts the result back to q's dtype. Every step is a differentiable torch op, so
gradients flow to q, k and v in their own dtypes.
"""

from __future__ import annotations

import math

import torch


def attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None = None,
    is_causal: bool = False,
) -> torch.Tensor:
    """Return softmax(q·kᵀ/√D, masked)·v with shape (B, H, Sq, D) in q's dtype.

    Fully masked query rows yield zeros. Raises ValueError for ``is_causal`` combined with a
    mask or with Sq != Sk, which the drill leaves undefined.
    """
    sq, d = q.shape[-2], q.shape[-1]
    sk = k.shape[-2]
    if is_causal and mask is not None:
        raise ValueError("attention: pass either mask or is_causal=True, not both")
    if is_causal and sq != sk:
        raise ValueError(f"attention: is_causal needs Sq == Sk, got Sq={sq}, Sk={sk}")

    q64, k64, v64 = q.to(torch.float64), k.to(torch.float64), v.to(torch.float64)
    scores = (q64 @ k64.transpose(-2, -1)) / math.sqrt(d)

    allowed = None
    if is_causal:
        allowed = torch.ones(sq, sk, dtype=torch.bool, device=q.device).tril()
    elif mask is not None:
        allowed = mask.to(device=q.device, dtype=torch.bool)
    if allowed is not None:
        scores = scores.masked_fill(~allowed, float("-inf"))

    # A fully masked row has max −inf; shifting it by 0 instead keeps exp() at exactly 0
    # rather than exp(−inf − −inf) = NaN.
    row_max = scores.amax(dim=-1, keepdim=True).detach()
    row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
    p = torch.exp(scores - row_max)
    denom = p.sum(dim=-1, keepdim=True)
    # Dividing by 1 where the row is empty gives 0/1 = 0 and keeps the backward pass NaN-free
    # (a where() after a 0/0 division would still leak NaN into the gradients).
    denom = torch.where(denom > 0, denom, torch.ones_like(denom))
    out = (p @ v64) / denom
    return out.to(q.dtype)


def attention_same_precision(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                             mask: torch.Tensor | None = None,
                             is_causal: bool = False) -> torch.Tensor:
    """Idiomatic eager attention in the inputs' precision (softmax in float32, as eager LLaMA
    attention does): the baseline `--bench` times a solution against, not the float64 oracle."""
    scores = (q @ k.transpose(-2, -1)) * q.shape[-1] ** -0.5
    if is_causal:
        mask = torch.ones(scores.shape[-2:], dtype=torch.bool, device=q.device).tril()
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    probs = torch.softmax(scores.float(), dim=-1).nan_to_num(0.0)  # fully masked rows → 0
    return probs.to(v.dtype) @ v


#: Same-precision implementations that `quizapp grade --bench` times solutions against.
BENCH_BASELINES = {"attention": attention_same_precision}
