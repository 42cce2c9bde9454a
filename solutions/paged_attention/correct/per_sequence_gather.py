"""A correct paged_attention solution: for each sequence, build the list of slots
(block, offset) of its positions, gather the keys/values with advanced indexing, and run
ordinary attention with the KV heads repeated for the group (fine here: no memory budget)."""

import math

import torch


def paged_attention(q, k_pages, v_pages, block_table, seq_lens):
    B, Hq, D = q.shape
    Hkv, block_size = k_pages.shape[1], k_pages.shape[2]
    group = Hq // Hkv
    out = torch.zeros(B, Hq, D, dtype=q.dtype, device=q.device)
    work = torch.float64 if q.dtype == torch.float64 else torch.float32
    for b in range(B):
        L = int(seq_lens[b].item())
        if L == 0:
            continue
        pos = torch.arange(L, device=q.device)
        blocks = block_table[b].long()[pos // block_size]
        offsets = pos % block_size
        keys = k_pages[blocks, :, offsets].to(work)          # (L, Hkv, D)
        values = v_pages[blocks, :, offsets].to(work)
        keys = keys.repeat_interleave(group, dim=1)          # (L, Hq, D)
        values = values.repeat_interleave(group, dim=1)
        scores = torch.einsum("hd,lhd->hl", q[b].to(work), keys) / math.sqrt(D)
        weights = torch.softmax(scores, dim=-1)
        out[b] = torch.einsum("hl,lhd->hd", weights, values).to(q.dtype)
    return out
