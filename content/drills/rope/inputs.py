"""Inputs of the rope drill's cases.

Parameters (declared in drill.yaml): `shape` is x's shape (..., S, D); `scale` and `offset`
shape x's values (x = (randn + offset) · scale, so an identity or a zero output fails);
`positions` says how the absolute positions are drawn: `arange` (start, start + 1, …),
`random` (S independent draws from [start, start + span), unsorted, repeats allowed);
`pos_shape` says how they are laid out: `s` (S,), `batched` (B, 1, …, 1, S) with a different
start per sequence (left-padded batches), `full` (x.shape[:-1]); `base` and `interleaved`
are passed by keyword unless left at `default` / `omit`; `layout: transposed` gives a
non-contiguous x, stored as (B, S, H, D) and viewed as (B, H, S, D).
"""

from __future__ import annotations

from typing import Any

from quizapp.core.drills.builders import CaseInputs, dtype, generator, offset_scale, transposed


def apply_rope(p: dict[str, Any], seed: int) -> CaseInputs:
    """x and positions for one rope case."""
    import torch

    g = generator(seed)
    shape = tuple(p["shape"])
    s = shape[-2]
    x = offset_scale(shape, g, p["offset"], p["scale"])
    if p["layout"] == "transposed":
        x = transposed(x, 1, 2)
    start, span = p["start"], max(p["span"], 1)

    def draw(first: int, size: tuple[int, ...]) -> Any:
        if p["positions"] == "arange":
            return (first + torch.arange(s, dtype=torch.int64)).expand(*size, s).clone()
        return torch.randint(first, first + span, (*size, s), generator=g, dtype=torch.int64)

    if p["pos_shape"] == "s":
        positions = draw(start, ())
    elif p["pos_shape"] == "batched":
        # One row per sequence, each at its own offset (a left-padded batch after a prefill).
        rows = [draw(start + 37 * b, ()) for b in range(shape[0])]
        positions = torch.stack(rows).reshape(shape[0], *([1] * (len(shape) - 3)), s)
    else:
        positions = draw(start, shape[:-2])
    values: dict[str, Any] = {"x": x.to(dtype(p["dtype"])), "positions": positions}
    keywords: list[str] = []
    if p["base"] != "default":
        values["base"] = float(p["base"])
        keywords.append("base")
    if p["interleaved"] != "omit":
        values["interleaved"] = p["interleaved"] == "true"
        keywords.append("interleaved")
    return CaseInputs(values, tuple(keywords), grad=("x",))
