"""Drill: sampling — temperature, top-k, top-p, min-p (statement: `quizapp drill show sampling`).

Grade with:  quizapp grade sampling        (or: quizapp drill watch sampling)
"""

import torch


def warp(logits, temperature=1.0, top_k=0, top_p=1.0, min_p=0.0):
    """Temperature, then top-k, top-p, min-p (Hugging Face's order).

    logits: (B, V) float. Return float32 (B, V): kept tokens hold logits / temperature,
    removed tokens -inf. top_k=0, top_p=1.0 and min_p=0.0 switch a filter off.
    """
    raise NotImplementedError("warp() is not written yet")


def sample(logits, u, temperature=1.0, top_k=0, top_p=1.0, min_p=0.0):
    """int64 (B,): argmax (lowest index on ties) when temperature == 0; otherwise the
    smallest index i with cumsum(softmax(warp(...)))[i] > u[b], row by row."""
    raise NotImplementedError("sample() is not written yet")


if __name__ == "__main__":
    logits = torch.tensor([[2.0, 1.0, 0.5, -1.0]])
    print(warp(logits, temperature=0.7, top_p=0.9))
    print(sample(logits, torch.tensor([0.5], dtype=torch.float64), top_k=2))
