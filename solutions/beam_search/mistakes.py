"""Known-wrong variants of the ``beam_search`` drill, for the grader's "looks like …" diagnosis.

Each mistake is the reference search with one classic bug (``_search``'s switches), ranking
on exact float64 sums like the reference.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

Hypothesis = tuple[list[int], float]


def _div(cum: float, length: int, alpha: float) -> float:
    """cum / length ** alpha, with IEEE results where length is 0 (a bug's doing)."""
    denom = float(length) ** alpha if length > 0 else (0.0 if alpha > 0 else 1.0)
    if denom == 0.0:
        return float("-inf") if cum < 0 else float("nan")
    return cum / denom


def _search(log_probs_fn: Callable[[torch.Tensor], torch.Tensor], bos: int, eos: int,
            beam_size: int, max_new_tokens: int, length_penalty: float = 1.0, *,
            length_offset: int = 0, eos_length_offset: int = 0, eos_stays_live: bool = False,
            shrink_on_eos: bool = False, early_stopping: bool = True,
            low_ranked_eos: bool = False, normalise_live: bool = True,
            keep_live_at_end: bool = True, token_major_ties: bool = False
            ) -> list[Hypothesis]:
    live: list[tuple[list[int], float]] = [([bos], 0.0)]
    finished: list[Hypothesis] = []
    stopped = False
    for step in range(1, max_new_tokens + 1):
        prefixes = torch.tensor([tokens for tokens, _ in live], dtype=torch.long)
        scores = log_probs_fn(prefixes).detach().to("cpu", torch.float64).tolist()
        candidates = [(cum + score, b, v) for b, (_, cum) in enumerate(live)
                      for v, score in enumerate(scores[b])]
        if token_major_ties:
            candidates.sort(key=lambda c: (-c[0], c[2], c[1]))
        else:
            candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
        next_live: list[tuple[list[int], float]] = []
        for rank, (total, b, v) in enumerate(candidates):
            if shrink_on_eos and rank >= beam_size:
                break
            if v == eos:
                if rank < beam_size or low_ranked_eos:
                    length = step + length_offset + eos_length_offset
                    finished.append((live[b][0][1:] + [v], _div(total, length, length_penalty)))
                if not eos_stays_live:
                    continue
            next_live.append((live[b][0] + [v], total))
            if len(next_live) == beam_size:
                break
        live = next_live
        if early_stopping and len(finished) >= beam_size:
            stopped = True
            break
        if not live:
            break
    if not stopped and keep_live_at_end:
        for tokens, cum in live:
            score = _div(cum, max_new_tokens + length_offset, length_penalty) \
                if normalise_live else cum
            finished.append((tokens[1:], score))
    best = sorted(range(len(finished)), key=lambda i: -finished[i][1])[:beam_size]
    return [finished[i] for i in best]


def _variant(**switches: Any) -> Callable[..., list[Hypothesis]]:
    def beam_search(log_probs_fn: Callable[[torch.Tensor], torch.Tensor], bos: int, eos: int,
                    beam_size: int, max_new_tokens: int, length_penalty: float = 1.0
                    ) -> list[Hypothesis]:
        return _search(log_probs_fn, bos, eos, beam_size, max_new_tokens, length_penalty,
                       **switches)

    return beam_search


MISTAKES: list[dict[str, Any]] = [
    {
        "id": "length_includes_bos",
        "beam_search": _variant(length_offset=1),
        "title": {"en": "Length penalty counts bos",
                  "zh": "长度惩罚把 bos 也算进了长度"},
        "explanation": {
            "en": "The score divides by the generated length including eos, not by the prefix "
                  "length: bos (and any prompt) is not generated. Counting it changes every "
                  "score and, with length_penalty ≠ 0, the ranking of hypotheses of different "
                  "lengths.",
            "zh": "分数应除以生成长度（含 eos），而不是整个前缀的长度：bos（以及 "
                  "prompt）不是生成的。把它算进去会改变每个分数；length_penalty ≠ 0 "
                  "时还会改变不同长度假设的排名。"},
        "exposed_by": "length penalty 2",
        "agrees_on": "length penalty 0",
    },
    {
        "id": "length_excludes_eos",
        "beam_search": _variant(eos_length_offset=-1),
        "title": {"en": "Length penalty does not count eos",
                  "zh": "长度惩罚没有把 eos 算进长度"},
        "explanation": {
            "en": "A finished hypothesis's length includes its eos token (HF scores it on the "
                  "length the eos log-probability was computed on). Leaving eos out makes "
                  "finished hypotheses one token shorter than live beams of the same step, and "
                  "an eos on the first step divides by 0.",
            "zh": "已完成假设的长度要包含 eos（HF 按算出 eos 概率时的长度打分）。不算 "
                  "eos 会让已完成假设比同一步的活跃 beam 短一个 token，第一步就生成 eos "
                  "时还会除以 0。"},
        "exposed_by": "eos becomes likely later",
        "agrees_on": "length penalty 0",
    },
    {
        "id": "eos_beams_kept_live",
        "beam_search": _variant(eos_stays_live=True),
        "title": {"en": "eos beams kept live",
                  "zh": "以 eos 结尾的 beam 仍留在活跃集合里"},
        "explanation": {
            "en": "A candidate ending in eos is finished: it leaves the live set (and the next "
                  "live set is filled from lower-ranked non-eos candidates). Kept live, it is "
                  "extended past its own end and takes a slot a real continuation needed.",
            "zh": "以 eos "
                  "结尾的候选已经完成：它离开活跃集合（下一轮的活跃集合由排名更低的非 "
                  "eos "
                  "候选补满）。把它留在活跃集合里，它会在结束之后继续被扩展，并占掉真正续写需要的位置。"},
        "exposed_by": "eos becomes likely later",
        "agrees_on": "eos never",
    },
    {
        "id": "beam_shrinks_on_eos",
        "beam_search": _variant(shrink_on_eos=True),
        "title": {"en": "Live set not refilled after an eos",
                  "zh": "生成 eos 后活跃集合没有补满"},
        "explanation": {
            "en": "Only the top beam_size candidates were split into finished and live, so every "
                  "eos among them costs a live beam. HF walks further down the ranking (it keeps "
                  "2·beam_size candidates) until beam_size non-eos beams are live.",
            "zh": "只把前 beam_size 个候选分成已完成和活跃两部分，其中每出现一个 eos "
                  "就少一个活跃 beam。HF 会沿着排名继续往下取（它保留 2·beam_size "
                  "个候选），直到有 beam_size 个非 eos 的活跃 beam。"},
        "exposed_by": "eos becomes likely later",
        "agrees_on": "eos never",
    },
    {
        "id": "no_early_stopping",
        "beam_search": _variant(early_stopping=False),
        "title": {"en": "No early stopping",
                  "zh": "没有提前停止"},
        "explanation": {
            "en": "The search must stop once beam_size hypotheses are finished (HF's "
                  "early_stopping=True). Running on to max_new_tokens lets later, longer "
                  "hypotheses and the final live beams displace ones the rule already returned.",
            "zh": "一旦有 beam_size 个假设完成，搜索就必须停止（HF 的 "
                  "early_stopping=True）。一直跑到 "
                  "max_new_tokens，会让后来更长的假设和最后的活跃 beam "
                  "挤掉按规则本应返回的假设。"},
        "exposed_by": "early stopping with length penalty 2",
        "agrees_on": "eos never",
    },
    {
        "id": "low_ranked_eos_finished",
        "beam_search": _variant(low_ranked_eos=True),
        "title": {"en": "eos candidates below beam_size also finished",
                  "zh": "排名在 beam_size 之后的 eos 候选也算完成"},
        "explanation": {
            "en": "Only an eos candidate ranked within the first beam_size becomes a finished "
                  "hypothesis; lower-ranked ones are dropped (HF skips eos tokens with rank ≥ "
                  "num_beams). Finishing them too fills the hypothesis list with weak candidates "
                  "and triggers early stopping too soon.",
            "zh": "只有排名在前 beam_size 之内的 eos "
                  "候选才成为已完成假设；排名更低的丢弃（HF 跳过 rank ≥ num_beams 的 "
                  "eos）。把它们也算完成，会用较差的候选填满假设列表，并过早触发提前停止。"},
        "exposed_by": "smallest vocabulary (beam_size + 1)",
        "agrees_on": "eos never",
    },
    {
        "id": "live_beams_not_normalised",
        "beam_search": _variant(normalise_live=False),
        "title": {"en": "Unfinished beams not length-normalised",
                  "zh": "未完成的 beam 没有做长度归一化"},
        "explanation": {
            "en": "When max_new_tokens runs out, the live beams become hypotheses scored the "
                  "same way as finished ones: cum / length ** length_penalty. Comparing their "
                  "raw sums with normalised scores mixes two scales.",
            "zh": "max_new_tokens 用完时，活跃 beam "
                  "也成为假设，打分方式与已完成的相同：cum / length ** "
                  "length_penalty。拿它们的原始对数概率和与归一化分数比较，混用了两种尺度。"},
        "exposed_by": "eos never",
        "agrees_on": "length penalty 0",
    },
    {
        "id": "live_beams_dropped",
        "beam_search": _variant(keep_live_at_end=False),
        "title": {"en": "Unfinished beams dropped at max_new_tokens",
                  "zh": "max_new_tokens 时丢弃了未完成的 beam"},
        "explanation": {
            "en": "If fewer than beam_size hypotheses finished when max_new_tokens runs out, the "
                  "live beams count as hypotheses; dropping them returns too few results (or "
                  "none when eos never wins).",
            "zh": "max_new_tokens 用完时若完成的假设不足 beam_size 个，活跃 beam "
                  "也算假设；丢掉它们会返回过少的结果（eos 从未胜出时一个也没有）。"},
        "exposed_by": "eos never",
        "agrees_on": "length penalty 1 (explicit)",
    },
    {
        "id": "ties_token_major",
        "beam_search": _variant(token_major_ties=True),
        "title": {"en": "Ties broken by token id before beam index",
                  "zh": "并列时先比 token id 再比 beam 序号"},
        "explanation": {
            "en": "Equal cumulative scores go to the lower beam index, then the lower token id — "
                  "the order of a stable sort of the flattened (beam, token) scores. Flattening "
                  "a (token, beam) layout, or an unstable top-k, orders ties differently.",
            "zh": "累计分数相同时先取 beam 序号小的，再取 token id 小的——即对展平后的 "
                  "(beam, token) 分数做稳定排序的顺序。按 (token, beam) "
                  "展平，或用不稳定的 top-k，并列的顺序就不同了。"},
        "exposed_by": "uniform model (ties everywhere)",
        "agrees_on": "beam size 1 (greedy)",
    },
]
