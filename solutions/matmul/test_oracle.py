"""The matmul oracle (reference.py), the case inputs (inputs.py) and the mistakes' models
(mistakes.py) against independent computations: numpy's matmul in float64, hand-worked
products, the float16 limits the cases are built around. Collected by pytest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from quizapp.core.drills import build_inputs, get_drill, load_module

HERE = Path(__file__).parent
ref = load_module(HERE / "reference.py")
mistakes = load_module(HERE / "mistakes.py")
DRILL = get_drill("matmul")


def case_inputs(name: str) -> tuple[torch.Tensor, torch.Tensor]:
    case = DRILL.first_case(name)
    values = build_inputs(DRILL, case.entry, case.params, case.seed).values
    return values["a"], values["b"]


def test_hand_worked_product() -> None:
    a = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b = torch.tensor([[7.0, 8.0], [9.0, 10.0], [11.0, 12.0]])
    # [1·7 + 2·9 + 3·11, 1·8 + 2·10 + 3·12] = [58, 64]; [4·7 + 5·9 + 6·11, …] = [139, 154]
    assert ref.matmul(a, b).tolist() == [[58.0, 64.0], [139.0, 154.0]]


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32])
@pytest.mark.parametrize("shape", [(1, 1, 1), (37, 1, 23), (67, 71, 53), (3, 4096, 5)])
def test_oracle_is_numpy_float64_rounded_once(dtype: torch.dtype, shape: tuple[int, ...]
                                              ) -> None:
    m, k, n = shape
    g = torch.Generator().manual_seed(m * 1000 + k + n)
    a = torch.randn(m, k, generator=g).to(dtype)
    b = torch.randn(k, n, generator=g).to(dtype)
    want = np.matmul(a.double().numpy(), b.double().numpy())
    got = ref.matmul(a, b)
    assert got.dtype == dtype and got.shape == (m, n)
    assert torch.equal(got, torch.from_numpy(want).to(dtype))


def test_oracle_leaves_inputs_alone_and_reads_strides() -> None:
    a, b = case_inputs("both transposed, non-square")
    assert not a.is_contiguous() and not b.is_contiguous()
    before = a.clone(), b.clone()
    got = ref.matmul(a, b)
    assert torch.equal(a, before[0]) and torch.equal(b, before[1])
    want = np.matmul(a.contiguous().double().numpy(), b.contiguous().double().numpy())
    assert torch.equal(got, torch.from_numpy(want).float())


def test_every_interpreted_dtype_and_shape_edge_is_a_case() -> None:
    cases = DRILL.cases_for("triton", interpreted=True)
    shapes = [tuple(c.params["shape"]) for c in cases]
    assert (1, 1, 1) in shapes
    for dim in range(3):
        assert any(s[dim] == 1 for s in shapes), f"no case with dimension {dim} = 1"
        assert any(s[dim] % 16 and s[dim] > 32 for s in shapes), "no non-multiple > 32"
    assert {c.params.get("dtype", "float32") for c in cases} == {"float16", "float32"}
    assert {c.params.get("layout") for c in cases} >= {"a_transposed", "b_transposed",
                                                        "both_transposed"}
    gpu_only = [c for c in DRILL.cases_for("triton") if c not in cases]
    assert gpu_only and all(c.params["dtype"] == "bfloat16" for c in gpu_only)


def test_the_overflow_case_needs_float32_accumulation() -> None:
    """Every output's running sum over K passes float16's largest value (65504) and the
    result comes back into range: float32 partial sums are exact enough, float16 ones are
    inf."""
    a, b = case_inputs("float16, K = 4096, partial sums past 65504")
    assert a.dtype == torch.float16 and a.shape[1] == 4096
    products = a.double()[:, :, None] * b.double()[None, :, :]
    running = products.cumsum(dim=1)
    assert (running.amax(dim=1) > 65504 * 1.3).all()
    final = running[:, -1, :]
    assert (final.abs() < 5000).all() and (final.abs() > 1).any()
    # float32 partial sums, 32 products at a time, as a kernel with a float32 accumulator:
    acc = torch.zeros(final.shape, dtype=torch.float32)
    for start in range(0, 4096, 32):
        acc += (products[:, start:start + 32, :].sum(1)).float()
    tol = DRILL.tolerances["float16"]
    want = ref.matmul(a, b).double()
    assert ((acc.half().double() - want).abs() <= tol.atol + tol.rtol * want.abs()).all()
    assert torch.isinf(mistakes.fp16_accumulator(a, b)).all()


def test_random_inputs_are_not_trivial() -> None:
    a, b = case_inputs("float32 basic")
    out = ref.matmul(a, b)
    assert out.abs().min() > 0 and out.std() > 1
    row_norms = a.double().norm(dim=1)
    assert row_norms.max() / row_norms.min() > 1.5  # rows have different scales


def test_transposed_layouts_keep_values_and_shape() -> None:
    case = DRILL.first_case("b transposed (x · Wᵀ)")
    values = build_inputs(DRILL, case.entry, case.params, case.seed).values
    plain = build_inputs(DRILL, case.entry, {**case.params, "layout": "contiguous"},
                         case.seed).values
    assert values["a"].is_contiguous() and not values["b"].is_contiguous()
    assert values["b"].stride() == (1, values["b"].shape[0])
    assert torch.equal(values["b"], plain["b"]) and torch.equal(values["a"], plain["a"])


def test_mistake_models_by_hand() -> None:
    """Each model's signature on a small example worked out independently."""
    k = 40  # one full 32-block and a tail of 8
    a = torch.arange(1.0, 2 * k + 1).reshape(2, k)
    b = torch.ones(k, 3)
    row_sums = a.sum(1)
    # wraparound: indices 40..63 wrap to 0..23, which count twice
    wrapped = row_sums + a[:, :24].sum(1)
    assert torch.equal(mistakes.no_k_mask(a, b)[:, 0], wrapped)
    # only the last block (indices 32..39) survives
    assert torch.equal(mistakes.acc_overwritten(a, b)[:, 0], a[:, 32:].sum(1))
    # the first block is used again, under the tail's mask of 8
    assert torch.equal(mistakes.pointers_not_advanced(a, b)[:, 0],
                       a[:, :32].sum(1) + a[:, :8].sum(1))
    # a 40 × 3 output with 32-tiles keeps its first 32 rows... of 2: nothing survives
    assert torch.equal(mistakes.grid_drops_last_tile(a, b), torch.zeros(2, 3))
    wide = torch.ones(33, 2)
    kept = mistakes.grid_drops_last_tile(wide, torch.ones(2, 40))
    assert kept[:32, :32].eq(2).all() and kept[32:].eq(0).all() and kept[:, 32:].eq(0).all()
    # strides: b = Wᵀ read row-major is W's memory reshaped, not W transposed
    w = torch.arange(6.0).reshape(2, 3)           # b = w.T is (3, 2), strides (1, 3)
    x = torch.eye(3)
    got = mistakes.strides_assumed_contiguous(x, w.T)
    assert torch.equal(got, w.reshape(3, 2))
