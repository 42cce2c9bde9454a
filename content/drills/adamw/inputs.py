"""Inputs of the adamw drill's cases.

`layout` picks the parameter tensors' shapes (single, mixed, many — with a 0-dim one — or
large: four `size`×`size` matrices for timing) in `dtype`. Parameters are N(0.5, 1) so weight
decay visibly shrinks them; gradients are N(0.1, 1)·`grad_scale`; at `step` 1 the moment
buffers are zeros (as after the optimiser's first call creates them), later they hold a
plausible history (exp_avg ≈ 0.1·N(0, 1)·grad_scale, exp_avg_sq ≈ (0.5…1.5)·grad_scale²).
`lr` is always passed; the other arguments are passed by keyword when set ("default" leaves
them out; `betas` when either beta is set). `clip`: omit / none (max_grad_norm=None passed) /
bites (0.3 × the gradients' global 2-norm) / loose (3 ×).
"""

from __future__ import annotations

from typing import Any

from quizapp.core.drills.builders import CaseInputs, dtype, generator, randn

_LAYOUTS: dict[str, list[tuple[int, ...]]] = {
    "single": [(16,)],
    "mixed": [(4, 8), (8,), (3, 5, 2)],
    "many": [(7, 3), (), (5,), (2, 3, 4), (11,), (1, 1)],
}


def adamw_step(p: dict[str, Any], seed: int) -> CaseInputs:
    """params, grads, exp_avgs, exp_avg_sqs (lists), step, lr and the keyword arguments."""
    import torch

    g = generator(seed)
    dt = dtype(p["dtype"])
    shapes = _LAYOUTS.get(p["layout"]) or [(p["size"], p["size"])] * 4
    scale = p["grad_scale"]
    params, grads, avgs, sqs = [], [], [], []
    for shape in shapes:
        params.append((randn(shape, g) + 0.5).to(dt))
        grads.append(((randn(shape, g) + 0.1) * scale).to(dt))
        if p["step"] == 1:
            avgs.append(torch.zeros(shape, dtype=dt))
            sqs.append(torch.zeros(shape, dtype=dt))
        else:
            avgs.append((0.1 * randn(shape, g) * scale).to(dt))
            spread = torch.rand(shape, generator=g, dtype=torch.float64) + 0.5
            sqs.append((spread * scale * scale).to(dt))
    values: dict[str, Any] = {"params": params, "grads": grads, "exp_avgs": avgs,
                              "exp_avg_sqs": sqs, "step": p["step"], "lr": float(p["lr"])}
    keywords: list[str] = []
    if p["beta1"] != "default" or p["beta2"] != "default":
        b1 = 0.9 if p["beta1"] == "default" else float(p["beta1"])
        b2 = 0.999 if p["beta2"] == "default" else float(p["beta2"])
        values["betas"] = (b1, b2)
        keywords.append("betas")
    for name in ("eps", "weight_decay"):
        if p[name] != "default":
            values[name] = float(p[name])
            keywords.append(name)
    if p["clip"] != "omit":
        norm = float(torch.linalg.vector_norm(
            torch.stack([torch.linalg.vector_norm(t.double()) for t in grads])))
        values["max_grad_norm"] = {"none": None, "bites": 0.3 * norm, "loose": 3.0 * norm}[
            p["clip"]]
        keywords.append("max_grad_norm")
    return CaseInputs(values, tuple(keywords))
