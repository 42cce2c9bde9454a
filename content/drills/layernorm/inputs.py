"""Inputs of the layernorm drill's cases.

Both entry points share the parameters: x of `shape` (normalised over the last dim) in
`dtype`, with per-row means of spread `offset` plus `mean` and per-row scales around `scale`
(so centring and per-row statistics matter), weight ≈ 1 + N(0, 0.5²) and bias ≈ 0.5 + N(0, 1)
(an identity affine fails); `eps` "default" leaves the argument out; `layout: transposed`
makes x (and grad_out) non-contiguous with the same values. The backward adds grad_out, a
seeded N(0, 1) tensor shifted by 0.3 so that Σ grad_out is far from 0.
"""

from __future__ import annotations

from typing import Any

from quizapp.core.drills.builders import CaseInputs, dtype, generator, randn


def _x(p: dict[str, Any], g: Any) -> Any:
    import torch

    shape = tuple(p["shape"])
    row_scale = p["scale"] * torch.exp(0.5 * randn(shape[:-1] + (1,), g))
    row_mean = p["mean"] + p["offset"] * randn(shape[:-1] + (1,), g)
    return randn(shape, g) * row_scale + row_mean


def _affine(n: int, g: Any) -> tuple[Any, Any]:
    return 1.0 + 0.5 * randn((n,), g), 0.5 + randn((n,), g)


def _transposed(t: Any) -> Any:
    """A non-contiguous copy whose last dim is still the normalised one."""
    if t.dim() < 2:
        return t
    return t.transpose(0, -2).contiguous().transpose(0, -2)


def layer_norm(p: dict[str, Any], seed: int) -> CaseInputs:
    """x, weight, bias (and eps by keyword)."""
    g = generator(seed)
    dt = dtype(p["dtype"])
    x = _x(p, g)
    weight, bias = _affine(x.shape[-1], g)
    if p["layout"] == "transposed":
        x = _transposed(x)
    values: dict[str, Any] = {"x": x.to(dt), "weight": weight.to(dt), "bias": bias.to(dt)}
    keywords: tuple[str, ...] = ()
    if p["eps"] != "default":
        values["eps"] = float(p["eps"])
        keywords = ("eps",)
    return CaseInputs(values, keywords, grad=("x", "weight", "bias"))


def layer_norm_backward(p: dict[str, Any], seed: int) -> CaseInputs:
    """grad_out, x, weight (and eps by keyword)."""
    g = generator(seed)
    dt = dtype(p["dtype"])
    x = _x(p, g)
    weight, _ = _affine(x.shape[-1], g)
    grad_out = randn(tuple(x.shape), g) + 0.3
    if p["layout"] == "transposed":
        x, grad_out = _transposed(x), _transposed(grad_out)
    values: dict[str, Any] = {"grad_out": grad_out.to(dt), "x": x.to(dt),
                              "weight": weight.to(dt)}
    keywords: tuple[str, ...] = ()
    if p["eps"] != "default":
        values["eps"] = float(p["eps"])
        keywords = ("eps",)
    return CaseInputs(values, keywords)
