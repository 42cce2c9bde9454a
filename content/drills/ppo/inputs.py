"""Inputs of the ppo drill's cases.

`gae`: a trajectory of `steps` T rewards (mean `reward_offset`), T + 1 value estimates (mean
`value_offset`, the last one the bootstrap value) and 0/1 dones in the rewards' dtype;
`dones` picks where episodes end (`random`, `none`, `end`, `middle`: two episodes end
inside the trajectory, `every`); `gamma` and `lam` are passed when given.

`ppo_clip_loss`: log-probs of `shape` under the new and old policies (`ratio_spread` is the
std of their difference, 0 = on-policy) and advantages (`adv_offset` + `adv_scale`·N(0, 1),
or `adv_sign` = negative / positive for advantages of one sign); `mask` is omitted, passed
as None, all True, or ragged (right padding per row; masked positions hold finite junk);
`ratio_sides` puts the ratios on both sides of the clip range; `clip_eps` is passed when
given.
"""

from __future__ import annotations

from typing import Any

from quizapp.core.drills.builders import CaseInputs, dtype, generator, randn


def gae(p: dict[str, Any], seed: int) -> CaseInputs:
    """rewards (T,), values (T + 1,), dones (T,) 0/1, and gamma / lam when the case sets them."""
    import torch

    g = generator(seed)
    steps = p["steps"]
    dt = dtype(p["dtype"])
    rewards = p["reward_offset"] + randn((steps,), g)
    values = p["value_offset"] + 1.5 * randn((steps + 1,), g)
    kind = p["dones"]
    dones = torch.zeros(steps, dtype=torch.float64)
    if kind == "random":
        dones = (torch.rand(steps, generator=g) < 0.15).double()
        dones[-1] = 0.0                 # the trajectory is cut, not ended: bootstrap
    elif kind == "end":
        dones[-1] = 1.0
    elif kind == "middle":
        dones[steps // 3] = 1.0
        dones[(2 * steps) // 3] = 1.0
    elif kind == "every":
        dones[:] = 1.0
    values_out: dict[str, Any] = {"rewards": rewards.to(dt), "values": values.to(dt),
                                  "dones": dones.to(dt)}
    keywords: list[str] = []
    for name in ("gamma", "lam"):
        if p[name] != "default":
            values_out[name] = float(p[name])
            keywords.append(name)
    return CaseInputs(values_out, tuple(keywords))


def ppo_clip_loss(p: dict[str, Any], seed: int) -> CaseInputs:
    """logp_new, logp_old, advantages of one shape; clip_eps and mask when the case sets them."""
    import torch

    g = generator(seed)
    shape = tuple(p["shape"])
    dt = dtype(p["dtype"])
    old = -(0.2 + randn(shape, g).abs() * 1.5)
    if p["ratio_sides"]:
        # Half the ratios far below 1 − ε, half far above 1 + ε, a few inside.
        u = torch.rand(shape, generator=g, dtype=torch.float64)
        log_ratio = torch.where(u < 0.4, -0.6 - 0.3 * u, torch.where(u > 0.6, 0.5 + 0.3 * u,
                                                                    0.05 * (u - 0.5)))
    else:
        log_ratio = p["ratio_spread"] * randn(shape, g)
    new = old + log_ratio
    adv = p["adv_offset"] + p["adv_scale"] * randn(shape, g)
    if p["adv_sign"] == "negative":
        adv = -adv.abs() - 0.1
    elif p["adv_sign"] == "positive":
        adv = adv.abs() + 0.1
    values: dict[str, Any] = {"logp_new": new, "logp_old": old, "advantages": adv}
    keywords: list[str] = []
    if p["clip_eps"] != "default":
        values["clip_eps"] = float(p["clip_eps"])
        keywords.append("clip_eps")
    kind = p["mask"]
    mask = None
    if kind == "ragged":
        rows = shape[0] if len(shape) > 1 else 1
        width = shape[-1]
        lengths = torch.randint(1, width + 1, (rows,), generator=g)
        lengths[0] = width
        mask = (torch.arange(width).unsqueeze(0) < lengths.unsqueeze(1)).reshape(shape)
        for name in ("logp_new", "logp_old", "advantages"):
            # Finite junk where the mask is False: it must not count.
            values[name] = torch.where(mask, values[name], 3.0 + 2.0 * randn(shape, g))
    elif kind == "all_true":
        mask = torch.ones(shape, dtype=torch.bool)
    for name in ("logp_new", "logp_old", "advantages"):
        values[name] = values[name].to(dt)
    if kind != "omit":
        values["mask"] = mask
        keywords.append("mask")
    return CaseInputs(values, tuple(keywords), grad=("logp_new",))
