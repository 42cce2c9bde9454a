"""Known-wrong variants of the ``dpo`` drill, for the grader's "looks like …" diagnosis.

Each entry of :data:`MISTAKES` reproduces one classic bug in an otherwise correct DPO loss.
The variants compute in float64 so their output is the bug's exact signature, except the
two numerical ones (log of sigmoid, log of softmax), which compute in the precision a
solution would use (float32 at least) because the bug *is* that precision's underflow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

IGNORE = -100


def _work_dtype(t: Tensor) -> torch.dtype:
    return torch.float64 if t.dtype == torch.float64 else torch.float32


def _logps(logits: Tensor, labels: Tensor, *, shift: bool = True, mask: bool = True,
           mean: bool = False, log_of_softmax: bool = False) -> Tensor:
    if log_of_softmax:
        lg = logits.to(_work_dtype(logits))
        logp = torch.log(torch.softmax(lg, dim=-1))
    else:
        logp = torch.log_softmax(logits.double(), dim=-1)
    if shift:
        logp, labels = logp[:, :-1], labels[:, 1:]
    keep = labels != IGNORE
    token = logp.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    if mask:
        token = token * keep
    else:
        keep = torch.ones_like(keep)
    total = token.double().sum(-1)
    return total / keep.sum(-1) if mean else total


def _dpo(logps: Callable[[Tensor, Tensor], Tensor], *, subtract_reference: bool = True,
         smoothing: bool = True, log_of_sigmoid: bool = False,
         reward_beta: bool = True) -> Callable[..., tuple[Tensor, Tensor, Tensor]]:
    def dpo_loss(policy_chosen_logits: Tensor, policy_rejected_logits: Tensor,
                 ref_chosen_logits: Tensor, ref_rejected_logits: Tensor, chosen_labels: Tensor,
                 rejected_labels: Tensor, beta: float = 0.1,
                 label_smoothing: float = 0.0) -> tuple[Tensor, Tensor, Tensor]:
        pc = logps(policy_chosen_logits, chosen_labels)
        pr = logps(policy_rejected_logits, rejected_labels)
        rc = logps(ref_chosen_logits, chosen_labels)
        rr = logps(ref_rejected_logits, rejected_labels)
        h = beta * ((pc - pr) - ((rc - rr) if subtract_reference else 0))
        eps = label_smoothing if smoothing else 0.0
        if log_of_sigmoid:
            hw = h.to(_work_dtype(policy_chosen_logits))
            loss = -(1 - eps) * torch.log(torch.sigmoid(hw)) - eps * torch.log(torch.sigmoid(-hw))
        else:
            loss = -(1 - eps) * F.logsigmoid(h) - eps * F.logsigmoid(-h)
        scale = beta if reward_beta else 1.0
        dt = policy_chosen_logits.dtype
        return (loss.mean().to(dt), (scale * (pc - rc)).detach().to(dt),
                (scale * (pr - rr)).detach().to(dt))

    return dpo_loss


MISTAKES: list[dict[str, Any]] = [
    {
        "id": "no_label_shift",
        "title": {"en": "Labels not shifted by one", "zh": "labels 没有错开一位"},
        "explanation": {
            "en": "The logits at position t score the token at t + 1 (a causal LM predicts the "
            "next token); gathering labels[t] from logits[t] scores each token with the "
            "distribution that was predicting it from itself. Pair logits[:, :-1] with "
            "labels[:, 1:].",
            "zh": "位置 t 的 logits 给的是位置 t + 1 的 token 的分数"
            "（因果语言模型预测下一个 token）；"
            "用 logits[t] 去取 labels[t]，等于用「看到了该 token 本身」的分布给它打分。"
            "应当用 logits[:, :-1] 对应 labels[:, 1:]。",
        },
        "dpo_loss": _dpo(lambda lg, lb: _logps(lg, lb, shift=False)),
        "exposed_by": "float32 basic",
    },
    {
        "id": "prompt_not_masked",
        "title": {"en": "Prompt and padding tokens counted", "zh": "prompt 和 padding 也被计入"},
        "explanation": {
            "en": "The −100 labels were replaced by a valid index for gather but never masked "
            "out, so the prompt and the padding add log-probs to every sequence. Multiply the "
            "token log-probs by labels != −100 before summing.",
            "zh": "为了 gather 把 −100 换成了合法下标，却没有再把这些位置 mask 掉，"
            "于是 prompt 和 padding 的 log-prob 也加进了序列。求和前要乘上 labels != −100。",
        },
        "dpo_loss": _dpo(lambda lg, lb: _logps(lg, lb, mask=False)),
        "exposed_by": "float32 basic",
        "agrees_on": "no masked labels",
    },
    {
        "id": "token_mean",
        "title": {"en": "Mean over tokens instead of the sum", "zh": "对 token 取平均而不是求和"},
        "explanation": {
            "en": "DPO's log-ratio is log π(y|x), the sum of the token log-probs; averaging over "
            "the answer's length (as IPO or SimPO's length normalisation do) changes the loss "
            "and the rewards, and makes every answer length weigh the same.",
            "zh": "DPO 里的对数比是 log π(y|x)，即 token log-prob 之和；"
            "按回答长度取平均（IPO、SimPO 的长度归一化就是这样）会改变 loss 和 rewards，"
            "并让不同长度的回答权重相同。",
        },
        "dpo_loss": _dpo(lambda lg, lb: _logps(lg, lb, mean=True)),
        "exposed_by": "float32 basic",
    },
    {
        "id": "reference_not_subtracted",
        "title": {"en": "Reference log-ratio not subtracted", "zh": "没有减去参考模型的对数比"},
        "explanation": {
            "en": "h must be β·((π_c − π_r) − (ref_c − ref_r)): the implicit reward is the "
            "policy's log-prob *relative to the reference*. Without the reference term the "
            "loss just pushes the chosen answer's likelihood above the rejected one's, with "
            "no anchor to the reference model (the KL constraint DPO was derived from).",
            "zh": "h 应为 β·((π_c − π_r) − (ref_c − ref_r))：隐式奖励是策略模型相对于参考模型的 "
            "log-prob。去掉参考项后，loss 只是把 chosen 的似然推得比 rejected 高，"
            "失去了与参考模型的锚定（DPO 正是从这个 KL 约束推出来的）。",
        },
        "dpo_loss": _dpo(_logps, subtract_reference=False),
        "exposed_by": "float32 basic",
    },
    {
        "id": "log_of_sigmoid",
        "title": {"en": "log(sigmoid(h)) underflows", "zh": "log(sigmoid(h)) 下溢"},
        "explanation": {
            "en": "σ(−100) ≈ 3.7e-44 is far below float32's smallest normal number (1.2e-38): "
            "torch.sigmoid returns 0 in float32 once h < −88, and log(0) = −inf, so the loss "
            "is inf and the gradients NaN for large margins. F.logsigmoid(h) = −softplus(−h) "
            "is exact for every h.",
            "zh": "σ(−100) ≈ 3.7e-44 远低于 float32 最小的正规数（1.2e-38）："
            "h < −88 时 float32 的 torch.sigmoid 直接返回 0，log(0) = −inf，"
            "所以 margin 很大时 loss 为 inf、梯度为 NaN。"
            "F.logsigmoid(h) = −softplus(−h) 对任何 h 都精确。",
        },
        "dpo_loss": _dpo(_logps, log_of_sigmoid=True),
        "exposed_by": "margin +100 with label smoothing",
        "agrees_on": "float32 basic",
    },
    {
        "id": "log_of_softmax",
        "title": {"en": "log(softmax(x)) instead of log_softmax",
                  "zh": "用 log(softmax(x)) 代替 log_softmax"},
        "explanation": {
            "en": "softmax rounds the probability of a token 100+ logits below the maximum to 0 "
            "in float32, and log(0) = −inf: the sequence log-prob and the loss become "
            "−inf/NaN. log_softmax computes x − max − log Σ exp(x − max) and stays finite.",
            "zh": "在 float32 下，比最大 logit 低 100 以上的 token，其 softmax 概率会舍入为 0，"
            "log(0) = −inf：序列 log-prob 和 loss 变成 −inf/NaN。"
            "log_softmax 计算 x − max − log Σ exp(x − max)，始终有限。",
        },
        "dpo_loss": _dpo(lambda lg, lb: _logps(lg, lb, log_of_softmax=True)),
        "exposed_by": "large vocabulary, logits spread 30",
        "agrees_on": "float32 basic",
    },
    {
        "id": "smoothing_ignored",
        "title": {"en": "label_smoothing ignored", "zh": "忽略了 label_smoothing"},
        "explanation": {
            "en": "With ε > 0 conservative DPO assumes each preference is flipped with "
            "probability ε: loss = −(1 − ε)·log σ(h) − ε·log σ(−h). Dropping the second term "
            "(or the 1 − ε) trains as if every label were certain.",
            "zh": "ε > 0 时，保守 DPO 假设每个偏好标签以概率 ε 被翻转："
            "loss = −(1 − ε)·log σ(h) − ε·log σ(−h)。去掉第二项（或 1 − ε）"
            "就等于把每个标签都当成确定无误的来训练。",
        },
        "dpo_loss": _dpo(_logps, smoothing=False),
        "exposed_by": "label smoothing 0.1",
        "agrees_on": "float32 basic",
    },
    {
        "id": "rewards_without_beta",
        "title": {"en": "Rewards not scaled by β", "zh": "rewards 没有乘 β"},
        "explanation": {
            "en": "DPO's implicit reward is r = β·log(π/π_ref); TRL logs chosen_rewards = "
            "β·(π_c − ref_c). Without β the logged rewards (and reward margins) are 1/β times "
            "too large.",
            "zh": "DPO 的隐式奖励是 r = β·log(π/π_ref)；"
            "TRL 记录的 chosen_rewards = β·(π_c − ref_c)。"
            "不乘 β，记录的 rewards（以及 reward margin）会放大 1/β 倍。",
        },
        "dpo_loss": _dpo(_logps, reward_beta=False),
        "exposed_by": "float32 basic",
    },
]
