"""Inputs of the grpo drill's cases.

`grpo_advantages`: `groups` G groups of `group_size` n contiguous rewards, `dtype`; `rewards`
picks their kind (`gaussian`: reward-model scores, each group with its own mean; `binary`:
0/1 verifiable rewards; `one_equal_group` / `all_equal`: groups whose rewards are all the
same, in values that are exact in every dtype); `offset` is added to every reward (a large
common offset breaks the one-pass variance E[x²] − E[x]²); `eps` is passed when given.

`grpo_loss`: `seqs` B sequences of `length` L token log-probs, `dtype`; `ratio_spread` is
the std of logp_new − logp_old (0: on-policy, the ratio is 1), `ref_spread` the std of
logp_ref − logp_new; `mask` picks the completion mask (`ragged`: right padding after a
random length ≥ 1, with a length-1 sequence; `full`; `one_empty`: one sequence has no
completion tokens); masked positions hold other, finite log-probs (a real model's values on
pad tokens), so a loss that forgets the mask is visibly wrong. `clip_eps` and `beta` are
passed when given.
"""

from __future__ import annotations

from typing import Any

from quizapp.core.drills.builders import CaseInputs, dtype, generator, randn


def grpo_advantages(p: dict[str, Any], seed: int) -> CaseInputs:
    """Rewards (G·n,) with groups contiguous, the group size, and eps when the case sets it."""
    import torch

    g = generator(seed)
    groups, n = p["groups"], p["group_size"]
    kind = p["rewards"]
    if kind == "binary":
        r = (torch.rand((groups, n), generator=g) < 0.45).double()
        r[0, 0], r[0, 1] = 1.0, 0.0     # the first group is never degenerate
    else:
        group_mean = 1.5 * randn((groups, 1), g) - 0.5
        r = group_mean + p["spread"] * randn((groups, n), g)
    if kind == "one_equal_group":
        r[min(1, groups - 1)] = 1.0     # e.g. every answer in the group was correct
    elif kind == "all_equal":
        r = torch.arange(groups, dtype=torch.float64).unsqueeze(1).expand(groups, n) * 0.5
    r = r.reshape(-1) + p["offset"]
    values: dict[str, Any] = {"rewards": r.to(dtype(p["dtype"])), "group_size": n}
    keywords: tuple[str, ...] = ()
    if p["eps"] != "default":
        values["eps"] = float(p["eps"])
        keywords = ("eps",)
    return CaseInputs(values, keywords)


def grpo_loss(p: dict[str, Any], seed: int) -> CaseInputs:
    """Token log-probs (B, L) under the new, old and reference policies, advantages (B,),
    a bool completion mask (B, L), and clip_eps / beta when the case sets them."""
    import torch

    g = generator(seed)
    b, length = p["seqs"], p["length"]
    dt = dtype(p["dtype"])
    old = -(0.1 + 1.5 * randn((b, length), g).abs())
    new = old + p["ratio_spread"] * randn((b, length), g)
    ref = new + p["ref_spread"] * randn((b, length), g)
    adv = p["adv_scale"] * randn((b,), g) + p["adv_offset"]
    kind = p["mask"]
    if kind == "full":
        mask = torch.ones((b, length), dtype=torch.bool)
    else:
        lengths = torch.randint(1, length + 1, (b,), generator=g)
        lengths[0] = length
        if b > 1:
            lengths[1] = 1
        if kind == "one_empty":
            lengths[b - 1] = 0
        mask = torch.arange(length).unsqueeze(0) < lengths.unsqueeze(1)
    # What a model returns on pad tokens: finite log-probs that must not count.
    for t in (old, new, ref):
        t[~mask] = -8.0 + 2.0 * randn((int((~mask).sum()),), g)
    values: dict[str, Any] = {"logp_new": new.to(dt), "logp_old": old.to(dt),
                              "logp_ref": ref.to(dt), "advantages": adv.to(dt), "mask": mask}
    keywords: list[str] = []
    for name in ("clip_eps", "beta"):
        if p[name] != "default":
            values[name] = float(p[name])
            keywords.append(name)
    return CaseInputs(values, tuple(keywords), grad=("logp_new",))
