"""Reference (oracle) for the ``softmax_merge`` drill: the FlashAttention online-softmax merge.

A *state* summarises softmax attention of each query row over one block of keys with scores
s_j and values v_j::

    m = max_j s_j          l = Σ_j exp(s_j − m)          o = Σ_j exp(s_j − m) · v_j

(o is not normalised). Two states over disjoint key blocks combine exactly::

    m = max(m1, m2)
    l = exp(m1 − m)·l1 + exp(m2 − m)·l2
    o = exp(m1 − m)·o1 + exp(m2 − m)·o2

and softmax attention over all keys is o / l. The empty block is (m = −inf, l = 0, o = 0); the
naive formula gives exp(−inf − −inf) = NaN when both sides are empty, so the rescale factor of
a side whose m is −inf is taken to be 0 explicitly.

``blockwise_attention`` computes softmax(q·kᵀ/√D)·v by visiting ``block_size`` keys at a time
and merging each block's state into a running one, so it never holds more than
Sq × block_size scores — O(Sq·block_size) memory instead of O(Sq·Sk). Both functions compute
in float64 and return tensors in the input dtype; they are differentiable.
"""

from __future__ import annotations

import math

import torch


def _rescale(m_side: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
    """exp(m_side − m), defined as 0 where m_side is −inf (an empty side contributes nothing)."""
    empty = torch.isneginf(m_side)
    # Subtracting finite stand-ins keeps exp() and its gradient away from −inf − −inf.
    safe_side = torch.where(empty, torch.zeros_like(m_side), m_side)
    safe_m = torch.where(empty, torch.zeros_like(m), m)
    return torch.where(empty, torch.zeros_like(m), torch.exp(safe_side - safe_m))


def merge_states(
    m1: torch.Tensor,
    l1: torch.Tensor,
    o1: torch.Tensor,
    m2: torch.Tensor,
    l2: torch.Tensor,
    o2: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Combine two softmax states (m, l, o) into the state of the union of their key blocks.

    ``m``, ``l`` have shape (...,), ``o`` has shape (..., D). Empty states (m = −inf, l = 0,
    o = 0) are neutral; merging two of them gives an empty state, never NaN.
    """
    m1d, l1d, o1d = m1.to(torch.float64), l1.to(torch.float64), o1.to(torch.float64)
    m2d, l2d, o2d = m2.to(torch.float64), l2.to(torch.float64), o2.to(torch.float64)
    m = torch.maximum(m1d, m2d)
    a1 = _rescale(m1d, m)
    a2 = _rescale(m2d, m)
    l = a1 * l1d + a2 * l2d  # noqa: E741 - the drill's own name for the normaliser
    o = a1.unsqueeze(-1) * o1d + a2.unsqueeze(-1) * o2d
    return m.to(m1.dtype), l.to(l1.dtype), o.to(o1.dtype)


def _block_state(
    q: torch.Tensor, k_blk: torch.Tensor, v_blk: torch.Tensor, scale: float
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The state (m, l, o) of every query row over one key block (all float64)."""
    s = (q @ k_blk.transpose(-2, -1)) * scale
    m = s.amax(dim=-1)
    p = torch.exp(s - m.unsqueeze(-1))
    return m, p.sum(dim=-1), p @ v_blk


def blockwise_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, block_size: int
) -> torch.Tensor:
    """softmax(q·kᵀ/√D)·v computed ``block_size`` keys at a time with :func:`merge_states`.

    q is (..., Sq, D), k and v are (..., Sk, D). Peak extra memory is O(Sq·block_size).
    """
    if block_size < 1:
        raise ValueError(f"blockwise_attention: block_size must be >= 1, got {block_size}")
    q64 = q.to(torch.float64)
    scale = 1.0 / math.sqrt(q.shape[-1])
    batch = torch.broadcast_shapes(q.shape[:-2], k.shape[:-2])
    sq = q.shape[-2]
    m = torch.full((*batch, sq), float("-inf"), dtype=torch.float64, device=q.device)
    l = torch.zeros_like(m)  # noqa: E741
    o = torch.zeros((*batch, sq, v.shape[-1]), dtype=torch.float64, device=q.device)
    for start in range(0, k.shape[-2], block_size):
        # Upcast one block at a time so the float64 copies stay O(block_size·D) too.
        k_blk = k[..., start : start + block_size, :].to(torch.float64)
        v_blk = v[..., start : start + block_size, :].to(torch.float64)
        m, l, o = merge_states(m, l, o, *_block_state(q64, k_blk, v_blk, scale))  # noqa: E741
    # With Sk = 0 there is nothing to attend to: l stays 0 and the output is zeros.
    l_safe = torch.where(l > 0, l, torch.ones_like(l))
    return (o / l_safe.unsqueeze(-1)).to(q.dtype)


def blockwise_attention_same_precision(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                                       block_size: int) -> torch.Tensor:
    """Blockwise attention as usually written: matmuls in the inputs' precision, the running
    (m, l, o) state in float32. The baseline `--bench` times a solution against, not the
    float64 oracle."""
    scale = q.shape[-1] ** -0.5
    m = torch.full(q.shape[:-1], float("-inf"), dtype=torch.float32, device=q.device)
    l = torch.zeros_like(m)  # noqa: E741 - the drill's own name for the normaliser
    o = torch.zeros(q.shape, dtype=torch.float32, device=q.device)
    for start in range(0, k.shape[-2], block_size):
        kb, vb = k[..., start:start + block_size, :], v[..., start:start + block_size, :]
        s = (q @ kb.transpose(-2, -1)).float() * scale
        m_new = torch.maximum(m, s.amax(dim=-1))
        alpha = torch.exp(m - m_new)
        p = torch.exp(s - m_new.unsqueeze(-1))
        l = l * alpha + p.sum(dim=-1)  # noqa: E741
        o = o * alpha.unsqueeze(-1) + (p.to(v.dtype) @ vb).float()
        m = m_new
    return (o / l.unsqueeze(-1)).to(q.dtype)


#: Same-precision implementations that `quizapp grade --bench` times solutions against.
BENCH_BASELINES = {"blockwise_attention": blockwise_attention_same_precision}
