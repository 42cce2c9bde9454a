"""The MoE oracle against hand-computed cases and independent formulas.

- one token, three one-dimensional experts: gates 2/3 and 1/3, y = silu(1)·4/3, aux = 9/7;
- perfectly balanced routing gives aux = 1;
- the sparse layer equals the dense computation (every expert on every token, gated by a
  scattered gate matrix);
- aux is Hugging Face Mixtral's load_balancing_loss_func divided by top_k;
- ties go to the lower expert ids; with top_k = 1 the gates are 1, so y gives the router no
  gradient.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

_spec = importlib.util.spec_from_file_location("moe_reference",
                                               Path(__file__).with_name("reference.py"))
assert _spec and _spec.loader
ref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref)

F64 = torch.float64


def test_hand_computed_token() -> None:
    # logits [ln 4, ln 2, 0] → probs [4/7, 2/7, 1/7]; top-2 = experts 0, 1 with gates 2/3, 1/3;
    # expert e computes silu(x)·c_e with c = [1, 2, 3].
    x = torch.ones(1, 1, dtype=F64)
    router = torch.tensor([[math.log(4.0)], [math.log(2.0)], [0.0]], dtype=F64)
    w1 = torch.ones(3, 1, 1, dtype=F64)
    w2 = torch.ones(3, 1, 1, dtype=F64)
    w3 = torch.tensor([1.0, 2.0, 3.0], dtype=F64).view(3, 1, 1)
    y, aux = ref.moe_forward(x, router, w1, w2, w3, 2)
    silu1 = 1.0 / (1.0 + math.exp(-1.0))
    assert y.item() == pytest.approx(silu1 * 4.0 / 3.0, abs=1e-12)
    # f = [1/2, 1/2, 0], P = [4/7, 2/7, 1/7]: aux = 3·(2/7 + 1/7) = 9/7.
    assert aux.dtype == torch.float32
    assert aux.item() == pytest.approx(9.0 / 7.0, rel=1e-6)


def test_balanced_routing_gives_one() -> None:
    # Two tokens, each preferring a different expert with the same confidence: f = P = 1/2.
    x = torch.tensor([[1.0], [-1.0]], dtype=F64)
    router = torch.tensor([[1.5], [-1.5]], dtype=F64)
    w = torch.ones(2, 1, 1, dtype=F64)
    _, aux = ref.moe_forward(x, router, w, w, w, 1)
    assert aux.item() == pytest.approx(1.0, rel=1e-6)


def _layer(seed: int = 0, t: int = 13, d: int = 6, f: int = 10, e: int = 5):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(t, d, generator=g, dtype=F64) + 0.5
    router = torch.randn(e, d, generator=g, dtype=F64)
    w1, w3 = (torch.randn(e, f, d, generator=g, dtype=F64) for _ in range(2))
    w2 = torch.randn(e, d, f, generator=g, dtype=F64)
    return x, router, w1, w2, w3


@pytest.mark.parametrize("top_k", [1, 2, 3, 5])
def test_sparse_equals_dense(top_k: int) -> None:
    x, router, w1, w2, w3 = _layer()
    y, _ = ref.moe_forward(x, router, w1, w2, w3, top_k)
    probs = torch.softmax(x @ router.T, dim=-1)
    top = torch.topk(probs, top_k, dim=-1)       # no ties in these random logits
    gates = torch.zeros_like(probs).scatter(1, top.indices,
                                            top.values / top.values.sum(-1, keepdim=True))
    h = F.silu(torch.einsum("td,efd->tef", x, w1)) * torch.einsum("td,efd->tef", x, w3)
    dense = torch.einsum("tef,edf,te->td", h, w2, gates)
    torch.testing.assert_close(y, dense, atol=1e-12, rtol=1e-12)


@pytest.mark.parametrize("top_k", [1, 2, 4])
def test_aux_is_hf_mixtral_loss_over_top_k(top_k: int) -> None:
    x, router, w1, w2, w3 = _layer(seed=1)
    _, aux = ref.moe_forward(x, router, w1, w2, w3, top_k)
    # Hugging Face's load_balancing_loss_func (no attention mask), written out.
    probs = torch.softmax(x @ router.T, dim=-1)
    selected = torch.topk(probs, top_k, dim=-1).indices
    tokens_per_expert = F.one_hot(selected, router.shape[0]).to(F64).mean(dim=0)   # (k, E)
    hf = (tokens_per_expert * probs.mean(dim=0).unsqueeze(0)).sum() * router.shape[0]
    assert aux.item() == pytest.approx(hf.item() / top_k, rel=1e-6)


def test_ties_go_to_the_lower_expert_ids() -> None:
    probs = torch.full((3, 6), 1.0 / 6, dtype=F64)
    assert ref.route(probs, 2).tolist() == [[0, 1]] * 3
    x, _, w1, w2, w3 = _layer(seed=2, e=6)
    zero_router = torch.zeros(6, x.shape[1], dtype=F64)
    y, aux = ref.moe_forward(x, zero_router, w1, w2, w3, 2)
    h = [(F.silu(x @ w1[e].T) * (x @ w3[e].T)) @ w2[e].T for e in (0, 1)]
    torch.testing.assert_close(y, (h[0] + h[1]) / 2, atol=1e-12, rtol=1e-12)
    assert aux.item() == pytest.approx(1.0, rel=1e-6)


def test_top1_gates_are_one_so_only_aux_trains_the_router() -> None:
    x, router, w1, w2, w3 = _layer(seed=3)
    router.requires_grad_(True)
    y, aux = ref.moe_forward(x, router, w1, w2, w3, 1)
    (g_y,) = torch.autograd.grad(y.sum(), router, allow_unused=True, retain_graph=True)
    # p/p = 1: its derivative is 0 up to rounding.
    assert g_y is None or g_y.abs().max().item() < 1e-12
    (g_aux,) = torch.autograd.grad(aux, router)
    assert g_aux.abs().max().item() > 1e-3
