"""Triton RoPE for the ``rope`` drill:
``apply_rope(x, positions, base=10000.0, interleaved=False)``.

x is viewed as R = x.numel() / D rows of D features, and positions are expanded to one
position per row. Each program rotates BLOCK_R rows: it loads the two halves of every pair
(a at i and b at i + D/2, or at 2i and 2i + 1 when interleaved), and writes
(a·cos θ − b·sin θ, a·sin θ + b·cos θ) with θ = p · base^(−2i/D).

Precision: the angle p · base^(−2i/D) is formed in float64 and reduced modulo 2π there, so
the float32 cos/sin that follow see |θ| ≤ π and stay accurate at any position (float32
angles, as Hugging Face forms them, lose ≈ 7·10⁻⁸·p rad). float64 inputs keep float64
throughout. The base^(−2i/D) table is computed by torch in float64 on the host (D/2 values).

Differentiable in x: the backward is the same kernel rotating the output gradient by −θ.
Works compiled on CUDA and under ``TRITON_INTERPRET=1`` (float32/float16/float64 there: the
interpreter has no bfloat16 arithmetic).
"""

from __future__ import annotations

import math

import torch
import triton
import triton.language as tl


@triton.jit
def _rope_kernel(
    X,
    POS,
    INV_FREQ,
    Y,
    n_rows,
    stride_x,
    stride_y,
    half,
    sign,
    INTERLEAVED: tl.constexpr,
    FP64: tl.constexpr,
    BLOCK_R: tl.constexpr,
    BLOCK_H: tl.constexpr,
):
    rows = tl.program_id(0).to(tl.int64) * BLOCK_R + tl.arange(0, BLOCK_R)
    cols = tl.arange(0, BLOCK_H)
    row_ok = rows < n_rows
    ok = row_ok[:, None] & (cols < half)[None, :]
    if INTERLEAVED:
        a_off, b_off = 2 * cols, 2 * cols + 1
    else:
        a_off, b_off = cols, cols + half
    pos = tl.load(POS + rows, mask=row_ok, other=0).to(tl.float64)
    inv = tl.load(INV_FREQ + cols, mask=cols < half, other=0.0)
    angle = pos[:, None] * inv[None, :]
    # Reduce modulo 2π in float64 so that float32 cos/sin get an argument in [−π, π].
    turns = tl.floor(angle * 0.15915494309189535 + 0.5)
    angle = angle - turns * 6.283185307179586
    if FP64:
        cos, sin = tl.cos(angle), tl.sin(angle) * sign
        a = tl.load(X + rows[:, None] * stride_x + a_off[None, :], mask=ok, other=0.0)
        b = tl.load(X + rows[:, None] * stride_x + b_off[None, :], mask=ok, other=0.0)
    else:
        angle32 = angle.to(tl.float32)
        cos, sin = tl.cos(angle32), tl.sin(angle32) * sign
        a = tl.load(X + rows[:, None] * stride_x + a_off[None, :], mask=ok, other=0.0)
        b = tl.load(X + rows[:, None] * stride_x + b_off[None, :], mask=ok, other=0.0)
        a, b = a.to(tl.float32), b.to(tl.float32)
    ra = a * cos - b * sin
    rb = a * sin + b * cos
    tl.store(Y + rows[:, None] * stride_y + a_off[None, :], ra.to(Y.dtype.element_ty), mask=ok)
    tl.store(Y + rows[:, None] * stride_y + b_off[None, :], rb.to(Y.dtype.element_ty), mask=ok)


def _launch(x: torch.Tensor, pos: torch.Tensor, base: float, interleaved: bool,
            sign: float) -> torch.Tensor:
    """Rotate x (…, D) by sign·θ with one position per row in `pos` (flat int64)."""
    d = x.shape[-1]
    half = d // 2
    x2 = x.reshape(-1, d)
    if x2.numel() and x2.stride(-1) != 1:
        x2 = x2.contiguous()
    y = torch.empty((x2.shape[0], d), dtype=x.dtype, device=x.device)
    n_rows = x2.shape[0]
    if n_rows and half:
        inv_freq = float(base) ** (-2.0 * torch.arange(half, dtype=torch.float64,
                                                         device=x.device) / d)
        block_h = triton.next_power_of_2(half)
        block_r = max(1, min(64, 4096 // block_h, triton.next_power_of_2(n_rows)))
        grid = (triton.cdiv(n_rows, block_r),)
        _rope_kernel[grid](x2, pos, inv_freq, y, n_rows, x2.stride(0), y.stride(0), half,
                           sign, INTERLEAVED=interleaved, FP64=x.dtype == torch.float64,
                           BLOCK_R=block_r, BLOCK_H=block_h, num_warps=4)
    return y.reshape(x.shape)


class _Rope(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, pos: torch.Tensor, base: float,  # type: ignore[override]
                interleaved: bool) -> torch.Tensor:
        ctx.save_for_backward(pos)
        ctx.base, ctx.interleaved = base, interleaved
        return _launch(x, pos, base, interleaved, 1.0)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):  # type: ignore[override]
        (pos,) = ctx.saved_tensors
        # The rotation is orthogonal: its transpose is the rotation by −θ.
        return _launch(grad, pos, ctx.base, ctx.interleaved, -1.0), None, None, None


def apply_rope(x: torch.Tensor, positions: torch.Tensor, base: float = 10000.0,
               interleaved: bool = False) -> torch.Tensor:
    """Rotary embedding of x (…, S, D) at `positions` ((S,) or broadcastable), x's dtype."""
    d = x.shape[-1]
    if d % 2:
        raise ValueError(f"apply_rope: the last dimension must be even, got {d}")
    if not math.isfinite(float(base)) or base <= 0:
        raise ValueError(f"apply_rope: base must be a positive number, got {base}")
    pos = positions.to(device=x.device, dtype=torch.int64).expand(x.shape[:-1])
    pos = pos.reshape(-1).contiguous()
    if torch.is_grad_enabled() and x.requires_grad:
        return _Rope.apply(x, pos, float(base), bool(interleaved))
    return _launch(x, pos, float(base), bool(interleaved), 1.0)
