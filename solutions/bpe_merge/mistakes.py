"""Known-wrong variants of the ``bpe_merge`` drill, for the grader's "looks like …" diagnosis.

Each entry of :data:`MISTAKES` carries an ``id``, a bilingual ``title`` and ``explanation``,
and ``merge`` and/or ``train`` callables with the drill's signatures that reproduce one classic
bug. A bug in ``merge`` also shows in the ``train`` built on it, as it would in a user's file;
a ``train``-only bug leaves ``merge`` to the reference.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Pair = tuple[int, int]
MergeFn = Callable[[list[int], Pair, int], list[int]]


def _merge(ids: list[int], pair: Pair, new_id: int) -> list[int]:
    """The correct left-to-right, non-overlapping merge."""
    out: list[int] = []
    i = 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def _counts(ids: list[int]) -> dict[Pair, int]:
    """Counts of every adjacent pair, in order of first occurrence (dicts keep insertion order)."""
    counts: dict[Pair, int] = {}
    for pair in zip(ids, ids[1:], strict=False):
        counts[pair] = counts.get(pair, 0) + 1
    return counts


def _best_earliest(counts: dict[Pair, int]) -> Pair:
    # max() returns the first maximal key, i.e. the one seen first: the correct tie-break.
    return max(counts, key=counts.__getitem__)


def _train(
    text: str,
    vocab_size: int,
    merge: MergeFn = _merge,
    count: Callable[[list[int]], dict[Pair, int]] = _counts,
    pick: Callable[[dict[Pair, int]], Pair] = _best_earliest,
    first_id: int = 256,
) -> list[Pair]:
    """The correct training loop, with each step replaceable by a buggy one."""
    ids = list(text.encode("utf-8"))
    merges: list[Pair] = []
    for i in range(vocab_size - 256):
        if len(ids) < 2:
            break
        pair = pick(count(ids))
        ids = merge(ids, pair, first_id + i)
        merges.append(pair)
    return merges


# --- merge does not skip past a replaced pair ------------------------------------------------


def merge_no_skip(ids: list[int], pair: Pair, new_id: int) -> list[int]:
    """After replacing a pair, advances by one instead of two, so the pair's second token is
    emitted again (and can start another match)."""
    out: list[int] = []
    i = 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
            out.append(new_id)
        else:
            out.append(ids[i])
        i += 1
    return out


def train_merge_no_skip(text: str, vocab_size: int) -> list[Pair]:
    return _train(text, vocab_size, merge=merge_no_skip)


# --- merge replaces only the first occurrence ------------------------------------------------


def merge_first_only(ids: list[int], pair: Pair, new_id: int) -> list[int]:
    """Replaces the first occurrence of the pair and stops."""
    for i in range(len(ids) - 1):
        if (ids[i], ids[i + 1]) == pair:
            return ids[:i] + [new_id] + ids[i + 2 :]
    return list(ids)


def train_merge_first_only(text: str, vocab_size: int) -> list[Pair]:
    return _train(text, vocab_size, merge=merge_first_only)


# --- merge by string replacement ------------------------------------------------------------


def merge_string_replace(ids: list[int], pair: Pair, new_id: int) -> list[int]:
    """Joins the ids into a comma-separated string and replaces "a,b" by "new": "1,2" also
    matches inside "11,2" and "1,22", so ids whose decimal strings collide are mangled."""
    text = ",".join(str(t) for t in ids).replace(f"{pair[0]},{pair[1]}", str(new_id))
    return [int(t) for t in text.split(",")] if text else []


def train_merge_string_replace(text: str, vocab_size: int) -> list[Pair]:
    return _train(text, vocab_size, merge=merge_string_replace)


# --- training-loop bugs ----------------------------------------------------------------------


def train_ties_largest_pair(text: str, vocab_size: int) -> list[Pair]:
    """Ties broken by the larger pair: max over (count, pair)."""
    return _train(text, vocab_size, pick=lambda c: max(c, key=lambda p: (c[p], p)))


def train_ties_smallest_pair(text: str, vocab_size: int) -> list[Pair]:
    """Ties broken by the smaller pair: the first of the pairs sorted by (-count, pair)."""
    return _train(text, vocab_size, pick=lambda c: min(c, key=lambda p: (-c[p], p)))


def train_ties_latest(text: str, vocab_size: int) -> list[Pair]:
    """Ties go to the pair first seen *last*: a running best updated with >= instead of >."""

    def pick(counts: dict[Pair, int]) -> Pair:
        best, best_count = next(iter(counts)), 0
        for pair, c in counts.items():
            if c >= best_count:
                best, best_count = pair, c
        return best

    return _train(text, vocab_size, pick=pick)


def train_counts_skip_overlaps(text: str, vocab_size: int) -> list[Pair]:
    """Counts each pair non-overlapping (like str.count), so "aaa" holds one (a, a), not two."""

    def count(ids: list[int]) -> dict[Pair, int]:
        # One left-to-right pass: an (a, a) right after a counted (a, a) overlaps it and is
        # skipped, exactly as str.count would; dict order stays first-occurrence order.
        counts: dict[Pair, int] = {}
        last: dict[Pair, int] = {}
        for i, pair in enumerate(zip(ids, ids[1:], strict=False)):
            if pair[0] == pair[1] and last.get(pair) == i - 1:
                continue
            counts[pair] = counts.get(pair, 0) + 1
            last[pair] = i
        return counts

    return _train(text, vocab_size, count=count)


def train_stale_counts(text: str, vocab_size: int) -> list[Pair]:
    """Counts pairs once, before the loop, and never recounts after merging, so pairs that
    contain a new token are never considered."""
    ids = list(text.encode("utf-8"))
    counts = _counts(ids)
    merges: list[Pair] = []
    for i in range(vocab_size - 256):
        if len(ids) < 2 or not counts:
            break
        pair = _best_earliest(counts)
        del counts[pair]
        ids = _merge(ids, pair, 256 + i)
        merges.append(pair)
    return merges


def train_new_id_off_by_one(text: str, vocab_size: int) -> list[Pair]:
    """Numbers the new tokens from 257 (e.g. new_id = len(vocab) + 1) instead of 256."""
    return _train(text, vocab_size, first_id=257)


def train_stops_at_count_one(text: str, vocab_size: int) -> list[Pair]:
    """Stops as soon as no pair occurs twice, which the drill does not ask for: it makes
    vocab_size − 256 merges unless fewer than two tokens remain."""
    ids = list(text.encode("utf-8"))
    merges: list[Pair] = []
    for i in range(vocab_size - 256):
        if len(ids) < 2:
            break
        counts = _counts(ids)
        pair = _best_earliest(counts)
        if counts[pair] < 2:
            break
        ids = _merge(ids, pair, 256 + i)
        merges.append(pair)
    return merges


MISTAKES: list[dict[str, Any]] = [
    {
        "id": "merge_no_skip",
        "exposed_by": "merge basic",
        "agrees_on": "merge pair absent",
        "title": {
            "en": "Merge does not skip the merged pair",
            "zh": "merge 后没有跳过被合并的 token",
        },
        "explanation": {
            "en": "After replacing a pair the scan moves on by one position instead of two, so "
            "the pair's second token is emitted again: [a, b, c] with (a, b) becomes "
            "[new, b, c]. Advance past both tokens (i += 2).",
            "zh": "替换一对 token 后只前进了 1 位而不是 2 位，第二个 token 被重复输出："
            "[a, b, c] 合并 (a, b) 得到 [new, b, c]。匹配成功后应 i += 2。",
        },
        "merge": merge_no_skip,
        "train": train_merge_no_skip,
    },
    {
        "id": "merge_first_only",
        "exposed_by": "merge random sequences",
        "agrees_on": "merge overlapping [a, a, a]",
        "title": {
            "en": "Merge replaces only the first occurrence",
            "zh": "merge 只替换了第一次出现",
        },
        "explanation": {
            "en": "Only the first occurrence of the pair is replaced. A BPE merge rewrites every "
            "non-overlapping occurrence, left to right, in one pass.",
            "zh": "只替换了该 pair 的第一次出现。BPE 的一次 merge 要从左到右、"
            "不重叠地替换所有出现位置。",
        },
        "merge": merge_first_only,
        "train": train_merge_first_only,
    },
    {
        "id": "merge_string_replace",
        "exposed_by": "merge (1, 2) beside 11 and 22 (ids whose digits collide when joined)",
        "agrees_on": "merge overlapping [a, a, a, a, a]",
        "title": {
            "en": "Merge by replacing substrings of the joined ids",
            "zh": "把 id 拼成字符串后用子串替换来 merge",
        },
        "explanation": {
            "en": "The ids are joined into a string and the pair is replaced as a substring. "
            "Decimal strings collide: with (1, 2), \"1,2\" also matches inside \"11,2\" and "
            "\"1,22\", so unrelated tokens are merged into nonsense ids. Compare the ids "
            "themselves, position by position.",
            "zh": "把 id 拼成字符串，再把 pair 当作子串替换。十进制字符串会互相“撞上”："
            "合并 (1, 2) 时，\"1,2\" 也会匹配到 \"11,2\" 和 \"1,22\" 的一部分，"
            "把不相干的 token 合成了错误的 id。应逐个位置比较 id 本身。",
        },
        "merge": merge_string_replace,
        "train": train_merge_string_replace,
    },
    {
        "id": "ties_largest_pair",
        "exposed_by": "train ties broken by first occurrence",
        "agrees_on": "merge basic",
        "title": {"en": "Ties broken by the largest pair", "zh": "并列时选了数值最大的 pair"},
        "explanation": {
            "en": "Equal counts are resolved by comparing the pairs themselves (max over "
            "(count, pair)). The drill breaks ties by earliest first occurrence, which makes "
            "training deterministic and independent of token-id order.",
            "zh": "频次相同时按 pair 本身的大小比较（对 (count, pair) 取 max）。"
            "本题规定并列时选最早出现的 pair，这样训练结果确定，且与 token id 的大小无关。",
        },
        "train": train_ties_largest_pair,
    },
    {
        "id": "ties_smallest_pair",
        "exposed_by": "train ties broken by first occurrence",
        "agrees_on": "merge basic",
        "title": {"en": "Ties broken by the smallest pair", "zh": "并列时选了数值最小的 pair"},
        "explanation": {
            "en": "Equal counts are resolved by the pairs themselves: the smallest pair wins "
            "(e.g. sorting by (-count, pair) and taking the first). The drill breaks ties by "
            "earliest first occurrence in the current sequence, not by token-id order.",
            "zh": "频次相同时按 pair 本身比较，选了数值最小的"
            "（例如按 (-count, pair) 排序后取第一个）。"
            "本题规定并列时选在当前序列中首次出现最早的 pair，而不是按 token id 的大小。",
        },
        "train": train_ties_smallest_pair,
    },
    {
        "id": "ties_latest",
        "exposed_by": "train ties broken by first occurrence",
        "agrees_on": "merge basic",
        "title": {"en": "Ties go to the pair seen last", "zh": "并列时选了最后出现的 pair"},
        "explanation": {
            "en": "The running best is updated with >= instead of >, so among equally frequent "
            "pairs the last one seen wins. Ties must go to the pair whose first occurrence is "
            "earliest.",
            "zh": "维护当前最优时用了 >= 而不是 >，频次相同的 pair 中最后遍历到的胜出。"
            "应选第一次出现位置最早的 pair。",
        },
        "train": train_ties_latest,
    },
    {
        "id": "counts_skip_overlaps",
        "exposed_by": "train overlapping pairs counted",
        "agrees_on": "merge basic",
        "title": {
            "en": "Pair counts skip overlapping positions",
            "zh": "统计 pair 时跳过了重叠位置",
        },
        "explanation": {
            "en": "Pairs are counted non-overlapping (like str.count), so 'aaa' holds one (a, a) "
            "instead of two. BPE statistics count every adjacent position; only the merge "
            "itself is non-overlapping.",
            "zh": "统计 pair 频次时不计重叠（类似 str.count），'aaa' 只算一次 (a, a) 而不是两次。"
            "BPE 统计的是每个相邻位置，只有 merge 本身不重叠。",
        },
        "train": train_counts_skip_overlaps,
    },
    {
        "id": "stale_counts",
        "exposed_by": "train English",
        "agrees_on": "merge basic",
        "title": {"en": "Pair counts never recomputed", "zh": "合并后没有重新统计 pair 频次"},
        "explanation": {
            "en": "Pair statistics are computed once before the loop. After each merge the "
            "sequence changes, so counts must be recomputed (or updated); otherwise pairs "
            "containing new tokens are never merged and BPE cannot build longer subwords.",
            "zh": "pair 频次只在循环前统计了一次。每次 merge 后序列都变了，"
            "必须重新统计（或增量更新），"
            "否则包含新 token 的 pair 永远不会被合并，BPE 无法生成更长的子词。",
        },
        "train": train_stale_counts,
    },
    {
        "id": "new_id_off_by_one",
        "exposed_by": "train English",
        "agrees_on": "merge basic",
        "title": {"en": "New token ids off by one", "zh": "新 token 的 id 差了一位"},
        "explanation": {
            "en": "New ids start at 257 instead of 256, so every later merge that involves a "
            "merged token refers to the wrong id. Merge i must create id 256 + i.",
            "zh": "新 id 从 257 而不是 256 开始编号，"
            "之后凡是涉及已合并 token 的 merge 都指向了错误的 id。"
            "第 i 次 merge 应生成 id 256 + i。",
        },
        "train": train_new_id_off_by_one,
    },
    {
        "id": "stops_at_count_one",
        "exposed_by": "train pairs seen once are still merged",
        "agrees_on": "merge basic",
        "title": {"en": "Stops when no pair repeats", "zh": "没有重复 pair 时就提前停止"},
        "explanation": {
            "en": "Training stops once the best pair occurs only once. The drill asks for "
            "exactly vocab_size − 256 merges, stopping early only when fewer than two tokens "
            "remain.",
            "zh": "最高频 pair 只出现一次时就停止了训练。本题要求恰好做 vocab_size − 256 次 merge，"
            "只有剩余 token 少于两个时才能提前停止。",
        },
        "train": train_stops_at_count_one,
    },
]
