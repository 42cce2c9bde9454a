"""Drill: speculative decoding — verify a draft (statement: `quizapp drill show
speculative_decoding`).

Grade with:  quizapp grade speculative_decoding
"""

import torch


def verify(draft_tokens, q, p, u_accept, u_resample):
    """Leviathan et al. 2023, Algorithm 1.

    draft_tokens: int64 (γ,); q: (γ, V) draft probabilities; p: (γ + 1, V) target
    probabilities; u_accept: (γ,) and u_resample: () uniforms in [0, 1).
    Accept x_i while u_accept[i] < min(1, p[i, x_i] / q[i, x_i]); at the first rejection
    draw with u_resample from norm(max(0, p[i] - q[i])) and stop; if all are accepted,
    draw a bonus token with u_resample from p[γ]. Return a list of ints.
    """
    raise NotImplementedError("verify() is not written yet")


if __name__ == "__main__":
    q = torch.tensor([[0.6, 0.3, 0.1]])
    p = torch.tensor([[0.3, 0.5, 0.2], [0.2, 0.2, 0.6]])
    print(verify(torch.tensor([0]), q, p, torch.tensor([0.7]), torch.tensor(0.4)))
