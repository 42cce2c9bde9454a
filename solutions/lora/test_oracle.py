"""The LoRA oracle against a hand-computed layer and independent torch formulas.

- a 2 × 2 layer with a rank-1 adapter, worked by hand (forward and merge);
- lora_linear = F.linear with the merged weight; merging with −alpha undoes a merge;
- the gradients in A and B against their closed forms s·Bᵀ·Gᵀ·x and s·Gᵀ·(x·Aᵀ).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import torch
import torch.nn.functional as F

_spec = importlib.util.spec_from_file_location("lora_reference",
                                               Path(__file__).with_name("reference.py"))
assert _spec and _spec.loader
ref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref)

F64 = torch.float64


def _t(rows: list) -> torch.Tensor:
    return torch.tensor(rows, dtype=F64)


def test_hand_computed_layer_and_merge() -> None:
    # s = alpha / r = 2 / 1; x·Aᵀ = 3; s·3·B = [12, 18]; x·Wᵀ + b = [1.5, 1.5].
    x, w, b = _t([1.0, 2.0]), _t([[1.0, 0.0], [0.0, 1.0]]), _t([0.5, -0.5])
    a, bb = _t([[1.0, 1.0]]), _t([[2.0], [3.0]])
    assert ref.lora_linear(x, w, b, a, bb, 2.0).tolist() == [13.5, 19.5]
    assert ref.merge_lora(w, a, bb, 2.0).tolist() == [[5.0, 4.0], [6.0, 7.0]]


def _layer(seed: int = 0, rank: int = 4) -> tuple[torch.Tensor, ...]:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(3, 5, 24, generator=g, dtype=F64)
    w = torch.randn(200, 24, generator=g, dtype=F64)   # > one block of the oracle's rows
    b = torch.randn(200, generator=g, dtype=F64)
    a = torch.randn(rank, 24, generator=g, dtype=F64)
    bb = torch.randn(200, rank, generator=g, dtype=F64)
    return x, w, b, a, bb


def test_forward_equals_linear_with_the_merged_weight() -> None:
    x, w, b, a, bb = _layer()
    merged = ref.merge_lora(w, a, bb, 12.0)
    torch.testing.assert_close(ref.lora_linear(x, w, b, a, bb, 12.0), F.linear(x, merged, b),
                               atol=1e-11, rtol=1e-11)
    torch.testing.assert_close(ref.lora_linear(x, w, None, a, bb, 12.0),
                               F.linear(x, merged), atol=1e-11, rtol=1e-11)


def test_unmerge_undoes_merge() -> None:
    _, w, _, a, bb = _layer(seed=1)
    back = ref.merge_lora(ref.merge_lora(w, a, bb, 8.0), a, bb, -8.0)
    torch.testing.assert_close(back, w, atol=1e-12, rtol=1e-12)


def test_gradients_match_the_closed_form() -> None:
    x, w, b, a, bb = _layer(seed=2)
    alpha, rank = 6.0, a.shape[0]
    s = alpha / rank
    x, a, bb = (t.clone().requires_grad_(True) for t in (x, a, bb))
    y = ref.lora_linear(x, w, b, a, bb, alpha)
    g = torch.randn(y.shape, generator=torch.Generator().manual_seed(3), dtype=F64)
    gx, ga, gb = torch.autograd.grad(y, (x, a, bb), grad_outputs=g)
    xs, gs = x.detach().reshape(-1, 24), g.reshape(-1, 200)
    torch.testing.assert_close(gb, s * gs.T @ (xs @ a.detach().T), atol=1e-10, rtol=1e-10)
    torch.testing.assert_close(ga, s * (gs @ bb.detach()).T @ xs, atol=1e-10, rtol=1e-10)
    want_gx = g @ (w + s * bb.detach() @ a.detach())
    torch.testing.assert_close(gx, want_gx, atol=1e-10, rtol=1e-10)


def test_dtypes_follow_the_inputs() -> None:
    x, w, b, a, bb = (t.half() for t in _layer(seed=4))
    assert ref.lora_linear(x, w, b, a, bb, 8.0).dtype == torch.float16
    assert ref.merge_lora(w, a, bb, 8.0).dtype == torch.float16
