"""A correct attention solution in the "finfo_min_fp32" style, written the way a candidate would
(graded by the generic drill tests: the tolerances are not tuned to the oracle alone)."""

import math, torch
def attention(q, k, v, mask=None, is_causal=False):
    up = torch.float64 if q.dtype == torch.float64 else torch.float32
    s = (q.to(up) @ k.to(up).transpose(-2, -1)) / math.sqrt(q.shape[-1])
    if is_causal:
        mask = torch.ones(q.shape[-2], k.shape[-2], dtype=torch.bool).tril()
    if mask is not None:
        s = s.masked_fill(~mask, torch.finfo(up).min)
    p = torch.softmax(s, dim=-1)
    if mask is not None:
        p = p * mask.any(-1, keepdim=True)
    return p.to(v.dtype) @ v
