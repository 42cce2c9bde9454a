"""Drill: LoRA linear layer and merge (see `quizapp drill list`, or the statement).

Grade with:  quizapp grade lora        (or: quizapp drill watch lora)
"""

import torch
import torch.nn.functional as F  # noqa: F401 - F.linear helps


def lora_linear(x, weight, bias, lora_a, lora_b, alpha):
    """y = x·Wᵀ + b + (alpha / r)·(x·Aᵀ)·Bᵀ for x (..., in), W (out, in), b (out,) or None,
    A (r, in), B (out, r). Never form B·A. Return (..., out) in x's dtype."""
    raise NotImplementedError("lora_linear() is not written yet")


def merge_lora(weight, lora_a, lora_b, alpha):
    """W + (alpha / r)·B·A in weight's dtype, accumulated in at least float32."""
    raise NotImplementedError("merge_lora() is not written yet")


if __name__ == "__main__":
    x, w = torch.randn(2, 8), torch.randn(6, 8)
    a, b = torch.randn(2, 8), torch.randn(6, 2)
    print(lora_linear(x, w, None, a, b, 4.0))
