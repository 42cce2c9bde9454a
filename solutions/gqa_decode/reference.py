"""Reference (oracle) for the ``gqa_decode`` drill: one attention step with a KV cache and
grouped-query heads.

``q`` (B, Hq, T, D) holds the new queries at absolute positions start_pos … start_pos+T−1;
``k``, ``v`` (B, Hkv, T, D) the new keys and values; ``k_cache``, ``v_cache``
(B, Hkv, S_max, D) are preallocated with positions [0, start_pos) filled. The step

1. writes k, v into cache positions [start_pos, start_pos + T) **in place** (nothing else
   in the caches changes), then
2. returns softmax(q·kᵀ/√D)·v over cache positions j ≤ start_pos + t for the query at
   start_pos + t, query head h reading KV head h // (Hq / Hkv).

The oracle never expands K/V to Hq heads: the G = Hq / Hkv query heads that share a KV head
are folded into the query axis ((B, Hkv, G·T, D)), and it works one sequence at a time in
float64, so it also runs within the drill's memory budget. Returns q's dtype.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor


def gqa_decode(q: Tensor, k: Tensor, v: Tensor, k_cache: Tensor, v_cache: Tensor,
               start_pos: int) -> Tensor:
    """Write k, v at [start_pos, start_pos + T) of the caches, then attend; (B, Hq, T, D)."""
    b, hq, t, d = q.shape
    hkv = k.shape[1]
    if hq % hkv:
        raise ValueError(f"gqa_decode: Hq = {hq} is not a multiple of Hkv = {hkv}")
    end = start_pos + t
    if start_pos < 0 or end > k_cache.shape[2]:
        raise ValueError(f"gqa_decode: positions [{start_pos}, {end}) do not fit a cache of "
                         f"{k_cache.shape[2]}")
    group = hq // hkv
    k_cache[:, :, start_pos:end] = k
    v_cache[:, :, start_pos:end] = v
    # Query t (absolute position start_pos + t) may see cache positions j ≤ start_pos + t.
    # Rows of the folded query axis are r = g·T + t, so the (T, L) pattern repeats G times.
    allowed = (torch.arange(end, device=q.device)[None, :]
               <= start_pos + torch.arange(t, device=q.device)[:, None]).repeat(group, 1)
    out = torch.empty(b, hkv, group * t, d, dtype=torch.float64, device=q.device)
    for i in range(b):  # one sequence at a time: float64 copies of one cache row only
        keys = k_cache[i, :, :end].to(torch.float64)                    # (Hkv, L, D)
        values = v_cache[i, :, :end].to(torch.float64)
        # (Hkv, G·T, D): the G heads sharing a KV head become more query rows, so the
        # matmul reads each KV head once (a broadcast over G would copy K G times).
        queries = q[i].to(torch.float64).reshape(hkv, group * t, d)
        scores = queries @ keys.transpose(-2, -1) / math.sqrt(d)
        scores = scores.masked_fill(~allowed, float("-inf"))
        out[i] = torch.softmax(scores, dim=-1) @ values
    return out.reshape(b, hq, t, d).to(q.dtype)


def gqa_decode_same_precision(q: Tensor, k: Tensor, v: Tensor, k_cache: Tensor,
                              v_cache: Tensor, start_pos: int) -> Tensor:
    """Idiomatic eager GQA decode in the inputs' precision (grouped matmuls, softmax in
    float32 as eager LLaMA attention does): the baseline `--bench` times a solution against."""
    b, hq, t, d = q.shape
    hkv = k.shape[1]
    end = start_pos + t
    k_cache[:, :, start_pos:end] = k
    v_cache[:, :, start_pos:end] = v
    keys, values = k_cache[:, :, :end], v_cache[:, :, :end]
    qg = q.reshape(b, hkv, (hq // hkv) * t, d)
    scores = (qg @ keys.transpose(-2, -1)) * d ** -0.5
    if t > 1:
        pos = torch.arange(end, device=q.device)
        rows = start_pos + torch.arange(t, device=q.device).repeat(hq // hkv)
        scores = scores.masked_fill(pos[None, :] > rows[:, None], float("-inf"))
    probs = torch.softmax(scores.float(), dim=-1).to(values.dtype)
    return (probs @ values).reshape(b, hq, t, d)


#: Same-precision implementations that `quizapp grade --bench` times solutions against.
BENCH_BASELINES = {"gqa_decode": gqa_decode_same_precision}
