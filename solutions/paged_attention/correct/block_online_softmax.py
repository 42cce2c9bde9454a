"""A correct paged_attention solution that walks each sequence block by block with an
online softmax (the way the GPU kernel works), masking the tail of the last block."""

import torch


def paged_attention(q, k_pages, v_pages, block_table, seq_lens):
    B, Hq, D = q.shape
    Hkv, bs = k_pages.shape[1], k_pages.shape[2]
    G = Hq // Hkv
    acc_t = torch.promote_types(q.dtype, torch.float32)
    result = []
    for b in range(B):
        n = int(seq_lens[b])
        qb = q[b].to(acc_t).view(Hkv, G, D) * D ** -0.5
        m = torch.full((Hkv, G, 1), float("-inf"), dtype=acc_t)
        denom = torch.zeros((Hkv, G, 1), dtype=acc_t)
        acc = torch.zeros((Hkv, G, D), dtype=acc_t)
        for i in range((n + bs - 1) // bs):
            blk = int(block_table[b, i])
            k = k_pages[blk].to(acc_t)                      # (Hkv, bs, D)
            v = v_pages[blk].to(acc_t)
            s = qb @ k.transpose(1, 2)                      # (Hkv, G, bs)
            valid = torch.arange(bs) + i * bs < n
            s = s.masked_fill(~valid, float("-inf"))
            m_new = torch.maximum(m, s.amax(-1, keepdim=True))
            p = torch.exp(s - m_new)
            corr = torch.exp(m - m_new)
            denom = denom * corr + p.sum(-1, keepdim=True)
            acc = acc * corr + p @ v
            m = m_new
        o = torch.where(denom > 0, acc / denom.clamp_min(1e-30), torch.zeros_like(acc))
        result.append(o.reshape(Hq, D).to(q.dtype))
    return torch.stack(result)
