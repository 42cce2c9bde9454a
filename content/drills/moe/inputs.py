"""Inputs of the moe drill's cases.

`tokens` T tokens of width `d` (mean 0.5 per feature), `experts` E SwiGLU experts of hidden
width `hidden` f, `top_k`, `dtype`. `router` picks the router weights: `random` (logits of
std `router_scale`), `unused` (the last expert's logit is far below the others for every
token: nobody picks it), `tied` (four experts have exactly equal logits above all the others,
so top-k must break the tie by expert id), `uniform` (an all-zero router: every logit ties),
`skewed` (two experts are favoured: unbalanced load, a large aux loss). Except where ties are
the point, tokens whose k-th and (k+1)-th logits are closer than `min_gap` are redrawn, so
that rounding in half precision cannot change which experts are chosen (and tokens that would
break the unused or tied pattern are redrawn too).
"""

from __future__ import annotations

from typing import Any

from quizapp.core.drills.builders import CaseInputs, dtype, generator, randn

TIED = (1, 2, 4, 6)  # the experts whose logits tie in the "tied" router


def _router(kind: str, experts: int, d: int, scale: float, g: Any) -> Any:
    import torch

    u = torch.ones(d, dtype=torch.float64) / d ** 0.5      # the direction of x's offset
    if kind == "uniform":
        return torch.zeros((experts, d), dtype=torch.float64)
    w = randn((experts, d), g) * (scale / d ** 0.5)
    if kind == "unused":
        w[experts - 1] = -4.0 * u
    elif kind == "tied":
        w[:] = -3.0 * u + 0.3 * w                          # everyone else: logits < −1
        for e in TIED:
            w[e] = 0.0                                      # logit exactly 0, in any dtype
    elif kind == "skewed":
        w[0] = w[0] + 1.5 * u
        w[1] = w[1] + 1.0 * u
    return w


def _redraw(kind: str, logits: Any, top_k: int, min_gap: float) -> Any:
    """The tokens (a bool (T,)) whose logits do not have the property the case is about."""
    import torch

    experts = logits.shape[1]
    if kind == "uniform":
        return torch.zeros(logits.shape[0], dtype=torch.bool)
    if kind == "tied":
        others = [e for e in range(experts) if e not in TIED]
        return (logits[:, others] > -1.0).any(dim=1)
    top = logits.sort(dim=-1, descending=True).values
    bad = torch.zeros(logits.shape[0], dtype=torch.bool)
    if top_k < experts:
        # k-th and (k+1)-th logits too close: half-precision rounding could swap them.
        bad |= top[:, top_k - 1] - top[:, top_k] < min_gap
    if kind == "unused":
        bad |= logits[:, experts - 1] > top[:, top_k - 1] - 1.0
    return bad


def moe_forward(p: dict[str, Any], seed: int) -> CaseInputs:
    """x, router_weight, w1, w2, w3 (in the case's dtype) and top_k, all positional."""
    g = generator(seed)
    t, d, f, experts, top_k = p["tokens"], p["d"], p["hidden"], p["experts"], p["top_k"]
    dt = dtype(p["dtype"])
    kind = p["router"]
    router = _router(kind, experts, d, p["router_scale"], g).to(dt)
    x = (randn((t, d), g) + 0.5).to(dt)
    for _ in range(100):
        bad = _redraw(kind, x.double() @ router.double().T, top_k, p["min_gap"])
        if not bool(bad.any()):
            break
        x[bad] = (randn((int(bad.sum()), d), g) + 0.5).to(dt)
    else:
        raise ValueError(f"could not draw tokens for the {kind!r} router")
    w1 = randn((experts, f, d), g) / d ** 0.5
    w3 = randn((experts, f, d), g) / d ** 0.5
    w2 = randn((experts, d, f), g) / f ** 0.5
    return CaseInputs({"x": x, "router_weight": router, "w1": w1.to(dt), "w2": w2.to(dt),
                       "w3": w3.to(dt), "top_k": top_k},
                      grad=("x", "router_weight", "w1", "w2", "w3"))
