"""A correct `sampling` solution written the way a candidate would: Hugging Face's warper
formulation in float32 (top-p on an *ascending* sort, removing tokens whose cumulative mass
is ≤ 1 − top_p), inverse CDF with searchsorted."""

import torch


def warp(logits, temperature=1.0, top_k=0, top_p=1.0, min_p=0.0):
    dtype = torch.float64 if logits.dtype == torch.float64 else torch.float32
    scores = logits.to(dtype) / temperature
    vocab = scores.shape[-1]
    if top_k > 0:
        k = min(top_k, vocab)
        threshold = torch.topk(scores, k, dim=-1).values[..., -1, None]
        scores = scores.masked_fill(scores < threshold, -float("inf"))
    if top_p < 1.0:
        sorted_logits, sorted_idx = torch.sort(scores, descending=False)
        cumulative = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
        remove_sorted = cumulative <= (1 - top_p)
        remove_sorted[..., -1] = False  # always keep the most likely token
        remove = remove_sorted.scatter(-1, sorted_idx, remove_sorted)
        scores = scores.masked_fill(remove, -float("inf"))
    if min_p > 0.0:
        probs = scores.softmax(dim=-1)
        top = probs.max(dim=-1, keepdim=True).values
        scores = scores.masked_fill(probs < min_p * top, -float("inf"))
    return scores.float()


def sample(logits, u, temperature=1.0, top_k=0, top_p=1.0, min_p=0.0):
    if temperature == 0:
        return logits.argmax(dim=-1)
    probs = warp(logits, temperature, top_k, top_p, min_p).double().softmax(dim=-1)
    cdf = probs.cumsum(dim=-1)
    idx = torch.searchsorted(cdf, u.double().unsqueeze(-1), right=True).squeeze(-1)
    # Guard against cdf[-1] rounding below u: fall back to the last token with mass.
    last_nonzero = probs.shape[-1] - 1 - (probs.flip(-1) > 0).int().argmax(dim=-1)
    return torch.minimum(idx, last_nonzero)
