"""Inputs of the bpe_merge drill's cases (plain Python: lists of ints, strings).

merge: `ids` given, or `length` random ids below `alphabet`; `pair` given, or (auto) the most
frequent adjacent pair. train: `text` given, or a generated corpus of `length` characters —
English words, Chinese words (multi-byte UTF-8), a mix, a repetitive "abab…" run (overlapping
pairs), or ten distinct letters in which every pair ties.
"""

from __future__ import annotations

import random
from typing import Any

from quizapp.core.drills.builders import CaseInputs

_EN_WORDS = ("the", "model", "token", "attention", "head", "layer", "norm", "merge", "pair",
             "byte", "learns", "a", "of", "to", "and", "in", "is", "low", "lower", "lowest",
             "new", "newer", "newest", "wide", "wider", "interview", "kernel", "cache")
_ZH_WORDS = ("注意力", "模型", "分词", "字节", "合并", "训练", "大模型", "面试", "推理", "缓存",
             "的", "是", "在", "和", "我们", "词表", "编码", "层", "归一化", "梯度")


def _corpus(kind: str, length: int, rng: random.Random) -> str:
    if kind == "repetitive":
        unit = "ab" if length % 2 == 0 else "aba"
        return (unit * (length // len(unit) + 1))[:length]
    if kind == "ties":
        # Every pair occurs equally often: ties must go to the earliest first occurrence.
        letters = list("zyxwvutsrq")
        rng.shuffle(letters)
        return "".join(letters)[: max(2, min(length, 10))]
    parts: list[str] = []
    size = 0
    while size < length:
        if kind == "english":
            word = rng.choice(_EN_WORDS) + " "
        elif kind == "chinese":
            word = rng.choice(_ZH_WORDS) + ("，" if rng.random() < 0.1 else "")
        else:
            word = rng.choice(_ZH_WORDS + _EN_WORDS) + rng.choice(("", " ", "。"))
        parts.append(word)
        size += len(word)
    return "".join(parts)[:length]


def merge(p: dict[str, Any], seed: int) -> CaseInputs:
    rng = random.Random(seed)
    if p["ids"] is not None:
        ids = list(p["ids"])
    else:
        ids = [rng.randrange(p["alphabet"]) for _ in range(p["length"])]
    if p["pair"] == "auto":
        counts: dict[tuple[int, int], int] = {}
        for pair in zip(ids, ids[1:], strict=False):
            counts[pair] = counts.get(pair, 0) + 1
        pair = max(counts, key=counts.__getitem__) if counts else (1, 2)
    else:
        pair = (p["pair"][0], p["pair"][1])
    return CaseInputs({"ids": ids, "pair": pair, "new_id": p["new_id"]})


def train(p: dict[str, Any], seed: int) -> CaseInputs:
    text = p["text"] if p["text"] is not None else _corpus(p["corpus"], p["length"],
                                                          random.Random(seed))
    return CaseInputs({"text": text, "vocab_size": p["vocab_size"]})
