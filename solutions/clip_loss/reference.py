"""Reference (oracle) for the ``clip_loss`` drill: CLIP's symmetric contrastive loss.

With N matched (image, text) pairs, row i of each embedding matrix describing the same item::

    I = image_emb / ‖image_emb‖₂ (row-wise)     T = text_emb / ‖text_emb‖₂ (row-wise)
    logits = logit_scale · I · Tᵀ                (N × N; the diagonal holds the true pairs)
    loss = ( CE(logits, i↦i) + CE(logitsᵀ, i↦i) ) / 2

The first cross-entropy classifies each image among all texts, the second each text among all
images; each is a mean over the batch. ``logit_scale`` is the already-exponentiated
temperature inverse (CLIP learns log τ⁻¹ and clamps the scale at 100). The oracle works in
float64 with a max-shifted log-sum-exp and returns a 0-dim tensor in image_emb's dtype,
differentiable in both embeddings and logit_scale.
"""

from __future__ import annotations

import torch


def _mean_ce_diagonal(logits: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of each row of ``logits`` against the target class i for row i."""
    row_max = logits.amax(dim=-1, keepdim=True).detach()
    lse = (logits - row_max).exp().sum(dim=-1).log() + row_max.squeeze(-1)
    return (lse - logits.diagonal()).mean()


def clip_loss(
    image_emb: torch.Tensor, text_emb: torch.Tensor, logit_scale: torch.Tensor
) -> torch.Tensor:
    """Symmetric InfoNCE loss of CLIP over N matched pairs; a 0-dim tensor in image_emb's dtype."""
    img = image_emb.to(torch.float64)
    txt = text_emb.to(torch.float64)
    # The clamp matches F.normalize: an all-zero row stays zero instead of becoming NaN.
    img = img / img.norm(dim=-1, keepdim=True).clamp_min(1e-12)
    txt = txt / txt.norm(dim=-1, keepdim=True).clamp_min(1e-12)
    scale = torch.as_tensor(logit_scale, device=img.device).to(torch.float64)
    logits = scale * (img @ txt.transpose(0, 1))
    loss = (_mean_ce_diagonal(logits) + _mean_ce_diagonal(logits.transpose(0, 1))) / 2
    return loss.to(image_emb.dtype)


def clip_loss_same_precision(image_emb: torch.Tensor, text_emb: torch.Tensor,
                             logit_scale: torch.Tensor) -> torch.Tensor:
    """CLIP's loss as usually written, in the inputs' precision: the baseline `--bench` times a
    solution against, not the float64 oracle."""
    img = image_emb / image_emb.norm(dim=-1, keepdim=True)
    txt = text_emb / text_emb.norm(dim=-1, keepdim=True)
    logits = logit_scale * img @ txt.T
    labels = torch.arange(logits.shape[0], device=logits.device)
    ce = torch.nn.functional.cross_entropy
    return (ce(logits, labels) + ce(logits.T, labels)) / 2


#: Same-precision implementations that `quizapp grade --bench` times solutions against.
BENCH_BASELINES = {"clip_loss": clip_loss_same_precision}
