"""Inputs of the softmax_merge drill's cases.

merge_states: two exact (m, l, o) softmax states of random scores (std `scale`, the second
block shifted by `gap`) over value vectors with a per-feature offset; `empty` makes the
first, second, both or a pattern of rows empty (m = −inf, l = 0, o = 0).
blockwise_attention: q, k with std `scale`, v offset per feature, and the block size.
"""

from __future__ import annotations

import math
from typing import Any

from quizapp.core.drills.builders import CaseInputs, dtype, feature_offset, generator, randn


def _state(s: Any, v: Any) -> tuple[Any, Any, Any]:
    """The exact (m, l, o) of scores s (..., n) and values v (..., n, D), in float64."""
    m = s.amax(dim=-1)
    e = (s - m.unsqueeze(-1)).exp()
    return m, e.sum(dim=-1), (e.unsqueeze(-1) * v).sum(dim=-2)


def merge_states(p: dict[str, Any], seed: int) -> CaseInputs:
    import torch

    g = generator(seed)
    rows, d, n = tuple(p["rows"]), p["d"], p["block"]
    offset = feature_offset(d, p["v_offset"])
    s1 = randn(rows + (n,), g) * p["scale"] + 1.0
    s2 = randn(rows + (n,), g) * p["scale"] + 1.0 + p["gap"]
    v1 = randn(rows + (n, d), g) + offset
    v2 = randn(rows + (n, d), g) + offset
    states = [list(_state(s1, v1)), list(_state(s2, v2))]
    kind = p["empty"]
    masks: list[Any] = [torch.zeros(rows, dtype=torch.bool), torch.zeros(rows, dtype=torch.bool)]
    if kind in ("first", "both"):
        masks[0][...] = True
    if kind in ("second", "both"):
        masks[1][...] = True
    if kind == "mixed":
        flat0, flat1 = masks[0].view(-1), masks[1].view(-1)
        for i in range(flat0.numel()):
            flat0[i], flat1[i] = (i % 4 == 1 or i % 4 == 3), (i % 4 == 2 or i % 4 == 3)
    for state, empty in zip(states, masks, strict=True):
        state[0] = torch.where(empty, torch.tensor(-math.inf, dtype=torch.float64), state[0])
        state[1] = torch.where(empty, torch.zeros((), dtype=torch.float64), state[1])
        state[2] = torch.where(empty.unsqueeze(-1), torch.zeros((), dtype=torch.float64),
                               state[2])
    (m1, l1, o1), (m2, l2, o2) = states
    cast = dtype(p["dtype"])
    values = {"m1": m1, "l1": l1, "o1": o1, "m2": m2, "l2": l2, "o2": o2}
    return CaseInputs({k: t.to(cast) for k, t in values.items()})


def blockwise_attention(p: dict[str, Any], seed: int) -> CaseInputs:
    g = generator(seed)
    batch, sq, sk, d = tuple(p["batch"]), p["sq"], p["sk"], p["d"]
    cast = dtype(p["dtype"])
    q = randn(batch + (sq, d), g) * p["scale"]
    k = randn(batch + (sk, d), g) * p["scale"]
    v = randn(batch + (sk, d), g) + feature_offset(d, p["v_offset"])
    return CaseInputs({"q": q.to(cast), "k": k.to(cast), "v": v.to(cast),
                       "block_size": p["block_size"]})
