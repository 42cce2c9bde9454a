"""What drills' input builders share (`content/drills/<id>/inputs.py` imports from here).

Torch-free at import, so a drill's `inputs.py` can be parsed and loaded without torch; each
helper imports torch when called. Add a helper here only when at least two drills need it.

- `CaseInputs`: what a builder returns (the entry point's arguments, in signature order).
- `generator(seed)`: a seeded `torch.Generator`; `randn(shape, gen)`: float64 normal values.
- `offset_scale(shape, gen, offset, scale)`: values with a non-zero mean and a spread, so
  trivial outputs (zeros, identity, uniform weights) fail.
- `feature_offset(d, offset)`: a per-feature offset `offset · (1 + i/d)` (value vectors).
- `transposed(t, dim0, dim1)`: a non-contiguous tensor with the same values and shape.
- `dtype(name)`: the torch dtype called `name`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class CaseInputs:
    """The arguments of one call: `values` in signature order; names in `keywords` are
    passed by keyword, the rest positionally. `grad` names the tensors to differentiate
    (default: the entry point's `differentiable` list)."""

    values: dict[str, Any]
    keywords: tuple[str, ...] = ()
    grad: tuple[str, ...] = ()
    notes: dict[str, Any] = field(default_factory=dict)


def _torch() -> Any:
    import torch

    return torch


def dtype(name: str) -> Any:
    """The torch dtype called `name` ("float32", …)."""
    return getattr(_torch(), name)


def generator(seed: int) -> Any:
    """A CPU `torch.Generator` seeded with `seed`."""
    return _torch().Generator().manual_seed(seed)


def randn(shape: tuple[int, ...], gen: Any) -> Any:
    """Standard normal float64 values of `shape` from `gen`."""
    return _torch().randn(shape, generator=gen, dtype=_torch().float64)


def offset_scale(shape: tuple[int, ...], gen: Any, offset: float = 0.0,
                 scale: float = 1.0) -> Any:
    """float64 values `(randn + offset) · scale`: a non-zero mean shows centring bugs."""
    return (randn(shape, gen) + offset) * scale


def feature_offset(d: int, offset: float) -> Any:
    """A float64 vector `offset · (1 + i/d)`, i < d: shifts value vectors per feature, so an
    all-zero output or uniform weights cannot pass."""
    torch = _torch()
    return offset * (1 + torch.arange(d, dtype=torch.float64) / d)


def transposed(t: Any, dim0: int = 1, dim1: int = 2) -> Any:
    """`t` with the same shape and values but non-contiguous memory (stored with `dim0` and
    `dim1` swapped), as real models produce after a transpose."""
    return t.transpose(dim0, dim1).contiguous().transpose(dim0, dim1)
