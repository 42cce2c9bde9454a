"""Drill: mixture of experts with top-k routing and a load-balancing loss (see
`quizapp drill list`, or the statement).

Grade with:  quizapp grade moe        (or: quizapp drill watch moe)
"""

import torch
import torch.nn.functional as F  # noqa: F401 - F.silu and F.softmax help


def moe_forward(x, router_weight, w1, w2, w3, top_k):
    """x (T, d), router_weight (E, d), w1/w3 (E, f, d), w2 (E, d, f). Route each token to its
    top_k experts (ties: lower id), gates = renormalised softmax probabilities, experts are
    SwiGLU. Return (y (T, d) in x's dtype, aux = E·Σ f_e·P_e as a float32 0-dim tensor)."""
    raise NotImplementedError("moe_forward() is not written yet")


if __name__ == "__main__":
    T, d, f, E = 5, 8, 12, 4
    print(moe_forward(torch.randn(T, d), torch.randn(E, d), torch.randn(E, f, d),
                      torch.randn(E, d, f), torch.randn(E, f, d), 2))
