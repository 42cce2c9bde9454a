"""Known-wrong variants of the ``clip_loss`` drill, for the grader's "looks like …" diagnosis.

Each entry of :data:`MISTAKES` carries an ``id``, a bilingual ``title`` and ``explanation``,
and a ``clip_loss`` callable with the drill's signature that reproduces one classic bug and is
otherwise correct. The variants compute in float64 so their output is the bug's exact
signature.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor


def _normalise(x: Tensor, dim: int = -1) -> Tensor:
    return x / x.norm(dim=dim, keepdim=True).clamp_min(1e-12)


def _ce_diag(logits: Tensor, reduce_sum: bool = False) -> Tensor:
    """Cross-entropy of row i against class i (stable log-sum-exp)."""
    per_row = torch.logsumexp(logits, dim=-1) - logits.diagonal()
    return per_row.sum() if reduce_sum else per_row.mean()


def _scale64(logit_scale: Tensor, like: Tensor) -> Tensor:
    return torch.as_tensor(logit_scale, device=like.device).to(torch.float64)


def _logits(image_emb: Tensor, text_emb: Tensor, logit_scale: Tensor) -> Tensor:
    img = _normalise(image_emb.double())
    txt = _normalise(text_emb.double())
    return _scale64(logit_scale, img) * img @ txt.T


def no_normalisation(image_emb: Tensor, text_emb: Tensor, logit_scale: Tensor) -> Tensor:
    """Raw dot products: embeddings never L2-normalised."""
    logits = _scale64(logit_scale, image_emb) * image_emb.double() @ text_emb.double().T
    return ((_ce_diag(logits) + _ce_diag(logits.T)) / 2).to(image_emb.dtype)


def normalise_wrong_dim(image_emb: Tensor, text_emb: Tensor, logit_scale: Tensor) -> Tensor:
    """L2-normalises each column (dim=0) instead of each row."""
    img = _normalise(image_emb.double(), dim=0)
    txt = _normalise(text_emb.double(), dim=0)
    logits = _scale64(logit_scale, img) * img @ txt.T
    return ((_ce_diag(logits) + _ce_diag(logits.T)) / 2).to(image_emb.dtype)


def image_to_text_only(image_emb: Tensor, text_emb: Tensor, logit_scale: Tensor) -> Tensor:
    """Only CE(logits, labels): each image picks its text, but never the other way round."""
    return _ce_diag(_logits(image_emb, text_emb, logit_scale)).to(image_emb.dtype)


def sum_over_batch(image_emb: Tensor, text_emb: Tensor, logit_scale: Tensor) -> Tensor:
    """Cross-entropies summed over the batch instead of averaged."""
    logits = _logits(image_emb, text_emb, logit_scale)
    loss = (_ce_diag(logits, reduce_sum=True) + _ce_diag(logits.T, reduce_sum=True)) / 2
    return loss.to(image_emb.dtype)


def directions_not_averaged(image_emb: Tensor, text_emb: Tensor, logit_scale: Tensor) -> Tensor:
    """CE(logits) + CE(logitsᵀ) without the final / 2."""
    logits = _logits(image_emb, text_emb, logit_scale)
    return (_ce_diag(logits) + _ce_diag(logits.T)).to(image_emb.dtype)


def no_logit_scale(image_emb: Tensor, text_emb: Tensor, logit_scale: Tensor) -> Tensor:
    """Cosine similarities used as logits directly (temperature 1)."""
    logits = _logits(image_emb, text_emb, torch.ones((), dtype=torch.float64))
    return ((_ce_diag(logits) + _ce_diag(logits.T)) / 2).to(image_emb.dtype)


def divides_by_logit_scale(image_emb: Tensor, text_emb: Tensor, logit_scale: Tensor) -> Tensor:
    """logits = cos / logit_scale, as if logit_scale were the temperature τ."""
    logits = _logits(image_emb, text_emb, 1.0 / _scale64(logit_scale, image_emb))
    return ((_ce_diag(logits) + _ce_diag(logits.T)) / 2).to(image_emb.dtype)


def exponentiates_logit_scale(image_emb: Tensor, text_emb: Tensor, logit_scale: Tensor) -> Tensor:
    """logit_scale.exp(), as in CLIP's model code, though this argument is already exp'd.
    The exp happens in the scale's own dtype, as user code would do it."""
    scale = torch.as_tensor(logit_scale, device=image_emb.device).exp()
    logits = _logits(image_emb, text_emb, scale)
    return ((_ce_diag(logits) + _ce_diag(logits.T)) / 2).to(image_emb.dtype)


MISTAKES: list[dict[str, Any]] = [
    {
        "id": "no_normalisation",
        "exposed_by": "float32 basic",
        "agrees_on": "one pair (N = 1)",
        "title": {"en": "Embeddings not L2-normalised", "zh": "embedding 没有做 L2 归一化"},
        "explanation": {
            "en": "Logits use raw dot products, so they grow with the embeddings' norms instead "
            "of being cosine similarities in [−1, 1] scaled by logit_scale.",
            "zh": "logits 用的是原始点积，会随 embedding 的模长变化；"
            "CLIP 用的是余弦相似度（在 [−1, 1] 内）再乘 logit_scale。",
        },
        "clip_loss": no_normalisation,
    },
    {
        "id": "normalise_wrong_dim",
        "exposed_by": "float32 basic",
        "agrees_on": "one pair (N = 1)",
        "title": {"en": "Normalised along the wrong dimension", "zh": "归一化的维度用错了"},
        "explanation": {
            "en": "Embeddings are normalised over dim=0 (each feature across the batch) instead "
            "of over the last dim (each row), so the logits are not cosine similarities.",
            "zh": "在 dim=0（每个特征跨 batch）上做了归一化，而不是沿最后一维对每一行归一化，"
            "得到的 logits 就不是余弦相似度。",
        },
        "clip_loss": normalise_wrong_dim,
    },
    {
        "id": "image_to_text_only",
        "exposed_by": "float32 basic",
        "agrees_on": "one pair (N = 1)",
        "title": {
            "en": "One-directional loss (image → text only)",
            "zh": "只算了单向 loss（image → text）",
        },
        "explanation": {
            "en": "Only CE(logits, labels) is computed. CLIP's loss is symmetric: it also "
            "classifies each text among the images, CE(logitsᵀ, labels), and averages the two.",
            "zh": "只计算了 CE(logits, labels)。"
            "CLIP 的 loss 是对称的：还要对每个文本在所有图像中做分类，"
            "即 CE(logitsᵀ, labels)，再对两者取平均。",
        },
        "clip_loss": image_to_text_only,
    },
    {
        "id": "sum_over_batch",
        "exposed_by": "float32 basic",
        "agrees_on": "one pair (N = 1)",
        "title": {
            "en": "Summed over the batch instead of averaged",
            "zh": "对 batch 求和而不是求平均",
        },
        "explanation": {
            "en": "The cross-entropies are summed over the N pairs, so the loss (and the "
            "effective learning rate) scales with the batch size. Each CE is a batch mean.",
            "zh": "交叉熵对 N 个样本求和，loss（以及等效学习率）会随 batch size 变化。"
            "每个方向的 CE 都应对 batch 取平均。",
        },
        "clip_loss": sum_over_batch,
    },
    {
        "id": "directions_not_averaged",
        "exposed_by": "float32 basic",
        "agrees_on": "one pair (N = 1)",
        "title": {
            "en": "Two directions added, not averaged",
            "zh": "两个方向的 loss 相加而没有取平均",
        },
        "explanation": {
            "en": "Returns CE(logits) + CE(logitsᵀ); CLIP averages the two directions, "
            "(CE_img + CE_txt) / 2.",
            "zh": "返回的是 CE(logits) + CE(logitsᵀ)；CLIP 对两个方向取平均，"
            "即 (CE_img + CE_txt) / 2。",
        },
        "clip_loss": directions_not_averaged,
    },
    {
        "id": "no_logit_scale",
        "exposed_by": "float32 basic",
        "agrees_on": "one pair (N = 1)",
        "title": {"en": "logit_scale ignored", "zh": "没有乘 logit_scale"},
        "explanation": {
            "en": "Cosine similarities lie in [−1, 1]; without the learned scale (up to 100) "
            "the softmax over the batch is almost uniform and the loss stays near log N.",
            "zh": "余弦相似度只在 [−1, 1] 之间，不乘可学习的 logit_scale（最大 100）时，"
            "batch 内的 softmax 几乎是均匀分布，loss 会停在 log N 附近。",
        },
        "clip_loss": no_logit_scale,
    },
    {
        "id": "divides_by_logit_scale",
        "exposed_by": "float32 basic",
        "agrees_on": "one pair (N = 1)",
        "title": {"en": "Divides by logit_scale", "zh": "除以了 logit_scale"},
        "explanation": {
            "en": "logit_scale is already 1/τ (exp of the learned log-scale), so logits are "
            "cos · logit_scale; dividing treats it as the temperature τ itself.",
            "zh": "logit_scale 已经是 1/τ（可学习参数取 exp 后的值），"
            "logits 应为 cos · logit_scale；"
            "除以它等于把它当成了温度 τ 本身。",
        },
        "clip_loss": divides_by_logit_scale,
    },
    {
        "id": "exponentiates_logit_scale",
        "exposed_by": "float32 basic",
        "agrees_on": "one pair (N = 1)",
        "title": {"en": "logit_scale exponentiated again", "zh": "对 logit_scale 又取了一次 exp"},
        "explanation": {
            "en": "The argument is already exponentiated (CLIP stores log(1/τ) and passes "
            "logit_scale.exp()); exponentiating again gives scales like e¹⁰⁰ and inf/NaN.",
            "zh": "传入的参数已经取过 exp（CLIP 存的是 log(1/τ)，传入的是 logit_scale.exp()）；"
            "再取一次 exp 会得到 e¹⁰⁰ 这样的缩放，直接变成 inf/NaN。",
        },
        "clip_loss": exponentiates_logit_scale,
    },
]
