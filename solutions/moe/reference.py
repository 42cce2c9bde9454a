"""Reference (oracle) for the ``moe`` drill: top-k routing over SwiGLU experts, Mixtral-style,
with the Switch load-balancing loss.

    probs = softmax(x·router_weightᵀ)                       (T, E)
    chosen = the top_k experts of each token (ties: lower expert id)
    gates  = probs of the chosen experts, renormalised to sum 1 (Mixtral)
    y_t    = Σ_chosen gate · w2[e]·(silu(w1[e]·x_t) ⊙ w3[e]·x_t)
    aux    = E · Σ_e f_e · P_e,   f_e = (assignments to e) / (T·top_k),  P_e = mean_t probs[t, e]

Only the chosen experts run: the oracle gathers each expert's tokens, so it also passes the
drill's memory-budget case. It computes in float64 and returns y in x's dtype and aux as a
float32 0-dim tensor; both are differentiable in x and every weight (aux through P_e).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

F64 = torch.float64


def route(probs: torch.Tensor, top_k: int) -> torch.Tensor:
    """The top_k experts of each token (T, top_k), ties broken towards the lower expert id."""
    return torch.sort(probs, dim=-1, descending=True, stable=True).indices[:, :top_k]


def moe_forward(x: torch.Tensor, router_weight: torch.Tensor, w1: torch.Tensor, w2: torch.Tensor,
                w3: torch.Tensor, top_k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(y (T, d) in x's dtype, aux float32 0-dim)."""
    x64 = x.to(F64)
    experts = router_weight.shape[0]
    probs = torch.softmax(x64 @ router_weight.to(F64).T, dim=-1)
    chosen = route(probs.detach(), top_k)
    gates = probs.gather(1, chosen)
    gates = gates / gates.sum(dim=-1, keepdim=True)
    y = torch.zeros_like(x64)
    for e in range(experts):
        token, slot = torch.nonzero(chosen == e, as_tuple=True)
        if token.numel() == 0:
            continue
        xe = x64[token]
        h = F.silu(xe @ w1[e].to(F64).T) * (xe @ w3[e].to(F64).T)
        y = y.index_add(0, token, (h @ w2[e].to(F64).T) * gates[token, slot].unsqueeze(-1))
    counts = torch.bincount(chosen.reshape(-1), minlength=experts).to(F64)
    fraction = counts / (x.shape[0] * top_k)
    aux = experts * (fraction * probs.mean(dim=0)).sum()
    return y.to(x.dtype), aux.to(torch.float32)


def moe_forward_same_precision(x: torch.Tensor, router_weight: torch.Tensor, w1: torch.Tensor,
                               w2: torch.Tensor, w3: torch.Tensor, top_k: int,
                               ) -> tuple[torch.Tensor, torch.Tensor]:
    """Hugging Face Mixtral's sparse block in the inputs' precision (the `--bench` baseline):
    softmax in float32, the top-k experts, a loop over the experts that were hit."""
    experts = router_weight.shape[0]
    logits = x @ router_weight.T
    probs = F.softmax(logits, dim=1, dtype=torch.float)
    # The contract's tie rule (lower id) needs a stable sort; torch.topk makes no promise.
    gates, chosen = (t[:, :top_k] for t in torch.sort(probs, dim=-1, descending=True,
                                                      stable=True))
    gates = (gates / gates.sum(dim=-1, keepdim=True)).to(x.dtype)
    y = torch.zeros_like(x)
    mask = F.one_hot(chosen, num_classes=experts).permute(2, 1, 0)
    for e in torch.nonzero(mask.sum(dim=(-1, -2)) > 0).flatten().tolist():
        slot, token = torch.where(mask[e])
        xe = x[token]
        out = (F.silu(xe @ w1[e].T) * (xe @ w3[e].T)) @ w2[e].T
        y.index_add_(0, token, out * gates[token, slot, None])
    fraction = torch.bincount(chosen.flatten(), minlength=experts).float() / chosen.numel()
    aux = experts * (fraction * probs.mean(dim=0)).sum()
    return y, aux


#: Same-precision implementations that `quizapp grade --bench` times solutions against.
BENCH_BASELINES = {"moe_forward": moe_forward_same_precision}
