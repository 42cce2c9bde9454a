"""A correct gqa_decode solution with einsum over a (B, Hkv, G, T, D) view of q — the KV
heads are never repeated — and an additive causal bias."""

import torch


def gqa_decode(q, k, v, k_cache, v_cache, start_pos):
    bsz, n_heads, seqlen, head_dim = q.shape
    n_kv = k.shape[1]
    n_rep = n_heads // n_kv
    k_cache[:, :, start_pos:start_pos + seqlen] = k
    v_cache[:, :, start_pos:start_pos + seqlen] = v
    total = start_pos + seqlen
    keys = k_cache[:, :, :total]
    values = v_cache[:, :, :total]
    acc = torch.promote_types(q.dtype, torch.float32)
    xq = q.reshape(bsz, n_kv, n_rep, seqlen, head_dim).to(acc)
    scores = torch.einsum("bkgtd,bksd->bkgts", xq, keys.to(acc)) / head_dim ** 0.5
    bias = torch.full((seqlen, total), float("-inf"), dtype=acc, device=q.device)
    bias = torch.triu(bias, diagonal=start_pos + 1)
    probs = torch.softmax(scores + bias, dim=-1)
    out = torch.einsum("bkgts,bksd->bkgtd", probs, values.to(acc))
    return out.reshape(bsz, n_heads, seqlen, head_dim).to(q.dtype)
