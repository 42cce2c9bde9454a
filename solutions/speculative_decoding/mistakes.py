"""Known-wrong variants of the ``speculative_decoding`` drill, for the grader's diagnosis.

Each mistake is Algorithm 1 with one classic bug, computed in float64 like the reference.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch


def _draw(weights: torch.Tensor, u: float, normalise: bool = True) -> int:
    w = weights.to(torch.float64)
    cdf = torch.cumsum(w / w.sum() if normalise else w, 0)
    index = int((cdf <= u).sum())
    if not normalise:
        return index  # may be V: past the end of the vocabulary
    return min(index, int(torch.nonzero(w > 0)[-1]))


def _residual(p_row: torch.Tensor, q_row: torch.Tensor) -> torch.Tensor:
    r = (p_row - q_row).clamp_min(0.0)
    return r if bool((r > 0).any()) else p_row


def _ratio(p_x: float, q_x: float) -> float:
    return p_x / q_x


def _verify(draft_tokens: torch.Tensor, q: torch.Tensor, p: torch.Tensor,
            u_accept: torch.Tensor, u_resample: torch.Tensor, *,
            accept: Callable[[float, float], float] = _ratio,
            resample: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = _residual,
            normalise: bool = True, bonus: bool = True, bonus_row_offset: int = 0,
            stop_at_rejection: bool = True) -> list[int]:
    """Algorithm 1 with every step replaceable; the defaults are the reference."""
    q64, p64 = q.to(torch.float64), p.to(torch.float64)
    ur = float(u_resample)
    out: list[int] = []
    rejected = False
    for i, token in enumerate(draft_tokens.tolist()):
        ratio = float(accept(float(p64[i, token]), float(q64[i, token])))
        if float(u_accept[i]) < min(1.0, ratio):
            out.append(int(token))
            continue
        out.append(_draw(resample(p64[i], q64[i]), ur, normalise))
        rejected = True
        if stop_at_rejection:
            return out
    if rejected or not bonus:
        return out
    return out + [_draw(p64[len(draft_tokens) + bonus_row_offset], ur)]


def residual_not_clamped(draft_tokens: torch.Tensor, q: torch.Tensor, p: torch.Tensor,
                         u_accept: torch.Tensor, u_resample: torch.Tensor) -> list[int]:
    return _verify(draft_tokens, q, p, u_accept, u_resample,
                   resample=lambda pr, qr: pr - qr)


def residual_not_renormalised(draft_tokens: torch.Tensor, q: torch.Tensor, p: torch.Tensor,
                              u_accept: torch.Tensor, u_resample: torch.Tensor) -> list[int]:
    return _verify(draft_tokens, q, p, u_accept, u_resample, normalise=False)


def bonus_token_forgotten(draft_tokens: torch.Tensor, q: torch.Tensor, p: torch.Tensor,
                          u_accept: torch.Tensor, u_resample: torch.Tensor) -> list[int]:
    return _verify(draft_tokens, q, p, u_accept, u_resample, bonus=False)


def accept_ratio_inverted(draft_tokens: torch.Tensor, q: torch.Tensor, p: torch.Tensor,
                          u_accept: torch.Tensor, u_resample: torch.Tensor) -> list[int]:
    return _verify(draft_tokens, q, p, u_accept, u_resample,
                   accept=lambda pr, qr: qr / pr if pr > 0 else float("inf"))


def resample_from_target(draft_tokens: torch.Tensor, q: torch.Tensor, p: torch.Tensor,
                         u_accept: torch.Tensor, u_resample: torch.Tensor) -> list[int]:
    return _verify(draft_tokens, q, p, u_accept, u_resample, resample=lambda pr, qr: pr)


def residual_q_minus_p(draft_tokens: torch.Tensor, q: torch.Tensor, p: torch.Tensor,
                       u_accept: torch.Tensor, u_resample: torch.Tensor) -> list[int]:
    return _verify(draft_tokens, q, p, u_accept, u_resample,
                   resample=lambda pr, qr: _residual(qr, pr))


def bonus_from_last_draft_row(draft_tokens: torch.Tensor, q: torch.Tensor, p: torch.Tensor,
                              u_accept: torch.Tensor, u_resample: torch.Tensor) -> list[int]:
    return _verify(draft_tokens, q, p, u_accept, u_resample, bonus_row_offset=-1)


def continues_after_rejection(draft_tokens: torch.Tensor, q: torch.Tensor, p: torch.Tensor,
                              u_accept: torch.Tensor, u_resample: torch.Tensor) -> list[int]:
    return _verify(draft_tokens, q, p, u_accept, u_resample, stop_at_rejection=False)


MISTAKES: list[dict[str, Any]] = [
    {
        "id": "residual_not_clamped",
        "verify": residual_not_clamped,
        "title": {"en": "Residual p − q not clamped at 0", "zh": "残差 p − q 没有截到 0"},
        "explanation": {
            "en": "After a rejection the token is drawn from norm(max(0, p − q)). Without the "
                  "clamp the 'distribution' has negative entries where q > p, its CDF is not "
                  "monotone, and tokens the draft over-proposed can be drawn — the output no "
                  "longer follows p.",
            "zh": "拒绝之后要从 norm(max(0, p − q)) 中抽样。不截断的话，q > p 的位置是负数，"
                  "CDF 不单调，被草稿模型高估的 token 也可能被抽到——输出不再服从 p。"},
        "exposed_by": "first draft token rejected",
        "agrees_on": "all accepted (bonus token)",
    },
    {
        "id": "residual_not_renormalised",
        "verify": residual_not_renormalised,
        "title": {"en": "Residual not renormalised", "zh": "残差没有重新归一化"},
        "explanation": {
            "en": "max(0, p − q) sums to the rejection probability, not to 1. Inverting its "
                  "raw CDF with u runs past the end whenever u exceeds that mass (an index "
                  "beyond the vocabulary). Divide by its sum first.",
            "zh": "max(0, p − q) 的和是拒绝概率而不是 1。直接用 u 求它的未归一化 CDF 的逆，"
                  "只要 u 大于这部分质量就会越界（得到词表之外的下标）。先除以它的和。"},
        "exposed_by": "draft close to the target, rejected",
        "agrees_on": "all accepted (bonus token)",
    },
    {
        "id": "bonus_token_forgotten",
        "verify": bonus_token_forgotten,
        "title": {"en": "Bonus token forgotten", "zh": "忘了额外的 bonus token"},
        "explanation": {
            "en": "When all γ draft tokens are accepted the target has already computed "
                  "p[γ], the distribution after the whole draft: sampling one more token from "
                  "it is free, and is why a step emits γ + 1 tokens at best.",
            "zh": "γ 个草稿 token 全部被接受时，目标模型已经算出了 p[γ]（整个草稿之后的"
                  "分布）：再从中抽一个 token 不需要额外计算，所以一步最多产出 γ + 1 个 token。"},
        "exposed_by": "all accepted (bonus token)",
        "agrees_on": "first draft token rejected",
    },
    {
        "id": "accept_ratio_inverted",
        "verify": accept_ratio_inverted,
        "title": {"en": "Acceptance test uses q / p", "zh": "接受判断用成了 q / p"},
        "explanation": {
            "en": "A draft token is accepted with probability min(1, p(x) / q(x)): tokens the "
                  "target likes at least as much as the draft are always kept, over-proposed "
                  "ones are thinned. With q / p the rule keeps exactly the wrong ones.",
            "zh": "草稿 token 的接受概率是 min(1, p(x) / q(x))：目标模型至少同样喜欢的 token "
                  "一定保留，被草稿高估的 token 按比例剔除。写成 q / p 恰好保留了错误的那些。"},
        "exposed_by": "first draft token rejected",
        "agrees_on": "q = p (all accepted)",
    },
    {
        "id": "resample_from_target",
        "verify": resample_from_target,
        "title": {"en": "Rejection resamples from p, not from the residual",
                  "zh": "拒绝后从 p 而不是残差中重采样"},
        "explanation": {
            "en": "After a rejection the token must come from norm(max(0, p − q)). Drawing "
                  "from p again counts the mass already offered through accepted drafts twice, "
                  "so the emitted token is no longer distributed as p.",
            "zh": "拒绝之后必须从 norm(max(0, p − q)) 中抽样。再次从 p 抽样会把通过接受草稿"
                  "已经给出的概率质量重复计算，输出 token 就不再服从 p。"},
        "exposed_by": "last draft token rejected",
        "agrees_on": "all accepted (bonus token)",
    },
    {
        "id": "residual_q_minus_p",
        "verify": residual_q_minus_p,
        "title": {"en": "Residual taken as max(0, q − p)", "zh": "残差写成了 max(0, q − p)"},
        "explanation": {
            "en": "The residual is what the target wants more than the draft offered: "
                  "max(0, p − q). max(0, q − p) resamples the tokens the draft over-proposed, "
                  "the very ones the acceptance test just thinned.",
            "zh": "残差是目标模型比草稿模型多想要的部分：max(0, p − q)。max(0, q − p) 重采样的"
                  "是草稿高估的 token，恰恰是接受判断刚刚剔除的那些。"},
        "exposed_by": "first draft token rejected",
        "agrees_on": "all accepted (bonus token)",
    },
    {
        "id": "bonus_from_last_draft_row",
        "verify": bonus_from_last_draft_row,
        "title": {"en": "Bonus token drawn from p[γ − 1]", "zh": "bonus token 从 p[γ − 1] 抽取"},
        "explanation": {
            "en": "p has γ + 1 rows: row i is the target's distribution for draft position i "
                  "and row γ the one after the whole draft. The bonus token comes from p[γ]; "
                  "p[γ − 1] is the distribution of the last draft token's own position.",
            "zh": "p 有 γ + 1 行：第 i 行是草稿第 i 个位置上目标模型的分布，第 γ 行是整个草稿"
                  "之后的分布。bonus token 来自 p[γ]；p[γ − 1] 是最后一个草稿 token 自己"
                  "所在位置的分布。"},
        "exposed_by": "all accepted (bonus token)",
        "agrees_on": "first draft token rejected",
    },
    {
        "id": "continues_after_rejection",
        "verify": continues_after_rejection,
        "title": {"en": "Verification continues after a rejection",
                  "zh": "拒绝之后还在继续验证"},
        "explanation": {
            "en": "The draft tokens after a rejected one were generated from a prefix that "
                  "is no longer the output, so p and q for them are meaningless: stop at the "
                  "first rejection and emit the resampled token last.",
            "zh": "被拒绝位置之后的草稿 token 是基于一个已经不成立的前缀生成的，它们的 p 和 q "
                  "都没有意义：在第一次拒绝处停止，并以重采样的 token 结尾。"},
        "exposed_by": "rejection in the middle",
        "agrees_on": "all accepted (bonus token)",
    },
]
