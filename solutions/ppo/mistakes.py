"""Known-wrong variants of the ``ppo`` drill, for the grader's "looks like …" diagnosis.

Each entry of :data:`MISTAKES` reproduces one classic bug in otherwise correct GAE or PPO-loss
code and overrides the entry point it concerns (the other entry is the reference). The
variants compute in float64 so their output is the bug's exact signature.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

# --------------------------------------------------------------------------- GAE


def _gae(*, done_in_delta: bool = True, done_in_recursion: bool = True,
         done_shift: bool = False, use_lambda: bool = True, bootstrap: bool = True,
         add_values: bool = True) -> Callable[..., tuple[Tensor, Tensor]]:
    def gae(rewards: Tensor, values: Tensor, dones: Tensor, gamma: float = 0.99,
            lam: float = 0.95) -> tuple[Tensor, Tensor]:
        r, v, d = rewards.double(), values.double().clone(), dones.double()
        steps = r.shape[0]
        if not bootstrap:
            v[steps] = 0.0                               # the last value treated as terminal
        if done_shift:
            # CleanRL's convention (dones[t + 1]: "obs t + 1 starts a new episode") applied to
            # flags that mean "step t ended the episode": every cut lands one step late.
            d = torch.cat([d[1:], torch.zeros(1, dtype=torch.float64)])
        live = 1.0 - d
        adv = torch.zeros(steps, dtype=torch.float64)
        last = torch.zeros((), dtype=torch.float64)
        decay = gamma * lam if use_lambda else gamma
        for t in reversed(range(steps)):
            delta = r[t] + gamma * v[t + 1] * (live[t] if done_in_delta else 1.0) - v[t]
            last = delta + decay * (live[t] if done_in_recursion else 1.0) * last
            adv[t] = last
        returns = adv + values.double()[:steps] if add_values else adv.clone()
        return adv.to(rewards.dtype), returns.to(rewards.dtype)

    return gae


# --------------------------------------------------------------------------- loss


def _loss(*, objective: str = "min", ratio: str = "exp", use_mask: bool = True,
          negate: bool = True, normalise: bool = False) -> Callable[..., Tensor]:
    def ppo_clip_loss(logp_new: Tensor, logp_old: Tensor, advantages: Tensor,
                      clip_eps: float = 0.2, mask: Tensor | None = None) -> Tensor:
        new, old, adv = logp_new.double(), logp_old.double(), advantages.double()
        if mask is not None and use_mask:
            new, old, adv = new[mask], old[mask], adv[mask]
        if normalise:
            adv = (adv - adv.mean()) / (adv.std() + 1e-8)
        if ratio == "exp":
            rho = torch.exp(new - old)
        elif ratio == "inverted":
            rho = torch.exp(old - new)
        else:                                            # "logp_quotient": log-probs divided
            rho = new / old
        lo, hi = 1 - clip_eps, 1 + clip_eps
        if objective == "min":
            surr = torch.minimum(rho * adv, rho.clamp(lo, hi) * adv)
        elif objective == "max":
            surr = torch.maximum(rho * adv, rho.clamp(lo, hi) * adv)
        elif objective == "clip_advantage":
            surr = torch.minimum(rho * adv, rho * adv.clamp(lo, hi))
        else:                                            # "unclipped"
            surr = rho * adv
        value = surr.mean()
        return (-value if negate else value).to(logp_new.dtype)

    return ppo_clip_loss


MISTAKES: list[dict[str, Any]] = [
    {
        "id": "gae_ignores_dones",
        "title": {"en": "GAE ignores the dones", "zh": "GAE 忽略了 done"},
        "explanation": {
            "en": "Without (1 − done_t) the value of the next episode's first state is "
            "bootstrapped into the last step of this one, and advantages flow back across "
            "the episode boundary: the agent is credited for rewards of an episode it did "
            "not play.",
            "zh": "不乘 (1 − done_t)，下一个 episode 第一个状态的价值会被 bootstrap 进本 episode "
            "的最后一步，优势也会跨过 episode 边界往回传："
            "智能体被记上了不属于它的 episode 的奖励。",
        },
        "gae": _gae(done_in_delta=False, done_in_recursion=False),
        "exposed_by": "gae, dones in the middle",
        "agrees_on": "gae, no dones (bootstrap from the last value)",
    },
    {
        "id": "done_only_in_delta",
        "title": {"en": "The done cuts δ but not the recursion",
                  "zh": "done 只截断了 δ，没有截断递推"},
        "explanation": {
            "en": "δ_t drops the bootstrap, but A_t = δ_t + γλ·A_{t+1} still adds the next "
            "episode's advantage. The recursion term needs the same (1 − done_t).",
            "zh": "δ_t 里去掉了 bootstrap，"
            "但 A_t = δ_t + γλ·A_{t+1} 仍把下一个 episode 的优势加了进来。"
            "递推项也要乘 (1 − done_t)。",
        },
        "gae": _gae(done_in_recursion=False),
        "exposed_by": "gae, dones in the middle",
        "agrees_on": "gae, no dones (bootstrap from the last value)",
    },
    {
        "id": "done_index_shifted",
        "title": {"en": "Done flag read one step late", "zh": "done 标志错位了一步"},
        "explanation": {
            "en": "CleanRL stores dones[t] = \"observation t starts a new episode\" and so "
            "reads 1 − dones[t + 1]; here done_t means \"step t ended the episode\", so the "
            "cut belongs to step t itself. Mixing the conventions bootstraps through the "
            "boundary and cuts the step after it.",
            "zh": "CleanRL 中 dones[t] 表示「观测 t 是新 episode 的开始」，"
            "所以读 1 − dones[t + 1]；"
            "本题的 done_t 表示「第 t 步结束了 episode」，截断应该落在第 t 步本身。"
            "混用两种约定会穿过边界 bootstrap，并错误地截断边界后的一步。",
        },
        "gae": _gae(done_shift=True),
        "exposed_by": "gae, dones in the middle",
        "agrees_on": "gae, no dones (bootstrap from the last value)",
    },
    {
        "id": "returns_without_values",
        "title": {"en": "Returns without the values", "zh": "returns 没有加上 values"},
        "explanation": {
            "en": "The value head's target is the λ-return A_t + V_t; returning the advantages "
            "themselves trains the critic towards A (≈ 0 on average) instead of the return.",
            "zh": "价值头的目标是 λ-return，即 A_t + V_t；直接返回优势会让 critic 去拟合 A"
            "（平均约为 0），而不是回报。",
        },
        "gae": _gae(add_values=False),
        "exposed_by": "gae, float32 basic",
    },
    {
        "id": "gae_without_lambda",
        "title": {"en": "λ missing from the recursion", "zh": "递推里漏了 λ"},
        "explanation": {
            "en": "A_t = δ_t + γ·λ·A_{t+1}: with γ alone the sum of discounted TD errors is "
            "the Monte-Carlo advantage (λ = 1), with its high variance.",
            "zh": "A_t = δ_t + γ·λ·A_{t+1}：只乘 γ 时，折扣 TD 误差之和就是蒙特卡洛优势（λ = 1），"
            "方差很大。",
        },
        "gae": _gae(use_lambda=False),
        "exposed_by": "gae, float32 basic",
        "agrees_on": "gae, gamma = lam = 1 (Monte Carlo)",
    },
    {
        "id": "no_bootstrap",
        "title": {"en": "The bootstrap value ignored", "zh": "忽略了 bootstrap 值"},
        "explanation": {
            "en": "values[T] estimates the return after a trajectory that was cut, not ended; "
            "treating it as 0 (as if every trajectory ended in a terminal state) biases the "
            "last steps' advantages downward. Only done_t = 1 removes it.",
            "zh": "values[T] 估计的是轨迹被截断（而不是结束）之后的回报；把它当成 0"
            "（好像每条轨迹都以终止状态结束）会让最后几步的优势偏低。只有 done_t = 1 才去掉它。",
        },
        "gae": _gae(bootstrap=False),
        "exposed_by": "gae, float32 basic",
        "agrees_on": "gae, done at the end",
    },
    {
        "id": "clip_on_advantage",
        "title": {"en": "Clipped the advantage, not the ratio",
                  "zh": "裁剪了 advantage 而不是 ratio"},
        "explanation": {
            "en": "PPO clips the probability ratio to [1 − ε, 1 + ε] so one update cannot "
            "move the policy far; clamping the advantage instead changes the objective's "
            "scale and never limits the step.",
            "zh": "PPO 把概率比 ratio 裁剪到 [1 − ε, 1 + ε]，使一次更新不会让策略走太远；"
            "改为裁剪 advantage 只会改变目标的尺度，完全限制不了步长。",
        },
        "ppo_clip_loss": _loss(objective="clip_advantage"),
        "exposed_by": "loss, float32 basic",
    },
    {
        "id": "max_not_min",
        "title": {"en": "max instead of min", "zh": "用了 max 而不是 min"},
        "explanation": {
            "en": "The surrogate is the pessimistic min of the unclipped and clipped terms "
            "(equivalently the max of their negatives in the loss); taking the max of the "
            "objective rewards exactly the large steps clipping is meant to stop.",
            "zh": "代理目标取未裁剪项与裁剪项中更悲观的 min（在 loss 中等价于对两者取负后取 max）；"
            "对目标取 max 恰恰奖励了裁剪要阻止的大步更新。",
        },
        "ppo_clip_loss": _loss(objective="max"),
        "exposed_by": "loss, float32 basic",
        "agrees_on": "loss, on-policy (ratio 1)",
    },
    {
        "id": "no_clip",
        "title": {"en": "No clipping", "zh": "没有裁剪"},
        "explanation": {
            "en": "ratio·A alone is the importance-sampled policy gradient: nothing stops the "
            "ratio from running far from 1 during the several epochs PPO reuses a batch for.",
            "zh": "只用 ratio·A 就是重要性采样的策略梯度：PPO 会在同一批数据上训练多个 epoch，"
            "没有裁剪时没有任何东西阻止 ratio 远离 1。",
        },
        "ppo_clip_loss": _loss(objective="unclipped"),
        "exposed_by": "loss, float32 basic",
        "agrees_on": "loss, on-policy (ratio 1)",
    },
    {
        "id": "ratio_inverted",
        "title": {"en": "Ratio inverted (old / new)", "zh": "ratio 写反了（old / new）"},
        "explanation": {
            "en": "The ratio is π_new/π_old = exp(logp_new − logp_old); exp(old − new) makes "
            "increasing a good action's probability *decrease* the objective.",
            "zh": "ratio 是 π_new/π_old = exp(logp_new − logp_old)；写成 exp(old − new) 后，"
            "提高好动作的概率反而会*降低*目标。",
        },
        "ppo_clip_loss": _loss(ratio="inverted"),
        "exposed_by": "loss, float32 basic",
        "agrees_on": "loss, on-policy (ratio 1)",
    },
    {
        "id": "ratio_of_log_probs",
        "title": {"en": "Log-probs divided instead of exp of the difference",
                  "zh": "直接把 log-prob 相除，而不是对差取 exp"},
        "explanation": {
            "en": "π_new/π_old = exp(log π_new − log π_old); logp_new / logp_old is a ratio of "
            "two negative numbers with no probabilistic meaning.",
            "zh": "π_new/π_old = exp(log π_new − log π_old)；logp_new / logp_old 是两个负数之比，"
            "没有概率意义。",
        },
        "ppo_clip_loss": _loss(ratio="logp_quotient"),
        "exposed_by": "loss, float32 basic",
    },
    {
        "id": "mask_ignored",
        "title": {"en": "Mask ignored", "zh": "忽略了 mask"},
        "explanation": {
            "en": "Averaging over every position counts padding (whatever values sit there) "
            "and divides by the padded size. Average only where the mask is True.",
            "zh": "对所有位置取平均会把 padding（不管那里是什么值）也算进来，还会除以补齐后的大小。"
            "只能在 mask 为 True 的位置上平均。",
        },
        "ppo_clip_loss": _loss(use_mask=False),
        "exposed_by": "loss, (B, L) with a ragged mask",
        "agrees_on": "loss, mask all True",
    },
    {
        "id": "not_negated",
        "title": {"en": "Objective returned as the loss", "zh": "把目标直接当成了 loss"},
        "explanation": {
            "en": "PPO maximises the clipped surrogate; optimisers minimise, so the loss is its "
            "negative. Returning the surrogate itself makes gradient descent push good "
            "actions down.",
            "zh": "PPO 要最大化裁剪代理目标；优化器做的是最小化，所以 loss 是它的相反数。"
            "直接返回代理目标，梯度下降会把好动作的概率往下压。",
        },
        "ppo_clip_loss": _loss(negate=False),
        "exposed_by": "loss, float32 basic",
    },
    {
        "id": "advantages_normalised_inside",
        "title": {"en": "Advantages normalised inside the loss",
                  "zh": "在 loss 内部对 advantages 做了归一化"},
        "explanation": {
            "en": "Many PPO codebases (CleanRL's norm_adv) normalise advantages per minibatch, "
            "but that is a separate, optional step; this loss takes the advantages as given.",
            "zh": "很多 PPO 代码（如 CleanRL 的 norm_adv）会按 minibatch 归一化 advantages，"
            "但那是一个独立的可选步骤；本题的 loss 直接使用传入的 advantages。",
        },
        "ppo_clip_loss": _loss(normalise=True),
        "exposed_by": "loss, float32 basic",
    },
]
