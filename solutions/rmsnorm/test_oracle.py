"""The rmsnorm oracle (reference.py) against independent formulations: torch's built-ins
where they exist, naive or closed-form re-derivations where they do not, hand-worked examples,
edge cases, half precision and gradients. Collected by pytest (testpaths include solutions/).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from quizapp.core.drills import load_module

rmsnorm_ref = load_module(Path(__file__).with_name("reference.py"))

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


@pytest.mark.parametrize("shape", [(1,), (1, 1), (3, 5), (2, 3, 7), (4, 1000)])
@pytest.mark.parametrize("eps", [1e-6, 1e-5, 0.5])
def test_rmsnorm_matches_torch_float64(shape: tuple[int, ...], eps: float) -> None:
    x = randn(*shape, seed=30) * 3 + 0.5
    w = randn(shape[-1], seed=31)
    expected = F.rms_norm(x, (shape[-1],), w, eps=eps)
    torch.testing.assert_close(
        rmsnorm_ref.rms_norm(x, w, eps=eps), expected, rtol=1e-12, atol=1e-12
    )


def test_rmsnorm_default_eps_is_1e_6() -> None:
    x = randn(3, 4, seed=32) * 1e-3  # small enough that eps matters
    w = torch.ones(4, dtype=torch.float64)
    expected = F.rms_norm(x, (4,), w, eps=1e-6)
    torch.testing.assert_close(rmsnorm_ref.rms_norm(x, w), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
@pytest.mark.parametrize("magnitude", [1.0, 300.0])
def test_rmsnorm_half_precision_large_activations(dtype: torch.dtype, magnitude: float) -> None:
    # |x| ≈ 300: x² ≈ 9e4 overflows float16 (max 65504) unless the statistics are float32+.
    x = (randn(4, 256, seed=33) * magnitude).to(dtype)
    w = (randn(256, seed=34) * 0.1 + 1).to(dtype)
    out = rmsnorm_ref.rms_norm(x, w)
    assert out.dtype == dtype and out.shape == x.shape
    expected = F.rms_norm(x.double(), (256,), w.double(), eps=1e-6)
    assert_close_rel(out, expected, HALF_TOL[dtype])


def test_rmsnorm_gradients_match_torch() -> None:
    x0, w0, g = randn(3, 4, 9, seed=35) + 1, randn(9, seed=36), randn(3, 4, 9, seed=37)
    x1, w1 = x0.clone().requires_grad_(), w0.clone().requires_grad_()
    x2, w2 = x0.clone().requires_grad_(), w0.clone().requires_grad_()
    (rmsnorm_ref.rms_norm(x1, w1, eps=1e-3) * g).sum().backward()
    (F.rms_norm(x2, (9,), w2, eps=1e-3) * g).sum().backward()
    torch.testing.assert_close(x1.grad, x2.grad, rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(w1.grad, w2.grad, rtol=1e-10, atol=1e-10)


def test_rmsnorm_does_not_modify_inputs() -> None:
    x, w = randn(2, 8, seed=38), randn(8, seed=39)
    xc, wc = x.clone(), w.clone()
    out = rmsnorm_ref.rms_norm(x, w)
    assert torch.equal(x, xc) and torch.equal(w, wc)
    assert out.data_ptr() != x.data_ptr()


def test_inputs_are_offset_so_centring_shows() -> None:
    from quizapp.core.drills import build_inputs, load_drills

    drill = load_drills()["rmsnorm"]
    case = drill.cases_for("torch")[0]
    x = build_inputs(drill, case.entry, case.params, case.seed).values["x"]
    assert abs(float(x.mean())) > 0.1  # offset: LayerNorm-style centring shows
