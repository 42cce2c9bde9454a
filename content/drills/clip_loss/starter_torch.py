"""Drill: CLIP's symmetric contrastive loss (see `quizapp drill list`, or the statement).

Grade with:  quizapp grade clip_loss        (or: quizapp drill watch clip_loss)
"""

import torch
import torch.nn.functional as F  # noqa: F401 - F.normalize and F.cross_entropy help


def clip_loss(image_emb, text_emb, logit_scale):
    """(CE(logits, i→i) + CE(logitsᵀ, i→i)) / 2 with logits = logit_scale · Î · T̂ᵀ over
    L2-normalised rows. Return a 0-dim tensor in image_emb's dtype."""
    raise NotImplementedError("clip_loss() is not written yet")


if __name__ == "__main__":
    img = torch.randn(4, 8)
    print(clip_loss(img, img + 0.1 * torch.randn(4, 8), torch.tensor(14.3)))
