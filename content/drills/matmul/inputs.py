"""Inputs of the matmul drill's cases.

`shape` is [M, K, N]: a is (M, K), b is (K, N). `values: random` draws N(0, 1) entries with a
per-row scale for a (e^{0.5·N(0,1)}), a per-column scale for b and a positive offset on both
(`offset`), so zeros, a transposed result or a dropped K block are visibly wrong.
`values: overflow16` builds the case that needs float32 accumulation: entries ≈ ±7 (±10 %),
every product of the first half of K positive and of the second half negative, so the
running sum of every output passes 2048 · 49 ≈ 1e5 > 65504 (float16's largest value) and
comes back to a few hundred — finite in float16, unless the partial sums were float16.
`layout` makes a, b or both non-contiguous: the operand is built as the transpose of a
contiguous tensor (a = aᵀᵀ, as `x @ W.T` passes a Linear weight), same values and shape.
"""

from __future__ import annotations

from typing import Any

from quizapp.core.drills.builders import CaseInputs, dtype, generator, randn


def matmul(p: dict[str, Any], seed: int) -> CaseInputs:
    import torch

    g = generator(seed)
    m, k, n = (int(v) for v in p["shape"])
    if p["values"] == "overflow16":
        half = k // 2
        a = 7.0 * (1 + 0.1 * randn((m, k), g).clamp(-2, 2))
        b = 7.0 * (1 + 0.1 * randn((k, n), g).clamp(-2, 2))
        b[half:] = -b[half:]
    else:
        a = (randn((m, k), g) + p["offset"]) * torch.exp(0.5 * randn((m, 1), g))
        b = (randn((k, n), g) + p["offset"]) * torch.exp(0.5 * randn((1, n), g))
    cast = dtype(p["dtype"])
    a, b = a.to(cast), b.to(cast)
    if p["layout"] in ("a_transposed", "both_transposed"):
        a = a.T.contiguous().T
    if p["layout"] in ("b_transposed", "both_transposed"):
        b = b.T.contiguous().T
    return CaseInputs({"a": a, "b": b})
