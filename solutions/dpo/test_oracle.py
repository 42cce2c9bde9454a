"""The DPO oracle against a hand-computed case and independent torch formulas.

- a hand-computed batch (V = 2, log-probs that are logs of simple fractions);
- token log-probs against F.cross_entropy(reduction="none", ignore_index=-100);
- the smoothed loss against F.binary_cross_entropy_with_logits(h, 1 − ε);
- the contract's edges: the shift, the −100 mask, |h| = 1000, detached rewards and no
  gradient into the reference logits.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

_spec = importlib.util.spec_from_file_location("dpo_reference",
                                               Path(__file__).with_name("reference.py"))
assert _spec and _spec.loader
ref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref)


def _hand_batch() -> tuple[torch.Tensor, ...]:
    """B = 1, L = 3, V = 2. The policy's chosen sequence has log-prob log(1/2) + log(1/4);
    every other sequence log(1/2) + log(1/2)."""
    pc = torch.zeros(1, 3, 2, dtype=torch.float64)
    pc[0, 1, 0] = math.log(3.0)          # softmax([ln 3, 0]) = [3/4, 1/4]; label 1 → 1/4
    zeros = torch.zeros(1, 3, 2, dtype=torch.float64)
    labels = torch.tensor([[-100, 0, 1]])
    return pc, zeros.clone(), zeros.clone(), zeros.clone(), labels, labels.clone()


def test_hand_computed_loss_and_rewards() -> None:
    # π_c = ln(1/8), π_r = ref_c = ref_r = ln(1/4): h = β·(−ln 2); with β = 1, σ(h) = 1/3.
    loss, rc, rr = ref.dpo_loss(*_hand_batch(), beta=1.0)
    assert loss.item() == pytest.approx(math.log(3.0), abs=1e-12)
    assert rc.tolist() == pytest.approx([-math.log(2.0)], abs=1e-12)
    assert rr.tolist() == pytest.approx([0.0], abs=1e-12)


def test_hand_computed_label_smoothing() -> None:
    # −(1 − ε)·log(1/3) − ε·log(2/3) with ε = 0.25.
    loss, _, _ = ref.dpo_loss(*_hand_batch(), beta=1.0, label_smoothing=0.25)
    assert loss.item() == pytest.approx(0.75 * math.log(3.0) + 0.25 * math.log(1.5), abs=1e-12)


def _random(b: int = 3, t: int = 9, v: int = 13, seed: int = 0) -> tuple[torch.Tensor, ...]:
    g = torch.Generator().manual_seed(seed)
    logits = [torch.randn(b, t, v, generator=g, dtype=torch.float64) * 2 for _ in range(4)]
    labels = []
    for _ in range(2):
        lab = torch.randint(0, v, (b, t), generator=g)
        lab[:, :3] = -100
        lab[0, 7:] = -100
        labels.append(lab)
    return (*logits, *labels)


def test_sequence_logps_match_cross_entropy() -> None:
    logits, labels = _random()[0], _random()[4]
    nll = F.cross_entropy(logits[:, :-1].transpose(1, 2), labels[:, 1:], ignore_index=-100,
                          reduction="none")
    torch.testing.assert_close(ref.sequence_logps(logits, labels), -nll.sum(-1),
                               atol=1e-12, rtol=1e-12)


@pytest.mark.parametrize("eps", [0.0, 0.1, 0.5])
def test_loss_is_bce_with_logits_of_h(eps: float) -> None:
    args = _random(seed=1)
    beta = 0.3
    s = [ref.sequence_logps(lg, lb) for lg, lb in zip(args[:4], args[4:] * 2, strict=True)]
    # args[4:] * 2 pairs (pc, chosen), (pr, rejected), (rc, chosen), (rr, rejected)
    h = beta * ((s[0] - s[1]) - (s[2] - s[3]))
    want = F.binary_cross_entropy_with_logits(h, torch.full_like(h, 1 - eps))
    got, _, _ = ref.dpo_loss(*args, beta=beta, label_smoothing=eps)
    torch.testing.assert_close(got, want, atol=1e-12, rtol=1e-12)


def test_first_label_and_last_logits_do_not_matter() -> None:
    args = list(_random(seed=2))
    base = ref.dpo_loss(*args)
    args[0] = args[0].clone()
    args[0][:, -1] += 5.0                # the last position predicts nothing
    args[4] = args[4].clone()
    args[4][:, 0] = 3                    # label 0 is never predicted
    for a, b in zip(ref.dpo_loss(*args), base, strict=True):
        torch.testing.assert_close(a, b, atol=1e-12, rtol=1e-12)


def test_masked_sequence_has_log_prob_zero() -> None:
    logits = torch.randn(2, 5, 7, dtype=torch.float64)
    labels = torch.full((2, 5), -100)
    assert ref.sequence_logps(logits, labels).tolist() == [0.0, 0.0]


@pytest.mark.parametrize("side,sign", [(0, -1.0), (1, 1.0)])
def test_huge_margins_stay_finite(side: int, sign: float) -> None:
    args = list(_hand_batch())
    # A policy logit of −1000 against the label makes that sequence's log-prob ≈ −1000:
    # on the chosen side h ≈ −1000, on the rejected side h ≈ +1000.
    args[side] = torch.zeros(1, 3, 2, dtype=torch.float64)
    args[side][0, 1, 1] = -1000.0
    loss, _, _ = ref.dpo_loss(*args, beta=1.0, label_smoothing=0.1)
    # −(1 − ε)·log σ(h) − ε·log σ(−h) ≈ (1 − ε)·|h| for h ≪ 0 and ε·h for h ≫ 0.
    want = 0.9 * 1000.0 if sign < 0 else 0.1 * 1000.0
    assert torch.isfinite(loss)
    assert loss.item() == pytest.approx(want, rel=2e-3)


def test_rewards_detached_and_reference_gets_no_gradient() -> None:
    args = [a.requires_grad_(True) if a.is_floating_point() else a for a in _random(seed=3)]
    loss, rc, rr = ref.dpo_loss(*args)
    assert not rc.requires_grad and not rr.requires_grad
    grads = torch.autograd.grad(loss, args[:4], allow_unused=True)
    assert grads[0] is not None and grads[1] is not None
    assert grads[2] is None and grads[3] is None


def test_half_inputs_return_half() -> None:
    args = [a.half() if a.is_floating_point() else a for a in _random(seed=4)]
    outs = ref.dpo_loss(*args)
    assert all(o.dtype == torch.float16 for o in outs)
    assert outs[0].shape == () and outs[1].shape == (3,)
