"""Known-wrong variants of the ``softmax_merge`` drill, for the grader's "looks like …"
diagnosis.

Each entry of :data:`MISTAKES` carries an ``id``, a bilingual ``title`` and ``explanation``,
and ``merge_states`` and/or ``blockwise_attention`` callables with the drill's signatures. A
bug in ``merge_states`` also shows in the ``blockwise_attention`` built on it, as it would in
a user's file. The variants compute in float64 so their output is the bug's exact signature.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

State = tuple[Tensor, Tensor, Tensor]
MergeFn = Callable[[Tensor, Tensor, Tensor, Tensor, Tensor, Tensor], State]


def _rescale(m_side: Tensor, m: Tensor) -> Tensor:
    """exp(m_side − m), 0 for an empty side (the correct, NaN-free factor)."""
    empty = torch.isneginf(m_side)
    safe_side = torch.where(empty, torch.zeros_like(m_side), m_side)
    safe_m = torch.where(empty, torch.zeros_like(m), m)
    return torch.where(empty, torch.zeros_like(m), torch.exp(safe_side - safe_m))


def _cast(state: State, like: State) -> State:
    return tuple(s.to(t.dtype) for s, t in zip(state, like, strict=True))  # type: ignore[return-value]


def _blockwise(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    block_size: int,
    merge: MergeFn,
    scale: float | None = None,
    normalise: bool = True,
) -> Tensor:
    """The correct blockwise loop, with a replaceable merge and the two classic slips."""
    q64 = q.double()
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    batch = torch.broadcast_shapes(q.shape[:-2], k.shape[:-2])
    m = torch.full((*batch, q.shape[-2]), float("-inf"), dtype=torch.float64, device=q.device)
    l = torch.zeros_like(m)  # noqa: E741
    o = torch.zeros((*batch, q.shape[-2], v.shape[-1]), dtype=torch.float64, device=q.device)
    for start in range(0, k.shape[-2], block_size):
        k_blk = k[..., start : start + block_size, :].double()
        v_blk = v[..., start : start + block_size, :].double()
        s = (q64 @ k_blk.transpose(-2, -1)) * scale
        m_blk = s.amax(dim=-1)
        p = torch.exp(s - m_blk.unsqueeze(-1))
        m, l, o = merge(m, l, o, m_blk, p.sum(dim=-1), p @ v_blk)  # noqa: E741
    if normalise:
        o = o / torch.where(l > 0, l, torch.ones_like(l)).unsqueeze(-1)
    return o.to(q.dtype)


def _correct_merge(m1: Tensor, l1: Tensor, o1: Tensor, m2: Tensor, l2: Tensor, o2: Tensor) -> State:
    m1d, l1d, o1d, m2d, l2d, o2d = (t.double() for t in (m1, l1, o1, m2, l2, o2))
    m = torch.maximum(m1d, m2d)
    a1, a2 = _rescale(m1d, m), _rescale(m2d, m)
    return _cast((m, a1 * l1d + a2 * l2d, a1[..., None] * o1d + a2[..., None] * o2d), (m1, l1, o1))


def o_not_rescaled(m1: Tensor, l1: Tensor, o1: Tensor, m2: Tensor, l2: Tensor, o2: Tensor) -> State:
    """o = o1 + o2: l is rescaled to the new max but o is not."""
    m1d, l1d, o1d, m2d, l2d, o2d = (t.double() for t in (m1, l1, o1, m2, l2, o2))
    m = torch.maximum(m1d, m2d)
    a1, a2 = _rescale(m1d, m), _rescale(m2d, m)
    return _cast((m, a1 * l1d + a2 * l2d, o1d + o2d), (m1, l1, o1))


def l_not_rescaled(m1: Tensor, l1: Tensor, o1: Tensor, m2: Tensor, l2: Tensor, o2: Tensor) -> State:
    """l = l1 + l2: o is rescaled to the new max but the normaliser is not."""
    m1d, l1d, o1d, m2d, l2d, o2d = (t.double() for t in (m1, l1, o1, m2, l2, o2))
    m = torch.maximum(m1d, m2d)
    a1, a2 = _rescale(m1d, m), _rescale(m2d, m)
    return _cast((m, l1d + l2d, a1[..., None] * o1d + a2[..., None] * o2d), (m1, l1, o1))


def m_not_max(m1: Tensor, l1: Tensor, o1: Tensor, m2: Tensor, l2: Tensor, o2: Tensor) -> State:
    """Keeps m = m1 instead of max(m1, m2), so exp(m2 − m1) can overflow, and an empty first
    state (m1 = −inf) turns everything into inf/NaN."""
    m1d, l1d, o1d, m2d, l2d, o2d = (t.double() for t in (m1, l1, o1, m2, l2, o2))
    m = m1d
    a1, a2 = torch.exp(m1d - m), torch.exp(m2d - m)
    return _cast((m, a1 * l1d + a2 * l2d, a1[..., None] * o1d + a2[..., None] * o2d), (m1, l1, o1))


def nan_on_empty(m1: Tensor, l1: Tensor, o1: Tensor, m2: Tensor, l2: Tensor, o2: Tensor) -> State:
    """The textbook formula with no guard: two empty states give exp(−inf − −inf) = NaN."""
    m1d, l1d, o1d, m2d, l2d, o2d = (t.double() for t in (m1, l1, o1, m2, l2, o2))
    m = torch.maximum(m1d, m2d)
    a1, a2 = torch.exp(m1d - m), torch.exp(m2d - m)
    return _cast((m, a1 * l1d + a2 * l2d, a1[..., None] * o1d + a2[..., None] * o2d), (m1, l1, o1))


def rescale_sign_flipped(
    m1: Tensor, l1: Tensor, o1: Tensor, m2: Tensor, l2: Tensor, o2: Tensor
) -> State:
    """exp(m − m_i) instead of exp(m_i − m): the smaller-max side is scaled up, not down."""
    m1d, l1d, o1d, m2d, l2d, o2d = (t.double() for t in (m1, l1, o1, m2, l2, o2))
    m = torch.maximum(m1d, m2d)
    # Empty sides still contribute nothing, so only the sign slip shows.
    a1 = torch.where(torch.isneginf(m1d), torch.zeros_like(m), _rescale(m1d, m).reciprocal())
    a2 = torch.where(torch.isneginf(m2d), torch.zeros_like(m), _rescale(m2d, m).reciprocal())
    return _cast((m, a1 * l1d + a2 * l2d, a1[..., None] * o1d + a2[..., None] * o2d), (m1, l1, o1))


def _blockwise_with(merge: MergeFn) -> Callable[[Tensor, Tensor, Tensor, int], Tensor]:
    def blockwise_attention(q: Tensor, k: Tensor, v: Tensor, block_size: int) -> Tensor:
        return _blockwise(q, k, v, block_size, merge)

    return blockwise_attention


def blockwise_no_final_division(q: Tensor, k: Tensor, v: Tensor, block_size: int) -> Tensor:
    """Returns the accumulated o without dividing by l at the end."""
    return _blockwise(q, k, v, block_size, _correct_merge, normalise=False)


def blockwise_no_scale(q: Tensor, k: Tensor, v: Tensor, block_size: int) -> Tensor:
    """Block scores q·kᵀ without the 1/√D factor."""
    return _blockwise(q, k, v, block_size, _correct_merge, scale=1.0)


def blockwise_query_tiles_by_sk(q: Tensor, k: Tensor, v: Tensor, block_size: int) -> Tensor:
    """Tiles the queries too, but counts the query tiles with Sk (one sequence length for
    both, as in attention written for Sq == Sk): with Sq > Sk the query rows from
    ceil(Sk / block_size)·block_size on are never computed and stay zero."""
    out = _blockwise(q, k, v, block_size, _correct_merge)
    covered = -(-k.shape[-2] // block_size) * block_size
    keep = (torch.arange(q.shape[-2], device=q.device) < covered).unsqueeze(-1)
    return torch.where(keep, out, torch.zeros_like(out))


MISTAKES: list[dict[str, Any]] = [
    {
        "id": "o_not_rescaled",
        "exposed_by": "merge float32",
        "agrees_on": "merge with the first state empty",
        "title": {"en": "o not rescaled when merging", "zh": "合并时没有对 o 做 rescale"},
        "explanation": {
            "en": "o = o1 + o2 adds accumulators that are relative to different maxima. Each "
            "side must be multiplied by exp(mᵢ − m) before adding, exactly like l.",
            "zh": "直接 o = o1 + o2，但两个累加量是相对不同的最大值计算的。"
            "每一侧都要先乘 exp(mᵢ − m) 再相加，和 l 的处理完全一样。",
        },
        "merge_states": o_not_rescaled,
        "blockwise_attention": _blockwise_with(o_not_rescaled),
    },
    {
        "id": "l_not_rescaled",
        "exposed_by": "merge float32",
        "agrees_on": "merge with the first state empty",
        "title": {"en": "l not rescaled when merging", "zh": "合并时没有对 l 做 rescale"},
        "explanation": {
            "en": "l = l1 + l2 adds normalisers that are relative to different maxima. Each "
            "side must be multiplied by exp(mᵢ − m), the same factor applied to o.",
            "zh": "直接 l = l1 + l2，但两个归一化分母是相对不同最大值的。"
            "每一侧都要乘 exp(mᵢ − m)，与 o 使用同一个缩放因子。",
        },
        "merge_states": l_not_rescaled,
        "blockwise_attention": _blockwise_with(l_not_rescaled),
    },
    {
        "id": "m_not_max",
        "exposed_by": "merge float32",
        "agrees_on": "merge one row, D = 1",
        "title": {"en": "Merged m is not max(m1, m2)", "zh": "合并后的 m 不是 max(m1, m2)"},
        "explanation": {
            "en": "Keeping m = m1 makes exp(m2 − m1) overflow when the second block has larger "
            "scores, and an empty first state (m1 = −inf) yields inf/NaN. The merged max must "
            "be max(m1, m2) so every rescale factor is ≤ 1.",
            "zh": "保留 m = m1，当第二块打分更大时 exp(m2 − m1) 会上溢；第一个状态为空（m1 = −inf）"
            "时直接得到 inf/NaN。合并后的最大值必须是 max(m1, m2)，保证所有缩放因子 ≤ 1。",
        },
        "merge_states": m_not_max,
        "blockwise_attention": _blockwise_with(m_not_max),
    },
    {
        "id": "nan_on_empty",
        "exposed_by": "merge two empty states",
        "agrees_on": "merge float32",
        "title": {"en": "NaN when both states are empty", "zh": "两个空状态合并得到 NaN"},
        "explanation": {
            "en": "With m1 = m2 = −inf the factor exp(m1 − m) is exp(−inf − (−inf)) = NaN. "
            "Empty states occur for fully masked rows and causal blocks; treat the factor of "
            "an empty side as 0.",
            "zh": "m1 = m2 = −inf 时缩放因子 exp(m1 − m) = exp(−inf − (−inf)) = NaN。"
            "整行被 mask 或 causal 跳过的块都会产生空状态，应把空的一侧的缩放因子当作 0。",
        },
        "merge_states": nan_on_empty,
        "blockwise_attention": _blockwise_with(nan_on_empty),
    },
    {
        "id": "rescale_sign_flipped",
        "exposed_by": "merge float32",
        "agrees_on": "merge with the first state empty",
        "title": {"en": "Rescale factor inverted", "zh": "缩放因子的符号写反了"},
        "explanation": {
            "en": "Uses exp(m − mᵢ) instead of exp(mᵢ − m), which scales the side with the "
            "smaller max up instead of down (and can overflow). The correct factor is ≤ 1.",
            "zh": "用了 exp(m − mᵢ) 而不是 exp(mᵢ − m)，"
            "最大值较小的一侧被放大而不是缩小（还可能上溢）。"
            "正确的缩放因子总是 ≤ 1。",
        },
        "merge_states": rescale_sign_flipped,
        "blockwise_attention": _blockwise_with(rescale_sign_flipped),
    },
    {
        "id": "blockwise_no_final_division",
        "exposed_by": "blockwise basic",
        "agrees_on": "merge float32",
        "title": {"en": "No final division by l", "zh": "最后没有除以 l"},
        "explanation": {
            "en": "The running o is an unnormalised sum Σ exp(s − m)·v; the attention output is "
            "o / l, divided once after the last block.",
            "zh": "累加的 o 是未归一化的 Σ exp(s − m)·v，最终输出应为 o / l，"
            "在处理完最后一个块后统一除一次。",
        },
        "blockwise_attention": blockwise_no_final_division,
    },
    {
        "id": "blockwise_no_scale",
        "exposed_by": "blockwise basic",
        "agrees_on": "merge float32",
        "title": {"en": "Blockwise scores not scaled by 1/√D", "zh": "分块打分缺少 1/√D 缩放"},
        "explanation": {
            "en": "Each block's scores are q·kᵀ without the 1/√D factor, so the result is "
            "softmax(q·kᵀ)·v instead of softmax(q·kᵀ/√D)·v.",
            "zh": "每个块的打分是 q·kᵀ，缺少 1/√D 缩放，结果变成 softmax(q·kᵀ)·v "
            "而不是 softmax(q·kᵀ/√D)·v。",
        },
        "blockwise_attention": blockwise_no_scale,
    },
    {
        "id": "query_tiles_counted_by_sk",
        "exposed_by": "blockwise more queries than keys (Sq = 40 > Sk = 9)",
        "agrees_on": "blockwise basic",
        "title": {
            "en": "Query tiles counted with the key length",
            "zh": "按 key 的长度划分 query 块",
        },
        "explanation": {
            "en": "The loop over query tiles runs to Sk instead of Sq (one sequence length for "
            "both, as if Sq == Sk). With fewer keys than queries — a short prompt cached "
            "against a long batch of new queries, cross-attention — the last query rows are "
            "never computed. Loop over q.shape[-2] for queries and k.shape[-2] for keys.",
            "zh": "遍历 query 块的循环跑到了 Sk 而不是 Sq（把两者当成同一个序列长度，"
            "仿佛 Sq == Sk）。当 key 比 query 少时（例如交叉注意力），"
            "最后那些 query 行根本没有计算。query 用 q.shape[-2]，key 用 k.shape[-2]。",
        },
        "blockwise_attention": blockwise_query_tiles_by_sk,
    },
]
