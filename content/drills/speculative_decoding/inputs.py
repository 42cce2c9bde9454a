"""Inputs of the ``speculative_decoding`` drill's cases: a draft and both models' rows.

Parameters (drill.yaml declares them):

- ``gamma``, ``vocab``, ``dtype``: γ drafted tokens over a vocabulary of V; q (γ, V) and
  p (γ + 1, V) are built in float64 and cast to ``dtype`` (every decision below is taken on
  the cast values).
- ``scale``: std of the target's logits (larger = more peaked distributions).
- ``noise``: std of the draft's logit noise around the target's (0 = same model).
- ``scenario``: ``random`` (u uniform: any outcome); ``all_accepted`` (every u below its
  ratio: the bonus token is emitted); ``reject_at`` (accept up to ``reject_at``, reject
  there); ``q_equals_p`` (q = p[:γ]: every ratio is 1); ``p_zero_at_draft`` (as
  ``reject_at``, with p[reject_at, x] = 0 at the drafted token x, renormalised);
  ``p_one_hot`` (as ``reject_at``, with p[reject_at] one-hot on a token other than x).

Draft tokens are drawn from q (so q[i, x_i] > 0). Each u_accept is at least ``MARGIN`` from
its ratio min(1, p/q), and u_resample at least ``STEP_MARGIN`` from every step of the CDF it
is used on, so float32 arithmetic cannot flip a decision.
"""

from __future__ import annotations

from typing import Any

from quizapp.core.drills.builders import CaseInputs, dtype, generator, randn

MARGIN = 1e-3
STEP_MARGIN = 1e-4
ATTEMPTS = 400


def _cdf_used(p64: Any, q64: Any, draft: list[int], ua: Any) -> Any:
    """The normalised CDF that u_resample is applied to, following Algorithm 1."""
    import torch

    for i, x in enumerate(draft):
        if float(ua[i]) >= min(1.0, float(p64[i, x] / q64[i, x])):
            r = (p64[i] - q64[i]).clamp_min(0)
            return torch.cumsum(r / r.sum(), 0)
    return torch.cumsum(p64[len(draft)] / p64[len(draft)].sum(), 0)


def verify(p_: dict[str, Any], seed: int) -> CaseInputs:
    """draft_tokens, q, p, u_accept, u_resample (all positional)."""
    import torch

    g = generator(seed)
    gamma, v = p_["gamma"], p_["vocab"]
    scenario = p_["scenario"]
    cut = p_["reject_at"] if scenario in ("reject_at", "p_zero_at_draft", "p_one_hot") else None
    if cut is not None and not 0 <= cut < gamma:
        raise ValueError(f"reject_at must be in [0, gamma), got {cut}")
    target = randn((gamma + 1, v), g) * p_["scale"] + 2.0
    draft_logits = target[:gamma] + randn((gamma, v), g) * p_["noise"]
    p = torch.softmax(target, -1)
    q = p[:gamma].clone() if scenario == "q_equals_p" else torch.softmax(draft_logits, -1)
    q = q.to(dtype(p_["dtype"]))
    q64 = q.to(torch.float64)
    draft = torch.multinomial(q64, 1, generator=g).reshape(-1)
    if cut is not None and scenario == "reject_at":
        # The token drafted at `cut` must be one the target likes less (ratio < 1).
        ratio = p[cut] / q64[cut]
        if float(ratio[draft[cut]]) > 1 - 20 * MARGIN:
            candidates = torch.nonzero(ratio < 1 - 20 * MARGIN).reshape(-1)
            if candidates.numel() == 0:
                raise ValueError("reject_at: no token with p < q to reject")
            draft[cut] = candidates[torch.argmax(q64[cut, candidates])]
    if scenario == "p_zero_at_draft":
        p[cut, draft[cut]] = 0.0
        p[cut] /= p[cut].sum()
    if scenario == "p_one_hot":
        others = [t for t in range(v) if t != int(draft[cut])]
        hot = others[int(torch.randint(0, len(others), (1,), generator=g))]
        p[cut] = 0.0
        p[cut, hot] = 1.0
    p = p.to(dtype(p_["dtype"]))
    p64 = p.to(torch.float64)

    ua = torch.empty(gamma, dtype=torch.float64)
    for i in range(gamma):
        r = min(1.0, float(p64[i, draft[i]] / q64[i, draft[i]]))
        want = None
        if scenario in ("all_accepted", "q_equals_p") or (cut is not None and i < cut):
            want = True
        elif cut is not None and i == cut:
            want = False
        for _ in range(ATTEMPTS):
            u = float(torch.rand(1, generator=g, dtype=torch.float64))
            if want is True and r < 1.0:
                u = u * (r - MARGIN)
            elif want is False:
                u = r + MARGIN + u * (1 - r - 2 * MARGIN)
            if r >= 1.0 or abs(u - r) >= MARGIN:
                break
        else:
            raise ValueError("speculative inputs: no u_accept away from its ratio")
        if want is True and r < MARGIN:
            raise ValueError(f"speculative inputs: ratio {r:.2g} at {i} too small to accept")
        ua[i] = u
    cdf = _cdf_used(p64, q64, draft.tolist(), ua)
    for _ in range(ATTEMPTS):
        ur = torch.rand((), generator=g, dtype=torch.float64)
        if float((cdf - ur).abs().min()) >= STEP_MARGIN:
            break
    else:
        raise ValueError("speculative inputs: no u_resample away from the CDF's steps")
    return CaseInputs(values={"draft_tokens": draft, "q": q, "p": p, "u_accept": ua,
                              "u_resample": ur})
