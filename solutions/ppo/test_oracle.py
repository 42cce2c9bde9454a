"""The PPO oracle against hand-computed cases and independent formulas.

- GAE on a 3-step trajectory with a done in the middle, worked by hand;
- GAE against its closed form A_t = Σ_k (γλ)^k δ_{t+k} (cut at the episode's end), and its
  λ = 0 (one-step TD) and λ = 1 (discounted return − V) limits;
- the clipped loss on hand-computed ratios for both signs of A, and which side of the clip
  keeps a gradient.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest
import torch

_spec = importlib.util.spec_from_file_location("ppo_reference",
                                               Path(__file__).with_name("reference.py"))
assert _spec and _spec.loader
ref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref)

F64 = torch.float64


def test_hand_computed_gae() -> None:
    # γ = λ = 0.5, V ≡ 1, done after step 1:
    # δ2 = 3 + 0.5 − 1 = 2.5, A2 = 2.5; δ1 = 2 − 1 = 1, A1 = 1 (cut); δ0 = 0.5, A0 = 0.5 + 0.25.
    adv, ret = ref.gae(torch.tensor([1.0, 2.0, 3.0], dtype=F64), torch.ones(4, dtype=F64),
                       torch.tensor([0.0, 1.0, 0.0], dtype=F64), gamma=0.5, lam=0.5)
    assert adv.tolist() == pytest.approx([0.75, 1.0, 2.5], abs=1e-12)
    assert ret.tolist() == pytest.approx([1.75, 2.0, 3.5], abs=1e-12)


def _trajectory(steps: int = 25, seed: int = 0) -> tuple[torch.Tensor, ...]:
    g = torch.Generator().manual_seed(seed)
    rewards = torch.randn(steps, generator=g, dtype=F64) + 0.3
    values = torch.randn(steps + 1, generator=g, dtype=F64) * 2
    dones = (torch.rand(steps, generator=g) < 0.2).to(F64)
    return rewards, values, dones


def _closed_form(rewards: torch.Tensor, values: torch.Tensor, dones: torch.Tensor,
                 gamma: float, lam: float) -> torch.Tensor:
    steps = rewards.shape[0]
    live = 1 - dones
    delta = rewards + gamma * values[1:] * live - values[:-1]
    adv = torch.zeros(steps, dtype=F64)
    for t in range(steps):
        weight = 1.0
        for k in range(t, steps):
            adv[t] += weight * delta[k]
            if dones[k]:
                break
            weight *= gamma * lam
    return adv


@pytest.mark.parametrize("gamma,lam", [(0.99, 0.95), (0.9, 0.0), (1.0, 1.0), (0.8, 0.6)])
def test_gae_matches_the_closed_form(gamma: float, lam: float) -> None:
    r, v, d = _trajectory()
    adv, ret = ref.gae(r, v, d, gamma=gamma, lam=lam)
    torch.testing.assert_close(adv, _closed_form(r, v, d, gamma, lam), atol=1e-12, rtol=1e-12)
    torch.testing.assert_close(ret, adv + v[:-1], atol=1e-12, rtol=1e-12)


def test_lambda_zero_is_one_step_td() -> None:
    r, v, d = _trajectory(seed=1)
    adv, _ = ref.gae(r, v, d, gamma=0.9, lam=0.0)
    torch.testing.assert_close(adv, r + 0.9 * v[1:] * (1 - d) - v[:-1], atol=1e-12, rtol=1e-12)


def test_lambda_one_returns_are_discounted_returns_with_bootstrap() -> None:
    r, v, d = _trajectory(seed=2)
    gamma = 0.97
    _, ret = ref.gae(r, v, d, gamma=gamma, lam=1.0)
    want = torch.zeros_like(r)
    future = v[-1]                               # bootstrap from the last value
    for t in reversed(range(r.shape[0])):
        future = r[t] + gamma * future * (1 - d[t])
        want[t] = future
    torch.testing.assert_close(ret, want, atol=1e-12, rtol=1e-12)


@pytest.mark.parametrize("ratio,adv,want,has_grad", [
    (1.5, 1.0, -1.2, False),   # A > 0 above 1 + ε: clipped, no gradient
    (0.5, 1.0, -0.5, True),    # A > 0 below 1 − ε: unclipped term kept
    (1.5, -1.0, 1.5, True),    # A < 0 above 1 + ε: unclipped term kept
    (0.5, -1.0, 0.8, False),   # A < 0 below 1 − ε: clipped, no gradient
    (1.1, -2.0, 2.2, True),    # inside the range
])
def test_hand_computed_clip_and_its_gradient(ratio: float, adv: float, want: float,
                                             has_grad: bool) -> None:
    new = torch.tensor([math.log(ratio)], dtype=F64, requires_grad=True)
    loss = ref.ppo_clip_loss(new, torch.zeros(1, dtype=F64), torch.tensor([adv], dtype=F64))
    assert loss.item() == pytest.approx(want, abs=1e-12)
    (grad,) = torch.autograd.grad(loss, new)
    # d(−ratio·A)/d logp_new = −ratio·A where the unclipped term is active.
    assert grad.item() == pytest.approx(-ratio * adv if has_grad else 0.0, abs=1e-12)


def test_mask_mean_ignores_masked_values() -> None:
    new = torch.tensor([[0.1, 0.2, 50.0], [0.0, 40.0, -30.0]], dtype=F64)
    old = torch.zeros(2, 3, dtype=F64)
    adv = torch.tensor([[1.0, -1.0, 9.0], [2.0, 7.0, 7.0]], dtype=F64)
    mask = torch.tensor([[True, True, False], [True, False, False]])
    got = ref.ppo_clip_loss(new, old, adv, mask=mask)
    # ratio e^0.1 (inside the range) with A = 1; e^0.2 = 1.2214 > 1.2 with A = −1 keeps the
    # unclipped −e^0.2; ratio 1 with A = 2. The masked 50, 40, −30 must not count.
    want = -(math.exp(0.1) - math.exp(0.2) + 2.0) / 3
    assert got.item() == pytest.approx(want, abs=1e-12)
    assert ref.ppo_clip_loss(new, old, adv).item() != pytest.approx(want)
