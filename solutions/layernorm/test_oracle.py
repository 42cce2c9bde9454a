"""The layernorm oracle against torch.nn.functional.layer_norm and autograd (float64)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

_spec = importlib.util.spec_from_file_location("ln_reference",
                                               Path(__file__).with_name("reference.py"))
assert _spec and _spec.loader
reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reference)


def _inputs(shape: tuple[int, ...], seed: int, scale: float = 2.0, mean: float = 1.0
            ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=g, dtype=torch.float64) * scale + mean
    n = shape[-1]
    w = 1 + 0.5 * torch.randn(n, generator=g, dtype=torch.float64)
    b = torch.randn(n, generator=g, dtype=torch.float64)
    dy = torch.randn(shape, generator=g, dtype=torch.float64) + 0.3
    return x, w, b, dy


@pytest.mark.parametrize("shape", [(7,), (5, 8), (2, 3, 33), (2, 2, 2, 17)])
@pytest.mark.parametrize("eps", [1e-5, 0.1])
def test_forward_and_backward_match_torch_autograd(shape: tuple[int, ...], eps: float) -> None:
    x, w, b, dy = _inputs(shape, seed=len(shape) * 10 + int(eps * 100))
    want = F.layer_norm(x, (shape[-1],), w, b, eps)
    torch.testing.assert_close(reference.layer_norm(x, w, b, eps), want, atol=1e-12,
                               rtol=1e-12)
    leaves = [t.clone().requires_grad_(True) for t in (x, w, b)]
    out = F.layer_norm(leaves[0], (shape[-1],), leaves[1], leaves[2], eps)
    want_grads = torch.autograd.grad(out, leaves, dy)
    got = reference.layer_norm_backward(dy, x, w, eps)
    for g_, w_ in zip(got, want_grads, strict=True):
        torch.testing.assert_close(g_, w_, atol=1e-10, rtol=1e-10)


def test_oracle_forward_is_differentiable_like_torch() -> None:
    x, w, b, dy = _inputs((3, 4, 19), seed=3)
    a = [t.clone().requires_grad_(True) for t in (x, w, b)]
    c = [t.clone().requires_grad_(True) for t in (x, w, b)]
    want = torch.autograd.grad(F.layer_norm(a[0], (19,), a[1], a[2]), a, dy)
    got = torch.autograd.grad(reference.layer_norm(*c), c, dy)
    for g_, w_ in zip(got, want, strict=True):
        torch.testing.assert_close(g_, w_, atol=1e-10, rtol=1e-10)


def test_hand_computed_row() -> None:
    # x = [1, 2, 3, 4]: μ = 2.5, σ² = 1.25 (biased), x̂ = (x − 2.5)/√1.25.
    x = torch.tensor([[1.0, 2.0, 3.0, 4.0]], dtype=torch.float64)
    one, zero = torch.ones(4, dtype=torch.float64), torch.zeros(4, dtype=torch.float64)
    want = (x - 2.5) / torch.sqrt(torch.tensor(1.25, dtype=torch.float64))
    torch.testing.assert_close(reference.layer_norm(x, one, zero, eps=0.0), want)
    # With dy = 1 and weight 1, dx = 0 (LayerNorm is shift invariant), dbias = 1, dweight = x̂.
    gx, gw, gb = reference.layer_norm_backward(torch.ones_like(x), x, one, eps=0.0)
    torch.testing.assert_close(gx, torch.zeros_like(x), atol=1e-15, rtol=0)
    torch.testing.assert_close(gw, want[0])
    torch.testing.assert_close(gb, one)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_dtypes_and_bench_baselines(dtype: torch.dtype) -> None:
    x, w, b, dy = _inputs((6, 5, 40), seed=8, scale=300.0 if dtype == torch.float16 else 3.0)
    x, w, b, dy = (t.to(dtype) for t in (x, w, b, dy))
    y = reference.layer_norm(x, w, b)
    assert y.dtype == dtype and torch.isfinite(y).all()
    tol = {torch.float32: 1e-5, torch.float16: 4e-3, torch.bfloat16: 3.2e-2}[dtype]
    base = reference.BENCH_BASELINES["layer_norm"](x, w, b)
    torch.testing.assert_close(base.double(), y.double(), atol=tol, rtol=tol)
    grads = reference.layer_norm_backward(dy, x, w)
    assert [g.dtype for g in grads] == [dtype] * 3
    base_grads = reference.BENCH_BASELINES["layer_norm_backward"](dy, x, w)
    for got, want in zip(base_grads, grads, strict=True):
        scale = want.double().abs().max()
        torch.testing.assert_close(got.double(), want.double(), atol=tol * scale, rtol=tol)


def test_followup_question_identities() -> None:
    """The facts norms.layernorm.backward-row-sums and …-without-mean-term teach, checked with
    torch's own autograd: Σ dx = 0 per row; Σ dx·x̂ = 0 at eps = 0 only; the RMSNorm-shaped
    formula (no −mean(g)) is wrong."""
    x, w, b, dy = _inputs((3, 17), seed=21)
    for eps in (0.0, 1e-5):
        leaf = x.clone().requires_grad_(True)
        (dx,) = torch.autograd.grad(F.layer_norm(leaf, (17,), w, b, eps), leaf, dy)
        mu = x.mean(-1, keepdim=True)
        rstd = torch.rsqrt((x - mu).pow(2).mean(-1, keepdim=True) + eps)
        x_hat = (x - mu) * rstd
        assert dx.sum(-1).abs().max() < 1e-13
        orth = (dx * x_hat).sum(-1).abs().max()
        assert orth < 1e-13 if eps == 0.0 else orth > 1e-8
        g = dy * w
        no_mean = rstd * (g - x_hat * (g * x_hat).mean(-1, keepdim=True))
        assert (no_mean - dx).abs().max() > 1e-3
        assert no_mean.sum(-1).abs().max() > 1e-3
