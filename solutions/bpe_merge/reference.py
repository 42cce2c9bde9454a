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
"""

from __future__ import annotations


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
