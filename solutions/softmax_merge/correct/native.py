"""A correct softmax_merge solution in the "native" style, written the way a candidate would
(graded by the generic drill tests: the tolerances are not tuned to the oracle alone)."""

import math, torch
def merge_states(m1, l1, o1, m2, l2, o2):
    m = torch.maximum(m1, m2)
    safe = torch.where(torch.isneginf(m), torch.zeros_like(m), m)
    a1, a2 = torch.exp(m1 - safe), torch.exp(m2 - safe)
    return m, a1 * l1 + a2 * l2, a1[..., None] * o1 + a2[..., None] * o2
def blockwise_attention(q, k, v, block_size):
    shape = torch.broadcast_shapes(q.shape[:-2], k.shape[:-2])
    m = torch.full((*shape, q.shape[-2]), float("-inf"), dtype=q.dtype)
    l = torch.zeros_like(m)
    o = torch.zeros((*shape, q.shape[-2], v.shape[-1]), dtype=q.dtype)
    for j in range(0, k.shape[-2], block_size):
        s = q @ k[..., j:j + block_size, :].transpose(-2, -1) / math.sqrt(q.shape[-1])
        mb = s.amax(-1)
        p = torch.exp(s - mb[..., None])
        m, l, o = merge_states(m, l, o, mb, p.sum(-1), p @ v[..., j:j + block_size, :])
    return o / l[..., None]
