"""The GRPO oracle against hand-computed cases and independent formulas.

- advantages of a hand-computed batch (a 0/1 group and an all-equal group), and TRL's
  torch.std formula on random groups;
- the loss on hand-computed tokens: the clip on each side for both signs of A, the k3 value
  1 − ln 2, the per-sequence mean (3.5, where a token mean gives 3);
- k3 is an unbiased estimator of KL(π‖π_ref): its expectation under π, by enumeration,
  equals torch.distributions' KL;
- the on-policy gradient −A_i / (|o_i|·B).
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest
import torch

_spec = importlib.util.spec_from_file_location("grpo_reference",
                                               Path(__file__).with_name("reference.py"))
assert _spec and _spec.loader
ref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref)


def test_hand_computed_advantages() -> None:
    r = torch.tensor([1.0, 0.0, 0.0, 1.0, 2.0, 2.0, 2.0, 2.0], dtype=torch.float64)
    a = 0.5 / (math.sqrt(1.0 / 3.0) + 1e-4)     # sample std of {1, 0, 0, 1} is √(1/3)
    want = [a, -a, -a, a, 0.0, 0.0, 0.0, 0.0]
    assert ref.grpo_advantages(r, 4).tolist() == pytest.approx(want, abs=1e-12)


def test_group_of_one_is_zero_not_nan() -> None:
    r = torch.tensor([3.0, -1.0, 0.5])
    assert ref.grpo_advantages(r, 1).tolist() == [0.0, 0.0, 0.0]


def test_advantages_match_trls_formula() -> None:
    g = torch.Generator().manual_seed(0)
    r = torch.randn(5 * 7, generator=g, dtype=torch.float64) * 2 + 1
    grouped = r.view(-1, 7)
    want = (r - grouped.mean(1).repeat_interleave(7)) / (grouped.std(1).repeat_interleave(7)
                                                         + 1e-4)
    torch.testing.assert_close(ref.grpo_advantages(r, 7), want, atol=1e-12, rtol=1e-12)


def _one_token(ratio: float, adv: float, kl_shift: float = 0.0,
               beta: float = 0.0) -> float:
    new = torch.tensor([[math.log(ratio)]], dtype=torch.float64)
    old = torch.zeros(1, 1, dtype=torch.float64)
    logp_ref = new + kl_shift
    mask = torch.ones(1, 1, dtype=torch.bool)
    return ref.grpo_loss(new, old, logp_ref, torch.tensor([adv], dtype=torch.float64), mask,
                         clip_eps=0.2, beta=beta).item()


@pytest.mark.parametrize("ratio,adv,want", [
    (1.5, 1.0, -1.2),     # A > 0, ratio above 1 + ε: clipped at 1.2
    (1.5, -1.0, 1.5),     # A < 0, ratio above 1 + ε: min keeps the unclipped −1.5
    (0.5, 1.0, -0.5),     # A > 0, ratio below 1 − ε: min keeps the unclipped 0.5
    (0.5, -1.0, 0.8),     # A < 0, ratio below 1 − ε: clipped at −0.8
    (1.1, 2.0, -2.2),     # inside the clip range
])
def test_hand_computed_clip(ratio: float, adv: float, want: float) -> None:
    assert _one_token(ratio, adv) == pytest.approx(want, abs=1e-12)


def test_hand_computed_k3_penalty() -> None:
    # ref − new = ln 2: k3 = 2 − ln 2 − 1; objective 1.2 − 0.5·k3, loss its negative.
    got = _one_token(1.5, 1.0, kl_shift=math.log(2.0), beta=0.5)
    assert got == pytest.approx(-(1.2 - 0.5 * (1.0 - math.log(2.0))), abs=1e-12)


def test_per_sequence_mean_not_token_mean() -> None:
    # On-policy (ratio 1), KL 0: every token's objective is its sequence's A.
    new = torch.zeros(2, 3, dtype=torch.float64)
    mask = torch.tensor([[True, True, False], [True, False, False]])
    adv = torch.tensor([2.0, 5.0], dtype=torch.float64)
    got = ref.grpo_loss(new, new, new, adv, mask)
    assert got.item() == pytest.approx(-3.5, abs=1e-12)   # a token mean would give −3


def test_masked_positions_do_not_matter() -> None:
    g = torch.Generator().manual_seed(1)
    new, old, lref = (torch.randn(3, 5, generator=g, dtype=torch.float64) for _ in range(3))
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 0, 0, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.bool)
    adv = torch.randn(3, generator=g, dtype=torch.float64)
    base = ref.grpo_loss(new, old, lref, adv, mask)
    junk = [t.masked_fill(~mask, 400.0) for t in (new, old, lref)]
    torch.testing.assert_close(ref.grpo_loss(*junk, adv, mask), base, atol=0, rtol=0)


def test_k3_expectation_is_the_kl() -> None:
    g = torch.Generator().manual_seed(2)
    p = torch.softmax(torch.randn(6, generator=g, dtype=torch.float64), 0)
    q = torch.softmax(torch.randn(6, generator=g, dtype=torch.float64), 0)
    mask = torch.ones(1, 1, dtype=torch.bool)
    zero = torch.zeros(1, dtype=torch.float64)
    expected_k3 = 0.0
    for x in range(6):
        new = p[x].log().view(1, 1)
        # A = 0, β = 1: the loss is exactly the token's k3 estimate.
        expected_k3 += p[x].item() * ref.grpo_loss(new, new, q[x].log().view(1, 1), zero, mask,
                                                   beta=1.0).item()
    kl = torch.distributions.kl_divergence(torch.distributions.Categorical(probs=p),
                                           torch.distributions.Categorical(probs=q))
    assert expected_k3 == pytest.approx(kl.item(), abs=1e-12)


def test_on_policy_gradient() -> None:
    new = torch.zeros(2, 4, dtype=torch.float64, requires_grad=True)
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 0, 0]], dtype=torch.bool)
    adv = torch.tensor([1.0, -2.0], dtype=torch.float64)
    loss = ref.grpo_loss(new, new.detach(), new.detach(), adv, mask, beta=0.0)
    (grad,) = torch.autograd.grad(loss, new)
    want = torch.tensor([[-1 / 8] * 4, [2 / 4, 2 / 4, 0, 0]], dtype=torch.float64)
    torch.testing.assert_close(grad, want, atol=1e-12, rtol=0)
