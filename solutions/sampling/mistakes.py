"""Known-wrong variants of the ``sampling`` drill, for the grader's "looks like …" diagnosis.

Each mistake reproduces one classic bug in float64 and is otherwise the reference. A bug in
``warp`` is carried into the ``sample`` built on it (a user's ``sample`` calls their
``warp``), so both entries are given for every warp bug.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

NEG_INF = float("-inf")


def _top_k(x: torch.Tensor, k: int, ties_kept: bool = True) -> torch.Tensor:
    v = x.shape[-1]
    if not 0 < k < v:
        return x
    if ties_kept:
        kth = torch.topk(x, k, dim=-1).values[..., -1:]
        return x.masked_fill(x < kth, NEG_INF)
    # Keeps exactly k tokens: of the tokens tied with the k-th, only the lowest indices.
    order = torch.argsort(x, dim=-1, descending=True, stable=True)
    keep = torch.zeros_like(x, dtype=torch.bool).scatter(-1, order[..., :k], True)
    return x.masked_fill(~keep, NEG_INF)


def _top_p(x: torch.Tensor, top_p: float, crossing_kept: bool = True,
           probs: torch.Tensor | None = None) -> torch.Tensor:
    if top_p >= 1.0:
        return x
    p = torch.softmax(x, -1) if probs is None else probs
    order = torch.argsort(p, dim=-1, descending=True, stable=True)
    sp = p.gather(-1, order)
    cum = sp.cumsum(-1)
    keep = (cum - sp < top_p) if crossing_kept else (cum < top_p)
    keep[..., 0] = True
    return x.masked_fill(~torch.zeros_like(keep).scatter(-1, order, keep), NEG_INF)


def _min_p(x: torch.Tensor, min_p: float, probs: torch.Tensor | None = None) -> torch.Tensor:
    if min_p <= 0.0:
        return x
    p = torch.softmax(x, -1) if probs is None else probs
    return x.masked_fill(p < min_p * p.amax(-1, keepdim=True), NEG_INF)


def _reference_warp(logits: torch.Tensor, temperature: float, top_k: int, top_p: float,
                    min_p: float) -> torch.Tensor:
    x = logits.to(torch.float64) / temperature
    return _min_p(_top_p(_top_k(x, top_k), top_p), min_p)


def _sample_with(warp64: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    """The reference ``sample`` on top of a (buggy) float64 warp."""

    def sample(logits: torch.Tensor, u: torch.Tensor, temperature: float = 1.0, top_k: int = 0,
               top_p: float = 1.0, min_p: float = 0.0) -> torch.Tensor:
        if temperature == 0:
            return torch.argmax(logits.to(torch.float64), dim=-1)
        p = torch.softmax(warp64(logits, temperature, top_k, top_p, min_p), -1)
        return _inverse_cdf(p, u)

    return sample


def _inverse_cdf(p: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    p = p / p.sum(-1, keepdim=True)
    index = (p.cumsum(-1) <= u.to(torch.float64).reshape(-1, 1)).sum(-1)
    last = (p > 0).to(torch.int64).cumsum(-1).argmax(-1)
    return torch.minimum(index, last)


def _warp_with(warp64: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    def warp(logits: torch.Tensor, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0,
             min_p: float = 0.0) -> torch.Tensor:
        return warp64(logits, temperature, top_k, top_p, min_p).to(torch.float32)

    return warp


# --------------------------------------------------------------------------- the bugs


def _crossing_dropped(logits: torch.Tensor, temperature: float, top_k: int, top_p: float,
                      min_p: float) -> torch.Tensor:
    """top-p keeps only tokens whose *inclusive* cumulative mass is below top_p."""
    x = logits.to(torch.float64) / temperature
    return _min_p(_top_p(_top_k(x, top_k), top_p, crossing_kept=False), min_p)


def _filters_before_temperature(logits: torch.Tensor, temperature: float, top_k: int, top_p: float,
                                min_p: float) -> torch.Tensor:
    """top-k, top-p, min-p on the raw logits, temperature applied last (E46's order)."""
    x = _min_p(_top_p(_top_k(logits.to(torch.float64), top_k), top_p), min_p)
    return x / temperature


def _min_p_on_logits(logits: torch.Tensor, temperature: float, top_k: int, top_p: float,
                     min_p: float) -> torch.Tensor:
    """min-p threshold taken on the logits: keep x ≥ min_p · max x."""
    x = _top_p(_top_k(logits.to(torch.float64) / temperature, top_k), top_p)
    if min_p > 0.0:
        x = x.masked_fill(x < min_p * x.amax(-1, keepdim=True), NEG_INF)
    return x


def _top_k_exactly_k(logits: torch.Tensor, temperature: float, top_k: int, top_p: float,
                     min_p: float) -> torch.Tensor:
    """top-k keeps exactly k tokens (topk indices scattered), dropping ties with the k-th."""
    x = logits.to(torch.float64) / temperature
    return _min_p(_top_p(_top_k(x, top_k, ties_kept=False), top_p), min_p)


def _stale_probabilities(logits: torch.Tensor, temperature: float, top_k: int, top_p: float,
                         min_p: float) -> torch.Tensor:
    """Probabilities computed once, before top-k, and reused by top-p and min-p (not
    renormalised over the surviving tokens)."""
    x = logits.to(torch.float64) / temperature
    probs = torch.softmax(x, -1)
    x = _top_k(x, top_k)
    probs = probs.masked_fill(torch.isinf(x), 0.0)
    x = _top_p(x, top_p, probs=probs)
    probs = probs.masked_fill(torch.isinf(x), 0.0)
    return _min_p(x, min_p, probs=probs)


def _temperature_multiplies(logits: torch.Tensor, temperature: float, top_k: int, top_p: float,
                            min_p: float) -> torch.Tensor:
    """logits · T instead of logits / T."""
    x = logits.to(torch.float64) * temperature
    return _min_p(_top_p(_top_k(x, top_k), top_p), min_p)


def _sample_sorted_position(logits: torch.Tensor, u: torch.Tensor, temperature: float = 1.0,
                            top_k: int = 0, top_p: float = 1.0, min_p: float = 0.0
                            ) -> torch.Tensor:
    """Samples on the probabilities sorted in descending order (as the top-p code left them)
    and returns the position in that order instead of mapping it back to a token id."""
    if temperature == 0:
        return torch.argmax(logits.to(torch.float64), dim=-1)
    p = torch.softmax(_reference_warp(logits, temperature, top_k, top_p, min_p), -1)
    sp = torch.sort(p, dim=-1, descending=True, stable=True).values
    return _inverse_cdf(sp, u)


def _sample_unfiltered(logits: torch.Tensor, u: torch.Tensor, temperature: float = 1.0,
                       top_k: int = 0, top_p: float = 1.0, min_p: float = 0.0) -> torch.Tensor:
    """Samples from softmax(logits / T): the filters are computed but not used."""
    if temperature == 0:
        return torch.argmax(logits.to(torch.float64), dim=-1)
    return _inverse_cdf(torch.softmax(logits.to(torch.float64) / temperature, -1), u)


def _greedy_filters_applied(logits: torch.Tensor, u: torch.Tensor, temperature: float = 1.0,
                            top_k: int = 0, top_p: float = 1.0, min_p: float = 0.0
                            ) -> torch.Tensor:
    """temperature == 0 not special-cased: a tiny temperature replaces it, and the
    distribution is sampled with u, so ties at the maximum are split by u."""
    t = temperature if temperature != 0 else 1e-9
    p = torch.softmax(_reference_warp(logits, t, top_k, top_p, min_p), -1)
    return _inverse_cdf(p, u)


MISTAKES: list[dict[str, Any]] = [
    {
        "id": "top_p_drops_crossing_token",
        "warp": _warp_with(_crossing_dropped),
        "sample": _sample_with(_crossing_dropped),
        "title": {"en": "top-p drops the token that crosses top_p",
                  "zh": "top-p 丢掉了跨过阈值的那个 token"},
        "explanation": {
            "en": "Keeping tokens while cumsum < top_p removes the token whose probability "
                  "carries the mass over top_p, so the kept set's mass is below top_p (and can "
                  "be empty but for the forced first token). The nucleus is the smallest prefix "
                  "whose mass reaches top_p: keep a token when the mass *before* it is < top_p "
                  "(HF shifts the mask right by one for this).",
            "zh": "用 cumsum < top_p 决定保留，会把让累计概率越过 top_p 的那个 token 删掉，"
                  "保留集合的概率和小于 top_p。nucleus 是累计概率达到 top_p 的最短前缀："
                  "当某 token *之前* 的累计概率 < top_p 时保留它（HF 为此把掩码右移一位）。"},
        "exposed_by": "warp top-p 0.7",
        "agrees_on": "warp top-k 5",
    },
    {
        "id": "filters_before_temperature",
        "warp": _warp_with(_filters_before_temperature),
        "sample": _sample_with(_filters_before_temperature),
        "title": {"en": "Filters applied before temperature",
                  "zh": "先做过滤、后除以温度"},
        "explanation": {
            "en": "top-k, top-p and min-p ran on the raw logits and the temperature was "
                  "applied afterwards (the order some interview notes teach). Temperature "
                  "changes the probabilities, so the nucleus and the min-p set depend on it: "
                  "Hugging Face applies temperature first, then top-k, top-p, min-p.",
            "zh": "在原始 logits 上做了 top-k、top-p、min-p，之后才除以温度（一些面试笔记"
                  "教的顺序）。温度会改变概率，nucleus 和 min-p 的集合都依赖它："
                  "Hugging Face 先做温度，再做 top-k、top-p、min-p。"},
        "exposed_by": "warp temperature 0.5 then top-p 0.8",
        "agrees_on": "warp top-k 5",
    },
    {
        "id": "min_p_relative_to_logits",
        "warp": _warp_with(_min_p_on_logits),
        "sample": _sample_with(_min_p_on_logits),
        "title": {"en": "min-p threshold taken on logits",
                  "zh": "min-p 的阈值用在了 logits 上"},
        "explanation": {
            "en": "min-p keeps tokens with probability ≥ min_p × the largest probability. "
                  "Comparing logits with min_p × the largest logit is meaningless (logits "
                  "shift freely and can be negative). In logit space the rule is "
                  "x ≥ max x + log(min_p).",
            "zh": "min-p 保留概率 ≥ min_p × 最大概率的 token。拿 logits 与 min_p × 最大 logit "
                  "比较没有意义（logits 可以整体平移，也可以为负）。在 logit 空间中规则是 "
                  "x ≥ max x + log(min_p)。"},
        "exposed_by": "warp min-p 0.1",
        "agrees_on": "warp top-p 0.7",
    },
    {
        "id": "top_k_ties_dropped",
        "warp": _warp_with(_top_k_exactly_k),
        "sample": _sample_with(_top_k_exactly_k),
        "title": {"en": "top-k drops tokens tied with the k-th",
                  "zh": "top-k 丢掉了与第 k 大并列的 token"},
        "explanation": {
            "en": "Scattering torch.topk's k indices keeps exactly k tokens and drops the "
                  "others tied with the k-th largest logit, depending on which index topk "
                  "happened to return. The rule (HF's TopKLogitsWarper) removes only logits "
                  "strictly below the k-th largest value: compare with that value.",
            "zh": "把 torch.topk 返回的 k 个下标 scatter 回去，只保留恰好 k 个 token，"
                  "与第 k 大并列的其他 token 被丢掉（取决于 topk 恰好返回哪个下标）。"
                  "规则（HF 的 TopKLogitsWarper）只删除严格小于第 k 大值的 logits："
                  "应与该值比较。"},
        "exposed_by": "warp top-k with ties at the k-th",
        "agrees_on": "warp top-k 5",
    },
    {
        "id": "probabilities_not_renormalised",
        "warp": _warp_with(_stale_probabilities),
        "sample": _sample_with(_stale_probabilities),
        "title": {"en": "top-p / min-p use probabilities from before top-k",
                  "zh": "top-p / min-p 用了 top-k 之前的概率"},
        "explanation": {
            "en": "Probabilities were computed once from the tempered logits and reused after "
                  "top-k. Each warper works on the previous one's output: after top-k the "
                  "softmax is over the surviving tokens only, so their probabilities are "
                  "larger and the top-p nucleus is smaller.",
            "zh": "只用温度后的 logits 计算了一次概率，top-k 之后继续复用。每个 warper 都"
                  "作用在上一个的输出上：top-k 之后 softmax 只在剩下的 token 上归一化，"
                  "它们的概率更大，top-p 的 nucleus 更小。"},
        "exposed_by": "warp top-k 8 then top-p 0.6",
        "agrees_on": "warp top-p 0.7",
    },
    {
        "id": "temperature_multiplies",
        "warp": _warp_with(_temperature_multiplies),
        "sample": _sample_with(_temperature_multiplies),
        "title": {"en": "Logits multiplied by the temperature",
                  "zh": "logits 乘以了温度"},
        "explanation": {
            "en": "Temperature divides the logits: softmax(x / T). Multiplying sharpens the "
                  "distribution when T > 1 instead of flattening it.",
            "zh": "温度是除法：softmax(x / T)。乘以 T 会在 T > 1 时让分布更尖锐，"
                  "而不是更平坦。"},
        "exposed_by": "warp temperature 1.7",
        "agrees_on": "warp top-k 5",
    },
    {
        "id": "sample_returns_sorted_position",
        "sample": _sample_sorted_position,
        "title": {"en": "Sampled position in sorted order returned as the token",
                  "zh": "返回了排序后的位置而不是 token id"},
        "explanation": {
            "en": "The inverse CDF ran over the probabilities sorted in descending order (left "
                  "over from top-p) and the position in that order was returned. Map it back "
                  "through the sort indices — or, as the drill defines it, sample over the "
                  "vocabulary in index order.",
            "zh": "在按概率降序排好的数组（top-p 留下的）上做了逆 CDF，并直接返回了排序后的"
                  "位置。需要通过排序下标映射回 token id——或者按本题的定义，在词表原始"
                  "顺序上采样。"},
        "exposed_by": "sample top-p 0.9",
        "agrees_on": "sample greedy with ties at the maximum",
    },
    {
        "id": "sample_ignores_filters",
        "sample": _sample_unfiltered,
        "title": {"en": "sample ignores the filters",
                  "zh": "sample 没有使用过滤后的分布"},
        "explanation": {
            "en": "sample drew from softmax(logits / T) and never used warp's output, so "
                  "tokens removed by top-k, top-p or min-p can still be drawn.",
            "zh": "sample 从 softmax(logits / T) 采样，没有用 warp 的结果，"
                  "被 top-k、top-p、min-p 删除的 token 仍可能被采到。"},
        "exposed_by": "sample top-k 3",
        "agrees_on": "sample temperature only",
    },
    {
        "id": "greedy_not_special_cased",
        "sample": _greedy_filters_applied,
        "title": {"en": "temperature 0 not treated as greedy",
                  "zh": "temperature 0 没有按贪心处理"},
        "explanation": {
            "en": "temperature == 0 must mean argmax (lowest index on ties), without drawing "
                  "from u. Dividing by 0 gives inf/NaN; replacing 0 by a tiny temperature "
                  "still samples, so tied maxima are split by u.",
            "zh": "temperature == 0 必须是 argmax（并列取最小下标），不能再用 u 采样。"
                  "除以 0 会得到 inf/NaN；用极小温度代替 0 仍然在采样，"
                  "并列的最大值会按 u 被分开。"},
        "exposed_by": "sample greedy with ties at the maximum",
        "agrees_on": "sample top-k 3",
    },
]
