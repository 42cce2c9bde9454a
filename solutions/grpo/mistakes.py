"""Known-wrong variants of the ``grpo`` drill, for the grader's "looks like …" diagnosis.

Each entry of :data:`MISTAKES` reproduces one classic bug in otherwise correct GRPO code and
overrides the entry point it concerns (the other entry is the reference). Variants compute in
float64 so their output is the bug's exact signature, except the one-pass variance, which
computes in the precision a solution would use because its bug is cancellation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

# --------------------------------------------------------------------------- advantages


def _advantages(*, correction: int = 1, per_group: bool = True, interleaved: bool = False,
                use_eps: bool = True, divide: bool = True, one_pass: bool = False,
                single_nan: bool = False) -> Callable[..., Tensor]:
    def grpo_advantages(rewards: Tensor, group_size: int, eps: float = 1e-4) -> Tensor:
        if group_size == 1 and not single_nan:
            return torch.zeros_like(rewards)             # otherwise correct: no spread, A = 0
        work = torch.float32 if one_pass and rewards.dtype != torch.float64 else torch.float64
        r = rewards.to(work)
        if interleaved:
            grouped = r.reshape(group_size, -1).T        # group j = rewards j, j + G, j + 2G …
        elif per_group:
            grouped = r.reshape(-1, group_size)
        else:
            grouped = r.reshape(1, -1)                   # the whole batch as one group
        n = grouped.shape[1]
        mean = grouped.mean(dim=1, keepdim=True)
        if one_pass:
            var = (grouped * grouped).mean(dim=1, keepdim=True) - mean * mean
            std = (var * n / max(n - 1, 1)).clamp(min=0).sqrt()
        elif n - correction <= 0:
            std = torch.full_like(mean, float("nan"))    # torch.std of a single value
        else:
            std = (grouped - mean).pow(2).sum(dim=1, keepdim=True).div(n - correction).sqrt()
        centred = grouped - mean
        adv = centred / (std + (eps if use_eps else 0.0)) if divide else centred
        if interleaved:
            adv = adv.T
        return adv.reshape(-1).to(rewards.dtype)

    return grpo_advantages


# --------------------------------------------------------------------------- loss


def _loss(*, kl: str = "k3", kl_sign: float = -1.0, reduce: str = "per_sequence",
          objective: str = "min") -> Callable[..., Tensor]:
    def grpo_loss(logp_new: Tensor, logp_old: Tensor, logp_ref: Tensor, advantages: Tensor,
                  mask: Tensor, clip_eps: float = 0.2, beta: float = 0.04) -> Tensor:
        new, old, ref = (t.double() for t in (logp_new, logp_old, logp_ref))
        keep = mask.bool()
        zero = torch.zeros((), dtype=torch.float64)
        new, old, ref = (torch.where(keep, t, zero) for t in (new, old, ref))
        a = advantages.double().unsqueeze(1)
        ratio = torch.exp(new - old)
        clipped = ratio.clamp(1 - clip_eps, 1 + clip_eps) * a
        if objective == "min":
            surrogate = torch.minimum(ratio * a, clipped)
        elif objective == "max":
            surrogate = torch.maximum(ratio * a, clipped)
        else:                                            # "clipped": the clipped term alone
            surrogate = clipped
        if kl == "k3":
            d = ref - new
            est = torch.exp(d) - d - 1
        elif kl == "k3_reversed":
            d = new - ref
            est = torch.exp(d) - d - 1
        else:                                            # "k1": log π/π_ref
            est = new - ref
        per_token = torch.where(keep, surrogate + kl_sign * beta * est, zero)
        if reduce == "per_sequence":
            value = (per_token.sum(1) / keep.sum(1).clamp(min=1)).mean()
        elif reduce == "batch_tokens":
            value = per_token.sum() / keep.sum().clamp(min=1)
        else:                                            # "all_positions": mask ignored in /
            value = per_token.sum(1).div(keep.shape[1]).mean()
        return (-value).to(logp_new.dtype)

    return grpo_loss


MISTAKES: list[dict[str, Any]] = [
    {
        "id": "population_std",
        "title": {"en": "Population std (no Bessel correction)",
                  "zh": "用了总体标准差（没有 Bessel 校正）"},
        "explanation": {
            "en": "TRL's GRPOTrainer normalises by torch.std, the sample standard deviation "
            "(divide by n − 1). Dividing by n (np.std's default, or unbiased=False) makes the "
            "advantages √(n/(n−1)) times larger: 9.5% for groups of 6.",
            "zh": "TRL 的 GRPOTrainer 用 torch.std 归一化，即样本标准差（除以 n − 1）。"
            "除以 n（np.std 的默认值，或 unbiased=False）会让优势放大 √(n/(n−1)) 倍："
            "每组 6 个时大 9.5%。",
        },
        "grpo_advantages": _advantages(correction=0),
        "exposed_by": "advantages, float32 basic",
    },
    {
        "id": "batch_normalised",
        "title": {"en": "Normalised over the batch, not per group",
                  "zh": "在整个 batch 上归一化，而不是组内"},
        "explanation": {
            "en": "GRPO's baseline is the mean of the *same prompt's* answers: that is what "
            "replaces the critic. Normalising over the whole batch mixes prompts of different "
            "difficulty, so an answer to an easy prompt looks good just because its prompt was "
            "easy.",
            "zh": "GRPO 的 baseline 是*同一个 prompt* 的回答的平均——它正是用来代替 critic 的。"
            "在整个 batch 上归一化会把难度不同的 prompt 混在一起，"
            "简单 prompt 的回答仅仅因为题目简单就显得好。",
        },
        "grpo_advantages": _advantages(per_group=False),
        "exposed_by": "advantages, float32 basic",
        "agrees_on": "advantages, one group of 16",
    },
    {
        "id": "groups_interleaved",
        "title": {"en": "Groups taken as interleaved", "zh": "把分组当成了交错排列"},
        "explanation": {
            "en": "The n answers of a prompt are contiguous (rewards.view(G, n)); "
            "view(n, G).T, or a stride of G, groups answers of different prompts together.",
            "zh": "同一个 prompt 的 n 个回答是连续存放的（rewards.view(G, n)）；"
            "用 view(n, G).T 或以 G 为步长取组，会把不同 prompt 的回答分到一组。",
        },
        "grpo_advantages": _advantages(interleaved=True),
        "exposed_by": "advantages, float32 basic",
        "agrees_on": "advantages, one group of 16",
    },
    {
        "id": "no_eps",
        "title": {"en": "No eps in the denominator", "zh": "分母没有加 eps"},
        "explanation": {
            "en": "When every answer of a prompt gets the same reward (all right or all wrong, "
            "common with 0/1 rewards) the std is 0 and (r − mean)/std is 0/0 = NaN, which "
            "poisons the whole batch's loss. Add eps to the std (TRL: 1e-4).",
            "zh": "当一个 prompt 的所有回答 reward 相同（全对或全错，0/1 reward 下很常见）时，"
            "std 为 0，(r − mean)/std 就是 0/0 = NaN，会污染整个 batch 的 loss。"
            "要在 std 上加 eps（TRL 用 1e-4）。",
        },
        "grpo_advantages": _advantages(use_eps=False),
        "exposed_by": "advantages, a group of equal rewards",
    },
    {
        "id": "not_divided_by_std",
        "title": {"en": "Centred but not divided by the std", "zh": "只减了均值，没有除以标准差"},
        "explanation": {
            "en": "GRPO (and TRL by default) divides the centred reward by the group's std. "
            "Leaving it out is Dr. GRPO's deliberate change (it argues the std biases towards "
            "too easy or too hard prompts), not what this drill's contract asks for.",
            "zh": "GRPO（以及 TRL 的默认设置）会把中心化后的 reward 除以组内标准差。"
            "不除是 Dr. GRPO 有意做的修改（它认为 std 会偏向过易或过难的题目），"
            "不是本题要求的形式。",
        },
        "grpo_advantages": _advantages(divide=False),
        "exposed_by": "advantages, float32 basic",
    },
    {
        "id": "one_pass_variance",
        "title": {"en": "Variance as E[x²] − E[x]²", "zh": "用 E[x²] − E[x]² 算方差"},
        "explanation": {
            "en": "With rewards around 100 and a spread of 1, E[x²] ≈ 10⁴ and the variance is "
            "1: float32 keeps about 7 digits of 10⁴, so the difference loses 3 of its own "
            "(and can even go negative). Centre first, then square (what torch.std does).",
            "zh": "reward 在 100 左右、组内波动为 1 时，E[x²] ≈ 10⁴ 而方差只有 1："
            "float32 只保留 10⁴ 的约 7 位有效数字，相减后方差丢掉 3 位（甚至可能为负）。"
            "应当先中心化再平方（torch.std 就是这样做的）。",
        },
        "grpo_advantages": _advantages(one_pass=True),
        "exposed_by": "advantages, rewards offset by 100",
        "agrees_on": "advantages, float32 basic",
    },
    {
        "id": "single_answer_nan",
        "title": {"en": "group_size 1 gives NaN", "zh": "group_size 为 1 时得到 NaN"},
        "explanation": {
            "en": "The sample std of a single value divides by n − 1 = 0 and is NaN, and "
            "0 / (NaN + eps) is still NaN. A group of one has no relative signal: its "
            "advantage is 0.",
            "zh": "单个值的样本标准差要除以 n − 1 = 0，结果是 NaN，0 / (NaN + eps) 仍是 NaN。"
            "只有一个回答的组没有相对信号：优势应为 0。",
        },
        "grpo_advantages": _advantages(single_nan=True),
        "exposed_by": "advantages, group_size 1",
        "agrees_on": "advantages, float32 basic",
    },
    {
        "id": "kl_sign",
        "title": {"en": "KL penalty with the wrong sign", "zh": "KL 惩罚的符号反了"},
        "explanation": {
            "en": "The objective is surrogate − β·KL, so the loss is −surrogate + β·KL; adding "
            "β·KL to the objective rewards drifting away from the reference model.",
            "zh": "目标是 surrogate − β·KL，所以 loss 是 −surrogate + β·KL；"
            "把 β·KL 加到目标上，等于奖励策略偏离参考模型。",
        },
        "grpo_loss": _loss(kl_sign=1.0),
        "exposed_by": "loss, float32 basic",
        "agrees_on": "loss, reference = policy (KL = 0)",
    },
    {
        "id": "kl_k1",
        "title": {"en": "k1 estimator (log-ratio) for the KL", "zh": "KL 用了 k1 估计（对数比）"},
        "explanation": {
            "en": "DeepSeekMath's eq. 4 uses k3 = π_ref/π − log(π_ref/π) − 1: unbiased for "
            "KL(π‖π_ref) and never negative on any token. The plain log-ratio log π − log π_ref "
            "(k1) is also unbiased but is negative on many tokens, has a higher variance, and "
            "gives each token a different value and gradient.",
            "zh": "DeepSeekMath 的公式 4 用的是 k3 = π_ref/π − log(π_ref/π) − 1：对 KL(π‖π_ref) "
            "无偏，且在每个 token 上都非负。直接用对数比 log π − log π_ref（k1）虽然也无偏，"
            "但在很多 token 上为负、方差更大，每个 token 的值和梯度也都不同。",
        },
        "grpo_loss": _loss(kl="k1"),
        "exposed_by": "loss, float32 basic",
        "agrees_on": "loss, reference = policy (KL = 0)",
    },
    {
        "id": "kl_k3_reversed",
        "title": {"en": "k3 with policy and reference swapped", "zh": "k3 中策略与参考模型写反了"},
        "explanation": {
            "en": "k3 estimates KL(π‖π_ref) from samples of π with r = π_ref/π: "
            "exp(ref − new) − (ref − new) − 1. Writing exp(new − ref) − (new − ref) − 1 uses "
            "the inverse ratio, which estimates a different divergence.",
            "zh": "k3 用 π 的样本、以 r = π_ref/π 估计 KL(π‖π_ref)："
            "exp(ref − new) − (ref − new) − 1。写成 exp(new − ref) − (new − ref) − 1 "
            "用的是倒数比值，估计的是另一个散度。",
        },
        "grpo_loss": _loss(kl="k3_reversed"),
        "exposed_by": "loss, float32 basic",
        "agrees_on": "loss, reference = policy (KL = 0)",
    },
    {
        "id": "batch_token_mean",
        "title": {"en": "Mean over every token of the batch", "zh": "对整个 batch 的 token 取平均"},
        "explanation": {
            "en": "Σ over all tokens / Σ mask weighs each answer by its length (DAPO's "
            "token-level loss, TRL's loss_type=\"dapo\"). GRPO's 1/|o_i| averages within "
            "each answer first, then over answers, so every answer counts equally.",
            "zh": "对所有 token 求和再除以 Σ mask，会按长度给每个回答加权（DAPO 的 token 级 loss，"
            "TRL 的 loss_type=\"dapo\"）。GRPO 的 1/|o_i| 先在每个回答内部平均，再对回答平均，"
            "每个回答权重相同。",
        },
        "grpo_loss": _loss(reduce="batch_tokens"),
        "exposed_by": "loss, float32 basic",
    },
    {
        "id": "mask_ignored_in_mean",
        "title": {"en": "Divided by L instead of the answer's length",
                  "zh": "除以 L 而不是回答的长度"},
        "explanation": {
            "en": "Padding was zeroed but each sequence is still divided by the padded length "
            "L, so short answers are scaled down. Divide by mask.sum(1), the answer's own "
            "number of tokens.",
            "zh": "padding 虽然置零了，但每个序列仍除以补齐后的长度 L，短回答被缩小了。"
            "应除以 mask.sum(1)，即回答自己的 token 数。",
        },
        "grpo_loss": _loss(reduce="all_positions"),
        "exposed_by": "loss, float32 basic",
        "agrees_on": "loss, no padding",
    },
    {
        "id": "max_not_min",
        "title": {"en": "max instead of min in the clipped objective",
                  "zh": "裁剪目标里用了 max 而不是 min"},
        "explanation": {
            "en": "PPO's clipped objective takes the *pessimistic* min of the unclipped and "
            "clipped terms, so moving the ratio outside [1 − ε, 1 + ε] never helps; max "
            "rewards exactly the large policy steps clipping is there to stop.",
            "zh": "PPO 的裁剪目标取未裁剪项与裁剪项中*更悲观*的 min，使 ratio 离开 [1 − ε, 1 + ε] "
            "不会带来收益；用 max 恰恰奖励了裁剪想要阻止的大步更新。",
        },
        "grpo_loss": _loss(objective="max"),
        "exposed_by": "loss, float32 basic",
        "agrees_on": "loss, on-policy (logp_old = logp_new)",
    },
    {
        "id": "clipped_term_only",
        "title": {"en": "Only the clipped term (no min)", "zh": "只用了裁剪项（没有取 min）"},
        "explanation": {
            "en": "clip(ratio)·A alone has zero gradient whenever the ratio is outside the "
            "clip range, including where the min would keep the unclipped term (ratio < 1 − ε "
            "with A > 0, ratio > 1 + ε with A < 0): those bad moves are never corrected.",
            "zh": "只用 clip(ratio)·A 时，只要 ratio 超出裁剪范围梯度就为 0，"
            "包括 min 本应保留未裁剪项的情形（A > 0 且 ratio < 1 − ε，A < 0 且 ratio > 1 + ε）："
            "这些坏的更新永远得不到纠正。",
        },
        "grpo_loss": _loss(objective="clipped"),
        "exposed_by": "loss, float32 basic",
        "agrees_on": "loss, on-policy (logp_old = logp_new)",
    },
]
