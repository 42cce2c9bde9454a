"""A correct attention solution in the "native" style, written the way a candidate would
(graded by the generic drill tests: the tolerances are not tuned to the oracle alone)."""

import math, torch
def attention(q, k, v, mask=None, is_causal=False):
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if is_causal:
        mask = torch.ones(q.shape[-2], k.shape[-2], dtype=torch.bool).tril()
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf"))
    p = torch.softmax(s, dim=-1)
    if mask is not None:
        p = torch.where(mask.any(-1, keepdim=True), p, torch.zeros((), dtype=p.dtype))
    return p @ v
