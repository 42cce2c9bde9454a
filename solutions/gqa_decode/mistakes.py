"""Known-wrong variants of the ``gqa_decode`` drill, for the grader's "looks like …"
diagnosis.

Each entry of :data:`MISTAKES` reproduces one classic KV-cache / GQA bug and is otherwise
the reference: float64 attention, never expanding K/V (the G query heads of a KV head are
folded into the query rows), the caches written in place unless the bug is about the
write. Expanding K/V to Hq heads is *not* here: its output is right, and the drill's
memory-budget case is what catches it.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor


def _attend(q: Tensor, keys: Tensor, values: Tensor, allowed: Tensor, *,
            modulo: bool = False) -> Tensor:
    """softmax(q·kᵀ/√D, allowed)·v in float64 for q (B, Hq, T, D) over keys/values
    (B, Hkv, L, D); `allowed` (T, L). Head h reads KV head h // G, or h % Hkv if `modulo`."""
    b, hq, t, d = q.shape
    hkv = keys.shape[1]
    group = hq // hkv
    q64 = q.to(torch.float64)
    if modulo:  # the heads that share KV head j are j, j + Hkv, j + 2·Hkv, …
        qg = q64.reshape(b, group, hkv, t, d).transpose(1, 2)
    else:
        qg = q64.reshape(b, hkv, group, t, d)
    qg = qg.reshape(b, hkv, group * t, d)
    mask = allowed.to(q.device).repeat(group, 1)
    out = torch.empty(b, hkv, group * t, d, dtype=torch.float64, device=q.device)
    for i in range(b):
        scores = qg[i] @ keys[i].to(torch.float64).transpose(-2, -1) / math.sqrt(d)
        scores = scores.masked_fill(~mask, float("-inf"))
        out[i] = torch.softmax(scores, dim=-1) @ values[i].to(torch.float64)
    out = out.reshape(b, hkv, group, t, d)
    if modulo:
        out = out.transpose(1, 2)
    return out.reshape(b, hq, t, d).to(q.dtype)


def _causal(t: int, length: int, start_pos: int) -> Tensor:
    """allowed[t, j] = j ≤ start_pos + t over `length` cache positions."""
    return torch.arange(length)[None, :] <= start_pos + torch.arange(t)[:, None]


def _write(k: Tensor, v: Tensor, k_cache: Tensor, v_cache: Tensor, at: int) -> None:
    k_cache[:, :, at:at + k.shape[2]] = k
    v_cache[:, :, at:at + v.shape[2]] = v


def writes_at_zero(q: Tensor, k: Tensor, v: Tensor, k_cache: Tensor, v_cache: Tensor,
                   start_pos: int) -> Tensor:
    """Writes the new keys/values at cache positions [0, T) instead of [start_pos, …)."""
    t = q.shape[2]
    end = start_pos + t
    _write(k, v, k_cache, v_cache, 0)
    return _attend(q, k_cache[:, :, :end], v_cache[:, :, :end], _causal(t, end, start_pos))


def mask_not_shifted(q: Tensor, k: Tensor, v: Tensor, k_cache: Tensor, v_cache: Tensor,
                     start_pos: int) -> Tensor:
    """Causal mask j ≤ t (tril of a T×L matrix) instead of j ≤ start_pos + t."""
    t = q.shape[2]
    end = start_pos + t
    _write(k, v, k_cache, v_cache, start_pos)
    return _attend(q, k_cache[:, :, :end], v_cache[:, :, :end], _causal(t, end, 0))


def no_causal_mask(q: Tensor, k: Tensor, v: Tensor, k_cache: Tensor, v_cache: Tensor,
                   start_pos: int) -> Tensor:
    """No mask within the chunk: every new query sees all start_pos + T keys."""
    t = q.shape[2]
    end = start_pos + t
    _write(k, v, k_cache, v_cache, start_pos)
    allowed = torch.ones(t, end, dtype=torch.bool)
    return _attend(q, k_cache[:, :, :end], v_cache[:, :, :end], allowed)


def whole_cache_no_mask(q: Tensor, k: Tensor, v: Tensor, k_cache: Tensor, v_cache: Tensor,
                        start_pos: int) -> Tensor:
    """Attends to all S_max cache slots without a mask (stale slots included)."""
    t, s_max = q.shape[2], k_cache.shape[2]
    _write(k, v, k_cache, v_cache, start_pos)
    return _attend(q, k_cache, v_cache, torch.ones(t, s_max, dtype=torch.bool))


def head_mapping_modulo(q: Tensor, k: Tensor, v: Tensor, k_cache: Tensor, v_cache: Tensor,
                        start_pos: int) -> Tensor:
    """Query head h reads KV head h % Hkv instead of h // (Hq / Hkv)."""
    t = q.shape[2]
    end = start_pos + t
    _write(k, v, k_cache, v_cache, start_pos)
    return _attend(q, k_cache[:, :, :end], v_cache[:, :, :end], _causal(t, end, start_pos),
                   modulo=True)


def cache_not_written(q: Tensor, k: Tensor, v: Tensor, k_cache: Tensor, v_cache: Tensor,
                      start_pos: int) -> Tensor:
    """Attends to cat(cache[:start_pos], k) but never writes k, v into the caches."""
    t = q.shape[2]
    keys = torch.cat((k_cache[:, :, :start_pos], k), dim=2)
    values = torch.cat((v_cache[:, :, :start_pos], v), dim=2)
    return _attend(q, keys, values, _causal(t, start_pos + t, start_pos))


def reads_before_write(q: Tensor, k: Tensor, v: Tensor, k_cache: Tensor, v_cache: Tensor,
                       start_pos: int) -> Tensor:
    """Attends to the cache as it was (positions < start_pos), then writes k, v: the new
    tokens never see themselves."""
    t = q.shape[2]
    out = _attend(q, k_cache[:, :, :start_pos], v_cache[:, :, :start_pos],
                  torch.ones(t, start_pos, dtype=torch.bool))
    _write(k, v, k_cache, v_cache, start_pos)
    return out


MISTAKES: list[dict[str, Any]] = [
    {
        "id": "writes_at_zero",
        "title": {"en": "Cache written at the wrong offset (position 0)",
                  "zh": "缓存写错了位置（写到了位置 0）"},
        "explanation": {
            "en": "The new keys and values go to cache[:, :, :T] instead of "
                  "cache[:, :, start_pos:start_pos + T]. That overwrites the oldest tokens, "
                  "and the slots the new queries should read still hold stale values.",
            "zh": "新的 k、v 被写进了 cache[:, :, :T]，而不是 cache[:, :, start_pos:start_pos +"
                  " T]。"
                  "这会覆盖最早的 token，而新 query 应该读取的位置里仍是旧数据。",
        },
        "gqa_decode": writes_at_zero,
        "exposed_by": "float32 decode step",
    },
    {
        "id": "mask_not_shifted",
        "title": {"en": "Causal mask not shifted by start_pos",
                  "zh": "causal mask 没有按 start_pos 平移"},
        "explanation": {
            "en": "The new query t sits at absolute position start_pos + t, so it may see "
                  "cache positions j ≤ start_pos + t. A plain tril over the T × L scores "
                  "(j ≤ t) hides almost the whole cache: a decode step then sees only "
                  "position 0.",
            "zh": "第 t 个新 query 的绝对位置是 start_pos + t，它能看到 j ≤ start_pos + t 的缓"
                  "存位置。"
                  "直接对 T × L 打分用 tril（j ≤ t）会遮掉几乎整个缓存：解码步只能看到位置 0。",
        },
        "gqa_decode": mask_not_shifted,
        "exposed_by": "float32 decode step",
    },
    {
        "id": "no_causal_mask",
        "title": {"en": "No causal mask inside a chunked prefill",
                  "zh": "分块 prefill 内部没有 causal mask"},
        "explanation": {
            "en": "With T = 1 no mask is needed, but a chunked prefill (T > 1) must stop "
                  "token t from seeing the later tokens of its own chunk: j ≤ start_pos + t.",
            "zh": "T = 1 时确实不需要 mask，但分块 prefill（T > 1）必须让第 t 个 token 看不到同"
                  "一块里"
                  "更靠后的 token：j ≤ start_pos + t。",
        },
        "gqa_decode": no_causal_mask,
        "exposed_by": "chunked prefill in the middle of the cache",
        "agrees_on": "float32 decode step",
    },
    {
        "id": "whole_cache_no_mask",
        "title": {"en": "Attends to the whole preallocated cache",
                  "zh": "对整个预分配缓存做注意力"},
        "explanation": {
            "en": "The scores run over all S_max slots. Slots at start_pos + T and beyond are "
                  "not part of this sequence (here they hold a previous request's values), "
                  "so keys must stop at start_pos + t for query t.",
            "zh": "打分覆盖了全部 S_max 个位置。start_pos + T 及以后的位置不属于当前序列"
                  "（这里存的是上一个请求的数据），query t 的 key 必须截止到 start_pos + t。",
        },
        "gqa_decode": whole_cache_no_mask,
        "exposed_by": "float32 decode step",
    },
    {
        "id": "head_mapping_modulo",
        "title": {"en": "Query head h reads KV head h % Hkv",
                  "zh": "query 头 h 读取了 KV 头 h % Hkv"},
        "explanation": {
            "en": "In GQA the G = Hq / Hkv consecutive query heads share one KV head: head h "
                  "reads KV head h // G (Hugging Face's repeat_kv repeats each KV head G "
                  "times in a row). h % Hkv spreads neighbouring query heads over different "
                  "KV heads, which pretrained weights do not expect.",
            "zh": "GQA 中相邻的 G = Hq / Hkv 个 query 头共享一个 KV 头：头 h 读取 KV 头 h // G"
                  "（Hugging Face 的 repeat_kv 把每个 KV 头连续重复 G 次）。h % Hkv 把相邻 query 头"
                  "分给了不同的 KV 头，与预训练权重不符。",
        },
        "gqa_decode": head_mapping_modulo,
        "exposed_by": "float32 decode step",
        "agrees_on": "multi-head (Hq = Hkv)",
    },
    {
        "id": "cache_not_written",
        "title": {"en": "Cache never written", "zh": "没有写入缓存"},
        "explanation": {
            "en": "The step attends to cat(cache[:start_pos], k) — the output is right — but "
                  "leaves the preallocated caches unchanged, so the next step has lost these "
                  "tokens. A static cache must be written in place at [start_pos, "
                  "start_pos + T).",
            "zh": "这一步对 cat(cache[:start_pos], k) 做注意力——输出是对的——但预分配的缓存没有"
                  "被更新，"
                  "下一步就丢了这些 token。静态缓存必须原地写入 [start_pos, start_pos + T)。",
        },
        "gqa_decode": cache_not_written,
        "exposed_by": "float32 decode step",
    },
    {
        "id": "reads_before_write",
        "title": {"en": "Attends before writing the new keys",
                  "zh": "先做注意力、后写入新的 key"},
        "explanation": {
            "en": "Attention runs over the cache as it was (positions < start_pos) and the "
                  "new k, v are written afterwards, so a token never attends to itself nor "
                  "to the earlier tokens of its chunk. Write first, then attend over "
                  "[0, start_pos + T).",
            "zh": "注意力用的是写入前的缓存（位置 < start_pos），新的 k、v 之后才写入，"
                  "所以 token 看不到自己，也看不到同一块中更早的 token。应先写入，再对 [0, star"
                  "t_pos + T) 做注意力。",
        },
        "gqa_decode": reads_before_write,
        "exposed_by": "float32 decode step",
    },
]
