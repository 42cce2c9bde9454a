"""A correct rope solution in Meta's LLaMA style: precomputed rotations e^{iθ} with
torch.polar, x viewed as complex numbers, one complex multiplication. rotate_half pairs
(i, i + D/2) are first gathered into interleaved order and scattered back afterwards."""

import torch


def apply_rope(x, positions, base=10000.0, interleaved=False):
    real = torch.float64 if x.dtype == torch.float64 else torch.float32
    d = x.shape[-1]
    freqs = 1.0 / (base ** (torch.arange(0, d, 2, dtype=real, device=x.device)[: d // 2] / d))
    angles = positions.to(real).unsqueeze(-1) * freqs
    rot = torch.polar(torch.ones_like(angles), angles)
    xr = x.to(real)
    if not interleaved:
        xr = torch.stack((xr[..., : d // 2], xr[..., d // 2:]), dim=-1)
    else:
        xr = xr.reshape(*xr.shape[:-1], d // 2, 2)
    xc = torch.view_as_complex(xr.contiguous())
    out = torch.view_as_real(xc * rot)
    if not interleaved:
        out = torch.cat((out[..., 0], out[..., 1]), dim=-1)
    else:
        out = out.flatten(-2)
    return out.to(x.dtype)
