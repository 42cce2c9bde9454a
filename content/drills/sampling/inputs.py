"""Inputs of the ``sampling`` drill's cases: logits (B, V), uniforms u (B,) and the filters.

Parameters (drill.yaml declares them):

- ``batch``, ``vocab``, ``dtype``: the logits' shape and dtype (built in float64, then cast).
- ``scale``, ``offset``: logits are ``offset + scale · N(0, 1)`` per entry, plus a per-row
  shift, so a bug that compares raw logits with probabilities (min-p on logits) shows.
- ``logits``: the distribution's shape —
  ``random``; ``ties`` (values on a coarse grid, and the k-th largest duplicated when top-k is
  on); ``max_ties`` (the row maximum repeated at later indices); ``one_hot`` (one finite
  logit, the rest −inf); ``uniform`` (all equal); ``neg_inf`` (about a third −inf);
  ``peaked`` (one logit far above the rest, and a long tail).
- ``temperature``, ``top_k``, ``top_p``, ``min_p``: ``default`` leaves the argument out
  (the contract's default applies); a number is passed by keyword.

Cases never put a decision within rounding of its threshold: the builder redraws the logits
(and u) with the case's generator until every top-p cumulative mass is ≥ 5e-4 from top_p, the
token that crosses top_p is not tied with the next one, every kept probability ratio is
≥ 1e-3 (relative) from min_p, and every u is ≥ 1e-4 from the CDF's steps. These thresholds
are computed in float64 from the logits as cast to the case's dtype. Vocabularies above
``MARGIN_VOCAB`` (the benchmark's) skip these checks: there, timing is all that matters.
"""

from __future__ import annotations

from typing import Any

from quizapp.core.drills.builders import CaseInputs, dtype, generator, randn

FILTERS = ("temperature", "top_k", "top_p", "min_p")
DEFAULTS = {"temperature": 1.0, "top_k": 0, "top_p": 1.0, "min_p": 0.0}
ATTEMPTS = 400
MARGIN_VOCAB = 1024


def _filters(p: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(values passed by keyword, effective values with the defaults filled in)."""
    passed: dict[str, Any] = {}
    for name in FILTERS:
        value = p[name]
        if value == "default":
            continue
        if name == "top_k":
            if float(value) != int(value):
                raise ValueError(f"top_k must be an integer, got {value}")
            value = int(value)
        else:
            value = float(value)
        passed[name] = value
    return passed, {**DEFAULTS, **passed}


def _draw_logits(p: dict[str, Any], eff: dict[str, Any], g: Any) -> Any:
    import torch

    b, v = p["batch"], p["vocab"]
    kind = p["logits"]
    shift = randn((b, 1), g) * 2.0  # rows at different heights
    x = p["offset"] + shift + p["scale"] * randn((b, v), g)
    neg_inf = float("-inf")
    if kind == "ties":
        x = p["offset"] + shift + p["scale"] * torch.round(randn((b, v), g) * 2) / 2
        k = eff["top_k"]
        if 0 < k < v:
            # The (k+1)-th largest equals the k-th: top-k must keep both.
            order = torch.argsort(x, dim=-1, descending=True, stable=True)
            kth = x.gather(-1, order[:, k - 1:k])
            x = x.scatter(-1, order[:, k:k + 1], kth)
    elif kind == "max_ties":
        top = x.amax(-1, keepdim=True)
        for row in range(b):
            cols = torch.randperm(v, generator=g)[:3]
            x[row, cols] = top[row, 0]
    elif kind == "one_hot":
        hot = torch.randint(0, v, (b,), generator=g)
        x = torch.full((b, v), neg_inf, dtype=torch.float64)
        x[torch.arange(b), hot] = p["offset"] + shift[:, 0]
    elif kind == "uniform":
        x = (p["offset"] + shift).expand(b, v).clone()
    elif kind == "neg_inf":
        masked = torch.rand((b, v), generator=g) < 0.35
        masked[:, :2] = False  # at least two finite logits per row
        perm = torch.argsort(torch.rand((b, v), generator=g), dim=-1)
        masked = masked.gather(-1, perm)
        x = x.masked_fill(masked, neg_inf)
    elif kind == "peaked":
        hot = torch.randint(0, v, (b,), generator=g)
        x[torch.arange(b), hot] += 3.0 * p["scale"]
    elif kind != "random":
        raise ValueError(f"unknown logits kind {kind!r}")
    return x.to(dtype(p["dtype"]))


def _warped_probs(logits: Any, eff: dict[str, Any]) -> tuple[Any, str | None]:
    """float64 probabilities after the filters, and why the draw is too close to a
    threshold (None when every decision has a margin)."""
    import torch

    x = logits.to(torch.float64)
    t = eff["temperature"]
    if t > 0:
        x = x / t
    v = x.shape[-1]
    k = eff["top_k"]
    if 0 < k < v:
        kth = torch.topk(x, k, dim=-1).values[..., -1:]
        x = x.masked_fill(x < kth, float("-inf"))
    top_p = eff["top_p"]
    if top_p < 1.0:
        probs = torch.softmax(x, -1)
        sp, order = torch.sort(probs, dim=-1, descending=True, stable=True)
        before = sp.cumsum(-1) - sp
        live = sp > 0
        live[:, 0] = False  # the first token is always kept
        if bool(((before - top_p).abs() < 5e-4)[live].any()):
            return x, "a cumulative mass is within 5e-4 of top_p"
        keep = before < top_p
        keep[:, 0] = True
        n_keep = keep.sum(-1)
        for row in range(x.shape[0]):
            n = int(n_keep[row])
            if n < v and float(sp[row, n]) > 0 and \
                    float(sp[row, n - 1] - sp[row, n]) <= 1e-6 * float(sp[row, n - 1]):
                return x, "the token crossing top_p is tied with the next one"
        x = x.masked_fill(~torch.zeros_like(keep).scatter(-1, order, keep), float("-inf"))
    min_p = eff["min_p"]
    if min_p > 0.0:
        probs = torch.softmax(x, -1)
        ratio = probs / probs.amax(-1, keepdim=True)
        finite = torch.isfinite(x)
        if bool(((ratio - min_p).abs() < 1e-3 * min_p)[finite].any()):
            return x, "a probability ratio is within 1e-3 of min_p"
        x = x.masked_fill(ratio < min_p, float("-inf"))
    return torch.softmax(x, -1), None


def _build(p: dict[str, Any], seed: int, with_u: bool) -> CaseInputs:
    import torch

    g = generator(seed)
    passed, eff = _filters(p)
    checked = p["vocab"] <= MARGIN_VOCAB
    problem = "no draw"
    for _ in range(ATTEMPTS):
        logits = _draw_logits(p, eff, g)
        if not checked:
            break
        probs, problem = _warped_probs(logits, eff)
        if problem is None:
            break
    else:
        raise ValueError(f"sampling inputs: {problem} in every draw; change the case")
    values: dict[str, Any] = {"logits": logits}
    if with_u and not checked:
        values["u"] = torch.rand(p["batch"], generator=g, dtype=torch.float64)
    elif with_u:
        cdf = probs.cumsum(-1)
        u = torch.rand(p["batch"], generator=g, dtype=torch.float64)
        for row in range(p["batch"]):
            for _ in range(ATTEMPTS):
                if float((cdf[row] - u[row]).abs().min()) >= 1e-4:
                    break
                u[row] = torch.rand(1, generator=g, dtype=torch.float64)[0]
            else:
                raise ValueError("sampling inputs: no u away from the CDF's steps")
        values["u"] = u
    values.update(passed)
    return CaseInputs(values=values, keywords=tuple(passed))


def warp(p: dict[str, Any], seed: int) -> CaseInputs:
    """Logits and the filters passed by keyword."""
    if p["temperature"] != "default" and float(p["temperature"]) <= 0:
        raise ValueError("warp cases need temperature > 0 (temperature 0 is sample's greedy)")
    return _build(p, seed, with_u=False)


def sample(p: dict[str, Any], seed: int) -> CaseInputs:
    """Logits, one uniform per row, and the filters passed by keyword."""
    return _build(p, seed, with_u=True)
