"""Reference (oracle) for the ``bpe_merge`` drill: byte-level BPE training.

``merge(ids, pair, new_id)`` scans left to right and replaces each occurrence of ``pair`` by
``new_id``, jumping past the two merged tokens so occurrences never overlap:
``[a, a, a]`` with ``(a, a)`` gives ``[new, a]``.

``train(text, vocab_size)`` starts from the UTF-8 bytes of ``text`` (ids 0–255) and performs
``vocab_size − 256`` merges. Each step counts every adjacent pair of the *current* sequence
(every position, so ``a a a`` holds two ``(a, a)``), picks the most frequent one — ties go to
the pair whose first occurrence is earliest in the sequence — merges it into id ``256 + i``
and records it. It stops early only when fewer than two tokens remain (nothing to count).

Counts are recomputed from scratch after each merge, which is O(len · merges) but obviously
correct, which is what an oracle is for.

``check(entry, got, want, inputs)`` is the grader's comparison for both entry points (exact,
with the first difference in words).
"""

from __future__ import annotations

from typing import Any


def merge(ids: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """Return a new list with every non-overlapping occurrence of ``pair`` (left to right)
    replaced by ``new_id``; ``ids`` is not modified."""
    first, second = pair
    out: list[int] = []
    i = 0
    n = len(ids)
    while i < n:
        if i + 1 < n and ids[i] == first and ids[i + 1] == second:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def _most_frequent_pair(ids: list[int]) -> tuple[int, int]:
    """The most frequent adjacent pair; ties go to the pair that occurs first."""
    counts: dict[tuple[int, int], int] = {}
    first_seen: dict[tuple[int, int], int] = {}
    for pos, pair in enumerate(zip(ids, ids[1:], strict=False)):
        counts[pair] = counts.get(pair, 0) + 1
        first_seen.setdefault(pair, pos)
    return min(counts, key=lambda p: (-counts[p], first_seen[p]))


def train(text: str, vocab_size: int) -> list[tuple[int, int]]:
    """Learn ``vocab_size − 256`` byte-level BPE merges on ``text``; return them in order.

    Merge i creates token id ``256 + i``. Stops early only when fewer than two tokens remain.
    """
    ids = list(text.encode("utf-8"))
    merges: list[tuple[int, int]] = []
    for i in range(max(0, vocab_size - 256)):
        if len(ids) < 2:
            break
        pair = _most_frequent_pair(ids)
        ids = merge(ids, pair, 256 + i)
        merges.append(pair)
    return merges


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, int):
        return "an int"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, tuple):
        return "a tuple"
    if value is None:
        return "None"
    return f"a {type(value).__module__}.{type(value).__qualname__}".replace("builtins.", "")


def check(entry: str, got: Any, want: Any, inputs: dict[str, Any]) -> str | None:
    """The grader's comparison for both entry points (drill.yaml: `compare: check`): the
    token list (merge) or the merge list (train) must equal the reference's exactly; the
    message says where they first differ. None when `got` is right."""
    del inputs  # the answer alone decides
    if not isinstance(got, list):
        return f"returned {_kind(got)}, expected a list"
    pairs = entry == "train"
    values: list[Any] = []
    for i, item in enumerate(got):
        if pairs:
            if not isinstance(item, tuple):
                return f"item {i} is {_kind(item)}; return each merged pair as a tuple (a, b)"
            if len(item) != 2 or any(type(s) is not int for s in item):
                return f"item {i} is not a pair of ints"
        elif type(item) is not int:
            return f"item {i} is {_kind(item)}; token ids must be ints"
        values.append(item)
    if values == want:
        return None
    noun = "merges" if pairs else "tokens"
    for i, (g, w) in enumerate(zip(values, want, strict=False)):
        if g != w:
            agree = f"; the first {i} agree" if i else ""
            return (f"item {i} is {g}, expected {w}{agree} (returned {len(values)} {noun}, "
                    f"expected {len(want)})")
    i = min(len(values), len(want))
    extra = f"first missing: {want[i]}" if len(values) < len(want) else f"first extra: {values[i]}"
    return f"returned {len(values)} {noun}, expected {len(want)} ({extra})"
