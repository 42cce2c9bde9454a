"""Inputs of the clip_loss drill's cases.

image and text embeddings share a direction (as real embeddings do); text = image-like base
+ `noise`, so matched pairs are similar but not trivially separable. Rows get very different
norms (up to `norm_spread`), so a loss that skips the L2 normalisation is far off.
`logit_scale` is a 0-dim tensor, float32 unless `scale_dtype: same` (or a float64 case).
"""

from __future__ import annotations

from typing import Any

from quizapp.core.drills.builders import CaseInputs, dtype, generator, randn


def clip_loss(p: dict[str, Any], seed: int) -> CaseInputs:
    import torch

    g = generator(seed)
    n, d = p["n"], p["d"]
    cast = dtype(p["dtype"])
    base = randn((n, d), g) + 0.3
    image = base + 0.1 * randn((n, d), g)
    text = base + p["noise"] * randn((n, d), g)
    spread = max(p["norm_spread"], 1.0)
    image = image * (1 + (spread - 1) * torch.rand((n, 1), generator=g, dtype=torch.float64))
    text = text * (1 + (spread - 1) * torch.rand((n, 1), generator=g, dtype=torch.float64))
    scale_dtype = cast if p["scale_dtype"] == "same" or cast == torch.float64 else torch.float32
    logit_scale = torch.tensor(float(p["logit_scale"]), dtype=scale_dtype)
    return CaseInputs({"image_emb": image.to(cast), "text_emb": text.to(cast),
                       "logit_scale": logit_scale})
