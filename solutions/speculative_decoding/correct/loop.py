"""A correct `speculative_decoding` solution written the way a candidate would: a plain
loop, float32 arithmetic, a hand-written inverse CDF."""

import torch


def _draw(weights, u):
    weights = weights / weights.sum()
    total = 0.0
    last = 0
    for i, w in enumerate(weights.tolist()):
        if w > 0:
            last = i
        total += w
        if total > u:
            return i
    return last


def verify(draft_tokens, q, p, u_accept, u_resample):
    q = q.float()
    p = p.float()
    u = float(u_resample)
    out = []
    for i in range(draft_tokens.shape[0]):
        x = int(draft_tokens[i])
        if float(u_accept[i]) < min(1.0, float(p[i, x] / q[i, x])):
            out.append(x)
        else:
            out.append(_draw(torch.clamp(p[i] - q[i], min=0), u))
            return out
    out.append(_draw(p[-1], u))
    return out
