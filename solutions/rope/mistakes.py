"""Known-wrong variants of the ``rope`` drill, for the grader's "looks like …" diagnosis.

Each entry of :data:`MISTAKES` reproduces one classic RoPE bug and is otherwise the
reference: float64 frequencies, angles and rotation (except where the bug *is* the
precision), so its output is the bug's exact signature.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor


def _rope(x: Tensor, positions: Tensor, *, base: float, interleaved: bool,
          inv_freq: Tensor | None = None, angles: Tensor | None = None,
          sign: float = 1.0, pair_freq_layout: bool | None = None) -> Tensor:
    """The reference rotation with hooks for one bug each.

    `inv_freq` / `angles` replace the computed ones; `sign=-1` rotates by −θ;
    `pair_freq_layout` builds the per-element frequency table for that layout while pairing
    elements for `interleaved` (a table built for the other layout breaks the rotation).
    """
    d = x.shape[-1]
    half = d // 2
    if inv_freq is None:
        inv_freq = float(base) ** (-2.0 * torch.arange(half, dtype=torch.float64,
                                                         device=x.device) / d)
    if angles is None:
        angles = positions.to(device=x.device, dtype=torch.float64).unsqueeze(-1) * inv_freq
    angles = angles.to(torch.float64)
    x64 = x.to(torch.float64)
    if pair_freq_layout is not None:
        # Per-element angle table e (…, D) for `pair_freq_layout`, applied HF-style:
        # x·cos(e) + partner(x)·sin(e) with the partner taken for `interleaved`.
        if pair_freq_layout:
            e = angles.repeat_interleave(2, dim=-1)
        else:
            e = torch.cat((angles, angles), dim=-1)
        if interleaved:
            partner = torch.stack((-x64[..., 1::2], x64[..., 0::2]), dim=-1).flatten(-2)
        else:
            partner = torch.cat((-x64[..., half:], x64[..., :half]), dim=-1)
        return (x64 * e.cos() + partner * e.sin()).to(x.dtype)
    cos, sin = angles.cos(), sign * angles.sin()
    if interleaved:
        a, b = x64[..., 0::2], x64[..., 1::2]
    else:
        a, b = x64[..., :half], x64[..., half:]
    ra, rb = a * cos - b * sin, a * sin + b * cos
    out = torch.stack((ra, rb), -1).flatten(-2) if interleaved else torch.cat((ra, rb), -1)
    return out.to(x.dtype)


def layout_swapped(x: Tensor, positions: Tensor, base: float = 10000.0,
                   interleaved: bool = False) -> Tensor:
    """Pairs (2i, 2i+1) when asked for (i, i + D/2) and the other way round."""
    return _rope(x, positions, base=base, interleaved=not interleaved)


def freq_i_over_d(x: Tensor, positions: Tensor, base: float = 10000.0,
                  interleaved: bool = False) -> Tensor:
    """θ_i = base^(−i/D) instead of base^(−2i/D)."""
    d = x.shape[-1]
    inv_freq = float(base) ** (-torch.arange(d // 2, dtype=torch.float64, device=x.device) / d)
    return _rope(x, positions, base=base, interleaved=interleaved, inv_freq=inv_freq)


def positions_ignored(x: Tensor, positions: Tensor, base: float = 10000.0,
                      interleaved: bool = False) -> Tensor:
    """Uses 0 … S−1 (torch.arange(S)) instead of the given absolute positions."""
    s = x.shape[-2]
    return _rope(x, torch.arange(s, device=x.device), base=base, interleaved=interleaved)


def angles_in_half(x: Tensor, positions: Tensor, base: float = 10000.0,
                   interleaved: bool = False) -> Tensor:
    """p · θ_i computed in x's dtype (float16/bfloat16 cannot hold p = 10⁴ to 1 radian)."""
    d = x.shape[-1]
    inv_freq = float(base) ** (-2.0 * torch.arange(d // 2, dtype=torch.float64,
                                                     device=x.device) / d)
    angles = positions.to(device=x.device, dtype=x.dtype).unsqueeze(-1) * inv_freq.to(x.dtype)
    return _rope(x, positions, base=base, interleaved=interleaved, angles=angles)


def rotation_reversed(x: Tensor, positions: Tensor, base: float = 10000.0,
                      interleaved: bool = False) -> Tensor:
    """rotate_half with the minus on the wrong half: rotates by −θ."""
    return _rope(x, positions, base=base, interleaved=interleaved, sign=-1.0)


def freq_table_other_layout(x: Tensor, positions: Tensor, base: float = 10000.0,
                            interleaved: bool = False) -> Tensor:
    """cos/sin table built for the other layout (repeat_interleave for rotate_half, or
    cat(freqs, freqs) for interleaved pairs): the two elements of a pair get different
    angles."""
    return _rope(x, positions, base=base, interleaved=interleaved,
                 pair_freq_layout=not interleaved)


def base_ignored(x: Tensor, positions: Tensor, base: float = 10000.0,
                 interleaved: bool = False) -> Tensor:
    """base hard-coded to 10000 (LLaMA 3 uses 500000, Qwen2 1000000)."""
    return _rope(x, positions, base=10000.0, interleaved=interleaved)


MISTAKES: list[dict[str, Any]] = [
    {
        "id": "layout_swapped",
        "title": {"en": "Pair layout swapped (rotate_half vs interleaved)",
                  "zh": "配对方式弄反了（rotate_half 与 interleaved）"},
        "explanation": {
            "en": "interleaved=False pairs x[i] with x[i + D/2] (GPT-NeoX / HF rotate_half); "
                  "interleaved=True pairs x[2i] with x[2i+1] (GPT-J, Meta's complex form). "
                  "The two are the same rotation on permuted features, so weights trained "
                  "with one layout give wrong attention with the other.",
            "zh": "interleaved=False 时配对的是 x[i] 与 x[i + D/2]（GPT-NeoX / HF 的 rotate_hal"
                  "f）；"
                  "interleaved=True 时是 x[2i] 与 x[2i+1]（GPT-J、Meta 的复数写法）。"
                  "两者只是特征顺序不同的同一种旋转，用一种布局训练的权重配另一种布局，注意力就错了。",
        },
        "apply_rope": layout_swapped,
        "exposed_by": "float32 basic",
    },
    {
        "id": "freq_i_over_d",
        "title": {"en": "Frequencies base^(−i/D) instead of base^(−2i/D)",
                  "zh": "频率写成 base^(−i/D) 而不是 base^(−2i/D)"},
        "explanation": {
            "en": "Pair i has frequency θ_i = base^(−2i/D), i < D/2 — HF writes it as "
                  "arange(0, D, 2)/D. With arange(D/2)/D the lowest frequency is only "
                  "base^(−1/2) instead of ≈ 1/base, so long-range positions are no longer "
                  "told apart.",
            "zh": "第 i 对的频率是 θ_i = base^(−2i/D)，i < D/2——HF 写成 arange(0, D, 2)/D。"
                  "用 arange(D/2)/D 时最低频率只有 base^(−1/2)，而不是约 1/base，远距离位置就分"
                  "不开了。",
        },
        "apply_rope": freq_i_over_d,
        "exposed_by": "float32 basic",
    },
    {
        "id": "positions_ignored",
        "title": {"en": "Positions ignored (arange instead of positions)",
                  "zh": "忽略了 positions（用 arange 代替）"},
        "explanation": {
            "en": "The angles use 0 … S−1 instead of the absolute positions passed in. That "
                  "is right only for a prefill from position 0: a decode step at cache "
                  "length 10⁴ gets the rotation of position 0, and packed or left-padded "
                  "sequences get the wrong offsets.",
            "zh": "角度用的是 0 … S−1，而不是传入的绝对位置。只有从位置 0 开始的 prefill 才碰巧"
                  "正确："
                  "缓存长度为 10⁴ 时的解码步骤会被当成位置 0，打包或左填充的序列偏移也会错。",
        },
        "apply_rope": positions_ignored,
        "exposed_by": "decode step at position 10000",
        "agrees_on": "float32 basic",
    },
    {
        "id": "angles_in_half",
        "title": {"en": "Angles computed in half precision",
                  "zh": "角度用半精度计算"},
        "explanation": {
            "en": "p · θ is computed in float16/bfloat16. float16 spaces numbers 8 apart "
                  "near 10⁴ and overflows to inf past 65504; bfloat16 spaces them 64 apart. "
                  "The angle is then wrong by radians. Compute angles and cos/sin in float32 "
                  "(or float64) and cast only the result.",
            "zh": "p · θ 用 float16/bfloat16 计算。float16 在 10⁴ 附近相邻两数相差 8，超过 6550"
                  "4 就变成 inf；"
                  "bfloat16 相差 64。角度会错好几个弧度。角度和 cos/sin 要用 float32（或 float6"
                  "4）算，"
                  "只把最终结果转回去。",
        },
        "apply_rope": angles_in_half,
        "exposed_by": "float16, positions near 10^4",
        "agrees_on": "float32 basic",
    },
    {
        "id": "rotation_reversed",
        "title": {"en": "Rotation by −θ (sign in rotate_half flipped)",
                  "zh": "旋转方向反了（rotate_half 的负号放错）"},
        "explanation": {
            "en": "rotate_half must return cat(−x2, x1) so that x·cos + rotate_half(x)·sin "
                  "gives (a cos − b sin, a sin + b cos). cat(x2, −x1) rotates by −θ: "
                  "q·k still depends only on the distance, but with the opposite sign, so "
                  "pretrained weights see every offset mirrored.",
            "zh": "rotate_half 必须返回 cat(−x2, x1)，x·cos + rotate_half(x)·sin 才等于 "
                  "(a cos − b sin, a sin + b cos)。写成 cat(x2, −x1) 就是旋转 −θ："
                  "q·k 仍只取决于相对距离，但符号相反，预训练权重看到的每个偏移都被镜像了。",
        },
        "apply_rope": rotation_reversed,
        "exposed_by": "float32 basic",
    },
    {
        "id": "freq_table_other_layout",
        "title": {"en": "cos/sin table built for the other layout",
                  "zh": "cos/sin 表是按另一种布局构造的"},
        "explanation": {
            "en": "With rotate_half pairs (i, i + D/2) the per-element table is "
                  "cat(freqs, freqs); with interleaved pairs (2i, 2i+1) it is "
                  "freqs.repeat_interleave(2). Mixing them gives the two elements of a pair "
                  "different angles, which is no longer a rotation: norms change and q·k "
                  "stops depending on the relative position only.",
            "zh": "rotate_half 配对 (i, i + D/2) 时逐元素的角度表是 cat(freqs, freqs)；"
                  "interleaved 配对 (2i, 2i+1) 时是 freqs.repeat_interleave(2)。两者混用，同一"
                  "对的两个元素"
                  "角度不同，这就不再是旋转：范数会变，q·k 也不再只取决于相对位置。",
        },
        "apply_rope": freq_table_other_layout,
        "exposed_by": "float32 basic",
    },
    {
        "id": "base_ignored",
        "title": {"en": "base hard-coded to 10000", "zh": "base 写死成 10000"},
        "explanation": {
            "en": "The base argument is ignored. LLaMA 3 uses base 500000 and Qwen2 "
                  "1000000 to stretch the wavelengths for long contexts; with 10000 every "
                  "pair but the first rotates at the wrong speed.",
            "zh": "忽略了 base 参数。LLaMA 3 用 base 500000、Qwen2 用 1000000 来拉长波长以支持"
                  "长上下文；"
                  "写死 10000 时除第一对外每一对的转速都错了。",
        },
        "apply_rope": base_ignored,
        "exposed_by": "base 500000 (LLaMA 3)",
        "agrees_on": "float32 basic",
    },
]
