"""Known-wrong variants of the ``adamw`` drill, for the grader's "looks like …".

Each variant is the reference step (float64, written back in place) with one classic bug,
so what it leaves in params / exp_avgs / exp_avg_sqs is the bug's exact signature.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor


def _step(params: list[Tensor], grads: list[Tensor], exp_avgs: list[Tensor],
          exp_avg_sqs: list[Tensor], step: int, lr: float, betas: tuple[float, float],
          eps: float, weight_decay: float, max_grad_norm: float | None, *,
          l2: bool = False, decay_lr: bool = True, bias_correction: bool = True,
          sqrt_bc2: bool = True, eps_inside: bool = False, per_tensor_clip: bool = False,
          clamp_clip: bool = True, swap_ema: bool = False, step_shift: int = 0) -> None:
    beta1, beta2 = betas
    g64 = [g.to(torch.float64) for g in grads]
    if max_grad_norm is not None:
        if per_tensor_clip:
            coefs = [max_grad_norm / (float(g.pow(2).sum()) ** 0.5 + 1e-6) for g in g64]
        else:
            total = math.sqrt(sum(float(g.pow(2).sum()) for g in g64))
            coefs = [max_grad_norm / (total + 1e-6)] * len(g64)
        g64 = [g * (min(1.0, c) if clamp_clip else c) for g, c in zip(g64, coefs, strict=True)]
    t = step + step_shift
    bias1 = 1.0 - beta1 ** t if bias_correction else 1.0
    bias2 = 1.0 - beta2 ** t if bias_correction else 1.0
    for p, g, m, v in zip(params, g64, exp_avgs, exp_avg_sqs, strict=True):
        theta = p.to(torch.float64)
        if l2:
            g = g + weight_decay * theta
        else:
            theta = theta * (1.0 - (lr if decay_lr else 1.0) * weight_decay)
        if swap_ema:
            m_new = (1.0 - beta1) * m.to(torch.float64) + beta1 * g
            v_new = (1.0 - beta2) * v.to(torch.float64) + beta2 * g * g
        else:
            m_new = beta1 * m.to(torch.float64) + (1.0 - beta1) * g
            v_new = beta2 * v.to(torch.float64) + (1.0 - beta2) * g * g
        if eps_inside:
            denom = (v_new / bias2 + eps).sqrt()
        else:
            denom = v_new.sqrt() / (math.sqrt(bias2) if sqrt_bc2 else bias2) + eps
        p.copy_(theta - (lr / bias1) * m_new / denom)
        m.copy_(m_new)
        v.copy_(v_new)


def _variant(**bug: Any) -> Any:
    def adamw_step(params: list[Tensor], grads: list[Tensor], exp_avgs: list[Tensor],
                   exp_avg_sqs: list[Tensor], step: int, lr: float,
                   betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                   weight_decay: float = 0.01, max_grad_norm: float | None = None) -> None:
        _step(params, grads, exp_avgs, exp_avg_sqs, step, lr, betas, eps, weight_decay,
              max_grad_norm, **bug)

    return adamw_step


def _text(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


MISTAKES: list[dict[str, Any]] = [
    {
        "id": "l2_in_the_gradient",
        "title": _text("L2 added to the gradient (Adam, not AdamW)",
                       "把 L2 加进了梯度（这是 Adam，不是 AdamW）"),
        "explanation": _text(
            "g + wd·θ goes through the moments and is divided by sqrt(v̂): that is Adam with L2 "
            "regularisation (torch.optim.Adam's weight_decay). Weights with large gradients "
            "then barely decay. AdamW decouples it: θ ← θ·(1 − lr·wd) outside the Adam step "
            "(Loshchilov & Hutter, 2019).",
            "g + wd·θ 进入了一阶、二阶矩并被 sqrt(v̂) 除：这是带 L2 正则的 Adam"
            "（torch.optim.Adam 的 weight_decay）。梯度大的权重几乎不衰减。AdamW 把它解耦："
            "在 Adam 更新之外做 θ ← θ·(1 − lr·wd)（Loshchilov & Hutter, 2019）。"),
        "adamw_step": _variant(l2=True),
        "exposed_by": "weight decay 0.1",
        "agrees_on": "weight decay 0",
    },
    {
        "id": "decay_without_lr",
        "title": _text("Decay not scaled by the learning rate", "weight decay 没有乘学习率"),
        "explanation": _text(
            "θ ← θ·(1 − wd) shrinks every weight by wd per step whatever the lr. PyTorch's "
            "AdamW multiplies by (1 − lr·wd), so the decay follows the lr schedule (the paper "
            "writes it with the schedule multiplier η_t).",
            "θ ← θ·(1 − wd) 让每一步都按 wd 收缩，与学习率无关。PyTorch 的 AdamW 乘的是 "
            "(1 − lr·wd)，所以衰减会跟着学习率调度变化（论文里写作带调度系数 η_t）。"),
        "adamw_step": _variant(decay_lr=False),
        "exposed_by": "weight decay 0.1",
        "agrees_on": "weight decay 0",
    },
    {
        "id": "no_bias_correction",
        "title": _text("No bias correction", "没有偏差修正"),
        "explanation": _text(
            "m and v start at 0, so early on they are biased towards 0 by factors 1 − β₁ᵗ and "
            "1 − β₂ᵗ. Without dividing them out the first steps have the wrong size (at t = 1: "
            "m/sqrt(v) = 0.1·g/(0.0316·|g|) ≈ 3.16·sign(g) instead of sign(g)).",
            "m 和 v 从 0 开始，早期会按 1 − β₁ᵗ 和 1 − β₂ᵗ 偏向 0。不除掉这两个因子，"
            "前几步的步长就不对（t = 1 时 m/sqrt(v) = 0.1·g/(0.0316·|g|) ≈ 3.16·sign(g)，"
            "而不是 sign(g)）。"),
        "adamw_step": _variant(bias_correction=False),
        "exposed_by": "step 1 (fresh state)",
        "agrees_on": "step 100000 (bias corrections ≈ 1)",
    },
    {
        "id": "bias_correction2_not_sqrt",
        "title": _text("Second-moment correction without the square root",
                       "二阶矩修正没有开根号"),
        "explanation": _text(
            "v̂ = v/(1 − β₂ᵗ) sits under the square root, so sqrt(v) is divided by "
            "sqrt(1 − β₂ᵗ), not by 1 − β₂ᵗ. Dividing by the factor itself makes the early steps "
            "up to 1/sqrt(1 − β₂) ≈ 32× too small.",
            "v̂ = v/(1 − β₂ᵗ) 在根号里，所以 sqrt(v) 应除以 sqrt(1 − β₂ᵗ)，而不是 1 − β₂ᵗ。"
            "直接除以这个因子会让早期的步长最多小 1/sqrt(1 − β₂) ≈ 32 倍。"),
        "adamw_step": _variant(sqrt_bc2=False),
        "exposed_by": "step 1 (fresh state)",
        "agrees_on": "step 100000 (bias corrections ≈ 1)",
    },
    {
        "id": "eps_inside_sqrt",
        "title": _text("eps inside the square root", "eps 放进了根号里"),
        "explanation": _text(
            "sqrt(v̂ + eps) instead of sqrt(v̂) + eps: with eps = 1e-8 that is a floor of 1e-4 "
            "on the denominator instead of 1e-8, which damps every parameter whose gradients are "
            "around 1e-4 or smaller. torch.optim adds eps after the square root.",
            "写成了 sqrt(v̂ + eps) 而不是 sqrt(v̂) + eps：eps = 1e-8 时分母的下限变成 1e-4 "
            "而不是 1e-8，梯度在 1e-4 量级及以下的参数都会被压小。"
            "torch.optim 在开根号之后才加 eps。"),
        "adamw_step": _variant(eps_inside=True),
        "exposed_by": "small gradients (|g| ≈ 1e-5): eps matters",
        "agrees_on": "step 10 with a history",
    },
    {
        "id": "per_tensor_clipping",
        "title": _text("Clipping each tensor by its own norm", "每个张量按自己的范数裁剪"),
        "explanation": _text(
            "clip_grad_norm_ computes one 2-norm over all the gradients together and scales "
            "them all by the same factor, preserving the update's direction. Clipping each "
            "tensor separately changes the direction and clips more than intended.",
            "clip_grad_norm_ 对所有梯度一起求一个 2-范数，并用同一个系数缩放，保持更新方向不变。"
            "逐个张量裁剪会改变方向，而且裁得比预期多。"),
        "adamw_step": _variant(per_tensor_clip=True),
        "exposed_by": "clipping that bites",
        "agrees_on": "clipping that does not bite",
    },
    {
        "id": "clip_scales_up",
        "title": _text("Clip coefficient not clamped at 1", "裁剪系数没有截断到 1"),
        "explanation": _text(
            "g·max_norm/‖g‖ is applied even when ‖g‖ < max_norm, which scales small gradients "
            "up to the threshold. clip_grad_norm_ uses min(1, max_norm/(‖g‖ + 1e-6)).",
            "即使 ‖g‖ < max_norm 也乘了 max_norm/‖g‖，把小梯度放大到阈值。"
            "clip_grad_norm_ 用的是 min(1, max_norm/(‖g‖ + 1e-6))。"),
        "adamw_step": _variant(clamp_clip=False),
        "exposed_by": "clipping that does not bite",
        "agrees_on": "clipping that bites",
    },
    {
        "id": "ema_weights_swapped",
        "title": _text("Moment averages with β and 1 − β swapped", "动量平均里 β 和 1 − β 写反了"),
        "explanation": _text(
            "m ← (1 − β₁)·m + β₁·g keeps only 10% of the history: the moving average forgets "
            "almost at once. The old value gets β: m ← β₁·m + (1 − β₁)·g (`m.lerp_(g, 1 − β₁)`).",
            "m ← (1 − β₁)·m + β₁·g 只保留 10% 的历史：滑动平均几乎立刻遗忘。"
            "旧值应乘 β：m ← β₁·m + (1 − β₁)·g（`m.lerp_(g, 1 − β₁)`）。"),
        "adamw_step": _variant(swap_ema=True),
        "exposed_by": "step 10 with a history",
    },
    {
        "id": "step_off_by_one",
        "title": _text("Bias correction with t + 1", "偏差修正用了 t + 1"),
        "explanation": _text(
            "`step` is already the number of this update (1 on the first call, as the state's "
            "step after torch.optim increments it). Incrementing it again corrects with "
            "1 − β^(t+1): at t = 1 the step is about 1/√2 of its size.",
            "`step` 已经是本次更新的序号（第一次调用为 1，即 torch.optim 自增之后的 step）。"
            "再加一次就会用 1 − β^(t+1) 修正：t = 1 时步长只有应有的约 1/√2。"),
        "adamw_step": _variant(step_shift=1),
        "exposed_by": "step 1 (fresh state)",
        "agrees_on": "step 100000 (bias corrections ≈ 1)",
    },
]
