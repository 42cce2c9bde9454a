"""A correct gqa_decode solution that loops over the KV heads: the G query heads of KV
head j are q[:, j*G:(j+1)*G], attended against that head's keys only."""

import math

import torch


def gqa_decode(q, k, v, k_cache, v_cache, start_pos):
    B, Hq, T, D = q.shape
    Hkv = k.shape[1]
    G = Hq // Hkv
    end = start_pos + T
    k_cache[:, :, start_pos:end].copy_(k)
    v_cache[:, :, start_pos:end].copy_(v)
    pos_q = torch.arange(start_pos, end, device=q.device)
    pos_k = torch.arange(end, device=q.device)
    mask = pos_k[None, :] > pos_q[:, None]            # True = not allowed
    work = torch.float64 if q.dtype == torch.float64 else torch.float32
    outs = []
    for j in range(Hkv):
        qj = q[:, j * G:(j + 1) * G].to(work)
        kj = k_cache[:, j:j + 1, :end].to(qj.dtype)    # (B, 1, L, D), broadcast over G
        vj = v_cache[:, j:j + 1, :end].to(qj.dtype)
        s = qj @ kj.transpose(-1, -2) / math.sqrt(D)   # (B, G, T, L)
        s = s.masked_fill(mask, float("-inf"))
        outs.append(torch.softmax(s, dim=-1) @ vj)
    return torch.cat(outs, dim=1).to(q.dtype)
