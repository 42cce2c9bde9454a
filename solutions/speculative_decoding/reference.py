"""Reference (oracle) for the ``speculative_decoding`` drill: verifying a draft.

Leviathan, Kalman and Matias 2023 ("Fast Inference from Transformers via Speculative
Decoding", Algorithm 1), with the randomness supplied as uniforms::

    for i in 0 … γ−1:
        if u_accept[i] < min(1, p[i, x_i] / q[i, x_i]):  accept x_i
        else: emit a token drawn with u_resample from norm(max(0, p[i] − q[i])); stop
    all γ accepted: emit a bonus token drawn with u_resample from p[γ]

"Draw with u from a distribution r" is the drill family's inverse CDF: the smallest index i
(vocabulary order) with cumsum(r / sum r)[i] > u, in float64. The result is the list of
emitted token ids (Python ints), of length 1 … γ + 1.

When p[i] ≤ q[i] everywhere the residual is all zeros; then p[i] = q[i] (both sum to 1) and
the ratio is 1, so no rejection can happen there. For inputs that do not sum to exactly 1 the
oracle falls back to p[i] in that case, which is what the limit of the residual would give.
"""

from __future__ import annotations

import torch


def _draw(weights: torch.Tensor, u: float) -> int:
    """The smallest index with cumsum(weights / sum)[i] > u (float64)."""
    w = weights.to(torch.float64)
    cdf = torch.cumsum(w / w.sum(), dim=0)
    index = int((cdf <= u).sum())
    last = int(torch.nonzero(w > 0)[-1])  # cdf[-1] may round just below 1
    return min(index, last)


def verify(draft_tokens: torch.Tensor, q: torch.Tensor, p: torch.Tensor,
           u_accept: torch.Tensor, u_resample: torch.Tensor) -> list[int]:
    """The tokens emitted by one speculative-decoding step (accepted prefix + one token)."""
    q64, p64 = q.to(torch.float64), p.to(torch.float64)
    ua = u_accept.to(torch.float64)
    ur = float(u_resample)
    out: list[int] = []
    for i, token in enumerate(draft_tokens.tolist()):
        ratio = p64[i, token] / q64[i, token]
        if float(ua[i]) < min(1.0, float(ratio)):
            out.append(int(token))
            continue
        residual = (p64[i] - q64[i]).clamp_min(0.0)
        out.append(_draw(residual if bool((residual > 0).any()) else p64[i], ur))
        return out
    out.append(_draw(p64[len(out)], ur))
    return out


# --------------------------------------------------------------------------- timing baseline


def verify_same_precision(draft_tokens: torch.Tensor, q: torch.Tensor, p: torch.Tensor,
                          u_accept: torch.Tensor, u_resample: torch.Tensor) -> list[int]:
    """The idiomatic vectorised version in the inputs' precision, for ``--bench``: all
    ratios at once, the first rejection by ``argmax``, one ``searchsorted``."""
    gamma = draft_tokens.shape[0]
    rows = torch.arange(gamma, device=q.device)
    ratio = p[rows, draft_tokens] / q[rows, draft_tokens]
    rejected = u_accept.to(ratio.dtype) >= ratio.clamp_max(1.0)
    n = int(rejected.to(torch.int8).argmax()) if bool(rejected.any()) else gamma
    if n < gamma:
        weights = (p[n] - q[n]).clamp_min(0)
    else:
        weights = p[gamma]
    cdf = torch.cumsum(weights, 0)
    u = u_resample.to(cdf.dtype) * cdf[-1]
    token = int(torch.searchsorted(cdf, u.reshape(1), right=True).clamp_max(cdf.shape[0] - 1))
    return draft_tokens[:n].tolist() + [token]


BENCH_BASELINES = {"verify": verify_same_precision}
