"""Drill: rotary position embedding (see `quizapp drill list`, or the statement in the app).

Grade with:  quizapp grade rope        (or: quizapp drill watch rope)
"""

import torch


def apply_rope(x, positions, base=10000.0, interleaved=False):
    """Rotate pair i of x (..., S, D) at position p by θ = p · base^(−2i/D).

    interleaved=False: pairs (x[..., i], x[..., i + D/2]) (rotate_half);
    interleaved=True: pairs (x[..., 2i], x[..., 2i+1]).
    positions: int64 (S,) or broadcastable to x.shape[:-1]. Return x's dtype.
    """
    raise NotImplementedError("apply_rope() is not written yet")


if __name__ == "__main__":
    x = torch.randn(1, 2, 4, 8)
    print(apply_rope(x, torch.arange(100, 104)).shape)
