"""The clip_loss oracle (reference.py) against independent formulations: torch's built-ins
where they exist, naive or closed-form re-derivations where they do not, hand-worked examples,
edge cases, half precision and gradients. Collected by pytest (testpaths include solutions/).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from quizapp.core.drills import load_module

clip_ref = load_module(Path(__file__).with_name("reference.py"))

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


def direct_clip(img: torch.Tensor, txt: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    logits = scale * F.normalize(img, dim=-1) @ F.normalize(txt, dim=-1).T
    labels = torch.arange(img.shape[0])
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2


@pytest.mark.parametrize("n", [1, 2, 7, 32])
@pytest.mark.parametrize("scale", [1.0, 14.285, 100.0])
def test_clip_loss_matches_direct_formula(n: int, scale: float) -> None:
    img = randn(n, 12, seed=60) * 3 + 1
    # Matched pairs that are actually similar, so the diagonal dominates.
    txt = img + randn(n, 12, seed=61) * 0.5
    s = torch.tensor(scale, dtype=torch.float64)
    out = clip_ref.clip_loss(img, txt, s)
    assert out.shape == () and out.dtype == torch.float64
    torch.testing.assert_close(out, direct_clip(img, txt, s), rtol=1e-12, atol=1e-12)
    if n == 1:
        assert out.item() == pytest.approx(0.0, abs=1e-12)


def test_clip_loss_is_symmetric_in_its_two_directions() -> None:
    img, txt = randn(5, 8, seed=62), randn(5, 8, seed=63)
    s = torch.tensor(30.0, dtype=torch.float64)
    torch.testing.assert_close(clip_ref.clip_loss(img, txt, s), clip_ref.clip_loss(txt, img, s))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_clip_loss_low_precision(dtype: torch.dtype) -> None:
    img = (randn(16, 64, seed=64) * 20).to(dtype)
    txt = (randn(16, 64, seed=65) * 20).to(dtype)
    s = torch.tensor(100.0, dtype=dtype)
    out = clip_ref.clip_loss(img, txt, s)
    assert out.dtype == dtype and out.shape == ()
    assert_close_rel(out, direct_clip(img.double(), txt.double(), s.double()), HALF_TOL[dtype])


def test_clip_loss_gradients_match_direct_formula() -> None:
    base = [randn(6, 10, seed=66), randn(6, 10, seed=67), torch.tensor(20.0, dtype=torch.float64)]
    mine = [t.clone().requires_grad_() for t in base]
    theirs = [t.clone().requires_grad_() for t in base]
    clip_ref.clip_loss(*mine).backward()
    direct_clip(*theirs).backward()
    for a, b in zip(mine, theirs, strict=True):
        assert a.grad is not None
        torch.testing.assert_close(a.grad, b.grad, rtol=1e-10, atol=1e-10)
    assert mine[2].grad.abs() > 0


def test_clip_loss_half_precision_gradients_in_input_dtype() -> None:
    img = randn(4, 8, seed=68, dtype=torch.float16).requires_grad_()
    txt = randn(4, 8, seed=69, dtype=torch.float16).requires_grad_()
    s = torch.tensor(50.0, dtype=torch.float16, requires_grad=True)
    clip_ref.clip_loss(img, txt, s).backward()
    for t in (img, txt, s):
        assert t.grad is not None and t.grad.dtype == torch.float16
        assert torch.isfinite(t.grad).all()


def test_inputs_have_rows_of_different_norms() -> None:
    from quizapp.core.drills import build_inputs, load_drills

    values = build_inputs(load_drills()["clip_loss"], "clip_loss", {"n": 6}, 3).values
    norms = values["image_emb"].norm(dim=-1)
    assert float(norms.max() / norms.min()) > 1.5  # normalisation matters
