"""Inputs of the cross_entropy drill's cases.

Parameters (drill.yaml): `n` rows of `v` classes in `dtype`. Logits are N(0, scale²) plus a
per-row shift of std `offset` (softmax ignores it, a loss that forgets the max shift in half
precision does not) and `peak` added to each target logit, so the loss is far from log V and
a uniform or all-zero answer fails; with `magnitude` > 0 they are uniform in ±magnitude
instead (±1e4 overflows exp even in float64), each row's largest logit then raised by 50.
`ignore`: none / some / all rows get `ignore_index` as target (`omit` leaves the argument
out, meaning −100); with `some`, row 0 stays valid and row 1 is ignored.
`label_smoothing` "default" leaves the argument out. `layout: transposed` makes the logits
non-contiguous (same values).
"""

from __future__ import annotations

from typing import Any

from quizapp.core.drills.builders import CaseInputs, dtype, generator, randn


def cross_entropy(p: dict[str, Any], seed: int) -> CaseInputs:
    """logits (N, V), targets int64 (N,), and the optional keyword arguments."""
    import torch

    g = generator(seed)
    n, v = p["n"], p["v"]
    if p["magnitude"] > 0:
        logits = (torch.rand((n, v), generator=g, dtype=torch.float64) * 2 - 1) * p["magnitude"]
    else:
        logits = randn((n, v), g) * p["scale"] + randn((n, 1), g) * p["offset"]
    targets = torch.randint(0, v, (n,), generator=g)
    logits[torch.arange(n), targets] += p["peak"]
    if p["magnitude"] > 0:
        # Each row's winner leads by ≥ 50, so its softmax is one-hot even in float32: a
        # near-tie at |x| ≈ 1e4 would make any float32 log-sum-exp (rounded to 1e-3) miss the
        # float64 gradient by ~5e-4 relative, an error of the precision, not of the solution.
        top = logits.argmax(dim=-1)
        logits[torch.arange(n), top] += 50.0
    ignore_value = -100 if p["ignore_index"] == "omit" else int(p["ignore_index"])
    if p["ignore"] == "all":
        targets.fill_(ignore_value)
    elif p["ignore"] == "some":
        drop = torch.rand(n, generator=g) < 0.35
        drop[0] = False
        if n > 1:
            drop[1] = True
        targets[drop] = ignore_value
    if p["ignore"] != "all" and 0 <= ignore_value < v:
        # ignore_index is a real class: only the rows chosen above may carry it.
        keep = targets == ignore_value
        if p["ignore"] == "some":
            keep &= ~drop
        targets[keep] = (ignore_value + 1) % v
    if p["layout"] == "transposed":
        logits = logits.t().contiguous().t()
    values: dict[str, Any] = {"logits": logits.to(dtype(p["dtype"])), "targets": targets}
    keywords: list[str] = []
    if p["ignore_index"] != "omit":
        values["ignore_index"] = ignore_value
        keywords.append("ignore_index")
    if p["label_smoothing"] != "default":
        values["label_smoothing"] = float(p["label_smoothing"])
        keywords.append("label_smoothing")
    return CaseInputs(values, tuple(keywords), grad=("logits",))
