"""Reference (oracle) for the ``layernorm`` drill: LayerNorm forward and its backward.

Over the last dimension (size N), with the biased variance (divide by N, as
``torch.nn.functional.layer_norm``)::

    μ = mean(x)    σ² = mean((x − μ)²)    rstd = 1 / sqrt(σ² + eps)    x̂ = (x − μ)·rstd
    y = x̂ · weight + bias

and, for an upstream gradient dy, with g = dy · weight::

    dx = rstd · (g − mean(g) − x̂ · mean(g · x̂))
    dweight = Σ_{leading dims} dy · x̂        dbias = Σ_{leading dims} dy

The oracle computes everything in float64 and returns each result in its input's dtype
(dx in x's, dweight and dbias in weight's); the forward is differentiable in x, weight and
bias. The backward is written out (no autograd), like the solution it checks.
"""

from __future__ import annotations

import torch


def _normalised(x: torch.Tensor, eps: float) -> tuple[torch.Tensor, torch.Tensor]:
    """(x̂, rstd) in float64 over the last dim."""
    x64 = x.to(torch.float64)
    mu = x64.mean(dim=-1, keepdim=True)
    var = (x64 - mu).pow(2).mean(dim=-1, keepdim=True)
    rstd = torch.rsqrt(var + eps)
    return (x64 - mu) * rstd, rstd


def layer_norm(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor,
               eps: float = 1e-5) -> torch.Tensor:
    """(x − mean) / sqrt(biased var + eps) · weight + bias over the last dim, in x's dtype."""
    x_hat, _ = _normalised(x, eps)
    return (x_hat * weight.to(torch.float64) + bias.to(torch.float64)).to(x.dtype)


def layer_norm_backward(grad_out: torch.Tensor, x: torch.Tensor, weight: torch.Tensor,
                        eps: float = 1e-5) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(grad_x, grad_weight, grad_bias) of layer_norm for the upstream gradient grad_out."""
    x_hat, rstd = _normalised(x, eps)
    dy = grad_out.to(torch.float64)
    g = dy * weight.to(torch.float64)
    grad_x = rstd * (g - g.mean(dim=-1, keepdim=True)
                     - x_hat * (g * x_hat).mean(dim=-1, keepdim=True))
    lead = tuple(range(x.dim() - 1))
    grad_weight = (dy * x_hat).sum(dim=lead) if lead else dy * x_hat
    grad_bias = dy.sum(dim=lead) if lead else dy.clone()
    return grad_x.to(x.dtype), grad_weight.to(weight.dtype), grad_bias.to(weight.dtype)


def layer_norm_same_precision(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor,
                              eps: float = 1e-5) -> torch.Tensor:
    """LayerNorm as usually hand-written (float32 statistics for half x): the baseline
    `--bench` times a solution against. (F.layer_norm is forbidden where it runs.)"""
    xf = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x
    var, mean = torch.var_mean(xf, dim=-1, keepdim=True, correction=0)
    return ((xf - mean) * torch.rsqrt(var + eps)).to(x.dtype) * weight + bias


def layer_norm_backward_same_precision(grad_out: torch.Tensor, x: torch.Tensor,
                                       weight: torch.Tensor, eps: float = 1e-5
                                       ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The textbook backward in float32 (float64 stays float64): the `--bench` baseline."""
    wide = torch.promote_types(x.dtype, torch.float32)
    xf, dy = x.to(wide), grad_out.to(wide)
    var, mean = torch.var_mean(xf, dim=-1, keepdim=True, correction=0)
    rstd = torch.rsqrt(var + eps)
    x_hat = (xf - mean) * rstd
    g = dy * weight.to(wide)
    dx = rstd * (g - g.mean(-1, keepdim=True) - x_hat * (g * x_hat).mean(-1, keepdim=True))
    lead = tuple(range(x.dim() - 1))
    if not lead:  # 1-D x: nothing to sum (sum(dim=()) would reduce everything)
        return dx.to(x.dtype), (dy * x_hat).to(weight.dtype), dy.clone().to(weight.dtype)
    return (dx.to(x.dtype), (dy * x_hat).sum(lead).to(weight.dtype),
            dy.sum(lead).to(weight.dtype))


#: Same-precision implementations that `quizapp grade --bench` times solutions against.
BENCH_BASELINES = {"layer_norm": layer_norm_same_precision,
                   "layer_norm_backward": layer_norm_backward_same_precision}
