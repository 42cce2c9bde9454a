"""Known-wrong variants of the ``layernorm`` drill, for the grader's "looks like …".

Each variant reproduces one classic bug in one entry point (the other entry is the
reference). They compute in float64 so their output is the bug's exact signature, except
``no_fp32_upcast`` and ``one_pass_variance``, whose bugs show in the precision a solution
computes in.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor


def _lead(x: Tensor) -> tuple[int, ...]:
    return tuple(range(x.dim() - 1))


def _stats(x: Tensor, eps: float) -> tuple[Tensor, Tensor]:
    x64 = x.to(torch.float64)
    mu = x64.mean(dim=-1, keepdim=True)
    rstd = torch.rsqrt((x64 - mu).pow(2).mean(dim=-1, keepdim=True) + eps)
    return (x64 - mu) * rstd, rstd


def _affine(x_hat: Tensor, weight: Tensor, bias: Tensor, like: Tensor) -> Tensor:
    return (x_hat * weight.to(torch.float64) + bias.to(torch.float64)).to(like.dtype)


# ------------------------------------------------------------------------------ forward


def bessel_variance(x: Tensor, weight: Tensor, bias: Tensor, eps: float = 1e-5) -> Tensor:
    """`x.var(-1)` (divides by N − 1) instead of the biased variance."""
    x64 = x.to(torch.float64)
    mu = x64.mean(dim=-1, keepdim=True)
    var = x64.var(dim=-1, keepdim=True, unbiased=True)
    return _affine((x64 - mu) * torch.rsqrt(var + eps), weight, bias, x)


def eps_outside_sqrt(x: Tensor, weight: Tensor, bias: Tensor, eps: float = 1e-5) -> Tensor:
    """(x − μ) / (sqrt(σ²) + eps)."""
    x64 = x.to(torch.float64)
    mu = x64.mean(dim=-1, keepdim=True)
    std = (x64 - mu).pow(2).mean(dim=-1, keepdim=True).sqrt()
    return _affine((x64 - mu) / (std + eps), weight, bias, x)


def no_fp32_upcast(x: Tensor, weight: Tensor, bias: Tensor, eps: float = 1e-5) -> Tensor:
    """The textbook formula in x's own dtype: (x − μ)² overflows float16 past 256."""
    mu = x.mean(dim=-1, keepdim=True)
    var = (x - mu).pow(2).mean(dim=-1, keepdim=True)
    return (x - mu) * torch.rsqrt(var + eps) * weight + bias


def one_pass_variance(x: Tensor, weight: Tensor, bias: Tensor, eps: float = 1e-5) -> Tensor:
    """σ² = E[x²] − μ² in the working precision (float32, float64 for float64 x):
    catastrophic cancellation when |μ| ≫ σ."""
    xf = x.to(torch.promote_types(x.dtype, torch.float32))
    mu = xf.mean(dim=-1, keepdim=True)
    var = (xf * xf).mean(dim=-1, keepdim=True) - mu * mu
    y = (xf - mu) * torch.rsqrt(var.clamp_min(0) + eps)
    return (y * weight.to(xf.dtype) + bias.to(xf.dtype)).to(x.dtype)


def no_mean_subtraction(x: Tensor, weight: Tensor, bias: Tensor, eps: float = 1e-5) -> Tensor:
    """x / sqrt(mean(x²) + eps): RMSNorm with a bias, not LayerNorm."""
    x64 = x.to(torch.float64)
    return _affine(x64 * torch.rsqrt(x64.pow(2).mean(dim=-1, keepdim=True) + eps),
                   weight, bias, x)


# ------------------------------------------------------------------------------ backward


def _backward(grad_out: Tensor, x: Tensor, weight: Tensor, eps: float, *, mean_term: bool = True,
              xhat_term: bool = True, use_weight: bool = True
              ) -> tuple[Tensor, Tensor, Tensor]:
    x_hat, rstd = _stats(x, eps)
    dy = grad_out.to(torch.float64)
    g = dy * weight.to(torch.float64) if use_weight else dy
    inner = g
    if mean_term:
        inner = inner - g.mean(dim=-1, keepdim=True)
    if xhat_term:
        inner = inner - x_hat * (g * x_hat).mean(dim=-1, keepdim=True)
    lead = _lead(x)
    gw = (dy * x_hat).sum(dim=lead) if lead else dy * x_hat
    gb = dy.sum(dim=lead) if lead else dy
    return (rstd * inner).to(x.dtype), gw.to(weight.dtype), gb.to(weight.dtype)


def backward_missing_mean_term(grad_out: Tensor, x: Tensor, weight: Tensor,
                               eps: float = 1e-5) -> tuple[Tensor, Tensor, Tensor]:
    """dx = rstd·(g − x̂·mean(g·x̂)): the gradient through μ is dropped (RMSNorm's dx)."""
    return _backward(grad_out, x, weight, eps, mean_term=False)


def backward_missing_variance_term(grad_out: Tensor, x: Tensor, weight: Tensor,
                                   eps: float = 1e-5) -> tuple[Tensor, Tensor, Tensor]:
    """dx = rstd·(g − mean(g)): rstd treated as a constant (no gradient through σ²)."""
    return _backward(grad_out, x, weight, eps, xhat_term=False)


def backward_forgets_weight(grad_out: Tensor, x: Tensor, weight: Tensor,
                            eps: float = 1e-5) -> tuple[Tensor, Tensor, Tensor]:
    """dx uses dy where it needs g = dy·weight."""
    return _backward(grad_out, x, weight, eps, use_weight=False)


def grad_weight_over_wrong_dim(grad_out: Tensor, x: Tensor, weight: Tensor,
                               eps: float = 1e-5) -> tuple[Tensor, Tensor, Tensor]:
    """dweight and dbias summed over the normalised (last) dim instead of the rows."""
    grad_x, _, _ = _backward(grad_out, x, weight, eps)
    x_hat, _ = _stats(x, eps)
    dy = grad_out.to(torch.float64)
    return (grad_x, (dy * x_hat).sum(dim=-1).to(weight.dtype),
            dy.sum(dim=-1).to(weight.dtype))


def backward_bessel_variance(grad_out: Tensor, x: Tensor, weight: Tensor,
                             eps: float = 1e-5) -> tuple[Tensor, Tensor, Tensor]:
    """The backward of the N − 1 variance: rstd and x̂ from `x.var(-1)` (unbiased)."""
    x64 = x.to(torch.float64)
    n = x.shape[-1]
    mu = x64.mean(dim=-1, keepdim=True)
    rstd = torch.rsqrt(x64.var(dim=-1, keepdim=True, unbiased=True) + eps)
    x_hat = (x64 - mu) * rstd
    dy = grad_out.to(torch.float64)
    g = dy * weight.to(torch.float64)
    # d x̂ / dx for σ² = Σ(x − μ)²/(N − 1): the x̂ term carries N/(N − 1).
    dx = rstd * (g - g.mean(dim=-1, keepdim=True)
                 - x_hat * (g * x_hat).sum(dim=-1, keepdim=True) / max(n - 1, 1))
    lead = _lead(x)
    gw = (dy * x_hat).sum(dim=lead) if lead else dy * x_hat
    gb = dy.sum(dim=lead) if lead else dy
    return dx.to(x.dtype), gw.to(weight.dtype), gb.to(weight.dtype)


def _text(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


MISTAKES: list[dict[str, Any]] = [
    {
        "id": "bessel_variance",
        "title": _text("Unbiased (N − 1) variance", "用了无偏（N − 1）方差"),
        "explanation": _text(
            "`x.var(-1)` divides by N − 1 (Bessel's correction); LayerNorm normalises with the "
            "biased variance, Σ(x − μ)²/N, as F.layer_norm does. The outputs shrink by "
            "√((N − 1)/N) — visible for short rows.",
            "`x.var(-1)` 默认除以 N − 1（Bessel 修正）；LayerNorm 用的是有偏方差 Σ(x − μ)²/N，"
            "与 F.layer_norm 一致。输出会缩小 √((N − 1)/N) 倍，行短时很明显。"),
        "layer_norm": bessel_variance,
        "exposed_by": "short rows (N = 8)",
    },
    {
        "id": "eps_outside_sqrt",
        "title": _text("ε outside the square root", "ε 放在了根号外面"),
        "explanation": _text(
            "Computes (x − μ)/(σ + ε) instead of (x − μ)/sqrt(σ² + ε). They agree when σ² ≫ ε "
            "but not when the variance is comparable to ε — exactly the rows ε is there for.",
            "写成了 (x − μ)/(σ + ε)，正确的是 (x − μ)/sqrt(σ² + ε)。σ² ≫ ε 时两者相同，"
            "方差与 ε 同量级时就不同了——而这正是 ε 要处理的行。"),
        "layer_norm": eps_outside_sqrt,
        "exposed_by": "tiny variance (σ ≈ 1e-3) with default eps",
        "agrees_on": "huge variance (σ ≈ 1e3)",
    },
    {
        "id": "no_fp32_upcast",
        "title": _text("No float32 statistics in half precision", "半精度下统计量没有用 float32"),
        "explanation": _text(
            "(x − μ)² is computed in float16, which overflows to inf once |x − μ| > 256 "
            "(float16's largest value is 65504): the variance is inf and every output collapses "
            "to the bias. Compute μ and σ² in float32 and cast y back at the end.",
            "在 float16 里计算 (x − μ)²，|x − μ| > 256 就溢出成 inf（float16 最大值 65504）："
            "方差为 inf，输出全部塌缩成 bias。μ 和 σ² 要用 float32 计算，最后再把 y 转回去。"),
        "layer_norm": no_fp32_upcast,
        "exposed_by": "float16, huge variance (σ ≈ 300)",
    },
    {
        "id": "one_pass_variance",
        "title": _text("Variance as E[x²] − μ²", "用 E[x²] − μ² 求方差"),
        "explanation": _text(
            "The one-pass formula subtracts two nearly equal large numbers: with μ ≈ 1e4 and "
            "σ ≈ 1, E[x²] ≈ 1e8, so float64 keeps only ~8 of σ²'s digits (errors ~1e-8) and "
            "float32 none at all (σ² can even come out negative). Subtract the mean first "
            "(two passes), or use Welford's update in a kernel.",
            "单遍公式是两个几乎相等的大数相减：μ ≈ 1e4、σ ≈ 1 时 E[x²] ≈ 1e8，"
            "float64 中 σ² 只剩约 8 位有效数字（误差约 1e-8），float32 中一位不剩（甚至为负）。"
            "应先减均值（两遍），或在 kernel 里用 Welford 更新。"),
        "layer_norm": one_pass_variance,
        "exposed_by": "float64, large mean, small spread (μ ≈ 1e4, σ ≈ 1)",
        "agrees_on": "float32 basic",
    },
    {
        "id": "no_mean_subtraction",
        "title": _text("No mean subtraction (that is RMSNorm)", "没有减均值（那是 RMSNorm）"),
        "explanation": _text(
            "x is divided by sqrt(mean(x²) + ε) without centring: that is RMSNorm. LayerNorm "
            "re-centres each row (subtracts μ) before scaling by 1/sqrt(σ² + ε).",
            "没有中心化，直接除以 sqrt(mean(x²) + ε)：这是 RMSNorm。LayerNorm 会先把每行减去 μ，"
            "再乘 1/sqrt(σ² + ε)。"),
        "layer_norm": no_mean_subtraction,
        "exposed_by": "float32 basic",
    },
    {
        "id": "backward_missing_mean_term",
        "title": _text("Backward misses the −mean(g) term", "反向漏了 −mean(g) 项"),
        "explanation": _text(
            "dx = rstd·(g − mean(g) − x̂·mean(g·x̂)); dropping −mean(g) forgets that μ depends "
            "on every x_j (that formula is RMSNorm's backward). A correct dx sums to 0 over each "
            "row, because LayerNorm is invariant to adding a constant to the row.",
            "dx = rstd·(g − mean(g) − x̂·mean(g·x̂))；漏掉 −mean(g) 就忽略了 μ 依赖每个 x_j"
            "（那是 RMSNorm 的反向）。正确的 dx 每行之和为 0，"
            "因为给整行加常数不改变 LayerNorm 输出。"),
        "layer_norm_backward": backward_missing_mean_term,
        "exposed_by": "backward float32 basic",
    },
    {
        "id": "backward_missing_variance_term",
        "title": _text("Backward treats rstd as a constant", "反向把 rstd 当成常数"),
        "explanation": _text(
            "dx = rstd·(g − mean(g)) drops the path through σ²: −x̂·mean(g·x̂). A correct dx is "
            "also orthogonal to x̂ in each row (scaling x does not change x̂).",
            "dx = rstd·(g − mean(g)) 漏掉了经过 σ² 的路径 −x̂·mean(g·x̂)。正确的 dx 每行还与 x̂ 正交"
            "（把 x 整体放缩不改变 x̂）。"),
        "layer_norm_backward": backward_missing_variance_term,
        "exposed_by": "backward float32 basic",
    },
    {
        "id": "backward_forgets_weight",
        "title": _text("Backward forgets the weight in dx", "反向计算 dx 时忘了乘 weight"),
        "explanation": _text(
            "y = x̂·w + b, so the gradient reaching x̂ is g = dy·w; using dy itself in the dx "
            "formula gives the gradient of a LayerNorm without its gain.",
            "y = x̂·w + b，所以传到 x̂ 的梯度是 g = dy·w；在 dx 公式里直接用 dy，"
            "得到的是不带缩放参数的 LayerNorm 的梯度。"),
        "layer_norm_backward": backward_forgets_weight,
        "exposed_by": "backward float32 basic",
    },
    {
        "id": "grad_weight_over_wrong_dim",
        "title": _text("dweight / dbias summed over the wrong dim",
                       "dweight / dbias 在错误的维度上求和"),
        "explanation": _text(
            "weight and bias are shared by every row, so their gradients sum dy·x̂ and dy over the "
            "rows (every leading dim) and keep the last. Summing over dim −1 gives one number per "
            "row — the same shape only when there happen to be N rows.",
            "weight 和 bias 被所有行共享，所以梯度要对所有行（前面的每一维）求和 dy·x̂ 和 dy，"
            "保留最后一维。对 dim −1 求和得到的是每行一个数——只有恰好 N 行时形状才碰巧对上。"),
        "layer_norm_backward": grad_weight_over_wrong_dim,
        "exposed_by": "backward square input (rows = N = 64)",
    },
    {
        "id": "backward_bessel_variance",
        "title": _text("Backward of the unbiased variance", "反向按无偏方差推导"),
        "explanation": _text(
            "The statistics use N − 1 (x.var(-1)), so rstd, x̂ and the x̂ term's 1/(N − 1) are "
            "all off: the backward of a different forward. LayerNorm's variance divides by N.",
            "统计量用了 N − 1（x.var(-1)），rstd、x̂ 以及 x̂ 项的 1/(N − 1) 都不对："
            "这是另一个前向的反向。LayerNorm 的方差除以 N。"),
        "layer_norm_backward": backward_bessel_variance,
        "exposed_by": "backward 1-D input",
    },
]
