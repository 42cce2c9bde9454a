"""Independent checks of the ``sampling`` oracle (solutions/sampling/reference.py).

- Hugging Face's own warpers, when ``transformers`` is importable (it is not a dependency of
  this project, so the test is skipped with that reason where it is absent);
- hand-computed cases for every rule of the contract (each number worked out in a comment);
- the inverse CDF against the distribution it samples: over an even grid of u, each token is
  drawn with a frequency within one grid step of its probability;
- the timing baseline against the oracle.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
import torch

HERE = Path(__file__).resolve().parent
NEG_INF = float("-inf")


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_sampling_{name}", HERE / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ref = _load("reference")


def _kept(row: torch.Tensor) -> list[int]:
    return torch.nonzero(torch.isfinite(row)).reshape(-1).tolist()


def _logits(probs: list[float]) -> torch.Tensor:
    return torch.tensor([probs], dtype=torch.float64).log()


def test_matches_hugging_face_warpers() -> None:
    transformers = pytest.importorskip(
        "transformers", reason="transformers is not installed (not a project dependency); "
        "the hand-computed cases below check the same rules")
    from transformers.generation.logits_process import (  # type: ignore[import-not-found]
        LogitsProcessorList,
        MinPLogitsWarper,
        TemperatureLogitsWarper,
        TopKLogitsWarper,
        TopPLogitsWarper,
    )

    del transformers
    g = torch.Generator().manual_seed(0)
    for t, k, p, m in [(0.7, 20, 0.9, 0.05), (1.3, 5, 0.6, 0.0), (1.0, 0, 0.8, 0.1)]:
        logits = torch.randn(4, 50, generator=g) * 2.5 + 6
        chain = LogitsProcessorList([TemperatureLogitsWarper(t)]
                                    + ([TopKLogitsWarper(k)] if k else [])
                                    + [TopPLogitsWarper(p)]
                                    + ([MinPLogitsWarper(m)] if m else []))
        want = chain(torch.zeros(4, 1, dtype=torch.long), logits.clone())
        got = ref.warp(logits, temperature=t, top_k=k, top_p=p, min_p=m)
        assert torch.equal(torch.isinf(got), torch.isinf(want))
        finite = torch.isfinite(want)
        torch.testing.assert_close(got[finite], want[finite].float())


def test_top_p_keeps_the_crossing_token() -> None:
    # p = [0.5, 0.3, 0.15, 0.05]; masses before each token: 0, 0.5, 0.8, 0.95.
    logits = _logits([0.5, 0.3, 0.15, 0.05])
    assert _kept(ref.warp(logits, top_p=0.7)[0]) == [0, 1]       # 0.3 crosses 0.7: kept
    assert _kept(ref.warp(logits, top_p=0.85)[0]) == [0, 1, 2]   # 0.8 < 0.85
    assert _kept(ref.warp(logits, top_p=0.4)[0]) == [0]          # 0.5 alone reaches 0.4
    assert _kept(ref.warp(logits, top_p=1e-9)[0]) == [0]         # never empty


def test_top_p_works_in_probability_order_not_index_order() -> None:
    # p = [0.1, 0.6, 0.3]: sorted 0.6, 0.3, 0.1 with masses before 0, 0.6, 0.9.
    assert _kept(ref.warp(_logits([0.1, 0.6, 0.3]), top_p=0.8)[0]) == [1, 2]


def test_top_k_keeps_ties_with_the_kth() -> None:
    logits = torch.tensor([[3.0, 1.0, 2.0, 2.0, 0.0]])
    assert _kept(ref.warp(logits, top_k=3)[0]) == [0, 2, 3]
    assert _kept(ref.warp(logits, top_k=2)[0]) == [0, 2, 3]      # the 2nd largest is tied
    assert _kept(ref.warp(logits, top_k=1)[0]) == [0]
    assert _kept(ref.warp(logits, top_k=5)[0]) == [0, 1, 2, 3, 4]
    assert _kept(ref.warp(logits, top_k=9)[0]) == [0, 1, 2, 3, 4]  # k > V keeps all


def test_temperature_comes_before_top_p() -> None:
    # p = [0.6, 0.3, 0.1]. At T = 1, top_p 0.75 keeps two (mass before the 2nd: 0.6).
    # At T = 0.5 p ∝ p² = [0.36, 0.09, 0.01] / 0.46 = [0.7826, 0.1957, 0.0217]:
    # the mass before the 2nd is 0.7826 ≥ 0.75, so only the first stays.
    logits = _logits([0.6, 0.3, 0.1])
    assert _kept(ref.warp(logits, top_p=0.75)[0]) == [0, 1]
    assert _kept(ref.warp(logits, temperature=0.5, top_p=0.75)[0]) == [0]


def test_top_p_renormalises_after_top_k() -> None:
    # p = [0.4, 0.3, 0.2, 0.1]; top-k 2 leaves [4/7, 3/7]; the mass before the 2nd is
    # 0.571 ≥ 0.5, so top_p 0.5 keeps one token (with stale probabilities: 0.4 < 0.5, two).
    logits = _logits([0.4, 0.3, 0.2, 0.1])
    assert _kept(ref.warp(logits, top_k=2, top_p=0.5)[0]) == [0]


def test_min_p_is_relative_to_the_largest_probability() -> None:
    # threshold 0.2 · 0.50 = 0.10: 0.50, 0.25, 0.12 stay (the follow-up question's numbers).
    logits = _logits([0.50, 0.25, 0.12, 0.08, 0.05]) + 7.0  # shifting logits changes nothing
    assert _kept(ref.warp(logits, min_p=0.2)[0]) == [0, 1, 2]
    # min_p 0.4 → threshold 0.20: 0.50 and 0.25 stay, 0.12 goes.
    assert _kept(ref.warp(logits, min_p=0.4)[0]) == [0, 1]


def test_warp_returns_float32_tempered_logits_and_leaves_inputs_alone() -> None:
    logits = torch.tensor([[4.0, 2.0, -1.0, NEG_INF]], dtype=torch.float16)
    before = logits.clone()
    out = ref.warp(logits, temperature=2.0)
    assert out.dtype == torch.float32
    assert out.tolist() == [[2.0, 1.0, -0.5, NEG_INF]]
    assert torch.equal(logits, before)


def test_sample_inverse_cdf_by_hand() -> None:
    # p = [0.1, 0.2, 0.3, 0.4]: CDF 0.1, 0.3, 0.6, 1.0.
    logits = _logits([0.1, 0.2, 0.3, 0.4]).expand(4, 4)
    u = torch.tensor([0.05, 0.15, 0.35, 0.95], dtype=torch.float64)
    assert ref.sample(logits, u).tolist() == [0, 1, 2, 3]


def test_sample_skips_removed_tokens() -> None:
    # p = [0, 0.5, 0, 0.5]: u = 0.2 → 1, u = 0.7 → 3; top_k 1 keeps index 1 (first max).
    logits = torch.tensor([[NEG_INF, 0.0, NEG_INF, 0.0]] * 2)
    u = torch.tensor([0.2, 0.7], dtype=torch.float64)
    assert ref.sample(logits, u).tolist() == [1, 3]
    assert ref.sample(logits, u, top_k=1).tolist() == [1, 3]  # ties with the k-th stay


def test_greedy_takes_the_lowest_index_among_ties() -> None:
    logits = torch.tensor([[1.0, 3.0, 3.0, 2.0], [5.0, 0.0, 5.0, 5.0]])
    u = torch.tensor([0.99, 0.99], dtype=torch.float64)
    out = ref.sample(logits, u, temperature=0.0, top_k=1, top_p=0.1)
    assert out.tolist() == [1, 0]
    assert out.dtype == torch.int64


def test_sample_frequencies_match_the_warped_distribution() -> None:
    g = torch.Generator().manual_seed(1)
    logits = torch.randn(1, 12, generator=g, dtype=torch.float64) * 1.5
    settings = {"temperature": 0.8, "top_k": 8, "top_p": 0.9}
    probs = torch.softmax(ref.warp(logits, **settings).double(), -1)[0]
    n = 4000
    u = (torch.arange(n, dtype=torch.float64) + 0.5) / n
    draws = ref.sample(logits.expand(n, 12), u, **settings)
    freq = torch.bincount(draws, minlength=12).double() / n
    assert float((freq - probs).abs().max()) <= 1.0 / n + 1e-12


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_bench_baselines_agree_with_the_oracle(dtype: torch.dtype) -> None:
    g = torch.Generator().manual_seed(2)
    logits = (torch.randn(6, 300, generator=g) * 2 + 5).to(dtype)
    u = torch.rand(6, generator=g, dtype=torch.float64)
    settings = {"temperature": 0.9, "top_k": 40, "top_p": 0.85, "min_p": 0.02}
    want = ref.warp(logits, **settings)
    got = ref.BENCH_BASELINES["warp"](logits, **settings)
    assert torch.equal(torch.isinf(got), torch.isinf(want))
    assert torch.equal(ref.BENCH_BASELINES["sample"](logits, u, **settings),
                       ref.sample(logits, u, **settings))
