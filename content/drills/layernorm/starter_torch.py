"""Drill: LayerNorm forward and a hand-written backward (see `quizapp drill list`).

Grade with:  quizapp grade layernorm        (or: quizapp drill watch layernorm)
"""

import torch


def layer_norm(x, weight, bias, eps=1e-5):
    """(x − mean) / sqrt(biased var + eps) · weight + bias over the last dim, in x's dtype."""
    raise NotImplementedError("layer_norm() is not written yet")


def layer_norm_backward(grad_out, x, weight, eps=1e-5):
    """(grad_x, grad_weight, grad_bias) of layer_norm, derived by hand (no autograd)."""
    raise NotImplementedError("layer_norm_backward() is not written yet")


if __name__ == "__main__":
    x = torch.randn(2, 8) * 3 + 1
    w, b = torch.ones(8), torch.zeros(8)
    print(layer_norm(x, w, b))
    print(layer_norm_backward(torch.ones_like(x), x, w))
