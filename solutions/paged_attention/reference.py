"""Reference (oracle) for the ``paged_attention`` drill: one decode step of attention over a
paged KV cache (vLLM's PagedAttention).

The cache is a pool of physical blocks ``k_pages``, ``v_pages`` (num_blocks, Hkv,
block_size, D). Sequence b owns the blocks listed in ``block_table[b]``: its key position j
lives in physical block ``block_table[b, j // block_size]`` at offset ``j % block_size``.
Only positions j < seq_lens[b] exist; table entries past the last needed block are garbage
(possibly −1) and are never read. For each sequence b and query head h (KV head
h // (Hq / Hkv))::

    out[b, h] = softmax(q[b, h] · K_bᵀ / √D) · V_b       (zeros when seq_lens[b] = 0)

The oracle gathers each sequence's blocks into a contiguous (Hkv, L, D) copy, then runs
plain attention in float64 with the G query heads of a KV head side by side. Returns q's
dtype.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor


def paged_attention(q: Tensor, k_pages: Tensor, v_pages: Tensor, block_table: Tensor,
                    seq_lens: Tensor) -> Tensor:
    """Attention of q (B, Hq, D) over each sequence's paged keys/values; (B, Hq, D)."""
    b, hq, d = q.shape
    hkv, block_size = k_pages.shape[1], k_pages.shape[2]
    if hq % hkv:
        raise ValueError(f"paged_attention: Hq = {hq} is not a multiple of Hkv = {hkv}")
    group = hq // hkv
    out = torch.zeros(b, hkv, group, d, dtype=torch.float64, device=q.device)
    for i in range(b):
        length = int(seq_lens[i])
        if length == 0:
            continue  # no keys: the output row stays zero
        n_blocks = -(-length // block_size)
        blocks = block_table[i, :n_blocks].long()
        # (n, Hkv, bs, D) → (Hkv, n·bs, D): logical position j = block · bs + offset.
        keys = k_pages[blocks].to(torch.float64).transpose(0, 1).reshape(hkv, -1, d)[:, :length]
        values = v_pages[blocks].to(torch.float64).transpose(0, 1).reshape(hkv, -1, d)[:, :length]
        queries = q[i].to(torch.float64).reshape(hkv, group, d)       # head h = kv·G + g
        scores = queries @ keys.transpose(-2, -1) / math.sqrt(d)      # (Hkv, G, L)
        out[i] = torch.softmax(scores, dim=-1) @ values
    return out.reshape(b, hq, d).to(q.dtype)


def paged_attention_same_precision(q: Tensor, k_pages: Tensor, v_pages: Tensor,
                                   block_table: Tensor, seq_lens: Tensor) -> Tensor:
    """Idiomatic batched eager version in the inputs' precision: gather every sequence's
    table into a padded (B, Hkv, max_blocks·bs, D) copy, mask by length, softmax in float32.
    The baseline `--bench` times a solution against."""
    b, hq, d = q.shape
    hkv, block_size = k_pages.shape[1], k_pages.shape[2]
    max_blocks = block_table.shape[1]
    table = block_table.long().clamp(min=0)          # garbage −1 → a valid block, masked below
    keys = k_pages[table].permute(0, 2, 1, 3, 4).reshape(b, hkv, max_blocks * block_size, d)
    values = v_pages[table].permute(0, 2, 1, 3, 4).reshape(b, hkv, max_blocks * block_size, d)
    qg = q.reshape(b, hkv, hq // hkv, d)
    scores = (qg @ keys.transpose(-2, -1)) * d ** -0.5
    valid = torch.arange(max_blocks * block_size, device=q.device) < seq_lens.long()[:, None]
    scores = scores.masked_fill(~valid[:, None, None, :], float("-inf"))
    probs = torch.softmax(scores.float(), dim=-1).nan_to_num(0.0).to(values.dtype)
    return (probs @ values).reshape(b, hq, d)


#: Same-precision implementations that `quizapp grade --bench` times solutions against.
BENCH_BASELINES = {"paged_attention": paged_attention_same_precision}
