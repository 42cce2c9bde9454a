"""Known-wrong variants of the ``moe`` drill, for the grader's "looks like …" diagnosis.

Each entry of :data:`MISTAKES` reproduces one classic bug in an otherwise correct MoE layer.
The variants compute in float64 so their output is the bug's exact signature. (Running
every expert on every token gives the right numbers; the memory-budget case and its hint
catch it.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

F64 = torch.float64


def _moe(*, tie_order: str = "stable", renormalise: bool = True, weighted: bool = True,
         silu_on: str = "w1", aux: str = "switch") -> Callable[..., tuple[Tensor, Tensor]]:
    def moe_forward(x: Tensor, router_weight: Tensor, w1: Tensor, w2: Tensor, w3: Tensor,
                    top_k: int) -> tuple[Tensor, Tensor]:
        x64 = x.to(F64)
        experts = router_weight.shape[0]
        probs = torch.softmax(x64 @ router_weight.to(F64).T, dim=-1)
        if tie_order == "topk":
            chosen = torch.topk(probs.detach(), top_k, dim=-1).indices
        else:
            chosen = torch.sort(probs.detach(), dim=-1, descending=True,
                                stable=True).indices[:, :top_k]
        gates = probs.gather(1, chosen)
        if renormalise:
            gates = gates / gates.sum(dim=-1, keepdim=True)
        if not weighted:
            gates = torch.ones_like(gates)
        y = torch.zeros_like(x64)
        for e in range(experts):
            token, slot = torch.nonzero(chosen == e, as_tuple=True)
            if token.numel() == 0:
                continue
            xe = x64[token]
            a, b = xe @ w1[e].to(F64).T, xe @ w3[e].to(F64).T
            h = F.silu(a) * b if silu_on == "w1" else a * F.silu(b)
            y = y.index_add(0, token, (h @ w2[e].to(F64).T) * gates[token, slot].unsqueeze(-1))
        counts = torch.bincount(chosen.reshape(-1), minlength=experts).to(F64)
        mean_prob = probs.mean(dim=0)
        tokens = x.shape[0]
        if aux == "switch":
            value = experts * (counts / (tokens * top_k) * mean_prob).sum()
        elif aux == "probabilities":
            value = experts * (mean_prob * mean_prob).sum()
        elif aux == "per_token_count":
            value = experts * (counts / tokens * mean_prob).sum()
        elif aux == "no_num_experts":
            value = (counts / (tokens * top_k) * mean_prob).sum()
        else:                                            # "first_choice": top-1 counts only
            first = torch.bincount(chosen[:, 0], minlength=experts).to(F64)
            value = experts * (first / tokens * mean_prob).sum()
        return y.to(x.dtype), value.to(torch.float32)

    return moe_forward


MISTAKES: list[dict[str, Any]] = [
    {
        "id": "aux_from_probabilities",
        "title": {"en": "Aux loss from probabilities instead of counts",
                  "zh": "aux loss 用概率代替了计数"},
        "explanation": {
            "en": "Switch's f_e is the fraction of tokens *dispatched* to expert e (a count); "
            "using the mean probability P_e for it gives E·Σ P_e², which only asks the "
            "average probabilities to be flat, not the actual load.",
            "zh": "Switch 中的 f_e 是实际*分派*给专家 e 的 token 比例（计数）；"
            "用平均概率 P_e 代替，"
            "得到的是 E·Σ P_e²，只要求平均概率平坦，而不是实际负载均衡。",
        },
        "moe_forward": _moe(aux="probabilities"),
        "exposed_by": "float32 basic",
    },
    {
        "id": "no_renormalisation",
        "title": {"en": "Top-k gates not renormalised", "zh": "top-k 的 gate 没有重新归一化"},
        "explanation": {
            "en": "Mixtral divides the chosen experts' probabilities by their sum, so the gates "
            "of each token add up to 1; the raw probabilities add up to less, shrinking every "
            "output (with top_k = 1 the gate must be 1, not p).",
            "zh": "Mixtral 会把选中专家的概率除以它们的和，使每个 token 的 gate 之和为 1；"
            "直接用原始概率时和小于 1，所有输出都被缩小（top_k = 1 时 gate 应为 1，而不是 p）。",
        },
        "moe_forward": _moe(renormalise=False),
        "exposed_by": "float32 basic",
        "agrees_on": "top_k = E",
    },
    {
        "id": "silu_on_wrong_projection",
        "title": {"en": "silu on the w3 projection", "zh": "silu 用在了 w3 分支上"},
        "explanation": {
            "en": "SwiGLU is w2·(silu(w1·x) ⊙ w3·x): w1 is the gate projection (gate_proj), w3 "
            "the up projection (up_proj). Swapping which one goes through silu computes a "
            "different function with the same weights.",
            "zh": "SwiGLU 是 w2·(silu(w1·x) ⊙ w3·x)："
            "w1 是门控投影（gate_proj），w3 是上投影（up_proj）。"
            "把 silu 放到另一个分支上，同样的权重算出的是另一个函数。",
        },
        "moe_forward": _moe(silu_on="w3"),
        "exposed_by": "float32 basic",
    },
    {
        "id": "gates_not_applied",
        "title": {"en": "Expert outputs summed without the gates",
                  "zh": "专家输出直接相加，没有乘 gate"},
        "explanation": {
            "en": "y_t = Σ gate_t,e·expert_e(x_t); without the gates the router gets no "
            "gradient from the task loss and the output is a plain sum of experts.",
            "zh": "y_t = Σ gate_t,e·expert_e(x_t)；不乘 gate，路由器就得不到任务损失的梯度，"
            "输出也只是专家的简单求和。",
        },
        "moe_forward": _moe(weighted=False),
        "exposed_by": "float32 basic",
        "agrees_on": "top_k = 1",
    },
    {
        "id": "aux_divides_by_tokens_only",
        "title": {"en": "Aux loss counts divided by T, not T·top_k",
                  "zh": "aux loss 的计数只除以 T，而不是 T·top_k"},
        "explanation": {
            "en": "Each token makes top_k assignments, so the counts sum to T·top_k; dividing "
            "by T (as Hugging Face's Mixtral loss does) makes balanced routing score top_k "
            "instead of 1, and the loss's weight silently changes with top_k.",
            "zh": "每个 token 有 top_k 次分配，计数之和是 T·top_k；只除以 T"
            "（Hugging Face 的 Mixtral 损失就是这样）会让完全均衡的路由得到 top_k 而不是 1，"
            "损失的权重会随 top_k 悄悄变化。",
        },
        "moe_forward": _moe(aux="per_token_count"),
        "exposed_by": "float32 basic",
        "agrees_on": "top_k = 1",
    },
    {
        "id": "aux_counts_first_choice",
        "title": {"en": "Aux loss counts only each token's first expert",
                  "zh": "aux loss 只统计了每个 token 的第一个专家"},
        "explanation": {
            "en": "Switch counts the top-1 expert because it routes to one; with top_k > 1 every "
            "assignment carries load, and counting only the first choice ignores the second "
            "expert's load entirely.",
            "zh": "Switch 只统计 top-1 专家是因为它只路由到一个专家；"
            "top_k > 1 时每次分配都带来负载，"
            "只统计第一选择会完全忽略第二个专家的负载。",
        },
        "moe_forward": _moe(aux="first_choice"),
        "exposed_by": "float32 basic",
        "agrees_on": "top_k = 1",
    },
    {
        "id": "aux_without_num_experts",
        "title": {"en": "Aux loss without the factor E", "zh": "aux loss 没有乘 E"},
        "explanation": {
            "en": "Σ f_e·P_e is 1/E for balanced routing; the factor E makes it 1 whatever the "
            "number of experts, so one aux coefficient (e.g. 0.01) works across model sizes.",
            "zh": "均衡路由下 Σ f_e·P_e 等于 1/E；乘上 E 后无论专家数是多少都等于 1，"
            "这样同一个 aux 系数（如 0.01）可以用于不同规模的模型。",
        },
        "moe_forward": _moe(aux="no_num_experts"),
        "exposed_by": "float32 basic",
    },
    {
        "id": "ties_in_topk_order",
        "title": {"en": "Ties left to torch.topk", "zh": "并列的情况交给了 torch.topk"},
        "explanation": {
            "en": "When router logits tie (an all-zero router at initialisation, identical "
            "experts), torch.topk may return any of the tied experts; the contract breaks ties "
            "towards the lower expert id, which a stable descending sort gives.",
            "zh": "当路由 logits 并列时（初始化时全零的路由器、完全相同的专家），torch.topk "
            "可能返回并列专家中的任意一个；本题约定并列时取编号小的专家，"
            "用稳定的降序排序即可得到。",
        },
        "moe_forward": _moe(tie_order="topk"),
        "exposed_by": "tied router logits (the lower expert id wins)",
        "agrees_on": "float32 basic",
    },
]
