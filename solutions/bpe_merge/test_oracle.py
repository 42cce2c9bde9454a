"""The bpe_merge oracle (reference.py) against independent formulations: torch's built-ins
where they exist, naive or closed-form re-derivations where they do not, hand-worked examples,
edge cases, half precision and gradients. Collected by pytest (testpaths include solutions/).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from quizapp.core.drills import load_module

bpe_ref = load_module(Path(__file__).with_name("reference.py"))

HALF_TOL = {torch.float16: 2e-3, torch.bfloat16: 1.6e-2, torch.float32: 2e-6}


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def randn(*shape: int, seed: int, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    return torch.randn(*shape, generator=gen(seed), dtype=torch.float64).to(dtype)


def assert_close_rel(actual: torch.Tensor, expected: torch.Tensor, rel: float) -> None:
    """|actual − expected| ≤ rel · (1 + |expected|) elementwise (float64 comparison)."""
    a, e = actual.double(), expected.double()
    assert a.shape == e.shape
    bound = rel * (1 + e.abs())
    err = (a - e).abs()
    assert torch.isfinite(a).all(), "non-finite output"
    assert (err <= bound).all(), f"max err {err.max().item():.3g}"


def naive_train(text: str, vocab_size: int) -> list[tuple[int, int]]:
    """An independent BPE: pairs found by scanning for each candidate's first index with
    list slicing, merges done by repeated str.replace on a token-id string encoding."""
    ids = list(text.encode("utf-8"))
    merges = []
    for new_id in range(256, vocab_size):
        if len(ids) < 2:
            break
        pairs = list(zip(ids, ids[1:], strict=False))
        best = max(pairs, key=lambda p: (pairs.count(p), -pairs.index(p)))
        merges.append(best)
        # Tokens as fixed-width fields so str.replace (left to right, non-overlapping) merges.
        enc = "".join(f"<{t}>" for t in ids)
        enc = enc.replace(f"<{best[0]}><{best[1]}>", f"<{new_id}>")
        ids = [int(t) for t in enc.strip("<>").split("><")]
    return merges


@pytest.mark.parametrize(
    ("ids", "pair", "new_id", "expected"),
    [
        ([1, 1, 1], (1, 1), 9, [9, 1]),
        ([1, 1, 1, 1], (1, 1), 9, [9, 9]),
        ([1, 2, 3, 1, 2], (1, 2), 7, [7, 3, 7]),
        ([2, 1], (1, 2), 7, [2, 1]),
        ([], (1, 2), 7, []),
        ([5], (5, 5), 7, [5]),
        ([3, 1, 2, 1, 2, 2], (1, 2), 300, [3, 300, 300, 2]),
    ],
)
def test_bpe_merge_examples(
    ids: list[int], pair: tuple[int, int], new_id: int, expected: list[int]
) -> None:
    original = list(ids)
    assert bpe_ref.merge(ids, pair, new_id) == expected
    assert ids == original


def test_bpe_train_wikipedia_example_and_early_stop() -> None:
    a, b, c, d = (ord(ch) for ch in "abcd")
    expected = [(a, a), (256, a), (257, b), (258, d), (259, 258), (260, a), (261, c)]
    # 11 bytes can take at most 10 merges, but 7 already leave a single token.
    assert bpe_ref.train("aaabdaaabac", 300) == expected
    assert bpe_ref.train("aaabdaaabac", 259) == expected[:3]


def test_bpe_train_ties_go_to_earliest_first_occurrence() -> None:
    # (z, a) and (a, b) tie at 2: the smallest pair (a, b) must not win.
    assert bpe_ref.train("zabzab", 257) == [(ord("z"), ord("a"))]
    # (a, b) and (b, c) tie at 2: the largest pair (b, c) must not win.
    assert bpe_ref.train("abcabc", 257) == [(ord("a"), ord("b"))]


def test_bpe_train_counts_overlapping_positions() -> None:
    # "abaaa": (a, a) occurs at overlapping positions 2 and 3 → count 2 beats (a, b) and
    # (b, a), which occur once each and earlier.
    assert bpe_ref.train("abaaa", 257) == [(ord("a"), ord("a"))]


@pytest.mark.parametrize(
    ("text", "vocab_size"),
    [
        ("大模型面试大模型", 270),
        ("the cat sat on the mat; the hat is flat", 290),
        ("aaaaaaaaaaaaaaaaab", 270),
        ("x", 300),
        ("", 260),
        ("hello", 256),
        ("hello", 100),
        ("注意力机制 attention 注意力 attention!", 300),
    ],
)
def test_bpe_train_matches_naive_implementation(text: str, vocab_size: int) -> None:
    merges = bpe_ref.train(text, vocab_size)
    assert merges == naive_train(text, vocab_size)
    assert len(merges) <= max(0, vocab_size - 256)
    assert all(isinstance(p, tuple) and len(p) == 2 for p in merges)


def test_bpe_train_chinese_first_merges_are_shared_characters() -> None:
    text = "大模型面试大模型"
    merges = bpe_ref.train(text, 256 + 8)
    # Replaying the merges on the bytes must rebuild 大模型 as one token used twice.
    ids = list(text.encode("utf-8"))
    for i, pair in enumerate(merges):
        ids = bpe_ref.merge(ids, pair, 256 + i)
    assert merges[0] == tuple("大".encode()[:2])
    # [大模型, 面 (3 bytes), 试 (3 bytes), 大模型]: 8 merges build the 9-byte word.
    assert ids[0] == ids[-1] == 263 and len(ids) == 8


def test_chinese_corpus_is_multi_byte() -> None:
    from quizapp.core.drills import build_inputs, load_drills

    text = build_inputs(load_drills()["bpe_merge"], "train", {"corpus": "chinese",
                                                              "length": 50}, 7).values["text"]
    assert len(text.encode()) > 2 * len(text)
