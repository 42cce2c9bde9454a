"""Inputs of the lora drill's cases.

`lora_linear`: x of `shape` + (d_in,) (mean 0.3), a base weight (d_out, d_in) and bias
(`bias`: random or none), an adapter of rank `rank` with `alpha`; `b_zero` gives B = 0
(PEFT's initialisation: the adapter adds nothing yet). The adapter's contribution is about
as large as the base layer's, so a wrong scale is visible.

`merge_lora`: a base weight and an adapter as above; `delta_scale` ≠ 0 rescales B so that
s·B·A has that standard deviation; `unmerge` passes weight = W₀ + s·B·A (rounded to the
case's dtype) with alpha negated, so the exact answer is W₀ again (small values, the large
update cancelled — the case where merging in half precision loses the answer).
"""

from __future__ import annotations

from typing import Any

from quizapp.core.drills.builders import CaseInputs, dtype, generator, randn


def _adapter(p: dict[str, Any], g: Any) -> tuple[Any, Any, Any]:
    d_in, d_out, rank = p["d_in"], p["d_out"], p["rank"]
    weight = randn((d_out, d_in), g) / d_in ** 0.5
    lora_a = randn((rank, d_in), g) / d_in ** 0.5
    lora_b = randn((d_out, rank), g) * (0.6 / rank ** 0.5)
    return weight, lora_a, lora_b


def lora_linear(p: dict[str, Any], seed: int) -> CaseInputs:
    """x, weight, bias (or None), lora_a, lora_b, alpha — all positional."""
    g = generator(seed)
    dt = dtype(p["dtype"])
    weight, lora_a, lora_b = _adapter(p, g)
    x = randn(tuple(p["shape"]) + (p["d_in"],), g) + 0.3
    bias = 0.2 + 0.5 * randn((p["d_out"],), g) if p["bias"] == "random" else None
    if p["b_zero"]:
        lora_b = lora_b * 0
    return CaseInputs({"x": x.to(dt), "weight": weight.to(dt),
                       "bias": None if bias is None else bias.to(dt),
                       "lora_a": lora_a.to(dt), "lora_b": lora_b.to(dt),
                       "alpha": float(p["alpha"])},
                      grad=("x", "lora_a", "lora_b"))


def merge_lora(p: dict[str, Any], seed: int) -> CaseInputs:
    """weight, lora_a, lora_b, alpha — all positional."""
    g = generator(seed)
    dt = dtype(p["dtype"])
    weight, lora_a, lora_b = _adapter(p, g)
    alpha = float(p["alpha"])
    scale = alpha / p["rank"]
    if p["delta_scale"]:
        delta = scale * lora_b @ lora_a
        lora_b = lora_b * (p["delta_scale"] / float(delta.std()))
    lora_a, lora_b = lora_a.to(dt), lora_b.to(dt)
    if p["unmerge"]:
        weight = 0.02 * randn(tuple(weight.shape), g)
        weight = weight + scale * lora_b.double() @ lora_a.double()
        alpha = -alpha
    return CaseInputs({"weight": weight.to(dt), "lora_a": lora_a, "lora_b": lora_b,
                       "alpha": alpha})
