"""Triton online-softmax merge for the ``softmax_merge`` drill.

``merge_states(m1, l1, o1, m2, l2, o2)`` combines two softmax states row by row::

    m = max(m1, m2)     aᵢ = exp(mᵢ − m)  (0 when mᵢ = −inf)
    l = a1·l1 + a2·l2   o = a1·o1 + a2·o2

The inputs are broadcast together and flattened to R rows of D values; each program handles
BLOCK_R rows and walks the D axis BLOCK_D at a time, so any D works. Arithmetic is float32
(float64 for float64 inputs); results are stored in each input's dtype. The guard on −inf
makes empty states neutral and two empty states merge to an empty one, never NaN.

``blockwise_attention(q, k, v, block_size)`` is the drill's second entry point built on that
kernel: each key block's state (m, l, o) is computed with torch matmuls, merged into the
running state with the Triton kernel, and o / l is taken at the end. Only Sq × block_size
scores exist at a time. Neither function is differentiable (the drill does not ask for it).

Works compiled on CUDA and under ``TRITON_INTERPRET=1`` on CPU.
"""

from __future__ import annotations

import math

import torch
import triton
import triton.language as tl


@triton.jit
def _merge_states_kernel(
    M1, L1, O1, M2, L2, O2, M_OUT, L_OUT, O_OUT, R, D,
    BLOCK_R: tl.constexpr, BLOCK_D: tl.constexpr, FP64: tl.constexpr,
):
    rows = tl.program_id(0).to(tl.int64) * BLOCK_R + tl.arange(0, BLOCK_R)
    row_ok = rows < R
    m1 = tl.load(M1 + rows, mask=row_ok, other=float("-inf"))
    m2 = tl.load(M2 + rows, mask=row_ok, other=float("-inf"))
    l1 = tl.load(L1 + rows, mask=row_ok, other=0.0)
    l2 = tl.load(L2 + rows, mask=row_ok, other=0.0)
    if FP64:
        m1, m2, l1, l2 = m1.to(tl.float64), m2.to(tl.float64), l1.to(tl.float64), l2.to(tl.float64)
    else:
        m1, m2, l1, l2 = m1.to(tl.float32), m2.to(tl.float32), l1.to(tl.float32), l2.to(tl.float32)
    m = tl.maximum(m1, m2)
    # exp(−inf − (−inf)) would be NaN. An empty side contributes nothing (factor 0); the
    # exponent is evaluated on finite stand-ins so no lane ever computes −inf − −inf.
    m_fin = tl.where(m == float("-inf"), 0.0, m)
    a1 = tl.exp(tl.where(m1 == float("-inf"), m_fin, m1) - m_fin)
    a2 = tl.exp(tl.where(m2 == float("-inf"), m_fin, m2) - m_fin)
    a1 = tl.where(m1 == float("-inf"), 0.0, a1)
    a2 = tl.where(m2 == float("-inf"), 0.0, a2)
    tl.store(M_OUT + rows, m.to(M_OUT.dtype.element_ty), mask=row_ok)
    tl.store(L_OUT + rows, (a1 * l1 + a2 * l2).to(L_OUT.dtype.element_ty), mask=row_ok)
    for start in range(0, D, BLOCK_D):
        cols = start + tl.arange(0, BLOCK_D)
        offs = rows[:, None] * D + cols[None, :]
        ok = row_ok[:, None] & (cols[None, :] < D)
        o1 = tl.load(O1 + offs, mask=ok, other=0.0)
        o2 = tl.load(O2 + offs, mask=ok, other=0.0)
        if FP64:
            o1, o2 = o1.to(tl.float64), o2.to(tl.float64)
        else:
            o1, o2 = o1.to(tl.float32), o2.to(tl.float32)
        o = a1[:, None] * o1 + a2[:, None] * o2
        tl.store(O_OUT + offs, o.to(O_OUT.dtype.element_ty), mask=ok)


def merge_states(
    m1: torch.Tensor,
    l1: torch.Tensor,
    o1: torch.Tensor,
    m2: torch.Tensor,
    l2: torch.Tensor,
    o2: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Merge two softmax states (m, l, o) with a Triton kernel; shapes (...,), (...,), (..., D).

    Returns new tensors in m1's, l1's and o1's dtypes. Empty states (m = −inf, l = 0, o = 0)
    are neutral; never NaN.
    """
    if o1.dim() < 1 or o2.dim() < 1:
        raise ValueError("merge_states: o1 and o2 need a last dimension D")
    row_shape = torch.broadcast_shapes(m1.shape, l1.shape, m2.shape, l2.shape,
                                       o1.shape[:-1], o2.shape[:-1])
    d = torch.broadcast_shapes(o1.shape[-1:], o2.shape[-1:])[0]
    device = o1.device
    rows = [t.expand(row_shape).contiguous() for t in (m1, l1, m2, l2)]
    o_in = [t.expand(*row_shape, d).contiguous() for t in (o1, o2)]
    fp64 = any(t.dtype == torch.float64 for t in (m1, l1, o1, m2, l2, o2))
    m_out = torch.empty(row_shape, dtype=m1.dtype, device=device)
    l_out = torch.empty(row_shape, dtype=l1.dtype, device=device)
    o_out = torch.empty((*row_shape, d), dtype=o1.dtype, device=device)
    r = m_out.numel()
    if r > 0:
        block_d = min(triton.next_power_of_2(max(d, 1)), 128)
        block_r = max(1, min(64, 4096 // block_d))
        grid = (triton.cdiv(r, block_r),)
        _merge_states_kernel[grid](
            rows[0], rows[1], o_in[0], rows[2], rows[3], o_in[1], m_out, l_out, o_out, r, d,
            BLOCK_R=block_r, BLOCK_D=block_d, FP64=fp64, num_warps=4,
        )
    return m_out, l_out, o_out


def blockwise_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, block_size: int
) -> torch.Tensor:
    """softmax(q·kᵀ/√D)·v, ``block_size`` keys at a time, merged with the Triton kernel.

    q is (..., Sq, D), k and v are (..., Sk, D); extra memory is O(Sq·block_size). Block
    states are computed in float32 (float64 for float64 inputs).
    """
    if block_size < 1:
        raise ValueError(f"blockwise_attention: block_size must be >= 1, got {block_size}")
    acc = torch.float64 if q.dtype == torch.float64 else torch.float32
    qf = q.to(acc)
    scale = 1.0 / math.sqrt(q.shape[-1])
    batch = torch.broadcast_shapes(q.shape[:-2], k.shape[:-2])
    sq = q.shape[-2]
    m = torch.full((*batch, sq), float("-inf"), dtype=acc, device=q.device)
    l = torch.zeros_like(m)  # noqa: E741 - the drill's name for the normaliser
    o = torch.zeros((*batch, sq, v.shape[-1]), dtype=acc, device=q.device)
    for start in range(0, k.shape[-2], block_size):
        k_blk = k[..., start : start + block_size, :].to(acc)
        v_blk = v[..., start : start + block_size, :].to(acc)
        s = (qf @ k_blk.transpose(-2, -1)) * scale
        m_blk = s.amax(dim=-1)
        p = torch.exp(s - m_blk.unsqueeze(-1))
        m, l, o = merge_states(m, l, o, m_blk, p.sum(dim=-1), p @ v_blk)  # noqa: E741
    l_safe = torch.where(l > 0, l, torch.ones_like(l))
    return (o / l_safe.unsqueeze(-1)).to(q.dtype)
