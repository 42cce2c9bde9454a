"""The softmax_merge oracle (reference.py) against independent formulations: torch's built-ins
where they exist, naive or closed-form re-derivations where they do not, hand-worked examples,
edge cases, half precision and gradients. Collected by pytest (testpaths include solutions/).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

from quizapp.core.drills import load_module

merge_ref = load_module(Path(__file__).with_name("reference.py"))

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


def state_of(scores: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """The exact (m, l, o) of a block, straight from the definition."""
    m = scores.max(dim=-1).values
    p = torch.exp(scores - m.unsqueeze(-1))
    return m, p.sum(-1), p @ v


def empty_state(
    *shape: int, d: int, dtype: torch.dtype = torch.float64
) -> tuple[torch.Tensor, ...]:
    return (
        torch.full(shape, float("-inf"), dtype=dtype),
        torch.zeros(shape, dtype=dtype),
        torch.zeros(*shape, d, dtype=dtype),
    )


@pytest.mark.parametrize("split", [1, 4, 9])
def test_merge_states_equals_state_of_union(split: int) -> None:
    s = randn(3, 5, 10, seed=40) * 4 + 2
    v = randn(3, 10, 6, seed=41)
    st1 = state_of(s[..., :split], v[:, :split])
    st2 = state_of(s[..., split:], v[:, split:])
    expected = state_of(s, v)
    for got, want in zip(merge_ref.merge_states(*st1, *st2), expected, strict=True):
        torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)
    # Merging is symmetric.
    for got, want in zip(merge_ref.merge_states(*st2, *st1), expected, strict=True):
        torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)


def test_merge_states_with_empty_states_never_nan() -> None:
    st = state_of(randn(4, 7, seed=42) + 3, randn(7, 5, seed=43))
    empty = empty_state(4, d=5)
    for got, want in zip(merge_ref.merge_states(*empty, *st), st, strict=True):
        torch.testing.assert_close(got, want, rtol=0, atol=0)
    for got, want in zip(merge_ref.merge_states(*st, *empty), st, strict=True):
        torch.testing.assert_close(got, want, rtol=0, atol=0)
    m, lsum, o = merge_ref.merge_states(*empty, *empty)
    assert torch.isneginf(m).all() and not lsum.any() and not o.any()
    # Rows 1 and 3 empty on the first side only.
    keep = torch.tensor([True, False, True, False])
    mixed = (
        torch.where(keep, st[0], empty[0]),
        torch.where(keep, st[1], empty[1]),
        torch.where(keep[:, None], st[2], empty[2]),
    )
    m, lsum, o = merge_ref.merge_states(*mixed, *empty)
    for got, want in zip((m, lsum, o), mixed, strict=True):
        torch.testing.assert_close(got, want, rtol=0, atol=0)


def test_merge_states_gradients_finite_with_empty_state() -> None:
    st = [t.clone().requires_grad_() for t in state_of(randn(3, 4, seed=44), randn(4, 2, seed=45))]
    empty = [t.clone().requires_grad_() for t in empty_state(3, d=2)]
    m, lsum, o = merge_ref.merge_states(*st, *empty)
    (m.sum() + lsum.sum() + o.sum()).backward()
    for t in st + empty[1:]:
        assert t.grad is not None and torch.isfinite(t.grad).all()
    torch.testing.assert_close(st[2].grad, torch.ones_like(st[2].grad))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_merge_states_low_precision_dtypes(dtype: torch.dtype) -> None:
    s = randn(6, 12, seed=46) * 5
    v = randn(12, 8, seed=47)
    st1 = [t.to(dtype) for t in state_of(s[:, :5], v[:5])]
    st2 = [t.to(dtype) for t in state_of(s[:, 5:], v[5:])]
    expected = merge_ref.merge_states(*[t.double() for t in st1], *[t.double() for t in st2])
    got = merge_ref.merge_states(*st1, *st2)
    for g, e in zip(got, expected, strict=True):
        assert g.dtype == dtype
        assert_close_rel(g, e, HALF_TOL[dtype])


def full_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    scores = q.double() @ k.double().transpose(-2, -1) / math.sqrt(q.shape[-1])
    return torch.softmax(scores, dim=-1) @ v.double()


@pytest.mark.parametrize("block_size", [1, 3, 8, 16, 64])
@pytest.mark.parametrize("shape", [(1, 1, 1), (2, 7, 16), (5, 16, 8), (13, 1, 4)])
def test_blockwise_attention_matches_full_softmax(
    block_size: int, shape: tuple[int, int, int]
) -> None:
    sq, sk, d = shape
    q, k, v = randn(2, sq, d, seed=48), randn(2, sk, d, seed=49), randn(2, sk, d, seed=50)
    torch.testing.assert_close(
        merge_ref.blockwise_attention(q, k, v, block_size),
        full_attention(q, k, v),
        rtol=1e-12,
        atol=1e-12,
    )


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_blockwise_attention_low_precision_and_large_logits(dtype: torch.dtype) -> None:
    q = (randn(2, 3, 9, 16, seed=51) * 8).to(dtype)
    k = (randn(2, 3, 21, 16, seed=52) * 8).to(dtype)
    v = randn(2, 3, 21, 16, seed=53).to(dtype)
    out = merge_ref.blockwise_attention(q, k, v, 4)
    assert out.dtype == dtype and out.shape == q.shape
    assert_close_rel(out, full_attention(q, k, v), HALF_TOL[dtype])


class LargestTensor(TorchDispatchMode):
    """Records the largest tensor any aten op produces while active."""

    def __init__(self) -> None:
        super().__init__()
        self.largest = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
        out = func(*args, **(kwargs or {}))
        for t in out if isinstance(out, (tuple, list)) else (out,):
            if isinstance(t, torch.Tensor):
                self.largest = max(self.largest, t.numel())
        return out


def test_blockwise_attention_never_holds_the_full_score_matrix() -> None:
    sq, sk, d, block = 64, 512, 4, 16
    q, k, v = randn(sq, d, seed=54), randn(sk, d, seed=55), randn(sk, d, seed=56)
    with LargestTensor() as probe:
        out = merge_ref.blockwise_attention(q, k, v, block)
    assert probe.largest <= max(sq * block, sk * d)
    assert probe.largest < sq * sk // 4
    torch.testing.assert_close(out, full_attention(q, k, v), rtol=1e-12, atol=1e-12)


def test_blockwise_attention_gradients_match_full_attention() -> None:
    base = [randn(2, 6, 8, seed=57), randn(2, 11, 8, seed=58), randn(2, 11, 8, seed=59)]
    mine = [t.clone().requires_grad_() for t in base]
    theirs = [t.clone().requires_grad_() for t in base]
    merge_ref.blockwise_attention(*mine, 4).sin().sum().backward()
    full_attention(*theirs).sin().sum().backward()
    for a, b in zip(mine, theirs, strict=True):
        torch.testing.assert_close(a.grad, b.grad, rtol=1e-10, atol=1e-10)


def test_empty_states_are_generated() -> None:
    from quizapp.core.drills import build_inputs, load_drills

    states = build_inputs(load_drills()["softmax_merge"], "merge_states", {"empty": "both"},
                          1).values
    assert bool(torch.isneginf(states["m1"]).all()) and float(states["l2"].abs().sum()) == 0.0
