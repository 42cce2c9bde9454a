"""A correct rope solution in the Hugging Face LLaMA style: an inv_freq table, a per-element
cos/sin table (cat for rotate_half, repeat_interleave for interleaved pairs) and
x·cos + rotate(x)·sin, with the angles in float32 (float64 for float64 x)."""

import torch


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def rotate_pairs(x):
    x1, x2 = x[..., ::2], x[..., 1::2]
    return torch.stack((-x2, x1), dim=-1).flatten(-2)


def apply_rope(x, positions, base=10000.0, interleaved=False):
    compute = torch.promote_types(x.dtype, torch.float32)
    dim = x.shape[-1]
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, device=x.device, dtype=compute) / dim))
    freqs = positions.to(compute)[..., None] * inv_freq
    if interleaved:
        emb = freqs.repeat_interleave(2, dim=-1)
        rotated = rotate_pairs(x.to(compute))
    else:
        emb = torch.cat((freqs, freqs), dim=-1)
        rotated = rotate_half(x.to(compute))
    out = x.to(compute) * emb.cos() + rotated * emb.sin()
    return out.to(x.dtype)
