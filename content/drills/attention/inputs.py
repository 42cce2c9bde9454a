"""Inputs of the attention drill's cases.

q and k have std `scale`; v has a per-feature offset (`v_offset`), so the output — a convex
combination of v rows — shows any wrong weighting, and an all-zero output cannot pass.
`mask` picks a boolean mask (True = attend): random with every row keeping a key, key
padding per batch, rows with no key at all, or one 2-D (Sq, Sk) mask; `is_causal` passes
the flag (omit: left out); `layout: transposed` makes q, k, v non-contiguous, as a model's
(B, S, H, D) → (B, H, S, D) transpose does.
"""

from __future__ import annotations

from typing import Any

from quizapp.core.drills.builders import CaseInputs, dtype, feature_offset, generator, randn
from quizapp.core.drills.builders import transposed as non_contiguous


def attention(p: dict[str, Any], seed: int) -> CaseInputs:
    import torch

    g = generator(seed)
    b, h, sq, sk, d = p["batch"], p["heads"], p["sq"], p["sk"], p["d"]
    scale = p["scale"]
    q = randn((b, h, sq, d), g) * scale
    k = randn((b, h, sk, d), g) * scale
    v = randn((b, h, sk, d), g) + feature_offset(d, p["v_offset"])
    if p["layout"] == "transposed":
        q, k, v = (non_contiguous(t, 1, 2) for t in (q, k, v))
    cast = dtype(p["dtype"])
    values: dict[str, Any] = {"q": q.to(cast), "k": k.to(cast), "v": v.to(cast)}
    keywords: list[str] = []
    mask = None
    kind = p["mask"]
    if kind == "random":
        mask = torch.rand((b, 1, sq, sk), generator=g) < 0.7
        mask[..., 0] = True  # every row keeps a key; empty rows have their own case
    elif kind == "padding":
        lengths = torch.randint(1, sk + 1, (b,), generator=g)
        lengths[0] = sk
        mask = (torch.arange(sk)[None, :] < lengths[:, None])[:, None, None, :]
    elif kind == "some_rows_empty":
        mask = torch.rand((b, h, sq, sk), generator=g) < 0.6
        mask[..., 0] = True
        mask[:, :, 0, :] = False  # the first query of every head may attend to nothing
        if sq > 2:
            mask[0, 0, sq - 1, :] = False
    elif kind == "square_2d":
        mask = torch.rand((sq, sk), generator=g) < 0.6
        mask[:, -1] = True
    if mask is not None or p["pass_mask_none"]:
        values["mask"] = mask
        keywords.append("mask")
    if p["is_causal"] != "omit":
        values["is_causal"] = p["is_causal"] == "true"
        keywords.append("is_causal")
    return CaseInputs(values, tuple(keywords))
