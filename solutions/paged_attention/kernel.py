"""Triton paged attention for the ``paged_attention`` drill:
``paged_attention(q, k_pages, v_pages, block_table, seq_lens)``.

One program per (sequence b, query head h), as in vLLM's first PagedAttention kernel. It
reads L = seq_lens[b], then walks the sequence's logical blocks i < ceil(L / block_size):
looks the physical block up in block_table[b, i] (entries past the last needed block are
never loaded, so −1 garbage is harmless), loads that block's (block_size, D) keys and
values of KV head h // G with the slots at positions ≥ L masked off, and keeps an online
softmax — running max m, sum l and accumulator acc, rescaled by exp(m_old − m_new) when the
max grows. The output is acc / l, or zeros for L = 0.

The dot products are elementwise multiply-and-sum (one query row is too small for
tl.dot); statistics in float32 (float64 for float64 inputs). Any block_size and D (padded
to powers of two and masked). Works compiled on CUDA and under ``TRITON_INTERPRET=1``
(float32/float16/float64 there: the interpreter has no bfloat16 arithmetic). Forward only.
"""

from __future__ import annotations

import math

import torch
import triton
import triton.language as tl


@triton.jit
def _paged_attention_kernel(
    Q,
    K,
    V,
    TABLE,
    LENS,
    OUT,
    scale,
    stride_qb,
    stride_qh,
    stride_kb,
    stride_kh,
    stride_ks,
    stride_vb,
    stride_vh,
    stride_vs,
    stride_tb,
    stride_ob,
    stride_oh,
    group,
    head_dim,
    block_size,
    BLOCK_N: tl.constexpr,
    BLOCK_D: tl.constexpr,
    FP64: tl.constexpr,
):
    b = tl.program_id(0).to(tl.int64)
    h = tl.program_id(1).to(tl.int64)
    kv = h // group
    offs_n = tl.arange(0, BLOCK_N)
    offs_d = tl.arange(0, BLOCK_D)
    d_ok = offs_d < head_dim
    length = tl.load(LENS + b).to(tl.int32)
    q = tl.load(Q + b * stride_qb + h * stride_qh + offs_d, mask=d_ok, other=0.0)
    if FP64:
        q = q.to(tl.float64) * scale
        m = tl.full([], float("-inf"), tl.float64)
        total = tl.zeros([], dtype=tl.float64)
        acc = tl.zeros([BLOCK_D], dtype=tl.float64)
    else:
        q = q.to(tl.float32) * scale
        m = tl.full([], float("-inf"), tl.float32)
        total = tl.zeros([], dtype=tl.float32)
        acc = tl.zeros([BLOCK_D], dtype=tl.float32)
    for i in range(0, tl.cdiv(length, block_size)):
        blk = tl.load(TABLE + b * stride_tb + i).to(tl.int64)
        slot_ok = (offs_n < block_size) & (i * block_size + offs_n < length)
        tile_ok = slot_ok[:, None] & d_ok[None, :]
        k = tl.load(K + blk * stride_kb + kv * stride_kh + offs_n[:, None] * stride_ks
                    + offs_d[None, :], mask=tile_ok, other=0.0).to(q.dtype)
        scores = tl.sum(k * q[None, :], axis=1)
        scores = tl.where(slot_ok, scores, float("-inf"))
        m_new = tl.maximum(m, tl.max(scores, axis=0))
        alpha = tl.exp(m - m_new)            # 0 on the first block (m = −inf)
        p = tl.exp(scores - m_new)           # 0 at masked slots
        v = tl.load(V + blk * stride_vb + kv * stride_vh + offs_n[:, None] * stride_vs
                    + offs_d[None, :], mask=tile_ok, other=0.0).to(q.dtype)
        total = total * alpha + tl.sum(p, axis=0)
        acc = acc * alpha + tl.sum(p[:, None] * v, axis=0)
        m = m_new
    # L = 0: the loop never ran, acc = 0 and total = 0 → write zeros (divide by 1).
    out = acc / tl.where(total > 0, total, 1.0)
    tl.store(OUT + b * stride_ob + h * stride_oh + offs_d, out.to(OUT.dtype.element_ty),
             mask=d_ok)


def paged_attention(q: torch.Tensor, k_pages: torch.Tensor, v_pages: torch.Tensor,
                    block_table: torch.Tensor, seq_lens: torch.Tensor) -> torch.Tensor:
    """softmax(q·Kᵀ/√D)·V per sequence over its paged keys/values; (B, Hq, D) in q's dtype."""
    b, hq, d = q.shape
    hkv, block_size = k_pages.shape[1], k_pages.shape[2]
    if hq % hkv:
        raise ValueError(f"paged_attention: Hq = {hq} is not a multiple of Hkv = {hkv}")
    if q.stride(-1) != 1:
        q = q.contiguous()
    if k_pages.stride(-1) != 1:
        k_pages = k_pages.contiguous()
    if v_pages.stride(-1) != 1:
        v_pages = v_pages.contiguous()
    lens = seq_lens.to(device=q.device, dtype=torch.int32).contiguous()
    table = block_table.to(device=q.device, dtype=torch.int32)
    out = torch.empty((b, hq, d), dtype=q.dtype, device=q.device)
    if b and hq and d:
        block_d = triton.next_power_of_2(d)
        _paged_attention_kernel[(b, hq)](
            q, k_pages, v_pages, table, lens, out, 1.0 / math.sqrt(d),
            q.stride(0), q.stride(1),
            k_pages.stride(0), k_pages.stride(1), k_pages.stride(2),
            v_pages.stride(0), v_pages.stride(1), v_pages.stride(2),
            table.stride(0), out.stride(0), out.stride(1),
            hq // hkv, d, block_size,
            BLOCK_N=triton.next_power_of_2(block_size), BLOCK_D=block_d,
            FP64=q.dtype == torch.float64, num_warps=4 if block_d >= 128 else 2)
    return out
