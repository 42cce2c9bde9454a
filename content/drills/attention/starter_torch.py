"""Drill: scaled dot-product attention (see `quizapp drill list`, or the statement in the app).

Grade with:  quizapp grade attention        (or: quizapp drill watch attention)
"""

import math  # noqa: F401 - you will probably want math.sqrt

import torch


def attention(q, k, v, mask=None, is_causal=False):
    """softmax(q·kᵀ/√D, masked) · v.

    q: (B, H, Sq, D); k, v: (B, H, Sk, D); mask: bool, broadcastable to (B, H, Sq, Sk),
    True = may attend; is_causal: key j allowed for query i iff j <= i (Sq == Sk, no mask).
    Rows with no allowed key return zeros. Return (B, H, Sq, D) in q's dtype.
    """
    raise NotImplementedError("attention() is not written yet")


if __name__ == "__main__":
    q = torch.randn(1, 2, 4, 8)
    print(attention(q, q, q, is_causal=True).shape)
