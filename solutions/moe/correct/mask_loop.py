"""A correct MoE written the way a candidate might: a one-hot routing mask, a loop over the
experts with torch.where, and the aux loss from the mask."""

import torch
import torch.nn.functional as F


def moe_forward(x, router_weight, w1, w2, w3, top_k):
    T, E = x.shape[0], router_weight.shape[0]
    logits = x @ router_weight.t()
    probs = logits.softmax(dim=-1, dtype=torch.float64 if x.dtype == torch.float64
                           else torch.float32)
    # A stable descending sort keeps tied experts in id order.
    idx = probs.argsort(dim=-1, descending=True, stable=True)[:, :top_k]
    w = probs.gather(-1, idx)
    w = (w / w.sum(dim=-1, keepdim=True)).to(x.dtype)
    out = torch.zeros_like(x)
    onehot = F.one_hot(idx, E)                     # (T, k, E)
    for e in range(E):
        rows, cols = torch.where(onehot[:, :, e] == 1)
        if len(rows) == 0:
            continue
        xe = x[rows]
        he = F.silu(F.linear(xe, w1[e])) * F.linear(xe, w3[e])
        out = out.index_add(0, rows, F.linear(he, w2[e]) * w[rows, cols].unsqueeze(1))
    frac = onehot.sum(dim=(0, 1)).to(probs.dtype) / (T * top_k)
    aux = E * torch.sum(frac * probs.mean(dim=0))
    return out, aux.float()
