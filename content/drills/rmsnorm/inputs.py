"""Inputs of the rmsnorm drill's cases.

x has rows of different scales and a non-zero mean (`offset`, `scale`), so LayerNorm-style
centring and a whole-tensor RMS both give visibly wrong answers; `magnitude > 0` instead
draws |x| ≈ magnitude with random signs (float16 overflow of x²). `weight: random` is
1 + 0.5·N(0, 1) per feature; `eps: default` leaves the argument out; `layout: transposed`
makes x non-contiguous with the normalised dimension still last.
"""

from __future__ import annotations

from typing import Any

from quizapp.core.drills.builders import CaseInputs, dtype, generator, randn, transposed


def rms_norm(p: dict[str, Any], seed: int) -> CaseInputs:
    import torch

    g = generator(seed)
    shape = tuple(p["shape"])
    if p["magnitude"] > 0:
        signs = torch.where(torch.rand(shape, generator=g) < 0.5, -1.0, 1.0).double()
        x = signs * p["magnitude"] * (1 + 0.15 * randn(shape, g).clamp(-2, 2))
    else:
        row_scale = torch.exp(0.5 * randn(shape[:-1] + (1,), g))
        x = (randn(shape, g) + p["offset"]) * p["scale"] * row_scale
    n = shape[-1]
    if p["weight"] == "random":
        weight = 1.0 + 0.5 * randn((n,), g)
    else:
        weight = torch.ones(n, dtype=torch.float64)
    if p["layout"] == "transposed" and len(shape) >= 2:
        x = transposed(x, 0, -2)
    cast = dtype(p["dtype"])
    values: dict[str, Any] = {"x": x.to(cast), "weight": weight.to(cast)}
    keywords: tuple[str, ...] = ()
    if p["eps"] != "default":
        values["eps"] = float(p["eps"])
        keywords = ("eps",)
    return CaseInputs(values, keywords)
