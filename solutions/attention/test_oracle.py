"""The attention oracle (reference.py) against independent formulations: torch's built-ins
where they exist, naive or closed-form re-derivations where they do not, hand-worked examples,
edge cases, half precision and gradients. Collected by pytest (testpaths include solutions/).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from quizapp.core.drills import load_module

attention_ref = load_module(Path(__file__).with_name("reference.py"))

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


ATTN_SHAPES = [
    # (B, H, Sq, Sk, D)
    (1, 1, 1, 1, 1),
    (1, 1, 1, 7, 16),
    (2, 3, 5, 5, 8),
    (2, 2, 13, 9, 32),
    (1, 4, 17, 17, 64),
]


@pytest.mark.parametrize("shape", ATTN_SHAPES)
def test_attention_matches_sdpa_float64(shape: tuple[int, ...]) -> None:
    b, h, sq, sk, d = shape
    q, k, v = randn(b, h, sq, d, seed=1), randn(b, h, sk, d, seed=2), randn(b, h, sk, d, seed=3)
    expected = F.scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(attention_ref.attention(q, k, v), expected, rtol=1e-12, atol=1e-12)
    if sq == sk:
        expected = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        out = attention_ref.attention(q, k, v, is_causal=True)
        torch.testing.assert_close(out, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mask_shape", [(9, 11), (2, 1, 1, 11), (2, 3, 9, 11), (1, 3, 9, 1)])
def test_attention_bool_mask_broadcasts_like_sdpa(mask_shape: tuple[int, ...]) -> None:
    q, k, v = randn(2, 3, 9, 8, seed=4), randn(2, 3, 11, 8, seed=5), randn(2, 3, 11, 8, seed=6)
    mask = torch.rand(*mask_shape, generator=gen(7)) > 0.4
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    out = attention_ref.attention(q, k, v, mask=mask)
    torch.testing.assert_close(out, expected, rtol=1e-12, atol=1e-12)


def test_attention_fully_masked_rows_are_zero_with_finite_grads() -> None:
    q = randn(1, 2, 4, 8, seed=8).requires_grad_()
    k = randn(1, 2, 6, 8, seed=9).requires_grad_()
    v = randn(1, 2, 6, 8, seed=10).requires_grad_()
    mask = torch.ones(4, 6, dtype=torch.bool)
    mask[2] = False
    out = attention_ref.attention(q, k, v, mask=mask)
    assert torch.equal(out[:, :, 2], torch.zeros_like(out[:, :, 2]))
    assert out[:, :, [0, 1, 3]].abs().sum() > 0
    out.sum().backward()
    for t in (q, k, v):
        assert t.grad is not None and torch.isfinite(t.grad).all()
    assert torch.equal(q.grad[:, :, 2], torch.zeros_like(q.grad[:, :, 2]))
    # Every key masked for every query: the whole output is zeros.
    none = torch.zeros(4, 6, dtype=torch.bool)
    assert torch.equal(
        attention_ref.attention(q, k, v, mask=none), torch.zeros(1, 2, 4, 8, dtype=q.dtype)
    )


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_attention_low_precision_dtype_and_accuracy(dtype: torch.dtype) -> None:
    q = randn(2, 2, 10, 32, seed=11, dtype=dtype)
    k = randn(2, 2, 10, 32, seed=12, dtype=dtype)
    v = randn(2, 2, 10, 32, seed=13, dtype=dtype)
    for causal in (False, True):
        out = attention_ref.attention(q, k, v, is_causal=causal)
        assert out.dtype == dtype and out.shape == q.shape
        # The float64 SDPA of the same (rounded) inputs, rounded once: the oracle must be
        # within one rounding of it.
        expected = F.scaled_dot_product_attention(
            q.double(), k.double(), v.double(), is_causal=causal
        )
        assert_close_rel(out, expected, HALF_TOL[dtype])


def test_attention_extreme_logits_are_stable() -> None:
    q = randn(1, 1, 6, 16, seed=14) * 300
    k = randn(1, 1, 6, 16, seed=15) * 300
    v = randn(1, 1, 6, 16, seed=16)
    out = attention_ref.attention(q.float(), k.float(), v.float())
    assert torch.isfinite(out).all()
    expected = F.scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(out.double(), expected, rtol=1e-5, atol=1e-5)


def test_attention_gradients_match_sdpa() -> None:
    base = [randn(2, 2, 7, 8, seed=s) for s in (17, 18, 19)]
    mask = torch.rand(7, 7, generator=gen(20)) > 0.3
    for kwargs in ({}, {"is_causal": True}, {"mask": mask}):
        mine = [t.clone().requires_grad_() for t in base]
        theirs = [t.clone().requires_grad_() for t in base]
        grad_out = randn(2, 2, 7, 8, seed=21)
        (attention_ref.attention(*mine, **kwargs) * grad_out).sum().backward()
        sdpa_kwargs = {"attn_mask": kwargs["mask"]} if "mask" in kwargs else kwargs
        (F.scaled_dot_product_attention(*theirs, **sdpa_kwargs) * grad_out).sum().backward()
        for a, b in zip(mine, theirs, strict=True):
            torch.testing.assert_close(a.grad, b.grad, rtol=1e-10, atol=1e-10)


def test_attention_half_precision_gradients_flow_in_input_dtype() -> None:
    q, k, v = (
        randn(1, 2, 5, 16, seed=s, dtype=torch.bfloat16).requires_grad_() for s in (22, 23, 24)
    )
    attention_ref.attention(q, k, v, is_causal=True).float().square().sum().backward()
    for t in (q, k, v):
        assert t.grad is not None and t.grad.dtype == torch.bfloat16
        assert torch.isfinite(t.grad).all() and t.grad.abs().sum() > 0


def test_attention_does_not_modify_inputs_and_rejects_undefined_combinations() -> None:
    q, k, v = randn(1, 1, 4, 8, seed=25), randn(1, 1, 4, 8, seed=26), randn(1, 1, 4, 8, seed=27)
    mask = torch.ones(4, 4, dtype=torch.bool)
    copies = [t.clone() for t in (q, k, v, mask)]
    attention_ref.attention(q, k, v, mask=mask)
    for t, c in zip((q, k, v, mask), copies, strict=True):
        assert torch.equal(t, c)
    with pytest.raises(ValueError, match="not both"):
        attention_ref.attention(q, k, v, mask=mask, is_causal=True)
    with pytest.raises(ValueError, match="Sq == Sk"):
        attention_ref.attention(
            q, randn(1, 1, 5, 8, seed=1), randn(1, 1, 5, 8, seed=2), is_causal=True
        )


def test_inputs_shift_v_so_zeros_and_uniform_weights_fail() -> None:
    from quizapp.core.drills import build_inputs, load_drills

    values = build_inputs(load_drills()["attention"], "attention", {}, 1).values
    assert float(values["v"].mean()) > 1.0
