"""Independent checks of the ``beam_search`` oracle.

- Brute force: with a beam wide enough to hold every sequence, beam search explores them
  all, so its result must be every complete sequence (eos-terminated, or of length
  max_new_tokens) scored by enumeration and sorted — on a tiny vocabulary.
- beam_size 1 is greedy decoding, written independently.
- Hand-worked cases of HF's rule: a lower-ranked eos is dropped and the live set refilled;
  ties in a uniform model; early stopping discards live beams.
- ``check()`` accepts right answers and names what is wrong in wrong ones.
- The timing baseline against the oracle.
"""

from __future__ import annotations

import importlib.util
import itertools
import math
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
import torch

HERE = Path(__file__).resolve().parent


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_beam_{name}", HERE / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ref = _load("reference")
LogProbs = Callable[[torch.Tensor], torch.Tensor]


def _bigram_model(vocab: int, seed: int) -> LogProbs:
    """Next-token log-probs depend on the last token and the prefix length."""
    g = torch.Generator().manual_seed(seed)
    table = torch.log_softmax(torch.randn(vocab, vocab, generator=g, dtype=torch.float64) * 2,
                              -1)
    drift = torch.randn(16, vocab, generator=g, dtype=torch.float64) * 0.3

    def fn(prefixes: torch.Tensor) -> torch.Tensor:
        length = prefixes.shape[1]
        return torch.log_softmax(table[prefixes[:, -1]] + drift[length], -1)

    return fn


def _sequence_logprob(fn: LogProbs, bos: int, tokens: list[int]) -> float:
    total = 0.0
    prefix = [bos]
    for t in tokens:
        total += float(fn(torch.tensor([prefix]))[0, t])
        prefix.append(t)
    return total


@pytest.mark.parametrize("alpha", [0.0, 1.0, 2.0, -1.0])
def test_a_beam_wide_enough_finds_every_sequence(alpha: float) -> None:
    vocab, eos, bos, steps = 3, 2, 0, 3
    fn = _bigram_model(vocab, seed=11)
    words = [t for t in range(vocab) if t != eos]
    complete: list[tuple[list[int], float]] = []
    for n in range(steps):  # n non-eos tokens, then eos
        for body in itertools.product(words, repeat=n):
            seq = [*body, eos]
            complete.append((seq, _sequence_logprob(fn, bos, seq) / len(seq) ** alpha))
    for body in itertools.product(words, repeat=steps):  # unfinished at max_new_tokens
        seq = list(body)
        complete.append((seq, _sequence_logprob(fn, bos, seq) / steps ** alpha))
    # 1 + 2 + 4 finished and 8 unfinished sequences; a beam of 27 never stops early.
    got = ref.beam_search(fn, bos, eos, 27, steps, length_penalty=alpha)
    want = sorted(complete, key=lambda h: -h[1])
    assert [h[0] for h in got] == [h[0] for h in want]
    for (_, s_got), (_, s_want) in zip(got, want, strict=True):
        assert s_got == pytest.approx(s_want, rel=1e-12, abs=1e-12)


def test_beam_size_one_is_greedy() -> None:
    vocab, eos, bos = 6, 1, 0
    for seed in range(5):
        fn = _bigram_model(vocab, seed=seed)
        prefix, total = [bos], 0.0
        for _ in range(8):
            scores = fn(torch.tensor([prefix]))[0]
            t = int(torch.argmax(scores))
            total += float(scores[t])
            prefix.append(t)
            if t == eos:
                break
        tokens = prefix[1:]
        assert ref.beam_search(fn, bos, eos, 1, 8, length_penalty=1.0) == \
            [(tokens, pytest.approx(total / len(tokens), rel=1e-12))]


def _table_model(rows: dict[tuple[int, ...], list[float]]) -> LogProbs:
    def fn(prefixes: torch.Tensor) -> torch.Tensor:
        return torch.tensor([rows[tuple(p)] for p in prefixes.tolist()], dtype=torch.float64)

    return fn


def test_lower_ranked_eos_is_dropped_and_live_set_refilled() -> None:
    # V = 4, eos = 3, bos = 0, beam 2, two steps, α = 1.
    # Step 1 from [0]: scores [−3, −1, −2, −1.5] → ranking 1 (−1), eos (−1.5), 2 (−2), 0 (−3).
    #   eos has rank 1 < 2: finished ([3], −1.5 / 1); live [1] (−1), [2] (−2).
    # Step 2: from [0,1] (cum −1): [−9, −9, −0.5, −0.25]; from [0,2] (cum −2):
    #   [−0.5, −9, −9, −0.3]. Ranking: (b0, eos) −1.25, (b0, 2) −1.5, (b1, eos) −2.3,
    #   (b1, 0) −2.5, ... (b0, eos) has rank 0 → finished ([1, 3], −1.25 / 2 = −0.625);
    #   (b1, eos) has rank 2 ≥ 2 → dropped (finishing it would give [2, 3], −1.15, second
    #   best); live: [1, 2] (−1.5), then [2, 0] (−2.5) refills the set. Two finished → stop.
    fn = _table_model({
        (0,): [-3.0, -1.0, -2.0, -1.5],
        (0, 1): [-9.0, -9.0, -0.5, -0.25],
        (0, 2): [-0.5, -9.0, -9.0, -0.3],
    })
    assert ref.beam_search(fn, 0, 3, 2, 2) == [([1, 3], -0.625), ([3], -1.5)]


def test_early_stopping_drops_live_beams() -> None:
    # Step 1 from [0]: [−1, −0.5, −0.1] with eos = 2: eos rank 0 → finished ([2], −0.1),
    # live [1]. One finished = beam_size → stop: the live beam [1] is not returned, and the
    # model is never asked about [0, 1].
    fn = _table_model({(0,): [-1.0, -0.5, -0.1]})
    assert ref.beam_search(fn, 0, 2, 1, 3, length_penalty=2.0) == [([2], -0.1)]


def test_uniform_model_breaks_ties_by_beam_then_token() -> None:
    # Every token scores −3. Step 1: tokens in id order 0, 1, eos 2 (rank 2 < 3 → finished
    # [2], −3/1), live 0, 1, 3. Step 2: beam 0's tokens rank first: 0, 1, eos (rank 2) →
    # finished [0, 2] (−6/2), live [0,0], [0,1], [0,3]. Step 3 → [0, 0, 2] (−9/3): three
    # finished, all −3.0, kept in the order they were made.
    def fn(prefixes: torch.Tensor) -> torch.Tensor:
        return torch.full((prefixes.shape[0], 6), -3.0, dtype=torch.float64)

    assert ref.beam_search(fn, 0, 2, 3, 4) == [([2], -3.0), ([0, 2], -3.0), ([0, 0, 2], -3.0)]


def test_check_hook() -> None:
    want = [([4, 1], -0.5), ([3], -0.75)]
    assert ref.check("beam_search", [([4, 1], -0.5), ([3], -0.75)], want, {}) is None
    assert ref.check("beam_search", [[[4, 1], -0.5 + 1e-9], ([3], -0.75)], want, {}) is None
    assert ref.check("beam_search", [([4, 1], torch.tensor(-0.5)), ([3], -0.75)], want,
                     {}) is None
    assert "hypothesis 1" in ref.check("beam_search", [([4, 1], -0.5), ([2], -0.75)], want, {})
    assert "score" in ref.check("beam_search", [([4, 1], -0.6), ([3], -0.75)], want, {})
    assert "expected 2" in ref.check("beam_search", want[:1], want, {})
    assert "list of ints" in ref.check("beam_search", [([4.0, 1.0], -0.5), ([3], -0.75)],
                                       want, {})
    assert ref.check("beam_search", torch.zeros(2), want, {}) is not None
    assert ref.check("beam_search", [([4, 1], math.nan), ([3], -0.75)], want, {}) is not None


def test_bench_baseline_agrees_with_the_oracle() -> None:
    for seed in range(4):
        fn = _bigram_model(12, seed=50 + seed)
        for alpha in (0.0, 1.0, 2.0):
            want = ref.beam_search(fn, 0, 1, 4, 9, length_penalty=alpha)
            got = ref.BENCH_BASELINES["beam_search"](fn, 0, 1, 4, 9, length_penalty=alpha)
            assert ref.check("beam_search", got, want, {}) is None
