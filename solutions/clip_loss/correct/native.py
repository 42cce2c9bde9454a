"""A correct clip_loss solution in the "native" style, written the way a candidate would
(graded by the generic drill tests: the tolerances are not tuned to the oracle alone)."""

import torch, torch.nn.functional as F
def clip_loss(image_emb, text_emb, logit_scale):
    i, t = F.normalize(image_emb, dim=-1), F.normalize(text_emb, dim=-1)
    logits = logit_scale * i @ t.T
    labels = torch.arange(i.shape[0])
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2
