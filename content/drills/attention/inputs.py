"""Inputs of the attention drill's cases.

q and k have std `scale`; v has a per-feature offset (`v_offset`), so the output — a convex
combination of v rows — shows any wrong weighting, and an all-zero output cannot pass.
`mask` picks a boolean mask (True = attend): random (B, 1, Sq, Sk) with every row keeping a
key, key padding per batch (B, 1, 1, Sk), rows with no key at all, one 2-D (Sq, Sk) mask, or a
random mask of an explicit broadcastable shape written as its dims, e.g. "(H, Sq, Sk)" — every
row keeps a key unless the shape has no key axis ("(B, H, Sq, 1)": whole rows on or off, so
some rows are fully masked). A 3-D mask broadcasts against the last three dims (H, Sq, Sk),
as torch broadcasting does; cases use B ≠ H so that reading it as (B, Sq, Sk), or indexing
`mask[b]`, gives a wrong answer. `is_causal` passes the flag (omit: left out);
`layout: transposed` makes q, k, v non-contiguous, as a model's (B, S, H, D) → (B, H, S, D)
transpose does.
"""

from __future__ import annotations

from typing import Any

from quizapp.core.drills.builders import CaseInputs, dtype, feature_offset, generator, randn
from quizapp.core.drills.builders import transposed as non_contiguous

_DIMS = {"B": "batch", "H": "heads", "Sq": "sq", "Sk": "sk"}


def _shaped_mask(p: dict[str, Any], dims: str, g: Any) -> Any:
    """A random bool mask of the shape "(d0, d1, ...)" (names from _DIMS, or 1)."""
    import torch

    names = [n.strip() for n in dims.strip("()").split(",")]
    shape = tuple(1 if n == "1" else p[_DIMS[n]] for n in names)
    mask = torch.rand(shape, generator=g) < 0.6
    if names[-1] == "Sk":
        # One extra random key per row: no row is empty (empty rows have their own cases).
        noise = torch.rand(shape, generator=g)
        mask |= noise == noise.amax(-1, keepdim=True)
    else:  # whole rows on or off: make sure there is one of each
        flat = mask.view(-1)
        flat[0], flat[-1] = False, True
    return mask


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
    elif kind.startswith("("):
        mask = _shaped_mask(p, kind, g)
    if mask is not None or p["pass_mask_none"]:
        values["mask"] = mask
        keywords.append("mask")
    if p["is_causal"] != "omit":
        values["is_causal"] = p["is_causal"] == "true"
        keywords.append("is_causal")
    return CaseInputs(values, tuple(keywords))
