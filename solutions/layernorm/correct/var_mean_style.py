"""A candidate's LayerNorm: torch.var_mean in float32 forward, and the backward written
from the chain rule step by step (dx̂ → dvar → dmean → dx)."""

import torch


def layer_norm(x, weight, bias, eps=1e-5):
    h = x.to(torch.promote_types(x.dtype, torch.float32))
    var, mean = torch.var_mean(h, dim=-1, keepdim=True, unbiased=False)
    y = (h - mean) / torch.sqrt(var + eps)
    return (y * weight.to(h.dtype) + bias.to(h.dtype)).to(x.dtype)


def layer_norm_backward(grad_out, x, weight, eps=1e-5):
    h = x.to(torch.promote_types(x.dtype, torch.float32))
    dy = grad_out.to(h.dtype)
    n = h.shape[-1]
    mean = h.mean(-1, keepdim=True)
    xc = h - mean
    var = (xc * xc).mean(-1, keepdim=True)
    inv = 1.0 / torch.sqrt(var + eps)
    xhat = xc * inv
    dxhat = dy * weight.to(h.dtype)
    dvar = (dxhat * xc).sum(-1, keepdim=True) * -0.5 * inv**3
    dmean = -(dxhat * inv).sum(-1, keepdim=True) - 2.0 * dvar * xc.mean(-1, keepdim=True)
    dx = dxhat * inv + dvar * 2.0 * xc / n + dmean / n
    dims = list(range(h.dim() - 1))
    if dims:
        dw = (dy * xhat).sum(dim=dims)
        db = dy.sum(dim=dims)
    else:  # a single row: nothing to sum, but return new tensors, never grad_out itself
        dw, db = dy * xhat, dy.clone()
    return dx.to(x.dtype), dw.to(weight.dtype), db.to(weight.dtype)
