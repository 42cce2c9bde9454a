"""Drill: RMSNorm (see `quizapp drill list`, or the statement in the app).

Grade with:  quizapp grade rmsnorm        (or: quizapp drill watch rmsnorm)
"""

import torch


def rms_norm(x, weight, eps=1e-6):
    """y = x / sqrt(mean(x², dim=-1) + eps) · weight, statistics in float32, y in x's dtype."""
    raise NotImplementedError("rms_norm() is not written yet")


if __name__ == "__main__":
    x = torch.randn(2, 8, dtype=torch.float16) * 300
    print(rms_norm(x, torch.ones(8, dtype=torch.float16)))
