"""Known-wrong variants of the ``lora`` drill, for the grader's "looks like …" diagnosis.

Each entry of :data:`MISTAKES` reproduces one classic bug in an otherwise correct LoRA layer
or merge. The variants compute in float64 so their output is the bug's exact signature,
except the half-precision merge, whose bug is the precision it computes in. (Forming B·A in
lora_linear gives the right numbers; the memory-budget case and its hint catch it.)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

F64 = torch.float64


def _scale(kind: str) -> Callable[[float, int], float]:
    return {"alpha/r": lambda a, r: a / r, "alpha": lambda a, r: a,
            "alpha/sqrt(r)": lambda a, r: a / math.sqrt(r), "one": lambda a, r: 1.0}[kind]


def _linear(scale: str = "alpha/r", *, use_bias: bool = True) -> Callable[..., Tensor]:
    def lora_linear(x: Tensor, weight: Tensor, bias: Tensor | None, lora_a: Tensor,
                    lora_b: Tensor, alpha: float) -> Tensor:
        s = _scale(scale)(alpha, lora_a.shape[0])
        x64 = x.to(F64)
        y = x64 @ weight.to(F64).T
        if bias is not None and use_bias:
            y = y + bias.to(F64)
        y = y + s * ((x64 @ lora_a.to(F64).T) @ lora_b.to(F64).T)
        return y.to(x.dtype)

    return lora_linear


def _merge(scale: str = "alpha/r", *, half: bool = False,
           transposed: bool = False) -> Callable[..., Tensor]:
    def merge_lora(weight: Tensor, lora_a: Tensor, lora_b: Tensor, alpha: float) -> Tensor:
        s = _scale(scale)(alpha, lora_a.shape[0])
        if half:
            # Everything in the weight's own dtype, rounding B·A before the sum.
            return weight + s * (lora_b @ lora_a)
        delta = lora_b.to(F64) @ lora_a.to(F64)
        if transposed and delta.shape[0] == delta.shape[1]:
            # Aᵀ·Bᵀ = (B·A)ᵀ: only square layers accept it, and there it is silently wrong
            # (other shapes raise, so the bug lives on in square layers only).
            delta = delta.T
        return (weight.to(F64) + s * delta).to(weight.dtype)

    return merge_lora


MISTAKES: list[dict[str, Any]] = [
    {
        "id": "scale_alpha",
        "title": {"en": "Scaled by alpha instead of alpha / r",
                  "zh": "缩放用了 alpha 而不是 alpha / r"},
        "explanation": {
            "en": "LoRA scales the update by α/r (Hu et al. 2021, PEFT's `scaling`), so that "
            "changing r does not change the effective learning rate of the adapter. Scaling "
            "by α alone makes the update r times too large.",
            "zh": "LoRA 用 α/r 缩放更新（Hu 等 2021，PEFT 中的 `scaling`），这样改变 r 时"
            "适配器的等效学习率不变。只乘 α 会让更新大 r 倍。",
        },
        "lora_linear": _linear("alpha"),
        "merge_lora": _merge("alpha"),
        "exposed_by": "float32 basic",
        "agrees_on": "r = 1",
    },
    {
        "id": "rslora_scale",
        "title": {"en": "rsLoRA's alpha/√r", "zh": "用了 rsLoRA 的 alpha/√r"},
        "explanation": {
            "en": "α/√r is rank-stabilised LoRA (Kalajdzievski 2023; PEFT's use_rslora=True), "
            "a deliberate alternative for large ranks. The original LoRA and PEFT's default "
            "scale by α/r.",
            "zh": "α/√r 是 rank-stabilised LoRA（Kalajdzievski 2023；PEFT 的 use_rslora=True），"
            "是为大秩设计的另一种选择。原始 LoRA 和 PEFT 的默认值是 α/r。",
        },
        "lora_linear": _linear("alpha/sqrt(r)"),
        "merge_lora": _merge("alpha/sqrt(r)"),
        "exposed_by": "float32 basic",
        "agrees_on": "r = 1",
    },
    {
        "id": "no_scale",
        "title": {"en": "Adapter not scaled", "zh": "适配器没有缩放"},
        "explanation": {
            "en": "Without the α/r factor, x·Aᵀ·Bᵀ is added as is: right only when α = r.",
            "zh": "没有乘 α/r，直接加上 x·Aᵀ·Bᵀ：只有 α = r 时才碰巧正确。",
        },
        "lora_linear": _linear("one"),
        "merge_lora": _merge("one"),
        "exposed_by": "float32 basic",
        "agrees_on": "alpha = r (scale 1)",
    },
    {
        "id": "bias_ignored",
        "title": {"en": "Base layer's bias dropped", "zh": "丢掉了基础层的 bias"},
        "explanation": {
            "en": "The adapter wraps the frozen base layer, bias included: y = x·Wᵀ + b + "
            "s·x·Aᵀ·Bᵀ. (The LoRA branch itself has no bias.)",
            "zh": "适配器包着冻结的基础层，包括它的 bias：y = x·Wᵀ + b + s·x·Aᵀ·Bᵀ。"
            "（LoRA 分支本身没有 bias。）",
        },
        "lora_linear": _linear(use_bias=False),
        "exposed_by": "float32 basic",
        "agrees_on": "bias None",
    },
    {
        "id": "merge_in_half",
        "title": {"en": "Merged in half precision", "zh": "在半精度下合并"},
        "explanation": {
            "en": "B·A computed in float16 is rounded to float16 before it meets W: when the "
            "update is large and W' small (unmerging a big update) that rounding error, about "
            "half a float16 step of |s·B·A|, is larger than W' itself allows. Accumulate in "
            "float32 and round once.",
            "zh": "在 float16 下计算 B·A，会在与 W 相加之前就舍入到 float16：当更新很大而 W' 很小"
            "（撤销一次大的合并）时，这个约为 |s·B·A| 的半个 float16 步长的舍入误差会超过 W' "
            "能容忍的范围。应在 float32 下累加，只舍入一次。",
        },
        "merge_lora": _merge(half=True),
        "exposed_by": "unmerge in float16 (alpha < 0, a large update cancelled)",
        "agrees_on": "merge, float32",
    },
    {
        "id": "delta_transposed",
        "title": {"en": "Update transposed (Aᵀ·Bᵀ)", "zh": "更新量转置了（Aᵀ·Bᵀ）"},
        "explanation": {
            "en": "The weight is (out, in) and the update must be too: B (out, r) · A (r, in). "
            "Aᵀ·Bᵀ = (B·A)ᵀ only has the right shape when the layer is square (q_proj, o_proj) "
            "— and there it silently adds the transposed update.",
            "zh": "权重形状是 (out, in)，更新量也必须是：B (out, r) · A (r, in)。"
            "Aᵀ·Bᵀ = (B·A)ᵀ 只有在方阵层（q_proj、o_proj）时形状才对——"
            "而那时它会悄悄加上转置后的更新。",
        },
        "merge_lora": _merge(transposed=True),
        "exposed_by": "merge, square weight",
    },
]
