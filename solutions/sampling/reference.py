"""Reference (oracle) for the ``sampling`` drill: temperature, top-k, top-p and min-p.

``warp`` applies Hugging Face's logits-warper order — temperature, then top-k, then top-p,
then min-p — to float logits (B, V) and returns float32 logits with every removed token at
−inf. Kept tokens hold ``logits / temperature`` (the warped logits, not log-probabilities).

- temperature T > 0: ``x = logits / T``.
- top-k (0 = off): keep every token whose logit is ≥ the k-th largest (ties with the k-th are
  kept); k ≥ V keeps everything (HF clamps k to V).
- top-p (1.0 = off): probabilities ``softmax(x)`` over the tokens still kept, sorted
  descending; a token is kept when the probability mass strictly before it is < top_p —
  the smallest prefix that reaches top_p, crossing token included, never empty.
- min-p (0 = off): with probabilities over the tokens still kept (after top-k and top-p),
  keep tokens with ``p ≥ min_p · max p``.

``sample`` with ``temperature == 0`` is greedy: ``argmax`` of the raw logits, lowest index on
ties, filters ignored. Otherwise it draws with the given uniform u: the smallest index i (in
vocabulary order) with ``cumsum(softmax(warp(...)))[i] > u``, in float64.

Everything is computed in float64; ``warp`` returns float32 as the contract says.
"""

from __future__ import annotations

import torch


def _warp64(logits: torch.Tensor, temperature: float, top_k: int, top_p: float,
            min_p: float) -> torch.Tensor:
    """The warped logits in float64 (removed tokens at −inf)."""
    if temperature <= 0:
        raise ValueError("warp: temperature must be > 0 (temperature 0 is greedy, in sample)")
    x = logits.to(torch.float64) / temperature
    neg_inf = torch.tensor(float("-inf"), dtype=torch.float64, device=x.device)
    vocab = x.shape[-1]
    if 0 < top_k < vocab:
        kth = torch.topk(x, top_k, dim=-1).values[..., -1:]
        x = torch.where(x < kth, neg_inf, x)
    if top_p < 1.0:
        probs = torch.softmax(x, dim=-1)
        order = torch.argsort(probs, dim=-1, descending=True, stable=True)
        sorted_probs = probs.gather(-1, order)
        mass_before = torch.cumsum(sorted_probs, dim=-1) - sorted_probs
        keep_sorted = mass_before < top_p
        keep_sorted[..., 0] = True
        keep = torch.zeros_like(keep_sorted).scatter(-1, order, keep_sorted)
        x = torch.where(keep, x, neg_inf)
    if min_p > 0.0:
        probs = torch.softmax(x, dim=-1)
        threshold = min_p * probs.amax(dim=-1, keepdim=True)
        x = torch.where(probs >= threshold, x, neg_inf)
    return x


def warp(logits: torch.Tensor, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0,
         min_p: float = 0.0) -> torch.Tensor:
    """Temperature, top-k, top-p, min-p (in that order); float32 (B, V), removed = −inf."""
    return _warp64(logits, temperature, top_k, top_p, min_p).to(torch.float32)


def _inverse_cdf(probs: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """Per row, the smallest index i with cumsum(p)[i] > u (p renormalised, float64)."""
    p = probs.to(torch.float64)
    p = p / p.sum(dim=-1, keepdim=True)
    cdf = torch.cumsum(p, dim=-1)
    u64 = u.to(device=p.device, dtype=torch.float64).reshape(-1, 1)
    index = (cdf <= u64).sum(dim=-1)
    # cdf[-1] may round to just under 1; u < 1 then still lands on the last token with mass.
    last = (p > 0).to(torch.int64).cumsum(-1).argmax(-1)
    return torch.minimum(index, last).to(torch.int64)


def sample(logits: torch.Tensor, u: torch.Tensor, temperature: float = 1.0, top_k: int = 0,
           top_p: float = 1.0, min_p: float = 0.0) -> torch.Tensor:
    """int64 (B,): greedy when temperature == 0, else inverse-CDF sampling with u."""
    if temperature == 0:
        return torch.argmax(logits.to(torch.float64), dim=-1)
    x = _warp64(logits, temperature, top_k, top_p, min_p)
    return _inverse_cdf(torch.softmax(x, dim=-1), u)


# --------------------------------------------------------------------------- timing baselines


def warp_same_precision(logits: torch.Tensor, temperature: float = 1.0, top_k: int = 0,
                        top_p: float = 1.0, min_p: float = 0.0) -> torch.Tensor:
    """The idiomatic float32 pipeline (as HF's warpers write it), for ``--bench``."""
    x = logits.float() / temperature
    if top_k > 0:
        kth = torch.topk(x, min(top_k, x.shape[-1]), dim=-1).values[..., -1:]
        x = x.masked_fill(x < kth, float("-inf"))
    if top_p < 1.0:
        sorted_x, order = torch.sort(x, dim=-1, descending=True)
        sorted_p = sorted_x.softmax(-1)
        remove = (sorted_p.cumsum(-1) - sorted_p) >= top_p
        remove[..., 0] = False
        x = x.masked_fill(torch.zeros_like(remove).scatter(-1, order, remove), float("-inf"))
    if min_p > 0.0:
        p = x.softmax(-1)
        x = x.masked_fill(p < min_p * p.amax(-1, keepdim=True), float("-inf"))
    return x


def sample_same_precision(logits: torch.Tensor, u: torch.Tensor, temperature: float = 1.0,
                          top_k: int = 0, top_p: float = 1.0, min_p: float = 0.0
                          ) -> torch.Tensor:
    """float32 warp, softmax and ``searchsorted`` on the CDF, for ``--bench``."""
    if temperature == 0:
        return logits.argmax(-1)
    cdf = warp_same_precision(logits, temperature, top_k, top_p, min_p).softmax(-1).cumsum(-1)
    u32 = u.to(device=cdf.device, dtype=cdf.dtype).reshape(-1, 1)
    index = torch.searchsorted(cdf, u32, right=True).reshape(-1)
    return index.clamp_max(cdf.shape[-1] - 1)


BENCH_BASELINES = {"warp": warp_same_precision, "sample": sample_same_precision}
