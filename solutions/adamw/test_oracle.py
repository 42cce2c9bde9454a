"""The adamw oracle against torch.optim.AdamW + torch.nn.utils.clip_grad_norm_ over many steps."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch

_spec = importlib.util.spec_from_file_location("adamw_reference",
                                               Path(__file__).with_name("reference.py"))
assert _spec and _spec.loader
reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reference)

SHAPES = [(4, 8), (8,), (), (3, 5, 2)]


def _params(seed: int, dtype: torch.dtype = torch.float64) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(s, generator=g, dtype=dtype) + 0.5 for s in SHAPES]


def _grads(step: int, dtype: torch.dtype = torch.float64) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(1000 + step)
    return [torch.randn(s, generator=g, dtype=dtype) * 2 + 0.1 for s in SHAPES]


@pytest.mark.parametrize("kwargs", [
    {},
    {"weight_decay": 0.0},
    {"weight_decay": 0.1, "betas": (0.8, 0.95), "eps": 1e-3},
    {"max_grad_norm": 0.5},        # bites every step (the gradients' norm is ≈ 12)
    {"max_grad_norm": 100.0},      # never bites
])
@pytest.mark.parametrize("foreach", [False, True])
def test_matches_torch_optim_over_steps(kwargs: dict, foreach: bool) -> None:
    lr = 0.01
    max_norm = kwargs.pop("max_grad_norm", None)
    mine = _params(7)
    theirs = [t.clone().requires_grad_(True) for t in mine]
    opt = torch.optim.AdamW(theirs, lr=lr, foreach=foreach, **kwargs)
    avgs = [torch.zeros_like(t) for t in mine]
    sqs = [torch.zeros_like(t) for t in mine]
    for step in range(1, 13):
        grads = _grads(step)
        before = [g.clone() for g in grads]
        for p, g in zip(theirs, grads, strict=True):
            p.grad = g.clone()
        if max_norm is not None:
            torch.nn.utils.clip_grad_norm_(theirs, max_norm)
        opt.step()
        if max_norm is not None:
            kwargs["max_grad_norm"] = max_norm
        assert reference.adamw_step(mine, grads, avgs, sqs, step, lr, **kwargs) is None
        kwargs.pop("max_grad_norm", None)
        for g, b in zip(grads, before, strict=True):
            assert torch.equal(g, b), "the oracle modified the caller's grads"
        for p, t, m, v in zip(mine, theirs, avgs, sqs, strict=True):
            state = opt.state[t]
            torch.testing.assert_close(p, t.detach(), atol=1e-12, rtol=1e-12)
            torch.testing.assert_close(m, state["exp_avg"], atol=1e-12, rtol=1e-12)
            torch.testing.assert_close(v, state["exp_avg_sq"], atol=1e-12, rtol=1e-12)


def test_step_1000_from_a_saved_state() -> None:
    """A state loaded at step 999 continues exactly like torch.optim (bias correction of β₂
    still matters at t = 1000: 1 − 0.999¹⁰⁰⁰ ≈ 0.632)."""
    mine = _params(3)
    theirs = [t.clone().requires_grad_(True) for t in mine]
    opt = torch.optim.AdamW(theirs, lr=1e-3, weight_decay=0.05)
    g = torch.Generator().manual_seed(5)
    avgs = [torch.randn(s, generator=g, dtype=torch.float64) * 0.1 for s in SHAPES]
    sqs = [torch.rand(s, generator=g, dtype=torch.float64) + 0.5 for s in SHAPES]
    for t, m, v in zip(theirs, avgs, sqs, strict=True):
        opt.state[t] = {"step": torch.tensor(999.0), "exp_avg": m.clone(),
                        "exp_avg_sq": v.clone()}
    grads = _grads(1)
    for t, gr in zip(theirs, grads, strict=True):
        t.grad = gr.clone()
    opt.step()
    reference.adamw_step(mine, grads, avgs, sqs, 1000, 1e-3, weight_decay=0.05)
    for p, t in zip(mine, theirs, strict=True):
        torch.testing.assert_close(p, t.detach(), atol=1e-12, rtol=1e-12)


def test_clipping_is_global_not_per_tensor() -> None:
    f64 = torch.float64
    grads = [torch.tensor([3.0, 0.0], dtype=f64), torch.tensor([4.0], dtype=f64)]
    params = [torch.zeros(2, dtype=torch.float64), torch.zeros(1, dtype=torch.float64)]
    avgs = [torch.zeros_like(p) for p in params]
    sqs = [torch.zeros_like(p) for p in params]
    # ‖g‖ = 5, max 1 → every gradient scaled by 1/(5 + 1e-6); at step 1 m = 0.1·g_clipped.
    reference.adamw_step(params, grads, avgs, sqs, 1, 0.1, weight_decay=0.0, max_grad_norm=1.0)
    coef = 1.0 / (5.0 + 1e-6)
    torch.testing.assert_close(avgs[0], torch.tensor([0.3 * coef, 0.0], dtype=torch.float64))
    torch.testing.assert_close(avgs[1], torch.tensor([0.4 * coef], dtype=torch.float64))


def test_float32_in_place_and_bench_baseline() -> None:
    base = _params(11, torch.float32)
    grads = _grads(2, torch.float32)
    sets = []
    for _ in range(2):
        g = torch.Generator().manual_seed(4)
        sets.append(([t.clone() for t in base],
                     [torch.randn(t.shape, generator=g) * 0.1 for t in base],
                     [torch.rand(t.shape, generator=g) + 0.5 for t in base]))
    (p1, m1, v1), (p2, m2, v2) = sets
    ids = [id(t) for t in p1]
    reference.adamw_step(p1, grads, m1, v1, 7, 0.01, max_grad_norm=1.0)
    assert [id(t) for t in p1] == ids and all(t.dtype == torch.float32 for t in p1)
    reference.BENCH_BASELINES["adamw_step"](p2, grads, m2, v2, 7, 0.01, max_grad_norm=1.0)
    for a, b in zip(p1 + m1 + v1, p2 + m2 + v2, strict=True):
        torch.testing.assert_close(b, a, atol=1e-6, rtol=1e-5)
