"""The rope oracle against independent formulas: Meta's complex multiplication, a
hand-computed rotation, and the properties that make RoPE a relative position encoding."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest
import torch

_spec = importlib.util.spec_from_file_location("rope_reference_under_test",
                                               Path(__file__).with_name("reference.py"))
ref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref)


def complex_rope(x: torch.Tensor, positions: torch.Tensor, base: float,
                 interleaved: bool) -> torch.Tensor:
    """Meta LLaMA's form in complex128: pairs as complex numbers times e^{i·p·θ_j}."""
    d = x.shape[-1]
    theta = 1.0 / base ** (torch.arange(0, d, 2, dtype=torch.float64)[: d // 2] / d)
    rot = torch.exp(1j * positions.double()[..., None] * theta)
    assert rot.dtype == torch.complex128
    xd = x.double()
    if interleaved:
        z = torch.complex(xd[..., 0::2], xd[..., 1::2])
    else:
        z = torch.complex(xd[..., : d // 2], xd[..., d // 2:])
    w = z * rot
    if interleaved:
        return torch.stack((w.real, w.imag), dim=-1).flatten(-2)
    return torch.cat((w.real, w.imag), dim=-1)


@pytest.mark.parametrize("interleaved", [False, True])
@pytest.mark.parametrize("base", [10000.0, 500000.0])
def test_matches_complex_multiplication(interleaved: bool, base: float) -> None:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 3, 7, 24, generator=g, dtype=torch.float64)
    positions = torch.randint(0, 100_000, (7,), generator=g)
    got = ref.apply_rope(x, positions, base=base, interleaved=interleaved)
    # Angles near 10⁵ carry float64 rounding of ≈ 10⁵ · 2⁻⁵² rad, formed differently here.
    torch.testing.assert_close(got, complex_rope(x, positions, base, interleaved),
                               rtol=0, atol=1e-10)


def test_broadcast_positions_match_per_row_calls() -> None:
    g = torch.Generator().manual_seed(1)
    x = torch.randn(3, 2, 5, 8, generator=g, dtype=torch.float64)
    positions = torch.randint(0, 5000, (3, 1, 5), generator=g)
    got = ref.apply_rope(x, positions)
    for b in range(3):
        torch.testing.assert_close(got[b], ref.apply_rope(x[b], positions[b, 0]))


def test_hand_computed_rotation() -> None:
    # D = 4, p = 2, base 100: θ_0 = 2 rad, θ_1 = 2·100^(−1/2) = 0.2 rad.
    x = torch.tensor([[1.0, 2.0, 3.0, 4.0]], dtype=torch.float64)
    got = ref.apply_rope(x, torch.tensor([2]), base=100.0)
    c0, s0, c1, s1 = math.cos(2.0), math.sin(2.0), math.cos(0.2), math.sin(0.2)
    # rotate_half pairs: (x0, x2) by 2 rad and (x1, x3) by 0.2 rad.
    want = [1 * c0 - 3 * s0, 2 * c1 - 4 * s1, 1 * s0 + 3 * c0, 2 * s1 + 4 * c1]
    torch.testing.assert_close(got[0], torch.tensor(want, dtype=torch.float64))
    got_i = ref.apply_rope(x, torch.tensor([2]), base=100.0, interleaved=True)
    want_i = [1 * c0 - 2 * s0, 1 * s0 + 2 * c0, 3 * c1 - 4 * s1, 3 * s1 + 4 * c1]
    torch.testing.assert_close(got_i[0], torch.tensor(want_i, dtype=torch.float64))


def test_relative_position_property() -> None:
    # ⟨R(p)q, R(p')k⟩ depends only on p − p', and rotations keep norms.
    g = torch.Generator().manual_seed(2)
    q = torch.randn(16, generator=g, dtype=torch.float64)
    k = torch.randn(16, generator=g, dtype=torch.float64)

    def dot(pq: int, pk: int) -> float:
        rq = ref.apply_rope(q[None], torch.tensor([pq]))
        rk = ref.apply_rope(k[None], torch.tensor([pk]))
        return float((rq * rk).sum())

    assert dot(10, 3) == pytest.approx(dot(10_007, 10_000), abs=1e-9)
    rq = ref.apply_rope(q[None], torch.tensor([12345]), interleaved=True)
    assert float(rq.norm()) == pytest.approx(float(q.norm()), rel=1e-12)


def test_half_precision_result_and_gradient() -> None:
    g = torch.Generator().manual_seed(3)
    x = torch.randn(2, 4, 64, generator=g).half().requires_grad_()
    positions = torch.arange(90_000, 90_004)
    out = ref.apply_rope(x, positions)
    assert out.dtype == torch.float16
    want = complex_rope(x.detach(), positions, 10000.0, False).half()
    torch.testing.assert_close(out.detach(), want, rtol=0, atol=0)
    # The gradient is the rotation by −θ of the output gradient.
    grad_out = torch.randn(2, 4, 64, generator=g, dtype=torch.float64)
    x64 = x.detach().double().requires_grad_()
    (gx,) = torch.autograd.grad(ref.apply_rope(x64, positions), x64, grad_out)
    torch.testing.assert_close(gx, complex_rope(grad_out, -positions, 10000.0, False))


def test_bench_baseline_agrees_in_float32() -> None:
    g = torch.Generator().manual_seed(4)
    x = torch.randn(2, 3, 9, 32, generator=g)
    positions = torch.randint(0, 2000, (9,), generator=g)
    for interleaved in (False, True):
        torch.testing.assert_close(
            ref.BENCH_BASELINES["apply_rope"](x, positions, interleaved=interleaved),
            ref.apply_rope(x, positions, interleaved=interleaved), rtol=1e-3, atol=1e-3)
