"""Inputs of the dpo drill's cases.

Parameters (drill.yaml): `batch` B, `length` L, `vocab` V, `dtype`; `scale` is the std of
the reference logits, `drift` how far the policy's logits are from the reference's, `offset`
the std of a per-position constant added to every logit (log-softmax ignores it; a plain
softmax without max-shift overflows on it); `labels` picks the masking pattern; `push` adds
+push to the policy's logit of every chosen label and −push to every rejected one (a policy
that already prefers the chosen answer, or the rejected one when negative); `margin` ≠ 0
sets β so that the mean of h = β·((π_c − π_r) − (ref_c − ref_r)) over the batch is
`margin`; `policy_is_reference` makes the policy's logits equal the reference's.
"""

from __future__ import annotations

from typing import Any

from quizapp.core.drills.builders import CaseInputs, dtype, generator, randn

IGNORE = -100


def _labels(kind: str, batch: int, length: int, vocab: int, g: Any) -> tuple[Any, Any]:
    """Chosen and rejected labels (B, L): a shared prompt (−100), answers of different
    lengths, then padding (−100)."""
    import torch

    chosen = torch.randint(0, vocab, (batch, length), generator=g)
    rejected = torch.randint(0, vocab, (batch, length), generator=g)
    if kind == "none":
        return chosen, rejected
    for b in range(batch):
        if kind == "long_prompt":
            prompt = length - 3
        else:
            prompt = int(torch.randint(1, max(2, length // 2), (1,), generator=g))
        chosen[b, :prompt] = IGNORE
        rejected[b, :prompt] = IGNORE
        for labels in (chosen, rejected):
            answer = int(torch.randint(1, length - prompt + 1, (1,), generator=g))
            labels[b, prompt + answer:] = IGNORE
    if kind == "empty_answer":
        # The chosen answer of the first example and the rejected one of the last are empty:
        # every label is masked, so that sequence's log-prob is 0.
        chosen[0, :] = IGNORE
        rejected[batch - 1, :] = IGNORE
    return chosen, rejected


def _push(logits: Any, labels: Any, amount: float) -> Any:
    """Add `amount` to the logit of the label each position predicts (shifted by one)."""
    import torch

    if amount == 0:
        return logits
    out = logits.clone()
    nxt = labels[:, 1:]
    mask = nxt != IGNORE
    bump = torch.zeros_like(out[:, :-1])
    bump.scatter_(-1, nxt.clamp(min=0).unsqueeze(-1), amount * mask.unsqueeze(-1).double())
    out[:, :-1] += bump
    return out


def _seq_logps(logits: Any, labels: Any) -> Any:
    nxt = labels[:, 1:]
    lp = logits[:, :-1].log_softmax(-1).gather(-1, nxt.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return (lp * (nxt != IGNORE)).sum(-1)


def dpo_loss(p: dict[str, Any], seed: int) -> CaseInputs:
    """The four logits (B, L, V), the two label tensors, and β / ε when the case sets them."""
    g = generator(seed)
    batch, length, vocab = p["batch"], p["length"], p["vocab"]
    dt = dtype(p["dtype"])
    chosen, rejected = _labels(p["labels"], batch, length, vocab, g)
    logits = {}
    for side in ("chosen", "rejected"):
        ref = randn((batch, length, vocab), g) * p["scale"]
        ref = ref + p["offset"] * randn((batch, length, 1), g)
        policy = ref.clone() if p["policy_is_reference"] else (
            ref + p["drift"] * randn((batch, length, vocab), g))
        logits[side] = (policy, ref)
    pol_c = _push(logits["chosen"][0], chosen, p["push"])
    pol_r = _push(logits["rejected"][0], rejected, -p["push"])
    ref_c, ref_r = logits["chosen"][1], logits["rejected"][1]
    values: dict[str, Any] = {
        "policy_chosen_logits": pol_c.to(dt), "policy_rejected_logits": pol_r.to(dt),
        "ref_chosen_logits": ref_c.to(dt), "ref_rejected_logits": ref_r.to(dt),
        "chosen_labels": chosen, "rejected_labels": rejected,
    }
    keywords: list[str] = []
    beta = p["beta"]
    if p["margin"] != 0:
        # β chosen so that mean h = margin, from the inputs as they will be passed.
        v = {k: t.double() for k, t in values.items() if t.is_floating_point()}
        raw = ((_seq_logps(v["policy_chosen_logits"], chosen)
                - _seq_logps(v["policy_rejected_logits"], rejected))
               - (_seq_logps(v["ref_chosen_logits"], chosen)
                  - _seq_logps(v["ref_rejected_logits"], rejected)))
        beta = float(p["margin"] / raw.mean())
        if not bool((raw * raw.mean() > 0).all()):
            raise ValueError("margin case: the examples' margins do not share a sign")
    if beta != "default":
        values["beta"] = float(beta)
        keywords.append("beta")
    if p["label_smoothing"] != "default":
        values["label_smoothing"] = float(p["label_smoothing"])
        keywords.append("label_smoothing")
    return CaseInputs(values, tuple(keywords),
                      grad=("policy_chosen_logits", "policy_rejected_logits"))
