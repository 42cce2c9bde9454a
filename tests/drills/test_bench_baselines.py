"""The timing baselines (`BENCH_BASELINES` in reference.py) compute what the oracle computes."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
import torch

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"


def _reference(drill: str) -> ModuleType:
    path = SOLUTIONS / drill / "reference.py"
    spec = importlib.util.spec_from_file_location(f"ref_{drill}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _inputs(drill: str, dtype: torch.dtype) -> tuple[list, dict]:
    g = torch.Generator().manual_seed(3)

    def rand(*shape: int, scale: float = 1.0) -> torch.Tensor:
        return (torch.randn(*shape, generator=g) * scale).to(dtype)

    if drill == "attention":
        mask = torch.rand(2, 1, 13, 21, generator=g) > 0.4
        mask[..., 3, :] = False  # a fully masked row
        return [rand(2, 3, 13, 16), rand(2, 3, 21, 16), rand(2, 3, 21, 16)], {"mask": mask}
    if drill == "rmsnorm":
        return [rand(5, 96, scale=300.0), rand(96)], {"eps": 1e-5}
    if drill == "clip_loss":
        img = rand(9, 12)
        return [img, img + rand(9, 12, scale=0.5), torch.tensor(30.0, dtype=dtype)], {}
    return [rand(2, 11, 8), rand(2, 37, 8), rand(2, 37, 8), 5], {}


CASES = [("attention", "attention"), ("rmsnorm", "rms_norm"), ("clip_loss", "clip_loss"),
         ("softmax_merge", "blockwise_attention")]


@pytest.mark.parametrize("drill,entry", CASES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_baseline_matches_the_oracle(drill: str, entry: str, dtype: torch.dtype) -> None:
    reference = _reference(drill)
    baseline = reference.BENCH_BASELINES[entry]
    args, kwargs = _inputs(drill, dtype)
    expected = getattr(reference, entry)(*args, **kwargs)
    got = baseline(*args, **kwargs)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    tol = 1e-5 if dtype == torch.float32 else 4e-3
    torch.testing.assert_close(got.float(), expected.float(), atol=tol, rtol=tol)
