"""Inputs of the ``beam_search`` drill's cases: a deterministic toy language model and the
search's settings.

The toy model (``make_toy_lm``) crosses the process boundary as plain data and is rebuilt on
both sides from it. Its next-token scores for a prefix ending in tokens (prev, last) are

    score(v) = A[prev, v] + B[last, v]     (v ≠ eos)
    score(eos) = min(0, A[prev, eos] + B[last, eos] + E[L − 1])     (L = the prefix length)

with row V of A used for a prefix of one token ([bos]). A, B and E hold multiples of
2⁻¹⁰ no larger than 32 in magnitude, so every cumulative sum of a search of up to 64 steps is
exact in float32 and float64: ties are exact, and no precision can reorder candidates.

Parameters (drill.yaml declares them):

- ``vocab``, ``bos``, ``eos``, ``beam_size``, ``max_new_tokens``: the search;
  ``length_penalty``: ``default`` leaves the argument out, a number is passed by keyword.
- ``model``: ``random``; ``uniform`` (every score equal: ties everywhere); ``eos_first``
  (eos is the best first token); ``eos_never`` (eos scores −30: never within the first
  beam_size ranks); ``eos_late`` (eos follows two "stop" tokens readily, others
  reluctantly, and gets likelier with the prefix length by ``eos_slope`` per token from
  ``eos_start``, so hypotheses finish at different steps).
- ``scale``: spread of A and B; ``grid``: their quantisation step (a coarse grid makes
  exact ties between different candidates); ``out_dtype``: the dtype the model returns.
"""

from __future__ import annotations

from typing import Any

from quizapp.core.drills.builders import CaseInputs, generator, randn

GRID = 2.0 ** -10


def _quantise(t: Any, step: float) -> Any:
    import torch

    return (torch.round(t / step) * step).clamp(-32.0, 0.0)


def make_toy_lm(data: dict[str, Any]) -> Any:
    """``log_probs_fn(prefixes: LongTensor (N, L)) -> Tensor (N, V)`` from plain data."""
    import torch

    a = torch.as_tensor(data["a"], dtype=torch.float64)
    b = torch.as_tensor(data["b"], dtype=torch.float64)
    eos_by_len = torch.as_tensor(data["eos_by_len"], dtype=torch.float64)
    eos = int(data["eos"])
    out_dtype = getattr(torch, str(data["dtype"]))
    vocab = b.shape[1]

    def log_probs_fn(prefixes: Any) -> Any:
        ids = torch.as_tensor(prefixes)
        if ids.dim() != 2 or ids.dtype not in (torch.int64, torch.int32):
            raise TypeError("log_probs_fn takes an integer tensor of prefixes, shape (N, L)")
        device = ids.device
        ids = ids.to("cpu", torch.int64)
        n, length = ids.shape
        if length < 1 or bool(((ids < 0) | (ids >= vocab)).any()):
            raise ValueError(f"log_probs_fn: token ids must be in [0, {vocab})")
        prev = ids[:, -2] if length >= 2 else torch.full((n,), vocab, dtype=torch.int64)
        out = a[prev] + b[ids[:, -1]]
        bias = eos_by_len[min(length - 1, eos_by_len.shape[0] - 1)]
        out[:, eos] = (out[:, eos] + bias).clamp(max=0.0)  # still a log-probability
        return out.to(device=device, dtype=out_dtype)

    return log_probs_fn


def beam_search(p: dict[str, Any], seed: int) -> CaseInputs:
    """The model's data, then bos, eos, beam_size, max_new_tokens (length_penalty by
    keyword when the case sets it)."""
    import torch

    g = generator(seed)
    v, eos, bos = p["vocab"], p["eos"], p["bos"]
    if not (0 <= bos < v and 0 <= eos < v and p["beam_size"] >= 1):
        raise ValueError("beam_search inputs: bos and eos must be token ids, beam_size ≥ 1")
    if v - 1 < p["beam_size"]:
        raise ValueError("beam_search inputs: need vocab − 1 ≥ beam_size")
    steps = max(p["max_new_tokens"], 1) + 1
    kind = p["model"]
    grid = float(p["grid"])
    half = p["scale"] / 2
    # Halves of log-softmaxes: negative, with a realistic spread.
    a = _quantise(torch.log_softmax(randn((v + 1, v), g) * half, -1) / 2, grid)
    b = _quantise(torch.log_softmax(randn((v, v), g) * half, -1) / 2, grid)
    eos_by_len = torch.zeros(steps, dtype=torch.float64)
    if kind == "uniform":
        a = torch.full((v + 1, v), -2.0, dtype=torch.float64)
        b = torch.full((v, v), -1.0, dtype=torch.float64)
    elif kind == "eos_first":
        a[v, eos] = -0.25
        b[bos, eos] = -0.25
    elif kind == "eos_never":
        a[:, eos] = -15.0
        b[:, eos] = -15.0
    elif kind == "eos_late":
        # eos follows two "stop" tokens readily and anything else reluctantly, and gets
        # likelier with the length: hypotheses finish at different steps.
        others = [t for t in range(v) if t not in (eos, bos)]
        stops = [others[int(i)] for i in torch.randperm(len(others), generator=g)[:2]]
        a[:, eos] = _quantise(-1.0 - torch.rand(v + 1, generator=g, dtype=torch.float64),
                              grid)
        b[:, eos] = -5.0
        b[stops, eos] = -0.25
        ramp = (torch.arange(steps, dtype=torch.float64) - p["eos_start"]) * p["eos_slope"]
        eos_by_len = torch.round(ramp.clamp(-6.0, 5.0) / GRID) * GRID
    elif kind != "random":
        raise ValueError(f"unknown model kind {kind!r}")
    # Nested lists, not tensors: the data is compared and shipped as plain Python values.
    data = {"a": a.tolist(), "b": b.tolist(), "eos_by_len": eos_by_len.tolist(), "eos": eos,
            "dtype": p["out_dtype"]}
    values: dict[str, Any] = {"log_probs_fn": data, "bos": bos, "eos": eos,
                              "beam_size": p["beam_size"],
                              "max_new_tokens": p["max_new_tokens"]}
    keywords: tuple[str, ...] = ()
    if p["length_penalty"] != "default":
        values["length_penalty"] = float(p["length_penalty"])
        keywords = ("length_penalty",)
    return CaseInputs(values=values, keywords=keywords)
