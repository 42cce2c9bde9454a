"""Drill: GQA attention with a KV cache (see `quizapp drill list`, or the statement in the app).

Grade with:  quizapp grade gqa_decode        (or: quizapp drill watch gqa_decode)
"""

import math  # noqa: F401 - you will probably want math.sqrt

import torch


def gqa_decode(q, k, v, k_cache, v_cache, start_pos):
    """Write k, v into the caches at [start_pos, start_pos + T) in place, then attend.

    q: (B, Hq, T, D); k, v: (B, Hkv, T, D); k_cache, v_cache: (B, Hkv, S_max, D).
    Query t (position start_pos + t) sees cache positions j <= start_pos + t; query head h
    reads KV head h // (Hq // Hkv); scale 1/sqrt(D). Return (B, Hq, T, D) in q's dtype.
    """
    raise NotImplementedError("gqa_decode() is not written yet")


if __name__ == "__main__":
    cache = torch.zeros(1, 2, 8, 16)
    out = gqa_decode(torch.randn(1, 4, 1, 16), torch.randn(1, 2, 1, 16),
                     torch.randn(1, 2, 1, 16), cache, cache.clone(), 3)
    print(out.shape)
