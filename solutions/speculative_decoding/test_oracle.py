"""Independent checks of the ``speculative_decoding`` oracle.

- Exact distribution check (the paper's theorem, Leviathan et al. 2023 §3 / Appendix A.1):
  with draft tokens drawn from q and uniform u's, each emitted token is distributed as the
  target's p. The oracle is a piecewise-constant function of (draft, u_accept, u_resample),
  so the expectation is computed exactly by evaluating it once per piece (draft tokens
  weighted by q, u's at the midpoints of the intervals between every possible breakpoint)
  instead of by sampling.
- The acceptance rate equals Σ min(p, q) (the paper's β).
- Hand-computed cases.
- The timing baseline against the oracle.
"""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path
from types import ModuleType

import pytest
import torch

HERE = Path(__file__).resolve().parent


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_spec_{name}", HERE / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ref = _load("reference")


def _pieces(breaks: list[float]) -> list[tuple[float, float]]:
    """(midpoint, length) of the intervals of [0, 1) cut at `breaks`."""
    cuts = sorted({0.0, 1.0, *(b for b in breaks if 0.0 < b < 1.0)})
    return [((lo + hi) / 2, hi - lo) for lo, hi in itertools.pairwise(cuts)]


def _exact_law(q: torch.Tensor, p: torch.Tensor) -> dict[tuple[int, ...], float]:
    """P(output = tokens) over draft ~ q and uniform u's, exactly."""
    gamma, vocab = q.shape
    resample_breaks: list[float] = []
    for i in range(gamma):
        r = (p[i] - q[i]).clamp_min(0)
        if float(r.sum()) > 0:
            resample_breaks += torch.cumsum(r / r.sum(), 0).tolist()
    resample_breaks += torch.cumsum(p[gamma], 0).tolist()
    law: dict[tuple[int, ...], float] = {}
    for draft in itertools.product(range(vocab), repeat=gamma):
        w_draft = 1.0
        for i, x in enumerate(draft):
            w_draft *= float(q[i, x])
        if w_draft == 0.0:
            continue
        ratios = [min(1.0, float(p[i, x] / q[i, x])) for i, x in enumerate(draft)]
        accept_pieces = [_pieces([r]) for r in ratios]
        for ua_choice in itertools.product(*accept_pieces):
            w_accept = 1.0
            for _, length in ua_choice:
                w_accept *= length
            for ur, length in _pieces(resample_breaks):
                out = ref.verify(torch.tensor(draft), q, p,
                                 torch.tensor([m for m, _ in ua_choice]), torch.tensor(ur))
                key = tuple(out)
                law[key] = law.get(key, 0.0) + w_draft * w_accept * length
    return law


def _random_rows(rows: int, vocab: int, seed: int, zero: bool = False) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    probs = torch.softmax(torch.randn(rows, vocab, generator=g, dtype=torch.float64) * 1.2, -1)
    if zero:
        probs[:, 0] = 0.0  # the target never wants token 0
        probs /= probs.sum(-1, keepdim=True)
    return probs


@pytest.mark.parametrize("gamma,vocab,zero", [(1, 4, False), (2, 3, False), (2, 3, True)])
def test_emitted_tokens_follow_the_target(gamma: int, vocab: int, zero: bool) -> None:
    q = _random_rows(gamma, vocab, 10 + gamma)
    p = _random_rows(gamma + 1, vocab, 20 + gamma, zero=zero)
    law = _exact_law(q, p)
    assert abs(sum(law.values()) - 1.0) < 1e-12
    for position in range(gamma + 1):
        # P(token at `position` = t | the output reaches `position`) must be p[position, t].
        reach = sum(w for out, w in law.items() if len(out) > position)
        for t in range(vocab):
            got = sum(w for out, w in law.items() if len(out) > position and out[position] == t)
            assert got / reach == pytest.approx(float(p[position, t]), abs=1e-12)


def test_acceptance_rate_is_the_overlap_of_p_and_q() -> None:
    q = _random_rows(1, 5, 3)
    p = _random_rows(2, 5, 4)
    law = _exact_law(q, p)
    accepted = sum(w for out, w in law.items() if len(out) == 2)
    assert accepted == pytest.approx(float(torch.minimum(p[0], q[0]).sum()), abs=1e-12)


def test_hand_computed_rejection_and_bonus() -> None:
    q = torch.tensor([[0.6, 0.3, 0.1]], dtype=torch.float64)
    p = torch.tensor([[0.3, 0.5, 0.2], [0.2, 0.2, 0.6]], dtype=torch.float64)
    draft = torch.tensor([0])
    # ratio p/q at token 0 = 0.5. u = 0.7 ≥ 0.5: rejected; residual max(0, p − q) =
    # [0, 0.2, 0.1] → [0, 2/3, 1/3], CDF [0, 0.667, 1]: u_resample 0.4 → token 1.
    assert ref.verify(draft, q, p, torch.tensor([0.7]), torch.tensor(0.4)) == [1]
    # u = 0.2 < 0.5: accepted; the bonus comes from p[1], CDF [0.2, 0.4, 1.0]: 0.45 → 2.
    assert ref.verify(draft, q, p, torch.tensor([0.2]), torch.tensor(0.45)) == [0, 2]


def test_returns_python_ints_and_leaves_inputs_alone() -> None:
    q = _random_rows(3, 6, 5).float()
    p = _random_rows(4, 6, 6).float()
    args = (torch.tensor([1, 2, 3]), q, p, torch.tensor([0.1, 0.2, 0.3]), torch.tensor(0.5))
    before = [a.clone() for a in args]
    out = ref.verify(*args)
    assert isinstance(out, list) and all(type(t) is int for t in out)
    assert 1 <= len(out) <= 4
    assert all(torch.equal(a, b) for a, b in zip(args, before, strict=True))


def test_bench_baseline_agrees_with_the_oracle() -> None:
    g = torch.Generator().manual_seed(7)
    for trial in range(20):
        q = _random_rows(5, 50, 100 + trial).float()
        p = _random_rows(6, 50, 200 + trial).float()
        draft = torch.multinomial(q, 1, generator=g).reshape(-1)
        ua = torch.rand(5, generator=g, dtype=torch.float64)
        ur = torch.rand((), generator=g, dtype=torch.float64)
        assert ref.BENCH_BASELINES["verify"](draft, q, p, ua, ur) == \
            ref.verify(draft, q, p, ua, ur)
