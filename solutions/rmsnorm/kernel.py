"""Triton RMSNorm for the ``rmsnorm`` drill: ``rms_norm(x, weight, eps=1e-6)``.

One program per row of the flattened (M, N) input. The forward kernel accumulates Σx² in
float32 (float64 for float64 inputs), so float16 activations of any realistic magnitude are
safe (x² would overflow float16 past |x| ≈ 256), then writes y = x · rstd · w, rounding once
to x's dtype. When the row fits in one block (N ≤ MAX_BLOCK) it is loaded once and kept in
registers; longer rows are streamed twice in MAX_BLOCK chunks.

It is differentiable: the backward kernel computes, per row, with x̂ = x·rstd and g = w·dy,

    dx = rstd · (g − x̂ · mean(g · x̂))        dw = Σ_rows dy · x̂

the dw partial sums accumulated by a fixed number of programs, each striding over rows, then
summed by torch. Any leading dimensions; last dimension of any size. Works compiled on CUDA
and under ``TRITON_INTERPRET=1`` on CPU (bfloat16 included: Triton 3.9's interpreter runs it).
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl

# The largest row chunk held in registers at once; longer rows take a streaming loop.
MAX_BLOCK = 8192


@triton.jit
def _rms_norm_fwd_kernel(
    X,
    W,
    Y,
    RSTD,
    stride_x,
    stride_y,
    N,
    eps,
    BLOCK_N: tl.constexpr,
    ONE_BLOCK: tl.constexpr,
    FP64: tl.constexpr,
):
    row = tl.program_id(0).to(tl.int64)
    x_row = X + row * stride_x
    y_row = Y + row * stride_y
    cols = tl.arange(0, BLOCK_N)
    if ONE_BLOCK:
        valid = cols < N
        x = tl.load(x_row + cols, mask=valid, other=0.0)
        x = x.to(tl.float64) if FP64 else x.to(tl.float32)
        rstd = 1.0 / tl.sqrt(tl.sum(x * x, axis=0) / N + eps)
        w = tl.load(W + cols, mask=valid, other=0.0)
        w = w.to(tl.float64) if FP64 else w.to(tl.float32)
        tl.store(y_row + cols, (x * rstd * w).to(Y.dtype.element_ty), mask=valid)
    else:
        if FP64:
            acc = tl.zeros([BLOCK_N], dtype=tl.float64)
        else:
            acc = tl.zeros([BLOCK_N], dtype=tl.float32)
        for start in range(0, N, BLOCK_N):
            c = start + cols
            x = tl.load(x_row + c, mask=c < N, other=0.0)
            x = x.to(tl.float64) if FP64 else x.to(tl.float32)
            acc += x * x
        rstd = 1.0 / tl.sqrt(tl.sum(acc, axis=0) / N + eps)
        for start in range(0, N, BLOCK_N):
            c = start + cols
            x = tl.load(x_row + c, mask=c < N, other=0.0)
            x = x.to(tl.float64) if FP64 else x.to(tl.float32)
            w = tl.load(W + c, mask=c < N, other=0.0)
            w = w.to(tl.float64) if FP64 else w.to(tl.float32)
            tl.store(y_row + c, (x * rstd * w).to(Y.dtype.element_ty), mask=c < N)
    tl.store(RSTD + row, rstd)


@triton.jit
def _rms_norm_bwd_kernel(
    X,
    W,
    DY,
    DX,
    DW_PARTIAL,
    RSTD,
    stride_x,
    stride_dy,
    stride_dx,
    M,
    N,
    BLOCK_N: tl.constexpr,
    FP64: tl.constexpr,
):
    # Each program owns rows pid, pid + P, pid + 2P, ... and one row of DW_PARTIAL (P × N).
    pid = tl.program_id(0)
    n_programs = tl.num_programs(0)
    cols = tl.arange(0, BLOCK_N)
    valid = cols < N
    w = tl.load(W + cols, mask=valid, other=0.0)
    w = w.to(tl.float64) if FP64 else w.to(tl.float32)
    if FP64:
        dw = tl.zeros([BLOCK_N], dtype=tl.float64)
    else:
        dw = tl.zeros([BLOCK_N], dtype=tl.float32)
    for first in range(0, M, n_programs):
        # int64 row index (pointer offsets can pass 2³¹); rows past M are fully masked.
        row = first + pid.to(tl.int64)
        # Broadcast before comparing: TRITON_INTERPRET rejects a scalar & block mask.
        ok = valid & ((row + tl.zeros([BLOCK_N], dtype=tl.int64)) < M)
        x = tl.load(X + row * stride_x + cols, mask=ok, other=0.0)
        dy = tl.load(DY + row * stride_dy + cols, mask=ok, other=0.0)
        x = x.to(tl.float64) if FP64 else x.to(tl.float32)
        dy = dy.to(tl.float64) if FP64 else dy.to(tl.float32)
        # Rows past M read a valid rstd; their x and dy are masked to 0 so it does not matter.
        rstd = tl.load(RSTD + tl.minimum(row, M - 1))
        x_hat = x * rstd
        g = w * dy
        dx = rstd * (g - x_hat * (tl.sum(g * x_hat, axis=0) / N))
        tl.store(DX + row * stride_dx + cols, dx.to(DX.dtype.element_ty), mask=ok)
        dw += dy * x_hat
    tl.store(DW_PARTIAL + pid * N + cols, dw, mask=valid)


def _check(x: torch.Tensor, weight: torch.Tensor) -> None:
    if x.dim() == 0:
        raise ValueError("rms_norm: x needs at least one dimension")
    if weight.shape != (x.shape[-1],):
        raise ValueError(
            f"rms_norm: weight must have shape ({x.shape[-1]},), got {tuple(weight.shape)}"
        )
    if x.device != weight.device:
        raise ValueError("rms_norm: x and weight must be on the same device")


def _forward(
    x: torch.Tensor, weight: torch.Tensor, eps: float
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Run the forward kernel; returns (y, x as (M, N), w contiguous, rstd)."""
    n = x.shape[-1]
    x2 = x.reshape(-1, n)
    if x2.stride(-1) != 1:
        x2 = x2.contiguous()
    w = weight.contiguous()
    m = x2.shape[0]
    y = torch.empty((m, n), dtype=x.dtype, device=x.device)
    fp64 = x.dtype == torch.float64
    rstd = torch.empty(m, dtype=torch.float64 if fp64 else torch.float32, device=x.device)
    if m > 0 and n > 0:
        block = min(triton.next_power_of_2(n), MAX_BLOCK)
        warps = max(1, min(16, block // 256))
        _rms_norm_fwd_kernel[(m,)](
            x2,
            w,
            y,
            rstd,
            x2.stride(0),
            y.stride(0),
            n,
            eps,
            BLOCK_N=block,
            ONE_BLOCK=block >= n,
            FP64=fp64,
            num_warps=warps,
        )
    return y.reshape(x.shape), x2, w, rstd


class _RMSNorm(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:  # type: ignore[override]
        y, x2, w, rstd = _forward(x, weight, eps)
        ctx.save_for_backward(x2, w, rstd)
        ctx.x_shape = x.shape
        return y

    @staticmethod
    def backward(ctx, dy: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, None]:  # type: ignore[override]
        x2, w, rstd = ctx.saved_tensors
        m, n = x2.shape
        dy2 = dy.reshape(-1, n)
        if dy2.stride(-1) != 1:
            dy2 = dy2.contiguous()
        dx = torch.empty_like(x2)
        fp64 = x2.dtype == torch.float64
        if x2.is_cuda:
            programs = min(m, 4 * torch.cuda.get_device_properties(x2.device).multi_processor_count)
        else:
            programs = min(m, 4)
        programs = max(programs, 1)
        partial = torch.zeros((programs, n), dtype=rstd.dtype, device=x2.device)
        if m > 0 and n > 0:
            block = triton.next_power_of_2(n)
            _rms_norm_bwd_kernel[(programs,)](
                x2,
                w,
                dy2,
                dx,
                partial,
                rstd,
                x2.stride(0),
                dy2.stride(0),
                dx.stride(0),
                m,
                n,
                BLOCK_N=block,
                FP64=fp64,
                num_warps=max(1, min(16, block // 256)),
            )
        dw = partial.sum(dim=0).to(w.dtype)
        return dx.reshape(ctx.x_shape), dw, None


def rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """y = x / sqrt(mean(x², -1) + eps) · weight with float32 (float64) internals, in x's dtype.

    Differentiable in x and weight through Triton forward and backward kernels.
    """
    _check(x, weight)
    if torch.is_grad_enabled() and (x.requires_grad or weight.requires_grad):
        return _RMSNorm.apply(x, weight, eps)
    return _forward(x, weight, eps)[0]
