"""Known-wrong variants of the ``rmsnorm`` drill, for the grader's "looks like …" diagnosis.

Each entry of :data:`MISTAKES` carries an ``id``, a bilingual ``title`` and ``explanation``,
and a ``rms_norm`` callable with the drill's signature that reproduces one classic bug and is
otherwise correct. The variants compute in float64 so their output is the bug's exact
signature — except ``no_fp32_upcast``, whose bug *is* the precision it computes in.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor


def eps_outside_sqrt(x: Tensor, weight: Tensor, eps: float = 1e-6) -> Tensor:
    """x / (sqrt(mean(x²)) + eps) · weight."""
    x64 = x.double()
    rms = x64.pow(2).mean(dim=-1, keepdim=True).sqrt()
    return (x64 / (rms + eps) * weight.double()).to(x.dtype)


def no_fp32_upcast(x: Tensor, weight: Tensor, eps: float = 1e-6) -> Tensor:
    """The textbook formula evaluated in x's own dtype (float16 x² overflows past 256)."""
    return x * torch.rsqrt(x.pow(2).mean(dim=-1, keepdim=True) + eps) * weight


def mean_over_all_elements(x: Tensor, weight: Tensor, eps: float = 1e-6) -> Tensor:
    """mean(x²) over the whole tensor (no dim=-1): one RMS shared by every row."""
    x64 = x.double()
    return (x64 * torch.rsqrt(x64.pow(2).mean() + eps) * weight.double()).to(x.dtype)


def subtracts_mean(x: Tensor, weight: Tensor, eps: float = 1e-6) -> Tensor:
    """LayerNorm (without bias): x is centred and divided by its standard deviation."""
    x64 = x.double()
    centred = x64 - x64.mean(dim=-1, keepdim=True)
    var = centred.pow(2).mean(dim=-1, keepdim=True)
    return (centred * torch.rsqrt(var + eps) * weight.double()).to(x.dtype)


def no_weight(x: Tensor, weight: Tensor, eps: float = 1e-6) -> Tensor:
    """Normalises but never multiplies by the learned weight (gain)."""
    x64 = x.double()
    return (x64 * torch.rsqrt(x64.pow(2).mean(dim=-1, keepdim=True) + eps)).to(x.dtype)


def sum_not_mean(x: Tensor, weight: Tensor, eps: float = 1e-6) -> Tensor:
    """sqrt(sum(x²)) — the L2 norm — instead of sqrt(mean(x²)): off by a factor √N."""
    x64 = x.double()
    inv = torch.rsqrt(x64.pow(2).sum(dim=-1, keepdim=True) + eps)
    return (x64 * inv * weight.double()).to(x.dtype)


def no_sqrt(x: Tensor, weight: Tensor, eps: float = 1e-6) -> Tensor:
    """Divides by mean(x²) + eps: the mean square, not its square root."""
    x64 = x.double()
    return (x64 / (x64.pow(2).mean(dim=-1, keepdim=True) + eps) * weight.double()).to(x.dtype)


#: The fixed row block of `fixed_block_no_loop` (Triton's tutorials' usual BLOCK_SIZE).
FIXED_BLOCK = 1024


def fixed_block_no_loop(x: Tensor, weight: Tensor, eps: float = 1e-6) -> Tensor:
    """A Triton kernel with a fixed BLOCK = 1024 and no loop over the row: Σx² covers only
    the first 1024 features (still divided by N), and the features past them are never
    written (zeros, as in the starter's torch.zeros_like output)."""
    x64 = x.double()
    n = x.shape[-1]
    head = x64[..., :FIXED_BLOCK]
    rstd = torch.rsqrt(head.pow(2).sum(dim=-1, keepdim=True) / n + eps)
    done = head * rstd * weight.double()[:FIXED_BLOCK]
    rest = torch.zeros_like(x64[..., FIXED_BLOCK:])
    return torch.cat([done, rest], dim=-1).to(x.dtype)


MISTAKES: list[dict[str, Any]] = [
    {
        "id": "eps_outside_sqrt",
        "exposed_by": "large eps (0.1) with small activations",
        "agrees_on": "float32 basic",
        "title": {"en": "ε outside the square root", "zh": "ε 放在了根号外面"},
        "explanation": {
            "en": "Computes x / (sqrt(mean(x²)) + ε) instead of x / sqrt(mean(x²) + ε). The "
            "two agree for large activations but differ when mean(x²) is comparable to ε, "
            "which is exactly the case ε exists for.",
            "zh": "写成了 x / (sqrt(mean(x²)) + ε)，正确的是 x / sqrt(mean(x²) + ε)。"
            "激活较大时两者几乎相同，"
            "但当 mean(x²) 与 ε 同量级时差别明显——而这正是 ε 要处理的情况。",
        },
        "rms_norm": eps_outside_sqrt,
    },
    {
        "id": "no_fp32_upcast",
        "exposed_by": "float16, |x|≈300",
        "agrees_on": "float32 basic",
        "title": {
            "en": "No float32 upcast in half precision",
            "zh": "半精度下没有升到 float32 计算",
        },
        "explanation": {
            "en": "x² is computed in float16, which overflows to inf once |x| > 256 (float16 max "
            "is 65504), so the RMS becomes inf and the row collapses to 0. LLaMA-style RMSNorm "
            "computes the statistics in float32 and casts back at the end.",
            "zh": "在 float16 里直接算 x²，|x| > 256 时就会溢出成 inf（float16 最大值 65504），"
            "RMS 变成 inf，整行输出变成 0。LLaMA 的 RMSNorm 先转 float32 算统计量，"
            "最后再转回原 dtype。",
        },
        "rms_norm": no_fp32_upcast,
    },
    {
        "id": "mean_over_all_elements",
        "exposed_by": "float32 basic",
        "agrees_on": "size one",
        "title": {
            "en": "Mean over the whole tensor, not the last dim",
            "zh": "均值对整个张量求，而不是沿最后一维",
        },
        "explanation": {
            "en": "mean(x²) is taken without dim=-1, so every token shares one RMS. RMSNorm "
            "normalises each token (row) by its own RMS over the hidden dimension.",
            "zh": "mean(x²) 没有指定 dim=-1，所有 token 共用了同一个 RMS。"
            "RMSNorm 应该对每个 token（每一行）沿 hidden 维单独计算 RMS。",
        },
        "rms_norm": mean_over_all_elements,
    },
    {
        "id": "subtracts_mean",
        "exposed_by": "float32 basic",
        "agrees_on": None,
        "title": {
            "en": "Subtracts the mean (that is LayerNorm)",
            "zh": "减了均值（那是 LayerNorm）",
        },
        "explanation": {
            "en": "The input is centred and divided by its standard deviation, which is "
            "LayerNorm. RMSNorm drops the re-centring: it divides by sqrt(mean(x²) + ε) only.",
            "zh": "先减均值再除以标准差，这是 LayerNorm。RMSNorm 去掉了 re-centering，"
            "只除以 sqrt(mean(x²) + ε)，计算更省且效果相当。",
        },
        "rms_norm": subtracts_mean,
    },
    {
        "id": "no_weight",
        "exposed_by": "float32 basic",
        "agrees_on": "unit weight",
        "title": {"en": "Forgets the weight (gain)", "zh": "忘了乘 weight（缩放参数）"},
        "explanation": {
            "en": "The output is normalised but never multiplied by the learned per-channel "
            "weight, so the layer cannot rescale its channels.",
            "zh": "只做了归一化，没有乘可学习的逐通道 weight，模型就无法恢复各通道的尺度。",
        },
        "rms_norm": no_weight,
    },
    {
        "id": "sum_not_mean",
        "exposed_by": "float32 basic",
        "agrees_on": "size one",
        "title": {"en": "sqrt of the sum instead of the mean", "zh": "根号里用了求和而不是均值"},
        "explanation": {
            "en": "Divides by sqrt(sum(x²)) — the L2 norm — instead of sqrt(mean(x²)), so the "
            "output is √N times too small, N being the hidden size.",
            "zh": "除以的是 sqrt(sum(x²))（即 L2 范数）而不是 sqrt(mean(x²))，"
            "输出整体小了 √N 倍（N 为 hidden size）。",
        },
        "rms_norm": sum_not_mean,
    },
    {
        "id": "no_sqrt",
        "exposed_by": "float32 basic",
        "agrees_on": None,
        "title": {"en": "Missing square root", "zh": "漏了开根号"},
        "explanation": {
            "en": "Divides by mean(x²) + ε, the mean square, instead of its square root; the "
            "output then scales like 1/x instead of being scale-invariant.",
            "zh": "除以的是均方 mean(x²) + ε，而不是它的平方根（RMS），输出随 x 的尺度反比变化，"
            "失去了尺度不变性。",
        },
        "rms_norm": no_sqrt,
    },
    {
        "id": "fixed_block_no_loop",
        "exposed_by": "hidden size 1531 (wider than a 1024 block), float16",
        "agrees_on": "hidden size 1000 (not a power of two)",
        "tracks": ["triton"],
        "title": {
            "en": "Fixed BLOCK of 1024 with no loop over the row",
            "zh": "固定 BLOCK = 1024，且没有在行内循环",
        },
        "explanation": {
            "en": "The kernel covers one fixed block of 1024 features per row, so a hidden size "
            "past 1024 (LLaMA's is 4096) gets Σx² from the first 1024 features only and the "
            "rest of the row is never written. Size the block from N "
            "(triton.next_power_of_2(N)) or loop over the row in BLOCK-sized chunks.",
            "zh": "kernel 每行只处理固定的 1024 个元素，隐藏维超过 1024（LLaMA 是 4096）时，"
            "Σx² 只算了前 1024 个元素，行里其余部分根本没有写入。"
            "按 N 选块大小（triton.next_power_of_2(N)），或在行内按 BLOCK 分块循环。",
        },
        "rms_norm": fixed_block_no_loop,
    },
]
