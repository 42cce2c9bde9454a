"""The cross_entropy oracle against torch.nn.functional.cross_entropy (float64, autograd)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

_spec = importlib.util.spec_from_file_location("ce_reference",
                                               Path(__file__).with_name("reference.py"))
assert _spec and _spec.loader
reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reference)


def _inputs(n: int, v: int, seed: int, scale: float = 3.0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, v, generator=g, dtype=torch.float64) * scale + 2.0
    targets = torch.randint(0, v, (n,), generator=g)
    return logits, targets


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.7, 1.0])
@pytest.mark.parametrize("ignore_index", [-100, -1, 3])
def test_matches_torch_loss_and_gradient(smoothing: float, ignore_index: int) -> None:
    logits, targets = _inputs(13, 7, seed=int(smoothing * 10) + ignore_index)
    targets[::3] = ignore_index
    a = logits.clone().requires_grad_(True)
    b = logits.clone().requires_grad_(True)
    want = F.cross_entropy(a, targets, ignore_index=ignore_index, label_smoothing=smoothing)
    got = reference.cross_entropy(b, targets, ignore_index=ignore_index,
                                  label_smoothing=smoothing)
    torch.testing.assert_close(got, want, atol=1e-12, rtol=1e-12)
    g = torch.tensor(0.7, dtype=torch.float64)
    (ga,) = torch.autograd.grad(want, a, g)
    (gb,) = torch.autograd.grad(got, b, g)
    torch.testing.assert_close(gb, ga, atol=1e-12, rtol=1e-12)


def test_defaults_match_torch() -> None:
    logits, targets = _inputs(9, 1001, seed=5)
    targets[4] = -100
    torch.testing.assert_close(reference.cross_entropy(logits, targets),
                               F.cross_entropy(logits, targets), atol=1e-12, rtol=1e-12)


def test_huge_logits_are_finite_and_match_torch() -> None:
    logits, targets = _inputs(6, 50, seed=9, scale=1.0)
    logits = (logits - 2.0).clamp(-3, 3) * 3.3e3  # ±1e4
    got = reference.cross_entropy(logits, targets, label_smoothing=0.2)
    assert torch.isfinite(got)
    torch.testing.assert_close(got, F.cross_entropy(logits, targets, label_smoothing=0.2),
                               atol=1e-9, rtol=1e-12)


def test_no_valid_row_is_zero_where_torch_gives_nan() -> None:
    """The contract's one deliberate difference from PyTorch."""
    logits, targets = _inputs(4, 5, seed=2)
    targets.fill_(-100)
    x = logits.clone().requires_grad_(True)
    loss = reference.cross_entropy(x, targets, label_smoothing=0.1)
    assert loss.item() == 0.0
    (grad,) = torch.autograd.grad(loss, x)
    assert torch.equal(grad, torch.zeros_like(grad))
    assert torch.isnan(F.cross_entropy(logits, targets))


def test_hand_computed_two_class_case() -> None:
    # x = [0, ln 3]: p = [1/4, 3/4]; target 1 → −ln(3/4); with ε = 0.5 the smoothing term
    # is mean(−ln p) = (ln 4 + ln 4/3) / 2.
    logits = torch.tensor([[0.0, float(torch.log(torch.tensor(3.0, dtype=torch.float64)))]],
                          dtype=torch.float64)
    targets = torch.tensor([1])
    nll = -torch.log(torch.tensor(0.75, dtype=torch.float64))
    smooth = (torch.log(torch.tensor(4.0, dtype=torch.float64))
              + torch.log(torch.tensor(4.0 / 3.0, dtype=torch.float64))) / 2
    torch.testing.assert_close(reference.cross_entropy(logits, targets), nll)
    torch.testing.assert_close(reference.cross_entropy(logits, targets, label_smoothing=0.5),
                               0.5 * nll + 0.5 * smooth)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_dtype_and_bench_baseline(dtype: torch.dtype) -> None:
    logits, targets = _inputs(32, 300, seed=1)
    targets[::5] = -100
    x = logits.to(dtype)
    want = reference.cross_entropy(x, targets, label_smoothing=0.1)
    assert want.dtype == dtype and want.shape == ()
    got = reference.BENCH_BASELINES["cross_entropy"](x, targets, label_smoothing=0.1)
    assert got.dtype == dtype
    tol = {torch.float32: 1e-5, torch.float16: 2e-3, torch.bfloat16: 1.6e-2}[dtype]
    torch.testing.assert_close(got.double(), want.double(), atol=tol, rtol=tol)


def test_followup_question_numbers() -> None:
    """maths.cross-entropy.label-smoothing-pytorch and …-logit-gradient, recomputed."""
    import math

    x = torch.tensor([[math.log(4), math.log(2), 0.0, 0.0]], dtype=torch.float64)
    t = torch.tensor([0])
    assert abs(F.cross_entropy(x, t, label_smoothing=0.1).item() - 0.77979) < 1e-5
    assert abs(reference.cross_entropy(x, t, label_smoothing=0.1).item() - 0.77979) < 1e-5
    other_classes = 0.9 * math.log(2) + 0.1 * 8 * math.log(2) / 3
    assert abs(other_classes - 0.8087) < 1e-4
    logits, targets = _inputs(5, 7, seed=4)
    leaf = logits.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(F.cross_entropy(leaf, targets), leaf)
    want = (logits.softmax(-1) - F.one_hot(targets, 7)) / 5
    torch.testing.assert_close(grad, want, atol=1e-15, rtol=0)
